/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output: escaping of untrusted strings for tables, NDJSON objects, buffered stdout with
 * EPIPE detection.
 */
#ifndef FTK_OUTPUT_H
#define FTK_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

/*
 * Table escaping: valid printable UTF-8 passes; C0 controls, DEL, C1 controls (U+0080..9F)
 * and bytes of invalid UTF-8 become \xNN (one per byte). With `quote`, '"' becomes \" and
 * '\\' becomes \\ (used by -q, which then wraps args in quotes).
 */
void ftk_escape_table(struct ftk_buf *b, const char *s, size_t len, bool quote);

/*
 * JSON string (with the quotes): standard escapes (\" \\ \n \t \r \b \f, \u00XX for other
 * controls and DEL); valid UTF-8 passes; each byte of invalid UTF-8 becomes U+FFFD.
 */
void ftk_json_string(struct ftk_buf *b, const char *s, size_t len);

/* NDJSON object builder: ftk_json_begin, then fields, then ftk_json_end (adds "}\n"). */
struct ftk_json {
	struct ftk_buf *b;
	int n;		/* keys and values written so far (all levels) */
};
void ftk_json_begin(struct ftk_json *j, struct ftk_buf *b);
void ftk_json_key(struct ftk_json *j, const char *key);
void ftk_json_str(struct ftk_json *j, const char *key, const char *s, size_t len);
void ftk_json_cstr(struct ftk_json *j, const char *key, const char *s); /* NULL -> null */
void ftk_json_int(struct ftk_json *j, const char *key, long long v);
void ftk_json_uint(struct ftk_json *j, const char *key, unsigned long long v);
/* decimals 0..9; same digits as printf("%.*f") in the C locale (no "-0.0"); NaN/inf: null */
void ftk_json_double(struct ftk_json *j, const char *key, double v, int decimals);
void ftk_json_bool(struct ftk_json *j, const char *key, bool v);
void ftk_json_null(struct ftk_json *j, const char *key);
/* Raw already-encoded JSON value. */
void ftk_json_raw(struct ftk_json *j, const char *key, const char *raw);
/* Arrays/objects: begin with key (NULL inside arrays), add values with key NULL, end. */
void ftk_json_array_begin(struct ftk_json *j, const char *key);
void ftk_json_array_end(struct ftk_json *j);
void ftk_json_object_begin(struct ftk_json *j, const char *key);
void ftk_json_object_end(struct ftk_json *j);
void ftk_json_end(struct ftk_json *j);

/* RFC 3339 wall clock with microseconds, UTC offset of the local zone:
 * "2026-11-25T10:46:36.123456+00:00". */
void ftk_fmt_rfc3339(struct ftk_buf *b, uint64_t real_ns);
/* The same at a cursor (32 bytes, no NUL); returns the end. */
char *ftk_put_rfc3339(char *p, uint64_t real_ns);
/* "HH:MM:SS" local time. */
void ftk_fmt_hms(char out[16], uint64_t real_ns);

/* Numbers written at a cursor p (no NUL), returning the end: the hot paths of NDJSON views
 * reserve room once and write several. Room: 20 bytes (u64), 20 (s64), 30 (seconds). */
char *ftk_put_u64(char *p, uint64_t v);
char *ftk_put_s64(char *p, int64_t v);
/* "SECONDS.NNNNNNNNN" of a time in ns. */
char *ftk_put_seconds(char *p, uint64_t ns);
/* "SECONDS.FRACTION" of ns with 9 or 6 (microseconds, truncated) decimals, appended to b. */
void ftk_buf_add_seconds(struct ftk_buf *b, uint64_t ns, int decimals);

/* stdout: buffered writes; ftk_out_flush() after each batch. Returns false once stdout is
 * broken (EPIPE): the session then stops. */
void ftk_out(const char *s, size_t n);
void ftk_out_buf(struct ftk_buf *b);	/* writes and resets b */
void ftk_outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool ftk_out_flush(void);
bool ftk_out_broken(void);
/* errno of the write that broke stdout (EPIPE, EIO, ENOSPC ...); 0 while it works. */
int ftk_out_errno(void);

#endif
