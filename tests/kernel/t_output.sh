# SPDX-License-Identifier: GPL-2.0-only
# t_output.sh: what a view does when its output cannot be written. A write error other than
# EPIPE (here ENOSPC from /dev/full) ends the run: "ftk VIEW: error: cannot write the
# output: <strerror>", exit 1, the session's state removed. EPIPE (the reader went away) is a
# quiet, clean end: exit 0.
. "$(dirname "$0")/lib.sh"

if lockdown_confidentiality; then
	# No view gets as far as writing output: the refusal is the error, not the full disk.
	t=out_full
	assert_rc $t 1 sh -c '"$0" execsnoop >/dev/full' "$FTK" &&
		assert_grep $t "$LOCKDOWN_MSG" "$T/last.err" &&
		assert_no_grep $t "cannot write the output" "$T/last.err"
	pass $t
	exit 0
fi

# Runs ftk with ARGS, stdout on /dev/full, while $WORKLOAD runs (execs by default: lines to
# print); sets RC.
WORKLOAD=/bin/true
run_full() {
	"$FTK" "$@" >/dev/full 2>"$T/full.err" &
	_fp=$!
	_i=0
	while kill -0 $_fp 2>/dev/null && [ $_i -lt 100 ]; do
		$WORKLOAD
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -INT $_fp 2>/dev/null
	wait $_fp
	RC=$?
	FP=$_fp
}

# Each view on the runner adds its lines here.
for args in "execsnoop" "execsnoop --json" "opensnoop" "opensnoop --json" \
	"trace -e sched:sched_process_exec" \
	"trace -e sched:sched_process_exec --json" "syscount -i 1" "syscount -i 1 --json" \
	"vfsstat" "vfsstat --json" "funccount -i 1 t:sched:sched_process_exec" \
	"funccount -i 1 --json t:sched:sched_process_exec"; do
	t=out_full_$(echo "$args" | tr -c 'a-z\n' _)
	view=${args%% *}
	run_full $args
	assert_eq $t 1 "$RC" &&
		assert_grep $t "^ftk $view: error: cannot write the output: No space left on device" \
			"$T/full.err" &&
		assert_eq $t "" "$(ls "$TRACEFS/instances" | grep "^ftk-$FP\$")" &&
		assert_no_grep $t "ftk_$FP/" "$TRACEFS/uprobe_events"
	pass $t
done

# biosnoop prints block I/O: 4 KiB O_DIRECT writes (bio.sh: a file on the host's disk, a
# null_blk disk in the guests).
. "$(dirname "$0")/bio.sh"
if bio_target; then
	bio_write() {
		$BIOIO "$FILE" w 4096 1 "$OFF"
	}
	WORKLOAD=bio_write
	for args in "biosnoop" "biosnoop --json"; do
		t=out_full_$(echo "$args" | tr -c 'a-z\n' _)
		run_full $args -d "$DISK"
		assert_eq $t 1 "$RC" &&
			assert_grep $t "^ftk biosnoop: error: cannot write the output: No space left on device" \
				"$T/full.err" &&
			assert_eq $t "" "$(ls "$TRACEFS/instances" | grep "^ftk-$FP\$")"
		pass $t
	done
	WORKLOAD=/bin/true
	bio_cleanup
else
	skip out_full_biosnoop "$BIO_WHY"
fi

t=out_epipe
# The reader goes away after the header: ftk ends quietly with 0.
( "$FTK" execsnoop 2>"$T/pipe.err"; echo $? >"$T/pipe.rc" ) | head -n 1 >/dev/null &
_i=0
while [ ! -s "$T/pipe.rc" ] && [ $_i -lt 200 ]; do
	/bin/true	# an exec to print once the header is read
	sleep 0.1
	_i=$((_i + 1))
done
assert_eq $t 0 "$(cat "$T/pipe.rc")" && assert_no_grep $t "error" "$T/pipe.err"
pass $t
