// SPDX-License-Identifier: GPL-2.0-only
/*
 * procs: process facts read from /proc (parent, thread group, uid, comm, start time, thread
 * list) and the pid table that views keep up to date from sched events. /proc reads use a
 * stack buffer and plain open/read, since a view may fall back to them per event. The table
 * is open addressing with linear probing over a power-of-two array of small slots (pid and
 * entry index) and backward-shift deletion, so there are no tombstones and lookups stop at
 * the first empty slot. Entries live in fixed chunks that never move: a pointer returned by
 * get/put/lookup stays valid until that pid is deleted or the table is freed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>

#include "features.h"
#include "procs.h"
#include "util.h"

/* --input: this host's /proc says nothing of a recording's pids. The recording's cmdlines
 * answer for comm; every other fact is unknown (the views' events say it, or nothing does). */
static ssize_t read_recorded(pid_t pid, const char *name, char *buf, size_t size)
{
	struct tep_handle *tep = ftk_features_offline_tep();
	if (strcmp(name, "comm") || !tep_is_pid_registered(tep, pid))
		return -1;
	return snprintf(buf, size, "%s\n", tep_data_comm_from_pid(tep, pid));
}

/* Read /proc/PID/NAME into buf (NUL-terminated); length, or -1 when unreadable. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n, len = 0;
	int fd;

	if (pid <= 0)
		return -1;
	if (ftk_features_offline_tep())
		return read_recorded(pid, name, buf, size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	/* a zombie or a process exiting right now can give an empty file */
	return len > 0 ? len : -1;
}

/* Value of the first number after "KEY:\t" in /proc/PID/status, or -1. */
struct pstatus {
	long tgid, ppid, uid;
};

static long status_field(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	return strtol(p, NULL, 10);
}

static int read_status(pid_t pid, struct pstatus *st)
{
	char buf[4096];

	if (read_proc(pid, "status", buf, sizeof(buf)) < 0)
		return -1;
	st->tgid = status_field(buf, "\nTgid:");
	st->ppid = status_field(buf, "\nPPid:");
	st->uid = status_field(buf, "\nUid:");
	return 0;
}

pid_t ftk_proc_ppid(pid_t pid)
{
	struct pstatus st;

	return read_status(pid, &st) ? -1 : (pid_t)st.ppid;
}

pid_t ftk_proc_tgid(pid_t tid)
{
	struct pstatus st;

	return read_status(tid, &st) ? -1 : (pid_t)st.tgid;
}

long ftk_proc_uid(pid_t pid)
{
	struct pstatus st;

	return read_status(pid, &st) ? -1 : st.uid;
}

bool ftk_proc_comm(pid_t pid, char *buf, size_t len)
{
	char tmp[64];
	ssize_t n;

	if (!len)
		return false;
	n = read_proc(pid, "comm", tmp, sizeof(tmp));
	if (n < 0)
		return false;
	if (n > 0 && tmp[n - 1] == '\n')
		tmp[--n] = 0;
	if ((size_t)n >= len)
		n = len - 1;
	memcpy(buf, tmp, n);
	buf[n] = 0;
	return true;
}

bool ftk_proc_exists(pid_t pid)
{
	if (pid <= 0)	/* kill(0) and kill(-n) address process groups */
		return false;
	if (ftk_features_offline_tep())
		return true;	/* -p PID of a recording: its records say */
	return kill(pid, 0) == 0 || errno == EPERM;
}

unsigned long long ftk_proc_starttime(pid_t pid)
{
	char buf[1024];
	char *p;

	if (read_proc(pid, "stat", buf, sizeof(buf)) < 0)
		return 0;
	/* "pid (comm) state ppid ...": comm may hold spaces and ')', so parse after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	/* the fields after ')' are 3 (state) .. 52; starttime is 22: skip 19 fields */
	for (int field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
		if (!*p)
			return 0;
	}
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	return strtoull(p, NULL, 10);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

pid_t *ftk_proc_threads(pid_t pid, int *n)
{
	char path[64];
	struct dirent *de;
	pid_t *tids = NULL;
	int cnt = 0, cap = 0;
	DIR *d;

	*n = 0;
	if (pid <= 0)
		return NULL;
	if (ftk_features_offline_tep()) {
		/* a recording lists no threads: the pid itself (forks are followed) */
		tids = ftk_xmalloc(sizeof(*tids));
		tids[0] = pid;
		*n = 1;
		return tids;
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		unsigned long v;

		if (ftk_parse_ulong(de->d_name, 1, INT32_MAX, &v))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			tids = ftk_xrealloc(tids, cap * sizeof(*tids));
		}
		tids[cnt++] = (pid_t)v;
	}
	closedir(d);
	if (!cnt) {	/* exited between opendir and readdir */
		free(tids);
		return NULL;
	}
	qsort(tids, cnt, sizeof(*tids), cmp_pid);
	*n = cnt;
	return tids;
}

/* ---- pid table ---- */

#define SLOT_EMPTY (-1)
#define CHUNK_SHIFT 10
#define CHUNK_SIZE (1u << CHUNK_SHIFT)
#define MIN_BITS 8

struct slot {
	int32_t pid;	/* SLOT_EMPTY when free */
	uint32_t idx;	/* entry index */
};

struct ftk_ptable {
	struct slot *slots;
	uint32_t mask;		/* capacity - 1 */
	unsigned int bits;
	uint32_t count;
	struct ftk_pinfo **chunks;	/* entries, CHUNK_SIZE per chunk, never moved */
	uint32_t nchunks;
	uint32_t nentries;	/* entries ever handed out (high-water mark) */
	uint32_t *free_idx;	/* stack of released entry indexes */
	uint32_t nfree, free_cap;
};

static inline uint32_t home_slot(const struct ftk_ptable *t, int32_t pid)
{
	/* Fibonacci hashing: consecutive pids spread over the table */
	return (uint32_t)((uint32_t)pid * 2654435769u) >> (32 - t->bits);
}

static inline struct ftk_pinfo *entry(const struct ftk_ptable *t, uint32_t idx)
{
	return &t->chunks[idx >> CHUNK_SHIFT][idx & (CHUNK_SIZE - 1)];
}

static struct slot *alloc_slots(unsigned int bits)
{
	size_t n = (size_t)1 << bits;
	struct slot *s = ftk_xmalloc(n * sizeof(*s));

	for (size_t i = 0; i < n; i++)
		s[i].pid = SLOT_EMPTY;
	return s;
}

struct ftk_ptable *ftk_ptable_new(void)
{
	struct ftk_ptable *t = ftk_xcalloc(1, sizeof(*t));

	t->bits = MIN_BITS;
	t->mask = (1u << MIN_BITS) - 1;
	t->slots = alloc_slots(MIN_BITS);
	return t;
}

void ftk_ptable_free(struct ftk_ptable *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->free_idx);
	free(t->slots);
	free(t);
}

/* Slot index holding pid, or -1. */
static inline long find_slot(const struct ftk_ptable *t, int32_t pid)
{
	uint32_t i = home_slot(t, pid);

	for (;;) {
		int32_t k = t->slots[i].pid;

		if (k == pid)
			return i;
		if (k == SLOT_EMPTY)
			return -1;
		i = (i + 1) & t->mask;
	}
}

struct ftk_pinfo *ftk_ptable_get(struct ftk_ptable *t, pid_t pid)
{
	long i;

	if (pid < 0)
		return NULL;
	i = find_slot(t, pid);
	return i < 0 ? NULL : entry(t, t->slots[i].idx);
}

static void insert_slot(struct slot *slots, const struct ftk_ptable *t, struct slot s)
{
	uint32_t i = home_slot(t, s.pid);

	while (slots[i].pid != SLOT_EMPTY)
		i = (i + 1) & t->mask;
	slots[i] = s;
}

static void grow(struct ftk_ptable *t)
{
	struct slot *old = t->slots;
	uint32_t oldcap = t->mask + 1;

	t->bits++;
	t->mask = (1u << t->bits) - 1;
	t->slots = alloc_slots(t->bits);
	for (uint32_t i = 0; i < oldcap; i++)
		if (old[i].pid != SLOT_EMPTY)
			insert_slot(t->slots, t, old[i]);
	free(old);
}

static uint32_t alloc_entry(struct ftk_ptable *t)
{
	if (t->nfree)
		return t->free_idx[--t->nfree];
	if (t->nentries == t->nchunks * CHUNK_SIZE) {
		t->chunks = ftk_xrealloc(t->chunks, (t->nchunks + 1) * sizeof(*t->chunks));
		t->chunks[t->nchunks++] = ftk_xmalloc(CHUNK_SIZE * sizeof(struct ftk_pinfo));
	}
	return t->nentries++;
}

static void release_entry(struct ftk_ptable *t, uint32_t idx)
{
	if (t->nfree == t->free_cap) {
		t->free_cap = t->free_cap ? t->free_cap * 2 : 64;
		t->free_idx = ftk_xrealloc(t->free_idx, t->free_cap * sizeof(*t->free_idx));
	}
	t->free_idx[t->nfree++] = idx;
}

struct ftk_pinfo *ftk_ptable_put(struct ftk_ptable *t, pid_t pid)
{
	struct ftk_pinfo *e;
	struct slot s;
	long i;

	if (pid < 0)
		return NULL;
	i = find_slot(t, pid);
	if (i >= 0)
		return entry(t, t->slots[i].idx);
	/* keep the load factor at most 5/8: short probe runs */
	if ((t->count + 1) * 8 > (t->mask + 1) * 5)
		grow(t);
	s.pid = pid;
	s.idx = alloc_entry(t);
	insert_slot(t->slots, t, s);
	t->count++;
	e = entry(t, s.idx);
	e->pid = pid;
	e->tgid = -1;
	e->ppid = -1;
	e->comm[0] = 0;
	e->flags = 0;
	return e;
}

void ftk_ptable_del(struct ftk_ptable *t, pid_t pid)
{
	long found;
	uint32_t i, j;

	if (pid < 0)
		return;
	found = find_slot(t, pid);
	if (found < 0)
		return;
	i = (uint32_t)found;
	release_entry(t, t->slots[i].idx);
	t->count--;
	/*
	 * Backward shift: move later members of the probe run into the hole when their home
	 * slot does not lie cyclically in (hole, their position].
	 */
	j = i;
	for (;;) {
		uint32_t k;

		j = (j + 1) & t->mask;
		if (t->slots[j].pid == SLOT_EMPTY)
			break;
		k = home_slot(t, t->slots[j].pid);
		if (((j - k) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].pid = SLOT_EMPTY;
}

struct ftk_pinfo *ftk_ptable_lookup(struct ftk_ptable *t, pid_t pid)
{
	struct ftk_pinfo *e = ftk_ptable_get(t, pid);
	struct pstatus st;
	char comm[sizeof(e->comm)];

	if (e)
		return e;
	if (pid > 0 && ftk_features_offline_tep()) {
		/* a recording: its cmdlines name the pid; tgid and parent stay unknown (-1) */
		if (!ftk_proc_comm(pid, comm, sizeof(comm)))
			return NULL;
		e = ftk_ptable_put(t, pid);
		memcpy(e->comm, comm, sizeof(comm));
		return e;
	}
	if (pid <= 0 || read_status(pid, &st) || !ftk_proc_comm(pid, comm, sizeof(comm)))
		return NULL;
	e = ftk_ptable_put(t, pid);
	e->tgid = (pid_t)st.tgid;
	e->ppid = (pid_t)st.ppid;
	memcpy(e->comm, comm, sizeof(comm));
	return e;
}
