// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptrack: the process tracker (see ptrack.h for the kernel facts it copes with). An
 * ftk_ptable keyed by thread id, fed by four tracepoints whose fields are bound once.
 */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "features.h"
#include "field.h"
#include "ptrack.h"
#include "util.h"

/* ftk_pinfo.flags */
enum {
	RENAMED = 1,	/* comm from task_rename since the last fork or exec */
	EXITED = 2,	/* kept for late records, forgotten FTK_PTRACK_KEEP_EXITED exits later */
	GONE = 4,	/* not in /proc when looked up: not asked again until an event names it */
};

static const struct {
	const char *system, *name;
} sources[FTK_PTRACK_NSOURCES] = {
	[FTK_PTRACK_FORK] = { "sched", "sched_process_fork" },
	[FTK_PTRACK_EXEC] = { "sched", "sched_process_exec" },
	[FTK_PTRACK_EXIT] = { "sched", "sched_process_exit" },
	[FTK_PTRACK_RENAME] = { "task", "task_rename" },
};

struct ftk_ptrack {
	struct ftk_ptable *table;
	struct ftk_event *events[FTK_PTRACK_NSOURCES];
	int ids[FTK_PTRACK_NSOURCES];		/* event id once bound, -1: source off */
	struct ftk_field_ref fork_parent, fork_child, fork_comm;
	struct ftk_field_ref exec_filename, exec_pid, exec_old_pid;
	struct ftk_field_ref exit_pid;
	struct ftk_field_ref rename_pid, rename_oldcomm, rename_newcomm;
	unsigned long changes;
	pid_t exited[FTK_PTRACK_KEEP_EXITED];	/* ring of the last exits, oldest at head */
	unsigned int exited_head, exited_count;
};

struct ftk_ptrack *ftk_ptrack_new(void)
{
	struct ftk_ptrack *t = ftk_xcalloc(1, sizeof(*t));

	t->table = ftk_ptable_new();
	for (int i = 0; i < FTK_PTRACK_NSOURCES; i++)
		t->ids[i] = -1;
	return t;
}

void ftk_ptrack_free(struct ftk_ptrack *t)
{
	if (!t)
		return;
	ftk_ptable_free(t->table);
	free(t);
}

static void on_record(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	ftk_ptrack_feed(ctx, r);
}

void ftk_ptrack_use(struct ftk_ptrack *t, enum ftk_ptrack_source source, struct ftk_event *ev)
{
	t->events[source] = ev;
}

bool ftk_ptrack_adopt(struct ftk_ptrack *t, struct ftk_event *ev)
{
	for (int i = 0; i < FTK_PTRACK_NSOURCES; i++) {
		if (ev->kind == FTK_EV_TRACEPOINT && !t->events[i] &&
		    strcmp(ev->system, sources[i].system) == 0 &&
		    strcmp(ev->name, sources[i].name) == 0) {
			ftk_ptrack_use(t, i, ev);
			return true;
		}
	}
	return false;
}

void ftk_ptrack_declare(struct ftk_ptrack *t, struct ftk_session *s)
{
	for (int i = 0; i < FTK_PTRACK_NSOURCES; i++) {
		if (t->events[i] || !ftk_tracepoint_exists(sources[i].system, sources[i].name))
			continue;
		struct ftk_event *ev = ftk_tracepoint(s, sources[i].system, sources[i].name, NULL);
		ev->optional = true;
		ftk_event_on(ev, on_record, t);
		ftk_ptrack_use(t, i, ev);
	}
}

void ftk_ptrack_bind(struct ftk_ptrack *t)
{
	struct ftk_event *const *ev = t->events;
	bool ok[FTK_PTRACK_NSOURCES];

	ftk_field_bind(&t->fork_parent, ev[FTK_PTRACK_FORK], "parent_pid");
	ftk_field_bind(&t->fork_comm, ev[FTK_PTRACK_FORK], "child_comm");
	ok[FTK_PTRACK_FORK] = ftk_field_bind(&t->fork_child, ev[FTK_PTRACK_FORK], "child_pid");
	ftk_field_bind(&t->exec_old_pid, ev[FTK_PTRACK_EXEC], "old_pid");
	ok[FTK_PTRACK_EXEC] = ftk_field_bind(&t->exec_pid, ev[FTK_PTRACK_EXEC], "pid") &&
			      ftk_field_bind(&t->exec_filename, ev[FTK_PTRACK_EXEC], "filename");
	ftk_field_bind(&t->exit_pid, ev[FTK_PTRACK_EXIT], "pid");
	ok[FTK_PTRACK_EXIT] = true;
	/* `pid` is absent from 6.13 until the revert (ptrack.h): common_pid then. */
	ftk_field_bind(&t->rename_pid, ev[FTK_PTRACK_RENAME], "pid");
	ftk_field_bind(&t->rename_oldcomm, ev[FTK_PTRACK_RENAME], "oldcomm");
	ok[FTK_PTRACK_RENAME] = ftk_field_bind(&t->rename_newcomm, ev[FTK_PTRACK_RENAME],
					       "newcomm");
	for (int i = 0; i < FTK_PTRACK_NSOURCES; i++)
		t->ids[i] = ev[i] && ev[i]->tep && ok[i] ? ev[i]->tep->id : -1;
}

static void set_comm(struct ftk_pinfo *p, const char *s, int len)
{
	if (!s || len < 0)
		len = 0;
	if ((size_t)len > sizeof(p->comm) - 1)
		len = sizeof(p->comm) - 1;
	memcpy(p->comm, s ? s : "", len);
	p->comm[len] = '\0';
}

/* A task left: keep its entry for late records, forget the oldest kept one. */
static void exited(struct ftk_ptrack *t, pid_t pid)
{
	struct ftk_pinfo *p = ftk_ptable_get(t->table, pid);

	if (!p)
		return;
	p->flags |= EXITED;
	if (t->exited_count == FTK_PTRACK_KEEP_EXITED) {
		pid_t old = t->exited[t->exited_head];
		struct ftk_pinfo *o = ftk_ptable_get(t->table, old);

		if (o && (o->flags & EXITED) && old != pid)	/* not forked again since */
			ftk_ptable_del(t->table, old);
		t->exited_head = (t->exited_head + 1) % FTK_PTRACK_KEEP_EXITED;
		t->exited_count--;
	}
	t->exited[(t->exited_head + t->exited_count++) % FTK_PTRACK_KEEP_EXITED] = pid;
}

static void track_fork(struct ftk_ptrack *t, const struct ftk_rec *r)
{
	pid_t parent = ftk_field_s64(&t->fork_parent, r->data, r->size, ftk_rec_pid(r->data));
	pid_t child = ftk_field_s64(&t->fork_child, r->data, r->size, -1);
	/* A parent the events have not named yet is read from /proc once, not at every fork. */
	struct ftk_pinfo *pp = ftk_ptrack_lookup(t, parent);
	pid_t parent_tgid = !pp ? parent : pp->tgid > 0 ? pp->tgid : ftk_proc_tgid(parent);
	int len;
	const char *comm = ftk_field_str(&t->fork_comm, r->data, r->size, &len);

	if (parent_tgid <= 0)
		parent_tgid = parent;
	else if (pp && pp->tgid <= 0)
		pp->tgid = parent_tgid;
	struct ftk_pinfo *c = ftk_ptable_put(t->table, child);
	if (!c)
		return;
	/* sched_process_fork does not say thread or process: a process is assumed (a thread's
	 * entry is not used for its process's parent: exec gives the tgid). */
	c->tgid = child;
	c->ppid = parent_tgid;
	c->flags = 0;
	if (comm)
		set_comm(c, comm, len);
	else if (pp)
		memcpy(c->comm, pp->comm, sizeof(c->comm));
	else
		c->comm[0] = '\0';
}

static void track_exec(struct ftk_ptrack *t, const struct ftk_rec *r)
{
	pid_t pid = ftk_field_s64(&t->exec_pid, r->data, r->size, -1);
	pid_t old = ftk_field_s64(&t->exec_old_pid, r->data, r->size, pid);
	int len;
	const char *file = ftk_field_str(&t->exec_filename, r->data, r->size, &len);
	struct ftk_pinfo *p = ftk_ptable_put(t->table, pid);

	if (!p)
		return;
	p->tgid = pid;	/* exec makes the task its thread group's leader */
	if (!(p->flags & RENAMED) || !p->comm[0]) {
		const char *slash = file ? memrchr(file, '/', len) : NULL;
		if (slash) {
			len -= slash + 1 - file;
			file = slash + 1;
		}
		set_comm(p, file, len);
	}
	p->flags &= ~(RENAMED | EXITED | GONE);
	if (old != pid)		/* a thread exec'd: its old tid is gone */
		exited(t, old);
}

static void track_exit(struct ftk_ptrack *t, const struct ftk_rec *r)
{
	exited(t, ftk_field_s64(&t->exit_pid, r->data, r->size, ftk_rec_pid(r->data)));
}

static void track_rename(struct ftk_ptrack *t, const struct ftk_rec *r)
{
	int len, oldlen;
	const char *comm = ftk_field_str(&t->rename_newcomm, r->data, r->size, &len);
	pid_t pid;

	if (ftk_field_has(&t->rename_pid)) {
		pid = ftk_field_s64(&t->rename_pid, r->data, r->size, -1);
	} else {
		/* No pid field: the task running is the renamed one unless it named another
		 * (a sibling's /proc/TID/comm, a new kthread): then its comm is not oldcomm. */
		pid = ftk_rec_pid(r->data);
		const char *oldcomm = ftk_field_str(&t->rename_oldcomm, r->data, r->size,
						    &oldlen);
		struct ftk_pinfo *known = ftk_ptrack_lookup(t, pid);
		if (known && known->comm[0] && oldcomm &&
		    !(strlen(known->comm) == (size_t)oldlen &&
		      memcmp(known->comm, oldcomm, oldlen) == 0) &&
		    !(comm && strlen(known->comm) == (size_t)len &&
		      memcmp(known->comm, comm, len) == 0))
			return;
	}
	struct ftk_pinfo *p = ftk_ptable_put(t->table, pid);
	if (!p)
		return;
	set_comm(p, comm, len);
	p->flags = (p->flags & ~GONE) | RENAMED;
}

void ftk_ptrack_feed(struct ftk_ptrack *t, const struct ftk_rec *r)
{
	int id = ftk_rec_type(r->data);

	t->changes++;
	if (id == t->ids[FTK_PTRACK_FORK])
		track_fork(t, r);
	else if (id == t->ids[FTK_PTRACK_EXEC])
		track_exec(t, r);
	else if (id == t->ids[FTK_PTRACK_EXIT])
		track_exit(t, r);
	else if (id == t->ids[FTK_PTRACK_RENAME])
		track_rename(t, r);
	else
		t->changes--;
}

unsigned long ftk_ptrack_changes(const struct ftk_ptrack *t)
{
	return t->changes;
}

void ftk_ptrack_lost(struct ftk_ptrack *t)
{
	ftk_ptable_free(t->table);
	t->table = ftk_ptable_new();
	t->exited_head = t->exited_count = 0;
	t->changes++;
}

struct ftk_pinfo *ftk_ptrack_get(struct ftk_ptrack *t, pid_t pid)
{
	struct ftk_pinfo *p = ftk_ptable_get(t->table, pid);

	return p && !(p->flags & GONE) ? p : NULL;
}

struct ftk_pinfo *ftk_ptrack_lookup(struct ftk_ptrack *t, pid_t pid)
{
	struct ftk_pinfo *p = ftk_ptable_get(t->table, pid);

	if (p)
		return p->flags & GONE ? NULL : p;
	p = ftk_ptable_lookup(t->table, pid);
	if (!p && pid > 0) {	/* remembered as gone: a stream of its records reads /proc once */
		p = ftk_ptable_put(t->table, pid);
		p->flags = GONE;
		return NULL;
	}
	return p;
}
