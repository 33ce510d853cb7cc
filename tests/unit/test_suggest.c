// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for core/suggest and core/ksyms: the edit distance (exact, capped, case-folded,
 * over-long names), the keeper of the closest names (order, ties, duplicates, eviction), and
 * kallsyms loading and lookup on the lines captured from a 6.1 guest plus a hand-made file
 * (unsorted, modules, data symbols, hidden addresses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/ksyms.h"
#include "core/suggest.h"

#ifndef FTK_TEST_DATA
#define FTK_TEST_DATA "tests/data"
#endif

static int dist(const char *a, const char *b, int cap, bool nocase)
{
	return ftk_edit_distance(a, strlen(a), b, strlen(b), cap, nocase);
}

static void test_edit_distance(void **state)
{
	assert_int_equal(dist("", "", -1, false), 0);
	assert_int_equal(dist("vfs_read", "vfs_read", -1, false), 0);
	assert_int_equal(dist("vfs_raed", "vfs_read", -1, false), 2);
	assert_int_equal(dist("vfs_rea", "vfs_read", -1, false), 1);
	assert_int_equal(dist("kitten", "sitting", -1, false), 3);
	assert_int_equal(dist("", "abc", -1, false), 3);
	/* capped: stops early, returns cap + 1 */
	assert_int_equal(dist("kitten", "sitting", 2, false), 3);
	assert_int_equal(dist("a", "abcdefgh", 2, false), 3);
	assert_int_equal(dist("kitten", "sitting", 3, false), 3);
	/* case */
	assert_int_equal(dist("Sched", "sched", -1, false), 1);
	assert_int_equal(dist("Sched", "sched", -1, true), 0);
	/* over-long names */
	char lng[300];
	memset(lng, 'a', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = 0;
	assert_int_equal(dist(lng, "a", -1, false), 1000);
	assert_int_equal(dist(lng, "a", 2, false), 3);
}

static void test_keeper(void **state)
{
	struct ftk_suggest s = { 0 };
	struct ftk_buf b = { 0 };

	ftk_suggest_join(&s, &b);
	assert_int_equal(b.len, 0);
	ftk_suggest_add(&s, "e4", 2, 4);
	ftk_suggest_add(&s, "b1xx", 2, 1);	/* only len bytes count */
	ftk_suggest_add(&s, "c2", 2, 2);
	ftk_suggest_add(&s, "b1", 2, 0);	/* a duplicate name is ignored */
	ftk_suggest_add(&s, "d2", 2, 2);	/* ties keep the order they came in */
	ftk_suggest_add(&s, "f3", 2, 3);
	assert_int_equal(s.n, 5);
	ftk_suggest_join(&s, &b);
	assert_string_equal(ftk_buf_str(&b), "b1, c2, d2, f3, e4");
	ftk_suggest_add(&s, "g4", 2, 4);	/* not better than the last: dropped */
	ftk_suggest_add(&s, "a0", 2, 0);	/* better: the last is evicted */
	ftk_buf_reset(&b);
	ftk_suggest_join(&s, &b);
	assert_string_equal(ftk_buf_str(&b), "a0, b1, c2, d2, f3");
	ftk_suggest_free(&s);
	assert_int_equal(s.n, 0);
	ftk_buf_free(&b);
}

static void test_ksyms_capture(void **state)
{
	struct ftk_ksyms k = { 0 };
	char path[600];

	snprintf(path, sizeof(path), "%s/graph/6.1/kallsyms", getenv("FTK_TEST_DATA") ?
		 getenv("FTK_TEST_DATA") : FTK_TEST_DATA);
	assert_int_equal(ftk_ksyms_load(&k, path), 0);
	assert_int_equal(k.n, 251);
	assert_string_equal(ftk_ksyms_find(&k, 0xffffffffb2040a60ull), "save_fpregs_to_fpstate");
	assert_string_equal(ftk_ksyms_find(&k, 0xffffffffb2040a64ull), "save_fpregs_to_fpstate");
	/* again, from the cache */
	assert_string_equal(ftk_ksyms_find(&k, 0xffffffffb2040a64ull), "save_fpregs_to_fpstate");
	assert_null(ftk_ksyms_find(&k, 0x1000));
	ftk_ksyms_free(&k);
	assert_null(ftk_ksyms_find(&k, 0xffffffffb2040a60ull));
}

static void test_ksyms_lines(void **state)
{
	char path[] = "/tmp/ftk-ksyms-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("ffffffff81002000 T second\n"
	      "ffffffff81001000 t first\n"
	      "ffffffff81001800 D some_data\n"
	      "ffffffffc0001000 t mod_func\t[null_blk]\n"
	      "ffffffff81003000 W weak_one\n", f);
	fclose(f);

	struct ftk_ksyms k = { 0 };
	assert_int_equal(ftk_ksyms_load(&k, path), 0);
	assert_int_equal(k.n, 4);	/* the data symbol is not text */
	assert_string_equal(ftk_ksyms_find(&k, 0xffffffff81001900ull), "first");
	assert_string_equal(ftk_ksyms_find(&k, 0xffffffff81002000ull), "second");
	assert_string_equal(ftk_ksyms_find(&k, 0xffffffff81003010ull), "weak_one");
	assert_string_equal(ftk_ksyms_find(&k, 0xffffffffc0001004ull), "mod_func");
	ftk_ksyms_free(&k);

	/* hidden addresses (kptr_restrict): nothing loaded */
	f = fopen(path, "w");
	fputs("0000000000000000 T first\n0000000000000000 T second\n", f);
	fclose(f);
	assert_int_equal(ftk_ksyms_load(&k, path), -1);
	assert_null(ftk_ksyms_find(&k, 0x1000));
	ftk_ksyms_free(&k);
	unlink(path);
	assert_int_equal(ftk_ksyms_load(&k, "/nonexistent/kallsyms"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_keeper),
		cmocka_unit_test(test_ksyms_capture),
		cmocka_unit_test(test_ksyms_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
