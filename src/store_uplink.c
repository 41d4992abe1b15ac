/* The county side of the uplink: change list, revision counter, readers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/publish_uplink.h"
#include "pvrelief/store_uplink.h"
#include "store_internal.h"

int store_uplink_enable(struct store *st, int on)
{
	return store_meta_set(st, "uplink.enabled", on ? "1" : "0");
}

long store_uplink_mark_all(struct store *st)
{
	static const char days[] = "INSERT OR IGNORE INTO uplink_dirty SELECT 'day', station, day "
				   "FROM station_eff_day";
	static const char months[] = "INSERT OR IGNORE INTO uplink_dirty SELECT 'month', station, "
				     "month FROM station_month";
	static const char kpis[] = "INSERT OR IGNORE INTO uplink_dirty SELECT DISTINCT 'kpi', "
				   "month, '' FROM station_month";
	static const char head[] = "INSERT OR IGNORE INTO uplink_dirty SELECT 'ledger', '', '' "
				   "WHERE EXISTS (SELECT 1 FROM ledger)";
	sqlite3_stmt *q = store_stmt(st, days);
	if (!q || sqlite3_step(q) != SQLITE_DONE)
		return -1;
	long n = sqlite3_changes(st->db);
	if (!(q = store_stmt(st, months)) || sqlite3_step(q) != SQLITE_DONE)
		return -1;
	n += sqlite3_changes(st->db);
	if (!(q = store_stmt(st, kpis)) || sqlite3_step(q) != SQLITE_DONE)
		return -1;
	n += sqlite3_changes(st->db);
	if (!(q = store_stmt(st, head)) || sqlite3_step(q) != SQLITE_DONE)
		return -1;
	return n + sqlite3_changes(st->db);
}

int store_uplink_dirty_list(struct store *st, struct store_uplink_dirty *rows, int max)
{
	/* Alerts first, in the order they happened; then months and days. */
	static const char sql[] = "SELECT kind, a, b FROM uplink_dirty ORDER BY kind = 'alert' "
				  "DESC, kind, a, b LIMIT ?1";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int(q, 1, max);
	int n = 0, rc;
	while (n < max && (rc = store_row(st, q)) == 1) {
		store_col_copy(q, 0, rows[n].kind, sizeof rows[n].kind);
		store_col_copy(q, 1, rows[n].a, sizeof rows[n].a);
		store_col_copy(q, 2, rows[n].b, sizeof rows[n].b);
		n++;
	}
	if (n == max)
		store_rows_stop(q);
	else if (rc < 0)
		return -1;
	return n;
}

int store_uplink_dirty_done(struct store *st, const struct store_uplink_dirty *d)
{
	static const char sql[] = "DELETE FROM uplink_dirty WHERE kind = ?1 AND a = ?2 AND b = ?3";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->a, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, d->b, -1, SQLITE_STATIC);
	return sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
}

int store_uplink_next_rev(struct store *st, int64_t *rev)
{
	char buf[32];
	int rc = store_meta_get(st, "uplink.rev", buf, sizeof buf);
	if (rc < 0)
		return -1;
	int64_t r = rc == 0 ? strtoll(buf, NULL, 10) : 0;
	snprintf(buf, sizeof buf, "%lld", (long long)(r + 1));
	if (store_meta_set(st, "uplink.rev", buf) != 0)
		return -1;
	*rev = r + 1;
	return 0;
}

int store_uplink_month_get(struct store *st, const char *station, const char *month,
			   struct publish_uplink_month *out)
{
	static const char sql[] = "SELECT energy_wh, eth_wh, eta, grade FROM station_month "
				  "WHERE station = ?1 AND month = ?2";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, month, -1, SQLITE_STATIC);
	int rc = store_row(st, q);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	out->station = station;
	out->month = month;
	out->energy_wh = store_col_num(q, 0);
	out->eth_wh = store_col_num(q, 1);
	out->eta = store_col_num(q, 2);
	out->grade = sqlite3_column_type(q, 3) == SQLITE_NULL ? 0 : sqlite3_column_int(q, 3);
	store_rows_stop(q);
	return 0;
}

int store_uplink_alert_get(struct store *st, int64_t event_id, struct store_uplink_alert *row)
{
	struct publish_uplink_alert *out = &row->a;
	static const char sql[] =
	    "SELECT e.alert_id, e.type, e.at, a.raised_at, a.kind, a.severity, a.station, "
	    "a.device, a.title FROM alert_event e JOIN alert a ON a.id = e.alert_id "
	    "WHERE e.id = ?1";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, event_id);
	int rc = store_row(st, q);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	out->event_id = event_id;
	out->alert_id = sqlite3_column_int64(q, 0);
	store_col_copy(q, 1, row->type, sizeof row->type);
	out->at = sqlite3_column_double(q, 2);
	out->raised_at = sqlite3_column_double(q, 3);
	store_col_copy(q, 4, row->kind, sizeof row->kind);
	store_col_copy(q, 5, row->severity, sizeof row->severity);
	store_col_copy(q, 6, row->station, sizeof row->station);
	store_col_copy(q, 7, row->device, sizeof row->device);
	store_col_copy(q, 8, row->title, sizeof row->title);
	out->type = row->type;
	out->kind = row->kind;
	out->severity = row->severity;
	out->station = row->station;
	out->device = row->device;
	out->title = row->title;
	store_rows_stop(q);
	return 0;
}
