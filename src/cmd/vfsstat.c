// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk vfsstat: calls of the common VFS functions per second, with bcc vfsstat's columns.
 * Exact where kprobes exist: one on each vfs_* function bcc probes (a function the kernel
 * does not let a kprobe on is skipped and reported, its column "-"). Where kprobes are absent
 * it counts the syscalls that reach those functions and says so ("source": "syscalls"): see
 * ftk-vfsstat(8) for each column's syscalls. Counting is core's (counter.h): hist triggers
 * where the kernel has them, probe hit counters, or the ring buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

enum column { READ, WRITE, FSYNC, OPEN, CREATE, UNLINK, MKDIR, RMDIR, NCOLUMNS };

static const char *const column_names[NCOLUMNS] = {
	"READ", "WRITE", "FSYNC", "OPEN", "CREATE", "UNLINK", "MKDIR", "RMDIR",
};
static const char *const json_keys[NCOLUMNS] = {
	"read", "write", "fsync", "open", "create", "unlink", "mkdir", "rmdir",
};

/* bcc vfsstat.py's functions (FSYNC: vfs_fsync_range, as py). */
static const char *const vfs_functions[NCOLUMNS] = {
	"vfs_read", "vfs_write", "vfs_fsync_range", "vfs_open",
	"vfs_create", "vfs_unlink", "vfs_mkdir", "vfs_rmdir",
};

/* mknod(at) creates a regular file (vfs_create) when its type bits are 0 or S_IFREG. */
static int mknod_column(uint64_t mode)
{
	return mode < 010000 || (mode & 0170000) == 0100000 ? CREATE : -1;
}

/* unlinkat(AT_REMOVEDIR) is rmdir, else unlink. */
static int unlinkat_column(uint64_t flag)
{
	return flag & 0x200 ? RMDIR : UNLINK;
}

/* Without kprobes: the syscalls that reach each function (sys_enter: as vfs_* entries are
 * counted; opens at sys_exit, successful ones: vfs_open runs once the path resolved). Not
 * open(O_CREAT): it creates through i_op->create, never vfs_create. */
static const struct syscall_source {
	int column;		/* -1: by key */
	const char *event;
	const char *filter;
	const char *key;
	int (*column_of)(uint64_t key);
} syscall_sources[] = {
	{ READ, "sys_enter_read" }, { READ, "sys_enter_pread64" },
	{ WRITE, "sys_enter_write" }, { WRITE, "sys_enter_pwrite64" },
	{ FSYNC, "sys_enter_fsync" }, { FSYNC, "sys_enter_fdatasync" },
	{ OPEN, "sys_exit_open", "ret >= 0" }, { OPEN, "sys_exit_openat", "ret >= 0" },
	{ OPEN, "sys_exit_openat2", "ret >= 0" }, { OPEN, "sys_exit_creat", "ret >= 0" },
	{ OPEN, "sys_exit_open_by_handle_at", "ret >= 0" },
	{ -1, "sys_enter_mknod", NULL, "mode", mknod_column },
	{ -1, "sys_enter_mknodat", NULL, "mode", mknod_column },
	{ UNLINK, "sys_enter_unlink" },
	{ -1, "sys_enter_unlinkat", NULL, "flag", unlinkat_column },
	{ MKDIR, "sys_enter_mkdir" }, { MKDIR, "sys_enter_mkdirat" },
	{ RMDIR, "sys_enter_rmdir" },
};

#define MAX_SOURCES 32

struct vfsstat {
	double interval;
	unsigned long count;		/* 0: until Ctrl-C */
	unsigned long printed;
	bool json, syscalls;
	char *pid_filter;
	struct ftk_session *s;
	enum ftk_count_via via;
	struct ftk_counters *counters;
	struct {
		struct ftk_counter *counter;
		const struct syscall_source *src;	/* NULL: the kprobe of `column` */
		int column;
	} sources[MAX_SOURCES];
	int nsources;
	bool present[NCOLUMNS];
	uint64_t values[NCOLUMNS];
	uint64_t last_read;		/* monotonic ns of the previous read (the start first) */
	double elapsed;			/* seconds the last read covers: the rates' divisor */
	char skipped[256];		/* kprobes not made: "vfs_create (why)" */
};

static const struct ftk_backend vfsstat_backends[] = {
	{
		.name = "kprobe",
		.desc = "kprobes on the vfs_* functions (exact, as bcc)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_KPROBES },
	},
	{
		.name = "syscalls",
		.desc = "the syscalls that reach the vfs_* functions (an approximation)",
		.needs = { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_SYSCALL_TP },
	},
};
enum { BACKEND_KPROBE, BACKEND_SYSCALLS };

/* ---- per interval ---- */

static void add_keyed(uint64_t key, uint64_t n, void *ctx)
{
	struct vfsstat *v = ((void **)ctx)[0];
	const struct syscall_source *src = ((void **)ctx)[1];
	int column = src->column_of(key);
	if (column >= 0)
		v->values[column] += n;
}

static void read_columns(struct vfsstat *v, uint64_t now)
{
	if (!v->last_read)
		v->last_read = ftk_session_start_ts(v->s);
	/* The measured time, not the nominal interval: a tick can come late. */
	v->elapsed = now > v->last_read ? (now - v->last_read) / 1e9 : v->interval;
	v->last_read = now;
	memset(v->values, 0, sizeof(v->values));
	ftk_counters_read(v->counters);
	for (int i = 0; i < v->nsources; i++) {
		const struct syscall_source *src = v->sources[i].src;
		if (src && src->key) {
			void *ctx[2] = { v, (void *)src };
			ftk_counter_each(v->sources[i].counter, add_keyed, ctx);
		} else {
			v->values[v->sources[i].column] += ftk_counter_delta(v->sources[i].counter);
		}
	}
}

static void print_json(struct vfsstat *v, uint64_t now)
{
	struct ftk_buf b = { 0 };
	struct ftk_json j;

	ftk_json_record(&j, &b, v->s, now, -1, -1, NULL, 0);
	ftk_json_cstr(&j, "source", v->syscalls ? "syscalls" : "kprobes");
	ftk_json_cstr(&j, "counted_by", ftk_count_via_name(v->via));
	ftk_json_double(&j, "interval", v->elapsed, 3);
	for (int c = 0; c < NCOLUMNS; c++) {
		if (v->present[c])
			ftk_json_uint(&j, json_keys[c], v->values[c]);
		else
			ftk_json_null(&j, json_keys[c]);
	}
	ftk_json_uint(&j, "dropped", ftk_counters_dropped(v->counters));
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
	for (int c = 0; c < NCOLUMNS; c++) {
		if (v->present[c])
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
	/* Probe hit counters count every pid: -p needs a filter (hist or the ring buffer). */
	v->via = ftk_count_pick(!v->syscalls, !v->pid_filter);
	r->so.unordered = true;
	if (r->dry_run)
		fprintf(stderr, "ftk vfsstat: source %s, counting by %s (%s)\n",
			v->syscalls ? "syscalls" : "kprobes", ftk_count_via_name(v->via),
			ftk_count_via_desc(v->via));
	return 0;
}

/* "(a) && (b)", either may be NULL; malloc'd or NULL. */
static char *both(const char *a, const char *b)
{
	if (!a || !b)
		return a || b ? ftk_xstrdup(a ? a : b) : NULL;
	size_t n = strlen(a) + strlen(b) + 12;
	char *s = ftk_xmalloc(n);
	snprintf(s, n, "(%s) && (%s)", a, b);
	return s;
}

static void first_name(const char *name, void *ctx)
{
	char *out = ctx;

	if (!out[0])
		snprintf(out, 128, "%s", name);
}

static void add_skipped(struct vfsstat *v, const char *fn, const char *why)
{
	size_t used = strlen(v->skipped);
	snprintf(v->skipped + used, sizeof(v->skipped) - used, "%s%s (%s)", used ? ", " : "", fn,
		 why);
}

/* A kprobe counted in column c, named per session (the *_profile files list event names
 * without the group): "fsync_1234", "fsync2_1234" for a second one. */
static void count_kprobe(struct vfsstat *v, struct ftk_session *s, int c, const char *fn,
			 int nth)
{
	char name[64];
	snprintf(name, sizeof(name), "%s%.0d_%d", json_keys[c], nth, (int)getpid());
	struct ftk_event *ev = ftk_kprobe(s, name, fn, NULL, false);
	ev->optional = true;
	v->sources[v->nsources].counter = ftk_count_event(v->counters, ev, v->pid_filter);
	v->sources[v->nsources++].column = c;
	v->present[c] = true;
}

/* An fsync(2) that does nothing: /dev/null has no ->fsync (EINVAL). */
static void fsync_devnull(void *ctx)
{
	(void)ctx;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!fsync(fd);
		close(fd);
	}
}

/*
 * FSYNC's probes: vfs_fsync_range where fsync(2) reaches it. Where GCC inlined it (and
 * vfs_fsync) into do_fsync and kept the exported copy for the other callers, fsync(2) and
 * fdatasync(2) never reach the symbol: 7.0's "fs: factor out a sync_lazytime helper" left it
 * that small; 3.10's 3-line vfs_fsync_range built by gcc 12 inlines up to the syscall
 * functions. There the first of these that a test fsync of ours reaches is probed as well:
 * no call passes through both it and the copy.
 */
static const char *const fsync_callers[][2] = {
	{ "do_fsync" },
	{ "__x64_sys_fsync", "__x64_sys_fdatasync" },	/* 4.17: pt_regs syscall wrappers */
	{ "sys_fsync", "sys_fdatasync" },
};

static void declare_fsync(struct vfsstat *v, struct ftk_session *s, const char *fn)
{
	char why[192];
	int fires = ftk_kprobe_fires(fn, fsync_devnull, NULL, why, sizeof(why));
	if (fires < 0)
		ftk_warn("cannot check that fsync(2) reaches %s (%s): counting it alone", fn, why);
	if (fires != 0) {
		count_kprobe(v, s, FSYNC, fn, 0);
		return;
	}
	for (size_t i = 0; i < FTK_ARRAY_SIZE(fsync_callers); i++) {
		if (ftk_kprobe_fires(fsync_callers[i][0], fsync_devnull, NULL, why,
				     sizeof(why)) != 1)
			continue;
		count_kprobe(v, s, FSYNC, fn, 0);
		for (int j = 0; j < 2 && fsync_callers[i][j]; j++)
			count_kprobe(v, s, FSYNC, fsync_callers[i][j], j + 2);
		return;
	}
	add_skipped(v, fn, "fsync(2) reaches neither it nor do_fsync nor the syscall function here");
}

static void declare_kprobes(struct vfsstat *v, struct ftk_session *s)
{
	struct ftk_kfuncs *k = ftk_kfuncs_load();

	for (int c = 0; c < NCOLUMNS; c++) {
		const char *why = NULL;
		if (k && !ftk_kfuncs_allowed(k, vfs_functions[c], &why)) {
			add_skipped(v, vfs_functions[c], why);
			continue;
		}
		/* GCC may split a function and have its callers jump into the body clone
		 * (Debian's 5.10: do_rmdir calls vfs_rmdir.part.0, never vfs_rmdir): every call
		 * that does the work passes through the clone, so that is what is probed. */
		char clone[128] = "", pattern[128];
		snprintf(pattern, sizeof(pattern), "%s.part.*", vfs_functions[c]);
		if (k)
			ftk_kfuncs_match(k, pattern, false, first_name, clone);
		const char *fn = clone[0] ? clone : vfs_functions[c];
		if (c == FSYNC)
			declare_fsync(v, s, fn);
		else
			count_kprobe(v, s, c, fn, 0);
	}
	ftk_kfuncs_free(k);
}

static void declare_syscalls(struct vfsstat *v, struct ftk_session *s)
{
	for (size_t i = 0; i < FTK_ARRAY_SIZE(syscall_sources); i++) {
		const struct syscall_source *src = &syscall_sources[i];
		/* arm64 and riscv64 have no open, creat, mkdir, rmdir, unlink, mknod. */
		if (!ftk_tracepoint_exists("syscalls", src->event) || v->nsources == MAX_SOURCES)
			continue;
		char *filter = both(src->filter, v->pid_filter);
		v->sources[v->nsources].counter = ftk_count_tracepoint(v->counters, "syscalls",
								       src->event, filter, src->key,
								       NULL);
		free(filter);
		v->sources[v->nsources].src = src;
		v->sources[v->nsources++].column = src->column;
		if (src->column >= 0)
			v->present[src->column] = true;
		else if (src->column_of == mknod_column)
			v->present[CREATE] = true;
		else
			v->present[UNLINK] = v->present[RMDIR] = true;
	}
}

static int vfsstat_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct vfsstat *v = r->state;

	v->s = s;
	v->counters = ftk_counters_new(s, v->via);
	if (v->syscalls)
		declare_syscalls(v, s);
	else
		declare_kprobes(v, s);
	ftk_session_on_tick(s, (uint64_t)(v->interval * 1e9), on_tick, v);
	return 0;
}

static int vfsstat_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct vfsstat *v = r->state;

	/* A kprobe the kernel refused at creation (optional) leaves its column empty. */
	for (int i = 0; i < v->nsources; i++) {
		struct ftk_event *ev = ftk_counter_event(v->sources[i].counter);
		if (!v->syscalls && ev && ev->skipped) {
			v->present[v->sources[i].column] = false;
			add_skipped(v, vfs_functions[v->sources[i].column], "refused");
		}
	}
	return ftk_counters_bind(v->counters);
}

static void vfsstat_header(struct ftk_run *r)
{
	struct vfsstat *v = r->state;
	const char *source = v->syscalls
		? "counting the syscalls that reach vfs_* (no kprobes here)"
		: "kprobes on vfs_*";

	if (v->skipped[0])
		ftk_warn("no kprobe on %s: column shown as '-'", v->skipped);
	if (v->json) {
		fprintf(stderr, "ftk vfsstat: tracing: %s, counted by %s\n", source,
			ftk_count_via_name(v->via));
		return;
	}
	ftk_outf("Source: %s, counted by %s\n", source, ftk_count_via_name(v->via));
	ftk_outf("%-8s  ", "TIME");
	for (int c = 0; c < NCOLUMNS; c++) {
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

	ftk_counters_free(v->counters);
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
