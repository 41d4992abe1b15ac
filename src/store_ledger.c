/* The money ledger: SHA-256 chained entries, appended and loaded. */
#include "pvrelief/store_ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/store_notice.h"
#include "pvrelief/xalloc.h"
#include "store_internal.h"

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
	int rc = store_row(st, s);
	if (rc > 0) {
		e->seq = sqlite3_column_int64(s, 0) + 1;
		store_col_copy(s, 1, prev, sizeof prev);
		store_rows_stop(s);
	} else if (rc < 0) {
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
	while ((rc = store_row(st, s)) > 0) {
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
			str[i] = store_col_dup(s, i == 5 ? 8 : 2 + i);
		out->nstrs += 6;
		e->kind = str[0];
		e->village_id = str[1];
		e->station_id = str[2];
		e->person_id = str[3];
		e->month = str[4];
		e->memo = str[5];
		e->amount_fen = sqlite3_column_int64(s, 7);
		store_col_copy(s, 9, e->prev_hash, sizeof e->prev_hash);
		store_col_copy(s, 10, e->hash, sizeof e->hash);
	}
	if (rc < 0) {
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

int store_ledger_head(struct store *st, int64_t *seq, char hash[LEDGER_HASH_HEX_LEN + 1])
{
	static const char sql[] = "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *s = store_stmt(st, sql);
	*seq = 0;
	memcpy(hash, LEDGER_GENESIS_HASH, LEDGER_HASH_HEX_LEN + 1);
	if (!s)
		return -1;
	int rc = store_row(st, s);
	if (rc > 0) {
		*seq = sqlite3_column_int64(s, 0);
		store_col_copy(s, 1, hash, LEDGER_HASH_HEX_LEN + 1);
		store_rows_stop(s);
	}
	return rc < 0 ? -1 : 0;
}

/* Each query lists, as sentences, the rows of one money table that disagree with the ledger,
 * both ways: a row whose amount differs from the entries recorded for it, and entries with
 * no row. The ledger's memos are written by the import and the plan steps in fixed forms
 * ("grid settlement PERIOD, ...", "BUCKET (...): ...", "spent from the BUCKET bucket ..."),
 * which is how an entry is tied to its row. */
/* The ledger's entries as they stand after corrections: a correction ("reverses seq N (...)")
 * counts as an entry of the kind, station, village, month and memo of the entry it reverses,
 * so that a reversed row and its reversal cancel out. */
#define EFFECTIVE                                                                                  \
	"WITH e AS (SELECT seq, kind, village, station, person, month, amount_fen, memo"           \
	" FROM ledger WHERE kind != 'correction' UNION ALL SELECT o.seq, o.kind, o.village,"       \
	" o.station, o.person, o.month, c.amount_fen, o.memo FROM ledger c JOIN ledger o"          \
	" ON o.seq = CAST(substr(c.memo, 14, instr(c.memo, ' (') - 14) AS INTEGER)"                \
	" WHERE c.kind = 'correction' AND substr(c.memo, 1, 13) = 'reverses seq '), "

static const char *const crosscheck_sql[] = {
    /* Grid settlements: the coal-benchmark part received. */
    EFFECTIVE
    "l AS (SELECT station, substr(memo, 17, 7) AS period, SUM(amount_fen) AS a FROM e"
    "  WHERE kind = 'settlement' AND substr(memo, 1, 16) = 'grid settlement '"
    "  GROUP BY 1, 2)"
    " SELECT printf('settlement %s %s: the coal-benchmark part is %d fen in the table and %d"
    "  fen in the ledger', t.station, t.period, t.coal_fen, COALESCE(l.a, 0)) AS s"
    " FROM settlement t LEFT JOIN l ON l.station = t.station AND l.period = t.period"
    " WHERE COALESCE(l.a, 0) != t.coal_fen"
    " UNION ALL SELECT printf('settlement %s %s: the ledger holds %d fen of a settlement the"
    "  table does not have', l.station, l.period, l.a)"
    " FROM l LEFT JOIN settlement t ON l.station = t.station AND l.period = t.period"
    " WHERE t.station IS NULL AND l.a != 0 ORDER BY 1",
    /* Grid settlements: the subsidy part, receivable. */
    EFFECTIVE
    "l AS (SELECT station, month AS period, SUM(amount_fen) AS a FROM e"
    "  WHERE kind = 'receivable' GROUP BY 1, 2)"
    " SELECT printf('settlement %s %s: the subsidy receivable is %d fen in the table and %d"
    "  fen in the ledger', t.station, t.period, t.subsidy_fen, COALESCE(l.a, 0))"
    " FROM settlement t LEFT JOIN l ON l.station = t.station AND l.period = t.period"
    " WHERE COALESCE(l.a, 0) != t.subsidy_fen"
    " UNION ALL SELECT printf('settlement %s %s: the ledger holds a receivable of %d fen for a"
    "  settlement the table does not have', l.station, l.period, l.a)"
    " FROM l LEFT JOIN settlement t ON l.station = t.station AND l.period = t.period"
    " WHERE t.station IS NULL AND l.a != 0 ORDER BY 1",
    /* Subsidy receipts. */
    EFFECTIVE
    "l AS (SELECT station, substr(memo, 20, 7) AS period, substr(memo, 37, 10) AS day,"
    "  SUM(amount_fen) AS a FROM e WHERE kind = 'settlement'"
    "  AND substr(memo, 1, 19) = 'subsidy for period ' GROUP BY 1, 2, 3)"
    " SELECT printf('subsidy_receipt %s %s %s: %d fen in the table and %d fen in the ledger',"
    "  t.station, t.period, t.received_day, t.amount_fen, COALESCE(l.a, 0))"
    " FROM subsidy_receipt t LEFT JOIN l ON l.station = t.station AND l.period = t.period"
    "  AND l.day = t.received_day WHERE COALESCE(l.a, 0) != t.amount_fen"
    " UNION ALL SELECT printf('subsidy_receipt %s %s %s: the ledger holds %d fen of a receipt"
    "  the table does not have', l.station, l.period, l.day, l.a)"
    " FROM l LEFT JOIN subsidy_receipt t ON l.station = t.station AND l.period = t.period"
    "  AND l.day = t.received_day WHERE t.station IS NULL AND l.a != 0 ORDER BY 1",
    /* Costs charged to a village's month. */
    EFFECTIVE
    "l AS (SELECT village, month, -SUM(amount_fen) AS a FROM e WHERE kind = 'cost'"
    "  AND station = '' AND substr(memo, 1, 15) != 'spent from the ' GROUP BY 1, 2),"
    " t AS (SELECT village, month, SUM(amount_fen) AS a FROM cost GROUP BY 1, 2)"
    " SELECT printf('cost %s %s: the cost rows total %d fen and the ledger %d fen', t.village,"
    "  t.month, t.a, COALESCE(l.a, 0))"
    " FROM t LEFT JOIN l ON l.village = t.village AND l.month = t.month"
    " WHERE COALESCE(l.a, 0) != t.a"
    " UNION ALL SELECT printf('cost %s %s: the ledger holds %d fen of costs the table does not"
    "  have', l.village, l.month, l.a)"
    " FROM l LEFT JOIN t ON l.village = t.village AND l.month = t.month"
    " WHERE t.village IS NULL AND l.a != 0 ORDER BY 1",
    /* Each bucket's allocation and the balance it carries, once the plan is decided. */
    EFFECTIVE
    "l AS (SELECT village, month, substr(memo, 1, instr(memo, ' (') - 1) AS bucket,"
    "  SUM(amount_fen) AS a FROM e WHERE kind = 'allocation' GROUP BY 1, 2, 3),"
    " c AS (SELECT village, month, substr(memo, 1, instr(memo, ' balance') - 1) AS bucket,"
    "  SUM(amount_fen) AS a FROM e WHERE kind = 'carry_forward' GROUP BY 1, 2, 3),"
    " b AS (SELECT b.* FROM plan_bucket b JOIN plan p ON p.village = b.village"
    "  AND p.month = b.month AND p.state != 'draft')"
    " SELECT printf('plan_bucket %s %s %s: alloc_fen is %d in the table and %d in the ledger',"
    "  b.village, b.month, b.bucket, b.alloc_fen, COALESCE(l.a, 0))"
    " FROM b LEFT JOIN l ON l.village = b.village AND l.month = b.month AND l.bucket = b.bucket"
    " WHERE COALESCE(l.a, 0) != b.alloc_fen"
    " UNION ALL SELECT printf('plan_bucket %s %s %s: carry_out_fen is %d in the table and %d in"
    "  the ledger', b.village, b.month, b.bucket, b.carry_out_fen, COALESCE(c.a, 0))"
    " FROM b LEFT JOIN c ON c.village = b.village AND c.month = b.month AND c.bucket = b.bucket"
    " WHERE COALESCE(c.a, 0) != b.carry_out_fen"
    " UNION ALL SELECT printf('plan_bucket %s %s %s: the ledger allocates %d fen to a bucket of"
    "  no decided plan', l.village, l.month, l.bucket, l.a)"
    " FROM l LEFT JOIN b ON l.village = b.village AND l.month = b.month AND l.bucket = b.bucket"
    " WHERE b.village IS NULL ORDER BY 1",
    /* What the other buckets spent, once the plan is paid. */
    EFFECTIVE
    "l AS (SELECT village, month, substr(memo, 16, instr(memo, ' bucket') - 16) AS bucket,"
    "  -SUM(amount_fen) AS a FROM e WHERE kind = 'cost' AND station = ''"
    "  AND substr(memo, 1, 15) = 'spent from the ' GROUP BY 1, 2, 3),"
    " b AS (SELECT b.* FROM plan_bucket b JOIN plan p ON p.village = b.village"
    "  AND p.month = b.month AND p.state = 'paid' AND b.bucket != 'posts')"
    " SELECT printf('plan_bucket %s %s %s: spent_fen is %d in the table and %d in the ledger',"
    "  b.village, b.month, b.bucket, b.spent_fen, COALESCE(l.a, 0))"
    " FROM b LEFT JOIN l ON l.village = b.village AND l.month = b.month AND l.bucket = b.bucket"
    " WHERE COALESCE(l.a, 0) != b.spent_fen"
    " UNION ALL SELECT printf('plan_bucket %s %s %s: the ledger spends %d fen from a bucket of"
    "  no paid plan', l.village, l.month, l.bucket, l.a)"
    " FROM l LEFT JOIN b ON l.village = b.village AND l.month = b.month AND l.bucket = b.bucket"
    " WHERE b.village IS NULL ORDER BY 1",
    /* Wages and labour paid to each person, once the plan is paid. */
    EFFECTIVE
    "l AS (SELECT village, month, kind, person, SUM(amount_fen) AS a FROM e"
    "  WHERE kind IN ('wage', 'labour') GROUP BY 1, 2, 3, 4),"
    " t AS (SELECT x.village, x.month, x.kind, x.person, SUM(x.paid_fen) AS a"
    "  FROM (SELECT village, month, kind, person, paid_fen FROM plan_payment UNION ALL"
    "  SELECT village, month, kind, person, paid_fen FROM plan_arrear) x"
    "  JOIN plan p ON p.village = x.village AND p.month = x.month"
    "  AND p.state = 'paid' GROUP BY 1, 2, 3, 4 HAVING SUM(x.paid_fen) != 0)"
    " SELECT printf('plan_payment %s %s %s (%s): paid_fen totals %d in the table (with"
    "  plan_arrear) and %d in the ledger', t.village, t.month, t.person, t.kind, t.a, "
    "COALESCE(l.a, 0))"
    " FROM t LEFT JOIN l ON l.village = t.village AND l.month = t.month AND l.kind = t.kind"
    "  AND l.person = t.person WHERE COALESCE(l.a, 0) != t.a"
    " UNION ALL SELECT printf('plan_payment %s %s %s (%s): the ledger pays %d fen the paid plan"
    "  does not have', l.village, l.month, l.person, l.kind, l.a)"
    " FROM l LEFT JOIN t ON l.village = t.village AND l.month = t.month AND l.kind = t.kind"
    "  AND l.person = t.person WHERE t.village IS NULL AND l.a != 0 ORDER BY 1",
    /* Spending asked of a bucket in a month whose plan is decided: the plan spent it or
     * left it unmet, to the fen; a row added or changed since is not in the plan. */
    "WITH t AS (SELECT village, month, bucket, SUM(amount_fen) AS a FROM spending"
    "  GROUP BY 1, 2, 3),"
    " b AS (SELECT b.village, b.month, b.bucket, b.spent_fen + b.unmet_fen AS a FROM plan_bucket b"
    "  JOIN plan p ON p.village = b.village AND p.month = b.month AND p.state != 'draft'"
    "  WHERE b.bucket != 'posts')"
    " SELECT printf('spending %s %s %s: the spending rows total %d fen but the decided plan"
    "  spent and left unmet %d fen', b.village, b.month, b.bucket, COALESCE(t.a, 0), b.a)"
    " FROM b LEFT JOIN t ON t.village = b.village AND t.month = b.month"
    "  AND t.bucket = b.bucket WHERE COALESCE(t.a, 0) != b.a ORDER BY 1",
    /* Spending of a decided month given back to its bucket in a later month: each refund
     * names a spending row the decided plan spent on, and gives back no more than it. */
    "SELECT printf('correction %d: it gives back %d fen for a spending row that no decided plan"
    "  spent on (%s)', c.seq, c.amount_fen, c.memo) FROM ledger c"
    " WHERE c.kind = 'correction' AND substr(c.memo, 1, 12) = 'refunds the '"
    " AND c.amount_fen > COALESCE((SELECT s.amount_fen FROM spending s JOIN plan p"
    "  ON p.village = s.village AND p.month = s.month AND p.state != 'draft'"
    "  WHERE s.village = c.village AND substr(c.memo, 1, length('refunds the ' || s.bucket"
    "  || ' bucket for spending ' || s.village || '/' || s.month || '/' || s.bucket || '/'"
    "  || s.receipt || ' of ')) = 'refunds the ' || s.bucket || ' bucket for spending '"
    "  || s.village || '/' || s.month || '/' || s.bucket || '/' || s.receipt || ' of '), 0)"
    " ORDER BY 1",
    /* Each decided plan's balance brought in is the balance the month before carried out,
     * plus what corrections gave back to the bucket in the month. */
    "WITH r AS (SELECT village, month, substr(memo, 13, instr(memo, ' bucket for spending ')"
    "  - 13) AS bucket, SUM(amount_fen) AS a FROM ledger WHERE kind = 'correction'"
    "  AND substr(memo, 1, 12) = 'refunds the ' GROUP BY 1, 2, 3)"
    " SELECT printf('plan_bucket %s %s %s: carry_in_fen is %d, but the month before carried"
    "  out %d and corrections gave back %d', b.village, b.month, b.bucket, b.carry_in_fen,"
    "  COALESCE(pb.carry_out_fen, 0), COALESCE(r.a, 0))"
    " FROM plan_bucket b JOIN plan p ON p.village = b.village AND p.month = b.month"
    "  AND p.state != 'draft'"
    " LEFT JOIN plan_bucket pb ON pb.village = b.village AND pb.bucket = b.bucket"
    "  AND pb.month = strftime('%Y-%m', b.month || '-01', '-1 month')"
    " LEFT JOIN r ON r.village = b.village AND r.month = b.month AND r.bucket = b.bucket"
    " WHERE b.carry_in_fen != COALESCE(pb.carry_out_fen, 0) + COALESCE(r.a, 0) ORDER BY 1",
    /* Each decided plan's own figures: its costs are what the ledger charged the month
     * (corrections included), what it could distribute is its cash less those costs, the
     * deficit it brought in is what the month before carried out, and its allocation and
     * the deficit it carries out follow from them (the allocation itself is checked above).
     * A plan's cash received is tied to the ledger through these. */
    "WITH c AS (SELECT l.village, l.month, -SUM(l.amount_fen) AS a FROM ledger l"
    "  LEFT JOIN ledger o ON l.kind = 'correction' AND substr(l.memo, 1, 13) = 'reverses seq '"
    "  AND o.seq = CAST(substr(l.memo, 14, instr(l.memo, ' (') - 14) AS INTEGER)"
    "  WHERE l.station = '' AND ((l.kind = 'cost' AND substr(l.memo, 1, 15) != 'spent from the ')"
    "  OR (l.kind = 'correction' AND o.kind = 'cost' AND substr(o.memo, 1, 15)"
    "  != 'spent from the ')) GROUP BY 1, 2),"
    " a AS (SELECT village, month, SUM(alloc_fen) AS a FROM plan_bucket GROUP BY 1, 2),"
    " p AS (SELECT * FROM plan WHERE state != 'draft')"
    " SELECT printf('plan %s %s: costs_fen is %d in the table and %d in the ledger', p.village,"
    "  p.month, p.costs_fen, COALESCE(c.a, 0))"
    " FROM p LEFT JOIN c ON c.village = p.village AND c.month = p.month"
    " WHERE p.costs_fen != COALESCE(c.a, 0)"
    " UNION ALL SELECT printf('plan %s %s: distributable_fen is %d, not received_fen %d less"
    "  costs_fen %d', village, month, distributable_fen, received_fen, costs_fen) FROM p"
    " WHERE distributable_fen != received_fen - costs_fen"
    " UNION ALL SELECT printf('plan %s %s: deficit_in_fen is %d, but the month before carried"
    "  out %d', p.village, p.month, p.deficit_in_fen, COALESCE(q.deficit_out_fen, 0)) FROM p"
    " LEFT JOIN plan q ON q.village = p.village"
    "  AND q.month = strftime('%Y-%m', p.month || '-01', '-1 month')"
    " WHERE p.deficit_in_fen != COALESCE(q.deficit_out_fen, 0)"
    " UNION ALL SELECT printf('plan %s %s: the buckets are allocated %d, but distributable_fen"
    "  and deficit_in_fen make %d', p.village, p.month, a.a,"
    "  MAX(0, p.distributable_fen + p.deficit_in_fen)) FROM p JOIN a ON a.village = p.village"
    "  AND a.month = p.month WHERE a.a != MAX(0, p.distributable_fen + p.deficit_in_fen)"
    " UNION ALL SELECT printf('plan %s %s: deficit_out_fen is %d, but distributable_fen and"
    "  deficit_in_fen make %d', village, month, deficit_out_fen,"
    "  MIN(0, distributable_fen + deficit_in_fen)) FROM p"
    " WHERE deficit_out_fen != MIN(0, distributable_fen + deficit_in_fen) ORDER BY 1",
    /* Each decided plan's buckets balance (brought in and allocated = spent and carried
     * out), and what its posts bucket spends is what it pays, wages, labour and arrears:
     * a payment moved before the plan is paid (when the ledger gets each one) would
     * otherwise change the notice while the totals the ledger holds stay the same. */
    "WITH p AS (SELECT village, month FROM plan WHERE state != 'draft'),"
    " x AS (SELECT village, month, SUM(paid_fen) AS a FROM (SELECT village, month, paid_fen"
    "  FROM plan_payment UNION ALL SELECT village, month, paid_fen FROM plan_arrear)"
    "  GROUP BY 1, 2)"
    " SELECT printf('plan_bucket %s %s %s: carry_in_fen %d and alloc_fen %d do not make"
    "  spent_fen %d and carry_out_fen %d', b.village, b.month, b.bucket, b.carry_in_fen,"
    "  b.alloc_fen, b.spent_fen, b.carry_out_fen)"
    " FROM plan_bucket b JOIN p ON p.village = b.village AND p.month = b.month"
    " WHERE b.carry_in_fen + b.alloc_fen != b.spent_fen + b.carry_out_fen"
    " UNION ALL SELECT printf('plan_payment %s %s: the payments total %d but the posts bucket"
    "  spends %d', b.village, b.month, COALESCE(x.a, 0), b.spent_fen)"
    " FROM plan_bucket b JOIN p ON p.village = b.village AND p.month = b.month"
    " LEFT JOIN x ON x.village = b.village AND x.month = b.month"
    " WHERE b.bucket = 'posts' AND b.spent_fen != COALESCE(x.a, 0) ORDER BY 1",
    /* Posted notices: the ledger entry that holds each one's hash. */
    "SELECT printf('notice %s %s %s: ledger entry %d does not hold its hash %s', n.village,"
    "  n.month, n.format, n.ledger_seq, n.sha256)"
    " FROM notice n LEFT JOIN ledger l ON l.seq = n.ledger_seq"
    " WHERE l.seq IS NULL OR l.kind != 'notice' OR l.village != n.village"
    "  OR l.month != n.month OR l.memo != '公示 ' || n.format || ' sha256 ' || n.sha256"
    " UNION ALL SELECT printf('notice %s %s: ledger entry %d records a notice that is not"
    "  stored (%s)', l.village, l.month, l.seq, l.memo)"
    " FROM ledger l LEFT JOIN notice n ON n.ledger_seq = l.seq"
    " WHERE l.kind = 'notice' AND n.village IS NULL"
    "  AND substr(l.memo, 1, length('乡镇公示 ')) != '乡镇公示 ' ORDER BY 1",
    /* The towns' posted notices, the same way; their entries' memos start 乡镇公示. */
    "SELECT printf('town_notice %s %s %s: ledger entry %d does not hold its hash %s', n.town,"
    "  n.month, n.format, n.ledger_seq, n.sha256)"
    " FROM town_notice n LEFT JOIN ledger l ON l.seq = n.ledger_seq"
    " WHERE l.seq IS NULL OR l.kind != 'notice' OR l.month != n.month"
    "  OR l.memo != '乡镇公示 ' || n.town || ' ' || n.format || ' sha256 ' || n.sha256"
    " UNION ALL SELECT printf('town_notice %s: ledger entry %d records a town notice that is"
    "  not stored (%s)', l.month, l.seq, l.memo)"
    " FROM ledger l LEFT JOIN town_notice n ON n.ledger_seq = l.seq"
    " WHERE l.kind = 'notice' AND n.town IS NULL"
    "  AND substr(l.memo, 1, length('乡镇公示 ')) = '乡镇公示 ' ORDER BY 1",
};

struct notice_check {
	void (*say)(void *arg, const char *sentence);
	void *arg;
	int bad;
	int town; /* the towns' notices, not the villages' */
};

static int check_notice_body(const struct store_notice *n, void *arg)
{
	struct notice_check *c = arg;
	char h[LEDGER_HASH_HEX_LEN + 1], s[400];
	if (ledger_sha256_hex(n->body, n->len, h) != 0 || strcmp(h, n->sha256) != 0) {
		snprintf(s, sizeof s,
			 "%s %s %s %s: its stored bytes hash to %s, not the %s it "
			 "was posted with",
			 c->town ? "town_notice" : "notice", n->village, n->month, n->format, h,
			 n->sha256);
		c->say(c->arg, s);
		c->bad++;
	}
	return 0;
}

int store_ledger_crosscheck(struct store *st, void (*say)(void *arg, const char *sentence),
			    void *arg)
{
	int bad = 0, rc;
	for (size_t q = 0; q < sizeof crosscheck_sql / sizeof crosscheck_sql[0]; q++) {
		sqlite3_stmt *s = store_stmt(st, crosscheck_sql[q]);
		if (!s)
			return -1;
		while ((rc = store_row(st, s)) > 0) {
			const char *text = (const char *)sqlite3_column_text(s, 0);
			say(arg, text ? text : "");
			bad++;
		}
		if (rc < 0)
			return -1;
	}
	struct notice_check c = {say, arg, 0, 0};
	if (store_notice_each(st, check_notice_body, &c) < 0)
		return -1;
	c.town = 1;
	if (store_town_notice_each(st, check_notice_body, &c) < 0)
		return -1;
	return bad + c.bad;
}
