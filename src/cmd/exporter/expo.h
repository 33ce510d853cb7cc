/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exporter/expo: Prometheus text exposition (format 0.0.4): metric families, samples, label
 * escaping, and bounded label sets (a cap, then "other") for counters keyed by a name.
 */
#ifndef FTK_CMD_EXPORTER_EXPO_H
#define FTK_CMD_EXPORTER_EXPO_H

#include <stdint.h>

struct ftk_buf;

/* The label that collects every value past a label set's cap. */
#define EXPO_OTHER "other"

/* "# HELP name help\n# TYPE name type\n" */
void expo_family(struct ftk_buf *b, const char *name, const char *type, const char *help);
/* A label value escaped as the format wants (\\, \", \n). */
void expo_escape(struct ftk_buf *b, const char *value);
/* name{label="value"} v (label NULL: no labels). */
void expo_u64(struct ftk_buf *b, const char *name, const char *label, const char *value,
	      uint64_t v);
void expo_double(struct ftk_buf *b, const char *name, const char *label, const char *value,
		 double v);

/* Cumulative counts by label, at most max labels: a label is kept once it has appeared (every
 * series stays monotonic), what comes past the cap counts under "other". */
struct expo_series {
	char *label;
	uint64_t value;
};
struct expo_labels {
	struct expo_series *v;
	int n, alloc;
	unsigned long max;	/* 0: no cap */
	uint64_t other;
	int has_other;
};
void expo_labels_add(struct expo_labels *l, const char *label, uint64_t n);
/* The label's series, created at 0 (within the cap) so that it is exported before its first
 * count; NULL when past the cap. */
struct expo_series *expo_labels_get(struct expo_labels *l, const char *label);
/* name{label="..."} per series, sorted by label, "other" last. */
void expo_labels_write(struct ftk_buf *b, struct expo_labels *l, const char *name,
		       const char *label);
void expo_labels_free(struct expo_labels *l);

#endif
