/* Irradiance sources: the choice between them and the estimates that need no measurement.
 *
 * The scaled clear sky (source 3). The Ineichen clear sky is an upper envelope: it knows the
 * sun's path and the air's turbidity but not the clouds. The typical-year table knows how much
 * light a month brings on average, clouds included, but not when within the month. Scaling each
 * instant's clear-sky GHI by table[month] / (clear-sky total of that month) keeps the clear sky's
 * shape through the day and the season and makes the month add up to the table. It describes an
 * average day, not the day that happened, which is why such figures are grade 3 and never raise
 * an alert alone. The scaled GHI is no longer a clear-sky value, so it is split into beam and
 * diffuse with Erbs (which gives a cloudier sky more diffuse light) before transposition; the
 * unscaled clear sky keeps Ineichen's own split. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/xalloc.h"

#define EARTH_RADIUS_KM 6371.0
#define DEG_TO_RAD (M_PI / 180.0)
/* Refraction is computed for a standard 15 C: a few degrees either way move the sun by far less
 * than the clear-sky model's own error. */
#define REFRACTION_AIR_TEMP_C 15.0

void irradiance_site_from_config(const struct config *cfg, const struct config_station *st,
				 struct irradiance_site *out)
{
	memset(out, 0, sizeof *out);
	out->lat_deg = st->lat_deg;
	out->lon_deg = st->lon_deg;
	out->altitude_m = st->altitude_m;
	out->tilt_deg = st->tilt_deg;
	out->azimuth_deg = st->azimuth_deg;
	out->albedo = st->albedo;
	out->linke_turbidity = cfg->efficiency.linke_turbidity;
	out->transposition = cfg->efficiency.transposition == CONFIG_TRANSPOSITION_HAY_DAVIES
				 ? SOLAR_HAY_DAVIES
				 : SOLAR_ISOTROPIC;
	memcpy(out->monthly_irradiation_kwh_m2, st->monthly_irradiation_kwh_m2,
	       sizeof out->monthly_irradiation_kwh_m2);
	out->utc_offset_s = cfg->utc_offset_s;
}

const char *irradiance_source_name(enum irradiance_source src)
{
	switch (src) {
	case IRRADIANCE_SENSOR:
		return "sensor";
	case IRRADIANCE_WEATHER:
		return "weather";
	case IRRADIANCE_CLEARSKY_SCALED:
		return "clearsky-scaled";
	case IRRADIANCE_PEER:
		return "peer";
	case IRRADIANCE_NONE:
		break;
	}
	return "none";
}

const char *irradiance_source_label(enum irradiance_source src, int grade, int zh)
{
	switch (src) {
	case IRRADIANCE_SENSOR:
		return zh ? "现场辐照传感器" : "sensor";
	case IRRADIANCE_WEATHER:
		return zh ? "气象服务卫星估算" : "weather";
	case IRRADIANCE_CLEARSKY_SCALED:
		if (grade == IRRADIANCE_GRADE_CLEARSKY_UNSCALED)
			return zh ? "晴空模型估算（未按月辐照量校准）" : "clearsky";
		return zh ? "晴空模型（按典型年月辐照量校准）" : "clearsky-scaled";
	case IRRADIANCE_PEER:
		return zh ? "邻近电站对比" : "peer";
	case IRRADIANCE_NONE:
		break;
	}
	return zh ? "无" : "none";
}

/* Days since 1970-01-01 of a proleptic Gregorian date; the year is shifted to start in March
 * so that the leap day falls at the end of the shifted year. */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(long z, int *year, int *month)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (m <= 2));
	*month = m;
}

void irradiance_local_month(double t_s, int utc_offset_s, int *year, int *month)
{
	long days = (long)floor((t_s + utc_offset_s) / 86400.0);
	civil_from_days(days, year, month);
}

void irradiance_month_bounds(int year, int month, int utc_offset_s, double *start_s, double *end_s)
{
	int ny = month == 12 ? year + 1 : year, nm = month == 12 ? 1 : month + 1;
	*start_s = (double)days_from_civil(year, month, 1) * 86400.0 - utc_offset_s;
	*end_s = (double)days_from_civil(ny, nm, 1) * 86400.0 - utc_offset_s;
}

/* Sun position at the site; returns 0 or -EINVAL. */
static int site_sun(const struct irradiance_site *site, double t_s, struct solar_position *sp)
{
	return solar_position(t_s, site->lat_deg, site->lon_deg, site->altitude_m,
			      solar_pressure_hpa(site->altitude_m), REFRACTION_AIR_TEMP_C,
			      SOLAR_DELTA_T_DEFAULT_S, sp);
}

static double site_turbidity(const struct irradiance_site *site)
{
	return site->linke_turbidity > 0 ? site->linke_turbidity : SOLAR_LINKE_TURBIDITY_DEFAULT;
}

/* Number of equal steps of at most step_s covering [t0, t1), or 0 for a bad interval. */
static long step_count(double t0, double t1, double step_s)
{
	if (!(t1 > t0) || !(step_s > 0) || !isfinite(t0) || !isfinite(t1))
		return 0;
	return (long)ceil((t1 - t0) / step_s - 1e-9);
}

double irradiance_clearsky_month_kwh_m2(const struct irradiance_site *site, int year, int month,
					double step_s)
{
	if (month < 1 || month > 12)
		return NAN;
	double t0, t1;
	irradiance_month_bounds(year, month, site->utc_offset_s, &t0, &t1);
	long n = step_count(t0, t1, step_s);
	if (n == 0)
		return NAN;
	double h = (t1 - t0) / (double)n, sum_w_m2 = 0;
	for (long i = 0; i < n; i++) {
		struct solar_position sp;
		struct solar_irradiance cs;
		if (site_sun(site, t0 + ((double)i + 0.5) * h, &sp) != 0)
			return NAN;
		solar_clearsky_ineichen(&sp, site->altitude_m, site_turbidity(site), &cs);
		sum_w_m2 += cs.ghi_w_m2;
	}
	return sum_w_m2 * h / 3600.0 / 1000.0;
}

int irradiance_month_scale(const struct irradiance_site *site, int year, int month, double step_s,
			   struct irradiance_month_scale *out)
{
	out->year = year;
	out->month = month;
	out->clearsky_kwh_m2 = irradiance_clearsky_month_kwh_m2(site, year, month, step_s);
	out->table_kwh_m2 = NAN;
	out->scale = NAN;
	if (isnan(out->clearsky_kwh_m2))
		return -EINVAL;
	double table = site->monthly_irradiation_kwh_m2[month - 1];
	if (table > 0 && out->clearsky_kwh_m2 > 0) {
		out->table_kwh_m2 = table;
		out->scale = table / out->clearsky_kwh_m2;
	}
	return 0;
}

static const struct irradiance_month_scale *find_scale(const struct irradiance_month_scale *sc,
						       size_t n, int year, int month)
{
	for (size_t i = 0; i < n; i++)
		if (sc[i].year == year && sc[i].month == month && isfinite(sc[i].scale))
			return &sc[i];
	return NULL;
}

int irradiance_clearsky_scaled(const struct irradiance_site *site,
			       const struct irradiance_month_scale *scales, size_t n_scales,
			       double t_start_s, double t_end_s, double step_s,
			       struct irradiance_estimate *out)
{
	out->ghi_w_m2 = out->poa_w_m2 = out->ghi_wh_m2 = out->poa_wh_m2 = NAN;
	out->source = IRRADIANCE_NONE;
	out->grade = 0;
	out->scaled = 0;
	long n = step_count(t_start_s, t_end_s, step_s);
	if (n == 0)
		return -EINVAL;
	double h = (t_end_s - t_start_s) / (double)n, ghi_sum = 0, poa_sum = 0;
	int all_scaled = 1;
	for (long i = 0; i < n; i++) {
		double t = t_start_s + ((double)i + 0.5) * h;
		struct solar_position sp;
		struct solar_irradiance irr;
		if (site_sun(site, t, &sp) != 0)
			return -EINVAL;
		solar_clearsky_ineichen(&sp, site->altitude_m, site_turbidity(site), &irr);
		int y, m;
		irradiance_local_month(t, site->utc_offset_s, &y, &m);
		const struct irradiance_month_scale *ms = find_scale(scales, n_scales, y, m);
		if (ms) {
			solar_decompose_erbs(irr.ghi_w_m2 * ms->scale, &sp, &irr);
		} else {
			all_scaled = 0;
		}
		ghi_sum += irr.ghi_w_m2;
		poa_sum += solar_poa_w_m2(site->transposition, &irr, &sp, site->tilt_deg,
					  site->azimuth_deg, site->albedo);
	}
	out->ghi_w_m2 = ghi_sum / (double)n;
	out->poa_w_m2 = poa_sum / (double)n;
	out->ghi_wh_m2 = ghi_sum * h / 3600.0;
	out->poa_wh_m2 = poa_sum * h / 3600.0;
	out->source = IRRADIANCE_CLEARSKY_SCALED;
	out->scaled = all_scaled;
	out->grade =
	    all_scaled ? IRRADIANCE_GRADE_CLEARSKY_SCALED : IRRADIANCE_GRADE_CLEARSKY_UNSCALED;
	return 0;
}

double irradiance_daylight_s(const struct irradiance_site *site, double t_start_s, double t_end_s,
			     double step_s)
{
	long n = step_count(t_start_s, t_end_s, step_s);
	if (n == 0)
		return NAN;
	double h = (t_end_s - t_start_s) / (double)n, day = 0;
	for (long i = 0; i < n; i++) {
		struct solar_position sp;
		if (site_sun(site, t_start_s + ((double)i + 0.5) * h, &sp) != 0)
			return NAN;
		if (sp.zenith_deg < 90.0)
			day += h;
	}
	return day;
}

double irradiance_distance_km(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg)
{
	double p1 = lat1_deg * DEG_TO_RAD, p2 = lat2_deg * DEG_TO_RAD;
	double dp = p2 - p1, dl = (lon2_deg - lon1_deg) * DEG_TO_RAD;
	double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
	if (a > 1)
		a = 1;
	return 2.0 * EARTH_RADIUS_KM * asin(sqrt(a));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int irradiance_peer_compare(double lat_deg, double lon_deg, double yf_h,
			    const struct irradiance_peer *peers, size_t n_peers, double radius_km,
			    size_t min_peers, struct irradiance_peer_result *out)
{
	out->expected_yf_h = NAN;
	out->ratio = NAN;
	out->n_used = 0;
	out->grade = IRRADIANCE_GRADE_PEER;
	double *yf = xcalloc(n_peers ? n_peers : 1, sizeof *yf);
	size_t n = 0;
	for (size_t i = 0; i < n_peers; i++) {
		const struct irradiance_peer *p = &peers[i];
		if (!p->healthy || !isfinite(p->yf_h))
			continue;
		if (irradiance_distance_km(lat_deg, lon_deg, p->lat_deg, p->lon_deg) > radius_km)
			continue;
		yf[n++] = p->yf_h;
	}
	out->n_used = n;
	/* At least one peer is needed for a median whatever min_peers says. */
	if (n == 0 || n < min_peers) {
		free(yf);
		return -ENODATA;
	}
	qsort(yf, n, sizeof *yf, cmp_double);
	out->expected_yf_h = n % 2 ? yf[n / 2] : (yf[n / 2 - 1] + yf[n / 2]) / 2.0;
	free(yf);
	if (isfinite(yf_h) && out->expected_yf_h > 0)
		out->ratio = yf_h / out->expected_yf_h;
	return 0;
}

void irradiance_choose(const struct irradiance_availability *av, struct irradiance_choice *out)
{
	double minc = av->min_coverage > 0 ? av->min_coverage : IRRADIANCE_MIN_COVERAGE_DEFAULT;
	size_t minp = av->min_peers > 0 ? av->min_peers : IRRADIANCE_MIN_PEERS_DEFAULT;
	double sc = isfinite(av->sensor_coverage) ? av->sensor_coverage : 0;
	double wc = isfinite(av->weather_coverage) ? av->weather_coverage : 0;
	char why[96];

	out->scaled = 0;
	if (sc >= minc) {
		out->source = IRRADIANCE_SENSOR;
		out->grade = IRRADIANCE_GRADE_SENSOR;
		snprintf(out->reason, sizeof out->reason, "sensor covers %.0f%% of the window",
			 100 * sc);
		return;
	}
	if (sc > 0)
		snprintf(why, sizeof why, "sensor covers only %.0f%% (< %.0f%%)", 100 * sc,
			 100 * minc);
	else
		snprintf(why, sizeof why, "no sensor data");
	if (wc >= minc) {
		out->source = IRRADIANCE_WEATHER;
		out->grade = IRRADIANCE_GRADE_WEATHER;
		snprintf(out->reason, sizeof out->reason,
			 "%s; weather service covers %.0f%% of the window", why, 100 * wc);
		return;
	}
	size_t len = strlen(why);
	snprintf(why + len, sizeof why - len, "%s",
		 wc > 0 ? "; weather service incomplete" : "; no weather data");
	if (av->table_month_set) {
		out->source = IRRADIANCE_CLEARSKY_SCALED;
		out->grade = IRRADIANCE_GRADE_CLEARSKY_SCALED;
		out->scaled = 1;
		snprintf(out->reason, sizeof out->reason,
			 "%s; clear sky scaled to the typical-year table", why);
		return;
	}
	/* Peers share today's weather; an unscaled clear sky knows no clouds at all and would
	 * make every station look poor on a cloudy day, so the peers come first. */
	if (av->healthy_peers >= minp) {
		out->source = IRRADIANCE_PEER;
		out->grade = IRRADIANCE_GRADE_PEER;
		snprintf(out->reason, sizeof out->reason,
			 "%s; no typical-year value for the month; median of %zu peers", why,
			 av->healthy_peers);
		return;
	}
	out->source = IRRADIANCE_CLEARSKY_SCALED;
	out->grade = IRRADIANCE_GRADE_CLEARSKY_UNSCALED;
	/* A reason cut short is still a reason: the length is checked only to say so. */
	if (snprintf(out->reason, sizeof out->reason,
		     "%s; no typical-year value for the month and %zu peers (< %zu); unscaled "
		     "clear sky",
		     why, av->healthy_peers, minp) >= (int)sizeof out->reason)
		out->reason[sizeof out->reason - 2] = '.';
}
