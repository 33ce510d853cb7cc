// SPDX-License-Identifier: GPL-2.0-only
/*
 * guardian: the process that makes a session's tracefs writes and outlives a SIGKILL of it
 * (guardian.h, doc/notes/guardian.md). The two talk over two pipes (not a socket pair:
 * kernels built without CONFIG_NET, as the 4.4-4.19 guests are, have no AF_UNIX): a request
 * is a header (operation, path and value lengths) and the bytes; the answer is the
 * operation's 0 or -errno. A fatal signal is checked by the kernel in the writer's own
 * context (uprobe_register/unregister give up half-way), so a write the guardian makes is
 * made whole whatever happens to ftk. ftk ends the guardian with OP_BYE; EOF without it
 * means ftk died (however): the guardian waits for ftk to be dead, then undoes ftk's
 * namespace (ftk-PID, ftk_PID) and its journal, if any, and exits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guardian.h"
#include "journal.h"
#include "recover.h"
#include "util.h"

enum { OP_WRITE = 1, OP_APPEND, OP_MKDIR, OP_RMDIR, OP_BYE };

struct request {
	uint32_t op;
	uint32_t pathlen;
	uint32_t vallen;
};

#define MAX_LEN	(16u << 20)	/* no tracefs write comes near it */

static int chan = -1;		/* ftk's end of the request pipe */
static int answers = -1;	/* ftk's end of the answer pipe */
static pid_t guardian, owner;	/* owner: the process that forked it (ftk) */
static pthread_mutex_t chan_lock = PTHREAD_MUTEX_INITIALIZER;

pid_t ftk_guardian_pid(void)
{
	return chan >= 0 && owner == getpid() ? guardian : 0;
}

/* ---- the guardian process ---- */

static int read_all(int fd, void *p, size_t n)
{
	char *s = p;
	while (n) {
		ssize_t r = read(fd, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		s += r;
		n -= r;
	}
	return 0;
}

static int perform(uint32_t op, const char *path, const char *val)
{
	switch (op) {
	case OP_WRITE:
	case OP_APPEND:
		return ftk_write_file(path, val, op == OP_APPEND);
	case OP_MKDIR:
		return mkdir(path, 0755) < 0 ? -errno : 0;
	case OP_RMDIR:
		return rmdir(path) < 0 ? -errno : 0;
	}
	return -EINVAL;
}

/* Keep stdin/stdout off the guardian (a pipe reader must see ftk's EOF), stderr for
 * warnings, the two pipes as 3 (requests) and 4 (answers); close the rest (an fd on an
 * instance's file keeps rmdir EBUSY). */
static void close_inherited(int req, int ans)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	/* Out of the way of 3 and 4 first, then into place. */
	int r = fcntl(req, F_DUPFD, 10), a = fcntl(ans, F_DUPFD, 10);
	if (r < 0 || a < 0 || dup2(r, 3) < 0 || dup2(a, 4) < 0)
		_exit(1);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 5u, ~0u, 0u) == 0)
		return;
#endif
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		for (int fd = 5; fd < 1024; fd++)
			close(fd);
		return;
	}
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd > 4 && fd != self)
			close(fd);
	}
	closedir(d);
}

/* ftk's pid may be gone, a zombie, or (reused) another process: any of them is "dead". */
static bool main_running(pid_t pid, unsigned long long start)
{
	char state = 0;
	unsigned long long st = ftk_journal_proc_stat(pid, &state);
	return st && st == start && state != 'Z' && state != 'X';
}

static void __attribute__((noreturn)) guardian_main(int req, int ans, pid_t main_pid,
						    unsigned long long main_start,
						    const char *tracefs)
{
	/* The signals that end a view are ftk's to act on (it then asks for the cleanup
	 * writes); a group kill still ends the guardian (SIGKILL). */
	int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };
	for (size_t i = 0; i < FTK_ARRAY_SIZE(ignored); i++)
		signal(ignored[i], SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_inherited(req, ans);
	req = 3;
	ans = 4;

	bool bye = false;
	for (;;) {
		struct request rq;
		if (read_all(req, &rq, sizeof(rq)) < 0)
			break;
		if (rq.op == OP_BYE) {
			bye = true;
			break;
		}
		if (rq.pathlen > MAX_LEN || rq.vallen > MAX_LEN)
			break;
		char *path = malloc(rq.pathlen + 1), *val = malloc(rq.vallen + 1);
		if (!path || !val || read_all(req, path, rq.pathlen) < 0 ||
		    read_all(req, val, rq.vallen) < 0)
			break;
		path[rq.pathlen] = 0;
		val[rq.vallen] = 0;
		int32_t rc = perform(rq.op, path, val);
		free(path);
		free(val);
		/* ftk may be gone meanwhile (EPIPE, SIGPIPE ignored): the write is whole
		 * anyway; the EOF comes next. */
		if (write(ans, &rc, sizeof(rc)) < 0) {
			/* nothing to do */
		}
	}
	close(req);
	close(ans);
	/* A session that ended cleanly removed its journal before OP_BYE: nothing to do (ftk
	 * waits for this exit). Otherwise ftk is dying (EOF without OP_BYE: killed, even
	 * while it probed features before any session) or left a journal: wait until it is
	 * dead (its buffer fds released, or rmdir of the instance would be EBUSY), then undo
	 * what it left, its namespace included. */
	char journal[4096];
	snprintf(journal, sizeof(journal), "%s/%d.journal", ftk_journal_dir(), (int)main_pid);
	if (bye && access(journal, F_OK) < 0)
		_exit(0);
	for (int i = 0; i < 1500 && main_running(main_pid, main_start); i++)
		usleep(2000);
	for (int i = 0; i < 20; i++) {
		if (ftk_reset_session(tracefs, main_pid, i == 19) >= 0)
			break;
		usleep(50000);
	}
	_exit(0);
}

static void stop_at_exit(void)
{
	/* A process that exits with a session's journal open (armed, not closed) is as good as
	 * killed: the guardian undoes it. Otherwise (no session, dry-run) it just ends. */
	if (!ftk_journal_is_open())
		ftk_guardian_stop();
}

int ftk_guardian_start(const char *tracefs)
{
	if (chan >= 0 && owner == getpid())
		return 0;
	if (!tracefs)
		return -ENOENT;
	int rq[2], an[2];
	if (pipe2(rq, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(an, O_CLOEXEC) < 0) {
		int e = errno;
		close(rq[0]);
		close(rq[1]);
		return -e;
	}
	pid_t main_pid = getpid();
	unsigned long long main_start = ftk_journal_starttime(main_pid);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(rq[0]);
		close(rq[1]);
		close(an[0]);
		close(an[1]);
		return -e;
	}
	if (pid == 0) {
		close(rq[1]);
		close(an[0]);
		guardian_main(rq[0], an[1], main_pid, main_start, tracefs);
	}
	close(rq[0]);
	close(an[1]);
	chan = rq[1];
	answers = an[0];
	guardian = pid;
	static bool registered;
	if (!registered && atexit(stop_at_exit) == 0)
		registered = true;
	owner = main_pid;
	return 0;
}

/* write() all of it with SIGPIPE held off (the guardian may be gone): 0 or -1. A SIGPIPE
 * this raised is consumed, so a view's end-of-output handling never sees it. */
static int send_all(const void *p, size_t n)
{
	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);
	const char *s = p;
	int rc = 0;
	while (n) {
		ssize_t w = write(chan, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -1;
			break;
		}
		s += w;
		n -= w;
	}
	if (rc && !was_pending) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* The guardian's answer, or 1 when there is no guardian (any more). */
static int ask(uint32_t op, const char *path, const char *val)
{
	if (chan < 0 || owner != getpid())
		return 1;
	struct request rq = { op, strlen(path), strlen(val) };
	size_t len = sizeof(rq) + rq.pathlen + rq.vallen;
	char stackbuf[1024], *msg = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	if (!msg)
		return 1;
	memcpy(msg, &rq, sizeof(rq));
	memcpy(msg + sizeof(rq), path, rq.pathlen);
	memcpy(msg + sizeof(rq) + rq.pathlen, val, rq.vallen);
	int32_t rc = 1;
	pthread_mutex_lock(&chan_lock);
	if (send_all(msg, len) < 0 || read_all(answers, &rc, sizeof(rc)) < 0) {
		/* The guardian is gone (killed on its own): this process does the rest. */
		ftk_warn("the guardian process %d is gone: tracefs writes made here", (int)guardian);
		close(chan);
		close(answers);
		chan = answers = -1;
		waitpid(guardian, NULL, WNOHANG);
		rc = 1;
	}
	pthread_mutex_unlock(&chan_lock);
	if (msg != stackbuf)
		free(msg);
	return rc;
}

int ftk_guarded_write(const char *path, const char *val, bool append)
{
	int rc = ask(append ? OP_APPEND : OP_WRITE, path, val);
	return rc <= 0 ? rc : ftk_write_file(path, val, append);
}

int ftk_guarded_mkdir(const char *path)
{
	int rc = ask(OP_MKDIR, path, "");
	return rc <= 0 ? rc : perform(OP_MKDIR, path, "");
}

int ftk_guarded_rmdir(const char *path)
{
	int rc = ask(OP_RMDIR, path, "");
	return rc <= 0 ? rc : perform(OP_RMDIR, path, "");
}

void ftk_guardian_stop(void)
{
	if (chan < 0 || owner != getpid())
		return;
	struct request rq = { OP_BYE, 0, 0 };
	pthread_mutex_lock(&chan_lock);
	send_all(&rq, sizeof(rq));
	close(chan);
	close(answers);
	chan = answers = -1;
	pthread_mutex_unlock(&chan_lock);
	while (waitpid(guardian, NULL, 0) < 0 && errno == EINTR)
		;
	guardian = 0;
}

void ftk_guardian_forget(void)
{
	if (chan >= 0) {
		close(chan);
		close(answers);
	}
	chan = answers = -1;
	guardian = 0;
}
