// SPDX-License-Identifier: GPL-2.0-only
/* probes (ftk trace): --uprobe / --kprobe specs, parsed then declared. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/trace/probes.h"
#include "core/elfsym.h"
#include "core/events.h"
#include "core/features.h"
#include "core/util.h"

int trace_probe_parse(struct trace_probe *p, const char *text, bool uprobe)
{
	const char *s = text;

	memset(p, 0, sizeof(*p));
	p->text = text;
	p->uprobe = uprobe;
	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, "r:", 2) == 0) {
		p->ret = true;
		s += 2;
	} else if (strncmp(s, "p:", 2) == 0) {
		s += 2;
	}
	size_t head_len = strcspn(s, " \t");
	char *head = strndup(s, head_len);
	const char *rest = s + head_len;
	while (isspace((unsigned char)*rest))
		rest++;
	p->fetch = *rest ? ftk_xstrdup(rest) : NULL;
	if (!uprobe) {
		p->symbol = head;
		if (!*head)
			return ftk_usage_error("malformed kprobe '%s' (expected [r:]SYMBOL[+OFF] "
					       "[ARGS])", text), -EINVAL;
		return 0;
	}
	char *colon = strrchr(head, ':');
	if (!colon || colon == head || !colon[1]) {
		free(head);
		return ftk_usage_error("malformed uprobe '%s' (expected [r:]PATH:SYMBOL [ARGS])",
				       text), -EINVAL;
	}
	*colon = '\0';
	p->path = head;
	p->symbol = ftk_xstrdup(colon + 1);
	char *plus = strchr(p->symbol, '+');
	if (plus) {
		char *end;
		*plus = '\0';
		errno = 0;
		p->add = strtoull(plus + 1, &end, 0);
		if (errno || *end || end == plus + 1)
			return ftk_usage_error("malformed offset in uprobe '%s'", text), -EINVAL;
	}
	if (strncmp(p->symbol, "0x", 2) == 0) {
		char *end;
		strtoull(p->symbol, &end, 16);
		if (*end)
			return ftk_usage_error("malformed file offset '%s'", p->symbol), -EINVAL;
	}
	return 0;
}

void trace_probe_free(struct trace_probe *p)
{
	free(p->path);
	free(p->symbol);
	free(p->fetch);
	memset(p, 0, sizeof(*p));
}

/* [A-Za-z0-9_] name from a symbol, unique among this run's events. */
static char *event_name(const char *sym, bool ret, int index)
{
	char name[64];
	size_t n = 0;

	if (!isalpha((unsigned char)sym[0]) && sym[0] != '_')
		name[n++] = 'p';
	for (const char *p = sym; *p && n < 40; p++)
		name[n++] = isalnum((unsigned char)*p) ? *p : '_';
	name[n] = '\0';
	if (ret)
		strcat(name, "_ret");
	if (index) {	/* probes after the first get their index: names stay unique */
		char tmp[80];
		snprintf(tmp, sizeof(tmp), "%s_%d", name, index);
		return ftk_xstrdup(tmp);
	}
	return ftk_xstrdup(name);
}

/* PATH of a uprobe: absolute/relative path, "libc", or a command found in $PATH. */
static char *resolve_binary(const char *path)
{
	char buf[PATH_MAX];

	if (strcmp(path, "libc") == 0) {
		const char *libc = ftk_system_libc();
		return libc ? ftk_xstrdup(libc) : NULL;
	}
	if (!strchr(path, '/')) {
		const char *env = getenv("PATH");
		char *dirs = ftk_xstrdup(env ? env : "/usr/local/bin:/usr/bin:/bin"), *save;
		char *found = NULL;
		for (char *d = strtok_r(dirs, ":", &save); d && !found;
		     d = strtok_r(NULL, ":", &save)) {
			snprintf(buf, sizeof(buf), "%s/%s", d, path);
			if (access(buf, X_OK) == 0)
				found = realpath(buf, NULL);
		}
		free(dirs);
		return found;
	}
	return realpath(path, NULL);
}

static struct ftk_event *declare_uprobe(struct ftk_session *s, const struct trace_probe *p,
					const char *name)
{
	char *bin = resolve_binary(p->path);
	struct ftk_event *ev = NULL;
	uint64_t off;

	if (!bin) {
		ftk_error("uprobe '%s': cannot find '%s'", p->text, p->path);
		ftk_hint("give the path of an ELF file, 'libc', or a command in $PATH");
		return NULL;
	}
	if (strncmp(p->symbol, "0x", 2) == 0) {
		off = strtoull(p->symbol, NULL, 16);
		ev = ftk_uprobe(s, name, bin, off + p->add, p->fetch, p->ret);
	} else if (p->add) {
		int e = ftk_elf_sym_offset(bin, p->symbol, &off);
		if (e < 0)
			ftk_error("uprobe '%s': no function '%s' in %s (%s)", p->text, p->symbol,
				  bin, strerror(-e));
		else
			ev = ftk_uprobe(s, name, bin, off + p->add, p->fetch, p->ret);
	} else {
		ev = ftk_uprobe_sym(s, name, bin, p->symbol, p->fetch, p->ret);
	}
	free(bin);
	return ev;
}

int trace_probe_declare(struct ftk_session *s, const struct trace_probe *p, int index,
			struct ftk_event **out, char **label)
{
	struct ftk_event *ev = NULL;
	char base[64], *name;

	*out = NULL;
	*label = NULL;
	if (p->uprobe) {
		if (!ftk_has(FTK_F_UPROBES)) {
			ftk_error("this kernel has no uprobes: %s", ftk_feature(FTK_F_UPROBES)->why);
			ftk_hint("trace the system calls the function makes (-e 'syscalls:*') "
				 "or, with kprobes, the kernel functions it reaches (--kprobe)");
			return -ENOTSUP;
		}
		name = event_name(p->symbol, p->ret, index);
		ev = declare_uprobe(s, p, name);
	} else {
		if (!ftk_has(FTK_F_KPROBES)) {
			ftk_error("kprobe '%s': this kernel has no kprobes: %s", p->text,
				  ftk_feature(FTK_F_KPROBES)->why);
			ftk_hint("use a tracepoint (-e) or a uprobe (--uprobe) instead");
			return -ENOTSUP;
		}
		snprintf(base, sizeof(base), "%.*s", (int)strcspn(p->symbol, "+"), p->symbol);
		name = event_name(base, p->ret, index);
		ev = ftk_kprobe(s, name, p->symbol, p->fetch, p->ret);
	}
	free(name);
	if (!ev)
		return -ENOENT;
	struct ftk_buf b = { 0 };
	ftk_buf_printf(&b, "%s%s:%s", p->uprobe ? "uprobe" : "kprobe", p->ret ? "_ret" : "",
		       ev->name);
	*out = ev;
	*label = b.p;
	return 0;
}
