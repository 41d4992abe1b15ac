/* pvreliefd's lifecycle. Signals are blocked in every thread and taken synchronously by the
 * main loop with sigtimedwait, so no code runs in signal context at all. */
#include "pvrelief/daemon.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/alert_engine.h"
#include "pvrelief/clock.h"
#include "pvrelief/clockopt.h"
#include "pvrelief/eff_engine.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/log.h"
#include "pvrelief/mqtt.h"
#include "pvrelief/uplink.h"
#include "pvrelief/notify.h"
#include "pvrelief/poller.h"
#include "pvrelief/pollqueue.h"
#include "pvrelief/store.h"
#include "pvrelief/store_alert.h"
#include "pvrelief/timefmt.h"
#include "pvrelief/weather.h"
#include "pvrelief/webhook.h"
#include "pvrelief/xalloc.h"

struct runtime {
	const struct daemon_options *opt;
	struct config *cfg;
	struct clock *clk;
	struct store *store;
	struct weather *weather; /* NULL without a weather service */
	struct poller *poller;
	struct eff_engine *analysis;
	struct mqtt *mqtt;	 /* NULL without MQTT */
	struct uplink *uplink;	 /* NULL without an uplink to the province */
	struct webhook *webhook; /* NULL without webhooks */
	struct alert_engine *alerts;
	struct pollqueue *pending; /* readings the previous poller could not store */
	double started;		   /* clock time the daemon started */
};

/* Configuration problems: plain "file:line: sentence" lines on stderr before anything has
 * started (what an operator reads after -n), through the log once running. */
static void print_errors(const char *what, const struct errlist *errs, int running)
{
	for (size_t i = 0; i < errs->n; i++) {
		if (running)
			log_err("%s", errs->msgs[i]);
		else
			fprintf(stderr, "%s\n", errs->msgs[i]);
	}
	if (running)
		log_err("%s: %zu problem%s found", what, errs->n, errs->n == 1 ? "" : "s");
	else
		fprintf(stderr, "%s: %zu problem%s found\n", what, errs->n,
			errs->n == 1 ? "" : "s");
}

static void apply_logging(const struct daemon_options *opt, const struct config *cfg)
{
	const char *level = opt->log_level ? opt->log_level : cfg->log.level;
	int lv = log_level_parse(level);
	log_init("pvreliefd", cfg->log.syslog, lv < 0 ? LOG_LEVEL_INFO : (enum log_level)lv);
}

static struct clock *build_clock(const struct daemon_options *opt, const struct config *cfg)
{
	char err[256];
	struct clock *c = clockopt_build(cfg, opt->clock_start, opt->clock_rate, opt->clock_anchor,
					 err, sizeof err);
	if (!c)
		log_err("%s", err);
	return c;
}

/* Starts what runs on a configuration, in order: the weather client, the poller, the
 * efficiency engine, MQTT and the webhooks, then the alert engine that reads the first two
 * and speaks through the last two. Each opens its own database connection. */
static int start_services(struct runtime *rt)
{
	const struct config *cfg = rt->cfg;
	rt->weather = weather_new(cfg);
	store_set_max_size(rt->store, cfg->database.max_size_mb);
	/* The CLI acts at the daemon's time (a simulated clock in the demo and the tests): the
	 * clock's reading, the wall time of that reading and its rate. */
	char clk[96];
	snprintf(clk, sizeof clk, "%.3f %.3f %g", clock_now(rt->clk), clock_wall_now(),
		 clock_rate(rt->clk));
	if (store_meta_set(rt->store, "clock", clk) != 0)
		log_warn("database %s: cannot record the clock for the CLI: %s", cfg->database.path,
			 store_errmsg(rt->store));
	if (!(rt->poller = poller_new(cfg, rt->clk)))
		return -1;
	poller_adopt_pending(rt->poller, rt->pending);
	rt->pending = NULL;
	if (!(rt->analysis = eff_engine_new(cfg, rt->clk, rt->weather)))
		return -1;
	if (cfg->mqtt.enabled && !(rt->mqtt = mqtt_new(cfg, cfg->database.path)))
		return -1;
	if (cfg->alerts.n_webhooks > 0)
		rt->webhook = webhook_new(cfg);
	rt->alerts =
	    alert_engine_new(cfg, rt->clk, rt->poller, rt->analysis, rt->mqtt, rt->webhook);
	if (!rt->alerts)
		return -1;
	poller_set_listener(rt->poller, alert_engine_on_result, rt->alerts);
	if (poller_start(rt->poller) != 0 || eff_engine_start(rt->analysis) != 0)
		return -1;
	if (rt->mqtt && mqtt_start(rt->mqtt) != 0)
		return -1;
	if (cfg->uplink.enabled) {
		if (!(rt->uplink = uplink_new(cfg, rt->clk, rt->poller)) ||
		    uplink_start(rt->uplink) != 0)
			return -1;
	} else if (uplink_disable(cfg->database.path) != 0) {
		return -1;
	}
	return alert_engine_start(rt->alerts);
}

/* Stops the services in reverse order: each finishes its round, transaction or publish;
 * MQTT gets a bounded time to deliver what is queued (the rest stays in the outbox). */
static void stop_services(struct runtime *rt)
{
	alert_engine_stop(rt->alerts);
	eff_engine_stop(rt->analysis);
	poller_stop(rt->poller);
	/* A reload must not lose what a full disk kept in memory: the next poller stores it. */
	if (!rt->pending)
		rt->pending = poller_take_pending(rt->poller);
	if (rt->mqtt)
		mqtt_stop(rt->mqtt, 5000);
	if (rt->uplink)
		uplink_stop(rt->uplink, 5000);
	uplink_free(rt->uplink);
	rt->uplink = NULL;
	alert_engine_free(rt->alerts);
	rt->alerts = NULL;
	eff_engine_free(rt->analysis);
	rt->analysis = NULL;
	poller_free(rt->poller);
	rt->poller = NULL;
	mqtt_free(rt->mqtt);
	rt->mqtt = NULL;
	webhook_free(rt->webhook);
	rt->webhook = NULL;
	weather_free(rt->weather);
	rt->weather = NULL;
}

/* Loads the configuration again into a fresh structure and swaps it in only if it is
 * valid; otherwise the daemon keeps running on the old one. */
static void reload(struct runtime *rt)
{
	struct errlist errs = {0};
	notify_reloading(1);
	log_info("SIGHUP: reloading configuration %s", rt->opt->config_path);
	struct config *fresh = config_load(rt->opt->config_path, &errs);
	if (!fresh) {
		print_errors(rt->opt->config_path, &errs, 1);
		log_err("configuration %s is not valid; still running on the previous one",
			rt->opt->config_path);
		errlist_clear(&errs);
		notify_reloading(0);
		return;
	}
	struct clock *clk = build_clock(rt->opt, fresh);
	if (!clk) {
		log_err("configuration %s: clock settings are not valid; still running on the "
			"previous configuration",
			rt->opt->config_path);
		config_free(fresh);
		notify_reloading(0);
		return;
	}
	if (strcmp(fresh->database.path, rt->cfg->database.path) != 0)
		log_warn("database.path changed to %s: that takes effect at the next restart; "
			 "still using %s",
			 fresh->database.path, rt->cfg->database.path);
	stop_services(rt);
	config_free(rt->cfg);
	clock_free(rt->clk);
	rt->cfg = fresh;
	rt->clk = clk;
	apply_logging(rt->opt, rt->cfg);
	if (start_services(rt) != 0) {
		stop_services(rt);
		log_err("services did not restart after reload; retrying at the next SIGHUP");
	}
	log_info("configuration %s reloaded: %zu stations, %zu devices", rt->opt->config_path,
		 rt->cfg->n_stations, config_device_count(rt->cfg));
	notify_reloading(0);
}

static void print_eta(double eta)
{
	if (isfinite(eta))
		printf(" %6.2f", eta);
	else
		printf(" %6s", "-");
}

/* Appends the kinds of the active alerts of station id ("" for the county's own) to buf. */
static void alert_kinds(const struct store_alert *act, int n, const char *id, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(act[i].station, id) != 0)
			continue;
		size_t used = strlen(buf);
		char word[48];
		snprintf(word, sizeof word, "%s%s", used ? "," : "", act[i].kind);
		if (!strstr(buf, act[i].kind) && used + strlen(word) < len)
			memcpy(buf + used, word, strlen(word) + 1);
	}
}

/* The first lines of the --live-note file under the table, while it exists: in the demo,
 * the problems the simulator found in the fault file the user just edited. */
static void print_note(const char *path)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[512];
	if (!f)
		return;
	for (int n = 0; n < 8 && fgets(line, sizeof line, f); n++)
		printf("%s! %s%s", n ? "" : "\n", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/* The live table of --live: a line per station, its state ("connecting" until its devices
 * have had their chance, "offline since" when they went silent) and its active alerts.
 * On a terminal it is drawn again in place, like top; into a file or a pipe, one table
 * follows another. */
static void print_live(struct runtime *rt, int redraw)
{
	const struct config *cfg = rt->cfg;
	size_t n = cfg->n_stations, nd = config_device_count(cfg);
	struct poller_station_live *live = xcalloc(n ? n : 1, sizeof *live);
	struct poller_device_live *dl = xcalloc(nd ? nd : 1, sizeof *dl);
	struct eff_engine_station *eff = xcalloc(n ? n : 1, sizeof *eff);
	double *last_ok = xcalloc(n ? n : 1, sizeof *last_ok);
	struct eff_engine_county county;
	char when[32], since[32], kinds[96];
	n = poller_snapshot(rt->poller, live, n);
	nd = poller_device_snapshot(rt->poller, dl, nd);
	for (size_t i = 0; i < nd; i++)
		if (dl[i].station < n && dl[i].last_ok_ts > last_ok[dl[i].station])
			last_ok[dl[i].station] = dl[i].last_ok_ts;
	eff_engine_snapshot(rt->analysis, eff, n, &county);
	static const struct store_alert_filter f = {.active_only = 1};
	enum { MAX_SHOWN = 1024 };
	struct store_alert *act = xcalloc(MAX_SHOWN, sizeof *act);
	int n_act = store_alert_list(rt->store, &f, act, MAX_SHOWN);
	if (n_act < 0)
		n_act = 0; /* the alerts are shown when the database answers again */
	double now = clock_now(rt->clk);
	timefmt_local(now, cfg->utc_offset_s, when, sizeof when);
	printf("%s%s  %s (%s): %zu stations; eta = generation parameter today (target %.2f)\n",
	       redraw ? "\033[H\033[J" : "\n", when, cfg->county_name, cfg->county_id, n,
	       cfg->efficiency.station_target);
	printf("%-16s %-24s %10s %11s %7s %6s  %-22s %s\n", "station", "village", "power kW",
	       "today kWh", "online", "eta", "state", "alerts");
	double total_w = 0, total_wh = 0;
	int any_shown = 0;
	for (size_t i = 0; i < n; i++) {
		const struct poller_station_live *s = &live[i];
		const struct config_station *cs = &cfg->stations[s->station];
		printf("%-16s %-24s %10.2f %11.1f %4zu/%-2zu", cs->id,
		       cfg->villages[cs->village].id, s->power_w / 1000.0,
		       s->energy_today_wh / 1000.0, s->online, s->devices);
		/* A figure from the first minutes of data says nothing yet: shown once the day's
		 * window has some coverage, and "below target" only when it can be judged. */
		int shown = eff[i].valid && eff[i].day.coverage >= 0.2;
		any_shown |= shown;
		print_eta(shown ? eff[i].day.eta : NAN);
		int low = shown && eff[i].day.judgeable && isfinite(eff[i].day.eta) &&
			  eff[i].day.eta < cfg->efficiency.station_target;
		char state[64];
		if (s->state == POLLER_ST_OFFLINE) {
			/* Never answered since the start: silent since the daemon started. */
			double t = last_ok[i] > 0 ? last_ok[i] : rt->started;
			timefmt_local(t, cfg->utc_offset_s, since, sizeof since);
			snprintf(state, sizeof state, "offline since %.5s", since + 11);
		} else {
			snprintf(state, sizeof state, "%s%s", poller_state_name(s->state),
				 low ? ", below target" : "");
		}
		alert_kinds(act, n_act, cs->id, kinds, sizeof kinds);
		printf("  %-22s %s\n", state, kinds[0] ? kinds : "-");
		total_w += s->power_w;
		total_wh += s->energy_today_wh;
	}
	printf("%-16s %-24s %10.2f %11.1f %7s", "county", "", total_w / 1000.0, total_wh / 1000.0,
	       "");
	print_eta(any_shown ? county.day.eta : NAN);
	int judged = alert_engine_county_judged(cfg, &county);
	alert_kinds(act, n_act, "", kinds, sizeof kinds);
	if (judged)
		printf("  month to date %.2f (target %.2f)%s", county.mtd.eta,
		       cfg->efficiency.county_target,
		       county.risk.at_risk && county.risk.alertable ? ": county target at risk"
								    : "");
	else
		printf("  month to date: too little yet to judge");
	printf("%s%s\n", kinds[0] ? "  " : "", kinds);
	print_note(rt->opt->live_note);
	fflush(stdout);
	free(act);
	free(last_ok);
	free(live);
	free(dl);
	free(eff);
}

int daemon_run(const struct daemon_options *opt)
{
	struct runtime rt = {.opt = opt};
	struct errlist errs = {0};
	char err[512];
	int status = 1;

	rt.cfg = config_load(opt->config_path, &errs);
	if (!rt.cfg) {
		/* Configuration errors go to stderr whatever the log setting: nothing started. */
		print_errors(opt->config_path, &errs, 0);
		errlist_clear(&errs);
		return 1;
	}
	if (opt->check_only) {
		printf(
		    "%s: configuration OK (%zu towns, %zu villages, %zu stations, %zu devices)\n",
		    opt->config_path, rt.cfg->n_towns, rt.cfg->n_villages, rt.cfg->n_stations,
		    config_device_count(rt.cfg));
		config_free(rt.cfg);
		return 0;
	}
	apply_logging(opt, rt.cfg);
	if (!(rt.clk = build_clock(opt, rt.cfg)))
		goto out;

	/* Block the signals in this thread before any other starts, so every thread inherits
	 * the mask and only sigtimedwait below ever takes them. SIGPIPE is ignored: a peer
	 * that closes a socket is an ordinary runtime error, reported by the write. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	rt.store = store_open(rt.cfg->database.path, STORE_LOCK, err, sizeof err);
	if (!rt.store) {
		log_err("%s", err);
		goto out;
	}
	if (start_services(&rt) != 0) {
		log_err("cannot start polling; stopping");
		goto out;
	}
	log_info("pvreliefd %s started: county %s, %zu stations, %zu devices, database %s%s",
		 PVRELIEF_VERSION, rt.cfg->county_id, rt.cfg->n_stations,
		 config_device_count(rt.cfg), rt.cfg->database.path,
		 clock_rate(rt.clk) != 1.0 ? " (simulated clock)" : "");
	notify_ready();

	rt.started = clock_now(rt.clk);
	/* On a terminal the live table is drawn in place; logs then belong in a file
	 * (tools/demo sends them there), or they scroll it away. */
	int redraw = opt->live && isatty(STDOUT_FILENO);
	double watchdog = notify_watchdog_period_s();
	double next_live = 0, next_pet = 0;
	for (;;) {
		struct timespec wait = {0, 250 * 1000 * 1000};
		int sig = sigtimedwait(&set, NULL, &wait);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		}
		if (sig == SIGHUP)
			reload(&rt);
		double now = clock_monotonic_now();
		/* The watchdog is only petted while the poller's scheduler is alive, so a
		 * wedged poller gets the daemon restarted. */
		if (watchdog > 0 && now >= next_pet && rt.poller &&
		    now - poller_heartbeat(rt.poller) < watchdog / 2) {
			notify_watchdog();
			next_pet = now + watchdog / 4;
		}
		if (opt->live && rt.poller && now >= next_live) {
			print_live(&rt, redraw);
			next_live = now + opt->live_interval_s;
		}
	}
	notify_stopping();
	status = 0;
out:
	stop_services(&rt);
	/* A simulated clock stops with the daemon: the CLI then acts at the time it stopped
	 * (rate 0) rather than running the clock on; a real one goes on as the CLI's own. */
	if (rt.store && rt.clk && clock_rate(rt.clk) != 1.0) {
		char clk[96];
		snprintf(clk, sizeof clk, "%.3f %.3f 0", clock_now(rt.clk), clock_wall_now());
		store_meta_set(rt.store, "clock", clk);
	}
	pollqueue_free(rt.pending);
	store_close(rt.store);
	clock_free(rt.clk);
	config_free(rt.cfg);
	if (status == 0)
		log_info("stopped");
	return status;
}
