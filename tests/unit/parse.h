/* SPDX-License-Identifier: GPL-2.0-only */
/* parse.h (unit tests): a view's command line through the runner's parser, stderr silenced. */
#ifndef FTK_TEST_PARSE_H
#define FTK_TEST_PARSE_H

#include <stdarg.h>
#include <stdio.h>

#include "core/run.h"

/* argv[0] is the view's name, then the NULL-terminated strings of ap. Returns what
 * ftk_run_parse() returns; the caller ends with ftk_run_fini(r). argv outlives the call (the
 * run keeps pointers into it: r->command after "--"), until the next parse. */
static inline int parse_view(struct ftk_run *r, const struct ftk_view *v, const char *name,
			     va_list ap)
{
	static char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)name;
	for (char *a; argc < 31 && (a = va_arg(ap, char *));)
		argv[argc++] = a;
	argv[argc] = NULL;
	ftk_run_init(r, v);
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	int rc = ftk_run_parse(r, argc, argv);
	fclose(stderr);
	stderr = saved;
	return rc;
}

#endif
