/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * record: the keys every NDJSON record of a view starts with (ftk(8), JSON OUTPUT):
 *   time   RFC 3339 wall clock of the event, microseconds, local UTC offset
 *   ts     seconds of CLOCK_MONOTONIC, 9 decimals: the instance's trace_clock=mono, the same
 *          clock in every view (compare it across views, with clock_gettime(CLOCK_MONOTONIC)
 *          or another tool's monotonic stamps)
 *   cpu    CPU the event was recorded on (left out for records that aggregate: cpu < 0)
 *   pid    thread that caused it (left out when pid < 0)
 *   comm   its command name (left out when NULL)
 * A view's own keys follow. Seconds since tracing started, where a view shows them, are
 * `elapsed`.
 */
#ifndef FTK_RECORD_H
#define FTK_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "output.h"

struct ftk_session;

/* Begins the object on b (ftk_json_begin) and writes the keys above. comm_len: the bytes of
 * comm to use, or FTK_CSTR when it is NUL-terminated. s NULL (engines fed by unit tests):
 * `time` from the clocks' offset now. */
#define FTK_CSTR ((size_t)-1)
void ftk_json_record(struct ftk_json *j, struct ftk_buf *b, const struct ftk_session *s,
		     uint64_t ts, int cpu, int pid, const char *comm, size_t comm_len);

#endif
