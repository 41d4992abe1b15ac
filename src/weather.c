#include "pvrelief/weather.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/clock.h"
#include "pvrelief/complain.h"
#include "pvrelief/http.h"
#include "pvrelief/log.h"
#include "pvrelief/xalloc.h"

/* Bounds beyond which a value is not weather but a broken answer. Clear-sky GHI peaks near
 * 1100 W/m² and cloud enhancement on a tilted plane reaches about 1500. */
#define IRRADIANCE_MAX_W_M2 2000.0
/* Satellite products dip slightly below zero at night; small negatives are noise. Larger ones
 * are a known upstream fault (open-meteo issue 1355) that makes one sample unusable, not the
 * whole answer. */
#define IRRADIANCE_NOISE_W_M2 -10.0
#define TEMP_MIN_C -90.0
#define TEMP_MAX_C 70.0
#define WIND_MAX_M_S 120.0
#define TIME_MIN_UNIX 946684800.0  /* 2000-01-01 */
#define TIME_MAX_UNIX 4102444800.0 /* 2100-01-01 */

double weather_azimuth_to_open_meteo(double az)
{
	double a = fmod(az - 180.0, 360.0);
	if (a <= -180.0)
		a += 360.0;
	else if (a > 180.0)
		a -= 360.0;
	return a;
}

int weather_build_url(const char *base_url, double lat_deg, double lon_deg, double tilt_deg,
		      double azimuth_deg_from_north, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "%s%clatitude=%.4f&longitude=%.4f"
			 "&minutely_15=shortwave_radiation,global_tilted_irradiance,"
			 "diffuse_radiation,direct_normal_irradiance,temperature_2m,wind_speed_10m"
			 "&tilt=%.1f&azimuth=%.1f&past_days=1&forecast_days=2"
			 "&timeformat=unixtime&wind_speed_unit=ms&timezone=GMT",
			 base_url, strchr(base_url, '?') ? '&' : '?', lat_deg, lon_deg, tilt_deg,
			 weather_azimuth_to_open_meteo(azimuth_deg_from_north));
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- Parser -------------------------------------------------------------------------- */

static void say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

void weather_series_free(struct weather_series *s)
{
	if (!s)
		return;
	free(s->time_unix);
	free(s->ghi_w_m2);
	free(s->poa_w_m2);
	free(s->dhi_w_m2);
	free(s->dni_w_m2);
	free(s->temp_air_c);
	free(s->wind_m_s);
	memset(s, 0, sizeof *s);
}

enum field_kind { FK_IRRADIANCE, FK_TEMP, FK_WIND };

/* Reads one optional array of the block into dst (n values, NAN for null or absent). Returns
 * 0 or -1 with why. */
static int read_field(json_t *block, json_t *units, const char *block_name, const char *name,
		      enum field_kind kind, size_t n, double *dst, size_t *n_negative, char *why,
		      size_t whylen)
{
	json_t *a = json_object_get(block, name);
	double scale = 1.0, offset = 0.0;
	for (size_t i = 0; i < n; i++)
		dst[i] = NAN;
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		say(why, whylen, "%s.%s is not an array", block_name, name);
		return -1;
	}
	if (json_array_size(a) != n) {
		say(why, whylen, "%s.%s has %zu values but %s.time has %zu", block_name, name,
		    json_array_size(a), block_name, n);
		return -1;
	}
	const char *unit = json_string_value(json_object_get(units, name));
	if (unit && kind == FK_WIND) {
		/* We ask for m/s, but a base URL that already names another unit wins. */
		if (strcmp(unit, "km/h") == 0)
			scale = 1 / 3.6;
		else if (strcmp(unit, "mp/h") == 0 || strcmp(unit, "mph") == 0)
			scale = 0.44704;
		else if (strcmp(unit, "kn") == 0)
			scale = 0.514444;
		else if (strcmp(unit, "m/s") != 0) {
			say(why, whylen, "%s.%s is in unknown unit \"%s\"", block_name, name, unit);
			return -1;
		}
	} else if (unit && kind == FK_TEMP && strcmp(unit, "°F") == 0) {
		scale = 5.0 / 9.0;
		offset = -32.0 * 5.0 / 9.0;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		if (json_is_null(v))
			continue;
		if (!json_is_number(v)) {
			say(why, whylen, "%s.%s[%zu] is not a number", block_name, name, i);
			return -1;
		}
		double x = json_number_value(v) * scale + offset;
		int bad;
		switch (kind) {
		case FK_IRRADIANCE:
			bad = !(x <= IRRADIANCE_MAX_W_M2);
			if (!bad && x < IRRADIANCE_NOISE_W_M2) {
				(*n_negative)++;
				continue;
			}
			if (!bad && x < 0)
				x = 0;
			break;
		case FK_TEMP:
			bad = !(x >= TEMP_MIN_C && x <= TEMP_MAX_C);
			break;
		default:
			bad = !(x >= 0 && x <= WIND_MAX_M_S);
			break;
		}
		if (bad) {
			say(why, whylen, "%s.%s[%zu] = %g is not a plausible value", block_name,
			    name, i, json_number_value(v));
			return -1;
		}
		dst[i] = x;
	}
	return 0;
}

int weather_parse(const char *json, size_t len, struct weather_series *out, char *why,
		  size_t whylen)
{
	json_error_t err;
	json_t *root = NULL;
	const char *block_name = "minutely_15";
	double default_step = 900;
	int rc = -1;

	memset(out, 0, sizeof *out);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		say(why, whylen, "malformed JSON at line %d column %d: %s", err.line, err.column,
		    err.text);
		goto fail;
	}
	if (!json_is_object(root)) {
		say(why, whylen, "the answer is not a JSON object");
		goto fail;
	}
	if (json_is_true(json_object_get(root, "error"))) {
		const char *reason = json_string_value(json_object_get(root, "reason"));
		say(why, whylen, "the service refused the request: %.200s",
		    reason ? reason : "(no reason given)");
		goto fail;
	}
	json_t *block = json_object_get(root, block_name);
	if (!json_is_object(block)) {
		block_name = "hourly";
		default_step = 3600;
		block = json_object_get(root, block_name);
	}
	if (!json_is_object(block)) {
		say(why, whylen, "the answer has neither minutely_15 nor hourly data");
		goto fail;
	}
	char units_name[32];
	snprintf(units_name, sizeof units_name, "%s_units", block_name);
	json_t *units = json_object_get(root, units_name);
	json_t *times = json_object_get(block, "time");
	if (!json_is_array(times) || json_array_size(times) == 0) {
		say(why, whylen, "%s.time is missing or empty", block_name);
		goto fail;
	}
	size_t n = json_array_size(times);
	if (n > WEATHER_MAX_SAMPLES) {
		say(why, whylen, "%s has %zu samples, more than %d", block_name, n,
		    WEATHER_MAX_SAMPLES);
		goto fail;
	}
	out->n = n;
	out->time_unix = xcalloc(n, sizeof(double));
	out->ghi_w_m2 = xcalloc(n, sizeof(double));
	out->poa_w_m2 = xcalloc(n, sizeof(double));
	out->dhi_w_m2 = xcalloc(n, sizeof(double));
	out->dni_w_m2 = xcalloc(n, sizeof(double));
	out->temp_air_c = xcalloc(n, sizeof(double));
	out->wind_m_s = xcalloc(n, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(times, i);
		double v = json_number_value(t);
		if (!json_is_number(t) || !(v >= TIME_MIN_UNIX && v <= TIME_MAX_UNIX)) {
			say(why, whylen,
			    "%s.time[%zu] is not a unix time between 2000 and 2100 (ask with "
			    "timeformat=unixtime)",
			    block_name, i);
			goto fail;
		}
		out->time_unix[i] = v;
	}
	out->step_s = n > 1 ? out->time_unix[1] - out->time_unix[0] : default_step;
	if (!(out->step_s >= 60 && out->step_s <= 86400)) {
		say(why, whylen, "%s.time steps by %g s, not 60 s to a day", block_name,
		    out->step_s);
		goto fail;
	}
	for (size_t i = 1; i < n; i++)
		if (out->time_unix[i] - out->time_unix[i - 1] != out->step_s) {
			say(why, whylen, "%s.time[%zu] is not %g s after the one before",
			    block_name, i, out->step_s);
			goto fail;
		}
	static const struct {
		const char *name;
		enum field_kind kind;
		size_t offset;
	} fields[] = {
	    {"shortwave_radiation", FK_IRRADIANCE, offsetof(struct weather_series, ghi_w_m2)},
	    {"global_tilted_irradiance", FK_IRRADIANCE, offsetof(struct weather_series, poa_w_m2)},
	    {"diffuse_radiation", FK_IRRADIANCE, offsetof(struct weather_series, dhi_w_m2)},
	    {"direct_normal_irradiance", FK_IRRADIANCE, offsetof(struct weather_series, dni_w_m2)},
	    {"temperature_2m", FK_TEMP, offsetof(struct weather_series, temp_air_c)},
	    {"wind_speed_10m", FK_WIND, offsetof(struct weather_series, wind_m_s)},
	};
	for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
		double *dst = *(double **)((char *)out + fields[f].offset);
		if (read_field(block, units, block_name, fields[f].name, fields[f].kind, n, dst,
			       &out->n_negative_dropped, why, whylen) != 0)
			goto fail;
	}
	if (!json_object_get(block, "shortwave_radiation") &&
	    !json_object_get(block, "global_tilted_irradiance")) {
		say(why, whylen, "%s has neither shortwave_radiation nor global_tilted_irradiance",
		    block_name);
		goto fail;
	}
	rc = 0;
fail:
	if (rc != 0)
		weather_series_free(out);
	else if (whylen)
		why[0] = '\0';
	json_decref(root);
	return rc;
}

static double lerp(const double *a, size_t i, size_t j, double f)
{
	return i == j ? a[i] : a[i] + f * (a[j] - a[i]);
}

int weather_series_at(const struct weather_series *s, double t, struct weather_point *out)
{
	size_t i, j;
	double f = 0;
	if (s->n == 0)
		return -1;
	/* Each value is the mean over the step ending at its time, so it belongs to the middle of
	 * that step; interpolate between middles and use the end samples out to their edges. */
	double half = s->step_s / 2;
	double first_mid = s->time_unix[0] - half, last_mid = s->time_unix[s->n - 1] - half;
	if (t < s->time_unix[0] - s->step_s || t > s->time_unix[s->n - 1] || isnan(t))
		return -1;
	if (t <= first_mid) {
		i = j = 0;
	} else if (t >= last_mid) {
		i = j = s->n - 1;
	} else {
		size_t lo = 0, hi = s->n - 1; /* mid(lo) <= t < mid(hi) */
		while (hi - lo > 1) {
			size_t m = lo + (hi - lo) / 2;
			if (s->time_unix[m] - half <= t)
				lo = m;
			else
				hi = m;
		}
		i = lo;
		j = hi;
		f = (t - (s->time_unix[i] - half)) / s->step_s;
	}
	out->ghi_w_m2 = lerp(s->ghi_w_m2, i, j, f);
	out->poa_w_m2 = lerp(s->poa_w_m2, i, j, f);
	out->dhi_w_m2 = lerp(s->dhi_w_m2, i, j, f);
	out->dni_w_m2 = lerp(s->dni_w_m2, i, j, f);
	out->temp_air_c = lerp(s->temp_air_c, i, j, f);
	out->wind_m_s = lerp(s->wind_m_s, i, j, f);
	return 0;
}

/* ---- Fetcher ------------------------------------------------------------------------- */

struct wstation {
	int active; /* someone asked for this station */
	int have;   /* series holds a parsed answer */
	struct weather_series series;
	double fetched_mono, fetched_wall;
	double next_try_mono; /* 0: as soon as possible */
	double backoff_s;     /* 0 after a success */
	uint64_t attempts;    /* finished attempts, for weather_wait */
	char last_error[300];
	struct complaint trouble; /* failing since, for the log */
};

struct weather {
	const struct config *cfg;
	char origin[256]; /* scheme://host:port of the service, safe to log */
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct wstation *st;
	size_t n;
	atomic_int stop;
	struct weather_stats stats;
};

static void deadline_ts(double mono_s, struct timespec *ts)
{
	ts->tv_sec = (time_t)mono_s;
	ts->tv_nsec = (long)((mono_s - (double)ts->tv_sec) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* A series older than this is not used: the service has been failing for a long time and its
 * old forecast is no better than the clear-sky fallback. */
static double max_age_s(const struct config *cfg)
{
	return 3.0 * cfg->efficiency.weather_refresh_s + 3600.0;
}

/* One fetch for station i, run without the lock. Returns 0 with a series in out, or -1 with
 * why. */
static int fetch(struct weather *w, size_t i, struct weather_series *out, char *why, size_t whylen)
{
	const struct config *cfg = w->cfg;
	const struct config_station *s = &cfg->stations[i];
	char url[2048];
	struct http_response res;
	int rc = -1;

	if (weather_build_url(cfg->efficiency.weather_url, s->lat_deg, s->lon_deg, s->tilt_deg,
			      s->azimuth_deg, url, sizeof url) != 0) {
		say(why, whylen, "weather_url is too long");
		return -1;
	}
	struct http_request req = {
	    .url = url, .timeout_ms = cfg->efficiency.weather_timeout_ms, .cancel = &w->stop};
	if (http_perform(&req, &res) != 0) {
		say(why, whylen, "%s", res.error);
		return -1;
	}
	if (res.status != 200)
		say(why, whylen, "HTTP status %ld", res.status);
	else if (weather_parse(res.body, res.body_len, out, why, whylen) == 0)
		rc = 0;
	if (rc != 0 && res.status >= 400) {
		/* Open-Meteo explains a refused request in {"reason": ...}; keep it. */
		struct weather_series tmp;
		char reason[200];
		if (weather_parse(res.body, res.body_len, &tmp, reason, sizeof reason) != 0 &&
		    strstr(reason, "refused"))
			say(why, whylen, "HTTP status %ld, %s", res.status, reason);
		weather_series_free(&tmp);
	}
	http_response_free(&res);
	return rc;
}

static void *fetcher_main(void *arg)
{
	struct weather *w = arg;
	const struct config *cfg = w->cfg;
	char why[300];

	pthread_mutex_lock(&w->lock);
	while (!atomic_load(&w->stop)) {
		double now = clock_monotonic_now(), soonest = INFINITY;
		size_t pick = w->n;
		for (size_t i = 0; i < w->n; i++) {
			struct wstation *st = &w->st[i];
			if (!st->active)
				continue;
			if (st->next_try_mono <= now) {
				pick = i;
				break;
			}
			if (st->next_try_mono < soonest)
				soonest = st->next_try_mono;
		}
		if (pick == w->n) {
			if (isinf(soonest)) {
				pthread_cond_wait(&w->cond, &w->lock);
			} else {
				struct timespec ts;
				deadline_ts(soonest, &ts);
				pthread_cond_timedwait(&w->cond, &w->lock, &ts);
			}
			continue;
		}
		pthread_mutex_unlock(&w->lock);
		struct weather_series series;
		int rc = fetch(w, pick, &series, why, sizeof why);
		pthread_mutex_lock(&w->lock);
		struct wstation *st = &w->st[pick];
		const char *sid = cfg->stations[pick].id;
		st->attempts++;
		if (rc == 0) {
			if (!complain_release(
				&st->trouble, clock_monotonic_now(),
				"weather service %s: station %s answers again (%zu samples)",
				w->origin, sid, series.n))
				log_debug("weather service %s: station %s, %zu samples", w->origin,
					  sid, series.n);
			weather_series_free(&st->series);
			st->series = series;
			st->have = 1;
			st->fetched_mono = clock_monotonic_now();
			st->fetched_wall = clock_wall_now();
			st->backoff_s = 0;
			st->next_try_mono = st->fetched_mono + cfg->efficiency.weather_refresh_s;
			st->last_error[0] = '\0';
			w->stats.fetches_ok++;
		} else if (!atomic_load(&w->stop)) {
			/* Retry sooner than the refresh period at first, then less often, so a long
			 * outage costs few requests and little log. */
			double cap = cfg->efficiency.weather_refresh_s;
			st->backoff_s = st->backoff_s > 0 ? st->backoff_s * 2 : 30;
			if (st->backoff_s > cap)
				st->backoff_s = cap;
			st->next_try_mono = clock_monotonic_now() + st->backoff_s;
			snprintf(st->last_error, sizeof st->last_error, "%s", why);
			w->stats.fetches_failed++;
			complain(&st->trouble, clock_monotonic_now(),
				 "weather service %s: station %s: %s; trying again in %.0f s",
				 w->origin, sid, why, st->backoff_s);
		}
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct weather *weather_new(const struct config *cfg)
{
	if (!cfg->efficiency.weather_url || !cfg->efficiency.weather_url[0])
		return NULL;
	struct weather *w = xcalloc(1, sizeof *w);
	pthread_condattr_t ca;
	w->cfg = cfg;
	w->n = cfg->n_stations;
	w->st = xcalloc(w->n ? w->n : 1, sizeof *w->st);
	http_url_origin(cfg->efficiency.weather_url, w->origin, sizeof w->origin);
	http_global_init();
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, fetcher_main, w) != 0)
		log_err("weather service %s: cannot start the fetcher thread; efficiency will use "
			"the fallback sources",
			w->origin);
	else
		w->started = 1;
	return w;
}

void weather_free(struct weather *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, 1);
	pthread_mutex_lock(&w->lock);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (w->started)
		pthread_join(w->thread, NULL);
	for (size_t i = 0; i < w->n; i++)
		weather_series_free(&w->st[i].series);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->st);
	free(w);
}

/* Marks a station wanted; wakes the fetcher when it has never been tried. Needs the lock. */
static void activate(struct weather *w, struct wstation *st)
{
	if (!st->active) {
		st->active = 1;
		st->next_try_mono = 0;
		pthread_cond_broadcast(&w->cond);
	}
}

int weather_get(struct weather *w, size_t station_index, double unix_time,
		struct weather_point *out)
{
	int rc = -1;
	if (!w || station_index >= w->n)
		return -1;
	pthread_mutex_lock(&w->lock);
	struct wstation *st = &w->st[station_index];
	activate(w, st);
	if (st->have && clock_monotonic_now() - st->fetched_mono <= max_age_s(w->cfg) &&
	    weather_series_at(&st->series, unix_time, out) == 0) {
		out->fetched_unix = st->fetched_wall;
		out->forecast = unix_time > st->fetched_wall;
		rc = 0;
	}
	if (rc == 0)
		w->stats.answers++;
	else
		w->stats.no_data++;
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int weather_wait(struct weather *w, size_t station_index, int max_wait_ms, char *why, size_t whylen)
{
	if (!w || station_index >= w->n) {
		say(why, whylen, "no weather service or no such station");
		return -1;
	}
	double deadline = clock_monotonic_now() + max_wait_ms / 1000.0;
	pthread_mutex_lock(&w->lock);
	struct wstation *st = &w->st[station_index];
	uint64_t target = st->attempts + 1;
	st->active = 1;
	st->next_try_mono = 0;
	pthread_cond_broadcast(&w->cond);
	while (st->attempts < target && !atomic_load(&w->stop) && w->started &&
	       clock_monotonic_now() < deadline) {
		struct timespec ts;
		deadline_ts(deadline, &ts);
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	}
	int rc = st->have && clock_monotonic_now() - st->fetched_mono <= max_age_s(w->cfg) ? 0 : -1;
	if (st->attempts < target)
		say(why, whylen, "no answer within %d ms", max_wait_ms);
	else
		say(why, whylen, "%s", st->last_error);
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void weather_stats(struct weather *w, struct weather_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}
