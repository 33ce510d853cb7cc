// SPDX-License-Identifier: GPL-2.0-only
/*
 * rbcount: events counted by the ring-buffer statistics of instances of their own
 * (rbcount.h). Writes go through tfs (journaled, guarded, printed in dry-run) like the
 * session's own instance.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "output.h"
#include "rbcount.h"
#include "tfs.h"
#include "util.h"

/* The smallest buffer: the kernel rounds it up to two pages per CPU. */
#define RBCOUNT_KB 4

struct ftk_rbcount {
	struct ftk_rbcounts *set;
	char name[48];			/* ftk-<pid>-c<n> */
	char *dir;
	struct ftk_event **evs;
	int nevs;
	bool made;
	struct ftk_rbcount *next;
};

void ftk_rbcounts_init(struct ftk_rbcounts *r, const struct ftk_tfs *tfs, int ncpus)
{
	memset(r, 0, sizeof(*r));
	r->tfs = tfs;
	r->ncpus = ncpus;
	r->tail = &r->list;
}

struct ftk_rbcount *ftk_rbcounts_new(struct ftk_rbcounts *r)
{
	struct ftk_rbcount *rc = ftk_xcalloc(1, sizeof(*rc));
	const char *own = r->tfs->instance;
	/* Named after the session's instance: ftk reset knows ftk-<pid>-c<n> as ftk-<pid>'s. */
	if (own && strncmp(own, "ftk-", 4) == 0)
		snprintf(rc->name, sizeof(rc->name), "%s-c%d", own, r->n);
	else
		snprintf(rc->name, sizeof(rc->name), "ftk-%d-c%d", (int)getpid(), r->n);
	size_t n = strlen(r->tfs->tracefs) + strlen(rc->name) + 16;
	rc->dir = ftk_xmalloc(n);
	snprintf(rc->dir, n, "%s/instances/%s", r->tfs->tracefs, rc->name);
	rc->set = r;
	r->n++;
	*r->tail = rc;
	r->tail = &rc->next;
	return rc;
}

void ftk_rbcount_add(struct ftk_rbcount *rc, struct ftk_event *ev)
{
	ev->no_enable = true;	/* not in the session's instance: in rc's */
	rc->evs = ftk_xrealloc(rc->evs, (rc->nevs + 1) * sizeof(*rc->evs));
	rc->evs[rc->nevs++] = ev;
}

const char *ftk_rbcount_name(const struct ftk_rbcount *rc)
{
	return rc->name;
}

static int write_in(struct ftk_rbcount *rc, const char *rel, const char *val)
{
	struct ftk_buf path = { 0 };
	ftk_buf_printf(&path, "%s/%s", rc->dir, rel);
	int err = ftk_tfs_write(rc->set->tfs, ftk_buf_str(&path), val, false);
	ftk_buf_free(&path);
	return err;
}

/* An event's FILE in rc's instance (skipped events left alone; an optional one that cannot
 * be enabled is skipped): 0 or -errno (printed). */
static int event_write(struct ftk_rbcount *rc, struct ftk_event *ev, const char *file,
		       const char *val)
{
	char rel[600];
	if (ev->skipped)
		return 0;
	snprintf(rel, sizeof(rel), "events/%s/%s/%s", ev->system, ev->name, file);
	int err = write_in(rc, rel, val);
	if (err && ev->optional && strcmp(file, "enable") == 0) {
		ev->skipped = true;
		return 0;
	}
	if (err)
		ftk_error("cannot set %s of %s:%s in %s: %s", file, ev->system, ev->name, rc->dir,
			  strerror(-err));
	return err;
}

static int make(struct ftk_rbcount *rc)
{
	const struct ftk_tfs *t = rc->set->tfs;
	int err = ftk_tfs_instance_make(t, rc->name, rc->dir);
	if (err)
		return err;
	rc->made = !t->dry_run;
	err = ftk_tfs_instance_size(t, rc->dir, RBCOUNT_KB);
	if (err) {
		ftk_error("cannot set the buffer size of %s: %s", rc->dir, strerror(-err));
		return err;
	}
	/* Overwrite mode: a full buffer overwrites its oldest page and counts it in `overrun`.
	 * Instances have their own options/ since 4.4 (trace_flags moved into the trace
	 * array); before, the global flag applies (on by default), and a buffer that is not
	 * overwriting counts what it refuses in `dropped events`, reported as lost. */
	char path[1024];
	snprintf(path, sizeof(path), "%s/options/overwrite", rc->dir);
	if (t->dry_run || access(path, F_OK) == 0) {
		err = write_in(rc, "options/overwrite", "1");
		if (err) {
			ftk_error("cannot set overwrite mode in %s: %s", rc->dir, strerror(-err));
			return err;
		}
	}
	for (int i = 0; i < rc->nevs; i++) {
		/* The session set (and checked) the same filter in its own instance. */
		if (rc->evs[i]->filter && (err = event_write(rc, rc->evs[i], "filter",
							    rc->evs[i]->filter)))
			return err;
	}
	return 0;
}

int ftk_rbcounts_arm(struct ftk_rbcounts *r)
{
	for (struct ftk_rbcount *rc = r->list; rc; rc = rc->next) {
		int err = make(rc);
		if (err)
			return err;
	}
	return 0;
}

int ftk_rbcounts_enable(struct ftk_rbcounts *r)
{
	for (struct ftk_rbcount *rc = r->list; rc; rc = rc->next)
		for (int i = 0; i < rc->nevs; i++) {
			int err = event_write(rc, rc->evs[i], "enable", "1");
			if (err)
				return err;
		}
	return 0;
}

void ftk_rbcounts_remove(struct ftk_rbcounts *r)
{
	for (struct ftk_rbcount *rc = r->list; rc; rc = rc->next) {
		if (!rc->made)
			continue;
		/* brief retries: the last session to end (or ftk reset) removes it */
		int err = ftk_tfs_instance_remove(rc->dir, 5);
		if (err)
			ftk_warn("cannot remove %s: %s; the next ftk session to end or start, or "
				 "'ftk reset', removes it", rc->dir, strerror(-err));
		rc->made = false;
	}
}

void ftk_rbcounts_free(struct ftk_rbcounts *r)
{
	for (struct ftk_rbcount *rc = r->list, *next; rc; rc = next) {
		next = rc->next;
		free(rc->dir);
		free(rc->evs);
		free(rc);
	}
	ftk_rbcounts_init(r, r->tfs, r->ncpus);
}

/* ---- reading ---- */

int ftk_rb_stats_parse(const char *text, uint64_t *committed, uint64_t *lost)
{
	static const struct {
		const char *label;
		bool lost;
	} fields[] = {
		{ "entries:", false }, { "overrun:", false }, { "read events:", false },
		{ "commit overrun:", true }, { "dropped events:", true },
	};
	int seen = 0;
	for (const char *l = text; *l;) {
		for (size_t f = 0; f < FTK_ARRAY_SIZE(fields); f++) {
			size_t n = strlen(fields[f].label);
			if (strncmp(l, fields[f].label, n) != 0)
				continue;
			uint64_t v = strtoull(l + n, NULL, 10);
			*(fields[f].lost ? lost : committed) += v;
			seen += f < 2;
		}
		const char *nl = strchr(l, '\n');
		if (!nl)
			break;
		l = nl + 1;
	}
	return seen == 2 ? 0 : -1;
}

int ftk_rbcount_read(const struct ftk_rbcount *rc, uint64_t *committed, uint64_t *lost)
{
	char path[1024];
	int read = 0, err = -ENOENT;
	*committed = *lost = 0;
	for (int cpu = 0; cpu < rc->set->ncpus; cpu++) {
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", rc->dir, cpu);
		char *text = ftk_read_file(path, NULL);
		if (!text) {
			err = -errno;
			continue;	/* a CPU the kernel does not trace (not possible) */
		}
		if (ftk_rb_stats_parse(text, committed, lost) == 0)
			read++;
		free(text);
	}
	return read ? 0 : err;
}
