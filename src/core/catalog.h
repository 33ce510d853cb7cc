/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * catalog: the tracepoints this kernel offers (tracefs events/SYSTEM/EVENT), listed, matched
 * against globs and searched for names close to a mistyped one.
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

#endif
