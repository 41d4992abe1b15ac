/* pvrelief weather STATION: shows what the weather service says about a station's irradiance,
 * so that an operator can check weather_url, the station's coordinates and orientation before
 * trusting efficiency figures computed from them. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/log.h"
#include "pvrelief/timefmt.h"
#include "pvrelief/weather.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvrelief weather [options] STATION\n"
		"  -t, --at TIME      the instant, \"YYYY-MM-DD HH:MM:SS+08:00\" or unix seconds\n"
		"                     (default now)\n"
		"  -w, --wait MS      longest wait for the service (default: weather_timeout_ms\n"
		"                     and one second)\n");
}

static void show(const char *label, double v, const char *unit)
{
	if (isnan(v))
		printf("  %-22s no value\n", label);
	else
		printf("  %-22s %.1f %s\n", label, v, unit);
}

int cli_weather(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {{"at", required_argument, NULL, 't'},
						 {"wait", required_argument, NULL, 'w'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	const char *at = NULL;
	int wait_ms = -1, c;
	long num;
	while ((c = getopt_long(argc, argv, "t:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			at = optarg;
			break;
		case 'w':
			if (cli_parse_long("--wait", optarg, 0, 600000, &num) != 0)
				return 2;
			wait_ms = (int)num;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	const struct config *cfg = cli_config(env);
	if (!cfg)
		return 1;
	log_init("pvrelief", 0, LOG_LEVEL_INFO);
	const struct config_station *st = config_station_find(cfg, argv[optind]);
	if (!st) {
		fprintf(stderr, "pvrelief weather: no station \"%s\"\n", argv[optind]);
		return 1;
	}
	double t = clock_wall_now();
	if (at) {
		char *end;
		t = strtod(at, &end);
		if (*end && config_parse_time(at, &t) != 0) {
			fprintf(stderr, "pvrelief weather: cannot read the time \"%s\"\n", at);
			return 2;
		}
	}
	struct weather *w = weather_new(cfg);
	if (!w) {
		fprintf(stderr, "pvrelief weather: efficiency.weather_url is not set\n");
		return 1;
	}
	if (wait_ms < 0)
		wait_ms = cfg->efficiency.weather_timeout_ms + 1000;
	size_t idx = (size_t)(st - cfg->stations);
	char why[300], when[32];
	struct weather_point p;
	int rc = 1;
	timefmt_local(t, cfg->utc_offset_s, when, sizeof when);
	if (weather_wait(w, idx, wait_ms, why, sizeof why) != 0) {
		printf("station %s at %s: no data: %s\n", st->id, when, why);
	} else if (weather_get(w, idx, t, &p) != 0) {
		printf("station %s at %s: no data: the answer does not cover that time\n", st->id,
		       when);
	} else {
		printf("station %s at %s (%s):\n", st->id, when,
		       p.forecast ? "forecast" : "satellite estimate");
		show("GHI", p.ghi_w_m2, "W/m²");
		show("POA (tilted)", p.poa_w_m2, "W/m²");
		show("DHI", p.dhi_w_m2, "W/m²");
		show("DNI", p.dni_w_m2, "W/m²");
		show("air temperature", p.temp_air_c, "°C");
		show("wind speed", p.wind_m_s, "m/s");
		rc = 0;
	}
	weather_free(w);
	return rc;
}
