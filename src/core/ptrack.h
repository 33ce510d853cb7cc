/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ptrack: the process tracker. Follows sched_process_fork, sched_process_exec,
 * sched_process_exit and task_rename to keep pid -> (tgid, ppid, comm) right for processes
 * that come and go faster than /proc can be read, and falls back to /proc for the others.
 * Kernel quirks are handled here once:
 *  - task_rename had no `pid` field from 6.13 (e3f6a42272e0, late 2024) until its revert
 *    (a6f22e50c7d5, 2026, taken into the stable kernels): the record then names only the
 *    task that was running (common_pid), which is the renamed task for prctl(PR_SET_NAME)
 *    and exec but not when a thread writes a sibling's /proc/TID/comm or a kthread is named
 *    by its creator: such a record is applied only when its oldcomm is what the tracker
 *    knows of common_pid.
 *  - exec sets comm from the file name, except where task_rename said otherwise (fexecve,
 *    execveat with AT_EMPTY_PATH name the task after the file descriptor's dentry).
 *  - sched_process_fork does not tell a thread from a process: a forked task's entry has
 *    tgid = its own pid and ppid = the forking task's process (right for fork(); a thread's
 *    entry is not a process's: exec, which makes a leader, gives the tgid).
 *  - a task's records may follow its exit record (the final sched_switch): an exited task is
 *    kept for a while (the last FTK_PTRACK_KEEP_EXITED exits) before it is forgotten.
 *
 * Life:
 *   t = ftk_ptrack_new();
 *   ... declare the view's events; for each: if (ftk_ptrack_adopt(t, ev)) its handler
 *       calls ftk_ptrack_feed(t, r) (the view asked for a tracking event itself) ...
 *   ftk_ptrack_declare(t, s);      // declares the others (optional: a kernel may lack one)
 *   ... arm ...
 *   ftk_ptrack_bind(t);            // fields, once formats are loaded
 *   // The session has one lost hook: the view's calls ftk_ptrack_lost().
 *   info = ftk_ptrack_lookup(t, pid);
 */
#ifndef FTK_PTRACK_H
#define FTK_PTRACK_H

#include <stdbool.h>
#include <sys/types.h>
#include "procs.h"

struct ftk_session;
struct ftk_event;
struct ftk_rec;

#define FTK_PTRACK_KEEP_EXITED 4096

enum ftk_ptrack_source {
	FTK_PTRACK_FORK,	/* sched:sched_process_fork */
	FTK_PTRACK_EXEC,	/* sched:sched_process_exec */
	FTK_PTRACK_EXIT,	/* sched:sched_process_exit */
	FTK_PTRACK_RENAME,	/* task:task_rename */
	FTK_PTRACK_NSOURCES,
};

struct ftk_ptrack;

struct ftk_ptrack *ftk_ptrack_new(void);
void ftk_ptrack_free(struct ftk_ptrack *t);

/* Before ftk_ptrack_declare: the view declared ev itself; when it is one of the tracker's
 * sources the tracker uses it (and does not declare it again) and returns true: the view's
 * handler of ev must then call ftk_ptrack_feed(). */
bool ftk_ptrack_adopt(struct ftk_ptrack *t, struct ftk_event *ev);
/* Declare the sources not adopted (before arm), each optional: one the kernel lacks or
 * refuses leaves that part to /proc. Their records are fed by the tracker's own handler. */
void ftk_ptrack_declare(struct ftk_ptrack *t, struct ftk_session *s);
/* Use ev as the source of one kind of record (adopt and declare do it; tests give parsed
 * formats, then feed). */
void ftk_ptrack_use(struct ftk_ptrack *t, enum ftk_ptrack_source source, struct ftk_event *ev);
/* Bind the fields of the armed events. A source without its fields is left out. */
void ftk_ptrack_bind(struct ftk_ptrack *t);

/* Apply one record of a tracking source (others are ignored). */
void ftk_ptrack_feed(struct ftk_ptrack *t, const struct ftk_rec *r);
/* Records were lost: what the table holds may be stale. It is emptied (lookups go to /proc
 * until the events say more). */
void ftk_ptrack_lost(struct ftk_ptrack *t);

/* Grows with every record applied (and every gap): a view caching a comm compares it. */
unsigned long ftk_ptrack_changes(const struct ftk_ptrack *t);

/* What the events said about pid; NULL when they said nothing (or it was forgotten). */
struct ftk_pinfo *ftk_ptrack_get(struct ftk_ptrack *t, pid_t pid);
/* Same, else from /proc (kept); NULL when the pid is gone (remembered: /proc is read once). */
struct ftk_pinfo *ftk_ptrack_lookup(struct ftk_ptrack *t, pid_t pid);

#endif
