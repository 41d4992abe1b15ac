/* Readings, energy counter state, rollups and diagnostics. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pvrelief/energy.h"
#include "pvrelief/reading.h"
#include "store_internal.h"

void store_local_day(double ts, int utc_offset_s, char *buf)
{
	time_t t = (time_t)floor(ts) + utc_offset_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	if (strftime(buf, 11, "%Y-%m-%d", &tm) == 0)
		buf[0] = '\0';
}

int store_device_id(struct store *st, const char *station, const char *device, int64_t *id)
{
	static const char ins[] = "INSERT INTO device (station, device) VALUES (?1, ?2) "
				  "ON CONFLICT (station, device) DO NOTHING";
	static const char sel[] = "SELECT id FROM device WHERE station = ?1 AND device = ?2";
	sqlite3_stmt *s = store_stmt(st, ins);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, device, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	if (!(s = store_stmt(st, sel)))
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, device, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW)
		return -1;
	*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_energy_state_get(struct store *st, int64_t device_id, struct energy_state *out)
{
	static const char sql[] =
	    "SELECT have, total_wh, total_ts, ts, power_w, power_since, cand_count, "
	    "cand_first_wh, cand_wh, cand_ts FROM energy_state WHERE device_id = ?1";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, device_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return -1;
	memset(out, 0, sizeof *out);
	out->have = sqlite3_column_int(s, 0);
	out->total_wh = sqlite3_column_double(s, 1);
	out->total_ts = sqlite3_column_double(s, 2);
	out->ts = sqlite3_column_double(s, 3);
	out->power_w = sqlite3_column_double(s, 4);
	out->power_since = sqlite3_column_double(s, 5);
	out->cand_count = sqlite3_column_int(s, 6);
	out->cand_first_wh = sqlite3_column_double(s, 7);
	out->cand_wh = sqlite3_column_double(s, 8);
	out->cand_ts = sqlite3_column_double(s, 9);
	sqlite3_reset(s);
	return 0;
}

static void bind_field(sqlite3_stmt *s, int col, const struct reading *r, enum reading_field f)
{
	if (reading_has(r, f))
		sqlite3_bind_double(s, col, r->value[f]);
	else
		sqlite3_bind_null(s, col);
}

static int put_raw(struct store *st, const struct store_reading *row)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO reading (device_id, ts, quality, rejected, power_w, "
	    "energy_total_wh, energy_today_wh, energy_delta_wh, state, vendor_state, events, "
	    "events2, fault_code, dc_power_w, cabinet_temp_c, ghi_w_m2, poa_w_m2, module_temp_c, "
	    "air_temp_c, wind_m_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	    "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";
	const struct reading *r = row->r;
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, row->device_id);
	sqlite3_bind_double(s, 2, row->ts);
	sqlite3_bind_int(s, 3, (int)row->quality);
	sqlite3_bind_int(s, 4, row->rejected);
	bind_field(s, 5, r, RF_POWER_W);
	bind_field(s, 6, r, RF_ENERGY_TOTAL_WH);
	bind_field(s, 7, r, RF_ENERGY_TODAY_WH);
	sqlite3_bind_double(s, 8, row->delta_wh);
	if (reading_has(r, RF_STATE))
		sqlite3_bind_int(s, 9, (int)r->state);
	sqlite3_bind_int64(s, 10, r->vendor_state);
	sqlite3_bind_int64(s, 11, r->events);
	sqlite3_bind_int64(s, 12, r->events2);
	sqlite3_bind_int64(s, 13, r->fault_code);
	bind_field(s, 14, r, RF_DC_POWER_W);
	bind_field(s, 15, r, RF_CABINET_TEMP_C);
	bind_field(s, 16, r, RF_GHI_W_M2);
	bind_field(s, 17, r, RF_POA_W_M2);
	bind_field(s, 18, r, RF_MODULE_TEMP_C);
	bind_field(s, 19, r, RF_AIR_TEMP_C);
	bind_field(s, 20, r, RF_WIND_M_S);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static int put_energy_state(struct store *st, int64_t id, const struct energy_state *e)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO energy_state (device_id, have, total_wh, total_ts, ts, "
	    "power_w, power_since, cand_count, cand_first_wh, cand_wh, cand_ts) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, e->have);
	sqlite3_bind_double(s, 3, e->total_wh);
	sqlite3_bind_double(s, 4, e->total_ts);
	sqlite3_bind_double(s, 5, e->ts);
	sqlite3_bind_double(s, 6, e->power_w);
	sqlite3_bind_double(s, 7, e->power_since);
	sqlite3_bind_int(s, 8, e->cand_count);
	sqlite3_bind_double(s, 9, e->cand_first_wh);
	sqlite3_bind_double(s, 10, e->cand_wh);
	sqlite3_bind_double(s, 11, e->cand_ts);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static int put_rollups(struct store *st, const struct store_reading *row)
{
	static const char dev5[] =
	    "INSERT INTO rollup_5min (device_id, slot, energy_wh, power_sum_w, power_n, "
	    "power_max_w, ghi_wh_m2, poa_wh_m2, n_valid, n_rejected, tmod_sum_c, tmod_n, "
	    "tair_sum_c, tair_n, wind_sum_m_s, wind_n) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
	    "ON CONFLICT (device_id, slot) DO UPDATE SET energy_wh = energy_wh + excluded.energy_wh,"
	    " power_sum_w = power_sum_w + excluded.power_sum_w, power_n = power_n + excluded.power_n,"
	    " power_max_w = max(coalesce(power_max_w, excluded.power_max_w), "
	    "coalesce(excluded.power_max_w, power_max_w)),"
	    " ghi_wh_m2 = ghi_wh_m2 + excluded.ghi_wh_m2, poa_wh_m2 = poa_wh_m2 + excluded.poa_wh_m2,"
	    " n_valid = n_valid + excluded.n_valid, n_rejected = n_rejected + excluded.n_rejected,"
	    " tmod_sum_c = tmod_sum_c + excluded.tmod_sum_c, tmod_n = tmod_n + excluded.tmod_n,"
	    " tair_sum_c = tair_sum_c + excluded.tair_sum_c, tair_n = tair_n + excluded.tair_n,"
	    " wind_sum_m_s = wind_sum_m_s + excluded.wind_sum_m_s, wind_n = wind_n + excluded.wind_n";
	/* updated is wall time: the efficiency engine compares it with when it last computed
	 * the day, whatever clock the readings are stamped with. Station rollups are views. */
	static const char devday[] =
	    "INSERT INTO rollup_day (device_id, day, energy_wh, power_max_w, ghi_wh_m2, poa_wh_m2,"
	    " n_valid, n_rejected, first_ts, last_ts, updated) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, (julianday('now') - 2440587.5) * 86400.0) "
	    "ON CONFLICT (device_id, day) DO UPDATE SET energy_wh = energy_wh + excluded.energy_wh,"
	    " power_max_w = max(coalesce(power_max_w, excluded.power_max_w), "
	    "coalesce(excluded.power_max_w, power_max_w)),"
	    " ghi_wh_m2 = ghi_wh_m2 + excluded.ghi_wh_m2, poa_wh_m2 = poa_wh_m2 + excluded.poa_wh_m2,"
	    " n_valid = n_valid + excluded.n_valid, n_rejected = n_rejected + excluded.n_rejected,"
	    " first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts),"
	    " updated = excluded.updated";
	const struct reading *r = row->r;
	int64_t slot = (int64_t)floor(row->ts / 300.0) * 300;
	int has_power = !row->rejected && reading_has(r, RF_POWER_W);
	char day[11];
	sqlite3_stmt *s;

	store_local_day(row->ts, row->utc_offset_s, day);
	if (!(s = store_stmt(st, dev5)))
		return -1;
	sqlite3_bind_int64(s, 1, row->device_id);
	sqlite3_bind_int64(s, 2, slot);
	sqlite3_bind_double(s, 3, row->delta_wh);
	sqlite3_bind_double(s, 4, has_power ? r->value[RF_POWER_W] : 0);
	sqlite3_bind_int(s, 5, has_power);
	if (has_power)
		sqlite3_bind_double(s, 6, r->value[RF_POWER_W]);
	sqlite3_bind_double(s, 7, row->ghi_wh_m2);
	sqlite3_bind_double(s, 8, row->poa_wh_m2);
	sqlite3_bind_int(s, 9, !row->rejected);
	sqlite3_bind_int(s, 10, row->rejected);
	static const enum reading_field temps[] = {RF_MODULE_TEMP_C, RF_AIR_TEMP_C, RF_WIND_M_S};
	for (int k = 0; k < 3; k++) {
		int has = !row->rejected && reading_has(r, temps[k]);
		sqlite3_bind_double(s, 11 + 2 * k, has ? r->value[temps[k]] : 0);
		sqlite3_bind_int(s, 12 + 2 * k, has);
	}
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;

	if (!(s = store_stmt(st, devday)))
		return -1;
	sqlite3_bind_int64(s, 1, row->device_id);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 3, row->delta_wh);
	if (has_power)
		sqlite3_bind_double(s, 4, r->value[RF_POWER_W]);
	sqlite3_bind_double(s, 5, row->ghi_wh_m2);
	sqlite3_bind_double(s, 6, row->poa_wh_m2);
	sqlite3_bind_int(s, 7, !row->rejected);
	sqlite3_bind_int(s, 8, row->rejected);
	sqlite3_bind_double(s, 9, row->ts);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;

	return 0;
}

int store_reading_put(struct store *st, const struct store_reading *row)
{
	if (put_raw(st, row) != 0 || put_rollups(st, row) != 0)
		return -1;
	if (row->energy && put_energy_state(st, row->device_id, row->energy) != 0)
		return -1;
	return 0;
}

int store_diag_put(struct store *st, int64_t device_id, const struct store_diag *d)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO device_diag (device_id, requests, errors, timeouts, "
	    "last_success, rtt_ms, last_error, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "unixepoch('now'))";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, device_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)d->requests);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)d->errors);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)d->timeouts);
	if (d->last_success > 0)
		sqlite3_bind_double(s, 5, d->last_success);
	sqlite3_bind_double(s, 6, d->rtt_ms);
	if (d->last_error && *d->last_error)
		sqlite3_bind_text(s, 7, d->last_error, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

long store_readings_prune(struct store *st, double before_ts)
{
	static const char sql[] = "DELETE FROM reading WHERE ts < ?1";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_double(s, 1, before_ts);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	return (long)sqlite3_changes(st->db);
}

double store_day_energy_wh(struct store *st, int64_t device_id, const char *day)
{
	static const char sql[] = "SELECT energy_wh FROM rollup_day WHERE device_id = ?1 AND day = ?2";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, device_id);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
	double wh = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_double(s, 0) : 0;
	sqlite3_reset(s);
	return wh;
}
