/* SPDX-License-Identifier: GPL-2.0-only */
/* ksyms: kernel text symbols from /proc/kallsyms, address -> function name. */
#ifndef FTK_KSYMS_H
#define FTK_KSYMS_H

#include <stddef.h>
#include <stdint.h>
#include "util.h"

struct ftk_ksym {
	uint64_t addr;
	uint32_t name;		/* offset in names */
};

/* Text symbols sorted by address; zero-initialised before ftk_ksyms_load. */
struct ftk_ksyms {
	struct ftk_ksym *v;
	size_t n, cap;
	struct ftk_buf names;
	uint64_t cache_addr[1024];	/* last lookups, by address */
	const char *cache_name[1024];
};

/* Load PATH (/proc/kallsyms or a file of its lines). 0, or -1 when it is unreadable or every
 * address is hidden (kptr_restrict, or not root). Safe to call from another thread while the
 * caller does not touch k. */
int ftk_ksyms_load(struct ftk_ksyms *k, const char *path);
/* Name of the function containing addr (as %ps prints it without the offset), or NULL. */
const char *ftk_ksyms_find(struct ftk_ksyms *k, uint64_t addr);
void ftk_ksyms_free(struct ftk_ksyms *k);

#endif
