#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bench/hist-cost-guest.sh: where the storm's slowdown under `ftk syscount` comes from (issue
# 12), run inside a scripts/vm guest with hist triggers (TCG: compare rows of one run only):
#   FTK_VM_SCRIPT=bench/hist-cost-guest.sh FTK_VM_TIMEOUT=3000 \
#   FTK_VM_HOST_TOOLS="dash setpriv true ls /usr/sbin/syscount $PWD/build/bench/getppid_storm \
#     $PWD/build/bench/rusage" scripts/vm run 6.12
# The getppid storm (N calls) alone, under ftk syscount, under libbpf-tools' syscount, and
# under triggers written by hand into a scratch instance (what ftk arms, and variants: key
# flag, map size, event, a second trigger, non-hist triggers as floors, the event enabled
# into the instance's ring with nobody reading). RUNS rounds, the order reversed every other
# round; per variant the slowdown of each round against that round's storm alone.
# Env: N (2000000), RUNS (3), VARIANTS (default: all, space separated).
N=${N:-2000000}
RUNS=${RUNS:-4}
FTK=${FTK:-/ftk/ftk}
TR=/sys/kernel/tracing
I=$TR/instances/hcost
W=$(mktemp -d /tmp/hcost.XXXXXX)
EX=$I/events/raw_syscalls/sys_exit
EN=$I/events/raw_syscalls/sys_enter

ALL="alone ftk bpf ftk_trace hist_idsys_8192 hist_id_2048 hist_id_8192 hist_idsys_2048
hist_enter_idsys_8192 hist_two hist_pid_total traceoff_filter traceoff_floor ring_unread
ring_unread_mono ftk_L bpf_L lat lat_total"
VARIANTS=${VARIANTS:-$ALL}

storm() { getppid_storm "$N" | awk '{ print $6 }'; }

# trig FILE TEXT: set a trigger (appended: O_TRUNC would remove every trigger); remembered
# for untrig.
trig() {
	echo "$2" >>"$1" || { echo "    trigger refused: $2 on $1: $(tail -n 3 $I/error_log 2>/dev/null)"; return 1; }
	echo "$1|$2" >>"$W/trigs"
}
untrig() {
	[ -f "$W/trigs" ] || return 0
	tac "$W/trigs" 2>/dev/null >"$W/t2" || sort -r "$W/trigs" >"$W/t2"
	while IFS='|' read -r f t; do
		echo "!$t" >>"$f"
	done <"$W/t2"
	rm -f "$W/trigs" "$W/t2"
}

# consumer_start MARKER CMD...: start CMD under rusage, wait until armed.
consumer_start() {
	marker=$1
	shift
	rm -f "$W/ru" "$W/out" "$W/err"
	rusage "$W/ru" "$@" >"$W/out" 2>"$W/err" &
	bg=$!
	i=0
	while if [ "$marker" = - ]; then [ $i -lt 50 ]; else ! grep -q "$marker" "$W/out" "$W/err" 2>/dev/null; fi; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 $bg 2>/dev/null; then
			echo "    did not start: $(head -c 200 "$W/err")"
			return 1
		fi
		sleep 0.1
	done
}
consumer_stop() {
	sleep 1
	kill -INT $bg
	wait $bg
	cpu=$(awk '{ printf "%d", $2 / 1e6 }' "$W/ru")
	got=$(grep -m1 -E '^getppid |^ *getppid |^total ' "$W/out" | tr -s ' ' | head -c 60)
	echo "$cpu ms, $got" >>"$W/note.$1"
}

setup() {
	case $1 in
	alone) ;;
	ftk) consumer_start Tracing "$FTK" syscount -T 20 ;;
	bpf) consumer_start - syscount -T 20 ;;
	ftk_trace) consumer_start tracing "$FTK" trace --count -e raw_syscalls:sys_exit ;;
	ftk_L) consumer_start Tracing "$FTK" syscount -L -T 20 ;;
	bpf_L) consumer_start - syscount -L -T 20 ;;
	# what ftk syscount -L arms (a synthetic event and three triggers), and with a total
	# of the exits beside it (keys=id: never full) to count the exits left unpaired
	lat | lat_total)
		echo 'hcost_lat u64 lat; long id; int pid' >>$TR/synthetic_events &&
		trig $I/events/synthetic/hcost_lat/trigger 'hist:keys=id.syscall:vals=hitcount,lat:size=8192' &&
		trig $EN/trigger 'hist:keys=common_pid:ts0=common_timestamp:size=32768' &&
		trig $EX/trigger 'hist:keys=common_pid:lat=common_timestamp-$ts0:size=32768:onmatch(raw_syscalls.sys_enter).hcost_lat($lat,id,common_pid)' || return 1
		[ $1 = lat ] || trig $EX/trigger 'hist:keys=id:vals=hitcount' ;;
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
	# a trigger without record or filter (tracing_on already 0: it does nothing): the
	# floor of a soft-enabled tracepoint
	traceoff_floor) echo 0 >$I/tracing_on; trig $EX/trigger 'traceoff' ;;
	ring_unread) echo local >$I/trace_clock; echo 1 >$EX/enable ;;
	ring_unread_mono) echo mono >$I/trace_clock; echo 1 >$EX/enable ;;
	esac
}

teardown() {
	case $1 in
	ftk | bpf | ftk_trace | ftk_L | bpf_L) consumer_stop $1 ;;
	lat | lat_total)
		tot=$(grep -h -E '^ *Hits:' $I/events/synthetic/hcost_lat/hist | awk '{ s += $2 } END { print s }')
		echo "paired $tot" >>"$W/note.$1"
		untrig
		echo '!hcost_lat' >>$TR/synthetic_events ;;
	hist_*)
		tot=$(grep -h -E '^ *Hits:' $EX/hist $EN/hist 2>/dev/null | awk '{ s += $2 } END { print s }')
		echo "hits $tot" >>"$W/note.$1"
		untrig ;;
	traceoff_floor) untrig; echo 1 >$I/tracing_on ;;
	traceoff_*) untrig ;;
	ring_*) echo 0 >$EX/enable
		echo "$(grep -h entries: $I/per_cpu/cpu*/stats | tr '\n' ' ')" >>"$W/note.$1"
		echo >$I/trace ;;
	esac
}

mkdir $I || exit 1
echo "## Hist trigger cost in the guest: kernel $(uname -r), $(nproc) CPUs (qemu TCG)"
echo
echo "What ftk syscount arms here:"
"$FTK" syscount --dry-run 2>&1 | sed 's/^/    /'
echo
echo "N=$N getppid calls, $RUNS rounds (order reversed every other round)."
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
		fi
		teardown $v
		echo "$rate" >>"$W/rate.$v"
		echo "  round $r $v $rate" >&2
	done
	# each round's own alone figure is the reference
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
rm -rf "$W"
