/* SPDX-License-Identifier: GPL-2.0-only */
/* procs: process facts from /proc and a pid -> (ppid, comm) table fed by sched events. */
#ifndef FTK_PROCS_H
#define FTK_PROCS_H

#include <stdbool.h>
#include <sys/types.h>

/* From /proc/PID/status: parent tgid (PPid), tgid, real uid. -1 when the pid is gone. */
pid_t ftk_proc_ppid(pid_t pid);
pid_t ftk_proc_tgid(pid_t tid);
long ftk_proc_uid(pid_t pid);
/* comm from /proc/PID/comm (no newline); false when gone. */
bool ftk_proc_comm(pid_t pid, char *buf, size_t len);
/* Does the process exist? */
bool ftk_proc_exists(pid_t pid);
/* Start time (field 22 of /proc/PID/stat), 0 when gone: pairs with a pid against reuse. */
unsigned long long ftk_proc_starttime(pid_t pid);
/* All thread ids of PID (from /proc/PID/task), malloc'd; count in *n; NULL when gone. */
pid_t *ftk_proc_threads(pid_t pid, int *n);

/*
 * A pid -> (tgid, ppid, comm) table, open addressing, for event-driven tracking. Keys are
 * thread ids >= 0 (0, the idle task, is a valid key); negative pids are never stored (get
 * and put return NULL). Entry pointers stay valid until that pid is deleted or the table is
 * freed (growth does not move entries). A new entry from put has tgid = ppid = -1 and an
 * empty comm: the caller fills it.
 */
struct ftk_ptable;
struct ftk_pinfo {
	pid_t pid;	/* key: thread id */
	pid_t tgid;
	pid_t ppid;	/* parent process (tgid) */
	char comm[16];
	unsigned char flags;	/* the owner's marks (ptrack.c: renamed, exited); put zeroes it */
};
struct ftk_ptable *ftk_ptable_new(void);
void ftk_ptable_free(struct ftk_ptable *t);
/* Lookup; NULL if absent. */
struct ftk_pinfo *ftk_ptable_get(struct ftk_ptable *t, pid_t pid);
/* Insert or update. */
struct ftk_pinfo *ftk_ptable_put(struct ftk_ptable *t, pid_t pid);
void ftk_ptable_del(struct ftk_ptable *t, pid_t pid);
/* Lookup, filling from /proc when absent (NULL if the pid is gone). */
struct ftk_pinfo *ftk_ptable_lookup(struct ftk_ptable *t, pid_t pid);

#endif
