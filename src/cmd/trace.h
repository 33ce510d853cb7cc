/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace (view-internal): the field plan and NDJSON encoder of `ftk trace`, exposed for the
 * unit tests that decode captured records of every field type.
 */
#ifndef FTK_CMD_TRACE_H
#define FTK_CMD_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include "core/util.h"

struct tep_event;

enum tr_kind {
	TR_UNSIGNED,	/* 1/2/4/8-byte integer */
	TR_SIGNED,
	TR_STR,		/* char[N] up to the first NUL, or __data_loc/__rel_loc char[] */
	TR_ARRAY,	/* fixed or dynamic array of 1/2/4/8-byte integers (bytes if unknown) */
};

/* How to print one field, computed once when the event is armed. */
struct tr_field {
	enum tr_kind kind;
	int offset, size;	/* of the field in the record (4 for dynamic fields) */
	int esize;		/* array element size */
	int n;			/* element count of fixed arrays */
	bool sign;		/* value / elements are signed */
	bool dyn;		/* __data_loc or __rel_loc: data found through a 32-bit word */
	bool rel;		/* __rel_loc: offset relative to the end of the field */
	char *key;		/* "\"name\":" with a leading ',' except for the first field */
	size_t keylen;
};

/* The plan of every non-common field of e, in format order. */
void ftk_trace_plan(const struct tep_event *e, struct tr_field **plan, int *nplan);
void ftk_trace_plan_free(struct tr_field *plan, int nplan);

/* Append one event as an NDJSON object: jhead is "{\"event\":\"SYS:NAME\",\"ts\":", then
 * ts (seconds, 9 decimals), cpu, pid, comm_json (the encoded ",\"comm\":\"...\"", may be
 * empty), "fields":{...} and a newline. */
void ftk_trace_json_event(struct ftk_buf *b, const char *jhead, size_t jheadlen,
			  const struct tr_field *plan, int nplan, uint64_t ts, int cpu, int pid,
			  const char *comm_json, size_t comm_len, const void *data, int size);

/* "SECONDS.FRACTION" of ns with 9 or 6 decimals. */
void ftk_trace_fmt_ts(struct ftk_buf *b, uint64_t ns, int decimals);

#endif
