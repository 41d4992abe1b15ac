/* The operation and maintenance ledger: one table, maintenance_log, read through one struct. */
#include "pvrelief/store_maintenance.h"

#include <stdlib.h>

#include "pvrelief/xalloc.h"
#include "store_internal.h"

int store_maintenance_add(struct store *st, const char *station, const char *kind, double at,
			  const char *by, const char *note)
{
	static const char sql[] =
	    "INSERT INTO maintenance_log (station, kind, at, by, note) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, at);
	sqlite3_bind_text(q, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, note ? note : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_maintenance_last(struct store *st, const char *station, const char *kind, double *at)
{
	static const char sql[] =
	    "SELECT coalesce(max(at), 0) FROM maintenance_log WHERE station = ?1 AND kind = ?2";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	/* An aggregate: one row always, so none is an error too. */
	if (store_row(st, q) <= 0)
		return -1;
	*at = sqlite3_column_double(q, 0);
	store_rows_stop(q);
	return 0;
}

void store_maintenance_free(struct store_maintenance *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].station);
		free(m[i].kind);
		free(m[i].by);
		free(m[i].note);
	}
	free(m);
}

int store_maintenance_list(struct store *st, const char *station, const char *kind,
			   enum store_maintenance_order order, size_t limit,
			   struct store_maintenance **out, size_t *n)
{
	/* Two statements rather than a spliced ORDER BY: the statement cache keys on the SQL. */
	static const char sql_newest[] =
	    "SELECT id, station, kind, at, coalesce(by, ''), coalesce(note, '') FROM "
	    "maintenance_log WHERE (?1 IS NULL OR station = ?1) AND (?2 IS NULL OR kind = ?2)"
	    " ORDER BY at DESC, id DESC LIMIT ?3";
	static const char sql_oldest[] =
	    "SELECT id, station, kind, at, coalesce(by, ''), coalesce(note, '') FROM "
	    "maintenance_log WHERE (?1 IS NULL OR station = ?1) AND (?2 IS NULL OR kind = ?2)"
	    " ORDER BY at, id LIMIT ?3";
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q =
	    store_stmt(st, order == STORE_MAINT_OLDEST_FIRST ? sql_oldest : sql_newest);
	if (!q)
		return -1;
	store_bind_text_or_null(q, 1, station);
	store_bind_text_or_null(q, 2, kind);
	sqlite3_bind_int64(q, 3, limit ? (sqlite3_int64)limit : -1);
	size_t cap = 0;
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_maintenance *m = &(*out)[(*n)++];
		m->id = sqlite3_column_int64(q, 0);
		m->station = store_col_dup(q, 1);
		m->kind = store_col_dup(q, 2);
		m->at = sqlite3_column_double(q, 3);
		m->by = store_col_dup(q, 4);
		m->note = store_col_dup(q, 5);
	}
	if (rc < 0) {
		store_maintenance_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}
