// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_trace: the NDJSON records of `ftk trace` (trace/record.h on core/eventfmt.h's fields). A format with every field
 * type the kernel uses (signed/unsigned 1/2/4/8 bytes, char[N], int[N], a pointer,
 * __data_loc and __rel_loc strings, a __data_loc array) is parsed by libtraceevent like a
 * real one, a record is laid out by hand, and the JSON must be exact; then the real formats of
 * this machine's kernel (when tracefs is readable) go through the same compiled fields, and every record
 * of the page set captured on this machine (tests/data/pages/basic) is encoded and checked
 * against what its workload did.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event-parse.h>

#include "cmd/trace/probes.h"
#include "cmd/trace/record.h"
#include "cmd/trace/tracepoints.h"
#include "core/eventfmt.h"
#include "core/output.h"
#include "core/util.h"
#include "pages.h"

static const char types_format[] =
	"name: ftk_types\n"
	"ID: 7\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:u8 a_u8;\toffset:8;\tsize:1;\tsigned:0;\n"
	"\tfield:s8 a_s8;\toffset:9;\tsize:1;\tsigned:1;\n"
	"\tfield:u16 a_u16;\toffset:10;\tsize:2;\tsigned:0;\n"
	"\tfield:s16 a_s16;\toffset:12;\tsize:2;\tsigned:1;\n"
	"\tfield:u32 a_u32;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:s32 a_s32;\toffset:20;\tsize:4;\tsigned:1;\n"
	"\tfield:u64 a_u64;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:s64 a_s64;\toffset:32;\tsize:8;\tsigned:1;\n"
	"\tfield:char comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
	"\tfield:int arr[3];\toffset:56;\tsize:12;\tsigned:1;\n"
	"\tfield:void * ptr;\toffset:72;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] str;\toffset:80;\tsize:4;\tsigned:0;\n"
	"\tfield:__rel_loc char[] rstr;\toffset:84;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc unsigned short[] dyn;\toffset:88;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"a=%u\", REC->a_u8\n";

/* A record as trace prints it, with a head of only the pid (the full head is core/record.c's
 * and needs a session's clock): {"pid":N,"event":"LABEL","fields":{...}}. */
static void encode(struct ftk_buf *b, const char *label, const struct ftk_event_fields *fields,
		   int pid, const void *data, int size)
{
	struct ftk_buf key = { 0 };

	trace_record_event_key(&key, label);
	ftk_buf_printf(b, "{\"pid\":%d", pid);
	trace_record_event(b, &key, fields, data, size);
	ftk_buf_free(&key);
}

static void put(unsigned char *rec, int off, const void *v, size_t n)
{
	memcpy(rec + off, v, n);
}

/* The record of types_format; returns its size. */
static int make_record(unsigned char *rec)
{
	uint8_t u8 = 255;
	int8_t s8 = -1;
	uint16_t u16 = 65535;
	int16_t s16 = -2;
	uint32_t u32 = 4294967295u;
	int32_t s32 = -3, arr[3] = { 1, -2, 3 }, pid = 42;
	uint64_t u64 = UINT64_MAX, ptr = 0xffff888100000000ull;
	int64_t s64 = INT64_MIN;
	uint16_t dyn[2] = { 1, 65535 };

	memset(rec, 0, 128);
	rec[0] = 7;
	put(rec, 4, &pid, 4);
	put(rec, 8, &u8, 1);
	put(rec, 9, &s8, 1);
	put(rec, 10, &u16, 2);
	put(rec, 12, &s16, 2);
	put(rec, 16, &u32, 4);
	put(rec, 20, &s32, 4);
	put(rec, 24, &u64, 8);
	put(rec, 32, &s64, 8);
	memcpy(rec + 40, "bash\033[31m", 9);	/* untrusted bytes must be escaped */
	put(rec, 56, arr, 12);
	put(rec, 72, &ptr, 8);
	uint32_t w = 6u << 16 | 92;		/* "hello\0" at 92 */
	put(rec, 80, &w, 4);
	memcpy(rec + 92, "hello", 6);
	w = 4u << 16 | (98 - 88);		/* "x\ty\0" at 98, relative to the field end */
	put(rec, 84, &w, 4);
	memcpy(rec + 98, "x\ty", 4);
	w = 4u << 16 | 102;			/* two u16 at 102 */
	put(rec, 88, &w, 4);
	put(rec, 102, dyn, 4);
	return 106;
}

static struct tep_event *parse(struct tep_handle *tep, const char *fmt)
{
	assert_int_equal(tep_parse_event(tep, fmt, strlen(fmt), "test"), 0);
	struct tep_event *e = tep_find_event_by_name(tep, "test", "ftk_types");
	assert_non_null(e);
	return e;
}

static void test_every_type(void **state)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_event *e = parse(tep, types_format);
	struct ftk_event_fields plan;
	unsigned char rec[128];
	int size = make_record(rec);
	struct ftk_buf b = { 0 };

	ftk_event_fields_compile(&plan, e);
	assert_int_equal(plan.count, 14);
	encode(&b, "test:ftk_types", &plan, 42, rec, size);
	assert_string_equal(ftk_buf_str(&b),
		"{\"pid\":42,\"event\":\"test:ftk_types\",\"fields\":{\"a_u8\":255,\"a_s8\":-1,\"a_u16\":65535,"
		"\"a_s16\":-2,\"a_u32\":4294967295,\"a_s32\":-3,"
		"\"a_u64\":18446744073709551615,\"a_s64\":-9223372036854775808,"
		"\"comm\":\"bash\\u001b[31m\",\"arr\":[1,-2,3],\"ptr\":18446612686364999680,"
		"\"str\":\"hello\",\"rstr\":\"x\\ty\",\"dyn\":[1,65535]}}\n");
	ftk_event_fields_free(&plan);
	ftk_buf_free(&b);
	tep_free(tep);
}

/* A __data_loc word pointing past the record must not read past it. */
static void test_dyn_out_of_bounds(void **state)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_event *e = parse(tep, types_format);
	struct ftk_event_fields plan;
	unsigned char rec[128];
	int size = make_record(rec);
	struct ftk_buf b = { 0 };
	uint32_t past = 4u << 16 | 300, cut = 200u << 16 | 100;

	memcpy(rec + 80, &past, 4);	/* starts past the end: empty */
	memcpy(rec + 88, &cut, 4);	/* runs past the end: cut at the end */
	ftk_event_fields_compile(&plan, e);
	encode(&b, "test:ftk_types", &plan, -1, rec, size);
	assert_non_null(strstr(ftk_buf_str(&b), "{\"pid\":-1,\"event\":\"test:ftk_types\",\"fields\""));
	assert_non_null(strstr(ftk_buf_str(&b), "\"str\":\"\","));
	assert_non_null(strstr(ftk_buf_str(&b), "\"dyn\":[121,1,65535]}}\n"));
	ftk_event_fields_free(&plan);
	ftk_buf_free(&b);
	tep_free(tep);
}

static void test_timestamps(void **state)
{
	struct ftk_buf b = { 0 };

	ftk_buf_add_seconds(&b, 0, 9);
	ftk_buf_addc(&b, ' ');
	ftk_buf_add_seconds(&b, 123456789012345678ull, 9);
	ftk_buf_addc(&b, ' ');
	ftk_buf_add_seconds(&b, 1000999999ull, 6);
	assert_string_equal(ftk_buf_str(&b), "0.000000000 123456789.012345678 1.000999");
	ftk_buf_free(&b);
}

/* Real formats of this kernel: every field of a few rich events is compiled. */
static void test_real_formats(void **state)
{
	static const char *const events[] = {
		"sched/sched_switch", "sched/sched_process_exec", "block/block_rq_issue",
		"syscalls/sys_enter_openat", "task/task_rename",
	};
	int tried = 0;

	for (size_t i = 0; i < FTK_ARRAY_SIZE(events); i++) {
		char path[256];
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/format", events[i]);
		char *fmt = ftk_read_file(path, NULL);
		if (!fmt)
			continue;
		struct tep_handle *tep = tep_alloc();
		char sys[64];
		snprintf(sys, sizeof(sys), "%.*s", (int)strcspn(events[i], "/"), events[i]);
		assert_int_equal(tep_parse_event(tep, fmt, strlen(fmt), sys), 0);
		struct tep_event *e = tep_find_event_by_name(tep, sys, strchr(events[i], '/') + 1);
		assert_non_null(e);
		struct ftk_event_fields plan;
		ftk_event_fields_compile(&plan, e);
		int n = plan.count;
		assert_int_equal(n, e->format.nr_fields);
		unsigned char rec[512] = { 0 };
		struct ftk_buf b = { 0 };
		encode(&b, events[i], &plan, 1, rec, sizeof(rec));
		for (int k = 0; k < n; k++)	/* every field name is a key */
			assert_non_null(strstr(ftk_buf_str(&b), plan.fields[k].key + (k ? 1 : 0)));
		ftk_buf_free(&b);
		ftk_event_fields_free(&plan);
		tep_free(tep);
		free(fmt);
		tried++;
	}
	if (!tried)
		skip();
}

/* ---- captured pages: every record of tests/data/pages/basic through the encoder ---- */

struct encoded {
	char **line;	/* one NDJSON line per record, in dispatch order */
	long n;
};

static void encode_set(const struct pset *ps, const struct collect *c, struct encoded *out)
{
	static struct ftk_event_fields plans[65536];	/* by event id; static: 1 MB */
	static char *labels[65536];

	memset(labels, 0, sizeof(labels));
	memset(plans, 0, sizeof(plans));

	out->line = ftk_xcalloc(c->n ? c->n : 1, sizeof(char *));
	out->n = c->n;
	for (long i = 0; i < c->n; i++) {
		const struct crec *x = &c->v[i];
		int id = ftk_rec_type(x->data);
		struct tep_event *e = tep_find_event(ps->tep, id);
		assert_non_null(e);
		if (!labels[id]) {
			struct ftk_buf label = { 0 };
			ftk_buf_printf(&label, "%s:%s", e->system, e->name);
			labels[id] = label.p;
			ftk_event_fields_compile(&plans[id], e);
		}
		struct ftk_buf b = { 0 };
		encode(&b, labels[id], &plans[id], ftk_rec_pid(x->data), x->data, x->size);
		out->line[i] = b.p;
	}
	for (int id = 0; id < 65536; id++) {
		free(labels[id]);
		if (plans[id].fields)
			ftk_event_fields_free(&plans[id]);
	}
}

static long count_lines(const struct encoded *enc, const char *a, const char *b)
{
	long n = 0;

	for (long i = 0; i < enc->n; i++)
		n += strstr(enc->line[i], a) && (!b || strstr(enc->line[i], b));
	return n;
}

static void test_captured_pages(void **state)
{
	struct pset ps;
	struct collect c = { 0 };
	struct encoded enc;
	char a[128], b[128];

	if (pset_load(&ps, "basic"))
		skip();
	struct ftk_reader *r = pset_reader(&ps, &c, NULL);
	assert_non_null(r);
	pset_feed_all(r, &ps);
	ftk_reader_drain(r, 0, true);
	ftk_reader_free(r);
	assert_true(c.n > 0);
	encode_set(&ps, &c, &enc);

	if (getenv("TEST_TRACE_DUMP"))
		for (long i = 0; i < enc.n; i++)
			fputs(enc.line[i], stderr);
	/* every line is one object ending the line, fields present */
	for (long i = 0; i < enc.n; i++) {
		size_t l = strlen(enc.line[i]);
		assert_true(l > 2 && enc.line[i][l - 1] == '\n' && enc.line[i][l - 2] == '}');
		assert_non_null(strstr(enc.line[i], ",\"fields\":{"));
	}
	/* getppid: signed int __syscall_nr, exact count for the perl process */
	snprintf(a, sizeof(a), "\"pid\":%lld,", pset_meta(&ps, "perl_pid"));
	assert_int_equal(count_lines(&enc, "\"event\":\"syscalls:sys_enter_getppid\"", a),
			 pset_meta(&ps, "perl_getppid_calls"));
	assert_int_equal(count_lines(&enc, "\"event\":\"syscalls:sys_enter_getppid\"",
				     "\"fields\":{\"__syscall_nr\":110}}"),
			 count_lines(&enc, "\"event\":\"syscalls:sys_enter_getppid\"", NULL));
	/* exec: __data_loc string then signed pid_t */
	snprintf(b, sizeof(b), "\"fields\":{\"filename\":\"/bin/true\",\"pid\":%lld,",
		 pset_meta(&ps, "true_pid"));
	assert_int_equal(count_lines(&enc, "\"event\":\"sched:sched_process_exec\"", b), 1);
	/* sys_exit_openat: signed 8-byte ret of -ENOENT */
	snprintf(a, sizeof(a), "\"pid\":%lld,", pset_meta(&ps, "cat_pid"));
	snprintf(b, sizeof(b), "\"ret\":%lld}", pset_meta(&ps, "openat_ret"));
	assert_true(count_lines(&enc, "\"event\":\"syscalls:sys_exit_openat\"", a) >= 1);
	assert_true(count_lines(&enc, a, b) >= 1);
	/* sys_enter_openat: unsigned 8-byte slots; the kernel stores the int AT_FDCWD (-100)
	 * zero-extended, so the format's unsigned reading gives 2^32 - 100; the pointer
	 * filename is a number */
	assert_true(count_lines(&enc, "\"event\":\"syscalls:sys_enter_openat\"",
				"\"dfd\":4294967196,\"filename\":") >= 1);
	/* task_newtask: char[16] comm, u64 clone_flags, signed short oom_score_adj */
	snprintf(a, sizeof(a), "\"pid\":%lld,\"comm\":\"capture-pages\",\"clone_flags\":",
		 pset_meta(&ps, "true_pid"));
	assert_int_equal(count_lines(&enc, "\"event\":\"task:task_newtask\"", a), 1);
	/* oom_score_adj_update: signed short */
	snprintf(a, sizeof(a), "\"oom_score_adj\":%lld}", pset_meta(&ps, "oom_score_adj"));
	assert_true(count_lines(&enc, "\"event\":\"oom:oom_score_adj_update\"", a) >= 1);
	/* block_rq_issue of dd: rwbs char[] and comm char[16] strings, when captured */
	snprintf(a, sizeof(a), "\"pid\":%lld,", pset_meta(&ps, "dd_pid"));
	if (count_lines(&enc, "\"event\":\"block:block_rq_issue\"", a))
		assert_true(count_lines(&enc, "\"event\":\"block:block_rq_issue\"",
					"\"comm\":\"dd\"") >= 1);

	for (long i = 0; i < enc.n; i++)
		free(enc.line[i]);
	free(enc.line);
	collect_free(&c);
	pset_free(&ps);
}

/* -e specs and probe specs: what the command line check accepts and how it splits them. */
static void test_specs(void **state)
{
	char *sys, *event, *filter;
	struct trace_probe p;

	assert_int_equal(trace_spec_split("sched:sched_switch:prev_pid == 1", &sys, &event, &filter), 0);
	assert_string_equal(sys, "sched");
	assert_string_equal(event, "sched_switch");
	assert_string_equal(filter, "prev_pid == 1");
	free(sys), free(event), free(filter);
	assert_int_equal(trace_spec_split("sched", &sys, &event, &filter), 0);	/* every event */
	assert_string_equal(event, "*");
	assert_null(filter);
	free(sys), free(event);
	assert_int_equal(trace_spec_split("syscalls:sys_enter_*:  ", &sys, &event, &filter), 0);
	assert_null(filter);	/* a blank filter is none */
	free(sys), free(event);
	assert_int_equal(trace_spec_split(":", &sys, &event, &filter), -EINVAL);
	assert_int_equal(trace_spec_split("sched:", &sys, &event, &filter), -EINVAL);

	assert_int_equal(trace_probe_parse(&p, "r:libc:malloc+4 size=%di:u64", true), 0);
	assert_true(p.ret && p.uprobe);
	assert_string_equal(p.path, "libc");
	assert_string_equal(p.symbol, "malloc");
	assert_int_equal(p.add, 4);
	assert_string_equal(p.fetch, "size=%di:u64");
	trace_probe_free(&p);
	assert_int_equal(trace_probe_parse(&p, "/bin/bash:0x1a2b", true), 0);
	assert_string_equal(p.symbol, "0x1a2b");
	assert_null(p.fetch);
	trace_probe_free(&p);
	assert_int_equal(trace_probe_parse(&p, "do_sys_openat2+8 dfd=%di", false), 0);
	assert_string_equal(p.symbol, "do_sys_openat2+8");
	trace_probe_free(&p);
	assert_int_equal(trace_probe_parse(&p, "nocolon", true), -EINVAL);
	trace_probe_free(&p);
	assert_int_equal(trace_probe_parse(&p, "libc:malloc+x", true), -EINVAL);
	trace_probe_free(&p);
	assert_int_equal(trace_probe_parse(&p, "libc:0x12zz", true), -EINVAL);
	trace_probe_free(&p);
	assert_int_equal(trace_probe_parse(&p, "r:", false), -EINVAL);
	trace_probe_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_dyn_out_of_bounds),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_specs),
		cmocka_unit_test(test_real_formats),
		cmocka_unit_test(test_captured_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
