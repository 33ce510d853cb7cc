// SPDX-License-Identifier: GPL-2.0-only
/*
 * probes: the events a view declares (tracepoints, kprobes, uprobes) and their life in the
 * kernel: creation of dynamic events in the session's group ftk_<pid> (their definition lines),
 * format loading, filters, enabling, and removal. A view only declares (through the session);
 * ftk_session_arm() calls ftk_probes_arm() and the session's undo ftk_probes_destroy().
 * Every write goes through tfs.h (journal first, dry-run echo).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>

#include "elfsym.h"
#include "formats.h"
#include "probes.h"
#include "tfs.h"
#include "util.h"

void ftk_probes_init(struct ftk_probes *p, const struct ftk_tfs *tfs)
{
	*p = (struct ftk_probes){ .tfs = tfs, .max_id = -1 };
	p->tail = &p->events;
}

static struct ftk_event *declare(struct ftk_probes *p, enum ftk_event_kind kind,
				 const char *sys, const char *name)
{
	struct ftk_event *ev = ftk_xcalloc(1, sizeof(*ev));
	ev->kind = kind;
	ev->system = ftk_xstrdup(sys);
	ev->name = ftk_xstrdup(name);
	ev->id = -1;
	*p->tail = ev;
	p->tail = &ev->next;
	return ev;
}

struct ftk_event *ftk_probes_tracepoint(struct ftk_probes *p, const char *sys, const char *name,
					const char *filter)
{
	struct ftk_event *ev = declare(p, FTK_EV_TRACEPOINT, sys, name);
	if (filter && *filter)
		ev->filter = ftk_xstrdup(filter);
	return ev;
}

struct ftk_event *ftk_probes_kprobe(struct ftk_probes *p, const char *name, const char *symbol,
				    const char *fetch, bool ret)
{
	const char *group = p->tfs->group;
	struct ftk_event *ev = declare(p, ret ? FTK_EV_KRETPROBE : FTK_EV_KPROBE, group, name);
	struct ftk_buf b = { 0 };
	ftk_buf_printf(&b, "%s:%s/%s %s", ret ? "r" : "p", group, name, symbol);
	if (fetch && *fetch)
		ftk_buf_printf(&b, " %s", fetch);
	ev->probe = b.p;
	ev->target = ftk_xstrdup(symbol);
	ev->fetch = fetch ? ftk_xstrdup(fetch) : NULL;
	return ev;
}

struct ftk_event *ftk_probes_uprobe(struct ftk_probes *p, const char *name, const char *path,
				    unsigned long long offset, const char *fetch, bool ret)
{
	const char *group = p->tfs->group;
	struct ftk_event *ev = declare(p, ret ? FTK_EV_URETPROBE : FTK_EV_UPROBE, group, name);
	struct ftk_buf b = { 0 };
	ftk_buf_printf(&b, "%s:%s/%s %s:0x%llx", ret ? "r" : "p", group, name, path, offset);
	if (fetch && *fetch)
		ftk_buf_printf(&b, " %s", fetch);
	ev->probe = b.p;
	ev->target = ftk_xstrdup(path);
	ev->offset = offset;
	ev->fetch = fetch ? ftk_xstrdup(fetch) : NULL;
	return ev;
}

struct ftk_event *ftk_probes_uprobe_sym(struct ftk_probes *p, const char *name,
					const char *path, const char *symbol, const char *fetch,
					bool ret)
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
	return ftk_probes_uprobe(p, name, path, off, fetch, ret);
}

void ftk_event_on(struct ftk_event *ev, ftk_event_fn fn, void *ctx)
{
	if (!ev)
		return;
	ev->fn = fn;
	ev->ctx = ctx;
}

void ftk_event_not_self(struct ftk_event *ev)
{
	if (ev)
		ev->not_self = true;
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

/* Create one dynamic event: its definition line appended to uprobe_events/kprobe_events
 * (through the guardian: a kill of ftk never cuts it in half). 0 or -errno (message printed
 * unless optional). */
static int create_dynamic(struct ftk_probes *p, struct ftk_event *ev)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", p->tfs->tracefs, probe_file(ev));
	if (ev->kind != FTK_EV_KPROBE && ev->kind != FTK_EV_KRETPROBE &&
	    ev->kind != FTK_EV_UPROBE && ev->kind != FTK_EV_URETPROBE)
		return -EINVAL;
	/* kretprobes: no maxactive in the line (trap 17: it must be 0) */
	int err = ftk_tfs_write(p->tfs, path, ev->probe, true);	/* printed in dry-run */
	if (err) {
		if (!ev->optional) {
			char mention[256];
			snprintf(mention, sizeof(mention), "%s/%s", ev->system, ev->name);
			ftk_error("cannot create %s '%s': %s", probe_file(ev), ev->probe,
				  strerror(-err));
			if (!ftk_kernel_error_hint(NULL, mention) && err == -EPERM)
				ftk_hint("the kernel refused the probe (lockdown or security policy)");
		}
		return err;
	}
	ev->made = !p->tfs->dry_run;
	return 0;
}

static void destroy_dynamic(struct ftk_probes *p, struct ftk_event *ev)
{
	if (!ev->made)
		return;
	char path[512], line[512];
	snprintf(path, sizeof(path), "%s/%s", p->tfs->tracefs, probe_file(ev));
	snprintf(line, sizeof(line), "-:%s/%s", ev->system, ev->name);
	int err = ftk_tfs_write(p->tfs, path, line, true);
	if (err == -EBUSY) {
		/* Still enabled (top level): disable it, then again. */
		char en[1024];
		snprintf(en, sizeof(en), "%s/events/%s/%s/enable", p->tfs->tracefs, ev->system,
			 ev->name);
		ftk_tfs_write(p->tfs, en, "0", false);
		err = ftk_tfs_write(p->tfs, path, line, true);
	}
	if (err && err != -ENOENT)
		ftk_warn("cannot remove probe %s/%s: %s", ev->system, ev->name, strerror(-err));
	ev->made = false;
}

int ftk_probes_write_filter(struct ftk_probes *p, struct ftk_event *ev, const char *dir)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/events/%s/%s/filter", dir, ev->system, ev->name);
	/* The instance's error_log is ours to clear and read; where the filter is global (top
	 * level, before 3.14) there is no error_log at all (5.2). */
	bool own = strcmp(dir, p->tfs->dir) == 0;
	if (own)
		ftk_tfs_error_clear(p->tfs);
	int err = ftk_tfs_write(p->tfs, path, ev->filter, false);
	if (!err)
		return 0;
	char *log = own ? tracefs_error_last(p->tfs->inst) : NULL;
	ftk_error("invalid filter for %s:%s: '%s'", ev->system, ev->name, ev->filter);
	if (!log || !*log) {
		/* No error_log (added in 5.2): the kernel leaves its message in the event's
		 * filter file ("^\nparse_error: ..."), as it always did. */
		free(log);
		log = NULL;
		char *f = ftk_read_file(path, NULL), *pe = f ? strstr(f, "parse_error: ") : NULL;
		if (pe) {
			pe[strcspn(pe, "\n")] = 0;
			log = ftk_xstrdup(pe);
		}
		free(f);
	}
	if (log && *log)
		ftk_hint("kernel says: %s", log);
	else
		ftk_hint("fields of the event are listed in %s/events/%s/%s/format",
			 p->tfs->tracefs, ev->system, ev->name);
	free(log);
	return err;
}

static int enable_event(struct ftk_probes *p, struct ftk_event *ev, bool on)
{
	char path[1024], rel[600];
	snprintf(path, sizeof(path), "%s/events/%s/%s/enable", p->tfs->dir, ev->system, ev->name);
	if (!on || strcmp(p->tfs->instance, "-") != 0)
		return ftk_tfs_write(p->tfs, path, on ? "1" : "0", false);
	/* At top level the enable is global state: journaled as a file to write "0" back to
	 * (hex 30), or a kill -9 leaves the event on for everyone (set_event). */
	snprintf(rel, sizeof(rel), "events/%s/%s/enable", ev->system, ev->name);
	return ftk_tfs_change(p->tfs, "global", rel, "30", path, "1", false);
}

static void index_event(struct ftk_probes *p, struct ftk_event *ev)
{
	if (ev->id < 0)
		return;
	if (ev->id > p->max_id) {
		int n = ev->id + 1;
		p->by_id = ftk_xrealloc(p->by_id, n * sizeof(*p->by_id));
		for (int i = p->max_id + 1; i < n; i++)
			p->by_id[i] = NULL;
		p->max_id = ev->id;
	}
	p->by_id[ev->id] = ev;
}

int ftk_probes_create(struct ftk_probes *p)
{
	if (p->created)
		return 0;
	p->created = true;
	bool any_dyn = false;
	for (struct ftk_event *ev = p->events; ev; ev = ev->next)
		any_dyn |= is_dynamic(ev);
	/* The group line first: after a crash, `ftk reset` removes every event of it. */
	if (any_dyn) {
		int err = ftk_tfs_journal(p->tfs, "group", p->tfs->group, NULL);
		if (err)
			return err;
	}
	for (struct ftk_event *ev = p->events; ev; ev = ev->next) {
		if (!is_dynamic(ev))
			continue;
		int err = create_dynamic(p, ev);
		if (err && !ev->optional)
			return err;
		if (err)
			ev->skipped = true;
	}
	return 0;
}

int ftk_probes_load(struct ftk_probes *p, struct tep_handle *tep)
{
	if (p->tfs->dry_run)
		return 0;
	for (struct ftk_event *ev = p->events; ev; ev = ev->next) {
		if (ev->skipped)
			continue;
		ev->tep = ftk_tep_load(tep, p->tfs->tracefs, ev->system, ev->name);
		if (!ev->tep) {
			int e = errno;
			if (ev->optional) {
				ev->skipped = true;
				continue;
			}
			ftk_error("no event %s:%s on this kernel (%s)", ev->system, ev->name,
				  strerror(e));
			ftk_hint("'ftk features' shows what this kernel offers");
			return -e;
		}
		ev->id = ev->tep->id;
		index_event(p, ev);
	}
	return 0;
}

/* A probe group of a recording: ftk's own (ftk_<recorder pid>) or trace-cmd's default. */
static bool probe_group(const char *sys)
{
	return !strncmp(sys, "ftk_", 4) || !strcmp(sys, "kprobes") || !strcmp(sys, "uprobes");
}

static struct tep_event *find_recorded(struct tep_handle *tep, const struct ftk_event *ev)
{
	if (!is_dynamic(ev))
		return tep_find_event_by_name(tep, ev->system, ev->name);
	/* A dynamic event is named by the view; its group was the recorder's. */
	int n = tep_get_events_count(tep);
	struct tep_event **evs = tep_list_events(tep, TEP_EVENT_SORT_ID);
	for (int i = 0; evs && i < n; i++)
		if (!strcmp(evs[i]->name, ev->name) && probe_group(evs[i]->system))
			return evs[i];
	return NULL;
}

int ftk_probes_load_recorded(struct ftk_probes *p, struct tep_handle *tep,
			     struct ftk_buf *missing)
{
	int nmissing = 0;
	for (struct ftk_event *ev = p->events; ev; ev = ev->next) {
		if (ev->skipped)
			continue;
		ev->tep = find_recorded(tep, ev);
		if (!ev->tep) {
			if (ev->optional) {
				ev->skipped = true;
				continue;
			}
			ftk_buf_printf(missing, "%s%s:%s", nmissing++ ? ", " : "",
				       is_dynamic(ev) ? (ev->kind == FTK_EV_UPROBE ||
							 ev->kind == FTK_EV_URETPROBE ? "uprobe"
										      : "kprobe")
						      : ev->system,
				       ev->name);
			continue;
		}
		ev->id = ev->tep->id;
		ev->enabled = !ev->no_enable;	/* its records are in the file */
		index_event(p, ev);
	}
	return nmissing;
}

int ftk_probes_filter(struct ftk_probes *p)
{
	for (struct ftk_event *ev = p->events; ev; ev = ev->next) {
		if (ev->skipped || !ev->filter)
			continue;
		int rc = ftk_probes_write_filter(p, ev, p->tfs->dir);
		if (rc)
			return rc;
	}
	return 0;
}

int ftk_probes_enable(struct ftk_probes *p)
{
	for (struct ftk_event *ev = p->events; ev; ev = ev->next) {
		if (ev->skipped || ev->no_enable)
			continue;
		int err = enable_event(p, ev, true);
		if (err) {
			if (ev->optional) {
				ev->skipped = true;
				continue;
			}
			ftk_error("cannot enable %s:%s: %s", ev->system, ev->name, strerror(-err));
			if (err == -EPERM)
				ftk_hint("the kernel refused it (lockdown or security policy)");
			return err;
		}
		ev->enabled = !p->tfs->dry_run;
	}
	return 0;
}

void ftk_probes_disable(struct ftk_probes *p)
{
	for (struct ftk_event *ev = p->events; ev; ev = ev->next) {
		if (!ev->enabled)
			continue;
		enable_event(p, ev, false);
		ev->enabled = false;
	}
}

void ftk_probes_destroy(struct ftk_probes *p)
{
	for (struct ftk_event *ev = p->events; ev; ev = ev->next)
		destroy_dynamic(p, ev);
}

void ftk_probes_free(struct ftk_probes *p)
{
	struct ftk_event *ev = p->events, *next;
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
	free(p->by_id);
	ftk_probes_init(p, p->tfs);
}
