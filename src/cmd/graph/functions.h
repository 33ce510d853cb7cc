/* SPDX-License-Identifier: GPL-2.0-only */
/* graph functions: is a kernel function traceable here, and which names are close to it. */
#ifndef FTK_GRAPH_FUNCTIONS_H
#define FTK_GRAPH_FUNCTIONS_H

#include <stdbool.h>
#include "core/util.h"

/* Is `want` (a name or a glob) in list, the text of available_filter_functions ("name" or
 * "name [module]" lines)? */
bool graph_function_listed(const char *list, const char *want);
/* Up to 5 names of list close to `want`, comma-separated into b (nothing when none is). */
void graph_function_suggest(const char *list, const char *want, struct ftk_buf *b);
/* Every name of funcs must be traceable: 0, or -ENOENT after the error naming the first that
 * is not and a hint ("did you mean"). what is appended to the name (" (--notrace)"). When
 * the list is unreadable (EPERM, lockdown), 0: the kernel's refusal of the write names it. */
int graph_check_functions(char **funcs, int n, const char *what);

#endif
