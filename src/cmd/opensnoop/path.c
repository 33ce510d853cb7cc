// SPDX-License-Identifier: GPL-2.0-only
/*
 * opensnoop/path: the capture events that read the path of each open, one event per open
 * function, each carrying (user pointer, string, comm); and the view's backends (path.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/opensnoop/pair.h"
#include "cmd/opensnoop/path.h"
#include "core/elfsym.h"
#include "core/events.h"
#include "core/features.h"
#include "core/field.h"
#include "core/ustring.h"
#include "core/util.h"

/* One probed open function: where its path pointer is at entry. */
struct open_fn {
	const char *name;	/* symbol */
	const char *ptr;	/* fetch of the pointer */
};

/* Kernel syscall functions get a struct pt_regs *: di at offset 112, si at 104 (x86-64). */
static const struct open_fn kprobe_fns[] = {
	{ "__x64_sys_openat", "+104(%di)" },
	{ "__x64_sys_open", "+112(%di)" },
	{ "__x64_sys_openat2", "+104(%di)" },
	{ "__x64_sys_creat", "+112(%di)" },
};

/* The C library's open family (SysV x86-64 ABI: arguments in di, si ...); aliases at one
 * address are probed once. fopen() and opendir() go through these too. */
static const struct open_fn uprobe_fns[] = {
	{ "open64", "%di" }, { "open", "%di" },
	{ "openat64", "%si" }, { "openat", "%si" },
	{ "__open_2", "%di" }, { "__open64_2", "%di" },
	{ "__openat_2", "%si" }, { "__openat64_2", "%si" },
	{ "__open_nocancel", "%di" }, { "__open64_nocancel", "%di" },
	{ "creat64", "%di" }, { "creat", "%di" },
};

struct capture {
	struct path_capture *x;
	struct ftk_event *ev;
	struct ftk_field_ref ptr, str, comm;
};

struct path_capture {
	struct open_pairs *pairs;
	int backend;
	const char *filter;
	struct capture *caps;
	int ncaps;
};

static void on_capture(struct ftk_event *ev, const struct ftk_rec *r, void *ctx)
{
	struct capture *c = ctx;
	int len = 0, clen = 0;
	const char *s = ftk_field_str(&c->str, r->data, r->size, &len);
	const char *cm = ftk_field_str(&c->comm, r->data, r->size, &clen);
	char comm[16];
	snprintf(comm, sizeof(comm), "%.*s", cm ? clen : 0, cm ? cm : "");

	struct open_capture cap = {
		.ptr = ftk_field_u64(&c->ptr, r->data, r->size, 0),
		.s = s, .len = s ? len : 0,
		.comm = comm,
	};
	/* An empty string is what a fault leaves; open("") itself fails with ENOENT. */
	if (!s || len == 0)
		cap.s = NULL;
	open_pairs_capture(c->x->pairs, ftk_rec_pid(r->data), &cap);
}

static int add_capture(struct path_capture *x, struct ftk_session *s, const struct open_fn *fn,
		       const char *libc, uint64_t off)
{
	bool kprobe = x->backend == OPENSNOOP_KPROBE;
	char name[64], fetch[256];
	const char *base = kprobe ? fn->name + strlen("__x64_sys_") : fn->name;

	snprintf(name, sizeof(name), "%s_path", base[0] == '_' ? base + 2 : base);
	char target[4096 + 32];
	if (kprobe)
		snprintf(target, sizeof(target), "%s", fn->name);
	else
		snprintf(target, sizeof(target), "%s:0x%llx", libc, (unsigned long long)off);
	/* x64 (4.11) and $comm (4.5) where the kernel takes them (features.c) */
	snprintf(fetch, sizeof(fetch), "p=%s:%s f=+0(%s):%s%s", fn->ptr,
		 ftk_fetch_x64(!kprobe, target), fn->ptr, kprobe ? "ustring" : "string",
		 ftk_fetch_comm(!kprobe, target, "c"));
	struct ftk_event *ev = kprobe ? ftk_kprobe(s, name, fn->name, fetch, false)
				      : ftk_uprobe(s, name, libc, off, fetch, false);
	if (!ev)
		return -EINVAL;
	/* openat is the one every libc and kernel has; the others are skipped when missing. */
	ev->optional = strcmp(base, "openat") != 0 && strcmp(base, "openat64") != 0;
	if (x->filter)
		ev->filter = ftk_xstrdup(x->filter);
	else
		ftk_event_not_self(ev);
	x->caps = ftk_xrealloc(x->caps, (x->ncaps + 1) * sizeof(*x->caps));
	x->caps[x->ncaps++] = (struct capture){ .x = x, .ev = ev };
	return 0;
}

/* ---- backends ---- */

static bool syscalls_usable(char *why, size_t len)
{
	if (!ftk_tracepoint_exists("syscalls", "sys_enter_openat") ||
	    !ftk_tracepoint_exists("syscalls", "sys_exit_openat")) {
		snprintf(why, len, "no syscalls:sys_enter_openat/sys_exit_openat tracepoints "
			 "(CONFIG_FTRACE_SYSCALLS=n)");
		return false;
	}
	return true;
}

static bool kprobe_usable(char *why, size_t len)
{
	return syscalls_usable(why, len) && ftk_ustring_kprobe_usable("__x64_sys_openat", why, len);
}

static bool tracepoint_usable(char *why, size_t len)
{
	if (!syscalls_usable(why, len))
		return false;
	if (ftk_tracepoint_field_size("syscalls", "sys_enter_openat", "__filename_val") <= 0) {
		snprintf(why, len, "syscalls:sys_enter_openat has no __filename_val field (the "
			 "kernel records the pointer only)");
		return false;
	}
	return true;
}

static bool uprobe_usable(char *why, size_t len)
{
	return syscalls_usable(why, len) &&
	       ftk_ustring_uprobe_usable("openat", "a path near PATH_MAX", why, len);
}

const struct ftk_backend opensnoop_backends[4] = {
	{ "kprobe", "syscall tracepoints, paths from kprobes on the syscall functions (ustring)",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_SYSCALL_TP, FTK_F_KPROBES }, kprobe_usable },
	{ "tracepoint", "syscall tracepoints that carry the path (__filename_val)",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_SYSCALL_TP }, tracepoint_usable },
	{ "uprobe", "syscall tracepoints, paths from uprobes on the C library's open functions",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_SYSCALL_TP, FTK_F_UPROBES }, uprobe_usable },
	{ "nopath", "syscall tracepoints only: FD and ERR, paths unknown",
	  { FTK_F_TRACEFS, FTK_F_INSTANCES, FTK_F_SYSCALL_TP }, syscalls_usable },
};

const char *path_no_capture_why(int backend)
{
	switch (backend) {
	case OPENSNOOP_KPROBE:
		return "no capture from the kprobe (events lost)";
	case OPENSNOOP_TRACEPOINT:
		return "the syscall event carries no string";
	case OPENSNOOP_UPROBE:
		return "not called through the C library's open functions (the dynamic loader, a "
		       "static binary, a direct syscall)";
	}
	return "no route to user strings on this kernel (see 'ftk features')";
}

const char *path_entry_field(int sys)
{
	return sys == OPEN_SYS_CREAT ? "__pathname_val" : "__filename_val";
}

/* ---- the engine's interface ---- */

struct path_capture *path_capture_new(struct open_pairs *pairs, int backend, const char *filter)
{
	struct path_capture *x = ftk_xcalloc(1, sizeof(*x));

	x->pairs = pairs;
	x->backend = backend;
	x->filter = filter;
	return x;
}

void path_capture_free(struct path_capture *x)
{
	if (!x)
		return;
	free(x->caps);
	free(x);
}

int path_capture_declare(struct path_capture *x, struct ftk_session *s)
{
	int rc = 0;

	if (x->backend == OPENSNOOP_KPROBE) {
		for (size_t i = 0; i < FTK_ARRAY_SIZE(kprobe_fns) && !rc; i++)
			rc = add_capture(x, s, &kprobe_fns[i], NULL, 0);
	} else if (x->backend == OPENSNOOP_UPROBE) {
		const char *libc = ftk_system_libc();
		uint64_t offs[FTK_ARRAY_SIZE(uprobe_fns)];
		int n = 0;
		for (size_t i = 0; i < FTK_ARRAY_SIZE(uprobe_fns) && !rc; i++) {
			uint64_t off;
			if (ftk_elf_sym_offset(libc, uprobe_fns[i].name, &off) != 0)
				continue;	/* not in this libc */
			bool seen = false;
			for (int k = 0; k < n; k++)
				seen |= offs[k] == off;
			if (seen)
				continue;	/* an alias */
			offs[n++] = off;
			rc = add_capture(x, s, &uprobe_fns[i], libc, off);
		}
	}
	return rc;
}

void path_capture_bind(struct path_capture *x)
{
	for (int i = 0; i < x->ncaps; i++) {
		struct capture *c = &x->caps[i];
		if (!c->ev->tep)
			continue;
		ftk_field_bind(&c->comm, c->ev, "c");
		if (ftk_field_bind(&c->ptr, c->ev, "p") && ftk_field_bind(&c->str, c->ev, "f"))
			ftk_event_on(c->ev, on_capture, c);
	}
}
