/* pvrelief plan STEP --month YYYY-MM [--village V]: the approval workflow of distribution
 * plans (village meeting, township review, county filing, public notice, payment), each step
 * recorded with who and when. Approval writes the plan's allocation and balances to the
 * ledger; payment, allowed only after the public notice, writes every wage, labour payment and
 * bucket spending. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/ledger.h"
#include "pvrelief/plan.h"
#include "pvrelief/report.h"
#include "pvrelief/store.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/store_ledger.h"

static const struct {
	const char *verb;
	enum plan_state state;
} verbs[] = {{"approve", PLAN_APPROVED},     {"review", PLAN_REVIEWED},	     {"file", PLAN_FILED},
	     {"publicise", PLAN_PUBLICISED}, {"publicize", PLAN_PUBLICISED}, {"pay", PLAN_PAID}};

static int append(struct store *st, int64_t now, const char *kind, const char *village,
		  const char *person, const char *month, int64_t amount, const char *memo)
{
	struct ledger_entry e = {.time_unix = now,
				 .kind = kind,
				 .village_id = village,
				 .station_id = "",
				 .person_id = person,
				 .month = month,
				 .amount_fen = amount,
				 .memo = memo};
	char why[256];
	if (store_ledger_append(st, &e, why, sizeof why) != 0) {
		fprintf(stderr, "%s %s: %s\n", village, month, why);
		return -1;
	}
	return 0;
}

/* The plan's decided allocation: this month's cash per bucket and what each carries on. */
static int ledger_approved(struct store *st, const char *village, const char *month, int64_t now)
{
	struct store_rev_bucket b[REVENUE_NBUCKETS];
	char memo[256];
	if (store_rev_plan_buckets(st, village, month, b) != 0)
		return -1;
	for (int i = 0; i < REVENUE_NBUCKETS; i++) {
		snprintf(memo, sizeof memo, "%s (%s): %d.%02d%% of the distributable cash",
			 revenue_bucket_name((enum revenue_bucket)i),
			 report_bucket_zh((enum revenue_bucket)i), b[i].share_bp / 100,
			 b[i].share_bp % 100);
		if (append(st, now, "allocation", village, "", month, b[i].alloc_fen, memo) != 0)
			return -1;
	}
	for (int i = 0; i < REVENUE_NBUCKETS; i++) {
		if (!b[i].carry_out_fen)
			continue;
		snprintf(memo, sizeof memo, "%s balance carried to the next month",
			 revenue_bucket_name((enum revenue_bucket)i));
		if (append(st, now, "carry_forward", village, "", month, b[i].carry_out_fen,
			   memo) != 0)
			return -1;
	}
	return 0;
}

/* Every payment made: wages and labour to individual accounts, and the other buckets'
 * spending against receipts. */
static int ledger_paid(struct store *st, const char *village, const char *month, int64_t now)
{
	struct store_rev_payment *p;
	struct store_rev_bucket b[REVENUE_NBUCKETS];
	size_t n;
	char memo[512];
	int rc = 0;
	if (store_rev_plan_payments(st, village, month, &p, &n) != 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (p[i].paid_fen == 0)
			continue;
		if (strcmp(p[i].kind, "wage") == 0)
			snprintf(memo, sizeof memo, "post %s, %d of %d days%s%s", p[i].post,
				 p[i].days_worked, p[i].required_days,
				 p[i].grade[0] ? ", grade " : "", p[i].grade);
		else
			snprintf(memo, sizeof memo, "public work %s, %d days", p[i].post,
				 p[i].days_worked);
		rc = append(st, now, p[i].kind, village, p[i].person, month, p[i].paid_fen, memo);
	}
	store_rev_payments_free(p, n);
	if (rc != 0 || store_rev_plan_buckets(st, village, month, b) != 0)
		return -1;
	for (int i = REVENUE_PUBLIC_WORKS; i < REVENUE_NBUCKETS; i++) {
		if (!b[i].spent_fen)
			continue;
		snprintf(memo, sizeof memo, "spent from the %s bucket against its receipts",
			 revenue_bucket_name((enum revenue_bucket)i));
		if (append(st, now, "cost", village, "", month, -b[i].spent_fen, memo) != 0)
			return -1;
	}
	return 0;
}

static int step_village(struct store *st, const struct config *cfg, const char *village,
			const char *month, enum plan_state want, const char *by, int64_t now,
			const char *note)
{
	struct store_rev_plan p;
	char why[512];
	int rc = store_rev_plan_get(st, village, month, &p);
	if (rc != 0) {
		fprintf(stderr, "%s %s: %s\n", village, month,
			rc > 0 ? "no plan (run pvrelief allocate first)" : store_errmsg(st));
		return 1;
	}
	int cur = plan_state_parse(p.state);
	int notice = p.notice_days > 0 ? p.notice_days : cfg->revenue.notice_days;
	if (cur < 0 || plan_transition((enum plan_state)cur, want, now, p.publicised_at, notice,
				       why, sizeof why) != 0) {
		fprintf(stderr, "%s %s: refused: %s\n", village, month, cur < 0 ? p.state : why);
		return 1;
	}
	if (store_begin(st) != 0)
		goto dberr;
	if (store_rev_plan_step(st, village, month, plan_state_name(want), by, now, note) != 0)
		goto dberr;
	if (want == PLAN_APPROVED && ledger_approved(st, village, month, now) != 0)
		goto dberr;
	if (want == PLAN_PAID && ledger_paid(st, village, month, now) != 0)
		goto dberr;
	if (store_commit(st) != 0)
		goto dberr;
	printf("%s %s: %s (%s) by %s\n", village, month, plan_state_name(want),
	       plan_state_name_zh(want), by);
	return 0;
dberr:
	fprintf(stderr, "%s %s: database error: %s\n", village, month, store_errmsg(st));
	store_rollback(st);
	return 1;
}

static void print_time(int64_t t, int offset_s)
{
	char buf[32];
	time_t tt = (time_t)(t + offset_s);
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
	fputs(buf, stdout);
}

static int show_village(struct store *st, const struct config *cfg, const char *village,
			const char *month)
{
	struct store_rev_plan p;
	struct store_rev_bucket b[REVENUE_NBUCKETS];
	struct store_rev_step steps[32];
	char y[5][32];
	int rc = store_rev_plan_get(st, village, month, &p);
	if (rc != 0) {
		printf("%s %s: no plan\n", village, month);
		return rc < 0;
	}
	int state = plan_state_parse(p.state);
	printf("%s %s: %s (%s); received %s, costs %s, distributable %s\n", village, month, p.state,
	       plan_state_name_zh((enum plan_state)state), report_yuan(p.received_fen, y[0]),
	       report_yuan(p.costs_fen, y[1]), report_yuan(p.distributable_fen, y[2]));
	if (store_rev_plan_buckets(st, village, month, b) == 0)
		for (int i = 0; i < REVENUE_NBUCKETS; i++)
			printf("  %-13s %6.2f%%  in %12s  new %12s  spent %12s  carried %12s\n",
			       revenue_bucket_name((enum revenue_bucket)i), b[i].share_bp / 100.0,
			       report_yuan(b[i].carry_in_fen, y[0]),
			       report_yuan(b[i].alloc_fen, y[1]), report_yuan(b[i].spent_fen, y[2]),
			       report_yuan(b[i].carry_out_fen, y[3]));
	int n = store_rev_plan_steps(st, village, month, steps, 32);
	for (int i = 0; i < n; i++) {
		printf("  ");
		print_time(steps[i].at_unix, cfg->utc_offset_s);
		printf("  %-10s by %s%s%s\n", steps[i].state, steps[i].by,
		       steps[i].note[0] ? ": " : "", steps[i].note);
	}
	if (state == PLAN_PUBLICISED) {
		printf("  payment allowed from ");
		print_time(plan_notice_end(p.publicised_at, p.notice_days), PLAN_TZ_OFFSET_S);
		printf(" (UTC+8)\n");
	}
	return 0;
}

int cli_plan(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {CLI_OPTION_MONTH,
						 CLI_OPTION_VILLAGE,
						 CLI_OPTION_BY,
						 CLI_OPTION_NOW,
						 {"note", required_argument, NULL, 'N'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief plan", .need = CLI_NEED_MONTH};
	const char *note = "";
	int c;
	while ((c = getopt_long(argc, argv, "m:v:b:n:N:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'N':
			note = optarg;
			break;
		case 'h':
			printf(
			    "usage: pvrelief plan approve|review|file|publicise|pay|show --month "
			    "YYYY-MM [--village V] [--by NAME] [--now TIME] [--note TEXT]\n"
			    "  approve    村民会议通过 (the village meeting approved the plan)\n"
			    "  review     乡镇审核 (the township reviewed it)\n"
			    "  file       县级备案 (the county filed it)\n"
			    "  publicise  公示 (the public notice went up; notice_days count)\n"
			    "  pay        已发放 (paid to individual accounts; refused before the\n"
			    "             public notice ends)\n"
			    "  show       prints the plan, its buckets and its steps\n");
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: pvrelief plan STEP --month YYYY-MM [--village V]\n");
		return 2;
	}
	if (cli_opt_check(&o) != 0)
		return 2;
	const char *month = o.month, *village = o.village;
	const char *verb = argv[optind];
	int show = strcmp(verb, "show") == 0;
	enum plan_state want = PLAN_DRAFT;
	size_t i;
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i].verb, verb) == 0)
			want = verbs[i].state;
	if (!show && want == PLAN_DRAFT) {
		fprintf(stderr, "pvrelief plan: unknown step \"%s\"\n", verb);
		return 2;
	}
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	const struct config *cfg = env->cfg;
	if (village && cli_village(env, o.cmd, village) < 0)
		return 2;
	int failed = 0;
	for (size_t v = 0; v < cfg->n_villages; v++) {
		const char *vid = cfg->villages[v].id;
		if (village && strcmp(village, vid) != 0)
			continue;
		if (show) {
			failed += show_village(st, cfg, vid, month);
			continue;
		}
		/* Every village is stepped: allocate makes a plan for each, so a village
		 * without one was not allocated (an allocation refused or interrupted), and
		 * saying so keeps the others' progress from hiding it. */
		failed += step_village(st, cfg, vid, month, want, cli_by(o.by), o.now, note);
	}
	return failed ? 1 : 0;
}
