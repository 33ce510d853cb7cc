/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * latency: the time from an event to a later event of the same thread (a syscall's entry to
 * its exit), paired in the kernel where it has synthetic events (FTK_F_SYNTH, 4.17 on) and
 * counted and summed per key there; nothing reaches the ring buffer (every trigger soft
 * mode). Three triggers:
 *   start  hist:keys=common_pid:ts0=common_timestamp:size=T [if start_filter]
 *   end    hist:keys=common_pid:lat=common_timestamp-$ts0:size=T:
 *          onmatch(SYS.START).ftk_<pid>_<name>($lat,KEY,common_pid) [if end_filter]
 *   count  on the synthetic event: hist:keys=KEY.MOD (or pid):vals=hitcount,lat:size=8192
 * ts0 is read once (hist variables are read-once): each end pairs with its own start; an
 * end whose start came before arm has none. T is 32768 threads (FTK_HIST_MAP_SIZE
 * overrides); a thread with no room in them has no latency (dropped).
 *
 *   struct ftk_latency_spec sp = { "sys_lat", "raw_syscalls", "sys_enter", "sys_exit",
 *                                  NULL, NULL, "id", "long id", "syscall", false };
 *   l = ftk_latency_new(s, &sp);             // declare time
 *   ... arm ...; every interval: ftk_latency_read(l, fn, ctx);     // deltas per key
 */
#ifndef FTK_LATENCY_H
#define FTK_LATENCY_H

#include <stdbool.h>
#include <stdint.h>

struct ftk_session;
struct ftk_latency;

struct ftk_latency_spec {
	const char *name;		/* the synthetic event: ftk_<pid>_<name> */
	const char *sys, *start, *end;	/* SYS:START then SYS:END of one thread */
	const char *start_filter, *end_filter;	/* NULL: none */
	const char *key;		/* the end event's field counted per value ("id") */
	const char *key_decl;		/* that field in the synthetic event ("long id": the
					 * source field's type name, as 4.19 wants) */
	const char *key_mod;		/* hist's modifier naming the keys ("syscall"), or NULL */
	bool per_thread;		/* count per thread (pid) instead of per key */
};

/* Declare the synthetic event and the triggers on session s (before arm). NULL after an
 * error was printed. */
struct ftk_latency *ftk_latency_new(struct ftk_session *s, const struct ftk_latency_spec *sp);
/* What was paired since the previous read, per key (a thread id with per_thread): count and
 * the sum of the latencies in ns. */
void ftk_latency_read(struct ftk_latency *l,
		      void (*fn)(uint64_t key, uint64_t count, uint64_t ns, void *ctx), void *ctx);
/* Events the maps had no room for: a thread's start or end (no latency), a latency's key. */
uint64_t ftk_latency_dropped(const struct ftk_latency *l);
void ftk_latency_free(struct ftk_latency *l);

#endif
