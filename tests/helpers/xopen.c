// SPDX-License-Identifier: GPL-2.0-only
/*
 * xopen: open files in known ways and print what each call returned, for the opensnoop
 * kernel tests.
 *   ftk-xopen [-c DIR] [-d DIR] [-u UID] [-W FILE] [-s MS] OP:PATH...
 * -c changes directory first, -d opens DIR as the dirfd of the `dirfd` operation, -u drops to
 * that user (and its group) before the opens, -W waits until FILE exists before them (-p
 * tests start ftk on the running helper), -s sleeps MS milliseconds after them (the process
 * lives on: its cwd, uid and name are still readable). OP is one of:
 *   open      open(PATH, O_RDONLY)              (the C library's open: openat underneath)
 *   openat    openat(AT_FDCWD, PATH, O_RDONLY)
 *   dirfd     openat(DIRFD, PATH, O_RDONLY)
 *   wronly    open(PATH, O_WRONLY|O_CREAT|O_TRUNC, 0640)
 *   creat     creat(PATH, 0600)
 *   fopen     fopen(PATH, "r")
 *   sysopen   syscall(SYS_open, PATH, O_RDONLY) (no C library wrapper sees it)
 *   openat2   syscall(SYS_openat2, AT_FDCWD, PATH, {O_RDONLY}, ...)
 * Output: "PID TID" then one line "OP FD ERRNO" per call (FD -1 when it failed); each file
 * is closed at once, so every call gets the lowest free descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct how {		/* struct open_how of openat2(2) */
	uint64_t flags, mode, resolve;
};

static int do_open(const char *op, const char *path, int dirfd)
{
	if (!strcmp(op, "open"))
		return open(path, O_RDONLY);
	if (!strcmp(op, "openat"))
		return openat(AT_FDCWD, path, O_RDONLY);
	if (!strcmp(op, "dirfd"))
		return openat(dirfd, path, O_RDONLY);
	if (!strcmp(op, "wronly"))
		return open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	if (!strcmp(op, "creat"))
		return creat(path, 0600);
	if (!strcmp(op, "fopen")) {
		FILE *f = fopen(path, "r");
		if (!f)
			return -1;
		int fd = fileno(f);
		fclose(f);	/* closed here: main leaves it */
		return fd;
	}
	if (!strcmp(op, "sysopen"))
		return syscall(SYS_open, path, O_RDONLY);
#ifdef SYS_openat2
	if (!strcmp(op, "openat2")) {
		struct how h = { .flags = O_RDONLY };
		return syscall(SYS_openat2, AT_FDCWD, path, &h, sizeof(h));
	}
#endif
	fprintf(stderr, "xopen: unknown operation '%s'\n", op);
	exit(2);
}

int main(int argc, char **argv)
{
	int dirfd = -1, opt, linger = 0;
	const char *wait_for = NULL;
	while ((opt = getopt(argc, argv, "c:d:u:W:s:")) != -1) {
		switch (opt) {
		case 'c':
			if (chdir(optarg)) {
				perror("xopen: chdir");
				return 1;
			}
			break;
		case 'd':
			if ((dirfd = open(optarg, O_RDONLY | O_DIRECTORY)) < 0) {
				perror("xopen: dirfd");
				return 1;
			}
			break;
		case 'u':
			if (setgid(atoi(optarg)) || setuid(atoi(optarg))) {
				perror("xopen: setuid");
				return 1;
			}
			break;
		case 'W':
			wait_for = optarg;
			break;
		case 's':
			linger = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	printf("%d %ld\n", (int)getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	while (wait_for && access(wait_for, F_OK) != 0)
		usleep(10000);
	for (int i = optind; i < argc; i++) {
		char op[16];
		const char *colon = strchr(argv[i], ':');
		if (!colon || colon - argv[i] >= (long)sizeof(op)) {
			fprintf(stderr, "xopen: expected OP:PATH, got '%s'\n", argv[i]);
			return 2;
		}
		snprintf(op, sizeof(op), "%.*s", (int)(colon - argv[i]), argv[i]);
		errno = 0;
		int fd = do_open(op, colon + 1, dirfd);
		int err = fd < 0 ? errno : 0;
		if (fd >= 0 && strcmp(op, "fopen") != 0)
			close(fd);
		printf("%s %d %d\n", op, fd < 0 ? -1 : fd, err);
	}
	fflush(stdout);
	usleep(linger * 1000);
	return 0;
}
