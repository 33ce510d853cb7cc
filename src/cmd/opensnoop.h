/* SPDX-License-Identifier: GPL-2.0-only */
/* opensnoop: its options, exposed for unit tests. */
#ifndef FTK_CMD_OPENSNOOP_H
#define FTK_CMD_OPENSNOOP_H

#include <stdbool.h>

#define OPENSNOOP_MAX_FLAGS 32

/* opensnoop's own options (the shared ones are in struct ftk_run); the first member of its
 * state, so unit tests can read what ftk_run_parse() made of a command line. */
struct ftk_opensnoop_opts {
	bool timestamp, print_uid, failed, extended, full_path;
	long tid;			/* -1: any */
	long uid;			/* -1: any */
	const char *name;		/* substring of comm */
	long flags[OPENSNOOP_MAX_FLAGS];	/* -f: O_* values, any of them matches */
	int nflags;
};

#endif
