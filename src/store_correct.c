/* Reversal of imported money rows: new ledger entries, never edits. */
#include "pvrelief/store_correct.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/ledger.h"
#include "pvrelief/report.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/strbuf.h"
#include "pvrelief/xalloc.h"
#include "store_internal.h"

/* An entry that a correction already reversed is not reversed again: the seq it reverses is
 * the number after "reverses seq " in its memo. */
#define NOT_REVERSED                                                                               \
	" AND NOT EXISTS (SELECT 1 FROM ledger c WHERE c.kind = 'correction'"                      \
	" AND substr(c.memo, 1, 13) = 'reverses seq '"                                             \
	" AND CAST(substr(c.memo, 14, instr(c.memo, ' (') - 14) AS INTEGER) = ledger.seq)"

static const struct {
	struct store_correct_table t;
	const char *aliases[3];
	const char *sql_row;	 /* the row's columns, by key */
	const char *sql_entries; /* its ledger entries not yet reversed, by key */
	const char *sql_delete;
} tables[] = {
    {{"settlement", {"station", "period", NULL}},
     {"settlements", "结算", NULL},
     "SELECT station, period, metered_kwh, coal_fen, subsidy_fen, received_day FROM settlement"
     " WHERE station = ?1 AND period = ?2",
     "SELECT seq, kind, village, station, person, month, amount_fen, memo FROM ledger"
     " WHERE station = ?1 AND ((kind = 'settlement' AND substr(memo, 1, 17 + length(?2))"
     " = 'grid settlement ' || ?2 || ',') OR (kind = 'receivable' AND month = ?2))" NOT_REVERSED
     " ORDER BY seq",
     "DELETE FROM settlement WHERE station = ?1 AND period = ?2"},
    {{"subsidy_receipt", {"station", "period", "received_day", NULL}},
     {"subsidies", "subsidy", "补贴到账"},
     "SELECT station, period, amount_fen, received_day FROM subsidy_receipt"
     " WHERE station = ?1 AND period = ?2 AND received_day = ?3",
     "SELECT seq, kind, village, station, person, month, amount_fen, memo FROM ledger"
     " WHERE station = ?1 AND kind = 'settlement'"
     " AND memo = 'subsidy for period ' || ?2 || ' received ' || ?3" NOT_REVERSED " ORDER BY seq",
     "DELETE FROM subsidy_receipt WHERE station = ?1 AND period = ?2 AND received_day = ?3"},
    {{"cost", {"village", "month", "kind", "receipt", NULL}},
     {"costs", "费用", NULL},
     "SELECT village, month, kind, amount_fen, receipt, note FROM cost"
     " WHERE village = ?1 AND month = ?2 AND kind = ?3 AND receipt = ?4",
     "SELECT seq, kind, village, station, person, month, amount_fen, memo FROM ledger"
     " WHERE village = ?1 AND month = ?2 AND kind = 'cost' AND station = ''"
     " AND (memo = ?3 || ' cost, receipt ' || ?4"
     " OR substr(memo, 1, length(?3 || ' cost, receipt ' || ?4) + 2)"
     " = ?3 || ' cost, receipt ' || ?4 || ': ')" NOT_REVERSED " ORDER BY seq",
     "DELETE FROM cost WHERE village = ?1 AND month = ?2 AND kind = ?3 AND receipt = ?4"},
    {{"spending", {"village", "month", "bucket", "receipt", NULL}},
     {"spendings", "支出", NULL},
     "SELECT village, month, bucket, amount_fen, receipt, note FROM spending"
     " WHERE village = ?1 AND month = ?2 AND bucket = ?3 AND receipt = ?4",
     /* Spending reaches the ledger only when its month's plan is paid. */
     "SELECT seq, kind, village, station, person, month, amount_fen, memo FROM ledger"
     " WHERE 0 AND ?1 AND ?2 AND ?3 AND ?4",
     "DELETE FROM spending WHERE village = ?1 AND month = ?2 AND bucket = ?3 AND receipt = ?4"},
};

const struct store_correct_table *store_correct_find(const char *name)
{
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (strcmp(tables[i].t.table, name) == 0)
			return &tables[i].t;
		for (size_t k = 0; k < 3 && tables[i].aliases[k]; k++)
			if (strcmp(tables[i].aliases[k], name) == 0)
				return &tables[i].t;
	}
	return NULL;
}

static void bind_key(sqlite3_stmt *s, const char *const *key, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_text(s, (int)i + 1, key[i], -1, SQLITE_TRANSIENT);
}

/* One ledger entry to reverse; its strings are owned here. */
struct tied {
	int64_t seq, amount_fen;
	char *kind, *village, *station, *person, *month, *memo;
};

static void tied_free(struct tied *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].kind);
		free(t[i].village);
		free(t[i].station);
		free(t[i].person);
		free(t[i].month);
		free(t[i].memo);
	}
	free(t);
}

/* Checks that into_month, where a row of village's decided month is reversed, is later
 * and not decided itself. Returns 0, 1 with a sentence in why, or -1 on a database error. */
static int later_month_open(struct store *st, const char *village, const char *month,
			    const char *into_month, const char *table, const char *keytext,
			    char *why, size_t whylen)
{
	char state[16];
	if (strcmp(into_month, month) < 0) {
		snprintf(why, whylen, "%s %s: the correction goes in a month after %s, not in %s",
			 table, keytext, month, into_month);
		return 1;
	}
	int lk = store_rev_month_locked(st, village, into_month, state);
	if (lk < 0) {
		snprintf(why, whylen, "database error: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	if (lk > 0) {
		snprintf(why, whylen,
			 "village %s %s is decided too (%s); record the correction in a month "
			 "that is not",
			 village, into_month, state);
		return 1;
	}
	return 0;
}

/* A spending row of a decided month: its plan spent the money from the row's bucket, and
 * that stays as decided and posted (the row stays too, as the plan's record). The bucket is
 * given back what the plan spent on the row, in into_month: a ledger entry of kind
 * correction whose memo starts "refunds the BUCKET bucket for spending KEY of ", which
 * store_correct_refunds adds to the month's balance brought in. Spending the plan left
 * unmet (the bucket could not pay it) is not given back. Returns 1 (the entry written), or
 * -1 with a sentence in why. */
static int refund_spending(struct store *st, const char *const *key, const char *keytext,
			   const char *into_month, const char *reason, const char *by,
			   int64_t at_unix, const char *old, char *why, size_t whylen)
{
	static const char sql_row[] =
	    "SELECT s.amount_fen, b.spent_fen FROM spending s JOIN plan_bucket b"
	    " ON b.village = s.village AND b.month = s.month AND b.bucket = s.bucket"
	    " WHERE s.village = ?1 AND s.month = ?2 AND s.bucket = ?3 AND s.receipt = ?4";
	static const char sql_refunded[] =
	    "SELECT COALESCE(SUM(amount_fen), 0), COALESCE(SUM(substr(memo, 1, length(?2))"
	    " = ?2), 0) FROM ledger WHERE kind = 'correction' AND substr(memo, 1, length(?1)) = ?1";
	char *bucket_prefix = xasprintf("refunds the %s bucket for spending %s/%s/%s/", key[2],
					key[0], key[1], key[2]);
	char *row_prefix = xasprintf("refunds the %s bucket for spending %s of ", key[2], keytext);
	char *memo = NULL;
	int rc = -1;
	int64_t amount = 0, spent = 0, refunded = 0, dup = 0;
	sqlite3_stmt *s = store_stmt(st, sql_row);
	if (!s)
		goto dberr;
	for (int i = 0; i < 4; i++)
		sqlite3_bind_text(s, i + 1, key[i], -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto dberr;
	amount = sqlite3_column_int64(s, 0);
	spent = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	s = store_stmt(st, sql_refunded);
	if (!s)
		goto dberr;
	sqlite3_bind_text(s, 1, bucket_prefix, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, row_prefix, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto dberr;
	refunded = sqlite3_column_int64(s, 0);
	dup = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	if (dup) {
		snprintf(why, whylen, "spending %s was already reversed", keytext);
		goto out;
	}
	int64_t give = amount < spent - refunded ? amount : spent - refunded;
	if (give <= 0) {
		snprintf(why, whylen,
			 "spending %s: the decided plan spent nothing on it (the %s bucket could "
			 "not pay it), so there is nothing to give back",
			 keytext, key[2]);
		goto out;
	}
	memo = xasprintf("%s%" PRId64 " fen: %s; by %s", row_prefix, give, reason, by);
	struct ledger_entry e = {.time_unix = at_unix,
				 .kind = "correction",
				 .village_id = key[0],
				 .station_id = "",
				 .person_id = "",
				 .month = into_month,
				 .amount_fen = give,
				 .memo = memo};
	if (store_ledger_append(st, &e, why, whylen) != 0)
		goto out;
	s = store_stmt(st, "INSERT INTO history (at, by, tbl, key, action, old, new)"
			   " VALUES (?1, ?2, 'spending', ?3, 'reverse', ?4, ?5)");
	if (!s)
		goto dberr;
	sqlite3_bind_int64(s, 1, at_unix);
	sqlite3_bind_text(s, 2, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, keytext, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, old, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, reason, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	rc = 1;
	goto out;
dberr:
	snprintf(why, whylen, "database error: %s", sqlite3_errmsg(st->db));
out:
	free(bucket_prefix);
	free(row_prefix);
	free(memo);
	return rc;
}

int store_correct_reverse(struct store *st, const struct store_correct_table *t,
			  const char *const *key, const char *into_month, const char *reason,
			  const char *by, int64_t at_unix, char *why, size_t whylen)
{
	size_t ti = 0, nkeys = 0, ntied = 0, cap = 0;
	struct tied *tied = NULL;
	struct strbuf kb = {0}, ob = {0};
	char *keytext = NULL, *old = NULL;
	int rc = -1, step;
	while (ti < sizeof tables / sizeof tables[0] && &tables[ti].t != t)
		ti++;
	assert(ti < sizeof tables / sizeof tables[0]);
	while (t->keys[nkeys])
		nkeys++;
	for (size_t i = 0; i < nkeys; i++)
		strbuf_printf(&kb, "%s%s", i ? "/" : "", key[i]);
	keytext = strbuf_take(&kb);
	if (!reason || !reason[0]) {
		snprintf(why, whylen, "a correction needs a reason (--reason)");
		goto out;
	}
	sqlite3_stmt *s = store_stmt(st, tables[ti].sql_row);
	if (!s)
		goto dberr;
	bind_key(s, key, nkeys);
	step = store_row(st, s);
	if (step == 0) {
		snprintf(why, whylen, "no %s %s is recorded", t->table, keytext);
		goto out;
	}
	if (step < 0)
		goto dberr;
	for (int c = 0; c < sqlite3_column_count(s); c++) {
		const unsigned char *v = sqlite3_column_text(s, c);
		strbuf_printf(&ob, "%s%s=%s", c ? "  " : "", sqlite3_column_name(s, c),
			      v ? (const char *)v : "");
	}
	store_rows_stop(s);
	old = strbuf_take(&ob);
	if (strcmp(t->table, "settlement") == 0 &&
	    store_exists2(st, "SELECT 1 FROM subsidy_receipt WHERE station = ?1 AND period = ?2",
			  key[0], key[1]) == 1) {
		snprintf(why, whylen,
			 "settlement %s has subsidy receipts; reverse them first (correct "
			 "subsidies)",
			 keytext);
		goto out;
	}
	if (strcmp(t->table, "spending") == 0 || strcmp(t->table, "cost") == 0) {
		char state[16];
		int lk = store_rev_month_locked(st, key[0], key[1], state);
		if (lk < 0)
			goto dberr;
		if (lk > 0 && (!into_month || strcmp(into_month, key[1]) == 0)) {
			snprintf(why, whylen,
				 "%s %s belongs to village %s %s, whose plan is already decided "
				 "(%s); record the correction in a later month (--month YYYY-MM)",
				 t->table, keytext, key[0], key[1], state);
			goto out;
		}
		if (lk > 0 && later_month_open(st, key[0], key[1], into_month, t->table, keytext,
					       why, whylen) != 0)
			goto out;
		if (lk > 0 && strcmp(t->table, "spending") == 0) {
			rc = refund_spending(st, key, keytext, into_month, reason, by, at_unix, old,
					     why, whylen);
			goto out;
		}
		if (lk == 0 && into_month && strcmp(into_month, key[1]) != 0) {
			snprintf(why, whylen,
				 "%s %s: village %s %s is not decided; the row is reversed in its "
				 "own month, without --month",
				 t->table, keytext, key[0], key[1]);
			goto out;
		}
	}
	s = store_stmt(st, tables[ti].sql_entries);
	if (!s)
		goto dberr;
	bind_key(s, key, nkeys);
	while ((step = store_row(st, s)) > 0) {
		if (ntied == cap) {
			cap = cap ? cap * 2 : 8;
			tied = xrealloc(tied, cap * sizeof *tied);
		}
		struct tied *e = &tied[ntied++];
		e->seq = sqlite3_column_int64(s, 0);
		e->kind = store_col_dup(s, 1);
		e->village = store_col_dup(s, 2);
		e->station = store_col_dup(s, 3);
		e->person = store_col_dup(s, 4);
		e->month = store_col_dup(s, 5);
		e->amount_fen = sqlite3_column_int64(s, 6);
		e->memo = store_col_dup(s, 7);
	}
	if (step < 0)
		goto dberr;
	/* Cash of a decided month was distributed by its plan: reversing it there would
	 * change what was decided and posted, so it is taken back from a later month that
	 * is still open. */
	for (size_t i = 0; i < ntied; i++) {
		char state[16];
		if (strcmp(tied[i].kind, "receivable") == 0)
			continue;
		int lk = store_rev_month_locked(st, tied[i].village, tied[i].month, state);
		if (lk < 0)
			goto dberr;
		if (lk > 0 && (!into_month || strcmp(into_month, tied[i].month) == 0)) {
			snprintf(why, whylen,
				 "%s %s is money of village %s %s, whose plan is already decided "
				 "(%s); record the correction in a later month (--month YYYY-MM)",
				 t->table, keytext, tied[i].village, tied[i].month, state);
			goto out;
		}
		if (!into_month || strcmp(into_month, tied[i].month) == 0)
			continue;
		if (strcmp(into_month, tied[i].month) < 0) {
			snprintf(why, whylen,
				 "%s %s: the correction goes in a month after %s, not in %s",
				 t->table, keytext, tied[i].month, into_month);
			goto out;
		}
		lk = store_rev_month_locked(st, tied[i].village, into_month, state);
		if (lk < 0)
			goto dberr;
		if (lk > 0) {
			snprintf(why, whylen,
				 "village %s %s is decided too (%s); record the correction in a "
				 "month that is not",
				 tied[i].village, into_month, state);
			goto out;
		}
	}
	for (size_t i = 0; i < ntied; i++) {
		char *memo = xasprintf("reverses seq %" PRId64 " (%s): %s; by %s", tied[i].seq,
				       tied[i].memo, reason, by);
		struct ledger_entry e = {
		    .time_unix = at_unix,
		    .kind = "correction",
		    .village_id = tied[i].village,
		    .station_id = tied[i].station,
		    .person_id = tied[i].person,
		    .month = into_month && (strcmp(tied[i].kind, "settlement") == 0 ||
					    strcmp(tied[i].kind, "cost") == 0)
				 ? into_month
				 : tied[i].month,
		    .amount_fen = -tied[i].amount_fen,
		    .memo = memo};
		int a = store_ledger_append(st, &e, why, whylen);
		free(memo);
		if (a != 0)
			goto out;
	}
	s = store_stmt(st, "INSERT INTO history (at, by, tbl, key, action, old, new)"
			   " VALUES (?1, ?2, ?3, ?4, 'reverse', ?5, ?6)");
	if (!s)
		goto dberr;
	sqlite3_bind_int64(s, 1, at_unix);
	sqlite3_bind_text(s, 2, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, t->table, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, keytext, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, old, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, reason, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	s = store_stmt(st, tables[ti].sql_delete);
	if (!s)
		goto dberr;
	bind_key(s, key, nkeys);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto dberr;
	rc = (int)ntied;
	goto out;
dberr:
	snprintf(why, whylen, "database error: %s", sqlite3_errmsg(st->db));
	rc = -1;
out:
	tied_free(tied, ntied);
	free(keytext);
	free(old);
	free(strbuf_take(&ob));
	return rc;
}

/* The seq a correction memo "reverses seq N (...)" names. */
#define REVERSED_SEQ "CAST(substr(c.memo, 14, instr(c.memo, ' (') - 14) AS INTEGER)"

int store_correct_cost_adjust(struct store *st, const char *village, const char *month,
			      int64_t adjust_fen[4])
{
	static const char sql[] =
	    "SELECT substr(o.memo, 1, instr(o.memo, ' cost, receipt ') - 1),"
	    " SUM(CASE WHEN o.month = ?2 THEN c.amount_fen ELSE -c.amount_fen END)"
	    " FROM ledger c JOIN ledger o ON o.seq = " REVERSED_SEQ
	    " WHERE c.kind = 'correction' AND substr(c.memo, 1, 13) = 'reverses seq '"
	    " AND c.village = ?1 AND o.kind = 'cost' AND o.station = ''"
	    " AND substr(o.memo, 1, 15) != 'spent from the ' AND (o.month = ?2) != (c.month = ?2)"
	    " GROUP BY 1";
	static const char *const names[4] = {"om", "insurance", "land_rent", "other"};
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;
	memset(adjust_fen, 0, 4 * sizeof *adjust_fen);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(st, s)) == 1) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		for (int i = 0; i < 4; i++)
			if (k && strcmp(k, names[i]) == 0)
				adjust_fen[i] += sqlite3_column_int64(s, 1);
	}
	return rc;
}

int store_correct_refunds(struct store *st, const char *village, const char *month,
			  int64_t refund_fen[REVENUE_NBUCKETS])
{
	static const char sql[] =
	    "SELECT substr(memo, 13, instr(memo, ' bucket for spending ') - 13), SUM(amount_fen)"
	    " FROM ledger WHERE kind = 'correction' AND village = ?1 AND month = ?2"
	    " AND substr(memo, 1, 12) = 'refunds the ' GROUP BY 1";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;
	memset(refund_fen, 0, REVENUE_NBUCKETS * sizeof *refund_fen);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(st, s)) == 1) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		for (int b = 0; b < REVENUE_NBUCKETS; b++)
			if (k && strcmp(k, revenue_bucket_name((enum revenue_bucket)b)) == 0)
				refund_fen[b] += sqlite3_column_int64(s, 1);
	}
	return rc;
}

/* Copies text from after the first occurrence of from (or its start when from is NULL) up
 * to the first occurrence of to after it (or its end) into out. */
static void copy_between(const char *text, const char *from, const char *to, char *out, size_t len)
{
	const char *a = from ? strstr(text, from) : text;
	a = a ? a + (from ? strlen(from) : 0) : text + strlen(text);
	const char *b = to ? strstr(a, to) : NULL;
	size_t n = b ? (size_t)(b - a) : strlen(a);
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), a);
}

/* Fills the reason and the name from a correction's memo: the reason starts at start and
 * runs to the last "; by ", after which comes the name. */
static void reason_and_by(const char *start, struct store_correction *c)
{
	const char *by = NULL;
	for (const char *p = strstr(start, "; by "); p; p = strstr(p + 1, "; by "))
		by = p;
	size_t n = by ? (size_t)(by - start) : strlen(start);
	snprintf(c->reason, sizeof c->reason, "%.*s",
		 (int)(n < sizeof c->reason ? n : sizeof c->reason - 1), start);
	snprintf(c->by, sizeof c->by, "%s", by ? by + 5 : "");
}

int store_correct_into(struct store *st, const char *village, const char *month,
		       struct store_correction **out, size_t *n)
{
	static const char sql[] =
	    "SELECT c.time_unix, c.station, c.amount_fen, c.memo, COALESCE(o.kind, ''),"
	    " COALESCE(o.month, ''), COALESCE(o.memo, ''), COALESCE(o.amount_fen, 0), o.seq"
	    " FROM ledger c LEFT JOIN ledger o ON substr(c.memo, 1, 13) = 'reverses seq '"
	    " AND o.seq = " REVERSED_SEQ " WHERE c.kind = 'correction' AND c.village = ?1"
	    " AND c.month = ?2 AND ((o.seq IS NULL AND substr(c.memo, 1, 12) = 'refunds the ')"
	    " OR (o.month != c.month AND o.kind IN ('settlement', 'cost'))) ORDER BY c.seq";
	sqlite3_stmt *s = store_stmt(st, sql);
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(st, s)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_correction *c = &(*out)[(*n)++];
		memset(c, 0, sizeof *c);
		const char *memo = (const char *)sqlite3_column_text(s, 3);
		const char *omemo = (const char *)sqlite3_column_text(s, 6);
		char okind[16];
		memo = memo ? memo : "";
		omemo = omemo ? omemo : "";
		c->at_unix = sqlite3_column_int64(s, 0);
		store_col_copy(s, 1, c->station, sizeof c->station);
		store_col_copy(s, 4, okind, sizeof okind);
		store_col_copy(s, 5, c->month, sizeof c->month);
		if (sqlite3_column_type(s, 8) == SQLITE_NULL) {
			/* "refunds the BUCKET bucket for spending V/M/BUCKET/RECEIPT of X fen: ..."
			 */
			snprintf(c->kind, sizeof c->kind, "spending");
			copy_between(memo, "refunds the ", " bucket for spending ", c->what,
				     sizeof c->what);
			char key[256], *p;
			copy_between(memo, " bucket for spending ", " of ", key, sizeof key);
			/* The key is village/month/bucket/receipt; the receipt is the rest. */
			p = strchr(key, '/');
			if (p)
				snprintf(c->month, sizeof c->month, "%.7s", p + 1);
			for (int k = 0; k < 3 && p; k++)
				p = strchr(p + 1, '/');
			snprintf(c->receipt, sizeof c->receipt, "%s", p ? p + 1 : "");
			c->amount_fen = sqlite3_column_int64(s, 2);
			const char *r = strstr(memo, " fen: ");
			reason_and_by(r ? r + 6 : "", c);
			continue;
		}
		/* "reverses seq N (ORIGINAL MEMO): REASON; by NAME" */
		const char *r = strstr(memo, " (");
		size_t skip = r ? (size_t)(r - memo) + 2 + strlen(omemo) + 3 : strlen(memo);
		reason_and_by(skip <= strlen(memo) ? memo + skip : "", c);
		c->amount_fen = sqlite3_column_int64(s, 7);
		if (strcmp(okind, "cost") == 0) {
			snprintf(c->kind, sizeof c->kind, "cost");
			c->amount_fen = -c->amount_fen;
			copy_between(omemo, NULL, " cost, receipt ", c->what, sizeof c->what);
			copy_between(omemo, " cost, receipt ", ": ", c->receipt, sizeof c->receipt);
		} else if (strncmp(omemo, "subsidy for period ", 19) == 0) {
			snprintf(c->kind, sizeof c->kind, "subsidy");
			copy_between(omemo, "subsidy for period ", " received", c->what,
				     sizeof c->what);
		} else {
			snprintf(c->kind, sizeof c->kind, "settlement");
			copy_between(omemo, "grid settlement ", ",", c->what, sizeof c->what);
		}
	}
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_correct_owe(struct store *st, const char *village, const char *kind, const char *person,
		      const char *post, const char *month, const char *into_month, int64_t due_fen,
		      const char *what, const char *reason, const char *by, int64_t at_unix,
		      char *why, size_t whylen)
{
	static const char sql_pay[] =
	    "SELECT p.due_fen FROM plan_payment p JOIN plan l ON l.village = p.village"
	    " AND l.month = p.month AND l.state != 'draft' WHERE p.village = ?1 AND p.month = ?2"
	    " AND p.kind = ?5 AND p.person = ?3 AND p.post = ?4";
	static const char sql_owed[] =
	    "SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE kind = 'correction'"
	    " AND village = ?1 AND person = ?2 AND substr(memo, 1, length(?3)) = ?3";
	char *prefix = xasprintf("owes %s %s/%s/%s: ", kind, person, post, month), *memo = NULL;
	char y1[32], y2[32];
	int rc = -1;
	int64_t posted_due, owed;
	sqlite3_stmt *s = store_stmt(st, sql_pay);
	if (!s)
		goto dberr;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, person, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, post, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, kind, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		snprintf(why, whylen,
			 "no decided plan of village %s %s pays %s %s for %s; an open month's "
			 "record is changed with pvrelief set",
			 village, month, person, strcmp(kind, "wage") == 0 ? "a wage" : "labour",
			 post);
		goto out;
	}
	if (step != SQLITE_ROW)
		goto dberr;
	posted_due = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (later_month_open(st, village, month, into_month, "attendance", person, why, whylen) !=
	    0)
		goto out;
	s = store_stmt(st, sql_owed);
	if (!s)
		goto dberr;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, person, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, prefix, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW)
		goto dberr;
	owed = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (due_fen <= posted_due + owed) {
		snprintf(why, whylen,
			 "%s's pay for %s in %s: the corrected record makes %s yuan due, and "
			 "%s yuan is already due; nothing more is owed (an overpayment is not "
			 "taken back from later wages)",
			 person, post, month, report_yuan(due_fen, y1),
			 report_yuan(posted_due + owed, y2));
		goto out;
	}
	memo = xasprintf("%s%" PRId64 " fen more (%s): %s; by %s", prefix,
			 due_fen - posted_due - owed, what, reason, by);
	struct ledger_entry e = {.time_unix = at_unix,
				 .kind = "correction",
				 .village_id = village,
				 .station_id = "",
				 .person_id = person,
				 .month = into_month,
				 .amount_fen = due_fen - posted_due - owed,
				 .memo = memo};
	if (store_ledger_append(st, &e, why, whylen) != 0)
		goto out;
	s = store_stmt(st, "INSERT INTO history (at, by, tbl, key, action, old, new)"
			   " VALUES (?1, ?2, ?6, ?3, 'correct', ?4, ?5)");
	if (!s)
		goto dberr;
	char *key = xasprintf("%s/%s/%s", person, post, month), *old = NULL;
	old = xasprintf("due_fen=%" PRId64, posted_due + owed);
	char *now = xasprintf("due_fen=%" PRId64 " (%s): %s", due_fen, what, reason);
	sqlite3_bind_int64(s, 1, at_unix);
	sqlite3_bind_text(s, 2, by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, old, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, strcmp(kind, "wage") == 0 ? "attendance" : "work_record", -1,
			  SQLITE_TRANSIENT);
	step = sqlite3_step(s);
	free(key);
	free(old);
	free(now);
	if (step != SQLITE_DONE)
		goto dberr;
	rc = 0;
	goto out;
dberr:
	snprintf(why, whylen, "database error: %s", sqlite3_errmsg(st->db));
out:
	free(prefix);
	free(memo);
	return rc;
}

int store_correct_owed(struct store *st, const char *village, const char *month,
		       struct store_rev_arrears *a)
{
	static const char sql[] =
	    "SELECT person, memo, amount_fen FROM ledger WHERE kind = 'correction'"
	    " AND village = ?1 AND month = ?2 AND (substr(memo, 1, 10) = 'owes wage '"
	    " OR substr(memo, 1, 12) = 'owes labour ') ORDER BY seq";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(st, s)) == 1) {
		char key[512], *m, *post;
		const char *memo = (const char *)sqlite3_column_text(s, 1);
		bool labour = memo && strncmp(memo, "owes labour ", 12) == 0;
		copy_between(memo ? memo + (labour ? 12 : 10) : "", NULL, ": ", key, sizeof key);
		m = strrchr(key, '/');
		if (!m)
			continue;
		*m++ = '\0';
		post = strrchr(key, '/');
		if (!post)
			continue;
		*post++ = '\0';
		int64_t fen = sqlite3_column_int64(s, 2);
		size_t i = 0;
		/* Owed already for the same wage and month (a short month's rest): one arrear. */
		while (i < a->n &&
		       (a->a[i].labour != labour || strcmp(a->a[i].person_id, key) != 0 ||
			strcmp(a->a[i].post_id, post) != 0 || strcmp(a->a[i].owed_month, m) != 0))
			i++;
		if (i < a->n) {
			a->a[i].owed_fen += fen;
			continue;
		}
		a->a = xrealloc(a->a, (a->n + 1) * sizeof *a->a);
		a->strs = xrealloc(a->strs, (a->nstrs + 3) * sizeof *a->strs);
		char **str = &a->strs[a->nstrs];
		str[0] = xstrdup(key);
		str[1] = xstrdup(post);
		str[2] = xstrdup(m);
		a->nstrs += 3;
		a->a[a->n++] = (struct revenue_arrear){.person_id = str[0],
						       .post_id = str[1],
						       .labour = labour,
						       .owed_month = str[2],
						       .owed_fen = fen};
	}
	return rc;
}

int store_correct_owed_for(struct store *st, const char *village, const char *month,
			   const char *upto, const char *person, const char *post,
			   int64_t *more_due_fen, char *note, size_t notelen)
{
	static const char sql[] =
	    "SELECT amount_fen, memo, time_unix FROM ledger WHERE kind = 'correction'"
	    " AND village = ?1 AND person = ?2 AND month > ?4 AND month <= ?5"
	    " AND (substr(memo, 1, length(?3)) = ?3 OR substr(memo, 1, length(?6)) = ?6)"
	    " ORDER BY seq";
	char *prefix = xasprintf("owes wage %s/%s/%s: ", person, post, month);
	char *lprefix = xasprintf("owes labour %s/%s/%s: ", person, post, month);
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc = -1;
	*more_due_fen = 0;
	if (notelen)
		note[0] = '\0';
	if (s) {
		sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, prefix, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, month, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, upto, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 6, lprefix, -1, SQLITE_TRANSIENT);
		while ((rc = store_row(st, s)) == 1) {
			const char *memo = (const char *)sqlite3_column_text(s, 1);
			struct store_correction c;
			const char *r = memo ? strstr(memo, "): ") : NULL;
			*more_due_fen += sqlite3_column_int64(s, 0);
			reason_and_by(r ? r + 3 : "", &c);
			char what[128];
			copy_between(memo ? memo : "", " more (", "): ", what, sizeof what);
			size_t used = strlen(note);
			snprintf(note + used, notelen - used, "%s%s；原因：%s；经办：%s",
				 used ? "；" : "", what, c.reason, c.by);
		}
		/* rc is 0 at the end of the rows or -1 */
	}
	free(prefix);
	free(lprefix);
	return rc;
}
