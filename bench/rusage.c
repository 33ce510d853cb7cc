// SPDX-License-Identifier: GPL-2.0-only
/*
 * rusage: runs COMMAND, forwards SIGINT/SIGTERM to it, and when it ends appends one line
 * "cpu_ns C maxrss_kb M status S" to the file named by its first argument, so bench/run can
 * charge each consumer (ftk, cat, libbpf-tools) with exactly its own CPU and peak RSS.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct rusage ru;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: rusage OUTFILE COMMAND [ARGS...]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	while (wait4(child, &st, 0, &ru) < 0)
		;
	FILE *f = fopen(argv[1], "a");
	if (!f)
		return 1;
	fprintf(f, "cpu_ns %llu maxrss_kb %ld status %d\n",
		(unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull,
		ru.ru_maxrss, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
