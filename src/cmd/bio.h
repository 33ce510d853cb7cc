/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bio: the block I/O engine shared by `ftk biosnoop` and `ftk biolatency` (implemented in
 * biosnoop.c). It turns block tracepoint records into completed I/Os: a bounded table of
 * pending requests keyed by (dev, sector) remembers who submitted each request (block_io_start
 * on >= 6.5, else block_bio_queue / block_rq_insert), when it was issued to the driver
 * (block_rq_issue) and matches the completion (block_rq_complete), which runs in irq context.
 * Requeues restart the latency, merges and front merges move or drop pending entries, and a
 * gap in the events (lost events) empties the table instead of producing wrong pairs.
 * Also here: the dev_t -> disk name table (/sys/class/block) and the views' backend list.
 */
#ifndef FTK_CMD_BIO_H
#define FTK_CMD_BIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/events.h"
#include "core/view.h"

struct ftk_session;

/* Kernel dev_t as block tracepoints record it (MAJOR = dev >> 20, MINOR = dev & 0xfffff). */
static inline uint32_t bio_mkdev(unsigned int major, unsigned int minor)
{
	return (major << 20) | (minor & 0xfffff);
}

/* ---- disks ---- */
struct bio_disk {
	uint32_t dev;
	uint32_t disk_dev;	/* the whole disk's dev (itself unless a partition) */
	bool partition;
	char name[32];
};

struct bio_disks {
	struct bio_disk *v;
	int n;
	uint64_t loaded_ns;	/* monotonic time of the last load (reload at most 1/s) */
	const char *root;	/* "/sys/class/block" (tests point elsewhere) */
};

/* Load (or reload) every block device from root (NULL: /sys/class/block). 0 or -errno. */
int bio_disks_load(struct bio_disks *d, const char *root);
const struct bio_disk *bio_disks_by_name(const struct bio_disks *d, const char *name);
/* Lookup; reloads the table (at most once a second) for a dev not seen yet. */
const struct bio_disk *bio_disks_by_dev(struct bio_disks *d, uint32_t dev);
/* "vda" or "?" */
const char *bio_disk_name(struct bio_disks *d, uint32_t dev);
/* "vda, sda, nullb0" (whole disks only, sorted) into buf. */
void bio_disks_list(const struct bio_disks *d, char *buf, size_t len);
void bio_disks_free(struct bio_disks *d);

/* ---- the pairing table ---- */
struct bio_io {
	uint64_t done_ts;	/* completion (ns, CLOCK_MONOTONIC) */
	uint64_t issue_ts;	/* issue to the driver (the last one after a requeue) */
	uint64_t start_ts;	/* submission (block_io_start / bio_queue / rq_insert), 0 unknown */
	uint64_t sector;
	uint32_t dev;
	uint32_t bytes;
	int error;		/* block_rq_complete's error (-errno) */
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
void bio_track_requeue(struct bio_track *t, uint32_t dev, uint64_t sector, uint32_t nr_sector);
/* A request (or a bio, back merge) merged into another before issue: forget it. */
void bio_track_merged(struct bio_track *t, uint32_t dev, uint64_t sector, uint32_t nr_sector);
/* A bio of nr_sector at sector was front-merged: its request now starts at sector. */
void bio_track_frontmerge(struct bio_track *t, uint32_t dev, uint64_t sector,
			  uint32_t nr_sector);
/* Completion: true (io filled) when a whole issued request is done. */
bool bio_track_complete(struct bio_track *t, uint64_t ts, uint32_t dev, uint64_t sector,
			uint32_t nr_sector, int error, struct bio_io *io);
/* Lost events: forget every pending request. */
void bio_track_reset(struct bio_track *t);
size_t bio_track_pending(const struct bio_track *t);
const struct bio_track_stats *bio_track_stats(const struct bio_track *t);

/* ---- the event source: tracepoints -> track -> callback ---- */
enum bio_backend { BIO_BE_IO_START, BIO_BE_LEGACY, BIO_BE_KPROBE, BIO_BE_HIST, BIO_BE__BAD };
/* usable() checks of the backends (struct ftk_backend), shared by both views. */
bool bio_usable_io_start(char *why, size_t len);
bool bio_usable_legacy(char *why, size_t len);
bool bio_usable_later(char *why, size_t len);	/* kprobe, hist: not implemented yet */
/* Backend by its --backend name ("tracepoint", "tracepoint-legacy", "kprobe", "hist"). */
enum bio_backend bio_backend_by_name(const char *name);

#define BIO_BACKEND_IO_START {							\
	.name = "tracepoint",							\
	.desc = "block_io_start (submitter, >= 6.5) + block_rq_issue/complete",	\
	.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },				\
	.usable = bio_usable_io_start }
#define BIO_BACKEND_LEGACY {							\
	.name = "tracepoint-legacy",						\
	.desc = "block_bio_queue/rq_insert (submitter) + block_rq_issue/complete",	\
	.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },				\
	.usable = bio_usable_legacy }
#define BIO_BACKEND_KPROBE {							\
	.name = "kprobe",							\
	.desc = "kprobes on blk_account_io_start/blk_mq_start_request/done (later)",	\
	.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_KPROBES },		\
	.usable = bio_usable_later }

enum bio_kind { BIO_K_START, BIO_K_BIO_QUEUE, BIO_K_INSERT, BIO_K_ISSUE, BIO_K_COMPLETE,
		BIO_K_REQUEUE, BIO_K_MERGE, BIO_K_BACKMERGE, BIO_K_FRONTMERGE, BIO_K__COUNT };

typedef void (*bio_done_fn)(const struct bio_io *io, void *ctx);
struct bio_src;

/* filter_dev: kernel dev of the one disk to trace, 0 = all. */
struct bio_src *bio_src_new(uint32_t filter_dev, size_t cap, bio_done_fn done, void *ctx);
void bio_src_free(struct bio_src *b);
/* Declare the backend's tracepoints on the session (before ftk_session_arm). 0 or -1. */
int bio_src_declare(struct bio_src *b, struct ftk_session *s, enum bio_backend be);
/* Attach an already declared/loaded event of kind k (what declare does; unit tests call it
 * with hand-built events). */
void bio_src_attach(struct bio_src *b, struct ftk_event *ev, enum bio_kind k);
/* Resolve fields once formats are loaded (after arm). -1 when a needed field is missing. */
int bio_src_bind(struct bio_src *b);
/* Reset pending pairs (lost events). */
void bio_src_lost(struct bio_src *b);
struct bio_track *bio_src_track(struct bio_src *b);
/* The tracepoint (system "block") for a kind, e.g. "block_rq_issue". */
const char *bio_kind_event(enum bio_kind k);

/* ---- option helpers shared by both views ---- */
/* Strict non-negative decimal milliseconds ("2", "0.5"). */
int bio_parse_ms(const char *s, double *out);
/* Resolve -d DISK to its dev; prints the error (exit 1) listing disks. */
int bio_resolve_disk(struct bio_disks *d, const char *name, uint32_t *dev);

/* ---- log2 histograms (biolatency.c) ---- */
#define BIO_HIST_SLOTS 64
struct bio_hist {
	char disk[32];		/* "" unless -D */
	char flags[10];		/* "" unless -F */
	uint64_t slots[BIO_HIST_SLOTS];	/* slot i: [2^(i-1), 2^i - 1]; 0 counts in slot 1 */
	uint64_t count, sum;
};
struct bio_hists {
	struct bio_hist *v;
	int n, cap;
};
struct ftk_buf;
struct ftk_json;
void bio_hist_add(struct bio_hist *h, uint64_t v);
/* Slot of value v (1 for 0 and 1). */
int bio_hist_slot(uint64_t v);
/* Highest non-empty slot, 0 when empty. */
int bio_hist_last(const struct bio_hist *h);
void bio_hist_slot_range(int i, uint64_t *low, uint64_t *high);
/* bcc's layout: "     usecs               : count     distribution" + rows with stars. */
void bio_hist_print(struct ftk_buf *b, const struct bio_hist *h, const char *unit);
void bio_hist_json(struct ftk_json *j, const struct bio_hist *h);
struct bio_hist *bio_hists_get(struct bio_hists *hs, const char *disk, const char *flags);
void bio_hists_sort(struct bio_hists *hs);
void bio_hists_clear(struct bio_hists *hs);
void bio_hists_free(struct bio_hists *hs);

/* ---- the kernel's hist file (biolatency's hist backend) ---- */
enum bio_hkey { BIO_HK_VALUE, BIO_HK_LOG2, BIO_HK_BUCKET };
struct bio_hist_ent {
	enum bio_hkey kind;	/* how lat was keyed: lat, lat.log2 ("~ 2^K"), lat.buckets=N */
	uint64_t lat;		/* the value, K, or the bucket's low end */
	bool has_dev, has_rwbs;
	uint32_t dev;
	char rwbs[16];
	uint64_t hitcount;
	uint64_t sum;		/* the "lat:" value column (sum of lat), 0 if absent */
};
struct bio_hist_totals {
	uint64_t hits, entries, dropped;
};
/* Parse one histogram of a hist file ("{ lat: ~ 2^12, dev: 266338304, rwbs: WS } hitcount:
 * 3  lat: 6473" lines, then Totals); fn is called for each entry. 0, or -1 when the text
 * holds no "Totals:" section (not a hist file). */
int bio_hist_parse(const char *text, void (*fn)(const struct bio_hist_ent *e, void *ctx),
		   void *ctx, struct bio_hist_totals *tot);

/* Options both views take. */
struct bio_common_opts {
	const char *backend;	/* --backend */
	const char *disk;	/* -d */
	unsigned long buffer_kb;	/* --buffer-kb, 0 = default */
	bool dry_run;
};

/*
 * Setup shared by both views: disk check (-d), backend choice, session, tracepoints, lost
 * events -> table reset, arm, field binding. mk creates the view's bio_src. Returns 0 with
 * *sp armed; 1 when the run is over (dry run) and -1 on error, both with the exit code in *rc.
 */
int bio_setup(const struct ftk_view *view, const struct bio_common_opts *c, double duration,
	      struct bio_disks *disks, uint32_t *filter_dev,
	      struct bio_src *(*mk)(uint32_t, void *), void *mkctx, struct bio_src **srcp,
	      struct ftk_session **sp, int *rc);

#endif
