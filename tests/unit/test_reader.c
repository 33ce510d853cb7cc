// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_reader: the reader's decode/merge/loss path on real pages captured on this machine
 * (tests/data/pages, made by scripts/capture-pages) plus a few synthetic pages for cases a
 * capture cannot force (a time extend before the first record of a flagged page, malformed
 * headers). Not tests: `test_reader --bench [ROUNDS [kbuffer]]` is a micro-benchmark of
 * feed + decode + merge + dispatch on the captured pages (ns per record), `test_reader --live`
 * (root) checks the whole read path on this kernel (see live() below).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pages.h"

/* ---- real pages ------------------------------------------------------------------------- */

static void load_or_fail(struct pset *s, const char *name)
{
	if (pset_load(s, name))
		fail_msg("cannot load page set %s under %s", name, test_data_dir());
}

static long independent_count(const struct pset *s)
{
	long n = 0;
	int c, i;

	for (c = 0; c < s->ncpus; c++)
		for (i = 0; i < pset_npages(s, c); i++)
			n += page_walk(s, pset_page(s, c, i), NULL);
	return n;
}

/* Every record decodes, has a known event id, and its mono timestamp lies inside the
 * workload's CLOCK_MONOTONIC window (trace_clock=mono gives CLOCK_MONOTONIC ns). */
static void test_decode_basic(void **state)
{
	struct collect col = { 0 };
	struct ftk_reader *r;
	struct pset s;
	uint64_t t0, t1;
	long i, n;

	load_or_fail(&s, "basic");
	r = pset_reader(&s, &col, NULL);
	assert_non_null(r);
	pset_feed_all(r, &s);
	n = ftk_reader_drain(r, 0, true);
	assert_int_equal(n, independent_count(&s));
	assert_int_equal(col.n, n);
	assert_int_equal(ftk_reader_records(r), n);
	assert_true(n > 6000);
	t0 = pset_meta(&s, "mono_start");
	t1 = pset_meta(&s, "mono_end");
	for (i = 0; i < col.n; i++) {
		struct crec *x = &col.v[i];

		assert_true(x->size >= 8);
		assert_non_null(tep_find_event(s.tep, ftk_rec_type(x->data)));
		assert_true(ftk_rec_pid(x->data) > 0);
		if (x->ts < t0 || x->ts > t1)
			fail_msg("record %ld ts %llu outside [%llu, %llu]", i,
				 (unsigned long long)x->ts, (unsigned long long)t0,
				 (unsigned long long)t1);
	}
	assert_int_equal(col.nloss, 0);
	assert_int_equal(ftk_reader_lost(r), 0);
	ftk_reader_free(r);
	collect_free(&col);
	pset_free(&s);
}

/* The cross-CPU merge yields non-decreasing timestamps, and the two pinned getppid loops
 * really interleave across CPUs. */
static void test_merge_order(void **state)
{
	struct collect col = { 0 };
	struct ftk_reader *r;
	int switches = 0, cpus_seen = 0;
	struct pset s;
	long i;

	load_or_fail(&s, "basic");
	assert_int_equal(s.ncpus, 2);
	r = pset_reader(&s, &col, NULL);
	pset_feed_all(r, &s);
	ftk_reader_drain(r, 0, true);
	for (i = 1; i < col.n; i++) {
		assert_true(col.v[i].ts >= col.v[i - 1].ts);
		if (col.v[i].cpu != col.v[i - 1].cpu)
			switches++;
	}
	for (i = 0; i < col.n; i++)
		cpus_seen |= 1 << col.v[i].cpu;
	assert_int_equal(cpus_seen, 3);
	if (getenv("FTK_TEST_VERBOSE"))
		printf("merge: %ld records, %d CPU switches\n", col.n, switches);
	assert_true(switches >= 10);
	ftk_reader_free(r);
	collect_free(&col);
	pset_free(&s);
}

/* Drains with a clock: only records older than now - reorder are dispatched; the final
 * drain dispatches the rest; the concatenation is the same ordered stream. */
static void test_reorder_window(void **state)
{
	struct collect all = { 0 }, part = { 0 };
	struct ftk_reader_opts o;
	struct ftk_reader *r;
	uint64_t mid, reorder = 1000000;
	long i, n1, n2, expect = 0;
	struct pset s;

	load_or_fail(&s, "basic");
	r = pset_reader(&s, &all, NULL);
	pset_feed_all(r, &s);
	ftk_reader_drain(r, 0, true);
	ftk_reader_free(r);
	mid = all.v[all.n / 2].ts;
	for (i = 0; i < all.n; i++)
		if (all.v[i].ts <= mid)
			expect++;

	o = (struct ftk_reader_opts){ .ncpus = s.ncpus, .subbuf_size = PSET_SUBBUF, .tep = s.tep,
				      .reorder_ns = reorder, .dispatch = collect_rec,
				      .lost = collect_lost, .ctx = &part };
	r = ftk_reader_new_offline(&o);
	pset_feed_all(r, &s);
	assert_int_equal(ftk_reader_drain(r, 0, false), 0);
	n1 = ftk_reader_drain(r, mid + reorder, false);
	assert_int_equal(n1, expect);
	for (i = 0; i < n1; i++)
		assert_true(part.v[i].ts <= mid);
	n2 = ftk_reader_drain(r, mid + reorder, true);
	assert_int_equal(n1 + n2, all.n);
	for (i = 0; i < all.n; i++) {
		assert_int_equal(part.v[i].ts, all.v[i].ts);
		assert_int_equal(part.v[i].cpu, all.v[i].cpu);
	}
	ftk_reader_free(r);
	collect_free(&all);
	collect_free(&part);
	pset_free(&s);
}

/* Each missed-events flag of the captured overflow set is reported (count unknown offline)
 * immediately before the first record of the flagged page, in merged order. */
static void test_lost_flag_position(void **state)
{
	uint64_t first_ts[64];
	int first_cpu[64], nflag = 0, c, i, k;
	struct collect col = { 0 };
	struct ftk_reader *r;
	struct pset s;

	load_or_fail(&s, "lost");
	for (c = 0; c < s.ncpus; c++) {
		for (i = 0; i < pset_npages(&s, c); i++) {
			const unsigned char *p = pset_page(&s, c, i);

			if (!page_flagged(p))
				continue;
			assert_true(nflag < 64);
			assert_true(page_walk(&s, p, &first_ts[nflag]) > 0);
			first_cpu[nflag++] = c;
		}
	}
	assert_true(nflag >= 2);

	r = pset_reader(&s, &col, NULL);
	pset_feed_all(r, &s);
	ftk_reader_drain(r, 0, true);
	assert_int_equal(col.nloss, nflag);
	for (k = 0; k < col.nloss; k++) {
		struct closs *l = &col.loss[k];
		bool found = false;

		assert_int_equal(l->count, -1);
		assert_true(l->before < col.n);
		/* The next record from that CPU is the first record of a flagged page. */
		assert_int_equal(col.v[l->before].cpu, l->cpu);
		for (i = 0; i < nflag; i++)
			if (first_cpu[i] == l->cpu && first_ts[i] == col.v[l->before].ts)
				found = true;
		assert_true(found);
	}
	assert_int_equal(ftk_reader_lost(r), 0);
	ftk_reader_free(r);
	collect_free(&col);
	pset_free(&s);
}

/* ---- loss accounting with a fake per_cpu/cpuN/stats ------------------------------------- */

static char fake_dir[64];

static void write_stats(int cpu, unsigned long long overrun, unsigned long long dropped)
{
	char path[256], buf[512];

	snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", fake_dir, cpu);
	snprintf(buf, sizeof(buf),
		 "entries: 12\noverrun: %llu\ncommit overrun: 999\nbytes: 4096\n"
		 "oldest event ts:   638.306641\nnow ts:   638.324648\ndropped events: %llu\n"
		 "read events: 7252\n", overrun, dropped);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(buf, f);
	fclose(f);
}

static void make_fake_dir(void)
{
	char path[256];
	int c;

	snprintf(fake_dir, sizeof(fake_dir), "/tmp/ftk-test-reader-%d", getpid());
	mkdir(fake_dir, 0700);
	snprintf(path, sizeof(path), "%s/per_cpu", fake_dir);
	mkdir(path, 0700);
	for (c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d", fake_dir, c);
		mkdir(path, 0700);
	}
}

static void remove_fake_dir(void)
{
	char path[256];
	int c;

	for (c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", fake_dir, c);
		unlink(path);
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d", fake_dir, c);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/per_cpu", fake_dir);
	rmdir(path);
	rmdir(fake_dir);
}

static const unsigned char *find_page(const struct pset *s, int cpu, bool flagged)
{
	int i;

	for (i = 0; i < pset_npages(s, cpu); i++)
		if (page_flagged(pset_page(s, cpu, i)) == flagged &&
		    page_walk(s, pset_page(s, cpu, i), NULL) > 0)
			return pset_page(s, cpu, i);
	return NULL;
}

static void test_lost_stats_accounting(void **state)
{
	const unsigned char *flagged, *plain;
	struct collect col = { 0 };
	struct ftk_reader *r;
	struct pset s;

	load_or_fail(&s, "lost");
	flagged = find_page(&s, 0, true);
	plain = find_page(&s, 0, false);
	assert_non_null(flagged);
	assert_non_null(plain);
	make_fake_dir();
	write_stats(0, 100, 5);
	write_stats(1, 7, 0);

	r = pset_reader(&s, &col, fake_dir);
	ftk_reader_check_stats(r);
	assert_int_equal(col.nloss, 0);

	/* A flagged page reads the stats at once: 50 lost before its first record. */
	ftk_reader_feed(r, 0, plain, PSET_SUBBUF);
	write_stats(0, 150, 5);
	ftk_reader_feed(r, 0, flagged, PSET_SUBBUF);
	write_stats(0, 160, 5);		/* after the page: not this gap's */
	ftk_reader_drain(r, 0, true);
	assert_int_equal(col.nloss, 1);
	assert_int_equal(col.loss[0].cpu, 0);
	assert_int_equal(col.loss[0].count, 50);
	assert_int_equal(col.loss[0].before, page_walk(&s, plain, NULL));
	assert_int_equal(ftk_reader_lost(r), 50);

	/* The timer reports what no flag claimed, once. */
	ftk_reader_check_stats(r);
	assert_int_equal(col.nloss, 2);
	assert_int_equal(col.loss[1].count, 10);
	ftk_reader_check_stats(r);
	assert_int_equal(col.nloss, 2);
	write_stats(0, 160, 25);	/* dropped events count too */
	ftk_reader_check_stats(r);
	assert_int_equal(col.nloss, 3);
	assert_int_equal(col.loss[2].count, 20);

	/* A flag whose stats did not move: reported as unknown, counted as 0. */
	ftk_reader_feed(r, 1, flagged, PSET_SUBBUF);
	ftk_reader_drain(r, 0, true);
	assert_int_equal(col.nloss, 4);
	assert_int_equal(col.loss[3].cpu, 1);
	assert_int_equal(col.loss[3].count, -1);

	assert_int_equal(ftk_reader_lost(r), 80);
	assert_int_equal(ftk_reader_lost_cpu(r, 0), 80);
	assert_int_equal(ftk_reader_lost_cpu(r, 1), 0);
	ftk_reader_free(r);
	remove_fake_dir();
	collect_free(&col);
	pset_free(&s);
}

/* ---- synthetic pages -------------------------------------------------------------------- */

#define RB_PAD 29

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/*
 * A page whose first entry is a time extend, flagged as missed events with the kernel's
 * sign-extended flag word; kbuffer_missed_events() would look at the record after the
 * extend and say 0. Then two 12-byte records (type_len 3).
 */
static size_t synth_page(unsigned char *pg, uint64_t page_ts, uint64_t ext, bool flag)
{
	unsigned char *d = pg + 16;
	size_t size = 0;
	int i;

	memset(pg, 0, PSET_SUBBUF);
	put64(pg, page_ts);
	put32(d, 30 | (uint32_t)((ext & ((1 << 27) - 1)) << 5));	/* time extend */
	put32(d + 4, ext >> 27);
	size += 8;
	for (i = 0; i < 2; i++) {
		unsigned char *e = d + size;

		put32(e, 3 | (uint32_t)((10 * i) << 5));	/* type_len 3, delta 10*i */
		put32(e + 4, 0x1234);		/* common_type, flags, preempt */
		put32(e + 8, 4242 + i);		/* common_pid */
		put32(e + 12, 7);
		size += 16;
	}
	put64(pg + 8, size | (flag ? 0xffffffff80000000ULL : 0));
	return size;
}

static void test_time_extend_first(void **state)
{
	unsigned char pg[PSET_SUBBUF];
	struct collect col = { 0 };
	struct ftk_reader_opts o = { .ncpus = 1, .subbuf_size = PSET_SUBBUF,
				     .dispatch = collect_rec, .lost = collect_lost, .ctx = &col };
	struct ftk_reader *r = ftk_reader_new_offline(&o);
	uint64_t ext = (1ULL << 30) + 12345;

	synth_page(pg, 5000, ext, true);
	assert_int_equal(ftk_reader_feed(r, 0, pg, sizeof(pg)), 0);
	ftk_reader_drain(r, 0, true);
	assert_int_equal(col.n, 2);
	assert_int_equal(col.nloss, 1);
	assert_int_equal(col.loss[0].before, 0);
	assert_int_equal(col.v[0].ts, 5000 + ext);
	assert_int_equal(col.v[1].ts, 5000 + ext + 10);
	assert_int_equal(col.v[0].size, 12);
	assert_int_equal(ftk_rec_pid(col.v[0].data), 4242);
	assert_int_equal(ftk_rec_pid(col.v[1].data), 4243);
	assert_int_equal(ftk_rec_type(col.v[0].data), 0x1234);
	ftk_reader_free(r);
	collect_free(&col);
}

static void test_malformed_pages(void **state)
{
	unsigned char pg[PSET_SUBBUF];
	struct collect col = { 0 };
	struct ftk_reader_opts o = { .ncpus = 2, .subbuf_size = PSET_SUBBUF,
				     .dispatch = collect_rec, .lost = collect_lost, .ctx = &col };
	struct ftk_reader *r = ftk_reader_new_offline(&o);

	synth_page(pg, 100, 0, false);
	assert_int_equal(ftk_reader_feed(r, 0, pg, 10), 0);	/* shorter than a header */
	assert_int_equal(ftk_reader_feed(r, 2, pg, sizeof(pg)), -1);
	assert_int_equal(ftk_reader_feed(r, -1, pg, sizeof(pg)), -1);
	put64(pg + 8, 0);					/* empty page */
	ftk_reader_feed(r, 0, pg, sizeof(pg));
	put64(pg + 8, PSET_SUBBUF);				/* commit past the page */
	ftk_reader_feed(r, 1, pg, sizeof(pg));
	assert_int_equal(ftk_reader_drain(r, 0, true), 0);
	assert_int_equal(col.nloss, 0);
	/* A short read (partial page) is fine: only the committed part is decoded. */
	synth_page(pg, 100, 0, false);
	ftk_reader_feed(r, 1, pg, 16 + 8 + 32);
	assert_int_equal(ftk_reader_drain(r, 0, true), 2);
	ftk_reader_free(r);
	collect_free(&col);
}

/* Loss on an empty flagged page is still reported (before the next record of that CPU). */
static void test_flag_on_empty_page(void **state)
{
	unsigned char pg[PSET_SUBBUF];
	struct collect col = { 0 };
	struct ftk_reader_opts o = { .ncpus = 1, .subbuf_size = PSET_SUBBUF,
				     .dispatch = collect_rec, .lost = collect_lost, .ctx = &col };
	struct ftk_reader *r = ftk_reader_new_offline(&o);

	memset(pg, 0, sizeof(pg));
	put64(pg, 10);
	put64(pg + 8, 0xffffffff80000000ULL);
	ftk_reader_feed(r, 0, pg, sizeof(pg));
	assert_int_equal(ftk_reader_drain(r, 0, false), 0);
	synth_page(pg, 20, 0, false);
	ftk_reader_feed(r, 0, pg, sizeof(pg));
	ftk_reader_drain(r, 0, true);
	assert_int_equal(col.nloss, 1);
	assert_int_equal(col.loss[0].before, 0);
	assert_int_equal(col.n, 2);
	/* Alone at the end, it is reported by the final drain. */
	memset(pg, 0, sizeof(pg));
	put64(pg + 8, 0xffffffff80000000ULL);
	ftk_reader_feed(r, 0, pg, sizeof(pg));
	ftk_reader_drain(r, 0, true);
	assert_int_equal(col.nloss, 2);
	ftk_reader_free(r);
	collect_free(&col);
}

/* ---- inline decoder vs kbuffer ----------------------------------------------------------- */

static struct ftk_reader *reader_with(const struct pset *s, struct collect *c, bool kb)
{
	struct ftk_reader_opts o = { .ncpus = s->ncpus, .subbuf_size = PSET_SUBBUF, .tep = s->tep,
				     .dispatch = collect_rec, .lost = collect_lost, .ctx = c,
				     .use_kbuffer = kb };

	return ftk_reader_new_offline(&o);
}

static void assert_same(const struct collect *a, const struct collect *b)
{
	long i;
	int k;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].ts, b->v[i].ts);
		assert_int_equal(a->v[i].cpu, b->v[i].cpu);
		assert_int_equal(a->v[i].size, b->v[i].size);
		assert_memory_equal(a->v[i].data, b->v[i].data, a->v[i].size);
	}
	assert_int_equal(a->nloss, b->nloss);
	for (k = 0; k < a->nloss; k++) {
		assert_int_equal(a->loss[k].cpu, b->loss[k].cpu);
		assert_int_equal(a->loss[k].before, b->loss[k].before);
	}
}

/* Every captured page gives the same records through both decoders. */
static void test_inline_vs_kbuffer(void **state)
{
	static const char *const sets[] = { "basic", "lost" };

	for (unsigned int i = 0; i < FTK_ARRAY_SIZE(sets); i++) {
		struct collect a = { 0 }, b = { 0 };
		struct ftk_reader *ra, *rb;
		struct pset s;

		load_or_fail(&s, sets[i]);
		ra = reader_with(&s, &a, false);
		rb = reader_with(&s, &b, true);
		pset_feed_all(ra, &s);
		pset_feed_all(rb, &s);
		ftk_reader_drain(ra, 0, true);
		ftk_reader_drain(rb, 0, true);
		assert_true(a.n > 0);
		assert_same(&a, &b);
		ftk_reader_free(ra);
		ftk_reader_free(rb);
		collect_free(&a);
		collect_free(&b);
		pset_free(&s);
	}
}

/* A synthetic page with every entry kind: long record (type_len 0), padding with a delta,
 * time extend, absolute time stamp (top 5 bits kept from the page clock). */
static void test_entry_kinds(void **state)
{
	unsigned char pg[PSET_SUBBUF], *d = pg + 16;
	uint64_t page_ts = (0x08ULL << 56) + 1000, abs_ts = 777777777;
	struct collect a = { 0 }, b = { 0 };
	size_t o = 0;
	int i;

	memset(pg, 0, sizeof(pg));
	put64(pg, page_ts);
	put32(d + o, 2 | (5 << 5));		/* 8-byte record, delta 5 */
	put32(d + o + 4, 0x11);
	put32(d + o + 8, 1);
	o += 12;
	put32(d + o, 0 | (7 << 5));		/* long record: 150 data bytes (+2 pad) */
	put32(d + o + 4, 150 + 4);
	memset(d + o + 8, 0xab, 152);
	put32(d + o + 8 + 4, 2);
	o += 8 + 152;
	put32(d + o, RB_PAD | (9 << 5));	/* discarded event: padding, 12 bytes */
	put32(d + o + 4, 12);
	o += 4 + 12;
	put32(d + o, 30 | (3 << 5));		/* time extend: 2 << 27 | 3 */
	put32(d + o + 4, 2);
	o += 8;
	put32(d + o, 1 | (0 << 5));		/* 4-byte record */
	put32(d + o + 4, 3);
	o += 8;
	put32(d + o, 31 | (uint32_t)((abs_ts & ((1 << 27) - 1)) << 5));	/* absolute */
	put32(d + o + 4, abs_ts >> 27);
	o += 8;
	put32(d + o, 2 | (1 << 5));
	put32(d + o + 4, 0x22);
	put32(d + o + 8, 4);
	o += 12;
	put64(pg + 8, o);

	for (i = 0; i < 2; i++) {
		struct collect *c = i ? &b : &a;
		struct ftk_reader_opts op = { .ncpus = 1, .subbuf_size = PSET_SUBBUF,
					      .dispatch = collect_rec, .lost = collect_lost,
					      .ctx = c, .use_kbuffer = i };
		struct ftk_reader *r = ftk_reader_new_offline(&op);

		ftk_reader_feed(r, 0, pg, sizeof(pg));
		ftk_reader_drain(r, 0, true);
		ftk_reader_free(r);
	}
	assert_same(&a, &b);
	assert_int_equal(a.n, 4);
	assert_int_equal(a.v[0].ts, page_ts + 5);
	assert_int_equal(a.v[0].size, 8);
	assert_int_equal(a.v[1].ts, page_ts + 12);
	assert_int_equal(a.v[1].size, 152);
	assert_int_equal(a.v[1].data[4], 2);
	assert_int_equal(a.v[2].ts, page_ts + 12 + 9 + (2ULL << 27) + 3);
	assert_int_equal(a.v[2].size, 4);
	assert_int_equal(a.v[3].ts, (0x08ULL << 56) + abs_ts + 1);
	collect_free(&a);
	collect_free(&b);
}

/*
 * The live path (ftk_reader_new: open, read() page by page until no more, stats at open) on
 * a fake instance whose trace_pipe_raw files are regular files holding the captured pages;
 * cpu2 does not exist (offline CPU: skipped). Same records as feeding the pages.
 */
static void test_new_on_files(void **state)
{
	struct collect a = { 0 }, b = { 0 };
	struct ftk_reader_opts o;
	struct ftk_reader *r;
	struct pollfd fds[4];
	char path[256];
	struct pset s;
	FILE *f;
	int c;

	load_or_fail(&s, "basic");
	make_fake_dir();
	for (c = 0; c < 2; c++) {
		write_stats(c, 0, 0);
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", fake_dir, c);
		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(s.raw[c], 1, s.len[c], f), s.len[c]);
		fclose(f);
	}
	o = (struct ftk_reader_opts){ .dir = fake_dir, .ncpus = 3, .subbuf_size = PSET_SUBBUF,
				      .tep = s.tep, .dispatch = collect_rec, .lost = collect_lost,
				      .ctx = &a };
	r = ftk_reader_new(&o);
	assert_non_null(r);
	assert_int_equal(ftk_reader_pollfds(r, fds, 4), 2);
	assert_int_equal(ftk_reader_pollfds(r, fds, 1), 1);
	ftk_reader_drain(r, 0, true);
	assert_int_equal(ftk_reader_drain(r, 0, true), 0);
	ftk_reader_check_stats(r);
	assert_int_equal(a.nloss, 0);
	ftk_reader_free(r);

	r = pset_reader(&s, &b, NULL);
	pset_feed_all(r, &s);
	ftk_reader_drain(r, 0, true);
	ftk_reader_free(r);
	assert_true(a.n > 0);
	assert_same(&a, &b);

	for (c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", fake_dir, c);
		unlink(path);
	}
	remove_fake_dir();
	/* No such instance at all: an error, not a reader of nothing. */
	o.dir = "/nonexistent/ftk-test";
	errno = 0;
	assert_null(ftk_reader_new(&o));
	assert_int_equal(errno, ENOENT);
	collect_free(&a);
	collect_free(&b);
	pset_free(&s);
}

/* ---- micro-benchmark -------------------------------------------------------------------- */

struct bench_ctx {
	const struct tep_format_field *nr;
	uint64_t sum;
};

static void bench_rec(const struct ftk_rec *r, void *ctx)
{
	struct bench_ctx *b = ctx;

	b->sum += r->ts + ftk_rec_pid(r->data);
}

static int bench(int rounds, bool kb)
{
	struct bench_ctx b = { 0 };
	struct ftk_reader *r;
	struct timespec t0, t1;
	unsigned long long n;
	struct pset s;
	double ns;
	int k;

	if (pset_load(&s, "basic")) {
		fprintf(stderr, "test_reader: cannot load page set basic\n");
		return 1;
	}
	struct ftk_reader_opts o = { .ncpus = s.ncpus, .subbuf_size = PSET_SUBBUF, .tep = s.tep,
				     .dispatch = bench_rec, .ctx = &b, .use_kbuffer = kb };
	r = ftk_reader_new_offline(&o);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0; k < rounds; k++) {
		pset_feed_all(r, &s);
		ftk_reader_drain(r, 0, true);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	n = ftk_reader_records(r);
	ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("reader-decode: %llu records, %d rounds of %d+%d pages, %.1f ns/record "
	       "(feed copy + %s decode + merge + dispatch) [%llx]\n", n, rounds,
	       pset_npages(&s, 0), pset_npages(&s, 1), ns / n, kb ? "kbuffer" : "inline",
	       (unsigned long long)b.sum & 0xf);
	ftk_reader_free(r);
	pset_free(&s);
	return 0;
}

/* ---- live check (root; not a unit test) ----------------------------------------------------
 * `test_reader --live SECS [BUFKB [NCHILD [PAUSE_MS]]]`: a scratch instance
 * scratch-reader-<pid> (trace_clock=mono, buffer_percent=0, set_event_pid on NCHILD getppid
 * loops), read by ftk_reader_new/drain like the session does (poll, 1 ms batch, 10 ms reorder,
 * stats every 200 ms; PAUSE_MS of sleep after each drain provokes losses). Checks: every call
 * is either dispatched or counted lost (records + lost == calls), timestamps never go back,
 * and record ts are CLOCK_MONOTONIC (never ahead of the clock read after the drain).
 * Prints the reader's CPU time per event. Removes the instance at the end.
 */
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define TRACEFS "/sys/kernel/tracing"

struct live_ctx {
	int id;
	unsigned long long n, back, foreign, ahead;
	uint64_t last, now, max_lag;
	long long nlost, lost_unknown;
};

static void live_rec(const struct ftk_rec *r, void *ctx)
{
	struct live_ctx *l = ctx;

	l->n++;
	if (r->ts < l->last)
		l->back++;
	l->last = r->ts;
	if (ftk_rec_type(r->data) != l->id)
		l->foreign++;
	if (r->ts > l->now)
		l->ahead++;
	else if (l->now - r->ts > l->max_lag)
		l->max_lag = l->now - r->ts;
}

static void live_lost(int cpu, long long count, void *ctx)
{
	struct live_ctx *l = ctx;

	l->nlost++;
	if (count < 0)
		l->lost_unknown++;
}

static int inst_write(const char *dir, const char *file, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (ftk_write_file(path, val, false)) {
		fprintf(stderr, "live: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* Child: wait for the go byte, call getppid for secs, write the call count. */
static void live_child(int go, int out, double secs)
{
	unsigned long long calls = 0;
	uint64_t end;
	char c;

	if (read(go, &c, 1) != 1)
		_exit(1);
	end = ftk_now_mono() + (uint64_t)(secs * 1e9);
	while (ftk_now_mono() < end) {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		calls += 1000;
	}
	if (write(out, &calls, sizeof(calls)) != sizeof(calls))
		_exit(1);
	_exit(0);
}

static uint64_t cpu_ns(uint64_t *user)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec * 1000000000ULL + ru.ru_utime.tv_usec * 1000ULL;
	return *user + ru.ru_stime.tv_sec * 1000000000ULL + ru.ru_stime.tv_usec * 1000ULL;
}

static int live_loop(struct ftk_reader *r, struct live_ctx *l, pid_t *kids, int nkids,
		     int pause_ms)
{
	struct pollfd fds[64];
	int nfds = ftk_reader_pollfds(r, fds, 64), alive = nkids;
	uint64_t next_stats = ftk_now_mono() + 200000000ULL;

	while (alive) {
		if (poll(fds, nfds, 10) > 0)
			usleep(1000);
		l->now = ftk_now_mono();
		ftk_reader_drain(r, l->now, false);
		l->now = ftk_now_mono();
		if (l->now >= next_stats) {
			ftk_reader_check_stats(r);
			next_stats = l->now + 200000000ULL;
		}
		if (pause_ms)
			usleep(pause_ms * 1000);
		for (int i = 0; i < nkids; i++)
			if (kids[i] > 0 && waitpid(kids[i], NULL, WNOHANG) == kids[i]) {
				kids[i] = 0;
				alive--;
			}
	}
	return 0;
}

static int live(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 2;
	const char *bufkb = argc > 3 ? argv[3] : "2048";
	int nkids = argc > 4 ? atoi(argv[4]) : 1, pause_ms = argc > 5 ? atoi(argv[5]) : 0;
	int gop[2], outp[2], rc = 1, ncpus = sysconf(_SC_NPROCESSORS_CONF);
	unsigned long long calls = 0, c;
	struct live_ctx l = { 0 };
	struct ftk_reader *r = NULL;
	struct tep_handle *tep = NULL;
	struct tep_event *ev;
	char dir[256], pids[256] = "";
	pid_t kids[16] = { 0 };
	uint64_t c0, c1, u0, u1;

	if (nkids < 1 || nkids > 16)
		nkids = 1;
	snprintf(dir, sizeof(dir), TRACEFS "/instances/scratch-reader-%d", getpid());
	if (mkdir(dir, 0755)) {
		perror("live: mkdir instance");
		return 1;
	}
	if (pipe(gop) || pipe(outp))
		goto out;
	for (int i = 0; i < nkids; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			live_child(gop[0], outp[1], secs);
		snprintf(pids + strlen(pids), sizeof(pids) - strlen(pids), "%d ", kids[i]);
	}
	if (inst_write(dir, "tracing_on", "0") || inst_write(dir, "trace_clock", "mono") ||
	    inst_write(dir, "buffer_size_kb", bufkb) || inst_write(dir, "buffer_percent", "0") ||
	    inst_write(dir, "set_event_pid", pids) ||
	    inst_write(dir, "events/syscalls/sys_enter_getppid/enable", "1"))
		goto out;
	tep = ftk_tep_new(TRACEFS);
	ev = tep ? ftk_tep_load(tep, dir, "syscalls", "sys_enter_getppid") : NULL;
	if (!ev)
		goto out;
	l.id = ev->id;
	struct ftk_reader_opts o = { .dir = dir, .ncpus = ncpus, .subbuf_size = 4096, .tep = tep,
				     .reorder_ns = 10000000, .dispatch = live_rec,
				     .lost = live_lost, .ctx = &l };
	r = ftk_reader_new(&o);
	if (!r) {
		perror("live: ftk_reader_new");
		goto out;
	}
	inst_write(dir, "tracing_on", "1");
	c0 = cpu_ns(&u0);
	if (write(gop[1], pids, nkids) != nkids)
		goto out;
	live_loop(r, &l, kids, nkids, pause_ms);
	for (int i = 0; i < nkids; i++)
		if (read(outp[0], &c, sizeof(c)) == sizeof(c))
			calls += c;
	inst_write(dir, "tracing_on", "0");
	l.now = ftk_now_mono();
	ftk_reader_drain(r, l.now, true);
	ftk_reader_check_stats(r);
	c1 = cpu_ns(&u1);
	printf("live: %d child(ren), %.1f s, buffer %s KB, pause %d ms: calls %llu, records %llu, "
	       "lost %llu (%lld reports, %lld unknown), records+lost-calls %lld\n",
	       nkids, secs, bufkb, pause_ms, calls, ftk_reader_records(r), ftk_reader_lost(r),
	       l.nlost, l.lost_unknown,
	       (long long)(ftk_reader_records(r) + ftk_reader_lost(r)) - (long long)calls);
	printf("live: order violations %llu, foreign %llu, ts ahead of CLOCK_MONOTONIC %llu, "
	       "max dispatch lag %.1f ms, reader CPU %.1f ns/record (user %.1f)\n", l.back,
	       l.foreign, l.ahead, l.max_lag / 1e6, l.n ? (double)(c1 - c0) / l.n : 0.0,
	       l.n ? (double)(u1 - u0) / l.n : 0.0);
	rc = (l.back || l.foreign || l.ahead ||
	      ftk_reader_records(r) + ftk_reader_lost(r) != calls) ? 1 : 0;
out:
	for (int i = 0; i < nkids; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	ftk_reader_free(r);
	if (tep)
		tep_free(tep);
	inst_write(dir, "tracing_on", "0");
	inst_write(dir, "events/enable", "0");
	if (rmdir(dir))
		perror("live: rmdir instance");
	return rc;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_basic),
		cmocka_unit_test(test_merge_order),
		cmocka_unit_test(test_reorder_window),
		cmocka_unit_test(test_lost_flag_position),
		cmocka_unit_test(test_lost_stats_accounting),
		cmocka_unit_test(test_time_extend_first),
		cmocka_unit_test(test_malformed_pages),
		cmocka_unit_test(test_flag_on_empty_page),
		cmocka_unit_test(test_inline_vs_kbuffer),
		cmocka_unit_test(test_entry_kinds),
		cmocka_unit_test(test_new_on_files),
	};

	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench(argc > 2 ? atoi(argv[2]) : 200, argc > 3 && !strcmp(argv[3], "kbuffer"));
	if (argc > 1 && !strcmp(argv[1], "--live"))
		return live(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
