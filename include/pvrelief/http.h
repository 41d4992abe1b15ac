/* HTTP client: the only module that sees libcurl. Requests are synchronous and bounded by a
 * timeout; callers run them on their own threads. Failures come back as a sentence naming the
 * host (never the full URL, whose query may hold a webhook key). TLS peers are verified. */
#ifndef PVRELIEF_HTTP_H
#define PVRELIEF_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

/* Answers larger than this are refused rather than held in memory. */
#define HTTP_MAX_BODY_BYTES (4u * 1024u * 1024u)

struct http_response {
	long status;	 /* HTTP status, 0 when no answer came */
	char *body;	 /* NUL-terminated answer, owned; NULL when none */
	size_t body_len; /* bytes in body, not counting the NUL */
	char error[256]; /* why the request failed, naming the host; empty on success */
};

struct http_request {
	const char *url;
	const char *body;	  /* POST body; NULL makes a GET */
	const char *content_type; /* of the body, e.g. "application/json" */
	int timeout_ms;		  /* for the whole exchange, connection included */
	const atomic_int *cancel; /* when set non-zero, the request stops early; may be NULL */
};

/* Initialises libcurl once for the process; safe to call again and from any thread. Returns
 * 0, or -1 when libcurl cannot start. Each request calls it too. */
int http_global_init(void);
/* Performs a request and fills out (the caller frees it with http_response_free). Returns 0
 * when an answer arrived, whatever its status, or -1 with out->error set. */
int http_perform(const struct http_request *req, struct http_response *out);
/* GETs url within timeout_ms; as http_perform. */
int http_get(const char *url, int timeout_ms, struct http_response *out);
/* POSTs a JSON body to url within timeout_ms; as http_perform. */
int http_post_json(const char *url, const char *body, int timeout_ms, struct http_response *out);
/* Frees the body of a response and clears it; accepts NULL. */
void http_response_free(struct http_response *r);
/* Writes "scheme://host[:port]" of url into buf (no path, no query: safe to log). Returns 0,
 * or -1 when url does not parse (buf then holds "(bad url)"). */
int http_url_origin(const char *url, char *buf, size_t len);
/* Returns a newly allocated copy of s percent-encoded for a URL query (RFC 3986 unreserved
 * characters kept); the caller frees it. */
char *http_urlencode(const char *s);

#endif
