/* The daemon's alert engine: evaluates the rules (offline, fault, zero output, data anomaly,
 * low efficiency, PR drop, cleaning due, inspection overdue, county target at risk) on what
 * the poller and the efficiency engine report, runs them through the alert lifecycle
 * (alert.h), and delivers each event: the alert and its MQTT outbox row in one transaction,
 * then the chat-group webhooks. It also publishes the retained station and county states. */
#ifndef PVRELIEF_ALERT_ENGINE_H
#define PVRELIEF_ALERT_ENGINE_H

#include <stddef.h>

struct alert_engine;
struct eff_engine;
struct eff_engine_county;
struct eff_engine_station;
struct clock;
struct config;
struct mqtt;
struct poller;
struct poller_result;
struct webhook;

/* Returns an engine for cfg on clk, reading live state from poller and figures from analysis
 * (all borrowed), publishing through mqtt and webhook (either may be NULL); it opens its own
 * database connection and restores the active alerts. NULL with a logged reason on failure. */
struct alert_engine *alert_engine_new(const struct config *cfg, struct clock *clk,
				      struct poller *poller, struct eff_engine *analysis,
				      struct mqtt *mqtt, struct webhook *webhook);
/* The poller's listener: records a device result (thread-safe, quick). ctx is the engine. */
void alert_engine_on_result(void *ctx, const struct poller_result *res);
/* Starts the evaluation thread (every fast_interval seconds of the clock). */
int alert_engine_start(struct alert_engine *a);
/* Stops the evaluation thread after the round in hand. */
void alert_engine_stop(struct alert_engine *a);
/* Frees a stopped engine; accepts NULL. */
void alert_engine_free(struct alert_engine *a);
/* Returns non-zero when the county's month to date (county, read only) holds enough to be
 * judged against the county target: a theoretical generation of at least half an hour at the
 * county's full capacity, and well-measured stations to agree. The rule and the daemon's live
 * table use it, so neither says "at risk" on the first minutes of a month or of a run. */
int alert_engine_county_judged(const struct config *cfg, const struct eff_engine_county *county);
/* Runs one evaluation round at clock time now (the thread does this; tests may too). */
void alert_engine_evaluate(struct alert_engine *a, double now);

#endif
