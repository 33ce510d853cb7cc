// SPDX-License-Identifier: GPL-2.0-only
/*
 * declare: what a view declares on its session (events.h: tracepoints, kprobes, uprobes;
 * hist.h: synthetic events, triggers; rbcount.h: counting instances), forwarded to the session's probe list and hist
 * engine. Kept apart from probes.c and hist.c so that they never see a session (the core's
 * graph stays one-way: session -> probes, hist -> tfs -> journal).
 */
#include "features.h"
#include "session_int.h"

struct ftk_event *ftk_tracepoint(struct ftk_session *s, const char *sys, const char *name,
				 const char *filter)
{
	return ftk_probes_tracepoint(&s->probes, sys, name, filter);
}

struct ftk_event *ftk_kprobe(struct ftk_session *s, const char *name, const char *symbol,
			     const char *fetch, bool ret)
{
	return ftk_probes_kprobe(&s->probes, name, symbol, fetch, ret);
}

struct ftk_event *ftk_uprobe(struct ftk_session *s, const char *name, const char *path,
			     unsigned long long offset, const char *fetch, bool ret)
{
	return ftk_probes_uprobe(&s->probes, name, path, offset, fetch, ret);
}

struct ftk_event *ftk_uprobe_sym(struct ftk_session *s, const char *name, const char *path,
				 const char *symbol, const char *fetch, bool ret)
{
	return ftk_probes_uprobe_sym(&s->probes, name, path, symbol, fetch, ret);
}

struct ftk_synth *ftk_synth(struct ftk_session *s, const char *name, const char *fields)
{
	return ftk_hist_synth(&s->hist, name, fields);
}

struct ftk_trigger *ftk_trigger(struct ftk_session *s, const char *sys, const char *event,
				const char *text)
{
	return ftk_hist_trigger(&s->hist, sys, event, text);
}

struct ftk_rbcount *ftk_rbcount(struct ftk_session *s)
{
	return ftk_rbcounts_new(&s->rbcounts);
}

struct ftk_event *ftk_tracepoint_optional(struct ftk_session *s, const char *sys,
					  const char *name, ftk_event_fn fn, void *ctx)
{
	if (!ftk_tracepoint_exists(sys, name))
		return NULL;
	struct ftk_event *ev = ftk_tracepoint(s, sys, name, NULL);
	ev->optional = true;
	ftk_event_on(ev, fn, ctx);
	return ev;
}
