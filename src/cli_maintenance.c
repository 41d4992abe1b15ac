/* pvrelief maintenance: the operation and maintenance ledger (运维台账) of each station:
 * inspections, cleanings and repairs, who did them and when. The alert rules read it (an
 * inspection overdue, cleaning due), so unknown stations and kinds are refused. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/health.h"
#include "pvrelief/store.h"
#include "pvrelief/store_maintenance.h"
#include "pvrelief/timefmt.h"
#include "pvrelief/xalloc.h"

enum { MAX_ENTRIES = 100000 };

static const char *const kinds[] = {"inspection", "cleaning", "repair"};
static const char *const kinds_zh[] = {"巡检", "清洗", "维修"};
_Static_assert(sizeof kinds / sizeof kinds[0] == sizeof kinds_zh / sizeof kinds_zh[0],
	       "a Chinese name for every maintenance kind");

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: pvrelief maintenance log STATION --kind K --by NAME [--at TIME] [--note TEXT]\n"
	    "       pvrelief maintenance list [--station ID] [--kind K]\n"
	    "  -k, --kind K      inspection (巡检), cleaning (清洗) or repair (维修)\n"
	    "  -b, --by NAME     who did the work\n"
	    "  -t, --at TIME     when, \"YYYY-MM-DD HH:MM:SS+08:00\" (default now)\n"
	    "  -n, --note TEXT   what was found or done\n"
	    "  -s, --station ID  only this station\n");
}

static int kind_index(const char *k)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(k, kinds[i]) == 0)
			return i;
	return -1;
}

static int bad_kind(const char *k)
{
	fprintf(stderr, "pvrelief maintenance: kind \"%s\" is not inspection, cleaning or repair\n",
		k);
	return 2;
}

static int log_entry(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {{"kind", required_argument, NULL, 'k'},
						 CLI_OPTION_BY,
						 CLI_OPTION_AT,
						 {"note", required_argument, NULL, 'n'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief maintenance", .need = CLI_NEED_BY};
	const char *kind = NULL, *note = "";
	int c;
	while ((c = getopt_long(argc, argv, "k:b:t:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kind = optarg;
			break;
		case 'n':
			note = optarg;
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
	if (optind + 1 != argc || !kind) {
		usage(stderr);
		return 2;
	}
	if (kind_index(kind) < 0)
		return bad_kind(kind);
	if (cli_opt_check(&o) != 0)
		return 2;
	const struct config_station *cs = cli_station(env, o.cmd, argv[optind]);
	if (!cs)
		return 1;
	const struct config *cfg = env->cfg;
	const char *by = o.by;
	int64_t when = o.now;
	struct store *st = cli_store_create(env);
	if (!st)
		return 1;
	if (store_maintenance_add(st, cs->id, kind, (double)when, by, note) != 0) {
		fprintf(stderr, "pvrelief maintenance: database: %s\n", store_errmsg(st));
		return 1;
	}
	char t[32];
	timefmt_local((double)when, cfg->utc_offset_s, t, sizeof t);
	printf("station %s: %s (%s) by %s at %s recorded\n", cs->id, kind,
	       kinds_zh[kind_index(kind)], by, t);
	return 0;
}

static int list(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {CLI_OPTION_STATION,
						 {"kind", required_argument, NULL, 'k'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief maintenance"};
	const char *kind = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "s:k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kind = optarg;
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
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (kind && kind_index(kind) < 0)
		return bad_kind(kind);
	if (cli_opt_check(&o) != 0)
		return 2;
	const char *station = o.station;
	const struct config *cfg = cli_config(env);
	if (!cfg || (station && !cli_station(env, o.cmd, station)))
		return 1;
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	struct store_maintenance *m;
	size_t n;
	if (store_maintenance_list(st, station, kind, STORE_MAINT_NEWEST_FIRST, MAX_ENTRIES, &m,
				   &n) != 0) {
		fprintf(stderr, "pvrelief maintenance: database: %s\n", store_errmsg(st));
		return 1;
	}
	size_t ws = health_display_width("station 电站"), wb = health_display_width("by 人员");
	for (size_t i = 0; i < n; i++) {
		if (health_display_width(m[i].station) > ws)
			ws = health_display_width(m[i].station);
		if (health_display_width(m[i].by) > wb)
			wb = health_display_width(m[i].by);
	}
	cli_cell("time 时间", 21);
	cli_cell("station 电站", ws + 2);
	cli_cell("kind 类型", 19);
	cli_cell("by 人员", wb + 2);
	printf("note 备注\n");
	for (size_t i = 0; i < n; i++) {
		char t[32], k[48];
		timefmt_local(m[i].at, cfg->utc_offset_s, t, sizeof t);
		int ki = kind_index(m[i].kind);
		snprintf(k, sizeof k, "%s %s", m[i].kind, ki >= 0 ? kinds_zh[ki] : "");
		cli_cell(t, 21);
		cli_cell(m[i].station, ws + 2);
		cli_cell(k, 19);
		cli_cell(m[i].by, wb + 2);
		printf("%s\n", m[i].note);
	}
	if (n == 0)
		printf("(no entries 无记录)\n");
	store_maintenance_free(m, n);
	return 0;
}

int cli_maintenance(struct cli_env *env, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "log") == 0)
		return log_entry(env, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "list") == 0)
		return list(env, argc - 1, argv + 1);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
