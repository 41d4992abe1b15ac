/* MQTT transport: publishes the daemon's status, station state and alert events to a broker
 * under <prefix>/<county>/. Alert events go through an outbox in the database and are only
 * forgotten once the broker has acknowledged them, in the order they were raised, across
 * broker outages and daemon restarts. State messages keep only their latest value. */
#ifndef PVRELIEF_MQTT_H
#define PVRELIEF_MQTT_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/store_outbox.h"

struct config;
struct mqtt;

/* Counters for diagnostics and tests. */
struct mqtt_stats {
	int connected;		   /* 1 while a session with the broker is up */
	long outbox_len;	   /* events waiting for an acknowledgement; -1 if unknown */
	uint64_t delivered;	   /* events acknowledged by the broker and deleted */
	uint64_t failures;	   /* publishes that failed or were cut off */
	uint64_t connect_failures; /* connection attempts that failed */
	uint64_t connects;	   /* sessions established */
};

/* Where a transport connects and which outbox it empties: the county's own broker (from
 * cfg->mqtt) or the province broker (the uplink). Strings are borrowed for mqtt_new_link. */
struct mqtt_link {
	const char *name; /* for log lines: "mqtt", "uplink" */
	const char *host;
	int port, tls, keepalive_s;
	const char *client_id, *prefix;
	const char *ca_file, *cert_file, *key_file; /* NULL or "" when unused */
	const char *username, *password;	    /* NULL or "" when unused */
	int ha_discovery;
	const char *ha_prefix;
	enum store_outbox_box box;
};

/* Creates a transport for l (copied) publishing under <l->prefix>/<county>/ and emptying
 * l->box of the database at db_path through its own connection, whose writes stop at
 * max_size_mb (0: no limit). Does not connect yet. Returns NULL after logging why. */
struct mqtt *mqtt_new_link(const struct mqtt_link *l, const char *county, const char *db_path,
			   int max_size_mb);
/* Creates the transport for cfg->mqtt (copied; cfg may be freed afterwards) with its own
 * connection to the database at db_path for the outbox. Does not connect yet. Returns NULL
 * after logging why; the caller frees with mqtt_free. */
struct mqtt *mqtt_new(const struct config *cfg, const char *db_path);
/* Starts the sender thread, which connects, reconnects with backoff and delivers; returns
 * 0 or negative. */
int mqtt_start(struct mqtt *m);
/* Delivers what it can within timeout_ms while connected, publishes the offline status and
 * disconnects cleanly (so the broker does not send the will); events not yet acknowledged
 * stay in the outbox for the next start. Returns 0, or negative if events remain. */
int mqtt_stop(struct mqtt *m, int timeout_ms);
/* Stops if needed and frees the transport; accepts NULL. */
void mqtt_free(struct mqtt *m);
/* Writes "<prefix>/<county>/<suffix>" into buf; returns 0, or -1 when it does not fit or
 * suffix is empty or holds a wildcard. */
int mqtt_topic(const struct mqtt *m, const char *suffix, char *buf, size_t len);
/* Publishes a state message (retained when retain) on <prefix>/<county>/<suffix>; while
 * disconnected only the latest value per topic is kept, in memory, and sent on reconnect.
 * Copies its arguments; returns 0 or negative for a bad topic. */
int mqtt_publish_state(struct mqtt *m, const char *topic_suffix, const char *json_text, int retain);
/* Writes an alert event to the outbox for delivery at QoS 1 on <prefix>/<county>/<suffix>;
 * the payload is sent exactly as given. Returns 0 once it is in the database, or negative. */
/* Wakes the sender to look at the outbox: rows may have been added by another database
 * connection (the alert engine writes an alert and its outbox row in one transaction). */
void mqtt_notify(struct mqtt *m);
int mqtt_enqueue(struct mqtt *m, const char *topic_suffix, const char *json_text,
		 double created_ts);
/* When cfg->mqtt.ha_discovery is on, publishes retained Home Assistant discovery configs
 * for a station's power (W), energy today (kWh), efficiency and online state, read from
 * the JSON keys power_w, energy_today_kwh, eta and online of the state message on
 * <prefix>/<county>/<state_suffix>. Returns 0 (also when discovery is off) or negative. */
int mqtt_ha_discovery(struct mqtt *m, const char *station_id, const char *station_name,
		      const char *state_suffix);
/* Fills *out with the current counters. */
void mqtt_stats(struct mqtt *m, struct mqtt_stats *out);

#endif
