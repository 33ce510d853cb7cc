/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * opensnoop/pair: each thread's open call from its entry (syscall tracepoint) to its exit,
 * with the path a capture event read for exactly that call (same thread, same user pointer);
 * and open flags by name. No tracefs here: fed by the view's handlers, tested on its own.
 */
#ifndef FTK_CMD_OPENSNOOP_PAIR_H
#define FTK_CMD_OPENSNOOP_PAIR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The open family: the syscall events sys_enter_NAME / sys_exit_NAME. */
enum open_sys { OPEN_SYS_OPEN, OPEN_SYS_OPENAT, OPEN_SYS_OPENAT2, OPEN_SYS_CREAT, OPEN_NSYS };
extern const char *const open_sys_names[OPEN_NSYS];

/* What a capture event (or the entry's own string field) read. */
struct open_capture {
	uint64_t ptr;		/* the user pointer it read from */
	const char *s;		/* NULL: the kernel could not read it (fault) */
	int len;
	bool truncated;		/* the kernel cut it (the string ends with its "...") */
	const char *comm;	/* the caller's comm, NULL when not fetched */
};

/* One call, complete at its exit. */
struct open_call {
	pid_t tid;
	int sys;		/* enum open_sys */
	bool entered;		/* false: the exit came without its entry */
	uint64_t ts;		/* entry (or exit when no entry) */
	int dfd;		/* AT_FDCWD for open and creat */
	bool flags_known;	/* false for openat2 (its flags are in user memory) */
	uint64_t flags, mode;
	uint64_t ptr;
	long ret;		/* fd, or -errno */
	char *path;		/* NULL: unknown, see why */
	int path_len;
	bool path_truncated;
	const char *path_source;	/* the route that read it */
	const char *why;	/* path unknown: the reason */
	char comm[16];		/* from the capture, "" when none */
};

struct open_pairs;

/* source: the name of the capture route ("uprobe" ...); no_capture: why a call without a
 * capture has no path on this route. */
struct open_pairs *open_pairs_new(const char *source, const char *no_capture);
void open_pairs_free(struct open_pairs *p);

/* A capture for tid's current call (arrived after its entry: kprobes) or its next one
 * (before: uprobes on the C library). It belongs to the call whose pointer it read. */
void open_pairs_capture(struct open_pairs *p, pid_t tid, const struct open_capture *c);
/* The entry of a call (tid, sys, ts, dfd, flags, mode, ptr). own: what the entry event itself
 * carries of the string (syscall fields holding it), NULL otherwise. A pending call of the
 * thread whose exit never came is dropped. */
void open_pairs_enter(struct open_pairs *p, const struct open_call *c,
		      const struct open_capture *own);
/* The exit: fills *out with the call (entry's values, ret, path) and returns true; the caller
 * emits it, then open_call_free(out). An exit without a matching entry (tracing began during
 * the call, events lost) gives a call with entered false. */
bool open_pairs_exit(struct open_pairs *p, pid_t tid, int sys, long ret, uint64_t ts,
		     struct open_call *out);
void open_call_free(struct open_call *c);
/* Events were lost: every pending entry and capture is dropped. */
void open_pairs_reset(struct open_pairs *p);
/* The thread exited. */
void open_pairs_forget(struct open_pairs *p, pid_t tid);
/* Threads with state (tests). */
int open_pairs_count(const struct open_pairs *p);

/* The capture a syscall entry event's own string field makes (s, len as read from the record;
 * an empty string is a fault): strings longer than max bytes the kernel cut and ended with
 * "...". */
#define OPEN_SYSCALL_STRING_MAX 128
struct open_capture open_capture_of_entry(uint64_t ptr, const char *s, int len);

/* Open flags. ftk_open_flag: the value of "O_WRONLY" ... (0 for O_RDONLY), -1 if unknown. A
 * filter matches when any of its flags does: the access modes (O_RDONLY, O_WRONLY, O_RDWR)
 * compare with flags & O_ACCMODE, the others test their bits. */
long ftk_open_flag(const char *name);
bool ftk_open_flags_match(uint64_t flags, const long *filter, int n);

#endif
