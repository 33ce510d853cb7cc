// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk graph: function_graph call trees of kernel functions, for all tasks, the threads of
 * some processes (-p), one thread (-L) or a command ftk starts (-- COMMAND), like perf-tools'
 * funcgraph and perf ftrace. The view sets the tracer up (set_graph_function,
 * set_graph_notrace and max_graph_depth are global on every kernel: the session saves and
 * restores them), declares ftrace:funcgraph_entry/exit, whose records feed the engine
 * (graph/engine.h), and the process tracker (core/ptrack.h) that names threads. The engine
 * prints each thread's tree in one piece (graph/text.h), or NDJSON, Chrome trace JSON or a
 * per-function profile (graph/export.h). Function names come from /proc/kallsyms.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/features.h"
#include "core/field.h"
#include "cmd/graph.h"
#include "cmd/graph/engine.h"
#include "cmd/graph/functions.h"
#include "cmd/graph/text.h"
#include "core/events.h"
#include "core/features.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/ptrack.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

struct graph_view {
	struct graph_options o;	/* first: unit tests read it */
	struct graph engine;
	struct ftk_event *entry, *exit;	/* ftrace:funcgraph_entry/exit */
	struct ftk_ptrack *procs;	/* thread names (not for the text summary) */
	bool top_level;		/* function_graph only at top level (kernels before 6.11) */
	pthread_t ksyms_thread;
	bool ksyms_running;
};

enum { OPT_THRESH = 256, OPT_NOIRQS, OPT_RETVAL, OPT_SUMMARY, OPT_FORMAT, OPT_NOTRACE };

static const struct ftk_option options[] = {
	{ "tid", 'L', "TID", "one thread only" },
	{ "max-depth", 'm', "N", "show N levels below and including FUNC (max_graph_depth)" },
	{ "thresh", OPT_THRESH, "USECS", "only calls that took at least USECS microseconds" },
	{ "on-cpu", 'C', NULL, "exclude sleep time from durations (sleep-time off)" },
	{ "noirqs", OPT_NOIRQS, NULL, "do not trace interrupts (funcgraph-irqs off)" },
	{ "abstime", 't', NULL, "absolute time column (CLOCK_MONOTONIC seconds)" },
	{ "proc", 'P', NULL, "comm-tid column on every line" },
	{ "retval", OPT_RETVAL, NULL, "return values (kernels with funcgraph-retval)" },
	{ "summary", OPT_SUMMARY, NULL, "per-function calls, total, self, average and max time" },
	{ "format", OPT_FORMAT, "F", "text (default), json or chrome (trace-event JSON for Perfetto)" },
	{ "notrace", OPT_NOTRACE, "FUNC", "do not trace FUNC nor what it calls (set_graph_notrace)" },
	{ NULL },
};

/* ---- options ---- */

static int graph_option(struct ftk_run *r, int key, const char *arg)
{
	struct graph_options *o = r->state;
	unsigned long n;
	double us;
	char *end;

	switch (key) {
	case 'L':
		if (ftk_opt_ulong("TID", arg, 1, INT_MAX, &n))
			return -EINVAL;
		o->tid = (pid_t)n;
		return 0;
	case 'm':
		return ftk_opt_ulong("depth", arg, 1, 1000, &o->output.max_depth);
	case OPT_THRESH:
		errno = 0;
		us = strtod(arg, &end);
		if (errno || end == arg || *end || us < 0 || us > 1e12)
			return ftk_usage_error("invalid threshold '%s' (microseconds)", arg), -EINVAL;
		o->output.thresh_ns = (uint64_t)(us * 1000 + 0.5);
		return 0;
	case 'C': o->on_cpu = true; return 0;
	case OPT_NOIRQS: o->noirqs = true; return 0;
	case 't': o->output.abstime = true; return 0;
	case 'P': o->output.proc = true; return 0;
	case OPT_RETVAL: o->output.retval = true; return 0;
	case OPT_SUMMARY: o->output.summary = true; return 0;
	case OPT_FORMAT:
		o->format_given = true;
		if (strcmp(arg, "text") == 0)
			o->output.format = GRAPH_TEXT;
		else if (strcmp(arg, "json") == 0)
			o->output.format = GRAPH_JSON;
		else if (strcmp(arg, "chrome") == 0)
			o->output.format = GRAPH_CHROME;
		else
			return ftk_usage_error("unknown format '%s' (text, json, chrome)", arg),
			       -EINVAL;
		return 0;
	case OPT_NOTRACE:
		o->notrace = ftk_xrealloc(o->notrace, (o->nnotrace + 1) * sizeof(char *));
		o->notrace[o->nnotrace++] = (char *)arg;
		return 0;
	}
	return -EINVAL;
}

/* FUNC [FUNC...]: names or globs of available_filter_functions. */
static int graph_args(struct ftk_run *r, int argc, char **argv)
{
	struct graph_options *o = r->state;

	for (int i = 0; i < argc; i++) {
		if (!argv[i][0] || strpbrk(argv[i], " \t\n"))
			return ftk_usage_error("invalid function name '%s'", argv[i]), -EINVAL;
		o->funcs = ftk_xrealloc(o->funcs, (o->nfuncs + 1) * sizeof(char *));
		o->funcs[o->nfuncs++] = argv[i];
	}
	return 0;
}

static int graph_check(struct ftk_run *r)
{
	struct graph_options *o = r->state;

	if (!o->nfuncs)
		return ftk_usage_error("which function? (ftk graph FUNC ...)"), -EINVAL;
	if (r->command && (r->npids || o->tid))
		return ftk_usage_error("-p/-L and a command exclude each other"), -EINVAL;
	if (r->npids && o->tid)
		return ftk_usage_error("-p and -L exclude each other"), -EINVAL;
	if (r->json && o->format_given && o->output.format != GRAPH_JSON)
		return ftk_usage_error("--json and --format exclude each other"), -EINVAL;
	if (r->json)
		o->output.format = GRAPH_JSON;
	if (o->output.summary && o->output.format == GRAPH_CHROME)
		return ftk_usage_error("--summary and --format chrome exclude each other"),
		       -EINVAL;
	return 0;
}

/* ---- before the session: the targets, the names, the tracer ---- */

static int check_targets(struct ftk_run *r)
{
	struct graph_options *o = r->state;

	for (int i = 0; i < r->npids; i++) {
		if (!ftk_proc_exists(r->pids[i])) {
			ftk_error("no process with PID %d", (int)r->pids[i]);
			return -ESRCH;
		}
	}
	if (o->tid && !ftk_proc_exists(o->tid)) {
		ftk_error("no thread with TID %d", (int)o->tid);
		return -ESRCH;
	}
	return 0;
}

/* Another function_graph user (top level, or any instance) would see our global filters
 * (set_graph_function, max_graph_depth), and at top level any tracer is in the way: refuse
 * before writing anything, unless --force. */
static int check_tracer_free(struct ftk_run *r, bool top_level)
{
	char who[320];

	if (r->force || !ftk_tracer_user("function_graph", top_level, who, sizeof(who)))
		return 0;
	ftk_error("the tracer is in use by another tool (%s): set_graph_function and "
		  "max_graph_depth are global to all function_graph users", who);
	ftk_hint("stop the other tracer, or pass --force (ftk restores the global files)");
	return -EBUSY;
}

/* /proc/kallsyms takes the kernel ~70-120 ms to produce (1 s in the TCG guests): load it in
 * a thread while the session is armed; names are needed only once records flow. */
static void *ksyms_load_thread(void *ksyms)
{
	return (void *)(intptr_t)ftk_ksyms_load(ksyms, "/proc/kallsyms");
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

static int graph_prepare(struct ftk_run *r)
{
	struct graph_view *v = r->state;
	int err;

	if ((err = check_targets(r)) ||
	    (err = graph_check_functions(v->o.funcs, v->o.nfuncs, "")) ||
	    (err = graph_check_functions(v->o.notrace, v->o.nnotrace, " (--notrace)")))
		return err;
	/* set_graph_notrace came in 3.19; a kernel without options/funcgraph-irqs (3.10)
	 * always shows interrupts */
	if (v->o.nnotrace && !ftk_tracefs_has("set_graph_notrace")) {
		ftk_error("--notrace: this kernel has no set_graph_notrace (added in 3.19)");
		return -ENOTSUP;
	}
	if (v->o.noirqs && !ftk_tracefs_has("options/funcgraph-irqs")) {
		ftk_error("--noirqs: this kernel has no options/funcgraph-irqs");
		return -ENOTSUP;
	}
	if (v->o.output.retval && !ftk_has(FTK_F_FGRAPH_RETVAL)) {
		ftk_error("--retval: %s", ftk_feature(FTK_F_FGRAPH_RETVAL)->why);
		return -ENOTSUP;
	}
	v->top_level = !ftk_has(FTK_F_FGRAPH_INSTANCE);
	r->so.top_level = v->top_level;
	if ((err = check_tracer_free(r, v->top_level)))
		return err;
	if (!r->dry_run) {
		v->ksyms_running = !pthread_create(&v->ksyms_thread, NULL, ksyms_load_thread,
						   &v->engine.ksyms);
		if (!v->ksyms_running && ftk_ksyms_load(&v->engine.ksyms, "/proc/kallsyms"))
			ftk_warn("cannot read kernel symbols from /proc/kallsyms: functions "
				 "print as addresses");
	}
	return 0;
}

/* ---- the tracer, set up by the session once the formats are loaded ---- */

static void join(struct ftk_buf *b, char **words, int n)
{
	for (int i = 0; i < n; i++)
		ftk_buf_printf(b, "%s%s", i ? " " : "", words[i]);
}

/* The threads to trace (every thread of every -p process, -L's, or the command), also
 * space-separated into b; NULL when all are. */
static pid_t *traced_threads(struct ftk_run *r, struct ftk_buf *b, int *n)
{
	struct graph_options *o = r->state;
	pid_t *all = NULL;

	*n = 0;
	if (r->child > 0 || o->tid) {
		all = ftk_xmalloc(sizeof(*all));
		all[(*n)++] = r->child > 0 ? r->child : o->tid;
		ftk_buf_printf(b, "%d", (int)all[0]);
		return all;
	}
	for (int i = 0; i < r->npids; i++) {
		int ntids = 0;
		pid_t *tids = ftk_proc_threads(r->pids[i], &ntids);
		if (!tids) {
			tids = ftk_xmalloc(sizeof(*tids));
			tids[0] = r->pids[i];
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
static int setup_tracer(struct ftk_run *r, struct ftk_session *s)
{
	struct graph_options *o = r->state;
	struct ftk_buf b = { 0 };
	int err;

	join(&b, o->funcs, o->nfuncs);
	err = ftk_session_global_write(s, "set_graph_function", ftk_buf_str(&b));
	if (err == -EINVAL || err == -ENOENT || err == -ENODEV) {
		ftk_error("the kernel refused to graph '%s' (unknown, inlined, notrace or "
			  "blocked function)", ftk_buf_str(&b));
		ftk_hint("check the names in available_filter_functions");
	}
	ftk_buf_reset(&b);
	if (!err && o->nnotrace) {
		join(&b, o->notrace, o->nnotrace);
		err = ftk_session_global_write(s, "set_graph_notrace", ftk_buf_str(&b));
		if (err == -EINVAL)
			ftk_error("the kernel refused --notrace '%s'", ftk_buf_str(&b));
		ftk_buf_reset(&b);
	}
	if (!err && o->output.max_depth) {
		ftk_buf_printf(&b, "%lu", o->output.max_depth);
		err = ftk_session_global_write(s, "max_graph_depth", ftk_buf_str(&b));
		ftk_buf_reset(&b);
	}
	if (!err && (r->npids || o->tid || r->child > 0)) {
		int n;
		pid_t *all = traced_threads(r, &b, &n);
		bool follow = !o->tid;	/* new threads and children too */
		if (follow && !ftk_tracefs_has("options/function-fork")) {
			/* function-fork came in 4.12 ("ftrace: Add option function-fork"): no
			 * set_ftrace_pid; the session follows the forks in user space */
			err = ftk_session_filter_pids_user(s, all, n, true,
							   "options/function-fork");
		} else {
			err = ftk_session_instance_write(s, "set_ftrace_pid", ftk_buf_str(&b));
			if (!err && follow)
				err = ftk_session_instance_write(s, "options/function-fork", "1");
			if (!err)
				err = ftk_session_filter_pids(s, all, n, follow);
		}
		free(all);
	}
	if (!err && o->noirqs)
		err = ftk_session_instance_write(s, "options/funcgraph-irqs", "0");
	if (!err && o->on_cpu)
		err = ftk_session_instance_write(s, "options/sleep-time", "0");
	ftk_buf_free(&b);
	if (!err) {
		err = ftk_session_set_tracer(s, "function_graph");
		if (err == -EBUSY || err == -EPERM || err == -ENODEV || err == -EINVAL)
			ftk_hint("function_graph needs CONFIG_FUNCTION_GRAPH_TRACER=y and a "
				 "kernel that lets the function tracer run ('ftk features')");
	}
	return err;
}

/*
 * The session's setup hook: the formats are loaded and the per-CPU buffers not yet open (the
 * kernel refuses to change a tracer while they are: EBUSY). Bind the record layouts, then set
 * the tracer up. 0 or -errno after the message.
 */
static int on_setup(struct ftk_session *s, void *ctx)
{
	struct ftk_run *r = ctx;
	struct graph_view *v = r->state;

	if (!ftk_session_dry_run(s)) {
		if (graph_engine_bind(&v->engine, v->entry->tep, v->exit->tep)) {
			ftk_error("unexpected ftrace:funcgraph_entry/exit formats (need func, "
				  "depth, calltime, rettime)");
			return -EIO;
		}
		if (v->o.output.retval && !ftk_field_has(&v->engine.exit_retval)) {
			ftk_error("--retval: this kernel's funcgraph_exit records carry no return "
				  "value");
			ftk_hint("needs kernel >= 6.5 built with CONFIG_FUNCTION_GRAPH_RETVAL=y");
			return -EIO;
		}
	}
	return setup_tracer(r, s) ? -EIO : 0;
}

/* ---- events ---- */

static void on_funcgraph(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	graph_record(&((struct graph_view *)ctx)->engine, r);
}

static void on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	struct graph_view *v = ctx;

	graph_lost(&v->engine, cpu);
	if (v->procs)
		ftk_ptrack_lost(v->procs);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	struct graph *g = &((struct graph_view *)ctx)->engine;

	graph_engine_finish(g);
	if (g->orphans)
		ftk_info("%llu returns of calls that began before tracing were dropped",
			 (unsigned long long)g->orphans);
	if (g->lost_any && g->unmatched)
		ftk_info("%llu calls cut by lost events were dropped or left open",
			 (unsigned long long)g->unmatched);
}

static int graph_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct graph_view *v = r->state;

	v->entry = ftk_tracepoint(s, "ftrace", "funcgraph_entry", NULL);
	v->exit = ftk_tracepoint(s, "ftrace", "funcgraph_exit", NULL);
	v->entry->no_enable = v->exit->no_enable = true;	/* they come with the tracer */
	ftk_event_on(v->entry, on_funcgraph, v);
	ftk_event_on(v->exit, on_funcgraph, v);
	if (!v->o.output.summary) {
		/* thread names: fork, exec, rename and exit from the process tracker */
		v->procs = ftk_ptrack_new();
		ftk_ptrack_declare(v->procs, s);
		v->engine.procs = v->procs;
	}
	v->engine.session = s;
	ftk_session_on_setup(s, on_setup, r);
	ftk_session_on_lost(s, on_lost, v);
	ftk_session_on_end(s, on_end, v);
	return 0;
}

static int graph_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct graph_view *v = r->state;

	if (v->procs)
		ftk_ptrack_bind(v->procs);
	ksyms_wait(v);
	return 0;
}

/* ---- output ---- */

/* The trees' column header (or Chrome's opening), and what is traced on stderr. */
static void graph_header(struct ftk_run *r)
{
	struct graph_view *v = r->state;
	const struct graph_output *out = &v->o.output;
	struct ftk_buf b = { 0 };

	if (out->format == GRAPH_CHROME && !out->summary)
		ftk_buf_adds(&b, "{\"traceEvents\":[\n");
	if (out->format == GRAPH_TEXT && !out->summary)
		graph_text_header(out, &b);
	if (b.len)
		ftk_out(b.p, b.len);
	ftk_buf_reset(&b);
	join(&b, v->o.funcs, v->o.nfuncs);
	if (r->npids)
		ftk_buf_printf(&b, " for PID %d%s", (int)r->pids[0], r->npids > 1 ? " ..." : "");
	else if (v->o.tid)
		ftk_buf_printf(&b, " for TID %d", (int)v->o.tid);
	else if (r->command)
		ftk_buf_printf(&b, " for %s", r->command[0]);
	ftk_info("tracing %s (function_graph%s)%s", ftk_buf_str(&b),
		 v->top_level ? " at top level" : " in its own instance",
		 r->command ? "" : "; Ctrl-C to end");
	ftk_buf_free(&b);
}

/* ---- the view ---- */

static void graph_init(struct ftk_run *r)
{
	struct graph_view *v = r->state;

	graph_engine_init(&v->engine, &v->o.output);
}

static void graph_free(struct ftk_run *r)
{
	struct graph_view *v = r->state;

	ksyms_wait(v);
	graph_engine_free(&v->engine);
	if (v->procs)
		ftk_ptrack_free(v->procs);
	free(v->o.funcs);
	free(v->o.notrace);
}

static bool graph_usable(char *why, size_t len)
{
	if (!ftk_tracepoint_exists("ftrace", "funcgraph_entry")) {
		snprintf(why, len, "no ftrace:funcgraph_entry format (CONFIG_FUNCTION_GRAPH_TRACER=n)");
		return false;
	}
	return true;
}

static const struct ftk_backend backends[] = {
	{
		.name = "function_graph",
		.desc = "function_graph tracer (own instance >= 6.11, top level before)",
		.needs = { FTK_F_TRACEFS, FTK_F_FGRAPH },
		.usable = graph_usable,
	},
};

static const struct ftk_view_ops ops = {
	.init = graph_init,
	.option = graph_option,
	.args = graph_args,
	.check = graph_check,
	.prepare = graph_prepare,
	.declare = graph_declare,
	.bind = graph_bind,
	.header = graph_header,
	.free = graph_free,
};

const struct ftk_view ftk_view_graph = {
	.name = "graph",
	.summary = "function_graph call trees of kernel functions (per thread, summary, JSON)",
	.description = "Kernel call trees under FUNC (function_graph tracer), one thread's tree at "
		       "a time.\n-p follows the processes' new threads and children; -- COMMAND "
		       "traces the command\nand its children from its exec.",
	.positional = "FUNC [FUNC...]",
	.examples =
		"  ftk graph vfs_read -p 1234          # vfs_read trees of process 1234\n"
		"  ftk graph do_sys_openat2 -- ls /    # trees of the opens that ls makes\n"
		"  ftk graph vfs_read --summary -d 5   # where vfs_read spends its time, 5 s\n"
		"  ftk graph vfs_write --format chrome -d 2 > w.json   # open in ui.perfetto.dev\n",
	.common = FTK_OPT_TRACING | FTK_OPT_DURATION | FTK_OPT_FORCE | FTK_OPT_PID |
		  FTK_OPT_COMMAND,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct graph_view),
	.backends = backends,
	.nbackends = FTK_ARRAY_SIZE(backends),
	.default_buffer_kb = 8192,
	.unavailable = "function_graph is not available on this kernel",
	.unavailable_hint = "ftk graph needs a kernel built with CONFIG_FUNCTION_GRAPH_TRACER=y "
			    "that allows the function tracer ('ftk features' shows what is here)",
};
