// SPDX-License-Identifier: GPL-2.0-only
/*
 * startup: measures a view's start-up time to armed. Runs COMMAND with stdout and stderr on
 * a pipe, waits until a line containing MARKER arrives (a view prints its header once its
 * events are enabled), then sends SIGINT and waits for the exit. Prints
 * "startup_ms T maxrss_kb M status S line L" (T = -1 when the marker never came within
 * TIMEOUT seconds or the command exited first; L is the first line it printed).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads from fd until marker shows up; keeps the first line in first. */
static double wait_marker(int fd, const char *marker, double t0, double timeout_ms,
			  char *first, size_t firstlen)
{
	char buf[65536];
	size_t len = 0;

	first[0] = '\0';
	for (;;) {
		double left = timeout_ms - (now_ms() - t0);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left + 1) <= 0)
			return -1;
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -1;
		double t = now_ms();
		len += n;
		buf[len] = '\0';
		if (!first[0] && strchr(buf, '\n'))
			snprintf(first, firstlen, "%.*s", (int)strcspn(buf, "\n"), buf);
		if (strstr(buf, marker))
			return t - t0;
		if (len > sizeof(buf) / 2) {	/* keep the tail only */
			memmove(buf, buf + len - 256, 256);
			len = 256;
		}
	}
}

int main(int argc, char **argv)
{
	int fds[2], st;
	struct rusage ru;
	char first[256];

	if (argc < 4) {
		fprintf(stderr, "usage: startup MARKER TIMEOUT_S COMMAND [ARGS...]\n");
		return 2;
	}
	if (pipe(fds) < 0)
		return 1;
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	close(fds[1]);
	double t = wait_marker(fds[0], argv[1], t0, atof(argv[2]) * 1000, first, sizeof(first));
	kill(pid, SIGINT);
	/* keep draining so the child never blocks on a full pipe while it exits */
	char sink[4096];
	while (read(fds[0], sink, sizeof(sink)) > 0)
		;
	while (wait4(pid, &st, 0, &ru) < 0)
		;
	for (char *p = first; *p; p++)
		if (*p == '\t')
			*p = ' ';
	printf("startup_ms %.1f maxrss_kb %ld status %d line %s\n", t, ru.ru_maxrss,
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), first);
	return 0;
}
