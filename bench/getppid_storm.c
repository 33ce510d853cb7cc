// SPDX-License-Identifier: GPL-2.0-only
/*
 * getppid_storm: the load generator of bench/run. Calls getppid() N times (default
 * 2,000,000) as fast as one CPU can, then prints one line "calls N elapsed_ns T rate R" so the
 * caller knows how many syscalls:sys_enter_getppid events were produced and at what rate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	unsigned long long t0 = now_ns();

	for (unsigned long i = 0; i < n; i++)
		syscall(SYS_getppid);	/* never cached by libc */
	unsigned long long dt = now_ns() - t0;
	printf("calls %lu elapsed_ns %llu rate %.0f\n", n, dt, n * 1e9 / (double)dt);
	return 0;
}
