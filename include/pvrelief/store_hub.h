/* The province hub's tables (migration 13): what the counties sent over their uplinks, each
 * row kept with the revision that wrote it so that a message delivered twice or late never
 * replaces a newer one. */
#ifndef PVRELIEF_STORE_HUB_H
#define PVRELIEF_STORE_HUB_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct store_hub_station {
	const char *county, *station, *name, *village, *town;
	double capacity_kwp, lat, lon;
	/* Filled by store_hub_day_each only: the county's name and its last status message
	 * ("online", "offline", "" when none came yet). */
	const char *county_name, *county_status;
};

struct store_hub_day {
	const char *county, *station, *day;
	double energy_wh, e_act_wh, eth_wh, eta, pr, coverage; /* NAN when none */
	double curtailed_wh, curtail_loss_wh;		       /* NAN when none */
	const char *basis, *source;
	int grade, judgeable;
};

struct store_hub_month {
	const char *county, *station, *month;
	double energy_wh, eth_wh, eta; /* NAN when none */
	int grade;		       /* 0 when none */
};

struct store_hub_alert {
	const char *county;
	int64_t event_id, alert_id;
	const char *type, *kind, *severity, *station, *device, *title;
	double at, raised_at;
};

struct store_hub_live {
	const char *county, *station, *state;
	double at, power_w, energy_today_wh;
	long devices, online;
};

/* Writers: each returns 1 when the row was written, 0 when a newer revision (or the same
 * event) was already there, or negative. */
int store_hub_county_seen(struct store *st, const char *county, double at);
int store_hub_county_status(struct store *st, const char *county, const char *status, double at);
/* The registry replaces the county's stations when rev is newer than the last registry. */
int store_hub_registry(struct store *st, const char *county, const char *name, int64_t rev,
		       const struct store_hub_station *stations, size_t n);
int store_hub_day_put(struct store *st, const struct store_hub_day *d, int64_t rev);
int store_hub_month_put(struct store *st, const struct store_hub_month *m, int64_t rev);
int store_hub_alert_put(struct store *st, const struct store_hub_alert *a, int64_t rev);
int store_hub_live_put(struct store *st, const struct store_hub_live *l, int64_t rev);

/* Readers call fn for each row (its strings valid during the call); fn returns 0 to go on.
 * They return 0, the first non-zero of fn, or negative on an error. */
/* The day's station figures, by county then station; stations of the registry without a
 * figure come with NAN figures and grade 0. */
int store_hub_day_each(struct store *st, const char *day,
		       int (*fn)(void *ctx, const struct store_hub_day *d,
				 const struct store_hub_station *s),
		       void *ctx);
/* Counties known to the hub with their status, in order. */
int store_hub_county_each(struct store *st,
			  int (*fn)(void *ctx, const char *county, const char *name,
				    const char *status, double last_seen),
			  void *ctx);
/* Alert events, newest first (limit rows; 0: all), or only the alerts whose latest event is
 * not "cleared" when active_only. */
int store_hub_alert_each(struct store *st, int active_only, int limit,
			 int (*fn)(void *ctx, const struct store_hub_alert *a), void *ctx);

#endif
