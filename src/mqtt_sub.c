/* The subscribing half of the paho adapter: a persistent session (clean session off) to which
 * the broker delivers at QoS 1. One thread keeps the connection: it connects, and after a
 * failure or a lost connection connects again with a growing backoff; the subscription is
 * renewed on every connection, which costs nothing on a resumed session and recreates it on a
 * broker that lost it.
 *
 * When the acknowledgement goes (paho 1.3, MQTTAsync): a QoS 1 message that arrives while
 * paho's queue of received messages is empty is handed to the handler on paho's receive
 * thread before paho sends its PUBACK, so a handler that commits before returning has stored
 * it before the broker forgets it. A message that arrives while that queue is not empty (a
 * handler returned false, or the queue was restored at start) is appended to the queue and
 * acknowledged at once, and handed over later. With persistence on, paho writes a queued
 * message to its store before that PUBACK (persistQueueEntry), deletes it only after the
 * handler returned true (unpersistQueueEntry), and reads the store back into the queue when
 * the client is created (restoreMessageQueue). So with a persistence folder and a handler that
 * keeps the message (commits it, or writes it to a journal) before returning true, a SIGKILL
 * at any point leaves every message either kept, still at the broker, or in that folder:
 * nothing acknowledged is lost. Paho's file store
 * does not fsync, so this holds for a killed process, not for a power cut of the machine.
 * Paho empties that store when the broker answers a connect with no session (the broker lost
 * it): run the broker with persistence. */
#include "pvrelief/mqtt_sub.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <MQTTAsync.h>

#include "pvrelief/clock.h"
#include "pvrelief/complain.h"
#include "pvrelief/log.h"
#include "pvrelief/mqtt.h"
#include "pvrelief/xalloc.h"

enum { SUB_BACKOFF_MIN_S = 1, SUB_BACKOFF_MAX_S = 30, SUB_CONNECT_TIMEOUT_S = 10 };

enum sub_state { SUB_DOWN, SUB_CONNECTING, SUB_UP };

struct mqtt_sub {
	char *uri, *client_id, *filter, *where, *persist_dir;
	char *username, *password, *ca_file, *cert_file, *key_file;
	int tls, keepalive_s;
	mqtt_sub_handler fn;
	void *ctx;

	MQTTAsync cli;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int started, stopping;
	enum sub_state state;
	double next_attempt_s;
	int backoff_s;
	struct complaint trouble;
	uint64_t received, connects, connect_failures;
};

static char *opt_str(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static void retry_later(struct mqtt_sub *s)
{
	s->state = SUB_DOWN;
	s->next_attempt_s = clock_monotonic_now() + s->backoff_s;
	s->backoff_s = s->backoff_s * 2 > SUB_BACKOFF_MAX_S ? SUB_BACKOFF_MAX_S : s->backoff_s * 2;
	pthread_cond_broadcast(&s->cv);
}

static void on_subscribed(void *ctx, MQTTAsync_successData *resp)
{
	struct mqtt_sub *s = ctx;
	int granted = resp ? resp->alt.qos : -1;
	if (granted != 1)
		log_warn("%s: the broker granted QoS %d for %s instead of 1", s->where, granted,
			 s->filter);
	else
		log_debug("%s: subscribed to %s", s->where, s->filter);
}

static void on_subscribe_failed(void *ctx, MQTTAsync_failureData *resp)
{
	struct mqtt_sub *s = ctx;
	log_err("%s: cannot subscribe to %s (%s); reconnecting", s->where, s->filter,
		resp && resp->message ? resp->message : "refused");
	pthread_mutex_lock(&s->mu);
	if (s->state == SUB_UP)
		retry_later(s);
	pthread_mutex_unlock(&s->mu);
}

static void on_connected(void *ctx, MQTTAsync_successData *resp)
{
	struct mqtt_sub *s = ctx;
	int present = resp ? resp->alt.connect.sessionPresent : 0;
	pthread_mutex_lock(&s->mu);
	s->state = SUB_UP;
	s->connects++;
	s->backoff_s = SUB_BACKOFF_MIN_S;
	if (!complain_release(&s->trouble, clock_monotonic_now(),
			      "%s: connection restored (session %s)", s->where,
			      present ? "resumed" : "new"))
		log_info("%s: connected (session %s)", s->where, present ? "resumed" : "new");
	pthread_mutex_unlock(&s->mu);
	MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
	o.onSuccess = on_subscribed;
	o.onFailure = on_subscribe_failed;
	o.context = s;
	int rc = MQTTAsync_subscribe(s->cli, s->filter, 1, &o);
	if (rc != MQTTASYNC_SUCCESS)
		log_err("%s: cannot subscribe to %s: %s", s->where, s->filter,
			MQTTAsync_strerror(rc));
}

static void on_connect_failed(void *ctx, MQTTAsync_failureData *resp)
{
	struct mqtt_sub *s = ctx;
	pthread_mutex_lock(&s->mu);
	s->connect_failures++;
	const char *why = resp && resp->message ? resp->message
			  : resp		? MQTTAsync_strerror(resp->code)
						: "unknown error";
	complain(&s->trouble, clock_monotonic_now(),
		 "%s: cannot connect (%s, code %d); retrying with backoff up to %d s", s->where,
		 why, resp ? resp->code : 0, SUB_BACKOFF_MAX_S);
	retry_later(s);
	pthread_mutex_unlock(&s->mu);
}

static void on_connection_lost(void *ctx, char *cause)
{
	struct mqtt_sub *s = ctx;
	pthread_mutex_lock(&s->mu);
	complain(&s->trouble, clock_monotonic_now(),
		 "%s: connection lost (%s); reconnecting, the broker keeps the session", s->where,
		 cause ? cause : "no reason given");
	s->backoff_s = SUB_BACKOFF_MIN_S;
	retry_later(s);
	pthread_mutex_unlock(&s->mu);
	MQTTAsync_free(cause);
}

static int on_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *msg)
{
	struct mqtt_sub *s = ctx;
	char *t = topic_len > 0 ? xstrndup(topic, (size_t)topic_len) : xstrdup(topic);
	char *p = xmalloc((size_t)msg->payloadlen + 1);
	memcpy(p, msg->payload, (size_t)msg->payloadlen);
	p[msg->payloadlen] = '\0';
	int rc = s->fn(s->ctx, t, p, (size_t)msg->payloadlen);
	free(t);
	free(p);
	if (rc < 0) {
		/* Offered again by paho; a pause keeps a locked database from being hammered. */
		usleep(200 * 1000);
		return 0;
	}
	pthread_mutex_lock(&s->mu);
	s->received++;
	pthread_mutex_unlock(&s->mu);
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

static int on_tls_error(const char *str, size_t len, void *ctx)
{
	struct mqtt_sub *s = ctx;
	log_debug("%s: TLS: %.*s", s->where, (int)len, str);
	return 0;
}

static int connect_once(struct mqtt_sub *s)
{
	MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	o.keepAliveInterval = s->keepalive_s;
	/* The point of this client: the broker keeps the session and queues for it. */
	o.cleansession = 0;
	o.connectTimeout = SUB_CONNECT_TIMEOUT_S;
	o.automaticReconnect = 0;
	o.MQTTVersion = MQTTVERSION_3_1_1;
	o.onSuccess = on_connected;
	o.onFailure = on_connect_failed;
	o.context = s;
	o.username = s->username;
	o.password = s->password;
	if (s->tls) {
		ssl.trustStore = s->ca_file;
		ssl.keyStore = s->cert_file;
		ssl.privateKey = s->key_file;
		ssl.enableServerCertAuth = 1;
		ssl.verify = 1;
		ssl.sslVersion = MQTT_SSL_VERSION_TLS_1_2;
		ssl.ssl_error_cb = on_tls_error;
		ssl.ssl_error_context = s;
		o.ssl = &ssl;
	}
	return MQTTAsync_connect(s->cli, &o);
}

static void *keeper_main(void *arg)
{
	struct mqtt_sub *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		double now = clock_monotonic_now();
		if (s->state == SUB_DOWN && now >= s->next_attempt_s) {
			s->state = SUB_CONNECTING;
			pthread_mutex_unlock(&s->mu);
			int rc = connect_once(s);
			pthread_mutex_lock(&s->mu);
			if (rc != MQTTASYNC_SUCCESS) {
				s->connect_failures++;
				complain(&s->trouble, clock_monotonic_now(),
					 "%s: cannot start connecting (%s); retrying", s->where,
					 MQTTAsync_strerror(rc));
				retry_later(s);
			}
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		double wait = s->state == SUB_DOWN ? s->next_attempt_s - now : 1.0;
		if (wait > 1.0)
			wait = 1.0;
		if (wait < 0.01)
			wait = 0.01;
		ts.tv_nsec += (long)(wait * 1e9);
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct mqtt_sub *mqtt_sub_new(const struct mqtt_link *l, const char *filter,
			      const char *persist_dir, mqtt_sub_handler fn, void *ctx)
{
	struct mqtt_sub *s = xcalloc(1, sizeof *s);
	s->tls = l->tls;
	s->uri = xasprintf("%s://%s:%d", s->tls ? "ssl" : "tcp", l->host, l->port);
	s->client_id = xstrdup(l->client_id);
	s->filter = xstrdup(filter);
	s->where =
	    xasprintf("%s broker %s:%d (client %s)", l->name, l->host, l->port, l->client_id);
	s->username = opt_str(l->username);
	s->password = opt_str(l->password);
	s->ca_file = opt_str(l->ca_file);
	s->cert_file = opt_str(l->cert_file);
	s->key_file = opt_str(l->key_file);
	s->keepalive_s = l->keepalive_s > 0 ? l->keepalive_s : 30;
	s->fn = fn;
	s->ctx = ctx;
	s->backoff_s = SUB_BACKOFF_MIN_S;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (persist_dir && mkdir(persist_dir, 0700) != 0 && errno != EEXIST) {
		log_err("%s: cannot create the folder of received messages %s: %s", s->where,
			persist_dir, strerror(errno));
		mqtt_sub_free(s);
		return NULL;
	}
	s->persist_dir = persist_dir ? xstrdup(persist_dir) : NULL;
	MQTTAsync_createOptions copts = MQTTAsync_createOptions_initializer;
	/* Messages acknowledged to the broker but not yet handled wait in persist_dir, and
	 * are handed over again after a restart (see the top of this file). */
	int rc = MQTTAsync_createWithOptions(&s->cli, s->uri, s->client_id,
					     s->persist_dir ? MQTTCLIENT_PERSISTENCE_DEFAULT
							    : MQTTCLIENT_PERSISTENCE_NONE,
					     s->persist_dir, &copts);
	if (rc == MQTTASYNC_SUCCESS)
		rc = MQTTAsync_setCallbacks(s->cli, s, on_connection_lost, on_message, NULL);
	if (rc != MQTTASYNC_SUCCESS) {
		log_err("%s: cannot create the client: %s", s->where, MQTTAsync_strerror(rc));
		mqtt_sub_free(s);
		return NULL;
	}
	return s;
}

int mqtt_sub_start(struct mqtt_sub *s)
{
	if (s->started)
		return 0;
	s->stopping = 0;
	s->state = SUB_DOWN;
	s->next_attempt_s = 0;
	int rc = pthread_create(&s->thread, NULL, keeper_main, s);
	if (rc != 0) {
		log_err("%s: cannot start its thread: %s", s->where, strerror(rc));
		return -1;
	}
	s->started = 1;
	return 0;
}

void mqtt_sub_stop(struct mqtt_sub *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	s->started = 0;
	if (s->cli && MQTTAsync_isConnected(s->cli)) {
		MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
		d.timeout = 2000;
		MQTTAsync_disconnect(s->cli, &d);
		/* Paho disconnects on its own thread; give it the time it was promised. */
		for (int i = 0; i < 40 && MQTTAsync_isConnected(s->cli); i++)
			usleep(50 * 1000);
	}
	log_info("%s: disconnected; the broker keeps the session", s->where);
}

void mqtt_sub_free(struct mqtt_sub *s)
{
	if (!s)
		return;
	mqtt_sub_stop(s);
	if (s->cli)
		MQTTAsync_destroy(&s->cli);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	if (s->password)
		explicit_bzero(s->password, strlen(s->password));
	char *strs[] = {s->uri,	     s->client_id, s->filter,	 s->where,    s->username,
			s->password, s->ca_file,   s->cert_file, s->key_file, s->persist_dir};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(strs[i]);
	free(s);
}

void mqtt_sub_stats(struct mqtt_sub *s, struct mqtt_sub_stats *out)
{
	pthread_mutex_lock(&s->mu);
	out->connected = s->state == SUB_UP;
	out->received = s->received;
	out->connects = s->connects;
	out->connect_failures = s->connect_failures;
	pthread_mutex_unlock(&s->mu);
}
