// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk features: what this kernel's tracing offers and, for each view, which backend it
 * would use here or every reason it cannot run. Table by default, one NDJSON object with
 * --json (keys documented in ftk-features(8)). Works without root: then it says what it
 * could not check. Probing changes no tracing state (it may mount tracefs).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/access.h"
#include "core/features.h"
#include "core/output.h"
#include "core/run.h"
#include "core/util.h"
#include "core/view.h"

static bool view_has_backends(const struct ftk_view *v)
{
	return v->backends && v->nbackends;
}

static const char *const level_names[] = {
	[FTK_ACCESS_NONE] = "none", [FTK_ACCESS_READ] = "read",
	[FTK_ACCESS_WRITE] = "write", [FTK_ACCESS_ROOT] = "root",
};

/* Not root: what this user can and cannot do, and what an admin can change. */
static void print_access(void)
{
	const struct ftk_access *a = ftk_access();

	ftk_outf("\nnote: not root: most features could not be checked; run 'sudo ftk features'\n");
	ftk_outf("%-16s %-4s %s\n", "ACCESS", "OK", "DETAIL");
	ftk_outf("%-16s %-4s %s\n", "read tracefs", a->level >= FTK_ACCESS_READ ? "yes" : "no",
		 a->level >= FTK_ACCESS_READ ? "ftk list and ftk features work" : a->why);
	ftk_outf("%-16s %-4s %s\n", "trace", "no", a->level >= FTK_ACCESS_READ ? a->why :
		 "the views need root");
	ftk_outf("%-16s %-4s %s\n", "kallsyms", a->kallsyms ? "yes" : "no",
		 a->kallsyms ? "function addresses can be named" : a->kallsyms_why);
	ftk_outf("remedy: %s\n", a->remedy);
	if (!a->kallsyms)
		ftk_outf("remedy: kallsyms: %s\n", a->kallsyms_remedy);
}

static void print_table(void)
{
	struct ftk_buf b = { 0 };

	ftk_outf("%-16s %-4s %s\n", "FEATURE", "OK", "DETAIL");
	for (int i = FTK_F_NONE + 1; i < FTK_F__COUNT; i++) {
		const struct ftk_feature *f = ftk_feature(i);
		const char *text = f->ok ? f->detail : f->why;
		ftk_buf_reset(&b);
		ftk_escape_table(&b, text, strlen(text), false);
		if (b.len)
			ftk_outf("%-16s %-4s %s\n", f->name, f->ok ? "yes" : "no", ftk_buf_str(&b));
		else
			ftk_outf("%-16s %s\n", f->name, f->ok ? "yes" : "no");
	}
	const char *l = ftk_lockdown();
	ftk_outf("\nlockdown: %s\n", l ? l : geteuid() ? "unknown (not root: cannot mount "
		 "securityfs to read it)" : "unknown (securityfs unavailable)");
	ftk_outf("kernel:   %s\n", ftk_kernel_release());

	bool header = false;
	for (int i = 0; ftk_views[i]; i++) {
		const struct ftk_view *v = ftk_views[i];
		char why[1024];

		if (!view_has_backends(v))
			continue;
		if (!header) {
			ftk_outf("\n%-12s %-15s %s\n", "VIEW", "BACKEND", "NOTES");
			header = true;
		}
		int k = ftk_backend_pick(v, NULL, why, sizeof(why));
		ftk_buf_reset(&b);
		if (k >= 0) {
			if (why[0])
				ftk_buf_printf(&b, "preferred ones refused: %s", why);
			else
				ftk_buf_adds(&b, v->backends[k].desc ? v->backends[k].desc : "");
		} else {
			ftk_buf_printf(&b, "cannot run: %s", why);
		}
		ftk_outf("%-12s %-15s %s\n", v->name, k >= 0 ? v->backends[k].name : "-",
			 ftk_buf_str(&b));
	}
	if (geteuid() != 0)
		print_access();
	ftk_buf_free(&b);
}

static void print_json(void)
{
	struct ftk_buf b = { 0 };
	struct ftk_json j;

	ftk_json_begin(&j, &b);
	ftk_json_cstr(&j, "kernel", ftk_kernel_release());
	ftk_json_cstr(&j, "lockdown", ftk_lockdown());
	ftk_json_cstr(&j, "tracefs", ftk_tracefs());
	ftk_json_bool(&j, "root", geteuid() == 0);
	const struct ftk_access *a = ftk_access();
	ftk_json_object_begin(&j, "access");
	ftk_json_cstr(&j, "level", level_names[a->level]);
	ftk_json_cstr(&j, "why", a->why[0] ? a->why : NULL);
	ftk_json_cstr(&j, "remedy", a->remedy[0] ? a->remedy : NULL);
	ftk_json_bool(&j, "kallsyms", a->kallsyms);
	ftk_json_cstr(&j, "kallsyms_why", a->kallsyms ? NULL : a->kallsyms_why);
	ftk_json_object_end(&j);
	ftk_json_object_begin(&j, "features");
	for (int i = FTK_F_NONE + 1; i < FTK_F__COUNT; i++) {
		const struct ftk_feature *f = ftk_feature(i);
		ftk_json_object_begin(&j, f->name);
		ftk_json_bool(&j, "ok", f->ok);
		if (f->ok)
			ftk_json_cstr(&j, "detail", f->detail);
		else
			ftk_json_cstr(&j, "why", f->why);
		ftk_json_object_end(&j);
	}
	ftk_json_object_end(&j);
	ftk_json_object_begin(&j, "views");
	for (int i = 0; ftk_views[i]; i++) {
		const struct ftk_view *v = ftk_views[i];
		char why[1024];

		if (!view_has_backends(v))
			continue;
		int k = ftk_backend_pick(v, NULL, why, sizeof(why));
		ftk_json_object_begin(&j, v->name);
		ftk_json_cstr(&j, "backend", k >= 0 ? v->backends[k].name : NULL);
		ftk_json_cstr(&j, "why", why);
		ftk_json_object_end(&j);
	}
	ftk_json_object_end(&j);
	ftk_json_end(&j);
	ftk_out_buf(&b);
	ftk_buf_free(&b);
}

static int features_main(struct ftk_run *r)
{
	if (r->json)
		print_json();
	else
		print_table();
	return 0;
}

static const struct ftk_view_ops ops = {
	.main = features_main,
};

const struct ftk_view ftk_view_features = {
	.name = "features",
	.summary = "show the kernel tracing features and the backend each view would use",
	.description =
		"Show the kernel tracing features ftk can use here, each with the reason when\n"
		"it is missing (a CONFIG_ option, kernel lockdown, a policy refusal, not being\n"
		"root), the lockdown mode, the kernel release, and the backend each view would\n"
		"use.",
	.examples =
		"  ftk features                 # table\n"
		"  ftk features --json | jq .views\n",
	.common = FTK_OPT_JSON,
	.ops = &ops,
};
