// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk report: a trace.dat recording (ftk record, trace-cmd record; versions 6 and 7) printed
 * like `ftk trace` prints live events, or exported for Perfetto.
 *   text, --json: `ftk trace --input FILE` with every event the file holds records of (or
 *       the -e globs): the same lines and NDJSON objects as the live view, same code.
 *   --format chrome: Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing
 *       open: function_graph calls as nested slices per thread (graph's engine, as `ftk graph
 *       --format chrome`), each block request as an async slice from issue to completion on
 *       a track per disk, sched_switch/sched_waking as systemTraceEvents (Perfetto's ftrace
 *       text importer draws the CPU and thread-state tracks from them), losses as instants.
 * No root, no tracefs: the file is all it reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <trace-seq.h>

#include "cmd/graph/engine.h"
#include "cmd/graph/export.h"
#include "core/eventfmt.h"
#include "core/events.h"
#include "core/features.h"
#include "core/output.h"
#include "core/ptrack.h"
#include "core/run.h"
#include "core/tracedat_read.h"
#include "core/util.h"
#include "core/view.h"

extern const struct ftk_view ftk_view_trace;

enum { OPT_FORMAT = 256 };
enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_CHROME };

struct report {
	const char *file;
	enum report_format format;
	char **specs;		/* -e as given */
	int nspecs;
};

static const struct ftk_option options[] = {
	{ "event", 'e', "SPEC",
	  "SYSTEM:EVENT[:FILTER] to print, globs allowed (default: every event the file holds)" },
	{ "format", OPT_FORMAT, "F",
	  "text (default), json, or chrome (trace-event JSON for Perfetto)" },
	{ NULL },
};

static int report_option(struct ftk_run *r, int key, const char *arg)
{
	struct report *x = r->state;

	switch (key) {
	case 'e':
		x->specs = ftk_xrealloc(x->specs, (x->nspecs + 1) * sizeof(*x->specs));
		x->specs[x->nspecs++] = (char *)arg;
		return 0;
	case OPT_FORMAT:
		if (!strcmp(arg, "text"))
			x->format = REPORT_TEXT;
		else if (!strcmp(arg, "json"))
			x->format = REPORT_JSON;
		else if (!strcmp(arg, "chrome"))
			x->format = REPORT_CHROME;
		else
			return ftk_usage_error("unknown format '%s' (text, json, chrome)", arg),
			       -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static int report_args(struct ftk_run *r, int argc, char **argv)
{
	struct report *x = r->state;

	if (argc > 1)
		return ftk_usage_error("one FILE only ('%s' is extra)", argv[1]), -EINVAL;
	x->file = argv[0];
	return 0;
}

static int report_check(struct ftk_run *r)
{
	struct report *x = r->state;

	if (!x->file)
		x->file = "trace.dat";	/* as trace-cmd report */
	if (r->json) {
		if (x->format == REPORT_CHROME)
			return ftk_usage_error("--json and --format chrome exclude each other"),
			       -EINVAL;
		x->format = REPORT_JSON;
	}
	if (x->format == REPORT_CHROME && x->nspecs)
		return ftk_usage_error("-e selects events to print: --format chrome exports "
				       "function_graph, block and sched events"), -EINVAL;
	return 0;
}

/* ---- text and NDJSON: ftk trace over the file ---------------------------------------- */

/* "-e SYS:NAME" for every event with records in the file (in id order). */
static void events_with_records(struct ftk_tracedat *td, char ***argv, int *argc)
{
	struct tep_handle *tep = ftk_tracedat_tep(td);
	int n = tep_get_events_count(tep);
	struct tep_event **evs = tep_list_events(tep, TEP_EVENT_SORT_ID);

	for (int i = 0; evs && i < n; i++) {
		if (!ftk_tracedat_recorded(td, evs[i]->id))
			continue;
		struct ftk_buf b = { 0 };
		ftk_buf_printf(&b, "%s:%s", evs[i]->system, evs[i]->name);
		*argv = ftk_xrealloc(*argv, (*argc + 3) * sizeof(**argv));
		(*argv)[(*argc)++] = ftk_xstrdup("-e");
		(*argv)[(*argc)++] = b.p;
	}
}

static void describe(const char *file, struct ftk_tracedat *td)
{
	const struct ftk_tracedat_info *in = ftk_tracedat_info(td);

	ftk_info("%s: trace.dat version %d%s%s, %d CPU%s, %u-byte pages", file, in->version,
		 *in->compression ? ", compression " : "", in->compression,
		 ftk_tracedat_ncpus(td), ftk_tracedat_ncpus(td) == 1 ? "" : "s", in->page_size);
	if (ftk_tracedat_instances(td) > 0)
		ftk_warn("%s also holds %d named buffer%s (trace-cmd record -B): only the top "
			 "buffer is read", file, ftk_tracedat_instances(td),
			 ftk_tracedat_instances(td) == 1 ? "" : "s");
}

static int report_trace(struct ftk_run *r, struct ftk_tracedat *td)
{
	struct report *x = r->state;
	char **argv = NULL;
	int argc = 0, rc;

	argv = ftk_xcalloc(8, sizeof(*argv));
	argv[argc++] = ftk_xstrdup("trace");
	argv[argc++] = ftk_xstrdup("--input");
	argv[argc++] = ftk_xstrdup(x->file);
	if (x->format == REPORT_JSON)
		argv[argc++] = ftk_xstrdup("--json");
	if (x->nspecs) {
		for (int i = 0; i < x->nspecs; i++) {
			argv = ftk_xrealloc(argv, (argc + 3) * sizeof(*argv));
			argv[argc++] = ftk_xstrdup("-e");
			argv[argc++] = ftk_xstrdup(x->specs[i]);
		}
	} else {
		events_with_records(td, &argv, &argc);
		if (argc == 3 + (x->format == REPORT_JSON)) {
			ftk_info("%s holds no records", x->file);
			rc = FTK_EXIT_OK;
			goto out;
		}
	}
	argv[argc] = NULL;
	ftk_features_offline(NULL, 0);
	rc = ftk_run_view(&ftk_view_trace, argc, argv);
out:
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return rc;
}

/* ---- Chrome trace-event JSON ------------------------------------------------------------ */

/* A block request in flight, from block_rq_issue to block_rq_complete (by dev, sector). */
struct bio_req {
	uint64_t dev, sector, ts, seq;
	char name[48];
	bool used;
};

struct chrome {
	struct tep_handle *tep;
	struct graph g;
	struct graph_output go;
	bool graph_on;
	struct ftk_ptrack *procs;
	struct ftk_event src[FTK_PTRACK_NSOURCES];
	struct tep_event *sw, *wk, *issue, *done;
	struct bio_req *reqs;
	size_t nreqs, capreqs;
	uint64_t seq;
	uint64_t *disks;	/* devs named with process_name metadata */
	int ndisks;
	struct ftk_buf sys;	/* systemTraceEvents text */
	struct trace_seq seq_scratch;
	struct ftk_buf line;
	unsigned long long records, lost, unpaired;
};

static void sep(struct chrome *c)
{
	if (!c->g.chrome_first)
		ftk_buf_addc(&c->g.out, ',');
	c->g.chrome_first = false;
}

static void us(struct ftk_buf *b, uint64_t ns)
{
	ftk_buf_printf(b, "%llu.%03llu", (unsigned long long)(ns / 1000),
		       (unsigned long long)(ns % 1000));
}

static unsigned long long num(struct tep_event *e, const char *field, const struct ftk_rec *r)
{
	struct tep_format_field *f = tep_find_field(e, field);
	unsigned long long v = 0;

	if (f)
		tep_read_number_field(f, r->data, &v);
	return v;
}

static const char *str(struct tep_event *e, const char *field, const struct ftk_rec *r,
		       char *buf, size_t len)
{
	struct tep_format_field *f = tep_find_field(e, field);

	buf[0] = 0;
	if (f && f->size > 0 && !(f->flags & TEP_FIELD_IS_DYNAMIC)) {
		size_t n = (size_t)f->size < len - 1 ? (size_t)f->size : len - 1;
		memcpy(buf, (const char *)r->data + f->offset, n);
		buf[n] = 0;
	}
	return buf;
}

/* A synthetic process per disk, so each disk gets its own group of async tracks. */
static int disk_pid(struct chrome *c, uint64_t dev)
{
	int pid = 0x40000000 + (int)(dev & 0x3fffffff);

	for (int i = 0; i < c->ndisks; i++)
		if (c->disks[i] == dev)
			return pid;
	c->disks = ftk_xrealloc(c->disks, (c->ndisks + 1) * sizeof(*c->disks));
	c->disks[c->ndisks++] = dev;
	/* the kernel's dev_t: major in the top 12 bits of 32 (MINORBITS 20) */
	char name[48];
	snprintf(name, sizeof(name), "disk %u:%u", (unsigned)(dev >> 20),
		 (unsigned)(dev & 0xfffff));
	struct ftk_json j;
	sep(c);
	ftk_json_begin(&j, &c->g.out);
	ftk_json_cstr(&j, "name", "process_name");
	ftk_json_cstr(&j, "ph", "M");
	ftk_json_int(&j, "pid", pid);
	ftk_json_object_begin(&j, "args");
	ftk_json_cstr(&j, "name", name);
	ftk_json_object_end(&j);
	ftk_json_end(&j);
	return pid;
}

static void block_issue(struct chrome *c, const struct ftk_rec *r)
{
	char rwbs[16], comm[20];
	struct bio_req *q = NULL;

	for (size_t i = 0; i < c->nreqs; i++)
		if (!c->reqs[i].used) {
			q = &c->reqs[i];
			break;
		}
	if (!q) {
		if (c->nreqs == c->capreqs) {
			c->capreqs = c->capreqs ? 2 * c->capreqs : 64;
			c->reqs = ftk_xrealloc(c->reqs, c->capreqs * sizeof(*c->reqs));
		}
		q = &c->reqs[c->nreqs++];
	}
	q->used = true;
	q->dev = num(c->issue, "dev", r);
	q->sector = num(c->issue, "sector", r);
	q->ts = r->ts;
	q->seq = c->seq++;
	unsigned long long bytes = tep_find_field(c->issue, "bytes") ?
					   num(c->issue, "bytes", r) :
					   num(c->issue, "nr_sector", r) * 512;
	snprintf(q->name, sizeof(q->name), "%s %llu", str(c->issue, "rwbs", r, rwbs, sizeof(rwbs)),
		 bytes);
	(void)comm;
}

static void block_complete(struct chrome *c, const struct ftk_rec *r)
{
	uint64_t dev = num(c->done, "dev", r), sector = num(c->done, "sector", r);
	struct bio_req *q = NULL;

	for (size_t i = 0; i < c->nreqs; i++)
		if (c->reqs[i].used && c->reqs[i].dev == dev && c->reqs[i].sector == sector &&
		    (!q || c->reqs[i].seq < q->seq))
			q = &c->reqs[i];
	if (!q) {
		c->unpaired++;
		return;
	}
	int pid = disk_pid(c, dev);
	char id[64];
	snprintf(id, sizeof(id), "%llu:%llu:%llu", (unsigned long long)dev,
		 (unsigned long long)sector, (unsigned long long)q->seq);
	for (int end = 0; end < 2; end++) {
		struct ftk_buf ts = { 0 };
		struct ftk_json j;
		us(&ts, end ? r->ts : q->ts);
		sep(c);
		ftk_json_begin(&j, &c->g.out);
		ftk_json_cstr(&j, "name", q->name);
		ftk_json_cstr(&j, "cat", "block");
		ftk_json_cstr(&j, "ph", end ? "e" : "b");
		ftk_json_cstr(&j, "id", id);
		ftk_json_raw(&j, "ts", ftk_buf_str(&ts));
		ftk_json_int(&j, "pid", pid);
		ftk_json_int(&j, "tid", pid);
		if (!end) {
			ftk_json_object_begin(&j, "args");
			ftk_json_uint(&j, "sector", sector);
			ftk_json_object_end(&j);
		} else if (tep_find_field(c->done, "error")) {
			ftk_json_object_begin(&j, "args");
			ftk_json_int(&j, "error", (int)num(c->done, "error", r));
			ftk_json_object_end(&j);
		}
		ftk_json_end(&j);
		ftk_buf_free(&ts);
	}
	q->used = false;
	graph_maybe_flush(&c->g);
}

/* One ftrace text line, as the kernel's print format has it (no plugins): what Perfetto's
 * systrace importer parses ("prev_comm=... ==> next_comm=..."). */
static void sched_line(struct chrome *c, struct tep_event *e, const struct ftk_rec *r)
{
	int pid = ftk_rec_pid(r->data);
	struct ftk_pinfo *pi = pid ? ftk_ptrack_get(c->procs, pid) : NULL;
	const char *comm = pi && pi->comm[0] ? pi->comm :
			   pid == 0 ? "<idle>" :
			   tep_is_pid_registered(c->tep, pid) ? tep_data_comm_from_pid(c->tep, pid) :
								"<...>";

	ftk_buf_reset(&c->line);
	ftk_event_text_line(&c->line, &c->seq_scratch, e, e->name, r, pid, comm);
	ftk_buf_add(&c->sys, c->line.p, c->line.len);
}

static void lost_instant(struct chrome *c, const struct ftk_rec *r, long long missed)
{
	struct ftk_buf ts = { 0 };
	struct ftk_json j;

	us(&ts, r->ts);
	sep(c);
	ftk_json_begin(&j, &c->g.out);
	ftk_json_cstr(&j, "name", "events lost");
	ftk_json_cstr(&j, "ph", "i");
	ftk_json_cstr(&j, "s", "g");
	ftk_json_raw(&j, "ts", ftk_buf_str(&ts));
	ftk_json_int(&j, "pid", 0);
	ftk_json_int(&j, "tid", 0);
	ftk_json_object_begin(&j, "args");
	ftk_json_int(&j, "cpu", r->cpu);
	if (missed > 0)
		ftk_json_int(&j, "count", missed);
	ftk_json_object_end(&j);
	ftk_json_end(&j);
	ftk_buf_free(&ts);
}

static int chrome_record(const struct ftk_rec *r, long long missed, void *ctx)
{
	struct chrome *c = ctx;
	int id = ftk_rec_type(r->data);

	c->records++;
	if (missed) {
		if (missed > 0)
			c->lost += missed;
		lost_instant(c, r, missed);
		if (c->graph_on)
			graph_lost(&c->g, r->cpu);
		ftk_ptrack_lost(c->procs);
	}
	ftk_ptrack_feed(c->procs, r);
	if (c->graph_on)
		graph_record(&c->g, r);
	if (c->issue && id == c->issue->id)
		block_issue(c, r);
	else if (c->done && id == c->done->id)
		block_complete(c, r);
	else if (c->sw && id == c->sw->id)
		sched_line(c, c->sw, r);
	else if (c->wk && id == c->wk->id)
		sched_line(c, c->wk, r);
	return ftk_out_broken();
}

static void use_source(struct chrome *c, enum ftk_ptrack_source s, const char *sys,
		       const char *name)
{
	struct tep_event *e = tep_find_event_by_name(c->tep, sys, name);

	if (!e)
		return;
	c->src[s] = (struct ftk_event){ .kind = FTK_EV_TRACEPOINT, .system = (char *)sys,
					.name = (char *)name, .tep = e, .id = e->id,
					.enabled = true };
	ftk_ptrack_use(c->procs, s, &c->src[s]);
}

static int report_chrome(struct ftk_run *r, struct ftk_tracedat *td)
{
	struct chrome c = { .tep = ftk_tracedat_tep(td) };

	c.go.format = GRAPH_CHROME;
	graph_engine_init(&c.g, &c.go);
	c.procs = ftk_ptrack_new();
	c.g.procs = c.procs;
	use_source(&c, FTK_PTRACK_FORK, "sched", "sched_process_fork");
	use_source(&c, FTK_PTRACK_EXEC, "sched", "sched_process_exec");
	use_source(&c, FTK_PTRACK_EXIT, "sched", "sched_process_exit");
	use_source(&c, FTK_PTRACK_RENAME, "task", "task_rename");
	ftk_ptrack_bind(c.procs);
	struct tep_event *entry = tep_find_event_by_name(c.tep, "ftrace", "funcgraph_entry");
	struct tep_event *exit = tep_find_event_by_name(c.tep, "ftrace", "funcgraph_exit");
	c.graph_on = entry && exit && !graph_engine_bind(&c.g, entry, exit);
	c.sw = tep_find_event_by_name(c.tep, "sched", "sched_switch");
	c.wk = tep_find_event_by_name(c.tep, "sched", "sched_waking");
	c.issue = tep_find_event_by_name(c.tep, "block", "block_rq_issue");
	c.done = tep_find_event_by_name(c.tep, "block", "block_rq_complete");
	trace_seq_init(&c.seq_scratch);

	ftk_out("{\"traceEvents\":[\n", 17);
	ftk_tracedat_iterate(td, chrome_record, &c);
	/* calls still open at the end are left out, as `ftk graph --format chrome` does */
	graph_flush_out(&c.g);
	ftk_out("\n]", 2);
	if (c.sys.len) {
		struct ftk_buf b = { 0 };
		ftk_buf_adds(&b, ",\"systemTraceEvents\":");
		ftk_json_string(&b, c.sys.p, c.sys.len);
		ftk_out_buf(&b);
		ftk_buf_free(&b);
	}
	ftk_out("}\n", 2);
	ftk_out_flush();
	fprintf(stderr, "ftk: %llu events, %llu lost\n", c.records, c.lost);
	if (c.unpaired)
		ftk_info("%llu block completions without their issue in the file (left out)",
			 c.unpaired);
	graph_engine_free(&c.g);
	ftk_ptrack_free(c.procs);
	trace_seq_destroy(&c.seq_scratch);
	ftk_buf_free(&c.sys);
	ftk_buf_free(&c.line);
	free(c.reqs);
	free(c.disks);
	return 0;
}

static int report_main(struct ftk_run *r)
{
	struct report *x = r->state;
	struct ftk_tracedat *td = ftk_tracedat_open(x->file);
	int rc;

	if (!td)
		return -ENOENT;
	describe(x->file, td);
	/* comms, kernel symbols, tracepoints: from the file, never this host */
	ftk_features_offline(ftk_tracedat_tep(td), 0);
	if (x->format == REPORT_CHROME) {
		rc = report_chrome(r, td);
	} else {
		rc = report_trace(r, td);
		rc = rc == FTK_EXIT_OK ? 0 : rc == FTK_EXIT_USAGE ? -EINVAL : -EIO;
	}
	ftk_features_offline(NULL, 0);
	ftk_tracedat_close(td);
	return rc;
}

static void report_free(struct ftk_run *r)
{
	struct report *x = r->state;

	free(x->specs);
}

static const struct ftk_view_ops ops = {
	.option = report_option,
	.args = report_args,
	.check = report_check,
	.main = report_main,
	.free = report_free,
};

const struct ftk_view ftk_view_report = {
	.name = "report",
	.summary = "print a trace.dat recording (ftk record, trace-cmd record), or export it",
	.description = "Print a trace.dat recording (versions 6 and 7, from ftk record or trace-cmd "
		       "record) as\n'ftk trace' prints live events, or export it as Chrome "
		       "trace-event JSON for\nui.perfetto.dev. Needs no root and reads no tracefs.",
	.positional = "[FILE]",
	.examples =
		"  ftk report exec.dat\n"
		"  ftk report --json -e 'sched:sched_process_*' trace.dat\n"
		"  ftk report --format chrome trace.dat > trace.json   # open in ui.perfetto.dev\n"
		"  ftk execsnoop --input exec.dat                       # a view over a recording\n",
	.common = FTK_OPT_JSON,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct report),
};
