/* The revenue records of the store: people, posts, agreements, attendance, public-works labour,
 * grid settlements, subsidy receipts, costs and bucket spending, the history of their changes
 * (store_records.c), and the month's inputs to an allocation summed from them
 * (store_inputs.c). Plans are in store_plan.h, the money ledger in store_ledger.h.
 *
 * Rows come in as text in each kind's column order (below), already checked and normalised by
 * the caller (amounts as integer fen, dates YYYY-MM-DD, months YYYY-MM). Every function works
 * inside the caller's transaction when there is one, so that an import commits whole or not at
 * all. */
#ifndef PVRELIEF_STORE_RECORDS_H
#define PVRELIEF_STORE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/ledger.h"
#include "pvrelief/revenue.h"

struct store;
struct report;

/* The kinds of rows, with their columns in order (* marks the key columns). */
enum store_rev_kind {
	STORE_REV_PERSON,     /* *id, village, name, id_masked, category, labour */
	STORE_REV_POST,	      /* *id, village, kind, wage_fen, required_days */
	STORE_REV_AGREEMENT,  /* *person, *post, *start_day, end_day */
	STORE_REV_ATTENDANCE, /* *person, *post, *month, days_worked, grade */
	STORE_REV_WORK, /* *village, *month, *person, *work, days_worked, amount_fen, agreement */
	STORE_REV_SETTLEMENT, /* *station, *period, metered_kwh, coal_fen, subsidy_fen, received_day
			       */
	STORE_REV_SUBSIDY,    /* *station, *period, amount_fen, *received_day */
	STORE_REV_COST,	      /* *village, *month, *kind, amount_fen, *receipt, note */
	STORE_REV_SPENDING,   /* *village, *month, *bucket, amount_fen, *receipt, note */
	STORE_REV_NKINDS
};

/* Most columns a kind has. */
#define STORE_REV_MAXCOLS 8

/* Returns the number of columns of kind. */
size_t store_rev_ncols(enum store_rev_kind kind);
/* Returns the database name of column i of kind (static storage). */
const char *store_rev_colname(enum store_rev_kind kind, size_t i);
/* Returns 1 when rows of kind may be changed after they are recorded (people, posts,
 * agreements, attendance), 0 when a second row with the same key is a duplicate (money). */
int store_rev_updatable(enum store_rev_kind kind);

/* Records a row: values[i] is column i, or NULL to keep the recorded value when the row
 * exists (a new row needs every column). Changes are written to the history with by and
 * at_unix. Returns 0, or -1 with a sentence in why (duplicate, unknown person, post or
 * settlement, missing column, or the database's refusal). */
int store_rev_put(struct store *st, enum store_rev_kind kind, const char *const *values,
		  const char *by, int64_t at_unix, char *why, size_t whylen);

/* One change of the history. Strings are owned by the list. */
struct store_rev_change {
	int64_t at_unix;
	char *by, *table, *key, *action, *old_values, *new_values;
};
/* Loads the history of changes of table (NULL for all) and key (NULL for all) into a new array
 * in *out (freed with store_rev_changes_free) with its length in *n; 0 or negative. */
int store_rev_history(struct store *st, const char *table, const char *key,
		      struct store_rev_change **out, size_t *n);
/* Frees a history list; NULL is allowed. */
void store_rev_changes_free(struct store_rev_change *c, size_t n);

/* Finds the village of a post into buf; returns 0, 1 when there is no such post, or
 * negative. */
int store_rev_post_village(struct store *st, const char *post, char *buf, size_t len);
/* Returns the subsidy still receivable for a station's period in fen in *out (the settlement's
 * subsidy minus receipts so far); 0, 1 when the settlement is unknown, or negative. */
int store_rev_subsidy_open(struct store *st, const char *station, const char *period,
			   int64_t *out_fen);

/* A station's month as the grid settled it. */
struct store_rev_station_month {
	int64_t cash_fen; /* coal part and subsidy received in the month (by date received), less
			     cash taken back in it (store_rev_station_taken_back) */
	int64_t receivable_fen; /* subsidy settled for periods up to the month, not yet received */
	double metered_kwh;	/* metered energy of the settlement for the month as period */
	int has_metered;
	double measured_wh; /* what the daemon measured in the month (station_day) */
	int has_measured;
	double eta; /* station_month efficiency */
	int has_eta;
	/* The settlements whose coal part was received in the month: their generation periods
	 * ("2025-01", or "2024-10,2024-11,2024-12"; "" when none), their metered energy, and what
	 * the daemon measured over those periods when it has every day of them. */
	char cash_periods[64];
	double cash_metered_kwh;
	double cash_measured_wh;
	int has_cash_measured;
};
/* Loads a station's month; 0 or negative. */
int store_rev_station_month(struct store *st, const char *station, const char *month,
			    struct store_rev_station_month *out);
/* Sets *cash_fen to a station's cash received in month (coal part and subsidy receipts by
 * date received); 0 or negative. */
int store_rev_station_cash(struct store *st, const char *station, const char *month,
			   int64_t *cash_fen);
/* Sets *fen to the station's cash taken back in month (<= 0): reversals of cash that a
 * decided month distributed, recorded in this later month by pvrelief correct --month; the
 * ledger's correction entries are its record. 0 or negative. */
int store_rev_station_taken_back(struct store *st, const char *station, const char *month,
				 int64_t *fen);
/* Sums the costs charged to a village in a month by kind (om, insurance, land_rent, other)
 * into costs_fen[4]; 0 or negative. */
int store_rev_costs(struct store *st, const char *village, const char *month, int64_t costs_fen[4]);
/* Sums the spending asked of each bucket into spend_fen (posts stays 0); 0 or negative. */
int store_rev_spending(struct store *st, const char *village, const char *month,
		       int64_t spend_fen[REVENUE_NBUCKETS]);

/* The labour of a village's month, as revenue_allocate_month takes it. Owns its strings. */
struct store_rev_labour_set {
	struct revenue_payee *payees;
	size_t npayees;
	struct revenue_labour *labour;
	size_t nlabour;
	char **strs;
	size_t nstrs, capstrs;
};
/* Loads every post holder of the village in the month: each (person, post) with an agreement
 * covering part of the month or an attendance record, and the public-works labour; 0 or
 * negative. Free with store_rev_labour_set_free. */
int store_rev_labour_load(struct store *st, const char *village, const char *month,
			  struct store_rev_labour_set *out);
/* Counts the public-welfare posts of a village into *n; 0 or negative. */
int store_rev_post_count(struct store *st, const char *village, size_t *n);
/* Frees what a labour set owns and empties it. */
void store_rev_labour_set_free(struct store_rev_labour_set *s);

#endif
