// SPDX-License-Identifier: GPL-2.0-only
/* ftk: the command table and the global options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/run.h"
#include "core/util.h"
#include "core/view.h"

extern const struct ftk_view ftk_view_execsnoop;
extern const struct ftk_view ftk_view_opensnoop;
extern const struct ftk_view ftk_view_graph;
extern const struct ftk_view ftk_view_biosnoop;
extern const struct ftk_view ftk_view_biolatency;
extern const struct ftk_view ftk_view_trace;
extern const struct ftk_view ftk_view_report;
extern const struct ftk_view ftk_view_syscount;
extern const struct ftk_view ftk_view_vfsstat;
extern const struct ftk_view ftk_view_funccount;
extern const struct ftk_view ftk_view_record;
extern const struct ftk_view ftk_view_exporter;
extern const struct ftk_view ftk_view_features;
extern const struct ftk_view ftk_view_reset;
extern const struct ftk_view ftk_view_list;

const struct ftk_view *const ftk_views[] = {
	&ftk_view_execsnoop,
	&ftk_view_opensnoop,
	&ftk_view_biosnoop,
	&ftk_view_biolatency,
	&ftk_view_graph,
	&ftk_view_trace,
	&ftk_view_report,
	&ftk_view_syscount,
	&ftk_view_vfsstat,
	&ftk_view_funccount,
	&ftk_view_record,
	&ftk_view_exporter,
	&ftk_view_list,
	&ftk_view_features,
	&ftk_view_reset,
	NULL,
};

const struct ftk_view *ftk_view_find(const char *name)
{
	for (int i = 0; ftk_views[i]; i++)
		if (strcmp(ftk_views[i]->name, name) == 0)
			return ftk_views[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ftk [--version] [--help] VIEW [OPTIONS]\n"
		"\n"
		"Kernel tracing views built on tracefs alone: no BPF, no kprobes needed where the\n"
		"kernel offers tracepoints or uprobes.\n"
		"\n"
		"Views:\n");
	for (int i = 0; ftk_views[i]; i++)
		fprintf(f, "  %-12s %s\n", ftk_views[i]->name, ftk_views[i]->summary);
	fprintf(f,
		"\n"
		"Run 'ftk VIEW --help' for a view's options and examples, 'man ftk' for more.\n"
		"Most views need root. 'ftk features' shows what this kernel offers.\n");
}

int main(int argc, char **argv)
{
	ftk_prog = "ftk";
	ftk_mark("start");
	if (argc < 2) {
		usage(stderr);
		return FTK_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (strcmp(cmd, "help") == 0 && argc > 2) {
			const struct ftk_view *v = ftk_view_find(argv[2]);
			if (v) {
				char *av[] = { argv[2], "--help", NULL };
				static char prog[64];
				snprintf(prog, sizeof(prog), "ftk %s", v->name);
				ftk_prog = prog;
				return ftk_run_view(v, 2, av);
			}
		}
		usage(stdout);
		return FTK_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("ftk %s\n", FTK_VERSION);
		return FTK_EXIT_OK;
	}
	const struct ftk_view *v = ftk_view_find(cmd);
	if (!v) {
		if (cmd[0] == '-')
			ftk_error("unknown option '%s'", cmd);
		else
			ftk_error("unknown view '%s'", cmd);
		ftk_hint("run 'ftk --help' for the list of views");
		return FTK_EXIT_USAGE;
	}
	static char prog[64];
	snprintf(prog, sizeof(prog), "ftk %s", v->name);
	ftk_prog = prog;
	return ftk_run_view(v, argc - 1, argv + 1);
}
