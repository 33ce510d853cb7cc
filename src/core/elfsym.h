/* SPDX-License-Identifier: GPL-2.0-only */
/* elfsym: symbol -> file offset for uprobes (through the PT_LOAD program headers). */
#ifndef FTK_ELFSYM_H
#define FTK_ELFSYM_H

#include <stdint.h>

/* Look SYMBOL up in .dynsym then .symtab of PATH (functions only) and map its vaddr to a
 * file offset through the PT_LOAD headers. 0 on success; -ENOENT (no symbol), -ENOEXEC (not
 * ELF / no mapping), or -errno from open. */
int ftk_elf_sym_offset(const char *path, const char *symbol, uint64_t *offset);

/* Each defined function symbol of PATH (.dynsym, then .symtab; names cut at '@', so a name
 * may come more than once) with its file offset (symbols outside every PT_LOAD are skipped):
 * fn returns 0 to go on, anything else stops and is returned. 0, or -ENOEXEC (not ELF) /
 * -errno from open. */
typedef int (*ftk_elf_symbol_fn)(const char *name, uint64_t offset, void *arg);
int ftk_elf_functions(const char *path, ftk_elf_symbol_fn fn, void *arg);

/* Path of the C library that /bin/sh (really: this process) uses, e.g.
 * /usr/lib/x86_64-linux-gnu/libc.so.6, resolved through symlinks; NULL when not found. */
const char *ftk_system_libc(void);

/* A library or program as bcc names it: a path (with '/'), "c"/"libc" (the system C
 * library), "NAME" for libNAME.so* or NAME.so* in the usual library directories, else a
 * program NAME in $PATH. malloc'd real path, NULL when not found. */
char *ftk_find_library(const char *name);

#endif
