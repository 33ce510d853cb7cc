// SPDX-License-Identifier: GPL-2.0-only
/*
 * counter: counting events by hist triggers, probe hit counters or the ring buffer (see
 * counter.h). Every way keeps cumulative counts and turns them into deltas at each read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "events.h"
#include "features.h"
#include "field.h"
#include "hist.h"
#include "histogram.h"
#include "output.h"
#include "procs.h"
#include "rbcount.h"
#include "session.h"
#include "util.h"

/* Keyed hist maps: room for every syscall, every process of a busy machine
 * (FTK_HIST_MAP_SIZE overrides: ftk_hist_map_size). */
#define HIST_MAP_SIZE 8192

struct ftk_counter {
	struct ftk_counters *set;
	struct ftk_event *ev;		/* ring, profile: the counted event */
	struct ftk_trigger *trigger;	/* hist */
	char *key;			/* NULL: a total */
	/* hist, keys that come and go (ftk_counter_recycle): the map is emptied when full and
	 * a second trigger counts the total */
	struct ftk_trigger *total_trigger;
	char *sys, *event, *filter;
	bool recycle, stuck;
	uint64_t attributed;		/* sum of the per-key deltas so far */
	unsigned long recycles;
	struct ftk_field_ref key_ref;
	char *profile_name;		/* profile: the event's name in *_profile */
	bool uprobe;
	uint64_t total, previous_total, delta;
	uint64_t dropped;
	/* stats: the counting instance (shared with the counters counted into it) */
	struct ftk_rbcount *rbc;
	bool rbc_shared;
	uint64_t previous_lost;
	struct ftk_counter *parent;	/* ftk_count_into: this one's deltas go to parent */
	struct ftk_counts now, previous, deltas;
	struct ftk_counter *next;
};

struct ftk_counters {
	struct ftk_session *session;
	enum ftk_count_via via;
	unsigned map_size;	/* keyed hist maps */
	bool hooked;		/* profile: tracing_on=0 at setup */
	bool pending;		/* deltas read by ftk_counters_tend, not handed out yet */
	struct ftk_counter *list, **tail;
};

const char *ftk_count_via_name(enum ftk_count_via via)
{
	static const char *const names[] = { "hist", "profile", "ring", "stats" };
	return names[via];
}

const char *ftk_count_via_desc(enum ftk_count_via via)
{
	switch (via) {
	case FTK_COUNT_HIST:
		return "hist triggers: counted in the kernel, nothing reaches the ring buffer";
	case FTK_COUNT_PROFILE:
		return "probe hit counters (kprobe_profile/uprobe_profile), tracing off";
	case FTK_COUNT_RING:
		break;
	case FTK_COUNT_STATS:
		return "ring-buffer stats of an instance per counter: counted in the kernel, "
		       "nothing read";
	}
	return "the ring buffer: every event read and counted here";
}

enum ftk_count_via ftk_count_pick(bool probe, bool plain)
{
	if (ftk_has(FTK_F_HIST))
		return FTK_COUNT_HIST;
	if (probe && plain)
		return FTK_COUNT_PROFILE;
	return FTK_COUNT_RING;
}

struct ftk_counters *ftk_counters_new(struct ftk_session *s, enum ftk_count_via via)
{
	struct ftk_counters *c = ftk_xcalloc(1, sizeof(*c));
	c->session = s;
	c->via = via;
	c->tail = &c->list;
	c->map_size = HIST_MAP_SIZE;
	return c;
}

enum ftk_count_via ftk_counters_via(const struct ftk_counters *c)
{
	return c->via;
}

/* ---- key -> count maps (open addressing; used[] marks a taken slot: every 64-bit value is
 * a key, syscall id -1 included) ---- */

static unsigned slot_of(const struct ftk_counts *m, uint64_t key)
{
	uint64_t h = (key + 1) * 0x9e3779b97f4a7c15ULL;
	unsigned i = (unsigned)(h >> 32) & (m->cap - 1);
	while (m->used[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void grow(struct ftk_counts *m)
{
	struct ftk_counts old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->used = ftk_xcalloc(m->cap, sizeof(*m->used));
	m->keys = ftk_xcalloc(m->cap, sizeof(*m->keys));
	m->vals = ftk_xcalloc(m->cap, sizeof(*m->vals));
	m->names = ftk_xcalloc(m->cap, sizeof(*m->names));
	m->n = 0;
	for (unsigned i = 0; i < old.cap; i++) {
		if (!old.used[i])
			continue;
		unsigned j = slot_of(m, old.keys[i]);
		m->used[j] = 1;
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
		m->names[j] = old.names[i];
		m->n++;
	}
	free(old.used);
	free(old.keys);
	free(old.vals);
	free(old.names);
}

static unsigned entry(struct ftk_counts *m, uint64_t key)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	unsigned i = slot_of(m, key);
	if (!m->used[i]) {
		m->used[i] = 1;
		m->keys[i] = key;
		m->n++;
	}
	return i;
}

uint64_t ftk_counts_get(const struct ftk_counts *m, uint64_t key)
{
	if (!m->cap)
		return 0;
	unsigned i = slot_of(m, key);
	return m->used[i] ? m->vals[i] : 0;
}

void ftk_counts_add(struct ftk_counts *m, uint64_t key, uint64_t n)
{
	unsigned i = entry(m, key);	/* may grow: before m->vals is read */
	m->vals[i] += n;
}

void ftk_counts_set(struct ftk_counts *m, uint64_t key, uint64_t n)
{
	unsigned i = entry(m, key);
	m->vals[i] = n;
}

static void set_name(struct ftk_counts *m, uint64_t key, const char *name, size_t len)
{
	unsigned i = entry(m, key);
	if (m->names[i])
		return;
	m->names[i] = ftk_xmalloc(len + 1);
	memcpy(m->names[i], name, len);
	m->names[i][len] = 0;
}

void ftk_counts_clear(struct ftk_counts *m)
{
	for (unsigned i = 0; i < m->cap; i++) {
		if (m->used[i])
			m->vals[i] = 0;
	}
}

void ftk_counts_free(struct ftk_counts *m)
{
	for (unsigned i = 0; i < m->cap; i++)
		free(m->names[i]);
	free(m->used);
	free(m->keys);
	free(m->vals);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

/* ---- hist files ---- */

static int parse_hist(struct ftk_counts *into, const char *text, const char *key,
		      uint64_t *total, uint64_t *dropped, uint64_t *entries);

struct parse_ctx {
	struct ftk_counts *into;
	const char *key;
};

/* A key as the kernel prints it: "5", "sys_read [  0]" (.syscall), "bash [ 1234]"
 * (.execname). The number, and the name before the brackets when there is one. */
static void hist_entry(const struct ftk_hist_file_entry *e, void *ctx)
{
	struct parse_ctx *p = ctx;
	const char *text = ftk_hist_file_key(e, p->key);
	if (!text)
		return;
	const char *open = strrchr(text, '[');
	uint64_t key = strtoull(open ? open + 1 : text, NULL, 10);
	ftk_counts_add(p->into, key, ftk_hist_file_value(e, "hitcount"));
	if (open) {
		size_t len = (size_t)(open - text);
		while (len && text[len - 1] == ' ')
			len--;
		if (len)
			set_name(p->into, key, text, len);
	}
}

int ftk_counts_parse_hist(struct ftk_counts *into, const char *text, const char *key,
			  uint64_t *total, uint64_t *dropped)
{
	return parse_hist(into, text, key, total, dropped, NULL);
}

static int parse_hist(struct ftk_counts *into, const char *text, const char *key,
		      uint64_t *total, uint64_t *dropped, uint64_t *entries)
{
	struct ftk_hist_file_totals tot;
	struct parse_ctx p = { into, key };

	if (ftk_hist_file_parse(text, key ? hist_entry : NULL, &p, &tot) < 0)
		return -1;
	*total = tot.hits + tot.dropped;
	*dropped = tot.dropped;
	if (entries)
		*entries = tot.entries;
	return 0;
}

long long ftk_profile_hits(const char *text, const char *event)
{
	size_t n = strlen(event);

	/* kprobe_profile: "  EVENT  HITS  MISSES"; uprobe_profile: "  FILE EVENT  HITS": the
	 * number after the word that is the event's name. */
	for (const char *p = text; *p;) {
		p += strspn(p, " \t\n");
		size_t len = strcspn(p, " \t\n");
		if (len == n && memcmp(p, event, n) == 0)
			return strtoll(p + len, NULL, 10);
		p += len;
	}
	return -1;
}

/* ---- declaring ---- */

static void on_record(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct ftk_counter *k = ctx;
	k->total++;
	if (k->key)
		ftk_counts_add(&k->now, ftk_field_u64(&k->key_ref, r->data, r->size, 0), 1);
}

static struct ftk_counter *add(struct ftk_counters *c, const char *key)
{
	struct ftk_counter *k = ftk_xcalloc(1, sizeof(*k));
	k->set = c;
	k->key = key ? ftk_xstrdup(key) : NULL;
	*c->tail = k;
	c->tail = &k->next;
	return k;
}

static struct ftk_trigger *hist_trigger(struct ftk_counters *c, const char *sys,
					const char *event, const char *filter, const char *key,
					const char *key_mod)
{
	struct ftk_buf b = { 0 };
	if (key)
		ftk_buf_printf(&b, "hist:keys=%s%s%s:vals=hitcount:size=%u", key,
			       key_mod ? "." : "", key_mod ? key_mod : "", c->map_size);
	else
		ftk_buf_adds(&b, "hist:keys=common_pid:vals=hitcount");
	if (filter)
		ftk_buf_printf(&b, " if %s", filter);
	struct ftk_trigger *t = ftk_trigger(c->session, sys, event, ftk_buf_str(&b));
	ftk_buf_free(&b);
	return t;
}

static struct ftk_counter *count_stats(struct ftk_counters *c, struct ftk_event *ev,
				       const char *filter);

/* On the ring the counts come from ftk reading the buffer: its own reads, polls and writes
 * would count themselves, more as the load grows (the other ways read once per interval). */
static void ring_count(struct ftk_counter *k, struct ftk_event *ev)
{
	ftk_event_on(ev, on_record, k);
	ftk_event_not_self(ev);
}

struct ftk_counter *ftk_count_tracepoint(struct ftk_counters *c, const char *sys,
					 const char *event, const char *filter, const char *key,
					 const char *key_mod)
{
	/* stats: totals only (a keyed counter is counted on the ring) */
	if (c->via == FTK_COUNT_STATS && !key)
		return count_stats(c, ftk_tracepoint(c->session, sys, event, filter), NULL);
	struct ftk_counter *k = add(c, key);
	if (c->via == FTK_COUNT_HIST) {
		k->trigger = hist_trigger(c, sys, event, filter, key, key_mod);
		k->sys = ftk_xstrdup(sys);
		k->event = ftk_xstrdup(event);
		k->filter = filter ? ftk_xstrdup(filter) : NULL;
	} else {
		k->ev = ftk_tracepoint(c->session, sys, event, filter);
		ring_count(k, k->ev);
	}
	return k;
}

/* Profile: the instance's ring buffer off (the hit counters advance before any write). */
static int profile_setup(struct ftk_session *s, void *ctx)
{
	int err = ftk_session_instance_write(s, "tracing_on", "0");
	if (err)
		ftk_error("cannot turn the ring buffer off for the hit counters: %s", strerror(-err));
	return err;
}

struct ftk_counter *ftk_count_event(struct ftk_counters *c, struct ftk_event *ev,
				    const char *filter)
{
	if (c->via == FTK_COUNT_STATS)
		return count_stats(c, ev, filter);
	struct ftk_counter *k = add(c, NULL);
	k->ev = ev;
	switch (c->via) {
	case FTK_COUNT_HIST:
		/* Created and its format loaded, never enabled: the trigger soft-enables it. */
		ev->no_enable = true;
		k->trigger = hist_trigger(c, ev->system, ev->name, filter, NULL, NULL);
		/* an optional probe the kernel refused (funccount) has no trigger file */
		ftk_trigger_unless(k->trigger, &ev->skipped);
		break;
	case FTK_COUNT_PROFILE:
		k->profile_name = ftk_xstrdup(ev->name);
		k->uprobe = ev->kind == FTK_EV_UPROBE || ev->kind == FTK_EV_URETPROBE;
		if (!c->hooked)
			ftk_session_on_setup(c->session, profile_setup, c);
		c->hooked = true;
		break;
	case FTK_COUNT_STATS:	/* count_stats */
	case FTK_COUNT_RING:
		if (filter) {
			free(ev->filter);
			ev->filter = ftk_xstrdup(filter);
		}
		ring_count(k, ev);
		break;
	}
	return k;
}

void ftk_counter_recycle(struct ftk_counter *k)
{
	if (!k->trigger || !k->key || k->recycle)
		return;
	k->recycle = true;
	/* Declared after the keyed trigger: keys=common_pid without a modifier, so it differs
	 * from a keyed one with a modifier (common_pid.execname) or another key, and the kernel
	 * takes both on one event (not from a plain keys=common_pid: the kernel would say
	 * EEXIST; no view recycles that). */
	k->total_trigger = hist_trigger(k->set, k->sys, k->event, k->filter, NULL, NULL);
}

int ftk_counters_map_size(struct ftk_counters *c)
{
	return ftk_hist_map_size(HIST_MAP_SIZE, &c->map_size);
}

struct ftk_event *ftk_counter_event(const struct ftk_counter *k)
{
	return k->ev;
}

int ftk_counters_bind(struct ftk_counters *c)
{
	for (struct ftk_counter *k = c->list; k; k = k->next) {
		if (k->ev && k->key && k->ev->tep && !ftk_field_bind(&k->key_ref, k->ev, k->key)) {
			ftk_error("event %s:%s has no field '%s'", k->ev->system, k->ev->name,
				  k->key);
			return -ENOENT;
		}
	}
	return 0;
}

static void read_profile(struct ftk_counters *c)
{
	char path[512];
	char *text[2] = { NULL, NULL };
	for (struct ftk_counter *k = c->list; k; k = k->next) {
		if (!k->profile_name || (k->ev && k->ev->skipped))
			continue;
		if (!text[k->uprobe]) {
			snprintf(path, sizeof(path), "%s/%s", ftk_tracefs(),
				 k->uprobe ? "uprobe_profile" : "kprobe_profile");
			text[k->uprobe] = ftk_read_file(path, NULL);
			if (!text[k->uprobe])
				continue;
		}
		long long hits = ftk_profile_hits(text[k->uprobe], k->profile_name);
		if (hits >= 0)
			k->total = (uint64_t)hits;
	}
	free(text[0]);
	free(text[1]);
}

/* The keyed (or total) trigger's hist file into `into`: 0, or -1 when unreadable. */
static int read_hist(struct ftk_trigger *t, const char *key, struct ftk_counts *into,
		     uint64_t *total, uint64_t *dropped, uint64_t *entries)
{
	char *text = ftk_trigger_hist(t);
	int rc = text ? parse_hist(into, text, key, total, dropped, entries) : -1;
	free(text);
	return rc;
}

/*
 * A counter whose keys come and go (pids): its map only grows (the kernel never deletes an
 * entry), and once full every event of a new key is only Dropped. So when a read finds it
 * 3/4 full or dropping, it is emptied (ftk_trigger_clear: ":clear", else set again) and the
 * per-key counts start over from 0. Events between that read and the clear reach no key:
 * the total comes from the second trigger (keys=common_pid, never cleared: Hits + Dropped
 * is every event), and what no key got (dropped by a full map or missed by a clear) is
 * total - the sum of the per-key counts, reported as dropped. The total is read first: the
 * keyed map, read after, can only be ahead, so the dropped figure is never too high and is
 * exact once the events stop.
 */
static void read_recycled(struct ftk_counter *k)
{
	struct ftk_counts fresh = { 0 }, none = { 0 };
	uint64_t total, keyed, dropped, entries;
	if (read_hist(k->total_trigger, NULL, &none, &total, &dropped, NULL) < 0)
		return;
	k->total = total;
	if (k->stuck || read_hist(k->trigger, k->key, &fresh, &keyed, &dropped, &entries) < 0) {
		ftk_counts_free(&fresh);
		return;
	}
	ftk_counts_free(&k->now);
	k->now = fresh;
	/* Full enough to recycle: this read's deltas come from the snapshot in k->now; the
	 * kernel's map is emptied now, the baseline once the deltas are taken
	 * (ftk_counters_read). */
	if (ftk_hist_map_filling(entries, dropped, k->set->map_size)) {
		k->recycles++;
		if (ftk_trigger_clear(k->trigger)) {
			k->stuck = true;	/* the keyed counts stop; the total goes on */
			ftk_warn("the per-key counts stop here; totals go on");
		}
	}
}

static uint64_t read_stats(struct ftk_counter *k);

static void read_plain(struct ftk_counter *k)
{
	struct ftk_counts fresh = { 0 };
	uint64_t total, dropped;
	if (read_hist(k->trigger, k->key, &fresh, &total, &dropped, NULL) < 0) {
		ftk_counts_free(&fresh);
		return;
	}
	k->total = total;
	k->dropped = dropped;
	ftk_counts_free(&k->now);
	k->now = fresh;
}

/* Read every counter; the deltas add to those not handed out yet (c->pending). */
static void read_all(struct ftk_counters *c)
{
	uint64_t counted = 0, lost = 0;
	if (!c->pending)
		for (struct ftk_counter *k = c->list; k; k = k->next) {
			k->delta = 0;
			ftk_counts_clear(&k->deltas);
		}
	if (c->via == FTK_COUNT_PROFILE)
		read_profile(c);
	for (struct ftk_counter *k = c->list; k; k = k->next) {
		unsigned long recycles = k->recycles;
		if (k->recycle)
			read_recycled(k);
		else if (k->trigger)
			read_plain(k);
		else if (k->rbc && !k->rbc_shared)
			lost += read_stats(k);
		uint64_t d = k->total - k->previous_total;
		k->delta += d;
		k->previous_total = k->total;
		if (k->parent)
			k->parent->delta += d;
		if (k->trigger || k->profile_name || k->rbc)
			counted += d;
		if (!k->key)
			continue;
		for (unsigned i = 0; i < k->now.cap; i++) {
			if (!k->now.used[i])
				continue;
			uint64_t key = k->now.keys[i];
			uint64_t was = ftk_counts_get(&k->previous, key);
			if (k->now.vals[i] > was) {
				ftk_counts_add(&k->deltas, key, k->now.vals[i] - was);
				k->attributed += k->now.vals[i] - was;
			}
			if (k->now.names[i])
				set_name(&k->deltas, key, k->now.names[i], strlen(k->now.names[i]));
			ftk_counts_set(&k->previous, key, k->now.vals[i]);
		}
		if (k->recycle) {
			/* never down: a read that saw the keys ahead of the total says less */
			if (k->total > k->attributed && k->total - k->attributed > k->dropped)
				k->dropped = k->total - k->attributed;
			if (k->recycles != recycles) {
				/* emptied: the next read counts from 0 */
				ftk_counts_free(&k->previous);
				ftk_counts_free(&k->now);
			}
		}
	}
	/* What the kernel counted for us enters the session's "N events" summary (the ring
	 * buffer's records are counted there already). */
	if (counted || lost)
		ftk_session_count(c->session, counted, lost);
}

void ftk_counters_read(struct ftk_counters *c)
{
	read_all(c);
	c->pending = false;
}

void ftk_counters_tend(struct ftk_counters *c)
{
	bool recycled = false;
	for (struct ftk_counter *k = c->list; k; k = k->next)
		recycled |= k->recycle;
	if (!recycled)
		return;
	read_all(c);
	c->pending = true;
}

uint64_t ftk_counter_delta(const struct ftk_counter *k)
{
	return k->delta;
}

void ftk_counter_each(const struct ftk_counter *k,
		      void (*fn)(uint64_t key, uint64_t count, void *ctx), void *ctx)
{
	for (unsigned i = 0; i < k->deltas.cap; i++)
		if (k->deltas.used[i] && k->deltas.vals[i])
			fn(k->deltas.keys[i], k->deltas.vals[i], ctx);
}

const char *ftk_counter_name(const struct ftk_counter *k, uint64_t key)
{
	if (!k->deltas.cap)
		return NULL;
	unsigned i = slot_of(&k->deltas, key);
	return k->deltas.used[i] ? k->deltas.names[i] : NULL;
}

unsigned long ftk_counters_recycled(const struct ftk_counters *c)
{
	unsigned long n = 0;
	for (struct ftk_counter *k = c->list; k; k = k->next)
		n += k->recycles;
	return n;
}

uint64_t ftk_counters_dropped(const struct ftk_counters *c)
{
	uint64_t n = 0;
	for (struct ftk_counter *k = c->list; k; k = k->next)
		if (k->key || k->rbc)
			n += k->dropped;
	return n;
}

void ftk_counters_free(struct ftk_counters *c)
{
	if (!c)
		return;
	for (struct ftk_counter *k = c->list, *next; k; k = next) {
		next = k->next;
		free(k->key);
		free(k->sys);
		free(k->event);
		free(k->filter);
		free(k->profile_name);
		ftk_counts_free(&k->now);
		ftk_counts_free(&k->previous);
		ftk_counts_free(&k->deltas);
		free(k);
	}
	free(c);
}

/* ---- stats: a counting instance per counter (rbcount.h) ---- */

bool ftk_count_stats_ok(void)
{
	return ftk_has(FTK_F_RBSTATS);
}

enum ftk_count_via ftk_count_pick_totals(bool probe, bool plain, int instances)
{
	enum ftk_count_via via = ftk_count_pick(probe, plain);
	if (via == FTK_COUNT_RING && instances > 0 && instances <= FTK_COUNT_STATS_MAX &&
	    ftk_count_stats_ok())
		return FTK_COUNT_STATS;
	return via;
}

/* ev (declared on the session, not enabled there) counted in an instance of its own. */
static struct ftk_counter *count_stats(struct ftk_counters *c, struct ftk_event *ev,
				       const char *filter)
{
	struct ftk_counter *k = add(c, NULL);
	k->ev = ev;
	if (filter) {
		free(ev->filter);
		ev->filter = ftk_xstrdup(filter);
	}
	k->rbc = ftk_rbcount(c->session);
	ftk_rbcount_add(k->rbc, ev);
	return k;
}

struct ftk_counter *ftk_count_into(struct ftk_counter *k, struct ftk_event *ev,
				   const char *filter)
{
	struct ftk_counters *c = k->set;
	if (c->via != FTK_COUNT_STATS || !k->rbc) {
		struct ftk_counter *part = ftk_count_event(c, ev, filter);
		part->parent = k;
		return part;
	}
	struct ftk_counter *part = add(c, NULL);
	part->ev = ev;
	if (filter) {
		free(ev->filter);
		ev->filter = ftk_xstrdup(filter);
	}
	part->rbc = k->rbc;
	part->rbc_shared = true;	/* read with k */
	ftk_rbcount_add(k->rbc, ev);
	return part;
}

/* The instance's cumulative count; returns what the kernel lost since the last read. */
static uint64_t read_stats(struct ftk_counter *k)
{
	uint64_t committed, lost;
	if (ftk_rbcount_read(k->rbc, &committed, &lost) < 0)
		return 0;
	/* never down (a CPU's file unreadable for one read) */
	if (committed > k->total)
		k->total = committed;
	uint64_t more = lost > k->previous_lost ? lost - k->previous_lost : 0;
	k->previous_lost += more;
	k->dropped = k->previous_lost;
	return more;
}

int ftk_count_pid_filter(const pid_t *pids, int n, char **filter)
{
	struct ftk_buf b = { 0 };

	*filter = NULL;
	for (int i = 0; i < n; i++) {
		int nt = 0;
		pid_t *tids = ftk_proc_threads(pids[i], &nt);
		if (!tids) {
			ftk_buf_free(&b);
			ftk_error("no process %d", (int)pids[i]);
			return -ESRCH;
		}
		for (int t = 0; t < nt; t++)
			ftk_buf_printf(&b, "%scommon_pid == %d", b.len ? " || " : "", (int)tids[t]);
		free(tids);
	}
	if (b.len)
		*filter = ftk_xstrdup(ftk_buf_str(&b));
	ftk_buf_free(&b);
	return 0;
}
