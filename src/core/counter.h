/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * counter: counting events for the views that only count (syscount, vfsstat, funccount), by
 * the cheapest way this kernel offers, picked by probing (ftk_count_pick):
 *
 *   hist     a hist trigger on the event of the session's instance (keys=common_pid for a
 *            total, keys=FIELD for counts per value): the event carries only the trigger, so
 *            it is armed soft-disabled: counted, never written to the ring buffer. Totals are
 *            Hits + Dropped (a dropped entry still happened); keyed counts report Dropped.
 *            A keyed map whose keys come and go (pids) is emptied when full
 *            (ftk_counter_recycle), its total counted beside it.
 *   profile  a probe's hit counter (kprobe_profile / uprobe_profile), the probe enabled in the
 *            session's instance with tracing_on=0: nothing is written. The counters count the
 *            probe in every instance, so only the session's own probes, no filter, no key.
 *   ring     the events enabled in the instance and counted as they are read (the session's
 *            unordered dispatch); losses are the session's, reported at the end.
 *   stats    totals without hist or hit counters (tracepoints, -p): each counter's events
 *            enabled, with its filter, in a small overwrite-mode instance of its own that
 *            nobody reads (rbcount.h); the count is its ring-buffer statistics (entries +
 *            overrun + read events over CPUs), what the kernel lost there is dropped.
 *            One instance per counter: at most FTK_COUNT_STATS_MAX. Picked after hist and
 *            profile, before ring (ftk_count_pick_totals).
 *
 *   struct ftk_counters *c = ftk_counters_new(s, ftk_count_pick(false, true));
 *   k = ftk_count_tracepoint(c, "raw_syscalls", "sys_enter", NULL, "id");
 *   ... arm ...; ftk_counters_bind(c);
 *   every interval: ftk_counters_read(c); ftk_counter_each(k, fn, ctx);   // deltas
 */
#ifndef FTK_COUNTER_H
#define FTK_COUNTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ftk_session;
struct ftk_event;
struct ftk_counters;
struct ftk_counter;

enum ftk_count_via { FTK_COUNT_HIST, FTK_COUNT_PROFILE, FTK_COUNT_RING, FTK_COUNT_STATS };

/* stats: instances one session makes at most (each is ~10 ms to make, ~45 ms to remove on
 * the 6.18 host, and two pages per CPU): above it a view counts on the ring. */
#define FTK_COUNT_STATS_MAX 64
/* stats: instances holding syscall tracepoints, at most. Each instance with a syscall event
 * enabled hooks the kernel's syscall handler of its own (a trace_array registers
 * ftrace_syscall_enter/exit for itself), so N such instances run N handlers on every
 * syscall of the machine: ~24 ns each on the 6.18 host against ~44 ns per syscall for one
 * instance read from the ring (bench/RESULTS.md, vfsstat by stats vs ring). */
#define FTK_COUNT_STATS_SYSCALL_MAX 2

/* "hist", "profile", "ring", "stats". */
const char *ftk_count_via_name(enum ftk_count_via via);
/* One line for --dry-run and headers: "in-kernel hist triggers (nothing reaches the ring
 * buffer)" ... */
const char *ftk_count_via_desc(enum ftk_count_via via);
/* What this kernel offers for counting events: hist where hist triggers exist, else probe
 * hit counters for probes that need neither a filter nor a key (probe && plain), else the
 * ring buffer. */
enum ftk_count_via ftk_count_pick(bool probe, bool plain);

/* As ftk_count_pick, for views that count totals only, needing `instances` counting
 * instances with the stats way (0: it cannot use them): stats where the pick would be the
 * ring, the kernel has instances with per-CPU stats, and instances <= FTK_COUNT_STATS_MAX. */
enum ftk_count_via ftk_count_pick_totals(bool probe, bool plain, int instances);
/* Instances with per_cpu/cpuN/stats here (the stats way can count). */
bool ftk_count_stats_ok(void);

/* Counters on session s (declare time). NULL on allocation failure. */
struct ftk_counters *ftk_counters_new(struct ftk_session *s, enum ftk_count_via via);
enum ftk_count_via ftk_counters_via(const struct ftk_counters *c);

/* Count the records of tracepoint SYS:EVENT passing filter (NULL: every one). key: a numeric
 * field counted per value (NULL: a total). key_mod: hist's key modifier ("syscall",
 * "execname"; NULL: none), the names the kernel prints are kept (ftk_counter_name). */
struct ftk_counter *ftk_count_tracepoint(struct ftk_counters *c, const char *sys,
					 const char *event, const char *filter, const char *key,
					 const char *key_mod);
/* Keys of k come and go (pids, not syscall numbers): with hist, when a read finds the map
 * 3/4 full or dropping, it is emptied (:clear, else set again) after the read, and a second
 * trigger (keys=common_pid, never cleared) keeps the total exact; what no key got (a full
 * map, the events between a read and its clear) is reported by ftk_counters_dropped. Before
 * arm; nothing for other ways or totals. */
void ftk_counter_recycle(struct ftk_counter *k);
/* The keyed maps' size from FTK_HIST_MAP_SIZE (tests fill a small map on purpose), before
 * any counter is declared: 0, or -EINVAL after an error. */
int ftk_counters_map_size(struct ftk_counters *c);
/* Count a probe the view declared (ftk_kprobe/ftk_uprobe), before arm: its total only. */
struct ftk_counter *ftk_count_event(struct ftk_counters *c, struct ftk_event *ev,
				    const char *filter);
/* Count ev (declared by the caller: a tracepoint or a probe) in k's total as well, with its
 * own filter: one column of several events (vfsstat's READ: read + pread64). stats: in k's
 * instance; other ways: a counter of its own whose deltas are added to k's. Before arm. */
struct ftk_counter *ftk_count_into(struct ftk_counter *k, struct ftk_event *ev,
				   const char *filter);
/* The counter's event (skipped probes: ev->skipped after arm). */
struct ftk_event *ftk_counter_event(const struct ftk_counter *k);

/* After arm: resolve key fields (ring). 0 or -errno (printed). */
int ftk_counters_bind(struct ftk_counters *c);
/* Read every counter: what was counted since the previous read becomes the delta. In ring
 * mode the session's records up to now have been dispatched already. */
void ftk_counters_read(struct ftk_counters *c);
/* Between a view's reads (e.g. every second when it prints only at the end): read the
 * recycled counters (ftk_counter_recycle) so their maps are emptied as they fill; what it
 * reads is kept for the view's next ftk_counters_read. Nothing without such counters. */
void ftk_counters_tend(struct ftk_counters *c);

/* The delta of the last read: the total, and per key. */
uint64_t ftk_counter_delta(const struct ftk_counter *k);
void ftk_counter_each(const struct ftk_counter *k,
		      void (*fn)(uint64_t key, uint64_t count, void *ctx), void *ctx);
/* The name the kernel gave key (hist .syscall / .execname), NULL when none. */
const char *ftk_counter_name(const struct ftk_counter *k, uint64_t key);
/* Events no key got since the start, over every keyed counter: the kernel's map was full
 * (Dropped), or (recycled counters) they came between a read and the map's clear; stats:
 * events the kernel could not commit in the counting instances (commit overrun, dropped
 * events). */
uint64_t ftk_counters_dropped(const struct ftk_counters *c);
/* How many times keyed maps were emptied (ftk_counter_recycle). */
unsigned long ftk_counters_recycled(const struct ftk_counters *c);

void ftk_counters_free(struct ftk_counters *c);

/* -p for counting views: a kernel filter on the threads the processes have now
 * ("common_pid == 1 || common_pid == 2"), as hist triggers ignore set_event_pid. *filter is
 * malloc'd, NULL when n is 0. 0, or -ESRCH after an error naming the process. */
int ftk_count_pid_filter(const pid_t *pids, int n, char **filter);

/* --- the hist-file reading under it (unit tests): add each entry of a hist file's text to
 * counts: key -> hitcount (key field `key`: "[ N]" of a named key, else its number), total =
 * Hits + Dropped. 0, or -1 when text is not a hist file. */
struct ftk_counts {
	uint8_t *used;		/* slot i holds keys[i] (any value: syscall id -1 too) */
	uint64_t *keys, *vals;
	char **names;		/* the kernel's name per slot, or NULL */
	unsigned cap, n;
};
int ftk_counts_parse_hist(struct ftk_counts *into, const char *text, const char *key,
			  uint64_t *total, uint64_t *dropped);
/* The count of key (0 when absent); add to it. */
uint64_t ftk_counts_get(const struct ftk_counts *m, uint64_t key);
void ftk_counts_add(struct ftk_counts *m, uint64_t key, uint64_t n);
void ftk_counts_set(struct ftk_counts *m, uint64_t key, uint64_t n);
void ftk_counts_clear(struct ftk_counts *m);
void ftk_counts_free(struct ftk_counts *m);
/* A probe's hits in the text of kprobe_profile or uprobe_profile (the line naming event),
 * -1 when absent. */
long long ftk_profile_hits(const char *text, const char *event);

#endif
