// SPDX-License-Identifier: GPL-2.0-only
/* ftk biosnoop (placeholder until the view lands). */
#include "core/util.h"
#include "core/view.h"

static int biosnoop_main(int argc, char **argv)
{
	ftk_error("not implemented yet");
	return FTK_EXIT_FAIL;
}

const struct ftk_view ftk_view_biosnoop = {
	.name = "biosnoop",
	.summary = "(not implemented yet)",
	.main = biosnoop_main,
};
