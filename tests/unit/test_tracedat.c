// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_tracedat: the recording path on pages captured on this machine (tests/data/pages):
 * the reader's spool mode hands every page over verbatim and counts what the decoder would
 * dispatch; the trace.dat v6 writer lays the sections out as the format says (checked byte by
 * byte here) with page-aligned per-CPU data identical to the spooled pages; and libtracecmd's
 * public read API (trace-cmd's own reader, when libtracecmd-dev is installed) opens the file
 * and reads back every record, with the loss marks of the "lost" set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/tracedat_write.h"
#include "pages.h"

#ifdef HAVE_LIBTRACECMD
#include <trace-cmd.h>
#endif

static void load_or_fail(struct pset *s, const char *name)
{
	if (pset_load(s, name))
		fail_msg("cannot load page set %s under %s", name, test_data_dir());
}

/* ---- spool ------------------------------------------------------------------------------ */

struct spooled {
	int fd[PSET_MAX_CPUS];
	uint64_t size[PSET_MAX_CPUS];
	long pages, lost_reports;
};

static void spool_page(int cpu, const void *data, size_t len, void *ctx)
{
	struct spooled *sp = ctx;

	assert_int_equal(len, PSET_SUBBUF);
	assert_int_equal(ftk_write_all(sp->fd[cpu], data, len), 0);
	sp->size[cpu] += len;
	sp->pages++;
}

static void spool_lost(int cpu, long long count, void *ctx)
{
	((struct spooled *)ctx)->lost_reports++;
}

/* Feed the set through a spool-mode reader into memfds; returns the records counted (with
 * libtraceevent's kbuffer walking the pages when kb is set, else the inline walker). */
static long spool_set_kb(const struct pset *s, struct spooled *sp, bool kb)
{
	struct ftk_reader_opts o = {
		.ncpus = s->ncpus, .subbuf_size = PSET_SUBBUF, .tep = s->tep,
		.page = spool_page, .lost = spool_lost, .ctx = sp, .use_kbuffer = kb,
	};
	struct ftk_reader *r;
	long n;

	memset(sp, 0, sizeof(*sp));
	for (int c = 0; c < s->ncpus; c++) {
		sp->fd[c] = memfd_create("spool", MFD_CLOEXEC);
		assert_true(sp->fd[c] >= 0);
	}
	r = ftk_reader_new_offline(&o);
	assert_non_null(r);
	pset_feed_all(r, s);
	ftk_reader_drain(r, 0, true);
	n = (long)ftk_reader_records(r);
	ftk_reader_free(r);
	return n;
}

static long spool_set(const struct pset *s, struct spooled *sp)
{
	return spool_set_kb(s, sp, false);
}

/* Pages a spool keeps: every page with data or a loss mark, in order. */
static size_t expected_spool(const struct pset *s, int c, unsigned char **out)
{
	size_t n = 0;

	*out = ftk_xmalloc(s->len[c] + 1);
	for (int i = 0; i < pset_npages(s, c); i++) {
		const unsigned char *p = pset_page(s, c, i);
		uint64_t commit;
		memcpy(&commit, p + 8, 8);
		if (!(commit & ((1ULL << 27) - 1)) && !(commit & (1ULL << 31)))
			continue;
		memcpy(*out + n, p, PSET_SUBBUF);
		n += PSET_SUBBUF;
	}
	return n;
}

/* ---- building the file ------------------------------------------------------------------ */

static struct ftk_td_blob file_blob(const char *dir, const char *rel)
{
	char path[2048];
	size_t n;
	char *p;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	p = ftk_read_file(path, &n);
	if (!p)
		fail_msg("cannot read %s", path);
	return ftk_td_blob(p, n);
}

static void add_formats(struct ftk_tracedat *td, const struct pset *s)
{
	char path[2048];
	struct dirent *a, *b;
	DIR *da, *db;

	snprintf(path, sizeof(path), "%s/events", s->dir);
	da = opendir(path);
	assert_non_null(da);
	while ((a = readdir(da))) {
		if (a->d_name[0] == '.' || a->d_type != DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/events/%s", s->dir, a->d_name);
		db = opendir(path);
		while (db && (b = readdir(db))) {
			char rel[1024];
			if (b->d_name[0] == '.' || b->d_type != DT_DIR)
				continue;
			snprintf(rel, sizeof(rel), "events/%s/%s/format", a->d_name, b->d_name);
			ftk_td_add_format(td, a->d_name, file_blob(s->dir, rel));
		}
		if (db)
			closedir(db);
	}
	closedir(da);
}

/* Writes the set's trace.dat to path; returns the spool's record count. */
static long build_file(const struct pset *s, const char *path, struct spooled *sp)
{
	struct ftk_tracedat td = { 0 };
	long n = spool_set(s, sp);
	int fd;

	td.page_size = PSET_SUBBUF;
	td.header_page = file_blob(s->dir, "events/header_page");
	td.header_event = file_blob(s->dir, "events/header_event");
	add_formats(&td, s);
	td.cmdlines = ftk_td_str("1 init\n4242 ftkdemo\n", 0);
	td.clock = ftk_td_str("local global counter uptime perf [mono] mono_raw boot", 0);
	for (int c = 0; c < s->ncpus; c++) {
		struct ftk_buf b = { 0 };
		char rel[64];
		snprintf(rel, sizeof(rel), "stats.cpu%d", c);
		struct ftk_td_blob st = file_blob(s->dir, rel);
		ftk_buf_printf(&b, "CPU: %d\n%.*s", c, (int)st.len, st.p);
		free(st.p);
		ftk_td_add_option(&td, FTK_TD_OPT_CPUSTAT, ftk_td_blob(b.p, b.len + 1));
	}
	ftk_td_add_option(&td, FTK_TD_OPT_VERSION, ftk_td_str("ftk test", 1));
	td.ncpus = s->ncpus;
	td.cpu_fd = sp->fd;
	td.cpu_size = sp->size;
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftk_td_write(fd, &td), 0);
	close(fd);
	td.cpu_fd = NULL;
	td.cpu_size = NULL;
	ftk_td_free(&td);
	return n;
}

static void spool_close(struct spooled *sp, int ncpus)
{
	for (int c = 0; c < ncpus; c++)
		close(sp->fd[c]);
}

/* ---- reading it back by hand ------------------------------------------------------------ */

struct cur {
	const unsigned char *p;
	size_t len, off;
};

static uint64_t get(struct cur *c, int n)
{
	uint64_t v = 0;

	assert_true(c->off + n <= c->len);
	memcpy(&v, c->p + c->off, n);
	c->off += n;
	return v;
}

static void expect(struct cur *c, const void *s, size_t n)
{
	assert_true(c->off + n <= c->len);
	assert_memory_equal(c->p + c->off, s, n);
	c->off += n;
}

static void skip_blob(struct cur *c, int szlen)
{
	uint64_t n = get(c, szlen);
	assert_true(c->off + n <= c->len);
	c->off += n;
}

/* The v6 layout, section by section, and the data equal to the kept pages. */
static void check_layout(const struct pset *s, const char *path, int nformats)
{
	size_t len;
	unsigned char *f = (unsigned char *)ftk_read_file(path, &len);
	struct cur c = { f, len, 0 };
	uint64_t off[PSET_MAX_CPUS], size[PSET_MAX_CPUS];
	int nsys, total = 0;

	assert_non_null(f);
	expect(&c, "\x17\x08\x44tracing6", 11);
	expect(&c, "", 1);
	assert_int_equal(get(&c, 1), 0);	/* little endian */
	assert_int_equal(get(&c, 1), 8);
	assert_int_equal(get(&c, 4), PSET_SUBBUF);
	expect(&c, "header_page", 12);
	skip_blob(&c, 8);
	expect(&c, "header_event", 13);
	skip_blob(&c, 8);
	assert_int_equal(get(&c, 4), 0);	/* no ftrace formats in the set */
	nsys = (int)get(&c, 4);
	for (int i = 0; i < nsys; i++) {
		const char *name = (const char *)f + c.off;
		c.off += strlen(name) + 1;
		int n = (int)get(&c, 4);
		for (int k = 0; k < n; k++)
			skip_blob(&c, 8);
		total += n;
	}
	assert_int_equal(total, nformats);
	assert_int_equal(get(&c, 4), 0);	/* kallsyms */
	assert_int_equal(get(&c, 4), 0);	/* printk */
	uint64_t cl = get(&c, 8);
	expect(&c, "1 init\n4242 ftkdemo\n", cl);
	assert_int_equal(get(&c, 4), s->ncpus);
	expect(&c, "options  ", 10);
	for (;;) {
		uint16_t id = (uint16_t)get(&c, 2);
		if (!id)
			break;
		uint32_t n = (uint32_t)get(&c, 4);
		if (id == FTK_TD_OPT_TRACECLOCK)
			assert_string_equal((const char *)f + c.off,
					    "local global counter uptime perf [mono] mono_raw boot");
		c.off += n;
	}
	expect(&c, "flyrecord", 10);
	for (int i = 0; i < s->ncpus; i++) {
		off[i] = get(&c, 8);
		size[i] = get(&c, 8);
		assert_int_equal(off[i] % PSET_SUBBUF, 0);
	}
	cl = get(&c, 8);
	expect(&c, "local global counter uptime perf [mono] mono_raw boot", cl);
	for (int i = 0; i < s->ncpus; i++) {
		unsigned char *want;
		size_t n = expected_spool(s, i, &want);
		assert_int_equal(size[i], n);
		assert_true(off[i] >= c.off && off[i] + n <= len);
		assert_memory_equal(f + off[i], want, n);
		free(want);
	}
	free(f);
}

static int count_formats(const struct pset *s)
{
	struct ftk_tracedat td = { 0 };
	int n = 0;

	add_formats(&td, s);
	for (int i = 0; i < td.nsystems; i++)
		n += td.systems[i].n;
	ftk_td_free(&td);
	return n;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* Spool mode counts exactly the records the decode path dispatches, and keeps the pages. */
static void test_spool_counts(void **state)
{
	struct collect col = { 0 };
	struct spooled sp;
	struct pset s;

	load_or_fail(&s, "basic");
	struct ftk_reader *r = pset_reader(&s, &col, NULL);
	pset_feed_all(r, &s);
	long decoded = ftk_reader_drain(r, 0, true);
	ftk_reader_free(r);
	long spooled = spool_set(&s, &sp);
	assert_int_equal(spooled, decoded);
	assert_true(spooled > 6000);
	assert_int_equal(sp.lost_reports, 0);
	spool_close(&sp, s.ncpus);
	assert_int_equal(spool_set_kb(&s, &sp, true), decoded);
	spool_close(&sp, s.ncpus);
	collect_free(&col);
	pset_free(&s);
}

/* The loss set: every flagged page is reported (count unknown offline) and kept. */
static void test_spool_lost(void **state)
{
	struct spooled sp;
	struct pset s;
	long flagged = 0;

	load_or_fail(&s, "lost");
	for (int c = 0; c < s.ncpus; c++)
		for (int i = 0; i < pset_npages(&s, c); i++)
			flagged += page_flagged(pset_page(&s, c, i));
	assert_true(flagged > 0);
	spool_set(&s, &sp);
	assert_int_equal(sp.lost_reports, flagged);
	spool_close(&sp, s.ncpus);
	pset_free(&s);
}

static void tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/ftk-test-%d-%s.dat", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)getpid(), name);
}

static void test_layout(void **state)
{
	const char *sets[] = { "basic", "lost" };

	for (size_t k = 0; k < FTK_ARRAY_SIZE(sets); k++) {
		struct spooled sp;
		struct pset s;
		char path[1024];

		load_or_fail(&s, sets[k]);
		tmp_path(path, sizeof(path), sets[k]);
		build_file(&s, path, &sp);
		check_layout(&s, path, count_formats(&s));
		spool_close(&sp, s.ncpus);
		unlink(path);
		pset_free(&s);
	}
}

#ifdef HAVE_LIBTRACECMD
struct counts {
	long records, missed, getppid;
};

static int count_rec(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *ctx)
{
	struct counts *n = ctx;
	struct tep_event *ev = tep_find_event_by_record(tracecmd_get_tep(h), rec);

	assert_non_null(ev);
	if (!strcmp(ev->name, "sys_enter_getppid"))
		n->getppid++;
	if (rec->missed_events)
		n->missed++;
	n->records++;
	return 0;
}

/* trace-cmd's reader: every record comes back, with its event, and the losses. */
static void read_back(const char *set, long *records, long *missed, long *getppid)
{
	struct spooled sp;
	struct pset s;
	char path[1024];
	struct tracecmd_input *h;
	struct counts n = { 0 };

	load_or_fail(&s, set);
	tmp_path(path, sizeof(path), set);
	long want = build_file(&s, path, &sp);
	h = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
	assert_non_null(h);
	assert_int_equal(tracecmd_iterate_events(h, NULL, 0, count_rec, &n), 0);
	assert_int_equal(n.records, want);
	*records = n.records;
	*missed = n.missed;
	*getppid = n.getppid;
	tracecmd_close(h);
	spool_close(&sp, s.ncpus);
	unlink(path);
	pset_free(&s);
}

static void test_libtracecmd_basic(void **state)
{
	long records, missed, getppid;

	read_back("basic", &records, &missed, &getppid);
	assert_true(records > 6000);
	assert_int_equal(missed, 0);
	/* the capture's perl loops: 1000 + 3000 calls (scripts/capture-pages) */
	assert_true(getppid >= 4000);
}

static void test_libtracecmd_lost(void **state)
{
	long records, missed, getppid;

	read_back("lost", &records, &missed, &getppid);
	assert_true(missed > 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spool_counts),
		cmocka_unit_test(test_spool_lost),
		cmocka_unit_test(test_layout),
#ifdef HAVE_LIBTRACECMD
		cmocka_unit_test(test_libtracecmd_basic),
		cmocka_unit_test(test_libtracecmd_lost),
#endif
	};

#ifndef HAVE_LIBTRACECMD
	printf("note: libtracecmd-dev not installed: trace-cmd's reader is not checked here\n");
#endif
	return cmocka_run_group_tests(tests, NULL, NULL);
}
