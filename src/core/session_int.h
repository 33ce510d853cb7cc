/* SPDX-License-Identifier: GPL-2.0-only */
/* session_int (core-internal): the session structure shared by session.c and declare.c. */
#ifndef FTK_SESSION_INT_H
#define FTK_SESSION_INT_H

#include <stdint.h>
#include <sys/types.h>
#include "events.h"
#include "field.h"
#include "formats.h"	/* ftk_tep_new/ftk_tep_load (unit tests reach them through here) */
#include "hist.h"
#include "probes.h"
#include "rbcount.h"
#include "reader.h"
#include "session.h"
#include "tfs.h"
#include "util.h"

struct tracefs_instance;
struct tep_handle;
struct ftk_ptable;
struct tep_event_filter;

struct ftk_global_save {
	char *file;	/* top-level file name, e.g. "set_graph_function" */
	char *old;	/* content to restore */
	size_t oldlen;
};

struct ftk_session {
	struct ftk_session_opts opts;
	pid_t pid;
	char inst_name[32];	/* ftk-<pid> */
	char group[32];		/* ftk_<pid> */
	const char *tracefs;	/* root */
	char *dir;		/* instance dir, or the root when opts.top_level */
	bool inst_created;
	struct ftk_tfs tfs;	/* where and how probes, hist and session write (tfs.inst: the
				 * instance's handle, NULL when top-level) */
	struct ftk_probes probes;	/* declared events */
	struct ftk_hist hist;		/* synthetic events and triggers */
	struct ftk_rbcounts rbcounts;	/* counting instances ftk-<pid>-c<n> (rbcount.h) */

	struct tep_handle *tep;

	struct ftk_reader *reader;
	int ncpus;
	size_t subbuf_size;

	bool armed;
	volatile int stop;
	uint64_t start_mono, end_mono;	/* end_mono: 0 = no duration */
	int64_t real_off;		/* real - mono at start */

	uint64_t tick_ns, next_tick;
	void (*tick_fn)(struct ftk_session *, uint64_t, void *);
	void *tick_ctx;
	long long *lost_held;		/* per CPU: losses not printed yet (rate limit), -1 unknown */
	uint64_t lost_printed;		/* when the last loss line was printed */
	void (*lost_fn)(struct ftk_session *, int, long long, void *);
	void *lost_ctx;
	int (*setup_fn)(struct ftk_session *, void *);
	void *setup_ctx;
	void (*end_fn)(struct ftk_session *, void *);
	void *end_ctx;

	pid_t child;		/* spawned command, 0 if none */
	int child_go;		/* write end of the go pipe */
	int child_status;
	bool child_exited;

	unsigned long long extra_events, extra_lost;	/* ftk_session_count() */

	struct ftk_spool_ops spool;	/* spool.page set: ftk record (raw pages, no dispatch) */

	struct ftk_global_save *globals;
	int nglobals;
	char *saved_tracer;	/* tracer to restore, NULL if unchanged */
	bool tracer_set;	/* ftk_session_set_tracer() succeeded */

	int64_t clock_off;	/* CLOCK_MONOTONIC - trace clock, where there is no "mono" */

	/* pid filter in user space, where the kernel cannot follow children (no set_event_pid
	 * before 4.4, no options/event-fork before 4.7): ftk_session_filter_pids() */
	struct ftk_ptable *user_pids;	/* NULL: no such filter */
	bool user_follow;
	const char *user_pids_missing;	/* the tracefs file that would filter in the kernel */
	struct ftk_event *fork_ev;	/* sched:sched_process_fork, the view's or our own */
	struct ftk_field_ref fork_child;

	/* --input (session_input.c): the recording read instead of the kernel */
	struct tep_event_filter **in_filters;	/* by event id: the declared filters, applied
						 * in user space; NULL: none */
	int in_nfilters;
	unsigned long long in_records, in_lost;
};

/* session.c: a record to the view's handler (pid filter first); a loss report. */
void ftk_session_dispatch(const struct ftk_rec *r, void *ctx);
void ftk_session_lost_cb(int cpu, long long count, void *ctx);

/* session_input.c: the session over a recording (opts.input). Arm resolves the declared
 * events among the file's formats (refusing a file without them, named), compiles their
 * filters, runs the setup hook (its writes are no-ops); run dispatches every record of the
 * window in time order; end frees what arm made. */
int ftk_session_input_arm(struct ftk_session *s);
void ftk_session_input_run(struct ftk_session *s);
void ftk_session_input_end(struct ftk_session *s);

#endif
