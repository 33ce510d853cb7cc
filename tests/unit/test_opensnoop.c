// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_opensnoop: command-line parsing through the view runner (bcc's flags; -EINVAL, exit 2,
 * on malformed values); the pairing of entries, captures and exits by thread (a path only for
 * the call whose pointer it read, never another thread's; lost events; exits without entry);
 * open flags by name and the -f match; the syscall formats with and without the string field
 * (tests/data/opensnoop) and the kernel's truncation marker; and real openat records of
 * tests/data/pages/basic paired entry -> exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/opensnoop.h"
#include "cmd/opensnoop/pair.h"
#include "cmd/opensnoop/path.h"
#include "core/events.h"
#include "core/field.h"
#include "core/run.h"
#include "pages.h"
#include "parse.h"

extern const struct ftk_view ftk_view_opensnoop;

/* The options of "opensnoop ARGS..." (NULL-terminated) in r; 0 or -EINVAL. */
static int parse(struct ftk_run *r, ...)
{
	va_list ap;
	va_start(ap, r);
	int rc = parse_view(r, &ftk_view_opensnoop, "opensnoop", ap);
	va_end(ap);
	return rc;
}

static void test_parse(void **state)
{
	struct ftk_run r;
	struct ftk_opensnoop_opts *o;

	assert_int_equal(parse(&r, NULL), 0);
	o = r.state;
	assert_int_equal(o->tid, -1);
	assert_int_equal(o->uid, -1);
	assert_false(o->timestamp || o->print_uid || o->failed || o->extended || o->full_path);
	ftk_run_fini(&r);

	assert_int_equal(parse(&r, "-TUxeF", "-n", "main", "-t", "42", "-u", "1000", "-f",
			       "O_WRONLY", "--flag-filter", "O_RDWR", "-p", "7,8", "--json", NULL), 0);
	o = r.state;
	assert_true(o->timestamp && o->print_uid && o->failed && o->extended && o->full_path);
	assert_string_equal(o->name, "main");
	assert_int_equal(o->tid, 42);
	assert_int_equal(o->uid, 1000);
	assert_int_equal(o->nflags, 2);
	assert_int_equal(o->flags[0], O_WRONLY);
	assert_int_equal(o->flags[1], O_RDWR);
	assert_int_equal(r.npids, 2);
	assert_true(r.json);
	ftk_run_fini(&r);

	const char *bad[][2] = { { "-f", "O_BOGUS" }, { "-f", "WRONLY" }, { "-t", "0" },
				 { "-t", "x" }, { "-u", "-1" }, { "-u", "root" }, { "-p", "0" },
				 { "--backend", "bpf" } };
	for (size_t i = 0; i < FTK_ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse(&r, bad[i][0], bad[i][1], NULL), -EINVAL);
		ftk_run_fini(&r);
	}
	assert_int_equal(parse(&r, "--bogus", NULL), -EINVAL);
	ftk_run_fini(&r);
}

/* ---- pairing ---- */

static struct open_call call(pid_t tid, int sys, uint64_t ptr)
{
	return (struct open_call){ .tid = tid, .sys = sys, .ptr = ptr, .dfd = AT_FDCWD,
				   .flags_known = true };
}

static struct open_capture cap(uint64_t ptr, const char *s, const char *comm)
{
	return (struct open_capture){ .ptr = ptr, .s = s, .len = s ? (int)strlen(s) : 0,
				      .comm = comm };
}

/* c's entry then its exit with ret: the completed call in *out. */
static void enter_exit(struct open_pairs *p, const struct open_call *c, long ret,
		       struct open_call *out)
{
	open_pairs_enter(p, c, NULL);
	assert_true(open_pairs_exit(p, c->tid, c->sys, ret, 0, out));
}

static void test_capture_before_entry(void **state)
{
	struct open_pairs *p = open_pairs_new("uprobe", "not via libc");
	struct open_call c = call(10, OPEN_SYS_OPENAT, 0x1000), out;
	struct open_capture k = cap(0x1000, "/etc/passwd", "cat");

	open_pairs_capture(p, 10, &k);
	enter_exit(p, &c, 3, &out);
	assert_true(out.entered);
	assert_string_equal(out.path, "/etc/passwd");
	assert_int_equal(out.path_len, 11);
	assert_string_equal(out.path_source, "uprobe");
	assert_string_equal(out.comm, "cat");
	assert_int_equal(out.ret, 3);
	assert_null(out.why);
	open_call_free(&out);
	assert_int_equal(open_pairs_count(p), 0);

	/* A capture is for one call: the next call on the same pointer has none. */
	open_pairs_capture(p, 10, &k);
	enter_exit(p, &c, 3, &out);
	open_call_free(&out);
	enter_exit(p, &c, -2, &out);
	assert_null(out.path);
	assert_string_equal(out.why, "not via libc");
	assert_int_equal(out.ret, -2);
	open_call_free(&out);
	open_pairs_free(p);
}

static void test_capture_after_entry(void **state)
{
	struct open_pairs *p = open_pairs_new("kprobe", "lost");
	struct open_call c = call(11, OPEN_SYS_OPEN, 0x2000), out;
	struct open_capture k = cap(0x2000, "rel/x", NULL);

	open_pairs_enter(p, &c, NULL);
	open_pairs_capture(p, 11, &k);
	open_pairs_exit(p, 11, OPEN_SYS_OPEN, -13, 0, &out);
	assert_string_equal(out.path, "rel/x");
	assert_string_equal(out.path_source, "kprobe");
	assert_string_equal(out.comm, "");
	open_call_free(&out);
	open_pairs_free(p);
}

static void test_never_another_call(void **state)
{
	struct open_pairs *p = open_pairs_new("uprobe", "none");
	struct open_call a = call(20, OPEN_SYS_OPENAT, 0x3000), out;
	struct open_call b = call(21, OPEN_SYS_OPENAT, 0x3000);
	struct open_capture ka = cap(0x3000, "/a", "a");

	/* Thread 20's capture, thread 21's call on an equal pointer: not 21's path. */
	open_pairs_capture(p, 20, &ka);
	enter_exit(p, &b, 5, &out);
	assert_null(out.path);
	open_call_free(&out);
	/* ... and still thread 20's. */
	enter_exit(p, &a, 6, &out);
	assert_string_equal(out.path, "/a");
	open_call_free(&out);

	/* Another pointer (a libc call that failed before the syscall): dropped at entry. */
	struct open_capture other = cap(0x9999, "/wrong", "a");
	open_pairs_capture(p, 20, &other);
	enter_exit(p, &a, 6, &out);
	assert_null(out.path);
	open_call_free(&out);
	assert_int_equal(open_pairs_count(p), 0);
	open_pairs_free(p);
}

static void test_exit_without_entry(void **state)
{
	struct open_pairs *p = open_pairs_new("uprobe", "none");
	struct open_call c = call(30, OPEN_SYS_OPENAT, 0x4000), out;
	struct open_capture k = cap(0x4000, "/x", "x");

	/* Tracing began during the call. */
	assert_true(open_pairs_exit(p, 30, OPEN_SYS_OPENAT, 4, 77, &out));
	assert_false(out.entered);
	assert_null(out.path);
	assert_int_equal(out.ts, 77);
	assert_non_null(strstr(out.why, "entry not seen"));
	open_call_free(&out);

	/* openat's exit and creat's entry were lost: creat's exit does not take openat's. */
	open_pairs_capture(p, 30, &k);
	open_pairs_enter(p, &c, NULL);
	open_pairs_exit(p, 30, OPEN_SYS_CREAT, 4, 0, &out);
	assert_false(out.entered);
	assert_int_equal(out.sys, OPEN_SYS_CREAT);
	assert_null(out.path);
	open_call_free(&out);
	/* ... nor a later openat exit. */
	open_pairs_exit(p, 30, OPEN_SYS_OPENAT, 4, 0, &out);
	assert_false(out.entered);
	open_call_free(&out);

	/* A new entry replaces one whose exit never came. */
	struct open_call c2 = call(30, OPEN_SYS_OPENAT, 0x5000);
	open_pairs_enter(p, &c, NULL);
	open_pairs_enter(p, &c2, NULL);
	open_pairs_exit(p, 30, OPEN_SYS_OPENAT, 8, 0, &out);
	assert_true(out.entered);
	assert_int_equal(out.ptr, 0x5000);
	open_call_free(&out);
	open_pairs_free(p);
}

static void test_lost_and_exit(void **state)
{
	struct open_pairs *p = open_pairs_new("kprobe", "lost");
	struct open_call c = call(40, OPEN_SYS_OPENAT, 0x6000), out;
	struct open_capture k = cap(0x6000, "/y", "y");

	struct open_call other = call(41, OPEN_SYS_OPENAT, 1);
	open_pairs_capture(p, 40, &k);
	open_pairs_enter(p, &other, NULL);
	assert_int_equal(open_pairs_count(p), 2);
	open_pairs_reset(p);
	assert_int_equal(open_pairs_count(p), 0);
	open_pairs_enter(p, &c, NULL);
	open_pairs_exit(p, 40, OPEN_SYS_OPENAT, 3, 0, &out);
	assert_true(out.entered);
	assert_null(out.path);
	assert_string_equal(out.why, "lost");
	open_call_free(&out);
	/* The exit of the thread drops what it had. */
	open_pairs_enter(p, &c, NULL);
	open_pairs_forget(p, 40);
	assert_int_equal(open_pairs_count(p), 0);
	open_pairs_free(p);
}

static void test_fault(void **state)
{
	struct open_pairs *p = open_pairs_new("kprobe", "lost");
	struct open_call c = call(50, OPEN_SYS_OPENAT2, 0x7000), out;
	struct open_capture k = cap(0x7000, NULL, "z");

	c.flags_known = false;
	open_pairs_enter(p, &c, NULL);
	open_pairs_capture(p, 50, &k);
	open_pairs_exit(p, 50, OPEN_SYS_OPENAT2, 3, 0, &out);
	assert_null(out.path);
	assert_non_null(strstr(out.why, "could not read"));
	assert_false(out.flags_known);
	assert_string_equal(out.comm, "z");
	open_call_free(&out);
	open_pairs_free(p);
}

/* ---- flags ---- */

static void test_flags(void **state)
{
	long wr = ftk_open_flag("O_WRONLY"), rd = ftk_open_flag("O_RDONLY");
	long creat = ftk_open_flag("O_CREAT"), tmp = ftk_open_flag("O_TMPFILE");

	assert_int_equal(rd, 0);
	assert_int_equal(wr, O_WRONLY);
	assert_int_equal(ftk_open_flag("O_CLOEXEC"), O_CLOEXEC);
	assert_int_equal(ftk_open_flag("o_wronly"), -1);
	assert_int_equal(ftk_open_flag("CREAT"), -1);

	assert_true(ftk_open_flags_match(O_RDONLY | O_CLOEXEC, &rd, 1));
	assert_false(ftk_open_flags_match(O_WRONLY, &rd, 1));
	assert_true(ftk_open_flags_match(O_WRONLY | O_CREAT | O_TRUNC, &wr, 1));
	assert_false(ftk_open_flags_match(O_RDWR, &wr, 1));
	assert_true(ftk_open_flags_match(O_RDWR | O_CREAT, &creat, 1));
	assert_false(ftk_open_flags_match(O_DIRECTORY, &tmp, 1));	/* O_TMPFILE holds it */
	assert_true(ftk_open_flags_match(O_TMPFILE | O_RDWR, &tmp, 1));
	long any[] = { wr, creat };
	assert_true(ftk_open_flags_match(O_RDONLY | O_CREAT, any, 2));
	assert_false(ftk_open_flags_match(O_RDONLY, any, 2));
}

/* ---- formats ---- */

static const struct tep_event *load_format(struct tep_handle *tep, const char *ver,
					   const char *name)
{
	char path[2048];
	size_t len;

	snprintf(path, sizeof(path), "%s/opensnoop/%s/%s", test_data_dir(), ver, name);
	char *fmt = ftk_read_file(path, &len);
	assert_non_null(fmt);
	assert_int_equal(tep_parse_event(tep, fmt, len, "syscalls"), 0);
	free(fmt);
	const struct tep_event *e = tep_find_event_by_name(tep, "syscalls", name);
	assert_non_null(e);
	return e;
}

/* Is field `name` in format e (bound as the view binds it)? */
static bool has(const struct tep_event *e, const char *name)
{
	struct ftk_field_ref f;

	return ftk_field_bind_format(&f, e, name);
}

static void test_formats(void **state)
{
	struct tep_handle *tep = tep_alloc();
	const struct tep_event *o18 = load_format(tep, "6.18", "sys_enter_openat");
	const struct tep_event *c18 = load_format(tep, "6.18", "sys_enter_creat");

	/* 6.18: the pointer only. */
	assert_true(has(o18, "filename"));
	assert_true(has(c18, "pathname"));
	assert_false(has(o18, path_entry_field(OPEN_SYS_OPENAT)));
	assert_false(has(c18, path_entry_field(OPEN_SYS_CREAT)));
	tep_free(tep);

	/* The string-carrying layout: a record as the kernel writes it. */
	tep = tep_alloc();
	const struct tep_event *o19 = load_format(tep, "6.19", "sys_enter_openat");
	const struct tep_event *c19 = load_format(tep, "6.19", "sys_enter_creat");
	struct ftk_field_ref str, ptr, dfd;
	assert_true(ftk_field_bind_format(&str, o19, path_entry_field(OPEN_SYS_OPENAT)));
	assert_int_equal(str.kind, FTK_FIELD_STRING);
	assert_true(str.dynamic);
	assert_true(has(c19, path_entry_field(OPEN_SYS_CREAT)));
	assert_true(ftk_field_bind_format(&ptr, o19, "filename"));
	assert_true(ftk_field_bind_format(&dfd, o19, "dfd"));

	unsigned char d[256] = { 0 };
	uint64_t p = 0x7ffd1234, fdcwd = (uint64_t)-100;
	const char *path = "/etc/ld.so.cache";
	int size = 52 + strlen(path) + 1;
	uint32_t loc = (uint32_t)(strlen(path) + 1) << 16 | 52;
	memcpy(d + 16, &fdcwd, 8);
	memcpy(d + 24, &p, 8);
	memcpy(d + 48, &loc, 4);
	memcpy(d + 52, path, strlen(path) + 1);
	int len = 0;
	const char *s = ftk_field_str(&str, d, size, &len);
	struct open_capture c = open_capture_of_entry(ftk_field_u64(&ptr, d, size, 0), s, len);
	assert_int_equal(c.ptr, p);
	assert_int_equal(c.len, strlen(path));
	assert_memory_equal(c.s, path, c.len);
	assert_false(c.truncated);
	assert_int_equal((int)ftk_field_u64(&dfd, d, size, 0), -100);
	tep_free(tep);

	/* The kernel's cut: 128 bytes then "..."; a fault leaves an empty string. */
	char cut[160];
	memset(cut, 'a', 128);
	memcpy(cut + 128, "...", 4);
	c = open_capture_of_entry(1, cut, 131);
	assert_true(c.truncated);
	c = open_capture_of_entry(1, cut, 128);
	assert_false(c.truncated);
	c = open_capture_of_entry(1, "", 0);
	assert_null(c.s);
}

/* ---- real records: cat's openat calls in the basic page set, paired ---- */

static void test_real_records(void **state)
{
	struct pset S;
	struct collect C = { 0 };

	assert_int_equal(pset_load(&S, "basic"), 0);
	struct ftk_reader *rd = pset_reader(&S, &C, NULL);
	assert_non_null(rd);
	pset_feed_all(rd, &S);
	ftk_reader_drain(rd, 0, true);
	ftk_reader_free(rd);

	const struct tep_event *eo = tep_find_event_by_name(S.tep, "syscalls", "sys_enter_openat");
	const struct tep_event *xo = tep_find_event_by_name(S.tep, "syscalls", "sys_exit_openat");
	struct ftk_field_ref dfd, ptr, flags, ret;
	assert_true(ftk_field_bind_format(&dfd, eo, "dfd"));
	assert_true(ftk_field_bind_format(&ptr, eo, "filename"));
	assert_true(ftk_field_bind_format(&flags, eo, "flags"));
	assert_true(ftk_field_bind_format(&ret, xo, "ret"));
	int cat = pset_meta(&S, "cat_pid");
	struct open_pairs *p = open_pairs_new("uprobe", "no capture");
	int calls = 0, enoent = 0;

	for (long i = 0; i < C.n; i++) {
		struct crec *x = &C.v[i];
		int type = ftk_rec_type(x->data), tid = ftk_rec_pid(x->data);
		struct open_call out;

		if (type == eo->id) {
			struct open_call c = {
				.tid = tid, .sys = OPEN_SYS_OPENAT, .ts = x->ts,
				.dfd = (int)ftk_field_u64(&dfd, x->data, x->size, 0),
				.ptr = ftk_field_u64(&ptr, x->data, x->size, 0),
				.flags_known = true,
				.flags = (uint32_t)ftk_field_u64(&flags, x->data, x->size, 0),
			};
			open_pairs_enter(p, &c, NULL);
		} else if (type == xo->id) {
			long rv = ftk_field_s64(&ret, x->data, x->size, 0);
			open_pairs_exit(p, tid, OPEN_SYS_OPENAT, rv, x->ts, &out);
			if (tid == cat) {
				/* Every call of cat's had its entry, in time order. */
				assert_true(out.entered);
				assert_true(out.ts <= x->ts);
				assert_int_equal(out.dfd, AT_FDCWD);
				assert_string_equal(out.why, "no capture");
				calls++;
				/* cat /nonexistent/...: read-only */
				if (rv == pset_meta(&S, "openat_ret")) {
					assert_int_equal(out.flags & O_ACCMODE, O_RDONLY);
					enoent++;
				}
			}
			open_call_free(&out);
		}
	}
	assert_true(calls >= 3);	/* the shell's 2>/dev/null, ld.so.cache, libc, the file */
	assert_true(enoent >= 1);
	open_pairs_free(p);
	collect_free(&C);
	pset_free(&S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_capture_before_entry),
		cmocka_unit_test(test_capture_after_entry),
		cmocka_unit_test(test_never_another_call),
		cmocka_unit_test(test_exit_without_entry),
		cmocka_unit_test(test_lost_and_exit),
		cmocka_unit_test(test_fault),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_real_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
