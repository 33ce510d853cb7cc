// SPDX-License-Identifier: GPL-2.0-only
/*
 * xexec: exec a program with an exact argv given in C escapes, for the kernel tests.
 *   xexec [-p FILE] [-a|-f] PATH ARGV0 [ARG...]
 * Each ARG may use \n \t \e \\ \xNN. -p writes "PID PPID" to FILE first. -a uses execveat(),
 * -f fexecve(). Built twice: dynamically (ftk-xexec) and statically (ftk-xexec-static, whose
 * exec no uprobe on the system libc can see).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	while (*s) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': *o++ = '\n'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case 'e': *o++ = 27; s++; break;
		case '\\': *o++ = '\\'; s++; break;
		case 'x': {
			char hex[3] = { s[1], s[2], 0 };
			*o++ = (char)strtol(hex, NULL, 16);
			s += 3;
			break;
		}
		default: *o++ = '\\'; break;
		}
	}
	*o = 0;
	return out;
}

int main(int argc, char **argv)
{
	int i = 1, mode = 0;
	const char *pidfile = NULL;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			pidfile = argv[++i];
		else if (strcmp(argv[i], "-a") == 0)
			mode = 'a';
		else if (strcmp(argv[i], "-f") == 0)
			mode = 'f';
		else
			break;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: xexec [-p FILE] [-a|-f] PATH ARGV0 [ARG...]\n");
		return 2;
	}
	const char *path = argv[i++];
	int n = argc - i;
	char **av = calloc(n + 1, sizeof(char *));
	for (int k = 0; k < n; k++)
		av[k] = unescape(argv[i + k]);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f || fprintf(f, "%d %d\n", (int)getpid(), (int)getppid()) < 0 || fclose(f))
			return 3;
	}
	if (mode == 'a')
		execveat(AT_FDCWD, path, av, environ, 0);
	else if (mode == 'f') {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			fexecve(fd, av, environ);
	} else {
		execve(path, av, environ);
	}
	perror("xexec");
	return 127;
}
