// SPDX-License-Identifier: GPL-2.0-only
/*
 * session_input: the session over a recording (--input FILE, opts.input). The view declares
 * its events and hooks exactly as live; instead of an instance and per-CPU buffers, arm finds
 * the declared events among the file's formats and run hands the file's records to the same
 * dispatch (pid filter, then the view's handler) in (timestamp, CPU) order. Nothing touches
 * tracefs and nothing needs privilege:
 *   - a recording without an event the view needs is refused, naming every missing one;
 *   - the kernel filters the view declared are applied in user space (libtraceevent's
 *     filter engine, same syntax for what views write: comparisons and && || !);
 *   - writes a view asks for (tracer, options, set_event_pid) are not made: a pid filter
 *     becomes the user-space one; in-kernel aggregation (hist triggers) is refused;
 *   - time: the views' clock is the file's trace clock (mono for ftk's recordings), "now" is
 *     the timestamp of the record being dispatched: interval ticks and -d fire at the same
 *     points of the recording as live. The run starts at the file's first record.
 *   - losses: the pages the kernel flagged are reported before their first record, as live.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "output.h"
#include "session_int.h"
#include "tracedat_read.h"
#include "util.h"

/* The declared kernel filters, compiled against the file's formats. */
static int compile_filters(struct ftk_session *s)
{
	struct tep_handle *tep = s->tep;

	for (struct ftk_event *ev = s->probes.events; ev; ev = ev->next) {
		if (ev->skipped || !ev->filter || !ev->tep)
			continue;
		struct tep_event_filter *f = tep_filter_alloc(tep);
		struct ftk_buf b = { 0 };
		char err[256];

		ftk_buf_printf(&b, "%s/%s:%s", ev->tep->system, ev->tep->name, ev->filter);
		enum tep_errno rc = tep_filter_add_filter_str(f, ftk_buf_str(&b));
		ftk_buf_free(&b);
		if (rc < 0) {
			if (tep_filter_strerror(f, rc, err, sizeof(err)))
				snprintf(err, sizeof(err), "cannot parse it");
			tep_filter_free(f);
			ftk_error("invalid filter for %s:%s: '%s'", ev->system, ev->name,
				  ev->filter);
			ftk_hint("offline, filters are applied by libtraceevent, which says: %s",
				 err);
			return -EINVAL;
		}
		if (ev->id >= s->in_nfilters) {
			int n = ev->id + 1;
			s->in_filters = ftk_xrealloc(s->in_filters, n * sizeof(*s->in_filters));
			memset(s->in_filters + s->in_nfilters, 0,
			       (n - s->in_nfilters) * sizeof(*s->in_filters));
			s->in_nfilters = n;
		}
		s->in_filters[ev->id] = f;
	}
	return 0;
}

int ftk_session_input_arm(struct ftk_session *s)
{
	struct ftk_buf missing = { 0 };
	int rc;

	if (s->hist.synths || s->hist.triggers) {
		ftk_error("%s aggregates in the kernel (hist triggers): a recording holds events, "
			  "not the kernel's aggregation", s->opts.view ? s->opts.view : "this view");
		ftk_hint("pick a backend that reads events (--backend), or run it live");
		return -ENOTSUP;
	}
	s->tep = ftk_tracedat_tep(s->opts.input);
	/* A pid filter follows children from the forks (live: set_event_pid + event-fork). */
	for (struct ftk_event *ev = s->probes.events; ev; ev = ev->next)
		if (ev->kind == FTK_EV_TRACEPOINT && !strcmp(ev->system, "sched") &&
		    !strcmp(ev->name, "sched_process_fork"))
			s->fork_ev = ev;
	if (!s->fork_ev && tep_find_event_by_name(s->tep, "sched", "sched_process_fork")) {
		s->fork_ev = ftk_tracepoint(s, "sched", "sched_process_fork", NULL);
		s->fork_ev->optional = true;
	}
	int n = ftk_probes_load_recorded(&s->probes, s->tep, &missing);
	/* Every recorder writes all ftrace formats: function_graph was on only if its records
	 * are there. */
	for (struct ftk_event *ev = s->probes.events; ev; ev = ev->next) {
		if (!ev->tep || ev->optional || strcmp(ev->tep->system, "ftrace") ||
		    ftk_tracedat_recorded(s->opts.input, ev->id))
			continue;
		ftk_buf_printf(&missing, "%sftrace:%s", n++ ? ", " : "", ev->name);
	}
	if (n) {
		ftk_error("the recording has no event%s %s (needed by %s)", n == 1 ? "" : "s",
			  ftk_buf_str(&missing), s->opts.view ? s->opts.view : "this view");
		ftk_hint("record them, e.g. 'ftk record %s -o FILE'; 'ftk report FILE' shows "
			 "what a file holds", s->opts.view ? s->opts.view : "VIEW");
		ftk_buf_free(&missing);
		return -ENOENT;
	}
	ftk_buf_free(&missing);
	rc = compile_filters(s);
	if (rc)
		return rc;
	if (s->setup_fn && (rc = s->setup_fn(s, s->setup_ctx)))
		return rc;
	s->armed = true;
	s->start_mono = ftk_tracedat_first_ts(s->opts.input);
	/* No wall clock in the file: the host's offset (right when read on the recording's
	 * boot with the mono clock, which is how ftk records). */
	s->real_off = (int64_t)(ftk_now_real() - ftk_now_mono());
	if (s->opts.duration > 0)
		s->end_mono = s->start_mono + (uint64_t)(s->opts.duration * 1e9);
	return FTK_ARM_OK;
}

static bool filtered_out(struct ftk_session *s, int id, const struct ftk_rec *r)
{
	struct tep_event_filter *f = id < s->in_nfilters ? s->in_filters[id] : NULL;
	if (!f)
		return false;
	struct tep_record rec = {
		.ts = r->ts, .cpu = r->cpu, .size = r->size, .data = r->data,
	};
	return tep_filter_match(f, &rec) != TEP_ERRNO__FILTER_MATCH;
}

static int on_record(const struct ftk_rec *r, long long missed, void *ctx)
{
	struct ftk_session *s = ctx;

	if (ftk_session_stopping(s))
		return 1;
	if (s->end_mono && r->ts >= s->end_mono)
		return 1;
	while (s->tick_fn && s->next_tick && r->ts >= s->next_tick) {
		s->tick_fn(s, s->next_tick, s->tick_ctx);
		s->next_tick += s->tick_ns;
	}
	if (missed) {
		if (missed > 0)
			s->in_lost += missed;
		ftk_session_lost_cb(r->cpu, missed > 0 ? missed : -1, s);
	}
	int id = ftk_rec_type(r->data);
	if (!ftk_probes_by_id(&s->probes, id))
		return 0;	/* an event of the file this view does not use */
	if (filtered_out(s, id, r))
		return 0;
	s->in_records++;
	ftk_session_dispatch(r, s);
	if ((s->in_records & 1023) == 0 && (!ftk_out_flush() || ftk_out_broken()))
		return 1;
	return 0;
}

void ftk_session_input_run(struct ftk_session *s)
{
	if (s->tick_ns)
		s->next_tick = s->start_mono + s->tick_ns;
	ftk_tracedat_iterate(s->opts.input, on_record, s);
	ftk_out_flush();
}

void ftk_session_input_end(struct ftk_session *s)
{
	for (int i = 0; i < s->in_nfilters; i++)
		if (s->in_filters[i])
			tep_filter_free(s->in_filters[i]);
	free(s->in_filters);
	s->in_filters = NULL;
	s->in_nfilters = 0;
	s->tep = NULL;	/* the file's: freed with it */
}
