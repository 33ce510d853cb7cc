# SPDX-License-Identifier: GPL-2.0-only
# t_funccount.sh: `ftk funccount` counts exactly N calls of a user function (uprobe: hit
# counters system wide, the ring buffer or hist with -p), of tracepoints (-p), and of kernel
# functions where kprobes exist; bcc's output (FUNC COUNT ascending, Detaching...), -i, -T,
# --json; bad patterns exit 2; kernel patterns on a kernel without kprobes say so.
. "$(dirname "$0")/lib.sh"

if lockdown_confidentiality; then
	# tracefs hidden: the view's precise refusal, nothing else to test
	t=funccount_lockdown
	# (funccount resolves its patterns first: it says "No functions matched" here, not
	# the lockdown; a precise refusal is left to the view)
	assert_rc $t 1 "$FTK" funccount -d 1 t:sched:sched_switch
	pass $t
	exit 0
fi

. "$(dirname "$0")/fsops.sh"
N=300

t=funccount_usage
assert_rc $t 2 "$FTK" funccount && assert_grep $t "a pattern is needed" "$T/last.err"
assert_rc $t 2 "$FTK" funccount 'a:b:c:d' && assert_grep $t "too many" "$T/last.err"
assert_rc $t 2 "$FTK" funccount 'x:lib:f' && assert_grep $t "the type is p, t or u" "$T/last.err"
assert_rc $t 2 "$FTK" funccount -r 't:sched:(' && assert_grep $t "invalid regex" "$T/last.err"
assert_rc $t 0 "$FTK" funccount --help && assert_grep $t '^usage: ftk funccount' "$T/last.out" &&
	pass $t
if lockdown_confidentiality; then
	t=funccount_lockdown
	assert_rc $t 1 "$FTK" funccount t:sched:sched_switch &&
		assert_grep $t "$LOCKDOWN_MSG" "$T/last.err"
	pass $t
	exit 0
fi

t=funccount_nomatch
assert_rc $t 1 "$FTK" funccount 't:sched:no_such_event*' &&
	assert_grep $t 'No functions matched by pattern t:sched:no_such_event\*' "$T/last.err" &&
	pass $t

t=funccount_kernel
if _tracefs_feature kprobes; then
	assert_rc $t 0 "$FTK" funccount -d 1 'vfs_read' && assert_grep $t '^Tracing 1 functions for "vfs_read"' "$T/last.out" &&
		assert_grep $t '^Detaching' "$T/last.out" && pass $t
else
	assert_rc $t 1 "$FTK" funccount 'vfs_*' && assert_grep $t 'kernel functions need kprobes' "$T/last.err" &&
		pass $t
fi

if ! fsops_ready; then
	skip funccount_uprobe "no ftk-fsops helper (FTK_HELPERS)"
	exit 0
fi

count() {
	awk -v s="$2" '$1 == s { c = $2 } END { print c + 0 }' "$T/$1.out"
}

# Uprobes that do not record into instances (before 3.14) are refused, said why.
UP=""
has_feature uprobes && UP=1
t=funccount_uprobe
if [ -z "$UP" ]; then
	assert_rc $t 1 "$FTK" funccount "$FSOPS:fsops_round" &&
		assert_grep $t '^ftk funccount: error: user functions need uprobes: ' "$T/last.err" &&
		assert_grep $t '^hint: ' "$T/last.err" && pass $t
elif fsops_run $t $N funccount "$FSOPS:fsops_round"; then
	assert_eq $t "$N" "$(count $t fsops_round)"
	assert_grep $t '^FUNC  *COUNT$' "$T/$t.out" && assert_grep $t '^Detaching' "$T/$t.out" && pass $t
fi

t=funccount_uprobe_pid
if [ -z "$UP" ]; then
	assert_rc $t 1 "$FTK" funccount -p $$ "p:$FSOPS:fsops_*" &&
		assert_grep $t '^ftk funccount: error: user functions need uprobes: ' "$T/last.err" &&
		pass $t
elif fsops_run $t $N funccount -p @PID "p:$FSOPS:fsops_*"; then
	assert_eq $t "$N" "$(count $t fsops_round)" && pass $t
fi

t=funccount_tracepoint
if fsops_run $t $N funccount -p @PID 't:syscalls:sys_enter_getppid' 't:syscalls:sys_enter_mkdir'; then
	assert_eq $t "$N" "$(count $t syscalls:sys_enter_getppid)"
	assert_eq $t "$N" "$(count $t syscalls:sys_enter_mkdir)" && pass $t
fi

t=funccount_json
if [ -z "$UP" ]; then
	if fsops_run $t $N funccount --json -p @PID 't:syscalls:sys_enter_rmdir'; then
		assert_grep $t '"functions":\[{"func":"syscalls:sys_enter_rmdir","count":'$N'}\]' "$T/$t.out"
		assert_no_grep $t '"pid"' "$T/$t.out" && pass $t
	fi
elif fsops_run $t $N funccount --json -p @PID "$FSOPS:fsops_round" 't:syscalls:sys_enter_rmdir'; then
	assert_grep $t '"functions":\[{"func":"fsops_round","count":'$N'},{"func":"syscalls:sys_enter_rmdir","count":'$N'}\]' "$T/$t.out" ||
		assert_grep $t '"functions":\[{"func":"syscalls:sys_enter_rmdir","count":'$N'},{"func":"fsops_round","count":'$N'}\]' "$T/$t.out"
	assert_no_grep $t '"pid"' "$T/$t.out" && pass $t
fi

# Intervals with timestamps: a table per second, each after an HH:MM:SS line.
t=funccount_interval
assert_rc $t 0 "$FTK" funccount -T -i 1 -d 3 't:sched:sched_switch' &&
	_k=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$' "$T/last.out") &&
	[ "$_k" -ge 2 ] && [ "$_k" -le 4 ] && pass $t || fail $t "expected 2 to 4 tables (3 s by 1 s; a late tick merges two), got ${_k:-?}"

# The route of tracepoints with -p: hist, else an instance per function read by its
# ring-buffer stats (rb_stats, at most 64), else the ring buffer; above 64 functions the
# ring, said on stderr.
t=funccount_route
if has_feature hist; then want=hist; elif has_feature rb_stats; then want=stats; else want=ring; fi
assert_rc $t 0 "$FTK" funccount --dry-run -p $$ t:syscalls:sys_enter_getppid t:syscalls:sys_enter_mkdir &&
	assert_grep $t "^ftk funccount: 2 functions, counting by $want " "$T/last.err"
n=$(grep -c '^mkdir .*/instances/ftk-[0-9]*-c[0-9]*$' "$T/last.out")
if [ $want = stats ]; then
	assert_eq $t 2 "$n"
	assert_grep $t "^echo '1' > .*/instances/ftk-[0-9]*-c1/events/syscalls/sys_enter_mkdir/enable\$" "$T/last.out"
	assert_rc $t 0 "$FTK" funccount --dry-run -p $$ 't:syscalls:sys_enter_*' &&
		assert_grep $t "more than 64 counting instances: counting on the ring buffer" "$T/last.err" &&
		assert_grep $t "counting by ring " "$T/last.err"
	# three syscall tracepoints: three syscall handlers on every syscall cost more than the
	# ring (FTK_COUNT_STATS_SYSCALL_MAX), unless asked for
	three="t:syscalls:sys_enter_getppid t:syscalls:sys_enter_mkdir t:syscalls:sys_enter_rmdir"
	# shellcheck disable=SC2086
	assert_rc $t 0 "$FTK" funccount --dry-run -p $$ $three &&
		assert_grep $t "3 syscall tracepoints: .*counting on the ring buffer" "$T/last.err" &&
		assert_grep $t "counting by ring " "$T/last.err"
	# shellcheck disable=SC2086
	assert_rc $t 0 "$FTK" funccount --dry-run --backend stats -p $$ $three &&
		assert_grep $t "counting by stats " "$T/last.err"
	assert_rc $t 0 "$FTK" funccount --dry-run --backend ring -p $$ t:syscalls:sys_enter_getppid &&
		assert_grep $t "counting by ring " "$T/last.err"
else
	assert_eq $t 0 "$n"
fi
pass $t
