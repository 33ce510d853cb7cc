// SPDX-License-Identifier: GPL-2.0-only
/*
 * graph engine: the function_graph tracer writes one ftrace:funcgraph_entry record when a
 * traced call begins and one funcgraph_exit when it returns (their layout differs between
 * kernels: fields are bound by name). The engine keeps one call stack per thread, matches
 * each return to its entry by (depth, function), and hands completed calls to the text
 * renderer (whole trees, printed when their root returns so that two threads' trees never
 * interleave) or to the exporters (NDJSON, Chrome, --summary). Returns whose entry came
 * before tracing began are orphans: dropped and counted. Lost events cut calls: open trees
 * are printed as they are and the stacks start afresh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "core/field.h"
#include "core/output.h"
#include "engine.h"
#include "export.h"
#include "text.h"

/* ---- record fields ---- */

/* A number field of the format, bound by name; false when absent or not a number. */
static bool bind_number(struct ftk_field_ref *f, struct tep_event *ev, const char *name)
{
	if (!ev || !ftk_field_bind_format(f, ev, name))
		return false;
	return f->kind == FTK_FIELD_UNSIGNED || f->kind == FTK_FIELD_SIGNED;
}

int graph_engine_bind(struct graph *g, struct tep_event *entry, struct tep_event *exit)
{
	bool ok = bind_number(&g->entry_func, entry, "func");

	ok &= bind_number(&g->entry_depth, entry, "depth");
	ok &= bind_number(&g->exit_func, exit, "func");
	ok &= bind_number(&g->exit_depth, exit, "depth");
	ok &= bind_number(&g->exit_calltime, exit, "calltime");
	ok &= bind_number(&g->exit_rettime, exit, "rettime");
	if (!bind_number(&g->exit_retval, exit, "retval"))
		memset(&g->exit_retval, 0, sizeof(g->exit_retval));	/* absent */
	g->entry_id = entry ? entry->id : -1;
	g->exit_id = exit ? exit->id : -1;
	return ok ? 0 : -1;
}

void graph_engine_init(struct graph *g, const struct graph_output *o)
{
	memset(g, 0, sizeof(*g));
	g->output = o;
	g->threads_size = 1024;
	g->threads = ftk_xcalloc(g->threads_size, sizeof(*g->threads));
	g->chrome_first = true;
	g->entry_id = g->exit_id = -1;
	g->cpu_width = 1;
	for (int n = get_nprocs_conf() - 1; n >= 10; n /= 10)
		g->cpu_width++;
}

const char *graph_function_name(struct graph *g, uint64_t addr)
{
	const char *n = ftk_ksyms_find(&g->ksyms, addr);

	if (n)
		return n;
	snprintf(g->hexname, sizeof(g->hexname), "0x%llx", (unsigned long long)addr);
	return g->hexname;
}

/* ---- output ---- */

void graph_flush_out(struct graph *g)
{
	if (!g->out.len)
		return;
	if (g->sink)
		ftk_buf_add(g->sink, g->out.p, g->out.len);
	else
		ftk_out(g->out.p, g->out.len);
	ftk_buf_reset(&g->out);
}

void graph_maybe_flush(struct graph *g)
{
	if (g->out.len >= GRAPH_OUT_FLUSH)
		graph_flush_out(g);
}

/* ---- threads ---- */

struct graph_thread *graph_thread_find(struct graph *g, pid_t tid)
{
	struct graph_thread *t = g->threads[(uint32_t)tid & (g->threads_size - 1)];

	while (t && t->tid != tid)
		t = t->hash_next;
	return t;
}

static void thread_free(struct graph_thread *t)
{
	free(t->stack);
	free(t->nodes);
	free(t);
}

/* Drop thread states with no open call. */
static void threads_evict(struct graph *g)
{
	for (size_t i = 0; i < g->threads_size; i++) {
		struct graph_thread **pp = &g->threads[i];
		while (*pp) {
			struct graph_thread *t = *pp;
			if (!t->depth && !t->nnodes) {
				*pp = t->hash_next;
				thread_free(t);
				g->nthreads--;
			} else {
				pp = &t->hash_next;
			}
		}
	}
}

static void threads_grow(struct graph *g)
{
	size_t size = g->threads_size * 2;
	struct graph_thread **table = ftk_xcalloc(size, sizeof(*table));

	for (size_t i = 0; i < g->threads_size; i++) {
		struct graph_thread *t = g->threads[i], *next;
		for (; t; t = next) {
			next = t->hash_next;
			size_t h = (uint32_t)t->tid & (size - 1);
			t->hash_next = table[h];
			table[h] = t;
		}
	}
	free(g->threads);
	g->threads = table;
	g->threads_size = size;
}

static struct graph_thread *thread_get(struct graph *g, pid_t tid)
{
	struct graph_thread *t = graph_thread_find(g, tid);

	if (t)
		return t;
	if (g->nthreads >= GRAPH_MAX_THREADS)
		threads_evict(g);
	if (g->nthreads >= g->threads_size)
		threads_grow(g);
	t = ftk_xcalloc(1, sizeof(*t));
	t->tid = tid;
	t->last_cpu = -1;
	size_t h = (uint32_t)tid & (g->threads_size - 1);
	t->hash_next = g->threads[h];
	g->threads[h] = t;
	g->nthreads++;
	return t;
}

const char *graph_thread_comm(struct graph *g, struct graph_thread *t)
{
	struct ftk_pinfo *p = g->procs ? ftk_ptrack_lookup(g->procs, t->tid) : NULL;

	return p && p->comm[0] ? p->comm : "<...>";
}

pid_t graph_thread_tgid(struct graph *g, struct graph_thread *t)
{
	struct ftk_pinfo *p = g->procs ? ftk_ptrack_lookup(g->procs, t->tid) : NULL;

	return p && p->tgid > 0 ? p->tgid : t->tid;
}

/* ---- the state machine ---- */

static struct graph_node *node_add(struct graph_thread *t, enum graph_node_kind kind, int depth,
				   int cpu, uint64_t ts)
{
	if (t->nnodes == t->nodes_cap) {
		t->nodes_cap = t->nodes_cap ? t->nodes_cap * 2 : 64;
		t->nodes = ftk_xrealloc(t->nodes, t->nodes_cap * sizeof(*t->nodes));
	}
	struct graph_node *n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->depth = depth;
	n->cpu = cpu;
	n->ts = ts;
	return n;
}

/* The thread runs on cpu now: a migration or another thread in between becomes a mark. */
static void cpu_note(struct graph *g, struct graph_thread *t, int cpu, uint64_t ts)
{
	if (cpu < 0)
		return;
	if (cpu >= g->ncpu_last) {
		int n = cpu + 8;
		g->cpu_last = ftk_xrealloc(g->cpu_last, n * sizeof(*g->cpu_last));
		memset(g->cpu_last + g->ncpu_last, 0, (n - g->ncpu_last) * sizeof(*g->cpu_last));
		g->ncpu_last = n;
	}
	pid_t prev = g->cpu_last[cpu];
	g->cpu_last[cpu] = t->tid;
	if (!graph_builds_trees(g) || !t->depth)
		return;
	int depth = t->stack[t->depth - 1].depth + 1;
	if (t->last_cpu >= 0 && t->last_cpu != cpu) {
		struct graph_node *n = node_add(t, GRAPH_NODE_MIGRATE, depth, cpu, ts);
		n->arg = t->last_cpu;
	} else if (prev && prev != t->tid) {
		struct graph_node *n = node_add(t, GRAPH_NODE_SWITCH, depth, cpu, ts);
		n->arg = prev;
	}
}

/* Calls above index `keep` never returned (lost records): forget them. */
static void unwind_to(struct graph *g, struct graph_thread *t, int keep)
{
	while (t->depth > keep) {
		t->depth--;
		g->unmatched++;
	}
}

static void on_funcgraph_entry(struct graph *g, const struct ftk_rec *r, int depth,
			       uint64_t func)
{
	struct graph_thread *t = thread_get(g, ftk_rec_pid(r->data));

	cpu_note(g, t, r->cpu, r->ts);
	t->last_cpu = r->cpu;
	int keep = t->depth;
	while (keep && t->stack[keep - 1].depth >= depth)
		keep--;
	unwind_to(g, t, keep);
	if (!t->depth) {
		if (graph_builds_trees(g) && t->nnodes)
			graph_render(g, t);
		t->root_depth = depth;
		t->partial = false;
	}
	if (t->depth >= GRAPH_MAX_STACK) {
		g->too_deep++;
		return;
	}
	if (t->depth == t->stack_cap) {
		t->stack_cap = t->stack_cap ? t->stack_cap * 2 : 16;
		t->stack = ftk_xrealloc(t->stack, t->stack_cap * sizeof(*t->stack));
	}
	struct graph_frame *f = &t->stack[t->depth++];
	*f = (struct graph_frame){ .func = func, .ts = r->ts, .depth = depth, .cpu = r->cpu,
				   .node = -1 };
	if (graph_builds_trees(g)) {
		if (t->nnodes >= GRAPH_MAX_NODES)
			graph_render_partial(g, t);
		f->node = t->nnodes;
		struct graph_node *n = node_add(t, GRAPH_NODE_CALL, depth, r->cpu, r->ts);
		n->func = func;
	}
}

/* A call of t's stack (index i) returned after dur ns. */
static void account(struct graph *g, struct graph_thread *t, int i, uint64_t dur, bool has_ret,
		    int64_t ret)
{
	struct graph_frame *f = &t->stack[i];
	struct graph_frame *parent = i ? &t->stack[i - 1] : NULL;
	int rel = f->depth - t->root_depth;
	bool shown = !(g->output->max_depth && rel >= (int)g->output->max_depth) &&
		     !(g->output->thresh_ns && dur < g->output->thresh_ns);

	g->calls++;
	if (parent)
		parent->child_ns += dur;
	if (shown && !graph_builds_trees(g))
		graph_export_call(g, t, i, dur, has_ret, ret);
}

static void on_funcgraph_exit(struct graph *g, const struct ftk_rec *r, int depth,
			      uint64_t func)
{
	const void *d = r->data;
	struct graph_thread *t = graph_thread_find(g, ftk_rec_pid(d));

	if (!t || !t->depth) {
		/* began before tracing did (or before lost events): drop it */
		if (g->lost_any)
			g->unmatched++;
		else
			g->orphans++;
		return;
	}
	int i = t->depth - 1;
	while (i >= 0 && !(t->stack[i].depth == depth && t->stack[i].func == func))
		i--;
	if (i < 0) {
		if (depth < t->stack[0].depth && !g->lost_any)
			g->orphans++;
		else
			g->unmatched++;
		return;
	}
	cpu_note(g, t, r->cpu, r->ts);
	t->last_cpu = r->cpu;
	unwind_to(g, t, i + 1);
	uint64_t call = ftk_field_u64(&g->exit_calltime, d, r->size, 0);
	uint64_t ret = ftk_field_u64(&g->exit_rettime, d, r->size, 0);
	uint64_t dur = ret > call ? ret - call : 0;
	bool has_ret = ftk_field_has(&g->exit_retval);
	int64_t rv = ftk_field_s64(&g->exit_retval, d, r->size, 0);
	struct graph_frame *f = &t->stack[i];

	if (graph_builds_trees(g)) {
		struct graph_node *n;
		if (f->node >= 0) {
			n = &t->nodes[f->node];
		} else {
			n = node_add(t, GRAPH_NODE_CLOSE, depth, r->cpu, f->ts);
			n->func = func;
		}
		n->closed = true;
		n->dur = dur;
		n->has_ret = has_ret;
		n->ret = rv;
	}
	account(g, t, i, dur, has_ret, rv);
	t->depth = i;
	if (!t->depth && graph_builds_trees(g))
		graph_render(g, t);
}

void graph_record(struct graph *g, const struct ftk_rec *r)
{
	const void *d = r->data;
	int id = ftk_rec_type(d);

	if (id == g->entry_id) {
		g->records++;
		on_funcgraph_entry(g, r, (int)ftk_field_s64(&g->entry_depth, d, r->size, 0),
				   ftk_field_u64(&g->entry_func, d, r->size, 0));
	} else if (id == g->exit_id) {
		g->records++;
		on_funcgraph_exit(g, r, (int)ftk_field_s64(&g->exit_depth, d, r->size, 0),
				  ftk_field_u64(&g->exit_func, d, r->size, 0));
	}
}

void graph_lost(struct graph *g, int cpu)
{
	g->lost_any = true;
	for (size_t i = 0; i < g->threads_size; i++) {
		for (struct graph_thread *t = g->threads[i]; t; t = t->hash_next) {
			if (!t->depth)
				continue;
			if (graph_builds_trees(g)) {
				node_add(t, GRAPH_NODE_LOST, t->stack[t->depth - 1].depth + 1, cpu,
					 0);
				graph_render(g, t);
			}
			g->unmatched += t->depth;
			t->depth = 0;
		}
	}
	graph_flush_out(g);
}

void graph_engine_finish(struct graph *g)
{
	for (size_t i = 0; i < g->threads_size; i++) {
		for (struct graph_thread *t = g->threads[i]; t; t = t->hash_next) {
			if (!graph_builds_trees(g) || (!t->depth && !t->nnodes))
				continue;
			if (t->depth)
				node_add(t, GRAPH_NODE_END, t->stack[t->depth - 1].depth + 1,
					 t->last_cpu, 0);
			graph_render(g, t);
			t->depth = 0;
		}
	}
	graph_export_finish(g);
	graph_flush_out(g);
}

void graph_engine_free(struct graph *g)
{
	for (size_t i = 0; i < g->threads_size; i++) {
		struct graph_thread *t = g->threads[i], *next;
		for (; t; t = next) {
			next = t->hash_next;
			thread_free(t);
		}
	}
	free(g->threads);
	free(g->cpu_last);
	free(g->stats);
	ftk_buf_free(&g->out);
	ftk_ksyms_free(&g->ksyms);
}
