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
#include "pvrelief/kpi.h"
#include "pvrelief/irradiance.h"
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
		"  -r, --recompute         compute every day of the period again from the stored\n"
		"                          rollups first (late data, backfills)\n"
		"      --clock-start T, --clock-rate R, --clock-anchor A\n"
		"                          a simulated clock for \"now\", as pvreliefd takes\n");
}

/* Marks the daylight quarter-hours of [t0, t0 + 900 nq) at a station in mask (nq entries): the
 * sun above the horizon at the middle of the quarter, as the efficiency engine counts them;
 * returns how many. */
static double daylight_quarters(const struct config_station *st, double t0, size_t nq,
				unsigned char *mask)
{
	double n = 0;
	for (size_t k = 0; k < nq; k++) {
		struct solar_position sp;
		mask[k] = solar_position(t0 + 900.0 * (double)k + 450, st->lat_deg, st->lon_deg,
					 st->altitude_m, 1013.25, 15.0, SOLAR_DELTA_T_DEFAULT_S,
					 &sp) == 0 &&
			  sp.elevation_deg > 0;
		n += mask[k];
	}
	return n;
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

/* Fills a station's row from the store; 0 or negative (printed). */
static int gather(struct store *st, const struct config *cfg, const struct config_station *cs,
		  const char *first, const char *last, double t0, double until, size_t nq,
		  const unsigned char *lit, struct health_station *row)
{
	health_station_reset(row);
	row->id = cs->id;
	row->name = cs->name;
	row->capacity_kwp = cs->capacity_kwp;
	struct store_eff_day days[MAX_DAYS];
	int n = store_eff_days(st, cs->id, first, last, days, MAX_DAYS);
	if (n < 0)
		goto fail;
	for (int i = 0; i < n; i++)
		health_station_add_day(row, &days[i]);
	/* Its inverters, as configured, with their stored days. */
	const char **ids = xcalloc(cs->n_devices + 1, sizeof *ids);
	row->inverters = xcalloc(cs->n_devices + 1, sizeof *row->inverters);
	for (size_t d = 0; d < cs->n_devices; d++) {
		if (cs->devices[d].role != CONFIG_INVERTER)
			continue;
		struct health_inverter *inv = &row->inverters[row->n_inverters];
		inv->id = ids[row->n_inverters++] = cs->devices[d].id;
		inv->dc_kwp = cs->devices[d].dc_kwp;
	}
	size_t cap = (size_t)MAX_DAYS * (row->n_inverters + 1);
	struct store_inv_day *idays = xcalloc(cap, sizeof *idays);
	int ni = store_inv_days(st, cs->id, ids, row->n_inverters, first, last, idays, cap);
	for (int i = 0; i < ni; i++)
		for (size_t k = 0; k < row->n_inverters; k++)
			if (idays[i].device == ids[k])
				health_inverter_add_day(&row->inverters[k], &idays[i]);
	free(idays);
	free(ids);
	if (ni < 0)
		goto fail;
	for (size_t d = 0; d < cs->n_devices; d++) {
		if (cs->devices[d].role != CONFIG_INVERTER)
			continue;
		int64_t id;
		long valid = 0, rejected = 0, got;
		double fault_s = 0, longest_s = 0;
		if (store_device_id(st, cs->id, cs->devices[d].id, &id) != 0 ||
		    store_device_range_counts(st, id, first, last, &valid, &rejected) != 0 ||
		    (got = store_device_valid_quarters(st, id, t0, nq, lit)) < 0 ||
		    store_device_state_time(st, id, INV_STATE_FAULT, t0, until, &fault_s,
					    &longest_s) != 0)
			goto fail;
		double since;
		if (store_device_first_ts(st, id, &since) != 0)
			goto fail;
		row->quarters_expected += kpi_expected_quarters(lit, nq, t0, since);
		row->quarters_valid += (double)got;
		row->readings += valid + rejected;
		row->rejected += rejected;
		row->fault_min += fault_s / 60.0;
		row->longest_fault_min = fmax(row->longest_fault_min, longest_s / 60.0);
	}
	if ((row->fault_alerts = store_alert_count(st, cs->id, "fault", t0, until)) < 0)
		goto fail;
	health_station_finish(row, cfg->efficiency.station_target);
	return 0;
fail:
	fprintf(stderr, "pvrelief health: station %s: database: %s\n", cs->id, store_errmsg(st));
	free(row->inverters);
	row->inverters = NULL;
	row->n_inverters = 0;
	return -1;
}

int cli_health(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_OPTION_MONTH,
	    {"day", required_argument, NULL, 'd'},
	    CLI_OPTION_STATION,
	    CLI_OPTION_FORMAT,
	    {"recompute", no_argument, NULL, 'r'},
	    {"clock-start", required_argument, NULL, OPT_CLOCK_START},
	    {"clock-rate", required_argument, NULL, OPT_CLOCK_RATE},
	    {"clock-anchor", required_argument, NULL, OPT_CLOCK_ANCHOR},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct cli_opts o = {.cmd = "pvrelief health", .formats = "table|json|csv"};
	const char *day = NULL, *clock_start = NULL;
	double clock_rate = 0, clock_anchor = 0;
	int do_recompute = 0, c;
	while ((c = getopt_long(argc, argv, "m:d:s:f:rh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			day = optarg;
			break;
		case 'r':
			do_recompute = 1;
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
	int y, m, d;
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
		int64_t n = cli_now(NULL);
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
	double t0, t1;
	if (day) {
		r.is_day = 1;
		snprintf(r.period, sizeof r.period, "%s", day);
		snprintf(r.first_day, sizeof r.first_day, "%s", day);
		snprintf(r.last_day, sizeof r.last_day, "%s", day);
		irradiance_month_bounds(y, m, cfg->utc_offset_s, &t0, &t1);
		t0 += (d - 1) * 86400.0;
		t1 = t0 + 86400.0;
	} else {
		if (!month)
			irradiance_local_month(now, cfg->utc_offset_s, &y, &m);
		snprintf(r.period, sizeof r.period, "%04d-%02d", y, m);
		irradiance_month_bounds(y, m, cfg->utc_offset_s, &t0, &t1);
		snprintf(r.first_day, sizeof r.first_day, "%04d-%02d-01", y, m);
		store_local_day(t1 - 1, cfg->utc_offset_s, r.last_day);
	}
	double until = fmax(t0, fmin(t1, now));
	if (do_recompute && recompute(cfg, clk, st, only, r.first_day, r.last_day, now) != 0)
		fprintf(stderr, "pvrelief health: some days could not be computed again; "
				"their earlier figures stay\n");
	clock_free(clk);

	r.county_id = cfg->county_id;
	r.county_name = cfg->county_name;
	r.until_unix = until;
	r.utc_offset_s = cfg->utc_offset_s;
	r.basis = cfg->efficiency.basis == CONFIG_BASIS_POA ? "poa" : "horizontal";
	r.station_target = cfg->efficiency.station_target;
	r.county_target = cfg->efficiency.county_target;
	r.fault_threshold_min = cfg->alerts.fault_minutes;
	r.show_inverters = only != NULL;
	r.stations = xcalloc(cfg->n_stations + 1, sizeof *r.stations);
	r.villages = xcalloc(cfg->n_villages + 1, sizeof *r.villages);
	long *vmap = xcalloc(cfg->n_villages + 1, sizeof *vmap);
	for (size_t v = 0; v < cfg->n_villages; v++)
		vmap[v] = -1;
	/* The period's quarter-hours; stations at one place share their daylight mask. */
	size_t nq = until > t0 ? (size_t)((until - t0) / 900.0) : 0;
	unsigned char **mask = xcalloc(cfg->n_stations + 1, sizeof *mask);
	double *quarters = xcalloc(cfg->n_stations + 1, sizeof *quarters);
	int rc = 0;
	for (size_t s = 0; s < cfg->n_stations; s++) {
		const struct config_station *cs = &cfg->stations[s];
		if (only && only != cs)
			continue;
		const unsigned char *lit = NULL;
		for (size_t p = 0; p < s && !lit; p++) {
			const struct config_station *ps = &cfg->stations[p];
			if (mask[p] && ps->lat_deg == cs->lat_deg && ps->lon_deg == cs->lon_deg &&
			    ps->altitude_m == cs->altitude_m) {
				lit = mask[p];
				quarters[s] = quarters[p];
			}
		}
		if (!lit) {
			mask[s] = xcalloc(nq ? nq : 1, 1);
			quarters[s] = daylight_quarters(cs, t0, nq, mask[s]);
			lit = mask[s];
		}
		struct health_station *row = &r.stations[r.n_stations];
		if (gather(st, cfg, cs, r.first_day, r.last_day, t0, until, nq, lit, row) != 0) {
			rc = 1;
			goto out;
		}
		if (vmap[cs->village] < 0) {
			vmap[cs->village] = (long)r.n_villages;
			r.villages[r.n_villages].id = cfg->villages[cs->village].id;
			r.villages[r.n_villages].name = cfg->villages[cs->village].name;
			r.n_villages++;
		}
		row->village = (size_t)vmap[cs->village];
		r.n_stations++;
	}
	health_summarize(&r);
	char *text = health_render(&r, format);
	fputs(text, stdout);
	free(text);
out:
	for (size_t s = 0; s < cfg->n_stations; s++)
		free(mask[s]);
	for (size_t s = 0; s < r.n_stations; s++)
		free(r.stations[s].inverters);
	free(mask);
	free(quarters);
	free(vmap);
	free(r.stations);
	free(r.villages);
	return rc;
}
