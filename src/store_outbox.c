/* The MQTT outboxes: events waiting for a broker's acknowledgement. The alert outbox feeds
 * the county's own broker, the uplink outbox the province's; both have the same columns, so
 * each statement exists once per box. */
#include <stdlib.h>

#include "pvrelief/store_outbox.h"
#include "pvrelief/xalloc.h"
#include "store_internal.h"

/* Statements are cached by the address of their text, so each box has its own strings. */
static const char *const add_sql[STORE_OUTBOX_N] = {
    "INSERT INTO outbox (topic, payload, qos, created_ts) VALUES (?1, ?2, ?3, ?4)",
    "INSERT INTO uplink_outbox (topic, payload, qos, created_ts) VALUES (?1, ?2, ?3, ?4)",
};
static const char *const fetch_sql[STORE_OUTBOX_N] = {
    "SELECT id, topic, payload, qos, created_ts FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2",
    "SELECT id, topic, payload, qos, created_ts FROM uplink_outbox WHERE id > ?1 ORDER BY id "
    "LIMIT ?2",
};
static const char *const delete_sql[STORE_OUTBOX_N] = {
    "DELETE FROM outbox WHERE id = ?1",
    "DELETE FROM uplink_outbox WHERE id = ?1",
};
static const char *const count_sql[STORE_OUTBOX_N] = {
    "SELECT count(*) FROM outbox",
    "SELECT count(*) FROM uplink_outbox",
};

int store_outbox_add_in(struct store *st, enum store_outbox_box box, const char *topic,
			const char *payload, int qos, double created_ts, int64_t *id)
{
	sqlite3_stmt *s = store_stmt(st, add_sql[box]);
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

int store_outbox_add(struct store *st, const char *topic, const char *payload, int qos,
		     double created_ts, int64_t *id)
{
	return store_outbox_add_in(st, STORE_OUTBOX_ALERTS, topic, payload, qos, created_ts, id);
}

int store_outbox_put_keyed(struct store *st, const char *topic, const char *payload,
			   double created_ts, const char *key, int64_t *id)
{
	static const char del[] = "DELETE FROM uplink_outbox WHERE key = ?1";
	static const char ins[] =
	    "INSERT INTO uplink_outbox (topic, payload, qos, created_ts, key) "
	    "VALUES (?1, ?2, 1, ?3, ?4)";
	sqlite3_stmt *s = store_stmt(st, del);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	if (!(s = store_stmt(st, ins)))
		return -1;
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, payload, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 3, created_ts);
	sqlite3_bind_text(s, 4, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_outbox_fetch_in(struct store *st, enum store_outbox_box box, int64_t after_id,
			  struct store_outbox_row *rows, int max)
{
	sqlite3_stmt *s = store_stmt(st, fetch_sql[box]);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int(s, 2, max);
	int n = 0, rc = 0;
	while (n < max && (rc = store_row(st, s)) > 0) {
		rows[n].id = sqlite3_column_int64(s, 0);
		rows[n].topic = xstrdup((const char *)sqlite3_column_text(s, 1));
		rows[n].payload = xstrdup((const char *)sqlite3_column_text(s, 2));
		rows[n].qos = sqlite3_column_int(s, 3);
		rows[n].created_ts = sqlite3_column_double(s, 4);
		n++;
	}
	if (rc < 0) {
		store_outbox_rows_free(rows, n);
		return -1;
	}
	/* Leaves the read transaction now rather than at the next use of the statement, so
	 * that the daemon's other connection can checkpoint the WAL. */
	store_rows_stop(s);
	return n;
}

int store_outbox_fetch(struct store *st, int64_t after_id, struct store_outbox_row *rows, int max)
{
	return store_outbox_fetch_in(st, STORE_OUTBOX_ALERTS, after_id, rows, max);
}

void store_outbox_rows_free(struct store_outbox_row *rows, int n)
{
	for (int i = 0; i < n; i++) {
		free(rows[i].topic);
		free(rows[i].payload);
		rows[i].topic = rows[i].payload = NULL;
	}
}

int store_outbox_delete_in(struct store *st, enum store_outbox_box box, int64_t id)
{
	sqlite3_stmt *s = store_stmt(st, delete_sql[box]);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int store_outbox_delete(struct store *st, int64_t id)
{
	return store_outbox_delete_in(st, STORE_OUTBOX_ALERTS, id);
}

long store_outbox_count_in(struct store *st, enum store_outbox_box box)
{
	sqlite3_stmt *s = store_stmt(st, count_sql[box]);
	if (!s)
		return -1;
	long n = store_row(st, s) > 0 ? (long)sqlite3_column_int64(s, 0) : -1;
	store_rows_stop(s);
	return n;
}

long store_outbox_count(struct store *st)
{
	return store_outbox_count_in(st, STORE_OUTBOX_ALERTS);
}
