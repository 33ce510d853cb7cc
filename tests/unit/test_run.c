// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_run: the view runner on a fake view: the shared options and their validators, the
 * generated --help, the order of the ops, the exit codes (2 for a malformed command line, 1
 * for what cannot be done, 0), "-- COMMAND", and the end of a view whose output cannot be
 * written (exit 1 with a message; EPIPE is a clean end). Views with a session need a kernel:
 * the kernel suite runs those (t_output, and every view's tests).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "core/output.h"
#include "core/run.h"
#include "core/util.h"
#include "core/view.h"
#include "parse.h"

struct fake {
	bool flag;
	unsigned long value;
	const char *long_only;
	int nargs;
};

static char calls[256];		/* the ops called, in order */
static int check_rc, main_rc;
static const char *main_prints;

static void note(const char *what)
{
	if (calls[0])
		strcat(calls, " ");
	strcat(calls, what);
}

static void fake_init(struct ftk_run *r)
{
	note("init");
}

static int fake_option(struct ftk_run *r, int key, const char *arg)
{
	struct fake *f = r->state;

	note("option");
	switch (key) {
	case 'f':
		f->flag = true;
		return 0;
	case 'v':
		return ftk_opt_ulong("value", arg, 1, 10, &f->value);
	case 256:
		f->long_only = arg;
		return 0;
	}
	return -EINVAL;
}

static int fake_args(struct ftk_run *r, int argc, char **argv)
{
	struct fake *f = r->state;

	note("args");
	if (argc > 2)
		return ftk_usage_error("too many arguments"), -EINVAL;
	f->nargs = argc;
	return 0;
}

static int fake_check(struct ftk_run *r)
{
	note("check");
	return check_rc;
}

static int fake_main(struct ftk_run *r)
{
	note("main");
	if (main_prints) {
		ftk_outf("%s", main_prints);
		ftk_out_flush();
	}
	return main_rc;
}

static void fake_free(struct ftk_run *r)
{
	note("free");
}

static const struct ftk_option options[] = {
	{ "flag", 'f', NULL, "a flag" },
	{ "value", 'v', "N", "a number 1..10" },
	{ "long-only", 256, "X", "no short form" },
	{ NULL },
};

static const struct ftk_backend backends[] = {
	{ .name = "one", .desc = "first" },
	{ .name = "two", .desc = "second" },
};

static const struct ftk_view_ops ops = {
	.init = fake_init, .option = fake_option, .args = fake_args, .check = fake_check,
	.main = fake_main, .free = fake_free,
};

static const struct ftk_view view = {
	.name = "fake",
	.summary = "a view for tests",
	.description = "Does nothing, in order.",
	.positional = "[A [B]]",
	.examples = "  ftk fake -f        # a flag\n",
	.common = FTK_OPT_DURATION | FTK_OPT_TRACING | FTK_OPT_BACKEND | FTK_OPT_PID |
		  FTK_OPT_FORCE | FTK_OPT_COMMAND,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct fake),
	.backends = backends,
	.nbackends = 2,
};

/* Runs the fake view in a child (the output state is per process) with stdout on `out`
 * (a path) and stderr in a temporary file; returns the exit code, *err gets stderr. */
static int run_child(const char *out, char *err, size_t errlen, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	char errpath[] = "/tmp/ftk-test-run-XXXXXX";
	int efd = mkstemp(errpath);

	assert_true(efd >= 0);
	va_start(ap, errlen);
	argv[argc++] = "fake";
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ofd = open(out, O_WRONLY);
		dup2(ofd, 1);
		dup2(efd, 2);
		signal(SIGPIPE, SIG_IGN);
		ftk_prog = "ftk fake";
		_exit(ftk_run_view(&view, argc, argv));
	}
	int st;
	waitpid(pid, &st, 0);
	ssize_t n = pread(efd, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = 0;
	close(efd);
	unlink(errpath);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Parse alone; calls[] records the ops. */
static int parse(struct ftk_run *r, ...)
{
	va_list ap;
	va_start(ap, r);
	calls[0] = 0;
	int rc = parse_view(r, &view, "fake", ap);
	va_end(ap);
	return rc;
}

static void test_shared_options(void **state)
{
	struct ftk_run r;

	assert_int_equal(parse(&r, "-f", "-v", "3", "--long-only", "x", "-d", "1.5", "-j",
			       "-b", "64", "--backend", "two", "-p", "7,8", "--force",
			       "--dry-run", "a", NULL), 0);
	struct fake *f = r.state;
	assert_true(f->flag);
	assert_int_equal(f->value, 3);
	assert_string_equal(f->long_only, "x");
	assert_int_equal(f->nargs, 1);
	assert_true(r.duration > 1.49 && r.duration < 1.51);
	assert_true(r.json && r.force && r.dry_run);
	assert_int_equal(r.buffer_kb, 64);
	assert_string_equal(r.backend_name, "two");
	assert_int_equal(r.npids, 2);
	assert_int_equal(r.pids[0], 7);
	assert_int_equal(r.pids[1], 8);
	assert_null(r.command);
	ftk_run_fini(&r);
	assert_string_equal(calls, "init option option option args free");
}

static void test_command(void **state)
{
	struct ftk_run r;

	assert_int_equal(parse(&r, "-f", "a", "--", "ls", "-l", "--", NULL), 0);
	assert_non_null(r.command);
	assert_string_equal(r.command[0], "ls");
	assert_string_equal(r.command[1], "-l");
	assert_string_equal(r.command[2], "--");
	assert_null(r.command[3]);
	assert_int_equal(((struct fake *)r.state)->nargs, 1);
	ftk_run_fini(&r);
}

static void test_malformed(void **state)
{
	const char *bad[][3] = {
		{ "--bogus", NULL, NULL }, { "-Z", NULL, NULL }, { "-v", NULL, NULL },
		{ "-v", "0", NULL }, { "-v", "11", NULL }, { "-v", "x", NULL },
		{ "-d", "0", NULL }, { "-d", "-1", NULL }, { "-d", "1s", NULL },
		{ "-b", "3", NULL }, { "-b", "4194305", NULL }, { "-p", "x", NULL },
		{ "-p", "0", NULL }, { "-p", "1,,2", NULL }, { "-p", "", NULL },
		{ "--backend", "three", NULL }, { "a", "b", "c" }, { "--", NULL, NULL },
	};
	for (size_t i = 0; i < FTK_ARRAY_SIZE(bad); i++) {
		struct ftk_run r;
		int rc = parse(&r, bad[i][0], bad[i][1], bad[i][2], NULL);
		if (rc != -EINVAL)
			fail_msg("'%s %s %s' gave %d, not -EINVAL", bad[i][0],
				 bad[i][1] ? bad[i][1] : "", bad[i][2] ? bad[i][2] : "", rc);
		ftk_run_fini(&r);
	}
}

static void test_order_and_codes(void **state)
{
	char err[4096];

	/* --help: help on stdout, exit 0, nothing checked. */
	calls[0] = 0;
	check_rc = 0;
	main_rc = 0;
	main_prints = NULL;
	assert_int_equal(run_child("/dev/null", err, sizeof(err), "-f", "--help", NULL), 0);
	/* Malformed: exit 2 with the one-line error + try hint. */
	assert_int_equal(run_child("/dev/null", err, sizeof(err), "-v", "99", NULL), 2);
	assert_non_null(strstr(err, "ftk fake: error: invalid value '99' (1..10)"));
	/* check: -EINVAL is a usage error, anything else cannot be done here. */
	check_rc = -EINVAL;
	assert_int_equal(run_child("/dev/null", err, sizeof(err), NULL), 2);
	check_rc = -ENOENT;
	assert_int_equal(run_child("/dev/null", err, sizeof(err), NULL), 1);
	/* A view without a session: main after check, its code returned. */
	check_rc = 0;
	main_rc = 0;
	assert_int_equal(run_child("/dev/null", err, sizeof(err), NULL), 0);
	main_rc = -ENOENT;
	assert_int_equal(run_child("/dev/null", err, sizeof(err), NULL), 1);
	/* check said the view's work is done (syscount -l): 0, main never runs. */
	check_rc = FTK_RUN_DONE;
	calls[0] = 0;
	assert_int_equal(run_child("/dev/null", err, sizeof(err), NULL), 0);
	check_rc = 0;
	/* The order, in this process. */
	main_rc = 0;
	calls[0] = 0;
	int fd = dup(1), nul = open("/dev/null", O_WRONLY);
	dup2(nul, 1);
	int rc = ftk_run_view(&view, 2, (char *[]){ "fake", "-f", NULL });
	dup2(fd, 1);
	close(fd);
	close(nul);
	assert_int_equal(rc, 0);
	assert_string_equal(calls, "init option check main free");
}

static void test_help_text(void **state)
{
	char path[] = "/tmp/ftk-test-help-XXXXXX", err[4096], text[4096];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(run_child(path, err, sizeof(err), "--help", NULL), 0);
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = 0;
	close(fd);
	unlink(path);
	if (!strstr(text,
		"usage: ftk fake [-h] [-f] [-v N] [--long-only X] [-p PID] [-d SECS] [-j] [-b KB]\n"
		"                [--backend NAME] [--force] [--dry-run] [--input FILE] [A [B]]\n"
		"                [-- COMMAND [ARG...]]\n"
		"\nDoes nothing, in order.\n\noptions:\n"
		"  -h, --help           show this help and exit\n"
		"  -f, --flag           a flag\n"
		"  -v, --value N        a number 1..10\n"
		"      --long-only X    no short form\n"))
		fail_msg("help text:\n%s", text);
	assert_non_null(strstr(text, "      --backend NAME   one of: one two (default: the first"));
	assert_non_null(strstr(text, "\nexamples:\n  ftk fake -f        # a flag\n"));
}

static void test_write_errors(void **state)
{
	char err[4096];
	int p[2];

	check_rc = 0;
	main_rc = 0;
	main_prints = "a line\n";
	/* Nowhere to write: exit 1, the error named. */
	assert_int_equal(run_child("/dev/full", err, sizeof(err), NULL), 1);
	assert_non_null(strstr(err, "ftk fake: error: cannot write the output: No space left on "
				    "device"));
	/* The reader went away: a clean end. */
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	char out[64];
	snprintf(out, sizeof(out), "/proc/self/fd/%d", p[1]);
	assert_int_equal(run_child(out, err, sizeof(err), NULL), 0);
	assert_null(strstr(err, "error"));
	close(p[1]);
	main_prints = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_options), cmocka_unit_test(test_command),
		cmocka_unit_test(test_malformed), cmocka_unit_test(test_order_and_codes),
		cmocka_unit_test(test_help_text), cmocka_unit_test(test_write_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
