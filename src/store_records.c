/* The revenue records of the store: the rows of every import kind, checked against what they
 * refer to, and the history of their changes. */
#include "pvrelief/store_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (person && store_exists2(st, sql_person_exists, person, NULL) != 1) {
		snprintf(why, whylen, "unknown person \"%s\" (import people first)", person);
		return -1;
	}
	if (post && store_exists2(st, sql_post_exists, post, NULL) != 1) {
		snprintf(why, whylen, "unknown post \"%s\" (import posts first)", post);
		return -1;
	}
	if (kind == STORE_REV_SUBSIDY &&
	    store_exists2(st, sql_settlement_exists, v[0], v[1]) != 1) {
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
	store_bind_text_or_null(s, 6, old);
	store_bind_text_or_null(s, 7, new_);
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
	int step = store_row(st, s);
	if (step > 0) {
		found = 1;
		for (size_t i = 0; i < d->ncols; i++) {
			const unsigned char *t = sqlite3_column_text(s, (int)i);
			old[i] = xstrdup(t ? (const char *)t : "");
		}
		store_rows_stop(s);
	} else if (step < 0) {
		goto dberr;
	}
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
	store_bind_text_or_null(s, 1, table);
	store_bind_text_or_null(s, 2, key);
	int rc;
	while ((rc = store_row(st, s)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_rev_change *c = &(*out)[(*n)++];
		c->at_unix = sqlite3_column_int64(s, 0);
		c->by = store_col_dup(s, 1);
		c->table = store_col_dup(s, 2);
		c->key = store_col_dup(s, 3);
		c->action = store_col_dup(s, 4);
		c->old_values = store_col_dup(s, 5);
		c->new_values = store_col_dup(s, 6);
	}
	return rc < 0 ? -1 : 0;
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
	int rc = store_row(st, s);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	store_col_copy(s, 0, buf, len);
	store_rows_stop(s);
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
	int rc = store_row(st, s);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	*out_fen = sqlite3_column_int64(s, 0);
	store_rows_stop(s);
	return 0;
}

int store_rev_post_count(struct store *st, const char *village, size_t *n)
{
	static const char sql[] = "SELECT count(*) FROM post WHERE village = ?1";
	sqlite3_stmt *s = store_stmt(st, sql);
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	if (store_row(st, s) <= 0)
		return -1;
	*n = (size_t)sqlite3_column_int64(s, 0);
	store_rows_stop(s);
	return 0;
}
