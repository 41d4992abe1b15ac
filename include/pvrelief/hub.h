/* The province hub: takes the counties' uplink messages (docs/uplink.md) into its own
 * database, idempotently (the highest revision of a figure wins, an event is stored once),
 * and answers for the province: a health table across counties and their alerts. */
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
/* Writes the province health table for day (YYYY-MM-DD): each county as a row, with its KPIs
 * of the day's month and its ledger head when it sent them, then its stations; format "table"
 * or "json". Returns 0 or negative. */
int hub_health(struct store *st, const char *day, const char *format, FILE *out);
/* Writes the alert events of every county (newest first, up to limit; 0 for all), or the
 * active alerts only; format "table" or "json". Returns 0 or negative. */
int hub_alerts(struct store *st, int active_only, int limit, const char *format, FILE *out);

/* Writes each county's money ledger head (seq and hash); format "table" or "json". Returns 0
 * or negative. */
int hub_ledger(struct store *st, const char *format, FILE *out);
/* Writes each county's KPIs of month (YYYY-MM); format "table" or "json". Returns 0 or
 * negative. */
int hub_kpi(struct store *st, const char *month, const char *format, FILE *out);

#endif
