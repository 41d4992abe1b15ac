/* Irradiance from a weather service over HTTP (source 2 of DOMAIN.md): Open-Meteo's
 * satellite-derived irradiance, including global tilted irradiance for each station's tilt and
 * azimuth. A background thread keeps a series per station fresh; weather_get only reads the
 * cache, so a failing or slow service gives "no data" at once and the efficiency engine falls
 * back to a lower-grade source. The URL builder and the parser are pure. */
#ifndef PVRELIEF_WEATHER_H
#define PVRELIEF_WEATHER_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/config.h"

/* Series longer than this are refused (two weeks of 15-minute steps is 1344). */
#define WEATHER_MAX_SAMPLES 20000

/* One response: parallel arrays of n samples. A missing array or a null is NAN ("no value").
 * Open-Meteo's radiation values are means over the step ending at time_unix[i]. */
struct weather_series {
	size_t n;
	double step_s; /* spacing of the samples */
	double *time_unix;
	double *ghi_w_m2;	   /* global horizontal (shortwave_radiation) */
	double *poa_w_m2;	   /* global tilted irradiance on the station's plane */
	double *dhi_w_m2;	   /* diffuse horizontal */
	double *dni_w_m2;	   /* direct normal */
	double *temp_air_c;	   /* air temperature at 2 m */
	double *wind_m_s;	   /* wind speed at 10 m */
	size_t n_negative_dropped; /* irradiance values below -10 W/m² made "no value" */
};

/* What weather_get answers for one instant; NAN fields have no value. */
struct weather_point {
	double ghi_w_m2, poa_w_m2, dhi_w_m2, dni_w_m2, temp_air_c, wind_m_s;
	double fetched_unix; /* wall time the series was fetched */
	int forecast;	     /* the instant was later than the fetch: a forecast, not an estimate */
};

struct weather_stats {
	uint64_t fetches_ok, fetches_failed;
	uint64_t answers, no_data; /* weather_get calls with and without a value */
};

struct weather;

/* Writes the request URL for a station into buf: base_url (e.g.
 * "https://api.open-meteo.com/v1/forecast") with the query for 15-minute irradiance, air
 * temperature and wind, tilt, and the azimuth converted from pvrelief's convention (clockwise
 * from north, 180 = south) to Open-Meteo's (0 = south, -90 = east, 90 = west). Returns 0, or -1
 * when buf is too small. */
int weather_build_url(const char *base_url, double lat_deg, double lon_deg, double tilt_deg,
		      double azimuth_deg_from_north, char *buf, size_t len);
/* Converts an azimuth clockwise from north to Open-Meteo's convention, in (-180, 180]. */
double weather_azimuth_to_open_meteo(double azimuth_deg_from_north);
/* Parses an Open-Meteo answer (the "minutely_15" block, else "hourly"; timeformat=unixtime)
 * into out, which the caller frees with weather_series_free. Returns 0, or -1 with a sentence in
 * why for malformed JSON, missing times, mismatched array lengths, non-numbers or absurd
 * values; out is then empty. */
int weather_parse(const char *json, size_t len, struct weather_series *out, char *why,
		  size_t whylen);
/* Frees the arrays of a series and empties it; accepts NULL. */
void weather_series_free(struct weather_series *s);
/* Fills out with the series' values at unix_time, interpolated linearly between the middles
 * of the steps. Returns 0, or -1 when unix_time is outside the series. */
int weather_series_at(const struct weather_series *s, double unix_time, struct weather_point *out);

/* Starts the background fetcher for cfg's stations (none is fetched until asked for). Returns
 * NULL when cfg has no weather_url. cfg must outlive the result; free with weather_free. */
struct weather *weather_new(const struct config *cfg);
/* Stops the fetcher within about a second and frees w; accepts NULL. */
void weather_free(struct weather *w);
/* Answers the irradiance for a station at unix_time from the cache without waiting on the
 * network; asks for a refresh when the cache is older than weather_refresh_s. Returns 0, or -1
 * ("no data") when nothing fresh covers that time. */
int weather_get(struct weather *w, size_t station_index, double unix_time,
		struct weather_point *out);
/* Asks for a station's series now and waits at most max_wait_ms for that attempt to end.
 * Returns 0 when the station has a usable series afterwards, else -1 with the last failure
 * in why. */
int weather_wait(struct weather *w, size_t station_index, int max_wait_ms, char *why,
		 size_t whylen);
/* Copies the counters into out. */
void weather_stats(struct weather *w, struct weather_stats *out);

#endif
