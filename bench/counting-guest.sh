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
# syscalls). Env: N (2000000), FUNCS (500), ROUNDS (5000).
N=${N:-2000000}
FUNCS=${FUNCS:-500}
ROUNDS=${ROUNDS:-5000}
FTK=${FTK:-/ftk/ftk}
H=${FTK_HELPERS:-/ftk/helpers}
TR=/sys/kernel/tracing
W=$(mktemp -d /tmp/bench.XXXXXX)

echo "## Counting bench in the guest: kernel $(uname -r), $(nproc) CPUs (qemu TCG)"
echo
echo "N=$N getppid calls; rusage = the tool's own CPU (user + sys of it and its children)."
echo
echo "| consumer | storm calls/s | slowdown | tool CPU ms | counted getppid (trace: every sys_exit) |"
echo "| --- | ---: | ---: | ---: | --- |"

storm() { getppid_storm "$N" | awk '{ print $6 }'; }

# consumer NAME MARKER CMD...: start CMD under rusage, wait for MARKER in its output (armed),
# run the storm, SIGINT, print the row (counted: the line of its output naming getppid).
consumer() {
	name=$1 marker=$2
	shift 2
	rm -f "$W/ru" "$W/out" "$W/err"	# a stale err would match the next marker
	rusage "$W/ru" "$@" >"$W/out" 2>"$W/err" &
	bg=$!
	i=0
	# libbpf-tools print their header without a flush (stdout is a file here, no stdbuf in
	# the guest): for them (marker "-") 5 s alive counts as attached
	while if [ "$marker" = - ]; then [ $i -lt 50 ]; else ! grep -q "$marker" "$W/out" "$W/err" 2>/dev/null; fi; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 $bg 2>/dev/null; then
			echo "| $name | - | - | - | did not start: $(head -c 200 "$W/err" | tr '\n' ' ') |"
			kill -INT $bg 2>/dev/null
			wait $bg
			return
		fi
		sleep 0.1
	done
	rate=$(storm)
	sleep 1
	kill -INT $bg
	wait $bg
	cpu=$(awk '{ printf "%d", $2 / 1e6 }' "$W/ru")
	got=$(grep -m1 -E '^getppid |^ *getppid |^total ' "$W/out" | tr -s ' ' | head -c 80)
	lost=$(grep -o '[0-9]* lost' "$W/err" | tail -n 1)
	[ -n "$lost" ] && got="$got ($lost)"
	echo "| $name | $rate | $(awk -v a="$ALONE" -v r="$rate" 'BEGIN { printf "%.2fx", a / r }') | $cpu | $got |"
}

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

# (2) funccount on FUNCS kernel functions, named in one -r pattern (^(a|b|...)$): those a
# kprobe may not go on (the blacklist) are left out by funccount itself.
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
rm -rf "$W"
