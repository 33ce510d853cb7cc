// SPDX-License-Identifier: GPL-2.0-only
/*
 * probes: the events a view declares (tracepoints, kprobes, uprobes) and their life in the
 * kernel: creation of dynamic events in the session's group ftk_<pid> (through libtracefs),
 * format loading, filters, enabling, and removal. A view only declares; ftk_session_arm()
 * calls ftk_probes_arm() and ftk_session_close() calls ftk_probes_disarm().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>

#include "elfsym.h"
#include "features.h"
#include "journal.h"
#include "probes.h"
#include "session_int.h"
#include "util.h"

static struct ftk_event *declare(struct ftk_session *s, enum ftk_event_kind kind,
				 const char *sys, const char *name)
{
	struct ftk_event *ev = ftk_xcalloc(1, sizeof(*ev));
	ev->kind = kind;
	ev->system = ftk_xstrdup(sys);
	ev->name = ftk_xstrdup(name);
	ev->id = -1;
	*s->events_tail = ev;
	s->events_tail = &ev->next;
	return ev;
}

struct ftk_event *ftk_tracepoint(struct ftk_session *s, const char *sys, const char *name,
				 const char *filter)
{
	struct ftk_event *ev = declare(s, FTK_EV_TRACEPOINT, sys, name);
	if (filter && *filter)
		ev->filter = ftk_xstrdup(filter);
	return ev;
}

struct ftk_event *ftk_kprobe(struct ftk_session *s, const char *name, const char *symbol,
			     const char *fetch, bool ret)
{
	struct ftk_event *ev = declare(s, ret ? FTK_EV_KRETPROBE : FTK_EV_KPROBE, s->group, name);
	struct ftk_buf b = { 0 };
	ftk_buf_printf(&b, "%s:%s/%s %s", ret ? "r" : "p", s->group, name, symbol);
	if (fetch && *fetch)
		ftk_buf_printf(&b, " %s", fetch);
	ev->probe = b.p;
	ev->target = ftk_xstrdup(symbol);
	ev->fetch = fetch ? ftk_xstrdup(fetch) : NULL;
	return ev;
}

struct ftk_event *ftk_uprobe(struct ftk_session *s, const char *name, const char *path,
			     unsigned long long offset, const char *fetch, bool ret)
{
	struct ftk_event *ev = declare(s, ret ? FTK_EV_URETPROBE : FTK_EV_UPROBE, s->group, name);
	struct ftk_buf b = { 0 };
	ftk_buf_printf(&b, "%s:%s/%s %s:0x%llx", ret ? "r" : "p", s->group, name, path, offset);
	if (fetch && *fetch)
		ftk_buf_printf(&b, " %s", fetch);
	ev->probe = b.p;
	ev->target = ftk_xstrdup(path);
	ev->offset = offset;
	ev->fetch = fetch ? ftk_xstrdup(fetch) : NULL;
	return ev;
}

struct ftk_event *ftk_uprobe_sym(struct ftk_session *s, const char *name, const char *path,
				 const char *symbol, const char *fetch, bool ret)
{
	uint64_t off;
	int err = ftk_elf_sym_offset(path, symbol, &off);
	if (err) {
		if (err == -ENOENT)
			ftk_error("no function '%s' in %s", symbol, path);
		else
			ftk_error("cannot read symbols of %s: %s", path, strerror(-err));
		return NULL;
	}
	return ftk_uprobe(s, name, path, off, fetch, ret);
}

void ftk_event_on(struct ftk_event *ev, ftk_event_fn fn, void *ctx)
{
	if (!ev)
		return;
	ev->fn = fn;
	ev->ctx = ctx;
}

static bool is_dynamic(const struct ftk_event *ev)
{
	return ev->kind != FTK_EV_TRACEPOINT;
}

static const char *probe_file(const struct ftk_event *ev)
{
	return ev->kind == FTK_EV_UPROBE || ev->kind == FTK_EV_URETPROBE ? "uprobe_events"
									 : "kprobe_events";
}

bool ftk_kernel_error_hint(struct tracefs_instance *inst, const char *mention)
{
	char *log = tracefs_error_last(inst);
	bool ours = log && *log && (!mention || strstr(log, mention));
	if (ours) {
		/* "[  4.47] trace_uprobe: error: X\n  Command: ...\n": keep the first line */
		char *nl = strchr(log, '\n');
		if (nl)
			*nl = 0;
		char *msg = strchr(log, ']');
		ftk_hint("kernel error_log: %s", msg && msg[1] ? msg + 2 : log);
	}
	free(log);
	return ours;
}

/* Create one dynamic event through libtracefs. 0 or -errno (message printed unless optional). */
static int create_dynamic(struct ftk_session *s, struct ftk_event *ev)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", s->tracefs, probe_file(ev));
	if (s->opts.dry_run) {
		printf("echo '%s' >> %s\n", ev->probe, path);
		return 0;
	}
	struct tracefs_dynevent *d = NULL;
	switch (ev->kind) {
	case FTK_EV_KPROBE:
		d = tracefs_kprobe_alloc(ev->system, ev->name, ev->target, ev->fetch);
		break;
	case FTK_EV_KRETPROBE:
		/* trap 17: maxactive must be 0 */
		d = tracefs_kretprobe_alloc(ev->system, ev->name, ev->target, ev->fetch, 0);
		break;
	case FTK_EV_UPROBE:
	case FTK_EV_URETPROBE:
		d = tracefs_uprobe_alloc(ev->system, ev->name, ev->target, ev->offset, ev->fetch);
		if (d && ev->kind == FTK_EV_URETPROBE) {
			tracefs_dynevent_free(d);
			d = tracefs_uretprobe_alloc(ev->system, ev->name, ev->target, ev->offset,
						    ev->fetch);
		}
		break;
	default:
		return -EINVAL;
	}
	if (!d)
		return -ENOMEM;
	if (tracefs_dynevent_create(d) < 0) {
		int e = errno ? errno : EINVAL;
		if (!ev->optional) {
			char mention[256];
			snprintf(mention, sizeof(mention), "%s/%s", ev->system, ev->name);
			ftk_error("cannot create %s '%s': %s", probe_file(ev), ev->probe,
				  strerror(e));
			if (!ftk_kernel_error_hint(NULL, mention) && e == EPERM)
				ftk_hint("the kernel refused the probe (lockdown or security policy)");
		}
		tracefs_dynevent_free(d);
		return -e;
	}
	ev->dyn = d;
	return 0;
}

static void destroy_dynamic(struct ftk_event *ev)
{
	if (!ev->dyn)
		return;
	struct tracefs_dynevent *d = ev->dyn;
	if (tracefs_dynevent_destroy(d, false) < 0) {
		int e = errno;
		/* Still enabled somewhere (instance not gone yet): force. */
		if (tracefs_dynevent_destroy(d, true) < 0)
			ftk_warn("cannot remove probe %s/%s: %s", ev->system, ev->name,
				 strerror(e));
	}
	tracefs_dynevent_free(d);
	ev->dyn = NULL;
}

static int set_filter(struct ftk_session *s, struct ftk_event *ev)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/events/%s/%s/filter", s->dir, ev->system, ev->name);
	if (s->inst)
		tracefs_error_clear(s->inst);
	int err = ftk_session_write_path(s, path, ev->filter, false);
	if (!err)
		return 0;
	char *log = tracefs_error_last(s->inst);
	ftk_error("invalid filter for %s:%s: '%s'", ev->system, ev->name, ev->filter);
	if (log && *log)
		ftk_hint("kernel says: %s", log);
	else
		ftk_hint("fields of the event are listed in %s/events/%s/%s/format", s->tracefs,
			 ev->system, ev->name);
	free(log);
	return -FTK_EXIT_USAGE;
}

static int enable_event(struct ftk_session *s, struct ftk_event *ev, bool on)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/events/%s/%s/enable", s->dir, ev->system, ev->name);
	return ftk_session_write_path(s, path, on ? "1" : "0", false);
}

static int index_event(struct ftk_session *s, struct ftk_event *ev)
{
	if (ev->id < 0)
		return 0;
	if (ev->id > s->max_id) {
		int n = ev->id + 1;
		s->by_id = ftk_xrealloc(s->by_id, n * sizeof(*s->by_id));
		for (int i = s->max_id + 1; i < n; i++)
			s->by_id[i] = NULL;
		s->max_id = ev->id;
	}
	s->by_id[ev->id] = ev;
	return 0;
}

int ftk_probes_create(struct ftk_session *s)
{
	if (s->probes_created)
		return 0;
	s->probes_created = true;
	bool any_dyn = false;
	for (struct ftk_event *ev = s->events; ev; ev = ev->next)
		any_dyn |= is_dynamic(ev);
	if (any_dyn && !s->opts.dry_run)
		ftk_journal_add("group", s->group, NULL);
	for (struct ftk_event *ev = s->events; ev; ev = ev->next) {
		if (!is_dynamic(ev))
			continue;
		int err = create_dynamic(s, ev);
		if (err && !ev->optional)
			return -FTK_EXIT_FAIL;
		if (err)
			ev->skipped = true;
	}
	return 0;
}

int ftk_probes_arm(struct ftk_session *s)
{
	/* 1. dynamic events (unless the session made them before its instance) */
	int rc = ftk_probes_create(s);
	if (rc)
		return rc;
	if (s->opts.dry_run) {
		for (struct ftk_event *ev = s->events; ev; ev = ev->next) {
			char path[1024];
			if (!ev->filter)
				continue;
			snprintf(path, sizeof(path), "%s/events/%s/%s/filter", s->dir, ev->system,
				 ev->name);
			ftk_session_write_path(s, path, ev->filter, false);
		}
		return 0;
	}
	/* 2. formats */
	for (struct ftk_event *ev = s->events; ev; ev = ev->next) {
		if (ev->skipped)
			continue;
		ev->tep = ftk_tep_load(s->tep, s->tracefs, ev->system, ev->name);
		if (!ev->tep) {
			int e = errno;
			if (ev->optional) {
				ev->skipped = true;
				continue;
			}
			ftk_error("no event %s:%s on this kernel (%s)", ev->system, ev->name,
				  strerror(e));
			ftk_hint("'ftk features' shows what this kernel offers");
			return -FTK_EXIT_FAIL;
		}
		ev->id = ev->tep->id;
		index_event(s, ev);
	}
	/* 3. filters */
	for (struct ftk_event *ev = s->events; ev; ev = ev->next) {
		if (ev->skipped || !ev->filter)
			continue;
		int rc = set_filter(s, ev);
		if (rc)
			return rc;
	}
	return 0;
}

int ftk_probes_enable(struct ftk_session *s)
{
	for (struct ftk_event *ev = s->events; ev; ev = ev->next) {
		if (ev->skipped || ev->no_enable)
			continue;
		int err = enable_event(s, ev, true);
		if (err) {
			if (ev->optional) {
				ev->skipped = true;
				continue;
			}
			ftk_error("cannot enable %s:%s: %s", ev->system, ev->name, strerror(-err));
			if (err == -EPERM)
				ftk_hint("the kernel refused it (lockdown or security policy)");
			return -FTK_EXIT_FAIL;
		}
		ev->enabled = !s->opts.dry_run;
	}
	return 0;
}

void ftk_probes_disable(struct ftk_session *s)
{
	for (struct ftk_event *ev = s->events; ev; ev = ev->next) {
		if (!ev->enabled)
			continue;
		enable_event(s, ev, false);
		ev->enabled = false;
	}
}

void ftk_probes_destroy(struct ftk_session *s)
{
	for (struct ftk_event *ev = s->events; ev; ev = ev->next)
		destroy_dynamic(ev);
}

void ftk_probes_free(struct ftk_session *s)
{
	struct ftk_event *ev = s->events, *next;
	for (; ev; ev = next) {
		next = ev->next;
		free(ev->system);
		free(ev->name);
		free(ev->filter);
		free(ev->probe);
		free(ev->target);
		free(ev->fetch);
		free(ev);
	}
	s->events = NULL;
	s->events_tail = &s->events;
	free(s->by_id);
	s->by_id = NULL;
	s->max_id = -1;
}
