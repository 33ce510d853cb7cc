// SPDX-License-Identifier: GPL-2.0-only
/*
 * events (decoding half): builds a small tep handle from events/header_page plus only the
 * format files a view needs (tracefs_local_events() would parse all ~2300 formats and
 * kallsyms). Fields are read through field.h (bound once, read per record).
 * Declaring probes (ftk_tracepoint & co) lives in probes.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "formats.h"
#include "util.h"

static bool host_big_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 0;
}

struct tep_handle *ftk_tep_new(const char *tracefs)
{
	enum tep_endian endian = host_big_endian() ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN;
	struct tep_handle *tep;
	char path[4096];
	size_t len;
	char *buf;
	int err;

	snprintf(path, sizeof(path), "%s/events/header_page", tracefs);
	buf = ftk_read_file(path, &len);
	if (!buf)
		return NULL;
	tep = tep_alloc();
	if (!tep) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	/* The kernel writes the ring buffer in its own word size and byte order: this host's. */
	tep_set_file_bigendian(tep, endian);
	tep_set_local_bigendian(tep, endian);
	tep_set_long_size(tep, sizeof(long));
	tep_set_page_size(tep, getpagesize());
	err = tep_parse_header_page(tep, buf, len, sizeof(long));
	free(buf);
	if (err) {
		tep_free(tep);
		errno = EINVAL;
		return NULL;
	}
	return tep;
}

struct tep_event *ftk_tep_load(struct tep_handle *tep, const char *dir, const char *sys,
			       const char *name)
{
	struct tep_event *ev;
	char path[4096];
	size_t len;
	char *buf;
	enum tep_errno err;

	ev = tep_find_event_by_name(tep, sys, name);
	if (ev)
		return ev;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, sys, name);
	buf = ftk_read_file(path, &len);
	if (!buf)
		return NULL;
	err = tep_parse_event(tep, buf, len, sys);
	free(buf);
	if (err) {
		errno = EINVAL;
		return NULL;
	}
	ev = tep_find_event_by_name(tep, sys, name);
	if (!ev)
		errno = ENOENT;
	return ev;
}

int ftk_rec_pid(const void *data)
{
	int32_t pid;

	memcpy(&pid, (const uint8_t *)data + 4, 4);
	return pid;
}
