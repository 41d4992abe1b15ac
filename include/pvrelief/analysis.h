/* The efficiency engine of the daemon: every pass, each station's generation parameter,
 * PR and yields over the last hour and the day so far, from the stored 5-minute slots and the
 * best irradiance source the station has (its sensor, the weather service, the scaled clear
 * sky, the median yield of healthy stations nearby), and each station's ratio to that median;
 * days whose data changed since they were computed are computed again. Daily and monthly
 * figures go to the store with their basis, source and grade. */
#ifndef PVRELIEF_ANALYSIS_H
#define PVRELIEF_ANALYSIS_H

#include <stddef.h>

#include "pvrelief/efficiency.h"
#include "pvrelief/store_eff.h"

struct analysis;
struct clock;
struct config;
struct store;
struct weather;

struct analysis_station {
	size_t station; /* index into the configuration */
	int valid;	/* computed at least once */
	double computed_at;
	struct efficiency_window hour; /* the last hour */
	struct efficiency_window day;  /* local midnight until now */
	double online_rate, anomaly_rate; /* today, NAN when unknown */
	char reason[160];		  /* why the irradiance source was chosen */
};

struct analysis_county {
	struct efficiency_aggregate day; /* today, energy-weighted */
	struct efficiency_aggregate mtd; /* month to date */
	struct efficiency_risk risk;	 /* the county target at risk this month */
};

/* Called after every pass with every station (n) and the county; from the engine's thread. */
typedef void (*analysis_listener)(void *ctx, const struct analysis_station *st, size_t n,
				  const struct analysis_county *county, double now);

/* Returns an engine for cfg on clk (both borrowed), with weather (may be NULL) as a source;
 * it opens its own database connection. NULL with a logged reason on failure. */
struct analysis *analysis_new(const struct config *cfg, struct clock *clk, struct weather *w);
/* Sets the listener (before analysis_start). */
void analysis_set_listener(struct analysis *a, analysis_listener fn, void *ctx);
/* Starts the pass thread (a pass every efficiency.interval seconds of the clock). */
int analysis_start(struct analysis *a);
/* Stops the pass thread after the pass in hand. */
void analysis_stop(struct analysis *a);
/* Frees a stopped engine; accepts NULL. */
void analysis_free(struct analysis *a);
/* Runs one pass at clock time now (the thread does this; so may the CLI); 0 or negative. */
int analysis_pass(struct analysis *a, double now);
/* Computes and stores the local day (YYYY-MM-DD) of the stations whose flag in want (one per
 * configured station) is set, or of every station when want is NULL, whole or until now when it
 * is today; each is weighed against its peers nearby, those computed here as computed and the
 * others as stored for the day. Returns the number of stations not computed or stored. */
int analysis_days(struct analysis *a, const char *day, double now, const unsigned char *want);
/* Computes and stores one station's local day (YYYY-MM-DD) whole, or until now when it is
 * today; fills *out when not NULL. Returns 0 or negative. */
int analysis_day(struct analysis *a, size_t station, const char *day, double now,
		 struct store_eff_day *out);
/* Copies the latest figures: stations into out (cap) and the county into *county (may be
 * NULL); returns the number of stations copied. */
size_t analysis_snapshot(struct analysis *a, struct analysis_station *out, size_t cap,
			 struct analysis_county *county);

#endif
