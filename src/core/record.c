// SPDX-License-Identifier: GPL-2.0-only
/* record: the common head of NDJSON records (record.h). */
#include <string.h>

#include "record.h"
#include "session.h"

void ftk_json_record(struct ftk_json *j, struct ftk_buf *b, const struct ftk_session *s,
		     uint64_t ts, int cpu, int pid, const char *comm, size_t comm_len)
{
	static struct ftk_buf time;

	ftk_json_begin(j, b);
	ftk_buf_reset(&time);
	ftk_fmt_rfc3339(&time, ftk_session_mono_to_real(s, ts));
	ftk_json_str(j, "time", time.p, time.len);
	ftk_json_double(j, "ts", ts / 1e9, 9);
	if (cpu >= 0)
		ftk_json_int(j, "cpu", cpu);
	if (pid >= 0)
		ftk_json_int(j, "pid", pid);
	if (comm)
		ftk_json_str(j, "comm", comm, comm_len == FTK_CSTR ? strlen(comm) : comm_len);
}
