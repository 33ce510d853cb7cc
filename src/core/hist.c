// SPDX-License-Identifier: GPL-2.0-only
/*
 * hist: synthetic events and hist triggers of a session (see hist.h). Written as text to
 * synthetic_events and to the instance's events/<sys>/<event>/trigger files rather than
 * through tracefs_synth_* / tracefs_hist_*: the exact strings are what is journaled, printed
 * in dry-run and removed ('!' + the same text), and the kernel-side expressions biolatency
 * needs (common_timestamp/1000-1, .buckets=) are not expressible through libtracefs 1.6.
 * Trigger files are always opened O_APPEND: O_TRUNC removes every trigger of the event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>

#include "hist.h"
#include "journal.h"
#include "probes.h"
#include "session_int.h"
#include "util.h"

struct ftk_synth {
	struct ftk_synth *next;
	char *name;	/* ftk_<pid>_<name> */
	char *fields;
	bool created;
};

struct ftk_trigger {
	struct ftk_trigger *next;
	struct ftk_session *s;
	char *sys, *event, *text;
	bool created;
};

static bool name_ok(const char *n)
{
	if (!*n)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '_'))
			return false;
	return true;
}

struct ftk_synth *ftk_synth(struct ftk_session *s, const char *name, const char *fields)
{
	if (!name_ok(name) || !fields || !*fields || strchr(fields, '\n'))
		return NULL;
	struct ftk_synth *sy = ftk_xcalloc(1, sizeof(*sy));
	struct ftk_buf b = { 0 };
	ftk_buf_printf(&b, "%s_%s", s->group, name);
	sy->name = b.p;
	sy->fields = ftk_xstrdup(fields);
	struct ftk_synth **tail = &s->synths;
	while (*tail)
		tail = &(*tail)->next;
	*tail = sy;
	return sy;
}

const char *ftk_synth_name(const struct ftk_synth *sy)
{
	return sy->name;
}

struct ftk_trigger *ftk_trigger(struct ftk_session *s, const char *sys, const char *event,
				const char *text)
{
	if (!name_ok(sys) || !name_ok(event) || !text || !*text || strchr(text, '\n'))
		return NULL;
	struct ftk_trigger *t = ftk_xcalloc(1, sizeof(*t));
	t->s = s;
	t->sys = ftk_xstrdup(sys);
	t->event = ftk_xstrdup(event);
	t->text = ftk_xstrdup(text);
	struct ftk_trigger **tail = &s->triggers;
	while (*tail)
		tail = &(*tail)->next;
	*tail = t;
	return t;
}

static void event_file(const struct ftk_trigger *t, const char *file, char *path, size_t len)
{
	snprintf(path, len, "%s/events/%s/%s/%s", t->s->dir, t->sys, t->event, file);
}

char *ftk_trigger_hist(const struct ftk_trigger *t)
{
	char path[1024];
	event_file(t, "hist", path, sizeof(path));
	return ftk_read_file(path, NULL);
}

static int create_synth(struct ftk_session *s, struct ftk_synth *sy)
{
	char path[1024];
	struct ftk_buf b = { 0 };
	snprintf(path, sizeof(path), "%s/synthetic_events", s->tracefs);
	ftk_buf_printf(&b, "%s %s", sy->name, sy->fields);
	if (!s->opts.dry_run) {
		int jerr = ftk_journal_add("synth", sy->name, NULL);
		if (jerr) {
			ftk_error("cannot journal the synthetic event %s: %s", sy->name,
				  strerror(-jerr));
			ftk_buf_free(&b);
			return -FTK_EXIT_FAIL;
		}
	}
	int err = ftk_session_write_path(s, path, b.p, true);
	if (err) {
		ftk_error("cannot create the synthetic event '%s': %s", b.p, strerror(-err));
		ftk_kernel_error_hint(NULL, sy->name);
		if (err == -ENOENT)
			ftk_hint("no synthetic events here (CONFIG_SYNTH_EVENTS=n)");
		ftk_buf_free(&b);
		return -FTK_EXIT_FAIL;
	}
	sy->created = !s->opts.dry_run;
	ftk_buf_free(&b);
	return 0;
}

static int create_trigger(struct ftk_session *s, struct ftk_trigger *t)
{
	char path[1024];
	event_file(t, "trigger", path, sizeof(path));
	if (!s->opts.dry_run) {
		char where[512];
		snprintf(where, sizeof(where), "%s/%s/%s",
			 s->opts.top_level ? "-" : s->inst_name, t->sys, t->event);
		int jerr = ftk_journal_add("trigger", where, NULL);
		if (jerr) {
			ftk_error("cannot journal the trigger on %s:%s: %s", t->sys, t->event,
				  strerror(-jerr));
			return -FTK_EXIT_FAIL;
		}
		if (s->inst)
			tracefs_error_clear(s->inst);
	}
	int err = ftk_session_write_path(s, path, t->text, true);
	if (err) {
		ftk_error("cannot set the trigger '%s' on %s:%s: %s", t->text, t->sys, t->event,
			  strerror(-err));
		ftk_kernel_error_hint(s->inst, NULL);	/* own error_log, cleared first */
		return -FTK_EXIT_FAIL;
	}
	t->created = !s->opts.dry_run;
	return 0;
}

int ftk_hist_arm(struct ftk_session *s)
{
	for (struct ftk_synth *sy = s->synths; sy; sy = sy->next) {
		int rc = create_synth(s, sy);
		if (rc)
			return rc;
	}
	for (struct ftk_trigger *t = s->triggers; t; t = t->next) {
		int rc = create_trigger(s, t);
		if (rc)
			return rc;
	}
	return 0;
}

/* '!' + the text: 0, or -errno (-ENOENT, the instance gone, counts as removed). */
static int remove_trigger(struct ftk_trigger *t)
{
	char path[1024];
	struct ftk_buf b = { 0 };
	event_file(t, "trigger", path, sizeof(path));
	ftk_buf_printf(&b, "!%s", t->text);
	int err = ftk_write_file(path, b.p, true);
	ftk_buf_free(&b);
	if (err == -ENOENT)
		err = 0;
	if (!err)
		t->created = false;
	return err;
}

int ftk_trigger_remove(struct ftk_trigger *t)
{
	if (!t->created)
		return 0;
	int err = remove_trigger(t);
	if (err)
		ftk_warn("cannot remove the trigger on %s:%s: %s", t->sys, t->event,
			 strerror(-err));
	return err;
}

int ftk_trigger_recreate(struct ftk_trigger *t)
{
	char path[1024];
	if (t->created || t->s->opts.dry_run)
		return 0;
	event_file(t, "trigger", path, sizeof(path));
	if (t->s->inst)
		tracefs_error_clear(t->s->inst);
	int err = ftk_write_file(path, t->text, true);
	if (err) {
		ftk_warn("cannot set the trigger '%s' on %s:%s again: %s", t->text, t->sys,
			 t->event, strerror(-err));
		ftk_kernel_error_hint(t->s->inst, NULL);
		return err;
	}
	t->created = true;
	return 0;
}

/* Reverse order: a trigger using another's variables or a synthetic event goes first. */
static void untrigger(struct ftk_session *s, struct ftk_trigger *t)
{
	if (!t)
		return;
	untrigger(s, t->next);
	if (!t->created)
		return;
	int err = remove_trigger(t);
	if (err)
		ftk_warn("cannot remove the trigger on %s:%s: %s", t->sys, t->event,
			 strerror(-err));
	t->created = false;
}

void ftk_hist_untrigger(struct ftk_session *s)
{
	untrigger(s, s->triggers);
}

void ftk_hist_unsynth(struct ftk_session *s)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/synthetic_events", s->tracefs);
	for (struct ftk_synth *sy = s->synths; sy; sy = sy->next) {
		if (!sy->created)
			continue;
		struct ftk_buf b = { 0 };
		ftk_buf_printf(&b, "!%s", sy->name);
		int err = ftk_write_file(path, b.p, true);
		if (err)
			ftk_warn("cannot remove the synthetic event %s: %s%s", sy->name,
				 strerror(-err), err == -EBUSY ? " (still used; 'ftk reset' "
				 "retries)" : "");
		ftk_buf_free(&b);
		sy->created = false;
	}
}

void ftk_hist_free(struct ftk_session *s)
{
	for (struct ftk_trigger *t = s->triggers, *n; t; t = n) {
		n = t->next;
		free(t->sys);
		free(t->event);
		free(t->text);
		free(t);
	}
	for (struct ftk_synth *sy = s->synths, *n; sy; sy = n) {
		n = sy->next;
		free(sy->name);
		free(sy->fields);
		free(sy);
	}
	s->triggers = NULL;
	s->synths = NULL;
}
