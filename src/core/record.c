// SPDX-License-Identifier: GPL-2.0-only
/* record: the common head of NDJSON records (record.h), written through a cursor: it precedes
 * every line of the streaming views, so it costs what the keys cost to copy. */
#include <string.h>

#include "record.h"
#include "session.h"

void ftk_json_record(struct ftk_json *j, struct ftk_buf *b, const struct ftk_session *s,
		     uint64_t ts, int cpu, int pid, const char *comm, size_t comm_len)
{
	ftk_json_begin(j, b);
	ftk_buf_add(b, "\"time\":\"", 8);
	ftk_fmt_rfc3339(b, ftk_session_mono_to_real(s, ts));
	ftk_buf_reserve(b, 64);
	char *o = b->p + b->len;
	/* ts from the integer nanoseconds: exact at any uptime */
	memcpy(o, "\",\"ts\":", 7);
	o = ftk_put_seconds(o + 7, ts);
	j->n = 2;
	if (cpu >= 0) {
		memcpy(o, ",\"cpu\":", 7);
		o = ftk_put_u64(o + 7, (unsigned)cpu);
		j->n++;
	}
	if (pid >= 0) {
		memcpy(o, ",\"pid\":", 7);
		o = ftk_put_u64(o + 7, (unsigned)pid);
		j->n++;
	}
	*o = '\0';
	b->len = o - b->p;
	if (comm)
		ftk_json_str(j, "comm", comm, comm_len == FTK_CSTR ? strlen(comm) : comm_len);
}
