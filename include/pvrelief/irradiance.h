/* Irradiance sources for the efficiency figures: which source a station's window uses (on-site
 * sensor, weather service, clear sky scaled to a typical-year table, peer normalisation), the
 * confidence grade that goes with it, and the two estimates that need no measurement at all:
 * the scaled clear sky (source 3) and the peers' median final yield (source 4). Pure: no I/O,
 * no globals, time is a parameter. "No value" is NAN throughout. */
#ifndef PVRELIEF_IRRADIANCE_H
#define PVRELIEF_IRRADIANCE_H

#include <stddef.h>

#include "pvrelief/solar.h"

struct config;
struct config_station;

/* Where a window's irradiance comes from, best first. */
enum irradiance_source {
	IRRADIANCE_NONE = 0,		/* no source: no figure */
	IRRADIANCE_SENSOR = 1,		/* on-site sensor over Modbus */
	IRRADIANCE_WEATHER = 2,		/* weather service (satellite-derived) over HTTP */
	IRRADIANCE_CLEARSKY_SCALED = 3, /* clear-sky model, scaled to the typical-year table */
	IRRADIANCE_PEER = 4		/* median final yield of healthy stations nearby */
};

/* Confidence grades, 1 best. Alerts are not raised from grade 3-4 figures alone. */
#define IRRADIANCE_GRADE_SENSOR 1
#define IRRADIANCE_GRADE_WEATHER 2
#define IRRADIANCE_GRADE_CLEARSKY_SCALED 3
#define IRRADIANCE_GRADE_PEER 4
/* Clear sky with no table for the month: the model alone knows nothing of clouds. */
#define IRRADIANCE_GRADE_CLEARSKY_UNSCALED 4

/* Share of a window a measured source must cover to be used. */
#define IRRADIANCE_MIN_COVERAGE_DEFAULT 0.9
/* Integration step for clear-sky totals, in seconds. */
#define IRRADIANCE_STEP_DEFAULT_S 600.0
/* Peers further away than this do not share the station's weather. */
#define IRRADIANCE_PEER_RADIUS_DEFAULT_KM 30.0
/* Fewer healthy peers than this give no median worth comparing against. */
#define IRRADIANCE_MIN_PEERS_DEFAULT 3

/* What the estimates need to know about a station. */
struct irradiance_site {
	double lat_deg, lon_deg, altitude_m;
	double tilt_deg;
	double azimuth_deg; /* clockwise from north, 180 = due south */
	double albedo;
	double linke_turbidity;
	enum solar_transposition transposition;
	double monthly_irradiation_kwh_m2[12]; /* typical-year horizontal; 0 = unset */
	int utc_offset_s;		       /* local time, which decides the month */
};

/* One month's scale of the clear sky to the typical-year table. Computing the clear-sky total
 * takes a few thousand sun positions, so the caller keeps one per station and month. */
struct irradiance_month_scale {
	int year, month;	/* local calendar month, 1-12 */
	double clearsky_kwh_m2; /* clear-sky horizontal irradiation over the month */
	double table_kwh_m2;	/* the table's value; NAN when unset */
	double scale;		/* table / clear sky; NAN when unset */
};

/* An estimated irradiance over one interval. */
struct irradiance_estimate {
	double ghi_w_m2, poa_w_m2;   /* means over the interval */
	double ghi_wh_m2, poa_wh_m2; /* integrated over the interval */
	enum irradiance_source source;
	int grade;
	int scaled; /* every step had a monthly scale */
};

/* A nearby station's final yield for the same window. */
struct irradiance_peer {
	double lat_deg, lon_deg;
	double yf_h; /* final yield E/P_stc in h; NAN when it has none */
	int healthy; /* online, no fault, not itself under suspicion: the caller decides */
};

/* The peer estimate for one station. */
struct irradiance_peer_result {
	double expected_yf_h; /* median Y_f of the peers used; NAN when too few */
	double ratio;	      /* the station's Y_f / expected_yf_h; NAN when either is missing */
	size_t n_used;	      /* healthy peers with a Y_f within the radius */
	int grade;	      /* IRRADIANCE_GRADE_PEER */
};

/* What is available for a station and window, for choosing a source. */
struct irradiance_availability {
	double sensor_coverage;	 /* share of the window the sensor covers, 0-1; 0 without one */
	double weather_coverage; /* the same for the weather service */
	int table_month_set;	 /* the typical-year table has the window's month */
	size_t healthy_peers;	 /* healthy peers within the radius with a Y_f */
	double min_coverage;	 /* IRRADIANCE_MIN_COVERAGE_DEFAULT */
	size_t min_peers;	 /* IRRADIANCE_MIN_PEERS_DEFAULT */
};

/* The source chosen, its grade and why, in a sentence fragment fit for a report. */
struct irradiance_choice {
	enum irradiance_source source;
	int grade;
	int scaled; /* for IRRADIANCE_CLEARSKY_SCALED: the table was set */
	char reason[160];
};

/* Fills *out from a configured station and the county's efficiency settings (turbidity,
 * transposition, local time offset); pointers are only read. */
void irradiance_site_from_config(const struct config *cfg, const struct config_station *st,
				 struct irradiance_site *out);

/* Returns the short name of a source ("sensor", "weather", "clearsky-scaled", "peer", "none"). */
const char *irradiance_source_name(enum irradiance_source src);

/* Returns what a figure of source src and grade rests on, for people and for the stored day:
 * the short name, except "clearsky" for the clear sky without a typical-year table (grade
 * IRRADIANCE_GRADE_CLEARSKY_UNSCALED); in Chinese when zh is non-zero. Static text. */
const char *irradiance_source_label(enum irradiance_source src, int grade, int zh);

/* Stores in *year and *month (1-12) the local calendar month of unix time t_s. */
void irradiance_local_month(double t_s, int utc_offset_s, int *year, int *month);
/* Stores in *start_s and *end_s the unix times at which a local calendar month begins and ends
 * (end exclusive). */
void irradiance_month_bounds(int year, int month, int utc_offset_s, double *start_s, double *end_s);

/* Returns the clear-sky (Ineichen) global horizontal irradiation at a site over a local month in
 * kWh/m2, integrating at step_s (midpoints; IRRADIANCE_STEP_DEFAULT_S), or NAN for a bad month
 * or step. */
double irradiance_clearsky_month_kwh_m2(const struct irradiance_site *site, int year, int month,
					double step_s);
/* Fills *out with a month's clear-sky total and its scale to the site's typical-year table (scale
 * NAN when the table is unset for the month); returns 0, or -EINVAL for a bad month or step. */
int irradiance_month_scale(const struct irradiance_site *site, int year, int month, double step_s,
			   struct irradiance_month_scale *out);

/* Estimates GHI and POA over [t_start_s, t_end_s) from the clear sky, each step scaled by the
 * entry of scales[] (n_scales, may be 0) for its month, and transposed with Erbs and the site's
 * model. A step whose month has no scale uses the unscaled clear sky and the whole estimate drops
 * to grade 4. Fills *out; returns 0, or -EINVAL (out all NAN) for an empty interval or bad step. */
int irradiance_clearsky_scaled(const struct irradiance_site *site,
			       const struct irradiance_month_scale *scales, size_t n_scales,
			       double t_start_s, double t_end_s, double step_s,
			       struct irradiance_estimate *out);

/* Returns the seconds of [t_start_s, t_end_s) with the sun above the horizon at the site,
 * sampled at step_s midpoints, or NAN for an empty interval or bad step. */
double irradiance_daylight_s(const struct irradiance_site *site, double t_start_s, double t_end_s,
			     double step_s);

/* Returns the great-circle (haversine) distance in km between two points on a spherical earth
 * of mean radius 6371.0 km. */
double irradiance_distance_km(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);

/* Compares a station at (lat_deg, lon_deg) with final yield yf_h against the median Y_f of the
 * healthy peers (n_peers, only read) within radius_km; fewer than min_peers leave the median
 * NAN. Fills *out; returns 0, or -ENODATA when there are too few peers. */
int irradiance_peer_compare(double lat_deg, double lon_deg, double yf_h,
			    const struct irradiance_peer *peers, size_t n_peers, double radius_km,
			    size_t min_peers, struct irradiance_peer_result *out);

/* Chooses the best available source for a window: the sensor if it covers enough of it, else the
 * weather service likewise, else the clear sky scaled to the table, else the peers, else the
 * unscaled clear sky. Fills *out with the source, grade and reason. */
void irradiance_choose(const struct irradiance_availability *av, struct irradiance_choice *out);

#endif
