/* The MQTT outboxes: alert events kept in the database from the moment they are raised until
 * the broker acknowledges them, and the uplink's messages to the province broker likewise.
 * Only the MQTT module (and the uplink engine, to fill its box) uses them. */
#ifndef PVRELIEF_STORE_OUTBOX_H
#define PVRELIEF_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* One waiting event; topic and payload are owned by the row (see store_outbox_rows_free). */
struct store_outbox_row {
	int64_t id;
	char *topic;
	char *payload;
	int qos;
	double created_ts; /* unix s, when the event was raised */
};

/* Which outbox: the alerts for the county's broker, or the uplink to the province's. */
enum store_outbox_box { STORE_OUTBOX_ALERTS, STORE_OUTBOX_UPLINK, STORE_OUTBOX_N };

/* The same operations on a chosen box; the functions without _in work on the alert box. */
int store_outbox_add_in(struct store *st, enum store_outbox_box box, const char *topic,
			const char *payload, int qos, double created_ts, int64_t *id);
int store_outbox_fetch_in(struct store *st, enum store_outbox_box box, int64_t after_id,
			  struct store_outbox_row *rows, int max);
int store_outbox_delete_in(struct store *st, enum store_outbox_box box, int64_t id);
long store_outbox_count_in(struct store *st, enum store_outbox_box box);
/* Puts a QoS 1 message in the uplink box under key, first dropping any waiting message with
 * the same key (an older revision of the same figure: the newest wins anyway, so an outage
 * of days sends each figure once); sets *id. Returns 0 or negative. */
int store_outbox_put_keyed(struct store *st, const char *topic, const char *payload,
			   double created_ts, const char *key, int64_t *id);

/* Appends an event and sets *id to its id (ids only grow); returns 0 or negative. */
int store_outbox_add(struct store *st, const char *topic, const char *payload, int qos,
		     double created_ts, int64_t *id);
/* Fills rows with up to max events whose id is above after_id, lowest id first; the caller
 * frees them with store_outbox_rows_free. Returns the number of rows or negative. */
int store_outbox_fetch(struct store *st, int64_t after_id, struct store_outbox_row *rows, int max);
/* Frees the strings of n rows filled by store_outbox_fetch (not the array). */
void store_outbox_rows_free(struct store_outbox_row *rows, int n);
/* Deletes the event with this id; returns 1 when it was there, 0 when it was not, or
 * negative on error. */
int store_outbox_delete(struct store *st, int64_t id);
/* Returns the number of waiting events or negative. */
long store_outbox_count(struct store *st);

#endif
