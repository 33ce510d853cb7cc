/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bio/sources: where the block I/O views get their events. The backends both views offer
 * (which block tracepoints each one enables: `tracepoint` uses block_io_start, >= 6.5, for
 * the submitter; `tracepoint-legacy` block_bio_queue and block_rq_insert), and the event
 * source that feeds their records to the pairing table (pairing.h) and hands each completed
 * I/O to the view. A gap in the events (lost events) resets the table.
 */
#ifndef FTK_CMD_BIO_SOURCES_H
#define FTK_CMD_BIO_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/bio/pairing.h"
#include "core/events.h"
#include "core/view.h"

struct ftk_session;

/* ---- backends ---- */
enum bio_backend {
	BIO_BACKEND_TRACEPOINT,		/* block_io_start + block_rq_issue/complete (>= 6.5) */
	BIO_BACKEND_TRACEPOINT_LEGACY,	/* block_bio_queue/rq_insert + block_rq_issue/complete */
	BIO_BACKEND_KPROBE,		/* not implemented yet */
	BIO_BACKEND_HIST,		/* biolatency: in-kernel aggregation (hist_backend.h) */
	BIO_BACKEND_UNKNOWN,
};
/* usable() checks of the backends (struct ftk_backend), shared by both views. */
bool bio_usable_tracepoint(char *why, size_t len);
bool bio_usable_tracepoint_legacy(char *why, size_t len);
bool bio_usable_later(char *why, size_t len);	/* kprobe: not implemented yet */
/* Backend by its --backend name ("tracepoint", "tracepoint-legacy", "kprobe", "hist"). */
enum bio_backend bio_backend_by_name(const char *name);

#define BIO_TRACEPOINT_BACKEND {						\
	.name = "tracepoint",							\
	.desc = "block_io_start (submitter, >= 6.5) + block_rq_issue/complete",	\
	.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },				\
	.usable = bio_usable_tracepoint }
#define BIO_TRACEPOINT_LEGACY_BACKEND {						\
	.name = "tracepoint-legacy",						\
	.desc = "block_bio_queue/rq_insert (submitter) + block_rq_issue/complete",	\
	.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },				\
	.usable = bio_usable_tracepoint_legacy }
#define BIO_KPROBE_BACKEND {							\
	.name = "kprobe",							\
	.desc = "kprobes on blk_account_io_start/blk_mq_start_request/done (later)",	\
	.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_KPROBES },		\
	.usable = bio_usable_later }

/* ---- the event source: tracepoints -> pairing table -> the view ---- */
enum bio_kind {
	BIO_KIND_START, BIO_KIND_BIO_QUEUE, BIO_KIND_INSERT, BIO_KIND_ISSUE, BIO_KIND_COMPLETE,
	BIO_KIND_REQUEUE, BIO_KIND_MERGE, BIO_KIND_BACKMERGE, BIO_KIND_FRONTMERGE,
	BIO_KIND_COUNT
};
/* The tracepoint (system "block") of a kind, e.g. "block_rq_issue". */
const char *bio_kind_event(enum bio_kind kind);

typedef void (*bio_done_fn)(const struct bio_io *io, void *ctx);
struct bio_source;

/* filter_dev: kernel dev of the one disk to trace, 0 = all; cap: pending requests. */
struct bio_source *bio_source_new(uint32_t filter_dev, size_t cap, bio_done_fn done,
				  void *ctx);
void bio_source_free(struct bio_source *source);
/* Declare the backend's tracepoints on the session (before ftk_session_arm), and reset the
 * pairs on lost events. 0 or -errno (printed). */
int bio_source_declare(struct bio_source *source, struct ftk_session *s,
		       enum bio_backend backend);
/* Attach an already declared/loaded event of a kind (what declare does; unit tests call it
 * with hand-built events). */
void bio_source_attach(struct bio_source *source, struct ftk_event *ev, enum bio_kind kind);
/* Resolve fields once formats are loaded (after arm). -ENOENT (printed) when a needed field
 * is missing. */
int bio_source_bind(struct bio_source *source);
/* Lost events: forget the pending pairs (and the held records). */
void bio_source_lost(struct bio_source *source);
/* End of the events: apply the records still held (a record that shares its CPU's previous
 * stamp waits for that CPU's next record: nested writes before 5.10). Views call it from
 * their end callback, before printing summaries. */
void bio_source_flush(struct bio_source *source);
struct bio_track *bio_source_track(struct bio_source *source);

/* ---- option helpers ---- */
/* Strict non-negative decimal milliseconds ("2", "0.5"). 0 or -EINVAL. */
int bio_parse_ms(const char *s, double *out);

#endif
