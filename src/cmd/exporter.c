// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk exporter: the counting views as Prometheus metrics, for hosts where BPF (and so
 * ebpf_exporter) is not allowed. One session for every collector of the configuration (one
 * counting view with its options per line); every interval the totals the kernel counted are
 * read and the exposition is rebuilt, then served on /metrics (libmicrohttpd, its own thread)
 * and/or written atomically for node_exporter's textfile collector. Metrics: ftk-exporter(8).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd/exporter/collectors.h"
#include "cmd/exporter/expo.h"
#include "cmd/exporter/http.h"
#include "core/output.h"
#include "core/run.h"
#include "core/session.h"
#include "core/util.h"
#include "core/view.h"

/* ebpf_exporter's port: ftk exporter fills its role where BPF is not allowed, so a fleet's
 * scrape configuration for "the kernel exporter" stays the same on both kinds of host (the
 * 9100-9999 range of Prometheus's default port allocations has no free number left). */
#define DEFAULT_LISTEN "127.0.0.1:9435"
#define MAX_COLLECTORS 32

enum { KEY_LISTEN = 256, KEY_TEXTFILE, KEY_CONFIG };

struct exporter {
	const char *listen, *textfile, *config;
	double interval;
	char addr[64];
	unsigned port;
	bool http_on;
	struct collector *collectors[MAX_COLLECTORS];
	bool from_default[MAX_COLLECTORS];
	int n;
	struct ftk_run *run;
	struct ftk_session *s;
	struct exporter_http *http;
	struct ftk_buf text;
	char *tmp_path;
	bool wrote_textfile;
	double collect_seconds;
};

static const struct ftk_option options[] = {
	{ "listen", KEY_LISTEN, "ADDR:PORT", "serve /metrics there (default " DEFAULT_LISTEN
	  "; 'off': none)" },
	{ "textfile", KEY_TEXTFILE, "PATH", "write the metrics to PATH (*.prom) every interval" },
	{ "config", KEY_CONFIG, "FILE", "collectors, one per line (default: the default set)" },
	{ "interval", 'i', "SECS", "read the kernel's counts every SECS seconds (default 1)" },
	{ NULL },
};

/* ---- the configuration ---- */

/* Split a line into words: blanks separate, '...' is literal, "..." takes \" and \\, # at a
 * word's start comments the rest out. The number of words, -1 for an open quote. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *out = line, *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			return -1;
		words[n++] = out;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
			if (*p == '\'' || *p == '"') {
				char q = *p++;
				while (*p && *p != q) {
					if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					*out++ = *p++;
				}
				if (*p != q)
					return -1;
				p++;
			} else {
				*out++ = *p++;
			}
		}
		if (*p)
			p++;
		*out++ = 0;
	}
}

static int add_collector(struct exporter *x, char *line, const char *where, bool deflt)
{
	char *words[64];
	int n = split_words(line, words, 64);

	if (n < 0)
		return ftk_usage_error("%s: unterminated quote or too many words", where), -EINVAL;
	if (n == 0)
		return 0;
	if (x->n == MAX_COLLECTORS)
		return ftk_usage_error("%s: more than %d collectors", where, MAX_COLLECTORS), -EINVAL;
	for (int i = 0; i < x->n; i++)
		if (strcmp(collector_name(x->collectors[i]), words[0]) == 0)
			return ftk_usage_error("%s: a second %s collector (one of each; funccount "
					       "takes several patterns)", where, words[0]), -EINVAL;
	struct collector *c = collector_parse(words, n, where);
	if (!c)
		return -EINVAL;
	x->from_default[x->n] = deflt;
	x->collectors[x->n++] = c;
	return 0;
}

static int load_config(struct exporter *x)
{
	char where[600];

	if (!x->config) {
		for (int i = 0; collector_defaults[i]; i++) {
			char *line = ftk_xstrdup(collector_defaults[i]);
			int rc = add_collector(x, line, "default", true);
			free(line);
			if (rc)
				return rc;
		}
		return 0;
	}
	char *text = ftk_read_file(x->config, NULL);
	if (!text) {
		ftk_error("cannot read %s: %s", x->config, strerror(errno));
		ftk_hint("--config FILE: one collector per line, e.g. 'syscount -T 20' "
			 "(man ftk-exporter)");
		return -ENOENT;
	}
	int rc = 0, lineno = 0;
	for (char *rest = text, *line; !rc && (line = strsep(&rest, "\n"));) {
		snprintf(where, sizeof(where), "%s:%d", x->config, ++lineno);
		rc = add_collector(x, line, where, false);
	}
	free(text);
	if (!rc && !x->n) {
		ftk_usage_error("%s names no collector", x->config);
		rc = -EINVAL;
	}
	return rc;
}

/* ---- every interval ---- */

static void write_health(struct exporter *x, struct ftk_buf *b)
{
	struct rusage ru;

	expo_family(b, "ftk_exporter_build_info", "gauge", "The ftk that exports (always 1).");
	expo_u64(b, "ftk_exporter_build_info", "version", FTK_VERSION, 1);
	expo_family(b, "ftk_exporter_collector_info", "gauge",
		    "Each collector: how this kernel counts for it (route) and what it traces.");
	for (int i = 0; i < x->n; i++) {
		ftk_buf_adds(b, "ftk_exporter_collector_info{collector=\"");
		expo_escape(b, collector_name(x->collectors[i]));
		ftk_buf_adds(b, "\",route=\"");
		expo_escape(b, collector_route(x->collectors[i]));
		ftk_buf_adds(b, "\",source=\"");
		expo_escape(b, collector_source(x->collectors[i]));
		ftk_buf_adds(b, "\"} 1\n");
	}
	expo_family(b, "ftk_exporter_events_lost_total", "counter",
		    "Events the ring buffer lost (the ring routes undercount by as many).");
	expo_u64(b, "ftk_exporter_events_lost_total", NULL, NULL, ftk_session_lost(x->s));
	expo_family(b, "ftk_exporter_kernel_dropped_total", "counter",
		    "Entries a full hist map dropped (the kernel's Dropped:), per collector.");
	for (int i = 0; i < x->n; i++)
		expo_u64(b, "ftk_exporter_kernel_dropped_total", "collector",
			 collector_name(x->collectors[i]), collector_dropped(x->collectors[i]));
	expo_family(b, "ftk_exporter_collector_read_duration_seconds", "gauge",
		    "Time the last read of each collector's counts took.");
	for (int i = 0; i < x->n; i++)
		expo_double(b, "ftk_exporter_collector_read_duration_seconds", "collector",
			    collector_name(x->collectors[i]),
			    collector_read_seconds(x->collectors[i]));
	expo_family(b, "ftk_exporter_scrape_duration_seconds", "gauge",
		    "Time the last collection took: every read, and this exposition rebuilt.");
	expo_double(b, "ftk_exporter_scrape_duration_seconds", NULL, NULL, x->collect_seconds);
	if (x->http) {
		expo_family(b, "ftk_exporter_scrapes_total", "counter",
			    "Requests of /metrics served (this one excluded).");
		expo_u64(b, "ftk_exporter_scrapes_total", NULL, NULL,
			 exporter_http_scrapes(x->http));
	}
	expo_family(b, "ftk_exporter_last_collection_timestamp_seconds", "gauge",
		    "When the counts of this exposition were read (Unix time).");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	expo_double(b, "ftk_exporter_last_collection_timestamp_seconds", NULL, NULL,
		    (double)now.tv_sec + now.tv_nsec / 1e9);
	getrusage(RUSAGE_SELF, &ru);
	expo_family(b, "process_cpu_seconds_total", "counter",
		    "User and system CPU time of the exporter, every thread.");
	expo_double(b, "process_cpu_seconds_total", NULL, NULL,
		    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
}

/* node_exporter reads *.prom files whole: a temporary file in the same directory, then
 * rename(2), so it never sees half a file. */
static void write_textfile(struct exporter *x)
{
	FILE *f = fopen(x->tmp_path, "w");
	if (!f) {
		ftk_warn("cannot write %s: %s", x->tmp_path, strerror(errno));
		return;
	}
	bool ok = fwrite(x->text.p, 1, x->text.len, f) == x->text.len;
	ok &= fclose(f) == 0;
	if (!ok || rename(x->tmp_path, x->textfile)) {
		ftk_warn("cannot write %s: %s", x->textfile, strerror(errno));
		unlink(x->tmp_path);
		return;
	}
	x->wrote_textfile = true;
}

static void collect(struct exporter *x)
{
	uint64_t t0 = ftk_now_mono();

	for (int i = 0; i < x->n; i++)
		collector_read(x->collectors[i]);
	ftk_buf_reset(&x->text);
	for (int i = 0; i < x->n; i++)
		collector_write(x->collectors[i], &x->text);
	x->collect_seconds = (ftk_now_mono() - t0) / 1e9;
	write_health(x, &x->text);
	if (x->http)
		exporter_http_publish(x->http, ftk_buf_str(&x->text), x->text.len);
	if (x->textfile)
		write_textfile(x);
}

static void on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	collect(ctx);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	struct exporter *x = ctx;

	/* A collector that could not go on (it stopped the session) makes the exit 1: systemd's
	 * Restart=on-failure starts a new session. */
	for (int i = 0; i < x->n; i++)
		if (collector_end(x->collectors[i]) && !x->run->error)
			x->run->error = -EIO;
	/* The endpoint closes with the session; a textfile is removed (node_exporter would
	 * keep exporting its last values as if they were current). */
	exporter_http_stop(x->http);
	x->http = NULL;
	if (x->wrote_textfile && unlink(x->textfile) && errno != ENOENT)
		ftk_warn("cannot remove %s: %s", x->textfile, strerror(errno));
	ftk_out_flush();
}

/* ---- the view ---- */

static void exporter_init(struct ftk_run *r)
{
	struct exporter *x = r->state;
	x->interval = 1;
}

static int exporter_option(struct ftk_run *r, int key, const char *arg)
{
	struct exporter *x = r->state;

	switch (key) {
	case KEY_LISTEN: x->listen = arg; return 0;
	case KEY_TEXTFILE: x->textfile = arg; return 0;
	case KEY_CONFIG: x->config = arg; return 0;
	case 'i': return ftk_opt_seconds("interval", arg, &x->interval);
	}
	return -EINVAL;
}

static int exporter_check(struct ftk_run *r)
{
	struct exporter *x = r->state;

	/* --textfile alone writes the file only; --listen as well serves both. */
	x->http_on = x->listen ? strcmp(x->listen, "off") != 0 : !x->textfile;
	if (x->http_on && exporter_parse_listen(x->listen ? x->listen : DEFAULT_LISTEN, x->addr,
						 sizeof(x->addr), &x->port))
		return -EINVAL;
	if (!x->http_on && !x->textfile)
		return ftk_usage_error("--listen off needs --textfile PATH (nothing would be "
				       "exported)"), -EINVAL;
	if (x->textfile) {
		size_t n = strlen(x->textfile);
		if (n < 6 || strcmp(x->textfile + n - 5, ".prom") != 0)
			ftk_warn("node_exporter's textfile collector reads *.prom files only: %s",
				 x->textfile);
		x->tmp_path = ftk_xmalloc(n + 32);
		snprintf(x->tmp_path, n + 32, "%s.%d.tmp", x->textfile, (int)getpid());
	}
	return load_config(x);
}

static int exporter_prepare(struct ftk_run *r)
{
	struct exporter *x = r->state;
	char why[1024];
	int kept = 0;

	for (int i = 0; i < x->n; i++) {
		struct collector *c = x->collectors[i];
		int rc = collector_check(c, why, sizeof(why));
		if (rc && x->from_default[i]) {
			/* The default set exports what this kernel can count. */
			ftk_warn("%s not exported: %s", collector_name(c),
				 why[0] ? why : "unavailable here");
			collector_free(c);
			continue;
		}
		if (rc) {
			if (why[0]) {
				ftk_error("%s: %s", collector_name(c), why);
				ftk_hint("'ftk features' shows what this kernel offers");
			}
			for (int j = i; j < x->n; j++)
				collector_free(x->collectors[j]);
			x->n = kept;
			return rc;
		}
		x->collectors[kept] = c;
		x->from_default[kept++] = x->from_default[i];
	}
	x->n = kept;
	if (!x->n) {
		ftk_error("none of the collectors can count on this kernel");
		ftk_hint("'ftk features' shows what this kernel offers");
		return -ENOTSUP;
	}
	/* Probe hit counters need the instance's tracing off: only when nothing else of the
	 * session reads the ring buffer. */
	bool ring = false;
	for (int i = 0; i < x->n; i++)
		ring |= collector_needs_ring(x->collectors[i]);
	for (int i = 0; i < x->n; i++) {
		collector_prepare(x->collectors[i], !ring);
		if (r->dry_run)
			fprintf(stderr, "ftk exporter: %s counted by %s (%s)\n",
				collector_name(x->collectors[i]),
				collector_route(x->collectors[i]),
				collector_source(x->collectors[i]));
	}
	r->so.unordered = true;
	return 0;
}

static int exporter_declare(struct ftk_run *r, struct ftk_session *s)
{
	struct exporter *x = r->state;
	int rc;

	x->run = r;
	x->s = s;
	for (int i = 0; i < x->n; i++)
		if ((rc = collector_declare(x->collectors[i], s)))
			return rc;
	ftk_session_on_tick(s, (uint64_t)(x->interval * 1e9), on_tick, x);
	ftk_session_on_end(s, on_end, x);
	/* Listening before arm: a port in use is an error before any tracing state exists.
	 * After the session's start, so the server's thread keeps its signals blocked. */
	if (x->http_on && !r->dry_run && !(x->http = exporter_http_start(x->addr, x->port)))
		return -EADDRINUSE;
	return 0;
}

static int exporter_bind(struct ftk_run *r, struct ftk_session *s)
{
	struct exporter *x = r->state;
	int rc;

	for (int i = 0; i < x->n; i++)
		if ((rc = collector_bind(x->collectors[i])))
			return rc;
	collect(x);	/* every series at 0 from the first scrape */
	return 0;
}

static void exporter_header(struct ftk_run *r)
{
	struct exporter *x = r->state;

	for (int i = 0; i < x->n; i++)
		fprintf(stderr, "ftk exporter: %s counted by %s (%s)\n",
			collector_name(x->collectors[i]), collector_route(x->collectors[i]),
			collector_source(x->collectors[i]));
	ftk_outf("Exporting %d collectors", x->n);
	if (x->http)
		ftk_outf(", serving http://%s%s%s:%u/metrics", strchr(x->addr, ':') ? "[" : "",
			 x->addr, strchr(x->addr, ':') ? "]" : "", x->port);
	if (x->textfile)
		ftk_outf(", writing %s every %g s", x->textfile, x->interval);
	ftk_outf("... Ctrl-C to quit.\n");
	ftk_out_flush();
}

static void exporter_free(struct ftk_run *r)
{
	struct exporter *x = r->state;

	exporter_http_stop(x->http);
	for (int i = 0; i < x->n; i++)
		collector_free(x->collectors[i]);
	ftk_buf_free(&x->text);
	free(x->tmp_path);
}

static const struct ftk_view_ops ops = {
	.init = exporter_init,
	.option = exporter_option,
	.check = exporter_check,
	.prepare = exporter_prepare,
	.declare = exporter_declare,
	.bind = exporter_bind,
	.header = exporter_header,
	.free = exporter_free,
};

const struct ftk_view ftk_view_exporter = {
	.name = "exporter",
	.summary = "the counting views as Prometheus metrics (/metrics or a textfile)",
	.description =
		"Export what the counting views count as Prometheus metrics, from one session:\n"
		"syscalls per syscall, VFS calls per operation, function calls, execs per comm,\n"
		"block I/O latency per disk, and ftk's own health (lost events, the kernel's\n"
		"drops, each collector's route). Collectors come from --config (one per line, in\n"
		"the view's own option syntax: 'syscount -T 20'), else the default set. The\n"
		"kernel counts (hist triggers) where it can; every interval ftk reads the totals.",
	.examples =
		"  ftk exporter                          # default set on 127.0.0.1:9435/metrics\n"
		"  ftk exporter --listen :9435           # on every address (see man page first)\n"
		"  ftk exporter --textfile /var/lib/prometheus/node-exporter/ftk.prom\n"
		"  ftk exporter --config /etc/ftk/exporter.conf -i 5\n"
		"  ftk exporter --dry-run                # the routes and tracefs writes only\n",
	.common = FTK_OPT_DURATION | FTK_OPT_BUFFER | FTK_OPT_DRY_RUN | FTK_OPT_FORCE,
	.options = options,
	.ops = &ops,
	.state_size = sizeof(struct exporter),
};
