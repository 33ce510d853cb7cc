// SPDX-License-Identifier: GPL-2.0-only
/* record: the common head of NDJSON records (record.h), written through a cursor: it precedes
 * every line of the streaming views, so it costs what the keys cost to copy. */
#include <string.h>

#include "record.h"
#include "session.h"

void ftk_json_record(struct ftk_json *j, struct ftk_buf *b, const struct ftk_session *s,
		     uint64_t ts, int cpu, int pid, const char *comm, size_t comm_len)
{
	j->b = b;
	j->n = 2;
	ftk_buf_reserve(b, 128);
	char *o = b->p + b->len;
	memcpy(o, "{\"time\":\"", 9);
	/* no session (engines under unit test): the clocks' offset now */
	o = ftk_put_rfc3339(o + 9, s ? ftk_session_mono_to_real(s, ts)
				    : ts + ftk_now_real() - ftk_now_mono());
	/* ts from the integer nanoseconds: exact at any uptime */
	memcpy(o, "\",\"ts\":", 7);
	o = ftk_put_seconds(o + 7, ts);
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
	if (comm) {
		memcpy(o, ",\"comm\":", 8);
		o += 8;
		j->n++;
	}
	*o = '\0';
	b->len = o - b->p;
	if (comm)
		ftk_json_string(b, comm, comm_len == FTK_CSTR ? strlen(comm) : comm_len);
}
