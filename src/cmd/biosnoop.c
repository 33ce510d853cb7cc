// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk biosnoop: one line per block I/O with the process that submitted it, the disk, the
 * request type, sector, size and latency (issue -> completion; -Q adds the time queued in
 * the OS, submission -> issue). It reads block tracepoints only: block_io_start (>= 6.5) or
 * block_bio_queue/block_rq_insert name the submitter, block_rq_issue and block_rq_complete
 * time the request, and the pairing table (bio.h) matches them by (dev, sector). This file
 * also holds that engine, the disk table and the backend checks shared with biolatency.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/bio.h"
#include "core/features.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

/* ======================================================================================
 * Disks: /sys/class/block/<name>/dev ("254:0"), partitions have a "partition" file and
 * their disk is the parent directory.
 */

static int bio_disk_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bio_disk *)a)->name, ((const struct bio_disk *)b)->name);
}

static bool bio_read_devno(const char *root, const char *name, uint32_t *dev)
{
	unsigned int ma, mi;
	char path[PATH_MAX];
	char *txt;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s/dev", root, name);
	txt = ftk_read_file(path, NULL);
	if (!txt)
		return false;
	ok = sscanf(txt, "%u:%u", &ma, &mi) == 2;
	free(txt);
	if (ok)
		*dev = bio_mkdev(ma, mi);
	return ok;
}

/* Parent disk of a partition: the directory the partition's sysfs link points into. */
static void bio_parent_name(const char *root, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];
	char *slash;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (!realpath(path, real))
		return;
	slash = strrchr(real, '/');
	if (!slash)
		return;
	*slash = '\0';
	slash = strrchr(real, '/');
	if (slash)
		snprintf(out, len, "%s", slash + 1);
}

int bio_disks_load(struct bio_disks *d, const char *root)
{
	char path[PATH_MAX], parent[64];
	struct dirent *de;
	int n = 0, cap = 16;
	DIR *dir;

	if (root)
		d->root = root;
	if (!d->root)
		d->root = "/sys/class/block";
	dir = opendir(d->root);
	if (!dir)
		return -errno;
	free(d->v);
	d->v = ftk_xcalloc(cap, sizeof(*d->v));
	while ((de = readdir(dir))) {
		struct bio_disk *k;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(d->v[0].name))
			continue;
		if (n == cap) {
			cap *= 2;
			d->v = ftk_xrealloc(d->v, cap * sizeof(*d->v));
		}
		k = &d->v[n];
		memset(k, 0, sizeof(*k));
		if (!bio_read_devno(d->root, de->d_name, &k->dev))
			continue;
		snprintf(k->name, sizeof(k->name), "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s/partition", d->root, de->d_name);
		k->partition = access(path, F_OK) == 0;
		k->disk_dev = k->dev;
		n++;
	}
	closedir(dir);
	d->n = n;
	for (int i = 0; i < n; i++) {
		if (!d->v[i].partition)
			continue;
		bio_parent_name(d->root, d->v[i].name, parent, sizeof(parent));
		const struct bio_disk *p = bio_disks_by_name(d, parent);

		if (p)
			d->v[i].disk_dev = p->dev;
	}
	qsort(d->v, n, sizeof(*d->v), bio_disk_cmp);
	d->loaded_ns = ftk_now_mono();
	return 0;
}

const struct bio_disk *bio_disks_by_name(const struct bio_disks *d, const char *name)
{
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->v[i].name, name) == 0)
			return &d->v[i];
	return NULL;
}

static const struct bio_disk *bio_disks_find(const struct bio_disks *d, uint32_t dev)
{
	for (int i = 0; i < d->n; i++)
		if (d->v[i].dev == dev)
			return &d->v[i];
	return NULL;
}

const struct bio_disk *bio_disks_by_dev(struct bio_disks *d, uint32_t dev)
{
	const struct bio_disk *k = bio_disks_find(d, dev);

	/* A disk that appeared after start (modprobe null_blk): reload, at most once a second. */
	if (!k && ftk_now_mono() - d->loaded_ns > 1000000000ULL && bio_disks_load(d, NULL) == 0)
		k = bio_disks_find(d, dev);
	return k;
}

const char *bio_disk_name(struct bio_disks *d, uint32_t dev)
{
	const struct bio_disk *k = bio_disks_by_dev(d, dev);

	return k ? k->name : "?";
}

void bio_disks_list(const struct bio_disks *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < d->n && off < len; i++) {
		if (d->v[i].partition)
			continue;
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", d->v[i].name);
	}
}

void bio_disks_free(struct bio_disks *d)
{
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int bio_resolve_disk(struct bio_disks *d, const char *name, uint32_t *dev)
{
	const struct bio_disk *k = bio_disks_by_name(d, name);
	char list[1024];

	bio_disks_list(d, list, sizeof(list));
	if (!k) {
		ftk_error("unknown disk '%s'", name);
		ftk_hint("disks here: %s", list[0] ? list : "(none)");
		return -1;
	}
	if (k->partition) {
		const struct bio_disk *p = bio_disks_find(d, k->disk_dev);

		ftk_error("'%s' is a partition: block requests are traced per disk", name);
		ftk_hint("use its disk '%s' (disks here: %s)", p ? p->name : "?", list);
		return -1;
	}
	*dev = k->dev;
	return 0;
}

/* ======================================================================================
 * The pairing table: open addressing, linear probing, backward-shift deletion. Several
 * entries may share a key (two flushes in flight, a re-write of a block being written).
 */

struct bio_ent {
	uint64_t sector;	/* key: where the (rest of the) request starts now */
	uint64_t orig_sector;	/* reported sector (partial completions move the key) */
	uint64_t start_ts, issue_ts, seen_ts;
	uint32_t dev;
	uint32_t bytes;		/* request size at issue */
	uint32_t left;		/* bytes not completed yet */
	pid_t pid;
	bool used, issued;
	bool inserted;		/* rq_insert confirmed it: its place in the dispatch order */
	char comm[16];
	char rwbs[10];
};

struct bio_track {
	struct bio_ent *v;
	size_t mask;
	size_t n;
	struct bio_track_stats st;
};

/* Data-less requests (flushes) complete with sector (u64)-1 after issuing with 0. */
static uint64_t bio_key_sector(uint64_t sector, uint32_t nr_sector)
{
	return nr_sector ? sector : 0;
}

static size_t bio_hash(uint32_t dev, uint64_t sector)
{
	uint64_t h = sector * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)dev * 0xc2b2ae3d27d4eb4fULL);

	return (size_t)(h ^ (h >> 29));
}

struct bio_track *bio_track_new(size_t cap)
{
	struct bio_track *t = ftk_xcalloc(1, sizeof(*t));
	size_t n = 64;

	while (n < cap)
		n <<= 1;
	t->v = ftk_xcalloc(n, sizeof(*t->v));
	t->mask = n - 1;
	return t;
}

void bio_track_free(struct bio_track *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

void bio_track_reset(struct bio_track *t)
{
	if (t->n)
		memset(t->v, 0, (t->mask + 1) * sizeof(*t->v));
	t->n = 0;
	t->st.resets++;
}

size_t bio_track_pending(const struct bio_track *t)
{
	return t->n;
}

const struct bio_track_stats *bio_track_stats(const struct bio_track *t)
{
	return &t->st;
}

static void bio_del(struct bio_track *t, size_t i)
{
	size_t j = i;

	/* Backward shift: move later members of the cluster into the hole when allowed. */
	for (;;) {
		j = (j + 1) & t->mask;
		if (!t->v[j].used)
			break;
		size_t home = bio_hash(t->v[j].dev, t->v[j].sector) & t->mask;

		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->v[i] = t->v[j];
			i = j;
		}
	}
	memset(&t->v[i], 0, sizeof(t->v[i]));
	t->n--;
}

/* Drop stale un-issued entries (submissions merged away unseen); clear all as last resort. */
static void bio_make_room(struct bio_track *t, uint64_t now)
{
	size_t limit = (t->mask + 1) - (t->mask + 1) / 4;

	if (t->n < limit)
		return;
	for (size_t i = 0; i <= t->mask; i++) {
		struct bio_ent *e = &t->v[i];

		if (e->used && !e->issued && now - e->seen_ts > 1000000000ULL) {
			bio_del(t, i);
			t->st.evicted++;
			i--;	/* a shifted entry may now sit at i */
		}
	}
	if (t->n >= limit) {
		t->st.evicted += t->n;
		memset(t->v, 0, (t->mask + 1) * sizeof(*t->v));
		t->n = 0;
	}
}

static struct bio_ent *bio_insert(struct bio_track *t, uint64_t now, uint32_t dev,
				  uint64_t sector)
{
	size_t i;

	bio_make_room(t, now);
	i = bio_hash(dev, sector) & t->mask;
	while (t->v[i].used)
		i = (i + 1) & t->mask;
	memset(&t->v[i], 0, sizeof(t->v[i]));
	t->v[i].used = true;
	t->v[i].dev = dev;
	t->v[i].sector = sector;
	t->v[i].orig_sector = sector;
	t->v[i].seen_ts = now;
	t->v[i].pid = -1;
	t->n++;
	return &t->v[i];
}

/* Is a a better pick than b? Issued: the oldest issue. Un-issued: what rq_insert confirmed
 * first (the scheduler dispatches in that order), else the oldest submission. */
static bool bio_before(const struct bio_ent *a, const struct bio_ent *b, bool issued)
{
	if (issued)
		return a->issue_ts < b->issue_ts;
	if (a->inserted != b->inserted)
		return a->inserted;
	return a->seen_ts < b->seen_ts;
}

/* The best entry at (dev, sector) in state `issued` (bio_before), or -1. */
static long bio_find(const struct bio_track *t, uint32_t dev, uint64_t sector, bool issued)
{
	size_t i = bio_hash(dev, sector) & t->mask;
	long best = -1;

	while (t->v[i].used) {
		const struct bio_ent *e = &t->v[i];

		if (e->dev == dev && e->sector == sector && e->issued == issued &&
		    (best < 0 || bio_before(e, &t->v[best], issued)))
			best = (long)i;
		i = (i + 1) & t->mask;
	}
	return best;
}

/* The oldest un-issued, not yet inserted entry at the key submitted by pid, or -1. */
static long bio_find_pid(const struct bio_track *t, uint32_t dev, uint64_t sector, pid_t pid)
{
	size_t i = bio_hash(dev, sector) & t->mask;
	long best = -1;

	while (t->v[i].used) {
		const struct bio_ent *e = &t->v[i];

		if (e->dev == dev && e->sector == sector && !e->issued && !e->inserted &&
		    e->pid == pid && (best < 0 || e->seen_ts < t->v[best].seen_ts))
			best = (long)i;
		i = (i + 1) & t->mask;
	}
	return best;
}

static void bio_copy_str(char *dst, size_t len, const char *src)
{
	if (!src)
		src = "";
	snprintf(dst, len, "%s", src);
}

void bio_track_start(struct bio_track *t, uint64_t ts, uint32_t dev, uint64_t sector,
		     uint32_t nr_sector, pid_t pid, const char *comm, bool weak)
{
	uint64_t key = bio_key_sector(sector, nr_sector);
	struct bio_ent *e;

	long i;

	/* Each submission is its own request, even at a sector already pending (processes
	 * reading the same block at once). A weak one (rq_insert) confirms the submitter's
	 * pending bio, which then goes first; alone, it stands for the submission. */
	if (weak) {
		i = bio_find_pid(t, dev, key, pid);
		if (i >= 0) {
			t->v[i].inserted = true;
			t->v[i].seen_ts = ts;
			return;
		}
		if (bio_find(t, dev, key, false) >= 0)
			return;
	}
	e = bio_insert(t, ts, dev, key);
	e->start_ts = ts;
	e->seen_ts = ts;
	e->pid = pid;
	bio_copy_str(e->comm, sizeof(e->comm), comm);
}

void bio_track_issue(struct bio_track *t, uint64_t ts, uint32_t dev, uint64_t sector,
		     uint32_t nr_sector, uint32_t bytes, const char *rwbs)
{
	uint64_t key = bio_key_sector(sector, nr_sector);
	long i = bio_find(t, dev, key, false);
	struct bio_ent *e = i >= 0 ? &t->v[i] : bio_insert(t, ts, dev, key);

	e->issued = true;
	e->issue_ts = ts;
	e->seen_ts = ts;
	e->bytes = bytes;
	e->left = bytes;
	e->orig_sector = key;
	bio_copy_str(e->rwbs, sizeof(e->rwbs), rwbs);
}

void bio_track_requeue(struct bio_track *t, uint32_t dev, uint64_t sector, uint32_t nr_sector)
{
	long i = bio_find(t, dev, bio_key_sector(sector, nr_sector), true);

	/* Back in the queue: the latency restarts at the next issue. */
	if (i >= 0)
		t->v[i].issued = false;
}

void bio_track_merged(struct bio_track *t, uint32_t dev, uint64_t sector, uint32_t nr_sector)
{
	long i = bio_find(t, dev, bio_key_sector(sector, nr_sector), false);

	if (i >= 0)
		bio_del(t, (size_t)i);
}

void bio_track_frontmerge(struct bio_track *t, uint32_t dev, uint64_t sector,
			  uint32_t nr_sector)
{
	struct bio_ent copy;
	long i;

	/* The bio's own submission (bio_queue backends) is part of the request now. */
	i = bio_find(t, dev, sector, false);
	if (i >= 0)
		bio_del(t, (size_t)i);
	i = bio_find(t, dev, sector + nr_sector, false);
	if (i < 0)
		return;
	copy = t->v[i];
	bio_del(t, (size_t)i);
	struct bio_ent *e = bio_insert(t, copy.seen_ts, dev, sector);

	copy.sector = sector;
	copy.orig_sector = sector;
	*e = copy;
}

bool bio_track_complete(struct bio_track *t, uint64_t ts, uint32_t dev, uint64_t sector,
			uint32_t nr_sector, int error, struct bio_io *io)
{
	uint64_t key = bio_key_sector(sector, nr_sector);
	uint64_t done = (uint64_t)nr_sector << 9;
	struct bio_ent copy;
	long i = bio_find(t, dev, key, true);

	if (i < 0) {
		/* Ended without an issue (a flush the device needs no cache flush for, a
		 * request failed before dispatch): its submission is stale now. */
		i = bio_find(t, dev, key, false);
		if (i >= 0)
			bio_del(t, (size_t)i);
		t->st.unpaired++;
		return false;
	}
	copy = t->v[i];
	bio_del(t, (size_t)i);
	if (nr_sector && done < copy.left && !error) {
		/* Partial completion: the rest of the request now starts further on. */
		struct bio_ent *e = bio_insert(t, ts, dev, key + nr_sector);

		copy.sector = key + nr_sector;
		copy.left -= (uint32_t)done;
		copy.seen_ts = ts;
		*e = copy;
		return false;
	}
	memset(io, 0, sizeof(*io));
	io->done_ts = ts;
	io->issue_ts = copy.issue_ts;
	io->start_ts = copy.start_ts;
	io->sector = copy.orig_sector;
	io->dev = dev;
	io->bytes = copy.bytes;
	io->error = error;
	io->pid = copy.pid;
	memcpy(io->comm, copy.comm, sizeof(io->comm));
	memcpy(io->rwbs, copy.rwbs, sizeof(io->rwbs));
	t->st.completed++;
	if (copy.pid < 0)
		t->st.unattributed++;
	return true;
}

/* ======================================================================================
 * Event source: which tracepoints each backend uses and how their records feed the table.
 */

static const char *const bio_kind_names[BIO_K__COUNT] = {
	[BIO_K_START] = "block_io_start",
	[BIO_K_BIO_QUEUE] = "block_bio_queue",
	[BIO_K_INSERT] = "block_rq_insert",
	[BIO_K_ISSUE] = "block_rq_issue",
	[BIO_K_COMPLETE] = "block_rq_complete",
	[BIO_K_REQUEUE] = "block_rq_requeue",
	[BIO_K_MERGE] = "block_rq_merge",
	[BIO_K_BACKMERGE] = "block_bio_backmerge",
	[BIO_K_FRONTMERGE] = "block_bio_frontmerge",
};

const char *bio_kind_event(enum bio_kind k)
{
	return k < BIO_K__COUNT ? bio_kind_names[k] : NULL;
}

struct bio_evt {
	struct bio_src *b;
	enum bio_kind k;
	struct ftk_event *ev;
	const struct tep_format_field *dev, *sector, *nr, *bytes, *rwbs, *comm, *error;
};

struct bio_src {
	struct bio_track *t;
	uint32_t filter_dev;
	bio_done_fn done;
	void *ctx;
	struct bio_evt e[BIO_K__COUNT];
};

struct bio_src *bio_src_new(uint32_t filter_dev, size_t cap, bio_done_fn done, void *ctx)
{
	struct bio_src *b = ftk_xcalloc(1, sizeof(*b));

	b->t = bio_track_new(cap);
	b->filter_dev = filter_dev;
	b->done = done;
	b->ctx = ctx;
	for (int k = 0; k < BIO_K__COUNT; k++) {
		b->e[k].b = b;
		b->e[k].k = k;
	}
	return b;
}

void bio_src_free(struct bio_src *b)
{
	if (!b)
		return;
	bio_track_free(b->t);
	free(b);
}

struct bio_track *bio_src_track(struct bio_src *b)
{
	return b->t;
}

void bio_src_lost(struct bio_src *b)
{
	bio_track_reset(b->t);
}

static void bio_str(const struct tep_format_field *f, const struct ftk_rec *r, char *out,
		    size_t len)
{
	const char *s = NULL;
	int n = 0;

	if (f)
		s = ftk_get_str(f, r->data, r->size, &n);
	if (!s)
		n = 0;
	if ((size_t)n >= len)
		n = (int)len - 1;
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
}

static void bio_on_event(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct bio_evt *e = ctx;
	struct bio_src *b = e->b;
	uint32_t dev = (uint32_t)ftk_get_u64(e->dev, r->data);
	uint64_t sector = ftk_get_u64(e->sector, r->data);
	uint32_t nr = (uint32_t)ftk_get_u64(e->nr, r->data);
	char rwbs[10], comm[16];
	uint32_t bytes;
	struct bio_io io;

	if (b->filter_dev && dev != b->filter_dev)
		return;
	switch (e->k) {
	case BIO_K_START:
	case BIO_K_BIO_QUEUE:
	case BIO_K_INSERT:
		bio_str(e->comm, r, comm, sizeof(comm));
		bio_track_start(b->t, r->ts, dev, sector, nr, ftk_rec_pid(r->data), comm,
				e->k == BIO_K_INSERT);
		break;
	case BIO_K_ISSUE:
		bio_str(e->rwbs, r, rwbs, sizeof(rwbs));
		bytes = e->bytes ? (uint32_t)ftk_get_u64(e->bytes, r->data) : nr << 9;
		bio_track_issue(b->t, r->ts, dev, sector, nr, bytes, rwbs);
		break;
	case BIO_K_COMPLETE:
		if (bio_track_complete(b->t, r->ts, dev, sector, nr,
				       e->error ? (int)ftk_get_s64(e->error, r->data) : 0, &io))
			b->done(&io, b->ctx);
		break;
	case BIO_K_REQUEUE:
		bio_track_requeue(b->t, dev, sector, nr);
		break;
	case BIO_K_MERGE:
	case BIO_K_BACKMERGE:
		bio_track_merged(b->t, dev, sector, nr);
		break;
	case BIO_K_FRONTMERGE:
		bio_track_frontmerge(b->t, dev, sector, nr);
		break;
	default:
		break;
	}
}

void bio_src_attach(struct bio_src *b, struct ftk_event *ev, enum bio_kind k)
{
	b->e[k].ev = ev;
	ftk_event_on(ev, bio_on_event, &b->e[k]);
}

/* Which kinds a backend uses; optional ones may be missing on old kernels. */
static const struct {
	enum bio_kind k;
	bool optional;
} bio_io_start_kinds[] = {
	{ BIO_K_START, false }, { BIO_K_ISSUE, false }, { BIO_K_COMPLETE, false },
	{ BIO_K_REQUEUE, true }, { BIO_K_MERGE, true }, { BIO_K_FRONTMERGE, true },
}, bio_legacy_kinds[] = {
	{ BIO_K_BIO_QUEUE, false }, { BIO_K_INSERT, true }, { BIO_K_ISSUE, false },
	{ BIO_K_COMPLETE, false }, { BIO_K_REQUEUE, true }, { BIO_K_MERGE, true },
	{ BIO_K_BACKMERGE, true }, { BIO_K_FRONTMERGE, true },
};

int bio_src_declare(struct bio_src *b, struct ftk_session *s, enum bio_backend be)
{
	char filter[64], *f = NULL;
	size_t n;
	const typeof(bio_io_start_kinds[0]) *kinds;

	if (be == BIO_BE_IO_START) {
		kinds = bio_io_start_kinds;
		n = FTK_ARRAY_SIZE(bio_io_start_kinds);
	} else if (be == BIO_BE_LEGACY) {
		kinds = bio_legacy_kinds;
		n = FTK_ARRAY_SIZE(bio_legacy_kinds);
	} else {
		ftk_error("backend not implemented yet");
		return -1;
	}
	if (b->filter_dev) {
		snprintf(filter, sizeof(filter), "dev == %u", b->filter_dev);
		f = filter;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = bio_kind_names[kinds[i].k];
		struct ftk_event *ev;

		if (kinds[i].optional && !ftk_tracepoint_exists("block", name))
			continue;
		ev = ftk_tracepoint(s, "block", name, f);
		if (!ev)
			return -1;
		ev->optional = kinds[i].optional;
		bio_src_attach(b, ev, kinds[i].k);
	}
	return 0;
}

int bio_src_bind(struct bio_src *b)
{
	for (int k = 0; k < BIO_K__COUNT; k++) {
		struct bio_evt *e = &b->e[k];

		if (!e->ev || !e->ev->tep)
			continue;
		e->dev = ftk_field(e->ev, "dev");
		e->sector = ftk_field(e->ev, "sector");
		e->nr = ftk_field(e->ev, "nr_sector");
		e->bytes = ftk_field(e->ev, "bytes");
		e->rwbs = ftk_field(e->ev, "rwbs");
		e->comm = ftk_field(e->ev, "comm");
		e->error = ftk_field(e->ev, "error");
		if (!e->dev || !e->sector || !e->nr) {
			ftk_error("block:%s has no dev/sector/nr_sector field", bio_kind_names[k]);
			return -1;
		}
	}
	return 0;
}

/* ======================================================================================
 * Backends and option helpers shared with biolatency.
 */

bool bio_usable_io_start(char *why, size_t len)
{
	if (ftk_tracepoint_exists("block", "block_io_start") &&
	    ftk_tracepoint_exists("block", "block_rq_issue") &&
	    ftk_tracepoint_exists("block", "block_rq_complete"))
		return true;
	snprintf(why, len, "no block:block_io_start tracepoint (added in 6.5)");
	return false;
}

bool bio_usable_legacy(char *why, size_t len)
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
		return BIO_BE_IO_START;
	if (strcmp(name, "tracepoint-legacy") == 0)
		return BIO_BE_LEGACY;
	if (strcmp(name, "kprobe") == 0)
		return BIO_BE_KPROBE;
	if (strcmp(name, "hist") == 0)
		return BIO_BE_HIST;
	return BIO_BE__BAD;
}

int bio_parse_ms(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v < 0 || v != v || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

/* ======================================================================================
 * The biosnoop view.
 */

struct snoop {
	bool queue, pattern, timestamp, json;
	double min_ms;
	long pid;		/* -1: all */
	const char *name;	/* comm filter, NULL: all */
	struct bio_disks disks;
	struct ftk_session *s;
	struct ftk_ptable *procs;
	struct bio_src *src;
	struct ftk_buf line;
	struct {
		uint32_t dev;
		uint64_t end;
	} last[16];		/* -P: where the previous I/O of each disk ended */
	int nlast;
};

static const struct ftk_backend biosnoop_backends[] = {
	BIO_BACKEND_IO_START,
	BIO_BACKEND_LEGACY,
	BIO_BACKEND_KPROBE,
};

static void biosnoop_usage(FILE *f)
{
	fprintf(f,
		"usage: ftk biosnoop [-Q] [-P] [-t] [-d DISK] [-m MIN_MS] [-p PID] [-n NAME]\n"
		"                    [--json] [--backend NAME] [--buffer-kb KB] [--dry-run]\n"
		"                    [duration]\n"
		"\n"
		"Trace block I/O: one line per completed request with the process that submitted\n"
		"it, the disk, the type (rwbs), sector, size and latency (issue -> completion).\n"
		"\n"
		"  -Q, --queue          add QUE(ms): time queued in the OS (submission -> issue)\n"
		"  -P, --pattern        add P: S sequential or R random (per disk)\n"
		"  -t, --timestamp      add TIME: wall clock HH:MM:SS.us\n"
		"  -d, --disk DISK      trace this disk only (a name in /sys/block)\n"
		"  -m, --min MIN_MS     only I/O with a latency of at least MIN_MS milliseconds\n"
		"  -p, --pid PID        only I/O submitted by process PID\n"
		"  -n, --name NAME      only I/O submitted by processes named NAME (exact comm)\n"
		"  -j, --json           NDJSON: time ts comm pid disk type sector bytes lat_ms\n"
		"                       (que_ms with -Q, pattern with -P, error)\n"
		"      --backend NAME   tracepoint (>= 6.5) | tracepoint-legacy | kprobe\n"
		"      --buffer-kb KB   per-CPU ring buffer size (default 4096)\n"
		"      --dry-run        print the tracefs writes, make none\n"
		"  duration             seconds to trace (default: until Ctrl-C)\n"
		"\n"
		"examples:\n"
		"  ftk biosnoop                 # trace all block I/O\n"
		"  ftk biosnoop -Q -d vda 10    # vda only, with queue time, for 10 s\n"
		"  ftk biosnoop -m 5 --json     # I/O slower than 5 ms, as NDJSON\n");
}

enum { OPT_BACKEND = 256, OPT_BUFFER, OPT_DRY };

static int snoop_parse(struct snoop *v, struct bio_common_opts *c, double *duration, int argc,
		       char **argv)
{
	static const struct option lo[] = {
		{ "queue", no_argument, NULL, 'Q' },	{ "pattern", no_argument, NULL, 'P' },
		{ "timestamp", no_argument, NULL, 't' }, { "disk", required_argument, NULL, 'd' },
		{ "min", required_argument, NULL, 'm' }, { "pid", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "buffer-kb", required_argument, NULL, OPT_BUFFER },
		{ "dry-run", no_argument, NULL, OPT_DRY }, { NULL, 0, NULL, 0 },
	};
	unsigned long ul;
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "QPtd:m:p:n:jh", lo, NULL)) != -1) {
		switch (o) {
		case 'Q': v->queue = true; break;
		case 'P': v->pattern = true; break;
		case 't': v->timestamp = true; break;
		case 'j': v->json = true; break;
		case 'd': c->disk = optarg; break;
		case 'n':
			if (!*optarg || strlen(optarg) > 15)
				return ftk_usage_error("-n NAME must be 1 to 15 bytes (a comm)");
			v->name = optarg;
			break;
		case 'm':
			if (bio_parse_ms(optarg, &v->min_ms))
				return ftk_usage_error("-m wants milliseconds (5, 0.5), not '%s'",
						       optarg);
			break;
		case 'p':
			if (ftk_parse_ulong(optarg, 1, INT_MAX, &ul))
				return ftk_usage_error("-p wants a process id, not '%s'", optarg);
			v->pid = (long)ul;
			break;
		case OPT_BACKEND: c->backend = optarg; break;
		case OPT_BUFFER:
			if (ftk_parse_ulong(optarg, 4, 1UL << 22, &c->buffer_kb))
				return ftk_usage_error("--buffer-kb wants 4..4194304, not '%s'",
						       optarg);
			break;
		case OPT_DRY: c->dry_run = true; break;
		case 'h':
			biosnoop_usage(stdout);
			return -1;
		default:
			if (optopt && strchr("dmpn", optopt))
				return ftk_usage_error("option -%c needs a value", optopt);
			return ftk_bad_option(argv);
		}
	}
	if (optind < argc && ftk_parse_seconds(argv[optind], duration))
		return ftk_usage_error("duration must be seconds > 0, not '%s'", argv[optind]);
	if (optind < argc)
		optind++;
	if (optind < argc)
		return ftk_usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
}

static pid_t snoop_tgid(struct snoop *v, pid_t tid)
{
	struct ftk_pinfo *p = ftk_ptable_lookup(v->procs, tid);

	return p && p->tgid > 0 ? p->tgid : tid;
}

static char snoop_pattern(struct snoop *v, const struct bio_io *io)
{
	bool seq = false;
	int i;

	for (i = 0; i < v->nlast; i++)
		if (v->last[i].dev == io->dev)
			break;
	if (i < v->nlast)
		seq = v->last[i].end == io->sector;
	else if (v->nlast < (int)FTK_ARRAY_SIZE(v->last))
		v->last[v->nlast++].dev = io->dev;
	else
		i = -1;
	if (i >= 0)
		v->last[i].end = io->sector + (io->bytes >> 9);
	return seq ? 'S' : 'R';
}

static void snoop_json(struct snoop *v, const struct bio_io *io, pid_t pid, const char *disk,
		       double ts, double lat, double que, char pat)
{
	struct ftk_buf *b = &v->line;
	struct ftk_buf tbuf = { 0 };
	struct ftk_json j;

	ftk_fmt_rfc3339(&tbuf, ftk_session_mono_to_real(v->s, io->done_ts));
	ftk_json_begin(&j, b);
	ftk_json_cstr(&j, "time", ftk_buf_str(&tbuf));
	ftk_json_double(&j, "ts", ts, 6);
	if (io->pid >= 0) {
		ftk_json_str(&j, "comm", io->comm, strlen(io->comm));
		ftk_json_int(&j, "pid", pid);
	} else {
		ftk_json_null(&j, "comm");
		ftk_json_null(&j, "pid");
	}
	ftk_json_cstr(&j, "disk", strcmp(disk, "?") ? disk : NULL);
	ftk_json_str(&j, "type", io->rwbs, strlen(io->rwbs));
	ftk_json_uint(&j, "sector", io->sector);
	ftk_json_uint(&j, "bytes", io->bytes);
	ftk_json_double(&j, "lat_ms", lat, 3);
	if (v->queue) {
		if (que >= 0)
			ftk_json_double(&j, "que_ms", que, 3);
		else
			ftk_json_null(&j, "que_ms");
	}
	if (v->pattern) {
		char p[2] = { pat, 0 };

		ftk_json_cstr(&j, "pattern", p);
	}
	ftk_json_int(&j, "error", io->error);
	ftk_json_end(&j);
	ftk_buf_free(&tbuf);
	ftk_out_buf(b);
}

static void snoop_row(struct snoop *v, const struct bio_io *io, pid_t pid, const char *disk,
		      double ts, double lat, double que, char pat)
{
	struct ftk_buf *b = &v->line;
	char hms[16];

	if (v->timestamp) {
		uint64_t real = ftk_session_mono_to_real(v->s, io->done_ts);

		ftk_fmt_hms(hms, real);
		ftk_buf_printf(b, "%s.%06llu ", hms,
			       (unsigned long long)(real % 1000000000ULL / 1000));
	}
	ftk_buf_printf(b, "%-11.6f ", ts);
	if (io->pid >= 0) {
		size_t start = b->len;

		/* bcc's %-14.14s: long comms are cut so the columns stay aligned. */
		ftk_escape_table(b, io->comm, strnlen(io->comm, 14), false);
		for (size_t n = b->len - start; n < 14; n++)
			ftk_buf_addc(b, ' ');
		ftk_buf_printf(b, " %-7d ", pid);
	} else {
		ftk_buf_printf(b, "%-14s %-7s ", "?", "?");
	}
	ftk_buf_printf(b, "%-9s %-4s ", disk, io->rwbs[0] ? io->rwbs : "?");
	if (v->pattern)
		ftk_buf_printf(b, "%c ", pat);
	ftk_buf_printf(b, "%-10llu %-7u ", (unsigned long long)io->sector, io->bytes);
	if (v->queue) {
		if (que >= 0)
			ftk_buf_printf(b, "%7.3f ", que);
		else
			ftk_buf_printf(b, "%7s ", "?");
	}
	ftk_buf_printf(b, "%7.3f\n", lat);
	ftk_out_buf(b);
}

static void snoop_on_io(const struct bio_io *io, void *ctx)
{
	struct snoop *v = ctx;
	double lat = (double)(io->done_ts - io->issue_ts) / 1e6;
	double que = -1;
	uint64_t t0 = ftk_session_start_ts(v->s);
	double ts = io->done_ts >= t0 ? (double)(io->done_ts - t0) / 1e9 : 0;
	pid_t pid = -1;
	char pat;

	if (lat < v->min_ms)
		return;
	if (io->pid >= 0)
		pid = snoop_tgid(v, io->pid);
	if (v->pid > 0 && pid != v->pid && io->pid != v->pid)
		return;
	if (v->name && (io->pid < 0 || strcmp(io->comm, v->name)))
		return;
	if (io->start_ts && io->start_ts <= io->issue_ts)
		que = (double)(io->issue_ts - io->start_ts) / 1e6;
	pat = v->pattern ? snoop_pattern(v, io) : 0;
	if (v->json)
		snoop_json(v, io, pid, bio_disk_name(&v->disks, io->dev), ts, lat, que, pat);
	else
		snoop_row(v, io, pid, bio_disk_name(&v->disks, io->dev), ts, lat, que, pat);
}

static void snoop_on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	bio_src_lost(ctx);
}

static void snoop_header(struct snoop *v)
{
	if (v->json)
		return;
	if (v->timestamp)
		ftk_outf("%-15s ", "TIME");
	ftk_outf("%-11s %-14s %-7s %-9s %-4s ", "TIME(s)", "COMM", "PID", "DISK", "T");
	if (v->pattern)
		ftk_outf("P ");
	ftk_outf("%-10s %-7s ", "SECTOR", "BYTES");
	if (v->queue)
		ftk_outf("%7s ", "QUE(ms)");
	ftk_outf("%7s\n", "LAT(ms)");
	ftk_out_flush();
}

int bio_setup(const struct ftk_view *view, const struct bio_common_opts *c, double duration,
	      struct bio_disks *disks, uint32_t *filter_dev,
	      struct bio_src *(*mk)(uint32_t, void *), void *mkctx, struct bio_src **srcp,
	      struct ftk_session **sp, int *rc)
{
	struct ftk_session_opts so = {
		.view = view->name, .buffer_kb = c->buffer_kb, .default_buffer_kb = 4096,
		.duration = duration, .dry_run = c->dry_run,
	};
	char why[512];
	int idx, arm;

	*rc = FTK_EXIT_FAIL;
	*filter_dev = 0;
	bio_disks_load(disks, NULL);
	if (c->disk && bio_resolve_disk(disks, c->disk, filter_dev))
		return -1;
	if (c->backend && bio_backend_by_name(c->backend) == BIO_BE__BAD) {
		*rc = ftk_usage_error("unknown backend '%s'", c->backend);
		return -1;
	}
	if (!ftk_has(FTK_F_TRACEFS)) {
		*rc = ftk_tracefs_error();
		return -1;
	}
	idx = ftk_backend_pick(view, c->backend, why, sizeof(why));
	if (idx < 0) {
		ftk_error("no usable backend: %s", why);
		ftk_hint("'ftk features' shows what this kernel offers");
		return -1;
	}
	*sp = ftk_session_new(&so);
	if (!*sp)
		return -1;
	*srcp = mk(*filter_dev, mkctx);
	if (bio_src_declare(*srcp, *sp, bio_backend_by_name(view->backends[idx].name)))
		goto fail;
	ftk_session_on_lost(*sp, snoop_on_lost, *srcp);
	arm = ftk_session_arm(*sp);
	if (arm == FTK_ARM_DRY) {
		/* session.c closes (and frees) a dry-run session itself. */
		*sp = NULL;
		*rc = FTK_EXIT_OK;
		return 1;
	}
	if (arm < 0) {
		*rc = -arm;
		goto fail;
	}
	if (bio_src_bind(*srcp))
		goto fail;
	return 0;
fail:
	{
		int crc = ftk_session_close(*sp);

		if (*rc == FTK_EXIT_OK)
			*rc = crc;
	}
	*sp = NULL;
	return -1;
}

static struct bio_src *snoop_mk(uint32_t filter_dev, void *ctx)
{
	struct snoop *v = ctx;

	v->src = bio_src_new(filter_dev, 1 << 15, snoop_on_io, v);
	return v->src;
}

extern const struct ftk_view ftk_view_biosnoop;

static int biosnoop_main(int argc, char **argv)
{
	struct snoop v = { .pid = -1 };
	struct bio_common_opts c = { 0 };
	double duration = 0;
	uint32_t dev;
	int rc;

	rc = snoop_parse(&v, &c, &duration, argc, argv);
	if (rc)
		return rc < 0 ? FTK_EXIT_OK : rc;
	v.procs = ftk_ptable_new();
	if (bio_setup(&ftk_view_biosnoop, &c, duration, &v.disks, &dev, snoop_mk, &v, &v.src,
		      &v.s, &rc))
		goto out;
	snoop_header(&v);
	ftk_session_run(v.s);
	rc = ftk_session_close(v.s);
	ftk_out_flush();
out:
	bio_src_free(v.src);
	ftk_ptable_free(v.procs);
	bio_disks_free(&v.disks);
	ftk_buf_free(&v.line);
	return rc;
}

const struct ftk_view ftk_view_biosnoop = {
	.name = "biosnoop",
	.summary = "block I/O with submitting process, disk, type, size and latency",
	.main = biosnoop_main,
	.backends = biosnoop_backends,
	.nbackends = FTK_ARRAY_SIZE(biosnoop_backends),
};
