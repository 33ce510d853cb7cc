#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tracefs nodev /sys/kernel/tracing
mount -t devtmpfs dev /dev 2>/dev/null
T=/sys/kernel/tracing
O=/tmp/out
mkdir -p $O/events/ftrace/funcgraph_entry $O/events/ftrace/funcgraph_exit $O/per_cpu
echo "KREL $(uname -r) NCPU $(nproc)"
cat $T/events/header_page > $O/events/header_page
cat $T/events/header_event > $O/events/header_event
cat $T/events/ftrace/funcgraph_entry/format > $O/events/ftrace/funcgraph_entry/format
cat $T/events/ftrace/funcgraph_exit/format > $O/events/ftrace/funcgraph_exit/format
ls $T/options > $O/options.txt
cat $T/available_tracers > $O/available_tracers
mkdir $T/instances/probe; ls $T/instances/probe > $O/instance_files.txt; cat $T/instances/probe/available_tracers > $O/instance_tracers; ls $T/instances/probe/options > $O/instance_options.txt; rmdir $T/instances/probe
for f in set_graph_function set_graph_notrace max_graph_depth set_ftrace_pid current_tracer trace_clock; do echo "== $f"; cat $T/$f; done > $O/defaults.txt 2>&1
time wc -l /proc/kallsyms > $O/kallsyms_count 2>&1; time cat /proc/kallsyms > /dev/null 2>>$O/kallsyms_count
wc -l $T/available_filter_functions >> $O/kallsyms_count
# a reader blocked in vfs_read when tracing starts: orphan return
(sleep 1; echo hi) | head -c 2 > /dev/null &
sleep 0.3
echo 1 > $T/options/funcgraph-proc
echo 1 > $T/options/funcgraph-abstime
echo vfs_read > $T/set_graph_function
echo vfs_write >> $T/set_graph_function
echo 0 > $T/tracing_on
echo function_graph > $T/current_tracer
echo 1 > $T/tracing_on
taskset 1 sh -c 'i=0; while [ $i -lt 8 ]; do head -c 300 /proc/version > /dev/null; echo x > /dev/null; i=$((i+1)); done' &
taskset 2 sh -c 'i=0; while [ $i -lt 8 ]; do head -c 300 /proc/version >/dev/null; head -c 100 /dev/zero >/dev/null; i=$((i+1)); done' &
sh -c 'i=0; while [ $i -lt 8 ]; do head -c 300 /proc/self/status >/dev/null; i=$((i+1)); done' &
wait
echo 0 > $T/tracing_on
cat $T/trace > $O/trace.txt
for c in $T/per_cpu/cpu*; do n=$(basename $c); cat $c/stats > $O/per_cpu/$n.stats; timeout 1 cat $c/trace_pipe_raw > $O/per_cpu/$n.raw; done
sed -n 's/.*| *\([a-zA-Z_0-9.]*\)().*/\1/p' $O/trace.txt | sort -u > /tmp/names
grep -w -F -f /tmp/names /proc/kallsyms | grep ' [tT] ' > $O/kallsyms
echo nop > $T/current_tracer
echo > $T/set_graph_function
echo 0 > $T/options/funcgraph-proc
echo 0 > $T/options/funcgraph-abstime
echo 1 > $T/tracing_on
cd /tmp && tar czf out.tgz out && echo ===BEGIN=== && base64 out.tgz && echo ===END===
poweroff -f
