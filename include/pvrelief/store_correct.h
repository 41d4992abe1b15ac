/* Corrections of imported money rows: a wrong settlement, subsidy receipt, cost or spending
 * row is reversed, never edited. Its ledger entries get reversal entries (kind correction,
 * the amount negated, the reason and who in the memo), the row with its values goes to the
 * history, and it leaves its table so that the right row can be imported. Works inside the
 * caller's transaction. */
#ifndef PVRELIEF_STORE_CORRECT_H
#define PVRELIEF_STORE_CORRECT_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/revenue.h"

struct store_rev_arrears;

struct store;

/* The tables whose rows can be reversed, with their key columns, NULL-terminated. */
struct store_correct_table {
	const char *table;   /* settlement, subsidy_receipt, cost, spending */
	const char *keys[5]; /* the key columns, NULL-terminated */
};
/* Returns the description of table (also accepting the import's kind names, singular or
 * plural: settlements, subsidies, costs ...), or NULL. */
const struct store_correct_table *store_correct_find(const char *name);
/* Reverses the row of t whose key columns have the values key[0..], for reason (not empty)
 * by by at at_unix. The reversal of cash (a settlement's coal part, a subsidy receipt) is
 * recorded in into_month, or in the cash's own month when into_month is NULL: a decided
 * month's plan already distributed that cash, so it is taken back from a later month that
 * is not decided (store_rev_station_cash counts it there). Refuses, with a sentence in why:
 * a row that does not exist; cash of a decided month without into_month, or into a month
 * that is not later or is decided too; a cost or spending row of a decided month; a
 * settlement that subsidy receipts still refer to. Returns the number of ledger entries
 * reversed (>= 0), or -1. */
int store_correct_reverse(struct store *st, const struct store_correct_table *t,
			  const char *const *key, const char *into_month, const char *reason,
			  const char *by, int64_t at_unix, char *why, size_t whylen);

/* The change, per cost kind (om, insurance, land_rent, other), to a village's month's cost
 * rows that makes them the costs the month's plan counts: cost rows of the month reversed
 * into a later month (its plan had them: added back) and rows of earlier decided months
 * reversed into this one (a credit: taken off). Returns 0, or -1 on a database error. */
int store_correct_cost_adjust(struct store *st, const char *village, const char *month,
			      int64_t adjust_fen[4]);
/* What corrections gave back to each bucket of a village in month: spending rows of
 * earlier decided months reversed into this one. The month's plan brings it in with the
 * balance carried from the month before. Returns 0, or -1 on a database error. */
int store_correct_refunds(struct store *st, const char *village, const char *month,
			  int64_t refund_fen[REVENUE_NBUCKETS]);

/* A correction recorded in a later month for a row of an earlier, decided month. */
struct store_correction {
	int64_t at_unix;  /* when it was recorded */
	char month[8];	  /* the month the reversed row belonged to */
	char kind[16];	  /* settlement, subsidy, cost, spending */
	char station[64]; /* settlements and subsidies: the station */
	char what[64];	  /* the generation period, the cost kind (om ...) or the bucket */
	char receipt[128];
	int64_t amount_fen; /* the village's amount as booked: cash, cost or spending */
	char reason[256], by[64];
};
/* Lists, oldest first, the corrections recorded in village's month for rows of earlier
 * months; *out is an array of *n the caller frees. Returns 0, or -1 on a database error. */
int store_correct_into(struct store *st, const char *village, const char *month,
		       struct store_correction **out, size_t *n);

/* A person's attendance (or assessment, kind "wage") or public-works labour record (kind
 * "labour", post the work) of a decided month corrected: the pay it makes due, due_fen, is
 * more than the decided plan's due (and what earlier corrections added), so the rest is
 * owed, recorded in into_month (later, not decided) as an entry of kind correction with the
 * person, the amount owed more and a memo "owes KIND PERSON/POST/MONTH: N fen more (WHAT):
 * REASON; by NAME"; into_month's plan pays it first, as arrears of month. The
 * decided plan and its attendance row stay as decided. Refuses, with a sentence in why, a
 * month with no decided plan paying the wage and a correction that makes nothing more due.
 * 0, or -1. */
int store_correct_owe(struct store *st, const char *village, const char *kind, const char *person,
		      const char *post, const char *month, const char *into_month, int64_t due_fen,
		      const char *what, const char *reason, const char *by, int64_t at_unix,
		      char *why, size_t whylen);
/* Adds to a, the arrears a village's month pays, the wages corrections recorded in the month
 * owe (merged with an arrear of the same wage and month). 0, or -1. */
int store_correct_owed(struct store *st, const char *village, const char *month,
		       struct store_rev_arrears *a);
/* Sets *more_due_fen to what corrections recorded after month, up to upto, made due more
 * for a person's wage of month, and note to their sentences in Chinese ("" when none).
 * 0, or -1. */
int store_correct_owed_for(struct store *st, const char *village, const char *month,
			   const char *upto, const char *person, const char *post,
			   int64_t *more_due_fen, char *note, size_t notelen);

#endif
