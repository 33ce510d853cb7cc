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

t=syscount_json
if fsops_run $t $N syscount -p @PID --json -T 20; then
	assert_grep $t '"source":"'$WANT'"' "$T/$t.out" &&
		assert_grep $t '{"syscall":"getppid","nr":110,"count":'$N'}' "$T/$t.out" &&
		assert_no_grep $t '"cpu"' "$T/$t.out" && assert_grep $t '^{"time":"[^"]*","ts":' "$T/$t.out" &&
		pass $t
fi

# Intervals: one table per second, each starting with [HH:MM:SS].
t=syscount_interval
assert_rc $t 0 "$FTK" syscount -i 1 -d 3 -T 1 &&
	_k=$(grep -c '^\[[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\]$' "$T/last.out") &&
	[ "$_k" -ge 2 ] && [ "$_k" -le 4 ] && pass $t || fail $t "expected 2 to 4 tables (3 s by 1 s; a late tick merges two), got ${_k:-?}"

# A killed session's triggers and instance go with `ftk reset`.
t=syscount_kill_reset
ftk_start $t syscount && {
	_p=$(ftk_pid $t)
	kill -KILL "$_p"
	wait "$_p" 2>/dev/null
	_ftk_forget $t
	[ -d "$TRACEFS/instances/ftk-$_p" ] || fail $t "no instance ftk-$_p left after kill -9"
	assert_rc $t 0 "$FTK" reset
	[ -d "$TRACEFS/instances/ftk-$_p" ] && fail $t "ftk reset left instance ftk-$_p"
	pass $t
}
