// SPDX-License-Identifier: GPL-2.0-only
/* count (ftk trace --count): counters per event, printed per interval and in total. */
#include <stdlib.h>

#include "cmd/trace/count.h"
#include "core/events.h"
#include "core/output.h"
#include "core/record.h"
#include "core/session.h"

static void on_event(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	((struct trace_counter *)ctx)->count++;
}

static void print_rows(struct trace_count *c, const char *when, uint64_t now, bool total)
{
	struct ftk_buf *b = &c->line;

	if (c->json) {
		struct ftk_json j;
		ftk_json_record(&j, b, c->session, now, -1, -1, NULL, 0);
		if (total)
			ftk_json_bool(&j, "total", true);
		else
			ftk_json_double(&j, "interval", c->interval, 3);
		ftk_json_object_begin(&j, "counts");
		for (int i = 0; i < c->n; i++) {
			struct trace_counter *k = &c->counters[i];
			unsigned long long v = total ? k->count : k->count - k->shown;
			if (total || v)
				ftk_json_uint(&j, k->label, v);
		}
		ftk_json_object_end(&j);
		if (total)
			ftk_json_uint(&j, "lost", ftk_session_lost(c->session));
		ftk_json_end(&j);
	} else {
		for (int i = 0; i < c->n; i++) {
			struct trace_counter *k = &c->counters[i];
			unsigned long long v = total ? k->count : k->count - k->shown;
			if (total || v)
				ftk_buf_printf(b, "%-8s %-40s %12llu\n", when, k->label, v);
		}
	}
	for (int i = 0; i < c->n; i++)
		c->counters[i].shown = c->counters[i].count;
	ftk_out_buf(b);
	ftk_out_flush();
}

static void on_tick(struct ftk_session *s, uint64_t now, void *ctx)
{
	struct trace_count *c = ctx;
	char hms[16];

	ftk_fmt_hms(hms, ftk_session_mono_to_real(s, now));
	print_rows(c, hms, now, false);
}

static void on_end(struct ftk_session *s, void *ctx)
{
	print_rows(ctx, "total", ftk_now_mono(), true);
}

void trace_count_declare(struct trace_count *c, struct ftk_session *s, struct ftk_event **events,
			 char **labels, int n)
{
	c->session = s;
	c->n = n;
	c->counters = ftk_xcalloc(n ? n : 1, sizeof(*c->counters));
	for (int i = 0; i < n; i++) {
		c->counters[i].label = labels[i];
		ftk_event_on(events[i], on_event, &c->counters[i]);
	}
	ftk_session_on_tick(s, (uint64_t)(c->interval * 1e9), on_tick, c);
	ftk_session_on_end(s, on_end, c);
}

void trace_count_header(struct trace_count *c)
{
	if (!c->json)
		ftk_outf("%-8s %-40s %12s\n", "TIME", "EVENT", "COUNT");
}

void trace_count_free(struct trace_count *c)
{
	free(c->counters);
	ftk_buf_free(&c->line);
}
