/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bio/pairing: turns block request events into completed I/Os. A bounded table of pending
 * requests keyed by (dev, sector) remembers who submitted each request (block_io_start on
 * >= 6.5, else block_bio_queue / block_rq_insert: the submitter's context), when it was
 * issued to the driver (block_rq_issue) and matches the completion (block_rq_complete), which
 * runs in irq context. Requeues restart the latency, merges and front merges move or drop
 * pending entries, and a gap in the events (lost events) empties the table instead of
 * producing wrong pairs. Timestamps are the records' (CLOCK_MONOTONIC, ns).
 */
#ifndef FTK_CMD_BIO_PAIRING_H
#define FTK_CMD_BIO_PAIRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A completed request. */
struct bio_io {
	uint64_t done_ts;	/* completion (ns, CLOCK_MONOTONIC) */
	uint64_t issue_ts;	/* issue to the driver (the last one after a requeue) */
	uint64_t start_ts;	/* submission (block_io_start / bio_queue / rq_insert), 0 unknown */
	uint64_t sector;
	uint32_t dev;
	uint32_t bytes;
	int error;		/* block_rq_complete's error (-errno) */
	int cpu;		/* where it completed */
	pid_t pid;		/* submitter's thread id, -1 unknown */
	char comm[16];		/* submitter's comm, "" unknown */
	char rwbs[10];		/* of the issued request ("R", "WS", "FF" ...) */
};

struct bio_track;

struct bio_track_stats {
	unsigned long long completed;	/* completions paired and reported */
	unsigned long long unpaired;	/* completions without a pending issue (ignored) */
	unsigned long long unattributed;	/* reported without a known submitter */
	unsigned long long evicted;	/* pending entries dropped because the table was full */
	unsigned long long resets;	/* table emptied after lost events */
};

/* cap: maximum pending requests (rounded up to a power of two, >= 64). */
struct bio_track *bio_track_new(size_t cap);
void bio_track_free(struct bio_track *t);
/* Submission seen: a new pending entry (several may share a key; issues adopt the oldest).
 * weak: only when no un-issued entry exists at the key (rq_insert after bio_queue). */
void bio_track_start(struct bio_track *t, uint64_t ts, uint32_t dev, uint64_t sector,
		     uint32_t nr_sector, pid_t pid, const char *comm, bool weak);
void bio_track_issue(struct bio_track *t, uint64_t ts, uint32_t dev, uint64_t sector,
		     uint32_t nr_sector, uint32_t bytes, const char *rwbs);
/* Is a request issued and pending at (dev, sector) (the key a completion would pair with)? */
bool bio_track_issued(const struct bio_track *t, uint32_t dev, uint64_t sector,
		      uint32_t nr_sector);
void bio_track_requeue(struct bio_track *t, uint32_t dev, uint64_t sector, uint32_t nr_sector);
/* A request (or a bio, back merge) merged into another before issue: forget it. */
void bio_track_merged(struct bio_track *t, uint32_t dev, uint64_t sector, uint32_t nr_sector);
/* A bio of nr_sector at sector was front-merged: its request now starts at sector. */
void bio_track_frontmerge(struct bio_track *t, uint32_t dev, uint64_t sector,
			  uint32_t nr_sector);
/* Completion: true (io filled) when a whole issued request is done; io->done_ts is never
 * before io->issue_ts. */
bool bio_track_complete(struct bio_track *t, uint64_t ts, uint32_t dev, uint64_t sector,
			uint32_t nr_sector, int error, struct bio_io *io);
/* Lost events: forget every pending request. */
void bio_track_reset(struct bio_track *t);
size_t bio_track_pending(const struct bio_track *t);
const struct bio_track_stats *bio_track_stats(const struct bio_track *t);

#endif
