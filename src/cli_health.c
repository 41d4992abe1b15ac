/* pvrelief health: the county table operations staff look at, per station for a month or a
 * day, with the village and county aggregates and KPIs. It reads the efficiency engine's
 * stored daily figures; --recompute computes them again from the stored rollups first. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/eff_engine.h"
#include "pvrelief/cli.h"
#include "pvrelief/clock.h"
#include "pvrelief/clockopt.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/health.h"
#include "pvrelief/health_gather.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/link_gather.h"
#include "pvrelief/linkview.h"
#include "pvrelief/log.h"
#include "pvrelief/reading.h"
#include "pvrelief/solar.h"
#include "pvrelief/store.h"
#include "pvrelief/store_health.h"
#include "pvrelief/weather.h"
#include "pvrelief/xalloc.h"

enum { OPT_CLOCK_START = 256, OPT_CLOCK_RATE, OPT_CLOCK_ANCHOR, MAX_DAYS = 31 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvrelief health [options]\n"
		"  -m, --month YYYY-MM     the month (default: the current one, county time)\n"
		"  -d, --day YYYY-MM-DD    one day instead of a month\n"
		"  -s, --station ID        only this station\n"
		"  -f, --format F          table (default), json or csv\n"
		"  -w, --wide              every column in the table (by default it fits 120\n"
		"                          columns: stations by name, villages when they hold\n"
		"                          more than one station)\n"
		"  -l, --losses            where each station's expected energy went: outages\n"
		"                          (communication, inverter down), faults, curtailment\n"
		"                          and low performance (JSON always has them; with\n"
		"                          --format csv the CSV is theirs alone)\n"
		"  -k, --links             each gateway's link traffic instead: megabytes today,\n"
		"                          this month and the month's projection against its\n"
		"                          budget (link_budget_mb), per device\n"
		"  -r, --recompute         compute every day of the period again from the stored\n"
		"                          rollups first (late data, backfills)\n"
		"      --clock-start T, --clock-rate R, --clock-anchor A\n"
		"                          a simulated clock for \"now\", as pvreliefd takes\n");
}

/* Prints the link traffic view for the month of (y, m), with "today" the day d (0: the
 * current day, or the month's last when the month is over); returns the exit status. */
static int links(const struct config *cfg, struct store *st, const struct config_station *only,
		 int y, int m, int d, double now, int json)
{
	struct linkview v;
	char why[300];
	if (link_gather(st, cfg, only, y, m, d, now, &v, why, sizeof why) != 0) {
		fprintf(stderr, "pvrelief health: %s\n", why);
		return 1;
	}
	char *text = linkview_render(&v, json);
	fputs(text, stdout);
	free(text);
	link_gather_free(&v);
	return 0;
}

/* Computes the period's days again for the selected stations; returns the failures. */
static int recompute(const struct config *cfg, struct clock *clk, struct store *st,
		     const struct config_station *only, const char *first, const char *last,
		     double now)
{
	struct weather *w = weather_new(cfg);
	struct eff_engine *a = eff_engine_new(cfg, clk, w);
	int failures = 0;
	if (!a) {
		weather_free(w);
		return 1;
	}
	/* Day by day, every selected station at once, so that each is weighed against its
	 * peers' figures of the same computation. */
	size_t n = cfg->n_stations;
	unsigned char *want = xcalloc(n ? n : 1, 1);
	char(*days)[11] = xcalloc(MAX_DAYS, sizeof *days);
	size_t nd = 0;
	for (size_t s = 0; s < n; s++) {
		const struct config_station *cs = &cfg->stations[s];
		if (only && only != cs)
			continue;
		want[s] = 1;
		char why[300];
		int sensors = 0;
		for (size_t d = 0; d < cs->n_devices; d++)
			sensors += cs->devices[d].role == CONFIG_SENSOR;
		/* The weather client only answers from its cache: fetch before computing, for the
		 * stations that have no sensor of their own. */
		if (w && !sensors &&
		    weather_wait(w, s, cfg->efficiency.weather_timeout_ms + 1000, why,
				 sizeof why) != 0)
			fprintf(stderr, "pvrelief health: station %s: no weather data: %s\n",
				cs->id, why);
		char mine[MAX_DAYS][11];
		int k = store_station_days(st, cs->id, first, last, mine, MAX_DAYS);
		for (int i = 0; i < k; i++) {
			size_t j = 0;
			while (j < nd && strcmp(days[j], mine[i]) != 0)
				j++;
			if (j == nd && nd < MAX_DAYS)
				memcpy(days[nd++], mine[i], sizeof mine[i]);
		}
	}
	for (size_t i = 0; i < nd; i++) {
		int bad = eff_engine_days(a, days[i], now, want);
		if (bad) {
			fprintf(stderr, "pvrelief health: day %s: %d stations not computed\n",
				days[i], bad);
			failures += bad;
		}
	}
	free(days);
	free(want);
	eff_engine_free(a);
	weather_free(w);
	return failures;
}

int cli_health(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_OPTION_MONTH,
	    {"day", required_argument, NULL, 'd'},
	    CLI_OPTION_STATION,
	    CLI_OPTION_FORMAT,
	    {"recompute", no_argument, NULL, 'r'},
	    {"wide", no_argument, NULL, 'w'},
	    {"losses", no_argument, NULL, 'l'},
	    {"links", no_argument, NULL, 'k'},
	    {"clock-start", required_argument, NULL, OPT_CLOCK_START},
	    {"clock-rate", required_argument, NULL, OPT_CLOCK_RATE},
	    {"clock-anchor", required_argument, NULL, OPT_CLOCK_ANCHOR},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief health", .formats = "table|json|csv"};
	const char *day = NULL, *clock_start = NULL;
	double clock_rate = 0, clock_anchor = 0;
	int do_recompute = 0, wide = 0, losses = 0, show_links = 0, c;
	while ((c = getopt_long(argc, argv, "m:d:s:f:rwlkh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			day = optarg;
			break;
		case 'r':
			do_recompute = 1;
			break;
		case 'w':
			wide = 1;
			break;
		case 'l':
			losses = 1;
			break;
		case 'k':
			show_links = 1;
			break;
		case OPT_CLOCK_START:
			clock_start = optarg;
			break;
		case OPT_CLOCK_RATE:
			if (cli_parse_double("--clock-rate", optarg, 0.01, 3600, &clock_rate) != 0)
				return 2;
			break;
		case OPT_CLOCK_ANCHOR:
			if (cli_parse_double("--clock-anchor", optarg, 0, 1e12, &clock_anchor) != 0)
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (!cli_opt(&o, c, optarg)) {
				usage(stderr);
				return 2;
			}
		}
	}
	if (optind != argc || (o.month && day)) {
		usage(stderr);
		return 2;
	}
	if (cli_opt_check(&o) != 0)
		return 2;
	const char *month = o.month, *station = o.station;
	/* The order of o.formats is that of enum health_format. */
	enum health_format format =
	    o.format_index < 0 ? HEALTH_TABLE : (enum health_format)o.format_index;
	int y = 0, m = 0, d = 0;
	if (month)
		csv_parse_month(month, &y, &m); /* checked by cli_opt_check */
	if (day && csv_parse_date(day, &y, &m, &d) != 0) {
		fprintf(stderr, "pvrelief health: --day \"%s\" is not a date YYYY-MM-DD\n", day);
		return 2;
	}
	const struct config *cfg = cli_config(env);
	if (!cfg)
		return 1;
	log_init("pvrelief", 0, LOG_LEVEL_WARNING);
	const struct config_station *only = NULL;
	if (station && !(only = cli_station(env, o.cmd, station)))
		return 1;
	/* Now: a simulated clock when one is asked for, else PVRELIEF_NOW or the real time. */
	char err[256];
	struct clock *clk =
	    clockopt_build(cfg, clock_start, clock_rate, clock_anchor, err, sizeof err);
	if (!clk) {
		fprintf(stderr, "pvrelief health: %s\n", err);
		return 2;
	}
	double now = clock_now(clk);
	if (!clock_start && cfg->clock.mode != CONFIG_CLOCK_SIMULATED) {
		int64_t n = cli_time(env);
		if (n < 0) {
			fprintf(stderr, "pvrelief health: PVRELIEF_NOW is not a time\n");
			clock_free(clk);
			return 2;
		}
		now = (double)n;
	}
	struct store *st = cli_store(env);
	if (!st) {
		clock_free(clk);
		return 1;
	}

	struct health_report r;
	memset(&r, 0, sizeof r);
	int rc = 0;
	double t0, t1;
	if (!month && !day)
		irradiance_local_month(now, cfg->utc_offset_s, &y, &m);
	if (show_links) {
		if (format == HEALTH_CSV || do_recompute) {
			fprintf(stderr, "pvrelief health: --links is shown as a table or JSON, "
					"without --recompute\n");
			clock_free(clk);
			return 2;
		}
		clock_free(clk);
		return links(cfg, st, only, y, m, day ? d : 0, now, format == HEALTH_JSON);
	}
	health_gather_period(&r, cfg->utc_offset_s, y, m, day ? d : 0, &t0, &t1);
	if (do_recompute && recompute(cfg, clk, st, only, r.first_day, r.last_day, now) != 0)
		fprintf(stderr, "pvrelief health: some days could not be computed again; "
				"their earlier figures stay\n");
	clock_free(clk);

	char why[512];
	if (health_gather(st, cfg, only, &r, t0, t1, now, why, sizeof why) != 0) {
		fprintf(stderr, "pvrelief health: %s\n", why);
		rc = 1;
		goto out;
	}
	r.wide = wide;
	r.show_losses = losses;
	health_summarize(&r);
	char *text = health_render(&r, format);
	fputs(text, stdout);
	free(text);
out:
	health_gather_free(&r);
	return rc;
}
