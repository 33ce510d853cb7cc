// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the counting core and its parsers: core/counter (key -> count maps, hist
 * files of keyed and total counters as the kernel prints them: .syscall and .execname keys,
 * Dropped; kprobe_profile / uprobe_profile hits), core/kfuncs (available_filter_functions
 * with module suffixes, the kprobe blacklist, globs and regexes), core/syscalls and
 * funccount's pattern grammar (cmd/funccount/targets.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/funccount/targets.h"
#include "core/counter.h"
#include "core/hist.h"
#include "core/kfuncs.h"
#include "core/rbcount.h"
#include "core/syscalls.h"
#include "core/util.h"

#ifndef FTK_TEST_DATA
#define FTK_TEST_DATA "tests/data"
#endif

static char *data(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/counter/%s", FTK_TEST_DATA, name);
	char *text = ftk_read_file(path, NULL);
	assert_non_null(text);
	return text;
}

static void test_counts_grow(void **state)
{
	struct ftk_counts m = { 0 };
	for (uint64_t k = 0; k < 5000; k++)
		ftk_counts_add(&m, k * 7919, k + 1);
	ftk_counts_add(&m, 0, 10);
	assert_int_equal(m.n, 5000);
	assert_int_equal(ftk_counts_get(&m, 0), 11);
	assert_int_equal(ftk_counts_get(&m, 4999 * 7919), 5000);
	assert_int_equal(ftk_counts_get(&m, 1), 0);
	ftk_counts_set(&m, 7919, 3);
	assert_int_equal(ftk_counts_get(&m, 7919), 3);
	/* a key like any other: sys_exit's id is -1 after rt_sigreturn (orig_ax = -1) */
	ftk_counts_add(&m, UINT64_MAX, 1);
	assert_int_equal(ftk_counts_get(&m, UINT64_MAX), 1);
	assert_int_equal(ftk_counts_get(&m, 0), 11);
	assert_int_equal(m.n, 5001);
	ftk_counts_clear(&m);
	assert_int_equal(ftk_counts_get(&m, 7919), 0);
	assert_int_equal(m.n, 5001);
	ftk_counts_free(&m);
	assert_int_equal(ftk_counts_get(&m, 7919), 0);
}

static const char *name_of(const struct ftk_counts *m, uint64_t key)
{
	for (unsigned i = 0; i < m->cap; i++)
		if (m->used[i] && m->keys[i] == key)
			return m->names[i];
	return NULL;
}

/* The rows were read in the 6.12 guest (t_syscount's syscount_hist_file); the file ends with
 * the totals of those rows. */
static void test_hist_syscall_keys(void **state)
{
	struct ftk_counts m = { 0 };
	uint64_t total, dropped;
	char *text = data("6.12-syscall-keys.hist");

	assert_int_equal(ftk_counts_parse_hist(&m, text, "id", &total, &dropped), 0);
	assert_int_equal(total, 9);
	assert_int_equal(dropped, 0);
	assert_int_equal(m.n, 7);
	assert_int_equal(ftk_counts_get(&m, 293), 1);
	assert_int_equal(ftk_counts_get(&m, 13), 2);
	assert_int_equal(ftk_counts_get(&m, 137), 2);
	assert_int_equal(ftk_counts_get(&m, 0), 0);
	assert_string_equal(name_of(&m, 230), "sys_clock_nanosleep");
	assert_string_equal(name_of(&m, 62), "sys_kill");
	ftk_counts_free(&m);
	free(text);
}

static void test_hist_execname_keys(void **state)
{
	struct ftk_counts m = { 0 };
	uint64_t total, dropped;
	char *text = data("execname-keys.hist");

	assert_int_equal(ftk_counts_parse_hist(&m, text, "common_pid", &total, &dropped), 0);
	/* A dropped entry still happened: the total counts it, the keys cannot. */
	assert_int_equal(total, 14);
	assert_int_equal(dropped, 5);
	assert_int_equal(ftk_counts_get(&m, 1234), 7);
	assert_string_equal(name_of(&m, 1234), "bash");
	ftk_counts_free(&m);
	free(text);
}

static void test_hist_total(void **state)
{
	struct ftk_counts m = { 0 };
	uint64_t total, dropped;
	char *text = data("total.hist");

	assert_int_equal(ftk_counts_parse_hist(&m, text, NULL, &total, &dropped), 0);
	assert_int_equal(total, 33);
	assert_int_equal(dropped, 3);
	assert_int_equal(m.n, 0);
	assert_int_equal(ftk_counts_parse_hist(&m, "no totals here\n", NULL, &total, &dropped), -1);
	free(text);
}

/* Two triggers on one event (syscount -P: keyed + total), read in the 4.9 guest: 4.9 lists
 * the last trigger set first, so each counter must take its own block, not the first. */
static void test_hist_blocks(void **state)
{
	struct ftk_counts m = { 0 };
	uint64_t total, dropped;
	char *text = data("4.9-two-triggers.hist");
	char *keyed = ftk_hist_block(text, "hist:keys=common_pid.execname:vals=hitcount:size=128");
	char *all = ftk_hist_block(text, "hist:keys=common_pid:vals=hitcount");

	assert_non_null(keyed);
	assert_non_null(all);
	assert_int_equal(ftk_counts_parse_hist(&m, keyed, "common_pid", &total, &dropped), 0);
	assert_int_equal(total, 1615);
	assert_int_equal(ftk_counts_get(&m, 78), 462);
	assert_string_equal(name_of(&m, 78), "ftk");
	ftk_counts_free(&m);
	assert_int_equal(ftk_counts_parse_hist(&m, all, NULL, &total, &dropped), 0);
	assert_int_equal(total, 1609);
	assert_null(ftk_hist_block(text, "hist:keys=id.syscall:vals=hitcount"));
	assert_null(ftk_hist_block(text, "hist:keys=common_pid:vals=hitcount if common_pid == 5"));
	free(keyed);
	free(all);
	free(text);

	/* the same keys, told apart by the filter */
	const char *two = "# event histogram\n#\n# trigger info: hist:keys=id:vals=hitcount"
			  ":sort=hitcount:size=2048 if ret < 0 [active]\n#\n\n{ id: 1 } hitcount: 2\n"
			  "\nTotals:\n    Hits: 2\n    Entries: 1\n    Dropped: 0\n\n\n"
			  "# event histogram\n#\n# trigger info: hist:keys=id:vals=hitcount"
			  ":sort=hitcount:size=2048 [active]\n#\n\n{ id: 1 } hitcount: 7\n"
			  "\nTotals:\n    Hits: 7\n    Entries: 1\n    Dropped: 0\n";
	char *plain = ftk_hist_block(two, "hist:keys=id:vals=hitcount:size=2048");
	char *failed = ftk_hist_block(two, "hist:keys=id:vals=hitcount:size=2048 if ret < 0");
	assert_non_null(plain);
	assert_non_null(failed);
	assert_int_equal(ftk_counts_parse_hist(&m, plain, "id", &total, &dropped), 0);
	assert_int_equal(total, 7);
	ftk_counts_free(&m);
	assert_int_equal(ftk_counts_parse_hist(&m, failed, "id", &total, &dropped), 0);
	assert_int_equal(total, 2);
	assert_int_equal(ftk_counts_get(&m, 1), 2);
	ftk_counts_free(&m);
	free(plain);
	free(failed);
}

/* per_cpu/cpuN/stats of a counting instance on the 6.18 host (funccount, 20048 getppid:
 * 221 + 19788 overwritten on cpu0, 39 on cpu1), then what the kernel could not commit. */
static void test_rb_stats(void **state)
{
	uint64_t committed = 0, lost = 0;
	for (int cpu = 0; cpu < 2; cpu++) {
		char name[64];
		snprintf(name, sizeof(name), "6.18-rb-stats-cpu%d", cpu);
		char *text = data(name);
		assert_int_equal(ftk_rb_stats_parse(text, &committed, &lost), 0);
		free(text);
	}
	assert_int_equal(committed, 20048);
	assert_int_equal(lost, 0);
	/* "commit overrun" is not "overrun"; read events count (committed, then read) */
	committed = lost = 0;
	assert_int_equal(ftk_rb_stats_parse("entries: 5\noverrun: 7\ncommit overrun: 3\n"
					    "bytes: 100\ndropped events: 2\nread events: 4\n",
					    &committed, &lost), 0);
	assert_int_equal(committed, 16);
	assert_int_equal(lost, 5);
	assert_int_equal(ftk_rb_stats_parse("bytes: 1\n", &committed, &lost), -1);
	(void)state;
}

static void test_profiles(void **state)
{
	char *k = data("kprobe_profile"), *u = data("uprobe_profile");

	assert_int_equal(ftk_profile_hits(k, "read_123"), 5);
	assert_int_equal(ftk_profile_hits(k, "fc123_0"), 17);
	assert_int_equal(ftk_profile_hits(k, "fc123"), -1);
	assert_int_equal(ftk_profile_hits(u, "fc99_1"), 8);
	/* a path with a space, a name that is a prefix of another */
	assert_int_equal(ftk_profile_hits(u, "fc99_10"), 9);
	assert_int_equal(ftk_profile_hits(u, "fc99"), -1);
	assert_int_equal(ftk_profile_hits("", "x"), -1);
	free(k);
	free(u);
}

static void collect(const char *name, void *ctx)
{
	struct ftk_buf *b = ctx;
	ftk_buf_printf(b, "%s ", name);
}

static void test_kfuncs(void **state)
{
	const char *functions = "vfs_write\nvfs_read\nvfs_read\next4_file_read_iter [ext4]\n"
				"do_sys_open\nkprobe_blacklisted\n__vfs_getxattr\n";
	const char *blacklist = "0xffffffff81000000-0xffffffff81000010\tkprobe_blacklisted\n"
				"0xffffffff81000020-0xffffffff81000030\tnot_listed\n";
	struct ftk_kfuncs *k = ftk_kfuncs_parse(functions, blacklist);
	const char *why;

	assert_true(ftk_kfuncs_allowed(k, "vfs_read", &why));
	assert_null(why);
	assert_true(ftk_kfuncs_allowed(k, "ext4_file_read_iter", NULL));
	assert_false(ftk_kfuncs_allowed(k, "kprobe_blacklisted", &why));
	assert_string_equal(why, "on the kprobe blacklist");
	assert_false(ftk_kfuncs_allowed(k, "vfs_open", &why));
	assert_non_null(strstr(why, "available_filter_functions"));

	struct ftk_buf b = { 0 };
	assert_int_equal(ftk_kfuncs_match(k, "vfs_*", false, collect, &b), 2);
	assert_string_equal(ftk_buf_str(&b), "vfs_read vfs_write ");
	ftk_buf_reset(&b);
	assert_int_equal(ftk_kfuncs_match(k, "^(do_|kprobe)", true, collect, &b), 1);
	assert_string_equal(ftk_buf_str(&b), "do_sys_open ");
	assert_int_equal(ftk_kfuncs_match(k, "(", true, NULL, NULL), -1);
	ftk_buf_free(&b);
	ftk_kfuncs_free(k);
}

static void test_syscalls(void **state)
{
#if defined(__x86_64__)
	assert_string_equal(ftk_syscall_name(0), "read");
	assert_string_equal(ftk_syscall_name(110), "getppid");
	assert_string_equal(ftk_syscall_name(257), "openat");
	assert_int_equal(ftk_syscall_nr("sys_mkdir"), 83);
	assert_int_equal(ftk_syscall_nr("rmdir"), 84);
#endif
	assert_null(ftk_syscall_name(-1));
	assert_null(ftk_syscall_name(100000));
	assert_int_equal(ftk_syscall_nr("no_such_call"), -1);
}

static void expect_pattern(const char *text, enum funccount_kind kind, const char *library,
			   const char *function)
{
	struct funccount_pattern p;
	assert_int_equal(funccount_pattern_parse(&p, text), 0);
	assert_int_equal(p.kind, kind);
	assert_string_equal(p.library, library);
	assert_string_equal(p.function, function);
	funccount_pattern_free(&p);
}

static void test_patterns(void **state)
{
	expect_pattern("vfs_*", FUNCCOUNT_KPROBE, "", "vfs_*");
	expect_pattern("p::vfs_read", FUNCCOUNT_KPROBE, "", "vfs_read");
	expect_pattern("t:sched:sched_*", FUNCCOUNT_TRACEPOINT, "sched", "sched_*");
	expect_pattern("c:malloc", FUNCCOUNT_UPROBE, "c", "malloc");
	expect_pattern("u:libc:malloc", FUNCCOUNT_UPROBE, "libc", "malloc");
	expect_pattern("p:/usr/bin/bash:readline", FUNCCOUNT_UPROBE, "/usr/bin/bash", "readline");
	expect_pattern("./test:read*", FUNCCOUNT_UPROBE, "./test", "read*");

	struct funccount_pattern p;
	const char *bad[] = { "a:b:c:d", "x:lib:f", "t::ev", "u::f", "p:lib:", "", "lib:" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(funccount_pattern_parse(&p, bad[i]), -22);
}

int main(void)
{
	ftk_prog = "test_counter";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_grow),
		cmocka_unit_test(test_hist_syscall_keys),
		cmocka_unit_test(test_hist_execname_keys),
		cmocka_unit_test(test_hist_total),
		cmocka_unit_test(test_hist_blocks),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_rb_stats),
		cmocka_unit_test(test_kfuncs),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_patterns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
