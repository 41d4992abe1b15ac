/* Configuration loading: the shipped files load, and broken files give every expected
 * "file:line: sentence", not only the first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/regmap.h"

static char dir[] = "/tmp/pvrelief-test-config-XXXXXX";

static const char base[] =
    "county = { id = \"c1\"; name = \"Test\"; };\n"					     /* 1 */
    "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; }, { id = \"v2\"; } ); } );\n"     /* 2 */
    "stations = (\n"									     /* 3 */
    "  { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; capacity_kwp = 100.0;\n"    /* 4 */
    "    devices = ( { id = \"inv1\"; host = \"127.0.0.1\"; port = 1502; unit = 1; } ); }\n" /* 5 */
    ");\n";

static char *write_conf(const char *name, const char *text)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text and returns all errors joined (empty when it loaded). */
static char *load_errors(const char *text, struct config **out)
{
	char *path = write_conf("t.conf", text);
	struct errlist errs = {0};
	struct config *cfg = config_load(path, &errs);
	char *joined = errlist_join(&errs);
	errlist_clear(&errs);
	if (out)
		*out = cfg;
	else
		config_free(cfg);
	free(path);
	return joined;
}

static void test_shipped_files(void)
{
	const char *src = getenv("PVRELIEF_SOURCE_DIR");
	const char *files[] = {"conf/pvrelief.conf", "conf/demo.conf"};
	for (size_t i = 0; i < 2; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", src ? src : ".", files[i]);
		struct errlist errs = {0};
		struct config *cfg = config_load(path, &errs);
		char *joined = errlist_join(&errs);
		CHECK_STR(joined, "");
		CHECK(cfg != NULL);
		if (cfg && i == 1) {
			CHECK(cfg->n_stations >= 20);
			for (size_t s = 0; s < cfg->n_stations; s++) {
				CHECK(cfg->stations[s].capacity_kwp >= 60);
				CHECK(cfg->stations[s].capacity_kwp <= 300);
			}
			CHECK(cfg->n_maps >= 5); /* a mix of vendor maps */
			CHECK_INT(cfg->utc_offset_s, 8 * 3600);
		}
		config_free(cfg);
		free(joined);
		errlist_clear(&errs);
	}
}

static void test_defaults(void)
{
	struct config *cfg;
	char *e = load_errors(base, &cfg);
	CHECK_STR(e, "");
	if (cfg) {
		const struct config_station *s = config_station_find(cfg, "s1");
		CHECK(s != NULL);
		CHECK_NEAR(s->k_coeff, 0.80, 1e-12);
		CHECK_NEAR(s->azimuth_deg, 180, 0);
		CHECK_INT(s->tariff_mfen_per_kwh, 85000);
		CHECK_INT(s->coal_tariff_mfen_per_kwh, 38440);
		CHECK_INT(s->n_shares, 1);
		CHECK_INT(cfg->polling.fast_interval_s, 60);
		CHECK_INT(cfg->database.retention_days, 35);
		CHECK_INT(cfg->revenue.posts_bp, 8000);
		CHECK_INT(cfg->revenue.notice_days, 7);
		CHECK_STR(s->devices[0].protocol, "sunspec");
		CHECK(s->devices[0].map == NULL);
		CHECK_INT(cfg->clock.mode, CONFIG_CLOCK_REAL);
	}
	config_free(cfg);
	free(e);
}

struct bad_case {
	const char *what;
	const char *text;
	const char *want[4]; /* each must appear; "%s" is the file path */
};

/* Each inverter's DC capacity: given, or its share of what the others were not given. */
static void test_dc_capacity(void)
{
	static const char *const head =
	    "county = { id = \"c1\"; };\n"
	    "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n";
	static const struct {
		const char *devices;
		double want[3]; /* kWp of devices a, b, c (the sensor, if any, is 0) */
	} cases[] = {
	    /* No ratings: 120 kWp split equally; the sensor gets none. */
	    {"{ id = \"a\"; host = \"h\"; unit = 1; }, { id = \"b\"; host = \"h\"; unit = 2; },"
	     "{ id = \"c\"; role = \"sensor\"; host = \"h\"; unit = 3; }",
	     {60, 60, 0}},
	    /* Ratings 50 and 25 kW: 80 and 40 kWp. */
	    {"{ id = \"a\"; host = \"h\"; unit = 1; rated_power_w = 50000.0; },"
	     "{ id = \"b\"; host = \"h\"; unit = 2; rated_power_w = 25000.0; }",
	     {80, 40, 0}},
	    /* a given 30 kWp; b and c share the other 90 equally (c has no rating). */
	    {"{ id = \"a\"; host = \"h\"; unit = 1; dc_kwp = 30.0; },"
	     "{ id = \"b\"; host = \"h\"; unit = 2; rated_power_w = 25000.0; },"
	     "{ id = \"c\"; host = \"h\"; unit = 3; }",
	     {30, 45, 45}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[1024];
		snprintf(text, sizeof text,
			 "%sstations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; "
			 "capacity_kwp = 120.0; devices = ( %s ); } );\n",
			 head, cases[i].devices);
		struct config *cfg;
		char *e = load_errors(text, &cfg);
		CHECK_STR(e, "");
		if (cfg)
			for (size_t d = 0; d < cfg->stations[0].n_devices; d++)
				CHECK_NEAR(cfg->stations[0].devices[d].dc_kwp, cases[i].want[d],
					   1e-9);
		config_free(cfg);
		free(e);
	}
	char text[1024];
	snprintf(text, sizeof text,
		 "%sstations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; "
		 "capacity_kwp = 120.0;\n  devices = ( { id = \"a\"; host = \"h\"; unit = 1; "
		 "dc_kwp = 120.0; }, { id = \"b\"; host = \"h\"; unit = 2; } ); } );\n",
		 head);
	char *e = load_errors(text, NULL);
	CHECK_CONTAINS(e, ":4: station \"s1\": the inverters' dc_kwp add up to 120.0 kWp, which "
			  "leaves nothing of the station's capacity_kwp 120.0 for 1 inverter(s) "
			  "without one");
	free(e);
}

static void test_bad_files(void)
{
	static const struct bad_case cases[] = {
	    {"syntax error",
	     "county = { id = \"c1\" }\nstations = (;\n",
	     {"%s:2: syntax error near \"stations = (;\" (a missing ';' or a bracket "
	      "not closed on this line or the one before?)"}},
	    {"several errors reported at once",
	     "county = { id = \"c1\"; colour = 1; };\n"
	     "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	     "stations = (\n"
	     "  { id = \"s1\"; village = \"v9\"; lat = 31.5; lon = 115.9; capacity_kwp = 5000.0;\n"
	     "    devices = ( { id = \"inv1\"; host = \"127.0.0.1\"; port = 70000; } ); }\n"
	     ");\n",
	     {"%s:1: unknown key \"colour\" in county",
	      "%s:4: station \"s1\": village \"v9\" is not defined under towns",
	      "%s:4: station \"s1\": capacity_kwp = 5000 is out of range 1..1000 kWp",
	      "%s:5: station \"s1\" device \"inv1\": port = 70000 is out of range 1..65535"}},
	    {"duplicate ids and endpoints",
	     "county = { id = \"c1\"; };\n"
	     "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; }, { id = \"v1\"; } ); } );\n"
	     "stations = (\n"
	     "  { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; capacity_kwp = 100.0;\n"
	     "    devices = ( { id = \"a\"; host = \"h\"; port = 502; unit = 1; },\n"
	     "                { id = \"a\"; host = \"h\"; port = 502; unit = 1; } ); }\n"
	     ");\n",
	     {"%s:2: village id \"v1\" is used twice",
	      "%s:6: station \"s1\": device id \"a\" is used twice",
	      "%s:6: station \"s1\" device \"a\" has the same endpoint and unit 1 as station "
	      "\"s1\" "
	      "device \"a\""}},
	    {"one port with two transports",
	     "county = { id = \"c1\"; };\n"
	     "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	     "stations = (\n"
	     "  { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; capacity_kwp = 100.0;\n"
	     "    devices = ( { id = \"a\"; host = \"h\"; port = 502; unit = 1; },\n"
	     "                { id = \"b\"; transport = \"rtu-over-tcp\"; host = \"h\";\n"
	     "                  port = 502; unit = 2; } ); }\n"
	     ");\n",
	     {"%s:6: station \"s1\" device \"b\" uses h:502 over rtu-over-tcp but station \"s1\" "
	      "device \"a\" uses it over tcp; one port speaks one transport"}},
	    {"missing required keys",
	     "county = { id = \"c1\"; };\n"
	     "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	     "stations = ( { id = \"s1\"; village = \"v1\"; lon = 115.9;\n"
	     "  devices = ( { id = \"a\"; port = 502; } ); } );\n",
	     {"%s:3: station \"s1\" has no \"lat\"", "%s:3: station \"s1\" has no \"capacity_kwp\"",
	      "%s:4: station \"s1\" device \"a\" has no \"host\""}},
	    {"unknown map and bad enum",
	     "county = { id = \"c1\"; };\n"
	     "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	     "stations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; capacity_kwp "
	     "= 90.0;\n"
	     "  devices = ( { id = \"a\"; host = \"h\"; protocol = \"acme\"; role = \"meter\"; } "
	     "); } );\n",
	     {"%s:4: station \"s1\" device \"a\": \"role\" must be one of inverter, sensor",
	      "%s:4: protocol \"acme\" is neither \"sunspec\" nor a map file"}},
	    {"policy below the posts minimum",
	     "county = { id = \"c1\"; };\n"
	     "revenue = { policy = { posts = 70.0; public_works = 20.0; rewards = 5.0; om_reserve "
	     "= 5.0; }; };\n"
	     "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	     "stations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; capacity_kwp "
	     "= 90.0;\n"
	     "  devices = ( { id = \"a\"; host = \"h\"; } ); } );\n",
	     {"%s:2: revenue.policy: posts and labour get 70.00%, below the minimum 80.00%"}},
	    {"shares not adding up, interval order, a float where an integer belongs",
	     "county = { id = \"c1\"; };\n"
	     "revenue = { policy = { posts = 85.0; public_works = 10.0; rewards = 5.0; om_reserve "
	     "= 5.0; }; };\n"
	     "polling = { fast_interval = 120; energy_interval = 60; retries = 1.5; };\n"
	     "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	     "stations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; capacity_kwp "
	     "= 90.0;\n"
	     "  devices = ( { id = \"a\"; host = \"h\"; } ); } );\n",
	     {"%s:2: revenue.policy: the shares add up to 105.00%, not 100%",
	      "%s:3: polling: energy_interval (60 s) is shorter than fast_interval (120 s)",
	      "%s:3: polling: \"retries\" must be a whole number"}},
	    {"a bad id and a bad clock",
	     "county = { id = \"c 1\"; };\n"
	     "clock = { mode = \"simulated\"; start = \"yesterday\"; };\n"
	     "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	     "stations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; capacity_kwp "
	     "= 90.0;\n"
	     "  devices = ( { id = \"a\"; host = \"h\"; } ); } );\n",
	     {"%s:1: county: id \"c 1\" may hold only ASCII letters",
	      "%s:2: clock: start \"yesterday\" is not a time like"}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config *cfg;
		char *e = load_errors(cases[i].text, &cfg);
		char path[512];
		snprintf(path, sizeof path, "%s/t.conf", dir);
		CHECK(cfg == NULL);
		for (int w = 0; w < 4 && cases[i].want[w]; w++) {
			/* Expand the one "%s" (the path) by hand: the patterns are data. */
			char want[1024];
			const char *pat = cases[i].want[w], *mark = strstr(pat, "%s");
			if (mark)
				snprintf(want, sizeof want, "%.*s%s%s", (int)(mark - pat), pat,
					 path, mark + 2);
			else
				snprintf(want, sizeof want, "%s", pat);
			if (!strstr(e, want))
				fprintf(stderr, "case \"%s\":\n", cases[i].what);
			CHECK_CONTAINS(e, want);
		}
		config_free(cfg);
		free(e);
	}
}

/* A misspelt key is reported alone, with the nearest known key: the default it fell back to
 * must not make a second error (an interval order, shares not adding up). */
static void test_misspelt_key(void)
{
	static const char *const tail =
	    "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	    "stations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; "
	    "capacity_kwp = 90.0;\n  devices = ( { id = \"a\"; host = \"h\"; } ); } );\n";
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"polling = { fast_intervall = 10; energy_interval = 30; };\n",
	     ":2: unknown key \"fast_intervall\" in polling (did you mean \"fast_interval\"?)"},
	    {"revenue = { policy = { post = 85.0; public_works = 5.0; rewards = 5.0; om_reserve = "
	     "5.0; }; };\n",
	     ":2: unknown key \"post\" in revenue.policy (did you mean \"posts\"?)"},
	    {"alerts = { colour = 1; };\n", ":2: unknown key \"colour\" in alerts"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[2048];
		snprintf(text, sizeof text, "county = { id = \"c1\"; };\n%s%s", cases[i].text,
			 tail);
		char *e = load_errors(text, NULL);
		size_t lines = *e ? 1 : 0, len = strlen(e), wlen = strlen(cases[i].want);
		for (const char *c = e; *c; c++)
			lines += *c == '\n';
		/* The one message, ending with the wanted words. */
		CHECK_INT(lines, 1);
		CHECK_REPORT_(len >= wlen && strcmp(e + len - wlen, cases[i].want) == 0,
			      "\"%s\" does not end with \"%s\"", e, cases[i].want);
		free(e);
	}
}

static void test_secret_permissions(void)
{
	char *secret = write_conf("pw", "hunter2\n");
	chmod(secret, 0644);
	char text[2048];
	snprintf(text, sizeof text, "%smqtt = { host = \"127.0.0.1\"; password_file = \"%s\"; };\n",
		 base, secret);
	struct config *cfg;
	char *e = load_errors(text, &cfg);
	CHECK(cfg == NULL);
	CHECK_CONTAINS(e, "holds a secret but is accessible to others (mode 644)");
	CHECK(strstr(e, "hunter2") == NULL); /* the secret itself never appears */
	free(e);
	chmod(secret, 0600);
	e = load_errors(text, &cfg);
	CHECK_STR(e, "");
	if (cfg)
		CHECK_STR(cfg->mqtt.password, "hunter2");
	config_free(cfg);
	free(e);
	unlink(secret);
	free(secret);

	/* A robot URL carries its key: the file holding it must be private too. */
	snprintf(text, sizeof text,
		 "%salerts = { webhooks = ( { name = \"ops\"; kind = \"wecom\"; "
		 "url = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K\"; } ); };\n",
		 base);
	char *path = write_conf("hook.conf", text);
	chmod(path, 0644);
	struct errlist errs = {0};
	cfg = config_load(path, &errs);
	e = errlist_join(&errs);
	CHECK(cfg == NULL);
	CHECK_CONTAINS(e, "webhook \"ops\": its URL holds the robot's key");
	CHECK(strstr(e, "key=K") == NULL);
	free(e);
	errlist_clear(&errs);
	chmod(path, 0600);
	cfg = config_load(path, &errs);
	CHECK(cfg != NULL);
	config_free(cfg);
	errlist_clear(&errs);
	unlink(path);
	free(path);
}

static void test_parse_time(void)
{
	static const struct {
		const char *text;
		int ok;
		double unix_s;
	} cases[] = {
	    {"2026-06-21 05:00:00+08:00", 1, 1781989200},
	    {"2026-06-20T21:00:00Z", 1, 1781989200},
	    {"2026-06-20 21:00:00", 1, 1781989200},
	    {"2026-06-20 16:00:00-05:00", 1, 1781989200},
	    {"2026-06-21", 0, 0},
	    {"2026-06-21 05:00:00+8", 0, 0},
	    {"2026-06-21 05:00:00 junk", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double t = 0;
		int rc = config_parse_time(cases[i].text, &t);
		CHECK_INT(rc == 0, cases[i].ok);
		if (cases[i].ok)
			CHECK_NEAR(t, cases[i].unix_s, 0);
	}
}

/* Grid operators' curtailment orders per station and for the county, and the permanent export
 * cap: read with their times, range-checked. */
static void test_curtailment(void)
{
	static const char *const head =
	    "county = { id = \"c1\"; };\n"
	    "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	    "curtailment = ( { from = \"2026-06-21 10:30:00+08:00\"; to = \"2026-06-21 "
	    "13:30:00+08:00\"; limit_pct = 30.0; } );\n";
	char text[2048];
	snprintf(text, sizeof text,
		 "%sstations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9; "
		 "capacity_kwp = 100.0; export_limit_w = 80000.0;\n"
		 "  curtailment = ( { from = \"2026-06-22 09:00:00+08:00\"; to = \"2026-06-22 "
		 "10:00:00+08:00\"; limit_pct = 0; } );\n"
		 "  devices = ( { id = \"a\"; host = \"h\"; unit = 1; } ); } );\n",
		 head);
	struct config *cfg;
	char *e = load_errors(text, &cfg);
	CHECK_STR(e, "");
	free(e);
	if (cfg) {
		CHECK_INT(cfg->n_curtailment, 1);
		CHECK_NEAR(cfg->curtailment[0].from_s, 1782009000, 0);
		CHECK_NEAR(cfg->curtailment[0].to_s, 1782019800, 0);
		CHECK_NEAR(cfg->curtailment[0].limit_pct, 30, 0);
		const struct config_station *st = &cfg->stations[0];
		CHECK_NEAR(st->export_limit_w, 80000, 0);
		CHECK_INT(st->n_curtailment, 1);
		CHECK_NEAR(st->curtailment[0].limit_pct, 0, 0);
		CHECK_NEAR(st->curtailment[0].to_s - st->curtailment[0].from_s, 3600, 0);
	}
	config_free(cfg);
	/* The default: no cap, no orders. */
	cfg = NULL;
	e = load_errors(base, &cfg);
	CHECK_STR(e, "");
	free(e);
	if (cfg) {
		CHECK_NEAR(cfg->stations[0].export_limit_w, 0, 0);
		CHECK_INT(cfg->stations[0].n_curtailment, 0);
		CHECK_INT(cfg->n_curtailment, 0);
	}
	config_free(cfg);
	/* Out of range, a period that ends before it begins, a time without its offset. */
	snprintf(
	    text, sizeof text,
	    "county = { id = \"c1\"; };\n"
	    "towns = ( { id = \"t1\"; villages = ( { id = \"v1\"; } ); } );\n"
	    "stations = ( { id = \"s1\"; village = \"v1\"; lat = 31.5; lon = 115.9;\n"
	    "  capacity_kwp = 100.0; export_limit_w = 2e7;\n"
	    "  curtailment = ( { from = \"2026-06-22 10:00:00+08:00\"; to = \"2026-06-22 "
	    "09:00:00+08:00\"; limit_pct = 130; },\n"
	    "    { from = \"tomorrow\"; to = \"2026-06-22 09:00:00+08:00\"; limit_pct = 50; } );\n"
	    "  devices = ( { id = \"a\"; host = \"h\"; unit = 1; } ); } );\n");
	e = load_errors(text, NULL);
	CHECK_CONTAINS(e, ":4: station \"s1\": export_limit_w = 2e+07 is out of range 0..1e+07 W");
	CHECK_CONTAINS(e,
		       ":5: station \"s1\" curtailment: limit_pct = 130 is out of range 0..100 %");
	CHECK_CONTAINS(e, ":5: station \"s1\" curtailment: \"to\" is not after \"from\"");
	CHECK_CONTAINS(e, ":6: station \"s1\" curtailment: from = \"tomorrow\" is not a time like "
			  "\"2026-06-21 10:30:00+08:00\"");
	free(e);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_shipped_files();
	test_defaults();
	test_dc_capacity();
	test_bad_files();
	test_misspelt_key();
	test_secret_permissions();
	test_parse_time();
	test_curtailment();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return check_summary();
}
