/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * execsnoop/argv: the arguments of exec calls, captured at entry by one probe event per
 * argument (kprobes on the exec syscalls, or uprobes on the system C library's exec
 * functions), collected per thread until the exec succeeds or fails, and completed from
 * /proc/PID/cmdline where a probe could not carry an argument.
 */
#ifndef FTK_CMD_EXECSNOOP_ARGV_H
#define FTK_CMD_EXECSNOOP_ARGV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/view.h"

struct ftk_session;
struct argv_capture;

/* Arguments captured for one thread between exec entry and its outcome. */
struct pending {
	pid_t tid;		/* 0: free slot */
	uint64_t ts;
	char *file;
	int argc;		/* -1 until the NULL pointer is seen */
	bool more_seen;		/* the argv[max_args] capture arrived */
	bool more;		/* ... and argv[max_args] was not NULL */
	char comm[16];		/* the caller's comm */
	int nseen;
	char **argv;		/* max_args slots */
	unsigned char *seen;	/* slot 0: file, 1 + k: argv[k] (k <= max_args) */
	int *arglen;
};

/* The argv shown for one exec. */
struct exec_argv {
	char **argv;		/* argc strings; NULL for one that could not be read */
	int *lens;
	int argc;
	bool truncated;		/* cut at max_args */
	const char *source;	/* "kprobe", "uprobe", "proc" or "none" */
	bool owned;		/* argv/lens belong to this struct (read from /proc) */
};

/* The backends of execsnoop, in order of preference: kprobe, uprobe, proc. */
extern const struct ftk_backend execsnoop_backends[3];
enum { EXECSNOOP_KPROBE, EXECSNOOP_UPROBE, EXECSNOOP_PROC };

struct argv_capture *argv_capture_new(unsigned long max_args);
void argv_capture_free(struct argv_capture *x);
/* Declare the capture events of a backend (nothing for proc). 0 or -errno (printed). */
int argv_capture_declare(struct argv_capture *x, struct ftk_session *s, int backend);
/* Armed: resolve the capture events' fields. */
void argv_capture_bind(struct argv_capture *x);
/* The captures of a thread, NULL when none. */
struct pending *argv_capture_find(struct argv_capture *x, pid_t tid);
/* Done with a thread's captures (its exec succeeded, failed or it exited). */
void argv_capture_done(struct argv_capture *x, struct pending *p);
/* Events were lost: captures may miss pieces, start every thread afresh. */
void argv_capture_reset(struct argv_capture *x);

/* The argv of an exec by pid that returned ret, from its captures p (may be NULL) or /proc. */
void argv_resolve(struct argv_capture *x, struct pending *p, pid_t pid, int ret,
		  struct exec_argv *out);
void exec_argv_free(struct exec_argv *e);

#endif
