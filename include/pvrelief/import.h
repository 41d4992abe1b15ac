/* Importing the revenue records from CSV rows: people, posts, agreements, attendance,
 * public-works labour, grid settlements, subsidy receipts, costs and spending. Each row is
 * checked (references, amounts, dates, a month whose plan is decided), recorded with its
 * history, and money rows get their ledger entries. */
#ifndef PVRELIEF_IMPORT_H
#define PVRELIEF_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;
struct config;
struct errlist;

/* Checks and records the rows of a CSV text of kind (see import_kind) held in data[0..len)
 * (UTF-8; file names it in messages) inside the caller's transaction on st, by by at now.
 * Appends every problem to e as file:line. Returns the number of rows recorded, or -1 when
 * anything was wrong (the caller then rolls back: a file is imported whole or not at all). */
int import_rows(struct store *st, const struct config *cfg, const char *kind, const char *file,
		const char *data, size_t len, const char *by, int64_t now, struct errlist *e);
/* Returns the kind's canonical name ("people", "settlements" ...) for a name as people type it
 * (singular or plural, English or Chinese), or NULL when unknown; static storage. */
const char *import_kind(const char *name);
/* Prints the kinds and their columns, for usage messages. */
void import_kinds_usage(FILE *out);

#endif
