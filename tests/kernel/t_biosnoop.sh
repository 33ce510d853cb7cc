# SPDX-License-Identifier: GPL-2.0-only
# t_biosnoop.sh: ftk biosnoop on a real disk. O_DIRECT writes and reads of known size by a
# known process (tests/helpers/bioio) appear exactly once each with the right bytes, type,
# disk, pid and a positive latency, in the table and in NDJSON; -p, -n, -m, -Q, -P, -t do
# what they say; bad input exits 1 (unknown disk, listing the disks; not root) or 2
# (malformed). The disk is the one under /var/tmp on the host; in the guests a null_blk disk
# with a 2 ms timer completion (loaded here, removed at the end), where latencies must sit at
# 2 ms and -Q must show the time requests wait behind a queue depth of 1.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/bio.sh"

t=biosnoop_bad_input
assert_rc $t 1 "$FTK" biosnoop -d no-such-disk &&
	assert_grep $t "^ftk biosnoop: error: unknown disk 'no-such-disk'" "$T/last.err" &&
	assert_grep $t '^hint: disks here: ' "$T/last.err"
for a in "-m abc" "-m -1" "-p 0" "-p x" "--bogus" "-d" "1 2" "0" "-n 1234567890123456"; do
	# shellcheck disable=SC2086
	assert_rc $t 2 "$FTK" biosnoop $a && assert_grep $t "^ftk biosnoop: error: " "$T/last.err"
done
assert_rc $t 2 "$FTK" biosnoop --backend nope
assert_rc $t 0 "$FTK" biosnoop --help && assert_grep $t '^usage: ftk biosnoop' "$T/last.out"
pass $t

bio_not_root biosnoop

if lockdown_confidentiality; then
	t=biosnoop_lockdown
	assert_rc $t 1 "$FTK" biosnoop 1 && assert_grep $t "$LOCKDOWN_MSG" "$T/last.err"
	pass $t
	exit 0
fi

if ! bio_target; then
	skip biosnoop_rw "$BIO_WHY"
	exit 0
fi

# Lines of $1 (a biosnoop table) for pid $2, type prefix $3, bytes $4 (default columns).
rows() {
	awk -v p="$2" -v d="$DISK" -v ty="$3" -v b="$4" \
		'$3 == p && $4 == d && index($5, ty) == 1 && $7 == b' "$1"
}

t=biosnoop_rw
ftk_start $t biosnoop -d "$DISK" || exit 0
$BIOIO "$FILE" w 65536 4 "$OFF" &
wp=$!
wait $wp || fail $t "bioio write failed"
$BIOIO "$FILE" r 16384 4 "$OFF" &
rp=$!
wait $rp || fail $t "bioio read failed"
wait_until 10 sh -c "[ \$(grep -c ' $rp ' '$T/$t.out') -ge 4 ]"
ftk_stop $t
assert_grep $t '^TIME(s) *COMM *PID *DISK *T *SECTOR *BYTES *LAT(ms)$' "$T/$t.out"
assert_eq $t 4 "$(rows "$T/$t.out" $wp W 65536 | wc -l)"
assert_eq $t 4 "$(rows "$T/$t.out" $rp R 16384 | wc -l)"
assert_eq $t 4 "$(rows "$T/$t.out" $wp W 65536 | awk '{print $6}' | sort -u | wc -l)"
assert_eq $t 4 "$(rows "$T/$t.out" $rp R 16384 | awk '{print $6}' | sort -u | wc -l)"
assert_eq $t 8 "$( (rows "$T/$t.out" $wp W 65536; rows "$T/$t.out" $rp R 16384) |
	awk '$2 == "bioio" && $8 > 0' | wc -l)"
if [ "$KIND" = nullb ]; then
	# nothing else from these two processes (on a filesystem they may also read metadata)
	assert_eq $t 8 "$(awk -v a=$wp -v b=$rp '$3 == a || $3 == b' "$T/$t.out" | wc -l)"
	assert_eq $t 8 "$( (rows "$T/$t.out" $wp W 65536; rows "$T/$t.out" $rp R 16384) |
		awk '$8 >= 1.99 && $8 < 100' | wc -l)"
fi
pass $t

t=biosnoop_json
"$FTK" biosnoop --json -Q -d "$DISK" >"$T/$t.out" 2>"$T/$t.err" &
fp=$!
if bio_wait_armed $fp; then
	$BIOIO "$FILE" w 65536 3 "$OFF" &
	wp=$!
	wait $wp
	wait_until 10 sh -c "[ \$(grep -c '\"pid\":$wp,' '$T/$t.out') -ge 3 ]"
else
	fail $t "ftk biosnoop --json did not arm within 10 s"
fi
kill -INT $fp
wait $fp || fail $t "ftk biosnoop --json exited $?"
re='^{"time":"[0-9-]*T[0-9:.]*[+-][0-9:]*","ts":[0-9]*\.[0-9]\{9\},"cpu":[0-9]*,"pid":'$wp','
re=$re'"comm":"bioio","elapsed":[0-9.]*,"disk":"'$DISK'","type":"W[A-Z]*","sector":[0-9]*,"bytes":65536,'
re=$re'"lat_ms":[0-9.]*,"que_ms":[0-9.]*,"error":0}$'
assert_eq $t 3 "$(grep -c "$re" "$T/$t.out")"
assert_no_grep $t '^[^{]' "$T/$t.out"
pass $t

t=biosnoop_pid_filter
mkfifo "$T/go"
$BIOIO -g "$T/go" "$FILE" w 4096 3 "$OFF" &
wp=$!
ftk_start $t biosnoop -p $wp -d "$DISK" || exit 0
$BIOIO "$FILE" w 4096 5 "$OFF" &
other=$!
wait $other
echo go >"$T/go"
wait $wp
wait_until 10 sh -c "[ \$(grep -c ' $wp ' '$T/$t.out') -ge 3 ]"
ftk_stop $t
assert_eq $t 3 "$(rows "$T/$t.out" $wp W 4096 | wc -l)"
assert_eq $t 4 "$(wc -l <"$T/$t.out")"	# header + 3
pass $t

t=biosnoop_name_filter
cp "$BIOIO" "$T/xbio"
ftk_start $t biosnoop -n xbio -d "$DISK" || exit 0
$BIOIO "$FILE" w 4096 4 "$OFF"
"$T/xbio" "$FILE" w 4096 2 "$OFF" &
xp=$!
wait $xp
wait_until 10 sh -c "[ \$(grep -c ' $xp ' '$T/$t.out') -ge 2 ]"
ftk_stop $t
assert_eq $t 2 "$(awk -v p=$xp '$2 == "xbio" && $3 == p' "$T/$t.out" | wc -l)"
assert_eq $t 3 "$(wc -l <"$T/$t.out")"
pass $t

t=biosnoop_min_ms
ftk_start $t biosnoop -m 100000 -d "$DISK" || exit 0
$BIOIO "$FILE" w 4096 3 "$OFF"
sleep 0.5
ftk_stop $t
assert_eq $t 1 "$(wc -l <"$T/$t.out")"
pass $t

t=biosnoop_columns
ftk_start $t biosnoop -Q -P -t -d "$DISK" || exit 0
$BIOIO "$FILE" w 65536 4 "$OFF" &
wp=$!
wait $wp
wait_until 10 sh -c "[ \$(grep -c ' $wp ' '$T/$t.out') -ge 4 ]"
ftk_stop $t
assert_grep $t '^TIME *TIME(s) *COMM *PID *DISK *T *P *SECTOR *BYTES *QUE(ms) *LAT(ms)$' \
	"$T/$t.out"
# TIME TIME(s) COMM PID DISK T P SECTOR BYTES QUE LAT
assert_eq $t 4 "$(awk -v p=$wp '$4 == p && $1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]+$/ &&
	$7 ~ /^[SR]$/ && $9 == 65536 && $10 >= 0 && $11 > 0' "$T/$t.out" | wc -l)"
if [ "$KIND" = nullb ]; then
	# back to back on a raw disk: all but the first are sequential
	assert_eq $t 3 "$(awk -v p=$wp '$4 == p && $7 == "S"' "$T/$t.out" | wc -l)"
fi
pass $t

t=biosnoop_same_blocks
# Four processes read the same blocks at once: requests pending at one sector from several
# submitters are each reported once, none without its process. A read may be merged into
# another process's request (seen on 6.1): count bytes, not lines.
[ "$KIND" = file ] && $BIOIO "$FILE" w 65536 4 "$OFF"
mkfifo "$T/go3"
pids=""
for i in 1 2 3 4; do
	$BIOIO -g "$T/go3" "$FILE" r 4096 50 "$OFF" &
	pids="$pids $!"
done
ftk_start $t biosnoop -d "$DISK" || exit 0
sleep 0.5
echo go >"$T/go3"
for p in $pids; do
	wait $p
done
wait_until 10 sh -c "[ \$(awk '\$2 == \"bioio\" && \$7 == 4096' '$T/$t.out' | wc -l) -ge 200 ]"
ftk_stop $t
assert_eq $t 819200 "$(awk -v l="$pids" 'BEGIN {n = split(l, a, " "); for (i = 1; i <= n; i++)
	p[a[i]] = 1} $2 == "bioio" && ($3 in p) && index($5, "R") == 1 {b += $7} END {print b + 0}' \
	"$T/$t.out")" || {
	# what the count left out: the lines of other processes, of other sizes, and losses
	awk -v l="$pids" 'BEGIN {n = split(l, a, " "); for (i = 1; i <= n; i++) p[a[i]] = 1}
		NR > 1 && !($2 == "bioio" && ($3 in p) && $7 == 4096)' "$T/$t.out" >"$T/$t.other"
	grep -i lost "$T/$t.err" >>"$T/$t.other"
	_show "$T/$t.other" 12
}
for p in $pids; do
	n=$(awk -v p=$p '$3 == p' "$T/$t.out" | wc -l)
	[ "$n" -ge 1 ] && [ "$n" -le 50 ] || fail $t "pid $p has $n requests, expected 1..50"
done
[ "$KIND" = nullb ] && assert_no_grep $t '^[0-9.]* *? ' "$T/$t.out"
pass $t

if [ "$KIND" = nullb ] && ! grep -q 'mq-deadline' /sys/block/nullb0/queue/scheduler 2>/dev/null; then
	# blk-mq got I/O schedulers in 4.11: before, requests wait for a tag, not in a queue
	skip biosnoop_queue_time "no mq-deadline scheduler for nullb0 ($(cat /sys/block/nullb0/queue/scheduler 2>/dev/null))"
elif [ "$KIND" = nullb ]; then
	t=biosnoop_queue_time
	# hw_queue_depth=1: of two writers, one waits ~2 ms in the scheduler for each request.
	# Both wait on one fifo, so that they really run at the same time (exec is slow in TCG).
	mkfifo "$T/go2"
	$BIOIO -g "$T/go2" "$FILE" w 4096 10 0 &
	a=$!
	$BIOIO -g "$T/go2" "$FILE" w 4096 10 1048576 &
	b=$!
	ftk_start $t biosnoop -Q -d "$DISK" || exit 0
	sleep 0.5
	echo go >"$T/go2"
	wait $a
	wait $b
	wait_until 10 sh -c "[ \$(grep -c ' bioio ' '$T/$t.out') -ge 20 ]"
	ftk_stop $t
	assert_eq $t 20 "$(awk -v a=$a -v b=$b '($3 == a || $3 == b) && $9 >= 1.99' \
		"$T/$t.out" | wc -l)"
	n=$(awk -v a=$a -v b=$b '($3 == a || $3 == b) && $8 >= 1.0' "$T/$t.out" | wc -l)
	[ "$n" -ge 5 ] || fail $t "only $n of 20 requests queued >= 1 ms behind depth 1"
	pass $t
fi

bio_cleanup
