// SPDX-License-Identifier: GPL-2.0-only
/*
 * guardian: the process that makes a session's tracefs writes and outlives a SIGKILL of it
 * (guardian.h, doc/notes/guardian.md). The two talk over a stream socket: a request is a
 * header (operation, append flag, path and value lengths) and the bytes; the answer is the
 * operation's 0 or -errno. A fatal signal is checked by the kernel in the writer's own
 * context (uprobe_register/unregister give up half-way), so a write the guardian makes is
 * made whole whatever happens to ftk. When the socket reports EOF (ftk exited, however), the
 * guardian waits for ftk to be dead, undoes its journal if one is left, and exits.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guardian.h"
#include "journal.h"
#include "recover.h"
#include "util.h"

enum { OP_WRITE = 1, OP_APPEND, OP_MKDIR, OP_RMDIR };

struct request {
	uint32_t op;
	uint32_t pathlen;
	uint32_t vallen;
};

#define MAX_LEN	(16u << 20)	/* no tracefs write comes near it */

static int chan = -1;		/* ftk's end of the channel */
static pid_t guardian;
static pthread_mutex_t chan_lock = PTHREAD_MUTEX_INITIALIZER;

pid_t ftk_guardian_pid(void)
{
	return chan >= 0 ? guardian : 0;
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
 * warnings, the channel; close the rest (an fd on an instance's file keeps rmdir EBUSY). */
static void close_inherited(int sock)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	if (dup2(sock, 3) < 0)
		_exit(1);
	if (sock != 3)
		close(sock);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 4u, ~0u, 0u) == 0)
		return;
#endif
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		for (int fd = 4; fd < 1024; fd++)
			close(fd);
		return;
	}
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd > 3 && fd != self)
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

static void __attribute__((noreturn)) guardian_main(int sock, pid_t main_pid,
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
	close_inherited(sock);
	sock = 3;

	for (;;) {
		struct request rq;
		if (read_all(sock, &rq, sizeof(rq)) < 0)
			break;
		if (rq.pathlen > MAX_LEN || rq.vallen > MAX_LEN)
			break;
		char *path = malloc(rq.pathlen + 1), *val = malloc(rq.vallen + 1);
		if (!path || !val || read_all(sock, path, rq.pathlen) < 0 ||
		    read_all(sock, val, rq.vallen) < 0)
			break;
		path[rq.pathlen] = 0;
		val[rq.vallen] = 0;
		int32_t rc = perform(rq.op, path, val);
		free(path);
		free(val);
		/* ftk may be gone meanwhile: the write is whole anyway; the EOF comes next. */
		send(sock, &rc, sizeof(rc), MSG_NOSIGNAL);
	}
	close(sock);
	/* EOF. A session that ended cleanly removed its journal first: nothing to do (ftk
	 * waits for this exit). Otherwise ftk is dying: wait until it is dead (its buffer fds
	 * released, or rmdir of the instance would be EBUSY), then undo what it left. */
	char journal[4096];
	snprintf(journal, sizeof(journal), "%s/%d.journal", ftk_journal_dir(), (int)main_pid);
	if (access(journal, F_OK) < 0)
		_exit(0);
	for (int i = 0; i < 1500 && main_running(main_pid, main_start); i++)
		usleep(2000);
	for (int i = 0; i < 20 && access(journal, F_OK) == 0; i++) {
		if (ftk_reset_session(tracefs, main_pid, i == 19) >= 0)
			break;
		usleep(50000);
	}
	_exit(0);
}

int ftk_guardian_start(const char *tracefs)
{
	if (chan >= 0)
		return 0;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid_t main_pid = getpid();
	unsigned long long main_start = ftk_journal_starttime(main_pid);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		close(sv[0]);
		guardian_main(sv[1], main_pid, main_start, tracefs);
	}
	close(sv[1]);
	chan = sv[0];
	guardian = pid;
	return 0;
}

/* The guardian's answer, or 1 when there is no guardian (any more). */
static int ask(uint32_t op, const char *path, const char *val)
{
	if (chan < 0)
		return 1;
	struct request rq = { op, strlen(path), strlen(val) };
	struct iovec iov[3] = {
		{ &rq, sizeof(rq) }, { (void *)path, rq.pathlen }, { (void *)val, rq.vallen },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };
	int32_t rc = 1;
	pthread_mutex_lock(&chan_lock);
	size_t left = sizeof(rq) + rq.pathlen + rq.vallen;
	bool ok = true;
	while (left && ok) {
		ssize_t n = sendmsg(chan, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ok = false;
			break;
		}
		left -= n;
		while (n > 0 && msg.msg_iovlen) {
			size_t take = (size_t)n < msg.msg_iov->iov_len ? (size_t)n :
									  msg.msg_iov->iov_len;
			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + take;
			msg.msg_iov->iov_len -= take;
			n -= take;
			if (!msg.msg_iov->iov_len) {
				msg.msg_iov++;
				msg.msg_iovlen--;
			}
		}
	}
	if (!ok || read_all(chan, &rc, sizeof(rc)) < 0) {
		/* The guardian is gone (killed on its own): this process does the rest. */
		ftk_warn("the guardian process %d is gone: tracefs writes made here", (int)guardian);
		close(chan);
		chan = -1;
		waitpid(guardian, NULL, WNOHANG);
		rc = 1;
	}
	pthread_mutex_unlock(&chan_lock);
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
	if (chan < 0)
		return;
	close(chan);
	chan = -1;
	while (waitpid(guardian, NULL, 0) < 0 && errno == EINTR)
		;
	guardian = 0;
}

void ftk_guardian_forget(void)
{
	if (chan >= 0)
		close(chan);
	chan = -1;
	guardian = 0;
}
