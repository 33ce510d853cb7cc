// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk list: what can be traced here, as trace-cmd list, perf list and bpftrace -l show it:
 * the kernel's events, traceable functions and tracers, an executable's functions for
 * uprobes, and (for the shell completion) the views and each view's options. One name per
 * line, or NDJSON with --json (keys in ftk-list(8)). No session: it only reads.
 */
#include <errno.h>
#include <fnmatch.h>
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

static int print_entry(const char *name, const char *module, void *arg)
{
	struct list *l = arg;

	if (!l->json) {
		if (module && *module)
			ftk_outf("%s [%s]\n", name, module);
		else
			ftk_outf("%s\n", name);
		return ftk_out_broken() ? -EPIPE : 0;
	}
	struct ftk_buf b = { 0 };
	struct ftk_json j;
	ftk_json_begin(&j, &b);
	if (!strcmp(l->what, "events")) {
		const char *colon = strchr(name, ':');
		ftk_json_cstr(&j, "event", name);
		ftk_json_str(&j, "system", name, colon ? (size_t)(colon - name) : 0);
		ftk_json_cstr(&j, "name", colon ? colon + 1 : name);
	} else if (!strcmp(l->what, "functions")) {
		ftk_json_cstr(&j, "function", name);
		ftk_json_cstr(&j, "module", module && *module ? module : NULL);
	} else if (!strcmp(l->what, "tracers")) {
		ftk_json_cstr(&j, "tracer", name);
	} else {
		ftk_json_cstr(&j, "symbol", name);
		ftk_json_cstr(&j, "path", l->path);
	}
	ftk_json_end(&j);
	ftk_out_buf(&b);
	ftk_buf_free(&b);
	return ftk_out_broken() ? -EPIPE : 0;
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

static int keep_symbol(const char *name, void *arg)
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
		return FTK_EXIT_FAIL;
	}
	if (rc) {
		ftk_error("cannot read %s: %s", l->path, strerror(-rc));
		return FTK_EXIT_FAIL;
	}
	qsort(l->names, l->nnames, sizeof(*l->names), by_name);
	for (size_t i = 0; i < l->nnames; i++)
		if ((i == 0 || strcmp(l->names[i], l->names[i - 1])) &&
		    print_entry(l->names[i], NULL, l))
			break;
	return FTK_EXIT_OK;
}

static void print_views(struct list *l)
{
	for (int i = 0; ftk_views[i]; i++) {
		const struct ftk_view *v = ftk_views[i];

		if (l->glob && fnmatch(l->glob, v->name, 0) != 0)
			continue;
		if (!l->json) {
			ftk_outf("%-12s %s\n", v->name, v->summary);
			continue;
		}
		struct ftk_buf b = { 0 };
		struct ftk_json j;
		ftk_json_begin(&j, &b);
		ftk_json_cstr(&j, "view", v->name);
		ftk_json_cstr(&j, "summary", v->summary);
		ftk_json_end(&j);
		ftk_out_buf(&b);
		ftk_buf_free(&b);
	}
}

/* The view's backends in order of preference: "NAME  what it uses". */
static void print_backends(struct list *l, const struct ftk_view *v)
{
	for (size_t i = 0; i < v->nbackends; i++) {
		const struct ftk_backend *be = &v->backends[i];

		if (l->glob && fnmatch(l->glob, be->name, 0) != 0)
			continue;
		if (!l->json) {
			ftk_outf("%-17s %s\n", be->name, be->desc ? be->desc : "");
			continue;
		}
		struct ftk_buf b = { 0 };
		struct ftk_json j;
		ftk_json_begin(&j, &b);
		ftk_json_cstr(&j, "view", v->name);
		ftk_json_cstr(&j, "backend", be->name);
		ftk_json_cstr(&j, "desc", be->desc);
		ftk_json_end(&j);
		ftk_out_buf(&b);
		ftk_buf_free(&b);
	}
}

/* "-p --pid PID", "--dry-run": the words the parser takes, then the value's name. */
static void print_option(const struct ftk_option *o, void *arg)
{
	struct list *l = arg;
	bool has_short = o->key > 0 && o->key < 128;
	char shortname[3] = { '-', has_short ? (char)o->key : 0, 0 };

	if (l->glob && fnmatch(l->glob, o->name, 0) != 0)
		return;
	if (!l->json) {
		ftk_outf("%s%s--%s%s%s\n", has_short ? shortname : "", has_short ? " " : "",
			 o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		return;
	}
	struct ftk_buf b = { 0 };
	struct ftk_json j;
	ftk_json_begin(&j, &b);
	ftk_json_cstr(&j, "view", l->path);
	ftk_json_cstr(&j, "short", has_short ? shortname : NULL);
	ftk_json_cstr(&j, "long", o->name);
	ftk_json_cstr(&j, "arg", o->arg);
	ftk_json_cstr(&j, "help", o->help);
	ftk_json_end(&j);
	ftk_out_buf(&b);
	ftk_buf_free(&b);
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
		return ftk_catalog_error(l->what, rc);
	return FTK_EXIT_OK;
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
