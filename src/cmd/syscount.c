// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk syscount: syscalls counted by name or by process, with bcc syscount's flags and
 * columns. Counts are taken at raw_syscalls:sys_exit (as bcc does), in the kernel by a hist
 * trigger keyed by id where the kernel has hist triggers (the kernel names the syscalls:
 * id.syscall), else from the ring buffer (names from the built-in table). -L pairs sys_enter
 * with sys_exit per thread: in the kernel where it has synthetic events (core/latency.c),
 * else from the ring buffer in time order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/counter.h"
#include "core/events.h"
#include "core/features.h"
#include "core/field.h"
#include "core/latency.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/record.h"
#include "core/run.h"
#include "core/session.h"
#include "core/syscalls.h"
#include "core/util.h"
#include "core/view.h"

struct row {
	uint64_t key;		/* syscall number, or pid with -P */
	uint64_t count, ns;
	const char *name;	/* the kernel's, when it gave one */
};

struct syscount {
	bool failures, latency, milliseconds, per_process, list;
	long error;			/* -e: 0 when not given */
	unsigned long top;
	double interval;
	bool json;
	char *filter;			/* on sys_exit: pids, failures */
	struct ftk_session *s;
	enum ftk_count_via via;
	struct ftk_counters *counters;
	struct ftk_counter *exits;
	/* -L in the kernel: enter and exit paired there (core/latency.h) */
	bool lat_hist;
	struct ftk_latency *lat;
	/* -L from the ring: sys_enter time per thread, then count and time per key */
	struct ftk_event *enter, *exit;
	struct ftk_field_ref exit_id;
	struct ftk_counts started, lat_count, lat_ns;
	uint64_t unpaired;		/* exits with no enter seen (in flight at start, lost) */
	struct row *rows;
	unsigned nrows, cap;
	struct ftk_counts row_of;	/* key -> index + 1 in rows (0: none yet) */
	uint64_t printed_dropped;
	uint64_t printed_at;		/* monotonic ns of the last table */
};

static const struct ftk_option options[] = {
	{ "interval", 'i', "INTERVAL", "print summary at this interval (seconds)" },
	{ "top", 'T', "TOP", "print only the top syscalls by count or latency (default 10)" },
	{ "failures", 'x', NULL, "trace only failed syscalls (return < 0)" },
	{ "errno", 'e', "ERRNO", "trace only syscalls that return this error (numeric or EPERM, etc.)" },
	{ "latency", 'L', NULL, "collect syscall latency" },
	{ "milliseconds", 'm', NULL, "display latency in milliseconds (default: microseconds)" },
	{ "process", 'P', NULL, "count by process and not by syscall" },
	{ "list", 'l', NULL, "print list of recognized syscalls and exit" },
	{ NULL },
};

static const struct ftk_backend syscount_backends[] = {
	{
		.name = "hist",
		.desc = "hist trigger on raw_syscalls:sys_exit keyed by id: counted in the kernel "
			"(-L: paired in the kernel where it has synthetic events)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_SYSCALL_TP, FTK_F_HIST },
	},
	{
		.name = "ring",
		.desc = "raw_syscalls:sys_exit read from the ring buffer and counted here "
			"(-L: sys_enter too, paired here)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_SYSCALL_TP },
	},
};
enum { BACKEND_HIST, BACKEND_RING };

/* ---- -L: time from sys_enter to sys_exit per thread ---- */

static void on_enter(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct syscount *x = ctx;
	uint64_t tid = (uint64_t)ftk_rec_pid(r->data);
	ftk_counts_set(&x->started, tid, r->ts);
}

static void on_exit_latency(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct syscount *x = ctx;
	uint64_t tid = (uint64_t)ftk_rec_pid(r->data);
	uint64_t t0 = ftk_counts_get(&x->started, tid);
	if (!t0 || t0 > r->ts) {
		x->unpaired++;
		return;
	}
	ftk_counts_set(&x->started, tid, 0);
	uint64_t key = x->per_process ? tid : ftk_field_u64(&x->exit_id, r->data, r->size, 0);
	ftk_counts_add(&x->lat_count, key, 1);
	ftk_counts_add(&x->lat_ns, key, r->ts - t0);
}

static void on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	struct syscount *x = ctx;
	/* A lost exit would pair with a later syscall's enter: start over. */
	ftk_counts_free(&x->started);
}

/* ---- rows ---- */

static void add_row(struct syscount *x, uint64_t key, uint64_t count, uint64_t ns,
		    const char *name)
{
	if (x->per_process) {
		/* Threads count for their process, as bcc's pid >> 32. */
		pid_t tgid = ftk_proc_tgid((pid_t)key);
		if (tgid > 0)
			key = (uint64_t)tgid;
		name = NULL;
	}
	uint64_t at = ftk_counts_get(&x->row_of, key);
	if (at) {
		x->rows[at - 1].count += count;
		x->rows[at - 1].ns += ns;
		return;
	}
	if (x->nrows == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		x->rows = ftk_xrealloc(x->rows, x->cap * sizeof(*x->rows));
	}
	x->rows[x->nrows++] = (struct row){ key, count, ns, name };
	ftk_counts_set(&x->row_of, key, x->nrows);
}

static void paired(uint64_t key, uint64_t count, uint64_t ns, void *ctx)
{
	add_row(ctx, key, count, ns, NULL);
}

static void counted(uint64_t key, uint64_t count, void *ctx)
{
	struct syscount *x = ctx;
	add_row(x, key, count, 0, ftk_counter_name(x->exits, key));
}

static int by_count(const void *a, const void *b)
{
	const struct row *p = a, *q = b;
	if (p->count != q->count)
		return p->count < q->count ? 1 : -1;
	return p->key < q->key ? -1 : p->key > q->key;
}

static int by_time(const void *a, const void *b)
{
	const struct row *p = a, *q = b;
	if (p->ns != q->ns)
		return p->ns < q->ns ? 1 : -1;
	return by_count(a, b);
}

/* Collect what was counted since the last call into rows, sorted, top N kept. */
static void collect(struct syscount *x)
{
	x->nrows = 0;
	ftk_counts_clear(&x->row_of);
	if (x->lat) {
		ftk_latency_read(x->lat, paired, x);
	} else if (x->latency) {
		for (unsigned i = 0; i < x->lat_count.cap; i++) {
			if (!x->lat_count.used[i] || !x->lat_count.vals[i])
				continue;
			uint64_t key = x->lat_count.keys[i];
			add_row(x, key, x->lat_count.vals[i], ftk_counts_get(&x->lat_ns, key), NULL);
		}
		ftk_counts_clear(&x->lat_count);
		ftk_counts_clear(&x->lat_ns);
	} else {
		ftk_counters_read(x->counters);
		ftk_counter_each(x->exits, counted, x);
	}
	qsort(x->rows, x->nrows, sizeof(*x->rows), x->latency ? by_time : by_count);
	if (x->nrows > x->top)
		x->nrows = (unsigned)x->top;
}

static void syscall_label(char *out, size_t len, const struct row *w)
{
	/* the kernel names a number it has no syscall for "unknown_syscall" */
	const char *name = w->name && strcmp(w->name, "unknown_syscall") ? w->name
									 : ftk_syscall_name((long)w->key);
	if (name && strncmp(name, "sys_", 4) == 0)
		name += 4;
	if (name)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "[unknown: %lld]", (long long)w->key);
}

static void process_comm(char *out, size_t len, const struct row *w)
{
	if (!ftk_proc_comm((pid_t)w->key, out, len))
		snprintf(out, len, "[unknown]");
}

/* Syscalls counted by no row so far: the kernel's maps had no room (or, recycled, they came
 * between a read and the map's clear); -L: exits with no latency (no enter seen). */
static uint64_t dropped(const struct syscount *x)
{
	if (x->counters)
		return ftk_counters_dropped(x->counters);
	return x->lat ? ftk_latency_dropped(x->lat) : x->unpaired;
}

static void print_json(struct syscount *x, uint64_t now)
{
	struct ftk_buf b = { 0 };
	struct ftk_json j;
	char label[64];

	ftk_json_record(&j, &b, x->s, now, -1, -1, NULL, 0);
	ftk_json_cstr(&j, "source", ftk_count_via_name(x->via));
	ftk_json_array_begin(&j, x->per_process ? "processes" : "syscalls");
	for (unsigned i = 0; i < x->nrows; i++) {
		const struct row *w = &x->rows[i];
		ftk_json_object_begin(&j, NULL);
		if (x->per_process) {
			process_comm(label, sizeof(label), w);
			ftk_json_int(&j, "pid", (long long)w->key);
			ftk_json_cstr(&j, "comm", label);
		} else {
			syscall_label(label, sizeof(label), w);
			ftk_json_cstr(&j, "syscall", label);
			ftk_json_int(&j, "nr", (long long)w->key);
		}
		ftk_json_uint(&j, "count", w->count);
		if (x->latency)
			ftk_json_double(&j, x->milliseconds ? "time_ms" : "time_us",
					w->ns / (x->milliseconds ? 1e6 : 1e3), x->milliseconds ? 6 : 3);
		ftk_json_object_end(&j);
	}
	ftk_json_array_end(&j);
	ftk_json_uint(&j, "dropped", dropped(x));
	ftk_json_uint(&j, "lost", ftk_session_lost(x->s));
	ftk_json_end(&j);
	ftk_out_buf(&b);
	ftk_buf_free(&b);
}

static void print_text(struct syscount *x, uint64_t now)
{
	char hms[16], label[96];

	ftk_fmt_hms(hms, ftk_session_mono_to_real(x->s, now));
	ftk_outf("[%s]\n", hms);
	const char *column = x->per_process ? "PID    COMM" : "SYSCALL";
	if (x->latency)
		ftk_outf("%-22s %8s %16s\n", column, "COUNT",
			 x->milliseconds ? "TIME (ms)" : "TIME (us)");
	else
		ftk_outf("%-22s %8s\n", column, "COUNT");
	for (unsigned i = 0; i < x->nrows; i++) {
		const struct row *w = &x->rows[i];
		char name[64];
		if (x->per_process) {
			process_comm(name, sizeof(name), w);
			snprintf(label, sizeof(label), "%-6llu %-15s", (unsigned long long)w->key,
				 name);
		} else {
			syscall_label(label, sizeof(label), w);
		}
		if (x->latency)
			ftk_outf(x->milliseconds ? "%-22s %8llu %16.6f\n" : "%-22s %8llu %16.3f\n",
				 label, (unsigned long long)w->count,
				 w->ns / (x->milliseconds ? 1e6 : 1e3));
		else
			ftk_outf("%-22s %8llu\n", label, (unsigned long long)w->count);
	}
	uint64_t d = dropped(x);
	if (d > x->printed_dropped && x->latency)
		ftk_outf("[%llu syscalls without a latency: in flight when tracing started%s]\n",
			 (unsigned long long)(d - x->printed_dropped), x->lat ?
			 " or when the kernel's thread maps were emptied, or no room in them" :
			 ", or events lost");
	else if (d > x->printed_dropped)
		ftk_outf("[the kernel's map was full: %llu syscalls not counted]\n",
			 (unsigned long long)(d - x->printed_dropped));
	x->printed_dropped = d;
	ftk_outf("\n");
}

static void print_stats(struct syscount *x, uint64_t now)
{
	x->printed_at = now;
	collect(x);
	if (x->json)
		print_json(x, now);
	else
		print_text(x, now);
}

static void on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	print_stats(ctx, now);
}

static void tend(struct ftk_session *s, uint64_t now, void *ctx)
{
	struct syscount *x = ctx;
	if (x->lat)
		ftk_latency_tend(x->lat);
	if (x->counters)
		ftk_counters_tend(x->counters);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	struct syscount *x = ctx;
	uint64_t now = ftk_now_mono();
	/* The last interval's table was just printed when the duration ends with it. */
	if (!x->interval || now - x->printed_at > x->interval * 1e9 / 2)
		print_stats(x, now);
	if (!x->json)
		ftk_outf("Detaching...\n");
	unsigned long recycled = x->lat ? ftk_latency_recycled(x->lat) : 0;
	if (recycled)
		ftk_info("the kernel's maps of threads in a syscall were full and emptied %lu "
			 "time%s; the exits during each emptying have no latency (counted)",
			 recycled, recycled == 1 ? "" : "s");
	recycled = x->counters ? ftk_counters_recycled(x->counters) : 0;
	if (recycled)
		ftk_info("the kernel's map of processes was full and emptied %lu time%s; syscalls "
			 "made in between a read and its emptying are in the dropped count",
			 recycled, recycled == 1 ? "" : "s");
}

/* ---- the view ---- */

static void syscount_init(struct ftk_run *r)
{
	struct syscount *x = r->state;
	x->top = 10;
}

static int syscount_option(struct ftk_run *r, int key, const char *arg)
{
	struct syscount *x = r->state;

	switch (key) {
	case 'i': return ftk_opt_seconds("interval", arg, &x->interval);
	case 'T': return ftk_opt_ulong("TOP", arg, 1, 100000, &x->top);
	case 'x': x->failures = true; return 0;
	case 'e': return ftk_opt_errno(arg, &x->error);
	case 'L': x->latency = true; return 0;
	case 'm': x->milliseconds = true; return 0;
	case 'P': x->per_process = true; return 0;
	case 'l': x->list = true; return 0;
	}
	return -EINVAL;
}

static int syscount_check(struct ftk_run *r)
{
	struct syscount *x = r->state;

	if (x->list) {
		/* bcc's -l: the names this build knows, then nothing traced. */
		for (long i = 0; i < ftk_syscall_max(); i++)
			if (ftk_syscall_name(i))
				ftk_outf("%s\n", ftk_syscall_name(i));
		return FTK_RUN_DONE;
	}
	x->json = r->json;
	/* bcc filters the process (tgid): its threads, as they are now. */
	char *pids;
	int rc = ftk_count_pid_filter(r->pids, r->npids, &pids);
	if (rc)
		return rc;
	struct ftk_buf f = { 0 };
	if (pids)
		ftk_buf_adds(&f, pids);
	if (x->failures || x->error) {
		char ret[64];
		if (x->error)
			snprintf(ret, sizeof(ret), "ret == -%ld", x->error);
		else
			snprintf(ret, sizeof(ret), "ret < 0");
		if (pids) {
			ftk_buf_reset(&f);
			ftk_buf_printf(&f, "(%s) && %s", pids, ret);
		} else {
			ftk_buf_adds(&f, ret);
		}
	}
	free(pids);
	x->filter = f.len ? ftk_xstrdup(ftk_buf_str(&f)) : NULL;
	ftk_buf_free(&f);
	return 0;
}

static int syscount_prepare(struct ftk_run *r)
{
	struct syscount *x = r->state;

	/* -L pairs enter and exit of one thread: in the kernel where it has synthetic events,
	 * else the ring buffer in time order (a thread may change CPU between them). Counting
	 * alone needs no order. */
	x->via = r->backend == BACKEND_HIST && !x->latency ? FTK_COUNT_HIST : FTK_COUNT_RING;
	x->lat_hist = r->backend == BACKEND_HIST && x->latency && ftk_has(FTK_F_SYNTH);
	if (x->lat_hist)
		x->via = FTK_COUNT_HIST;
	r->so.unordered = !x->latency || x->lat_hist;
	if (r->dry_run)
		fprintf(stderr, "ftk syscount: counting by %s (%s)\n", ftk_count_via_name(x->via),
			x->lat_hist ? "hist triggers and a synthetic event: enter and exit paired "
			"in the kernel, nothing reaches the ring buffer" : ftk_count_via_desc(x->via));
	return 0;
}

static int syscount_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct syscount *x = r->state;

	x->s = s;
	if (x->latency) {
		/* A thread filtered by pid is filtered at both ends; failures at the exit. */
		char *enter_filter = NULL;
		if (r->npids && x->filter) {
			enter_filter = ftk_xstrdup(x->filter);
			char *amp = strstr(enter_filter, ") && ");
			if (amp)
				amp[1] = 0;
			else if (x->failures || x->error)
				enter_filter[0] = 0;
		}
		if (x->lat_hist) {
			/* u64 lat; long id; int pid: the source fields' type names (4.19) */
			struct ftk_latency_spec sp = {
				.name = "sys_lat", .sys = "raw_syscalls", .start = "sys_enter",
				.end = "sys_exit",
				.start_filter = enter_filter && *enter_filter ? enter_filter : NULL,
				.end_filter = x->filter, .key = "id", .key_decl = "long id",
				.key_mod = "syscall", .per_thread = x->per_process,
			};
			x->lat = ftk_latency_new(s, &sp);
			free(enter_filter);
			if (!x->lat)
				return -EINVAL;
			goto hooks;
		}
		x->enter = ftk_tracepoint(s, "raw_syscalls", "sys_enter",
					  enter_filter && *enter_filter ? enter_filter : NULL);
		free(enter_filter);
		ftk_event_on(x->enter, on_enter, x);
		x->exit = ftk_tracepoint(s, "raw_syscalls", "sys_exit", x->filter);
		ftk_event_on(x->exit, on_exit_latency, x);
		/* as the counters on the ring: not ftk's own reads and polls */
		ftk_event_not_self(x->enter);
		ftk_event_not_self(x->exit);
		ftk_session_on_lost(s, on_lost, x);
	} else {
		x->counters = ftk_counters_new(s, x->via);
		int rc = ftk_counters_map_size(x->counters);
		if (rc)
			return rc;
		x->exits = ftk_count_tracepoint(x->counters, "raw_syscalls", "sys_exit", x->filter,
						x->per_process ? "common_pid" : "id",
						x->per_process ? "execname" : "syscall");
		/* processes come and go: their map is emptied when full (syscall numbers
		 * are few: never full) */
		if (x->per_process)
			ftk_counter_recycle(x->exits);
	}
hooks:
	if (x->interval > 0)
		ftk_session_on_tick(s, (uint64_t)(x->interval * 1e9), on_tick, x);
	else if (x->lat || x->per_process)	/* maps of threads or processes are emptied
						 * as they fill, printed or not */
		ftk_session_on_tick(s, 1000000000ull, tend, x);
	ftk_session_on_end(s, on_end, x);
	return 0;
}

static int syscount_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct syscount *x = r->state;

	if (x->exit)
		ftk_field_bind(&x->exit_id, x->exit, "id");
	return x->counters ? ftk_counters_bind(x->counters) : 0;
}

static void syscount_header(struct ftk_run *r)
{
	struct syscount *x = r->state;

	if (!x->json)
		ftk_outf("Tracing %ssyscalls, printing top %lu... Ctrl+C to quit.\n",
			 x->failures || x->error ? "failed " : "", x->top);
	fprintf(stderr, "ftk syscount: tracing %ssyscalls, counted by %s (%s)\n",
		x->failures || x->error ? "failed " : "", ftk_count_via_name(x->via),
		x->lat_hist ? "hist triggers and a synthetic event: enter and exit paired in the "
		"kernel, nothing reaches the ring buffer" : ftk_count_via_desc(x->via));
	ftk_out_flush();
}

static void syscount_free(struct ftk_run *r)
{
	struct syscount *x = r->state;

	ftk_counters_free(x->counters);
	ftk_counts_free(&x->started);
	ftk_counts_free(&x->lat_count);
	ftk_counts_free(&x->lat_ns);
	ftk_latency_free(x->lat);
	free(x->rows);
	ftk_counts_free(&x->row_of);
	free(x->filter);
}

static const struct ftk_view_ops ops = {
	.init = syscount_init,
	.option = syscount_option,
	.check = syscount_check,
	.prepare = syscount_prepare,
	.declare = syscount_declare,
	.bind = syscount_bind,
	.header = syscount_header,
	.free = syscount_free,
};

const struct ftk_view ftk_view_syscount = {
	.name = "syscount",
	.summary = "count syscalls by name or by process",
	.description =
		"Summarize syscall counts and latencies. Counted in the kernel by a hist trigger\n"
		"where the kernel has hist triggers (nothing reaches the ring buffer), else read\n"
		"from the ring buffer; -L pairs enter and exit in the kernel where it has\n"
		"synthetic events too, else from the ring buffer.",
	.examples =
		"  ftk syscount                 # count syscalls, top 10 at Ctrl-C\n"
		"  ftk syscount -P              # count by process instead of by syscall\n"
		"  ftk syscount -L              # measure syscall latency (total time)\n"
		"  ftk syscount -p 181          # only syscalls of process 181\n"
		"  ftk syscount -x              # only failed syscalls\n"
		"  ftk syscount -e ENOENT       # only syscalls failing with ENOENT\n"
		"  ftk syscount -i 1 -d 10      # print every second, for ten seconds\n"
		"  ftk syscount -l              # list the syscall names known\n"
		"  ftk syscount --json -d 5     # one NDJSON record after five seconds\n",
	.common = FTK_OPT_DURATION | FTK_OPT_TRACING | FTK_OPT_BACKEND | FTK_OPT_PID,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct syscount),
	.backends = syscount_backends,
	.nbackends = FTK_ARRAY_SIZE(syscount_backends),
	.unavailable = "cannot count syscalls on this kernel",
};
