// SPDX-License-Identifier: GPL-2.0-only
/*
 * journal: the crash record of a session. A live session appends (and fsyncs) one line to
 * /run/ftk/<pid>.journal before each change it makes to tracefs (through tfs.c), and removes
 * the file when it has undone them all. The first line identifies the process (pid and start
 * time: pids are reused). Reading journals back and undoing dead sessions is recover.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "util.h"

static int journal_fd = -1;
static char journal_path[PATH_MAX];
static const char *journal_dir = FTK_JOURNAL_DIR;
static pid_t journal_guardian;

void ftk_journal_guardian(pid_t pid)
{
	journal_guardian = pid;
}

void ftk_journal_set_dir(const char *dir)
{
	journal_dir = dir ? dir : FTK_JOURNAL_DIR;
}

const char *ftk_journal_dir(void)
{
	return journal_dir;
}

/* ---- hex ---- */

char *ftk_hex_encode(const char *s, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *out = ftk_xmalloc(len * 2 + 1);

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = digits[(unsigned char)s[i] & 15];
	}
	out[len * 2] = 0;
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *ftk_hex_decode(const char *hex, size_t *lenp)
{
	size_t n = strlen(hex);

	if (n % 2) {
		errno = EINVAL;
		return NULL;
	}
	char *out = ftk_xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			errno = EINVAL;
			return NULL;
		}
		out[i] = (char)(hi << 4 | lo);
	}
	out[n / 2] = 0;
	if (lenp)
		*lenp = n / 2;
	return out;
}

/* ---- /proc facts (kept here so the journal does not depend on procs.c) ---- */

unsigned long long ftk_journal_proc_stat(pid_t pid, char *state)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *s = ftk_read_file(path, NULL);
	if (!s)
		return 0;
	/* comm may hold spaces and parentheses: the fields resume after the last ')'. */
	char *p = strrchr(s, ')');
	unsigned long long st = 0;
	if (p && p[1] == ' ') {
		if (state)
			*state = p[2];
		p++;
		for (int field = 3; field < 22 && p; field++)
			p = strchr(p + 1, ' ');
		if (p)
			st = strtoull(p + 1, NULL, 10);
	}
	free(s);
	return st;
}

unsigned long long ftk_journal_starttime(pid_t pid)
{
	return ftk_journal_proc_stat(pid, NULL);
}

/* ---- writing ---- */

static bool token_ok(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			return false;
	return true;
}

static bool hex_ok(const char *s)
{
	size_t n = strlen(s);

	if (n % 2)
		return false;
	for (; *s; s++)
		if (hexval(*s) < 0)
			return false;
	return true;
}

int ftk_journal_open(void)
{
	if (journal_fd >= 0)
		return 0;
	/* mkdir -p: only the last component is ours (0700); parents as usual. */
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", journal_dir);
	for (char *sl = strchr(parent + 1, '/'); sl; sl = strchr(sl + 1, '/')) {
		*sl = 0;
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			return -errno;
		*sl = '/';
	}
	if (mkdir(journal_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	pid_t pid = getpid();
	snprintf(journal_path, sizeof(journal_path), "%s/%d.journal", journal_dir, (int)pid);
	int fd = open(journal_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	char line[160];
	int n = snprintf(line, sizeof(line), "session %d %llu\n", (int)pid,
			 ftk_journal_starttime(pid));
	if (journal_guardian > 0)
		n += snprintf(line + n, sizeof(line) - n, "guardian %d %llu\n",
			      (int)journal_guardian, ftk_journal_starttime(journal_guardian));
	int rc = ftk_write_all(fd, line, n);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (rc) {
		close(fd);
		unlink(journal_path);
		return rc;
	}
	journal_fd = fd;
	return 0;
}

int ftk_journal_add(const char *kind, const char *a, const char *b)
{
	if (journal_fd < 0)
		return -EBADF;
	/* Values must be single tokens; a global's content must be hex (ftk_hex_encode). */
	if (!kind || !token_ok(kind) || (a && !token_ok(a)) || (b && !token_ok(b)))
		return -EINVAL;
	if (strcmp(kind, "global") == 0 && (!a || (b && !hex_ok(b))))
		return -EINVAL;

	struct ftk_buf line = { 0 };
	ftk_buf_adds(&line, kind);
	if (a) {
		ftk_buf_addc(&line, ' ');
		ftk_buf_adds(&line, a);
	}
	if (b && *b) {
		ftk_buf_addc(&line, ' ');
		ftk_buf_adds(&line, b);
	}
	ftk_buf_addc(&line, '\n');
	int rc = ftk_write_all(journal_fd, line.p, line.len);
	if (!rc && fsync(journal_fd) < 0)
		rc = -errno;
	ftk_buf_free(&line);
	return rc;
}

bool ftk_journal_is_open(void)
{
	return journal_fd >= 0;
}

void ftk_journal_close(void)
{
	if (journal_fd < 0)
		return;
	close(journal_fd);
	journal_fd = -1;
	unlink(journal_path);
}

/* ---- parsing ---- */

void ftk_journal_free(struct ftk_journal *j)
{
	for (int i = 0; i < j->n; i++) {
		free(j->lines[i].kind);
		free(j->lines[i].a);
		free(j->lines[i].b);
	}
	free(j->lines);
	memset(j, 0, sizeof(*j));
}

static char *next_token(char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (!**p)
		return NULL;
	char *start = *p;
	while (**p && **p != ' ' && **p != '\t')
		(*p)++;
	if (**p)
		*(*p)++ = 0;
	return start;
}

static int parse_line(struct ftk_journal *j, char *line)
{
	char *p = line;
	char *kind = next_token(&p);
	if (!kind)
		return 0;	/* blank line */
	char *a = next_token(&p), *b = next_token(&p);
	if (next_token(&p))
		return -1;

	if (strcmp(kind, "session") == 0 || strcmp(kind, "guardian") == 0) {
		unsigned long pid;
		if (!a || !b || ftk_parse_ulong(a, 1, INT_MAX, &pid) < 0)
			return -1;
		errno = 0;
		char *end;
		unsigned long long start = strtoull(b, &end, 10);
		if (errno || *end)
			return -1;
		if (kind[0] == 's') {
			j->pid = (pid_t)pid;
			j->starttime = start;
		} else {
			j->guardian = (pid_t)pid;
			j->guardian_start = start;
		}
		return 0;
	}
	if (strcmp(kind, "instance") == 0 || strcmp(kind, "group") == 0 ||
	    strcmp(kind, "synth") == 0 || strcmp(kind, "trigger") == 0) {
		if (!a || b)
			return -1;
	} else if (strcmp(kind, "global") == 0) {
		if (!a)
			return -1;
		if (b && strcmp(b, "-") == 0)
			b = NULL;
		if (b && !hex_ok(b))
			return -1;
	} else if (strcmp(kind, "tracer") == 0) {
		if (!a || !b)
			return -1;
	} else {
		return -1;
	}
	j->lines = ftk_xrealloc(j->lines, (j->n + 1) * sizeof(*j->lines));
	struct ftk_jline *l = &j->lines[j->n++];
	l->kind = ftk_xstrdup(kind);
	l->a = ftk_xstrdup(a);
	l->b = ftk_xstrdup(b ? b : "");
	return 0;
}

int ftk_journal_parse(const char *text, struct ftk_journal *j)
{
	memset(j, 0, sizeof(*j));
	char *copy = ftk_xstrdup(text);
	char *save = NULL;
	int lineno = 0, bad = 0;

	/* strtok_r would merge empty lines, which is fine: they carry nothing. */
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (parse_line(j, line) < 0 && !bad)
			bad = lineno;
	}
	free(copy);
	return bad;
}

