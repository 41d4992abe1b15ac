/* Alerts, their history, and the maintenance ledger they depend on. */
#include <stdio.h>
#include <string.h>

#include "pvrelief/store_alert.h"
#include "store_internal.h"

static int event(struct store *st, uint64_t id, const char *type, double at, const char *by,
		 const char *figures)
{
	static const char sql[] =
	    "INSERT INTO alert_event (alert_id, type, at, by, figures) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)id);
	sqlite3_bind_text(q, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, at);
	if (by)
		sqlite3_bind_text(q, 4, by, -1, SQLITE_STATIC);
	if (figures)
		sqlite3_bind_text(q, 5, figures, -1, SQLITE_STATIC);
	return sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
}

int store_alert_raise(struct store *st, const struct store_alert *a)
{
	static const char sql[] =
	    "INSERT INTO alert (id, kind, severity, station, device, raised_at, title, detail, "
	    "figures, suppressed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)a->id);
	sqlite3_bind_text(q, 2, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, a->severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, a->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, a->device, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 6, a->raised_at);
	sqlite3_bind_text(q, 7, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, a->detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, a->figures[0] ? a->figures : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 10, a->suppressed);
	if (sqlite3_step(q) != SQLITE_DONE)
		return -1;
	return event(st, a->id, "raised", a->raised_at, NULL, a->figures);
}

int store_alert_clear(struct store *st, uint64_t id, double at, const char *figures)
{
	static const char sql[] =
	    "UPDATE alert SET cleared_at = ?2 WHERE id = ?1 AND cleared_at IS NULL";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)id);
	sqlite3_bind_double(q, 2, at);
	if (sqlite3_step(q) != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return 1;
	return event(st, id, "cleared", at, NULL, figures);
}

int store_alert_ack(struct store *st, uint64_t id, const char *by, double at)
{
	static const char sql[] = "UPDATE alert SET ack_by = ?2, ack_at = ?3 WHERE id = ?1";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)id);
	sqlite3_bind_text(q, 2, by, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, at);
	if (sqlite3_step(q) != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return 1;
	return event(st, id, "acknowledged", at, by, NULL);
}

int store_alert_max_id(struct store *st, uint64_t *id)
{
	static const char sql[] = "SELECT coalesce(max(id), 0) FROM alert";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q || store_row(st, q) <= 0)
		return -1;
	*id = (uint64_t)sqlite3_column_int64(q, 0);
	store_rows_stop(q);
	return 0;
}

void store_alert_row(sqlite3_stmt *q, struct store_alert *a)
{
	memset(a, 0, sizeof *a);
	a->id = (uint64_t)sqlite3_column_int64(q, 0);
	store_col_copy(q, 1, a->kind, sizeof a->kind);
	store_col_copy(q, 2, a->severity, sizeof a->severity);
	store_col_copy(q, 3, a->station, sizeof a->station);
	store_col_copy(q, 4, a->device, sizeof a->device);
	a->raised_at = sqlite3_column_double(q, 5);
	a->cleared_at = sqlite3_column_double(q, 6);
	store_col_copy(q, 7, a->title, sizeof a->title);
	store_col_copy(q, 8, a->detail, sizeof a->detail);
	store_col_copy(q, 9, a->figures, sizeof a->figures);
	store_col_copy(q, 10, a->ack_by, sizeof a->ack_by);
	a->ack_at = sqlite3_column_double(q, 11);
	a->suppressed = sqlite3_column_int(q, 12);
}

int store_alert_list(struct store *st, const struct store_alert_filter *f, struct store_alert *out,
		     size_t cap)
{
	static const char sql[] =
	    "SELECT " STORE_ALERT_COLS " FROM alert"
	    " WHERE (?1 = 0 OR cleared_at IS NULL) AND (?2 IS NULL OR station = ?2)"
	    " ORDER BY raised_at DESC, id DESC LIMIT ?3";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int(q, 1, f->active_only);
	if (f->station)
		sqlite3_bind_text(q, 2, f->station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(
	    q, 3, f->limit && f->limit < cap ? (sqlite3_int64)f->limit : (sqlite3_int64)cap);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		store_alert_row(q, &out[n++]);
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}
