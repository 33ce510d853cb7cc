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
#include <getopt.h>
#include <limits.h>
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
#include "core/features.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/ptrack.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

#define TRACE_DEFAULT_BUFFER_KB 4096	/* 3x the kernel default: no loss under a 2.8M ev/s storm */

/* One event printed by the view. */
struct trace_event {
	struct trace *trace;
	struct ftk_event *ev;
	char *label;			/* "sched:sched_switch", "uprobe:readline" */
	struct ftk_buf head;		/* its NDJSON head: "{\"event\":\"LABEL\",\"ts\":" */
	struct ftk_event_fields fields;	/* every field, compiled once armed */
	bool feeds_tracker;		/* also a source of the process tracker */
};

struct trace {
	/* options */
	bool json, count, dry_run;
	double duration;
	unsigned long buffer_kb;
	char **specs;			/* -e as given */
	int nspecs;
	struct trace_probe *probes;	/* --uprobe / --kprobe, parsed */
	int nprobes;
	pid_t *pids;			/* -p */
	int npids;
	char **command;			/* -- COMMAND */

	/* run */
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
	struct ftk_buf comm_json;	/* ",\"comm\":\"...\"" of last_pid */
};

/* ------------------------------------------------------------------ option parsing */

static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: ftk trace [-e SYSTEM:EVENT[:FILTER]]... [--uprobe SPEC]... [--kprobe SPEC]...\n"
		"                 [--json | --count [-i SECS]] [-p PID[,PID...]] [-d SECS]\n"
		"                 [-b KB] [--dry-run] [-- COMMAND [ARGS...]]\n"
		"\n"
		"Stream any tracepoint, uprobe or kprobe, merged in time order, one line per event\n"
		"formatted from the event's own print format.\n"
		"\n"
		"  -e, --event SPEC      SYSTEM:EVENT[:FILTER]; SYSTEM and EVENT may be globs\n"
		"                        ('sched:*', 'syscalls:sys_enter_open*'); FILTER is a kernel\n"
		"                        filter ('prev_pid == 1 && prev_prio < 100')\n"
		"      --uprobe SPEC     [r:]PATH:SYMBOL[+OFF] [FETCHARGS...] ('r:' = return probe;\n"
		"                        PATH may be 'libc' or a command in $PATH)\n"
		"      --kprobe SPEC     [r:]SYMBOL[+OFF] [FETCHARGS...] (needs kprobe_events)\n"
		"  -j, --json            one JSON object per event, every field by name\n"
		"  -c, --count           count events per interval instead of printing them\n"
		"  -i, --interval SECS   --count interval (default 1)\n"
		"  -p, --pid PID[,PID]   only these processes (and what they start while traced)\n"
		"  -d, --duration SECS   stop after SECS\n"
		"  -b, --buffer-kb KB    per-CPU ring buffer size (default 4096)\n"
		"      --dry-run         print the tracefs writes, make none\n"
		"  -h, --help            this help\n"
		"\n"
		"Examples:\n"
		"  ftk trace -e 'sched:sched_process_*'\n"
		"  ftk trace -e 'syscalls:sys_enter_openat:dfd != -100' --json\n"
		"  ftk trace --uprobe 'libc:execve file=+0(%%di):string' -- make\n"
		"  ftk trace -e syscalls:sys_enter_getppid --count -d 10\n");
}

static int add_pids(struct trace *t, const char *arg)
{
	char *dup = ftk_xstrdup(arg), *save = NULL;
	int rc = 0;

	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v;
		if (ftk_parse_long(tok, 1, INT_MAX, &v) < 0) {
			rc = ftk_usage_error("invalid PID '%s'", tok);
			break;
		}
		t->pids = ftk_xrealloc(t->pids, (t->npids + 1) * sizeof(*t->pids));
		t->pids[t->npids++] = (pid_t)v;
	}
	if (!rc && !t->npids)
		rc = ftk_usage_error("empty PID list");
	free(dup);
	return rc;
}

enum { OPT_UPROBE = 256, OPT_KPROBE, OPT_DRY_RUN };

static void add_probe(struct trace *t, const char *text, bool uprobe)
{
	t->probes = ftk_xrealloc(t->probes, (t->nprobes + 1) * sizeof(*t->probes));
	memset(&t->probes[t->nprobes], 0, sizeof(*t->probes));
	t->probes[t->nprobes].text = text;
	t->probes[t->nprobes++].uprobe = uprobe;
}

/* Parses argv into t. Returns -1 to go on, else an exit code (help: 0, usage: 2). */
static int trace_parse(struct trace *t, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "uprobe", required_argument, NULL, OPT_UPROBE },
		{ "kprobe", required_argument, NULL, OPT_KPROBE },
		{ "json", no_argument, NULL, 'j' },
		{ "count", no_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' },
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool interval_set = false;
	int c;

	t->counter.interval = 1.0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:jci:p:d:b:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			t->specs = ftk_xrealloc(t->specs, (t->nspecs + 1) * sizeof(char *));
			t->specs[t->nspecs++] = optarg;
			break;
		case OPT_UPROBE:
		case OPT_KPROBE:
			add_probe(t, optarg, c == OPT_UPROBE);
			break;
		case 'j':
			t->json = true;
			break;
		case 'c':
			t->count = true;
			break;
		case 'i':
			if (ftk_parse_seconds(optarg, &t->counter.interval) < 0)
				return ftk_usage_error("invalid interval '%s'", optarg);
			interval_set = true;
			break;
		case 'p':
			if (add_pids(t, optarg))
				return FTK_EXIT_USAGE;
			break;
		case 'd':
			if (ftk_parse_seconds(optarg, &t->duration) < 0)
				return ftk_usage_error("invalid duration '%s'", optarg);
			break;
		case 'b':
			if (ftk_parse_ulong(optarg, 4, 1024 * 1024, &t->buffer_kb) < 0)
				return ftk_usage_error("invalid buffer size '%s' (4..1048576 KB)",
						       optarg);
			break;
		case OPT_DRY_RUN:
			t->dry_run = true;
			break;
		case 'h':
			trace_usage(stdout);
			return FTK_EXIT_OK;
		case ':':
			return ftk_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return ftk_bad_option(argv);
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0)
			return ftk_usage_error("unexpected argument '%s' (a command goes after '--')",
					       argv[optind]);
		t->command = argv + optind;
	}
	if (!t->nspecs && !t->nprobes)
		return ftk_usage_error("nothing to trace: give -e, --uprobe or --kprobe");
	if (interval_set && !t->count)
		return ftk_usage_error("-i/--interval goes with --count");
	if (t->command && t->npids)
		return ftk_usage_error("-p and a COMMAND exclude each other");
	for (int i = 0; i < t->nprobes; i++)
		if (trace_probe_parse(&t->probes[i], t->probes[i].text, t->probes[i].uprobe))
			return FTK_EXIT_USAGE;
	return -1;
}

/* -------------------------------------------------------------------- per-event output */

/* The comm of pid, from the process tracker, else /proc; also the JSON fragment
 * ",\"comm\":\"...\"" of it. Cached for the last pid until the tracker learns something. */
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
	ftk_buf_reset(&t->comm_json);
	ftk_buf_add(&t->comm_json, ",\"comm\":", 8);
	ftk_json_string(&t->comm_json, t->last_comm, strlen(t->last_comm));
	return t->last_comm;
}

static void on_json(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct trace_event *te = ctx;
	struct trace *t = te->trace;
	int pid = ftk_rec_pid(r->data);

	if (te->feeds_tracker)
		ftk_ptrack_feed(t->tracker, r);
	comm_of(t, pid);
	trace_record_json(&t->line, te->head.p, te->head.len, &te->fields, r->ts, r->cpu, pid,
			  t->comm_json.p, t->comm_json.len, r->data, r->size);
	ftk_out(t->line.p, t->line.len);
	t->line.len = 0;
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
	if (!t->json)
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

/* ---------------------------------------------------------------------- declaring */

static void add_event(struct trace *t, struct ftk_event *ev, char *label)
{
	t->events = ftk_xrealloc(t->events, (t->nevents + 1) * sizeof(*t->events));
	t->events[t->nevents++] = (struct trace_event){ .trace = t, .ev = ev, .label = label };
}

/* Thread ids of every -p process (-ESRCH when one is gone). */
static int collect_tids(struct trace *t)
{
	for (int i = 0; i < t->npids; i++) {
		int n = 0;
		pid_t *v = ftk_proc_threads(t->pids[i], &n);
		if (!v) {
			ftk_error("no process with PID %d", t->pids[i]);
			return -ESRCH;
		}
		t->tids = ftk_xrealloc(t->tids, (t->ntids + n) * sizeof(*t->tids));
		memcpy(t->tids + t->ntids, v, n * sizeof(*t->tids));
		t->ntids += n;
		free(v);
	}
	return 0;
}

/*
 * Limit events to the -p threads or the command (and what they start: event-fork). Runs as
 * the session's set-up hook: the instance exists, nothing is enabled yet and the command is
 * still held, so no event of another process slips in and no early child is missed.
 */
static int limit_pids(struct ftk_session *s, void *ctx)
{
	struct trace *t = ctx;

	if (!t->ntids)
		return 0;
	return ftk_session_filter_pids(s, t->tids, t->ntids, true) < 0 ? -FTK_EXIT_FAIL : 0;
}

/* The events asked for, then (printing) the process tracker's or (--count) the counters. */
static int trace_declare(struct trace *t, struct ftk_session *s)
{
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
		struct ftk_event **evs = ftk_xcalloc(t->nevents, sizeof(*evs));
		char **labels = ftk_xcalloc(t->nevents, sizeof(*labels));
		for (int i = 0; i < t->nevents; i++) {
			evs[i] = t->events[i].ev;
			labels[i] = t->events[i].label;
		}
		t->counter.json = t->json;
		trace_count_declare(&t->counter, s, evs, labels, t->nevents);
		free(evs);
		free(labels);
	} else {
		ftk_ptrack_declare(t->tracker, s);
		for (int i = 0; i < t->nevents; i++)
			ftk_event_on(t->events[i].ev, t->json ? on_json : on_text, &t->events[i]);
		ftk_session_on_end(s, on_end, t);
	}
	ftk_session_on_lost(s, on_lost, t);
	if (t->npids && (rc = collect_tids(t)))
		return rc;
	ftk_session_on_setup(s, limit_pids, t);
	return 0;
}

/* Armed: fields of every live event, the tracker's too. */
static int trace_bind(struct trace *t)
{
	for (int i = 0; i < t->nevents; i++) {
		struct trace_event *te = &t->events[i];
		if (!te->ev->enabled || !te->ev->tep)
			continue;
		ftk_event_fields_compile(&te->fields, te->ev->tep);
		trace_record_head(&te->head, te->label);
		te->feeds_tracker = ftk_ptrack_wants(t->tracker, te->ev);
	}
	ftk_ptrack_bind(t->tracker);
	t->last_pid = -1;
	return 0;
}

static void trace_header(struct trace *t)
{
	if (t->count)
		trace_count_header(&t->counter);
	ftk_out_flush();
	ftk_info("tracing %d event%s%s; Ctrl-C to end", t->nevents, t->nevents == 1 ? "" : "s",
		 t->command ? " of the command" : "");
}

static void trace_free(struct trace *t)
{
	for (int i = 0; i < t->nevents; i++) {
		free(t->events[i].label);
		ftk_buf_free(&t->events[i].head);
		ftk_event_fields_free(&t->events[i].fields);
	}
	free(t->events);
	trace_tracepoints_free(&t->tracepoints);
	for (int i = 0; i < t->nprobes; i++)
		trace_probe_free(&t->probes[i]);
	free(t->probes);
	free(t->specs);
	free(t->pids);
	free(t->tids);
	trace_count_free(&t->counter);
	ftk_ptrack_free(t->tracker);
	ftk_buf_free(&t->line);
	ftk_buf_free(&t->comm_json);
	trace_seq_destroy(&t->seq);
}

static int trace_run(struct trace *t)
{
	if (!ftk_tracefs())
		return ftk_tracefs_error();
	struct ftk_session_opts so = {
		.view = "trace",
		.buffer_kb = t->buffer_kb,
		.default_buffer_kb = TRACE_DEFAULT_BUFFER_KB,
		.duration = t->duration,
		.dry_run = t->dry_run,
		.unordered = t->count,
	};
	struct ftk_session *s = ftk_session_new(&so);
	if (!s)
		return FTK_EXIT_FAIL;
	int rc = trace_declare(t, s);
	if (rc) {
		ftk_session_close(s);
		return rc == -EINVAL ? FTK_EXIT_USAGE : FTK_EXIT_FAIL;
	}
	if (t->command) {
		pid_t child = ftk_session_spawn(s, t->command);
		if (child < 0) {
			ftk_session_close(s);
			return FTK_EXIT_FAIL;
		}
		t->tids = ftk_xmalloc(sizeof(pid_t));
		t->tids[0] = child;
		t->ntids = 1;
	}
	rc = ftk_session_arm(s);
	if (rc == FTK_ARM_DRY || rc < 0) {
		ftk_session_close(s);
		return rc < 0 ? -rc : FTK_EXIT_OK;
	}
	trace_bind(t);
	trace_header(t);
	ftk_session_run(s);
	return ftk_session_close(s);
}

static int trace_main(int argc, char **argv)
{
	struct trace t = { 0 };
	int rc;

	trace_seq_init(&t.seq);
	t.tracker = ftk_ptrack_new();
	rc = trace_parse(&t, argc, argv);
	if (rc < 0)
		rc = ftk_require_root() < 0 ? FTK_EXIT_FAIL : trace_run(&t);
	trace_free(&t);
	return rc;
}

const struct ftk_view ftk_view_trace = {
	.name = "trace",
	.summary = "stream any tracepoint, uprobe or kprobe, decoded by field",
	.main = trace_main,
};
