/* Energy accounting for one device: turns successive readings of the lifetime energy
 * counter into energy increments that are never negative, never double-counted and never
 * lost, and flags readings that cannot be trusted. Pure: no I/O, time is a parameter. */
#ifndef PVRELIEF_ENERGY_H
#define PVRELIEF_ENERGY_H

#include "pvrelief/reading.h"

/* Quality flags a reading carries (a bit set). */
enum energy_quality {
	ENERGY_Q_SENTINEL = 1 << 0,	 /* power or the counter reported "not implemented" */
	ENERGY_Q_OUT_OF_RANGE = 1 << 1,	 /* power or energy beyond what the device can do */
	ENERGY_Q_FROZEN = 1 << 2,	 /* the same non-zero power for over 2 h of daylight */
	ENERGY_Q_COUNTER_RESET = 1 << 3, /* the counter went back or jumped; rebased */
	ENERGY_Q_LATE = 1 << 4,		 /* the reply came after the poll's own time slot */
	ENERGY_Q_STARTUP_ZERO = 1 << 5,	 /* a zero counter on the first read: not a value */
	ENERGY_Q_BAD_TIME = 1 << 6,	 /* not later than the previous reading (clock jump) */
	/* The counter fell to a level it could have reached from zero since the last trusted
	 * reading: a replaced or reset inverter, being confirmed. Not rejected: the reading's
	 * other values are good and a reset is not a data anomaly. */
	ENERGY_Q_COUNTER_RESTART = 1 << 7,
};

/* Flags that make a reading "rejected" for the data anomaly rate. */
#define ENERGY_Q_REJECTED                                                                          \
	(ENERGY_Q_SENTINEL | ENERGY_Q_OUT_OF_RANGE | ENERGY_Q_FROZEN | ENERGY_Q_COUNTER_RESET |    \
	 ENERGY_Q_STARTUP_ZERO | ENERGY_Q_BAD_TIME)

/* What is remembered between readings; persisted with the readings so that a restart
 * continues from the last committed counter value. */
struct energy_state {
	int have;	      /* a trusted baseline exists */
	int cand_count;	      /* readings seen on a new counter level not yet trusted */
	double total_wh;      /* last trusted counter value */
	double total_ts;      /* when it was read */
	double ts;	      /* time of the last reading (unix s) */
	double power_w;	      /* last power, for the frozen-value check */
	double power_since;   /* since when power has had that exact value */
	double cand_first_wh; /* first counter value on the new level */
	double cand_wh;	      /* latest counter value on the new level */
	double cand_ts;
};

/* Limits a device's readings are judged against. */
struct energy_limits {
	double rated_w;	      /* AC rating (or the station's DC capacity when unknown) */
	double capacity_wp;   /* the station's installed DC capacity, for daily energy */
	double resolution_wh; /* counter resolution (e.g. 1000 for a counter in kWh) */
};

/* Readings on a new counter level needed before it is trusted. */
#define ENERGY_CONFIRMATIONS 3
/* Seconds a non-zero power may stay bit-identical in daylight before it counts as frozen. */
#define ENERGY_FROZEN_S 7200.0

/* Judges reading r taken at ts (unix s) with daylight non-zero when the sun is up: returns
 * the quality flags and stores in *delta_wh the energy produced since the previous trusted
 * reading (0 when none can be counted). Updates *s. */
unsigned energy_update(struct energy_state *s, const struct energy_limits *lim, double ts,
		       const struct reading *r, int daylight, double *delta_wh);

/* Returns a short comma-separated list of the flag names in q, in buf. */
const char *energy_quality_names(unsigned q, char *buf, unsigned len);

#endif
