// SPDX-License-Identifier: GPL-2.0-only
/*
 * spawn_storm: the exec storm of bench/run. posix_spawn()s a program (default /bin/true)
 * N times (default 3000), one after the other, waiting for each, and prints
 * "spawns N failed F elapsed_ns T" so the slowdown under a tracer can be compared.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000;
	char *prog = argc > 2 ? argv[2] : "/bin/true";
	char *av[] = { prog, NULL };
	unsigned long failed = 0;
	unsigned long long t0 = now_ns();

	for (unsigned long i = 0; i < n; i++) {
		pid_t pid;
		int st;

		if (posix_spawn(&pid, prog, NULL, NULL, av, environ) != 0 ||
		    waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	printf("spawns %lu failed %lu elapsed_ns %llu\n", n, failed, now_ns() - t0);
	return failed != 0;
}
