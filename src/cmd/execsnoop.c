// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk execsnoop: every exec() on the system, with bcc execsnoop's flags and columns.
 *
 * The source of truth is sched:sched_process_exec (every successful exec, static binaries
 * and execveat included); syscalls:sys_exit_execve(at) give failed execs' errors; fork
 * events give the real parent. Arguments come from one dynamic event per argument, placed
 * where the kernel allows: kprobes on the exec syscalls, else uprobes on the exec functions of
 * the system C library (what every dynamically linked program calls), else /proc/PID/cmdline
 * read when the exec is seen (best effort). One event per argument because a uprobe event is
 * limited to one page of fetched data: several strings in one event would be dropped together.
 * The captures of one thread are collected until its exec succeeds or fails.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/elfsym.h"
#include "core/events.h"
#include "core/features.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"
#include "cmd/execsnoop.h"

#define MAX_ARGS_LIMIT	1024
#define DEFAULT_MAX_ARGS 20
#define PENDING_MAX	4096	/* threads with captured, not yet exec'd arguments */

enum backend { BK_KPROBE, BK_UPROBE, BK_PROC };

struct opts {
	bool hms, timestamp, fails, print_uid, quote, json, dry_run;
	long uid;		/* -1: any */
	long ppid;		/* -1: any */
	bool has_name, has_line;
	regex_t name_re, line_re;
	unsigned long max_args;
	double duration;
	unsigned long buffer_kb;
	const char *backend;
};

/* Arguments captured for one thread between exec entry and its outcome. */
struct pending {
	pid_t tid;		/* 0: free slot */
	uint64_t ts;
	char *file;
	int argc;		/* -1 until the NULL pointer is seen */
	bool more_seen;		/* the argv[max_args] capture arrived */
	bool more;		/* ... and argv[max_args] was not NULL */
	char comm[16];		/* the caller's comm */
	int nseen;
	char **argv;		/* max_args slots */
	unsigned char *seen;	/* slot 0: file, 1 + k: argv[k] (k <= max_args) */
	int *arglen;
};

struct execsnoop {
	struct opts o;
	struct ftk_session *s;
	enum backend bk;
	const char *source;	/* args_source value */
	struct ftk_ptable *procs;
	struct pending *pend;
	int npend;
	struct ftk_buf line, argsbuf;
	/* fields */
	const struct tep_format_field *exec_filename, *exec_pid, *exec_old_pid;
	const struct tep_format_field *fork_parent, *fork_child;
	const struct tep_format_field *rename_pid, *rename_newcomm;
	const struct tep_format_field *exit_ret;
};

/* ---- argument capture events ---- */

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

/* The syscall functions get a struct pt_regs *: di at 112, si at 104, dx at 96. */
static const struct exec_fn kprobe_fns[] = {
	{ "__x64_sys_execve", "+0(+112(%di)):ustring", "+104(%di)" },
	{ "__x64_sys_execveat", "+0(+104(%di)):ustring", "+96(%di)" },
};

/* Event kind is encoded in the handler context: the index of the argument, or -1 for the
 * file name. */
struct capture {
	struct execsnoop *x;
	int arg;		/* -1: file name */
	const struct tep_format_field *p, *str;
};

static struct pending *pending_get(struct execsnoop *x, pid_t tid, bool create)
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

static void pending_clear(struct execsnoop *x, struct pending *p)
{
	free(p->file);
	p->file = NULL;
	if (p->argv)
		for (unsigned long i = 0; i < x->o.max_args; i++) {
			free(p->argv[i]);
			p->argv[i] = NULL;
		}
	if (p->seen)
		memset(p->seen, 0, x->o.max_args + 2);
	p->tid = 0;
	p->argc = -1;
	p->more = p->more_seen = false;
	if (p->arglen)
		memset(p->arglen, 0, x->o.max_args * sizeof(int));
	p->comm[0] = 0;
	p->nseen = 0;
}

static void pending_start(struct execsnoop *x, struct pending *p, pid_t tid, uint64_t ts)
{
	if (p->tid)
		pending_clear(x, p);
	if (!p->argv) {
		p->argv = ftk_xcalloc(x->o.max_args, sizeof(char *));
		p->arglen = ftk_xcalloc(x->o.max_args, sizeof(int));
		p->seen = ftk_xcalloc(x->o.max_args + 2, 1);
	}
	p->tid = tid;
	p->ts = ts;
	p->argc = -1;
}

/* Raw __data_loc string of element idx of a (possibly array) __data_loc field: *len is the
 * stored length including the NUL (0 when the kernel could not fetch it). */
static const char *dloc_elem(const struct tep_format_field *f, const struct ftk_rec *r, int idx,
			     int *len)
{
	unsigned off = f->offset + 4 * idx;
	*len = 0;
	if (off + 4 > (unsigned)r->size)
		return NULL;
	uint32_t w;
	memcpy(&w, (char *)r->data + off, 4);
	unsigned doff = w & 0xffff, dlen = w >> 16;
	if (f->flags & TEP_FIELD_IS_RELATIVE)
		doff += off + 4;
	if (doff + dlen > (unsigned)r->size)
		return NULL;
	*len = dlen;
	return (char *)r->data + doff;
}

static void on_capture(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct capture *c = ctx;
	struct execsnoop *x = c->x;
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
		const char *s = dloc_elem(c->str, r, 0, &len);
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
	uint64_t ptr = ftk_get_u64(c->p, r->data);
	/* Captures may arrive in any order: the end of argv is decided at emit time. */
	if (ptr == 0 && (unsigned long)c->arg < x->o.max_args) {
		if (p->argc < 0 || c->arg < p->argc)
			p->argc = c->arg;
		return;
	}
	if ((unsigned long)c->arg == x->o.max_args) {
		int n;
		const char *cm = c->str ? ftk_get_str(c->str, r->data, r->size, &n) : NULL;
		snprintf(p->comm, sizeof(p->comm), "%.*s", cm ? n : 0, cm ? cm : "");
		p->more_seen = true;
		p->more = ptr != 0;	/* argv[max_args] is not NULL */
		return;
	}
	int len;
	const char *s = dloc_elem(c->str, r, 0, &len);
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

static int add_capture_events(struct execsnoop *x, const struct exec_fn *fn, bool kprobe,
			      const char *libc)
{
	char name[64], fetch[256];
	uint64_t off = 0;
	if (!kprobe) {
		int err = ftk_elf_sym_offset(libc, fn->name, &off);
		if (err) {
			/* execveat may be missing from an old libc: skip it. */
			if (strcmp(fn->name, "execve") != 0)
				return 0;
			ftk_error("no function '%s' in %s: %s", fn->name, libc, strerror(-err));
			return -1;
		}
	}
	/* +1: the pointer after the last shown argument tells whether argv was cut. */
	for (long k = -1; k <= (long)x->o.max_args; k++) {
		struct ftk_event *ev;
		const char *sym = fn->name;
		const char *ename = kprobe ? fn->name + strlen("__x64_sys_") : fn->name;
		if (k < 0) {
			if (!fn->file)
				continue;
			snprintf(name, sizeof(name), "%s_file", ename);
			snprintf(fetch, sizeof(fetch), "f=%s", fn->file);
		} else if ((unsigned long)k == x->o.max_args) {
			snprintf(name, sizeof(name), "%s_more", ename);
			/* ...and carries the caller's comm, for failed execs. */
			snprintf(fetch, sizeof(fetch), "p=+%ld(%s):x64 c=$comm", 8 * k, fn->argv);
		} else {
			snprintf(name, sizeof(name), "%s_arg%ld", ename, k);
			snprintf(fetch, sizeof(fetch), "p=+%ld(%s):x64 s=+0(+%ld(%s)):%s", 8 * k,
				 fn->argv, 8 * k, fn->argv, kprobe ? "ustring" : "string");
		}
		if (kprobe)
			ev = ftk_kprobe(x->s, name, sym, fetch, false);
		else
			ev = ftk_uprobe(x->s, name, libc, off, fetch, false);
		if (!ev)
			return -1;
		if (strcmp(fn->name, "execve") != 0 && strcmp(fn->name, "__x64_sys_execve") != 0)
			ev->optional = true;
		struct capture *c = ftk_xcalloc(1, sizeof(*c));
		c->x = x;
		c->arg = k < 0 ? -1 : (int)k;
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

static bool match_filters(struct execsnoop *x, const char *comm, long uid, pid_t ppid,
			  const char *line)
{
	if (x->o.uid >= 0 && uid != x->o.uid)
		return false;
	if (x->o.ppid >= 0 && ppid != x->o.ppid)
		return false;
	if (x->o.has_name && regexec(&x->o.name_re, comm, 0, NULL, 0) != 0)
		return false;
	if (x->o.has_line && regexec(&x->o.line_re, line, 0, NULL, 0) != 0)
		return false;
	return true;
}

/* /proc/PID/cmdline split at NULs (best effort: the process may be gone). */
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

static void emit(struct execsnoop *x, uint64_t ts, pid_t pid, const char *comm, int ret,
		 const char *filename, struct pending *p)
{
	const char *source = "none";
	char **argv = NULL;
	int *lens = NULL, argc = 0;
	bool truncated = false, owned = false;

	if (p && p->nseen > 0) {
		struct ftk_argv_state st = {
			.max_args = x->o.max_args, .end = p->argc, .more_seen = p->more_seen,
			.more = p->more, .argv = p->argv, .lens = p->arglen,
		};
		bool complete;
		ftk_execsnoop_finish(&st, &argc, &truncated, &complete);
		bool unreadable = !complete;
		argv = p->argv;
		lens = p->arglen;
		source = x->source;
		if (unreadable && ret == 0) {
			/* An argument too long for one probe event, or a lost capture: the new
			 * image's cmdline has them whole while the process lives. */
			bool t;
			int n = proc_args(pid, &argv, &lens, x->o.max_args, &t);
			if (n >= 0 && same_image(p, argc, argv, lens, n)) {
				argc = n;
				truncated = t;
				owned = true;
				source = "proc";
			} else {
				if (n >= 0)
					free_args(argv, lens, n);
				argv = p->argv;
				lens = p->arglen;
			}
		}
	} else if (ret == 0) {
		int n = proc_args(pid, &argv, &lens, x->o.max_args, &truncated);
		if (n >= 0) {
			argc = n;
			owned = true;
			source = "proc";
		}
	}

	pid_t ppid = 0;
	struct ftk_pinfo *pi = ftk_ptable_get(x->procs, pid);
	if (pi && pi->ppid > 0)
		ppid = pi->ppid;
	else if ((ppid = ftk_proc_ppid(pid)) < 0)
		ppid = 0;
	/* The uid costs a /proc read: only when it is shown or filtered on. */
	long uid = -1;
	if (x->o.json || x->o.print_uid || x->o.uid >= 0) {
		uid = ftk_proc_uid(pid);
		if (uid < 0 && ppid > 0)
			uid = ftk_proc_uid(ppid);
	}

	struct ftk_buf *a = &x->argsbuf;
	ftk_buf_reset(a);
	if (argc == 0 && filename && !x->o.json) {
		/* Nothing readable: show the file, as perf-tools does, marked. */
		ftk_escape_table(a, filename, strlen(filename), false);
		ftk_buf_adds(a, " [?]");
	} else {
		ftk_execsnoop_join(a, argv, lens, argc, truncated, x->o.quote);
	}
	if (!match_filters(x, comm, uid, ppid, ftk_buf_str(a)))
		goto out;

	struct ftk_buf *b = &x->line;
	ftk_buf_reset(b);
	if (x->o.json) {
		struct ftk_json j;
		ftk_json_begin(&j, b);
		struct ftk_buf t = { 0 };
		ftk_fmt_rfc3339(&t, ftk_session_mono_to_real(x->s, ts));
		ftk_json_str(&j, "time", t.p, t.len);
		ftk_buf_free(&t);
		ftk_json_double(&j, "ts", ts / 1e9, 9);
		ftk_json_str(&j, "comm", comm, strlen(comm));
		ftk_json_int(&j, "pid", pid);
		ftk_json_int(&j, "ppid", ppid);
		if (uid >= 0)
			ftk_json_int(&j, "uid", uid);
		else
			ftk_json_null(&j, "uid");
		ftk_json_int(&j, "ret", ret);
		if (filename)
			ftk_json_str(&j, "filename", filename, strlen(filename));
		else
			ftk_json_null(&j, "filename");
		ftk_json_array_begin(&j, "args");
		for (int i = 0; i < argc; i++) {
			if (argv[i])
				ftk_json_str(&j, NULL, argv[i], lens[i]);
			else
				ftk_json_null(&j, NULL);
		}
		ftk_json_array_end(&j);
		ftk_json_bool(&j, "args_truncated", truncated);
		ftk_json_cstr(&j, "args_source", source);
		ftk_json_end(&j);
	} else {
		if (x->o.hms) {
			char hms[16];
			ftk_fmt_hms(hms, ftk_session_mono_to_real(x->s, ts));
			ftk_buf_printf(b, "%-9s", hms);
		}
		if (x->o.timestamp)
			ftk_buf_printf(b, "%-8.3f",
				       (ts - ftk_session_start_ts(x->s)) / 1e9);
		if (x->o.print_uid) {
			if (uid >= 0)
				ftk_buf_printf(b, "%-6ld", uid);
			else
				ftk_buf_printf(b, "%-6s", "?");
		}
		struct ftk_buf c = { 0 };
		ftk_escape_table(&c, comm, strlen(comm), false);
		ftk_buf_printf(b, "%-16s %-7d %-7d %3d %s\n", ftk_buf_str(&c), (int)pid, (int)ppid,
			       ret, ftk_buf_str(a));
		ftk_buf_free(&c);
	}
	ftk_out_buf(b);
out:
	if (owned)
		free_args(argv, lens, argc);
}

/* ---- tracepoint handlers ---- */

static void basename_comm(char comm[16], const char *filename)
{
	const char *b = filename ? strrchr(filename, '/') : NULL;
	b = b ? b + 1 : (filename ? filename : "?");
	size_t n = strnlen(b, 15);
	memcpy(comm, b, n);
	comm[n] = 0;
}

static void on_exec(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct execsnoop *x = ctx;
	pid_t pid = ftk_get_s64(x->exec_pid, r->data);
	pid_t old = ftk_get_s64(x->exec_old_pid, r->data);
	int flen;
	const char *fs = ftk_get_str(x->exec_filename, r->data, r->size, &flen);
	char filename[4096];
	snprintf(filename, sizeof(filename), "%.*s", fs ? flen : 0, fs ? fs : "");

	char comm[16];
	struct ftk_pinfo *pi = ftk_ptable_get(x->procs, pid);
	if (pi && pi->comm[0] && pi->tgid == -2)
		snprintf(comm, sizeof(comm), "%s", pi->comm);	/* from task_rename */
	else
		basename_comm(comm, filename);
	if (pi && pi->tgid == -2)
		pi->tgid = pid;

	struct pending *p = pending_get(x, old, false);
	emit(x, r->ts, pid, comm, 0, filename, p);
	if (p)
		pending_clear(x, p);
	if (old != pid) {
		struct pending *q = pending_get(x, pid, false);
		if (q)
			pending_clear(x, q);
	}
}

static void on_exit_exec(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct execsnoop *x = ctx;
	long ret = ftk_get_s64(x->exit_ret, r->data);
	pid_t tid = ftk_rec_pid(r->data);
	struct pending *p = pending_get(x, tid, false);
	if (ret >= 0) {
		/* Success was reported by sched_process_exec. */
		if (p)
			pending_clear(x, p);
		return;
	}
	if (x->o.fails) {
		char comm[16] = "?";
		if (p && p->comm[0])
			snprintf(comm, sizeof(comm), "%s", p->comm);
		else if (!ftk_proc_comm(tid, comm, sizeof(comm))) {
			struct ftk_pinfo *pi = ftk_ptable_get(x->procs, tid);
			if (pi && pi->comm[0])
				snprintf(comm, sizeof(comm), "%s", pi->comm);
		}
		pid_t tgid = ftk_proc_tgid(tid);
		emit(x, r->ts, tgid > 0 ? tgid : tid, comm, (int)ret, p ? p->file : NULL, p);
	}
	if (p)
		pending_clear(x, p);
}

static void on_fork(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct execsnoop *x = ctx;
	pid_t parent = ftk_get_s64(x->fork_parent, r->data);
	pid_t child = ftk_get_s64(x->fork_child, r->data);
	/* The forking thread's process is the parent. */
	pid_t ptgid = parent;
	struct ftk_pinfo *pp = ftk_ptable_get(x->procs, parent);
	if (pp && pp->tgid > 0)
		ptgid = pp->tgid;
	else if ((ptgid = ftk_proc_tgid(parent)) <= 0)
		ptgid = parent;
	struct ftk_pinfo *c = ftk_ptable_put(x->procs, child);
	c->tgid = child;	/* a thread's entry is never used for PPID (exec gives the tgid) */
	c->ppid = ptgid;
	c->comm[0] = 0;
}

static void on_rename(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct execsnoop *x = ctx;
	/* 6.18 dropped the pid field: the renamed task is the current one. */
	pid_t pid = x->rename_pid ? (pid_t)ftk_get_s64(x->rename_pid, r->data)
				  : ftk_rec_pid(r->data);
	int n;
	const char *s = ftk_get_str(x->rename_newcomm, r->data, r->size, &n);
	struct ftk_pinfo *pi = ftk_ptable_get(x->procs, pid);
	if (!pi) {
		pi = ftk_ptable_put(x->procs, pid);
		pi->ppid = 0;
	}
	snprintf(pi->comm, sizeof(pi->comm), "%.*s", s ? n : 0, s ? s : "");
	pi->tgid = -2;	/* marks: comm fresh from task_rename, consumed by the next exec */
}

static void on_proc_exit(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct execsnoop *x = ctx;
	pid_t tid = ftk_rec_pid(r->data);
	struct pending *p = pending_get(x, tid, false);
	if (p)
		pending_clear(x, p);
	ftk_ptable_del(x->procs, tid);
}

static void on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	struct execsnoop *x = ctx;
	/* Captures may have lost their pieces: start every thread afresh. */
	for (int i = 0; i < x->npend; i++)
		if (x->pend[i].tid)
			pending_clear(x, &x->pend[i]);
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
	if (ftk_kernel_version() < (5u << 16 | 5u << 8)) {
		snprintf(why, len, "needs kernel >= 5.5 (ustring fetch type)");
		return false;
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
 * kernel.panic_on_warn=1: there, don't fetch user strings with uprobes.
 */
static bool panic_on_warn(void)
{
	char *v = ftk_read_file("/proc/sys/kernel/panic_on_warn", NULL);
	bool on = v && atoi(v) != 0;
	free(v);
	return on;
}

static bool uprobe_usable(char *why, size_t len)
{
	const char *libc = ftk_system_libc();
	uint64_t off;
	if (panic_on_warn()) {
		snprintf(why, len, "kernel.panic_on_warn=1 and an argument longer than a page would "
			 "make the uprobe trip a kernel WARN");
		return false;
	}
	if (!libc) {
		snprintf(why, len, "no system C library found");
		return false;
	}
	if (ftk_elf_sym_offset(libc, "execve", &off) != 0) {
		snprintf(why, len, "no execve symbol in %s", libc);
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

static const struct ftk_backend backends[] = {
	{ "kprobe", "kprobes on the exec syscalls, argv fetched at entry",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_KPROBES }, kprobe_usable },
	{ "uprobe", "sched tracepoints, argv from uprobes on the C library's exec functions",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_UPROBES }, uprobe_usable },
	{ "proc", "sched tracepoints, argv from /proc/PID/cmdline (best effort)",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES }, proc_usable },
};

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: ftk execsnoop [-h] [-T] [-t] [-x] [-u USER] [-U] [-q] [-n NAME] [-l LINE]\n"
"                     [-P PPID] [--max-args N] [-d SECS] [--json] [-b KB]\n"
"                     [--backend NAME] [--dry-run]\n"
"\n"
"Trace exec() syscalls: every new program, with its arguments.\n"
"\n"
"options:\n"
"  -h, --help           show this help and exit\n"
"  -T, --time           include a time column (HH:MM:SS)\n"
"  -t, --timestamp      include a timestamp column (seconds since start)\n"
"  -x, --fails          include failed exec()s (RET is -errno)\n"
"  -u, --uid USER       trace this user only (name or UID)\n"
"  -U, --print-uid      print a UID column\n"
"  -q, --quote          add quotemarks around arguments (\" and \\ escaped)\n"
"  -n, --name NAME      only commands whose name matches this regex\n"
"  -l, --line LINE      only commands whose joined arguments match this regex\n"
"  -P, --ppid PPID      trace this parent PID only\n"
"      --max-args N     maximum number of arguments shown (default 20, 1..1024)\n"
"  -d, --duration SECS  trace for this many seconds, then exit\n"
"      --json           one JSON object per exec (keys: man ftk-execsnoop)\n"
"  -b, --buffer-kb KB   per-CPU ring buffer size (default: the kernel's, 1408)\n"
"      --backend NAME   kprobe, uprobe or proc (default: the first this kernel allows)\n"
"      --dry-run        print the tracefs writes, make none\n"
"\n"
"examples:\n"
"  ftk execsnoop                 # trace all exec() syscalls\n"
"  ftk execsnoop -x              # include failed exec()s\n"
"  ftk execsnoop -T              # include time (HH:MM:SS)\n"
"  ftk execsnoop -U              # include UID\n"
"  ftk execsnoop -u 1000         # only trace UID 1000\n"
"  ftk execsnoop -u user         # get user UID and trace only them\n"
"  ftk execsnoop -t              # include timestamps\n"
"  ftk execsnoop -q              # add \"quotemarks\" around arguments\n"
"  ftk execsnoop -n main         # only print command lines containing \"main\"\n"
"  ftk execsnoop -l tpkg         # only print command where arguments contains \"tpkg\"\n"
"  ftk execsnoop -P 181          # only trace new processes whose parent PID is 181\n"
"  ftk execsnoop --json -d 10    # NDJSON for ten seconds\n");
}

enum { OPT_MAX_ARGS = 1000, OPT_JSON, OPT_BACKEND, OPT_DRY_RUN };

int ftk_execsnoop_parse(int argc, char **argv, struct ftk_execsnoop_opts *out)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "time", no_argument, NULL, 'T' },
		{ "timestamp", no_argument, NULL, 't' },
		{ "fails", no_argument, NULL, 'x' },
		{ "uid", required_argument, NULL, 'u' },
		{ "print-uid", no_argument, NULL, 'U' },
		{ "quote", no_argument, NULL, 'q' },
		{ "name", required_argument, NULL, 'n' },
		{ "line", required_argument, NULL, 'l' },
		{ "ppid", required_argument, NULL, 'P' },
		{ "max-args", required_argument, NULL, OPT_MAX_ARGS },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ 0 },
	};
	memset(out, 0, sizeof(*out));
	out->max_args = DEFAULT_MAX_ARGS;
	out->ppid = -1;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":hTtxu:Uqn:l:P:d:b:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			out->help = true;
			return 0;
		case 'T': out->hms = true; break;
		case 't': out->timestamp = true; break;
		case 'x': out->fails = true; break;
		case 'U': out->print_uid = true; break;
		case 'q': out->quote = true; break;
		case 'u': out->user = optarg; break;
		case 'n': out->name = optarg; break;
		case 'l': out->line = optarg; break;
		case OPT_JSON: out->json = true; break;
		case OPT_BACKEND: out->backend = optarg; break;
		case OPT_DRY_RUN: out->dry_run = true; break;
		case 'P': {
			long v;
			if (ftk_parse_long(optarg, 0, 0x7fffffff, &v))
				return ftk_usage_error("invalid PPID '%s'", optarg);
			out->ppid = v;
			break;
		}
		case OPT_MAX_ARGS:
			if (ftk_parse_ulong(optarg, 1, MAX_ARGS_LIMIT, &out->max_args))
				return ftk_usage_error("invalid --max-args '%s' (1..%d)", optarg,
						       MAX_ARGS_LIMIT);
			break;
		case 'd':
			if (ftk_parse_seconds(optarg, &out->duration))
				return ftk_usage_error("invalid duration '%s' (seconds > 0)", optarg);
			break;
		case 'b':
			if (ftk_parse_ulong(optarg, 4, 4u << 20, &out->buffer_kb))
				return ftk_usage_error("invalid buffer size '%s' (KiB, 4..4194304)",
						       optarg);
			break;
		case ':':
			return ftk_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return ftk_bad_option(argv);
		}
	}
	if (optind < argc)
		return ftk_usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
}

static int resolve_user(const char *user, long *uid)
{
	long v;
	if (ftk_parse_long(user, 0, 0x7fffffff, &v) == 0) {
		*uid = v;
		return 0;
	}
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		ftk_error("no such user '%s'", user);
		ftk_hint("give a user name from /etc/passwd or a numeric UID");
		return -1;
	}
	*uid = pw->pw_uid;
	return 0;
}

static int compile_re(regex_t *re, const char *pat, const char *what)
{
	int err = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	if (err) {
		char msg[128];
		regerror(err, re, msg, sizeof(msg));
		return ftk_usage_error("invalid %s regex '%s': %s", what, pat, msg);
	}
	return 0;
}

extern const struct ftk_view ftk_view_execsnoop;

static int execsnoop_main(int argc, char **argv)
{
	struct ftk_execsnoop_opts po;
	int rc = ftk_execsnoop_parse(argc, argv, &po);
	if (rc)
		return rc;
	if (po.help) {
		usage(stdout);
		return FTK_EXIT_OK;
	}
	struct execsnoop *x = ftk_xcalloc(1, sizeof(*x));
	struct opts *o = &x->o;
	o->hms = po.hms;
	o->timestamp = po.timestamp;
	o->fails = po.fails;
	o->print_uid = po.print_uid;
	o->quote = po.quote;
	o->json = po.json;
	o->dry_run = po.dry_run;
	o->ppid = po.ppid;
	o->max_args = po.max_args;
	o->duration = po.duration;
	o->buffer_kb = po.buffer_kb;
	o->backend = po.backend;
	o->uid = -1;
	if (po.name && (rc = compile_re(&o->name_re, po.name, "--name")))
		return rc;
	o->has_name = po.name != NULL;
	if (po.line && (rc = compile_re(&o->line_re, po.line, "--line")))
		return rc;
	o->has_line = po.line != NULL;
	if (po.backend) {
		bool known = false;
		for (size_t i = 0; i < FTK_ARRAY_SIZE(backends); i++)
			known |= strcmp(backends[i].name, po.backend) == 0;
		if (!known)
			return ftk_usage_error("unknown backend '%s' (kprobe, uprobe or proc)",
					       po.backend);
	}
	if (po.user && resolve_user(po.user, &o->uid))
		return FTK_EXIT_FAIL;
	if (!po.dry_run && ftk_require_root())
		return FTK_EXIT_FAIL;
	if (!ftk_tracefs())
		return ftk_tracefs_error();

	char why[1024];
	int bi = ftk_backend_pick(&ftk_view_execsnoop, po.backend, why, sizeof(why));
	if (bi < 0) {
		ftk_error("cannot trace exec() on this kernel: %s", why);
		ftk_hint("'ftk features' shows what this kernel offers");
		return FTK_EXIT_FAIL;
	}
	x->bk = bi == 0 ? BK_KPROBE : bi == 1 ? BK_UPROBE : BK_PROC;
	x->source = x->bk == BK_KPROBE ? "kprobe" : x->bk == BK_UPROBE ? "uprobe" : "proc";

	struct ftk_session_opts so = {
		.view = "execsnoop", .buffer_kb = o->buffer_kb, .default_buffer_kb = 0,
		.duration = o->duration, .dry_run = o->dry_run,
	};
	x->s = ftk_session_new(&so);
	if (!x->s)
		return FTK_EXIT_FAIL;
	x->procs = ftk_ptable_new();

	struct ftk_event *exec = ftk_tracepoint(x->s, "sched", "sched_process_exec", NULL);
	ftk_event_on(exec, on_exec, x);
	struct ftk_event *fork = ftk_tracepoint(x->s, "sched", "sched_process_fork", NULL);
	ftk_event_on(fork, on_fork, x);
	struct ftk_event *pexit = ftk_tracepoint(x->s, "sched", "sched_process_exit", NULL);
	ftk_event_on(pexit, on_proc_exit, x);
	struct ftk_event *ren = NULL;
	if (ftk_tracepoint_exists("task", "task_rename")) {
		ren = ftk_tracepoint(x->s, "task", "task_rename", NULL);
		ren->optional = true;
		ftk_event_on(ren, on_rename, x);
	}
	struct ftk_event *sx[2] = { NULL, NULL };
	const char *exits[2] = { "sys_exit_execve", "sys_exit_execveat" };
	for (int i = 0; i < 2; i++) {
		if (!ftk_tracepoint_exists("syscalls", exits[i]))
			continue;
		sx[i] = ftk_tracepoint(x->s, "syscalls", exits[i], NULL);
		sx[i]->optional = true;
		ftk_event_on(sx[i], on_exit_exec, x);
	}
	if (x->bk == BK_KPROBE) {
		for (size_t i = 0; i < FTK_ARRAY_SIZE(kprobe_fns); i++)
			if (add_capture_events(x, &kprobe_fns[i], true, NULL))
				goto fail;
	} else if (x->bk == BK_UPROBE) {
		const char *libc = ftk_system_libc();
		for (size_t i = 0; i < FTK_ARRAY_SIZE(uprobe_fns); i++)
			if (add_capture_events(x, &uprobe_fns[i], false, libc))
				goto fail;
	}
	ftk_session_on_lost(x->s, on_lost, x);

	rc = ftk_session_arm(x->s);
	if (rc != FTK_ARM_OK) {
		ftk_session_close(x->s);
		return rc == FTK_ARM_DRY ? FTK_EXIT_OK : -rc;
	}

	x->exec_filename = ftk_field(exec, "filename");
	x->exec_pid = ftk_field(exec, "pid");
	x->exec_old_pid = ftk_field(exec, "old_pid");
	x->fork_parent = ftk_field(fork, "parent_pid");
	x->fork_child = ftk_field(fork, "child_pid");
	if (ren && ren->tep) {
		x->rename_pid = ftk_field(ren, "pid");
		x->rename_newcomm = ftk_field(ren, "newcomm");
		if (!x->rename_newcomm)
			ren->fn = NULL;
	}
	for (int i = 0; i < 2; i++)
		if (sx[i] && sx[i]->tep)
			x->exit_ret = ftk_field(sx[i], "ret");
	for (struct ftk_event *ev = exec; ev; ev = ev->next) {
		if (ev->fn != on_capture || !ev->tep)
			continue;
		struct capture *c = ev->ctx;
		c->p = ftk_field(ev, "p");
		c->str = ftk_field(ev, c->arg < 0 ? "f" : (unsigned long)c->arg == o->max_args ? "c" : "s");
		if (!c->p && c->arg >= 0)
			ev->fn = NULL;
	}

	if (!o->json) {
		struct ftk_buf h = { 0 };
		if (o->hms)
			ftk_buf_printf(&h, "%-9s", "TIME");
		if (o->timestamp)
			ftk_buf_printf(&h, "%-8s", "TIME(s)");
		if (o->print_uid)
			ftk_buf_printf(&h, "%-6s", "UID");
		ftk_buf_printf(&h, "%-16s %-7s %-7s %3s %s\n", "PCOMM", "PID", "PPID", "RET",
			       "ARGS");
		ftk_out_buf(&h);
		ftk_buf_free(&h);
	} else {
		fprintf(stderr, "ftk execsnoop: tracing exec()s (%s backend); Ctrl-C to end\n",
			x->source);
	}
	ftk_out_flush();

	ftk_session_run(x->s);
	return ftk_session_close(x->s);
fail:
	ftk_session_close(x->s);
	return FTK_EXIT_FAIL;
}

const struct ftk_view ftk_view_execsnoop = {
	.name = "execsnoop",
	.summary = "trace new processes (exec) with their arguments",
	.main = execsnoop_main,
	.backends = backends,
	.nbackends = FTK_ARRAY_SIZE(backends),
};
