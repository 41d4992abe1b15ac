/* The health table's gathering: what `pvrelief health` and the console read from the store
 * for a period, so that both show the same figures. */
#include "pvrelief/health_gather.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/kpi.h"
#include "pvrelief/reading.h"
#include "pvrelief/slot.h"
#include "pvrelief/solar.h"
#include "pvrelief/store.h"
#include "pvrelief/store_eff.h"
#include "pvrelief/store_health.h"
#include "pvrelief/xalloc.h"

enum { MAX_DAYS = 31 };

/* Marks the daylight quarter-hours of [t0, t0 + 900 nq) at a station in mask (nq entries): the
 * sun above the horizon at the middle of the quarter, as the efficiency engine counts them;
 * returns how many. */
static double daylight_quarters(const struct config_station *st, double t0, size_t nq,
				unsigned char *mask)
{
	double n = 0;
	for (size_t k = 0; k < nq; k++) {
		struct solar_position sp;
		mask[k] = solar_position(t0 + SLOT_QUARTER_S * (double)k + SLOT_QUARTER_S / 2.0,
					 st->lat_deg, st->lon_deg, st->altitude_m, 1013.25, 15.0,
					 SOLAR_DELTA_T_DEFAULT_S, &sp) == 0 &&
			  sp.elevation_deg > 0;
		n += mask[k];
	}
	return n;
}

/* Fills a station's row from the store; 0 or negative (with why). */
static int gather(struct store *st, const struct config *cfg, const struct config_station *cs,
		  const char *first, const char *last, double t0, double until, size_t nq,
		  const unsigned char *lit, struct health_station *row, char *why, size_t whylen)
{
	health_station_reset(row);
	row->id = cs->id;
	row->name = cs->name;
	row->capacity_kwp = cs->capacity_kwp;
	struct store_eff_day days[MAX_DAYS];
	int n = store_eff_days(st, cs->id, first, last, days, MAX_DAYS);
	if (n < 0)
		goto fail;
	for (int i = 0; i < n; i++)
		health_station_add_day(row, &days[i]);
	/* Its inverters, as configured, with their stored days. */
	const char **ids = xcalloc(cs->n_devices + 1, sizeof *ids);
	row->inverters = xcalloc(cs->n_devices + 1, sizeof *row->inverters);
	for (size_t d = 0; d < cs->n_devices; d++) {
		if (cs->devices[d].role != CONFIG_INVERTER)
			continue;
		struct health_inverter *inv = &row->inverters[row->n_inverters];
		inv->id = ids[row->n_inverters++] = cs->devices[d].id;
		inv->dc_kwp = cs->devices[d].dc_kwp;
	}
	size_t cap = (size_t)MAX_DAYS * (row->n_inverters + 1);
	struct store_inv_day *idays = xcalloc(cap, sizeof *idays);
	int ni = store_inv_days(st, cs->id, ids, row->n_inverters, first, last, idays, cap);
	for (int i = 0; i < ni; i++)
		for (size_t k = 0; k < row->n_inverters; k++)
			if (idays[i].device == ids[k])
				health_inverter_add_day(&row->inverters[k], &idays[i]);
	free(idays);
	free(ids);
	if (ni < 0)
		goto fail;
	for (size_t d = 0; d < cs->n_devices; d++) {
		if (cs->devices[d].role != CONFIG_INVERTER)
			continue;
		int64_t id;
		long valid = 0, rejected = 0, got;
		double fault_s = 0, longest_s = 0;
		/* A lookup, not store_device_id, which inserts: the console gathers inside a read
		 * transaction, which cannot take the write lock once the daemon has committed
		 * since it began. A device never stored has no readings and no expected quarters
		 * (they count from its first reading). */
		int found = store_device_lookup(st, cs->id, cs->devices[d].id, &id);
		if (found < 0)
			goto fail;
		if (found == 1)
			continue;
		if (store_device_range_counts(st, id, first, last, &valid, &rejected) != 0 ||
		    (got = store_device_valid_quarters(st, id, t0, nq, lit)) < 0 ||
		    store_device_state_time(st, id, INV_STATE_FAULT, t0, until, &fault_s,
					    &longest_s) != 0)
			goto fail;
		/* A device's daylight quarters before its first reading ever are not offline
		 * ones: it was not installed or configured yet. */
		double since;
		if (store_device_first_ts(st, id, &since) != 0)
			goto fail;
		row->quarters_expected += kpi_expected_quarters(lit, nq, t0, since);
		row->quarters_valid += (double)got;
		row->readings += valid + rejected;
		row->rejected += rejected;
		row->fault_min += fault_s / 60.0;
		row->longest_fault_min = fmax(row->longest_fault_min, longest_s / 60.0);
	}
	if ((row->fault_alerts = store_alert_count(st, cs->id, "fault", t0, until)) < 0)
		goto fail;
	health_station_finish(row, cfg->efficiency.station_target);
	return 0;
fail:
	snprintf(why, whylen, "station %s: database: %s", cs->id, store_errmsg(st));
	free(row->inverters);
	row->inverters = NULL;
	row->n_inverters = 0;
	return -1;
}

void health_gather_period(struct health_report *r, int utc_offset_s, int year, int month, int day,
			  double *t0, double *t1)
{
	irradiance_month_bounds(year, month, utc_offset_s, t0, t1);
	if (day > 0) {
		r->is_day = 1;
		snprintf(r->period, sizeof r->period, "%04u-%02u-%02u", (unsigned)year % 10000u,
			 (unsigned)month % 100u, (unsigned)day % 100u);
		snprintf(r->first_day, sizeof r->first_day, "%s", r->period);
		snprintf(r->last_day, sizeof r->last_day, "%s", r->period);
		*t0 += (day - 1) * 86400.0;
		*t1 = *t0 + 86400.0;
	} else {
		r->is_day = 0;
		snprintf(r->period, sizeof r->period, "%04u-%02u", (unsigned)year % 10000u,
			 (unsigned)month % 100u);
		snprintf(r->first_day, sizeof r->first_day, "%04u-%02u-01", (unsigned)year % 10000u,
			 (unsigned)month % 100u);
		store_local_day(*t1 - 1, utc_offset_s, r->last_day);
	}
}

int health_gather(struct store *st, const struct config *cfg, const struct config_station *only,
		  struct health_report *r, double t0, double t1, double now, char *why,
		  size_t whylen)
{
	double until = fmax(t0, fmin(t1, now));
	r->county_id = cfg->county_id;
	r->county_name = cfg->county_name;
	r->until_unix = until;
	r->utc_offset_s = cfg->utc_offset_s;
	r->basis = cfg->efficiency.basis == CONFIG_BASIS_POA ? "poa" : "horizontal";
	r->station_target = cfg->efficiency.station_target;
	r->county_target = cfg->efficiency.county_target;
	r->fault_threshold_min = cfg->alerts.fault_minutes;
	r->show_inverters = only != NULL;
	r->stations = xcalloc(cfg->n_stations + 1, sizeof *r->stations);
	r->villages = xcalloc(cfg->n_villages + 1, sizeof *r->villages);
	long *vmap = xcalloc(cfg->n_villages + 1, sizeof *vmap);
	for (size_t v = 0; v < cfg->n_villages; v++)
		vmap[v] = -1;
	/* The period's quarter-hours; stations at one place share their daylight mask. */
	size_t nq = until > t0 ? (size_t)((until - t0) / SLOT_QUARTER_S) : 0;
	unsigned char **mask = xcalloc(cfg->n_stations + 1, sizeof *mask);
	double *quarters = xcalloc(cfg->n_stations + 1, sizeof *quarters);
	int rc = 0;
	for (size_t s = 0; s < cfg->n_stations; s++) {
		const struct config_station *cs = &cfg->stations[s];
		if (only && only != cs)
			continue;
		const unsigned char *lit = NULL;
		for (size_t p = 0; p < s && !lit; p++) {
			const struct config_station *ps = &cfg->stations[p];
			if (mask[p] && ps->lat_deg == cs->lat_deg && ps->lon_deg == cs->lon_deg &&
			    ps->altitude_m == cs->altitude_m) {
				lit = mask[p];
				quarters[s] = quarters[p];
			}
		}
		if (!lit) {
			mask[s] = xcalloc(nq ? nq : 1, 1);
			quarters[s] = daylight_quarters(cs, t0, nq, mask[s]);
			lit = mask[s];
		}
		struct health_station *row = &r->stations[r->n_stations];
		if (gather(st, cfg, cs, r->first_day, r->last_day, t0, until, nq, lit, row, why,
			   whylen) != 0) {
			rc = -1;
			break;
		}
		if (vmap[cs->village] < 0) {
			vmap[cs->village] = (long)r->n_villages;
			r->villages[r->n_villages].id = cfg->villages[cs->village].id;
			r->villages[r->n_villages].name = cfg->villages[cs->village].name;
			r->n_villages++;
		}
		row->village = (size_t)vmap[cs->village];
		r->n_stations++;
	}
	for (size_t s = 0; s < cfg->n_stations; s++)
		free(mask[s]);
	free(mask);
	free(quarters);
	free(vmap);
	return rc;
}

void health_gather_free(struct health_report *r)
{
	for (size_t s = 0; r->stations && s < r->n_stations; s++)
		free(r->stations[s].inverters);
	free(r->stations);
	free(r->villages);
	r->stations = NULL;
	r->villages = NULL;
	r->n_stations = r->n_villages = 0;
}
