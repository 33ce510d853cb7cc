# SPDX-License-Identifier: GPL-2.0-only
# t_report.sh: recordings read back. A view and `ftk record VIEW` run over the same workload;
# `ftk VIEW --input FILE` must print exactly what the live view printed (execsnoop with tricky
# argv and failed execs, opensnoop, biosnoop on the test disk, graph where function_graph is);
# `ftk report` prints every record trace-cmd's reader sees, with the same fields (trace-cmd
# report -N, when trace-cmd is here); --format chrome is JSON; all of it as an unprivileged
# user, touching no tracefs. Needs `ftk record` (issue 13's recording side): SKIP without it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bio.sh"

X=$FTK_HELPERS/ftk-xexec
TRUE=$(command -v true)
case $TRUE in /*) ;; *) TRUE=/bin/true ;; esac
M=ftkrep$$

if ! "$FTK" record --help >/dev/null 2>&1; then
	skip report "no 'ftk record' in this build"
	exit 0
fi
lockdown_refusal rp_lockdown execsnoop && exit 0

# pair NAME VIEW [ARGS...]: the live view, and inside its window `ftk record VIEW`, over
# $WORK; then `ftk VIEW --input` of the recording.
pair() {
	_pn=$1
	shift
	ftk_start "$_pn" "$@" || return 1
	ftk_start "$_pn.rec" record --no-kallsyms -o "$T/$_pn.dat" "$@" || {
		ftk_stop "$_pn"
		return 1
	}
	eval "$WORK"
	sleep 0.3
	ftk_stop "$_pn.rec" && ftk_stop "$_pn" || return 1
	# each run removed its own instance (4.9 once showed one left after t_report)
	for _x in "$_pn" "$_pn.rec"; do
		_xp=$(ftk_pid "$_x")
		[ -d "$TRACEFS/instances/ftk-$_xp" ] && { fail "$_pn" "$_x left instance ftk-$_xp"; return 1; }
	done
	"$FTK" "$@" --input "$T/$_pn.dat" >"$T/$_pn.in" 2>"$T/$_pn.in.err"
	_rc=$?
	[ $_rc = 0 ] || { fail "$_pn" "--input exited $_rc"; _show "$T/$_pn.in.err"; return 1; }
	return 0
}

# same NAME FILTER: the workload's lines (FILTER, a command reading stdin) of --input are
# those of the live run (the recording's window lies inside the live one).
same() {
	eval "$2" <"$T/$1.out" >"$T/$1.out.w"
	eval "$2" <"$T/$1.in" >"$T/$1.in.w"
	[ -s "$T/$1.out.w" ] || { fail "$1" "no workload line in the live output"; return 1; }
	cmp -s "$T/$1.out.w" "$T/$1.in.w" && return 0
	fail "$1" "--input differs from the live run ($(wc -l <"$T/$1.out.w") live lines)"
	diff "$T/$1.out.w" "$T/$1.in.w" | head -n 10 | sed 's/^/    | /'
	return 1
}

t=rp_execsnoop
# -x (failed execs too) needs syscalls:sys_exit_execve (syscall tracepoints of execve: 3.x
# kernels have none, stub_execve): where it is missing, -x is refused and failed execs are
# not in either output.
XOPT=-x
if ! has_tracepoint syscalls sys_exit_execve; then
	XOPT=
	assert_rc $t 1 "$FTK" execsnoop -x &&
		assert_grep $t '^ftk execsnoop: error: -x: this kernel has no syscalls:sys_exit_execve' "$T/last.err" &&
		assert_grep $t '^hint: ' "$T/last.err"
fi
WORK="\"$X\" -p \"$T/p1\" \"$TRUE\" true \"$M-1\" 'a b' '' 'tab\\there' 'esc\\e[31mred' 'bad\\xffutf';
	\"$X\" \"$T/nonexistent-$M\" x \"$M-2\" 2>/dev/null"
if pair $t execsnoop $XOPT; then
	assert_grep $t "$M-1 a b" "$T/$t.out" &&
		{ [ -z "$XOPT" ] || assert_grep $t "$M-2" "$T/$t.out"; } &&
		same $t "grep -F -- '$M' | grep -v ftk-xexec | sed 's/ \\[?\\] /  /g'"
	pass $t
fi
EXEC_DAT=$T/$t.dat

t=rp_execsnoop_json
"$FTK" execsnoop --json --input "$EXEC_DAT" >"$T/$t.out" 2>"$T/$t.err"
assert_eq $t 0 $? && assert_grep $t "\"args\":\[\"true\",\"$M-1\",\"a b\"" "$T/$t.out"
pass $t

t=rp_opensnoop
# opens by /bin/sh (dash: dynamically linked, so the C library route sees its paths on kernels
# whose kprobes cannot read user strings; busybox's static cat is seen by no route there),
# run as ftkrep-sh: its lines are the workload's even where no route reads paths (3.10, no
# uprobes, no ustring: every PATH is [?], live and offline alike)
ln -s /bin/sh "$T/ftkrep-sh"
WORK="\"$T/ftkrep-sh\" -c ': </proc/version; : <$T/nonexistent-$M' 2>/dev/null; true"
if pair $t opensnoop; then
	if grep ' ftkrep-sh ' "$T/$t.out" | grep -q -v '\[?\]$'; then
		assert_grep $t "nonexistent-$M" "$T/$t.out"
	else
		# no route to the paths here: the failed open is there (fd -1, ENOENT)
		assert_grep $t ' ftkrep-sh  *-1  *2 \[?\]$' "$T/$t.out"
	fi
	same $t "grep ' ftkrep-sh '"
	pass $t
fi

t=rp_biosnoop
if bio_target; then
	[ "$KIND" = file ] && dd if=/dev/zero of="$FILE" bs=4096 count=16 2>/dev/null && sync
	WORK="\"$BIOIO\" \"$FILE\" r 4096 8 ${OFF:-0} >/dev/null 2>&1"
	if pair $t biosnoop; then
		# the workload's requests; TIME (from each run's start) and LAT left out: two
		# instances stamp the same event with two clock reads (ring buffers apart); DISK
		# is MAJ:MIN from a file (the recorder's disk names are not this host's)
		same $t "grep ' bioio ' | awk '{ \$1 = \"\"; \$4 = \"\"; \$NF = \"\"; print }'"
		pass $t
	fi
	[ "$KIND" = file ] && rm -f "$FILE"
else
	skip $t "$BIO_WHY"
fi

t=rp_graph
# Two function_graph sessions cannot run at once (set_graph_function is global): the
# recording is made alone, with the command, and read back. The open path's function:
# do_sys_openat2 came in 5.6 (openat2), do_sys_open before.
FN=do_sys_openat2
grep -q '^do_sys_openat2\( \|$\)' "$TRACEFS/available_filter_functions" 2>/dev/null || FN=do_sys_open
if "$FTK" features --json 2>/dev/null | tr -d '\n' | grep -q '"fgraph":{"ok":true'; then
	if [ -e "$TRACEFS/options/function-fork" ] && [ -e "$TRACEFS/options/event-fork" ]; then
		"$FTK" record -o "$T/$t.dat" graph $FN -- cat /proc/version >/dev/null 2>"$T/$t.rec.err"
		assert_eq $t 0 $? || _show "$T/$t.rec.err"
	else
		# options/function-fork came in 4.12: the kernel cannot follow the command's
		# children, a recording cannot be filtered in user space: refused, then the
		# whole system is recorded around the command
		"$FTK" record -o "$T/$t.dat" graph $FN -- cat /proc/version >/dev/null 2>"$T/$t.rec.err"
		assert_eq $t 1 $? && assert_grep $t 'only in user space' "$T/$t.rec.err"
		[ -e "$T/$t.dat" ] && fail $t "a file was written"
		ftk_start $t.rec record -o "$T/$t.dat" graph $FN &&
			{ cat /proc/version >/dev/null; ftk_stop $t.rec TERM; }
	fi
	"$FTK" graph --input "$T/$t.dat" $FN >"$T/$t.out" 2>"$T/$t.err"
	assert_eq $t 0 $? && assert_grep $t '^# cat-[0-9]' "$T/$t.out" &&
		assert_grep $t "|  $FN() {" "$T/$t.out" &&
		assert_grep $t '|    getname' "$T/$t.out"
	"$FTK" report --format chrome "$T/$t.dat" >"$T/$t.json" 2>/dev/null
	assert_grep $t "\"name\":\"$FN\",\"cat\":\"function\",\"ph\":\"X\"" "$T/$t.json"
	pass $t
else
	# no function_graph here: the recording is refused at start, and no file is left
	"$FTK" record -o "$T/$t.dat" graph $FN -- true >/dev/null 2>"$T/$t.rec.err"
	assert_eq $t 1 $? && assert_grep $t '^ftk record: error: function_graph is not available' "$T/$t.rec.err"
	[ -e "$T/$t.dat" ] && fail $t "a file was written"
	pass $t
fi

# ---- ftk report ----
t=rp_report
"$FTK" report "$EXEC_DAT" >"$T/$t.out" 2>"$T/$t.err"
assert_eq $t 0 $? && assert_grep $t "sched:sched_process_exec: filename=$TRUE" "$T/$t.out" &&
	assert_grep $t '^ftk report: .*: trace.dat version 6' "$T/$t.err"
pass $t

t=rp_report_json
"$FTK" report --json -e 'sched:sched_process_exec' "$EXEC_DAT" >"$T/$t.out" 2>"$T/$t.err"
assert_eq $t 0 $? &&
	assert_grep $t '"event":"sched:sched_process_exec","fields":{"filename":' "$T/$t.out" &&
	assert_no_grep $t '"event":"sched:sched_process_fork"' "$T/$t.out"
pass $t

t=rp_report_vs_tracecmd
if command -v trace-cmd >/dev/null 2>&1; then
	# pid cpu time(us) event text from both readers, byte-wise (comm left out: trace-cmd
	# names a pid after its last comm, ftk after its comm at the time). Every record the same
	# pid, cpu, time and event; the text the same where ftk escaped nothing (ftk shows
	# control bytes and invalid UTF-8 as \xNN, trace-cmd raw).
	trace-cmd report -N -t -i "$EXEC_DAT" 2>/dev/null | LC_ALL=C sed -n \
		's/^ *.*-\([0-9]*\) *\[\([0-9]*\)\] *\([0-9]*\.[0-9]\{6\}\)[0-9]*: *\([^:]*\): *\(.*\)$/\1 \2 \3 \4 \5/p' |
		LC_ALL=C sed 's/  */ /g' >"$T/$t.tc"
	"$FTK" report "$EXEC_DAT" 2>/dev/null | LC_ALL=C sed -n \
		's/^ *.*-\([0-9]*\) *\[\([0-9]*\)\] *\([0-9]*\.[0-9]*\): *[^:]*:\([^:]*\): *\(.*\)$/\1 \2 \3 \4 \5/p' |
		LC_ALL=C sed 's/  */ /g' >"$T/$t.ftk"
	cut -d' ' -f1-4 "$T/$t.tc" >"$T/$t.tc4"
	cut -d' ' -f1-4 "$T/$t.ftk" >"$T/$t.ftk4"
	LC_ALL=C awk 'NR == FNR { if (index($0, "\\x") == 0) keep[FNR] = 1; next } keep[FNR]' \
		"$T/$t.ftk" "$T/$t.tc" >"$T/$t.tct"
	LC_ALL=C grep -v -F '\x' "$T/$t.ftk" >"$T/$t.ftkt"
	assert_eq $t "$(wc -l <"$T/$t.tc")" "$(wc -l <"$T/$t.ftk")" &&
		{ cmp -s "$T/$t.tc4" "$T/$t.ftk4" || fail $t "records differ from trace-cmd's"; } &&
		{ cmp -s "$T/$t.tct" "$T/$t.ftkt" || { fail $t "texts differ from trace-cmd's";
			diff "$T/$t.tct" "$T/$t.ftkt" | head -n 6; }; }
	pass $t
else
	skip $t "no trace-cmd here"
fi

t=rp_chrome
"$FTK" report --format chrome "$EXEC_DAT" >"$T/$t.out" 2>"$T/$t.err"
assert_eq $t 0 $? && assert_grep $t '^{"traceEvents":\[' "$T/$t.out"
if python3 -c 1 >/dev/null 2>&1; then
	python3 -m json.tool "$T/$t.out" >/dev/null 2>&1 || fail $t "not valid JSON"
fi
pass $t

# ---- unprivileged, no tracefs ----
t=rp_nonroot
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T" && chmod 644 "$EXEC_DAT"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$FTK" execsnoop $XOPT --input "$EXEC_DAT" >"$T/$t.out" 2>"$T/$t.err"
	assert_eq $t 0 $? && { cmp -s "$T/$t.out" "$T/rp_execsnoop.in" ||
		fail $t "as nobody, --input printed something else"; }
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$FTK" report "$EXEC_DAT" >/dev/null 2>"$T/$t.err2"
	assert_eq $t 0 $?
	pass $t
else
	skip $t "not root, or no setpriv"
fi

t=rp_refusals
"$FTK" biosnoop --input "$EXEC_DAT" >"$T/$t.out" 2>"$T/$t.err"
assert_eq $t 1 $? && assert_grep $t "no block:block_io_start\\|the recording has no events\\? block:" "$T/$t.err"
"$FTK" execsnoop --input "$T/nope.dat" >/dev/null 2>"$T/$t.err2"
assert_eq $t 1 $?
"$FTK" execsnoop --input "$EXEC_DAT" --dry-run >/dev/null 2>&1
assert_eq $t 2 $?
"$FTK" report "$FTK" >/dev/null 2>"$T/$t.err3"
assert_eq $t 1 $? && assert_grep $t "not a trace.dat file" "$T/$t.err3"
pass $t
