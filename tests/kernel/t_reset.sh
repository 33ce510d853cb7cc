# SPDX-License-Identifier: GPL-2.0-only
# t_reset.sh: `ftk reset` removes exactly what dead ftk sessions left and nothing else. The
# leftovers are made by hand, without ftk: instances ftk-DEAD (with a uprobe of group
# ftk_DEAD enabled in it, so the instance must go before the probe) and ftk-SLEEP (a live
# process that is not ftk), a journal /run/ftk/DEAD.journal recording two top-level files
# the dead session "changed" (set_event_pid, options/print-parent), and things that must
# survive: ftk-FTK of a live process named ftk with its journal, a foreign scratch instance.
# Also: an instance held open cannot be removed (exit 1, the holder named, journal kept),
# root is required, and a malformed command line exits 2.
. "$(dirname "$0")/lib.sh"

# util-linux setpriv by path: busybox sh would run its own applet, which lacks --reuid.
SETPRIV=""
for p in /usr/bin/setpriv /bin/setpriv; do
	[ -x "$p" ] && SETPRIV=$p && break
done

JDIR=/run/ftk
made_inst=""
made_files=""
kids=""
saved_pp=""

# Undo whatever a failed run left (normally ftk reset did it all).
cleanup_reset() {
	for k in $kids; do
		kill "$k" 2>/dev/null
	done
	for k in $kids; do
		wait "$k" 2>/dev/null
	done
	for i in $made_inst; do
		[ -d "$TRACEFS/instances/$i" ] && rmdir "$TRACEFS/instances/$i" 2>/dev/null
	done
	if [ -n "$TRACEFS" ] && [ -e "$TRACEFS/uprobe_events" ]; then
		for d in $made_probes; do
			grep -q "$d " "$TRACEFS/uprobe_events" 2>/dev/null &&
				printf -- '-:%s\n' "$d" >>"$TRACEFS/uprobe_events"
		done
	fi
	[ -n "$saved_pp" ] && printf '%s\n' "$saved_pp" >"$TRACEFS/options/print-parent"
	[ -n "$restore_pid" ] && printf '%s' "$before_pid" >"$TRACEFS/set_event_pid"
	for f in $made_files; do
		rm -f "$f"
	done
}
made_probes=""
restore_pid=""
trap 'cleanup_reset; _ftk_cleanup' EXIT

hexenc() {
	if od -An -tx1 -v </dev/null >/dev/null 2>&1; then
		od -An -tx1 -v | tr -d ' \n'
	else
		hexdump -ve '1/1 "%02x"'
	fi
}

# starttime (field 22 of /proc/PID/stat)
starttime() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20
}

# A pid that just died.
dead_pid() {
	sh -c 'echo $$'
}

# A live process whose comm is "ftk" (the shell stays: `sleep; :` is not exec'd).
start_fake_ftk() {
	sh -c 'printf ftk >/proc/$$/comm; sleep 60; :' &
	fake=$!
	kids="$kids $fake"
	wait_until 5 grep -qx ftk "/proc/$fake/comm"
}

# FILE:OFFSET of getpid in the libc that PID maps, when readelf can tell; else nothing.
libc_getpid() {
	command -v readelf >/dev/null 2>&1 || return 0
	lib=$(grep -m1 -o '/[^ ]*libc[.-][^ ]*\.so[^ ]*' "/proc/$1/maps" 2>/dev/null)
	[ -n "$lib" ] || lib=$(grep -m1 -o '/[^ ]*libc\.so\.6' "/proc/$1/maps" 2>/dev/null)
	[ -n "$lib" ] || return 0
	va=$(readelf -Ws "$lib" | awk '$4 == "FUNC" && ($8 == "getpid" || $8 ~ /^getpid@@/) \
		{ print $2; exit }')
	[ -n "$va" ] || return 0
	# The executable PT_LOAD that holds it: file offset = vaddr - seg vaddr + seg offset.
	readelf -lW "$lib" | while read -r typ off vaddr _ _ _ flg; do
		[ "$typ" = LOAD ] || continue
		case $flg in *E*) ;; *) continue ;; esac	# "R E 0x1000"
		[ $((0x$va)) -ge $((vaddr)) ] || continue
		printf '%s:0x%x\n' "$lib" $((0x$va - vaddr + off))
		break
	done
}

t=reset_usage
assert_rc $t 2 "$FTK" reset extra && assert_grep $t "unexpected argument 'extra'" "$T/last.err"
assert_rc $t 2 "$FTK" reset --bogus
assert_rc $t 0 "$FTK" reset --help && assert_grep $t '^usage: ftk reset' "$T/last.out"
pass $t

t=reset_needs_root
if [ -n "$SETPRIV" ] &&
	"$SETPRIV" --reuid=65534 --regid=65534 --clear-groups true >/dev/null 2>&1; then
	assert_rc $t 1 "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups "$FTK" reset &&
		assert_grep $t 'must be run as root' "$T/last.err"
	pass $t
else
	skip $t "no setpriv (util-linux) to drop root"
fi

if [ -z "$TRACEFS" ] || lockdown_confidentiality; then
	t=reset_no_tracefs
	assert_rc $t 1 "$FTK" reset && assert_grep $t "$LOCKDOWN_MSG" "$T/last.err"
	pass $t
	exit 0
fi

# ---- the leftovers ----
t=reset_dead
D=$(dead_pid)
[ -d "/proc/$D" ] && { fail $t "pid $D is not dead"; exit 0; }
sleep 60 &
S=$!
kids="$kids $S"
start_fake_ftk || fail $t "no fake ftk process"
F=$fake
FOREIGN=scratch-kt-$$
for i in "ftk-$D" "ftk-$S" "ftk-$F" "$FOREIGN"; do
	mkdir "$TRACEFS/instances/$i" || fail $t "cannot create instance $i"
	made_inst="$made_inst $i"
done

probe=""
if has_feature uprobes; then
	probe=$(libc_getpid "$S")
	[ -n "$probe" ] || probe=$(libc_getpid $$)
	[ -n "$probe" ] || probe=$(libc_getpid "$(pgrep -o -x sh 2>/dev/null || echo 1)")
fi
if [ -n "$probe" ]; then
	printf 'p:ftk_%s/getpid %s\n' "$D" "$probe" >>"$TRACEFS/uprobe_events" ||
		fail $t "cannot add uprobe at $probe"
	made_probes="ftk_$D/getpid"
	# Enabled in the dead instance: removing the probe first would fail with EBUSY.
	echo 1 >"$TRACEFS/instances/ftk-$D/events/ftk_$D/getpid/enable" ||
		fail $t "cannot enable the uprobe in ftk-$D"
fi

# The dead session's global changes: set_event_pid (was empty here) and print-parent.
# (no set_event_pid before 4.4: the journal line then names a file ftk reset skips)
EVPID=""
[ -e "$TRACEFS/set_event_pid" ] && EVPID=1
before_pid=$(cat "$TRACEFS/set_event_pid" 2>/dev/null)
saved_pp=$(cat "$TRACEFS/options/print-parent")
old_pp_hex=$(printf '%s\n' "$saved_pp" | hexenc)
old_pid_hex=$(printf '%s' "$before_pid" | hexenc)
[ -n "$before_pid" ] && old_pid_hex=$(printf '%s\n' "$before_pid" | hexenc)
mkdir -p "$JDIR" && chmod 700 "$JDIR"
printf 'session %s 1\ninstance ftk-%s\ngroup ftk_%s\nglobal set_event_pid %s\n' \
	"$D" "$D" "$D" "$old_pid_hex" >"$JDIR/$D.journal"
printf 'global options/print-parent %s\ntracer ftk-%s nop\n' "$old_pp_hex" "$D" \
	>>"$JDIR/$D.journal"
made_files="$JDIR/$D.journal"
if [ -n "$EVPID" ]; then
	restore_pid=1
	echo "$S" >"$TRACEFS/set_event_pid"
fi
if [ "$saved_pp" = 1 ]; then echo 0; else echo 1; fi >"$TRACEFS/options/print-parent"
# The live ftk's journal: must stay, and its lines must not be applied.
printf 'session %s %s\nglobal options/print-parent %s\n' "$F" "$(starttime "$F")" \
	"$old_pp_hex" >"$JDIR/$F.journal"
made_files="$made_files $JDIR/$F.journal"

assert_rc $t 0 "$FTK" reset
cp "$T/last.out" "$T/reset1.out"
# Exactly these lines about our pids, in this order (other dead sessions of a shared host
# may add lines of their own pids).
{
	for p in $(printf '%s\n%s\n' "$D" "$S" | sort -n); do
		if [ "$p" = "$D" ]; then
			echo "removed instance ftk-$D"
			[ -n "$probe" ] && echo "removed uprobe ftk_$D/getpid"
			echo "restored options/print-parent"
			[ -n "$EVPID" ] && echo "restored set_event_pid"
		else
			echo "removed instance ftk-$S"
		fi
	done
} >"$T/want"
grep -E -e "ftk[-_]($D|$S)(/|\$)" -e '^restored ' "$T/reset1.out" >"$T/got"
if ! cmp -s "$T/want" "$T/got"; then
	fail $t "ftk reset printed other lines than expected:"
	diff "$T/want" "$T/got" | sed 's/^/    | /'
fi
grep -E "ftk[-_]$F(/|\$)" "$T/reset1.out" && fail $t "ftk reset touched the live ftk $F"
assert_no_grep $t "$FOREIGN" "$T/reset1.out"
assert_no_grep $t 'nothing to reset' "$T/reset1.out"
if in_guest; then
	assert_eq $t "" "$(grep -v -E -e "ftk[-_]($D|$S)(/|\$)" -e '^restored ' \
		"$T/reset1.out")"
fi
assert_eq $t "" "$(cat "$T/last.err")"

# What is gone, what is restored, what is left.
[ -d "$TRACEFS/instances/ftk-$D" ] && fail $t "ftk-$D still there"
[ -d "$TRACEFS/instances/ftk-$S" ] && fail $t "ftk-$S (not an ftk process) still there"
[ -d "$TRACEFS/instances/ftk-$F" ] || fail $t "ftk-$F of a live ftk was removed"
[ -d "$TRACEFS/instances/$FOREIGN" ] || fail $t "foreign $FOREIGN was removed"
assert_no_grep $t "ftk_$D/" "$TRACEFS/uprobe_events"
[ -n "$EVPID" ] && assert_eq $t "$before_pid" "$(cat "$TRACEFS/set_event_pid")"
assert_eq $t "$saved_pp" "$(cat "$TRACEFS/options/print-parent")"
[ -e "$JDIR/$D.journal" ] && fail $t "the dead journal was not deleted"
[ -e "$JDIR/$F.journal" ] || fail $t "the live ftk's journal was deleted"
restore_pid=""
saved_pp=""
pass $t

t=reset_again
assert_rc $t 0 "$FTK" reset
grep -E "ftk[-_]($D|$S|$F)(/|\$)" "$T/last.out" && fail $t "a second reset found ours again"
in_guest && assert_eq $t "nothing to reset" "$(cat "$T/last.out")"
pass $t

# ---- a real running ftk session is left alone ----
t=reset_spares_live_ftk
if ftk_start $t execsnoop; then
	L=$(ftk_pid $t)
	if [ -d "$TRACEFS/instances/ftk-$L" ]; then
		assert_rc $t 0 "$FTK" reset
		grep -E "ftk[-_]$L(/|\$)" "$T/last.out" &&
			fail $t "ftk reset touched the live ftk $L"
		[ -d "$TRACEFS/instances/ftk-$L" ] || fail $t "the live session's instance is gone"
		[ -e "$JDIR/$L.journal" ] || fail $t "the live session's journal is gone"
	else
		fail $t "execsnoop runs without an instance ftk-$L"
	fi
	ftk_stop $t
	pass $t
fi

# ---- the real case: a session and its guardian killed with SIGKILL (a group kill), cleaned
# by ftk reset ----
t=reset_after_kill9
if ftk_start $t execsnoop; then
	K=$(ftk_pid $t)
	kill9_both "$K"
	_ftk_forget $t
	[ -d "$TRACEFS/instances/ftk-$K" ] || fail $t "no instance ftk-$K left to clean"
	[ -e "$JDIR/$K.journal" ] || fail $t "no journal of $K left"
	evf="$TRACEFS/dynamic_events"
	[ -e "$evf" ] || evf="$TRACEFS/uprobe_events $TRACEFS/kprobe_events"
	# shellcheck disable=SC2086
	ng=$(cat $evf 2>/dev/null | grep -c "^[a-z0-9]*:ftk_$K/")
	assert_rc $t 0 "$FTK" reset
	assert_grep $t "^removed instance ftk-$K\$" "$T/last.out"
	# One line per probe of the group, whatever its kind.
	nr=$(grep -c "^removed [a-z ]* ftk_$K/" "$T/last.out")
	assert_eq $t "${ng:-0}" "$nr"
	[ -d "$TRACEFS/instances/ftk-$K" ] && fail $t "ftk-$K still there"
	# shellcheck disable=SC2086
	cat $evf 2>/dev/null | grep -q ":ftk_$K/" && fail $t "probes of $K left"
	[ -e "$JDIR/$K.journal" ] && fail $t "journal of $K left"
	pass $t
fi

# ---- a busy instance: reported with its holder, kept for the next run ----
t=reset_busy
B=$(dead_pid)
mkdir "$TRACEFS/instances/ftk-$B" && made_inst="$made_inst ftk-$B"
printf 'session %s 1\ninstance ftk-%s\n' "$B" "$B" >"$JDIR/$B.journal"
made_files="$made_files $JDIR/$B.journal"
sleep 60 <"$TRACEFS/instances/ftk-$B/trace" &
H=$!
kids="$kids $H"
wait_until 5 test -e "/proc/$H/fd/0"
assert_rc $t 1 "$FTK" reset
assert_grep $t "cannot remove instance ftk-$B: busy (files held open by $H (sleep))" \
	"$T/last.err"
[ -e "$JDIR/$B.journal" ] || fail $t "journal deleted although ftk-$B was not removed"
kill "$H"
wait "$H" 2>/dev/null
assert_rc $t 0 "$FTK" reset && assert_grep $t "^removed instance ftk-$B\$" "$T/last.out"
[ -d "$TRACEFS/instances/ftk-$B" ] && fail $t "ftk-$B still there"
[ -e "$JDIR/$B.journal" ] && fail $t "journal of $B not deleted"
pass $t

# The survivors are ours to remove.
kill "$F" 2>/dev/null
rmdir "$TRACEFS/instances/ftk-$F" "$TRACEFS/instances/$FOREIGN"
rm -f "$JDIR/$F.journal"
