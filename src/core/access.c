// SPDX-License-Identifier: GPL-2.0-only
/*
 * access: what this user may do with tracefs and kallsyms, each "no" with the reason and the
 * remedy an admin has. Probing only stats and opens files; it never mounts anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "access.h"
#include "util.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

#define TRACEFS_DIR "/sys/kernel/tracing"
#define DEBUGFS_DIR "/sys/kernel/debug"
#define DEBUGFS_TRACING DEBUGFS_DIR "/tracing"

void ftk_mode_string(mode_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";

	out[0] = 'd';
	for (int i = 0; i < 9; i++)
		out[1 + i] = mode & (0400 >> i) ? rwx[i] : '-';
	out[10] = 0;
}

/* Why tracefs does not let this user in, from the mount's mode and group. */
static void judge_none(const struct ftk_access_facts *f, struct ftk_access *a)
{
	char mode[11];

	ftk_mode_string(f->mode, mode);
	if (!f->mounted) {
		snprintf(a->why, sizeof(a->why),
			 "tracefs is not mounted at %s and only root can mount it",
			 f->dir);
		snprintf(a->remedy, sizeof(a->remedy),
			 "run it as root (ftk mounts tracefs itself), or an admin mounts it: "
			 "mount -t tracefs nodev %s", TRACEFS_DIR);
		return;
	}
	if (f->in_group)
		snprintf(a->why, sizeof(a->why),
			 "%s is %s %s:%s: its group %s has no read access",
			 f->dir, mode, f->owner, f->group, f->group);
	else
		snprintf(a->why, sizeof(a->why),
			 "user %s cannot open %s (%s %s:%s, and %s is not in group %s; tracefs "
			 "checks file permissions only: CAP_PERFMON does not open it)",
			 f->user, f->dir, mode, f->owner, f->group, f->user, f->group);
	snprintf(a->remedy, sizeof(a->remedy),
		 "run it as root (sudo %s); tracing needs root, but an admin can let a group "
		 "read tracefs ('ftk list', 'ftk features') with: mount -o "
		 "remount,gid=GROUP,mode=0750 %s (kernel >= 5.16; events/ from 6.7)",
		 ftk_prog, f->dir);
}

void ftk_access_judge(const struct ftk_access_facts *f, struct ftk_access *a)
{
	a->why[0] = a->remedy[0] = 0;
	if (f->root) {
		a->level = FTK_ACCESS_ROOT;
		return;
	}
	if (!f->mounted || !f->readable) {
		a->level = FTK_ACCESS_NONE;
		judge_none(f, a);
		return;
	}
	if (!f->writable) {
		a->level = FTK_ACCESS_READ;
		snprintf(a->why, sizeof(a->why),
			 "user %s can read %s (group %s) but not write it: tracing "
			 "creates an instance and enables events, which needs root",
			 f->user, f->dir, f->group);
		snprintf(a->remedy, sizeof(a->remedy),
			 "run it as root (sudo %s); read access is enough for 'ftk list' and "
			 "'ftk features'", ftk_prog);
		return;
	}
	a->level = FTK_ACCESS_WRITE;
	snprintf(a->why, sizeof(a->why),
		 "user %s can write %s/instances, but ftk's views also write "
		 "uprobe_events and the global tracing files and keep a journal in /run/ftk, "
		 "which need root", f->user, f->dir);
	snprintf(a->remedy, sizeof(a->remedy), "run it as root (sudo %s)", ftk_prog);
}

static int read_int(const char *path, int dflt)
{
	char *s = ftk_read_file(path, NULL);
	int v = s ? atoi(s) : dflt;

	free(s);
	return v;
}

/* Do /proc/kallsyms addresses read as zero for us (kallsyms_show_value() said no)? */
static void probe_kallsyms(struct ftk_access *a)
{
	char line[256] = "";
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f) {
		snprintf(a->kallsyms_why, sizeof(a->kallsyms_why), "cannot read /proc/kallsyms");
		return;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	unsigned long long addr = strtoull(line, NULL, 16);
	if (addr) {
		a->kallsyms = true;
		return;
	}
	int kptr = read_int("/proc/sys/kernel/kptr_restrict", -1);
	int paranoid = read_int("/proc/sys/kernel/perf_event_paranoid", -1);
	if (kptr >= 2) {
		snprintf(a->kallsyms_why, sizeof(a->kallsyms_why),
			 "kallsyms addresses hidden from everyone (kptr_restrict=%d)", kptr);
		snprintf(a->kallsyms_remedy, sizeof(a->kallsyms_remedy),
			 "an admin lowers it: sysctl kernel.kptr_restrict=1 (then root sees them)");
	} else if (kptr == 1) {
		snprintf(a->kallsyms_why, sizeof(a->kallsyms_why),
			 "kallsyms addresses hidden (kptr_restrict=1 and no CAP_SYSLOG)");
		snprintf(a->kallsyms_remedy, sizeof(a->kallsyms_remedy), "run it as root");
	} else {
		snprintf(a->kallsyms_why, sizeof(a->kallsyms_why),
			 "kallsyms addresses hidden (kptr_restrict=%d, perf_event_paranoid=%d > 1, "
			 "no CAP_SYSLOG): function addresses cannot be named", kptr, paranoid);
		snprintf(a->kallsyms_remedy, sizeof(a->kallsyms_remedy),
			 "run it as root, or an admin runs: sysctl kernel.perf_event_paranoid=1");
	}
}

static bool in_group(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(FTK_ARRAY_SIZE(groups), groups);

	if (getegid() == gid)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static bool is_tracefs(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 && (long)sf.f_type == TRACEFS_MAGIC;
}

const struct ftk_access *ftk_access(void)
{
	static struct ftk_access a;
	static bool done;
	static char user[64], owner[64], group[64];
	struct ftk_access_facts f = { .root = geteuid() == 0, .dir = TRACEFS_DIR };
	struct stat st;

	if (done)
		return &a;
	done = true;
	struct statfs sf;
	if (!is_tracefs(TRACEFS_DIR) && is_tracefs(DEBUGFS_TRACING))
		f.dir = DEBUGFS_TRACING;
	else if (!is_tracefs(TRACEFS_DIR) && statfs(DEBUGFS_TRACING, &sf) < 0 && errno == EACCES)
		f.dir = DEBUGFS_DIR;	/* old kernels: tracefs under debugfs, which shuts us out */
	f.mounted = !strcmp(f.dir, DEBUGFS_DIR) || is_tracefs(f.dir);
	if (f.mounted && stat(f.dir, &st) == 0) {
		struct passwd *pw = getpwuid(st.st_uid);
		struct group *gr = getgrgid(st.st_gid);

		f.mode = st.st_mode & 07777;
		snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "?");
		if (!pw)
			snprintf(owner, sizeof(owner), "%u", (unsigned)st.st_uid);
		if (gr)
			snprintf(group, sizeof(group), "%s", gr->gr_name);
		else
			snprintf(group, sizeof(group), "%u", (unsigned)st.st_gid);
		f.in_group = in_group(st.st_gid);
	}
	struct passwd *me = getpwuid(geteuid());
	if (me)
		snprintf(user, sizeof(user), "%s", me->pw_name);
	else
		snprintf(user, sizeof(user), "uid %u", (unsigned)geteuid());
	f.user = user;
	f.owner = owner;
	f.group = group;

	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/README", f.dir);
	f.readable = f.mounted && faccessat(AT_FDCWD, f.dir, R_OK | X_OK, AT_EACCESS) == 0 &&
		     faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) == 0;
	snprintf(path, sizeof(path), "%s/instances", f.dir);
	f.writable = f.readable && faccessat(AT_FDCWD, path, W_OK | X_OK, AT_EACCESS) == 0;
	ftk_access_judge(&f, &a);
	probe_kallsyms(&a);
	return &a;
}

int ftk_require_root(void)
{
	const struct ftk_access *a = ftk_access();

	if (a->level == FTK_ACCESS_ROOT)
		return 0;
	ftk_error("must be run as root: %s", a->why);
	ftk_hint("%s", a->remedy);
	return -1;
}
