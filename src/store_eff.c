/* Efficiency slots and figures. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pvrelief/store_eff.h"
#include "pvrelief/slot.h"
#include "store_internal.h"

int store_station_slots(struct store *st, const int64_t *inverter_ids, size_t n_inverters,
			const int64_t *sensor_ids, size_t n_sensors, double t0, double t1,
			struct store_slot *out, size_t cap)
{
	static const char sql[] =
	    "SELECT slot, energy_wh, ghi_wh_m2, poa_wh_m2, n_valid, tmod_sum_c / nullif(tmod_n, 0),"
	    " tair_sum_c / nullif(tair_n, 0), wind_sum_m_s / nullif(wind_n, 0) FROM rollup_5min "
	    "WHERE device_id = ?1 AND slot >= ?2 AND slot < ?3 AND n_valid > 0 ORDER BY slot";
	int64_t first = (int64_t)floor(t0 / SLOT_S) * SLOT_S;
	size_t n = 0;
	for (int64_t s = first; s < t1 && n < cap; s += SLOT_S, n++) {
		memset(&out[n], 0, sizeof out[n]);
		out[n].slot = s;
		out[n].module_temp_c = out[n].air_temp_c = out[n].wind_m_s = NAN;
	}
	for (size_t k = 0; k < n_inverters + n_sensors; k++) {
		int sensor = k >= n_inverters;
		sqlite3_stmt *q = store_stmt(st, sql);
		if (!q)
			return -1;
		sqlite3_bind_int64(q, 1, sensor ? sensor_ids[k - n_inverters] : inverter_ids[k]);
		/* An inverter's slots from before the window say whether its first one in the
		 * window follows a gap. */
		sqlite3_bind_int64(q, 2, sensor ? first : first - STORE_SLOT_GAP_S);
		sqlite3_bind_double(q, 3, t1);
		int64_t prev = INT64_MIN;
		int rc;
		while ((rc = store_row(st, q)) > 0) {
			int64_t slot = sqlite3_column_int64(q, 0);
			int after_gap = prev == INT64_MIN || slot - prev > STORE_SLOT_GAP_S;
			prev = slot;
			if (slot < first)
				continue;
			size_t i = (size_t)((slot - first) / SLOT_S);
			if (i >= n)
				continue;
			if (!sensor) {
				double e = sqlite3_column_double(q, 1);
				out[i].energy_wh += e;
				if (after_gap)
					out[i].gap_wh += e;
				out[i].energy_n += sqlite3_column_int(q, 4);
				continue;
			}
			/* Several sensors at one station: the slot keeps the largest reading of
			 * each kind, since a second sensor is a spare or differently oriented, not
			 * more sunshine. */
			out[i].ghi_wh_m2 = fmax(out[i].ghi_wh_m2, sqlite3_column_double(q, 2));
			out[i].poa_wh_m2 = fmax(out[i].poa_wh_m2, sqlite3_column_double(q, 3));
			out[i].sensor_n += sqlite3_column_int(q, 4);
			if (sqlite3_column_type(q, 5) != SQLITE_NULL)
				out[i].module_temp_c = sqlite3_column_double(q, 5);
			if (sqlite3_column_type(q, 6) != SQLITE_NULL)
				out[i].air_temp_c = sqlite3_column_double(q, 6);
			if (sqlite3_column_type(q, 7) != SQLITE_NULL)
				out[i].wind_m_s = sqlite3_column_double(q, 7);
		}
		if (rc < 0)
			return -1;
	}
	return (int)n;
}

int store_inverter_slots(struct store *st, int64_t device_id, double t0, double t1,
			 struct store_slot *out, size_t cap, long *missing_before)
{
	static const char sql[] =
	    "SELECT slot, energy_wh, n_valid FROM rollup_5min WHERE device_id = ?1 AND slot >= ?2 "
	    "AND slot < ?3 AND n_valid > 0 ORDER BY slot";
	static const char before_sql[] =
	    "SELECT max(slot) FROM rollup_5min WHERE device_id = ?1 AND slot < ?2 AND slot >= ?3 "
	    "AND n_valid > 0";
	int64_t first = (int64_t)floor(t0 / SLOT_S) * SLOT_S;
	size_t n = 0;
	for (int64_t s = first; s < t1 && n < cap; s += SLOT_S, n++) {
		memset(&out[n], 0, sizeof out[n]);
		out[n].slot = s;
		out[n].module_temp_c = out[n].air_temp_c = out[n].wind_m_s = NAN;
	}
	sqlite3_stmt *q = store_stmt(st, before_sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	sqlite3_bind_int64(q, 2, first);
	sqlite3_bind_int64(q, 3, first - STORE_SLOT_LOOKBACK_S);
	*missing_before = -1;
	int rc = 0;
	while ((rc = store_row(st, q)) > 0)
		if (sqlite3_column_type(q, 0) != SQLITE_NULL)
			*missing_before = (long)((first - sqlite3_column_int64(q, 0)) / 300 - 1);
	if (rc < 0 || !(q = store_stmt(st, sql)))
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	sqlite3_bind_int64(q, 2, first);
	sqlite3_bind_double(q, 3, t1);
	while ((rc = store_row(st, q)) > 0) {
		size_t i = (size_t)((sqlite3_column_int64(q, 0) - first) / SLOT_S);
		if (i >= n)
			continue;
		out[i].energy_wh += sqlite3_column_double(q, 1);
		out[i].energy_n += sqlite3_column_int(q, 2);
	}
	return rc < 0 ? -1 : (int)n;
}

static void bind_num(sqlite3_stmt *q, int col, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(q, col, v);
	else
		sqlite3_bind_null(q, col);
}

int store_eff_day_put(struct store *st, const struct store_eff_day *d)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO station_eff_day (station, day, energy_wh, e_act_wh, eth_wh, "
	    "h_ghi_kwh_m2, h_poa_kwh_m2, eta, pr, pr_stc, yf_h, coverage, basis, source, grade, "
	    "judgeable, online_rate, anomaly_rate, peer_yf_h, peer_ratio, peer_n, curtailed_wh, "
	    "curtail_loss_wh, loss_exp_wh, loss_act_wh, loss_ref_eta, loss_ref_from_k, "
	    "loss_comm_wh, loss_down_wh, loss_fault_wh, loss_curtail_wh, loss_lowperf_wh, "
	    "loss_comm_h, loss_down_h, loss_fault_h, loss_curtail_h, computed) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
	    "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, "
	    "?35, ?36, "
	    "(julianday('now') - 2440587.5) * 86400.0)";
	/* The month: eta as the ratio of sums over the days that have one; the grade is the
	 * worst of those days, the source the one most days used. */
	static const char month_sql[] =
	    "INSERT OR REPLACE INTO station_month (station, month, energy_wh, eth_wh, eta, basis, "
	    "source, grade) SELECT ?1, substr(?2, 1, 7), sum(energy_wh), "
	    "sum(CASE WHEN eta IS NOT NULL THEN eth_wh END), "
	    "sum(CASE WHEN eta IS NOT NULL THEN e_act_wh END) / "
	    "nullif(sum(CASE WHEN eta IS NOT NULL THEN eth_wh END), 0), max(basis), "
	    "(SELECT source FROM station_eff_day WHERE station = ?1 AND day LIKE substr(?2, 1, 7) "
	    "|| '-%' GROUP BY source ORDER BY count(*) DESC LIMIT 1), "
	    "max(CASE WHEN eta IS NOT NULL THEN grade END) FROM station_eff_day "
	    "WHERE station = ?1 AND day LIKE substr(?2, 1, 7) || '-%'";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, d->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->day, -1, SQLITE_STATIC);
	bind_num(q, 3, d->energy_wh);
	bind_num(q, 4, d->e_act_wh);
	bind_num(q, 5, d->eth_wh);
	bind_num(q, 6, d->h_ghi_kwh_m2);
	bind_num(q, 7, d->h_poa_kwh_m2);
	bind_num(q, 8, d->eta);
	bind_num(q, 9, d->pr);
	bind_num(q, 10, d->pr_stc);
	bind_num(q, 11, d->yf_h);
	bind_num(q, 12, d->coverage);
	sqlite3_bind_text(q, 13, d->basis, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 14, d->source, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 15, d->grade);
	sqlite3_bind_int(q, 16, d->judgeable);
	bind_num(q, 17, d->online_rate);
	bind_num(q, 18, d->anomaly_rate);
	bind_num(q, 19, d->peer_yf_h);
	bind_num(q, 20, d->peer_ratio);
	sqlite3_bind_int(q, 21, d->peer_n);
	bind_num(q, 22, d->curtailed_wh);
	bind_num(q, 23, d->curtail_loss_wh);
	if (d->has_loss) {
		const struct loss_figures *l = &d->loss;
		bind_num(q, 24, l->expected_kwh * 1000.0);
		bind_num(q, 25, l->actual_kwh * 1000.0);
		bind_num(q, 26, l->ref_eta);
		sqlite3_bind_int(q, 27, l->ref_from_k);
		for (int k = 0; k < LOSS_N_CLASSES; k++)
			bind_num(q, 28 + k, l->loss_kwh[k] * 1000.0);
		for (int k = 0; k < LOSS_LOWPERF; k++)
			bind_num(q, 33 + k, l->hours[k]);
	}
	if (sqlite3_step(q) != SQLITE_DONE)
		return -1;
	if (!(q = store_stmt(st, month_sql)))
		return -1;
	sqlite3_bind_text(q, 1, d->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->day, -1, SQLITE_STATIC);
	return sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
}

void store_eff_day_loss_cols(sqlite3_stmt *q, int col, struct store_eff_day *d)
{
	d->has_loss = sqlite3_column_type(q, col) != SQLITE_NULL;
	if (!d->has_loss)
		return;
	struct loss_figures *l = &d->loss;
	l->expected_kwh = store_col_num(q, col) / 1000.0;
	l->actual_kwh = store_col_num(q, col + 1) / 1000.0;
	l->ref_eta = store_col_num(q, col + 2);
	l->ref_from_k = sqlite3_column_int(q, col + 3);
	for (int k = 0; k < LOSS_N_CLASSES; k++)
		l->loss_kwh[k] = store_col_num(q, col + 4 + k) / 1000.0;
	for (int k = 0; k < LOSS_LOWPERF; k++)
		l->hours[k] = store_col_num(q, col + 4 + LOSS_N_CLASSES + k);
	l->capability = l->expected_kwh > 0 ? l->actual_kwh / l->expected_kwh : NAN;
}

int store_eff_day_get(struct store *st, const char *station, const char *day,
		      struct store_eff_day *out)
{
	static const char sql[] =
	    "SELECT energy_wh, e_act_wh, eth_wh, h_ghi_kwh_m2, h_poa_kwh_m2, eta, pr, pr_stc, "
	    "yf_h, coverage, basis, source, grade, judgeable, online_rate, anomaly_rate, "
	    "peer_yf_h, "
	    "peer_ratio, peer_n, curtailed_wh, curtail_loss_wh, " STORE_EFF_DAY_LOSS_COLS
	    " FROM station_eff_day WHERE "
	    "station = ?1 AND day = ?2";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, day, -1, SQLITE_STATIC);
	int rc = store_row(st, q);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	memset(out, 0, sizeof *out);
	out->station = station;
	snprintf(out->day, sizeof out->day, "%s", day);
	out->energy_wh = store_col_num(q, 0);
	out->e_act_wh = store_col_num(q, 1);
	out->eth_wh = store_col_num(q, 2);
	out->h_ghi_kwh_m2 = store_col_num(q, 3);
	out->h_poa_kwh_m2 = store_col_num(q, 4);
	out->eta = store_col_num(q, 5);
	out->pr = store_col_num(q, 6);
	out->pr_stc = store_col_num(q, 7);
	out->yf_h = store_col_num(q, 8);
	out->coverage = store_col_num(q, 9);
	snprintf(out->basis, sizeof out->basis, "%s", (const char *)sqlite3_column_text(q, 10));
	snprintf(out->source, sizeof out->source, "%s", (const char *)sqlite3_column_text(q, 11));
	out->grade = sqlite3_column_int(q, 12);
	out->judgeable = sqlite3_column_int(q, 13);
	out->online_rate = store_col_num(q, 14);
	out->anomaly_rate = store_col_num(q, 15);
	out->peer_yf_h = store_col_num(q, 16);
	out->peer_ratio = store_col_num(q, 17);
	out->peer_n = sqlite3_column_int(q, 18);
	out->curtailed_wh = store_col_num(q, 19);
	out->curtail_loss_wh = store_col_num(q, 20);
	store_eff_day_loss_cols(q, 21, out);
	store_rows_stop(q);
	return 0;
}

int store_inv_day_put(struct store *st, const struct store_inv_day *d)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO inverter_eff_day (station, device, day, dc_kwp, energy_wh, "
	    "e_act_wh, eth_wh, eta, pr, pr_stc, yf_h, coverage, peer_ratio, source, grade, "
	    "computed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	    "(julianday('now') - 2440587.5) * 86400.0)";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, d->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, d->device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, d->day, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 4, d->dc_kwp);
	const double v[] = {d->energy_wh, d->e_act_wh, d->eth_wh,   d->eta,	  d->pr,
			    d->pr_stc,	  d->yf_h,     d->coverage, d->peer_ratio};
	for (int i = 0; i < 9; i++)
		bind_num(q, 5 + i, v[i]);
	sqlite3_bind_text(q, 14, d->source, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 15, d->grade);
	return sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
}

int store_inv_days(struct store *st, const char *station, const char *const *ids, size_t n_ids,
		   const char *first_day, const char *last_day, struct store_inv_day *out,
		   size_t cap)
{
	static const char sql[] =
	    "SELECT device, day, dc_kwp, energy_wh, e_act_wh, eth_wh, eta, pr, pr_stc, yf_h, "
	    "coverage, peer_ratio, source, grade FROM inverter_eff_day WHERE station = ?1 AND "
	    "day >= ?2 AND day <= ?3 ORDER BY device, day";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, first_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, last_day, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		const char *dev = (const char *)sqlite3_column_text(q, 0);
		size_t k = 0;
		while (k < n_ids && (!dev || strcmp(ids[k], dev) != 0))
			k++;
		if (k == n_ids)
			continue; /* a device no longer configured */
		struct store_inv_day *d = &out[n++];
		memset(d, 0, sizeof *d);
		d->station = station;
		d->device = ids[k];
		const unsigned char *day = sqlite3_column_text(q, 1);
		snprintf(d->day, sizeof d->day, "%s", day ? (const char *)day : "");
		d->dc_kwp = sqlite3_column_double(q, 2);
		double *v[] = {&d->energy_wh, &d->e_act_wh, &d->eth_wh,	  &d->eta,	 &d->pr,
			       &d->pr_stc,    &d->yf_h,	    &d->coverage, &d->peer_ratio};
		for (int i = 0; i < 9; i++)
			*v[i] = store_col_num(q, 3 + i);
		const unsigned char *src = sqlite3_column_text(q, 12);
		snprintf(d->source, sizeof d->source, "%s", src ? (const char *)src : "");
		d->grade = sqlite3_column_int(q, 13);
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_eff_day_peers(struct store *st, const char *day, struct store_eff_peer *out, size_t cap)
{
	static const char sql[] = "SELECT station, yf_h, coverage, anomaly_rate FROM "
				  "station_eff_day WHERE day = ?1 ORDER BY station";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		const unsigned char *id = sqlite3_column_text(q, 0);
		snprintf(out[n].station, sizeof out[n].station, "%s", id ? (const char *)id : "");
		out[n].yf_h = store_col_num(q, 1);
		out[n].coverage = store_col_num(q, 2);
		out[n].anomaly_rate = store_col_num(q, 3);
		n++;
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_eff_stale_days(struct store *st, const char *station, const char *first_day,
			 char (*days)[11], size_t cap)
{
	static const char sql[] =
	    "SELECT d.day FROM station_day d LEFT JOIN station_eff_day e "
	    "ON e.station = d.station AND e.day = d.day WHERE d.station = ?1 AND d.day >= ?2 "
	    "AND (e.computed IS NULL OR d.updated > e.computed) ORDER BY d.day";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, first_day, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		const unsigned char *day = sqlite3_column_text(q, 0);
		snprintf(days[n++], 11, "%s", day ? (const char *)day : "");
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_device_day_counts(struct store *st, int64_t device_id, const char *day, long *valid,
			    long *rejected)
{
	static const char sql[] =
	    "SELECT n_valid, n_rejected FROM rollup_day WHERE device_id = ?1 AND day = ?2";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	sqlite3_bind_text(q, 2, day, -1, SQLITE_STATIC);
	*valid = *rejected = 0;
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		*valid = sqlite3_column_int64(q, 0);
		*rejected = sqlite3_column_int64(q, 1);
	}
	return rc < 0 ? -1 : 0;
}

long store_device_valid_quarters(struct store *st, int64_t device_id, double t0, size_t n_quarters,
				 const unsigned char *lit)
{
	static const char sql[] =
	    "SELECT DISTINCT CAST((slot - ?2) / ?4 AS INTEGER) FROM rollup_5min WHERE "
	    "device_id = ?1 AND slot >= ?2 AND slot < ?3 AND n_valid > 0";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	sqlite3_bind_double(q, 2, t0);
	sqlite3_bind_double(q, 3, t0 + SLOT_QUARTER_S * (double)n_quarters);
	sqlite3_bind_int(q, 4, SLOT_QUARTER_S);
	long n = 0;
	int rc = 0;
	while ((rc = store_row(st, q)) > 0) {
		sqlite3_int64 k = sqlite3_column_int64(q, 0);
		if (k >= 0 && (size_t)k < n_quarters && (!lit || lit[k]))
			n++;
	}
	return rc < 0 ? -1 : n;
}

int store_eff_month_get(struct store *st, const char *station, const char *month, double *energy_wh,
			double *eth_wh, double *eta, int *grade)
{
	static const char sql[] = "SELECT energy_wh, eth_wh, eta, grade FROM station_month WHERE "
				  "station = ?1 AND month = ?2";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, month, -1, SQLITE_STATIC);
	int rc = store_row(st, q);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	*energy_wh = store_col_num(q, 0);
	*eth_wh = store_col_num(q, 1);
	*eta = store_col_num(q, 2);
	*grade = sqlite3_column_int(q, 3);
	store_rows_stop(q);
	return 0;
}

int store_device_first_ts(struct store *st, int64_t device_id, double *ts)
{
	static const char sql[] =
	    "SELECT min(first_ts) FROM rollup_day WHERE device_id = ?1 AND n_valid > 0";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	*ts = NAN;
	int rc;
	while ((rc = store_row(st, q)) > 0)
		*ts = store_col_num(q, 0);
	return rc < 0 ? -1 : 0;
}

int store_device_throttled_slots(struct store *st, int64_t device_id, double t0,
				 unsigned char *flags, size_t n)
{
	/* state = 5 (INV_STATE_THROTTLED) is written out so that the partial index
	 * reading_throttled can serve the query (a bound value would not match it), and named:
	 * the planner would otherwise walk every reading of the device's day by the primary
	 * key, for every inverter on every pass, to find the few curtailed ones. */
	static const char sql[] =
	    "SELECT ts FROM reading INDEXED BY reading_throttled WHERE device_id = ?1 AND "
	    "ts >= ?2 AND ts < ?3 AND state = 5 AND rejected = 0 UNION ALL "
	    "SELECT ts FROM reading INDEXED BY reading_limited WHERE device_id = ?1 AND "
	    "ts >= ?2 AND ts < ?3 AND limit_w IS NOT NULL AND rejected = 0";
	int64_t first = (int64_t)floor(t0 / SLOT_S) * SLOT_S;
	memset(flags, 0, n);
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	sqlite3_bind_int64(q, 2, first);
	sqlite3_bind_double(q, 3, (double)first + SLOT_S * (double)n);
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		double i = floor((sqlite3_column_double(q, 0) - (double)first) / SLOT_S);
		if (i >= 0 && i < (double)n)
			flags[(size_t)i] = 1;
	}
	return rc < 0 ? -1 : 0;
}

int store_device_notrun_slots(struct store *st, int64_t device_id, double t0, unsigned char *flags,
			      size_t n)
{
	/* The states are written out so that the partial index reading_notrun serves the query,
	 * as for the curtailed readings. */
	static const char sql[] =
	    "SELECT ts, state FROM reading INDEXED BY reading_notrun WHERE device_id = ?1 AND "
	    "ts >= ?2 AND ts < ?3 AND state IN (1, 6, 7, 8) AND rejected = 0";
	int64_t first = (int64_t)floor(t0 / SLOT_S) * SLOT_S;
	memset(flags, 0, n);
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	sqlite3_bind_int64(q, 2, first);
	sqlite3_bind_double(q, 3, (double)first + SLOT_S * (double)n);
	int rc;
	while ((rc = store_row(st, q)) > 0) {
		double i = floor((sqlite3_column_double(q, 0) - (double)first) / SLOT_S);
		if (i < 0 || i >= (double)n)
			continue;
		/* A fault anywhere in the slot makes it a fault slot. */
		if (sqlite3_column_int(q, 1) == 7)
			flags[(size_t)i] = 1;
		else if (flags[(size_t)i] == 0)
			flags[(size_t)i] = 2;
	}
	return rc < 0 ? -1 : 0;
}
