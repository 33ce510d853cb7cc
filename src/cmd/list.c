// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk list: what can be traced here, as trace-cmd list, perf list and bpftrace -l show it:
 * the kernel's events, traceable functions and tracers, an executable's functions for
 * uprobes, and (for the shell completion) the views and each view's options. One name per
 * line, or NDJSON with --json (keys in ftk-list(8)). No session: it only reads.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/elfsym.h"
#include "core/features.h"
#include "core/output.h"
#include "core/run.h"
#include "core/util.h"
#include "core/view.h"

struct list {
	const char *what;	/* events, ..., views, options, backends (categories[]) */
	const char *path;	/* uprobe-symbols: the executable; options, backends: the view */
	const char *glob;	/* NULL: everything */
	bool json;
	char **names;		/* uprobe-symbols, sorted and made unique before printing */
	size_t nnames;
};

static const char *const categories[] = {
	"events", "functions", "tracers", "uprobe-symbols", "views", "options", "backends",
};

static bool needs_view(const char *what)
{
	return !strcmp(what, "options") || !strcmp(what, "backends");
}

static int list_args(struct ftk_run *r, int argc, char **argv)
{
	struct list *l = r->state;
	bool known = false;

	for (size_t i = 0; i < FTK_ARRAY_SIZE(categories); i++)
		known |= strcmp(argv[0], categories[i]) == 0;
	if (!known)
		return ftk_usage_error("cannot list '%s' (events, functions, tracers, "
				       "uprobe-symbols, views, options or backends)", argv[0]), -EINVAL;
	l->what = argv[0];
	int want = 1;
	if (!strcmp(l->what, "uprobe-symbols") || needs_view(l->what)) {
		if (argc < 2)
			return ftk_usage_error("'list %s' needs a %s", l->what,
					       needs_view(l->what) ? "VIEW" : "PATH"), -EINVAL;
		l->path = argv[1];
		want = 2;
	}
	if (argc > want)
		l->glob = argv[want];
	if (argc > want + 1)
		return ftk_usage_error("unexpected argument '%s'", argv[want + 1]), -EINVAL;
	return 0;
}

static int list_check(struct ftk_run *r)
{
	struct list *l = r->state;

	l->json = r->json;
	if (!l->what)
		return ftk_usage_error("what to list: events, functions, tracers, "
				       "uprobe-symbols PATH, views, options VIEW or backends VIEW"),
		       -EINVAL;
	if (needs_view(l->what) && !ftk_view_find(l->path))
		return ftk_usage_error("unknown view '%s'", l->path), -EINVAL;
	return 0;
}

/* ---- printing ---- */

/*
 * One entry: TEXT as a line, or with --json one NDJSON object of the KEY, VALUE string pairs
 * that follow (a NULL value is null), ended by a NULL key. -EPIPE once stdout is gone.
 */
static int emit(const struct list *l, const char *text, ...)
{
	if (!l->json) {
		ftk_outf("%s\n", text);
		return ftk_out_broken() ? -EPIPE : 0;
	}
	struct ftk_buf b = { 0 };
	struct ftk_json j;
	const char *key;
	va_list ap;

	ftk_json_begin(&j, &b);
	va_start(ap, text);
	while ((key = va_arg(ap, const char *)))
		ftk_json_cstr(&j, key, va_arg(ap, const char *));
	va_end(ap);
	ftk_json_end(&j);
	ftk_out_buf(&b);
	ftk_buf_free(&b);
	return ftk_out_broken() ? -EPIPE : 0;
}

static int print_entry(const char *name, const char *module, void *arg)
{
	struct list *l = arg;

	if (!strcmp(l->what, "events")) {
		char system[256];
		const char *colon = strchr(name, ':');
		snprintf(system, sizeof(system), "%.*s", colon ? (int)(colon - name) : 0, name);
		return emit(l, name, "event", name, "system", system, "name",
			    colon ? colon + 1 : name, NULL);
	}
	if (!strcmp(l->what, "functions")) {
		char text[512];
		snprintf(text, sizeof(text), *module ? "%s [%s]" : "%s", name, module);
		return emit(l, text, "function", name, "module", *module ? module : NULL, NULL);
	}
	if (!strcmp(l->what, "tracers"))
		return emit(l, name, "tracer", name, NULL);
	return emit(l, name, "symbol", name, "path", l->path, NULL);
}

static void print_event(const char *system, const char *event, void *arg)
{
	struct list *l = arg;
	char name[512];

	snprintf(name, sizeof(name), "%s:%s", system, event);
	if (l->glob && !strchr(l->glob, ':') && fnmatch(l->glob, name, 0) != 0)
		return;
	print_entry(name, "", l);
}

/* GLOB "SYS:EVENT" globs each part (as trace -e); without ':' it is matched on the whole name.
 * Other sessions' probe groups (ftk_*) and ftrace's internal events show only when named. */
static int list_events(struct list *l)
{
	char system[256] = "*";
	const char *colon = l->glob ? strchr(l->glob, ':') : NULL, *event = "*";

	if (!ftk_tracefs())
		return -ENODEV;
	if (colon) {
		snprintf(system, sizeof(system), "%.*s", (int)(colon - l->glob), l->glob);
		event = colon + 1;
	}
	ftk_catalog_match(system, event, print_event, l);
	return 0;
}

static int keep_symbol(const char *name, uint64_t offset, void *arg)
{
	struct list *l = arg;

	if (l->glob && fnmatch(l->glob, name, 0) != 0)
		return 0;
	l->names = ftk_xrealloc(l->names, (l->nnames + 1) * sizeof(*l->names));
	l->names[l->nnames++] = ftk_xstrdup(name);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_symbols(struct list *l)
{
	int rc = ftk_elf_functions(l->path, keep_symbol, l);

	if (rc == -ENOEXEC) {
		ftk_error("%s is not an ELF executable or library", l->path);
		return rc;
	}
	if (rc) {
		ftk_error("cannot read %s: %s", l->path, strerror(-rc));
		return rc;
	}
	qsort(l->names, l->nnames, sizeof(*l->names), by_name);
	for (size_t i = 0; i < l->nnames; i++)
		if ((i == 0 || strcmp(l->names[i], l->names[i - 1])) &&
		    print_entry(l->names[i], "", l))
			break;
	return 0;
}

static void print_views(const struct list *l)
{
	char text[256];

	for (int i = 0; ftk_views[i]; i++) {
		const struct ftk_view *v = ftk_views[i];

		if (l->glob && fnmatch(l->glob, v->name, 0) != 0)
			continue;
		snprintf(text, sizeof(text), "%-12s %s", v->name, v->summary);
		if (emit(l, text, "view", v->name, "summary", v->summary, NULL))
			break;
	}
}

/* The view's backends in order of preference: "NAME  what it uses". */
static void print_backends(const struct list *l, const struct ftk_view *v)
{
	char text[512];

	for (size_t i = 0; i < v->nbackends; i++) {
		const struct ftk_backend *be = &v->backends[i];

		if (l->glob && fnmatch(l->glob, be->name, 0) != 0)
			continue;
		snprintf(text, sizeof(text), "%-17s %s", be->name, be->desc ? be->desc : "");
		if (emit(l, text, "view", v->name, "backend", be->name, "desc", be->desc, NULL))
			break;
	}
}

/* "-p --pid PID", "--dry-run": the words the parser takes, then the value's name. */
static void print_option(const struct ftk_option *o, void *arg)
{
	const struct list *l = arg;
	bool has_short = o->key > 0 && o->key < 128;
	char shortname[3] = { '-', has_short ? (char)o->key : 0, 0 }, text[128];

	if (l->glob && fnmatch(l->glob, o->name, 0) != 0)
		return;
	snprintf(text, sizeof(text), "%s%s--%s%s%s", has_short ? shortname : "",
		 has_short ? " " : "", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	emit(l, text, "view", l->path, "short", has_short ? shortname : NULL, "long", o->name,
	     "arg", o->arg, "help", o->help, NULL);
}

static int list_main(struct ftk_run *r)
{
	struct list *l = r->state;
	int rc = 0;

	if (!strcmp(l->what, "views")) {
		print_views(l);
	} else if (!strcmp(l->what, "options")) {
		ftk_run_options(ftk_view_find(l->path), print_option, l);
	} else if (!strcmp(l->what, "backends")) {
		print_backends(l, ftk_view_find(l->path));
	} else if (!strcmp(l->what, "uprobe-symbols")) {
		return list_symbols(l);
	} else if (!strcmp(l->what, "events")) {
		rc = list_events(l);
	} else if (!strcmp(l->what, "functions")) {
		rc = ftk_catalog_functions(l->glob, print_entry, l);
	} else {
		rc = ftk_catalog_tracers(l->glob, print_entry, l);
	}
	if (rc && rc != -EPIPE)
		return ftk_catalog_error(l->what, rc), rc == -EINVAL ? -EIO : rc;
	return 0;
}

static void list_free(struct ftk_run *r)
{
	struct list *l = r->state;

	for (size_t i = 0; i < l->nnames; i++)
		free(l->names[i]);
	free(l->names);
}

static const struct ftk_view_ops ops = {
	.args = list_args,
	.check = list_check,
	.main = list_main,
	.free = list_free,
};

const struct ftk_view ftk_view_list = {
	.name = "list",
	.summary = "list the events, functions and tracers this kernel offers",
	.description =
		"List what can be traced here, one name per line (GLOB: a shell pattern on the\n"
		"whole name, quoted):\n"
		"  events [GLOB]                tracepoints and dynamic events, SYSTEM:EVENT\n"
		"  functions [GLOB]             traceable kernel functions (for ftk graph)\n"
		"  tracers [GLOB]               the kernel's tracers\n"
		"  uprobe-symbols PATH [GLOB]   functions of an executable or library (uprobes)\n"
		"  views [GLOB]                 ftk's views\n"
		"  options VIEW [GLOB]          a view's options (used by the shell completion)\n"
		"  backends VIEW [GLOB]         a view's backends, in order of preference\n"
		"Reading tracefs needs root, or read access an admin gave a group (mount gid=).",
	.positional = "WHAT [ARG] [GLOB]",
	.examples =
		"  ftk list events 'sched:*'               # the scheduler's tracepoints\n"
		"  ftk list functions 'vfs_*'              # what ftk graph can trace\n"
		"  ftk list uprobe-symbols /bin/bash 'read*'\n"
		"  ftk list events --json | jq -r .system | sort -u\n",
	.common = FTK_OPT_JSON,
	.ops = &ops,
	.state_size = sizeof(struct list),
};
