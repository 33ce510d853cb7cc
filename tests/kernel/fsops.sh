# SPDX-License-Identifier: GPL-2.0-only
# fsops.sh: sourced by the counting views' tests (syscount, vfsstat, funccount). The helper
# ftk-fsops makes N of each file operation, N getppid calls and N calls of its function
# fsops_round, once released by SIGUSR1: a view is started on its pid first.

FSOPS=${FTK_HELPERS:+$FTK_HELPERS/ftk-fsops}

# fsops_ready: is the helper there? (else the caller skips)
fsops_ready() {
	[ -n "$FSOPS" ] && [ -x "$FSOPS" ]
}

# fsops_run NAME N VIEW ARGS...: starts the helper (waiting), then ftk VIEW ARGS with "@PID"
# replaced by the helper's pid, releases the helper, waits for it, runs $FSOPS_SETTLE (a
# command, if set) until it succeeds (10 s at most), and stops ftk with SIGINT. ftk's output
# is $T/NAME.out; the helper's pid $T/NAME.helper.
fsops_run() {
	_n=$1
	_count=$2
	shift 2
	mkdir -p "$T/$_n.dir"
	"$FSOPS" "$_count" "$T/$_n.dir" >"$T/$_n.helper" &
	_h=$!
	wait_until 5 test -s "$T/$_n.helper"
	_hp=$(cat "$T/$_n.helper")
	_args=""
	for _a in "$@"; do
		[ "$_a" = @PID ] && _a=$_hp
		_args="$_args $_a"
	done
	# shellcheck disable=SC2086
	ftk_start "$_n" $_args || { kill "$_h"; wait "$_h"; return 1; }
	kill -USR1 "$_h"
	wait "$_h" || fail "$_n" "the helper failed"
	[ -n "${FSOPS_SETTLE:-}" ] && wait_until 10 $FSOPS_SETTLE
	ftk_stop "$_n"
}
