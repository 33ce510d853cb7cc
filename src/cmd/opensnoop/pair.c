// SPDX-License-Identifier: GPL-2.0-only
/*
 * opensnoop/pair: open calls paired entry -> exit by thread, with the path a capture read for
 * that very call (pair.h). A capture is kept for one call only: the thread's next entry takes
 * it when it read the same user pointer, and drops it otherwise; so a path is never another
 * call's, let alone another thread's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/opensnoop/pair.h"
#include "core/util.h"

#define NBUCKETS 4096

const char *const open_sys_names[OPEN_NSYS] = {
	[OPEN_SYS_OPEN] = "open",
	[OPEN_SYS_OPENAT] = "openat",
	[OPEN_SYS_OPENAT2] = "openat2",
	[OPEN_SYS_CREAT] = "creat",
};

/* What one thread has in flight. */
struct thread_state {
	pid_t tid;
	struct thread_state *next;
	bool has_capture;	/* a capture waiting for its entry */
	uint64_t cap_ptr;
	char *cap_s;		/* NULL: fault */
	int cap_len;
	bool cap_truncated;
	char cap_comm[16];
	bool in_call;		/* entry seen, exit not yet */
	struct open_call call;
};

struct open_pairs {
	const char *source, *no_capture;
	struct thread_state *buckets[NBUCKETS];
	int n;
};

struct open_pairs *open_pairs_new(const char *source, const char *no_capture)
{
	struct open_pairs *p = ftk_xcalloc(1, sizeof(*p));

	p->source = source;
	p->no_capture = no_capture;
	return p;
}

static struct thread_state **slot_of(struct open_pairs *p, pid_t tid)
{
	struct thread_state **t = &p->buckets[(unsigned)tid % NBUCKETS];

	while (*t && (*t)->tid != tid)
		t = &(*t)->next;
	return t;
}

static struct thread_state *thread_get(struct open_pairs *p, pid_t tid, bool create)
{
	struct thread_state **t = slot_of(p, tid);

	if (*t || !create)
		return *t;
	*t = ftk_xcalloc(1, sizeof(**t));
	(*t)->tid = tid;
	p->n++;
	return *t;
}

static void capture_clear(struct thread_state *t)
{
	free(t->cap_s);
	t->cap_s = NULL;
	t->has_capture = false;
}

void open_call_free(struct open_call *c)
{
	free(c->path);
	c->path = NULL;
}

static void thread_drop(struct open_pairs *p, pid_t tid)
{
	struct thread_state **slot = slot_of(p, tid), *t = *slot;

	if (!t)
		return;
	*slot = t->next;
	capture_clear(t);
	open_call_free(&t->call);
	free(t);
	p->n--;
}

/* Gives call c the path of a capture. */
static void take_path(struct open_pairs *p, struct open_call *c, const struct open_capture *cap,
		      const char *source)
{
	free(c->path);
	c->path = NULL;
	c->path_truncated = cap->truncated;
	if (cap->s) {
		c->path = ftk_xmalloc(cap->len + 1);
		memcpy(c->path, cap->s, cap->len);
		c->path[cap->len] = 0;
		c->path_len = cap->len;
		c->path_source = source;
		c->why = NULL;
	} else {
		c->why = "the kernel could not read it (a fault: not paged in, or too long)";
	}
	if (cap->comm && cap->comm[0])
		snprintf(c->comm, sizeof(c->comm), "%s", cap->comm);
}

void open_pairs_capture(struct open_pairs *p, pid_t tid, const struct open_capture *c)
{
	struct thread_state *t = thread_get(p, tid, true);

	if (t->in_call && !t->call.path && t->call.ptr == c->ptr && !t->call.why) {
		take_path(p, &t->call, c, p->source);	/* after its entry (kprobes) */
		return;
	}
	/* Before its entry (uprobes): kept for the thread's next call. */
	capture_clear(t);
	t->has_capture = true;
	t->cap_ptr = c->ptr;
	t->cap_len = c->s ? c->len : 0;
	if (c->s) {
		t->cap_s = ftk_xmalloc(c->len + 1);
		memcpy(t->cap_s, c->s, c->len);
		t->cap_s[c->len] = 0;
	}
	t->cap_truncated = c->truncated;
	snprintf(t->cap_comm, sizeof(t->cap_comm), "%s", c->comm ? c->comm : "");
}

void open_pairs_enter(struct open_pairs *p, const struct open_call *c,
		      const struct open_capture *own)
{
	struct thread_state *t = thread_get(p, c->tid, true);

	open_call_free(&t->call);	/* a call whose exit never came */
	t->call = *c;
	t->call.entered = true;
	t->call.path = NULL;
	t->call.why = NULL;
	t->call.path_source = NULL;
	t->call.comm[0] = 0;
	t->in_call = true;
	if (own) {
		take_path(p, &t->call, own, "tracepoint");
	} else if (t->has_capture && t->cap_ptr == c->ptr) {
		struct open_capture cap = {
			.ptr = t->cap_ptr, .s = t->cap_s, .len = t->cap_len,
			.truncated = t->cap_truncated, .comm = t->cap_comm,
		};
		take_path(p, &t->call, &cap, p->source);
	}
	/* A capture is for one call: taken, or another pointer's (a libc call that never made
	 * the syscall). */
	capture_clear(t);
}

bool open_pairs_exit(struct open_pairs *p, pid_t tid, int sys, long ret, uint64_t ts,
		     struct open_call *out)
{
	struct thread_state *t = thread_get(p, tid, false);

	if (t && t->in_call && t->call.sys == sys) {
		*out = t->call;
		t->call.path = NULL;	/* now out's */
		t->in_call = false;
		out->ret = ret;
		if (!out->path && !out->why)
			out->why = p->no_capture;
		if (!t->has_capture)
			thread_drop(p, tid);
		return true;
	}
	if (t && t->in_call) {
		/* Another call's entry: this exit's entry and that call's exit were lost. */
		open_call_free(&t->call);
		t->in_call = false;
	}
	*out = (struct open_call){
		.tid = tid, .sys = sys, .ts = ts, .ret = ret, .dfd = AT_FDCWD,
		.why = "entry not seen (the call began before tracing, or events were lost)",
	};
	return true;
}

void open_pairs_reset(struct open_pairs *p)
{
	for (int i = 0; i < NBUCKETS; i++)
		while (p->buckets[i])
			thread_drop(p, p->buckets[i]->tid);
}

void open_pairs_forget(struct open_pairs *p, pid_t tid)
{
	thread_drop(p, tid);
}

int open_pairs_count(const struct open_pairs *p)
{
	return p->n;
}

void open_pairs_free(struct open_pairs *p)
{
	if (!p)
		return;
	open_pairs_reset(p);
	free(p);
}

struct open_capture open_capture_of_entry(uint64_t ptr, const char *s, int len)
{
	struct open_capture c = { .ptr = ptr, .s = s && len > 0 ? s : NULL, .len = len };

	c.truncated = c.s && len > OPEN_SYSCALL_STRING_MAX && memcmp(s + len - 3, "...", 3) == 0;
	return c;
}

/* ---- flags ---- */

static const struct {
	const char *name;
	long value;
} open_flags[] = {
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT }, { "O_EXCL", O_EXCL }, { "O_NOCTTY", O_NOCTTY },
	{ "O_TRUNC", O_TRUNC }, { "O_APPEND", O_APPEND }, { "O_NONBLOCK", O_NONBLOCK },
	{ "O_NDELAY", O_NDELAY }, { "O_DSYNC", O_DSYNC }, { "O_SYNC", O_SYNC },
	{ "O_ASYNC", O_ASYNC }, { "O_DIRECT", O_DIRECT }, { "O_LARGEFILE", O_LARGEFILE },
	{ "O_DIRECTORY", O_DIRECTORY }, { "O_NOFOLLOW", O_NOFOLLOW }, { "O_NOATIME", O_NOATIME },
	{ "O_CLOEXEC", O_CLOEXEC }, { "O_PATH", O_PATH }, { "O_TMPFILE", O_TMPFILE },
};

long ftk_open_flag(const char *name)
{
	for (size_t i = 0; i < FTK_ARRAY_SIZE(open_flags); i++)
		if (strcmp(open_flags[i].name, name) == 0)
			return open_flags[i].value;
	return -1;
}

bool ftk_open_flags_match(uint64_t flags, const long *filter, int n)
{
	for (int i = 0; i < n; i++) {
		long f = filter[i];
		if (f == O_RDONLY || f == O_WRONLY || f == O_RDWR) {
			if ((long)(flags & O_ACCMODE) == f)
				return true;
		} else if (f == O_TMPFILE) {
			if ((flags & O_TMPFILE) == O_TMPFILE)
				return true;
		} else if (flags & f) {
			return true;
		}
	}
	return false;
}
