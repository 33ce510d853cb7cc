// SPDX-License-Identifier: GPL-2.0-only
/* histogram: log2/linear histograms, bcc's printer, their JSON, the kernel hist-file parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/histogram.h"
#include "core/output.h"
#include "core/util.h"

/* ---- one histogram ---- */

void ftk_histogram_init_linear(struct ftk_histogram *h, uint64_t base, uint64_t step)
{
	h->kind = FTK_HISTOGRAM_LINEAR;
	h->base = base;
	h->step = step ? step : 1;
}

int ftk_histogram_slot(const struct ftk_histogram *h, uint64_t v)
{
	int slot = 1;

	if (h->kind == FTK_HISTOGRAM_LINEAR) {
		uint64_t i = v > h->base ? (v - h->base) / (h->step ? h->step : 1) : 0;

		return i < FTK_HISTOGRAM_SLOTS ? (int)i : FTK_HISTOGRAM_SLOTS - 1;
	}
	/* Slot i holds [2^(i-1), 2^i - 1]; 0 shares the first row ("0 -> 1") with 1. */
	while (slot < FTK_HISTOGRAM_SLOTS - 1 && v >= (1ULL << slot))
		slot++;
	return slot;
}

void ftk_histogram_add(struct ftk_histogram *h, uint64_t v)
{
	h->slots[ftk_histogram_slot(h, v)]++;
	h->count++;
	h->sum += v;
}

void ftk_histogram_add_slot(struct ftk_histogram *h, int slot, uint64_t count, uint64_t sum)
{
	int first = h->kind == FTK_HISTOGRAM_LOG2 ? 1 : 0;

	if (slot < first)
		slot = first;
	if (slot > FTK_HISTOGRAM_SLOTS - 1)
		slot = FTK_HISTOGRAM_SLOTS - 1;
	h->slots[slot] += count;
	h->count += count;
	h->sum += sum;
}

int ftk_histogram_last(const struct ftk_histogram *h)
{
	int last = -1;

	for (int i = 0; i < FTK_HISTOGRAM_SLOTS; i++)
		if (h->slots[i])
			last = i;
	return last;
}

void ftk_histogram_slot_range(const struct ftk_histogram *h, int slot, uint64_t *low,
			      uint64_t *high)
{
	if (h->kind == FTK_HISTOGRAM_LINEAR) {
		uint64_t step = h->step ? h->step : 1;

		*low = h->base + (uint64_t)slot * step;
		*high = *low + step - 1;
		return;
	}
	*low = (1ULL << slot) >> 1;
	*high = (1ULL << slot) - 1;
	if (*low == *high)
		*low = 0;
}

/* bcc's bar: width * val / max stars, rounded down, padded with spaces. */
static void histogram_stars(struct ftk_buf *b, uint64_t val, uint64_t max, int width)
{
	int n = max ? (int)((double)width * (double)val / (double)max) : 0;

	if (n > width)
		n = width;
	for (int i = 0; i < width; i++)
		ftk_buf_addc(b, i < n ? '*' : ' ');
}

static void histogram_print_linear(struct ftk_buf *b, const struct ftk_histogram *h,
				   const char *unit, int last, uint64_t max)
{
	ftk_buf_printf(b, "     %-13s : count     distribution\n", unit);
	for (int i = 0; i <= last; i++) {
		uint64_t low, high;

		ftk_histogram_slot_range(h, i, &low, &high);
		ftk_buf_printf(b, "        %-10llu : %-8llu |", (unsigned long long)low,
			       (unsigned long long)h->slots[i]);
		histogram_stars(b, h->slots[i], max, 40);
		ftk_buf_adds(b, "|\n");
	}
}

void ftk_histogram_print(struct ftk_buf *b, const struct ftk_histogram *h, const char *unit)
{
	int last = ftk_histogram_last(h);
	bool wide = last > 32;
	int width = wide ? 20 : 40;
	uint64_t max = 0;

	if (last < 0)
		return;
	for (int i = 0; i <= last; i++)
		if (h->slots[i] > max)
			max = h->slots[i];
	if (h->kind == FTK_HISTOGRAM_LINEAR) {
		histogram_print_linear(b, h, unit, last, max);
		return;
	}
	if (wide)
		ftk_buf_printf(b, "               %-29s : count     distribution\n", unit);
	else
		ftk_buf_printf(b, "     %-19s : count     distribution\n", unit);
	for (int i = 1; i <= last; i++) {
		uint64_t low, high;

		ftk_histogram_slot_range(h, i, &low, &high);
		ftk_buf_printf(b, wide ? "%20llu -> %-20llu : %-8llu |"
				       : "%10llu -> %-10llu : %-8llu |",
			       (unsigned long long)low, (unsigned long long)high,
			       (unsigned long long)h->slots[i]);
		histogram_stars(b, h->slots[i], max, width);
		ftk_buf_adds(b, "|\n");
	}
}

void ftk_histogram_json(struct ftk_json *j, const struct ftk_histogram *h,
			const char *const label_names[FTK_HISTOGRAM_LABELS])
{
	int last = ftk_histogram_last(h);

	ftk_json_object_begin(j, NULL);
	for (int i = 0; i < FTK_HISTOGRAM_LABELS; i++)
		if (label_names && label_names[i] && h->labels[i][0])
			ftk_json_cstr(j, label_names[i], h->labels[i]);
	ftk_json_uint(j, "count", h->count);
	ftk_json_uint(j, "sum", h->sum);
	ftk_json_array_begin(j, "buckets");
	for (int i = h->kind == FTK_HISTOGRAM_LOG2 ? 1 : 0; i <= last; i++) {
		uint64_t low, high;

		ftk_histogram_slot_range(h, i, &low, &high);
		ftk_json_object_begin(j, NULL);
		ftk_json_uint(j, "low", low);
		ftk_json_uint(j, "high", high);
		ftk_json_uint(j, "count", h->slots[i]);
		ftk_json_object_end(j);
	}
	ftk_json_array_end(j);
	ftk_json_object_end(j);
}

/* ---- sets of histograms keyed by labels ---- */

struct ftk_histogram *ftk_histograms_get(struct ftk_histograms *hs, const char *first,
					 const char *second)
{
	const char *want[FTK_HISTOGRAM_LABELS] = { first ? first : "", second ? second : "" };
	struct ftk_histogram *h;

	for (int i = 0; i < hs->n; i++) {
		h = &hs->v[i];
		if (strcmp(h->labels[0], want[0]) == 0 && strcmp(h->labels[1], want[1]) == 0)
			return h;
	}
	if (hs->n == hs->cap) {
		hs->cap = hs->cap ? hs->cap * 2 : 8;
		hs->v = ftk_xrealloc(hs->v, hs->cap * sizeof(*hs->v));
	}
	h = &hs->v[hs->n++];
	memset(h, 0, sizeof(*h));
	if (hs->kind == FTK_HISTOGRAM_LINEAR)
		ftk_histogram_init_linear(h, hs->base, hs->step);
	for (int i = 0; i < FTK_HISTOGRAM_LABELS; i++)
		snprintf(h->labels[i], sizeof(h->labels[i]), "%s", want[i]);
	return h;
}

static int histogram_cmp(const void *a, const void *b)
{
	const struct ftk_histogram *x = a, *y = b;
	int c = strcmp(x->labels[0], y->labels[0]);

	return c ? c : strcmp(x->labels[1], y->labels[1]);
}

void ftk_histograms_sort(struct ftk_histograms *hs)
{
	if (hs->n)
		qsort(hs->v, hs->n, sizeof(*hs->v), histogram_cmp);
}

void ftk_histograms_clear(struct ftk_histograms *hs)
{
	hs->n = 0;
}

void ftk_histograms_free(struct ftk_histograms *hs)
{
	free(hs->v);
	hs->v = NULL;
	hs->n = hs->cap = 0;
}

void ftk_histograms_print(struct ftk_buf *b, const struct ftk_histograms *hs, const char *unit)
{
	for (int i = 0; i < hs->n; i++) {
		const struct ftk_histogram *h = &hs->v[i];

		if (i)
			ftk_buf_addc(b, '\n');
		for (int k = 0; k < FTK_HISTOGRAM_LABELS; k++)
			if (hs->label_names[k] && h->labels[k][0])
				ftk_buf_printf(b, "%s = %s\n", hs->label_names[k], h->labels[k]);
		ftk_histogram_print(b, h, unit);
	}
}

void ftk_histograms_json(struct ftk_json *j, const char *key, const struct ftk_histograms *hs)
{
	ftk_json_array_begin(j, key);
	for (int i = 0; i < hs->n; i++)
		ftk_histogram_json(j, &hs->v[i], hs->label_names);
	ftk_json_array_end(j);
}

/* ---- the kernel's hist file ---- */

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Copy [p, end) trimmed into out (cut to fit). */
static void copy_trimmed(char *out, size_t len, const char *p, const char *end)
{
	size_t n;

	p = skip_blanks(p, end);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The keys "{ name: value, name: value }": [open + 1, close). Values hold no ", ". */
static void parse_keys(struct ftk_hist_file_entry *e, const char *p, const char *close)
{
	while (p < close && e->nkeys < FTK_HIST_FILE_FIELDS) {
		const char *c = p, *colon;

		while (c < close && !(c[0] == ',' && c + 1 < close && c[1] == ' '))
			c++;
		colon = memchr(p, ':', (size_t)(c - p));
		if (colon) {
			copy_trimmed(e->keys[e->nkeys].name, sizeof(e->keys[0].name), p, colon);
			copy_trimmed(e->keys[e->nkeys].value, sizeof(e->keys[0].value), colon + 1,
				     c);
			e->nkeys++;
		}
		p = c < close ? c + 1 : close;
	}
}

/* The values after the keys: "hitcount:          3  lat:       6473". */
static void parse_values(struct ftk_hist_file_entry *e, const char *p, const char *eol)
{
	while (p < eol && e->nvalues < FTK_HIST_FILE_FIELDS) {
		const char *colon, *name;

		p = skip_blanks(p, eol);
		name = p;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon)
			break;
		copy_trimmed(e->values[e->nvalues].name, sizeof(e->values[0].name), name, colon);
		p = skip_blanks(colon + 1, eol);
		e->values[e->nvalues].value = strtoull(p, NULL, 10);
		e->nvalues++;
		while (p < eol && *p != ' ' && *p != '\t')
			p++;
	}
}

static uint64_t totals_number(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	if (!p)
		return 0;
	p += strlen(name);
	return strtoull(skip_blanks(p, p + strlen(p)), NULL, 10);
}

int ftk_hist_file_parse(const char *text,
			void (*fn)(const struct ftk_hist_file_entry *e, void *ctx), void *ctx,
			struct ftk_hist_file_totals *tot)
{
	const char *totals = strstr(text, "\nTotals:");
	const char *p = text;

	memset(tot, 0, sizeof(*tot));
	if (!totals)
		return -1;
	while (p < totals) {
		const char *nl = strchr(p, '\n');
		const char *eol = nl ? nl : p + strlen(p);

		if (p[0] == '{' && fn) {
			struct ftk_hist_file_entry e;
			const char *close = NULL;

			memset(&e, 0, sizeof(e));
			/* the last '}' of the line closes the keys (string keys hold none) */
			for (const char *q = p; q < eol; q++)
				if (*q == '}')
					close = q;
			if (close) {
				parse_keys(&e, p + 1, close);
				parse_values(&e, close + 1, eol);
				fn(&e, ctx);
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	tot->hits = totals_number(totals, "Hits:");
	tot->entries = totals_number(totals, "Entries:");
	tot->dropped = totals_number(totals, "Dropped:");
	return 0;
}

const char *ftk_hist_file_key(const struct ftk_hist_file_entry *e, const char *name)
{
	for (int i = 0; i < e->nkeys; i++)
		if (strcmp(e->keys[i].name, name) == 0)
			return e->keys[i].value;
	return NULL;
}

uint64_t ftk_hist_file_value(const struct ftk_hist_file_entry *e, const char *name)
{
	for (int i = 0; i < e->nvalues; i++)
		if (strcmp(e->values[i].name, name) == 0)
			return e->values[i].value;
	return 0;
}

enum ftk_hist_key_form ftk_hist_file_number(const char *value, uint64_t *n)
{
	const char *v = value;

	if (*v != '~') {
		*n = strtoull(v, NULL, 10);
		return FTK_HIST_KEY_VALUE;
	}
	v++;
	while (*v == ' ')
		v++;
	if (strncmp(v, "2^", 2) == 0) {
		*n = strtoull(v + 2, NULL, 10);
		return FTK_HIST_KEY_LOG2;
	}
	*n = strtoull(v, NULL, 10);
	return FTK_HIST_KEY_BUCKET;
}
