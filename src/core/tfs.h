/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tfs (core-internal): the one layer through which a session changes tracefs. probes, hist
 * and session sit on it; it sits on the journal. Each change that must survive a crash is
 * journaled (appended and fsync'd) before it is made, and a journal that cannot be written
 * stops the change: `ftk reset` could not undo it after a kill -9. In dry-run nothing is
 * journaled or written: the write is printed as the shell line that would make it,
 * "echo 'VAL' > PATH" (">>" when appending; ": > PATH" truncates).
 */
#ifndef FTK_TFS_H
#define FTK_TFS_H

#include <stdbool.h>

struct tracefs_instance;

/* What a writer needs to know about where it writes; owned by the session (or a test). */
struct ftk_tfs {
	const char *tracefs;	/* tracefs root, e.g. /sys/kernel/tracing */
	const char *dir;	/* the session's instance directory, or the root at top level */
	const char *instance;	/* "ftk-<pid>", or "-" at top level (as journal lines name it) */
	const char *group;	/* probe group "ftk_<pid>" (also the synthetic events' prefix) */
	struct tracefs_instance *inst;	/* the instance's error_log; NULL: top level */
	bool dry_run;		/* print the writes, make none */
	bool journal;		/* journal changes before making them (ftk_journal_open done) */
	bool direct;		/* write in this process, not through the guardian: files of the
				 * instance that (un)register nothing (trace_clock, buffer size) */
};

/* Write VAL to PATH (absolute; truncating unless append), or print it in dry-run. The
 * guardian makes the write (guardian.h) unless t->direct. 0 or -errno (nothing printed on failure: the caller knows what it was for). */
int ftk_tfs_write(const struct ftk_tfs *t, const char *path, const char *val, bool append);

/* Journal line "KIND A [B]" (journal.h) unless dry-run or !t->journal. 0, or -errno after
 * printing "cannot write the journal ...": the caller must not make the change. */
int ftk_tfs_journal(const struct ftk_tfs *t, const char *kind, const char *a, const char *b);

/* ftk_tfs_journal(), then ftk_tfs_write(): 0 or -errno (journal failures printed). */
int ftk_tfs_change(const struct ftk_tfs *t, const char *kind, const char *a, const char *b,
		   const char *path, const char *val, bool append);

/* Make the instance NAME at DIR (an instance of ours): journaled first; a leftover with the
 * same name (our pid's: a dead predecessor's) is replaced. Dry run: prints the mkdir.
 * 0 or -errno (printed: "cannot create the tracing instance DIR"). */
int ftk_tfs_instance_make(const struct ftk_tfs *t, const char *name, const char *dir);
/* Remove the instance at DIR, retrying while EBUSY for up to tries x 20 ms. 0 (also when
 * it is gone already) or -errno; nothing printed. */
int ftk_tfs_instance_remove(const char *dir, int tries);

/* Set the per-CPU buffer size (KiB) of the instance in DIR (written here, not through the
 * guardian: the file registers nothing; printed in dry-run). Before 6.6 the first size
 * written anywhere sets the kernel's global "expanded" flag, and a top-level buffer still at
 * its boot size then never grows: it is given the size it would have grown to. 0 or -errno
 * (nothing printed). */
int ftk_tfs_instance_size(const struct ftk_tfs *t, const char *dir, unsigned long kb);

/* Clear the instance's error_log before a write whose refusal is to be explained from it
 * (the top-level error_log is not ours to clear). Nothing in dry-run. */
void ftk_tfs_error_clear(const struct ftk_tfs *t);

/* Prints the kernel's last error_log entry (of inst, NULL: the top level) as a hint when it
 * names `mention` (the object we just failed to make; NULL: any). The top-level error_log
 * is never cleared by ftk (it is not ours), hence the check. True when printed. */
bool ftk_kernel_error_hint(struct tracefs_instance *inst, const char *mention);

#endif
