/* Reversal of imported money rows: new ledger entries, never edits. */
#include "pvrelief/store_correct.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/ledger.h"
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
		if (lk > 0) {
			snprintf(why, whylen,
				 "%s %s belongs to village %s %s, whose plan is already decided "
				 "(%s); record the correction in a later month",
				 t->table, keytext, key[0], key[1], state);
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
		if (strcmp(tied[i].kind, "settlement") != 0) {
			snprintf(
			    why, whylen,
			    "%s %s: only cash (settlements, subsidy receipts) is reversed in a "
			    "later month; a cost or spending row of a decided month stays as "
			    "decided",
			    t->table, keytext);
			goto out;
		}
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
		    .month = into_month && strcmp(tied[i].kind, "settlement") == 0 ? into_month
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
