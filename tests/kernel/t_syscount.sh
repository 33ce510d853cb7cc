# SPDX-License-Identifier: GPL-2.0-only
# t_syscount.sh: `ftk syscount` counts exactly: a helper makes N of each file syscall and N
# getppid calls after ftk is armed on its pid; counts by syscall (-p), by process (-P),
# failures (-x, -e), latency (-L), intervals (-i), --json, -l; the backend it picked is the
# one `ftk features` names; kill -9 leaves triggers/instances that `ftk reset` removes.
. "$(dirname "$0")/lib.sh"

if lockdown_confidentiality; then
	# tracefs hidden: the view's precise refusal, nothing else to test
	t=syscount_lockdown
	assert_rc $t 1 "$FTK" syscount -d 1 && assert_grep $t "$LOCKDOWN_MSG" "$T/last.err"
	pass $t
	exit 0
fi

. "$(dirname "$0")/fsops.sh"
N=1000

t=syscount_usage
assert_rc $t 2 "$FTK" syscount --bogus && assert_grep $t "unknown option" "$T/last.err"
assert_rc $t 2 "$FTK" syscount -e ENOTANERRNO && assert_grep $t "invalid errno" "$T/last.err"
assert_rc $t 0 "$FTK" syscount --help && assert_grep $t '^usage: ftk syscount' "$T/last.out" &&
	assert_grep $t 'ftk syscount -P' "$T/last.out" && pass $t
lockdown_refusal syscount_lockdown syscount && exit 0

t=syscount_list
assert_rc $t 0 "$FTK" syscount -l && assert_grep $t '^getppid$' "$T/last.out" &&
	assert_grep $t '^read$' "$T/last.out" && pass $t

if ! fsops_ready; then
	skip syscount_exact "no ftk-fsops helper (FTK_HELPERS)"
	exit 0
fi

# The backend: hist where the kernel has hist triggers, else the ring buffer.
if _tracefs_feature hist; then WANT=hist; else WANT=ring; fi
t=syscount_backend
assert_rc $t 0 "$FTK" syscount --dry-run -d 1 && assert_grep $t "counting by $WANT" "$T/last.err" &&
	pass $t

# With hist triggers: the session's instance holds the trigger, keyed by id.syscall (the
# kernel's names), and no record reaches its ring buffer. The file is shown (captured data
# for the unit tests come from here).
t=syscount_hist_file
if [ $WANT = hist ]; then
	if ftk_start $t syscount; then
		_p=$(ftk_pid $t)
		_h=$TRACEFS/instances/ftk-$_p/events/raw_syscalls/sys_exit
		ls / >/dev/null
		cat "$_h/hist" >"$T/hist" 2>&1
		assert_grep $t '^# trigger info: hist:keys=id.syscall:vals=hitcount' "$T/hist" &&
			assert_grep $t '^{ id: sys_[a-z0-9_]* *\[ *[0-9]*\] } hitcount: *[0-9]*$' "$T/hist" &&
			assert_grep $t '^    Dropped: 0$' "$T/hist"
		# soft-enabled by the trigger alone: counted, never recorded
		assert_eq $t "0*" "$(cat "$_h/enable")"
		head -n 12 "$T/hist" | sed 's/^/    | /'
		ftk_stop $t && pass $t
	fi
else
	# No hist triggers: the ring buffer carries the counts, and asking for hist says why not.
	assert_rc $t 1 "$FTK" syscount --backend hist -d 1 &&
		assert_grep $t "^ftk syscount: error: cannot count syscalls on this kernel: hist: " \
			"$T/last.err" &&
		assert_grep $t "CONFIG_HIST_TRIGGERS" "$T/last.err"
	pass $t
fi

# count NAME SYSCALL: the COUNT column of SYSCALL in $T/NAME.out (the last table).
count() {
	awk -v s="$2" '$1 == s { c = $2 } END { print c + 0 }' "$T/$1.out"
}

t=syscount_exact
if fsops_run $t $N syscount -p @PID -T 20; then
	for s in getppid fsync mkdir rmdir unlink write pread64 openat close; do
		assert_eq $t "$s=$N" "$s=$(count $t $s)"
	done
	assert_grep $t '^SYSCALL  *COUNT$' "$T/$t.out" && assert_grep $t '^Detaching' "$T/$t.out" &&
		pass $t
fi

t=syscount_top
if fsops_run $t $N syscount -p @PID -T 2; then
	assert_eq $t 2 "$(awk '/^SYSCALL/ { on = 1; next } on && NF == 2 { n++ } END { print n }' "$T/$t.out")" &&
		pass $t
fi

t=syscount_process
if fsops_run $t $N syscount -p @PID -P; then
	_hp=$(cat "$T/$t.helper")
	# 9 syscalls per round, plus the few of its exit
	_c=$(awk -v p="$_hp" '$1 == p { print $3 }' "$T/$t.out")
	[ "${_c:-0}" -ge $((9 * N)) ] && [ "${_c:-0}" -le $((9 * N + 10)) ] ||
		fail $t "process $_hp counted ${_c:-nothing}, expected 9*$N + its exit"
	assert_grep $t '^PID    COMM  *COUNT$' "$T/$t.out" && pass $t
fi

# rmdir of a missing directory fails with ENOENT: none here, so -x shows no rmdir, no mkdir.
t=syscount_failures
if fsops_run $t $N syscount -p @PID -x; then
	assert_eq $t "getppid=0" "getppid=$(count $t getppid)"
	assert_eq $t "mkdir=0" "mkdir=$(count $t mkdir)"
	assert_grep $t '^Tracing failed syscalls' "$T/$t.out" && pass $t
fi

t=syscount_errno
if fsops_run $t $N syscount -p @PID -e EEXIST; then
	assert_eq $t "unlink=0" "unlink=$(count $t unlink)" && pass $t
fi

t=syscount_latency
if fsops_run $t $N syscount -p @PID -L -T 20; then
	assert_eq $t "getppid=$N" "getppid=$(count $t getppid)"
	assert_grep $t '^SYSCALL  *COUNT  *TIME (us)$' "$T/$t.out" &&
		awk '$1 == "fsync" && $3 > 0 { ok = 1 } END { exit !ok }' "$T/$t.out" ||
		fail $t "no fsync time"
	pass $t
fi

# -L where the kernel has synthetic events: paired in the kernel (sys_enter saves the time
# per thread, sys_exit fires ftk_<pid>_sys_lat, a hist trigger counts and sums it), all in
# soft mode (nothing reaches the ring buffer). syscount_latency above counted it exactly.
t=syscount_latency_route
if [ $WANT = hist ] && [ -w "$TRACEFS/synthetic_events" ]; then
	assert_rc $t 0 "$FTK" syscount -L --dry-run -d 1 &&
		assert_grep $t "paired in the kernel" "$T/last.err"
	if ftk_start $t syscount -L; then
		_p=$(ftk_pid $t)
		_i=$TRACEFS/instances/ftk-$_p/events
		assert_grep $t 'onmatch(raw_syscalls.sys_enter)' "$_i/raw_syscalls/sys_exit/trigger"
		assert_grep $t '^# trigger info: hist:keys=id.syscall:vals=hitcount,lat' \
			"$_i/synthetic/ftk_${_p}_sys_lat/hist"
		assert_eq $t "0*" "$(cat "$_i/raw_syscalls/sys_exit/enable")"
		ftk_stop $t && assert_grep $t "paired in the kernel" "$T/$t.err" &&
			assert_no_grep $t "ftk_${_p}_sys_lat" "$TRACEFS/synthetic_events" && pass $t
	fi
	# kill -9 of ftk and its guardian: the synthetic event and the triggers stay until
	# `ftk reset` (ftk alone: its guardian removes them, t_kill9.sh)
	t=syscount_latency_kill_reset
	if ftk_start $t syscount -L; then
		_p=$(ftk_pid $t)
		kill9_both "$_p"
		_ftk_forget $t
		assert_grep $t "ftk_${_p}_sys_lat" "$TRACEFS/synthetic_events" &&
			assert_rc $t 0 "$FTK" reset &&
			assert_no_grep $t "ftk_${_p}_sys_lat" "$TRACEFS/synthetic_events" &&
			[ ! -d "$TRACEFS/instances/ftk-$_p" ] && pass $t ||
			fail $t "left after ftk reset: $(cat "$TRACEFS/synthetic_events")"
	fi
else
	assert_rc $t 0 "$FTK" syscount -L --dry-run -d 1 &&
		assert_grep $t "counting by ring" "$T/last.err" && pass $t
fi

t=syscount_json
if fsops_run $t $N syscount -p @PID --json -T 20; then
	assert_grep $t '"source":"'$WANT'"' "$T/$t.out" &&
		assert_grep $t '{"syscall":"getppid","nr":110,"count":'$N'}' "$T/$t.out" &&
		assert_no_grep $t '"cpu"' "$T/$t.out" && assert_grep $t '^{"time":"[^"]*","ts":' "$T/$t.out" &&
		pass $t
fi

# More keys than the kernel's map holds (FTK_HIST_MAP_SIZE=128, the kernel's smallest): the
# helper makes N rounds of 200 syscall numbers no kernel has (ENOSYS). With hist triggers the
# map keeps the first keys, every later one is dropped: each row shown is exact, and the rows
# plus the dropped line make the whole. From the ring buffer all 200 rows are exact.
MANYKEYS=${FTK_HELPERS:+$FTK_HELPERS/ftk-manykeys}
# manykeys_start NAME HELPER-ARGS...: the helper started, waiting; its pid in $T/NAME.helper.
manykeys_start() {
	_mn=$1
	shift
	"$MANYKEYS" "$@" >"$T/$_mn.helper" 2>"$T/$_mn.children" &
	_mh=$!
	wait_until 5 test -s "$T/$_mn.helper"
}
t=syscount_map_full
if [ -x "${MANYKEYS:-}" ]; then
	K=200
	MN=20
	manykeys_start $t nosys $K $MN
	export FTK_HIST_MAP_SIZE=128
	if ftk_start $t syscount -p "$(cat "$T/$t.helper")" -T 1000; then
		kill -USR1 "$_mh"
		wait "$_mh" || fail $t "the helper failed"
		_hf=$TRACEFS/instances/ftk-$(ftk_pid $t)/events/raw_syscalls/sys_exit/hist
		[ -e "$_hf" ] && cat "$_hf" >"$T/$t.hist"
		ftk_stop $t
		# the helper's numbers (1000 on; -1 is sys_exit's id after rt_sigreturn)
		_rows=$(awk '$1 == "[unknown:" && $2 + 0 >= 1000 { n++ } END { print n + 0 }' "$T/$t.out")
		_sum=$(awk '$1 == "[unknown:" && $2 + 0 >= 1000 { n += $3 } END { print n + 0 }' "$T/$t.out")
		_odd=$(awk -v n=$MN '$1 == "[unknown:" && $2 + 0 >= 1000 && $3 != n { print }' "$T/$t.out")
		_dropped=$(sed -n 's/^\[the kernel.s map was full: \([0-9]*\) syscalls not counted\]$/\1/p' "$T/$t.out")
		if [ -n "$_odd" ]; then
			fail $t "rows other than $MN: $_odd"
			# the kernel's entries of those numbers
			for _k in $(echo "$_odd" | sed -n 's/^\[unknown: \([0-9]*\)\].*/\1/p'); do
				grep "\[ *$_k\]" "$T/$t.hist" | sed 's/^/    kernel: /'
			done
			grep -A3 '^Totals' "$T/$t.hist" | sed 's/^/    kernel: /'
			grep '^{' "$T/$t.hist" | grep -v 'hitcount: *20$' | sed 's/^/    kernel: /'
			grep -v '^\[unknown' "$T/$t.out" | sed 's/^/    ftk: /'
		fi
		if [ $WANT = hist ]; then
			[ "$_rows" -lt $K ] && [ "${_dropped:-0}" -gt 0 ] ||
				fail $t "expected a full map: $_rows rows, dropped ${_dropped:-none}"
			assert_eq $t "$((K * MN))" "$((_sum + ${_dropped:-0}))"
		else
			assert_eq $t "$K" "$_rows"
		fi
		echo "    $_rows rows of $MN, dropped ${_dropped:-0} (of $((K * MN)))"
		pass $t
	else
		kill "$_mh"
		wait "$_mh"
	fi
	unset FTK_HIST_MAP_SIZE
else
	skip $t "no ftk-manykeys helper (FTK_HELPERS)"
fi

# A -p run leaves no filter on the event: before 3.14 an event's filter is shared by the top
# level and every instance (no events/*/*/trigger), and one left there hid every later
# session's syscalls (3.10: "150 of 150 processes missing" below).
t=syscount_filter_restored
assert_rc $t 0 "$FTK" syscount -p $$ -d 1 &&
	_f=$(head -n 1 "$TRACEFS/events/raw_syscalls/sys_exit/filter") &&
	assert_eq $t none "$_f" && pass $t

# -P keys come and go: the map of processes is emptied when a read finds it 3/4 full (with
# hist triggers). 3 waves of 50 short-lived processes, 2.5 s apart, each N getppid; a map of
# 128 holds two waves, not three: every process is still counted, each exactly (N, plus
# its clone's return where the kernel traces it), unless it ran while the map was emptied:
# then its syscalls are in the dropped line. Without hist triggers (the ring buffer route
# counts in ftk) the same waves are each counted exactly, with nothing dropped or emptied.
# Twice: a table per second, and one table at the end (the map is looked at every second all
# the same: ftk_counters_tend).
for _iv in "-i 1" ""; do
t=syscount_process_recycle
[ -z "$_iv" ] && t=syscount_process_recycle_end
if [ -x "${MANYKEYS:-}" ]; then
	PN=100
	manykeys_start $t procs 3 50 $PN 2500
	[ $WANT = hist ] && export FTK_HIST_MAP_SIZE=128
	# shellcheck disable=SC2086
	if ftk_start $t syscount -P $_iv -T 1000; then
		kill -USR1 "$_mh"
		wait "$_mh" || fail $t "the helper failed"
		sleep 2
		ftk_stop $t
		_dropped=$(sed -n 's/^\[the kernel.s map was full: \([0-9]*\) syscalls not counted\]$/\1/p' "$T/$t.out" |
			awk '{ s += $1 } END { print s + 0 }')
		awk -v n=$PN -v d="$_dropped" '
			FILENAME == ARGV[1] { child[$1] = 1; nc++; next }
			($1 in child) { sum[$1] += $3 }
			END {
				for (c in child) {
					if (!(c in sum)) missing++
					else if (sum[c] > n + 1) { print "process " c " counted " sum[c]; bad = 1 }
					total += sum[c]
				}
				if (missing) { print missing " of " nc " processes missing"; bad = 1 }
				if (total + d < nc * n) { print "counted " total " + dropped " d " < " nc * n; bad = 1 }
				print "    " nc " processes, " total " syscalls counted, " d " dropped" > "/dev/stderr"
				exit bad
			}' "$T/$t.children" "$T/$t.out" >"$T/$t.check" || {
			fail $t "$(cat "$T/$t.check")"
			_show "$T/$t.children" 3
			_show "$T/$t.out" 30
			_show "$T/$t.err" 5
		}
		if [ $WANT = hist ]; then
			assert_grep $t "emptied" "$T/$t.err" && pass $t
		else
			assert_eq $t 0 "$_dropped" && pass $t
		fi
	else
		kill "$_mh"
		wait "$_mh"
	fi
	unset FTK_HIST_MAP_SIZE
else
	skip $t "no ftk-manykeys helper (FTK_HELPERS)"
fi
done

# -L in the kernel: the maps of threads in a syscall only grow; when ftk finds one 3/4 full
# (it looks every second; no -i here: one table at the end) they are emptied (removed and
# set again). Maps of 128 and 3 waves of 50 processes
# (each N getppid): without emptying only the threads of about two waves ever get a
# latency. Every getppid is a row or in the "without a latency" line (the exits during an
# emptying, counted by a total of sys_exit beside the pairing).
t=syscount_latency_recycle
if [ $WANT = hist ] && [ -w "$TRACEFS/synthetic_events" ] && [ -x "${MANYKEYS:-}" ]; then
	PN=100
	manykeys_start $t procs 3 50 $PN 2500
	export FTK_HIST_MAP_SIZE=128
	if ftk_start $t syscount -L -T 1000; then
		kill -USR1 "$_mh"
		wait "$_mh" || fail $t "the helper failed"
		sleep 2
		ftk_stop $t
		_got=$(awk '$1 == "getppid" { s += $2 } END { print s + 0 }' "$T/$t.out")
		_dropped=$(sed -n 's/^\[\([0-9]*\) syscalls without a latency.*/\1/p' "$T/$t.out" |
			awk '{ s += $1 } END { print s + 0 }')
		echo "    getppid $_got of $((150 * PN)) with a latency, $_dropped syscalls without"
		[ "$_got" -le $((150 * PN)) ] && [ "$_got" -gt $((100 * PN)) ] &&
			[ $((_got + _dropped)) -ge $((150 * PN)) ] ||
			fail $t "getppid $_got, without a latency $_dropped, of $((150 * PN))"
		assert_grep $t "emptied" "$T/$t.err" && pass $t
	else
		kill "$_mh"
		wait "$_mh"
	fi
	unset FTK_HIST_MAP_SIZE
elif [ -x "${MANYKEYS:-}" ]; then
	# -L from the ring (no hist triggers, or no synthetic events: 4.17) pairs in user
	# space, with no map to fill: every getppid of the 150
	# processes (started after the header) has its latency, nothing is emptied
	PN=100
	manykeys_start $t procs 3 50 $PN 2500
	if ftk_start $t syscount -L -T 1000; then
		kill -USR1 "$_mh"
		wait "$_mh" || fail $t "the helper failed"
		sleep 1
		ftk_stop $t
		assert_eq $t "getppid $((150 * PN))" \
			"getppid $(awk '$1 == "getppid" { s += $2 } END { print s + 0 }' "$T/$t.out")" &&
			assert_no_grep $t "emptied" "$T/$t.err" && pass $t
	else
		kill "$_mh"
		wait "$_mh"
	fi
else
	skip $t "no ftk-manykeys helper (FTK_HELPERS)"
fi

# Intervals: one table per second, each starting with [HH:MM:SS].
t=syscount_interval
assert_rc $t 0 "$FTK" syscount -i 1 -d 3 -T 1 &&
	_k=$(grep -c '^\[[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\]$' "$T/last.out") &&
	[ "$_k" -ge 2 ] && [ "$_k" -le 4 ] && pass $t || fail $t "expected 2 to 4 tables (3 s by 1 s; a late tick merges two), got ${_k:-?}"

# A killed session's (and its guardian's) triggers and instance go with `ftk reset`.
t=syscount_kill_reset
ftk_start $t syscount && {
	_p=$(ftk_pid $t)
	kill9_both "$_p"
	_ftk_forget $t
	[ -d "$TRACEFS/instances/ftk-$_p" ] || fail $t "no instance ftk-$_p left after kill -9"
	assert_rc $t 0 "$FTK" reset
	[ -d "$TRACEFS/instances/ftk-$_p" ] && fail $t "ftk reset left instance ftk-$_p"
	pass $t
}
