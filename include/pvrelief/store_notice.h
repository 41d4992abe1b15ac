/* The public notices as posted: for each village, month and format, the exact bytes that were
 * issued when the plan was publicised, their SHA-256 and the ledger entry holding it. A
 * notice is stored once and never replaced. Works inside the caller's transaction. */
#ifndef PVRELIEF_STORE_NOTICE_H
#define PVRELIEF_STORE_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/ledger.h"

struct store;

/* A stored notice; body is owned by the caller of store_notice_get (free it). */
struct store_notice {
	char village[64], month[8], format[8];
	int64_t issued_at_unix;
	char sha256[LEDGER_HASH_HEX_LEN + 1];
	int64_t ledger_seq;
	unsigned char *body;
	size_t len;
};
/* Stores a posted notice; 0, or -1 (also when one of that village, month and format is
 * already stored: a posted notice is never replaced). */
int store_notice_put(struct store *st, const struct store_notice *n);
/* Loads the notice of a village's month in format ("html", "csv", "json", "xlsx") into *out
 * with a new body the caller frees; 0, 1 when none is stored, or negative. This is the
 * function other front ends (the web console) use to serve a posted notice. */
int store_notice_get(struct store *st, const char *village, const char *month, const char *format,
		     struct store_notice *out);
/* The village's months with a stored notice before month, oldest first, into months[max][8];
 * returns how many, or negative. */
int store_notice_months(struct store *st, const char *village, const char *month, char (*months)[8],
			int max);
/* Calls fn for every stored notice (body included) in village, month, format order; stops
 * at the first non-zero return and returns it; 0 when all were seen, negative on a database
 * error. */
int store_notice_each(struct store *st, int (*fn)(const struct store_notice *n, void *arg),
		      void *arg);

/* The town's notice of a month, issued when the last of its villages is publicised and kept
 * the same way; village in struct store_notice holds the town's id. Put: 0, or -1 (also when
 * already stored). Get: 0, 1 when none is stored, or negative; the caller frees the body.
 * Each: as store_notice_each. */
int store_town_notice_put(struct store *st, const struct store_notice *n);
int store_town_notice_get(struct store *st, const char *town, const char *month, const char *format,
			  struct store_notice *out);
int store_town_notice_each(struct store *st, int (*fn)(const struct store_notice *n, void *arg),
			   void *arg);

#endif
