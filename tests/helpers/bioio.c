// SPDX-License-Identifier: GPL-2.0-only
/*
 * bioio: a block I/O workload of known shape for the biosnoop/biolatency kernel tests.
 * It does COUNT O_DIRECT reads or writes of SIZE bytes, one after the other, from OFFSET on
 * (default 0), to PATH (a file, created for writes, or a block device), from a page-aligned
 * buffer, so each call is one request of exactly SIZE bytes that bypasses the page cache.
 * With -g FIFO it first waits for a line on FIFO (so a test can start tracing by its pid).
 * usage: bioio [-g FIFO] PATH r|w SIZE COUNT [OFFSET]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: bioio [-g FIFO] PATH r|w SIZE COUNT [OFFSET]\n");
	return 2;
}

static void wait_go(const char *fifo)
{
	char c;
	int fd = open(fifo, O_RDONLY);

	if (fd < 0) {
		perror("bioio: fifo");
		exit(1);
	}
	if (read(fd, &c, 1) < 0)
		perror("bioio: fifo read");
	close(fd);
}

int main(int argc, char **argv)
{
	int a = 1, fd, flags = O_DIRECT;
	unsigned long long size, count, off = 0;
	void *buf;
	int wr;

	if (argc > 2 && strcmp(argv[1], "-g") == 0) {
		wait_go(argv[2]);
		a = 3;
	}
	if (argc - a < 4 || argc - a > 5)
		return usage();
	wr = strcmp(argv[a + 1], "w") == 0;
	if (!wr && strcmp(argv[a + 1], "r"))
		return usage();
	size = strtoull(argv[a + 2], NULL, 0);
	count = strtoull(argv[a + 3], NULL, 0);
	if (argc - a == 5)
		off = strtoull(argv[a + 4], NULL, 0);
	if (!size || size % 512 || off % 512)
		return usage();
	flags |= wr ? O_WRONLY | O_CREAT : O_RDONLY;
	fd = open(argv[a], flags, 0600);
	if (fd < 0) {
		fprintf(stderr, "bioio: %s: %s\n", argv[a], strerror(errno));
		return 1;
	}
	if (posix_memalign(&buf, 4096, size))
		return 1;
	memset(buf, 0x5a, size);
	for (unsigned long long i = 0; i < count; i++) {
		ssize_t n = wr ? pwrite(fd, buf, size, off + i * size)
			       : pread(fd, buf, size, off + i * size);

		if (n != (ssize_t)size) {
			fprintf(stderr, "bioio: %s %llu: %s\n", wr ? "write" : "read", i,
				n < 0 ? strerror(errno) : "short");
			return 1;
		}
	}
	free(buf);
	close(fd);
	return 0;
}
