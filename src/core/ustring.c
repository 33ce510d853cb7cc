// SPDX-License-Identifier: GPL-2.0-only
/* ustring: the checks for probes that read user strings at a call's entry (ustring.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "elfsym.h"
#include "features.h"
#include "ustring.h"
#include "util.h"

bool ftk_kernel_has_symbol(const char *symbol)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512];
	size_t n = strlen(symbol);
	bool found = false;

	if (!f)
		return false;
	/* "ffffffff816b5780 T __x64_sys_openat" (a module symbol adds "\t[module]") */
	while (!found && fgets(line, sizeof(line), f)) {
		char *name = strchr(line, ' ');
		name = name ? strchr(name + 1, ' ') : NULL;
		found = name && strncmp(name + 1, symbol, n) == 0 &&
			(name[n + 1] == '\n' || name[n + 1] == '\t');
	}
	fclose(f);
	return found;
}

bool ftk_ustring_kprobe_usable(const char *syscall_fn, char *why, size_t len)
{
	if (ftk_features_is_offline())
		return true;	/* a recording: its kprobes read what they read */
	struct utsname u;
	char path[512];

	if (uname(&u) == 0 && strcmp(u.machine, "x86_64") != 0) {
		snprintf(why, len, "register fetches are written for x86_64 (this is %s)", u.machine);
		return false;
	}
	snprintf(path, sizeof(path), "%s/README", ftk_tracefs() ? ftk_tracefs() : "");
	char *readme = ftk_read_file(path, NULL);
	bool ustring = readme && strstr(readme, "ustring");
	free(readme);
	if (!ustring) {
		snprintf(why, len, "the kernel's probe fetch types have no 'ustring' (tracefs README)");
		return false;
	}
	if (!ftk_kernel_has_symbol(syscall_fn)) {
		snprintf(why, len, "no %s in /proc/kallsyms (syscall functions taking pt_regs)",
			 syscall_fn);
		return false;
	}
	return true;
}

/* Where a WARN panics the machine, a uprobe must not risk one. */
static bool warn_panics(void)
{
	char *v = ftk_read_file("/proc/sys/kernel/panic_on_warn", NULL);
	bool panics = v && atoi(v) != 0;
	free(v);
	return panics;
}

bool ftk_ustring_uprobe_usable(const char *symbol, const char *too_long, char *why, size_t len)
{
	if (ftk_features_is_offline())
		return true;	/* a recording: its uprobes read what they read */
	const char *libc = ftk_system_libc();
	uint64_t off;

	if (warn_panics()) {
		snprintf(why, len, "kernel.panic_on_warn=1 and %s would make the uprobe trip a "
			 "kernel WARN", too_long);
		return false;
	}
	if (!libc) {
		snprintf(why, len, "no system C library found");
		return false;
	}
	if (ftk_elf_sym_offset(libc, symbol, &off) != 0) {
		snprintf(why, len, "no %s symbol in %s", symbol, libc);
		return false;
	}
	return true;
}
