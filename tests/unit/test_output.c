// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for core/output: table escaping of hostile strings (terminal escapes, C1
 * controls, invalid and overlong UTF-8), JSON strings, the NDJSON builder, RFC 3339 and
 * HH:MM:SS in several zones (POSIX TZ strings, so no tzdata is needed), and the stdout
 * writer (buffering, large writes, EPIPE).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/output.h"
#include "core/record.h"
#include "core/session_int.h"

/* Escape s (length len) for tables and compare with want. */
static void check_table(const char *s, size_t len, bool quote, const char *want)
{
	struct ftk_buf b = { 0 };

	ftk_escape_table(&b, s, len, quote);
	assert_string_equal(ftk_buf_str(&b), want);
	assert_int_equal(b.len, strlen(want));
	ftk_buf_free(&b);
}

#define TABLE(lit, want) check_table(lit, sizeof(lit) - 1, false, want)
#define TABLEQ(lit, want) check_table(lit, sizeof(lit) - 1, true, want)

static void test_table_plain(void **state)
{
	TABLE("", "");
	TABLE("/bin/ls --color=auto", "/bin/ls --color=auto");
	TABLE("a\"b\\c", "a\"b\\c");
	TABLEQ("a\"b\\c", "a\\\"b\\\\c");
	TABLEQ("plain", "plain");
}

static void test_table_controls(void **state)
{
	TABLE("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
	TABLE("\x1b]0;title\x07", "\\x1b]0;title\\x07");
	TABLE("a\nb", "a\\x0ab");
	TABLE("a\tb\r", "a\\x09b\\x0d");
	TABLE("del\x7f", "del\\x7f");
	TABLE("nul\0x", "nul\\x00x");
	/* CSI as a C1 control encoded in UTF-8 (U+009B = C2 9B): both bytes escaped */
	TABLE("\xc2\x9b" "31m", "\\xc2\\x9b31m");
	TABLE("\xc2\x80\xc2\x9f", "\\xc2\\x80\\xc2\\x9f");
	/* raw 0x9b byte (8-bit CSI) is invalid UTF-8 */
	TABLE("\x9b" "2J", "\\x9b2J");
}

static void test_table_utf8(void **state)
{
	TABLE("caf\xc3\xa9", "caf\xc3\xa9");				/* é */
	TABLE("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!");		/* emoji */
	TABLE("\xc2\xa0", "\xc2\xa0");					/* NBSP U+00A0 */
	TABLE("\xe2\x82\xac", "\xe2\x82\xac");				/* € */
	TABLE("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");			/* U+10FFFF */
	TABLEQ("\"\xc3\xa9\"", "\\\"\xc3\xa9\\\"");
}

static void test_table_invalid(void **state)
{
	TABLE("\xff\xfe", "\\xff\\xfe");
	TABLE("\x80", "\\x80");
	TABLE("a\xe2\x82", "a\\xe2\\x82");			/* truncated at the end */
	TABLE("\xe2\x82z", "\\xe2\\x82z");			/* truncated in the middle */
	TABLE("\xc0\xaf", "\\xc0\\xaf");			/* overlong '/' */
	TABLE("\xc1\xbf", "\\xc1\\xbf");			/* overlong */
	TABLE("\xe0\x80\xaf", "\\xe0\\x80\\xaf");		/* overlong 3-byte */
	TABLE("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");	/* overlong 4-byte */
	TABLE("\xed\xa0\x80", "\\xed\\xa0\\x80");		/* surrogate U+D800 */
	TABLE("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");	/* > U+10FFFF */
	TABLE("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80");	/* 5-byte form */
	/* an invalid byte before a valid sequence does not swallow it */
	TABLE("\xe2\xc3\xa9", "\\xe2\xc3\xa9");
}

static void test_table_appends(void **state)
{
	struct ftk_buf b = { 0 };
	char big[5000];

	ftk_buf_adds(&b, "x=");
	ftk_escape_table(&b, "\x1b", 1, false);
	assert_string_equal(ftk_buf_str(&b), "x=\\x1b");
	/* worst case growth: every byte escaped */
	memset(big, 0x01, sizeof(big));
	ftk_buf_reset(&b);
	ftk_escape_table(&b, big, sizeof(big), false);
	assert_int_equal(b.len, 4 * sizeof(big));
	assert_int_equal(strlen(ftk_buf_str(&b)), 4 * sizeof(big));
	ftk_buf_free(&b);
}

/*
 * Reference escaper, written the slow obvious way: decode one UTF-8 sequence at a time by
 * its definition (RFC 3629 ranges) and decide per code point.
 */
static size_t ref_seq(const unsigned char *s, size_t n, unsigned int *cp)
{
	static const struct { unsigned char lo1, hi1, lo2, hi2; int len; } rows[] = {
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 }, { 0xe0, 0xe0, 0xa0, 0xbf, 3 },
		{ 0xe1, 0xec, 0x80, 0xbf, 3 }, { 0xed, 0xed, 0x80, 0x9f, 3 },
		{ 0xee, 0xef, 0x80, 0xbf, 3 }, { 0xf0, 0xf0, 0x90, 0xbf, 4 },
		{ 0xf1, 0xf3, 0x80, 0xbf, 4 }, { 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		size_t len = rows[r].len;

		if (s[0] < rows[r].lo1 || s[0] > rows[r].hi1)
			continue;
		if (n < len || s[1] < rows[r].lo2 || s[1] > rows[r].hi2)
			return 0;
		for (size_t k = 2; k < len; k++)
			if (s[k] < 0x80 || s[k] > 0xbf)
				return 0;
		*cp = s[0] & (0xff >> (len + 1));
		for (size_t k = 1; k < len; k++)
			*cp = (*cp << 6) | (s[k] & 0x3f);
		return len;
	}
	return 0;
}

static void ref_table(struct ftk_buf *b, const unsigned char *s, size_t n, bool quote)
{
	for (size_t i = 0; i < n;) {
		unsigned int cp = 0;
		size_t l = s[i] >= 0x80 ? ref_seq(s + i, n - i, &cp) : 0;

		if (s[i] < 0x80) {
			if (quote && (s[i] == '"' || s[i] == '\\'))
				ftk_buf_printf(b, "\\%c", s[i]);
			else if (s[i] < 0x20 || s[i] == 0x7f)
				ftk_buf_printf(b, "\\x%02x", s[i]);
			else
				ftk_buf_addc(b, s[i]);
			i++;
		} else if (!l || cp < 0xa0) {
			size_t k = l ? l : 1;

			while (k--)
				ftk_buf_printf(b, "\\x%02x", s[i++]);
		} else {
			ftk_buf_add(b, s + i, l);
			i += l;
		}
	}
}

static void ref_json(struct ftk_buf *b, const unsigned char *s, size_t n)
{
	ftk_buf_addc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned int cp;
		size_t l = s[i] >= 0x80 ? ref_seq(s + i, n - i, &cp) : 0;
		const char *e = NULL;

		if (s[i] >= 0x80) {
			if (l)
				ftk_buf_add(b, s + i, l);
			else
				ftk_buf_adds(b, "\\ufffd");
			i += l ? l : 1;
			continue;
		}
		switch (s[i]) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\t': e = "\\t"; break;
		case '\r': e = "\\r"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		}
		if (e)
			ftk_buf_adds(b, e);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			ftk_buf_printf(b, "\\u%04x", s[i]);
		else
			ftk_buf_addc(b, s[i]);
		i++;
	}
	ftk_buf_addc(b, '"');
}

/* Random strings from an alphabet dense in edge cases, against the reference escapers. */
static void test_escape_vs_reference(void **state)
{
	static const unsigned char alphabet[] = {
		'a', 'Z', ' ', '~', '"', '\\', 0, 0x01, 0x1b, '\n', 0x1f, 0x20, 0x7e, 0x7f, 0x80,
		0x9b, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
		0xf4, 0xf5, 0xff, 0x8f, 0x90, 0xa9,
	};
	struct ftk_buf got = { 0 }, want = { 0 };
	unsigned char s[40];
	uint32_t x = 12345;

	for (int iter = 0; iter < 100000; iter++) {
		size_t n = (x >> 8) % sizeof(s);

		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			/* long plain runs half of the time, to exercise the word-at-a-time path */
			s[i] = (iter & 1) && (x >> 16) % 8 ? 'a' + (x >> 20) % 26 :
			       alphabet[(x >> 16) % sizeof(alphabet)];
		}
		x = x * 1103515245u + 12345u;
		for (int mode = 0; mode < 3; mode++) {
			ftk_buf_reset(&got);
			ftk_buf_reset(&want);
			if (mode < 2) {
				ftk_escape_table(&got, (const char *)s, n, mode);
				ref_table(&want, s, n, mode);
			} else {
				ftk_json_string(&got, (const char *)s, n);
				ref_json(&want, s, n);
			}
			assert_int_equal(got.len, want.len);
			assert_memory_equal(got.p, want.p, got.len);
		}
	}
	ftk_buf_free(&got);
	ftk_buf_free(&want);
}

static void check_json(const char *s, size_t len, const char *want)
{
	struct ftk_buf b = { 0 };

	ftk_json_string(&b, s, len);
	assert_string_equal(ftk_buf_str(&b), want);
	ftk_buf_free(&b);
}

#define JSON(lit, want) check_json(lit, sizeof(lit) - 1, want)

static void test_json_string(void **state)
{
	JSON("", "\"\"");
	JSON("plain text", "\"plain text\"");
	JSON("q\"b\\s/", "\"q\\\"b\\\\s/\"");
	JSON("\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\"");
	JSON("\x1b[0m\x01\x1f", "\"\\u001b[0m\\u0001\\u001f\"");
	JSON("\x7f", "\"\\u007f\"");
	JSON("a\0b", "\"a\\u0000b\"");
	JSON("caf\xc3\xa9 \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	/* C1 in valid UTF-8 is valid JSON text */
	JSON("\xc2\x9b", "\"\xc2\x9b\"");
	/* each invalid byte becomes U+FFFD, as Go's encoding/json does */
	JSON("\x9b", "\"\\ufffd\"");
	JSON("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	JSON("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
	JSON("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	JSON("a\xe2\x82", "\"a\\ufffd\\ufffd\"");
	JSON("\xff\xc3\xa9", "\"\\ufffd\xc3\xa9\"");
}

static void test_json_builder(void **state)
{
	struct ftk_buf b = { 0 };
	struct ftk_json j;

	ftk_json_begin(&j, &b);
	ftk_json_end(&j);
	assert_string_equal(ftk_buf_str(&b), "{}\n");

	ftk_buf_reset(&b);
	ftk_json_begin(&j, &b);
	ftk_json_cstr(&j, "comm", "ls");
	ftk_json_int(&j, "pid", 171318);
	ftk_json_int(&j, "ret", -2);
	ftk_json_uint(&j, "big", ULLONG_MAX);
	ftk_json_int(&j, "min", LLONG_MIN);
	ftk_json_bool(&j, "ok", true);
	ftk_json_bool(&j, "bad", false);
	ftk_json_null(&j, "none");
	ftk_json_cstr(&j, "nul", NULL);
	ftk_json_str(&j, "k\"ey", "a\nb", 3);
	ftk_json_array_begin(&j, "args");
	ftk_json_cstr(&j, NULL, "/bin/ls");
	ftk_json_cstr(&j, NULL, "-l");
	ftk_json_array_end(&j);
	ftk_json_array_begin(&j, "empty");
	ftk_json_array_end(&j);
	ftk_json_object_begin(&j, "o");
	ftk_json_int(&j, "a", 1);
	ftk_json_array_begin(&j, "arr");
	ftk_json_object_begin(&j, NULL);
	ftk_json_int(&j, "x", 1);
	ftk_json_object_end(&j);
	ftk_json_object_begin(&j, NULL);
	ftk_json_object_end(&j);
	ftk_json_array_begin(&j, NULL);
	ftk_json_int(&j, NULL, 7);
	ftk_json_array_end(&j);
	ftk_json_array_end(&j);
	ftk_json_object_end(&j);
	ftk_json_key(&j, "later");
	ftk_json_raw(&j, NULL, "[1,2]");
	ftk_json_raw(&j, "r", "{\"z\":0}");
	ftk_json_end(&j);
	assert_string_equal(ftk_buf_str(&b),
			    "{\"comm\":\"ls\",\"pid\":171318,\"ret\":-2,"
			    "\"big\":18446744073709551615,\"min\":-9223372036854775808,"
			    "\"ok\":true,\"bad\":false,\"none\":null,\"nul\":null,"
			    "\"k\\\"ey\":\"a\\nb\",\"args\":[\"/bin/ls\",\"-l\"],\"empty\":[],"
			    "\"o\":{\"a\":1,\"arr\":[{\"x\":1},{},[7]]},"
			    "\"later\":[1,2],\"r\":{\"z\":0}}\n");
	ftk_buf_free(&b);
}

static const char *dbl(double v, int decimals)
{
	static struct ftk_buf b;
	struct ftk_json j;

	ftk_buf_reset(&b);
	j.b = &b;
	j.n = 0;
	ftk_buf_addc(&b, '[');
	ftk_json_double(&j, NULL, v, decimals);
	return ftk_buf_str(&b) + 1;
}

static void test_json_double(void **state)
{
	assert_string_equal(dbl(1.5, 3), "1.500");
	assert_string_equal(dbl(0.74, 2), "0.74");
	assert_string_equal(dbl(0.004, 3), "0.004");
	assert_string_equal(dbl(2.0, 0), "2");
	assert_string_equal(dbl(2.6, 0), "3");
	assert_string_equal(dbl(-1.25, 2), "-1.25");
	assert_string_equal(dbl(-0.0001, 2), "0.00");
	assert_string_equal(dbl(0.0, 3), "0.000");
	assert_string_equal(dbl(123456.789012, 6), "123456.789012");
	assert_string_equal(dbl(0.9999, 3), "1.000");
	assert_string_equal(dbl(1e20, 2), "100000000000000000000.00");
	assert_string_equal(dbl(-1e20, 1), "-100000000000000000000.0");
	assert_string_equal(dbl(NAN, 2), "null");
	assert_string_equal(dbl(INFINITY, 2), "null");
	assert_string_equal(dbl(1.0, 12), "1.000000000");	/* clamped to 9 */
	assert_string_equal(dbl(-0.0, 1), "0.0");
	/* printf's rounding: exact binary value, ties to even */
	assert_string_equal(dbl(0.0625, 3), "0.062");
	assert_string_equal(dbl(0.125, 2), "0.12");
	assert_string_equal(dbl(0.375, 2), "0.38");
	assert_string_equal(dbl(2.5, 0), "2");
	assert_string_equal(dbl(3.5, 0), "4");
	assert_string_equal(dbl(-2.5, 0), "-2");
	assert_string_equal(dbl(1.005, 2), "1.00");	/* 1.00499999999999989... */
	assert_string_equal(dbl(9.2e18, 0), "9200000000000000000");
	assert_string_equal(dbl(5e-324, 9), "0.000000000");
}

/* Same digits as printf("%.*f") (this test runs in the C locale) over many doubles. */
static void test_json_double_vs_printf(void **state)
{
	uint64_t x = 88172645463325252ULL;
	char want[512];

	for (int i = 0; i < 200000; i++) {
		double v;
		int d = i % 10;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (i % 4) {
		case 0:		/* decimal-looking values: many near-ties */
			v = (double)(x % 100000000) / (double)(1ULL << (x >> 60)) / 1000.0;
			break;
		case 1:		/* exact binary fractions: real ties */
			v = (double)(x % 1000000) / 1024.0;
			break;
		case 2: {	/* any finite double with a moderate exponent */
			uint64_t bits = (x & 0x800fffffffffffffULL) |
					((uint64_t)(1023 - 40 + (x >> 52) % 100) << 52);

			memcpy(&v, &bits, sizeof(v));
			break;
		}
		default:	/* large: the 63-bit limit and the printf fallback */
			v = (double)(x >> (x % 20)) * ((x & 1) ? -1.0 : 1.0);
			break;
		}
		snprintf(want, sizeof(want), "%.*f", d, v);
		/* ftk prints no negative zero */
		if (want[0] == '-' && strspn(want + 1, "0.") == strlen(want + 1))
			memmove(want, want + 1, strlen(want));
		assert_string_equal(dbl(v, d), want);
	}
}

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static const char *rfc(uint64_t ns)
{
	static struct ftk_buf b;

	ftk_buf_reset(&b);
	ftk_fmt_rfc3339(&b, ns);
	return ftk_buf_str(&b);
}

/* 2025-11-25T10:46:36.123456789Z */
#define T0 (1764067596ULL * 1000000000ULL + 123456789ULL)

static void test_time(void **state)
{
	char hms[16];

	set_tz("UTC");
	assert_string_equal(rfc(T0), "2025-11-25T10:46:36.123456+00:00");
	ftk_fmt_hms(hms, T0);
	assert_string_equal(hms, "10:46:36");
	assert_string_equal(rfc(0), "1970-01-01T00:00:00.000000+00:00");
	/* microseconds are truncated, not rounded */
	assert_string_equal(rfc(T0 + 999), "2025-11-25T10:46:36.123457+00:00");
	assert_string_equal(rfc(1764067596000000999ULL), "2025-11-25T10:46:36.000000+00:00");
	assert_string_equal(rfc(1764067596999999999ULL), "2025-11-25T10:46:36.999999+00:00");

	/* the same instant in other zones: the per-second cache must notice tzset() */
	set_tz("IST-5:30");
	assert_string_equal(rfc(T0), "2025-11-25T16:16:36.123456+05:30");
	ftk_fmt_hms(hms, T0);
	assert_string_equal(hms, "16:16:36");
	set_tz("EST5EDT,M3.2.0,M11.1.0");
	assert_string_equal(rfc(T0), "2025-11-25T05:46:36.123456-05:00");
	/* summer time: 2025-07-01T12:00:00Z */
	assert_string_equal(rfc(1751371200ULL * 1000000000ULL), "2025-07-01T08:00:00.000000-04:00");
	set_tz("NPT-5:45");
	assert_string_equal(rfc(T0), "2025-11-25T16:31:36.123456+05:45");
	set_tz("UTC");
	assert_string_equal(rfc(T0), "2025-11-25T10:46:36.123456+00:00");
}

/* Run fn with fd 1 redirected to fd; restores stdout. */
static void with_stdout(int fd, void (*fn)(void))
{
	int saved;

	fflush(stdout);
	saved = dup(1);
	assert_true(saved >= 0);
	assert_true(dup2(fd, 1) == 1);
	fn();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
}

static int memfd;

static size_t memfd_size(void)
{
	struct stat st;

	assert_int_equal(fstat(memfd, &st), 0);
	return (size_t)st.st_size;
}

static void writer_body(void)
{
	char big[100000];

	ftk_out("hello ", 6);
	ftk_outf("%s=%d\n", "pid", 42);
	/* buffered: nothing reached the file yet */
	assert_int_equal(memfd_size(), 0);
	assert_true(ftk_out_flush());
	assert_int_equal(memfd_size(), 13);

	/* a write bigger than the buffer goes through, in order */
	memset(big, 'x', sizeof(big));
	ftk_out("a", 1);
	ftk_out(big, sizeof(big));
	assert_int_equal(memfd_size(), 13 + 1 + sizeof(big));

	/* filling the buffer flushes it */
	for (int i = 0; i < 70; i++)
		ftk_out(big, 1000);
	assert_true(memfd_size() >= 13 + 1 + sizeof(big) + 64000);
	assert_true(ftk_out_flush());
	assert_int_equal(memfd_size(), 13 + 1 + sizeof(big) + 70000);

	/* ftk_outf longer than the free space */
	ftk_out(big, 60000);
	ftk_outf("%.*s|", 10000, big);
	struct ftk_buf b = { 0 };

	ftk_buf_adds(&b, "end\n");
	ftk_out_buf(&b);
	assert_int_equal(b.len, 0);
	ftk_buf_free(&b);
	assert_true(ftk_out_flush());
	assert_false(ftk_out_broken());
	assert_int_equal(ftk_out_errno(), 0);
}

static void test_writer(void **state)
{
	size_t total = 13 + 1 + 100000 + 70000 + 60000 + 10001 + 4;
	char *p;

	memfd = memfd_create("ftk-test-out", MFD_CLOEXEC);
	assert_true(memfd >= 0);
	with_stdout(memfd, writer_body);
	assert_int_equal(memfd_size(), total);
	p = mmap(NULL, total, PROT_READ, MAP_SHARED, memfd, 0);
	assert_true(p != MAP_FAILED);
	assert_memory_equal(p, "hello pid=42\na", 14);
	assert_true(p[14] == 'x' && p[14 + 99999] == 'x');
	assert_memory_equal(p + total - 5, "|end\n", 5);
	assert_true(p[total - 6] == 'x');
	munmap(p, total);
	close(memfd);
}

static int pipe_fds[2];

static void epipe_body(void)
{
	ftk_out("lost\n", 5);
	assert_false(ftk_out_flush());
	assert_true(ftk_out_broken());
	assert_int_equal(ftk_out_errno(), EPIPE);
	/* afterwards everything is dropped quietly */
	ftk_out("more", 4);
	ftk_outf("%d", 1);
	assert_false(ftk_out_flush());
}

/* Must run last: the broken flag is sticky for the process. */
static void test_writer_epipe(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(pipe_fds), 0);
	close(pipe_fds[0]);
	with_stdout(pipe_fds[1], epipe_body);
	close(pipe_fds[1]);
}

/* The record head: keys in order, ts exact from the nanoseconds at any uptime (a double
 * loses the last digit past ~100 days), cpu/pid/comm left out when absent; the number
 * writers it uses. */
static void test_record_head(void **state)
{
	struct ftk_session s = { .real_off = 0 };
	struct ftk_buf b = { 0 };
	struct ftk_json j;
	char num[32];

	setenv("TZ", "UTC", 1);
	tzset();
	ftk_json_record(&j, &b, &s, 8773863360403872ull, 1, 42, "a\"b", FTK_CSTR);
	ftk_json_int(&j, "x", -1);
	ftk_json_end(&j);
	assert_string_equal(ftk_buf_str(&b), "{\"time\":\"1970-04-12T13:11:03.360403+00:00\","
			    "\"ts\":8773863.360403872,\"cpu\":1,\"pid\":42,\"comm\":\"a\\\"b\","
			    "\"x\":-1}\n");
	ftk_buf_reset(&b);
	ftk_json_record(&j, &b, &s, 5, -1, -1, NULL, 0);
	ftk_json_end(&j);
	assert_string_equal(ftk_buf_str(&b), "{\"time\":\"1970-01-01T00:00:00.000000+00:00\","
			    "\"ts\":0.000000005}\n");
	ftk_buf_free(&b);
	*ftk_put_u64(num, UINT64_MAX) = '\0';
	assert_string_equal(num, "18446744073709551615");
	*ftk_put_s64(num, INT64_MIN) = '\0';
	assert_string_equal(num, "-9223372036854775808");
	*ftk_put_seconds(num, 1000000000ull) = '\0';
	assert_string_equal(num, "1.000000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_plain),
		cmocka_unit_test(test_table_controls),
		cmocka_unit_test(test_table_utf8),
		cmocka_unit_test(test_table_invalid),
		cmocka_unit_test(test_table_appends),
		cmocka_unit_test(test_escape_vs_reference),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_builder),
		cmocka_unit_test(test_json_double),
		cmocka_unit_test(test_json_double_vs_printf),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_record_head),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_epipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
