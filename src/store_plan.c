/* Distribution plans, their approval steps, payments and bucket balances. */
#include "pvrelief/store_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/report.h"
#include "pvrelief/xalloc.h"
#include "store_internal.h"

#define PLAN_COLS                                                                                  \
	"village, month, state, notice_days, COALESCE(publicised_at, 0), created_at, "             \
	"received_fen, costs_fen, distributable_fen, deficit_in_fen, deficit_out_fen, "            \
	"posts_share_bp, policy_posts_bp, min_posts_bp, note"

static void plan_row(sqlite3_stmt *s, struct store_rev_plan *p)
{
	memset(p, 0, sizeof *p);
	store_col_copy(s, 0, p->village, sizeof p->village);
	store_col_copy(s, 1, p->month, sizeof p->month);
	store_col_copy(s, 2, p->state, sizeof p->state);
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
	store_col_copy(s, 14, p->note, sizeof p->note);
}

static int plan_query(struct store *st, const char *sql, const char *village, const char *month,
		      struct store_rev_plan *out)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	int rc = store_row(st, s);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	plan_row(s, out);
	store_rows_stop(s);
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
	return store_exists2(st, sql, village, month);
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
		/* An aggregate: one row always, so none is an error too. */
		if (store_row(st, s) <= 0)
			return -1;
		const char *m = (const char *)sqlite3_column_text(s, 0);
		if (m && (!out[0] || strcmp(m, out) < 0))
			snprintf(out, 8, "%.7s", m);
		store_rows_stop(s);
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
	static const char sql_del_arrear[] =
	    "DELETE FROM plan_arrear WHERE village = ?1 AND month = ?2";
	static const char sql_arrear[] =
	    "INSERT INTO plan_arrear (village, month, kind, person, post, owed_month, owed_fen, "
	    "paid_fen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
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
	const char *dels[] = {sql_del_plan, sql_del_bucket, sql_del_pay, sql_del_arrear};
	for (int i = 0; i < 4; i++) {
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
	for (size_t i = 0; i < in->narrears; i++) {
		const struct revenue_arrear *a = &in->arrears[i];
		s = store_stmt(st, sql_arrear);
		if (!s)
			goto dberr;
		sqlite3_bind_text(s, 1, plan->village, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, plan->month, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, a->labour ? "labour" : "wage", -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, a->person_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, a->post_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 6, a->owed_month, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 7, a->owed_fen);
		sqlite3_bind_int64(s, 8, res->arrears_paid_fen[i]);
		if (sqlite3_step(s) != SQLITE_DONE)
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
	rc = 0;
	while (n < max && (rc = store_row(st, s)) > 0) {
		store_col_copy(s, 0, steps[n].state, sizeof steps[n].state);
		steps[n].at_unix = sqlite3_column_int64(s, 1);
		store_col_copy(s, 2, steps[n].by, sizeof steps[n].by);
		store_col_copy(s, 3, steps[n].note, sizeof steps[n].note);
		n++;
	}
	if (rc > 0)
		store_rows_stop(s);
	return rc < 0 ? -1 : n;
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
	while ((rc = store_row(st, s)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct store_rev_payment *p = &(*out)[(*n)++];
		p->kind = store_col_dup(s, 0);
		p->person = store_col_dup(s, 1);
		p->post = store_col_dup(s, 2);
		p->grade = store_col_dup(s, 3);
		p->reason = store_col_dup(s, 4);
		p->days_worked = sqlite3_column_int(s, 5);
		p->required_days = sqlite3_column_int(s, 6);
		p->standard_fen = sqlite3_column_int64(s, 7);
		p->due_fen = sqlite3_column_int64(s, 8);
		p->paid_fen = sqlite3_column_int64(s, 9);
	}
	return rc < 0 ? -1 : 0;
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
	while ((rc = store_row(st, s)) > 0) {
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
	if (rc < 0)
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
	int rc = store_row(st, s);
	if (rc <= 0)
		return rc;
	store_col_copy(s, 0, state, 16);
	store_rows_stop(s);
	return 1;
}

int store_rev_report_payees(struct store *st, struct report *r, size_t v)
{
	static const char sql[] =
	    "SELECT pp.kind, pp.person, COALESCE(pe.name, ''), COALESCE(pe.id_masked, ''),"
	    "  COALESCE(pe.category, ''), pp.post,"
	    "  CASE WHEN pp.kind = 'wage' THEN COALESCE(po.kind, '') ELSE '以工代赈' END,"
	    "  pp.days_worked, pp.required_days, pp.grade, pp.standard_fen, pp.due_fen,"
	    "  pp.paid_fen, pp.reason, pp.owed_month "
	    "FROM (SELECT village, month, kind, person, post, days_worked, required_days, grade,"
	    "  standard_fen, due_fen, paid_fen, reason, '' AS owed_month FROM plan_payment"
	    "  UNION ALL SELECT village, month, kind, person, post, 0, 0, '', owed_fen, owed_fen,"
	    "  paid_fen, 'arrears', owed_month FROM plan_arrear) pp "
	    "LEFT JOIN person pe ON pe.id = pp.person "
	    "LEFT JOIN post po ON po.id = pp.post AND pp.kind = 'wage' "
	    "WHERE pp.village = ?1 AND pp.month = ?2 "
	    "ORDER BY pp.owed_month != '', pp.owed_month, pp.kind DESC, pp.person, pp.post";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, r->villages[v].id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, r->month, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(st, s)) > 0) {
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
		p->owed_month = report_str(r, (const char *)sqlite3_column_text(s, 14));
	}
	return rc < 0 ? -1 : 0;
}

/* Appends the arrear of the current row (kind, person, post, owed month, owed fen; with
 * paid_fen, column 5 is what was paid of it) to out, growing it and *paid_fen alike. */
static void add_arrear(sqlite3_stmt *s, struct store_rev_arrears *out, size_t *cap,
		       int64_t **paid_fen)
{
	if (out->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		out->a = xrealloc(out->a, *cap * sizeof *out->a);
		out->strs = xrealloc(out->strs, *cap * 3 * sizeof *out->strs);
		if (paid_fen)
			*paid_fen = xrealloc(*paid_fen, *cap * sizeof **paid_fen);
	}
	if (paid_fen)
		(*paid_fen)[out->n] = sqlite3_column_int64(s, 5);
	struct revenue_arrear *a = &out->a[out->n++];
	char **str = &out->strs[out->nstrs];
	str[0] = store_col_dup(s, 1);
	str[1] = store_col_dup(s, 2);
	str[2] = store_col_dup(s, 3);
	out->nstrs += 3;
	a->labour = strcmp((const char *)sqlite3_column_text(s, 0), "labour") == 0;
	a->person_id = str[0];
	a->post_id = str[1];
	a->owed_month = str[2];
	a->owed_fen = sqlite3_column_int64(s, 4);
}

int store_rev_arrears_load(struct store *st, const char *village, const char *prev_month,
			   struct store_rev_arrears *out)
{
	static const char sql[] =
	    "SELECT kind, person, post, owed_month, owed_fen - paid_fen FROM plan_arrear"
	    " WHERE village = ?1 AND month = ?2 AND owed_fen > paid_fen"
	    " UNION ALL SELECT kind, person, post, month, due_fen - paid_fen FROM plan_payment"
	    " WHERE village = ?1 AND month = ?2 AND due_fen > paid_fen"
	    " ORDER BY 4, 1, 2, 3";
	sqlite3_stmt *s = store_stmt(st, sql);
	size_t cap = 0;
	int rc;
	memset(out, 0, sizeof *out);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, prev_month, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(st, s)) > 0)
		add_arrear(s, out, &cap, NULL);
	if (rc < 0) {
		store_rev_arrears_free(out);
		return -1;
	}
	return 0;
}

void store_rev_arrears_free(struct store_rev_arrears *a)
{
	for (size_t i = 0; i < a->nstrs; i++)
		free(a->strs[i]);
	free(a->strs);
	free(a->a);
	memset(a, 0, sizeof *a);
}

int store_rev_plan_arrears(struct store *st, const char *village, const char *month,
			   struct store_rev_arrears *out, int64_t **paid_fen)
{
	static const char sql[] = "SELECT kind, person, post, owed_month, owed_fen, paid_fen"
				  " FROM plan_arrear WHERE village = ?1 AND month = ?2"
				  " ORDER BY owed_month, kind, person, post";
	sqlite3_stmt *s = store_stmt(st, sql);
	size_t cap = 0;
	int rc;
	memset(out, 0, sizeof *out);
	*paid_fen = NULL;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	while ((rc = store_row(st, s)) > 0)
		add_arrear(s, out, &cap, paid_fen);
	if (rc < 0) {
		store_rev_arrears_free(out);
		free(*paid_fen);
		*paid_fen = NULL;
		return -1;
	}
	return 0;
}

int store_rev_paid_for(struct store *st, const char *village, const char *month, const char *upto,
		       const char *person, const char *post, int64_t *paid_fen)
{
	static const char sql[] =
	    "SELECT COALESCE((SELECT SUM(paid_fen) FROM plan_payment WHERE village = ?1"
	    " AND month = ?2 AND person = ?4 AND post = ?5), 0)"
	    " + COALESCE((SELECT SUM(paid_fen) FROM plan_arrear WHERE village = ?1"
	    " AND owed_month = ?2 AND month > ?2 AND month <= ?3 AND person = ?4 AND post = ?5), "
	    "0)";
	sqlite3_stmt *s = store_stmt(st, sql);
	*paid_fen = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, upto, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, person, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, post, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*paid_fen = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int store_rev_due_for(struct store *st, const char *village, const char *month, const char *person,
		      const char *post, int64_t *due_fen)
{
	static const char sql[] =
	    "SELECT COALESCE(SUM(due_fen), 0) FROM plan_payment"
	    " WHERE village = ?1 AND month = ?2 AND person = ?3 AND post = ?4";
	sqlite3_stmt *s = store_stmt(st, sql);
	*due_fen = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, person, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, post, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*due_fen = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}
