/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * access: what this user may do with tracefs and kallsyms, and why not. tracefs checks plain
 * file permissions (root, or the mount's gid=/mode= for a group); capabilities such as
 * CAP_PERFMON do not open it. Used by the views' root check (ftk_require_root, declared in
 * util.h), by `ftk features` and by `ftk list`.
 */
#ifndef FTK_ACCESS_H
#define FTK_ACCESS_H

#include <stdbool.h>
#include <sys/types.h>

enum ftk_access_level {
	FTK_ACCESS_NONE,	/* cannot open tracefs (or it is not mounted) */
	FTK_ACCESS_READ,	/* can read it (list, features), not create instances */
	FTK_ACCESS_WRITE,	/* can create instances (still not root) */
	FTK_ACCESS_ROOT,	/* root: everything the kernel allows */
};

/* What is known about the tracefs mount and this user; the input of ftk_access_judge. */
struct ftk_access_facts {
	bool root;		/* effective uid 0 */
	bool mounted;		/* a tracefs is mounted at dir */
	const char *dir;	/* /sys/kernel/tracing (or the debugfs path) */
	mode_t mode;		/* the directory's mode bits */
	const char *owner;	/* its owner's and group's names ("root", "tracing") */
	const char *group;
	const char *user;	/* this user's name */
	bool in_group;		/* this user is in the directory's group */
	bool readable;		/* may list the directory and read its files */
	bool writable;		/* may create instances/ */
};

struct ftk_access {
	enum ftk_access_level level;
	char why[320];		/* below ROOT: what stops this user ("user nobody cannot open
				 * /sys/kernel/tracing (drwx------ root:root, ...)") */
	char remedy[400];	/* below ROOT: what root or an admin can do */
	/* /proc/kallsyms: addresses visible to this user (function names for graph). */
	bool kallsyms;
	char kallsyms_why[192];
	char kallsyms_remedy[160];
};

/* Probe once (cached): stat the tracefs mount, this user's groups, kallsyms. */
const struct ftk_access *ftk_access(void);

/* The decision alone, from facts (unit tests). */
void ftk_access_judge(const struct ftk_access_facts *f, struct ftk_access *a);

/* "drwxr-x---" for a directory mode. */
void ftk_mode_string(mode_t mode, char out[11]);

#endif
