/* SPDX-License-Identifier: GPL-2.0-only */
/* probes (core-internal): the kernel side of declared events; used by session.c. */
#ifndef FTK_PROBES_H
#define FTK_PROBES_H

#include <stdbool.h>

struct ftk_session;
struct tracefs_instance;

/* Prints the kernel's last error_log entry (of inst, NULL: the top level) as a hint when it
 * names `mention` (the object we just failed to make; NULL: any). The top-level error_log
 * is never cleared by ftk (it is not ours), hence the check. True when printed. */
bool ftk_kernel_error_hint(struct tracefs_instance *inst, const char *mention);

/* Create the dynamic events only (they are global objects); at most once. 0 or
 * -FTK_EXIT_FAIL (message printed). */
int ftk_probes_create(struct ftk_session *s);
/* Create dynamic events (unless done), load formats, set filters (printing only, in dry-run).
 * 0, -FTK_EXIT_FAIL or -FTK_EXIT_USAGE (malformed filter); the message is printed. */
int ftk_probes_arm(struct ftk_session *s);
/* Enable every declared event (except no_enable/skipped ones). */
int ftk_probes_enable(struct ftk_session *s);
void ftk_probes_disable(struct ftk_session *s);
/* Remove the dynamic events (after the instance is gone: trap 5). */
void ftk_probes_destroy(struct ftk_session *s);
void ftk_probes_free(struct ftk_session *s);

#endif
