// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_execsnoop: command-line parsing through the view runner (bcc's flags, -EINVAL: exit 2,
 * on malformed values) and argv
 * assembly from per-argument captures (end of argv, --max-args edges, unread arguments,
 * lost captures) and the ARGS column (escaping, -q, the truncation marker).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/execsnoop.h"
#include "core/output.h"
#include "core/run.h"
#include "parse.h"
#include "core/util.h"

extern const struct ftk_view ftk_view_execsnoop;

/* Parses through the view runner; *o and *r show what it made of the line. The caller ends
 * with ftk_run_fini(r). */
static int parse(struct ftk_run *r, struct ftk_execsnoop_opts **o, ...)
{
	va_list ap;
	va_start(ap, o);
	int rc = parse_view(r, &ftk_view_execsnoop, "execsnoop", ap);
	va_end(ap);
	*o = r->state;
	return rc;
}

static void test_parse_defaults(void **state)
{
	struct ftk_run r;
	struct ftk_execsnoop_opts *o;
	assert_int_equal(parse(&r, &o, NULL), 0);
	assert_int_equal(o->max_args, 20);
	assert_int_equal(o->ppid, -1);
	assert_false(r.json || o->fails || o->quote || o->hms || o->timestamp || o->print_uid);
	ftk_run_fini(&r);
}

static void test_parse_flags(void **state)
{
	struct ftk_run r;
	struct ftk_execsnoop_opts *o;
	assert_int_equal(parse(&r, &o, "-T", "-t", "-x", "-U", "-q", "-u", "root", "-n", "^ba",
			       "-l", "x y", "-P", "181", "--max-args", "1024", "-d", "2.5",
			       "--json", "-b", "64", "--backend", "uprobe", "--dry-run", NULL), 0);
	assert_true(o->hms && o->timestamp && o->fails && o->print_uid && o->quote && r.json);
	assert_true(r.dry_run);
	assert_string_equal(o->user, "root");
	assert_string_equal(o->name, "^ba");
	assert_string_equal(o->line, "x y");
	assert_int_equal(o->ppid, 181);
	assert_int_equal(o->max_args, 1024);
	assert_true(r.duration > 2.49 && r.duration < 2.51);
	assert_int_equal(r.buffer_kb, 64);
	assert_string_equal(r.backend_name, "uprobe");
	ftk_run_fini(&r);
	/* long forms */
	assert_int_equal(parse(&r, &o, "--time", "--timestamp", "--fails", "--print-uid",
			       "--quote", "--uid", "7", "--name", "n", "--line", "l", "--ppid", "1",
			       "--duration", "1", "--buffer-kb", "8", "-j", NULL), 0);
	assert_true(o->hms && o->timestamp && o->fails && o->print_uid && o->quote && r.json);
	assert_int_equal(o->max_args, 20);
	ftk_run_fini(&r);
}

static void test_parse_malformed(void **state)
{
	struct ftk_run r;
	struct ftk_execsnoop_opts *o;
	const char *bad[][3] = {
		{ "--max-args", "0", NULL }, { "--max-args", "-3", NULL },
		{ "--max-args", "abc", NULL }, { "--max-args", "1025", NULL },
		{ "--max-args", "99999999999999999999", NULL }, { "--max-args", NULL, NULL },
		{ "-P", "x", NULL }, { "-P", "-1", NULL }, { "-d", "0", NULL }, { "-d", "-1", NULL },
		{ "-d", "1s", NULL }, { "-b", "0", NULL }, { "--bogus", NULL, NULL },
		{ "-Z", NULL, NULL }, { "extra", NULL, NULL }, { "-u", NULL, NULL },
		{ "--backend", "bpf", NULL }, { "-p", "1", NULL }, { "--", "ls", NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(&r, &o, bad[i][0], bad[i][1], NULL);
		if (rc != -EINVAL)
			fail_msg("'%s %s' gave %d, not -EINVAL", bad[i][0],
				 bad[i][1] ? bad[i][1] : "", rc);
		ftk_run_fini(&r);
	}
}

static void test_parse_help(void **state)
{
	struct ftk_run r;
	struct ftk_execsnoop_opts *o;
	assert_int_equal(parse(&r, &o, "-x", "--help", NULL), 1);
	ftk_run_fini(&r);
}

/* Captures: argv strings, NULLs where not read. */
static void finish(unsigned long max, int end, bool more_seen, bool more, char *const *argv,
		   const int *lens, int want_argc, bool want_trunc, bool want_complete)
{
	struct ftk_argv_state st = { max, end, more_seen, more, argv, lens };
	int argc = -9;
	bool t = !want_trunc, c = !want_complete;
	ftk_execsnoop_finish(&st, &argc, &t, &c);
	assert_int_equal(argc, want_argc);
	assert_int_equal(t, want_trunc);
	assert_int_equal(c, want_complete);
}

static void test_finish(void **state)
{
	char *a3[3] = { "true", "a", "b" };
	int l3[3] = { 4, 1, 1 };
	/* argc 2 < max 3: the NULL at argv[2] ends it */
	char *a2[3] = { "true", "a", NULL };
	int l2[3] = { 4, 1, 0 };
	finish(3, 2, true, true, a2, l2, 2, false, true);
	/* argc == max: argv[max] was NULL -> not truncated */
	finish(3, -1, true, false, a3, l3, 3, false, true);
	/* argc > max: argv[max] not NULL -> exactly max, truncated */
	finish(3, -1, true, true, a3, l3, 3, true, true);
	/* an argument the kernel could not read (too long): shown, incomplete */
	char *au[3] = { "true", NULL, "b" };
	int lu[3] = { 4, -1, 1 };
	finish(3, -1, true, false, au, lu, 3, false, false);
	/* captures lost: neither end nor argv[max] seen: what arrived, incomplete */
	char *al[3] = { "true", "a", NULL };
	int ll[3] = { 4, 1, 0 };
	finish(3, -1, false, false, al, ll, 2, false, false);
	/* empty argv (argv[0] == NULL) */
	char *ae[3] = { NULL, NULL, NULL };
	int le[3] = { 0, 0, 0 };
	finish(3, 0, true, false, ae, le, 0, false, true);
}

static void join(char *const *argv, const int *lens, int argc, bool trunc, bool quote,
		 const char *want)
{
	struct ftk_buf b = { 0 };
	ftk_execsnoop_join(&b, argv, lens, argc, trunc, quote);
	assert_string_equal(ftk_buf_str(&b), want);
	ftk_buf_free(&b);
}

static void test_join(void **state)
{
	char *a[] = { "echo", "a b", "", "q\"uote", "tab\there", "esc\x1b[31m", "h\xc3\xa9", NULL };
	int l[] = { 4, 3, 0, 6, 8, 8, 3, 0 };
	join(a, l, 7, false, false, "echo a b  q\"uote tab\\x09here esc\\x1b[31m h\xc3\xa9");
	join(a, l, 7, false, true,
	     "\"echo\" \"a b\" \"\" \"q\\\"uote\" \"tab\\x09here\" \"esc\\x1b[31m\" \"h\xc3\xa9\"");
	join(a, l, 2, true, false, "echo a b ...");
	char *u[] = { "true", NULL, "x" };
	int lu[] = { 4, -1, 1 };
	join(u, lu, 3, false, false, "true [?] x");
	/* embedded NUL is impossible in argv; a newline is escaped */
	char *n[] = { "a\nb" };
	int ln[] = { 3 };
	join(n, ln, 1, false, false, "a\\x0ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_defaults), cmocka_unit_test(test_parse_flags),
		cmocka_unit_test(test_parse_malformed), cmocka_unit_test(test_parse_help),
		cmocka_unit_test(test_finish), cmocka_unit_test(test_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
