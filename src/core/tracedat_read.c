// SPDX-License-Identifier: GPL-2.0-only
/*
 * tracedat_read: trace.dat through libtracecmd's public read API (trace-cmd.h:
 * tracecmd_open, tracecmd_read_data, tracecmd_get_tep). libtracecmd is the reader trace-cmd
 * and KernelShark use: it knows versions 6 and 7, v7's sections and options, compressed
 * sections (zstd in Debian's build), per-buffer page sizes and the cmdlines; parsing that
 * again here would duplicate a well-kept library for a path that is not hot (a file read once,
 * not a live buffer under a storm). What ftk owns is above it: the merge order (timestamp,
 * then lowest CPU: the order of the live reader, reader.c), loss marks passed with the record
 * they precede, and the refusal of files it cannot read, said precisely.
 *
 * The first bytes are read here too, before libtracecmd sees the file: a file that is not a
 * trace.dat, or a v7 file compressed with an algorithm this libtracecmd lacks, gets a clear
 * error instead of libtracecmd's warnings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>
#include <trace-cmd.h>

#include "events.h"
#include "features.h"
#include "tracedat_read.h"
#include "util.h"

struct ftk_tracedat {
	struct tracecmd_input *h;
	struct tep_handle *tep;
	struct ftk_tracedat_info info;
	int ncpus;
	unsigned kinds;		/* FTK_TRACEDAT_KPROBES | FTK_TRACEDAT_UPROBES */
	bool kinds_known;
	bool *recorded;		/* by event id: has records (NULL until asked) */
	int maxid;
};

static const unsigned char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };

int ftk_tracedat_probe(const char *path, struct ftk_tracedat_info *info, char *why, size_t len)
{
	unsigned char buf[128];
	ssize_t n;
	int fd;

	memset(info, 0, sizeof(*info));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(why, len, "%s", strerror(e));
		return -e;
	}
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < (ssize_t)sizeof(magic) || memcmp(buf, magic, sizeof(magic))) {
		snprintf(why, len, "not a trace.dat file (no trace-cmd magic)");
		return -EINVAL;
	}
	/* "6\0" or "7\0", endian byte, long size byte, 4-byte page size */
	size_t off = sizeof(magic), v = off;
	while (off < (size_t)n && buf[off])
		off++;
	if (off + 7 > (size_t)n) {
		snprintf(why, len, "truncated trace.dat header");
		return -EINVAL;
	}
	info->version = atoi((const char *)buf + v);
	off++;
	info->big_endian = buf[off++] != 0;
	info->long_size = buf[off++];
	uint32_t ps;
	memcpy(&ps, buf + off, 4);
	if (info->big_endian)
		ps = __builtin_bswap32(ps);
	info->page_size = ps;
	off += 4;
	if (info->version >= 7) {
		/* compression "name\0version\0" */
		size_t c = off;
		while (off < (size_t)n && buf[off])
			off++;
		if (off >= (size_t)n) {
			snprintf(why, len, "truncated trace.dat v7 header");
			return -EINVAL;
		}
		snprintf(info->compression, sizeof(info->compression), "%s",
			 (const char *)buf + c);
	}
	if (info->version < 6) {
		snprintf(why, len, "trace.dat version %d (before trace-cmd 2.x) is not read; "
			 "versions 6 and 7 are", info->version);
		return -ENOTSUP;
	}
	return 0;
}

struct ftk_tracedat *ftk_tracedat_open(const char *path)
{
	struct ftk_tracedat_info info;
	char why[256];
	int rc = ftk_tracedat_probe(path, &info, why, sizeof(why));

	if (rc) {
		ftk_error("cannot read %s: %s", path, why);
		if (rc == -ENOTSUP)
			ftk_hint("'trace-cmd convert -i %s -o FILE' rewrites it as version 7", path);
		else
			ftk_hint("give a file written by 'ftk record -o FILE' or 'trace-cmd record "
				 "-o FILE'");
		return NULL;
	}
	/* libtracecmd prints its own warnings (plugins, options it does not know): only
	 * errors here, and no plugins: events print from their own formats, as live. */
	tracecmd_set_loglevel(TEP_LOG_ERROR);
	struct tracecmd_input *h = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS |
							TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!h) {
		ftk_error("cannot read %s: libtracecmd refused it (trace.dat version %d%s%s)", path,
			  info.version, *info.compression ? ", compression " : "",
			  info.compression);
		if (*info.compression && strcmp(info.compression, "none"))
			ftk_hint("this libtracecmd may lack '%s'; 'trace-cmd convert "
				 "--compression none -i %s -o FILE' writes an uncompressed copy",
				 info.compression, path);
		else
			ftk_hint("'trace-cmd dump --summary -i %s' says what is wrong with it", path);
		return NULL;
	}
	struct ftk_tracedat *td = ftk_xcalloc(1, sizeof(*td));
	td->h = h;
	td->info = info;
	td->tep = tracecmd_get_tep(h);
	td->ncpus = tep_get_cpus(td->tep);
	return td;
}

void ftk_tracedat_close(struct ftk_tracedat *td)
{
	if (!td)
		return;
	tracecmd_close(td->h);
	free(td->recorded);
	free(td);
}

const struct ftk_tracedat_info *ftk_tracedat_info(const struct ftk_tracedat *td)
{
	return &td->info;
}

struct tep_handle *ftk_tracedat_tep(const struct ftk_tracedat *td)
{
	return td->tep;
}

int ftk_tracedat_ncpus(const struct ftk_tracedat *td)
{
	return td->ncpus;
}

uint64_t ftk_tracedat_first_ts(const struct ftk_tracedat *td)
{
	return tracecmd_get_first_ts(td->h);
}

int ftk_tracedat_instances(const struct ftk_tracedat *td)
{
	return tracecmd_buffer_instances(td->h);
}

/* The next record of each CPU is held; the smallest (ts, cpu) goes first, as in reader.c. */
long long ftk_tracedat_iterate(struct ftk_tracedat *td, ftk_tracedat_fn fn, void *ctx)
{
	struct tep_record **cur = ftk_xcalloc(td->ncpus ? td->ncpus : 1, sizeof(*cur));
	long long n = 0;
	int i, stop = 0;

	for (i = 0; i < td->ncpus; i++)	/* from the start: iterating again reads it all again */
		cur[i] = tracecmd_read_cpu_first(td->h, i);
	while (!stop) {
		int best = -1;

		for (i = 0; i < td->ncpus; i++)
			if (cur[i] && (best < 0 || cur[i]->ts < cur[best]->ts))
				best = i;
		if (best < 0)
			break;
		struct tep_record *rec = cur[best];
		struct ftk_rec r = {
			.ts = rec->ts, .cpu = best, .size = rec->size, .data = rec->data,
		};
		stop = fn(&r, rec->missed_events, ctx);
		n++;
		tracecmd_free_record(rec);
		cur[best] = tracecmd_read_data(td->h, best);
	}
	for (i = 0; i < td->ncpus; i++)
		if (cur[i])
			tracecmd_free_record(cur[i]);
	free(cur);
	return n;
}

/* ---- kprobe or uprobe ---------------------------------------------------------------- */

/* The formats of both print "(%lx)" since the probe code was shared (kernel 5.x
 * trace_probe.c __set_print_fmt), and ftk's group (ftk_<pid>) names neither: a record says,
 * by where its probe address lies (kernel half of the address space or user half). */
struct kinds {
	struct tep_handle *tep;
	int *state;		/* by id: 0 not a probe, 1 unresolved probe, 2 resolved */
	int maxid, unresolved;
	unsigned kinds;
	int long_size;
};

static int kind_of(const struct ftk_rec *r, long long missed, void *ctx)
{
	struct kinds *k = ctx;
	int id = ftk_rec_type(r->data);

	if (id < 0 || id > k->maxid || k->state[id] != 1)
		return 0;
	struct tep_event *e = tep_find_event(k->tep, id);
	struct tep_format_field *f = e ? tep_find_field(e, "__probe_ip") : NULL;
	if (!f && e)
		f = tep_find_field(e, "__probe_ret_ip");
	unsigned long long ip = 0;
	if (!f || tep_read_number_field(f, r->data, &ip))
		return 0;
	bool kernel = k->long_size == 4 ? ip >= 0xc0000000ULL : ip >= 0x8000000000000000ULL;
	k->kinds |= kernel ? FTK_TRACEDAT_KPROBES : FTK_TRACEDAT_UPROBES;
	k->state[id] = 2;
	return --k->unresolved == 0;
}

unsigned ftk_tracedat_probe_kinds(struct ftk_tracedat *td)
{
	struct kinds k = { .tep = td->tep, .long_size = td->info.long_size };
	int n = tep_get_events_count(td->tep);
	struct tep_event **evs = tep_list_events(td->tep, TEP_EVENT_SORT_ID);

	if (td->kinds_known)
		return td->kinds;
	for (int i = 0; evs && i < n; i++)
		if (evs[i]->id > k.maxid)
			k.maxid = evs[i]->id;
	k.state = ftk_xcalloc(k.maxid + 1, sizeof(*k.state));
	for (int i = 0; evs && i < n; i++) {
		struct tep_event *e = evs[i];
		if (tep_find_field(e, "__probe_ip") || tep_find_field(e, "__probe_ret_ip")) {
			/* trace-cmd's default groups say it by name */
			if (!strcmp(e->system, "kprobes")) {
				k.kinds |= FTK_TRACEDAT_KPROBES;
			} else if (!strcmp(e->system, "uprobes")) {
				k.kinds |= FTK_TRACEDAT_UPROBES;
			} else {
				k.state[e->id] = 1;
				k.unresolved++;
			}
		}
	}
	if (k.unresolved)
		ftk_tracedat_iterate(td, kind_of, &k);
	free(k.state);
	td->kinds = k.kinds;
	td->kinds_known = true;
	return k.kinds;
}

static int mark_recorded(const struct ftk_rec *r, long long missed, void *ctx)
{
	struct ftk_tracedat *td = ctx;
	int id = ftk_rec_type(r->data);

	if (id >= 0 && id <= td->maxid)
		td->recorded[id] = true;
	return 0;
}

bool ftk_tracedat_recorded(struct ftk_tracedat *td, int id)
{
	if (!td->recorded) {
		int n = tep_get_events_count(td->tep);
		struct tep_event **evs = tep_list_events(td->tep, TEP_EVENT_SORT_ID);

		for (int i = 0; evs && i < n; i++)
			if (evs[i]->id > td->maxid)
				td->maxid = evs[i]->id;
		td->recorded = ftk_xcalloc(td->maxid + 1, sizeof(*td->recorded));
		ftk_tracedat_iterate(td, mark_recorded, td);
	}
	return id >= 0 && id <= td->maxid && td->recorded[id];
}

static bool recorded_named(struct ftk_tracedat *td, const char *sys, const char *name)
{
	struct tep_event *e = tep_find_event_by_name(td->tep, sys, name);

	return e && ftk_tracedat_recorded(td, e->id);
}

unsigned ftk_tracedat_offline_has(struct ftk_tracedat *td)
{
	unsigned k = ftk_tracedat_probe_kinds(td), has = 0;

	if (k & FTK_TRACEDAT_KPROBES)
		has |= FTK_OFFLINE_KPROBES;
	if (k & FTK_TRACEDAT_UPROBES)
		has |= FTK_OFFLINE_UPROBES;
	if (recorded_named(td, "ftrace", "function"))
		has |= FTK_OFFLINE_FUNCTION;
	if (recorded_named(td, "ftrace", "funcgraph_entry"))
		has |= FTK_OFFLINE_FGRAPH;
	return has;
}
