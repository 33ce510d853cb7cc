// SPDX-License-Identifier: GPL-2.0-only
/*
 * catalog: tracepoints listed from tracefs events/ (directories only: files there are
 * enable, filter, header_page ...); traceable functions and tracers read whole from
 * available_filter_functions and available_tracers. Reading needs only read access to tracefs
 * (root, or a group an admin gave it with the mount's gid=); a file the kernel refuses (EPERM
 * by policy or lockdown) is reported with the reason.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event-parse.h>

#include "access.h"
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

/* --input: the systems (sub NULL) or the events of system sub in the recording, sorted. */
static struct ftk_names list_recorded(struct tep_handle *tep, const char *sub)
{
	struct ftk_names names = { 0 };
	int n = tep_get_events_count(tep);
	struct tep_event **evs = tep_list_events(tep, TEP_EVENT_SORT_ID);

	for (int i = 0; evs && i < n; i++) {
		const char *name = sub ? evs[i]->name : evs[i]->system;
		bool dup = false;
		if (sub && strcmp(evs[i]->system, sub))
			continue;
		for (int j = 0; j < names.n && !dup; j++)
			dup = !strcmp(names.v[j], name);
		if (dup)
			continue;
		names.v = ftk_xrealloc(names.v, (names.n + 1) * sizeof(char *));
		names.v[names.n++] = ftk_xstrdup(name);
	}
	qsort(names.v, names.n, sizeof(char *), by_name);
	return names;
}

/* Subdirectories of tracefs events/<sub>, sorted. */
static struct ftk_names list_dirs(const char *sub)
{
	struct ftk_names names = { 0 };
	const char *root = ftk_tracefs();
	char dir[PATH_MAX];

	if (ftk_features_offline_tep())
		return list_recorded(ftk_features_offline_tep(), sub);
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

	if (ftk_features_offline_tep())
		return tep_find_event_by_name(ftk_features_offline_tep(), system, event) != NULL;
	if (!root || !safe_name(system) || !safe_name(event))
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/%s", root, system, event);
	return is_dir(path);
}

static bool glob_skips_system(const char *system)
{
	if (ftk_features_offline_tep())
		return false;	/* a recording's events are all its own */
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

/* ---- functions and tracers ---- */

static const char *file_of(const char *what)
{
	if (!strcmp(what, "functions"))
		return "available_filter_functions";
	if (!strcmp(what, "tracers"))
		return "available_tracers";
	return "events";
}

/* The tracefs file, read whole; NULL with errno (ENODEV: no usable tracefs). */
static char *read_list(const char *file)
{
	const char *root = ftk_tracefs();
	char path[PATH_MAX];

	if (!root) {
		errno = ENODEV;
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", root, file);
	return ftk_read_file(path, NULL);
}

static bool glob_matches(const char *glob, const char *name)
{
	return !glob || fnmatch(glob, name, 0) == 0;
}

/* Walks "name [module]" lines (functions) or words (tracers). */
static int walk(const char *file, bool words, const char *glob, ftk_catalog_fn fn, void *arg)
{
	char *text = read_list(file), *save = NULL;
	int rc = 0;

	if (!text)
		return -errno;
	for (char *l = strtok_r(text, words ? " \t\n" : "\n", &save); l && !rc;
	     l = strtok_r(NULL, words ? " \t\n" : "\n", &save)) {
		char *module = "", *sp = strchr(l, ' ');
		if (sp) {
			*sp = 0;
			module = sp + 1 + strspn(sp + 1, " \t[");
			module[strcspn(module, "]")] = 0;
		}
		if (*l && glob_matches(glob, l))
			rc = fn(l, module, arg);
	}
	free(text);
	return rc;
}

int ftk_catalog_functions(const char *glob, ftk_catalog_fn fn, void *arg)
{
	return walk("available_filter_functions", false, glob, fn, arg);
}

int ftk_catalog_tracers(const char *glob, ftk_catalog_fn fn, void *arg)
{
	return walk("available_tracers", true, glob, fn, arg);
}

int ftk_catalog_error(const char *what, int err)
{
	const char *file = file_of(what);
	const struct ftk_access *a = ftk_access();

	if (a->level < FTK_ACCESS_READ) {
		ftk_error("cannot list %s: %s", what, a->why);
		ftk_hint("%s", a->remedy);
		return FTK_EXIT_FAIL;
	}
	if (err == -ENODEV)
		return ftk_tracefs_error();
	const char *l = ftk_lockdown();
	if (err == -EPERM && l && !strcmp(l, "confidentiality")) {
		ftk_error("cannot list %s: kernel lockdown (confidentiality): EPERM reading %s/%s",
			  what, ftk_tracefs(), file);
		ftk_hint("boot with lockdown=integrity (or none) to trace");
	} else if (err == -EPERM && !strcmp(what, "functions")) {
		const struct ftk_feature *fn = ftk_feature(FTK_F_FUNCTION);
		ftk_error("cannot list functions: blocked by policy (EPERM reading %s/%s, even "
			  "as root)", ftk_tracefs(), file);
		if (!fn->ok)
			ftk_hint("the function tracer is refused here too (%s), so 'ftk graph' "
				 "cannot run; 'ftk list events' lists the tracepoints 'ftk trace -e' "
				 "can use", fn->why);
		else
			ftk_hint("'ftk features' shows what this kernel allows; 'ftk list events' "
				 "lists the tracepoints 'ftk trace -e' can use");
	} else if (err == -EPERM || err == -EACCES) {
		ftk_error("cannot list %s: %s reading %s/%s", what,
			  err == -EPERM ? "blocked by policy (EPERM)" : "permission denied",
			  ftk_tracefs(), file);
		ftk_hint("'ftk features' shows what this kernel allows");
	} else if (err == -ENOENT) {
		ftk_error("cannot list %s: no %s in %s (%s)", what, file, ftk_tracefs(),
			  !strcmp(what, "functions") ? "CONFIG_FUNCTION_TRACER=n or "
			  "CONFIG_DYNAMIC_FTRACE=n" : "kernel without tracing support");
		ftk_hint("'ftk features' shows what this kernel offers");
	} else {
		ftk_error("cannot list %s: reading %s/%s: %s", what, ftk_tracefs(), file,
			  strerror(-err));
	}
	return FTK_EXIT_FAIL;
}
