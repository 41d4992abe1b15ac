/* The simulator's physical model against values checked by hand: night, a clear June noon near
 * 31.5 N, soiling, clipping, the tick integration of energy and the midnight reset. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "physics.h"
#include "pvrelief/config.h"
#include "pvrelief/reading.h"
#include "sim.h"
#include "state.h"

/* Unix time of local (UTC+8) 2026-06-DD HH:MM. */
static double june(int day, int hour, int minute)
{
	double t;
	char text[40];
	snprintf(text, sizeof text, "2026-06-%02d %02d:%02d:00+08:00", day, hour, minute);
	if (config_parse_time(text, &t) != 0)
		return 0;
	return t;
}

static struct config_device devs[3] = {
    {.id = (char[]){"inv1"}, .role = CONFIG_INVERTER, .rated_power_w = 100000},
    {.id = (char[]){"inv2"}, .role = CONFIG_INVERTER, .rated_power_w = 20000},
    {.id = (char[]){"met"}, .role = CONFIG_SENSOR},
};
/* 100 kWp, two inverters: a 50 kW DC share each. */
static struct config_station st = {.id = (char[]){"test-01"},
				   .lat_deg = 31.5,
				   .lon_deg = 117.0,
				   .altitude_m = 50,
				   .capacity_kwp = 100,
				   .tilt_deg = 25,
				   .azimuth_deg = 180,
				   .albedo = 0.2,
				   .devices = devs,
				   .n_devices = 3};
static struct config cfg = {.utc_offset_s = 8 * 3600,
			    .efficiency = {.linke_turbidity = 3.5},
			    .stations = &st,
			    .n_stations = 1};

static void test_night_and_noon(void)
{
	struct physics_env env;
	physics_env(&st, 3.5, cfg.utc_offset_s, june(21, 0, 30), &env);
	CHECK(env.elevation_deg < -30);
	CHECK_NEAR(env.poa_w_m2, 0, 0);
	CHECK_NEAR(physics_device_ac_w(&cfg, &st, &devs[0], 1.0, june(21, 0, 30)), 0, 0);
	/* At 03:00 the diurnal curve is at its minimum of 7 C. */
	physics_env(&st, 3.5, cfg.utc_offset_s, june(21, 3, 0), &env);
	CHECK_NEAR(env.air_temp_c, 7.0, 1e-9);

	/* Solar noon at 117 E in UTC+8 on 21 June is near 12:13; the sun is 82 deg high. */
	double noon = june(21, 12, 13);
	physics_env(&st, 3.5, cfg.utc_offset_s, noon, &env);
	CHECK_NEAR(env.elevation_deg, 90 - 31.5 + 23.44, 0.3);
	CHECK(env.weather >= 0.85 && env.weather <= 1.0);
	/* Clear-sky GHI near 1000 W/m2 at that elevation with TL 3.5; a 25 deg south-facing array
	 * gets a little less than GHI in June (the sun is north of its normal). */
	CHECK(env.ghi_w_m2 / env.weather > 900 && env.ghi_w_m2 / env.weather < 1080);
	CHECK(env.poa_w_m2 < env.ghi_w_m2 && env.poa_w_m2 > 0.85 * env.ghi_w_m2);
	/* Sandia: T_m = POA e^(-3.56 - 0.075 x 2) + T_air, T_c = T_m + 3 POA/1000. */
	double tm = env.poa_w_m2 * exp(-3.56 - 0.15) + env.air_temp_c;
	CHECK_NEAR(env.module_temp_c, tm, 1e-9);
	CHECK_NEAR(env.cell_temp_c, tm + 3.0 * env.poa_w_m2 / 1000.0, 1e-9);

	/* The documented formula, written out. */
	double dc = 50000.0 * env.poa_w_m2 / 1000.0 * (1 - 0.004 * (env.cell_temp_c - 25.0));
	double ac = physics_device_ac_w(&cfg, &st, &devs[0], 1.0, noon);
	CHECK_NEAR(ac, dc * 0.97, 1e-6);
	/* About 40 kW from a 50 kW share on a clear June noon (0.75-1.0 of the share). */
	CHECK(ac > 0.70 * 50000 && ac < 0.97 * 50000);
}

static void test_health_and_clipping(void)
{
	double noon = june(21, 12, 13);
	double full = physics_device_ac_w(&cfg, &st, &devs[0], 1.0, noon);
	double soiled = physics_device_ac_w(&cfg, &st, &devs[0], 0.5, noon);
	CHECK_NEAR(soiled / full, 0.5, 1e-12);
	/* inv2 is rated 20 kW: clipped at noon, not at 07:00. */
	CHECK_NEAR(physics_device_ac_w(&cfg, &st, &devs[1], 1.0, noon), 20000, 1e-9);
	double morning = physics_device_ac_w(&cfg, &st, &devs[1], 1.0, june(21, 7, 0));
	CHECK(morning > 0 && morning < 20000);
	/* No rating configured: the DC share / 1.1. */
	struct config_device unrated = {.id = (char[]){"x"}, .role = CONFIG_INVERTER};
	CHECK_NEAR(physics_rated_w(&st, &unrated), 50000 / 1.1, 1e-9);
	CHECK_INT(physics_inverter_count(&st), 2);
	CHECK_NEAR(physics_share_w(&st), 50000, 1e-9);
}

static void test_weather(void)
{
	double a = physics_weather_factor("test-01", june(21, 9, 0), 8 * 3600);
	double b = physics_weather_factor("test-01", june(21, 17, 0), 8 * 3600);
	CHECK_NEAR(a, b, 0); /* one value all day */
	int differ = 0;
	for (int d = 1; d <= 30; d++) {
		double w = physics_weather_factor("test-01", june(d, 12, 0), 8 * 3600);
		CHECK(w >= 0.85 && w <= 1.0);
		differ += fabs(w - a) > 1e-6;
	}
	CHECK(differ > 20);
}

/* A one-device simulation for the tick integration. */
static void sim_one(struct sim *sim, struct sim_device *d, const struct config_device *dev)
{
	memset(sim, 0, sizeof *sim);
	memset(d, 0, sizeof *d);
	sim->cfg = &cfg;
	sim->devices = d;
	sim->n_devices = 1;
	d->st = &st;
	d->dev = dev;
	d->share_w = physics_share_w(&st);
	d->rated_w = physics_rated_w(&st, dev);
	d->fault.health = 1.0;
	pthread_mutex_init(&d->lock, NULL);
}

static void test_energy_integration(void)
{
	struct sim sim;
	struct sim_device d;
	sim_one(&sim, &d, &devs[0]);
	double t0 = june(21, 10, 0);
	state_init(&sim, t0);
	double start = d.lifetime_wh;
	/* Ticks of 200 ms at rate 60: 12 clock seconds. */
	for (double t = t0 + 12; t <= t0 + 3600 + 1e-6; t += 12)
		state_advance(&sim, t);
	double sum = 0;
	for (int s = 0; s <= 3600; s++)
		sum += physics_device_ac_w(&cfg, &st, &devs[0], 1.0, t0 + s);
	double mean_w = sum / 3601;
	CHECK(mean_w > 10000);
	CHECK_NEAR(d.lifetime_wh - start, mean_w * 1.0, 0.01 * mean_w);
	CHECK_NEAR(physics_energy_wh(&cfg, &st, &devs[0], 1.0, t0, t0 + 3600, 120), mean_w,
		   0.01 * mean_w);

	/* Energy since midnight at start: a plausible share of the day, not over 14 h x P. */
	CHECK(d.today_wh > 50000.0 * 1.5 && d.today_wh < 50000.0 * 14);
	/* The lifetime counter starts near 3 years x 1,100 h x 50 kW. */
	CHECK(start > 0.9 * 50 * 1100 * 3 * 1000 &&
	      start < 1.1 * 50 * 1100 * 3 * 1000 + d.today_wh);

	/* A fault stops production and energy. */
	d.fault.fault = 1;
	double before = d.lifetime_wh;
	state_advance(&sim, t0 + 3600 + 600);
	struct reading r;
	state_reading(&d, &r);
	CHECK_INT(r.state, INV_STATE_FAULT);
	CHECK_NEAR(r.value[RF_POWER_W], 0, 0);
	CHECK(d.lifetime_wh - before < d.rated_w * 300 / 3600.0); /* only the ramp down */
	pthread_mutex_destroy(&d.lock);
}

static void test_midnight(void)
{
	struct sim sim;
	struct sim_device d;
	sim_one(&sim, &d, &devs[0]);
	double t0 = june(21, 23, 0);
	state_init(&sim, t0);
	double today = d.today_wh, lifetime = d.lifetime_wh;
	CHECK(today > 100000);
	state_advance(&sim, june(22, 0, 30));
	CHECK_NEAR(d.today_wh, 0, 1e-9);
	CHECK_NEAR(d.lifetime_wh, lifetime, 1e-9);
	struct reading r;
	state_reading(&d, &r);
	CHECK_INT(r.state, INV_STATE_SLEEPING);
	pthread_mutex_destroy(&d.lock);
}

static void test_readings(void)
{
	struct sim sim;
	struct sim_device d;
	sim_one(&sim, &d, &devs[2]);
	state_init(&sim, june(21, 12, 0));
	struct reading r;
	state_reading(&d, &r);
	CHECK(reading_has(&r, RF_POA_W_M2) && reading_has(&r, RF_GHI_W_M2));
	CHECK_NEAR(r.value[RF_POA_W_M2], d.env.poa_w_m2, 1e-9);
	CHECK_NEAR(r.value[RF_WIND_M_S], 2.0, 1e-9);
	d.fault.sentinel = 1;
	state_reading(&d, &r);
	CHECK(!reading_has(&r, RF_POA_W_M2) && (r.sentinel & 1u << RF_POA_W_M2));
	pthread_mutex_destroy(&d.lock);

	sim_one(&sim, &d, &devs[0]);
	state_init(&sim, june(21, 12, 0));
	state_choose_scales(&d);
	d.fault.garbage = 1;
	state_reading(&d, &r);
	CHECK(r.value[RF_POWER_W] >= 2.9 * d.rated_w);
	CHECK(r.value[RF_ENERGY_TOTAL_WH] > d.lifetime_wh + 0.9e9);
	/* The chosen scales hold garbage too: 4 x 100 kW needs W_SF 2 (int16 x 100). */
	CHECK_INT(d.scales.w, 2);
	pthread_mutex_destroy(&d.lock);
}

int main(void)
{
	test_night_and_noon();
	test_health_and_clipping();
	test_weather();
	test_energy_integration();
	test_midnight();
	test_readings();
	return check_summary();
}
