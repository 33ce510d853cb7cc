// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk trace: the general view. Streams any tracepoint (globs allowed), uprobe (PATH:SYMBOL
 * resolved through the ELF symbol tables) or kprobe, merged in time order across CPUs. Each
 * event is printed from its own print format (libtraceevent), or with --json as one NDJSON
 * object carrying every field by name, decoded through a per-event field plan computed once
 * at arm time so the per-event path is a tight loop; --count prints counts per event per
 * interval instead. `-- COMMAND` traces only that command and its children; -p limits to
 * running processes. Filters are applied in the kernel, which also judges them.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event-parse.h>
#include <trace-seq.h>

#include "core/elfsym.h"
#include "core/events.h"
#include "core/features.h"
#include "core/output.h"
#include "core/procs.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"
#include "cmd/trace.h"

#define TRACE_DEFAULT_BUFFER_KB 4096	/* 3x the kernel default: no loss under a 2.8M ev/s storm */
#define TRACE_MAX_SUGGEST 5

/* ---------------------------------------------------------------- field plan (JSON) */

static uint64_t tr_load(const unsigned char *p, int size)
{
	switch (size) {
	case 1:
		return *p;
	case 2: {
		uint16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		uint32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	default: {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
}

/* Element size from a C type name such as "__data_loc unsigned long[]". */
static int tr_type_size(const char *type)
{
	static const struct { const char *t; int size; } map[] = {
		{ "char", 1 }, { "u8", 1 }, { "s8", 1 }, { "bool", 1 }, { "__u8", 1 },
		{ "short", 2 }, { "u16", 2 }, { "s16", 2 }, { "__u16", 2 },
		{ "int", 4 }, { "u32", 4 }, { "s32", 4 }, { "__u32", 4 }, { "pid_t", 4 },
		{ "long", 8 }, { "u64", 8 }, { "s64", 8 }, { "__u64", 8 }, { "size_t", 8 },
	};
	char buf[128];
	const char *p = type;

	if (strchr(type, '*'))
		return 8;
	if (strncmp(p, "__data_loc ", 11) == 0)
		p += 11;
	else if (strncmp(p, "__rel_loc ", 10) == 0)
		p += 10;
	snprintf(buf, sizeof(buf), "%s", p);
	char *br = strchr(buf, '[');
	if (br)
		*br = '\0';
	/* the last word decides: "unsigned long" -> long, "const char" -> char */
	size_t l = strlen(buf);
	while (l && buf[l - 1] == ' ')
		buf[--l] = '\0';
	char *w = strrchr(buf, ' ');
	w = w ? w + 1 : buf;
	for (size_t i = 0; i < FTK_ARRAY_SIZE(map); i++)
		if (strcmp(w, map[i].t) == 0)
			return map[i].size;
	return 0;
}

static bool tr_int_size(int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

/* Classify one format field into a plan entry. */
static void tr_plan_field(struct tr_field *pf, const struct tep_format_field *f)
{
	unsigned long fl = f->flags;

	memset(pf, 0, sizeof(*pf));
	pf->offset = f->offset;
	pf->size = f->size;
	pf->sign = fl & TEP_FIELD_IS_SIGNED;
	pf->dyn = fl & TEP_FIELD_IS_DYNAMIC;
	pf->rel = fl & TEP_FIELD_IS_RELATIVE;
	if (fl & TEP_FIELD_IS_STRING) {
		pf->kind = TR_STR;
		return;
	}
	if (pf->dyn || (fl & TEP_FIELD_IS_ARRAY)) {
		pf->kind = TR_ARRAY;
		pf->esize = tr_int_size(f->elementsize) ? (int)f->elementsize
							 : tr_type_size(f->type);
		if (!tr_int_size(pf->esize) || (!pf->dyn && f->size % pf->esize)) {
			pf->esize = 1;	/* unknown element type: bytes */
			pf->sign = false;
		}
		pf->n = pf->dyn ? 0 : f->size / pf->esize;
		return;
	}
	if (tr_int_size(f->size)) {
		pf->kind = pf->sign ? TR_SIGNED : TR_UNSIGNED;
	} else {
		pf->kind = TR_ARRAY;	/* odd-sized scalar: its bytes */
		pf->esize = 1;
		pf->n = f->size;
		pf->sign = false;
	}
}

/* ------------------------------------------------------------- fast number formatting */

static const char tr_digits[201] =
	"0001020304050607080910111213141516171819202122232425262728293031323334353637383940"
	"4142434445464748495051525354555657585960616263646566676869707172737475767778798081"
	"8283848586878889909192939495969798990";

/* Decimal digits of v into out (no NUL); returns the length. */
static size_t tr_utoa(char *out, uint64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);

	while (v >= 100) {
		unsigned d = (v % 100) * 2;
		v /= 100;
		*--p = tr_digits[d + 1];
		*--p = tr_digits[d];
	}
	if (v >= 10) {
		*--p = tr_digits[v * 2 + 1];
		*--p = tr_digits[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	size_t n = tmp + sizeof(tmp) - p;
	memcpy(out, p, n);
	return n;
}

static inline void tr_add_u64(struct ftk_buf *b, uint64_t v)
{
	ftk_buf_reserve(b, 24);
	b->len += tr_utoa(b->p + b->len, v);
	b->p[b->len] = '\0';
}

static inline void tr_add_s64(struct ftk_buf *b, int64_t v)
{
	ftk_buf_reserve(b, 24);
	if (v < 0) {
		b->p[b->len++] = '-';
		b->len += tr_utoa(b->p + b->len, -(uint64_t)v);
	} else {
		b->len += tr_utoa(b->p + b->len, (uint64_t)v);
	}
	b->p[b->len] = '\0';
}

/* "SECONDS.NNNNNNNNN" (ns) or with 6 decimals (us). */
void ftk_trace_fmt_ts(struct ftk_buf *b, uint64_t ns, int decimals)
{
	char frac[16];

	tr_add_u64(b, ns / 1000000000ull);
	uint64_t f = ns % 1000000000ull;
	if (decimals == 6)
		f /= 1000;
	for (int i = decimals - 1; i >= 0; i--) {
		frac[i] = (char)('0' + f % 10);
		f /= 10;
	}
	ftk_buf_addc(b, '.');
	ftk_buf_add(b, frac, decimals);
}

/* ------------------------------------------------------------------- the view state */

struct tr_spec {		/* one tracepoint after glob expansion */
	char *sys, *name, *filter;
};

struct tr_probe {		/* --uprobe / --kprobe as given */
	bool uprobe;
	const char *text;
};

struct tr_event {
	struct trace *t;
	struct ftk_event *ev;
	char *label;		/* "sched:sched_switch", "uprobe:readline" */
	char *jhead;		/* "{\"event\":\"LABEL\",\"ts\":" */
	size_t jheadlen;
	struct tr_field *plan;
	int nplan;
	const struct tep_format_field *common_pid;
	unsigned long long count, shown;
	int track;		/* TRACK_*: this event also feeds the pid -> comm table */
	bool hidden;		/* added for tracking only: never printed */
	const struct tep_format_field *tf_pid, *tf_comm;
};

/* Events that keep comms right for processes gone before their events are printed. */
enum { TRACK_NONE, TRACK_FORK, TRACK_RENAME, TRACK_EXEC };
static const struct {
	const char *sys, *name, *pid, *comm;
} track_events[] = {
	[TRACK_FORK] = { "task", "task_newtask", "pid", "comm" },
	[TRACK_RENAME] = { "task", "task_rename", "pid", "newcomm" },
	[TRACK_EXEC] = { "sched", "sched_process_exec", "pid", "filename" },
};

struct trace {
	/* options */
	bool json, count, dry_run;
	double duration, interval;
	unsigned long buffer_kb;
	struct ftk_buf filter_tmp;
	char **specs;		/* -e as given */
	int nspecs;
	struct tr_probe *probes;
	int nprobes;
	pid_t *pids;
	int npids;
	pid_t *tids;		/* what set_event_pid gets: -p threads or the command */
	int ntids;
	char **cmd;		/* -- COMMAND */

	/* expansion */
	struct tr_spec *tps;
	int ntps;

	/* run */
	struct ftk_session *s;
	struct tr_event *evs;
	int nevs;
	struct ftk_buf line;
	struct trace_seq seq;
	struct ftk_ptable *pt;
	pid_t last_pid;
	char last_comm[16];
	struct ftk_buf comm_json;	/* ",\"comm\":\"...\"" of last_pid */
	uint64_t last_tick;
};

/* ------------------------------------------------------------------ option parsing */

static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: ftk trace [-e SYSTEM:EVENT[:FILTER]]... [--uprobe SPEC]... [--kprobe SPEC]...\n"
		"                 [--json | --count [-i SECS]] [-p PID[,PID...]] [-d SECS]\n"
		"                 [-b KB] [--dry-run] [-- COMMAND [ARGS...]]\n"
		"\n"
		"Stream any tracepoint, uprobe or kprobe, merged in time order, one line per event\n"
		"formatted from the event's own print format.\n"
		"\n"
		"  -e, --event SPEC      SYSTEM:EVENT[:FILTER]; SYSTEM and EVENT may be globs\n"
		"                        ('sched:*', 'syscalls:sys_enter_open*'); FILTER is a kernel\n"
		"                        filter ('prev_pid == 1 && prev_prio < 100')\n"
		"      --uprobe SPEC     [r:]PATH:SYMBOL[+OFF] [FETCHARGS...] ('r:' = return probe;\n"
		"                        PATH may be 'libc' or a command in $PATH)\n"
		"      --kprobe SPEC     [r:]SYMBOL[+OFF] [FETCHARGS...] (needs kprobe_events)\n"
		"  -j, --json            one JSON object per event, every field by name\n"
		"  -c, --count           count events per interval instead of printing them\n"
		"  -i, --interval SECS   --count interval (default 1)\n"
		"  -p, --pid PID[,PID]   only these processes (and what they start while traced)\n"
		"  -d, --duration SECS   stop after SECS\n"
		"  -b, --buffer-kb KB    per-CPU ring buffer size (default 4096)\n"
		"      --dry-run         print the tracefs writes, make none\n"
		"  -h, --help            this help\n"
		"\n"
		"Examples:\n"
		"  ftk trace -e 'sched:sched_process_*'\n"
		"  ftk trace -e 'syscalls:sys_enter_openat:dfd != -100' --json\n"
		"  ftk trace --uprobe 'libc:execve file=+0(%%di):string' -- make\n"
		"  ftk trace -e syscalls:sys_enter_getppid --count -d 10\n");
}

static int add_pids(struct trace *t, const char *arg)
{
	char *dup = ftk_xstrdup(arg), *save = NULL;
	int rc = 0;

	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v;
		if (ftk_parse_long(tok, 1, INT_MAX, &v) < 0) {
			rc = ftk_usage_error("invalid PID '%s'", tok);
			break;
		}
		t->pids = ftk_xrealloc(t->pids, (t->npids + 1) * sizeof(*t->pids));
		t->pids[t->npids++] = (pid_t)v;
	}
	if (!rc && !t->npids)
		rc = ftk_usage_error("empty PID list");
	free(dup);
	return rc;
}

enum { OPT_UPROBE = 256, OPT_KPROBE, OPT_DRY_RUN };

/* Parses argv into t. Returns -1 to go on, else an exit code (help: 0, usage: 2). */
static int trace_parse(struct trace *t, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "uprobe", required_argument, NULL, OPT_UPROBE },
		{ "kprobe", required_argument, NULL, OPT_KPROBE },
		{ "json", no_argument, NULL, 'j' },
		{ "count", no_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' },
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool interval_set = false;
	int c;

	t->interval = 1.0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:jci:p:d:b:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			t->specs = ftk_xrealloc(t->specs, (t->nspecs + 1) * sizeof(char *));
			t->specs[t->nspecs++] = optarg;
			break;
		case OPT_UPROBE:
		case OPT_KPROBE:
			t->probes = ftk_xrealloc(t->probes, (t->nprobes + 1) * sizeof(*t->probes));
			t->probes[t->nprobes].uprobe = c == OPT_UPROBE;
			t->probes[t->nprobes++].text = optarg;
			break;
		case 'j':
			t->json = true;
			break;
		case 'c':
			t->count = true;
			break;
		case 'i':
			if (ftk_parse_seconds(optarg, &t->interval) < 0)
				return ftk_usage_error("invalid interval '%s'", optarg);
			interval_set = true;
			break;
		case 'p':
			if (add_pids(t, optarg))
				return FTK_EXIT_USAGE;
			break;
		case 'd':
			if (ftk_parse_seconds(optarg, &t->duration) < 0)
				return ftk_usage_error("invalid duration '%s'", optarg);
			break;
		case 'b':
			if (ftk_parse_ulong(optarg, 4, 1024 * 1024, &t->buffer_kb) < 0)
				return ftk_usage_error("invalid buffer size '%s' (4..1048576 KB)",
						       optarg);
			break;
		case OPT_DRY_RUN:
			t->dry_run = true;
			break;
		case 'h':
			trace_usage(stdout);
			return FTK_EXIT_OK;
		case ':':
			return ftk_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return ftk_bad_option(argv);
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0)
			return ftk_usage_error("unexpected argument '%s' (a command goes after '--')",
					       argv[optind]);
		t->cmd = argv + optind;
	}
	if (!t->nspecs && !t->nprobes)
		return ftk_usage_error("nothing to trace: give -e, --uprobe or --kprobe");
	if (interval_set && !t->count)
		return ftk_usage_error("-i/--interval goes with --count");
	if (t->cmd && t->npids)
		return ftk_usage_error("-p and a COMMAND exclude each other");
	return -1;
}

/* ------------------------------------------------------------- tracepoint expansion */

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool safe_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Names of the subdirectories of dir (events or systems), sorted. */
static char **list_dirs(const char *dir, int *n)
{
	DIR *d = opendir(dir);
	char **v = NULL;
	int cnt = 0;

	*n = 0;
	if (!d)
		return NULL;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type != DT_DIR) {
			if (e->d_type != DT_UNKNOWN)
				continue;
			char p[PATH_MAX];
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			if (!is_dir(p))
				continue;
		}
		v = ftk_xrealloc(v, (cnt + 1) * sizeof(char *));
		v[cnt++] = ftk_xstrdup(e->d_name);
	}
	closedir(d);
	for (int i = 1; i < cnt; i++)	/* insertion sort: lists are short */
		for (int j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	*n = cnt;
	return v;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Add sys:name (filters of duplicates are OR-ed; no filter wins). */
static void add_tp(struct trace *t, const char *sys, const char *name, const char *filter)
{
	for (int i = 0; i < t->ntps; i++) {
		struct tr_spec *p = &t->tps[i];
		if (strcmp(p->sys, sys) || strcmp(p->name, name))
			continue;
		if (!p->filter || !filter) {
			free(p->filter);
			p->filter = NULL;
		} else {
			struct ftk_buf b = { 0 };
			ftk_buf_printf(&b, "(%s) || (%s)", p->filter, filter);
			free(p->filter);
			p->filter = ftk_xstrdup(ftk_buf_str(&b));
			ftk_buf_free(&b);
		}
		return;
	}
	t->tps = ftk_xrealloc(t->tps, (t->ntps + 1) * sizeof(*t->tps));
	t->tps[t->ntps].sys = ftk_xstrdup(sys);
	t->tps[t->ntps].name = ftk_xstrdup(name);
	t->tps[t->ntps].filter = filter ? ftk_xstrdup(filter) : NULL;
	t->ntps++;
}

/* Edit distance (Levenshtein), bounded lengths. */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[256];

	if (la > 255 || lb > 255)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int sub = prev + (tolower((unsigned char)a[i - 1]) !=
					  tolower((unsigned char)b[j - 1]));
			int best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			prev = cur;
		}
	}
	return row[lb];
}

struct tr_cand {
	int score;
	char label[160];
};

static void cand_add(struct tr_cand *best, int *nbest, int score, const char *label)
{
	int i = *nbest < TRACE_MAX_SUGGEST ? (*nbest)++ : TRACE_MAX_SUGGEST - 1;

	if (i == TRACE_MAX_SUGGEST - 1 && *nbest == TRACE_MAX_SUGGEST &&
	    best[i].score <= score && best[i].label[0])
		return;
	best[i].score = score;
	snprintf(best[i].label, sizeof(best[i].label), "%s", label);
	for (; i > 0 && best[i - 1].score > best[i].score; i--) {
		struct tr_cand x = best[i];
		best[i] = best[i - 1];
		best[i - 1] = x;
	}
}

/* Score of event `sys:name` against what the user asked for (lower is closer). */
static int cand_score(const char *usys, const char *uname, const char *sys, const char *name)
{
	int dn = edit_distance(uname, name);
	if (strstr(name, uname) || strstr(uname, name))
		dn = dn < 2 ? dn : 2;
	int ds = strcmp(usys, sys) == 0 ? 0 : edit_distance(usys, sys) <= 2 ? 1 : 3;
	return dn + ds;
}

/* Print the closest event names to usys:uname as a hint. */
static void suggest_events(const char *root, const char *usys, const char *uname)
{
	struct tr_cand best[TRACE_MAX_SUGGEST] = { 0 };
	int nbest = 0, nsys;
	char path[PATH_MAX];
	size_t ulen = strlen(uname);
	int limit = ulen < 6 ? 2 : (int)ulen / 3 + 1;

	snprintf(path, sizeof(path), "%s/events", root);
	char **systems = list_dirs(path, &nsys);
	for (int i = 0; i < nsys; i++) {
		int nev;
		snprintf(path, sizeof(path), "%s/events/%s", root, systems[i]);
		char **evs = list_dirs(path, &nev);
		for (int j = 0; j < nev; j++) {
			int sc = cand_score(usys, uname, systems[i], evs[j]);
			if (sc > limit + 1)
				continue;
			char label[160];
			snprintf(label, sizeof(label), "%s:%s", systems[i], evs[j]);
			cand_add(best, &nbest, sc, label);
		}
		free_list(evs, nev);
	}
	free_list(systems, nsys);
	if (!nbest) {
		ftk_hint("list the events of this kernel with 'ls %s/events/*/'", root);
		return;
	}
	struct ftk_buf b = { 0 };
	for (int i = 0; i < nbest; i++)
		ftk_buf_printf(&b, "%s%s", i ? ", " : "", best[i].label);
	ftk_hint("close names: %s", ftk_buf_str(&b));
	ftk_buf_free(&b);
}

/* Systems that globs never match: ftrace's internal events cannot be enabled, and other
 * sessions' probe groups are not ours. */
static bool glob_skips_system(const char *sys)
{
	return strcmp(sys, "ftrace") == 0 || strncmp(sys, "ftk_", 4) == 0;
}

/* Expand one -e spec; returns 0, or an exit code after printing the error. */
static int expand_spec(struct trace *t, const char *root, const char *spec)
{
	char *dup = ftk_xstrdup(spec);
	char *sys = dup, *name, *filter = NULL;
	char path[PATH_MAX];
	int rc = 0, found = 0;

	name = strchr(dup, ':');
	if (!name) {
		name = "*";	/* "-e sched" = every event of sched */
	} else {
		*name++ = '\0';
		filter = strchr(name, ':');
		if (filter) {
			*filter++ = '\0';
			while (isspace((unsigned char)*filter))
				filter++;
			if (!*filter)
				filter = NULL;
		}
	}
	if (!*sys || !*name) {
		free(dup);
		return ftk_usage_error("malformed event '%s' (expected SYSTEM:EVENT[:FILTER])",
				       spec);
	}
	if (!is_glob(sys) && !is_glob(name)) {
		snprintf(path, sizeof(path), "%s/events/%s/%s", root, sys, name);
		if (safe_name(sys) && safe_name(name) && is_dir(path)) {
			add_tp(t, sys, name, filter);
			free(dup);
			return 0;
		}
		ftk_error("this kernel has no event '%s:%s'", sys, name);
		suggest_events(root, sys, name);
		free(dup);
		return FTK_EXIT_FAIL;
	}
	int nsys;
	snprintf(path, sizeof(path), "%s/events", root);
	char **systems = list_dirs(path, &nsys);
	for (int i = 0; i < nsys; i++) {
		if (fnmatch(sys, systems[i], 0) != 0)
			continue;
		if (glob_skips_system(systems[i]) && strcmp(sys, systems[i]) != 0)
			continue;
		int nev;
		snprintf(path, sizeof(path), "%s/events/%s", root, systems[i]);
		char **evs = list_dirs(path, &nev);
		for (int j = 0; j < nev; j++) {
			if (fnmatch(name, evs[j], 0) == 0) {
				add_tp(t, systems[i], evs[j], filter);
				found++;
			}
		}
		free_list(evs, nev);
	}
	free_list(systems, nsys);
	if (!found) {
		ftk_error("no event of this kernel matches '%s:%s'", sys, name);
		ftk_hint("list the events with 'ls %s/events/*/'", root);
		rc = FTK_EXIT_FAIL;
	}
	free(dup);
	return rc;
}

/* ------------------------------------------------------------------- probe specs */

/* [A-Za-z0-9_] name from a symbol, unique among this run's events. */
static char *probe_event_name(const char *sym, bool ret, int idx)
{
	char name[64];
	size_t n = 0;

	if (!isalpha((unsigned char)sym[0]) && sym[0] != '_')
		name[n++] = 'p';
	for (const char *p = sym; *p && n < 40; p++)
		name[n++] = isalnum((unsigned char)*p) ? *p : '_';
	name[n] = '\0';
	if (ret)
		strcat(name, "_ret");
	if (idx) {	/* probes after the first get their index: names stay unique */
		char tmp[80];
		snprintf(tmp, sizeof(tmp), "%s_%d", name, idx);
		return ftk_xstrdup(tmp);
	}
	return ftk_xstrdup(name);
}

/* PATH of a uprobe: absolute/relative path, "libc", or a command found in $PATH. */
static char *resolve_binary(const char *path)
{
	char buf[PATH_MAX];

	if (strcmp(path, "libc") == 0) {
		const char *libc = ftk_system_libc();
		return libc ? ftk_xstrdup(libc) : NULL;
	}
	if (!strchr(path, '/')) {
		const char *env = getenv("PATH");
		char *dirs = ftk_xstrdup(env ? env : "/usr/local/bin:/usr/bin:/bin"), *save;
		char *found = NULL;
		for (char *d = strtok_r(dirs, ":", &save); d && !found;
		     d = strtok_r(NULL, ":", &save)) {
			snprintf(buf, sizeof(buf), "%s/%s", d, path);
			if (access(buf, X_OK) == 0)
				found = realpath(buf, NULL);
		}
		free(dirs);
		return found;
	}
	return realpath(path, NULL);
}

/* Parse "[r:]HEAD [FETCH...]": sets *ret, returns head (malloc'd) and *fetch (or NULL). */
static char *split_probe(const char *text, bool *ret, char **fetch)
{
	while (isspace((unsigned char)*text))
		text++;
	*ret = false;
	if (strncmp(text, "r:", 2) == 0) {
		*ret = true;
		text += 2;
	} else if (strncmp(text, "p:", 2) == 0) {
		text += 2;
	}
	size_t hl = strcspn(text, " \t");
	char *head = strndup(text, hl);
	const char *rest = text + hl;
	while (isspace((unsigned char)*rest))
		rest++;
	*fetch = *rest ? ftk_xstrdup(rest) : NULL;
	return head;
}

static int declare_uprobe(struct trace *t, int idx, struct ftk_event **out)
{
	const char *text = t->probes[idx].text;
	bool ret;
	char *fetch, *head = split_probe(text, &ret, &fetch);
	char *colon = strrchr(head, ':');
	int rc = FTK_EXIT_FAIL;

	*out = NULL;
	if (!colon || colon == head || !colon[1]) {
		rc = ftk_usage_error("malformed uprobe '%s' (expected [r:]PATH:SYMBOL [ARGS])",
				     text);
		goto out;
	}
	*colon = '\0';
	char *sym = colon + 1, *plus = strchr(sym, '+');
	unsigned long long add = 0;
	if (plus) {
		char *end;
		*plus = '\0';
		errno = 0;
		add = strtoull(plus + 1, &end, 0);
		if (errno || *end || end == plus + 1) {
			rc = ftk_usage_error("malformed offset in uprobe '%s'", text);
			goto out;
		}
	}
	char *bin = resolve_binary(head);
	if (!bin) {
		ftk_error("uprobe '%s': cannot find '%s'", text, head);
		ftk_hint("give the path of an ELF file, 'libc', or a command in $PATH");
		goto out;
	}
	char *name = probe_event_name(sym, ret, idx);
	uint64_t off;
	if (strncmp(sym, "0x", 2) == 0) {
		char *end;
		off = strtoull(sym, &end, 16);
		if (*end) {
			free(name);
			free(bin);
			rc = ftk_usage_error("malformed file offset '%s'", sym);
			goto out;
		}
		*out = ftk_uprobe(t->s, name, bin, off + add, fetch, ret);
	} else if (add) {
		int e = ftk_elf_sym_offset(bin, sym, &off);
		if (e < 0) {
			ftk_error("uprobe '%s': no function '%s' in %s (%s)", text, sym, bin,
				  strerror(-e));
		} else {
			*out = ftk_uprobe(t->s, name, bin, off + add, fetch, ret);
		}
	} else {
		*out = ftk_uprobe_sym(t->s, name, bin, sym, fetch, ret);
	}
	free(name);
	free(bin);
	rc = *out ? 0 : FTK_EXIT_FAIL;
out:
	free(head);
	free(fetch);
	return rc;
}

static int declare_kprobe(struct trace *t, int idx, struct ftk_event **out)
{
	const char *text = t->probes[idx].text;
	bool ret;
	char *fetch, *head = split_probe(text, &ret, &fetch);
	int rc = FTK_EXIT_FAIL;

	*out = NULL;
	if (!*head) {
		rc = ftk_usage_error("malformed kprobe '%s' (expected [r:]SYMBOL[+OFF] [ARGS])",
				     text);
	} else if (!ftk_has(FTK_F_KPROBES)) {
		ftk_error("kprobe '%s': this kernel has no kprobes: %s", text,
			  ftk_feature(FTK_F_KPROBES)->why);
		ftk_hint("use a tracepoint (-e) or a uprobe (--uprobe) instead");
	} else {
		char base[64];
		snprintf(base, sizeof(base), "%.*s", (int)strcspn(head, "+"), head);
		char *name = probe_event_name(base, ret, idx);
		*out = ftk_kprobe(t->s, name, head, fetch, ret);
		free(name);
		rc = *out ? 0 : FTK_EXIT_FAIL;
	}
	free(head);
	free(fetch);
	return rc;
}

/* -------------------------------------------------------------------- per-event output */

/* The comm of pid: from the tracking events (fork, exec, rename), else /proc. Sets the
 * JSON fragment ",\"comm\":\"...\"" of the last pid too. */
static const char *comm_of(struct trace *t, pid_t pid)
{
	if (pid == t->last_pid)
		return t->last_comm;
	struct ftk_pinfo *pi = pid ? ftk_ptable_get(t->pt, pid) : NULL;
	if (!pi && pid) {
		pi = ftk_ptable_lookup(t->pt, pid);
		if (!pi) {	/* gone before we saw it fork or exec */
			pi = ftk_ptable_put(t->pt, pid);
			pi->pid = pid;
			snprintf(pi->comm, sizeof(pi->comm), "<...>");
		}
	}
	t->last_pid = pid;
	snprintf(t->last_comm, sizeof(t->last_comm), "%s", pi ? pi->comm : "<idle>");
	ftk_buf_reset(&t->comm_json);
	ftk_buf_add(&t->comm_json, ",\"comm\":", 8);
	ftk_json_string(&t->comm_json, t->last_comm, strlen(t->last_comm));
	return t->last_comm;
}

static void set_comm(struct trace *t, pid_t pid, const char *comm, size_t len)
{
	struct ftk_pinfo *pi = ftk_ptable_put(t->pt, pid);

	pi->pid = pid;
	if (len > sizeof(pi->comm) - 1)
		len = sizeof(pi->comm) - 1;
	memcpy(pi->comm, comm, len);
	pi->comm[len] = '\0';
	if (pid == t->last_pid)
		t->last_pid = -1;
}

/* Tracking events: keep the pid -> comm table right for short-lived processes. */
static void track(struct tr_event *te, const void *data)
{
	struct trace *t = te->t;
	int len = 0;
	const char *s = ftk_get_str(te->tf_comm, data, 16 * 1024, &len);
	pid_t pid = (pid_t)ftk_get_s64(te->tf_pid, data);

	if (!s)
		return;
	if (te->track == TRACK_EXEC) {	/* comm becomes the basename of the file */
		const char *slash = memrchr(s, '/', len);
		if (slash) {
			len -= slash + 1 - s;
			s = slash + 1;
		}
	}
	set_comm(t, pid, s, len);
}

static void on_track(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	track(ctx, r->data);
}

static inline char *put_u64(char *p, uint64_t v)
{
	return p + tr_utoa(p, v);
}

static inline char *put_s64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return p + tr_utoa(p, -(uint64_t)v);
	}
	return p + tr_utoa(p, (uint64_t)v);
}

static inline char *put_ts(char *p, uint64_t ns)
{
	uint32_t f = ns % 1000000000u;

	p = put_u64(p, ns / 1000000000u);
	*p++ = '.';
	p[8] = (char)('0' + f % 10);
	f /= 10;
	for (int i = 6; i >= 0; i -= 2) {	/* two digits per step */
		unsigned d = (f % 100) * 2;
		f /= 100;
		p[i] = tr_digits[d];
		p[i + 1] = tr_digits[d + 1];
	}
	return p + 9;
}

/* Start and length of a __data_loc / __rel_loc field's data, clamped to the record. */
static const unsigned char *dyn_data(const struct tr_field *pf, const unsigned char *d, int size,
				     int *len)
{
	uint32_t w = (uint32_t)tr_load(d + pf->offset, 4);
	int off = w & 0xffff, l = w >> 16;

	if (pf->rel)
		off += pf->offset + pf->size;
	if (off > size)
		off = size;
	if (off + l > size)
		l = size - off;
	*len = l;
	return d + off;
}

/* Strings and arrays (the slow path, through the buffer API). */
static void json_field_slow(struct ftk_buf *b, const struct tr_field *pf, const unsigned char *d,
			    int size)
{
	const unsigned char *p = d + pf->offset;
	int n = pf->n, len = pf->size;

	if (pf->dyn) {
		p = dyn_data(pf, d, size, &len);
		n = pf->esize ? len / pf->esize : 0;
	}
	if (pf->kind == TR_STR) {
		ftk_json_string(b, (const char *)p, strnlen((const char *)p, len));
		return;
	}
	ftk_buf_reserve(b, 2 + (size_t)n * 21);
	char *o = b->p + b->len;
	*o++ = '[';
	for (int i = 0; i < n; i++) {
		uint64_t v = tr_load(p + i * pf->esize, pf->esize);
		if (i)
			*o++ = ',';
		o = pf->sign ? put_s64(o, ftk_sign_extend(v, pf->esize)) : put_u64(o, v);
	}
	*o++ = ']';
	*o = '\0';
	b->len = o - b->p;
}

/* Make room for n more bytes at the cursor o of b (which may move). */
#define TR_ROOM(b, o, end, n)							\
	do {									\
		if ((size_t)((end) - (o)) < (size_t)(n) + 1) {			\
			(b)->len = (o) - (b)->p;					\
			ftk_buf_reserve((b), (n));					\
			(o) = (b)->p + (b)->len;					\
			(end) = (b)->p + (b)->cap;					\
		}								\
	} while (0)

/* Append one event's NDJSON object to b: a cursor over reserved space, no calls for
 * numbers, the buffer API only for strings and arrays. */
void ftk_trace_json_event(struct ftk_buf *b, const char *jhead, size_t jheadlen,
			  const struct tr_field *plan, int nplan, uint64_t ts, int cpu, int pid,
			  const char *comm_json, size_t comm_len, const void *data, int size)
{
	const unsigned char *d = data;

	ftk_buf_reserve(b, jheadlen + comm_len + 96);
	char *o = b->p + b->len, *end = b->p + b->cap;

	memcpy(o, jhead, jheadlen);
	o = put_ts(o + jheadlen, ts);
	memcpy(o, ",\"cpu\":", 7);
	o = put_u64(o + 7, (unsigned)cpu);
	memcpy(o, ",\"pid\":", 7);
	o = put_s64(o + 7, pid);
	memcpy(o, comm_json, comm_len);
	o += comm_len;
	memcpy(o, ",\"fields\":{", 11);
	o += 11;
	for (int i = 0; i < nplan; i++) {
		const struct tr_field *pf = &plan[i];
		TR_ROOM(b, o, end, pf->keylen + 24);
		memcpy(o, pf->key, pf->keylen);
		o += pf->keylen;
		if (pf->kind == TR_UNSIGNED) {
			o = put_u64(o, tr_load(d + pf->offset, pf->size));
		} else if (pf->kind == TR_SIGNED) {
			o = put_s64(o, ftk_sign_extend(tr_load(d + pf->offset, pf->size), pf->size));
		} else {
			b->len = o - b->p;
			json_field_slow(b, pf, d, size);
			o = b->p + b->len;
			end = b->p + b->cap;
		}
	}
	TR_ROOM(b, o, end, 3);
	memcpy(o, "}}\n", 3);
	o += 3;
	*o = '\0';
	b->len = o - b->p;
}

static int rec_pid(const struct tr_event *te, const void *data)
{
	return te->common_pid ? (int)ftk_sign_extend(tr_load((const unsigned char *)data +
						     te->common_pid->offset, 4), 4)
			      : ftk_rec_pid(data);
}

static void on_json(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct tr_event *te = ctx;
	struct trace *t = te->t;
	int pid = rec_pid(te, r->data);

	if (te->track)
		track(te, r->data);
	if (pid != t->last_pid)
		comm_of(t, pid);
	ftk_trace_json_event(&t->line, te->jhead, te->jheadlen, te->plan, te->nplan, r->ts,
			     r->cpu, pid, t->comm_json.p, t->comm_json.len, r->data, r->size);
	ftk_out(t->line.p, t->line.len);
	t->line.len = 0;
}

static void on_text(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct tr_event *te = ctx;
	struct trace *t = te->t;
	struct tep_record rec = {
		.ts = r->ts, .size = r->size, .record_size = r->size, .data = r->data,
		.cpu = r->cpu,
	};
	int pid = rec_pid(te, r->data);
	if (te->track)
		track(te, r->data);
	const char *comm = comm_of(t, pid);
	char head[64];

	trace_seq_reset(&t->seq);
	tep_print_event(ev->tep->tep, &t->seq, &rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&t->seq);

	struct ftk_buf *b = &t->line;
	size_t cl = strlen(comm);
	for (size_t i = cl; i < 16; i++)
		ftk_buf_addc(b, ' ');
	ftk_escape_table(b, comm, cl, false);
	snprintf(head, sizeof(head), "-%-7d [%03d] ", pid, r->cpu);
	ftk_buf_adds(b, head);
	ftk_trace_fmt_ts(b, r->ts, 6);
	ftk_buf_add(b, ": ", 2);
	ftk_buf_adds(b, te->label);
	ftk_buf_add(b, ": ", 2);
	ftk_escape_table(b, t->seq.buffer, t->seq.len, false);
	ftk_buf_addc(b, '\n');
	ftk_out_buf(b);
}

static void on_count(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	((struct tr_event *)ctx)->count++;
}

static void count_rows(struct trace *t, const char *when, uint64_t now, bool total)
{
	struct ftk_buf *b = &t->line;

	if (t->json) {
		struct ftk_json j;
		ftk_json_begin(&j, b);
		if (total) {
			ftk_json_bool(&j, "total", true);
		} else {
			ftk_buf_reset(&t->filter_tmp);
			ftk_fmt_rfc3339(&t->filter_tmp, ftk_session_mono_to_real(t->s, now));
			ftk_json_cstr(&j, "time", ftk_buf_str(&t->filter_tmp));
		}
		ftk_json_double(&j, "ts", now / 1e9, 9);
		if (!total)
			ftk_json_double(&j, "interval", t->interval, 3);
		ftk_json_object_begin(&j, "counts");
		for (int i = 0; i < t->nevs; i++) {
			struct tr_event *te = &t->evs[i];
			unsigned long long v = total ? te->count : te->count - te->shown;
			if (total || v)
				ftk_json_uint(&j, te->label, v);
		}
		ftk_json_object_end(&j);
		if (total)
			ftk_json_uint(&j, "lost", ftk_session_lost(t->s));
		ftk_json_end(&j);
	} else {
		for (int i = 0; i < t->nevs; i++) {
			struct tr_event *te = &t->evs[i];
			unsigned long long v = total ? te->count : te->count - te->shown;
			if (total || v)
				ftk_buf_printf(b, "%-8s %-40s %12llu\n", when, te->label, v);
		}
	}
	for (int i = 0; i < t->nevs; i++)
		t->evs[i].shown = t->evs[i].count;
	ftk_out_buf(b);
	ftk_out_flush();
}

static void on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	struct trace *t = ctx;
	char hms[16];

	ftk_fmt_hms(hms, ftk_session_mono_to_real(s, now));
	count_rows(t, hms, now, false);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	struct trace *t = ctx;

	if (t->count)
		count_rows(t, "total", ftk_now_mono(), true);
	ftk_out_flush();
}

static void on_lost(struct ftk_session *s, int cpu, long long count, void *ctx)
{
	struct trace *t = ctx;

	if (!t->json || t->count)
		return;
	struct ftk_json j;
	ftk_json_begin(&j, &t->line);
	ftk_json_cstr(&j, "event", "lost");
	ftk_json_int(&j, "cpu", cpu);
	if (count < 0)
		ftk_json_null(&j, "count");
	else
		ftk_json_int(&j, "count", count);
	ftk_json_end(&j);
	ftk_out_buf(&t->line);
}

/* ---------------------------------------------------------------------- arming */

/* Build the JSON plan of an armed event: every non-common field in format order. */
void ftk_trace_plan(const struct tep_event *e, struct tr_field **plan, int *nplan)
{
	int n = e->format.nr_fields;
	struct tr_field *p = ftk_xcalloc(n ? n : 1, sizeof(*p));
	int k = 0;

	for (struct tep_format_field *f = e->format.fields; f; f = f->next) {
		struct ftk_buf key = { 0 };
		tr_plan_field(&p[k], f);
		if (k)
			ftk_buf_addc(&key, ',');
		ftk_json_string(&key, f->name, strlen(f->name));
		ftk_buf_addc(&key, ':');
		p[k].key = key.p;
		p[k].keylen = key.len;
		k++;
	}
	*plan = p;
	*nplan = k;
}

void ftk_trace_plan_free(struct tr_field *plan, int nplan)
{
	for (int i = 0; i < nplan; i++)
		free(plan[i].key);
	free(plan);
}

static void setup_event(struct trace *t, struct tr_event *te)
{
	struct tep_event *e = te->ev->tep;
	struct ftk_buf b = { 0 };

	te->common_pid = tep_find_common_field((struct tep_event *)e, "common_pid");
	if (te->track) {
		te->tf_pid = ftk_field(te->ev, track_events[te->track].pid);
		te->tf_comm = ftk_field(te->ev, track_events[te->track].comm);
		if (!te->tf_pid || !te->tf_comm)
			te->track = TRACK_NONE;
	}
	ftk_trace_plan(e, &te->plan, &te->nplan);
	ftk_buf_adds(&b, "{\"event\":");
	ftk_json_string(&b, te->label, strlen(te->label));
	ftk_buf_adds(&b, ",\"ts\":");
	te->jhead = b.p;
	te->jheadlen = b.len;
}

static struct tr_event *add_event(struct trace *t, struct ftk_event *ev, const char *label)
{
	t->evs = ftk_xrealloc(t->evs, (t->nevs + 1) * sizeof(*t->evs));
	struct tr_event *te = &t->evs[t->nevs++];
	memset(te, 0, sizeof(*te));
	te->t = t;
	te->ev = ev;
	te->label = ftk_xstrdup(label);
	return te;
}

static int find_tp(const struct trace *t, const char *sys, const char *name)
{
	for (int i = 0; i < t->nevs; i++) {
		const struct ftk_event *ev = t->evs[i].ev;
		if (ev->kind == FTK_EV_TRACEPOINT && strcmp(ev->system, sys) == 0 &&
		    strcmp(ev->name, name) == 0)
			return i;
	}
	return -1;
}

/* Printing modes learn comms from fork/exec/rename events: asked-for ones do it on the side,
 * the others are added hidden (optional: a kernel without them falls back to /proc). */
static void declare_tracking(struct trace *t)
{
	for (int k = TRACK_FORK; k <= TRACK_EXEC; k++) {
		int i = find_tp(t, track_events[k].sys, track_events[k].name);
		if (i < 0) {
			if (!ftk_tracepoint_exists(track_events[k].sys, track_events[k].name))
				continue;
			struct ftk_event *ev = ftk_tracepoint(t->s, track_events[k].sys,
							      track_events[k].name, NULL);
			if (!ev)
				continue;
			ev->optional = true;
			struct tr_event *te = add_event(t, ev, track_events[k].name);
			te->hidden = true;
			i = t->nevs - 1;
		}
		t->evs[i].track = k;
	}
}

static int declare_all(struct trace *t)
{
	char label[160];

	for (int i = 0; i < t->ntps; i++) {
		struct tr_spec *p = &t->tps[i];
		struct ftk_event *ev = ftk_tracepoint(t->s, p->sys, p->name, p->filter);
		if (!ev)
			return FTK_EXIT_FAIL;
		snprintf(label, sizeof(label), "%s:%s", p->sys, p->name);
		add_event(t, ev, label);
	}
	for (int i = 0; i < t->nprobes; i++) {
		struct ftk_event *ev;
		int rc = t->probes[i].uprobe ? declare_uprobe(t, i, &ev) : declare_kprobe(t, i, &ev);
		if (rc)
			return rc;
		bool ret = ev->kind == FTK_EV_URETPROBE || ev->kind == FTK_EV_KRETPROBE;
		snprintf(label, sizeof(label), "%s%s:%s", t->probes[i].uprobe ? "uprobe" : "kprobe",
			 ret ? "_ret" : "", ev->name);
		add_event(t, ev, label);
	}
	if (!t->count)
		declare_tracking(t);
	return 0;
}

static void bind_handlers(struct trace *t)
{
	ftk_event_fn fn = t->count ? on_count : t->json ? on_json : on_text;

	for (int i = 0; i < t->nevs; i++)
		ftk_event_on(t->evs[i].ev, t->evs[i].hidden ? on_track : fn, &t->evs[i]);
}

/* Thread ids of every -p process (exit code when one is gone). */
static int collect_tids(struct trace *t, pid_t **out, int *nout)
{
	pid_t *tids = NULL;
	int n = 0;

	for (int i = 0; i < t->npids; i++) {
		int nt = 0;
		pid_t *v = ftk_proc_threads(t->pids[i], &nt);
		if (!v) {
			ftk_error("no process with PID %d", t->pids[i]);
			free(tids);
			return FTK_EXIT_FAIL;
		}
		tids = ftk_xrealloc(tids, (n + nt) * sizeof(*tids));
		memcpy(tids + n, v, nt * sizeof(*tids));
		n += nt;
		free(v);
	}
	*out = tids;
	*nout = n;
	return 0;
}

/*
 * Limit events to the -p threads or the command (and what they start: event-fork). Runs as
 * the session's set-up hook: the instance exists, nothing is enabled yet and the command is
 * still held, so no event of another process slips in and no early child is missed.
 */
static int limit_pids(struct ftk_session *s, void *ctx)
{
	struct trace *t = ctx;

	if (!t->ntids)
		return 0;
	return ftk_session_filter_pids(s, t->tids, t->ntids, true) < 0 ? -FTK_EXIT_FAIL : 0;
}

static void trace_free(struct trace *t)
{
	for (int i = 0; i < t->ntps; i++) {
		free(t->tps[i].sys);
		free(t->tps[i].name);
		free(t->tps[i].filter);
	}
	free(t->tps);
	for (int i = 0; i < t->nevs; i++) {
		free(t->evs[i].label);
		free(t->evs[i].jhead);
		ftk_trace_plan_free(t->evs[i].plan, t->evs[i].nplan);
	}
	free(t->evs);
	free(t->specs);
	free(t->probes);
	free(t->pids);
	free(t->tids);
	ftk_buf_free(&t->line);
	ftk_buf_free(&t->filter_tmp);
	ftk_buf_free(&t->comm_json);
	if (t->pt)
		ftk_ptable_free(t->pt);
	trace_seq_destroy(&t->seq);
}

static int trace_run(struct trace *t)
{
	const char *root = ftk_tracefs();
	int rc;

	if (!root)
		return ftk_tracefs_error();
	for (int i = 0; i < t->nspecs; i++)
		if ((rc = expand_spec(t, root, t->specs[i])))
			return rc;
	if (t->nprobes) {
		for (int i = 0; i < t->nprobes; i++)
			if (t->probes[i].uprobe && !ftk_has(FTK_F_UPROBES)) {
				ftk_error("this kernel has no uprobes: %s",
					  ftk_feature(FTK_F_UPROBES)->why);
				return FTK_EXIT_FAIL;
			}
	}
	struct ftk_session_opts so = {
		.view = "trace",
		.buffer_kb = t->buffer_kb,
		.default_buffer_kb = TRACE_DEFAULT_BUFFER_KB,
		.duration = t->duration,
		.dry_run = t->dry_run,
		.unordered = t->count,
	};
	t->s = ftk_session_new(&so);
	if (!t->s)
		return FTK_EXIT_FAIL;
	pid_t child = 0;
	rc = declare_all(t);
	if (!rc && t->npids)
		rc = collect_tids(t, &t->tids, &t->ntids);
	if (!rc && t->cmd && (child = ftk_session_spawn(t->s, t->cmd)) < 0)
		rc = FTK_EXIT_FAIL;
	if (!rc && child > 0) {
		t->tids = ftk_xmalloc(sizeof(pid_t));
		t->tids[0] = child;
		t->ntids = 1;
	}
	if (rc) {
		ftk_session_close(t->s);
		return rc;
	}
	bind_handlers(t);
	ftk_session_on_setup(t->s, limit_pids, t);
	rc = ftk_session_arm(t->s);
	if (rc == FTK_ARM_DRY || rc < 0)	/* core closed a dry run, restored on failure */
		return rc < 0 ? -rc : FTK_EXIT_OK;
	int shown = 0;
	for (int i = 0; i < t->nevs; i++) {
		if (t->evs[i].ev->enabled && t->evs[i].ev->tep)
			setup_event(t, &t->evs[i]);
		shown += !t->evs[i].hidden;
	}
	t->pt = ftk_ptable_new();
	t->last_pid = -1;
	if (t->count)
		ftk_session_on_tick(t->s, (uint64_t)(t->interval * 1e9), on_tick, t);
	ftk_session_on_end(t->s, on_end, t);
	ftk_session_on_lost(t->s, on_lost, t);
	if (t->count && !t->json) {
		ftk_outf("%-8s %-40s %12s\n", "TIME", "EVENT", "COUNT");
		ftk_out_flush();
	}
	ftk_info("tracing %d event%s%s; Ctrl-C to end", shown, shown == 1 ? "" : "s",
		 t->cmd ? " of the command" : "");
	ftk_session_run(t->s);
	return ftk_session_close(t->s);
}

static int trace_main(int argc, char **argv)
{
	struct trace t = { 0 };
	int rc;

	trace_seq_init(&t.seq);
	rc = trace_parse(&t, argc, argv);
	if (rc < 0) {
		rc = ftk_require_root() < 0 ? FTK_EXIT_FAIL : trace_run(&t);
	}
	trace_free(&t);
	return rc;
}

const struct ftk_view ftk_view_trace = {
	.name = "trace",
	.summary = "stream any tracepoint, uprobe or kprobe, decoded by field",
	.main = trace_main,
};
