/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfscount: counting the common VFS operations (read, write, fsync, open, create, unlink,
 * mkdir, rmdir) on the counting backend (counter.h), for ftk vfsstat and ftk exporter.
 * Exact with kprobes on bcc vfsstat's vfs_* functions (one the kernel refuses is skipped and
 * reported); without kprobes, the syscalls that reach those functions (ftk-vfsstat(8) lists
 * them per operation).
 *
 *   struct ftk_vfscount *v = ftk_vfscount_new(s, via, kprobes, filter);   // declare time
 *   ... arm ...; ftk_vfscount_bind(v);
 *   every interval: ftk_vfscount_read(v, deltas);
 */
#ifndef FTK_VFSCOUNT_H
#define FTK_VFSCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counter.h"

struct ftk_session;

enum ftk_vfs_op {
	FTK_VFS_READ, FTK_VFS_WRITE, FTK_VFS_FSYNC, FTK_VFS_OPEN, FTK_VFS_CREATE,
	FTK_VFS_UNLINK, FTK_VFS_MKDIR, FTK_VFS_RMDIR, FTK_VFS_NOPS
};

/* "read", "write", ... (bcc's columns in lower case: vfsstat's JSON keys, exporter labels) */
const char *ftk_vfs_op_name(enum ftk_vfs_op op);
/* The kernel function bcc probes for op ("vfs_read", ..., "vfs_fsync_range"). */
const char *ftk_vfs_op_function(enum ftk_vfs_op op);

struct ftk_vfscount;

/* Declare the counters on session s (before arm): kprobes on the vfs_* functions when kprobes
 * is true, else the syscalls. filter (e.g. the pid filter) applies to every event, NULL: none.
 * Probes are named NAME_<pid> (*_profile files name events without their group). */
struct ftk_vfscount *ftk_vfscount_new(struct ftk_session *s, enum ftk_count_via via,
				      bool kprobes, const char *filter);
/* Counting instances the stats way needs (ftk_count_pick_totals): one per column of the
 * kprobe source, 0 for the syscall source (8 instances of syscall events would slow every
 * syscall more than the ring buffer: FTK_COUNT_STATS_SYSCALL_MAX). */
int ftk_vfscount_instances(bool kprobes);
/* After arm: an operation whose kprobe the kernel refused is no longer present. 0 or -errno
 * (printed). */
int ftk_vfscount_bind(struct ftk_vfscount *v);
/* Counted (true) or not (no kprobe allowed, no syscall on this architecture). */
bool ftk_vfscount_present(const struct ftk_vfscount *v, enum ftk_vfs_op op);
/* The functions not probed, "vfs_create (why), ..." ("" when none). */
const char *ftk_vfscount_skipped(const struct ftk_vfscount *v);
/* Read the counters: what was counted since the last read, per operation. */
void ftk_vfscount_read(struct ftk_vfscount *v, uint64_t deltas[FTK_VFS_NOPS]);
/* Entries the kernel dropped (keyed counts: unlinkat, mknod). */
uint64_t ftk_vfscount_dropped(const struct ftk_vfscount *v);
void ftk_vfscount_free(struct ftk_vfscount *v);

#endif
