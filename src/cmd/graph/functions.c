// SPDX-License-Identifier: GPL-2.0-only
/*
 * graph functions: the names given to ftk graph (FUNC, --notrace) are checked against
 * available_filter_functions before anything is written, so that a typo gets "did you mean"
 * instead of the kernel's bare EINVAL on set_graph_function. Close names are those within
 * two edits, else those containing the name (4 characters or more), shorter first.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/features.h"
#include "core/suggest.h"
#include "functions.h"

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Next name of the list; NULL at the end. */
static const char *list_next(const char **pos, size_t *len)
{
	const char *p = *pos;

	while (*p == '\n')
		p++;
	if (!*p)
		return NULL;
	const char *nl = strchr(p, '\n');
	*len = strcspn(p, " \t\n");
	*pos = nl ? nl + 1 : p + strlen(p);
	return p;
}

bool graph_function_listed(const char *list, const char *want)
{
	const char *pos = list, *n;
	size_t len, want_len = strlen(want);
	bool glob = is_glob(want);
	char name[256];

	while ((n = list_next(&pos, &len))) {
		if (!glob) {
			if (len == want_len && memcmp(n, want, len) == 0)
				return true;
			continue;
		}
		if (len >= sizeof(name))
			continue;
		memcpy(name, n, len);
		name[len] = 0;
		if (fnmatch(want, name, 0) == 0)
			return true;
	}
	return false;
}

void graph_function_suggest(const char *list, const char *want, struct ftk_buf *b)
{
	struct ftk_suggest close = { 0 };
	const char *pos = list, *n;
	size_t len, want_len = strlen(want);

	while ((n = list_next(&pos, &len))) {
		int score = ftk_edit_distance(want, want_len, n, len, 2, false);
		if (score > 2) {
			if (want_len < 4 || len <= want_len || !memmem(n, len, want, want_len))
				continue;
			score = 3 + (int)(len - want_len) / 4;
		}
		ftk_suggest_add(&close, n, len, score);
	}
	ftk_suggest_join(&close, b);
	ftk_suggest_free(&close);
}

int graph_check_functions(char **funcs, int n, const char *what)
{
	char *list = ftk_traceable_functions();
	int rc = 0;

	if (!list)
		return 0;
	for (int i = 0; i < n && !rc; i++) {
		if (graph_function_listed(list, funcs[i]))
			continue;
		ftk_error("cannot trace '%s'%s: not in available_filter_functions (unknown, "
			  "inlined, notrace or blocked)", funcs[i], what);
		struct ftk_buf b = { 0 };
		if (!is_glob(funcs[i]))
			graph_function_suggest(list, funcs[i], &b);
		if (b.len)
			ftk_hint("did you mean: %s?", b.p);
		else
			ftk_hint("list the traceable functions with: grep NAME "
				 "%s/available_filter_functions", ftk_tracefs());
		ftk_buf_free(&b);
		rc = -ENOENT;
	}
	free(list);
	return rc;
}
