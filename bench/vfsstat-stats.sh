#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bench/vfsstat-stats.sh: vfsstat on a kernel without hist or kprobes (the 6.18 host) by its
# two routes: the stats way (an instance per column, ring-buffer stats) and the ring buffer.
# The ring route is vfsstat of a build before the stats way (FTK_RING, e.g. main's before
# the merge). Workload: `dd bs=1` from /dev/zero to /dev/null, N reads + N writes, alone and
# under each, ROUNDS times in turns. Prints Markdown rows: dd's rate, slowdown, the tool's
# CPU (bench/rusage), what it counted (sum of read/write over its JSON rows), dropped, lost.
# Then the cost on syscalls vfsstat does not count: N getppid (bench/getppid_storm) alone and
# under each (every instance with a syscall event enabled adds its handler to every syscall).
# Root; run under the kernel-test lock on a shared machine:
#   flock -o /tmp/ftk-kernel.lock env FTK_RING=/path/to/old/ftk bench/vfsstat-stats.sh
N=${N:-1000000}
ROUNDS=${ROUNDS:-3}
FTK=${FTK:-build/ftk}
RUSAGE=${RUSAGE:-build/bench/rusage}
W=$(mktemp -d /tmp/bench-vfs.XXXXXX)

dd_rate() {	# prints "seconds"
	t0=$(date +%s.%N)
	dd if=/dev/zero of=/dev/null bs=1 count="$N" 2>/dev/null
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

# total KEY: the sum of KEY over vfsstat's JSON rows
total() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$W/out" | awk '{ s += $1 } END { print s + 0 }'
}

# under FTK: dd under `FTK vfsstat --json 1` (armed: its "tracing:" line, 10 s at most);
# prints "secs cpu_ms reads writes dropped lost"
under() {
	rm -f "$W/ru" "$W/out" "$W/err"
	"$RUSAGE" "$W/ru" "$1" vfsstat --json 1 >"$W/out" 2>"$W/err" &
	bg=$!
	timeout 10 sh -c "until grep -q 'tracing:' '$W/err'; do sleep 0.1; done"
	s=$(dd_rate)
	sleep 1.5
	kill -INT $bg && wait $bg
	d=$(tail -1 "$W/out" | sed -n 's/.*"dropped":\([0-9]*\).*/\1/p')
	l=$(sed -n 's/^ftk: [0-9]* events, \([0-9]*\) lost$/\1/p' "$W/err")
	echo "$s $(awk '{ printf "%d", $2 / 1e6 }' "$W/ru") $(total read) $(total write) ${d:-?} ${l:-?}"
}

echo "| round | consumer | dd bs=1 s | slowdown | tool CPU ms | counted read / write | dropped | lost |"
echo "| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |"
for round in $(seq "$ROUNDS"); do
	a=$(dd_rate)
	printf '| %d | alone | %.2f | 1.00x | - | - | - | - |\n' "$round" "$a"
	for way in stats ring; do
		f=$FTK
		[ $way = ring ] && f=${FTK_RING:?FTK_RING: a build whose vfsstat counts by ring}
		set -- $(under "$f")
		printf '| %d | ftk vfsstat (%s) | %.2f | %.2fx | %s | %s / %s | %s | %s |\n' \
			"$round" "$way" "$1" "$(echo "$1 / $a" | bc -l)" "$2" "$3" "$4" "$5" "$6"
	done
done
echo
echo "| round | consumer | getppid calls/s (N=$N, not counted) | slowdown |"
echo "| ---: | --- | ---: | ---: |"
STORM=${STORM:-build/bench/getppid_storm}
rate() { "$STORM" "$N" | awk '{ print $6 }'; }
for round in $(seq "$ROUNDS"); do
	a=$(rate)
	printf '| %d | alone | %d | 1.00x |\n' "$round" "$a"
	for way in stats ring; do
		f=$FTK
		[ $way = ring ] && f=$FTK_RING
		"$f" vfsstat 1 >/dev/null 2>"$W/err" &
		bg=$!
		sleep 1.5
		r=$(rate)
		kill -INT $bg
		wait $bg
		printf '| %d | ftk vfsstat (%s) | %d | %.2fx |\n' "$round" "$way" "$r" \
			"$(echo "$a / $r" | bc -l)"
	done
done
rm -rf "$W"
