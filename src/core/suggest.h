/* SPDX-License-Identifier: GPL-2.0-only */
/* suggest: "did you mean" for every view: one edit distance and a keeper of the closest names. */
#ifndef FTK_SUGGEST_H
#define FTK_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

/*
 * Edit distance (Levenshtein: insertions, deletions, substitutions) between a[0..la) and
 * b[0..lb), comparing case-insensitively when nocase. With cap >= 0 it stops as soon as the
 * distance must exceed cap and returns cap + 1 (also for names longer than 255); with cap < 0
 * it computes the whole distance (names longer than 255: 1000).
 */
int ftk_edit_distance(const char *a, size_t la, const char *b, size_t lb, int cap, bool nocase);

#define FTK_SUGGEST_MAX 5

/* The FTK_SUGGEST_MAX candidates with the lowest scores, in order (ties: first offered first). */
struct ftk_suggest {
	int n;
	int score[FTK_SUGGEST_MAX];
	char *name[FTK_SUGGEST_MAX];	/* copies */
};

/* Offer name[0..len) with a score (lower is closer); a name already kept is ignored. */
void ftk_suggest_add(struct ftk_suggest *s, const char *name, size_t len, int score);
/* "a, b, c" appended to b (nothing when empty). */
void ftk_suggest_join(const struct ftk_suggest *s, struct ftk_buf *b);
void ftk_suggest_free(struct ftk_suggest *s);

#endif
