// SPDX-License-Identifier: GPL-2.0-only
/*
 * graph text: a thread's call tree in the layout of the kernel's function_graph `trace` file
 * (" 1)   4.619 us    |    fput();"), with the same duration markers (+ > 10 us, ! > 100 us,
 * # > 1 ms, * > 10 ms, @ > 100 ms, $ > 1 s) so that the durations read as the kernel's own. A
 * tree is printed in one piece, headed "# comm-tid", when its root call returns; --thresh and
 * --max-depth hide calls (and what they call); marks say where the thread changed CPU, where
 * another thread ran in between, where events were lost and where tracing ended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void graph_text_header(const struct graph_output *o, struct ftk_buf *b)
{
	ftk_buf_printf(b, "#%s CPU)%s    DURATION    |  FUNCTION CALLS\n",
		       o->abstime ? "     TIME     |" : "", o->proc ? "         COMM-TID |" : "");
}

/* The kernel's duration markers: the first whose bound the duration exceeds. */
static char dur_mark(uint64_t ns)
{
	static const struct { uint64_t over_ns; char mark; } marks[] = {
		{ 1000000000ull, '$' }, { 100000000ull, '@' }, { 10000000ull, '*' },
		{ 1000000ull, '#' }, { 100000ull, '!' }, { 10000ull, '+' },
	};

	for (size_t i = 0; i < FTK_ARRAY_SIZE(marks); i++)
		if (ns > marks[i].over_ns)
			return marks[i].mark;
	return ' ';
}

int graph_decimal(char *out, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static void put_spaces(struct ftk_buf *b, int n)
{
	static const char sp[] = "                                                                ";

	while (n > 0) {
		int k = n < (int)sizeof(sp) - 1 ? n : (int)sizeof(sp) - 1;
		ftk_buf_add(b, sp, k);
		n -= k;
	}
}

/* " ! 102.642 us  " (15 columns): microseconds with as many decimals as fit 8 chars. */
void graph_format_duration(struct ftk_buf *b, uint64_t ns)
{
	char s[48];
	int n = 0;

	s[n++] = ' ';
	s[n++] = dur_mark(ns);
	s[n++] = ' ';
	int start = n;
	n += graph_decimal(s + n, ns / 1000);
	int len = n - start;
	if (len < 7) {
		unsigned rem = (unsigned)(ns % 1000);
		char frac[3] = { (char)('0' + rem / 100), (char)('0' + rem / 10 % 10),
				 (char)('0' + rem % 10) };
		int keep = 7 - len < 3 ? 7 - len : 3;
		s[n++] = '.';
		memcpy(s + n, frac, keep);
		n += keep;
		len += keep + 1;
	}
	memcpy(s + n, " us ", 4);
	n += 4;
	ftk_buf_add(b, s, n);
	put_spaces(b, 8 - len);
}

static void line_prefix(struct graph *g, struct graph_thread *t, int cpu, uint64_t ts,
			const uint64_t *dur)
{
	struct ftk_buf *b = &g->out;
	char s[64];
	int n;

	if (g->output->abstime)
		ftk_buf_printf(b, "%6llu.%06llu | ", (unsigned long long)(ts / 1000000000ull),
			       (unsigned long long)(ts % 1000000000ull / 1000));
	n = graph_decimal(s, cpu < 0 ? 0 : (uint64_t)cpu);
	put_spaces(b, 1 + g->cpu_width - n);
	ftk_buf_add(b, s, n);
	ftk_buf_addc(b, ')');
	if (g->output->proc) {
		char who[40];
		snprintf(who, sizeof(who), "%s-%d", graph_thread_comm(g, t), (int)t->tid);
		ftk_buf_printf(b, " %16s |", who);
	}
	if (dur)
		graph_format_duration(b, *dur);
	else
		put_spaces(b, 15);
	ftk_buf_add(b, "|  ", 3);
}

static void indent(struct ftk_buf *b, int rel)
{
	put_spaces(b, 2 * rel);
}

static void ret_comment(struct graph *g, const struct graph_node *n, const char *name)
{
	if (!g->output->retval || !n->has_ret)
		return;
	if (name)
		ftk_buf_printf(&g->out, " /* %s = %lld */", name, (long long)n->ret);
	else
		ftk_buf_printf(&g->out, " /* = %lld */", (long long)n->ret);
}

static void render_close(struct graph *g, struct graph_thread *t,
			 const struct graph_node *n, int rel)
{
	line_prefix(g, t, n->cpu, n->ts + n->dur, &n->dur);
	indent(&g->out, rel);
	ftk_buf_adds(&g->out, "}");
	if (n->kind == GRAPH_NODE_CLOSE)
		ftk_buf_printf(&g->out, " /* %s */", graph_function_name(g, n->func));
	ret_comment(g, n, n->kind == GRAPH_NODE_CLOSE ? NULL : graph_function_name(g, n->func));
	ftk_buf_addc(&g->out, '\n');
}

static void render_mark(struct graph *g, struct graph_thread *t,
			const struct graph_node *n, int rel)
{
	line_prefix(g, t, n->cpu, n->ts, NULL);
	indent(&g->out, rel);
	switch (n->kind) {
	case GRAPH_NODE_MIGRATE:
		ftk_buf_printf(&g->out, "------ CPU %d => %d ------\n", n->arg, n->cpu);
		break;
	case GRAPH_NODE_SWITCH: {
		struct graph_thread *before = graph_thread_find(g, n->arg);
		ftk_buf_printf(&g->out, "------ back on CPU %d after %s-%d ------\n", n->cpu,
			       before ? graph_thread_comm(g, before) : "<...>", n->arg);
		break;
	}
	case GRAPH_NODE_LOST:
		ftk_buf_adds(&g->out, "------ events lost: calls below are incomplete ------\n");
		break;
	default:
		ftk_buf_adds(&g->out, "------ tracing ended inside this call ------\n");
		break;
	}
}

/* Mark the nodes to print (thresh, depth), in place. Returns how many are kept. */
static int render_select(struct graph *g, struct graph_thread *t)
{
	int skip = -1, kept = 0;	/* skip: depth of a call whose subtree is hidden */

	for (int i = 0; i < t->nnodes; i++) {
		struct graph_node *n = &t->nodes[i];
		n->keep = false;
		if (skip >= 0 && n->depth > skip)
			continue;
		skip = -1;
		int rel = n->depth - t->root_depth;
		if (n->kind == GRAPH_NODE_CALL) {
			bool deep = g->output->max_depth && rel >= (int)g->output->max_depth;
			bool fast = g->output->thresh_ns && n->closed && n->dur < g->output->thresh_ns;
			if (deep || fast) {
				skip = n->depth;
				continue;
			}
		} else if (n->kind == GRAPH_NODE_CLOSE) {
			if (g->output->thresh_ns && n->dur < g->output->thresh_ns)
				continue;
		}
		n->keep = true;
		kept++;
	}
	return kept;
}

void graph_render(struct graph *g, struct graph_thread *t)
{
	if (!t->nnodes)
		return;
	if (!render_select(g, t)) {
		t->nnodes = 0;
		return;
	}
	char who[40];
	snprintf(who, sizeof(who), "%s-%d", graph_thread_comm(g, t), (int)t->tid);
	ftk_buf_printf(&g->out, "# %s%s\n", who, t->partial ? " (continued)" : "");
	int *open = ftk_xmalloc((t->nnodes + 1) * sizeof(*open)), nopen = 0;
	for (int i = 0; i < t->nnodes; i++) {
		struct graph_node *n = &t->nodes[i];
		if (!n->keep)
			continue;
		while (nopen && t->nodes[open[nopen - 1]].depth >= n->depth) {
			struct graph_node *call = &t->nodes[open[--nopen]];
			if (call->closed)
				render_close(g, t, call, call->depth - t->root_depth);
		}
		int rel = n->depth - t->root_depth;
		if (rel < 0)
			rel = 0;
		if (n->kind == GRAPH_NODE_CLOSE) {
			render_close(g, t, n, rel);
			continue;
		}
		if (n->kind != GRAPH_NODE_CALL) {
			render_mark(g, t, n, rel);
			continue;
		}
		int j = i + 1;
		while (j < t->nnodes && !t->nodes[j].keep)
			j++;
		bool leaf = n->closed && (j == t->nnodes || t->nodes[j].depth <= n->depth);
		line_prefix(g, t, n->cpu, n->ts, leaf ? &n->dur : NULL);
		indent(&g->out, rel);
		ftk_buf_adds(&g->out, graph_function_name(g, n->func));
		if (leaf) {
			ftk_buf_add(&g->out, "();", 3);
			ret_comment(g, n, NULL);
			ftk_buf_addc(&g->out, '\n');
		} else {
			ftk_buf_add(&g->out, "() {\n", 5);
			open[nopen++] = i;
		}
	}
	while (nopen) {
		struct graph_node *call = &t->nodes[open[--nopen]];
		if (call->closed)
			render_close(g, t, call, call->depth - t->root_depth);
	}
	free(open);
	ftk_buf_addc(&g->out, '\n');
	t->nnodes = 0;
	g->trees++;
	graph_maybe_flush(g);
}

void graph_render_partial(struct graph *g, struct graph_thread *t)
{
	graph_render(g, t);
	for (int i = 0; i < t->depth; i++)
		t->stack[i].node = -1;
	t->partial = true;
}

