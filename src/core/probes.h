/* SPDX-License-Identifier: GPL-2.0-only */
/* probes (core-internal): the kernel side of declared events; used by session.c. */
#ifndef FTK_PROBES_H
#define FTK_PROBES_H

struct ftk_session;

/* Create dynamic events, load formats, set filters (printing only, in dry-run).
 * 0, -FTK_EXIT_FAIL or -FTK_EXIT_USAGE (malformed filter); the message is printed. */
int ftk_probes_arm(struct ftk_session *s);
/* Enable every declared event (except no_enable/skipped ones). */
int ftk_probes_enable(struct ftk_session *s);
void ftk_probes_disable(struct ftk_session *s);
/* Remove the dynamic events (after the instance is gone: trap 5). */
void ftk_probes_destroy(struct ftk_session *s);
void ftk_probes_free(struct ftk_session *s);

#endif
