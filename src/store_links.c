/* Link traffic counters (store_links.h): one row per gateway, device and local day. */
#include <string.h>

#include "pvrelief/store_links.h"
#include "store_internal.h"

int store_link_add(struct store *st, const char *gateway, int64_t device_id, const char *day,
		   uint64_t bytes, uint64_t polls, double interval_s)
{
	static const char sql[] =
	    "INSERT INTO link_day (gateway, device_id, day, wire_bytes, polls, interval_s) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (gateway, device_id, day) DO UPDATE SET "
	    "wire_bytes = wire_bytes + excluded.wire_bytes, polls = polls + excluded.polls, "
	    "interval_s = coalesce(excluded.interval_s, interval_s)";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, gateway, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, device_id);
	sqlite3_bind_text(s, 3, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)bytes);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)polls);
	if (interval_s > 0)
		sqlite3_bind_double(s, 6, interval_s);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

int64_t store_link_gateway_bytes(struct store *st, const char *gateway, const char *first_day,
				 const char *last_day)
{
	static const char sql[] = "SELECT coalesce(sum(wire_bytes), 0) FROM link_day "
				  "WHERE gateway = ?1 AND day >= ?2 AND day <= ?3";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, gateway, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, first_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, last_day, -1, SQLITE_STATIC);
	int64_t n = -1;
	if (store_row(st, q) > 0) {
		n = sqlite3_column_int64(q, 0);
		store_rows_stop(q);
	}
	return n;
}

int store_link_rows(struct store *st, const char *first_day, const char *last_day,
		    struct store_link_row *out, size_t cap)
{
	/* The newest day's interval is the one in force now. */
	static const char sql[] =
	    "SELECT l.gateway, l.device_id, coalesce(d.station, ''), coalesce(d.device, ''), "
	    "sum(CASE WHEN l.day = ?2 THEN l.wire_bytes ELSE 0 END), sum(l.wire_bytes), "
	    "sum(CASE WHEN l.day = ?2 THEN l.polls ELSE 0 END), sum(l.polls), "
	    "(SELECT x.interval_s FROM link_day x WHERE x.gateway = l.gateway AND "
	    " x.device_id = l.device_id AND x.day >= ?1 AND x.day <= ?2 AND x.interval_s IS NOT "
	    " NULL ORDER BY x.day DESC LIMIT 1) "
	    "FROM link_day l LEFT JOIN device d ON d.id = l.device_id "
	    "WHERE l.day >= ?1 AND l.day <= ?2 GROUP BY l.gateway, l.device_id "
	    "ORDER BY l.gateway, l.device_id";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, first_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, last_day, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		if (n == cap) {
			store_rows_stop(q);
			break;
		}
		struct store_link_row *r = &out[n++];
		memset(r, 0, sizeof *r);
		store_col_copy(q, 0, r->gateway, sizeof r->gateway);
		r->device_id = sqlite3_column_int64(q, 1);
		store_col_copy(q, 2, r->station, sizeof r->station);
		store_col_copy(q, 3, r->device, sizeof r->device);
		r->today_bytes = sqlite3_column_int64(q, 4);
		r->month_bytes = sqlite3_column_int64(q, 5);
		r->today_polls = sqlite3_column_int64(q, 6);
		r->month_polls = sqlite3_column_int64(q, 7);
		r->interval_s =
		    sqlite3_column_type(q, 8) == SQLITE_NULL ? 0 : sqlite3_column_double(q, 8);
	}
	return rc < 0 ? -1 : (int)n;
}
