/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syscalls: the built-in table of syscall names by number (x86-64; other architectures have
 * none yet: names print as numbers there).
 */
#ifndef FTK_SYSCALLS_H
#define FTK_SYSCALLS_H

/* "read" for 0; NULL when unknown. */
const char *ftk_syscall_name(long nr);
/* The number of "read" or "sys_read"; -1 when unknown. */
long ftk_syscall_nr(const char *name);
/* Numbers below this have a slot in the table (0 without a table). */
long ftk_syscall_max(void);

#endif
