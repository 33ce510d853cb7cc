// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk biolatency: log2 histograms of block I/O latency (issue -> completion, or submission
 * -> completion with -Q), in bcc's layout, optionally one per disk (-D) or per request type
 * (-F), printed every interval or at the end. The I/Os come from the pairing engine in
 * biosnoop.c (bio.h) and are aggregated in user space; the in-kernel path (hist triggers)
 * is listed as a backend for kernels that have them but is not implemented yet.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/bio.h"
#include "core/features.h"
#include "core/output.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

void bio_hist_add(struct bio_hist *h, uint64_t v)
{
	int slot = 1;

	/* Slot i holds [2^(i-1), 2^i - 1]; 0 shares the first row ("0 -> 1") with 1. */
	while (slot < BIO_HIST_SLOTS - 1 && v >= (1ULL << slot))
		slot++;
	h->slots[slot]++;
	h->count++;
	h->sum += v;
}

int bio_hist_last(const struct bio_hist *h)
{
	int last = 0;

	for (int i = 1; i < BIO_HIST_SLOTS; i++)
		if (h->slots[i])
			last = i;
	return last;
}

void bio_hist_slot_range(int i, uint64_t *low, uint64_t *high)
{
	*low = (1ULL << i) >> 1;
	*high = (1ULL << i) - 1;
	if (*low == *high)
		*low = 0;
}

static void bio_stars(struct ftk_buf *b, uint64_t val, uint64_t max, int width)
{
	int n = max ? (int)((double)width * (double)val / (double)max) : 0;

	if (n > width)
		n = width;
	for (int i = 0; i < width; i++)
		ftk_buf_addc(b, i < n ? '*' : ' ');
}

void bio_hist_print(struct ftk_buf *b, const struct bio_hist *h, const char *unit)
{
	int last = bio_hist_last(h);
	bool wide = last > 32;
	int width = wide ? 20 : 40;
	uint64_t max = 0;

	if (!last)
		return;
	for (int i = 1; i <= last; i++)
		if (h->slots[i] > max)
			max = h->slots[i];
	if (wide)
		ftk_buf_printf(b, "               %-29s : count     distribution\n", unit);
	else
		ftk_buf_printf(b, "     %-19s : count     distribution\n", unit);
	for (int i = 1; i <= last; i++) {
		uint64_t low, high;

		bio_hist_slot_range(i, &low, &high);
		ftk_buf_printf(b, wide ? "%20llu -> %-20llu : %-8llu |"
				       : "%10llu -> %-10llu : %-8llu |",
			       (unsigned long long)low, (unsigned long long)high,
			       (unsigned long long)h->slots[i]);
		bio_stars(b, h->slots[i], max, width);
		ftk_buf_adds(b, "|\n");
	}
}

void bio_hist_json(struct ftk_json *j, const struct bio_hist *h)
{
	int last = bio_hist_last(h);

	ftk_json_object_begin(j, NULL);
	if (h->disk[0])
		ftk_json_cstr(j, "disk", h->disk);
	if (h->flags[0])
		ftk_json_cstr(j, "flags", h->flags);
	ftk_json_uint(j, "count", h->count);
	ftk_json_uint(j, "sum", h->sum);
	ftk_json_array_begin(j, "buckets");
	for (int i = 1; i <= last; i++) {
		uint64_t low, high;

		bio_hist_slot_range(i, &low, &high);
		ftk_json_object_begin(j, NULL);
		ftk_json_uint(j, "low", low);
		ftk_json_uint(j, "high", high);
		ftk_json_uint(j, "count", h->slots[i]);
		ftk_json_object_end(j);
	}
	ftk_json_array_end(j);
	ftk_json_object_end(j);
}

struct bio_hist *bio_hists_get(struct bio_hists *hs, const char *disk, const char *flags)
{
	struct bio_hist *h;

	for (int i = 0; i < hs->n; i++) {
		h = &hs->v[i];
		if (strcmp(h->disk, disk) == 0 && strcmp(h->flags, flags) == 0)
			return h;
	}
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? hs->cap * 2 : 8;
		hs->v = ftk_xrealloc(hs->v, hs->cap * sizeof(*hs->v));
	}
	h = &hs->v[hs->n++];
	memset(h, 0, sizeof(*h));
	snprintf(h->disk, sizeof(h->disk), "%s", disk);
	snprintf(h->flags, sizeof(h->flags), "%s", flags);
	return h;
}

static int bio_hist_cmp(const void *a, const void *b)
{
	const struct bio_hist *x = a, *y = b;
	int c = strcmp(x->disk, y->disk);

	return c ? c : strcmp(x->flags, y->flags);
}

void bio_hists_sort(struct bio_hists *hs)
{
	qsort(hs->v, hs->n, sizeof(*hs->v), bio_hist_cmp);
}

void bio_hists_clear(struct bio_hists *hs)
{
	hs->n = 0;
}

void bio_hists_free(struct bio_hists *hs)
{
	free(hs->v);
	memset(hs, 0, sizeof(*hs));
}

/* ====================================================================================== */

struct blat {
	bool ms, per_disk, per_flags, queue, json, stamp;
	unsigned long count;	/* intervals to print, 0 = no limit */
	double interval;	/* seconds, 0 = print at the end only */
	unsigned long printed;
	struct bio_disks disks;
	struct bio_hists hists;
	struct ftk_session *s;
	struct bio_src *src;
	struct ftk_buf out;
};

static const struct ftk_backend biolatency_backends[] = {
	{
		.name = "hist",
		.desc = "in-kernel aggregation: hist triggers + synthetic events (later)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_HIST },
		.usable = bio_usable_later,
	},
	{
		.name = "tracepoint",
		.desc = "user-space aggregation of block_io_start/rq_issue/rq_complete (>= 6.5)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },
		.usable = bio_usable_io_start,
	},
	{
		.name = "tracepoint-legacy",
		.desc = "user-space aggregation of block_bio_queue/rq_insert/rq_issue/rq_complete",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },
		.usable = bio_usable_legacy,
	},
	BIO_BACKEND_KPROBE,
};

static void biolatency_usage(FILE *f)
{
	fprintf(f,
		"usage: ftk biolatency [-m] [-Q] [-D] [-F] [-T] [-d DISK] [--json]\n"
		"                      [--backend NAME] [--buffer-kb KB] [--dry-run]\n"
		"                      [interval [count]]\n"
		"\n"
		"Summarize block I/O latency (issue -> completion) as log2 histograms,\n"
		"aggregated in user space (hist triggers are not used yet).\n"
		"\n"
		"  -m, --milliseconds   histogram in milliseconds (default microseconds)\n"
		"  -Q, --queued         include OS queued time (submission -> completion)\n"
		"  -D, --disks          one histogram per disk\n"
		"  -F, --flags          one histogram per request type (rwbs: R, WS, FF ...)\n"
		"  -T, --timestamp      print HH:MM:SS before each interval\n"
		"  -d, --disk DISK      trace this disk only\n"
		"  -j, --json           NDJSON: one object per interval with every histogram\n"
		"      --backend NAME   tracepoint (>= 6.5) | tracepoint-legacy | kprobe | hist\n"
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

static int blat_parse(struct blat *v, struct bio_common_opts *c, int argc, char **argv)
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
		case 'm': v->ms = true; break;
		case 'Q': v->queue = true; break;
		case 'D': v->per_disk = true; break;
		case 'F': v->per_flags = true; break;
		case 'T': v->stamp = true; break;
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

static void blat_on_io(const struct bio_io *io, void *ctx)
{
	struct blat *v = ctx;
	uint64_t from = v->queue && io->start_ts && io->start_ts <= io->issue_ts ? io->start_ts
										: io->issue_ts;
	uint64_t ns = io->done_ts - from;
	struct bio_hist *h;

	h = bio_hists_get(&v->hists, v->per_disk ? bio_disk_name(&v->disks, io->dev) : "",
			  v->per_flags ? (io->rwbs[0] ? io->rwbs : "?") : "");
	bio_hist_add(h, v->ms ? ns / 1000000 : ns / 1000);
}

static void blat_print(struct blat *v, uint64_t now_mono)
{
	const char *unit = v->ms ? "msecs" : "usecs";
	struct ftk_buf *b = &v->out;
	char hms[16];

	bio_hists_sort(&v->hists);
	if (v->json) {
		struct ftk_buf t = { 0 };
		struct ftk_json j;
		uint64_t t0 = ftk_session_start_ts(v->s);

		ftk_fmt_rfc3339(&t, ftk_session_mono_to_real(v->s, now_mono));
		ftk_json_begin(&j, b);
		ftk_json_cstr(&j, "time", ftk_buf_str(&t));
		ftk_json_double(&j, "ts", now_mono > t0 ? (double)(now_mono - t0) / 1e9 : 0, 6);
		ftk_json_cstr(&j, "unit", unit);
		ftk_json_array_begin(&j, "hists");
		for (int i = 0; i < v->hists.n; i++)
			bio_hist_json(&j, &v->hists.v[i]);
		ftk_json_array_end(&j);
		ftk_json_end(&j);
		ftk_buf_free(&t);
	} else {
		ftk_buf_addc(b, '\n');
		if (v->stamp) {
			ftk_fmt_hms(hms, ftk_session_mono_to_real(v->s, now_mono));
			ftk_buf_printf(b, "%-8s\n", hms);
		}
		for (int i = 0; i < v->hists.n; i++) {
			const struct bio_hist *h = &v->hists.v[i];

			if (i)
				ftk_buf_addc(b, '\n');
			if (h->disk[0])
				ftk_buf_printf(b, "disk = %s\n", h->disk);
			if (h->flags[0])
				ftk_buf_printf(b, "flags = %s\n", h->flags);
			bio_hist_print(b, h, unit);
		}
	}
	ftk_out_buf(b);
	ftk_out_flush();
	bio_hists_clear(&v->hists);
	v->printed++;
}

static void blat_on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	struct blat *v = ctx;

	blat_print(v, now);
	if (v->count && v->printed >= v->count)
		ftk_session_stop(s);
}

static void blat_on_end(struct ftk_session *s, void *ctx)
{
	struct blat *v = ctx;

	/* Without an interval the one histogram comes now; with one, a partial last interval
	 * is printed only when the run was cut short (Ctrl-C) before count was reached. */
	if (!v->interval || (v->hists.n && (!v->count || v->printed < v->count)))
		blat_print(v, ftk_now_mono());
}

static struct bio_src *blat_mk(uint32_t filter_dev, void *ctx)
{
	struct blat *v = ctx;

	v->src = bio_src_new(filter_dev, 1 << 15, blat_on_io, v);
	return v->src;
}

extern const struct ftk_view ftk_view_biolatency;

static int biolatency_main(int argc, char **argv)
{
	struct blat v = { 0 };
	struct bio_common_opts c = { 0 };
	uint32_t dev;
	int rc;

	rc = blat_parse(&v, &c, argc, argv);
	if (rc)
		return rc < 0 ? FTK_EXIT_OK : rc;
	if (bio_setup(&ftk_view_biolatency, &c, 0, &v.disks, &dev, blat_mk, &v, &v.src, &v.s,
		      &rc))
		goto out;
	if (v.interval)
		ftk_session_on_tick(v.s, (uint64_t)(v.interval * 1e9), blat_on_tick, &v);
	ftk_session_on_end(v.s, blat_on_end, &v);
	if (!v.json) {
		ftk_outf("Tracing block device I/O... Hit Ctrl-C to end.\n");
		ftk_out_flush();
	}
	ftk_session_run(v.s);
	rc = ftk_session_close(v.s);
	ftk_out_flush();
out:
	bio_src_free(v.src);
	bio_hists_free(&v.hists);
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
