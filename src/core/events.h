/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * events: probes a view declares (tracepoints, kprobes, uprobes) and fast field access on
 * their records. Probes are declared before ftk_session_arm() and created by it.
 */
#ifndef FTK_EVENTS_H
#define FTK_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <event-parse.h>

struct ftk_session;

enum ftk_event_kind { FTK_EV_TRACEPOINT, FTK_EV_KPROBE, FTK_EV_KRETPROBE, FTK_EV_UPROBE,
		      FTK_EV_URETPROBE };

/* One record handed to a handler, in time order across CPUs. */
struct ftk_rec {
	uint64_t ts;		/* ns, CLOCK_MONOTONIC (trace_clock=mono) */
	int cpu;
	int size;
	void *data;		/* the event's raw data (common fields first) */
};

struct ftk_event;
typedef void (*ftk_event_fn)(struct ftk_event *ev, const struct ftk_rec *r, void *ctx);

struct ftk_event {
	enum ftk_event_kind kind;
	char *system;		/* "sched", or the session group for probes */
	char *name;
	char *filter;		/* kernel filter, may be NULL */
	char *probe;		/* kprobe/uprobe: the definition text written to the kernel */
	char *target;		/* kprobe: symbol; uprobe: path */
	unsigned long long offset;	/* uprobe: file offset */
	char *fetch;		/* fetch args, may be NULL */
	struct tep_event *tep;	/* set by arm */
	int id;			/* set by arm */
	ftk_event_fn fn;
	void *ctx;
	bool optional;		/* arm skips it (with no error) when it cannot be created */
	bool no_enable;		/* comes with the tracer (ftrace:funcgraph_*): format only */
	bool enabled;		/* set by arm when live */
	bool skipped;		/* optional event that could not be created */
	bool made;		/* dynamic event created (to remove at the end) */
	bool not_self;		/* none of ftk's own records (ftk_event_not_self) */
	bool drop_self;		/* set by arm: ftk's own records dropped in user space */
	struct ftk_event *next;
};

/* Declare a tracepoint. filter may be NULL. */
struct ftk_event *ftk_tracepoint(struct ftk_session *s, const char *sys, const char *name,
				 const char *filter);
/* Declare a kprobe/kretprobe on a kernel symbol, in group ftk_<pid>, event `name`.
 * fetch: kprobe fetch args ("file=+0(%si):string ..."), may be NULL. */
struct ftk_event *ftk_kprobe(struct ftk_session *s, const char *name, const char *symbol,
			     const char *fetch, bool ret);
/* Declare a uprobe/uretprobe on PATH at a *file offset*. */
struct ftk_event *ftk_uprobe(struct ftk_session *s, const char *name, const char *path,
			     unsigned long long offset, const char *fetch, bool ret);
/* Same, resolving SYMBOL through the ELF symbol tables (error printed, NULL when absent). */
struct ftk_event *ftk_uprobe_sym(struct ftk_session *s, const char *name, const char *path,
				 const char *symbol, const char *fetch, bool ret);

void ftk_event_on(struct ftk_event *ev, ftk_event_fn fn, void *ctx);
/* None of ftk's own records on EV (its own reads of tracefs and /proc would feed back into a
 * view of opens): arm adds "common_pid != <ftk's pid>" to EV's kernel filter where that
 * filter is the session's own, and drops those records in user space where it would be
 * global (a tracepoint before 3.14: every other tracer would lose ftk's records too, and a
 * second ftk session would be refused). A recording (raw pages) then holds them. */
void ftk_event_not_self(struct ftk_event *ev);
/* A tracepoint the view can do without: declared (optional, handled by fn) when the kernel
 * has it, else NULL. */
struct ftk_event *ftk_tracepoint_optional(struct ftk_session *s, const char *sys,
					  const char *name, ftk_event_fn fn, void *ctx);

/* Common field: event type id (first 2 bytes). */
static inline int ftk_rec_type(const void *data) { return *(const uint16_t *)data; }

/* The common_pid of a record. */
int ftk_rec_pid(const void *data);

#endif
