/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session: one ftk run. Owns the instance ftk-<pid>, the probe group ftk_<pid>, the journal
 * of global changes, signal handling, the reader loop and the cleanup.
 *
 * Life of a view:
 *   s = ftk_session_new(&opts);          // tracefs found, dead sessions cleaned (warning)
 *   ev = ftk_tracepoint(s, "sched", "sched_process_exec", NULL);   // declare probes
 *   ftk_event_on(ev, handler, ctx);
 *   rc = ftk_session_arm(s);             // create instance + probes, enable; or print (dry-run)
 *   // rc == FTK_ARM_DRY: writes printed, nothing made. rc < 0: error printed, state restored.
 *   // Whatever arm returns, the session is still the caller's: end with ftk_session_close().
 *   ftk_field_bind(&f, ev, "pid");       // resolve fields once armed (field.h)
 *   print header;
 *   ftk_session_run(s);                  // until signal / duration / command exit / stop
 *   ftk_session_close(s);                // drain, restore, loss summary
 */
#ifndef FTK_SESSION_H
#define FTK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ftk_session;
struct ftk_event;
struct ftk_rec;

struct ftk_tracedat;

struct ftk_session_opts {
	const char *view;		/* "execsnoop" */
	unsigned long buffer_kb;	/* per-CPU buffer size; 0 = view default below */
	unsigned long default_buffer_kb;
	double duration;		/* seconds; 0 = until signal */
	bool dry_run;			/* print the tracefs writes, make none */
	bool force;			/* override a refusal about global state in use */
	bool top_level;			/* the view needs the top-level instance (global tracer) */
	struct ftk_tracedat *input;	/* read this recording instead of the kernel (--input):
					 * no instance, no tracefs, no privilege */
	bool unordered;			/* handlers need no cross-CPU time order (views that only
					 * count): records are dispatched CPU by CPU as they are
					 * read, with no reorder window; loss reports unchanged */
};

enum { FTK_ARM_OK = 0, FTK_ARM_DRY = 1 };

/* NULL on error (printed). Mounts tracefs when needed; removes dead sessions' leftovers
 * with a one-line warning. Does not touch tracing state in dry-run. */
struct ftk_session *ftk_session_new(const struct ftk_session_opts *opts);

/* Create instance + dynamic events, load formats, apply filters, enable events, open the
 * per-CPU readers. Returns FTK_ARM_OK, FTK_ARM_DRY (writes printed, nothing done) or
 * -errno after printing the error and restoring state: -EINVAL when the kernel refused a
 * filter (a malformed command line), another -errno when it cannot be done here. */
int ftk_session_arm(struct ftk_session *s);

/* Main loop: reads, merges and dispatches events; returns when a stop signal arrives, the
 * duration ends, the spawned command exits, or ftk_session_stop() is called. */
void ftk_session_run(struct ftk_session *s);
void ftk_session_stop(struct ftk_session *s);
bool ftk_session_stopping(const struct ftk_session *s);

/* Disable, drain the rest (dispatching it), remove instance and probes, restore global
 * state, print the loss summary. Returns 0 (-EINVAL for a NULL session). Frees s. */
int ftk_session_close(struct ftk_session *s);

/* Periodic callback every interval_ns of CLOCK_MONOTONIC (interval views). */
void ftk_session_on_tick(struct ftk_session *s, uint64_t interval_ns,
			 void (*fn)(struct ftk_session *s, uint64_t now, void *ctx), void *ctx);
/* Called after core printed "ftk: lost N events on CPU c": reset pairing state. count may
 * be -1 (unknown). */
void ftk_session_on_lost(struct ftk_session *s,
			 void (*fn)(struct ftk_session *s, int cpu, long long count, void *ctx),
			 void *ctx);
/*
 * Called by ftk_session_arm() once the probes exist and their formats are loaded (fields can
 * be resolved), before the per-CPU buffers are opened and a spawned command is released; also
 * in dry-run. The place for set-up the kernel refuses while the buffers are open (setting
 * current_tracer: EBUSY). Returns 0, or -errno after printing why (-EINVAL: malformed);
 * arm then restores everything.
 */
void ftk_session_on_setup(struct ftk_session *s, int (*fn)(struct ftk_session *s, void *ctx),
			  void *ctx);
/* Called after the final drain, before cleanup (views flush partial state, print summaries). */
void ftk_session_on_end(struct ftk_session *s, void (*fn)(struct ftk_session *s, void *ctx),
			void *ctx);

/*
 * Spool instead of dispatch (ftk record; set before ftk_session_arm): each raw sub-buffer of
 * the instance is handed to page() verbatim, no record is decoded or dispatched, and the
 * view's tick, lost and end callbacks are not called (loss lines and the summary are printed
 * as usual). rec (may be NULL) sees every record's common fields; end is called after the
 * final drain while the instance still exists (per-CPU stats).
 */
struct ftk_spool_ops {
	void (*page)(int cpu, const void *data, size_t len, void *ctx);
	void (*rec)(const struct ftk_rec *r, void *ctx);
	void (*end)(struct ftk_session *s, void *ctx);
	void *ctx;
};
void ftk_session_spool(struct ftk_session *s, const struct ftk_spool_ops *ops);

/* Total events lost so far (stats deltas). */
unsigned long long ftk_session_lost(const struct ftk_session *s);
/* Add to the close summary "ftk: N events, M lost": views that aggregate in the kernel
 * (hist triggers) count what they aggregated and what the kernel dropped. */
void ftk_session_count(struct ftk_session *s, unsigned long long events,
		       unsigned long long lost);
/* Wall clock at monotonic ts (ns): offset taken at start. */
uint64_t ftk_session_mono_to_real(const struct ftk_session *s, uint64_t mono_ns);
/* Monotonic time when tracing was armed (for "seconds since start" columns). */
uint64_t ftk_session_start_ts(const struct ftk_session *s);
int ftk_session_ncpus(const struct ftk_session *s);
bool ftk_session_dry_run(const struct ftk_session *s);

/* --- Writes a view may ask for (each is journaled, logged in dry-run, undone at close) --- */
/* Write a file of the session's instance (e.g. "options/event-fork", "set_event_pid"). */
int ftk_session_instance_write(struct ftk_session *s, const char *file, const char *val);
/* Set the instance's tracer (top-level when opts.top_level): saved and restored. */
int ftk_session_set_tracer(struct ftk_session *s, const char *tracer);
/* Write a global (top-level only) file: old content saved in the journal, restored exactly at
 * close and by `ftk reset` after a crash. Refuses (returns -EBUSY, message printed) when the
 * file is in use by another tool and !opts.force. */
int ftk_session_global_write(struct ftk_session *s, const char *file, const char *val);
/* Read an instance file (malloc'd); NULL on error. */
char *ftk_session_instance_read(struct ftk_session *s, const char *file);

/* --- Commands (graph -- CMD, trace -- CMD) --- */
/* Fork argv, held before exec until armed (call it before ftk_session_arm, so the child holds
 * no buffer fd); its pid is returned. The run ends when it exits. Spawning filters nothing:
 * limit events to it with ftk_session_filter_pids() from the on_setup hook (views using the
 * function tracers also write set_ftrace_pid + options/function-fork). */
pid_t ftk_session_spawn(struct ftk_session *s, char **argv);
/* Limit events to these pids (and their children when follow) via set_event_pid. */
int ftk_session_filter_pids(struct ftk_session *s, const pid_t *pids, int n, bool follow);
/* The same, always in user space: every record not from PIDS (or, with follow, a child seen
 * in sched_process_fork) is dropped before the view sees it; no kernel pid filter is set.
 * For function_graph without options/function-fork (before 4.12). */
int ftk_session_filter_pids_user(struct ftk_session *s, const pid_t *pids, int n, bool follow,
				 const char *missing);

/* The instance/group names, e.g. "ftk-1234" / "ftk_1234". */
const char *ftk_session_instance_name(const struct ftk_session *s);
const char *ftk_session_group(const struct ftk_session *s);

#endif
