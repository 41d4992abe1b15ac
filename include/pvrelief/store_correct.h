/* Corrections of imported money rows: a wrong settlement, subsidy receipt, cost or spending
 * row is reversed, never edited. Its ledger entries get reversal entries (kind correction,
 * the amount negated, the reason and who in the memo), the row with its values goes to the
 * history, and it leaves its table so that the right row can be imported. Works inside the
 * caller's transaction. */
#ifndef PVRELIEF_STORE_CORRECT_H
#define PVRELIEF_STORE_CORRECT_H

#include <stddef.h>
#include <stdint.h>

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

#endif
