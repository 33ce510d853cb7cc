/* SPDX-License-Identifier: GPL-2.0-only */
/* view: what a view (ftk execsnoop, ftk graph, ...) declares to the command table. */
#ifndef FTK_VIEW_H
#define FTK_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include "features.h"

/*
 * A backend is one way of getting a view's data from the kernel. A view lists its backends
 * in order of preference; core picks the first whose needs are met (or the one named by
 * --backend).
 */
struct ftk_backend {
	const char *name;	/* "kprobe", "uprobe", "tracepoint", ... (the --backend value) */
	const char *desc;	/* one line for `ftk features` and --help */
	/* Kernel features needed (FTK_F_NONE terminates early). */
	enum ftk_feat needs[6];
	/* Extra check (events present, libc found ...). Returns true when usable; otherwise
	 * writes why into `why`. May be NULL. */
	bool (*usable)(char *why, size_t len);
};

struct ftk_view_ops;
struct ftk_option;

/*
 * A view: what `ftk NAME` runs. Read by the command table (name, summary) and by the view
 * runner (run.h), which parses, checks, picks the backend and drives the session.
 */
struct ftk_view {
	const char *name;
	const char *summary;		/* one line for `ftk --help` */
	const char *description;	/* --help: what it shows (may hold newlines) */
	const char *positional;		/* --help synopsis of positional args, NULL: none */
	const char *examples;		/* --help: "  ftk NAME -x   # what" lines */
	unsigned common;		/* FTK_OPT_* shared options it takes (run.h) */
	const struct ftk_option *options;	/* its own, ended by a NULL name */
	const struct ftk_view_ops *ops;
	size_t state_size;		/* its state, allocated zeroed by the runner */
	const struct ftk_backend *backends;	/* in order of preference; NULL: none */
	size_t nbackends;
	unsigned long default_buffer_kb;	/* 0: the kernel's */
	/* Error when no backend is usable: "<unavailable>: <every refusal>" + hint (NULL:
	 * "'ftk features' shows what this kernel offers"). */
	const char *unavailable;
	const char *unavailable_hint;
	/* A command that parses its own command line (ftk record: a view and its options
	 * follow); ftk_run_view() hands it everything. NULL for views. */
	int (*command)(const struct ftk_view *v, int argc, char **argv);
};

/*
 * Pick a backend: the one named `forced` (error if unknown or unusable), else the first
 * usable. Returns its index or -1 with `why` describing every refusal:
 * "kprobe: no kprobe_events (CONFIG_KPROBES=n); uprobe: ...".
 * When `forced` names no backend of the view it returns -2 (a usage error: exit 2) and `why`
 * says "unknown backend 'x' (choose one of: a b)"; nothing is printed either way.
 * On success `why` still lists the refusals of the backends preferred over the pick.
 */
int ftk_backend_pick(const struct ftk_view *v, const char *forced, char *why, size_t len);
/* Is backend b usable here? why gets the reason when not. */
bool ftk_backend_usable(const struct ftk_backend *b, char *why, size_t len);

/* The command table (src/ftk.c). */
extern const struct ftk_view *const ftk_views[];
const struct ftk_view *ftk_view_find(const char *name);

#endif
