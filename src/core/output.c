// SPDX-License-Identifier: GPL-2.0-only
/*
 * output: everything ftk prints goes through here. Strings from the traced system (comm,
 * argv, paths) are untrusted: ftk_escape_table() makes them safe for a terminal (no control
 * sequences, no invalid UTF-8) and ftk_json_string() makes them valid JSON. The NDJSON
 * builder writes one object per line without locale dependence; the time formatters give
 * RFC 3339 and HH:MM:SS in the local zone. stdout is our own 64 KiB buffer written with
 * write(2); EPIPE (the reader went away) marks it broken and later output is dropped. The
 * escapers run once per event, so plain ASCII runs are copied in bulk.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

static const char hexdig[] = "0123456789abcdef";

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes available), or 0 if the byte at
 * s does not start one. Rejects overlong forms, surrogates (U+D800..DFFF) and code points
 * above U+10FFFF, as RFC 3629 says. *cp receives the code point.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned int *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;
	unsigned int v;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* > U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3f);
	for (size_t i = 2; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/*
 * Byte classes for the fast paths: 0 = copy as is, 1 = needs work. Index 0 is for table
 * output, index 1 for table output with quoting, index 2 for JSON.
 */
enum { CL_TABLE, CL_QUOTE, CL_JSON };
static unsigned char special[3][256];

static void init_classes(void)
{
	for (int c = 0; c < 256; c++) {
		bool plain = c >= 0x20 && c < 0x7f;

		special[CL_TABLE][c] = !plain;
		special[CL_QUOTE][c] = !plain || c == '"' || c == '\\';
		special[CL_JSON][c] = !plain || c == '"' || c == '\\';
	}
}

static inline void ensure_classes(void)
{
	static bool done;

	if (__builtin_expect(!done, 0)) {
		init_classes();
		done = true;
	}
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Some byte of w is zero (exact, no false positives for the "any" question). */
static inline uint64_t has_zero(uint64_t w)
{
	return (w - ONES) & ~w & HIGHS;
}

/*
 * Does any byte of the 8 need work? Bytes >= 0x80, < 0x20, 0x7f, and with `quotes` '"' and
 * '\'. (w - 0x20 per byte) & ~w flags bytes < 0x20 when no byte has its top bit set, which
 * the first test already covers.
 */
static inline bool word_special(uint64_t w, bool quotes)
{
	uint64_t bad = (w & HIGHS) | ((w - ONES * 0x20) & ~w & HIGHS) | has_zero(w ^ (ONES * 0x7f));

	if (quotes)
		bad |= has_zero(w ^ (ONES * '"')) | has_zero(w ^ (ONES * '\\'));
	return bad != 0;
}

/* Bytes of s[0..n) that need no escaping, from the start: 8 at a time, then bytewise. */
static inline size_t plain_run(const unsigned char *cls, bool quotes, const unsigned char *s,
			       size_t n)
{
	size_t i = 0;
	uint64_t w;

	while (i + 8 <= n) {
		memcpy(&w, s + i, 8);
		if (word_special(w, quotes))
			break;
		i += 8;
	}
	while (i < n && !cls[s[i]])
		i++;
	return i;
}

static inline char *put_hexbyte(char *o, unsigned char c)
{
	*o++ = '\\';
	*o++ = 'x';
	*o++ = hexdig[c >> 4];
	*o++ = hexdig[c & 15];
	return o;
}

void ftk_escape_table(struct ftk_buf *b, const char *str, size_t len, bool quote)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *cls;
	size_t i = 0;
	char *o;

	ensure_classes();
	cls = special[quote ? CL_QUOTE : CL_TABLE];
	ftk_buf_reserve(b, len * 4);	/* worst case: every byte becomes \xNN */
	o = b->p + b->len;
	while (i < len) {
		size_t run = plain_run(cls, quote, s + i, len - i);
		unsigned int cp;
		size_t sl;

		memcpy(o, s + i, run);
		o += run;
		i += run;
		if (i >= len)
			break;
		if (s[i] < 0x80) {
			if (s[i] == '"' || s[i] == '\\') {
				*o++ = '\\';
				*o++ = s[i];
			} else {
				o = put_hexbyte(o, s[i]);
			}
			i++;
			continue;
		}
		sl = utf8_seq(s + i, len - i, &cp);
		if (sl == 0) {
			o = put_hexbyte(o, s[i++]);
		} else if (cp < 0xa0) {
			/* C1 control (U+0080..U+009F): both bytes escaped */
			o = put_hexbyte(o, s[i]);
			o = put_hexbyte(o, s[i + 1]);
			i += 2;
		} else {
			memcpy(o, s + i, sl);
			o += sl;
			i += sl;
		}
	}
	b->len = o - b->p;
	b->p[b->len] = 0;
}

void ftk_json_string(struct ftk_buf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *cls;
	size_t i = 0;
	char *o;

	ensure_classes();
	cls = special[CL_JSON];
	ftk_buf_reserve(b, len * 6 + 2);	/* worst case: every byte becomes \u00XX */
	o = b->p + b->len;
	*o++ = '"';
	while (i < len) {
		size_t run = plain_run(cls, true, s + i, len - i);
		unsigned char c;
		unsigned int cp;
		size_t sl;

		memcpy(o, s + i, run);
		o += run;
		i += run;
		if (i >= len)
			break;
		c = s[i];
		if (c >= 0x80) {
			sl = utf8_seq(s + i, len - i, &cp);
			if (sl) {
				memcpy(o, s + i, sl);
				o += sl;
				i += sl;
			} else {
				memcpy(o, "\\ufffd", 6);
				o += 6;
				i++;
			}
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = c;
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\t':
			*o++ = 't';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hexdig[c >> 4];
			*o++ = hexdig[c & 15];
			break;
		}
		i++;
	}
	*o++ = '"';
	b->len = o - b->p;
	b->p[b->len] = 0;
}

/* ---- NDJSON builder ---- */

/*
 * Separators are decided from the last byte written: after '{', '[' or ':' a value or key
 * needs no comma, after anything else (the end of a value) it does. So nesting needs no
 * stack and ftk_json_key() followed by a key-less value works.
 */
static void json_sep(struct ftk_json *j)
{
	struct ftk_buf *b = j->b;
	char last = b->len ? b->p[b->len - 1] : '{';

	if (last != '{' && last != '[' && last != ':')
		ftk_buf_addc(b, ',');
	j->n++;
}

static void json_key(struct ftk_json *j, const char *key)
{
	struct ftk_buf *b = j->b;
	size_t len;

	json_sep(j);
	if (!key)
		return;
	len = strlen(key);
	ensure_classes();
	if (plain_run(special[CL_JSON], true, (const unsigned char *)key, len) == len) {
		/* the usual case, a plain literal: one reservation, no escaping */
		ftk_buf_reserve(b, len + 3);
		b->p[b->len] = '"';
		memcpy(b->p + b->len + 1, key, len);
		b->p[b->len + 1 + len] = '"';
		b->p[b->len + 2 + len] = ':';
		b->len += len + 3;
		b->p[b->len] = 0;
		return;
	}
	ftk_json_string(b, key, len);
	ftk_buf_addc(b, ':');
}

void ftk_json_begin(struct ftk_json *j, struct ftk_buf *b)
{
	j->b = b;
	j->n = 0;
	ftk_buf_addc(b, '{');
}

void ftk_json_key(struct ftk_json *j, const char *key)
{
	json_key(j, key);
}

void ftk_json_str(struct ftk_json *j, const char *key, const char *s, size_t len)
{
	json_key(j, key);
	ftk_json_string(j->b, s, len);
}

void ftk_json_cstr(struct ftk_json *j, const char *key, const char *s)
{
	json_key(j, key);
	if (s)
		ftk_json_string(j->b, s, strlen(s));
	else
		ftk_buf_add(j->b, "null", 4);
}

/* Decimal digits of v into the end of tmp[]; returns the start. */
static char *utoa_rev(char *end, unsigned long long v)
{
	char *p = end;

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	return p;
}

void ftk_json_int(struct ftk_json *j, const char *key, long long v)
{
	char tmp[24], *p;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	json_key(j, key);
	p = utoa_rev(tmp + sizeof(tmp), u);
	if (v < 0)
		*--p = '-';
	ftk_buf_add(j->b, p, tmp + sizeof(tmp) - p);
}

void ftk_json_uint(struct ftk_json *j, const char *key, unsigned long long v)
{
	char tmp[24], *p;

	json_key(j, key);
	p = utoa_rev(tmp + sizeof(tmp), v);
	ftk_buf_add(j->b, p, tmp + sizeof(tmp) - p);
}

/*
 * v * 10^decimals rounded to an integer exactly as glibc's printf("%.*f") rounds: on the
 * exact binary value, ties to even. A double is m * 2^e with a 53-bit m, and 10^9 < 2^30,
 * so m * 10^d fits in 128 bits and the shift by e is exact. False if the result would not
 * fit in 63 bits.
 */
static bool scale_round(double v, unsigned int decimals, unsigned long long *out)
{
	static const unsigned long long pow10[] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	};
	unsigned __int128 x, q, rem, half;
	uint64_t bits, m;
	int exp, sh;

	memcpy(&bits, &v, sizeof(bits));
	exp = (int)((bits >> 52) & 0x7ff);
	m = bits & ((1ULL << 52) - 1);
	if (exp)
		m |= 1ULL << 52;
	else
		exp = 1;		/* subnormal */
	exp -= 1075;			/* v = m * 2^exp */
	x = (unsigned __int128)m * pow10[decimals];
	if (exp >= 0) {
		if (exp > 62 || (x << exp) >> exp != x || (x << exp) >> 63)
			return false;
		*out = (unsigned long long)(x << exp);
		return true;
	}
	sh = -exp;
	if (sh >= 127) {
		*out = 0;		/* below 2^-44: rounds to zero */
		return true;
	}
	q = x >> sh;
	rem = x & (((unsigned __int128)1 << sh) - 1);
	half = (unsigned __int128)1 << (sh - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	if (q >> 63)
		return false;
	*out = (unsigned long long)q;
	return true;
}

/*
 * Fixed-point without printf (whose decimal point follows LC_NUMERIC), with printf's digits
 * so table and JSON output agree, except that a zero result never has a minus sign. Values
 * too large for 63 bits fall back to printf with the decimal point forced to '.'. NaN and
 * infinities have no JSON form: null.
 */
static void fmt_fixed(struct ftk_buf *b, double v, int decimals)
{
	static const unsigned long long pow10[] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	};
	char tmp[48], *p, *end = tmp + sizeof(tmp);
	unsigned long long scaled, ip, fp;
	bool neg;

	if (!isfinite(v)) {
		ftk_buf_add(b, "null", 4);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 9)
		decimals = 9;
	neg = signbit(v);
	if (neg)
		v = -v;
	if (!scale_round(v, decimals, &scaled)) {
		char big[400];	/* DBL_MAX has 309 integer digits */
		int n = snprintf(big, sizeof(big), "%s%.*f", neg ? "-" : "", decimals, v);

		if (n < 0 || n >= (int)sizeof(big))
			n = 0;
		for (int i = 0; i < n; i++)
			if (big[i] != '-' && (big[i] < '0' || big[i] > '9'))
				big[i] = '.';
		ftk_buf_add(b, big, n);
		return;
	}
	ip = scaled / pow10[decimals];
	fp = scaled % pow10[decimals];
	p = end;
	for (int i = 0; i < decimals; i++) {
		*--p = '0' + fp % 10;
		fp /= 10;
	}
	if (decimals)
		*--p = '.';
	p = utoa_rev(p, ip);
	if (neg && scaled)
		*--p = '-';
	ftk_buf_add(b, p, end - p);
}

void ftk_json_double(struct ftk_json *j, const char *key, double v, int decimals)
{
	json_key(j, key);
	fmt_fixed(j->b, v, decimals);
}

void ftk_json_bool(struct ftk_json *j, const char *key, bool v)
{
	json_key(j, key);
	if (v)
		ftk_buf_add(j->b, "true", 4);
	else
		ftk_buf_add(j->b, "false", 5);
}

void ftk_json_null(struct ftk_json *j, const char *key)
{
	json_key(j, key);
	ftk_buf_add(j->b, "null", 4);
}

void ftk_json_raw(struct ftk_json *j, const char *key, const char *raw)
{
	json_key(j, key);
	ftk_buf_adds(j->b, raw);
}

void ftk_json_array_begin(struct ftk_json *j, const char *key)
{
	json_key(j, key);
	ftk_buf_addc(j->b, '[');
}

void ftk_json_array_end(struct ftk_json *j)
{
	ftk_buf_addc(j->b, ']');
}

void ftk_json_object_begin(struct ftk_json *j, const char *key)
{
	json_key(j, key);
	ftk_buf_addc(j->b, '{');
}

void ftk_json_object_end(struct ftk_json *j)
{
	ftk_buf_addc(j->b, '}');
}

void ftk_json_end(struct ftk_json *j)
{
	ftk_buf_add(j->b, "}\n", 2);
}

static const char digit_pairs[201] =
	"0001020304050607080910111213141516171819202122232425262728293031323334353637383940"
	"4142434445464748495051525354555657585960616263646566676869707172737475767778798081"
	"8283848586878889909192939495969798990";

/* ---- time ---- */

/*
 * localtime_r() per event is measurable, so the broken-down time of the last second is kept
 * (per thread). The key includes the zone globals that tzset() sets, so a changed TZ
 * followed by tzset() is honoured.
 */
struct tcache {
	time_t sec;
	long zone;
	const char *tzn;
	bool valid;
	char date[64];		/* "YYYY-MM-DDTHH:MM:SS" (room for any int) */
	char off[8];		/* "+HH:MM" */
};
static __thread struct tcache tcache;

static struct tcache *local_second(uint64_t real_ns)
{
	struct tcache *c = &tcache;
	time_t sec = (time_t)(real_ns / 1000000000ULL);
	struct tm tm;
	long off;

	if (c->valid && c->sec == sec && c->zone == timezone && c->tzn == tzname[0])
		return c;
	if (!localtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	off = tm.tm_gmtoff;
	snprintf(c->date, sizeof(c->date), "%04d-%02d-%02dT%02d:%02d:%02d",
		 (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
	snprintf(c->off, sizeof(c->off), "%c%02ld:%02ld", off < 0 ? '-' : '+',
		 labs(off) / 3600 % 100, labs(off) / 60 % 60);
	c->sec = sec;
	/* localtime_r() ran tzset's initialisation: read the globals after it */
	c->zone = timezone;
	c->tzn = tzname[0];
	c->valid = true;
	return c;
}

char *ftk_put_rfc3339(char *p, uint64_t real_ns)
{
	struct tcache *c = local_second(real_ns);
	unsigned int us = (unsigned int)(real_ns / 1000 % 1000000);

	memcpy(p, c->date, 19);
	p[19] = '.';
	for (int i = 24; i >= 20; i -= 2) {	/* two digits per step */
		unsigned int d = us % 100 * 2;
		us /= 100;
		p[i] = digit_pairs[d];
		p[i + 1] = digit_pairs[d + 1];
	}
	memcpy(p + 26, c->off, 6);
	return p + 32;
}

void ftk_fmt_rfc3339(struct ftk_buf *b, uint64_t real_ns)
{
	ftk_buf_reserve(b, 32);
	b->len = ftk_put_rfc3339(b->p + b->len, real_ns) - b->p;
	b->p[b->len] = '\0';
}

void ftk_fmt_hms(char out[16], uint64_t real_ns)
{
	struct tcache *c = local_second(real_ns);

	memcpy(out, c->date + 11, 8);
	out[8] = 0;
}

/* ---- numbers ---- */


char *ftk_put_u64(char *p, uint64_t v)
{
	char tmp[24];
	char *t = tmp + sizeof(tmp);

	while (v >= 100) {	/* two digits per division */
		unsigned d = (v % 100) * 2;
		v /= 100;
		*--t = digit_pairs[d + 1];
		*--t = digit_pairs[d];
	}
	if (v >= 10) {
		*--t = digit_pairs[v * 2 + 1];
		*--t = digit_pairs[v * 2];
	} else {
		*--t = (char)('0' + v);
	}
	size_t n = tmp + sizeof(tmp) - t;
	memcpy(p, t, n);
	return p + n;
}

char *ftk_put_s64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return ftk_put_u64(p, -(uint64_t)v);
	}
	return ftk_put_u64(p, (uint64_t)v);
}

char *ftk_put_seconds(char *p, uint64_t ns)
{
	uint32_t f = ns % 1000000000u;

	p = ftk_put_u64(p, ns / 1000000000u);
	*p++ = '.';
	p[8] = (char)('0' + f % 10);
	f /= 10;
	for (int i = 6; i >= 0; i -= 2) {
		unsigned d = (f % 100) * 2;
		f /= 100;
		p[i] = digit_pairs[d];
		p[i + 1] = digit_pairs[d + 1];
	}
	return p + 9;
}

void ftk_buf_add_seconds(struct ftk_buf *b, uint64_t ns, int decimals)
{
	ftk_buf_reserve(b, 32);
	char *end = ftk_put_seconds(b->p + b->len, ns);
	if (decimals == 6)
		end -= 3;
	b->len = end - b->p;
	b->p[b->len] = '\0';
}

/* ---- stdout ---- */

#define OUT_CAP (64 * 1024)

static struct {
	char buf[OUT_CAP];
	size_t len;
	bool broken;
	int err;
	pid_t owner;		/* the process that registered the exit flush */
} out;

/* Wait until fd 1 is writable (stdout may have been left non-blocking by someone). */
static void wait_writable(void)
{
	struct pollfd pfd = { .fd = 1, .events = POLLOUT };

	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
}

static void write_all(const char *s, size_t n)
{
	while (n && !out.broken) {
		ssize_t w = write(1, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				wait_writable();
				continue;
			}
			/* EPIPE, or nowhere to write (EIO, ENOSPC, EBADF): stop printing */
			out.err = errno;
			out.broken = true;
			break;
		}
		s += w;
		n -= w;
	}
}

static void exit_flush(void)
{
	/* a forked child that exit()s must not print its parent's pending output */
	if (getpid() == out.owner)
		ftk_out_flush();
}

static inline void out_init(void)
{
	if (__builtin_expect(out.owner == 0, 0)) {
		out.owner = getpid();
		atexit(exit_flush);
	}
}

void ftk_out(const char *s, size_t n)
{
	if (out.broken)
		return;
	out_init();
	if (n > OUT_CAP - out.len) {
		if (!ftk_out_flush())
			return;
		if (n >= OUT_CAP) {
			write_all(s, n);
			return;
		}
	}
	memcpy(out.buf + out.len, s, n);
	out.len += n;
}

void ftk_out_buf(struct ftk_buf *b)
{
	if (b->len)
		ftk_out(b->p, b->len);
	ftk_buf_reset(b);
}

void ftk_outf(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (out.broken)
		return;
	out_init();
	va_start(ap, fmt);
	n = vsnprintf(out.buf + out.len, OUT_CAP - out.len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < OUT_CAP - out.len) {
		out.len += n;
		return;
	}
	/* did not fit: format into a heap buffer of the right size */
	char *tmp = ftk_xmalloc((size_t)n + 1);

	va_start(ap, fmt);
	vsnprintf(tmp, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ftk_out(tmp, n);
	free(tmp);
}

bool ftk_out_flush(void)
{
	if (out.len && !out.broken)
		write_all(out.buf, out.len);
	out.len = 0;
	return !out.broken;
}

bool ftk_out_broken(void)
{
	return out.broken;
}

int ftk_out_errno(void)
{
	return out.err;
}
