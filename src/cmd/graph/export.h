/* SPDX-License-Identifier: GPL-2.0-only */
/* graph export: completed calls as NDJSON or Chrome trace events, or a per-function profile. */
#ifndef FTK_GRAPH_EXPORT_H
#define FTK_GRAPH_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "engine.h"

/* Call i of t's stack returned after dur ns: one NDJSON object, one Chrome "X" event, or the
 * --summary counters of its function. */
void graph_export_call(struct graph *g, struct graph_thread *t, int i, uint64_t dur,
		       bool has_ret, int64_t ret);
/* The end: the --summary table (text or NDJSON) or the Chrome trailer. */
void graph_export_finish(struct graph *g);

#endif
