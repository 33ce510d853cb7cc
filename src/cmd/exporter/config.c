// SPDX-License-Identifier: GPL-2.0-only
/*
 * exporter/config: one configuration line (the view's own option syntax) into a collector,
 * and the default set (collectors.h, collector_int.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cmd/bio/disks.h"
#include "cmd/bio/hist_backend.h"
#include "cmd/bio/sources.h"
#include "cmd/exporter/collectors.h"
#include "cmd/exporter/expo.h"
#include "cmd/funccount/targets.h"
#include "core/counter.h"
#include "core/events.h"
#include "core/features.h"
#include "core/field.h"
#include "core/histogram.h"
#include "core/kfuncs.h"
#include "core/output.h"
#include "core/run.h"
#include "core/session.h"
#include "core/syscalls.h"
#include "core/util.h"
#include "cmd/exporter/collector_int.h"

const char *const collector_kind_names[NKINDS] = {
	"syscount", "vfsstat", "funccount", "execsnoop", "biolatency",
};

const char *const collector_defaults[] = {
	"syscount -T 100", "vfsstat", "execsnoop -T 100", "biolatency", NULL,
};

/* ---- parsing a line ---- */

enum { OPT_SYSCALLS = 's', OPT_COMM = 'c', OPT_TOP = 'T' };

static const struct option long_options[] = {
	{ "top", required_argument, NULL, 'T' },
	{ "syscalls", required_argument, NULL, 's' },
	{ "failures", no_argument, NULL, 'x' },
	{ "errno", required_argument, NULL, 'e' },
	{ "comm", required_argument, NULL, 'c' },
	{ "regexp", no_argument, NULL, 'r' },
	{ "queued", no_argument, NULL, 'Q' },
	{ "disk", required_argument, NULL, 'd' },
	{ NULL, 0, NULL, 0 },
};

/* The options each collector takes (getopt's short string). */
static const char *const kind_options[NKINDS] = {
	[SYSCOUNT] = ":T:s:xe:c:",
	[VFSSTAT] = ":c:",
	[FUNCCOUNT] = ":T:c:r",
	[EXECSNOOP] = ":T:",
	[BIOLATENCY] = ":Qd:",
};

static char *join(char **words, int n)
{
	struct ftk_buf b = { 0 };
	for (int i = 0; i < n; i++)
		ftk_buf_printf(&b, "%s%s", i ? " " : "", words[i]);
	char *s = ftk_xstrdup(ftk_buf_str(&b));
	ftk_buf_free(&b);
	return s;
}

static int comm_ok(const char *comm, const char *where)
{
	/* A task's comm is at most 15 bytes; the filter is a quoted string. */
	if (!*comm || strlen(comm) > 15 || strpbrk(comm, "\"\\\n")) {
		ftk_usage_error("%s: invalid comm '%s' (1 to 15 characters, no quotes)", where,
				comm);
		return -EINVAL;
	}
	return 0;
}

static int line_option(struct collector *c, int key, const char *arg, const char *where)
{
	char what[128];

	switch (key) {
	case 'T':
		snprintf(what, sizeof(what), "%s: -T (labels kept)", where);
		return ftk_opt_ulong(what, arg, 1, 100000, &c->top);
	case 's': {
		char *copy = ftk_xstrdup(arg), *rest = copy, *tok;
		int rc = 0;
		while (!rc && (tok = strsep(&rest, ","))) {
			long nr = ftk_syscall_nr(tok);
			if (nr < 0 && strncmp(tok, "sys_", 4) == 0)
				nr = ftk_syscall_nr(tok + 4);
			if (nr < 0) {
				ftk_usage_error("%s: unknown syscall '%s' ('ftk syscount -l' lists "
						"them)", where, tok);
				rc = -EINVAL;
				break;
			}
			c->nrs = ftk_xrealloc(c->nrs, (size_t)(c->nnrs + 1) * sizeof(*c->nrs));
			c->nrs[c->nnrs++] = nr;
		}
		free(copy);
		return rc;
	}
	case 'x':
		c->failures = true;
		return 0;
	case 'e':
		return ftk_opt_errno(arg, &c->error);
	case 'c':
		free(c->comm);
		c->comm = ftk_xstrdup(arg);
		return comm_ok(arg, where);
	case 'r':
		c->regex = true;
		return 0;
	case 'Q':
		c->queued = true;
		return 0;
	case 'd':
		free(c->disk);
		c->disk = ftk_xstrdup(arg);
		return 0;
	}
	return -EINVAL;
}

struct collector *collector_parse(char **words, int n, const char *where)
{
	int kind = 0;
	while (kind < NKINDS && strcmp(words[0], collector_kind_names[kind]) != 0)
		kind++;
	if (kind == NKINDS) {
		ftk_usage_error("%s: unknown collector '%s' (one of: syscount, vfsstat, funccount, "
				"execsnoop, biolatency)", where, words[0]);
		return NULL;
	}
	struct collector *c = ftk_xcalloc(1, sizeof(*c));
	c->kind = kind;
	c->text = join(words, n);
	c->top = kind == SYSCOUNT ? DEFAULT_SYSCALLS : kind == EXECSNOOP ? DEFAULT_COMMS
		 : DEFAULT_FUNCTIONS;

	/* getopt over a copy (it permutes), reset for each line. */
	char **argv = ftk_xcalloc((size_t)n + 1, sizeof(*argv));
	memcpy(argv, words, (size_t)n * sizeof(*argv));
	int rc = 0, key;
	optind = 0;
	opterr = 0;
	while (!rc && (key = getopt_long(n, argv, kind_options[kind], long_options, NULL)) != -1) {
		if (key == ':') {
			ftk_usage_error("%s: option '%s' needs a value", where, argv[optind - 1]);
			rc = -EINVAL;
		} else if (key == '?') {
			ftk_usage_error("%s: %s takes no option '%s'", where, words[0],
					argv[optind - 1]);
			rc = -EINVAL;
		} else {
			rc = line_option(c, key, optarg, where);
		}
	}
	for (int i = optind; !rc && i < n; i++) {
		if (kind != FUNCCOUNT) {
			ftk_usage_error("%s: unexpected argument '%s'", where, argv[i]);
			rc = -EINVAL;
			break;
		}
		c->patterns = ftk_xrealloc(c->patterns, (size_t)(c->npatterns + 1) *
					   sizeof(*c->patterns));
		c->patterns[c->npatterns++] = ftk_xstrdup(argv[i]);
	}
	if (!rc && kind == FUNCCOUNT && !c->npatterns) {
		ftk_usage_error("%s: funccount needs a pattern (e.g. 'vfs_*', c:malloc)", where);
		rc = -EINVAL;
	}
	for (int i = 0; !rc && i < c->npatterns; i++) {
		struct funccount_pattern p;
		if ((rc = funccount_pattern_parse(&p, c->patterns[i])))
			break;
		rc = funccount_pattern_check(&p, c->regex);
		funccount_pattern_free(&p);
	}
	free(argv);
	if (rc) {
		collector_free(c);
		return NULL;
	}
	return c;
}

const char *collector_name(const struct collector *c)
{
	return collector_kind_names[c->kind];
}

