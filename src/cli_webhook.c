/* pvrelief webhook-test: what the county's operator runs after adding a chat-group robot to the
 * configuration, to see a message arrive in the group before a real alert has to. It sends one
 * alert event through the same queues, formats and retries as the daemon and reports what each
 * endpoint did with it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/log.h"
#include "pvrelief/webhook.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvrelief webhook-test [options]\n"
		"  -w, --webhook NAME     only this configured webhook (default all)\n"
		"  -s, --station ID       station the alert is about (default the first)\n"
		"  -k, --kind KIND        low_efficiency, offline, fault, ... (default test)\n"
		"      --severity S       info, warning or critical (default info)\n"
		"      --cleared          send a \"cleared\" message instead of \"raised\"\n"
		"  -t, --title TEXT       the one-line summary\n"
		"      --detail TEXT      further text\n"
		"      --device ID        the device the alert is about\n"
		"  -f, --figure NAME=VALUE[:UNIT]  a figure to show (up to %d)\n"
		"      --id N             alert number (default 1)\n"
		"      --time UNIX        event time (default now)\n"
		"      --wait S           seconds to wait for delivery (default 30)\n"
		"      --attempts N       attempts per endpoint (default 3)\n"
		"      --backoff S        first wait after a failure, doubling (default 1)\n",
		WEBHOOK_MAX_FIGURES);
}

static int add_figure(struct webhook_event *ev, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || ev->n_figures >= WEBHOOK_MAX_FIGURES)
		return -1;
	struct webhook_figure *f = &ev->figures[ev->n_figures];
	char *end;
	snprintf(f->name, sizeof f->name, "%.*s", (int)(eq - arg), arg);
	f->value = strtod(eq + 1, &end);
	if (end == eq + 1 || (*end && *end != ':'))
		return -1;
	if (*end == ':')
		snprintf(f->unit, sizeof f->unit, "%s", end + 1);
	ev->n_figures++;
	return 0;
}

int cli_webhook_test(struct cli_env *env, int argc, char **argv)
{
	enum {
		OPT_CLEARED = 256,
		OPT_DETAIL,
		OPT_DEVICE,
		OPT_ID,
		OPT_TIME,
		OPT_WAIT,
		OPT_ATTEMPTS,
		OPT_BACKOFF,
		OPT_SEVERITY
	};
	static const struct option longopts[] = {
	    {"webhook", required_argument, NULL, 'w'},
	    {"station", required_argument, NULL, 's'},
	    {"kind", required_argument, NULL, 'k'},
	    {"severity", required_argument, NULL, OPT_SEVERITY},
	    {"cleared", no_argument, NULL, OPT_CLEARED},
	    {"title", required_argument, NULL, 't'},
	    {"detail", required_argument, NULL, OPT_DETAIL},
	    {"device", required_argument, NULL, OPT_DEVICE},
	    {"figure", required_argument, NULL, 'f'},
	    {"id", required_argument, NULL, OPT_ID},
	    {"time", required_argument, NULL, OPT_TIME},
	    {"wait", required_argument, NULL, OPT_WAIT},
	    {"attempts", required_argument, NULL, OPT_ATTEMPTS},
	    {"backoff", required_argument, NULL, OPT_BACKOFF},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct webhook_event ev = {.id = 1, .severity = WEBHOOK_INFO};
	struct webhook_retry retry = {
	    .initial_s = 1, .max_s = 300, .max_attempts = 3, .queue_cap = 16};
	const char *only = NULL, *station = NULL, *title = NULL;
	double wait_s = 30;
	int c;
	long num;

	snprintf(ev.kind, sizeof ev.kind, "test");
	ev.time_unix = (int64_t)clock_wall_now();
	while ((c = getopt_long(argc, argv, "w:s:k:t:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			only = optarg;
			break;
		case 's':
			station = optarg;
			break;
		case 'k':
			snprintf(ev.kind, sizeof ev.kind, "%s", optarg);
			break;
		case OPT_SEVERITY:
			if (strcmp(optarg, "critical") == 0)
				ev.severity = WEBHOOK_CRITICAL;
			else if (strcmp(optarg, "warning") == 0)
				ev.severity = WEBHOOK_WARNING;
			else if (strcmp(optarg, "info") != 0) {
				fprintf(stderr, "pvrelief webhook-test: unknown severity \"%s\"\n",
					optarg);
				return 2;
			}
			break;
		case OPT_CLEARED:
			ev.cleared = 1;
			break;
		case 't':
			title = optarg;
			break;
		case OPT_DETAIL:
			snprintf(ev.detail, sizeof ev.detail, "%s", optarg);
			break;
		case OPT_DEVICE:
			snprintf(ev.device_id, sizeof ev.device_id, "%s", optarg);
			break;
		case 'f':
			if (add_figure(&ev, optarg) != 0) {
				fprintf(stderr,
					"pvrelief webhook-test: --figure wants NAME=VALUE[:UNIT], "
					"at most %d, not \"%s\"\n",
					WEBHOOK_MAX_FIGURES, optarg);
				return 2;
			}
			break;
		case OPT_ID:
			ev.id = strtoll(optarg, NULL, 10);
			break;
		case OPT_TIME:
			if (cli_parse_long("--time", optarg, 0, 4102444800L, &num) != 0)
				return 2;
			ev.time_unix = num;
			break;
		case OPT_WAIT:
			if (cli_parse_double("--wait", optarg, 0, 3600, &wait_s) != 0)
				return 2;
			break;
		case OPT_ATTEMPTS:
			if (cli_parse_long("--attempts", optarg, 1, 1000, &num) != 0)
				return 2;
			retry.max_attempts = (int)num;
			break;
		case OPT_BACKOFF:
			if (cli_parse_double("--backoff", optarg, 0, 3600, &retry.initial_s) != 0)
				return 2;
			break;
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
	const struct config *cfg = cli_config(env);
	if (!cfg)
		return 1;
	log_init("pvrelief", 0, LOG_LEVEL_INFO);

	/* A view of the configuration with only the chosen webhook; it borrows everything. */
	struct config view = *cfg;
	if (only) {
		view.alerts.n_webhooks = 0;
		for (size_t i = 0; i < cfg->alerts.n_webhooks; i++)
			if (strcmp(cfg->alerts.webhooks[i].name, only) == 0) {
				view.alerts.webhooks = &cfg->alerts.webhooks[i];
				view.alerts.n_webhooks = 1;
			}
	}
	if (view.alerts.n_webhooks == 0) {
		fprintf(stderr, "pvrelief webhook-test: %s\n",
			only ? "no webhook of that name in the configuration"
			     : "the configuration has no alerts.webhooks");
		return 1;
	}
	const struct config_station *st = station
					      ? cli_station(env, "pvrelief webhook-test", station)
					      : (cfg->n_stations ? &cfg->stations[0] : NULL);
	if (station && !st)
		return 1;
	if (st) {
		snprintf(ev.station_id, sizeof ev.station_id, "%s", st->id);
		snprintf(ev.station_name, sizeof ev.station_name, "%s",
			 st->name ? st->name : st->id);
		const struct config_village *v = &cfg->villages[st->village];
		snprintf(ev.village_name, sizeof ev.village_name, "%s", v->name ? v->name : v->id);
	}
	int en = cfg->alerts.language && strcmp(cfg->alerts.language, "en") == 0;
	snprintf(ev.title, sizeof ev.title, "%s",
		 title ? title
		 : en  ? "Test message from pvrelief: alerts reach this group; no action needed."
		       : "pvrelief 测试消息：告警可以送达本群，无需处理。");

	struct webhook *w = webhook_new_with(&view, &retry);
	webhook_send(w, &ev);
	int drained = webhook_flush(w, (int)(wait_s * 1000)) == 0;
	int ok = drained;
	for (size_t i = 0; i < webhook_count(w); i++) {
		struct webhook_stats s;
		const char *name = webhook_stats(w, i, &s);
		printf("%s: delivered %llu, failed attempts %llu, dropped %llu, waiting %zu\n",
		       name, (unsigned long long)s.delivered, (unsigned long long)s.failures,
		       (unsigned long long)s.dropped, s.pending);
		if (s.delivered != 1)
			ok = 0;
	}
	fflush(stdout);
	webhook_free(w);
	return ok ? 0 : 1;
}
