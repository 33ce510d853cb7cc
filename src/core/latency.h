/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * latency: the time from an event to a later event of the same thread (a syscall's entry to
 * its exit), paired in the kernel where it has synthetic events (FTK_F_SYNTH, 4.17 on) and
 * counted and summed per key there; nothing reaches the ring buffer (every trigger soft
 * mode). Four triggers:
 *   start  hist:keys=common_pid:ts0=common_timestamp:size=T [if start_filter]
 *   end    hist:keys=common_pid:lat=common_timestamp-$ts0:size=T:
 *          onmatch(SYS.START).ftk_<pid>_<name>($lat,KEY,common_pid) [if end_filter]
 *   count  on the synthetic event: hist:keys=KEY.MOD (or pid):vals=hitcount,lat:size=8192
 *   total  on the end event: hist:keys=KEY:vals=hitcount [if end_filter] (keys few: never
 *          full), so that the end events which got no latency are known (unpaired).
 * ts0 is read once (hist variables are read-once): each end pairs with its own start; an
 * end whose start came before the pairing began (in flight at arm, or at an emptying) has
 * none. T is 32768 threads (FTK_HIST_MAP_SIZE overrides). The thread maps only grow (the
 * kernel never deletes an entry and refuses :clear on triggers with variables): when a read
 * finds one 3/4 full or dropping, end then start are removed and set again, empty; the
 * ends during that swap are unpaired, and counted as such.
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
 * the sum of the latencies in ns; then the thread maps are emptied if they fill. */
void ftk_latency_read(struct ftk_latency *l,
		      void (*fn)(uint64_t key, uint64_t count, uint64_t ns, void *ctx), void *ctx);
/* Empty the thread maps if one is 3/4 full or dropping (each read does it too): call it
 * every second or so between reads. */
void ftk_latency_tend(struct ftk_latency *l);
/* End events no key got since the start: no latency (in flight when the pairing began or
 * when the thread maps were emptied, or no room in them), or a latency the count's map had
 * no room for. Exact once the events stop (the total is read before the pairs). */
uint64_t ftk_latency_dropped(const struct ftk_latency *l);
/* How many times the thread maps were emptied. */
unsigned long ftk_latency_recycled(const struct ftk_latency *l);
void ftk_latency_free(struct ftk_latency *l);

#endif
