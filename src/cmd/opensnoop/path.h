/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * opensnoop/path: where the path of an open comes from on this kernel, as the view's
 * backends, chosen by probing (never by kernel version):
 *   kprobe      kprobes on the syscall functions read the string with `ustring` (x86-64)
 *   tracepoint  the syscall entry events carry the string (a __filename_val field)
 *   uprobe      uprobes on the system C library's open functions read it before the call
 *   nopath      FD and ERR only: no route to user strings here
 * The capture events feed the pairing (pair.h) with (thread, user pointer, string).
 */
#ifndef FTK_CMD_OPENSNOOP_PATH_H
#define FTK_CMD_OPENSNOOP_PATH_H

#include <stdbool.h>

#include "core/view.h"

struct ftk_session;
struct open_pairs;
struct path_capture;

extern const struct ftk_backend opensnoop_backends[4];
enum { OPENSNOOP_KPROBE, OPENSNOOP_TRACEPOINT, OPENSNOOP_UPROBE, OPENSNOOP_NOPATH };

/* Why a call has no path on a backend when no capture came for it. */
const char *path_no_capture_why(int backend);
/* The entry event's field holding the string of syscall sys (tracepoint backend), e.g.
 * "__filename_val". */
const char *path_entry_field(int sys);

/* filter: a kernel filter for the capture events ("common_pid == 42"), or NULL. */
struct path_capture *path_capture_new(struct open_pairs *pairs, int backend, const char *filter);
void path_capture_free(struct path_capture *x);
/* Declare the capture events of the backend (none for tracepoint and nopath). 0 or -errno,
 * printed. */
int path_capture_declare(struct path_capture *x, struct ftk_session *s);
/* Armed: resolve their fields. */
void path_capture_bind(struct path_capture *x);

#endif
