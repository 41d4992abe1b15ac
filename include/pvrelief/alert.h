/* The alert lifecycle, pure: observations of a condition come in, raise and clear events
 * come out. A condition must hold for the raise delay and still hold when rechecked before
 * an alert is raised; a thresholded one clears only past the threshold plus a hysteresis
 * margin; an active alert is never raised twice; a burst of raises beyond the cap in one
 * minute is published as one summary. No I/O: time is a parameter. */
#ifndef PVRELIEF_ALERT_H
#define PVRELIEF_ALERT_H

#include <stddef.h>
#include <stdint.h>

enum alert_kind {
	ALERT_LOW_EFFICIENCY,
	ALERT_PR_DROP,
	ALERT_COUNTY_AT_RISK,
	ALERT_OFFLINE,
	ALERT_FAULT,
	ALERT_ZERO_OUTPUT,
	ALERT_DATA_ANOMALY,
	ALERT_CLEANING_DUE,
	ALERT_INSPECTION_OVERDUE,
	ALERT_STRING_FAULT,
	ALERT_LINK_BUDGET,
	ALERT_SUMMARY,
	ALERT_KIND_COUNT
};

enum alert_severity { ALERT_SEV_INFO, ALERT_SEV_WARNING, ALERT_SEV_CRITICAL };

/* What an observation says about a condition. */
enum alert_verdict {
	ALERT_UNKNOWN = -1, /* cannot be judged now (night, too little light, low confidence) */
	ALERT_CLEAR = 0,    /* the condition does not hold */
	ALERT_HOLDS = 1,    /* the condition holds */
};

/* What an alert is about: a kind, and a station and device (-1 for none). */
struct alert_key {
	enum alert_kind kind;
	int station, device;
};

/* One observation of a condition. A thresholded condition gives its value and threshold
 * and whether it alerts below or above; clearing then needs the value past the threshold by
 * the hysteresis margin (a fraction of the threshold). */
struct alert_obs {
	struct alert_key key;
	enum alert_verdict verdict;
	int thresholded;
	int alert_below; /* raise when value < threshold (efficiency), else when above */
	double value, threshold;
	const char *detail; /* copied into the event */
};

enum alert_event_type { ALERT_EV_RAISED, ALERT_EV_CLEARED };

struct alert_event {
	enum alert_event_type type;
	struct alert_key key;
	uint64_t id;	  /* stable id of the alert, from raise to clear */
	double at;	  /* when (unix s) */
	double raised_at; /* when it was raised (for clear events too) */
	double value, threshold;
	int suppressed; /* part of a burst: published only in the summary */
	char detail[256];
};

struct alert_tracker;

/* Settings: seconds a condition must hold before raising (and be clear before clearing an
 * untresholded alert), the hysteresis fraction, and the most raises published per minute. */
struct alert_settings {
	double raise_delay_s;
	double clear_delay_s;
	double hysteresis;
	int burst_cap;
};

/* Returns a tracker whose alert ids start after first_id (the highest id already stored);
 * free with alert_tracker_free. */
struct alert_tracker *alert_tracker_new(const struct alert_settings *s, uint64_t first_id);
/* Frees a tracker; accepts NULL. */
void alert_tracker_free(struct alert_tracker *t);
/* Marks an alert already active (restored from the database at start) so it is neither
 * raised again nor forgotten. */
void alert_tracker_restore(struct alert_tracker *t, const struct alert_key *key, uint64_t id,
			   double raised_at);
/* Feeds one observation at time now; appends up to one event to out (cap entries) and
 * returns the number appended (0 or 1). */
int alert_observe(struct alert_tracker *t, const struct alert_obs *obs, double now,
		  struct alert_event *out, size_t cap);
/* After a round of observations: when raises were suppressed by the burst cap since the
 * last call, fills *summary with one summary event (count in value) and returns 1. */
int alert_take_summary(struct alert_tracker *t, double now, struct alert_event *summary);
/* Returns the number of active alerts. */
size_t alert_active_count(const struct alert_tracker *t);
/* Returns the identifier of a kind ("low_efficiency", "offline", ...). */
const char *alert_kind_name(enum alert_kind k);
/* Returns the Chinese name of a kind ("发电效率偏低", ...). */
const char *alert_kind_name_zh(enum alert_kind k);
/* Parses a kind identifier; returns the kind or -1. */
int alert_kind_parse(const char *name);
/* Returns the default severity of a kind. */
enum alert_severity alert_kind_severity(enum alert_kind k);
/* Returns "info", "warning" or "critical". */
const char *alert_severity_name(enum alert_severity s);

#endif
