/* The simulator's physical model of a station: where the sun is, how much light reaches the
 * array, how warm the modules get and what each inverter makes of it. Pure computation: no I/O,
 * no globals, the time is a parameter, so tests can compute exactly what the simulator serves.
 *
 * The model, for station s at unix time t (local day from the county's utc_offset):
 *   sun      = solar_position(t, lat, lon, altitude, solar_pressure_hpa(altitude), 15 C,
 *                             SOLAR_DELTA_T_DEFAULT_S)
 *   clear    = solar_clearsky_ineichen(sun, altitude, linke_turbidity)  (GHI, DNI, DHI)
 *   weather  = physics_weather_factor(station id, local date) in 0.85..1.0, the same all day;
 *              GHI, DNI and DHI are each multiplied by it
 *   POA      = solar_poa_w_m2(SOLAR_HAY_DAVIES, weather x clear, sun, tilt, azimuth, albedo)
 *   T_air    = 15 + 8 sin(2 pi (local_hour - 9) / 24) C   (7 C at 03:00, 23 C at 15:00)
 *   wind     = 2 m/s
 *   T_module = solar_module_temp_c(POA, T_air, wind, -3.56, -0.075)    (Sandia open rack)
 *   T_cell   = solar_cell_temp_c(T_module, POA, 3)
 * and for an inverter of the station with health h (1.0 healthy, 0.5 soiled):
 *   share_w  = capacity_kwp x 1000 / (number of inverters of the station)
 *   DC_w     = share_w x POA / 1000 x (1 + gamma (T_cell - 25)) x h, gamma = -0.004 /C, >= 0
 *   AC_w     = min(DC_w x 0.97, rated_w), where rated_w is the device's rated_power_w or,
 *              when that is 0, share_w / 1.1
 * An inverter in FAULT makes 0 W. Energy is the time integral of AC_w (trapezoids of at most
 * PHYSICS_MAX_STEP_S clock seconds). */
#ifndef PVRELIEF_SIM_PHYSICS_H
#define PVRELIEF_SIM_PHYSICS_H

#include <stdint.h>

struct config;
struct config_station;
struct config_device;

#define PHYSICS_GAMMA_PER_C (-0.004)
#define PHYSICS_INVERTER_EFFICIENCY 0.97
#define PHYSICS_DC_TO_RATED 1.1 /* DC share / rated AC when the config gives no rating */
#define PHYSICS_WIND_M_S 2.0
#define PHYSICS_MAX_STEP_S 120.0
/* Typical yearly equivalent hours and age that set a device's lifetime counter at start. */
#define PHYSICS_START_HOURS_PER_YEAR 1100.0
#define PHYSICS_START_YEARS 3.0

/* What the weather and the sun give a station at one instant. */
struct physics_env {
	double t_unix;
	double elevation_deg;
	double ghi_w_m2, dni_w_m2, dhi_w_m2; /* after the weather factor */
	double poa_w_m2;
	double air_temp_c, wind_m_s;
	double module_temp_c, cell_temp_c;
	double weather; /* the day's factor */
};

/* Returns the day's weather factor for a station: 1 - 0.15 u^2 where u in [0, 1] comes from the
 * FNV-1a hash of "STATION_ID|YYYY-MM-DD" (local date), so most days are nearly clear (mean
 * 0.95) and every run agrees. */
double physics_weather_factor(const char *station_id, double t_unix, int utc_offset_s);
/* Fills *env for station st at t_unix with the model above; linke_turbidity is
 * cfg->efficiency.linke_turbidity. */
void physics_env(const struct config_station *st, double linke_turbidity, int utc_offset_s,
		 double t_unix, struct physics_env *env);
/* Returns the number of inverters (devices with role inverter) of a station, at least 1. */
int physics_inverter_count(const struct config_station *st);
/* Returns an inverter's DC share in W: capacity_kwp x 1000 / physics_inverter_count. */
double physics_share_w(const struct config_station *st);
/* Returns the AC rating used for clipping: dev->rated_power_w, or share_w / 1.1 when it is 0. */
double physics_rated_w(const struct config_station *st, const struct config_device *dev);
/* Returns DC power in W for an inverter of share_w at health in environment env. */
double physics_dc_w(const struct physics_env *env, double share_w, double health);
/* Returns AC power in W: 0.97 x DC, clipped at rated_w. */
double physics_ac_w(double dc_w, double rated_w);
/* Returns the AC power in W the model gives inverter dev of station st at t_unix with the given
 * health (not counting injected faults). This is the function tests compare against. */
double physics_device_ac_w(const struct config *cfg, const struct config_station *st,
			   const struct config_device *dev, double health, double t_unix);
/* Returns the local day number (days since 1970-01-01 in the county's time) of t_unix. */
int64_t physics_local_day(double t_unix, int utc_offset_s);
/* Returns a device's lifetime counter in Wh at the start of a run, before today's energy:
 * share_w x 1100 h x 3 years x (0.9 .. 1.1 from a hash of "STATION/DEVICE"). */
double physics_start_lifetime_wh(const struct config_station *st, const struct config_device *dev);
/* Returns the energy in Wh an inverter makes between t0 and t1 (t1 >= t0) at constant health:
 * trapezoids of at most step_s seconds over physics_device_ac_w. */
double physics_energy_wh(const struct config *cfg, const struct config_station *st,
			 const struct config_device *dev, double health, double t0, double t1,
			 double step_s);

#endif
