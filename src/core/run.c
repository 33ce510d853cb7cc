// SPDX-License-Identifier: GPL-2.0-only
/* run: the view runner: one command-line parser, one life cycle, the exit codes (run.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "output.h"
#include "procs.h"
#include "run.h"
#include "tracedat_read.h"
#include "util.h"
#include "view.h"

/* Keys of the long-only shared options (view keys are letters or 256..999). */
enum { KEY_DRY_RUN = 1000, KEY_BACKEND, KEY_FORCE, KEY_INPUT };

#define BUFFER_KB_MIN 4UL
#define BUFFER_KB_MAX (4UL << 20)

static const struct {
	unsigned bit;
	struct ftk_option o;
} common_options[] = {
	{ FTK_OPT_PID, { "pid", 'p', "PID", "trace this process only (PID[,PID...])" } },
	{ FTK_OPT_DURATION, { "duration", 'd', "SECS", "trace for this many seconds, then exit" } },
	{ FTK_OPT_JSON, { "json", 'j', NULL, "one JSON object per line (keys: man ftk-VIEW)" } },
	{ FTK_OPT_BUFFER, { "buffer-kb", 'b', "KB", "per-CPU ring buffer size in KiB" } },
	{ FTK_OPT_BACKEND, { "backend", KEY_BACKEND, "NAME", "how to get the data" } },
	{ FTK_OPT_FORCE, { "force", KEY_FORCE, NULL,
			   "take global tracing state even when another tool uses it" } },
	{ FTK_OPT_DRY_RUN, { "dry-run", KEY_DRY_RUN, NULL, "print the tracefs writes, make none" } },
	{ FTK_OPT_INPUT, { "input", KEY_INPUT, "FILE",
			   "read a trace.dat recording (ftk record, trace-cmd record) instead of "
			   "the kernel: no root, no tracefs" } },
};

/* Ops return -errno; a malformed command line is -EINVAL. */
static int exit_code(int rc)
{
	if (rc >= 0)
		return FTK_EXIT_OK;
	return rc == -EINVAL ? FTK_EXIT_USAGE : FTK_EXIT_FAIL;
}

int ftk_opt_seconds(const char *what, const char *arg, double *out)
{
	if (ftk_parse_seconds(arg, out))
		return ftk_usage_error("invalid %s '%s' (seconds > 0)", what, arg), -EINVAL;
	return 0;
}

int ftk_opt_ulong(const char *what, const char *arg, unsigned long min, unsigned long max,
		  unsigned long *out)
{
	if (ftk_parse_ulong(arg, min, max, out))
		return ftk_usage_error("invalid %s '%s' (%lu..%lu)", what, arg, min, max), -EINVAL;
	return 0;
}

int ftk_opt_long(const char *what, const char *arg, long min, long max, long *out)
{
	if (ftk_parse_long(arg, min, max, out))
		return ftk_usage_error("invalid %s '%s' (%ld..%ld)", what, arg, min, max), -EINVAL;
	return 0;
}

int ftk_opt_pids(const char *what, const char *arg, pid_t **pids, int *n)
{
	char *copy = ftk_xstrdup(arg), *rest = copy, *tok;
	int rc = 0;

	while (rc == 0 && (tok = strsep(&rest, ","))) {
		long v;
		if (ftk_parse_long(tok, 1, INT_MAX, &v)) {
			rc = -EINVAL;
			break;
		}
		*pids = ftk_xrealloc(*pids, (size_t)(*n + 1) * sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)v;
	}
	free(copy);
	if (rc)
		ftk_usage_error("invalid %s '%s' (PID[,PID...])", what, arg);
	return rc;
}

int ftk_run_pid_threads(const struct ftk_run *r, pid_t **tids, int *n)
{
	for (int i = 0; i < r->npids; i++) {
		int k = 0;
		pid_t *v = ftk_proc_threads(r->pids[i], &k);
		if (!v) {
			ftk_error("no process with PID %d", (int)r->pids[i]);
			return -ESRCH;
		}
		*tids = ftk_xrealloc(*tids, (size_t)(*n + k) * sizeof(**tids));
		memcpy(*tids + *n, v, (size_t)k * sizeof(*v));
		*n += k;
		free(v);
	}
	return 0;
}

int ftk_opt_errno(const char *arg, long *out)
{
	if (ftk_parse_long(arg, 1, 4095, out) == 0)
		return 0;
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);
		if (name && strcmp(name, arg) == 0) {
			*out = e;
			return 0;
		}
	}
	ftk_usage_error("invalid errno '%s' (a number or a name such as EPERM)", arg);
	return -EINVAL;
}

/* ---- help ---- */

static bool takes(const struct ftk_view *v, unsigned bit)
{
	return (v->common & bit) != 0;
}

/* "-x, --long ARG" or "    --long ARG" */
static void option_words(struct ftk_buf *b, const struct ftk_option *o)
{
	if (o->key > 0 && o->key < 128)
		ftk_buf_printf(b, "-%c, ", o->key);
	else
		ftk_buf_adds(b, "    ");
	ftk_buf_printf(b, "--%s", o->name);
	if (o->arg)
		ftk_buf_printf(b, " %s", o->arg);
}

static void help_line(struct ftk_buf *b, const struct ftk_option *o, const char *help)
{
	size_t start = b->len;

	ftk_buf_adds(b, "  ");
	option_words(b, o);
	size_t w = b->len - start;
	if (w < 23)
		ftk_buf_printf(b, "%*s%s\n", (int)(23 - w), "", help);
	else
		ftk_buf_printf(b, "\n%23s%s\n", "", help);
}

/* Synopsis item of an option: "[-x]", "[-u USER]", "[--max-args N]". */
static void synopsis_item(struct ftk_buf *b, const struct ftk_option *o)
{
	if (o->key > 0 && o->key < 128)
		ftk_buf_printf(b, "[-%c%s%s]", o->key, o->arg ? " " : "", o->arg ? o->arg : "");
	else
		ftk_buf_printf(b, "[--%s%s%s]", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

static void synopsis_add(struct ftk_buf *b, size_t *col, size_t indent, const char *item)
{
	size_t n = strlen(item);

	if (*col + 1 + n > 90) {
		ftk_buf_printf(b, "\n%*s", (int)indent, "");
		*col = indent;
	} else {
		ftk_buf_addc(b, ' ');
		(*col)++;
	}
	ftk_buf_adds(b, item);
	*col += n;
}

static void print_help(const struct ftk_view *v)
{
	struct ftk_buf b = { 0 }, item = { 0 };
	size_t indent, col;

	ftk_buf_printf(&b, "usage: ftk %s", v->name);
	col = b.len;
	indent = col + 1;
	synopsis_add(&b, &col, indent, "[-h]");
	for (const struct ftk_option *o = v->options; o && o->name; o++) {
		ftk_buf_reset(&item);
		synopsis_item(&item, o);
		synopsis_add(&b, &col, indent, ftk_buf_str(&item));
	}
	for (size_t i = 0; i < FTK_ARRAY_SIZE(common_options); i++) {
		if (!takes(v, common_options[i].bit))
			continue;
		ftk_buf_reset(&item);
		synopsis_item(&item, &common_options[i].o);
		synopsis_add(&b, &col, indent, ftk_buf_str(&item));
	}
	if (v->positional)
		synopsis_add(&b, &col, indent, v->positional);
	if (takes(v, FTK_OPT_COMMAND))
		synopsis_add(&b, &col, indent, "[-- COMMAND [ARG...]]");
	ftk_buf_printf(&b, "\n\n%s\n\noptions:\n", v->description);

	static const struct ftk_option help = { "help", 'h', NULL, NULL };
	help_line(&b, &help, "show this help and exit");
	for (const struct ftk_option *o = v->options; o && o->name; o++)
		help_line(&b, o, o->help);
	for (size_t i = 0; i < FTK_ARRAY_SIZE(common_options); i++) {
		const struct ftk_option *o = &common_options[i].o;
		if (!takes(v, common_options[i].bit))
			continue;
		ftk_buf_reset(&item);
		if (common_options[i].bit == FTK_OPT_BACKEND) {
			ftk_buf_adds(&item, "one of:");
			for (size_t k = 0; k < v->nbackends; k++)
				ftk_buf_printf(&item, " %s", v->backends[k].name);
			ftk_buf_adds(&item, " (default: the first this kernel allows)");
		} else if (common_options[i].bit == FTK_OPT_BUFFER) {
			ftk_buf_adds(&item, o->help);
			if (v->default_buffer_kb)
				ftk_buf_printf(&item, " (default %lu)", v->default_buffer_kb);
			else
				ftk_buf_adds(&item, " (default: the kernel's)");
		} else if (common_options[i].bit == FTK_OPT_JSON) {
			ftk_buf_printf(&item, "one JSON object per line (keys: man ftk-%s)", v->name);
		} else {
			ftk_buf_adds(&item, o->help);
		}
		help_line(&b, o, ftk_buf_str(&item));
	}
	if (v->examples)
		ftk_buf_printf(&b, "\nexamples:\n%s", v->examples);
	ftk_out_buf(&b);
	ftk_out_flush();
	ftk_buf_free(&b);
	ftk_buf_free(&item);
}

void ftk_run_options(const struct ftk_view *v, ftk_option_fn fn, void *arg)
{
	static const struct ftk_option help = { "help", 'h', NULL, "show this help and exit" };

	fn(&help, arg);
	for (const struct ftk_option *o = v->options; o && o->name; o++)
		fn(o, arg);
	for (size_t i = 0; i < FTK_ARRAY_SIZE(common_options); i++)
		if (takes(v, common_options[i].bit))
			fn(&common_options[i].o, arg);
}

/* ---- parsing ---- */

/* A shared option; 0 or -EINVAL. */
static int common_option(struct ftk_run *r, int key, const char *arg)
{
	const struct ftk_view *v = r->view;

	switch (key) {
	case 'd':
		return ftk_opt_seconds("duration", arg, &r->duration);
	case 'b':
		return ftk_opt_ulong("buffer size in KiB", arg, BUFFER_KB_MIN, BUFFER_KB_MAX,
				     &r->buffer_kb);
	case 'j':
		r->json = true;
		return 0;
	case 'p':
		return ftk_opt_pids("PID", arg, &r->pids, &r->npids);
	case KEY_DRY_RUN:
		r->dry_run = true;
		return 0;
	case KEY_FORCE:
		r->force = true;
		return 0;
	case KEY_INPUT:
		r->input = arg;
		return 0;
	case KEY_BACKEND:
		for (size_t k = 0; k < v->nbackends; k++)
			if (strcmp(v->backends[k].name, arg) == 0) {
				r->backend_name = arg;
				return 0;
			}
		{
			struct ftk_buf names = { 0 };
			for (size_t k = 0; k < v->nbackends; k++)
				ftk_buf_printf(&names, "%s%s", k ? ", " : "", v->backends[k].name);
			ftk_usage_error("unknown backend '%s' (choose one of: %s)", arg,
					ftk_buf_str(&names));
			ftk_buf_free(&names);
		}
		return -EINVAL;
	}
	return -EINVAL;
}

static bool is_common_key(const struct ftk_view *v, int key)
{
	for (size_t i = 0; i < FTK_ARRAY_SIZE(common_options); i++)
		if (common_options[i].o.key == key)
			return takes(v, common_options[i].bit);
	return false;
}

int ftk_run_parse(struct ftk_run *r, int argc, char **argv)
{
	const struct ftk_view *v = r->view;
	struct ftk_buf shorts = { 0 };
	struct option *longs;
	size_t n = 1, k = 0;
	int rc = 0, c;

	/* Everything after the first "--" is the command (views that run one). */
	if (takes(v, FTK_OPT_COMMAND)) {
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "--") == 0) {
				if (i + 1 == argc)
					return ftk_usage_error("'--' needs a command after it"),
					       -EINVAL;
				r->command = argv + i + 1;
				argc = i;
				break;
			}
	}
	for (const struct ftk_option *o = v->options; o && o->name; o++)
		n++;
	n += FTK_ARRAY_SIZE(common_options);
	longs = ftk_xcalloc(n + 1, sizeof(*longs));
	ftk_buf_adds(&shorts, ":h");
	longs[k++] = (struct option){ "help", no_argument, NULL, 'h' };
	for (const struct ftk_option *o = v->options; o && o->name; o++) {
		longs[k++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					      NULL, o->key };
		if (o->key > 0 && o->key < 128)
			ftk_buf_printf(&shorts, "%c%s", o->key, o->arg ? ":" : "");
	}
	for (size_t i = 0; i < FTK_ARRAY_SIZE(common_options); i++) {
		const struct ftk_option *o = &common_options[i].o;
		if (!takes(v, common_options[i].bit))
			continue;
		longs[k++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					      NULL, o->key };
		if (o->key > 0 && o->key < 128)
			ftk_buf_printf(&shorts, "%c%s", o->key, o->arg ? ":" : "");
	}

	optind = 1;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, ftk_buf_str(&shorts), longs, NULL)) != -1) {
		if (c == 'h') {
			rc = 1;
		} else if (c == ':') {
			ftk_usage_error("option '%s' needs a value", argv[optind - 1]);
			rc = -EINVAL;
		} else if (c == '?') {
			ftk_bad_option(argv);
			rc = -EINVAL;
		} else if (is_common_key(v, c)) {
			rc = common_option(r, c, optarg);
		} else {
			rc = v->ops->option ? v->ops->option(r, c, optarg) : -EINVAL;
		}
	}
	if (rc == 0 && optind < argc) {
		if (v->ops->args)
			rc = v->ops->args(r, argc - optind, argv + optind);
		else
			rc = (ftk_usage_error("unexpected argument '%s'", argv[optind]), -EINVAL);
	}
	free(longs);
	ftk_buf_free(&shorts);
	return rc;
}

/* ---- the life cycle ---- */

static int pick_backend(struct ftk_run *r)
{
	const struct ftk_view *v = r->view;
	char why[1024];

	r->backend = -1;
	if (!v->nbackends)
		return 0;
	r->backend = ftk_backend_pick(v, r->backend_name, why, sizeof(why));
	if (r->backend >= 0)
		return 0;
	ftk_error("%s: %s", v->unavailable ? v->unavailable : "no usable backend", why);
	ftk_hint("%s", v->unavailable_hint ? v->unavailable_hint
					   : "'ftk features' shows what this kernel offers");
	return -ENOTSUP;
}

/*
 * --input FILE: the recording replaces the kernel from here on. What the view asks about the
 * kernel (tracepoints, features) is answered from the file (features.h), so no tracefs file
 * is read; options that only make sense live are refused.
 */
static int open_input(struct ftk_run *r)
{
	if (r->dry_run)
		return ftk_usage_error("--input reads a recording: --dry-run has nothing to show"),
		       -EINVAL;
	if (r->command)
		return ftk_usage_error("--input reads a recording: it cannot run a command"),
		       -EINVAL;
	if (r->buffer_kb)
		return ftk_usage_error("--input reads a recording: -b/--buffer-kb does not apply"),
		       -EINVAL;
	r->tracedat = ftk_tracedat_open(r->input);
	if (!r->tracedat)
		return -ENOENT;
	ftk_features_offline(ftk_tracedat_tep(r->tracedat), ftk_tracedat_offline_has(r->tracedat));
	return 0;
}

/* From a made session to its close: declare, spawn, arm, bind, header, run. */
static int trace_session(struct ftk_run *r, struct ftk_session *s)
{
	const struct ftk_view_ops *ops = r->view->ops;
	int rc, arm;

	if (ops->declare && (rc = ops->declare(r, s)))
		return exit_code(rc);
	if (r->hooks && r->hooks->declared && (rc = r->hooks->declared(r, s, r->hooks->ctx)))
		return exit_code(rc);
	if (r->command) {
		r->child = ftk_session_spawn(s, r->command);
		if (r->child < 0)
			return FTK_EXIT_FAIL;
	}
	arm = ftk_session_arm(s);
	if (arm == FTK_ARM_DRY)
		return FTK_EXIT_OK;
	if (arm < 0)
		return exit_code(arm);
	ftk_mark("armed");
	if (r->hooks) {
		if (r->hooks->armed && (rc = r->hooks->armed(r, s, r->hooks->ctx)))
			return exit_code(rc);
	} else {
		if (ops->bind && (rc = ops->bind(r, s)))
			return exit_code(rc);
		if (ops->header)
			ops->header(r);
	}
	ftk_out_flush();
	ftk_session_run(s);
	return FTK_EXIT_OK;
}

static int run(struct ftk_run *r, int argc, char **argv)
{
	const struct ftk_view *v = r->view;
	int rc;

	rc = ftk_run_parse(r, argc, argv);
	if (rc == 1) {
		print_help(v);
		return FTK_EXIT_OK;
	}
	if (rc)
		return exit_code(rc);
	if (r->input && (rc = open_input(r)))
		return exit_code(rc);
	if (v->ops->check && (rc = v->ops->check(r)))
		return exit_code(rc);
	if (v->ops->main)
		return exit_code(v->ops->main(r));
	if (!r->input && !r->dry_run && ftk_require_root())
		return FTK_EXIT_FAIL;
	if (!r->input && !ftk_tracefs())
		return ftk_tracefs_error();
	if (pick_backend(r))
		return FTK_EXIT_FAIL;
	r->so = (struct ftk_session_opts){
		.view = v->name,
		.buffer_kb = r->buffer_kb,
		.default_buffer_kb = v->default_buffer_kb,
		.duration = r->duration,
		.dry_run = r->dry_run,
		.force = r->force,
		.input = r->tracedat,
	};
	if (v->ops->prepare && (rc = v->ops->prepare(r)))
		return exit_code(rc);
	r->session = ftk_session_new(&r->so);
	if (!r->session)
		return FTK_EXIT_FAIL;
	rc = trace_session(r, r->session);
	int crc = exit_code(ftk_session_close(r->session));
	r->session = NULL;
	if (!rc && !crc && r->error)
		rc = exit_code(r->error);
	rc = rc ? rc : crc;
	if (r->hooks && r->hooks->closed)
		rc = r->hooks->closed(r, rc, r->hooks->ctx);
	return rc;
}

void ftk_run_init(struct ftk_run *r, const struct ftk_view *v)
{
	*r = (struct ftk_run){ .view = v, .backend = -1 };
	r->state = ftk_xcalloc(1, v->state_size ? v->state_size : 1);
	if (v->ops->init)
		v->ops->init(r);
}

void ftk_run_fini(struct ftk_run *r)
{
	if (r->view->ops->free)
		r->view->ops->free(r);
	free(r->state);
	free(r->pids);
	r->state = NULL;
	r->pids = NULL;
}

int ftk_run_view_hooked(const struct ftk_view *v, int argc, char **argv,
			const struct ftk_run_hooks *hooks)
{
	struct ftk_run r;
	int rc;

	if (v->command && !hooks)
		return v->command(v, argc, argv);
	ftk_run_init(&r, v);
	r.hooks = hooks;
	rc = run(&r, argc, argv);
	ftk_run_fini(&r);
	if (r.tracedat) {
		ftk_features_offline(NULL, 0);
		ftk_tracedat_close(r.tracedat);
	}
	/* Every line that could not be written is an error, except a reader that went away. */
	ftk_out_flush();
	int err = ftk_out_errno();
	if (err && err != EPIPE) {
		ftk_error("cannot write the output: %s", strerror(err));
		rc = FTK_EXIT_FAIL;
	}
	return rc;
}

int ftk_run_view(const struct ftk_view *v, int argc, char **argv)
{
	return ftk_run_view_hooked(v, argc, argv, NULL);
}
