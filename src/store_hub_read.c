/* The console's readers of the province hub's tables. Each reader is a few set-wise queries,
 * whatever the number of counties; an SQLite error in the middle of a row loop is the
 * reader's error (store_row), never a short list shown as if it were whole. */
#include "pvrelief/store_hub_read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/province.h"
#include "pvrelief/xalloc.h"
#include "store_internal.h"

/* An alert is active when none of its events is its clearing; its events all carry its
 * station and severity. */
#define ACTIVE_ALERTS                                                                              \
	"SELECT county, alert_id, max(event_id) AS last, max(station) AS station, "                \
	"max(severity) AS severity FROM hub_alert_event WHERE ?1 IS NULL OR county = ?1 "          \
	"GROUP BY county, alert_id HAVING sum(type = 'cleared') = 0"

/* Returns an integer column, -1 for NULL (a count or sequence that did not come). */
static long long count_or_none(sqlite3_stmt *q, int col)
{
	return sqlite3_column_type(q, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, col);
}

int store_hub_read_begin(struct store *st)
{
	store_stmt_release(st);
	return store_exec(st, "BEGIN");
}

void store_hub_read_end(struct store *st)
{
	store_stmt_release(st);
	if (sqlite3_get_autocommit(st->db) == 0)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int store_hub_read_counties(struct store *st, const char *month, struct province_county **out,
			    size_t *n)
{
	static const char sql[] =
	    "WITH act AS (" ACTIVE_ALERTS "), ac AS (SELECT county, count(*) AS n, "
	    "sum(severity = 'critical') AS crit FROM act GROUP BY county) "
	    "SELECT c.county, coalesce(c.name, c.county), coalesce(c.status, ''), c.last_seen, "
	    "coalesce(ac.n, 0), coalesce(ac.crit, 0), h.seq, coalesce(h.hash, ''), h.at, "
	    "k.county IS NOT NULL, k.until, k.stations, k.stations_with_eta, "
	    "k.stations_meeting_target, k.eta, k.pr, k.capability_pct, k.online_rate, "
	    "k.fault_rate, k.anomaly_rate, k.county_target, k.meets_target FROM hub_county c "
	    "LEFT JOIN ac ON ac.county = c.county LEFT JOIN hub_ledger_head h ON "
	    "h.county = c.county LEFT JOIN hub_county_kpi k ON k.county = c.county AND "
	    "k.month = ?2 ORDER BY c.county";
	sqlite3_stmt *q = store_stmt(st, sql);
	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	sqlite3_bind_null(q, 1);
	sqlite3_bind_text(q, 2, month, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct province_county *c = &(*out)[(*n)++];
		memset(c, 0, sizeof *c);
		store_col_copy(q, 0, c->county, sizeof c->county);
		store_col_copy(q, 1, c->name, sizeof c->name);
		store_col_copy(q, 2, c->status, sizeof c->status);
		c->last_seen = store_col_num(q, 3);
		c->alerts_active = sqlite3_column_int64(q, 4);
		c->alerts_critical = sqlite3_column_int64(q, 5);
		c->eta_day = c->eta_month = NAN;
		c->head_seq = count_or_none(q, 6);
		store_col_copy(q, 7, c->head_hash, sizeof c->head_hash);
		c->head_at = store_col_num(q, 8);
		struct province_kpi *k = &c->kpi;
		k->known = sqlite3_column_int(q, 9);
		k->until = store_col_num(q, 10);
		k->stations = (long)count_or_none(q, 11);
		k->stations_with_eta = (long)count_or_none(q, 12);
		k->stations_meeting_target = (long)count_or_none(q, 13);
		k->eta = store_col_num(q, 14);
		k->pr = store_col_num(q, 15);
		k->capability_pct = store_col_num(q, 16);
		k->online_rate = store_col_num(q, 17);
		k->fault_rate = store_col_num(q, 18);
		k->anomaly_rate = store_col_num(q, 19);
		k->county_target = store_col_num(q, 20);
		k->meets_target = (int)count_or_none(q, 21);
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_hub_read_stations(struct store *st, const char *county, const char *day,
			    const char *month, struct province_station **out, size_t *n)
{
	/* The registry's stations and the stations that sent a figure for the day, whichever
	 * came first: a figure is never hidden for want of a registry. */
	static const char sql[] =
	    "WITH k AS (SELECT county, station FROM hub_station WHERE ?1 IS NULL OR county = ?1 "
	    "UNION SELECT county, station FROM hub_station_day WHERE day = ?2 AND "
	    "(?1 IS NULL OR county = ?1)), act AS (" ACTIVE_ALERTS "), "
	    "ac AS (SELECT county, station, count(*) AS n FROM act GROUP BY county, station) "
	    "SELECT k.county, k.station, coalesce(s.name, k.station), coalesce(s.village, ''), "
	    "coalesce(s.town, ''), s.capacity_kwp, s.lat, s.lon, d.energy_wh, d.e_act_wh, "
	    "d.eth_wh, d.eta, d.pr, d.coverage, coalesce(d.grade, 0), coalesce(d.source, ''), "
	    "m.energy_wh, m.eth_wh, m.eta, coalesce(m.grade, 0), coalesce(l.at, 0), l.power_w, "
	    "l.energy_today_wh, coalesce(l.devices, 0), coalesce(l.online, 0), "
	    "coalesce(l.state, ''), coalesce(ac.n, 0) FROM k "
	    "LEFT JOIN hub_station s ON s.county = k.county AND s.station = k.station "
	    "LEFT JOIN hub_station_day d ON d.county = k.county AND d.station = k.station AND "
	    "d.day = ?2 LEFT JOIN hub_station_month m ON m.county = k.county AND "
	    "m.station = k.station AND m.month = ?3 LEFT JOIN hub_live l ON l.county = k.county "
	    "AND l.station = k.station LEFT JOIN ac ON ac.county = k.county AND "
	    "ac.station = k.station ORDER BY k.county, k.station";
	sqlite3_stmt *q = store_stmt(st, sql);
	*out = NULL;
	*n = 0;
	if (!q)
		return -1;
	store_bind_text_or_null(q, 1, county);
	sqlite3_bind_text(q, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, month, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct province_station *s = &(*out)[(*n)++];
		memset(s, 0, sizeof *s);
		store_col_copy(q, 0, s->county, sizeof s->county);
		store_col_copy(q, 1, s->station, sizeof s->station);
		store_col_copy(q, 2, s->name, sizeof s->name);
		store_col_copy(q, 3, s->village, sizeof s->village);
		store_col_copy(q, 4, s->town, sizeof s->town);
		s->capacity_kwp = store_col_num(q, 5);
		s->lat = store_col_num(q, 6);
		s->lon = store_col_num(q, 7);
		s->energy_wh = store_col_num(q, 8);
		s->e_act_wh = store_col_num(q, 9);
		s->eth_wh = store_col_num(q, 10);
		s->eta = store_col_num(q, 11);
		s->pr = store_col_num(q, 12);
		s->coverage = store_col_num(q, 13);
		s->grade = sqlite3_column_int(q, 14);
		store_col_copy(q, 15, s->source, sizeof s->source);
		s->month_energy_wh = store_col_num(q, 16);
		s->month_eth_wh = store_col_num(q, 17);
		s->month_eta = store_col_num(q, 18);
		s->month_grade = sqlite3_column_int(q, 19);
		s->live_at = sqlite3_column_double(q, 20);
		s->power_w = store_col_num(q, 21);
		s->energy_today_wh = store_col_num(q, 22);
		s->devices = (long)sqlite3_column_int64(q, 23);
		s->online = (long)sqlite3_column_int64(q, 24);
		store_col_copy(q, 25, s->state, sizeof s->state);
		s->alerts_active = sqlite3_column_int(q, 26);
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_hub_read_days(struct store *st, const char *county, const char *station, const char *from,
			const char *to, struct store_hub_read_day *out, size_t cap)
{
	static const char sql[] =
	    "SELECT day, energy_wh, e_act_wh, eth_wh, eta, pr, coverage, curtailed_wh, "
	    "coalesce(grade, 0), coalesce(judgeable, 0), coalesce(basis, ''), "
	    "coalesce(source, '') FROM hub_station_day WHERE county = ?1 AND station = ?2 AND "
	    "day BETWEEN ?3 AND ?4 ORDER BY day";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, to, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		struct store_hub_read_day *d = &out[n++];
		store_col_copy(q, 0, d->day, sizeof d->day);
		d->energy_wh = store_col_num(q, 1);
		d->e_act_wh = store_col_num(q, 2);
		d->eth_wh = store_col_num(q, 3);
		d->eta = store_col_num(q, 4);
		d->pr = store_col_num(q, 5);
		d->coverage = store_col_num(q, 6);
		d->curtailed_wh = store_col_num(q, 7);
		d->grade = sqlite3_column_int(q, 8);
		d->judgeable = sqlite3_column_int(q, 9);
		store_col_copy(q, 10, d->basis, sizeof d->basis);
		store_col_copy(q, 11, d->source, sizeof d->source);
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_hub_read_months(struct store *st, const char *county, const char *station,
			  struct store_hub_read_month *out, size_t cap)
{
	static const char sql[] = "SELECT month, energy_wh, eth_wh, eta, coalesce(grade, 0) FROM "
				  "hub_station_month WHERE county = ?1 AND station = ?2 "
				  "ORDER BY month DESC";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, station, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		struct store_hub_read_month *m = &out[n++];
		store_col_copy(q, 0, m->month, sizeof m->month);
		m->energy_wh = store_col_num(q, 1);
		m->eth_wh = store_col_num(q, 2);
		m->eta = store_col_num(q, 3);
		m->grade = sqlite3_column_int(q, 4);
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_hub_read_alerts(struct store *st, const char *county, const char *station,
			  int active_only, struct store_hub_read_alert *out, size_t cap)
{
	static const char active[] =
	    "WITH act AS (" ACTIVE_ALERTS ") SELECT e.county, e.station, e.device, e.kind, "
	    "e.severity, e.type, coalesce(e.title, ''), e.event_id, e.alert_id, e.at, "
	    "coalesce(e.raised_at, e.at) FROM act JOIN hub_alert_event e ON e.county = act.county "
	    "AND e.event_id = act.last WHERE ?2 IS NULL OR e.station = ?2 "
	    "ORDER BY coalesce(e.raised_at, e.at), e.county, e.alert_id";
	static const char all[] =
	    "SELECT county, station, device, kind, severity, type, coalesce(title, ''), "
	    "event_id, alert_id, at, coalesce(raised_at, at) FROM hub_alert_event "
	    "WHERE (?1 IS NULL OR county = ?1) AND (?2 IS NULL OR station = ?2) "
	    "ORDER BY at DESC, county, event_id DESC";
	sqlite3_stmt *q = store_stmt(st, active_only ? active : all);
	if (!q)
		return -1;
	store_bind_text_or_null(q, 1, county);
	store_bind_text_or_null(q, 2, station);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		struct store_hub_read_alert *a = &out[n++];
		store_col_copy(q, 0, a->county, sizeof a->county);
		store_col_copy(q, 1, a->station, sizeof a->station);
		store_col_copy(q, 2, a->device, sizeof a->device);
		store_col_copy(q, 3, a->kind, sizeof a->kind);
		store_col_copy(q, 4, a->severity, sizeof a->severity);
		store_col_copy(q, 5, a->type, sizeof a->type);
		store_col_copy(q, 6, a->title, sizeof a->title);
		a->event_id = sqlite3_column_int64(q, 7);
		a->alert_id = sqlite3_column_int64(q, 8);
		a->at = sqlite3_column_double(q, 9);
		a->raised_at = sqlite3_column_double(q, 10);
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_hub_read_newest(struct store *st, double *newest_message, double *newest_live)
{
	static const char sql[] = "SELECT (SELECT coalesce(max(last_seen), 0) FROM hub_county), "
				  "(SELECT coalesce(max(at), 0) FROM hub_live)";
	sqlite3_stmt *q = store_stmt(st, sql);
	*newest_message = *newest_live = 0;
	if (!q)
		return -1;
	int rc = store_row(st, q);
	if (rc > 0) {
		*newest_message = sqlite3_column_double(q, 0);
		*newest_live = sqlite3_column_double(q, 1);
		store_rows_stop(q);
	}
	return rc < 0 ? -1 : 0;
}
