/* The MQTT payloads, built with jansson: a station's retained state, the county's retained
 * state and alert events. Pure: the caller passes the figures and the time. The topic tree
 * and every field are documented in README.md. */
#ifndef PVRELIEF_PUBLISH_H
#define PVRELIEF_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct poller_station_live;
struct eff_engine_station;
struct eff_engine_county;

/* One figure of an alert (name, value, unit). */
struct publish_figure {
	const char *name;
	double value;
	const char *unit;
};

/* An alert event as published. */
struct publish_alert {
	uint64_t id;
	int cleared;
	const char *kind, *kind_zh, *severity;
	int station;	    /* index, -1 for the county */
	const char *device; /* NULL or "" for the station */
	const char *title, *detail;
	const struct publish_figure *figures;
	size_t n_figures;
	double raised_at, at; /* when raised; when this event happened */
};

/* An active alert as listed in a station's state. */
struct publish_active {
	uint64_t id;
	const char *kind, *severity;
	const char *device;
};

/* Returns a station's state JSON (caller frees): live power and energy, devices online,
 * today's generation parameter with its basis, source and grade, and the active alerts. */
char *publish_station_state(const struct config *cfg, size_t station,
			    const struct poller_station_live *live,
			    const struct eff_engine_station *eff,
			    const struct publish_active *active, size_t n_active, double now);
/* The money ledger's head: its last entry's seq (0 when empty) and hash. */
struct publish_ledger_head {
	int64_t seq;
	const char *hash;
};
/* Returns the county's state JSON (caller frees): power, energy, today's and the month's
 * energy-weighted generation parameter, stations meeting the target, the target at risk, and
 * the ledger head when head is not NULL. */
char *publish_county_state(const struct config *cfg, const struct poller_station_live *live,
			   size_t n, const struct eff_engine_county *county,
			   const struct publish_ledger_head *head, double now);
/* Returns the ledger head's JSON (caller frees), published retained as ledger/head so that
 * anyone can keep the head and later run `pvrelief ledger verify --head SEQ:HASH`. */
char *publish_ledger_head(const struct config *cfg, const struct publish_ledger_head *head,
			  double now);
/* Returns an alert event's JSON (caller frees), with its original time. */
char *publish_alert_event(const struct config *cfg, const struct publish_alert *a);
/* Returns a JSON object text of the figures (caller frees), as stored with an alert. */
char *publish_figures_json(const struct publish_figure *f, size_t n);
/* Returns the daemon's status JSON (caller frees): state ("online" or "offline"), and for
 * "online" the version and since (unix s) it has been running. */
char *publish_status(const char *state, double since);

/* A message with its full topic; both owned by whoever holds it. */
struct publish_msg {
	char *topic, *payload;
};
/* How many Home Assistant entities a station has (power, energy today, eta, online). */
#define PUBLISH_HA_ENTITIES 4
/* Fills out with a station's retained Home Assistant discovery configs (topics under
 * ha_prefix), whose values come from the JSON keys power_w, energy_today_kwh, eta and online
 * of the state message on state_topic and whose availability follows status_topic. The
 * caller frees each topic and payload. Returns how many it wrote (PUBLISH_HA_ENTITIES). */
size_t publish_ha_discovery(const char *ha_prefix, const char *county, const char *station_id,
			    const char *station_name, const char *state_topic,
			    const char *status_topic, struct publish_msg out[PUBLISH_HA_ENTITIES]);
/* Formats unix time as local ISO 8601 with the county's offset into buf. */
void publish_local_time(double t, int utc_offset_s, char *buf, size_t len);

#endif
