/* /metrics in the Prometheus text exposition format, following its naming guide: base units
 * (watts, joules, seconds), "_total" on counters, energy as a joules counter, ratios 0-1, and
 * only station-level labels. Pure: renders figures the caller gathered. */
#ifndef PVRELIEF_WEB_METRICS_H
#define PVRELIEF_WEB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/strbuf.h"

struct web_metrics_station {
	const char *id;
	double power_w;		     /* sum of its inverters' newest power; NAN none */
	double energy_wh;	     /* counted since records began */
	double eta_today, eta_month; /* NAN none */
	int online;		     /* 1 when at least one device answers */
	int devices, devices_online;
	int64_t requests_ok, requests_error, requests_timeout; /* Modbus, since the daemon began */
};

struct web_metrics_alerts {
	const char *kind, *severity;
	long active;
};

struct web_metrics {
	const char *version;
	const struct web_metrics_station *stations;
	size_t n_stations;
	const struct web_metrics_alerts *alerts;
	size_t n_alerts;
	long outbox_depth;
	double data_age_s; /* since the newest reading; NAN none */
	int daemon_silent;
};

/* Appends every metric with its HELP and TYPE lines to b; samples without a value are left
 * out. */
void web_metrics_render(const struct web_metrics *m, struct strbuf *b);

/* A county as the province hub knows it, for the province's metrics. */
struct web_metrics_county {
	const char *id;
	long stations, stations_online;
	double power_w;		   /* the stations online, as they last reported */
	double eta_day, eta_month; /* NAN none */
	long alerts_active;
	/* As the county sent them (NAN when it sent none): its ledger head's sequence, whether
	 * its own month KPIs meet the county target (1 or 0) and their online rate. */
	double ledger_seq, meets_target, online_rate;
};

/* Appends the province's metrics (label county) for n counties to b, in the same way. */
void web_metrics_render_counties(const struct web_metrics_county *c, size_t n, struct strbuf *b);

#endif
