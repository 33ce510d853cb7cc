/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * count (ftk trace --count): every declared event counted, the counts printed per interval
 * ("TIME EVENT COUNT" rows, or one NDJSON object per interval) and as totals at the end.
 */
#ifndef FTK_CMD_TRACE_COUNT_H
#define FTK_CMD_TRACE_COUNT_H

#include <stdbool.h>
#include "core/util.h"

struct ftk_session;
struct ftk_event;

struct trace_counter {
	const char *label;
	unsigned long long count, shown;
};

struct trace_count {
	struct ftk_session *session;
	struct trace_counter *counters;
	int n;
	double interval;	/* seconds */
	bool json;
	struct ftk_buf line;
};

/* Count events[0..n) (labels[i] names events[i]) on s: handlers, the interval tick and the
 * totals at the end. */
void trace_count_declare(struct trace_count *c, struct ftk_session *s, struct ftk_event **events,
			 char **labels, int n);
/* The table header (none with --json). */
void trace_count_header(struct trace_count *c);
void trace_count_free(struct trace_count *c);

#endif
