/* The province hub's tables. Every upsert keeps the row with the highest revision: the
 * broker delivers at least once and a county's outbox may send an older revision after a
 * newer one was dropped from it, so arrival order decides nothing. */
#include <math.h>
#include <string.h>

#include "pvrelief/store_hub.h"
#include "store_internal.h"

static void bind_num(sqlite3_stmt *q, int col, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(q, col, v);
	else
		sqlite3_bind_null(q, col);
}

static int done(struct store *st, sqlite3_stmt *q)
{
	if (sqlite3_step(q) != SQLITE_DONE)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int store_hub_tune(struct store *st)
{
	/* The hub writes large batches into tables that grow by a million rows a year: a page
	 * cache that holds the pages being filled (64 MiB), and fewer checkpoints (each one
	 * syncs), keep a batch from rereading and resyncing the same pages. */
	if (store_exec(st, "PRAGMA cache_size = -65536") != 0 ||
	    store_exec(st, "PRAGMA wal_autocheckpoint = 8192") != 0)
		return -1;
	return 0;
}

int store_hub_county_seen(struct store *st, const char *county, double at)
{
	static const char sql[] = "INSERT INTO hub_county (county, last_seen) VALUES (?1, ?2) "
				  "ON CONFLICT (county) DO UPDATE SET last_seen = "
				  "max(coalesce(last_seen, 0), excluded.last_seen)";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 2, at);
	return done(st, q);
}

int store_hub_county_status(struct store *st, const char *county, const char *status, double at)
{
	static const char sql[] = "INSERT INTO hub_county (county, status, status_at) VALUES "
				  "(?1, ?2, ?3) ON CONFLICT (county) DO UPDATE SET status = "
				  "excluded.status, status_at = excluded.status_at";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, at);
	return done(st, q);
}

int store_hub_registry(struct store *st, const char *county, const char *name, int64_t rev,
		       const struct store_hub_station *stations, size_t n)
{
	static const char upd[] =
	    "INSERT INTO hub_county (county, name, registry_rev) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (county) DO UPDATE SET name = excluded.name, registry_rev = "
	    "excluded.registry_rev WHERE excluded.registry_rev > hub_county.registry_rev";
	static const char del[] = "DELETE FROM hub_station WHERE county = ?1";
	static const char ins[] = "INSERT INTO hub_station (county, station, name, village, town, "
				  "capacity_kwp, lat, lon, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
				  "?7, ?8, ?9)";
	sqlite3_stmt *q = store_stmt(st, upd);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, rev);
	int rc = done(st, q);
	if (rc <= 0)
		return rc;
	if (!(q = store_stmt(st, del)))
		return -1;
	sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct store_hub_station *s = &stations[i];
		if (!(q = store_stmt(st, ins)))
			return -1;
		sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, s->station, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, s->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, s->village, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, s->town, -1, SQLITE_STATIC);
		bind_num(q, 6, s->capacity_kwp);
		bind_num(q, 7, s->lat);
		bind_num(q, 8, s->lon);
		sqlite3_bind_int64(q, 9, rev);
		if (sqlite3_step(q) != SQLITE_DONE)
			return -1;
	}
	return 1;
}

int store_hub_day_put(struct store *st, const struct store_hub_day *d, int64_t rev)
{
	static const char sql[] =
	    "INSERT INTO hub_station_day (county, station, day, energy_wh, e_act_wh, eth_wh, eta, "
	    "pr, coverage, basis, source, grade, judgeable, rev, curtailed_wh, curtail_loss_wh) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
	    "ON CONFLICT (county, station, day) DO UPDATE "
	    "SET energy_wh = excluded.energy_wh, e_act_wh = excluded.e_act_wh, eth_wh = "
	    "excluded.eth_wh, eta = excluded.eta, pr = excluded.pr, coverage = excluded.coverage, "
	    "basis = excluded.basis, source = excluded.source, grade = excluded.grade, judgeable = "
	    "excluded.judgeable, rev = excluded.rev, curtailed_wh = excluded.curtailed_wh, "
	    "curtail_loss_wh = excluded.curtail_loss_wh WHERE excluded.rev > hub_station_day.rev";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, d->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, d->day, -1, SQLITE_STATIC);
	bind_num(q, 4, d->energy_wh);
	bind_num(q, 5, d->e_act_wh);
	bind_num(q, 6, d->eth_wh);
	bind_num(q, 7, d->eta);
	bind_num(q, 8, d->pr);
	bind_num(q, 9, d->coverage);
	sqlite3_bind_text(q, 10, d->basis, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 11, d->source, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 12, d->grade);
	sqlite3_bind_int(q, 13, d->judgeable);
	sqlite3_bind_int64(q, 14, rev);
	bind_num(q, 15, d->curtailed_wh);
	bind_num(q, 16, d->curtail_loss_wh);
	return done(st, q);
}

int store_hub_month_put(struct store *st, const struct store_hub_month *m, int64_t rev)
{
	static const char sql[] =
	    "INSERT INTO hub_station_month (county, station, month, energy_wh, eth_wh, eta, grade, "
	    "rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (county, station, month) DO "
	    "UPDATE SET energy_wh = excluded.energy_wh, eth_wh = excluded.eth_wh, eta = "
	    "excluded.eta, grade = excluded.grade, rev = excluded.rev "
	    "WHERE excluded.rev > hub_station_month.rev";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, m->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, m->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, m->month, -1, SQLITE_STATIC);
	bind_num(q, 4, m->energy_wh);
	bind_num(q, 5, m->eth_wh);
	bind_num(q, 6, m->eta);
	if (m->grade)
		sqlite3_bind_int(q, 7, m->grade);
	else
		sqlite3_bind_null(q, 7);
	sqlite3_bind_int64(q, 8, rev);
	return done(st, q);
}

int store_hub_alert_put(struct store *st, const struct store_hub_alert *a, int64_t rev)
{
	(void)rev; /* an event is a fact: the first copy is the only one */
	static const char sql[] =
	    "INSERT OR IGNORE INTO hub_alert_event (county, event_id, alert_id, type, at, kind, "
	    "severity, station, device, title, raised_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11)";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, a->county, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, a->event_id);
	sqlite3_bind_int64(q, 3, a->alert_id);
	sqlite3_bind_text(q, 4, a->type, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 5, a->at);
	sqlite3_bind_text(q, 6, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, a->severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, a->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, a->device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10, a->title, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 11, a->raised_at);
	return done(st, q);
}

int store_hub_live_put(struct store *st, const struct store_hub_live *l, int64_t rev)
{
	(void)rev;
	/* Live figures carry the county's clock time; the newest time wins. */
	static const char sql[] =
	    "INSERT INTO hub_live (county, station, at, power_w, energy_today_wh, devices, online, "
	    "state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (county, station) DO "
	    "UPDATE SET at = excluded.at, power_w = excluded.power_w, energy_today_wh = "
	    "excluded.energy_today_wh, devices = excluded.devices, online = excluded.online, "
	    "state = excluded.state WHERE excluded.at >= hub_live.at";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, l->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, l->station, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, l->at);
	bind_num(q, 4, l->power_w);
	bind_num(q, 5, l->energy_today_wh);
	sqlite3_bind_int64(q, 6, l->devices);
	sqlite3_bind_int64(q, 7, l->online);
	sqlite3_bind_text(q, 8, l->state, -1, SQLITE_STATIC);
	return done(st, q);
}

int store_hub_day_each(struct store *st, const char *day,
		       int (*fn)(void *ctx, const struct store_hub_day *d,
				 const struct store_hub_station *s),
		       void *ctx)
{
	/* Registry stations and the stations that sent a figure, whichever came first. */
	static const char sql[] =
	    "WITH k AS (SELECT county, station FROM hub_station UNION SELECT county, station "
	    "FROM hub_station_day WHERE day = ?1) SELECT k.county, k.station, s.name, s.village, "
	    "s.town, s.capacity_kwp, d.energy_wh, d.e_act_wh, d.eth_wh, d.eta, d.pr, d.coverage, "
	    "d.basis, d.source, d.grade, d.judgeable, coalesce(c.name, k.county), "
	    "coalesce(c.status, '') FROM k LEFT JOIN hub_station s ON "
	    "s.county = k.county AND s.station = k.station LEFT JOIN hub_station_day d ON "
	    "d.county = k.county AND d.station = k.station AND d.day = ?1 "
	    "LEFT JOIN hub_county c ON c.county = k.county "
	    "ORDER BY k.county, k.station";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	int rc;
	while ((rc = store_row(st, q)) == 1) {
		struct store_hub_station s = {
		    .county = (const char *)sqlite3_column_text(q, 0),
		    .station = (const char *)sqlite3_column_text(q, 1),
		    .name = (const char *)sqlite3_column_text(q, 2),
		    .village = (const char *)sqlite3_column_text(q, 3),
		    .town = (const char *)sqlite3_column_text(q, 4),
		    .capacity_kwp = store_col_num(q, 5),
		    .county_name = (const char *)sqlite3_column_text(q, 16),
		    .county_status = (const char *)sqlite3_column_text(q, 17),
		};
		struct store_hub_day d = {
		    .county = s.county,
		    .station = s.station,
		    .day = day,
		    .energy_wh = store_col_num(q, 6),
		    .e_act_wh = store_col_num(q, 7),
		    .eth_wh = store_col_num(q, 8),
		    .eta = store_col_num(q, 9),
		    .pr = store_col_num(q, 10),
		    .coverage = store_col_num(q, 11),
		    .basis = (const char *)sqlite3_column_text(q, 12),
		    .source = (const char *)sqlite3_column_text(q, 13),
		    .grade = sqlite3_column_int(q, 14),
		    .judgeable = sqlite3_column_int(q, 15),
		};
		int r = fn(ctx, &d, &s);
		if (r != 0) {
			store_rows_stop(q);
			return r;
		}
	}
	return rc < 0 ? -1 : 0;
}

int store_hub_county_each(struct store *st,
			  int (*fn)(void *ctx, const char *county, const char *name,
				    const char *status, double last_seen),
			  void *ctx)
{
	static const char sql[] =
	    "SELECT county, coalesce(name, county), coalesce(status, ''), last_seen FROM "
	    "hub_county ORDER BY county";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	int rc;
	while ((rc = store_row(st, q)) == 1) {
		int r = fn(ctx, (const char *)sqlite3_column_text(q, 0),
			   (const char *)sqlite3_column_text(q, 1),
			   (const char *)sqlite3_column_text(q, 2), store_col_num(q, 3));
		if (r != 0) {
			store_rows_stop(q);
			return r;
		}
	}
	return rc < 0 ? -1 : 0;
}

int store_hub_alert_each(struct store *st, int active_only, int limit,
			 int (*fn)(void *ctx, const struct store_hub_alert *a), void *ctx)
{
	static const char all[] =
	    "SELECT county, event_id, alert_id, type, at, kind, severity, station, device, title, "
	    "raised_at FROM hub_alert_event ORDER BY at DESC, county, event_id DESC LIMIT ?1";
	/* An alert is active when its newest event is not its clearing. */
	static const char active[] =
	    "SELECT e.county, e.event_id, e.alert_id, e.type, e.at, e.kind, e.severity, e.station, "
	    "e.device, e.title, e.raised_at FROM hub_alert_event e WHERE e.event_id = (SELECT "
	    "max(x.event_id) FROM hub_alert_event x WHERE x.county = e.county AND x.alert_id = "
	    "e.alert_id) AND NOT EXISTS (SELECT 1 FROM hub_alert_event c WHERE c.county = "
	    "e.county AND c.alert_id = e.alert_id AND c.type = 'cleared') "
	    "ORDER BY e.county, e.raised_at LIMIT ?1";
	sqlite3_stmt *q = store_stmt(st, active_only ? active : all);
	if (!q)
		return -1;
	sqlite3_bind_int(q, 1, limit > 0 ? limit : -1);
	int rc;
	while ((rc = store_row(st, q)) == 1) {
		struct store_hub_alert a = {
		    .county = (const char *)sqlite3_column_text(q, 0),
		    .event_id = sqlite3_column_int64(q, 1),
		    .alert_id = sqlite3_column_int64(q, 2),
		    .type = (const char *)sqlite3_column_text(q, 3),
		    .at = sqlite3_column_double(q, 4),
		    .kind = (const char *)sqlite3_column_text(q, 5),
		    .severity = (const char *)sqlite3_column_text(q, 6),
		    .station = (const char *)sqlite3_column_text(q, 7),
		    .device = (const char *)sqlite3_column_text(q, 8),
		    .title = (const char *)sqlite3_column_text(q, 9),
		    .raised_at = sqlite3_column_double(q, 10),
		};
		int r = fn(ctx, &a);
		if (r != 0) {
			store_rows_stop(q);
			return r;
		}
	}
	return rc < 0 ? -1 : 0;
}

int store_hub_ledger_put(struct store *st, const struct store_hub_ledger *l)
{
	static const char sql[] =
	    "INSERT INTO hub_ledger_head (county, seq, hash, at, rev) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (county) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = "
	    "excluded.at, rev = excluded.rev WHERE excluded.rev > hub_ledger_head.rev";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, l->county, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, l->seq);
	sqlite3_bind_text(q, 3, l->hash, -1, SQLITE_STATIC);
	bind_num(q, 4, l->at);
	sqlite3_bind_int64(q, 5, l->rev);
	return done(st, q);
}

/* The statement cache knows a statement by its text's address: these are literals. */
#define KPI_COLS                                                                                   \
	"county, month, until, stations, stations_with_eta, stations_meeting_target, energy_wh, "  \
	"e_act_wh, eth_wh, eta, eta_grade12, pr, capability_pct, equivalent_hours, online_rate, "  \
	"fault_rate, anomaly_rate, county_target, meets_target, worst_grade"

static void bind_count(sqlite3_stmt *q, int col, long v)
{
	if (v >= 0)
		sqlite3_bind_int64(q, col, v);
	else
		sqlite3_bind_null(q, col);
}

int store_hub_kpi_put(struct store *st, const struct store_hub_kpi *k, int64_t rev)
{
	static const char sql[] =
	    "INSERT INTO hub_county_kpi (county, month, until, stations, stations_with_eta, "
	    "stations_meeting_target, energy_wh, e_act_wh, eth_wh, eta, eta_grade12, pr, "
	    "capability_pct, equivalent_hours, online_rate, fault_rate, anomaly_rate, "
	    "county_target, meets_target, worst_grade, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) "
	    "ON CONFLICT (county, month) DO UPDATE SET until = excluded.until, stations = "
	    "excluded.stations, stations_with_eta = excluded.stations_with_eta, "
	    "stations_meeting_target = excluded.stations_meeting_target, energy_wh = "
	    "excluded.energy_wh, e_act_wh = excluded.e_act_wh, eth_wh = excluded.eth_wh, eta = "
	    "excluded.eta, eta_grade12 = excluded.eta_grade12, pr = excluded.pr, capability_pct = "
	    "excluded.capability_pct, equivalent_hours = excluded.equivalent_hours, online_rate = "
	    "excluded.online_rate, fault_rate = excluded.fault_rate, anomaly_rate = "
	    "excluded.anomaly_rate, county_target = excluded.county_target, meets_target = "
	    "excluded.meets_target, worst_grade = excluded.worst_grade, rev = excluded.rev "
	    "WHERE excluded.rev > hub_county_kpi.rev";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, k->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, k->month, -1, SQLITE_STATIC);
	bind_num(q, 3, k->until);
	bind_count(q, 4, k->stations);
	bind_count(q, 5, k->stations_with_eta);
	bind_count(q, 6, k->stations_meeting_target);
	bind_num(q, 7, k->energy_wh);
	bind_num(q, 8, k->e_act_wh);
	bind_num(q, 9, k->eth_wh);
	bind_num(q, 10, k->eta);
	bind_num(q, 11, k->eta_grade12);
	bind_num(q, 12, k->pr);
	bind_num(q, 13, k->capability_pct);
	bind_num(q, 14, k->equivalent_hours);
	bind_num(q, 15, k->online_rate);
	bind_num(q, 16, k->fault_rate);
	bind_num(q, 17, k->anomaly_rate);
	bind_num(q, 18, k->county_target);
	bind_count(q, 19, k->meets_target);
	if (k->worst_grade)
		sqlite3_bind_int(q, 20, k->worst_grade);
	else
		sqlite3_bind_null(q, 20);
	sqlite3_bind_int64(q, 21, rev);
	return done(st, q);
}

static void ledger_row(sqlite3_stmt *q, struct store_hub_ledger *l)
{
	*l = (struct store_hub_ledger){
	    .county = (const char *)sqlite3_column_text(q, 0),
	    .seq = sqlite3_column_int64(q, 1),
	    .hash = (const char *)sqlite3_column_text(q, 2),
	    .at = store_col_num(q, 3),
	    .rev = sqlite3_column_int64(q, 4),
	};
}

int store_hub_ledger_each(struct store *st, int (*fn)(void *ctx, const struct store_hub_ledger *l),
			  void *ctx)
{
	static const char sql[] =
	    "SELECT county, seq, hash, at, rev FROM hub_ledger_head ORDER BY county";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	int rc;
	while ((rc = store_row(st, q)) == 1) {
		struct store_hub_ledger l;
		ledger_row(q, &l);
		int r = fn(ctx, &l);
		if (r != 0) {
			store_rows_stop(q);
			return r;
		}
	}
	return rc < 0 ? -1 : 0;
}

int store_hub_ledger_get(struct store *st, const char *county, struct store_hub_ledger *out)
{
	static const char sql[] =
	    "SELECT county, seq, hash, at, rev FROM hub_ledger_head WHERE county = ?1";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
	int rc = store_row(st, q);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	ledger_row(q, out);
	return 0;
}

static long col_count(sqlite3_stmt *q, int col)
{
	return sqlite3_column_type(q, col) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(q, col);
}

static void kpi_row(sqlite3_stmt *q, struct store_hub_kpi *k)
{
	*k = (struct store_hub_kpi){
	    .county = (const char *)sqlite3_column_text(q, 0),
	    .month = (const char *)sqlite3_column_text(q, 1),
	    .until = store_col_num(q, 2),
	    .stations = col_count(q, 3),
	    .stations_with_eta = col_count(q, 4),
	    .stations_meeting_target = col_count(q, 5),
	    .energy_wh = store_col_num(q, 6),
	    .e_act_wh = store_col_num(q, 7),
	    .eth_wh = store_col_num(q, 8),
	    .eta = store_col_num(q, 9),
	    .eta_grade12 = store_col_num(q, 10),
	    .pr = store_col_num(q, 11),
	    .capability_pct = store_col_num(q, 12),
	    .equivalent_hours = store_col_num(q, 13),
	    .online_rate = store_col_num(q, 14),
	    .fault_rate = store_col_num(q, 15),
	    .anomaly_rate = store_col_num(q, 16),
	    .county_target = store_col_num(q, 17),
	    .meets_target = (int)col_count(q, 18),
	    .worst_grade = sqlite3_column_int(q, 19),
	};
}

int store_hub_kpi_each(struct store *st, const char *month,
		       int (*fn)(void *ctx, const struct store_hub_kpi *k), void *ctx)
{
	static const char sql[] =
	    "SELECT " KPI_COLS " FROM hub_county_kpi WHERE month = ?1 ORDER BY county";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, month, -1, SQLITE_STATIC);
	int rc;
	while ((rc = store_row(st, q)) == 1) {
		struct store_hub_kpi k;
		kpi_row(q, &k);
		int r = fn(ctx, &k);
		if (r != 0) {
			store_rows_stop(q);
			return r;
		}
	}
	return rc < 0 ? -1 : 0;
}

int store_hub_kpi_get(struct store *st, const char *county, const char *month,
		      struct store_hub_kpi *out)
{
	static const char sql[] =
	    "SELECT " KPI_COLS " FROM hub_county_kpi WHERE county = ?1 AND month = ?2";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, county, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, month, -1, SQLITE_STATIC);
	int rc = store_row(st, q);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	kpi_row(q, out);
	return 0;
}
