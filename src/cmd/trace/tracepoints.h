/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tracepoints (ftk trace): `-e SYSTEM:EVENT[:FILTER]` parsed and expanded against the
 * kernel's catalog (globs in SYSTEM and EVENT, "-e sched" for every sched event), duplicates
 * merged (their filters OR-ed; no filter wins), close names offered for a mistyped event.
 */
#ifndef FTK_CMD_TRACE_TRACEPOINTS_H
#define FTK_CMD_TRACE_TRACEPOINTS_H

struct trace_tracepoint {
	char *system, *event, *filter;	/* filter: NULL for none */
};

struct trace_tracepoints {
	struct trace_tracepoint *v;
	int n;
};

/* Split a spec: "SYS:EVENT[:FILTER]" or "SYS" (every event). Returns 0 with malloc'd parts
 * (*filter NULL when empty), or -EINVAL after the usage error. */
int trace_spec_split(const char *spec, char **system, char **event, char **filter);
/* Add every tracepoint a spec names. 0; -EINVAL (malformed, printed); -ENOENT (no such
 * event: error and a hint with close names printed). */
int trace_tracepoints_add(struct trace_tracepoints *list, const char *spec);
void trace_tracepoints_free(struct trace_tracepoints *list);

#endif
