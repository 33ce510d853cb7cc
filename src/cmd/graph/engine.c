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

#include "core/output.h"
#include "core/procs.h"
#include "engine.h"
#include "export.h"
#include "text.h"

/* ---- record fields ---- */

void graph_field_bind(struct graph_field *f, struct tep_event *ev, const char *name)
{
	struct tep_format_field *tf = ev ? tep_find_field(ev, name) : NULL;

	memset(f, 0, sizeof(*f));
	if (!tf || (tf->flags & TEP_FIELD_IS_ARRAY))
		return;
	if (tf->size != 1 && tf->size != 2 && tf->size != 4 && tf->size != 8)
		return;
	f->offset = tf->offset;
	f->size = tf->size;
	f->is_signed = tf->flags & TEP_FIELD_IS_SIGNED;
	f->ok = true;
}

uint64_t graph_field_u64(const struct graph_field *f, const void *data)
{
	const unsigned char *p = (const unsigned char *)data + f->offset;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (f->size) {
	case 1: memcpy(&v8, p, 1); return v8;
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	case 8: memcpy(&v64, p, 8); return v64;
	}
	return 0;
}

int64_t graph_field_s64(const struct graph_field *f, const void *data)
{
	uint64_t v = graph_field_u64(f, data);

	if (!f->is_signed)
		return (int64_t)v;
	return ftk_sign_extend(v, f->size);
}

int graph_engine_bind(struct graph *g, struct tep_event *entry, struct tep_event *exit)
{
	graph_field_bind(&g->entry_func, entry, "func");
	graph_field_bind(&g->entry_depth, entry, "depth");
	graph_field_bind(&g->exit_func, exit, "func");
	graph_field_bind(&g->exit_depth, exit, "depth");
	graph_field_bind(&g->exit_calltime, exit, "calltime");
	graph_field_bind(&g->exit_rettime, exit, "rettime");
	graph_field_bind(&g->exit_retval, exit, "retval");
	graph_field_bind(&g->exit_overrun, exit, "overrun");
	g->entry_id = entry ? entry->id : -1;
	g->exit_id = exit ? exit->id : -1;
	if (!g->entry_func.ok || !g->entry_depth.ok || !g->exit_func.ok || !g->exit_depth.ok ||
	    !g->exit_calltime.ok || !g->exit_rettime.ok)
		return -1;
	return 0;
}

void graph_engine_init(struct graph *g, const struct graph_output *o)
{
	memset(g, 0, sizeof(*g));
	g->output = o;
	g->threads_size = 1024;
	g->threads = ftk_xcalloc(g->threads_size, sizeof(*g->threads));
	g->chrome_first = true;
	g->entry_id = g->exit_id = -1;
	g->exec_id = g->fork_id = g->rename_id = -1;
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

/* Drop thread states with no open call (their comm is looked up again if they return). */
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
	if (!t->comm[0] && !t->comm_tried && !g->no_proc) {
		t->comm_tried = true;
		if (!ftk_proc_comm(t->tid, t->comm, sizeof(t->comm)))
			t->comm[0] = 0;
	}
	return t->comm[0] ? t->comm : "<...>";
}

pid_t graph_thread_tgid(struct graph *g, struct graph_thread *t)
{
	if (!t->tgid) {
		pid_t p = g->no_proc ? 0 : ftk_proc_tgid(t->tid);
		t->tgid = p > 0 ? p : t->tid;
	}
	return t->tgid;
}

static void thread_set_comm(struct graph_thread *t, const char *comm, size_t len)
{
	if (len >= sizeof(t->comm))
		len = sizeof(t->comm) - 1;
	memcpy(t->comm, comm, len);
	t->comm[len] = 0;
	t->comm_tried = true;
	t->chrome_named = false;
}

void graph_bind_tasks(struct graph *g, struct tep_event *exec, struct tep_event *fork,
		      struct tep_event *rename)
{
	g->exec_id = exec ? exec->id : -1;
	g->exec_filename = exec ? tep_find_field(exec, "filename") : NULL;
	g->fork_id = fork ? fork->id : -1;
	g->fork_comm = fork ? tep_find_field(fork, "child_comm") : NULL;
	graph_field_bind(&g->fork_child, fork, "child_pid");
	g->rename_id = rename ? rename->id : -1;
	g->rename_comm = rename ? tep_find_field(rename, "newcomm") : NULL;
	graph_field_bind(&g->rename_pid, rename, "pid");
}

/*
 * task_rename without its pid field: the kernel removed it in late 2024 (e3f6a42272e0, "the
 * tracepoint only deals with the current task") and put it back in 2026 (a6f22e50c7d5, also
 * in 6.18 and 6.19 stable) because comm_write() (a write to /proc/PID/task/TID/comm, which
 * pthread_setname_np() makes for another thread) renames a sibling thread, not current.
 * Without pid the renamed task is taken to be the writer (common_pid), right for exec and
 * prctl(PR_SET_NAME); a sibling rename shows as the writer's own name in /proc not being the
 * new one, and is ignored (that thread's name is then read from /proc when its tree prints).
 */
static void on_rename(struct graph *g, const struct ftk_rec *r, const char *comm, size_t len)
{
	pid_t pid;

	if (g->rename_pid.ok) {
		pid = (pid_t)graph_field_s64(&g->rename_pid, r->data);
	} else {
		char now[16];
		size_t n = len < sizeof(now) - 1 ? len : sizeof(now) - 1;
		pid = ftk_rec_pid(r->data);
		if (!g->no_proc && ftk_proc_comm(pid, now, sizeof(now)) &&
		    (strlen(now) != n || memcmp(now, comm, n)))
			return;
	}
	struct graph_thread *t = graph_thread_find(g, pid);
	if (t)
		thread_set_comm(t, comm, len);
}

void graph_task_record(struct graph *g, const struct ftk_rec *r)
{
	int id = ftk_rec_type(r->data), len;
	const char *s;

	if (id == g->exec_id && g->exec_filename) {
		s = ftk_get_str(g->exec_filename, r->data, r->size, &len);
		if (!s)
			return;
		const char *base = memrchr(s, '/', len);
		base = base ? base + 1 : s;
		thread_set_comm(thread_get(g, ftk_rec_pid(r->data)), base, len - (base - s));
	} else if (id == g->fork_id && g->fork_comm && g->fork_child.ok) {
		pid_t child = (pid_t)graph_field_s64(&g->fork_child, r->data);
		s = ftk_get_str(g->fork_comm, r->data, r->size, &len);
		if (s)
			thread_set_comm(thread_get(g, child), s, len);
	} else if (id == g->rename_id && g->rename_comm) {
		s = ftk_get_str(g->rename_comm, r->data, r->size, &len);
		if (s)
			on_rename(g, r, s, len);
	}
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
	uint64_t call = graph_field_u64(&g->exit_calltime, d);
	uint64_t ret = graph_field_u64(&g->exit_rettime, d);
	uint64_t dur = ret > call ? ret - call : 0;
	bool has_ret = g->exit_retval.ok;
	int64_t rv = has_ret ? graph_field_s64(&g->exit_retval, d) : 0;
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
		on_funcgraph_entry(g, r, (int)graph_field_s64(&g->entry_depth, d),
				   graph_field_u64(&g->entry_func, d));
	} else if (id == g->exit_id) {
		g->records++;
		on_funcgraph_exit(g, r, (int)graph_field_s64(&g->exit_depth, d),
				  graph_field_u64(&g->exit_func, d));
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
