// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftk-getppid N [libc]: N getppid() calls (ftk record tests): raw syscalls by default (one
 * syscalls:sys_enter_getppid each), or through libc's getppid() with "libc" (one uprobe hit
 * on libc's getppid each, too). Prints nothing; exit 0.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	int libc = argc > 2 && !strcmp(argv[2], "libc");

	for (unsigned long i = 0; i < n; i++) {
		if (libc)
			getppid();
		else
			syscall(SYS_getppid);
	}
	return 0;
}
