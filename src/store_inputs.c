/* What a village's month of allocation starts from, summed from the revenue records: cash
 * received per station, costs, bucket spending and the labour of the month. */
#include "pvrelief/store_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/xalloc.h"
#include "store_internal.h"

/* Sets the first and last day of month ("YYYY-MM") as text bounds; "-31" is after every day
 * of any month in text order. */
static void month_bounds(const char *month, char first[11], char last[11])
{
	snprintf(first, 11, "%.7s-01", month);
	snprintf(last, 11, "%.7s-31", month);
}

static int64_t query_i64(struct store *st, const char *sql, const char *a, const char *b,
			 const char *c, int *err)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s) {
		*err = 1;
		return 0;
	}
	sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
	if (c)
		sqlite3_bind_text(s, 3, c, -1, SQLITE_TRANSIENT);
	int rc = store_row(st, s);
	if (rc < 0)
		*err = 1;
	if (rc <= 0)
		return 0;
	int64_t v = sqlite3_column_int64(s, 0);
	store_rows_stop(s);
	return v;
}

static const char sql_coal[] = "SELECT COALESCE(SUM(coal_fen), 0) FROM settlement "
			       "WHERE station = ?1 AND received_day BETWEEN ?2 AND ?3";
static const char sql_sub[] = "SELECT COALESCE(SUM(amount_fen), 0) FROM subsidy_receipt "
			      "WHERE station = ?1 AND received_day BETWEEN ?2 AND ?3";

/* Cash taken back in a month: reversals of settlement or subsidy cash that a decided month
 * had distributed, recorded (by pvrelief correct --month) in this later month. A reversal in
 * the cash's own month needs no adjustment: its row is gone from the sums above. The ledger
 * holds one entry per owning village; their sum is the station's. */
static const char sql_taken_back[] =
    "SELECT COALESCE(SUM(c.amount_fen), 0) FROM ledger c JOIN ledger o"
    " ON o.seq = CAST(substr(c.memo, 14, instr(c.memo, ' (') - 14) AS INTEGER)"
    " WHERE c.kind = 'correction' AND substr(c.memo, 1, 13) = 'reverses seq '"
    " AND c.station = ?1 AND c.month = ?2 AND o.kind = 'settlement' AND o.month != c.month";

static int64_t taken_back(struct store *st, const char *station, const char *month, int *err)
{
	char m[8];
	snprintf(m, sizeof m, "%.7s", month);
	return query_i64(st, sql_taken_back, station, m, NULL, err);
}

int store_rev_station_cash(struct store *st, const char *station, const char *month,
			   int64_t *cash_fen)
{
	char first[11], last[11];
	int err = 0;
	month_bounds(month, first, last);
	*cash_fen = query_i64(st, sql_coal, station, first, last, &err) +
		    query_i64(st, sql_sub, station, first, last, &err);
	return err ? -1 : 0;
}

int store_rev_station_taken_back(struct store *st, const char *station, const char *month,
				 int64_t *fen)
{
	int err = 0;
	*fen = taken_back(st, station, month, &err);
	return err ? -1 : 0;
}

/* Writes the real last day of month "YYYY-MM" ("2025-02-28") into out[11]. */
static void month_end(const char *month, char out[11])
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 0, m = 1;
	if (sscanf(month, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
		m = 1;
	int d = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}

/* Days from first to last inclusive ("YYYY-MM-DD"), by the civil calendar. */
static int64_t days_between(const char *first, const char *last)
{
	struct tm a = {0}, b = {0};
	if (sscanf(first, "%4d-%2d-%2d", &a.tm_year, &a.tm_mon, &a.tm_mday) != 3 ||
	    sscanf(last, "%4d-%2d-%2d", &b.tm_year, &b.tm_mon, &b.tm_mday) != 3)
		return -1;
	a.tm_year -= 1900;
	b.tm_year -= 1900;
	a.tm_mon -= 1;
	b.tm_mon -= 1;
	return (int64_t)((timegm(&b) - timegm(&a)) / 86400) + 1;
}

/* Months from the month of first to the month of last inclusive. */
static int months_between(const char *first, const char *last)
{
	int ya, ma, yb, mb;
	if (sscanf(first, "%4d-%2d", &ya, &ma) != 2 || sscanf(last, "%4d-%2d", &yb, &mb) != 2)
		return -1;
	return (yb - ya) * 12 + (mb - ma) + 1;
}

/* The number of comma-separated periods in a list. */
static int count_periods(const char *list)
{
	int n = list[0] != '\0';
	for (; *list; list++)
		n += *list == ',';
	return n;
}

int store_rev_station_month(struct store *st, const char *station, const char *month,
			    struct store_rev_station_month *out)
{
	static const char sql_due[] = "SELECT COALESCE(SUM(subsidy_fen), 0) FROM settlement "
				      "WHERE station = ?1 AND period <= ?2";
	static const char sql_paid[] = "SELECT COALESCE(SUM(amount_fen), 0) FROM subsidy_receipt "
				       "WHERE station = ?1 AND period <= ?2 AND received_day <= ?3";
	static const char sql_meter[] =
	    "SELECT metered_kwh FROM settlement WHERE station = ?1 AND period = ?2";
	static const char sql_measured[] = "SELECT SUM(energy_wh), COUNT(*) FROM station_day "
					   "WHERE station = ?1 AND day BETWEEN ?2 AND ?3";
	static const char sql_cash_periods[] =
	    "SELECT group_concat(period, ','), SUM(metered_kwh), MIN(period), MAX(period) FROM "
	    "(SELECT period, metered_kwh FROM settlement WHERE station = ?1 AND received_day "
	    "BETWEEN ?2 AND ?3 ORDER BY period)";
	static const char sql_eta[] =
	    "SELECT eta FROM station_month WHERE station = ?1 AND month = ?2 AND eta IS NOT NULL";
	char first[11], last[11];
	int err = 0;
	memset(out, 0, sizeof *out);
	month_bounds(month, first, last);
	out->cash_fen = query_i64(st, sql_coal, station, first, last, &err) +
			query_i64(st, sql_sub, station, first, last, &err) +
			taken_back(st, station, month, &err);
	out->receivable_fen = query_i64(st, sql_due, station, month, NULL, &err) -
			      query_i64(st, sql_paid, station, month, last, &err);
	sqlite3_stmt *s = store_stmt(st, sql_meter);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	int rc = store_row(st, s);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		out->has_metered = 1;
		out->metered_kwh = sqlite3_column_double(s, 0);
		store_rows_stop(s);
	}
	s = store_stmt(st, sql_measured);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, last, -1, SQLITE_TRANSIENT);
	if ((rc = store_row(st, s)) < 0)
		return -1;
	if (rc > 0 && sqlite3_column_int64(s, 1) > 0) {
		out->has_measured = 1;
		out->measured_wh = sqlite3_column_double(s, 0);
	}
	if (rc > 0)
		store_rows_stop(s);
	s = store_stmt(st, sql_cash_periods);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, last, -1, SQLITE_TRANSIENT);
	char pfirst[11] = "", plast[11] = "";
	if ((rc = store_row(st, s)) < 0)
		return -1;
	if (rc > 0 && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		store_col_copy(s, 0, out->cash_periods, sizeof out->cash_periods);
		out->cash_metered_kwh = sqlite3_column_double(s, 1);
		char a[8], b[8], x[11];
		store_col_copy(s, 2, a, sizeof a);
		store_col_copy(s, 3, b, sizeof b);
		month_bounds(a, pfirst, x);
		month_end(b, plast);
	}
	if (rc > 0)
		store_rows_stop(s);
	if (out->cash_periods[0]) {
		/* Measured over the periods only when every day is there: a partial sum next to
		 * the settled figure would look like a shortfall of the meter. */
		s = store_stmt(st, sql_measured);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, pfirst, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, plast, -1, SQLITE_TRANSIENT);
		if ((rc = store_row(st, s)) < 0)
			return -1;
		if (rc > 0 && sqlite3_column_int64(s, 1) == days_between(pfirst, plast) &&
		    count_periods(out->cash_periods) == months_between(pfirst, plast)) {
			out->has_cash_measured = 1;
			out->cash_measured_wh = sqlite3_column_double(s, 0);
		}
		if (rc > 0)
			store_rows_stop(s);
	}
	s = store_stmt(st, sql_eta);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	if ((rc = store_row(st, s)) < 0)
		return -1;
	if (rc > 0) {
		out->has_eta = 1;
		out->eta = sqlite3_column_double(s, 0);
		store_rows_stop(s);
	}
	return err ? -1 : 0;
}

int store_rev_costs(struct store *st, const char *village, const char *month, int64_t costs_fen[4])
{
	static const char sql[] = "SELECT kind, SUM(amount_fen) FROM cost "
				  "WHERE village = ?1 AND month = ?2 GROUP BY kind";
	static const char *const names[4] = {"om", "insurance", "land_rent", "other"};
	sqlite3_stmt *s = store_stmt(st, sql);
	memset(costs_fen, 0, 4 * sizeof *costs_fen);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = store_row(st, s)) > 0) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		for (int i = 0; i < 4; i++)
			if (k && strcmp(k, names[i]) == 0)
				costs_fen[i] = sqlite3_column_int64(s, 1);
	}
	return rc < 0 ? -1 : 0;
}

int store_rev_spending(struct store *st, const char *village, const char *month,
		       int64_t spend_fen[REVENUE_NBUCKETS])
{
	static const char sql[] = "SELECT bucket, SUM(amount_fen) FROM spending "
				  "WHERE village = ?1 AND month = ?2 GROUP BY bucket";
	sqlite3_stmt *s = store_stmt(st, sql);
	memset(spend_fen, 0, REVENUE_NBUCKETS * sizeof *spend_fen);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = store_row(st, s)) > 0) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		for (int b = REVENUE_PUBLIC_WORKS; b < REVENUE_NBUCKETS; b++)
			if (k && strcmp(k, revenue_bucket_name((enum revenue_bucket)b)) == 0)
				spend_fen[b] = sqlite3_column_int64(s, 1);
	}
	return rc < 0 ? -1 : 0;
}

static const char *set_str(struct store_rev_labour_set *set, const unsigned char *t)
{
	if (set->nstrs == set->capstrs) {
		set->capstrs = set->capstrs ? set->capstrs * 2 : 64;
		set->strs = xrealloc(set->strs, set->capstrs * sizeof *set->strs);
	}
	return set->strs[set->nstrs++] = xstrdup(t ? (const char *)t : "");
}

int store_rev_labour_load(struct store *st, const char *village, const char *month,
			  struct store_rev_labour_set *out)
{
	/* Driven from the village's posts so that the indexes on post, agreement and attendance
	 * keep a month's load proportional to the village, not the county. */
	static const char sql_payees[] =
	    "SELECT k.person, k.post, po.wage_fen, po.required_days,"
	    "  EXISTS (SELECT 1 FROM agreement a WHERE a.person = k.person AND a.post = k.post"
	    "    AND a.start_day <= ?3 AND a.end_day >= ?2),"
	    "  t.days_worked, t.grade "
	    "FROM (SELECT a.person AS person, a.post AS post FROM post p"
	    "      JOIN agreement a ON a.post = p.id"
	    "      WHERE p.village = ?1 AND a.start_day <= ?3 AND a.end_day >= ?2"
	    "      UNION SELECT t.person, t.post FROM post p JOIN attendance t ON t.post = p.id"
	    "      WHERE p.village = ?1 AND t.month = ?4) k "
	    "JOIN post po ON po.id = k.post "
	    "LEFT JOIN attendance t ON t.person = k.person AND t.post = k.post AND t.month = ?4 "
	    "ORDER BY k.person, k.post";
	static const char sql_labour[] =
	    "SELECT person, work, days_worked, amount_fen, agreement FROM work_record "
	    "WHERE village = ?1 AND month = ?2 ORDER BY person, work";
	char first[11], last[11];
	size_t cap = 0;
	int rc;
	memset(out, 0, sizeof *out);
	month_bounds(month, first, last);
	sqlite3_stmt *s = store_stmt(st, sql_payees);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, last, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, month, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(st, s)) > 0) {
		if (out->npayees == cap) {
			cap = cap ? cap * 2 : 16;
			out->payees = xrealloc(out->payees, cap * sizeof *out->payees);
		}
		struct revenue_payee *p = &out->payees[out->npayees++];
		memset(p, 0, sizeof *p);
		p->person_id = set_str(out, sqlite3_column_text(s, 0));
		p->post_id = set_str(out, sqlite3_column_text(s, 1));
		p->wage_fen = sqlite3_column_int64(s, 2);
		p->required_days = sqlite3_column_int(s, 3);
		p->has_agreement = sqlite3_column_int(s, 4) != 0;
		p->has_attendance = sqlite3_column_type(s, 5) != SQLITE_NULL;
		p->days_worked = sqlite3_column_int(s, 5);
		const char *g = (const char *)sqlite3_column_text(s, 6);
		p->grade = g && g[0] >= 'A' && g[0] <= 'D' ? (enum revenue_grade)(g[0] - 'A' + 1)
							   : REVENUE_GRADE_NONE;
	}
	if (rc < 0)
		goto fail;
	s = store_stmt(st, sql_labour);
	if (!s)
		goto fail;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	cap = 0;
	while ((rc = store_row(st, s)) > 0) {
		if (out->nlabour == cap) {
			cap = cap ? cap * 2 : 8;
			out->labour = xrealloc(out->labour, cap * sizeof *out->labour);
		}
		struct revenue_labour *l = &out->labour[out->nlabour++];
		memset(l, 0, sizeof *l);
		l->person_id = set_str(out, sqlite3_column_text(s, 0));
		l->work_id = set_str(out, sqlite3_column_text(s, 1));
		l->days_worked = sqlite3_column_int(s, 2);
		l->amount_fen = sqlite3_column_int64(s, 3);
		const unsigned char *a = sqlite3_column_text(s, 4);
		l->has_agreement = a && a[0];
	}
	if (rc < 0)
		goto fail;
	return 0;
fail:
	store_rev_labour_set_free(out);
	return -1;
}

void store_rev_labour_set_free(struct store_rev_labour_set *s)
{
	for (size_t i = 0; i < s->nstrs; i++)
		free(s->strs[i]);
	free(s->strs);
	free(s->payees);
	free(s->labour);
	memset(s, 0, sizeof *s);
}
