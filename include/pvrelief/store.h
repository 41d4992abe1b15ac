/* The store: every table pvrelief keeps, in one SQLite file. Only the store_* files see
 * SQLite; callers use these functions and plain structs. */
#ifndef PVRELIEF_STORE_H
#define PVRELIEF_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

enum store_flags {
	STORE_LOCK = 1,	    /* take the daemon's exclusive lock (one pvreliefd per database) */
	STORE_READONLY = 2, /* open read-only (reports) */
	/* Used by one thread at a time (the poller's writer), so SQLite's own lock around every
	 * call on the connection is left out: about 4% of a busy writer's time. */
	STORE_ONE_THREAD = 4,
};

/* Opens (creating and migrating when needed) the database at path. On failure returns NULL
 * and writes a sentence naming the file into err. The caller frees with store_close. */
struct store *store_open(const char *path, int flags, char *err, size_t errlen);
/* Closes the database and releases the lock; accepts NULL. */
void store_close(struct store *st);
/* Limits the database file to max_size_mb (0: no limit) for writes on this connection:
 * a write that would grow it further fails as if the disk were full. Returns 0 or negative. */
int store_set_max_size(struct store *st, int max_size_mb);
/* Returns the schema version the database is at. */
int store_schema_version(const struct store *st);
/* Begins a write transaction; returns 0 or a negative code. */
int store_begin(struct store *st);
/* Commits the open transaction; returns 0 or a negative code (the transaction is rolled back). */
int store_commit(struct store *st);
/* Rolls back the open transaction, if any. */
void store_rollback(struct store *st);
/* Returns the last error message of the database connection. */
const char *store_errmsg(const struct store *st);
/* Stores a text value under key in the meta table; returns 0 or negative. */
int store_meta_set(struct store *st, const char *key, const char *value);
/* Reads a meta value into buf; returns 0, 1 when absent, or negative. */
int store_meta_get(struct store *st, const char *key, char *buf, size_t len);
/* Runs PRAGMA integrity_check; returns 0 when the database is intact. */
int store_integrity_check(struct store *st, char *why, size_t len);

/* ---- Readings (store_readings.c) ---- */

struct reading;
struct energy_state;
struct store_batch;

/* The measured fields a raw reading row keeps, in the order of its columns. */
enum store_field {
	SF_POWER_W,
	SF_ENERGY_TOTAL_WH,
	SF_ENERGY_TODAY_WH,
	SF_DC_POWER_W,
	SF_CABINET_TEMP_C,
	SF_GHI_W_M2,
	SF_POA_W_M2,
	SF_MODULE_TEMP_C,
	SF_AIR_TEMP_C,
	SF_WIND_M_S,
	SF_COUNT
};

/* The part of a reading the store keeps: 104 bytes where the whole reading takes 200. The
 * poller queues readings in this form until they are written, so the queue holds no more
 * than the table will. */
struct store_values {
	double value[SF_COUNT];	  /* units as the field names say */
	uint16_t present;	  /* bit (1u << SF_x) set when field x holds a value */
	uint8_t has_state, state; /* state: enum inv_state, when has_state */
	uint32_t vendor_state, events, events2, fault_code;
	/* The power limit the inverter reported, where it curtailed it (the poller judges it
	 * against the rating): limited non-zero, limit_w in W. */
	uint8_t limited;
	double limit_w;
};

/* Takes from r the fields the store keeps. */
void store_values_of(struct store_values *v, const struct reading *r);

/* One judged reading and what it adds, as the poller's writer stores it. */
struct store_reading {
	int64_t device_id;
	const char *station;
	double ts;	  /* unix s */
	int utc_offset_s; /* for the local day of the daily rollups */
	const struct store_values *v;
	unsigned quality;		   /* enum energy_quality bits */
	int rejected;			   /* counts toward the data anomaly rate */
	double delta_wh;		   /* energy since the previous trusted counter value */
	double ghi_wh_m2, poa_wh_m2;	   /* irradiation since the previous sensor reading */
	const struct energy_state *energy; /* the device's state after this reading */
};

/* Per-device diagnostics. */
struct store_diag {
	uint64_t requests, errors, timeouts;
	double last_success, rtt_ms;
	const char *last_error;
};

/* Returns (creating if needed) the id of a station's device in *id; 0 or negative. */
int store_device_id(struct store *st, const char *station, const char *device, int64_t *id);
/* Looks a station's device up without creating it (a read: no write lock is taken); 0 found
 * with its id in *id, 1 when the daemon has not stored it yet, or negative. */
int store_device_lookup(struct store *st, const char *station, const char *device, int64_t *id);
/* Loads the committed energy state of a device: 0 found, 1 none yet, negative on error. */
int store_energy_state_get(struct store *st, int64_t device_id, struct energy_state *out);
/* Returns an empty batch of readings for st: each reading's raw row is stored as it is added,
 * while its rollups and energy state are gathered so that each (device, 5-minute slot),
 * (device, local day) and device is written once, by store_batch_flush. Free with
 * store_batch_free. */
struct store_batch *store_batch_new(struct store *st);
/* Frees a batch; accepts NULL. */
void store_batch_free(struct store_batch *b);
/* Stores row's raw reading and adds its rollups and energy state (copied) to b, inside the
 * caller's transaction; 0 or negative (the caller rolls back and clears b). */
int store_batch_add(struct store_batch *b, const struct store_reading *row);
/* Writes the rollups and energy states gathered in b inside the caller's transaction, so
 * that they commit with the raw rows or not at all, and empties b; 0 or negative. */
int store_batch_flush(struct store_batch *b);
/* Empties b without writing anything (after a rolled-back transaction). */
void store_batch_clear(struct store_batch *b);
/* Stores a device's diagnostics; 0 or negative. */
int store_diag_put(struct store *st, int64_t device_id, const struct store_diag *d);
/* Deletes raw readings older than before_ts (rollups stay), STORE_PRUNE_CHUNK rows per
 * transaction so that other writers get the database in between; call it outside a
 * transaction. Returns rows deleted or negative. */
#define STORE_PRUNE_CHUNK 2000
long store_readings_prune(struct store *st, double before_ts);
/* Returns a device's counted energy on a local day (YYYY-MM-DD), 0 when none. */
double store_day_energy_wh(struct store *st, int64_t device_id, const char *day);
/* Formats the local day of unix time ts at utc_offset_s as YYYY-MM-DD into buf (11 bytes). */
void store_local_day(double ts, int utc_offset_s, char *buf);

#endif
