// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for core/histogram: log2 slots and ranges, bcc's printer layout (bcc's
 * table.py print_log2_hist: "     usecs               : count     distribution" then
 * "%10d -> %-10d : %-8d |%-40s|", wider columns and 20 stars past slot 32; its
 * print_linear_hist), the JSON form, sets keyed by labels, and the kernel hist-file parser
 * on real captures from a 6.12 guest (tests/data/hist).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/histogram.h"
#include "core/output.h"
#include "core/util.h"

/* h printed in unit reads exactly want. */
static void assert_prints(const struct ftk_histogram *h, const char *unit, const char *want)
{
	struct ftk_buf b = { 0 };

	ftk_histogram_print(&b, h, unit);
	assert_string_equal(ftk_buf_str(&b), want);
	ftk_buf_free(&b);
}

static void test_log2_slots(void **state)
{
	struct ftk_histogram h = { 0 };
	uint64_t lo, hi;

	ftk_histogram_add(&h, 0);
	ftk_histogram_add(&h, 1);
	ftk_histogram_add(&h, 2);
	ftk_histogram_add(&h, 3);
	ftk_histogram_add(&h, 4);
	ftk_histogram_add(&h, 2000);	/* 1024 -> 2047 */
	assert_int_equal(h.slots[1], 2);
	assert_int_equal(h.slots[2], 2);
	assert_int_equal(h.slots[3], 1);
	assert_int_equal(h.slots[11], 1);
	assert_int_equal(ftk_histogram_last(&h), 11);
	assert_int_equal(h.count, 6);
	assert_int_equal(h.sum, 2010);
	ftk_histogram_slot_range(&h, 1, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 1);
	ftk_histogram_slot_range(&h, 11, &lo, &hi);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 2047);
	/* the top slot takes everything above */
	assert_int_equal(ftk_histogram_slot(&h, UINT64_MAX), FTK_HISTOGRAM_SLOTS - 1);
	memset(&h, 0, sizeof(h));
	assert_int_equal(ftk_histogram_last(&h), -1);
	/* counts from elsewhere (the kernel): slot 0 is folded into bcc's first row */
	ftk_histogram_add_slot(&h, 0, 3, 1);
	assert_int_equal(h.slots[1], 3);
	assert_int_equal(h.count, 3);
}

static void test_log2_print(void **state)
{
	struct ftk_histogram h = { 0 };

	for (int i = 0; i < 4; i++)
		ftk_histogram_add(&h, 150);	/* 128 -> 255 */
	ftk_histogram_add(&h, 300);		/* 256 -> 511 */
	assert_prints(&h, "usecs",
		"     usecs               : count     distribution\n"
		"         0 -> 1          : 0        |                                        |\n"
		"         2 -> 3          : 0        |                                        |\n"
		"         4 -> 7          : 0        |                                        |\n"
		"         8 -> 15         : 0        |                                        |\n"
		"        16 -> 31         : 0        |                                        |\n"
		"        32 -> 63         : 0        |                                        |\n"
		"        64 -> 127        : 0        |                                        |\n"
		"       128 -> 255        : 4        |****************************************|\n"
		"       256 -> 511        : 1        |**********                              |\n");
	memset(&h, 0, sizeof(h));
	assert_prints(&h, "usecs", "");	/* empty: nothing, like bcc */
}

/* bcc's bar: width * val / max stars, rounded down (1 of 3 -> 13 of 40). */
static void test_log2_stars(void **state)
{
	struct ftk_histogram h = { 0 };

	ftk_histogram_add(&h, 1);
	for (int i = 0; i < 3; i++)
		ftk_histogram_add(&h, 2);
	assert_prints(&h, "msecs",
		"     msecs               : count     distribution\n"
		"         0 -> 1          : 1        |*************                           |\n"
		"         2 -> 3          : 3        |****************************************|\n");
}

/* Past slot 32 bcc widens the columns to 20 and halves the bar. */
static void test_log2_print_wide(void **state)
{
	struct ftk_histogram h = { 0 };
	struct ftk_buf b = { 0 };
	char *line, *save;
	int n = 0;

	ftk_histogram_add(&h, 1);
	ftk_histogram_add(&h, 1);
	ftk_histogram_add(&h, 1ULL << 32);	/* slot 33: 4294967296 -> 8589934591 */
	ftk_histogram_print(&b, &h, "nsecs");
	for (line = strtok_r(b.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0)
			assert_string_equal(line, "               nsecs                         : "
						  "count     distribution");
		else if (n == 1)
			assert_string_equal(line, "                   0 -> 1                    : "
						  "2        |********************|");
		else if (n == 33)
			assert_string_equal(line, "          4294967296 -> 8589934591           : "
						  "1        |**********          |");
		else
			assert_int_equal(strlen(line), 20 + 4 + 20 + 3 + 8 + 1 + 22);
	}
	assert_int_equal(n, 34);
	ftk_buf_free(&b);
}

static void test_linear(void **state)
{
	struct ftk_histogram h = { 0 };
	uint64_t lo, hi;

	ftk_histogram_init_linear(&h, 0, 10);
	ftk_histogram_add(&h, 5);
	ftk_histogram_add(&h, 25);
	ftk_histogram_add(&h, 29);
	ftk_histogram_add(&h, 100000);	/* past the end: the last slot */
	assert_int_equal(h.slots[0], 1);
	assert_int_equal(h.slots[2], 2);
	assert_int_equal(h.slots[FTK_HISTOGRAM_SLOTS - 1], 1);
	ftk_histogram_slot_range(&h, 2, &lo, &hi);
	assert_int_equal(lo, 20);
	assert_int_equal(hi, 29);
	h.slots[FTK_HISTOGRAM_SLOTS - 1] = 0;
	assert_prints(&h, "msecs",
		"     msecs         : count     distribution\n"
		"        0          : 1        |********************                    |\n"
		"        10         : 0        |                                        |\n"
		"        20         : 2        |****************************************|\n");
}

static void test_json(void **state)
{
	static const char *const names[FTK_HISTOGRAM_LABELS] = { "disk", "flags" };
	struct ftk_histogram h = { 0 };
	struct ftk_buf b = { 0 };
	struct ftk_json j;

	snprintf(h.labels[0], sizeof(h.labels[0]), "vda");
	ftk_histogram_add(&h, 2);
	ftk_histogram_add(&h, 3);
	ftk_json_begin(&j, &b);
	ftk_json_array_begin(&j, "hists");
	ftk_histogram_json(&j, &h, names);
	ftk_json_array_end(&j);
	ftk_json_end(&j);
	assert_string_equal(ftk_buf_str(&b),
			    "{\"hists\":[{\"disk\":\"vda\",\"count\":2,\"sum\":5,\"buckets\":["
			    "{\"low\":0,\"high\":1,\"count\":0},"
			    "{\"low\":2,\"high\":3,\"count\":2}]}]}\n");
	ftk_buf_free(&b);
}

static void test_sets(void **state)
{
	struct ftk_histograms hs = { .label_names = { "disk", "flags" } };
	struct ftk_buf b = { 0 };
	struct ftk_json j;

	ftk_histogram_add(ftk_histograms_get(&hs, "vdb", "W"), 1);
	ftk_histogram_add(ftk_histograms_get(&hs, "vda", "R"), 1);
	ftk_histogram_add(ftk_histograms_get(&hs, "vdb", "W"), 1);
	assert_int_equal(hs.n, 2);
	ftk_histograms_sort(&hs);
	assert_string_equal(hs.v[0].labels[0], "vda");
	assert_int_equal(hs.v[1].count, 2);
	ftk_histograms_print(&b, &hs, "usecs");
	assert_string_equal(ftk_buf_str(&b),
		"disk = vda\n"
		"flags = R\n"
		"     usecs               : count     distribution\n"
		"         0 -> 1          : 1        |****************************************|\n"
		"\n"
		"disk = vdb\n"
		"flags = W\n"
		"     usecs               : count     distribution\n"
		"         0 -> 1          : 2        |****************************************|\n");
	ftk_buf_reset(&b);
	ftk_json_begin(&j, &b);
	ftk_histograms_json(&j, "hists", &hs);
	ftk_json_end(&j);
	assert_string_equal(ftk_buf_str(&b),
		"{\"hists\":[{\"disk\":\"vda\",\"flags\":\"R\",\"count\":1,\"sum\":1,\"buckets\":["
		"{\"low\":0,\"high\":1,\"count\":1}]},"
		"{\"disk\":\"vdb\",\"flags\":\"W\",\"count\":2,\"sum\":2,\"buckets\":["
		"{\"low\":0,\"high\":1,\"count\":2}]}]}\n");
	/* without labels: no label lines, no label keys */
	ftk_histograms_clear(&hs);
	assert_int_equal(hs.n, 0);
	ftk_histogram_add(ftk_histograms_get(&hs, NULL, ""), 2);
	ftk_buf_reset(&b);
	ftk_histograms_print(&b, &hs, "usecs");
	assert_string_equal(ftk_buf_str(&b),
		"     usecs               : count     distribution\n"
		"         0 -> 1          : 0        |                                        |\n"
		"         2 -> 3          : 1        |****************************************|\n");
	/* linear sets make linear histograms */
	ftk_histograms_free(&hs);
	hs.kind = FTK_HISTOGRAM_LINEAR;
	hs.step = 5;
	ftk_histogram_add(ftk_histograms_get(&hs, "a", NULL), 7);
	assert_int_equal(hs.v[0].slots[1], 1);
	ftk_histograms_free(&hs);
	ftk_buf_free(&b);
}

/* ---- the kernel's hist file (real captures from a 6.12 guest, tests/data/hist) ---- */

struct captured {
	struct ftk_hist_file_entry e[8];
	int n;
};

static void capture(const struct ftk_hist_file_entry *e, void *ctx)
{
	struct captured *c = ctx;

	if (c->n < 8)
		c->e[c->n++] = *e;
}

static char *hist_data(const char *name)
{
	char path[1024];
	char *t;

	snprintf(path, sizeof(path), "%s/hist/%s", FTK_TEST_DATA, name);
	t = ftk_read_file(path, NULL);
	assert_non_null(t);
	return t;
}

static void test_hist_file_parse(void **state)
{
	struct ftk_hist_file_totals tot;
	struct captured *c = calloc(1, sizeof(*c));
	char *t = hist_data("6.12-log2-dev-rwbs.txt");
	uint64_t n;

	assert_non_null(c);
	assert_int_equal(ftk_hist_file_parse(t, capture, c, &tot), 0);
	free(t);
	assert_int_equal(c->n, 2);
	assert_int_equal(c->e[0].nkeys, 3);
	assert_string_equal(ftk_hist_file_key(&c->e[0], "lat"), "~ 2^12");
	assert_int_equal(ftk_hist_file_number(ftk_hist_file_key(&c->e[0], "lat"), &n),
			 FTK_HIST_KEY_LOG2);
	assert_int_equal(n, 12);
	assert_string_equal(ftk_hist_file_key(&c->e[0], "dev"), "266338304");	/* nullb0 */
	assert_int_equal(ftk_hist_file_number(ftk_hist_file_key(&c->e[0], "dev"), &n),
			 FTK_HIST_KEY_VALUE);
	assert_int_equal(n, 266338304);
	assert_string_equal(ftk_hist_file_key(&c->e[0], "rwbs"), "RS");
	assert_null(ftk_hist_file_key(&c->e[0], "sector"));
	assert_int_equal(ftk_hist_file_value(&c->e[0], "hitcount"), 3);
	assert_int_equal(ftk_hist_file_value(&c->e[0], "lat"), 6473);
	assert_int_equal(ftk_hist_file_value(&c->e[0], "nothing"), 0);
	assert_string_equal(ftk_hist_file_key(&c->e[1], "rwbs"), "WS");
	assert_int_equal(ftk_hist_file_value(&c->e[1], "hitcount"), 8);
	assert_int_equal(tot.hits, 11);
	assert_int_equal(tot.entries, 2);
	assert_int_equal(tot.dropped, 0);

	memset(c, 0, sizeof(*c));
	t = hist_data("6.12-buckets.txt");
	assert_int_equal(ftk_hist_file_parse(t, capture, c, &tot), 0);
	free(t);
	assert_int_equal(c->n, 1);
	assert_int_equal(ftk_hist_file_number(ftk_hist_file_key(&c->e[0], "lat"), &n),
			 FTK_HIST_KEY_BUCKET);
	assert_int_equal(n, 2000);
	assert_null(ftk_hist_file_key(&c->e[0], "dev"));
	assert_null(ftk_hist_file_key(&c->e[0], "rwbs"));
	assert_int_equal(ftk_hist_file_value(&c->e[0], "hitcount"), 11);
	assert_int_equal(ftk_hist_file_value(&c->e[0], "lat"), 23794);

	/* the (dev, sector) map of the start event: only the totals are used */
	memset(c, 0, sizeof(*c));
	t = hist_data("6.12-start-map.txt");
	assert_int_equal(ftk_hist_file_parse(t, NULL, NULL, &tot), 0);
	assert_int_equal(ftk_hist_file_parse(t, capture, c, &tot), 0);
	free(t);
	assert_int_equal(c->n, 8);
	assert_string_equal(ftk_hist_file_key(&c->e[0], "sector"), "56");
	assert_int_equal(tot.hits, 11);
	assert_int_equal(tot.entries, 8);

	/* dropped entries and a missing Totals section */
	assert_int_equal(ftk_hist_file_parse("{ lat: ~ 2^3 } hitcount: 5\n\nTotals:\n"
					     "    Hits: 9\n    Entries: 1\n    Dropped: 4\n",
					     NULL, NULL, &tot), 0);
	assert_int_equal(tot.dropped, 4);
	assert_int_equal(ftk_hist_file_parse("garbage\n", NULL, NULL, &tot), -1);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log2_slots),
		cmocka_unit_test(test_log2_print),
		cmocka_unit_test(test_log2_stars),
		cmocka_unit_test(test_log2_print_wide),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_hist_file_parse),
	};

	ftk_prog = "test_histogram";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
