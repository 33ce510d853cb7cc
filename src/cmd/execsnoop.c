// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk execsnoop: every exec() on the system, with bcc execsnoop's flags and columns.
 *
 * The source of truth is sched:sched_process_exec (every successful exec, static binaries
 * and execveat included); syscalls:sys_exit_execve(at) give failed execs' errors; fork
 * events give the real parent. Arguments come from the argv capture engine
 * (execsnoop/argv.h): probes where the kernel allows them, else /proc/PID/cmdline.
 */
#include <errno.h>
#include <pwd.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/execsnoop.h"
#include "cmd/execsnoop/argv.h"
#include "core/events.h"
#include "core/features.h"
#include "core/output.h"
#include "core/field.h"
#include "core/procs.h"
#include "core/ptrack.h"
#include "core/record.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

#define MAX_ARGS_LIMIT	1024
#define DEFAULT_MAX_ARGS 20

struct execsnoop {
	struct ftk_execsnoop_opts o;	/* first: unit tests read it */
	bool json;
	long uid;			/* -1: any */
	bool has_name, has_line;
	regex_t name_re, line_re;
	struct ftk_session *s;
	struct argv_capture *argv;
	struct ftk_ptrack *procs;
	struct ftk_buf line, argsbuf;
	struct ftk_field_ref exec_filename, exec_pid, exec_old_pid, exit_ret;
	struct ftk_event *exec, *sys_exit[2];
};

enum { OPT_MAX_ARGS = 256 };

static const struct ftk_option options[] = {
	{ "time", 'T', NULL, "include a time column (HH:MM:SS)" },
	{ "timestamp", 't', NULL, "include a timestamp column (seconds since start)" },
	{ "fails", 'x', NULL, "include failed exec()s (RET is -errno)" },
	{ "uid", 'u', "USER", "trace this user only (name or UID)" },
	{ "print-uid", 'U', NULL, "print a UID column" },
	{ "quote", 'q', NULL, "add quotemarks around arguments (\" and \\ escaped)" },
	{ "name", 'n', "NAME", "only commands whose name matches this regex" },
	{ "line", 'l', "LINE", "only commands whose joined arguments match this regex" },
	{ "ppid", 'P', "PPID", "trace this parent PID only" },
	{ "max-args", OPT_MAX_ARGS, "N", "maximum number of arguments shown (default 20, 1..1024)" },
	{ NULL },
};

/* ---- output ---- */

static bool match_filters(struct execsnoop *x, const char *comm, long uid, pid_t ppid,
			  const char *line)
{
	if (x->uid >= 0 && uid != x->uid)
		return false;
	if (x->o.ppid >= 0 && ppid != x->o.ppid)
		return false;
	if (x->has_name && regexec(&x->name_re, comm, 0, NULL, 0) != 0)
		return false;
	if (x->has_line && regexec(&x->line_re, line, 0, NULL, 0) != 0)
		return false;
	return true;
}

/* /proc/PID/cmdline split at NULs (best effort: the process may be gone). */

static void emit(struct execsnoop *x, const struct ftk_rec *r, pid_t pid, const char *comm,
		 int ret, const char *filename, struct pending *p)
{
	struct exec_argv args;

	argv_resolve(x->argv, p, pid, ret, &args);

	pid_t ppid = 0;
	struct ftk_pinfo *pi = ftk_ptrack_get(x->procs, pid);
	if (pi && pi->ppid > 0)
		ppid = pi->ppid;
	else if ((ppid = ftk_proc_ppid(pid)) < 0)
		ppid = 0;
	/* The uid costs a /proc read: only when it is shown or filtered on. */
	long uid = -1;
	if (x->json || x->o.print_uid || x->uid >= 0) {
		uid = ftk_proc_uid(pid);
		if (uid < 0 && ppid > 0)
			uid = ftk_proc_uid(ppid);
	}

	struct ftk_buf *a = &x->argsbuf;
	ftk_buf_reset(a);
	if (args.argc == 0 && filename && !x->json) {
		/* Nothing readable: show the file, as perf-tools does, marked. */
		ftk_escape_table(a, filename, strlen(filename), false);
		ftk_buf_adds(a, " [?]");
	} else {
		ftk_execsnoop_join(a, args.argv, args.lens, args.argc, args.truncated, x->o.quote);
	}
	if (!match_filters(x, comm, uid, ppid, ftk_buf_str(a)))
		goto out;

	struct ftk_buf *b = &x->line;
	ftk_buf_reset(b);
	if (x->json) {
		struct ftk_json j;
		ftk_json_record(&j, b, x->s, r->ts, r->cpu, pid, comm, FTK_CSTR);
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
		for (int i = 0; i < args.argc; i++) {
			if (args.argv[i])
				ftk_json_str(&j, NULL, args.argv[i], args.lens[i]);
			else
				ftk_json_null(&j, NULL);
		}
		ftk_json_array_end(&j);
		ftk_json_bool(&j, "args_truncated", args.truncated);
		ftk_json_cstr(&j, "args_source", args.source);
		ftk_json_end(&j);
	} else {
		if (x->o.hms) {
			char hms[16];
			ftk_fmt_hms(hms, ftk_session_mono_to_real(x->s, r->ts));
			ftk_buf_printf(b, "%-9s", hms);
		}
		if (x->o.timestamp)
			ftk_buf_printf(b, "%-8.3f", (r->ts - ftk_session_start_ts(x->s)) / 1e9);
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
	exec_argv_free(&args);
}

/* ---- tracepoint handlers ---- */

static void on_exec(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct execsnoop *x = ctx;
	pid_t pid = ftk_field_s64(&x->exec_pid, r->data, r->size, ftk_rec_pid(r->data));
	pid_t old = ftk_field_s64(&x->exec_old_pid, r->data, r->size, pid);
	int flen;
	const char *fs = ftk_field_str(&x->exec_filename, r->data, r->size, &flen);
	char filename[4096];
	snprintf(filename, sizeof(filename), "%.*s", fs ? flen : 0, fs ? fs : "");

	/* The tracker names the new image (the file's base name, or what task_rename said). */
	ftk_ptrack_feed(x->procs, r);
	struct ftk_pinfo *pi = ftk_ptrack_get(x->procs, pid);
	const char *comm = pi && pi->comm[0] ? pi->comm : "?";

	struct pending *p = argv_capture_find(x->argv, old);
	emit(x, r, pid, comm, 0, filename, p);
	argv_capture_done(x->argv, p);
	if (old != pid)
		argv_capture_done(x->argv, argv_capture_find(x->argv, pid));
}

static void on_exit_exec(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct execsnoop *x = ctx;
	long ret = ftk_field_s64(&x->exit_ret, r->data, r->size, 0);
	pid_t tid = ftk_rec_pid(r->data);
	struct pending *p = argv_capture_find(x->argv, tid);
	if (ret >= 0) {
		/* Success was reported by sched_process_exec. */
		argv_capture_done(x->argv, p);
		return;
	}
	if (x->o.fails) {
		char comm[16] = "?";
		if (p && p->comm[0]) {
			snprintf(comm, sizeof(comm), "%s", p->comm);
		} else {
			struct ftk_pinfo *pi = ftk_ptrack_lookup(x->procs, tid);
			if (pi && pi->comm[0])
				snprintf(comm, sizeof(comm), "%s", pi->comm);
		}
		pid_t tgid = ftk_proc_tgid(tid);
		emit(x, r, tgid > 0 ? tgid : tid, comm, (int)ret, p ? p->file : NULL, p);
	}
	argv_capture_done(x->argv, p);
}

static void on_proc_exit(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct execsnoop *x = ctx;

	argv_capture_done(x->argv, argv_capture_find(x->argv, ftk_rec_pid(r->data)));
	ftk_ptrack_feed(x->procs, r);
}

static void on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	struct execsnoop *x = ctx;
	/* Captures may have lost their pieces: start every thread afresh. */
	argv_capture_reset(x->argv);
	ftk_ptrack_lost(x->procs);
}

/* ---- the view ---- */

static void execsnoop_init(struct ftk_run *r)
{
	struct execsnoop *x = r->state;

	x->o.max_args = DEFAULT_MAX_ARGS;
	x->o.ppid = -1;
	x->uid = -1;
}

static int execsnoop_option(struct ftk_run *r, int key, const char *arg)
{
	struct ftk_execsnoop_opts *o = r->state;

	switch (key) {
	case 'T': o->hms = true; return 0;
	case 't': o->timestamp = true; return 0;
	case 'x': o->fails = true; return 0;
	case 'U': o->print_uid = true; return 0;
	case 'q': o->quote = true; return 0;
	case 'u': o->user = arg; return 0;
	case 'n': o->name = arg; return 0;
	case 'l': o->line = arg; return 0;
	case 'P': return ftk_opt_long("PPID", arg, 0, 0x7fffffff, &o->ppid);
	case OPT_MAX_ARGS:
		return ftk_opt_ulong("--max-args", arg, 1, MAX_ARGS_LIMIT, &o->max_args);
	}
	return -EINVAL;
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
		return -ENOENT;
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
		ftk_usage_error("invalid %s regex '%s': %s", what, pat, msg);
		return -EINVAL;
	}
	return 0;
}

extern const struct ftk_view ftk_view_execsnoop;

static int execsnoop_check(struct ftk_run *r)
{
	struct execsnoop *x = r->state;
	int rc;

	x->json = r->json;
	if (x->o.name && (rc = compile_re(&x->name_re, x->o.name, "--name")))
		return rc;
	x->has_name = x->o.name != NULL;
	if (x->o.line && (rc = compile_re(&x->line_re, x->o.line, "--line")))
		return rc;
	x->has_line = x->o.line != NULL;
	if (x->o.user && (rc = resolve_user(x->o.user, &x->uid)))
		return rc;
	return 0;
}

static int execsnoop_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct execsnoop *x = r->state;

	x->s = s;
	x->procs = ftk_ptrack_new();
	x->argv = argv_capture_new(x->o.max_args);
	/* The tracker follows fork and task_rename itself; exec and exit come through here. */
	x->exec = ftk_tracepoint(s, "sched", "sched_process_exec", NULL);
	ftk_event_on(x->exec, on_exec, x);
	ftk_ptrack_adopt(x->procs, x->exec);
	struct ftk_event *pexit = ftk_tracepoint(s, "sched", "sched_process_exit", NULL);
	ftk_event_on(pexit, on_proc_exit, x);
	ftk_ptrack_adopt(x->procs, pexit);
	ftk_ptrack_declare(x->procs, s);
	x->sys_exit[0] = ftk_tracepoint_optional(s, "syscalls", "sys_exit_execve", on_exit_exec, x);
	x->sys_exit[1] = ftk_tracepoint_optional(s, "syscalls", "sys_exit_execveat", on_exit_exec, x);
	/* x86-64 4.4 (before the entry rework; 4.9 has them): sys_call_table holds
	 * stub_execve, so the kernel makes no execve syscall events: no errors to show. */
	if (x->o.fails && !x->sys_exit[0]) {
		ftk_error("-x: this kernel has no syscalls:sys_exit_execve tracepoint: the "
			  "errors of failed execs are not visible");
		ftk_hint("run without -x (successful execs are still reported)");
		return -ENOENT;
	}
	ftk_session_on_lost(s, on_lost, x);
	return argv_capture_declare(x->argv, s, r->backend);
}

static int execsnoop_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct execsnoop *x = r->state;

	ftk_field_bind(&x->exec_filename, x->exec, "filename");
	ftk_field_bind(&x->exec_pid, x->exec, "pid");
	ftk_field_bind(&x->exec_old_pid, x->exec, "old_pid");
	for (int i = 0; i < 2; i++)
		if (x->sys_exit[i] && x->sys_exit[i]->tep)
			ftk_field_bind(&x->exit_ret, x->sys_exit[i], "ret");
	ftk_ptrack_bind(x->procs);
	argv_capture_bind(x->argv);
	return 0;
}

static void execsnoop_header(struct ftk_run *r)
{
	struct execsnoop *x = r->state;

	if (x->json) {
		fprintf(stderr, "ftk execsnoop: tracing exec()s (%s backend); Ctrl-C to end\n",
			execsnoop_backends[r->backend].name);
		return;
	}
	struct ftk_buf h = { 0 };
	if (x->o.hms)
		ftk_buf_printf(&h, "%-9s", "TIME");
	if (x->o.timestamp)
		ftk_buf_printf(&h, "%-8s", "TIME(s)");
	if (x->o.print_uid)
		ftk_buf_printf(&h, "%-6s", "UID");
	ftk_buf_printf(&h, "%-16s %-7s %-7s %3s %s\n", "PCOMM", "PID", "PPID", "RET", "ARGS");
	ftk_out_buf(&h);
	ftk_buf_free(&h);
}

static void execsnoop_free(struct ftk_run *r)
{
	struct execsnoop *x = r->state;

	if (x->has_name)
		regfree(&x->name_re);
	if (x->has_line)
		regfree(&x->line_re);
	argv_capture_free(x->argv);
	ftk_ptrack_free(x->procs);
	ftk_buf_free(&x->line);
	ftk_buf_free(&x->argsbuf);
}

static const struct ftk_view_ops ops = {
	.init = execsnoop_init,
	.option = execsnoop_option,
	.check = execsnoop_check,
	.declare = execsnoop_declare,
	.bind = execsnoop_bind,
	.header = execsnoop_header,
	.free = execsnoop_free,
};

const struct ftk_view ftk_view_execsnoop = {
	.name = "execsnoop",
	.summary = "trace new processes (exec) with their arguments",
	.description = "Trace exec() syscalls: every new program, with its arguments.",
	.examples =
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
		"  ftk execsnoop --json -d 10    # NDJSON for ten seconds\n",
	.common = FTK_OPT_DURATION | FTK_OPT_TRACING | FTK_OPT_BACKEND,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct execsnoop),
	.backends = execsnoop_backends,
	.nbackends = FTK_ARRAY_SIZE(execsnoop_backends),
	.unavailable = "cannot trace exec() on this kernel",
};
