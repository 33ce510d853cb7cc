// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of features.c that need no particular kernel: the backend choice (order,
 * refusals joined in `why`, a forced name, an unknown name as a usage error), the kernel
 * version number, and the shape of every feature answer (a name, and a reason when no).
 * Where tracefs is not usable (not root) every backend is refused with tracefs' reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/features.h"
#include "core/view.h"

static bool refuse(char *why, size_t len)
{
	snprintf(why, len, "A refused");
	return false;
}

static bool accept(char *why, size_t len)
{
	return true;
}

static const struct ftk_backend backends[] = {
	{ .name = "a", .desc = "first choice", .usable = refuse },
	{ .name = "b", .desc = "second", .usable = accept },
	{ .name = "c", .desc = "no check" },
};

static const struct ftk_view view = {
	.name = "fake", .summary = "test", .backends = backends, .nbackends = 3,
};

static const struct ftk_backend impossible[] = {
	{ .name = "x", .needs = { FTK_F_TRACEFS }, .usable = refuse },
};

static const struct ftk_view view_none = {
	.name = "none", .summary = "test", .backends = impossible, .nbackends = 1,
};

static void test_pick(void **state)
{
	char why[256];

	if (!ftk_has(FTK_F_TRACEFS)) {
		/* One reason for all: tracefs' own. */
		assert_int_equal(ftk_backend_pick(&view, NULL, why, sizeof(why)), -1);
		assert_string_equal(why, ftk_feature(FTK_F_TRACEFS)->why);
		return;
	}
	assert_int_equal(ftk_backend_pick(&view, NULL, why, sizeof(why)), 1);
	assert_string_equal(why, "a: A refused");	/* why the preferred one was skipped */
	assert_int_equal(ftk_backend_pick(&view, "c", why, sizeof(why)), 2);
	assert_int_equal(ftk_backend_pick(&view, "a", why, sizeof(why)), -1);
	assert_string_equal(why, "a: A refused");
	assert_int_equal(ftk_backend_pick(&view_none, NULL, why, sizeof(why)), -1);
	assert_string_equal(why, "x: A refused");
	assert_true(ftk_backend_usable(&backends[2], why, sizeof(why)));
	assert_false(ftk_backend_usable(&backends[0], NULL, 0));
}

static void test_pick_unknown(void **state)
{
	char why[256];

	assert_int_equal(ftk_backend_pick(&view, "zzz", why, sizeof(why)), -2);
	assert_string_equal(why, "unknown backend 'zzz' (choose one of: a b c)");
	/* A tiny buffer is cut, never overrun. */
	char small[8];
	assert_int_equal(ftk_backend_pick(&view, "zzz", small, sizeof(small)), -2);
	assert_int_equal(strlen(small), 7);
}

static void test_kernel_version(void **state)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;

	assert_int_equal(uname(&u), 0);
	assert_string_equal(ftk_kernel_release(), u.release);
	sscanf(u.release, "%u.%u.%u", &a, &b, &c);
	if (c > 255)
		c = 255;
	assert_int_equal(ftk_kernel_version(), a << 16 | b << 8 | c);
	assert_true(ftk_kernel_version() >= (3u << 16));
}

static void test_feature_shape(void **state)
{
	for (int i = FTK_F_NONE + 1; i < FTK_F__COUNT; i++) {
		const struct ftk_feature *f = ftk_feature(i);
		assert_non_null(f->name);
		assert_true(strlen(f->name) > 0);
		if (!f->ok)
			assert_true(strlen(f->why) > 0);
		/* Cached: the same answer again. */
		assert_ptr_equal(f, ftk_feature(i));
	}
	assert_false(ftk_feature(FTK_F__COUNT)->ok);
	assert_false(ftk_feature(FTK_F_NONE)->ok);
	if (!ftk_has(FTK_F_TRACEFS)) {
		assert_null(ftk_tracefs());
		assert_false(ftk_tracepoint_exists("sched", "sched_switch"));
	} else {
		assert_non_null(ftk_tracefs());
		assert_false(ftk_tracepoint_exists("sched", "no_such_event_here"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_pick_unknown),
		cmocka_unit_test(test_kernel_version),
		cmocka_unit_test(test_feature_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
