/* SPDX-License-Identifier: GPL-2.0-only */
/* util: messages, exit codes, number parsing, clocks, a growable string buffer. */
#ifndef FTK_UTIL_H
#define FTK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	FTK_EXIT_OK = 0,
	FTK_EXIT_FAIL = 1,	/* well formed, but cannot be done */
	FTK_EXIT_USAGE = 2,	/* malformed command line */
};

/* "ftk" or "ftk execsnoop": the prefix of every message. Set by ftk.c. */
extern const char *ftk_prog;

/* "<prog>: error: <msg>" on stderr. */
void ftk_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "hint: <msg>" on stderr. */
void ftk_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "<prog>: warning: <msg>" on stderr. */
void ftk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "<prog>: <msg>" on stderr (informational, e.g. lost events, summaries). */
void ftk_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Usage error: prints the error plus "Try 'ftk VIEW --help'." and returns FTK_EXIT_USAGE. */
int ftk_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The usage error for getopt's unknown-option case: names "-X" when getopt knows the short
 * option (also inside a group like "-xZ"), else the whole word ("--bogus"). Returns
 * FTK_EXIT_USAGE. */
int ftk_bad_option(char **argv);

/* Strict decimal parsing of the whole string: 0 on success, -1 if malformed or out of
 * [min, max]. */
int ftk_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
int ftk_parse_long(const char *s, long min, long max, long *out);
/* Seconds, integer or decimal ("2", "0.5"); > 0. */
int ftk_parse_seconds(const char *s, double *out);

/* Clocks, in nanoseconds. */
uint64_t ftk_now_mono(void);
uint64_t ftk_now_real(void);

/* Start-up profiling: with FTK_TIMING set in the environment, prints "ftk: timing WHAT
 * N.N ms" (since the first call, made by main) on stderr. */
void ftk_mark(const char *what);

/* Root check: 0 when root, else prints what this user cannot do and why (no access to tracefs,
 * read-only group access, not mounted) with the admin's remedy, and returns -1. Defined in
 * access.c, which probes the tracefs mount. */
int ftk_require_root(void);

/* Growable buffer. */
struct ftk_buf {
	char *p;
	size_t len, cap;
};
void ftk_buf_reserve(struct ftk_buf *b, size_t more);
void ftk_buf_add(struct ftk_buf *b, const void *s, size_t n);
void ftk_buf_addc(struct ftk_buf *b, char c);
void ftk_buf_adds(struct ftk_buf *b, const char *s);
void ftk_buf_printf(struct ftk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ftk_buf_reset(struct ftk_buf *b);
void ftk_buf_free(struct ftk_buf *b);
/* NUL-terminated view of the content (always valid after any add). */
static inline const char *ftk_buf_str(struct ftk_buf *b) { return b->p ? b->p : ""; }

/* Set while a recording is read (--input): ftk_read_file() refuses /proc/PID/... paths, which
 * would describe this host's processes, not the recording's. */
extern bool ftk_no_host_pids;
/* Read a whole small file into a malloc'd NUL-terminated buffer; NULL + errno on error. */
char *ftk_read_file(const char *path, size_t *len);
/* Write a string to a file (O_WRONLY|O_TRUNC unless append); 0 or -errno. */
int ftk_write_file(const char *path, const char *s, bool append);
/* Write all n bytes to fd (short writes continued, EINTR retried); 0 or -errno. */
int ftk_write_all(int fd, const void *p, size_t n);

void *ftk_xmalloc(size_t n);
void *ftk_xcalloc(size_t n, size_t m);
void *ftk_xrealloc(void *p, size_t n);
char *ftk_xstrdup(const char *s);

#define FTK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
