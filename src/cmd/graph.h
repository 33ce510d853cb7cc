/* SPDX-License-Identifier: GPL-2.0-only */
/* graph: its options, exposed for unit tests. */
#ifndef FTK_CMD_GRAPH_H
#define FTK_CMD_GRAPH_H

#include <stdbool.h>
#include <sys/types.h>
#include "cmd/graph/engine.h"

/* graph's own options (the shared ones are in struct ftk_run); the first member of its
 * state, so unit tests can read what ftk_run_parse() and check made of a command line. */
struct graph_options {
	char **funcs;		/* FUNC... */
	int nfuncs;
	char **notrace;		/* --notrace */
	int nnotrace;
	pid_t tid;		/* -L */
	bool on_cpu, noirqs;
	bool format_given;	/* --format */
	struct graph_output output;	/* what the engine prints */
};

#endif
