// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the block I/O engine of biosnoop/biolatency (src/cmd/bio/): the pairing
 * table on hand-made sequences (flushes that complete at sector -1, requeues, merges, front
 * merges, partial completions, two requests at one sector, loss resets, the bound), the
 * disk table on a fake /sys/class/block, and the whole path on REAL pages captured on the
 * 6.18 host (tests/data/block, capture.sh there): the known O_DIRECT writes and reads come
 * out exactly once each with the right pid, type, bytes and disk, through both tracepoint
 * backends. The histograms are tested in test_histogram.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd/bio/disks.h"
#include "cmd/bio/pairing.h"
#include "cmd/bio/sources.h"
#include "core/output.h"
#include "core/reader.h"
#include "core/session_int.h"
#include "core/util.h"

#define VDA bio_mkdev(254, 0)
#define MS 1000000ULL

/* ---- pairing table ---- */

static void test_simple_pair(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_start(t, 100, VDA, 800, 128, 42, "dd", false);
	bio_track_issue(t, 150, VDA, 800, 128, 65536, "WS");
	assert_int_equal(bio_track_pending(t), 1);
	assert_true(bio_track_complete(t, 2150, VDA, 800, 128, 0, &io));
	assert_int_equal(io.pid, 42);
	assert_string_equal(io.comm, "dd");
	assert_string_equal(io.rwbs, "WS");
	assert_int_equal(io.bytes, 65536);
	assert_int_equal(io.sector, 800);
	assert_int_equal(io.start_ts, 100);
	assert_int_equal(io.issue_ts, 150);
	assert_int_equal(io.done_ts, 2150);
	assert_int_equal(bio_track_pending(t), 0);
	/* A second completion of the same key has nothing to pair with. */
	assert_false(bio_track_complete(t, 2200, VDA, 800, 128, 0, &io));
	assert_int_equal(bio_track_stats(t)->unpaired, 1);
	assert_int_equal(bio_track_stats(t)->completed, 1);
	bio_track_free(t);
}

static void test_other_dev_does_not_pair(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_issue(t, 10, VDA, 8, 8, 4096, "R");
	assert_false(bio_track_complete(t, 20, bio_mkdev(8, 0), 8, 8, 0, &io));
	assert_true(bio_track_complete(t, 30, VDA, 8, 8, 0, &io));
	assert_int_equal(io.pid, -1);	/* issued without a submission seen */
	assert_int_equal(bio_track_stats(t)->unattributed, 1);
	bio_track_free(t);
}

/* As on 6.18: io_start FWS 0+0 (dd), issue FF 0+0 (kworker), complete FF at sector -1, then
 * the original WS 0+0 completes without ever being issued. */
static void test_flush(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_start(t, 100, VDA, 0, 0, 7, "dd", false);
	bio_track_issue(t, 115, VDA, 0, 0, 0, "FF");
	assert_true(bio_track_complete(t, 6115, VDA, UINT64_MAX, 0, 0, &io));
	assert_int_equal(io.pid, 7);
	assert_string_equal(io.rwbs, "FF");
	assert_int_equal(io.bytes, 0);
	assert_int_equal(io.done_ts - io.issue_ts, 6000);
	assert_false(bio_track_complete(t, 6120, VDA, 0, 0, 0, &io));
	assert_int_equal(bio_track_pending(t), 0);

	/* A device without a volatile cache: the flush completes at once, never issued. Its
	 * submission must not linger to be adopted by a later flush. */
	bio_track_start(t, 7000, VDA, 0, 0, 8, "sync", false);
	assert_false(bio_track_complete(t, 7001, VDA, 0, 0, 0, &io));
	assert_int_equal(bio_track_pending(t), 0);
	bio_track_issue(t, 9000, VDA, 0, 0, 0, "FF");
	assert_true(bio_track_complete(t, 9500, VDA, UINT64_MAX, 0, 0, &io));
	assert_int_equal(io.pid, -1);
	bio_track_free(t);
}

static void test_requeue_restarts_latency(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_start(t, 10, VDA, 64, 8, 5, "fio", false);
	bio_track_issue(t, 20, VDA, 64, 8, 4096, "W");
	bio_track_requeue(t, VDA, 64, 8);
	bio_track_issue(t, 500, VDA, 64, 8, 4096, "W");
	assert_int_equal(bio_track_pending(t), 1);
	assert_true(bio_track_complete(t, 700, VDA, 64, 8, 0, &io));
	assert_int_equal(io.issue_ts, 500);
	assert_int_equal(io.start_ts, 10);
	assert_int_equal(io.pid, 5);
	bio_track_free(t);
}

static void test_two_in_flight_same_sector(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_start(t, 10, VDA, 64, 8, 1, "a", false);
	bio_track_issue(t, 20, VDA, 64, 8, 4096, "W");
	bio_track_start(t, 30, VDA, 64, 8, 2, "b", false);
	bio_track_issue(t, 40, VDA, 64, 8, 4096, "W");
	assert_int_equal(bio_track_pending(t), 2);
	assert_true(bio_track_complete(t, 100, VDA, 64, 8, 0, &io));
	assert_int_equal(io.pid, 1);
	assert_int_equal(io.issue_ts, 20);
	assert_true(bio_track_complete(t, 110, VDA, 64, 8, 0, &io));
	assert_int_equal(io.pid, 2);
	assert_int_equal(io.issue_ts, 40);
	bio_track_free(t);
}

/* Two processes read the same block at once: both requests are pending at one key, each is
 * reported once and attributed to one of them (the tracepoints carry no request id). */
static void test_same_block_two_submitters(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;
	int seen = 0;

	bio_track_start(t, 10, VDA, 64, 8, 1, "a", false);
	bio_track_start(t, 11, VDA, 64, 8, 2, "b", false);
	bio_track_issue(t, 20, VDA, 64, 8, 4096, "R");
	bio_track_issue(t, 21, VDA, 64, 8, 4096, "R");
	assert_true(bio_track_complete(t, 30, VDA, 64, 8, 0, &io));
	seen |= 1 << io.pid;
	assert_true(bio_track_complete(t, 31, VDA, 64, 8, 0, &io));
	seen |= 1 << io.pid;
	assert_int_equal(seen, 6);
	assert_int_equal(bio_track_stats(t)->unattributed, 0);
	assert_int_equal(bio_track_pending(t), 0);
	bio_track_free(t);
}

/* Legacy backends: bio_queue order is not the request order when submitters sleep for a
 * tag; rq_insert (in the submitter's context) tells the dispatch order. */
static void test_insert_orders_same_block(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_start(t, 10, VDA, 64, 8, 1, "a", false);	/* bio_queue a */
	bio_track_start(t, 11, VDA, 64, 8, 2, "b", false);	/* bio_queue b */
	bio_track_start(t, 12, VDA, 64, 8, 2, "b", true);	/* rq_insert b first */
	bio_track_issue(t, 20, VDA, 64, 8, 4096, "R");
	bio_track_start(t, 21, VDA, 64, 8, 1, "a", true);
	bio_track_issue(t, 22, VDA, 64, 8, 4096, "R");
	assert_true(bio_track_complete(t, 30, VDA, 64, 8, 0, &io));
	assert_int_equal(io.pid, 2);
	assert_int_equal(io.start_ts, 11);	/* queue time still from the bio */
	assert_true(bio_track_complete(t, 31, VDA, 64, 8, 0, &io));
	assert_int_equal(io.pid, 1);
	assert_int_equal(io.start_ts, 10);
	bio_track_free(t);
}

static void test_merges(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	/* rq_merge: the request is gone before issue. */
	bio_track_start(t, 10, VDA, 1000, 8, 3, "x", false);
	bio_track_merged(t, VDA, 1000, 8);
	assert_int_equal(bio_track_pending(t), 0);

	/* front merge: request at 1008 (pid 4) takes a bio of 8 sectors at 1000 in front. */
	bio_track_start(t, 20, VDA, 1008, 8, 4, "req", false);
	bio_track_start(t, 25, VDA, 1000, 8, 9, "bio", false);	/* bio_queue backends */
	bio_track_frontmerge(t, VDA, 1000, 8);
	assert_int_equal(bio_track_pending(t), 1);
	bio_track_issue(t, 30, VDA, 1000, 16, 8192, "W");
	assert_true(bio_track_complete(t, 90, VDA, 1000, 16, 0, &io));
	assert_int_equal(io.pid, 4);
	assert_int_equal(io.start_ts, 20);
	assert_int_equal(io.sector, 1000);
	assert_int_equal(io.bytes, 8192);
	bio_track_free(t);
}

static void test_weak_start(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_start(t, 10, VDA, 64, 8, 11, "writer", false);	/* bio_queue */
	bio_track_start(t, 15, VDA, 64, 8, 99, "kworker", true);	/* rq_insert */
	bio_track_issue(t, 20, VDA, 64, 8, 4096, "W");
	assert_true(bio_track_complete(t, 30, VDA, 64, 8, 0, &io));
	assert_int_equal(io.pid, 11);
	assert_int_equal(io.start_ts, 10);

	bio_track_start(t, 40, VDA, 72, 8, 99, "kworker", true);	/* insert alone */
	bio_track_issue(t, 50, VDA, 72, 8, 4096, "W");
	assert_true(bio_track_complete(t, 60, VDA, 72, 8, 0, &io));
	assert_int_equal(io.pid, 99);
	bio_track_free(t);
}

static void test_partial_completion(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_issue(t, 10, VDA, 2048, 16, 8192, "R");
	assert_false(bio_track_complete(t, 20, VDA, 2048, 8, 0, &io));
	assert_int_equal(bio_track_pending(t), 1);
	assert_true(bio_track_complete(t, 30, VDA, 2056, 8, 0, &io));
	assert_int_equal(io.sector, 2048);
	assert_int_equal(io.bytes, 8192);
	assert_int_equal(io.done_ts, 30);
	assert_int_equal(bio_track_stats(t)->unpaired, 0);

	/* An error completes the request whatever the count. */
	bio_track_issue(t, 40, VDA, 4096, 16, 8192, "R");
	assert_true(bio_track_complete(t, 50, VDA, 4096, 8, -5, &io));
	assert_int_equal(io.error, -5);
	bio_track_free(t);
}

static void test_reset_on_loss(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;

	bio_track_start(t, 10, VDA, 64, 8, 1, "a", false);
	bio_track_issue(t, 20, VDA, 64, 8, 4096, "W");
	bio_track_issue(t, 25, VDA, 128, 8, 4096, "W");
	bio_track_reset(t);
	assert_int_equal(bio_track_pending(t), 0);
	assert_false(bio_track_complete(t, 30, VDA, 64, 8, 0, &io));
	assert_false(bio_track_complete(t, 31, VDA, 128, 8, 0, &io));
	assert_int_equal(bio_track_stats(t)->resets, 1);
	bio_track_free(t);
}

static void test_bounded(void **state)
{
	struct bio_track *t = bio_track_new(64);
	struct bio_io io;
	int paired = 0;

	/* Stale submissions (merged away unseen) age out; the table never overflows. */
	for (int i = 0; i < 1000; i++)
		bio_track_start(t, (uint64_t)i * 10 * MS, VDA, (uint64_t)i * 8, 8, i, "s", false);
	assert_true(bio_track_pending(t) <= 64);
	assert_true(bio_track_stats(t)->evicted > 0);
	/* Many in flight at once: all pair when they fit. */
	bio_track_reset(t);
	for (int i = 0; i < 40; i++)
		bio_track_issue(t, 1, VDA, (uint64_t)i * 8, 8, 4096, "R");
	for (int i = 39; i >= 0; i--)
		paired += bio_track_complete(t, 2, VDA, (uint64_t)i * 8, 8, 0, &io);
	assert_int_equal(paired, 40);
	assert_int_equal(bio_track_pending(t), 0);
	bio_track_free(t);
}

/* Random operations against a brute-force list: deletion with backward shift keeps every
 * entry findable. */
static void test_table_vs_reference(void **state)
{
	struct bio_track *t = bio_track_new(256);
	uint64_t live[128];
	int nlive = 0;
	struct bio_io io;

	srand(1);
	for (int step = 0; step < 200000; step++) {
		if (nlive < 128 && (rand() % 2 || !nlive)) {
			uint64_t s = (uint64_t)(rand() % 4096) * 8;
			bool dup = false;

			for (int i = 0; i < nlive; i++)
				dup |= live[i] == s;
			if (dup)
				continue;
			bio_track_issue(t, step, VDA, s, 8, 4096, "R");
			live[nlive++] = s;
		} else {
			int i = rand() % nlive;

			assert_true(bio_track_complete(t, step, VDA, live[i], 8, 0, &io));
			assert_int_equal(io.sector, live[i]);
			live[i] = live[--nlive];
		}
		assert_int_equal(bio_track_pending(t), nlive);
	}
	bio_track_free(t);
}

/* ---- disks ---- */

static void mkfile(const char *path, const char *txt)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(txt, f);
	fclose(f);
}

static void test_disks(void **state)
{
	char root[] = "/tmp/ftk-test-bio.XXXXXX", p[256], q[1024], list[256];
	struct bio_disks d = { 0 };
	const struct bio_disk *k;
	uint32_t dev = 0;

	assert_non_null(mkdtemp(root));
	/* devices/vda/{dev,vda1/{dev,partition}}, class/{vda,vda1} -> symlinks, like sysfs. */
	snprintf(p, sizeof(p), "%s/devices/vda/vda1", root);
	snprintf(q, sizeof(q), "mkdir -p %s %s/class %s/devices/nullb0", p, root, root);
	assert_int_equal(system(q), 0);
	snprintf(p, sizeof(p), "%s/devices/vda/dev", root);
	mkfile(p, "254:0\n");
	snprintf(p, sizeof(p), "%s/devices/vda/vda1/dev", root);
	mkfile(p, "254:1\n");
	snprintf(p, sizeof(p), "%s/devices/vda/vda1/partition", root);
	mkfile(p, "1\n");
	snprintf(p, sizeof(p), "%s/devices/nullb0/dev", root);
	mkfile(p, "251:0\n");
	snprintf(q, sizeof(q),
		 "cd %s/class && ln -s ../devices/vda vda && ln -s ../devices/vda/vda1 vda1 && "
		 "ln -s ../devices/nullb0 nullb0", root);
	assert_int_equal(system(q), 0);
	snprintf(p, sizeof(p), "%s/class", root);
	assert_int_equal(bio_disks_load(&d, p), 0);
	assert_int_equal(d.n, 3);
	k = bio_disks_by_name(&d, "vda1");
	assert_non_null(k);
	assert_true(k->partition);
	assert_int_equal(k->dev, bio_mkdev(254, 1));
	assert_int_equal(k->disk_dev, VDA);
	assert_string_equal(bio_disk_name(&d, VDA), "vda");
	assert_string_equal(bio_disk_name(&d, bio_mkdev(251, 0)), "nullb0");
	assert_string_equal(bio_disk_name(&d, bio_mkdev(9, 9)), "?");
	bio_disks_list(&d, list, sizeof(list));
	assert_string_equal(list, "nullb0, vda");
	assert_int_equal(bio_resolve_disk(&d, "vda", &dev), 0);
	assert_int_equal(dev, VDA);
	assert_int_equal(bio_resolve_disk(&d, "vda1", &dev), -ENOENT);
	assert_int_equal(bio_resolve_disk(&d, "sdz", &dev), -ENOENT);
	bio_disks_free(&d);
	snprintf(q, sizeof(q), "rm -rf %s", root);
	assert_int_equal(system(q), 0);
}

static void test_parse_ms(void **state)
{
	double v;

	assert_int_equal(bio_parse_ms("5", &v), 0);
	assert_true(v == 5);
	assert_int_equal(bio_parse_ms("0.5", &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(bio_parse_ms("0", &v), 0);
	assert_int_equal(bio_parse_ms("-1", &v), -EINVAL);
	assert_int_equal(bio_parse_ms("5ms", &v), -EINVAL);
	assert_int_equal(bio_parse_ms("", &v), -EINVAL);
	assert_int_equal(bio_parse_ms("nan", &v), -EINVAL);
}

/* ---- real pages ---- */

#define MAX_IOS 512

struct replay {
	struct ftk_event ev[BIO_KIND_COUNT];
	struct ftk_event *by_id[65536];
	struct bio_io ios[MAX_IOS];
	int nios;
	long records;
};

static void replay_done(const struct bio_io *io, void *ctx)
{
	struct replay *r = ctx;

	assert_true(r->nios < MAX_IOS);
	r->ios[r->nios++] = *io;
}

static void replay_dispatch(const struct ftk_rec *rec, void *ctx)
{
	struct replay *r = ctx;
	struct ftk_event *ev = r->by_id[ftk_rec_type(rec->data)];

	r->records++;
	if (ev && ev->fn)
		ev->fn(ev, rec, ev->ctx);
}

static void replay_lost(int cpu, long long count, void *ctx)
{
	fail_msg("captured pages hold a loss on cpu %d", cpu);
}

static const enum bio_kind kinds_io_start[] = { BIO_KIND_START, BIO_KIND_ISSUE, BIO_KIND_COMPLETE,
						BIO_KIND_REQUEUE, BIO_KIND_MERGE, BIO_KIND_FRONTMERGE };
/* 3.10: no block_rq_merge (nor block_io_start) */
static const enum bio_kind kinds_310[] = { BIO_KIND_BIO_QUEUE, BIO_KIND_INSERT, BIO_KIND_ISSUE,
					   BIO_KIND_COMPLETE, BIO_KIND_REQUEUE, BIO_KIND_BACKMERGE,
					   BIO_KIND_FRONTMERGE };
static const enum bio_kind kinds_legacy[] = { BIO_KIND_BIO_QUEUE, BIO_KIND_INSERT, BIO_KIND_ISSUE,
					      BIO_KIND_COMPLETE, BIO_KIND_REQUEUE, BIO_KIND_MERGE,
					      BIO_KIND_BACKMERGE, BIO_KIND_FRONTMERGE };

/* Feeds every captured sub-buffer of SET through the reader into a bio_src of the given
 * kinds; the completed I/Os land in r->ios. */
static void replay(const char *set, const enum bio_kind *kinds, size_t nkinds,
		   struct replay *r)
{
	char dir[512], path[1024];
	struct tep_handle *tep;
	struct bio_source *b;
	struct ftk_reader *rd;
	int ncpus = 0;

	snprintf(dir, sizeof(dir), "%s/block/%s", FTK_TEST_DATA, set);
	tep = ftk_tep_new(dir);
	assert_non_null(tep);
	memset(r, 0, sizeof(*r));
	b = bio_source_new(0, 4096, replay_done, r);
	for (size_t i = 0; i < nkinds; i++) {
		struct ftk_event *ev = &r->ev[kinds[i]];

		ev->system = "block";
		ev->name = (char *)bio_kind_event(kinds[i]);
		ev->tep = ftk_tep_load(tep, dir, "block", ev->name);
		assert_non_null(ev->tep);
		ev->id = ev->tep->id;
		r->by_id[ev->id & 0xffff] = ev;
		bio_source_attach(b, ev, kinds[i]);
	}
	assert_int_equal(bio_source_bind(b), 0);
	while (1) {
		snprintf(path, sizeof(path), "%s/cpu%d.raw", dir, ncpus);
		if (access(path, R_OK))
			break;
		ncpus++;
	}
	assert_true(ncpus > 0);
	struct ftk_reader_opts o = { .ncpus = ncpus, .subbuf_size = 4096, .tep = tep,
				     .dispatch = replay_dispatch, .lost = replay_lost, .ctx = r };
	rd = ftk_reader_new_offline(&o);
	assert_non_null(rd);
	for (int c = 0; c < ncpus; c++) {
		size_t len;
		char *buf;

		snprintf(path, sizeof(path), "%s/cpu%d.raw", dir, c);
		buf = ftk_read_file(path, &len);
		assert_non_null(buf);
		for (size_t off = 0; off + 4096 <= len; off += 4096)
			assert_int_equal(ftk_reader_feed(rd, c, buf + off, 4096), 0);
		free(buf);
	}
	ftk_reader_drain(rd, UINT64_MAX, true);
	bio_source_flush(b);
	assert_true(r->records > 0);
	ftk_reader_free(rd);
	bio_source_free(b);
	tep_free(tep);
}

/* "write pid N ..." from workload.txt */
static pid_t workload_pid(const char *set, const char *what)
{
	char path[1024], *txt, *p;
	pid_t pid = -1;

	snprintf(path, sizeof(path), "%s/block/%s/workload.txt", FTK_TEST_DATA, set);
	txt = ftk_read_file(path, NULL);
	assert_non_null(txt);
	p = strstr(txt, what);
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(what), " pid %d", &pid), 1);
	free(txt);
	return pid;
}

static int count_ios(const struct replay *r, pid_t pid, const char *rwbs, uint32_t bytes)
{
	int n = 0;

	for (int i = 0; i < r->nios; i++) {
		const struct bio_io *io = &r->ios[i];

		if (io->pid != pid || strcmp(io->rwbs, rwbs) || io->bytes != bytes)
			continue;
		assert_int_equal(io->dev, VDA);
		assert_true(io->done_ts > io->issue_ts);
		assert_true(io->start_ts && io->start_ts <= io->issue_ts);
		assert_string_equal(io->comm, "dd");
		/* exactly once: no other report of the same request */
		for (int j = 0; j < i; j++)
			assert_false(r->ios[j].sector == io->sector &&
				     r->ios[j].issue_ts == io->issue_ts);
		n++;
	}
	return n;
}

static void check_direct(const enum bio_kind *kinds, size_t n)
{
	struct replay *r = malloc(sizeof(*r));
	pid_t w = workload_pid("direct", "write"), rd = workload_pid("direct", "read");

	assert_non_null(r);
	replay("direct", kinds, n, r);
	assert_int_equal(count_ios(r, w, "WS", 65536), 4);
	assert_int_equal(count_ios(r, rd, "RS", 16384), 4);
	/* conv=fsync: the flush dd asked for is issued by a kworker and completes at sector -1,
	 * and is still dd's. */
	assert_int_equal(count_ios(r, w, "FF", 0), 1);
	free(r);
}

static void test_real_direct_io_start(void **state)
{
	check_direct(kinds_io_start, FTK_ARRAY_SIZE(kinds_io_start));
}

static void test_real_direct_legacy(void **state)
{
	check_direct(kinds_legacy, FTK_ARRAY_SIZE(kinds_legacy));
}

static void test_real_buffered(void **state)
{
	struct replay *r = malloc(sizeof(*r));
	int n = 0;

	assert_non_null(r);
	replay("buffered", kinds_io_start, FTK_ARRAY_SIZE(kinds_io_start), r);
	/* sync(1) writes the 2 MiB file back itself, in one request. */
	for (int i = 0; i < r->nios; i++)
		if (r->ios[i].bytes == 2097152 && strcmp(r->ios[i].comm, "sync") == 0 &&
		    r->ios[i].rwbs[0] == 'W')
			n++;
	assert_int_equal(n, 1);
	for (int i = 0; i < r->nios; i++)
		assert_true(r->ios[i].done_ts >= r->ios[i].issue_ts);
	free(r);
}

/*
 * 3.10 guest, virtio-blk (legacy request queue), tests/data/block/nested-3.10 (made by
 * capture-nested.sh): four processes read the same 50 blocks at once. Completions written by
 * the virtio irq while CPU 0 was writing a bioio's block_bio_queue carry that record's stamp
 * (nested records had no running stamp before 5.10) and sort before their own issue on CPU
 * 1 (trace.txt: the two completions of sector 40 at 4.396676, its issues at 4.396710 and
 * 4.396780). Every read is still reported once, to one of the four, never before its issue.
 */
static void test_real_nested_stamps(void **state)
{
	struct replay *r = malloc(sizeof(*r));
	pid_t p[4];
	int total = 0;
	char *txt;

	assert_non_null(r);
	txt = ftk_read_file(FTK_TEST_DATA "/block/nested-3.10/workload.txt", NULL);
	assert_non_null(txt);
	assert_int_equal(sscanf(txt, "read pid %d bytes 4096 count 50 type R\n"
			 "read pid %d bytes 4096 count 50 type R\n"
			 "read pid %d bytes 4096 count 50 type R\n"
			 "read pid %d bytes 4096 count 50 type R", &p[0], &p[1], &p[2], &p[3]), 4);
	free(txt);
	replay("nested-3.10", kinds_310, FTK_ARRAY_SIZE(kinds_310), r);
	for (int k = 0; k < 4; k++) {
		int n = 0;

		for (int i = 0; i < r->nios; i++) {
			const struct bio_io *io = &r->ios[i];

			if (io->pid != p[k])
				continue;
			assert_string_equal(io->rwbs, "R");
			assert_int_equal(io->bytes, 4096);
			assert_int_equal(io->dev, VDA);
			assert_string_equal(io->comm, "bioio");
			n++;
		}
		assert_true(n >= 1 && n <= 50);
		total += n;
	}
	assert_int_equal(total, 200);
	assert_int_equal(r->nios, 200);
	for (int i = 0; i < r->nios; i++)
		assert_true(r->ios[i].done_ts >= r->ios[i].issue_ts);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_pair),
		cmocka_unit_test(test_other_dev_does_not_pair),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_requeue_restarts_latency),
		cmocka_unit_test(test_two_in_flight_same_sector),
		cmocka_unit_test(test_same_block_two_submitters),
		cmocka_unit_test(test_insert_orders_same_block),
		cmocka_unit_test(test_merges),
		cmocka_unit_test(test_weak_start),
		cmocka_unit_test(test_partial_completion),
		cmocka_unit_test(test_reset_on_loss),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_table_vs_reference),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_parse_ms),
		cmocka_unit_test(test_real_direct_io_start),
		cmocka_unit_test(test_real_direct_legacy),
		cmocka_unit_test(test_real_buffered),
		cmocka_unit_test(test_real_nested_stamps),
	};

	ftk_prog = "test_bio";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
