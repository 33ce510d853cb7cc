# SPDX-License-Identifier: GPL-2.0-only
# t_execsnoop.sh: ftk execsnoop on the running kernel with known execs (ftk-xexec gives exact
# argv bytes): exact JSON and table lines, --max-args edges, failed execs, filters, a static
# caller, execveat, two sessions at once, SIGTERM, kill -9 + reset, bad command lines.
. "$(dirname "$0")/lib.sh"

X=$FTK_HELPERS/ftk-xexec
XS=$FTK_HELPERS/ftk-xexec-static
TRUE=$(command -v true)
case $TRUE in /*) ;; *) TRUE=/bin/true ;; esac
SLEEP=$(command -v sleep)
M=ftkmark$$

lockdown_refusal es_lockdown execsnoop && exit 0

# The backend this kernel gives (kprobe where kprobes can read user strings, else uprobe,
# else proc), as `ftk features --json` reports it.
SRC=$("$FTK" features --json 2>/dev/null | tr -d '\n' |
	sed -n 's/.*"execsnoop":{"backend":"\([a-z]*\)".*/\1/p')
[ -n "$SRC" ] || SRC=uprobe

# line_of NAME MARK: the output line(s) of NAME containing MARK, leaving out the exec of
# ftk-xexec itself (its own command line carries the mark too)
line_of() {
	grep -F -- "$2" "$T/$1.out" | grep -v 'ftk-xexec'
}

# ---- exact argv in JSON and in the table ----
t=es_tricky_json
# The empty argument: where the kernel's ustring stores "" with length 0, as it stores a
# fault (seen on 5.10), ftk cannot tell them apart and says null ([?]) unless /proc still
# has the process: then null is accepted there.
EMPTY='""'
[ "$SRC" = kprobe ] && EMPTY=null
ftk_start es execsnoop --json || exit 0
LONG=$(printf '%0300d' 0 | tr 0 L)
"$X" -p "$T/p1" "$TRUE" true "$M-1" 'a b' '' 'q"uote' 'back\\slash' 'tab\there' 'nl\nx' \
	'esc\e[31mred' 'héllo ✓' "$LONG"
read -r P1 PP1 <"$T/p1"
ftk_stop es
# The common record head (ftk(8)): time, ts (CLOCK_MONOTONIC seconds), cpu, pid, comm.
HEAD='^{"time":"[0-9-]*T[0-9:.]*[+-][0-9:]*","ts":[0-9]*\.[0-9]\{9\},"cpu":[0-9]*,'
assert_eq $t 1 "$(line_of es "$M-1" | grep -c '"comm":"true"')" &&
	assert_grep $t "$HEAD\"pid\":$P1,\"comm\":\"true\",\"ppid\":$PP1," "$T/es.out" &&
	assert_grep $t '"comm":"true"' "$T/es.out" &&
	assert_grep $t "\"filename\":\"$TRUE\"" "$T/es.out" &&
	assert_grep $t '"ret":0,' "$T/es.out" &&
	assert_grep $t "\"args_truncated\":false,\"args_source\":\"$SRC\"" "$T/es.out" &&
	assert_grep $t "\"args\":\[\"true\",\"$M-1\",\"a b\",\(\"\"\|$EMPTY\),\"q\\\\\"uote\",\"back\\\\\\\\slash\",\"tab\\\\there\",\"nl\\\\nx\",\"esc\\\\u001b\[31mred\",\"héllo ✓\",\"$LONG\"\]" "$T/es.out"
pass $t

t=es_tricky_table
ftk_start est execsnoop || exit 0
"$X" -p "$T/p2" "$TRUE" true "$M-2" 'a b' '' 'tab\there' 'nl\nx' 'esc\e[31mred' 'c1\xc2\x9bx' 'bad\xffutf'
read -r P2 PP2 <"$T/p2"
ftk_stop est
EXP=$(printf '%-16s %-7s %-7s %3s %s' true "$P2" "$PP2" 0 \
	"true $M-2 a b  tab\\x09here nl\\x0ax esc\\x1b[31mred c1\\xc2\\x9bx bad\\xffutf")
EXP2=$(printf '%-16s %-7s %-7s %3s %s' true "$P2" "$PP2" 0 \
	"true $M-2 a b [?] tab\\x09here nl\\x0ax esc\\x1b[31mred c1\\xc2\\x9bx bad\\xffutf")
L2=$(line_of est "$M-2")
[ "$SRC" = kprobe ] && [ "$L2" = "$EXP2" ] && EXP=$EXP2
assert_eq $t "$EXP" "$L2" &&
	assert_eq $t "PCOMM            PID     PPID    RET ARGS" "$(head -1 "$T/est.out")"
pass $t

# ---- long arguments: exact, or null when unreadable; never silently cut ----
# A probe carries up to ~4043 bytes of one argument (uprobe: one page and one sub-buffer
# record; kprobe: one record); longer ones come from /proc/PID/cmdline while the process
# lives (sh -c 'sleep 0.3; :' lives, and does not exec sleep in place). Lengths of 4084-4095
# are left out: on the uprobe backend they make the kernel WARN (man page, LIMITS).
t=es_long_args
SH=$(command -v sh)
# Before 4.2 ("proc: fix PAGE_SIZE limit of /proc/$PID/cmdline") /proc gives one page of
# argv: an argument it cuts is unknown there (null), never cut short.
A=$(printf '%05000d' 0)
LNULL=""
[ "$("$SH" -c 'wc -c </proc/$$/cmdline' sh "$A")" -lt 5000 ] && LNULL=1
ftk_start esl execsnoop --json || exit 0
for n in 4000 4043 4044 4096 5000; do
	A=$(printf "%0${n}d" 0 | tr 0 A)
	"$X" "$SH" sh -c 'sleep 0.3; :' "$M-L$n" "$A"
	"$X" "$TRUE" true "$M-S$n" "$A"
done
ftk_stop esl
for n in 4000 4043 4044 4096 5000; do
	A=$(printf "%0${n}d" 0 | tr 0 A)
	L="\"args\":[\"sh\",\"-c\",\"sleep 0.3; :\",\"$M-L$n\","
	LA="$L\"$A\"],"
	[ -n "$LNULL" ] && LN="${L}null]," || LN=$LA
	assert_eq $t 1 "$(line_of esl "$M-L$n" | grep -cF -e "$LA" -e "$LN")" ||
		_show "$T/esl.err"
	# exits at once: whole (probe, or /proc in time) or null, nothing in between
	assert_eq $t 1 "$(line_of esl "$M-S$n" | grep -cF -e "\"args\":[\"true\",\"$M-S$n\",\"$A\"]," \
		-e "\"args\":[\"true\",\"$M-S$n\",null],")"
done
pass $t

# ---- --max-args: equal is not truncated; one more is, with a marker ----
t=es_max_args
ftk_start esm execsnoop --json || exit 0
# argc 20 (argv0 + 19): exactly the default max, not truncated
"$X" "$TRUE" true "$M-3" 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
# argc 30 (argv0 + 29): 20 shown + truncated
"$X" "$TRUE" true "$M-4" 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
ftk_stop esm
A20='"true","'$M'-3","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20"'
A30='"true","'$M'-4","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20"'
assert_grep $t "\"args\":\[$A20\],\"args_truncated\":false" "$T/esm.out" &&
	assert_grep $t "\"args\":\[$A30\],\"args_truncated\":true" "$T/esm.out"
pass $t

t=es_max_args_table
ftk_start esm2 execsnoop --max-args 3 || exit 0
"$X" "$TRUE" true "$M-5" x
"$X" "$TRUE" true "$M-6" x y
ftk_stop esm2
assert_grep $t " true $M-5 x\$" "$T/esm2.out" &&
	assert_grep $t " true $M-6 x \.\.\.\$" "$T/esm2.out"
pass $t

# ---- failed execs ----
t=es_fails
if ! has_tracepoint syscalls sys_exit_execve; then
	# no execve syscall events (x86-64 kernels whose syscall table holds stub_execve)
	assert_rc $t 1 "$FTK" execsnoop -x &&
		assert_grep $t '^ftk execsnoop: error: -x: this kernel has no syscalls:sys_exit_execve tracepoint' "$T/last.err"
	pass $t
else
ftk_start esx execsnoop -x || exit 0
ftk_start esn execsnoop || exit 0
"$X" /nonexistent/ftk-no-such "$M-7" 2>/dev/null
"$X" "$TRUE" true "$M-8"
ftk_stop esx
ftk_stop esn
assert_grep $t " -2 $M-7\$" "$T/esx.out" &&
	assert_grep $t "^ftk-xexec  *[0-9]* *[0-9]* *-2 $M-7\$" "$T/esx.out" &&
	assert_eq $t "" "$(line_of esn "$M-7")" &&
	assert_grep $t "  0 true $M-8\$" "$T/esn.out"
pass $t
fi

# ---- filters: -n (comm regex), -l (args regex), -P (parent) ----
t=es_filters
ftk_start esf_n execsnoop -n '^tru' || exit 0
ftk_start esf_l execsnoop -l "$M-10" || exit 0
ftk_start esf_p execsnoop -P $$ || exit 0
"$X" "$TRUE" true "$M-9"
"$X" "$TRUE" true "$M-10"
sh -c "\"$X\" \"$TRUE\" true $M-11; :"
ftk_stop esf_n
ftk_stop esf_l
ftk_stop esf_p
assert_grep $t "$M-9" "$T/esf_n.out" &&
	assert_no_grep $t "ftk-xexec\|^sh " "$T/esf_n.out" &&
	assert_eq $t 1 "$(line_of esf_l "$M" | wc -l)" &&
	assert_grep $t "$M-10\$" "$T/esf_l.out" &&
	assert_grep $t "$M-9" "$T/esf_p.out" &&
	assert_grep $t "^sh .* $M-11; :\$" "$T/esf_p.out" &&
	assert_no_grep $t "^true .*$M-11" "$T/esf_p.out"
pass $t

# ---- a static caller (no libc uprobe sees it) and execveat/fexecve ----
t=es_static_caller
ftk_start ess execsnoop --json || exit 0
# The static caller's exec is seen by the sched tracepoint; with kprobes its argv comes from
# the syscall like any other, with uprobes (on the system libc, which a static binary does
# not use) from /proc while the new program lives (sh -c 'sleep 0.5' lives half a second).
if [ $SRC = kprobe ]; then SSRC=kprobe; else SSRC=proc; fi
"$XS" -p "$T/p3" /bin/sh sh -c 'sleep 0.5' "$M-12" &
wait $!
read -r P3 PP3 <"$T/p3"
ftk_stop ess
assert_grep $t "\"pid\":$P3,\"comm\":\"[^\"]*\",\"ppid\":$PP3,.*\"args\":\[\"sh\",\"-c\",\"sleep 0.5\",\"$M-12\"\],\"args_truncated\":false,\"args_source\":\"$SSRC\"" "$T/ess.out"
pass $t

t=es_execveat
ftk_start esa execsnoop --json || exit 0
"$X" -a "$TRUE" true "$M-13" at 2>"$T/esa.a.err"
arc=$?
"$X" -f "$TRUE" true "$M-14" fd 2>"$T/esa.f.err"
frc=$?
ftk_stop esa
# Debian's 5.10 guest: fexecve() itself fails (execveat(fd, "", AT_EMPTY_PATH) gives
# ENOENT, "xexec: No such file or directory", exit 127): no exec to report then.
[ "$frc" = 0 ] || { assert_grep $t 'No such file or directory' "$T/esa.f.err" &&
	assert_eq $t "" "$(grep '"filename":"/dev/fd/' "$T/esa.out")"; }
# execveat() came in 3.19: where the helper gets ENOSYS, nothing to report
if [ "$arc" = 0 ]; then
	assert_grep $t "\"args\":\[\"true\",\"$M-13\",\"at\"\]" "$T/esa.out"
else
	assert_grep $t 'Function not implemented' "$T/esa.a.err"
fi
# (without execveat, before 3.19, the C library's fexecve() runs /proc/self/fd/N)
[ "$frc" = 0 ] && assert_grep $t "\"comm\":\"\(true\|[0-9]*\)\",.*\"filename\":\"\(/dev/fd\|/proc/self/fd\)/[0-9]*\"" "$T/esa.out"
# (comm: kernels name the task after the fd number, "3", until the kernel change "exec: fix
# up /proc/pid/comm in the execveat(AT_EMPTY_PATH) case" (2024, in 6.12's stable series))
pass $t

# ---- two sessions at once both see everything ----
t=es_two_sessions
ftk_start es2a execsnoop || exit 0
ftk_start es2b execsnoop -q || exit 0
"$X" "$TRUE" true "$M-15" 'x y'
ftk_stop es2a
ftk_stop es2b
assert_grep $t " true $M-15 x y\$" "$T/es2a.out" &&
	assert_grep $t ' "true" "'"$M"'-15" "x y"$' "$T/es2b.out"
pass $t

# ---- -U / -T / -t columns ----
t=es_columns
ftk_start esc execsnoop -U -T -t || exit 0
"$X" "$TRUE" true "$M-16"
ftk_stop esc
assert_eq $t "TIME     TIME(s) UID   PCOMM            PID     PPID    RET ARGS" "$(head -1 "$T/esc.out")" &&
	assert_grep $t "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] [0-9]*\.[0-9][0-9][0-9] *0  *true  " "$T/esc.out"
pass $t

# ---- SIGTERM drains and restores; so do SIGHUP and the end of -d ----
ends_cleanly es_end execsnoop "PCOMM            PID     PPID    RET ARGS"

# ---- kill -9 of ftk and its guardian leaves state; ftk reset removes exactly it ----
kill9_reset es_kill9_reset execsnoop

# ---- bad command lines: exit 2, one-line error; impossible requests: exit 1 ----
t=es_bad_input
usage_errors $t execsnoop "--max-args 0" "--max-args -3" "--max-args abc" \
	"--max-args 99999999999999999999" "--bogus" "-Z" "-P x" "-d 0" "--max-args"
assert_rc $t 1 "$FTK" execsnoop -u ftk-no-such-user &&
	assert_grep $t "no such user 'ftk-no-such-user'" "$T/last.err"
pass $t

t=es_not_root
if command -v setpriv >/dev/null 2>&1; then
	assert_rc $t 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$FTK" execsnoop &&
		assert_grep $t "must be run as root" "$T/last.err"
	pass $t
else
	skip $t "no setpriv to drop root"
fi
