/* The health table's pure part: a station's month from its days (ratio of sums, worst grade,
 * most used source), the mark (below only on grade 1-2, an estimate otherwise), village and
 * county aggregates and KPIs, and the renderers (aligned CJK columns, JSON nulls, CSV BOM). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/health.h"

static struct store_eff_day day(const char *d, double e_wh, double eth_wh, double h_poa, double pr,
				const char *source, int grade)
{
	struct store_eff_day x;
	memset(&x, 0, sizeof x);
	snprintf(x.day, sizeof x.day, "%s", d);
	x.energy_wh = x.e_act_wh = e_wh;
	x.eth_wh = eth_wh;
	x.eta = eth_wh > 0 ? e_wh / eth_wh : NAN;
	if (!(eth_wh > 0))
		x.e_act_wh = x.eth_wh = NAN;
	x.h_ghi_kwh_m2 = h_poa * 0.95;
	x.h_poa_kwh_m2 = h_poa;
	x.pr = pr;
	x.pr_stc = NAN;
	snprintf(x.basis, sizeof x.basis, "horizontal");
	snprintf(x.source, sizeof x.source, "%s", source);
	x.grade = grade;
	x.judgeable = grade <= 2;
	return x;
}

static void test_marks(void)
{
	static const struct {
		double e_wh, eth_wh;
		int grade;
		enum health_mark want;
	} cases[] = {
	    {500e3, 1000e3, 1, HEALTH_MARK_BELOW},    /* 0.5 on a sensor */
	    {600e3, 1000e3, 2, HEALTH_MARK_OK},	      /* exactly the target on weather */
	    {500e3, 1000e3, 3, HEALTH_MARK_ESTIMATE}, /* low, but an estimate */
	    {900e3, 1000e3, 4, HEALTH_MARK_ESTIMATE}, /* high, still an estimate */
	    {500e3, 0, 1, HEALTH_MARK_NONE},	      /* no theoretical generation: no eta */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct health_station s = {.id = "s", .capacity_kwp = 100};
		health_station_reset(&s);
		struct store_eff_day d = day("2026-06-01", cases[i].e_wh, cases[i].eth_wh, 7, 0.8,
					     "sensor", cases[i].grade);
		health_station_add_day(&s, &d);
		health_station_finish(&s, 0.6);
		CHECK_INT(s.mark, cases[i].want);
	}
	/* Early morning on a sensor: eta 1.9 from too little irradiation is not judgeable,
	 * not "ok"; in the table and JSON too. */
	struct health_station s = {.id = "s", .capacity_kwp = 100};
	health_station_reset(&s);
	struct store_eff_day d = day("2026-06-01", 1900, 1000, 0.01, 1.5, "sensor", 1);
	d.judgeable = 0;
	health_station_add_day(&s, &d);
	health_station_finish(&s, 0.6);
	CHECK_NEAR(s.eta, 1.9, 1e-12);
	CHECK_INT(s.mark, HEALTH_MARK_UNJUDGED);
	CHECK_STR(health_mark_name(s.mark), "not_judgeable");
	/* A month with one judgeable day is judged on its eta. */
	struct store_eff_day d2 = day("2026-06-02", 700e3, 1000e3, 7, 0.8, "sensor", 1);
	health_station_add_day(&s, &d2);
	health_station_finish(&s, 0.6);
	CHECK_INT(s.mark, HEALTH_MARK_OK);
}

static void test_month(void)
{
	struct health_station s = {.id = "s",
				   .capacity_kwp = 100,
				   .quarters_expected = 100,
				   .quarters_valid = 90,
				   .readings = 1000,
				   .rejected = 10};
	health_station_reset(&s);
	struct store_eff_day days[] = {
	    day("2026-06-01", 400e3, 500e3, 6, 0.8, "sensor", 1),
	    day("2026-06-02", 300e3, 500e3, 2, 0.5, "sensor", 1),
	    day("2026-06-03", 100e3, 0, NAN, NAN, "clearsky-scaled", 3), /* no eta */
	};
	for (size_t i = 0; i < 3; i++)
		health_station_add_day(&s, &days[i]);
	health_station_finish(&s, 0.6);
	CHECK_INT(s.days, 3);
	CHECK_NEAR(s.eta, 700.0 / 1000.0, 1e-12);	  /* ratio of sums over days with eta */
	CHECK_NEAR(s.energy_kwh, 800.0, 1e-9);		  /* every day's energy */
	CHECK_NEAR(s.equivalent_hours, 8.0, 1e-12);	  /* 800 kWh / 100 kWp */
	CHECK_NEAR(s.pr, (0.8 * 6 + 0.5 * 2) / 8, 1e-12); /* weighted by POA irradiation */
	CHECK(isnan(s.pr_stc));
	CHECK_INT(s.grade, 1); /* the day without an eta does not make the month an estimate */
	CHECK_STR(s.source, "sensor");
	CHECK_INT(s.mark, HEALTH_MARK_OK);
	CHECK_NEAR(s.online_rate, 0.9, 1e-12);
	CHECK_NEAR(s.anomaly_rate, 0.01, 1e-12);
}

static void test_report(void)
{
	struct health_station st[3] = {
	    {.id = "a",
	     .name = "甲站",
	     .village = 0,
	     .capacity_kwp = 100,
	     .quarters_expected = 60,
	     .quarters_valid = 60,
	     .readings = 100,
	     .fault_alerts = 0},
	    {.id = "b",
	     .name = "乙站",
	     .village = 0,
	     .capacity_kwp = 300,
	     .quarters_expected = 60,
	     .quarters_valid = 30,
	     .readings = 100,
	     .rejected = 2,
	     .longest_fault_min = 45,
	     .fault_min = 45,
	     .fault_alerts = 1},
	    {.id = "c",
	     .name = "丙站",
	     .village = 1,
	     .capacity_kwp = 100,
	     .quarters_expected = 60,
	     .quarters_valid = 60,
	     .readings = 100,
	     .fault_alerts = -1},
	};
	struct store_eff_day da = day("2026-06-01", 500e3, 500e3, 6, 0.85, "sensor", 1);
	struct store_eff_day db = day("2026-06-01", 750e3, 1500e3, 6, 0.45, "weather", 2);
	struct store_eff_day dc = day("2026-06-01", 250e3, 500e3, 6, 0.4, "clearsky-scaled", 3);
	const struct store_eff_day *dd[3] = {&da, &db, &dc};
	for (int i = 0; i < 3; i++) {
		health_station_reset(&st[i]);
		health_station_add_day(&st[i], dd[i]);
		health_station_finish(&st[i], 0.6);
	}
	struct health_group v[2] = {{.id = "v1", .name = "东村"}, {.id = "v2", .name = "西村"}};
	struct health_report r = {.county_id = "c",
				  .county_name = "测试县",
				  .is_day = 1,
				  .period = "2026-06-01",
				  .first_day = "2026-06-01",
				  .last_day = "2026-06-01",
				  .until_unix = 1782316800,
				  .utc_offset_s = 8 * 3600,
				  .basis = "horizontal",
				  .station_target = 0.6,
				  .county_target = 0.8,
				  .fault_threshold_min = 30,
				  .stations = st,
				  .n_stations = 3,
				  .villages = v,
				  .n_villages = 2};
	health_summarize(&r);
	CHECK_NEAR(r.county.eff.eta, 1500.0 / 2500.0, 1e-12);
	CHECK_NEAR(r.county.eff.eta_grade12, 1250.0 / 2000.0, 1e-12);
	CHECK_INT(r.county.eff.n_meeting_target, 1);
	CHECK_INT(r.county.eff.meets_group_target, 0);
	CHECK_NEAR(v[0].eff.eta, 1250.0 / 2000.0, 1e-12);
	CHECK_NEAR(r.county.online.rate, 150.0 / 180.0, 1e-12);
	CHECK_NEAR(r.county.fault.rate, 1.0 / 3.0, 1e-12); /* b's 45-minute fault */
	CHECK_NEAR(r.county.anomaly.rate, 2.0 / 300.0, 1e-12);
	CHECK_NEAR(r.county.eff.equivalent_hours, 1500.0 / 500.0, 1e-12);

	r.wide = 1;
	char *t = health_render(&r, HEALTH_TABLE);
	CHECK(strstr(t, "BELOW 低于目标") != NULL); /* b: 0.5 on weather */
	CHECK(strstr(t, "estimate 估算") != NULL);  /* c: 0.5 on the clear sky */
	/* The English and Chinese header lines are equally wide on a terminal, and the first
	 * station's last column ("ok 达标", 7 columns) starts where the header's ("mark") does:
	 * the columns line up. */
	char *l1 = t, *l2, *l3, *l4;
	for (int i = 0; i < 3; i++)
		l1 = strchr(l1, '\n') + 1;
	l2 = strchr(l1, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	l4 = strchr(l3, '\n') + 1;
	*(l2 - 1) = *(l3 - 1) = *(l4 - 1) = 0;
	CHECK_INT(health_display_width(l1), health_display_width(l2));
	CHECK_INT(health_display_width(l3) - 7, health_display_width(l1) - 4);
	free(t);

	/* The default table: names without the shared "站", and the village section, since
	 * village v1 has two stations. */
	r.wide = 0;
	t = health_render(&r, HEALTH_TABLE);
	CHECK_CONTAINS(t, "without the \"站\" they all end with");
	CHECK_CONTAINS(t, "\n甲  ");
	CHECK_CONTAINS(t, "\n东村  ");
	CHECK_CONTAINS(t, "weather/2");
	free(t);

	char *j = health_render(&r, HEALTH_JSON);
	json_t *root = json_loads(j, 0, NULL);
	CHECK(root != NULL);
	json_t *s2 = json_array_get(json_object_get(root, "stations"), 2);
	CHECK_STR(json_string_value(json_object_get(s2, "mark")), "estimate");
	CHECK(json_is_false(json_object_get(s2, "below_target")));
	CHECK(json_is_null(json_object_get(s2, "fault_alerts")));
	CHECK(json_is_null(json_object_get(s2, "pr_stc")));
	json_t *cf = json_object_get(root, "county_figures");
	CHECK(json_is_false(json_object_get(cf, "meets_county_target")));
	CHECK_INT(json_integer_value(json_object_get(cf, "worst_grade")), 3);
	json_decref(root);
	free(j);

	char *c = health_render(&r, HEALTH_CSV);
	CHECK(strncmp(c, "\xef\xbb\xbflevel (层级),", 3 + 15) == 0);
	CHECK(strstr(c, "\r\nstation,b,v1,300.0,0.5000,") != NULL);
	CHECK(strstr(c, "\r\ncounty,c,") != NULL);
	free(c);
}

/* The default table of a county of 24 stations with long names fits 120 columns; a village
 * section of one station per village would only repeat the station rows, so only the county
 * line is shown; --wide has every column. */
static void test_fits_120(void)
{
	enum { N = 24 };
	struct health_station st[N];
	struct health_group v[N];
	static const char *const names[] = {"谭家河村光伏帮扶电站", "响山村光伏帮扶电站",
					    "红旗村光伏帮扶电站", "大湾村光伏帮扶电站"};
	memset(st, 0, sizeof st);
	memset(v, 0, sizeof v);
	for (int i = 0; i < N; i++) {
		static char ids[N][32];
		snprintf(ids[i], sizeof ids[i], "jz%02d-station", i + 1);
		st[i] = (struct health_station){.id = ids[i],
						.name = names[i % 4],
						.village = (size_t)i,
						.capacity_kwp = 300,
						.quarters_expected = 60,
						.quarters_valid = 59,
						.readings = 1000,
						.rejected = 3,
						.fault_min = 1234,
						.fault_alerts = 2};
		struct store_eff_day d =
		    day("2026-06-01", 1234567.8, 1500000, 6, 0.999, "clearsky-scaled", 3);
		health_station_reset(&st[i]);
		health_station_add_day(&st[i], &d);
		health_station_finish(&st[i], 0.6);
		v[i] = (struct health_group){.id = ids[i], .name = names[i % 4]};
	}
	struct health_report r = {.county_id = "jinzhai",
				  .county_name = "金寨县",
				  .period = "2026-06",
				  .first_day = "2026-06-01",
				  .last_day = "2026-06-30",
				  .until_unix = 1782316800,
				  .utc_offset_s = 8 * 3600,
				  .basis = "poa",
				  .station_target = 0.6,
				  .county_target = 0.8,
				  .fault_threshold_min = 30,
				  .stations = st,
				  .n_stations = N,
				  .villages = v,
				  .n_villages = N};
	health_summarize(&r);
	char *t = health_render(&r, HEALTH_TABLE);
	size_t widest = 0, lines = 0;
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		size_t w = health_display_width(line);
		widest = w > widest ? w : widest;
		lines++;
		CHECK_REPORT_(w <= 120, "%zu columns: %s", w, line);
		CHECK(strncmp(line, "jz", 2) != 0); /* names, not ids */
	}
	CHECK(widest > 60);
	/* Title 2, note 1, header 2, 24 stations, blank 1, header 2, the county 1, verdict and
	 * marks 3: no village rows. */
	CHECK_INT(lines, 2 + 1 + 2 + N + 2 + 1 + 3);
	free(t);
	r.wide = 1;
	t = health_render(&r, HEALTH_TABLE);
	CHECK_CONTAINS(t, "jz24-station");
	CHECK_CONTAINS(t, "theory kWh");
	free(t);
}

static void test_inverters(void)
{
	/* Two days of a 60 kWp inverter: 240 kWh on E_th 300 (grade 1), then 180 kWh on E_th
	 * 240 (grade 2), and a third day without an eta but with 30 kWh. eta = 420 / 540 =
	 * 0.7778, worst grade 2, hours = 450 / 60 = 7.5. Peers: day 1 Y_f 4.0 at ratio 0.8
	 * (median 5.0), day 2 Y_f 3.0 at ratio 0.75 (median 4.0): 7 / 9 = 0.7778. */
	struct health_inverter inv = {.id = "inv1", .dc_kwp = 60};
	struct store_inv_day d1 = {.dc_kwp = 60,
				   .energy_wh = 240000,
				   .e_act_wh = 240000,
				   .eth_wh = 300000,
				   .eta = 0.8,
				   .yf_h = 4.0,
				   .peer_ratio = 0.8,
				   .grade = 1};
	struct store_inv_day d2 = {.dc_kwp = 60,
				   .energy_wh = 180000,
				   .e_act_wh = 180000,
				   .eth_wh = 240000,
				   .eta = 0.75,
				   .yf_h = 3.0,
				   .peer_ratio = 0.75,
				   .grade = 2};
	struct store_inv_day d3 = {.dc_kwp = 60,
				   .energy_wh = 30000,
				   .e_act_wh = NAN,
				   .eth_wh = NAN,
				   .eta = NAN,
				   .yf_h = 0.5,
				   .peer_ratio = NAN,
				   .grade = 4};
	health_inverter_add_day(&inv, &d1);
	health_inverter_add_day(&inv, &d2);
	health_inverter_add_day(&inv, &d3);
	struct health_station s = {
	    .id = "s", .capacity_kwp = 60, .inverters = &inv, .n_inverters = 1};
	health_station_reset(&s);
	health_station_finish(&s, 0.6);
	CHECK_INT(inv.days, 3);
	CHECK_NEAR(inv.eta, 420.0 / 540.0, 1e-12);
	CHECK_INT(inv.grade, 2);
	CHECK_NEAR(inv.energy_kwh, 450, 1e-9);
	CHECK_NEAR(inv.equivalent_hours, 7.5, 1e-12);
	CHECK_NEAR(inv.peer_ratio, 7.0 / 9.0, 1e-12);
	/* An inverter without any day has no figures. */
	struct health_inverter none = {.id = "inv2", .dc_kwp = 60};
	s.inverters = &none;
	health_station_finish(&s, 0.6);
	CHECK(isnan(none.eta) && isnan(none.energy_kwh) && isnan(none.peer_ratio));
}

/* Sets a day's loss attribution from its figures in kWh: expected, actual, reference eta, and
 * the five classes' losses (comm, down, fault, curtail, lowperf). */
static void set_loss(struct store_eff_day *d, double exp_kwh, double act_kwh, double ref,
		     const double *loss_kwh, const double *hours)
{
	d->has_loss = 1;
	d->loss.expected_kwh = exp_kwh;
	d->loss.actual_kwh = act_kwh;
	d->loss.ref_eta = ref;
	d->loss.capability = act_kwh / exp_kwh;
	for (int k = 0; k < LOSS_N_CLASSES; k++) {
		d->loss.loss_kwh[k] = loss_kwh[k];
		d->loss.hours[k] = hours[k];
	}
}

/* A month's losses per station are the sums of its days'; a day without an attribution (from
 * before it existed) is counted as such; the county's generation capability is actual over
 * expected with the same accounting, not eta; --losses renders a table of the classes and
 * JSON carries them. */
static void test_losses(void)
{
	struct health_station st[2] = {{.id = "a", .name = "A", .capacity_kwp = 100},
				       {.id = "b", .name = "B", .capacity_kwp = 100}};
	struct health_group villages[1] = {{.id = "v", .name = "V"}};
	for (int i = 0; i < 2; i++)
		health_station_reset(&st[i]);
	/* a: day 1 soiled (lowperf 200 of 500), day 2 a fault (100 at eta 1), day 3 with no
	 * attribution. b: a communication outage (50) and curtailment (30), else clean. */
	struct store_eff_day a1 = day("2026-06-01", 300e3, 500e3, 6, 0.6, "sensor", 1);
	struct store_eff_day a2 = day("2026-06-02", 400e3, 500e3, 6, 0.8, "sensor", 1);
	struct store_eff_day a3 = day("2026-06-03", 450e3, 500e3, 6, 0.8, "sensor", 1);
	struct store_eff_day b1 = day("2026-06-01", 420e3, 500e3, 6, 0.8, "sensor", 1);
	const double la1[] = {0, 0, 0, 0, 200}, ha1[] = {0, 0, 0, 0, 0};
	const double la2[] = {0, 0, 100, 0, 0}, ha2[] = {0, 0, 2, 0, 0};
	const double lb1[] = {50, 0, 0, 30, 0}, hb1[] = {1, 0, 0, 3, 0};
	set_loss(&a1, 500, 300, 0.6, la1, ha1);
	set_loss(&a2, 500, 400, 1.0, la2, ha2);
	set_loss(&b1, 500, 420, 1.0, lb1, hb1);
	health_station_add_day(&st[0], &a1);
	health_station_add_day(&st[0], &a2);
	health_station_add_day(&st[0], &a3);
	health_station_add_day(&st[1], &b1);
	for (int i = 0; i < 2; i++)
		health_station_finish(&st[i], 0.6);
	CHECK_INT(st[0].loss_days, 2);
	CHECK_NEAR(st[0].loss.expected_kwh, 1000, 1e-9);
	CHECK_NEAR(st[0].loss.actual_kwh, 700, 1e-9);
	CHECK_NEAR(st[0].loss.loss_kwh[LOSS_LOWPERF], 200, 1e-9);
	CHECK_NEAR(st[0].loss.loss_kwh[LOSS_FAULT], 100, 1e-9);
	CHECK_NEAR(st[0].loss.hours[LOSS_FAULT], 2, 1e-12);
	CHECK_NEAR(st[0].loss.capability, 0.7, 1e-12);

	struct health_report r = {.county_id = "c",
				  .county_name = "县",
				  .is_day = 0,
				  .period = "2026-06",
				  .first_day = "2026-06-01",
				  .last_day = "2026-06-30",
				  .basis = "poa",
				  .station_target = 0.6,
				  .county_target = 0.8,
				  .fault_threshold_min = 30,
				  .stations = st,
				  .n_stations = 2,
				  .villages = villages,
				  .n_villages = 1,
				  .show_losses = 1};
	health_summarize(&r);
	/* Capability over the days with an attribution: (700 + 420) / (1000 + 500). */
	CHECK_NEAR(r.county.loss.expected_kwh, 1500, 1e-9);
	CHECK_NEAR(r.county.eff.capability_pct, 100.0 * 1120 / 1500, 1e-9);
	CHECK_NEAR(r.villages[0].loss.loss_kwh[LOSS_COMM], 50, 1e-9);
	char *t = health_render(&r, HEALTH_TABLE);
	CHECK_CONTAINS(t, "Losses 损失");
	CHECK_CONTAINS(t, "通信中断");
	/* The loss table fits 120 columns like the rest. */
	for (const char *line = t; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[512];
		snprintf(buf, sizeof buf, "%.*s", (int)(len < 511 ? len : 511), line);
		CHECK(health_display_width(buf) <= 120);
		line = end ? end + 1 : line + len;
	}
	CHECK_CONTAINS(t, "200.0");
	CHECK_CONTAINS(t, "74.7%");
	free(t);
	char *j = health_render(&r, HEALTH_JSON);
	json_error_t err;
	json_t *root = json_loads(j, 0, &err);
	CHECK(root != NULL);
	json_t *l = json_object_get(json_array_get(json_object_get(root, "stations"), 1), "losses");
	CHECK(json_is_object(l));
	CHECK_NEAR(json_real_value(json_object_get(l, "comm_kwh")), 50, 1e-9);
	CHECK_NEAR(json_real_value(json_object_get(l, "curtail_kwh")), 30, 1e-9);
	CHECK_NEAR(json_real_value(json_object_get(l, "curtail_hours")), 3, 1e-9);
	CHECK_NEAR(json_real_value(json_object_get(l, "expected_kwh")), 500, 1e-9);
	CHECK_INT(json_integer_value(json_object_get(l, "days")), 1);
	json_t *cl = json_object_get(json_object_get(root, "county_figures"), "losses");
	CHECK_NEAR(json_real_value(json_object_get(cl, "lowperf_kwh")), 200, 1e-9);
	/* The county's days: the most of any station's (a has two, b one). */
	CHECK_INT(json_integer_value(json_object_get(cl, "days")), 2);
	CHECK_NEAR(json_real_value(json_object_get(cl, "capability")), 1120.0 / 1500, 1e-9);
	json_decref(root);
	free(j);

	/* --losses --format csv: the loss table as CSV, one row a station, village and the
	 * county, with the health CSV's conventions (BOM, "english (中文)" headers, an empty
	 * cell where there is no value). */
	char *c = health_render(&r, HEALTH_CSV);
	CHECK(strncmp(c, "\xEF\xBB\xBF", 3) == 0);
	CHECK_CONTAINS(c, "level (层级),id (编号),village (村),days (天数),expected_kwh (应发电量),"
			  "actual_kwh (实发电量),capability (发电能力),comm_kwh (通信中断),"
			  "down_kwh (逆变器停机),fault_kwh (故障),curtail_kwh (限电),"
			  "lowperf_kwh (性能偏低),comm_hours (通信中断小时),"
			  "down_hours (停机小时),fault_hours (故障小时),curtail_hours (限电小时),"
			  "ref_eta (正常效率),ref_from_k (按K计价)\r\n");
	CHECK_CONTAINS(c, "station,a,v,2,1000.000,700.000,0.7000,0.000,0.000,100.000,0.000,"
			  "200.000,0.000,0.000,2.000,0.000,");
	CHECK_CONTAINS(c, "station,b,v,1,500.000,420.000,0.8400,50.000,0.000,0.000,30.000,0.000,"
			  "1.000,0.000,0.000,3.000,1.0000,no\r\n");
	CHECK_CONTAINS(c, "village,v,,2,1500.000,1120.000,");
	CHECK_CONTAINS(c, "county,c,,2,1500.000,1120.000,0.7467,50.000,");
	/* Not the efficiency CSV. */
	CHECK(strstr(c, "eta (发电参数)") == NULL);
	free(c);
}

static void test_width(void)
{
	static const struct {
		const char *s;
		size_t w;
	} cases[] = {{"", 0}, {"abc", 3}, {"发电参数", 8}, {"η ≥ 0.6", 7}, {"ok 达标", 7}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(health_display_width(cases[i].s), cases[i].w);
}

int main(void)
{
	test_marks();
	test_month();
	test_inverters();
	test_report();
	test_fits_120();
	test_width();
	test_losses();
	return check_summary();
}
