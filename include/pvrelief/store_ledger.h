/* The money ledger in the store: every amount allocated, spent or paid as a SHA-256 chained
 * entry (ledger.c computes the chain). */
#ifndef PVRELIEF_STORE_LEDGER_H
#define PVRELIEF_STORE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/ledger.h"

struct store;

/* Appends an entry to the ledger: sets its seq, prev_hash and hash from the last entry and
 * seals it; 0, or -1 with why when the entry fails its check or the database refuses. */
int store_ledger_append(struct store *st, struct ledger_entry *e, char *why, size_t whylen);
/* The whole ledger, in seq order. Owns its strings. */
struct store_ledger {
	struct ledger_entry *entries;
	size_t n;
	char **strs;
	size_t nstrs;
};
/* Loads the whole ledger (by rowid order, as stored); 0 or negative. */
int store_ledger_load(struct store *st, struct store_ledger *out);
/* Writes the ledger's head, its last entry's seq and hash, to *seq and hash (0 and
 * LEDGER_GENESIS_HASH when the ledger is empty); 0 or negative. */
int store_ledger_head(struct store *st, int64_t *seq, char hash[LEDGER_HASH_HEX_LEN + 1]);
/* Cross-checks every table that carries money against the ledger: settlements (coal part and
 * receivable), subsidy receipts, costs, each decided plan's bucket allocations and balances,
 * each paid plan's bucket spending and payments, and the posted notices (their ledger entry
 * and the SHA-256 of their stored bytes). Calls say(arg, sentence) for each row that
 * disagrees, naming the table and the row ("plan_payment v03 2025-01 p7 (wage): ..."), in
 * that order of tables and by row within each. Returns the number of rows that disagree (0:
 * all agree), or negative on a database error. */
int store_ledger_crosscheck(struct store *st, void (*say)(void *arg, const char *sentence),
			    void *arg);
/* Frees a loaded ledger and empties it. */
void store_ledger_free(struct store_ledger *l);

#endif
