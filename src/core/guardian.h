/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guardian (core-internal): a small process forked at session start that makes the session's
 * tracefs writes on its behalf, so that a SIGKILL of ftk never cuts a probe's (un)registration
 * in half (the kernel then leaks the uprobe), and that undoes the session from its journal
 * (recover.h) as soon as ftk is gone without having cleaned up. See doc/notes/guardian.md.
 *
 * Without a guardian (dry-run, fork refused, the guardian killed) every call below does the
 * operation in this process, as before: callers need not care which.
 */
#ifndef FTK_GUARDIAN_H
#define FTK_GUARDIAN_H

#include <stdbool.h>
#include <sys/types.h>

/* Fork the guardian of this process (once; the first tracefs write of a session, or of a
 * feature probe before any session, calls it). TRACEFS: where it undoes what ftk left when
 * ftk dies. At exit without a session armed it is stopped. 0, or -errno (then operations
 * stay here). */
int ftk_guardian_start(const char *tracefs);
/* Its pid, 0 when there is none. */
pid_t ftk_guardian_pid(void);

/* Write VAL to PATH (append or truncate), mkdir/rmdir PATH: 0 or -errno. */
int ftk_guarded_write(const char *path, const char *val, bool append);
int ftk_guarded_mkdir(const char *path);
int ftk_guarded_rmdir(const char *path);

/* The session ended (its journal is gone): tell the guardian to exit (without that word,
 * its EOF means ftk died and it undoes ftk's namespace); wait for it. */
void ftk_guardian_stop(void);
/* In a forked child: drop this process's end of the channel without stopping the guardian. */
void ftk_guardian_forget(void);

#endif
