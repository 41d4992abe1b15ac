/* The store's readers and writers for the operations console pvrelief-web: the live state of
 * every device in one query, the day's and month's figures of every station, a station's
 * 5-minute curve, alerts with filters, and the console's writes (acknowledging an alert with a
 * note, logging maintenance), each recorded with the user in the history `pvrelief history`
 * shows. */
#ifndef PVRELIEF_STORE_CONSOLE_H
#define PVRELIEF_STORE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/store_alert.h"

struct store;

/* One device as the database last saw it. */
struct store_console_device {
	int64_t id;
	char station[72], device[72];
	double last_ts;		/* clock time of its newest reading; 0 none */
	double power_w;		/* power of that reading; NAN none */
	int state;		/* enum inv_state of that reading; -1 none */
	double energy_today_wh; /* counted on the day asked for */
	int64_t requests, errors, timeouts;
	double last_success, rtt_ms; /* clock time of its last good poll (0 none); round trip */
	double diag_updated;	     /* wall time the poller last wrote its diagnostics; 0 none */
	char last_error[128];
};

/* A station's stored efficiency figures for a day and for its month. */
struct store_console_eff {
	char station[72];
	double eta_day, e_act_day_wh, eth_day_wh, yf_day_h; /* NAN when none */
	int grade_day;
	double eta_month, energy_month_wh, eth_month_wh; /* NAN when none */
	int grade_month;
};

/* One 5-minute slot of a station. */
struct store_console_slot {
	int64_t slot;		   /* unix s of its start */
	double power_w;		   /* sum of its inverters' mean power */
	double energy_wh;	   /* energy counted in it */
	double poa_w_m2, ghi_w_m2; /* sensor irradiation × 12: the mean over a whole slot; NAN
				    * when no sensor */
	int sensor_n;		   /* the sensor's valid readings in the slot */
};

/* What the console filters alerts by. */
struct store_console_alert_filter {
	const char *station, *kind; /* NULL: all */
	int state;		    /* 0 all, 1 active, 2 cleared */
	double since, until;	    /* raised in [since, until); 0: unbounded */
	size_t limit;
};

/* Global figures of the database. */
struct store_console_status {
	double newest_reading_ts; /* clock time of the newest reading of any device; 0 none */
	double newest_diag_wall;  /* wall time the poller last wrote diagnostics; 0 none */
	long outbox_depth;	  /* MQTT messages waiting */
};

/* Begins a read transaction, so that a page's queries see one snapshot; 0 or negative. End
 * it soon with store_console_read_end: it keeps the WAL from being checkpointed past it. */
int store_console_read_begin(struct store *st);
/* Ends the read transaction. */
void store_console_read_end(struct store *st);
/* Loads every device of the database (of station only, unless NULL) with its newest reading,
 * its energy on day (YYYY-MM-DD) and its diagnostics into a new array (*out, *n), ordered by
 * station then device; the caller frees *out. Returns 0 or negative. */
int store_console_devices(struct store *st, const char *station, const char *day,
			  struct store_console_device **out, size_t *n);
/* Loads the efficiency figures of every station with a figure on day or in month (YYYY-MM)
 * into a new array (*out, *n) ordered by station; the caller frees *out. 0 or negative. */
int store_console_eff(struct store *st, const char *day, const char *month,
		      struct store_console_eff **out, size_t *n);
/* Fills out (cap) with a station's 5-minute slots in [t0, t1) in order; returns the count or
 * negative. */
int store_console_slots(struct store *st, const char *station, double t0, double t1,
			struct store_console_slot *out, size_t cap);
/* Adds up each device's energy over the days first_day..last_day: calls back per device of
 * the station with the energy in Wh. Returns 0 or negative. */
int store_console_device_energy(struct store *st, const char *station, const char *first_day,
				const char *last_day,
				void (*cb)(void *arg, const char *device, double energy_wh),
				void *arg);
/* Adds up every station's energy counted since records began: calls back per station with
 * the energy in Wh (a counter: rollups are kept for good). Returns 0 or negative. */
int store_console_station_energy_total(struct store *st,
				       void (*cb)(void *arg, const char *station, double energy_wh),
				       void *arg);
/* Fills out (cap) with alerts matching f, active ones first, then newest first; returns the
 * count or negative. */
int store_console_alerts(struct store *st, const struct store_console_alert_filter *f,
			 struct store_alert *out, size_t cap);
/* Reads the note of the newest acknowledgement of an alert made through the console into buf
 * ("" when none); 0 or negative. */
int store_console_ack_note(struct store *st, uint64_t id, char *buf, size_t len);
/* Counts active alerts by kind and severity: calls back once per (kind, severity). 0 or
 * negative. */
int store_console_active_counts(struct store *st,
				void (*cb)(void *arg, const char *kind, const char *severity,
					   long n),
				void *arg);
/* Fills *s with the database's global figures; 0 or negative. */
int store_console_status(struct store *st, struct store_console_status *s);
/* Acknowledges alert id as user at `at` with a note, in one transaction that also records it
 * in the history (table "alert"); 0, 1 when there is no such alert, negative on error. */
int store_console_ack(struct store *st, uint64_t id, const char *user, const char *note, double at);
/* Logs maintenance of a station (kind "inspection", "cleaning" or "repair", done at `at` by
 * worker, with a note), recorded in the history (table "maintenance_log") as entered by user
 * at now; one transaction. 0 or negative. */
int store_console_maintenance(struct store *st, const char *station, const char *kind, double at,
			      const char *worker, const char *note, const char *user, double now);

#endif
