// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_merge: the reader's cross-CPU merge (a min-heap on (timestamp, CPU)) and its unordered
 * dispatch, on ring-buffer pages built here in the kernel's layout (page header: 8-byte time
 * stamp, 8-byte commit word with bit 31 = events missed before this page; entries: 32-bit
 * header type_len:5 | time_delta:27, then the record) and on the captured page sets of
 * tests/data/pages. Each built record carries its CPU and its sequence number on that CPU, so
 * the order of every dispatched record can be checked against what was fed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "pages.h"

#define NCPU 5
#define REC_WORDS 3	/* type_len 3: 12-byte records: common_type, cpu, seq */

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* One page of CPU `cpu`: records at the absolute times ts[0..n-1] (non-decreasing, deltas
 * below 2^27), numbered from seq0; `missed` sets the missed-events flag. */
static void build_page(unsigned char *pg, int cpu, const uint64_t *ts, int n, uint32_t seq0,
		       bool missed)
{
	unsigned char *d = pg + 16;
	uint64_t clock = ts[0];
	size_t o = 0;

	memset(pg, 0, PSET_SUBBUF);
	put64(pg, clock);
	for (int i = 0; i < n; i++) {
		uint64_t delta = ts[i] - clock;

		assert_true(delta < (1u << 27));
		assert_true(o + 4 + 4 * REC_WORDS <= PSET_SUBBUF - 16);
		put32(d + o, REC_WORDS | (uint32_t)(delta << 5));
		put32(d + o + 4, 0x77);		/* common_type */
		put32(d + o + 8, (uint32_t)cpu);
		put32(d + o + 12, seq0 + i);
		o += 4 + 4 * REC_WORDS;
		clock = ts[i];
	}
	put64(pg + 8, o | (missed ? 0xffffffff80000000ULL : 0));
}

static int rec_cpu(const struct crec *x) { return (int)get32(x->data + 4); }
static uint32_t rec_seq(const struct crec *x) { return get32(x->data + 8); }

static struct ftk_reader *reader(struct collect *col, int ncpus, bool unordered, const char *dir)
{
	struct ftk_reader_opts o = { .dir = dir, .ncpus = ncpus, .subbuf_size = PSET_SUBBUF,
				     .unordered = unordered, .dispatch = collect_rec,
				     .lost = collect_lost, .ctx = col };

	return ftk_reader_new_offline(&o);
}

/* A deterministic stream: CPU c has PAGES pages of PER records; times advance by 0..3 ns
 * (equal times within a CPU and across CPUs are frequent); page 1 of CPU 2 is flagged. */
#define PAGES 4
#define PER 50
static uint64_t stream_ts[NCPU][PAGES][PER];

static void make_stream(void)
{
	uint32_t lcg = 12345;

	for (int c = 0; c < NCPU; c++) {
		uint64_t t = 1000000 + (c % 2);	/* two CPUs start on the same time */

		for (int p = 0; p < PAGES; p++)
			for (int i = 0; i < PER; i++) {
				lcg = lcg * 1103515245 + 12345;
				t += (lcg >> 16) % 4;
				stream_ts[c][p][i] = t;
			}
	}
}

/* Feed the stream page by page, CPUs interleaved, as a live read would see them. */
static void feed_stream(struct ftk_reader *r)
{
	unsigned char pg[PSET_SUBBUF];

	for (int p = 0; p < PAGES; p++)
		for (int c = 0; c < NCPU; c++) {
			build_page(pg, c, stream_ts[c][p], PER, p * PER, c == 2 && p == 1);
			assert_int_equal(ftk_reader_feed(r, c, pg, sizeof(pg)), 0);
		}
}

/* Within each CPU: every record, in sequence. */
static void assert_per_cpu_complete(const struct collect *col)
{
	uint32_t next[NCPU] = { 0 };

	assert_int_equal(col->n, NCPU * PAGES * PER);
	for (long i = 0; i < col->n; i++) {
		int c = rec_cpu(&col->v[i]);

		assert_true(c >= 0 && c < NCPU);
		assert_int_equal(col->v[i].cpu, c);
		assert_int_equal(rec_seq(&col->v[i]), next[c]);
		assert_int_equal(col->v[i].ts, stream_ts[c][next[c] / PER][next[c] % PER]);
		next[c]++;
	}
}

/* The loss mark of the flagged page: one report on CPU 2, just before its record 50. */
static void assert_gap(const struct collect *col)
{
	assert_int_equal(col->nloss, 1);
	assert_int_equal(col->loss[0].cpu, 2);
	assert_true(col->loss[0].before < col->n);
	assert_int_equal(rec_cpu(&col->v[col->loss[0].before]), 2);
	assert_int_equal(rec_seq(&col->v[col->loss[0].before]), PER);
	for (long i = 0; i < col->loss[0].before; i++)
		if (rec_cpu(&col->v[i]) == 2)
			assert_true(rec_seq(&col->v[i]) < PER);
}

/* Merged: (ts, cpu) never goes back, so equal times come lowest CPU first, each CPU in
 * sequence, and the gap is reported in place. */
static void test_heap_order(void **state)
{
	struct collect col = { 0 };
	struct ftk_reader *r;
	long ties = 0;

	make_stream();
	r = reader(&col, NCPU, false, NULL);
	feed_stream(r);
	assert_int_equal(ftk_reader_drain(r, 0, true), NCPU * PAGES * PER);
	assert_per_cpu_complete(&col);
	for (long i = 1; i < col.n; i++) {
		const struct crec *a = &col.v[i - 1], *b = &col.v[i];

		assert_true(a->ts <= b->ts);
		if (a->ts == b->ts && a->cpu != b->cpu) {
			assert_true(a->cpu < b->cpu);
			ties++;
		}
	}
	assert_true(ties > 20);		/* the stream does exercise equal times across CPUs */
	assert_gap(&col);
	assert_int_equal(ftk_reader_records(r), col.n);
	assert_false(ftk_reader_pending(r));
	ftk_reader_free(r);
	collect_free(&col);
}

/* Every CPU at the very same times: round-robin by CPU number at each time. */
static void test_equal_timestamps(void **state)
{
	unsigned char pg[PSET_SUBBUF];
	uint64_t ts[6] = { 500, 500, 500, 600, 600, 700 };
	struct collect col = { 0 };
	struct ftk_reader *r = reader(&col, 4, false, NULL);

	for (int c = 3; c >= 0; c--) {		/* fed highest CPU first: order must not care */
		build_page(pg, c, ts, 6, 0, false);
		ftk_reader_feed(r, c, pg, sizeof(pg));
	}
	assert_int_equal(ftk_reader_drain(r, 0, true), 24);
	for (long i = 0; i < col.n; i++) {
		/* 500: cpu0 #0 #1 #2, cpu1 #0 #1 #2, ...; then 600 likewise; then 700 */
		int grp = i < 12 ? 0 : i < 20 ? 1 : 2, base = grp == 0 ? 0 : grp == 1 ? 12 : 20;
		int width = grp == 0 ? 3 : grp == 1 ? 2 : 1, k = i - base;

		assert_int_equal(col.v[i].cpu, k / width);
		assert_int_equal(rec_seq(&col.v[i]), (grp == 0 ? 0 : grp == 1 ? 3 : 5) + k % width);
	}
	ftk_reader_free(r);
	collect_free(&col);
}

/* A drain bounded by the reorder window dispatches exactly the records at or before the
 * bound, in order; the rest follows in the final drain. */
static void test_heap_window(void **state)
{
	struct collect col = { 0 };
	struct ftk_reader_opts o = { .ncpus = NCPU, .subbuf_size = PSET_SUBBUF, .reorder_ns = 100,
				     .dispatch = collect_rec, .lost = collect_lost, .ctx = &col };
	struct ftk_reader *r = ftk_reader_new_offline(&o);
	uint64_t bound;
	long expect = 0, n1;

	make_stream();
	bound = stream_ts[0][1][PER / 2];
	feed_stream(r);
	for (int c = 0; c < NCPU; c++)
		for (int p = 0; p < PAGES; p++)
			for (int i = 0; i < PER; i++)
				expect += stream_ts[c][p][i] <= bound;
	n1 = ftk_reader_drain(r, bound + 100, false);
	assert_int_equal(n1, expect);
	assert_true(ftk_reader_pending(r));
	for (long i = 0; i < n1; i++)
		assert_true(col.v[i].ts <= bound);
	ftk_reader_drain(r, 0, true);
	assert_per_cpu_complete(&col);
	for (long i = 1; i < col.n; i++)
		assert_true(col.v[i - 1].ts <= col.v[i].ts);
	ftk_reader_free(r);
	collect_free(&col);
}

/* ---- unordered ---------------------------------------------------------------------------- */

static char fake_dir[64];

static void write_stats(int cpu, unsigned long long overrun)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", fake_dir, cpu);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "entries: 0\noverrun: %llu\ncommit overrun: 0\ndropped events: 0\n", overrun);
	fclose(f);
}

static void fake_instance(bool make)
{
	char path[256];

	snprintf(fake_dir, sizeof(fake_dir), "/tmp/ftk-test-merge-%d", getpid());
	if (make) {
		mkdir(fake_dir, 0700);
		snprintf(path, sizeof(path), "%s/per_cpu", fake_dir);
		mkdir(path, 0700);
	}
	for (int c = 0; c < NCPU; c++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d", fake_dir, c);
		if (make) {
			mkdir(path, 0700);
			write_stats(c, 0);
			continue;
		}
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", fake_dir, c);
		unlink(path);
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d", fake_dir, c);
		rmdir(path);
	}
	if (!make) {
		snprintf(path, sizeof(path), "%s/per_cpu", fake_dir);
		rmdir(path);
		rmdir(fake_dir);
	}
}

/* Run the stream through a reader whose per-CPU stats say CPU 2 lost 37 events when its
 * flagged page arrives; returns the reader's total lost. */
static unsigned long long run_stream(struct collect *col, bool unordered, long *pending)
{
	unsigned char pg[PSET_SUBBUF];
	struct ftk_reader *r = reader(col, NCPU, unordered, fake_dir);
	unsigned long long lost;

	for (int c = 0; c < NCPU; c++)
		write_stats(c, 0);
	ftk_reader_check_stats(r);
	for (int p = 0; p < PAGES; p++) {
		for (int c = 0; c < NCPU; c++) {
			if (c == 2 && p == 1)
				write_stats(2, 37);
			build_page(pg, c, stream_ts[c][p], PER, p * PER, c == 2 && p == 1);
			ftk_reader_feed(r, c, pg, sizeof(pg));
		}
		/* An intermediate drain at a clock that holds everything when ordered. */
		ftk_reader_drain(r, 0, false);
		if (p == 0)
			*pending = col->n;
	}
	ftk_reader_drain(r, 0, true);
	ftk_reader_check_stats(r);
	lost = ftk_reader_lost(r);
	assert_int_equal(ftk_reader_records(r), col->n);
	ftk_reader_free(r);
	return lost;
}

/* Unordered: everything is delivered at the first drain after it is fed (nothing held),
 * each CPU in sequence, with the same loss report (place and count) as the merge. */
static void test_unordered(void **state)
{
	struct collect a = { 0 }, b = { 0 };
	long pa, pb;

	make_stream();
	fake_instance(true);
	assert_int_equal(run_stream(&a, false, &pa), 37);
	assert_int_equal(run_stream(&b, true, &pb), 37);
	fake_instance(false);
	assert_int_equal(pa, 0);		/* ordered: held by the window */
	assert_int_equal(pb, NCPU * PER);	/* unordered: the first pages, at once */
	assert_per_cpu_complete(&a);
	assert_per_cpu_complete(&b);
	assert_gap(&a);
	assert_gap(&b);
	assert_int_equal(a.loss[0].count, 37);
	assert_int_equal(b.loss[0].count, 37);
	/* Unordered is CPU by CPU within a drain: the first drain gives CPU 0's page first. */
	for (long i = 0; i < PER; i++)
		assert_int_equal(b.v[i].cpu, 0);
	collect_free(&a);
	collect_free(&b);
}

/* Records of CPU c from index *i on in col: the next one (and its index), or NULL. */
static const struct crec *next_of(const struct collect *col, int c, long *i)
{
	while (*i < col->n && col->v[*i].cpu != c)
		(*i)++;
	return *i < col->n ? &col->v[*i] : NULL;
}

/* Loss reports of CPU c placed just before record i. */
static int losses_at(const struct collect *col, int c, long i)
{
	int n = 0;

	for (int q = 0; q < col->nloss; q++)
		n += col->loss[q].cpu == c && col->loss[q].before == i;
	return n;
}

/* One captured set: the unordered reader gives each CPU's records exactly as the merged one
 * does, with the loss reports at the same place in that CPU's stream. */
static void same_per_cpu(const char *set)
{
	struct collect a = { 0 }, b = { 0 };
	struct ftk_reader *ra, *rb;
	struct pset s;

	if (pset_load(&s, set))
		fail_msg("cannot load page set %s", set);
	ra = pset_reader(&s, &a, NULL);
	rb = reader(&b, s.ncpus, true, NULL);
	pset_feed_all(ra, &s);
	pset_feed_all(rb, &s);
	ftk_reader_drain(ra, 0, true);
	ftk_reader_drain(rb, 0, true);
	assert_true(a.n > 1000);
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.nloss, b.nloss);
	for (int c = 0; c < s.ncpus; c++) {
		const struct crec *x, *y;
		long i = 0, j = 0;

		while ((x = next_of(&a, c, &i)) && (y = next_of(&b, c, &j))) {
			assert_int_equal(x->ts, y->ts);
			assert_int_equal(x->size, y->size);
			assert_memory_equal(x->data, y->data, x->size);
			assert_int_equal(losses_at(&a, c, i), losses_at(&b, c, j));
			i++;
			j++;
		}
		assert_null(next_of(&a, c, &i));
		assert_null(next_of(&b, c, &j));
	}
	ftk_reader_free(ra);
	ftk_reader_free(rb);
	collect_free(&a);
	collect_free(&b);
	pset_free(&s);
}

/* Captured pages: two real CPUs, and the overflow set with its missed-events flags. */
static void test_unordered_captured(void **state)
{
	same_per_cpu("basic");
	same_per_cpu("lost");
}

/* A live read stops at a page less than half full (the kernel's page being written: reading
 * on would chase the writer) and takes the rest at the next drain; the final drain reads to
 * the end. trace_pipe_raw is a regular file of built pages here. */
static void test_partial_page_stop(void **state)
{
	unsigned char pg[2][PSET_SUBBUF];
	uint64_t ts[250];
	struct collect col = { 0 };
	char path[256];
	FILE *f;

	for (int i = 0; i < 250; i++)
		ts[i] = 1000 + i;
	build_page(pg[0], 0, ts, 3, 0, false);		/* 48 bytes: partial */
	build_page(pg[1], 0, ts + 3, 247, 3, false);	/* 3952 bytes: full */
	fake_instance(true);
	snprintf(path, sizeof(path), "%s/per_cpu/cpu0/trace_pipe_raw", fake_dir);
	for (int final = 0; final < 2; final++) {
		struct ftk_reader_opts o = { .dir = fake_dir, .ncpus = 1,
					     .subbuf_size = PSET_SUBBUF, .unordered = true,
					     .dispatch = collect_rec, .lost = collect_lost,
					     .ctx = &col };
		struct ftk_reader *r;

		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(pg, 1, sizeof(pg), f), sizeof(pg));
		fclose(f);
		r = ftk_reader_new(&o);
		assert_non_null(r);
		if (final) {
			assert_int_equal(ftk_reader_drain(r, 0, true), 250);
		} else {
			assert_int_equal(ftk_reader_drain(r, 0, false), 3);
			assert_int_equal(ftk_reader_drain(r, 0, false), 247);
			assert_int_equal(ftk_reader_drain(r, 0, false), 0);
		}
		ftk_reader_free(r);
	}
	unlink(path);
	fake_instance(false);
	assert_int_equal(col.n, 500);
	collect_free(&col);
}

/* The final drain reads every CPU to its end, past the per-drain cap (256 pages): a backlog
 * left unread would be removed with the instance, lost without being counted. In order. */
static void test_final_drain_backlog(void **state)
{
	static unsigned char pg[PSET_SUBBUF];
	struct collect col = { 0 };
	char path[256];
	FILE *f[2];

	fake_instance(true);
	for (int c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", fake_dir, c);
		f[c] = fopen(path, "w");
		assert_non_null(f[c]);
	}
	/* CPU 0: 600 pages (ts 0, 2, 4 ...), CPU 1: 300 pages (ts 1, 5, 9 ...) */
	for (int i = 0; i < 600; i++) {
		uint64_t ts[2] = { 1000 + 4 * i, 1000 + 4 * i + 2 };

		build_page(pg, 0, ts, 2, 2 * i, false);
		assert_int_equal(fwrite(pg, 1, sizeof(pg), f[0]), sizeof(pg));
		if (i % 2)
			continue;
		ts[0] = 1000 + 8 * (i / 2) + 1;
		ts[1] = ts[0] + 4;
		build_page(pg, 1, ts, 2, i, false);
		assert_int_equal(fwrite(pg, 1, sizeof(pg), f[1]), sizeof(pg));
	}
	fclose(f[0]);
	fclose(f[1]);
	struct ftk_reader_opts o = { .dir = fake_dir, .ncpus = 2, .subbuf_size = PSET_SUBBUF,
				     .dispatch = collect_rec, .lost = collect_lost, .ctx = &col };
	struct ftk_reader *r = ftk_reader_new(&o);

	assert_non_null(r);
	assert_int_equal(ftk_reader_drain(r, 0, true), 1800);
	for (long i = 1; i < col.n; i++)
		assert_true(col.v[i - 1].ts <= col.v[i].ts);
	ftk_reader_free(r);
	for (int c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/trace_pipe_raw", fake_dir, c);
		unlink(path);
	}
	fake_instance(false);
	collect_free(&col);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap_order),
		cmocka_unit_test(test_equal_timestamps),
		cmocka_unit_test(test_heap_window),
		cmocka_unit_test(test_unordered),
		cmocka_unit_test(test_unordered_captured),
		cmocka_unit_test(test_partial_page_stop),
		cmocka_unit_test(test_final_drain_backlog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
