// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_graph: the ftk graph engine on function_graph pages captured from Debian 6.1 and
 * 6.12 guests (tests/data/graph/<kernel>/: header_page, the ftrace event formats, per-CPU
 * trace_pipe_raw pages, the kallsyms lines of the functions seen, and the durations the
 * kernel's own `trace` file printed for the same records). The pages go through the core
 * reader (offline), so decoding is the production path. Checks: field binding on both
 * layouts, durations identical to the kernel's, per-thread trees that never interleave,
 * leaf lines, summary counts, --thresh, --max-depth, orphan returns, NDJSON and Chrome JSON
 * validity, name suggestions, argument errors. `test_graph --bench [ROUNDS]` measures the
 * decode + tree throughput; `test_graph --kallsyms` times loading /proc/kallsyms. The engine,
 * renderer and exporters are reached through their headers (src/cmd/graph/).
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "cmd/graph.h"
#include "cmd/graph/engine.h"
#include "cmd/graph/functions.h"
#include "cmd/graph/text.h"
#include "core/reader.h"
#include "core/run.h"
#include "parse.h"
#include "core/session_int.h"	/* ftk_tep_new/ftk_tep_load: build a tep from the captured formats */
#include "core/suggest.h"
#include "core/view.h"

#ifndef FTK_TEST_DATA
#define FTK_TEST_DATA "tests/data"
#endif

/* ---- captured data -> records ---- */

struct rec {
	uint64_t ts;
	int cpu, size;
	void *data;
};

struct capture {
	char dir[512];
	struct tep_handle *tep;
	struct tep_event *entry, *exit;
	struct rec *v;
	size_t n, cap;
};

static void collect(const struct ftk_rec *r, void *ctx)
{
	struct capture *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4096;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
	}
	struct rec *x = &c->v[c->n++];
	x->ts = r->ts;
	x->cpu = r->cpu;
	x->size = r->size;
	x->data = malloc(r->size);
	memcpy(x->data, r->data, r->size);
}

static void capture_load(struct capture *c, const char *kernel)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "%s/graph/%s", getenv("FTK_TEST_DATA") ?
		 getenv("FTK_TEST_DATA") : FTK_TEST_DATA, kernel);
	c->tep = ftk_tep_new(c->dir);
	assert_non_null(c->tep);
	c->entry = ftk_tep_load(c->tep, c->dir, "ftrace", "funcgraph_entry");
	c->exit = ftk_tep_load(c->tep, c->dir, "ftrace", "funcgraph_exit");
	assert_non_null(c->entry);
	assert_non_null(c->exit);
	struct ftk_reader_opts o = { .ncpus = 2, .subbuf_size = 4096, .tep = c->tep,
				     .dispatch = collect, .ctx = c };
	struct ftk_reader *r = ftk_reader_new_offline(&o);
	assert_non_null(r);
	for (int cpu = 0; cpu < 2; cpu++) {
		char path[600];
		size_t len;
		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d.raw", c->dir, cpu);
		char *buf = ftk_read_file(path, &len);
		assert_non_null(buf);
		for (size_t off = 0; off + 4096 <= len; off += 4096)
			ftk_reader_feed(r, cpu, buf + off, 4096);
		free(buf);
	}
	ftk_reader_drain(r, UINT64_MAX, true);
	ftk_reader_free(r);
	assert_true(c->n > 1000);
}

static void capture_free(struct capture *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].data);
	free(c->v);
	tep_free(c->tep);
}

/* Run the engine on records [from, n) of c with options o; output into *out. */
static void run_engine(struct capture *c, const struct graph_output *o, struct ftk_buf *out,
		       size_t from, struct graph *keep)
{
	struct graph g;
	char path[600];

	graph_engine_init(&g, o);
	g.sink = out;
	snprintf(path, sizeof(path), "%s/kallsyms", c->dir);
	assert_int_equal(ftk_ksyms_load(&g.ksyms, path), 0);
	assert_int_equal(graph_engine_bind(&g, c->entry, c->exit), 0);
	if (o->format == GRAPH_CHROME)
		ftk_buf_adds(out, "{\"traceEvents\":[\n");
	for (size_t i = from; i < c->n; i++) {
		struct ftk_rec r = { .ts = c->v[i].ts, .cpu = c->v[i].cpu, .size = c->v[i].size,
				     .data = c->v[i].data };
		graph_record(&g, &r);
	}
	graph_engine_finish(&g);
	if (keep) {
		*keep = g;
		return;
	}
	graph_engine_free(&g);
}

static const char *const kernels[] = { "6.1", "6.12" };

/* ---- helpers on output text ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every "N.NNN us" of the text, as strings, sorted. */
static char **durations(const char *text, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	const char *p = text;

	*n = 0;
	while ((p = strstr(p, " us "))) {
		const char *s = p;
		while (s > text && (isdigit((unsigned char)s[-1]) || s[-1] == '.'))
			s--;
		if (s < p) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 1024;
				v = realloc(v, cap * sizeof(*v));
			}
			v[(*n)++] = strndup(s, p - s);
		}
		p += 4;
	}
	qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- a small strict JSON validator ---- */

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *js_number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	if (*p == '0' && isdigit((unsigned char)p[1]))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p > s ? p : NULL;
}

static const char *js_value(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = js_ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';
		p = js_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = js_string(js_ws(p));
				if (!p)
					return NULL;
				p = js_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = js_value(p, depth + 1);
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			return *p == close ? p + 1 : NULL;
		}
	}
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return js_number(p);
}

static bool json_valid(const char *s)
{
	const char *e = js_value(s, 0);

	return e && !*js_ws(e);
}

/* ---- tests ---- */

/* Both layouts bind; every record is an entry or an exit; the exits carry no retval on
 * these Debian kernels (CONFIG_FUNCTION_GRAPH_RETVAL=n). */
static void test_decode(void **state)
{
	for (size_t k = 0; k < FTK_ARRAY_SIZE(kernels); k++) {
		struct capture c;
		struct graph g;
		struct graph_output o = { .format = GRAPH_TEXT };
		capture_load(&c, kernels[k]);
		graph_engine_init(&g, &o);
		assert_int_equal(graph_engine_bind(&g, c.entry, c.exit), 0);
		assert_false(ftk_field_has(&g.exit_retval));
		assert_int_equal(g.entry_func.size, 8);
		assert_int_equal(g.exit_calltime.offset, 24);
		size_t ne = 0, nx = 0;
		for (size_t i = 0; i < c.n; i++) {
			int id = ftk_rec_type(c.v[i].data);
			ne += id == g.entry_id;
			nx += id == g.exit_id;
			if (i)
				assert_true(c.v[i].ts >= c.v[i - 1].ts);
		}
		assert_int_equal(ne + nx, c.n);
		assert_true(ne >= nx - 2 && nx >= ne - 2);
		graph_engine_free(&g);
		capture_free(&c);
	}
}

/* The durations printed are exactly the kernel's own (same records, same formatting), and
 * every function name resolves. */
static void test_durations_match_kernel(void **state)
{
	for (size_t k = 0; k < FTK_ARRAY_SIZE(kernels); k++) {
		struct capture c;
		struct graph_output o = { .format = GRAPH_TEXT };
		struct ftk_buf out = { 0 };
		capture_load(&c, kernels[k]);
		run_engine(&c, &o, &out, 0, NULL);
		size_t n;
		char **mine = durations(ftk_buf_str(&out), &n);
		char path[600];
		snprintf(path, sizeof(path), "%s/kernel_durations.txt", c.dir);
		char *ref = ftk_read_file(path, NULL);
		assert_non_null(ref);
		size_t nref = 0;
		for (char *p = ref; *p; p++)
			nref += *p == '\n';
		assert_int_equal(n, nref);
		char **rv = calloc(nref, sizeof(*rv));
		char *save = NULL;
		size_t i = 0;
		for (char *l = strtok_r(ref, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			rv[i++] = l;
		qsort(rv, nref, sizeof(*rv), cmp_str);
		for (i = 0; i < n; i++)
			assert_string_equal(mine[i], rv[i]);
		assert_null(strstr(ftk_buf_str(&out), "0xffff"));
		assert_non_null(strstr(ftk_buf_str(&out), "|  vfs_read() {\n"));
		free(rv);
		free(ref);
		free_strv(mine, n);
		ftk_buf_free(&out);
		capture_free(&c);
	}
}

/* Trees: each block starts with "# comm-tid", every line of it belongs to that thread
 * (-P column), braces balance, and the kernel's markers are used. */
static void test_trees_per_thread(void **state)
{
	for (size_t k = 0; k < FTK_ARRAY_SIZE(kernels); k++) {
		struct capture c;
		struct graph_output o = { .format = GRAPH_TEXT, .proc = true, .abstime = true };
		struct ftk_buf out = { 0 };
		capture_load(&c, kernels[k]);
		run_engine(&c, &o, &out, 0, NULL);
		char *text = strdup(ftk_buf_str(&out)), *save = NULL;
		char label[64] = "";
		int open = 0, trees = 0, leaves = 0, lines = 0, ended = 0;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (l[0] == '#') {
				assert_int_equal(open, ended);
				open = ended = 0;
				snprintf(label, sizeof(label), "%s", l + 2);
				char *sp = strchr(label, ' ');
				if (sp)
					*sp = 0;
				trees++;
				continue;
			}
			lines++;
			assert_true(label[0]);
			char who[80];
			snprintf(who, sizeof(who), " %s | ", label);
			assert_non_null(strstr(l, who));
			if (strstr(l, "tracing ended inside this call"))
				ended = open;	/* the tracer stopped inside these calls */
			else if (strstr(l, "() {"))
				open++;
			else if (strstr(l, "();"))
				leaves++;
			else if (strstr(l, "}"))
				open--;
			assert_true(open >= 0);
		}
		assert_int_equal(open, ended);
		assert_true(trees >= 80);
		assert_true(leaves > 1000);
		assert_true(lines > 4000);
		assert_non_null(strstr(ftk_buf_str(&out), " + "));
		assert_non_null(strstr(ftk_buf_str(&out), " ! "));
		free(text);
		ftk_buf_free(&out);
		capture_free(&c);
	}
}

static unsigned long long count_sub(const char *s, const char *sub)
{
	unsigned long long n = 0;

	while ((s = strstr(s, sub))) {
		n++;
		s += strlen(sub);
	}
	return n;
}

/* --summary counts equal the calls in the trees; self <= total; sorted by total. */
static void test_summary(void **state)
{
	for (size_t k = 0; k < FTK_ARRAY_SIZE(kernels); k++) {
		struct capture c;
		struct graph_output o = { .format = GRAPH_TEXT };
		struct ftk_buf tree = { 0 }, sum = { 0 }, js = { 0 };
		capture_load(&c, kernels[k]);
		run_engine(&c, &o, &tree, 0, NULL);
		o.summary = true;
		run_engine(&c, &o, &sum, 0, NULL);
		o.format = GRAPH_JSON;
		run_engine(&c, &o, &js, 0, NULL);
		unsigned long long reads = count_sub(ftk_buf_str(&tree), " vfs_read() {") +
					   count_sub(ftk_buf_str(&tree), " vfs_read();");
		assert_int_equal(reads, 48);	/* the kernel's trace shows 48 vfs_read calls */
		const char *l = strstr(ftk_buf_str(&sum), "\nvfs_read ");
		assert_non_null(l);
		unsigned long long calls;
		double total, self, avg, max;
		assert_int_equal(sscanf(l, " vfs_read %llu %lf %lf %lf %lf", &calls, &total, &self,
					&avg, &max), 5);
		assert_int_equal(calls, reads);
		assert_true(self <= total && max <= total && avg <= max);
		/* first data line has the largest total */
		double prev = 1e300;
		char *text = strdup(ftk_buf_str(&sum)), *save = NULL;
		for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
			char name[128];
			double t;
			if (sscanf(ln, "%127s %llu %lf", name, &calls, &t) != 3)
				continue;
			assert_true(t <= prev);
			prev = t;
		}
		free(text);
		assert_non_null(strstr(ftk_buf_str(&js), "{\"func\":\"vfs_read\",\"calls\":48,"));
		ftk_buf_free(&tree);
		ftk_buf_free(&sum);
		ftk_buf_free(&js);
		capture_free(&c);
	}
}

/* --thresh: no printed call is shorter; --max-depth: no line deeper than allowed. */
static void test_thresh_depth(void **state)
{
	for (size_t k = 0; k < FTK_ARRAY_SIZE(kernels); k++) {
		struct capture c;
		struct graph_output o = { .format = GRAPH_TEXT, .thresh_ns = 100000 };
		struct ftk_buf out = { 0 };
		capture_load(&c, kernels[k]);
		run_engine(&c, &o, &out, 0, NULL);
		size_t n;
		char **d = durations(ftk_buf_str(&out), &n);
		assert_true(n > 10);
		for (size_t i = 0; i < n; i++)
			assert_true(strtod(d[i], NULL) >= 100.0);
		free_strv(d, n);
		ftk_buf_reset(&out);

		struct graph_output o2 = { .format = GRAPH_TEXT, .max_depth = 2 };
		run_engine(&c, &o2, &out, 0, NULL);
		char *text = strdup(ftk_buf_str(&out)), *save = NULL;
		int maxind = 0;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *bar = strstr(l, "|  ");
			if (!bar || l[0] == '#')
				continue;
			int ind = (int)strspn(bar + 3, " ");
			if (ind > maxind)
				maxind = ind;
		}
		assert_int_equal(maxind, 2);	/* depth 0 and 1: one indent step */
		free(text);
		ftk_buf_reset(&out);

		struct graph_output o3 = { .format = GRAPH_JSON, .max_depth = 1, .thresh_ns = 50000 };
		run_engine(&c, &o3, &out, 0, NULL);
		assert_null(strstr(ftk_buf_str(&out), "\"depth\":1"));
		assert_non_null(strstr(ftk_buf_str(&out), "\"depth\":0"));
		ftk_buf_free(&out);
		capture_free(&c);
	}
}

/* Start mid-stream: returns without entries are dropped and counted, trees still close. */
static void test_orphans(void **state)
{
	for (size_t k = 0; k < FTK_ARRAY_SIZE(kernels); k++) {
		struct capture c;
		struct graph g;
		struct graph_output o = { .format = GRAPH_TEXT };
		struct ftk_buf out = { 0 };
		capture_load(&c, kernels[k]);
		/* find a point 3 levels deep inside a vfs_read tree */
		struct graph probe;
		graph_engine_init(&probe, &o);
		graph_engine_bind(&probe, c.entry, c.exit);
		size_t cut = 0;
		for (size_t i = c.n / 3; i < c.n && !cut; i++)
			if (ftk_rec_type(c.v[i].data) == probe.entry_id &&
			    ftk_field_s64(&probe.entry_depth, c.v[i].data, c.v[i].size, 0) == 3)
				cut = i;
		graph_engine_free(&probe);
		assert_true(cut > 0);
		run_engine(&c, &o, &out, cut + 1, &g);
		assert_true(g.orphans >= 3);
		const char *first = ftk_buf_str(&out);
		assert_true(first[0] == '#');
		assert_null(strstr(first, "} /*"));
		graph_engine_free(&g);
		ftk_buf_free(&out);
		capture_free(&c);
	}
}

/* --json: one valid object per line with the documented keys; chrome: valid JSON. */
static void test_json_chrome(void **state)
{
	for (size_t k = 0; k < FTK_ARRAY_SIZE(kernels); k++) {
		struct capture c;
		struct graph_output o = { .format = GRAPH_JSON };
		struct ftk_buf out = { 0 };
		capture_load(&c, kernels[k]);
		run_engine(&c, &o, &out, 0, NULL);
		char *text = strdup(ftk_buf_str(&out)), *save = NULL;
		int n = 0;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			assert_true(json_valid(l));
			static const char *const keys[] = { "{\"time\":", "\"ts\":",
				"\"cpu\":", "\"pid\":", "\"comm\":", "\"func\":", "\"depth\":",
				"\"duration_us\":", "\"parent\":" };
			for (size_t i = 0; i < FTK_ARRAY_SIZE(keys); i++)
				assert_non_null(strstr(l, keys[i]));
			n++;
		}
		assert_true(n > 2500);
		assert_non_null(strstr(ftk_buf_str(&out), "\"func\":\"vfs_read\",\"depth\":0"));
		assert_non_null(strstr(ftk_buf_str(&out), "\"parent\":\"vfs_read\""));
		free(text);
		ftk_buf_reset(&out);

		o.format = GRAPH_CHROME;
		run_engine(&c, &o, &out, 0, NULL);
		assert_true(json_valid(ftk_buf_str(&out)));
		assert_non_null(strstr(ftk_buf_str(&out), "\"ph\":\"X\""));
		assert_non_null(strstr(ftk_buf_str(&out), "\"thread_name\""));
		ftk_buf_free(&out);
		capture_free(&c);
	}
	assert_false(json_valid("{\"a\":1,}"));
	assert_false(json_valid("[1 2]"));
}

/* Kernel duration column, markers included. */
static void test_fmt_dur(void **state)
{
	static const struct { uint64_t ns; const char *s; } v[] = {
		{ 4619, "   4.619 us    " },
		{ 29095, " + 29.095 us   " },
		{ 102642, " ! 102.642 us  " },
		{ 1646326, " # 1646.326 us " },
		{ 12345678, " * 12345.67 us " },
		{ 123456789, " @ 123456.7 us " },
		{ 2000000000, " $ 2000000 us  " },
	};

	for (size_t i = 0; i < FTK_ARRAY_SIZE(v); i++) {
		struct ftk_buf b = { 0 };
		graph_format_duration(&b, v[i].ns);
		assert_string_equal(ftk_buf_str(&b), v[i].s);
		ftk_buf_free(&b);
	}
}

static void test_suggest(void **state)
{
	const char *aff = "vfs_read\nvfs_readv\nvfs_write\nksys_read\n__x64_sys_read\n"
			  "ext4_file_read_iter [ext4]\nseq_read\n";
	struct ftk_buf b = { 0 };

	assert_true(graph_function_listed(aff, "vfs_read"));
	assert_true(graph_function_listed(aff, "ext4_file_read_iter"));
	assert_true(graph_function_listed(aff, "vfs_*"));
	assert_false(graph_function_listed(aff, "vfs_rea"));
	assert_false(graph_function_listed(aff, "nosuch*"));
	graph_function_suggest(aff, "vfs_raed", &b);
	assert_true(strncmp(ftk_buf_str(&b), "vfs_read", 8) == 0);
	ftk_buf_reset(&b);
	graph_function_suggest(aff, "ext4_file_read", &b);
	assert_string_equal(ftk_buf_str(&b), "ext4_file_read_iter");
	ftk_buf_reset(&b);
	graph_function_suggest(aff, "zzzzzzzzzzzz", &b);
	assert_int_equal(b.len, 0);
	ftk_buf_free(&b);
	assert_int_equal(ftk_edit_distance("kitten", 6, "sitting", 7, 5, false), 3);
}

extern const struct ftk_view ftk_view_graph;

/* The runner's parse, then graph's check: 0, or the exit code of a malformed command line
 * (the arguments after "graph", NULL-terminated). The caller ends with ftk_run_fini(r). */
static int parse(struct ftk_run *r, struct graph_options **o, ...)
{
	va_list ap;

	va_start(ap, o);
	int rc = parse_view(r, &ftk_view_graph, "graph", ap);
	va_end(ap);
	*o = r->state;
	if (!rc) {
		FILE *saved = stderr;
		stderr = fopen("/dev/null", "w");
		rc = ftk_view_graph.ops->check(r);
		fclose(stderr);
		stderr = saved;
	}
	return rc == -EINVAL ? FTK_EXIT_USAGE : rc;
}

static void test_args(void **state)
{
	static const char *const bad[][8] = {
		{ NULL },
		{ "vfs_read", "-p", "1", "--", "ls", NULL },
		{ "vfs_read", "--format", "xml", NULL },
		{ "vfs_read", "-p", "1,x", NULL },
		{ "vfs_read", "-m", "0", NULL },
		{ "vfs_read", "--", NULL },
	};
	struct ftk_run r;
	struct graph_options *o;

	ftk_prog = "ftk graph";
	for (size_t i = 0; i < FTK_ARRAY_SIZE(bad); i++) {
		const char *const *a = bad[i];
		assert_int_equal(parse(&r, &o, a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL),
				 FTK_EXIT_USAGE);
		ftk_run_fini(&r);
	}
	assert_int_equal(parse(&r, &o, "vfs_read", "-p", "12,34", "-m", "3", "--thresh", "2.5",
			       "ksys_read", "--json", NULL), 0);
	assert_int_equal(o->nfuncs, 2);
	assert_string_equal(o->funcs[1], "ksys_read");
	assert_int_equal(r.npids, 2);
	assert_int_equal(r.pids[1], 34);
	assert_int_equal(o->output.max_depth, 3);
	assert_int_equal(o->output.thresh_ns, 2500);
	assert_int_equal(o->output.format, GRAPH_JSON);
	ftk_run_fini(&r);
	assert_int_equal(parse(&r, &o, "vfs_read", "-t", "--", "cat", "-p", "/x", NULL), 0);
	assert_int_equal(r.npids, 0);
	assert_string_equal(r.command[0], "cat");
	assert_string_equal(r.command[1], "-p");
	assert_true(o->output.abstime);
	ftk_run_fini(&r);
}

/* Lost events flush open trees with a marker and reset the stacks. */
static void test_lost(void **state)
{
	struct capture c;
	struct graph g;
	struct graph_output o = { .format = GRAPH_TEXT };
	struct ftk_buf out = { 0 };
	char path[600];

	capture_load(&c, "6.12");
	graph_engine_init(&g, &o);
	g.sink = &out;
	snprintf(path, sizeof(path), "%s/kallsyms", c.dir);
	ftk_ksyms_load(&g.ksyms, path);
	graph_engine_bind(&g, c.entry, c.exit);
	size_t half = c.n / 2;
	for (size_t i = 0; i < c.n; i++) {
		struct ftk_rec r = { c.v[i].ts, c.v[i].cpu, c.v[i].size, c.v[i].data };
		if (i == half)
			graph_lost(&g, 0);
		graph_record(&g, &r);
	}
	graph_engine_finish(&g);
	for (size_t i = 0; i < g.threads_size; i++)
		for (struct graph_thread *t = g.threads[i]; t; t = t->hash_next)
			assert_int_equal(t->depth, 0);
	graph_engine_free(&g);
	ftk_buf_free(&out);
	capture_free(&c);
}

/* ---- not tests ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_rec(const struct ftk_rec *r, void *ctx)
{
	graph_record(ctx, r);
}

static void bench_decode_only(const struct ftk_rec *r, void *ctx)
{
	struct graph *g = ctx;

	g->records += ftk_field_u64(&g->entry_func, r->data, r->size, 0) != 0;	/* touch the record */
}

/* Decode (core reader, offline) + engine throughput on the captured pages. */
static int bench(int rounds)
{
	for (size_t k = 0; k < FTK_ARRAY_SIZE(kernels); k++) {
		struct capture c;
		capture_load(&c, kernels[k]);
		size_t nrec = c.n;
		/* decode only */
		char path[600];
		char *pages[2];
		size_t plen[2];
		for (int cpu = 0; cpu < 2; cpu++) {
			snprintf(path, sizeof(path), "%s/per_cpu/cpu%d.raw", c.dir, cpu);
			pages[cpu] = ftk_read_file(path, &plen[cpu]);
		}
		static const char *const modes[] = { "text", "json", "summary", "decode" };
		for (int m = 0; m < 4; m++) {
			struct graph g;
			struct graph_output o = { .format = m == 1 ? GRAPH_JSON : GRAPH_TEXT,
						.summary = m == 2 };
			struct ftk_buf out = { 0 };
			graph_engine_init(&g, &o);
			g.sink = &out;
					snprintf(path, sizeof(path), "%s/kallsyms", c.dir);
			ftk_ksyms_load(&g.ksyms, path);
			graph_engine_bind(&g, c.entry, c.exit);
			double t0 = now_s();
			for (int r = 0; r < rounds; r++) {
				struct ftk_reader_opts ro = { .ncpus = 2, .subbuf_size = 4096,
							      .tep = c.tep,
							      .dispatch = m == 3 ?
								bench_decode_only : bench_rec,
							      .ctx = &g };
				struct ftk_reader *rd = ftk_reader_new_offline(&ro);
				for (int cpu = 0; cpu < 2; cpu++)
					for (size_t off = 0; off + 4096 <= plen[cpu]; off += 4096)
						ftk_reader_feed(rd, cpu, pages[cpu] + off, 4096);
				ftk_reader_drain(rd, UINT64_MAX, true);
				ftk_reader_free(rd);
				ftk_buf_reset(&out);
			}
			double dt = now_s() - t0;
			printf("%-5s %-8s %zu records x %d rounds: %.3f s, %.2f M records/s "
			       "(%.0f ns/record%s)\n", kernels[k], modes[m], nrec,
			       rounds, dt, nrec * (double)rounds / dt / 1e6,
			       dt * 1e9 / (nrec * (double)rounds),
			       m == 3 ? ", decode only" : ", decode + engine");
			graph_engine_free(&g);
			ftk_buf_free(&out);
		}
		free(pages[0]);
		free(pages[1]);
		capture_free(&c);
	}
	return 0;
}

static int time_kallsyms(void)
{
	struct ftk_ksyms k = { 0 };
	double t0 = now_s();
	int rc = ftk_ksyms_load(&k, "/proc/kallsyms");
	double dt = now_s() - t0;

	printf("/proc/kallsyms: %s, %zu text symbols in %.1f ms\n", rc ? "unusable" : "ok", k.n,
	       dt * 1e3);
	ftk_ksyms_free(&k);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_durations_match_kernel),
		cmocka_unit_test(test_trees_per_thread),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_thresh_depth),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_json_chrome),
		cmocka_unit_test(test_fmt_dur),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_lost),
	};

	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench(argc > 2 ? atoi(argv[2]) : 200);
	if (argc > 2 && !strcmp(argv[1], "--dump")) {
		/* --dump KERNEL [text|json|chrome|summary|proc]: the engine's output, to look at */
		struct capture c;
		struct graph_output o = { .format = GRAPH_TEXT };
		struct ftk_buf out = { 0 };
		const char *m = argc > 3 ? argv[3] : "text";
		o.format = !strcmp(m, "json") ? GRAPH_JSON : !strcmp(m, "chrome") ? GRAPH_CHROME
									   : GRAPH_TEXT;
		o.summary = !strcmp(m, "summary");
		o.proc = o.abstime = !strcmp(m, "proc");
		capture_load(&c, argv[2]);
		run_engine(&c, &o, &out, 0, NULL);
		fwrite(out.p, 1, out.len, stdout);
		ftk_buf_free(&out);
		capture_free(&c);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--kallsyms"))
		return time_kallsyms();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
