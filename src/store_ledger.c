/* The money ledger: SHA-256 chained entries, appended and loaded. */
#include "pvrelief/store_ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"
#include "store_internal.h"

int store_ledger_append(struct store *st, struct ledger_entry *e, char *why, size_t whylen)
{
	static const char sql_last[] = "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1";
	static const char sql_add[] =
	    "INSERT INTO ledger (seq, time_unix, kind, village, station, person, month, "
	    "amount_fen, memo, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11)";
	char prev[LEDGER_HASH_HEX_LEN + 1] = LEDGER_GENESIS_HASH;
	sqlite3_stmt *s = store_stmt(st, sql_last);
	if (!s)
		goto dberr;
	e->seq = 1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		e->seq = sqlite3_column_int64(s, 0) + 1;
		store_col_copy(s, 1, prev, sizeof prev);
	} else if (rc != SQLITE_DONE) {
		goto dberr;
	}
	if (ledger_entry_seal(e, prev) != 0) {
		if (ledger_entry_check(e, why, whylen) == 0)
			snprintf(why, whylen, "cannot seal ledger entry %" PRId64, e->seq);
		return -1;
	}
	s = store_stmt(st, sql_add);
	if (!s)
		goto dberr;
	sqlite3_bind_int64(s, 1, e->seq);
	sqlite3_bind_int64(s, 2, e->time_unix);
	sqlite3_bind_text(s, 3, e->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, e->village_id ? e->village_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, e->station_id ? e->station_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, e->person_id ? e->person_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, e->month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 8, e->amount_fen);
	sqlite3_bind_text(s, 9, e->memo ? e->memo : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 10, e->prev_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 11, e->hash, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	return 0;
dberr:
	snprintf(why, whylen, "cannot append to the ledger: %s", sqlite3_errmsg(st->db));
	return -1;
}

int store_ledger_load(struct store *st, struct store_ledger *out)
{
	static const char sql[] = "SELECT seq, time_unix, kind, village, station, person, month, "
				  "amount_fen, memo, prev_hash, hash FROM ledger ORDER BY rowid";
	sqlite3_stmt *s = store_stmt(st, sql);
	size_t cap = 0;
	int rc;
	memset(out, 0, sizeof *out);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 256;
			out->entries = xrealloc(out->entries, cap * sizeof *out->entries);
			out->strs = xrealloc(out->strs, cap * 6 * sizeof *out->strs);
		}
		struct ledger_entry *e = &out->entries[out->n++];
		memset(e, 0, sizeof *e);
		e->seq = sqlite3_column_int64(s, 0);
		e->time_unix = sqlite3_column_int64(s, 1);
		char **str = &out->strs[out->nstrs];
		for (int i = 0; i < 6; i++)
			str[i] = store_col_dup(s, i == 5 ? 8 : 2 + i);
		out->nstrs += 6;
		e->kind = str[0];
		e->village_id = str[1];
		e->station_id = str[2];
		e->person_id = str[3];
		e->month = str[4];
		e->memo = str[5];
		e->amount_fen = sqlite3_column_int64(s, 7);
		store_col_copy(s, 9, e->prev_hash, sizeof e->prev_hash);
		store_col_copy(s, 10, e->hash, sizeof e->hash);
	}
	if (rc != SQLITE_DONE) {
		store_ledger_free(out);
		return -1;
	}
	return 0;
}

void store_ledger_free(struct store_ledger *l)
{
	for (size_t i = 0; i < l->nstrs; i++)
		free(l->strs[i]);
	free(l->strs);
	free(l->entries);
	memset(l, 0, sizeof *l);
}

int store_ledger_head(struct store *st, int64_t *seq, char hash[LEDGER_HASH_HEX_LEN + 1])
{
	static const char sql[] = "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *s = store_stmt(st, sql);
	*seq = 0;
	memcpy(hash, LEDGER_GENESIS_HASH, LEDGER_HASH_HEX_LEN + 1);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		store_col_copy(s, 1, hash, LEDGER_HASH_HEX_LEN + 1);
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
