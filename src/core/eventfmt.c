// SPDX-License-Identifier: GPL-2.0-only
/*
 * eventfmt: every field of any event as JSON, and the trace_pipe-like text line. The JSON
 * path writes through a cursor over reserved space: numbers with no call but the digit
 * writer, the buffer API only for strings and arrays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <trace-seq.h>

#include "field.h"
#include "events.h"
#include "eventfmt.h"
#include "output.h"

void ftk_event_fields_compile(struct ftk_event_fields *ef, const struct tep_event *e)
{
	int n = e->format.nr_fields, k = 0;

	ef->fields = ftk_xcalloc(n ? n : 1, sizeof(*ef->fields));
	for (struct tep_format_field *tf = e->format.fields; tf && k < n; tf = tf->next) {
		struct ftk_named_field *f = &ef->fields[k];
		struct ftk_buf key = { 0 };

		ftk_field_compile(&f->ref, tf);
		if (k)
			ftk_buf_addc(&key, ',');
		ftk_json_string(&key, tf->name, strlen(tf->name));
		ftk_buf_addc(&key, ':');
		f->key = key.p;
		f->keylen = key.len;
		k++;
	}
	ef->count = k;
}

void ftk_event_fields_free(struct ftk_event_fields *ef)
{
	for (int i = 0; i < ef->count; i++)
		free(ef->fields[i].key);
	free(ef->fields);
	ef->fields = NULL;
	ef->count = 0;
}

/* A string or array field (the slow path, through the buffer API). */
static void json_span(struct ftk_buf *b, const struct ftk_field_ref *f, const void *data,
		      int size)
{
	int len;
	const uint8_t *p = ftk_field_span(f, data, size, &len);

	if (f->kind == FTK_FIELD_STRING) {
		ftk_json_string(b, (const char *)p, p ? strnlen((const char *)p, len) : 0);
		return;
	}
	int n = f->dynamic ? len / f->element_size : f->count;
	if (n * f->element_size > len)
		n = len / f->element_size;
	ftk_buf_reserve(b, 2 + (size_t)n * 21);
	char *o = b->p + b->len;
	*o++ = '[';
	for (int i = 0; i < n; i++) {
		uint64_t v = ftk_field_load(p + i * f->element_size, f->element_size);
		if (i)
			*o++ = ',';
		o = f->is_signed ? ftk_put_s64(o, ftk_sign_extend(v, f->element_size))
				 : ftk_put_u64(o, v);
	}
	*o++ = ']';
	*o = '\0';
	b->len = o - b->p;
}

void ftk_event_fields_json(struct ftk_buf *b, const struct ftk_event_fields *ef,
			   const void *data, int size)
{
	const uint8_t *d = data;

	ftk_buf_reserve(b, 64);
	char *o = b->p + b->len, *end = b->p + b->cap;

	*o++ = '{';
	for (int i = 0; i < ef->count; i++) {
		const struct ftk_named_field *nf = &ef->fields[i];
		const struct ftk_field_ref *f = &nf->ref;

		if ((size_t)(end - o) < nf->keylen + 24 + 1) {
			b->len = o - b->p;
			ftk_buf_reserve(b, nf->keylen + 24);
			o = b->p + b->len;
			end = b->p + b->cap;
		}
		memcpy(o, nf->key, nf->keylen);
		o += nf->keylen;
		if (f->kind == FTK_FIELD_UNSIGNED || f->kind == FTK_FIELD_SIGNED) {
			if (f->offset + f->size > size) {
				memcpy(o, "null", 4);
				o += 4;
				continue;
			}
			uint64_t v = ftk_field_load(d + f->offset, f->size);
			o = f->kind == FTK_FIELD_SIGNED ? ftk_put_s64(o, ftk_sign_extend(v, f->size))
							: ftk_put_u64(o, v);
		} else {
			b->len = o - b->p;
			json_span(b, f, data, size);
			ftk_buf_reserve(b, 2);
			o = b->p + b->len;
			end = b->p + b->cap;
		}
	}
	if (end - o < 2) {
		b->len = o - b->p;
		ftk_buf_reserve(b, 1);
		o = b->p + b->len;
	}
	*o++ = '}';
	*o = '\0';
	b->len = o - b->p;
}

void ftk_event_text_line(struct ftk_buf *b, struct trace_seq *seq, struct tep_event *e,
			 const char *label, const struct ftk_rec *r, int pid, const char *comm)
{
	struct tep_record rec = {
		.ts = r->ts, .size = r->size, .record_size = r->size, .data = r->data,
		.cpu = r->cpu,
	};
	size_t comm_len = strlen(comm);
	char head[64];

	trace_seq_reset(seq);
	tep_print_event(e->tep, seq, &rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(seq);

	for (size_t i = comm_len; i < 16; i++)
		ftk_buf_addc(b, ' ');
	ftk_escape_table(b, comm, comm_len, false);
	snprintf(head, sizeof(head), "-%-7d [%03d] ", pid, r->cpu);
	ftk_buf_adds(b, head);
	ftk_buf_add_seconds(b, r->ts, 6);
	ftk_buf_add(b, ": ", 2);
	ftk_buf_adds(b, label);
	ftk_buf_add(b, ": ", 2);
	ftk_escape_table(b, seq->buffer, seq->len, false);
	ftk_buf_addc(b, '\n');
}
