// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk graph: function_graph call trees of kernel functions, for all tasks, the threads of
 * some processes (-p), one thread (-L) or a command ftk starts (-- CMD). The kernel's
 * function_graph tracer writes ftrace:funcgraph_entry/funcgraph_exit records (their layout
 * differs between kernels: fields are looked up by name); this file resolves their
 * addresses through /proc/kallsyms, keeps one call stack per thread, and prints each
 * thread's tree in one piece once its root call returns (so two threads' trees never
 * interleave), or one NDJSON record per completed call, Chrome trace-event JSON, or a
 * per-function profile (--summary). set_graph_function, set_graph_notrace and
 * max_graph_depth are global on every kernel: the session saves and restores them.
 * The engine (struct graph) is fed records and knows nothing of tracefs, so the unit tests
 * drive it with pages captured from 6.1 and 6.12 guests.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <fnmatch.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "core/events.h"
#include "core/features.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

#define GRAPH_MAX_STACK		256	/* frames kept per thread (kernel depth is smaller) */
#define GRAPH_MAX_NODES		65536	/* tree nodes buffered per thread before a partial flush */
#define GRAPH_MAX_THREADS	16384	/* idle thread states kept before eviction */
#define GRAPH_OUT_FLUSH		65536	/* bytes of output buffered before handing to stdout */

/* ---------------------------------------------------------------------------------------- */
/* kallsyms: text symbols sorted by address, loaded once                                    */
/* ---------------------------------------------------------------------------------------- */

struct ksym {
	uint64_t addr;
	uint32_t name;		/* offset in names */
};

struct ksyms {
	struct ksym *v;
	size_t n, cap;
	struct ftk_buf names;
	bool loaded;
	uint64_t cache_addr[1024];
	const char *cache_name[1024];
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One "ADDR TYPE NAME[\t[module]]" line: text symbols only. */
static void ksyms_line(struct ksyms *k, const char *l, bool *sorted)
{
	uint64_t a = 0;
	int d;

	while ((d = hexval(*l)) >= 0) {
		a = a << 4 | (uint64_t)d;
		l++;
	}
	if (*l != ' ' || !a)
		return;
	char t = l[1];
	if (t != 't' && t != 'T' && t != 'w' && t != 'W')
		return;
	const char *name = l + 3;
	size_t len = strcspn(name, "\t\n ");
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 65536;
		k->v = ftk_xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	if (k->n && k->v[k->n - 1].addr > a)
		*sorted = false;
	k->v[k->n].addr = a;
	k->v[k->n].name = (uint32_t)k->names.len;
	k->n++;
	ftk_buf_add(&k->names, name, len);
	ftk_buf_addc(&k->names, 0);
}

/* Load PATH (/proc/kallsyms). 0, or -1 when unreadable or all addresses are hidden. */
static int ksyms_load(struct ksyms *k, const char *path)
{
	FILE *f = fopen(path, "re");

	k->loaded = true;
	if (!f)
		return -1;
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	char line[512];
	bool sorted = true;
	while (fgets(line, sizeof(line), f))
		ksyms_line(k, line, &sorted);
	fclose(f);
	if (!sorted)
		qsort(k->v, k->n, sizeof(*k->v), ksym_cmp);
	return k->n ? 0 : -1;
}

/* Name of the function containing addr (as %ps prints it), or NULL. */
static const char *ksyms_find(struct ksyms *k, uint64_t addr)
{
	size_t slot = (addr >> 4) & (FTK_ARRAY_SIZE(k->cache_addr) - 1);

	if (k->cache_addr[slot] == addr && k->cache_name[slot])
		return k->cache_name[slot];
	size_t lo = 0, hi = k->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const char *name = k->names.p + k->v[lo - 1].name;
	k->cache_addr[slot] = addr;
	k->cache_name[slot] = name;
	return name;
}

static void ksyms_free(struct ksyms *k)
{
	free(k->v);
	ftk_buf_free(&k->names);
	memset(k, 0, sizeof(*k));
}

/* ---------------------------------------------------------------------------------------- */
/* options                                                                                  */
/* ---------------------------------------------------------------------------------------- */

enum graph_fmt { GRAPH_TEXT, GRAPH_JSON, GRAPH_CHROME };

struct graph_opts {
	char **funcs;
	int nfuncs;
	char **notrace;
	int nnotrace;
	pid_t *pids;		/* -p */
	int npids;
	pid_t tid;		/* -L */
	char **cmd;		/* -- COMMAND */
	double duration;
	unsigned long max_depth;	/* 0 = unlimited */
	uint64_t thresh_ns;
	unsigned long buffer_kb;
	bool on_cpu, noirqs, abstime, proc, retval, summary, force, dry_run;
	enum graph_fmt fmt;
};

/* ---------------------------------------------------------------------------------------- */
/* the engine                                                                               */
/* ---------------------------------------------------------------------------------------- */

struct gfield {
	int off, size;
	bool is_signed, ok;
};

struct gframe {
	uint64_t func;
	uint64_t ts;		/* entry record time */
	uint64_t child_ns;	/* time spent in traced children (for self time) */
	int depth;
	int cpu;
	int node;		/* index in the thread's nodes, -1 once flushed */
};

enum gnode_kind { GN_CALL, GN_CLOSE, GN_MIGRATE, GN_SWITCH, GN_LOST, GN_END };

struct gnode {
	uint8_t kind;
	bool closed;		/* GN_CALL: its return was seen */
	bool has_ret;
	bool keep;		/* render scratch */
	int depth;		/* absolute kernel depth (marks: depth of the call they are in + 1) */
	int cpu;
	int arg;		/* GN_MIGRATE: previous CPU; GN_SWITCH: the tid that ran before */
	uint64_t func;
	uint64_t ts;
	uint64_t dur;
	int64_t ret;
};

struct gthread {
	pid_t tid, tgid;
	char comm[16];
	bool comm_tried, chrome_named;
	int last_cpu;
	int root_depth;
	struct gframe *st;
	int nst, cst;
	struct gnode *nodes;
	int nn, cn;
	bool partial;		/* part of the current tree was already printed */
	struct gthread *hnext;
};

struct gstat {
	uint64_t func;		/* 0 = empty slot */
	uint64_t count, total, self, max;
};

struct graph {
	const struct graph_opts *o;
	struct ksyms ks;
	struct gfield e_func, e_depth, x_func, x_depth, x_calltime, x_rettime, x_retval,
		x_overrun;
	int entry_id, exit_id;

	struct gthread **tab;	/* hash by tid */
	size_t tabsz, nthreads;
	pid_t *cpu_last;	/* last tid seen per CPU */
	int ncpu_last;

	struct gstat *stats;
	size_t nstats, capstats;

	struct ftk_buf out;
	struct ftk_buf *sink;	/* tests: collect output here instead of stdout */
	bool chrome_first;
	bool no_proc;		/* tests: never look threads up in this machine's /proc */
	int cpu_width;		/* digits of the highest CPU number, as the kernel pads it */
	uint64_t records, calls, orphans, unmatched, too_deep, trees;
	bool lost_any;
	char hexname[32];
};

static void gfield_bind(struct gfield *f, struct tep_event *ev, const char *name)
{
	struct tep_format_field *tf = ev ? tep_find_field(ev, name) : NULL;

	memset(f, 0, sizeof(*f));
	if (!tf || (tf->flags & TEP_FIELD_IS_ARRAY))
		return;
	if (tf->size != 1 && tf->size != 2 && tf->size != 4 && tf->size != 8)
		return;
	f->off = tf->offset;
	f->size = tf->size;
	f->is_signed = tf->flags & TEP_FIELD_IS_SIGNED;
	f->ok = true;
}

static uint64_t gfield_u64(const struct gfield *f, const void *data)
{
	const unsigned char *p = (const unsigned char *)data + f->off;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (f->size) {
	case 1: memcpy(&v8, p, 1); return v8;
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	case 8: memcpy(&v64, p, 8); return v64;
	}
	return 0;
}

static int64_t gfield_s64(const struct gfield *f, const void *data)
{
	uint64_t v = gfield_u64(f, data);

	if (!f->is_signed || f->size == 8)
		return (int64_t)v;
	int shift = 64 - 8 * f->size;
	return (int64_t)(v << shift) >> shift;
}

/* Bind the record layouts. -1 when a field the engine needs is missing. */
static int graph_bind(struct graph *g, struct tep_event *entry, struct tep_event *exit)
{
	gfield_bind(&g->e_func, entry, "func");
	gfield_bind(&g->e_depth, entry, "depth");
	gfield_bind(&g->x_func, exit, "func");
	gfield_bind(&g->x_depth, exit, "depth");
	gfield_bind(&g->x_calltime, exit, "calltime");
	gfield_bind(&g->x_rettime, exit, "rettime");
	gfield_bind(&g->x_retval, exit, "retval");
	gfield_bind(&g->x_overrun, exit, "overrun");
	g->entry_id = entry ? entry->id : -1;
	g->exit_id = exit ? exit->id : -1;
	if (!g->e_func.ok || !g->e_depth.ok || !g->x_func.ok || !g->x_depth.ok ||
	    !g->x_calltime.ok || !g->x_rettime.ok)
		return -1;
	return 0;
}

static void graph_init(struct graph *g, const struct graph_opts *o)
{
	memset(g, 0, sizeof(*g));
	g->o = o;
	g->tabsz = 1024;
	g->tab = ftk_xcalloc(g->tabsz, sizeof(*g->tab));
	g->chrome_first = true;
	g->entry_id = g->exit_id = -1;
	g->cpu_width = 1;
	for (int n = get_nprocs_conf() - 1; n >= 10; n /= 10)
		g->cpu_width++;
}

static const char *fname(struct graph *g, uint64_t addr)
{
	const char *n = g->ks.n ? ksyms_find(&g->ks, addr) : NULL;

	if (n)
		return n;
	snprintf(g->hexname, sizeof(g->hexname), "0x%llx", (unsigned long long)addr);
	return g->hexname;
}

/* ---- output plumbing ---- */

static void graph_flush_out(struct graph *g)
{
	if (!g->out.len)
		return;
	if (g->sink)
		ftk_buf_add(g->sink, g->out.p, g->out.len);
	else
		ftk_out(g->out.p, g->out.len);
	ftk_buf_reset(&g->out);
}

static void graph_maybe_flush(struct graph *g)
{
	if (g->out.len >= GRAPH_OUT_FLUSH)
		graph_flush_out(g);
}

/* ---- threads ---- */

static struct gthread *thread_find(struct graph *g, pid_t tid)
{
	struct gthread *t = g->tab[(uint32_t)tid & (g->tabsz - 1)];

	while (t && t->tid != tid)
		t = t->hnext;
	return t;
}

static void thread_free(struct gthread *t)
{
	free(t->st);
	free(t->nodes);
	free(t);
}

/* Drop thread states with no open call (their comm is looked up again if they return). */
static void threads_evict(struct graph *g)
{
	for (size_t i = 0; i < g->tabsz; i++) {
		struct gthread **pp = &g->tab[i];
		while (*pp) {
			struct gthread *t = *pp;
			if (!t->nst && !t->nn) {
				*pp = t->hnext;
				thread_free(t);
				g->nthreads--;
			} else {
				pp = &t->hnext;
			}
		}
	}
}

static void threads_grow(struct graph *g)
{
	size_t nsz = g->tabsz * 2;
	struct gthread **nt = ftk_xcalloc(nsz, sizeof(*nt));

	for (size_t i = 0; i < g->tabsz; i++) {
		struct gthread *t = g->tab[i], *next;
		for (; t; t = next) {
			next = t->hnext;
			size_t h = (uint32_t)t->tid & (nsz - 1);
			t->hnext = nt[h];
			nt[h] = t;
		}
	}
	free(g->tab);
	g->tab = nt;
	g->tabsz = nsz;
}

static struct gthread *thread_get(struct graph *g, pid_t tid)
{
	struct gthread *t = thread_find(g, tid);

	if (t)
		return t;
	if (g->nthreads >= GRAPH_MAX_THREADS)
		threads_evict(g);
	if (g->nthreads >= g->tabsz)
		threads_grow(g);
	t = ftk_xcalloc(1, sizeof(*t));
	t->tid = tid;
	t->last_cpu = -1;
	size_t h = (uint32_t)tid & (g->tabsz - 1);
	t->hnext = g->tab[h];
	g->tab[h] = t;
	g->nthreads++;
	return t;
}

static const char *thread_comm(struct graph *g, struct gthread *t)
{
	if (!t->comm[0] && !t->comm_tried && !g->no_proc) {
		t->comm_tried = true;
		if (!ftk_proc_comm(t->tid, t->comm, sizeof(t->comm)))
			t->comm[0] = 0;
	}
	return t->comm[0] ? t->comm : "<...>";
}

static void thread_set_comm(struct gthread *t, const char *comm, size_t len)
{
	if (len >= sizeof(t->comm))
		len = sizeof(t->comm) - 1;
	memcpy(t->comm, comm, len);
	t->comm[len] = 0;
	t->comm_tried = true;
	t->chrome_named = false;
}

static struct gnode *node_add(struct gthread *t, enum gnode_kind kind, int depth, int cpu,
			      uint64_t ts)
{
	if (t->nn == t->cn) {
		t->cn = t->cn ? t->cn * 2 : 64;
		t->nodes = ftk_xrealloc(t->nodes, t->cn * sizeof(*t->nodes));
	}
	struct gnode *n = &t->nodes[t->nn++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->depth = depth;
	n->cpu = cpu;
	n->ts = ts;
	return n;
}

/* ---- text rendering ---- */

/* The kernel's duration markers. */
static char dur_mark(uint64_t ns)
{
	if (ns > 1000000000ull)
		return '$';
	if (ns > 100000000ull)
		return '@';
	if (ns > 10000000ull)
		return '*';
	if (ns > 1000000ull)
		return '#';
	if (ns > 100000ull)
		return '!';
	if (ns > 10000ull)
		return '+';
	return ' ';
}

/* Decimal digits of v into out (no NUL); returns the count. */
static int utoa(char *out, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static void put_spaces(struct ftk_buf *b, int n)
{
	static const char sp[] = "                                                                ";

	while (n > 0) {
		int k = n < (int)sizeof(sp) - 1 ? n : (int)sizeof(sp) - 1;
		ftk_buf_add(b, sp, k);
		n -= k;
	}
}

/* " ! 102.642 us  " (15 columns): microseconds with as many decimals as fit 8 chars. */
static void fmt_dur(struct ftk_buf *b, uint64_t ns)
{
	char s[48];
	int n = 0;

	s[n++] = ' ';
	s[n++] = dur_mark(ns);
	s[n++] = ' ';
	int start = n;
	n += utoa(s + n, ns / 1000);
	int len = n - start;
	if (len < 7) {
		unsigned rem = (unsigned)(ns % 1000);
		char frac[3] = { (char)('0' + rem / 100), (char)('0' + rem / 10 % 10),
				 (char)('0' + rem % 10) };
		int keep = 7 - len < 3 ? 7 - len : 3;
		s[n++] = '.';
		memcpy(s + n, frac, keep);
		n += keep;
		len += keep + 1;
	}
	memcpy(s + n, " us ", 4);
	n += 4;
	ftk_buf_add(b, s, n);
	put_spaces(b, 8 - len);
}

static void line_prefix(struct graph *g, struct gthread *t, int cpu, uint64_t ts,
			const uint64_t *dur)
{
	struct ftk_buf *b = &g->out;
	char s[64];
	int n;

	if (g->o->abstime)
		ftk_buf_printf(b, "%6llu.%06llu | ", (unsigned long long)(ts / 1000000000ull),
			       (unsigned long long)(ts % 1000000000ull / 1000));
	n = utoa(s, cpu < 0 ? 0 : (uint64_t)cpu);
	put_spaces(b, 1 + g->cpu_width - n);
	ftk_buf_add(b, s, n);
	ftk_buf_addc(b, ')');
	if (g->o->proc) {
		char who[40];
		snprintf(who, sizeof(who), "%s-%d", thread_comm(g, t), (int)t->tid);
		ftk_buf_printf(b, " %16s |", who);
	}
	if (dur)
		fmt_dur(b, *dur);
	else
		put_spaces(b, 15);
	ftk_buf_add(b, "|  ", 3);
}

static void indent(struct ftk_buf *b, int rel)
{
	put_spaces(b, 2 * rel);
}

static void ret_comment(struct graph *g, const struct gnode *n, const char *name)
{
	if (!g->o->retval || !n->has_ret)
		return;
	if (name)
		ftk_buf_printf(&g->out, " /* %s = %lld */", name, (long long)n->ret);
	else
		ftk_buf_printf(&g->out, " /* = %lld */", (long long)n->ret);
}

static void render_close(struct graph *g, struct gthread *t, const struct gnode *n, int rel)
{
	line_prefix(g, t, n->cpu, n->ts + n->dur, &n->dur);
	indent(&g->out, rel);
	ftk_buf_adds(&g->out, "}");
	if (n->kind == GN_CLOSE)
		ftk_buf_printf(&g->out, " /* %s */", fname(g, n->func));
	ret_comment(g, n, n->kind == GN_CLOSE ? NULL : fname(g, n->func));
	ftk_buf_addc(&g->out, '\n');
}

static void render_mark(struct graph *g, struct gthread *t, const struct gnode *n, int rel)
{
	line_prefix(g, t, n->cpu, n->ts, NULL);
	indent(&g->out, rel);
	switch (n->kind) {
	case GN_MIGRATE:
		ftk_buf_printf(&g->out, "------ CPU %d => %d ------\n", n->arg, n->cpu);
		break;
	case GN_SWITCH: {
		struct gthread *o = thread_find(g, n->arg);
		ftk_buf_printf(&g->out, "------ back on CPU %d after %s-%d ------\n", n->cpu,
			       o ? thread_comm(g, o) : "<...>", n->arg);
		break;
	}
	case GN_LOST:
		ftk_buf_adds(&g->out, "------ events lost: calls below are incomplete ------\n");
		break;
	default:
		ftk_buf_adds(&g->out, "------ tracing ended inside this call ------\n");
		break;
	}
}

/* Mark the nodes to print (thresh, depth), in place. Returns how many are kept. */
static int render_select(struct graph *g, struct gthread *t)
{
	int skip = -1, kept = 0;	/* skip: depth of a call whose subtree is hidden */

	for (int i = 0; i < t->nn; i++) {
		struct gnode *n = &t->nodes[i];
		n->keep = false;
		if (skip >= 0 && n->depth > skip)
			continue;
		skip = -1;
		int rel = n->depth - t->root_depth;
		if (n->kind == GN_CALL) {
			bool deep = g->o->max_depth && rel >= (int)g->o->max_depth;
			bool fast = g->o->thresh_ns && n->closed && n->dur < g->o->thresh_ns;
			if (deep || fast) {
				skip = n->depth;
				continue;
			}
		} else if (n->kind == GN_CLOSE) {
			if (g->o->thresh_ns && n->dur < g->o->thresh_ns)
				continue;
		}
		n->keep = true;
		kept++;
	}
	return kept;
}

/* Print the buffered nodes of t; open calls stay open (their close comes later as GN_CLOSE). */
static void render(struct graph *g, struct gthread *t)
{
	if (!t->nn)
		return;
	if (!render_select(g, t)) {
		t->nn = 0;
		return;
	}
	char who[40];
	snprintf(who, sizeof(who), "%s-%d", thread_comm(g, t), (int)t->tid);
	ftk_buf_printf(&g->out, "# %s%s\n", who, t->partial ? " (continued)" : "");
	int *open = ftk_xmalloc((t->nn + 1) * sizeof(*open)), nopen = 0;
	for (int i = 0; i < t->nn; i++) {
		struct gnode *n = &t->nodes[i];
		if (!n->keep)
			continue;
		while (nopen && t->nodes[open[nopen - 1]].depth >= n->depth) {
			struct gnode *o = &t->nodes[open[--nopen]];
			if (o->closed)
				render_close(g, t, o, o->depth - t->root_depth);
		}
		int rel = n->depth - t->root_depth;
		if (rel < 0)
			rel = 0;
		if (n->kind == GN_CLOSE) {
			render_close(g, t, n, rel);
			continue;
		}
		if (n->kind != GN_CALL) {
			render_mark(g, t, n, rel);
			continue;
		}
		int j = i + 1;
		while (j < t->nn && !t->nodes[j].keep)
			j++;
		bool leaf = n->closed && (j == t->nn || t->nodes[j].depth <= n->depth);
		line_prefix(g, t, n->cpu, n->ts, leaf ? &n->dur : NULL);
		indent(&g->out, rel);
		ftk_buf_adds(&g->out, fname(g, n->func));
		if (leaf) {
			ftk_buf_add(&g->out, "();", 3);
			ret_comment(g, n, NULL);
			ftk_buf_addc(&g->out, '\n');
		} else {
			ftk_buf_add(&g->out, "() {\n", 5);
			open[nopen++] = i;
		}
	}
	while (nopen) {
		struct gnode *o = &t->nodes[open[--nopen]];
		if (o->closed)
			render_close(g, t, o, o->depth - t->root_depth);
	}
	free(open);
	ftk_buf_addc(&g->out, '\n');
	t->nn = 0;
	g->trees++;
	graph_maybe_flush(g);
}

/* Print what t holds now and keep its open calls open: their returns print as closes. */
static void render_partial(struct graph *g, struct gthread *t)
{
	render(g, t);
	for (int i = 0; i < t->nst; i++)
		t->st[i].node = -1;
	t->partial = true;
}

/* ---- JSON, Chrome and summary outputs (one per completed call) ---- */

static struct gstat *stat_get(struct graph *g, uint64_t func)
{
	if (2 * (g->nstats + 1) > g->capstats) {
		size_t ncap = g->capstats ? g->capstats * 2 : 1024;
		struct gstat *nv = ftk_xcalloc(ncap, sizeof(*nv));
		for (size_t i = 0; i < g->capstats; i++) {
			if (!g->stats[i].func)
				continue;
			size_t h = (g->stats[i].func >> 4) * 0x9E3779B97F4A7C15ull >> 40;
			while (nv[h & (ncap - 1)].func)
				h++;
			nv[h & (ncap - 1)] = g->stats[i];
		}
		free(g->stats);
		g->stats = nv;
		g->capstats = ncap;
	}
	size_t h = (func >> 4) * 0x9E3779B97F4A7C15ull >> 40;
	for (;; h++) {
		struct gstat *s = &g->stats[h & (g->capstats - 1)];
		if (s->func == func)
			return s;
		if (!s->func) {
			s->func = func;
			g->nstats++;
			return s;
		}
	}
}

/* "SEC.FRAC" of v / 10^digits, e.g. (1646326, 3) -> "1646.326", no printf. */
static const char *fixed(char *out, uint64_t v, int digits)
{
	uint64_t div = 1;

	for (int i = 0; i < digits; i++)
		div *= 10;
	int n = utoa(out, v / div);
	uint64_t rem = v % div;
	out[n++] = '.';
	for (int i = digits - 1; i >= 0; i--, rem /= 10)
		out[n + i] = (char)('0' + rem % 10);
	out[n + digits] = 0;
	return out;
}

static void emit_json(struct graph *g, struct gthread *t, const struct gframe *f,
		      const struct gframe *parent, uint64_t dur, bool has_ret, int64_t ret)
{
	struct ftk_json j;
	const char *comm = thread_comm(g, t);

	ftk_json_begin(&j, &g->out);
	ftk_json_int(&j, "tid", t->tid);
	ftk_json_str(&j, "comm", comm, strlen(comm));
	ftk_json_int(&j, "cpu", f->cpu);
	ftk_json_cstr(&j, "func", fname(g, f->func));
	ftk_json_int(&j, "depth", f->depth - t->root_depth);
	char num[48];
	ftk_json_raw(&j, "ts", fixed(num, f->ts / 1000, 6));
	ftk_json_raw(&j, "duration_us", fixed(num, dur, 3));
	ftk_json_cstr(&j, "parent", parent ? fname(g, parent->func) : NULL);
	if (g->o->retval && has_ret)
		ftk_json_int(&j, "retval", ret);
	ftk_json_end(&j);
	graph_maybe_flush(g);
}

static void chrome_sep(struct graph *g)
{
	if (!g->chrome_first)
		ftk_buf_addc(&g->out, ',');
	g->chrome_first = false;
}

static pid_t thread_tgid(struct graph *g, struct gthread *t)
{
	if (!t->tgid) {
		pid_t p = g->no_proc ? 0 : ftk_proc_tgid(t->tid);
		t->tgid = p > 0 ? p : t->tid;
	}
	return t->tgid;
}

static void emit_chrome(struct graph *g, struct gthread *t, const struct gframe *f,
			uint64_t dur, bool has_ret, int64_t ret)
{
	struct ftk_json j;
	char us[48];

	if (!t->chrome_named) {
		char who[40];
		snprintf(who, sizeof(who), "%s-%d", thread_comm(g, t), (int)t->tid);
		chrome_sep(g);
		ftk_json_begin(&j, &g->out);
		ftk_json_cstr(&j, "name", "thread_name");
		ftk_json_cstr(&j, "ph", "M");
		ftk_json_int(&j, "pid", thread_tgid(g, t));
		ftk_json_int(&j, "tid", t->tid);
		ftk_json_object_begin(&j, "args");
		ftk_json_cstr(&j, "name", who);
		ftk_json_object_end(&j);
		ftk_json_end(&j);
		t->chrome_named = true;
	}
	chrome_sep(g);
	ftk_json_begin(&j, &g->out);
	ftk_json_cstr(&j, "name", fname(g, f->func));
	ftk_json_cstr(&j, "cat", "function");
	ftk_json_cstr(&j, "ph", "X");
	ftk_json_raw(&j, "ts", fixed(us, f->ts, 3));
	ftk_json_raw(&j, "dur", fixed(us, dur, 3));
	ftk_json_int(&j, "pid", thread_tgid(g, t));
	ftk_json_int(&j, "tid", t->tid);
	ftk_json_object_begin(&j, "args");
	ftk_json_int(&j, "cpu", f->cpu);
	ftk_json_int(&j, "depth", f->depth - t->root_depth);
	if (g->o->retval && has_ret)
		ftk_json_int(&j, "retval", ret);
	ftk_json_object_end(&j);
	ftk_json_end(&j);
	graph_maybe_flush(g);
}

/* ---- the state machine ---- */

static void cpu_note(struct graph *g, struct gthread *t, int cpu, uint64_t ts)
{
	if (cpu < 0)
		return;
	if (cpu >= g->ncpu_last) {
		int n = cpu + 8;
		g->cpu_last = ftk_xrealloc(g->cpu_last, n * sizeof(*g->cpu_last));
		memset(g->cpu_last + g->ncpu_last, 0, (n - g->ncpu_last) * sizeof(*g->cpu_last));
		g->ncpu_last = n;
	}
	pid_t prev = g->cpu_last[cpu];
	g->cpu_last[cpu] = t->tid;
	if (g->o->fmt != GRAPH_TEXT || g->o->summary || !t->nst)
		return;
	int depth = t->st[t->nst - 1].depth + 1;
	if (t->last_cpu >= 0 && t->last_cpu != cpu) {
		struct gnode *n = node_add(t, GN_MIGRATE, depth, cpu, ts);
		n->arg = t->last_cpu;
	} else if (prev && prev != t->tid) {
		struct gnode *n = node_add(t, GN_SWITCH, depth, cpu, ts);
		n->arg = prev;
	}
}

static bool text_mode(const struct graph *g)
{
	return g->o->fmt == GRAPH_TEXT && !g->o->summary;
}

/* Calls above index `keep` never returned (lost records): forget them. */
static void unwind_to(struct graph *g, struct gthread *t, int keep)
{
	while (t->nst > keep) {
		t->nst--;
		g->unmatched++;
	}
}

static void graph_entry(struct graph *g, const struct ftk_rec *r)
{
	const void *d = r->data;
	struct gthread *t = thread_get(g, ftk_rec_pid(d));
	int depth = (int)gfield_s64(&g->e_depth, d);
	uint64_t func = gfield_u64(&g->e_func, d);

	g->records++;
	cpu_note(g, t, r->cpu, r->ts);
	t->last_cpu = r->cpu;
	int keep = t->nst;
	while (keep && t->st[keep - 1].depth >= depth)
		keep--;
	unwind_to(g, t, keep);
	if (!t->nst) {
		if (text_mode(g) && t->nn)
			render(g, t);
		t->root_depth = depth;
		t->partial = false;
	}
	if (t->nst >= GRAPH_MAX_STACK) {
		g->too_deep++;
		return;
	}
	if (t->nst == t->cst) {
		t->cst = t->cst ? t->cst * 2 : 16;
		t->st = ftk_xrealloc(t->st, t->cst * sizeof(*t->st));
	}
	struct gframe *f = &t->st[t->nst++];
	*f = (struct gframe){ .func = func, .ts = r->ts, .depth = depth, .cpu = r->cpu,
			      .node = -1 };
	if (text_mode(g)) {
		if (t->nn >= GRAPH_MAX_NODES)
			render_partial(g, t);
		f->node = t->nn;
		struct gnode *n = node_add(t, GN_CALL, depth, r->cpu, r->ts);
		n->func = func;
	}
}

static void account(struct graph *g, struct gthread *t, int i, uint64_t dur, bool has_ret,
		    int64_t ret)
{
	struct gframe *f = &t->st[i];
	struct gframe *parent = i ? &t->st[i - 1] : NULL;
	int rel = f->depth - t->root_depth;
	bool shown = !(g->o->max_depth && rel >= (int)g->o->max_depth) &&
		     !(g->o->thresh_ns && dur < g->o->thresh_ns);

	g->calls++;
	if (parent)
		parent->child_ns += dur;
	if (!shown)
		return;
	if (g->o->summary) {
		struct gstat *s = stat_get(g, f->func);
		uint64_t self = dur > f->child_ns ? dur - f->child_ns : 0;
		s->count++;
		s->total += dur;
		s->self += self;
		if (dur > s->max)
			s->max = dur;
	} else if (g->o->fmt == GRAPH_JSON) {
		emit_json(g, t, f, parent, dur, has_ret, ret);
	} else if (g->o->fmt == GRAPH_CHROME) {
		emit_chrome(g, t, f, dur, has_ret, ret);
	}
}

static void graph_exit(struct graph *g, const struct ftk_rec *r)
{
	const void *d = r->data;
	struct gthread *t = thread_find(g, ftk_rec_pid(d));
	int depth = (int)gfield_s64(&g->x_depth, d);
	uint64_t func = gfield_u64(&g->x_func, d);

	g->records++;
	if (!t || !t->nst) {
		/* began before tracing did (or before lost events): drop it */
		if (g->lost_any)
			g->unmatched++;
		else
			g->orphans++;
		return;
	}
	int i = t->nst - 1;
	while (i >= 0 && !(t->st[i].depth == depth && t->st[i].func == func))
		i--;
	if (i < 0) {
		if (depth < t->st[0].depth && !g->lost_any)
			g->orphans++;
		else
			g->unmatched++;
		return;
	}
	cpu_note(g, t, r->cpu, r->ts);
	t->last_cpu = r->cpu;
	unwind_to(g, t, i + 1);
	uint64_t call = gfield_u64(&g->x_calltime, d), ret = gfield_u64(&g->x_rettime, d);
	uint64_t dur = ret > call ? ret - call : 0;
	bool has_ret = g->x_retval.ok;
	int64_t rv = has_ret ? gfield_s64(&g->x_retval, d) : 0;
	struct gframe *f = &t->st[i];

	if (text_mode(g)) {
		struct gnode *n;
		if (f->node >= 0) {
			n = &t->nodes[f->node];
		} else {
			n = node_add(t, GN_CLOSE, depth, r->cpu, f->ts);
			n->func = func;
		}
		n->closed = true;
		n->dur = dur;
		n->has_ret = has_ret;
		n->ret = rv;
	}
	account(g, t, i, dur, has_ret, rv);
	t->nst = i;
	if (!t->nst && text_mode(g))
		render(g, t);
}

/* Dispatch one record of the funcgraph events. */
static void graph_record(struct graph *g, const struct ftk_rec *r)
{
	int id = ftk_rec_type(r->data);

	if (id == g->entry_id)
		graph_entry(g, r);
	else if (id == g->exit_id)
		graph_exit(g, r);
}

/* Events were lost: print every open tree as it is and start afresh. */
static void graph_lost(struct graph *g, int cpu)
{
	g->lost_any = true;
	for (size_t i = 0; i < g->tabsz; i++) {
		for (struct gthread *t = g->tab[i]; t; t = t->hnext) {
			if (!t->nst)
				continue;
			if (text_mode(g)) {
				node_add(t, GN_LOST, t->st[t->nst - 1].depth + 1, cpu, 0);
				render(g, t);
			}
			g->unmatched += t->nst;
			t->nst = 0;
		}
	}
	graph_flush_out(g);
}

static int stat_cmp(const void *a, const void *b)
{
	const struct gstat *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->count > y->count ? -1 : x->count < y->count;
}

static void print_summary(struct graph *g)
{
	struct gstat *v = ftk_xcalloc(g->nstats + 1, sizeof(*v));
	size_t n = 0, w = 8;

	for (size_t i = 0; i < g->capstats; i++)
		if (g->stats[i].func)
			v[n++] = g->stats[i];
	qsort(v, n, sizeof(*v), stat_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(fname(g, v[i].func));
		if (l > w)
			w = l;
	}
	if (w > 60)
		w = 60;
	if (g->o->fmt == GRAPH_TEXT)
		ftk_buf_printf(&g->out, "%-*s %10s %14s %14s %12s %12s\n", (int)w, "FUNCTION",
			       "CALLS", "TOTAL(us)", "SELF(us)", "AVG(us)", "MAX(us)");
	for (size_t i = 0; i < n; i++) {
		const struct gstat *s = &v[i];
		double avg = s->count ? (double)s->total / s->count / 1e3 : 0;
		if (g->o->fmt == GRAPH_TEXT) {
			ftk_buf_printf(&g->out, "%-*s %10llu %14.3f %14.3f %12.3f %12.3f\n",
				       (int)w, fname(g, s->func), (unsigned long long)s->count,
				       s->total / 1e3, s->self / 1e3, avg, s->max / 1e3);
			continue;
		}
		struct ftk_json j;
		ftk_json_begin(&j, &g->out);
		ftk_json_cstr(&j, "func", fname(g, s->func));
		ftk_json_uint(&j, "calls", s->count);
		ftk_json_double(&j, "total_us", s->total / 1e3, 3);
		ftk_json_double(&j, "self_us", s->self / 1e3, 3);
		ftk_json_double(&j, "avg_us", avg, 3);
		ftk_json_double(&j, "max_us", s->max / 1e3, 3);
		ftk_json_end(&j);
	}
	free(v);
}

/* The end: open trees are printed as they are, summaries and the Chrome trailer. */
static void graph_finish(struct graph *g)
{
	for (size_t i = 0; i < g->tabsz; i++) {
		for (struct gthread *t = g->tab[i]; t; t = t->hnext) {
			if (!text_mode(g) || (!t->nst && !t->nn))
				continue;
			if (t->nst)
				node_add(t, GN_END, t->st[t->nst - 1].depth + 1, t->last_cpu, 0);
			render(g, t);
			t->nst = 0;
		}
	}
	if (g->o->summary)
		print_summary(g);
	else if (g->o->fmt == GRAPH_CHROME)
		ftk_buf_adds(&g->out, "],\"displayTimeUnit\":\"ns\"}\n");
	graph_flush_out(g);
}

static void graph_free(struct graph *g)
{
	for (size_t i = 0; i < g->tabsz; i++) {
		struct gthread *t = g->tab[i], *next;
		for (; t; t = next) {
			next = t->hnext;
			thread_free(t);
		}
	}
	free(g->tab);
	free(g->cpu_last);
	free(g->stats);
	ftk_buf_free(&g->out);
	ksyms_free(&g->ks);
}

/* ---- comm tracking from sched events (short-lived tasks are gone before we print) ---- */

struct graph_ctx {
	struct graph *g;
	struct gfield exec_file, fork_child, rename_pid;
	const struct tep_format_field *fork_comm, *rename_comm, *exec_filename;
};

static void on_funcgraph(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	graph_record(((struct graph_ctx *)ctx)->g, r);
}

static void on_exec(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct graph_ctx *c = ctx;
	int len;

	if (!c->exec_filename)
		c->exec_filename = ftk_field(ev, "filename");
	const char *f = c->exec_filename ? ftk_get_str(c->exec_filename, r->data, r->size, &len)
					 : NULL;
	if (!f)
		return;
	const char *base = memrchr(f, '/', len);
	base = base ? base + 1 : f;
	thread_set_comm(thread_get(c->g, ftk_rec_pid(r->data)), base, len - (base - f));
}

static void on_fork(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct graph_ctx *c = ctx;
	int len;

	if (!c->fork_comm) {
		c->fork_comm = ftk_field(ev, "child_comm");
		gfield_bind(&c->fork_child, ev->tep, "child_pid");
	}
	if (!c->fork_comm || !c->fork_child.ok)
		return;
	const char *comm = ftk_get_str(c->fork_comm, r->data, r->size, &len);
	if (comm)
		thread_set_comm(thread_get(c->g, (pid_t)gfield_s64(&c->fork_child, r->data)), comm,
				len);
}

static void on_rename(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct graph_ctx *c = ctx;
	int len;

	if (!c->rename_comm) {
		c->rename_comm = ftk_field(ev, "newcomm");
		gfield_bind(&c->rename_pid, ev->tep, "pid");
	}
	if (!c->rename_comm || !c->rename_pid.ok)
		return;
	const char *comm = ftk_get_str(c->rename_comm, r->data, r->size, &len);
	pid_t pid = (pid_t)gfield_s64(&c->rename_pid, r->data);
	if (comm && thread_find(c->g, pid))
		thread_set_comm(thread_find(c->g, pid), comm, len);
}

/* ---------------------------------------------------------------------------------------- */
/* traceable functions: check names, suggest close ones                                     */
/* ---------------------------------------------------------------------------------------- */

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Next "name" of available_filter_functions ("name [module]" lines); NULL at the end. */
static const char *aff_next(const char **pos, size_t *len)
{
	const char *p = *pos;

	while (*p == '\n')
		p++;
	if (!*p)
		return NULL;
	const char *nl = strchr(p, '\n');
	*len = strcspn(p, " \t\n");
	*pos = nl ? nl + 1 : p + strlen(p);
	return p;
}

static bool aff_has(const char *aff, const char *want)
{
	const char *pos = aff, *n;
	size_t len, wl = strlen(want);
	bool glob = is_glob(want);
	char tmp[256];

	while ((n = aff_next(&pos, &len))) {
		if (!glob) {
			if (len == wl && memcmp(n, want, len) == 0)
				return true;
			continue;
		}
		if (len >= sizeof(tmp))
			continue;
		memcpy(tmp, n, len);
		tmp[len] = 0;
		if (fnmatch(want, tmp, 0) == 0)
			return true;
	}
	return false;
}

static int edit_distance(const char *a, size_t la, const char *b, size_t lb, int cap)
{
	int row[128];

	if (la >= FTK_ARRAY_SIZE(row) || lb >= FTK_ARRAY_SIZE(row))
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > (size_t)cap)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0], best;
		row[0] = (int)i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int v = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

/* Up to 5 names close to `want` (edit distance <= 2, else sharing a 4+ char prefix or
 * containing it), comma-separated into b. */
static void suggest(const char *aff, const char *want, struct ftk_buf *b)
{
	struct { const char *p; size_t len; int score; } best[5];
	int nbest = 0;
	const char *pos = aff, *n;
	size_t len, wl = strlen(want);

	while ((n = aff_next(&pos, &len))) {
		int score = edit_distance(want, wl, n, len, 2);
		if (score > 2) {
			if (wl >= 4 && len > wl && memmem(n, len, want, wl))
				score = 3 + (int)(len - wl) / 4;
			else
				continue;
		}
		bool dup = false;
		for (int i = 0; i < nbest; i++)
			dup |= best[i].len == len && memcmp(best[i].p, n, len) == 0;
		if (dup)
			continue;
		int at = nbest < 5 ? nbest++ : 4;
		if (at == 4 && nbest == 5 && best[4].score <= score)
			continue;
		best[at].p = n;
		best[at].len = len;
		best[at].score = score;
		for (int i = at; i > 0 && best[i].score < best[i - 1].score; i--) {
			__typeof__(best[0]) tmp = best[i];
			best[i] = best[i - 1];
			best[i - 1] = tmp;
		}
	}
	for (int i = 0; i < nbest; i++)
		ftk_buf_printf(b, "%s%.*s", i ? ", " : "", (int)best[i].len, best[i].p);
}

/* Every FUNC must be traceable. 0, or FTK_EXIT_FAIL after the message. When the list is
 * unreadable (EPERM, lockdown), the kernel's refusal of the write names the function. */
static int check_funcs(char **funcs, int n, const char *what)
{
	char *aff = ftk_traceable_functions();
	if (!aff)
		return 0;
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		if (aff_has(aff, funcs[i]))
			continue;
		ftk_error("cannot trace '%s'%s: not in available_filter_functions (unknown, "
			  "inlined, notrace or blocked)", funcs[i], what);
		struct ftk_buf b = { 0 };
		if (!is_glob(funcs[i]))
			suggest(aff, funcs[i], &b);
		if (b.len)
			ftk_hint("did you mean: %s?", b.p);
		else
			ftk_hint("list the traceable functions with: grep NAME %s/available_filter_functions",
				 ftk_tracefs());
		ftk_buf_free(&b);
		rc = FTK_EXIT_FAIL;
	}
	free(aff);
	return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* the view                                                                                 */
/* ---------------------------------------------------------------------------------------- */

static bool graph_usable(char *why, size_t len)
{
	if (!ftk_tracepoint_exists("ftrace", "funcgraph_entry")) {
		snprintf(why, len, "no ftrace:funcgraph_entry format (CONFIG_FUNCTION_GRAPH_TRACER=n)");
		return false;
	}
	return true;
}

static const struct ftk_backend graph_backends[] = {
	{
		.name = "function_graph",
		.desc = "function_graph tracer (own instance >= 6.11, top level before)",
		.needs = { FTK_F_TRACEFS, FTK_F_FGRAPH },
		.usable = graph_usable,
	},
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: ftk graph FUNC [FUNC...] [-p PID[,PID...] | -L TID | -- COMMAND [ARGS...]]\n"
"                 [-d SECS] [-m DEPTH] [--thresh USECS] [-C] [--noirqs] [-t] [-P]\n"
"                 [--retval] [--summary] [--json | --format text|json|chrome]\n"
"                 [--notrace FUNC] [--force] [--dry-run] [-b KB]\n"
"\n"
"Kernel call trees under FUNC (function_graph tracer), one thread's tree at a time.\n"
"\n"
"  FUNC               function (or glob) to graph; several allowed\n"
"  -p, --pid PID      all threads of PID (new threads and children followed)\n"
"  -L, --tid TID      one thread only\n"
"  -- COMMAND         run COMMAND and trace it (and its children) from its exec\n"
"  -d, --duration S   stop after S seconds (default: Ctrl-C or the command's end)\n"
"  -m, --max-depth N  show N levels below and including FUNC (max_graph_depth)\n"
"      --thresh US    only calls that took at least US microseconds\n"
"  -C, --on-cpu       exclude sleep time from durations (sleep-time off)\n"
"      --noirqs       do not trace interrupts (funcgraph-irqs off)\n"
"  -t, --abstime      absolute time column (CLOCK_MONOTONIC seconds)\n"
"  -P, --proc         comm-tid column on every line\n"
"      --retval       return values (kernels with funcgraph-retval)\n"
"      --summary      per-function calls, total, self, average and max time\n"
"      --json         NDJSON: one object per completed call\n"
"      --format F     text (default), json or chrome (trace-event JSON for Perfetto)\n"
"      --notrace FUNC do not trace FUNC nor what it calls (set_graph_notrace)\n"
"      --force        take over the tracer even when another tool uses it\n"
"      --dry-run      print the tracefs writes, make none\n"
"  -b, --buffer-kb KB per-CPU buffer size (default 8192)\n"
"\n"
"Examples:\n"
"  ftk graph vfs_read -p 1234          vfs_read trees of process 1234\n"
"  ftk graph do_sys_openat2 -- ls /    trees of the opens that ls makes\n"
"  ftk graph vfs_read --summary -d 5   where vfs_read spends its time, 5 s\n"
"  ftk graph vfs_write --format chrome -d 2 > w.json   (open in ui.perfetto.dev)\n");
}

enum { OPT_THRESH = 256, OPT_NOIRQS, OPT_RETVAL, OPT_SUMMARY, OPT_JSON, OPT_FORMAT,
       OPT_NOTRACE, OPT_FORCE, OPT_DRY };

static int add_pids(struct graph_opts *o, const char *arg)
{
	char *dup = ftk_xstrdup(arg), *save = NULL;

	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long v;
		if (ftk_parse_ulong(tok, 1, 0x7fffffff, &v)) {
			int rc = ftk_usage_error("invalid PID '%s'", tok);
			free(dup);
			return rc;
		}
		o->pids = ftk_xrealloc(o->pids, (o->npids + 1) * sizeof(*o->pids));
		o->pids[o->npids++] = (pid_t)v;
	}
	free(dup);
	if (!o->npids)
		return ftk_usage_error("-p needs a PID");
	return 0;
}

/* 0, FTK_EXIT_USAGE (printed) or -1 for --help (printed). */
static int parse_args(int argc, char **argv, struct graph_opts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 'L' },
		{ "duration", required_argument, NULL, 'd' },
		{ "max-depth", required_argument, NULL, 'm' },
		{ "thresh", required_argument, NULL, OPT_THRESH },
		{ "on-cpu", no_argument, NULL, 'C' },
		{ "noirqs", no_argument, NULL, OPT_NOIRQS },
		{ "abstime", no_argument, NULL, 't' },
		{ "proc", no_argument, NULL, 'P' },
		{ "retval", no_argument, NULL, OPT_RETVAL },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "notrace", required_argument, NULL, OPT_NOTRACE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int nopt = argc, c, rc;
	unsigned long v;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			nopt = i;
			o->cmd = argv + i + 1;
			break;
		}
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(nopt, argv, ":p:L:d:m:CtPb:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if ((rc = add_pids(o, optarg)))
				return rc;
			break;
		case 'L':
			if (ftk_parse_ulong(optarg, 1, 0x7fffffff, &v))
				return ftk_usage_error("invalid TID '%s'", optarg);
			o->tid = (pid_t)v;
			break;
		case 'd':
			if (ftk_parse_seconds(optarg, &o->duration))
				return ftk_usage_error("invalid duration '%s' (seconds)", optarg);
			break;
		case 'm':
			if (ftk_parse_ulong(optarg, 1, 1000, &o->max_depth))
				return ftk_usage_error("invalid depth '%s' (1..1000)", optarg);
			break;
		case OPT_THRESH: {
			double us;
			char *end;
			errno = 0;
			us = strtod(optarg, &end);
			if (errno || end == optarg || *end || us < 0 || us > 1e12)
				return ftk_usage_error("invalid threshold '%s' (microseconds)",
						       optarg);
			o->thresh_ns = (uint64_t)(us * 1000 + 0.5);
			break;
		}
		case 'C': o->on_cpu = true; break;
		case OPT_NOIRQS: o->noirqs = true; break;
		case 't': o->abstime = true; break;
		case 'P': o->proc = true; break;
		case OPT_RETVAL: o->retval = true; break;
		case OPT_SUMMARY: o->summary = true; break;
		case OPT_JSON: o->fmt = GRAPH_JSON; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o->fmt = GRAPH_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->fmt = GRAPH_JSON;
			else if (strcmp(optarg, "chrome") == 0)
				o->fmt = GRAPH_CHROME;
			else
				return ftk_usage_error("unknown format '%s' (text, json, chrome)",
						       optarg);
			break;
		case OPT_NOTRACE:
			o->notrace = ftk_xrealloc(o->notrace, (o->nnotrace + 1) * sizeof(char *));
			o->notrace[o->nnotrace++] = optarg;
			break;
		case OPT_FORCE: o->force = true; break;
		case OPT_DRY: o->dry_run = true; break;
		case 'b':
			if (ftk_parse_ulong(optarg, 4, 1ul << 22, &o->buffer_kb))
				return ftk_usage_error("invalid buffer size '%s' (KiB)", optarg);
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			return ftk_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return ftk_bad_option(argv);
		}
	}
	for (int i = optind; i < nopt; i++) {
		if (!argv[i][0] || strpbrk(argv[i], " \t\n"))
			return ftk_usage_error("invalid function name '%s'", argv[i]);
		o->funcs = ftk_xrealloc(o->funcs, (o->nfuncs + 1) * sizeof(char *));
		o->funcs[o->nfuncs++] = argv[i];
	}
	if (!o->nfuncs)
		return ftk_usage_error("which function? (ftk graph FUNC ...)");
	if (o->cmd && !o->cmd[0])
		return ftk_usage_error("'--' must be followed by a command");
	if (o->cmd && (o->npids || o->tid))
		return ftk_usage_error("-p/-L and a command exclude each other");
	if (o->npids && o->tid)
		return ftk_usage_error("-p and -L exclude each other");
	if (o->summary && o->fmt == GRAPH_CHROME)
		return ftk_usage_error("--summary and --format chrome exclude each other");
	return 0;
}

/* Another function_graph user (top level, or any instance) would see our global filters
 * (set_graph_function, max_graph_depth), and at top level any tracer is in the way: refuse
 * before writing anything, unless --force. */
static int check_tracer_free(const struct graph_opts *o, bool top_level)
{
	char who[320];

	if (o->force || !ftk_tracer_user("function_graph", top_level, who, sizeof(who)))
		return 0;
	ftk_error("the tracer is in use by another tool (%s): set_graph_function and "
		  "max_graph_depth are global to all function_graph users", who);
	ftk_hint("stop the other tracer, or pass --force (ftk restores the global files)");
	return FTK_EXIT_FAIL;
}

static int check_targets(const struct graph_opts *o)
{
	for (int i = 0; i < o->npids; i++) {
		if (!ftk_proc_exists(o->pids[i])) {
			ftk_error("no process with PID %d", (int)o->pids[i]);
			return FTK_EXIT_FAIL;
		}
	}
	if (o->tid && !ftk_proc_exists(o->tid)) {
		ftk_error("no thread with TID %d", (int)o->tid);
		return FTK_EXIT_FAIL;
	}
	return 0;
}

/* Every thread of every -p process, space-separated. */
static void pid_list(const struct graph_opts *o, struct ftk_buf *b, pid_t **all, int *nall)
{
	*nall = 0;
	*all = NULL;
	for (int i = 0; i < o->npids; i++) {
		int n = 0;
		pid_t *tids = ftk_proc_threads(o->pids[i], &n);
		if (!tids) {
			tids = ftk_xmalloc(sizeof(*tids));
			tids[0] = o->pids[i];
			n = 1;
		}
		*all = ftk_xrealloc(*all, (*nall + n) * sizeof(**all));
		for (int k = 0; k < n; k++) {
			(*all)[(*nall)++] = tids[k];
			ftk_buf_printf(b, "%s%d", b->len ? " " : "", (int)tids[k]);
		}
		free(tids);
	}
	if (o->tid) {
		*all = ftk_xrealloc(*all, sizeof(**all));
		(*all)[(*nall)++] = o->tid;
		ftk_buf_printf(b, "%d", (int)o->tid);
	}
}

struct graph_run {
	struct graph_opts *o;
	struct ftk_session *s;
	struct graph *g;
	struct ftk_event *ent, *ex;	/* ftrace:funcgraph_entry/exit */
	const char *tracefs;
	bool top_level;
	pid_t child;			/* the command, 0 if none */
};

/* Global files are saved and restored by the session; in dry-run both only print. */
static int run_write(struct graph_run *gr, bool global, const char *file, const char *val)
{
	if (global)
		return ftk_session_global_write(gr->s, file, val);
	return ftk_session_instance_write(gr->s, file, val);
}

static void join(struct ftk_buf *b, char **v, int n)
{
	for (int i = 0; i < n; i++)
		ftk_buf_printf(b, "%s%s", i ? " " : "", v[i]);
}

/* The tracer's set-up after arm, before the command starts. 0 or an exit code. */
static int setup_tracer(struct graph_run *gr, pid_t child)
{
	const struct graph_opts *o = gr->o;
	struct ftk_buf b = { 0 };
	int err;

	join(&b, o->funcs, o->nfuncs);
	err = run_write(gr, true, "set_graph_function", ftk_buf_str(&b));
	if (err == -EINVAL || err == -ENOENT || err == -ENODEV) {
		ftk_error("the kernel refused to graph '%s' (unknown, inlined, notrace or "
			  "blocked function)", ftk_buf_str(&b));
		ftk_hint("check the names in available_filter_functions");
	}
	ftk_buf_reset(&b);
	if (!err && o->nnotrace) {
		join(&b, o->notrace, o->nnotrace);
		err = run_write(gr, true, "set_graph_notrace", ftk_buf_str(&b));
		if (err == -EINVAL)
			ftk_error("the kernel refused --notrace '%s'", ftk_buf_str(&b));
		ftk_buf_reset(&b);
	}
	if (!err && o->max_depth) {
		ftk_buf_printf(&b, "%lu", o->max_depth);
		err = run_write(gr, true, "max_graph_depth", ftk_buf_str(&b));
		ftk_buf_reset(&b);
	}
	if (!err && (o->npids || o->tid || child > 0)) {
		pid_t *all = NULL;
		int nall = 0;
		if (child > 0) {
			all = ftk_xmalloc(sizeof(*all));
			all[nall++] = child;
			ftk_buf_printf(&b, "%d", (int)child);
		} else {
			pid_list(o, &b, &all, &nall);
		}
		err = run_write(gr, false, "set_ftrace_pid", ftk_buf_str(&b));
		bool follow = !o->tid;
		if (!err && follow)
			err = run_write(gr, false, "options/function-fork", "1");
		if (!err)
			err = ftk_session_filter_pids(gr->s, all, nall, follow);
		free(all);
		ftk_buf_reset(&b);
	}
	if (!err && o->noirqs)
		err = run_write(gr, false, "options/funcgraph-irqs", "0");
	if (!err && o->on_cpu)
		err = run_write(gr, false, "options/sleep-time", "0");
	ftk_buf_free(&b);
	if (!err) {
		err = ftk_session_set_tracer(gr->s, "function_graph");
		if (err == -EBUSY || err == -EPERM || err == -ENODEV || err == -EINVAL)
			ftk_hint("function_graph needs CONFIG_FUNCTION_GRAPH_TRACER=y and a "
				 "kernel that lets the function tracer run ('ftk features')");
	}
	return err ? FTK_EXIT_FAIL : 0;
}

/*
 * The session's setup hook: the formats are loaded and the per-CPU buffers not yet open (the
 * kernel refuses to change a tracer while they are: EBUSY). Bind the record layout, then set
 * the tracer up. 0 or -FTK_EXIT_FAIL after the message.
 */
static int graph_setup(struct ftk_session *s, void *ctx)
{
	struct graph_run *gr = ctx;
	const struct graph_opts *o = gr->o;

	if (!ftk_session_dry_run(s)) {
		if (graph_bind(gr->g, gr->ent->tep, gr->ex->tep)) {
			ftk_error("unexpected ftrace:funcgraph_entry/exit formats (need func, "
				  "depth, calltime, rettime)");
			return -FTK_EXIT_FAIL;
		}
		if (o->retval && !gr->g->x_retval.ok) {
			ftk_error("--retval: this kernel's funcgraph_exit records carry no return "
				  "value");
			ftk_hint("needs kernel >= 6.5 built with CONFIG_FUNCTION_GRAPH_RETVAL=y");
			return -FTK_EXIT_FAIL;
		}
	}
	return setup_tracer(gr, gr->child) ? -FTK_EXIT_FAIL : 0;
}

/* The header (text trees) and the "tracing" line on stderr, once everything is armed. */
static void announce(struct graph_run *gr)
{
	const struct graph_opts *o = gr->o;
	struct ftk_buf b = { 0 };

	if (o->fmt == GRAPH_CHROME && !o->summary)
		ftk_outf("{\"traceEvents\":[\n");
	if (o->fmt == GRAPH_TEXT && !o->summary)
		ftk_outf("#%s CPU)%s    DURATION    |  FUNCTION CALLS\n",
			 o->abstime ? "     TIME     |" : "", o->proc ? "         COMM-TID |" : "");
	join(&b, o->funcs, o->nfuncs);
	if (o->npids)
		ftk_buf_printf(&b, " for PID %d%s", (int)o->pids[0], o->npids > 1 ? " ..." : "");
	else if (o->tid)
		ftk_buf_printf(&b, " for TID %d", (int)o->tid);
	else if (o->cmd)
		ftk_buf_printf(&b, " for %s", o->cmd[0]);
	ftk_info("tracing %s (function_graph%s)%s", ftk_buf_str(&b),
		 gr->top_level ? " at top level" : " in its own instance",
		 o->cmd ? "" : "; Ctrl-C to end");
	ftk_buf_free(&b);
}

static void end_cb(struct ftk_session *s, void *ctx)
{
	struct graph_ctx *c = ctx;

	graph_finish(c->g);
	if (c->g->orphans)
		ftk_info("%llu returns of calls that began before tracing were dropped",
			 (unsigned long long)c->g->orphans);
	if (c->g->lost_any && c->g->unmatched)
		ftk_info("%llu calls cut by lost events were dropped or left open",
			 (unsigned long long)c->g->unmatched);
}

static void lost_cb(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	graph_lost(((struct graph_ctx *)ctx)->g, cpu);
}

static void declare_events(struct ftk_session *s, struct graph_ctx *c, struct graph_run *gr)
{
	struct ftk_event *ent = ftk_tracepoint(s, "ftrace", "funcgraph_entry", NULL);
	struct ftk_event *ex = ftk_tracepoint(s, "ftrace", "funcgraph_exit", NULL);

	gr->ent = ent;
	gr->ex = ex;
	ent->no_enable = ex->no_enable = true;
	ftk_event_on(ent, on_funcgraph, c);
	ftk_event_on(ex, on_funcgraph, c);
	if (c->g->o->fmt == GRAPH_TEXT && c->g->o->summary)
		return;	/* the summary names functions only */
	static const struct { const char *sys, *name; ftk_event_fn fn; } extra[] = {
		{ "sched", "sched_process_exec", on_exec },
		{ "sched", "sched_process_fork", on_fork },
		{ "task", "task_rename", on_rename },
	};
	for (size_t i = 0; i < FTK_ARRAY_SIZE(extra); i++) {
		struct ftk_event *ev = ftk_tracepoint(s, extra[i].sys, extra[i].name, NULL);
		ev->optional = true;
		ftk_event_on(ev, extra[i].fn, c);
	}
}

/* /proc/kallsyms takes the kernel ~70-120 ms to produce (1 s in the TCG guests): load it in
 * a thread while the session is armed; names are needed only once records flow. */
static void *ksyms_thread(void *arg)
{
	struct ksyms *k = arg;

	return (void *)(intptr_t)ksyms_load(k, "/proc/kallsyms");
}

static void ksyms_join(pthread_t *th, bool *running)
{
	void *ret = NULL;

	if (!*running)
		return;
	pthread_join(*th, &ret);
	*running = false;
	if (ret)
		ftk_warn("cannot read kernel symbols from /proc/kallsyms: functions print as "
			 "addresses");
}

static int graph_run(struct graph_opts *o)
{
	pthread_t kth;
	bool kth_running = false;
	struct graph g;
	struct graph_ctx c = { .g = &g };
	struct graph_run gr = { .o = o, .tracefs = ftk_tracefs() };
	int rc;

	gr.top_level = !ftk_has(FTK_F_FGRAPH_INSTANCE);
	if ((rc = check_tracer_free(o, gr.top_level)))
		return rc;
	graph_init(&g, o);
	if (!o->dry_run)
		kth_running = pthread_create(&kth, NULL, ksyms_thread, &g.ks) == 0;
	if (!o->dry_run && !kth_running && ksyms_load(&g.ks, "/proc/kallsyms"))
		ftk_warn("cannot read kernel symbols from /proc/kallsyms: functions print as "
			 "addresses");
	struct ftk_session_opts so = {
		.view = "graph", .buffer_kb = o->buffer_kb, .default_buffer_kb = 8192,
		.duration = o->duration, .dry_run = o->dry_run, .force = o->force,
		.top_level = gr.top_level,
	};
	gr.s = ftk_session_new(&so);
	if (!gr.s) {
		ksyms_join(&kth, &kth_running);
		graph_free(&g);
		return FTK_EXIT_FAIL;
	}
	gr.g = &g;
	declare_events(gr.s, &c, &gr);
	ftk_session_on_end(gr.s, end_cb, &c);
	ftk_session_on_lost(gr.s, lost_cb, &c);
	ftk_session_on_setup(gr.s, graph_setup, &gr);
	if (o->cmd) {
		/* forked before arm opens the buffers (the child must not hold them), held
		 * until arm has set the tracer up */
		gr.child = ftk_session_spawn(gr.s, o->cmd);
		if (gr.child < 0) {
			ftk_session_close(gr.s);
			rc = FTK_EXIT_FAIL;
			goto out;
		}
	}
	rc = ftk_session_arm(gr.s);
	if (rc != FTK_ARM_OK) {
		ftk_session_close(gr.s);
		rc = rc == FTK_ARM_DRY ? FTK_EXIT_OK : -rc;
		goto out;
	}
	ksyms_join(&kth, &kth_running);
	announce(&gr);
	ftk_out_flush();
	ftk_session_run(gr.s);
	rc = ftk_session_close(gr.s);
out:
	ksyms_join(&kth, &kth_running);
	graph_free(&g);
	return rc;
}

static int graph_main(int argc, char **argv)
{
	struct graph_opts o = { 0 };
	char why[512];
	int rc = parse_args(argc, argv, &o);

	if (rc) {
		rc = rc < 0 ? FTK_EXIT_OK : rc;
		goto out;
	}
	if (!ftk_tracefs()) {
		rc = ftk_tracefs_error();
		goto out;
	}
	extern const struct ftk_view ftk_view_graph;
	if (ftk_backend_pick(&ftk_view_graph, NULL, why, sizeof(why)) < 0) {
		ftk_error("function_graph is not available on this kernel: %s", why);
		ftk_hint("ftk graph needs a kernel built with CONFIG_FUNCTION_GRAPH_TRACER=y "
			 "that allows the function tracer ('ftk features' shows what is here)");
		rc = FTK_EXIT_FAIL;
		goto out;
	}
	if (!o.dry_run && ftk_require_root()) {
		rc = FTK_EXIT_FAIL;
		goto out;
	}
	if ((rc = check_targets(&o)))
		goto out;
	if ((rc = check_funcs(o.funcs, o.nfuncs, "")) ||
	    (rc = check_funcs(o.notrace, o.nnotrace, " (--notrace)")))
		goto out;
	if (o.retval && !ftk_has(FTK_F_FGRAPH_RETVAL)) {
		ftk_error("--retval: %s", ftk_feature(FTK_F_FGRAPH_RETVAL)->why);
		rc = FTK_EXIT_FAIL;
		goto out;
	}
	rc = graph_run(&o);
out:
	free(o.funcs);
	free(o.notrace);
	free(o.pids);
	return rc;
}

const struct ftk_view ftk_view_graph = {
	.name = "graph",
	.summary = "function_graph call trees of kernel functions (per thread, summary, JSON)",
	.main = graph_main,
	.backends = graph_backends,
	.nbackends = FTK_ARRAY_SIZE(graph_backends),
};
