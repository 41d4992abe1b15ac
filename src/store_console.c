/* The console's reads and writes. Reads are a handful of set-wise queries per page (every
 * device in one statement, not one per device), so that a county of 10,000 inverters is read
 * in milliseconds and the read transaction that holds the snapshot stays short. */
#include "pvrelief/store_console.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"
#include "pvrelief/store_maintenance.h"
#include "store_internal.h"

int store_console_read_begin(struct store *st)
{
	store_stmt_release(st);
	return store_exec(st, "BEGIN");
}

void store_console_read_end(struct store *st)
{
	store_stmt_release(st);
	if (sqlite3_get_autocommit(st->db) == 0)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int store_console_devices(struct store *st, const char *station, const char *day,
			  struct store_console_device **out, size_t *n)
{
	/* The newest raw reading by the (device_id, ts) key; energy_state keeps the time and
	 * power of readings older than the raw retention. */
	static const char sql[] =
	    "SELECT d.id, d.station, d.device, coalesce(r.ts, e.ts, 0),"
	    " coalesce(r.power_w, e.power_w), coalesce(r.state, -1), coalesce(rd.energy_wh, 0),"
	    " coalesce(g.requests, 0), coalesce(g.errors, 0), coalesce(g.timeouts, 0),"
	    " coalesce(g.last_success, 0), coalesce(g.rtt_ms, 0), g.last_error,"
	    " coalesce(g.updated, 0)"
	    " FROM device d"
	    " LEFT JOIN reading r ON r.device_id = d.id"
	    "  AND r.ts = (SELECT max(ts) FROM reading WHERE device_id = d.id)"
	    " LEFT JOIN energy_state e ON e.device_id = d.id"
	    " LEFT JOIN rollup_day rd ON rd.device_id = d.id AND rd.day = ?1"
	    " LEFT JOIN device_diag g ON g.device_id = d.id"
	    " WHERE ?2 IS NULL OR d.station = ?2 ORDER BY d.station, d.device";
	sqlite3_stmt *q = store_stmt(st, sql);
	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	if (station)
		sqlite3_bind_text(q, 2, station, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_console_device *d = &(*out)[(*n)++];
		memset(d, 0, sizeof *d);
		d->id = sqlite3_column_int64(q, 0);
		store_col_copy(q, 1, d->station, sizeof d->station);
		store_col_copy(q, 2, d->device, sizeof d->device);
		d->last_ts = sqlite3_column_double(q, 3);
		d->power_w = store_col_num(q, 4);
		d->state = sqlite3_column_int(q, 5);
		d->energy_today_wh = sqlite3_column_double(q, 6);
		d->requests = sqlite3_column_int64(q, 7);
		d->errors = sqlite3_column_int64(q, 8);
		d->timeouts = sqlite3_column_int64(q, 9);
		d->last_success = sqlite3_column_double(q, 10);
		d->rtt_ms = sqlite3_column_double(q, 11);
		store_col_copy(q, 12, d->last_error, sizeof d->last_error);
		d->diag_updated = sqlite3_column_double(q, 13);
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_console_eff(struct store *st, const char *day, const char *month,
		      struct store_console_eff **out, size_t *n)
{
	static const char sql[] =
	    "SELECT s.station, e.eta, e.e_act_wh, e.eth_wh, e.yf_h, coalesce(e.grade, 0),"
	    " m.eta, m.energy_wh, m.eth_wh, coalesce(m.grade, 0)"
	    " FROM (SELECT station FROM station_eff_day WHERE day = ?1"
	    "       UNION SELECT station FROM station_month WHERE month = ?2) s"
	    " LEFT JOIN station_eff_day e ON e.station = s.station AND e.day = ?1"
	    " LEFT JOIN station_month m ON m.station = s.station AND m.month = ?2"
	    " ORDER BY s.station";
	sqlite3_stmt *q = store_stmt(st, sql);
	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, month, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_console_eff *e = &(*out)[(*n)++];
		store_col_copy(q, 0, e->station, sizeof e->station);
		e->eta_day = store_col_num(q, 1);
		e->e_act_day_wh = store_col_num(q, 2);
		e->eth_day_wh = store_col_num(q, 3);
		e->yf_day_h = store_col_num(q, 4);
		e->grade_day = sqlite3_column_int(q, 5);
		e->eta_month = store_col_num(q, 6);
		e->energy_month_wh = store_col_num(q, 7);
		e->eth_month_wh = store_col_num(q, 8);
		e->grade_month = sqlite3_column_int(q, 9);
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_console_slots(struct store *st, const char *station, double t0, double t1,
			struct store_console_slot *out, size_t cap)
{
	/* Power is each inverter's mean over the slot, added up; irradiance comes from the
	 * sensors' irradiation in the slot (Wh/m2 over 5 minutes is 12 times the mean W/m2). */
	static const char sql[] =
	    "SELECT r.slot, sum(CASE WHEN r.power_n > 0 THEN r.power_sum_w / r.power_n END),"
	    " sum(r.energy_wh), max(CASE WHEN r.poa_wh_m2 > 0 THEN r.poa_wh_m2 * 12 END),"
	    " max(CASE WHEN r.ghi_wh_m2 > 0 THEN r.ghi_wh_m2 * 12 END),"
	    " max(CASE WHEN r.poa_wh_m2 > 0 OR r.ghi_wh_m2 > 0 THEN r.n_valid END)"
	    " FROM rollup_5min r JOIN device d ON d.id = r.device_id"
	    " WHERE d.station = ?1 AND r.slot >= ?2 AND r.slot < ?3 GROUP BY r.slot ORDER BY "
	    "r.slot";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)t0);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)t1);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		struct store_console_slot *s = &out[n++];
		s->slot = sqlite3_column_int64(q, 0);
		s->power_w = store_col_num(q, 1);
		s->energy_wh = sqlite3_column_double(q, 2);
		s->poa_w_m2 = store_col_num(q, 3);
		s->ghi_w_m2 = store_col_num(q, 4);
		s->sensor_n = sqlite3_column_int(q, 5);
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_console_device_energy(struct store *st, const char *station, const char *first_day,
				const char *last_day,
				void (*cb)(void *arg, const char *device, double energy_wh),
				void *arg)
{
	static const char sql[] = "SELECT d.device, sum(r.energy_wh) FROM rollup_day r"
				  " JOIN device d ON d.id = r.device_id WHERE d.station = ?1"
				  " AND r.day BETWEEN ?2 AND ?3 GROUP BY d.device";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, first_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, last_day, -1, SQLITE_STATIC);
	int rc;
	while ((rc = store_row(st, q)) > 0)
		cb(arg, (const char *)sqlite3_column_text(q, 0), sqlite3_column_double(q, 1));
	return rc < 0 ? -1 : 0;
}

int store_console_station_energy_total(struct store *st,
				       void (*cb)(void *arg, const char *station, double energy_wh),
				       void *arg)
{
	static const char sql[] = "SELECT d.station, sum(r.energy_wh) FROM rollup_day r"
				  " JOIN device d ON d.id = r.device_id GROUP BY d.station";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	int rc;
	while ((rc = store_row(st, q)) > 0)
		cb(arg, (const char *)sqlite3_column_text(q, 0), sqlite3_column_double(q, 1));
	return rc < 0 ? -1 : 0;
}

int store_console_alerts(struct store *st, const struct store_console_alert_filter *f,
			 struct store_alert *out, size_t cap)
{
	static const char sql[] =
	    "SELECT " STORE_ALERT_COLS " FROM alert"
	    " WHERE (?1 = 0 OR (?1 = 1 AND cleared_at IS NULL) OR (?1 = 2 AND cleared_at IS NOT"
	    " NULL)) AND (?2 IS NULL OR station = ?2) AND (?3 IS NULL OR kind = ?3)"
	    " AND (?4 = 0 OR raised_at >= ?4) AND (?5 = 0 OR raised_at < ?5)"
	    " ORDER BY cleared_at IS NOT NULL, raised_at DESC, id DESC LIMIT ?6";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int(q, 1, f->state);
	if (f->station)
		sqlite3_bind_text(q, 2, f->station, -1, SQLITE_STATIC);
	if (f->kind)
		sqlite3_bind_text(q, 3, f->kind, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 4, f->since);
	sqlite3_bind_double(q, 5, f->until);
	sqlite3_bind_int64(
	    q, 6, f->limit && f->limit < cap ? (sqlite3_int64)f->limit : (sqlite3_int64)cap);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0)
		store_alert_row(q, &out[n++]);
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_console_ack_note(struct store *st, uint64_t id, char *buf, size_t len)
{
	static const char sql[] = "SELECT new FROM history WHERE tbl = 'alert' AND key = ?1"
				  " AND action = 'acknowledge' ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *q = store_stmt(st, sql);
	buf[0] = '\0';
	if (!q)
		return -1;
	char key[24];
	snprintf(key, sizeof key, "%llu", (unsigned long long)id);
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	int rc = store_row(st, q);
	if (rc > 0) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		/* The history keeps "note=..." as the CLI shows it; the page shows the note. */
		const char *note = t ? strstr(t, "note=") : NULL;
		snprintf(buf, len, "%s", note ? note + 5 : "");
		store_rows_stop(q);
	}
	return rc < 0 ? -1 : 0;
}

int store_console_active_counts(struct store *st,
				void (*cb)(void *arg, const char *kind, const char *severity,
					   long n),
				void *arg)
{
	static const char sql[] = "SELECT kind, severity, count(*) FROM alert"
				  " WHERE cleared_at IS NULL GROUP BY kind, severity";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	int rc;
	while ((rc = store_row(st, q)) > 0)
		cb(arg, (const char *)sqlite3_column_text(q, 0),
		   (const char *)sqlite3_column_text(q, 1), (long)sqlite3_column_int64(q, 2));
	return rc < 0 ? -1 : 0;
}

int store_console_status(struct store *st, struct store_console_status *s)
{
	static const char sql[] =
	    "SELECT (SELECT coalesce(max(ts), 0) FROM reading),"
	    " (SELECT coalesce(max(updated), 0) FROM device_diag), (SELECT count(*) FROM outbox)";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q || store_row(st, q) <= 0)
		return -1;
	s->newest_reading_ts = sqlite3_column_double(q, 0);
	s->newest_diag_wall = sqlite3_column_double(q, 1);
	s->outbox_depth = (long)sqlite3_column_int64(q, 2);
	store_rows_stop(q);
	return 0;
}

static int history(struct store *st, double at, const char *user, const char *table,
		   const char *key, const char *action, const char *newtext)
{
	static const char sql[] = "INSERT INTO history (at, by, tbl, key, action, old, new)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6)";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)at);
	sqlite3_bind_text(q, 2, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, newtext, -1, SQLITE_STATIC);
	return sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
}

int store_console_ack(struct store *st, uint64_t id, const char *user, const char *note, double at)
{
	if (store_begin(st) != 0)
		return -1;
	int rc = store_alert_ack(st, id, user, at);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	char key[24];
	snprintf(key, sizeof key, "%llu", (unsigned long long)id);
	char *newtext = xasprintf("ack_by=%s; via=web; note=%s", user, note ? note : "");
	rc = history(st, at, user, "alert", key, "acknowledge", newtext);
	free(newtext);
	if (rc != 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st);
}

int store_console_maintenance(struct store *st, const char *station, const char *kind, double at,
			      const char *worker, const char *note, const char *user, double now)
{
	if (store_begin(st) != 0)
		return -1;
	if (store_maintenance_add(st, station, kind, at, worker, note) != 0)
		goto fail;
	char key[96];
	snprintf(key, sizeof key, "%lld", (long long)sqlite3_last_insert_rowid(st->db));
	char *newtext = xasprintf("station=%s; kind=%s; at=%.0f; by=%s; via=web; note=%s", station,
				  kind, at, worker, note ? note : "");
	int rc = history(st, now, user, "maintenance_log", key, "insert", newtext);
	free(newtext);
	if (rc != 0)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return -1;
}
