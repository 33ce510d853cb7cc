/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * probes (core-internal): the events a view declares (tracepoints, kprobes, uprobes) and
 * their kernel side: dynamic events created in the group ftk_<pid> (definition lines),
 * formats loaded into the session's tep, filters, enabling, removal. A probe list owns its
 * events and needs only where it writes (struct ftk_tfs), so it is testable without a
 * session; the session embeds one and forwards the public declarations of events.h to it.
 * Errors are -errno, printed where they happen.
 */
#ifndef FTK_PROBES_H
#define FTK_PROBES_H

#include <stdbool.h>
#include "events.h"

struct ftk_tfs;
struct tep_handle;

struct ftk_probes {
	const struct ftk_tfs *tfs;
	struct ftk_event *events, **tail;	/* in declaration order */
	struct ftk_event **by_id;	/* dispatch table indexed by event id (after arm) */
	int max_id;
	bool created;		/* ftk_probes_create() ran */
};

void ftk_probes_init(struct ftk_probes *p, const struct ftk_tfs *tfs);

/* Declarations (see events.h for the arguments). */
struct ftk_event *ftk_probes_tracepoint(struct ftk_probes *p, const char *sys, const char *name,
					const char *filter);
struct ftk_event *ftk_probes_kprobe(struct ftk_probes *p, const char *name, const char *symbol,
				    const char *fetch, bool ret);
struct ftk_event *ftk_probes_uprobe(struct ftk_probes *p, const char *name, const char *path,
				    unsigned long long offset, const char *fetch, bool ret);
struct ftk_event *ftk_probes_uprobe_sym(struct ftk_probes *p, const char *name,
					const char *path, const char *symbol, const char *fetch,
					bool ret);

/* Create the dynamic events only (they are global objects: the group is journaled first);
 * at most once. 0 or -errno (message printed; optional events that fail are skipped). */
int ftk_probes_create(struct ftk_probes *p);
/* Load the formats of the created events into tep and index them by id; nothing in
 * dry-run. 0 or -errno (printed; optional events that are missing are skipped). */
int ftk_probes_load(struct ftk_probes *p, struct tep_handle *tep);
/* --input: find every declared event among a recording's formats (tep) instead of tracefs:
 * tracepoints by system and name, dynamic events by name in a probe group (ftk_<pid>,
 * kprobes, uprobes). Optional events that are missing are skipped; the others are listed
 * in `missing` ("sched:sched_process_exec, uprobe:execve"). Returns how many are missing. */
struct ftk_buf;
int ftk_probes_load_recorded(struct ftk_probes *p, struct tep_handle *tep,
			     struct ftk_buf *missing);
/* Set the declared filters (printed in dry-run). 0 or -errno after printing that a filter
 * is malformed (a usage error) with the kernel's reason. */
int ftk_probes_filter(struct ftk_probes *p);
/* Write EV's filter to DIR/events/SYS/EVENT/filter: DIR is the session's instance, or the
 * tracefs root where a tracepoint's filter is global (session.c). 0, or -errno after
 * printing "invalid filter for SYS:EVENT" and the kernel's reason (the instance's error_log,
 * else the filter file's "parse_error:" line) as a hint. Printed in dry-run. */
int ftk_probes_write_filter(struct ftk_probes *p, struct ftk_event *ev, const char *dir);
/* Enable every declared event (except no_enable/skipped ones). 0 or -errno (printed). */
int ftk_probes_enable(struct ftk_probes *p);
void ftk_probes_disable(struct ftk_probes *p);
/* Remove the dynamic events (after the instance is gone: libtracefs trap 5). */
void ftk_probes_destroy(struct ftk_probes *p);
void ftk_probes_free(struct ftk_probes *p);

/* The declared event with this id (armed), or NULL. */
static inline struct ftk_event *ftk_probes_by_id(const struct ftk_probes *p, int id)
{
	return id >= 0 && id <= p->max_id ? p->by_id[id] : NULL;
}

#endif
