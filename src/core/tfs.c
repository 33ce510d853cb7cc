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
#include <unistd.h>

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

int ftk_tfs_instance_make(const struct ftk_tfs *t, const char *name, const char *dir)
{
	if (t->dry_run) {
		printf("mkdir %s\n", dir);
		return 0;
	}
	int err = ftk_tfs_journal(t, "instance", name, NULL);
	if (err)
		return err;
	err = ftk_guarded_mkdir(dir);
	if (err == -EEXIST) {
		/* our own pid's name: a dead predecessor's leftover */
		ftk_guarded_rmdir(dir);
		err = ftk_guarded_mkdir(dir);
		/* still there: busy before 5.7 (another instance's pipe open), and ours by its
		 * name (e.g. the feature probes' test instance): used as it is */
		if (err == -EEXIST)
			err = 0;
	}
	if (err)
		ftk_error("cannot create the tracing instance %s: %s", dir, strerror(-err));
	return err;
}

int ftk_tfs_instance_remove(const char *dir, int tries)
{
	int err = 0;
	/* Before 5.7 the pipe readers were counted per tracer, not per instance ("tracing: Move
	 * pipe reference to trace array instead of current_tracer"): rmdir is EBUSY while any
	 * instance's trace_pipe_raw is open. */
	for (int i = 0; i < tries; i++) {
		err = ftk_guarded_rmdir(dir);
		if (err != -EBUSY)
			break;
		if (i + 1 < tries)
			usleep(20000);
	}
	return err == -ENOENT ? 0 : err;
}

int ftk_tfs_instance_size(const struct ftk_tfs *t, const char *dir, unsigned long kb)
{
	char path[1024], top[1024], val[32];
	snprintf(path, sizeof(path), "%s/buffer_size_kb", dir);
	snprintf(top, sizeof(top), "%s/buffer_size_kb", t->tracefs);
	snprintf(val, sizeof(val), "%lu", kb);
	struct ftk_tfs direct = *t;
	direct.direct = true;
	/* Kernels before 6.6 keep one global "expanded" flag: the first write of any buffer
	 * size sets it, and a top-level buffer still at its boot size (reading "7 (expanded:
	 * 1408)") then never grows when someone uses it. Give it the size it would have grown
	 * to, as its first user would have. */
	char *was = t->dry_run ? NULL : ftk_read_file(top, NULL);
	int err = ftk_tfs_write(&direct, path, val, false);
	const char *exp = was ? strstr(was, "(expanded: ") : NULL;
	if (!err && exp) {
		char *now = ftk_read_file(top, NULL);
		if (now && !strstr(now, "expanded")) {
			char grown[32];
			snprintf(grown, sizeof(grown), "%lu", strtoul(exp + 11, NULL, 10));
			ftk_write_file(top, grown, false);
		}
		free(now);
	}
	free(was);
	return err;
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
