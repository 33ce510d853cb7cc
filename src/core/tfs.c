// SPDX-License-Identifier: GPL-2.0-only
/*
 * tfs: journal-then-write, dry-run echo and the kernel's error_log hint (see tfs.h). Kernel
 * facts behind it: tracefs writes report the refusal in errno (EINVAL for a malformed
 * definition, EBUSY for an object in use, EPERM under lockdown or policy), and the detail
 * only in error_log (since 5.6): the top-level one for dynamic and synthetic events, the
 * instance's for its filters and triggers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>

#include "guardian.h"
#include "journal.h"
#include "tfs.h"
#include "util.h"

int ftk_tfs_write(const struct ftk_tfs *t, const char *path, const char *val, bool append)
{
	if (t->dry_run) {
		if (!*val && !append)
			printf(": > %s\n", path);
		else
			printf("echo '%s' %s %s\n", val, append ? ">>" : ">", path);
		return 0;
	}
	return t->direct ? ftk_write_file(path, val, append) : ftk_guarded_write(path, val, append);
}

int ftk_tfs_journal(const struct ftk_tfs *t, const char *kind, const char *a, const char *b)
{
	if (t->dry_run || !t->journal)
		return 0;
	int err = ftk_journal_add(kind, a, b);
	if (err)
		ftk_error("cannot write the journal in %s (%s %s): %s", ftk_journal_dir(), kind,
			  a ? a : "", strerror(-err));
	return err;
}

int ftk_tfs_change(const struct ftk_tfs *t, const char *kind, const char *a, const char *b,
		   const char *path, const char *val, bool append)
{
	int err = ftk_tfs_journal(t, kind, a, b);

	return err ? err : ftk_tfs_write(t, path, val, append);
}

void ftk_tfs_error_clear(const struct ftk_tfs *t)
{
	if (t->inst && !t->dry_run)
		tracefs_error_clear(t->inst);
}

bool ftk_kernel_error_hint(struct tracefs_instance *inst, const char *mention)
{
	char *log = tracefs_error_last(inst);
	bool ours = log && *log && (!mention || strstr(log, mention));
	if (ours) {
		/* "[  4.47] trace_uprobe: error: X\n  Command: ...\n": keep the first line */
		char *nl = strchr(log, '\n');
		if (nl)
			*nl = 0;
		char *msg = strchr(log, ']');
		ftk_hint("kernel error_log: %s", msg && msg[1] ? msg + 2 : log);
	}
	free(log);
	return ours;
}
