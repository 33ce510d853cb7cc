/* SPDX-License-Identifier: GPL-2.0-only */
/* execsnoop: command-line parsing, exposed for unit tests. */
#ifndef FTK_CMD_EXECSNOOP_H
#define FTK_CMD_EXECSNOOP_H

#include <stdbool.h>

struct ftk_execsnoop_opts {
	bool help, hms, timestamp, fails, print_uid, quote, json, dry_run;
	const char *user, *name, *line, *backend;
	long ppid;			/* -1: any */
	unsigned long max_args;
	double duration;
	unsigned long buffer_kb;
};

/* 0, or FTK_EXIT_USAGE after printing the error. */
int ftk_execsnoop_parse(int argc, char **argv, struct ftk_execsnoop_opts *out);

#endif
