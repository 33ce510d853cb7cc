// SPDX-License-Identifier: GPL-2.0-only
/* exporter/expo: the Prometheus text format (expo.h). */
#include <stdlib.h>
#include <string.h>

#include "cmd/exporter/expo.h"
#include "core/util.h"

void expo_family(struct ftk_buf *b, const char *name, const char *type, const char *help)
{
	ftk_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void expo_escape(struct ftk_buf *b, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\')
			ftk_buf_adds(b, "\\\\");
		else if (*p == '"')
			ftk_buf_adds(b, "\\\"");
		else if (*p == '\n')
			ftk_buf_adds(b, "\\n");
		else
			ftk_buf_addc(b, *p);
	}
}

static void sample_name(struct ftk_buf *b, const char *name, const char *label,
			const char *value)
{
	ftk_buf_adds(b, name);
	if (!label)
		return;
	ftk_buf_printf(b, "{%s=\"", label);
	expo_escape(b, value);
	ftk_buf_adds(b, "\"}");
}

void expo_u64(struct ftk_buf *b, const char *name, const char *label, const char *value,
	      uint64_t v)
{
	sample_name(b, name, label, value);
	ftk_buf_printf(b, " %llu\n", (unsigned long long)v);
}

void expo_double(struct ftk_buf *b, const char *name, const char *label, const char *value,
		 double v)
{
	sample_name(b, name, label, value);
	ftk_buf_printf(b, " %.9g\n", v);
}

struct expo_series *expo_labels_get(struct expo_labels *l, const char *label)
{
	/* A value spelled like the overflow label counts with it (one series per label). */
	if (strcmp(label, EXPO_OTHER) == 0)
		return NULL;
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i].label, label) == 0)
			return &l->v[i];
	if (l->max && (unsigned long)l->n >= l->max)
		return NULL;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 32;
		l->v = ftk_xrealloc(l->v, (size_t)l->alloc * sizeof(*l->v));
	}
	l->v[l->n] = (struct expo_series){ ftk_xstrdup(label), 0 };
	return &l->v[l->n++];
}

void expo_labels_add(struct expo_labels *l, const char *label, uint64_t n)
{
	struct expo_series *s = expo_labels_get(l, label);
	if (s) {
		s->value += n;
	} else {
		l->other += n;
		l->has_other = 1;
	}
}

static int by_label(const void *a, const void *b)
{
	return strcmp(((const struct expo_series *)a)->label,
		      ((const struct expo_series *)b)->label);
}

void expo_labels_write(struct ftk_buf *b, struct expo_labels *l, const char *name,
		       const char *label)
{
	/* Sorted copies: the order of first sight is what the cap keeps. */
	struct expo_series *sorted = ftk_xmalloc((size_t)(l->n ? l->n : 1) * sizeof(*sorted));
	memcpy(sorted, l->v, (size_t)l->n * sizeof(*sorted));
	qsort(sorted, (size_t)l->n, sizeof(*sorted), by_label);
	for (int i = 0; i < l->n; i++)
		expo_u64(b, name, label, sorted[i].label, sorted[i].value);
	if (l->has_other)
		expo_u64(b, name, label, EXPO_OTHER, l->other);
	free(sorted);
}

void expo_labels_free(struct expo_labels *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i].label);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
