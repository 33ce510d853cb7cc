// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk trace: the general view. Streams any tracepoint (globs allowed), uprobe (PATH:SYMBOL
 * resolved through the ELF symbol tables) or kprobe, merged in time order across CPUs. Each
 * event is printed from its own print format, or with --json as one NDJSON object carrying
 * every field by name (core/eventfmt.h); --count prints counts per event per interval
 * instead (trace/count.c). `-- COMMAND` traces only that command and its children; -p limits
 * to running processes. Filters are applied in the kernel, which also judges them. Comms
 * come from the process tracker (core/ptrack.h), else /proc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <trace-seq.h>

#include "cmd/trace/count.h"
#include "cmd/trace/probes.h"
#include "cmd/trace/record.h"
#include "cmd/trace/tracepoints.h"
#include "core/eventfmt.h"
#include "core/events.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/ptrack.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

/* One event printed by the view. */
struct trace_event {
	struct trace *trace;
	struct ftk_event *ev;
	char *label;			/* "sched:sched_switch", "uprobe:readline" */
	struct ftk_buf event_key;	/* ",\"event\":\"LABEL\",\"fields\":" */
	struct ftk_event_fields fields;	/* every field, compiled once armed */
	bool feeds_tracker;		/* also a source of the process tracker */
};

struct trace {
	/* options */
	bool json, count, interval_set;
	char **specs;			/* -e as given */
	int nspecs;
	struct trace_probe *probes;	/* --uprobe / --kprobe, parsed by check */
	int nprobes;

	/* run */
	struct ftk_run *run;
	struct ftk_session *session;
	struct trace_tracepoints tracepoints;
	struct trace_event *events;
	int nevents;
	struct trace_count counter;
	struct ftk_ptrack *tracker;
	pid_t *tids;			/* what set_event_pid gets: -p threads or the command */
	int ntids;
	struct ftk_buf line;
	struct trace_seq seq;
	pid_t last_pid;			/* comm cache: the last record's pid ... */
	unsigned long last_changes;	/* ... and the tracker's changes when it was filled */
	char last_comm[16];
};

enum { OPT_UPROBE = 256, OPT_KPROBE };

static const struct ftk_option options[] = {
	{ "event", 'e', "SPEC", "SYSTEM:EVENT[:FILTER], globs allowed ('sched:*'), kernel FILTER" },
	{ "uprobe", OPT_UPROBE, "SPEC", "[r:]PATH:SYMBOL[+OFF] [FETCHARGS...]; PATH may be 'libc'" },
	{ "kprobe", OPT_KPROBE, "SPEC", "[r:]SYMBOL[+OFF] [FETCHARGS...] (needs kprobe_events)" },
	{ "count", 'c', NULL, "count events per interval instead of printing them" },
	{ "interval", 'i', "SECS", "--count interval (default 1)" },
	{ NULL },
};

/* -------------------------------------------------------------------- per-event output */

/* The comm of pid, from the process tracker, else /proc; cached for the last pid until the
 * tracker learns something. */
static const char *comm_of(struct trace *t, pid_t pid)
{
	unsigned long changes = ftk_ptrack_changes(t->tracker);

	if (pid == t->last_pid && changes == t->last_changes)
		return t->last_comm;
	struct ftk_pinfo *pi = pid ? ftk_ptrack_lookup(t->tracker, pid) : NULL;
	const char *comm = pi ? pi->comm : pid ? "<...>" : "<idle>";	/* gone before seen */

	t->last_pid = pid;
	t->last_changes = changes;
	snprintf(t->last_comm, sizeof(t->last_comm), "%s", comm);
	return t->last_comm;
}

static void on_json(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct trace_event *te = ctx;
	struct trace *t = te->trace;
	int pid = ftk_rec_pid(r->data);

	if (te->feeds_tracker)
		ftk_ptrack_feed(t->tracker, r);
	trace_record_json(&t->line, t->session, r, pid, comm_of(t, pid), &te->event_key,
			  &te->fields);
	ftk_out_buf(&t->line);
}

static void on_text(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct trace_event *te = ctx;
	struct trace *t = te->trace;
	int pid = ftk_rec_pid(r->data);

	if (te->feeds_tracker)
		ftk_ptrack_feed(t->tracker, r);
	ftk_event_text_line(&t->line, &t->seq, ev->tep, te->label, r, pid, comm_of(t, pid));
	ftk_out_buf(&t->line);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	ftk_out_flush();
}

static void on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	struct trace *t = ctx;

	ftk_ptrack_lost(t->tracker);
	if (!t->json || t->count)	/* --count says it in the totals */
		return;
	struct ftk_json j;
	ftk_json_begin(&j, &t->line);
	ftk_json_cstr(&j, "event", "lost");
	ftk_json_int(&j, "cpu", cpu);
	if (count < 0)
		ftk_json_null(&j, "count");
	else
		ftk_json_int(&j, "count", count);
	ftk_json_end(&j);
	ftk_out_buf(&t->line);
}

/* ------------------------------------------------------------------------ the view */

static void trace_init(struct ftk_run *r)
{
	struct trace *t = r->state;

	t->run = r;
	t->counter.interval = 1.0;
	t->tracker = ftk_ptrack_new();
	t->last_pid = -1;
	trace_seq_init(&t->seq);
}

static int trace_option(struct ftk_run *r, int key, const char *arg)
{
	struct trace *t = r->state;

	switch (key) {
	case 'e':
		t->specs = ftk_xrealloc(t->specs, (t->nspecs + 1) * sizeof(char *));
		t->specs[t->nspecs++] = (char *)arg;
		return 0;
	case OPT_UPROBE:
	case OPT_KPROBE:
		t->probes = ftk_xrealloc(t->probes, (t->nprobes + 1) * sizeof(*t->probes));
		memset(&t->probes[t->nprobes], 0, sizeof(*t->probes));
		t->probes[t->nprobes].text = arg;
		t->probes[t->nprobes++].uprobe = key == OPT_UPROBE;
		return 0;
	case 'c':
		t->count = true;
		return 0;
	case 'i':
		t->interval_set = true;
		return ftk_opt_seconds("interval", arg, &t->counter.interval);
	}
	return -EINVAL;
}

static int trace_check(struct ftk_run *r)
{
	struct trace *t = r->state;

	t->json = r->json;
	if (!t->nspecs && !t->nprobes)
		return ftk_usage_error("nothing to trace: give -e, --uprobe or --kprobe"), -EINVAL;
	if (t->interval_set && !t->count)
		return ftk_usage_error("-i/--interval goes with --count"), -EINVAL;
	if (r->command && r->npids)
		return ftk_usage_error("-p and a COMMAND exclude each other"), -EINVAL;
	for (int i = 0; i < t->nprobes; i++) {
		int rc = trace_probe_parse(&t->probes[i], t->probes[i].text, t->probes[i].uprobe);
		if (rc)
			return rc;
	}
	return 0;
}

static void add_event(struct trace *t, struct ftk_event *ev, char *label)
{
	t->events = ftk_xrealloc(t->events, (t->nevents + 1) * sizeof(*t->events));
	t->events[t->nevents++] = (struct trace_event){ .trace = t, .ev = ev, .label = label };
}

/*
 * Limit events to the -p threads or the command (and what they start: event-fork). Runs as
 * the session's set-up hook: the instance exists, nothing is enabled yet and the command is
 * spawned but still held, so no event of another process slips in and no early child is
 * missed.
 */
static int limit_pids(struct ftk_session *s, void *ctx)
{
	struct trace *t = ctx;

	if (t->run->child > 0 && !t->ntids) {
		t->tids = ftk_xmalloc(sizeof(pid_t));
		t->tids[t->ntids++] = t->run->child;
	}
	if (!t->ntids)
		return 0;
	return ftk_session_filter_pids(s, t->tids, t->ntids, true) < 0 ? -EIO : 0;
}

/* Counting needs no time order across CPUs: records are dispatched as each CPU is read. */
static int trace_prepare(struct ftk_run *r)
{
	struct trace *t = r->state;

	r->so.unordered = t->count;
	return 0;
}

/* The events asked for, then the counters (--count) or the printers and the process
 * tracker's events. */
static int trace_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct trace *t = r->state;
	int rc;

	t->session = s;
	for (int i = 0; i < t->nspecs; i++)
		if ((rc = trace_tracepoints_add(&t->tracepoints, t->specs[i])))
			return rc;
	for (int i = 0; i < t->tracepoints.n; i++) {
		struct trace_tracepoint *p = &t->tracepoints.v[i];
		struct ftk_buf label = { 0 };
		ftk_buf_printf(&label, "%s:%s", p->system, p->event);
		add_event(t, ftk_tracepoint(s, p->system, p->event, p->filter), label.p);
	}
	for (int i = 0; i < t->nprobes; i++) {
		struct ftk_event *ev;
		char *label;
		if ((rc = trace_probe_declare(s, &t->probes[i], i, &ev, &label)))
			return rc;
		add_event(t, ev, label);
	}
	if (t->count) {
		struct ftk_event **events = ftk_xcalloc(t->nevents, sizeof(*events));
		char **labels = ftk_xcalloc(t->nevents, sizeof(*labels));
		for (int i = 0; i < t->nevents; i++) {
			events[i] = t->events[i].ev;
			labels[i] = t->events[i].label;
		}
		t->counter.json = t->json;
		trace_count_declare(&t->counter, s, events, labels, t->nevents);
		free(events);
		free(labels);
	} else {
		for (int i = 0; i < t->nevents; i++) {
			struct trace_event *te = &t->events[i];
			ftk_event_on(te->ev, t->json ? on_json : on_text, te);
			te->feeds_tracker = ftk_ptrack_adopt(t->tracker, te->ev);
		}
		ftk_ptrack_declare(t->tracker, s);
		ftk_session_on_end(s, on_end, t);
	}
	ftk_session_on_lost(s, on_lost, t);
	if (r->npids && (rc = ftk_run_pid_threads(r, &t->tids, &t->ntids)))
		return rc;
	ftk_session_on_setup(s, limit_pids, t);
	return 0;
}

/* Armed: the fields of every live event, the tracker's too. */
static int trace_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct trace *t = r->state;

	for (int i = 0; i < t->nevents; i++) {
		struct trace_event *te = &t->events[i];
		if (!te->ev->enabled || !te->ev->tep)
			continue;
		ftk_event_fields_compile(&te->fields, te->ev->tep);
		trace_record_event_key(&te->event_key, te->label);
	}
	ftk_ptrack_bind(t->tracker);
	return 0;
}

static void trace_header(struct ftk_run *r)
{
	struct trace *t = r->state;

	if (t->count)
		trace_count_header(&t->counter);
	ftk_out_flush();
	ftk_info("tracing %d event%s%s; Ctrl-C to end", t->nevents, t->nevents == 1 ? "" : "s",
		 r->command ? " of the command" : "");
}

static void trace_free(struct ftk_run *r)
{
	struct trace *t = r->state;

	for (int i = 0; i < t->nevents; i++) {
		free(t->events[i].label);
		ftk_buf_free(&t->events[i].event_key);
		ftk_event_fields_free(&t->events[i].fields);
	}
	free(t->events);
	trace_tracepoints_free(&t->tracepoints);
	for (int i = 0; i < t->nprobes; i++)
		trace_probe_free(&t->probes[i]);
	free(t->probes);
	free(t->specs);
	free(t->tids);
	trace_count_free(&t->counter);
	ftk_ptrack_free(t->tracker);
	ftk_buf_free(&t->line);
	trace_seq_destroy(&t->seq);
}

static const struct ftk_view_ops ops = {
	.init = trace_init,
	.option = trace_option,
	.check = trace_check,
	.prepare = trace_prepare,
	.declare = trace_declare,
	.bind = trace_bind,
	.header = trace_header,
	.free = trace_free,
};

const struct ftk_view ftk_view_trace = {
	.name = "trace",
	.summary = "stream any tracepoint, uprobe or kprobe, decoded by field",
	.description = "Stream any tracepoint, uprobe or kprobe, merged in time order, one line per "
		       "event\nformatted from the event's own print format.",
	.examples =
		"  ftk trace -e 'sched:sched_process_*'\n"
		"  ftk trace -e 'syscalls:sys_enter_openat:dfd != -100' --json\n"
		"  ftk trace --uprobe 'libc:execve file=+0(%di):string' -- make\n"
		"  ftk trace -e syscalls:sys_enter_getppid --count -d 10\n",
	.common = FTK_OPT_DURATION | FTK_OPT_TRACING | FTK_OPT_PID | FTK_OPT_COMMAND,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct trace),
	.default_buffer_kb = 4096,	/* 3x the kernel default: no loss under a 2.8M ev/s storm */
};
