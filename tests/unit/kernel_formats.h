/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kernel_formats.h (unit tests): loads an event format of one kernel from tests/data/formats/KERNEL
 * through core's ftk_tep_load, as ftk loads them from tracefs. Header-only.
 */
#ifndef FTK_TEST_KERNEL_FORMATS_H
#define FTK_TEST_KERNEL_FORMATS_H

#include <stdio.h>
#include <stdlib.h>

#include <event-parse.h>

#include "core/session_int.h"

static inline struct tep_event *formats_load(struct tep_handle *tep, const char *kernel,
					     const char *sys, const char *name)
{
	char dir[1024];
	const char *data = getenv("FTK_TEST_DATA");

	snprintf(dir, sizeof(dir), "%s/formats/%s", data ? data : FTK_TEST_DATA, kernel);
	struct tep_event *e = ftk_tep_load(tep, dir, sys, name);
	if (!e)
		fail_msg("no format %s/%s:%s", kernel, sys, name);
	return e;
}

#endif
