/* SPDX-License-Identifier: GPL-2.0-only */
/* execsnoop: its options and argv helpers, exposed for unit tests. */
#ifndef FTK_CMD_EXECSNOOP_H
#define FTK_CMD_EXECSNOOP_H

#include <stdbool.h>

struct ftk_buf;

/* execsnoop's own options (the shared ones are in struct ftk_run); the first member of its
 * state, so unit tests can read what ftk_run_parse() made of a command line. */
struct ftk_execsnoop_opts {
	bool hms, timestamp, fails, print_uid, quote;
	const char *user, *name, *line;
	long ppid;			/* -1: any */
	unsigned long max_args;
};

/* What the captures of one exec call said. */
struct ftk_argv_state {
	unsigned long max_args;
	int end;		/* first k < max_args whose argv pointer was NULL; -1: none seen */
	bool more_seen;		/* the capture of argv[max_args] arrived */
	bool more;		/* ... and argv[max_args] was not NULL */
	char *const *argv;	/* [max_args]: the strings; NULL when not read */
	const int *lens;	/* [max_args]: their lengths; -1 when the kernel could not read it */
};

/* argc to show, whether argv was cut at max_args, and whether every shown argument was read. */
void ftk_execsnoop_finish(const struct ftk_argv_state *st, int *argc, bool *truncated,
			  bool *complete);
/* The ARGS column: escaped (quoted with -q), "[?]" for an unread argument, " ..." when cut. */
void ftk_execsnoop_join(struct ftk_buf *b, char *const *argv, const int *lens, int argc,
			bool truncated, bool quote);

#endif
