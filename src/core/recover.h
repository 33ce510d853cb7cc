/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * recover (core-internal): the crash-recovery engine. Undoes what dead ftk sessions left,
 * from their journals (journal.h) and ftk's own namespace in tracefs. Used by `ftk reset`
 * and by every session start.
 */
#ifndef FTK_RECOVER_H
#define FTK_RECOVER_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Remove what dead ftk sessions left: instances ftk-<pid> (with their triggers) and
 * ftk-<pid>-c<n> (counting instances), probe
 * groups ftk_<pid> and synthetic events ftk_<pid>_* whose pid is not a live ftk process,
 * plus the global changes recorded in their journals
 * (restored to the saved content). A session whose journal names a live guardian is not
 * dead: the guardian is undoing it. Nothing else is touched. Prints one line per removal
 * on stdout when verbose. Returns the number of things removed, or -1 on error.
 */
int ftk_reset_dead(const char *tracefs, bool verbose);

/*
 * Undo the session PID (its journal and ftk-<PID>, ftk_<PID>, ftk_<PID>_*), dead or not:
 * its guardian's cleanup once ftk is gone. Silent unless report (failures then printed).
 * Returns the number of things removed, or -1 when something could not be (journal kept).
 */
int ftk_reset_session(const char *tracefs, pid_t pid, bool report);

/* Is PID a live ftk process (with the given start time when nonzero)? */
bool ftk_session_alive(pid_t pid, unsigned long long starttime);

#endif
