// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *ftk_prog = "ftk";

/* One line on stderr: "<prog><kind>" (kind NULL: the bare "hint: " form), then the message. */
static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	char line[2048];
	int n = kind ? snprintf(line, sizeof(line), "%s%s", ftk_prog, kind)
		     : snprintf(line, sizeof(line), "hint: ");
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	/* One write so concurrent lines don't interleave. */
	fflush(stdout);
	fprintf(stderr, "%s\n", line);
}

#define FTK_MSG(name, kind)                                 \
	void name(const char *fmt, ...)                     \
	{                                                   \
		va_list ap;                                 \
		va_start(ap, fmt);                          \
		vmsg(kind, fmt, ap);                        \
		va_end(ap);                                 \
	}
FTK_MSG(ftk_error, ": error: ")
FTK_MSG(ftk_warn, ": warning: ")
FTK_MSG(ftk_info, ": ")
FTK_MSG(ftk_hint, NULL)

int ftk_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(": error: ", fmt, ap);
	va_end(ap);
	fprintf(stderr, "hint: run '%s --help' for usage\n", ftk_prog);
	return FTK_EXIT_USAGE;
}

int ftk_bad_option(char **argv)
{
	if (optopt && optopt != '?')
		return ftk_usage_error("unknown option '-%c'", optopt);
	return ftk_usage_error("unknown option '%s'", argv[optind - 1]);
}

int ftk_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int ftk_parse_long(const char *s, long min, long max, long *out)
{
	if (!s || !*s || *s == ' ')
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int ftk_parse_seconds(const char *s, double *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno || *end || !(v > 0) || !isfinite(v) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

uint64_t ftk_now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t ftk_now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void ftk_mark(const char *what)
{
	static int on = -1;
	static uint64_t t0;
	if (on < 0) {
		on = getenv("FTK_TIMING") != NULL;
		t0 = ftk_now_mono();
	}
	if (on)
		fprintf(stderr, "ftk: timing %-16s %7.1f ms\n", what, (ftk_now_mono() - t0) / 1e6);
}

void *ftk_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		ftk_error("out of memory");
		exit(FTK_EXIT_FAIL);
	}
	return p;
}

void *ftk_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p) {
		ftk_error("out of memory");
		exit(FTK_EXIT_FAIL);
	}
	return p;
}

void *ftk_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		ftk_error("out of memory");
		exit(FTK_EXIT_FAIL);
	}
	return p;
}

char *ftk_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p) {
		ftk_error("out of memory");
		exit(FTK_EXIT_FAIL);
	}
	return p;
}

void ftk_buf_reserve(struct ftk_buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->p = ftk_xrealloc(b->p, cap);
	b->cap = cap;
}

void ftk_buf_add(struct ftk_buf *b, const void *s, size_t n)
{
	ftk_buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void ftk_buf_addc(struct ftk_buf *b, char c)
{
	ftk_buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

void ftk_buf_adds(struct ftk_buf *b, const char *s)
{
	ftk_buf_add(b, s, strlen(s));
}

void ftk_buf_printf(struct ftk_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ftk_buf_reserve(b, n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void ftk_buf_reset(struct ftk_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

void ftk_buf_free(struct ftk_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

bool ftk_no_host_pids;

char *ftk_read_file(const char *path, size_t *lenp)
{
	/* --input: a recording's pids are not this host's processes */
	if (ftk_no_host_pids && !strncmp(path, "/proc/", 6) && path[6] >= '0' && path[6] <= '9') {
		errno = ENOENT;
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

int ftk_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		s += w;
		n -= w;
	}
	return 0;
}

int ftk_write_file(const char *path, const char *s, bool append)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -errno;
	size_t n = strlen(s);
	ssize_t w;
	do
		w = write(fd, s, n);
	while (w < 0 && errno == EINTR);
	int e = w < 0 ? -errno : 0;
	if (close(fd) < 0 && !e)
		e = -errno;
	return e;
}
