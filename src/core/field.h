/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * field: one event field compiled once from the event's format (offset, size, signedness,
 * kind) and read from raw records with no libtraceevent call per record, every read
 * bounds-checked against the record size. A field the format lacks binds to "absent" and
 * reads safely: a number gives the caller's default, a string NULL. Formats change across
 * kernels (task_rename had no `pid` from 6.13 until a 2026 stable fix): bind, then ask
 * ftk_field_has() where the view can do without the field.
 *
 *   struct ftk_field_ref pid;
 *   ftk_field_bind(&pid, ev, "pid");                        // once armed (ev->tep set)
 *   pid_t p = ftk_field_s64(&pid, r->data, r->size, ftk_rec_pid(r->data));
 */
#ifndef FTK_FIELD_H
#define FTK_FIELD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct ftk_event;
struct tep_event;
struct tep_format_field;

enum ftk_field_kind {
	FTK_FIELD_ABSENT = 0,	/* not in the format (a zeroed ref is absent) */
	FTK_FIELD_UNSIGNED,	/* integer of 1/2/4/8 bytes */
	FTK_FIELD_SIGNED,
	FTK_FIELD_STRING,	/* char[N] up to its first NUL, or __data_loc/__rel_loc char[] */
	FTK_FIELD_ARRAY,	/* fixed or dynamic array of 1/2/4/8-byte integers (bytes if the
				 * element type is unknown, and odd-sized scalars) */
};

struct ftk_field_ref {
	enum ftk_field_kind kind;
	int offset, size;	/* in the record (a dynamic field's location word: size 4) */
	int element_size;	/* arrays: 1, 2, 4 or 8 */
	int count;		/* fixed arrays: number of elements */
	bool is_signed;		/* the value or the elements */
	bool dynamic;		/* __data_loc / __rel_loc: data found through a 32-bit word */
	bool relative;		/* __rel_loc: offset counted from the end of the word */
};

/* Compile one format field. */
void ftk_field_compile(struct ftk_field_ref *f, const struct tep_format_field *tf);
/* Bind `name` (common fields too) of an armed event; absent when the event has no such field
 * or was not armed. Returns ftk_field_has(f). */
bool ftk_field_bind(struct ftk_field_ref *f, const struct ftk_event *ev, const char *name);
/* Same against a parsed format. */
bool ftk_field_bind_format(struct ftk_field_ref *f, const struct tep_event *e, const char *name);

static inline bool ftk_field_has(const struct ftk_field_ref *f)
{
	return f->kind != FTK_FIELD_ABSENT;
}

/* Little helpers the readers share: a 1/2/4/8-byte load and a sign extension. */
static inline uint64_t ftk_field_load(const void *p, int size)
{
	uint64_t v8;
	uint32_t v4;
	uint16_t v2;

	switch (size) {
	case 1:
		return *(const uint8_t *)p;
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

static inline int64_t ftk_sign_extend(uint64_t v, int size)
{
	switch (size) {
	case 1:
		return (int8_t)v;
	case 2:
		return (int16_t)v;
	case 4:
		return (int32_t)v;
	default:
		return (int64_t)v;
	}
}

/* A number field of a record of `size` bytes, or `absent` when the field is absent, not a
 * number, or lies outside the record. u64: no sign extension; s64: sign-extended when the
 * format says signed. */
static inline uint64_t ftk_field_u64(const struct ftk_field_ref *f, const void *data, int size,
				     uint64_t absent)
{
	if ((f->kind != FTK_FIELD_UNSIGNED && f->kind != FTK_FIELD_SIGNED) ||
	    f->offset + f->size > size)
		return absent;
	return ftk_field_load((const uint8_t *)data + f->offset, f->size);
}

static inline int64_t ftk_field_s64(const struct ftk_field_ref *f, const void *data, int size,
				    int64_t absent)
{
	if ((f->kind != FTK_FIELD_UNSIGNED && f->kind != FTK_FIELD_SIGNED) ||
	    f->offset + f->size > size)
		return absent;
	uint64_t v = ftk_field_load((const uint8_t *)data + f->offset, f->size);
	return f->is_signed ? ftk_sign_extend(v, f->size) : (int64_t)v;
}

/*
 * The bytes of a string or array field: start and length clamped to the record (a location
 * word pointing past the end gives an empty span). NULL (len 0) when the field is absent or
 * a number.
 */
const uint8_t *ftk_field_span(const struct ftk_field_ref *f, const void *data, int size,
			      int *len);
/* A string field's text, up to its first NUL (not NUL-terminated when the field is full, as
 * a char[16] comm can be); *len excludes the NULs. NULL (len 0) when absent, empty, or not
 * wholly inside the record. */
const char *ftk_field_str(const struct ftk_field_ref *f, const void *data, int size, int *len);

#endif
