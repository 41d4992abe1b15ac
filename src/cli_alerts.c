/* pvrelief alerts: the alerts the daemon raised, newest first, and their acknowledgement by
 * the person on duty. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/health.h"
#include "pvrelief/store.h"
#include "pvrelief/store_alert.h"
#include "pvrelief/timefmt.h"
#include "pvrelief/xalloc.h"

enum { DEFAULT_LIMIT = 100, MAX_LIMIT = 100000 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvrelief alerts [--active] [--station ID] [--limit N] "
		"[--format table|json]\n"
		"       pvrelief alerts ack ID --by NAME [--at TIME]\n"
		"  -a, --active        only alerts not yet cleared\n"
		"  -s, --station ID    only this station's alerts\n"
		"  -n, --limit N       at most N alerts (default %d)\n"
		"  -f, --format F      table (default) or json\n"
		"  -b, --by NAME       who acknowledges (default $USER)\n"
		"  -t, --at TIME       when, \"YYYY-MM-DD HH:MM:SS+08:00\" (default now)\n",
		DEFAULT_LIMIT);
}

static void when(const struct config *cfg, double t, char *buf, size_t len)
{
	if (t > 0)
		timefmt_local(t, cfg->utc_offset_s, buf, (unsigned)len);
	else
		snprintf(buf, len, "-");
}

static int ack(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_OPTION_BY, CLI_OPTION_AT, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief alerts ack"};
	int c;
	while ((c = getopt_long(argc, argv, "b:t:h", longopts, NULL)) != -1) {
		switch (c) {
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
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	char *end;
	unsigned long long id = strtoull(argv[optind], &end, 10);
	if (!*argv[optind] || *end || id == 0) {
		fprintf(stderr, "pvrelief alerts ack: \"%s\" is not an alert id\n", argv[optind]);
		return 2;
	}
	if (cli_opt_check(&o) != 0)
		return 2;
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	const char *who = cli_by(o.by);
	int rc = store_alert_ack(st, (uint64_t)id, who, (double)o.now);
	if (rc == 1) {
		fprintf(stderr, "pvrelief alerts ack: there is no alert %llu\n", id);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "pvrelief alerts ack: database: %s\n", store_errmsg(st));
		return 1;
	}
	char t[32];
	when(cli_config(env), (double)o.now, t, sizeof t);
	printf("alert %llu acknowledged by %s at %s\n", id, who, t);
	return 0;
}

static void print_json(const struct config *cfg, const struct store_alert *a, int n)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		char raised[32], cleared[32], acked[32];
		when(cfg, a[i].raised_at, raised, sizeof raised);
		when(cfg, a[i].cleared_at, cleared, sizeof cleared);
		when(cfg, a[i].ack_at, acked, sizeof acked);
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer((json_int_t)a[i].id));
		json_object_set_new(o, "kind", json_string(a[i].kind));
		json_object_set_new(o, "severity", json_string(a[i].severity));
		json_object_set_new(o, "station", json_string(a[i].station));
		json_object_set_new(o, "device", json_string(a[i].device));
		json_object_set_new(o, "raised_at", json_real(a[i].raised_at));
		json_object_set_new(o, "raised_local", json_string(raised));
		json_object_set_new(o, "cleared_at",
				    a[i].cleared_at > 0 ? json_real(a[i].cleared_at) : json_null());
		json_object_set_new(o, "cleared_local",
				    a[i].cleared_at > 0 ? json_string(cleared) : json_null());
		json_object_set_new(o, "ack_by",
				    a[i].ack_by[0] ? json_string(a[i].ack_by) : json_null());
		json_object_set_new(o, "ack_at",
				    a[i].ack_at > 0 ? json_real(a[i].ack_at) : json_null());
		json_object_set_new(o, "ack_local",
				    a[i].ack_at > 0 ? json_string(acked) : json_null());
		json_object_set_new(o, "title", json_string(a[i].title));
		json_object_set_new(o, "detail", json_string(a[i].detail));
		json_t *fig = json_loads(a[i].figures, 0, NULL);
		json_object_set_new(o, "figures", fig ? fig : json_object());
		json_object_set_new(o, "suppressed", json_boolean(a[i].suppressed));
		json_array_append_new(arr, o);
	}
	char *text =
	    json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	puts(text);
	free(text);
	json_decref(arr);
}

static void print_table(const struct config *cfg, const struct store_alert *a, int n)
{
	/* The detail (the fault's name, the figure against its threshold) last: the title only
	 * names the station and the kind. */
	static const char *const head[] = {"id",     "kind",   "severity", "station",
					   "device", "raised", "cleared",  "acknowledged",
					   "title",  "detail"};
	static const char *const zh[] = {"编号", "类型", "级别", "电站", "设备",
					 "发生", "恢复", "确认", "标题", "详情"};
	enum { NC = 10, CELL = 520 }; /* a cell holds a whole detail (512) */
	size_t w[NC];
	char ackbuf[128];
	for (int c = 0; c < NC; c++)
		w[c] = health_display_width(head[c]) > health_display_width(zh[c])
			   ? health_display_width(head[c])
			   : health_display_width(zh[c]);
	/* Times are "YYYY-MM-DD HH:MM:SS". */
	w[5] = w[6] = 19;
	char(*cells)[NC][CELL] = xcalloc((size_t)n + 1, sizeof *cells);
	for (int i = 0; i < n; i++) {
		snprintf(cells[i][0], CELL, "%llu", (unsigned long long)a[i].id);
		snprintf(cells[i][1], CELL, "%s", a[i].kind);
		snprintf(cells[i][2], CELL, "%s", a[i].severity);
		snprintf(cells[i][3], CELL, "%s", a[i].station[0] ? a[i].station : "(county)");
		snprintf(cells[i][4], CELL, "%s", a[i].device[0] ? a[i].device : "-");
		when(cfg, a[i].raised_at, cells[i][5], CELL);
		when(cfg, a[i].cleared_at, cells[i][6], CELL);
		if (a[i].ack_by[0]) {
			char t[32];
			when(cfg, a[i].ack_at, t, sizeof t);
			snprintf(ackbuf, sizeof ackbuf, "%s %s", a[i].ack_by, t);
		} else {
			snprintf(ackbuf, sizeof ackbuf, "-");
		}
		snprintf(cells[i][7], CELL, "%s", ackbuf);
		snprintf(cells[i][8], CELL, "%s", a[i].title);
		snprintf(cells[i][9], CELL, "%s", a[i].detail[0] ? a[i].detail : "-");
		for (int c = 0; c < NC; c++)
			if (health_display_width(cells[i][c]) > w[c])
				w[c] = health_display_width(cells[i][c]);
	}
	for (int c = 0; c < NC; c++) {
		cli_cell(head[c], c + 1 < NC ? w[c] + 2 : 0);
	}
	printf("\n");
	for (int c = 0; c < NC; c++)
		cli_cell(zh[c], c + 1 < NC ? w[c] + 2 : 0);
	printf("\n");
	for (int i = 0; i < n; i++) {
		for (int c = 0; c < NC; c++)
			cli_cell(cells[i][c], c + 1 < NC ? w[c] + 2 : 0);
		printf("\n");
	}
	if (n == 0)
		printf("(no alerts 无告警)\n");
	free(cells);
}

int cli_alerts(struct cli_env *env, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "ack") == 0)
		return ack(env, argc - 1, argv + 1);
	static const struct option longopts[] = {
	    {"active", no_argument, NULL, 'a'},	     CLI_OPTION_STATION,
	    {"limit", required_argument, NULL, 'n'}, CLI_OPTION_FORMAT,
	    {"help", no_argument, NULL, 'h'},	     {NULL, 0, NULL, 0}};
	struct store_alert_filter f = {.limit = DEFAULT_LIMIT};
	struct cli_opts o = {.env = env, .cmd = "pvrelief alerts", .formats = "table|json"};
	long num;
	int c;
	while ((c = getopt_long(argc, argv, "as:n:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			f.active_only = 1;
			break;
		case 'n':
			if (cli_parse_long("--limit", optarg, 1, MAX_LIMIT, &num) != 0)
				return 2;
			f.limit = (size_t)num;
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
	if (cli_opt_check(&o) != 0)
		return 2;
	int json = o.format_index == 1;
	const struct config *cfg = cli_config(env);
	if (!cfg)
		return 1;
	if ((f.station = o.station) && !cli_station(env, o.cmd, f.station))
		return 1;
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	struct store_alert *a = xcalloc(f.limit, sizeof *a);
	int n = store_alert_list(st, &f, a, f.limit);
	if (n < 0) {
		fprintf(stderr, "pvrelief alerts: database: %s\n", store_errmsg(st));
		free(a);
		return 1;
	}
	if (json)
		print_json(cfg, a, n);
	else
		print_table(cfg, a, n);
	free(a);
	return 0;
}
