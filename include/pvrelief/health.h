/* The county health table of `pvrelief health`: per station over a day or a month, the
 * generation parameter with its basis, source and grade, PR, yields, energy, online rate,
 * faults and data anomalies; per village and for the county, the energy-weighted aggregates
 * and KPIs. Pure: the caller gathers the figures from the store; this module adds them up,
 * judges the marks and renders text, JSON or CSV. No I/O, no globals. "No value" is NAN. */
#ifndef PVRELIEF_HEALTH_H
#define PVRELIEF_HEALTH_H

#include <stddef.h>

#include "pvrelief/efficiency.h"
#include "pvrelief/kpi.h"
#include "pvrelief/loss.h"
#include "pvrelief/store_eff.h"

/* What the table says about a station's eta against the station target. */
enum health_mark {
	HEALTH_MARK_NONE,     /* no eta in the period */
	HEALTH_MARK_OK,	      /* eta >= target on grade 1-2 irradiance */
	HEALTH_MARK_BELOW,    /* eta < target on grade 1-2 irradiance */
	HEALTH_MARK_ESTIMATE, /* grade 3-4 irradiance: an estimate, never judged below */
	HEALTH_MARK_UNJUDGED, /* grade 1-2, but no day of the period was judgeable (too little
			       * irradiation or coverage, such as early morning): neither ok nor
			       * below */
};

enum health_format { HEALTH_TABLE, HEALTH_JSON, HEALTH_CSV };

enum { HEALTH_MAX_SOURCES = 6 };

/* One inverter over the period, on its station's irradiance. */
struct health_inverter {
	const char *id; /* borrowed */
	double dc_kwp;
	int days;
	double energy_wh, e_act_wh, eth_wh, yf_h, peer_yf_h;  /* sums */
	int grade;					      /* worst of the days with an eta */
	double energy_kwh, eta, equivalent_hours, peer_ratio; /* results; NAN none */
};

/* One station over the period. Fill the identity, the KPI counts and the days (with
 * health_station_add_day), then call health_station_finish. */
struct health_station {
	const char *id, *name; /* borrowed */
	size_t village;	       /* index into health_report.villages */
	double capacity_kwp;
	/* KPI counts gathered by the caller. */
	double quarters_expected; /* daylight 15-minute slots x inverters */
	double quarters_valid;	  /* of those, slots with a valid reading */
	long readings, rejected;  /* inverter readings in the period */
	double fault_min;	  /* minutes its inverters spent in FAULT, summed */
	double longest_fault_min; /* its longest continuous FAULT of one inverter */
	long fault_alerts;	  /* fault alerts raised in the period; -1 unknown */
	/* Sums over the stored days (health_station_add_day). */
	int days, judgeable_days;
	double energy_wh, e_act_wh, eth_wh, h_ghi_kwh_m2, h_poa_kwh_m2;
	double pr_num, pr_den, pr_stc_num, pr_stc_den;
	double peer_yf_h, own_yf_h; /* over the days compared with peers: their median, its own */
	int peer_days;
	double curtailed_wh, curtail_loss_wh; /* energy made while curtailed, and the loss */
	int curtail_loss_unknown;	      /* a day curtailed whose loss has no value */
	struct loss_figures loss;	      /* the sums of the days' loss attributions (loss.h) */
	int loss_days; /* days that have one (days computed before it have none) */
	char basis[16];
	char sources[HEALTH_MAX_SOURCES][24];
	int source_days[HEALTH_MAX_SOURCES];
	int grade; /* worst grade of the days with an eta; 0 none */
	/* Results (health_station_finish). */
	double energy_kwh, e_act_kwh, e_th_kwh, eta, pr, pr_stc, equivalent_hours;
	double online_rate, anomaly_rate;
	double curtailment_loss_kwh; /* energy the grid's limits cost (a loss of its own, not
				      * in eta); NAN when a curtailed day's loss is unknown */
	double peer_ratio;  /* its yield / its peers' median over the days compared; NAN none */
	const char *source; /* the source most days used ("" none); points into sources */
	enum health_mark mark;
	struct health_inverter *inverters; /* the caller's, n_inverters (may be 0) */
	size_t n_inverters;
};

/* A village or the county. */
struct health_group {
	const char *id, *name; /* borrowed */
	struct efficiency_aggregate eff;
	struct kpi_rate online, fault, anomaly;
	double energy_kwh;
	struct loss_figures loss; /* the stations' loss attributions summed; eff.capability_pct
				   * is 100 x its capability when it has expected energy */
	int loss_days;		  /* the most days with an attribution of any of its stations */
};

struct health_report {
	const char *county_id, *county_name; /* borrowed */
	int is_day;
	char period[11]; /* "YYYY-MM" or "YYYY-MM-DD" */
	char first_day[11], last_day[11];
	double until_unix; /* the period's end, or now when it is still running */
	int utc_offset_s;
	const char *basis; /* "horizontal" or "poa" */
	double station_target, county_target, fault_threshold_min;
	struct health_station *stations;
	size_t n_stations;
	struct health_group *villages; /* ids and names set by the caller */
	size_t n_villages;
	struct health_group county;
	int show_inverters; /* the table and CSV list each station's inverters too */
	int wide;	    /* the table has every column, not only what fits 120 columns */
	int show_losses;    /* the table has the loss attribution too (--losses); CSV is then
			     * the loss attribution's alone */
};

/* Clears a station's sums and results (identity and KPI counts stay). */
void health_station_reset(struct health_station *s);
/* Adds one stored day's figures (only read) to a station. */
void health_station_add_day(struct health_station *s, const struct store_eff_day *d);
/* Adds one stored inverter day (only read) to an inverter. */
void health_inverter_add_day(struct health_inverter *inv, const struct store_inv_day *d);
/* Computes a station's ratios, its source and its mark against station_target, and its
 * inverters' ratios. */
void health_station_finish(struct health_station *s, double station_target);
/* Computes the village and county figures from the finished stations. */
void health_summarize(struct health_report *r);
/* Returns the identifier of a mark ("ok", "below", "estimate", "" for none). */
const char *health_mark_name(enum health_mark m);
/* Renders the report in a format; returns a NUL-terminated text the caller frees. */
char *health_render(const struct health_report *r, enum health_format f);
/* Returns the columns a UTF-8 text takes on a terminal (CJK characters take two). */
size_t health_display_width(const char *s);

#endif
