/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tracedat_read: a trace.dat file (trace-cmd's format, versions 6 and 7) opened for reading
 * through libtracecmd's public read API: the formats the file holds in a tep handle, its
 * saved cmdlines, and its records in time order across CPUs. Touches no tracefs and needs
 * no privilege. Only the top buffer is read (instances recorded with trace-cmd -B are
 * listed, not read).
 */
#ifndef FTK_TRACEDAT_READ_H
#define FTK_TRACEDAT_READ_H

#include <stdbool.h>
#include <stdint.h>

struct tep_handle;
struct ftk_tracedat;
struct ftk_rec;

/* What the file's first bytes say (read without libtracecmd). */
struct ftk_tracedat_info {
	int version;		/* 6, 7 ... */
	bool big_endian;
	int long_size;		/* user space sizeof(long) of the recording host */
	unsigned page_size;
	char compression[32];	/* v7: "none", "zstd", "zlib" ...; v6: "" */
};

/* 0, or -errno with `why` filled (not a trace.dat, unreadable, truncated). */
int ftk_tracedat_probe(const char *path, struct ftk_tracedat_info *info, char *why,
		       size_t len);

/* Open PATH; NULL after printing an error and a hint (prefix "ftk <view>:" by the caller's
 * ftk_error context). */
struct ftk_tracedat *ftk_tracedat_open(const char *path);
void ftk_tracedat_close(struct ftk_tracedat *td);

const struct ftk_tracedat_info *ftk_tracedat_info(const struct ftk_tracedat *td);
/* The file's formats (owned by td; never free it). */
struct tep_handle *ftk_tracedat_tep(const struct ftk_tracedat *td);
int ftk_tracedat_ncpus(const struct ftk_tracedat *td);
/* Timestamp of the first record (file clock), 0 when empty. */
uint64_t ftk_tracedat_first_ts(const struct ftk_tracedat *td);
/* Named buffers (trace-cmd record -B) besides the top one: not read. */
int ftk_tracedat_instances(const struct ftk_tracedat *td);

/*
 * Every record of the top buffer in (timestamp, CPU) order. missed: for the first record of
 * a page the kernel flagged, the events lost before it (-1: count unknown), else 0.
 * fn returns nonzero to stop. Returns the number of records passed, or -1 on a read error.
 */
typedef int (*ftk_tracedat_fn)(const struct ftk_rec *r, long long missed, void *ctx);
long long ftk_tracedat_iterate(struct ftk_tracedat *td, ftk_tracedat_fn fn, void *ctx);

/* Which dynamic events the file holds: kprobes, uprobes (from their records' probe
 * addresses where the group does not say; a probe event without records counts as
 * neither). Scans the records once (cached). */
enum { FTK_TRACEDAT_KPROBES = 1, FTK_TRACEDAT_UPROBES = 2 };
unsigned ftk_tracedat_probe_kinds(struct ftk_tracedat *td);
/* Does the file hold records of event id? (one scan, cached) The formats of the ftrace
 * system are written whole by every recorder: only records say function_graph was on. */
bool ftk_tracedat_recorded(struct ftk_tracedat *td, int id);
/* FTK_OFFLINE_* (features.h) for ftk_features_offline(). */
unsigned ftk_tracedat_offline_has(struct ftk_tracedat *td);

#endif
