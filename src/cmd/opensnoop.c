// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk opensnoop: every open() on the system with its path, with bcc opensnoop's flags and
 * columns.
 *
 * FD and ERR come from the syscall tracepoints of the open family (open, openat, openat2,
 * creat: those the kernel has), entry paired with exit by thread (opensnoop/pair.h). The path
 * comes from what this kernel offers (opensnoop/path.h: kprobes, the entry events' own string
 * fields, uprobes on the C library), and is shown as unknown, with the reason, where no route
 * read it for that very call.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/opensnoop.h"
#include "cmd/opensnoop/pair.h"
#include "cmd/opensnoop/path.h"
#include "core/events.h"
#include "core/features.h"
#include "core/field.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/ptrack.h"
#include "core/record.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

struct opensnoop;

/* The entry and exit events of one open syscall. */
struct open_events {
	struct opensnoop *x;
	int sys;
	struct ftk_event *enter, *exit;
	struct ftk_field_ref dfd, ptr, flags, mode, str, ret;
};

struct opensnoop {
	struct ftk_opensnoop_opts o;	/* first: unit tests read it */
	bool json;
	struct ftk_run *run;
	struct ftk_session *s;
	struct open_pairs *pairs;
	struct path_capture *paths;
	struct ftk_ptrack *procs;	/* pid -> process and name */
	struct ftk_ptable *threads;	/* tid -> tgid of threads started while tracing */
	char filter[64];		/* kernel filter of every event: -t ("": ftk_event_not_self) */
	pid_t *tids;			/* -p: their threads, for set_event_pid */
	int ntids;
	struct open_events sys[OPEN_NSYS];
	struct ftk_event *newtask;
	struct ftk_field_ref task_pid, task_flags;
	unsigned long long shown, unknown;
	struct ftk_buf line, text;
};

static const struct ftk_option options[] = {
	{ "timestamp", 'T', NULL, "include a timestamp column (seconds since start)" },
	{ "print-uid", 'U', NULL, "print a UID column" },
	{ "failed", 'x', NULL, "only show failed opens" },
	{ "tid", 't', "TID", "trace this thread only" },
	{ "uid", 'u', "UID", "trace this UID only" },
	{ "name", 'n', "NAME", "only print process names containing NAME" },
	{ "extended-fields", 'e', NULL, "show extended fields (FLAGS, MODE)" },
	{ "flag-filter", 'f', "FLAG", "only opens with this flag (e.g. O_WRONLY; repeatable)" },
	{ "full-path", 'F', NULL, "show relative paths resolved against the cwd" },
	{ NULL },
};

/* ---- output ---- */

/* PATH resolved against the thread's cwd, or the directory of dfd (openat). NULL when it is
 * absolute already, or the directory cannot be read any more. */
static char *resolve(pid_t tid, int dfd, const char *path)
{
	char link[64], dir[PATH_MAX];

	if (path[0] == '/' || ftk_features_is_offline())	/* a recording: not this host's */
		return NULL;
	if (dfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, dfd);
	ssize_t n = readlink(link, dir, sizeof(dir) - 1);
	if (n <= 0 || dir[0] != '/')
		return NULL;
	dir[n] = 0;
	char *full;
	if (asprintf(&full, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", path) < 0)
		return NULL;
	return full;
}

static bool has_mode(const struct open_call *c)
{
	return (c->flags & O_CREAT) || (c->flags & O_TMPFILE) == O_TMPFILE;
}

static void print_json(struct opensnoop *x, const struct ftk_rec *r, const struct open_call *c,
		       pid_t pid, const char *comm, long uid, const char *full)
{
	struct ftk_json j;
	struct ftk_buf *b = &x->line;

	ftk_json_record(&j, b, x->s, c->ts, r->cpu, pid, comm, FTK_CSTR);
	ftk_json_int(&j, "tid", c->tid);
	if (uid >= 0)
		ftk_json_int(&j, "uid", uid);
	else
		ftk_json_null(&j, "uid");
	ftk_json_cstr(&j, "syscall", open_sys_names[c->sys]);
	ftk_json_int(&j, "fd", c->ret >= 0 ? c->ret : -1);
	ftk_json_int(&j, "err", c->ret < 0 ? -c->ret : 0);
	if (c->entered && (c->sys == OPEN_SYS_OPENAT || c->sys == OPEN_SYS_OPENAT2))
		ftk_json_int(&j, "dfd", c->dfd);
	else
		ftk_json_null(&j, "dfd");
	if (c->flags_known) {
		ftk_json_uint(&j, "flags", c->flags);
		if (has_mode(c))
			ftk_json_uint(&j, "mode", c->mode);
		else
			ftk_json_null(&j, "mode");
	} else {
		ftk_json_null(&j, "flags");
		ftk_json_null(&j, "mode");
	}
	if (c->path) {
		ftk_json_str(&j, "path", c->path, c->path_len);
		ftk_json_cstr(&j, "path_source", c->path_source);
		ftk_json_bool(&j, "path_truncated", c->path_truncated);
	} else {
		ftk_json_null(&j, "path");
		ftk_json_null(&j, "path_source");
		ftk_json_cstr(&j, "path_unknown", c->why);
	}
	if (x->o.full_path) {
		bool absolute = c->path && c->path[0] == '/';
		ftk_json_cstr(&j, "full_path", full ? full : absolute ? c->path : NULL);
	}
	ftk_json_end(&j);
}

static void print_line(struct opensnoop *x, const struct open_call *c, pid_t pid,
		       const char *comm, long uid, const char *full)
{
	struct ftk_buf *b = &x->line, *t = &x->text;

	if (x->o.timestamp)
		ftk_buf_printf(b, "%-14.9f", (double)(c->ts - ftk_session_start_ts(x->s)) / 1e9);
	if (x->o.print_uid) {
		if (uid >= 0)
			ftk_buf_printf(b, "%-6ld", uid);
		else
			ftk_buf_printf(b, "%-6s", "?");
	}
	ftk_buf_reset(t);
	ftk_escape_table(t, comm, strlen(comm), false);
	ftk_buf_printf(b, "%-6d %-16s %4ld %3ld ", (int)(x->o.tid >= 0 ? c->tid : pid),
		       ftk_buf_str(t), c->ret >= 0 ? c->ret : -1L, c->ret < 0 ? -c->ret : 0L);
	if (x->o.extended) {
		if (!c->flags_known)
			ftk_buf_printf(b, "%-8s %-4s ", "?", "?");
		else if (has_mode(c))
			ftk_buf_printf(b, "%08llo %04llo ", (unsigned long long)c->flags,
				       (unsigned long long)c->mode);
		else
			ftk_buf_printf(b, "%08llo n/a  ", (unsigned long long)c->flags);
	}
	ftk_buf_reset(t);
	if (full)
		ftk_escape_table(t, full, strlen(full), false);
	else if (c->path)
		ftk_escape_table(t, c->path, c->path_len, false);
	else
		ftk_buf_adds(t, "[?]");
	if (c->path_truncated)
		ftk_buf_adds(t, " [truncated]");
	ftk_buf_add(b, t->p, t->len);
	ftk_buf_addc(b, '\n');
}

static bool pid_wanted(const struct ftk_run *r, pid_t pid)
{
	if (!r->npids)
		return true;
	for (int i = 0; i < r->npids; i++)
		if (r->pids[i] == pid)
			return true;
	return false;
}

static void emit(struct opensnoop *x, const struct ftk_rec *r, const struct open_call *c)
{
	if (x->o.failed && c->ret >= 0)
		return;
	if (x->o.nflags && (!c->flags_known ||
			    !ftk_open_flags_match(c->flags, x->o.flags, x->o.nflags)))
		return;
	if (x->o.tid >= 0 && c->tid != x->o.tid)
		return;
	/* The process and its name: the capture's comm, else what the events and /proc said
	 * (the tracker does not tell a new thread from a process: task_newtask does). */
	struct ftk_pinfo *pi = ftk_ptrack_lookup(x->procs, c->tid);
	struct ftk_pinfo *thread = ftk_ptable_get(x->threads, c->tid);
	pid_t pid = thread ? thread->tgid : pi && pi->tgid > 0 ? pi->tgid : c->tid;
	const char *comm = c->comm[0] ? c->comm : pi && pi->comm[0] ? pi->comm : "?";
	char pcomm[16];	/* no $comm in the capture (before 4.5) nor an event: /proc */
	if (comm[0] == '?' && ftk_proc_comm(c->tid, pcomm, sizeof(pcomm)))
		comm = pcomm;
	if (!pid_wanted(x->run, pid))
		return;
	if (x->o.name && !strstr(comm, x->o.name))
		return;
	long uid = -1;
	if (x->json || x->o.print_uid || x->o.uid >= 0) {
		uid = ftk_proc_uid(pid);
		if (x->o.uid >= 0 && uid != x->o.uid)
			return;
	}
	char *full = x->o.full_path && c->path ? resolve(c->tid, c->dfd, c->path) : NULL;

	ftk_buf_reset(&x->line);
	if (x->json)
		print_json(x, r, c, pid, comm, uid, full);
	else
		print_line(x, c, pid, comm, uid, full);
	ftk_out_buf(&x->line);
	free(full);
	x->shown++;
	x->unknown += !c->path;
}

/* ---- tracepoint handlers ---- */

static void on_enter(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct open_events *e = ctx;
	const void *d = r->data;
	/* Arguments are 8-byte slots: an int comes back whole once cast. */
	struct open_call c = {
		.tid = ftk_rec_pid(d), .sys = e->sys, .ts = r->ts,
		.dfd = (int)ftk_field_u64(&e->dfd, d, r->size, (uint64_t)AT_FDCWD),
		.ptr = ftk_field_u64(&e->ptr, d, r->size, 0),
		.flags_known = ftk_field_has(&e->flags) || e->sys == OPEN_SYS_CREAT,
		/* creat(path, mode) is open(path, O_CREAT|O_WRONLY|O_TRUNC, mode) */
		.flags = (uint32_t)ftk_field_u64(&e->flags, d, r->size, O_CREAT | O_WRONLY | O_TRUNC),
		.mode = (uint32_t)ftk_field_u64(&e->mode, d, r->size, 0),
	};
	if (!ftk_field_has(&e->str)) {
		open_pairs_enter(e->x->pairs, &c, NULL);
		return;
	}
	int len = 0;
	const char *s = ftk_field_str(&e->str, d, r->size, &len);
	struct open_capture own = open_capture_of_entry(c.ptr, s, len);
	open_pairs_enter(e->x->pairs, &c, &own);
}

static void on_exit_open(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct open_events *e = ctx;
	struct open_call c;

	open_pairs_exit(e->x->pairs, ftk_rec_pid(r->data), e->sys,
			ftk_field_s64(&e->ret, r->data, r->size, 0), r->ts, &c);
	emit(e->x, r, &c);
	open_call_free(&c);
}

/* A thread started while tracing belongs to its creator's process. */
static void on_newtask(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct opensnoop *x = ctx;
	const void *d = r->data;

	if (!(ftk_field_u64(&x->task_flags, d, r->size, 0) & 0x00010000))	/* CLONE_THREAD */
		return;
	pid_t creator = ftk_rec_pid(d);
	struct ftk_pinfo *t = ftk_ptable_get(x->threads, creator);
	struct ftk_pinfo *pi = t ? NULL : ftk_ptrack_lookup(x->procs, creator);
	pid_t tgid = t ? t->tgid : pi && pi->tgid > 0 ? pi->tgid : creator;
	ftk_ptable_put(x->threads, (pid_t)ftk_field_s64(&x->task_pid, d, r->size, 0))->tgid = tgid;
}

static void on_task_exit(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct opensnoop *x = ctx;
	pid_t tid = ftk_rec_pid(r->data);

	open_pairs_forget(x->pairs, tid);
	ftk_ptable_del(x->threads, tid);
	ftk_ptrack_feed(x->procs, r);
}

static void on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	struct opensnoop *x = ctx;

	open_pairs_reset(x->pairs);	/* entries, exits or captures may be gone */
	ftk_ptrack_lost(x->procs);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	struct opensnoop *x = ctx;

	if (x->unknown)
		ftk_info("%llu of %llu opens shown without a path (JSON: path_unknown says why)",
			 x->unknown, x->shown);
}

/* -p: the processes' threads (and the threads they start) only; checked again by tgid. */
static int limit_pids(struct ftk_session *s, void *ctx)
{
	struct opensnoop *x = ctx;

	if (!x->ntids)
		return 0;
	return ftk_session_filter_pids(s, x->tids, x->ntids, true) < 0 ? -EIO : 0;
}

/* ---- the view ---- */

static void opensnoop_init(struct ftk_run *r)
{
	struct opensnoop *x = r->state;

	x->o.tid = -1;
	x->o.uid = -1;
	x->run = r;
}

static int opensnoop_option(struct ftk_run *r, int key, const char *arg)
{
	struct ftk_opensnoop_opts *o = r->state;
	long flag;

	switch (key) {
	case 'T': o->timestamp = true; return 0;
	case 'U': o->print_uid = true; return 0;
	case 'x': o->failed = true; return 0;
	case 'e': o->extended = true; return 0;
	case 'F': o->full_path = true; return 0;
	case 'n': o->name = arg; return 0;
	case 't': return ftk_opt_long("TID", arg, 1, INT_MAX, &o->tid);
	case 'u': return ftk_opt_long("UID", arg, 0, INT_MAX, &o->uid);
	case 'f':
		if ((flag = ftk_open_flag(arg)) < 0) {
			ftk_usage_error("unknown open flag '%s' (e.g. O_WRONLY, O_RDWR, O_CREAT)", arg);
			return -EINVAL;
		}
		if (o->nflags == OPENSNOOP_MAX_FLAGS) {
			ftk_usage_error("too many -f flags (at most %d)", OPENSNOOP_MAX_FLAGS);
			return -EINVAL;
		}
		o->flags[o->nflags++] = flag;
		return 0;
	}
	return -EINVAL;
}

static int opensnoop_check(struct ftk_run *r)
{
	struct opensnoop *x = r->state;

	x->json = r->json;
	/* -t: the kernel filters the thread; else none of ftk's own opens (it reads tracefs
	 * files as it runs: they would feed back), ftk_event_not_self in declare. */
	if (x->o.tid >= 0)
		snprintf(x->filter, sizeof(x->filter), "common_pid == %ld", x->o.tid);
	if (x->o.tid >= 0)
		r->npids = 0;	/* -t takes precedence over -p, as in bcc */
	if (r->dry_run)
		return 0;
	return ftk_run_pid_threads(r, &x->tids, &x->ntids);
}

static void declare_syscall(struct opensnoop *x, struct ftk_session *s, int sys)
{
	char enter[32], exit[32];
	struct open_events *e = &x->sys[sys];
	const char *filter = x->filter[0] ? x->filter : NULL;

	snprintf(enter, sizeof(enter), "sys_enter_%s", open_sys_names[sys]);
	snprintf(exit, sizeof(exit), "sys_exit_%s", open_sys_names[sys]);
	e->x = x;
	e->sys = sys;
	/* open and creat do not exist on arm64, openat2 before 5.6: skipped when absent. */
	if (!ftk_tracepoint_exists("syscalls", enter) || !ftk_tracepoint_exists("syscalls", exit))
		return;
	e->enter = ftk_tracepoint(s, "syscalls", enter, filter);
	e->exit = ftk_tracepoint(s, "syscalls", exit, filter);
	if (!filter) {
		ftk_event_not_self(e->enter);
		ftk_event_not_self(e->exit);
	}
	e->enter->optional = e->exit->optional = sys != OPEN_SYS_OPENAT;
}

static int opensnoop_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct opensnoop *x = r->state;

	x->s = s;
	x->procs = ftk_ptrack_new();
	x->threads = ftk_ptable_new();
	x->pairs = open_pairs_new(opensnoop_backends[r->backend].name,
				  path_no_capture_why(r->backend));
	x->paths = path_capture_new(x->pairs, r->backend, x->filter[0] ? x->filter : NULL);
	for (int i = 0; i < OPEN_NSYS; i++)
		declare_syscall(x, s, i);
	x->newtask = ftk_tracepoint_optional(s, "task", "task_newtask", on_newtask, x);
	struct ftk_event *pexit = ftk_tracepoint_optional(s, "sched", "sched_process_exit",
							  on_task_exit, x);
	if (pexit)
		ftk_ptrack_adopt(x->procs, pexit);
	ftk_ptrack_declare(x->procs, s);
	ftk_session_on_lost(s, on_lost, x);
	ftk_session_on_end(s, on_end, x);
	ftk_session_on_setup(s, limit_pids, x);
	return path_capture_declare(x->paths, s);
}

static void bind_syscall(struct opensnoop *x, struct open_events *e, bool strings)
{
	if (!e->enter || !e->enter->tep || !e->exit || !e->exit->tep)
		return;
	ftk_field_bind(&e->ptr, e->enter, e->sys == OPEN_SYS_CREAT ? "pathname" : "filename");
	ftk_field_bind(&e->dfd, e->enter, "dfd");
	ftk_field_bind(&e->flags, e->enter, "flags");
	ftk_field_bind(&e->mode, e->enter, "mode");
	if (strings)
		ftk_field_bind(&e->str, e->enter, path_entry_field(e->sys));
	if (!ftk_field_bind(&e->ret, e->exit, "ret") || !ftk_field_has(&e->ptr))
		return;
	ftk_event_on(e->enter, on_enter, e);
	ftk_event_on(e->exit, on_exit_open, e);
}

static int opensnoop_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct opensnoop *x = r->state;

	for (int i = 0; i < OPEN_NSYS; i++)
		bind_syscall(x, &x->sys[i], r->backend == OPENSNOOP_TRACEPOINT);
	if (x->newtask && x->newtask->tep) {
		ftk_field_bind(&x->task_pid, x->newtask, "pid");
		if (!ftk_field_bind(&x->task_flags, x->newtask, "clone_flags"))
			x->newtask->fn = NULL;
	}
	ftk_ptrack_bind(x->procs);
	/* -p processes: their names now, while they live (no $comm before 4.5) */
	for (int i = 0; i < r->npids; i++)
		ftk_ptrack_lookup(x->procs, r->pids[i]);
	if (x->o.tid > 0)
		ftk_ptrack_lookup(x->procs, x->o.tid);
	path_capture_bind(x->paths);
	return 0;
}

static void opensnoop_header(struct ftk_run *r)
{
	struct opensnoop *x = r->state;

	if (x->json) {
		fprintf(stderr, "ftk opensnoop: tracing open()s (%s backend); Ctrl-C to end\n",
			opensnoop_backends[r->backend].name);
		return;
	}
	struct ftk_buf h = { 0 };
	if (x->o.timestamp)
		ftk_buf_printf(&h, "%-14s", "TIME(s)");
	if (x->o.print_uid)
		ftk_buf_printf(&h, "%-6s", "UID");
	ftk_buf_printf(&h, "%-6s %-16s %4s %3s ", x->o.tid >= 0 ? "TID" : "PID", "COMM", "FD",
		       "ERR");
	if (x->o.extended)
		ftk_buf_printf(&h, "%-8s %-4s ", "FLAGS", "MODE");
	ftk_buf_adds(&h, "PATH\n");
	ftk_out_buf(&h);
	ftk_buf_free(&h);
}

static void opensnoop_free(struct ftk_run *r)
{
	struct opensnoop *x = r->state;

	path_capture_free(x->paths);
	open_pairs_free(x->pairs);
	ftk_ptrack_free(x->procs);
	ftk_ptable_free(x->threads);
	free(x->tids);
	ftk_buf_free(&x->line);
	ftk_buf_free(&x->text);
}

static const struct ftk_view_ops ops = {
	.init = opensnoop_init,
	.option = opensnoop_option,
	.check = opensnoop_check,
	.declare = opensnoop_declare,
	.bind = opensnoop_bind,
	.header = opensnoop_header,
	.free = opensnoop_free,
};

const struct ftk_view ftk_view_opensnoop = {
	.name = "opensnoop",
	.summary = "trace open() syscalls with their paths, file descriptors and errors",
	.description =
		"Trace open() syscalls (open, openat, openat2, creat): the process, the file\n"
		"descriptor or error, and the path. Paths are read by kprobes, by the syscall\n"
		"events themselves or by uprobes on the C library, whichever this kernel offers;\n"
		"a path no route read is shown as [?] (JSON: path_unknown says why).",
	.examples =
		"  ftk opensnoop                    # trace all open() syscalls\n"
		"  ftk opensnoop -T                 # include timestamps\n"
		"  ftk opensnoop -U                 # include UID\n"
		"  ftk opensnoop -x                 # only show failed opens\n"
		"  ftk opensnoop -p 181             # only trace PID 181\n"
		"  ftk opensnoop -t 123             # only trace TID 123\n"
		"  ftk opensnoop -u 1000            # only trace UID 1000\n"
		"  ftk opensnoop -d 10              # trace for 10 seconds only\n"
		"  ftk opensnoop -n main            # only print process names containing \"main\"\n"
		"  ftk opensnoop -e                 # show extended fields\n"
		"  ftk opensnoop -f O_WRONLY -f O_RDWR  # only print calls for writing\n"
		"  ftk opensnoop -F                 # show full paths for relative ones\n"
		"  ftk opensnoop --json -d 10       # NDJSON for ten seconds\n",
	.common = FTK_OPT_DURATION | FTK_OPT_TRACING | FTK_OPT_BACKEND | FTK_OPT_PID,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct opensnoop),
	.backends = opensnoop_backends,
	.nbackends = FTK_ARRAY_SIZE(opensnoop_backends),
	.default_buffer_kb = 4096,	/* an open storm is ~150 bytes of events per open */
	.unavailable = "cannot trace open() on this kernel",
};
