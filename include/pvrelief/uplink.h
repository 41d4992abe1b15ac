/* The county's uplink to the province broker (docs/uplink.md): a thread that turns what
 * changed in the database (station-days, station-months, alert events: listed by triggers in
 * the same transaction as the change) and the station registry into versioned messages in the
 * uplink outbox, each under a revision that only grows, plus a live summary of each station
 * every uplink.live_interval seconds of clock when its power moved by more than the deadband
 * or its heartbeat is due; a second MQTT transport empties that outbox in order, QoS 1, across
 * outages and restarts. */
#ifndef PVRELIEF_UPLINK_H
#define PVRELIEF_UPLINK_H

struct config;
struct clock;
struct poller;
struct uplink;

/* Creates the uplink for cfg (borrowed until uplink_free) on clk, reading live figures from
 * poller (may be NULL: no live summaries); opens its own database connections and enables the
 * change triggers. Returns NULL with a logged reason. */
struct uplink *uplink_new(const struct config *cfg, struct clock *clk, struct poller *poller);
/* Starts the engine and the transport; 0 or negative. */
int uplink_start(struct uplink *u);
/* Stops the engine, then the transport after delivering for up to timeout_ms. */
void uplink_stop(struct uplink *u, int timeout_ms);
/* Frees a stopped uplink; accepts NULL. */
void uplink_free(struct uplink *u);
/* Disables the change triggers of the database at db_path (when the configuration has no
 * uplink), so nothing piles up for an uplink that does not exist. Returns 0 or negative. */
int uplink_disable(const char *db_path);

#endif
