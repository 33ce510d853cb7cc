/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * catalog: the tracepoints this kernel offers (tracefs events/SYSTEM/EVENT), listed, matched
 * against globs and searched for names close to a mistyped one; the traceable functions
 * (available_filter_functions) and tracers (available_tracers) for `ftk list` and the shell
 * completion.
 */
#ifndef FTK_CATALOG_H
#define FTK_CATALOG_H

#include <stdbool.h>

/* A sorted list of names (malloc'd); free with ftk_names_free. */
struct ftk_names {
	char **v;
	int n;
};
void ftk_names_free(struct ftk_names *names);

/* The event systems ("sched", "syscalls", ...) and the events of one system. An empty list
 * when tracefs or the system is not there. */
struct ftk_names ftk_catalog_systems(void);
struct ftk_names ftk_catalog_events(const char *system);

/* Is SYSTEM:EVENT an existing tracepoint (names without '/', '.' or '..')? */
bool ftk_catalog_has(const char *system, const char *event);

/* Calls fn for every tracepoint whose system and event match the fnmatch(3) globs, in sorted
 * order. Systems globs never reach unless named exactly: ftrace (its internal events cannot
 * be enabled) and other sessions' probe groups (ftk_*). Returns how many matched. */
int ftk_catalog_match(const char *system_glob, const char *event_glob,
		      void (*fn)(const char *system, const char *event, void *ctx), void *ctx);

/* One function or tracer: name ("vfs_read", "nop"); module: a function's module, "" when
 * built in or a tracer. Returns 0 to go on; anything else stops the walk and is returned. */
typedef int (*ftk_catalog_fn)(const char *name, const char *module, void *arg);

/* The traceable functions / tracers matching GLOB (fnmatch(3) on the name; NULL: all), in
 * tracefs's order. 0, or -errno when the file cannot be read (ftk_catalog_error says why;
 * -ENODEV: no usable tracefs). */
int ftk_catalog_functions(const char *glob, ftk_catalog_fn fn, void *arg);
int ftk_catalog_tracers(const char *glob, ftk_catalog_fn fn, void *arg);

/* Prints why listing WHAT ("events", "functions", "tracers") failed with err (-errno from
 * the calls above, -ENODEV when tracefs is unusable) and what would work; returns
 * FTK_EXIT_FAIL. */
int ftk_catalog_error(const char *what, int err);

#endif
