/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exporter/collectors: what ftk exporter exports. A collector is one counting view with its
 * options, as one line of the configuration ("syscount -T 20", "funccount 'vfs_*'"), declared
 * on the exporter's one session and read at every interval into cumulative totals, written as
 * Prometheus metric families (ftk-exporter(8) lists them per kernel route).
 *
 *   struct collector *c = collector_parse(words, n, error);   // check time, no tracefs
 *   collector_prepare(c, profile_ok);    // the route this kernel offers
 *   collector_declare(c, s);  ...arm...  collector_bind(c);
 *   every interval: collector_read(c); collector_write(c, buf);
 */
#ifndef FTK_CMD_EXPORTER_COLLECTORS_H
#define FTK_CMD_EXPORTER_COLLECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ftk_buf;
struct ftk_session;
struct collector;

/* The collectors of a configuration without one (ftk-exporter(8)). */
extern const char *const collector_defaults[];

/* A configuration line split into words: words[0] is the collector's name. NULL after a usage
 * error (printed, prefixed with where). */
struct collector *collector_parse(char **words, int n, const char *where);
/* Its name ("syscount") and the line it came from. */
const char *collector_name(const struct collector *c);
/* Resolve what needs the running system (patterns, disks, syscall names) and whether this
 * kernel can run it: 0, -EINVAL (usage error printed) or another -errno with why in `why`. */
int collector_check(struct collector *c, char *why, size_t len);
/* Reads the ring buffer (true) or only counts in the kernel. Known after collector_check. */
bool collector_needs_ring(const struct collector *c);
/* Choose the route: profile_ok when no collector of the session reads the ring buffer (hit
 * counters need the instance's tracing off). */
void collector_prepare(struct collector *c, bool profile_ok);
/* "hist", "profile", "ring" ... and what the events are ("syscalls", "kprobes" ...). */
const char *collector_route(const struct collector *c);
const char *collector_source(const struct collector *c);
int collector_declare(struct collector *c, struct ftk_session *s);
int collector_bind(struct collector *c);
/* Read what the kernel counted since the last read into the totals. */
void collector_read(struct collector *c);
/* Its metric families. */
void collector_write(struct collector *c, struct ftk_buf *b);
/* At the session's end (after the final drain): a last read, and what a collector reports
 * then. -EIO when it could not go on (biolatency's maps could not be recycled). */
int collector_end(struct collector *c);
/* Entries the kernel dropped (hist maps full) so far; its last read's duration. */
uint64_t collector_dropped(const struct collector *c);
double collector_read_seconds(const struct collector *c);
void collector_free(struct collector *c);

#endif
