// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ptrack: the process tracker fed records laid out by the real formats in
 * tests/data/formats (6.18's sched_process_fork/exec/exit, task_rename of 6.18 with `pid`
 * and of 6.13 without it): fork, rename, exec naming, a thread's exec, exits kept for late
 * records then forgotten, a lost-events gap, and the pid-less rename applied to common_pid
 * only when its oldcomm is that task's comm (a new kthread named by its creator is not).
 * Pids above the kernel's PID_MAX_LIMIT (4194304) are used where /proc must know nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <cmocka.h>

#include <event-parse.h>

#include "core/events.h"
#include "core/field.h"
#include "core/ptrack.h"
#include "core/util.h"
#include "kernel_formats.h"

#define P(n) (5000000 + (n))	/* no such pid on any kernel */

struct fixture {
	struct tep_handle *tep;
	struct ftk_event ev[FTK_PTRACK_NSOURCES];
	struct ftk_ptrack *t;
	unsigned char rec[128];
	struct ftk_rec r;
};

static struct fixture *fixture(const char *rename_kernel)
{
	static const char *const names[FTK_PTRACK_NSOURCES][2] = {
		[FTK_PTRACK_FORK] = { "sched", "sched_process_fork" },
		[FTK_PTRACK_EXEC] = { "sched", "sched_process_exec" },
		[FTK_PTRACK_EXIT] = { "sched", "sched_process_exit" },
		[FTK_PTRACK_RENAME] = { "task", "task_rename" },
	};
	struct fixture *f = ftk_xcalloc(1, sizeof(*f));

	f->tep = tep_alloc();
	f->t = ftk_ptrack_new();
	for (int i = 0; i < FTK_PTRACK_NSOURCES; i++) {
		const char *kernel = i == FTK_PTRACK_RENAME ? rename_kernel : "6.18";
		f->ev[i].kind = FTK_EV_TRACEPOINT;
		f->ev[i].tep = formats_load(f->tep, kernel, names[i][0], names[i][1]);
		ftk_ptrack_use(f->t, i, &f->ev[i]);
	}
	ftk_ptrack_bind(f->t);
	return f;
}

static void fixture_free(struct fixture *f)
{
	ftk_ptrack_free(f->t);
	tep_free(f->tep);
	free(f);
}

/* Start a record of source k from common_pid pid. */
static void begin(struct fixture *f, int k, int32_t pid)
{
	uint16_t type = f->ev[k].tep->id;

	memset(f->rec, 0, sizeof(f->rec));
	memcpy(f->rec, &type, 2);
	memcpy(f->rec + 4, &pid, 4);
	f->r = (struct ftk_rec){ .ts = 1, .cpu = 0, .size = 64, .data = f->rec };
}

static void set_int(struct fixture *f, int k, const char *name, int32_t v)
{
	struct ftk_field_ref ref;

	assert_true(ftk_field_bind(&ref, &f->ev[k], name));
	memcpy(f->rec + ref.offset, &v, 4);
}

/* A char[N] field, or a __data_loc string placed at `at`. */
static void set_str(struct fixture *f, int k, const char *name, const char *s, int at)
{
	struct ftk_field_ref ref;
	size_t n = strlen(s);

	assert_true(ftk_field_bind(&ref, &f->ev[k], name));
	if (ref.dynamic) {
		uint32_t word = (uint32_t)(n + 1) << 16 | at;
		memcpy(f->rec + ref.offset, &word, 4);
		memcpy(f->rec + at, s, n + 1);
	} else {
		memcpy(f->rec + ref.offset, s, n < (size_t)ref.size ? n : (size_t)ref.size);
	}
}

/* Feed t a bare record of type id (no source matches an unbound tracker). */
static void begin_raw(struct ftk_ptrack *t, uint16_t id)
{
	unsigned char rec[64] = { 0 };
	struct ftk_rec r = { .size = sizeof(rec), .data = rec };

	memcpy(rec, &id, 2);
	ftk_ptrack_feed(t, &r);
}

static void fork_(struct fixture *f, int32_t parent, int32_t child, const char *comm)
{
	begin(f, FTK_PTRACK_FORK, parent);
	set_str(f, FTK_PTRACK_FORK, "parent_comm", comm, 24);
	set_int(f, FTK_PTRACK_FORK, "parent_pid", parent);
	set_str(f, FTK_PTRACK_FORK, "child_comm", comm, 40);
	set_int(f, FTK_PTRACK_FORK, "child_pid", child);
	ftk_ptrack_feed(f->t, &f->r);
}

static void exec_(struct fixture *f, int32_t pid, int32_t old_pid, const char *file)
{
	begin(f, FTK_PTRACK_EXEC, pid);
	set_str(f, FTK_PTRACK_EXEC, "filename", file, 24);
	set_int(f, FTK_PTRACK_EXEC, "pid", pid);
	set_int(f, FTK_PTRACK_EXEC, "old_pid", old_pid);
	ftk_ptrack_feed(f->t, &f->r);
}

static void exit_(struct fixture *f, int32_t pid)
{
	begin(f, FTK_PTRACK_EXIT, pid);
	set_int(f, FTK_PTRACK_EXIT, "pid", pid);
	ftk_ptrack_feed(f->t, &f->r);
}

/* task_rename from common_pid `current` of task `pid` (ignored by the pid-less format). */
static void rename_(struct fixture *f, int32_t current, int32_t pid, const char *oldcomm,
		    const char *newcomm)
{
	struct ftk_field_ref ref;

	begin(f, FTK_PTRACK_RENAME, current);
	if (ftk_field_bind(&ref, &f->ev[FTK_PTRACK_RENAME], "pid"))
		set_int(f, FTK_PTRACK_RENAME, "pid", pid);
	set_str(f, FTK_PTRACK_RENAME, "oldcomm", oldcomm, 0);
	set_str(f, FTK_PTRACK_RENAME, "newcomm", newcomm, 0);
	ftk_ptrack_feed(f->t, &f->r);
}

static const char *comm(struct fixture *f, pid_t pid)
{
	struct ftk_pinfo *p = ftk_ptrack_get(f->t, pid);

	return p ? p->comm : NULL;
}

static void test_fork_exec_rename(void **state)
{
	struct fixture *f = fixture("6.18");

	fork_(f, P(1), P(2), "bash");
	struct ftk_pinfo *p = ftk_ptrack_get(f->t, P(2));
	assert_non_null(p);
	assert_int_equal(p->ppid, P(1));	/* parent unknown to /proc: its pid */
	assert_int_equal(p->tgid, P(2));
	assert_string_equal(p->comm, "bash");
	/* exec: the kernel's own rename comes first and wins (fexecve names the task after
	 * the descriptor); without it the file's basename */
	rename_(f, P(2), P(2), "bash", "7");
	exec_(f, P(2), P(2), "/dev/fd/7");
	assert_string_equal(comm(f, P(2)), "7");
	exec_(f, P(2), P(2), "/usr/bin/a-very-long-program-name");
	assert_string_equal(comm(f, P(2)), "a-very-long-pro");
	assert_int_equal(ftk_ptrack_get(f->t, P(2))->ppid, P(1));
	/* prctl(PR_SET_NAME) of another task by pid (6.18 has the field) */
	rename_(f, P(9), P(2), "a-very-long-pro", "worker");
	assert_string_equal(comm(f, P(2)), "worker");
	/* a thread P(3) of P(2) execs: it takes the leader's pid, its tid is gone */
	fork_(f, P(2), P(3), "worker");
	rename_(f, P(2), P(2), "worker", "true");	/* after de_thread: the leader's pid */
	exec_(f, P(2), P(3), "/bin/true");
	assert_string_equal(comm(f, P(2)), "true");
	assert_true(ftk_ptrack_get(f->t, P(3)) != NULL);	/* kept for late records */
	/* a record of an unrelated event is ignored */
	begin(f, FTK_PTRACK_FORK, P(1));
	uint16_t other = 9999;
	memcpy(f->rec, &other, 2);
	ftk_ptrack_feed(f->t, &f->r);
	assert_string_equal(comm(f, P(2)), "true");
	fixture_free(f);
}

static void test_rename_without_pid(void **state)
{
	struct fixture *f = fixture("6.13");
	char me[16] = "";

	fork_(f, P(1), P(2), "bash");
	/* prctl(PR_SET_NAME): the renamed task is current */
	rename_(f, P(2), 0, "bash", "renamed");
	assert_string_equal(comm(f, P(2)), "renamed");
	/* a new kthread named by P(2) (kthread_create): oldcomm is kthreadd's, not P(2)'s */
	rename_(f, P(2), 0, "kthreadd", "kworker/0:1");
	assert_string_equal(comm(f, P(2)), "renamed");
	/* a task unknown to the events: what /proc says of it decides (this process) */
	prctl(PR_GET_NAME, me);
	rename_(f, getpid(), 0, me, "test-renamed");
	assert_string_equal(comm(f, getpid()), "test-renamed");
	rename_(f, getpid(), 0, "someone-else", "no");
	assert_string_equal(comm(f, getpid()), "test-renamed");
	/* exec after its own rename */
	rename_(f, P(2), 0, "renamed", "sh");
	exec_(f, P(2), P(2), "/bin/dash");
	assert_string_equal(comm(f, P(2)), "sh");
	fixture_free(f);
}

static void test_exit_and_lost(void **state)
{
	struct fixture *f = fixture("6.18");

	fork_(f, P(1), P(2), "bash");
	exit_(f, P(2));
	assert_string_equal(comm(f, P(2)), "bash");	/* the final sched_switch still names it */
	/* forked again (pid reuse) before it is forgotten: a fresh entry that stays */
	fork_(f, P(1), P(2), "make");
	fork_(f, P(1), P(3), "cc");
	exit_(f, P(3));
	for (int i = 0; i < FTK_PTRACK_KEEP_EXITED; i++) {
		fork_(f, P(1), P(100 + i), "x");
		exit_(f, P(100 + i));
	}
	assert_string_equal(comm(f, P(2)), "make");
	assert_null(comm(f, P(3)));
	assert_string_equal(comm(f, P(100)), "x");	/* the oldest two went first */
	assert_string_equal(comm(f, P(99 + FTK_PTRACK_KEEP_EXITED)), "x");
	/* a gap: nothing known is trusted; lookups go to /proc */
	ftk_ptrack_lost(f->t);
	assert_null(comm(f, P(2)));
	assert_null(ftk_ptrack_lookup(f->t, P(2)));
	struct ftk_pinfo *me = ftk_ptrack_lookup(f->t, getpid());
	assert_non_null(me);
	assert_int_equal(me->ppid, getppid());
	fixture_free(f);
}

/* The view's own tracking events are adopted (once per source: no second declaration);
 * others are not. A source whose event has no format (a skipped optional event) is off. */
static void test_sources(void **state)
{
	struct ftk_ptrack *t = ftk_ptrack_new();
	struct ftk_event exec = { .kind = FTK_EV_TRACEPOINT, .system = "sched",
				  .name = "sched_process_exec" };
	struct ftk_event again = exec, other = exec, probe = exec;

	other.name = "sched_switch";
	probe.kind = FTK_EV_UPROBE;
	assert_true(ftk_ptrack_adopt(t, &exec));
	assert_false(ftk_ptrack_adopt(t, &again));
	assert_false(ftk_ptrack_adopt(t, &other));
	assert_false(ftk_ptrack_adopt(t, &probe));
	ftk_ptrack_bind(t);
	begin_raw(t, 1);	/* no source is bound: nothing happens */
	assert_null(ftk_ptrack_get(t, P(1)));
	ftk_ptrack_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_exec_rename),
		cmocka_unit_test(test_rename_without_pid),
		cmocka_unit_test(test_exit_and_lost),
		cmocka_unit_test(test_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
