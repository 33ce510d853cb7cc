// SPDX-License-Identifier: GPL-2.0-only
/*
 * events (decoding half): builds a small tep handle from events/header_page plus only the
 * format files a view needs (tracefs_local_events() would parse all ~2300 formats and
 * kallsyms), and reads fields out of raw records without going through tep per event:
 * numbers of 1/2/4/8 bytes with sign extension where the format says signed, char[]
 * arrays, __data_loc and __rel_loc strings bound-checked against the record size.
 * Declaring probes (ftk_tracepoint & co) lives in probes.c.
 */
#include <errno.h>
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

const struct tep_format_field *ftk_field(const struct ftk_event *ev, const char *name)
{
	if (!ev || !ev->tep)
		return NULL;
	return tep_find_any_field(ev->tep, name);
}

uint64_t ftk_get_u64(const struct tep_format_field *f, const void *data)
{
	const uint8_t *p = (const uint8_t *)data + f->offset;
	uint64_t v8;
	uint32_t v4;
	uint16_t v2;

	switch (f->size) {
	case 1:
		return *p;
	case 2:
		memcpy(&v2, p, 2);
		return v2;
	case 4:
		memcpy(&v4, p, 4);
		return v4;
	case 8:
		memcpy(&v8, p, 8);
		return v8;
	default:
		return 0;
	}
}

int64_t ftk_get_s64(const struct tep_format_field *f, const void *data)
{
	uint64_t v = ftk_get_u64(f, data);

	if (!(f->flags & TEP_FIELD_IS_SIGNED))
		return (int64_t)v;
	return ftk_sign_extend(v, f->size);
}

/* Locate a dynamic (__data_loc / __rel_loc) array: offset and length inside the record. */
static bool dyn_loc(const struct tep_format_field *f, const uint8_t *data, int rec_size,
		    int *off, int *len)
{
	uint32_t w;

	if (f->offset < 0 || f->offset + 4 > rec_size)
		return false;
	memcpy(&w, data + f->offset, 4);
	*off = w & 0xffff;
	*len = w >> 16;
	if (f->flags & TEP_FIELD_IS_RELATIVE)
		*off += f->offset + f->size;
	return *off + *len <= rec_size;
}

const char *ftk_get_str(const struct tep_format_field *f, const void *data, int len_max,
			int *len)
{
	const uint8_t *d = data;
	const char *s, *nul;
	int off, n;

	*len = 0;
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		if (!dyn_loc(f, d, len_max, &off, &n))
			return NULL;
	} else if (f->flags & TEP_FIELD_IS_ARRAY) {
		off = f->offset;
		n = f->size;
		if (off < 0 || off + n > len_max)
			return NULL;
	} else {
		return NULL;
	}
	s = (const char *)d + off;
	/* Text ends at the first NUL: strips the terminator and any padding after it. */
	nul = memchr(s, '\0', n);
	if (nul)
		n = nul - s;
	if (n <= 0)
		return NULL;
	*len = n;
	return s;
}

int ftk_rec_pid(const void *data)
{
	int32_t pid;

	memcpy(&pid, (const uint8_t *)data + 4, 4);
	return pid;
}
