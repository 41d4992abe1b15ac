/* The polling engine: reads every device of every station over Modbus on a tiered
 * schedule, judges each reading, and hands the results to the store (its own writer thread
 * and database connection) and to a listener. Requests to one endpoint are serialized;
 * endpoints are polled in parallel by a bounded pool of workers. */
#ifndef PVRELIEF_POLLER_H
#define PVRELIEF_POLLER_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/reading.h"

struct clock;
struct config;
struct poller;

enum poller_state {
	POLLER_ST_UNKNOWN,    /* not polled yet */
	POLLER_ST_PRODUCING,  /* online and producing */
	POLLER_ST_IDLE,	      /* online, no output */
	POLLER_ST_NIGHT,      /* the sun is down: silence is normal */
	POLLER_ST_PARTIAL,    /* some devices offline */
	POLLER_ST_OFFLINE,    /* no device answers */
	POLLER_ST_FAULT,      /* a device reports a fault */
	POLLER_ST_CONNECTING, /* none online, and some inverter not polled yet: it has not had
			       * its chance, which is not offline */
};

/* One device's poll result, as given to the listener. */
struct poller_result {
	size_t station, device;	       /* indexes into the configuration */
	double ts;		       /* clock time of the reading (unix s) */
	int ok;			       /* the device answered */
	int error;		       /* enum mblink_error or a decode error when !ok */
	const struct reading *reading; /* when ok */
	unsigned quality;	       /* enum energy_quality bits */
	double delta_wh;	       /* energy counted since the previous reading */
	double ghi_wh_m2, poa_wh_m2;   /* sensor irradiation since the previous reading */
	int night;
};

/* Called from worker threads with every result; must be quick and thread-safe. */
typedef void (*poller_listener)(void *ctx, const struct poller_result *res);

struct poller_station_live {
	size_t station; /* index into the configuration */
	double power_w;
	double energy_today_wh;
	size_t devices, online;
	enum poller_state state;
	int has_irradiance;
	double irradiance_w_m2; /* plane-of-array from a sensor, else horizontal */
	double updated;		/* clock time of the newest reading */
};

struct poller_device_live {
	size_t station, device;
	int online, polled;
	double last_ts, last_ok_ts;
	struct reading last;
	unsigned quality;
	double energy_today_wh;
	uint64_t requests, errors, timeouts, readings, rejected;
	double rtt_ms;
	char last_error[128];
};

struct poller_stats {
	uint64_t device_polls, device_ok, device_failed, requests;
	uint64_t rows_written, rows_pending, write_failures;
	int open_connections, max_fd;
};

/* Returns a poller for cfg (borrowed: must outlive the poller) on clk; it opens its own
 * connection to the database at cfg->database.path. NULL with a logged reason on failure. */
struct poller *poller_new(const struct config *cfg, struct clock *clk);
struct pollqueue;
/* Takes from a stopped poller the readings its writer could not store (a full disk); the
 * caller owns the queue (pollqueue_free) and hands it to the next poller with
 * poller_adopt_pending. Returns NULL when nothing is waiting. */
struct pollqueue *poller_take_pending(struct poller *p);
/* Before poller_start: queues the readings a previous poller could not store, for this
 * poller's writer, and continues each device's energy accounting from its newest queued
 * reading (the database holds an older state), so they are neither lost nor counted
 * twice. Rows of devices no longer configured are dropped with a log line. Frees q. */
void poller_adopt_pending(struct poller *p, struct pollqueue *q);
/* Sets the listener called with each result (before poller_start). */
void poller_set_listener(struct poller *p, poller_listener fn, void *ctx);
/* Starts the scheduler, the workers and the writer; returns 0 or negative. */
int poller_start(struct poller *p);
/* Stops: workers finish the device in hand, the writer commits what it holds. */
void poller_stop(struct poller *p);
/* Frees a (stopped) poller; accepts NULL. */
void poller_free(struct poller *p);
/* Fills out (cap entries) with each station's live state; returns the number filled. */
size_t poller_snapshot(struct poller *p, struct poller_station_live *out, size_t cap);
/* Fills out (cap entries) with each device's live state; returns the number filled. */
size_t poller_device_snapshot(struct poller *p, struct poller_device_live *out, size_t cap);
/* Returns counters for benchmarks and diagnostics. */
void poller_get_stats(struct poller *p, struct poller_stats *out);
/* Returns the monotonic time the scheduler last ran (for the watchdog). */
double poller_heartbeat(struct poller *p);
/* Returns the name of a live state ("producing", "offline", ...). */
const char *poller_state_name(enum poller_state s);

#endif
