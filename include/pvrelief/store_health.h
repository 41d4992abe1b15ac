/* The store's readers behind `pvrelief health`: a station's stored daily figures over a
 * range of days, and the per-device counts the period's KPIs are computed from. */
#ifndef PVRELIEF_STORE_HEALTH_H
#define PVRELIEF_STORE_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/store_eff.h"

struct store;

/* Fills out (cap) with a station's stored daily figures for the days first_day..last_day
 * (YYYY-MM-DD, inclusive) in day order; each entry's station pointer is the caller's.
 * Returns the count or negative. */
int store_eff_days(struct store *st, const char *station, const char *first_day,
		   const char *last_day, struct store_eff_day *out, size_t cap);
/* Fills days (cap entries of 11 bytes) with the days first_day..last_day on which a station
 * has rollups, in order; returns the count or negative. */
int store_station_days(struct store *st, const char *station, const char *first_day,
		       const char *last_day, char (*days)[11], size_t cap);
/* Sums a device's valid and rejected readings over the days first_day..last_day into
 * *valid and *rejected; 0 or negative. */
int store_device_range_counts(struct store *st, int64_t device_id, const char *first_day,
			      const char *last_day, long *valid, long *rejected);
/* Measures how long a device reported operating state `state` (e.g. INV_STATE_FAULT) in
 * [t0, t1) from its raw readings: a run lasts from its first reading in that state to the
 * next reading in another state (or its last reading in the period). Stores the total and
 * the longest run in seconds; 0 or negative. Raw readings are kept database.retention_days,
 * so older periods count nothing. */
int store_device_state_time(struct store *st, int64_t device_id, int state, double t0, double t1,
			    double *total_s, double *longest_s);
/* Returns the number of alerts of a kind ("fault", ...) raised for a station in [t0, t1),
 * or negative. */
long store_alert_count(struct store *st, const char *station, const char *kind, double t0,
		       double t1);

#endif
