/* pvrelief-web: the operations console, a web server over the daemon's database. A program of
 * its own so that the polling daemon opens no listening socket: a crash of or an attack on the
 * console never touches polling. */
#include <errno.h>
#include <pthread.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pvrelief/clock.h"
#include "pvrelief/clockopt.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/log.h"
#include "pvrelief/notify.h"
#include "pvrelief/web_app.h"
#include "pvrelief/web_auth.h"
#include "pvrelief/web_http.h"
#include "pvrelief/xalloc.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: pvrelief-web [-c FILE] [options]\n"
	    "       pvrelief-web [-c FILE] --add-user NAME   (password on standard input)\n"
	    "  -c, --config FILE       configuration file (default %s/pvrelief/pvrelief.conf);\n"
	    "                          its web group sets address, port, TLS and logins\n"
	    "  -n, --check             check the configuration and the users file, and exit\n"
	    "      --database PATH     the daemon's database (default database.path)\n"
	    "      --hub-db PATH       the province hub's database (pvrelief-hub run --db), read\n"
	    "                          only: adds the province pages (default web.hub_database)\n"
	    "      --address A, --port N  listen here instead of web.address and web.port\n"
	    "      --users-file PATH   instead of web.users_file\n"
	    "      --add-user NAME     add or replace a user of the users file with the password\n"
	    "                          read from standard input, hashed with yescrypt\n"
	    "      --ready-file PATH   write the port to PATH once listening (tests)\n"
	    "  -v, --log-level LEVEL   error, warning, info or debug (overrides log.level)\n"
	    "      --clock-start T, --clock-rate R, --clock-anchor A\n"
	    "                          the simulated clock the daemon runs on, so that pages\n"
	    "                          say \"now\" as it does\n"
	    "  -V, --version           print the version and exit\n"
	    "  -h, --help              print this help and exit\n",
	    PVRELIEF_SYSCONFDIR);
}

/* Paths in the configuration are relative to its file, as maps_dir is. */
static char *beside(const char *config_path, const char *path)
{
	if (!*path || path[0] == '/')
		return xstrdup(path);
	const char *slash = strrchr(config_path, '/');
	if (!slash)
		return xstrdup(path);
	return xasprintf("%.*s/%s", (int)(slash - config_path), config_path, path);
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = xstrdup("");
	else
		buf[len] = '\0';
	return buf;
}

static int add_user(const char *users_file, const char *name)
{
	if (!*users_file) {
		fprintf(stderr, "pvrelief-web: set web.users_file (or --users-file) first\n");
		return 1;
	}
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fprintf(stderr, "password for %s: ", name);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char pw[512];
	int got = fgets(pw, sizeof pw, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!got) {
		fprintf(stderr, "pvrelief-web: no password on standard input\n");
		return 1;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	if (strlen(pw) < 8) {
		fprintf(stderr, "pvrelief-web: the password must have at least 8 characters\n");
		return 1;
	}
	char hash[256], err[512];
	int rc = web_auth_hash(pw, hash, sizeof hash);
	explicit_bzero(pw, sizeof pw);
	if (rc != 0) {
		fprintf(stderr, "pvrelief-web: crypt(3) cannot make a yescrypt hash here\n");
		return 1;
	}
	if (web_auth_put_user(users_file, name, hash, err, sizeof err) != 0) {
		fprintf(stderr, "pvrelief-web: %s\n", err);
		return 1;
	}
	fprintf(stderr, "user %s written to %s\n", name, users_file);
	return 0;
}

int main(int argc, char **argv)
{
	enum {
		OPT_DATABASE = 256,
		OPT_ADDRESS,
		OPT_PORT,
		OPT_USERS,
		OPT_ADD_USER,
		OPT_READY,
		OPT_CLOCK_START,
		OPT_CLOCK_RATE,
		OPT_CLOCK_ANCHOR,
		OPT_HUB_DB
	};
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", no_argument, NULL, 'n'},
	    {"database", required_argument, NULL, OPT_DATABASE},
	    {"address", required_argument, NULL, OPT_ADDRESS},
	    {"port", required_argument, NULL, OPT_PORT},
	    {"users-file", required_argument, NULL, OPT_USERS},
	    {"add-user", required_argument, NULL, OPT_ADD_USER},
	    {"ready-file", required_argument, NULL, OPT_READY},
	    {"log-level", required_argument, NULL, 'v'},
	    {"clock-start", required_argument, NULL, OPT_CLOCK_START},
	    {"clock-rate", required_argument, NULL, OPT_CLOCK_RATE},
	    {"clock-anchor", required_argument, NULL, OPT_CLOCK_ANCHOR},
	    {"hub-db", required_argument, NULL, OPT_HUB_DB},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *config_path = PVRELIEF_SYSCONFDIR "/pvrelief/pvrelief.conf";
	const char *database = NULL, *address = NULL, *users = NULL, *new_user = NULL;
	const char *ready = NULL, *level = NULL, *clock_start = NULL, *hub_db = NULL;
	double clock_rate = 0, clock_anchor = 0;
	long port = -1;
	int check = 0, c;
	char *end;
	while ((c = getopt_long(argc, argv, "c:nv:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case OPT_DATABASE:
			database = optarg;
			break;
		case OPT_ADDRESS:
			address = optarg;
			break;
		case OPT_PORT:
			port = strtol(optarg, &end, 10);
			if (*end || end == optarg || port < 0 || port > 65535) {
				fprintf(stderr, "pvrelief-web: --port needs 0..65535\n");
				return 2;
			}
			break;
		case OPT_USERS:
			users = optarg;
			break;
		case OPT_ADD_USER:
			new_user = optarg;
			break;
		case OPT_READY:
			ready = optarg;
			break;
		case 'v':
			if (log_level_parse(optarg) < 0) {
				fprintf(stderr, "pvrelief-web: unknown log level \"%s\"\n", optarg);
				return 2;
			}
			level = optarg;
			break;
		case OPT_HUB_DB:
			hub_db = optarg;
			break;
		case OPT_CLOCK_START:
			clock_start = optarg;
			break;
		case OPT_CLOCK_RATE:
			clock_rate = strtod(optarg, &end);
			if (*end || !(clock_rate >= 0.01 && clock_rate <= 3600)) {
				fprintf(stderr, "pvrelief-web: --clock-rate needs 0.01..3600\n");
				return 2;
			}
			break;
		case OPT_CLOCK_ANCHOR:
			clock_anchor = strtod(optarg, &end);
			if (*end || clock_anchor < 0) {
				fprintf(stderr,
					"pvrelief-web: --clock-anchor needs unix seconds\n");
				return 2;
			}
			break;
		case 'V':
			printf("pvrelief-web %s\n", PVRELIEF_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	struct errlist errs = {0};
	struct config *cfg = config_load(config_path, &errs);
	if (!cfg) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		errlist_clear(&errs);
		return 1;
	}
	errlist_clear(&errs);
	/* Loading a county of 10,000 devices leaves megabytes of libconfig's parse tree freed
	 * but kept by the allocator; pages are rendered into buffers of up to a megabyte that
	 * live for one request. Hand both back to the system, so the console's resident size
	 * is what it uses: large buffers come from mmap and go back on free, one arena serves
	 * the server thread and main, and the parse tree's pages are trimmed now. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, 1);
	malloc_trim(0);
	log_init("pvrelief-web", cfg->log.syslog,
		 (enum log_level)log_level_parse(level ? level : cfg->log.level));
	char *users_file = users ? xstrdup(users) : beside(config_path, cfg->web.users_file);
	int rc = 1;
	struct clock *clk = NULL;
	struct web_auth *auth = NULL;
	struct web_app *app = NULL;
	struct web_http *http = NULL;
	char *cert = NULL, *key = NULL, *hub_path = NULL;
	char err[512];
	if (new_user) {
		rc = add_user(users_file, new_user);
		goto out;
	}
	auth = web_auth_new(users_file, cfg->web.session_minutes * 60.0, cfg->web.login_attempts,
			    err, sizeof err);
	if (!auth) {
		fprintf(stderr, "pvrelief-web: %s\n", err);
		goto out;
	}
	if (*cfg->web.tls_cert_file) {
		char *cp = beside(config_path, cfg->web.tls_cert_file);
		char *kp = beside(config_path, cfg->web.tls_key_file);
		cert = read_file(cp, err, sizeof err);
		key = cert ? read_file(kp, err, sizeof err) : NULL;
		free(cp);
		free(kp);
		if (!key) {
			fprintf(stderr, "pvrelief-web: web: %s\n", err);
			goto out;
		}
	}
	if (check) {
		printf("%s: configuration OK; %zu users\n", config_path, web_auth_users(auth));
		rc = 0;
		goto out;
	}
	clk = clockopt_build(cfg, clock_start, clock_rate, clock_anchor, err, sizeof err);
	if (!clk) {
		fprintf(stderr, "pvrelief-web: %s\n", err);
		goto out;
	}
	/* Signals are taken synchronously below; block them before any thread starts. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	app = web_app_new(cfg, clk, auth, database ? database : cfg->database.path);
	hub_path = hub_db ? xstrdup(hub_db) : beside(config_path, cfg->web.hub_database);
	web_app_set_hub(app, hub_path);
	struct web_http_opts o = {
	    .address = address ? address : cfg->web.address,
	    .port = port >= 0 ? (int)port : cfg->web.port,
	    .tls_cert_pem = cert,
	    .tls_key_pem = key,
	    .max_clients = cfg->web.max_clients,
	    .timeout_s = 60,
	};
	http = web_http_start(&o, web_app_handle, app, err, sizeof err);
	if (!http) {
		fprintf(stderr, "pvrelief-web: %s\n", err);
		goto out;
	}
	int bound = web_http_port(http);
	log_info("listening on %s://%s%s%s:%d/ (database %s%s%s)", cert ? "https" : "http",
		 strchr(o.address, ':') ? "[" : "", o.address, strchr(o.address, ':') ? "]" : "",
		 bound, database ? database : cfg->database.path,
		 *hub_path ? ", province hub database " : "", hub_path);
	if (ready) {
		char *tmp = xasprintf("%s.tmp", ready);
		FILE *f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%d\n", bound);
			fclose(f);
			rename(tmp, ready);
		}
		free(tmp);
	}
	notify_ready();
	for (;;) {
		int sig;
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP: the users file is read again at the next login; restart "
				 "to change other settings");
			continue;
		}
		break;
	}
	notify_stopping();
	rc = 0;
out:
	free(hub_path);
	web_http_stop(http);
	web_app_free(app);
	web_auth_free(auth);
	clock_free(clk);
	free(cert);
	free(key);
	free(users_file);
	config_free(cfg);
	return rc;
}
