// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_reader: the reader's decode/merge/loss path on real pages captured on this machine
 * (tests/data/pages, made by scripts/capture-pages) plus a few synthetic pages for cases a
 * capture cannot force (a time extend before the first record of a flagged page, malformed
 * headers). `test_reader --bench [rounds]` is a micro-benchmark of feed + decode + merge
 * (not a test): it prints ns per record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
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
	assert_true(switches > 20);
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

static int bench(int rounds)
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
				     .dispatch = bench_rec, .ctx = &b };
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
	       "(feed copy + kbuffer decode + merge + dispatch) [%llx]\n", n, rounds,
	       pset_npages(&s, 0), pset_npages(&s, 1), ns / n, (unsigned long long)b.sum & 0xf);
	ftk_reader_free(r);
	pset_free(&s);
	return 0;
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
	};

	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench(argc > 2 ? atoi(argv[2]) : 200);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
