#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# capture-nested.sh: made tests/data/block/nested-3.10 in the 3.10 guest (virtio scratch disk
# vda, legacy request queue), run as `FTK_VM_SCRIPT=tests/data/block/capture-nested.sh
# scripts/vm run 3.10`. It repeats biosnoop_same_blocks' workload (four bioio processes read
# the same 50 blocks of 4096 bytes at once) in a scratch instance with the block events of the
# tracepoint-legacy backend, trace_clock=global, until the kernel's own text `trace` (merged by
# stamp) shows a block_rq_complete before any block_rq_issue at its sector (completions
# written by the virtio irq inside another record's write carry that record's stamp before
# 5.10). That capture (layout of capture.sh: events/header_page, events/block/<event>/format,
# cpuN.raw, cpuN.stats, trace.txt, workload.txt) is printed to the console as a base64 tar.gz
# between CAPBEGIN and CAPEND lines (extract with awk, base64 -d, tar xz).
D=/sys/kernel/debug/tracing
[ -d $D/instances ] || mount -t debugfs none /sys/kernel/debug
FILE=/dev/vda
[ -e $FILE ] || mknod $FILE b $(tr ':' ' ' </sys/block/vda/dev)
B=/ftk/helpers/bioio
EVS="block_bio_queue block_rq_insert block_rq_issue block_rq_complete block_rq_requeue
block_bio_backmerge block_bio_frontmerge"
DEV=$(( ($(cut -d: -f1 /sys/block/vda/dev) << 20) | $(cut -d: -f2 /sys/block/vda/dev) ))
echo global >$D/trace_clock
$B $FILE w 65536 4 0
I=$D/instances/cap
for it in $(seq 1 60); do
	mkdir $I
	echo 1024 >$I/buffer_size_kb
	for e in $EVS; do
		echo "dev == $DEV" >$I/events/block/$e/filter
		echo 1 >$I/events/block/$e/enable
	done
	rm -f /tmp/go
	mkfifo /tmp/go
	pids=""
	for i in 1 2 3 4; do
		$B -g /tmp/go $FILE r 4096 50 0 &
		pids="$pids $!"
	done
	sleep 0.3
	echo go >/tmp/go
	for p in $pids; do wait $p; done
	sleep 0.3
	echo 0 >$I/tracing_on
	cat $I/trace >/tmp/trace.txt
	bad=$(awk '/block_rq_issue:|block_rq_complete:/ {
		for (i = 1; i <= NF; i++) if ($i == "+") s = $(i - 1)
		if (index($0, "block_rq_issue:")) n[s]++; else if (n[s] > 0) n[s]--; else bad++
	} END {print bad + 0}' /tmp/trace.txt)
	echo "CAP $it: $bad completions before their issue"
	if [ "$bad" != 0 ]; then
		O=/tmp/cap/nested-3.10
		mkdir -p $O/events/block
		cp $D/events/header_page $O/events/header_page
		for e in $EVS; do
			mkdir -p $O/events/block/$e
			cp $D/events/block/$e/format $O/events/block/$e/format
		done
		cp /tmp/trace.txt $O/trace.txt
		for p in $pids; do echo "read pid $p bytes 4096 count 50 type R" >>$O/workload.txt; done
		for c in $(ls -d $I/per_cpu/cpu* | sed 's/.*cpu//'); do
			timeout 3 dd if=$I/per_cpu/cpu$c/trace_pipe_raw of=$O/cpu$c.raw bs=4096 \
				2>/dev/null
			cat $I/per_cpu/cpu$c/stats >$O/cpu$c.stats
		done
		echo CAPBEGIN
		(cd /tmp/cap && tar czf - nested-3.10 | base64)
		echo CAPEND
	fi
	for e in $EVS; do echo 0 >$I/events/block/$e/enable; done
	rmdir $I
	[ "$bad" != 0 ] && break
done
exit 0
