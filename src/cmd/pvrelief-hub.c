/* pvrelief-hub: the province hub. "run" subscribes to every county's uplink with a persistent
 * session and stores what arrives in its own database; "health" and "alerts" answer from that
 * database for the whole province. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/clock.h"
#include "pvrelief/hub.h"
#include "pvrelief/hub_report.h"
#include "pvrelief/log.h"
#include "pvrelief/mqtt.h"
#include "pvrelief/mqtt_sub.h"
#include "pvrelief/notify.h"
#include "pvrelief/store.h"
#include "pvrelief/xalloc.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fputs("usage: pvrelief-hub run --db PATH --host HOST [options]\n"
	      "       pvrelief-hub health --db PATH --day YYYY-MM-DD [--format table|json]\n"
	      "       pvrelief-hub alerts --db PATH [--active] [--limit N] [--format table|json]\n"
	      "       pvrelief-hub ledger --db PATH [--format table|json]\n"
	      "       pvrelief-hub kpi --db PATH [--month YYYY-MM] [--format table|json]\n"
	      "  --db PATH             the hub's database (created when missing)\n"
	      "  --host HOST, --port N the province broker (port 1883, 8883 with --tls)\n"
	      "  --client-id ID        the session's client id (default pvrelief-hub); the broker\n"
	      "                        keeps what arrives while the hub is away under this id\n"
	      "  --prefix P            topic prefix of the counties (default pvrelief)\n"
	      "  --username U, --password-file F   broker login; F must not be readable by others\n"
	      "  --tls, --ca-file F, --cert-file F, --key-file F   TLS, the broker verified\n"
	      "  --keepalive S         seconds (default 60)\n"
	      "  --state-dir DIR       where messages acknowledged to the broker wait until they\n"
	      "                        are stored: the inbox and paho's own queue (default\n"
	      "                        DB.mqtt beside the database)\n"
	      "  --ready-file PATH     write the pid to PATH once running (tests)\n"
	      "  -v, --log-level L     error, warning, info or debug\n"
	      "  -h, --help\n",
	      out);
}

static char *read_password(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "pvrelief-hub: cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (st.st_mode & S_IRWXO) {
		fprintf(stderr,
			"pvrelief-hub: %s holds a secret but is accessible to others (mode %03o); "
			"run chmod o-rwx on it\n",
			path, (unsigned)(st.st_mode & 0777));
		return NULL;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "pvrelief-hub: cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char buf[512];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

static int on_message(void *ctx, const char *topic, const char *payload, size_t len)
{
	return hub_ingest(ctx, topic, payload, len, clock_wall_now());
}

struct opts {
	const char *db, *host, *client_id, *prefix, *username, *password_file;
	const char *ca_file, *cert_file, *key_file, *ready_file, *day, *format, *log_level;
	const char *state_dir, *month;
	int port, tls, keepalive_s, active, limit;
};

static int cmd_run(const struct opts *o)
{
	if (!o->host) {
		fputs("pvrelief-hub: run needs --host\n", stderr);
		return 2;
	}
	char *password = o->password_file ? read_password(o->password_file) : NULL;
	if (o->password_file && !password)
		return 1;
	char *state_dir = o->state_dir ? xstrdup(o->state_dir) : xasprintf("%s.mqtt", o->db);
	char *inbox = xasprintf("%s/inbox", state_dir);
	struct hub *h = NULL;
	if (mkdir(state_dir, 0700) != 0 && errno != EEXIST)
		fprintf(stderr, "pvrelief-hub: cannot create %s: %s\n", state_dir, strerror(errno));
	else
		h = hub_new(o->db, o->prefix, inbox);
	free(inbox);
	if (!h) {
		free(state_dir);
		free(password);
		return 1;
	}
	struct mqtt_link l = {
	    .name = "province",
	    .host = o->host,
	    .port = o->port  ? o->port
		    : o->tls ? 8883
			     : 1883,
	    .tls = o->tls,
	    .keepalive_s = o->keepalive_s,
	    .client_id = o->client_id,
	    .prefix = o->prefix,
	    .ca_file = o->ca_file,
	    .cert_file = o->cert_file,
	    .key_file = o->key_file,
	    .username = o->username,
	    .password = password,
	};
	char *filter = xasprintf("%s/+/#", o->prefix);
	struct mqtt_sub *s = mqtt_sub_new(&l, filter, state_dir, on_message, h);
	free(state_dir);
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (!s || mqtt_sub_start(s) != 0) {
		mqtt_sub_free(s);
		hub_free(h);
		free(filter);
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (o->ready_file) {
		FILE *f = fopen(o->ready_file, "w");
		if (f) {
			fprintf(f, "%ld\n", (long)getpid());
			fclose(f);
		}
	}
	notify_ready();
	log_info("pvrelief-hub: storing %s into %s", filter, o->db);
	double wd = notify_watchdog_period_s();
	while (!stop_requested) {
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
		if (wd > 0)
			notify_watchdog();
	}
	notify_stopping();
	mqtt_sub_free(s);
	struct hub_stats hs;
	hub_get_stats(h, &hs);
	log_info("pvrelief-hub: stopped; %llu messages stored, %llu stale, %llu refused",
		 (unsigned long long)hs.stored, (unsigned long long)hs.stale,
		 (unsigned long long)hs.refused);
	hub_free(h);
	free(filter);
	return 0;
}

enum report { REPORT_HEALTH, REPORT_ALERTS, REPORT_LEDGER, REPORT_KPI };

static int cmd_report(const struct opts *o, enum report what)
{
	char err[512];
	struct store *st = store_open(o->db, STORE_READONLY, err, sizeof err);
	if (!st) {
		fprintf(stderr, "pvrelief-hub: %s\n", err);
		return 1;
	}
	int rc;
	char today[16];
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	if (what == REPORT_HEALTH) {
		rc = hub_health(st, o->day ? o->day : today, o->format, stdout);
	} else if (what == REPORT_ALERTS) {
		rc = hub_alerts(st, o->active, o->limit, o->format, stdout);
	} else if (what == REPORT_LEDGER) {
		rc = hub_ledger(st, o->format, stdout);
	} else {
		today[7] = '\0';
		rc = hub_kpi(st, o->month ? o->month : today, o->format, stdout);
	}
	if (rc != 0)
		fprintf(stderr, "pvrelief-hub: cannot read %s: %s\n", o->db, store_errmsg(st));
	store_close(st);
	return rc != 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"host", required_argument, NULL, 'H'},
	    {"port", required_argument, NULL, 'p'},
	    {"client-id", required_argument, NULL, 'i'},
	    {"prefix", required_argument, NULL, 'P'},
	    {"username", required_argument, NULL, 'u'},
	    {"password-file", required_argument, NULL, 'w'},
	    {"tls", no_argument, NULL, 't'},
	    {"ca-file", required_argument, NULL, 'C'},
	    {"cert-file", required_argument, NULL, 'E'},
	    {"key-file", required_argument, NULL, 'K'},
	    {"keepalive", required_argument, NULL, 'k'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"state-dir", required_argument, NULL, 'S'},
	    {"day", required_argument, NULL, 'D'},
	    {"month", required_argument, NULL, 'M'},
	    {"format", required_argument, NULL, 'f'},
	    {"active", no_argument, NULL, 'a'},
	    {"limit", required_argument, NULL, 'l'},
	    {"log-level", required_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct opts o = {.client_id = "pvrelief-hub",
			 .prefix = "pvrelief",
			 .format = "table",
			 .keepalive_s = 60,
			 .log_level = "info"};
	if (argc < 2 || argv[1][0] == '-') {
		usage(argc >= 2 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help") ? stderr
										      : stdout);
		return argc >= 2 ? 0 : 2;
	}
	const char *cmd = argv[1];
	optind = 2;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "v:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.db = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			o.port = (int)strtol(optarg, &end, 10);
			if (*end || o.port < 1 || o.port > 65535) {
				fprintf(stderr, "pvrelief-hub: --port %s is not 1..65535\n",
					optarg);
				return 2;
			}
			break;
		case 'i':
			o.client_id = optarg;
			break;
		case 'P':
			o.prefix = optarg;
			break;
		case 'u':
			o.username = optarg;
			break;
		case 'w':
			o.password_file = optarg;
			break;
		case 't':
			o.tls = 1;
			break;
		case 'C':
			o.ca_file = optarg;
			break;
		case 'E':
			o.cert_file = optarg;
			break;
		case 'K':
			o.key_file = optarg;
			break;
		case 'k':
			o.keepalive_s = (int)strtol(optarg, &end, 10);
			if (*end || o.keepalive_s < 5 || o.keepalive_s > 3600) {
				fprintf(stderr, "pvrelief-hub: --keepalive %s is not 5..3600 s\n",
					optarg);
				return 2;
			}
			break;
		case 'r':
			o.ready_file = optarg;
			break;
		case 'S':
			o.state_dir = optarg;
			break;
		case 'D':
			o.day = optarg;
			break;
		case 'M':
			o.month = optarg;
			break;
		case 'f':
			o.format = optarg;
			break;
		case 'a':
			o.active = 1;
			break;
		case 'l':
			o.limit = (int)strtol(optarg, &end, 10);
			if (*end || o.limit < 0) {
				fprintf(stderr, "pvrelief-hub: --limit %s is not a count\n",
					optarg);
				return 2;
			}
			break;
		case 'v':
			o.log_level = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.db) {
		fputs("pvrelief-hub: --db is required\n", stderr);
		return 2;
	}
	int y, m, d;
	char tail;
	if (o.day &&
	    (sscanf(o.day, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || strlen(o.day) != 10)) {
		fprintf(stderr, "pvrelief-hub: --day %s is not YYYY-MM-DD\n", o.day);
		return 2;
	}
	if (o.month && (sscanf(o.month, "%4d-%2d%c", &y, &m, &tail) != 2 || strlen(o.month) != 7)) {
		fprintf(stderr, "pvrelief-hub: --month %s is not YYYY-MM\n", o.month);
		return 2;
	}
	if (strcmp(o.format, "table") != 0 && strcmp(o.format, "json") != 0) {
		fprintf(stderr, "pvrelief-hub: --format %s is not table or json\n", o.format);
		return 2;
	}
	if (o.cert_file && !o.key_file) {
		fputs("pvrelief-hub: --cert-file needs --key-file\n", stderr);
		return 2;
	}
	int lv = log_level_parse(o.log_level);
	log_init("pvrelief-hub", 0, lv < 0 ? LOG_LEVEL_INFO : (enum log_level)lv);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(&o);
	if (strcmp(cmd, "health") == 0)
		return cmd_report(&o, REPORT_HEALTH);
	if (strcmp(cmd, "alerts") == 0)
		return cmd_report(&o, REPORT_ALERTS);
	if (strcmp(cmd, "ledger") == 0)
		return cmd_report(&o, REPORT_LEDGER);
	if (strcmp(cmd, "kpi") == 0)
		return cmd_report(&o, REPORT_KPI);
	fprintf(stderr, "pvrelief-hub: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
