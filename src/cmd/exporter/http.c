// SPDX-License-Identifier: GPL-2.0-only
/* exporter/http: /metrics through libmicrohttpd (http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exporter/http.h"
#include "core/output.h"
#include "core/util.h"

/* MHD_Result arrived in libmicrohttpd 0.9.71: older headers return int. */
#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

struct exporter_http {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	char *text;
	size_t len;
	uint64_t scrapes;
};

static const char index_page[] =
	"<html><head><title>ftk exporter</title></head><body>"
	"<h1>ftk exporter</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

static mhd_result reply(struct MHD_Connection *c, unsigned status, const char *type,
			const char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	mhd_result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static mhd_result on_request(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *upload,
			     size_t *upload_size, void **state)
{
	struct exporter_http *h = cls;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n", 9,
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/") == 0)
		return reply(c, MHD_HTTP_OK, "text/html", index_page, sizeof(index_page) - 1,
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found: try /metrics\n", 24,
			     MHD_RESPMEM_PERSISTENT);
	pthread_mutex_lock(&h->lock);
	h->scrapes++;
	size_t len = h->len;
	char *copy = ftk_xmalloc(len + 1);
	memcpy(copy, h->text ? h->text : "", len);
	pthread_mutex_unlock(&h->lock);
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", copy, len,
		     MHD_RESPMEM_MUST_FREE);
}

int exporter_parse_listen(const char *arg, char *addr, size_t addrlen, unsigned *port)
{
	const char *colon = strrchr(arg, ':');
	unsigned long p;

	if (!colon || ftk_parse_ulong(colon + 1, 1, 65535, &p))
		goto bad;
	size_t n = (size_t)(colon - arg);
	const char *a = arg;
	if (n >= 2 && arg[0] == '[' && arg[n - 1] == ']') {
		a++;
		n -= 2;
	}
	if (n >= addrlen)
		goto bad;
	memcpy(addr, a, n);
	addr[n] = 0;
	if (!n)
		snprintf(addr, addrlen, "0.0.0.0");
	struct in6_addr probe;
	if (inet_pton(AF_INET, addr, &probe) != 1 && inet_pton(AF_INET6, addr, &probe) != 1)
		goto bad;
	*port = (unsigned)p;
	return 0;
bad:
	ftk_usage_error("invalid --listen '%s' (ADDR:PORT with a numeric address, e.g. "
			"127.0.0.1:9435 or [::1]:9435)", arg);
	return -EINVAL;
}

struct exporter_http *exporter_http_start(const char *addr, unsigned port)
{
	struct sockaddr_storage ss = { 0 };
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
	} else {
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	}
	struct exporter_http *h = ftk_xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	/* The thread inherits the session's signal mask (signals blocked outside its ppoll):
	 * SIGTERM always reaches the session's thread. */
	h->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_LIMIT, 16u,
				     MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!h->daemon) {
		int err = errno;
		ftk_error("cannot listen on %s:%u: %s", addr, port,
			  err ? strerror(err) : "libmicrohttpd refused");
		ftk_hint("another program may hold the port: choose one with --listen ADDR:PORT");
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	return h;
}

void exporter_http_publish(struct exporter_http *h, const char *text, size_t len)
{
	char *copy = ftk_xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = 0;
	pthread_mutex_lock(&h->lock);
	char *old = h->text;
	h->text = copy;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
	free(old);
}

uint64_t exporter_http_scrapes(struct exporter_http *h)
{
	pthread_mutex_lock(&h->lock);
	uint64_t n = h->scrapes;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void exporter_http_stop(struct exporter_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	pthread_mutex_destroy(&h->lock);
	free(h->text);
	free(h);
}
