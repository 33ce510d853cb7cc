// SPDX-License-Identifier: GPL-2.0-only
/* bio/pairing: block requests paired from submission and issue to completion by (dev, sector). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/bio/pairing.h"
#include "core/util.h"

/*
 * The table: open addressing, linear probing, backward-shift deletion. Several
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

bool bio_track_issued(const struct bio_track *t, uint32_t dev, uint64_t sector,
		      uint32_t nr_sector)
{
	return bio_find(t, dev, bio_key_sector(sector, nr_sector), true) >= 0;
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
	/* A completion stamped before its issue (a nested write before 5.10, see sources.c)
	 * finished at an unknown time after it: no negative latency. */
	io->done_ts = ts < copy.issue_ts ? copy.issue_ts : ts;
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
