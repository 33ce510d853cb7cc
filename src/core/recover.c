// SPDX-License-Identifier: GPL-2.0-only
/*
 * recover: the cleanup of dead sessions (`ftk reset`, and every ftk start). It reads the
 * journals of sessions whose process is gone (or is no longer ftk, or was restarted under the
 * same pid) and undoes them in a safe order: triggers first (rmdir of an instance is EBUSY
 * while hist triggers exist), then instances (their enabled events keep probes busy), then
 * the probe groups, the synthetic events (EBUSY while a trigger uses them), and last the
 * saved top-level files and tracers, newest first. It also removes the leftovers of ftk's own
 * namespace that have no journal (instances ftk-<pid> and its counting instances
 * ftk-<pid>-c<n>, probe groups ftk_<pid>, synthetic
 * events ftk_<pid>_* of a pid that is not a live ftk). Nothing outside that namespace and
 * those journals is touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "recover.h"
#include "util.h"

/* ---- liveness ---- */

static bool proc_is_ftk(pid_t pid)
{
	char path[64], exe[PATH_MAX];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *del = strstr(exe, " (deleted)");
		if (del && del[10] == 0)
			*del = 0;
		const char *base = strrchr(exe, '/');
		base = base ? base + 1 : exe;
		if (strcmp(base, "ftk") == 0)
			return true;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	char *comm = ftk_read_file(path, NULL);
	if (!comm)
		return false;
	comm[strcspn(comm, "\n")] = 0;
	bool ok = strcmp(comm, "ftk") == 0;
	free(comm);
	return ok;
}

bool ftk_session_alive(pid_t pid, unsigned long long starttime)
{
	char state = 0;

	if (pid <= 0)
		return false;
	unsigned long long st = ftk_journal_proc_stat(pid, &state);
	if (!st)
		return false;
	if (state == 'Z' || state == 'X')
		return false;	/* exited, not yet reaped: it will do nothing more */
	if (starttime && st != starttime)
		return false;
	return proc_is_ftk(pid);
}

/* ---- reset of dead sessions ---- */

struct dynev {
	char *file;	/* "uprobe_events", "kprobe_events" or "dynamic_events" */
	const char *what;	/* "uprobe", "kprobe", "eprobe", ... for messages */
	char *group, *name;
	bool done;
};

struct synthev {
	char *name;	/* ftk_<pid>_... */
	bool done;
};

struct reset_ctx {
	const char *tracefs;
	bool verbose;
	bool quiet;	/* failures not printed (a guardian's retries) */
	int count;
	bool failed;
	struct dynev *evs;
	int nevs;
	struct synthev *synths;
	int nsynths;
	pid_t *pids;
	int npids;
};

static void report_fail(struct reset_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report_fail(struct reset_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->failed = true;
	if (c->quiet)
		return;
	if (c->verbose)
		ftk_error("%s", msg);
	else
		ftk_warn("%s", msg);
}

static void done(struct reset_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void done(struct reset_ctx *c, const char *fmt, ...)
{
	va_list ap;

	c->count++;
	if (!c->verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* "ftk-123" with prefix "ftk-" -> 123; 0 when NAME is not prefix + digits. */
static pid_t ns_pid(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned long v;

	if (strncmp(name, prefix, n) != 0 || ftk_parse_ulong(name + n, 1, INT_MAX, &v) < 0)
		return 0;
	return (pid_t)v;
}

/* An instance of ftk's namespace: the session's "ftk-123", or one of its counting
 * instances "ftk-123-c4" (rbcount.h) -> 123; 0 for any other name. */
static pid_t inst_pid(const char *name)
{
	pid_t pid = ns_pid(name, "ftk-");
	if (pid)
		return pid;
	const char *dash = strncmp(name, "ftk-", 4) == 0 ? strstr(name + 4, "-c") : NULL;
	unsigned long n;
	char head[32];
	if (!dash || (size_t)(dash - name) >= sizeof(head) ||
	    ftk_parse_ulong(dash + 2, 0, INT_MAX, &n) < 0)
		return 0;
	memcpy(head, name, dash - name);
	head[dash - name] = 0;
	return ns_pid(head, "ftk-");
}

static void add_pid(struct reset_ctx *c, pid_t pid)
{
	for (int i = 0; i < c->npids; i++)
		if (c->pids[i] == pid)
			return;
	c->pids = ftk_xrealloc(c->pids, (c->npids + 1) * sizeof(*c->pids));
	c->pids[c->npids++] = pid;
}

static bool have_event(struct reset_ctx *c, const char *group, const char *name)
{
	for (int i = 0; i < c->nevs; i++)
		if (strcmp(c->evs[i].group, group) == 0 && strcmp(c->evs[i].name, name) == 0)
			return true;
	return false;
}

static const char *dyn_kind(const char *file, char type)
{
	if (strcmp(file, "uprobe_events") == 0)
		return "uprobe";
	if (strcmp(file, "kprobe_events") == 0)
		return "kprobe";
	switch (type) {
	case 'e': return "eprobe";
	case 'f': return "fprobe";
	case 't': return "tprobe";
	case 's': return "synthetic event";
	default: return "dynamic event";
	}
}

/* Lines look like "p:ftk_123/execve /usr/lib/...:0x... args" or "r10:grp/name sym". */
static void read_dynevents(struct reset_ctx *c, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", c->tracefs, file);
	char *text = ftk_read_file(path, NULL);
	if (!text)
		return;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(l, ':');
		char *sp = strchr(l, ' ');
		if (!colon || (sp && sp < colon))
			continue;
		/* Synthetic events ("s:synthetic/NAME") are ours by name: see read_synths. */
		if (l[0] == 's' && colon == l + 1)
			continue;
		char *id = colon + 1;
		id[strcspn(id, " \t")] = 0;
		char *slash = strchr(id, '/');
		if (!slash)
			continue;
		*slash = 0;
		/* Every group is listed (a journal may name any); ftk_<pid> ones are ours. */
		pid_t pid = ns_pid(id, "ftk_");
		if (have_event(c, id, slash + 1))
			continue;
		c->evs = ftk_xrealloc(c->evs, (c->nevs + 1) * sizeof(*c->evs));
		struct dynev *e = &c->evs[c->nevs++];
		e->file = ftk_xstrdup(file);
		e->what = dyn_kind(file, l[0]);
		e->group = ftk_xstrdup(id);
		e->name = ftk_xstrdup(slash + 1);
		e->done = false;
		if (pid)
			add_pid(c, pid);
	}
	free(text);
}

static bool safe_relpath(const char *p);

/* "ftk_123_bio_lat" -> 123; 0 when NAME is not ftk_<digits>_<something>. */
static pid_t synth_pid(const char *name)
{
	char num[16];
	const char *p = name + 4, *us;
	unsigned long v;

	if (strncmp(name, "ftk_", 4) != 0 || !(us = strchr(p, '_')) || us == p || !us[1] ||
	    (size_t)(us - p) >= sizeof(num))
		return 0;
	memcpy(num, p, us - p);
	num[us - p] = 0;
	if (ftk_parse_ulong(num, 1, INT_MAX, &v) < 0)
		return 0;
	return (pid_t)v;
}

/* synthetic_events lines: "NAME\tu64 lat; u32 dev; char[8] rwbs". */
static void read_synths(struct reset_ctx *c)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/synthetic_events", c->tracefs);
	char *text = ftk_read_file(path, NULL);
	if (!text)
		return;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l[strcspn(l, " \t")] = 0;
		pid_t pid = synth_pid(l);
		if (!pid)
			continue;
		c->synths = ftk_xrealloc(c->synths, (c->nsynths + 1) * sizeof(*c->synths));
		c->synths[c->nsynths++] = (struct synthev){ ftk_xstrdup(l), false };
		add_pid(c, pid);
	}
	free(text);
}

static void scan_instances(struct reset_ctx *c)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/instances", c->tracefs);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t pid = inst_pid(de->d_name);
		if (pid)
			add_pid(c, pid);
	}
	closedir(d);
}

static void scan_journals(struct reset_ctx *c)
{
	DIR *d = opendir(ftk_journal_dir());
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		char num[32];
		const char *dot = strstr(de->d_name, ".journal");
		size_t n = dot ? (size_t)(dot - de->d_name) : 0;
		unsigned long pid;

		if (!dot || strcmp(dot, ".journal") != 0 || n == 0 || n >= sizeof(num))
			continue;
		memcpy(num, de->d_name, n);
		num[n] = 0;
		if (ftk_parse_ulong(num, 1, INT_MAX, &pid) == 0)
			add_pid(c, (pid_t)pid);
	}
	closedir(d);
}

/* Names of the processes holding files of DIR open, for the EBUSY message. */
static void fd_holders(const char *dir, struct ftk_buf *out)
{
	size_t dlen = strlen(dir);
	DIR *proc = opendir("/proc");
	if (!proc)
		return;
	struct dirent *pe;
	while ((pe = readdir(proc))) {
		unsigned long pid;
		if (ftk_parse_ulong(pe->d_name, 1, INT_MAX, &pid) < 0)
			continue;
		char fddir[64];
		snprintf(fddir, sizeof(fddir), "/proc/%lu/fd", pid);
		DIR *fds = opendir(fddir);
		if (!fds)
			continue;
		struct dirent *fe;
		bool holds = false;
		while (!holds && (fe = readdir(fds))) {
			char lp[384], target[PATH_MAX];
			snprintf(lp, sizeof(lp), "%s/%s", fddir, fe->d_name);
			ssize_t n = readlink(lp, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = 0;
			holds = strncmp(target, dir, dlen) == 0 &&
				(target[dlen] == '/' || target[dlen] == 0);
		}
		closedir(fds);
		if (!holds)
			continue;
		char cpath[64];
		snprintf(cpath, sizeof(cpath), "/proc/%lu/comm", pid);
		char *comm = ftk_read_file(cpath, NULL);
		if (comm)
			comm[strcspn(comm, "\n")] = 0;
		ftk_buf_printf(out, "%s%lu (%s)", out->len ? ", " : "", pid, comm ? comm : "?");
		free(comm);
	}
	closedir(proc);
}

/* Remove every trigger listed in FILE (an event's trigger file): "!" + each line as the
 * kernel shows it, without its " [active]" / " [paused]" state. Returns how many remain. */
static int clear_trigger_file(struct reset_ctx *c, const char *file, const char *what,
			      bool report)
{
	char *text = ftk_read_file(file, NULL);
	int left = 0;

	if (!text)
		return 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] == '#' || !l[0])
			continue;
		char *st = strstr(l, " [");
		if (st)
			*st = 0;
		struct ftk_buf b = { 0 };
		ftk_buf_printf(&b, "!%s", l);
		int rc = ftk_write_file(file, b.p, true);
		ftk_buf_free(&b);
		if (rc == 0) {
			done(c, "removed trigger on %s", what);
		} else {
			left++;
			if (report)
				report_fail(c, "cannot remove trigger '%s' on %s: %s", l, what,
					    strerror(-rc));
		}
	}
	free(text);
	return left;
}

/* "ftk-123/block/block_rq_issue" ("-/..." = top level) -> its trigger file; false if unsafe */
static bool trigger_path(struct reset_ctx *c, const char *where, char *path, size_t len,
			 const char **evname)
{
	const char *sl = strchr(where, '/');
	if (!sl || sl == where || !safe_relpath(where) || strchr(sl + 1, '/') == NULL)
		return false;
	if (strncmp(where, "-/", 2) == 0)
		snprintf(path, len, "%s/events/%s/trigger", c->tracefs, sl + 1);
	else
		snprintf(path, len, "%s/instances/%.*s/events/%s/trigger", c->tracefs,
			 (int)(sl - where), where, sl + 1);
	*evname = where;
	return true;
}

/* Journaled triggers, newest first; a trigger another one depends on (its variables) is
 * refused until that one is gone: a second pass takes it. */
static void remove_triggers(struct reset_ctx *c, const struct ftk_journal *j)
{
	for (int pass = 0; pass < 3; pass++) {
		int left = 0;
		for (int i = j->n - 1; i >= 0; i--) {
			char path[PATH_MAX];
			const char *what;
			if (strcmp(j->lines[i].kind, "trigger") != 0 ||
			    !trigger_path(c, j->lines[i].a, path, sizeof(path), &what) ||
			    access(path, F_OK) < 0)
				continue;
			left += clear_trigger_file(c, path, what, pass == 2);
		}
		if (!left)
			break;
	}
}

/* An instance of ours that rmdir refuses: hist triggers nobody journaled (or a journal lost)
 * keep it busy; remove every trigger of its events and let the caller retry. */
static void clear_instance_triggers(struct reset_ctx *c, const char *name)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/instances/%s/events", c->tracefs, name);
	for (int pass = 0; pass < 3; pass++) {
		int left = 0;
		DIR *sd = opendir(dir);
		if (!sd)
			return;
		struct dirent *s;
		while ((s = readdir(sd))) {
			char sub[PATH_MAX + 256];
			if (s->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", dir, s->d_name);
			DIR *ed = opendir(sub);
			if (!ed)
				continue;
			struct dirent *e;
			while ((e = readdir(ed))) {
				char f[PATH_MAX + 600], what[600];
				if (e->d_name[0] == '.')
					continue;
				snprintf(f, sizeof(f), "%s/%s/trigger", sub, e->d_name);
				snprintf(what, sizeof(what), "%s/%s/%s", name, s->d_name,
					 e->d_name);
				left += clear_trigger_file(c, f, what, pass == 2);
			}
			closedir(ed);
		}
		closedir(sd);
		if (!left)
			break;
	}
}

static void remove_synth(struct reset_ctx *c, const char *name)
{
	char path[PATH_MAX];

	if (!synth_pid(name))
		return;	/* not in ftk's namespace: never touched */
	snprintf(path, sizeof(path), "%s/synthetic_events", c->tracefs);
	struct ftk_buf b = { 0 };
	ftk_buf_printf(&b, "!%s", name);
	int rc = ftk_write_file(path, b.p, true);
	ftk_buf_free(&b);
	if (rc == 0)
		done(c, "removed synthetic event %s", name);
	else if (rc == -EBUSY)
		report_fail(c, "cannot remove synthetic event %s: busy (a trigger still uses it)",
			    name);
	else if (rc != -ENOENT && rc != -EINVAL)
		report_fail(c, "cannot remove synthetic event %s: %s", name, strerror(-rc));
}

static void remove_synths(struct reset_ctx *c, pid_t pid, const struct ftk_journal *j)
{
	for (int i = 0; j && i < j->n; i++) {
		if (strcmp(j->lines[i].kind, "synth") != 0)
			continue;
		for (int k = 0; k < c->nsynths; k++)
			if (!c->synths[k].done && strcmp(c->synths[k].name, j->lines[i].a) == 0) {
				c->synths[k].done = true;
				remove_synth(c, j->lines[i].a);
			}
	}
	for (int k = 0; k < c->nsynths; k++)
		if (!c->synths[k].done && synth_pid(c->synths[k].name) == pid) {
			c->synths[k].done = true;
			remove_synth(c, c->synths[k].name);
		}
}

static void remove_instance(struct reset_ctx *c, const char *name)
{
	char dir[PATH_MAX], f[PATH_MAX + 32];

	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return;
	snprintf(dir, sizeof(dir), "%s/instances/%s", c->tracefs, name);
	if (access(dir, F_OK) < 0)
		return;
	/* Stop it first: rmdir does too, but a failed rmdir then leaves it quiet. */
	snprintf(f, sizeof(f), "%s/tracing_on", dir);
	ftk_write_file(f, "0", false);
	snprintf(f, sizeof(f), "%s/events/enable", dir);
	ftk_write_file(f, "0", false);
	snprintf(f, sizeof(f), "%s/current_tracer", dir);
	ftk_write_file(f, "nop", false);
	if (rmdir(dir) == 0) {
		done(c, "removed instance %s", name);
		return;
	}
	int e = errno;
	if (e == EBUSY && ns_pid(name, "ftk-")) {
		clear_instance_triggers(c, name);
		if (rmdir(dir) == 0) {
			done(c, "removed instance %s", name);
			return;
		}
		e = errno;
	}
	if (e == EBUSY) {
		struct ftk_buf who = { 0 };
		fd_holders(dir, &who);
		report_fail(c, "cannot remove instance %s: busy (files held open by %s)", name,
			    who.len ? ftk_buf_str(&who) : "a process, or used by perf");
		ftk_buf_free(&who);
	} else if (e != ENOENT) {	/* ENOENT: another ftk's reset removed it meanwhile */
		report_fail(c, "cannot remove instance %s: %s", name, strerror(e));
	}
}

static void remove_group(struct reset_ctx *c, const char *group)
{
	for (int i = 0; i < c->nevs; i++) {
		struct dynev *e = &c->evs[i];
		if (e->done || strcmp(e->group, group) != 0)
			continue;
		e->done = true;
		char path[PATH_MAX], cmd[256];
		snprintf(path, sizeof(path), "%s/%s", c->tracefs, e->file);
		snprintf(cmd, sizeof(cmd), "-:%s/%s\n", e->group, e->name);
		int rc = ftk_write_file(path, cmd, true);
		if (rc == 0)
			done(c, "removed %s %s/%s", e->what, e->group, e->name);
		else if (rc == -EBUSY)
			report_fail(c, "cannot remove %s %s/%s: busy (enabled in an instance "
				    "or used by perf)", e->what, e->group, e->name);
		else if (rc != -ENOENT)	/* ENOENT: gone meanwhile (another ftk's reset) */
			report_fail(c, "cannot remove %s %s/%s: %s", e->what, e->group,
				    e->name, strerror(-rc));
	}
}

static bool safe_relpath(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
			return false;
	return true;
}

/* Write CONTENT to PATH byte-exact: truncate, then write it all (filter files take one
 * word per write() and return short counts). */
static int restore_file(const char *path, const char *content, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = ftk_write_all(fd, content, len);
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

static void restore_global(struct reset_ctx *c, const char *file, const char *hex)
{
	if (!safe_relpath(file)) {
		report_fail(c, "journal names an unsafe file '%s': not restored", file);
		return;
	}
	size_t len = 0;
	char *val = ftk_hex_decode(hex, &len);
	if (!val) {
		report_fail(c, "journal holds malformed content for %s: not restored", file);
		return;
	}
	/* Trap: what empty filter files read back must never be written back. */
	if (strncmp(val, "#### all functions enabled ####", 31) == 0 ||
	    strcmp(val, "no pid\n") == 0 || strcmp(val, "no pid") == 0)
		len = 0;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", c->tracefs, file);
	int rc = restore_file(path, val, len);
	if (rc == 0)
		done(c, "restored %s", file);
	else if (rc == -ENOENT)
		;	/* this kernel has no such file (set_event_pid before 4.4): nothing changed */
	else
		report_fail(c, "cannot restore %s: %s", file, strerror(-rc));
	free(val);
}

static void restore_tracer(struct reset_ctx *c, const char *inst, const char *tracer)
{
	char path[PATH_MAX];

	if (strcmp(inst, "-") == 0) {
		snprintf(path, sizeof(path), "%s/current_tracer", c->tracefs);
	} else {
		if (strchr(inst, '/'))
			return;
		snprintf(path, sizeof(path), "%s/instances/%s/current_tracer", c->tracefs, inst);
		if (access(path, F_OK) < 0)
			return;	/* removed with its instance */
	}
	int rc = ftk_write_file(path, tracer, false);
	if (rc == 0 && strcmp(inst, "-") == 0)
		done(c, "restored current_tracer (%s)", tracer);
	else if (rc == 0)
		done(c, "restored current_tracer of %s (%s)", inst, tracer);
	else
		report_fail(c, "cannot restore the tracer %s: %s", tracer, strerror(-rc));
}

/* "events/SYS/NAME/enable": a top-level event's switch. */
static bool is_enable_file(const char *file)
{
	size_t n = strlen(file);
	return strncmp(file, "events/", 7) == 0 && n > 7 && strcmp(file + n - 7, "/enable") == 0;
}

/* The counting instances ftk-PID-c<n> of a dead session (journaled too: these are the ones
 * a lost journal left). */
static void remove_counting_instances(struct reset_ctx *c, pid_t pid)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/instances", c->tracefs);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct ftk_buf names = { 0 };
	struct dirent *de;
	while ((de = readdir(d)))
		if (inst_pid(de->d_name) == pid && !ns_pid(de->d_name, "ftk-"))
			ftk_buf_printf(&names, "%s\n", de->d_name);
	closedir(d);
	char *save = NULL;
	for (char *n = names.len ? strtok_r(names.p, "\n", &save) : NULL; n;
	     n = strtok_r(NULL, "\n", &save))
		remove_instance(c, n);
	ftk_buf_free(&names);
}

/* rm(OWN) when OWN (ftk's own name for the dead pid), then rm(name) for each KIND line of J. */
static void remove_listed(struct reset_ctx *c, const struct ftk_journal *j, const char *own,
			  const char *kind, void (*rm)(struct reset_ctx *, const char *))
{
	if (own)
		rm(c, own);
	for (int i = 0; j && i < j->n; i++)
		if (strcmp(j->lines[i].kind, kind) == 0)
			rm(c, j->lines[i].a);
}

/* Undo one dead session: JOURNAL may be NULL (namespace leftovers only). */
static void undo(struct reset_ctx *c, pid_t pid, const struct ftk_journal *j, bool ns)
{
	char inst[32], group[32];

	snprintf(inst, sizeof(inst), "ftk-%d", (int)pid);
	snprintf(group, sizeof(group), "ftk_%d", (int)pid);
	if (j)
		remove_triggers(c, j);
	remove_listed(c, j, ns ? inst : NULL, "instance", remove_instance);
	if (ns)
		remove_counting_instances(c, pid);
	/* Events enabled at top level (journaled as their enable files) off before the probe
	 * groups: an enabled probe cannot be removed (EBUSY). */
	for (int i = j ? j->n - 1 : -1; i >= 0; i--)
		if (strcmp(j->lines[i].kind, "global") == 0 && is_enable_file(j->lines[i].a))
			restore_global(c, j->lines[i].a, j->lines[i].b);
	remove_listed(c, j, ns ? group : NULL, "group", remove_group);
	/* After the instances: their triggers kept the synthetic events busy. */
	remove_synths(c, ns ? pid : 0, j);
	/* Newest first: the oldest saved value of a file is the one that stays. */
	for (int i = j ? j->n - 1 : -1; i >= 0; i--)
		if (strcmp(j->lines[i].kind, "global") == 0 && !is_enable_file(j->lines[i].a))
			restore_global(c, j->lines[i].a, j->lines[i].b);
	for (int i = j ? j->n - 1 : -1; i >= 0; i--)
		if (strcmp(j->lines[i].kind, "tracer") == 0)
			restore_tracer(c, j->lines[i].a, j->lines[i].b);
}

/* Undo the session PID unless it (or its guardian, which then is cleaning it up) lives;
 * FORCE: the caller knows it is dead (its guardian, once ftk is gone). */
static void reset_pid(struct reset_ctx *c, pid_t pid, bool force)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%d.journal", ftk_journal_dir(), (int)pid);
	char *text = ftk_read_file(path, NULL);
	bool self = pid == getpid();
	if (!text) {
		/* Our own pid is ours whatever our name (ftk features' test instance). */
		if (force || (!self && !ftk_session_alive(pid, 0)))
			undo(c, pid, NULL, true);
		return;
	}
	struct ftk_journal j;
	int bad = ftk_journal_parse(text, &j);
	free(text);
	if (!j.pid)
		j.pid = pid;
	if (!force && self && (!j.starttime || j.starttime == ftk_journal_starttime(pid))) {
		ftk_journal_free(&j);
		return;	/* our own live journal */
	}
	if (!force && !self && (ftk_session_alive(pid, j.starttime) ||
				(j.guardian && ftk_session_alive(j.guardian, j.guardian_start)))) {
		ftk_journal_free(&j);
		return;
	}
	bool failed_before = c->failed;
	c->failed = false;
	if (bad)
		report_fail(c, "%s: line %d is malformed (skipped)", path, bad);
	/*
	 * The journal's session is dead. When the pid now belongs to another live ftk that has
	 * not yet rewritten this journal, its ftk-<pid>/ftk_<pid> are its own: leave them. When
	 * it is us (a dead session's pid reused by this one, before we made anything), they are
	 * the dead session's.
	 */
	undo(c, pid, &j, force || self || !ftk_session_alive(pid, 0));
	ftk_journal_free(&j);
	/* Keep the journal when something could not be undone: the next reset retries. */
	if (!c->failed && unlink(path) < 0 && errno != ENOENT)
		report_fail(c, "cannot remove %s: %s", path, strerror(errno));
	c->failed |= failed_before;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* Reset the dead sessions found (ONLY: just that one, whatever its state); -1 on error. */
static int reset(const char *tracefs, bool verbose, pid_t only, bool quiet)
{
	struct reset_ctx c = { .tracefs = tracefs, .verbose = verbose, .quiet = quiet };

	if (!tracefs)
		return -1;
	if (!only) {
		scan_journals(&c);
		scan_instances(&c);
	}
	read_dynevents(&c, "uprobe_events");
	read_dynevents(&c, "kprobe_events");
	read_dynevents(&c, "dynamic_events");
	read_synths(&c);
	if (only) {
		c.npids = 0;
		add_pid(&c, only);
	}
	if (c.npids)
		qsort(c.pids, c.npids, sizeof(*c.pids), cmp_pid);
	for (int i = 0; i < c.npids; i++)
		reset_pid(&c, c.pids[i], only != 0);
	for (int i = 0; i < c.nevs; i++) {
		free(c.evs[i].file);
		free(c.evs[i].group);
		free(c.evs[i].name);
	}
	free(c.evs);
	for (int i = 0; i < c.nsynths; i++)
		free(c.synths[i].name);
	free(c.synths);
	free(c.pids);
	return c.failed ? -1 : c.count;
}

int ftk_reset_dead(const char *tracefs, bool verbose)
{
	return reset(tracefs, verbose, 0, false);
}

int ftk_reset_session(const char *tracefs, pid_t pid, bool report)
{
	return pid > 0 ? reset(tracefs, false, pid, !report) : -1;
}
