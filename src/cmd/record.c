// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk record: a recording to trace.dat (version 6) instead of a view's output. Either the
 * events of `ftk trace` (-e, --uprobe, --kprobe, -p, -- COMMAND) or exactly the events a view
 * declares (`ftk record execsnoop -o exec.dat`): the view's own parsing, checks and declare
 * op run unchanged through the view runner, then the recorder (core/recorder.h) takes over:
 * raw per-CPU pages spooled verbatim, formats captured while the probes exist, the file
 * written under a temporary name and renamed at the end.
 *
 * The command line: record's own options (-o/--output, --no-kallsyms) anywhere before `--`,
 * then either a VIEW name first and that view's options, or `ftk trace`'s event options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/output.h"
#include "core/recorder.h"
#include "core/run.h"
#include "core/util.h"
#include "core/view.h"

extern const struct ftk_view ftk_view_trace;

enum { OPT_NO_KALLSYMS = 256, OPT_UPROBE, OPT_KPROBE, OPT_DRY_RUN };

/* For `ftk list options record` (the completion): record's own, then trace's. */
static const struct ftk_option options[] = {
	{ "output", 'o', "FILE", "write the recording here (default trace.dat)" },
	{ "no-kallsyms", OPT_NO_KALLSYMS, NULL, "do not embed /proc/kallsyms" },
	{ "event", 'e', "SPEC", "SYSTEM:EVENT[:FILTER], globs allowed ('sched:*')" },
	{ "uprobe", OPT_UPROBE, "SPEC", "[r:]PATH:SYMBOL[+OFF] [FETCHARGS...]" },
	{ "kprobe", OPT_KPROBE, "SPEC", "[r:]SYMBOL[+OFF] [FETCHARGS...]" },
	{ "pid", 'p', "PID", "record this process only (PID[,PID...])" },
	{ "duration", 'd', "SECS", "record for this many seconds, then exit" },
	{ "buffer-kb", 'b', "KB", "per-CPU ring buffer size in KiB" },
	{ "dry-run", OPT_DRY_RUN, NULL, "print the tracefs writes, make none" },
	{ NULL },
};

static const char help[] =
	"usage: ftk record [-h] [-o FILE] [--no-kallsyms] [-e SYS:EVENT[:FILTER]]...\n"
	"                  [--uprobe SPEC]... [--kprobe SPEC]... [-p PID] [-d SECS] [-b KB]\n"
	"                  [--dry-run] [-- COMMAND [ARG...]]\n"
	"       ftk record [-o FILE] [--no-kallsyms] VIEW [VIEW OPTIONS]\n"
	"\n"
	"Record events to a trace.dat file (version 6, read by trace-cmd report, KernelShark\n"
	"and ftk report) instead of printing them: the per-CPU ring buffer pages are written\n"
	"verbatim, not decoded. With VIEW, records exactly the events that view uses, with\n"
	"its filters (its own options apply; its output options have no effect). The file\n"
	"appears under its name only once complete; lost events are kept in it (per page and\n"
	"per CPU) and counted at the end.\n"
	"\n"
	"options:\n"
	"  -h, --help             show this help and exit\n"
	"  -o, --output FILE      write the recording here (default trace.dat)\n"
	"      --no-kallsyms      do not embed /proc/kallsyms (smaller file; kernel addresses\n"
	"                         are then not resolved by readers)\n"
	"  -e, --event SPEC       SYSTEM:EVENT[:FILTER], globs allowed ('sched:*'), kernel FILTER\n"
	"      --uprobe SPEC      [r:]PATH:SYMBOL[+OFF] [FETCHARGS...]; PATH may be 'libc'\n"
	"      --kprobe SPEC      [r:]SYMBOL[+OFF] [FETCHARGS...] (needs kprobe_events)\n"
	"  -p, --pid PID          record this process only (PID[,PID...])\n"
	"  -d, --duration SECS    record for this many seconds, then exit\n"
	"  -b, --buffer-kb KB     per-CPU ring buffer size in KiB (default 4096)\n"
	"      --dry-run          print the tracefs writes, make none\n"
	"\n"
	"examples:\n"
	"  ftk record -e 'sched:sched_process_*' -d 10 -o sched.dat\n"
	"  ftk record -e syscalls:sys_enter_openat --uprobe 'libc:malloc' -- make\n"
	"  ftk record execsnoop -o exec.dat      # what execsnoop would show, for later\n"
	"  ftk record -o io.dat biosnoop -d 30\n"
	"  trace-cmd report exec.dat              # read it back (or: ftk report exec.dat)\n";

struct record {
	struct ftk_recorder_opts o;
	struct ftk_recorder *rec;
};

static int on_declared(struct ftk_run *r, struct ftk_session *s, void *ctx)
{
	struct record *rc = ctx;

	rc->rec = ftk_recorder_new(s, &rc->o);
	return rc->rec ? 0 : -EIO;
}

static int on_armed(struct ftk_run *r, struct ftk_session *s, void *ctx)
{
	struct record *rc = ctx;
	int n = 0, err = ftk_recorder_armed(rc->rec, &n);

	if (err)
		return err;
	ftk_out_flush();
	/* "tracing" like every view's armed line: scripts wait for it */
	ftk_info("tracing %d event%s into %s%s; Ctrl-C to end", n, n == 1 ? "" : "s", rc->o.path,
		 r->command ? " while the command runs" : "");
	return 0;
}

static int on_closed(struct ftk_run *r, int code, void *ctx)
{
	struct record *rc = ctx;
	int err = 0;

	if (rc->rec && code == FTK_EXIT_OK)
		err = ftk_recorder_finish(rc->rec);
	ftk_recorder_free(rc->rec);
	rc->rec = NULL;
	return err ? FTK_EXIT_FAIL : code;
}

/* Options of `ftk trace` that make no sense for a recording. */
static const char *const output_only[] = { "-c", "--count", "-i", "--interval", "-j", "--json" };

static int record_command(const struct ftk_view *self, int argc, char **argv)
{
	struct record rc = { .o = { .path = "trace.dat", .kallsyms = true } };
	char **av = ftk_xcalloc(argc + 2, sizeof(char *));
	const struct ftk_view *v;
	int n = 0, i, code;

	/* record's own options, anywhere before "--" */
	av[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (i + 1 >= argc) {
				free(av);
				return ftk_usage_error("option '%s' needs a value", a);
			}
			rc.o.path = argv[++i];
		} else if (!strncmp(a, "--output=", 9)) {
			rc.o.path = a + 9;
		} else if (!strncmp(a, "-o", 2)) {
			rc.o.path = a + 2;
		} else if (!strcmp(a, "--no-kallsyms")) {
			rc.o.kallsyms = false;
		} else {
			av[n++] = argv[i];
		}
	}
	for (; i < argc; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	if (!*rc.o.path) {
		free(av);
		return ftk_usage_error("an empty output file name");
	}

	if (n > 1 && av[1][0] != '-') {
		v = ftk_view_find(av[1]);
		if (!v || v->command || v->ops->main) {
			ftk_error("%s '%s'", v ? "nothing to record with" : "unknown view", av[1]);
			ftk_hint("ftk record takes a tracing view (execsnoop, opensnoop, biosnoop, "
				 "trace ...) or the event options of ftk trace");
			free(av);
			return FTK_EXIT_USAGE;
		}
		code = ftk_run_view_hooked(v, n - 1, av + 1,
					   &(struct ftk_run_hooks){ on_declared, on_armed,
								    on_closed, &rc });
		free(av);
		return code;
	}
	for (i = 1; i < n && strcmp(av[i], "--"); i++) {
		if (!strcmp(av[i], "-h") || !strcmp(av[i], "--help")) {
			fputs(help, stdout);
			free(av);
			return FTK_EXIT_OK;
		}
		for (size_t k = 0; k < FTK_ARRAY_SIZE(output_only); k++)
			if (!strcmp(av[i], output_only[k])) {
				ftk_usage_error("'%s' is an output option of ftk trace: a recording "
						"has no output to shape", av[i]);
				free(av);
				return FTK_EXIT_USAGE;
			}
	}
	if (n == 1) {
		ftk_usage_error("nothing to record: give -e, --uprobe, --kprobe or a VIEW");
		free(av);
		return FTK_EXIT_USAGE;
	}
	/* ftk trace's event options: record as the trace view would trace */
	av[0] = "trace";
	code = ftk_run_view_hooked(&ftk_view_trace, n, av,
				   &(struct ftk_run_hooks){ on_declared, on_armed, on_closed, &rc });
	free(av);
	return code;
}

static const struct ftk_view_ops ops = { 0 };

const struct ftk_view ftk_view_record = {
	.name = "record",
	.summary = "record events (or a view's events) to a trace.dat file",
	.description = "Record events to trace.dat (raw pages, version 6).",
	.options = options,
	.ops = &ops,
	.command = record_command,
};
