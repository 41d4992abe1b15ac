/* The province hub's tables (migration 13, and the ledger heads and county KPIs of the
 * migration after the loss attribution's): what the counties sent over their uplinks, each
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

/* A county's money ledger head as it last sent it. */
struct store_hub_ledger {
	const char *county, *hash;
	int64_t seq;
	double at; /* the county's clock when it sent it */
	int64_t rev;
};

/* A county's KPIs of one month, as the county's `pvrelief health --month` computes them. */
struct store_hub_kpi {
	const char *county, *month;				   /* month: YYYY-MM */
	double until;						   /* the figures run to (unix s) */
	long stations, stations_with_eta, stations_meeting_target; /* -1 when none */
	double energy_wh, e_act_wh, eth_wh, eta, eta_grade12, pr;  /* NAN when none */
	double capability_pct, equivalent_hours;		   /* NAN when none */
	double online_rate, fault_rate, anomaly_rate;		   /* 0-1, NAN when none */
	double county_target;
	int meets_target; /* 1, 0, or -1 when there is no eta */
	int worst_grade;  /* 0 when none */
};

/* Sets the hub's connection up for its batches of writes (a larger page cache, fewer
 * checkpoints); 0 or negative. */
int store_hub_tune(struct store *st);

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
/* Keeps the head of the highest revision per county. */
int store_hub_ledger_put(struct store *st, const struct store_hub_ledger *l);
/* Keeps the KPIs of the highest revision per county and month. */
int store_hub_kpi_put(struct store *st, const struct store_hub_kpi *k, int64_t rev);

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

/* Each county's ledger head, by county. */
int store_hub_ledger_each(struct store *st, int (*fn)(void *ctx, const struct store_hub_ledger *l),
			  void *ctx);
/* Fills *out with a county's ledger head (strings valid until the next call on st); returns 0,
 * 1 when the county sent none, or negative. */
int store_hub_ledger_get(struct store *st, const char *county, struct store_hub_ledger *out);
/* Each county's KPIs of month (YYYY-MM), by county. */
int store_hub_kpi_each(struct store *st, const char *month,
		       int (*fn)(void *ctx, const struct store_hub_kpi *k), void *ctx);
/* Fills *out with a county's KPIs of month (strings valid until the next call on st); returns
 * 0, 1 when there are none, or negative. */
int store_hub_kpi_get(struct store *st, const char *county, const char *month,
		      struct store_hub_kpi *out);

#endif
