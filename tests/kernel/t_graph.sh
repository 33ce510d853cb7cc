# SPDX-License-Identifier: GPL-2.0-only
# t_graph.sh: `ftk graph` on the running kernel. Without function_graph (the locked-down host)
# it must exit 1 naming CONFIG_FUNCTION_GRAPH_TRACER and `ftk features` must say why graph is
# unavailable. With it (the 6.1 and 6.12 guests): a shell reading /proc/version in a loop,
# traced with -p, shows vfs_read() trees with durations labelled with its comm-tid; the
# command form; --summary counts equal the reads a known workload made (dd bs=1 count=37
# from a FIFO);
# --max-depth and --thresh are respected; chrome output is one JSON document; the global
# files (set_graph_function, set_graph_notrace, max_graph_depth, current_tracer) are the same
# before and after a run, after SIGTERM, and after kill -9 + `ftk reset`; a tracer held by
# another user is refused. Bad input: unknown function (with a suggestion), missing PID,
# -p together with a command.
. "$(dirname "$0")/lib.sh"

loop_pid=""
scratch=""
cleanup_graph() {
	[ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null && wait "$loop_pid" 2>/dev/null
	if [ -n "$scratch" ] && [ -d "$TRACEFS/instances/$scratch" ]; then
		echo nop >"$TRACEFS/instances/$scratch/current_tracer" 2>/dev/null
		rmdir "$TRACEFS/instances/$scratch"
	fi
	[ -n "${foreign_sgf:-}" ] && : >"$TRACEFS/set_graph_function"
}
trap 'cleanup_graph; _ftk_cleanup' EXIT

# Usage errors need no kernel support.
t=graph_usage
assert_rc $t 2 "$FTK" graph vfs_read -p 1 -- true && assert_grep $t 'exclude' "$T/last.err"
assert_rc $t 2 "$FTK" graph
assert_rc $t 2 "$FTK" graph vfs_read --format xml
assert_rc $t 0 "$FTK" graph --help && assert_grep $t 'max-depth' "$T/last.out"
pass $t

if ! has_feature fgraph; then
	t=graph_unavailable
	if lockdown_confidentiality; then
		assert_rc $t 1 "$FTK" graph vfs_read
		pass $t
		exit 0
	fi
	assert_rc $t 1 "$FTK" graph vfs_read &&
		assert_grep $t 'CONFIG_FUNCTION_GRAPH_TRACER' "$T/last.err"
	"$FTK" features >"$T/features.out" 2>&1
	assert_grep $t '^graph .*CONFIG_FUNCTION_GRAPH_TRACER' "$T/features.out"
	pass $t
	exit 0
fi

state() {
	for f in set_graph_function set_graph_notrace max_graph_depth current_tracer \
		tracing_on trace_clock; do
		printf '%s: ' "$f"
		tr '\n' ' ' <"$TRACEFS/$f" 2>/dev/null
		echo
	done
	ls "$TRACEFS/instances"
}
state >"$T/state.before"

same_state() {
	state >"$T/state.now"
	cmp -s "$T/state.before" "$T/state.now" && return 0
	fail "$1" "tracing state differs after the run:"
	diff "$T/state.before" "$T/state.now" | sed 's/^/    | /' | head -n 10
	return 1
}

# --- bad input ---
t=graph_bad_input
assert_rc $t 1 "$FTK" graph vfs_raed -d 1 && assert_grep $t "vfs_raed" "$T/last.err" &&
	assert_grep $t 'did you mean: .*vfs_read' "$T/last.err"
assert_rc $t 1 "$FTK" graph vfs_read -p 999999 && assert_grep $t 'no process' "$T/last.err"
same_state $t
pass $t

# --- --dry-run prints the writes and makes none ---
t=graph_dry_run
assert_rc $t 0 "$FTK" graph vfs_read -m 3 --dry-run -p $$ &&
	assert_grep $t "echo 'vfs_read' > .*/set_graph_function" "$T/last.out" &&
	assert_grep $t "echo 'function_graph' > .*current_tracer" "$T/last.out"
same_state $t
pass $t

# A shell that reads /proc/version with its builtin read (so the reads are its own).
# Its children (the sleeps, followed by -p) are written to loop.kids.
: >"$T/loop.kids"
sh -c 'while :; do read -r l </proc/version; sleep 0.2 & echo $! >>"$1"; wait $!; done' \
	sh "$T/loop.kids" &
loop_pid=$!

# --- -p: trees of one process, labelled, with durations; SIGTERM restores the globals ---
t=graph_pid
# A function to leave out that this kernel has (5.10 names it _cond_resched).
NOTRACE=$(grep -m1 -xE '__cond_resched|_cond_resched|rw_verify_area' \
	"$TRACEFS/available_filter_functions" 2>/dev/null)
NT="--notrace ${NOTRACE:-rw_verify_area}"
if [ ! -e "$TRACEFS/set_graph_notrace" ]; then
	# set_graph_notrace came in 3.19
	assert_rc $t 1 "$FTK" graph vfs_read $NT -p "$loop_pid" &&
		assert_grep $t '^ftk graph: error: --notrace: this kernel has no set_graph_notrace' "$T/last.err"
	NT=
fi
if ftk_start $t graph vfs_read $NT -p "$loop_pid"; then
	wait_until 60 grep -q 'vfs_read()' "$T/$t.out" || fail $t "no vfs_read tree"
	ftk_stop $t TERM
	assert_grep $t "^# sh-$loop_pid" "$T/$t.out"
	# a root vfs_read with its duration: a leaf line, or the close of its tree
	grep -q '[0-9]\.[0-9]* us .*|  vfs_read();' "$T/$t.out" ||
		grep -q '[0-9]\.[0-9]* us .*|  }$' "$T/$t.out" ||
		fail $t "no vfs_read duration" || _show "$T/$t.out" 20
	# every label is the traced process: -p keeps others out
	# (a child may show before its exec: 4.14-5.9's kernel_read() of the new program is
	# a vfs_read() under the child's pid)
	grep '^# ' "$T/$t.out" | grep -v "^# sh-$loop_pid" | grep -v '^# *CPU' |
		awk -v k="$T/loop.kids" 'BEGIN { while ((getline l < k) > 0) kid[l] = 1 }
			{ p = $2; sub(/.*-/, "", p); if (!(p in kid)) print }' >"$T/$t.others"
	[ -s "$T/$t.others" ] && fail $t "trees of other tasks: $(head -n 2 "$T/$t.others")"
	same_state $t
	pass $t
fi

# --- kill -9, then ftk reset ---
t=graph_kill9
if ftk_start $t graph vfs_read -m 2 -p "$loop_pid"; then
	sleep 1
	p=$(ftk_pid $t)
	kill9_both "$p"
	_ftk_forget $t
	grep -q vfs_read "$TRACEFS/set_graph_function" || fail $t "set_graph_function not set"
	assert_rc $t 0 "$FTK" reset
	same_state $t
	pass $t
fi

kill "$loop_pid" 2>/dev/null
wait "$loop_pid" 2>/dev/null
loop_pid=""

# --- --summary counts the reads a known workload makes: dd reading 37 bytes one at a time
# from a FIFO, traced with -p once it waits in open() (so its loader's reads, if any, are
# over) ---
t=graph_summary
mkfifo "$T/fifo"
dd if="$T/fifo" of=/dev/null bs=1 count=37 2>/dev/null &
dd_pid=$!
sleep 1
if ftk_start $t graph vfs_read --summary -p "$dd_pid"; then
	printf '%037d' 0 >"$T/fifo"
	wait "$dd_pid"
	ftk_stop $t
	n=$(awk '$1 == "vfs_read" { print $2 }' "$T/$t.out")
	assert_eq $t 37 "$n" || _show "$T/$t.out"
	assert_grep $t '^FUNCTION  *CALLS  *TOTAL(us)  *SELF(us)  *AVG(us)  *MAX(us)' "$T/$t.out"
	same_state $t
	pass $t
else
	kill "$dd_pid" 2>/dev/null
fi

# --- --max-depth 2 and --thresh 20 (command form; -C and --noirqs change options that must
# come back): no line deeper than one level below vfs_read, no call shorter than 20 us ---
t=graph_depth_thresh
NOIRQS=--noirqs
if [ ! -e "$TRACEFS/options/funcgraph-irqs" ]; then
	assert_rc $t 1 "$FTK" graph vfs_read --noirqs -- true &&
		assert_grep $t '^ftk graph: error: --noirqs: this kernel has no options/funcgraph-irqs' "$T/last.err"
	NOIRQS=
fi
assert_rc $t 0 "$FTK" graph vfs_read -m 2 --thresh 20 -C $NOIRQS -- \
	sh -c 'head -c 300 /proc/version >/dev/null'
assert_grep $t '^# head-[0-9]' "$T/last.out"
grep '|  ' "$T/last.out" | grep -v -e '^#' -e '------' | sed 's/^[^|]*|  //' >"$T/$t.funcs"
assert_grep $t '^vfs_read()' "$T/$t.funcs"
assert_no_grep $t '^    ' "$T/$t.funcs"
grep -o '[0-9][0-9]*\.[0-9]* us' "$T/last.out" | awk '$1 < 20 { bad++ } END { exit bad > 0 }' ||
	fail $t "a call shorter than 20 us was printed"
pass $t

# --- --json (command form): one object per completed call, with the documented keys ---
t=graph_json
assert_rc $t 0 "$FTK" graph vfs_read --json -- dd if=/proc/version of=/dev/null bs=1 count=3
# the common record head (ftk(8)): time, ts (CLOCK_MONOTONIC seconds), cpu, pid, comm
HEAD='^{"time":"[0-9-]*T[0-9:.]*[+-][0-9:]*","ts":[0-9]*\.[0-9]\{9\},"cpu":[0-9]*,'
assert_grep $t "$HEAD"'"pid":[0-9]*,"comm":"dd","func":"vfs_read","depth":0,"duration_us":[0-9.]*,"parent":null}$' "$T/last.out"
assert_grep $t '"parent":"vfs_read"' "$T/last.out"
assert_no_grep $t '^[^{]' "$T/last.out"
pass $t

# --- chrome: one JSON document (structure checked line by line) ---
t=graph_chrome
assert_rc $t 0 "$FTK" graph vfs_read --format chrome -- dd if=/proc/version of=/dev/null bs=1 count=3
assert_eq $t '{"traceEvents":[' "$(head -n 1 "$T/last.out")"
assert_eq $t '],"displayTimeUnit":"ns"}' "$(tail -n 1 "$T/last.out")"
sed '1d;$d' "$T/last.out" | grep -v '^,\{0,1\}{"name":".*}$' >"$T/$t.bad"
[ -s "$T/$t.bad" ] && fail $t "malformed event line: $(head -n 1 "$T/$t.bad")"
assert_grep $t '"ph":"X"' "$T/last.out"
same_state $t
pass $t

# --- refusal while another user holds function_graph (guests only: it changes global state) ---
t=graph_refuse
if in_guest; then
	if has_feature fgraph_instance; then
		scratch=scratch-kt-$$
		mkdir "$TRACEFS/instances/$scratch"
		echo function_graph >"$TRACEFS/instances/$scratch/current_tracer"
		assert_rc $t 1 "$FTK" graph vfs_read -d 1 &&
			assert_grep $t "in use by another tool (instance $scratch)" "$T/last.err"
		echo nop >"$TRACEFS/instances/$scratch/current_tracer"
		rmdir "$TRACEFS/instances/$scratch"
		scratch=""
	else
		foreign_sgf=1
		echo vfs_write >"$TRACEFS/set_graph_function"
		assert_rc $t 1 "$FTK" graph vfs_read -d 1 && assert_grep $t 'in use' "$T/last.err"
		: >"$TRACEFS/set_graph_function"
		foreign_sgf=""
	fi
	same_state $t
	pass $t
else
	skip $t "changes global tracing state: guests only"
fi
