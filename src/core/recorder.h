/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * recorder: turns a session into a trace.dat recording (ftk record). Attached before the
 * session is armed, it makes the session spool its raw sub-buffers (no decoding) into
 * unlinked per-CPU files beside the output; once armed it snapshots what the file needs
 * while the dynamic events exist (the instance's header_page/header_event and trace_clock,
 * the ftrace formats, the format of every enabled event); at the end of the run the per-CPU
 * stats, the kernel's saved_cmdlines and the comms ftk saw; after the session is closed it
 * adds printk formats and kallsyms and writes the file (core/tracedat_write.h) as an unlinked
 * file, linked under a temporary name and renamed to the output only when complete: a kill
 * never leaves a half file under the final name, and before that point nothing at all.
 */
#ifndef FTK_RECORDER_H
#define FTK_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

struct ftk_session;
struct ftk_recorder;

struct ftk_recorder_opts {
	const char *path;	/* the output file */
	bool kallsyms;		/* embed /proc/kallsyms */
};

/* Before ftk_session_arm(): refuses sessions whose data is not in the ring buffer (hist
 * triggers), opens the spools, sets the session's spool hooks. NULL on error (printed). */
struct ftk_recorder *ftk_recorder_new(struct ftk_session *s, const struct ftk_recorder_opts *o);
/* Armed: snapshot headers and formats. 0 or -errno (printed). Returns the number of
 * events recorded in *nevents. */
int ftk_recorder_armed(struct ftk_recorder *rec, int *nevents);
/* After ftk_session_close(): write the file when the run was armed and no error happened.
 * 0 (a summary line printed) or -errno (printed; no file). */
int ftk_recorder_finish(struct ftk_recorder *rec);
/* Closes the spools (their data goes with them) and frees. */
void ftk_recorder_free(struct ftk_recorder *rec);

#endif
