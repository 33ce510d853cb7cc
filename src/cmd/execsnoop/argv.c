// SPDX-License-Identifier: GPL-2.0-only
/*
 * execsnoop/argv: exec arguments from one probe event per argument (argv.h). One event per
 * argument because a uprobe event is limited to one page of fetched data: several strings in
 * one event would be dropped together. The captures of one thread are collected until its
 * exec succeeds or fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd/execsnoop.h"
#include "cmd/execsnoop/argv.h"
#include "core/elfsym.h"
#include "core/events.h"
#include "core/features.h"
#include "core/field.h"
#include "core/output.h"
#include "core/ustring.h"
#include "core/util.h"

#define PENDING_MAX	4096	/* threads with captured, not yet exec'd arguments */

struct argv_capture {
	unsigned long max_args;
	const char *source;		/* backend name: the args_source of what probes read */
	struct pending *pend;
	int npend;
	struct capture *captures;	/* one per capture event */
};

/* ---- capture events ---- */

/* Per exec function: where the file name and argv are at entry. */
struct exec_fn {
	const char *name;	/* event name prefix and (uprobe) symbol */
	const char *file;	/* fetch of the file name, NULL when there is none (fexecve) */
	const char *argv;	/* fetch of the argv pointer: base expression */
};

static const struct exec_fn uprobe_fns[] = {
	/* SysV x86-64 ABI: arguments in di, si, dx, cx, r8, r9. */
	{ "execve", "+0(%di):string", "%si" },
	{ "execveat", "+0(%si):string", "%dx" },
	/* fexecve() is left to the sched tracepoint + /proc: each probed function costs
	 * max_args + 2 uprobes, and each uprobe ~30 ms to remove at exit. */
};

/* The syscall functions and their argument fetches as this kernel takes them: filled in
 * from ftk_kprobe_exec() (features.c) by kprobe_usable(). */
static char kprobe_file[2][64];
static struct exec_fn kprobe_fns[2];

/* Event kind is encoded in the handler context: the index of the argument, or -1 for the
 * file name. */
struct capture {
	struct argv_capture *x;
	struct ftk_event *ev;
	struct capture *next;
	int arg;		/* -1: file name */
	struct ftk_field_ref p, str;
};

static struct pending *pending_get(struct argv_capture *x, pid_t tid, bool create)
{
	struct pending *free_slot = NULL, *oldest = NULL;
	for (int i = 0; i < x->npend; i++) {
		struct pending *p = &x->pend[i];
		if (p->tid == tid)
			return p;
		if (!p->tid && !free_slot)
			free_slot = p;
		if (p->tid && (!oldest || p->ts < oldest->ts))
			oldest = p;
	}
	if (!create)
		return NULL;
	if (!free_slot) {
		if (x->npend < PENDING_MAX) {
			x->pend = ftk_xrealloc(x->pend, (x->npend + 1) * sizeof(*x->pend));
			free_slot = &x->pend[x->npend++];
			memset(free_slot, 0, sizeof(*free_slot));
		} else {
			free_slot = oldest;	/* an exec that never completed */
		}
	}
	return free_slot;
}

static void pending_clear(struct argv_capture *x, struct pending *p)
{
	free(p->file);
	p->file = NULL;
	if (p->argv)
		for (unsigned long i = 0; i < x->max_args; i++) {
			free(p->argv[i]);
			p->argv[i] = NULL;
		}
	if (p->seen)
		memset(p->seen, 0, x->max_args + 2);
	p->tid = 0;
	p->argc = -1;
	p->more = p->more_seen = false;
	if (p->arglen)
		memset(p->arglen, 0, x->max_args * sizeof(int));
	p->comm[0] = 0;
	p->nseen = 0;
}

static void pending_start(struct argv_capture *x, struct pending *p, pid_t tid, uint64_t ts)
{
	if (p->tid)
		pending_clear(x, p);
	if (!p->argv) {
		p->argv = ftk_xcalloc(x->max_args, sizeof(char *));
		p->arglen = ftk_xcalloc(x->max_args, sizeof(int));
		p->seen = ftk_xcalloc(x->max_args + 2, 1);
	}
	p->tid = tid;
	p->ts = ts;
	p->argc = -1;
}

/* A fetched string: its bytes up to the stored length (which counts the NUL); len 0 when the
 * kernel could not fetch it (a fault: too long for one event, or not paged in). */
static const char *fetched(const struct ftk_field_ref *f, const struct ftk_rec *r, int *len)
{
	const char *s = (const char *)ftk_field_span(f, r->data, r->size, len);
	return *len > 0 ? s : NULL;
}

static void on_capture(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct capture *c = ctx;
	struct argv_capture *x = c->x;
	pid_t tid = ftk_rec_pid(r->data);
	struct pending *p = pending_get(x, tid, true);
	/* All captures of one call arrive together; a capture seen twice starts a new call
	 * (its predecessor's outcome was never seen). */
	int slot = c->arg + 1;
	if (p->tid != tid || p->seen[slot])
		pending_start(x, p, tid, r->ts);
	p->seen[slot] = 1;
	p->nseen++;
	if (c->arg < 0) {
		int len;
		const char *s = fetched(&c->str, r, &len);
		free(p->file);
		p->file = NULL;
		if (s && len > 0) {
			int n = strnlen(s, len);
			p->file = ftk_xmalloc(n + 1);
			memcpy(p->file, s, n);
			p->file[n] = 0;
		}
		return;
	}
	uint64_t ptr = ftk_field_u64(&c->p, r->data, r->size, 0);
	/* Captures may arrive in any order: the end of argv is decided at emit time. */
	if (ptr == 0 && (unsigned long)c->arg < x->max_args) {
		if (p->argc < 0 || c->arg < p->argc)
			p->argc = c->arg;
		return;
	}
	if ((unsigned long)c->arg == x->max_args) {
		int n;
		const char *cm = ftk_field_str(&c->str, r->data, r->size, &n);
		snprintf(p->comm, sizeof(p->comm), "%.*s", cm ? n : 0, cm ? cm : "");
		p->more_seen = true;
		p->more = ptr != 0;	/* argv[max_args] is not NULL */
		return;
	}
	int len;
	const char *s = fetched(&c->str, r, &len);
	free(p->argv[c->arg]);
	p->argv[c->arg] = NULL;
	if (!s || len == 0) {
		/* fault: too long for one event, or not paged in */
		p->arglen[c->arg] = -1;
		return;
	}
	int n = strnlen(s, len);
	p->argv[c->arg] = ftk_xmalloc(n + 1);
	memcpy(p->argv[c->arg], s, n);
	p->argv[c->arg][n] = 0;
	p->arglen[c->arg] = n;
}

static int add_capture_events(struct argv_capture *x, struct ftk_session *s,
			      const struct exec_fn *fn, bool kprobe, const char *libc)
{
	char name[64], fetch[256], target[4096 + 32];
	uint64_t off = 0;
	if (!kprobe) {
		int err = ftk_elf_sym_offset(libc, fn->name, &off);
		if (err) {
			/* execveat may be missing from an old libc: skip it. */
			if (strcmp(fn->name, "execve") != 0)
				return 0;
			ftk_error("no function '%s' in %s: %s", fn->name, libc, strerror(-err));
			return err;
		}
	}
	/* The fetch types this kernel's probes take (features.c): u64 for x64 before 4.11, no
	 * $comm before 4.5 (no comm for failed execs then). */
	if (kprobe)
		snprintf(target, sizeof(target), "%s", fn->name);
	else
		snprintf(target, sizeof(target), "%s:0x%llx", libc, (unsigned long long)off);
	const char *hex64 = ftk_fetch_x64(!kprobe, target);
	const char *comm = ftk_fetch_comm(!kprobe, target, "c");
	/* +1: the pointer after the last shown argument tells whether argv was cut. */
	for (long k = -1; k <= (long)x->max_args; k++) {
		struct ftk_event *ev;
		const char *sym = fn->name;
		const char *ename = kprobe ? (fn == &kprobe_fns[0] ? "execve" : "execveat") : fn->name;
		if (k < 0) {
			if (!fn->file)
				continue;
			snprintf(name, sizeof(name), "%s_file", ename);
			snprintf(fetch, sizeof(fetch), "f=%s", fn->file);
		} else if ((unsigned long)k == x->max_args) {
			snprintf(name, sizeof(name), "%s_more", ename);
			/* ...and carries the caller's comm, for failed execs. */
			snprintf(fetch, sizeof(fetch), "p=+%ld(%s):%s%s", 8 * k, fn->argv, hex64,
				 comm);
		} else {
			snprintf(name, sizeof(name), "%s_arg%ld", ename, k);
			snprintf(fetch, sizeof(fetch), "p=+%ld(%s):%s s=+0(+%ld(%s)):%s", 8 * k,
				 fn->argv, hex64, 8 * k, fn->argv,
				 kprobe ? ftk_kprobe_exec()->str : "string");
		}
		if (kprobe)
			ev = ftk_kprobe(s, name, sym, fetch, false);
		else
			ev = ftk_uprobe(s, name, libc, off, fetch, false);
		if (!ev)
			return -EINVAL;
		if (strcmp(fn->name, "execve") != 0 && fn != &kprobe_fns[0])
			ev->optional = true;
		struct capture *c = ftk_xcalloc(1, sizeof(*c));
		c->x = x;
		c->arg = k < 0 ? -1 : (int)k;
		c->ev = ev;
		c->next = x->captures;
		x->captures = c;
		ftk_event_on(ev, on_capture, c);
	}
	return 0;
}

/* ---- output ---- */

void ftk_execsnoop_join(struct ftk_buf *b, char *const *argv, const int *lens, int argc,
			bool truncated, bool quote)
{
	for (int i = 0; i < argc; i++) {
		if (i)
			ftk_buf_addc(b, ' ');
		if (!argv[i]) {
			ftk_buf_adds(b, "[?]");
			continue;
		}
		if (quote)
			ftk_buf_addc(b, '"');
		ftk_escape_table(b, argv[i], lens[i], quote);
		if (quote)
			ftk_buf_addc(b, '"');
	}
	if (truncated)
		ftk_buf_adds(b, argc ? " ..." : "...");
}

void ftk_execsnoop_finish(const struct ftk_argv_state *st, int *argc, bool *truncated,
			  bool *complete)
{
	int n;
	*truncated = false;
	if (st->end >= 0) {
		n = st->end;
	} else if (st->more_seen) {
		n = st->max_args;
		*truncated = st->more;
	} else {
		/* Neither the end of argv nor the slot after the last was seen: captures were
		 * lost. Keep what arrived. */
		n = 0;
		for (unsigned long i = 0; i < st->max_args; i++)
			if (st->argv[i] || st->lens[i] < 0)
				n = i + 1;
		*argc = n;
		*complete = false;
		return;
	}
	*complete = true;
	for (int i = 0; i < n; i++)
		*complete &= st->argv[i] != NULL;
	*argc = n;
}

static int proc_args(pid_t pid, char ***argvp, int **lensp, unsigned long max, bool *trunc)
{
	char path[64];
	size_t len;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	char *buf = ftk_read_file(path, &len);
	if (!buf || len == 0) {
		free(buf);
		return -1;
	}
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == 0;
	if (buf[len - 1] != 0)
		n++;
	*trunc = (unsigned long)n > max;
	if ((unsigned long)n > max)
		n = max;
	char **argv = ftk_xcalloc(n + 1, sizeof(char *));
	int *lens = ftk_xcalloc(n + 1, sizeof(int));
	size_t pos = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strnlen(buf + pos, len - pos);
		/* An argument with no NUL was cut: before 4.2 ("proc: fix PAGE_SIZE limit of
		 * /proc/$PID/cmdline") the kernel gives one page of argv. Unknown, not cut. */
		if (pos + l == len) {
			lens[i] = -1;
			break;
		}
		argv[i] = ftk_xmalloc(l + 1);
		memcpy(argv[i], buf + pos, l);
		argv[i][l] = 0;
		lens[i] = l;
		pos += l + 1;
	}
	free(buf);
	*argvp = argv;
	*lensp = lens;
	return n;
}

static void free_args(char **argv, int *lens, int n)
{
	for (int i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	free(lens);
}

/* Whether /proc's argv (n strings) is the one the probes saw in part (argc of them, the
 * unread ones NULL): same count and every read argument equal. Otherwise the process has
 * exec'd again since (a shell exec'ing its last command, say): its cmdline is another
 * program's. */
static bool same_image(const struct pending *p, int argc, char *const *argv, const int *lens,
		       int n)
{
	if (p->argc >= 0 && n != argc)
		return false;
	for (int i = 0; i < argc && i < n; i++)
		if (p->argv[i] && p->arglen[i] >= 0 &&
		    (lens[i] != p->arglen[i] || memcmp(argv[i], p->argv[i], lens[i]) != 0))
			return false;
	return true;
}

/* ---- backends ---- */

static bool kprobe_usable(char *why, size_t len)
{
	struct utsname u;
	if (uname(&u) == 0 && strcmp(u.machine, "x86_64") != 0) {
		snprintf(why, len, "argument fetching is written for x86_64 (this is %s)",
			 u.machine);
		return false;
	}
	/* Probed, not a version: the syscall function's calling convention and what reads
	 * user strings (ustring since 5.5, else string where a test exec shows it works). */
	const struct ftk_kexec *k = ftk_kprobe_exec();
	if (!k->ok) {
		snprintf(why, len, "%s", k->why);
		return false;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(kprobe_file[i], sizeof(kprobe_file[i]), "+0(%s):%s", k->fn[i].file, k->str);
		kprobe_fns[i].name = k->fn[i].sym[0] ? k->fn[i].sym : NULL;
		kprobe_fns[i].file = kprobe_file[i];
		kprobe_fns[i].argv = k->fn[i].argv;
	}
	if (!ftk_tracepoint_exists("sched", "sched_process_exec")) {
		snprintf(why, len, "no sched:sched_process_exec tracepoint");
		return false;
	}
	return true;
}

/*
 * A uprobe event whose fetched strings exceed one page makes the kernel WARN (once per boot,
 * trace_uprobe.c prepare_uprobe_buffer) and truncate; with one string per event that takes an
 * argument of more than ~4080 bytes. Harmless where warnings are warnings, a panic where
 * kernel.panic_on_warn=1: there, don't fetch user strings with uprobes (core/ustring.h).
 */
static bool uprobe_usable(char *why, size_t len)
{
	if (!ftk_ustring_uprobe_usable("execve", "an argument longer than a page", why, len))
		return false;
	const char *libc = ftk_system_libc();
	uint64_t off;
	if (!libc || ftk_elf_sym_offset(libc, "execve", &off) != 0)
		return false;	/* ftk_ustring_uprobe_usable() said it */
	char target[4096 + 32], f[128];
	snprintf(target, sizeof(target), "%s:0x%llx", libc, (unsigned long long)off);
	/* the argument fetch itself, as the backend will make it */
	snprintf(f, sizeof(f), "p=+0(%s):%s s=+0(+0(%s)):string", uprobe_fns[0].argv,
		 ftk_fetch_x64(true, target), uprobe_fns[0].argv);
	int err = ftk_probe_fetch_test(true, target, f);
	if (err) {
		snprintf(why, len, "this kernel's uprobes refuse the argv fetch '%s': %s", f,
			 strerror(-err));
		return false;
	}
	if (!ftk_tracepoint_exists("sched", "sched_process_exec")) {
		snprintf(why, len, "no sched:sched_process_exec tracepoint");
		return false;
	}
	return true;
}

static bool proc_usable(char *why, size_t len)
{
	if (!ftk_tracepoint_exists("sched", "sched_process_exec")) {
		snprintf(why, len, "no sched:sched_process_exec tracepoint (CONFIG_TRACEPOINTS?)");
		return false;
	}
	return true;
}

const struct ftk_backend execsnoop_backends[3] = {
	{ "kprobe", "kprobes on the exec syscalls, argv fetched at entry",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_KPROBES }, kprobe_usable },
	{ "uprobe", "sched tracepoints, argv from uprobes on the C library's exec functions",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_UPROBES }, uprobe_usable },
	{ "proc", "sched tracepoints, argv from /proc/PID/cmdline (best effort)",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES }, proc_usable },
};


/* ---- the engine's interface ---- */

struct argv_capture *argv_capture_new(unsigned long max_args)
{
	struct argv_capture *x = ftk_xcalloc(1, sizeof(*x));

	x->max_args = max_args;
	x->source = "none";
	return x;
}

void argv_capture_free(struct argv_capture *x)
{
	if (!x)
		return;
	for (int i = 0; i < x->npend; i++) {
		pending_clear(x, &x->pend[i]);
		free(x->pend[i].argv);
		free(x->pend[i].arglen);
		free(x->pend[i].seen);
	}
	free(x->pend);
	while (x->captures) {
		struct capture *c = x->captures;
		x->captures = c->next;
		free(c);
	}
	free(x);
}

int argv_capture_declare(struct argv_capture *x, struct ftk_session *s, int backend)
{
	int rc = 0;

	x->source = execsnoop_backends[backend].name;
	if (backend == EXECSNOOP_KPROBE) {
		for (size_t i = 0; i < FTK_ARRAY_SIZE(kprobe_fns) && !rc; i++)
			if (kprobe_fns[i].name)
				rc = add_capture_events(x, s, &kprobe_fns[i], true, NULL);
	} else if (backend == EXECSNOOP_UPROBE) {
		const char *libc = ftk_system_libc();
		for (size_t i = 0; i < FTK_ARRAY_SIZE(uprobe_fns) && !rc; i++)
			rc = add_capture_events(x, s, &uprobe_fns[i], false, libc);
	}
	return rc;
}

void argv_capture_bind(struct argv_capture *x)
{
	for (struct capture *c = x->captures; c; c = c->next) {
		struct ftk_event *ev = c->ev;
		if (!ev->tep)
			continue;
		bool has_p = ftk_field_bind(&c->p, ev, "p");
		ftk_field_bind(&c->str, ev, c->arg < 0 ? "f"
					: (unsigned long)c->arg == x->max_args ? "c" : "s");
		if (!has_p && c->arg >= 0)
			ev->fn = NULL;
	}
}

struct pending *argv_capture_find(struct argv_capture *x, pid_t tid)
{
	return pending_get(x, tid, false);
}

void argv_capture_done(struct argv_capture *x, struct pending *p)
{
	if (p)
		pending_clear(x, p);
}

void argv_capture_reset(struct argv_capture *x)
{
	for (int i = 0; i < x->npend; i++)
		if (x->pend[i].tid)
			pending_clear(x, &x->pend[i]);
}

void argv_resolve(struct argv_capture *x, struct pending *p, pid_t pid, int ret,
		  struct exec_argv *out)
{
	*out = (struct exec_argv){ .source = "none" };
	if (p && p->nseen > 0) {
		struct ftk_argv_state st = {
			.max_args = x->max_args, .end = p->argc, .more_seen = p->more_seen,
			.more = p->more, .argv = p->argv, .lens = p->arglen,
		};
		bool complete, t;

		ftk_execsnoop_finish(&st, &out->argc, &out->truncated, &complete);
		out->argv = p->argv;
		out->lens = p->arglen;
		out->source = x->source;
		if (complete || ret != 0)
			return;
		/* An argument too long for one probe event, or a lost capture: the new image's
		 * cmdline has them whole while the process lives. */
		char **argv;
		int *lens;
		int n = proc_args(pid, &argv, &lens, x->max_args, &t);
		if (n < 0)
			return;
		if (!same_image(p, out->argc, argv, lens, n)) {
			free_args(argv, lens, n);
			return;
		}
		*out = (struct exec_argv){ .argv = argv, .lens = lens, .argc = n, .truncated = t,
					   .source = "proc", .owned = true };
	} else if (ret == 0) {
		int n = proc_args(pid, &out->argv, &out->lens, x->max_args, &out->truncated);
		if (n >= 0) {
			out->argc = n;
			out->owned = true;
			out->source = "proc";
		}
	}
}

void exec_argv_free(struct exec_argv *e)
{
	if (e->owned)
		free_args(e->argv, e->lens, e->argc);
	e->owned = false;
}
