// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksyms: kernel text symbols ("t"/"T"/"w"/"W" lines of /proc/kallsyms) sorted by address, so
 * an address found in a record (funcgraph's func, a stack entry) resolves to the function that
 * contains it by binary search, with a small direct-mapped cache in front. Modules' symbols
 * carry a "\t[module]" suffix that is not part of the name. Addresses read as 0 when the
 * kernel hides them (kptr_restrict): then nothing is loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "features.h"
#include "ksyms.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct ftk_ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One "ADDR TYPE NAME[\t[module]]" line: text symbols only. */
static void ksyms_line(struct ftk_ksyms *k, const char *l, bool *sorted)
{
	uint64_t a = 0;
	int d;

	while ((d = hex_digit(*l)) >= 0) {
		a = a << 4 | (uint64_t)d;
		l++;
	}
	if (*l != ' ' || !a)
		return;
	char t = l[1];
	if (t != 't' && t != 'T' && t != 'w' && t != 'W')
		return;
	const char *name = l + 3;
	size_t len = strcspn(name, "\t\n ");
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 65536;
		k->v = ftk_xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	if (k->n && k->v[k->n - 1].addr > a)
		*sorted = false;
	k->v[k->n].addr = a;
	k->v[k->n].name = (uint32_t)k->names.len;
	k->n++;
	ftk_buf_add(&k->names, name, len);
	ftk_buf_addc(&k->names, 0);
}

int ftk_ksyms_load(struct ftk_ksyms *k, const char *path)
{
	/* --input: the recording's kallsyms (in its tep) stands for this host's: found at
	 * lookup, this host's are never read */
	if (ftk_features_offline_tep() && !strcmp(path, "/proc/kallsyms"))
		return 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	/* the kernel produces /proc/kallsyms a line at a time: read it in large chunks */
	char *iobuf = malloc(1 << 20);
	if (iobuf)
		setvbuf(f, iobuf, _IOFBF, 1 << 20);
	char line[512];
	bool sorted = true;
	while (fgets(line, sizeof(line), f))
		ksyms_line(k, line, &sorted);
	fclose(f);
	free(iobuf);
	if (!sorted)
		qsort(k->v, k->n, sizeof(*k->v), ksym_cmp);
	return k->n ? 0 : -1;
}

const char *ftk_ksyms_find(struct ftk_ksyms *k, uint64_t addr)
{
	size_t slot = (addr >> 4) & (FTK_ARRAY_SIZE(k->cache_addr) - 1);

	if (!k->n)
		return ftk_features_offline_tep() ?
			       tep_find_function(ftk_features_offline_tep(), addr) : NULL;
	if (k->cache_addr[slot] == addr && k->cache_name[slot])
		return k->cache_name[slot];
	size_t lo = 0, hi = k->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const char *name = k->names.p + k->v[lo - 1].name;
	k->cache_addr[slot] = addr;
	k->cache_name[slot] = name;
	return name;
}

void ftk_ksyms_free(struct ftk_ksyms *k)
{
	free(k->v);
	ftk_buf_free(&k->names);
	memset(k, 0, sizeof(*k));
}
