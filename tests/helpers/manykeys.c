// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk-manykeys: workloads that make more distinct keys than a small hist map holds (the
 * counting views' map-full tests). Prints its pid, waits for SIGUSR1, then:
 *   ftk-manykeys nosys K N          N rounds of K distinct syscall numbers no kernel has
 *                                   (1000 .. 1000+K-1: ENOSYS, no side effect)
 *   ftk-manykeys procs W C N GAP_MS W waves of C child processes, each child N getppid calls
 *                                   (raw clone and syscalls: nothing else), GAP_MS between
 *                                   waves; prints each child's pid on stderr
 * Exits 0 when every call behaved (ENOSYS, children exiting 0).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "usr1.h"

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "nosys") == 0 ? argc != 4 :
			 strcmp(argv[1], "procs") != 0 || argc != 6)) {
		fprintf(stderr, "usage: ftk-manykeys nosys K N | procs W C N GAP_MS\n");
		return 2;
	}
	wait_for_usr1();

	int bad = 0;
	if (strcmp(argv[1], "nosys") == 0) {
		long k = atol(argv[2]), n = atol(argv[3]);
		for (long r = 0; r < n; r++)
			for (long i = 0; i < k; i++)
				bad |= syscall(1000 + i) != -1 || errno != ENOSYS;
		return bad;
	}
	long waves = atol(argv[2]), c = atol(argv[3]), n = atol(argv[4]), gap = atol(argv[5]);
	for (long w = 0; w < waves; w++) {
		if (w) {
			struct timespec ts = { gap / 1000, (gap % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
		for (long i = 0; i < c; i++) {
			long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
			if (pid == 0) {
				for (long j = 0; j < n; j++)
					syscall(SYS_getppid);
				syscall(SYS_exit_group, 0);
			}
			if (pid < 0)
				return 1;
			fprintf(stderr, "%ld\n", pid);
		}
		for (long i = 0; i < c; i++) {
			int st;
			bad |= wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st);
		}
	}
	return bad;
}
