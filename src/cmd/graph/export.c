// SPDX-License-Identifier: GPL-2.0-only
/*
 * graph export: what the engine hands over when a call returns, for the outputs other than
 * text trees. --json: one NDJSON object per call (the record head: time, ts, cpu, pid = the
 * thread, comm; then func, depth, duration_us, parent[, retval]). --format chrome: Chrome
 * trace-event JSON ("X" complete events, microseconds, one "thread_name" metadata event per
 * thread) that Perfetto and chrome://tracing open. --summary: per-function calls, total,
 * self (total minus traced children), average and maximum time, sorted by total.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/output.h"
#include "core/record.h"
#include "export.h"
#include "text.h"

static struct graph_stat *stat_get(struct graph *g, uint64_t func)
{
	if (2 * (g->nstats + 1) > g->stats_cap) {
		size_t ncap = g->stats_cap ? g->stats_cap * 2 : 1024;
		struct graph_stat *nv = ftk_xcalloc(ncap, sizeof(*nv));
		for (size_t i = 0; i < g->stats_cap; i++) {
			if (!g->stats[i].func)
				continue;
			size_t h = (g->stats[i].func >> 4) * 0x9E3779B97F4A7C15ull >> 40;
			while (nv[h & (ncap - 1)].func)
				h++;
			nv[h & (ncap - 1)] = g->stats[i];
		}
		free(g->stats);
		g->stats = nv;
		g->stats_cap = ncap;
	}
	size_t h = (func >> 4) * 0x9E3779B97F4A7C15ull >> 40;
	for (;; h++) {
		struct graph_stat *s = &g->stats[h & (g->stats_cap - 1)];
		if (s->func == func)
			return s;
		if (!s->func) {
			s->func = func;
			g->nstats++;
			return s;
		}
	}
}

/* "INT.FRAC" of v / 10^digits, e.g. (1646326, 3) -> "1646.326", no printf. */
static const char *fixed(char *out, uint64_t v, int digits)
{
	uint64_t div = 1;

	for (int i = 0; i < digits; i++)
		div *= 10;
	int n = graph_decimal(out, v / div);
	uint64_t rem = v % div;
	out[n++] = '.';
	for (int i = digits - 1; i >= 0; i--, rem /= 10)
		out[n + i] = (char)('0' + rem % 10);
	out[n + digits] = 0;
	return out;
}

static void emit_json(struct graph *g, struct graph_thread *t, const struct graph_frame *f,
		      const struct graph_frame *parent, uint64_t dur, bool has_ret, int64_t ret)
{
	struct ftk_json j;
	char num[48];

	ftk_json_record(&j, &g->out, g->session, f->ts, f->cpu, t->tid,
			graph_thread_comm(g, t), FTK_CSTR);
	ftk_json_cstr(&j, "func", graph_function_name(g, f->func));
	ftk_json_int(&j, "depth", f->depth - t->root_depth);
	ftk_json_raw(&j, "duration_us", fixed(num, dur, 3));
	ftk_json_cstr(&j, "parent", parent ? graph_function_name(g, parent->func) : NULL);
	if (g->output->retval && has_ret)
		ftk_json_int(&j, "retval", ret);
	ftk_json_end(&j);
	graph_maybe_flush(g);
}

static void chrome_sep(struct graph *g)
{
	if (!g->chrome_first)
		ftk_buf_addc(&g->out, ',');
	g->chrome_first = false;
}

static void emit_chrome(struct graph *g, struct graph_thread *t, const struct graph_frame *f,
			uint64_t dur, bool has_ret, int64_t ret)
{
	struct ftk_json j;
	char us[48];

	const char *comm = graph_thread_comm(g, t);
	if (strcmp(t->chrome_name, comm) != 0) {	/* first call, or renamed since */
		char who[40];
		snprintf(t->chrome_name, sizeof(t->chrome_name), "%s", comm);
		snprintf(who, sizeof(who), "%s-%d", comm, (int)t->tid);
		chrome_sep(g);
		ftk_json_begin(&j, &g->out);
		ftk_json_cstr(&j, "name", "thread_name");
		ftk_json_cstr(&j, "ph", "M");
		ftk_json_int(&j, "pid", graph_thread_tgid(g, t));
		ftk_json_int(&j, "tid", t->tid);
		ftk_json_object_begin(&j, "args");
		ftk_json_cstr(&j, "name", who);
		ftk_json_object_end(&j);
		ftk_json_end(&j);
	}
	chrome_sep(g);
	ftk_json_begin(&j, &g->out);
	ftk_json_cstr(&j, "name", graph_function_name(g, f->func));
	ftk_json_cstr(&j, "cat", "function");
	ftk_json_cstr(&j, "ph", "X");
	ftk_json_raw(&j, "ts", fixed(us, f->ts, 3));
	ftk_json_raw(&j, "dur", fixed(us, dur, 3));
	ftk_json_int(&j, "pid", graph_thread_tgid(g, t));
	ftk_json_int(&j, "tid", t->tid);
	ftk_json_object_begin(&j, "args");
	ftk_json_int(&j, "cpu", f->cpu);
	ftk_json_int(&j, "depth", f->depth - t->root_depth);
	if (g->output->retval && has_ret)
		ftk_json_int(&j, "retval", ret);
	ftk_json_object_end(&j);
	ftk_json_end(&j);
	graph_maybe_flush(g);
}

static int stat_cmp(const void *a, const void *b)
{
	const struct graph_stat *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->count > y->count ? -1 : x->count < y->count;
}

static void print_summary(struct graph *g)
{
	struct graph_stat *v = ftk_xcalloc(g->nstats + 1, sizeof(*v));
	size_t n = 0, w = 8;

	for (size_t i = 0; i < g->stats_cap; i++)
		if (g->stats[i].func)
			v[n++] = g->stats[i];
	qsort(v, n, sizeof(*v), stat_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(graph_function_name(g, v[i].func));
		if (l > w)
			w = l;
	}
	if (w > 60)
		w = 60;
	if (g->output->format == GRAPH_TEXT)
		ftk_buf_printf(&g->out, "%-*s %10s %14s %14s %12s %12s\n", (int)w, "FUNCTION",
			       "CALLS", "TOTAL(us)", "SELF(us)", "AVG(us)", "MAX(us)");
	for (size_t i = 0; i < n; i++) {
		const struct graph_stat *s = &v[i];
		double avg = s->count ? (double)s->total / s->count / 1e3 : 0;
		if (g->output->format == GRAPH_TEXT) {
			ftk_buf_printf(&g->out, "%-*s %10llu %14.3f %14.3f %12.3f %12.3f\n",
				       (int)w, graph_function_name(g, s->func),
				       (unsigned long long)s->count, s->total / 1e3, s->self / 1e3,
				       avg, s->max / 1e3);
			continue;
		}
		struct ftk_json j;
		ftk_json_begin(&j, &g->out);
		ftk_json_cstr(&j, "func", graph_function_name(g, s->func));
		ftk_json_uint(&j, "calls", s->count);
		ftk_json_double(&j, "total_us", s->total / 1e3, 3);
		ftk_json_double(&j, "self_us", s->self / 1e3, 3);
		ftk_json_double(&j, "avg_us", avg, 3);
		ftk_json_double(&j, "max_us", s->max / 1e3, 3);
		ftk_json_end(&j);
	}
	free(v);
}


void graph_export_call(struct graph *g, struct graph_thread *t, int i, uint64_t dur,
		       bool has_ret, int64_t ret)
{
	struct graph_frame *f = &t->stack[i];
	struct graph_frame *parent = i ? &t->stack[i - 1] : NULL;

	if (g->output->summary) {
		struct graph_stat *s = stat_get(g, f->func);
		uint64_t self = dur > f->child_ns ? dur - f->child_ns : 0;
		s->count++;
		s->total += dur;
		s->self += self;
		if (dur > s->max)
			s->max = dur;
	} else if (g->output->format == GRAPH_JSON) {
		emit_json(g, t, f, parent, dur, has_ret, ret);
	} else if (g->output->format == GRAPH_CHROME) {
		emit_chrome(g, t, f, dur, has_ret, ret);
	}
}

void graph_export_finish(struct graph *g)
{
	if (g->output->summary)
		print_summary(g);
	else if (g->output->format == GRAPH_CHROME)
		ftk_buf_adds(&g->out, "],\"displayTimeUnit\":\"ns\"}\n");
}
