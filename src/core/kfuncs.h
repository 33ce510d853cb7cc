/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kfuncs: the kernel functions a kprobe may be put on, as bcc's get_kprobe_functions decides:
 * the names of available_filter_functions (module suffixes dropped) minus the kprobe blacklist
 * (debugfs kprobes/blacklist, when debugfs is there).
 */
#ifndef FTK_KFUNCS_H
#define FTK_KFUNCS_H

#include <stdbool.h>

struct ftk_kfuncs;

/* NULL with errno when available_filter_functions cannot be read (lockdown, no ftrace). */
struct ftk_kfuncs *ftk_kfuncs_load(void);
/* From the texts of the two files (unit tests); blacklist may be NULL. */
struct ftk_kfuncs *ftk_kfuncs_parse(const char *functions, const char *blacklist);
/* Can a kprobe go on name? When not, why says "not traceable" or "on the kprobe blacklist". */
bool ftk_kfuncs_allowed(const struct ftk_kfuncs *k, const char *name, const char **why);
/* Calls fn for each allowed function whose name matches (fnmatch glob, or an extended regex
 * when regex), in name order. Returns how many matched, -1 for a bad regex. */
int ftk_kfuncs_match(const struct ftk_kfuncs *k, const char *pattern, bool regex,
		     void (*fn)(const char *name, void *ctx), void *ctx);
void ftk_kfuncs_free(struct ftk_kfuncs *k);

#endif
