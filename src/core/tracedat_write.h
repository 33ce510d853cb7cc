/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tracedat_write: writes a trace.dat file, version 6 (the layout every trace-cmd and
 * KernelShark reads; Documentation/trace-cmd/trace-cmd.dat.v6.5.txt), from sections held in
 * memory and per-CPU page spools held in files. It knows the format only: what goes in the
 * sections is the recorder's business (core/recorder.h). Byte order and long size are the
 * host's (the pages come from the local kernel).
 *
 * Layout written, strictly in this order:
 *   magic "\x17\x08\x44tracing" "6\0", endian byte, long size, u32 page size
 *   "header_page\0" u64 size + text, "header_event\0" u64 size + text
 *   u32 count + (u64 size + text) per ftrace format
 *   u32 systems + per system: name\0, u32 count + (u64 size + text) per format
 *   u32 size + kallsyms, u32 size + printk formats, u64 size + cmdlines
 *   u32 CPUs, "options  \0" + (u16 id, u32 size, data)... u16 0
 *   "flyrecord\0" + (u64 offset, u64 size) per CPU [+ u64 size + trace_clock when
 *   TRACECLOCK is given], then each CPU's pages at page-aligned offsets.
 */
#ifndef FTK_TRACEDAT_WRITE_H
#define FTK_TRACEDAT_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Option ids of trace.dat (trace-cmd.dat.v7.5 lists them; v6 uses the same). */
enum {
	FTK_TD_OPT_CPUSTAT = 2,
	FTK_TD_OPT_TRACECLOCK = 4,
	FTK_TD_OPT_UNAME = 5,
	FTK_TD_OPT_CPUCOUNT = 8,
	FTK_TD_OPT_VERSION = 9,
};

struct ftk_td_blob {
	char *p;		/* malloc'd, owned */
	size_t len;
};

struct ftk_td_system {
	char *name;
	struct ftk_td_blob *formats;
	int n;
};

struct ftk_td_option {
	uint16_t id;
	struct ftk_td_blob data;
};

struct ftk_tracedat {
	uint32_t page_size;			/* sub-buffer size of every page */
	struct ftk_td_blob header_page, header_event;
	struct ftk_td_blob *ftrace;		/* events/ftrace/<ev>/format texts */
	int nftrace;
	struct ftk_td_system *systems;		/* in order of first use */
	int nsystems;
	struct ftk_td_blob kallsyms, printk, cmdlines;	/* may be empty */
	struct ftk_td_blob clock;		/* trace_clock content; also a TRACECLOCK option */
	struct ftk_td_option *options;		/* in order; TRACECLOCK added by the writer */
	int noptions;
	int ncpus;
	int *cpu_fd;		/* per CPU: a spool read from offset 0 (-1: no data) */
	uint64_t *cpu_size;	/* its bytes (a multiple of page_size) */
};

/* Take ownership of p (len bytes) as a blob. */
struct ftk_td_blob ftk_td_blob(char *p, size_t len);
/* A copy of a C string, with its NUL when nul is set (options are NUL-terminated strings). */
struct ftk_td_blob ftk_td_str(const char *s, int nul);
/* Add a format (owned): system "ftrace" goes to the ftrace section, others to their system. */
void ftk_td_add_format(struct ftk_tracedat *td, const char *system, struct ftk_td_blob fmt);
void ftk_td_add_option(struct ftk_tracedat *td, uint16_t id, struct ftk_td_blob data);
/* Write the whole file to fd from its current offset 0 (sequential writes, then the CPU
 * data copied with copy_file_range where it works). 0 or -errno. */
int ftk_td_write(int fd, const struct ftk_tracedat *td);
/* Free the sections and options (not the spool fds). */
void ftk_td_free(struct ftk_tracedat *td);

#endif
