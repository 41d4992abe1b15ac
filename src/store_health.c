/* Readers for the health table: stored daily figures over a range, reading counts, the time
 * a device spent in a state, and alert counts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pvrelief/store_health.h"
#include "store_internal.h"

int store_eff_days(struct store *st, const char *station, const char *first_day,
		   const char *last_day, struct store_eff_day *out, size_t cap)
{
	static const char sql[] =
	    "SELECT day, energy_wh, e_act_wh, eth_wh, h_ghi_kwh_m2, h_poa_kwh_m2, eta, pr, "
	    "pr_stc, yf_h, coverage, basis, source, grade, judgeable, online_rate, anomaly_rate, "
	    "peer_yf_h, peer_ratio, peer_n, curtailed_wh, curtail_loss_wh, " STORE_EFF_DAY_LOSS_COLS
	    " FROM station_eff_day "
	    "WHERE station = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, first_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, last_day, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0) {
		struct store_eff_day *d = &out[n++];
		memset(d, 0, sizeof *d);
		d->station = station;
		store_col_copy(q, 0, d->day, sizeof d->day);
		d->energy_wh = store_col_num(q, 1);
		d->e_act_wh = store_col_num(q, 2);
		d->eth_wh = store_col_num(q, 3);
		d->h_ghi_kwh_m2 = store_col_num(q, 4);
		d->h_poa_kwh_m2 = store_col_num(q, 5);
		d->eta = store_col_num(q, 6);
		d->pr = store_col_num(q, 7);
		d->pr_stc = store_col_num(q, 8);
		d->yf_h = store_col_num(q, 9);
		d->coverage = store_col_num(q, 10);
		store_col_copy(q, 11, d->basis, sizeof d->basis);
		store_col_copy(q, 12, d->source, sizeof d->source);
		d->grade = sqlite3_column_int(q, 13);
		d->judgeable = sqlite3_column_int(q, 14);
		d->online_rate = store_col_num(q, 15);
		d->anomaly_rate = store_col_num(q, 16);
		d->peer_yf_h = store_col_num(q, 17);
		d->peer_ratio = store_col_num(q, 18);
		d->peer_n = sqlite3_column_int(q, 19);
		d->curtailed_wh = store_col_num(q, 20);
		d->curtail_loss_wh = store_col_num(q, 21);
		store_eff_day_loss_cols(q, 22, d);
	}
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_station_days(struct store *st, const char *station, const char *first_day,
		       const char *last_day, char (*days)[11], size_t cap)
{
	static const char sql[] = "SELECT day FROM station_day WHERE station = ?1 AND day >= ?2 "
				  "AND day <= ?3 ORDER BY day";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, first_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, last_day, -1, SQLITE_STATIC);
	size_t n = 0;
	int rc = 0;
	while (n < cap && (rc = store_row(st, q)) > 0)
		store_col_copy(q, 0, days[n++], 11);
	if (rc > 0)
		store_rows_stop(q);
	return rc < 0 ? -1 : (int)n;
}

int store_device_range_counts(struct store *st, int64_t device_id, const char *first_day,
			      const char *last_day, long *valid, long *rejected)
{
	static const char sql[] =
	    "SELECT coalesce(sum(n_valid), 0), coalesce(sum(n_rejected), 0) FROM rollup_day "
	    "WHERE device_id = ?1 AND day >= ?2 AND day <= ?3";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	sqlite3_bind_text(q, 2, first_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, last_day, -1, SQLITE_STATIC);
	/* An aggregate: one row always, so none is an error too. */
	int rc = store_row(st, q);
	if (rc <= 0)
		return -1;
	*valid = (long)sqlite3_column_int64(q, 0);
	*rejected = (long)sqlite3_column_int64(q, 1);
	store_rows_stop(q);
	return 0;
}

int store_device_state_time(struct store *st, int64_t device_id, int state, double t0, double t1,
			    double *total_s, double *longest_s)
{
	static const char sql[] = "SELECT ts, state FROM reading WHERE device_id = ?1 AND ts >= ?2 "
				  "AND ts < ?3 AND state IS NOT NULL ORDER BY ts";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, device_id);
	sqlite3_bind_double(q, 2, t0);
	sqlite3_bind_double(q, 3, t1);
	double total = 0, longest = 0, run_start = NAN, last_in = NAN;
	int rc = 0;
	while ((rc = store_row(st, q)) > 0) {
		double ts = sqlite3_column_double(q, 0);
		int in = sqlite3_column_int(q, 1) == state;
		if (in) {
			if (isnan(run_start))
				run_start = ts;
			last_in = ts;
			continue;
		}
		if (!isnan(run_start)) {
			total += ts - run_start;
			longest = fmax(longest, ts - run_start);
			run_start = NAN;
		}
	}
	/* A run still going at the end of the period lasts until its last reading. */
	if (!isnan(run_start)) {
		total += last_in - run_start;
		longest = fmax(longest, last_in - run_start);
	}
	if (rc < 0)
		return -1;
	*total_s = total;
	*longest_s = longest;
	return 0;
}

long store_alert_count(struct store *st, const char *station, const char *kind, double t0,
		       double t1)
{
	static const char sql[] = "SELECT count(*) FROM alert WHERE station = ?1 AND kind = ?2 "
				  "AND raised_at >= ?3 AND raised_at < ?4 AND suppressed = 0";
	sqlite3_stmt *q = store_stmt(st, sql);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 3, t0);
	sqlite3_bind_double(q, 4, t1);
	long n = store_row(st, q) > 0 ? (long)sqlite3_column_int64(q, 0) : -1;
	store_rows_stop(q);
	return n;
}
