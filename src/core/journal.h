/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * journal (core-internal): /run/ftk/<pid>.journal lists what a live session created or
 * changed, so that a later `ftk reset` (or ftk start) can undo what a dead session left
 * (recover.h). Sessions write it through tfs.h, never directly.
 *
 * Lines (one per change, appended and fsync'd before the change is made):
 *   session <pid> <starttime>          first line: identifies the process (pid reuse)
 *   guardian <pid> <starttime>         the session's guardian (guardian.h): while it lives,
 *                                      the session is not dead (it is cleaning up)
 *   instance <name>                    instance created
 *   group <name>                       probe group used
 *   global <file> <hex>                a top-level file about to be written; <hex> is the
 *                                      content to write back (already normalized: "" means
 *                                      truncate; never "no pid" or "#### all functions ...")
 *   tracer <instance-or-"-"> <old>     tracer about to be set ("-" = top level)
 *   synth <name>                       synthetic event ftk_<pid>_... about to be created
 *   trigger <instance-or-"-">/<sys>/<event>   a trigger about to be set on that event; reset
 *                                      removes every trigger listed in its trigger file
 *                                      (journals are newest-first undone: dependants first)
 */
#ifndef FTK_JOURNAL_H
#define FTK_JOURNAL_H

#include <stdbool.h>
#include <sys/types.h>

#define FTK_JOURNAL_DIR "/run/ftk"

/* Tests only: use DIR instead of FTK_JOURNAL_DIR (NULL restores it). */
void ftk_journal_set_dir(const char *dir);
/* The directory in use. */
const char *ftk_journal_dir(void);

/* Name PID (0: none) as this process's guardian in the journal ftk_journal_open() makes. */
void ftk_journal_guardian(pid_t pid);
/* Create the journal of this process. 0 or -errno. */
int ftk_journal_open(void);
/* Append a line (kind + args joined by spaces); fsync. 0 or -errno. */
int ftk_journal_add(const char *kind, const char *a, const char *b);
/* Is this process's journal open (a session armed and not closed)? */
bool ftk_journal_is_open(void);
/* Remove this process's journal (clean exit). */
void ftk_journal_close(void);

/* Start time of PID (field 22 of /proc/PID/stat), 0 when gone (as in the session line). */
unsigned long long ftk_journal_starttime(pid_t pid);
/* The same, and the process state (field 3: 'R', 'S', 'Z' ...) in *state when not NULL. */
unsigned long long ftk_journal_proc_stat(pid_t pid, char *state);

/* A parsed journal (ftk reset, tests). */
struct ftk_jline {
	char *kind;	/* "instance", "group", "global", "tracer", "synth", "trigger" */
	char *a;	/* name / file / instance-or-"-" */
	char *b;	/* global: hex ("" = truncate); tracer: old tracer; else "" */
};
struct ftk_journal {
	pid_t pid;			/* from the session line, 0 if absent */
	unsigned long long starttime;	/* 0 if absent */
	pid_t guardian;			/* from the guardian line, 0 if absent */
	unsigned long long guardian_start;
	struct ftk_jline *lines;	/* every line but the session line, in order */
	int n;
};
/* Parse journal text. Returns 0, or the number of the first malformed line (skipped; the
 * others are kept). */
int ftk_journal_parse(const char *text, struct ftk_journal *j);
void ftk_journal_free(struct ftk_journal *j);

/* hex helpers for journal values (global lines: the caller passes ftk_hex_encode()'d
 * content to ftk_journal_add; values with spaces are refused with -EINVAL) */
char *ftk_hex_encode(const char *s, size_t len);
char *ftk_hex_decode(const char *hex, size_t *len);

#endif
