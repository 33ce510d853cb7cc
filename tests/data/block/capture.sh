#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# capture.sh: records REAL block tracepoint pages on this machine for tests/unit/test_bio.c.
# In a scratch instance (scratch-bio-<pid>, trace_clock=mono) it enables the block events the
# biosnoop backends use, runs a known workload on the root disk and saves, per set:
# events/header_page, events/block/<event>/format, cpuN.raw (the sub-buffers read from
# per_cpu/cpuN/trace_pipe_raw), cpuN.stats, trace.txt (the same records as text, read first)
# and workload.txt (pids and sizes). Sets: `direct` (dd O_DIRECT: 4 writes of 64 KiB with
# conv=fsync, then 4 reads of 16 KiB) and `buffered` (dd 2 MiB buffered write + sync:
# writeback by a kworker, merges). The instance is removed on exit.
# Usage: tests/data/block/capture.sh SET OUTDIR   (root; the file lives in /var/tmp)
set -eu
SET=$1
OUT=$2
T=/sys/kernel/tracing
[ -e $T/events ] || mount -t tracefs nodev $T
I=$T/instances/scratch-bio-$$
EVS="block_io_start block_io_done block_rq_insert block_rq_issue block_rq_complete
block_rq_requeue block_rq_merge block_bio_queue block_bio_backmerge block_bio_frontmerge"
F=/var/tmp/ftk-bio-capture.$$
cleanup() {
	if [ -d "$I" ]; then
		echo 0 > "$I/tracing_on"
		for e in $EVS; do echo 0 > "$I/events/block/$e/enable"; done
		rmdir "$I"
	fi
	rm -f "$F"
}
trap cleanup EXIT
mkdir "$I"
echo mono > "$I/trace_clock"
echo 0 > "$I/buffer_percent"
echo 1024 > "$I/buffer_size_kb"
mkdir -p "$OUT/events/block"
cp $T/events/header_page "$OUT/events/header_page"
for e in $EVS; do
	mkdir -p "$OUT/events/block/$e"
	cp "$T/events/block/$e/format" "$OUT/events/block/$e/format"
	echo 1 > "$I/events/block/$e/enable"
done
case $SET in
direct)
	dd if=/dev/urandom of="$F" bs=64k count=4 oflag=direct conv=fsync 2>/dev/null &
	echo "write pid $! bytes 65536 count 4 type WS" > "$OUT/workload.txt"
	wait
	dd if="$F" of=/dev/null bs=16k count=4 iflag=direct 2>/dev/null &
	echo "read pid $! bytes 16384 count 4 type RS" >> "$OUT/workload.txt"
	wait
	;;
buffered)
	dd if=/dev/zero of="$F" bs=1M count=2 2>/dev/null &
	echo "write pid $! bytes 2097152 buffered" > "$OUT/workload.txt"
	wait
	sync "$F"
	;;
esac
sleep 0.3
echo 0 > "$I/tracing_on"
cat "$I/trace" > "$OUT/trace.txt"
for c in $(ls -d $T/per_cpu/cpu* | sed 's/.*cpu//'); do
	dd if="$I/per_cpu/cpu$c/trace_pipe_raw" of="$OUT/cpu$c.raw" iflag=nonblock bs=4096 \
		2>/dev/null || true
	cat "$I/per_cpu/cpu$c/stats" > "$OUT/cpu$c.stats"
done
