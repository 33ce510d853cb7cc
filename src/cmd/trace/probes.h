/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * probes (ftk trace): `--uprobe [r:]PATH:SYMBOL[+OFF] [FETCHARGS]` and
 * `--kprobe [r:]SYMBOL[+OFF] [FETCHARGS]` parsed when the command line is checked, declared
 * on the session later (PATH may be 'libc' or a command in $PATH; SYMBOL may be a file offset
 * 0x...). Event names are the symbol's, made unique by the probe's index.
 */
#ifndef FTK_CMD_TRACE_PROBES_H
#define FTK_CMD_TRACE_PROBES_H

#include <stdbool.h>

struct ftk_session;
struct ftk_event;

struct trace_probe {
	const char *text;	/* as given */
	bool uprobe;		/* else kprobe */
	bool ret;		/* r: return probe */
	char *path;		/* uprobe: as given ("libc", a command, a path) */
	char *symbol;		/* uprobe: symbol or 0xOFFSET; kprobe: SYMBOL[+OFF] */
	unsigned long long add;	/* uprobe: +OFF */
	char *fetch;		/* fetch args or NULL */
};

/* Parse one spec into p. 0, or -EINVAL after the usage error. */
int trace_probe_parse(struct trace_probe *p, const char *text, bool uprobe);
/* Declare probe p (the index-th probe of the run) on s. 0 with *out and *label
 * ("uprobe:NAME", "kprobe_ret:NAME", malloc'd), else -errno after the error. */
int trace_probe_declare(struct ftk_session *s, const struct trace_probe *p, int index,
			struct ftk_event **out, char **label);
void trace_probe_free(struct trace_probe *p);

#endif
