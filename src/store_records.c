/* The revenue tables: rows of the imports, plans, payments and the money ledger. */
#include "pvrelief/store_records.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/log.h"
#include "pvrelief/plan.h"
#include "pvrelief/report.h"
#include "pvrelief/xalloc.h"
#include "store_internal.h"

struct kind_desc {
	const char *table;
	int updatable;
	size_t ncols;
	const char *cols[STORE_REV_MAXCOLS];
	unsigned keymask; /* bit i set when column i is part of the key */
};

static const struct kind_desc kinds[STORE_REV_NKINDS] = {
    [STORE_REV_PERSON] =
	{"person", 1, 6, {"id", "village", "name", "id_masked", "category", "labour"}, 0x1},
    [STORE_REV_POST] = {"post", 1, 5, {"id", "village", "kind", "wage_fen", "required_days"}, 0x1},
    [STORE_REV_AGREEMENT] = {"agreement", 1, 4, {"person", "post", "start_day", "end_day"}, 0x7},
    [STORE_REV_ATTENDANCE] =
	{"attendance", 1, 5, {"person", "post", "month", "days_worked", "grade"}, 0x7},
    [STORE_REV_WORK] = {"work_record",
			0,
			7,
			{"village", "month", "person", "work", "days_worked", "amount_fen",
			 "agreement"},
			0xF},
    [STORE_REV_SETTLEMENT] = {"settlement",
			      0,
			      6,
			      {"station", "period", "metered_kwh", "coal_fen", "subsidy_fen",
			       "received_day"},
			      0x3},
    [STORE_REV_SUBSIDY] =
	{"subsidy_receipt", 0, 4, {"station", "period", "amount_fen", "received_day"}, 0xB},
    [STORE_REV_COST] =
	{"cost", 0, 6, {"village", "month", "kind", "amount_fen", "receipt", "note"}, 0x17},
    [STORE_REV_SPENDING] =
	{"spending", 0, 6, {"village", "month", "bucket", "amount_fen", "receipt", "note"}, 0x17},
};

/* The generic statements are built once from the descriptors; store_stmt caches prepared
 * statements by the address of their text, which these buffers keep for the process. */
static char sql_select[STORE_REV_NKINDS][1024], sql_insert[STORE_REV_NKINDS][1024],
    sql_update[STORE_REV_NKINDS][1024];

/* Appends text to a fixed buffer, cutting at its size (the buffers fit every descriptor). */
static void append(char *dst, size_t cap, const char *text)
{
	size_t used = strlen(dst);
	snprintf(dst + used, cap - used, "%s", text);
}

static void build_sql(enum store_rev_kind k)
{
	const struct kind_desc *d = &kinds[k];
	if (sql_select[k][0])
		return;
	char cols[256] = "", qs[128] = "", where[256] = "", set[256] = "";
	int nk = 0;
	for (size_t i = 0; i < d->ncols; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s%s", i ? ", " : "", d->cols[i]);
		append(cols, sizeof cols, buf);
		snprintf(buf, sizeof buf, "%s?%zu", i ? ", " : "", i + 1);
		append(qs, sizeof qs, buf);
		snprintf(buf, sizeof buf, "%s%s = ?%zu",
			 (d->keymask & (1u << i)) && nk ? " AND " : "", d->cols[i], i + 1);
		if (d->keymask & (1u << i)) {
			append(where, sizeof where, buf);
			nk++;
		} else {
			snprintf(buf, sizeof buf, "%s%s = ?%zu", set[0] ? ", " : "", d->cols[i],
				 i + 1);
			append(set, sizeof set, buf);
		}
	}
	snprintf(sql_select[k], sizeof sql_select[k], "SELECT %s FROM %s WHERE %s", cols, d->table,
		 where);
	snprintf(sql_insert[k], sizeof sql_insert[k], "INSERT INTO %s (%s) VALUES (%s)", d->table,
		 cols, qs);
	if (set[0])
		snprintf(sql_update[k], sizeof sql_update[k], "UPDATE %s SET %s WHERE %s", d->table,
			 set, where);
}

size_t store_rev_ncols(enum store_rev_kind kind)
{
	return kinds[kind].ncols;
}

const char *store_rev_colname(enum store_rev_kind kind, size_t i)
{
	return i < kinds[kind].ncols ? kinds[kind].cols[i] : "";
}

int store_rev_updatable(enum store_rev_kind kind)
{
	return kinds[kind].updatable;
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Returns 1 when the query with text parameters a and b has a row, 0 when not, -1 on error. */
static int exists2(struct store *st, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const char sql_person_exists[] = "SELECT 1 FROM person WHERE id = ?1";
static const char sql_post_exists[] = "SELECT 1 FROM post WHERE id = ?1";
static const char sql_settlement_exists[] =
    "SELECT 1 FROM settlement WHERE station = ?1 AND period = ?2";

/* Checks that the people, posts and settlements a row refers to are recorded, so that the
 * accountant reads "unknown person" rather than SQLite's foreign-key message. */
static int check_refs(struct store *st, enum store_rev_kind kind, const char *const *v, char *why,
		      size_t whylen)
{
	const char *person = NULL, *post = NULL;
	if (kind == STORE_REV_AGREEMENT || kind == STORE_REV_ATTENDANCE) {
		person = v[0];
		post = v[1];
	} else if (kind == STORE_REV_WORK) {
		person = v[2];
	}
	if (person && exists2(st, sql_person_exists, person, NULL) != 1) {
		snprintf(why, whylen, "unknown person \"%s\" (import people first)", person);
		return -1;
	}
	if (post && exists2(st, sql_post_exists, post, NULL) != 1) {
		snprintf(why, whylen, "unknown post \"%s\" (import posts first)", post);
		return -1;
	}
	if (kind == STORE_REV_SUBSIDY && exists2(st, sql_settlement_exists, v[0], v[1]) != 1) {
		snprintf(why, whylen,
			 "no settlement of station %s for period %s: a subsidy receipt clears a "
			 "settled receivable",
			 v[0], v[1]);
		return -1;
	}
	return 0;
}

static char *join_values(const struct kind_desc *d, const char *const *v, unsigned mask)
{
	size_t cap = 64, len = 0;
	char *out = xmalloc(cap);
	out[0] = '\0';
	for (size_t i = 0; i < d->ncols; i++) {
		if (!(mask & (1u << i)))
			continue;
		const char *val = v[i] ? v[i] : "";
		size_t need = len + strlen(d->cols[i]) + strlen(val) + 8;
		if (need > cap) {
			cap = need * 2;
			out = xrealloc(out, cap);
		}
		len += (size_t)snprintf(out + len, cap - len, "%s%s=%s", len ? "; " : "",
					d->cols[i], val);
	}
	return out;
}

static const char sql_history_add[] =
    "INSERT INTO history (at, by, tbl, key, action, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static int history_add(struct store *st, int64_t at, const char *by, const char *table,
		       const char *key, const char *action, const char *old, const char *new_)
{
	sqlite3_stmt *s = store_stmt(st, sql_history_add);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_text(s, 2, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, action, -1, SQLITE_STATIC);
	bind_text_or_null(s, 6, old);
	bind_text_or_null(s, 7, new_);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

int store_rev_put(struct store *st, enum store_rev_kind kind, const char *const *values,
		  const char *by, int64_t at_unix, char *why, size_t whylen)
{
	const struct kind_desc *d = &kinds[kind];
	char *old[STORE_REV_MAXCOLS] = {0};
	const char *merged[STORE_REV_MAXCOLS];
	char key[256] = "";
	char *oldtext = NULL, *newtext = NULL;
	int rc = -1, found = 0;
	unsigned all = (1u << d->ncols) - 1, changed = 0;
	build_sql(kind);
	for (size_t i = 0; i < d->ncols; i++)
		if ((d->keymask & (1u << i)) && (!values[i] || !values[i][0])) {
			snprintf(why, whylen, "the key column \"%s\" is empty", d->cols[i]);
			return -1;
		} else if (d->keymask & (1u << i)) {
			size_t l = strlen(key);
			snprintf(key + l, sizeof key - l, "%s%s", l ? "/" : "", values[i]);
		}
	if (check_refs(st, kind, values, why, whylen) != 0)
		return -1;
	sqlite3_stmt *s = store_stmt(st, sql_select[kind]);
	if (!s)
		goto dberr;
	for (size_t i = 0; i < d->ncols; i++)
		if (d->keymask & (1u << i))
			sqlite3_bind_text(s, (int)i + 1, values[i], -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		found = 1;
		for (size_t i = 0; i < d->ncols; i++) {
			const unsigned char *t = sqlite3_column_text(s, (int)i);
			old[i] = xstrdup(t ? (const char *)t : "");
		}
	} else if (step != SQLITE_DONE) {
		goto dberr;
	}
	sqlite3_reset(s);
	if (found && !d->updatable) {
		snprintf(why, whylen,
			 "duplicate %s %s: it is already recorded (corrections are new entries)",
			 d->table, key);
		goto out;
	}
	for (size_t i = 0; i < d->ncols; i++) {
		merged[i] = values[i] ? values[i] : old[i];
		if (!merged[i]) {
			snprintf(why, whylen, "column \"%s\" is needed for a new %s", d->cols[i],
				 d->table);
			goto out;
		}
		if (found && strcmp(merged[i], old[i]) != 0)
			changed |= 1u << i;
	}
	if (found && !changed) {
		rc = 0;
		goto out;
	}
	s = store_stmt(st, found ? sql_update[kind] : sql_insert[kind]);
	if (!s)
		goto dberr;
	for (size_t i = 0; i < d->ncols; i++)
		sqlite3_bind_text(s, (int)i + 1, merged[i], -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	if (found) {
		oldtext = join_values(d, (const char *const *)old, changed);
		newtext = join_values(d, merged, changed);
	} else {
		newtext = join_values(d, merged, all);
	}
	if (history_add(st, at_unix, by, d->table, key, found ? "update" : "insert", oldtext,
			newtext) != 0)
		goto dberr;
	rc = 0;
	goto out;
dberr:
	snprintf(why, whylen, "the database refused the %s row %s: %s", d->table, key,
		 sqlite3_errmsg(st->db));
	rc = -1;
out:
	for (size_t i = 0; i < d->ncols; i++)
		free(old[i]);
	free(oldtext);
	free(newtext);
	return rc;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

static void col_copy(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

int store_rev_history(struct store *st, const char *table, const char *key,
		      struct store_rev_change **out, size_t *n)
{
	static const char sql[] = "SELECT at, by, tbl, key, action, old, new FROM history "
				  "WHERE (?1 IS NULL OR tbl = ?1) AND (?2 IS NULL OR key = ?2) "
				  "ORDER BY id";
	sqlite3_stmt *s = store_stmt(st, sql);
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	bind_text_or_null(s, 1, table);
	bind_text_or_null(s, 2, key);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_rev_change *c = &(*out)[(*n)++];
		c->at_unix = sqlite3_column_int64(s, 0);
		c->by = col_dup(s, 1);
		c->table = col_dup(s, 2);
		c->key = col_dup(s, 3);
		c->action = col_dup(s, 4);
		c->old_values = col_dup(s, 5);
		c->new_values = col_dup(s, 6);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

void store_rev_changes_free(struct store_rev_change *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].by);
		free(c[i].table);
		free(c[i].key);
		free(c[i].action);
		free(c[i].old_values);
		free(c[i].new_values);
	}
	free(c);
}

int store_rev_post_village(struct store *st, const char *post, char *buf, size_t len)
{
	static const char sql[] = "SELECT village FROM post WHERE id = ?1";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, post, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return -1;
	col_copy(s, 0, buf, len);
	return 0;
}

int store_rev_subsidy_open(struct store *st, const char *station, const char *period,
			   int64_t *out_fen)
{
	static const char sql[] =
	    "SELECT subsidy_fen - (SELECT COALESCE(SUM(amount_fen), 0) FROM subsidy_receipt r "
	    "  WHERE r.station = s.station AND r.period = s.period) "
	    "FROM settlement s WHERE station = ?1 AND period = ?2";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, period, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return -1;
	*out_fen = sqlite3_column_int64(s, 0);
	return 0;
}

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
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return sqlite3_column_int64(s, 0);
	if (rc != SQLITE_DONE)
		*err = 1;
	return 0;
}

static const char sql_coal[] = "SELECT COALESCE(SUM(coal_fen), 0) FROM settlement "
			       "WHERE station = ?1 AND received_day BETWEEN ?2 AND ?3";
static const char sql_sub[] = "SELECT COALESCE(SUM(amount_fen), 0) FROM subsidy_receipt "
			      "WHERE station = ?1 AND received_day BETWEEN ?2 AND ?3";

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
	static const char sql_eta[] =
	    "SELECT eta FROM station_month WHERE station = ?1 AND month = ?2 AND eta IS NOT NULL";
	char first[11], last[11];
	int err = 0;
	memset(out, 0, sizeof *out);
	month_bounds(month, first, last);
	out->cash_fen = query_i64(st, sql_coal, station, first, last, &err) +
			query_i64(st, sql_sub, station, first, last, &err);
	out->receivable_fen = query_i64(st, sql_due, station, month, NULL, &err) -
			      query_i64(st, sql_paid, station, month, last, &err);
	sqlite3_stmt *s = store_stmt(st, sql_meter);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		out->has_metered = 1;
		out->metered_kwh = sqlite3_column_double(s, 0);
	}
	s = store_stmt(st, sql_measured);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, last, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 1) > 0) {
		out->has_measured = 1;
		out->measured_wh = sqlite3_column_double(s, 0);
	}
	s = store_stmt(st, sql_eta);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		out->has_eta = 1;
		out->eta = sqlite3_column_double(s, 0);
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
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		for (int i = 0; i < 4; i++)
			if (k && strcmp(k, names[i]) == 0)
				costs_fen[i] = sqlite3_column_int64(s, 1);
	}
	return rc == SQLITE_DONE ? 0 : -1;
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
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		for (int b = REVENUE_PUBLIC_WORKS; b < REVENUE_NBUCKETS; b++)
			if (k && strcmp(k, revenue_bucket_name((enum revenue_bucket)b)) == 0)
				spend_fen[b] = sqlite3_column_int64(s, 1);
	}
	return rc == SQLITE_DONE ? 0 : -1;
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
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
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
	if (rc != SQLITE_DONE)
		goto fail;
	s = store_stmt(st, sql_labour);
	if (!s)
		goto fail;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
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
	if (rc != SQLITE_DONE)
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

#define PLAN_COLS                                                                                  \
	"village, month, state, notice_days, COALESCE(publicised_at, 0), created_at, "             \
	"received_fen, costs_fen, distributable_fen, deficit_in_fen, deficit_out_fen, "            \
	"posts_share_bp, policy_posts_bp, min_posts_bp, note"

static void plan_row(sqlite3_stmt *s, struct store_rev_plan *p)
{
	memset(p, 0, sizeof *p);
	col_copy(s, 0, p->village, sizeof p->village);
	col_copy(s, 1, p->month, sizeof p->month);
	col_copy(s, 2, p->state, sizeof p->state);
	p->notice_days = sqlite3_column_int(s, 3);
	p->publicised_at = sqlite3_column_int64(s, 4);
	p->created_at = sqlite3_column_int64(s, 5);
	p->received_fen = sqlite3_column_int64(s, 6);
	p->costs_fen = sqlite3_column_int64(s, 7);
	p->distributable_fen = sqlite3_column_int64(s, 8);
	p->deficit_in_fen = sqlite3_column_int64(s, 9);
	p->deficit_out_fen = sqlite3_column_int64(s, 10);
	p->posts_share_bp = sqlite3_column_int(s, 11);
	p->policy_posts_bp = sqlite3_column_int(s, 12);
	p->min_posts_bp = sqlite3_column_int(s, 13);
	col_copy(s, 14, p->note, sizeof p->note);
}

static int plan_query(struct store *st, const char *sql, const char *village, const char *month,
		      struct store_rev_plan *out)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return -1;
	plan_row(s, out);
	return 0;
}

int store_rev_plan_get(struct store *st, const char *village, const char *month,
		       struct store_rev_plan *out)
{
	static const char sql[] =
	    "SELECT " PLAN_COLS " FROM plan WHERE village = ?1 AND month = ?2";
	return plan_query(st, sql, village, month, out);
}

int store_rev_plan_before(struct store *st, const char *village, const char *month,
			  struct store_rev_plan *out)
{
	static const char sql[] = "SELECT " PLAN_COLS " FROM plan WHERE village = ?1 AND "
				  "(?2 = '' OR month < ?2) ORDER BY month DESC LIMIT 1";
	return plan_query(st, sql, village, month, out);
}

int store_rev_plan_later(struct store *st, const char *village, const char *month)
{
	static const char sql[] = "SELECT 1 FROM plan WHERE village = ?1 AND month > ?2";
	return exists2(st, sql, village, month);
}

int store_rev_first_month(struct store *st, const char *village, const char *const *ids, size_t n,
			  char out[8])
{
	static const char sql_station[] =
	    "SELECT MIN(m) FROM (SELECT substr(received_day, 1, 7) AS m FROM settlement "
	    "WHERE station = ?1 UNION ALL SELECT substr(received_day, 1, 7) FROM subsidy_receipt "
	    "WHERE station = ?1)";
	static const char sql_village[] =
	    "SELECT MIN(m) FROM (SELECT month AS m FROM cost WHERE village = ?1 UNION ALL "
	    "SELECT month FROM spending WHERE village = ?1 UNION ALL SELECT month FROM work_record "
	    "WHERE village = ?1)";
	out[0] = '\0';
	for (size_t i = 0; i <= n; i++) {
		sqlite3_stmt *s = store_stmt(st, i < n ? sql_station : sql_village);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, i < n ? ids[i] : village, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_ROW)
			return -1;
		const char *m = (const char *)sqlite3_column_text(s, 0);
		if (m && (!out[0] || strcmp(m, out) < 0))
			snprintf(out, 8, "%.7s", m);
	}
	return 0;
}

int store_rev_plan_carry(struct store *st, const char *village, const char *month,
			 struct revenue_carry *out)
{
	struct store_rev_bucket b[REVENUE_NBUCKETS];
	struct store_rev_plan p;
	memset(out, 0, sizeof *out);
	int rc = store_rev_plan_get(st, village, month, &p);
	if (rc != 0)
		return rc;
	rc = store_rev_plan_buckets(st, village, month, b);
	if (rc != 0)
		return rc < 0 ? -1 : 1;
	for (int i = 0; i < REVENUE_NBUCKETS; i++)
		out->bucket_fen[i] = b[i].carry_out_fen;
	out->deficit_fen = p.deficit_out_fen;
	return 0;
}

static const char *reason_code(enum revenue_reason r)
{
	switch (r) {
	case REVENUE_PAY_OK:
		return "ok";
	case REVENUE_PAY_NO_AGREEMENT:
		return "no_agreement";
	case REVENUE_PAY_NO_RECORD:
		return "no_record";
	case REVENUE_PAY_NO_WORK:
		return "no_work";
	}
	return "ok";
}

static int insert_payment(struct store *st, const char *village, const char *month,
			  const char *kind, const char *person, const char *post, int days,
			  int required, const char *grade, int64_t standard, int64_t due,
			  int64_t paid, const char *reason)
{
	static const char sql[] =
	    "INSERT INTO plan_payment (village, month, kind, person, post, days_worked, "
	    "required_days, grade, standard_fen, due_fen, paid_fen, reason) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, person, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, post, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 6, days);
	sqlite3_bind_int(s, 7, required);
	sqlite3_bind_text(s, 8, grade, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, standard);
	sqlite3_bind_int64(s, 10, due);
	sqlite3_bind_int64(s, 11, paid);
	sqlite3_bind_text(s, 12, reason, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

int store_rev_plan_save(struct store *st, const struct store_rev_plan *plan,
			const struct revenue_month_input *in,
			const struct revenue_month_result *res, const char *by, int64_t at_unix,
			char *why, size_t whylen)
{
	static const char sql_del_plan[] = "DELETE FROM plan WHERE village = ?1 AND month = ?2";
	static const char sql_del_bucket[] =
	    "DELETE FROM plan_bucket WHERE village = ?1 AND month = ?2";
	static const char sql_del_pay[] =
	    "DELETE FROM plan_payment WHERE village = ?1 AND month = ?2";
	static const char sql_plan[] =
	    "INSERT INTO plan (village, month, state, notice_days, publicised_at, created_at, "
	    "received_fen, costs_fen, distributable_fen, deficit_in_fen, deficit_out_fen, "
	    "posts_share_bp, policy_posts_bp, min_posts_bp, note) "
	    "VALUES (?1, ?2, 'draft', ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
	static const char sql_bucket[] =
	    "INSERT INTO plan_bucket (village, month, bucket, share_bp, carry_in_fen, alloc_fen, "
	    "spent_fen, unmet_fen, carry_out_fen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	static const char grades[][2] = {"", "A", "B", "C", "D"};
	struct store_rev_plan old;
	int rc = store_rev_plan_get(st, plan->village, plan->month, &old);
	if (rc < 0)
		goto dberr;
	if (rc == 0 && strcmp(old.state, "draft") != 0) {
		snprintf(why, whylen,
			 "village %s %s already has a plan in state %s; a decided plan is not "
			 "replaced",
			 plan->village, plan->month, old.state);
		return -1;
	}
	const char *dels[] = {sql_del_plan, sql_del_bucket, sql_del_pay};
	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *s = store_stmt(st, dels[i]);
		if (!s)
			goto dberr;
		sqlite3_bind_text(s, 1, plan->village, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, plan->month, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto dberr;
	}
	sqlite3_stmt *s = store_stmt(st, sql_plan);
	if (!s)
		goto dberr;
	sqlite3_bind_text(s, 1, plan->village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, plan->month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, plan->notice_days);
	sqlite3_bind_int64(s, 4, at_unix);
	sqlite3_bind_int64(s, 5, plan->received_fen);
	sqlite3_bind_int64(s, 6, plan->costs_fen);
	sqlite3_bind_int64(s, 7, in->distributable_fen);
	sqlite3_bind_int64(s, 8, in->carry_in.deficit_fen);
	sqlite3_bind_int64(s, 9, res->carry_out.deficit_fen);
	sqlite3_bind_int(s, 10, res->posts_share_bp);
	sqlite3_bind_int(s, 11, in->policy->share_bp[REVENUE_POSTS]);
	sqlite3_bind_int(s, 12, in->policy->min_posts_bp);
	sqlite3_bind_text(s, 13, res->note, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	for (int b = 0; b < REVENUE_NBUCKETS; b++) {
		s = store_stmt(st, sql_bucket);
		if (!s)
			goto dberr;
		sqlite3_bind_text(s, 1, plan->village, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, plan->month, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, revenue_bucket_name((enum revenue_bucket)b), -1,
				  SQLITE_STATIC);
		sqlite3_bind_int(s, 4, in->policy->share_bp[b]);
		sqlite3_bind_int64(s, 5, in->carry_in.bucket_fen[b]);
		sqlite3_bind_int64(s, 6, res->alloc_fen[b]);
		sqlite3_bind_int64(s, 7, res->spent_fen[b]);
		sqlite3_bind_int64(s, 8, res->unmet_fen[b]);
		sqlite3_bind_int64(s, 9, res->carry_out.bucket_fen[b]);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto dberr;
	}
	for (size_t i = 0; i < in->npayees; i++) {
		const struct revenue_payee *p = &in->payees[i];
		const struct revenue_payee_result *r = &res->payees[i];
		if (insert_payment(st, plan->village, plan->month, "wage", p->person_id, p->post_id,
				   p->has_attendance ? p->days_worked : 0, p->required_days,
				   grades[p->grade], p->wage_fen, r->due_fen, r->paid_fen,
				   reason_code(r->reason)) != 0)
			goto dberr;
	}
	for (size_t i = 0; i < in->nlabour; i++) {
		const struct revenue_labour *l = &in->labour[i];
		const struct revenue_payee_result *r = &res->labour[i];
		if (insert_payment(st, plan->village, plan->month, "labour", l->person_id,
				   l->work_id, l->days_worked, 0, "", l->amount_fen, r->due_fen,
				   r->paid_fen, reason_code(r->reason)) != 0)
			goto dberr;
	}
	if (store_rev_plan_step(st, plan->village, plan->month, "draft", by, at_unix,
				rc == 0 ? "re-allocated" : "allocated") != 0)
		goto dberr;
	return 0;
dberr:
	snprintf(why, whylen, "cannot save the plan of %s %s: %s", plan->village, plan->month,
		 sqlite3_errmsg(st->db));
	return -1;
}

int store_rev_plan_step(struct store *st, const char *village, const char *month, const char *state,
			const char *by, int64_t at_unix, const char *note)
{
	static const char sql_state[] =
	    "UPDATE plan SET state = ?3, publicised_at = CASE WHEN ?3 = 'publicised' THEN ?4 "
	    "ELSE publicised_at END WHERE village = ?1 AND month = ?2";
	static const char sql_step[] =
	    "INSERT INTO plan_step (village, month, state, at, by, note) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	const char *sqls[] = {sql_state, sql_step};
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *s = store_stmt(st, sqls[i]);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, state, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, at_unix);
		if (i == 1) {
			sqlite3_bind_text(s, 5, by, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 6, note ? note : "", -1, SQLITE_TRANSIENT);
		}
		if (sqlite3_step(s) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

int store_rev_plan_steps(struct store *st, const char *village, const char *month,
			 struct store_rev_step *steps, int max)
{
	static const char sql[] = "SELECT state, at, by, note FROM plan_step "
				  "WHERE village = ?1 AND month = ?2 ORDER BY rowid";
	sqlite3_stmt *s = store_stmt(st, sql);
	int n = 0, rc;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max) {
		col_copy(s, 0, steps[n].state, sizeof steps[n].state);
		steps[n].at_unix = sqlite3_column_int64(s, 1);
		col_copy(s, 2, steps[n].by, sizeof steps[n].by);
		col_copy(s, 3, steps[n].note, sizeof steps[n].note);
		n++;
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

int store_rev_plan_payments(struct store *st, const char *village, const char *month,
			    struct store_rev_payment **out, size_t *n)
{
	static const char sql[] =
	    "SELECT kind, person, post, grade, reason, days_worked, required_days, standard_fen, "
	    "due_fen, paid_fen FROM plan_payment WHERE village = ?1 AND month = ?2 "
	    "ORDER BY kind DESC, person, post";
	sqlite3_stmt *s = store_stmt(st, sql);
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_rev_payment *p = &(*out)[(*n)++];
		p->kind = col_dup(s, 0);
		p->person = col_dup(s, 1);
		p->post = col_dup(s, 2);
		p->grade = col_dup(s, 3);
		p->reason = col_dup(s, 4);
		p->days_worked = sqlite3_column_int(s, 5);
		p->required_days = sqlite3_column_int(s, 6);
		p->standard_fen = sqlite3_column_int64(s, 7);
		p->due_fen = sqlite3_column_int64(s, 8);
		p->paid_fen = sqlite3_column_int64(s, 9);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

void store_rev_payments_free(struct store_rev_payment *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].kind);
		free(p[i].person);
		free(p[i].post);
		free(p[i].grade);
		free(p[i].reason);
	}
	free(p);
}

int store_rev_plan_buckets(struct store *st, const char *village, const char *month,
			   struct store_rev_bucket out[REVENUE_NBUCKETS])
{
	static const char sql[] = "SELECT bucket, share_bp, carry_in_fen, alloc_fen, spent_fen, "
				  "unmet_fen, carry_out_fen FROM plan_bucket "
				  "WHERE village = ?1 AND month = ?2";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc, found = 0;
	memset(out, 0, REVENUE_NBUCKETS * sizeof *out);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		for (int b = 0; b < REVENUE_NBUCKETS; b++)
			if (k && strcmp(k, revenue_bucket_name((enum revenue_bucket)b)) == 0) {
				out[b].share_bp = sqlite3_column_int(s, 1);
				out[b].carry_in_fen = sqlite3_column_int64(s, 2);
				out[b].alloc_fen = sqlite3_column_int64(s, 3);
				out[b].spent_fen = sqlite3_column_int64(s, 4);
				out[b].unmet_fen = sqlite3_column_int64(s, 5);
				out[b].carry_out_fen = sqlite3_column_int64(s, 6);
				found++;
			}
	}
	if (rc != SQLITE_DONE)
		return -1;
	return found ? 0 : 1;
}

int store_rev_month_locked(struct store *st, const char *village, const char *month, char state[16])
{
	static const char sql[] =
	    "SELECT state FROM plan WHERE village = ?1 AND month = ?2 AND state <> 'draft'";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	col_copy(s, 0, state, 16);
	return 1;
}

int store_rev_report_payees(struct store *st, struct report *r, size_t v)
{
	static const char sql[] =
	    "SELECT pp.kind, pp.person, COALESCE(pe.name, ''), COALESCE(pe.id_masked, ''),"
	    "  COALESCE(pe.category, ''), pp.post,"
	    "  CASE WHEN pp.kind = 'wage' THEN COALESCE(po.kind, '') ELSE '以工代赈' END,"
	    "  pp.days_worked, pp.required_days, pp.grade, pp.standard_fen, pp.due_fen,"
	    "  pp.paid_fen, pp.reason "
	    "FROM plan_payment pp LEFT JOIN person pe ON pe.id = pp.person "
	    "LEFT JOIN post po ON po.id = pp.post AND pp.kind = 'wage' "
	    "WHERE pp.village = ?1 AND pp.month = ?2 ORDER BY pp.kind DESC, pp.person, pp.post";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, r->villages[v].id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, r->month, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct report_payee *p = report_add_payee(r, v);
		const char *strs[7];
		for (int i = 0; i < 7; i++)
			strs[i] = report_str(r, (const char *)sqlite3_column_text(s, i));
		p->kind = strs[0];
		p->person_id = strs[1];
		p->name = strs[2];
		p->id_masked = strs[3];
		p->category = strs[4];
		p->post_id = strs[5];
		p->post_kind = strs[6];
		p->days_worked = sqlite3_column_int(s, 7);
		p->required_days = sqlite3_column_int(s, 8);
		p->grade = report_str(r, (const char *)sqlite3_column_text(s, 9));
		p->standard_fen = sqlite3_column_int64(s, 10);
		p->due_fen = sqlite3_column_int64(s, 11);
		p->paid_fen = sqlite3_column_int64(s, 12);
		p->reason = report_str(r, (const char *)sqlite3_column_text(s, 13));
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_ledger_append(struct store *st, struct ledger_entry *e, char *why, size_t whylen)
{
	static const char sql_last[] = "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1";
	static const char sql_add[] =
	    "INSERT INTO ledger (seq, time_unix, kind, village, station, person, month, "
	    "amount_fen, memo, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11)";
	char prev[LEDGER_HASH_HEX_LEN + 1] = LEDGER_GENESIS_HASH;
	sqlite3_stmt *s = store_stmt(st, sql_last);
	if (!s)
		goto dberr;
	e->seq = 1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		e->seq = sqlite3_column_int64(s, 0) + 1;
		col_copy(s, 1, prev, sizeof prev);
	} else if (rc != SQLITE_DONE) {
		goto dberr;
	}
	if (ledger_entry_seal(e, prev) != 0) {
		if (ledger_entry_check(e, why, whylen) == 0)
			snprintf(why, whylen, "cannot seal ledger entry %" PRId64, e->seq);
		return -1;
	}
	s = store_stmt(st, sql_add);
	if (!s)
		goto dberr;
	sqlite3_bind_int64(s, 1, e->seq);
	sqlite3_bind_int64(s, 2, e->time_unix);
	sqlite3_bind_text(s, 3, e->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, e->village_id ? e->village_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, e->station_id ? e->station_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, e->person_id ? e->person_id : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, e->month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 8, e->amount_fen);
	sqlite3_bind_text(s, 9, e->memo ? e->memo : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 10, e->prev_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 11, e->hash, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	return 0;
dberr:
	snprintf(why, whylen, "cannot append to the ledger: %s", sqlite3_errmsg(st->db));
	return -1;
}

int store_ledger_load(struct store *st, struct store_ledger *out)
{
	static const char sql[] = "SELECT seq, time_unix, kind, village, station, person, month, "
				  "amount_fen, memo, prev_hash, hash FROM ledger ORDER BY rowid";
	sqlite3_stmt *s = store_stmt(st, sql);
	size_t cap = 0;
	int rc;
	memset(out, 0, sizeof *out);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 256;
			out->entries = xrealloc(out->entries, cap * sizeof *out->entries);
			out->strs = xrealloc(out->strs, cap * 6 * sizeof *out->strs);
		}
		struct ledger_entry *e = &out->entries[out->n++];
		memset(e, 0, sizeof *e);
		e->seq = sqlite3_column_int64(s, 0);
		e->time_unix = sqlite3_column_int64(s, 1);
		char **str = &out->strs[out->nstrs];
		for (int i = 0; i < 6; i++)
			str[i] = col_dup(s, i == 5 ? 8 : 2 + i);
		out->nstrs += 6;
		e->kind = str[0];
		e->village_id = str[1];
		e->station_id = str[2];
		e->person_id = str[3];
		e->month = str[4];
		e->memo = str[5];
		e->amount_fen = sqlite3_column_int64(s, 7);
		col_copy(s, 9, e->prev_hash, sizeof e->prev_hash);
		col_copy(s, 10, e->hash, sizeof e->hash);
	}
	if (rc != SQLITE_DONE) {
		store_ledger_free(out);
		return -1;
	}
	return 0;
}

void store_ledger_free(struct store_ledger *l)
{
	for (size_t i = 0; i < l->nstrs; i++)
		free(l->strs[i]);
	free(l->strs);
	free(l->entries);
	memset(l, 0, sizeof *l);
}

int store_rev_maintenance(struct store *st, const char *station, struct store_rev_maint **out,
			  size_t *n)
{
	static const char sql[] = "SELECT kind, COALESCE(by, ''), COALESCE(note, ''), at "
				  "FROM maintenance_log WHERE station = ?1 ORDER BY at, id";
	sqlite3_stmt *s = store_stmt(st, sql);
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_rev_maint *m = &(*out)[(*n)++];
		m->kind = col_dup(s, 0);
		m->by = col_dup(s, 1);
		m->note = col_dup(s, 2);
		m->at_unix = sqlite3_column_double(s, 3);
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

void store_rev_maint_free(struct store_rev_maint *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].kind);
		free(m[i].by);
		free(m[i].note);
	}
	free(m);
}
