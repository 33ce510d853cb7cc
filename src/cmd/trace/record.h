/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * record (ftk trace): one event as an NDJSON object: the record head of every view
 * (core/record.h: time, ts, cpu, pid, comm), then the event's label and every field by name
 * ("fields":{...}, core/eventfmt.h).
 */
#ifndef FTK_CMD_TRACE_RECORD_H
#define FTK_CMD_TRACE_RECORD_H

#include <stddef.h>
#include "core/eventfmt.h"
#include "core/util.h"

struct ftk_session;
struct ftk_rec;

/* What follows the head for one event, computed once: ",\"event\":\"LABEL\",\"fields\":". */
void trace_record_event_key(struct ftk_buf *b, const char *label);
/* Append the event part of a record (event_key then the fields object, then "}\n"). */
void trace_record_event(struct ftk_buf *b, const struct ftk_buf *event_key,
			const struct ftk_event_fields *fields, const void *data, int size);
/* Append one whole record: head, event, fields. */
void trace_record_json(struct ftk_buf *b, const struct ftk_session *s, const struct ftk_rec *r,
		       int pid, const char *comm, const struct ftk_buf *event_key,
		       const struct ftk_event_fields *fields);

#endif
