/* The uplink's pure parts and its configuration: every key range-checked, the defaults, and
 * the payloads the hub parses (envelope, full-precision figures, null for a missing value). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/health.h"
#include "pvrelief/publish_uplink.h"
#include "pvrelief/store_eff.h"

static char dir[] = "/tmp/pvrelief-test-uplink-XXXXXX";

static const char base[] =
    "county = { id = \"dangshan\"; name = \"砀山县\"; };\n"
    "towns = ( { id = \"t1\"; name = \"镇\"; villages = ( { id = \"v1\"; name = \"村\"; } ); } );\n"
    "stations = (\n"
    "  { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; capacity_kwp = 100.0;\n"
    "    devices = ( { id = \"inv1\"; host = \"127.0.0.1\"; port = 1502; unit = 1; } ); }\n"
    ");\n";

static struct config *load(const char *uplink, char **errors)
{
	char path[256], text[4096];
	snprintf(path, sizeof path, "%s/t.conf", dir);
	snprintf(text, sizeof text, "%s%s\n", base, uplink);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	struct errlist errs = {0};
	struct config *cfg = config_load(path, &errs);
	*errors = errlist_join(&errs);
	errlist_clear(&errs);
	return cfg;
}

static void test_config(void)
{
	char *e;
	struct config *cfg = load("", &e);
	CHECK_STR(e, "");
	CHECK(cfg && !cfg->uplink.enabled);
	config_free(cfg);
	free(e);

	cfg = load("uplink = { host = \"province\"; };", &e);
	CHECK_STR(e, "");
	if (cfg) {
		CHECK(cfg->uplink.enabled);
		CHECK_INT(cfg->uplink.port, 1883);
		CHECK_STR(cfg->uplink.client_id, "dangshan"); /* the county id */
		CHECK_STR(cfg->uplink.prefix, "pvrelief");
		CHECK_INT(cfg->uplink.live_interval_s, 300);
		CHECK_INT(cfg->uplink.heartbeat_s, 3600);
		CHECK_NEAR(cfg->uplink.deadband_w, 1000, 0);
	}
	config_free(cfg);
	free(e);
	cfg = load("uplink = { tls = true; };", &e);
	CHECK(cfg && cfg->uplink.port == 8883);
	config_free(cfg);
	free(e);

	static const struct {
		const char *uplink, *want;
	} bad[] = {
	    {"uplink = { port = 0; };", "uplink: port = 0 is out of range 1..65535"},
	    {"uplink = { keepalive = 2; };", "uplink: keepalive = 2 is out of range 5..3600 s"},
	    {"uplink = { live_interval = 5; };",
	     "uplink: live_interval = 5 is out of range 10..86400 s"},
	    {"uplink = { deadband_w = -1.0; };", "uplink: deadband_w = -1 is out of range"},
	    {"uplink = { heartbeat = 100000; };", "uplink: heartbeat = 100000 is out of range"},
	    {"uplink = { live_interval = 600; heartbeat = 300; };",
	     "uplink: heartbeat (300 s) is shorter than live_interval (600 s)"},
	    {"uplink = { prefix = \"a/#\"; };", "uplink: prefix \"a/#\" must be non-empty"},
	    {"uplink = { prefix = \"a/\"; };", "without '#', '+' or a trailing '/'"},
	    {"uplink = { cert_file = \"c.pem\"; };",
	     "uplink: cert_file is set but key_file is not"},
	    {"uplink = { password_file = \"/nonexistent/pw\"; };",
	     "uplink: cannot read /nonexistent/pw"},
	    {"uplink = { hots = \"x\"; };", "hots"},
	    {"uplink = { port = 1883.5; };", "uplink: \"port\" must be a whole number"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cfg = load(bad[i].uplink, &e);
		CHECK(cfg == NULL);
		if (!strstr(e, bad[i].want))
			fprintf(stderr, "case %s: got %s\n", bad[i].uplink, e);
		CHECK(strstr(e, bad[i].want) != NULL);
		config_free(cfg);
		free(e);
	}
}

static void test_payloads(void)
{
	char *e;
	struct config *cfg = load("", &e);
	free(e);
	if (!cfg) {
		CHECK(cfg != NULL);
		return;
	}
	struct store_eff_day d = {.station = "s1",
				  .energy_wh = 412345.678,
				  .e_act_wh = 400000,
				  .eth_wh = 512345.125,
				  .eta = 0.78071234567890123,
				  .pr = NAN,
				  .coverage = 1,
				  .basis = "horizontal",
				  .source = "sensor",
				  .grade = 1,
				  .judgeable = 1};
	snprintf(d.day, sizeof d.day, "2026-06-21");
	char *text = publish_uplink_day(cfg, &d, 42, 1781000000.5);
	json_t *j = json_loads(text, 0, NULL);
	CHECK(j != NULL);
	CHECK_INT(json_integer_value(json_object_get(j, "v")), PUBLISH_UPLINK_VERSION);
	CHECK_STR(json_string_value(json_object_get(j, "type")), "day");
	CHECK_STR(json_string_value(json_object_get(j, "county")), "dangshan");
	CHECK_INT(json_integer_value(json_object_get(j, "rev")), 42);
	/* Full precision: the hub shows the county's own figure. */
	CHECK(json_real_value(json_object_get(j, "eta")) == d.eta);
	CHECK(json_real_value(json_object_get(j, "energy_wh")) == d.energy_wh);
	CHECK(json_is_null(json_object_get(j, "pr")));
	CHECK(json_is_true(json_object_get(j, "judgeable")));
	json_decref(j);
	free(text);

	/* The registry without a revision is the text compared for changes: no time in it. */
	char *a = publish_uplink_registry(cfg, 0, 1), *b = publish_uplink_registry(cfg, 0, 2);
	CHECK_STR(a, b);
	free(b);
	free(a);
	text = publish_uplink_registry(cfg, 7, 1);
	j = json_loads(text, 0, NULL);
	json_t *s = json_array_get(json_object_get(j, "stations"), 0);
	CHECK_STR(json_string_value(json_object_get(s, "village")), "v1");
	CHECK_STR(json_string_value(json_object_get(s, "town_name")), "镇");
	CHECK(json_real_value(json_object_get(s, "capacity_kwp")) == 100.0);
	json_decref(j);
	free(text);

	struct publish_uplink_month m = {"s1", "2026-06", 1e6, NAN, NAN, 0};
	text = publish_uplink_month(cfg, &m, 8, 1);
	j = json_loads(text, 0, NULL);
	CHECK(json_is_null(json_object_get(j, "eta")) && json_is_null(json_object_get(j, "grade")));
	json_decref(j);
	free(text);
	config_free(cfg);
}

/* The ledger head and the county's month KPIs: the county's PR pools its stations by capacity
 * and plane-of-array irradiation; a KPI without a value is null, and a county without an eta
 * is neither meeting nor missing its target. */
static void test_kpi_ledger(void)
{
	char *e;
	struct config *cfg = load("", &e);
	free(e);
	if (!cfg) {
		CHECK(cfg != NULL);
		return;
	}
	char *text = publish_uplink_ledger(cfg, 12, "ab12", 9, 1781000000);
	json_t *j = json_loads(text, 0, NULL);
	CHECK_STR(json_string_value(json_object_get(j, "type")), "ledger");
	CHECK_INT(json_integer_value(json_object_get(j, "seq")), 12);
	CHECK_STR(json_string_value(json_object_get(j, "hash")), "ab12");
	json_decref(j);
	free(text);

	struct health_station st[2] = {
	    {.id = "s1", .capacity_kwp = 100, .pr_num = 0.8 * 150, .pr_den = 150, .days = 30},
	    {.id = "s2", .capacity_kwp = 300, .pr_num = 0.7 * 100, .pr_den = 100, .days = 30},
	};
	struct health_report r = {
	    .stations = st, .n_stations = 2, .county_target = 0.8, .until_unix = 1782000000.7};
	snprintf(r.period, sizeof r.period, "2026-06");
	r.county.eff = (struct efficiency_aggregate){.n_stations = 2,
						     .n_with_value = 2,
						     .n_meeting_target = 1,
						     .e_act_kwh = 36000,
						     .e_th_kwh = 45000,
						     .eta = 0.8,
						     .eta_grade12 = NAN,
						     .capability_pct = 80.0,
						     .equivalent_hours = 90,
						     .meets_group_target = 1,
						     .worst_grade = 2};
	r.county.energy_kwh = 36500;
	r.county.online = (struct kpi_rate){2, 2, 1.0};
	r.county.fault = (struct kpi_rate){0, 2, 0.0};
	r.county.anomaly = (struct kpi_rate){0, 0, NAN};
	text = publish_uplink_kpi(cfg, &r, 10, 1782000000);
	j = json_loads(text, 0, NULL);
	CHECK_STR(json_string_value(json_object_get(j, "type")), "kpi");
	CHECK_STR(json_string_value(json_object_get(j, "month")), "2026-06");
	double pr = (0.8 * 150 * 100 + 0.7 * 100 * 300) / (150.0 * 100 + 100.0 * 300);
	CHECK(fabs(json_real_value(json_object_get(j, "pr")) - pr) < 1e-12);
	CHECK(json_real_value(json_object_get(j, "eta")) == 0.8);
	CHECK(json_real_value(json_object_get(j, "energy_wh")) == 36500000.0);
	CHECK(json_real_value(json_object_get(j, "online_rate")) == 1.0);
	CHECK(json_is_null(json_object_get(j, "anomaly_rate")));
	CHECK(json_is_null(json_object_get(j, "eta_grade12")));
	CHECK(json_is_true(json_object_get(j, "meets_county_target")));
	CHECK_INT(json_integer_value(json_object_get(j, "stations_meeting_target")), 1);
	json_decref(j);
	free(text);

	r.county.eff.eta = NAN;
	r.county.eff.meets_group_target = 0;
	st[0].pr_den = st[1].pr_den = 0;
	text = publish_uplink_kpi(cfg, &r, 11, 1782000000);
	j = json_loads(text, 0, NULL);
	CHECK(json_is_null(json_object_get(j, "meets_county_target")));
	CHECK(json_is_null(json_object_get(j, "pr")));
	json_decref(j);
	free(text);
	config_free(cfg);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_config();
	test_payloads();
	test_kpi_ledger();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return check_summary();
}
