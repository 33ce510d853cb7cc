// SPDX-License-Identifier: GPL-2.0-only
/* record (ftk trace): the NDJSON object of one event. */
#include <string.h>

#include "cmd/trace/record.h"
#include "core/output.h"

void trace_record_head(struct ftk_buf *b, const char *label)
{
	ftk_buf_adds(b, "{\"event\":");
	ftk_json_string(b, label, strlen(label));
	ftk_buf_adds(b, ",\"ts\":");
}

void trace_record_json(struct ftk_buf *b, const char *head, size_t head_len,
		       const struct ftk_event_fields *fields, uint64_t ts, int cpu, int pid,
		       const char *comm_json, size_t comm_len, const void *data, int size)
{
	ftk_buf_reserve(b, head_len + comm_len + 96);
	char *o = b->p + b->len;

	memcpy(o, head, head_len);
	o = ftk_put_seconds(o + head_len, ts);
	memcpy(o, ",\"cpu\":", 7);
	o = ftk_put_u64(o + 7, (unsigned)cpu);
	memcpy(o, ",\"pid\":", 7);
	o = ftk_put_s64(o + 7, pid);
	memcpy(o, comm_json, comm_len);
	o += comm_len;
	memcpy(o, ",\"fields\":", 10);
	b->len = o + 10 - b->p;
	ftk_event_fields_json(b, fields, data, size);
	ftk_buf_add(b, "}\n", 2);
}
