/* The store's alerts: every alert with its history (raised, cleared, acknowledged), so that
 * operations staff can list them and a restarted daemon neither forgets nor repeats one. */
#ifndef PVRELIEF_STORE_ALERT_H
#define PVRELIEF_STORE_ALERT_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct store_alert {
	uint64_t id;
	char kind[32];		      /* alert_kind_name() */
	char severity[16];	      /* alert_severity_name() */
	char station[72];	      /* "" for the county */
	char device[72];	      /* "" for a station-wide alert */
	double raised_at, cleared_at; /* cleared_at 0 while active */
	char title[256];
	char detail[512];
	char figures[512]; /* JSON object of the figures that triggered it */
	char ack_by[64];
	double ack_at;
	int suppressed; /* part of a burst, published only in a summary */
};

struct store_alert_filter {
	int active_only;
	const char *station; /* NULL: all */
	size_t limit;	     /* 0: no limit */
};

/* Records a raised alert with its id; 0 or negative. */
int store_alert_raise(struct store *st, const struct store_alert *a);
/* Records that alert id cleared at `at` with the figures then; 0, 1 when no such active
 * alert, negative on error. */
int store_alert_clear(struct store *st, uint64_t id, double at, const char *figures);
/* Records an acknowledgement by `by` at `at`; 0, 1 when no such alert, negative on error. */
int store_alert_ack(struct store *st, uint64_t id, const char *by, double at);
/* Returns the highest alert id stored (0 when none) in *id; 0 or negative. */
int store_alert_max_id(struct store *st, uint64_t *id);
/* Fills out (cap) with alerts matching f, newest first; returns the count or negative. */
int store_alert_list(struct store *st, const struct store_alert_filter *f, struct store_alert *out,
		     size_t cap);
#endif
