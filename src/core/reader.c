// SPDX-License-Identifier: GPL-2.0-only
/*
 * reader: reads the per-CPU binary ring buffers (per_cpu/cpuN/trace_pipe_raw) one sub-buffer
 * at a time into page copies kept on per-CPU queues (recycled through a free list, so the
 * steady state does not allocate), decodes them with one cursor per CPU, merges the CPUs by
 * timestamp while holding back the newest reorder_ns (or, unordered, dispatches each CPU's
 * records as they are read), and accounts for losses: the page header's commit word says
 * where a gap is (bit 31: events missed before this page; bit 30: count stored after the
 * data), per_cpu/cpuN/stats (overrun + dropped events) says how many. A flagged page reads
 * the stats at once and the loss is reported just before that page's first record is
 * dispatched; ftk_reader_check_stats() reports any other growth. Unit tests feed captured
 * pages through ftk_reader_feed(), the same path the live reads take. Spool mode (ftk record,
 * opts.page) hands each page read over verbatim instead, after the same loss accounting, and
 * only walks the record headers to count them.
 *
 * Decoding: libtraceevent's kbuffer costs ~160 instructions per record (indirect calls per
 * word), most of the per-event budget. When the buffer layout is the host's own (8-byte
 * long, same byte order, current format: always the case for a live local kernel), records
 * are walked inline with the same rules as kbuffer (type_len 1..28 data, 0 long data,
 * 29 padding, 30 time extend, 31 absolute time stamp keeping the top 5 bits), bound-checked
 * against the commit size; otherwise, or with opts.use_kbuffer, kbuffer does it. The unit
 * tests check both give the same records on every captured page.
 *
 * Merge: a binary min-heap of the CPUs that have a current record, keyed by (ts, cpu): equal
 * timestamps go lowest CPU first, and one CPU's records keep their queue order. The CPU on
 * top dispatches a run of records while it stays before the runner-up (the smaller child of
 * the root), then sifts down: O(log ncpus) per run instead of a scan of every CPU per record.
 * Views that only count need no order: opts.unordered dispatches each page's records right
 * after its read() (while the page is still in cache) with no reorder window and no heap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>

#include "reader.h"
#include "util.h"

#define RB_MISSED_EVENTS	(1ULL << 31)
#define RB_MISSED_STORED	(1ULL << 30)
#define RB_COMMIT_MASK		((1ULL << 27) - 1)
#define RB_TS_MSB		(0xf8ULL << 56)	/* kept by absolute time stamps */
#define RB_TYPE_DATA_MAX	28
#define RB_TYPE_PADDING		29
#define RB_TYPE_TIME_EXTEND	30
#define RB_TYPE_TIME_STAMP	31

#define MAX_PAGES_PER_READ	256	/* per CPU and drain: bounds latency and memory */
#define MAX_FREE_PAGES		128	/* pages kept for reuse beyond that are freed */

struct page {
	struct page *next;
	bool flagged;		/* commit word bit 31: events were missed before this page */
	uint32_t size;		/* committed bytes of record data */
	long long lost;		/* stats delta read when the flagged page arrived, -1 unknown */
	uint64_t ts;		/* page header timestamp */
	unsigned char data[];	/* subbuf_size bytes */
};

struct cpu {
	int cpu;
	int fd;			/* -1: offline reader or no such CPU */
	bool present;
	bool more;		/* the last read stopped before EAGAIN: unread data remains */
	bool dead;		/* read failed for good: not read any more */
	struct kbuffer *kb;	/* fallback decoder */
	struct page *head, *tail;	/* head is being decoded while rec != NULL */
	void *rec;		/* next record (data), NULL when the queue is empty */
	uint64_t ts;		/* its timestamp (inline decoder: also the running clock) */
	int size;
	unsigned char *pd;	/* inline decoder: record area of the head page */
	uint32_t off, end;	/* next entry, committed size */
	bool lost_pending;	/* report a loss before the next record of this CPU */
	long long lost_count;	/* its count, -1 unknown */
	int stats_fd;		/* per_cpu/cpuN/stats, kept open: opening a tracefs file waits
				 * for trace_types_lock, which other sessions hold while they
				 * make or remove probes (a loss check blocked for 1.7 s) */
	unsigned long long stats_base;	/* overrun + dropped already accounted */
	bool stats_ok;
	unsigned long long lost;
};

struct ftk_reader {
	struct ftk_reader_opts o;
	int ncpus;
	size_t subbuf;
	int commit_size;	/* 8 or 4: size of the commit word (long) in the page header */
	int data_off;		/* where records start in a page: 16 or 12 */
	bool offline;
	bool fast;		/* inline decoder (host layout) instead of kbuffer */
	struct cpu *cpus;
	struct cpu **heap;	/* merge: CPUs with a current record, min-heap on (ts, cpu) */
	int nheap;
	struct page *free;
	int nfree;
	unsigned long long records, lost;
};

/* ---- pages ---------------------------------------------------------------------------- */

static struct page *page_get(struct ftk_reader *r)
{
	struct page *p = r->free;

	if (p) {
		r->free = p->next;
		r->nfree--;
	} else {
		p = ftk_xmalloc(sizeof(*p) + r->subbuf);
	}
	p->next = NULL;
	return p;
}

static void page_put(struct ftk_reader *r, struct page *p)
{
	if (r->nfree >= MAX_FREE_PAGES) {
		free(p);
		return;
	}
	p->next = r->free;
	r->free = p;
	r->nfree++;
}

static uint64_t page_commit(const struct ftk_reader *r, const struct page *p)
{
	uint64_t v8;
	uint32_t v4;

	if (r->commit_size == 4) {
		memcpy(&v4, p->data + 8, 4);
		return v4;
	}
	memcpy(&v8, p->data + 8, 8);
	return v8;
}

/* ---- stats ------------------------------------------------------------------------------ */

static unsigned long long stat_field(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *l = buf;

	while (l && *l) {
		if (!strncmp(l, key, klen))
			return strtoull(l + klen, NULL, 10);
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return 0;
}

/* overrun + dropped events of one CPU; -1 when the stats file cannot be read. */
static int read_stats(const struct cpu *c, unsigned long long *total)
{
	char buf[1024];
	ssize_t n;

	if (c->stats_fd < 0)
		return -1;
	/* Each read of the file at offset 0 formats the counters afresh. */
	n = pread(c->stats_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	*total = stat_field(buf, "overrun:") + stat_field(buf, "dropped events:");
	return 0;
}

/* The stats growth since the last accounting (0 when unknown or unchanged); rebases. */
static unsigned long long stats_delta(struct ftk_reader *r, struct cpu *c)
{
	unsigned long long total, d;

	if (read_stats(c, &total))
		return 0;
	if (!c->stats_ok || total < c->stats_base) {
		c->stats_base = total;
		c->stats_ok = true;
		return 0;
	}
	d = total - c->stats_base;
	c->stats_base = total;
	return d;
}

static void report_lost(struct ftk_reader *r, struct cpu *c, long long count)
{
	if (count > 0) {
		c->lost += count;
		r->lost += count;
	}
	if (r->o.lost)
		r->o.lost(c->cpu, count, r->o.ctx);
}

/* ---- per-CPU cursor --------------------------------------------------------------------- */

static void mark_lost(struct cpu *c, long long count)
{
	if (!c->lost_pending) {
		c->lost_pending = true;
		c->lost_count = count;
	} else if (count > 0) {
		c->lost_count = c->lost_count > 0 ? c->lost_count + count : count;
	}
}

/*
 * Inline decoder: advance to the next data record of the head page; false at its end.
 * Same arithmetic as kbuffer (ts adds every delta, padding included), plus bounds.
 */
static inline bool fast_next(struct cpu *c)
{
	uint64_t off = c->off, len;
	uint32_t w, a, tl;
	unsigned char *e;

	while (off + 4 <= c->end) {
		e = c->pd + off;
		memcpy(&w, e, 4);
		tl = w & 31;
		if (tl && tl <= RB_TYPE_DATA_MAX) {
			len = tl * 4;
			if (off + 4 + len > c->end)
				break;
			c->ts += w >> 5;
			c->rec = e + 4;
			c->size = len;
			c->off = off + 4 + len;
			return true;
		}
		if (off + 8 > c->end)
			break;
		memcpy(&a, e + 4, 4);
		switch (tl) {
		case 0:
			if (a < 4)
				goto out;
			len = ((uint64_t)a - 4 + 3) & ~3ULL;
			if (off + 8 + len > c->end)
				goto out;
			c->ts += w >> 5;
			c->rec = e + 8;
			c->size = len;
			c->off = off + 8 + len;
			return true;
		case RB_TYPE_PADDING:
			c->ts += w >> 5;
			off += 4 + (uint64_t)a;
			break;
		case RB_TYPE_TIME_EXTEND:
			c->ts += ((uint64_t)a << 27) + (w >> 5);
			off += 8;
			break;
		default:	/* RB_TYPE_TIME_STAMP */
			c->ts = (((uint64_t)a << 27) + (w >> 5)) | (c->ts & RB_TS_MSB);
			off += 8;
			break;
		}
	}
out:
	c->off = c->end;
	c->rec = NULL;
	return false;
}

/* Start decoding the head page: true when it has a record (then current). */
static bool cursor_first(struct ftk_reader *r, struct cpu *c, struct page *p)
{
	unsigned long long ts;

	if (r->fast) {
		c->pd = p->data + r->data_off;
		c->off = 0;
		c->end = p->size;
		c->ts = p->ts;
		return fast_next(c);
	}
	if (kbuffer_load_subbuffer(c->kb, p->data))
		return false;
	c->rec = kbuffer_read_event(c->kb, &ts);
	if (!c->rec)
		return false;
	c->ts = ts;
	c->size = kbuffer_event_size(c->kb);
	return true;
}

/* Load queued pages until one has a record (or the queue is empty). */
static void cursor_load(struct ftk_reader *r, struct cpu *c)
{
	struct page *p;

	c->rec = NULL;
	while ((p = c->head)) {
		if (p->flagged)
			mark_lost(c, p->lost);
		if (cursor_first(r, c, p))
			return;
		c->head = p->next;
		if (!c->head)
			c->tail = NULL;
		page_put(r, p);
	}
	c->rec = NULL;
}

static inline void cursor_next(struct ftk_reader *r, struct cpu *c)
{
	unsigned long long ts;
	struct page *p;

	if (r->fast) {
		if (fast_next(c))
			return;
	} else {
		c->rec = kbuffer_next_event(c->kb, &ts);
		if (c->rec) {
			c->ts = ts;
			c->size = kbuffer_event_size(c->kb);
			return;
		}
	}
	p = c->head;
	c->head = p->next;
	if (!c->head)
		c->tail = NULL;
	page_put(r, p);
	cursor_load(r, c);
}

/* Queue one page just read (or fed) on CPU c; takes ownership of p. Returns the bytes of
 * record data it holds. */
static uint64_t enqueue(struct ftk_reader *r, struct cpu *c, struct page *p, size_t len)
{
	uint64_t commit, size;

	if (len < (size_t)r->data_off) {
		page_put(r, p);
		return 0;
	}
	if (len < r->subbuf)
		memset(p->data + len, 0, r->subbuf - len);
	commit = page_commit(r, p);
	size = commit & RB_COMMIT_MASK;
	p->flagged = commit & RB_MISSED_EVENTS;
	if (size > r->subbuf - r->data_off) {
		/* Malformed: never let kbuffer walk past the copy. Keep only the gap mark. */
		size = 0;
		memset(p->data + 8, 0, r->commit_size);
	}
	p->size = size;
	if (!size && !p->flagged) {
		page_put(r, p);
		return 0;
	}
	if (p->flagged) {
		unsigned long long d = stats_delta(r, c);

		p->lost = d ? (long long)d : -1;
	}
	memcpy(&p->ts, p->data, 8);
	if (c->tail)
		c->tail->next = p;
	else
		c->head = p;
	c->tail = p;
	if (!c->rec && c->head == p)
		cursor_load(r, c);
	return size;
}

static long flush_cpu(struct ftk_reader *r, struct cpu *c);

/* Spool: count (and show spool_rec) the records of page p, with c's cursor. */
static long walk_page(struct ftk_reader *r, struct cpu *c, struct page *p)
{
	unsigned long long ts;
	struct ftk_rec rec;
	long n = 0;

	if (!cursor_first(r, c, p))
		return 0;
	do {
		n++;
		if (r->o.spool_rec) {
			rec.ts = (uint64_t)((int64_t)c->ts + r->o.ts_off);
			rec.cpu = c->cpu;
			rec.size = c->size;
			rec.data = c->rec;
			r->o.spool_rec(&rec, r->o.ctx);
		}
		if (r->fast)
			continue;
		c->rec = kbuffer_next_event(c->kb, &ts);
		c->ts = ts;
		c->size = c->rec ? kbuffer_event_size(c->kb) : 0;
	} while (r->fast ? fast_next(c) : c->rec != NULL);
	c->rec = NULL;
	return n;
}

/* Spool one page just read (or fed) on CPU c: loss first, then the page verbatim. Keeps p.
 * Returns the bytes of record data it holds. */
static uint64_t spool(struct ftk_reader *r, struct cpu *c, struct page *p, size_t len)
{
	uint64_t commit, size;
	bool flagged;

	if (len < (size_t)r->data_off)
		return 0;
	if (len < r->subbuf)
		memset(p->data + len, 0, r->subbuf - len);
	commit = page_commit(r, p);
	size = commit & RB_COMMIT_MASK;
	flagged = commit & RB_MISSED_EVENTS;
	if (size > r->subbuf - r->data_off)
		size = 0;	/* malformed: written as read, never walked */
	if (!size && !flagged)
		return 0;
	if (flagged) {
		unsigned long long d = stats_delta(r, c);

		report_lost(r, c, d ? (long long)d : -1);
	}
	p->size = size;
	memcpy(&p->ts, p->data, 8);
	r->records += walk_page(r, c, p);
	r->o.page(c->cpu, p->data, r->subbuf, r->o.ctx);
	return size;
}

/*
 * Read one CPU until EAGAIN (or the per-drain cap); unordered, dispatch each page at once.
 * Unless `to_end`, stop after a page less than half full: that is the page the kernel is still
 * writing, copied out event by event under the reader lock, and reading again at once would
 * chase the writer a few records per read() (a 3 M events/s storm here: 5 times the reads
 * and about 3 times the CPU). The next drain takes the rest. A full page whose successor
 * record was too big for its free half looks the same: `more` stays set, which keeps the
 * merge bound safe. Returns the records dispatched (unordered).
 */
static long read_cpu(struct ftk_reader *r, struct cpu *c, bool to_end)
{
	uint64_t half = (r->subbuf - r->data_off) / 2;
	struct page *p;
	long done = 0;
	ssize_t n;
	int i;

	c->more = false;
	for (i = 0; i < MAX_PAGES_PER_READ; i++) {
		p = page_get(r);
		n = read(c->fd, p->data, r->subbuf);
		if (n <= 0) {
			page_put(r, p);
			if (n < 0 && errno == EINTR) {
				i--;
				continue;
			}
			/* Any other error (CPU gone, instance removed): stop reading it. The
			 * fd stays open until ftk_reader_free(): it may sit in a pollfd array
			 * and must not be reused under it. */
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				c->dead = true;
			return done;
		}
		bool partial;
		if (r->o.page) {
			partial = spool(r, c, p, n) < half;
			page_put(r, p);
			if (partial && !to_end)
				break;
			continue;
		}
		partial = enqueue(r, c, p, n) < half;
		if (r->o.unordered)
			done += flush_cpu(r, c);
		if (partial && !to_end)
			break;
	}
	c->more = true;
	return done;
}

/* ---- merge ------------------------------------------------------------------------------ */

static inline void dispatch_one(struct ftk_reader *r, struct cpu *c)
{
	struct ftk_rec rec;

	if (c->lost_pending) {
		c->lost_pending = false;
		report_lost(r, c, c->lost_count);
	}
	rec.ts = (uint64_t)((int64_t)c->ts + r->o.ts_off);
	rec.cpu = c->cpu;
	rec.size = c->size;
	rec.data = c->rec;
	r->o.dispatch(&rec, r->o.ctx);
}

/* The merge order: timestamp, then CPU number. */
static inline bool before(const struct cpu *a, const struct cpu *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->cpu < b->cpu);
}

static void sift_down(struct ftk_reader *r, int i)
{
	struct cpu **h = r->heap, *x = h[i];
	int n = r->nheap, k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= n)
			break;
		if (k + 1 < n && before(h[k + 1], h[k]))
			k++;
		if (!before(h[k], x))
			break;
		h[i] = h[k];
		i = k;
	}
	h[i] = x;
}

/* Heapify the CPUs holding a record (pages are queued between merges, never during one). */
static void heap_build(struct ftk_reader *r)
{
	int i;

	r->nheap = 0;
	for (i = 0; i < r->ncpus; i++)
		if (r->cpus[i].rec)
			r->heap[r->nheap++] = &r->cpus[i];
	for (i = r->nheap / 2 - 1; i >= 0; i--)
		sift_down(r, i);
}

/* Dispatch every buffered record with ts <= limit, in (ts, cpu) order. */
static long merge(struct ftk_reader *r, uint64_t limit)
{
	struct cpu *top, *next;
	long n = 0;

	heap_build(r);
	while (r->nheap && r->heap[0]->ts <= limit) {
		top = r->heap[0];
		next = r->nheap > 1 ? r->heap[1] : NULL;
		if (r->nheap > 2 && before(r->heap[2], next))
			next = r->heap[2];
		/* Run of records from the CPU that stays first. */
		do {
			dispatch_one(r, top);
			n++;
			cursor_next(r, top);
		} while (top->rec && top->ts <= limit && (!next || before(top, next)));
		if (!top->rec)
			r->heap[0] = r->heap[--r->nheap];
		if (r->nheap)
			sift_down(r, 0);
	}
	r->records += n;
	return n;
}

/* Unordered: every record queued on c, now. */
static long flush_cpu(struct ftk_reader *r, struct cpu *c)
{
	long n = 0;

	while (c->rec) {
		dispatch_one(r, c);
		n++;
		cursor_next(r, c);
	}
	r->records += n;
	return n;
}

static void flush_pending_lost(struct ftk_reader *r)
{
	int i;

	for (i = 0; i < r->ncpus; i++) {
		struct cpu *c = &r->cpus[i];

		if (c->lost_pending && !c->rec) {
			c->lost_pending = false;
			report_lost(r, c, c->lost_count);
		}
	}
}

/* One pass: read every CPU (up to the per-drain cap), dispatch what the bound allows.
 * Returns the records dispatched; *more: a CPU stopped at the cap with data left. */
static long drain_pass(struct ftk_reader *r, uint64_t limit, bool final, bool *more)
{
	long n = 0;
	int i;

	*more = false;
	for (i = 0; i < r->ncpus; i++) {
		struct cpu *c = &r->cpus[i];

		if (c->fd >= 0 && !c->dead)
			n += read_cpu(r, c, final);
		if (r->o.unordered)
			n += flush_cpu(r, c);	/* pages fed since the last drain */
		/* A CPU with unread data may still hold records older than what is queued
		 * elsewhere: never go past the start of its newest queued page. */
		if (c->more && c->tail && c->tail->ts < limit)
			limit = c->tail->ts;
		*more |= c->more && !c->dead;
	}
	if (!r->o.unordered)
		n += merge(r, limit);
	return n;
}

long ftk_reader_drain(struct ftk_reader *r, uint64_t now_mono, bool final)
{
	/* in the trace clock's terms */
	uint64_t now_tc = (uint64_t)((int64_t)now_mono - r->o.ts_off);
	uint64_t limit = now_tc > r->o.reorder_ns ? now_tc - r->o.reorder_ns : 0;
	bool more;
	long n = 0;

	if (final)
		limit = UINT64_MAX;
	/* The final drain passes until every CPU is read to its end: a backlog beyond the
	 * per-drain cap would otherwise be removed with the instance, lost and never counted. */
	do
		n += drain_pass(r, limit, final, &more);
	while (final && more);
	if (final)
		flush_pending_lost(r);
	return n;
}

int ftk_reader_feed(struct ftk_reader *r, int cpu, const void *page, size_t len)
{
	struct page *p;

	if (cpu < 0 || cpu >= r->ncpus || !r->cpus[cpu].present) {
		errno = EINVAL;
		return -1;
	}
	if (len > r->subbuf)
		len = r->subbuf;
	p = page_get(r);
	memcpy(p->data, page, len);
	if (r->o.page) {
		spool(r, &r->cpus[cpu], p, len);
		page_put(r, p);
		return 0;
	}
	enqueue(r, &r->cpus[cpu], p, len);
	return 0;
}

void ftk_reader_check_stats(struct ftk_reader *r)
{
	unsigned long long d;
	int i;

	for (i = 0; i < r->ncpus; i++) {
		struct cpu *c = &r->cpus[i];

		if (!c->present)
			continue;
		d = stats_delta(r, c);
		if (d)
			report_lost(r, c, (long long)d);
	}
}

/* ---- life cycle ------------------------------------------------------------------------- */

static struct kbuffer *new_kbuffer(struct tep_handle *tep)
{
	enum kbuffer_long_size ls = KBUFFER_LSIZE_SAME_AS_HOST;
	enum kbuffer_endian en = KBUFFER_ENDIAN_SAME_AS_HOST;
	struct kbuffer *kb;

	if (tep) {
		ls = tep_get_header_page_size(tep) == 4 ? KBUFFER_LSIZE_4 : KBUFFER_LSIZE_8;
		en = tep_is_file_bigendian(tep) ? KBUFFER_ENDIAN_BIG : KBUFFER_ENDIAN_LITTLE;
	}
	kb = kbuffer_alloc(ls, en);
	if (kb && tep && tep_is_old_format(tep))
		kbuffer_set_old_format(kb);
	return kb;
}

static bool host_little_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

static struct ftk_reader *reader_alloc(const struct ftk_reader_opts *o, bool offline)
{
	struct ftk_reader *r;
	int i;

	if (!o || o->ncpus <= 0 || (!o->dispatch && !o->page)) {
		errno = EINVAL;
		return NULL;
	}
	r = ftk_xcalloc(1, sizeof(*r));
	r->o = *o;
	r->offline = offline;
	r->ncpus = o->ncpus;
	r->subbuf = o->subbuf_size ? o->subbuf_size : (size_t)getpagesize();
	r->commit_size = o->tep && tep_get_header_page_size(o->tep) == 4 ? 4 : 8;
	if (!o->tep && sizeof(long) == 4)
		r->commit_size = 4;
	r->data_off = 8 + r->commit_size;
	r->fast = !o->use_kbuffer && r->commit_size == 8 && host_little_endian() &&
		  (!o->tep || (!tep_is_file_bigendian(o->tep) && !tep_is_old_format(o->tep)));
	r->cpus = ftk_xcalloc(r->ncpus, sizeof(*r->cpus));
	r->heap = ftk_xcalloc(r->ncpus, sizeof(*r->heap));
	for (i = 0; i < r->ncpus; i++) {
		r->cpus[i].cpu = i;
		r->cpus[i].fd = -1;
		r->cpus[i].stats_fd = -1;
	}
	return r;
}

static int cpu_setup(struct ftk_reader *r, struct cpu *c)
{
	c->kb = new_kbuffer(r->o.tep);
	if (!c->kb) {
		errno = ENOMEM;
		return -1;
	}
	c->present = true;
	if (r->o.dir) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", r->o.dir, c->cpu);
		c->stats_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	c->stats_ok = read_stats(c, &c->stats_base) == 0;
	return 0;
}

struct ftk_reader *ftk_reader_new(const struct ftk_reader_opts *o)
{
	struct ftk_reader *r = reader_alloc(o, false);
	int i, err, opened = 0;
	char path[4096];

	if (!r)
		return NULL;
	if (!o->dir) {
		ftk_reader_free(r);
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < r->ncpus; i++) {
		struct cpu *c = &r->cpus[i];

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", o->dir, i);
		c->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (c->fd < 0) {
			if (errno == ENOENT || errno == ENODEV)
				continue;	/* offline or impossible CPU */
			goto fail;
		}
		if (cpu_setup(r, c))
			goto fail;
		opened++;
	}
	if (!opened) {
		errno = ENOENT;		/* no per_cpu directory at all: wrong dir */
		goto fail;
	}
	return r;
fail:
	err = errno;
	ftk_reader_free(r);
	errno = err;
	return NULL;
}

struct ftk_reader *ftk_reader_new_offline(const struct ftk_reader_opts *o)
{
	struct ftk_reader *r = reader_alloc(o, true);
	int i;

	if (!r)
		return NULL;
	for (i = 0; i < r->ncpus; i++) {
		if (cpu_setup(r, &r->cpus[i])) {
			ftk_reader_free(r);
			errno = ENOMEM;
			return NULL;
		}
	}
	return r;
}

int ftk_reader_pollfds(struct ftk_reader *r, struct pollfd *fds, int max)
{
	int i, n = 0;

	for (i = 0; i < r->ncpus && n < max; i++) {
		if (r->cpus[i].fd < 0)
			continue;
		fds[n].fd = r->cpus[i].fd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

unsigned long long ftk_reader_lost(const struct ftk_reader *r)
{
	return r->lost;
}

unsigned long long ftk_reader_lost_cpu(const struct ftk_reader *r, int cpu)
{
	if (cpu < 0 || cpu >= r->ncpus)
		return 0;
	return r->cpus[cpu].lost;
}

unsigned long long ftk_reader_records(const struct ftk_reader *r)
{
	return r->records;
}

void ftk_reader_free(struct ftk_reader *r)
{
	struct page *p, *n;
	int i;

	if (!r)
		return;
	for (i = 0; i < r->ncpus; i++) {
		struct cpu *c = &r->cpus[i];

		if (c->fd >= 0)
			close(c->fd);
		if (c->stats_fd >= 0)
			close(c->stats_fd);
		for (p = c->head; p; p = n) {
			n = p->next;
			free(p);
		}
		kbuffer_free(c->kb);
	}
	for (p = r->free; p; p = n) {
		n = p->next;
		free(p);
	}
	free(r->cpus);
	free(r->heap);
	free(r);
}

bool ftk_reader_pending(const struct ftk_reader *r)
{
	for (int i = 0; i < r->ncpus; i++)
		if (r->cpus[i].rec)
			return true;
	return false;
}
