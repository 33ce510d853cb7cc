// SPDX-License-Identifier: GPL-2.0-only
/*
 * tracedat_read on real recordings (tests/data/tracedat, made by trace-cmd 3.1.6 in the 6.12
 * guest; README there): versions 6, 7 and 7+zstd of the same recording read the same
 * records in the same order; the header probe; refusals; the merge order; kprobe/uprobe
 * told apart; the offline answers of features, catalog and procs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event-parse.h>

#include "core/catalog.h"
#include "core/events.h"
#include "core/features.h"
#include "core/ksyms.h"
#include "core/procs.h"
#include "core/tracedat_read.h"
#include "core/util.h"

static char *data(const char *name)
{
	static char path[4][1024];
	static int i;
	const char *dir = getenv("FTK_TEST_DATA");

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/tracedat/%s", dir ? dir : FTK_TEST_DATA, name);
	return path[i];
}

struct seen {
	long long n;
	uint64_t last_ts;
	int last_cpu;
	bool ordered;
	uint64_t sum;		/* of ts * (cpu + 1) * type: the same records in the same order */
	long long missed;
};

static int count(const struct ftk_rec *r, long long missed, void *ctx)
{
	struct seen *s = ctx;

	if (s->n && (r->ts < s->last_ts || (r->ts == s->last_ts && r->cpu < s->last_cpu)))
		s->ordered = false;
	s->last_ts = r->ts;
	s->last_cpu = r->cpu;
	s->sum = s->sum * 31 + r->ts * (r->cpu + 1) * ftk_rec_type(r->data);
	s->missed += missed != 0;
	s->n++;
	return 0;
}

static struct seen read_all(const char *name, struct ftk_tracedat_info *info)
{
	struct ftk_tracedat *td = ftk_tracedat_open(data(name));
	struct seen s = { .ordered = true };

	assert_non_null(td);
	*info = *ftk_tracedat_info(td);
	assert_int_equal(ftk_tracedat_ncpus(td), 2);
	long long n = ftk_tracedat_iterate(td, count, &s);
	assert_int_equal(n, s.n);
	/* again: iterating starts over */
	struct seen again = { .ordered = true };
	ftk_tracedat_iterate(td, count, &again);
	assert_int_equal(again.n, s.n);
	assert_true(again.sum == s.sum);
	ftk_tracedat_close(td);
	return s;
}

static void test_versions(void **state)
{
	struct ftk_tracedat_info i6, i7, i7z;
	struct seen v6 = read_all("exec6.dat", &i6);
	struct seen v7 = read_all("exec7.dat", &i7);
	struct seen v7z = read_all("exec7z.dat", &i7z);

	assert_int_equal(i6.version, 6);
	assert_string_equal(i6.compression, "");
	assert_int_equal(i7.version, 7);
	assert_string_equal(i7.compression, "none");
	assert_int_equal(i7z.version, 7);
	assert_string_equal(i7z.compression, "zstd");
	assert_int_equal(i6.page_size, 4096);
	assert_int_equal(i6.long_size, 8);
	assert_false(i6.big_endian);
	/* trace-cmd report -i exec6.dat: 65 records */
	assert_int_equal(v6.n, 65);
	assert_int_equal(v7.n, 65);
	assert_int_equal(v7z.n, 65);
	assert_true(v6.sum == v7.sum && v6.sum == v7z.sum);
	assert_true(v6.ordered);
	assert_int_equal(v6.missed, 0);
}

static void test_formats_and_cmdlines(void **state)
{
	struct ftk_tracedat *td = ftk_tracedat_open(data("exec6.dat"));
	struct tep_handle *tep = ftk_tracedat_tep(td);

	assert_non_null(tep_find_event_by_name(tep, "sched", "sched_process_exec"));
	assert_non_null(tep_find_event_by_name(tep, "syscalls", "sys_enter_execve"));
	assert_null(tep_find_event_by_name(tep, "block", "block_rq_issue"));
	assert_true(tep_is_pid_registered(tep, 302));
	assert_string_equal(tep_data_comm_from_pid(tep, 302), "ls");

	/* --input: the kernel's questions answered from the file, never from tracefs */
	ftk_features_offline(tep, ftk_tracedat_offline_has(td));
	assert_true(ftk_features_is_offline());
	assert_null(ftk_tracefs());
	assert_true(ftk_tracepoint_exists("sched", "sched_process_exec"));
	assert_false(ftk_tracepoint_exists("block", "block_rq_issue"));
	assert_false(ftk_tracefs_has("set_event_pid"));
	assert_true(ftk_has(FTK_F_SYSCALL_TP));
	assert_false(ftk_has(FTK_F_HIST));
	assert_false(ftk_has(FTK_F_KPROBES));
	assert_false(ftk_has(FTK_F_FGRAPH));
	assert_true(ftk_catalog_has("sched", "sched_switch"));
	struct ftk_names sys = ftk_catalog_systems();
	assert_int_equal(sys.n, 3);	/* ftrace (formats only), sched, syscalls */
	ftk_names_free(&sys);
	int size = ftk_tracepoint_field_size("sched", "sched_switch", "prev_comm");
	assert_int_equal(size, 16);
	/* /proc of this host is not the recording's: comm from the cmdlines, nothing else */
	char comm[16];
	assert_true(ftk_proc_comm(302, comm, sizeof(comm)));
	assert_string_equal(comm, "ls");
	assert_int_equal(ftk_proc_ppid(302), -1);
	assert_int_equal(ftk_proc_ppid(getpid()), -1);
	assert_null(ftk_read_file("/proc/1/status", NULL));
	ftk_features_offline(NULL, 0);
	assert_false(ftk_features_is_offline());
	ftk_tracedat_close(td);
}

struct first_func {
	struct tep_event *e;
	unsigned long long func;
};

static int first_func(const struct ftk_rec *r, long long missed, void *ctx)
{
	struct first_func *f = ctx;

	if (ftk_rec_type(r->data) != f->e->id)
		return 0;
	tep_read_number_field(tep_find_field(f->e, "func"), r->data, &f->func);
	return 1;
}

static void test_function_graph(void **state)
{
	struct ftk_tracedat *td = ftk_tracedat_open(data("graph6.dat"));
	struct ftk_tracedat_info in;
	struct seen s = { .ordered = true };

	assert_non_null(td);
	in = *ftk_tracedat_info(td);
	assert_int_equal(in.version, 6);
	ftk_tracedat_iterate(td, count, &s);
	assert_true(s.ordered);
	assert_int_equal(s.n, 4149);	/* trace-cmd report -N (no plugin joining leaf calls) */
	ftk_features_offline(ftk_tracedat_tep(td), ftk_tracedat_offline_has(td));
	assert_true(ftk_has(FTK_F_FGRAPH));
	assert_true(ftk_has(FTK_F_FGRAPH_INSTANCE));
	/* kernel symbols from the file's kallsyms, not this host's */
	struct first_func ff = { .e = tep_find_event_by_name(ftk_tracedat_tep(td), "ftrace",
								 "funcgraph_entry") };
	assert_non_null(ff.e);
	ftk_tracedat_iterate(td, first_func, &ff);
	assert_true(ff.func != 0);
	struct ftk_ksyms k = { 0 };
	assert_int_equal(ftk_ksyms_load(&k, "/proc/kallsyms"), 0);
	assert_int_equal(k.n, 0);
	const char *name = ftk_ksyms_find(&k, ff.func);
	assert_non_null(name);
	assert_string_equal(name, "mutex_unlock");	/* trace-cmd report: the first call */
	ftk_ksyms_free(&k);
	ftk_features_offline(NULL, 0);
	ftk_tracedat_close(td);
}

static void test_refusals(void **state)
{
	struct ftk_tracedat_info info;
	char why[256], path[] = "/tmp/ftk-test-td-XXXXXX";
	int fd = mkstemp(path);

	assert_int_equal(ftk_tracedat_probe("/nonexistent/x.dat", &info, why, sizeof(why)),
			 -ENOENT);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a trace file at all", 23), 23);
	assert_int_equal(ftk_tracedat_probe(path, &info, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not a trace.dat"));
	assert_null(ftk_tracedat_open(path));
	/* the magic and a version, cut short */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "\x17\x08\x44tracing6", 11, 0), 11);
	assert_int_equal(ftk_tracedat_probe(path, &info, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "truncated"));
	/* version 5 */
	assert_int_equal(pwrite(fd, "\x17\x08\x44tracing5\0\0\x08\0\x10\0\0", 18, 0), 18);
	assert_int_equal(ftk_tracedat_probe(path, &info, why, sizeof(why)), -ENOTSUP);
	/* a header libtracecmd refuses past the first bytes: refused, not a crash */
	assert_int_equal(pwrite(fd, "\x17\x08\x44tracing6\0\0\x08\0\x10\0\0", 18, 0), 18);
	assert_int_equal(ftk_tracedat_probe(path, &info, why, sizeof(why)), 0);
	assert_null(ftk_tracedat_open(path));
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_formats_and_cmdlines),
		cmocka_unit_test(test_function_graph),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
