/* The efficiency engine of the daemon: every pass, each station's generation parameter,
 * PR and yields over the last hour and the day so far, from the stored 5-minute slots and the
 * best irradiance source the station has (its sensor, the weather service, the scaled clear
 * sky, the median yield of healthy stations nearby), and each station's ratio to that median;
 * days whose data changed since they were computed are computed again. Daily and monthly
 * figures go to the store with their basis, source and grade. */
#ifndef PVRELIEF_EFF_ENGINE_H
#define PVRELIEF_EFF_ENGINE_H

#include <stddef.h>

#include "pvrelief/efficiency.h"
#include "pvrelief/store_eff.h"

struct eff_engine;
struct clock;
struct config;
struct store;
struct weather;

struct eff_engine_station {
	size_t station; /* index into the configuration */
	int valid;	/* computed at least once */
	double computed_at;
	struct efficiency_window hour;	  /* the last hour */
	struct efficiency_window day;	  /* local midnight until now */
	double online_rate, anomaly_rate; /* today, NAN when unknown */
	char reason[160];		  /* why the irradiance source was chosen */
};

struct eff_engine_county {
	struct efficiency_aggregate day; /* today, energy-weighted */
	struct efficiency_aggregate mtd; /* month to date */
	struct efficiency_risk risk;	 /* the county target at risk this month */
};

/* Called after every pass with every station (n) and the county; from the engine's thread. */
typedef void (*eff_engine_listener)(void *ctx, const struct eff_engine_station *st, size_t n,
				    const struct eff_engine_county *county, double now);

/* Returns an engine for cfg on clk (both borrowed), with weather (may be NULL) as a source;
 * it opens its own database connection. NULL with a logged reason on failure. */
struct eff_engine *eff_engine_new(const struct config *cfg, struct clock *clk, struct weather *w);
/* Sets the listener (before eff_engine_start). */
void eff_engine_set_listener(struct eff_engine *a, eff_engine_listener fn, void *ctx);
/* Starts the pass thread (a pass every efficiency.interval seconds of the clock). */
int eff_engine_start(struct eff_engine *a);
/* Stops the pass thread after the pass in hand. */
void eff_engine_stop(struct eff_engine *a);
/* Frees a stopped engine; accepts NULL. */
void eff_engine_free(struct eff_engine *a);
/* Runs one pass at clock time now (the thread does this; so may the CLI); 0 or negative. */
int eff_engine_pass(struct eff_engine *a, double now);
/* Computes and stores the local day (YYYY-MM-DD) of the stations whose flag in want (one per
 * configured station) is set, or of every station when want is NULL, whole or until now when it
 * is today; each is weighed against its peers nearby, those computed here as computed and the
 * others as stored for the day. Returns the number of stations not computed or stored. */
int eff_engine_days(struct eff_engine *a, const char *day, double now, const unsigned char *want);
/* Computes and stores one station's local day (YYYY-MM-DD) whole, or until now when it is
 * today; fills *out when not NULL. Returns 0 or negative. */
int eff_engine_day(struct eff_engine *a, size_t station, const char *day, double now,
		   struct store_eff_day *out);
/* Copies the latest figures: stations into out (cap) and the county into *county (may be
 * NULL); returns the number of stations copied. */
size_t eff_engine_snapshot(struct eff_engine *a, struct eff_engine_station *out, size_t cap,
			   struct eff_engine_county *county);

#endif
