// SPDX-License-Identifier: GPL-2.0-only
/* tracepoints (ftk trace): -e specs against the kernel's catalog of tracepoints. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/trace/tracepoints.h"
#include "core/catalog.h"
#include "core/suggest.h"
#include "core/util.h"

int trace_spec_split(const char *spec, char **system, char **event, char **filter)
{
	char *dup = ftk_xstrdup(spec);
	char *sys = dup, *name, *filt = NULL;

	name = strchr(dup, ':');
	if (!name) {
		name = "*";	/* "-e sched" = every event of sched */
	} else {
		*name++ = '\0';
		filt = strchr(name, ':');
		if (filt) {
			*filt++ = '\0';
			while (isspace((unsigned char)*filt))
				filt++;
			if (!*filt)
				filt = NULL;
		}
	}
	if (!*sys || !*name) {
		free(dup);
		return ftk_usage_error("malformed event '%s' (expected SYSTEM:EVENT[:FILTER])",
				       spec), -EINVAL;
	}
	*system = ftk_xstrdup(sys);
	*event = ftk_xstrdup(name);
	*filter = filt ? ftk_xstrdup(filt) : NULL;
	free(dup);
	return 0;
}

/* Add system:event (filters of duplicates are OR-ed; no filter wins). */
static void add(struct trace_tracepoints *list, const char *system, const char *event,
		const char *filter)
{
	for (int i = 0; i < list->n; i++) {
		struct trace_tracepoint *p = &list->v[i];
		if (strcmp(p->system, system) || strcmp(p->event, event))
			continue;
		if (!p->filter || !filter) {
			free(p->filter);
			p->filter = NULL;
		} else {
			struct ftk_buf b = { 0 };
			ftk_buf_printf(&b, "(%s) || (%s)", p->filter, filter);
			free(p->filter);
			p->filter = ftk_xstrdup(ftk_buf_str(&b));
			ftk_buf_free(&b);
		}
		return;
	}
	list->v = ftk_xrealloc(list->v, (list->n + 1) * sizeof(*list->v));
	list->v[list->n].system = ftk_xstrdup(system);
	list->v[list->n].event = ftk_xstrdup(event);
	list->v[list->n].filter = filter ? ftk_xstrdup(filter) : NULL;
	list->n++;
}

struct glob_add {
	struct trace_tracepoints *list;
	const char *filter;
};

static void add_match(const char *system, const char *event, void *ctx)
{
	struct glob_add *g = ctx;

	add(g->list, system, event, g->filter);
}

/* ---- close names ---- */

/* Score of event `sys:name` against what the user asked for (lower is closer). */
static int candidate_score(const char *usys, const char *uname, const char *sys,
			   const char *name)
{
	int dn = ftk_edit_distance(uname, strlen(uname), name, strlen(name), -1, true);
	if (strstr(name, uname) || strstr(uname, name))
		dn = dn < 2 ? dn : 2;
	int ds = strcmp(usys, sys) == 0 ? 0
		 : ftk_edit_distance(usys, strlen(usys), sys, strlen(sys), 2, true) <= 2 ? 1 : 3;
	return dn + ds;
}

/* Print the closest event names to usys:uname as a hint. */
static void suggest_events(const char *usys, const char *uname)
{
	struct ftk_suggest best = { 0 };
	size_t ulen = strlen(uname);
	int limit = ulen < 6 ? 2 : (int)ulen / 3 + 1;
	struct ftk_names systems = ftk_catalog_systems();

	for (int i = 0; i < systems.n; i++) {
		struct ftk_names events = ftk_catalog_events(systems.v[i]);
		for (int j = 0; j < events.n; j++) {
			int score = candidate_score(usys, uname, systems.v[i], events.v[j]);
			if (score > limit + 1)
				continue;
			char label[160];
			int n = snprintf(label, sizeof(label), "%s:%s", systems.v[i], events.v[j]);
			ftk_suggest_add(&best, label, n < (int)sizeof(label) ? (size_t)n
									: sizeof(label) - 1, score);
		}
		ftk_names_free(&events);
	}
	ftk_names_free(&systems);
	if (!best.n) {
		ftk_hint("'ftk list events [GLOB]' lists the events of this kernel");
		return;
	}
	struct ftk_buf b = { 0 };
	ftk_suggest_join(&best, &b);
	ftk_hint("close names: %s", ftk_buf_str(&b));
	ftk_buf_free(&b);
	ftk_suggest_free(&best);
}

/* ---- expansion ---- */

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int trace_tracepoints_add(struct trace_tracepoints *list, const char *spec)
{
	char *sys, *name, *filter;
	int rc = trace_spec_split(spec, &sys, &name, &filter);

	if (rc)
		return rc;
	if (!is_glob(sys) && !is_glob(name)) {
		if (ftk_catalog_has(sys, name)) {
			add(list, sys, name, filter);
		} else {
			ftk_error("this kernel has no event '%s:%s'", sys, name);
			suggest_events(sys, name);
			rc = -ENOENT;
		}
	} else {
		struct glob_add g = { list, filter };
		if (!ftk_catalog_match(sys, name, add_match, &g)) {
			ftk_error("no event of this kernel matches '%s:%s'", sys, name);
			ftk_hint("'ftk list events [GLOB]' lists the events of this kernel");
			rc = -ENOENT;
		}
	}
	free(sys);
	free(name);
	free(filter);
	return rc;
}

void trace_tracepoints_free(struct trace_tracepoints *list)
{
	for (int i = 0; i < list->n; i++) {
		free(list->v[i].system);
		free(list->v[i].event);
		free(list->v[i].filter);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
