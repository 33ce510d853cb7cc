// SPDX-License-Identifier: GPL-2.0-only
/*
 * field: compiles a format field (libtraceevent's parse of events/SYS/NAME/format) into an
 * ftk_field_ref once, and reads strings and arrays out of raw records with bounds checks.
 * Numbers are read inline (field.h).
 */
#include <stdio.h>
#include <string.h>

#include <event-parse.h>

#include "events.h"
#include "field.h"
#include "util.h"

static bool integer_size(int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

/* Element size from a C type name such as "__data_loc unsigned long[]"; 0 when unknown. */
static int type_size(const char *type)
{
	static const struct {
		const char *name;
		int size;
	} sizes[] = {
		{ "char", 1 }, { "u8", 1 }, { "s8", 1 }, { "bool", 1 }, { "__u8", 1 },
		{ "short", 2 }, { "u16", 2 }, { "s16", 2 }, { "__u16", 2 },
		{ "int", 4 }, { "u32", 4 }, { "s32", 4 }, { "__u32", 4 }, { "pid_t", 4 },
		{ "long", sizeof(long) }, { "u64", 8 }, { "s64", 8 }, { "__u64", 8 },
		{ "size_t", sizeof(size_t) },
	};
	char buf[128];
	const char *p = type;

	if (strchr(type, '*'))
		return sizeof(void *);
	if (strncmp(p, "__data_loc ", 11) == 0)
		p += 11;
	else if (strncmp(p, "__rel_loc ", 10) == 0)
		p += 10;
	snprintf(buf, sizeof(buf), "%s", p);
	char *bracket = strchr(buf, '[');
	if (bracket)
		*bracket = '\0';
	/* The last word decides: "unsigned long" -> long, "const char" -> char. */
	size_t len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
	char *word = strrchr(buf, ' ');
	word = word ? word + 1 : buf;
	for (size_t i = 0; i < FTK_ARRAY_SIZE(sizes); i++)
		if (strcmp(word, sizes[i].name) == 0)
			return sizes[i].size;
	return 0;
}

void ftk_field_compile(struct ftk_field_ref *f, const struct tep_format_field *tf)
{
	unsigned long flags = tf->flags;

	memset(f, 0, sizeof(*f));
	f->offset = tf->offset;
	f->size = tf->size;
	f->is_signed = flags & TEP_FIELD_IS_SIGNED;
	f->dynamic = flags & TEP_FIELD_IS_DYNAMIC;
	f->relative = flags & TEP_FIELD_IS_RELATIVE;
	if (f->offset < 0 || f->size < 0) {
		f->kind = FTK_FIELD_ABSENT;
		return;
	}
	if (flags & TEP_FIELD_IS_STRING) {
		f->kind = FTK_FIELD_STRING;
		f->element_size = 1;
		f->count = f->dynamic ? 0 : f->size;
		return;
	}
	if (f->dynamic || (flags & TEP_FIELD_IS_ARRAY)) {
		f->kind = FTK_FIELD_ARRAY;
		f->element_size = integer_size(tf->elementsize) ? (int)tf->elementsize
								: type_size(tf->type);
		if (!integer_size(f->element_size) || (!f->dynamic && f->size % f->element_size)) {
			f->element_size = 1;	/* unknown element type: bytes */
			f->is_signed = false;
		}
		f->count = f->dynamic ? 0 : f->size / f->element_size;
		return;
	}
	if (integer_size(f->size)) {
		f->kind = f->is_signed ? FTK_FIELD_SIGNED : FTK_FIELD_UNSIGNED;
	} else {
		f->kind = FTK_FIELD_ARRAY;	/* odd-sized scalar: its bytes */
		f->element_size = 1;
		f->count = f->size;
		f->is_signed = false;
	}
}

bool ftk_field_bind_format(struct ftk_field_ref *f, const struct tep_event *e, const char *name)
{
	const struct tep_format_field *tf =
		e ? tep_find_any_field((struct tep_event *)e, name) : NULL;

	if (!tf) {
		memset(f, 0, sizeof(*f));
		return false;
	}
	ftk_field_compile(f, tf);
	return ftk_field_has(f);
}

bool ftk_field_bind(struct ftk_field_ref *f, const struct ftk_event *ev, const char *name)
{
	return ftk_field_bind_format(f, ev ? ev->tep : NULL, name);
}

/* Where a field's bytes are; false when they are not (all) inside the record. */
static bool locate(const struct ftk_field_ref *f, const uint8_t *data, int size, int *off,
		   int *len)
{
	if (f->kind != FTK_FIELD_STRING && f->kind != FTK_FIELD_ARRAY)
		return false;
	if (!f->dynamic) {
		*off = f->offset;
		*len = f->size;
		return f->offset + f->size <= size;
	}
	if (f->offset + 4 > size) {
		*off = size;
		*len = 0;
		return false;
	}
	uint32_t word = (uint32_t)ftk_field_load(data + f->offset, 4);
	*off = word & 0xffff;
	*len = word >> 16;
	if (f->relative)
		*off += f->offset + f->size;
	return *off + *len <= size;
}

const uint8_t *ftk_field_span(const struct ftk_field_ref *f, const void *data, int size,
			      int *len)
{
	int off, n;

	*len = 0;
	if (f->kind != FTK_FIELD_STRING && f->kind != FTK_FIELD_ARRAY)
		return NULL;
	if (!locate(f, data, size, &off, &n)) {
		if (off > size)
			off = size;
		n = off + n > size ? size - off : n;
		if (n < 0)
			n = 0;
	}
	*len = n;
	return (const uint8_t *)data + off;
}

const char *ftk_field_str(const struct ftk_field_ref *f, const void *data, int size, int *len)
{
	int off, n;

	*len = 0;
	if (!locate(f, data, size, &off, &n))
		return NULL;
	const char *s = (const char *)data + off;
	/* Text ends at the first NUL: strips the terminator and any padding after it. */
	const char *nul = memchr(s, '\0', n);
	if (nul)
		n = nul - s;
	if (n <= 0)
		return NULL;
	*len = n;
	return s;
}
