/* Solar geometry and irradiance: where the sun is (NREL SPA), how much light a clear sky gives,
 * how measured global horizontal light splits into beam and diffuse, how much of it reaches a
 * tilted array, and how warm the modules get. Pure computation: no I/O, no state, the time is
 * a parameter. Angles are in degrees, irradiance in W/m2, temperatures in degrees C. Every
 * irradiance function returns 0 (never NaN, never negative) when the sun is at or below the
 * horizon (zenith >= 90 deg). */
#ifndef PVRELIEF_SOLAR_H
#define PVRELIEF_SOLAR_H

/* Solar constant in W/m2 (ASTM E-490). Kopp and Lean (2011) measured 1361 W/m2, but the
 * empirical models here (Erbs, Ineichen) were fitted against values near 1366-1367, so the
 * older figure keeps them consistent with their own fits. */
#define SOLAR_CONSTANT_W_M2 1366.1
/* Difference TT - UT1 in seconds for the 2020s (IERS measured 69.2 s in 2023), for callers
 * with no better value. A 1 s error moves the sun by about 0.0003 deg. */
#define SOLAR_DELTA_T_DEFAULT_S 69.0
/* Linke turbidity used when a station has no monthly value. The SoDa climatology (Remund et
 * al. 2003) gives about 3 for clean dry air and 4-6 for the humid, hazy plains of eastern and
 * central China where most village stations are; 4.0 is a moderate figure for those regions
 * that neither hides real losses behind an optimistic sky nor excuses a station with a hazy
 * one. Configure a monthly value per station where known. */
#define SOLAR_LINKE_TURBIDITY_DEFAULT 4.0
/* Sandia (King et al. 2004) module temperature coefficients for open-rack glass/polymer
 * (glass/backsheet) modules, the common village installation. */
#define SOLAR_SANDIA_OPEN_RACK_A (-3.56)
#define SOLAR_SANDIA_OPEN_RACK_B (-0.075)
#define SOLAR_SANDIA_OPEN_RACK_DT_C 3.0
/* Ground reflectance for grass or bare soil, used when a station has no albedo configured. */
#define SOLAR_ALBEDO_DEFAULT 0.2

struct solar_position {
	double zenith_deg;	/* topocentric, refraction-corrected (apparent) */
	double azimuth_deg;	/* clockwise from north: 90 east, 180 south, 270 west */
	double elevation_deg;	/* 90 - zenith_deg */
	double declination_deg; /* geocentric */
	double earth_sun_au;	/* earth-sun distance in astronomical units */
	double dni_extra_w_m2;	/* extraterrestrial normal irradiance, SOLAR_CONSTANT_W_M2 / au^2 */
};

struct solar_irradiance {
	double ghi_w_m2; /* global horizontal */
	double dni_w_m2; /* direct normal */
	double dhi_w_m2; /* diffuse horizontal */
};

enum solar_transposition {
	SOLAR_ISOTROPIC, /* Liu and Jordan: uniform sky */
	SOLAR_HAY_DAVIES /* Hay and Davies (1980): isotropic sky plus circumsolar brightening */
};

/* Plane-of-array irradiance split by source; global = beam + sky diffuse + ground. */
struct solar_poa {
	double global_w_m2;
	double beam_w_m2;
	double sky_diffuse_w_m2;
	double ground_w_m2;
};

/* Computes the sun's position with the NREL SPA (Reda and Andreas 2004, about 0.0003 deg) at
 * unix_time_s (UTC) for an observer at lat_deg (north +), lon_deg (east +), altitude_m, with
 * local pressure_hpa and air_temp_c for refraction and delta_t_s = TT - UT1 in seconds
 * (SOLAR_DELTA_T_DEFAULT_S if unknown). Fills *out; returns 0, or -EINVAL (out untouched) if an
 * input is NaN or out of range. */
int solar_position(double unix_time_s, double lat_deg, double lon_deg, double altitude_m,
		   double pressure_hpa, double air_temp_c, double delta_t_s,
		   struct solar_position *out);

/* Returns the angle of incidence in deg (0-180) between the sun's rays and the normal of a
 * surface tilted tilt_deg from horizontal and facing surface_azimuth_deg (180 = south). */
double solar_incidence_deg(const struct solar_position *sp, double tilt_deg,
			   double surface_azimuth_deg);

/* Returns the relative optical air mass (Kasten and Young 1989) for an apparent zenith_deg;
 * at or below the horizon it returns the horizon value (about 37.9), never NaN. */
double solar_airmass_relative(double zenith_deg);
/* Returns the absolute (pressure-corrected) air mass for a relative one at pressure_hpa. */
double solar_airmass_absolute(double airmass_relative, double pressure_hpa);
/* Returns the standard-atmosphere pressure in hPa at altitude_m above sea level. */
double solar_pressure_hpa(double altitude_m);

/* Ineichen-Perez clear sky for a station at altitude_m with the given Linke turbidity
 * (SOLAR_LINKE_TURBIDITY_DEFAULT if unknown): air mass from sp's zenith and the standard
 * pressure at altitude_m, extraterrestrial irradiance from sp. Fills *out (zeros at night). */
void solar_clearsky_ineichen(const struct solar_position *sp, double altitude_m,
			     double linke_turbidity, struct solar_irradiance *out);
/* The same model with every input explicit: apparent zenith_deg, absolute air mass,
 * turbidity, altitude_m and extraterrestrial normal irradiance. Fills *out (zeros at night,
 * whatever airmass_absolute is). */
void solar_clearsky_ineichen_am(double zenith_deg, double airmass_absolute, double linke_turbidity,
				double altitude_m, double dni_extra_w_m2,
				struct solar_irradiance *out);

/* Splits a measured or forecast ghi_w_m2 into DNI and DHI with the Erbs et al. (1982)
 * correlation, using sp's zenith and extraterrestrial irradiance. Fills *out with
 * ghi = dhi + dni cos(zenith); near the horizon (zenith > 87 deg) all of it is diffuse. */
void solar_decompose_erbs(double ghi_w_m2, const struct solar_position *sp,
			  struct solar_irradiance *out);

/* Transposes irr onto a surface tilted tilt_deg facing surface_azimuth_deg, with ground
 * reflectance albedo (0-1), using the given sky model. Fills *out (zeros at night). */
void solar_poa(enum solar_transposition model, const struct solar_irradiance *irr,
	       const struct solar_position *sp, double tilt_deg, double surface_azimuth_deg,
	       double albedo, struct solar_poa *out);
/* Returns the plane-of-array global irradiance in W/m2, as solar_poa computes it. */
double solar_poa_w_m2(enum solar_transposition model, const struct solar_irradiance *irr,
		      const struct solar_position *sp, double tilt_deg, double surface_azimuth_deg,
		      double albedo);

/* Returns the Sandia module back-surface temperature in C, T_m = G e^(a + b WS) + T_a, for
 * plane-of-array poa_w_m2, air_temp_c, wind_m_s at 10 m and coefficients a, b
 * (SOLAR_SANDIA_OPEN_RACK_A and _B for open-rack modules). */
double solar_module_temp_c(double poa_w_m2, double air_temp_c, double wind_m_s, double a, double b);
/* Returns the Sandia cell temperature in C, T_c = T_m + G/1000 dT, from module_temp_c,
 * poa_w_m2 and the back-to-cell difference delta_t_c at 1000 W/m2 (SOLAR_SANDIA_OPEN_RACK_DT_C). */
double solar_cell_temp_c(double module_temp_c, double poa_w_m2, double delta_t_c);

/* Returns the sun's elevation in degrees at a time and place to about half a degree (NOAA's
 * approximate equations, no refraction): enough to tell day from night, and many times cheaper
 * than solar_position, which the irradiance models need. */
double solar_elevation_approx_deg(double unix_time_s, double lat_deg, double lon_deg);

#endif
