/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * funccount/targets: bcc funccount's pattern grammar and what a pattern names on this system.
 *
 *   vfs_*  p::vfs_*          kernel functions (kprobes), globs (or regexes with -r)
 *   t:sched:sched_*          tracepoints (category and event globs)
 *   c:malloc  libc:mall*     user functions of a library or program (uprobes):
 *   p:LIB:FUNC  u:LIB:FUNC   ftk has no USDT, so u: names functions too
 */
#ifndef FTK_CMD_FUNCCOUNT_TARGETS_H
#define FTK_CMD_FUNCCOUNT_TARGETS_H

#include <stdbool.h>
#include <stdint.h>

struct ftk_counter;
struct ftk_counters;
struct ftk_kfuncs;
struct ftk_session;

enum funccount_kind { FUNCCOUNT_KPROBE, FUNCCOUNT_TRACEPOINT, FUNCCOUNT_UPROBE };

struct funccount_pattern {
	enum funccount_kind kind;
	char *library;		/* uprobe: as given; tracepoint: the category */
	char *function;		/* the function or event part */
	const char *text;
};

/* 0, or -EINVAL after a usage error. */
int funccount_pattern_parse(struct funccount_pattern *p, const char *text);
void funccount_pattern_free(struct funccount_pattern *p);
/* Its regular expressions compile (with -r): 0, or -EINVAL after a usage error. */
int funccount_pattern_check(const struct funccount_pattern *p, bool regex);

struct funccount_target {
	enum funccount_kind kind;
	char *name;		/* FUNC column: "vfs_read", "sched:sched_switch", "malloc" */
	char *system, *event;	/* tracepoint */
	char *path;		/* uprobe: the file */
	uint64_t offset;	/* uprobe: file offset */
};

struct funccount_targets {
	struct funccount_target *v;
	int n, cap;
};

/* Add what p names: kernel functions from kfuncs (may be NULL for the other kinds), the
 * tracepoints of this kernel, the functions of a library (one per address, as bcc). Returns
 * how many were added; -EINVAL for a bad regex, -ENOENT when the library is not found
 * (messages printed). */
int funccount_expand(struct funccount_targets *t, const struct funccount_pattern *p, bool regex,
		     const struct ftk_kfuncs *kfuncs);
void funccount_targets_free(struct funccount_targets *t);

/* Declare a counter per target on the session (probes named fc<pid>_<i>, optional: one the
 * kernel refuses is skipped), counted[i] for target i. 0, or -EINVAL (printed). */
int funccount_count_targets(const struct funccount_targets *t, struct ftk_session *s,
			    struct ftk_counters *counters, const char *filter,
			    struct ftk_counter **counted);
/* After arm: the probes the kernel refused, their counted[i] set to NULL. How many. */
int funccount_drop_skipped(const struct funccount_targets *t, struct ftk_counter **counted);

#endif
