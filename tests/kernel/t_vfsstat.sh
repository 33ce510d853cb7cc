# SPDX-License-Identifier: GPL-2.0-only
# t_vfsstat.sh: `ftk vfsstat` counts exactly what a helper does (N of each file operation,
# by raw syscalls) when filtered on its pid: with kprobes on vfs_* where the kernel has
# kprobes, else the syscalls reaching them (said in the header and the JSON); CREATE stays 0
# (open(O_CREAT) is not vfs_create); interval and count end the run.
. "$(dirname "$0")/lib.sh"

if lockdown_confidentiality; then
	# tracefs hidden: the view's precise refusal, nothing else to test
	t=vfsstat_lockdown
	assert_rc $t 1 "$FTK" vfsstat 1 1 && assert_grep $t "$LOCKDOWN_MSG" "$T/last.err"
	pass $t
	exit 0
fi

. "$(dirname "$0")/fsops.sh"
N=500

t=vfsstat_usage
assert_rc $t 2 "$FTK" vfsstat 1 2 3 && assert_grep $t "unexpected argument" "$T/last.err"
assert_rc $t 2 "$FTK" vfsstat 0 && assert_grep $t "invalid interval" "$T/last.err"
assert_rc $t 0 "$FTK" vfsstat --help && assert_grep $t '^usage: ftk vfsstat' "$T/last.out" &&
	pass $t
lockdown_refusal vfsstat_lockdown vfsstat && exit 0

if _tracefs_feature kprobes; then SOURCE=kprobes; else SOURCE=syscalls; fi

# interval and count: 2 rows of 8 columns under bcc's header, then exit 0.
t=vfsstat_rows
assert_rc $t 0 "$FTK" vfsstat 1 2 &&
	assert_grep $t '^TIME         READ/s  WRITE/s  FSYNC/s   OPEN/s CREATE/s UNLINK/s  MKDIR/s  RMDIR/s$' "$T/last.out" &&
	assert_eq $t 2 "$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]: ' "$T/last.out")" &&
	pass $t
[ $SOURCE = syscalls ] && assert_grep vfsstat_rows '^Source: counting the syscalls' "$T/last.out"

if ! fsops_ready; then
	skip vfsstat_exact "no ftk-fsops helper (FTK_HELPERS)"
	exit 0
fi

# sum KEY: the sum of KEY over the records of $T/vfsstat_exact.out
sum() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$T/$t.out" | awk '{ s += $1 } END { print s + 0 }'
}
done_counting() {
	[ "$(sum rmdir)" -ge $N ] && [ "$(sum read)" -ge $N ]
}

t=vfsstat_exact
FSOPS_SETTLE=done_counting
if fsops_run $t $N vfsstat --json -p @PID 1; then
	for k in read write fsync open unlink mkdir rmdir; do
		# A function this kernel does not have (3.10: no vfs_open) is said on stderr and
		# its key is null, never a count.
		if grep -q "^ftk vfsstat: warning: no kprobe on .*vfs_$k (not traceable" "$T/$t.err"; then
			assert_no_grep $t "\"$k\":[0-9]" "$T/$t.out"
			continue
		fi
		assert_eq $t "$k=$N" "$k=$(sum $k)"
	done
	# the N files are made by open(O_CREAT): kernels whose lookup_open() goes through
	# vfs_create() (4.4 here) count them as creates, newer ones call ->create directly
	c=$(sum create)
	[ "$c" = 0 ] || assert_eq $t "create=$N" "create=$c"
	assert_grep $t "\"source\":\"$SOURCE\"" "$T/$t.out" &&
		assert_grep $t '^{"time":"[^"]*","ts":[0-9.]*,"source"' "$T/$t.out" && pass $t
fi
