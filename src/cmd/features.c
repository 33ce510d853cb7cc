// SPDX-License-Identifier: GPL-2.0-only
/* ftk features (placeholder until the view lands). */
#include "core/util.h"
#include "core/view.h"

static int features_main(int argc, char **argv)
{
	ftk_error("not implemented yet");
	return FTK_EXIT_FAIL;
}

const struct ftk_view ftk_view_features = {
	.name = "features",
	.summary = "(not implemented yet)",
	.main = features_main,
};
