/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * record (ftk trace): one event as an NDJSON object: the record header, the event's label
 * and every field by name ("fields":{...}, core/eventfmt.h), written through a cursor so the
 * per-event path stays a tight loop.
 */
#ifndef FTK_CMD_TRACE_RECORD_H
#define FTK_CMD_TRACE_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "core/eventfmt.h"
#include "core/util.h"

/* head: "{\"event\":\"SYS:NAME\",\"ts\":" (trace_record_head); then ts (seconds, 9
 * decimals), cpu, pid, comm_json (the encoded ",\"comm\":\"...\"", may be empty),
 * "fields":{...} and a newline. */
void trace_record_json(struct ftk_buf *b, const char *head, size_t head_len,
		       const struct ftk_event_fields *fields, uint64_t ts, int cpu, int pid,
		       const char *comm_json, size_t comm_len, const void *data, int size);
/* The head of an event's objects (malloc'd in b). */
void trace_record_head(struct ftk_buf *b, const char *label);

#endif
