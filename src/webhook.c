#include "pvrelief/webhook.h"

#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/clock.h"
#include "pvrelief/http.h"
#include "pvrelief/log.h"
#include "pvrelief/strbuf.h"
#include "pvrelief/timefmt.h"
#include "pvrelief/xalloc.h"

/* WeCom refuses markdown content over 4096 bytes; DingTalk and Feishu allow more, but an alert
 * that long is unreadable on a phone anyway. */
#define WEBHOOK_MAX_TEXT_BYTES 4000

/* ---- Text ---------------------------------------------------------------------------- */

static const struct {
	const char *kind, *zh, *en;
} kind_labels[] = {
    {"low_efficiency", "发电效率偏低", "Low generation efficiency"},
    {"low_pr", "性能比偏低", "Low performance ratio"},
    {"offline", "设备离线", "Offline"},
    {"fault", "设备故障", "Fault"},
    {"anomaly", "数据异常", "Data anomaly"},
    {"county_target", "全县发电参数未达标", "County target at risk"},
    {"inspection_due", "巡检逾期", "Inspection overdue"},
    {"soiling", "疑似组件积灰", "Suspected soiling"},
    {"test", "测试消息", "Test message"},
};

static int lang_en(const char *language)
{
	return language && strcmp(language, "en") == 0;
}

const char *webhook_kind_label(const char *kind, const char *language)
{
	for (size_t i = 0; i < sizeof kind_labels / sizeof kind_labels[0]; i++)
		if (strcmp(kind, kind_labels[i].kind) == 0)
			return lang_en(language) ? kind_labels[i].en : kind_labels[i].zh;
	return kind;
}

static const char *severity_name(enum webhook_severity s)
{
	return s == WEBHOOK_CRITICAL ? "critical" : s == WEBHOOK_WARNING ? "warning" : "info";
}

static const char *severity_label(enum webhook_severity s, const char *language)
{
	if (lang_en(language))
		return s == WEBHOOK_CRITICAL  ? "critical"
		       : s == WEBHOOK_WARNING ? "warning"
					      : "notice";
	return s == WEBHOOK_CRITICAL ? "严重" : s == WEBHOOK_WARNING ? "警告" : "提示";
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when s does not start one. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	size_t n;
	if (s[0] < 0x80)
		return 1;
	else if ((s[0] & 0xE0) == 0xC0 && s[0] >= 0xC2)
		n = 2;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3;
	else if ((s[0] & 0xF8) == 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* Copies at most max bytes of s, replacing bytes that are not UTF-8 with '?' and never cutting
 * a character in half: jansson refuses invalid UTF-8, and callers fill fixed-size fields with
 * snprintf, which may split a Chinese name. */
static char *utf8_clean(const char *s, size_t max)
{
	size_t len = strlen(s), o = 0;
	char *out = xmalloc(len + 1);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq((const unsigned char *)s + i, len - i);
		if (n == 0) {
			if (o + 1 > max)
				break;
			out[o++] = '?';
			i++;
			continue;
		}
		if (o + n > max)
			break;
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

/* Shows a figure with as many decimals as its size deserves: η=0.48, 35.2 kWh, 1234 kWh. */
static void format_value(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "n/a");
		return;
	}
	double a = v < 0 ? -v : v;
	if (a < 1e15 && v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, a >= 1000 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
}

char *webhook_format_text(const struct webhook_event *ev, const char *language, int utc_offset_s,
			  int markdown)
{
	int en = lang_en(language);
	struct strbuf b = {0};
	const char *tag =
	    ev->cleared ? (en ? "[CLEARED] " : "【恢复】") : (en ? "[ALERT] " : "【告警】");
	const char *sep = en ? ": " : "：";
	const char *li = markdown ? "- " : "";
	char when[32], v[32];

	strbuf_printf(&b, "%s%s%s%s%s%s", markdown ? "### " : "", tag, ev->station_name,
		      en ? " - " : " ", webhook_kind_label(ev->kind, language),
		      markdown ? "\n" : "\n");
	if (ev->title[0])
		strbuf_printf(&b, "%s%s%s\n", markdown ? "**" : "", ev->title,
			      markdown ? "**" : "");
	if (ev->n_figures) {
		strbuf_printf(&b, "%s%s%s", li, en ? "Figures" : "数据", sep);
		for (size_t i = 0; i < ev->n_figures && i < WEBHOOK_MAX_FIGURES; i++) {
			const struct webhook_figure *f = &ev->figures[i];
			format_value(f->value, v, sizeof v);
			strbuf_printf(&b, "%s%s=%s%s%s", i ? (en ? ", " : "，") : "", f->name, v,
				      f->unit[0] ? " " : "", f->unit);
		}
		strbuf_printf(&b, "\n");
	}
	strbuf_printf(&b, "%s%s%s%s\n", li, en ? "Severity" : "级别", sep,
		      severity_label(ev->severity, language));
	if (ev->village_name[0])
		strbuf_printf(&b, "%s%s%s%s\n", li, en ? "Village" : "村", sep, ev->village_name);
	strbuf_printf(&b, "%s%s%s%s%s%s\n", li, en ? "Station" : "电站", sep, ev->station_id,
		      ev->device_id[0] ? (en ? ", device " : "，设备 ") : "", ev->device_id);
	timefmt_local((double)ev->time_unix, utc_offset_s, when, sizeof when);
	strbuf_printf(&b, "%s%s%s%s\n", li,
		      ev->cleared ? (en ? "Cleared at" : "恢复时间") : (en ? "Since" : "开始时间"),
		      sep, when);
	strbuf_printf(&b, "%s%s%s%lld", li, en ? "Alert no." : "告警编号", sep, (long long)ev->id);
	/* The free text comes last, after a blank line in markdown, so that it is not taken
	 * for a continuation of the list above. */
	if (ev->detail[0])
		strbuf_printf(&b, "%s%s", markdown ? "\n\n" : "\n", ev->detail);
	char *text = strbuf_take(&b);
	char *clean = utf8_clean(text, WEBHOOK_MAX_TEXT_BYTES);
	free(text);
	return clean;
}

/* ---- Signatures ---------------------------------------------------------------------- */

static int hmac_sha256_base64(const void *key, size_t key_len, const void *msg, size_t msg_len,
			      char *out, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	if (len < 45) /* base64 of 32 bytes is 44 characters */
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, md, &md_len))
		return -1;
	EVP_EncodeBlock((unsigned char *)out, md, (int)md_len);
	return 0;
}

int webhook_sign_dingtalk(const char *secret, int64_t timestamp_ms, char *out, size_t len)
{
	char *msg = xasprintf("%lld\n%s", (long long)timestamp_ms, secret);
	int rc = hmac_sha256_base64(secret, strlen(secret), msg, strlen(msg), out, len);
	free(msg);
	return rc;
}

int webhook_sign_feishu(const char *secret, int64_t timestamp_s, char *out, size_t len)
{
	/* Feishu uses the timestamp and secret as the key and signs an empty message. */
	char *key = xasprintf("%lld\n%s", (long long)timestamp_s, secret);
	int rc = hmac_sha256_base64(key, strlen(key), "", 0, out, len);
	free(key);
	return rc;
}

/* ---- Bodies and URLs ----------------------------------------------------------------- */

static json_t *jstr(const char *s)
{
	char *c = utf8_clean(s, strlen(s));
	json_t *j = json_string(c);
	free(c);
	return j;
}

static char *dump(json_t *root)
{
	char *s = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (!s) {
		fprintf(stderr, "out of memory\n");
		abort();
	}
	char *copy = xstrdup(s);
	free(s);
	return copy;
}

static json_t *event_json(const struct webhook_event *ev, const char *language, int utc_offset_s)
{
	char when[32], iso[48];
	timefmt_local((double)ev->time_unix, utc_offset_s, when, sizeof when);
	int off = utc_offset_s < 0 ? -utc_offset_s : utc_offset_s;
	snprintf(iso, sizeof iso, "%.10sT%s%c%02d:%02d", when, when + 11,
		 utc_offset_s < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
	json_t *figs = json_array();
	for (size_t i = 0; i < ev->n_figures && i < WEBHOOK_MAX_FIGURES; i++) {
		/* jansson refuses NaN and infinities; a figure without a value is null. */
		double v = ev->figures[i].value;
		json_t *f = json_object();
		json_object_set_new(f, "name", jstr(ev->figures[i].name));
		json_object_set_new(f, "value", isfinite(v) ? json_real(v) : json_null());
		json_object_set_new(f, "unit", jstr(ev->figures[i].unit));
		json_array_append_new(figs, f);
	}
	char *text = webhook_format_text(ev, language, utc_offset_s, 0);
	json_t *o = json_pack(
	    "{s:I, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:s, s:s, s:o}",
	    "id", (json_int_t)ev->id, "kind", jstr(ev->kind), "kind_label",
	    jstr(webhook_kind_label(ev->kind, language)), "severity", severity_name(ev->severity),
	    "state", ev->cleared ? "cleared" : "raised", "station_id", jstr(ev->station_id),
	    "station_name", jstr(ev->station_name), "village_name", jstr(ev->village_name),
	    "device_id", ev->device_id[0] ? jstr(ev->device_id) : json_null(), "title",
	    jstr(ev->title), "detail", jstr(ev->detail), "figures", figs, "time",
	    (json_int_t)ev->time_unix, "time_local", iso, "language",
	    lang_en(language) ? "en" : "zh", "text", jstr(text));
	free(text);
	return o;
}

char *webhook_build_body(enum config_webhook_kind kind, const struct webhook_event *ev,
			 const char *language, int utc_offset_s, const char *secret, int64_t now_ms)
{
	json_t *root = NULL;
	char *text = NULL;
	switch (kind) {
	case CONFIG_WEBHOOK_WECOM:
		text = webhook_format_text(ev, language, utc_offset_s, 1);
		root =
		    json_pack("{s:s, s:{s:s}}", "msgtype", "markdown", "markdown", "content", text);
		break;
	case CONFIG_WEBHOOK_DINGTALK: {
		/* DingTalk shows the title in the chat list and notifications: the first line. */
		char *plain = webhook_format_text(ev, language, utc_offset_s, 0);
		char *nl = strchr(plain, '\n');
		if (nl)
			*nl = '\0';
		text = webhook_format_text(ev, language, utc_offset_s, 1);
		root = json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown", "markdown", "title",
				 plain, "text", text);
		free(plain);
		break;
	}
	case CONFIG_WEBHOOK_FEISHU:
		text = webhook_format_text(ev, language, utc_offset_s, 0);
		root = json_pack("{s:s, s:{s:s}}", "msg_type", "text", "content", "text", text);
		if (secret && secret[0]) {
			char sign[64], ts[32];
			int64_t now_s = now_ms / 1000;
			webhook_sign_feishu(secret, now_s, sign, sizeof sign);
			snprintf(ts, sizeof ts, "%lld", (long long)now_s);
			json_object_set_new(root, "timestamp", json_string(ts));
			json_object_set_new(root, "sign", json_string(sign));
		}
		break;
	case CONFIG_WEBHOOK_JSON:
		root = event_json(ev, language, utc_offset_s);
		break;
	}
	free(text);
	return dump(root);
}

char *webhook_build_url(enum config_webhook_kind kind, const char *url, const char *secret,
			int64_t now_ms)
{
	if (kind != CONFIG_WEBHOOK_DINGTALK || !secret || !secret[0])
		return xstrdup(url);
	char sign[64];
	webhook_sign_dingtalk(secret, now_ms, sign, sizeof sign);
	char *enc = http_urlencode(sign);
	char *out = xasprintf("%s%ctimestamp=%lld&sign=%s", url, strchr(url, '?') ? '&' : '?',
			      (long long)now_ms, enc);
	free(enc);
	return out;
}

/* Copies a robot's message into why without line breaks, so it stays one log line. */
static void reply_message(char *why, size_t whylen, const char *prefix, long long code,
			  const char *msg)
{
	snprintf(why, whylen, "%s %lld: %s", prefix, code, msg ? msg : "(no message)");
	for (char *p = why; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int webhook_check_reply(enum config_webhook_kind kind, long status, const char *body, char *why,
			size_t whylen)
{
	json_t *root = NULL, *code = NULL, *msg = NULL;
	int rc = -1;
	const char *prefix = "errcode";

	if (status < 200 || status > 299) {
		snprintf(why, whylen, "HTTP status %ld", status);
		goto fail;
	}
	if (kind == CONFIG_WEBHOOK_JSON) {
		rc = 0;
		goto fail;
	}
	/* The robots answer 200 even when they refuse a message; only the code in the JSON says
	 * whether it reached the group. */
	root = json_loads(body ? body : "", 0, NULL);
	if (!json_is_object(root)) {
		snprintf(why, whylen, "HTTP %ld but the answer is not the robot's JSON", status);
		goto fail;
	}
	if (kind == CONFIG_WEBHOOK_FEISHU) {
		prefix = "code";
		code = json_object_get(root, "code");
		msg = json_object_get(root, "msg");
		if (!code) { /* the older answer layout */
			prefix = "StatusCode";
			code = json_object_get(root, "StatusCode");
			msg = json_object_get(root, "StatusMessage");
		}
	} else {
		code = json_object_get(root, "errcode");
		msg = json_object_get(root, "errmsg");
	}
	if (!json_is_integer(code)) {
		snprintf(why, whylen, "HTTP %ld but the answer has no %s", status, prefix);
		goto fail;
	}
	if (json_integer_value(code) != 0) {
		reply_message(why, whylen, prefix, (long long)json_integer_value(code),
			      json_string_value(msg));
		goto fail;
	}
	rc = 0;
fail:
	json_decref(root);
	if (rc == 0 && whylen)
		why[0] = '\0';
	return rc;
}

/* ---- Delivery ------------------------------------------------------------------------ */

struct item {
	struct webhook_event ev;
	int attempts;
	double next_try_mono;
};

struct endpoint {
	struct webhook *w;
	const struct config_webhook *hook;
	char origin[256]; /* scheme://host:port, safe to log */
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct item *q; /* ring buffer */
	size_t head, n;
	int busy; /* the head is being sent */
	struct webhook_stats stats;
};

struct webhook {
	const struct config *cfg;
	struct webhook_retry retry;
	struct endpoint *eps;
	size_t n;
	atomic_int stop;
};

static const char *kind_name(enum config_webhook_kind k)
{
	switch (k) {
	case CONFIG_WEBHOOK_WECOM:
		return "wecom";
	case CONFIG_WEBHOOK_DINGTALK:
		return "dingtalk";
	case CONFIG_WEBHOOK_FEISHU:
		return "feishu";
	default:
		return "json";
	}
}

static void deadline_ts(double mono_s, struct timespec *ts)
{
	ts->tv_sec = (time_t)mono_s;
	ts->tv_nsec = (long)((mono_s - (double)ts->tv_sec) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* One attempt to deliver ev; returns 0 when the endpoint took it, else -1 with why. */
static int deliver(struct endpoint *ep, const struct webhook_event *ev, char *why, size_t whylen)
{
	const struct config *cfg = ep->w->cfg;
	int64_t now_ms = (int64_t)(clock_wall_now() * 1000.0);
	char *url = webhook_build_url(ep->hook->kind, ep->hook->url, ep->hook->secret, now_ms);
	char *body = webhook_build_body(ep->hook->kind, ev, cfg->alerts.language, cfg->utc_offset_s,
					ep->hook->secret, now_ms);
	struct http_request req = {.url = url,
				   .body = body,
				   .content_type = "application/json; charset=utf-8",
				   .timeout_ms = ep->hook->timeout_ms,
				   .cancel = &ep->w->stop};
	struct http_response res;
	int rc = http_perform(&req, &res);
	if (rc != 0)
		snprintf(why, whylen, "%s", res.error);
	else
		rc = webhook_check_reply(ep->hook->kind, res.status, res.body, why, whylen);
	http_response_free(&res);
	free(url);
	free(body);
	return rc;
}

static void *sender_main(void *arg)
{
	struct endpoint *ep = arg;
	struct webhook *w = ep->w;
	char why[512];

	pthread_mutex_lock(&ep->lock);
	while (!atomic_load(&w->stop)) {
		if (ep->n == 0) {
			pthread_cond_wait(&ep->cond, &ep->lock);
			continue;
		}
		struct item *it = &ep->q[ep->head];
		double now = clock_monotonic_now();
		if (it->next_try_mono > now) {
			struct timespec ts;
			deadline_ts(it->next_try_mono, &ts);
			pthread_cond_timedwait(&ep->cond, &ep->lock, &ts);
			continue;
		}
		/* Only this thread removes items, so the head stays put while unlocked; sending
		 * in order keeps a "cleared" message behind its "raised" one. */
		struct webhook_event ev = it->ev;
		ep->busy = 1;
		pthread_mutex_unlock(&ep->lock);
		int rc = deliver(ep, &ev, why, sizeof why);
		pthread_mutex_lock(&ep->lock);
		ep->busy = 0;
		it->attempts++;
		if (rc == 0) {
			ep->stats.delivered++;
			log_info("webhook %s: alert %lld (%s, station %s) delivered on attempt %d",
				 ep->hook->name, (long long)ev.id, ev.kind, ev.station_id,
				 it->attempts);
		} else if (atomic_load(&w->stop)) {
			break; /* cancelled by webhook_free, which counts what is left */
		} else {
			ep->stats.failures++;
			if (it->attempts >= w->retry.max_attempts) {
				ep->stats.dropped++;
				log_err(
				    "webhook %s (%s %s): alert %lld (%s, station %s) dropped after "
				    "%d failed attempts; last: %s",
				    ep->hook->name, kind_name(ep->hook->kind), ep->origin,
				    (long long)ev.id, ev.kind, ev.station_id, it->attempts, why);
			} else {
				double wait_s = w->retry.initial_s;
				for (int i = 1; i < it->attempts && wait_s < w->retry.max_s; i++)
					wait_s *= 2;
				if (wait_s > w->retry.max_s)
					wait_s = w->retry.max_s;
				it->next_try_mono = clock_monotonic_now() + wait_s;
				log_warn(
				    "webhook %s (%s %s): alert %lld attempt %d failed: %s; trying "
				    "again in %.0f s",
				    ep->hook->name, kind_name(ep->hook->kind), ep->origin,
				    (long long)ev.id, it->attempts, why, wait_s);
				continue;
			}
		}
		ep->head = (ep->head + 1) % w->retry.queue_cap;
		ep->n--;
		pthread_cond_broadcast(&ep->cond);
	}
	pthread_mutex_unlock(&ep->lock);
	return NULL;
}

struct webhook *webhook_new_with(const struct config *cfg, const struct webhook_retry *retry)
{
	struct webhook *w = xcalloc(1, sizeof *w);
	w->cfg = cfg;
	w->retry = *retry;
	if (w->retry.queue_cap < 1)
		w->retry.queue_cap = 1;
	if (w->retry.max_attempts < 1)
		w->retry.max_attempts = 1;
	http_global_init();
	w->n = cfg->alerts.n_webhooks;
	w->eps = xcalloc(w->n ? w->n : 1, sizeof *w->eps);
	for (size_t i = 0; i < w->n; i++) {
		struct endpoint *ep = &w->eps[i];
		pthread_condattr_t ca;
		ep->w = w;
		ep->hook = &cfg->alerts.webhooks[i];
		http_url_origin(ep->hook->url, ep->origin, sizeof ep->origin);
		ep->q = xcalloc(w->retry.queue_cap, sizeof *ep->q);
		pthread_mutex_init(&ep->lock, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&ep->cond, &ca);
		pthread_condattr_destroy(&ca);
		if (pthread_create(&ep->thread, NULL, sender_main, ep) != 0)
			log_err("webhook %s: cannot start its sender thread; its alerts will be "
				"dropped",
				ep->hook->name);
		else
			ep->started = 1;
	}
	return w;
}

struct webhook *webhook_new(const struct config *cfg)
{
	static const struct webhook_retry defaults = {
	    .initial_s = 1, .max_s = 300, .max_attempts = 12, .queue_cap = 256};
	return webhook_new_with(cfg, &defaults);
}

void webhook_free(struct webhook *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, 1);
	for (size_t i = 0; i < w->n; i++) {
		struct endpoint *ep = &w->eps[i];
		pthread_mutex_lock(&ep->lock);
		pthread_cond_broadcast(&ep->cond);
		pthread_mutex_unlock(&ep->lock);
	}
	for (size_t i = 0; i < w->n; i++) {
		struct endpoint *ep = &w->eps[i];
		if (ep->started)
			pthread_join(ep->thread, NULL);
		if (ep->n)
			log_warn("webhook %s: %zu undelivered alert(s) dropped at shutdown",
				 ep->hook->name, ep->n);
		pthread_mutex_destroy(&ep->lock);
		pthread_cond_destroy(&ep->cond);
		free(ep->q);
	}
	free(w->eps);
	free(w);
}

int webhook_send(struct webhook *w, const struct webhook_event *ev)
{
	for (size_t i = 0; i < w->n; i++) {
		struct endpoint *ep = &w->eps[i];
		pthread_mutex_lock(&ep->lock);
		if (!ep->started || ep->n >= w->retry.queue_cap) {
			ep->stats.dropped++;
			log_err("webhook %s: queue full (%zu waiting); alert %lld (%s, station %s) "
				"dropped",
				ep->hook->name, ep->n, (long long)ev->id, ev->kind, ev->station_id);
		} else {
			struct item *it = &ep->q[(ep->head + ep->n) % w->retry.queue_cap];
			memset(it, 0, sizeof *it);
			it->ev = *ev;
			/* Fixed-size fields filled by the caller may lack their terminators. */
			it->ev.kind[sizeof it->ev.kind - 1] = '\0';
			it->ev.station_id[sizeof it->ev.station_id - 1] = '\0';
			it->ev.station_name[sizeof it->ev.station_name - 1] = '\0';
			it->ev.village_name[sizeof it->ev.village_name - 1] = '\0';
			it->ev.device_id[sizeof it->ev.device_id - 1] = '\0';
			it->ev.title[sizeof it->ev.title - 1] = '\0';
			it->ev.detail[sizeof it->ev.detail - 1] = '\0';
			if (it->ev.n_figures > WEBHOOK_MAX_FIGURES)
				it->ev.n_figures = WEBHOOK_MAX_FIGURES;
			for (size_t f = 0; f < it->ev.n_figures; f++) {
				it->ev.figures[f].name[sizeof it->ev.figures[f].name - 1] = '\0';
				it->ev.figures[f].unit[sizeof it->ev.figures[f].unit - 1] = '\0';
			}
			ep->n++;
			ep->stats.queued++;
			pthread_cond_broadcast(&ep->cond);
		}
		pthread_mutex_unlock(&ep->lock);
	}
	return 0;
}

int webhook_flush(struct webhook *w, int timeout_ms)
{
	double deadline = clock_monotonic_now() + timeout_ms / 1000.0;
	for (size_t i = 0; i < w->n; i++) {
		struct endpoint *ep = &w->eps[i];
		pthread_mutex_lock(&ep->lock);
		while (ep->n > 0 && ep->started && clock_monotonic_now() < deadline) {
			struct timespec ts;
			deadline_ts(deadline, &ts);
			pthread_cond_timedwait(&ep->cond, &ep->lock, &ts);
		}
		size_t left = ep->started ? ep->n : 0;
		pthread_mutex_unlock(&ep->lock);
		if (left)
			return -1;
	}
	return 0;
}

size_t webhook_count(const struct webhook *w)
{
	return w->n;
}

const char *webhook_stats(struct webhook *w, size_t i, struct webhook_stats *out)
{
	struct endpoint *ep = &w->eps[i];
	pthread_mutex_lock(&ep->lock);
	*out = ep->stats;
	out->pending = ep->n;
	pthread_mutex_unlock(&ep->lock);
	return ep->hook->name;
}
