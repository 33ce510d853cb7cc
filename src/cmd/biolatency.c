// SPDX-License-Identifier: GPL-2.0-only
/* ftk biolatency (placeholder until the view lands). */
#include "core/util.h"
#include "core/view.h"

static int biolatency_main(int argc, char **argv)
{
	ftk_error("not implemented yet");
	return FTK_EXIT_FAIL;
}

const struct ftk_view ftk_view_biolatency = {
	.name = "biolatency",
	.summary = "(not implemented yet)",
	.main = biolatency_main,
};
