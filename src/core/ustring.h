/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ustring: can a probe read a user string (a path, an argument) at a call's entry here? The
 * checks views share before they pick a kprobe or uprobe route, each writing why not.
 */
#ifndef FTK_USTRING_H
#define FTK_USTRING_H

#include <stdbool.h>
#include <stddef.h>

/* Is SYMBOL a kernel text symbol (/proc/kallsyms)? */
bool ftk_kernel_has_symbol(const char *symbol);
/* A kprobe on the x86-64 syscall function SYSCALL_FN (taking struct pt_regs) can fetch user
 * strings: the machine is x86_64, the probe fetch types include `ustring` (tracefs README),
 * and the function exists. */
bool ftk_ustring_kprobe_usable(const char *syscall_fn, char *why, size_t len);
/* A uprobe on SYMBOL of the system C library can fetch user strings: the library and the
 * symbol are found, and kernel.panic_on_warn is off (a uprobe event whose strings exceed a
 * page makes the kernel WARN). too_long names what would: "an argument longer than a page". */
bool ftk_ustring_uprobe_usable(const char *symbol, const char *too_long, char *why, size_t len);

#endif
