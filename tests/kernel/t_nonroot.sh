# SPDX-License-Identifier: GPL-2.0-only
# t_nonroot.sh: ftk as an unprivileged user (setpriv to nobody, no groups). tracefs checks
# plain file permissions, so every view refuses with exit 1, the precise reason (the mount's
# mode and group, or read-only group access) and what root or an admin can do; `ftk features`
# runs and says what this user can and cannot do (ACCESS rows, the access JSON key, kallsyms);
# `ftk list` refuses to read tracefs the same way but lists views and options; --help needs
# no privilege.
. "$(dirname "$0")/lib.sh"

# util-linux setpriv by path: busybox sh would run its own applet, which lacks --reuid.
SETPRIV=""
for p in /usr/bin/setpriv /bin/setpriv; do
	[ -x "$p" ] && SETPRIV=$p && break
done
if [ -z "$SETPRIV" ] || ! "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups true \
	>/dev/null 2>&1; then
	skip nonroot "no setpriv (util-linux) to drop root"
	exit 0
fi
# The binary must be reachable by nobody (a build tree under a 0700 home is not).
if ! "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups "$FTK" --version >/dev/null 2>&1; then
	skip nonroot "nobody cannot run $FTK (a directory on its path is not searchable)"
	exit 0
fi
as_nobody() {
	"$SETPRIV" --reuid=65534 --regid=65534 --clear-groups "$@"
}

# Can nobody (no groups) read tracefs? Only if an admin opened it to all; then the refusal
# is "can read ... but not write it".
DIR=${TRACEFS:-/sys/kernel/tracing}
if as_nobody test -r "$DIR/README" 2>/dev/null; then
	WHY="user nobody can read $DIR"
elif [ -n "$TRACEFS" ] && [ "$TRACEFS" = /sys/kernel/debug/tracing ]; then
	WHY="user nobody cannot open /sys/kernel/debug"
elif [ -n "$TRACEFS" ]; then
	WHY="user nobody cannot open $DIR (d[rwx-]\{9\} [^ ]*:[^ ]*, and nobody is not in group"
else
	WHY="tracefs is not mounted"
fi

t=nonroot_views
for v in "execsnoop" "execsnoop --dry-run" "biosnoop" "biolatency 1 1" "graph vfs_read" \
	"trace -e sched:sched_switch" "reset"; do
	name=${v%% *}
	# shellcheck disable=SC2086
	assert_rc $t 1 as_nobody "$FTK" $v || continue
	assert_grep $t "^ftk $name: error: must be run as root: $WHY" "$T/last.err"
	assert_grep $t "^hint: run it as root (sudo ftk $name)" "$T/last.err"
	case $WHY in
	*"cannot open $DIR"*)
		assert_grep $t "CAP_PERFMON does not open it" "$T/last.err"
		assert_grep $t "mount -o remount,gid=GROUP,mode=0750 $DIR" "$T/last.err" ;;
	esac
	assert_eq $t 2 "$(wc -l <"$T/last.err" | tr -d ' ')"
	assert_eq $t "" "$(cat "$T/last.out")"
done
pass $t

t=nonroot_help
for v in execsnoop biosnoop biolatency graph trace list features reset; do
	assert_rc $t 0 as_nobody "$FTK" $v --help && assert_grep $t "^usage: ftk $v" "$T/last.out"
done
pass $t

t=nonroot_usage
# A malformed command line is still a usage error (2), before any privilege check.
assert_rc $t 2 as_nobody "$FTK" execsnoop --bogus
assert_rc $t 2 as_nobody "$FTK" list bogus && assert_grep $t "cannot list 'bogus'" "$T/last.err"
pass $t

t=nonroot_features
assert_rc $t 0 as_nobody "$FTK" features
assert_grep $t '^note: not root' "$T/last.out"
assert_grep $t '^ACCESS  *OK  *DETAIL$' "$T/last.out"
case $WHY in
*"can read"*) assert_grep $t '^read tracefs  *yes' "$T/last.out" ;;
*) assert_grep $t "^read tracefs  *no  *$WHY" "$T/last.out" ;;
esac
assert_grep $t '^trace  *no  ' "$T/last.out"
# kallsyms: what nobody really sees in /proc/kallsyms.
if as_nobody head -1 /proc/kallsyms | grep -q '^0*[ 	]'; then
	assert_grep $t "^kallsyms  *no  *kallsyms addresses hidden (kptr_restrict=" "$T/last.out"
	assert_grep $t '^remedy: kallsyms: ' "$T/last.out"
else
	assert_grep $t '^kallsyms  *yes' "$T/last.out"
fi
assert_grep $t '^remedy: run it as root (sudo ftk features)' "$T/last.out"
assert_rc $t 0 as_nobody "$FTK" features --json
assert_grep $t '"root":false,"access":{"level":"\(none\|read\)","why":"' "$T/last.out"
assert_grep $t '"kallsyms":\(true\|false\)' "$T/last.out"
assert_rc $t 0 "$FTK" features --json
assert_grep $t '"root":true,"access":{"level":"root","why":null,"remedy":null' "$T/last.out"
pass $t

t=nonroot_list
case $WHY in
*"can read"*)
	assert_rc $t 0 as_nobody "$FTK" list events 'sched:*' ;;
*)
	assert_rc $t 1 as_nobody "$FTK" list events &&
		assert_grep $t "^ftk list: error: cannot list events: $WHY" "$T/last.err" &&
		assert_grep $t "^hint: run it as root (sudo ftk list)" "$T/last.err"
	assert_rc $t 1 as_nobody "$FTK" list tracers ;;
esac
# What needs no tracefs works for anyone.
assert_rc $t 0 as_nobody "$FTK" list views && assert_grep $t '^execsnoop  ' "$T/last.out"
assert_rc $t 0 as_nobody "$FTK" list options execsnoop &&
	assert_grep $t '^-u --uid USER$' "$T/last.out"
libc=""
for p in /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc.so.6 /lib64/libc.so.6; do
	[ -r "$p" ] && libc=$p && break
done
if [ -n "$libc" ]; then
	assert_rc $t 0 as_nobody "$FTK" list uprobe-symbols "$libc" 'execve*' &&
		assert_grep $t '^execve$' "$T/last.out"
fi
pass $t
