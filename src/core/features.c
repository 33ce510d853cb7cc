// SPDX-License-Identifier: GPL-2.0-only
/*
 * features: what this kernel's tracing offers, probed once and cached, each answer with the
 * precise reason when the answer is no (a CONFIG_ option, the kernel lockdown, a policy EPERM,
 * not being root). Probing opens files and mostly writes no tracing state; the exceptions are
 * mounting tracefs when it is not mounted (libtracefs does the same), a test instance
 * ftk-<ourpid> (function_graph in instances, kprobe string reads) and test probes
 * ftk_<ourpid>/kx_test, fx_test created and removed at once. Those writes are made by the
 * guardian (guardian.h), started for them before any session: a kill -9 while probing
 * cannot cut a registration in half, and the guardian then removes ftk-<ourpid> and
 * ftk_<ourpid> (ftk's namespace: recover.h) without a journal or `ftk reset`. A view's
 * backend choice on these answers is view.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event-parse.h>

#include "access.h"
#include "features.h"
#include "guardian.h"
#include "util.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC 0x64626720
#endif
#ifndef SECURITYFS_MAGIC
#define SECURITYFS_MAGIC 0x73636673
#endif

#define TRACEFS_DIR "/sys/kernel/tracing"
#define DEBUGFS_DIR "/sys/kernel/debug"
#define SECURITYFS_DIR "/sys/kernel/security"

static const char *const feat_names[FTK_F__COUNT] = {
	[FTK_F_NONE] = "none",
	[FTK_F_TRACEFS] = "tracefs",
	[FTK_F_INSTANCES] = "instances",
	[FTK_F_KPROBES] = "kprobes",
	[FTK_F_UPROBES] = "uprobes",
	[FTK_F_DYNEVENTS] = "dynevents",
	[FTK_F_FUNCTION] = "function",
	[FTK_F_FGRAPH] = "fgraph",
	[FTK_F_FGRAPH_INSTANCE] = "fgraph_instance",
	[FTK_F_FGRAPH_RETVAL] = "fgraph_retval",
	[FTK_F_HIST] = "hist",
	[FTK_F_SYSCALL_TP] = "syscall_tp",
	[FTK_F_SYNTH] = "synth",
	[FTK_F_RBSTATS] = "rb_stats",
};

static struct ftk_feature feats[FTK_F__COUNT];
static bool probed[FTK_F__COUNT];
static char tracefs_path[256];

static void set_why(struct ftk_feature *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_why(struct ftk_feature *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	f->ok = false;
}

static void set_ok(struct ftk_feature *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_ok(struct ftk_feature *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
	f->ok = true;
}

static bool is_fs(const char *path, long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (long)sf.f_type == magic;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Is FS listed in /proc/filesystems? */
static bool fs_known(const char *fs)
{
	char *s = ftk_read_file("/proc/filesystems", NULL);
	bool found = false;

	if (!s)
		return true;	/* cannot tell: do not claim it is missing */
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save)) {
		char *w = strrchr(l, '\t');
		found = strcmp(w ? w + 1 : l, fs) == 0;
	}
	free(s);
	return found;
}

/* ---- lockdown ---- */

/* "none [integrity] confidentiality" -> "integrity" */
static const char *parse_lockdown(const char *s)
{
	static const char *const modes[] = { "none", "integrity", "confidentiality" };
	const char *b = strchr(s, '[');

	if (!b)
		return NULL;
	for (size_t i = 0; i < FTK_ARRAY_SIZE(modes); i++) {
		size_t n = strlen(modes[i]);
		if (strncmp(b + 1, modes[i], n) == 0 && b[1 + n] == ']')
			return modes[i];
	}
	return NULL;
}

/* Read DIR/lockdown into fd; the child's exit code: 0 read, 3 no lockdown file, 1 error. */
static int send_lockdown(const char *dir, int out)
{
	char path[PATH_MAX], buf[128];

	snprintf(path, sizeof(path), "%s/lockdown", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 3 : 1;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 && write(out, buf, n) == n ? 0 : 1;
}

static int lockdown_child(int out)
{
	const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY;

	/* A private mount namespace: the mount is never visible and dies with us. */
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount("securityfs", SECURITYFS_DIR, "securityfs", flags, NULL) == 0)
		return send_lockdown(SECURITYFS_DIR, out);
	/* No namespaces here: a private temporary directory, unmounted at once. */
	char dir[] = "/run/ftk-securityfs.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	int rc = 1;
	if (mount("securityfs", dir, "securityfs", flags, NULL) == 0) {
		rc = send_lockdown(dir, out);
		umount2(dir, MNT_DETACH);
	}
	rmdir(dir);
	return rc;
}

/*
 * securityfs is not mounted: mount it in a child that has its own private mount namespace,
 * so nothing is visible outside and nothing is left behind even if we are killed.
 */
static const char *lockdown_private(void)
{
	int pfd[2];

	if (geteuid() != 0 || pipe2(pfd, O_CLOEXEC) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	if (pid == 0) {
		close(pfd[0]);
		_exit(lockdown_child(pfd[1]));
	}
	close(pfd[1]);
	char buf[128];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(buf) - 1 && (n = read(pfd[0], buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += n;
	}
	buf[len] = 0;
	close(pfd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		return "none";	/* securityfs without a lockdown file: no lockdown LSM */
	return parse_lockdown(buf);
}

const char *ftk_lockdown(void)
{
	static bool done;
	static const char *mode;

	if (done)
		return mode;
	done = true;
	char *s = ftk_read_file(SECURITYFS_DIR "/lockdown", NULL);
	if (s) {
		mode = parse_lockdown(s);
		free(s);
	} else if (errno == ENOENT && is_fs(SECURITYFS_DIR, SECURITYFS_MAGIC)) {
		mode = "none";	/* no lockdown LSM in this kernel */
	} else if (fs_known("securityfs")) {
		mode = lockdown_private();
	}
	return mode;
}

static bool lockdown_is(const char *mode)
{
	const char *l = ftk_lockdown();

	return l && strcmp(l, mode) == 0;
}

/* ---- tracefs ---- */

/* tracefs is at DIR: can we use it? */
static bool tracefs_usable(struct ftk_feature *f, const char *dir, bool mounted_now)
{
	char readme[PATH_MAX];

	snprintf(readme, sizeof(readme), "%s/README", dir);
	int fd = open(readme, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		snprintf(tracefs_path, sizeof(tracefs_path), "%s", dir);
		set_ok(f, "%s%s", dir, mounted_now ? " (mounted by ftk)" : "");
		return true;
	}
	int e = errno;
	if (e == EACCES || (geteuid() != 0 && e == EPERM))
		set_why(f, "not root: %s is readable only by root", dir);
	else if ((e == ENOENT || e == EPERM) && lockdown_is("confidentiality"))
		set_why(f, "kernel lockdown (confidentiality) hides tracefs files in %s", dir);
	else if (e == ENOENT)
		set_why(f, "%s has no tracing files (kernel lockdown?)", dir);
	else
		set_why(f, "cannot open %s: %s", readme, strerror(e));
	return false;
}

/* *denied is set when debugfs is there but not readable (not root). */
static bool try_debugfs(struct ftk_feature *f, bool *denied)
{
	bool mounted_now = false;
	struct stat st;

	if (!is_fs(DEBUGFS_DIR, DEBUGFS_MAGIC)) {
		if (geteuid() != 0 || !fs_known("debugfs") ||
		    mount("debugfs", DEBUGFS_DIR, "debugfs", 0, NULL) < 0)
			return false;
		mounted_now = true;
	}
	/* Looking up debug/tracing automounts tracefs there. */
	if (stat(DEBUGFS_DIR "/tracing", &st) < 0) {
		*denied = errno == EACCES;
		return false;
	}
	struct ftk_feature tmp = { 0 };
	if (!tracefs_usable(&tmp, DEBUGFS_DIR "/tracing", mounted_now)) {
		*denied = geteuid() != 0;
		return false;
	}
	set_ok(f, "%s (debugfs%s)", DEBUGFS_DIR "/tracing",
	       mounted_now ? ", mounted by ftk" : "");
	return true;
}

static void probe_tracefs(struct ftk_feature *f)
{
	if (is_fs(TRACEFS_DIR, TRACEFS_MAGIC)) {
		/* The debugfs path would show the same tracefs: no need to look there. */
		tracefs_usable(f, TRACEFS_DIR, false);
		return;
	}
	bool known = fs_known("tracefs");
	int merr = 0;
	if (known && exists(TRACEFS_DIR)) {
		if (geteuid() != 0)
			merr = EPERM;
		else if (mount("nodev", TRACEFS_DIR, "tracefs", 0, NULL) < 0)
			merr = errno;
		else {
			/* Mounted; if its files are hidden f->why says why. */
			tracefs_usable(f, TRACEFS_DIR, true);
			return;
		}
	}
	/* Old kernels (< 4.1) have tracefs only under debugfs. */
	bool denied = false;
	if (try_debugfs(f, &denied))
		return;
	if (denied)
		set_why(f, "not root: %s is readable only by root", DEBUGFS_DIR "/tracing");
	else if (!known && !fs_known("debugfs"))
		set_why(f, "this kernel has no tracefs (CONFIG_FTRACE/CONFIG_TRACING=n)");
	else if (!known)
		set_why(f, "this kernel has no tracefs (CONFIG_TRACING=n: none in /proc/filesystems)");
	else if (geteuid() != 0)
		set_why(f, "not root: tracefs is not mounted and only root can mount it");
	else if (merr)
		set_why(f, "cannot mount tracefs on %s: %s", TRACEFS_DIR, strerror(merr));
	else
		set_why(f, "no %s directory and no debugfs tracing directory", TRACEFS_DIR);
}

static struct tep_handle *offline_tep;

const char *ftk_tracefs(void)
{
	if (offline_tep)
		return NULL;	/* --input: nothing may be read from tracefs */
	return ftk_has(FTK_F_TRACEFS) ? tracefs_path : NULL;
}

/* ---- the other features ---- */

static int tpath(char *buf, size_t len, const char *rel)
{
	return snprintf(buf, len, "%s/%s", tracefs_path, rel);
}

/* The writes of probing, made by the guardian (started here if no session did yet). */
static int probe_write(const char *path, const char *val, bool append)
{
	ftk_guardian_start(ftk_tracefs());
	return ftk_guarded_write(path, val, append);
}

static int probe_mkdir(const char *path)
{
	ftk_guardian_start(ftk_tracefs());
	return ftk_guarded_mkdir(path);
}

static int probe_rmdir(const char *path)
{
	return ftk_guarded_rmdir(path);
}

static bool texists(const char *rel)
{
	char p[PATH_MAX];

	tpath(p, sizeof(p), rel);
	return exists(p);
}

/* Open a tracefs file without side effects (never O_TRUNC); 0 or -errno. */
static int topen(const char *rel, int flags)
{
	char p[PATH_MAX];

	tpath(p, sizeof(p), rel);
	int fd = open(p, flags | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Is TRACER a word of available_tracers (of DIR, relative to tracefs)? */
static bool has_tracer(const char *file, const char *tracer)
{
	char p[PATH_MAX];

	tpath(p, sizeof(p), file);
	char *s = ftk_read_file(p, NULL);
	bool found = false;

	if (!s)
		return false;
	char *save = NULL;
	for (char *w = strtok_r(s, " \t\n", &save); w && !found; w = strtok_r(NULL, " \t\n", &save))
		found = strcmp(w, tracer) == 0;
	free(s);
	return found;
}

static const char *not_root_why = "not checked: needs root";

static void probe_instances(struct ftk_feature *f)
{
	if (!texists("instances")) {
		set_why(f, "no instances/ directory (kernel < 3.19)");
		return;
	}
	if (geteuid() != 0) {
		set_why(f, "%s", not_root_why);
		return;
	}
	char p[PATH_MAX];
	tpath(p, sizeof(p), "instances");
	if (access(p, W_OK) < 0)
		set_why(f, "instances/ is not writable: %s", strerror(errno));
	else
		set_ok(f, "%s", "");
}

/* kprobe_events / uprobe_events / dynamic_events: present and writable (append, no trunc). */
static void probe_dynfile(struct ftk_feature *f, const char *file, const char *missing,
			  const char *lockdown_mode)
{
	if (!texists(file)) {
		set_why(f, "no %s (%s)", file, missing);
		return;
	}
	int rc = topen(file, O_WRONLY | O_APPEND);
	if (rc == 0) {
		set_ok(f, "%s", file);
		return;
	}
	if (rc == -EACCES || (rc == -EPERM && geteuid() != 0))
		set_why(f, "not root: %s is writable only by root", file);
	else if (rc == -EPERM && lockdown_mode && lockdown_is(lockdown_mode))
		set_why(f, "kernel lockdown (%s): EPERM opening %s", lockdown_mode, file);
	else if (rc == -EPERM)
		set_why(f, "blocked by policy (EPERM opening %s)", file);
	else
		set_why(f, "cannot open %s: %s", file, strerror(-rc));
}

/*
 * 3.14 (tracing/uprobes: Support ftrace_event_file base multibuffer, in the series that
 * added memory fetches to uprobes) made uprobe events write into the instances that enable
 * them; before it their records go to the top-level buffer, which ftk never reads. A test
 * uprobe on our own binary with a memory fetch tells the two apart (before: EINVAL).
 */
static void probe_uprobe_instances(struct ftk_feature *f)
{
	char exe[PATH_MAX], target[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return;
	exe[n] = 0;
	snprintf(target, sizeof(target), "%s:0x0", exe);
	if (ftk_probe_fetch_test(true, target, "x=+0(%sp):u64") == -EINVAL)
		set_why(f, "uprobe events here write only to the top-level buffer, not into "
			"instances (kernel < 3.14: no memory fetch in uprobe_events either)");
}

static void probe_function(struct ftk_feature *f)
{
	if (!has_tracer("available_tracers", "function")) {
		set_why(f, "no function tracer (CONFIG_FUNCTION_TRACER=n)");
		return;
	}
	int rc = topen("set_ftrace_filter", O_RDONLY);
	if (rc == 0)
		set_ok(f, "%s", "");
	else if (rc == -EACCES || (rc == -EPERM && geteuid() != 0))
		set_why(f, "%s", not_root_why);
	else if (rc == -EPERM && lockdown_is("confidentiality"))
		set_why(f, "kernel lockdown (confidentiality): EPERM opening set_ftrace_filter");
	else if (rc == -EPERM)
		set_why(f, "blocked by policy (EPERM opening set_ftrace_filter)");
	else if (rc == -ENOENT)
		set_why(f, "no set_ftrace_filter (CONFIG_DYNAMIC_FTRACE=n): cannot filter functions");
	else
		set_why(f, "cannot open set_ftrace_filter: %s", strerror(-rc));
}

static void probe_fgraph(struct ftk_feature *f)
{
	if (!has_tracer("available_tracers", "function_graph")) {
		set_why(f, "no function_graph in available_tracers (CONFIG_FUNCTION_GRAPH_TRACER=n)");
		return;
	}
	const struct ftk_feature *fn = ftk_feature(FTK_F_FUNCTION);
	if (!fn->ok && strstr(fn->why, "EPERM"))
		set_why(f, "%s", fn->why);	/* same gate as the function tracer */
	else
		set_ok(f, "%s", "");
}

/* No test instance could be made: no way to know, and ftk needs one anyway. */
static void infer_fgraph_instance(struct ftk_feature *f, const char *because)
{
	set_why(f, "cannot check function_graph in instances (%s)", because);
}

static void probe_fgraph_instance(struct ftk_feature *f)
{
	if (!ftk_has(FTK_F_FGRAPH)) {
		set_why(f, "no function_graph at all");
		return;
	}
	if (!ftk_has(FTK_F_INSTANCES)) {
		infer_fgraph_instance(f, "cannot create a test instance");
		return;
	}
	/* Our own namespace: ftk-<ourpid>. If it exists it is ours (our session): just read. */
	char rel[64], dir[PATH_MAX];
	snprintf(rel, sizeof(rel), "instances/ftk-%d", (int)getpid());
	tpath(dir, sizeof(dir), rel);
	bool created = false;
	int err = probe_mkdir(dir);
	if (err == 0)
		created = true;
	else if (err != -EEXIST) {
		char because[96];
		snprintf(because, sizeof(because), "test instance: %s", strerror(-err));
		infer_fgraph_instance(f, because);
		return;
	}
	char file[96];
	snprintf(file, sizeof(file), "%s/available_tracers", rel);
	if (has_tracer(file, "function_graph"))
		set_ok(f, "checked in a test instance");
	else
		set_why(f, "instances offer no function_graph (kernel < 6.11; checked in a "
			"test instance)");
	if (created && (err = probe_rmdir(dir)) < 0)
		ftk_warn("cannot remove test instance %s: %s", dir, strerror(-err));
}

static void probe_retval(struct ftk_feature *f)
{
	if (!ftk_has(FTK_F_FGRAPH))
		set_why(f, "no function_graph");
	else if (texists("options/funcgraph-retval"))
		set_ok(f, "%s", "");
	else
		/* 6.5 added it (function_graph: Support recording and printing the return
		 * value), behind CONFIG_FUNCTION_GRAPH_RETVAL */
		set_why(f, "no options/funcgraph-retval (kernel < 6.5 or "
			"CONFIG_FUNCTION_GRAPH_RETVAL=n)");
}

static void probe(enum ftk_feat id, struct ftk_feature *f)
{
	if (id == FTK_F_TRACEFS) {
		probe_tracefs(f);
		return;
	}
	const struct ftk_feature *t = ftk_feature(FTK_F_TRACEFS);
	if (!t->ok) {
		set_why(f, "not checked: no tracefs");
		return;
	}
	switch (id) {
	case FTK_F_INSTANCES:
		probe_instances(f);
		break;
	case FTK_F_KPROBES:
		probe_dynfile(f, "kprobe_events", "CONFIG_KPROBE_EVENTS=n", "confidentiality");
		break;
	case FTK_F_UPROBES:
		probe_dynfile(f, "uprobe_events", "CONFIG_UPROBE_EVENTS=n", NULL);
		if (f->ok)
			probe_uprobe_instances(f);
		break;
	case FTK_F_DYNEVENTS:
		probe_dynfile(f, "dynamic_events", "kernel < 5.0 or no dynamic event types", NULL);
		break;
	case FTK_F_FUNCTION:
		probe_function(f);
		break;
	case FTK_F_FGRAPH:
		probe_fgraph(f);
		break;
	case FTK_F_FGRAPH_INSTANCE:
		probe_fgraph_instance(f);
		break;
	case FTK_F_FGRAPH_RETVAL:
		probe_retval(f);
		break;
	case FTK_F_HIST:
		if (texists("events/sched/sched_switch/hist"))
			set_ok(f, "%s", "");
		else if (!texists("events/sched/sched_switch"))
			set_why(f, "cannot tell: no sched:sched_switch event");
		else
			set_why(f, "no hist triggers (CONFIG_HIST_TRIGGERS=n)");
		break;
	case FTK_F_SYSCALL_TP:
		if (texists("events/syscalls"))
			set_ok(f, "%s", "");
		else
			set_why(f, "no syscalls:* tracepoints (CONFIG_FTRACE_SYSCALLS=n)");
		break;
	case FTK_F_SYNTH: {
		char path[512];
		snprintf(path, sizeof(path), "%s/synthetic_events", tracefs_path);
		if (access(path, W_OK) == 0)
			set_ok(f, "%s", "");
		else if (exists(path))
			set_why(f, "synthetic_events is not writable: %s", strerror(errno));
		else if (!ftk_has(FTK_F_HIST))
			set_why(f, "no synthetic events (they come with hist triggers: none here)");
		else if (!texists("dynamic_events"))
			/* 4.17 added synthetic events to the hist triggers (always built with
			 * them); CONFIG_SYNTH_EVENTS came in 5.6, dynamic_events in 5.0: hist
			 * without synthetic_events or dynamic_events is a kernel before 4.17 */
			set_why(f, "no synthetic events (hist triggers here predate them: 4.17)");
		else
			set_why(f, "no synthetic events (CONFIG_SYNTH_EVENTS=n)");
		break;
	}
	case FTK_F_RBSTATS:
		/* every kernel with instances (3.10) has per_cpu/cpuN/stats in them */
		if (!ftk_has(FTK_F_INSTANCES))
			set_why(f, "no instances: %s", ftk_feature(FTK_F_INSTANCES)->why);
		else if (!texists("per_cpu/cpu0/stats"))
			set_why(f, "no per_cpu/cpu0/stats");
		else
			set_ok(f, "%s", "counting instances read by their ring-buffer stats");
		break;
	default:
		set_why(f, "unknown feature");
		break;
	}
}

/* ---- a recording in place of the kernel (--input) ---- */

static struct ftk_feature offline_feats[FTK_F__COUNT];
static bool offline_probed[FTK_F__COUNT];

static unsigned offline_probes;	/* FTK_OFFLINE_*: what the recording's records show */

void ftk_features_offline(struct tep_handle *tep, unsigned probes)
{
	offline_tep = tep;
	offline_probes = probes;
	ftk_no_host_pids = tep != NULL;
	memset(offline_probed, 0, sizeof(offline_probed));
}

bool ftk_features_is_offline(void)
{
	return offline_tep != NULL;
}

struct tep_handle *ftk_features_offline_tep(void)
{
	return offline_tep;
}

static bool offline_system(const char *sys)
{
	int n = tep_get_events_count(offline_tep);
	struct tep_event **evs = tep_list_events(offline_tep, TEP_EVENT_SORT_ID);

	for (int i = 0; evs && i < n; i++)
		if (!strcmp(evs[i]->system, sys))
			return true;
	return false;
}

/* What the recording holds stands for what the kernel offers: a feature is "there" when the
 * file has its events; in-kernel aggregation (hist, synthetic events) never is. */
static const struct ftk_feature *offline_feature(enum ftk_feat id)
{
	struct ftk_feature *f = &offline_feats[id];
	if (offline_probed[id])
		return f;
	offline_probed[id] = true;
	memset(f, 0, sizeof(*f));
	f->name = feat_names[id];
	bool ok;
	switch (id) {
	case FTK_F_TRACEFS:
	case FTK_F_INSTANCES:
		ok = true;
		break;
	case FTK_F_KPROBES:
		ok = offline_probes & FTK_OFFLINE_KPROBES;
		break;
	case FTK_F_UPROBES:
		ok = offline_probes & FTK_OFFLINE_UPROBES;
		break;
	case FTK_F_DYNEVENTS:
		ok = offline_probes & (FTK_OFFLINE_KPROBES | FTK_OFFLINE_UPROBES);
		break;
	case FTK_F_FUNCTION:
		ok = offline_probes & FTK_OFFLINE_FUNCTION;
		break;
	case FTK_F_FGRAPH:
	case FTK_F_FGRAPH_INSTANCE:
		ok = offline_probes & FTK_OFFLINE_FGRAPH;
		break;
	case FTK_F_FGRAPH_RETVAL: {
		struct tep_event *e = tep_find_event_by_name(offline_tep, "ftrace",
							     "funcgraph_exit");
		ok = e && tep_find_field(e, "retval");
		break;
	}
	case FTK_F_SYSCALL_TP:
		ok = offline_system("syscalls");
		break;
	default:	/* FTK_F_HIST, FTK_F_SYNTH, FTK_F_RBSTATS */
		ok = false;
		break;
	}
	if (ok)
		set_ok(f, "in the recording");
	else if (id == FTK_F_HIST || id == FTK_F_SYNTH || id == FTK_F_RBSTATS)
		set_why(f, "%s: a recording holds events, not the kernel's aggregation",
			feat_names[id]);
	else
		set_why(f, "%s: the recording holds no records of it", feat_names[id]);
	return f;
}

const struct ftk_feature *ftk_feature(enum ftk_feat id)
{
	static struct ftk_feature bad = { .name = "?", .why = "unknown feature" };

	if ((int)id <= FTK_F_NONE || id >= FTK_F__COUNT)
		return &bad;
	if (offline_tep)
		return offline_feature(id);
	struct ftk_feature *f = &feats[id];
	if (!probed[id]) {
		probed[id] = true;	/* set first: probes may consult each other */
		f->name = feat_names[id];
		probe(id, f);
	}
	return f;
}

bool ftk_tracefs_has(const char *rel)
{
	if (offline_tep)
		return false;	/* a recording has no tracefs files */
	return ftk_tracefs() && texists(rel);
}

bool ftk_tracepoint_exists(const char *sys, const char *name)
{
	if (offline_tep)
		return tep_find_event_by_name(offline_tep, sys, name) != NULL;
	if (!ftk_tracefs())
		return false;
	char rel[512];
	snprintf(rel, sizeof(rel), "events/%s/%s/format", sys, name);
	return texists(rel);
}

int ftk_tracepoint_field_size(const char *sys, const char *name, const char *field)
{
	if (offline_tep) {
		struct tep_event *e = tep_find_event_by_name(offline_tep, sys, name);
		struct tep_format_field *f = e ? tep_find_field(e, field) : NULL;
		return f ? f->size : -1;
	}
	if (!ftk_tracefs())
		return -1;
	char path[512];
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs_path, sys, name);
	char *fmt = ftk_read_file(path, NULL);
	if (!fmt)
		return -1;
	/* "\tfield:char rwbs[8];\toffset:32;\tsize:8;\tsigned:1;": the name ends the declaration */
	int size = -1;
	size_t n = strlen(field);
	char *save = NULL;
	for (char *l = strtok_r(fmt, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *decl = strstr(l, "field:"), *semi = decl ? strchr(decl, ';') : NULL;
		char *id = semi;
		while (id && id > decl && id[-1] != ' ' && id[-1] != '*')
			id--;
		if (!semi || strncmp(id, field, n) != 0 || (id[n] != ';' && id[n] != '['))
			continue;
		char *sz = strstr(semi, "size:");
		size = sz ? atoi(sz + 5) : -1;
		break;
	}
	free(fmt);
	return size;
}

/* ---- kernel ---- */

const char *ftk_kernel_release(void)
{
	static struct utsname u;
	static bool done;

	if (!done) {
		done = true;
		if (uname(&u) < 0)
			snprintf(u.release, sizeof(u.release), "unknown");
	}
	return u.release;
}

unsigned ftk_kernel_version(void)
{
	unsigned a = 0, b = 0, c = 0;

	sscanf(ftk_kernel_release(), "%u.%u.%u", &a, &b, &c);
	if (c > 255)
		c = 255;
	if (b > 255)
		b = 255;
	return a << 16 | b << 8 | c;
}

int ftk_tracefs_error(void)
{
	const struct ftk_feature *f = ftk_feature(FTK_F_TRACEFS);
	const struct ftk_access *a = ftk_access();

	if (a->level < FTK_ACCESS_READ) {
		/* Not root: the mount's mode and group, and what an admin can do (the message
		 * of the views' root check). */
		ftk_error("must be run as root: %s", a->why);
		ftk_hint("%s", a->remedy);
		return FTK_EXIT_FAIL;
	}
	ftk_error("tracefs is not usable: %s", f->why);
	if (strstr(f->why, "not root"))
		ftk_hint("run it as root (or with sudo)");
	else if (strstr(f->why, "lockdown") || lockdown_is("confidentiality"))
		ftk_hint("kernel lockdown (confidentiality) hides tracefs; boot with "
			 "lockdown=integrity (or none) to trace");
	else if (strstr(f->why, "CONFIG_"))
		ftk_hint("this kernel was built without tracing support; use a kernel with "
			 "CONFIG_FTRACE=y");
	else
		ftk_hint("mount it by hand: mount -t tracefs nodev " TRACEFS_DIR);
	return FTK_EXIT_FAIL;
}

/* ---- kprobes on the exec syscalls ---- */

/* Append DEF to kprobe_events: 0 or -errno. */
static int kprobe_def(const char *def)
{
	char p[PATH_MAX];

	tpath(p, sizeof(p), "kprobe_events");
	return probe_write(p, def, true);
}

static int kx_define(const char *sym, const char *fetch)
{
	char def[256];

	snprintf(def, sizeof(def), "p:ftk_%d/kx_test %s%s%s\n", (int)getpid(), sym,
		 fetch ? " " : "", fetch ? fetch : "");
	return kprobe_def(def);
}

static void kx_remove(void)
{
	char def[64];

	snprintf(def, sizeof(def), "-:ftk_%d/kx_test\n", (int)getpid());
	kprobe_def(def);
}

/*
 * The text of a test instance ftk-<ourpid>'s trace after act(ctx) ran with the test kprobe
 * kx_test enabled there (malloc'd); NULL with the reason in why when no test could run.
 */
static char *kx_live_trace(void (*act)(void *), void *ctx, char *why, size_t len)
{
	char rel[64], dir[PATH_MAX], en[PATH_MAX + 64], path[PATH_MAX + 8];
	pid_t me = getpid();

	snprintf(rel, sizeof(rel), "instances/ftk-%d", (int)me);
	tpath(dir, sizeof(dir), rel);
	int err = probe_mkdir(dir);
	if (err < 0) {
		snprintf(why, len, "test instance: %s", strerror(-err));
		return NULL;
	}
	snprintf(en, sizeof(en), "%s/events/ftk_%d/kx_test/enable", dir, (int)me);
	char *t = NULL;
	err = probe_write(en, "1", false);
	if (err == 0) {
		act(ctx);
		probe_write(en, "0", false);
		snprintf(path, sizeof(path), "%s/trace", dir);
		t = ftk_read_file(path, NULL);
		if (!t)
			snprintf(why, len, "cannot read the test instance's trace: %s",
				 strerror(errno));
	} else {
		snprintf(why, len, "cannot enable a test kprobe: %s", strerror(-err));
	}
	if ((err = probe_rmdir(dir)) < 0)
		ftk_warn("cannot remove test instance %s: %s", dir, strerror(-err));
	return t;
}

/* A child execs the path ctx (which does not exist). */
static void exec_marker(void *ctx)
{
	pid_t c = fork();
	if (c == 0) {
		char *av[] = { "ftk-kx", NULL }, *ev[] = { NULL };
		execve(ctx, av, ev);
		_exit(0);
	}
	int st;
	while (c > 0 && waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
}

/*
 * Before 5.5 there is no ustring; whether `string` (probe_kernel_read-based strncpy) reads
 * user memory depends on the architecture and kernel: find out with the test kprobe enabled
 * in a test instance and an exec of a path that does not exist by a child.
 */
static bool kx_live_string(char *why, size_t len)
{
	char marker[64], because[128];

	snprintf(marker, sizeof(marker), "/nonexistent/ftk-kx-%d", (int)getpid());
	char *t = kx_live_trace(exec_marker, marker, because, sizeof(because));
	bool ok = t && strstr(t, marker);
	if (!t)
		snprintf(why, len, "cannot test whether 'string' reads user memory (%s)", because);
	else if (!ok)
		snprintf(why, len, "no ustring fetch type (kernel < 5.5) and 'string' does not read "
			 "user memory here (tested with an exec)");
	free(t);
	return ok;
}

int ftk_kprobe_fires(const char *sym, void (*act)(void *), void *ctx, char *why, size_t len)
{
	if (!ftk_tracefs()) {
		snprintf(why, len, "%s", ftk_feature(FTK_F_TRACEFS)->why);
		return -ENOENT;
	}
	int err = kx_define(sym, NULL);
	if (err) {
		snprintf(why, len, "cannot kprobe %s: %s", sym, strerror(-err));
		return err;
	}
	char *t = kx_live_trace(act, ctx, why, len);
	kx_remove();
	if (!t)
		return -EAGAIN;
	/* A trace line's task is "COMM-PID" followed by blanks. */
	char task[32];
	snprintf(task, sizeof(task), "-%d ", (int)getpid());
	bool hit = strstr(t, task);
	free(t);
	return hit;
}

static void probe_kexec(struct ftk_kexec *k)
{
	/* 4.17 (x86/syscalls: struct pt_regs based calling convention) made the syscall
	 * functions __x64_sys_NAME(struct pt_regs *): di at 112, si at 104, dx at 96. Before
	 * it, sys_NAME takes the arguments in registers. */
	static const struct {
		const char *sym[2], *file[2], *argv[2];
	} conv[] = {
		{ { "__x64_sys_execve", "__x64_sys_execveat" }, { "+112(%di)", "+104(%di)" },
		  { "+104(%di)", "+96(%di)" } },
		{ { "sys_execve", "sys_execveat" }, { "%di", "%si" }, { "%si", "%dx" } },
	};
	struct utsname u;

	k->ok = false;
	if (uname(&u) == 0 && strcmp(u.machine, "x86_64") != 0) {
		snprintf(k->why, sizeof(k->why), "argument fetching is written for x86_64 (this "
			 "is %s)", u.machine);
		return;
	}
	if (!ftk_has(FTK_F_KPROBES)) {
		snprintf(k->why, sizeof(k->why), "%s", ftk_feature(FTK_F_KPROBES)->why);
		return;
	}
	size_t c;
	int err = 0;
	if (offline_tep) {
		/* a recording: its kprobes were made; only their names matter when reading */
		for (int i = 0; i < 2; i++) {
			snprintf(k->fn[i].sym, sizeof(k->fn[i].sym), "%s", conv[0].sym[i]);
			snprintf(k->fn[i].file, sizeof(k->fn[i].file), "%s", conv[0].file[i]);
			snprintf(k->fn[i].argv, sizeof(k->fn[i].argv), "%s", conv[0].argv[i]);
		}
		k->str = "ustring";
		k->ok = true;
		return;
	}
	/* Only what was made is removed: a removal of an event that does not exist is logged
	 * by the kernel ("trace_kprobe: Event ... doesn't exist."). */
	for (c = 0; c < FTK_ARRAY_SIZE(conv); c++) {
		err = kx_define(conv[c].sym[0], NULL);
		if (err == 0)
			break;
	}
	if (c < FTK_ARRAY_SIZE(conv))
		kx_remove();
	if (c == FTK_ARRAY_SIZE(conv)) {
		snprintf(k->why, sizeof(k->why), "cannot kprobe the execve syscall function "
			 "(__x64_sys_execve, sys_execve): %s", strerror(-err));
		return;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(k->fn[i].file, sizeof(k->fn[i].file), "%s", conv[c].file[i]);
		snprintf(k->fn[i].argv, sizeof(k->fn[i].argv), "%s", conv[c].argv[i]);
		/* execveat came in 3.19 */
		if (i == 0)
			snprintf(k->fn[i].sym, sizeof(k->fn[i].sym), "%s", conv[c].sym[i]);
		else if (kx_define(conv[c].sym[i], NULL) == 0) {
			snprintf(k->fn[i].sym, sizeof(k->fn[i].sym), "%s", conv[c].sym[i]);
			kx_remove();
		}
	}
	char fetch[96];
	/* 5.5 (tracing/kprobe: Add ustring type) reads user strings with "ustring" and lists
	 * it in README's fetch types. A README that lists types without it says no at once:
	 * a refused test definition is logged in dmesg before 5.6 ("trace_kprobe: Parse
	 * error"; error_log came in 5.6). */
	snprintf(fetch, sizeof(fetch), "s=+0(%s):ustring", conv[c].file[0]);
	char readme[PATH_MAX];
	tpath(readme, sizeof(readme), "README");
	char *r = ftk_read_file(readme, NULL);
	bool listed = !r || !strstr(r, "type: ") || strstr(r, "ustring");
	free(r);
	err = listed ? kx_define(conv[c].sym[0], fetch) : -EINVAL;
	if (err == 0)
		kx_remove();
	if (err == 0) {
		k->str = "ustring";
		k->ok = true;
		return;
	}
	snprintf(fetch, sizeof(fetch), "s=+0(%s):string", conv[c].file[0]);
	err = kx_define(conv[c].sym[0], fetch);
	if (err) {
		snprintf(k->why, sizeof(k->why), "kprobe_events refuses a string fetch: %s",
			 strerror(-err));
		return;
	}
	k->ok = kx_live_string(k->why, sizeof(k->why));
	kx_remove();
	if (k->ok)
		k->str = "string";
}

const struct ftk_kexec *ftk_kprobe_exec(void)
{
	static struct ftk_kexec k;
	static bool done;

	if (!done) {
		done = true;
		probe_kexec(&k);
	}
	return &k;
}

int ftk_probe_fetch_test(bool uprobe, const char *target, const char *fetch)
{
	char p[PATH_MAX], def[512], rm[64];

	if (offline_tep)
		return 0;	/* a recording: the recorder's kernel took its fetches */
	if (!ftk_tracefs())
		return -ENOENT;
	tpath(p, sizeof(p), uprobe ? "uprobe_events" : "kprobe_events");
	snprintf(def, sizeof(def), "p:ftk_%d/fx_test %s %s\n", (int)getpid(), target, fetch);
	int err = probe_write(p, def, true);
	snprintf(rm, sizeof(rm), "-:ftk_%d/fx_test\n", (int)getpid());
	if (err == 0)
		probe_write(p, rm, true);
	return err;
}

const char *ftk_fetch_x64(bool uprobe, const char *target)
{
	static int done[2];	/* 0 not tried, 1 x64, 2 u64 */

	if (!done[uprobe])
		done[uprobe] = ftk_probe_fetch_test(uprobe, target, "p=%di:x64") == -EINVAL ? 2 : 1;
	return done[uprobe] == 2 ? "u64" : "x64";
}

const char *ftk_fetch_comm(bool uprobe, const char *target, const char *name)
{
	static int done[2];	/* 0 not tried, 1 $comm, 2 none */
	static char buf[2][48];

	if (!done[uprobe])
		done[uprobe] = ftk_probe_fetch_test(uprobe, target, "c=$comm") == -EINVAL ? 2 : 1;
	if (done[uprobe] == 2)
		return "";
	snprintf(buf[uprobe], sizeof(buf[uprobe]), " %s=$comm", name);
	return buf[uprobe];
}

/* ---- hist trigger expressions ---- */

bool ftk_hist_expr(const char *sys, const char *event, char *why, size_t len)
{
	static int done;	/* 0 not probed, 1 yes, 2 no */
	char p[PATH_MAX];
	if (offline_tep) {
		snprintf(why, len, "a recording holds events, not the kernel's aggregation");
		return false;
	}

	(void)sys;
	(void)event;
	if (!done) {
		/* 5.16 (tracing: Add division and multiplication support for hist triggers,
		 * with numeric literals) documents them in README: "a numeric literal". A test
		 * trigger is no way to know: a refused one with a variable keeps 4.19's
		 * instance busy (rmdir EBUSY). */
		tpath(p, sizeof(p), "README");
		char *r = ftk_read_file(p, NULL);
		done = r && strstr(r, "numeric literal") ? 1 : 2;
		free(r);
	}
	if (done == 2 && why && len)
		snprintf(why, len, "hist triggers here take no arithmetic with constants "
			 "(common_timestamp/1000-1; README has no 'numeric literal': kernel < 5.16)");
	return done == 1;
}

/* Is `tracer` the current tracer of tracefs directory dir? */
static bool tracer_in(const char *dir, const char *tracer)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/current_tracer", dir);
	char *cur = ftk_read_file(path, NULL);
	size_t n = strlen(tracer);
	bool on = cur && strncmp(cur, tracer, n) == 0 && (cur[n] == '\n' || cur[n] == 0);
	free(cur);
	return on;
}

bool ftk_tracer_user(const char *tracer, bool any_top, char *who, size_t len)
{
	const char *root = ftk_tracefs();
	char path[1024];
	if (!root)
		return false;
	snprintf(path, sizeof(path), "%s/current_tracer", root);
	char *cur = ftk_read_file(path, NULL);
	bool busy = cur && strncmp(cur, "nop", 3) != 0 && (any_top || tracer_in(root, tracer));
	if (busy)
		snprintf(who, len, "top-level current_tracer '%.*s'", (int)strcspn(cur, "\n"), cur);
	free(cur);
	if (busy)
		return true;
	snprintf(path, sizeof(path), "%s/instances", root);
	DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/instances/%s", root, de->d_name);
		if (tracer_in(path, tracer)) {
			snprintf(who, len, "instance %s", de->d_name);
			busy = true;
			break;
		}
	}
	if (d)
		closedir(d);
	return busy;
}

char *ftk_traceable_functions(void)
{
	const char *root = ftk_tracefs();
	char path[1024];
	if (!root)
		return NULL;
	snprintf(path, sizeof(path), "%s/available_filter_functions", root);
	return ftk_read_file(path, NULL);
}
