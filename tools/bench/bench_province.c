/* The province's feed: writes what COUNTIES counties of STATIONS stations each would send up
 * their uplinks over DAYS days, as the county builds it (publish_uplink.c), one file per county
 * and message type with one payload a line, ready for `mosquitto_pub -l`. The province
 * benchmark (tools/bench/province) and the hub's kill test publish these files. Not a test:
 * the figures are made up, deterministic, and stamped with growing revisions as a county's are.
 *   pvrelief-bench-province --out DIR [--counties N] [--stations N] [--days N]
 *                           [--alerts N] [--first-day YYYY-MM-DD]
 * Files: DIR/<county>.registry, .day, .month, .alert; DIR/manifest lists the counties and
 * the number of messages of each file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/config.h"
#include "pvrelief/publish_uplink.h"
#include "pvrelief/store_eff.h"
#include "pvrelief/xalloc.h"

/* A number in [0, 1) from three integers, the same on every run. */
static double frac(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t x = a * 0x9E3779B97F4A7C15ull ^
		     (b + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull ^
		     (c + 1) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	x *= 0xD6E8FEB86659FD93ull;
	x ^= x >> 32;
	return (double)(x >> 11) / 9007199254740992.0;
}

static FILE *open_out(const char *dir, const char *county, const char *what)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.%s", dir, county, what);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void line(FILE *f, char *payload)
{
	fputs(payload, f);
	fputc('\n', f);
	free(payload);
}

/* Parses a whole non-negative count into *out; 0, or -1 with a message. */
static int count_arg(const char *text, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < 0 || v > 1000000) {
		fprintf(stderr, "pvrelief-bench-province: \"%s\" is not a count (0..1000000)\n",
			text);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"out", required_argument, NULL, 'o'},	{"counties", required_argument, NULL, 'c'},
	    {"stations", required_argument, NULL, 's'}, {"days", required_argument, NULL, 'd'},
	    {"alerts", required_argument, NULL, 'a'},	{"first-day", required_argument, NULL, 'f'},
	    {"prefix", required_argument, NULL, 'p'},	{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *first = "2025-01-01", *prefix = "c";
	int counties = 100, stations = 30, days = 365, alerts = 4, c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'c':
			if (count_arg(optarg, &counties) != 0)
				return 2;
			break;
		case 's':
			if (count_arg(optarg, &stations) != 0)
				return 2;
			break;
		case 'd':
			if (count_arg(optarg, &days) != 0)
				return 2;
			break;
		case 'a':
			if (count_arg(optarg, &alerts) != 0)
				return 2;
			break;
		case 'f':
			first = optarg;
			break;
		case 'p':
			prefix = optarg;
			break;
		default:
			return 2;
		}
	}
	struct tm tm0 = {0};
	if (!out || counties < 1 || stations < 1 || days < 1 || alerts < 0 ||
	    !strptime(first, "%Y-%m-%d", &tm0)) {
		fputs("usage: pvrelief-bench-province --out DIR [--counties N] [--stations N] "
		      "[--days N] [--alerts N] [--first-day YYYY-MM-DD] [--prefix P]\n",
		      stderr);
		return 2;
	}
	tm0.tm_hour = 12;
	time_t t0 = timegm(&tm0);
	char path[1024];
	snprintf(path, sizeof path, "%s/manifest", out);
	FILE *man = fopen(path, "w");
	if (!man) {
		perror(path);
		return 1;
	}
	char town_id[] = "t1", town_name[] = "镇", village_id[] = "v1", village_name[] = "村";
	struct config_town town = {town_id, town_name};
	struct config_village village = {village_id, village_name, 0};
	struct config_station *st = xcalloc((size_t)stations, sizeof *st);
	for (int k = 0; k < stations; k++) {
		st[k].id = xasprintf("s%03d", k);
		st[k].name = xasprintf("光伏帮扶电站 %d", k);
		st[k].lat_deg = 30.0 + 3.0 * frac(7, (uint64_t)k, 0);
		st[k].lon_deg = 115.0 + 3.0 * frac(8, (uint64_t)k, 0);
		st[k].capacity_kwp = 60.0 + 20.0 * (k % 12);
	}
	for (int ci = 0; ci < counties; ci++) {
		char id[32], name[64];
		snprintf(id, sizeof id, "%s%03d", prefix, ci);
		snprintf(name, sizeof name, "县 %d", ci);
		struct config cfg = {0};
		cfg.county_id = id;
		cfg.county_name = name;
		cfg.towns = &town;
		cfg.n_towns = 1;
		cfg.villages = &village;
		cfg.n_villages = 1;
		cfg.stations = st;
		cfg.n_stations = (size_t)stations;
		int64_t rev = 0;
		double sent = (double)t0;
		long n_day = 0, n_month = 0, n_alert = 0;
		FILE *f = open_out(out, id, "registry");
		line(f, publish_uplink_registry(&cfg, ++rev, sent));
		fclose(f);
		FILE *fd = open_out(out, id, "day"), *fm = open_out(out, id, "month");
		FILE *fa = open_out(out, id, "alert");
		int64_t event = 0;
		/* ALERTS days spread over the period raise and clear one alert per station. */
		int step = alerts > 0 && days / alerts > 0 ? days / alerts : 1;
		for (int d = 0; d < days; d++) {
			time_t t = t0 + (time_t)d * 86400;
			struct tm tm;
			gmtime_r(&t, &tm);
			sent = (double)t + 12 * 3600;
			for (int k = 0; k < stations; k++) {
				double h = 2.0 + 3.0 * frac((uint64_t)ci, (uint64_t)k, (uint64_t)d);
				double eta =
				    0.6 + 0.3 * frac((uint64_t)ci + 1000, (uint64_t)k, (uint64_t)d);
				struct store_eff_day day = {
				    .station = st[k].id,
				    .energy_wh = round(st[k].capacity_kwp * h * eta * 1000.0),
				    .eth_wh = st[k].capacity_kwp * h * 0.8 * 1000.0,
				    .pr = eta / 0.8,
				    .coverage = 1.0,
				    .grade = 2,
				    .judgeable = 1,
				    .curtailed_wh = 0,
				    .curtail_loss_wh = 0,
				};
				day.e_act_wh = day.energy_wh;
				day.eta = day.e_act_wh / day.eth_wh;
				strftime(day.day, sizeof day.day, "%Y-%m-%d", &tm);
				snprintf(day.basis, sizeof day.basis, "poa");
				snprintf(day.source, sizeof day.source, "weather");
				line(fd, publish_uplink_day(&cfg, &day, ++rev, sent));
				n_day++;
				if (alerts > 0 && d % step == 0 && d / step < alerts) {
					struct publish_uplink_alert a = {
					    .alert_id = event / 2 + 1,
					    .at = sent,
					    .raised_at = sent,
					    .kind = "low_efficiency",
					    .severity = "warning",
					    .station = st[k].id,
					    .device = "",
					    .title = "low generation parameter",
					};
					a.event_id = ++event;
					a.type = "raised";
					line(fa, publish_uplink_alert(&cfg, &a, ++rev, sent));
					a.event_id = ++event;
					a.type = "cleared";
					a.at = sent + 3600;
					line(fa,
					     publish_uplink_alert(&cfg, &a, ++rev, sent + 3600));
					n_alert += 2;
				}
			}
			/* The month figure goes up with every day, as the county refreshes it. */
			if (d == days - 1 || tm.tm_mday == 28) {
				for (int k = 0; k < stations; k++) {
					char month[8];
					strftime(month, sizeof month, "%Y-%m", &tm);
					struct publish_uplink_month m = {
					    .station = st[k].id,
					    .month = month,
					    .energy_wh = st[k].capacity_kwp * 90.0 * 1000.0,
					    .eth_wh = st[k].capacity_kwp * 110.0 * 1000.0,
					    .grade = 2,
					};
					m.eta = m.energy_wh / m.eth_wh;
					line(fm, publish_uplink_month(&cfg, &m, ++rev, sent));
					n_month++;
				}
			}
		}
		fclose(fd);
		fclose(fm);
		fclose(fa);
		fprintf(man, "%s registry 1 day %ld month %ld alert %ld\n", id, n_day, n_month,
			n_alert);
	}
	fclose(man);
	for (int k = 0; k < stations; k++) {
		free(st[k].id);
		free(st[k].name);
	}
	free(st);
	return 0;
}
