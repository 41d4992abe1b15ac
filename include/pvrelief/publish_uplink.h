/* The uplink's payloads to the province broker, built with jansson: versioned JSON documented
 * in docs/uplink.md. Pure: the caller passes the figures, the revision and the time. Every
 * message carries "v" (PUBLISH_UPLINK_VERSION), "type", "county" and "rev", the county's
 * revision counter, which only grows, so that the newest figure wins at the hub. */
#ifndef PVRELIEF_PUBLISH_UPLINK_H
#define PVRELIEF_PUBLISH_UPLINK_H

#include <stdint.h>

struct config;
struct health_report;
struct store_eff_day;

#define PUBLISH_UPLINK_VERSION 1

/* A station's month as the uplink sends it. */
struct publish_uplink_month {
	const char *station, *month;   /* month: YYYY-MM */
	double energy_wh, eth_wh, eta; /* NAN when none */
	int grade;		       /* 0 when none */
};

/* An alert event as the uplink sends it. */
struct publish_uplink_alert {
	int64_t event_id, alert_id;
	const char *type; /* raised, cleared, acknowledged */
	double at, raised_at;
	const char *kind, *severity, *station, *device, *title;
};

/* A station's live figures as the uplink sends them. */
struct publish_uplink_live {
	const char *station, *state;
	double power_w, energy_today_wh;
	long devices, online;
};

/* Returns the station registry (caller frees): county name and every station's capacity,
 * location, village and town. Without rev ("rev" 0) it is the text compared to see whether
 * the registry changed. */
char *publish_uplink_registry(const struct config *cfg, int64_t rev, double now);
/* Returns a station-day figure (caller frees). */
char *publish_uplink_day(const struct config *cfg, const struct store_eff_day *d, int64_t rev,
			 double now);
/* Returns a station-month figure (caller frees). */
char *publish_uplink_month(const struct config *cfg, const struct publish_uplink_month *m,
			   int64_t rev, double now);
/* Returns an alert event (caller frees). */
char *publish_uplink_alert(const struct config *cfg, const struct publish_uplink_alert *a,
			   int64_t rev, double now);
/* Returns the money ledger's head (caller frees): its last entry's seq and hash. */
char *publish_uplink_ledger(const struct config *cfg, int64_t seq, const char *hash, int64_t rev,
			    double now);
/* Returns the county's KPIs of a month (caller frees) from its health report r, summarized
 * (health_summarize), as `pvrelief health --month` shows them: eta, PR, generation capability,
 * equivalent hours, online, fault and anomaly rates, and the county target. */
char *publish_uplink_kpi(const struct config *cfg, const struct health_report *r, int64_t rev,
			 double now);
/* Returns a station's live summary (caller frees). */
char *publish_uplink_live(const struct config *cfg, const struct publish_uplink_live *l,
			  int64_t rev, double now);

#endif
