/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run: the view runner. A view is a table (struct ftk_view in view.h): its options, the shared
 * options it takes, its backends, and the ops below. ftk_run_view() owns the order and the
 * exit codes:
 *
 *   parse (shared + view options, positional args)  -> exit 2 on a malformed command line
 *   --help                                           -> help on stdout, exit 0
 *   ops->check                                       (resolve users, regexes, disks ...)
 *   root, unless --dry-run
 *   tracefs
 *   backend (--backend or the first usable)          -> exit 1 with every refusal
 *   ops->prepare                                     (session options by backend)
 *   session
 *   ops->declare                                     (events, triggers, hooks)
 *   spawn (-- COMMAND)
 *   arm                                              (--dry-run: print the writes, exit 0)
 *   ops->bind                                        (fields, once formats are loaded)
 *   ops->header                                      (tracing is armed: scripts wait for it)
 *   run, then close on every path                   (drain, summary, restore)
 *   ops->free
 *   a write error on stdout other than EPIPE         -> "cannot write the output", exit 1
 *
 * Ops return 0 or a negative errno; the runner turns that into the exit code: -EINVAL from
 * option/args/check is a malformed command line (2), anything else cannot be done here (1).
 * Messages are printed by whoever fails (ftk_error + ftk_hint, or ftk_usage_error).
 */
#ifndef FTK_RUN_H
#define FTK_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "session.h"

struct ftk_view;
struct ftk_run;

/* Shared options (struct ftk_view.common): one parser, one set of validators and messages. */
enum {
	FTK_OPT_DURATION = 1u << 0,	/* -d, --duration SECS */
	FTK_OPT_BUFFER = 1u << 1,	/* -b, --buffer-kb KB */
	FTK_OPT_DRY_RUN = 1u << 2,	/* --dry-run */
	FTK_OPT_JSON = 1u << 3,		/* -j, --json */
	FTK_OPT_BACKEND = 1u << 4,	/* --backend NAME (from the view's backends) */
	FTK_OPT_FORCE = 1u << 5,	/* --force */
	FTK_OPT_PID = 1u << 6,		/* -p, --pid PID[,PID...] */
	FTK_OPT_COMMAND = 1u << 7,	/* -- COMMAND [ARG...] */
	FTK_OPT_INPUT = 1u << 8,	/* --input FILE: read a trace.dat recording, not the kernel */
	/* The usual set of a tracing view. */
	FTK_OPT_TRACING = FTK_OPT_BUFFER | FTK_OPT_DRY_RUN | FTK_OPT_JSON | FTK_OPT_INPUT,
};

struct ftk_tracedat;

/* One option of a view. key: the short letter, or a value >= 256 for a long-only option. */
struct ftk_option {
	const char *name;	/* long name without "--"; NULL ends the table */
	int key;
	const char *arg;	/* value name for the help ("USER"); NULL for a flag */
	const char *help;	/* one line */
};

/*
 * Recording instead of viewing (ftk record VIEW): the view parses, checks, prepares and
 * declares as usual; then the hooks take over: `declared` before the session is armed (the
 * spool is set up there), `armed` instead of the view's bind and header, and `closed` after
 * the session is closed, with the exit code so far (it returns the final one). 0 or -errno
 * (printed) for the first two.
 */
struct ftk_run_hooks {
	int (*declared)(struct ftk_run *r, struct ftk_session *s, void *ctx);
	int (*armed)(struct ftk_run *r, struct ftk_session *s, void *ctx);
	int (*closed)(struct ftk_run *r, int rc, void *ctx);
	void *ctx;
};

/* What the runner hands to every op. */
struct ftk_run {
	const struct ftk_view *view;
	void *state;		/* the view's state (view->state_size bytes, zeroed) */

	/* Shared options as given (or their defaults). */
	double duration;	/* seconds; 0: until a signal */
	unsigned long buffer_kb;	/* 0: the view's default */
	bool dry_run, json, force;
	const char *backend_name;	/* --backend, NULL when not given */
	pid_t *pids;		/* -p, in the order given */
	int npids;
	char **command;		/* after --, NULL-terminated; NULL when none */
	const char *input;	/* --input FILE, NULL when tracing live */

	/* Filled as the run goes. */
	int backend;		/* index into view->backends; -1 when the view has none */
	struct ftk_session_opts so;	/* prepare may change it before the session is made */
	struct ftk_session *session;
	struct ftk_tracedat *tracedat;	/* the --input file, open from check on */
	pid_t child;		/* the spawned COMMAND (0 if none): known when arm runs */
	int error;		/* a failure found while running (-errno, set by the view, message
				 * printed): the exit code once the session is closed */
	const struct ftk_run_hooks *hooks;	/* ftk record; NULL for a view's own run */
};

struct ftk_view_ops {
	/* Defaults before parsing (state is zeroed already). */
	void (*init)(struct ftk_run *r);
	/* One of the view's own options; arg is NULL for a flag. 0 or -EINVAL (printed). */
	int (*option)(struct ftk_run *r, int key, const char *arg);
	/* Positional arguments (none allowed when NULL). 0 or -EINVAL (printed). */
	int (*args)(struct ftk_run *r, int argc, char **argv);
	/* After parsing and --help, before root/tracefs: validate, resolve names. FTK_RUN_DONE:
	 * the view did all it had to (a listing such as syscount -l): exit 0. */
	int (*check)(struct ftk_run *r);
	/* The backend is picked (r->backend): adjust r->so before the session exists. */
	int (*prepare)(struct ftk_run *r);
	/* Declare events, triggers and session hooks. */
	int (*declare)(struct ftk_run *r, struct ftk_session *s);
	/* Armed (or dry-run not reached): resolve fields. */
	int (*bind)(struct ftk_run *r, struct ftk_session *s);
	/* Print the header line(s). */
	void (*header)(struct ftk_run *r);
	/* Free the state's contents (always called once init ran). */
	void (*free)(struct ftk_run *r);
	/* Views without a session (features, list, reset): replaces everything after check.
	 * 0 or -errno (printed). */
	int (*main)(struct ftk_run *r);
};

#define FTK_RUN_DONE 1

/* Every option view v takes, as its parser does: help, its own, then the shared ones (for
 * `ftk list options` and the shell completion). */
typedef void (*ftk_option_fn)(const struct ftk_option *o, void *arg);
void ftk_run_options(const struct ftk_view *v, ftk_option_fn fn, void *arg);

/* Runs the view: argv[0] is the view name. Returns the process exit code. */
int ftk_run_view(const struct ftk_view *v, int argc, char **argv);
/* The same with recording hooks (above). */
int ftk_run_view_hooked(const struct ftk_view *v, int argc, char **argv,
			const struct ftk_run_hooks *hooks);

/* The first steps alone (unit tests): ftk_run_init allocates the state and calls ops->init;
 * ftk_run_parse returns 1 when --help was asked, 0, or -EINVAL (message printed);
 * ftk_run_fini calls ops->free and frees what init and parse allocated. */
void ftk_run_init(struct ftk_run *r, const struct ftk_view *v);
int ftk_run_parse(struct ftk_run *r, int argc, char **argv);
void ftk_run_fini(struct ftk_run *r);

/* Validators shared by views (messages in one style). 0 or -EINVAL after ftk_usage_error. */
int ftk_opt_seconds(const char *what, const char *arg, double *out);
int ftk_opt_ulong(const char *what, const char *arg, unsigned long min, unsigned long max,
		  unsigned long *out);
int ftk_opt_long(const char *what, const char *arg, long min, long max, long *out);
/* An errno by number (1..4095) or name ("ENOENT"). */
int ftk_opt_errno(const char *arg, long *out);
/* "PID[,PID...]" (each 1..INT_MAX); appends to *pids. */
int ftk_opt_pids(const char *what, const char *arg, pid_t **pids, int *n);
/* Every thread of every -p process, appended to *tids (*n counts them); -ESRCH, said, when
 * one of them is gone. */
int ftk_run_pid_threads(const struct ftk_run *r, pid_t **tids, int *n);

#endif
