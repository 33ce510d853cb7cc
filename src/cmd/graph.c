// SPDX-License-Identifier: GPL-2.0-only
/* ftk graph (placeholder until the view lands). */
#include "core/util.h"
#include "core/view.h"

static int graph_main(int argc, char **argv)
{
	ftk_error("not implemented yet");
	return FTK_EXIT_FAIL;
}

const struct ftk_view ftk_view_graph = {
	.name = "graph",
	.summary = "(not implemented yet)",
	.main = graph_main,
};
