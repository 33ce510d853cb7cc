/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * histogram: log2 and linear histograms for every histogram view (biolatency, and runqlat,
 * funclatency ... to come): counting, bcc's text layout (table.py print_log2_hist and
 * print_linear_hist), the NDJSON form, sets of histograms keyed by up to two labels (per
 * disk, per request type), and the parser of the kernel's hist files (hist triggers).
 *
 *   struct ftk_histograms hs = { .label_names = { "disk" } };
 *   ftk_histogram_add(ftk_histograms_get(&hs, "vda", ""), usecs);
 *   ftk_histograms_print(&buf, &hs, "usecs");
 *
 * log2 (bcc's layout): slot i holds [2^(i-1), 2^i - 1]; 0 counts in slot 1 ("0 -> 1").
 * linear: slot i holds [base + i * step, base + (i + 1) * step - 1]; values past the last
 * slot count in the last one.
 */
#ifndef FTK_HISTOGRAM_H
#define FTK_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ftk_buf;
struct ftk_json;

#define FTK_HISTOGRAM_SLOTS 64
#define FTK_HISTOGRAM_LABELS 2

enum ftk_histogram_kind { FTK_HISTOGRAM_LOG2, FTK_HISTOGRAM_LINEAR };

struct ftk_histogram {
	enum ftk_histogram_kind kind;	/* zeroed: log2 */
	uint64_t base, step;		/* linear only (step 0 counts as 1) */
	char labels[FTK_HISTOGRAM_LABELS][32];	/* "vda", "WS"; "" when unused */
	uint64_t slots[FTK_HISTOGRAM_SLOTS];
	uint64_t count, sum;
};

/* A linear histogram: slot i holds [base + i * step, base + (i + 1) * step - 1]. */
void ftk_histogram_init_linear(struct ftk_histogram *h, uint64_t base, uint64_t step);
/* Slot of value v (log2: 1 for 0 and 1). */
int ftk_histogram_slot(const struct ftk_histogram *h, uint64_t v);
void ftk_histogram_add(struct ftk_histogram *h, uint64_t v);
/* count values summing to sum, all in slot (counts aggregated elsewhere: the kernel). */
void ftk_histogram_add_slot(struct ftk_histogram *h, int slot, uint64_t count, uint64_t sum);
/* Highest non-empty slot, -1 when empty. */
int ftk_histogram_last(const struct ftk_histogram *h);
void ftk_histogram_slot_range(const struct ftk_histogram *h, int slot, uint64_t *low,
			      uint64_t *high);
/* bcc's layout, nothing when empty. log2: "     usecs               : count     distribution"
 * then "%10d -> %-10d : %-8d |%-40s|" rows from slot 1 (wider columns, 20 stars, past slot
 * 32); linear: "     usecs         : count     distribution" then "        %-10d : %-8d |...|"
 * rows from slot 0, each labelled with its low end. */
void ftk_histogram_print(struct ftk_buf *b, const struct ftk_histogram *h, const char *unit);
/* {"<label name>":"<label>",...,"count":N,"sum":N,"buckets":[{"low":L,"high":H,"count":N}...]}
 * (labels only where set; buckets up to the last non-empty one). */
void ftk_histogram_json(struct ftk_json *j, const struct ftk_histogram *h,
			const char *const label_names[FTK_HISTOGRAM_LABELS]);

/* Histograms keyed by their labels. */
struct ftk_histograms {
	const char *label_names[FTK_HISTOGRAM_LABELS];	/* "disk", "flags"; NULL unused */
	enum ftk_histogram_kind kind;	/* of the histograms get() creates */
	uint64_t base, step;
	struct ftk_histogram *v;
	int n, cap;
};

/* The histogram labelled (first, second) ("" or NULL for an unused label), created empty
 * when new. The pointer is valid until the next get. */
struct ftk_histogram *ftk_histograms_get(struct ftk_histograms *hs, const char *first,
					 const char *second);
/* Sort by labels. */
void ftk_histograms_sort(struct ftk_histograms *hs);
/* Forget every histogram (keeps the memory). */
void ftk_histograms_clear(struct ftk_histograms *hs);
void ftk_histograms_free(struct ftk_histograms *hs);
/* Each histogram after its "<label name> = <label>" lines, a blank line between two. */
void ftk_histograms_print(struct ftk_buf *b, const struct ftk_histograms *hs, const char *unit);
/* "key":[histogram, ...] */
void ftk_histograms_json(struct ftk_json *j, const char *key, const struct ftk_histograms *hs);

/*
 * The kernel's hist file (events/SYS/EVENT/hist of a hist trigger):
 *
 *   { lat: ~ 2^12, dev:  266338304, rwbs: RS        } hitcount:          3  lat:       6473
 *   ...
 *   Totals:
 *       Hits: 11
 *       Entries: 2
 *       Dropped: 0
 *
 * Each entry gives its keys as text (trimmed) and its values as numbers.
 */
#define FTK_HIST_FILE_FIELDS 8

struct ftk_hist_file_entry {
	struct {
		char name[32];
		char value[64];
	} keys[FTK_HIST_FILE_FIELDS];
	int nkeys;
	struct {
		char name[32];
		uint64_t value;
	} values[FTK_HIST_FILE_FIELDS];
	int nvalues;
};

struct ftk_hist_file_totals {
	uint64_t hits, entries, dropped;
};

/* Calls fn (may be NULL) for each entry and fills tot. 0, or -1 when the text holds no
 * "Totals:" section (not a hist file). */
int ftk_hist_file_parse(const char *text,
			void (*fn)(const struct ftk_hist_file_entry *e, void *ctx), void *ctx,
			struct ftk_hist_file_totals *tot);
/* The text of key `name`, NULL when the entry has no such key. */
const char *ftk_hist_file_key(const struct ftk_hist_file_entry *e, const char *name);
/* The value `name` ("hitcount", "lat"), 0 when absent. */
uint64_t ftk_hist_file_value(const struct ftk_hist_file_entry *e, const char *name);

/* How a numeric key was printed: KEY.log2 as "~ 2^K" (n = K), KEY.buckets=N as "~ LOW-HIGH"
 * (n = LOW), else the number itself. */
enum ftk_hist_key_form { FTK_HIST_KEY_VALUE, FTK_HIST_KEY_LOG2, FTK_HIST_KEY_BUCKET };
enum ftk_hist_key_form ftk_hist_file_number(const char *value, uint64_t *n);

#endif
