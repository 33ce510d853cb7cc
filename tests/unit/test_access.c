// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for core/access: what a user may do with tracefs, decided from the mount's mode,
 * group and this user's access (root, no access, a group without read bits, read-only group
 * access after gid=/mode=, write access, tracefs not mounted), each with its reason and the
 * admin's remedy; and the mode string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/access.h"
#include "core/util.h"

static const struct ftk_access_facts base = {
	.mounted = true,
	.dir = "/sys/kernel/tracing",
	.mode = 0700,
	.owner = "root",
	.group = "root",
	.user = "alice",
};

static void assert_has(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("'%s' does not contain '%s'", s, part);
}

/* The decision on f, which must be `level`. */
static struct ftk_access judged(const struct ftk_access_facts *f, enum ftk_access_level level)
{
	struct ftk_access a;

	ftk_access_judge(f, &a);
	assert_int_equal(a.level, level);
	return a;
}

static void test_mode_string(void **state)
{
	char m[11];

	ftk_mode_string(0700, m);
	assert_string_equal(m, "drwx------");
	ftk_mode_string(0750, m);
	assert_string_equal(m, "drwxr-x---");
	ftk_mode_string(0755, m);
	assert_string_equal(m, "drwxr-xr-x");
}

static void test_root(void **state)
{
	struct ftk_access_facts f = base;
	struct ftk_access a;

	f.root = true;
	a = judged(&f, FTK_ACCESS_ROOT);
	assert_string_equal(a.why, "");
	assert_string_equal(a.remedy, "");
}

static void test_no_access(void **state)
{
	struct ftk_access_facts f = base;
	struct ftk_access a;

	ftk_prog = "ftk execsnoop";
	a = judged(&f, FTK_ACCESS_NONE);
	assert_string_equal(a.why, "user alice cannot open /sys/kernel/tracing (drwx------ "
			    "root:root, and alice is not in group root; tracefs checks file "
			    "permissions only: CAP_PERFMON does not open it)");
	assert_has(a.remedy, "run it as root (sudo ftk execsnoop)");
	assert_has(a.remedy, "mount -o remount,gid=GROUP,mode=0750 /sys/kernel/tracing");

	/* In the group, but the mount gave the group nothing (gid= without mode=). */
	f.group = "tracing";
	f.in_group = true;
	a = judged(&f, FTK_ACCESS_NONE);
	assert_string_equal(a.why, "/sys/kernel/tracing is drwx------ root:tracing: its group "
			    "tracing has no read access");
}

static void test_not_mounted(void **state)
{
	struct ftk_access_facts f = base;
	struct ftk_access a;

	f.mounted = false;
	a = judged(&f, FTK_ACCESS_NONE);
	assert_string_equal(a.why, "tracefs is not mounted at /sys/kernel/tracing and only root "
			    "can mount it");
	assert_has(a.remedy, "mount -t tracefs nodev /sys/kernel/tracing");
}

static void test_read_only(void **state)
{
	struct ftk_access_facts f = base;
	struct ftk_access a;

	ftk_prog = "ftk biosnoop";
	f.mode = 0750;
	f.group = "tracing";
	f.in_group = true;
	f.readable = true;
	a = judged(&f, FTK_ACCESS_READ);
	assert_has(a.why, "user alice can read /sys/kernel/tracing (group tracing) but not "
		   "write it");
	assert_has(a.remedy, "run it as root (sudo ftk biosnoop)");
	assert_has(a.remedy, "read access is enough for 'ftk list' and 'ftk features'");

	f.writable = true;
	a = judged(&f, FTK_ACCESS_WRITE);
	assert_has(a.why, "can write /sys/kernel/tracing/instances");
	assert_has(a.why, "/run/ftk");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_string),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_no_access),
		cmocka_unit_test(test_not_mounted),
		cmocka_unit_test(test_read_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
