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

# ---- the counting route: hist, else probe hit counters (kprobes, no -p), else an instance
# per column read by its ring-buffer stats (rb_stats; not the syscalls: 8 instances of
# syscall events would slow every syscall more than the ring), else the ring buffer ----
route_of() {
	if has_feature hist; then echo hist; return; fi
	if [ $SOURCE = kprobes ] && [ "$1" = all ]; then echo profile; return; fi
	if has_feature rb_stats && [ $SOURCE = kprobes ]; then
		echo stats
	else
		echo ring
	fi
}

t=vfsstat_route
for who in all pid; do
	args="--dry-run 1 1"
	[ $who = pid ] && args="--dry-run -p $$ 1 1"
	want=$(route_of $who)
	# shellcheck disable=SC2086
	assert_rc $t 0 "$FTK" vfsstat $args &&
		assert_grep $t "^ftk vfsstat: source $SOURCE, counting by $want " "$T/last.err" || continue
	n=$(grep -c '^mkdir .*/instances/ftk-[0-9]*-c[0-9]*$' "$T/last.out")
	if [ "$want" = stats ]; then
		[ "$n" -ge 1 ] && [ "$n" -le 8 ] || fail $t "$who: $n counting instances (1 to 8)"
		[ $SOURCE = syscalls ] && assert_eq $t "$who: 8" "$who: $n"
		assert_grep $t "^echo '1' > .*/instances/ftk-[0-9]*-c0/options/overwrite\$" "$T/last.out"
	else
		assert_eq $t "$who: 0" "$who: $n"
	fi
done
# the syscall source with -p: the ring (an instance per column would put 8 syscall handlers
# on every syscall)
if [ $SOURCE = kprobes ] && has_feature syscall_tp && ! has_feature hist; then
	want=ring
	assert_rc $t 0 "$FTK" vfsstat --backend syscalls --dry-run -p $$ 1 1 &&
		assert_grep $t "^ftk vfsstat: source syscalls, counting by $want " "$T/last.err"
fi
pass $t

# kill -9 of ftk and its guardian (a group kill) while counting by stats: `ftk reset` removes
# the session's instance and its counting instances ftk-PID-c<n>, with the journal and, a
# second time, without it (the namespace alone: a lost journal). vfsstat where it counts by
# stats (kprobes with -p), else funccount on two tracepoints by stats (asked for: hist
# would count them where it exists).
t=vfsstat_stats_kill_reset
if [ "$(route_of pid)" = stats ]; then
	cmd="vfsstat -p $$ 1"
	header='^TIME'
elif has_feature rb_stats; then
	cmd="funccount --backend stats -p $$ -i 1 t:sched:sched_process_fork t:sched:sched_process_exit"
	header='^Tracing 2 functions'
else
	cmd=
fi
if [ -z "$cmd" ]; then
	skip $t "no counting instances here (rb_stats)"
else
	for journal in kept lost; do
		# a file of its own: the shell may look before the child truncates an old one
		o=$T/$t.$journal
		# shellcheck disable=SC2086
		setsid "$FTK" $cmd >"$o.out" 2>"$o.err" &
		p=$!
		[ -n "${FTK_RUN_DIR:-}" ] && echo "$p" >>"$FTK_RUN_DIR/pids"
		if ! wait_until 10 grep -q "$header" "$o.out"; then
			fail $t "no header"
			kill -KILL -"$p" 2>/dev/null
			wait "$p" 2>/dev/null
			break
		fi
		n=$(ls "$TRACEFS/instances" | grep -c "^ftk-$p-c[0-9]*\$")
		if [ "$n" -lt 1 ]; then
			fail $t "no counting instance ftk-$p-c<n> while it runs ($journal; alive:" \
				"$(kill -0 "$p" 2>&1 && echo yes); instances: $(ls "$TRACEFS/instances" |
				tr '\n' ' '); ftk: $(ps 2>/dev/null | grep '[f]tk' | tr -s ' ' | tr '\n' ';'))"
			_show "$o.err"
		fi
		kill -KILL -"$p"
		wait "$p" 2>/dev/null
		sleep 0.5
		left=$(ls "$TRACEFS/instances" | grep -c "^ftk-$p-c[0-9]*\$")
		assert_eq $t "left after the kill ($journal): $n" "left after the kill ($journal): $left"
		[ $journal = lost ] && rm -f "/run/ftk/$p.journal"
		assert_rc $t 0 "$FTK" reset
		assert_eq $t "removed ($journal): $n" \
			"removed ($journal): $(grep -c "^removed instance ftk-$p-c[0-9]*\$" "$T/last.out")"
		assert_grep $t "^removed instance ftk-$p\$" "$T/last.out"
		assert_eq $t "" "$(ls "$TRACEFS/instances" | grep "^ftk-$p")"
	done
	pass $t
fi
