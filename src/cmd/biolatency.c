// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk biolatency: log2 histograms of block I/O latency (issue -> completion, or submission
 * -> completion with -Q), in bcc's layout, optionally one per disk (-D) or per request type
 * (-F), printed every interval or at the end. Two ways to get them:
 *  - hist (where the kernel has hist triggers and synthetic events): the kernel pairs and
 *    counts. A hist trigger on the start event (block_rq_issue; with -Q block_io_start, or
 *    block_bio_queue before 6.5) saves ts0 per (dev, sector); one on block_rq_complete
 *    computes the latency and fires the synthetic event ftk_<pid>_bio_lat(lat, dev, rwbs);
 *    a hist trigger on that one counts by lat.log2 (usecs) or lat.buckets=1000 (-m) and
 *    dev/rwbs. Each tick reads its hist file and prints the difference with the last read
 *    (no clear: nothing counted between a read and a clear is lost).
 *  - tracepoint backends: the pairing engine in biosnoop.c (bio.h), aggregated here.
 * Both print through the same code (bcc layout, JSON).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/bio.h"
#include "core/features.h"
#include "core/hist.h"
#include "core/output.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

int bio_hist_slot(uint64_t v)
{
	int slot = 1;

	/* Slot i holds [2^(i-1), 2^i - 1]; 0 shares the first row ("0 -> 1") with 1. */
	while (slot < BIO_HIST_SLOTS - 1 && v >= (1ULL << slot))
		slot++;
	return slot;
}

void bio_hist_add(struct bio_hist *h, uint64_t v)
{
	h->slots[bio_hist_slot(v)]++;
	h->count++;
	h->sum += v;
}

/* ---- the kernel's hist file ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One "name: value" key of an entry, value up to end (trimmed). */
static void hist_key(struct bio_hist_ent *e, const char *k, const char *end)
{
	const char *colon = memchr(k, ':', end - k);
	if (!colon)
		return;
	size_t nlen = colon - k;
	const char *v = skip_ws(colon + 1);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (nlen == 3 && strncmp(k, "lat", 3) == 0) {
		if (*v == '~') {
			v = skip_ws(v + 1);
			if (strncmp(v, "2^", 2) == 0) {
				e->kind = BIO_HK_LOG2;
				e->lat = strtoull(v + 2, NULL, 10);
			} else {
				e->kind = BIO_HK_BUCKET;
				e->lat = strtoull(v, NULL, 10);
			}
		} else {
			e->kind = BIO_HK_VALUE;
			e->lat = strtoull(v, NULL, 10);
		}
	} else if (nlen == 3 && strncmp(k, "dev", 3) == 0) {
		e->has_dev = true;
		e->dev = (uint32_t)strtoul(v, NULL, 10);
	} else if (nlen == 4 && strncmp(k, "rwbs", 4) == 0) {
		size_t n = end - v;
		if (n >= sizeof(e->rwbs))
			n = sizeof(e->rwbs) - 1;
		e->has_rwbs = true;
		memcpy(e->rwbs, v, n);
		e->rwbs[n] = 0;
	}
}

static uint64_t totals_num(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	return p ? strtoull(skip_ws(p + strlen(name)), NULL, 10) : 0;
}

int bio_hist_parse(const char *text, void (*fn)(const struct bio_hist_ent *e, void *ctx),
		   void *ctx, struct bio_hist_totals *tot)
{
	const char *totals = strstr(text, "\nTotals:");
	const char *p = text;

	memset(tot, 0, sizeof(*tot));
	if (!totals)
		return -1;
	while (p < totals) {
		const char *nl = strchr(p, '\n');
		const char *eol = nl ? nl : p + strlen(p);
		if (p[0] == '{') {
			struct bio_hist_ent e = { 0 };
			const char *close = p;
			/* the last '}' of the line closes the keys (rwbs strings hold none) */
			for (const char *q = p; q < eol; q++)
				if (*q == '}')
					close = q;
			const char *k = skip_ws(p + 1);
			while (k < close) {
				const char *c = k;
				while (c < close && !(c[0] == ',' && c[1] == ' '))
					c++;
				hist_key(&e, k, c);
				k = c < close ? skip_ws(c + 1) : close;
			}
			/* values: "hitcount:          3  lat:       6473" */
			const char *h = strstr(close, "hitcount:");
			if (h && h < eol)
				e.hitcount = strtoull(skip_ws(h + 9), NULL, 10);
			const char *s = strstr(close, "lat:");
			if (s && s < eol)
				e.sum = strtoull(skip_ws(s + 4), NULL, 10);
			if (fn)
				fn(&e, ctx);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	tot->hits = totals_num(totals, "Hits:");
	tot->entries = totals_num(totals, "Entries:");
	tot->dropped = totals_num(totals, "Dropped:");
	return 0;
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

/* The hist backend's kernel objects and what was read from them last. */
#define BLAT_MAP_SIZE 32768	/* entries of the (dev, sector) maps of start/end */
#define BLAT_HIST_TICK_NS 100000000ull	/* hist backend: read every 100 ms (at most) */
#define BLAT_MAP_CHECK 100	/* ticks between map checks at the latest (10 s) */
#define BLAT_QUIET_TICKS 2	/* a quiet moment: 2 ticks in a row without a counted I/O */

struct blat_hist {
	struct ftk_trigger *start, *end, *count;
	struct bio_hists prev;	/* cumulative counts at the last read */
	uint64_t prev_hits, prev_dropped;	/* of the counting hist */
	unsigned map_size;	/* of start/end (FTK_HIST_MAP_SIZE, else BLAT_MAP_SIZE) */
	uint64_t checked_hits;	/* prev_hits at the last map check */
	unsigned ticks;		/* since the last map check */
	unsigned long per_print, tick_n;	/* ticks per interval, ticks since the last print */
	bool pending;		/* a map is past 3/8: recycle at the next quiet moment */
	uint64_t pending_entries, pending_hits;	/* the larger map's entries then, prev_hits */
	uint64_t tick_hits;	/* prev_hits at the previous tick */
	unsigned quiet;		/* ticks in a row without a counted I/O */
	unsigned long busy_recycles;	/* done past 3/4 while I/O went on */
	uint64_t old_dropped;	/* by the maps recycled so far */
	unsigned long recycles;
	bool stuck;		/* a recycle failed: no more */
};

struct blat {
	bool ms, per_disk, per_flags, queue, json, stamp;
	bool hist;		/* the hist backend (in-kernel aggregation) */
	struct blat_hist k;
	unsigned long count;	/* intervals to print, 0 = no limit */
	double interval;	/* seconds, 0 = print at the end only */
	unsigned long printed;
	struct bio_disks disks;
	struct bio_hists hists;
	struct ftk_session *s;
	struct bio_src *src;
	struct ftk_buf out;
};

static bool blat_usable_hist(char *why, size_t len)
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
		.usable = blat_usable_hist,
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

/* ---- the hist backend ---- */

struct blat_read {
	struct blat *v;
	struct bio_hists *now;
};

static void blat_hist_ent(const struct bio_hist_ent *e, void *ctx)
{
	struct blat_read *r = ctx;
	struct blat *v = r->v;
	char rwbs[16];
	struct bio_hist *h;
	uint64_t val, sum;
	int slot;

	snprintf(rwbs, sizeof(rwbs), "%s", e->rwbs[0] ? e->rwbs : "?");
	h = bio_hists_get(r->now, v->per_disk ? bio_disk_name(&v->disks, e->dev) : "",
			  v->per_flags ? rwbs : "");
	switch (e->kind) {
	case BIO_HK_LOG2:
		/* lat is usecs + 1 (ts0 = start - 1): ~2^K holds usecs [2^(K-1), 2^K - 1],
		 * bcc's slot K. */
		slot = e->lat >= 1 ? (int)e->lat : 1;
		if (slot > BIO_HIST_SLOTS - 1)
			slot = BIO_HIST_SLOTS - 1;
		sum = e->sum >= e->hitcount ? e->sum - e->hitcount : 0;
		break;
	case BIO_HK_BUCKET:
		/* lat.buckets=1000 of usecs: the low end is exact milliseconds */
		val = e->lat / 1000;
		slot = bio_hist_slot(val);
		sum = val * e->hitcount;
		break;
	default:
		val = v->ms ? e->lat / 1000 : e->lat;
		slot = bio_hist_slot(val);
		sum = val * e->hitcount;
		break;
	}
	h->slots[slot] += e->hitcount;
	h->count += e->hitcount;
	h->sum += sum;
}

/* Read the counting hist and add what is new since the last read to v->hists. */
static void blat_hist_read(struct blat *v)
{
	struct bio_hists now = { 0 };
	struct blat_read r = { v, &now };
	struct bio_hist_totals tot;
	char *text = ftk_trigger_hist(v->k.count);

	if (!text || bio_hist_parse(text, blat_hist_ent, &r, &tot) < 0) {
		free(text);
		bio_hists_free(&now);
		return;
	}
	free(text);
	for (int i = 0; i < now.n; i++) {
		const struct bio_hist *c = &now.v[i];
		struct bio_hist *p = bio_hists_get(&v->k.prev, c->disk, c->flags);
		struct bio_hist d = { 0 };

		for (int k = 0; k < BIO_HIST_SLOTS; k++)
			d.slots[k] = c->slots[k] - p->slots[k];
		d.count = c->count - p->count;
		d.sum = c->sum - p->sum;
		*p = *c;
		if (!d.count)
			continue;
		struct bio_hist *o = bio_hists_get(&v->hists, c->disk, c->flags);
		for (int k = 0; k < BIO_HIST_SLOTS; k++)
			o->slots[k] += d.slots[k];
		o->count += d.count;
		o->sum += d.sum;
	}
	bio_hists_free(&now);
	ftk_session_count(v->s, tot.hits - v->k.prev_hits, tot.dropped - v->k.prev_dropped);
	v->k.prev_hits = tot.hits;
	v->k.prev_dropped = tot.dropped;
}

/* Entries and drops of the start/end maps (the larger of each); false if unreadable. Each
 * read prints and sorts the whole map in the kernel: done only when needed. */
static bool blat_hist_map_totals(struct blat *v, uint64_t *entries, uint64_t *dropped)
{
	struct ftk_trigger *t[2] = { v->k.start, v->k.end };

	*entries = *dropped = 0;
	for (int i = 0; i < 2; i++) {
		struct bio_hist_totals tot;
		char *text = ftk_trigger_hist(t[i]);
		int rc = text ? bio_hist_parse(text, NULL, NULL, &tot) : -1;

		free(text);
		if (rc)
			return false;
		*entries = *entries > tot.entries ? *entries : tot.entries;
		*dropped = *dropped > tot.dropped ? *dropped : tot.dropped;
	}
	return true;
}

/*
 * The (dev, sector) maps of start and end only grow: the kernel never deletes an entry, and
 * a ":clear" is refused for triggers that define variables ("Variable already defined").
 * So they are recycled: remove end then start (end uses start's ts0), set start then end
 * again with the same text: empty maps. The counting trigger on the synthetic event (no
 * variables) stays, with its sums. I/Os that start or complete during the swap are not
 * counted, and nothing tells how many; so the swap waits for a quiet moment (no I/O counted
 * for BLAT_QUIET_TICKS ticks in a row) once a map is past 3/8 full, and is done at once
 * only past 3/4 (an estimate: the entries seen then plus every I/O counted since).
 * The maps are looked at when the I/Os counted since the last look could have filled a
 * quarter of one (each counted I/O made at most one entry in each), else every
 * BLAT_MAP_CHECK ticks (-Q with block_bio_queue: merged bios make start entries that are
 * never counted); each look prints and sorts the whole map in the kernel.
 */
static void blat_hist_recycle(struct blat *v)
{
	struct blat_hist *k = &v->k;
	uint64_t entries, dropped;

	k->quiet = k->prev_hits == k->tick_hits ? k->quiet + 1 : 0;
	k->tick_hits = k->prev_hits;
	if (k->stuck)
		return;
	if (!k->pending) {
		if (k->prev_hits - k->checked_hits < k->map_size / 4 && ++k->ticks < BLAT_MAP_CHECK)
			return;
		k->checked_hits = k->prev_hits;
		k->ticks = 0;
		if (!blat_hist_map_totals(v, &entries, &dropped) ||
		    entries <= (uint64_t)k->map_size * 3 / 8)
			return;
		k->pending = true;
		k->pending_entries = entries;
		k->pending_hits = k->prev_hits;
	}
	if (k->quiet < BLAT_QUIET_TICKS &&
	    k->pending_entries + (k->prev_hits - k->pending_hits) <= (uint64_t)k->map_size * 3 / 4)
		return;
	if (!blat_hist_map_totals(v, &entries, &dropped))
		return;
	k->pending = false;
	k->checked_hits = k->prev_hits;
	k->old_dropped += dropped;
	if (k->quiet < BLAT_QUIET_TICKS)
		k->busy_recycles++;
	if (ftk_trigger_remove(k->end) || ftk_trigger_remove(k->start) ||
	    ftk_trigger_recreate(k->start) || ftk_trigger_recreate(k->end)) {
		k->stuck = true;
		ftk_error("cannot recycle the kernel's table of requests in flight; stopping");
		ftk_session_stop(v->s);
		return;
	}
	k->recycles++;
}

/* At the end: the maps' drops (I/Os at new sectors while a map was full) are lost I/Os. */
static void blat_hist_maps(struct blat *v)
{
	uint64_t entries, dropped = 0;

	if (!v->k.stuck)
		blat_hist_map_totals(v, &entries, &dropped);
	dropped += v->k.old_dropped;
	if (v->k.busy_recycles)
		ftk_info("recycled the kernel's tables of requests in flight %lu time%s, %lu of "
			 "them while I/O went on: requests issued or completed during those "
			 "swaps were not counted", v->k.recycles, v->k.recycles == 1 ? "" : "s",
			 v->k.busy_recycles);
	else if (v->k.recycles)
		ftk_info("recycled the kernel's tables of requests in flight %lu time%s, each "
			 "at a quiet moment", v->k.recycles, v->k.recycles == 1 ? "" : "s");
	if (!dropped)
		return;
	ftk_session_count(v->s, 0, dropped);
	ftk_warn("the kernel's table of requests in flight was full (%u disk sectors): %llu "
		 "I/Os at new sectors were not counted", v->k.map_size,
		 (unsigned long long)dropped);
	ftk_hint("for exact counts on busy disks use --backend tracepoint (or -legacy)");
}

static void blat_on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	struct blat *v = ctx;

	if (v->hist) {
		/* Read (and maybe recycle the maps) every tick, so that half a map of new
		 * sectors must come within 100 ms to fill one; print every per_print ticks. */
		blat_hist_read(v);
		blat_hist_recycle(v);
		if (!v->k.per_print || ++v->k.tick_n < v->k.per_print)
			return;	/* no interval: one print at the end */
		v->k.tick_n = 0;
	}
	blat_print(v, now);
	if (v->count && v->printed >= v->count)
		ftk_session_stop(s);
}

static void blat_on_end(struct ftk_session *s, void *ctx)
{
	struct blat *v = ctx;

	if (v->hist) {
		blat_hist_read(v);
		blat_hist_maps(v);
	}
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

/* Size of block_rq_complete's rwbs array (char rwbs[8] on 6.1/6.12, [10] on 6.18): the
 * synthetic field must have the same size. */
static int blat_rwbs_size(void)
{
	int n = ftk_tracepoint_field_size("block", "block_rq_complete", "rwbs");
	return n > 0 && n < 64 ? n : 8;
}

/*
 * Does the run use the hist backend? Yes when --backend hist, or none was named and hist is
 * the first usable one. Else bio_setup picks among the tracepoint backends (hist, first in
 * the list, being unusable there too).
 */
static bool blat_wants_hist(const struct bio_common_opts *c)
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
static int blat_hist_setup(struct blat *v, const struct bio_common_opts *c, int *rc)
{
	struct ftk_session_opts so = {
		.view = "biolatency", .buffer_kb = c->buffer_kb, .default_buffer_kb = 64,
		.dry_run = c->dry_run,
	};
	const char *start;
	struct ftk_synth *sy;
	struct ftk_buf f = { 0 }, b = { 0 };
	uint32_t dev = 0;
	char why[512], fields[96];
	int idx, arm;

	*rc = FTK_EXIT_FAIL;
	v->k.map_size = BLAT_MAP_SIZE;
	if (getenv("FTK_HIST_MAP_SIZE")) {
		/* a debugging knob (tests): the kernel takes 2^7 .. 2^17 */
		unsigned long n;
		if (ftk_parse_ulong(getenv("FTK_HIST_MAP_SIZE"), 128, 131072, &n) < 0 ||
		    (n & (n - 1))) {
			ftk_error("FTK_HIST_MAP_SIZE: expected a power of two from 128 to 131072");
			*rc = FTK_EXIT_USAGE;
			return -1;
		}
		v->k.map_size = (unsigned)n;
	}
	bio_disks_load(&v->disks, NULL);
	if (c->disk && bio_resolve_disk(&v->disks, c->disk, &dev))
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
	if (dev)
		ftk_buf_printf(&f, " if dev == %u", dev);
	/* -Q: from the submission (block_io_start >= 6.5, else the bio entering the queue) */
	start = !v->queue ? "block_rq_issue" :
		ftk_tracepoint_exists("block", "block_io_start") ? "block_io_start" :
								    "block_bio_queue";
	snprintf(fields, sizeof(fields), "u64 lat; u32 dev; char rwbs[%d]", blat_rwbs_size());
	sy = ftk_synth(v->s, "bio_lat", fields);
	/*
	 * Timestamps in usecs as common_timestamp/1000 (the kernel refuses a constant next to
	 * common_timestamp.usecs). In usecs mode ts0 is one less, so lat = usecs + 1 and
	 * lat.log2 (the kernel's ceil(log2)) gives bcc's slots: ~2^K = [2^(K-1), 2^K - 1].
	 * With -m, lat is usecs and buckets of 1000 give exact milliseconds.
	 */
	/* Counting first, pairing last: once the end trigger is set (what a caller can see as
	 * "armed"), every synthetic event it fires is counted. */
	ftk_buf_printf(&b, "hist:keys=%s%s%s:vals=hitcount,lat:size=4096",
		       v->ms ? "lat.buckets=1000" : "lat.log2", v->per_disk ? ",dev" : "",
		       v->per_flags ? ",rwbs" : "");
	v->k.count = ftk_trigger(v->s, "synthetic", ftk_synth_name(sy), b.p);
	ftk_buf_reset(&b);
	ftk_buf_printf(&b, "hist:keys=dev,sector:ts0=common_timestamp/1000%s:size=%d%s",
		       v->ms ? "" : "-1", v->k.map_size, ftk_buf_str(&f));
	v->k.start = ftk_trigger(v->s, "block", start, b.p);
	ftk_buf_reset(&b);
	ftk_buf_printf(&b, "hist:keys=dev,sector:lat=common_timestamp/1000-$ts0:size=%d:"
		       "onmatch(block.%s).trace(%s,$lat,dev,rwbs)%s", v->k.map_size, start,
		       ftk_synth_name(sy), ftk_buf_str(&f));
	v->k.end = ftk_trigger(v->s, "block", "block_rq_complete", b.p);
	ftk_buf_free(&b);
	ftk_buf_free(&f);
	v->hist = true;
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
	struct blat v = { 0 };
	struct bio_common_opts c = { 0 };
	uint32_t dev;
	int rc;

	rc = blat_parse(&v, &c, argc, argv);
	if (rc)
		return rc < 0 ? FTK_EXIT_OK : rc;
	if (blat_wants_hist(&c) ? blat_hist_setup(&v, &c, &rc)
				: bio_setup(&ftk_view_biolatency, &c, 0, &v.disks, &dev, blat_mk, &v,
					    &v.src, &v.s, &rc))
		goto out;
	if (v.hist) {
		uint64_t iv = (uint64_t)(v.interval * 1e9), tick = BLAT_HIST_TICK_NS;
		if (iv && iv < tick)
			tick = iv;
		v.k.per_print = iv ? (iv + tick / 2) / tick : 0;
		ftk_session_on_tick(v.s, tick, blat_on_tick, &v);
	} else if (v.interval) {
		ftk_session_on_tick(v.s, (uint64_t)(v.interval * 1e9), blat_on_tick, &v);
	}
	ftk_session_on_end(v.s, blat_on_end, &v);
	if (!v.json) {
		ftk_outf("Tracing block device I/O... Hit Ctrl-C to end.\n");
		ftk_out_flush();
	}
	ftk_session_run(v.s);
	rc = ftk_session_close(v.s);
	if (!rc && v.k.stuck)
		rc = FTK_EXIT_FAIL;	/* a recycle failed: the run was cut short */
	ftk_out_flush();
out:
	bio_src_free(v.src);
	bio_hists_free(&v.hists);
	bio_hists_free(&v.k.prev);
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
