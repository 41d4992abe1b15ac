/* pvrelief: the command-line tool for operations staff and village accountants. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/suggest.h"

static const struct {
	const char *name;
	cli_fn fn;
	const char *summary;
} commands[] = {
    {"scan", cli_scan, "discover the devices answering at HOST:PORT (SunSpec or a vendor map)"},
    {"webhook-test", cli_webhook_test, "send a test alert to the configured chat groups"},
    {"health", cli_health, "the county table: efficiency, PR, energy, online, faults, anomalies"},
    {"alerts", cli_alerts, "list alerts newest first, or acknowledge one (alerts ack ID)"},
    {"maintenance", cli_maintenance, "log or list inspections, cleanings and repairs"},
    {"weather", cli_weather, "show the weather service's irradiance for a station"},
    {"import", cli_import, "import a CSV file (people, posts, settlements, ...) all or nothing"},
    {"set", cli_set, "add or change one person, post, agreement, attendance, ... row"},
    {"history", cli_history, "list who changed what and when"},
    {"allocate", cli_allocate, "allocate a month's revenue into draft distribution plans"},
    {"plan", cli_plan, "approve, review, file, publicise and pay distribution plans"},
    {"ledger", cli_ledger, "verify, list or export the hash-chained money ledger"},
    {"report", cli_report, "render the monthly distribution report (html, csv, xlsx, json)"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvrelief [-c FILE] COMMAND [ARGS]\n"
		"  -c, --config FILE  configuration (default %s/pvrelief/pvrelief.conf)\n"
		"  -V, --version      print the version\n"
		"  -h, --help         this help; `pvrelief COMMAND --help` for a command's\n\n"
		"commands:\n",
		PVRELIEF_SYSCONFDIR);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
						 {"version", no_argument, NULL, 'V'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct cli_env env = {.config_path = PVRELIEF_SYSCONFDIR "/pvrelief/pvrelief.conf",
			      .progname = "pvrelief",
			      .default_config = 1};
	int c;
	/* "+" stops at the first non-option: the rest belongs to the subcommand. */
	while ((c = getopt_long(argc, argv, "+c:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			env.config_path = optarg;
			env.default_config = 0;
			break;
		case 'V':
			printf("pvrelief %s\n", PVRELIEF_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			int first = optind;
			optind = 0; /* restart getopt: the subcommand parses its own options */
			int rc = commands[i].fn(&env, argc - first, argv + first);
			cli_env_free(&env);
			return rc;
		}
	const char *names[sizeof commands / sizeof commands[0]];
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		names[i] = commands[i].name;
	const char *near = suggest_nearest(argv[optind], names, sizeof names / sizeof names[0]);
	if (near)
		fprintf(stderr, "pvrelief: unknown command \"%s\"; did you mean \"%s\"?\n",
			argv[optind], near);
	else
		fprintf(stderr, "pvrelief: unknown command \"%s\"\n", argv[optind]);
	usage(stderr);
	return 2;
}
