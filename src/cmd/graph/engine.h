/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * graph engine: per-thread call stacks fed by ftrace:funcgraph_entry/funcgraph_exit records.
 * It knows nothing of tracefs: the view (graph.c) or a unit test binds the record layouts and
 * hands it records in time order; it hands every completed call to the text renderer
 * (text.h) or the exporters (export.h) and writes their output into one buffer.
 */
#ifndef FTK_GRAPH_ENGINE_H
#define FTK_GRAPH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/events.h"
#include "core/field.h"
#include "core/ksyms.h"
#include "core/ptrack.h"
#include "core/util.h"

#define GRAPH_MAX_STACK		256	/* frames kept per thread (kernel depth is smaller) */
#define GRAPH_MAX_NODES		65536	/* tree nodes buffered per thread before a partial flush */
#define GRAPH_MAX_THREADS	16384	/* idle thread states kept before eviction */
#define GRAPH_OUT_FLUSH		65536	/* bytes of output buffered before handing to stdout */

enum graph_format { GRAPH_TEXT, GRAPH_JSON, GRAPH_CHROME };

/* What the engine prints and what it leaves out. */
struct graph_output {
	enum graph_format format;
	bool summary;		/* per-function profile instead of trees or calls */
	bool abstime;		/* text: time column */
	bool proc;		/* text: comm-tid column */
	bool retval;		/* return values (when the records carry them) */
	unsigned long max_depth;	/* levels shown below and including the root; 0: all */
	uint64_t thresh_ns;	/* calls shorter than this are left out */
};

/* One open call on a thread's stack. */
struct graph_frame {
	uint64_t func;
	uint64_t ts;		/* entry record time */
	uint64_t child_ns;	/* time spent in traced children (for self time) */
	int depth;
	int cpu;
	int node;		/* index in the thread's nodes, -1 once flushed */
};

enum graph_node_kind {
	GRAPH_NODE_CALL,	/* a call (its close is seen or not yet) */
	GRAPH_NODE_CLOSE,	/* the return of a call whose entry was printed already */
	GRAPH_NODE_MIGRATE,	/* the thread moved to another CPU */
	GRAPH_NODE_SWITCH,	/* another thread ran on this CPU in between */
	GRAPH_NODE_LOST,	/* events were lost */
	GRAPH_NODE_END,		/* tracing ended inside the call */
};

/* One line of a thread's tree, buffered until the root call returns. */
struct graph_node {
	uint8_t kind;
	bool closed;		/* GRAPH_NODE_CALL: its return was seen */
	bool has_ret;
	bool keep;		/* render scratch */
	int depth;		/* absolute kernel depth (marks: depth of the call they are in + 1) */
	int cpu;
	int arg;		/* MIGRATE: previous CPU; SWITCH: the tid that ran before */
	uint64_t func;
	uint64_t ts;
	uint64_t dur;
	int64_t ret;
};

struct graph_thread {
	pid_t tid;
	char chrome_name[16];	/* the name given in Chrome's thread_name metadata */
	int last_cpu;
	int root_depth;
	struct graph_frame *stack;
	int depth, stack_cap;	/* frames on the stack, allocated */
	struct graph_node *nodes;
	int nnodes, nodes_cap;
	bool partial;		/* part of the current tree was already printed */
	struct graph_thread *hash_next;
};

/* --summary: one function's profile. */
struct graph_stat {
	uint64_t func;		/* 0 = empty slot */
	uint64_t count, total, self, max;
};

struct graph {
	const struct graph_output *output;
	struct ftk_ksyms ksyms;
	struct ftk_field_ref entry_func, entry_depth, exit_func, exit_depth, exit_calltime,
		exit_rettime, exit_retval;
	int entry_id, exit_id;
	struct ftk_ptrack *procs;	/* thread names and processes (NULL: none known) */

	struct graph_thread **threads;	/* hash by tid */
	size_t threads_size, nthreads;
	pid_t *cpu_last;	/* last tid seen per CPU */
	int ncpu_last;

	struct graph_stat *stats;	/* open-addressed by function address */
	size_t nstats, stats_cap;

	struct ftk_buf out;
	const struct ftk_session *session;	/* NDJSON `time` (NULL: the clocks now) */
	struct ftk_buf *sink;	/* tests: collect output here instead of stdout */
	bool chrome_first;
	int cpu_width;		/* digits of the highest CPU number, as the kernel pads it */
	uint64_t records, calls, orphans, unmatched, too_deep, trees;
	bool lost_any;
	char hexname[32];
};

void graph_engine_init(struct graph *g, const struct graph_output *o);
/* Bind the record layouts (entry and exit may be NULL). -1 when a field the engine needs is
 * missing (func, depth, calltime, rettime). */
int graph_engine_bind(struct graph *g, struct tep_event *entry, struct tep_event *exit);
/* One funcgraph_entry or funcgraph_exit record (others are ignored). */
void graph_record(struct graph *g, const struct ftk_rec *r);
/* Events were lost on cpu: open trees are printed as they are and the stacks reset. */
void graph_lost(struct graph *g, int cpu);
/* The end: open trees printed as they are, then the summary or the Chrome trailer. */
void graph_engine_finish(struct graph *g);
void graph_engine_free(struct graph *g);

/* Engine internals shared with the renderer and the exporters. */
struct graph_thread *graph_thread_find(struct graph *g, pid_t tid);
/* The thread's name ("<...>" when unknown) and process (the tid when unknown), from the
 * process tracker. */
const char *graph_thread_comm(struct graph *g, struct graph_thread *t);
pid_t graph_thread_tgid(struct graph *g, struct graph_thread *t);
/* Name of the function at addr, or "0x..." when unknown. */
const char *graph_function_name(struct graph *g, uint64_t addr);
/* Trees are built (text output without --summary). */
static inline bool graph_builds_trees(const struct graph *g)
{
	return g->output->format == GRAPH_TEXT && !g->output->summary;
}
/* Hand the output buffer to stdout (or the test sink); the second only when it is large. */
void graph_flush_out(struct graph *g);
void graph_maybe_flush(struct graph *g);

#endif
