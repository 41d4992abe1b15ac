/* Efficiency figures: theoretical generation, eta on either basis, yields, PR and PR_stc, gaps
 * and night, coverage, the judgeable flag, and the energy-weighted aggregates. Every expected
 * value is worked out by hand in the comment next to it. */
#include <math.h>

#include "check.h"
#include "pvrelief/config.h"
#include "pvrelief/efficiency.h"

#define T0 1717207200.0 /* 2024-06-01 10:00 +08:00 */
#define HOUR 3600.0
#define E EFFICIENCY_HAVE_ENERGY
#define G EFFICIENCY_HAVE_GHI
#define P EFFICIENCY_HAVE_POA
#define TM EFFICIENCY_HAVE_MODULE_TEMP
#define TA EFFICIENCY_HAVE_AIR_TEMP
#define WS EFFICIENCY_HAVE_WIND

/* An hour-long sample starting h hours after T0. */
static struct efficiency_sample hour(int h, double energy_wh, double ghi, double poa, double t_mod,
				     unsigned have)
{
	struct efficiency_sample s = {.t_start_s = T0 + h * HOUR,
				      .t_end_s = T0 + (h + 1) * HOUR,
				      .energy_wh = energy_wh,
				      .ghi_w_m2 = ghi,
				      .poa_w_m2 = poa,
				      .module_temp_c = t_mod,
				      .have = have};
	return s;
}

static void test_theoretical(void)
{
	static const struct {
		double h_kwh_m2, p_kwp, k, want_kwh;
	} cases[] = {
	    {4.5, 100, 0.8, 360}, /* 4.5 h at 1 kW/m2 x 100 kW x 0.8 */
	    {5.0, 60, 0.75, 225}, /* 5 x 60 x 0.75 */
	    {0, 100, 0.8, 0},	  /* no light: zero, a true value */
	    {NAN, 100, 0.8, NAN}, /* unknown irradiation: no value */
	    {-1, 100, 0.8, NAN},  /* negative irradiation is not data */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double got =
		    efficiency_theoretical_kwh(cases[i].h_kwh_m2, cases[i].p_kwp, cases[i].k);
		if (isnan(cases[i].want_kwh))
			CHECK(isnan(got));
		else
			CHECK_NEAR(got, cases[i].want_kwh, 1e-9);
	}
}

/* Six hours at POA 750 W/m2 and GHI 600 W/m2, 50 kWh each, module at 25 C for three hours and
 * 45 C for three. */
static size_t day_samples(struct efficiency_sample *s)
{
	for (int h = 0; h < 6; h++)
		s[h] = hour(h, 50000, 600, 750, h < 3 ? 25 : 45, E | G | P | TM);
	return 6;
}

static void test_window_basis(void)
{
	struct efficiency_sample s[6];
	size_t n = day_samples(s);
	struct efficiency_params p;
	struct efficiency_window w;

	efficiency_params_default(&p, 100);
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w), 0);
	CHECK_NEAR(w.energy_kwh, 300, 1e-9);
	/* H_poa = 6 x 750 / 1000 = 4.5 kWh/m2, H_hor = 6 x 600 / 1000 = 3.6 kWh/m2. */
	CHECK_NEAR(w.h_poa_kwh_m2, 4.5, 1e-9);
	CHECK_NEAR(w.h_horizontal_kwh_m2, 3.6, 1e-9);
	/* POA basis: E_th = 4.5 x 100 x 0.8 = 360 kWh; eta = 300 / 360 = 0.8333. */
	CHECK_INT(w.basis, EFFICIENCY_BASIS_POA);
	CHECK_NEAR(w.e_th_kwh, 360, 1e-9);
	CHECK_NEAR(w.eta, 300.0 / 360.0, 1e-12);
	/* Y_r = 4.5 h, Y_f = 300 / 100 = 3 h, PR = 3 / 4.5 = 0.6667. */
	CHECK_NEAR(w.yr_h, 4.5, 1e-9);
	CHECK_NEAR(w.yf_h, 3, 1e-9);
	CHECK_NEAR(w.equivalent_hours, 3, 1e-9);
	CHECK_NEAR(w.pr, 2.0 / 3.0, 1e-12);
	/* PR_stc: reference = 100 x 0.75 x 3 h x 1 + 100 x 0.75 x 3 h x (1 - 0.004 x 20)
	 * = 225 + 207 = 432 kWh; 300 / 432 = 0.69444. */
	CHECK_NEAR(w.pr_stc, 300.0 / 432.0, 1e-12);
	CHECK_NEAR(w.coverage, 1, 1e-12);
	CHECK_INT(w.source, IRRADIANCE_SENSOR);
	CHECK_INT(w.grade, 1);

	/* Horizontal basis: E_th = 3.6 x 100 x 0.8 = 288 kWh; eta = 300 / 288 = 1.0417, the
	 * "over 1" a tilted array shows against horizontal light. PR stays on POA. */
	p.basis = EFFICIENCY_BASIS_HORIZONTAL;
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w), 0);
	CHECK_INT(w.basis, EFFICIENCY_BASIS_HORIZONTAL);
	CHECK_NEAR(w.e_th_kwh, 288, 1e-9);
	CHECK_NEAR(w.eta, 300.0 / 288.0, 1e-12);
	CHECK_NEAR(w.pr, 2.0 / 3.0, 1e-12);

	/* K 0.75 instead of 0.8: E_th = 4.5 x 100 x 0.75 = 337.5 kWh; eta = 0.8889. */
	p.basis = EFFICIENCY_BASIS_POA;
	p.k_coeff = 0.75;
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w), 0);
	CHECK_NEAR(w.eta, 300.0 / 337.5, 1e-12);
}

static void test_pr_stc(void)
{
	static const struct {
		const char *what;
		double t_mod, t_air, wind, gamma, want;
	} cases[] = {
	    /* One hour at 1000 W/m2, 80 kWh from 100 kWp: reference 100 kWh x factor. */
	    {"module at 25 C: no correction", 25, NAN, NAN, -0.004, 80.0 / 100.0},
	    {"module at 50 C: factor 1 - 0.004 x 25 = 0.9", 50, NAN, NAN, -0.004, 80.0 / 90.0},
	    {"module at 50 C, gamma -0.0035: factor 0.9125", 50, NAN, NAN, -0.0035, 80.0 / 91.25},
	    {"module at 0 C: factor 1.1", 0, NAN, NAN, -0.004, 80.0 / 110.0},
	    /* Sandia: T_m = 1000 e^(-3.56 - 0.075 x 0) + 20 = 48.4388 C; factor
	     * 1 - 0.004 x 23.4388 = 0.906245; 80 / 90.6245 = 0.882764. */
	    {"Sandia from air 20 C, still air", NAN, 20, 0, -0.004, 0.8827638},
	    /* Wind absent counts as still air. */
	    {"Sandia from air 20 C, no wind reading", NAN, 20, NAN, -0.004, 0.8827638},
	    /* Wind 4 m/s: T_m = 1000 e^(-3.86) + 20 = 41.0680 C; factor 0.935728; 0.854950. */
	    {"Sandia from air 20 C, wind 4 m/s", NAN, 20, 4, -0.004, 80.0 / 93.5728002},
	    {"no temperature at all: no value", NAN, NAN, NAN, -0.004, NAN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned have = E | P;
		if (!isnan(cases[i].t_mod))
			have |= TM;
		if (!isnan(cases[i].t_air))
			have |= TA;
		if (!isnan(cases[i].wind))
			have |= WS;
		struct efficiency_sample s = hour(0, 80000, NAN, 1000, cases[i].t_mod, have);
		s.air_temp_c = cases[i].t_air;
		s.wind_m_s = cases[i].wind;
		struct efficiency_params p;
		struct efficiency_window w;
		efficiency_params_default(&p, 100);
		p.gamma_per_c = cases[i].gamma;
		efficiency_window(&p, T0, T0 + HOUR, &s, 1, &w);
		if (isnan(cases[i].want)) {
			CHECK(isnan(w.pr_stc));
		} else {
			CHECK_NEAR(w.pr_stc, cases[i].want, 1e-6);
			if (fabs(w.pr_stc - cases[i].want) > 1e-6)
				fprintf(stderr, "  case: %s\n", cases[i].what);
		}
		/* Uncorrected PR = 0.8 whatever the temperature. */
		CHECK_NEAR(w.pr, 0.8, 1e-12);
	}
}

static void test_missing_and_night(void)
{
	struct efficiency_params p;
	struct efficiency_window w;
	efficiency_params_default(&p, 100);

	/* Two hours at POA 800 W/m2, 64 kWh each, but the second hour's energy is missing. The
	 * paired hour gives E_th = 0.8 x 100 x 0.8 = 64 kWh and eta = 1.0, not the 0.5 that
	 * dividing 64 kWh by both hours' light would give. Coverage is 1 h of 2 = 0.5. */
	struct efficiency_sample gap[2] = {hour(0, 64000, NAN, 800, NAN, E | P),
					   hour(1, 64000, NAN, 800, NAN, P)};
	CHECK_INT(efficiency_window(&p, T0, T0 + 2 * HOUR, gap, 2, &w), 0);
	CHECK_NEAR(w.energy_kwh, 64, 1e-9);
	CHECK_NEAR(w.h_poa_kwh_m2, 1.6, 1e-9);
	CHECK_NEAR(w.e_act_kwh, 64, 1e-9);
	CHECK_NEAR(w.e_th_kwh, 64, 1e-9);
	CHECK_NEAR(w.eta, 1.0, 1e-12);
	CHECK_NEAR(w.pr, 0.8, 1e-12);
	CHECK_NEAR(w.coverage, 0.5, 1e-12);
	CHECK(isnan(w.h_horizontal_kwh_m2)); /* no GHI at all */

	/* A flagged value that is NaN counts as absent too: the same result. */
	gap[1].have |= E;
	gap[1].energy_wh = NAN;
	efficiency_window(&p, T0, T0 + 2 * HOUR, gap, 2, &w);
	CHECK_NEAR(w.eta, 1.0, 1e-12);

	/* A value present but not flagged is ignored: irradiance missing in the second hour
	 * leaves eta on the first. */
	struct efficiency_sample nolight[2] = {hour(0, 64000, NAN, 800, NAN, E | P),
					       hour(1, 64000, NAN, 800, NAN, E)};
	efficiency_window(&p, T0, T0 + 2 * HOUR, nolight, 2, &w);
	CHECK_NEAR(w.energy_kwh, 128, 1e-9);
	CHECK_NEAR(w.eta, 1.0, 1e-12);
	CHECK_NEAR(w.yf_h, 1.28, 1e-12); /* all energy: 128 / 100 */

	/* Night: no light, no energy: E_th = 0, so eta, PR and PR_stc have no value. A sensor's
	 * -3 W/m2 at night is darkness, not negative light. */
	struct efficiency_sample night[2] = {hour(0, 0, 0, 0, 15, E | G | P | TM),
					     hour(1, 0, -3, -3, 15, E | G | P | TM)};
	CHECK_INT(efficiency_window(&p, T0, T0 + 2 * HOUR, night, 2, &w), 0);
	CHECK_NEAR(w.e_th_kwh, 0, 1e-12);
	CHECK_NEAR(w.h_poa_kwh_m2, 0, 1e-12);
	CHECK(isnan(w.eta));
	CHECK(isnan(w.pr));
	CHECK(isnan(w.pr_stc));
	CHECK(isnan(w.mean_irradiance_w_m2));
	CHECK(!w.judgeable);

	/* No samples at all: nothing has a value and coverage is 0. */
	CHECK_INT(efficiency_window(&p, T0, T0 + HOUR, NULL, 0, &w), 0);
	CHECK(isnan(w.energy_kwh));
	CHECK(isnan(w.eta));
	CHECK(isnan(w.yf_h));
	CHECK_NEAR(w.coverage, 0, 1e-12);

	/* An empty window or a station of no capacity is an error, with every figure NAN. */
	CHECK(efficiency_window(&p, T0, T0, gap, 2, &w) < 0);
	CHECK(isnan(w.eta));
	efficiency_params_default(&p, 0);
	CHECK(efficiency_window(&p, T0, T0 + HOUR, gap, 2, &w) < 0);
	CHECK(isnan(w.yf_h));
}

static void test_clipping(void)
{
	/* A one-hour sample 10:30-11:30 against the window 11:00-12:00: half of it counts.
	 * E = 40 kWh, H_poa = 0.5 h x 1000 = 0.5 kWh/m2; E_th = 0.5 x 100 x 0.8 = 40 kWh; eta 1.
	 * Coverage is 0.5 h of 1 h. */
	struct efficiency_sample s = {.t_start_s = T0 + 0.5 * HOUR,
				      .t_end_s = T0 + 1.5 * HOUR,
				      .energy_wh = 80000,
				      .poa_w_m2 = 1000,
				      .have = E | P};
	struct efficiency_params p;
	struct efficiency_window w;
	efficiency_params_default(&p, 100);
	efficiency_window(&p, T0 + HOUR, T0 + 2 * HOUR, &s, 1, &w);
	CHECK_NEAR(w.energy_kwh, 40, 1e-9);
	CHECK_NEAR(w.h_poa_kwh_m2, 0.5, 1e-12);
	CHECK_NEAR(w.eta, 1.0, 1e-12);
	CHECK_NEAR(w.coverage, 0.5, 1e-12);
}

static void test_judgeable(void)
{
	static const struct {
		const char *what;
		int hours;	   /* samples, one per hour */
		double window_h;   /* window length */
		double poa;	   /* W/m2 in every sample */
		double daylight_h; /* 0: whole window */
		int grade;
		int want_enough, want_judgeable;
	} cases[] = {
	    {"bright hour, sensor", 1, 1, 250, 0, 1, 1, 1},
	    {"bright hour, weather", 1, 1, 250, 0, 2, 1, 1},
	    {"dull hour: 150 W/m2 is too little", 1, 1, 150, 0, 1, 0, 0},
	    {"exactly 200 W/m2 is not above the threshold", 1, 1, 200, 0, 1, 0, 0},
	    {"bright hour, clear-sky scaled: grade 3 never judges", 1, 1, 800, 0, 3, 1, 0},
	    {"bright hour, peer: grade 4 never judges", 1, 1, 800, 0, 4, 1, 0},
	    {"bright but half the window missing: coverage 0.5", 1, 2, 800, 0, 1, 1, 0},
	    /* Day windows go by H per day: 12 h x 140 W/m2 = 1.68 kWh/m2 > 1.5, though the mean
	     * irradiance is below 200. Coverage against 12 h of daylight is 1. */
	    {"day of 1.68 kWh/m2", 12, 24, 140, 12, 1, 1, 1},
	    /* 12 h x 120 = 1.44 kWh/m2 < 1.5. */
	    {"day of 1.44 kWh/m2", 12, 24, 120, 12, 1, 0, 0},
	    /* Without the daylight figure a day of 12 samples covers half the window. */
	    {"day of 1.68 kWh/m2, coverage against 24 h", 12, 24, 140, 0, 1, 1, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct efficiency_sample s[24];
		for (int h = 0; h < cases[i].hours; h++)
			s[h] = hour(h, 90 * cases[i].poa, NAN, cases[i].poa, NAN, E | P);
		struct efficiency_params p;
		struct efficiency_window w;
		efficiency_params_default(&p, 100);
		p.grade = cases[i].grade;
		if (cases[i].daylight_h > 0)
			p.daylight_s = cases[i].daylight_h * HOUR;
		efficiency_window(&p, T0, T0 + cases[i].window_h * HOUR, s, (size_t)cases[i].hours,
				  &w);
		if (w.irradiance_enough != cases[i].want_enough ||
		    w.judgeable != cases[i].want_judgeable)
			fprintf(stderr, "case: %s\n", cases[i].what);
		CHECK_INT(w.irradiance_enough, cases[i].want_enough);
		CHECK_INT(w.judgeable, cases[i].want_judgeable);
		/* 90 G Wh an hour from 100 kWp at G W/m2 is PR 0.9: eta 0.9 / 0.8 = 1.125. */
		CHECK_NEAR(w.eta, 0.9 / 0.8, 1e-12);
	}
}

static void test_aggregate(void)
{
	/* A: 100 kWp, 90 of 100 kWh (eta 0.9). B: 300 kWp, 150 of 300 kWh (eta 0.5).
	 * Energy-weighted: 240 / 400 = 0.6; the mean of ratios would be 0.7. One station of two
	 * meets 0.6: share 0.5. Equivalent hours 240 kWh / 400 kWp = 0.6 h. */
	struct efficiency_station_figure st[3] = {
	    {.capacity_kwp = 100, .energy_kwh = 90, .e_act_kwh = 90, .e_th_kwh = 100, .grade = 1},
	    {.capacity_kwp = 300, .energy_kwh = 150, .e_act_kwh = 150, .e_th_kwh = 300, .grade = 3},
	    /* C: 50 kWp, 10 kWh but no theoretical figure: counts for equivalent hours only. */
	    {.capacity_kwp = 50, .energy_kwh = 10, .e_act_kwh = NAN, .e_th_kwh = NAN, .grade = 4},
	};
	struct efficiency_aggregate a;
	efficiency_aggregate(st, 2, 0.6, 0.8, &a);
	CHECK_INT(a.n_stations, 2);
	CHECK_INT(a.n_with_value, 2);
	CHECK_NEAR(a.eta, 0.6, 1e-12);
	CHECK(fabs(a.eta - (0.9 + 0.5) / 2) > 0.09); /* not the mean of ratios */
	CHECK_NEAR(a.capability_pct, 60, 1e-9);
	CHECK_NEAR(a.equivalent_hours, 0.6, 1e-12);
	CHECK_INT(a.n_meeting_target, 1);
	CHECK_NEAR(a.share_meeting_target, 0.5, 1e-12);
	CHECK_INT(a.meets_group_target, 0);
	CHECK_INT(a.worst_grade, 3);
	CHECK_NEAR(a.eta_grade12, 0.9, 1e-12); /* A alone */

	/* With C: still two with a value; equivalent hours (240 + 10) / 450 = 0.5556. */
	efficiency_aggregate(st, 3, 0.6, 0.8, &a);
	CHECK_INT(a.n_stations, 3);
	CHECK_INT(a.n_with_value, 2);
	CHECK_NEAR(a.eta, 0.6, 1e-12);
	CHECK_NEAR(a.equivalent_hours, 250.0 / 450.0, 1e-12);

	/* The station target is inclusive: 216 / 360 = 0.6 meets 0.6; 215 / 360 does not. */
	struct efficiency_station_figure edge[2] = {
	    {.capacity_kwp = 100, .energy_kwh = 216, .e_act_kwh = 216, .e_th_kwh = 360, .grade = 1},
	    {.capacity_kwp = 100, .energy_kwh = 215, .e_act_kwh = 215, .e_th_kwh = 360, .grade = 1},
	};
	efficiency_aggregate(edge, 2, 0.6, 0.8, &a);
	CHECK_INT(a.n_meeting_target, 1);
	CHECK_NEAR(a.share_meeting_target, 0.5, 1e-12);

	/* A county meeting 0.8: 170 + 250 = 420 of 200 + 300 = 500 kWh gives 0.84. */
	struct efficiency_station_figure good[2] = {
	    {.capacity_kwp = 100, .energy_kwh = 170, .e_act_kwh = 170, .e_th_kwh = 200, .grade = 1},
	    {.capacity_kwp = 150, .energy_kwh = 250, .e_act_kwh = 250, .e_th_kwh = 300, .grade = 2},
	};
	efficiency_aggregate(good, 2, 0.6, 0.8, &a);
	CHECK_NEAR(a.eta, 0.84, 1e-12);
	CHECK_INT(a.meets_group_target, 1);
	CHECK_NEAR(a.share_meeting_target, 1.0, 1e-12);

	/* Nothing with a value: every ratio is NAN and the target is not met. */
	efficiency_aggregate(st + 2, 1, 0.6, 0.8, &a);
	CHECK_INT(a.n_with_value, 0);
	CHECK(isnan(a.eta));
	CHECK(isnan(a.share_meeting_target));
	CHECK_INT(a.meets_group_target, 0);
	efficiency_aggregate(NULL, 0, 0.6, 0.8, &a);
	CHECK(isnan(a.eta));
	CHECK(isnan(a.equivalent_hours));
}

static void test_window_to_aggregate(void)
{
	/* Two stations through efficiency_window: the six-hour day above (eta 0.8333 on 360 kWh)
	 * and the same light on a 200 kWp station making 360 kWh (E_th 720, eta 0.5). County:
	 * 660 / 1080 = 0.6111; the mean of ratios would be 0.6667. */
	struct efficiency_sample s[6];
	size_t n = day_samples(s);
	struct efficiency_params p;
	struct efficiency_window w;
	struct efficiency_station_figure fig[2];
	efficiency_params_default(&p, 100);
	efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w);
	efficiency_station_figure_from(&p, &w, &fig[0]);
	for (size_t i = 0; i < n; i++)
		s[i].energy_wh = 60000;
	efficiency_params_default(&p, 200);
	efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w);
	efficiency_station_figure_from(&p, &w, &fig[1]);
	CHECK_NEAR(fig[1].e_th_kwh, 720, 1e-9);
	struct efficiency_aggregate a;
	efficiency_aggregate(fig, 2, 0.6, 0.8, &a);
	CHECK_NEAR(a.eta, 660.0 / 1080.0, 1e-12);
	CHECK_NEAR(a.equivalent_hours, 660.0 / 300.0, 1e-12);
	CHECK_INT(a.n_meeting_target, 1);
}

static void test_gap_energy(void)
{
	/* The six-hour day (50 kWh an hour, E_th 60 kWh an hour on POA 750) with an outage in
	 * hour 3 (no energy, no irradiance) whose 50 kWh arrive with hour 4's reading: hour 4
	 * holds 100 kWh, all of it marked as following a gap. Energy and yield count all 300
	 * kWh; eta pairs only hours 0, 1, 2 and 5: 200 / 240 = 0.8333, not 300 / 300 = 1. */
	struct efficiency_sample s[6];
	size_t n = day_samples(s);
	s[3].have = 0;
	s[4].energy_wh = 100000;
	s[4].gap_energy_wh = 100000;
	struct efficiency_params p;
	struct efficiency_window w;
	efficiency_params_default(&p, 100);
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w), 0);
	CHECK_NEAR(w.energy_kwh, 300, 1e-9);
	CHECK_NEAR(w.yf_h, 3.0, 1e-12);
	CHECK_NEAR(w.e_act_kwh, 200, 1e-9);
	CHECK_NEAR(w.e_th_kwh, 240, 1e-9);
	CHECK_NEAR(w.eta, 200.0 / 240.0, 1e-12);
	/* Coverage: 4 of 6 hours paired. */
	CHECK_NEAR(w.coverage, 4.0 / 6.0, 1e-12);
}

static void test_absent_share(void)
{
	/* Hour 3 holds only one of two equal inverters' energy (25 kWh of 50): its E_th counts
	 * half the station (30 kWh), so eta stays 0.8333 everywhere; PR likewise. Coverage says
	 * half of hour 3 was measured; hour 4's energy, estimated for half the station, counts
	 * in eta but not in coverage. */
	struct efficiency_sample s[6];
	size_t n = day_samples(s);
	struct efficiency_params p;
	struct efficiency_window clean, w;
	efficiency_params_default(&p, 100);
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &clean), 0);
	s[3].energy_wh = 25000;
	s[3].absent_share = 0.5;
	s[4].estimated_share = 0.5;
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w), 0);
	CHECK_NEAR(w.eta, clean.eta, 1e-12);
	CHECK_NEAR(w.pr, clean.pr, 1e-12);
	CHECK_NEAR(w.e_th_kwh, clean.e_th_kwh - 30, 1e-9);
	CHECK_NEAR(w.coverage, 5.0 / 6.0, 1e-12);
	CHECK_NEAR(w.eta_coverage, 5.5 / 6.0, 1e-12);
	/* A sample with every inverter absent is not paired at all. */
	s[3].absent_share = 1;
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w), 0);
	CHECK_NEAR(w.e_th_kwh, clean.e_th_kwh - 60, 1e-9);
}

static void test_curtailment(void)
{
	/* Hours 2 and 3: one inverter of two (half the station) held to 10 kWh an hour of its
	 * 25: energy counts 270 kWh, eta and PR stay the clean day's (0.8333, 50 / 60 kWh an
	 * hour), and the loss is PR x P_stc x the curtailed half's POA less what it made:
	 * 2 x (0.6667 x 100 x 0.75 / 2 - 10) = 30 kWh. */
	struct efficiency_sample s[6];
	size_t n = day_samples(s);
	struct efficiency_params p;
	struct efficiency_window clean, w;
	efficiency_params_default(&p, 100);
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &clean), 0);
	CHECK_NEAR(clean.curtailment_loss_kwh, 0, 0);
	for (int h = 2; h <= 3; h++) {
		s[h].energy_wh = 35000;
		s[h].curtailed_share = 0.5;
		s[h].curtailed_energy_wh = 10000;
	}
	CHECK_INT(efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w), 0);
	CHECK_NEAR(w.energy_kwh, 270, 1e-9);
	CHECK_NEAR(w.eta, clean.eta, 1e-12);
	CHECK_NEAR(w.pr, clean.pr, 1e-12);
	CHECK_NEAR(w.curtailed_kwh, 20, 1e-9);
	CHECK_NEAR(w.curtailed_eth_kwh, 60, 1e-9);
	CHECK_NEAR(w.curtailment_loss_kwh, 2 * (clean.pr * 100 * 0.75 / 2 - 10), 1e-9);
	CHECK_NEAR(w.curtailment_loss_kwh, 30, 1e-9);
	/* Curtailed time was measured: coverage stays whole. */
	CHECK_NEAR(w.coverage, clean.coverage, 1e-12);
}

static void test_spread_gaps(void)
{
	enum {
		M = EFFICIENCY_SLOT_MISSING,
		S = EFFICIENCY_SLOT_SEEN,
		F = EFFICIENCY_SLOT_FILLED,
		U = EFFICIENCY_SLOT_UNSHARED
	};
	static const struct {
		const char *what;
		int state[6];
		double energy[6], weight[6];
		long missing_before;
		int want_state[6];
		double want_energy[6];
	} cases[] = {
	    {"no gap: nothing moves",
	     {S, S, S, S, S, S},
	     {1, 2, 3, 4, 5, 6},
	     {1, 1, 1, 1, 1, 1},
	     0,
	     {S, S, S, S, S, S},
	     {1, 2, 3, 4, 5, 6}},
	    {"a two-slot gap shares the catch-up by irradiance",
	     {S, M, M, S, S, S},
	     {1, 0, 0, 80, 5, 6},
	     {1, 2, 4, 2, 1, 1},
	     0,
	     {S, F, F, S, S, S},
	     {1, 20, 40, 20, 5, 6}},
	    {"irradiance missing in the gap is interpolated from its neighbours",
	     {S, M, M, S, S, S},
	     {2, 0, 0, 90, 1, 1},
	     {2, NAN, NAN, 5, 1, 1},
	     0,
	     {S, F, F, S, S, S},
	     {2, 90.0 * 3 / 12, 90.0 * 4 / 12, 90.0 * 5 / 12, 1, 1}},
	    {"a gap beginning with the slots (the one before was read)",
	     {M, S, S, S, S, S},
	     {0, 30, 1, 1, 1, 1},
	     {1, 2, 1, 1, 1, 1},
	     0,
	     {F, S, S, S, S, S},
	     {10, 20, 1, 1, 1, 1}},
	    {"a gap running on from before the slots: its earlier share is unknown",
	     {M, S, S, S, S, S},
	     {0, 30, 1, 1, 1, 1},
	     {1, 2, 1, 1, 1, 1},
	     1,
	     {M, U, S, S, S, S},
	     {0, 30, 1, 1, 1, 1}},
	    {"a gap that began before the slots: its share is unknown",
	     {M, S, S, M, S, M},
	     {0, 30, 1, 0, 8, 0},
	     {1, 1, 1, 1, 3, 1},
	     -1,
	     {M, U, S, F, S, M},
	     {0, 30, 1, 2, 6, 0}},
	    {"no light at all: shared by time",
	     {S, M, M, S, M, M},
	     {0, 0, 0, 3, 0, 0},
	     {0, 0, 0, 0, 0, 0},
	     0,
	     {S, F, F, S, M, M},
	     {0, 1, 1, 1, 0, 0}},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct efficiency_inv_slot x[6];
		for (int i = 0; i < 6; i++) {
			x[i].state = (enum efficiency_slot_state)cases[c].state[i];
			x[i].energy_wh = cases[c].energy[i];
		}
		efficiency_spread_gaps(x, 6, cases[c].missing_before, cases[c].weight);
		double sum_in = 0, sum_out = 0;
		for (int i = 0; i < 6; i++) {
			sum_in += cases[c].energy[i];
			sum_out += x[i].energy_wh;
			CHECK_REPORT_((int)x[i].state == cases[c].want_state[i],
				      "%s: slot %d state %d, want %d", cases[c].what, i,
				      (int)x[i].state, cases[c].want_state[i]);
			CHECK_REPORT_(fabs(x[i].energy_wh - cases[c].want_energy[i]) < 1e-9,
				      "%s: slot %d energy %g, want %g", cases[c].what, i,
				      x[i].energy_wh, cases[c].want_energy[i]);
		}
		CHECK_REPORT_(fabs(sum_in - sum_out) < 1e-9, "%s: energy not kept (%g, %g)",
			      cases[c].what, sum_in, sum_out);
	}
}

static void test_peers(void)
{
	/* The six-hour day above on a 100 kWp station: 300 kWh, Y_f 3.0 h. Peers' median Y_f
	 * 4.0 h (5 peers). As a record only: the ratio 3 / 4 = 0.75, eta stays 300 / 360. */
	struct efficiency_sample s[6];
	size_t n = day_samples(s);
	struct efficiency_params p;
	struct efficiency_window w;
	efficiency_params_default(&p, 100);
	efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w);
	struct irradiance_peer_result r = {.expected_yf_h = 4.0, .ratio = 0.75, .n_used = 5};
	efficiency_apply_peers(&p, &r, 0, &w);
	CHECK_NEAR(w.peer_yf_h, 4.0, 1e-12);
	CHECK_NEAR(w.peer_ratio, 0.75, 1e-12);
	CHECK_INT(w.peer_n, 5);
	CHECK_NEAR(w.eta, 300.0 / 360.0, 1e-12);
	CHECK_INT(w.source, IRRADIANCE_SENSOR);
	CHECK_NEAR(w.pr, 300.0 / 100.0 / 4.5, 1e-12);

	/* As the source: H = 4.0 / 0.8 = 5 kWh/m2, E_th = 5 x 100 x 0.8 = 400 kWh, eta =
	 * 300 / 400 = 0.75 over all the energy; grade 4, PR and irradiation unknown, and an
	 * estimate is never judgeable. */
	efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w);
	efficiency_apply_peers(&p, &r, 1, &w);
	CHECK_INT(w.source, IRRADIANCE_PEER);
	CHECK_INT(w.grade, IRRADIANCE_GRADE_PEER);
	CHECK_NEAR(w.e_th_kwh, 400, 1e-9);
	CHECK_NEAR(w.e_act_kwh, 300, 1e-9);
	CHECK_NEAR(w.eta, 0.75, 1e-12);
	CHECK(isnan(w.pr) && isnan(w.pr_stc) && isnan(w.h_poa_kwh_m2) && isnan(w.yr_h));
	CHECK_INT(w.judgeable, 0);

	/* K 0.75 on a 60 kWp station with Y_f 3.0: E_th is still median Y_f x P_stc = 240 kWh
	 * (H = 4 / 0.75), so eta is the ratio whatever K is. */
	efficiency_params_default(&p, 60);
	p.k_coeff = 0.75;
	for (size_t i = 0; i < n; i++)
		s[i].energy_wh = 30000; /* 180 kWh, Y_f 3.0 */
	efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w);
	efficiency_apply_peers(&p, &r, 1, &w);
	CHECK_NEAR(w.e_th_kwh, 240, 1e-9);
	CHECK_NEAR(w.eta, 0.75, 1e-12);

	/* No median (too few peers): nothing recorded, and a window meant to use the peers
	 * keeps its own figures and source. */
	efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w);
	double eta = w.eta;
	efficiency_apply_peers(&p, NULL, 1, &w);
	CHECK(isnan(w.peer_yf_h) && isnan(w.peer_ratio));
	CHECK_INT(w.peer_n, 0);
	CHECK_NEAR(w.eta, eta, 1e-12);
	CHECK_INT(w.source, IRRADIANCE_SENSOR);

	/* A station with no energy: a median but no ratio and no eta. */
	for (size_t i = 0; i < n; i++)
		s[i].have &= ~(unsigned)E;
	efficiency_window(&p, T0, T0 + 6 * HOUR, s, n, &w);
	efficiency_apply_peers(&p, &r, 1, &w);
	CHECK_NEAR(w.peer_yf_h, 4.0, 1e-12);
	CHECK(isnan(w.peer_ratio) && isnan(w.eta));
}

static void test_month_to_date(void)
{
	/* 2024-03-15 12:00 +08:00 is in the local month that began 2024-03-01 00:00 +08:00 =
	 * 1709222400. 2024-02-29 20:00 UTC is already 1 March 04:00 in China. */
	CHECK_NEAR(efficiency_month_start_s(1710475200, 8 * 3600), 1709222400, 0);
	CHECK_NEAR(efficiency_month_start_s(1709236800, 8 * 3600), 1709222400, 0);
	CHECK_NEAR(efficiency_month_start_s(1709222400, 8 * 3600), 1709222400, 0);
	CHECK_NEAR(efficiency_month_start_s(1709222399, 8 * 3600), 1709222400 - 29 * 86400, 0);

	static const struct {
		const char *what;
		double e_act12, e_th12, e_act34, e_th34;
		int want_known, want_risk, want_alert;
	} cases[] = {
	    /* 0.85 overall: not at risk. */
	    {"on target", 85, 100, 0, 0, 1, 0, 0},
	    /* (85 + 50) / (100 + 100) = 0.675: at risk, but the grade 1-2 figures alone say
	     * 0.85, so no alert. */
	    {"low only on grade 3-4 figures", 85, 100, 50, 100, 1, 1, 0},
	    /* (70 + 50) / 200 = 0.6, grade 1-2 alone 0.7: alert. */
	    {"low on measured figures too", 70, 100, 50, 100, 1, 1, 1},
	    /* Grade 3-4 only, 0.5: at risk, nothing to confirm it. */
	    {"only estimates", NAN, NAN, 50, 100, 1, 1, 0},
	    {"nothing", NAN, NAN, NAN, NAN, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct efficiency_station_figure st[2] = {
		    {.capacity_kwp = 100,
		     .e_act_kwh = cases[i].e_act12,
		     .e_th_kwh = cases[i].e_th12,
		     .energy_kwh = cases[i].e_act12,
		     .grade = 1},
		    {.capacity_kwp = 100,
		     .e_act_kwh = cases[i].e_act34,
		     .e_th_kwh = cases[i].e_th34,
		     .energy_kwh = cases[i].e_act34,
		     .grade = 3},
		};
		struct efficiency_aggregate mtd;
		struct efficiency_risk r;
		efficiency_aggregate(st, 2, 0.6, 0.8, &mtd);
		efficiency_county_risk(&mtd, 0.8, &r);
		if (r.known != cases[i].want_known || r.at_risk != cases[i].want_risk ||
		    r.alertable != cases[i].want_alert)
			fprintf(stderr, "case: %s\n", cases[i].what);
		CHECK_INT(r.known, cases[i].want_known);
		CHECK_INT(r.at_risk, cases[i].want_risk);
		CHECK_INT(r.alertable, cases[i].want_alert);
	}
}

static void test_from_config(void)
{
	/* The county's settings and a station's own K and geometry reach the parameters. */
	struct config cfg;
	struct config_station st;
	memset(&cfg, 0, sizeof cfg);
	memset(&st, 0, sizeof st);
	cfg.utc_offset_s = 8 * 3600;
	cfg.efficiency.basis = CONFIG_BASIS_HORIZONTAL;
	cfg.efficiency.transposition = CONFIG_TRANSPOSITION_ISOTROPIC;
	cfg.efficiency.k_default = 0.8;
	cfg.efficiency.linke_turbidity = 4.5;
	cfg.alerts.min_irradiance_w_m2 = 250;
	cfg.alerts.min_irradiation_kwh_m2 = 2.0;
	st.capacity_kwp = 120;
	st.k_coeff = 0.78;
	st.tilt_deg = 22;
	st.azimuth_deg = 170;
	st.albedo = 0.25;
	st.monthly_irradiation_kwh_m2[5] = 130;

	struct efficiency_params p;
	efficiency_params_from_config(&cfg, &st, &p);
	CHECK_NEAR(p.capacity_kwp, 120, 0);
	CHECK_NEAR(p.k_coeff, 0.78, 0);
	CHECK_INT(p.basis, EFFICIENCY_BASIS_HORIZONTAL);
	CHECK_NEAR(p.judge_min_irradiance_w_m2, 250, 0);
	CHECK_NEAR(p.judge_min_irradiation_kwh_m2, 2.0, 0);
	CHECK_NEAR(p.gamma_per_c, -0.004, 0);
	cfg.efficiency.basis = CONFIG_BASIS_POA;
	st.k_coeff = 0; /* unset: the county default */
	efficiency_params_from_config(&cfg, &st, &p);
	CHECK_INT(p.basis, EFFICIENCY_BASIS_POA);
	CHECK_NEAR(p.k_coeff, 0.8, 0);

	struct irradiance_site site;
	irradiance_site_from_config(&cfg, &st, &site);
	CHECK_INT(site.transposition, SOLAR_ISOTROPIC);
	CHECK_NEAR(site.linke_turbidity, 4.5, 0);
	CHECK_NEAR(site.tilt_deg, 22, 0);
	CHECK_NEAR(site.azimuth_deg, 170, 0);
	CHECK_NEAR(site.albedo, 0.25, 0);
	CHECK_NEAR(site.monthly_irradiation_kwh_m2[5], 130, 0);
	CHECK_INT(site.utc_offset_s, 8 * 3600);
	cfg.efficiency.transposition = CONFIG_TRANSPOSITION_HAY_DAVIES;
	irradiance_site_from_config(&cfg, &st, &site);
	CHECK_INT(site.transposition, SOLAR_HAY_DAVIES);
}

/* An active power limit curtails only below both the rating and a permanent export cap: a
 * limit at or above the cap is the cap, which is configuration, not curtailment. */
static void test_limit_curtails(void)
{
	static const struct {
		double limit_w, rated_w, export_w;
		int want;
	} cases[] = {
	    {15000, 50000, 0, 1},      /* 30% of the rating, no cap */
	    {50000, 50000, 0, 0},      /* 100%: no limit */
	    {60000, 50000, 0, 0},      /* above the rating */
	    {30000, 100000, 30000, 0}, /* at the export cap */
	    {40000, 100000, 30000, 0}, /* above the cap, below the rating */
	    {20000, 100000, 30000, 1}, /* below the cap */
	    {20000, 0, 0, 1},	       /* rating unknown: any limit */
	    {20000, 0, 30000, 1},      /* rating unknown, below the cap */
	    {NAN, 50000, 0, 0},	       /* no limit known */
	    {0, 50000, 0, 1},	       /* held at zero (a dispatch order to stop) */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(efficiency_limit_curtails(cases[i].limit_w, cases[i].rated_w,
						    cases[i].export_w),
			  cases[i].want);
}

/* A power limit an inverter reports: a percentage of its rating, curtailment below 98% unless
 * it is the inverter's part of the station's export cap. */
static void test_reported_limit_curtails(void)
{
	static const struct {
		double pct, rated_w, cap_w;
		int want;
	} cases[] = {
	    {50, 50000, 0, 1},	   /* half the rating */
	    {100, 50000, 0, 0},	   /* not derated */
	    {99, 50000, 0, 0},	   /* within the margin: rounding, a ramp's end */
	    {97.9, 50000, 0, 1},   /* beyond it */
	    {0, 50000, 0, 1},	   /* an order to stop */
	    {50, 0, 0, 1},	   /* rating unknown: the percentage says it */
	    {50, 50000, 25000, 0}, /* exactly its part of the export cap: configuration */
	    {60, 50000, 25000, 0}, /* above its part of the cap */
	    {40, 50000, 25000, 1}, /* below the cap too */
	    {NAN, 50000, 0, 0},	   /* no limit known */
	    {-5, 50000, 0, 0},	   /* nonsense */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(efficiency_reported_limit_curtails(cases[i].pct, cases[i].rated_w,
							     cases[i].cap_w),
			  cases[i].want);
}

/* Whether a sensor's readings cover a slot whole: enough of them to span it at the cap of two
 * polling intervals each. */
static void test_sensor_whole(void)
{
	static const struct {
		int readings;
		double interval_s;
		int want;
	} cases[] = {
	    {5, 60, 1},	 /* every minute */
	    {3, 60, 1},	 /* 3 x 120 s spans 300 s */
	    {2, 60, 0},	 /* 240 s: part of the slot */
	    {0, 60, 0},	 /* none */
	    {1, 150, 1}, /* one reading at a 150 s interval spans it */
	    {1, 120, 0}, /* 240 s */
	    {-1, 60, 0}, /* nonsense */
	    {3, NAN, 0}, /* no interval */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(efficiency_sensor_whole(cases[i].readings, cases[i].interval_s),
			  cases[i].want);
}

/* A source's coverage: over the daylight slots with energy, or over all daylight slots when
 * none has energy. */
static void test_source_coverage(void)
{
	/* Six slots: night, then five daylight ones; energy in the last three. */
	static const unsigned char day[6] = {0, 1, 1, 1, 1, 1};
	static const unsigned char energy[6] = {1, 0, 0, 1, 1, 1};
	static const unsigned char none[6] = {0};
	static const struct {
		const char *what;
		unsigned char have[6];
		const unsigned char *energy;
		double want;
	} cases[] = {
	    {"all", {1, 1, 1, 1, 1, 1}, energy, 1.0},
	    {"only the slots without energy", {1, 1, 1, 0, 0, 0}, energy, 0.0},
	    {"two of the three paired", {0, 0, 0, 1, 0, 1}, energy, 2.0 / 3},
	    {"the night slot does not count", {1, 0, 0, 0, 0, 0}, energy, 0.0},
	    {"no energy: every daylight slot", {0, 1, 1, 0, 0, 1}, none, 3.0 / 5},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double c = efficiency_source_coverage(day, cases[i].energy, cases[i].have, 6);
		if (fabs(c - cases[i].want) > 1e-12)
			printf("%s: %g\n", cases[i].what, c);
		CHECK_NEAR(c, cases[i].want, 1e-12);
	}
	static const unsigned char dark[6] = {0};
	CHECK_NEAR(efficiency_source_coverage(dark, energy, day, 6), 0, 0);
	CHECK_INT(efficiency_daylight_slots(day, 6), 5);
	CHECK_INT(efficiency_daylight_slots(dark, 6), 0);
}

int main(void)
{
	test_sensor_whole();
	test_source_coverage();
	test_limit_curtails();
	test_reported_limit_curtails();
	test_from_config();
	test_theoretical();
	test_window_basis();
	test_pr_stc();
	test_missing_and_night();
	test_clipping();
	test_judgeable();
	test_aggregate();
	test_window_to_aggregate();
	test_gap_energy();
	test_absent_share();
	test_spread_gaps();
	test_curtailment();
	test_peers();
	test_month_to_date();
	return check_summary();
}
