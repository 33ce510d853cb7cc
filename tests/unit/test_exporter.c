// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for ftk exporter's pieces that need no kernel: the exposition format
 * (cmd/exporter/expo.h: label escaping, bounded label sets with "other") and the parsing of
 * configuration lines into collectors (cmd/exporter/collectors.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/exporter/collectors.h"
#include "cmd/exporter/expo.h"
#include "core/util.h"

static void test_escape(void **state)
{
	struct ftk_buf b = { 0 };
	expo_u64(&b, "ftk_execs_total", "comm", "a\"b\\c\nd", 7);
	assert_string_equal(ftk_buf_str(&b), "ftk_execs_total{comm=\"a\\\"b\\\\c\\nd\"} 7\n");
	ftk_buf_reset(&b);
	expo_double(&b, "ftk_x_seconds", NULL, NULL, 0.000128);
	assert_string_equal(ftk_buf_str(&b), "ftk_x_seconds 0.000128\n");
	ftk_buf_free(&b);
}

static void test_labels_cap(void **state)
{
	struct expo_labels l = { .max = 2 };
	struct ftk_buf b = { 0 };

	expo_labels_add(&l, "write", 5);
	expo_labels_add(&l, "read", 3);
	expo_labels_add(&l, "getppid", 10);	/* past the cap */
	expo_labels_add(&l, "write", 1);	/* kept: seen before the cap */
	expo_labels_add(&l, "other", 2);	/* spelled like the overflow label */
	expo_labels_write(&b, &l, "ftk_syscalls_total", "syscall");
	assert_string_equal(ftk_buf_str(&b),
			    "ftk_syscalls_total{syscall=\"read\"} 3\n"
			    "ftk_syscalls_total{syscall=\"write\"} 6\n"
			    "ftk_syscalls_total{syscall=\"other\"} 12\n");
	expo_labels_free(&l);
	ftk_buf_free(&b);
}

static struct collector *parse(const char *line)
{
	char *copy = ftk_xstrdup(line), *words[16], *rest = copy, *w;
	int n = 0;
	while ((w = strsep(&rest, " ")) && n < 16)
		if (*w)
			words[n++] = w;
	struct collector *c = collector_parse(words, n, "test:1");
	free(copy);
	return c;
}

static void test_parse(void **state)
{
	struct collector *c;

	assert_non_null(c = parse("syscount -T 20 -s getppid,sys_write -c myprog"));
	assert_string_equal(collector_name(c), "syscount");
	collector_free(c);
	assert_non_null(c = parse("funccount -r c:^mall.*$ t:sched:sched_switch"));
	collector_free(c);
	assert_non_null(c = parse("biolatency -Q --disk vda"));
	collector_free(c);
	assert_null(parse("bogus"));
	assert_null(parse("vfsstat -T 3"));		/* not an option of vfsstat */
	assert_null(parse("syscount -s notasyscall"));
	assert_null(parse("syscount -T"));		/* needs a value */
	assert_null(parse("syscount -c waytoolongacommname"));
	assert_null(parse("funccount"));		/* a pattern is needed */
	assert_null(parse("execsnoop extra"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_labels_cap),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
