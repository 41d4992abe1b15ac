#include "physics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pvrelief/config.h"
#include "pvrelief/solar.h"

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* Maps a hash to [0, 1]. The low bits of FNV-1a vary least for similar keys, so mix first. */
static double hash_unit(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return (double)(h % 100001u) / 100000.0;
}

int64_t physics_local_day(double t_unix, int utc_offset_s)
{
	return (int64_t)floor((t_unix + utc_offset_s) / 86400.0);
}

double physics_weather_factor(const char *station_id, double t_unix, int utc_offset_s)
{
	time_t day_start = (time_t)(physics_local_day(t_unix, utc_offset_s) * 86400);
	struct tm tm;
	gmtime_r(&day_start, &tm);
	char key[160];
	snprintf(key, sizeof key, "%s|%04d-%02d-%02d", station_id, tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
	double u = hash_unit(fnv1a(key));
	return 1.0 - 0.15 * u * u;
}

void physics_env(const struct config_station *st, double linke_turbidity, int utc_offset_s,
		 double t_unix, struct physics_env *env)
{
	memset(env, 0, sizeof *env);
	env->t_unix = t_unix;
	double local_h = fmod((t_unix + utc_offset_s) / 3600.0, 24.0);
	if (local_h < 0)
		local_h += 24.0;
	env->air_temp_c = 15.0 + 8.0 * sin(2.0 * M_PI * (local_h - 9.0) / 24.0);
	env->wind_m_s = PHYSICS_WIND_M_S;
	env->weather = physics_weather_factor(st->id, t_unix, utc_offset_s);

	struct solar_position sp;
	if (solar_position(t_unix, st->lat_deg, st->lon_deg, st->altitude_m,
			   solar_pressure_hpa(st->altitude_m), 15.0, SOLAR_DELTA_T_DEFAULT_S,
			   &sp) == 0) {
		env->elevation_deg = sp.elevation_deg;
		struct solar_irradiance clear;
		solar_clearsky_ineichen(&sp, st->altitude_m, linke_turbidity, &clear);
		clear.ghi_w_m2 *= env->weather;
		clear.dni_w_m2 *= env->weather;
		clear.dhi_w_m2 *= env->weather;
		env->ghi_w_m2 = clear.ghi_w_m2;
		env->dni_w_m2 = clear.dni_w_m2;
		env->dhi_w_m2 = clear.dhi_w_m2;
		env->poa_w_m2 = solar_poa_w_m2(SOLAR_HAY_DAVIES, &clear, &sp, st->tilt_deg,
					       st->azimuth_deg, st->albedo);
	} else {
		env->elevation_deg = -90.0;
	}
	env->module_temp_c =
	    solar_module_temp_c(env->poa_w_m2, env->air_temp_c, env->wind_m_s,
				SOLAR_SANDIA_OPEN_RACK_A, SOLAR_SANDIA_OPEN_RACK_B);
	env->cell_temp_c =
	    solar_cell_temp_c(env->module_temp_c, env->poa_w_m2, SOLAR_SANDIA_OPEN_RACK_DT_C);
}

int physics_inverter_count(const struct config_station *st)
{
	int n = 0;
	for (size_t i = 0; i < st->n_devices; i++)
		if (st->devices[i].role == CONFIG_INVERTER)
			n++;
	return n > 0 ? n : 1;
}

double physics_share_w(const struct config_station *st)
{
	return st->capacity_kwp * 1000.0 / physics_inverter_count(st);
}

double physics_rated_w(const struct config_station *st, const struct config_device *dev)
{
	if (dev->rated_power_w > 0)
		return dev->rated_power_w;
	return physics_share_w(st) / PHYSICS_DC_TO_RATED;
}

double physics_dc_w(const struct physics_env *env, double share_w, double health)
{
	double dc = share_w * env->poa_w_m2 / 1000.0 *
		    (1.0 + PHYSICS_GAMMA_PER_C * (env->cell_temp_c - 25.0)) * health;
	return dc > 0 ? dc : 0;
}

double physics_ac_w(double dc_w, double rated_w)
{
	double ac = dc_w * PHYSICS_INVERTER_EFFICIENCY;
	return ac > rated_w ? rated_w : ac;
}

double physics_device_ac_w(const struct config *cfg, const struct config_station *st,
			   const struct config_device *dev, double health, double t_unix)
{
	struct physics_env env;
	physics_env(st, cfg->efficiency.linke_turbidity, cfg->utc_offset_s, t_unix, &env);
	return physics_ac_w(physics_dc_w(&env, physics_share_w(st), health),
			    physics_rated_w(st, dev));
}

double physics_start_lifetime_wh(const struct config_station *st, const struct config_device *dev)
{
	char key[160];
	snprintf(key, sizeof key, "%s/%s", st->id, dev->id);
	double u = hash_unit(fnv1a(key));
	return physics_share_w(st) * PHYSICS_START_HOURS_PER_YEAR * PHYSICS_START_YEARS *
	       (0.9 + 0.2 * u);
}

double physics_energy_wh(const struct config *cfg, const struct config_station *st,
			 const struct config_device *dev, double health, double t0, double t1,
			 double step_s)
{
	if (t1 <= t0 || step_s <= 0)
		return 0;
	int n = (int)ceil((t1 - t0) / step_s);
	double dt = (t1 - t0) / n, wh = 0;
	double prev = physics_device_ac_w(cfg, st, dev, health, t0);
	for (int k = 1; k <= n; k++) {
		double p = physics_device_ac_w(cfg, st, dev, health, t0 + dt * k);
		wh += (prev + p) / 2.0 * dt / 3600.0;
		prev = p;
	}
	return wh;
}
