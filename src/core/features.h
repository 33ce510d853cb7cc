/* SPDX-License-Identifier: GPL-2.0-only */
/* features: what this kernel's tracing offers, each with the reason when it doesn't. */
#ifndef FTK_FEATURES_H
#define FTK_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

enum ftk_feat {
	FTK_F_NONE = 0,		/* terminator in needs[] */
	FTK_F_TRACEFS,		/* tracefs mounted (or mountable) and readable */
	FTK_F_INSTANCES,	/* instances/ can be created */
	FTK_F_KPROBES,		/* kprobe_events writable */
	FTK_F_UPROBES,		/* uprobe_events writable */
	FTK_F_DYNEVENTS,	/* dynamic_events */
	FTK_F_FUNCTION,		/* function tracer usable (set_ftrace_filter opens) */
	FTK_F_FGRAPH,		/* function_graph at top level */
	FTK_F_FGRAPH_INSTANCE,	/* function_graph inside instances (>= 6.11) */
	FTK_F_FGRAPH_RETVAL,	/* options/funcgraph-retval */
	FTK_F_HIST,		/* hist triggers */
	FTK_F_SYSCALL_TP,	/* syscalls:* tracepoints */
	FTK_F_SYNTH,		/* synthetic events (synthetic_events writable) */
	FTK_F_RBSTATS,		/* instances with per_cpu/cpuN/stats: counting instances */
	FTK_F__COUNT
};

struct ftk_feature {
	const char *name;	/* short key, e.g. "kprobes" (JSON key in `ftk features --json`) */
	bool ok;
	char why[192];		/* when !ok: the reason, naming CONFIG_..., lockdown, EPERM */
	char detail[192];	/* when ok: extra facts (path, tracer list ...) may be empty */
};

/* Probe once (cached). Never changes tracing state except mounting tracefs if needed.
 * FTK_F_FGRAPH_INSTANCE, only where top-level function_graph exists, creates and removes a
 * test instance ftk-<ourpid> (inferred from the kernel version when that is refused). */
const struct ftk_feature *ftk_feature(enum ftk_feat f);
static inline bool ftk_has(enum ftk_feat f) { return ftk_feature(f)->ok; }

/* tracefs root path, NULL when unavailable (then ftk_feature(FTK_F_TRACEFS)->why says why). */
const char *ftk_tracefs(void);

/* Lockdown: "none", "integrity", "confidentiality" or NULL when unreadable. */
const char *ftk_lockdown(void);

/* Does REL (a path relative to the tracefs root, e.g. "options/function-fork") exist? */
bool ftk_tracefs_has(const char *rel);

/* Does tracepoint SYS:NAME exist? (format file present). */
bool ftk_tracepoint_exists(const char *sys, const char *name);
/* Size in bytes of FIELD of tracepoint SYS:NAME (from its format), or -1. */
int ftk_tracepoint_field_size(const char *sys, const char *name, const char *field);

/* Kernel release ("6.18.4-...") and numeric version (major*65536+minor*256+patch). */
const char *ftk_kernel_release(void);
unsigned ftk_kernel_version(void);

/* Who holds a tracer: at the top level any tracer but nop when any_top (else only `tracer`),
 * then `tracer` in any instance. Writes "top-level current_tracer 'X'" or "instance NAME" into
 * who and returns true; false when nobody does. */
bool ftk_tracer_user(const char *tracer, bool any_top, char *who, size_t len);

/* available_filter_functions (malloc'd), NULL when unreadable (EPERM by policy, lockdown). */
char *ftk_traceable_functions(void);

/*
 * kprobes on the exec syscalls, as this kernel takes them (probed by defining test kprobes
 * in group ftk_<ourpid>, removed at once): the kernel function of execve and execveat, the
 * fetch of their file name and argv pointer arguments, and the fetch type that reads a
 * string from user memory ("ustring", or "string" where a live test exec showed that it
 * reads user memory). ok=false with why when no kprobe can fetch user strings.
 */
struct ftk_kexec {
	bool ok;
	char why[192];
	const char *str;	/* "ustring" or "string" */
	struct {
		char sym[48];	/* "__x64_sys_execve", "sys_execve"; "" when absent */
		char file[32];	/* pointer fetch of the file name argument */
		char argv[32];	/* pointer fetch of argv */
	} fn[2];		/* [0] execve, [1] execveat */
};
const struct ftk_kexec *ftk_kprobe_exec(void);

/* Does a kprobe on SYM fire when this process runs act(ctx)? (GCC may inline a function into
 * some callers and keep a copy for the others.) Tested with a kprobe ftk_<ourpid>/kx_test
 * enabled in a test instance ftk-<ourpid>, both removed at once: 1 yes, 0 no, -errno with
 * why when it cannot be tested. */
int ftk_kprobe_fires(const char *sym, void (*act)(void *), void *ctx, char *why, size_t len);

/* Do hist triggers take arithmetic with constants ("common_timestamp/1000-1") on
 * SYS:EVENT? Probed once with a trigger in a test instance ftk-<ourpid>; why when not. */
bool ftk_hist_expr(const char *sys, const char *event, char *why, size_t len);

/* Does this kernel take FETCH (e.g. "p=+0(%si):x64") on a probe at TARGET (a kernel symbol,
 * or PATH:0xOFFSET for a uprobe)? Defines a test probe ftk_<ourpid>/fx_test and removes it:
 * 0 or -errno (the kernel's answer). */
int ftk_probe_fetch_test(bool uprobe, const char *target, const char *fetch);
/* Fetch types a probe at TARGET takes here, tried once per probe kind with
 * ftk_probe_fetch_test(): "x64", else "u64" (x types came in 4.11); " c=$comm", else ""
 * ($comm came in 4.5). */
const char *ftk_fetch_x64(bool uprobe, const char *target);
const char *ftk_fetch_comm(bool uprobe, const char *target, const char *name);

/* --input: answer every question above from this recording's formats (a tep handle) and
 * never read tracefs; NULL goes back to the kernel. `has`: what its records show, which the
 * formats alone do not (kprobe and uprobe formats look the same; every recorder writes all
 * ftrace formats). */
enum { FTK_OFFLINE_KPROBES = 1, FTK_OFFLINE_UPROBES = 2, FTK_OFFLINE_FUNCTION = 4,
       FTK_OFFLINE_FGRAPH = 8 };
struct tep_handle;
void ftk_features_offline(struct tep_handle *tep, unsigned has);
bool ftk_features_is_offline(void);
struct tep_handle *ftk_features_offline_tep(void);	/* NULL when live */

/* The standard error + hint when tracefs is unusable; returns FTK_EXIT_FAIL. */
int ftk_tracefs_error(void);

#endif
