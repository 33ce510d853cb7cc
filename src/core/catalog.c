// SPDX-License-Identifier: GPL-2.0-only
/* catalog: tracepoints listed from tracefs events/ (directories only: files there are
 * enable, filter, header_page ...). */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"
#include "features.h"
#include "util.h"

void ftk_names_free(struct ftk_names *names)
{
	for (int i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->v = NULL;
	names->n = 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Subdirectories of tracefs events/<sub>, sorted. */
static struct ftk_names list_dirs(const char *sub)
{
	struct ftk_names names = { 0 };
	const char *root = ftk_tracefs();
	char dir[PATH_MAX];

	if (!root)
		return names;
	snprintf(dir, sizeof(dir), "%s/events%s%s", root, sub ? "/" : "", sub ? sub : "");
	DIR *d = opendir(dir);
	if (!d)
		return names;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type != DT_DIR) {
			char path[PATH_MAX + 256];
			if (e->d_type != DT_UNKNOWN)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (!is_dir(path))
				continue;
		}
		names.v = ftk_xrealloc(names.v, (names.n + 1) * sizeof(char *));
		names.v[names.n++] = ftk_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names.v, names.n, sizeof(char *), by_name);
	return names;
}

struct ftk_names ftk_catalog_systems(void)
{
	return list_dirs(NULL);
}

struct ftk_names ftk_catalog_events(const char *system)
{
	struct ftk_names none = { 0 };

	return strchr(system, '/') ? none : list_dirs(system);
}

static bool safe_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

bool ftk_catalog_has(const char *system, const char *event)
{
	const char *root = ftk_tracefs();
	char path[PATH_MAX];

	if (!root || !safe_name(system) || !safe_name(event))
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/%s", root, system, event);
	return is_dir(path);
}

static bool glob_skips_system(const char *system)
{
	return strcmp(system, "ftrace") == 0 || strncmp(system, "ftk_", 4) == 0;
}

int ftk_catalog_match(const char *system_glob, const char *event_glob,
		      void (*fn)(const char *system, const char *event, void *ctx), void *ctx)
{
	struct ftk_names systems = ftk_catalog_systems();
	int found = 0;

	for (int i = 0; i < systems.n; i++) {
		const char *sys = systems.v[i];
		if (fnmatch(system_glob, sys, 0) != 0)
			continue;
		if (glob_skips_system(sys) && strcmp(system_glob, sys) != 0)
			continue;
		struct ftk_names events = ftk_catalog_events(sys);
		for (int j = 0; j < events.n; j++) {
			if (fnmatch(event_glob, events.v[j], 0) == 0) {
				fn(sys, events.v[j], ctx);
				found++;
			}
		}
		ftk_names_free(&events);
	}
	ftk_names_free(&systems);
	return found;
}
