// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk-fsops N DIR: waits for SIGUSR1 (so a tracer can be armed on its pid first), then makes
 * exactly N of each, by raw syscalls (no libc variation): openat(O_CREAT) + write + fsync +
 * pread64 + close + unlink of DIR/f, mkdir + rmdir of DIR/d, getppid, and N calls of its
 * function fsops_round (funccount's uprobe target). Prints its pid first; exits 0 when every
 * call succeeded.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "usr1.h"

/* Counted by funccount: kept out of line and visible in the symbol table. */
__attribute__((noinline, used)) int fsops_round(long i)
{
	__asm__ volatile("" ::: "memory");
	return (int)(i & 1);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ftk-fsops N DIR\n");
		return 2;
	}
	long n = atol(argv[1]);
	char file[4096], dir[4096];
	snprintf(file, sizeof(file), "%s/f", argv[2]);
	snprintf(dir, sizeof(dir), "%s/d", argv[2]);

	wait_for_usr1();

	int bad = 0;
	char c = 'x';
	for (long i = 0; i < n; i++) {
		long fd = syscall(SYS_openat, AT_FDCWD, file, O_CREAT | O_RDWR | O_TRUNC, 0600);
		bad |= fd < 0;
		bad |= syscall(SYS_write, fd, &c, 1) != 1;
		bad |= syscall(SYS_fsync, fd) != 0;
		bad |= syscall(SYS_pread64, fd, &c, 1, 0) != 1;
		bad |= syscall(SYS_close, fd) != 0;
		bad |= syscall(SYS_unlink, file) != 0;
		bad |= syscall(SYS_mkdir, dir, 0700) != 0;
		bad |= syscall(SYS_rmdir, dir) != 0;
		syscall(SYS_getppid);
		fsops_round(i);
	}
	return bad;
}
