#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bench/counting-guest.sh: issue 12's numbers, run inside a scripts/vm guest (TCG: compare the
# rows of one run with each other, never with another machine). From the host:
#   FTK_VM_SCRIPT=bench/counting-guest.sh FTK_VM_TIMEOUT=3000 \
#   FTK_VM_HOST_TOOLS="dash setpriv true ls /usr/sbin/syscount $PWD/build/bench/getppid_storm \
#     $PWD/build/bench/rusage $PWD/build/bench/startup" scripts/vm run 6.12
# Prints Markdown: (1) the getppid storm (N calls) alone, under `ftk syscount`, `ftk syscount
# -L`, `ftk trace --count -e raw_syscalls:sys_exit` and libbpf-tools' syscount (-L too) when
# it is there and runs: storm rate, slowdown, tool CPU (rusage), what the tool counted;
# (2) funccount on FUNCS (500) kernel functions: time to armed per backend (hist triggers,
# kprobe_profile hit counters) and the overhead on ftk-fsops (ROUNDS rounds of 9 file
# syscalls); (3) where the storm's slowdown under `ftk syscount` comes from: the storm
# alone, under ftk syscount (-L), libbpf-tools' syscount (-L) and under triggers written by
# hand into a scratch instance (what ftk arms, and variants: key flag, map size, event, a
# second trigger, non-hist triggers as floors, the event enabled into the instance's ring
# with nobody reading, the -L pairing with and without a total), RUNS rounds in
# alternating order, each variant's slowdown against its round's storm alone.
# Env: N (2000000), FUNCS (500), ROUNDS (5000), RUNS (4), PARTS ("1 2 3").
N=${N:-2000000}
FUNCS=${FUNCS:-500}
ROUNDS=${ROUNDS:-5000}
RUNS=${RUNS:-4}
PARTS=${PARTS:-1 2 3}
FTK=${FTK:-/ftk/ftk}
H=${FTK_HELPERS:-/ftk/helpers}
TR=/sys/kernel/tracing
W=$(mktemp -d /tmp/bench.XXXXXX)

echo "## Counting bench in the guest: kernel $(uname -r), $(nproc) CPUs (qemu TCG)"
echo

storm() { getppid_storm "$N" | awk '{ print $6 }'; }

# consumer_start MARKER CMD...: start CMD under rusage ($bg), wait for MARKER in its output
# (armed). 1 (after writing why into $W/why) when it did not start.
consumer_start() {
	marker=$1
	shift
	rm -f "$W/ru" "$W/out" "$W/err"	# a stale err would match the next marker
	rusage "$W/ru" "$@" >"$W/out" 2>"$W/err" &
	bg=$!
	i=0
	# libbpf-tools print their header without a flush (stdout is a file here, no stdbuf in
	# the guest): for them (marker "-") 5 s alive counts as attached
	while if [ "$marker" = - ]; then [ $i -lt 50 ]; else ! grep -q "$marker" "$W/out" "$W/err" 2>/dev/null; fi; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 $bg 2>/dev/null; then
			echo "did not start: $(head -c 200 "$W/err" | tr '\n' ' ')" >"$W/why"
			kill -INT $bg 2>/dev/null
			wait $bg
			return 1
		fi
		sleep 0.1
	done
}

# consumer_stop: 1 s later SIGINT; $cpu (ms) and $got (its line naming getppid).
consumer_stop() {
	sleep 1
	kill -INT $bg
	wait $bg
	cpu=$(awk '{ printf "%d", $2 / 1e6 }' "$W/ru")
	got=$(grep -m1 -E '^getppid |^ *getppid |^total ' "$W/out" | tr -s ' ' | head -c 80)
	lost=$(grep -o '[0-9]* lost' "$W/err" | tail -n 1)
	[ -n "$lost" ] && got="$got ($lost)"
}

# consumer NAME MARKER CMD...: the storm under CMD, one row.
consumer() {
	name=$1 marker=$2
	shift 2
	if ! consumer_start "$marker" "$@"; then
		echo "| $name | - | - | - | $(cat "$W/why") |"
		return
	fi
	rate=$(storm)
	consumer_stop
	echo "| $name | $rate | $(awk -v a="$ALONE" -v r="$rate" 'BEGIN { printf "%.2fx", a / r }') | $cpu | $got |"
}

case " $PARTS " in *" 1 "*)
echo "N=$N getppid calls; rusage = the tool's own CPU (user + sys of it and its children)."
echo
echo "| consumer | storm calls/s | slowdown | tool CPU ms | counted getppid (trace: every sys_exit) |"
echo "| --- | ---: | ---: | ---: | --- |"
ALONE=$(storm)
echo "| alone | $ALONE | 1.00x | - | - |"
consumer "ftk syscount (hist)" "Tracing" "$FTK" syscount -T 20
consumer "ftk syscount --backend ring" "Tracing" "$FTK" syscount --backend ring -T 20
consumer "ftk syscount -L (hist + synthetic)" "Tracing" "$FTK" syscount -L -T 20
consumer "ftk syscount -L --backend ring" "Tracing" "$FTK" syscount -L --backend ring -T 20
consumer "ftk trace --count -e raw_syscalls:sys_exit" "tracing" "$FTK" trace --count -e raw_syscalls:sys_exit
if command -v syscount >/dev/null 2>&1; then
	consumer "libbpf-tools syscount" - syscount -T 20
	consumer "libbpf-tools syscount -L" - syscount -L -T 20
else
	echo "| libbpf-tools syscount | - | - | - | not in this guest |"
fi
ALONE2=$(storm)
echo "| alone, again | $ALONE2 | $(awk -v a="$ALONE" -v r="$ALONE2" 'BEGIN { printf "%.2fx", a / r }') | - | - |"
echo
[ -e /sys/kernel/btf/vmlinux ] && echo "(BTF: /sys/kernel/btf/vmlinux present)" || echo "(no /sys/kernel/btf/vmlinux)"
echo
;; esac

# (2) funccount on FUNCS kernel functions, named in one -r pattern (^(a|b|...)$): those a
# kprobe may not go on (the blacklist) are left out by funccount itself.
case " $PARTS " in *" 2 "*)
awk '{ print $1 }' "$TR/available_filter_functions" | grep -v -e '\.' -e '^_' | sort -u |
	grep -E '^(vfs_|do_|path_|file_|filp_|d_|dput|dget|iput|inode_|generic_|getname|putname|fd_|fget|fput|mnt|lookup_|link_|may_|security_|simple_|shmem_|touch_|current_time|notify_|fsnotify)' |
	head -n "$FUNCS" >"$W/funcs"
nf=$(wc -l <"$W/funcs")
RE="^($(tr '\n' '|' <"$W/funcs" | sed 's/|$//'))\$"
echo "funccount on $nf kernel functions (vfs_, do_, path_, file_, d_, inode_, shmem_ ...), workload:"
echo "ftk-fsops $ROUNDS (open/write/fsync/pread/close/unlink/mkdir/rmdir/getppid per round)."
echo
echo "| funccount backend | armed after ms | functions armed | fsops elapsed ms | slowdown | calls counted |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"

fsops() {
	mkdir -p "$W/fs"
	rm -f "$W/fsops.pid"	# a stale pid file would have SIGUSR1 kill it before its handler
	"$H/ftk-fsops" "$ROUNDS" "$W/fs" >"$W/fsops.pid" &
	fp=$!
	while [ ! -s "$W/fsops.pid" ]; do sleep 0.05; done
	t0=$(cut -d' ' -f1 /proc/uptime)
	kill -USR1 $fp
	wait $fp
	t1=$(cut -d' ' -f1 /proc/uptime)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }' 
}
FALONE=$(fsops)
echo "| none (alone) | - | - | $FALONE | 1.00x | - |"
for b in hist profile; do
	s=$(startup "Tracing" 600 "$FTK" funccount --backend $b -r "$RE" | awk '{ print $2 }')
	"$FTK" funccount --backend $b -r "$RE" >"$W/fc.out" 2>"$W/fc.err" &
	fc=$!
	i=0
	while ! grep -q Tracing "$W/fc.out" 2>/dev/null && kill -0 $fc 2>/dev/null && [ $i -lt 6000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	armed=$(sed -n 's/^Tracing \([0-9]*\) functions.*/\1/p' "$W/fc.out")
	e=$(fsops)
	kill -INT $fc
	wait $fc
	counted=$(awk '$2 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }' "$W/fc.out")
	echo "| $b | $s | ${armed:-?} | $e | $(awk -v a="$FALONE" -v r="$e" 'BEGIN { printf "%.2fx", r / a }') | $counted |"
	grep -m2 -E 'error|warning' "$W/fc.err" | sed 's/^/    /'
	grep -o 'ftk: [0-9]* events, [0-9]* lost' "$W/fc.err" | sed 's/^/    /'
done
;; esac

# (3) The breakdown: what ftk arms, written by hand into a scratch instance, and variants.
I=$TR/instances/bench-scratch
EX=$I/events/raw_syscalls/sys_exit
EN=$I/events/raw_syscalls/sys_enter
VARIANTS="alone ftk bpf ftk_trace hist_idsys_8192 hist_id_2048 hist_id_8192 hist_idsys_2048
hist_enter_idsys_8192 hist_two hist_pid_total traceoff_filter traceoff_floor ring_unread
ring_unread_mono ftk_L bpf_L lat lat_total"

# trig FILE TEXT: set a trigger (appended: O_TRUNC would remove every trigger), remembered
# for untrig (which removes them in reverse order).
trig() {
	echo "$2" >>"$1" || { echo "    refused: $2 on $1: $(tail -n 3 $I/error_log 2>/dev/null)"; return 1; }
	echo "$1|$2" >>"$W/trigs"
}
untrig() {
	[ -f "$W/trigs" ] || return 0
	tac "$W/trigs" >"$W/t2"
	while IFS='|' read -r f t; do
		echo "!$t" >>"$f"
	done <"$W/t2"
	rm -f "$W/trigs" "$W/t2"
}
hits() { grep -h -E '^ *Hits:' "$@" 2>/dev/null | awk '{ s += $2 } END { print s }'; }

setup() {
	case $1 in
	alone) ;;
	ftk) consumer_start Tracing "$FTK" syscount -T 20 ;;
	bpf) consumer_start - syscount -T 20 ;;
	ftk_trace) consumer_start tracing "$FTK" trace --count -e raw_syscalls:sys_exit ;;
	ftk_L) consumer_start Tracing "$FTK" syscount -L -T 20 ;;
	bpf_L) consumer_start - syscount -L -T 20 ;;
	hist_idsys_8192) trig $EX/trigger 'hist:keys=id.syscall:vals=hitcount:size=8192' ;;
	hist_id_2048) trig $EX/trigger 'hist:keys=id:vals=hitcount' ;;
	hist_id_8192) trig $EX/trigger 'hist:keys=id:vals=hitcount:size=8192' ;;
	hist_idsys_2048) trig $EX/trigger 'hist:keys=id.syscall:vals=hitcount' ;;
	hist_enter_idsys_8192) trig $EN/trigger 'hist:keys=id.syscall:vals=hitcount:size=8192' ;;
	hist_two) trig $EX/trigger 'hist:keys=id.syscall:vals=hitcount:size=8192' &&
		trig $EX/trigger 'hist:keys=common_pid:vals=hitcount' ;;
	hist_pid_total) trig $EX/trigger 'hist:keys=common_pid:vals=hitcount' ;;
	# a trigger that needs the record (its filter): the record is built, the filter fails
	traceoff_filter) trig $EX/trigger 'traceoff if id == -12345' ;;
	# a trigger with no record and no filter (tracing_on already 0: it does nothing): the
	# floor of a soft-enabled tracepoint (the syscall's slow path with it)
	traceoff_floor) echo 0 >$I/tracing_on; trig $EX/trigger 'traceoff' ;;
	ring_unread) echo local >$I/trace_clock; echo 1 >$EX/enable ;;
	ring_unread_mono) echo mono >$I/trace_clock; echo 1 >$EX/enable ;;
	# what ftk syscount -L arms (a synthetic event and three triggers), and with the
	# total of exits beside it (keys=id) that counts the exits left without a latency
	lat | lat_total)
		echo 'bench_lat u64 lat; long id; int pid' >>$TR/synthetic_events &&
		trig $I/events/synthetic/bench_lat/trigger 'hist:keys=id.syscall:vals=hitcount,lat:size=8192' &&
		trig $EN/trigger 'hist:keys=common_pid:ts0=common_timestamp:size=32768' &&
		trig $EX/trigger 'hist:keys=common_pid:lat=common_timestamp-$ts0:size=32768:onmatch(raw_syscalls.sys_enter).bench_lat($lat,id,common_pid)' || return 1
		[ $1 = lat ] || trig $EX/trigger 'hist:keys=id:vals=hitcount' ;;
	esac
}

teardown() {
	case $1 in
	ftk | bpf | ftk_trace | ftk_L | bpf_L) consumer_stop; echo "$cpu ms, $got" >>"$W/note.$1" ;;
	hist_*) echo "hits $(hits $EX/hist $EN/hist)" >>"$W/note.$1"; untrig ;;
	traceoff_floor) untrig; echo 1 >$I/tracing_on ;;
	traceoff_*) untrig ;;
	ring_*) echo 0 >$EX/enable
		echo "$(grep -h entries: $I/per_cpu/cpu*/stats | tr '\n' ' ')" >>"$W/note.$1"
		echo >$I/trace ;;
	lat | lat_total)
		echo "paired $(hits $I/events/synthetic/bench_lat/hist)" >>"$W/note.$1"
		untrig
		echo '!bench_lat' >>$TR/synthetic_events ;;
	esac
}

case " $PARTS " in *" 3 "*)
mkdir $I || exit 1
echo "Where the slowdown comes from: what ftk syscount arms here,"
"$FTK" syscount --dry-run 2>&1 | sed 's/^/    /'
echo "and by hand in a scratch instance; N=$N getppid, $RUNS rounds (order reversed every"
echo "other round), slowdown against each round's storm alone."
echo
rev=""
for v in $VARIANTS; do rev="$v $rev"; done
r=1
while [ $r -le "$RUNS" ]; do
	[ $((r % 2)) = 1 ] && order=$VARIANTS || order=$rev
	for v in $order; do
		if setup $v; then
			rate=$(storm)
		else
			rate=0
			cat "$W/why" 2>/dev/null
		fi
		teardown $v
		echo "$rate" >>"$W/rate.$v"
	done
	r=$((r + 1))
done
echo "| variant | storm calls/s per round | slowdown per round | median | notes |"
echo "| --- | --- | --- | ---: | --- |"
for v in $VARIANTS; do
	rates=$(tr '\n' ' ' <"$W/rate.$v")
	slow=$(paste -d' ' "$W/rate.alone" "$W/rate.$v" |
		awk '$2 > 0 { printf "%.2fx ", $1 / $2 } $2 == 0 { printf "- " }')
	med=$(echo "$slow" | tr ' ' '\n' | grep x | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }')
	note=$([ -f "$W/note.$v" ] && tr '\n' ';' <"$W/note.$v")
	echo "| $v | $rates | $slow | $med | $note |"
done
rmdir $I
;; esac
rm -rf "$W"
