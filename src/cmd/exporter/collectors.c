// SPDX-License-Identifier: GPL-2.0-only
/*
 * exporter/collectors: the counting views as metric families (collectors.h). Each engine is
 * core's or the views' shared modules': counter.h (syscount, funccount), vfscount.h
 * (vfsstat), bio/ (biolatency); execsnoop's count per comm is sched_process_exec read from
 * the ring buffer (execs are rare; see ftk-exporter(8) for why not a hist keyed by pid).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/bio/disks.h"
#include "cmd/bio/hist_backend.h"
#include "cmd/bio/sources.h"
#include "cmd/exporter/collectors.h"
#include "cmd/exporter/expo.h"
#include "cmd/funccount/targets.h"
#include "core/counter.h"
#include "core/events.h"
#include "core/features.h"
#include "core/field.h"
#include "core/histogram.h"
#include "core/kfuncs.h"
#include "core/output.h"
#include "core/run.h"
#include "core/session.h"
#include "core/syscalls.h"
#include "core/util.h"
#include "cmd/exporter/collector_int.h"

/* ---- checking against this system ---- */

static void add_filter(struct collector *c, const char *clause)
{
	if (!c->filter) {
		c->filter = ftk_xstrdup(clause);
		return;
	}
	size_t n = strlen(c->filter) + strlen(clause) + 12;
	char *f = ftk_xmalloc(n);
	snprintf(f, n, "(%s) && (%s)", c->filter, clause);
	free(c->filter);
	c->filter = f;
}

static int check_funccount(struct collector *c, char *why, size_t len)
{
	struct ftk_kfuncs *kfuncs = NULL;
	int rc = 0;

	for (int i = 0; i < c->npatterns && !rc; i++) {
		struct funccount_pattern p;
		if ((rc = funccount_pattern_parse(&p, c->patterns[i])))
			break;
		if (p.kind == FUNCCOUNT_KPROBE && !kfuncs) {
			if (!ftk_has(FTK_F_KPROBES)) {
				snprintf(why, len, "kernel functions need kprobes: %s",
					 ftk_feature(FTK_F_KPROBES)->why);
				rc = -ENOTSUP;
			} else if (!(kfuncs = ftk_kfuncs_load())) {
				snprintf(why, len, "cannot read available_filter_functions: %s",
					 strerror(errno));
				rc = -ENOENT;
			}
		}
		int n = rc ? 0 : funccount_expand(&c->targets, &p, c->regex, kfuncs);
		if (!rc && n == 0) {
			snprintf(why, len, "no functions matched by pattern %s", p.text);
			rc = -ENOENT;
		} else if (n < 0) {
			snprintf(why, len, "pattern %s cannot be expanded", p.text);
			rc = n;
		}
		funccount_pattern_free(&p);
	}
	ftk_kfuncs_free(kfuncs);
	for (int i = 0; i < c->targets.n; i++)
		c->tracepoints |= c->targets.v[i].kind == FUNCCOUNT_TRACEPOINT;
	return rc;
}

static int check_biolatency(struct collector *c, char *why, size_t len)
{
	char w[512];

	bio_disks_load(&c->disks, NULL);
	if (c->disk) {
		int rc = bio_resolve_disk(&c->disks, c->disk, &c->dev);
		if (rc)
			return rc;
	}
	/* biolatency's order of preference: the kernel's hist triggers and synthetic events,
	 * else the block tracepoints paired here. */
	c->hists.label_names[0] = "disk";
	if (ftk_has(FTK_F_HIST) && ftk_has(FTK_F_SYNTH) && bio_hist_usable(w, sizeof(w))) {
		c->bio = BIO_BACKEND_HIST;
		return bio_hist_backend_init(&c->kernel);
	}
	if (bio_usable_tracepoint(w, sizeof(w)))
		c->bio = BIO_BACKEND_TRACEPOINT;
	else if (bio_usable_tracepoint_legacy(w, sizeof(w)))
		c->bio = BIO_BACKEND_TRACEPOINT_LEGACY;
	else {
		snprintf(why, len, "%s", w);
		return -ENOTSUP;
	}
	return 0;
}

int collector_check(struct collector *c, char *why, size_t len)
{
	char clause[128];

	why[0] = 0;
	if (c->comm) {
		snprintf(clause, sizeof(clause), "comm == \"%s\"", c->comm);
		add_filter(c, clause);
	}
	switch (c->kind) {
	case SYSCOUNT:
		if (!ftk_has(FTK_F_SYSCALL_TP)) {
			snprintf(why, len, "%s", ftk_feature(FTK_F_SYSCALL_TP)->why);
			return -ENOTSUP;
		}
		if (c->nnrs) {
			struct ftk_buf b = { 0 };
			for (int i = 0; i < c->nnrs; i++)
				ftk_buf_printf(&b, "%sid == %ld", i ? " || " : "", c->nrs[i]);
			add_filter(c, ftk_buf_str(&b));
			ftk_buf_free(&b);
		}
		if (c->failures || c->error) {
			if (c->error)
				snprintf(clause, sizeof(clause), "ret == -%ld", c->error);
			else
				snprintf(clause, sizeof(clause), "ret < 0");
			add_filter(c, clause);
		}
		return 0;
	case VFSSTAT:
		c->kprobes = ftk_has(FTK_F_KPROBES);
		if (!c->kprobes && !ftk_has(FTK_F_SYSCALL_TP)) {
			snprintf(why, len, "neither kprobes nor syscall tracepoints");
			return -ENOTSUP;
		}
		return 0;
	case FUNCCOUNT:
		return check_funccount(c, why, len);
	case EXECSNOOP:
		if (!ftk_tracepoint_exists("sched", "sched_process_exec")) {
			snprintf(why, len, "no sched:sched_process_exec tracepoint");
			return -ENOTSUP;
		}
		return 0;
	case BIOLATENCY:
		return check_biolatency(c, why, len);
	case NKINDS:
		break;
	}
	return 0;
}

bool collector_needs_ring(const struct collector *c)
{
	switch (c->kind) {
	case SYSCOUNT:
	case VFSSTAT:
		return !ftk_has(FTK_F_HIST) && !(c->kind == VFSSTAT && c->kprobes && !c->filter);
	case FUNCCOUNT:
		return !ftk_has(FTK_F_HIST) && (c->tracepoints || c->filter);
	case EXECSNOOP:
		return true;
	case BIOLATENCY:
		return c->bio != BIO_BACKEND_HIST;
	case NKINDS:
		break;
	}
	return true;
}

void collector_prepare(struct collector *c, bool profile_ok)
{
	switch (c->kind) {
	case SYSCOUNT:
		c->via = ftk_count_pick(false, false);
		c->source = "raw_syscalls";
		break;
	case VFSSTAT:
		c->via = ftk_count_pick(c->kprobes && profile_ok, !c->filter);
		c->source = c->kprobes ? "kprobes" : "syscalls";
		break;
	case FUNCCOUNT:
		c->via = ftk_count_pick(profile_ok && !c->tracepoints, !c->filter);
		c->source = c->tracepoints ? "tracepoints+probes" : "probes";
		break;
	case EXECSNOOP:
		c->via = FTK_COUNT_RING;
		c->source = "sched_process_exec";
		break;
	case BIOLATENCY:
		c->via = c->bio == BIO_BACKEND_HIST ? FTK_COUNT_HIST : FTK_COUNT_RING;
		c->source = c->bio == BIO_BACKEND_HIST ? "block+synthetic"
			    : c->bio == BIO_BACKEND_TRACEPOINT ? "block_io_start"
			    : "block_bio_queue";
		break;
	case NKINDS:
		break;
	}
	c->route = ftk_count_via_name(c->via);
}

const char *collector_route(const struct collector *c)
{
	return c->route;
}

const char *collector_source(const struct collector *c)
{
	return c->source;
}

/* ---- declaring ---- */

static void on_exec(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct collector *c = ctx;
	int len = 0;
	const char *path = ftk_field_str(&c->filename, r->data, r->size, &len);
	char comm[16];

	/* The comm exec gives: the file name's last component, 15 bytes at most (exec sets
	 * it from bprm->filename: "/dev/fd/N" for fexecve). */
	if (!path || len <= 0) {
		snprintf(comm, sizeof(comm), "?");
	} else {
		const char *end = memchr(path, 0, (size_t)len);
		size_t n = end ? (size_t)(end - path) : (size_t)len;
		const char *base = path;
		for (size_t i = 0; i < n; i++)
			if (path[i] == '/')
				base = path + i + 1;
		n -= (size_t)(base - path);
		if (n > 15)
			n = 15;
		memcpy(comm, base, n);
		comm[n] = 0;
	}
	expo_labels_add(&c->labels, comm, 1);
}

static void on_io(const struct bio_io *io, void *ctx)
{
	struct collector *c = ctx;
	uint64_t from = c->queued && io->start_ts && io->start_ts <= io->issue_ts ? io->start_ts
										 : io->issue_ts;
	struct ftk_histogram *h = ftk_histograms_get(&c->hists,
						     bio_disk_name(&c->disks, io->dev), "");
	ftk_histogram_add(h, (io->done_ts - from) / 1000);
}

/* The hist backend's maps are read and recycled every 100 ms, as biolatency does. */
static void on_bio_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	struct collector *c = ctx;
	bio_hist_backend_read(&c->kernel, &c->hists);
	bio_hist_backend_recycle(&c->kernel);
}

static int declare_funccount(struct collector *c, struct ftk_session *s)
{
	c->counted = ftk_xcalloc((size_t)c->targets.n, sizeof(*c->counted));
	for (int i = 0; i < c->targets.n; i++)
		expo_labels_get(&c->labels, c->targets.v[i].name);
	return funccount_count_targets(&c->targets, s, c->counters, c->filter, c->counted);
}

int collector_declare(struct collector *c, struct ftk_session *s)
{
	c->s = s;
	c->labels.max = c->top;
	switch (c->kind) {
	case SYSCOUNT:
		c->counters = ftk_counters_new(s, c->via);
		c->exits = ftk_count_tracepoint(c->counters, "raw_syscalls", "sys_exit", c->filter,
						"id", "syscall");
		/* A list: every syscall of it exported from the start, at 0. */
		for (int i = 0; i < c->nnrs; i++) {
			const char *name = ftk_syscall_name(c->nrs[i]);
			if (name)
				expo_labels_get(&c->labels, name);
		}
		return 0;
	case VFSSTAT:
		c->vfs = ftk_vfscount_new(s, c->via, c->kprobes, c->filter);
		return 0;
	case FUNCCOUNT:
		c->counters = ftk_counters_new(s, c->via);
		return declare_funccount(c, s);
	case EXECSNOOP:
		c->exec = ftk_tracepoint(s, "sched", "sched_process_exec", NULL);
		ftk_event_on(c->exec, on_exec, c);
		return 0;
	case BIOLATENCY:
		if (c->bio == BIO_BACKEND_HIST) {
			c->kernel.per_disk = true;
			c->kernel.queued = c->queued;
			c->kernel.filter_dev = c->dev;
			c->kernel.disks = &c->disks;
			int rc = bio_hist_backend_declare(&c->kernel, s);
			if (!rc)
				ftk_session_on_tick(s, BIO_HIST_TICK_NS, on_bio_tick, c);
			return rc;
		}
		c->bio_source = bio_source_new(c->dev, 1 << 15, on_io, c);
		return bio_source_declare(c->bio_source, s, c->bio);
	case NKINDS:
		break;
	}
	return 0;
}

int collector_bind(struct collector *c)
{
	switch (c->kind) {
	case SYSCOUNT:
		return ftk_counters_bind(c->counters);
	case VFSSTAT:
		if (ftk_vfscount_skipped(c->vfs)[0])
			ftk_warn("vfsstat: no kprobe on %s: not exported",
				 ftk_vfscount_skipped(c->vfs));
		return ftk_vfscount_bind(c->vfs);
	case FUNCCOUNT: {
		int skipped = funccount_drop_skipped(&c->targets, c->counted);
		if (skipped)
			ftk_warn("funccount: %d of %d functions could not be probed (the kernel "
				 "refused them)", skipped, c->targets.n);
		return ftk_counters_bind(c->counters);
	}
	case EXECSNOOP:
		if (!ftk_field_bind(&c->filename, c->exec, "filename")) {
			ftk_error("sched:sched_process_exec has no field 'filename'");
			return -ENOENT;
		}
		return 0;
	case BIOLATENCY:
		return c->bio_source ? bio_source_bind(c->bio_source) : 0;
	case NKINDS:
		break;
	}
	return 0;
}

/* ---- reading ---- */

static int by_count_desc(const void *a, const void *b)
{
	const uint64_t *p = a, *q = b;	/* {key, count} */
	if (p[1] != q[1])
		return p[1] < q[1] ? 1 : -1;
	return p[0] < q[0] ? -1 : p[0] > q[0];
}

static void syscall_delta(uint64_t key, uint64_t count, void *ctx)
{
	struct collector *c = ctx;
	if (c->npending == c->pending_alloc) {
		c->pending_alloc = c->pending_alloc ? c->pending_alloc * 2 : 64;
		c->pending = ftk_xrealloc(c->pending, (size_t)c->pending_alloc *
					  sizeof(*c->pending));
	}
	c->pending[c->npending].key = key;
	c->pending[c->npending++].count = count;
}

static void read_syscount(struct collector *c)
{
	ftk_counters_read(c->counters);
	c->npending = 0;
	ftk_counter_each(c->exits, syscall_delta, c);
	/* New syscalls take the free labels busiest first: the cap keeps the top ones. */
	qsort(c->pending, (size_t)c->npending, sizeof(*c->pending), by_count_desc);
	for (int i = 0; i < c->npending; i++) {
		uint64_t key = c->pending[i].key;
		const char *name = ftk_counter_name(c->exits, key);
		char label[64];
		if (!name)
			name = ftk_syscall_name((long)key);
		if (name && strncmp(name, "sys_", 4) == 0)
			name += 4;
		if (name)
			snprintf(label, sizeof(label), "%s", name);
		else
			snprintf(label, sizeof(label), "unknown_%llu", (unsigned long long)key);
		expo_labels_add(&c->labels, label, c->pending[i].count);
	}
	c->dropped = ftk_counters_dropped(c->counters);
	/* A key the full map dropped still counted in the total: it belongs to no label. */
}

static void read_funccount(struct collector *c)
{
	ftk_counters_read(c->counters);
	for (int i = 0; i < c->targets.n; i++)
		if (c->counted[i])
			expo_labels_add(&c->labels, c->targets.v[i].name,
					ftk_counter_delta(c->counted[i]));
	c->dropped = ftk_counters_dropped(c->counters);
}

void collector_read(struct collector *c)
{
	uint64_t t0 = ftk_now_mono(), deltas[FTK_VFS_NOPS];

	switch (c->kind) {
	case SYSCOUNT:
		read_syscount(c);
		break;
	case VFSSTAT:
		ftk_vfscount_read(c->vfs, deltas);
		for (int op = 0; op < FTK_VFS_NOPS; op++)
			c->vfs_totals[op] += deltas[op];
		c->dropped = ftk_vfscount_dropped(c->vfs);
		break;
	case FUNCCOUNT:
		read_funccount(c);
		break;
	case EXECSNOOP:
		break;		/* counted as the session dispatches the records */
	case BIOLATENCY:
		if (c->bio == BIO_BACKEND_HIST) {
			bio_hist_backend_read(&c->kernel, &c->hists);
			c->dropped = c->kernel.previous_dropped + c->kernel.old_dropped;
		}
		break;
	case NKINDS:
		break;
	}
	c->read_seconds = (ftk_now_mono() - t0) / 1e9;
}

/* ---- writing ---- */

static void write_histograms(struct collector *c, struct ftk_buf *b)
{
	const char *name = "ftk_block_io_latency_seconds";

	expo_family(b, name, "histogram", c->queued
		    ? "Block I/O latency from submission to completion, per disk."
		    : "Block I/O latency from issue to the device to completion, per disk.");
	ftk_histograms_sort(&c->hists);
	for (int i = 0; i < c->hists.n; i++) {
		const struct ftk_histogram *h = &c->hists.v[i];
		uint64_t cumulative = 0;
		/* log2 slot s holds [2^(s-1), 2^s - 1] whole usecs: latencies below 2^s us, so
		 * its upper bound is 2^s us. The same bounds at every scrape (2 us to 33.6 s),
		 * then +Inf. */
		for (int s = 1; s <= BUCKETS_LAST; s++) {
			cumulative += h->slots[s];
			ftk_buf_printf(b, "%s_bucket{disk=\"", name);
			expo_escape(b, h->labels[0]);
			ftk_buf_printf(b, "\",le=\"%.9g\"} %llu\n", (double)(1ULL << s) / 1e6,
				       (unsigned long long)cumulative);
		}
		ftk_buf_printf(b, "%s_bucket{disk=\"", name);
		expo_escape(b, h->labels[0]);
		ftk_buf_printf(b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)h->count);
		ftk_buf_printf(b, "%s_sum{disk=\"", name);
		expo_escape(b, h->labels[0]);
		ftk_buf_printf(b, "\"} %.9g\n", h->sum / 1e6);
		ftk_buf_printf(b, "%s_count{disk=\"", name);
		expo_escape(b, h->labels[0]);
		ftk_buf_printf(b, "\"} %llu\n", (unsigned long long)h->count);
	}
}

void collector_write(struct collector *c, struct ftk_buf *b)
{
	switch (c->kind) {
	case SYSCOUNT:
		expo_family(b, "ftk_syscalls_total", "counter", c->failures || c->error
			    ? "Failed system calls completed, per syscall (raw_syscalls:sys_exit)."
			    : "System calls completed, per syscall (raw_syscalls:sys_exit).");
		expo_labels_write(b, &c->labels, "ftk_syscalls_total", "syscall");
		break;
	case VFSSTAT:
		expo_family(b, "ftk_vfs_calls_total", "counter", c->kprobes
			    ? "VFS calls per operation (kprobes on the vfs_* functions)."
			    : "VFS calls per operation (the syscalls reaching the vfs_* functions).");
		for (int op = 0; op < FTK_VFS_NOPS; op++)
			if (ftk_vfscount_present(c->vfs, op))
				expo_u64(b, "ftk_vfs_calls_total", "op", ftk_vfs_op_name(op),
					 c->vfs_totals[op]);
		break;
	case FUNCCOUNT:
		expo_family(b, "ftk_function_calls_total", "counter",
			    "Calls of the functions and hits of the tracepoints funccount's "
			    "patterns name.");
		expo_labels_write(b, &c->labels, "ftk_function_calls_total", "function");
		break;
	case EXECSNOOP:
		expo_family(b, "ftk_execs_total", "counter",
			    "Successful execs, per comm of the new program (sched_process_exec).");
		expo_labels_write(b, &c->labels, "ftk_execs_total", "comm");
		break;
	case BIOLATENCY:
		write_histograms(c, b);
		break;
	case NKINDS:
		break;
	}
}

int collector_end(struct collector *c)
{
	if (c->kind != BIOLATENCY || c->bio != BIO_BACKEND_HIST)
		return 0;
	bio_hist_backend_read(&c->kernel, &c->hists);
	bio_hist_backend_end(&c->kernel);
	return c->kernel.stuck ? -EIO : 0;
}

uint64_t collector_dropped(const struct collector *c)
{
	return c->dropped;
}

double collector_read_seconds(const struct collector *c)
{
	return c->read_seconds;
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	free(c->text);
	free(c->comm);
	free(c->filter);
	free(c->nrs);
	free(c->pending);
	ftk_counters_free(c->counters);
	ftk_vfscount_free(c->vfs);
	expo_labels_free(&c->labels);
	for (int i = 0; i < c->npatterns; i++)
		free(c->patterns[i]);
	free(c->patterns);
	funccount_targets_free(&c->targets);
	free(c->counted);
	bio_source_free(c->bio_source);
	if (c->bio == BIO_BACKEND_HIST)
		bio_hist_backend_free(&c->kernel);
	ftk_histograms_free(&c->hists);
	bio_disks_free(&c->disks);
	free(c->disk);
	free(c);
}
