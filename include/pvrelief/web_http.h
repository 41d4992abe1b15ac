/* The console's HTTP server: the only user of GNU libmicrohttpd. It accepts connections on one
 * address, reads each request whole (a small body at most), hands it to one handler function
 * and sends what the handler put in the reply. Requests are handled one at a time on the
 * server's thread, so the handler needs no locking of its own. */
#ifndef PVRELIEF_WEB_HTTP_H
#define PVRELIEF_WEB_HTTP_H

#include <stddef.h>

#include "pvrelief/strbuf.h"

struct web_http;
struct web_request;

enum { WEB_MAX_BODY = 16384, WEB_MAX_HEADERS = 8 };

/* What the handler answers. body is sent with content_type (a static string). */
struct web_reply {
	int status;
	const char *content_type;
	struct strbuf body;
	char *header_name[WEB_MAX_HEADERS], *header_value[WEB_MAX_HEADERS]; /* owned */
	int n_headers;
};

struct web_http_opts {
	const char *address; /* numeric IPv4 or IPv6 */
	int port;
	const char *tls_cert_pem, *tls_key_pem; /* both NULL: plain HTTP */
	int max_clients;
	int timeout_s; /* an idle connection is closed after this */
};

/* Handles one request: fills rep (status 200 and text/html preset). */
typedef void (*web_http_handler)(void *arg, const struct web_request *req, struct web_reply *rep);

/* Starts serving on its own thread; returns NULL with a sentence in err when the address
 * cannot be bound or TLS cannot be set up. Stop with web_http_stop. */
struct web_http *web_http_start(const struct web_http_opts *o, web_http_handler h, void *arg,
				char *err, size_t errlen);
/* Stops serving and frees the server; accepts NULL. */
void web_http_stop(struct web_http *w);
/* Returns the port actually bound (useful when the configured port was 0). */
int web_http_port(const struct web_http *w);

/* The request's method ("GET", "POST", ...), path (decoded, without the query) and raw body. */
const char *web_request_method(const struct web_request *req);
const char *web_request_path(const struct web_request *req);
const char *web_request_body(const struct web_request *req, size_t *len);
/* Returns a query argument, a header or a cookie by name, or NULL when absent. */
const char *web_request_query(const struct web_request *req, const char *name);
const char *web_request_header(const struct web_request *req, const char *name);
const char *web_request_cookie(const struct web_request *req, const char *name);
/* Writes the client's address as text into buf. */
void web_request_client(const struct web_request *req, char *buf, size_t len);
/* Returns non-zero when the request came over TLS. */
int web_request_tls(const struct web_request *req);

/* Adds a response header (copied). Ignored beyond WEB_MAX_HEADERS. */
void web_reply_header(struct web_reply *rep, const char *name, const char *value);

#endif
