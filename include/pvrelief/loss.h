/* Loss attribution: where the energy a station should have made went. The expected energy is
 * the GB 50797 theoretical generation E_th = H x P_stc x K, so the reference performance ratio
 * is the station's comprehensive efficiency coefficient K (0.80 unless configured). The gap
 * between it and the actual energy is shared out over five classes: communication outages
 * (inverter not read and its energy never recovered), inverter down (not producing while
 * reachable, or a counter that shows after a gap that it made less than it should), faults
 * (state FAULT), curtailment (held below what it could make) and low performance (soiling,
 * degradation, anything that lowers the whole day). Each outage class is priced at the
 * station's own efficiency over its clean slots that day, so that soiling is not counted again
 * in them, on plane-of-array irradiance where there is one (a horizontal basis would misprice
 * an outage at noon against the day's mean, its ratio to POA changing by the hour); low
 * performance is the rest, negative for a station better than its reference. The classes add
 * up to E_th - E_act exactly. Pure: no I/O, no globals. */
#ifndef PVRELIEF_LOSS_H
#define PVRELIEF_LOSS_H

#include <stddef.h>

/* What one inverter did in one slot. */
enum loss_cell_kind {
	LOSS_CELL_RUN,	     /* read, producing as it could: the clean slots */
	LOSS_CELL_UNREAD,    /* not read and no energy recovered for the slot */
	LOSS_CELL_CAUGHT_UP, /* not read, its energy recovered from the counter after the gap */
	LOSS_CELL_DOWN,	     /* read, in a state that does not produce (OFF, STANDBY,
			      * SHUTTING_DOWN) */
	LOSS_CELL_FAULT,     /* read in state FAULT */
	LOSS_CELL_CURTAILED, /* held below its rating (a limit, a dispatch order) */
};

/* The classes losses are attributed to. */
enum loss_class {
	LOSS_COMM,
	LOSS_DOWN,
	LOSS_FAULT,
	LOSS_CURTAIL,
	LOSS_LOWPERF,
	LOSS_N_CLASSES,
};

/* One inverter's slot. */
struct loss_cell {
	enum loss_cell_kind kind;
	double eth_wh;	  /* its theoretical energy: G x dt x its DC kWp x K */
	double energy_wh; /* the energy credited to it (measured or recovered) */
	double hours;	  /* the slot's length x its share of the station's DC capacity */
	double price_wh;  /* the same as eth_wh on plane-of-array irradiance, which prices the
			   * outages; 0 or NAN: eth_wh */
};

/* Running sums of a window's cells, filled by loss_add (zero it first). */
struct loss_acc {
	double eth_wh[LOSS_CELL_CURTAILED + 1], energy_wh[LOSS_CELL_CURTAILED + 1];
	double price_wh[LOSS_CELL_CURTAILED + 1];
	double hours[LOSS_CELL_CURTAILED + 1];
};

/* A window's (or a sum of windows') attribution. */
struct loss_figures {
	double expected_kwh; /* E_th over the priced slots (daylight, with irradiance) */
	double actual_kwh;   /* the energy credited to the same slots */
	double ref_eta;	     /* the station's own efficiency over the clean slots, E_act / E_th
			      * (the outage classes are priced at its POA counterpart); 1 (K
			      * itself) when there was none */
	int ref_from_k;	     /* ref_eta is 1 for want of clean slots */
	double loss_kwh[LOSS_N_CLASSES]; /* by class; sums to expected - actual */
	double hours[LOSS_N_CLASSES];	 /* station-equivalent hours in each class (low
					  * performance: 0) */
	double capability;		 /* actual / expected (发电能力); NAN when 0 expected */
};

/* Adds one cell (only read) to acc. */
void loss_add(struct loss_acc *acc, const struct loss_cell *c);
/* Computes the attribution of the cells in acc into *out. */
void loss_finish(const struct loss_acc *acc, struct loss_figures *out);
/* Adds figures b (only read, e.g. a day's) to the sums in *a (zeroed for the first); the
 * capability is recomputed, ref_eta becomes the energy-weighted one. */
void loss_sum(struct loss_figures *a, const struct loss_figures *b);
/* Returns the identifier of a class ("comm", "down", "fault", "curtail", "lowperf"). */
const char *loss_class_name(enum loss_class c);

#endif
