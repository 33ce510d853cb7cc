// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk biolatency: log2 histograms of block I/O latency (issue -> completion, or submission
 * -> completion with -Q), in bcc's layout, optionally one per disk (-D) or per request type
 * (-F), printed every interval or at the end. The kernel counts where it has hist triggers
 * (backend hist, bio/hist_backend.h); else the block tracepoints are paired in user space
 * (bio/sources.h) and counted here. Both print through core/histogram.h.
 */
#include <errno.h>
#include <getopt.h>
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
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

struct biolatency {
	bool milliseconds, per_disk, per_flags, queued, json, timestamp;
	bool hist;		/* the hist backend (in-kernel aggregation) */
	struct bio_hist_backend kernel;
	unsigned long per_print, ticks;	/* hist: ticks per interval, ticks since the last print */
	unsigned long count;	/* intervals to print, 0 = no limit */
	double interval;	/* seconds, 0 = print at the end only */
	unsigned long printed;
	struct bio_disks disks;
	struct ftk_histograms hists;
	struct ftk_session *s;
	struct bio_source *source;
	struct ftk_buf out;
};

static bool biolatency_usable_hist(char *why, size_t len)
{
	if (!ftk_tracepoint_exists("block", "block_rq_issue") ||
	    !ftk_tracepoint_exists("block", "block_rq_complete")) {
		snprintf(why, len, "no block:block_rq_issue/block_rq_complete tracepoints");
		return false;
	}
	return true;
}

static const struct ftk_backend biolatency_backends[] = {
	{
		.name = "hist",
		.desc = "in-kernel aggregation: hist triggers on block_rq_issue/complete + a "
			"synthetic event",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_HIST, FTK_F_SYNTH },
		.usable = biolatency_usable_hist,
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

static void biolatency_usage(FILE *f)
{
	fprintf(f,
		"usage: ftk biolatency [-m] [-Q] [-D] [-F] [-T] [-d DISK] [--json]\n"
		"                      [--backend NAME] [--buffer-kb KB] [--dry-run]\n"
		"                      [interval [count]]\n"
		"\n"
		"Summarize block I/O latency (issue -> completion) as log2 histograms,\n"
		"aggregated in the kernel with hist triggers where it has them (backend hist),\n"
		"else in user space from block tracepoints ('ftk features' says which).\n"
		"\n"
		"  -m, --milliseconds   histogram in milliseconds (default microseconds)\n"
		"  -Q, --queued         include OS queued time (submission -> completion)\n"
		"  -D, --disks          one histogram per disk\n"
		"  -F, --flags          one histogram per request type (rwbs: R, WS, FF ...)\n"
		"  -T, --timestamp      print HH:MM:SS before each interval\n"
		"  -d, --disk DISK      trace this disk only\n"
		"  -j, --json           NDJSON: one object per interval with every histogram\n"
		"      --backend NAME   hist | tracepoint (>= 6.5) | tracepoint-legacy | kprobe\n"
		"      --buffer-kb KB   per-CPU ring buffer size (default 4096)\n"
		"      --dry-run        print the tracefs writes, make none\n"
		"  interval [count]     print every interval seconds, count times (default: once,\n"
		"                       at Ctrl-C)\n"
		"\n"
		"examples:\n"
		"  ftk biolatency               # one histogram at Ctrl-C\n"
		"  ftk biolatency -D 1 10       # per disk, every second, 10 times\n"
		"  ftk biolatency -mQ --json 5  # ms incl. queue time, NDJSON every 5 s\n");
}

static int biolatency_parse(struct biolatency *v, struct bio_common_opts *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "milliseconds", no_argument, NULL, 'm' }, { "queued", no_argument, NULL, 'Q' },
		{ "disks", no_argument, NULL, 'D' },	 { "flags", no_argument, NULL, 'F' },
		{ "timestamp", no_argument, NULL, 'T' }, { "disk", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },	 { "help", no_argument, NULL, 'h' },
		{ "backend", required_argument, NULL, 256 },
		{ "buffer-kb", required_argument, NULL, 257 },
		{ "dry-run", no_argument, NULL, 258 },	 { NULL, 0, NULL, 0 },
	};
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "mQDFTd:jh", lo, NULL)) != -1) {
		switch (o) {
		case 'm': v->milliseconds = true; break;
		case 'Q': v->queued = true; break;
		case 'D': v->per_disk = true; break;
		case 'F': v->per_flags = true; break;
		case 'T': v->timestamp = true; break;
		case 'j': v->json = true; break;
		case 'd': c->disk = optarg; break;
		case 256: c->backend = optarg; break;
		case 257:
			if (ftk_parse_ulong(optarg, 4, 1UL << 22, &c->buffer_kb))
				return ftk_usage_error("--buffer-kb wants 4..4194304, not '%s'",
						       optarg);
			break;
		case 258: c->dry_run = true; break;
		case 'h':
			biolatency_usage(stdout);
			return -1;
		default:
			if (optopt == 'd')
				return ftk_usage_error("option -d needs a value");
			return ftk_bad_option(argv);
		}
	}
	if (optind < argc && ftk_parse_seconds(argv[optind++], &v->interval))
		return ftk_usage_error("interval must be seconds > 0, not '%s'", argv[optind - 1]);
	if (optind < argc && ftk_parse_ulong(argv[optind++], 1, ULONG_MAX, &v->count))
		return ftk_usage_error("count must be a number >= 1, not '%s'", argv[optind - 1]);
	if (optind < argc)
		return ftk_usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
}

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
		struct ftk_buf t = { 0 };
		struct ftk_json j;
		uint64_t t0 = ftk_session_start_ts(v->s);

		ftk_fmt_rfc3339(&t, ftk_session_mono_to_real(v->s, now_mono));
		ftk_json_begin(&j, b);
		ftk_json_cstr(&j, "time", ftk_buf_str(&t));
		ftk_json_double(&j, "elapsed", now_mono > t0 ? (double)(now_mono - t0) / 1e9 : 0,
				6);
		ftk_json_cstr(&j, "unit", unit);
		ftk_histograms_json(&j, "hists", &v->hists);
		ftk_json_end(&j);
		ftk_buf_free(&t);
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

	if (v->hist) {
		bio_hist_backend_read(&v->kernel, &v->hists);
		bio_hist_backend_end(&v->kernel);
	}
	/* Without an interval the one histogram comes now; with one, a partial last interval
	 * is printed only when the run was cut short (Ctrl-C) before count was reached. */
	if (!v->interval || (v->hists.n && (!v->count || v->printed < v->count)))
		biolatency_print(v, ftk_now_mono());
}

static struct bio_source *biolatency_make_source(uint32_t filter_dev, void *ctx)
{
	struct biolatency *v = ctx;

	v->source = bio_source_new(filter_dev, 1 << 15, biolatency_on_io, v);
	return v->source;
}

extern const struct ftk_view ftk_view_biolatency;

/*
 * Does the run use the hist backend? Yes when --backend hist, or none was named and hist is
 * the first usable one. Else bio_setup picks among the tracepoint backends (hist, first in
 * the list, being unusable there too).
 */
static bool biolatency_wants_hist(const struct bio_common_opts *c)
{
	char why[512];

	if (c->backend)
		return strcmp(c->backend, "hist") == 0;
	if (!ftk_has(FTK_F_TRACEFS))
		return false;
	return ftk_backend_pick(&ftk_view_biolatency, NULL, why, sizeof(why)) == 0;
}

/* The hist backend's set-up (bio_setup's counterpart): 0 armed, 1 dry run done, -1 error;
 * the exit code in *rc. */
static int biolatency_hist_setup(struct biolatency *v, const struct bio_common_opts *c, int *rc)
{
	struct ftk_session_opts so = {
		.view = "biolatency", .buffer_kb = c->buffer_kb, .default_buffer_kb = 64,
		.dry_run = c->dry_run,
	};
	char why[512];
	int idx, arm;

	*rc = FTK_EXIT_FAIL;
	if (bio_hist_backend_init(&v->kernel)) {
		*rc = FTK_EXIT_USAGE;
		return -1;
	}
	bio_disks_load(&v->disks, NULL);
	if (c->disk && bio_resolve_disk(&v->disks, c->disk, &v->kernel.filter_dev))
		return -1;
	if (!ftk_has(FTK_F_TRACEFS)) {
		*rc = ftk_tracefs_error();
		return -1;
	}
	idx = ftk_backend_pick(&ftk_view_biolatency, c->backend, why, sizeof(why));
	if (idx < 0) {
		ftk_error("no usable backend: %s", why);
		ftk_hint("'ftk features' shows what this kernel offers");
		return -1;
	}
	v->s = ftk_session_new(&so);
	if (!v->s)
		return -1;
	v->kernel.milliseconds = v->milliseconds;
	v->kernel.per_disk = v->per_disk;
	v->kernel.per_flags = v->per_flags;
	v->kernel.queued = v->queued;
	v->kernel.disks = &v->disks;
	v->hist = true;
	if (bio_hist_backend_declare(&v->kernel, v->s)) {
		ftk_session_close(v->s);
		v->s = NULL;
		return -1;
	}
	arm = ftk_session_arm(v->s);
	if (arm == FTK_ARM_DRY) {
		v->s = NULL;	/* as bio_setup: the dry run is over */
		*rc = FTK_EXIT_OK;
		return 1;
	}
	if (arm < 0) {
		*rc = -arm;
		ftk_session_close(v->s);
		v->s = NULL;
		return -1;
	}
	return 0;
}

static int biolatency_main(int argc, char **argv)
{
	struct biolatency v = { .hists.label_names = { "disk", "flags" } };
	struct bio_common_opts c = { 0 };
	uint32_t dev;
	int rc;

	rc = biolatency_parse(&v, &c, argc, argv);
	if (rc)
		return rc < 0 ? FTK_EXIT_OK : rc;
	if (biolatency_wants_hist(&c) ? biolatency_hist_setup(&v, &c, &rc)
				      : bio_setup(&ftk_view_biolatency, &c, 0, &v.disks, &dev,
						  biolatency_make_source, &v, &v.source, &v.s, &rc))
		goto out;
	if (v.hist) {
		uint64_t iv = (uint64_t)(v.interval * 1e9), tick = BIO_HIST_TICK_NS;

		if (iv && iv < tick)
			tick = iv;
		v.per_print = iv ? (iv + tick / 2) / tick : 0;
		ftk_session_on_tick(v.s, tick, biolatency_on_tick, &v);
	} else if (v.interval) {
		ftk_session_on_tick(v.s, (uint64_t)(v.interval * 1e9), biolatency_on_tick, &v);
	}
	ftk_session_on_end(v.s, biolatency_on_end, &v);
	if (!v.json) {
		ftk_outf("Tracing block device I/O... Hit Ctrl-C to end.\n");
		ftk_out_flush();
	}
	ftk_session_run(v.s);
	rc = ftk_session_close(v.s);
	if (!rc && v.kernel.stuck)
		rc = FTK_EXIT_FAIL;	/* a recycle failed: the run was cut short */
	ftk_out_flush();
out:
	bio_source_free(v.source);
	ftk_histograms_free(&v.hists);
	bio_hist_backend_free(&v.kernel);
	bio_disks_free(&v.disks);
	ftk_buf_free(&v.out);
	return rc;
}

const struct ftk_view ftk_view_biolatency = {
	.name = "biolatency",
	.summary = "block I/O latency as log2 histograms (per disk, per type)",
	.main = biolatency_main,
	.backends = biolatency_backends,
	.nbackends = FTK_ARRAY_SIZE(biolatency_backends),
};
