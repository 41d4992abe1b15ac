#include "pvrelief/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static int http_init_rc = -1;

static void http_init_once(void)
{
	http_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int http_global_init(void)
{
	pthread_once(&http_once, http_init_once);
	return http_init_rc;
}

int http_url_origin(const char *url, char *buf, size_t len)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	snprintf(buf, len, "(bad url)");
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto fail;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto fail;
	/* The port is absent when the URL does not name one; the scheme's default is implied. */
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	snprintf(buf, len, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
	rc = 0;
fail:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

char *http_urlencode(const char *s)
{
	http_global_init();
	char *e = curl_easy_escape(NULL, s, (int)strlen(s));
	if (!e) {
		/* curl_easy_escape fails only when it cannot allocate. */
		fprintf(stderr, "out of memory\n");
		abort();
	}
	char *copy = xstrdup(e);
	curl_free(e);
	return copy;
}

struct sink {
	char *buf;
	size_t len, cap;
	int too_big;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct sink *s = user;
	size_t n = size * nmemb;
	if (s->len + n > HTTP_MAX_BODY_BYTES) {
		s->too_big = 1;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		s->buf = xrealloc(s->buf, cap);
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	const atomic_int *cancel = user;
	return cancel && atomic_load(cancel) ? 1 : 0;
}

/* Turns a curl failure into a sentence about the host. curl's own error buffer is not used:
 * some of its messages quote the whole URL, and webhook URLs carry keys. */
static void describe_failure(CURLcode code, const struct http_request *req, const struct sink *s,
			     char *out, size_t len)
{
	char origin[256];
	const char *what;
	http_url_origin(req->url, origin, sizeof origin);
	switch (code) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out, len, "%.160s: no complete answer within %d ms", origin,
			 req->timeout_ms);
		return;
	case CURLE_COULDNT_CONNECT:
		what = "connection refused or host unreachable";
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		what = "host name not found (DNS)";
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		what = "TLS handshake or certificate verification failed";
		break;
	case CURLE_WRITE_ERROR:
		what =
		    s->too_big ? "answer larger than 4 MiB, refused" : "answer could not be stored";
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		what = "request cancelled because pvrelief is stopping";
		break;
	case CURLE_GOT_NOTHING:
		what = "server closed the connection without answering";
		break;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		what = "URL is not a valid http:// or https:// address";
		break;
	default:
		what = "request failed";
		break;
	}
	snprintf(out, len, "%.160s: %s (%s)", origin, what, curl_easy_strerror(code));
}

int http_perform(const struct http_request *req, struct http_response *out)
{
	struct sink s = {0};
	struct curl_slist *headers = NULL;
	CURL *c = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (http_global_init() != 0) {
		snprintf(out->error, sizeof out->error, "libcurl could not be initialised");
		return -1;
	}
	c = curl_easy_init();
	if (!c) {
		snprintf(out->error, sizeof out->error, "libcurl could not create a handle");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Signals would interrupt other threads of the daemon; the threaded resolver needs none. */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pvrelief/" PVRELIEF_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)(uintptr_t)req->cancel);
	if (req->body) {
		char ct[128];
		snprintf(ct, sizeof ct, "Content-Type: %s",
			 req->content_type ? req->content_type : "application/octet-stream");
		headers = curl_slist_append(headers, ct);
		/* Chat robots answer at once; curl's wait for "100 Continue" would only add delay.
		 */
		headers = curl_slist_append(headers, "Expect:");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
	}
	CURLcode code = curl_easy_perform(c);
	if (code != CURLE_OK) {
		describe_failure(code, req, &s, out->error, sizeof out->error);
		free(s.buf);
		goto fail;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = s.buf ? s.buf : xstrdup("");
	out->body_len = s.len;
	rc = 0;
fail:
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return rc;
}

int http_get(const char *url, int timeout_ms, struct http_response *out)
{
	struct http_request req = {.url = url, .timeout_ms = timeout_ms};
	return http_perform(&req, out);
}

int http_post_json(const char *url, const char *body, int timeout_ms, struct http_response *out)
{
	struct http_request req = {
	    .url = url, .body = body, .content_type = "application/json", .timeout_ms = timeout_ms};
	return http_perform(&req, out);
}

void http_response_free(struct http_response *r)
{
	if (!r)
		return;
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}
