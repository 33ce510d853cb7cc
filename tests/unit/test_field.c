// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_field: the compiled field type (core/field.h) on real formats in tests/data/formats:
 * task_rename of 6.13 (no `pid`: binds absent and reads the caller's default) and of 6.18
 * (with it), sched_process_exec's __data_loc filename, sched_process_fork's pids and
 * sched_process_exit's char[16] comm; every read bounds-checked against short records and
 * location words pointing outside the record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event-parse.h>

#include "core/events.h"
#include "core/field.h"
#include "core/session_int.h"
#include "core/util.h"
#include "kernel_formats.h"

/* The record of a format: zeroed, common_type and common_pid set. */
static int record(unsigned char *rec, size_t cap, const struct tep_event *e, int32_t pid)
{
	uint16_t type = e->id;

	memset(rec, 0, cap);
	memcpy(rec, &type, 2);
	memcpy(rec + 4, &pid, 4);
	return (int)cap;
}

static void put(unsigned char *rec, const struct ftk_field_ref *f, const void *v, size_t n)
{
	assert_true(ftk_field_has(f));
	memcpy(rec + f->offset, v, n);
}

static void test_task_rename_without_pid(void **state)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_event *e = formats_load(tep, "6.13", "task", "task_rename");
	struct ftk_event ev = { .kind = FTK_EV_TRACEPOINT, .tep = e };
	struct ftk_field_ref pid, oldcomm, newcomm, adj, common;
	unsigned char rec[48];
	int size = record(rec, 42, e, 4242), len;
	int16_t minus = -1000;

	assert_false(ftk_field_bind(&pid, &ev, "pid"));
	assert_int_equal(pid.kind, FTK_FIELD_ABSENT);
	assert_true(ftk_field_bind(&oldcomm, &ev, "oldcomm"));
	assert_true(ftk_field_bind(&newcomm, &ev, "newcomm"));
	assert_true(ftk_field_bind(&adj, &ev, "oom_score_adj"));
	assert_true(ftk_field_bind(&common, &ev, "common_pid"));
	assert_int_equal(oldcomm.kind, FTK_FIELD_STRING);
	assert_int_equal(newcomm.offset, 24);
	assert_int_equal(adj.kind, FTK_FIELD_SIGNED);
	memcpy(rec + oldcomm.offset, "bash", 5);
	memcpy(rec + newcomm.offset, "0123456789abcdef", 16);	/* full: no NUL */
	put(rec, &adj, &minus, 2);

	/* Absent: the caller's default, NULL strings, no read. */
	assert_int_equal(ftk_field_s64(&pid, rec, size, -7), -7);
	assert_int_equal(ftk_field_u64(&pid, rec, size, 9), 9);
	assert_null(ftk_field_str(&pid, rec, size, &len));
	assert_int_equal(len, 0);
	assert_null(ftk_field_span(&pid, rec, size, &len));
	/* The renaming task is the record's common_pid. */
	assert_int_equal(ftk_field_s64(&common, rec, size, -1), 4242);
	const char *s = ftk_field_str(&oldcomm, rec, size, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(s, "bash", 4);
	s = ftk_field_str(&newcomm, rec, size, &len);
	assert_int_equal(len, 16);
	assert_memory_equal(s, "0123456789abcdef", 16);
	assert_int_equal(ftk_field_s64(&adj, rec, size, 0), -1000);
	assert_int_equal(ftk_field_u64(&adj, rec, size, 0), 65536 - 1000);
	/* A record cut short: what does not fit is absent. */
	assert_int_equal(ftk_field_s64(&adj, rec, 41, 5), 5);
	assert_null(ftk_field_str(&newcomm, rec, 39, &len));
	tep_free(tep);
}

static void test_task_rename_with_pid(void **state)
{
	struct tep_handle *tep = tep_alloc();
	struct ftk_event ev = { .tep = formats_load(tep, "6.18", "task", "task_rename") };
	struct ftk_field_ref pid;
	unsigned char rec[64] = { 0 };
	int32_t who = 31337;

	/* 6.18.44 has the revert: pid is back, first after the common fields */
	assert_true(ftk_field_bind(&pid, &ev, "pid"));
	assert_int_equal(pid.offset, 8);
	memcpy(rec + 8, &who, 4);
	assert_int_equal(ftk_field_s64(&pid, rec, 46, -1), who);
	assert_int_equal(ftk_field_s64(&pid, rec, 11, -1), -1);	/* cut short */
	tep_free(tep);
}

/* __data_loc: the location word and the text must lie in the record. */
static void test_data_loc(void **state)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_event *e = formats_load(tep, "6.18", "sched", "sched_process_exec");
	struct ftk_field_ref file, pid;
	unsigned char rec[64];
	int size = record(rec, 40, e, 1), len;
	uint32_t word = 10u << 16 | 20;	/* "/bin/true\0" at 20 */

	assert_true(ftk_field_bind_format(&file, e, "filename"));
	assert_true(ftk_field_bind_format(&pid, e, "pid"));
	assert_int_equal(file.kind, FTK_FIELD_STRING);
	assert_true(file.dynamic);
	put(rec, &file, &word, 4);
	memcpy(rec + 20, "/bin/true", 10);
	const char *s = ftk_field_str(&file, rec, size, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(s, "/bin/true", 9);
	/* Text running past the end: no string, a clamped span. */
	assert_null(ftk_field_str(&file, rec, 25, &len));
	assert_non_null(ftk_field_span(&file, rec, 25, &len));
	assert_int_equal(len, 5);
	/* Location past the end: empty span. */
	word = 4u << 16 | 200;
	put(rec, &file, &word, 4);
	assert_null(ftk_field_str(&file, rec, size, &len));
	ftk_field_span(&file, rec, size, &len);
	assert_int_equal(len, 0);
	/* The location word itself outside the record. */
	assert_null(ftk_field_str(&file, rec, file.offset + 2, &len));
	/* A number asked as a string, a string as a number. */
	assert_null(ftk_field_str(&pid, rec, size, &len));
	assert_int_equal(ftk_field_u64(&file, rec, size, 3), 3);
	tep_free(tep);
}

/* Every field of the tracking formats compiles to a kind, inside the fixed part. */
static void test_tracking_formats(void **state)
{
	static const char *const events[][2] = {
		{ "sched", "sched_process_fork" }, { "sched", "sched_process_exec" },
		{ "sched", "sched_process_exit" }, { "task", "task_newtask" },
		{ "task", "task_rename" },
	};
	struct tep_handle *tep = tep_alloc();

	for (size_t i = 0; i < FTK_ARRAY_SIZE(events); i++) {
		struct tep_event *e = formats_load(tep, "6.18", events[i][0], events[i][1]);
		for (struct tep_format_field *tf = e->format.fields; tf; tf = tf->next) {
			struct ftk_field_ref f;
			ftk_field_compile(&f, tf);
			assert_int_not_equal(f.kind, FTK_FIELD_ABSENT);
			assert_true(f.offset + f.size <= 64);
			if (strcmp(tf->name, "pid") == 0 || strstr(tf->name, "_pid"))
				assert_int_equal(f.kind, FTK_FIELD_SIGNED);
			if (strstr(tf->name, "comm"))
				assert_int_equal(f.kind, FTK_FIELD_STRING);
		}
	}
	/* A zeroed ref and an unarmed event are absent. */
	struct ftk_field_ref zero = { 0 };
	struct ftk_event unarmed = { 0 };
	assert_false(ftk_field_has(&zero));
	assert_false(ftk_field_bind(&zero, &unarmed, "pid"));
	assert_false(ftk_field_bind(&zero, NULL, "pid"));
	tep_free(tep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_rename_without_pid),
		cmocka_unit_test(test_task_rename_with_pid),
		cmocka_unit_test(test_data_loc),
		cmocka_unit_test(test_tracking_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
