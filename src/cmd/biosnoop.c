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
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/bio/disks.h"
#include "cmd/bio/sources.h"
#include "core/features.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

struct biosnoop {
	bool queue, pattern, timestamp, json;
	double min_ms;
	long pid;		/* -1: all */
	const char *name;	/* comm filter, NULL: all */
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

static const struct ftk_backend biosnoop_backends[] = {
	BIO_TRACEPOINT_BACKEND,
	BIO_TRACEPOINT_LEGACY_BACKEND,
	BIO_KPROBE_BACKEND,
};

static void biosnoop_usage(FILE *f)
{
	fprintf(f,
		"usage: ftk biosnoop [-Q] [-P] [-t] [-d DISK] [-m MIN_MS] [-p PID] [-n NAME]\n"
		"                    [--json] [--backend NAME] [--buffer-kb KB] [--dry-run]\n"
		"                    [duration]\n"
		"\n"
		"Trace block I/O: one line per completed request with the process that submitted\n"
		"it, the disk, the type (rwbs), sector, size and latency (issue -> completion).\n"
		"\n"
		"  -Q, --queue          add QUE(ms): time queued in the OS (submission -> issue)\n"
		"  -P, --pattern        add P: S sequential or R random (per disk)\n"
		"  -t, --timestamp      add TIME: wall clock HH:MM:SS.us\n"
		"  -d, --disk DISK      trace this disk only (a name in /sys/block)\n"
		"  -m, --min MIN_MS     only I/O with a latency of at least MIN_MS milliseconds\n"
		"  -p, --pid PID        only I/O submitted by process PID\n"
		"  -n, --name NAME      only I/O submitted by processes named NAME (exact comm)\n"
		"  -j, --json           NDJSON: time elapsed comm pid disk type sector bytes lat_ms\n"
		"                       (que_ms with -Q, pattern with -P, error)\n"
		"      --backend NAME   tracepoint (>= 6.5) | tracepoint-legacy | kprobe\n"
		"      --buffer-kb KB   per-CPU ring buffer size (default 4096)\n"
		"      --dry-run        print the tracefs writes, make none\n"
		"  duration             seconds to trace (default: until Ctrl-C)\n"
		"\n"
		"examples:\n"
		"  ftk biosnoop                 # trace all block I/O\n"
		"  ftk biosnoop -Q -d vda 10    # vda only, with queue time, for 10 s\n"
		"  ftk biosnoop -m 5 --json     # I/O slower than 5 ms, as NDJSON\n");
}

enum { OPT_BACKEND = 256, OPT_BUFFER, OPT_DRY };

static int biosnoop_parse(struct biosnoop *v, struct bio_common_opts *c, double *duration, int argc,
		       char **argv)
{
	static const struct option lo[] = {
		{ "queue", no_argument, NULL, 'Q' },	{ "pattern", no_argument, NULL, 'P' },
		{ "timestamp", no_argument, NULL, 't' }, { "disk", required_argument, NULL, 'd' },
		{ "min", required_argument, NULL, 'm' }, { "pid", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "buffer-kb", required_argument, NULL, OPT_BUFFER },
		{ "dry-run", no_argument, NULL, OPT_DRY }, { NULL, 0, NULL, 0 },
	};
	unsigned long ul;
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "QPtd:m:p:n:jh", lo, NULL)) != -1) {
		switch (o) {
		case 'Q': v->queue = true; break;
		case 'P': v->pattern = true; break;
		case 't': v->timestamp = true; break;
		case 'j': v->json = true; break;
		case 'd': c->disk = optarg; break;
		case 'n':
			if (!*optarg || strlen(optarg) > 15)
				return ftk_usage_error("-n NAME must be 1 to 15 bytes (a comm)");
			v->name = optarg;
			break;
		case 'm':
			if (bio_parse_ms(optarg, &v->min_ms))
				return ftk_usage_error("-m wants milliseconds (5, 0.5), not '%s'",
						       optarg);
			break;
		case 'p':
			if (ftk_parse_ulong(optarg, 1, INT_MAX, &ul))
				return ftk_usage_error("-p wants a process id, not '%s'", optarg);
			v->pid = (long)ul;
			break;
		case OPT_BACKEND: c->backend = optarg; break;
		case OPT_BUFFER:
			if (ftk_parse_ulong(optarg, 4, 1UL << 22, &c->buffer_kb))
				return ftk_usage_error("--buffer-kb wants 4..4194304, not '%s'",
						       optarg);
			break;
		case OPT_DRY: c->dry_run = true; break;
		case 'h':
			biosnoop_usage(stdout);
			return -1;
		default:
			if (optopt && strchr("dmpn", optopt))
				return ftk_usage_error("option -%c needs a value", optopt);
			return ftk_bad_option(argv);
		}
	}
	if (optind < argc && ftk_parse_seconds(argv[optind], duration))
		return ftk_usage_error("duration must be seconds > 0, not '%s'", argv[optind]);
	if (optind < argc)
		optind++;
	if (optind < argc)
		return ftk_usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
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

static void biosnoop_json(struct biosnoop *v, const struct bio_io *io, pid_t pid, const char *disk,
		       double ts, double lat, double que, char pat)
{
	struct ftk_buf *b = &v->line;
	struct ftk_buf tbuf = { 0 };
	struct ftk_json j;

	ftk_fmt_rfc3339(&tbuf, ftk_session_mono_to_real(v->s, io->done_ts));
	ftk_json_begin(&j, b);
	ftk_json_cstr(&j, "time", ftk_buf_str(&tbuf));
	ftk_json_double(&j, "elapsed", ts, 6);
	if (io->pid >= 0) {
		ftk_json_str(&j, "comm", io->comm, strlen(io->comm));
		ftk_json_int(&j, "pid", pid);
	} else {
		ftk_json_null(&j, "comm");
		ftk_json_null(&j, "pid");
	}
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
	ftk_buf_free(&tbuf);
	ftk_out_buf(b);
}

static void biosnoop_row(struct biosnoop *v, const struct bio_io *io, pid_t pid, const char *disk,
		      double ts, double lat, double que, char pat)
{
	struct ftk_buf *b = &v->line;
	char hms[16];

	if (v->timestamp) {
		uint64_t real = ftk_session_mono_to_real(v->s, io->done_ts);

		ftk_fmt_hms(hms, real);
		ftk_buf_printf(b, "%s.%06llu ", hms,
			       (unsigned long long)(real % 1000000000ULL / 1000));
	}
	ftk_buf_printf(b, "%-11.6f ", ts);
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
	double ts = io->done_ts >= t0 ? (double)(io->done_ts - t0) / 1e9 : 0;
	pid_t pid = -1;
	char pat;

	if (lat < v->min_ms)
		return;
	if (io->pid >= 0)
		pid = biosnoop_tgid(v, io->pid);
	if (v->pid > 0 && pid != v->pid && io->pid != v->pid)
		return;
	if (v->name && (io->pid < 0 || strcmp(io->comm, v->name)))
		return;
	if (io->start_ts && io->start_ts <= io->issue_ts)
		que = (double)(io->issue_ts - io->start_ts) / 1e6;
	pat = v->pattern ? biosnoop_pattern(v, io) : 0;
	if (v->json)
		biosnoop_json(v, io, pid, bio_disk_name(&v->disks, io->dev), ts, lat, que, pat);
	else
		biosnoop_row(v, io, pid, bio_disk_name(&v->disks, io->dev), ts, lat, que, pat);
}

static void biosnoop_header(struct biosnoop *v)
{
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
	ftk_out_flush();
}

static struct bio_source *biosnoop_make_source(uint32_t filter_dev, void *ctx)
{
	struct biosnoop *v = ctx;

	v->source = bio_source_new(filter_dev, 1 << 15, biosnoop_on_io, v);
	return v->source;
}

extern const struct ftk_view ftk_view_biosnoop;

static int biosnoop_main(int argc, char **argv)
{
	struct biosnoop v = { .pid = -1 };
	struct bio_common_opts c = { 0 };
	double duration = 0;
	uint32_t dev;
	int rc;

	rc = biosnoop_parse(&v, &c, &duration, argc, argv);
	if (rc)
		return rc < 0 ? FTK_EXIT_OK : rc;
	v.procs = ftk_ptable_new();
	if (bio_setup(&ftk_view_biosnoop, &c, duration, &v.disks, &dev, biosnoop_make_source, &v, &v.source,
		      &v.s, &rc))
		goto out;
	biosnoop_header(&v);
	ftk_session_run(v.s);
	rc = ftk_session_close(v.s);
	ftk_out_flush();
out:
	bio_source_free(v.source);
	ftk_ptable_free(v.procs);
	bio_disks_free(&v.disks);
	ftk_buf_free(&v.line);
	return rc;
}

const struct ftk_view ftk_view_biosnoop = {
	.name = "biosnoop",
	.summary = "block I/O with submitting process, disk, type, size and latency",
	.main = biosnoop_main,
	.backends = biosnoop_backends,
	.nbackends = FTK_ARRAY_SIZE(biosnoop_backends),
};
