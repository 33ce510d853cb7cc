# SPDX-License-Identifier: GPL-2.0-only
# t_features.sh: `ftk features` tells the truth about this kernel. Every feature it reports
# is checked against tracefs itself (files present, tracers listed, EPERM on opening), the
# reasons name the cause (CONFIG_ option, policy EPERM, lockdown), --json is one line with
# the documented keys, probing leaves no instance behind, it runs without root and says what
# it could not check, and a malformed command line exits 2.
. "$(dirname "$0")/lib.sh"

# util-linux setpriv by path: busybox sh would run its own applet, which lacks --reuid.
SETPRIV=""
for p in /usr/bin/setpriv /bin/setpriv; do
	[ -x "$p" ] && SETPRIV=$p && break
done

KEYS="tracefs instances kprobes uprobes dynevents function fgraph fgraph_instance fgraph_retval
hist syscall_tp synth rb_stats"

# Row of feature $1 in the table: "yes ..." or "no ...".
row() {
	awk -v k="$1" '$1 == k && ($2 == "yes" || $2 == "no") {
		$1 = ""; sub(/^ /, ""); print; exit }' "$T/table"
}

ok_of() {
	row "$1" | cut -d' ' -f1
}

# expect NAME KEY yes|no [REASON-REGEX]
expect() {
	_got=$(ok_of "$2")
	[ "$_got" = "$3" ] || { fail "$1" "$2: ftk says '$_got', tracefs says '$3'"; return 1; }
	[ -z "${4:-}" ] && return 0
	row "$2" | grep -q -e "$4" && return 0
	fail "$1" "$2: reason '$(row "$2")' does not match '$4'"
}

t=features_usage
assert_rc $t 2 "$FTK" features --bogus && assert_grep $t "unknown option" "$T/last.err"
assert_rc $t 2 "$FTK" features extra && assert_grep $t "unexpected argument" "$T/last.err"
assert_rc $t 0 "$FTK" features --help && assert_grep $t '^usage: ftk features' "$T/last.out"
pass $t

t=features_table
ls "$TRACEFS/instances" 2>/dev/null | sort >"$T/inst.before"
assert_rc $t 0 "$FTK" features && cp "$T/last.out" "$T/table"
assert_grep $t '^FEATURE  *OK  *DETAIL$' "$T/table"
for k in $KEYS; do
	[ -n "$(ok_of "$k")" ] || fail $t "no row for $k"
done
assert_grep $t "^kernel:  *$(uname -r)\$" "$T/table"
assert_grep $t '^lockdown: ' "$T/table"
lm=$(lockdown_mode)
[ -n "$lm" ] && assert_grep $t "^lockdown: $lm\$" "$T/table"
assert_eq $t "" "$(cat "$T/last.err")"
pass $t

t=features_truth
if [ -z "$TRACEFS" ] || lockdown_confidentiality; then
	expect $t tracefs no
	lockdown_confidentiality && expect $t tracefs no "$LOCKDOWN_MSG"
	pass $t
else
	expect $t tracefs yes
	if [ -e "$TRACEFS/kprobe_events" ]; then
		expect $t kprobes yes
	else
		expect $t kprobes no 'no kprobe_events (CONFIG_KPROBE_EVENTS=n)'
	fi
	if [ -e "$TRACEFS/uprobe_events" ]; then
		# uprobes in instances: the kernel takes a memory fetch (before 3.14, neither)
		if echo "p:kt_$$/up $FTK:0x0 x=+0(%sp):u64" >>"$TRACEFS/uprobe_events" 2>/dev/null; then
			echo "-:kt_$$/up" >>"$TRACEFS/uprobe_events"
			expect $t uprobes yes
		else
			expect $t uprobes no 'write only to the top-level buffer, not into instances'
		fi
	else
		expect $t uprobes no 'CONFIG_UPROBE_EVENTS=n'
	fi
	if [ -e "$TRACEFS/dynamic_events" ]; then
		expect $t dynevents yes
	else
		expect $t dynevents no 'no dynamic_events'
	fi
	if ! grep -qw function "$TRACEFS/available_tracers"; then
		expect $t function no 'CONFIG_FUNCTION_TRACER=n'
	elif (: <"$TRACEFS/set_ftrace_filter") 2>/dev/null; then
		expect $t function yes
	else
		expect $t function no 'EPERM opening set_ftrace_filter'
	fi
	if grep -qw function_graph "$TRACEFS/available_tracers"; then
		[ "$(ok_of function)" = yes ] && expect $t fgraph yes
		[ -e "$TRACEFS/options/funcgraph-retval" ] && [ "$(ok_of function)" = yes ] &&
			expect $t fgraph_retval yes
		# Instances: ftk checks in a test instance, so the answer is exact.
		if [ "$(ok_of fgraph)" = yes ]; then
			mkdir "$TRACEFS/instances/scratch-kt-$$" &&
				if grep -qw function_graph \
					"$TRACEFS/instances/scratch-kt-$$/available_tracers"; then
					expect $t fgraph_instance yes 'checked in a test instance'
				else
					expect $t fgraph_instance no 'checked in a test instance'
				fi
			rmdir "$TRACEFS/instances/scratch-kt-$$"
		fi
	else
		expect $t fgraph no 'CONFIG_FUNCTION_GRAPH_TRACER=n'
		expect $t fgraph_instance no
		expect $t fgraph_retval no
	fi
	if [ -e "$TRACEFS/events/sched/sched_switch/hist" ]; then
		expect $t hist yes
	else
		expect $t hist no 'CONFIG_HIST_TRIGGERS=n'
	fi
	if [ -d "$TRACEFS/events/syscalls" ]; then
		expect $t syscall_tp yes
	else
		expect $t syscall_tp no 'CONFIG_FTRACE_SYSCALLS=n'
	fi
	if [ -w "$TRACEFS/synthetic_events" ]; then
		expect $t synth yes
	elif [ ! -e "$TRACEFS/events/sched/sched_switch/hist" ]; then
		expect $t synth no 'they come with hist triggers: none here'
	elif [ ! -e "$TRACEFS/dynamic_events" ]; then
		expect $t synth no 'hist triggers here predate them: 4.17'
	else
		expect $t synth no 'CONFIG_SYNTH_EVENTS=n'
	fi
	[ -d "$TRACEFS/instances" ] && expect $t instances yes
	if [ -d "$TRACEFS/instances" ] && [ -e "$TRACEFS/per_cpu/cpu0/stats" ]; then
		expect $t rb_stats yes
	else
		expect $t rb_stats no
	fi
	pass $t
fi

t=features_no_leftover
ls "$TRACEFS/instances" 2>/dev/null | sort >"$T/inst.after"
# Our own test instance is ftk-<pid of that ftk>: it must be gone.
grep -v '^scratch-' "$T/inst.before" >"$T/b"
grep -v '^scratch-' "$T/inst.after" >"$T/a"
grep -vxF -f "$T/b" "$T/a" >"$T/new"
while read -r i; do
	case $i in
	ftk-*) [ -d "/proc/${i#ftk-}" ] || fail $t "instance $i left behind" ;;
	esac
done <"$T/new"
pass $t

t=features_json
assert_rc $t 0 "$FTK" features --json && cp "$T/last.out" "$T/json"
assert_eq $t 1 "$(wc -l <"$T/json" | tr -d ' ')"
assert_grep $t "^{\"kernel\":\"$(uname -r)\",\"lockdown\":" "$T/json"
assert_grep $t '"tracefs":' "$T/json"
assert_grep $t '"features":{"tracefs":{"ok":' "$T/json"
assert_grep $t '"views":{' "$T/json"
for k in $KEYS; do
	v=$(tr -d '\n' <"$T/json" |
		sed -n "s/.*\"$k\":{\"ok\":\([a-z]*\)[,}].*/\1/p")
	case $v in
	true) want=yes ;;
	false) want=no ;;
	*) fail $t "no \"$k\":{\"ok\":...} in the JSON"; continue ;;
	esac
	[ "$want" = "$(ok_of "$k")" ] || fail $t "$k: JSON says $v, the table $(ok_of "$k")"
done
# Every false has a why; every true a detail.
tr -d '\n' <"$T/json" | grep -q '"ok":false,"detail"' && fail $t "a false feature has no why"
tr -d '\n' <"$T/json" | grep -q '"ok":true,"why"' && fail $t "a true feature has a why"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json, sys
d = json.load(sys.stdin)
assert set(d) >= {"kernel", "lockdown", "tracefs", "root", "features", "views"}
for v in d["views"].values():
	assert set(v) == {"backend", "why"}' <"$T/json" ||
		fail $t "not valid JSON with the documented keys"
fi
pass $t

t=features_nonroot
if [ -n "$SETPRIV" ] &&
	"$SETPRIV" --reuid=65534 --regid=65534 --clear-groups true >/dev/null 2>&1; then
	assert_rc $t 0 "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups "$FTK" features
	assert_grep $t '^tracefs  *no  *not root' "$T/last.out"
	assert_grep $t '^note: not root' "$T/last.out"
	assert_rc $t 0 "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups "$FTK" features --json
	assert_grep $t '"root":false' "$T/last.out"
	pass $t
else
	skip $t "no setpriv (util-linux) to drop root"
fi

t=features_fast
# The probe is cheap (no available_filter_functions, no formats): milliseconds on the host.
# Emulated guests (TCG) are 5-10x slower, and where function_graph exists a test instance is
# created and removed: allow more there.
limit=5
in_guest && limit=30
s0=$(date +%s)
i=0
while [ $i -lt 10 ]; do
	"$FTK" features >/dev/null 2>&1
	i=$((i + 1))
done
s1=$(date +%s)
[ $((s1 - s0)) -le $limit ] || fail $t "10 runs took $((s1 - s0)) s (limit $limit s)"
pass $t
