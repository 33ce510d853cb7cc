// SPDX-License-Identifier: GPL-2.0-only
/*
 * tracedat_write: the trace.dat v6 writer (tracedat_write.h). The headers and sections are
 * built in one buffer (kallsyms included: a few MB at most), written at once, padded to the
 * page size, then each CPU's spool is copied in the kernel (copy_file_range; read/write
 * where the file systems do not allow it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracedat_write.h"
#include "util.h"

struct ftk_td_blob ftk_td_blob(char *p, size_t len)
{
	return (struct ftk_td_blob){ p, len };
}

struct ftk_td_blob ftk_td_str(const char *s, int nul)
{
	size_t n = strlen(s);
	char *p = ftk_xmalloc(n + 1);

	memcpy(p, s, n + 1);
	return (struct ftk_td_blob){ p, n + (nul ? 1 : 0) };
}

void ftk_td_add_format(struct ftk_tracedat *td, const char *system, struct ftk_td_blob fmt)
{
	struct ftk_td_system *sys = NULL;

	if (strcmp(system, "ftrace") == 0) {
		td->ftrace = ftk_xrealloc(td->ftrace, (td->nftrace + 1) * sizeof(*td->ftrace));
		td->ftrace[td->nftrace++] = fmt;
		return;
	}
	for (int i = 0; i < td->nsystems; i++)
		if (strcmp(td->systems[i].name, system) == 0)
			sys = &td->systems[i];
	if (!sys) {
		td->systems = ftk_xrealloc(td->systems, (td->nsystems + 1) * sizeof(*td->systems));
		sys = &td->systems[td->nsystems++];
		*sys = (struct ftk_td_system){ .name = ftk_xstrdup(system) };
	}
	sys->formats = ftk_xrealloc(sys->formats, (sys->n + 1) * sizeof(*sys->formats));
	sys->formats[sys->n++] = fmt;
}

void ftk_td_add_option(struct ftk_tracedat *td, uint16_t id, struct ftk_td_blob data)
{
	td->options = ftk_xrealloc(td->options, (td->noptions + 1) * sizeof(*td->options));
	td->options[td->noptions++] = (struct ftk_td_option){ id, data };
}

/* Integers in the host's order: the endian byte says which. */
static void put16(struct ftk_buf *b, uint16_t v) { ftk_buf_add(b, &v, 2); }
static void put32(struct ftk_buf *b, uint32_t v) { ftk_buf_add(b, &v, 4); }
static void put64(struct ftk_buf *b, uint64_t v) { ftk_buf_add(b, &v, 8); }

static void put_blob64(struct ftk_buf *b, const struct ftk_td_blob *x)
{
	put64(b, x->len);
	ftk_buf_add(b, x->p, x->len);
}

static void put_option(struct ftk_buf *b, uint16_t id, const void *p, size_t len)
{
	put16(b, id);
	put32(b, (uint32_t)len);
	ftk_buf_add(b, p, len);
}

static bool host_big_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 0;
}

/* Copy n bytes of in (from 0) to out at its current offset. */
static int copy_spool(int out, int in, uint64_t n)
{
	loff_t ioff = 0;
	char *buf = NULL;
	int rc = 0;

	while (n) {
		ssize_t w = copy_file_range(in, &ioff, out, NULL, n, 0);
		if (w > 0) {
			n -= w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0 || errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
		    errno == EOPNOTSUPP)
			break;
		return -errno;
	}
	if (!n)
		return 0;
	buf = ftk_xmalloc(1 << 20);
	while (n && !rc) {
		size_t want = n < (1 << 20) ? n : (1 << 20);
		ssize_t r = pread(in, buf, want, ioff);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;	/* the spool is shorter than said */
			break;
		}
		rc = ftk_write_all(out, buf, r);
		ioff += r;
		n -= r;
	}
	free(buf);
	return rc;
}

int ftk_td_write(int fd, const struct ftk_tracedat *td)
{
	static const char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	struct ftk_buf b = { 0 };
	uint64_t *off = ftk_xcalloc(td->ncpus ? td->ncpus : 1, sizeof(*off));
	uint64_t pos, table;
	int rc = 0;

	ftk_buf_add(&b, magic, sizeof(magic));
	ftk_buf_add(&b, "6", 2);
	ftk_buf_addc(&b, host_big_endian() ? 1 : 0);
	ftk_buf_addc(&b, (char)sizeof(long));
	put32(&b, td->page_size);

	ftk_buf_add(&b, "header_page", 12);
	put_blob64(&b, &td->header_page);
	ftk_buf_add(&b, "header_event", 13);
	put_blob64(&b, &td->header_event);

	put32(&b, td->nftrace);
	for (int i = 0; i < td->nftrace; i++)
		put_blob64(&b, &td->ftrace[i]);

	put32(&b, td->nsystems);
	for (int i = 0; i < td->nsystems; i++) {
		const struct ftk_td_system *s = &td->systems[i];
		ftk_buf_add(&b, s->name, strlen(s->name) + 1);
		put32(&b, s->n);
		for (int k = 0; k < s->n; k++)
			put_blob64(&b, &s->formats[k]);
	}

	put32(&b, (uint32_t)td->kallsyms.len);
	ftk_buf_add(&b, td->kallsyms.p, td->kallsyms.len);
	put32(&b, (uint32_t)td->printk.len);
	ftk_buf_add(&b, td->printk.p, td->printk.len);
	put_blob64(&b, &td->cmdlines);

	put32(&b, td->ncpus);
	ftk_buf_add(&b, "options  ", 10);
	if (td->clock.len) {
		/* a NUL-terminated string, as the reader parses it */
		put16(&b, FTK_TD_OPT_TRACECLOCK);
		put32(&b, (uint32_t)td->clock.len + 1);
		ftk_buf_add(&b, td->clock.p, td->clock.len);
		ftk_buf_addc(&b, '\0');
	}
	for (int i = 0; i < td->noptions; i++)
		put_option(&b, td->options[i].id, td->options[i].data.p, td->options[i].data.len);
	put16(&b, 0);

	ftk_buf_add(&b, "flyrecord", 10);
	table = b.len;
	for (int i = 0; i < td->ncpus; i++) {
		put64(&b, 0);
		put64(&b, td->cpu_fd[i] >= 0 ? td->cpu_size[i] : 0);
	}
	if (td->clock.len)
		put_blob64(&b, &td->clock);

	/* Page-aligned data, CPU after CPU; empty CPUs point at the next aligned offset. */
	pos = b.len;
	for (int i = 0; i < td->ncpus; i++) {
		uint64_t sz = td->cpu_fd[i] >= 0 ? td->cpu_size[i] : 0;
		pos = (pos + td->page_size - 1) / td->page_size * td->page_size;
		off[i] = pos;
		pos += sz;
		memcpy(b.p + table + 16 * i, &off[i], 8);
	}
	rc = ftk_write_all(fd, b.p, b.len);
	pos = b.len;
	for (int i = 0; i < td->ncpus && !rc; i++) {
		uint64_t sz = td->cpu_fd[i] >= 0 ? td->cpu_size[i] : 0;
		if (off[i] > pos) {
			char *pad = ftk_xcalloc(1, off[i] - pos);
			rc = ftk_write_all(fd, pad, off[i] - pos);
			free(pad);
			pos = off[i];
		}
		if (!rc && sz)
			rc = copy_spool(fd, td->cpu_fd[i], sz);
		pos += sz;
	}
	ftk_buf_free(&b);
	free(off);
	return rc;
}

void ftk_td_free(struct ftk_tracedat *td)
{
	free(td->header_page.p);
	free(td->header_event.p);
	for (int i = 0; i < td->nftrace; i++)
		free(td->ftrace[i].p);
	free(td->ftrace);
	for (int i = 0; i < td->nsystems; i++) {
		for (int k = 0; k < td->systems[i].n; k++)
			free(td->systems[i].formats[k].p);
		free(td->systems[i].formats);
		free(td->systems[i].name);
	}
	free(td->systems);
	free(td->kallsyms.p);
	free(td->printk.p);
	free(td->cmdlines.p);
	free(td->clock.p);
	for (int i = 0; i < td->noptions; i++)
		free(td->options[i].data.p);
	free(td->options);
	memset(td, 0, sizeof(*td));
}
