// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_events: the tep built from header_page + the needed formats (ftk_tep_new,
 * ftk_tep_load) and the compiled field readers (field.h, ftk_rec_pid) on real
 * records captured on this machine by scripts/capture-pages (the workload's pids, exec
 * filenames as __data_loc strings, comm arrays, syscall arguments, signed returns), plus a
 * synthetic format covering every field kind (signed/unsigned 1/2/4/8 bytes, char[],
 * __data_loc, __rel_loc) and the bounds checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>

#include "core/field.h"
#include "pages.h"

static struct pset S;
static struct collect C;

static int setup(void **state)
{
	struct ftk_reader *r;

	if (pset_load(&S, "basic"))
		return -1;
	r = pset_reader(&S, &C, NULL);
	if (!r)
		return -1;
	pset_feed_all(r, &S);
	ftk_reader_drain(r, 0, true);
	ftk_reader_free(r);
	return 0;
}

static int teardown(void **state)
{
	collect_free(&C);
	pset_free(&S);
	return 0;
}

static struct ftk_event event(const char *sys, const char *name)
{
	struct ftk_event ev = { .kind = FTK_EV_TRACEPOINT };

	ev.tep = tep_find_event_by_name(S.tep, sys, name);
	if (!ev.tep)
		fail_msg("event %s:%s not loaded", sys, name);
	ev.id = ev.tep->id;
	return ev;
}

/* A field of an armed event, absent when the event has none. */
static struct ftk_field_ref ref(const struct ftk_event *ev, const char *name)
{
	struct ftk_field_ref f;

	ftk_field_bind(&f, ev, name);
	return f;
}

/* The same; the test fails when it is absent. */
static struct ftk_field_ref field(const struct ftk_event *ev, const char *name)
{
	struct ftk_field_ref f;

	if (!ftk_field_bind(&f, ev, name))
		fail_msg("no field %s in %s", name, ev->tep->name);
	return f;
}

static int64_t get_s64(struct ftk_field_ref f, const void *data)
{
	return ftk_field_s64(&f, data, INT_MAX, 0);
}

static uint64_t get_u64(struct ftk_field_ref f, const void *data)
{
	return ftk_field_u64(&f, data, INT_MAX, 0);
}

static const char *get_str(struct ftk_field_ref f, const void *data, int size, int *len)
{
	return ftk_field_str(&f, data, size, len);
}

/* Next record of event ev after index *i (from -1), optionally from pid; NULL at the end. */
static struct crec *next_of(const struct ftk_event *ev, long *i, int pid)
{
	while (++*i < C.n) {
		struct crec *x = &C.v[*i];

		if (ftk_rec_type(x->data) == ev->id && (pid <= 0 || ftk_rec_pid(x->data) == pid))
			return x;
	}
	return NULL;
}

static void assert_str(struct ftk_field_ref f, const struct crec *x, const char *want)
{
	int len = -1;
	const char *s = get_str(f, x->data, x->size, &len);

	assert_non_null(s);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(s, want, len);
}

static void test_tep(void **state)
{
	struct tep_event *e, *e2;
	char dir[1100];

	assert_int_equal(tep_get_header_page_size(S.tep), 8);
	assert_int_equal(tep_get_long_size(S.tep), 8);
	assert_false(tep_is_file_bigendian(S.tep));
	e = ftk_tep_load(S.tep, S.dir, "sched", "sched_process_exec");
	assert_non_null(e);
	e2 = ftk_tep_load(S.tep, S.dir, "sched", "sched_process_exec");
	assert_ptr_equal(e, e2);
	errno = 0;
	assert_null(ftk_tep_load(S.tep, S.dir, "sched", "no_such_event"));
	assert_int_equal(errno, ENOENT);
	snprintf(dir, sizeof(dir), "%s/nonexistent", S.dir);
	assert_null(ftk_tep_new(dir));
	/* Unarmed event: no tep, no field. */
	struct ftk_event none = { 0 };
	struct ftk_field_ref f;
	assert_false(ftk_field_bind(&f, &none, "pid"));
}

/* common_pid sits at offset 4 (4 bytes, signed) in every captured format. */
static void test_common_pid(void **state)
{
	struct tep_event **all = tep_list_events(S.tep, TEP_EVENT_SORT_ID);
	int n = 0;

	for (; all && *all; all++, n++) {
		struct tep_format_field *f = tep_find_common_field(*all, "common_pid");

		assert_non_null(f);
		assert_int_equal(f->offset, 4);
		assert_int_equal(f->size, 4);
		assert_true(f->flags & TEP_FIELD_IS_SIGNED);
	}
	assert_int_equal(n, 8);
}

/* sched_process_exec: __data_loc filename, pid/old_pid; sched_process_fork: comm arrays. */
static void test_exec_fork(void **state)
{
	struct ftk_event exec = event("sched", "sched_process_exec");
	struct ftk_event fork = event("sched", "sched_process_fork");
	int tpid = pset_meta(&S, "true_pid"), sub = pset_meta(&S, "subshell_pid");
	struct crec *x;
	long i = -1;

	x = next_of(&exec, &i, tpid);
	assert_non_null(x);
	assert_true(field(&exec, "filename").dynamic);
	assert_str(field(&exec, "filename"), x, "/bin/true");
	assert_int_equal(get_s64(field(&exec, "pid"), x->data), tpid);
	assert_int_equal(get_s64(field(&exec, "old_pid"), x->data), tpid);
	assert_null(next_of(&exec, &i, tpid));

	i = -1;
	while ((x = next_of(&fork, &i, sub)))
		if (get_s64(field(&fork, "child_pid"), x->data) == tpid)
			break;
	assert_non_null(x);
	assert_int_equal(get_s64(field(&fork, "parent_pid"), x->data), sub);
	assert_str(field(&fork, "parent_comm"), x, "capture-pages");
	assert_str(field(&fork, "child_comm"), x, "capture-pages");
}

/* task_newtask: comm[16], u64 clone_flags, short oom_score_adj; oom_score_adj_update. */
static void test_newtask_oom(void **state)
{
	struct ftk_event nt = event("task", "task_newtask");
	struct ftk_event oom = event("oom", "oom_score_adj_update");
	int tpid = pset_meta(&S, "true_pid"), sub = pset_meta(&S, "subshell_pid");
	long adj = pset_meta(&S, "oom_score_adj");
	struct ftk_field_ref f;
	struct crec *x;
	long i = -1;

	while ((x = next_of(&nt, &i, 0)))
		if (get_s64(field(&nt, "pid"), x->data) == tpid)
			break;
	assert_non_null(x);
	assert_int_equal(ftk_rec_pid(x->data), sub);
	assert_str(field(&nt, "comm"), x, "capture-pages");
	f = field(&nt, "oom_score_adj");
	assert_int_equal(f.size, 2);
	assert_true(f.is_signed);
	assert_int_equal(get_s64(f, x->data), adj);
	/* bash forks with CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID (the exit signal is not
	 * part of the kernel's clone flags), no CLONE_THREAD. */
	assert_int_equal(get_u64(field(&nt, "clone_flags"), x->data) & 0x01210000, 0x01200000);

	i = -1;
	x = next_of(&oom, &i, sub);
	assert_non_null(x);
	assert_int_equal(get_s64(field(&oom, "pid"), x->data), sub);
	assert_int_equal(get_s64(field(&oom, "oom_score_adj"), x->data), adj);
	assert_str(field(&oom, "comm"), x, "capture-pages");
}

/* sys_enter_getppid counts per pid and CPU; openat args; sys_exit_openat signed ret. */
static void test_syscalls(void **state)
{
	struct ftk_event gp = event("syscalls", "sys_enter_getppid");
	struct ftk_event eo = event("syscalls", "sys_enter_openat");
	struct ftk_event xo = event("syscalls", "sys_exit_openat");
	long calls = pset_meta(&S, "perl_getppid_calls");
	long calls01 = pset_meta(&S, "perl01_getppid_calls");
	int p = pset_meta(&S, "perl_pid"), p0 = pset_meta(&S, "perl0_pid");
	int p1 = pset_meta(&S, "perl1_pid"), cat = pset_meta(&S, "cat_pid");
	long n = 0, n0 = 0, n1 = 0, i = -1, enoent = 0;
	struct crec *x, *last_enter = NULL;

	while ((x = next_of(&gp, &i, 0))) {
		int pid = ftk_rec_pid(x->data);

		assert_int_equal(get_s64(field(&gp, "__syscall_nr"), x->data), 110);
		n += pid == p;
		if (pid == p0) {
			n0++;
			assert_int_equal(x->cpu, 0);
		}
		if (pid == p1) {
			n1++;
			assert_int_equal(x->cpu, 1);
		}
	}
	assert_int_equal(n, calls);
	assert_int_equal(n0, calls01);
	assert_int_equal(n1, calls01);

	/* cat /nonexistent/...: openat(AT_FDCWD, ..., O_RDONLY) = -ENOENT. */
	for (i = 0; i < C.n; i++) {
		x = &C.v[i];
		if (ftk_rec_pid(x->data) != cat)
			continue;
		if (ftk_rec_type(x->data) == eo.id) {
			last_enter = x;
			continue;
		}
		if (ftk_rec_type(x->data) != xo.id)
			continue;
		assert_int_equal(get_s64(field(&xo, "__syscall_nr"), x->data), 257);
		if (get_s64(field(&xo, "ret"), x->data) != pset_meta(&S, "openat_ret"))
			continue;
		enoent++;
		assert_non_null(last_enter);
		/* 8-byte unsigned argument slots: the int dfd comes back as -100 once cast. */
		assert_false(field(&eo, "dfd").is_signed);
		assert_int_equal((int)get_u64(field(&eo, "dfd"), last_enter->data), -100);
		assert_int_equal(get_u64(field(&eo, "flags"), last_enter->data) & 3, 0);
		assert_true(get_u64(field(&eo, "filename"), last_enter->data) != 0);
		/* A pointer is not a string. */
		int len;
		assert_null(get_str(field(&eo, "filename"), last_enter->data,
					last_enter->size, &len));
	}
	assert_true(field(&xo, "ret").is_signed);
	/* The file, plus ld.so's library path search and locale probes. */
	assert_true(enoent >= 1);
}

/* block_rq_issue (when the direct write was issued from dd's context): rwbs char[], dev. */
static void test_block(void **state)
{
	struct ftk_event bi = event("block", "block_rq_issue");
	int dd = pset_meta(&S, "dd_pid");
	long i = -1, n = 0, writes = 0;
	struct crec *x;

	while ((x = next_of(&bi, &i, dd))) {
		int len;
		const char *rwbs = get_str(field(&bi, "rwbs"), x->data, x->size, &len);

		/* "WS" for the direct writes, "FF"/"FWS" for conv=fsync's flush */
		assert_non_null(rwbs);
		assert_true(len >= 1 && len < 10);
		assert_int_equal(strspn(rwbs, "RWDFSMAN"), len);
		assert_str(field(&bi, "comm"), x, "dd");
		assert_true(get_u64(field(&bi, "dev"), x->data) >> 20 > 0);
		if (rwbs[0] == 'W') {
			assert_true(get_u64(field(&bi, "bytes"), x->data) >= 4096);
			writes++;
		}
		n++;
	}
	if (!n)
		skip();
	assert_true(writes >= 1);
}

/* ---- synthetic format: every field kind --------------------------------------------------- */

static const char types_format[] =
	"name: ftk_types\n"
	"ID: 9999\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:s8 a;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield:u8 b;\toffset:9;\tsize:1;\tsigned:0;\n"
	"\tfield:short c;\toffset:10;\tsize:2;\tsigned:1;\n"
	"\tfield:unsigned short d;\toffset:12;\tsize:2;\tsigned:0;\n"
	"\tfield:int e;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned int f;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\tfield:long g;\toffset:28;\tsize:8;\tsigned:1;\n"
	"\tfield:u64 h;\toffset:36;\tsize:8;\tsigned:0;\n"
	"\tfield:char name[8];\toffset:44;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] path;\toffset:52;\tsize:4;\tsigned:0;\n"
	"\tfield:__rel_loc char[] rel;\toffset:56;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"a=%d\", REC->a\n";

static struct tep_handle *types_tep(struct ftk_event *ev)
{
	struct tep_handle *tep = tep_alloc();

	assert_int_equal(tep_parse_event(tep, types_format, sizeof(types_format) - 1, "ftk"), 0);
	memset(ev, 0, sizeof(*ev));
	ev->tep = tep_find_event_by_name(tep, "ftk", "ftk_types");
	assert_non_null(ev->tep);
	return tep;
}

static void put(unsigned char *d, int off, const void *v, int n) { memcpy(d + off, v, n); }

static void test_types(void **state)
{
	unsigned char d[96] = { 0 };
	int8_t a = -5;
	uint8_t b = 250;
	int16_t c = -500;
	uint16_t dd = 65000;
	int32_t e = -100000;
	uint32_t f = 4000000000u;
	int64_t g = -5000000000LL;
	uint64_t h = 0xfedcba9876543210ULL;
	uint32_t loc = (4u << 16) | 60, rel = (3u << 16) | 8;
	int32_t pid = 31337;
	struct ftk_event ev;
	struct tep_handle *tep = types_tep(&ev);
	const char *s;
	int len;

	put(d, 4, &pid, 4);
	put(d, 8, &a, 1);
	put(d, 9, &b, 1);
	put(d, 10, &c, 2);
	put(d, 12, &dd, 2);
	put(d, 16, &e, 4);
	put(d, 20, &f, 4);
	put(d, 28, &g, 8);	/* 8-byte fields at a 4-byte alignment, as records are */
	put(d, 36, &h, 8);
	put(d, 44, "abcdefgh", 8);	/* full array, no NUL */
	put(d, 52, &loc, 4);
	put(d, 56, &rel, 4);
	put(d, 60, "/x\0\0", 4);	/* __data_loc: len counts the NUL (+ padding) */
	put(d, 68, "rel", 3);	/* __rel_loc: offset from the end of the field (60) */

	assert_int_equal(ftk_rec_pid(d), 31337);
	assert_int_equal(get_s64(ref(&ev, "a"), d), -5);
	assert_int_equal(get_u64(ref(&ev, "a"), d), 0xfb);
	assert_int_equal(get_s64(ref(&ev, "b"), d), 250);
	assert_int_equal(get_s64(ref(&ev, "c"), d), -500);
	assert_int_equal(get_u64(ref(&ev, "c"), d), 0xfe0c);
	assert_int_equal(get_s64(ref(&ev, "d"), d), 65000);
	assert_int_equal(get_s64(ref(&ev, "e"), d), -100000);
	assert_int_equal(get_s64(ref(&ev, "f"), d), 4000000000LL);
	assert_true(get_s64(ref(&ev, "g"), d) == -5000000000LL);
	assert_true(get_u64(ref(&ev, "h"), d) == 0xfedcba9876543210ULL);
	assert_true(get_s64(ref(&ev, "h"), d) == (int64_t)0xfedcba9876543210ULL);
	assert_int_equal(get_u64(ref(&ev, "common_flags"), d), 0);
	struct ftk_field_ref nope;
	assert_false(ftk_field_bind(&nope, &ev, "nope"));

	s = get_str(ref(&ev, "name"), d, sizeof(d), &len);
	assert_int_equal(len, 8);
	assert_memory_equal(s, "abcdefgh", 8);
	s = get_str(ref(&ev, "path"), d, sizeof(d), &len);
	assert_int_equal(len, 2);
	assert_memory_equal(s, "/x", 2);
	assert_true(ref(&ev, "rel").relative);
	s = get_str(ref(&ev, "rel"), d, sizeof(d), &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "rel", 3);
	/* Not a string field. */
	assert_null(get_str(ref(&ev, "e"), d, sizeof(d), &len));
	assert_int_equal(len, 0);

	/* Bounds: the record ends before the string / the array / the location word. */
	assert_null(get_str(ref(&ev, "path"), d, 63, &len));
	assert_int_equal(len, 0);
	assert_non_null(get_str(ref(&ev, "path"), d, 64, &len));
	assert_null(get_str(ref(&ev, "rel"), d, 70, &len));
	assert_null(get_str(ref(&ev, "name"), d, 51, &len));
	assert_null(get_str(ref(&ev, "path"), d, 54, &len));
	loc = (200u << 16) | 60;	/* length past the record */
	put(d, 52, &loc, 4);
	assert_null(get_str(ref(&ev, "path"), d, sizeof(d), &len));
	loc = 60;			/* empty */
	put(d, 52, &loc, 4);
	assert_null(get_str(ref(&ev, "path"), d, sizeof(d), &len));
	assert_int_equal(len, 0);
	put(d, 44, "\0\0\0\0\0\0\0\0", 8);	/* empty array */
	assert_null(get_str(ref(&ev, "name"), d, sizeof(d), &len));
	tep_free(tep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tep),
		cmocka_unit_test(test_common_pid),
		cmocka_unit_test(test_exec_fork),
		cmocka_unit_test(test_newtask_oom),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_types),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
