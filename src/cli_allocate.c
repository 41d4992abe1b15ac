/* pvrelief allocate --month YYYY-MM [--village V]: turns a village's cash received in the month
 * into a draft distribution plan. Months are allocated in order because each carries its
 * unspent balances and any deficit into the next; a decided plan is never replaced. */
#include <getopt.h>
#include <inttypes.h>
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
#include "pvrelief/store_records.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/xalloc.h"

void cli_revenue_policy(const struct config *cfg, struct revenue_policy *p)
{
	revenue_policy_default(p);
	p->share_bp[REVENUE_POSTS] = (int32_t)cfg->revenue.posts_bp;
	p->share_bp[REVENUE_PUBLIC_WORKS] = (int32_t)cfg->revenue.public_works_bp;
	p->share_bp[REVENUE_REWARDS] = (int32_t)cfg->revenue.rewards_bp;
	p->share_bp[REVENUE_OM_RESERVE] = (int32_t)cfg->revenue.om_reserve_bp;
	p->min_posts_bp = (int32_t)cfg->revenue.min_posts_bp;
	p->pay_mode = cfg->revenue.pay_mode == CONFIG_PAY_GRADE ? REVENUE_GRADE : REVENUE_PRO_RATA;
	for (int g = 0; g < 4; g++)
		p->grade_bp[REVENUE_GRADE_A + g] = (int32_t)cfg->revenue.grade_bp[g];
}

/* Allocates one village's month; returns 0, or 1 with the reasons printed. */
static int allocate_village(struct store *st, const struct config *cfg,
			    const struct cli_holdings *h, size_t vi, const char *month,
			    const char *by, int64_t now, int quiet)
{
	const char *vid = cfg->villages[vi].id;
	struct store_rev_plan prev, plan;
	struct revenue_month_input in;
	struct revenue_month_result res = {0};
	struct revenue_policy pol;
	struct store_rev_labour_set ls = {0};
	struct store_rev_arrears owed = {0};
	struct revenue_station_cash *cash = NULL;
	struct errlist e = {0};
	char why[512], prevm[8], y1[32], y2[32], y3[32];
	int64_t costs[4];
	int status = 1;
	size_t ncash = 0;
	memset(&in, 0, sizeof in);

	if (store_begin(st) != 0) {
		fprintf(stderr, "%s %s: cannot start a transaction: %s\n", vid, month,
			store_errmsg(st));
		return 1;
	}
	/* The store gathers the facts; the revenue core decides. */
	struct revenue_month_facts facts = {.month = month};
	int rc = store_rev_plan_get(st, vid, month, &plan);
	if (rc < 0)
		goto dberr;
	facts.plan_state = rc == 0 ? plan.state : "";
	int later = store_rev_plan_later(st, vid, month);
	if (later < 0)
		goto dberr;
	facts.later_plan = later > 0;
	rc = store_rev_plan_before(st, vid, month, &prev);
	if (rc < 0)
		goto dberr;
	facts.last_plan_month = rc == 0 ? prev.month : "";
	char first[8] = "";
	if (rc == 1) {
		const char *ids[256];
		size_t nids = 0;
		for (size_t i = 0; i < h->n[vi] && nids < 256; i++)
			ids[nids++] = cfg->stations[h->of[vi][i].station].id;
		if (store_rev_first_month(st, vid, ids, nids, first) != 0)
			goto dberr;
	}
	facts.first_money_month = first;
	if (revenue_month_may_allocate(&facts, why, sizeof why) != 0) {
		fprintf(stderr, "%s %s: %s\n", vid, month, why);
		goto fail;
	}
	if (rc == 0 && revenue_prev_month(month, prevm) == 0 &&
	    (store_rev_plan_carry(st, vid, prevm, &in.carry_in) < 0 ||
	     store_rev_arrears_load(st, vid, prevm, &owed) != 0))
		goto dberr;
	/* Wages a corrected record of a decided month made due, owed and paid first now. */
	if (store_correct_owed(st, vid, month, &owed) != 0)
		goto dberr;
	in.arrears = owed.a;
	in.narrears = owed.n;

	int64_t received = 0, taken = 0;
	for (size_t i = 0; i < h->n[vi]; i++) {
		const struct config_station *sta = &cfg->stations[h->of[vi][i].station];
		size_t k = h->of[vi][i].share;
		int64_t station_cash, back;
		if (store_rev_station_cash(st, sta->id, month, &station_cash) != 0 ||
		    store_rev_station_taken_back(st, sta->id, month, &back) != 0)
			goto dberr;
		/* Cash a decided month distributed and a correction took back is taken from this
		 * month's: it may leave the month short, which the deficit carries. */
		taken += cli_share(sta, k, back);
		cash = xrealloc(cash, (ncash + 1) * sizeof *cash);
		/* revenue_distributable takes the parts as a plain array; the configuration
		 * keeps them inside its share structs. */
		uint32_t *parts = xmalloc(sta->n_shares * sizeof *parts);
		for (size_t p = 0; p < sta->n_shares; p++)
			parts[p] = sta->shares[p].parts;
		cash[ncash++] =
		    (struct revenue_station_cash){station_cash, parts, sta->n_shares, k};
		received += cli_share(sta, k, station_cash);
	}
	int64_t adjust[4], refund[REVENUE_NBUCKETS], charged[4], credit = 0;
	if (store_rev_costs(st, vid, month, costs) != 0 ||
	    store_correct_cost_adjust(st, vid, month, adjust) != 0 ||
	    store_correct_refunds(st, vid, month, refund) != 0 ||
	    store_rev_spending(st, vid, month, in.spend_fen) != 0 ||
	    store_rev_labour_load(st, vid, month, &ls) != 0)
		goto dberr;
	/* A cost of a decided month reversed into this one is a credit: it may take a kind's
	 * costs below zero, which the core's costs (never negative) leave to the sum. */
	for (int k = 0; k < 4; k++) {
		costs[k] += adjust[k];
		charged[k] = costs[k] > 0 ? costs[k] : 0;
		credit += charged[k] - costs[k];
	}
	/* What a correction gave back to a bucket (spending of a decided month reversed) is
	 * part of the balance this month brings in. */
	for (int b = 0; b < REVENUE_NBUCKETS; b++)
		in.carry_in.bucket_fen[b] += refund[b];
	if (revenue_distributable(cash, ncash, charged, 4, &in.distributable_fen, &e) != 0)
		goto errs;
	in.distributable_fen += taken + credit;
	received += taken;
	cli_revenue_policy(cfg, &pol);
	if (revenue_policy_check(&pol, why, sizeof why) != 0) {
		fprintf(stderr, "%s %s: policy rejected: %s\n", vid, month, why);
		goto fail;
	}
	in.month = month;
	in.policy = &pol;
	in.payees = ls.payees;
	in.npayees = ls.npayees;
	in.labour = ls.labour;
	in.nlabour = ls.nlabour;
	if (revenue_allocate_month(&in, &res, &e) != 0)
		goto errs;
	if (revenue_plan_check(&in, &res, why, sizeof why) != 0) {
		fprintf(stderr, "%s %s: plan rejected: %s\n", vid, month, why);
		goto fail;
	}
	memset(&plan, 0, sizeof plan);
	snprintf(plan.village, sizeof plan.village, "%s", vid);
	snprintf(plan.month, sizeof plan.month, "%s", month);
	plan.notice_days = cfg->revenue.notice_days;
	plan.received_fen = received;
	plan.costs_fen = costs[0] + costs[1] + costs[2] + costs[3];
	if (store_rev_plan_save(st, &plan, &in, &res, by, now, why, sizeof why) != 0) {
		fprintf(stderr, "%s %s: %s\n", vid, month, why);
		goto fail;
	}
	if (store_commit(st) != 0)
		goto dberr;
	if (!quiet) {
		int64_t carried = 0;
		for (int b = 0; b < REVENUE_NBUCKETS; b++)
			carried += res.carry_out.bucket_fen[b];
		printf("%s %s: received %s, costs %s, distributable %s; paid %s to posts and "
		       "labour",
		       vid, month, report_yuan(plan.received_fen, y1),
		       report_yuan(plan.costs_fen, y2), report_yuan(in.distributable_fen, y3),
		       report_yuan(res.spent_fen[REVENUE_POSTS], why));
		printf(", carried forward %s", report_yuan(carried, y1));
		if (res.carry_out.deficit_fen)
			printf(", deficit %s", report_yuan(res.carry_out.deficit_fen, y2));
		printf(" (draft)\n");
		if (res.note[0])
			printf("  %s\n", res.note);
	}
	status = 0;
	goto out;
errs:
	for (size_t i = 0; i < e.n; i++)
		fprintf(stderr, "%s %s: %s\n", vid, month, e.msgs[i]);
	goto fail;
dberr:
	fprintf(stderr, "%s %s: database error: %s\n", vid, month, store_errmsg(st));
fail:
	store_rollback(st);
out:
	for (size_t i = 0; i < ncash; i++)
		free((void *)(uintptr_t)cash[i].parts);
	free(cash);
	errlist_clear(&e);
	revenue_month_result_free(&res);
	store_rev_labour_set_free(&ls);
	store_rev_arrears_free(&owed);
	return status;
}

int cli_allocate(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {CLI_OPTION_MONTH,
						 CLI_OPTION_VILLAGE,
						 CLI_OPTION_BY,
						 CLI_OPTION_NOW,
						 {"quiet", no_argument, NULL, 'q'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief allocate", .need = CLI_NEED_MONTH};
	int c, quiet = 0;
	while ((c = getopt_long(argc, argv, "m:v:b:n:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			printf("usage: pvrelief allocate --month YYYY-MM [--village V] [--by NAME] "
			       "[--now TIME] [--quiet]\n"
			       "Allocates the cash received in the month (minus costs) by the "
			       "configured policy into a draft plan per village; all villages "
			       "without --village.\n");
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: pvrelief allocate --month YYYY-MM [--village V]\n");
		return 2;
	}
	if (cli_opt_check(&o) != 0)
		return 2;
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	const struct config *cfg = env->cfg;
	long only = -1;
	if (o.village && (only = cli_village(env, o.cmd, o.village)) < 0)
		return 2;
	int failed = 0;
	struct cli_holdings h;
	cli_holdings_build(cfg, &h);
	for (size_t v = 0; v < cfg->n_villages; v++)
		if (only < 0 || (size_t)only == v)
			failed +=
			    allocate_village(st, cfg, &h, v, o.month, cli_by(o.by), o.now, quiet);
	cli_holdings_free(&h);
	return failed ? 1 : 0;
}
