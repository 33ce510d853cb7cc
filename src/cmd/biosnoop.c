// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk biosnoop: one line per block I/O with the process that submitted it, the disk, the
 * request type, sector, size and latency (issue -> completion; -Q adds the time queued in
 * the OS, submission -> issue). It reads block tracepoints only (bio/sources.h):
 * block_io_start (>= 6.5) or block_bio_queue/block_rq_insert name the submitter,
 * block_rq_issue and block_rq_complete time the request, and the pairing table
 * (bio/pairing.h) matches them by (dev, sector).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/bio/disks.h"
#include "cmd/bio/sources.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/record.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

struct biosnoop {
	bool queue, pattern, timestamp, json;
	double min_ms;
	const char *disk;	/* -d, NULL: all */
	uint32_t filter_dev;	/* its dev */
	const char *name;	/* -n: comm filter, NULL: all */
	const pid_t *pids;	/* -p: submitting processes (or threads), none: all */
	int npids;
	struct bio_disks disks;
	struct ftk_session *s;
	struct ftk_ptable *procs;
	struct bio_source *source;
	struct ftk_buf line;
	struct {
		uint32_t dev;
		uint64_t end;
	} last[16];		/* -P: where the previous I/O of each disk ended */
	int nlast;
};

static const struct ftk_option options[] = {
	{ "queue", 'Q', NULL, "add QUE(ms): time queued in the OS (submission -> issue)" },
	{ "pattern", 'P', NULL, "add P: S sequential or R random (per disk)" },
	{ "timestamp", 't', NULL, "add TIME: wall clock HH:MM:SS.us" },
	{ "disk", 'd', "DISK", "trace this disk only (a name in /sys/block)" },
	{ "min", 'm', "MIN_MS", "only I/O with a latency of at least MIN_MS milliseconds" },
	{ "name", 'n', "NAME", "only I/O submitted by processes named NAME (exact comm)" },
	{ NULL },
};

static const struct ftk_backend biosnoop_backends[] = {
	BIO_TRACEPOINT_BACKEND,
	BIO_TRACEPOINT_LEGACY_BACKEND,
	BIO_KPROBE_BACKEND,
};

/* ---- per I/O ---- */

static bool biosnoop_pid_wanted(const struct biosnoop *v, pid_t pid, pid_t tid)
{
	if (!v->npids)
		return true;
	for (int i = 0; i < v->npids; i++)
		if (v->pids[i] == pid || v->pids[i] == tid)
			return true;
	return false;
}

static pid_t biosnoop_tgid(struct biosnoop *v, pid_t tid)
{
	struct ftk_pinfo *p = ftk_ptable_lookup(v->procs, tid);

	return p && p->tgid > 0 ? p->tgid : tid;
}

static char biosnoop_pattern(struct biosnoop *v, const struct bio_io *io)
{
	bool seq = false;
	int i;

	for (i = 0; i < v->nlast; i++)
		if (v->last[i].dev == io->dev)
			break;
	if (i < v->nlast)
		seq = v->last[i].end == io->sector;
	else if (v->nlast < (int)FTK_ARRAY_SIZE(v->last))
		v->last[v->nlast++].dev = io->dev;
	else
		i = -1;
	if (i >= 0)
		v->last[i].end = io->sector + (io->bytes >> 9);
	return seq ? 'S' : 'R';
}

/* The record head (time, ts, cpu: of the completion; pid, comm: the submitter's, left out
 * when unknown), then biosnoop's columns. */
static void biosnoop_json(struct biosnoop *v, const struct bio_io *io, pid_t pid,
			  const char *disk, double elapsed, double lat, double que, char pat)
{
	struct ftk_buf *b = &v->line;
	struct ftk_json j;

	ftk_json_record(&j, b, v->s, io->done_ts, io->cpu, pid, io->pid >= 0 ? io->comm : NULL,
			FTK_CSTR);
	ftk_json_double(&j, "elapsed", elapsed, 6);
	ftk_json_cstr(&j, "disk", strcmp(disk, "?") ? disk : NULL);
	ftk_json_str(&j, "type", io->rwbs, strlen(io->rwbs));
	ftk_json_uint(&j, "sector", io->sector);
	ftk_json_uint(&j, "bytes", io->bytes);
	ftk_json_double(&j, "lat_ms", lat, 3);
	if (v->queue) {
		if (que >= 0)
			ftk_json_double(&j, "que_ms", que, 3);
		else
			ftk_json_null(&j, "que_ms");
	}
	if (v->pattern) {
		char p[2] = { pat, 0 };

		ftk_json_cstr(&j, "pattern", p);
	}
	ftk_json_int(&j, "error", io->error);
	ftk_json_end(&j);
	ftk_out_buf(b);
}

static void biosnoop_row(struct biosnoop *v, const struct bio_io *io, pid_t pid,
			 const char *disk, double elapsed, double lat, double que, char pat)
{
	struct ftk_buf *b = &v->line;
	char hms[16];

	if (v->timestamp) {
		uint64_t real = ftk_session_mono_to_real(v->s, io->done_ts);

		ftk_fmt_hms(hms, real);
		ftk_buf_printf(b, "%s.%06llu ", hms,
			       (unsigned long long)(real % 1000000000ULL / 1000));
	}
	ftk_buf_printf(b, "%-11.6f ", elapsed);
	if (io->pid >= 0) {
		size_t start = b->len;

		/* bcc's %-14.14s: long comms are cut so the columns stay aligned. */
		ftk_escape_table(b, io->comm, strnlen(io->comm, 14), false);
		for (size_t n = b->len - start; n < 14; n++)
			ftk_buf_addc(b, ' ');
		ftk_buf_printf(b, " %-7d ", pid);
	} else {
		ftk_buf_printf(b, "%-14s %-7s ", "?", "?");
	}
	ftk_buf_printf(b, "%-9s %-4s ", disk, io->rwbs[0] ? io->rwbs : "?");
	if (v->pattern)
		ftk_buf_printf(b, "%c ", pat);
	ftk_buf_printf(b, "%-10llu %-7u ", (unsigned long long)io->sector, io->bytes);
	if (v->queue) {
		if (que >= 0)
			ftk_buf_printf(b, "%7.3f ", que);
		else
			ftk_buf_printf(b, "%7s ", "?");
	}
	ftk_buf_printf(b, "%7.3f\n", lat);
	ftk_out_buf(b);
}

static void biosnoop_on_io(const struct bio_io *io, void *ctx)
{
	struct biosnoop *v = ctx;
	double lat = (double)(io->done_ts - io->issue_ts) / 1e6;
	double que = -1;
	uint64_t t0 = ftk_session_start_ts(v->s);
	double elapsed = io->done_ts >= t0 ? (double)(io->done_ts - t0) / 1e9 : 0;
	pid_t pid = -1;
	char pat;

	if (lat < v->min_ms)
		return;
	if (io->pid >= 0)
		pid = biosnoop_tgid(v, io->pid);
	if (!biosnoop_pid_wanted(v, pid, io->pid))
		return;
	if (v->name && (io->pid < 0 || strcmp(io->comm, v->name)))
		return;
	if (io->start_ts && io->start_ts <= io->issue_ts)
		que = (double)(io->issue_ts - io->start_ts) / 1e6;
	pat = v->pattern ? biosnoop_pattern(v, io) : 0;
	if (v->json)
		biosnoop_json(v, io, pid, bio_disk_name(&v->disks, io->dev), elapsed, lat, que,
			      pat);
	else
		biosnoop_row(v, io, pid, bio_disk_name(&v->disks, io->dev), elapsed, lat, que,
			     pat);
}

/* ---- the view ---- */

static int biosnoop_option(struct ftk_run *r, int key, const char *arg)
{
	struct biosnoop *v = r->state;

	switch (key) {
	case 'Q': v->queue = true; return 0;
	case 'P': v->pattern = true; return 0;
	case 't': v->timestamp = true; return 0;
	case 'd': v->disk = arg; return 0;
	case 'n':
		if (!*arg || strlen(arg) > 15)
			return ftk_usage_error("-n NAME must be 1 to 15 bytes (a comm)"), -EINVAL;
		v->name = arg;
		return 0;
	case 'm':
		if (bio_parse_ms(arg, &v->min_ms))
			return ftk_usage_error("-m wants milliseconds (5, 0.5), not '%s'", arg),
			       -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/* [duration] */
static int biosnoop_args(struct ftk_run *r, int argc, char **argv)
{
	if (argc > 1)
		return ftk_usage_error("unexpected argument '%s'", argv[1]), -EINVAL;
	return ftk_opt_seconds("duration", argv[0], &r->duration);
}

static int biosnoop_check(struct ftk_run *r)
{
	struct biosnoop *v = r->state;

	v->json = r->json;
	v->pids = r->pids;
	v->npids = r->npids;
	bio_disks_load(&v->disks, NULL);
	return v->disk ? bio_resolve_disk(&v->disks, v->disk, &v->filter_dev) : 0;
}

static void biosnoop_on_end(struct ftk_session *s, void *ctx)
{
	struct biosnoop *v = ctx;

	bio_source_flush(v->source);
}

static int biosnoop_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct biosnoop *v = r->state;

	v->s = s;
	ftk_session_on_end(s, biosnoop_on_end, v);
	v->procs = ftk_ptable_new();
	v->source = bio_source_new(v->filter_dev, 1 << 15, biosnoop_on_io, v);
	return bio_source_declare(v->source, s,
				  bio_backend_by_name(biosnoop_backends[r->backend].name));
}

static int biosnoop_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct biosnoop *v = r->state;

	return bio_source_bind(v->source);
}

static void biosnoop_header(struct ftk_run *r)
{
	struct biosnoop *v = r->state;

	if (v->json)
		return;
	if (v->timestamp)
		ftk_outf("%-15s ", "TIME");
	ftk_outf("%-11s %-14s %-7s %-9s %-4s ", "TIME(s)", "COMM", "PID", "DISK", "T");
	if (v->pattern)
		ftk_outf("P ");
	ftk_outf("%-10s %-7s ", "SECTOR", "BYTES");
	if (v->queue)
		ftk_outf("%7s ", "QUE(ms)");
	ftk_outf("%7s\n", "LAT(ms)");
}

static void biosnoop_free(struct ftk_run *r)
{
	struct biosnoop *v = r->state;

	bio_source_free(v->source);
	ftk_ptable_free(v->procs);
	bio_disks_free(&v->disks);
	ftk_buf_free(&v->line);
}

static const struct ftk_view_ops ops = {
	.option = biosnoop_option,
	.args = biosnoop_args,
	.check = biosnoop_check,
	.declare = biosnoop_declare,
	.bind = biosnoop_bind,
	.header = biosnoop_header,
	.free = biosnoop_free,
};

const struct ftk_view ftk_view_biosnoop = {
	.name = "biosnoop",
	.summary = "block I/O with submitting process, disk, type, size and latency",
	.description =
		"Trace block I/O: one line per completed request with the process that submitted\n"
		"it, the disk, the type (rwbs), sector, size and latency (issue -> completion).\n"
		"duration: seconds to trace (default: until Ctrl-C).",
	.positional = "[duration]",
	.examples =
		"  ftk biosnoop                 # trace all block I/O\n"
		"  ftk biosnoop -Q -d vda 10    # vda only, with queue time, for 10 s\n"
		"  ftk biosnoop -p 181          # only I/O submitted by PID 181\n"
		"  ftk biosnoop -m 5 --json     # I/O slower than 5 ms, as NDJSON\n",
	.common = FTK_OPT_TRACING | FTK_OPT_BACKEND | FTK_OPT_PID,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct biosnoop),
	.backends = biosnoop_backends,
	.nbackends = FTK_ARRAY_SIZE(biosnoop_backends),
	.default_buffer_kb = 4096,
};
