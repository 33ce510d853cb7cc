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

#include "guardian.h"
#include "hist.h"
#include "tfs.h"
#include "util.h"

struct ftk_synth {
	struct ftk_synth *next;
	char *name;	/* ftk_<pid>_<name> */
	char *fields;
	bool created;
};

struct ftk_trigger {
	struct ftk_trigger *next;
	const struct ftk_tfs *tfs;
	char *sys, *event, *text;
	bool created;
	const bool *skip;	/* ftk_trigger_unless */
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

struct ftk_synth *ftk_hist_synth(struct ftk_hist *h, const char *name, const char *fields)
{
	if (!name_ok(name) || !fields || !*fields || strchr(fields, '\n'))
		return NULL;
	struct ftk_synth *sy = ftk_xcalloc(1, sizeof(*sy));
	struct ftk_buf b = { 0 };
	ftk_buf_printf(&b, "%s_%s", h->tfs->group, name);
	sy->name = b.p;
	sy->fields = ftk_xstrdup(fields);
	struct ftk_synth **tail = &h->synths;
	while (*tail)
		tail = &(*tail)->next;
	*tail = sy;
	return sy;
}

const char *ftk_synth_name(const struct ftk_synth *sy)
{
	return sy->name;
}

struct ftk_trigger *ftk_hist_trigger(struct ftk_hist *h, const char *sys, const char *event,
				     const char *text)
{
	if (!name_ok(sys) || !name_ok(event) || !text || !*text || strchr(text, '\n'))
		return NULL;
	struct ftk_trigger *t = ftk_xcalloc(1, sizeof(*t));
	t->tfs = h->tfs;
	t->sys = ftk_xstrdup(sys);
	t->event = ftk_xstrdup(event);
	t->text = ftk_xstrdup(text);
	struct ftk_trigger **tail = &h->triggers;
	while (*tail)
		tail = &(*tail)->next;
	*tail = t;
	return t;
}

static void event_file(const struct ftk_trigger *t, const char *file, char *path, size_t len)
{
	snprintf(path, len, "%s/events/%s/%s/%s", t->tfs->dir, t->sys, t->event, file);
}

/* "keys=A,B.mod" of a trigger's text: where it starts and its length (0: none). */
static size_t keys_of(const char *text, const char **keys)
{
	const char *k = strstr(text, "keys=");
	*keys = k ? k + 5 : "";
	return k ? strcspn(*keys, ": \n") : 0;
}

/* Whether a hist block's "# trigger info: ..." line is this trigger's: the same keys, and
 * the same filter (the kernel prints the filter as written, the rest normalized). */
static bool info_is(const char *trigger, const char *info, size_t len)
{
	const char *mine, *theirs;
	size_t n = keys_of(trigger, &mine);
	char *line = ftk_xmalloc(len + 1);
	memcpy(line, info, len);
	line[len] = 0;
	size_t m = keys_of(line, &theirs);
	bool same = n && n == m && memcmp(mine, theirs, n) == 0;
	const char *filter = strstr(trigger, " if ");
	if (same)
		same = filter ? strstr(line, filter) != NULL : strstr(line, " if ") == NULL;
	free(line);
	return same;
}

/*
 * An event's hist file holds one block per hist trigger on it ("# event histogram",
 * "# trigger info: TRIGGER", entries, "Totals:"), in the order of the event's trigger
 * list: older kernels add a trigger at the head of that list (4.9: the last one set comes
 * first), newer ones at its tail, so the order says nothing: the block whose trigger info
 * names this trigger's keys (and filter) is the one.
 */
char *ftk_hist_block(const char *text, const char *trigger)
{
	static const char info[] = "# trigger info: ";
	for (const char *b = strstr(text, info); b; b = strstr(b + 1, info)) {
		const char *line = b + sizeof(info) - 1;
		if (!info_is(trigger, line, strcspn(line, "\n")))
			continue;
		const char *end = strstr(line, "\n# event histogram");
		const char *next = strstr(line, info);
		if (!end || (next && next < end))
			end = next;
		size_t n = end ? (size_t)(end - b) : strlen(b);
		char *block = ftk_xmalloc(n + 2);
		memcpy(block, b, n);
		block[n] = '\n';
		block[n + 1] = 0;
		return block;
	}
	return NULL;
}

char *ftk_trigger_hist(const struct ftk_trigger *t)
{
	char path[1024];
	event_file(t, "hist", path, sizeof(path));
	char *text = ftk_read_file(path, NULL);
	char *block = text ? ftk_hist_block(text, t->text) : NULL;
	if (!block)
		return text;	/* one trigger, or a form not recognized: the whole file */
	free(text);
	return block;
}

static int create_synth(struct ftk_hist *h, struct ftk_synth *sy)
{
	char path[1024];
	struct ftk_buf b = { 0 };
	snprintf(path, sizeof(path), "%s/synthetic_events", h->tfs->tracefs);
	ftk_buf_printf(&b, "%s %s", sy->name, sy->fields);
	int err = ftk_tfs_journal(h->tfs, "synth", sy->name, NULL);
	if (!err) {
		err = ftk_tfs_write(h->tfs, path, b.p, true);
		if (err) {
			ftk_error("cannot create the synthetic event '%s': %s", b.p,
				  strerror(-err));
			ftk_kernel_error_hint(NULL, sy->name);
			if (err == -ENOENT)
				ftk_hint("no synthetic events here (CONFIG_SYNTH_EVENTS=n)");
		}
	}
	sy->created = !err && !h->tfs->dry_run;
	ftk_buf_free(&b);
	return err;
}

void ftk_trigger_unless(struct ftk_trigger *t, const bool *skip)
{
	t->skip = skip;
}

static int create_trigger(struct ftk_hist *h, struct ftk_trigger *t)
{
	char path[1024], where[512];
	if (t->skip && *t->skip)
		return 0;
	event_file(t, "trigger", path, sizeof(path));
	snprintf(where, sizeof(where), "%s/%s/%s", h->tfs->instance, t->sys, t->event);
	int err = ftk_tfs_journal(h->tfs, "trigger", where, NULL);
	if (err)
		return err;
	ftk_tfs_error_clear(h->tfs);
	err = ftk_tfs_write(h->tfs, path, t->text, true);
	if (err) {
		ftk_error("cannot set the trigger '%s' on %s:%s: %s", t->text, t->sys, t->event,
			  strerror(-err));
		ftk_kernel_error_hint(h->tfs->inst, NULL);	/* own error_log, cleared first */
		return err;
	}
	t->created = !h->tfs->dry_run;
	return 0;
}

int ftk_hist_arm(struct ftk_hist *h)
{
	for (struct ftk_synth *sy = h->synths; sy; sy = sy->next) {
		int rc = create_synth(h, sy);
		if (rc)
			return rc;
	}
	for (struct ftk_trigger *t = h->triggers; t; t = t->next) {
		int rc = create_trigger(h, t);
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
	int err = ftk_guarded_write(path, b.p, true);
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
	if (t->created || t->tfs->dry_run)
		return 0;
	event_file(t, "trigger", path, sizeof(path));
	ftk_tfs_error_clear(t->tfs);
	int err = ftk_tfs_write(t->tfs, path, t->text, true);
	if (err) {
		ftk_warn("cannot set the trigger '%s' on %s:%s again: %s", t->text, t->sys,
			 t->event, strerror(-err));
		ftk_kernel_error_hint(t->tfs->inst, NULL);
		return err;
	}
	t->created = true;
	return 0;
}

/* hist triggers came with pause/cont/clear (4.7); README says so ("The 'clear' parameter"). */
static bool kernel_clears(const struct ftk_tfs *tfs)
{
	static int has;		/* 0 not probed, 1 yes, 2 no */
	if (!has) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/README", tfs->tracefs);
		char *r = ftk_read_file(path, NULL);
		has = r && strstr(r, "'clear'") ? 1 : 2;
		free(r);
	}
	return has == 1;
}

int ftk_trigger_clear(struct ftk_trigger *t)
{
	if (!t->created || t->tfs->dry_run)
		return 0;
	if (!kernel_clears(t->tfs)) {
		int err = ftk_trigger_remove(t);
		return err ? err : ftk_trigger_recreate(t);
	}
	/* "hist:keys=...:size=N if FILTER" -> "hist:keys=...:size=N:clear if FILTER" */
	char path[1024];
	struct ftk_buf b = { 0 };
	const char *filter = strstr(t->text, " if ");
	size_t head = filter ? (size_t)(filter - t->text) : strlen(t->text);
	ftk_buf_printf(&b, "%.*s:clear%s", (int)head, t->text, filter ? filter : "");
	event_file(t, "trigger", path, sizeof(path));
	ftk_tfs_error_clear(t->tfs);
	int err = ftk_tfs_write(t->tfs, path, b.p, true);
	if (err) {
		ftk_warn("cannot clear the trigger '%s' on %s:%s: %s", t->text, t->sys, t->event,
			 strerror(-err));
		ftk_kernel_error_hint(t->tfs->inst, NULL);
	}
	ftk_buf_free(&b);
	return err;
}

bool ftk_hist_map_filling(uint64_t entries, uint64_t dropped, unsigned size)
{
	return dropped || entries * 4 >= (uint64_t)size * 3;
}

int ftk_hist_map_size(unsigned def, unsigned *size)
{
	const char *env = getenv("FTK_HIST_MAP_SIZE");
	unsigned long n;

	*size = def;
	if (!env)
		return 0;
	/* the kernel takes 2^7 .. 2^17 */
	if (ftk_parse_ulong(env, 128, 131072, &n) < 0 || (n & (n - 1))) {
		ftk_error("FTK_HIST_MAP_SIZE: expected a power of two from 128 to 131072");
		return -EINVAL;
	}
	*size = (unsigned)n;
	return 0;
}

/* Reverse order: a trigger using another's variables or a synthetic event goes first. */
static void untrigger(struct ftk_trigger *t)
{
	if (!t)
		return;
	untrigger(t->next);
	if (!t->created)
		return;
	int err = remove_trigger(t);
	if (err)
		ftk_warn("cannot remove the trigger on %s:%s: %s", t->sys, t->event,
			 strerror(-err));
	t->created = false;
}

void ftk_hist_untrigger(struct ftk_hist *h)
{
	untrigger(h->triggers);
}

void ftk_hist_unsynth(struct ftk_hist *h)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/synthetic_events", h->tfs->tracefs);
	for (struct ftk_synth *sy = h->synths; sy; sy = sy->next) {
		if (!sy->created)
			continue;
		struct ftk_buf b = { 0 };
		ftk_buf_printf(&b, "!%s", sy->name);
		int err = ftk_guarded_write(path, b.p, true);
		if (err)
			ftk_warn("cannot remove the synthetic event %s: %s%s", sy->name,
				 strerror(-err), err == -EBUSY ? " (still used; 'ftk reset' "
				 "retries)" : "");
		ftk_buf_free(&b);
		sy->created = false;
	}
}

void ftk_hist_free(struct ftk_hist *h)
{
	for (struct ftk_trigger *t = h->triggers, *n; t; t = n) {
		n = t->next;
		free(t->sys);
		free(t->event);
		free(t->text);
		free(t);
	}
	for (struct ftk_synth *sy = h->synths, *n; sy; sy = n) {
		n = sy->next;
		free(sy->name);
		free(sy->fields);
		free(sy);
	}
	h->triggers = NULL;
	h->synths = NULL;
}
