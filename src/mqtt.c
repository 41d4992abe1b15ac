/* MQTT transport over paho's asynchronous client.
 *
 * One sender thread does all the publishing, so that what leaves the process leaves in the
 * order it was decided: first the online status of a new session, then the latest state
 * messages, then outbox events by rising id, at most MQTT_WINDOW of them unacknowledged.
 * Paho's callbacks only record outcomes: an acknowledged event is deleted from the outbox
 * there and then, under the same lock the sender reads the outbox with, so a deleted row is
 * never sent again.
 *
 * Every connection attempt gets a fresh paho client (a "session" here). When a connection
 * dies, its client is destroyed with whatever paho still had queued, and the next session
 * starts again from the lowest id left in the outbox. Paho's automatic reconnect is not used
 * because it would replay the old session's queue after our resends and break the order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <MQTTAsync.h>

#include "pvrelief/clock.h"
#include "pvrelief/complain.h"
#include "pvrelief/config.h"
#include "pvrelief/log.h"
#include "pvrelief/mqtt.h"
#include "pvrelief/publish.h"
#include "pvrelief/store.h"
#include "pvrelief/store_outbox.h"
#include "pvrelief/xalloc.h"

enum {
	/* Unacknowledged events at a time: enough to fill a slow 4G round trip, few enough
	 * that a reconnect resends little. */
	MQTT_WINDOW = 16,
	MQTT_BACKOFF_MIN_S = 1,
	MQTT_BACKOFF_MAX_S = 30,
	MQTT_CONNECT_TIMEOUT_S = 10,
	MQTT_TOPIC_MAX = 512,
};

enum link_state { LINK_DOWN, LINK_CONNECTING, LINK_UP };

enum rec_kind { REC_LINK, REC_EVENT, REC_STATE, REC_STATUS, REC_OFFLINE, REC_DISCONNECT };

/* The latest value of one state topic. Entries live until mqtt_free, since the set of
 * topics (a few per station) is small and fixed. */
struct state_msg {
	struct state_msg *next;
	char *topic; /* full topic */
	char *payload;
	int retain;
	uint64_t version;      /* of the current payload */
	uint64_t sent_version; /* sent in the current session; 0 for none */
	uint64_t acked_version;
};

/* The context of a paho callback. Records stay on a list until their callback runs or
 * their session's client is destroyed, because paho drops the callbacks of a dead
 * connection without calling them. */
struct rec {
	struct rec *prev, *next;
	struct mqtt *m;
	enum rec_kind kind;
	unsigned session;
	int64_t id;		 /* REC_EVENT: outbox id */
	struct state_msg *state; /* REC_STATE */
	uint64_t version;	 /* REC_STATE */
};

struct mqtt {
	/* Settings, copied from the configuration. */
	char *uri, *where, *client_id, *prefix, *county, *ha_prefix;
	char *username, *password, *ca_file, *cert_file, *key_file;
	int tls, keepalive_s, ha_discovery;
	char *status_topic, *will_payload;
	char *db_path;
	enum store_outbox_box box; /* which outbox this transport empties */
	struct store *st;	   /* own connection; used only under mu */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int started, stopping;

	/* The link. cli is touched only by the sender thread, and by mqtt_stop after it has
	 * joined that thread. */
	MQTTAsync cli;
	unsigned session;
	enum link_state link;
	int need_status;
	time_t since;
	double next_attempt_s; /* monotonic */
	int backoff_s;
	/* Losses and failed attempts since the last session: the first is logged, then fewer
	 * and fewer, and the recovery once. */
	struct complaint trouble;

	/* Event window of the current session. */
	int64_t last_sent_id;
	int inflight;

	struct state_msg *states;
	uint64_t state_counter;
	struct rec *recs;

	int offline_acked, disconnected; /* mqtt_stop */
	uint64_t delivered, failures, connect_failures, connects;
};

static struct rec *rec_new(struct mqtt *m, enum rec_kind kind)
{
	struct rec *r = xcalloc(1, sizeof *r);
	r->m = m;
	r->kind = kind;
	r->session = m->session;
	r->next = m->recs;
	if (m->recs)
		m->recs->prev = r;
	m->recs = r;
	return r;
}

static void rec_free(struct mqtt *m, struct rec *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		m->recs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	free(r);
}

/* Frees the records of a session whose client has been destroyed. */
static void recs_free_session(struct mqtt *m, unsigned session)
{
	struct rec *r = m->recs, *next;
	for (; r; r = next) {
		next = r->next;
		if (r->session == session)
			rec_free(m, r);
	}
}

static double deadline_after(double s)
{
	return clock_monotonic_now() + s;
}

/* Waits on the condition until woken or until the monotonic deadline. */
static void wait_until(struct mqtt *m, double deadline_s)
{
	double left = deadline_s - clock_monotonic_now();
	if (left <= 0)
		return;
	/* The condition variable runs on CLOCK_MONOTONIC (see mqtt_new). */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double whole = (double)(long)left;
	ts.tv_sec += (time_t)whole;
	ts.tv_nsec += (long)((left - whole) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&m->cv, &m->mu, &ts);
}

/* ---- paho callbacks: they only record outcomes, under mu ---- */

static void schedule_retry(struct mqtt *m)
{
	m->next_attempt_s = deadline_after(m->backoff_s);
	m->backoff_s =
	    m->backoff_s * 2 > MQTT_BACKOFF_MAX_S ? MQTT_BACKOFF_MAX_S : m->backoff_s * 2;
}

static void on_connected(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	struct rec *r = ctx;
	struct mqtt *m = r->m;
	pthread_mutex_lock(&m->mu);
	if (r->session == m->session && m->link == LINK_CONNECTING) {
		m->link = LINK_UP;
		m->connects++;
		m->need_status = 1;
		m->since = time(NULL);
		m->backoff_s = MQTT_BACKOFF_MIN_S;
		long waiting = store_outbox_count_in(m->st, m->box);
		if (!complain_release(&m->trouble, clock_monotonic_now(),
				      "%s: connection restored; %ld events waiting in the outbox",
				      m->where, waiting))
			log_info("%s: connected; %ld events waiting in the outbox", m->where,
				 waiting);
		pthread_cond_broadcast(&m->cv);
	}
	pthread_mutex_unlock(&m->mu);
}

static void on_connect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	struct rec *r = ctx;
	struct mqtt *m = r->m;
	pthread_mutex_lock(&m->mu);
	if (r->session == m->session && m->link == LINK_CONNECTING) {
		m->link = LINK_DOWN;
		m->connect_failures++;
		const char *why = resp && resp->message ? resp->message
				  : resp		? MQTTAsync_strerror(resp->code)
							: "unknown error";
		if (!complain(&m->trouble, clock_monotonic_now(),
			      "%s: cannot connect (%s, code %d); retrying with backoff up to %d s",
			      m->where, why, resp ? resp->code : 0, MQTT_BACKOFF_MAX_S))
			log_debug("%s: connection attempt failed: %s", m->where, why);
		schedule_retry(m);
		pthread_cond_broadcast(&m->cv);
	}
	pthread_mutex_unlock(&m->mu);
}

static void on_connection_lost(void *ctx, char *cause)
{
	struct rec *r = ctx;
	struct mqtt *m = r->m;
	pthread_mutex_lock(&m->mu);
	if (r->session == m->session && m->link == LINK_UP) {
		m->link = LINK_DOWN;
		complain(&m->trouble, clock_monotonic_now(),
			 "%s: connection lost (%s); reconnecting with backoff, events wait in the "
			 "outbox",
			 m->where, cause ? cause : "no reason given");
		m->backoff_s = MQTT_BACKOFF_MIN_S;
		schedule_retry(m);
		pthread_cond_broadcast(&m->cv);
	}
	pthread_mutex_unlock(&m->mu);
	/* Paho hands over the cause string for us to free. */
	MQTTAsync_free(cause);
}

/* Nothing is subscribed, but paho wants the callback. */
static int on_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	(void)ctx;
	(void)topic_len;
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

static void on_published(void *ctx, MQTTAsync_successData *resp)
{
	(void)resp;
	struct rec *r = ctx;
	struct mqtt *m = r->m;
	pthread_mutex_lock(&m->mu);
	switch (r->kind) {
	case REC_EVENT: {
		/* The acknowledgement and the deletion happen together under mu, and the sender
		 * reads the outbox under mu: the row cannot be picked for sending again. */
		int rc = store_outbox_delete_in(m->st, m->box, r->id);
		if (rc == 1)
			m->delivered++;
		else if (rc < 0)
			log_err(
			    "%s: event %lld was delivered but cannot be deleted from the outbox "
			    "in %s (%s); it may be sent again",
			    m->where, (long long)r->id, m->db_path, store_errmsg(m->st));
		if (r->session == m->session)
			m->inflight--;
		break;
	}
	case REC_STATE:
		if (r->version > r->state->acked_version)
			r->state->acked_version = r->version;
		if (r->session == m->session)
			m->inflight--;
		break;
	case REC_OFFLINE:
		m->offline_acked = 1;
		break;
	case REC_DISCONNECT:
		m->disconnected = 1;
		break;
	default:
		break;
	}
	rec_free(m, r);
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

static void on_publish_failed(void *ctx, MQTTAsync_failureData *resp)
{
	struct rec *r = ctx;
	struct mqtt *m = r->m;
	pthread_mutex_lock(&m->mu);
	if (r->kind == REC_DISCONNECT) {
		m->disconnected = 1;
	} else {
		m->failures++;
		if (r->session == m->session && (r->kind == REC_EVENT || r->kind == REC_STATE))
			m->inflight--;
		/* A failed publish on a live session would leave a hole in the order; start a
		 * new session, which resends from the lowest id still in the outbox. */
		if (r->session == m->session && m->link == LINK_UP && r->kind != REC_OFFLINE) {
			complain(&m->trouble, clock_monotonic_now(),
				 "%s: publish failed (%s); starting a new session", m->where,
				 resp && resp->message
				     ? resp->message
				     : MQTTAsync_strerror(resp ? resp->code : -1));
			m->link = LINK_DOWN;
			schedule_retry(m);
		}
	}
	rec_free(m, r);
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

static int on_tls_error(const char *str, size_t len, void *ctx)
{
	struct mqtt *m = ctx;
	/* OpenSSL's details of a failed handshake; the failure itself is logged once per
	 * outage by on_connect_failed, so these go to debug to keep retries quiet. */
	log_debug("%s: TLS: %.*s", m->where, (int)len, str);
	return 0;
}

/* ---- the sender thread ---- */

/* Sends one message on the current client; called without mu. Returns paho's code. */
static int send_one(struct mqtt *m, const char *topic, const char *payload, int qos, int retain,
		    struct rec *r)
{
	MQTTAsync_message msg = MQTTAsync_message_initializer;
	MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
	msg.payload = (void *)(uintptr_t)payload;
	msg.payloadlen = (int)strlen(payload);
	msg.qos = qos;
	msg.retained = retain;
	opts.onSuccess = on_published;
	opts.onFailure = on_publish_failed;
	opts.context = r;
	return MQTTAsync_sendMessage(m->cli, topic, &msg, &opts);
}

/* After a send that paho refused (so no callback will come): drops the record and starts a
 * new session, since the order can only be kept by resending from the lowest id. Under mu. */
static void send_refused(struct mqtt *m, struct rec *r, int rc, const char *topic)
{
	if ((r->kind == REC_EVENT || r->kind == REC_STATE) && r->session == m->session)
		m->inflight--;
	rec_free(m, r);
	m->failures++;
	if (m->link == LINK_UP) {
		complain(&m->trouble, clock_monotonic_now(),
			 "%s: cannot publish to %s (%s); starting a new session", m->where, topic,
			 MQTTAsync_strerror(rc));
		m->link = LINK_DOWN;
		schedule_retry(m);
	}
}

/* Sends what is due on a live session; under mu, released around each send. Returns 1 if
 * it sent something, 0 if there was nothing to do. */
static int send_due(struct mqtt *m)
{
	unsigned session = m->session;
	if (m->need_status) {
		m->need_status = 0;
		char *payload = publish_status("online", m->since);
		struct rec *r = rec_new(m, REC_STATUS);
		pthread_mutex_unlock(&m->mu);
		int rc = send_one(m, m->status_topic, payload, 1, 1, r);
		pthread_mutex_lock(&m->mu);
		if (rc != MQTTASYNC_SUCCESS)
			send_refused(m, r, rc, m->status_topic);
		free(payload);
		return 1;
	}
	/* States and events share one window of unacknowledged messages, so that a burst of
	 * retained states (a county's worth each round) never overflows paho's buffer. */
	for (struct state_msg *s = m->states; s && m->inflight < MQTT_WINDOW; s = s->next) {
		if (s->version == s->sent_version || s->version == s->acked_version)
			continue;
		s->sent_version = s->version;
		m->inflight++;
		char *topic = xstrdup(s->topic), *payload = xstrdup(s->payload);
		int retain = s->retain;
		struct rec *r = rec_new(m, REC_STATE);
		r->state = s;
		r->version = s->version;
		pthread_mutex_unlock(&m->mu);
		int rc = send_one(m, topic, payload, 1, retain, r);
		pthread_mutex_lock(&m->mu);
		if (rc != MQTTASYNC_SUCCESS)
			send_refused(m, r, rc, topic);
		free(topic);
		free(payload);
		return 1;
	}
	if (m->inflight >= MQTT_WINDOW)
		return 0;
	struct store_outbox_row rows[MQTT_WINDOW];
	int n =
	    store_outbox_fetch_in(m->st, m->box, m->last_sent_id, rows, MQTT_WINDOW - m->inflight);
	if (n < 0) {
		log_err("%s: cannot read the outbox in %s (%s); retrying in %d s", m->where,
			m->db_path, store_errmsg(m->st), MQTT_BACKOFF_MIN_S);
		wait_until(m, deadline_after(MQTT_BACKOFF_MIN_S));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (m->session != session || m->link != LINK_UP)
			break;
		m->last_sent_id = rows[i].id;
		m->inflight++;
		struct rec *r = rec_new(m, REC_EVENT);
		r->id = rows[i].id;
		pthread_mutex_unlock(&m->mu);
		int rc = send_one(m, rows[i].topic, rows[i].payload, rows[i].qos, 0, r);
		pthread_mutex_lock(&m->mu);
		if (rc != MQTTASYNC_SUCCESS)
			send_refused(m, r, rc, rows[i].topic);
	}
	store_outbox_rows_free(rows, n);
	return n > 0;
}

/* Creates a client for a new session and starts connecting; without mu. Returns 0 or the
 * paho code. */
static int link_open(struct mqtt *m, struct rec *link)
{
	MQTTAsync_createOptions copts = MQTTAsync_createOptions_initializer;
	MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
	MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	copts.sendWhileDisconnected = 0;
	int rc = MQTTAsync_createWithOptions(&m->cli, m->uri, m->client_id,
					     MQTTCLIENT_PERSISTENCE_NONE, NULL, &copts);
	if (rc != MQTTASYNC_SUCCESS) {
		m->cli = NULL;
		return rc;
	}
	rc = MQTTAsync_setCallbacks(m->cli, link, on_connection_lost, on_message, NULL);
	if (rc != MQTTASYNC_SUCCESS)
		return rc;
	will.topicName = m->status_topic;
	will.message = m->will_payload;
	will.retained = 1;
	will.qos = 1;
	o.will = &will;
	o.keepAliveInterval = m->keepalive_s;
	/* Our outbox is the session state that matters; a clean session keeps the broker
	 * from replaying an old session's messages after our own resends. */
	o.cleansession = 1;
	o.connectTimeout = MQTT_CONNECT_TIMEOUT_S;
	o.automaticReconnect = 0;
	o.MQTTVersion = MQTTVERSION_3_1_1;
	o.onSuccess = on_connected;
	o.onFailure = on_connect_failed;
	o.context = link;
	if (m->username)
		o.username = m->username;
	if (m->password)
		o.password = m->password;
	if (m->tls) {
		/* The broker's certificate is always verified, against ca_file or the system's
		 * trust store, and must name the host we asked for. */
		ssl.trustStore = m->ca_file;
		ssl.keyStore = m->cert_file;
		ssl.privateKey = m->key_file;
		ssl.enableServerCertAuth = 1;
		ssl.verify = 1;
		ssl.sslVersion = MQTT_SSL_VERSION_TLS_1_2;
		ssl.ssl_error_cb = on_tls_error;
		ssl.ssl_error_context = m;
		o.ssl = &ssl;
	}
	return MQTTAsync_connect(m->cli, &o);
}

static void *sender_main(void *arg)
{
	struct mqtt *m = arg;
	pthread_mutex_lock(&m->mu);
	while (!m->stopping) {
		if (m->link == LINK_DOWN) {
			if (clock_monotonic_now() < m->next_attempt_s) {
				wait_until(m, m->next_attempt_s);
				continue;
			}
			/* A new session: the old client goes with everything it still held,
			 * and the window restarts from the lowest id in the outbox. */
			MQTTAsync old = m->cli;
			unsigned old_session = m->session;
			m->cli = NULL;
			m->session++;
			m->inflight = 0;
			m->last_sent_id = 0;
			m->need_status = 0;
			for (struct state_msg *s = m->states; s; s = s->next)
				s->sent_version = 0;
			m->link = LINK_CONNECTING;
			struct rec *link = rec_new(m, REC_LINK);
			pthread_mutex_unlock(&m->mu);
			if (old)
				MQTTAsync_destroy(&old);
			pthread_mutex_lock(&m->mu);
			recs_free_session(m, old_session);
			pthread_mutex_unlock(&m->mu);
			int rc = link_open(m, link);
			pthread_mutex_lock(&m->mu);
			if (rc != MQTTASYNC_SUCCESS && m->link == LINK_CONNECTING &&
			    link->session == m->session) {
				m->link = LINK_DOWN;
				m->connect_failures++;
				complain(&m->trouble, clock_monotonic_now(),
					 "%s: cannot start connecting (%s); retrying with backoff",
					 m->where, MQTTAsync_strerror(rc));
				schedule_retry(m);
			}
			continue;
		}
		if (m->link == LINK_CONNECTING) {
			pthread_cond_wait(&m->cv, &m->mu);
			continue;
		}
		if (!send_due(m) && !m->stopping && m->link == LINK_UP)
			pthread_cond_wait(&m->cv, &m->mu);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

/* ---- API ---- */

static char *opt_str(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

struct mqtt *mqtt_new_link(const struct mqtt_link *l, const char *county, const char *db_path,
			   int max_size_mb)
{
	char err[512];
	struct store *st = store_open(db_path, 0, err, sizeof err);
	if (!st) {
		log_err("%s outbox: %s", l->name, err);
		return NULL;
	}
	store_set_max_size(st, max_size_mb);
	struct mqtt *m = xcalloc(1, sizeof *m);
	m->st = st;
	m->box = l->box;
	m->db_path = xstrdup(db_path);
	m->tls = l->tls;
	m->uri = xasprintf("%s://%s:%d", m->tls ? "ssl" : "tcp", l->host, l->port);
	m->client_id = xstrdup(l->client_id);
	m->where =
	    xasprintf("%s broker %s:%d (client %s)", l->name, l->host, l->port, m->client_id);
	m->prefix = xstrdup(l->prefix);
	m->county = xstrdup(county);
	m->ha_prefix = xstrdup(l->ha_prefix ? l->ha_prefix : "homeassistant");
	m->ha_discovery = l->ha_discovery;
	m->keepalive_s = l->keepalive_s > 0 ? l->keepalive_s : 30;
	m->username = opt_str(l->username);
	m->password = opt_str(l->password);
	m->ca_file = opt_str(l->ca_file);
	m->cert_file = opt_str(l->cert_file);
	m->key_file = opt_str(l->key_file);
	m->status_topic = xasprintf("%s/%s/status", m->prefix, m->county);
	m->will_payload = publish_status("offline", 0);
	m->backoff_s = MQTT_BACKOFF_MIN_S;
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	return m;
}

struct mqtt *mqtt_new(const struct config *cfg, const char *db_path)
{
	struct mqtt_link l = {
	    .name = "mqtt",
	    .host = cfg->mqtt.host,
	    .port = cfg->mqtt.port,
	    .tls = cfg->mqtt.tls,
	    .client_id = cfg->mqtt.client_id,
	    .prefix = cfg->mqtt.prefix,
	    .keepalive_s = cfg->mqtt.keepalive_s,
	    .ca_file = cfg->mqtt.ca_file,
	    .cert_file = cfg->mqtt.cert_file,
	    .key_file = cfg->mqtt.key_file,
	    .username = cfg->mqtt.username,
	    .password = cfg->mqtt.password,
	    .ha_discovery = cfg->mqtt.ha_discovery,
	    .ha_prefix = cfg->mqtt.ha_prefix,
	    .box = STORE_OUTBOX_ALERTS,
	};
	return mqtt_new_link(&l, cfg->county_id, db_path, cfg->database.max_size_mb);
}

int mqtt_start(struct mqtt *m)
{
	if (m->started)
		return 0;
	m->stopping = 0;
	m->link = LINK_DOWN;
	m->next_attempt_s = 0;
	int rc = pthread_create(&m->thread, NULL, sender_main, m);
	if (rc != 0) {
		log_err("%s: cannot start the sender thread: %s", m->where, strerror(rc));
		return -1;
	}
	m->started = 1;
	return 0;
}

/* Whether anything is still to be published; under mu. */
static int work_left(struct mqtt *m)
{
	if (m->need_status)
		return 1;
	for (struct state_msg *s = m->states; s; s = s->next)
		if (s->version != s->acked_version)
			return 1;
	return store_outbox_count_in(m->st, m->box) != 0;
}

int mqtt_stop(struct mqtt *m, int timeout_ms)
{
	if (!m->started)
		return 0;
	double start = clock_monotonic_now();
	double end = start + timeout_ms / 1000.0;
	/* Most of the time goes to delivering; the rest to saying goodbye. */
	double flush_end = start + timeout_ms * 0.75 / 1000.0;
	pthread_mutex_lock(&m->mu);
	while (m->link != LINK_DOWN && work_left(m) && clock_monotonic_now() < flush_end)
		wait_until(m, flush_end);
	m->stopping = 1;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	m->started = 0;

	pthread_mutex_lock(&m->mu);
	int up = m->link == LINK_UP;
	m->offline_acked = m->disconnected = 0;
	struct rec *off = up ? rec_new(m, REC_OFFLINE) : NULL;
	struct rec *disc = up ? rec_new(m, REC_DISCONNECT) : NULL;
	pthread_mutex_unlock(&m->mu);
	if (up) {
		/* The broker sends the will only when a client vanishes; a clean disconnect must
		 * say offline itself. */
		int rc = send_one(m, m->status_topic, m->will_payload, 1, 1, off);
		pthread_mutex_lock(&m->mu);
		if (rc != MQTTASYNC_SUCCESS)
			rec_free(m, off);
		while (rc == MQTTASYNC_SUCCESS && !m->offline_acked && m->link == LINK_UP &&
		       clock_monotonic_now() < end)
			wait_until(m, end);
		pthread_mutex_unlock(&m->mu);
		MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
		double left_ms = (end - clock_monotonic_now()) * 1000.0;
		d.timeout = left_ms > 0 ? (int)left_ms : 0;
		d.onSuccess = on_published;
		d.onFailure = on_publish_failed;
		d.context = disc;
		rc = MQTTAsync_disconnect(m->cli, &d);
		pthread_mutex_lock(&m->mu);
		if (rc != MQTTASYNC_SUCCESS)
			rec_free(m, disc);
		while (rc == MQTTASYNC_SUCCESS && !m->disconnected && clock_monotonic_now() < end)
			wait_until(m, end);
		pthread_mutex_unlock(&m->mu);
	}
	MQTTAsync old = m->cli;
	m->cli = NULL;
	if (old)
		MQTTAsync_destroy(&old);
	pthread_mutex_lock(&m->mu);
	/* No client is left, so no callback can come for any record. */
	while (m->recs)
		rec_free(m, m->recs);
	m->link = LINK_DOWN;
	m->inflight = 0;
	m->last_sent_id = 0;
	long left = store_outbox_count_in(m->st, m->box);
	pthread_mutex_unlock(&m->mu);
	if (left != 0) {
		log_info("%s: stopped with %ld events waiting in the outbox %s for the next start",
			 m->where, left, m->db_path);
		return -1;
	}
	log_info("%s: stopped; outbox empty", m->where);
	return 0;
}

void mqtt_free(struct mqtt *m)
{
	if (!m)
		return;
	/* A caller that did not stop gets a short goodbye rather than none. */
	mqtt_stop(m, 1000);
	while (m->states) {
		struct state_msg *s = m->states;
		m->states = s->next;
		free(s->topic);
		free(s->payload);
		free(s);
	}
	store_close(m->st);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	if (m->password)
		explicit_bzero(m->password, strlen(m->password));
	char *strs[] = {m->uri,	      m->where,	       m->client_id,	m->prefix,  m->county,
			m->ha_prefix, m->username,     m->password,	m->ca_file, m->cert_file,
			m->key_file,  m->status_topic, m->will_payload, m->db_path};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(strs[i]);
	free(m);
}

static int topic_ok(const char *suffix)
{
	return suffix && *suffix && !strpbrk(suffix, "#+") && suffix[0] != '/';
}

int mqtt_topic(const struct mqtt *m, const char *suffix, char *buf, size_t len)
{
	if (!topic_ok(suffix))
		return -1;
	int n = snprintf(buf, len, "%s/%s/%s", m->prefix, m->county, suffix);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Replaces the latest value of a state topic (full name) and wakes the sender. */
static void state_put(struct mqtt *m, const char *topic, const char *payload, int retain)
{
	pthread_mutex_lock(&m->mu);
	struct state_msg *s = m->states;
	while (s && strcmp(s->topic, topic) != 0)
		s = s->next;
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->topic = xstrdup(topic);
		s->next = m->states;
		m->states = s;
	}
	free(s->payload);
	s->payload = xstrdup(payload);
	s->retain = retain;
	s->version = ++m->state_counter;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

int mqtt_publish_state(struct mqtt *m, const char *topic_suffix, const char *json_text, int retain)
{
	char topic[MQTT_TOPIC_MAX];
	if (mqtt_topic(m, topic_suffix, topic, sizeof topic) != 0 || !json_text) {
		log_err("%s: bad state topic \"%s\"", m->where, topic_suffix ? topic_suffix : "");
		return -1;
	}
	state_put(m, topic, json_text, retain);
	return 0;
}

void mqtt_notify(struct mqtt *m)
{
	pthread_mutex_lock(&m->mu);
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

int mqtt_enqueue(struct mqtt *m, const char *topic_suffix, const char *json_text, double created_ts)
{
	char topic[MQTT_TOPIC_MAX];
	if (mqtt_topic(m, topic_suffix, topic, sizeof topic) != 0 || !json_text) {
		log_err("%s: bad event topic \"%s\"", m->where, topic_suffix ? topic_suffix : "");
		return -1;
	}
	int64_t id;
	pthread_mutex_lock(&m->mu);
	int rc = store_outbox_add_in(m->st, m->box, topic, json_text, 1, created_ts, &id);
	if (rc != 0)
		log_err("%s: cannot store an event for %s in the outbox %s: %s", m->where, topic,
			m->db_path, store_errmsg(m->st));
	else
		pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	return rc != 0 ? -1 : 0;
}

int mqtt_ha_discovery(struct mqtt *m, const char *station_id, const char *station_name,
		      const char *state_suffix)
{
	if (!m->ha_discovery)
		return 0;
	char state_topic[MQTT_TOPIC_MAX];
	if (!station_id || !*station_id || !station_name ||
	    mqtt_topic(m, state_suffix, state_topic, sizeof state_topic) != 0) {
		log_err("%s: bad Home Assistant discovery request for station \"%s\"", m->where,
			station_id ? station_id : "");
		return -1;
	}
	struct publish_msg msgs[PUBLISH_HA_ENTITIES];
	size_t n = publish_ha_discovery(m->ha_prefix, m->county, station_id, station_name,
					state_topic, m->status_topic, msgs);
	for (size_t i = 0; i < n; i++) {
		state_put(m, msgs[i].topic, msgs[i].payload, 1);
		free(msgs[i].topic);
		free(msgs[i].payload);
	}
	return 0;
}

void mqtt_stats(struct mqtt *m, struct mqtt_stats *out)
{
	pthread_mutex_lock(&m->mu);
	out->connected = m->link == LINK_UP;
	out->outbox_len = store_outbox_count_in(m->st, m->box);
	out->delivered = m->delivered;
	out->failures = m->failures;
	out->connect_failures = m->connect_failures;
	out->connects = m->connects;
	pthread_mutex_unlock(&m->mu);
}
