// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk funccount: count calls of functions and tracepoints matching patterns, with bcc
 * funccount's grammar, flags and output (funccount/targets.h). Kernel functions through
 * kprobes (where the kernel has them: the functions a kprobe may go on), tracepoints, user
 * functions through uprobes. Counting is core's (counter.h): hist triggers, probe hit
 * counters (uprobe_profile: the only function counting on a kernel without kprobes or hist),
 * or the ring buffer. Never the function profiler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/funccount/targets.h"
#include "core/counter.h"
#include "core/events.h"
#include "core/features.h"
#include "core/kfuncs.h"
#include "core/output.h"
#include "core/record.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

struct row {
	const char *name;
	uint64_t count;
};

struct funccount {
	double interval;
	bool timestamp, regex, json;
	char **patterns;
	int npatterns;
	char *pid_filter;
	struct funccount_targets targets;
	struct ftk_session *s;
	enum ftk_count_via via;
	struct ftk_counters *counters;
	struct ftk_counter **counted;	/* per target */
	int skipped;			/* probes the kernel refused */
	struct row *rows;
	uint64_t printed_at;		/* monotonic ns of the last table */
};

static const struct ftk_option options[] = {
	{ "interval", 'i', "INTERVAL", "summary interval, seconds" },
	{ "timestamp", 'T', NULL, "include timestamp on output" },
	{ "regexp", 'r', NULL, "use regular expressions. Default is \"*\" wildcards only." },
	{ NULL },
};

static const struct ftk_backend funccount_backends[] = {
	{
		.name = "hist",
		.desc = "hist triggers on the probes and tracepoints: counted in the kernel",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_HIST },
	},
	{
		.name = "profile",
		.desc = "probe hit counters (kprobe_profile/uprobe_profile); tracepoints and -p "
			"by an instance per function (stats)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_UPROBES },
	},
	{
		.name = "stats",
		.desc = "an instance per function, counted by its ring-buffer stats (at most 64 "
			"functions, else the ring buffer)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_RBSTATS },
	},
	{
		.name = "ring",
		.desc = "every call read from the ring buffer and counted here",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES },
	},
};
enum { BACKEND_HIST, BACKEND_PROFILE, BACKEND_STATS, BACKEND_RING };

/* ---- output ---- */

static int by_count(const void *a, const void *b)
{
	const struct row *p = a, *q = b;
	if (p->count != q->count)
		return p->count < q->count ? -1 : 1;
	return strcmp(p->name, q->name);
}

/* What was counted since the last table, ascending as bcc; returns the number of rows. */
static int collect(struct funccount *f)
{
	int n = 0;
	ftk_counters_read(f->counters);
	for (int i = 0; i < f->targets.n; i++) {
		if (!f->counted[i])
			continue;
		uint64_t c = ftk_counter_delta(f->counted[i]);
		if (c)
			f->rows[n++] = (struct row){ f->targets.v[i].name, c };
	}
	qsort(f->rows, n, sizeof(*f->rows), by_count);
	return n;
}

static void print_json(struct funccount *f, uint64_t now, int n)
{
	struct ftk_buf b = { 0 };
	struct ftk_json j;

	ftk_json_record(&j, &b, f->s, now, -1, -1, NULL, 0);
	ftk_json_cstr(&j, "counted_by", ftk_count_via_name(f->via));
	ftk_json_array_begin(&j, "functions");
	for (int i = 0; i < n; i++) {
		ftk_json_object_begin(&j, NULL);
		ftk_json_cstr(&j, "func", f->rows[i].name);
		ftk_json_uint(&j, "count", f->rows[i].count);
		ftk_json_object_end(&j);
	}
	ftk_json_array_end(&j);
	ftk_json_uint(&j, "dropped", ftk_counters_dropped(f->counters));
	ftk_json_uint(&j, "lost", ftk_session_lost(f->s));
	ftk_json_end(&j);
	ftk_out_buf(&b);
	ftk_buf_free(&b);
}

static void print_table(struct funccount *f, uint64_t now)
{
	int n = collect(f);
	f->printed_at = now;
	if (f->json) {
		print_json(f, now, n);
		return;
	}
	ftk_outf("\n");
	if (f->timestamp) {
		char hms[16];
		ftk_fmt_hms(hms, ftk_session_mono_to_real(f->s, now));
		ftk_outf("%-8s\n", hms);
	}
	ftk_outf("%-36s %8s\n", "FUNC", "COUNT");
	for (int i = 0; i < n; i++)
		ftk_outf("%-36s %8llu\n", f->rows[i].name, (unsigned long long)f->rows[i].count);
}

static void on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	print_table(ctx, now);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	struct funccount *f = ctx;
	uint64_t now = ftk_now_mono();
	/* The last interval's table was just printed when the duration ends with it. */
	if (!f->interval || now - f->printed_at > f->interval * 1e9 / 2)
		print_table(f, now);
	if (!f->json)
		ftk_outf("Detaching...\n");
}

/* ---- the view ---- */

static int funccount_option(struct ftk_run *r, int key, const char *arg)
{
	struct funccount *f = r->state;

	switch (key) {
	case 'i': return ftk_opt_seconds("interval", arg, &f->interval);
	case 'T': f->timestamp = true; return 0;
	case 'r': f->regex = true; return 0;
	}
	return -EINVAL;
}

static int funccount_args(struct ftk_run *r, int argc, char **argv)
{
	struct funccount *f = r->state;

	f->patterns = argv;
	f->npatterns = argc;
	return 0;
}

static int funccount_check(struct ftk_run *r)
{
	struct funccount *f = r->state;
	struct ftk_kfuncs *kfuncs = NULL;
	int rc = 0;

	f->json = r->json;
	if (!f->npatterns)
		return ftk_usage_error("a pattern is needed (e.g. 'vfs_*', t:sched:sched_*, "
				       "c:malloc)"), -EINVAL;
	/* Every pattern well formed first (a malformed command line is exit 2 anywhere). */
	for (int i = 0; i < f->npatterns && !rc; i++) {
		struct funccount_pattern p;
		if ((rc = funccount_pattern_parse(&p, f->patterns[i])))
			break;
		rc = funccount_pattern_check(&p, f->regex);
		funccount_pattern_free(&p);
	}
	for (int i = 0; i < f->npatterns && !rc; i++) {
		struct funccount_pattern p;
		if ((rc = funccount_pattern_parse(&p, f->patterns[i])))
			break;
		/* Kernel-side patterns expand against tracefs: say first when it is not here. */
		if (p.kind != FUNCCOUNT_UPROBE && !ftk_has(FTK_F_TRACEFS)) {
			ftk_tracefs_error();
			rc = -ENOENT;
			break;
		}
		if (p.kind == FUNCCOUNT_UPROBE && ftk_has(FTK_F_TRACEFS) &&
		    !ftk_has(FTK_F_UPROBES)) {
			ftk_error("user functions need uprobes: %s",
				  ftk_feature(FTK_F_UPROBES)->why);
			ftk_hint("tracepoints (t:sched:*) and, with kprobes, kernel functions "
				 "can be counted here");
			rc = -ENOTSUP;
			break;
		}
		if (p.kind == FUNCCOUNT_KPROBE && !kfuncs) {
			if (!ftk_has(FTK_F_KPROBES)) {
				ftk_error("kernel functions need kprobes: %s",
					  ftk_feature(FTK_F_KPROBES)->why);
				ftk_hint("user functions (c:malloc) and tracepoints (t:sched:*) "
					 "can be counted here");
				rc = -ENOTSUP;
			} else if (!(kfuncs = ftk_kfuncs_load())) {
				ftk_error("cannot read available_filter_functions: %s",
					  strerror(errno));
				rc = -errno;
			}
		}
		int n = rc ? 0 : funccount_expand(&f->targets, &p, f->regex, kfuncs);
		if (!rc && n == 0) {
			ftk_error("No functions matched by pattern %s", p.text);
			rc = -ENOENT;
		} else if (n < 0) {
			rc = n;
		}
		funccount_pattern_free(&p);
	}
	ftk_kfuncs_free(kfuncs);
	return rc ? rc : ftk_count_pid_filter(r->pids, r->npids, &f->pid_filter);
}

static int funccount_prepare(struct ftk_run *r)
{
	struct funccount *f = r->state;
	bool tracepoints = false;
	int syscalls = 0;

	for (int i = 0; i < f->targets.n; i++) {
		tracepoints |= f->targets.v[i].kind == FUNCCOUNT_TRACEPOINT;
		syscalls += f->targets.v[i].kind == FUNCCOUNT_TRACEPOINT &&
			    strcmp(f->targets.v[i].system, "syscalls") == 0;
	}
	/* Hit counters count every pid, and tracing off for them stops tracepoints too; then
	 * an instance per function (stats), up to FTK_COUNT_STATS_MAX (and
	 * FTK_COUNT_STATS_SYSCALL_MAX syscalls unless asked for), else the ring. */
	f->via = r->backend == BACKEND_HIST ? FTK_COUNT_HIST
		 : r->backend == BACKEND_PROFILE && !f->pid_filter && !tracepoints
		 ? FTK_COUNT_PROFILE : r->backend == BACKEND_RING ? FTK_COUNT_RING
		 : FTK_COUNT_STATS;
	bool syscalls_cheaper = syscalls > FTK_COUNT_STATS_SYSCALL_MAX && !r->backend_name;
	if (f->via == FTK_COUNT_STATS &&
	    (f->targets.n > FTK_COUNT_STATS_MAX || syscalls_cheaper || !ftk_count_stats_ok())) {
		f->via = FTK_COUNT_RING;
		if (f->targets.n > FTK_COUNT_STATS_MAX)
			ftk_warn("%d functions: more than %d counting instances: counting on the "
				 "ring buffer", f->targets.n, FTK_COUNT_STATS_MAX);
		else if (syscalls_cheaper)
			ftk_warn("%d syscall tracepoints: an instance each would slow every "
				 "syscall more than the ring buffer: counting on the ring buffer "
				 "(--backend stats to choose it)", syscalls);
		else if (!r->input)
			ftk_warn("no counting instances here (%s): counting on the ring buffer",
				 ftk_feature(FTK_F_RBSTATS)->why);
	}
	r->so.unordered = true;
	if (f->via == FTK_COUNT_STATS)
		r->so.default_buffer_kb = 4;	/* nothing is enabled in the session's own */
	if (r->dry_run)
		fprintf(stderr, "ftk funccount: %d functions, counting by %s (%s)\n", f->targets.n,
			ftk_count_via_name(f->via), ftk_count_via_desc(f->via));
	return 0;
}

static int funccount_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct funccount *f = r->state;

	f->s = s;
	f->counters = ftk_counters_new(s, f->via);
	f->counted = ftk_xcalloc(f->targets.n, sizeof(*f->counted));
	f->rows = ftk_xcalloc(f->targets.n, sizeof(*f->rows));
	int rc = funccount_count_targets(&f->targets, s, f->counters, f->pid_filter, f->counted);
	if (rc)
		return rc;
	if (f->interval > 0)
		ftk_session_on_tick(s, (uint64_t)(f->interval * 1e9), on_tick, f);
	ftk_session_on_end(s, on_end, f);
	return 0;
}

static int funccount_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct funccount *f = r->state;

	f->skipped = funccount_drop_skipped(&f->targets, f->counted);
	return ftk_counters_bind(f->counters);
}

static void funccount_header(struct ftk_run *r)
{
	struct funccount *f = r->state;
	if (f->skipped)
		ftk_warn("%d of %d functions could not be probed (the kernel refused them)",
			 f->skipped, f->targets.n);
	if (!f->json)
		ftk_outf("Tracing %d functions for \"%s%s\"... Hit Ctrl-C to end.\n",
			 f->targets.n - f->skipped, f->patterns[0], f->npatterns > 1 ? " ..." : "");
	fprintf(stderr, "ftk funccount: tracing %d functions, counted by %s (%s)\n",
		f->targets.n - f->skipped, ftk_count_via_name(f->via), ftk_count_via_desc(f->via));
	ftk_out_flush();
}

static void funccount_free(struct ftk_run *r)
{
	struct funccount *f = r->state;

	ftk_counters_free(f->counters);
	funccount_targets_free(&f->targets);
	free(f->counted);
	free(f->rows);
	free(f->pid_filter);
}

static const struct ftk_view_ops ops = {
	.option = funccount_option,
	.args = funccount_args,
	.check = funccount_check,
	.prepare = funccount_prepare,
	.declare = funccount_declare,
	.bind = funccount_bind,
	.header = funccount_header,
	.free = funccount_free,
};

const struct ftk_view ftk_view_funccount = {
	.name = "funccount",
	.summary = "count calls of kernel/user functions and tracepoints matching patterns",
	.description =
		"Count function calls matching a pattern: kernel functions (kprobes), tracepoints\n"
		"(t:CATEGORY:EVENT) and user functions (LIB:FUNC, p:LIB:FUNC, u:LIB:FUNC: uprobes).\n"
		"Globs by default, regular expressions with -r.",
	.positional = "PATTERN...",
	.examples =
		"  ftk funccount 'vfs_*'             # count kernel fns starting with \"vfs\"\n"
		"  ftk funccount -r '^vfs.*'         # same as above, using regular expressions\n"
		"  ftk funccount -Ti 5 'vfs_*'       # output every 5 seconds, with timestamps\n"
		"  ftk funccount -d 10 'vfs_*'       # trace for 10 seconds only\n"
		"  ftk funccount -p 185 'vfs_*'      # count vfs calls for PID 185 only\n"
		"  ftk funccount t:sched:sched_fork  # count calls to the sched_fork tracepoint\n"
		"  ftk funccount c:malloc            # count all malloc() calls in libc\n"
		"  ftk funccount u:libc:'str*'       # count libc's str* functions\n"
		"  ftk funccount ./test:'read*'      # count \"read*\" calls in the ./test binary\n",
	.common = FTK_OPT_DURATION | FTK_OPT_TRACING | FTK_OPT_BACKEND | FTK_OPT_PID,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct funccount),
	.backends = funccount_backends,
	.nbackends = FTK_ARRAY_SIZE(funccount_backends),
	.unavailable = "cannot count functions on this kernel",
};
