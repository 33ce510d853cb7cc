// SPDX-License-Identifier: GPL-2.0-only
/* record (ftk trace): the NDJSON object of one event. */
#include <string.h>

#include "cmd/trace/record.h"
#include "core/events.h"
#include "core/output.h"
#include "core/record.h"

void trace_record_event_key(struct ftk_buf *b, const char *label)
{
	ftk_buf_adds(b, ",\"event\":");
	ftk_json_string(b, label, strlen(label));
	ftk_buf_adds(b, ",\"fields\":");
}

void trace_record_event(struct ftk_buf *b, const struct ftk_buf *event_key,
			const struct ftk_event_fields *fields, const void *data, int size)
{
	ftk_buf_add(b, event_key->p, event_key->len);
	ftk_event_fields_json(b, fields, data, size);
	ftk_buf_add(b, "}\n", 2);
}

void trace_record_json(struct ftk_buf *b, const struct ftk_session *s, const struct ftk_rec *r,
		       int pid, const char *comm, const struct ftk_buf *event_key,
		       const struct ftk_event_fields *fields)
{
	struct ftk_json j;

	ftk_json_record(&j, b, s, r->ts, r->cpu, pid, comm, FTK_CSTR);
	trace_record_event(b, event_key, fields, r->data, r->size);
}
