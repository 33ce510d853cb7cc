# SPDX-License-Identifier: GPL-2.0-only
# t_exporter.sh: `ftk exporter` exports exact counts. With the real Prometheus server (Debian's
# prometheus, started here on 127.0.0.1 with a 1 s scrape interval and a temporary storage):
# a helper named uniquely makes N getppid, N writes ... (the collectors filter on its comm),
# N execs of a uniquely named program; the increases Prometheus's HTTP API reports equal the
# workloads exactly. `promtool check metrics` accepts the exposition; --textfile is written
# atomically and removed at the end; SIGTERM leaves no state. Without Prometheus (a guest)
# the same counts are read from the textfile. Prometheus absent on the host: SKIP, except on
# CI (CI=true), where scripts/setup installs it.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/fsops.sh"
N=500
NEXEC=40

t=exporter_usage
assert_rc $t 2 "$FTK" exporter --listen nowhere && assert_grep $t "invalid --listen" "$T/last.err"
printf 'syscount -T 5\nbogus -x\n' >"$T/bad.conf"
assert_rc $t 2 "$FTK" exporter --config "$T/bad.conf" &&
	assert_grep $t "bad.conf:2: unknown collector 'bogus'" "$T/last.err"
printf 'vfsstat -T 3\n' >"$T/bad.conf"
assert_rc $t 2 "$FTK" exporter --config "$T/bad.conf" &&
	assert_grep $t "bad.conf:1: vfsstat takes no option '-T'" "$T/last.err"
printf 'syscount -s getppid,notasyscall\n' >"$T/bad.conf"
assert_rc $t 2 "$FTK" exporter --config "$T/bad.conf" &&
	assert_grep $t "unknown syscall 'notasyscall'" "$T/last.err"
assert_rc $t 2 "$FTK" exporter --listen off && assert_grep $t "needs --textfile" "$T/last.err"
assert_rc $t 0 "$FTK" exporter --help && assert_grep $t '^usage: ftk exporter' "$T/last.out" &&
	pass $t
lockdown_refusal exporter_lockdown exporter && exit 0

if ! fsops_ready; then
	skip exporter_exact "no ftk-fsops helper (FTK_HELPERS)"
	exit 0
fi

# The collectors filter on the task's comm (filter_pred_comm): a kernel that refuses it
# cannot run the exact tests (the filter error is ftk's usage error, exit 2).
if ! "$FTK" trace -e 'sched:sched_process_exec:comm == "ftk-none"' -d 0.2 >/dev/null 2>"$T/comm.err"; then
	skip exporter_exact "this kernel refuses an event filter on comm: $(head -1 "$T/comm.err")"
	exit 0
fi

# The workload under names nobody else on this machine runs: the collectors filter on them.
NAME=fx$$
NAME=$(printf '%.15s' "$NAME")
cp "$FSOPS" "$T/$NAME"
EXE=ex$$
cp "$FSOPS" "$T/$EXE"	# run without arguments: a usage line, exit 2

cat >"$T/exporter.conf" <<EOF
# the exact-count test's collectors
syscount --comm $NAME -s getppid,write,fsync
vfsstat --comm $NAME
execsnoop -T 1000
funccount '$T/$NAME:fsops_round'
EOF

# work_start: the helper $NAME started and waiting (its loader's reads and opens done, and
# read by the exporter, before the values "before" are taken); work_go NAME: N of each fsops
# operation, then NEXEC execs of $EXE.
work_start() {
	mkdir -p "$T/work"
	rm -f "$T/work.pid"
	"$T/$NAME" $N "$T/work" >"$T/work.pid" &
	_w=$!
	wait_until 5 test -s "$T/work.pid"
	sleep "$1"
}
work_go() {
	kill -USR1 $_w
	wait $_w || fail "$1" "the helper failed"
	_i=0
	while [ $_i -lt $NEXEC ]; do
		"$T/$EXE" 2>/dev/null
		_i=$((_i + 1))
	done
}

# metric FILE SERIES: the value of SERIES (name{labels} as exported) in FILE, 0 when absent.
metric() {
	awk -v s="$2" '$1 == s { v = $2 } END { print v + 0 }' "$1"
}

# The metrics the workload moves, and by how much.
SERIES="ftk_syscalls_total{syscall=\"getppid\"}=$N
ftk_syscalls_total{syscall=\"write\"}=$N
ftk_syscalls_total{syscall=\"fsync\"}=$N
ftk_vfs_calls_total{op=\"write\"}=$N
ftk_vfs_calls_total{op=\"read\"}=$N
ftk_vfs_calls_total{op=\"fsync\"}=$N
ftk_vfs_calls_total{op=\"open\"}=$N
ftk_vfs_calls_total{op=\"unlink\"}=$N
ftk_vfs_calls_total{op=\"mkdir\"}=$N
ftk_vfs_calls_total{op=\"rmdir\"}=$N
ftk_function_calls_total{function=\"fsops_round\"}=$N
ftk_execs_total{comm=\"$EXE\"}=$NEXEC"

# --- textfile (every kernel) -----------------------------------------------------------------
t=exporter_textfile
PROM=$T/ftk.prom
textfile_at() {
	[ "$(metric "$PROM" "$1")" = "$2" ]
}
if ftk_start $t exporter --config "$T/exporter.conf" --textfile "$PROM" -i 0.5; then
	wait_until 5 test -s "$PROM"
	work_start 1.5
	cp "$PROM" "$T/before.prom"
	work_go $t
	for _s in $SERIES; do
		_k=${_s%=*}
		_want=$(($(metric "$T/before.prom" "$_k") + ${_s##*=}))
		wait_until 10 textfile_at "$_k" "$_want"
		assert_eq $t "$_k=$_want" "$_k=$(metric "$PROM" "$_k")"
	done
	# never half a file: the temporary one is renamed over it
	assert_grep $t '^ftk_exporter_events_lost_total 0$' "$PROM"
	assert_grep $t '^ftk_exporter_collector_info{collector="syscount",route="[a-z]*",source="raw_syscalls"} 1$' "$PROM"
	assert_eq $t "" "$(ls "$T" | grep 'ftk.prom.*tmp')"
	# the kernel counts where it has hist triggers (execsnoop reads the ring buffer anyway)
	if _tracefs_feature hist; then
		for _c in syscount vfsstat funccount; do
			assert_grep $t "^ftk_exporter_collector_info{collector=\"$_c\",route=\"hist\"" "$PROM"
		done
	fi
	sed -n 's/^ftk_exporter_collector_info/    | &/p' "$PROM"
	_p=$(ftk_pid $t)
	ftk_stop $t TERM &&
		assert_eq $t "" "$(ls "$TRACEFS/instances" | grep "^ftk-$_p\$")" &&
		assert_eq $t "no textfile" "$(test -e "$PROM" && echo left || echo no textfile)" &&
		pass $t
fi

# --- biolatency: the I/Os of a known disk in the histogram ---------------------------------
. "$(dirname "$0")/bio.sh"
t=exporter_biolatency
if ! bio_target; then
	skip $t "$BIO_WHY"
else
	printf 'biolatency -d %s\n' "$DISK" >"$T/bio.conf"
	BPROM=$T/bio.prom
	bio_at_least() {
		[ "$(metric "$BPROM" "$CNT")" -ge "$1" ]
	}
	CNT="ftk_block_io_latency_seconds_count{disk=\"$DISK\"}"
	if ftk_start $t exporter --config "$T/bio.conf" --textfile "$BPROM" -i 0.5; then
		wait_until 5 test -s "$BPROM"
		sleep 0.6
		_b=$(metric "$BPROM" "$CNT")
		$BIOIO "$FILE" w 65536 8 "$OFF"
		_want=$((_b + 8))
		if [ "$KIND" = nullb ]; then
			# 2 ms completions: none below 1.024 ms (2 ms itself is under the 2.048 ms
			# bound: t_biolatency asserts the same of the 1024 -> 2047 row)
			wait_until 10 textfile_at "$CNT" "$_want"
			assert_eq $t "$CNT=$_want" "$CNT=$(metric "$BPROM" "$CNT")"
			assert_eq $t 0 "$(metric "$BPROM" "ftk_block_io_latency_seconds_bucket{disk=\"$DISK\",le=\"0.001024\"}")"
		else
			wait_until 10 bio_at_least "$_want"
			_n=$(metric "$BPROM" "$CNT")
			[ "$_n" -ge "$_want" ] || fail $t "$CNT=$_n, expected at least $_want"
		fi
		assert_grep $t "^ftk_block_io_latency_seconds_bucket{disk=\"$DISK\",le=\"+Inf\"} " "$BPROM"
		cp "$BPROM" "$T/bio.last"
		ftk_stop $t TERM && pass $t
		sed -n 's/^ftk_exporter_collector_info/    | &/p' "$T/bio.last"
	fi
	bio_cleanup
fi

# --- Prometheus (host) ------------------------------------------------------------------------
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1 ||
	! command -v curl >/dev/null 2>&1; then
	if [ "${CI:-}" = true ] && ! in_guest; then
		fail exporter_prometheus "CI=true but no prometheus/promtool/curl (scripts/setup installs them)"
	else
		skip exporter_prometheus "no prometheus, promtool or curl here (Debian: apt-get install prometheus curl)"
	fi
	exit 0
fi

# Ports from this shell's pid, away from the usual ones.
EPORT=$((20000 + $$ % 20000))
PPORT=$((EPORT + 1))
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ftk
    static_configs:
      - targets: ['127.0.0.1:$EPORT']
EOF

# query EXPR: the value of the first series of an instant query (empty when none).
query() {
	curl -s -G "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		sed -n 's/^.*"value":\[[^,]*,"\([^"]*\)"\].*$/\1/p'
}
prom_at() {
	[ "$(query "$1")" = "$2" ]
}

t=exporter_prometheus
if ftk_start $t exporter --config "$T/exporter.conf" --listen "127.0.0.1:$EPORT"; then
	prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
		--web.listen-address="127.0.0.1:$PPORT" >"$T/prometheus.log" 2>&1 &
	PROMPID=$!
	if ! wait_until 30 prom_at 'up{job="ftk"}' 1; then
		fail $t "Prometheus never scraped the exporter (up != 1)"
		_show "$T/prometheus.log" 10
	else
		# the values before, as Prometheus has them (a series not there yet: 0)
		work_start 3.5
		for _s in $SERIES; do
			_k=${_s%=*}
			_v=$(query "$_k")
			echo "$_k=${_v:-0}" >>"$T/prom.before"
		done
		work_go $t
		for _s in $SERIES; do
			_k=${_s%=*}
			_b=$(grep -F "$_k=" "$T/prom.before" | head -1)
			_want=$((${_b##*=} + ${_s##*=}))
			wait_until 15 prom_at "$_k" "$_want"
			assert_eq $t "$_k=$_want" "$_k=$(query "$_k")"
		done
		# increase() over the run, as a dashboard would ask: exact for getppid
		_inc=$(query "max_over_time(ftk_syscalls_total{syscall=\"getppid\"}[5m]) - min_over_time(ftk_syscalls_total{syscall=\"getppid\"}[5m])")
		assert_eq $t "getppid increase=$N" "getppid increase=$_inc"
		assert_eq $t "lost=0" "lost=$(query ftk_exporter_events_lost_total)"
		curl -s "http://127.0.0.1:$EPORT/metrics" >"$T/metrics"
		promtool check metrics <"$T/metrics" >"$T/promtool.out" 2>&1 ||
			{ fail $t "promtool check metrics refused the exposition"; _show "$T/promtool.out" 10; }
		assert_grep $t '^ftk_exporter_scrapes_total [1-9]' "$T/metrics"
	fi
	kill "$PROMPID" 2>/dev/null
	wait "$PROMPID" 2>/dev/null
	_p=$(ftk_pid $t)
	ftk_stop $t TERM &&
		assert_eq $t "" "$(ls "$TRACEFS/instances" | grep "^ftk-$_p\$")" &&
		pass $t
fi

# The default set (no --config): every collector this kernel can run, exposition accepted by
# promtool (the biolatency histogram included where block tracepoints exist).
t=exporter_default
if ftk_start $t exporter --listen "127.0.0.1:$EPORT"; then
	dd if=/dev/zero of="$T/dd" bs=4k count=64 oflag=direct 2>/dev/null
	sleep 1.5
	curl -s "http://127.0.0.1:$EPORT/metrics" >"$T/default.metrics"
	promtool check metrics <"$T/default.metrics" >"$T/promtool.out" 2>&1 ||
		{ fail $t "promtool check metrics refused the default exposition"; _show "$T/promtool.out" 10; }
	assert_grep $t '^ftk_syscalls_total{syscall="' "$T/default.metrics" &&
		assert_grep $t '^ftk_vfs_calls_total{op="write"} ' "$T/default.metrics" &&
		assert_grep $t '^ftk_execs_total' "$T/default.metrics" || true
	if has_tracepoint block block_rq_complete; then
		assert_grep $t '^ftk_block_io_latency_seconds_bucket{disk="[^"]*",le="+Inf"} ' "$T/default.metrics"
	fi
	# the port is taken now: a second exporter says so, exit 1, no state
	assert_rc $t 1 "$FTK" exporter --listen "127.0.0.1:$EPORT" &&
		assert_grep $t "cannot listen on 127.0.0.1:$EPORT" "$T/last.err"
	ftk_stop $t TERM && pass $t
fi
