/* The daemon's alert engine: evaluates the rules (offline, fault, zero output, data anomaly,
 * low efficiency, PR drop, cleaning due, inspection overdue, county target at risk) on what
 * the poller and the efficiency engine report, runs them through the alert lifecycle
 * (alert.h), and delivers each event: the alert and its MQTT outbox row in one transaction,
 * then the chat-group webhooks. It also publishes the retained station and county states. */
#ifndef PVRELIEF_ALERTS_H
#define PVRELIEF_ALERTS_H

#include <stddef.h>

struct alerts;
struct analysis;
struct analysis_county;
struct analysis_station;
struct clock;
struct config;
struct mqtt;
struct poller;
struct poller_result;
struct webhook;

/* Returns an engine for cfg on clk, reading live state from poller and figures from analysis
 * (all borrowed), publishing through mqtt and webhook (either may be NULL); it opens its own
 * database connection and restores the active alerts. NULL with a logged reason on failure. */
struct alerts *alerts_new(const struct config *cfg, struct clock *clk, struct poller *poller,
			  struct analysis *analysis, struct mqtt *mqtt, struct webhook *webhook);
/* The poller's listener: records a device result (thread-safe, quick). ctx is the engine. */
void alerts_on_result(void *ctx, const struct poller_result *res);
/* Starts the evaluation thread (every fast_interval seconds of the clock). */
int alerts_start(struct alerts *a);
/* Stops the evaluation thread after the round in hand. */
void alerts_stop(struct alerts *a);
/* Frees a stopped engine; accepts NULL. */
void alerts_free(struct alerts *a);
/* Runs one evaluation round at clock time now (the thread does this; tests may too). */
void alerts_evaluate(struct alerts *a, double now);

#endif
