/* Alert delivery to chat groups (WeCom, DingTalk and Feishu group robots) and to generic JSON
 * endpoints. Each configured endpoint has its own queue and sender thread, so a failing or
 * hanging endpoint never delays the others and webhook_send never blocks its caller. The
 * formatting and signing functions are pure and exposed for tests. */
#ifndef PVRELIEF_WEBHOOK_H
#define PVRELIEF_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/config.h"

#define WEBHOOK_MAX_FIGURES 8

enum webhook_severity { WEBHOOK_INFO, WEBHOOK_WARNING, WEBHOOK_CRITICAL };

/* A number shown with an alert, e.g. {"η", 0.48, ""} or {"目标", 0.60, ""}. */
struct webhook_figure {
	char name[32];
	char unit[16]; /* e.g. "kWh", "W/m²", "min"; may be empty */
	double value;
};

/* One alert event, raised or cleared. Plain fixed-size data: webhook_send copies it. */
struct webhook_event {
	int64_t id;
	char kind[32]; /* "low_efficiency", "offline", "fault", "anomaly", "county_target", ... */
	enum webhook_severity severity;
	int cleared; /* 0: raised, 1: cleared */
	char station_id[64];
	char station_name[128];
	char village_name[128];
	char device_id[64]; /* empty when the alert is about the whole station */
	char title[256];    /* one line, in the configured language */
	char detail[1024];  /* free text, may span lines */
	struct webhook_figure figures[WEBHOOK_MAX_FIGURES];
	size_t n_figures;
	int64_t time_unix; /* when the condition began (raised) or ended (cleared) */
};

/* When and how often a failed delivery is tried again. */
struct webhook_retry {
	double initial_s; /* first wait after a failure */
	double max_s;	  /* the wait doubles up to this */
	int max_attempts; /* then the message is dropped and logged */
	size_t queue_cap; /* messages waiting per endpoint; the oldest is dropped beyond it */
};

struct webhook_stats {
	uint64_t queued;    /* messages accepted by webhook_send */
	uint64_t delivered; /* messages the endpoint accepted */
	uint64_t failures;  /* failed attempts (network, HTTP status or robot error code) */
	uint64_t dropped;   /* messages given up: attempts used up, queue full or shutdown */
	size_t pending;	    /* messages waiting now */
};

struct webhook;

/* Returns the label of an alert kind in a language ("zh" or "en"), e.g. "发电效率偏低";
 * unknown kinds return the kind itself. */
const char *webhook_kind_label(const char *kind, const char *language);
/* Formats the human message of an event: markdown when markdown is set, plain text otherwise;
 * times are shown at utc_offset_s. Returns a new string the caller frees. */
char *webhook_format_text(const struct webhook_event *ev, const char *language, int utc_offset_s,
			  int markdown);
/* Builds the JSON request body for an endpoint kind; the Feishu body is signed when secret is
 * non-empty, with now_ms as its time. Returns a new string the caller frees. */
char *webhook_build_body(enum config_webhook_kind kind, const struct webhook_event *ev,
			 const char *language, int utc_offset_s, const char *secret,
			 int64_t now_ms);
/* Builds the URL to post to: DingTalk URLs get "&timestamp=...&sign=..." when secret is
 * non-empty, others are returned as they are. Returns a new string the caller frees. */
char *webhook_build_url(enum config_webhook_kind kind, const char *url, const char *secret,
			int64_t now_ms);
/* Writes DingTalk's signature base64(HMAC-SHA256(secret, timestamp_ms "\n" secret)), not yet
 * URL-encoded, into out; returns 0 or -1 when out is too small. */
int webhook_sign_dingtalk(const char *secret, int64_t timestamp_ms, char *out, size_t len);
/* Writes Feishu's signature base64(HMAC-SHA256(key = timestamp_s "\n" secret, empty message))
 * into out; returns 0 or -1 when out is too small. */
int webhook_sign_feishu(const char *secret, int64_t timestamp_s, char *out, size_t len);
/* Judges an endpoint's answer: HTTP 2xx, and for the robots an errcode/code of 0. Returns 0
 * when delivered, else -1 with the reason (including the robot's own message) in why. */
int webhook_check_reply(enum config_webhook_kind kind, long status, const char *body, char *why,
			size_t whylen);

/* Starts a sender thread per webhook of cfg->alerts with the default retry schedule (1 s
 * doubling to 5 min, 12 attempts). cfg must outlive the result; free with webhook_free. */
struct webhook *webhook_new(const struct config *cfg);
/* As webhook_new with a given retry schedule. */
struct webhook *webhook_new_with(const struct config *cfg, const struct webhook_retry *retry);
/* Stops the senders within about a second, cancelling requests in flight, and frees w;
 * undelivered messages are logged as dropped. Accepts NULL. */
void webhook_free(struct webhook *w);
/* Queues a copy of ev for every endpoint; never blocks on the network. Returns 0. */
int webhook_send(struct webhook *w, const struct webhook_event *ev);
/* Waits up to timeout_ms for every queue to empty (delivered or dropped). Returns 0 when
 * they did, -1 when time ran out. */
int webhook_flush(struct webhook *w, int timeout_ms);
/* Returns the number of endpoints. */
size_t webhook_count(const struct webhook *w);
/* Copies the counters of endpoint i into out and returns its configured name. */
const char *webhook_stats(struct webhook *w, size_t i, struct webhook_stats *out);

#endif
