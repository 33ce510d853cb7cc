// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk biolatency: log2 histograms of block I/O latency (issue -> completion, or submission
 * -> completion with -Q), in bcc's layout, optionally one per disk (-D) or per request type
 * (-F), printed every interval or at the end. The kernel counts where it has hist triggers
 * (backend hist, bio/hist_backend.h); else the block tracepoints are paired in user space
 * (bio/sources.h) and counted here. Both print through core/histogram.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/bio/disks.h"
#include "cmd/bio/hist_backend.h"
#include "cmd/bio/sources.h"
#include "core/features.h"
#include "core/histogram.h"
#include "core/output.h"
#include "core/record.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

struct biolatency {
	bool milliseconds, per_disk, per_flags, queued, json, timestamp;
	const char *disk;	/* -d, NULL: all */
	uint32_t filter_dev;	/* its dev */
	bool hist;		/* the hist backend (in-kernel aggregation) */
	struct bio_hist_backend kernel;
	unsigned long per_print, ticks;	/* hist: ticks per interval, ticks since the last print */
	unsigned long count;	/* intervals to print, 0 = no limit */
	double interval;	/* seconds, 0 = print at the end only */
	unsigned long printed;
	struct bio_disks disks;
	struct ftk_histograms hists;
	struct ftk_run *run;
	struct ftk_session *s;
	struct bio_source *source;
	struct ftk_buf out;
};

static const struct ftk_option options[] = {
	{ "milliseconds", 'm', NULL, "histogram in milliseconds (default microseconds)" },
	{ "queued", 'Q', NULL, "include OS queued time (submission -> completion)" },
	{ "disks", 'D', NULL, "one histogram per disk" },
	{ "flags", 'F', NULL, "one histogram per request type (rwbs: R, WS, FF ...)" },
	{ "timestamp", 'T', NULL, "print HH:MM:SS before each interval" },
	{ "disk", 'd', "DISK", "trace this disk only" },
	{ NULL },
};

static const struct ftk_backend biolatency_backends[] = {
	{
		.name = "hist",
		.desc = "in-kernel aggregation: hist triggers on block_rq_issue/complete + a "
			"synthetic event",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_HIST, FTK_F_SYNTH },
		.usable = bio_hist_usable,
	},
	{
		.name = "tracepoint",
		.desc = "user-space aggregation of block_io_start/rq_issue/rq_complete (>= 6.5)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },
		.usable = bio_usable_tracepoint,
	},
	{
		.name = "tracepoint-legacy",
		.desc = "user-space aggregation of block_bio_queue/rq_insert/rq_issue/rq_complete",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },
		.usable = bio_usable_tracepoint_legacy,
	},
	BIO_KPROBE_BACKEND,
};

static void biolatency_on_io(const struct bio_io *io, void *ctx)
{
	struct biolatency *v = ctx;
	uint64_t from = v->queued && io->start_ts && io->start_ts <= io->issue_ts ? io->start_ts
										 : io->issue_ts;
	uint64_t ns = io->done_ts - from;
	struct ftk_histogram *h;

	h = ftk_histograms_get(&v->hists, v->per_disk ? bio_disk_name(&v->disks, io->dev) : "",
			       v->per_flags ? (io->rwbs[0] ? io->rwbs : "?") : "");
	ftk_histogram_add(h, v->milliseconds ? ns / 1000000 : ns / 1000);
}

static void biolatency_print(struct biolatency *v, uint64_t now_mono)
{
	const char *unit = v->milliseconds ? "msecs" : "usecs";
	struct ftk_buf *b = &v->out;
	char hms[16];

	ftk_histograms_sort(&v->hists);
	if (v->json) {
		struct ftk_json j;
		uint64_t t0 = ftk_session_start_ts(v->s);

		/* the record head of an aggregate: time and ts of the print, no cpu/pid/comm */
		ftk_json_record(&j, b, v->s, now_mono, -1, -1, NULL, 0);
		ftk_json_double(&j, "elapsed", now_mono > t0 ? (double)(now_mono - t0) / 1e9 : 0,
				6);
		ftk_json_cstr(&j, "unit", unit);
		ftk_histograms_json(&j, "hists", &v->hists);
		ftk_json_end(&j);
	} else {
		ftk_buf_addc(b, '\n');
		if (v->timestamp) {
			ftk_fmt_hms(hms, ftk_session_mono_to_real(v->s, now_mono));
			ftk_buf_printf(b, "%-8s\n", hms);
		}
		ftk_histograms_print(b, &v->hists, unit);
	}
	ftk_out_buf(b);
	ftk_out_flush();
	ftk_histograms_clear(&v->hists);
	v->printed++;
}

static void biolatency_on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	struct biolatency *v = ctx;

	if (v->hist) {
		/* Read (and maybe recycle the maps) every tick, so that half a map of new
		 * sectors must come within 100 ms to fill one; print every per_print ticks. */
		bio_hist_backend_read(&v->kernel, &v->hists);
		bio_hist_backend_recycle(&v->kernel);
		if (!v->per_print || ++v->ticks < v->per_print)
			return;	/* no interval: one print at the end */
		v->ticks = 0;
	}
	biolatency_print(v, now);
	if (v->count && v->printed >= v->count)
		ftk_session_stop(s);
}

static void biolatency_on_end(struct ftk_session *s, void *ctx)
{
	struct biolatency *v = ctx;

	if (v->source)
		bio_source_flush(v->source);
	if (v->hist) {
		bio_hist_backend_read(&v->kernel, &v->hists);
		bio_hist_backend_end(&v->kernel);
		if (v->kernel.stuck)
			v->run->error = -EIO;	/* a recycle failed: the run was cut short */
	}
	/* Without an interval the one histogram comes now; with one, a partial last interval
	 * is printed only when the run was cut short (Ctrl-C) before count was reached. */
	if (!v->interval || (v->hists.n && (!v->count || v->printed < v->count)))
		biolatency_print(v, ftk_now_mono());
}

/* ---- the view ---- */

static void biolatency_init(struct ftk_run *r)
{
	struct biolatency *v = r->state;

	v->hists.label_names[0] = "disk";
	v->hists.label_names[1] = "flags";
}

static int biolatency_option(struct ftk_run *r, int key, const char *arg)
{
	struct biolatency *v = r->state;

	switch (key) {
	case 'm': v->milliseconds = true; return 0;
	case 'Q': v->queued = true; return 0;
	case 'D': v->per_disk = true; return 0;
	case 'F': v->per_flags = true; return 0;
	case 'T': v->timestamp = true; return 0;
	case 'd': v->disk = arg; return 0;
	}
	return -EINVAL;
}

/* [interval [count]] */
static int biolatency_args(struct ftk_run *r, int argc, char **argv)
{
	struct biolatency *v = r->state;

	if (ftk_parse_seconds(argv[0], &v->interval))
		return ftk_usage_error("interval must be seconds > 0, not '%s'", argv[0]), -EINVAL;
	if (argc > 1 && ftk_parse_ulong(argv[1], 1, ULONG_MAX, &v->count))
		return ftk_usage_error("count must be a number >= 1, not '%s'", argv[1]), -EINVAL;
	if (argc > 2)
		return ftk_usage_error("unexpected argument '%s'", argv[2]), -EINVAL;
	return 0;
}

static int biolatency_check(struct ftk_run *r)
{
	struct biolatency *v = r->state;

	v->json = r->json;
	bio_disks_load(&v->disks, NULL);
	return v->disk ? bio_resolve_disk(&v->disks, v->disk, &v->filter_dev) : 0;
}

/* The hist backend counts in the kernel: nothing reaches the ring buffer, so a small one
 * does, read without the reorder window. */
static int biolatency_prepare(struct ftk_run *r)
{
	struct biolatency *v = r->state;

	v->hist = bio_backend_by_name(r->view->backends[r->backend].name) == BIO_BACKEND_HIST;
	if (!v->hist)
		return 0;
	r->so.default_buffer_kb = 64;
	r->so.unordered = true;
	return bio_hist_backend_init(&v->kernel);
}

static int biolatency_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct biolatency *v = r->state;
	uint64_t interval = (uint64_t)(v->interval * 1e9);
	int rc;

	v->run = r;
	v->s = s;
	ftk_session_on_end(s, biolatency_on_end, v);
	if (!v->hist) {
		v->source = bio_source_new(v->filter_dev, 1 << 15, biolatency_on_io, v);
		if (interval)
			ftk_session_on_tick(s, interval, biolatency_on_tick, v);
		return bio_source_declare(v->source, s,
					  bio_backend_by_name(r->view->backends[r->backend].name));
	}
	v->kernel.milliseconds = v->milliseconds;
	v->kernel.per_disk = v->per_disk;
	v->kernel.per_flags = v->per_flags;
	v->kernel.queued = v->queued;
	v->kernel.filter_dev = v->filter_dev;
	v->kernel.disks = &v->disks;
	if ((rc = bio_hist_backend_declare(&v->kernel, s)))
		return rc;
	/* Read every tick (100 ms, or the interval when shorter); print every per_print. */
	uint64_t tick = interval && interval < BIO_HIST_TICK_NS ? interval : BIO_HIST_TICK_NS;

	v->per_print = interval ? (interval + tick / 2) / tick : 0;
	ftk_session_on_tick(s, tick, biolatency_on_tick, v);
	return 0;
}

static int biolatency_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct biolatency *v = r->state;

	return v->source ? bio_source_bind(v->source) : 0;
}

static void biolatency_header(struct ftk_run *r)
{
	struct biolatency *v = r->state;

	if (!v->json)
		ftk_outf("Tracing block device I/O... Hit Ctrl-C to end.\n");
}

static void biolatency_free(struct ftk_run *r)
{
	struct biolatency *v = r->state;

	bio_source_free(v->source);
	ftk_histograms_free(&v->hists);
	bio_hist_backend_free(&v->kernel);
	bio_disks_free(&v->disks);
	ftk_buf_free(&v->out);
}

static const struct ftk_view_ops ops = {
	.init = biolatency_init,
	.option = biolatency_option,
	.args = biolatency_args,
	.check = biolatency_check,
	.prepare = biolatency_prepare,
	.declare = biolatency_declare,
	.bind = biolatency_bind,
	.header = biolatency_header,
	.free = biolatency_free,
};

const struct ftk_view ftk_view_biolatency = {
	.name = "biolatency",
	.summary = "block I/O latency as log2 histograms (per disk, per type)",
	.description =
		"Summarize block I/O latency (issue -> completion) as log2 histograms,\n"
		"aggregated in the kernel with hist triggers where it has them (backend hist),\n"
		"else in user space from block tracepoints ('ftk features' says which).\n"
		"interval [count]: print every interval seconds, count times (default: once,\n"
		"at Ctrl-C).",
	.positional = "[interval [count]]",
	.examples =
		"  ftk biolatency               # one histogram at Ctrl-C\n"
		"  ftk biolatency -D 1 10       # per disk, every second, 10 times\n"
		"  ftk biolatency -mQ --json 5  # ms incl. queue time, NDJSON every 5 s\n",
	.common = FTK_OPT_TRACING | FTK_OPT_BACKEND,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct biolatency),
	.backends = biolatency_backends,
	.nbackends = FTK_ARRAY_SIZE(biolatency_backends),
	.default_buffer_kb = 4096,
};
