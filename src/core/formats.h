/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * formats (core-internal, implemented in events.c): the small tep handle a session decodes
 * with, built from events/header_page plus only the format files its events need
 * (tracefs_local_events() would parse all ~2300 formats and kallsyms: 165-190 ms).
 */
#ifndef FTK_FORMATS_H
#define FTK_FORMATS_H

struct tep_handle;
struct tep_event;

/* A tep with the ring buffer's page header parsed from TRACEFS/events/header_page; NULL
 * with errno. */
struct tep_handle *ftk_tep_new(const char *tracefs);
/* Load DIR/events/<sys>/<name>/format into tep (once); NULL with errno. */
struct tep_event *ftk_tep_load(struct tep_handle *tep, const char *dir, const char *sys,
			       const char *name);

#endif
