// SPDX-License-Identifier: GPL-2.0-only
/*
 * recorder: a session recorded to trace.dat (recorder.h). Hot path: one memcpy of each page
 * into a per-CPU 256 KiB buffer written out when full, and per record only its common_pid
 * (a one-entry cache, then a pid table; /proc/PID/comm read once per new pid, while the
 * process most likely still exists).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "events.h"
#include "features.h"
#include "procs.h"
#include "recorder.h"
#include "session_int.h"
#include "tracedat_write.h"
#include "util.h"

#define SPOOL_BUF	(256 * 1024)

struct spool {
	int fd;
	uint64_t size;		/* bytes written to fd */
	unsigned char *buf;
	size_t len;
};

struct comm {
	int pid;
	char comm[16];
};

struct ftk_recorder {
	struct ftk_recorder_opts o;
	struct ftk_session *s;
	char *dir, *base;	/* the output's directory and name */
	int ncpus;
	struct spool *spools;
	int err;		/* first spool write error (-errno) */
	bool armed, ended;
	struct ftk_tracedat td;
	unsigned long long events, lost;
	unsigned long long *lost_cpu;
	struct ftk_ptable *seen;	/* pids seen in records (pid 0, the idle task, never) */
	int last_pid;
	struct comm *comms;
	size_t ncomms;
};

/* ---- files ---- */

/* An unlinked file in dir: O_TMPFILE, else a named file unlinked at once. -errno. */
static int tmp_file(const char *dir, const char *base, const char *what)
{
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd >= 0 ? fd : -errno;
	snprintf(path, sizeof(path), "%s/.%s.ftk-%d.%s", dir, base, (int)getpid(), what);
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

static void spool_flush(struct ftk_recorder *rec, struct spool *sp)
{
	if (!sp->len)
		return;
	if (!rec->err) {
		int e = ftk_write_all(sp->fd, sp->buf, sp->len);
		if (e) {
			rec->err = e;
			ftk_error("cannot write the recording's spool in %s: %s", rec->dir,
				  strerror(-e));
			if (e == -ENOSPC)
				ftk_hint("the file needs about twice its size while it is "
					 "assembled; give -o a file system with room");
			ftk_session_stop(rec->s);
		} else {
			sp->size += sp->len;
		}
	}
	sp->len = 0;
}

/* ---- spool hooks (session) ---- */

static void on_page(int cpu, const void *data, size_t len, void *ctx)
{
	struct ftk_recorder *rec = ctx;
	struct spool *sp;

	if (cpu < 0 || cpu >= rec->ncpus || rec->err)
		return;
	sp = &rec->spools[cpu];
	if (sp->len + len > SPOOL_BUF)
		spool_flush(rec, sp);
	if (len > SPOOL_BUF) {	/* a sub-buffer larger than the spool buffer */
		if (!rec->err) {
			int e = ftk_write_all(sp->fd, data, len);
			if (e) {
				rec->err = e;
				ftk_error("cannot write the recording's spool in %s: %s", rec->dir,
					  strerror(-e));
				ftk_session_stop(rec->s);
			} else {
				sp->size += len;
			}
		}
		return;
	}
	memcpy(sp->buf + sp->len, data, len);
	sp->len += len;
}

/* A pid first seen: its comm from /proc now, while it most likely still exists. */
static void comm_note(struct ftk_recorder *rec, int pid)
{
	char comm[16];

	if (!ftk_proc_comm(pid, comm, sizeof(comm)) || !*comm)
		return;		/* gone: saved_cmdlines may know it */
	rec->comms = ftk_xrealloc(rec->comms, (rec->ncomms + 1) * sizeof(*rec->comms));
	rec->comms[rec->ncomms].pid = pid;
	memcpy(rec->comms[rec->ncomms].comm, comm, sizeof(comm));
	rec->ncomms++;
}

static void on_rec(const struct ftk_rec *r, void *ctx)
{
	struct ftk_recorder *rec = ctx;
	int pid = ftk_rec_pid(r->data);

	rec->events++;
	if (pid == rec->last_pid || pid <= 0)
		return;
	rec->last_pid = pid;
	if (ftk_ptable_get(rec->seen, pid) || !ftk_ptable_put(rec->seen, pid))
		return;
	comm_note(rec, pid);
}

/* "pid comm" lines of saved_cmdlines, then ftk's own for pids it does not hold. */
static void build_cmdlines(struct ftk_recorder *rec, const char *saved)
{
	struct ftk_buf b = { 0 };
	int *known = NULL;
	size_t nknown = 0;

	for (const char *l = saved; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char *end;
		long pid = strtol(l, &end, 10);
		if (n && end != l && end < l + n) {
			ftk_buf_add(&b, l, n);
			ftk_buf_addc(&b, '\n');
			known = ftk_xrealloc(known, (nknown + 1) * sizeof(*known));
			known[nknown++] = (int)pid;
		}
		l += n + (nl ? 1 : 0);
	}
	for (size_t i = 0; i < rec->ncomms; i++) {
		bool have = false;
		for (size_t k = 0; k < nknown && !have; k++)
			have = known[k] == rec->comms[i].pid;
		if (!have)
			ftk_buf_printf(&b, "%d %s\n", rec->comms[i].pid, rec->comms[i].comm);
	}
	free(known);
	rec->td.cmdlines = ftk_td_blob(b.p, b.len);
}

/* The end of the run, the instance still there: flush, stats, cmdlines, loss counts. */
static void on_end(struct ftk_session *s, void *ctx)
{
	struct ftk_recorder *rec = ctx;
	char path[4096];

	for (int i = 0; i < rec->ncpus; i++)
		spool_flush(rec, &rec->spools[i]);
	for (int i = 0; i < rec->ncpus; i++) {
		struct ftk_buf b = { 0 };
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", s->dir, i);
		char *st = ftk_read_file(path, NULL);
		if (!st)
			continue;	/* not a possible CPU here */
		ftk_buf_printf(&b, "CPU: %d\n%s", i, st);
		free(st);
		ftk_td_add_option(&rec->td, FTK_TD_OPT_CPUSTAT, ftk_td_blob(b.p, b.len + 1));
		if (s->reader)
			rec->lost_cpu[i] = ftk_reader_lost_cpu(s->reader, i);
	}
	snprintf(path, sizeof(path), "%s/saved_cmdlines", s->tracefs);
	char *saved = ftk_read_file(path, NULL);
	build_cmdlines(rec, saved);
	free(saved);
	rec->lost = ftk_session_lost(s);
	rec->ended = true;
}

/* ---- life ---- */

struct ftk_recorder *ftk_recorder_new(struct ftk_session *s, const struct ftk_recorder_opts *o)
{
	struct ftk_recorder *rec;
	char *d, *b;

	if (s->hist.triggers || s->hist.synths) {
		ftk_error("this view aggregates in the kernel (hist triggers): there is no event "
			  "stream to record");
		ftk_hint("record its events with 'ftk record -e SYS:EVENT' instead");
		return NULL;
	}
	rec = ftk_xcalloc(1, sizeof(*rec));
	rec->o = *o;
	rec->s = s;
	d = ftk_xstrdup(o->path);
	b = ftk_xstrdup(o->path);
	rec->dir = ftk_xstrdup(dirname(d));
	rec->base = ftk_xstrdup(basename(b));
	free(d);
	free(b);
	rec->ncpus = s->ncpus;
	rec->last_pid = -1;
	rec->seen = ftk_ptable_new();
	rec->lost_cpu = ftk_xcalloc(rec->ncpus, sizeof(*rec->lost_cpu));
	rec->spools = ftk_xcalloc(rec->ncpus, sizeof(*rec->spools));
	for (int i = 0; i < rec->ncpus; i++)
		rec->spools[i].fd = -1;
	if (!s->opts.dry_run) {
		for (int i = 0; i < rec->ncpus; i++) {
			char what[32];
			snprintf(what, sizeof(what), "cpu%d", i);
			int fd = tmp_file(rec->dir, rec->base, what);
			if (fd < 0) {
				ftk_error("cannot create the recording's spool in %s: %s", rec->dir,
					  strerror(-fd));
				ftk_hint("give -o a path in a writable directory");
				ftk_recorder_free(rec);
				return NULL;
			}
			rec->spools[i].fd = fd;
			rec->spools[i].buf = ftk_xmalloc(SPOOL_BUF);
		}
	}
	ftk_session_spool(s, &(struct ftk_spool_ops){ .page = on_page, .rec = on_rec,
						     .end = on_end, .ctx = rec });
	return rec;
}

/* Read a tracefs file into a blob; empty when unreadable. */
static struct ftk_td_blob read_blob(const char *dir, const char *file)
{
	char path[4096];
	size_t n = 0;
	char *p;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	p = ftk_read_file(path, &n);
	return p ? ftk_td_blob(p, n) : ftk_td_blob(NULL, 0);
}

static int add_event_format(struct ftk_recorder *rec, const char *sys, const char *name)
{
	char file[1024];
	struct ftk_td_blob f;

	snprintf(file, sizeof(file), "events/%s/%s/format", sys, name);
	f = read_blob(rec->s->tracefs, file);
	if (!f.p) {
		int e = errno;
		ftk_error("cannot read the format of %s:%s: %s", sys, name, strerror(e));
		return -e;
	}
	ftk_td_add_format(&rec->td, sys, f);
	return 0;
}

int ftk_recorder_armed(struct ftk_recorder *rec, int *nevents)
{
	struct ftk_session *s = rec->s;
	glob_t g;
	char pat[4096];
	int n = 0, rc;

	rec->td.page_size = (uint32_t)s->subbuf_size;
	rec->td.ncpus = rec->ncpus;
	rec->td.header_page = read_blob(s->dir, "events/header_page");
	rec->td.header_event = read_blob(s->dir, "events/header_event");
	if (!rec->td.header_page.p || !rec->td.header_event.p) {
		ftk_error("cannot read %s/events/header_page and header_event: %s", s->dir,
			  strerror(errno));
		return -EIO;
	}
	rec->td.clock = read_blob(s->dir, "trace_clock");
	while (rec->td.clock.len && rec->td.clock.p[rec->td.clock.len - 1] == '\n')
		rec->td.clock.p[--rec->td.clock.len] = '\0';
	/* Every ftrace format (function, funcgraph_*, print, bprint ...): a few KB. */
	snprintf(pat, sizeof(pat), "%s/events/ftrace/*/format", s->tracefs);
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			size_t len;
			char *p = ftk_read_file(g.gl_pathv[i], &len);
			if (p)
				ftk_td_add_format(&rec->td, "ftrace", ftk_td_blob(p, len));
		}
		globfree(&g);
	}
	/* The enabled events, now that the dynamic ones exist; each once. */
	for (struct ftk_event *ev = s->probes.events; ev; ev = ev->next) {
		bool dup = false;
		if (ev->skipped || !ev->tep || !strcmp(ev->system, "ftrace"))
			continue;
		if (!ev->enabled && !ev->no_enable)
			continue;
		for (struct ftk_event *e = s->probes.events; e != ev && !dup; e = e->next)
			dup = e->tep && e->id == ev->id && !e->skipped && e != ev &&
			      (e->enabled || e->no_enable) && strcmp(e->system, "ftrace");
		if (dup)
			continue;
		if ((rc = add_event_format(rec, ev->system, ev->name)))
			return rc;
		n++;
	}
	if (s->user_pids) {
		ftk_error("this kernel can filter these pids only in user space (no %s): a "
			  "recording of raw pages cannot be filtered that way",
			  s->user_pids_missing ? s->user_pids_missing : "kernel pid filter");
		ftk_hint("record the whole system without -p/COMMAND (run the command beside "
			 "it), or on a kernel with %s",
			 s->user_pids_missing ? s->user_pids_missing : "set_event_pid");
		return -ENOTSUP;
	}
	rec->armed = true;
	*nevents = n;
	return 0;
}

/* Link the unlinked fd under tmp. */
static int link_fd(int fd, const char *tmp)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (linkat(fd, "", AT_FDCWD, tmp, AT_EMPTY_PATH) == 0)
		return 0;
	return -errno;
}

int ftk_recorder_finish(struct ftk_recorder *rec)
{
	struct ftk_tracedat *td = &rec->td;
	char tmp[4096];
	struct utsname u;
	int fd, rc;

	if (!rec->armed || !rec->ended)
		return 0;	/* nothing was recorded: no file */
	if (rec->err)
		return rec->err;
	td->cpu_fd = ftk_xcalloc(rec->ncpus, sizeof(int));
	td->cpu_size = ftk_xcalloc(rec->ncpus, sizeof(uint64_t));
	for (int i = 0; i < rec->ncpus; i++) {
		td->cpu_fd[i] = rec->spools[i].size ? rec->spools[i].fd : -1;
		td->cpu_size[i] = rec->spools[i].size;
	}
	td->printk = read_blob(ftk_tracefs(), "printk_formats");
	if (rec->o.kallsyms)
		td->kallsyms = read_blob("/proc", "kallsyms");	/* once: its size is what we read */
	if (uname(&u) == 0) {
		char un[1024];
		snprintf(un, sizeof(un), "%s %s %s %s %s", u.sysname, u.nodename, u.release,
			 u.version, u.machine);
		ftk_td_add_option(td, FTK_TD_OPT_UNAME, ftk_td_str(un, 1));
	}
	ftk_td_add_option(td, FTK_TD_OPT_VERSION, ftk_td_str("ftk " FTK_VERSION, 1));
	uint32_t nc = rec->ncpus;
	char *ncp = ftk_xmalloc(4);
	memcpy(ncp, &nc, 4);
	ftk_td_add_option(td, FTK_TD_OPT_CPUCOUNT, ftk_td_blob(ncp, 4));

	snprintf(tmp, sizeof(tmp), "%s/.%s.ftk-%d.tmp", rec->dir, rec->base, (int)getpid());
	bool named = false;
	fd = open(rec->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* O_TMPFILE came in 3.11 (and not every file system has it): an unlinked file
		 * cannot be linked then, so the file is written under the temporary name */
		fd = open(tmp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
		named = fd >= 0;
	}
	if (fd < 0) {
		rc = -errno;
		ftk_error("cannot create %s in %s: %s", rec->base, rec->dir, strerror(-rc));
		return rc;
	}
	rc = ftk_td_write(fd, td);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (!rc && !named) {
		rc = link_fd(fd, tmp);
		named = !rc;
	}
	if (!rc && rename(tmp, rec->o.path) < 0)
		rc = -errno;
	if (rc && named)
		unlink(tmp);
	struct stat st;
	uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	close(fd);
	if (rc) {
		ftk_error("cannot write %s: %s", rec->o.path, strerror(-rc));
		return rc;
	}
	struct ftk_buf lost = { 0 };
	for (int i = 0; i < rec->ncpus; i++)
		if (rec->lost_cpu[i])
			ftk_buf_printf(&lost, "%sCPU %d: %llu", lost.len ? ", " : " (", i,
				       rec->lost_cpu[i]);
	if (lost.len)
		ftk_buf_adds(&lost, ")");
	ftk_info("wrote %s: %llu events, %llu lost%s, %llu bytes", rec->o.path, rec->events,
		 rec->lost, ftk_buf_str(&lost), (unsigned long long)size);
	ftk_buf_free(&lost);
	return 0;
}

void ftk_recorder_free(struct ftk_recorder *rec)
{
	if (!rec)
		return;
	for (int i = 0; i < rec->ncpus; i++) {
		if (rec->spools[i].fd >= 0)
			close(rec->spools[i].fd);
		free(rec->spools[i].buf);
	}
	free(rec->td.cpu_fd);
	free(rec->td.cpu_size);
	ftk_td_free(&rec->td);
	free(rec->spools);
	free(rec->lost_cpu);
	ftk_ptable_free(rec->seen);
	free(rec->comms);
	free(rec->dir);
	free(rec->base);
	free(rec);
}
