// SPDX-License-Identifier: GPL-2.0-only
/* kfuncs: which kernel functions take a kprobe (see kfuncs.h). */
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "kfuncs.h"
#include "util.h"

struct ftk_kfuncs {
	char **names, **blacklist;
	int n, nblack;
};

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first word of each line ("vfs_read", "name [module]", "0x...-0x...\tname": `field`
 * picks the word), sorted, duplicates dropped. */
static char **words(const char *text, int field, int *count)
{
	char **v = NULL;
	int n = 0, cap = 0;
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		const char *w = line;
		for (int f = 0; f < field && w < end; f++) {
			while (w < end && *w != ' ' && *w != '\t')
				w++;
			while (w < end && (*w == ' ' || *w == '\t'))
				w++;
		}
		const char *e = w;
		while (e < end && *e != ' ' && *e != '\t')
			e++;
		if (e > w) {
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				v = ftk_xrealloc(v, cap * sizeof(*v));
			}
			v[n] = ftk_xmalloc(e - w + 1);
			memcpy(v[n], w, e - w);
			v[n][e - w] = 0;
			n++;
		}
		line = *end ? end + 1 : end;
	}
	if (n)
		qsort(v, n, sizeof(*v), compare);
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (k && strcmp(v[k - 1], v[i]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	*count = k;
	return v;
}

struct ftk_kfuncs *ftk_kfuncs_parse(const char *functions, const char *blacklist)
{
	struct ftk_kfuncs *k = ftk_xcalloc(1, sizeof(*k));
	k->names = words(functions, 0, &k->n);
	if (blacklist)
		k->blacklist = words(blacklist, 1, &k->nblack);
	return k;
}

struct ftk_kfuncs *ftk_kfuncs_load(void)
{
	char *functions = ftk_traceable_functions();
	if (!functions)
		return NULL;
	/* debugfs: absent when not mounted (then nothing is known to be blacklisted). */
	char *blacklist = ftk_read_file("/sys/kernel/debug/kprobes/blacklist", NULL);
	struct ftk_kfuncs *k = ftk_kfuncs_parse(functions, blacklist);
	free(functions);
	free(blacklist);
	return k;
}

static bool in(char **v, int n, const char *name)
{
	return n && bsearch(&name, v, n, sizeof(*v), compare) != NULL;
}

bool ftk_kfuncs_allowed(const struct ftk_kfuncs *k, const char *name, const char **why)
{
	const char *reason = NULL;
	if (!in(k->names, k->n, name))
		reason = "not traceable (not in available_filter_functions)";
	else if (in(k->blacklist, k->nblack, name))
		reason = "on the kprobe blacklist";
	if (why)
		*why = reason;
	return !reason;
}

int ftk_kfuncs_match(const struct ftk_kfuncs *k, const char *pattern, bool regex,
		     void (*fn)(const char *name, void *ctx), void *ctx)
{
	regex_t re;
	if (regex && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return -1;
	int hits = 0;
	for (int i = 0; i < k->n; i++) {
		const char *name = k->names[i];
		bool ok = regex ? regexec(&re, name, 0, NULL, 0) == 0 : fnmatch(pattern, name, 0) == 0;
		if (!ok || in(k->blacklist, k->nblack, name))
			continue;
		hits++;
		if (fn)
			fn(name, ctx);
	}
	if (regex)
		regfree(&re);
	return hits;
}

void ftk_kfuncs_free(struct ftk_kfuncs *k)
{
	if (!k)
		return;
	for (int i = 0; i < k->n; i++)
		free(k->names[i]);
	for (int i = 0; i < k->nblack; i++)
		free(k->blacklist[i]);
	free(k->names);
	free(k->blacklist);
	free(k);
}
