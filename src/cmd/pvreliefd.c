/* pvreliefd: polls the county's stations, computes efficiency, raises alerts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/daemon.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvreliefd [-n] [-c FILE] [options]\n"
		"  -c, --config FILE       configuration file (default %s/pvrelief/pvrelief.conf)\n"
		"  -n, --check             check the configuration and exit\n"
		"  -l, --live              print a line per station to stdout while running\n"
		"      --live-interval S   seconds between live tables (default 5)\n"
		"      --live-note FILE    show FILE's lines under the live table while it\n"
		"                          exists (tools/demo: the fault file's problems)\n"
		"  -v, --log-level LEVEL   error, warning, info or debug (overrides log.level)\n"
		"      --clock-start TIME  run on a simulated clock starting at TIME\n"
		"                          (\"2026-06-21 06:00:00+08:00\")\n"
		"      --clock-rate R      simulated seconds per real second\n"
		"      --clock-anchor T    wall time (unix seconds) at which the simulated clock\n"
		"                          reads its start; give the simulator the same value\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n",
		PVRELIEF_SYSCONFDIR);
}

static double parse_number(const char *opt, const char *text)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end) {
		fprintf(stderr, "pvreliefd: %s needs a number, not \"%s\"\n", opt, text);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	enum {
		OPT_LIVE_INTERVAL = 256,
		OPT_LIVE_NOTE,
		OPT_CLOCK_START,
		OPT_CLOCK_RATE,
		OPT_CLOCK_ANCHOR
	};
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", no_argument, NULL, 'n'},
	    {"live", no_argument, NULL, 'l'},
	    {"live-interval", required_argument, NULL, OPT_LIVE_INTERVAL},
	    {"live-note", required_argument, NULL, OPT_LIVE_NOTE},
	    {"log-level", required_argument, NULL, 'v'},
	    {"clock-start", required_argument, NULL, OPT_CLOCK_START},
	    {"clock-rate", required_argument, NULL, OPT_CLOCK_RATE},
	    {"clock-anchor", required_argument, NULL, OPT_CLOCK_ANCHOR},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct daemon_options opt = {.config_path = PVRELIEF_SYSCONFDIR "/pvrelief/pvrelief.conf",
				     .live_interval_s = 5};
	int c;
	while ((c = getopt_long(argc, argv, "c:nlv:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opt.config_path = optarg;
			break;
		case 'n':
			opt.check_only = 1;
			break;
		case 'l':
			opt.live = 1;
			break;
		case OPT_LIVE_INTERVAL:
			opt.live_interval_s = parse_number("--live-interval", optarg);
			break;
		case OPT_LIVE_NOTE:
			opt.live_note = optarg;
			break;
		case 'v':
			if (strcmp(optarg, "error") && strcmp(optarg, "warning") &&
			    strcmp(optarg, "info") && strcmp(optarg, "debug")) {
				fprintf(stderr, "pvreliefd: unknown log level \"%s\"\n", optarg);
				return 2;
			}
			opt.log_level = optarg;
			break;
		case OPT_CLOCK_START:
			opt.clock_start = optarg;
			break;
		case OPT_CLOCK_RATE:
			opt.clock_rate = parse_number("--clock-rate", optarg);
			if (opt.clock_rate < 0.01 || opt.clock_rate > 3600) {
				fprintf(stderr, "pvreliefd: --clock-rate must be 0.01..3600\n");
				return 2;
			}
			break;
		case OPT_CLOCK_ANCHOR:
			opt.clock_anchor = parse_number("--clock-anchor", optarg);
			break;
		case 'V':
			printf("pvreliefd %s\n", PVRELIEF_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pvreliefd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return daemon_run(&opt);
}
