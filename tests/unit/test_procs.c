// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for core/procs: the /proc readers on this test process, its parent, one of its
 * threads and a reaped child (gone), a comm holding spaces and ')' for the stat parser, and
 * the pid table against a plain array under 100k random inserts and deletes.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/procs.h"

static void test_self_and_parent(void **state)
{
	char comm[16], want[16];
	pid_t me = getpid(), parent = getppid();

	assert_int_equal(ftk_proc_ppid(me), parent);
	assert_int_equal(ftk_proc_tgid(me), me);
	assert_int_equal(ftk_proc_uid(me), (long)getuid());
	assert_true(ftk_proc_exists(me));
	assert_true(ftk_proc_comm(me, comm, sizeof(comm)));
	prctl(PR_GET_NAME, want);
	assert_string_equal(comm, want);

	/* short buffer: truncated, still terminated */
	assert_true(ftk_proc_comm(me, comm, 3));
	assert_int_equal(strlen(comm), strlen(want) < 2 ? strlen(want) : 2);
	assert_memory_equal(comm, want, strlen(comm));

	assert_true(ftk_proc_exists(parent));
	assert_true(ftk_proc_ppid(parent) >= 0);
	assert_int_equal(ftk_proc_tgid(parent), parent);
	assert_true(ftk_proc_comm(parent, comm, sizeof(comm)));
	assert_true(comm[0] != 0 && !strchr(comm, '\n'));
	assert_true(ftk_proc_starttime(parent) > 0);
	assert_true(ftk_proc_starttime(parent) <= ftk_proc_starttime(me));
}

/* field 22 of /proc/self/stat counted the naive way (comm must not hold spaces) */
static unsigned long long naive_starttime(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	char *tok, *save = NULL;
	unsigned long long v = 0;

	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	tok = strtok_r(buf, " ", &save);
	for (int field = 1; tok; field++, tok = strtok_r(NULL, " ", &save))
		if (field == 22)
			v = strtoull(tok, NULL, 10);
	return v;
}

static void test_starttime_hostile_comm(void **state)
{
	char old[16], comm[16];
	unsigned long long st;

	prctl(PR_GET_NAME, old);
	prctl(PR_SET_NAME, "plain");
	st = ftk_proc_starttime(getpid());
	assert_true(st > 0);
	assert_true(st == naive_starttime());

	/* "(a) b) 1 2 3" would fool a parser that stops at the first ')' */
	prctl(PR_SET_NAME, "a) b) 1 2 3");
	assert_true(ftk_proc_starttime(getpid()) == st);
	assert_true(ftk_proc_comm(getpid(), comm, sizeof(comm)));
	assert_string_equal(comm, "a) b) 1 2 3");
	prctl(PR_SET_NAME, "x)\n)");
	assert_true(ftk_proc_starttime(getpid()) == st);
	assert_true(ftk_proc_comm(getpid(), comm, sizeof(comm)));
	assert_string_equal(comm, "x)\n)");	/* only the trailing newline is removed */
	prctl(PR_SET_NAME, old);
}

static pthread_barrier_t barrier;
static pid_t thread_tid;

static void *thread_fn(void *arg)
{
	thread_tid = gettid();
	prctl(PR_SET_NAME, "leaf-thread");
	pthread_barrier_wait(&barrier);	/* tid published */
	pthread_barrier_wait(&barrier);	/* checks done */
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th;
	pid_t *tids;
	char comm[16];
	int n;
	bool seen_me = false, seen_th = false;

	pthread_barrier_init(&barrier, NULL, 2);
	assert_int_equal(pthread_create(&th, NULL, thread_fn, NULL), 0);
	pthread_barrier_wait(&barrier);

	tids = ftk_proc_threads(getpid(), &n);
	assert_non_null(tids);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		seen_me |= tids[i] == getpid();
		seen_th |= tids[i] == thread_tid;
		if (i)
			assert_true(tids[i - 1] < tids[i]);
	}
	assert_true(seen_me && seen_th);
	free(tids);
	assert_int_equal(ftk_proc_tgid(thread_tid), getpid());
	assert_int_equal(ftk_proc_ppid(thread_tid), getppid());
	assert_true(ftk_proc_exists(thread_tid));
	assert_true(ftk_proc_comm(thread_tid, comm, sizeof(comm)));
	assert_string_equal(comm, "leaf-thread");

	pthread_barrier_wait(&barrier);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&barrier);
}

static void test_gone(void **state)
{
	char comm[16] = "unchanged";
	pid_t child = fork();
	int n = 7;

	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(ftk_proc_ppid(child), -1);
	assert_int_equal(ftk_proc_tgid(child), -1);
	assert_int_equal(ftk_proc_uid(child), -1);
	assert_false(ftk_proc_comm(child, comm, sizeof(comm)));
	assert_false(ftk_proc_exists(child));
	assert_true(ftk_proc_starttime(child) == 0);
	assert_null(ftk_proc_threads(child, &n));
	assert_int_equal(n, 0);

	/* never the process-group forms of kill() */
	assert_false(ftk_proc_exists(0));
	assert_false(ftk_proc_exists(-1));
	assert_int_equal(ftk_proc_ppid(0), -1);
	assert_int_equal(ftk_proc_ppid(-5), -1);
}

/* ---- pid table ---- */

#define MAXPID 40000	/* small key range: plenty of re-inserts, deletes of present keys */

struct ref {
	bool present;
	pid_t tgid;
	struct ftk_pinfo *ptr;	/* pointer from put: must stay valid while present */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static void check_all(struct ftk_ptable *t, struct ref *ref)
{
	for (pid_t p = 0; p < MAXPID; p++) {
		struct ftk_pinfo *e = ftk_ptable_get(t, p);

		if (!ref[p].present) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		assert_ptr_equal(e, ref[p].ptr);
		assert_int_equal(e->pid, p);
		assert_int_equal(e->tgid, ref[p].tgid);
	}
}

static void test_ptable_random(void **state)
{
	struct ftk_ptable *t = ftk_ptable_new();
	struct ref *ref = calloc(MAXPID, sizeof(*ref));
	long inserts = 0, deletes = 0;

	assert_non_null(ref);
	for (int op = 0; op < 200000; op++) {
		/* phases: grow to many keys, then mostly delete, then mixed */
		int phase = op / 50000;
		uint32_t r = rnd();
		pid_t p = (pid_t)(r % MAXPID);
		bool insert = phase == 0 ? (r >> 20) % 10 < 8 :
			      phase == 1 ? (r >> 20) % 10 < 2 : (r >> 20) % 2;

		if (insert) {
			struct ftk_pinfo *e = ftk_ptable_put(t, p);

			assert_non_null(e);
			if (ref[p].present) {
				assert_ptr_equal(e, ref[p].ptr);
			} else {
				assert_int_equal(e->tgid, -1);
				assert_int_equal(e->ppid, -1);
				assert_int_equal(e->comm[0], 0);
				ref[p].present = true;
				ref[p].ptr = e;
			}
			e->tgid = (pid_t)(r & 0xffff);
			ref[p].tgid = e->tgid;
			inserts++;
		} else {
			ftk_ptable_del(t, p);
			ref[p].present = false;
			deletes++;
		}
		struct ftk_pinfo *g = ftk_ptable_get(t, p);

		if (ref[p].present)
			assert_ptr_equal(g, ref[p].ptr);
		else
			assert_null(g);
		if (op % 20000 == 19999)
			check_all(t, ref);
	}
	check_all(t, ref);
	assert_true(inserts > 50000 && deletes > 50000);

	/* negative keys are never stored; 0 (the idle task) is an ordinary key */
	assert_null(ftk_ptable_put(t, -1));
	assert_null(ftk_ptable_get(t, -1));
	ftk_ptable_del(t, -1);
	free(ref);
	ftk_ptable_free(t);
}

/* Keys that collide in the low bits (multiples of a power of two) and clustered runs. */
static void test_ptable_clusters(void **state)
{
	struct ftk_ptable *t = ftk_ptable_new();
	const int n = 30000;

	for (int i = 0; i < n; i++)
		ftk_ptable_put(t, i * 4096)->tgid = i;
	for (int i = 0; i < n; i += 2)
		ftk_ptable_del(t, i * 4096);
	for (int i = 0; i < n; i++) {
		struct ftk_pinfo *e = ftk_ptable_get(t, i * 4096);

		if (i % 2 == 0) {
			assert_null(e);
		} else {
			assert_non_null(e);
			assert_int_equal(e->tgid, i);
		}
	}
	for (int i = 1; i < n; i += 2)
		ftk_ptable_del(t, i * 4096);
	for (int i = 0; i < n; i++)
		assert_null(ftk_ptable_get(t, i * 4096));
	/* re-use after emptying */
	ftk_ptable_put(t, 7)->tgid = 70;
	assert_int_equal(ftk_ptable_get(t, 7)->tgid, 70);
	ftk_ptable_free(t);
	ftk_ptable_free(NULL);
}

static void test_ptable_lookup(void **state)
{
	struct ftk_ptable *t = ftk_ptable_new();
	struct ftk_pinfo *e;
	char want[16];
	pid_t child;

	prctl(PR_GET_NAME, want);
	e = ftk_ptable_lookup(t, getpid());
	assert_non_null(e);
	assert_int_equal(e->pid, getpid());
	assert_int_equal(e->tgid, getpid());
	assert_int_equal(e->ppid, getppid());
	assert_string_equal(e->comm, want);
	/* second lookup hits the table, even after the fields are changed by events */
	strcpy(e->comm, "renamed");
	assert_ptr_equal(ftk_ptable_lookup(t, getpid()), e);
	assert_string_equal(ftk_ptable_lookup(t, getpid())->comm, "renamed");

	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	assert_null(ftk_ptable_lookup(t, child));
	assert_null(ftk_ptable_get(t, child));
	ftk_ptable_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_and_parent),
		cmocka_unit_test(test_starttime_hostile_comm),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_ptable_random),
		cmocka_unit_test(test_ptable_clusters),
		cmocka_unit_test(test_ptable_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
