// SPDX-License-Identifier: GPL-2.0-only
/* bio/sources: the block tracepoints of each backend, fed to the pairing table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/bio/sources.h"
#include "core/features.h"
#include "core/field.h"
#include "core/session.h"
#include "core/util.h"

static const char *const bio_kind_events[BIO_KIND_COUNT] = {
	[BIO_KIND_START] = "block_io_start",
	[BIO_KIND_BIO_QUEUE] = "block_bio_queue",
	[BIO_KIND_INSERT] = "block_rq_insert",
	[BIO_KIND_ISSUE] = "block_rq_issue",
	[BIO_KIND_COMPLETE] = "block_rq_complete",
	[BIO_KIND_REQUEUE] = "block_rq_requeue",
	[BIO_KIND_MERGE] = "block_rq_merge",
	[BIO_KIND_BACKMERGE] = "block_bio_backmerge",
	[BIO_KIND_FRONTMERGE] = "block_bio_frontmerge",
};

/* Which kinds a backend uses; optional ones may be missing on old kernels. */
struct bio_kind_use {
	enum bio_kind kind;
	bool optional;
};

static const struct bio_kind_use bio_tracepoint_kinds[] = {
	{ BIO_KIND_START, false }, { BIO_KIND_ISSUE, false }, { BIO_KIND_COMPLETE, false },
	{ BIO_KIND_REQUEUE, true }, { BIO_KIND_MERGE, true }, { BIO_KIND_FRONTMERGE, true },
};

static const struct bio_kind_use bio_tracepoint_legacy_kinds[] = {
	{ BIO_KIND_BIO_QUEUE, false }, { BIO_KIND_INSERT, true }, { BIO_KIND_ISSUE, false },
	{ BIO_KIND_COMPLETE, false }, { BIO_KIND_REQUEUE, true }, { BIO_KIND_MERGE, true },
	{ BIO_KIND_BACKMERGE, true }, { BIO_KIND_FRONTMERGE, true },
};

/* One event of a source and its fields. */
struct bio_source_event {
	struct bio_source *source;
	enum bio_kind kind;
	struct ftk_event *event;
	struct ftk_field_ref dev, sector, nr_sector, bytes, rwbs, comm, error;
};

/* One block record, decoded. */
struct bio_rec {
	enum bio_kind kind;
	uint64_t ts, sector;
	uint32_t dev, nr, bytes;
	int error, cpu;
	pid_t pid;
	char comm[16], rwbs[10];
};

/* Per CPU: the last stamp seen and the completions held behind it (bio_source_on_event). */
struct bio_cpu {
	uint64_t last_ts;
	bool seen;
	struct bio_rec *held;
	size_t nheld, cap;
};

struct bio_source {
	struct bio_track *track;
	uint32_t filter_dev;
	bio_done_fn done;
	void *ctx;
	struct bio_source_event events[BIO_KIND_COUNT];
	struct bio_cpu *cpus;
	int ncpus;
};

const char *bio_kind_event(enum bio_kind kind)
{
	return kind < BIO_KIND_COUNT ? bio_kind_events[kind] : NULL;
}

struct bio_source *bio_source_new(uint32_t filter_dev, size_t cap, bio_done_fn done,
				  void *ctx)
{
	struct bio_source *source = ftk_xcalloc(1, sizeof(*source));

	source->track = bio_track_new(cap);
	source->filter_dev = filter_dev;
	source->done = done;
	source->ctx = ctx;
	for (int k = 0; k < BIO_KIND_COUNT; k++) {
		source->events[k].source = source;
		source->events[k].kind = k;
	}
	return source;
}

void bio_source_free(struct bio_source *source)
{
	if (!source)
		return;
	for (int c = 0; c < source->ncpus; c++)
		free(source->cpus[c].held);
	free(source->cpus);
	bio_track_free(source->track);
	free(source);
}

struct bio_track *bio_source_track(struct bio_source *source)
{
	return source->track;
}

void bio_source_lost(struct bio_source *source)
{
	for (int c = 0; c < source->ncpus; c++)
		source->cpus[c].nheld = 0;
	bio_track_reset(source->track);
}

/* A string field (comm, rwbs) into out, "" when absent. */
static void bio_copy_field(const struct ftk_field_ref *f, const struct ftk_rec *r, char *out,
			   size_t len)
{
	int n = 0;
	const char *s = ftk_field_str(f, r->data, r->size, &n);

	if (!s)
		n = 0;
	if ((size_t)n >= len)
		n = (int)len - 1;
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
}

static void bio_source_early(struct bio_source *source, const struct bio_rec *issue);

/* Feed one record to the pairing table (and a completed I/O to the view). */
static void bio_source_apply(struct bio_source *source, const struct bio_rec *b)
{
	struct bio_track *t = source->track;
	struct bio_io io;

	switch (b->kind) {
	case BIO_KIND_START:
	case BIO_KIND_BIO_QUEUE:
	case BIO_KIND_INSERT:
		bio_track_start(t, b->ts, b->dev, b->sector, b->nr, b->pid, b->comm,
				b->kind == BIO_KIND_INSERT);
		break;
	case BIO_KIND_ISSUE:
		bio_track_issue(t, b->ts, b->dev, b->sector, b->nr, b->bytes, b->rwbs);
		bio_source_early(source, b);
		break;
	case BIO_KIND_COMPLETE:
		if (bio_track_complete(t, b->ts, b->dev, b->sector, b->nr, b->error, &io)) {
			io.cpu = b->cpu;
			source->done(&io, source->ctx);
		}
		break;
	case BIO_KIND_REQUEUE:
		bio_track_requeue(t, b->dev, b->sector, b->nr);
		break;
	case BIO_KIND_MERGE:
	case BIO_KIND_BACKMERGE:
		bio_track_merged(t, b->dev, b->sector, b->nr);
		break;
	case BIO_KIND_FRONTMERGE:
		bio_track_frontmerge(t, b->dev, b->sector, b->nr);
		break;
	default:
		break;
	}
}

static struct bio_cpu *bio_source_cpu(struct bio_source *source, int cpu)
{
	if (cpu < 0)
		return NULL;
	if (cpu >= source->ncpus) {
		int n = cpu + 1;

		source->cpus = ftk_xrealloc(source->cpus, (size_t)n * sizeof(*source->cpus));
		memset(source->cpus + source->ncpus, 0,
		       (size_t)(n - source->ncpus) * sizeof(*source->cpus));
		source->ncpus = n;
	}
	return &source->cpus[cpu];
}

/* Apply what CPU c holds, in its order, with the records' own stamps. */
static void bio_source_release(struct bio_source *source, struct bio_cpu *c)
{
	size_t n = c->nheld;

	c->nheld = 0;
	for (size_t i = 0; i < n; i++)
		bio_source_apply(source, &c->held[i]);
}

/* An issue was applied: a held completion of the same request completes it now. */
static void bio_source_early(struct bio_source *source, const struct bio_rec *issue)
{
	for (int k = 0; k < source->ncpus; k++) {
		struct bio_cpu *c = &source->cpus[k];

		for (size_t i = 0; i < c->nheld; i++) {
			struct bio_rec done = c->held[i];

			if (done.dev != issue->dev ||
			    !bio_track_issued(source->track, done.dev, done.sector, done.nr))
				continue;
			memmove(&c->held[i], &c->held[i + 1], (c->nheld - i - 1) * sizeof(*c->held));
			c->nheld--;
			bio_source_apply(source, &done);
			return;
		}
	}
}

void bio_source_flush(struct bio_source *source)
{
	for (int c = 0; c < source->ncpus; c++)
		bio_source_release(source, &source->cpus[c]);
}

static void bio_source_on_event(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct bio_source_event *e = ctx;
	struct bio_source *source = e->source;
	struct bio_rec b = { .kind = e->kind, .ts = r->ts, .cpu = r->cpu };
	struct bio_cpu *c;

	b.dev = (uint32_t)ftk_field_u64(&e->dev, r->data, r->size, 0);
	if (source->filter_dev && b.dev != source->filter_dev)
		return;
	b.sector = ftk_field_u64(&e->sector, r->data, r->size, 0);
	b.nr = (uint32_t)ftk_field_u64(&e->nr_sector, r->data, r->size, 0);
	b.pid = ftk_rec_pid(r->data);
	if (e->kind == BIO_KIND_START || e->kind == BIO_KIND_BIO_QUEUE ||
	    e->kind == BIO_KIND_INSERT)
		bio_copy_field(&e->comm, r, b.comm, sizeof(b.comm));
	if (e->kind == BIO_KIND_ISSUE) {
		bio_copy_field(&e->rwbs, r, b.rwbs, sizeof(b.rwbs));
		b.bytes = (uint32_t)ftk_field_u64(&e->bytes, r->data, r->size,
						  (uint64_t)b.nr << 9);
		/* before 4.11 block_rq_issue's bytes is set only for passthrough (BLOCK_PC)
		 * requests: 0 for a read or write */
		if (!b.bytes)
			b.bytes = b.nr << 9;
	}
	if (e->kind == BIO_KIND_COMPLETE)
		b.error = (int)ftk_field_s64(&e->error, r->data, r->size, 0);
	c = bio_source_cpu(source, r->cpu);
	if (!c) {
		bio_source_apply(source, &b);
		return;
	}
	/* Before 5.10 ("ring-buffer: Have nested events still record running time stamp") a
	 * record written from an interrupt while its CPU was writing another one carries that
	 * one's stamp: a completion (virtio-blk's irq) may then sort before its own issue on
	 * another CPU. Such a completion (stamped like the record before it on its CPU) that
	 * finds no issued request is held until an issue it completes, or the CPU's next,
	 * later stamped record (by then its issue, if any, has been seen). */
	if (c->seen && r->ts > c->last_ts)
		bio_source_release(source, c);
	if (e->kind == BIO_KIND_COMPLETE && c->seen && r->ts == c->last_ts &&
	    !bio_track_issued(source->track, b.dev, b.sector, b.nr)) {
		if (c->nheld == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 8;
			c->held = ftk_xrealloc(c->held, c->cap * sizeof(*c->held));
		}
		c->held[c->nheld++] = b;
		return;
	}
	c->seen = true;
	c->last_ts = r->ts;
	bio_source_apply(source, &b);
}

void bio_source_attach(struct bio_source *source, struct ftk_event *ev, enum bio_kind kind)
{
	source->events[kind].event = ev;
	ftk_event_on(ev, bio_source_on_event, &source->events[kind]);
}

static void bio_source_on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	bio_source_lost(ctx);
}

int bio_source_declare(struct bio_source *source, struct ftk_session *s,
		       enum bio_backend backend)
{
	const struct bio_kind_use *kinds;
	char filter[64], *f = NULL;
	size_t n;

	if (backend == BIO_BACKEND_TRACEPOINT) {
		kinds = bio_tracepoint_kinds;
		n = FTK_ARRAY_SIZE(bio_tracepoint_kinds);
	} else if (backend == BIO_BACKEND_TRACEPOINT_LEGACY) {
		kinds = bio_tracepoint_legacy_kinds;
		n = FTK_ARRAY_SIZE(bio_tracepoint_legacy_kinds);
	} else {
		ftk_error("backend not implemented yet");
		return -ENOSYS;
	}
	if (source->filter_dev) {
		snprintf(filter, sizeof(filter), "dev == %u", source->filter_dev);
		f = filter;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = bio_kind_events[kinds[i].kind];
		struct ftk_event *ev;

		if (kinds[i].optional && !ftk_tracepoint_exists("block", name))
			continue;
		ev = ftk_tracepoint(s, "block", name, f);
		if (!ev)
			return -EINVAL;
		ev->optional = kinds[i].optional;
		bio_source_attach(source, ev, kinds[i].kind);
	}
	ftk_session_on_lost(s, bio_source_on_lost, source);
	return 0;
}

int bio_source_bind(struct bio_source *source)
{
	for (int k = 0; k < BIO_KIND_COUNT; k++) {
		struct bio_source_event *e = &source->events[k];

		if (!e->event || !e->event->tep)
			continue;
		/* bytes (not in old formats): nr_sector * 512; comm, rwbs, error may be absent */
		ftk_field_bind(&e->bytes, e->event, "bytes");
		ftk_field_bind(&e->rwbs, e->event, "rwbs");
		ftk_field_bind(&e->comm, e->event, "comm");
		if (!ftk_field_bind(&e->error, e->event, "error"))
			/* "errors" before 4.13 (block: introduce blk_status_t) */
			ftk_field_bind(&e->error, e->event, "errors");
		if (!ftk_field_bind(&e->dev, e->event, "dev") ||
		    !ftk_field_bind(&e->sector, e->event, "sector") ||
		    !ftk_field_bind(&e->nr_sector, e->event, "nr_sector")) {
			ftk_error("block:%s has no dev/sector/nr_sector field", bio_kind_events[k]);
			return -ENOENT;
		}
	}
	return 0;
}

/* ---- backends ---- */

bool bio_usable_tracepoint(char *why, size_t len)
{
	if (ftk_tracepoint_exists("block", "block_io_start") &&
	    ftk_tracepoint_exists("block", "block_rq_issue") &&
	    ftk_tracepoint_exists("block", "block_rq_complete"))
		return true;
	snprintf(why, len, "no block:block_io_start tracepoint (added in 6.5)");
	return false;
}

bool bio_usable_tracepoint_legacy(char *why, size_t len)
{
	static const char *const need[] = { "block_bio_queue", "block_rq_issue",
					    "block_rq_complete" };

	for (size_t i = 0; i < FTK_ARRAY_SIZE(need); i++) {
		if (!ftk_tracepoint_exists("block", need[i])) {
			snprintf(why, len, "no block:%s tracepoint", need[i]);
			return false;
		}
	}
	return true;
}

bool bio_usable_later(char *why, size_t len)
{
	snprintf(why, len, "not implemented yet");
	return false;
}

enum bio_backend bio_backend_by_name(const char *name)
{
	if (strcmp(name, "tracepoint") == 0)
		return BIO_BACKEND_TRACEPOINT;
	if (strcmp(name, "tracepoint-legacy") == 0)
		return BIO_BACKEND_TRACEPOINT_LEGACY;
	if (strcmp(name, "kprobe") == 0)
		return BIO_BACKEND_KPROBE;
	if (strcmp(name, "hist") == 0)
		return BIO_BACKEND_HIST;
	return BIO_BACKEND_UNKNOWN;
}

/* ---- option helpers ---- */

int bio_parse_ms(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v < 0 || v != v || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}
