// SPDX-License-Identifier: GPL-2.0-only
/*
 * open_storm: the open storm of bench/run. openat(AT_FDCWD, PATH, O_RDONLY) + close() of one
 * file N times (default 200000) and prints "opens N failed F elapsed_ns T", so the
 * slowdown under a tracer can be compared.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	const char *path = argc > 2 ? argv[2] : "/etc/hostname";
	unsigned long failed = 0;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, path, O_RDONLY);
		if (fd < 0)
			failed++;
		else
			close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("opens %lu failed %lu elapsed_ns %llu\n", n, failed,
	       (b.tv_sec - a.tv_sec) * 1000000000ull + b.tv_nsec - a.tv_nsec);
	return failed != 0;
}
