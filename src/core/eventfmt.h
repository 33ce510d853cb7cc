/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eventfmt: any event's record printed generically, by its format: every field by name as a
 * JSON object (compiled once per event, no libtraceevent call per record), or one text line
 * from the event's own print format, as trace_pipe shows it. `ftk trace` prints with it;
 * recording and report views will too.
 */
#ifndef FTK_EVENTFMT_H
#define FTK_EVENTFMT_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"
#include "util.h"

struct tep_event;
struct trace_seq;
struct ftk_rec;

/* One field with its JSON key: "\"name\":", with a leading ',' except for the first field. */
struct ftk_named_field {
	struct ftk_field_ref ref;
	char *key;
	size_t keylen;
};

/* Every non-common field of an event, in format order. */
struct ftk_event_fields {
	struct ftk_named_field *fields;
	int count;
};

void ftk_event_fields_compile(struct ftk_event_fields *ef, const struct tep_event *e);
void ftk_event_fields_free(struct ftk_event_fields *ef);

/* Append the fields of one record of `size` bytes as a JSON object ("{...}", no newline).
 * Numbers as JSON numbers (signed where the format says so), strings as JSON strings (exact
 * bytes, standard escapes), arrays as arrays of numbers; data outside the record is left
 * out (a location word pointing past the end gives an empty string or array). */
void ftk_event_fields_json(struct ftk_buf *b, const struct ftk_event_fields *ef,
			   const void *data, int size);

/* Append one record as a text line like trace_pipe's, escaped for a terminal:
 * "            comm-pid     [cpu] SECONDS.US: label: <print format>\n". seq is scratch. */
void ftk_event_text_line(struct ftk_buf *b, struct trace_seq *seq, struct tep_event *e,
			 const char *label, const struct ftk_rec *r, int pid, const char *comm);

#endif
