/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exporter/http: the /metrics endpoint, served by libmicrohttpd from its own thread. The
 * session's thread publishes the exposition after each collection; a scrape gets the last
 * one published (copied under a lock), so a scrape never touches tracefs.
 */
#ifndef FTK_CMD_EXPORTER_HTTP_H
#define FTK_CMD_EXPORTER_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct exporter_http;

/* "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (every address). 0, or -EINVAL after a usage error. */
int exporter_parse_listen(const char *arg, char *addr, size_t addrlen, unsigned *port);
/* Listen on addr:port (numeric IPv4 or IPv6). NULL after an error naming why. */
struct exporter_http *exporter_http_start(const char *addr, unsigned port);
/* Replace what /metrics serves. */
void exporter_http_publish(struct exporter_http *h, const char *text, size_t len);
/* Requests of /metrics served so far. */
uint64_t exporter_http_scrapes(struct exporter_http *h);
void exporter_http_stop(struct exporter_http *h);

#endif
