/* Gathering the health table from the store: the period's bounds, and every station's stored
 * days, inverter days and KPI counts, as `pvrelief health` and the console's health page show
 * them. */
#ifndef PVRELIEF_HEALTH_GATHER_H
#define PVRELIEF_HEALTH_GATHER_H

#include <stddef.h>

#include "pvrelief/health.h"

struct config;
struct config_station;
struct store;

/* Sets r's period to a local day (day 1-31) or, with day 0, the month year-month: is_day,
 * period, first_day and last_day; stores its bounds in unix seconds in *t0 and *t1. */
void health_gather_period(struct health_report *r, int utc_offset_s, int year, int month, int day,
			  double *t0, double *t1);
/* Fills r (its period set by health_gather_period over [t0, t1)) with every station of cfg,
 * or only `only`, from the store up to now, and the targets of cfg; the caller then calls
 * health_summarize. Returns 0, or -1 with a sentence in why. Free what it allocated with
 * health_gather_free, also after a failure. */
int health_gather(struct store *st, const struct config *cfg, const struct config_station *only,
		  struct health_report *r, double t0, double t1, double now, char *why,
		  size_t whylen);
/* Frees the stations, inverters and villages health_gather allocated in r. */
void health_gather_free(struct health_report *r);

#endif
