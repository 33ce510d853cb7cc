/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pages.h (unit tests): loads a page set captured by scripts/capture-pages from
 * tests/data/pages/<set>/ (header_page, formats, cpuN.raw sub-buffers, meta), builds its tep
 * with ftk_tep_new/ftk_tep_load, and collects the records a reader dispatches (copied, since
 * the reader recycles its pages). Header-only: each test program includes it once.
 */
#ifndef FTK_TEST_PAGES_H
#define FTK_TEST_PAGES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kbuffer.h>

#include "core/reader.h"
#include "core/session_int.h"
#include "core/util.h"

#define PSET_MAX_CPUS 8
#define PSET_SUBBUF 4096

struct pset {
	char dir[1024];
	struct tep_handle *tep;
	int ncpus;
	unsigned char *raw[PSET_MAX_CPUS];
	size_t len[PSET_MAX_CPUS];
	char *meta;
};

static inline const char *test_data_dir(void)
{
	const char *d = getenv("FTK_TEST_DATA");

#ifdef FTK_TEST_DATA
	if (!d)
		d = FTK_TEST_DATA;
#endif
	return d ? d : "tests/data";
}

static inline void pset_load_formats(struct pset *s)
{
	char path[2048];
	struct dirent *a, *b;
	DIR *da, *db;

	snprintf(path, sizeof(path), "%s/events", s->dir);
	da = opendir(path);
	if (!da)
		return;
	while ((a = readdir(da))) {
		if (a->d_name[0] == '.' || a->d_type != DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/events/%s", s->dir, a->d_name);
		db = opendir(path);
		if (!db)
			continue;
		while ((b = readdir(db)))
			if (b->d_name[0] != '.' && b->d_type == DT_DIR)
				ftk_tep_load(s->tep, s->dir, a->d_name, b->d_name);
		closedir(db);
	}
	closedir(da);
}

/* 0 on success. */
static inline int pset_load(struct pset *s, const char *name)
{
	char path[2048];
	int c;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s/pages/%s", test_data_dir(), name);
	s->tep = ftk_tep_new(s->dir);
	if (!s->tep)
		return -1;
	pset_load_formats(s);
	for (c = 0; c < PSET_MAX_CPUS; c++) {
		snprintf(path, sizeof(path), "%s/cpu%d.raw", s->dir, c);
		s->raw[c] = (unsigned char *)ftk_read_file(path, &s->len[c]);
		if (!s->raw[c])
			break;
	}
	s->ncpus = c;
	snprintf(path, sizeof(path), "%s/meta", s->dir);
	s->meta = ftk_read_file(path, NULL);
	return s->ncpus > 0 && s->meta ? 0 : -1;
}

static inline long long pset_meta(const struct pset *s, const char *key)
{
	size_t kl = strlen(key);
	const char *l = s->meta;

	while (l && *l) {
		if (!strncmp(l, key, kl) && l[kl] == '=')
			return strtoll(l + kl + 1, NULL, 10);
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return -1;
}

static inline int pset_npages(const struct pset *s, int cpu)
{
	return s->len[cpu] / PSET_SUBBUF;
}

static inline const unsigned char *pset_page(const struct pset *s, int cpu, int i)
{
	return s->raw[cpu] + (size_t)i * PSET_SUBBUF;
}

static inline void pset_free(struct pset *s)
{
	int c;

	for (c = 0; c < s->ncpus; c++)
		free(s->raw[c]);
	free(s->meta);
	if (s->tep)
		tep_free(s->tep);
}

/* Collected records and loss marks. */
struct crec {
	uint64_t ts;
	int cpu;
	int size;
	unsigned char *data;
};

struct closs {
	int cpu;
	long long count;
	long before;		/* index of the next record dispatched after the report */
};

struct collect {
	struct crec *v;
	long n, cap;
	struct closs loss[256];
	int nloss;
};

static inline void collect_rec(const struct ftk_rec *r, void *ctx)
{
	struct collect *c = ctx;
	struct crec *x;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->v = ftk_xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	x = &c->v[c->n++];
	x->ts = r->ts;
	x->cpu = r->cpu;
	x->size = r->size;
	x->data = ftk_xmalloc(r->size);
	memcpy(x->data, r->data, r->size);
}

static inline void collect_lost(int cpu, long long count, void *ctx)
{
	struct collect *c = ctx;

	if (c->nloss < (int)FTK_ARRAY_SIZE(c->loss)) {
		c->loss[c->nloss].cpu = cpu;
		c->loss[c->nloss].count = count;
		c->loss[c->nloss].before = c->n;
		c->nloss++;
	}
}

static inline void collect_free(struct collect *c)
{
	long i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].data);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static inline struct ftk_reader *pset_reader(const struct pset *s, struct collect *c,
					       const char *dir)
{
	struct ftk_reader_opts o = {
		.dir = dir,
		.ncpus = s->ncpus,
		.subbuf_size = PSET_SUBBUF,
		.tep = s->tep,
		.reorder_ns = 0,
		.dispatch = collect_rec,
		.lost = collect_lost,
		.ctx = c,
	};

	return ftk_reader_new_offline(&o);
}

/* Feed every page, CPUs interleaved page by page as a live reader would see them. */
static inline void pset_feed_all(struct ftk_reader *r, const struct pset *s)
{
	int i, c, more = 1;

	for (i = 0; more; i++) {
		more = 0;
		for (c = 0; c < s->ncpus; c++) {
			if (i < pset_npages(s, c)) {
				ftk_reader_feed(r, c, pset_page(s, c, i), PSET_SUBBUF);
				more = 1;
			}
		}
	}
}

/* Independent walk of one page with a private kbuffer: number of records, first ts. */
static inline int page_walk(const struct pset *s, const unsigned char *page,
			    uint64_t *first_ts)
{
	struct kbuffer *kb = kbuffer_alloc(KBUFFER_LSIZE_8, KBUFFER_ENDIAN_LITTLE);
	unsigned char copy[PSET_SUBBUF];
	unsigned long long ts;
	int n = 0;
	void *d;

	(void)s;
	memcpy(copy, page, PSET_SUBBUF);
	kbuffer_load_subbuffer(kb, copy);
	for (d = kbuffer_read_event(kb, &ts); d; d = kbuffer_next_event(kb, &ts)) {
		if (!n && first_ts)
			*first_ts = ts;
		n++;
	}
	kbuffer_free(kb);
	return n;
}

static inline bool page_flagged(const unsigned char *page)
{
	uint64_t commit;

	memcpy(&commit, page + 8, 8);
	return commit & (1ULL << 31);
}

#endif
