// SPDX-License-Identifier: GPL-2.0-only
/*
 * session: one ftk run. It creates the run's own instance ftk-<pid> (or, for views that need
 * the global tracer, works at the top level with every change saved), journals each change
 * before making it, arms the declared probes, runs the poll loop that feeds the reader, and on
 * any end (signal, duration, command exit, broken stdout, error) drains what is left and
 * restores everything it changed.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <tracefs.h>
#include <unistd.h>

#include "features.h"
#include "field.h"
#include "guardian.h"
#include "journal.h"
#include "output.h"
#include "procs.h"
#include "recover.h"
#include "session_int.h"
#include "tracedat_read.h"
#include "util.h"

#define REORDER_NS	(10ull * 1000 * 1000)	/* hold records 10 ms for the cross-CPU merge */
#define BATCH_NS	(2ull * 1000 * 1000)	/* after a wake-up, let 2 ms of events gather */
#define STATS_NS	(200ull * 1000 * 1000)	/* read per-CPU stats every 200 ms */

static volatile sig_atomic_t sig_stop;
static volatile sig_atomic_t sig_child;
static sigset_t orig_mask;
static bool signals_set;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		sig_child = 1;
	else
		sig_stop = sig;
}

static void setup_signals(void)
{
	if (signals_set)
		return;
	sigset_t set;
	sigemptyset(&set);
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD };
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < FTK_ARRAY_SIZE(sigs); i++) {
		sigaddset(&set, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	/* Blocked except inside ppoll(): no signal is ever lost between a check and a wait,
	 * and set-up is never cut in half. */
	sigprocmask(SIG_BLOCK, &set, &orig_mask);
	signals_set = true;
}

static void restore_signals_in_child(void)
{
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD };
	for (size_t i = 0; i < FTK_ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
}

/* --input: a session with no kernel side (session_input.c reads the file). */
static struct ftk_session *session_new_input(const struct ftk_session_opts *opts)
{
	struct ftk_session *s = ftk_xcalloc(1, sizeof(*s));
	s->opts = *opts;
	s->pid = getpid();
	s->tracefs = "";
	s->dir = ftk_xstrdup("");
	s->child_go = -1;
	snprintf(s->group, sizeof(s->group), "ftk_%d", (int)s->pid);
	s->tfs = (struct ftk_tfs){ .tracefs = "", .dir = "", .group = s->group, .instance = "-" };
	ftk_probes_init(&s->probes, &s->tfs);
	s->hist.tfs = &s->tfs;
	s->ncpus = ftk_tracedat_ncpus(opts->input);
	ftk_rbcounts_init(&s->rbcounts, &s->tfs, s->ncpus);
	setup_signals();
	return s;
}

struct ftk_session *ftk_session_new(const struct ftk_session_opts *opts)
{
	if (opts->input)
		return session_new_input(opts);
	const char *tracefs = ftk_tracefs();
	if (!tracefs) {
		ftk_tracefs_error();
		return NULL;
	}
	struct ftk_session *s = ftk_xcalloc(1, sizeof(*s));
	s->opts = *opts;
	s->pid = getpid();
	s->tracefs = tracefs;
	s->child_go = -1;
	snprintf(s->inst_name, sizeof(s->inst_name), "ftk-%d", (int)s->pid);
	snprintf(s->group, sizeof(s->group), "ftk_%d", (int)s->pid);
	if (opts->top_level)
		s->dir = ftk_xstrdup(tracefs);
	else {
		size_t n = strlen(tracefs) + strlen(s->inst_name) + 16;
		s->dir = ftk_xmalloc(n);
		snprintf(s->dir, n, "%s/instances/%s", tracefs, s->inst_name);
	}
	s->tfs = (struct ftk_tfs){
		.tracefs = tracefs, .dir = s->dir, .group = s->group,
		.instance = opts->top_level ? "-" : s->inst_name,
		.dry_run = opts->dry_run, .journal = !opts->dry_run,
	};
	ftk_probes_init(&s->probes, &s->tfs);
	s->hist.tfs = &s->tfs;
	s->ncpus = get_nprocs_conf();
	ftk_rbcounts_init(&s->rbcounts, &s->tfs, s->ncpus);
	setup_signals();
	ftk_mark("tracefs");
	/* Before any tracefs write: the guardian makes them (guardian.h). Without one (fork
	 * refused), they are made here, as before. */
	if (!opts->dry_run)
		ftk_guardian_start(tracefs);
	if (!opts->dry_run) {
		int n = ftk_reset_dead(tracefs, false);
		if (n > 0)
			ftk_warn("removed %d leftover%s of dead ftk sessions (see 'ftk reset')", n,
				 n == 1 ? "" : "s");
	}
	ftk_mark("session");
	return s;
}

int ftk_session_instance_write(struct ftk_session *s, const char *file, const char *val)
{
	if (s->opts.input)
		return 0;	/* a recording: no kernel to set up */
	if (s->opts.top_level)
		return ftk_session_global_write(s, file, val);
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", s->dir, file);
	return ftk_tfs_write(&s->tfs, path, val, false);
}

char *ftk_session_instance_read(struct ftk_session *s, const char *file)
{
	if (s->opts.input) {
		errno = ENOENT;
		return NULL;
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", s->dir, file);
	return ftk_read_file(path, NULL);
}

/* ---- global (top-level) files: save, guard, restore ---- */

/* Files other tools use: refuse to take them over when not idle (unless --force). */
static const char *const guarded_files[] = {
	"current_tracer", "set_graph_function", "set_graph_notrace", "set_ftrace_filter",
	"set_ftrace_notrace", "set_ftrace_pid", "max_graph_depth", "set_event_pid",
};

/* An event's filter file ("events/SYS/EVENT/filter"): global before 3.14 (global_filters). */
static bool is_filter(const char *file)
{
	size_t n = strlen(file);
	return strncmp(file, "events/", 7) == 0 && n > 7 && strcmp(file + n - 7, "/filter") == 0;
}

static bool is_guarded(const char *file)
{
	if (is_filter(file))
		return true;
	for (size_t i = 0; i < FTK_ARRAY_SIZE(guarded_files); i++)
		if (strcmp(file, guarded_files[i]) == 0)
			return true;
	return false;
}

/* Content of a tracefs file as the value to write back to restore it (trap 15). */
static char *normalize(const char *file, const char *raw)
{
	struct ftk_buf b = { 0 };
	ftk_buf_adds(&b, "");
	if (strcmp(file, "trace_clock") == 0) {
		const char *l = strchr(raw, '['), *r = l ? strchr(l, ']') : NULL;
		if (l && r)
			ftk_buf_add(&b, l + 1, r - l - 1);
		return b.p;
	}
	if (is_filter(file)) {
		/* "none" when there is none; writing "0" removes one */
		size_t n = strcspn(raw, "\n");
		if (n == 0 || (n == 4 && strncmp(raw, "none", 4) == 0))
			ftk_buf_adds(&b, "0");
		else
			ftk_buf_add(&b, raw, n);
		return b.p;
	}
	if (strcmp(file, "buffer_size_kb") == 0) {
		const char *e = strstr(raw, "expanded: ");
		const char *num = e ? e + 10 : raw;
		size_t n = strspn(num, "0123456789");
		ftk_buf_add(&b, num, n);
		return b.p;
	}
	/* Line lists: drop comments ("#### all functions enabled ####") and "no pid". */
	const char *p = raw;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		bool skip = n == 0 || p[0] == '#' || (n == 6 && strncmp(p, "no pid", 6) == 0);
		if (!skip) {
			if (b.len)
				ftk_buf_addc(&b, '\n');
			ftk_buf_add(&b, p, n);
		}
		p += nl ? (size_t)(nl - p) + 1 : n;
	}
	return b.p;
}

static bool is_idle(const char *file, const char *norm)
{
	if (strcmp(file, "current_tracer") == 0)
		return strcmp(norm, "nop") == 0;
	if (strcmp(file, "max_graph_depth") == 0 || is_filter(file))
		return strcmp(norm, "0") == 0;
	return *norm == 0;
}

static struct ftk_global_save *find_save(struct ftk_session *s, const char *file)
{
	for (int i = 0; i < s->nglobals; i++)
		if (strcmp(s->globals[i].file, file) == 0)
			return &s->globals[i];
	return NULL;
}

/* Before the first write of a top-level FILE: refused when another tool uses it (unless
 * --force), else its content saved and journaled. 0 or -errno (printed). */
static int global_save(struct ftk_session *s, const char *file)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", s->tracefs, file);
	if (!find_save(s, file)) {
		char *raw = ftk_read_file(path, NULL);
		if (!raw) {
			int e = errno;
			if (!s->opts.dry_run) {
				ftk_error("cannot read %s: %s", path, strerror(e));
				return -e;
			}
			raw = ftk_xstrdup("");
		}
		char *norm = normalize(file, raw);
		free(raw);
		if (is_guarded(file) && !is_idle(file, norm) && !s->opts.force) {
			char shown[128];
			snprintf(shown, sizeof(shown), "%s", norm);
			for (char *c = shown; *c; c++)
				if (*c == '\n')
					*c = ' ';
			ftk_error("%s is in use by another tool (it holds '%s')", path, shown);
			ftk_hint("stop the other tracer, or pass --force to take it over (its "
				 "setting is restored when ftk exits)");
			free(norm);
			return -EBUSY;
		}
		char *hex = ftk_hex_encode(norm, strlen(norm));
		int jerr = ftk_tfs_journal(&s->tfs, "global", file, hex);
		free(hex);
		if (jerr) {
			free(norm);
			return jerr;
		}
		s->globals = ftk_xrealloc(s->globals, (s->nglobals + 1) * sizeof(*s->globals));
		s->globals[s->nglobals++] = (struct ftk_global_save){ ftk_xstrdup(file), norm,
								      strlen(norm) };
	}
	return 0;
}

int ftk_session_global_write(struct ftk_session *s, const char *file, const char *val)
{
	if (s->opts.input)
		return 0;
	int err = global_save(s, file);
	if (err)
		return err;
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", s->tracefs, file);
	err = ftk_tfs_write(&s->tfs, path, val, false);
	if (err)
		ftk_error("cannot write '%s' to %s: %s", val, path, strerror(-err));
	return err;
}

/*
 * Event filters became per instance with event triggers (3.14, "tracing: Update event
 * filters for multibuffer"); before, a tracepoint's filter is the event's own, shared by
 * the top level and every instance, and an instance's rmdir leaves it set (3.10: a -p run
 * left "common_pid == N" on raw_syscalls:sys_exit, and every later session saw nothing).
 * The events' trigger files came with that change: without one, a tracepoint's filter is a
 * global write (journaled, refused over another tool's filter unless --force, restored at
 * the end and by `ftk reset`). Our own probes' events go with their group.
 */
static bool filter_is_global(const struct ftk_event *ev)
{
	char rel[512];
	if (ev->kind != FTK_EV_TRACEPOINT)
		return false;
	snprintf(rel, sizeof(rel), "events/%s/%s/trigger", ev->system, ev->name);
	return !ftk_tracefs_has(rel);
}

/* The events that want none of ftk's own records (ftk_event_not_self): a kernel filter where
 * it is the session's own, else dropped in user space (ftk_session_dispatch). A global
 * filter would hide ftk from every other tracer and refuse a second ftk session. */
static void self_filters(struct ftk_session *s)
{
	for (struct ftk_event *ev = s->probes.events; ev; ev = ev->next) {
		if (ev->skipped || !ev->not_self)
			continue;
		if (filter_is_global(ev)) {
			ev->drop_self = true;
			continue;
		}
		struct ftk_buf b = { 0 };
		if (ev->filter)
			ftk_buf_printf(&b, "(%s) && ", ev->filter);
		ftk_buf_printf(&b, "common_pid != %d", (int)s->pid);
		free(ev->filter);
		ev->filter = b.p;
	}
}

static int global_filters(struct ftk_session *s)
{
	char rel[512];
	for (struct ftk_event *ev = s->probes.events; ev; ev = ev->next) {
		if (ev->skipped || !ev->filter || !filter_is_global(ev))
			continue;
		snprintf(rel, sizeof(rel), "events/%s/%s/filter", ev->system, ev->name);
		int rc = global_save(s, rel);
		if (rc)
			return rc == -EBUSY ? rc : -EIO;
		if (ftk_probes_write_filter(&s->probes, ev, s->tracefs))
			return -EINVAL;
	}
	return 0;
}

static void restore_globals(struct ftk_session *s)
{
	for (int i = s->nglobals - 1; i >= 0; i--) {
		struct ftk_global_save *g = &s->globals[i];
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", s->tracefs, g->file);
		int err = ftk_guarded_write(path, g->old, false);
		if (err)
			ftk_warn("cannot restore %s: %s", path, strerror(-err));
		free(g->file);
		free(g->old);
	}
	free(s->globals);
	s->globals = NULL;
	s->nglobals = 0;
}

int ftk_session_set_tracer(struct ftk_session *s, const char *tracer)
{
	int err = ftk_session_instance_write(s, "current_tracer", tracer);
	if (!err)
		s->tracer_set = true;
	if (err && err != -EBUSY) {
		if (err == -EINVAL || err == -ENODEV)
			ftk_error("the kernel has no '%s' tracer here", tracer);
		else if (err == -EPERM)
			ftk_error("the kernel refused the '%s' tracer (EPERM: policy or lockdown)",
				  tracer);
	}
	return err;
}

/* ---- instance ---- */

static int create_instance(struct ftk_session *s)
{
	int err = ftk_tfs_instance_make(&s->tfs, s->inst_name, s->dir);
	if (s->opts.dry_run)
		return 0;
	if (err) {
		if (!ftk_has(FTK_F_INSTANCES))
			ftk_hint("%s", ftk_feature(FTK_F_INSTANCES)->why);
		return -EIO;
	}
	s->inst_created = true;
	s->tfs.inst = tracefs_instance_alloc(s->tracefs, s->inst_name);
	return 0;
}

static void remove_instance(struct ftk_session *s)
{
	if (!s->inst_created)
		return;
	int err = ftk_tfs_instance_remove(s->dir, 50);
	if (err == -EBUSY)
		ftk_warn("cannot remove %s: still busy (another ftk session reading?); the next "
			 "ftk session to end or start, or 'ftk reset', removes it", s->dir);
	else if (err)
		ftk_warn("cannot remove %s: %s", s->dir, strerror(-err));
	if (s->tfs.inst)
		tracefs_instance_free(s->tfs.inst);
	s->tfs.inst = NULL;
	s->inst_created = false;
}

/* "<dir>/<file>" in a per-thread buffer (valid until the next call in the same thread). */
static const char *ftk_path(const char *dir, const char *file)
{
	static __thread char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return path;
}

static size_t subbuf_size(struct ftk_session *s)
{
	char *v = ftk_session_instance_read(s, "buffer_subbuf_size_kb");
	size_t n = 0;
	if (v) {
		n = strtoul(v, NULL, 10) * 1024;
		free(v);
	}
	return n ? n : (size_t)getpagesize();
}

/* Does trace_clock offer "mono"? (3.10 offers local global counter uptime perf x86-tsc:
 * "mono" came with 4.0's "tracing: Add mono/mono_raw clocks" era; probed, not dated.) */
static bool has_mono_clock(struct ftk_session *s)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/trace_clock", s->dir);
	char *c = ftk_read_file(path, NULL);
	bool yes = true;	/* unreadable: try it, the write says why */
	if (c) {
		yes = false;
		char *save = NULL;
		for (char *w = strtok_r(c, " []\n", &save); w && !yes;
		     w = strtok_r(NULL, " []\n", &save))
			yes = strcmp(w, "mono") == 0;
		free(c);
	}
	return yes;
}

/*
 * No mono clock: records carry the "global" clock (sched_clock based, ns). Its offset to
 * CLOCK_MONOTONIC: a trace_marker write between two CLOCK_MONOTONIC readings, read back
 * from the instance's trace (usec precision), then the instance's buffer is cleared.
 * "global" because "local" is per CPU and not synchronized across CPUs.
 */
static int calibrate_clock(struct ftk_session *s)
{
	char path[1024], mark[64];
	snprintf(mark, sizeof(mark), "ftk-clock-%d", (int)s->pid);
	snprintf(path, sizeof(path), "%s/trace_marker", s->dir);
	uint64_t t0 = ftk_now_mono();
	int err = ftk_tfs_write(&s->tfs, path, mark, false);
	uint64_t t1 = ftk_now_mono();
	if (err) {
		ftk_error("no trace_clock 'mono' here, and no trace_marker in %s to calibrate "
			  "'global' against CLOCK_MONOTONIC: %s", s->dir, strerror(-err));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/trace", s->dir);
	char *t = ftk_read_file(path, NULL), *m = t ? strstr(t, mark) : NULL;
	double secs = -1;
	if (m) {
		/* "...  [000] ....   12.345678: tracing_mark_write: ftk-clock-N" */
		char *e = m;
		while (e > t && e[-1] != '\n')
			e--;
		char *colon = strstr(e, ": tracing_mark_write");
		if (colon) {
			char *b = colon;
			while (b > e && b[-1] != ' ')
				b--;
			secs = strtod(b, NULL);
		}
	}
	free(t);
	if (secs < 0) {
		ftk_error("no trace_clock 'mono' here, and the calibration mark was not found in %s",
			  path);
		return -1;
	}
	s->clock_off = (int64_t)((t0 + t1) / 2) - (int64_t)(secs * 1e9);
	if (!s->opts.top_level)	/* top level: the tracer switch that follows clears it */
		ftk_tfs_write(&s->tfs, path, "", false);	/* clear our own instance's buffer */
	return 0;
}

/* A write of the buffer set-up: own instance (made here, not by the guardian: these files
 * register nothing, and the set-up runs in parallel with the guardian's writes) or saved
 * top-level. */
static int buffer_write(struct ftk_session *s, const char *file, const char *val)
{
	if (s->opts.top_level)
		return ftk_session_global_write(s, file, val);
	struct ftk_tfs direct = s->tfs;
	direct.direct = true;
	return ftk_tfs_write(&direct, ftk_path(s->dir, file), val, false);
}

/* Writes for the buffer: own instance or saved top-level. */
static int setup_buffer(struct ftk_session *s)
{
	unsigned long kb = s->opts.buffer_kb ? s->opts.buffer_kb : s->opts.default_buffer_kb;
	char val[32];
	const char *clock = has_mono_clock(s) ? "mono" : "global";
	int err = buffer_write(s, "trace_clock", clock);
	if (err) {
		ftk_error("cannot set trace_clock=%s: %s", clock, strerror(-err));
		return -EIO;
	}
	if (strcmp(clock, "mono") != 0 && !s->opts.dry_run && calibrate_clock(s) < 0)
		return -EIO;
	char probe[1024];
	snprintf(probe, sizeof(probe), "%s/buffer_percent", s->dir);
	if (s->opts.dry_run || access(probe, F_OK) == 0)
		buffer_write(s, "buffer_percent", "0");
	if (kb) {
		snprintf(val, sizeof(val), "%lu", kb);
		if (s->opts.top_level)
			err = ftk_session_global_write(s, "buffer_size_kb", val);
		else
			err = ftk_tfs_instance_size(&s->tfs, s->dir, kb);
		if (err) {
			ftk_error("cannot set the buffer size to %lu KiB per CPU: %s", kb,
				  strerror(-err));
			if (err == -ENOMEM)
				ftk_hint("try a smaller -b/--buffer-kb");
			return -EIO;
		}
	}
	return 0;
}

/*
 * The buffer set-up of a fresh instance (trace_clock resets the buffer: 20-40 ms of
 * synchronize_rcu here) runs in a thread while the formats are read: it touches only the
 * instance's own files.
 */
struct buffer_job {
	struct ftk_session *s;
	pthread_t th;
	bool started;
	int rc;
};

static void *buffer_thread(void *p)
{
	struct buffer_job *j = p;
	j->rc = setup_buffer(j->s);
	return NULL;
}

static int buffer_job_join(struct buffer_job *j)
{
	if (!j->started)
		return 0;
	pthread_join(j->th, NULL);
	j->started = false;
	return j->rc;
}

/* The user-space pid filter's table (core/procs.h): one entry per pid decided, flagged
 * USER_PID_FOLLOWED or not; looked up per record in constant time. */
enum { USER_PID_FOLLOWED = 1 };

static void user_pid_follow(struct ftk_session *s, pid_t pid)
{
	struct ftk_pinfo *p = ftk_ptable_put(s->user_pids, pid);
	if (p)
		p->flags = USER_PID_FOLLOWED;
}

static bool user_pid_followed(struct ftk_session *s, pid_t pid)
{
	struct ftk_pinfo *p = ftk_ptable_get(s->user_pids, pid);
	if (p)
		return p->flags & USER_PID_FOLLOWED;
	if (!s->user_follow || pid <= 0)
		return false;
	/* its fork record may still be behind (another CPU's page, beyond the reorder window
	 * under load): ask /proc for the parent, once (a fork record seen later still wins) */
	pid_t pp = ftk_proc_ppid(pid);
	struct ftk_pinfo *parent = pp > 0 ? ftk_ptable_get(s->user_pids, pp) : NULL;
	bool yes = parent && (parent->flags & USER_PID_FOLLOWED);
	p = ftk_ptable_put(s->user_pids, pid);
	if (p)
		p->flags = yes ? USER_PID_FOLLOWED : 0;
	return yes;
}

void ftk_session_dispatch(const struct ftk_rec *r, void *ctx)
{
	struct ftk_session *s = ctx;
	struct ftk_event *ev = ftk_probes_by_id(&s->probes, ftk_rec_type(r->data));
	if (ev && ev->drop_self && ftk_rec_pid(r->data) == s->pid)
		return;
	if (s->user_pids) {
		if (!user_pid_followed(s, ftk_rec_pid(r->data)))
			return;
		/* records are merged by time: a fork comes before its child's events */
		if (s->user_follow && ev && ev == s->fork_ev && ev->tep) {
			if (!ftk_field_has(&s->fork_child))
				ftk_field_bind(&s->fork_child, ev, "child_pid");
			if (ftk_field_has(&s->fork_child))
				user_pid_follow(s, (pid_t)ftk_field_s64(&s->fork_child, r->data,
									r->size, -1));
		}
	}
	if (ev && ev->fn)
		ev->fn(ev, r, ev->ctx);
}

/* Loss lines: at most one burst a second (function_graph loses in bursts of hundreds of
 * gaps); what is held is added to the next burst, and printed before the summary. */
static void print_lost(struct ftk_session *s)
{
	bool any = false;
	for (int c = 0; c < s->ncpus; c++) {
		long long n = s->lost_held[c];
		if (!n)
			continue;
		if (!any)
			ftk_out_flush();
		any = true;
		if (n > 0)
			fprintf(stderr, "ftk: lost %lld events on CPU %d\n", n, c);
		else
			fprintf(stderr, "ftk: lost events on CPU %d (count unknown)\n", c);
		s->lost_held[c] = 0;
	}
	if (any)
		s->lost_printed = ftk_now_mono();
}

void ftk_session_lost_cb(int cpu, long long count, void *ctx)
{
	struct ftk_session *s = ctx;
	if (!s->lost_held)
		s->lost_held = ftk_xcalloc(s->ncpus, sizeof(*s->lost_held));
	if (cpu >= 0 && cpu < s->ncpus) {
		long long *h = &s->lost_held[cpu];
		if (count < 0)
			*h = *h > 0 ? *h : -1;
		else
			*h = *h > 0 ? *h + count : count;
	}
	if (ftk_now_mono() - s->lost_printed >= 1000000000ull)
		print_lost(s);
	if (s->lost_fn && !s->spool.page)
		s->lost_fn(s, cpu, count, s->lost_ctx);
}

/* Spool mode: the recorder's callbacks, behind the reader's single context. */
static void session_page(int cpu, const void *data, size_t len, void *ctx)
{
	struct ftk_session *s = ctx;
	s->spool.page(cpu, data, len, s->spool.ctx);
}

static void session_spool_rec(const struct ftk_rec *r, void *ctx)
{
	struct ftk_session *s = ctx;
	s->spool.rec(r, s->spool.ctx);
}

void ftk_session_spool(struct ftk_session *s, const struct ftk_spool_ops *ops)
{
	s->spool = *ops;
}

static void undo(struct ftk_session *s);

int ftk_session_arm(struct ftk_session *s)
{
	struct buffer_job job = { .s = s };
	int rc;
	if (s->opts.input)
		return ftk_session_input_arm(s);
	if (!s->opts.dry_run) {
		ftk_journal_guardian(ftk_guardian_pid());
		int jerr = ftk_journal_open();
		if (jerr) {
			ftk_error("cannot create the session journal in %s: %s", FTK_JOURNAL_DIR,
				  strerror(-jerr));
			return -EIO;
		}
	}
	/* With an own instance, the dynamic events are made before it: making one takes the
	 * kernel's trace_types_lock, which the trace_clock write below holds through a
	 * synchronize_rcu (17-35 ms here); made first, they need not wait for it, and the
	 * formats are read while the clock is set. */
	if (!s->opts.top_level && !s->opts.dry_run) {
		rc = ftk_probes_create(&s->probes) ? -EIO : 0;
		if (rc)
			goto fail;
		ftk_mark("probes created");
	}
	if (!s->opts.top_level) {
		rc = create_instance(s);
		if (rc)
			goto fail;
	}
	if (!s->opts.dry_run) {
		s->tep = ftk_tep_new(s->tracefs);
		if (!s->tep) {
			ftk_error("cannot parse %s/events/header_page: %s", s->tracefs,
				  strerror(errno));
			rc = -EIO;
			goto fail;
		}
	}
	if (!s->opts.top_level && !s->opts.dry_run &&
	    pthread_create(&job.th, NULL, buffer_thread, &job) == 0) {
		job.started = true;
	} else {
		rc = setup_buffer(s);
		if (rc)
			goto fail;
	}
	ftk_mark("instance");
	if (!ftk_tracefs_has("set_event_pid") || !ftk_tracefs_has("options/event-fork") ||
	    !ftk_tracefs_has("options/function-fork")) {
		/* A pid filter may have to follow children in user space: it needs the forks. */
		for (struct ftk_event *ev = s->probes.events; ev; ev = ev->next)
			if (ev->kind == FTK_EV_TRACEPOINT && !strcmp(ev->system, "sched") &&
			    !strcmp(ev->name, "sched_process_fork"))
				s->fork_ev = ev;
		if (!s->fork_ev && ftk_tracepoint_exists("sched", "sched_process_fork")) {
			s->fork_ev = ftk_tracepoint(s, "sched", "sched_process_fork", NULL);
			s->fork_ev->optional = true;
		}
	}
	/* Dynamic events (unless made before the instance), formats, then filters: a filter the
	 * kernel refuses is a malformed command line. */
	rc = ftk_probes_create(&s->probes) || ftk_probes_load(&s->probes, s->tep) ? -EIO : 0;
	if (!rc) {
		self_filters(s);
		rc = global_filters(s);
	}
	if (!rc)
		rc = ftk_probes_filter(&s->probes) ? -EINVAL : 0;
	ftk_mark("probes");
	int brc = buffer_job_join(&job);
	ftk_mark("buffer");
	rc = rc ? rc : brc;
	if (!rc && ftk_hist_arm(&s->hist))
		rc = -EIO;
	if (!rc && ftk_rbcounts_arm(&s->rbcounts))
		rc = -EIO;
	if (rc)
		goto fail;
	if (s->setup_fn) {
		rc = s->setup_fn(s, s->setup_ctx);
		if (rc)
			goto fail;
	}
	if (!s->opts.dry_run) {
		s->subbuf_size = subbuf_size(s);
		struct ftk_reader_opts ro = {
			.dir = s->dir, .ncpus = s->ncpus, .subbuf_size = s->subbuf_size,
			.tep = s->tep, .reorder_ns = REORDER_NS, .unordered = s->opts.unordered,
			.dispatch = ftk_session_dispatch, .lost = ftk_session_lost_cb, .ctx = s,
			.ts_off = s->clock_off,
			.page = s->spool.page ? session_page : NULL,
			.spool_rec = s->spool.rec ? session_spool_rec : NULL,
		};
		s->reader = ftk_reader_new(&ro);
		if (!s->reader) {
			ftk_error("cannot open the per-CPU buffers of %s: %s", s->dir,
				  strerror(errno));
			rc = -EIO;
			goto fail;
		}
	}
	rc = ftk_probes_enable(&s->probes) || ftk_rbcounts_enable(&s->rbcounts) ? -EIO : 0;
	if (rc)
		goto fail;
	ftk_mark("enabled");
	if (s->opts.top_level)
		ftk_session_global_write(s, "tracing_on", "1");
	if (s->opts.dry_run) {
		undo(s);
		return FTK_ARM_DRY;
	}
	s->armed = true;
	s->start_mono = ftk_now_mono();
	s->real_off = (int64_t)(ftk_now_real() - s->start_mono);
	if (s->opts.duration > 0)
		s->end_mono = s->start_mono + (uint64_t)(s->opts.duration * 1e9);
	if (s->child_go >= 0) {
		if (write(s->child_go, "g", 1) != 1)
			ftk_warn("cannot start the command: %s", strerror(errno));
		close(s->child_go);
		s->child_go = -1;
	}
	return FTK_ARM_OK;
fail:
	buffer_job_join(&job);
	undo(s);
	return rc;
}

/* ---- run loop ---- */

static void check_child(struct ftk_session *s)
{
	if (!s->child || s->child_exited)
		return;
	int st;
	pid_t r = waitpid(s->child, &st, WNOHANG);
	if (r == s->child) {
		s->child_exited = true;
		s->child_status = st;
		s->stop = 1;
	}
}

static void timespec_from_ns(struct timespec *ts, uint64_t ns)
{
	ts->tv_sec = ns / 1000000000ull;
	ts->tv_nsec = ns % 1000000000ull;
}

void ftk_session_run(struct ftk_session *s)
{
	if (!s->armed)
		return;
	if (s->opts.input) {
		ftk_session_input_run(s);
		return;
	}
	struct pollfd *fds = ftk_xcalloc(s->ncpus + 1, sizeof(*fds));
	int nfds = ftk_reader_pollfds(s->reader, fds, s->ncpus);
	uint64_t next_stats = s->start_mono + STATS_NS;
	if (s->tick_ns && !s->next_tick)
		s->next_tick = s->start_mono + s->tick_ns;
	bool held = false;

	while (!s->stop && !sig_stop) {
		if (sig_child) {
			sig_child = 0;
			check_child(s);
			if (s->stop)
				break;
		}
		uint64_t now = ftk_now_mono();
		uint64_t wake = next_stats;
		if (held && now + REORDER_NS < wake)
			wake = now + REORDER_NS;
		if (s->next_tick && s->next_tick < wake)
			wake = s->next_tick;
		if (s->end_mono && s->end_mono < wake)
			wake = s->end_mono;
		struct timespec ts;
		timespec_from_ns(&ts, wake > now ? wake - now : 0);
		int n = ppoll(fds, nfds, &ts, &orig_mask);
		if (n < 0 && errno != EINTR)
			break;
		if (sig_stop || s->stop)
			break;
		if (n > 0) {
			/* Let a batch gather; still wakes on signals. */
			struct timespec b;
			timespec_from_ns(&b, BATCH_NS);
			ppoll(NULL, 0, &b, &orig_mask);
		}
		now = ftk_now_mono();
		ftk_reader_drain(s->reader, now, false);
		/* Records younger than the reorder window stay buffered: come back for them. */
		held = ftk_reader_pending(s->reader);
		if (now >= next_stats) {
			ftk_reader_check_stats(s->reader);
			next_stats = now + STATS_NS;
		}
		if (s->next_tick && now >= s->next_tick) {
			if (s->tick_fn && !s->spool.page)
				s->tick_fn(s, now, s->tick_ctx);
			s->next_tick += s->tick_ns;
			if (s->next_tick <= now)
				s->next_tick = now + s->tick_ns;
		}
		if (!ftk_out_flush() || ftk_out_broken())
			break;
		if (s->end_mono && now >= s->end_mono)
			break;
	}
	free(fds);
}

void ftk_session_stop(struct ftk_session *s)
{
	s->stop = 1;
}

bool ftk_session_stopping(const struct ftk_session *s)
{
	return s->stop || sig_stop;
}

/* Undo every change, in reverse order of making it. */
static void undo(struct ftk_session *s)
{
	if (s->reader) {
		ftk_reader_free(s->reader);
		s->reader = NULL;
	}
	if (s->opts.top_level)
		ftk_probes_disable(&s->probes);
	/* Triggers before the instance (rmdir is EBUSY while hist triggers exist), synthetic
	 * events after it (EBUSY while a trigger uses them). */
	ftk_hist_untrigger(&s->hist);
	/* The counting instances before the probes they hold. */
	ftk_rbcounts_remove(&s->rbcounts);
	remove_instance(s);
	ftk_probes_destroy(&s->probes);
	ftk_hist_unsynth(&s->hist);
	restore_globals(s);
	if (s->child_go >= 0) {
		/* The command never started: closing the pipe makes it exit. */
		close(s->child_go);
		s->child_go = -1;
	}
	if (!s->opts.dry_run)
		ftk_journal_close();
}

int ftk_session_close(struct ftk_session *s)
{
	if (!s)
		return -EINVAL;
	unsigned long long lost = 0, records = 0;
	bool armed = s->armed;
	if (s->opts.input) {
		/* nothing to stop or undo: the run read the window */
		if (armed && s->end_fn)
			s->end_fn(s, s->end_ctx);
		ftk_out_flush();
		if (s->lost_held)
			print_lost(s);
		ftk_session_input_end(s);
		if (armed)
			fprintf(stderr, "ftk: %llu events, %llu lost\n",
				s->in_records + s->extra_events, s->in_lost + s->extra_lost);
		armed = false;
	} else if (armed) {
		/* Stop new events, then drain what the buffers hold. */
		if (s->opts.top_level) {
			ftk_probes_disable(&s->probes);
			/* a tracer's records (function_graph) come until tracing stops; with
			 * no kernel pid filter (graph before 4.12) our own reads would feed
			 * the final drain forever. tracing_on is saved: restored at the end */
			if (s->tracer_set)
				ftk_session_global_write(s, "tracing_on", "0");
		} else
			ftk_session_instance_write(s, "tracing_on", "0");
		ftk_reader_drain(s->reader, ftk_now_mono(), true);
		ftk_reader_check_stats(s->reader);
		if (s->spool.page) {
			if (s->spool.end)
				s->spool.end(s, s->spool.ctx);
		} else if (s->end_fn)
			s->end_fn(s, s->end_ctx);
		ftk_out_flush();
		lost = ftk_reader_lost(s->reader);
		records = ftk_reader_records(s->reader);
		if (s->lost_held)
			print_lost(s);
	}
	if (!s->opts.input) {
		undo(s);
		/* Before 5.7 the pipe readers were counted per tracer, not per instance ("tracing:
		 * Move pipe reference to trace array instead of current_tracer"): rmdir of an
		 * instance is EBUSY while any other instance's trace_pipe_raw is open, so a session
		 * ending beside another leaves its instance. The last one to end removes it. */
		if (!s->opts.dry_run)
			ftk_reset_dead(s->tracefs, false);
	}
	ftk_guardian_stop();
	if (armed)
		fprintf(stderr, "ftk: %llu events, %llu lost\n", records + s->extra_events,
			lost + s->extra_lost);
	if (s->tep)
		tep_free(s->tep);
	ftk_probes_free(&s->probes);
	ftk_hist_free(&s->hist);
	ftk_rbcounts_free(&s->rbcounts);
	free(s->lost_held);
	ftk_ptable_free(s->user_pids);
	free(s->dir);
	free(s);
	return 0;
}

/* ---- callbacks and accessors ---- */

void ftk_session_on_tick(struct ftk_session *s, uint64_t interval_ns,
			 void (*fn)(struct ftk_session *, uint64_t, void *), void *ctx)
{
	s->tick_ns = interval_ns;
	s->tick_fn = fn;
	s->tick_ctx = ctx;
	s->next_tick = s->armed ? ftk_now_mono() + interval_ns : 0;
}

void ftk_session_on_lost(struct ftk_session *s,
			 void (*fn)(struct ftk_session *, int, long long, void *), void *ctx)
{
	s->lost_fn = fn;
	s->lost_ctx = ctx;
}

void ftk_session_on_setup(struct ftk_session *s, int (*fn)(struct ftk_session *, void *),
			  void *ctx)
{
	s->setup_fn = fn;
	s->setup_ctx = ctx;
}

void ftk_session_on_end(struct ftk_session *s, void (*fn)(struct ftk_session *, void *),
			void *ctx)
{
	s->end_fn = fn;
	s->end_ctx = ctx;
}

unsigned long long ftk_session_lost(const struct ftk_session *s)
{
	return (s->reader ? ftk_reader_lost(s->reader) : 0) + s->in_lost + s->extra_lost;
}

void ftk_session_count(struct ftk_session *s, unsigned long long events,
		       unsigned long long lost)
{
	s->extra_events += events;
	s->extra_lost += lost;
}

uint64_t ftk_session_mono_to_real(const struct ftk_session *s, uint64_t mono_ns)
{
	return (uint64_t)((int64_t)mono_ns + s->real_off);
}

uint64_t ftk_session_start_ts(const struct ftk_session *s)
{
	return s->start_mono;
}

int ftk_session_ncpus(const struct ftk_session *s)
{
	return s->ncpus;
}

bool ftk_session_dry_run(const struct ftk_session *s)
{
	return s->opts.dry_run;
}

const char *ftk_session_instance_name(const struct ftk_session *s)
{
	return s->opts.top_level ? "" : s->inst_name;
}

const char *ftk_session_group(const struct ftk_session *s)
{
	return s->group;
}

/* ---- commands ---- */

static bool in_path(const char *cmd)
{
	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	char buf[4096];
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", cmd);
		if (access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

pid_t ftk_session_spawn(struct ftk_session *s, char **argv)
{
	if (!argv || !argv[0]) {
		ftk_error("no command to run");
		return -1;
	}
	if (!in_path(argv[0])) {
		ftk_error("cannot run '%s': no such command", argv[0]);
		ftk_hint("give a path or a command found in PATH");
		return -1;
	}
	if (s->opts.dry_run) {
		printf("# run: %s (held until tracing is armed)\n", argv[0]);
		s->child = 0;
		return 1;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		ftk_error("pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		ftk_error("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		ftk_guardian_forget();
		restore_signals_in_child();
		char c;
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		close(p[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "ftk: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	s->child = pid;
	s->child_go = p[1];
	return pid;
}

int ftk_session_filter_pids_user(struct ftk_session *s, const pid_t *pids, int n, bool follow,
				 const char *missing)
{
	if (follow && !s->fork_ev) {
		ftk_error("cannot follow children: no sched:sched_process_fork");
		return -ENOENT;
	}
	if (!s->user_pids)
		s->user_pids = ftk_ptable_new();
	s->user_follow = follow;
	s->user_pids_missing = missing;
	for (int i = 0; i < n; i++)
		user_pid_follow(s, pids[i]);
	return 0;
}

int ftk_session_filter_pids(struct ftk_session *s, const pid_t *pids, int n, bool follow)
{
	/* set_event_pid came in 4.4, options/event-fork in 4.7: without them, filter (and
	 * follow children, from sched_process_fork) in user space */
	if (!ftk_tracefs_has("set_event_pid"))
		return ftk_session_filter_pids_user(s, pids, n, follow, "set_event_pid");
	if (follow && !ftk_tracefs_has("options/event-fork"))
		return ftk_session_filter_pids_user(s, pids, n, follow, "options/event-fork");
	struct ftk_buf b = { 0 };
	for (int i = 0; i < n; i++)
		ftk_buf_printf(&b, "%s%d", i ? " " : "", (int)pids[i]);
	int err = ftk_session_instance_write(s, "set_event_pid", ftk_buf_str(&b));
	ftk_buf_free(&b);
	if (err) {
		ftk_error("cannot set set_event_pid: %s", strerror(-err));
		return err;
	}
	if (follow) {
		err = ftk_session_instance_write(s, "options/event-fork", "1");
		if (err)
			ftk_warn("cannot follow children (options/event-fork): %s",
				 strerror(-err));
	}
	return 0;
}
