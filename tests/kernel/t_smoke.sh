# SPDX-License-Identifier: GPL-2.0-only
# t_smoke.sh: the harness itself and ftk's command line basics (no tracing): --version,
# --help, an unknown view exits 2 with a one-line error.
. "$(dirname "$0")/lib.sh"

t=smoke_version
assert_rc $t 0 "$FTK" --version && assert_grep $t '^ftk [0-9]' "$T/last.out"
pass $t

t=smoke_help
assert_rc $t 0 "$FTK" --help && assert_grep $t 'execsnoop' "$T/last.out"
pass $t

t=smoke_unknown_view
assert_rc $t 2 "$FTK" no-such-view &&
	assert_grep $t "^ftk: error: unknown view 'no-such-view'" "$T/last.err" &&
	assert_eq $t "" "$(cat "$T/last.out")"
pass $t

t=smoke_no_view
assert_rc $t 2 "$FTK"
pass $t
