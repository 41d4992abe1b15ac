/* The console's HTTP server over libmicrohttpd. The library parses requests, keeps
 * connections and speaks TLS; this module gathers each request's body, calls the handler once
 * per request and turns its reply into a response. One internal thread serves everything:
 * pages are rendered from memory and short SQLite reads in milliseconds, and a single thread
 * keeps the database connection and the handler's caches free of locks. */
#include "pvrelief/web_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pvrelief/log.h"
#include "pvrelief/xalloc.h"

struct web_http {
	struct MHD_Daemon *d;
	web_http_handler handler;
	void *arg;
	int tls;
	char *cert, *key; /* kept for the daemon's lifetime, as libmicrohttpd asks */
};

struct web_request {
	struct MHD_Connection *conn;
	const struct web_http *w;
	const char *method, *path;
	char *body;
	size_t body_len;
	int too_large;
};

static void logger(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char text[512];
	vsnprintf(text, sizeof text, fmt, ap);
	text[strcspn(text, "\n")] = '\0'; /* the library ends its messages with a newline */
	log_warn("HTTP: %s", text);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct web_request *r = *con_cls;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct web_reply *rep)
{
	size_t len = rep->body.len;
	char *text = strbuf_take(&rep->body);
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep->content_type);
	/* Pages show live figures and carry form tokens: never cached, never framed, and
	 * scripts only from the console itself. */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; script-src 'self'; connect-src 'self'; "
				"img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
				"form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	for (int i = 0; i < rep->n_headers; i++)
		MHD_add_response_header(resp, rep->header_name[i], rep->header_value[i]);
	enum MHD_Result rc = MHD_queue_response(conn, (unsigned)rep->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void reply_free(struct web_reply *rep)
{
	free(strbuf_take(&rep->body));
	for (int i = 0; i < rep->n_headers; i++) {
		free(rep->header_name[i]);
		free(rep->header_value[i]);
	}
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version, const char *upload_data,
				 size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct web_http *w = cls;
	struct web_request *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		r->conn = conn;
		r->w = w;
		r->method = method;
		r->path = url;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* A console form is a few hundred bytes: anything far larger is refused whole
		 * rather than buffered. */
		if (r->body_len + *upload_data_size > WEB_MAX_BODY) {
			r->too_large = 1;
		} else {
			r->body = xrealloc(r->body, r->body_len + *upload_data_size + 1);
			memcpy(r->body + r->body_len, upload_data, *upload_data_size);
			r->body_len += *upload_data_size;
			r->body[r->body_len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	struct web_reply rep;
	memset(&rep, 0, sizeof rep);
	rep.status = 200;
	rep.content_type = "text/html; charset=utf-8";
	if (r->too_large) {
		rep.status = 413;
		rep.content_type = "text/plain; charset=utf-8";
		strbuf_puts(&rep.body, "request body too large\n");
	} else {
		w->handler(w->arg, r, &rep);
	}
	enum MHD_Result rc = send_reply(conn, &rep);
	reply_free(&rep);
	return rc;
}

struct web_http *web_http_start(const struct web_http_opts *o, web_http_handler h, void *arg,
				char *err, size_t errlen)
{
	struct web_http *w = xcalloc(1, sizeof *w);
	w->handler = h;
	w->arg = arg;
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	const struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	memset(&a4, 0, sizeof a4);
	memset(&a6, 0, sizeof a6);
	if (inet_pton(AF_INET, o->address, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)o->port);
		sa = (const struct sockaddr *)&a4;
	} else if (inet_pton(AF_INET6, o->address, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)o->port);
		sa = (const struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "address \"%s\" is not a numeric IPv4 or IPv6 address",
			 o->address);
		free(w);
		return NULL;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	if (o->tls_cert_pem && o->tls_key_pem) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen,
				 "this libmicrohttpd was built without TLS: leave tls_cert_file "
				 "empty and put a TLS reverse proxy in front (README)");
			free(w);
			return NULL;
		}
		flags |= MHD_USE_TLS;
		w->tls = 1;
		w->cert = xstrdup(o->tls_cert_pem);
		w->key = xstrdup(o->tls_key_pem);
	}
	if (w->tls)
		w->d = MHD_start_daemon(
		    flags, (uint16_t)o->port, NULL, NULL, access_cb, w, MHD_OPTION_EXTERNAL_LOGGER,
		    logger, NULL, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_CONNECTION_LIMIT,
		    (unsigned)o->max_clients, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_HTTPS_MEM_CERT,
		    w->cert, MHD_OPTION_HTTPS_MEM_KEY, w->key, MHD_OPTION_END);
	else
		w->d = MHD_start_daemon(
		    flags, (uint16_t)o->port, NULL, NULL, access_cb, w, MHD_OPTION_EXTERNAL_LOGGER,
		    logger, NULL, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_CONNECTION_LIMIT,
		    (unsigned)o->max_clients, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!w->d) {
		snprintf(err, errlen,
			 "cannot listen on %s port %d (in use, not an address of this machine, "
			 "or %s)",
			 o->address, o->port,
			 w->tls ? "the TLS certificate or key is not valid PEM" : "not permitted");
		free(w->cert);
		free(w->key);
		free(w);
		return NULL;
	}
	return w;
}

void web_http_stop(struct web_http *w)
{
	if (!w)
		return;
	MHD_stop_daemon(w->d);
	free(w->cert);
	free(w->key);
	free(w);
}

int web_http_port(const struct web_http *w)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : 0;
}

const char *web_request_method(const struct web_request *req)
{
	return req->method;
}

const char *web_request_path(const struct web_request *req)
{
	return req->path;
}

const char *web_request_body(const struct web_request *req, size_t *len)
{
	*len = req->body_len;
	return req->body ? req->body : "";
}

const char *web_request_query(const struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_request_header(const struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *web_request_cookie(const struct web_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

void web_request_client(const struct web_request *req, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(buf, len, "?");
	if (!i || !i->client_addr)
		return;
	if (i->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)(const void *)i->client_addr)->sin_addr,
			  buf, (socklen_t)len);
	else if (i->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)i->client_addr)->sin6_addr,
			  buf, (socklen_t)len);
}

int web_request_tls(const struct web_request *req)
{
	return req->w->tls;
}

void web_reply_header(struct web_reply *rep, const char *name, const char *value)
{
	if (rep->n_headers >= WEB_MAX_HEADERS)
		return;
	rep->header_name[rep->n_headers] = xstrdup(name);
	rep->header_value[rep->n_headers++] = xstrdup(value);
}
