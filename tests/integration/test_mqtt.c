/* The MQTT transport against a real mosquitto on loopback: events arrive in order with
 * their payloads, across a broker outage and a daemon restart, each once; the retained
 * status says online and the will says offline when the client dies; state messages keep
 * only their latest value; Home Assistant discovery configs are retained. Subscribers are
 * mosquitto_sub child processes writing "retain-flag topic payload" lines to files.
 *
 * The broker keeps persistence, and the event and state subscribers use persistent QoS 1
 * sessions, so that whatever the client publishes while a subscriber is reconnecting after
 * a broker restart is queued for it rather than lost: the checks then see everything that
 * was sent, including duplicates, whatever the timing. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "loopback.h"

/* A writable copy of a string literal for an argument vector, which execvp takes as char *[];
 * it lives until the end of the enclosing block. */
#define W(s) ((char[]){s})
#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/log.h"
#include "pvrelief/mqtt.h"
#include "pvrelief/store.h"
#include "pvrelief/store_outbox.h"

extern char **environ;

static char dir[] = "/tmp/pvrelief-mqtt.XXXXXX";
static int port;
static pid_t broker_pid = -1;

static int port_open(void)
{
	return loopback_listening(port);
}

/* Starts argv with stdout and stderr appended to out; returns the pid. */
static pid_t spawn(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "cannot start %s: %s\n", argv[0], strerror(rc));
		exit(2);
	}
	return pid;
}

static void reap(pid_t pid, int sig)
{
	if (pid <= 0)
		return;
	kill(pid, sig);
	waitpid(pid, NULL, 0);
}

static void broker_start(void)
{
	char conf[512], log[512];
	snprintf(conf, sizeof conf, "%s/mosquitto.conf", dir);
	snprintf(log, sizeof log, "%s/mosquitto.log", dir);
	FILE *f = fopen(conf, "w");
	fprintf(f,
		"listener %d 127.0.0.1\nallow_anonymous true\npersistence true\n"
		"persistence_location %s/broker/\nmax_queued_messages 10000\n",
		port, dir);
	fclose(f);
	char *argv[] = {W("mosquitto"), W("-c"), conf, NULL};
	broker_pid = spawn(argv, log);
	double end = clock_monotonic_now() + 20;
	while (!port_open() && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	if (!port_open()) {
		fprintf(stderr, "mosquitto did not start on port %d\n", port);
		exit(2);
	}
}

/* Stops the broker the way systemd would; it saves retained messages and sessions. */
static void broker_stop(void)
{
	reap(broker_pid, SIGTERM);
	broker_pid = -1;
}

/* A subscriber: a mosquitto_sub child writing to file, restarted if it exits. */
struct sub {
	pid_t pid;
	char id[64], file[512], topic[256];
	int persistent;
};

static void sub_spawn(struct sub *s)
{
	char p[16];
	snprintf(p, sizeof p, "%d", port);
	char *argv[] = {W("mosquitto_sub"),
			W("-h"),
			W("127.0.0.1"),
			W("-p"),
			p,
			W("-q"),
			W("1"),
			W("-i"),
			s->id,
			W("-F"),
			W("%r %t %p"),
			W("-t"),
			s->topic,
			W("-t"),
			W("marker/#"),
			NULL,
			NULL};
	char clean_off[] = "-c";
	if (s->persistent)
		argv[15] = clean_off;
	s->pid = spawn(argv, s->file);
}

static void sub_ensure(struct sub *s)
{
	if (s->pid > 0 && waitpid(s->pid, NULL, WNOHANG) == s->pid)
		s->pid = -1;
	if (s->pid <= 0 && broker_pid > 0)
		sub_spawn(s);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return calloc(1, 1);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static int file_has(const char *path, const char *needle)
{
	char *s = slurp(path);
	int ok = strstr(s, needle) != NULL;
	free(s);
	return ok;
}

/* Waits until the subscriber has its subscriptions: it receives a marker published after. */
static void sub_ready(struct sub *s)
{
	static int n;
	char topic[128], p[16];
	snprintf(topic, sizeof topic, "marker/%s/%d", s->id, ++n);
	snprintf(p, sizeof p, "%d", port);
	double end = clock_monotonic_now() + 20;
	while (clock_monotonic_now() < end) {
		sub_ensure(s);
		char *argv[] = {W("mosquitto_pub"),
				W("-h"),
				W("127.0.0.1"),
				W("-p"),
				p,
				W("-t"),
				topic,
				W("-m"),
				W("x"),
				NULL};
		char out[600];
		snprintf(out, sizeof out, "%s/pub.log", dir);
		pid_t pid = spawn(argv, out);
		waitpid(pid, NULL, 0);
		for (int i = 0; i < 10; i++) {
			if (file_has(s->file, topic))
				return;
			loopback_sleep_ms(50);
		}
	}
	fprintf(stderr, "subscriber %s never got ready\n", s->id);
	exit(2);
}

static void sub_start(struct sub *s, const char *id, const char *topic, int persistent)
{
	memset(s, 0, sizeof *s);
	snprintf(s->id, sizeof s->id, "%s", id);
	snprintf(s->file, sizeof s->file, "%s/%s.out", dir, id);
	snprintf(s->topic, sizeof s->topic, "%s", topic);
	s->persistent = persistent;
	sub_spawn(s);
	sub_ready(s);
}

static void sub_stop(struct sub *s)
{
	reap(s->pid, SIGTERM);
	s->pid = -1;
}

/* Collects the payloads the subscriber got on topic, with retain flag want_retain (-1 for
 * either), in arrival order, the first max of them strdup'ed into out; returns how many
 * there are in all. */
static int sub_payloads(const struct sub *s, const char *topic, int want_retain, char **out,
			int max)
{
	char *text = slurp(s->file), *save = NULL;
	int n = 0;
	size_t tl = strlen(topic);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '0' && line[0] != '1')
			continue;
		if (want_retain >= 0 && line[0] - '0' != want_retain)
			continue;
		if (strncmp(line + 2, topic, tl) != 0 || line[2 + tl] != ' ')
			continue;
		if (n < max)
			out[n] = strdup(line + 3 + tl);
		n++;
	}
	free(text);
	return n;
}

static void free_all(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
}

/* Reads the retained message of topic with a one-shot subscriber ("" when none). */
static void retained(const char *topic, char *buf, size_t len)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "mosquitto_sub -h 127.0.0.1 -p %d -t '%s' -C 1 -W 3 --retained-only -F '%%p' "
		 "2>/dev/null",
		 port, topic);
	buf[0] = '\0';
	FILE *p = popen(cmd, "r");
	if (!p)
		return;
	if (!fgets(buf, (int)len, p))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

static struct config make_config(const char *client_id)
{
	/* The configuration owns writable strings; these live as long as the test. */
	static char county[] = "dangshan", host[] = "127.0.0.1", prefix[] = "pvrelief",
		    empty[] = "", ha[] = "homeassistant";
	static char ids[8][64];
	static size_t n_ids;
	char *id = ids[n_ids++ % 8];
	snprintf(id, sizeof ids[0], "%s", client_id);
	struct config c;
	memset(&c, 0, sizeof c);
	c.county_id = county;
	c.mqtt.enabled = 1;
	c.mqtt.host = host;
	c.mqtt.port = port;
	c.mqtt.client_id = id;
	c.mqtt.prefix = prefix;
	c.mqtt.keepalive_s = 5;
	c.mqtt.ca_file = c.mqtt.cert_file = c.mqtt.key_file = c.mqtt.username = empty;
	c.mqtt.ha_discovery = 1;
	c.mqtt.ha_prefix = ha;
	return c;
}

static struct mqtt_stats stats(struct mqtt *m)
{
	struct mqtt_stats s;
	mqtt_stats(m, &s);
	return s;
}

/* Waits up to 60 s for the client to be connected (want 1) or not (want 0). */
static int wait_connected(struct mqtt *m, int want)
{
	double end = clock_monotonic_now() + 60;
	while (stats(m).connected != want && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	return stats(m).connected == want;
}

/* Waits up to 60 s for the outbox to empty and for the subscriber to hold want payloads on
 * topic, restarting it when a broker restart made it exit. */
static void wait_delivered(struct mqtt *m, struct sub *s, const char *topic, int want)
{
	double end = clock_monotonic_now() + 60;
	while (clock_monotonic_now() < end) {
		sub_ensure(s);
		char *v[1];
		int n = sub_payloads(s, topic, 0, v, 0);
		if (stats(m).outbox_len == 0 && n >= want)
			return;
		loopback_sleep_ms(100);
	}
}

static char *event_json(const char *what, int seq)
{
	static char buf[256];
	snprintf(buf, sizeof buf,
		 "{\"alert\":\"%s\",\"station\":\"dangshan-03\",\"village\":\"\u674e\u5e84\","
		 "\"seq\":%d,\"ts\":%d}",
		 what, seq, 1700000000 + seq);
	return buf;
}

/* Checks that got holds exactly the events what 0..n-1, in order, each once. */
static void check_sequence(const char *label, char **got, int n_got, const char *what, int n)
{
	int in_order = n_got == n;
	for (int i = 0; in_order && i < n; i++)
		in_order = strcmp(got[i], event_json(what, i)) == 0;
	if (!in_order)
		fprintf(stderr, "%s: got %d payloads, want %d in order; first: %s\n", label, n_got,
			n, n_got ? got[0] : "(none)");
	CHECK_REPORT_(in_order, "%s: all %d events arrive in order, each once", label, n);
}

/* The child process of the will check: connects, then waits to be killed. */
static int run_child(const char *port_text, const char *db)
{
	log_init("test_mqtt-child", 0, LOG_LEVEL_INFO);
	port = atoi(port_text);
	struct config c = make_config("it-will-child");
	struct mqtt *m = mqtt_new(&c, db);
	if (!m || mqtt_start(m) != 0)
		return 2;
	for (;;)
		pause();
}

static void test_outbox_store(void)
{
	char db[600], err[256];
	snprintf(db, sizeof db, "%s/outbox.db", dir);
	struct store *st = store_open(db, 0, err, sizeof err);
	CHECK(st != NULL);
	int64_t a = 0, b = 0, c = 0;
	CHECK_INT(store_outbox_add(st, "t/1", "{\"n\":1}", 1, 10.5, &a), 0);
	CHECK_INT(store_outbox_add(st, "t/2", "{\"n\":2}", 1, 11.5, &b), 0);
	CHECK(b > a);
	CHECK_INT(store_outbox_count(st), 2);
	/* Deleting the newest row must not let its id be reused: ids are the order. */
	CHECK_INT(store_outbox_delete(st, b), 1);
	CHECK_INT(store_outbox_delete(st, b), 0);
	CHECK_INT(store_outbox_add(st, "t/3", "{\"n\":3}", 1, 12.5, &c), 0);
	CHECK(c > b);
	struct store_outbox_row rows[4];
	int n = store_outbox_fetch(st, 0, rows, 4);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(rows[0].id, a);
		CHECK_STR(rows[0].topic, "t/1");
		CHECK_STR(rows[0].payload, "{\"n\":1}");
		CHECK_NEAR(rows[0].created_ts, 10.5, 0);
		CHECK_INT(rows[1].id, c);
	}
	store_outbox_rows_free(rows, n > 0 ? n : 0);
	CHECK_INT(store_outbox_fetch(st, a, rows, 4), 1);
	store_outbox_rows_free(rows, 1);
	store_close(st);
}

/* (h) TLS: with the right CA the client connects and delivers; with another CA the server
 * certificate is refused and nothing is delivered. Certificates are made with openssl. */
static void test_tls(void)
{
	char cmd[4096], conf[600], log[600], db[600];
	snprintf(cmd, sizeof cmd,
		 "cd '%s/broker' && exec >tls-gen.log 2>&1 && "
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
		 "-subj /CN=pvrelief-test-ca && "
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem "
		 "-days 2 -subj /CN=other-ca && "
		 "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
		 "-subj /CN=localhost && "
		 "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' >ext && "
		 "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		 "-out server.pem -days 2 -extfile ext && chmod 644 server.key",
		 dir);
	if (system(cmd) != 0) {
		CHECK_REPORT_(0, "(h) openssl makes the test certificates (see %s/broker)", dir);
		return;
	}
	int tls_port = loopback_free_port();
	snprintf(conf, sizeof conf, "%s/mosquitto-tls.conf", dir);
	snprintf(log, sizeof log, "%s/mosquitto-tls.log", dir);
	FILE *f = fopen(conf, "w");
	fprintf(f,
		"listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
		"cafile %s/broker/ca.pem\ncertfile %s/broker/server.pem\n"
		"keyfile %s/broker/server.key\n",
		tls_port, dir, dir, dir);
	fclose(f);
	char *argv[] = {W("mosquitto"), W("-c"), conf, NULL};
	pid_t broker = spawn(argv, log);
	double end = clock_monotonic_now() + 20;
	while (!loopback_listening(tls_port) && clock_monotonic_now() < end)
		loopback_sleep_ms(50);

	char ca[600], other[600];
	snprintf(ca, sizeof ca, "%s/broker/ca.pem", dir);
	snprintf(other, sizeof other, "%s/broker/other.pem", dir);
	snprintf(db, sizeof db, "%s/tls.db", dir);
	struct config c = make_config("it-tls");
	c.mqtt.port = tls_port;
	c.mqtt.tls = 1;
	c.mqtt.ca_file = ca;
	c.mqtt.ha_discovery = 0;
	struct mqtt *m = mqtt_new(&c, db);
	CHECK_INT(mqtt_start(m), 0);
	CHECK_INT(mqtt_enqueue(m, "alert/dangshan-03", event_json("h", 0), 1700000000), 0);
	CHECK_REPORT_(wait_connected(m, 1), "(h) connects over TLS with the broker's CA");
	end = clock_monotonic_now() + 30;
	while (stats(m).delivered < 1 && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	CHECK_INT(stats(m).delivered, 1);
	CHECK_INT(mqtt_stop(m, 5000), 0);
	mqtt_free(m);

	/* Another CA: the broker's certificate must be refused, so nothing is delivered. */
	c.mqtt.ca_file = other;
	m = mqtt_new(&c, db);
	CHECK_INT(mqtt_start(m), 0);
	CHECK_INT(mqtt_enqueue(m, "alert/dangshan-03", event_json("h", 1), 1700000001), 0);
	end = clock_monotonic_now() + 30;
	while (stats(m).connect_failures < 2 && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	struct mqtt_stats s = stats(m);
	CHECK_REPORT_(s.connect_failures >= 2 && s.connects == 0,
		      "(h) a broker certificate from another CA is refused (%llu failures, %llu "
		      "connects)",
		      (unsigned long long)s.connect_failures, (unsigned long long)s.connects);
	CHECK_INT(s.delivered, 0);
	CHECK_INT(s.outbox_len, 1);
	mqtt_free(m);
	reap(broker, SIGTERM);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--child") == 0)
		return run_child(argv[2], argv[3]);
	signal(SIGPIPE, SIG_IGN);
	log_init("test_mqtt", 0, LOG_LEVEL_INFO);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	port = loopback_free_port();
	/* mosquitto started as root drops to its own user, which must be able to save its
	 * sessions and retained messages in the broker directory. */
	char broker_dir[600];
	snprintf(broker_dir, sizeof broker_dir, "%s/broker", dir);
	if (chmod(dir, 0711) != 0 || mkdir(broker_dir, 0777) != 0 || chmod(broker_dir, 0777) != 0) {
		perror(broker_dir);
		return 2;
	}
	test_outbox_store();

	char db[600], buf[1024];
	snprintf(db, sizeof db, "%s/pvrelief.db", dir);
	const char *alerts = "pvrelief/dangshan/alert/dangshan-03";
	const char *state = "pvrelief/dangshan/station/dangshan-03/state";
	const char *status = "pvrelief/dangshan/status";
	broker_start();
	struct sub ev, stsub, ha, stsub_status;
	sub_start(&ev, "it-sub-events", "pvrelief/dangshan/alert/#", 1);
	sub_start(&stsub, "it-sub-state", "pvrelief/dangshan/station/#", 1);
	sub_start(&stsub_status, "it-sub-status", status, 0);
	sub_start(&ha, "it-sub-ha", "homeassistant/#", 0);

	struct config cfg = make_config("it-daemon");
	struct mqtt *m = mqtt_new(&cfg, db);
	CHECK(m != NULL);
	CHECK_INT(mqtt_topic(m, "alert/x", buf, sizeof buf), 0);
	CHECK_STR(buf, "pvrelief/dangshan/alert/x");
	CHECK_INT(mqtt_topic(m, "alert/#", buf, sizeof buf), -1);
	CHECK_INT(mqtt_topic(m, "", buf, sizeof buf), -1);
	CHECK_INT(mqtt_topic(m, "alert/x", buf, 10), -1);
	CHECK_INT(mqtt_start(m), 0);
	CHECK_REPORT_(wait_connected(m, 1), "connects to the broker");

	/* (a) Events enqueued while connected arrive in order with their payloads. */
	for (int i = 0; i < 20; i++)
		CHECK_INT(mqtt_enqueue(m, "alert/dangshan-03", event_json("a", i), 1700000000 + i),
			  0);
	wait_delivered(m, &ev, alerts, 20);
	char *got[400];
	int n = sub_payloads(&ev, alerts, 0, got, 400);
	n = n > 400 ? 400 : n;
	check_sequence("(a) connected", got, n, "a", 20);
	free_all(got, n);
	CHECK_INT(stats(m).outbox_len, 0);
	CHECK_INT(stats(m).delivered, 20);

	/* (b, first half) The retained status says online, with the version and the time. */
	retained(status, buf, sizeof buf);
	CHECK_CONTAINS(buf, "\"state\":\"online\"");
	CHECK_CONTAINS(buf, "\"version\":\"" PVRELIEF_VERSION "\"");
	CHECK_CONTAINS(buf, "\"since\":");

	/* (e, first half) A state message is published, retained. */
	CHECK_INT(mqtt_publish_state(m, "station/dangshan-03/state", "{\"power_w\":1}", 1), 0);
	double end = clock_monotonic_now() + 30;
	while (!file_has(stsub.file, "{\"power_w\":1}") && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	retained(state, buf, sizeof buf);
	CHECK_STR(buf, "{\"power_w\":1}");

	/* (f) Home Assistant discovery: four retained configs reading the station's state. */
	CHECK_INT(mqtt_ha_discovery(m, "dangshan-03", "Lizhuang", "station/dangshan-03/state"), 0);
	const char *ha_topics[] = {
	    "homeassistant/sensor/pvrelief_dangshan_dangshan-03/power/config",
	    "homeassistant/sensor/pvrelief_dangshan_dangshan-03/energy_today/config",
	    "homeassistant/sensor/pvrelief_dangshan_dangshan-03/eta/config",
	    "homeassistant/binary_sensor/pvrelief_dangshan_dangshan-03/online/config"};
	const char *ha_want[] = {"\"value_template\":\"{{ value_json.power_w }}\"",
				 "\"value_template\":\"{{ value_json.energy_today_kwh }}\"",
				 "\"value_template\":\"{{ value_json.eta }}\"",
				 "\"device_class\":\"connectivity\""};
	for (int i = 0; i < 4; i++) {
		end = clock_monotonic_now() + 30;
		while (!file_has(ha.file, ha_topics[i]) && clock_monotonic_now() < end)
			loopback_sleep_ms(50);
		retained(ha_topics[i], buf, sizeof buf);
		CHECK_CONTAINS(buf, ha_want[i]);
		CHECK_CONTAINS(buf,
			       "\"state_topic\":\"pvrelief/dangshan/station/dangshan-03/state\"");
		CHECK_CONTAINS(buf, "\"availability_topic\":\"pvrelief/dangshan/status\"");
	}
	retained(ha_topics[0], buf, sizeof buf);
	CHECK_CONTAINS(buf, "\"unit_of_measurement\":\"W\"");
	retained(ha_topics[1], buf, sizeof buf);
	CHECK_CONTAINS(buf, "\"unit_of_measurement\":\"kWh\"");

	/* (c) Broker stopped, 100 events enqueued, broker restarted: all 100 arrive, in order,
	 * each once. (e) Meanwhile three newer state values replace each other: only the last
	 * is delivered after the reconnect. */
	broker_stop();
	/* The subscribers' sessions must survive the restart for the checks below to see
	 * everything the client sends, however the reconnections race. */
	struct stat sb;
	snprintf(buf, sizeof buf, "%s/mosquitto.db", broker_dir);
	CHECK_REPORT_(stat(buf, &sb) == 0, "the broker saved its sessions in %s", buf);
	CHECK_REPORT_(wait_connected(m, 0), "(c) notices the broker is gone");
	for (int i = 0; i < 100; i++)
		CHECK_INT(mqtt_enqueue(m, "alert/dangshan-03", event_json("c", i), 1700000000 + i),
			  0);
	for (int v = 2; v <= 4; v++) {
		char js[64];
		snprintf(js, sizeof js, "{\"power_w\":%d}", v);
		CHECK_INT(mqtt_publish_state(m, "station/dangshan-03/state", js, 1), 0);
	}
	CHECK_INT(stats(m).outbox_len, 100);
	broker_start();
	CHECK_REPORT_(wait_connected(m, 1), "(c) reconnects after the broker returns");
	/* Both persistent subscribers must be back to receive what was queued for them. */
	sub_ready(&ev);
	sub_ready(&stsub);
	wait_delivered(m, &ev, alerts, 120);
	n = sub_payloads(&ev, alerts, 0, got, 400);
	n = n > 400 ? 400 : n;
	CHECK_REPORT_(n >= 20, "(c) the subscriber still has the first 20 events");
	check_sequence("(c) broker restart", got + (n >= 20 ? 20 : 0), n >= 20 ? n - 20 : 0, "c",
		       100);
	free_all(got, n);
	CHECK_INT(stats(m).delivered, 120);

	end = clock_monotonic_now() + 30;
	while (!file_has(stsub.file, "{\"power_w\":4}") && clock_monotonic_now() < end)
		loopback_sleep_ms(50);
	n = sub_payloads(&stsub, state, 0, got, 400);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(got[0], "{\"power_w\":1}");
		CHECK_STR(got[1], "{\"power_w\":4}");
	}
	free_all(got, n);
	retained(state, buf, sizeof buf);
	CHECK_STR(buf, "{\"power_w\":4}");
	retained(status, buf, sizeof buf);
	CHECK_CONTAINS(buf, "\"state\":\"online\"");

	/* A clean stop leaves the status offline (published, not the will). */
	CHECK_INT(mqtt_stop(m, 5000), 0);
	retained(status, buf, sizeof buf);
	CHECK_STR(buf, "{\"state\":\"offline\"}");
	mqtt_free(m);

	/* (d) Events enqueued while the broker is down survive a daemon restart: a new
	 * instance on the same database delivers them all when the broker returns. */
	broker_stop();
	m = mqtt_new(&cfg, db);
	CHECK_INT(mqtt_start(m), 0);
	for (int i = 0; i < 30; i++)
		CHECK_INT(mqtt_enqueue(m, "alert/dangshan-03", event_json("d", i), 1700000000 + i),
			  0);
	CHECK_INT(stats(m).connected, 0);
	CHECK_INT(mqtt_stop(m, 500), -1);
	CHECK_INT(stats(m).outbox_len, 30);
	mqtt_free(m);
	m = mqtt_new(&cfg, db);
	CHECK_INT(stats(m).outbox_len, 30);
	CHECK_INT(mqtt_start(m), 0);
	broker_start();
	CHECK_REPORT_(wait_connected(m, 1), "(d) the new instance connects");
	sub_ready(&ev);
	wait_delivered(m, &ev, alerts, 150);
	n = sub_payloads(&ev, alerts, 0, got, 400);
	n = n > 400 ? 400 : n;
	check_sequence("(d) daemon restart", got + (n >= 120 ? 120 : 0), n >= 120 ? n - 120 : 0,
		       "d", 30);
	free_all(got, n);
	CHECK_INT(stats(m).delivered, 30);
	CHECK_INT(stats(m).outbox_len, 0);
	mqtt_free(m);

	/* (g) The broker goes away in the middle of a stream, with events in flight: after it
	 * returns, every event arrives, and in order by first arrival. An event whose
	 * acknowledgement was lost with the connection may arrive twice (MQTT QoS 1 is at
	 * least once); the outbox itself deletes each row once. */
	m = mqtt_new(&cfg, db);
	CHECK_INT(mqtt_start(m), 0);
	CHECK_REPORT_(wait_connected(m, 1), "(g) connects");
	int before_g = sub_payloads(&ev, alerts, 0, got, 0);
	enum { N_G = 3000 };
	for (int i = 0; i < N_G; i++) {
		if (i == N_G / 2)
			broker_stop();
		CHECK_INT(mqtt_enqueue(m, "alert/dangshan-03", event_json("g", i), 1700000000 + i),
			  0);
	}
	CHECK_REPORT_(stats(m).outbox_len > 0, "(g) events wait while the broker is away");
	broker_start();
	CHECK_REPORT_(wait_connected(m, 1), "(g) reconnects");
	sub_ready(&ev);
	wait_delivered(m, &ev, alerts, before_g + N_G);
	int n_all = sub_payloads(&ev, alerts, 0, got, 0);
	char **all = calloc((size_t)n_all, sizeof *all);
	sub_payloads(&ev, alerts, 0, all, n_all);
	int next = 0, dups = 0, wrong = 0;
	for (int i = before_g; i < n_all; i++) {
		if (next < N_G && strcmp(all[i], event_json("g", next)) == 0) {
			next++;
			continue;
		}
		/* Anything else must be a repeat of an event that already arrived. */
		int seen = 0;
		for (int j = 0; j < next && !seen; j++)
			seen = strcmp(all[i], event_json("g", j)) == 0;
		if (seen)
			dups++;
		else
			wrong++;
	}
	free_all(all, n_all);
	free(all);
	printf("(g) %d events, %d repeated after the reconnect\n", N_G, dups);
	CHECK_REPORT_(
	    next == N_G && wrong == 0,
	    "(g) all %d events arrive in order by first arrival (%d in sequence, %d unexpected)",
	    N_G, next, wrong);
	CHECK_INT(stats(m).delivered, N_G);
	CHECK_INT(stats(m).outbox_len, 0);
	mqtt_free(m);

	/* (b) The will: a client that dies without disconnecting leaves the status offline. */
	char child_db[600], child_log[600];
	snprintf(child_db, sizeof child_db, "%s/child.db", dir);
	snprintf(child_log, sizeof child_log, "%s/child.log", dir);
	char exe[512];
	ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[el > 0 ? el : 0] = '\0';
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%d", port);
	char *cargv[] = {exe, W("--child"), port_text, child_db, NULL};
	/* The child connects as a different client; wait for its own online status. */
	sub_ensure(&stsub_status);
	sub_ready(&stsub_status);
	char *before = slurp(stsub_status.file);
	size_t before_len = strlen(before);
	free(before);
	pid_t child = spawn(cargv, child_log);
	end = clock_monotonic_now() + 30;
	int online = 0;
	while (!online && clock_monotonic_now() < end) {
		char *t = slurp(stsub_status.file);
		online = strlen(t) > before_len && strstr(t + before_len, "\"state\":\"online\"");
		free(t);
		if (!online)
			loopback_sleep_ms(50);
	}
	CHECK_REPORT_(online, "(b) the child's status goes online");
	retained(status, buf, sizeof buf);
	CHECK_CONTAINS(buf, "\"state\":\"online\"");
	reap(child, SIGKILL);
	end = clock_monotonic_now() + 30;
	int offline = 0;
	while (!offline && clock_monotonic_now() < end) {
		char *t = slurp(stsub_status.file);
		char *on = strstr(t + before_len, "\"state\":\"online\"");
		offline = on && strstr(on, "{\"state\":\"offline\"}");
		free(t);
		if (!offline)
			loopback_sleep_ms(50);
	}
	CHECK_REPORT_(offline, "(b) the will says offline after the child is killed");
	retained(status, buf, sizeof buf);
	CHECK_STR(buf, "{\"state\":\"offline\"}");

	test_tls();

	sub_stop(&ev);
	sub_stop(&stsub);
	sub_stop(&stsub_status);
	sub_stop(&ha);
	broker_stop();
	if (check_failed == 0) {
		char cmd[700];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	} else {
		fprintf(stderr, "kept %s for inspection\n", dir);
	}
	return check_summary();
}
