/* MQTT subscriber with a persistent session (clean session off, QoS 1): what is published
 * while the subscriber is away waits at the broker under its client id and is delivered when
 * it returns. The province hub's way in; the other half of the paho adapter (mqtt.c publishes). */
#ifndef PVRELIEF_MQTT_SUB_H
#define PVRELIEF_MQTT_SUB_H

#include <stddef.h>
#include <stdint.h>

struct mqtt_link;
struct mqtt_sub;

/* Called from paho's thread for each message; payload is len bytes, NUL-terminated. Returns
 * 0 once the message is safely kept (written where a killed process finds it again: the
 * broker or the persistence folder forgets it then), or negative to have it offered again
 * shortly. */
typedef int (*mqtt_sub_handler)(void *ctx, const char *topic, const char *payload, size_t len);

struct mqtt_sub_stats {
	int connected;
	uint64_t received, connects, connect_failures;
};

/* Creates a subscriber to filter for l (copied; box and ha_* unused) delivering to fn(ctx).
 * persist_dir (created when missing; NULL: none) keeps the messages acknowledged to the
 * broker and not yet handled, so that a killed process hands them over after its restart;
 * the messages it holds from an earlier run are handed over first. Does not connect yet.
 * Returns NULL after logging why. */
struct mqtt_sub *mqtt_sub_new(const struct mqtt_link *l, const char *filter,
			      const char *persist_dir, mqtt_sub_handler fn, void *ctx);
/* Starts connecting; reconnects with backoff until stopped. Returns 0 or negative. */
int mqtt_sub_start(struct mqtt_sub *s);
/* Disconnects without ending the session (the broker keeps queueing for it); accepts a
 * subscriber never started. */
void mqtt_sub_stop(struct mqtt_sub *s);
/* Stops if needed and frees; accepts NULL. */
void mqtt_sub_free(struct mqtt_sub *s);
/* Fills *out with the counters. */
void mqtt_sub_stats(struct mqtt_sub *s, struct mqtt_sub_stats *out);

#endif
