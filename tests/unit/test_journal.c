// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the journal: hex round trips, parsing (good and malformed lines), writing a
 * journal in a temporary directory, liveness of a session, and ftk_reset_dead() run against
 * a fake tracefs tree (plain directories and files) so the undo logic is checked without a
 * kernel: what is removed, what is restored byte-exact, what is left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/journal.h"
#include "core/recover.h"
#include "core/util.h"

static void test_hex_roundtrip(void **state)
{
	const char raw[] = "a b\n\0\xff\x01#### x";
	size_t len = sizeof(raw) - 1, dlen = 0;
	char *hex = ftk_hex_encode(raw, len);

	assert_string_equal(hex, "6120620a00ff01232323232078");
	char *back = ftk_hex_decode(hex, &dlen);
	assert_non_null(back);
	assert_int_equal(dlen, len);
	assert_memory_equal(back, raw, len);
	free(back);
	free(hex);
}

static void test_hex_empty_and_bad(void **state)
{
	size_t n = 7;
	char *e = ftk_hex_encode("", 0);

	assert_string_equal(e, "");
	char *d = ftk_hex_decode(e, &n);
	assert_non_null(d);
	assert_int_equal(n, 0);
	free(d);
	free(e);
	assert_null(ftk_hex_decode("abc", NULL));	/* odd length */
	assert_null(ftk_hex_decode("zz", NULL));	/* not hex */
	d = ftk_hex_decode("4A6b", &n);			/* either case */
	assert_non_null(d);
	assert_string_equal(d, "Jk");
	free(d);
}

static void test_parse(void **state)
{
	struct ftk_journal j;
	const char *text = "session 4242 987654\n"
			   "instance ftk-4242\n"
			   "group ftk_4242\n"
			   "global set_graph_function 7666735f726561640a\n"
			   "global set_ftrace_pid\n"
			   "global set_event_pid -\n"
			   "\n"
			   "tracer - nop\n";

	assert_int_equal(ftk_journal_parse(text, &j), 0);
	assert_int_equal(j.pid, 4242);
	assert_true(j.starttime == 987654ull);
	assert_int_equal(j.n, 6);
	assert_string_equal(j.lines[0].kind, "instance");
	assert_string_equal(j.lines[0].a, "ftk-4242");
	assert_string_equal(j.lines[1].kind, "group");
	assert_string_equal(j.lines[2].b, "7666735f726561640a");
	assert_string_equal(j.lines[3].b, "");		/* empty: truncate */
	assert_string_equal(j.lines[4].b, "");		/* "-" is empty too */
	assert_string_equal(j.lines[5].kind, "tracer");
	assert_string_equal(j.lines[5].a, "-");
	assert_string_equal(j.lines[5].b, "nop");
	ftk_journal_free(&j);
}

static void test_parse_malformed(void **state)
{
	struct ftk_journal j;

	/* Line 3 (odd hex) and 4 (unknown kind) are bad: the first bad line is reported and
	 * the good ones are kept. */
	assert_int_equal(ftk_journal_parse("session 7 1\ninstance ftk-7\nglobal x abc\n"
					   "frobnicate a\ngroup ftk_7\n", &j), 3);
	assert_int_equal(j.n, 2);
	assert_string_equal(j.lines[1].a, "ftk_7");
	ftk_journal_free(&j);

	assert_int_equal(ftk_journal_parse("instance a b\n", &j), 1);	/* extra token */
	assert_int_equal(j.pid, 0);					/* no session line */
	ftk_journal_free(&j);
	assert_int_equal(ftk_journal_parse("session x 1\n", &j), 1);
	ftk_journal_free(&j);
	assert_int_equal(ftk_journal_parse("tracer -\n", &j), 1);
	ftk_journal_free(&j);
}

static char tmpdir[64];

static void path_in(char *out, size_t len, const char *rel)
{
	snprintf(out, len, "%s/%s", tmpdir, rel);
}

static void put(const char *rel, const char *content)
{
	char p[256];

	path_in(p, sizeof(p), rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static char *get(const char *rel)
{
	char p[256];

	path_in(p, sizeof(p), rel);
	return ftk_read_file(p, NULL);
}

static bool there(const char *rel)
{
	char p[256];
	struct stat st;

	path_in(p, sizeof(p), rel);
	return stat(p, &st) == 0;
}

static void mk(const char *rel)
{
	char p[256];

	path_in(p, sizeof(p), rel);
	assert_int_equal(mkdir(p, 0700), 0);
}

static int setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ftk-test-journal.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown_tmp(void **state)
{
	char cmd[128];

	ftk_journal_set_dir(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_write_journal(void **state)
{
	char dir[128], name[64];

	path_in(dir, sizeof(dir), "run");
	ftk_journal_set_dir(dir);
	assert_int_equal(ftk_journal_add("instance", "x", NULL), -EBADF);	/* not open */
	assert_int_equal(ftk_journal_open(), 0);
	assert_int_equal(ftk_journal_add("instance", "ftk-1", NULL), 0);
	char *hex = ftk_hex_encode("a b\n", 4);
	assert_int_equal(ftk_journal_add("global", "set_graph_function", hex), 0);
	free(hex);
	assert_int_equal(ftk_journal_add("global", "set_event_pid", ""), 0);
	assert_int_equal(ftk_journal_add("tracer", "-", "nop"), 0);
	/* Raw content is refused: it would break the line format. */
	assert_int_equal(ftk_journal_add("global", "f", "a b"), -EINVAL);
	assert_int_equal(ftk_journal_add("global", "f", "xyz1"), -EINVAL);

	snprintf(name, sizeof(name), "run/%d.journal", (int)getpid());
	char *text = get(name);
	assert_non_null(text);
	char want[256];
	snprintf(want, sizeof(want), "session %d %llu\ninstance ftk-1\n"
		 "global set_graph_function 6120620a\nglobal set_event_pid\ntracer - nop\n",
		 (int)getpid(), ftk_journal_starttime(getpid()));
	assert_string_equal(text, want);
	free(text);

	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	ftk_journal_close();
	assert_false(there(name));
}

static pid_t dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

/* A child whose comm is "ftk": a live ftk process as far as the journal can tell. */
static pid_t fake_ftk(int *go)
{
	int pfd[2];

	assert_int_equal(pipe(pfd), 0);
	pid_t p = fork();
	if (p == 0) {
		char c;
		close(pfd[1]);
		prctl(PR_SET_NAME, "ftk");
		while (read(pfd[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(pfd[0]);
	*go = pfd[1];
	/* Wait until the name is set. */
	for (int i = 0; i < 1000; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)p);
		char *c = ftk_read_file(path, NULL);
		bool ok = c && strcmp(c, "ftk\n") == 0;
		free(c);
		if (ok)
			break;
		usleep(1000);
	}
	return p;
}

static void test_alive(void **state)
{
	int go;
	pid_t live = fake_ftk(&go);
	unsigned long long st = ftk_journal_starttime(live);

	assert_true(st > 0);
	assert_true(ftk_session_alive(live, 0));
	assert_true(ftk_session_alive(live, st));
	assert_false(ftk_session_alive(live, st + 1));	/* pid reused */
	assert_false(ftk_session_alive(getpid(), 0));	/* alive, but not ftk */
	assert_false(ftk_session_alive(dead_pid(), 0));
	close(go);
	waitpid(live, NULL, 0);
	assert_false(ftk_session_alive(live, st));
}

static void test_reset_fake_tracefs(void **state)
{
	char rel[128], tfs[128], jdir[128];
	pid_t dead = dead_pid(), dead2 = dead_pid();
	int go;
	pid_t live = fake_ftk(&go);

	path_in(tfs, sizeof(tfs), "tracefs");
	path_in(jdir, sizeof(jdir), "run2");
	ftk_journal_set_dir(jdir);
	mk("tracefs");
	mk("tracefs/instances");
	mk("tracefs/options");
	mk("run2");
	snprintf(rel, sizeof(rel), "tracefs/instances/ftk-%d", (int)dead);
	mk(rel);
	snprintf(rel, sizeof(rel), "tracefs/instances/ftk-%d", (int)dead2);
	mk(rel);
	snprintf(rel, sizeof(rel), "tracefs/instances/ftk-%d", (int)live);
	mk(rel);
	mk("tracefs/instances/scratch-foreign");
	mk("tracefs/instances/ftk-notapid");

	char probes[512];
	snprintf(probes, sizeof(probes),
		 "p:ftk_%d/execve /usr/lib/libc.so.6:0x00000000000d4ad0 file=+0(%%di):string\n"
		 "p:ftk_%d/getpid /usr/lib/libc.so.6:0x00000000000d54e0\n"
		 "p:other/getpid /usr/lib/libc.so.6:0x00000000000d54e0\n"
		 "r:ftk_%d/ret /usr/lib/libc.so.6:0x00000000000d54e0\n",
		 (int)dead, (int)dead2, (int)live);
	put("tracefs/uprobe_events", probes);
	put("tracefs/dynamic_events", probes);
	/* The dead session changed two top-level files; its journal holds the old contents. */
	put("tracefs/set_graph_function", "changed\n");
	put("tracefs/set_event_pid", "123\n");
	put("tracefs/options/funcgraph-retval", "1\n");
	put("tracefs/current_tracer", "function_graph\n");
	char journal[512], *h1 = ftk_hex_encode("vfs_read\nvfs_write\n", 19);
	char *h2 = ftk_hex_encode("0\n", 2), *h3 = ftk_hex_encode("first\n", 6);
	snprintf(journal, sizeof(journal),
		 "session %d 1\ninstance ftk-%d\ngroup ftk_%d\n"
		 "global set_graph_function %s\nglobal set_event_pid\n"
		 "global options/funcgraph-retval %s\nglobal set_graph_function %s\n"
		 "global ../escape 00\ntracer - nop\n",
		 (int)dead, (int)dead, (int)dead, h1, h2, h3);
	free(h1);
	free(h2);
	free(h3);
	snprintf(rel, sizeof(rel), "run2/%d.journal", (int)dead);
	put(rel, journal);
	/* The live session's journal: must be left alone. */
	snprintf(journal, sizeof(journal), "session %d %llu\nglobal set_event_pid\n", (int)live,
		 ftk_journal_starttime(live));
	snprintf(rel, sizeof(rel), "run2/%d.journal", (int)live);
	put(rel, journal);

	/* ../escape is refused (reported): the result is -1, everything else is done. */
	int n = ftk_reset_dead(tfs, false);
	assert_int_equal(n, -1);

	snprintf(rel, sizeof(rel), "tracefs/instances/ftk-%d", (int)dead);
	assert_false(there(rel));
	snprintf(rel, sizeof(rel), "tracefs/instances/ftk-%d", (int)dead2);
	assert_false(there(rel));
	snprintf(rel, sizeof(rel), "tracefs/instances/ftk-%d", (int)live);
	assert_true(there(rel));
	assert_true(there("tracefs/instances/scratch-foreign"));
	assert_true(there("tracefs/instances/ftk-notapid"));

	/* Oldest saved value wins (journal lines are undone newest first). */
	char *s = get("tracefs/set_graph_function");
	assert_string_equal(s, "vfs_read\nvfs_write\n");
	free(s);
	s = get("tracefs/set_event_pid");
	assert_string_equal(s, "");
	free(s);
	s = get("tracefs/options/funcgraph-retval");
	assert_string_equal(s, "0\n");
	free(s);
	s = get("tracefs/current_tracer");
	assert_string_equal(s, "nop");
	free(s);

	/* Removal commands were appended (a plain file keeps its old lines too). */
	s = get("tracefs/uprobe_events");
	char want[1024];
	snprintf(want, sizeof(want), "%s-:ftk_%d/execve\n-:ftk_%d/getpid\n", probes, (int)dead,
		 (int)dead2);
	assert_string_equal(s, want);
	free(s);
	/* Already handled through uprobe_events: nothing written to dynamic_events. */
	s = get("tracefs/dynamic_events");
	assert_string_equal(s, probes);
	free(s);

	/* The failed journal is kept for a retry; the live one is untouched. */
	snprintf(rel, sizeof(rel), "run2/%d.journal", (int)dead);
	assert_true(there(rel));
	snprintf(rel, sizeof(rel), "run2/%d.journal", (int)live);
	assert_true(there(rel));

	/* Without the bad line, the next run completes and deletes the journal. */
	snprintf(rel, sizeof(rel), "run2/%d.journal", (int)dead);
	snprintf(journal, sizeof(journal), "session %d 1\ntracer - nop\n", (int)dead);
	put(rel, journal);
	n = ftk_reset_dead(tfs, false);
	assert_true(n >= 1);
	assert_false(there(rel));

	close(go);
	waitpid(live, NULL, 0);
}

/* Our own pid: a journal with our start time is ours (kept); one with another start time
 * is a dead session's whose pid we got (undone, its ftk-<pid> included). */
static void test_reset_self(void **state)
{
	char rel[128], tfs[128], jdir[128], journal[256];
	pid_t me = getpid();
	unsigned long long st = ftk_journal_starttime(me);

	path_in(tfs, sizeof(tfs), "tfs3");
	path_in(jdir, sizeof(jdir), "run3");
	ftk_journal_set_dir(jdir);
	mk("tfs3");
	mk("tfs3/instances");
	mk("run3");
	snprintf(rel, sizeof(rel), "tfs3/instances/ftk-%d", (int)me);
	mk(rel);
	put("tfs3/set_event_pid", "1\n");

	snprintf(journal, sizeof(journal), "session %d %llu\nglobal set_event_pid\n", (int)me, st);
	snprintf(rel, sizeof(rel), "run3/%d.journal", (int)me);
	put(rel, journal);
	assert_int_equal(ftk_reset_dead(tfs, false), 0);
	assert_true(there(rel));
	char *s = get("tfs3/set_event_pid");
	assert_string_equal(s, "1\n");
	free(s);
	snprintf(rel, sizeof(rel), "tfs3/instances/ftk-%d", (int)me);
	assert_true(there(rel));

	snprintf(journal, sizeof(journal), "session %d %llu\nglobal set_event_pid\n", (int)me,
		 st + 1);
	snprintf(rel, sizeof(rel), "run3/%d.journal", (int)me);
	put(rel, journal);
	assert_int_equal(ftk_reset_dead(tfs, false), 2);
	assert_false(there(rel));
	s = get("tfs3/set_event_pid");
	assert_string_equal(s, "");
	free(s);
	snprintf(rel, sizeof(rel), "tfs3/instances/ftk-%d", (int)me);
	assert_false(there(rel));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_roundtrip),
		cmocka_unit_test(test_hex_empty_and_bad),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_write_journal),
		cmocka_unit_test(test_alive),
		cmocka_unit_test(test_reset_fake_tracefs),
		cmocka_unit_test(test_reset_self),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
