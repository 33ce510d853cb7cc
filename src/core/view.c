// SPDX-License-Identifier: GPL-2.0-only
/* view: a view's backend choice: the first whose kernel features and check pass (view.h). */
#include <stdio.h>
#include <string.h>

#include "features.h"
#include "util.h"
#include "view.h"

bool ftk_backend_usable(const struct ftk_backend *b, char *why, size_t len)
{
	char tmp[256];

	if (!why || !len) {
		why = tmp;
		len = sizeof(tmp);
	}
	why[0] = 0;
	if (!ftk_has(FTK_F_TRACEFS)) {
		snprintf(why, len, "%s", ftk_feature(FTK_F_TRACEFS)->why);
		return false;
	}
	for (size_t i = 0; i < FTK_ARRAY_SIZE(b->needs) && b->needs[i] != FTK_F_NONE; i++) {
		const struct ftk_feature *f = ftk_feature(b->needs[i]);
		if (!f->ok) {
			snprintf(why, len, "%s", f->why);
			return false;
		}
	}
	/* With a recording (--input), the checks answer from it (features.h): no live test. */
	if (b->usable && !b->usable(why, len)) {
		if (!why[0])
			snprintf(why, len, "not usable here");
		return false;
	}
	return true;
}

static void append_why(char *why, size_t len, const char *name, const char *reason)
{
	size_t n = strlen(why);

	if (n + 1 < len)
		snprintf(why + n, len - n, "%s%s: %s", n ? "; " : "", name, reason);
}

int ftk_backend_pick(const struct ftk_view *v, const char *forced, char *why, size_t len)
{
	char tmp[512], one[256];

	if (!why || !len) {
		why = tmp;
		len = sizeof(tmp);
	}
	why[0] = 0;
	if (!v->backends || !v->nbackends) {
		snprintf(why, len, "%s has no kernel backends", v->name);
		return -1;
	}
	if (forced) {
		for (size_t i = 0; i < v->nbackends; i++) {
			if (strcmp(v->backends[i].name, forced) != 0)
				continue;
			if (ftk_backend_usable(&v->backends[i], one, sizeof(one)))
				return (int)i;
			append_why(why, len, forced, one);
			return -1;
		}
		int n = snprintf(why, len, "unknown backend '%s' (choose one of:", forced);
		for (size_t i = 0; i < v->nbackends && n > 0 && (size_t)n < len; i++)
			n += snprintf(why + n, len - n, " %s", v->backends[i].name);
		if (n > 0 && (size_t)n < len)
			snprintf(why + n, len - n, ")");
		return -2;
	}
	if (!ftk_has(FTK_F_TRACEFS)) {
		/* One reason for all of them. */
		snprintf(why, len, "%s", ftk_feature(FTK_F_TRACEFS)->why);
		return -1;
	}
	for (size_t i = 0; i < v->nbackends; i++) {
		if (ftk_backend_usable(&v->backends[i], one, sizeof(one)))
			return (int)i;
		append_why(why, len, v->backends[i].name, one);
	}
	return -1;
}

