// SPDX-License-Identifier: GPL-2.0-only
/*
 * suggest: "did you mean" for names the kernel does not have (functions, events, fields): one
 * bounded Levenshtein distance, and a small sorted keeper of the closest candidates. Each view
 * scores its candidates (distance, shared prefixes, substrings) its own way.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"

static bool same(char x, char y, bool nocase)
{
	if (nocase)
		return tolower((unsigned char)x) == tolower((unsigned char)y);
	return x == y;
}

int ftk_edit_distance(const char *a, size_t la, const char *b, size_t lb, int cap, bool nocase)
{
	int row[256];

	if (la >= FTK_ARRAY_SIZE(row) || lb >= FTK_ARRAY_SIZE(row))
		return cap < 0 ? 1000 : cap + 1;
	if (cap >= 0 && (la > lb ? la - lb : lb - la) > (size_t)cap)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0], best;
		row[0] = (int)i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int v = diag + !same(a[i - 1], b[j - 1], nocase);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		/* every later row is at least this row's minimum */
		if (cap >= 0 && best > cap)
			return cap + 1;
	}
	return row[lb];
}

void ftk_suggest_add(struct ftk_suggest *s, const char *name, size_t len, int score)
{
	for (int i = 0; i < s->n; i++)
		if (strlen(s->name[i]) == len && memcmp(s->name[i], name, len) == 0)
			return;
	int at;
	if (s->n < FTK_SUGGEST_MAX) {
		at = s->n++;
	} else {
		at = FTK_SUGGEST_MAX - 1;
		if (s->score[at] <= score)
			return;
		free(s->name[at]);
	}
	s->name[at] = ftk_xmalloc(len + 1);
	memcpy(s->name[at], name, len);
	s->name[at][len] = 0;
	s->score[at] = score;
	for (int i = at; i > 0 && s->score[i] < s->score[i - 1]; i--) {
		int sc = s->score[i];
		char *nm = s->name[i];
		s->score[i] = s->score[i - 1];
		s->name[i] = s->name[i - 1];
		s->score[i - 1] = sc;
		s->name[i - 1] = nm;
	}
}

void ftk_suggest_join(const struct ftk_suggest *s, struct ftk_buf *b)
{
	for (int i = 0; i < s->n; i++)
		ftk_buf_printf(b, "%s%s", i ? ", " : "", s->name[i]);
}

void ftk_suggest_free(struct ftk_suggest *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->name[i]);
	memset(s, 0, sizeof(*s));
}
