# SPDX-License-Identifier: GPL-2.0-only
# t_trace.sh: ftk trace on the real kernel. Exact event counts from known workloads (NDJSON
# and --count), field decoding by name, a kernel filter, globs, a uprobe on libc, a malformed
# filter (exit 2 with the kernel's own error text), an event this kernel lacks (exit 1 with
# close names) and command-line errors (exit 2).
. "$(dirname "$0")/lib.sh"

if lockdown_confidentiality; then
	t=trace_lockdown
	assert_rc $t 1 "$FTK" trace -e sched:sched_process_exec &&
		assert_grep $t "$LOCKDOWN_MSG" "$T/last.err" &&
		assert_rc $t 2 "$FTK" trace --bogus
	pass $t
	exit 0
fi

# a shell running /bin/true 50 times
TRUE_LOOP='i=0; while [ $i -lt 50 ]; do /bin/true; i=$((i + 1)); done'

t=trace_json_exact
if assert_rc $t 0 "$FTK" trace -e sched:sched_process_exec --json -- /bin/sh -c \
	'/bin/true; /bin/true; /bin/true'; then
	n=$(grep -c '"event":"sched:sched_process_exec".*"filename":"/bin/true"' "$T/last.out")
	assert_eq $t 3 "$n"
	# every field by name, numbers as numbers
	assert_grep $t '"fields":{"filename":"/bin/true","pid":[0-9][0-9]*,"old_pid":[0-9][0-9]*}}$' \
		"$T/last.out"
	assert_grep $t '"comm":"true"' "$T/last.out"
fi
pass $t

t=trace_count_exact
if assert_rc $t 0 "$FTK" trace --count -e 'sched:sched_process_exec:filename ~ "*/true"' \
	-- /bin/sh -c "$TRUE_LOOP"; then
	n=$(awk '$1 == "total" && $2 == "sched:sched_process_exec" { print $3 }' "$T/last.out")
	assert_eq $t 50 "$n"
	assert_grep $t '^TIME  *EVENT  *COUNT$' "$T/last.out"
fi
pass $t

t=trace_record_head
# every record starts with the head every view shares: time, ts, cpu, pid, comm
if assert_rc $t 0 "$FTK" trace -e sched:sched_process_exec --json -- /bin/true; then
	assert_grep $t '^{"time":"[0-9T:.+-]*","ts":[0-9]*\.[0-9]\{9\},"cpu":[0-9]*,"pid":[0-9]*,"comm":"true","event":"sched:sched_process_exec","fields":{' \
		"$T/last.out"
fi
pass $t

t=trace_rename
# a task renamed after its exec is named by task_rename (the process tracker), before it exits
if assert_rc $t 0 "$FTK" trace -e sched:sched_process_fork --json -- /bin/sh -c \
	'printf renamed > /proc/self/comm; /bin/true'; then
	assert_grep $t '"comm":"renamed","event":"sched:sched_process_fork"' "$T/last.out"
fi
pass $t

t=trace_dry_run
# prints the writes (the process tracker's events too), makes none
if assert_rc $t 0 "$FTK" trace -e sched:sched_switch --dry-run; then
	assert_grep $t "^echo '1' > .*/events/sched/sched_switch/enable" "$T/last.out"
	assert_grep $t "^echo '1' > .*/events/sched/sched_process_exec/enable" "$T/last.out"
	inst=$(sed -n 's|^mkdir \(.*/instances/ftk-[0-9]*\)$|\1|p' "$T/last.out")
	[ -n "$inst" ] && [ ! -e "$inst" ] || fail $t "dry run made its instance: '$inst'"
fi
pass $t

t=trace_text_format
if assert_rc $t 0 "$FTK" trace -e sched:sched_process_exec -- /bin/true; then
	# the event's own print format, after "comm-pid [cpu] ts: sys:event: "
	assert_grep $t '^ *true-[0-9]* *\[[0-9]*\] [0-9]*\.[0-9]\{6\}: sched:sched_process_exec: filename=/bin/true pid=[0-9]* old_pid=[0-9]*$' \
		"$T/last.out"
fi
pass $t

t=trace_glob
if assert_rc $t 0 "$FTK" trace --count -e 'sched:sched_process_e*' -- /bin/true; then
	assert_grep $t '^total  *sched:sched_process_exec  *[1-9]' "$T/last.out"
	assert_grep $t '^total  *sched:sched_process_exit  *[1-9]' "$T/last.out"
	assert_no_grep $t 'sched_switch' "$T/last.out"
fi
pass $t

t=trace_uprobe_libc
if has_feature uprobes 2>/dev/null; then
	if assert_rc $t 0 "$FTK" trace --uprobe 'libc:setlocale cat=%di:s32' --json -- /bin/ls /; then
		assert_grep $t '"comm":"ls","event":"uprobe:setlocale".*"cat":6' "$T/last.out"
	fi
	pass $t
elif [ -w "${TRACEFS:-/sys/kernel/tracing}/uprobe_events" ]; then
	# uprobe_events without uprobes in instances (before 3.14): refused, said why
	assert_rc $t 1 "$FTK" trace --uprobe 'libc:setlocale cat=%di:s32' --json -- /bin/ls / &&
		assert_grep $t '^ftk trace: error: this kernel has no uprobes: uprobe events here write only to the top-level buffer' "$T/last.err" &&
		assert_grep $t '^hint: ' "$T/last.err" && pass $t
else
	skip $t "no uprobe_events"
fi

# What a refused filter could leave: the event's top-level filter (where filters are global,
# before 3.14, ftk writes it there, journaled) and journals in /run/ftk.
SW_FILTER=${TRACEFS:-/sys/kernel/tracing}/events/sched/sched_switch/filter
filter_state() {
	head -n 1 "$SW_FILTER" 2>/dev/null
	ls /run/ftk 2>/dev/null | grep '\.journal$'
}
fs_before=$(filter_state)

t=trace_bad_filter
assert_rc $t 2 "$FTK" trace -e 'sched:sched_switch:prev_pid ==' -d 1 &&
	assert_grep $t "^ftk trace: error: invalid filter for sched:sched_switch" "$T/last.err" &&
	assert_grep $t '^hint: kernel says: .*\(Invalid value\|parse error\|parse_error: \)' "$T/last.err" &&
	assert_eq $t "$fs_before" "$(filter_state)"
pass $t

t=trace_bad_field
assert_rc $t 2 "$FTK" trace -e 'sched:sched_switch:no_such_field == 1' -d 1 &&
	assert_grep $t "^ftk trace: error: invalid filter for sched:sched_switch" "$T/last.err" &&
	assert_grep $t '^hint: kernel says: .*Field not found' "$T/last.err" &&
	assert_eq $t "$fs_before" "$(filter_state)"
pass $t

t=trace_unknown_event
assert_rc $t 1 "$FTK" trace -e sched:sched_swtch &&
	assert_grep $t "^ftk trace: error: this kernel has no event 'sched:sched_swtch'" "$T/last.err" &&
	assert_grep $t '^hint: close names: .*sched:sched_switch' "$T/last.err"
pass $t

t=trace_unknown_glob
assert_rc $t 1 "$FTK" trace -e 'nosuchsystem:*'
pass $t

t=trace_usage
assert_rc $t 2 "$FTK" trace &&
	assert_rc $t 2 "$FTK" trace -e sched:sched_switch --no-such-option &&
	assert_rc $t 2 "$FTK" trace -e sched:sched_switch -i 1 &&
	assert_rc $t 2 "$FTK" trace -e sched:sched_switch -d abc &&
	assert_rc $t 2 "$FTK" trace -e sched:sched_switch extra &&
	assert_rc $t 2 "$FTK" trace -e : &&
	assert_rc $t 0 "$FTK" trace --help
pass $t

t=trace_no_pid
assert_rc $t 1 "$FTK" trace -e sched:sched_switch -p 999999999 2>/dev/null ||
	assert_rc $t 1 "$FTK" trace -e sched:sched_switch -p 4194303
pass $t
