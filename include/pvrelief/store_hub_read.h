/* The console's readers of the province hub's database (the hub_* tables that pvrelief-hub
 * writes through store_hub.c): every county and station with its day, month and live figures
 * and active alerts, each county's ledger head and month KPIs as it sent them, a station's
 * days and months, alert events. A page reads inside one read
 * transaction (store_hub_read_begin .. store_hub_read_end), so that everything it shows is
 * one snapshot; the console opens the hub's database read-only and never writes it. */
#ifndef PVRELIEF_STORE_HUB_READ_H
#define PVRELIEF_STORE_HUB_READ_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct province_county;
struct province_station;

/* A station-day as the hub holds it. */
struct store_hub_read_day {
	char day[11];
	double energy_wh, e_act_wh, eth_wh, eta, pr, coverage, curtailed_wh; /* NAN none */
	int grade, judgeable;
	char basis[16], source[24];
};

/* A station-month as the hub holds it. */
struct store_hub_read_month {
	char month[8];
	double energy_wh, eth_wh, eta; /* NAN none */
	int grade;		       /* 0 none */
};

/* An alert event as the hub holds it. */
struct store_hub_read_alert {
	char county[72], station[72], device[72], kind[32], severity[16], type[16], title[256];
	int64_t event_id, alert_id;
	double at, raised_at; /* the county's clock, unix s */
};

/* Begins a read transaction; 0 or negative. End it soon with store_hub_read_end. */
int store_hub_read_begin(struct store *st);
/* Ends the read transaction. */
void store_hub_read_end(struct store *st);
/* Loads every county the hub has heard of, ordered by id, into a new array (*out, *n; the
 * caller frees *out): id, name, status, last_seen, its active alerts (every severity and
 * critical), its ledger head and its own KPIs of month (YYYY-MM) as it sent them; the sums
 * are left for province_sum. Returns 0 or negative. */
int store_hub_read_counties(struct store *st, const char *month, struct province_county **out,
			    size_t *n);
/* Loads the stations of county (NULL: of every county), ordered by county then station, into
 * a new array (*out, *n; the caller frees *out): the registry's stations and those that sent
 * a figure for day (YYYY-MM-DD), each with that day's figure, its figure of month (YYYY-MM),
 * its newest live summary and its active alerts. Returns 0 or negative. */
int store_hub_read_stations(struct store *st, const char *county, const char *day,
			    const char *month, struct province_station **out, size_t *n);
/* Fills out (cap) with a station's days in [from, to] (YYYY-MM-DD), oldest first; returns the
 * count or negative. */
int store_hub_read_days(struct store *st, const char *county, const char *station, const char *from,
			const char *to, struct store_hub_read_day *out, size_t cap);
/* Fills out (cap) with a station's newest months, newest first; returns the count or
 * negative. */
int store_hub_read_months(struct store *st, const char *county, const char *station,
			  struct store_hub_read_month *out, size_t cap);
/* Fills out (cap) with alerts of county (NULL: every county) and station (NULL: every
 * station of it): with active_only, the newest event of each alert not cleared, oldest raised
 * first; otherwise every event, newest first. Returns the count or negative. */
int store_hub_read_alerts(struct store *st, const char *county, const char *station,
			  int active_only, struct store_hub_read_alert *out, size_t cap);
/* Sets *newest_message (wall time of the newest message of any county) and *newest_live
 * (the county clock of the newest live summary); 0 when none. Returns 0 or negative. */
int store_hub_read_newest(struct store *st, double *newest_message, double *newest_live);

#endif
