# SPDX-License-Identifier: GPL-2.0-only
# t_record.sh: ftk record on the real kernel. Known workloads (N getppid syscalls, execs, a
# uprobe on libc's getppid, a kprobe where the kernel has them) are recorded to trace.dat,
# then trace-cmd's own reader (`trace-cmd report -N`, no plugins, and `trace-cmd dump
# --summary`) shows exactly the expected events and fields; `ftk record VIEW` records the
# view's events; SIGTERM ends a recording cleanly with a complete file, kill -9 leaves no
# file at all and `ftk reset` removes the instance; a recording with losses keeps them
# visible (page marks, per-CPU stats, ftk's counts); command-line errors exit 2.
# Without trace-cmd (guests without it), the file checks fall back to ftk's own summary and
# the file's magic and sections.
. "$(dirname "$0")/lib.sh"

if lockdown_confidentiality; then
	t=record_lockdown
	assert_rc $t 1 "$FTK" record -e sched:sched_process_exec -o "$T/x.dat" &&
		assert_grep $t "$LOCKDOWN_MSG" "$T/last.err"
	[ -e "$T/x.dat" ] && fail $t "a file was written"
	pass $t
	exit 0
fi

GETPPID=$FTK_HELPERS/ftk-getppid
have_tc() {
	command -v trace-cmd >/dev/null 2>&1
}
# report FILE: trace-cmd report without plugins (the kernel's own print formats)
report() {
	trace-cmd report -N "$1" 2>"$T/report.err"
}
# The file starts with trace.dat v6's magic.
is_v6() {
	[ "$(head -c 11 "$1" | od -An -c | tr -d ' \n')" = '027\bDtracing6' ]
}
# kfilter [FILE...]: the kernel filters a COMMAND's pids and follows its children itself
# (set_event_pid came in 4.4, options/event-fork in 4.7; FILEs: more the recording needs, e.g.
# options/function-fork, 4.12, for function_graph); KMISSING names the first one missing.
kfilter() {
	for _f in "$@" set_event_pid options/event-fork; do
		[ -e "$TRACEFS/$_f" ] || { KMISSING=$_f; return 1; }
	done
}
# rec NAME "FILES" "CMD" ARGS...: `ftk record ARGS -- /bin/sh -c CMD`, exit 0 expected. Where
# the kernel cannot filter the command's pids (kfilter FILES), ftk must refuse it (exit 1,
# the missing file named, a hint, no file); the same recording is then made of the whole
# system (no COMMAND) with CMD run inside its window. Its stderr ends in $T/last.err.
rec() {
	_rn=$1
	_rf=$2
	_rcmd=$3
	shift 3
	if kfilter $_rf; then
		assert_rc "$_rn" 0 "$FTK" record "$@" -- /bin/sh -c "$_rcmd"
		return
	fi
	assert_rc "$_rn" 1 "$FTK" record "$@" -- /bin/sh -c "$_rcmd" || return 1
	assert_grep "$_rn" "^ftk record: error: .*only in user space (no $KMISSING)" "$T/last.err" &&
		assert_grep "$_rn" '^hint: record the whole system' "$T/last.err" || return 1
	for _o; do
		case $_o in *.dat) [ -e "$_o" ] && { fail "$_rn" "a file was written: $_o"; return 1; } ;; esac
	done
	ftk_start "$_rn.sys" record "$@" || return 1
	/bin/sh -c "$_rcmd"
	ftk_stop "$_rn.sys" TERM || return 1
	cp "$T/$_rn.sys.err" "$T/last.err"
}
# The kernel's getppid entry point: the __x64_sys_ wrappers came in 4.17 (pt_regs syscall
# wrappers); before, sys_getppid.
KF=__x64_sys_getppid
for _f in __x64_sys_getppid sys_getppid; do
	grep -q " [tT] $_f\$" /proc/kallsyms 2>/dev/null && { KF=$_f; break; }
done

# No leftover of a recording next to FILE (spools and temporary names).
no_leftovers() {
	_d=$(dirname "$1")
	_b=$(basename "$1")
	[ -z "$(ls -a "$_d" | grep "^\.$_b\.ftk-")" ]
}

t=record_getppid_exact
# 1000 raw getppid calls of the command: exactly 1000 records, each with its fields
if rec $t "" "\"$GETPPID\" 1000" -e syscalls:sys_enter_getppid -o "$T/g.dat"; then
	assert_grep $t '^ftk record: wrote .*g.dat: [0-9]* events, 0 lost' "$T/last.err"
	is_v6 "$T/g.dat" || fail $t "not a trace.dat v6 file"
	no_leftovers "$T/g.dat" || fail $t "leftover files: $(ls -a "$T")"
	if have_tc; then
		report "$T/g.dat" >"$T/g.txt"
		assert_eq $t 1000 "$(grep -c ' ftk-getppid-[0-9]* *\[[0-9]*\]  *[0-9.]*: sys_enter_getppid:' "$T/g.txt")"
		[ -e "$T/.failed.$t" ] && _show "$T/g.txt" 5
		assert_eq $t 0 "$(grep -c 'EVENTS DROPPED' "$T/g.txt")"
		trace-cmd dump --summary "$T/g.dat" >"$T/g.sum" 2>&1
		assert_grep $t '6[[:space:]]*\[Version\]' "$T/g.sum"
		assert_grep $t '\[Header page, [1-9][0-9]* bytes\]' "$T/g.sum"
		assert_grep $t '\[Events format, [1-9][0-9]* systems\]' "$T/g.sum"
		assert_grep $t '\[Kallsyms, [1-9][0-9]* bytes\]' "$T/g.sum"
		# the instance's clock: mono where the kernel has that trace clock (not 3.10)
		if grep -qw mono "$TRACEFS/trace_clock"; then
			assert_grep $t '\[mono\]' "$T/g.sum"
		else
			assert_grep $t '\[global\]' "$T/g.sum"
		fi
		assert_grep $t 'Flyrecord tracing data' "$T/g.sum"
	else
		skip ${t}_trace_cmd "no trace-cmd here: only ftk's count and the magic checked"
		assert_grep $t 'wrote .*g.dat: 10[0-9][0-9] events' "$T/last.err"
	fi
fi
pass $t

t=record_exec_fields
# three execs of /bin/true, recorded with sched_process_exec: filename field by name; the
# comm comes from the file's cmdlines or the record's own task
if rec $t "" '/bin/true; /bin/true; /bin/true' -e sched:sched_process_exec -o "$T/e.dat" \
	--no-kallsyms; then
	if have_tc; then
		report "$T/e.dat" >"$T/e.txt"
		assert_eq $t 3 "$(grep -c 'sched_process_exec: *filename=/bin/true pid=[0-9]* old_pid=[0-9]*$' "$T/e.txt")"
		trace-cmd dump --summary "$T/e.dat" >"$T/e.sum" 2>&1
		assert_grep $t '\[Kallsyms, 0 bytes\]' "$T/e.sum"
	else
		assert_grep $t 'wrote .*e.dat: [3-9][0-9]* events' "$T/last.err"
	fi
fi
pass $t

t=record_uprobe
# a uprobe on libc's getppid: its dynamic format is in the file (captured while it existed),
# 50 hits of the helper, next to the 50 syscalls
if ! has_feature uprobes; then
	# no uprobes here (3.10): refused at start, with the reason and what to use, and no file
	assert_rc $t 1 "$FTK" record --uprobe 'libc:getppid' -o "$T/u.dat" -- "$GETPPID" 50 libc &&
		assert_grep $t '^ftk record: error: this kernel has no uprobes' "$T/last.err" &&
		assert_grep $t '^hint: ' "$T/last.err"
	[ -e "$T/u.dat" ] && fail $t "a file was written"
elif rec $t "" "\"$GETPPID\" 50 libc" --uprobe 'libc:getppid' -e syscalls:sys_enter_getppid \
	-o "$T/u.dat"; then
	if have_tc; then
		report "$T/u.dat" >"$T/u.txt"
		assert_eq $t 50 "$(grep -c 'ftk-getppid-[0-9]* .*: getppid: *([0-9a-f]*)$' "$T/u.txt")"
		assert_eq $t 50 "$(grep -c 'ftk-getppid-[0-9]* .*: sys_enter_getppid:' "$T/u.txt")"
	else
		assert_grep $t 'wrote .*u.dat: 1[0-9][0-9] events' "$T/last.err"
	fi
	# the probe is gone with the session
	assert_no_grep $t "ftk_" "$TRACEFS/uprobe_events"
fi
pass $t

t=record_kprobe
# a kprobe on the kernel's getppid entry point (guests: kprobes exist there)
if ! has_feature kprobes; then
	# no kprobes here: refused at start, with the reason and what to use, and no file
	assert_rc $t 1 "$FTK" record --kprobe "$KF" -o "$T/k.dat" -- "$GETPPID" 30
	assert_grep $t "^ftk record: error: kprobe '$KF': this kernel has no kprobes" "$T/last.err"
	assert_grep $t '^hint: ' "$T/last.err"
	[ -e "$T/k.dat" ] && fail $t "a file was written"
elif rec $t "" "\"$GETPPID\" 30" --kprobe "$KF" -o "$T/k.dat"; then
	if have_tc; then
		report "$T/k.dat" >"$T/k.txt"
		assert_eq $t 30 "$(grep -c "ftk-getppid-[0-9]* .*: $KF: *(" "$T/k.txt")"
	else
		grep -a -q "name: $KF" "$T/k.dat" || fail $t "no kprobe format in the file"
		assert_grep $t 'wrote .*k.dat: [3-9][0-9] events' "$T/last.err"
	fi
fi
pass $t

t=record_view
# ftk record execsnoop: exactly the view's events (its probes, the tracker's tracepoints),
# and an exec of the helper is in the file with its arguments
if ftk_start $t record execsnoop -o "$T/v.dat" --no-kallsyms; then
	"$FTK_HELPERS/ftk-xexec" /bin/true 'ftk-rec-arg' >/dev/null 2>&1
	sleep 0.3
	ftk_stop $t INT
	assert_grep $t '^ftk record: tracing [0-9]* events into' "$T/$t.err"
	assert_grep $t '^ftk record: wrote .*v.dat' "$T/$t.err"
	if have_tc; then
		report "$T/v.dat" >"$T/v.txt"
		assert_grep $t 'sched_process_exec: *filename=/bin/true' "$T/v.txt"
		assert_grep $t 'ftk-rec-arg' "$T/v.txt"
	else
		grep -a -q 'ftk-rec-arg' "$T/v.dat" || fail $t "the argument is not in the file"
	fi
fi
pass $t

t=record_graph
# ftk record graph: function_graph's pages, read back with the ftrace formats and kallsyms
# of the file (trace-cmd names the function from the recorded address)
if ! has_feature function_graph; then
	# no function_graph here: refused at start, with the reason, and no file
	assert_rc $t 1 "$FTK" record -o "$T/fg.dat" graph vfs_read -- true
	assert_grep $t '^ftk record: error: function_graph is not available on this kernel' "$T/last.err"
	assert_grep $t '^hint: ' "$T/last.err"
	[ -e "$T/fg.dat" ] && fail $t "a file was written"
elif rec $t options/function-fork 'read -r l </proc/version; read -r l </proc/version' \
	-o "$T/fg.dat" graph vfs_read; then
	assert_grep $t 'wrote .*fg.dat: [1-9][0-9]* events' "$T/last.err"
	if have_tc; then
		report "$T/fg.dat" >"$T/fg.txt"
		# funcgraph_entry/exit print the function with %ps on newer kernels, %lx on older
		# ones (4.9): trace-cmd -N then prints the address, vfs_read's in kallsyms
		fa=$(sed -n 's/^\([0-9a-f]*\) [tT] vfs_read$/\1/p' /proc/kallsyms | head -n 1)
		assert_grep $t "funcgraph_entry: .*\(vfs_read\|--> ${fa:-vfs_read} \)" "$T/fg.txt"
		assert_grep $t "funcgraph_exit: .*\(vfs_read\|<-- ${fa:-vfs_read} \)" "$T/fg.txt"
	fi
fi
pass $t

t=record_sigterm
# SIGTERM is a clean stop: drain, summary, a complete file, exit 0, nothing left behind
if ftk_start $t record -e syscalls:sys_enter_getppid -o "$T/s.dat" --no-kallsyms; then
	"$GETPPID" 2000
	ftk_stop $t TERM
	p=$(ftk_pid $t)
	assert_eq $t "" "$(ls "$TRACEFS/instances" | grep "^ftk-$p\$")"
	no_leftovers "$T/s.dat" || fail $t "leftover files"
	assert_grep $t '^ftk record: wrote .*s.dat' "$T/$t.err"
	if have_tc; then
		report "$T/s.dat" >"$T/s.txt"
		n=$(grep -c 'ftk-getppid-[0-9]* .*: sys_enter_getppid:' "$T/s.txt")
		assert_eq $t 2000 "$n"
	else
		is_v6 "$T/s.dat" || fail $t "not a trace.dat v6 file"
	fi
fi
pass $t

t=record_kill9
# kill -9 (of ftk and its guardian: ftk alone is undone by its guardian, t_kill9.sh): no
# file under the final name, no spool or temporary name beside it; the dead session's
# instance is there until `ftk reset` removes it
"$FTK" record -e syscalls:sys_enter_getppid -o "$T/k9.dat" >"$T/$t.out" 2>"$T/$t.err" &
kp=$!
wait_until 10 grep -qs '^ftk record: tracing' "$T/$t.err" || fail $t "no armed line"
"$GETPPID" 5000
kill9_both "$kp"
[ -e "$T/k9.dat" ] && fail $t "a file k9.dat exists after kill -9"
no_leftovers "$T/k9.dat" || fail $t "leftover files: $(ls -a "$T" | grep k9)"
[ -d "$TRACEFS/instances/ftk-$kp" ] || fail $t "kill -9 left no instance ftk-$kp (test premise)"
assert_rc $t 0 "$FTK" reset &&
	assert_grep $t "ftk-$kp" "$T/last.out" &&
	assert_eq $t "" "$(ls "$TRACEFS/instances" | grep "^ftk-$kp\$")"
pass $t

t=record_lost
# a storm into a 8 KiB buffer: losses counted by ftk (per CPU), marked on pages and in the
# per-CPU stats of the file
if rec $t "" "\"$GETPPID\" 1000000" -e syscalls:sys_enter_getppid -b 8 --no-kallsyms \
	-o "$T/l.dat"; then
	lost=$(sed -n 's/^ftk record: wrote .*: [0-9]* events, \([0-9]*\) lost.*/\1/p' "$T/last.err")
	[ "${lost:-0}" -gt 0 ] || fail $t "no loss counted (premise: 8 KiB is too small)"
	assert_grep $t 'lost ([^)]*CPU [0-9]*: [0-9]*' "$T/last.err"
	if have_tc; then
		report "$T/l.dat" >"$T/l.txt"
		assert_grep $t 'EVENTS DROPPED' "$T/l.txt"
		trace-cmd report --stat "$T/l.dat" >"$T/l.stat" 2>&1
		assert_grep $t '^overrun: [1-9][0-9]*' "$T/l.stat"
	fi
fi
pass $t

t=record_usage
assert_rc $t 2 "$FTK" record &&
	assert_rc $t 2 "$FTK" record -e sched:sched_switch --count &&
	assert_rc $t 2 "$FTK" record nosuchview &&
	assert_rc $t 2 "$FTK" record -e sched:sched_switch -o &&
	assert_rc $t 0 "$FTK" record --help &&
	assert_grep $t '^usage: ftk record' "$T/last.out"
pass $t

t=record_unwritable
# an output directory that does not exist: refused before anything is armed
assert_rc $t 1 "$FTK" record -e sched:sched_switch -o "$T/no/such/dir/x.dat" &&
	assert_grep $t 'error: cannot create the recording' "$T/last.err"
pass $t
