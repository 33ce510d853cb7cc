# SPDX-License-Identifier: GPL-2.0-only
# t_opensnoop.sh: ftk opensnoop on the running kernel with known opens (ftk-xopen prints what
# each call returned): every open exactly once with its FD, ERR and path, in JSON and in the
# table, on the route this kernel offers; relative paths, a dirfd, spaces and control
# characters, ENOENT and EACCES; -x, -p, -t, -n, -u, -f, -e, -F, -T/-U; --dry-run, SIGTERM,
# kill -9 + reset, bad command lines.
. "$(dirname "$0")/lib.sh"

X=$FTK_HELPERS/ftk-xopen

lockdown_refusal os_lockdown opensnoop && exit 0

# The route this kernel gives (ftk features says which): kprobe, tracepoint or uprobe.
SRC=$("$FTK" features --json 2>/dev/null | tr -d '\n' |
	sed -n 's/.*"opensnoop":{"backend":"\([a-z]*\)".*/\1/p')
case $SRC in
kprobe | tracepoint) ANY=1 ;;	# every caller's path
uprobe) ANY="" ;;		# the C library's callers only
nopath)
	# No route to user strings (3.10: no ustring, uprobes not in instances): every open
	# still once with its FD and ERR, the path null with the reason.
	# Two sessions at once, each without its own opens (before 3.14 a tracepoint's filter
	# is global: ftk drops its own records in user space instead, ftk_event_not_self).
	t=os_nopath
	mkdir -p "$T/np"
	: >"$T/np/f"
	ftk_start os opensnoop --json || exit 0
	ftk_start os2 opensnoop --json || { ftk_stop os; exit 0; }
	"$X" -c "$T/np" openat:f openat:missing >"$T/xo1"
	ftk_stop os2
	ftk_stop os
	read -r P _ <"$T/xo1"
	FD=$(sed -n 2p "$T/xo1" | cut -d' ' -f2)
	U='"path":null,"path_source":null,"path_unknown":"no route to user strings on this kernel'
	# flags 0: the dynamic loader's opens have O_CLOEXEC
	for o in os os2; do
		for fe in "\"fd\":$FD,\"err\":0,\"dfd\":-100,\"flags\":0," \
			'"fd":-1,"err":2,"dfd":-100,"flags":0,'; do
			assert_eq $t "$o 1 $fe" "$o $(grep -F -- "\"tid\":$P," "$T/$o.out" |
				grep -F -- '"syscall":"openat"' | grep -F -- "$fe" | grep -cF -- "$U") $fe"
		done
		assert_eq $t "$o: no own opens" "$o: $(grep -cF "\"tid\":$(ftk_pid $o)," "$T/$o.out" |
			sed 's/^0$/no own opens/')"
	done
	pass $t
	exit 0
	;;
*)
	skip os_route "no path route here (backend '$SRC')"
	exit 0
	;;
esac

D=$T/d
mkdir -p "$D/sub"
CTL=$(printf 'ctl\001x\ny')
for f in "file one" sub/x sub/y sub/z sub/s rel "$CTL"; do
	: >"$D/$f"
done
chmod 0711 "$T" "$D"
: >"$D/secret"
chmod 0600 "$D/secret"
UNKNOWN='"path":null,"path_source":null,"path_unknown":"not called through the C library'"'"'s open functions'

# fd_of RESULTS N: FD and ERR of the Nth call in ftk-xopen's output (line 1 is "PID TID").
fd_of() {
	sed -n "$(($2 + 1))p" "$1" | cut -d' ' -f2,3
}

# one NAME OUT FRAGMENT: exactly one line of OUT (the helper's) holds FRAGMENT.
one() {
	_c=$(grep -F -- "\"tid\":$P," "$2" | grep -cF -- "$3")
	[ "$_c" = 1 ] && return 0
	fail "$1" "$_c lines with '$3'"
	grep -F -- "\"tid\":$P," "$2" | head -n 20 | sed 's/^/    | /'
	return 1
}

# ---- every open exactly once, exact FD/ERR/path, in JSON ----
t=os_exact_json
ftk_start os opensnoop --json || exit 0
"$X" -c "$D" -d "$D" open:"file one" openat:missing dirfd:sub/x wronly:w creat:c \
	fopen:sub/y "open:$D/file one" "openat:$CTL" "sysopen:$D/sub/s" openat2:sub/z >"$T/xo1"
ftk_stop os
read -r P _ <"$T/xo1"
# The dirfd (-d) is descriptor 3: each open gets 4.
assert_eq $t "open 4 0|openat -1 2|dirfd 4 0" "$(sed -n 2,4p "$T/xo1" | tr '\n' '|' | sed 's/|$//')"
H="\"pid\":$P,\"comm\":\"ftk-xopen\",\"tid\":$P,"
one $t "$T/os.out" "\"syscall\":\"openat\",\"fd\":4,\"err\":0,\"dfd\":-100,\"flags\":0,\"mode\":null,\"path\":\"file one\",\"path_source\":\"$SRC\","
one $t "$T/os.out" '"syscall":"openat","fd":-1,"err":2,"dfd":-100,"flags":0,"mode":null,"path":"missing",'
one $t "$T/os.out" "\"fd\":4,\"err\":0,\"dfd\":3,\"flags\":0,\"mode\":null,\"path\":\"sub/x\","
one $t "$T/os.out" '"syscall":"openat","fd":4,"err":0,"dfd":-100,"flags":577,"mode":416,"path":"w",'
one $t "$T/os.out" '"syscall":"creat","fd":4,"err":0,"dfd":null,"flags":577,"mode":384,"path":"c",'
one $t "$T/os.out" '"flags":0,"mode":null,"path":"sub/y",'
one $t "$T/os.out" "\"fd\":4,\"err\":0,\"dfd\":-100,\"flags\":0,\"mode\":null,\"path\":\"$D/file one\","
one $t "$T/os.out" '"path":"ctl\u0001x\ny",'
# openat2() came in 5.6: where there is no such syscall there is nothing to report
OPENAT2=1
has_tracepoint syscalls sys_enter_openat2 || OPENAT2=
if [ -n "$ANY" ]; then
	one $t "$T/os.out" "\"syscall\":\"open\",\"fd\":4,\"err\":0,\"dfd\":null,\"flags\":0,\"mode\":null,\"path\":\"$D/sub/s\",\"path_source\":\"$SRC\""
	[ -n "$OPENAT2" ] && one $t "$T/os.out" '"syscall":"openat2","fd":4,"err":0,"dfd":-100,'
	[ -n "$OPENAT2" ] && one $t "$T/os.out" '"path":"sub/z",'
else
	one $t "$T/os.out" "\"syscall\":\"open\",\"fd\":4,\"err\":0,\"dfd\":null,\"flags\":0,\"mode\":null,$UNKNOWN"
	[ -n "$OPENAT2" ] && one $t "$T/os.out" "\"syscall\":\"openat2\",\"fd\":4,\"err\":0,\"dfd\":-100,\"flags\":null,\"mode\":null,$UNKNOWN"
fi
[ -n "$OPENAT2" ] || assert_eq $t "" "$(grep -F '"syscall":"openat2"' "$T/os.out")"
# The common record head (ftk(8)), and the helper's own opens all named ftk-xopen.
HEAD='^{"time":"[0-9-]*T[0-9:.]*[+-][0-9:]*","ts":[0-9]*\.[0-9]\{9\},"cpu":[0-9]*,'
assert_grep $t "$HEAD$H\"uid\":" "$T/os.out" &&
	assert_eq $t "" "$(grep -F "\"tid\":$P," "$T/os.out" | grep -v "\"comm\":\"ftk-xopen\"" |
		grep -v '"path":"[^"]*xo1"')"
pass $t

# ---- the table: bcc's columns, exact lines ----
t=os_exact_table
ftk_start ost opensnoop -n xopen || exit 0
cat "$D/file one" >/dev/null
"$X" -c "$D" open:"file one" openat:missing "openat:$CTL" >"$T/xo2"
ftk_stop ost
read -r P _ <"$T/xo2"
set -- $(fd_of "$T/xo2" 1)
assert_eq $t "PID    COMM               FD ERR PATH" "$(head -1 "$T/ost.out")" &&
	assert_eq $t 1 "$(grep -cxF "$(printf '%-6d %-16s %4d %3d %s' "$P" ftk-xopen "$1" 0 'file one')" "$T/ost.out")" &&
	assert_eq $t 1 "$(grep -cxF "$(printf '%-6d %-16s %4d %3d %s' "$P" ftk-xopen -1 2 missing)" "$T/ost.out")" &&
	assert_eq $t 1 "$(grep -cxF "$(printf '%-6d %-16s %4d %3d %s' "$P" ftk-xopen 3 0 'ctl\x01x\x0ay')" "$T/ost.out")" &&
	assert_no_grep $t "^[0-9]* *cat " "$T/ost.out"
pass $t

# ---- -x: failed opens only; -e: FLAGS and MODE ----
t=os_failed_extended
ftk_start osx opensnoop -x -n xopen || exit 0
ftk_start ose opensnoop -e -n xopen || exit 0
"$X" -c "$D" open:"file one" openat:missing wronly:w >"$T/xo3"
ftk_stop osx
ftk_stop ose
read -r P _ <"$T/xo3"
assert_grep $t "^$P  *ftk-xopen  *-1   2 missing\$" "$T/osx.out" &&
	assert_no_grep $t " 0 file one\$" "$T/osx.out" &&
	assert_no_grep $t "^[0-9]*  *[^ ]*  *[0-9][0-9]*  *0 " "$T/osx.out" &&
	assert_eq $t "PID    COMM               FD ERR FLAGS    MODE PATH" "$(head -1 "$T/ose.out")" &&
	assert_grep $t "^$P  *ftk-xopen  *3   0 00000000 n/a  file one\$" "$T/ose.out" &&
	assert_grep $t "^$P  *ftk-xopen  *3   0 00001101 0640 w\$" "$T/ose.out"
pass $t

# ---- -f: flag filters (any of them) ----
t=os_flag_filter
ftk_start osf opensnoop -f O_WRONLY -n xopen || exit 0
ftk_start osf2 opensnoop -f O_RDONLY -f O_CREAT -n xopen || exit 0
"$X" -c "$D" open:"file one" wronly:w creat:c2 >"$T/xo4"
ftk_stop osf
ftk_stop osf2
assert_grep $t " w\$" "$T/osf.out" &&
	assert_grep $t " c2\$" "$T/osf.out" &&
	assert_no_grep $t "file one" "$T/osf.out" &&
	assert_grep $t " file one\$" "$T/osf2.out" &&
	assert_grep $t " w\$" "$T/osf2.out"
pass $t

# ---- -p and -t: a process started before ftk ----
t=os_pid_tid
rm -f "$T/go"
"$X" -c "$D" -W "$T/go" open:"file one" openat:sub/x >"$T/xo5" &
XP=$!
ftk_start osp opensnoop -p $XP || { kill $XP; exit 0; }
ftk_start ostid opensnoop -t $XP || { kill $XP; exit 0; }
cat "$D/sub/y" >/dev/null
: >"$T/go"
wait $XP
ftk_stop osp
ftk_stop ostid
assert_grep $t "^$XP  *ftk-xopen  *3   0 file one\$" "$T/osp.out" &&
	assert_grep $t "^$XP  *ftk-xopen  *3   0 sub/x\$" "$T/osp.out" &&
	assert_no_grep $t "sub/y" "$T/osp.out" &&
	assert_eq $t "" "$(sed 1d "$T/osp.out" | grep -v "^$XP ")" &&
	assert_eq $t "TID    COMM               FD ERR PATH" "$(head -1 "$T/ostid.out")" &&
	assert_grep $t "^$XP  *ftk-xopen  *3   0 sub/x\$" "$T/ostid.out" &&
	assert_eq $t "" "$(sed 1d "$T/ostid.out" | grep -v "^$XP ")"
pass $t

# ---- another user: EACCES, -u and -U (the uid is read while the process lives) ----
t=os_uid_eacces
ftk_start osu opensnoop -U -u 65534 || exit 0
"$X" -u 65534 -s 300 open:"$D/secret" open:"$D/file one" >"$T/xo6"
"$X" -c "$D" open:"file one" >/dev/null
ftk_stop osu
read -r P _ <"$T/xo6"
assert_eq $t "UID   PID    COMM               FD ERR PATH" "$(head -1 "$T/osu.out")" &&
	assert_grep $t "^65534 $P  *ftk-xopen  *-1  13 $D/secret\$" "$T/osu.out" &&
	assert_grep $t "^65534 $P  *ftk-xopen  *3   0 $D/file one\$" "$T/osu.out" &&
	assert_eq $t "" "$(sed 1d "$T/osu.out" | grep -v '^65534 ')"
pass $t

# ---- -F: relative paths resolved against the cwd or the dirfd (while the process lives) ----
t=os_full_path
ftk_start osF opensnoop -F -T -n xopen || exit 0
"$X" -c "$D" -d "$D/sub" -s 500 openat:rel dirfd:y "open:$D/sub/x" >"$T/xo7"
ftk_stop osF
assert_eq $t "TIME(s)       PID    COMM               FD ERR PATH" "$(head -1 "$T/osF.out")" &&
	assert_grep $t "^[0-9]*\.[0-9]\{9\} *[0-9]* *ftk-xopen  *4   0 $D/rel\$" "$T/osF.out" &&
	assert_grep $t " 4   0 $D/sub/y\$" "$T/osF.out" &&
	assert_grep $t " 4   0 $D/sub/x\$" "$T/osF.out"
pass $t

# ---- --dry-run prints the writes and makes none ----
t=os_dry_run
assert_rc $t 0 "$FTK" opensnoop --dry-run &&
	assert_grep $t "syscalls/sys_enter_openat/enable" "$T/last.out" &&
	assert_grep $t "syscalls/sys_exit_openat/enable" "$T/last.out"
case $SRC in
uprobe) assert_grep $t "uprobe_events" "$T/last.out" ;;
kprobe) assert_grep $t "kprobe_events" "$T/last.out" ;;
esac
pass $t

# ---- SIGTERM drains and restores; the end of -d too ----
ends_cleanly os_end opensnoop "PID    COMM               FD ERR PATH"

# ---- kill -9 of ftk and its guardian leaves state; ftk reset removes exactly it ----
kill9_reset os_kill9_reset opensnoop

# ---- bad command lines: exit 2, one error line; impossible requests: exit 1 ----
t=os_bad_input
usage_errors $t opensnoop "-f O_BOGUS" "-f" "-t x" "-t 0" "-u -1" "-u abc" "--bogus" \
	"-p abc" "-d 0" "--backend nosuch"
assert_rc $t 1 "$FTK" opensnoop -p 2147483646 &&
	assert_grep $t "no process with PID 2147483646" "$T/last.err"
pass $t
