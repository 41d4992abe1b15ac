/* pvrelief correct KIND KEY=VALUE... --reason TEXT --by NAME: reverses a wrong money row
 * (settlement, subsidy receipt, cost, spending) with ledger entries of kind correction that
 * carry the reason and the name; the row leaves its table for the history, and the right row
 * can then be imported. Nothing is edited. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/report.h"
#include "pvrelief/revenue.h"
#include "pvrelief/store.h"
#include "pvrelief/store_correct.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/store_records.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvrelief correct KIND KEY=VALUE... --reason TEXT [--month YYYY-MM]\n"
		"       [--by NAME] [--now TIME]\n"
		"  settlement  station=S period=YYYY-MM\n"
		"  subsidy     station=S period=YYYY-MM received_day=YYYY-MM-DD\n"
		"  cost        village=V month=YYYY-MM kind=K receipt=R\n"
		"  spending    village=V month=YYYY-MM bucket=B receipt=R\n"
		"  attendance  person=P post=Q month=YYYY-MM days=N [grade=A-D]  (a decided\n"
		"              month: what the corrected record makes due more is owed, paid\n"
		"              first by --month's plan)\n"
		"  work        village=V month=YYYY-MM person=P work=W amount=YUAN  (the same,\n"
		"              for a public-works labour record of a decided month)\n"
		"The row's ledger entries are reversed by entries of kind correction with the\n"
		"reason and the name; the row goes to the history (pvrelief history TABLE) and\n"
		"the right one can be imported. Cash of a month whose plan is decided was\n"
		"distributed as decided: --month names the later, open month it is taken back\n"
		"from (the decided month's notice gets an amendment). Costs and spending of a\n"
		"decided month are reversed into --month the same way: a cost as a credit, a\n"
		"spending row's money back to its bucket.\n");
}

/* pvrelief correct attendance: the wage a corrected attendance (or assessment) record of a
 * decided month makes due, worked out by the revenue core's rule on the post's standard as
 * the plan had it; what it makes due more is owed and paid first by --month's plan. */
static int correct_attendance(struct cli_env *env, int n, char **kv, const char *into,
			      const char *reason, const char *by, const char *now_text)
{
	static const char *const keys[] = {"person", "post", "month", "days", "grade"};
	const char *val[5] = {NULL, NULL, NULL, NULL, ""};
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		size_t k = 0;
		while (eq && k < 5 &&
		       (strlen(keys[k]) != (size_t)(eq - kv[i]) ||
			strncmp(keys[k], kv[i], (size_t)(eq - kv[i])) != 0))
			k++;
		if (!eq || k == 5) {
			fprintf(stderr,
				"pvrelief correct: \"%s\" is not one of attendance's person=, "
				"post=, month=, days=, grade=\n",
				kv[i]);
			return 2;
		}
		val[k] = eq + 1;
	}
	char *end = NULL;
	long days = val[3] ? strtol(val[3], &end, 10) : -1;
	int yy, mm;
	if (!val[0] || !val[1] || !val[2] || csv_parse_month(val[2], &yy, &mm) != 0 || !end ||
	    *end || days < 0 || days > 31 || strlen(val[4]) > 1 ||
	    (val[4][0] && (val[4][0] < 'A' || val[4][0] > 'D'))) {
		fprintf(stderr, "pvrelief correct: attendance needs person=P post=Q month=YYYY-MM "
				"days=0-31 [grade=A-D]\n");
		return 2;
	}
	if (!reason || !reason[0] || !into) {
		fprintf(stderr, "pvrelief correct: a corrected attendance needs --reason and the "
				"later month its wage is paid in (--month YYYY-MM)\n");
		return 2;
	}
	int64_t now = cli_now(now_text);
	struct store *st = now < 0 ? NULL : cli_store(env);
	if (!st)
		return now < 0 ? 2 : 1;
	char village[64], why[1024], what[160];
	struct store_rev_payment *pay = NULL;
	size_t np = 0, i = 0;
	int rc = 1;
	if (store_begin(st) != 0)
		goto dberr;
	int got = store_rev_post_village(st, val[1], village, sizeof village);
	if (got != 0) {
		snprintf(why, sizeof why, "%s", got > 0 ? "no such post" : store_errmsg(st));
		goto refused;
	}
	if (store_rev_plan_payments(st, village, val[2], &pay, &np) != 0)
		goto dberr;
	while (i < np && (strcmp(pay[i].kind, "wage") != 0 || strcmp(pay[i].person, val[0]) != 0 ||
			  strcmp(pay[i].post, val[1]) != 0))
		i++;
	if (i == np) {
		snprintf(why, sizeof why,
			 "village %s's plan of %s pays %s no wage for post %s; an open month's "
			 "attendance is changed with pvrelief set attendance",
			 village, val[2], val[0], val[1]);
		goto refused;
	}
	struct revenue_policy pol;
	cli_revenue_policy(env->cfg, &pol);
	struct revenue_payee p = {.person_id = val[0],
				  .post_id = val[1],
				  .wage_fen = pay[i].standard_fen,
				  .required_days = pay[i].required_days,
				  .has_agreement = true,
				  .has_attendance = true,
				  .days_worked = (int)days,
				  .grade = val[4][0] ? (enum revenue_grade)(val[4][0] - 'A' + 1)
						     : REVENUE_GRADE_NONE};
	struct revenue_payee_result due = revenue_payee_due(&p, &pol);
	if (val[4][0])
		snprintf(what, sizeof what, "考核等级由%s更正为%s",
			 pay[i].grade[0] ? pay[i].grade : "无", val[4]);
	else
		snprintf(what, sizeof what, "出勤由%d天更正为%ld天", pay[i].days_worked, days);
	if (store_correct_owe(st, village, "wage", val[0], val[1], val[2], into, due.due_fen, what,
			      reason, cli_by(by), now, why, sizeof why) != 0)
		goto refused;
	if (store_commit(st) != 0)
		goto dberr;
	char y1[32], y2[32];
	printf("%s %s %s: %s; due %s (was %s), the rest owed and paid first in %s; by %s\n",
	       village, val[2], val[0], what, report_yuan(due.due_fen, y1),
	       report_yuan(pay[i].due_fen, y2), into, cli_by(by));
	rc = 0;
	goto out;
dberr:
	snprintf(why, sizeof why, "database error: %s", store_errmsg(st));
refused:
	fprintf(stderr, "pvrelief correct: refused: %s\n", why);
	store_rollback(st);
out:
	store_rev_payments_free(pay, np);
	return rc;
}

/* pvrelief correct work: a public-works labour record of a decided month whose amount was
 * too low; what it makes due more is owed and paid first by --month's plan. */
static int correct_work(struct cli_env *env, int n, char **kv, const char *into, const char *reason,
			const char *by, const char *now_text)
{
	static const char *const keys[] = {"village", "month", "person", "work", "amount"};
	const char *val[5] = {NULL};
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		size_t k = 0;
		while (eq && k < 5 &&
		       (strlen(keys[k]) != (size_t)(eq - kv[i]) ||
			strncmp(keys[k], kv[i], (size_t)(eq - kv[i])) != 0))
			k++;
		if (!eq || k == 5) {
			fprintf(stderr,
				"pvrelief correct: \"%s\" is not one of work's village=, month=, "
				"person=, work=, amount=\n",
				kv[i]);
			return 2;
		}
		val[k] = eq + 1;
	}
	int64_t due = 0;
	int yy, mm;
	if (!val[0] || !val[1] || !val[2] || !val[3] || !val[4] ||
	    csv_parse_month(val[1], &yy, &mm) != 0 || csv_parse_fen(val[4], &due) != 0 || due < 0) {
		fprintf(stderr, "pvrelief correct: work needs village=V month=YYYY-MM person=P "
				"work=W amount=YUAN\n");
		return 2;
	}
	if (!reason || !reason[0] || !into) {
		fprintf(stderr,
			"pvrelief correct: a corrected labour record needs --reason and the "
			"later month it is paid in (--month YYYY-MM)\n");
		return 2;
	}
	int64_t now = cli_now(now_text);
	struct store *st = now < 0 ? NULL : cli_store(env);
	if (!st)
		return now < 0 ? 2 : 1;
	char why[1024] = "", what[160], y[32];
	snprintf(what, sizeof what, "劳务金额更正为%s元", report_yuan(due, y));
	if (store_begin(st) != 0 ||
	    store_correct_owe(st, val[0], "labour", val[2], val[3], val[1], into, due, what, reason,
			      cli_by(by), now, why, sizeof why) != 0 ||
	    store_commit(st) != 0) {
		fprintf(stderr, "pvrelief correct: refused: %s\n", why[0] ? why : store_errmsg(st));
		store_rollback(st);
		return 1;
	}
	printf("%s %s %s: %s, the rest owed and paid first in %s; by %s\n", val[0], val[1], val[2],
	       what, into, cli_by(by));
	return 0;
}

int cli_correct(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"reason", required_argument, NULL, 'r'}, {"month", required_argument, NULL, 'm'},
	    {"by", required_argument, NULL, 'b'},     {"now", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0}};
	const char *reason = NULL, *by = NULL, *now_text = NULL, *into = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "r:m:b:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reason = optarg;
			break;
		case 'm':
			into = optarg;
			break;
		case 'b':
			by = optarg;
			break;
		case 'n':
			now_text = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "work") == 0)
		return correct_work(env, argc - optind - 1, argv + optind + 1, into, reason, by,
				    now_text);
	if (optind < argc && strcmp(argv[optind], "attendance") == 0)
		return correct_attendance(env, argc - optind - 1, argv + optind + 1, into, reason,
					  by, now_text);
	const struct store_correct_table *t =
	    optind < argc ? store_correct_find(argv[optind]) : NULL;
	if (!t) {
		usage(stderr);
		return 2;
	}
	const char *key[5] = {NULL};
	for (int i = optind + 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t k = 0;
		while (eq && t->keys[k] &&
		       (strlen(t->keys[k]) != (size_t)(eq - argv[i]) ||
			strncmp(t->keys[k], argv[i], (size_t)(eq - argv[i])) != 0))
			k++;
		if (!eq || !t->keys[k]) {
			fprintf(stderr, "pvrelief correct: \"%s\" is not one of %s's key columns\n",
				argv[i], t->table);
			return 2;
		}
		key[k] = eq + 1;
	}
	for (size_t k = 0; t->keys[k]; k++)
		if (!key[k]) {
			fprintf(stderr, "pvrelief correct: %s needs %s=...\n", t->table,
				t->keys[k]);
			return 2;
		}
	if (!reason || !reason[0]) {
		fprintf(stderr, "pvrelief correct: a correction needs a reason (--reason)\n");
		return 2;
	}
	int yy, mm;
	if (into && (strlen(into) != 7 || csv_parse_month(into, &yy, &mm) != 0)) {
		fprintf(stderr, "pvrelief correct: --month needs YYYY-MM\n");
		return 2;
	}
	int64_t now = cli_now(now_text);
	if (now < 0) {
		fprintf(stderr, "pvrelief correct: --now is not a time\n");
		return 2;
	}
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	char why[1024];
	if (store_begin(st) != 0) {
		fprintf(stderr, "pvrelief correct: database error: %s\n", store_errmsg(st));
		return 1;
	}
	int n = store_correct_reverse(st, t, key, into, reason, cli_by(by), now, why, sizeof why);
	if (n < 0 || store_commit(st) != 0) {
		fprintf(stderr, "pvrelief correct: refused: %s\n", n < 0 ? why : store_errmsg(st));
		store_rollback(st);
		return 1;
	}
	printf("%s reversed by %s: %d ledger entries, reason: %s\n", t->table, cli_by(by), n,
	       reason);
	return 0;
}
