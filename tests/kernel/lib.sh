# SPDX-License-Identifier: GPL-2.0-only
# lib.sh: helpers for the kernel tests (tests/kernel/t_*.sh), sourced by each test file.
# It must stay POSIX sh: the same files run under bash/dash on the host and busybox ash in
# the qemu guests. It gives each file a temp dir $T, result reporting (pass/fail/skip, which
# tests/kernel/run counts), assertions, starting/stopping ftk in the background, and feature
# probes that tell a test what this kernel offers. See tests/kernel/README.md.

: "${FTK:=ftk}"
: "${FTK_HELPERS:=}"
export FTK FTK_HELPERS

T=$(mktemp -d "${TMPDIR:-/tmp}/ftk-kt.XXXXXX") || { echo "FAIL lib.sh: mktemp" >&2; exit 1; }
export T
_ftk_started=""

# Where results go: the runner counts lines of $FTK_RESULTS; a file run by hand prints only.
: "${FTK_RESULTS:=$T/results}"

_record() {
	printf '%s\n' "$*"
	printf '%s\n' "$*" >>"$FTK_RESULTS"
}

# pass NAME: PASS unless NAME already failed (so "assert ...; assert ...; pass n" works).
pass() {
	[ -e "$T/.failed.$1" ] && return 0
	[ -e "$T/.passed.$1" ] && return 0
	: >"$T/.passed.$1"
	_record "PASS $1"
}

# fail NAME WHY: the first failure of NAME is counted; later ones are printed as details.
# Always returns 1, so "cond || fail n why || return" reads naturally.
fail() {
	_n=$1
	shift
	if [ -e "$T/.failed.$_n" ]; then
		printf '  %s: %s\n' "$_n" "$*"
	else
		: >"$T/.failed.$_n"
		_record "FAIL $_n: $*"
	fi
	return 1
}

# skip NAME WHY
skip() {
	_n=$1
	shift
	: >"$T/.passed.$_n"
	_record "SKIP $_n: $*"
}

# Show the first lines of a file indented (for failure details).
_show() {
	[ -s "$1" ] || return 0
	head -n "${2:-5}" "$1" | sed 's/^/    | /'
}

assert_eq() {
	[ "$2" = "$3" ] && return 0
	fail "$1" "expected '$2', got '$3'"
}

# assert_grep NAME PATTERN FILE: FILE has a line matching the basic regex PATTERN.
assert_grep() {
	grep -q -e "$2" "$3" 2>/dev/null && return 0
	fail "$1" "no line matching '$2' in $(basename "$3")"
	_show "$3" 10
	return 1
}

assert_no_grep() {
	grep -q -e "$2" "$3" 2>/dev/null || return 0
	fail "$1" "unexpected line matching '$2' in $(basename "$3"):"
	grep -e "$2" "$3" | head -n 5 | sed 's/^/    | /'
	return 1
}

# assert_rc NAME EXPECTED CMD...: runs CMD, stdout to $T/last.out, stderr to $T/last.err.
assert_rc() {
	_n=$1
	_want=$2
	shift 2
	"$@" >"$T/last.out" 2>"$T/last.err"
	_rc=$?
	[ "$_rc" = "$_want" ] && return 0
	fail "$_n" "'$*' exited $_rc, expected $_want"
	_show "$T/last.err"
	return 1
}

# wait_until SECS CMD...: polls CMD every 0.05 s; 0 as soon as it succeeds, 1 on timeout.
wait_until() {
	_i=$(($1 * 20))
	shift
	while [ "$_i" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		_i=$((_i - 1))
	done
	"$@"
}

_alive() {
	kill -0 "$1" 2>/dev/null
}

# Armed: the header is on stdout, or (--json views, whose stdout holds only records) the
# "ftk VIEW: tracing ..." line is on stderr.
_armed() {
	[ -s "$1" ] || grep -q '^ftk [a-z]*: tracing' "${1%.out}.err" 2>/dev/null
}

_has_output() {
	_armed "$1" || ! _alive "$2"
}

# ftk_start NAME ARGS...: runs "$FTK" ARGS in the background (stdout $T/NAME.out, stderr
# $T/NAME.err) and waits up to 10 s for its first stdout line (the header, printed once
# tracing is armed). Fails NAME when it does not come or ftk exits first.
ftk_start() {
	_n=$1
	shift
	"$FTK" "$@" >"$T/$_n.out" 2>"$T/$_n.err" &
	_p=$!
	echo "$_p" >"$T/$_n.pid"
	_ftk_started="$_ftk_started $_n"
	[ -n "${FTK_RUN_DIR:-}" ] && echo "$_p" >>"$FTK_RUN_DIR/pids"
	wait_until 10 _has_output "$T/$_n.out" "$_p"
	if ! _alive "$_p"; then
		wait "$_p"
		_rc=$?
		echo "$_rc" >"$T/$_n.rc"
		_ftk_forget "$_n"
		fail "$_n" "ftk $* exited $_rc before printing its header"
		_show "$T/$_n.err"
		return 1
	fi
	if ! _armed "$T/$_n.out"; then
		fail "$_n" "ftk $* printed no header within 10 s"
		_show "$T/$_n.err"
		ftk_stop "$_n" KILL >/dev/null 2>&1
		return 1
	fi
	return 0
}

ftk_pid() {
	cat "$T/$1.pid"
}

_ftk_forget() {
	_l=""
	for _x in $_ftk_started; do
		[ "$_x" = "$1" ] || _l="$_l $_x"
	done
	_ftk_started=$_l
}

# Waits for PID (a child of this shell) at most SECS, then SIGKILLs it; its exit status is
# left in $_st (not a function output: $(...) would run in a subshell that cannot wait).
_wait_timeout() {
	(
		sleep "$2" &
		_s=$!
		trap 'kill $_s 2>/dev/null; exit 0' TERM
		wait "$_s"
		kill -KILL "$1" 2>/dev/null
	) >/dev/null 2>&1 &
	_wd=$!
	wait "$1"
	_st=$?
	kill -TERM "$_wd" 2>/dev/null
	wait "$_wd" 2>/dev/null
	return 0
}

# ftk_stop NAME [SIGNAL]: sends SIGNAL (default INT), waits (10 s, then SIGKILL), records the
# exit code in $T/NAME.rc and fails NAME unless it is 0.
ftk_stop() {
	_n=$1
	_p=$(cat "$T/$_n.pid")
	kill -"${2:-INT}" "$_p" 2>/dev/null
	_wait_timeout "$_p" 10
	_rc=$_st
	echo "$_rc" >"$T/$_n.rc"
	_ftk_forget "$_n"
	[ "$_rc" = 0 ] && return 0
	fail "$_n" "ftk exited $_rc after SIG${2:-INT}"
	_show "$T/$_n.err"
	return 1
}

# --- What this kernel offers ---------------------------------------------------------------

in_guest() {
	[ -n "${FTK_GUEST:-}" ]
}

# "none", "integrity", "confidentiality" or "" when unknown.
lockdown_mode() {
	if [ -r /sys/kernel/security/lockdown ]; then
		sed -n 's/.*\[\([a-z]*\)\].*/\1/p' /sys/kernel/security/lockdown
		return
	fi
	sed -n 's/.*lockdown=\([a-z]*\).*/\1/p' /proc/cmdline
}

lockdown_confidentiality() {
	[ "$(lockdown_mode)" = confidentiality ]
}

# The exact message ftk gives when lockdown hides tracefs.
LOCKDOWN_MSG="kernel lockdown (confidentiality) hides tracefs"

has_tracepoint() {
	[ -n "${TRACEFS:-}" ] && [ -e "$TRACEFS/events/$1/$2/format" ]
}

# Feature probes straight from tracefs (used when `ftk features --json` cannot answer).
_tracefs_feature() {
	[ -n "${TRACEFS:-}" ] && [ -e "$TRACEFS/available_events" ] || return 1
	case $1 in
	tracefs) return 0 ;;
	instances) [ -d "$TRACEFS/instances" ] ;;
	kprobes) [ -w "$TRACEFS/kprobe_events" ] ;;
	uprobes) [ -w "$TRACEFS/uprobe_events" ] ;;
	dynevents) [ -w "$TRACEFS/dynamic_events" ] ;;
	function) (: <"$TRACEFS/set_ftrace_filter") 2>/dev/null ;;
	fgraph) grep -qw function_graph "$TRACEFS/available_tracers" 2>/dev/null ;;
	fgraph_instance) _tracefs_feature fgraph && _kver_ge 6 11 ;;
	fgraph_retval) [ -e "$TRACEFS/options/funcgraph-retval" ] ;;
	hist) [ -e "$TRACEFS/events/sched/sched_process_exec/hist" ] ;;
	syscall_tp) [ -d "$TRACEFS/events/syscalls" ] ;;
	*) return 1 ;;
	esac
}

# _kver_ge MAJOR MINOR: running kernel >= MAJOR.MINOR
_kver_ge() {
	_r=$(uname -r)
	_ma=${_r%%.*}
	_mi=${_r#*.}
	_mi=${_mi%%[!0-9]*}
	[ "$_ma" -gt "$1" ] || { [ "$_ma" -eq "$1" ] && [ "$_mi" -ge "$2" ]; }
}

# Value of key $1 in `ftk features --json`: accepts "key": true|false and
# "key": {... "ok": true|false ...}. Prints true/false, nothing when absent.
_json_feature() {
	[ -e "$T/.features.json" ] || {
		"$FTK" features --json >"$T/.features.json" 2>/dev/null
	}
	tr -d '\n' <"$T/.features.json" | sed -n \
		-e "s/.*\"$1\"[[:space:]]*:[[:space:]]*\([tf][a-z]*\).*/\1/p" \
		-e "t" \
		-e "s/.*\"$1\"[[:space:]]*:[[:space:]]*{[^}]*\"ok\"[[:space:]]*:[[:space:]]*\([tf][a-z]*\).*/\1/p"
}

# has_feature NAME: true when the kernel offers NAME, a key of `ftk features --json`:
# tracefs instances kprobes uprobes dynevents function fgraph fgraph_instance fgraph_retval
# hist syscall_tp (long spellings like function_graph are accepted too).
# Falls back to reading tracefs when ftk cannot answer.
has_feature() {
	case $1 in
	dynamic_events) set -- dynevents ;;
	function_graph) set -- fgraph ;;
	function_graph_instance*) set -- fgraph_instance ;;
	funcgraph_retval) set -- fgraph_retval ;;
	hist_triggers) set -- hist ;;
	syscall_tracepoints | syscalls) set -- syscall_tp ;;
	esac
	_v=$(_json_feature "$1")
	case $_v in
	true) return 0 ;;
	false) return 1 ;;
	esac
	_tracefs_feature "$1"
}

# lockdown_refusal NAME VIEW: under lockdown=confidentiality (tracefs hidden) VIEW exits 1
# with the lockdown message; true when that was tested (the file then has nothing left to do).
lockdown_refusal() {
	lockdown_confidentiality || return 1
	assert_rc "$1" 1 "$FTK" "$2" &&
		assert_grep "$1" "$LOCKDOWN_MSG" "$T/last.err"
	pass "$1"
	return 0
}

# ends_cleanly NAME VIEW HEADER: VIEW stopped by SIGTERM exits 0 and leaves no instance;
# with -d 0.5 it ends by itself, exit 0, its output starting with HEADER.
ends_cleanly() {
	_ec=$1
	ftk_start "$_ec-term" "$2" || return 1
	ftk_stop "$_ec-term" TERM
	assert_eq "$_ec" 0 "$(cat "$T/$_ec-term.rc")" &&
		assert_eq "$_ec" "" "$(ls "$TRACEFS/instances" | grep "^ftk-$(cat "$T/$_ec-term.pid")\$")" &&
		assert_rc "$_ec" 0 "$FTK" "$2" -d 0.5 &&
		assert_eq "$_ec" "$3" "$(head -1 "$T/last.out")"
	pass "$_ec"
}

# usage_errors NAME VIEW ARGS...: each ARGS word (split on spaces) is a malformed command
# line of VIEW: exit 2 and exactly one error line. Stops at the first that is not.
usage_errors() {
	_un=$1
	_v=$2
	shift 2
	for _a in "$@"; do
		# shellcheck disable=SC2086
		assert_rc "$_un" 2 "$FTK" "$_v" $_a || return 1
		assert_eq "$_un" 1 "$(grep -c 'error' "$T/last.err")" || return 1
	done
}

# --- Crash and reset ------------------------------------------------------------------------

# guardian_of PID: the guardian process of the ftk session PID (named in its journal).
guardian_of() {
	sed -n 's/^guardian \([0-9]*\) .*/\1/p' "/run/ftk/$1.journal" 2>/dev/null
}

# kill9_both PID: SIGKILL the ftk session PID and its guardian at once (guardian first), as a
# group kill would: nothing then undoes the session but `ftk reset` (or the next start). A
# kill of PID alone is undone by its guardian (t_kill9.sh).
kill9_both() {
	_kg=$(guardian_of "$1")
	# shellcheck disable=SC2086
	kill -KILL $_kg "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	for _x in $_kg; do
		wait_until 5 _dead "$_x"
	done
}

_dead() {
	! grep -q '^State:[[:space:]]*[A-Y]' "/proc/$1/status" 2>/dev/null
}

# kill9_reset NAME ARGS...: "$FTK" ARGS and its guardian killed with SIGKILL once armed leave
# its instance ftk-PID (the premise); `ftk reset` then names and removes it and its probes.
kill9_reset() {
	_kn=$1
	shift
	"$FTK" "$@" >"$T/$_kn.out" 2>"$T/$_kn.err" &
	_kp=$!
	wait_until 10 test -s "$T/$_kn.out" || fail "$_kn" "no header from ftk $*"
	kill9_both "$_kp"
	[ -d "$TRACEFS/instances/ftk-$_kp" ] ||
		fail "$_kn" "kill -9 left no instance ftk-$_kp (test premise)"
	assert_rc "$_kn" 0 "$FTK" reset &&
		assert_grep "$_kn" "ftk-$_kp" "$T/last.out" &&
		assert_eq "$_kn" "" "$(ls "$TRACEFS/instances" | grep "^ftk-$_kp\$")" &&
		assert_no_grep "$_kn" "ftk_$_kp/" "$TRACEFS/uprobe_events"
	if [ -e "$TRACEFS/kprobe_events" ]; then
		assert_no_grep "$_kn" "ftk_$_kp/" "$TRACEFS/kprobe_events"
	fi
	pass "$_kn"
}

# --- Cleanup -----------------------------------------------------------------------------

# Stops every ftk still running (a test that failed half way) so the runner's state check
# sees what ftk's own cleanup leaves, then removes $T (kept with FTK_KEEP=1).
_ftk_cleanup() {
	for _x in $_ftk_started; do
		_p=$(cat "$T/$_x.pid" 2>/dev/null) || continue
		_alive "$_p" || continue
		kill -INT "$_p" 2>/dev/null
		_wait_timeout "$_p" 10
	done
	_ftk_started=""
	if [ -n "${FTK_KEEP:-}" ]; then
		echo "  (kept $T)"
	else
		rm -rf "$T"
	fi
}
trap '_ftk_cleanup' EXIT
trap '_ftk_cleanup; trap - EXIT; exit 143' TERM
trap '_ftk_cleanup; trap - EXIT; exit 130' INT
