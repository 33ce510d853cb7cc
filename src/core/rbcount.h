/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rbcount: counting events by the ring-buffer statistics of a small instance of their own,
 * for kernels where neither hist triggers nor probe hit counters can count. Each counting
 * instance ftk-<pid>-c<n> (the session's name, so `ftk reset`, the guardian and every start
 * remove it after a kill -9) gets its events enabled with their filters, overwrite mode, the
 * smallest buffer, and no reader. The kernel counts every event it commits there:
 * per_cpu/cpuN/stats `entries` is what the buffer holds now (entries - overrun - read in
 * ring_buffer.c's rb_num_of_entries), so entries + overrun + read events is every event
 * committed since the instance was made. What the kernel could not commit is counted apart:
 * `commit overrun` (nested writes filled the whole buffer) and `dropped events` (a full
 * buffer not in overwrite mode): reported as lost, never added (a filter may not have been
 * applied to them yet).
 *
 *   struct ftk_rbcount *rc = ftk_rbcount(s);        // declare time
 *   ev = ftk_tracepoint(s, "syscalls", "sys_enter_read", filter); ftk_rbcount_add(rc, ev);
 *   ... arm ...; every interval: ftk_rbcount_read(rc, &committed, &lost);  // cumulative
 */
#ifndef FTK_RBCOUNT_H
#define FTK_RBCOUNT_H

#include <stdbool.h>
#include <stdint.h>

struct ftk_session;
struct ftk_event;
struct ftk_tfs;
struct ftk_rbcount;

/* A counting instance of session s (declare time; made by ftk_session_arm). */
struct ftk_rbcount *ftk_rbcount(struct ftk_session *s);
/* Count ev (declared on the same session; its filter applies) in rc: it is enabled there,
 * not in the session's instance. */
void ftk_rbcount_add(struct ftk_rbcount *rc, struct ftk_event *ev);
/* What rc's instance counted since it was made (summed over CPUs): committed events and
 * events the kernel lost. 0, or -errno when no CPU's stats could be read. */
int ftk_rbcount_read(const struct ftk_rbcount *rc, uint64_t *committed, uint64_t *lost);
/* "ftk-<pid>-c<n>" */
const char *ftk_rbcount_name(const struct ftk_rbcount *rc);

/* One per_cpu/cpuN/stats text: adds entries + overrun + read events to *committed, commit
 * overrun + dropped events to *lost. 0, or -1 when it has no entries/overrun line. */
int ftk_rb_stats_parse(const char *text, uint64_t *committed, uint64_t *lost);

/* --- core-internal: the engine under those calls, one per session (declare.c forwards),
 * needing only where it writes (struct ftk_tfs) --- */
struct ftk_rbcounts {
	const struct ftk_tfs *tfs;
	int ncpus;
	int n;
	struct ftk_rbcount *list, **tail;
};
void ftk_rbcounts_init(struct ftk_rbcounts *r, const struct ftk_tfs *tfs, int ncpus);
struct ftk_rbcount *ftk_rbcounts_new(struct ftk_rbcounts *r);
/* Make every instance (each journaled before its mkdir; printed in dry-run): smallest
 * buffer, overwrite on, the events' filters. 0 or -errno after printing why; what was made
 * stays for ftk_rbcounts_remove. */
int ftk_rbcounts_arm(struct ftk_rbcounts *r);
/* Enable the events in their instances (the count starts). 0 or -errno (printed). */
int ftk_rbcounts_enable(struct ftk_rbcounts *r);
/* Remove the instances (before the probes they hold). */
void ftk_rbcounts_remove(struct ftk_rbcounts *r);
void ftk_rbcounts_free(struct ftk_rbcounts *r);

#endif
