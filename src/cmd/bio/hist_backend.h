/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bio/hist_backend: biolatency's `hist` backend, where the kernel has hist triggers and
 * synthetic events: the kernel pairs and counts, nothing reaches the ring buffer. A hist
 * trigger on the start event (block_rq_issue; with -Q block_io_start, or block_bio_queue
 * before 6.5) saves ts0 per (dev, sector); one on block_rq_complete computes the latency and
 * fires the synthetic event ftk_<pid>_bio_lat(lat, dev, rwbs); a hist trigger on that one
 * counts by lat.log2 (usecs) or lat.buckets=1000 (-m) and dev/rwbs. Each read parses its
 * hist file and adds the difference with the previous read (no clear: nothing counted
 * between a read and a clear is lost). The (dev, sector) maps only grow: they are recycled
 * (bio_hist_backend_tick), at a quiet moment when possible.
 */
#ifndef FTK_CMD_BIO_HIST_BACKEND_H
#define FTK_CMD_BIO_HIST_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/histogram.h"

struct bio_disks;
struct ftk_session;
struct ftk_trigger;

/* Read the counting hist every 100 ms at most (and look at the maps then). */
#define BIO_HIST_TICK_NS 100000000ULL

struct bio_hist_backend {
	/* What to count: set before declare. */
	bool milliseconds, per_disk, per_flags, queued;
	uint32_t filter_dev;		/* 0: every disk */
	struct bio_disks *disks;	/* dev -> name for per_disk */

	struct ftk_session *session;
	struct ftk_trigger *start, *end, *count;
	struct ftk_histograms previous;	/* cumulative counts at the last read */
	uint64_t previous_hits, previous_dropped;	/* of the counting hist */
	unsigned map_size;	/* of start/end (FTK_HIST_MAP_SIZE, else 32768) */
	uint64_t checked_hits;	/* previous_hits at the last map check */
	unsigned ticks;		/* since the last map check */
	bool pending;		/* a map is past 3/8: recycle at the next quiet moment */
	uint64_t pending_entries, pending_hits;	/* the larger map's entries then, hits */
	uint64_t tick_hits;	/* previous_hits at the previous tick */
	unsigned quiet;		/* ticks in a row without a counted I/O */
	unsigned long busy_recycles;	/* done past 3/4 while I/O went on */
	uint64_t old_dropped;	/* by the maps recycled so far */
	unsigned long recycles;
	bool stuck;		/* a recycle failed: the run stops */
};

/* The backend's usable() check: block_rq_issue/complete present and hist triggers that take
 * expressions with constants. */
bool bio_hist_usable(char *why, size_t len);
/* The map size from FTK_HIST_MAP_SIZE (a debugging knob for tests), else the default.
 * 0, or -EINVAL after a usage error. */
int bio_hist_backend_init(struct bio_hist_backend *k);
/* Declare the synthetic event and the three triggers. 0 or -errno (printed). */
int bio_hist_backend_declare(struct bio_hist_backend *k, struct ftk_session *s);
/* Add what was counted since the last read to `into`, and count it as events. */
void bio_hist_backend_read(struct bio_hist_backend *k, struct ftk_histograms *into);
/* After each read: recycle the maps when they fill (may stop the session: k->stuck). */
void bio_hist_backend_recycle(struct bio_hist_backend *k);
/* At the end: report recycles and the I/Os the maps dropped. */
void bio_hist_backend_end(struct bio_hist_backend *k);
void bio_hist_backend_free(struct bio_hist_backend *k);

#endif
