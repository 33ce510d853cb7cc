// SPDX-License-Identifier: GPL-2.0-only
/*
 * iterate_raw: the libtracefs baseline of bench/run. In its own scratch instance
 * (scratch-trace-<pid>, removed at the end) it enables one event (SYSTEM:EVENT) with a
 * per-CPU buffer of KB kilobytes (0: the default size) and buffer_percent 0, then consumes the ring buffers with
 * tracefs_iterate_raw_events() in a loop (1 ms nap when a pass found nothing) until SIGINT or
 * SIGTERM. Prints "ready" once enabled, and at the end "events N lost L" (lost from the
 * per-CPU stats: overrun + dropped events).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

static volatile sig_atomic_t stop;
static struct tracefs_instance *inst;

static void on_signal(int sig)
{
	stop = 1;
	tracefs_iterate_stop(inst);
}

static int on_record(struct tep_event *ev, struct tep_record *rec, int cpu, void *ctx)
{
	(*(unsigned long long *)ctx)++;
	return 0;
}

static unsigned long long stat_value(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static unsigned long long lost_events(int ncpus)
{
	unsigned long long lost = 0;

	for (int c = 0; c < ncpus; c++) {
		char file[64];
		snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", c);
		char *s = tracefs_instance_file_read(inst, file, NULL);
		if (!s)
			continue;
		lost += stat_value(s, "overrun:") + stat_value(s, "dropped events:");
		free(s);
	}
	return lost;
}

int main(int argc, char **argv)
{
	unsigned long long events = 0, before;
	char name[64], *sys, *ev;
	int ncpus = sysconf(_SC_NPROCESSORS_CONF);

	if (argc != 3 || !strchr(argv[1], ':')) {
		fprintf(stderr, "usage: iterate_raw SYSTEM:EVENT BUFFER_KB\n");
		return 2;
	}
	sys = strdup(argv[1]);
	ev = strchr(sys, ':');
	*ev++ = '\0';
	const char *systems[] = { sys, NULL };
	struct tep_handle *tep = tracefs_local_events_system(NULL, systems);
	if (!tep) {
		perror("tracefs_local_events_system");
		return 1;
	}
	snprintf(name, sizeof(name), "scratch-trace-%d", getpid());
	inst = tracefs_instance_create(name);
	if (!inst) {
		perror("tracefs_instance_create");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int rc = 1;
	if ((strcmp(argv[2], "0") != 0 &&	/* 0: keep the default size */
	     tracefs_instance_file_write(inst, "buffer_size_kb", argv[2]) < 0) ||
	    tracefs_instance_file_write(inst, "buffer_percent", "0") < 0 ||
	    tracefs_event_enable(inst, sys, ev) < 0) {
		perror("setting up the instance");
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		before = events;
		tracefs_iterate_raw_events(tep, inst, NULL, 0, on_record, &events);
		if (events == before && !stop)
			usleep(1000);
	}
	tracefs_event_disable(inst, sys, ev);
	tracefs_iterate_raw_events(tep, inst, NULL, 0, on_record, &events);
	printf("events %llu lost %llu\n", events, lost_events(ncpus));
	rc = 0;
out:
	tracefs_instance_destroy(inst);
	tracefs_instance_free(inst);
	tep_free(tep);
	free(sys);
	return rc;
}
