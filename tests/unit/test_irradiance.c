/* Irradiance sources: local months, the clear-sky monthly total and its scaling to the
 * typical-year table, the scaled estimate, peer normalisation and the choice of source. */
#include <errno.h>
#include <math.h>

#include "check.h"
#include "pvrelief/irradiance.h"

#define UTC8 (8 * 3600)

/* A village station near Hefei (31.8 N, 117.2 E): tilt 25 deg facing south. The table is of the
 * order of the region's typical-year values; June's and December's are used below. */
static struct irradiance_site hefei(void)
{
	struct irradiance_site s = {
	    .lat_deg = 31.82,
	    .lon_deg = 117.23,
	    .altitude_m = 30,
	    .tilt_deg = 25,
	    .azimuth_deg = 180,
	    .albedo = 0.2,
	    .linke_turbidity = 4.0,
	    .transposition = SOLAR_HAY_DAVIES,
	    .monthly_irradiation_kwh_m2 = {70, 80, 100, 120, 135, 130, 150, 145, 115, 100, 80, 70},
	    .utc_offset_s = UTC8};
	return s;
}

static void test_months(void)
{
	static const struct {
		double t_s;
		int offset_s, want_year, want_month;
	} cases[] = {
	    {1709222400, UTC8, 2024, 3},      /* 2024-03-01 00:00 +08:00 */
	    {1709222399, UTC8, 2024, 2},      /* one second earlier */
	    {1709222399, 0, 2024, 2},	      /* 2024-02-29 16:00 UTC */
	    {1735660800 - 1, UTC8, 2024, 12}, /* 2024-12-31 23:59:59 +08:00 */
	    {1735660800, UTC8, 2025, 1},      /* 2025-01-01 00:00 +08:00 */
	    {0, 0, 1970, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int y, m;
		irradiance_local_month(cases[i].t_s, cases[i].offset_s, &y, &m);
		CHECK_INT(y, cases[i].want_year);
		CHECK_INT(m, cases[i].want_month);
	}
	/* February 2024 has 29 days, December runs into the next year. */
	double a, b;
	irradiance_month_bounds(2024, 2, UTC8, &a, &b);
	CHECK_NEAR(a, 1709222400 - 29 * 86400, 0);
	CHECK_NEAR(b - a, 29 * 86400, 0);
	irradiance_month_bounds(2023, 2, UTC8, &a, &b);
	CHECK_NEAR(b - a, 28 * 86400, 0);
	irradiance_month_bounds(2024, 12, UTC8, &a, &b);
	CHECK_NEAR(b, 1735660800, 0);
	CHECK_NEAR(b - a, 31 * 86400, 0);
}

static void test_clearsky_month(void)
{
	struct irradiance_site s = hefei();
	/* A clear June at 32 N brings 7-8 kWh/m2 a day, some 220-250 kWh/m2 a month; a clear
	 * December about half that. */
	double june = irradiance_clearsky_month_kwh_m2(&s, 2024, 6, IRRADIANCE_STEP_DEFAULT_S);
	double dec = irradiance_clearsky_month_kwh_m2(&s, 2024, 12, IRRADIANCE_STEP_DEFAULT_S);
	CHECK(june > 200 && june < 270);
	CHECK(dec > 90 && dec < 140);
	/* The 10-minute step is fine enough: a 2-minute step agrees within 0.2%. */
	double fine = irradiance_clearsky_month_kwh_m2(&s, 2024, 6, 120);
	CHECK_NEAR(june / fine, 1, 0.002);
	/* Hazier air gives less light. */
	s.linke_turbidity = 6;
	CHECK(irradiance_clearsky_month_kwh_m2(&s, 2024, 6, 600) < june);
	CHECK(isnan(irradiance_clearsky_month_kwh_m2(&s, 2024, 13, 600)));
	CHECK(isnan(irradiance_clearsky_month_kwh_m2(&s, 2024, 6, 0)));
}

/* Sums the estimate over a month in day-long intervals at a 5-minute step, a different step
 * from the one the scale was computed with. */
static void month_sum(const struct irradiance_site *s, const struct irradiance_month_scale *ms,
		      size_t n_ms, int year, int month, double *ghi_kwh_m2, double *poa_kwh_m2,
		      int *worst_grade)
{
	double a, b;
	irradiance_month_bounds(year, month, s->utc_offset_s, &a, &b);
	*ghi_kwh_m2 = *poa_kwh_m2 = 0;
	*worst_grade = 0;
	for (double t = a; t < b; t += 86400) {
		struct irradiance_estimate e;
		CHECK_INT(irradiance_clearsky_scaled(s, ms, n_ms, t, t + 86400, 300, &e), 0);
		*ghi_kwh_m2 += e.ghi_wh_m2 / 1000;
		*poa_kwh_m2 += e.poa_wh_m2 / 1000;
		if (e.grade > *worst_grade)
			*worst_grade = e.grade;
	}
}

static void test_scaled(void)
{
	struct irradiance_site s = hefei();
	struct irradiance_month_scale ms[2];
	CHECK_INT(irradiance_month_scale(&s, 2024, 6, 600, &ms[0]), 0);
	CHECK_INT(irradiance_month_scale(&s, 2024, 12, 600, &ms[1]), 0);
	CHECK_NEAR(ms[0].table_kwh_m2, 130, 0);
	CHECK_NEAR(ms[0].scale, 130 / ms[0].clearsky_kwh_m2, 1e-12);
	CHECK(ms[0].scale > 0.4 && ms[0].scale < 0.7); /* a cloudy, hazy June */

	/* Integrated over the month, the estimate gives the table's value within 1%. */
	double ghi, poa;
	int grade;
	month_sum(&s, ms, 2, 2024, 6, &ghi, &poa, &grade);
	CHECK_NEAR(ghi / 130, 1, 0.01);
	CHECK_INT(grade, IRRADIANCE_GRADE_CLEARSKY_SCALED);
	/* In June the sun is high: a 25 deg tilt gains or loses little. */
	CHECK_NEAR(poa / ghi, 1, 0.08);
	month_sum(&s, ms, 2, 2024, 12, &ghi, &poa, &grade);
	CHECK_NEAR(ghi / 70, 1, 0.01);
	/* In December a south-facing tilt catches clearly more than the horizontal. */
	CHECK(poa / ghi > 1.1);

	/* The isotropic model gives less POA than Hay-Davies, which adds circumsolar light. */
	double poa_hd = poa;
	s.transposition = SOLAR_ISOTROPIC;
	month_sum(&s, ms, 2, 2024, 12, &ghi, &poa, &grade);
	CHECK(poa < poa_hd);
	s.transposition = SOLAR_HAY_DAVIES;

	/* No scale for the month (table unset): the unscaled clear sky, grade 4. */
	s.monthly_irradiation_kwh_m2[5] = 0;
	struct irradiance_month_scale unset;
	CHECK_INT(irradiance_month_scale(&s, 2024, 6, 600, &unset), 0);
	CHECK(isnan(unset.scale));
	CHECK(isnan(unset.table_kwh_m2));
	month_sum(&s, &unset, 1, 2024, 6, &ghi, &poa, &grade);
	CHECK_NEAR(ghi / ms[0].clearsky_kwh_m2, 1, 0.01);
	CHECK_INT(grade, IRRADIANCE_GRADE_CLEARSKY_UNSCALED);

	/* A single interval: noon hour on 2024-06-15 +08:00, means and integrals agree, and the
	 * scaled value is the clear sky's times the scale. */
	s = hefei();
	double t = 1718424000; /* 2024-06-15 12:00 +08:00 */
	struct irradiance_estimate e, clear;
	CHECK_INT(irradiance_clearsky_scaled(&s, ms, 1, t, t + 3600, 600, &e), 0);
	CHECK_INT(irradiance_clearsky_scaled(&s, NULL, 0, t, t + 3600, 600, &clear), 0);
	CHECK_INT(e.source, IRRADIANCE_CLEARSKY_SCALED);
	CHECK_INT(e.scaled, 1);
	CHECK_INT(clear.scaled, 0);
	CHECK_NEAR(e.ghi_wh_m2, e.ghi_w_m2, 1e-9); /* one hour */
	CHECK_NEAR(e.ghi_w_m2, clear.ghi_w_m2 * ms[0].scale, 1e-6);
	CHECK(clear.ghi_w_m2 > 800 && clear.ghi_w_m2 < 1050);

	/* Midnight: darkness is a value of 0, not missing. */
	CHECK_INT(irradiance_clearsky_scaled(&s, ms, 1, t - 43200, t - 39600, 600, &e), 0);
	CHECK_NEAR(e.ghi_w_m2, 0, 0);
	CHECK_NEAR(e.poa_w_m2, 0, 0);
	/* An empty interval is an error with NAN figures. */
	CHECK_INT(irradiance_clearsky_scaled(&s, ms, 1, t, t, 600, &e), -EINVAL);
	CHECK(isnan(e.ghi_w_m2));

	/* Daylight on 2024-06-15 in Hefei: about 14 h 10 min. */
	double day = irradiance_daylight_s(&s, t - 43200, t + 43200, 60);
	CHECK_NEAR(day / 3600, 14.17, 0.15);
}

static void test_distance(void)
{
	/* One degree of latitude on a sphere of 6371 km is 111.195 km; one degree of longitude
	 * at 60 N half of that. */
	CHECK_NEAR(irradiance_distance_km(31, 117, 32, 117), 111.195, 0.001);
	CHECK_NEAR(irradiance_distance_km(60, 10, 60, 11), 55.59, 0.05);
	CHECK_NEAR(irradiance_distance_km(31, 117, 31, 117), 0, 1e-12);
}

static void test_peers(void)
{
	/* The station at (31.5, 117.0) with Y_f 3.28 h. Peers 0.1-0.26 deg north (11-29 km). The
	 * outlier at 1.0 h (a tripped breaker nobody has flagged) is healthy on paper. Median of
	 * {1.0, 4.0, 4.2, 4.4} = (4.0 + 4.2) / 2 = 4.1; ratio 3.28 / 4.1 = 0.8. The mean, 3.4,
	 * would have been dragged down by the outlier. Excluded: 0.28 deg (31.1 km) away, an
	 * unhealthy one, one with no Y_f. */
	struct irradiance_peer peers[] = {
	    {31.60, 117.0, 4.0, 1}, {31.65, 117.0, 4.2, 1}, {31.70, 117.0, 4.4, 1},
	    {31.76, 117.0, 1.0, 1}, {31.78, 117.0, 9.0, 1}, {31.55, 117.0, 0.2, 0},
	    {31.52, 117.0, NAN, 1},
	};
	struct irradiance_peer_result r;
	CHECK_INT(irradiance_peer_compare(31.5, 117.0, 3.28, peers, 7, 30, 3, &r), 0);
	CHECK_INT(r.n_used, 4);
	CHECK_NEAR(r.expected_yf_h, 4.1, 1e-12);
	CHECK_NEAR(r.ratio, 0.8, 1e-12);
	CHECK_INT(r.grade, 4);

	/* An odd count: without the outlier the median is 4.2. */
	CHECK_INT(irradiance_peer_compare(31.5, 117.0, 3.28, peers, 3, 30, 3, &r), 0);
	CHECK_NEAR(r.expected_yf_h, 4.2, 1e-12);

	/* A wider radius takes the 9.0 in: median of {1.0, 4.0, 4.2, 4.4, 9.0} = 4.2. */
	CHECK_INT(irradiance_peer_compare(31.5, 117.0, 3.28, peers, 7, 35, 3, &r), 0);
	CHECK_INT(r.n_used, 5);
	CHECK_NEAR(r.expected_yf_h, 4.2, 1e-12);

	/* Too few: two healthy peers when three are needed. */
	CHECK_INT(irradiance_peer_compare(31.5, 117.0, 3.28, peers, 2, 30, 3, &r), -ENODATA);
	CHECK_INT(r.n_used, 2);
	CHECK(isnan(r.expected_yf_h));
	CHECK(isnan(r.ratio));
	CHECK_INT(irradiance_peer_compare(31.5, 117.0, 3.28, NULL, 0, 30, 0, &r), -ENODATA);

	/* The station with no Y_f of its own: the median, but no ratio. */
	CHECK_INT(irradiance_peer_compare(31.5, 117.0, NAN, peers, 7, 30, 3, &r), 0);
	CHECK_NEAR(r.expected_yf_h, 4.1, 1e-12);
	CHECK(isnan(r.ratio));
}

static void test_choose(void)
{
	static const struct {
		struct irradiance_availability av;
		enum irradiance_source want;
		int want_grade;
		const char *want_reason;
	} cases[] = {
	    {{1.0, 1.0, 1, 5, 0, 0}, IRRADIANCE_SENSOR, 1, "sensor covers 100%"},
	    {{0.9, 0, 0, 0, 0, 0}, IRRADIANCE_SENSOR, 1, "sensor covers 90%"},
	    {{0.5, 1.0, 1, 5, 0, 0}, IRRADIANCE_WEATHER, 2, "sensor covers only 50% (< 90%)"},
	    {{0, 0.95, 1, 5, 0, 0}, IRRADIANCE_WEATHER, 2, "no sensor data; weather service"},
	    {{0.5, 0.5, 1, 5, 0, 0}, IRRADIANCE_CLEARSKY_SCALED, 3, "weather service incomplete"},
	    {{0, 0, 1, 5, 0, 0}, IRRADIANCE_CLEARSKY_SCALED, 3, "scaled to the typical-year"},
	    {{0, 0, 0, 5, 0, 0}, IRRADIANCE_PEER, 4, "median of 5 peers"},
	    {{0, 0, 0, 2, 0, 0}, IRRADIANCE_CLEARSKY_SCALED, 4, "unscaled clear sky"},
	    /* A stricter coverage threshold and a lower peer count. */
	    {{0.9, 0.97, 0, 0, 0.95, 0}, IRRADIANCE_WEATHER, 2, "sensor covers only 90% (< 95%)"},
	    {{0, 0, 0, 2, 0, 2}, IRRADIANCE_PEER, 4, "median of 2 peers"},
	    /* NaN coverage is no coverage. */
	    {{NAN, NAN, 1, 0, 0, 0}, IRRADIANCE_CLEARSKY_SCALED, 3, "no sensor data; no weather"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct irradiance_choice c;
		irradiance_choose(&cases[i].av, &c);
		CHECK_INT(c.source, cases[i].want);
		CHECK_INT(c.grade, cases[i].want_grade);
		CHECK_CONTAINS(c.reason, cases[i].want_reason);
	}
	CHECK_STR(irradiance_source_name(IRRADIANCE_PEER), "peer");
	CHECK_STR(irradiance_source_name(IRRADIANCE_CLEARSKY_SCALED), "clearsky-scaled");
}

/* A label says what the figure rests on: the clear sky with no typical-year table for the
 * month is the unscaled grade-4 estimate, not "clearsky-scaled"; Chinese labels are Chinese. */
static void test_labels(void)
{
	static const struct {
		enum irradiance_source src;
		int grade, zh;
		const char *want;
	} cases[] = {
	    {IRRADIANCE_SENSOR, IRRADIANCE_GRADE_SENSOR, 0, "sensor"},
	    {IRRADIANCE_WEATHER, IRRADIANCE_GRADE_WEATHER, 0, "weather"},
	    {IRRADIANCE_CLEARSKY_SCALED, IRRADIANCE_GRADE_CLEARSKY_SCALED, 0, "clearsky-scaled"},
	    {IRRADIANCE_CLEARSKY_SCALED, IRRADIANCE_GRADE_CLEARSKY_UNSCALED, 0, "clearsky"},
	    {IRRADIANCE_PEER, IRRADIANCE_GRADE_PEER, 0, "peer"},
	    {IRRADIANCE_SENSOR, IRRADIANCE_GRADE_SENSOR, 1, "现场辐照传感器"},
	    {IRRADIANCE_CLEARSKY_SCALED, IRRADIANCE_GRADE_CLEARSKY_UNSCALED, 1,
	     "晴空模型估算（未按月辐照量校准）"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_STR(irradiance_source_label(cases[i].src, cases[i].grade, cases[i].zh),
			  cases[i].want);
	/* Chosen with no table for the month: the label of the choice is the unscaled one. */
	struct irradiance_availability av = {.min_coverage = IRRADIANCE_MIN_COVERAGE_DEFAULT,
					     .min_peers = IRRADIANCE_MIN_PEERS_DEFAULT};
	struct irradiance_choice c;
	irradiance_choose(&av, &c);
	CHECK_STR(irradiance_source_label(c.source, c.grade, 0), "clearsky");
}

int main(void)
{
	test_months();
	test_clearsky_month();
	test_scaled();
	test_distance();
	test_peers();
	test_choose();
	test_labels();
	return check_summary();
}
