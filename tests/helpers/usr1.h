/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * usr1.h: the helpers' start: print our pid, then wait for SIGUSR1 (a tracer is armed on
 * that pid first). Blocked from before the pid is printed: a signal sent at once is kept.
 */
#ifndef FTK_HELPER_USR1_H
#define FTK_HELPER_USR1_H

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_seen;

static void usr1_handler(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

static void wait_for_usr1(void)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGUSR1, usr1_handler);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	while (!usr1_seen)
		sigsuspend(&old);
}

#endif
