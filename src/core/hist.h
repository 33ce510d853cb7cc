/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hist: in-kernel aggregation for views: synthetic events and hist triggers owned by a
 * session. A view declares them before ftk_session_arm(); arm creates them (synthetic events
 * first, then the triggers in declaration order), each journaled before it is made, and
 * printed instead in dry-run; close (or a failed arm) removes the triggers in reverse order,
 * then the instance, then the synthetic events. `ftk reset` does the same for dead sessions.
 *
 *   sy = ftk_synth(s, "bio_lat", "u64 lat; u32 dev; char rwbs[8]");  // ftk_<pid>_bio_lat
 *   t0 = ftk_trigger(s, "block", "block_rq_issue", "hist:keys=dev,sector:ts0=...");
 *   t1 = ftk_trigger(s, "synthetic", ftk_synth_name(sy), "hist:keys=lat.log2:vals=hitcount");
 *   ftk_session_arm(s);
 *   text = ftk_trigger_hist(t1);   // the event's hist file (read it; there is no clear:
 *                                  // the kernel refuses :clear for triggers with variables)
 */
#ifndef FTK_HIST_H
#define FTK_HIST_H

#include <stdbool.h>
#include <stdint.h>

struct ftk_session;
struct ftk_synth;
struct ftk_trigger;
struct ftk_tfs;

/* A synthetic event named ftk_<pid>_<name> (global: synthetic events are not per instance).
 * fields: the synthetic_events field list, e.g. "u64 lat; u32 dev". NULL if malformed. */
struct ftk_synth *ftk_synth(struct ftk_session *s, const char *name, const char *fields);
/* "ftk_<pid>_<name>" (its event is synthetic:<that>). */
const char *ftk_synth_name(const struct ftk_synth *sy);

/* A trigger (hist:..., or any trigger command) on SYS:EVENT of the session's instance. */
struct ftk_trigger *ftk_trigger(struct ftk_session *s, const char *sys, const char *event,
				const char *text);
/* The trigger is not set when *skip is true at arm: it is on an optional probe the kernel
 * refused (events.h: ev->skipped), there is no event to put it on. */
void ftk_trigger_unless(struct ftk_trigger *t, const bool *skip);
/* This trigger's block of the event's hist file (the whole file when one block or none
 * matches; malloc'd), NULL with errno on error. */
char *ftk_trigger_hist(const struct ftk_trigger *t);
/* The block of hist file TEXT whose "# trigger info:" is TRIGGER's (same keys and filter;
 * the blocks' order differs between kernels), malloc'd; NULL when none is. */
char *ftk_hist_block(const char *text, const char *trigger);
/* Recycling a trigger's map (the kernel never deletes hist entries and refuses :clear on
 * triggers with variables): remove it ('!' + its text; a dependent trigger first), then
 * create it again with the same text (dependencies first). Not journaled again: the line
 * written at arm stays, and reset tolerates a journaled trigger that is absent. 0 or -errno
 * after a warning (with the kernel's error_log line); nothing in dry-run. */
int ftk_trigger_remove(struct ftk_trigger *t);
int ftk_trigger_recreate(struct ftk_trigger *t);
/* Empty a hist trigger's map (entries, Hits, Dropped) without taking it off: its text with
 * ":clear" where the kernel has it (README names 'clear'; refused for triggers with
 * variables), else remove + recreate. Events between the caller's last read and the clear
 * are not counted. 0 or -errno after a warning; nothing in dry-run. */
int ftk_trigger_clear(struct ftk_trigger *t);
/* Map size of a hist trigger: FTK_HIST_MAP_SIZE (a debugging knob: a power of two from 128,
 * the kernel's smallest, to 131072) or def. 0, or -EINVAL after an error naming it. */
int ftk_hist_map_size(unsigned def, unsigned *size);
/* A keyed map whose keys come and go is emptied when this says so: 3/4 full (a map of
 * SIZE entries holds them in a table twice as big: lookups stay short) or dropping. */
bool ftk_hist_map_filling(uint64_t entries, uint64_t dropped, unsigned size);

/* --- core-internal: the engine under those calls, one per session, needing only where it
 * writes (struct ftk_tfs), so it is testable without a session --- */
struct ftk_hist {
	const struct ftk_tfs *tfs;
	struct ftk_synth *synths;	/* in declaration order */
	struct ftk_trigger *triggers;	/* in declaration order */
};
/* ftk_synth()/ftk_trigger() of the session forward here. */
struct ftk_synth *ftk_hist_synth(struct ftk_hist *h, const char *name, const char *fields);
struct ftk_trigger *ftk_hist_trigger(struct ftk_hist *h, const char *sys, const char *event,
				     const char *text);
/* Create (each journaled first; printed in dry-run): 0 or -errno after printing why. Then,
 * at the end: remove triggers (before the instance goes), remove synthetic events (after),
 * free. */
int ftk_hist_arm(struct ftk_hist *h);
void ftk_hist_untrigger(struct ftk_hist *h);
void ftk_hist_unsynth(struct ftk_hist *h);
void ftk_hist_free(struct ftk_hist *h);

#endif
