// SPDX-License-Identifier: GPL-2.0-only
/* funccount/targets: patterns parsed and expanded (see targets.h). */
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/funccount/targets.h"
#include "core/catalog.h"
#include "core/counter.h"
#include "core/events.h"
#include "core/elfsym.h"
#include "core/kfuncs.h"
#include "core/util.h"

int funccount_pattern_parse(struct funccount_pattern *p, const char *text)
{
	memset(p, 0, sizeof(*p));
	p->text = text;
	const char *c1 = strchr(text, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *type = "p", *library = "", *function = text;
	size_t type_len = 1, library_len = 0, function_len = strlen(text);

	if (c2 && strchr(c2 + 1, ':'))
		return ftk_usage_error("malformed pattern '%s' (too many ':')", text), -EINVAL;
	if (c2) {		/* TYPE:LIB:FUNC */
		type = text, type_len = (size_t)(c1 - text);
		library = c1 + 1, library_len = (size_t)(c2 - c1 - 1);
		function = c2 + 1, function_len = strlen(c2 + 1);
	} else if (c1) {	/* LIB:FUNC */
		library = text, library_len = (size_t)(c1 - text);
		function = c1 + 1, function_len = strlen(c1 + 1);
	}
	if (type_len != 1 || !strchr("ptu", type[0]))
		return ftk_usage_error("malformed pattern '%s' (the type is p, t or u)", text),
		       -EINVAL;
	if (!function_len)
		return ftk_usage_error("malformed pattern '%s' (no function)", text), -EINVAL;
	if (type[0] == 't' && !library_len)
		return ftk_usage_error("malformed pattern '%s' (t:CATEGORY:EVENT)", text), -EINVAL;
	if (type[0] == 'u' && !library_len)
		return ftk_usage_error("malformed pattern '%s' (u:LIBRARY:FUNCTION)", text), -EINVAL;
	p->kind = type[0] == 't' ? FUNCCOUNT_TRACEPOINT
		  : library_len ? FUNCCOUNT_UPROBE : FUNCCOUNT_KPROBE;
	p->library = strndup(library, library_len);
	p->function = strndup(function, function_len);
	return 0;
}

void funccount_pattern_free(struct funccount_pattern *p)
{
	free(p->library);
	free(p->function);
	memset(p, 0, sizeof(*p));
}

static struct funccount_target *add(struct funccount_targets *t, enum funccount_kind kind,
				    const char *name)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = ftk_xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	struct funccount_target *x = &t->v[t->n++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->name = ftk_xstrdup(name);
	return x;
}

struct matcher {
	bool regex;
	regex_t re;
	const char *glob;
};

static int matcher_init(struct matcher *m, const char *pattern, bool regex)
{
	m->regex = regex;
	m->glob = pattern;
	if (regex && regcomp(&m->re, pattern, REG_EXTENDED | REG_NOSUB)) {
		ftk_usage_error("invalid regex '%s'", pattern);
		return -EINVAL;
	}
	return 0;
}

static bool matches(const struct matcher *m, const char *name)
{
	return m->regex ? regexec(&m->re, name, 0, NULL, 0) == 0 : fnmatch(m->glob, name, 0) == 0;
}

static void matcher_free(struct matcher *m)
{
	if (m->regex)
		regfree(&m->re);
}

int funccount_pattern_check(const struct funccount_pattern *p, bool regex)
{
	struct matcher m;
	const char *parts[2] = { p->kind == FUNCCOUNT_TRACEPOINT ? p->library : NULL,
				 p->function };

	for (int i = 0; i < 2; i++) {
		if (!parts[i])
			continue;
		if (matcher_init(&m, parts[i], regex))
			return -EINVAL;
		matcher_free(&m);
	}
	return 0;
}

static void add_kernel(const char *name, void *ctx)
{
	add(ctx, FUNCCOUNT_KPROBE, name);
}

static int expand_tracepoints(struct funccount_targets *t, const struct funccount_pattern *p,
			      bool regex)
{
	struct matcher cat, ev;
	if (matcher_init(&cat, p->library, regex))
		return -EINVAL;
	if (matcher_init(&ev, p->function, regex)) {
		matcher_free(&cat);
		return -EINVAL;
	}
	int hits = 0;
	struct ftk_names systems = ftk_catalog_systems();
	for (int i = 0; i < systems.n; i++) {
		const char *sys = systems.v[i];
		/* Other sessions' probe groups and ftrace's internal events: never by a glob. */
		if (!matches(&cat, sys) || ((!strncmp(sys, "ftk_", 4) || !strcmp(sys, "ftrace")) &&
					    strcmp(sys, p->library)))
			continue;
		struct ftk_names events = ftk_catalog_events(sys);
		for (int k = 0; k < events.n; k++) {
			if (!matches(&ev, events.v[k]))
				continue;
			char name[256];
			snprintf(name, sizeof(name), "%s:%s", sys, events.v[k]);
			struct funccount_target *x = add(t, FUNCCOUNT_TRACEPOINT, name);
			x->system = ftk_xstrdup(sys);
			x->event = ftk_xstrdup(events.v[k]);
			hits++;
		}
		ftk_names_free(&events);
	}
	ftk_names_free(&systems);
	matcher_free(&cat);
	matcher_free(&ev);
	return hits;
}

struct user_ctx {
	struct funccount_targets *t;
	struct matcher m;
	const char *path;
	int first, hits;
};

static int add_user(const char *name, uint64_t offset, void *ctx)
{
	struct user_ctx *u = ctx;
	if (!matches(&u->m, name))
		return 0;
	/* One probe per address (aliases share one, as bcc), one per name. */
	for (int i = u->first; i < u->t->n; i++)
		if (u->t->v[i].offset == offset || !strcmp(u->t->v[i].name, name))
			return 0;
	struct funccount_target *x = add(u->t, FUNCCOUNT_UPROBE, name);
	x->path = ftk_xstrdup(u->path);
	x->offset = offset;
	u->hits++;
	return 0;
}

static int expand_user(struct funccount_targets *t, const struct funccount_pattern *p,
		       bool regex)
{
	char *path = ftk_find_library(p->library);
	if (!path) {
		ftk_error("no library or program '%s'", p->library);
		ftk_hint("give a path, or a name such as c, pthread or bash");
		return -ENOENT;
	}
	struct user_ctx u = { .t = t, .path = path, .first = t->n };
	if (matcher_init(&u.m, p->function, regex)) {
		free(path);
		return -EINVAL;
	}
	int rc = ftk_elf_functions(path, add_user, &u);
	if (rc < 0)
		ftk_error("cannot read the symbols of %s: %s", path, strerror(-rc));
	matcher_free(&u.m);
	free(path);
	return rc < 0 ? rc : u.hits;
}

int funccount_expand(struct funccount_targets *t, const struct funccount_pattern *p, bool regex,
		     const struct ftk_kfuncs *kfuncs)
{
	switch (p->kind) {
	case FUNCCOUNT_KPROBE: {
		int n = ftk_kfuncs_match(kfuncs, p->function, regex, add_kernel, t);
		if (n < 0)
			ftk_usage_error("invalid regex '%s'", p->function);
		return n < 0 ? -EINVAL : n;
	}
	case FUNCCOUNT_TRACEPOINT:
		return expand_tracepoints(t, p, regex);
	case FUNCCOUNT_UPROBE:
		return expand_user(t, p, regex);
	}
	return 0;
}

void funccount_targets_free(struct funccount_targets *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].system);
		free(t->v[i].event);
		free(t->v[i].path);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int funccount_count_targets(const struct funccount_targets *t, struct ftk_session *s,
			    struct ftk_counters *counters, const char *filter,
			    struct ftk_counter **counted)
{
	for (int i = 0; i < t->n; i++) {
		const struct funccount_target *g = &t->v[i];
		struct ftk_event *ev;
		/* Unique across sessions: the *_profile files name events without their group. */
		char name[64];
		snprintf(name, sizeof(name), "fc%d_%d", (int)getpid(), i);
		switch (g->kind) {
		case FUNCCOUNT_TRACEPOINT:
			counted[i] = ftk_count_tracepoint(counters, g->system, g->event, filter, NULL,
							  NULL);
			continue;
		case FUNCCOUNT_KPROBE:
			ev = ftk_kprobe(s, name, g->name, NULL, false);
			break;
		default:
			ev = ftk_uprobe(s, name, g->path, g->offset, NULL, false);
			break;
		}
		if (!ev)
			return -EINVAL;
		ev->optional = true;	/* a function the kernel refuses is reported, not fatal */
		counted[i] = ftk_count_event(counters, ev, filter);
	}
	return 0;
}

int funccount_drop_skipped(const struct funccount_targets *t, struct ftk_counter **counted)
{
	int skipped = 0;

	for (int i = 0; i < t->n; i++) {
		struct ftk_event *ev = counted[i] ? ftk_counter_event(counted[i]) : NULL;
		if (ev && ev->skipped && t->v[i].kind != FUNCCOUNT_TRACEPOINT) {
			counted[i] = NULL;
			skipped++;
		}
	}
	return skipped;
}
