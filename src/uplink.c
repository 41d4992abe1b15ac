/* The uplink engine. Every message is made and queued in one transaction with the removal of
 * the change that caused it, so a SIGKILL either leaves the change listed (made again after the
 * restart) or the message queued (sent after the restart); never neither. A figure computed
 * again while its previous message still waits replaces that message (the key), so an outage
 * of days sends each figure once when the link returns. */
#include "pvrelief/uplink.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/health.h"
#include "pvrelief/health_gather.h"
#include "pvrelief/ledger.h"
#include "pvrelief/log.h"
#include "pvrelief/mqtt.h"
#include "pvrelief/poller.h"
#include "pvrelief/publish_uplink.h"
#include "pvrelief/store.h"
#include "pvrelief/store_eff.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_outbox.h"
#include "pvrelief/store_uplink.h"
#include "pvrelief/xalloc.h"

enum {
	UPLINK_BATCH = 64,    /* changes handled per transaction */
	UPLINK_TICK_MS = 500, /* real time between looks at the change list */
	UPLINK_TOPIC_MAX = 512,
};

/* What was last sent of a station's live figures. */
struct live_sent {
	int have;
	double at; /* clock */
	double power_w;
	long online;
	enum poller_state state;
};

struct uplink {
	const struct config *cfg;
	struct clock *clk;
	struct poller *poller;
	struct store *st; /* the engine's own connection */
	struct mqtt *m;
	char *where;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int started, stopping;

	double next_live; /* clock */
	struct live_sent *live;
	struct poller_station_live *snap;
};

static int topic_for(const struct uplink *u, const char *what, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s/%s", u->cfg->uplink.prefix, u->cfg->county_id, what);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Queues one message with the next revision, built by make(rev), in the caller's
 * transaction. Returns 0 or negative. */
static int queue(struct uplink *u, const char *what, const char *key, char *payload)
{
	char topic[UPLINK_TOPIC_MAX];
	int64_t id;
	int rc = topic_for(u, what, topic, sizeof topic);
	if (rc == 0)
		rc = store_outbox_put_keyed(u->st, topic, payload, clock_wall_now(), key, &id);
	free(payload);
	return rc;
}

/* Queues the county's KPIs of month (YYYY-MM) as `pvrelief health --month` computes them up to
 * now; 0 (also for a malformed month, dropped with a log line) or negative. */
static int kpi(struct uplink *u, const char *month, int64_t rev, double now)
{
	int y, m;
	char tail;
	if (sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 || m < 1 || m > 12) {
		log_warn("%s: month \"%s\" in uplink_dirty is not YYYY-MM; dropped", u->where,
			 month);
		return 0;
	}
	struct health_report r;
	memset(&r, 0, sizeof r);
	double t0, t1;
	char why[512];
	health_gather_period(&r, u->cfg->utc_offset_s, y, m, 0, &t0, &t1);
	int rc = health_gather(u->st, u->cfg, NULL, &r, t0, t1, now, why, sizeof why);
	if (rc == 0) {
		health_summarize(&r);
		char key[32];
		snprintf(key, sizeof key, "kpi/%s", month);
		rc = queue(u, "kpi", key, publish_uplink_kpi(u->cfg, &r, rev, now));
	} else {
		log_err("%s: cannot gather the county KPIs of %s: %s", u->where, month, why);
	}
	health_gather_free(&r);
	return rc;
}

/* Makes the message for one change; 0 (also when the thing is gone), or negative. */
static int handle(struct uplink *u, const struct store_uplink_dirty *d, double now)
{
	int64_t rev;
	char key[128];
	if (store_uplink_next_rev(u->st, &rev) != 0)
		return -1;
	if (strcmp(d->kind, "day") == 0) {
		struct store_eff_day day;
		int rc = store_eff_day_get(u->st, d->a, d->b, &day);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		day.station = d->a;
		snprintf(day.day, sizeof day.day, "%.10s", d->b);
		snprintf(key, sizeof key, "day/%s/%s", d->a, d->b);
		return queue(u, "day", key, publish_uplink_day(u->cfg, &day, rev, now));
	}
	if (strcmp(d->kind, "month") == 0) {
		struct publish_uplink_month mo;
		int rc = store_uplink_month_get(u->st, d->a, d->b, &mo);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		snprintf(key, sizeof key, "month/%s/%s", d->a, d->b);
		return queue(u, "month", key, publish_uplink_month(u->cfg, &mo, rev, now));
	}
	if (strcmp(d->kind, "alert") == 0) {
		struct store_uplink_alert al;
		int rc = store_uplink_alert_get(u->st, strtoll(d->a, NULL, 10), &al);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		/* Events are facts, not figures: none replaces another. */
		snprintf(key, sizeof key, "alert/%s", d->a);
		return queue(u, "alert", key, publish_uplink_alert(u->cfg, &al.a, rev, now));
	}
	if (strcmp(d->kind, "ledger") == 0) {
		int64_t seq;
		char hash[LEDGER_HASH_HEX_LEN + 1];
		if (store_ledger_head(u->st, &seq, hash) != 0)
			return -1;
		/* One head waits at a time: a newer one replaces it, the older is in the chain. */
		return queue(u, "ledger", "ledger",
			     publish_uplink_ledger(u->cfg, seq, hash, rev, now));
	}
	if (strcmp(d->kind, "kpi") == 0)
		return kpi(u, d->a, rev, now);
	log_warn("%s: unknown change kind \"%s\" in uplink_dirty; dropped", u->where, d->kind);
	return 0;
}

/* Turns listed changes into messages; returns how many, or negative. */
static int drain(struct uplink *u, double now)
{
	struct store_uplink_dirty rows[UPLINK_BATCH];
	int total = 0;
	for (;;) {
		if (store_begin(u->st) != 0)
			return -1;
		int n = store_uplink_dirty_list(u->st, rows, UPLINK_BATCH);
		int rc = n < 0 ? -1 : 0;
		for (int i = 0; i < n && rc == 0; i++)
			if ((rc = handle(u, &rows[i], now)) == 0)
				rc = store_uplink_dirty_done(u->st, &rows[i]);
		if (rc != 0) {
			log_err("%s: cannot queue changes for the province in %s: %s; retrying",
				u->where, u->cfg->database.path, store_errmsg(u->st));
			store_rollback(u->st);
			return -1;
		}
		if (store_commit(u->st) != 0)
			return -1;
		total += n;
		if (n < UPLINK_BATCH)
			return total;
	}
}

/* Queues the registry when it differs from the one last queued; 0 or negative. */
static int registry(struct uplink *u, double now)
{
	char *text = publish_uplink_registry(u->cfg, 0, now);
	size_t len = strlen(text) + 1;
	char *old = xmalloc(len + 1);
	int rc = store_meta_get(u->st, "uplink.registry", old, len + 1);
	int same = rc == 0 && strcmp(old, text) == 0;
	free(old);
	if (rc < 0 || same) {
		free(text);
		return rc < 0 ? -1 : 0;
	}
	int64_t rev;
	rc = store_begin(u->st);
	if (rc == 0)
		rc = store_uplink_next_rev(u->st, &rev);
	if (rc == 0)
		rc = queue(u, "registry", "registry", publish_uplink_registry(u->cfg, rev, now));
	if (rc == 0)
		rc = store_meta_set(u->st, "uplink.registry", text);
	if (rc == 0)
		rc = store_commit(u->st);
	else
		store_rollback(u->st);
	free(text);
	if (rc == 0)
		log_info("%s: the station registry changed (%zu stations); queued for the province",
			 u->where, u->cfg->n_stations);
	return rc;
}

/* Queues the live figures of stations that moved past the deadband or whose heartbeat is
 * due; 0 or negative. */
static int live(struct uplink *u, double now)
{
	size_t n = poller_snapshot(u->poller, u->snap, u->cfg->n_stations);
	int rc = store_begin(u->st), sent = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct poller_station_live *s = &u->snap[i];
		struct live_sent *l = &u->live[s->station];
		double p = isfinite(s->power_w) ? s->power_w : 0;
		int due = !l->have || now - l->at >= u->cfg->uplink.heartbeat_s ||
			  fabs(p - l->power_w) >= u->cfg->uplink.deadband_w ||
			  (long)s->online != l->online || s->state != l->state;
		if (!due)
			continue;
		const char *id = u->cfg->stations[s->station].id;
		struct publish_uplink_live pl = {
		    .station = id,
		    .state = poller_state_name(s->state),
		    .power_w = s->power_w,
		    .energy_today_wh = s->energy_today_wh,
		    .devices = (long)s->devices,
		    .online = (long)s->online,
		};
		int64_t rev;
		char key[96];
		snprintf(key, sizeof key, "live/%s", id);
		rc = store_uplink_next_rev(u->st, &rev);
		if (rc == 0)
			rc = queue(u, "live", key, publish_uplink_live(u->cfg, &pl, rev, now));
		if (rc == 0) {
			*l = (struct live_sent){1, now, p, (long)s->online, s->state};
			sent++;
		}
	}
	if (rc == 0)
		rc = store_commit(u->st);
	else
		store_rollback(u->st);
	if (rc != 0) {
		/* Forget what was sent so that the next round sends everything again. */
		memset(u->live, 0, u->cfg->n_stations * sizeof *u->live);
		log_err("%s: cannot queue the live summary in %s: %s", u->where,
			u->cfg->database.path, store_errmsg(u->st));
	}
	return rc;
}

static void *engine_main(void *arg)
{
	struct uplink *u = arg;
	int reg_done = 0;
	pthread_mutex_lock(&u->mu);
	while (!u->stopping) {
		pthread_mutex_unlock(&u->mu);
		double now = clock_now(u->clk);
		int queued = 0;
		if (!reg_done && registry(u, now) == 0) {
			reg_done = 1;
			queued = 1;
		}
		if (drain(u, now) > 0)
			queued = 1;
		if (u->poller && now >= u->next_live) {
			if (live(u, now) == 0)
				queued = 1;
			u->next_live = now + u->cfg->uplink.live_interval_s;
		}
		if (queued)
			mqtt_notify(u->m);
		pthread_mutex_lock(&u->mu);
		if (u->stopping)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += UPLINK_TICK_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&u->cv, &u->mu, &ts);
	}
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

struct uplink *uplink_new(const struct config *cfg, struct clock *clk, struct poller *poller)
{
	char err[512];
	struct store *st = store_open(cfg->database.path, 0, err, sizeof err);
	if (!st) {
		log_err("uplink: %s", err);
		return NULL;
	}
	store_set_max_size(st, cfg->database.max_size_mb);
	/* The first start of an uplink on a county with history sends that history. */
	char buf[8];
	int had =
	    store_meta_get(st, "uplink.enabled", buf, sizeof buf) == 0 && strcmp(buf, "1") == 0;
	long marked = 0;
	if (store_begin(st) != 0 || store_uplink_enable(st, 1) != 0 ||
	    (!had && (marked = store_uplink_mark_all(st)) < 0) || store_commit(st) != 0) {
		log_err("uplink: cannot enable the change list in %s: %s", cfg->database.path,
			store_errmsg(st));
		store_rollback(st);
		store_close(st);
		return NULL;
	}
	struct mqtt_link l = {
	    .name = "uplink",
	    .host = cfg->uplink.host,
	    .port = cfg->uplink.port,
	    .tls = cfg->uplink.tls,
	    .keepalive_s = cfg->uplink.keepalive_s,
	    .client_id = cfg->uplink.client_id,
	    .prefix = cfg->uplink.prefix,
	    .ca_file = cfg->uplink.ca_file,
	    .cert_file = cfg->uplink.cert_file,
	    .key_file = cfg->uplink.key_file,
	    .username = cfg->uplink.username,
	    .password = cfg->uplink.password,
	    .box = STORE_OUTBOX_UPLINK,
	};
	struct mqtt *m =
	    mqtt_new_link(&l, cfg->county_id, cfg->database.path, cfg->database.max_size_mb);
	if (!m) {
		store_close(st);
		return NULL;
	}
	struct uplink *u = xcalloc(1, sizeof *u);
	u->cfg = cfg;
	u->clk = clk;
	u->poller = poller;
	u->st = st;
	u->m = m;
	u->where = xasprintf("uplink to %s:%d", cfg->uplink.host, cfg->uplink.port);
	u->live = xcalloc(cfg->n_stations ? cfg->n_stations : 1, sizeof *u->live);
	u->snap = xcalloc(cfg->n_stations ? cfg->n_stations : 1, sizeof *u->snap);
	pthread_mutex_init(&u->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&u->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (marked > 0)
		log_info("%s: first start; %ld stored station-days and months queued", u->where,
			 marked);
	return u;
}

int uplink_start(struct uplink *u)
{
	if (u->started)
		return 0;
	if (mqtt_start(u->m) != 0)
		return -1;
	u->stopping = 0;
	int rc = pthread_create(&u->thread, NULL, engine_main, u);
	if (rc != 0) {
		log_err("%s: cannot start its thread: %s", u->where, strerror(rc));
		return -1;
	}
	u->started = 1;
	return 0;
}

void uplink_stop(struct uplink *u, int timeout_ms)
{
	if (u->started) {
		pthread_mutex_lock(&u->mu);
		u->stopping = 1;
		pthread_cond_broadcast(&u->cv);
		pthread_mutex_unlock(&u->mu);
		pthread_join(u->thread, NULL);
		u->started = 0;
		/* The engines stopped before the uplink may have written a last figure since the
		 * thread's last look: queue it now, so that the transport delivers it with the
		 * rest. */
		if (drain(u, clock_now(u->clk)) > 0)
			mqtt_notify(u->m);
	}
	mqtt_stop(u->m, timeout_ms);
}

void uplink_free(struct uplink *u)
{
	if (!u)
		return;
	uplink_stop(u, 1000);
	mqtt_free(u->m);
	store_close(u->st);
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->mu);
	free(u->live);
	free(u->snap);
	free(u->where);
	free(u);
}

int uplink_disable(const char *db_path)
{
	char err[512];
	struct store *st = store_open(db_path, 0, err, sizeof err);
	if (!st) {
		log_err("uplink: %s", err);
		return -1;
	}
	int rc = store_uplink_enable(st, 0);
	store_close(st);
	return rc;
}
