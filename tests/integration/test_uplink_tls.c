/* The uplink's transport and the hub's subscriber over TLS with client certificates, against a
 * real mosquitto that takes each client's certificate name as its user and applies the
 * province ACL (pattern write pvrelief/%u/#): a county authenticated as c1 delivers its
 * uplink outbox to the hub's persistent session, a figure replaced while waiting goes once in
 * its newest revision, what it publishes as another county never reaches the hub, and a
 * client certificate from another CA is refused. Certificates are made with openssl. */
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "loopback.h"
#include "pvrelief/clock.h"
#include "pvrelief/log.h"
#include "pvrelief/mqtt.h"
#include "pvrelief/mqtt_sub.h"
#include "pvrelief/store.h"
#include "pvrelief/store_outbox.h"

#define W(s) ((char[]){s})

extern char **environ;

static char dir[] = "/tmp/pvrelief-uplink-tls.XXXXXX";

/* What the hub's subscriber received: "topic payload" lines. */
static pthread_mutex_t got_mu = PTHREAD_MUTEX_INITIALIZER;
static char got[65536];

static int on_message(void *ctx, const char *topic, const char *payload, size_t len)
{
	(void)ctx;
	pthread_mutex_lock(&got_mu);
	size_t used = strlen(got);
	snprintf(got + used, sizeof got - used, "%s %.*s\n", topic, (int)len, payload);
	pthread_mutex_unlock(&got_mu);
	return 0;
}

static int got_has(const char *needle)
{
	pthread_mutex_lock(&got_mu);
	int yes = strstr(got, needle) != NULL;
	pthread_mutex_unlock(&got_mu);
	return yes;
}

static int wait_got(const char *needle, double seconds)
{
	double end = clock_monotonic_now() + seconds;
	while (!got_has(needle) && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	return got_has(needle);
}

static struct mqtt_stats stats(struct mqtt *m)
{
	struct mqtt_stats s;
	mqtt_stats(m, &s);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_init("test_uplink_tls", 0, LOG_LEVEL_INFO);
	if (!mkdtemp(dir))
		return 2;
	char cmd[4096];
	/* A CA, the broker's certificate, client certificates named c1 and hub, and one named
	 * c1 from another CA. */
	snprintf(
	    cmd, sizeof cmd,
	    "cd '%s' && exec >gen.log 2>&1 && chmod 755 . && "
	    "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
	    "-subj /CN=province-ca && "
	    "openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem "
	    "-days 2 -subj /CN=other-ca && "
	    "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' >ext && "
	    "for n in server c1 hub; do "
	    "openssl req -newkey rsa:2048 -nodes -keyout $n.key -out $n.csr -subj /CN=$n && "
	    "openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
	    "-out $n.pem -days 2 -extfile ext || exit 1; done && "
	    "openssl req -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.csr -subj /CN=c1 && "
	    "openssl x509 -req -in rogue.csr -CA other.pem -CAkey other.key -CAcreateserial "
	    "-out rogue.pem -days 2 && chmod 644 *.key",
	    dir);
	if (system(cmd) != 0) {
		CHECK_REPORT_(0, "openssl makes the test certificates (see %s/gen.log)", dir);
		return check_summary();
	}
	int port = loopback_free_port();
	char conf[600], log[600], acl[600];
	snprintf(conf, sizeof conf, "%s/mosquitto.conf", dir);
	snprintf(log, sizeof log, "%s/mosquitto.log", dir);
	snprintf(acl, sizeof acl, "%s/acl", dir);
	FILE *f = fopen(acl, "w");
	fputs("user hub\ntopic read pvrelief/#\n\npattern write pvrelief/%u/#\n", f);
	fclose(f);
	f = fopen(conf, "w");
	fprintf(f,
		"listener %d 127.0.0.1\nallow_anonymous false\npersistence false\n"
		"max_queued_messages 0\ncafile %s/ca.pem\ncertfile %s/server.pem\n"
		"keyfile %s/server.key\nrequire_certificate true\n"
		"use_identity_as_username true\nacl_file %s\nlog_type all\n",
		port, dir, dir, dir, acl);
	fclose(f);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	char *argv[] = {W("mosquitto"), W("-c"), conf, NULL};
	pid_t broker;
	if (posix_spawnp(&broker, "mosquitto", &fa, NULL, argv, environ) != 0)
		return 2;
	posix_spawn_file_actions_destroy(&fa);
	double end = clock_monotonic_now() + 20;
	while (!loopback_listening(port) && clock_monotonic_now() < end)
		loopback_sleep_ms(50);

	char ca[700], hub_cert[700], hub_key[700], c1_cert[700], c1_key[700], rogue_cert[700],
	    rogue_key[700], db[700];
	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	snprintf(hub_cert, sizeof hub_cert, "%s/hub.pem", dir);
	snprintf(hub_key, sizeof hub_key, "%s/hub.key", dir);
	snprintf(c1_cert, sizeof c1_cert, "%s/c1.pem", dir);
	snprintf(c1_key, sizeof c1_key, "%s/c1.key", dir);
	snprintf(rogue_cert, sizeof rogue_cert, "%s/rogue.pem", dir);
	snprintf(rogue_key, sizeof rogue_key, "%s/rogue.key", dir);
	snprintf(db, sizeof db, "%s/c1.db", dir);

	/* The hub: a persistent session, authenticated by its certificate. */
	struct mqtt_link hl = {.name = "province",
			       .host = "127.0.0.1",
			       .port = port,
			       .tls = 1,
			       .keepalive_s = 10,
			       .client_id = "it-hub",
			       .prefix = "pvrelief",
			       .ca_file = ca,
			       .cert_file = hub_cert,
			       .key_file = hub_key};
	struct mqtt_sub *hub = mqtt_sub_new(&hl, "pvrelief/+/#", NULL, on_message, NULL);
	CHECK(hub != NULL);
	CHECK_INT(mqtt_sub_start(hub), 0);
	struct mqtt_sub_stats hs = {0};
	end = clock_monotonic_now() + 20;
	while (!hs.connected && clock_monotonic_now() < end) {
		loopback_sleep_ms(50);
		mqtt_sub_stats(hub, &hs);
	}
	CHECK_REPORT_(hs.connected, "the hub connects over TLS with its client certificate");
	loopback_sleep_ms(300); /* the subscription is made right after the connection */

	/* County c1's uplink: a figure replaced while it waits goes once, newest revision. */
	char err[256];
	struct store *st = store_open(db, 0, err, sizeof err);
	CHECK(st != NULL);
	int64_t id;
	CHECK_INT(store_outbox_put_keyed(st, "pvrelief/c1/day", "{\"rev\":1}", 1, "day/s1/d", &id),
		  0);
	CHECK_INT(store_outbox_put_keyed(st, "pvrelief/c1/day", "{\"rev\":2}", 2, "day/s1/d", &id),
		  0);
	CHECK_INT(
	    store_outbox_put_keyed(st, "pvrelief/c1/alert", "{\"event\":7}", 3, "alert/7", &id), 0);
	CHECK_INT(store_outbox_count_in(st, STORE_OUTBOX_UPLINK), 2);
	CHECK_INT(store_outbox_count(st), 0); /* the alert outbox is another table */
	struct mqtt_link ul = {.name = "uplink",
			       .host = "127.0.0.1",
			       .port = port,
			       .tls = 1,
			       .keepalive_s = 10,
			       .client_id = "c1",
			       .prefix = "pvrelief",
			       .ca_file = ca,
			       .cert_file = c1_cert,
			       .key_file = c1_key,
			       .box = STORE_OUTBOX_UPLINK};
	struct mqtt *up = mqtt_new_link(&ul, "c1", db, 0);
	CHECK(up != NULL);
	CHECK_INT(mqtt_start(up), 0);
	CHECK_REPORT_(wait_got("pvrelief/c1/alert {\"event\":7}", 30),
		      "the county's uplink outbox reaches the hub over TLS, in order");
	CHECK(got_has("pvrelief/c1/day {\"rev\":2}\npvrelief/c1/alert"));
	CHECK(!got_has("{\"rev\":1}"));
	CHECK(got_has("pvrelief/c1/status {\"state\":\"online\""));
	end = clock_monotonic_now() + 10;
	while (stats(up).outbox_len != 0 && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	CHECK_INT(stats(up).outbox_len, 0);
	CHECK_INT(mqtt_stop(up, 5000), 0);
	mqtt_free(up);

	/* The same certificate publishing as county c2: the broker refuses it (acknowledges and
	 * drops, as MQTT 3.1.1 has no way to say no), so the hub never sees it. */
	CHECK_INT(
	    store_outbox_put_keyed(st, "pvrelief/c2/day", "{\"as\":\"c2\"}", 4, "day/x/y", &id), 0);
	CHECK_INT(
	    store_outbox_put_keyed(st, "pvrelief/c1/day", "{\"after\":1}", 5, "day/s1/e", &id), 0);
	up = mqtt_new_link(&ul, "c1", db, 0);
	CHECK_INT(mqtt_start(up), 0);
	CHECK_REPORT_(wait_got("{\"after\":1}", 30), "a later message of c1 arrives");
	CHECK_REPORT_(!got_has("pvrelief/c2/"), "what c1 publishes as c2 never reaches the hub");
	CHECK_INT(mqtt_stop(up, 5000), 0);
	mqtt_free(up);

	/* A client certificate from another CA is refused: nothing is delivered. */
	CHECK_INT(
	    store_outbox_put_keyed(st, "pvrelief/c1/day", "{\"rogue\":1}", 6, "day/s1/f", &id), 0);
	ul.cert_file = rogue_cert;
	ul.key_file = rogue_key;
	up = mqtt_new_link(&ul, "c1", db, 0);
	CHECK_INT(mqtt_start(up), 0);
	end = clock_monotonic_now() + 30;
	while (stats(up).connect_failures < 2 && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	struct mqtt_stats s = stats(up);
	CHECK_REPORT_(s.connect_failures >= 2 && s.connects == 0,
		      "a client certificate from another CA is refused (%llu failures)",
		      (unsigned long long)s.connect_failures);
	CHECK_INT(s.outbox_len, 1);
	CHECK(!got_has("rogue"));
	mqtt_free(up);
	store_close(st);
	mqtt_sub_free(hub);
	kill(broker, SIGTERM);
	waitpid(broker, NULL, 0);
	if (check_failed == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	} else {
		fprintf(stderr, "kept %s for inspection\n", dir);
	}
	return check_summary();
}
