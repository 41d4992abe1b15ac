/* The province hub: takes the counties' uplink messages (docs/uplink.md) into its own
 * database, idempotently (the highest revision of a figure wins, an event is stored once),
 * through an inbox journal written before each message is acknowledged. Its answers for the
 * province are in hub_report.h. */
#ifndef PVRELIEF_HUB_H
#define PVRELIEF_HUB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hub;
struct store;

struct hub_stats {
	uint64_t stored;  /* messages that wrote something */
	uint64_t stale;	  /* older revisions and repeated events: nothing to write */
	uint64_t refused; /* malformed, unknown version, or naming another county */
};

/* Creates a hub over the database at db_path (created and migrated when needed) taking
 * topics under prefix, with its inbox (the journal of messages taken and not yet stored) at
 * inbox_path; stores first what the inbox holds from a previous run, then starts the writer
 * thread. Returns NULL with a logged reason. */
struct hub *hub_new(const char *db_path, const char *prefix, const char *inbox_path);
/* Stores what is queued, stops the writer and frees the hub; accepts NULL. */
void hub_free(struct hub *h);
/* Takes one message (payload of len bytes) that arrived at wall time now: appends it to the
 * inbox, whence the writer stores it (stored, stale, or refused with a log line). Returns 0
 * once it is in the inbox (a SIGKILL no longer loses it), negative when the inbox could not
 * be written and the message must be offered again. Safe to call from one thread at a
 * time. */
int hub_ingest(struct hub *h, const char *topic, const char *payload, size_t len, double now);
/* Fills *out with the counters. */
void hub_get_stats(struct hub *h, struct hub_stats *out);
#endif
