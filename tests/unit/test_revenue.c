/* Tests for revenue allocation: hand-computed months, policy checks, refusals, and a property
 * test over many random months that must all balance to the fen. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/revenue.h"

static void test_split_table(void)
{
	static const struct {
		int64_t total;
		uint32_t parts[4];
		size_t n;
		int rc;
		int64_t want[4];
	} cases[] = {
	    /* 33.33 each: the one fen left goes to the lowest index among equal remainders. */
	    {100, {1, 1, 1}, 3, 0, {34, 33, 33}},
	    /* 66.67 each: two fen left go to indices 0 and 1. */
	    {200, {1, 1, 1}, 3, 0, {67, 67, 66}},
	    /* Negative totals are split as the magnitude and negated. */
	    {-100, {1, 1, 1}, 3, 0, {-34, -33, -33}},
	    /* A zero weight never receives a fen. */
	    {11, {0, 5, 5}, 3, 0, {0, 6, 5}},
	    /* 1/4 and 3/4: the larger remainder wins over the lower index. */
	    {1, {1, 3}, 2, 0, {0, 1}},
	    /* Joint station 1234.56 yuan in parts 40:35:25: quotas 49382.4, 43209.6, 30864.0,
	     * floors sum 123455, the fen goes to the largest remainder (0.6, index 1). */
	    {123456, {40, 35, 25}, 3, 0, {49382, 43210, 30864}},
	    /* Default policy on 1000.01 yuan: 80000.8, 10000.1, 5000.05, 5000.05 -> the fen to
	     * the 0.8 remainder. */
	    {100001, {8000, 1000, 500, 500}, 4, 0, {80001, 10000, 5000, 5000}},
	    /* The 128-bit path: INT64_MAX is odd, halves are ...903.5 each. */
	    {INT64_MAX, {1, 1}, 2, 0, {INT64_C(4611686018427387904), INT64_C(4611686018427387903)}},
	    {0, {3, 4}, 2, 0, {0, 0}},
	    {100, {0, 0}, 2, -1, {0}},
	    {100, {UINT32_MAX, 1}, 2, -1, {0}},
	    {INT64_MIN, {1, 1}, 2, -1, {0}},
	    {100, {1}, 0, -1, {0}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t out[4] = {0};
		int rc = revenue_split(cases[i].total, cases[i].parts, cases[i].n, out);
		CHECK_INT(rc, cases[i].rc);
		if (rc == 0)
			for (size_t k = 0; k < cases[i].n; k++)
				CHECK_INT(out[k], cases[i].want[k]);
	}
}

static void test_policy_check(void)
{
	struct revenue_policy p;
	char why[256];
	revenue_policy_default(&p);
	CHECK_INT(revenue_policy_check(&p, why, sizeof why), 0);
	CHECK_STR(why, "");

	static const struct {
		int32_t shares[4], min_bp, grade_b;
		const char *msg;
	} cases[] = {
	    {{7500, 1500, 500, 500},
	     8000,
	     9000,
	     "posts and labour get 75.00%, below the minimum 80.00%"},
	    {{8000, 1000, 500, 500},
	     8500,
	     9000,
	     "posts and labour get 80.00%, below the minimum 85.00%"},
	    {{8000, 950, 500, 500}, 8000, 9000, "the shares add up to 99.50%, not 100.00%"},
	    {{10500, -500, 0, 0},
	     8000,
	     9000,
	     "the share of posts and labour is 105.00%; a share must be 0-100%"},
	    {{8000, 1000, 500, 500},
	     10001,
	     9000,
	     "the minimum share of posts and labour is 100.01%; it must be 0-100%"},
	    {{8000, 1000, 500, 500},
	     8000,
	     10500,
	     "grade B pays 105.00% of the wage; it must be 0-100%"},
	    {{8000, 1000, 500, 500},
	     8000,
	     6000,
	     "grade C pays 70.00% of the wage, more than grade B's 60.00%"},
	    /* All to posts is allowed. */
	    {{10000, 0, 0, 0}, 8000, 9000, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		revenue_policy_default(&p);
		memcpy(p.share_bp, cases[i].shares, sizeof p.share_bp);
		p.min_posts_bp = cases[i].min_bp;
		p.grade_bp[REVENUE_GRADE_B] = cases[i].grade_b;
		int rc = revenue_policy_check(&p, why, sizeof why);
		CHECK_INT(rc, cases[i].msg[0] ? -1 : 0);
		CHECK_STR(why, cases[i].msg);
	}
}

static void test_distributable(void)
{
	struct errlist e = {0};
	/* A joint station in parts 40:35:25 received 1234.56 yuan; this village is index 1 and
	 * gets 432.10 yuan (see the split table). Its own station received 500.00 yuan. Costs:
	 * 80.00 yuan land rent and 12.10 yuan O&M. 43210 + 50000 - 8000 - 1210 = 84000 fen. */
	static const uint32_t joint[] = {40, 35, 25}, own[] = {1};
	struct revenue_station_cash st[] = {{123456, joint, 3, 1}, {50000, own, 1, 0}};
	int64_t costs[] = {8000, 1210};
	int64_t d = 0;
	CHECK_INT(revenue_distributable(st, 2, costs, 2, &d, &e), 0);
	CHECK_INT(d, 84000);
	/* Costs above cash give a negative distributable amount. */
	int64_t big[] = {100000};
	CHECK_INT(revenue_distributable(st + 1, 1, big, 1, &d, &e), 0);
	CHECK_INT(d, -50000);
	CHECK_INT(e.n, 0);

	struct revenue_station_cash bad[] = {{-1, own, 1, 0}, {100, joint, 3, 3}};
	int64_t neg[] = {-5};
	d = 7;
	CHECK_INT(revenue_distributable(bad, 2, neg, 1, &d, &e), -1);
	CHECK_INT(d, 7);
	CHECK_INT(e.n, 3);
	CHECK_STR(e.msgs[0], "station 1: cash received -0.01 yuan is negative or too large");
	CHECK_STR(e.msgs[1], "station 2: the village is share 4 of 3; it owns no share");
	CHECK_STR(e.msgs[2], "cost 1: -0.05 yuan is negative or too large");
	errlist_clear(&e);
}

/* A payee with an agreement and attendance; tests change what they need. */
static struct revenue_payee worker(const char *person, int64_t wage, int req, int days)
{
	struct revenue_payee p = {person, "post-road", wage, req,
				  true,	  true,	       days, REVENUE_GRADE_NONE};
	return p;
}

static int64_t sum4(const int64_t *v)
{
	return v[0] + v[1] + v[2] + v[3];
}

/* Checks the balance the allocation promises. */
static void check_balance(const struct revenue_month_input *in,
			  const struct revenue_month_result *r)
{
	CHECK_INT(sum4(r->spent_fen) + sum4(r->carry_out.bucket_fen) + r->carry_out.deficit_fen,
		  in->distributable_fen + sum4(in->carry_in.bucket_fen) + in->carry_in.deficit_fen);
}

static void test_month_pro_rata(void)
{
	/* Distributable 10000.00 yuan, default policy 80/10/5/5:
	 *   posts 800000, public works 100000, rewards 50000, O&M 50000 fen.
	 * Wages (PRO_RATA):
	 *   p1 1000.00 yuan, 22 of 22 days         -> 100000
	 *   p2  800.00 yuan, 15 of 22 days         -> floor(80000*15/22 = 54545.45) = 54545
	 *   p3  600.00 yuan, 25 days but 20 needed -> capped at 20/20 = 60000
	 *   p4 no labour agreement                 -> 0, refused
	 *   p5 no attendance record                -> 0, refused (pay after work)
	 *   p6 attendance with 0 days              -> 0, nothing due
	 * Labour: l1 750.00 yuan for 5 days on a road -> 75000; l2 without agreement -> 0.
	 * Posts due 214545 + 75000 = 289545 <= 800000: carry 510455.
	 * Spending: public works 600.00 of 1000.00 -> carry 40000; rewards 0 -> carry 50000;
	 *   O&M asks 700.00 but holds 500.00 -> spent 50000, unmet 20000, carry 0.
	 * Spent 289545 + 60000 + 0 + 50000 = 399545; posts share floor(2895450000/399545) = 7246.
	 */
	struct revenue_policy pol;
	revenue_policy_default(&pol);
	struct revenue_payee p[6] = {worker("p1", 100000, 22, 22), worker("p2", 80000, 22, 15),
				     worker("p3", 60000, 20, 25),  worker("p4", 90000, 22, 22),
				     worker("p5", 90000, 22, 22),  worker("p6", 90000, 22, 0)};
	p[3].has_agreement = false;
	p[4].has_attendance = false;
	struct revenue_labour l[2] = {{"p7", "road-2026-03", 5, 75000, true},
				      {"p8", "road-2026-03", 3, 45000, false}};
	struct revenue_month_input in = {.month = "2026-03",
					 .distributable_fen = 1000000,
					 .policy = &pol,
					 .payees = p,
					 .npayees = 6,
					 .labour = l,
					 .nlabour = 2,
					 .spend_fen = {0, 60000, 0, 70000}};
	struct revenue_month_result r;
	struct errlist e = {0};
	CHECK_INT(revenue_allocate_month(&in, &r, &e), 0);
	CHECK_INT(e.n, 0);
	CHECK_INT(r.alloc_fen[REVENUE_POSTS], 800000);
	CHECK_INT(r.alloc_fen[REVENUE_PUBLIC_WORKS], 100000);
	CHECK_INT(r.alloc_fen[REVENUE_REWARDS], 50000);
	CHECK_INT(r.alloc_fen[REVENUE_OM_RESERVE], 50000);
	static const int64_t paid[] = {100000, 54545, 60000, 0, 0, 0};
	static const enum revenue_reason why[] = {REVENUE_PAY_OK,	 REVENUE_PAY_OK,
						  REVENUE_PAY_OK,	 REVENUE_PAY_NO_AGREEMENT,
						  REVENUE_PAY_NO_RECORD, REVENUE_PAY_NO_WORK};
	for (int i = 0; i < 6; i++) {
		CHECK_INT(r.payees[i].paid_fen, paid[i]);
		CHECK_INT(r.payees[i].due_fen, paid[i]);
		CHECK_INT(r.payees[i].reason, why[i]);
	}
	CHECK_INT(r.labour[0].paid_fen, 75000);
	CHECK_INT(r.labour[1].paid_fen, 0);
	CHECK_INT(r.labour[1].reason, REVENUE_PAY_NO_AGREEMENT);
	CHECK_INT(r.wages_paid_fen, 214545);
	CHECK_INT(r.labour_paid_fen, 75000);
	CHECK(!r.shortfall);
	CHECK_STR(r.note, "");
	CHECK_INT(r.spent_fen[REVENUE_POSTS], 289545);
	CHECK_INT(r.carry_out.bucket_fen[REVENUE_POSTS], 510455);
	CHECK_INT(r.carry_out.bucket_fen[REVENUE_PUBLIC_WORKS], 40000);
	CHECK_INT(r.carry_out.bucket_fen[REVENUE_REWARDS], 50000);
	CHECK_INT(r.carry_out.bucket_fen[REVENUE_OM_RESERVE], 0);
	CHECK_INT(r.spent_fen[REVENUE_OM_RESERVE], 50000);
	CHECK_INT(r.unmet_fen[REVENUE_OM_RESERVE], 20000);
	CHECK_INT(r.carry_out.deficit_fen, 0);
	CHECK_INT(r.posts_share_bp, 7246);
	check_balance(&in, &r);
	CHECK_CONTAINS(revenue_reason_text(r.payees[4].reason), "pay after work");
	revenue_month_result_free(&r);
	CHECK(r.payees == NULL);
}

static void test_month_grades(void)
{
	/* GRADE mode with the default grades A 100%, B 90%, C 70%, D 0%:
	 *   A on 1000.00 -> 100000; B on 1000.00 -> 90000; C on 333.33 -> floor(23333.1) = 23333;
	 *   D -> 0 (nothing due); no grade -> refused for want of an assessment.
	 * Attendance is not needed in this mode: the assessment is the record of the work.
	 * 5000.00 yuan distributable -> posts 400000 >= 213333 due; carry 186667. Nothing else
	 * is spent, so the posts share is 100.00%. */
	struct revenue_policy pol;
	revenue_policy_default(&pol);
	pol.pay_mode = REVENUE_GRADE;
	struct revenue_payee p[5] = {worker("a", 100000, 22, 0), worker("b", 100000, 22, 0),
				     worker("c", 33333, 22, 0), worker("d", 100000, 22, 0),
				     worker("n", 100000, 22, 0)};
	p[0].grade = REVENUE_GRADE_A;
	p[1].grade = REVENUE_GRADE_B;
	p[2].grade = REVENUE_GRADE_C;
	p[3].grade = REVENUE_GRADE_D;
	p[4].grade = REVENUE_GRADE_NONE;
	p[0].has_attendance = false;
	struct revenue_month_input in = {.month = "2026-04",
					 .distributable_fen = 500000,
					 .policy = &pol,
					 .payees = p,
					 .npayees = 5};
	struct revenue_month_result r;
	struct errlist e = {0};
	CHECK_INT(revenue_allocate_month(&in, &r, &e), 0);
	static const int64_t paid[] = {100000, 90000, 23333, 0, 0};
	static const enum revenue_reason why[] = {REVENUE_PAY_OK, REVENUE_PAY_OK, REVENUE_PAY_OK,
						  REVENUE_PAY_NO_WORK, REVENUE_PAY_NO_RECORD};
	for (int i = 0; i < 5; i++) {
		CHECK_INT(r.payees[i].paid_fen, paid[i]);
		CHECK_INT(r.payees[i].reason, why[i]);
	}
	CHECK_INT(r.carry_out.bucket_fen[REVENUE_POSTS], 400000 - 213333);
	CHECK_INT(r.posts_share_bp, 10000);
	check_balance(&in, &r);
	revenue_month_result_free(&r);
}

static void test_month_shortfall(void)
{
	/* Distributable 1000.00 yuan -> posts 80000; 10.00 yuan carried in -> 81000 available.
	 * Due: a 600.00 + b 500.01 + labour 100.00 = 120001 fen > 81000, so every payment is
	 * floor(due * 81000 / 120001):
	 *   a: 4860000000 / 120001 = 40499.66 -> 40499
	 *   b: 4050081000 / 120001 = 33750.39 -> 33750
	 *   l: 810000000 / 120001  =  6749.94 -> 6749
	 * Paid 80998; the 2 fen left stay in the posts bucket and carry forward.
	 * Scale: floor(81000 * 10000 / 120001) = 6749 bp = 67.49%. */
	struct revenue_policy pol;
	revenue_policy_default(&pol);
	struct revenue_payee p[2] = {worker("a", 60000, 20, 20), worker("b", 50001, 20, 20)};
	struct revenue_labour l[1] = {{"c", "canal-repair", 4, 10000, true}};
	struct revenue_month_input in = {.month = "2026-05",
					 .distributable_fen = 100000,
					 .carry_in = {{1000, 0, 0, 0}, 0},
					 .policy = &pol,
					 .payees = p,
					 .npayees = 2,
					 .labour = l,
					 .nlabour = 1};
	struct revenue_month_result r;
	struct errlist e = {0};
	CHECK_INT(revenue_allocate_month(&in, &r, &e), 0);
	CHECK(r.shortfall);
	CHECK_INT(r.payees[0].due_fen, 60000);
	CHECK_INT(r.payees[0].paid_fen, 40499);
	CHECK_INT(r.payees[1].paid_fen, 33750);
	CHECK_INT(r.labour[0].paid_fen, 6749);
	CHECK_INT(r.spent_fen[REVENUE_POSTS], 80998);
	CHECK_INT(r.unmet_fen[REVENUE_POSTS], 120001 - 80998);
	CHECK_INT(r.carry_out.bucket_fen[REVENUE_POSTS], 2);
	CHECK_STR(r.note, "2026年5月：应发工资及劳务 1,200.01 元，岗位资金 810.00 元，资金不足，按 "
			  "67.49% 发放，欠发 390.03 元结转，资金到位后优先补发。");
	CHECK_INT(r.scale_bp, 6749);
	/* What is not paid is owed: 600.00 - 404.99, 500.01 - 337.50, 100.00 - 67.49. */
	CHECK_INT(r.owed_out_fen, 19501 + 16251 + 3251);
	check_balance(&in, &r);

	/* The next month: the 390.03 yuan owed are paid first, in full, from the 800.02 yuan
	 * available; the month's own wages share the 409.99 yuan left:
	 *   a: floor(60000 * 40999 / 110001) = 22362, b: floor(50001 * 40999 / 110001) = 18636.
	 */
	struct revenue_arrear owed[3] = {{"a", "post-road", false, "2026-05", 19501},
					 {"b", "post-road", false, "2026-05", 16251},
					 {"c", "canal-repair", true, "2026-05", 3251}};
	struct revenue_month_input next = {.month = "2026-06",
					   .distributable_fen = 100000,
					   .carry_in = r.carry_out,
					   .policy = &pol,
					   .payees = p,
					   .npayees = 2,
					   .arrears = owed,
					   .narrears = 3};
	struct revenue_month_result r2;
	CHECK_INT(revenue_allocate_month(&next, &r2, &e), 0);
	CHECK_INT(r2.arrears_paid_fen[0], 19501);
	CHECK_INT(r2.arrears_paid_fen[1], 16251);
	CHECK_INT(r2.arrears_paid_fen[2], 3251);
	CHECK_INT(r2.arrears_due_fen, 39003);
	CHECK_INT(r2.arrears_total_paid_fen, 39003);
	CHECK_INT(r2.payees[0].paid_fen, 22362);
	CHECK_INT(r2.payees[1].paid_fen, 18636);
	CHECK_INT(r2.spent_fen[REVENUE_POSTS], 39003 + 22362 + 18636);
	CHECK_INT(r2.owed_out_fen, 60000 - 22362 + 50001 - 18636);
	check_balance(&next, &r2);
	revenue_month_result_free(&r2);

	/* Arrears beyond the bucket are themselves scaled, and nothing is left for the month's
	 * wages, which are then owed in full: 800.02 available for 1000.00 owed. */
	struct revenue_arrear big[1] = {{"a", "post-road", false, "2026-05", 100000}};
	next.arrears = big;
	next.narrears = 1;
	CHECK_INT(revenue_allocate_month(&next, &r2, &e), 0);
	CHECK_INT(r2.arrears_paid_fen[0], 80002);
	CHECK_INT(r2.payees[0].paid_fen, 0);
	CHECK_INT(r2.owed_out_fen, 100000 - 80002 + 60000 + 50001);
	check_balance(&next, &r2);
	revenue_month_result_free(&r2);
	/* An arrear must be owed something, for a person and a post. */
	struct revenue_arrear bad[1] = {{"a", "post-road", false, "2026-05", 0}};
	next.arrears = bad;
	CHECK_INT(revenue_allocate_month(&next, &r2, &e), -1);
	errlist_clear(&e);
	revenue_month_result_free(&r);
}

static void test_month_deficit(void)
{
	/* March: receipts 500.00, costs 800.00 -> distributable -300.00 yuan. Nothing new is
	 * allocated and the deficit carries forward. 200.00 posts and 50.00 O&M were carried in;
	 * the 150.00 wage is still paid from the posts balance. Carry out: posts 50.00, O&M
	 * 50.00, deficit -300.00. Balance: 15000 + 10000 - 30000 = -30000 + 25000. */
	struct revenue_policy pol;
	revenue_policy_default(&pol);
	static const uint32_t own[] = {1};
	struct revenue_station_cash st[] = {{50000, own, 1, 0}};
	int64_t costs[] = {80000};
	struct errlist e = {0};
	int64_t d = 0;
	CHECK_INT(revenue_distributable(st, 1, costs, 1, &d, &e), 0);
	CHECK_INT(d, -30000);
	struct revenue_payee p[1] = {worker("a", 15000, 10, 10)};
	struct revenue_month_input in = {.month = "2026-03",
					 .distributable_fen = d,
					 .carry_in = {{20000, 0, 0, 5000}, 0},
					 .policy = &pol,
					 .payees = p,
					 .npayees = 1};
	struct revenue_month_result r;
	CHECK_INT(revenue_allocate_month(&in, &r, &e), 0);
	CHECK_INT(sum4(r.alloc_fen), 0);
	CHECK_INT(r.payees[0].paid_fen, 15000);
	CHECK_INT(r.carry_out.bucket_fen[REVENUE_POSTS], 5000);
	CHECK_INT(r.carry_out.bucket_fen[REVENUE_OM_RESERVE], 5000);
	CHECK_INT(r.carry_out.deficit_fen, -30000);
	check_balance(&in, &r);

	/* April: 1300.00 yuan distributable; the 300.00 deficit comes off first, leaving 1000.00
	 * to split 80000/10000/5000/5000 on top of the balances carried from March. */
	struct revenue_month_input apr = {.month = "2026-04",
					  .distributable_fen = 130000,
					  .carry_in = r.carry_out,
					  .policy = &pol};
	struct revenue_month_result r2;
	CHECK_INT(revenue_allocate_month(&apr, &r2, &e), 0);
	CHECK_INT(r2.alloc_fen[REVENUE_POSTS], 80000);
	CHECK_INT(r2.alloc_fen[REVENUE_PUBLIC_WORKS], 10000);
	CHECK_INT(r2.carry_out.deficit_fen, 0);
	CHECK_INT(r2.carry_out.bucket_fen[REVENUE_POSTS], 85000);
	CHECK_INT(r2.carry_out.bucket_fen[REVENUE_OM_RESERVE], 10000);
	/* Nothing was paid, so there is no share to report. */
	CHECK_INT(r2.posts_share_bp, -1);
	check_balance(&apr, &r2);
	CHECK_INT(e.n, 0);
	revenue_month_result_free(&r);
	revenue_month_result_free(&r2);
}

static void test_month_refusals(void)
{
	struct revenue_policy pol;
	revenue_policy_default(&pol);
	static const struct {
		const char *what, *msg;
	} cases[] = {
	    {"no post", "payee 1 (person h1) holds no post; paying a household without a post and "
			"its work is an equal split of cash, which the rules forbid"},
	    {"no required days", "payee 1 (person h1) has 0 required days"},
	    {"labour without days", "labour record 1 (person h2) pays 100.00 yuan without a public "
				    "work and days worked; cash without labour is not allowed"},
	    {"labour without work", "cash without labour is not allowed"},
	    {"duplicate", "payees 1 and 2 are both person h1 on post post-road; one post is paid "
			  "once"},
	    {"negative wage",
	     "payee 1 (person h1) has a wage of -1.00 yuan, negative or too large"},
	    {"negative carry", "posts and labour carry in -0.01 yuan"},
	    {"positive deficit", "the deficit carried in is 0.01 yuan"},
	    {"bad policy", "2026-06: posts and labour get 70.00%, below the minimum 80.00%"},
	    {"negative spend", "spending of -5.00 yuan on rewards is negative or too large"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct revenue_policy pl = pol;
		struct revenue_payee p[2] = {worker("h1", 50000, 20, 20),
					     worker("h1", 50000, 20, 20)};
		p[1].post_id = "post-clean";
		struct revenue_labour l[1] = {{"h2", "road", 2, 10000, true}};
		struct revenue_month_input in = {.month = "2026-06",
						 .distributable_fen = 100000,
						 .policy = &pl,
						 .payees = p,
						 .npayees = 2,
						 .labour = l,
						 .nlabour = 1};
		const char *w = cases[i].what;
		if (strcmp(w, "no post") == 0)
			p[0].post_id = "";
		else if (strcmp(w, "no required days") == 0)
			p[0].required_days = 0;
		else if (strcmp(w, "labour without days") == 0)
			l[0].days_worked = 0;
		else if (strcmp(w, "labour without work") == 0)
			l[0].work_id = NULL;
		else if (strcmp(w, "duplicate") == 0)
			p[1].post_id = "post-road";
		else if (strcmp(w, "negative wage") == 0)
			p[0].wage_fen = -100;
		else if (strcmp(w, "negative carry") == 0)
			in.carry_in.bucket_fen[REVENUE_POSTS] = -1;
		else if (strcmp(w, "positive deficit") == 0)
			in.carry_in.deficit_fen = 1;
		else if (strcmp(w, "bad policy") == 0)
			pl.share_bp[REVENUE_POSTS] = 7000, pl.share_bp[REVENUE_PUBLIC_WORKS] = 2000;
		else if (strcmp(w, "negative spend") == 0)
			in.spend_fen[REVENUE_REWARDS] = -500;
		struct revenue_month_result r;
		struct errlist e = {0};
		int rc = revenue_allocate_month(&in, &r, &e);
		CHECK_INT(rc, -1);
		CHECK_INT(e.n, 1);
		char *all = errlist_join(&e);
		CHECK_CONTAINS(all, cases[i].msg);
		free(all);
		/* Nothing is paid when the input is refused. */
		CHECK(r.payees == NULL && r.labour == NULL && r.spent_fen[REVENUE_POSTS] == 0);
		errlist_clear(&e);
		revenue_month_result_free(&r);
	}
}

/* xorshift64*: small, deterministic, good enough to generate test months. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Du;
}

/* Returns a number in [lo, hi]. */
static int64_t rnd(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

#define PROP_VILLAGES 5000
#define PROP_MONTHS 12

static int prop_failures;

/* Counts a failed property and prints the first few, so a broken invariant does not flood the
 * output with thousands of lines. */
#define PROP(cond)                                                                                 \
	do {                                                                                       \
		if (!(cond) && prop_failures++ < 10)                                               \
			fprintf(stderr, "%s:%d: property failed: %s (village %d month %d)\n",      \
				__FILE__, __LINE__, #cond, v, m);                                  \
	} while (0)

static void random_policy(struct revenue_policy *p)
{
	revenue_policy_default(p);
	p->pay_mode = rng() % 2 ? REVENUE_GRADE : REVENUE_PRO_RATA;
	p->share_bp[REVENUE_POSTS] = (int32_t)rnd(8000, 10000);
	int32_t rest = 10000 - p->share_bp[REVENUE_POSTS];
	p->share_bp[REVENUE_PUBLIC_WORKS] = (int32_t)rnd(0, rest);
	rest -= p->share_bp[REVENUE_PUBLIC_WORKS];
	p->share_bp[REVENUE_REWARDS] = (int32_t)rnd(0, rest);
	p->share_bp[REVENUE_OM_RESERVE] = rest - p->share_bp[REVENUE_REWARDS];
	p->grade_bp[REVENUE_GRADE_A] = (int32_t)rnd(5000, 10000);
	p->grade_bp[REVENUE_GRADE_B] = (int32_t)rnd(0, p->grade_bp[REVENUE_GRADE_A]);
	p->grade_bp[REVENUE_GRADE_C] = (int32_t)rnd(0, p->grade_bp[REVENUE_GRADE_B]);
	p->grade_bp[REVENUE_GRADE_D] = (int32_t)rnd(0, p->grade_bp[REVENUE_GRADE_C]);
}

static void test_property(void)
{
	static const char *const people[] = {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7",
					     "p8", "p9", "pa", "pb", "pc", "pd", "pe", "pf"};
	long months = 0, shortfalls = 0, deficits = 0;
	for (int v = 0; v < PROP_VILLAGES; v++) {
		int m = 0;
		struct revenue_policy pol;
		random_policy(&pol);
		char why[256];
		PROP(revenue_policy_check(&pol, why, sizeof why) == 0);
		struct revenue_carry carry = {{0}, 0};
		if (rng() % 2)
			for (int b = 0; b < REVENUE_NBUCKETS; b++)
				carry.bucket_fen[b] = rnd(0, 500000);
		for (m = 0; m < PROP_MONTHS; m++) {
			/* Stations: a few, some shared with up to three other villages. */
			struct revenue_station_cash st[4];
			uint32_t parts[4][4];
			size_t nst = (size_t)rnd(0, 4);
			for (size_t s = 0; s < nst; s++) {
				st[s].nparts = (size_t)rnd(1, 4);
				for (size_t k = 0; k < st[s].nparts; k++)
					parts[s][k] = (uint32_t)rnd(1, 100);
				st[s].parts = parts[s];
				st[s].village = (size_t)rnd(0, (int64_t)st[s].nparts - 1);
				st[s].received_fen = rnd(0, 3) ? rnd(0, 5000000) : 0;
			}
			int64_t costs[3];
			size_t ncost = (size_t)rnd(0, 3);
			for (size_t c = 0; c < ncost; c++)
				costs[c] = rnd(0, 1000000);
			struct errlist e = {0};
			int64_t dist = 0;
			PROP(revenue_distributable(st, nst, costs, ncost, &dist, &e) == 0);

			struct revenue_payee p[16];
			size_t np = (size_t)rnd(0, 16);
			for (size_t i = 0; i < np; i++) {
				p[i].person_id = people[i];
				p[i].post_id = rng() % 2 ? "post-a" : "post-b";
				p[i].wage_fen = rnd(0, 300000);
				p[i].required_days = (int)rnd(1, 31);
				p[i].has_agreement = rng() % 8 != 0;
				p[i].has_attendance = rng() % 8 != 0;
				p[i].days_worked = (int)rnd(0, 31);
				p[i].grade = (enum revenue_grade)rnd(0, 4);
			}
			struct revenue_labour l[4];
			size_t nl = (size_t)rnd(0, 4);
			for (size_t i = 0; i < nl; i++) {
				l[i].person_id = people[rnd(0, 15)];
				l[i].work_id = "works";
				l[i].days_worked = (int)rnd(1, 31);
				l[i].amount_fen = rnd(0, 400000);
				l[i].has_agreement = rng() % 6 != 0;
			}
			struct revenue_month_input in = {.month = "2026-01",
							 .distributable_fen = dist,
							 .carry_in = carry,
							 .policy = &pol,
							 .payees = p,
							 .npayees = np,
							 .labour = l,
							 .nlabour = nl};
			for (int b = 1; b < REVENUE_NBUCKETS; b++)
				in.spend_fen[b] = rnd(0, 600000);
			struct revenue_month_result r;
			int rc = revenue_allocate_month(&in, &r, &e);
			PROP(rc == 0);
			PROP(e.n == 0);
			errlist_clear(&e);
			if (rc != 0)
				continue;
			months++;
			shortfalls += r.shortfall;
			deficits += r.carry_out.deficit_fen < 0;

			/* The month balances to the fen, deficits included. */
			PROP(sum4(r.spent_fen) + sum4(r.carry_out.bucket_fen) +
				 r.carry_out.deficit_fen ==
			     dist + sum4(carry.bucket_fen) + carry.deficit_fen);
			int64_t base = dist + carry.deficit_fen;
			PROP(sum4(r.alloc_fen) == (base > 0 ? base : 0));
			PROP(r.carry_out.deficit_fen == (base < 0 ? base : 0));
			for (int b = 0; b < REVENUE_NBUCKETS; b++) {
				PROP(r.alloc_fen[b] >= 0 && r.spent_fen[b] >= 0);
				PROP(r.carry_out.bucket_fen[b] >= 0 && r.unmet_fen[b] >= 0);
				PROP(r.spent_fen[b] <= r.available_fen[b]);
				/* Largest remainder: each bucket is within one fen of its quota. */
				if (base > 0) {
					int64_t quota_floor = base * pol.share_bp[b] / 10000;
					PROP(r.alloc_fen[b] == quota_floor ||
					     r.alloc_fen[b] == quota_floor + 1);
				}
			}
			/* Nobody gets more than is due, refusals get nothing, the posts bucket pays
			 * exactly wages plus labour, and flooring leaves fewer fen than payments.
			 */
			int64_t wages = 0, labour = 0, ndue = 0;
			for (size_t i = 0; i < np; i++) {
				const struct revenue_payee_result *q = &r.payees[i];
				PROP(q->paid_fen >= 0 && q->paid_fen <= q->due_fen);
				PROP(q->due_fen <= p[i].wage_fen);
				if (q->reason == REVENUE_PAY_NO_AGREEMENT ||
				    q->reason == REVENUE_PAY_NO_RECORD ||
				    q->reason == REVENUE_PAY_NO_WORK)
					PROP(q->paid_fen == 0);
				if (!p[i].has_agreement)
					PROP(q->reason == REVENUE_PAY_NO_AGREEMENT);
				if (!r.shortfall)
					PROP(q->paid_fen == q->due_fen);
				wages += q->paid_fen;
				ndue += q->due_fen > 0;
			}
			for (size_t i = 0; i < nl; i++) {
				const struct revenue_payee_result *q = &r.labour[i];
				PROP(q->paid_fen >= 0 && q->paid_fen <= l[i].amount_fen);
				if (!l[i].has_agreement)
					PROP(q->paid_fen == 0);
				if (!r.shortfall)
					PROP(q->paid_fen == q->due_fen);
				labour += q->paid_fen;
				ndue += q->due_fen > 0;
			}
			PROP(wages == r.wages_paid_fen && labour == r.labour_paid_fen);
			PROP(wages + labour == r.spent_fen[REVENUE_POSTS]);
			if (r.shortfall)
				PROP(r.carry_out.bucket_fen[REVENUE_POSTS] < (ndue > 0 ? ndue : 1));
			PROP(r.posts_share_bp == -1 ||
			     (r.posts_share_bp >= 0 && r.posts_share_bp <= 10000));
			carry = r.carry_out;
			revenue_month_result_free(&r);
		}
	}
	CHECK_INT(prop_failures, 0);
	CHECK_INT(months, PROP_VILLAGES * PROP_MONTHS);
	/* The generator must reach the interesting paths, or the property proves little. */
	CHECK(shortfalls > 1000);
	CHECK(deficits > 1000);
	printf("property test: %ld random months, %ld with a shortfall, %ld ending in deficit\n",
	       months, shortfalls, deficits);
}

/* revenue_split on random totals and weights: sums exact, each output floor or floor + 1. */
static void test_split_property(void)
{
	int v = 0, m = 0;
	for (v = 0; v < 20000; v++) {
		uint32_t parts[8];
		int64_t out[8];
		size_t n = (size_t)rnd(1, 8);
		uint64_t sum = 0;
		for (size_t i = 0; i < n; i++) {
			parts[i] = (uint32_t)(rng() % 4 ? rnd(0, 10000) : rnd(0, 500000000));
			sum += parts[i];
		}
		int64_t total = rng() % 4 ? rnd(-100000000, 100000000) : (int64_t)(rng() >> 1);
		int rc = revenue_split(total, parts, n, out);
		PROP(rc == (sum == 0 ? -1 : 0));
		if (rc != 0)
			continue;
		int64_t got = 0;
		for (size_t i = 0; i < n; i++) {
			got += out[i];
			PROP(parts[i] != 0 || out[i] == 0);
			PROP(total >= 0 ? out[i] >= 0 : out[i] <= 0);
		}
		PROP(got == total);
		/* Small cases are checked against the exact quota in 64 bits. */
		if (total >= 0 && total < 100000000 && sum < 1000000000) {
			for (size_t i = 0; i < n; i++) {
				int64_t fl = (int64_t)((uint64_t)total * parts[i] / sum);
				PROP(out[i] == fl || out[i] == fl + 1);
			}
		}
	}
	CHECK_INT(prop_failures, 0);
}

int main(void)
{
	test_split_table();
	test_policy_check();
	test_distributable();
	test_month_pro_rata();
	test_month_grades();
	test_month_shortfall();
	test_month_deficit();
	test_month_refusals();
	test_property();
	test_split_property();
	return check_summary();
}
