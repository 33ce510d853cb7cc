// SPDX-License-Identifier: GPL-2.0-only
/* vfscount: the VFS operations counted by kprobes or by the syscalls reaching them
 * (vfscount.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "features.h"
#include "kfuncs.h"
#include "output.h"
#include "util.h"
#include "vfscount.h"

static const char *const op_names[FTK_VFS_NOPS] = {
	"read", "write", "fsync", "open", "create", "unlink", "mkdir", "rmdir",
};

/* bcc vfsstat.py's functions (FSYNC: vfs_fsync_range, as py). */
static const char *const vfs_functions[FTK_VFS_NOPS] = {
	"vfs_read", "vfs_write", "vfs_fsync_range", "vfs_open",
	"vfs_create", "vfs_unlink", "vfs_mkdir", "vfs_rmdir",
};

const char *ftk_vfs_op_name(enum ftk_vfs_op op)
{
	return op_names[op];
}

const char *ftk_vfs_op_function(enum ftk_vfs_op op)
{
	return vfs_functions[op];
}

/* mknod(at) creates a regular file (vfs_create) when its type bits are 0 or S_IFREG. */
static int mknod_op(uint64_t mode)
{
	return mode < 010000 || (mode & 0170000) == 0100000 ? FTK_VFS_CREATE : -1;
}

/* unlinkat(AT_REMOVEDIR) is rmdir, else unlink. */
static int unlinkat_op(uint64_t flag)
{
	return flag & 0x200 ? FTK_VFS_RMDIR : FTK_VFS_UNLINK;
}

/* Without kprobes: the syscalls that reach each function (sys_enter: as vfs_* entries are
 * counted; opens at sys_exit, successful ones: vfs_open runs once the path resolved). Not
 * open(O_CREAT): it creates through i_op->create, never vfs_create. */
static const struct syscall_source {
	int op;			/* -1: by key */
	const char *event;
	const char *filter;
	const char *key;
	int (*op_of)(uint64_t key);
} syscall_sources[] = {
	{ FTK_VFS_READ, "sys_enter_read" }, { FTK_VFS_READ, "sys_enter_pread64" },
	{ FTK_VFS_WRITE, "sys_enter_write" }, { FTK_VFS_WRITE, "sys_enter_pwrite64" },
	{ FTK_VFS_FSYNC, "sys_enter_fsync" }, { FTK_VFS_FSYNC, "sys_enter_fdatasync" },
	{ FTK_VFS_OPEN, "sys_exit_open", "ret >= 0" },
	{ FTK_VFS_OPEN, "sys_exit_openat", "ret >= 0" },
	{ FTK_VFS_OPEN, "sys_exit_openat2", "ret >= 0" },
	{ FTK_VFS_OPEN, "sys_exit_creat", "ret >= 0" },
	{ FTK_VFS_OPEN, "sys_exit_open_by_handle_at", "ret >= 0" },
	{ -1, "sys_enter_mknod", NULL, "mode", mknod_op },
	{ -1, "sys_enter_mknodat", NULL, "mode", mknod_op },
	{ FTK_VFS_UNLINK, "sys_enter_unlink" },
	{ -1, "sys_enter_unlinkat", NULL, "flag", unlinkat_op },
	{ FTK_VFS_MKDIR, "sys_enter_mkdir" }, { FTK_VFS_MKDIR, "sys_enter_mkdirat" },
	{ FTK_VFS_RMDIR, "sys_enter_rmdir" },
};

#define MAX_SOURCES 32

struct ftk_vfscount {
	bool kprobes;
	struct ftk_counters *counters;
	struct {
		struct ftk_counter *counter;
		const struct syscall_source *src;	/* NULL: the kprobe of `op` */
		int op;
	} sources[MAX_SOURCES];
	int nsources;
	bool present[FTK_VFS_NOPS];
	struct ftk_counter *column[FTK_VFS_NOPS];	/* stats: one instance per column */
	bool stats;
	char skipped[256];		/* kprobes not made: "vfs_create (why)" */
};

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

static void skip(struct ftk_vfscount *v, const char *function, const char *why)
{
	size_t used = strlen(v->skipped);
	snprintf(v->skipped + used, sizeof(v->skipped) - used, "%s%s (%s)", used ? ", " : "",
		 function, why);
}

/* A kprobe counted for op, named per session (the *_profile files list event names without
 * the group): "fsync_1234", "fsync2_1234" for a second one. */
static void count_kprobe(struct ftk_vfscount *v, struct ftk_session *s, int op, const char *fn,
			 int nth, const char *filter)
{
	char name[64];
	snprintf(name, sizeof(name), "%s%.0d_%d", op_names[op], nth, (int)getpid());
	struct ftk_event *ev = ftk_kprobe(s, name, fn, NULL, false);
	ev->optional = true;
	if (v->stats && v->column[op]) {
		ftk_count_into(v->column[op], ev, filter);	/* FSYNC's second probe */
		return;
	}
	v->sources[v->nsources].counter = ftk_count_event(v->counters, ev, filter);
	if (v->stats)
		v->column[op] = v->sources[v->nsources].counter;
	v->sources[v->nsources++].op = op;
	v->present[op] = true;
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

static void declare_fsync(struct ftk_vfscount *v, struct ftk_session *s, const char *fn,
			  const char *filter)
{
	char why[192];
	int fires = ftk_kprobe_fires(fn, fsync_devnull, NULL, why, sizeof(why));
	if (fires < 0)
		ftk_warn("cannot check that fsync(2) reaches %s (%s): counting it alone", fn, why);
	if (fires != 0) {
		count_kprobe(v, s, FTK_VFS_FSYNC, fn, 0, filter);
		return;
	}
	for (size_t i = 0; i < FTK_ARRAY_SIZE(fsync_callers); i++) {
		if (ftk_kprobe_fires(fsync_callers[i][0], fsync_devnull, NULL, why,
				     sizeof(why)) != 1)
			continue;
		count_kprobe(v, s, FTK_VFS_FSYNC, fn, 0, filter);
		for (int j = 0; j < 2 && fsync_callers[i][j]; j++)
			count_kprobe(v, s, FTK_VFS_FSYNC, fsync_callers[i][j], j + 2, filter);
		return;
	}
	skip(v, fn, "fsync(2) reaches neither it nor do_fsync nor the syscall function here");
}

static void declare_kprobes(struct ftk_vfscount *v, struct ftk_session *s, const char *filter)
{
	struct ftk_kfuncs *k = ftk_kfuncs_load();

	for (int op = 0; op < FTK_VFS_NOPS; op++) {
		const char *why = NULL;
		if (k && !ftk_kfuncs_allowed(k, vfs_functions[op], &why)) {
			skip(v, vfs_functions[op], why);
			continue;
		}
		/* GCC may split a function and have its callers jump into the body clone
		 * (Debian's 5.10: do_rmdir calls vfs_rmdir.part.0, never vfs_rmdir): every call
		 * that does the work passes through the clone, so that is what is probed. */
		char clone[128] = "", pattern[128];
		snprintf(pattern, sizeof(pattern), "%s.part.*", vfs_functions[op]);
		if (k)
			ftk_kfuncs_match(k, pattern, false, first_name, clone);
		const char *fn = clone[0] ? clone : vfs_functions[op];
		if (op == FTK_VFS_FSYNC)
			declare_fsync(v, s, fn, filter);
		else
			count_kprobe(v, s, op, fn, 0, filter);
	}
	ftk_kfuncs_free(k);
}

int ftk_vfscount_instances(bool kprobes)
{
	/* The syscall source would need 8 instances of syscall events: more handlers on every
	 * syscall than reading them from the ring costs (FTK_COUNT_STATS_SYSCALL_MAX). */
	return kprobes || FTK_VFS_NOPS <= FTK_COUNT_STATS_SYSCALL_MAX ? FTK_VFS_NOPS : 0;
}

static void declare_syscalls(struct ftk_vfscount *v, const char *filter)
{
	for (size_t i = 0; i < FTK_ARRAY_SIZE(syscall_sources); i++) {
		const struct syscall_source *src = &syscall_sources[i];
		/* arm64 and riscv64 have no open, creat, mkdir, rmdir, unlink, mknod. */
		if (!ftk_tracepoint_exists("syscalls", src->event) || v->nsources == MAX_SOURCES)
			continue;
		char *f = both(src->filter, filter);
		v->sources[v->nsources].counter = ftk_count_tracepoint(v->counters, "syscalls",
								       src->event, f, src->key, NULL);
		free(f);
		v->sources[v->nsources].src = src;
		v->sources[v->nsources++].op = src->op;
		if (src->op >= 0)
			v->present[src->op] = true;
		else if (src->op_of == mknod_op)
			v->present[FTK_VFS_CREATE] = true;
		else
			v->present[FTK_VFS_UNLINK] = v->present[FTK_VFS_RMDIR] = true;
	}
}

struct ftk_vfscount *ftk_vfscount_new(struct ftk_session *s, enum ftk_count_via via,
				      bool kprobes, const char *filter)
{
	struct ftk_vfscount *v = ftk_xcalloc(1, sizeof(*v));

	v->kprobes = kprobes;
	v->counters = ftk_counters_new(s, via);
	v->stats = via == FTK_COUNT_STATS;
	if (kprobes)
		declare_kprobes(v, s, filter);
	else
		declare_syscalls(v, filter);	/* never by stats: ftk_vfscount_instances */
	return v;
}

int ftk_vfscount_bind(struct ftk_vfscount *v)
{
	/* A kprobe the kernel refused at creation (optional) leaves its operation out. */
	for (int i = 0; i < v->nsources; i++) {
		struct ftk_event *ev = ftk_counter_event(v->sources[i].counter);
		if (v->kprobes && ev && ev->skipped) {
			v->present[v->sources[i].op] = false;
			skip(v, vfs_functions[v->sources[i].op], "refused");
		}
	}
	return ftk_counters_bind(v->counters);
}

bool ftk_vfscount_present(const struct ftk_vfscount *v, enum ftk_vfs_op op)
{
	return v->present[op];
}

const char *ftk_vfscount_skipped(const struct ftk_vfscount *v)
{
	return v->skipped;
}

struct keyed_ctx {
	uint64_t *deltas;
	const struct syscall_source *src;
};

static void add_keyed(uint64_t key, uint64_t n, void *ctx)
{
	struct keyed_ctx *k = ctx;
	int op = k->src->op_of(key);
	if (op >= 0)
		k->deltas[op] += n;
}

void ftk_vfscount_read(struct ftk_vfscount *v, uint64_t deltas[FTK_VFS_NOPS])
{
	memset(deltas, 0, FTK_VFS_NOPS * sizeof(*deltas));
	ftk_counters_read(v->counters);
	for (int i = 0; i < v->nsources; i++) {
		const struct syscall_source *src = v->sources[i].src;
		if (src && src->key) {
			struct keyed_ctx k = { deltas, src };
			ftk_counter_each(v->sources[i].counter, add_keyed, &k);
		} else {
			deltas[v->sources[i].op] += ftk_counter_delta(v->sources[i].counter);
		}
	}
}

uint64_t ftk_vfscount_dropped(const struct ftk_vfscount *v)
{
	return ftk_counters_dropped(v->counters);
}

void ftk_vfscount_free(struct ftk_vfscount *v)
{
	if (!v)
		return;
	ftk_counters_free(v->counters);
	free(v);
}
