// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk graph: function_graph call trees of kernel functions, for all tasks, the threads of
 * some processes (-p), one thread (-L) or a command ftk starts (-- CMD), like perf-tools'
 * funcgraph and perf ftrace. The view sets the tracer up (set_graph_function,
 * set_graph_notrace and max_graph_depth are global on every kernel: the session saves and
 * restores them), declares ftrace:funcgraph_entry/exit and the sched/task events that name
 * threads, and feeds their records to the engine (graph/engine.h), which prints each
 * thread's tree in one piece (graph/text.h), or NDJSON, Chrome trace JSON or a per-function
 * profile (graph/export.h). Function names come from /proc/kallsyms (core/ksyms.h).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/events.h"
#include "core/features.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"
#include "graph/engine.h"
#include "graph/functions.h"
#include "graph/text.h"

struct graph_view {
	/* options */
	char **funcs;
	int nfuncs;
	char **notrace;		/* --notrace */
	int nnotrace;
	pid_t *pids;		/* -p */
	int npids;
	pid_t tid;		/* -L */
	char **command;		/* -- COMMAND */
	double duration;
	unsigned long buffer_kb;
	bool on_cpu, noirqs, force, dry_run;
	struct graph_opts out;

	/* the run */
	struct graph engine;
	struct ftk_session *session;
	struct ftk_event *entry, *exit, *exec, *fork, *rename;
	bool top_level;		/* function_graph only at top level (kernels before 6.11) */
	pid_t child;		/* the command, 0 if none */
	pthread_t ksyms_thread;
	bool ksyms_running;
};

/* ---- options ---- */

static bool graph_usable(char *why, size_t len)
{
	if (!ftk_tracepoint_exists("ftrace", "funcgraph_entry")) {
		snprintf(why, len, "no ftrace:funcgraph_entry format (CONFIG_FUNCTION_GRAPH_TRACER=n)");
		return false;
	}
	return true;
}

static const struct ftk_backend graph_backends[] = {
	{
		.name = "function_graph",
		.desc = "function_graph tracer (own instance >= 6.11, top level before)",
		.needs = { FTK_F_TRACEFS, FTK_F_FGRAPH },
		.usable = graph_usable,
	},
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: ftk graph FUNC [FUNC...] [-p PID[,PID...] | -L TID | -- COMMAND [ARGS...]]\n"
"                 [-d SECS] [-m DEPTH] [--thresh USECS] [-C] [--noirqs] [-t] [-P]\n"
"                 [--retval] [--summary] [--json | --format text|json|chrome]\n"
"                 [--notrace FUNC] [--force] [--dry-run] [-b KB]\n"
"\n"
"Kernel call trees under FUNC (function_graph tracer), one thread's tree at a time.\n"
"\n"
"  FUNC               function (or glob) to graph; several allowed\n"
"  -p, --pid PID      all threads of PID (new threads and children followed)\n"
"  -L, --tid TID      one thread only\n"
"  -- COMMAND         run COMMAND and trace it (and its children) from its exec\n"
"  -d, --duration S   stop after S seconds (default: Ctrl-C or the command's end)\n"
"  -m, --max-depth N  show N levels below and including FUNC (max_graph_depth)\n"
"      --thresh US    only calls that took at least US microseconds\n"
"  -C, --on-cpu       exclude sleep time from durations (sleep-time off)\n"
"      --noirqs       do not trace interrupts (funcgraph-irqs off)\n"
"  -t, --abstime      absolute time column (CLOCK_MONOTONIC seconds)\n"
"  -P, --proc         comm-tid column on every line\n"
"      --retval       return values (kernels with funcgraph-retval)\n"
"      --summary      per-function calls, total, self, average and max time\n"
"      --json         NDJSON: one object per completed call\n"
"      --format F     text (default), json or chrome (trace-event JSON for Perfetto)\n"
"      --notrace FUNC do not trace FUNC nor what it calls (set_graph_notrace)\n"
"      --force        take over the tracer even when another tool uses it\n"
"      --dry-run      print the tracefs writes, make none\n"
"  -b, --buffer-kb KB per-CPU buffer size (default 8192)\n"
"\n"
"Examples:\n"
"  ftk graph vfs_read -p 1234          vfs_read trees of process 1234\n"
"  ftk graph do_sys_openat2 -- ls /    trees of the opens that ls makes\n"
"  ftk graph vfs_read --summary -d 5   where vfs_read spends its time, 5 s\n"
"  ftk graph vfs_write --format chrome -d 2 > w.json   (open in ui.perfetto.dev)\n");
}

enum { OPT_THRESH = 256, OPT_NOIRQS, OPT_RETVAL, OPT_SUMMARY, OPT_JSON, OPT_FORMAT,
       OPT_NOTRACE, OPT_FORCE, OPT_DRY };

static int add_pids(struct graph_view *v, const char *arg)
{
	char *dup = ftk_xstrdup(arg), *save = NULL;

	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long pid;
		if (ftk_parse_ulong(tok, 1, 0x7fffffff, &pid)) {
			int rc = ftk_usage_error("invalid PID '%s'", tok);
			free(dup);
			return rc;
		}
		v->pids = ftk_xrealloc(v->pids, (v->npids + 1) * sizeof(*v->pids));
		v->pids[v->npids++] = (pid_t)pid;
	}
	free(dup);
	if (!v->npids)
		return ftk_usage_error("-p needs a PID");
	return 0;
}

/* 0, FTK_EXIT_USAGE (printed) or -1 for --help (printed). */
static int parse_args(int argc, char **argv, struct graph_view *v)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 'L' },
		{ "duration", required_argument, NULL, 'd' },
		{ "max-depth", required_argument, NULL, 'm' },
		{ "thresh", required_argument, NULL, OPT_THRESH },
		{ "on-cpu", no_argument, NULL, 'C' },
		{ "noirqs", no_argument, NULL, OPT_NOIRQS },
		{ "abstime", no_argument, NULL, 't' },
		{ "proc", no_argument, NULL, 'P' },
		{ "retval", no_argument, NULL, OPT_RETVAL },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "notrace", required_argument, NULL, OPT_NOTRACE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct graph_opts *o = &v->out;
	int nopt = argc, c, rc;
	unsigned long n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			nopt = i;
			v->command = argv + i + 1;
			break;
		}
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(nopt, argv, ":p:L:d:m:CtPb:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if ((rc = add_pids(v, optarg)))
				return rc;
			break;
		case 'L':
			if (ftk_parse_ulong(optarg, 1, 0x7fffffff, &n))
				return ftk_usage_error("invalid TID '%s'", optarg);
			v->tid = (pid_t)n;
			break;
		case 'd':
			if (ftk_parse_seconds(optarg, &v->duration))
				return ftk_usage_error("invalid duration '%s' (seconds)", optarg);
			break;
		case 'm':
			if (ftk_parse_ulong(optarg, 1, 1000, &o->max_depth))
				return ftk_usage_error("invalid depth '%s' (1..1000)", optarg);
			break;
		case OPT_THRESH: {
			double us;
			char *end;
			errno = 0;
			us = strtod(optarg, &end);
			if (errno || end == optarg || *end || us < 0 || us > 1e12)
				return ftk_usage_error("invalid threshold '%s' (microseconds)",
						       optarg);
			o->thresh_ns = (uint64_t)(us * 1000 + 0.5);
			break;
		}
		case 'C': v->on_cpu = true; break;
		case OPT_NOIRQS: v->noirqs = true; break;
		case 't': o->abstime = true; break;
		case 'P': o->proc = true; break;
		case OPT_RETVAL: o->retval = true; break;
		case OPT_SUMMARY: o->summary = true; break;
		case OPT_JSON: o->format = GRAPH_JSON; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o->format = GRAPH_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = GRAPH_JSON;
			else if (strcmp(optarg, "chrome") == 0)
				o->format = GRAPH_CHROME;
			else
				return ftk_usage_error("unknown format '%s' (text, json, chrome)",
						       optarg);
			break;
		case OPT_NOTRACE:
			v->notrace = ftk_xrealloc(v->notrace, (v->nnotrace + 1) * sizeof(char *));
			v->notrace[v->nnotrace++] = optarg;
			break;
		case OPT_FORCE: v->force = true; break;
		case OPT_DRY: v->dry_run = true; break;
		case 'b':
			if (ftk_parse_ulong(optarg, 4, 1ul << 22, &v->buffer_kb))
				return ftk_usage_error("invalid buffer size '%s' (KiB)", optarg);
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			return ftk_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return ftk_bad_option(argv);
		}
	}
	for (int i = optind; i < nopt; i++) {
		if (!argv[i][0] || strpbrk(argv[i], " \t\n"))
			return ftk_usage_error("invalid function name '%s'", argv[i]);
		v->funcs = ftk_xrealloc(v->funcs, (v->nfuncs + 1) * sizeof(char *));
		v->funcs[v->nfuncs++] = argv[i];
	}
	if (!v->nfuncs)
		return ftk_usage_error("which function? (ftk graph FUNC ...)");
	if (v->command && !v->command[0])
		return ftk_usage_error("'--' must be followed by a command");
	if (v->command && (v->npids || v->tid))
		return ftk_usage_error("-p/-L and a command exclude each other");
	if (v->npids && v->tid)
		return ftk_usage_error("-p and -L exclude each other");
	if (o->summary && o->format == GRAPH_CHROME)
		return ftk_usage_error("--summary and --format chrome exclude each other");
	return 0;
}

/* ---- checks before anything is written ---- */

static int check_targets(const struct graph_view *v)
{
	for (int i = 0; i < v->npids; i++) {
		if (!ftk_proc_exists(v->pids[i])) {
			ftk_error("no process with PID %d", (int)v->pids[i]);
			return -ESRCH;
		}
	}
	if (v->tid && !ftk_proc_exists(v->tid)) {
		ftk_error("no thread with TID %d", (int)v->tid);
		return -ESRCH;
	}
	return 0;
}

/* Another function_graph user (top level, or any instance) would see our global filters
 * (set_graph_function, max_graph_depth), and at top level any tracer is in the way: refuse
 * before writing anything, unless --force. */
static int check_tracer_free(const struct graph_view *v)
{
	char who[320];

	if (v->force || !ftk_tracer_user("function_graph", v->top_level, who, sizeof(who)))
		return 0;
	ftk_error("the tracer is in use by another tool (%s): set_graph_function and "
		  "max_graph_depth are global to all function_graph users", who);
	ftk_hint("stop the other tracer, or pass --force (ftk restores the global files)");
	return -EBUSY;
}

/* ---- the tracer ---- */

static void join(struct ftk_buf *b, char **words, int n)
{
	for (int i = 0; i < n; i++)
		ftk_buf_printf(b, "%s%s", i ? " " : "", words[i]);
}

/* Every thread of every -p process (or -L's, or the command), space-separated into b. */
static pid_t *traced_threads(const struct graph_view *v, struct ftk_buf *b, int *n)
{
	pid_t *all = NULL;

	*n = 0;
	if (v->child > 0 || v->tid) {
		all = ftk_xmalloc(sizeof(*all));
		all[(*n)++] = v->child > 0 ? v->child : v->tid;
		ftk_buf_printf(b, "%d", (int)all[0]);
		return all;
	}
	for (int i = 0; i < v->npids; i++) {
		int ntids = 0;
		pid_t *tids = ftk_proc_threads(v->pids[i], &ntids);
		if (!tids) {
			tids = ftk_xmalloc(sizeof(*tids));
			tids[0] = v->pids[i];
			ntids = 1;
		}
		all = ftk_xrealloc(all, (*n + ntids) * sizeof(*all));
		for (int k = 0; k < ntids; k++) {
			all[(*n)++] = tids[k];
			ftk_buf_printf(b, "%s%d", b->len ? " " : "", (int)tids[k]);
		}
		free(tids);
	}
	return all;
}

/* Global files are saved and restored by the session; in dry-run both only print. */
static int write_global(struct graph_view *v, const char *file, const char *val)
{
	return ftk_session_global_write(v->session, file, val);
}

static int write_instance(struct graph_view *v, const char *file, const char *val)
{
	return ftk_session_instance_write(v->session, file, val);
}

/* The tracer's set-up after arm, before the command starts. 0 or -errno after the message. */
static int setup_tracer(struct graph_view *v)
{
	struct ftk_buf b = { 0 };
	int err;

	join(&b, v->funcs, v->nfuncs);
	err = write_global(v, "set_graph_function", ftk_buf_str(&b));
	if (err == -EINVAL || err == -ENOENT || err == -ENODEV) {
		ftk_error("the kernel refused to graph '%s' (unknown, inlined, notrace or "
			  "blocked function)", ftk_buf_str(&b));
		ftk_hint("check the names in available_filter_functions");
	}
	ftk_buf_reset(&b);
	if (!err && v->nnotrace) {
		join(&b, v->notrace, v->nnotrace);
		err = write_global(v, "set_graph_notrace", ftk_buf_str(&b));
		if (err == -EINVAL)
			ftk_error("the kernel refused --notrace '%s'", ftk_buf_str(&b));
		ftk_buf_reset(&b);
	}
	if (!err && v->out.max_depth) {
		ftk_buf_printf(&b, "%lu", v->out.max_depth);
		err = write_global(v, "max_graph_depth", ftk_buf_str(&b));
		ftk_buf_reset(&b);
	}
	if (!err && (v->npids || v->tid || v->child > 0)) {
		int n;
		pid_t *all = traced_threads(v, &b, &n);
		bool follow = !v->tid;
		err = write_instance(v, "set_ftrace_pid", ftk_buf_str(&b));
		if (!err && follow)
			err = write_instance(v, "options/function-fork", "1");
		if (!err)
			err = ftk_session_filter_pids(v->session, all, n, follow);
		free(all);
		ftk_buf_reset(&b);
	}
	if (!err && v->noirqs)
		err = write_instance(v, "options/funcgraph-irqs", "0");
	if (!err && v->on_cpu)
		err = write_instance(v, "options/sleep-time", "0");
	ftk_buf_free(&b);
	if (!err) {
		err = ftk_session_set_tracer(v->session, "function_graph");
		if (err == -EBUSY || err == -EPERM || err == -ENODEV || err == -EINVAL)
			ftk_hint("function_graph needs CONFIG_FUNCTION_GRAPH_TRACER=y and a "
				 "kernel that lets the function tracer run ('ftk features')");
	}
	return err;
}

/*
 * The session's setup hook: the formats are loaded and the per-CPU buffers not yet open (the
 * kernel refuses to change a tracer while they are: EBUSY). Bind the record layouts, then set
 * the tracer up. 0 or -FTK_EXIT_FAIL after the message.
 */
static int on_setup(struct ftk_session *s, void *ctx)
{
	struct graph_view *v = ctx;

	if (!ftk_session_dry_run(s)) {
		if (graph_bind(&v->engine, v->entry->tep, v->exit->tep)) {
			ftk_error("unexpected ftrace:funcgraph_entry/exit formats (need func, "
				  "depth, calltime, rettime)");
			return -FTK_EXIT_FAIL;
		}
		if (v->out.retval && !v->engine.exit_retval.ok) {
			ftk_error("--retval: this kernel's funcgraph_exit records carry no return "
				  "value");
			ftk_hint("needs kernel >= 6.5 built with CONFIG_FUNCTION_GRAPH_RETVAL=y");
			return -FTK_EXIT_FAIL;
		}
		graph_bind_tasks(&v->engine, v->exec ? v->exec->tep : NULL,
				 v->fork ? v->fork->tep : NULL, v->rename ? v->rename->tep : NULL);
	}
	return setup_tracer(v) ? -FTK_EXIT_FAIL : 0;
}

/* ---- events ---- */

static void on_funcgraph(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	graph_record(&((struct graph_view *)ctx)->engine, r);
}

static void on_task(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	graph_task_record(&((struct graph_view *)ctx)->engine, r);
}

static void on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	graph_lost(&((struct graph_view *)ctx)->engine, cpu);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	struct graph *g = &((struct graph_view *)ctx)->engine;

	graph_finish(g);
	if (g->orphans)
		ftk_info("%llu returns of calls that began before tracing were dropped",
			 (unsigned long long)g->orphans);
	if (g->lost_any && g->unmatched)
		ftk_info("%llu calls cut by lost events were dropped or left open",
			 (unsigned long long)g->unmatched);
}

static struct ftk_event *declare_optional(struct graph_view *v, const char *sys,
					  const char *name)
{
	struct ftk_event *ev = ftk_tracepoint(v->session, sys, name, NULL);

	ev->optional = true;
	ftk_event_on(ev, on_task, v);
	return ev;
}

static void declare(struct graph_view *v)
{
	v->entry = ftk_tracepoint(v->session, "ftrace", "funcgraph_entry", NULL);
	v->exit = ftk_tracepoint(v->session, "ftrace", "funcgraph_exit", NULL);
	v->entry->no_enable = v->exit->no_enable = true;	/* they come with the tracer */
	ftk_event_on(v->entry, on_funcgraph, v);
	ftk_event_on(v->exit, on_funcgraph, v);
	if (v->out.format != GRAPH_TEXT || !v->out.summary) {
		/* thread names (the text summary names functions only) */
		v->exec = declare_optional(v, "sched", "sched_process_exec");
		v->fork = declare_optional(v, "sched", "sched_process_fork");
		v->rename = declare_optional(v, "task", "task_rename");
	}
	ftk_session_on_end(v->session, on_end, v);
	ftk_session_on_lost(v->session, on_lost, v);
	ftk_session_on_setup(v->session, on_setup, v);
}

/* ---- output ---- */

/* The header (text trees) and the "tracing" line on stderr, once everything is armed. */
static void header(struct graph_view *v)
{
	struct ftk_buf b = { 0 };

	if (v->out.format == GRAPH_CHROME && !v->out.summary)
		ftk_outf("{\"traceEvents\":[\n");
	if (v->out.format == GRAPH_TEXT && !v->out.summary) {
		graph_text_header(&v->out, &b);
		ftk_out(b.p, b.len);
		ftk_buf_reset(&b);
	}
	join(&b, v->funcs, v->nfuncs);
	if (v->npids)
		ftk_buf_printf(&b, " for PID %d%s", (int)v->pids[0], v->npids > 1 ? " ..." : "");
	else if (v->tid)
		ftk_buf_printf(&b, " for TID %d", (int)v->tid);
	else if (v->command)
		ftk_buf_printf(&b, " for %s", v->command[0]);
	ftk_info("tracing %s (function_graph%s)%s", ftk_buf_str(&b),
		 v->top_level ? " at top level" : " in its own instance",
		 v->command ? "" : "; Ctrl-C to end");
	ftk_buf_free(&b);
}

/* /proc/kallsyms takes the kernel ~70-120 ms to produce (1 s in the TCG guests): load it in
 * a thread while the session is armed; names are needed only once records flow. */
static void *ksyms_load_thread(void *arg)
{
	return (void *)(intptr_t)ftk_ksyms_load(arg, "/proc/kallsyms");
}

static void ksyms_start(struct graph_view *v)
{
	v->ksyms_running = !pthread_create(&v->ksyms_thread, NULL, ksyms_load_thread,
					   &v->engine.ksyms);
	if (!v->ksyms_running && ftk_ksyms_load(&v->engine.ksyms, "/proc/kallsyms"))
		ftk_warn("cannot read kernel symbols from /proc/kallsyms: functions print as "
			 "addresses");
}

static void ksyms_wait(struct graph_view *v)
{
	void *ret = NULL;

	if (!v->ksyms_running)
		return;
	pthread_join(v->ksyms_thread, &ret);
	v->ksyms_running = false;
	if (ret)
		ftk_warn("cannot read kernel symbols from /proc/kallsyms: functions print as "
			 "addresses");
}

/* ---- the run ---- */

static int graph_run(struct graph_view *v)
{
	int rc;

	v->top_level = !ftk_has(FTK_F_FGRAPH_INSTANCE);
	if (check_tracer_free(v))
		return FTK_EXIT_FAIL;
	graph_init(&v->engine, &v->out);
	if (!v->dry_run)
		ksyms_start(v);
	struct ftk_session_opts so = {
		.view = "graph", .buffer_kb = v->buffer_kb, .default_buffer_kb = 8192,
		.duration = v->duration, .dry_run = v->dry_run, .force = v->force,
		.top_level = v->top_level,
	};
	v->session = ftk_session_new(&so);
	if (!v->session) {
		rc = FTK_EXIT_FAIL;
		goto out;
	}
	declare(v);
	if (v->command) {
		/* forked before arm opens the buffers (the child must not hold them), held
		 * until arm has set the tracer up */
		v->child = ftk_session_spawn(v->session, v->command);
		if (v->child < 0) {
			ftk_session_close(v->session);
			rc = FTK_EXIT_FAIL;
			goto out;
		}
	}
	rc = ftk_session_arm(v->session);
	if (rc != FTK_ARM_OK) {
		ftk_session_close(v->session);
		rc = rc == FTK_ARM_DRY ? FTK_EXIT_OK : -rc;
		goto out;
	}
	ksyms_wait(v);
	header(v);
	ftk_out_flush();
	ftk_session_run(v->session);
	rc = ftk_session_close(v->session);
out:
	ksyms_wait(v);
	graph_free(&v->engine);
	return rc;
}

static int graph_main(int argc, char **argv)
{
	struct graph_view v = { 0 };
	char why[512];
	int rc = parse_args(argc, argv, &v);

	if (rc) {
		rc = rc < 0 ? FTK_EXIT_OK : rc;
		goto out;
	}
	if (!ftk_tracefs()) {
		rc = ftk_tracefs_error();
		goto out;
	}
	extern const struct ftk_view ftk_view_graph;
	if (ftk_backend_pick(&ftk_view_graph, NULL, why, sizeof(why)) < 0) {
		ftk_error("function_graph is not available on this kernel: %s", why);
		ftk_hint("ftk graph needs a kernel built with CONFIG_FUNCTION_GRAPH_TRACER=y "
			 "that allows the function tracer ('ftk features' shows what is here)");
		rc = FTK_EXIT_FAIL;
		goto out;
	}
	rc = FTK_EXIT_FAIL;
	if (!v.dry_run && ftk_require_root())
		goto out;
	if (check_targets(&v) || graph_check_functions(v.funcs, v.nfuncs, "") ||
	    graph_check_functions(v.notrace, v.nnotrace, " (--notrace)"))
		goto out;
	if (v.out.retval && !ftk_has(FTK_F_FGRAPH_RETVAL)) {
		ftk_error("--retval: %s", ftk_feature(FTK_F_FGRAPH_RETVAL)->why);
		goto out;
	}
	rc = graph_run(&v);
out:
	free(v.funcs);
	free(v.notrace);
	free(v.pids);
	return rc;
}

const struct ftk_view ftk_view_graph = {
	.name = "graph",
	.summary = "function_graph call trees of kernel functions (per thread, summary, JSON)",
	.main = graph_main,
	.backends = graph_backends,
	.nbackends = FTK_ARRAY_SIZE(graph_backends),
};
