// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk reset: remove what dead ftk sessions left in the kernel (a session killed with -9,
 * a crash, a reboot of the machine without one of /run): their instances ftk-<pid>, their
 * probe groups ftk_<pid>, and the top-level files and tracers their journals in /run/ftk say
 * they changed. Live ftk sessions and everything outside ftk's namespace are left alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/features.h"
#include "core/journal.h"
#include "core/recover.h"
#include "core/run.h"
#include "core/util.h"
#include "core/view.h"

static int reset_main(struct ftk_run *r)
{
	(void)r;
	if (ftk_require_root() < 0)
		return -EPERM;
	const char *tracefs = ftk_tracefs();
	if (!tracefs)
		return ftk_tracefs_error(), -ENOENT;

	int n = ftk_reset_dead(tracefs, true);
	if (n < 0) {
		ftk_hint("remove the causes above (e.g. stop the processes holding an instance "
			 "open) and run 'ftk reset' again");
		return -EBUSY;
	}
	if (n == 0)
		printf("nothing to reset\n");
	if (fflush(stdout) != 0 && errno != EPIPE) {
		ftk_error("cannot write the output: %s", strerror(errno));
		return -EIO;
	}
	return 0;
}

static const struct ftk_view_ops ops = {
	.main = reset_main,
};

const struct ftk_view ftk_view_reset = {
	.name = "reset",
	.summary = "remove what dead ftk sessions left in the kernel",
	.description =
		"Remove the leftovers of dead ftk sessions: instances ftk-PID, probe groups\n"
		"ftk_PID, synthetic events ftk_PID_*, and the top-level tracing files they changed\n"
		"(restored from their journals in " FTK_JOURNAL_DIR "). Live sessions and anything not\n"
		"created by ftk are left alone. Prints one line per thing removed or restored.\n"
		"\n"
		"exit status: 0 done (or nothing to do), 1 something could not be removed,\n"
		"2 bad command line.",
	.examples = "  ftk reset                    # after a kill -9 of an ftk session\n",
	.ops = &ops,
};
