# SPDX-License-Identifier: GPL-2.0-only
# t_list.sh: `ftk list` tells what tracefs lists, filtered by a glob: events (the events/
# directories, as available_events lists them), tracers (available_tracers), functions (available_filter_functions, or
# the precise refusal where the kernel denies it), an ELF's functions, the views, a view's
# options and backends; --json has the documented keys; a malformed command line exits 2.
. "$(dirname "$0")/lib.sh"

t=list_usage
assert_rc $t 2 "$FTK" list && assert_grep $t "what to list: events" "$T/last.err"
assert_rc $t 2 "$FTK" list bogus && assert_grep $t "cannot list 'bogus'" "$T/last.err"
assert_rc $t 2 "$FTK" list options && assert_grep $t "'list options' needs a VIEW" "$T/last.err"
assert_rc $t 2 "$FTK" list options nosuchview && assert_grep $t "unknown view 'nosuchview'" "$T/last.err"
assert_rc $t 2 "$FTK" list uprobe-symbols && assert_grep $t "needs a PATH" "$T/last.err"
assert_rc $t 2 "$FTK" list events a b && assert_grep $t "unexpected argument 'b'" "$T/last.err"
assert_rc $t 0 "$FTK" list --help && assert_grep $t '^usage: ftk list' "$T/last.out"
pass $t

if lockdown_confidentiality; then
	t=list_events
	# tracefs hides its files: a listing is refused with the reason.
	assert_rc $t 1 "$FTK" list events && assert_grep $t "lockdown" "$T/last.err"
	pass $t
elif [ -z "$TRACEFS" ]; then
	skip list_events "no readable tracefs"
else
	t=list_events
	# Probe groups of ftk sessions (ours or other users') come and go between the two reads,
	# and a removal while available_events is read page by page (seq_file) can skip an entry
	# of the same read, for cat too: compare without them, up to three times.
	same=""
	for i in 1 2 3; do
		assert_rc $t 0 "$FTK" list events
		grep -v "^ftk_" "$T/last.out" | LC_ALL=C sort >"$T/ours"
		grep -v "^ftk_" "$TRACEFS/available_events" | LC_ALL=C sort >"$T/kernel"
		cmp -s "$T/ours" "$T/kernel" && same=1 && break
		sleep 1
	done
	[ -n "$same" ] ||
		fail $t "ftk list events differs from available_events: $(diff "$T/ours" "$T/kernel" | head -5)"
	assert_rc $t 0 "$FTK" list events 'sched:sched_process_*'
	grep '^sched:sched_process_' "$TRACEFS/available_events" | sort >"$T/want"
	sort "$T/last.out" >"$T/got"
	cmp -s "$T/want" "$T/got" || fail $t "the glob 'sched:sched_process_*' selects other events"
	assert_rc $t 0 "$FTK" list events 'no_such_system:*'
	assert_eq $t "" "$(cat "$T/last.out")"
	assert_rc $t 0 "$FTK" list events 'sched:sched_switch' --json
	assert_eq $t '{"event":"sched:sched_switch","system":"sched","name":"sched_switch"}' \
		"$(cat "$T/last.out")"
	pass $t

	t=list_tracers
	assert_rc $t 0 "$FTK" list tracers
	assert_eq $t "$(tr ' ' '\n' <"$TRACEFS/available_tracers" | grep . | sort | tr '\n' ' ')" \
		"$(sort "$T/last.out" | tr '\n' ' ')"
	assert_rc $t 0 "$FTK" list tracers nop --json && assert_eq $t '{"tracer":"nop"}' "$(cat "$T/last.out")"
	pass $t

	t=list_functions
	if [ ! -e "$TRACEFS/available_filter_functions" ]; then
		assert_rc $t 1 "$FTK" list functions &&
			assert_grep $t "no available_filter_functions" "$T/last.err"
	elif head -1 "$TRACEFS/available_filter_functions" >/dev/null 2>&1; then
		assert_rc $t 0 "$FTK" list functions 'vfs_*'
		grep '^vfs_' "$TRACEFS/available_filter_functions" | sort >"$T/want"
		sort "$T/last.out" >"$T/got"
		cmp -s "$T/want" "$T/got" || fail $t "the glob 'vfs_*' selects other functions"
		assert_rc $t 0 "$FTK" list functions 'vfs_read' --json &&
			assert_grep $t '^{"function":"vfs_read","module":null}$' "$T/last.out"
	else
		# The kernel refuses the file even to root (policy or lockdown): say so, exit 1.
		assert_rc $t 1 "$FTK" list functions &&
			assert_grep $t "^ftk list: error: cannot list functions: .*EPERM reading $TRACEFS/available_filter_functions" "$T/last.err" &&
			assert_grep $t '^hint: ' "$T/last.err"
	fi
	pass $t
fi

t=list_symbols
libc=""
for p in /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc.so.6 /lib64/libc.so.6; do
	[ -r "$p" ] && libc=$p && break
done
if [ -n "$libc" ]; then
	assert_rc $t 0 "$FTK" list uprobe-symbols "$libc" 'execv*'
	assert_grep $t '^execve$' "$T/last.out"
	assert_eq $t "$(sort -u "$T/last.out" | wc -l)" "$(wc -l <"$T/last.out")"
	assert_rc $t 0 "$FTK" list uprobe-symbols "$libc" execve --json &&
		assert_eq $t "{\"symbol\":\"execve\",\"path\":\"$libc\"}" "$(cat "$T/last.out")"
fi
assert_rc $t 1 "$FTK" list uprobe-symbols /no/such/file &&
	assert_grep $t "cannot read /no/such/file: No such file" "$T/last.err"
echo "not elf" >"$T/text"
assert_rc $t 1 "$FTK" list uprobe-symbols "$T/text" &&
	assert_grep $t "is not an ELF executable or library" "$T/last.err"
pass $t

t=list_views_options
assert_rc $t 0 "$FTK" list views
for v in $("$FTK" --help | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
	grep -q "^$v " "$T/last.out" || fail $t "view $v missing from 'ftk list views'"
done
assert_rc $t 0 "$FTK" list options execsnoop
assert_grep $t '^-h --help$' "$T/last.out"
assert_grep $t '^--max-args N$' "$T/last.out"
assert_grep $t '^-j --json$' "$T/last.out"
# Every option listed is one the view's parser knows (a bad value is fine, not an unknown name).
while read -r line; do
	o=${line%% *}
	case $line in *" "[A-Z]*) val=x ;; *) val="" ;; esac
	# shellcheck disable=SC2086
	"$FTK" execsnoop --dry-run $o $val >/dev/null 2>"$T/opt.err" </dev/null
	grep -q "unknown option" "$T/opt.err" && fail $t "execsnoop does not know $o"
done <"$T/last.out"
assert_rc $t 0 "$FTK" list options execsnoop uid --json &&
	assert_grep $t '^{"view":"execsnoop","short":"-u","long":"uid","arg":"USER","help":"[^"]' \
		"$T/last.out"
assert_rc $t 0 "$FTK" list backends execsnoop
assert_eq $t "kprobe uprobe proc" "$(cut -d' ' -f1 "$T/last.out" | tr '\n' ' ' | sed 's/ $//')"
pass $t
