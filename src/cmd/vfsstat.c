// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk vfsstat: calls of the common VFS functions per second, with bcc vfsstat's columns.
 * Exact where kprobes exist: one on each vfs_* function bcc probes (a function the kernel
 * does not let a kprobe on is skipped and reported, its column "-"). Where kprobes are absent
 * it counts the syscalls that reach those functions and says so ("source": "syscalls"): see
 * ftk-vfsstat(8) for each column's syscalls. Counting is core's (counter.h): hist triggers
 * where the kernel has them, probe hit counters, an instance per column counted by its
 * ring-buffer stats, or the ring buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/counter.h"
#include "core/events.h"
#include "core/features.h"
#include "core/output.h"
#include "core/record.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/vfscount.h"
#include "core/view.h"

/* bcc's columns, in ftk_vfs_op order. */
static const char *const column_names[FTK_VFS_NOPS] = {
	"READ", "WRITE", "FSYNC", "OPEN", "CREATE", "UNLINK", "MKDIR", "RMDIR",
};

struct vfsstat {
	double interval;
	unsigned long count;		/* 0: until Ctrl-C */
	unsigned long printed;
	bool json, syscalls;
	char *pid_filter;
	struct ftk_session *s;
	enum ftk_count_via via;
	struct ftk_vfscount *vfs;
	uint64_t values[FTK_VFS_NOPS];
	uint64_t last_read;		/* monotonic ns of the previous read (the start first) */
	double elapsed;			/* seconds the last read covers: the rates' divisor */
};

static const struct ftk_backend vfsstat_backends[] = {
	{
		.name = "kprobe",
		.desc = "kprobes on the vfs_* functions (exact, as bcc)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_KPROBES },
	},
	{
		.name = "syscalls",
		.desc = "the syscalls that reach the vfs_* functions (an approximation); counted "
			"by hist, else from the ring buffer",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_SYSCALL_TP },
	},
};
enum { BACKEND_KPROBE, BACKEND_SYSCALLS };

/* ---- per interval ---- */

static void read_columns(struct vfsstat *v, uint64_t now)
{
	if (!v->last_read)
		v->last_read = ftk_session_start_ts(v->s);
	/* The measured time, not the nominal interval: a tick can come late. */
	v->elapsed = now > v->last_read ? (now - v->last_read) / 1e9 : v->interval;
	v->last_read = now;
	ftk_vfscount_read(v->vfs, v->values);
}

static void print_json(struct vfsstat *v, uint64_t now)
{
	struct ftk_buf b = { 0 };
	struct ftk_json j;

	ftk_json_record(&j, &b, v->s, now, -1, -1, NULL, 0);
	ftk_json_cstr(&j, "source", v->syscalls ? "syscalls" : "kprobes");
	ftk_json_cstr(&j, "counted_by", ftk_count_via_name(v->via));
	ftk_json_double(&j, "interval", v->elapsed, 3);
	for (int c = 0; c < FTK_VFS_NOPS; c++) {
		if (ftk_vfscount_present(v->vfs, c))
			ftk_json_uint(&j, ftk_vfs_op_name(c), v->values[c]);
		else
			ftk_json_null(&j, ftk_vfs_op_name(c));
	}
	ftk_json_uint(&j, "dropped", ftk_vfscount_dropped(v->vfs));
	ftk_json_uint(&j, "lost", ftk_session_lost(v->s));
	ftk_json_end(&j);
	ftk_out_buf(&b);
	ftk_buf_free(&b);
}

static void print_row(struct vfsstat *v, uint64_t now)
{
	char hms[16];

	ftk_fmt_hms(hms, ftk_session_mono_to_real(v->s, now));
	ftk_outf("%-8s: ", hms);
	for (int c = 0; c < FTK_VFS_NOPS; c++) {
		if (ftk_vfscount_present(v->vfs, c))
			ftk_outf(" %8llu", (unsigned long long)(v->values[c] / v->elapsed));
		else
			ftk_outf(" %8s", "-");
	}
	ftk_outf("\n");
}

static void on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	struct vfsstat *v = ctx;

	read_columns(v, now);
	if (v->json)
		print_json(v, now);
	else
		print_row(v, now);
	if (v->count && ++v->printed >= v->count)
		ftk_session_stop(s);
}

/* ---- the view ---- */

static void vfsstat_init(struct ftk_run *r)
{
	struct vfsstat *v = r->state;
	v->interval = 1;
}

static int vfsstat_args(struct ftk_run *r, int argc, char **argv)
{
	struct vfsstat *v = r->state;

	if (argc > 2)
		return ftk_usage_error("unexpected argument '%s'", argv[2]), -EINVAL;
	if (argc > 0 && ftk_opt_seconds("interval", argv[0], &v->interval))
		return -EINVAL;
	if (argc > 1 && ftk_opt_ulong("count", argv[1], 1, 1UL << 31, &v->count))
		return -EINVAL;
	return 0;
}

static int vfsstat_check(struct ftk_run *r)
{
	struct vfsstat *v = r->state;

	v->json = r->json;
	/* bcc's -p is the process: its threads as they are now. */
	return ftk_count_pid_filter(r->pids, r->npids, &v->pid_filter);
}

static int vfsstat_prepare(struct ftk_run *r)
{
	struct vfsstat *v = r->state;

	v->syscalls = r->backend == BACKEND_SYSCALLS;
	/* Probe hit counters count every pid: -p needs a filter (hist, an instance per column
	 * counted by its ring-buffer stats, or the ring buffer). */
	v->via = ftk_count_pick_totals(!v->syscalls, !v->pid_filter,
				       ftk_vfscount_instances(!v->syscalls));
	r->so.unordered = true;
	if (v->via == FTK_COUNT_STATS)
		r->so.default_buffer_kb = 4;	/* nothing is enabled in the session's own */
	if (r->dry_run)
		fprintf(stderr, "ftk vfsstat: source %s, counting by %s (%s)\n",
			v->syscalls ? "syscalls" : "kprobes", ftk_count_via_name(v->via),
			ftk_count_via_desc(v->via));
	return 0;
}

static int vfsstat_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct vfsstat *v = r->state;

	v->s = s;
	v->vfs = ftk_vfscount_new(s, v->via, !v->syscalls, v->pid_filter);
	ftk_session_on_tick(s, (uint64_t)(v->interval * 1e9), on_tick, v);
	return 0;
}

static int vfsstat_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct vfsstat *v = r->state;

	return ftk_vfscount_bind(v->vfs);
}

static void vfsstat_header(struct ftk_run *r)
{
	struct vfsstat *v = r->state;
	const char *source = v->syscalls
		? "counting the syscalls that reach vfs_* (no kprobes here)"
		: "kprobes on vfs_*";

	if (ftk_vfscount_skipped(v->vfs)[0])
		ftk_warn("no kprobe on %s: column shown as '-'", ftk_vfscount_skipped(v->vfs));
	if (v->json) {
		fprintf(stderr, "ftk vfsstat: tracing: %s, counted by %s\n", source,
			ftk_count_via_name(v->via));
		return;
	}
	ftk_outf("Source: %s, counted by %s\n", source, ftk_count_via_name(v->via));
	ftk_outf("%-8s  ", "TIME");
	for (int c = 0; c < FTK_VFS_NOPS; c++) {
		char title[16];
		snprintf(title, sizeof(title), "%s/s", column_names[c]);
		ftk_outf(" %8s", title);
	}
	ftk_outf("\n");
	ftk_out_flush();
}

static void vfsstat_free(struct ftk_run *r)
{
	struct vfsstat *v = r->state;

	ftk_vfscount_free(v->vfs);
	free(v->pid_filter);
}

static const struct ftk_view_ops ops = {
	.init = vfsstat_init,
	.args = vfsstat_args,
	.check = vfsstat_check,
	.prepare = vfsstat_prepare,
	.declare = vfsstat_declare,
	.bind = vfsstat_bind,
	.header = vfsstat_header,
	.free = vfsstat_free,
};

const struct ftk_view ftk_view_vfsstat = {
	.name = "vfsstat",
	.summary = "count VFS calls (read, write, fsync, open, create, ...) per second",
	.description =
		"Count some VFS calls, system wide by default, printing a row per interval.\n"
		"Exact with kprobes on the vfs_* functions; where the kernel has no kprobes it\n"
		"counts the syscalls that reach them (man ftk-vfsstat lists them per column).",
	.positional = "[interval [count]]",
	.examples =
		"  ftk vfsstat                  # every second until Ctrl-C\n"
		"  ftk vfsstat 5 3              # every 5 seconds, 3 times\n"
		"  ftk vfsstat -p 181           # only process 181\n"
		"  ftk vfsstat --json 1 10      # NDJSON, one record per second, ten of them\n",
	.common = FTK_OPT_TRACING | FTK_OPT_BACKEND | FTK_OPT_PID,
	.options = NULL,
	.ops = &ops,
	.state_size = sizeof(struct vfsstat),
	.backends = vfsstat_backends,
	.nbackends = FTK_ARRAY_SIZE(vfsstat_backends),
	.unavailable = "cannot count VFS calls on this kernel",
};
