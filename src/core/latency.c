// SPDX-License-Identifier: GPL-2.0-only
/*
 * latency: start-to-end time per thread paired in the kernel, counted per key (see
 * latency.h). Moved from syscount (its -L in the kernel), with the thread maps' recycling
 * and the total of end events added.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "hist.h"
#include "histogram.h"
#include "latency.h"
#include "session.h"
#include "util.h"

struct ftk_latency {
	bool per_thread;
	char *key;
	unsigned tids;			/* the thread maps' size */
	struct ftk_trigger *start, *end, *count, *total;
	struct ftk_counts seen_count, seen_ns;	/* cumulative, at the last read */
	uint64_t attributed;		/* sum of the counts handed out */
	uint64_t dropped;		/* kept monotone */
	unsigned long recycles;
	bool stuck;
	void (*fn)(uint64_t key, uint64_t count, uint64_t ns, void *ctx);
	void *ctx;
};

struct ftk_latency *ftk_latency_new(struct ftk_session *s, const struct ftk_latency_spec *sp)
{
	struct ftk_buf b = { 0 };
	unsigned tids, keys;
	if (ftk_hist_map_size(32768, &tids) || ftk_hist_map_size(8192, &keys))
		return NULL;
	ftk_buf_printf(&b, "u64 lat; %s; int pid", sp->key_decl);
	struct ftk_synth *sy = ftk_synth(s, sp->name, ftk_buf_str(&b));
	if (!sy) {
		ftk_buf_free(&b);
		return NULL;
	}
	struct ftk_latency *l = ftk_xcalloc(1, sizeof(*l));
	l->per_thread = sp->per_thread;
	l->key = ftk_xstrdup(sp->key);
	l->tids = tids;
	ftk_buf_reset(&b);
	if (sp->per_thread)
		ftk_buf_printf(&b, "hist:keys=pid:vals=hitcount,lat:size=%u", keys);
	else
		ftk_buf_printf(&b, "hist:keys=%s%s%s:vals=hitcount,lat:size=%u", sp->key,
			       sp->key_mod ? "." : "", sp->key_mod ? sp->key_mod : "", keys);
	l->count = ftk_trigger(s, "synthetic", ftk_synth_name(sy), ftk_buf_str(&b));
	ftk_buf_reset(&b);
	ftk_buf_printf(&b, "hist:keys=common_pid:ts0=common_timestamp:size=%u", tids);
	if (sp->start_filter)
		ftk_buf_printf(&b, " if %s", sp->start_filter);
	l->start = ftk_trigger(s, sp->sys, sp->start, ftk_buf_str(&b));
	ftk_buf_reset(&b);
	/* The action written NAME(params): every kernel with synthetic events takes it (4.17;
	 * 5.x added .trace(NAME,params) beside it). */
	ftk_buf_printf(&b, "hist:keys=common_pid:lat=common_timestamp-$ts0:size=%u:"
		       "onmatch(%s.%s).%s($lat,%s,common_pid)", tids, sp->sys, sp->start,
		       ftk_synth_name(sy), sp->key);
	if (sp->end_filter)
		ftk_buf_printf(&b, " if %s", sp->end_filter);
	l->end = ftk_trigger(s, sp->sys, sp->end, ftk_buf_str(&b));
	/* Last: set after the pairing, every end it counts could be paired. Keyed by KEY, not
	 * common_pid: never full, and its hist block is told from end's by its keys. */
	ftk_buf_reset(&b);
	ftk_buf_printf(&b, "hist:keys=%s:vals=hitcount:size=%u", sp->key, keys);
	if (sp->end_filter)
		ftk_buf_printf(&b, " if %s", sp->end_filter);
	l->total = ftk_trigger(s, sp->sys, sp->end, ftk_buf_str(&b));
	ftk_buf_free(&b);
	if (!l->count || !l->start || !l->end || !l->total) {
		ftk_error("cannot declare the hist triggers of the %s latency", sp->name);
		ftk_latency_free(l);
		return NULL;
	}
	return l;
}

/* "sys_read [  0]" (.syscall), "1234": the number. */
static void count_entry(const struct ftk_hist_file_entry *e, void *ctx)
{
	struct ftk_latency *l = ctx;
	const char *text = ftk_hist_file_key(e, l->per_thread ? "pid" : l->key);
	if (!text)
		return;
	const char *open = strrchr(text, '[');
	uint64_t key = strtoull(open ? open + 1 : text, NULL, 10);
	uint64_t n = ftk_hist_file_value(e, "hitcount"), ns = ftk_hist_file_value(e, "lat");
	uint64_t dn = n - ftk_counts_get(&l->seen_count, key);
	uint64_t dns = ns - ftk_counts_get(&l->seen_ns, key);
	ftk_counts_set(&l->seen_count, key, n);
	ftk_counts_set(&l->seen_ns, key, ns);
	l->attributed += dn;
	if (dn)
		l->fn(key, dn, dns, l->ctx);
}

/* A trigger's totals: 0, or -1 when its hist cannot be read. */
static int totals(struct ftk_trigger *t, struct ftk_hist_file_totals *tot)
{
	char *text = ftk_trigger_hist(t);
	int rc = text ? ftk_hist_file_parse(text, NULL, NULL, tot) : -1;
	free(text);
	return rc;
}

static bool thread_map_full(const struct ftk_latency *l, const struct ftk_hist_file_totals *t)
{
	return ftk_hist_map_filling(t->entries, t->dropped, l->tids);
}

/* Empty the thread maps when one is 3/4 full or dropping: end uses start's ts0, so end goes
 * first and comes back last. */
void ftk_latency_tend(struct ftk_latency *l)
{
	struct ftk_hist_file_totals s, e;
	if (l->stuck || totals(l->start, &s) || totals(l->end, &e) ||
	    (!thread_map_full(l, &s) && !thread_map_full(l, &e)))
		return;
	l->recycles++;
	if (ftk_trigger_remove(l->end) || ftk_trigger_remove(l->start) ||
	    ftk_trigger_recreate(l->start) || ftk_trigger_recreate(l->end)) {
		l->stuck = true;
		ftk_warn("the kernel's thread maps can no longer be emptied: threads beyond "
			 "%u have no latency (counted as dropped)", l->tids);
	}
}

void ftk_latency_read(struct ftk_latency *l,
		      void (*fn)(uint64_t key, uint64_t count, uint64_t ns, void *ctx), void *ctx)
{
	struct ftk_hist_file_totals tot;
	/* The total first: the pairs, read after, can only be ahead of it, so what it says
	 * is never too much (and kept monotone). */
	bool have_total = totals(l->total, &tot) == 0;
	uint64_t ends = have_total ? tot.hits + tot.dropped : 0;
	char *text = ftk_trigger_hist(l->count);
	l->fn = fn;
	l->ctx = ctx;
	if (text && ftk_hist_file_parse(text, count_entry, l, &tot) == 0 && have_total &&
	    ends > l->attributed && ends - l->attributed > l->dropped)
		l->dropped = ends - l->attributed;
	free(text);
	ftk_latency_tend(l);
}

uint64_t ftk_latency_dropped(const struct ftk_latency *l)
{
	return l->dropped;
}

unsigned long ftk_latency_recycled(const struct ftk_latency *l)
{
	return l->recycles;
}

void ftk_latency_free(struct ftk_latency *l)
{
	if (!l)
		return;
	ftk_counts_free(&l->seen_count);
	ftk_counts_free(&l->seen_ns);
	free(l->key);
	free(l);
}
