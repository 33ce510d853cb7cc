/* SPDX-License-Identifier: GPL-2.0-only */
/* exporter/collector_int.h: a collector's state, shared by collectors.c (checking, declaring,
 * reading, writing) and config.c (a configuration line into a collector). */
#ifndef FTK_EXPORTER_COLLECTOR_INT_H
#define FTK_EXPORTER_COLLECTOR_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/bio/disks.h"
#include "cmd/bio/hist_backend.h"
#include "cmd/bio/sources.h"
#include "cmd/exporter/collectors.h"
#include "cmd/exporter/expo.h"
#include "cmd/funccount/targets.h"
#include "core/counter.h"
#include "core/field.h"
#include "core/histogram.h"
#include "core/vfscount.h"


enum kind { SYSCOUNT, VFSSTAT, FUNCCOUNT, EXECSNOOP, BIOLATENCY, NKINDS };

extern const char *const collector_kind_names[NKINDS];

/* Label caps when the line gives none. */
#define DEFAULT_SYSCALLS 100
#define DEFAULT_COMMS 100
#define DEFAULT_FUNCTIONS 500
/* The last log2 slot exported as a bucket: le = 2^25 us = 33.55 s. */
#define BUCKETS_LAST 25

struct collector {
	enum kind kind;
	char *text;			/* the configuration line */
	char *comm;			/* -c: kernel filter on the task's comm */
	char *filter;			/* the kernel filter built from the options */
	unsigned long top;		/* label cap */
	enum ftk_count_via via;
	const char *route, *source;
	struct ftk_session *s;
	struct ftk_counters *counters;
	struct expo_labels labels;	/* syscount, funccount, execsnoop */
	uint64_t dropped;
	double read_seconds;

	/* syscount */
	bool failures;
	long error;
	long *nrs;			/* -s: the syscalls, by number */
	int nnrs;
	struct ftk_counter *exits;
	struct { uint64_t key, count; } *pending;
	int npending, pending_alloc;

	/* vfsstat */
	bool kprobes;
	struct ftk_vfscount *vfs;
	uint64_t vfs_totals[FTK_VFS_NOPS];

	/* funccount */
	char **patterns;
	int npatterns;
	bool regex, tracepoints;
	struct funccount_targets targets;
	struct ftk_counter **counted;

	/* execsnoop */
	struct ftk_event *exec;
	struct ftk_field_ref filename;

	/* biolatency */
	bool queued;
	char *disk;
	uint32_t dev;
	enum bio_backend bio;
	struct bio_disks disks;
	struct bio_source *bio_source;
	struct bio_hist_backend kernel;
	struct ftk_histograms hists;	/* cumulative, usecs, per disk */
};


#endif
