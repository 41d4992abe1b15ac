/* The province as the hub's database holds it, summed for the console: each county's stations,
 * capacity, energy, η of the day and of the month to date, stations online and active alerts,
 * and the rankings of counties and of a county's stations. Pure: no I/O, no globals. */
#ifndef PVRELIEF_PROVINCE_H
#define PVRELIEF_PROVINCE_H

#include <stddef.h>

/* One station of a county as the hub last heard of it. */
struct province_station {
	char county[72], station[72], name[128], village[72], town[72];
	double capacity_kwp, lat, lon; /* NAN when the registry has none */
	/* The day's figure (NAN when none came). */
	double energy_wh, e_act_wh, eth_wh, eta, pr, coverage;
	int grade; /* 1 best .. 4; 0 none */
	char source[24];
	/* The month to date (NAN when none came). */
	double month_energy_wh, month_eth_wh, month_eta;
	int month_grade;
	/* The newest live summary: clock time it was sent (0: none came), power, energy today,
	 * devices and devices online, the county's state name ("producing", "offline", ...; ""
	 * when none came). */
	double live_at, power_w, energy_today_wh;
	long devices, online;
	char state[16];
	int alerts_active;
};

/* A county's KPIs of one month as it sent them. */
struct province_kpi {
	int known;    /* 0: the county sent none for the month */
	double until; /* the figures run to (unix s) */
	long stations, stations_with_eta, stations_meeting_target; /* -1 when none */
	double eta, pr, capability_pct;				   /* NAN when none */
	double online_rate, fault_rate, anomaly_rate;		   /* 0-1, NAN when none */
	double county_target;					   /* 0-1 */
	int meets_target; /* 1, 0, or -1 when the county has no η */
};

/* One county: what the hub knows of it and its stations summed. */
struct province_county {
	char county[72], name[128];
	char status[16];  /* the county's last status message ("online", "offline", "") */
	double last_seen; /* wall time of its newest message; NAN none */
	size_t first, n;  /* its stations: [first, first + n) of the station array */
	double capacity_kwp, energy_wh, power_w;
	/* The day's and the month's η as ratios of sums over the stations that have one (the
	 * county's own way): Σ E_act / Σ E_th. NAN when no station has one. */
	double eta_day, eta_month;
	double e_act_wh, eth_wh, month_act_wh, month_eth_wh, month_energy_wh;
	int with_eta_day, with_eta_month;
	int online;			     /* stations with a device online */
	long alerts_active, alerts_critical; /* its active alerts (every station and none) */
	/* Its money ledger's head as it last sent it: head_seq -1 when none came. */
	long long head_seq;
	char head_hash[72];
	double head_at; /* the county's clock when it sent it; NAN none */
	/* Its own KPIs of the month, as its `pvrelief health --month` computed and sent them
	 * (they are the county's, not summed here). */
	struct province_kpi kpi;
	/* Set by province_total only: counties that sent their month's KPIs, and of those the
	 * counties whose η meets their county target. */
	int counties_with_kpi, counties_meeting_target;
};

/* What counties and stations are ranked by. */
enum province_rank { PROVINCE_ETA_DAY, PROVINCE_ETA_MONTH };

/* Whether a station counts as online: its newest live summary has a device online and its
 * county has not gone offline (the broker's last will). */
int province_station_online(const struct province_station *s, const char *county_status);
/* Sums stations (n, ordered by county) into counties (nc, ordered by county id, their id,
 * name, status, last_seen and alert counts already set): every other field of each county is
 * set from its stations. A station whose county is not in counties is left out. */
void province_sum(struct province_county *counties, size_t nc,
		  const struct province_station *stations, size_t n);
/* Sums counties (n) into *out as the province: stations, capacity, energy, power, online,
 * alerts, η of the day and month as ratios of the counties' sums, and the counties that sent
 * their month's KPIs and that meet their target by them. */
void province_total(const struct province_county *counties, size_t n, struct province_county *out);
/* Sorts counties worst first by the figure: no figure last, ties by id. */
void province_rank_counties(struct province_county *counties, size_t n, enum province_rank by);
/* Sorts pointers to stations worst first by the figure: no figure last, ties by id. */
void province_rank_stations(const struct province_station **stations, size_t n,
			    enum province_rank by);

#endif
