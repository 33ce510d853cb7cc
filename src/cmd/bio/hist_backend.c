// SPDX-License-Identifier: GPL-2.0-only
/* bio/hist_backend: biolatency's in-kernel aggregation (hist triggers + a synthetic event). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/bio/disks.h"
#include "cmd/bio/hist_backend.h"
#include "core/features.h"
#include "core/hist.h"
#include "core/session.h"
#include "core/util.h"

#define BIO_HIST_MAP_SIZE 32768	/* entries of the (dev, sector) maps of start/end */
#define BIO_HIST_MAP_CHECK 100	/* ticks between map checks at the latest (10 s) */
#define BIO_HIST_QUIET_TICKS 2	/* a quiet moment: 2 ticks in a row without a counted I/O */

bool bio_hist_usable(char *why, size_t len)
{
	if (!ftk_tracepoint_exists("block", "block_rq_issue") ||
	    !ftk_tracepoint_exists("block", "block_rq_complete")) {
		snprintf(why, len, "no block:block_rq_issue/block_rq_complete tracepoints");
		return false;
	}
	return ftk_hist_expr("block", "block_rq_issue", why, len);
}

int bio_hist_backend_init(struct bio_hist_backend *k)
{
	return ftk_hist_map_size(BIO_HIST_MAP_SIZE, &k->map_size);
}

/* Size of block_rq_complete's rwbs array (char rwbs[8] on 6.1/6.12, [10] on 6.18): the
 * synthetic field must have the same size. */
static int bio_hist_rwbs_size(void)
{
	int n = ftk_tracepoint_field_size("block", "block_rq_complete", "rwbs");

	return n > 0 && n < 64 ? n : 8;
}

int bio_hist_backend_declare(struct bio_hist_backend *k, struct ftk_session *s)
{
	struct ftk_buf filter = { 0 }, b = { 0 };
	const char *start;
	struct ftk_synth *synth;
	char fields[96];

	k->session = s;
	if (k->filter_dev)
		ftk_buf_printf(&filter, " if dev == %u", k->filter_dev);
	/* -Q: from the submission (block_io_start >= 6.5, else the bio entering the queue) */
	start = !k->queued ? "block_rq_issue" :
		ftk_tracepoint_exists("block", "block_io_start") ? "block_io_start" :
								    "block_bio_queue";
	snprintf(fields, sizeof(fields), "u64 lat; u32 dev; char rwbs[%d]", bio_hist_rwbs_size());
	synth = ftk_synth(s, "bio_lat", fields);
	if (!synth) {
		ftk_error("cannot declare the synthetic event bio_lat (%s)", fields);
		return -EINVAL;
	}
	/*
	 * Timestamps in usecs as common_timestamp/1000 (the kernel refuses a constant next to
	 * common_timestamp.usecs). In usecs mode ts0 is one less, so lat = usecs + 1 and
	 * lat.log2 (the kernel's ceil(log2)) gives bcc's slots: ~2^K = [2^(K-1), 2^K - 1].
	 * With -m, lat is usecs and buckets of 1000 give exact milliseconds.
	 * Counting first, pairing last: once the end trigger is set (what a caller can see as
	 * "armed"), every synthetic event it fires is counted.
	 */
	ftk_buf_printf(&b, "hist:keys=%s%s%s:vals=hitcount,lat:size=4096",
		       k->milliseconds ? "lat.buckets=1000" : "lat.log2",
		       k->per_disk ? ",dev" : "", k->per_flags ? ",rwbs" : "");
	k->count = ftk_trigger(s, "synthetic", ftk_synth_name(synth), b.p);
	ftk_buf_reset(&b);
	ftk_buf_printf(&b, "hist:keys=dev,sector:ts0=common_timestamp/1000%s:size=%d%s",
		       k->milliseconds ? "" : "-1", k->map_size, ftk_buf_str(&filter));
	k->start = ftk_trigger(s, "block", start, b.p);
	ftk_buf_reset(&b);
	ftk_buf_printf(&b, "hist:keys=dev,sector:lat=common_timestamp/1000-$ts0:size=%d:"
		       "onmatch(block.%s).trace(%s,$lat,dev,rwbs)%s", k->map_size, start,
		       ftk_synth_name(synth), ftk_buf_str(&filter));
	k->end = ftk_trigger(s, "block", "block_rq_complete", b.p);
	ftk_buf_free(&b);
	ftk_buf_free(&filter);
	if (!k->count || !k->start || !k->end) {
		ftk_error("cannot declare the hist triggers of block I/O latency");
		return -EINVAL;
	}
	return 0;
}

/* One entry of the counting hist into the histograms of this read. */
struct bio_hist_read {
	const struct bio_hist_backend *k;
	struct ftk_histograms *now;
};

static void bio_hist_entry(const struct ftk_hist_file_entry *e, void *ctx)
{
	struct bio_hist_read *r = ctx;
	const struct bio_hist_backend *k = r->k;
	const char *lat = ftk_hist_file_key(e, "lat");
	const char *dev = ftk_hist_file_key(e, "dev");
	const char *rwbs = ftk_hist_file_key(e, "rwbs");
	uint64_t hits = ftk_hist_file_value(e, "hitcount");
	uint64_t total = ftk_hist_file_value(e, "lat");
	struct ftk_histogram *h;
	uint64_t n, val, sum;
	int slot;

	h = ftk_histograms_get(r->now,
			       k->per_disk ? bio_disk_name(k->disks,
							   dev ? (uint32_t)strtoul(dev, NULL, 10) : 0)
					   : "",
			       k->per_flags ? (rwbs && rwbs[0] ? rwbs : "?") : "");
	switch (lat ? ftk_hist_file_number(lat, &n) : (n = 0, FTK_HIST_KEY_VALUE)) {
	case FTK_HIST_KEY_LOG2:
		/* lat is usecs + 1 (ts0 = start - 1): ~2^K holds usecs [2^(K-1), 2^K - 1],
		 * bcc's slot K. */
		slot = n >= 1 ? (int)n : 1;
		sum = total >= hits ? total - hits : 0;
		break;
	case FTK_HIST_KEY_BUCKET:
		/* lat.buckets=1000 of usecs: the low end is exact milliseconds */
		val = n / 1000;
		slot = ftk_histogram_slot(h, val);
		sum = val * hits;
		break;
	default:
		val = k->milliseconds ? n / 1000 : n;
		slot = ftk_histogram_slot(h, val);
		sum = val * hits;
		break;
	}
	ftk_histogram_add_slot(h, slot, hits, sum);
}

void bio_hist_backend_read(struct bio_hist_backend *k, struct ftk_histograms *into)
{
	struct ftk_histograms now = { .label_names = { into->label_names[0],
						       into->label_names[1] } };
	struct bio_hist_read r = { k, &now };
	struct ftk_hist_file_totals tot;
	char *text = ftk_trigger_hist(k->count);

	if (!text || ftk_hist_file_parse(text, bio_hist_entry, &r, &tot) < 0) {
		free(text);
		ftk_histograms_free(&now);
		return;
	}
	free(text);
	for (int i = 0; i < now.n; i++) {
		const struct ftk_histogram *c = &now.v[i];
		struct ftk_histogram *p = ftk_histograms_get(&k->previous, c->labels[0],
							     c->labels[1]);
		struct ftk_histogram d = { 0 }, *o;

		for (int s = 0; s < FTK_HISTOGRAM_SLOTS; s++)
			d.slots[s] = c->slots[s] - p->slots[s];
		d.count = c->count - p->count;
		d.sum = c->sum - p->sum;
		*p = *c;
		if (!d.count)
			continue;
		o = ftk_histograms_get(into, c->labels[0], c->labels[1]);
		for (int s = 0; s < FTK_HISTOGRAM_SLOTS; s++)
			o->slots[s] += d.slots[s];
		o->count += d.count;
		o->sum += d.sum;
	}
	ftk_histograms_free(&now);
	ftk_session_count(k->session, tot.hits - k->previous_hits,
			  tot.dropped - k->previous_dropped);
	k->previous_hits = tot.hits;
	k->previous_dropped = tot.dropped;
}

/* Entries and drops of the start/end maps (the larger of each); false if unreadable. Each
 * read prints and sorts the whole map in the kernel: done only when needed. */
static bool bio_hist_map_totals(struct bio_hist_backend *k, uint64_t *entries,
				uint64_t *dropped)
{
	struct ftk_trigger *t[2] = { k->start, k->end };

	*entries = *dropped = 0;
	for (int i = 0; i < 2; i++) {
		struct ftk_hist_file_totals tot;
		char *text = ftk_trigger_hist(t[i]);
		int rc = text ? ftk_hist_file_parse(text, NULL, NULL, &tot) : -1;

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
 * for BIO_HIST_QUIET_TICKS ticks in a row) once a map is past 3/8 full, and is done at once
 * only past 3/4 (an estimate: the entries seen then plus every I/O counted since).
 * The maps are looked at when the I/Os counted since the last look could have filled a
 * quarter of one (each counted I/O made at most one entry in each), else every
 * BIO_HIST_MAP_CHECK ticks (-Q with block_bio_queue: merged bios make start entries that
 * are never counted); each look prints and sorts the whole map in the kernel.
 */
void bio_hist_backend_recycle(struct bio_hist_backend *k)
{
	uint64_t entries, dropped;

	k->quiet = k->previous_hits == k->tick_hits ? k->quiet + 1 : 0;
	k->tick_hits = k->previous_hits;
	if (k->stuck)
		return;
	if (!k->pending) {
		if (k->previous_hits - k->checked_hits < k->map_size / 4 &&
		    ++k->ticks < BIO_HIST_MAP_CHECK)
			return;
		k->checked_hits = k->previous_hits;
		k->ticks = 0;
		if (!bio_hist_map_totals(k, &entries, &dropped) ||
		    entries <= (uint64_t)k->map_size * 3 / 8)
			return;
		k->pending = true;
		k->pending_entries = entries;
		k->pending_hits = k->previous_hits;
	}
	if (k->quiet < BIO_HIST_QUIET_TICKS &&
	    k->pending_entries + (k->previous_hits - k->pending_hits) <=
		    (uint64_t)k->map_size * 3 / 4)
		return;
	if (!bio_hist_map_totals(k, &entries, &dropped))
		return;
	k->pending = false;
	k->checked_hits = k->previous_hits;
	k->old_dropped += dropped;
	if (k->quiet < BIO_HIST_QUIET_TICKS)
		k->busy_recycles++;
	if (ftk_trigger_remove(k->end) || ftk_trigger_remove(k->start) ||
	    ftk_trigger_recreate(k->start) || ftk_trigger_recreate(k->end)) {
		k->stuck = true;
		ftk_error("cannot recycle the kernel's table of requests in flight; stopping");
		ftk_session_stop(k->session);
		return;
	}
	k->recycles++;
}

/* The maps' drops (I/Os at new sectors while a map was full) are lost I/Os. */
void bio_hist_backend_end(struct bio_hist_backend *k)
{
	uint64_t entries, dropped = 0;

	if (!k->stuck)
		bio_hist_map_totals(k, &entries, &dropped);
	dropped += k->old_dropped;
	if (k->busy_recycles)
		ftk_info("recycled the kernel's tables of requests in flight %lu time%s, %lu of "
			 "them while I/O went on: requests issued or completed during those "
			 "swaps were not counted", k->recycles, k->recycles == 1 ? "" : "s",
			 k->busy_recycles);
	else if (k->recycles)
		ftk_info("recycled the kernel's tables of requests in flight %lu time%s, each "
			 "at a quiet moment", k->recycles, k->recycles == 1 ? "" : "s");
	if (!dropped)
		return;
	ftk_session_count(k->session, 0, dropped);
	ftk_warn("the kernel's table of requests in flight was full (%u disk sectors): %llu "
		 "I/Os at new sectors were not counted", k->map_size,
		 (unsigned long long)dropped);
	ftk_hint("for exact counts on busy disks use --backend tracepoint (or -legacy)");
}

void bio_hist_backend_free(struct bio_hist_backend *k)
{
	ftk_histograms_free(&k->previous);
}
