// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_tfs: the tracefs-write layer (tfs.c) and the two engines that sit on it without a
 * session (probes.c, hist.c). A temporary directory stands in for the tracefs root (plain
 * files where the kernel has its control files) and another one for /run/ftk. Checked: what
 * dry-run prints and that it writes and journals nothing; that a change is journaled before
 * it is written; that a journal failure stops the change (probes too: they used to ignore
 * it); the journal lines the engines add.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hist.h"
#include "core/journal.h"
#include "core/probes.h"
#include "core/tfs.h"
#include "core/util.h"

static char root[128], inst[192], jdir[192];

static char *path_of(const char *dir, const char *file)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, file);
	return p[k];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Content of a file, "" when absent (static buffer). */
static const char *content(const char *path)
{
	static char buf[4096];
	char *s = ftk_read_file(path, NULL);

	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	free(s);
	return buf;
}

/* The journal of this process, without its first (session) line. */
static const char *journal_lines(void)
{
	char p[256];
	const char *all, *nl;

	snprintf(p, sizeof(p), "%s/%d.journal", jdir, (int)getpid());
	all = content(p);
	nl = strchr(all, '\n');
	return nl ? nl + 1 : all;
}

/* A fake tracefs: ROOT/{uprobe_events,synthetic_events}, ROOT/instances/ftk-1/events/
 * sched/sched_switch/{filter,enable}, .../block/block_rq_issue/trigger. */
static int setup(void **state)
{
	const char *dirs[] = { "instances", "instances/ftk-1", "instances/ftk-1/events",
			       "instances/ftk-1/events/sched",
			       "instances/ftk-1/events/sched/sched_switch",
			       "instances/ftk-1/events/block",
			       "instances/ftk-1/events/block/block_rq_issue" };

	snprintf(root, sizeof(root), "/tmp/ftk-test-tfs-%d", (int)getpid());
	snprintf(inst, sizeof(inst), "%s/instances/ftk-1", root);
	snprintf(jdir, sizeof(jdir), "%s/run", root);
	assert_int_equal(mkdir(root, 0700), 0);
	for (unsigned int i = 0; i < FTK_ARRAY_SIZE(dirs); i++)
		assert_int_equal(mkdir(path_of(root, dirs[i]), 0700), 0);
	put(path_of(root, "uprobe_events"), "");
	put(path_of(root, "synthetic_events"), "");
	put(path_of(inst, "set_event_pid"), "");
	put(path_of(inst, "events/sched/sched_switch/filter"), "none\n");
	put(path_of(inst, "events/sched/sched_switch/enable"), "0\n");
	put(path_of(inst, "events/block/block_rq_issue/trigger"), "");
	ftk_journal_set_dir(jdir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	ftk_journal_close();
	ftk_journal_set_dir(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static struct ftk_tfs tfs(bool dry_run)
{
	return (struct ftk_tfs){ .tracefs = root, .dir = inst, .instance = "ftk-1",
				 .group = "ftk_1", .dry_run = dry_run, .journal = !dry_run };
}

/* stdout of the calls between capture_begin() and capture_end(). */
static int saved_fd = -1;
static char out_path[256];

static void capture_begin(void)
{
	int fd;

	fflush(stdout);
	snprintf(out_path, sizeof(out_path), "%s/stdout", root);
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved_fd = dup(1);
	dup2(fd, 1);
	close(fd);
}

static const char *capture_end(void)
{
	fflush(stdout);
	dup2(saved_fd, 1);
	close(saved_fd);
	return content(out_path);
}

/* What was captured is exactly the lines of FMT (with %s: the fake root, then the instance
 * directory as many times as FMT uses them, in that order). */
static void assert_printed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void assert_printed(const char *fmt, ...)
{
	char expect[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expect, sizeof(expect), fmt, ap);
	va_end(ap);
	assert_string_equal(capture_end(), expect);
}

/* Every fake control file as setup() made it, and no journal. */
static void assert_untouched(void)
{
	assert_string_equal(content(path_of(inst, "set_event_pid")), "");
	assert_string_equal(content(path_of(root, "uprobe_events")), "");
	assert_string_equal(content(path_of(root, "synthetic_events")), "");
	assert_string_equal(content(path_of(inst, "events/sched/sched_switch/filter")), "none\n");
	assert_string_equal(content(path_of(inst, "events/sched/sched_switch/enable")), "0\n");
	assert_string_equal(content(path_of(inst, "events/block/block_rq_issue/trigger")), "");
	assert_int_equal(access(jdir, F_OK), -1);
}

/* ---- the layer ------------------------------------------------------------------------- */

static void test_dry_run_prints(void **state)
{
	struct ftk_tfs t = tfs(true);

	capture_begin();
	assert_int_equal(ftk_tfs_write(&t, path_of(inst, "set_event_pid"), "42 43", false), 0);
	assert_int_equal(ftk_tfs_write(&t, path_of(root, "uprobe_events"), "p:g/e /bin/x:0x1",
				       true), 0);
	assert_int_equal(ftk_tfs_write(&t, path_of(inst, "set_event_pid"), "", false), 0);
	/* journal-then-write: no journal is open, and none is needed in dry-run */
	assert_int_equal(ftk_tfs_change(&t, "global", "set_event_pid", "", path_of(inst,
					"set_event_pid"), "7", false), 0);
	assert_printed("echo '42 43' > %s/set_event_pid\n"
		       "echo 'p:g/e /bin/x:0x1' >> %s/uprobe_events\n"
		       ": > %s/set_event_pid\n"
		       "echo '7' > %s/set_event_pid\n", inst, root, inst, inst);
	assert_untouched();
}

static void test_change_journals_first(void **state)
{
	struct ftk_tfs t = tfs(false);
	char *hex = ftk_hex_encode("1 2\n", 4);

	assert_int_equal(ftk_journal_open(), 0);
	capture_begin();
	assert_int_equal(ftk_tfs_change(&t, "global", "set_event_pid", hex,
					path_of(inst, "set_event_pid"), "99", false), 0);
	assert_int_equal(ftk_tfs_change(&t, "synth", "ftk_1_x", NULL,
					path_of(root, "synthetic_events"), "ftk_1_x u64 a", true),
			 0);
	assert_int_equal(ftk_tfs_change(&t, "synth", "ftk_1_y", NULL,
					path_of(root, "synthetic_events"), "ftk_1_y u64 b", true),
			 0);
	assert_string_equal(capture_end(), "");		/* nothing printed */
	assert_string_equal(content(path_of(inst, "set_event_pid")), "99");
	assert_string_equal(content(path_of(root, "synthetic_events")),
			    "ftk_1_x u64 aftk_1_y u64 b");
	char expect[256];
	snprintf(expect, sizeof(expect), "global set_event_pid %s\nsynth ftk_1_x\nsynth ftk_1_y\n",
		 hex);
	assert_string_equal(journal_lines(), expect);
	/* A write the kernel refuses (here: no such file) is returned, after the journal line:
	 * reset tolerates a journaled change that was never made. */
	assert_int_equal(ftk_tfs_change(&t, "instance", "ftk-2", NULL,
					path_of(root, "instances/ftk-2/x"), "1", false), -ENOENT);
	assert_non_null(strstr(journal_lines(), "instance ftk-2\n"));
	ftk_journal_close();
	free(hex);
}

/* A journal that cannot be written stops the change (ftk reset could not undo it). */
static void test_journal_failure_is_fatal(void **state)
{
	struct ftk_tfs t = tfs(false);

	ftk_journal_close();		/* no journal: every add fails with EBADF */
	assert_int_equal(ftk_tfs_change(&t, "global", "set_event_pid", "", path_of(inst,
					"set_event_pid"), "5", false), -EBADF);
	assert_string_equal(content(path_of(inst, "set_event_pid")), "");
	assert_int_equal(ftk_tfs_journal(&t, "group", "ftk_1", NULL), -EBADF);
	/* Values the journal cannot hold are refused the same way. */
	assert_int_equal(ftk_journal_open(), 0);
	assert_int_equal(ftk_tfs_change(&t, "global", "set_event_pid", "not hex",
					path_of(inst, "set_event_pid"), "5", false), -EINVAL);
	assert_string_equal(content(path_of(inst, "set_event_pid")), "");
	assert_string_equal(journal_lines(), "");
	ftk_journal_close();
}

/* ---- probes without a session ----------------------------------------------------------- */

static void test_probes_dry_run(void **state)
{
	struct ftk_tfs t = tfs(true);
	struct ftk_probes p;

	ftk_probes_init(&p, &t);
	assert_non_null(ftk_probes_tracepoint(&p, "sched", "sched_switch", "prev_pid == 1"));
	assert_non_null(ftk_probes_uprobe(&p, "open", "/bin/true", 0x1234, "a=%di:u64", false));
	capture_begin();
	assert_int_equal(ftk_probes_create(&p), 0);
	assert_int_equal(ftk_probes_create(&p), 0);	/* at most once */
	assert_int_equal(ftk_probes_load(&p, NULL), 0);
	assert_int_equal(ftk_probes_filter(&p), 0);
	assert_int_equal(ftk_probes_enable(&p), 0);
	assert_printed("echo 'p:ftk_1/open /bin/true:0x1234 a=%%di:u64' >> %s/uprobe_events\n"
		       "echo 'prev_pid == 1' > %s/events/sched/sched_switch/filter\n"
		       "echo '1' > %s/events/sched/sched_switch/enable\n"
		       "echo '1' > %s/events/ftk_1/open/enable\n", root, inst, inst, inst);
	assert_untouched();
	assert_false(p.events->enabled);
	assert_null(ftk_probes_by_id(&p, 0));
	ftk_probes_free(&p);
	assert_null(p.events);
}

/* The group is journaled before any dynamic event is made; when that fails, none is. */
static void test_probes_journal_failure(void **state)
{
	struct ftk_tfs t = tfs(false);
	struct ftk_probes p;

	ftk_journal_close();
	ftk_probes_init(&p, &t);
	/* a target the kernel would refuse anyway, should the journal check ever be lost */
	ftk_probes_uprobe(&p, "x", "/nonexistent/ftk-test-tfs", 0x10, NULL, false);
	assert_int_equal(ftk_probes_create(&p), -EBADF);
	assert_false(p.events->made);
	ftk_probes_free(&p);
	/* Tracepoints only: no group, nothing to journal. */
	ftk_probes_init(&p, &t);
	ftk_probes_tracepoint(&p, "sched", "sched_switch", NULL);
	assert_int_equal(ftk_probes_create(&p), 0);
	ftk_probes_free(&p);
}

/* ---- hist without a session ------------------------------------------------------------- */

static void test_hist(void **state)
{
	struct ftk_tfs t = tfs(true);
	struct ftk_hist h = { .tfs = &t };
	struct ftk_trigger *tr;
	struct ftk_synth *sy;

	sy = ftk_hist_synth(&h, "lat", "u64 lat; u32 dev");
	assert_non_null(sy);
	assert_string_equal(ftk_synth_name(sy), "ftk_1_lat");
	assert_null(ftk_hist_synth(&h, "bad name", "u64 x"));
	tr = ftk_hist_trigger(&h, "block", "block_rq_issue", "hist:keys=dev");
	assert_non_null(tr);
	capture_begin();
	assert_int_equal(ftk_hist_arm(&h), 0);
	assert_printed("echo 'ftk_1_lat u64 lat; u32 dev' >> %s/synthetic_events\n"
		       "echo 'hist:keys=dev' >> %s/events/block/block_rq_issue/trigger\n", root,
		       inst);
	ftk_hist_untrigger(&h);		/* nothing was made: nothing to undo */
	ftk_hist_unsynth(&h);
	assert_untouched();

	/* For real (on the fake files): journaled, written, then undone in reverse. */
	t = tfs(false);
	assert_int_equal(ftk_journal_open(), 0);
	assert_int_equal(ftk_hist_arm(&h), 0);
	assert_string_equal(journal_lines(),
			    "synth ftk_1_lat\ntrigger ftk-1/block/block_rq_issue\n");
	assert_string_equal(content(path_of(root, "synthetic_events")),
			    "ftk_1_lat u64 lat; u32 dev");
	assert_string_equal(content(path_of(inst, "events/block/block_rq_issue/trigger")),
			    "hist:keys=dev");
	ftk_hist_untrigger(&h);
	ftk_hist_unsynth(&h);
	assert_string_equal(content(path_of(inst, "events/block/block_rq_issue/trigger")),
			    "hist:keys=dev!hist:keys=dev");
	assert_string_equal(content(path_of(root, "synthetic_events")),
			    "ftk_1_lat u64 lat; u32 dev!ftk_1_lat");
	ftk_journal_close();
	ftk_hist_free(&h);

	/* Journal failure: nothing is made. */
	h = (struct ftk_hist){ .tfs = &t };
	put(path_of(root, "synthetic_events"), "");
	ftk_hist_synth(&h, "lat", "u64 lat");
	assert_int_equal(ftk_hist_arm(&h), -EBADF);
	assert_string_equal(content(path_of(root, "synthetic_events")), "");
	ftk_hist_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dry_run_prints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_journals_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_failure_is_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probes_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probes_journal_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hist, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
