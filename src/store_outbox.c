/* The MQTT outbox table: events waiting for the broker's acknowledgement. */
#include <stdlib.h>

#include "pvrelief/store_outbox.h"
#include "pvrelief/xalloc.h"
#include "store_internal.h"

int store_outbox_add(struct store *st, const char *topic, const char *payload, int qos,
		     double created_ts, int64_t *id)
{
	static const char sql[] =
	    "INSERT INTO outbox (topic, payload, qos, created_ts) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, qos);
	sqlite3_bind_double(s, 4, created_ts);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_outbox_fetch(struct store *st, int64_t after_id, struct store_outbox_row *rows, int max)
{
	static const char sql[] = "SELECT id, topic, payload, qos, created_ts FROM outbox "
				  "WHERE id > ?1 ORDER BY id LIMIT ?2";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int(s, 2, max);
	int n = 0, rc = SQLITE_DONE;
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows[n].id = sqlite3_column_int64(s, 0);
		rows[n].topic = xstrdup((const char *)sqlite3_column_text(s, 1));
		rows[n].payload = xstrdup((const char *)sqlite3_column_text(s, 2));
		rows[n].qos = sqlite3_column_int(s, 3);
		rows[n].created_ts = sqlite3_column_double(s, 4);
		n++;
	}
	if (n < max && rc != SQLITE_DONE) {
		store_outbox_rows_free(rows, n);
		return -1;
	}
	/* Leaves the read transaction now rather than at the next use of the statement, so
	 * that the daemon's other connection can checkpoint the WAL. */
	sqlite3_reset(s);
	return n;
}

void store_outbox_rows_free(struct store_outbox_row *rows, int n)
{
	for (int i = 0; i < n; i++) {
		free(rows[i].topic);
		free(rows[i].payload);
		rows[i].topic = rows[i].payload = NULL;
	}
}

int store_outbox_delete(struct store *st, int64_t id)
{
	static const char sql[] = "DELETE FROM outbox WHERE id = ?1";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

long store_outbox_count(struct store *st)
{
	static const char sql[] = "SELECT count(*) FROM outbox";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	long n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}
