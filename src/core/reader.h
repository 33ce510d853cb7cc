/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reader (core-internal): per-CPU trace_pipe_raw readers, kbuffer decoding, a cross-CPU
 * merge by timestamp with a bounded reorder window (or unordered dispatch, for views that
 * only count), and loss accounting.
 */
#ifndef FTK_READER_H
#define FTK_READER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "events.h"

struct tep_handle;
struct ftk_reader;

typedef void (*ftk_dispatch_fn)(const struct ftk_rec *r, void *ctx);
/* A loss on `cpu` was seen just before the records about to be dispatched from that CPU:
 * count is the number lost (from stats deltas) or -1 when unknown. */
typedef void (*ftk_lost_fn)(int cpu, long long count, void *ctx);

struct ftk_reader_opts {
	const char *dir;	/* instance directory (".../instances/ftk-123") or tracefs root */
	int ncpus;		/* possible CPUs: per_cpu/cpu0..ncpus-1 (missing ones skipped) */
	size_t subbuf_size;	/* sub-buffer (page) size in bytes */
	struct tep_handle *tep;	/* for kbuffer layout (header_page parsed) */
	uint64_t reorder_ns;	/* hold records this long for the cross-CPU merge */
	bool unordered;		/* no merge: each CPU's records are dispatched as they are read
				 * (reorder_ns unused); losses are reported the same way */
	ftk_dispatch_fn dispatch;
	ftk_lost_fn lost;
	void *ctx;
	bool use_kbuffer;	/* decode with libtraceevent's kbuffer, not the inline walker */
	int64_t ts_off;		/* added to record timestamps: trace clock -> CLOCK_MONOTONIC
				 * (0 with trace_clock=mono) */
	/* Spool (ftk record): each sub-buffer read is handed to page() verbatim, padded with
	 * zeros to subbuf_size, instead of being queued and dispatched (dispatch unused, may be
	 * NULL). Pages with neither data nor the missed flag are skipped. A flagged page reads
	 * the stats and reports the loss at once. Records are counted by walking the headers
	 * only; spool_rec (may be NULL) sees each of them (to read common fields). */
	void (*page)(int cpu, const void *data, size_t len, void *ctx);
	ftk_dispatch_fn spool_rec;
};

/* Opens every per_cpu/cpuN/trace_pipe_raw O_RDONLY|O_NONBLOCK|O_CLOEXEC and reads the
 * initial stats. NULL with errno on failure. */
struct ftk_reader *ftk_reader_new(const struct ftk_reader_opts *o);
/* A reader with no fds (unit tests feed pages). */
struct ftk_reader *ftk_reader_new_offline(const struct ftk_reader_opts *o);
/* pollfds (POLLIN) of the per-CPU files; returns how many were written (<= max). */
int ftk_reader_pollfds(struct ftk_reader *r, struct pollfd *fds, int max);
/* Read what is available on every CPU, then dispatch, in (timestamp, CPU) order, the records
 * older than (now_mono - reorder_ns); final=true reads to the end and dispatches all that is
 * buffered. Unordered: dispatch everything read, CPU by CPU. Returns the number of records
 * dispatched. */
long ftk_reader_drain(struct ftk_reader *r, uint64_t now_mono, bool final);
/* Feed one raw sub-buffer of `cpu` (as read from trace_pipe_raw; len bytes). */
int ftk_reader_feed(struct ftk_reader *r, int cpu, const void *page, size_t len);
/* Read per_cpu/cpuN/stats; a growth of overrun + dropped events is reported as a loss
 * through the lost callback (inline) and added to the total. */
void ftk_reader_check_stats(struct ftk_reader *r);
unsigned long long ftk_reader_lost(const struct ftk_reader *r);
unsigned long long ftk_reader_lost_cpu(const struct ftk_reader *r, int cpu);
unsigned long long ftk_reader_records(const struct ftk_reader *r);
/* Are records buffered (read but not yet dispatched, held by the reorder window)? */
bool ftk_reader_pending(const struct ftk_reader *r);
/* Closes fds (needed before the instance can be removed). */
void ftk_reader_free(struct ftk_reader *r);

#endif
