/* SPDX-License-Identifier: GPL-2.0-only */
/* graph text: call trees as the kernel's function_graph tracer prints them, one thread each. */
#ifndef FTK_GRAPH_TEXT_H
#define FTK_GRAPH_TEXT_H

#include <stdint.h>
#include "engine.h"

/* The column header of the trees ("# CPU)  DURATION  |  FUNCTION CALLS"), with a newline. */
void graph_text_header(const struct graph_output *o, struct ftk_buf *b);
/* Print the buffered nodes of t; open calls stay open (their return prints as a close). */
void graph_render(struct graph *g, struct graph_thread *t);
/* Print what t holds now and keep its open calls open: their returns print as closes. */
void graph_render_partial(struct graph *g, struct graph_thread *t);
/* The kernel's duration column: " ! 102.642 us  " (15 columns, markers + ! # * @ $). */
void graph_format_duration(struct ftk_buf *b, uint64_t ns);
/* Decimal digits of v into out (no NUL); returns the count. */
int graph_decimal(char *out, uint64_t v);

#endif
