/* Tests for the allocation rules of the revenue core: when a month may be allocated (each
 * refusal), the month before, and where the minimum share of posts and labour is checked. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/revenue.h"

static void test_may_allocate(void)
{
	static const struct {
		struct revenue_month_facts f;
		int rc;
		const char *why; /* a phrase the refusal must contain */
	} cases[] = {
	    /* The first month, where the money starts. */
	    {{"2025-01", "", false, "", "2025-01"}, 0, NULL},
	    /* No money at all yet: an empty plan is allowed. */
	    {{"2025-01", "", false, "", ""}, 0, NULL},
	    /* The month after the last plan; a draft may be replaced. */
	    {{"2025-02", "", false, "2025-01", "2025-01"}, 0, NULL},
	    {{"2025-02", "draft", false, "2025-01", "2025-01"}, 0, NULL},
	    /* Across the year's end. */
	    {{"2026-01", "", false, "2025-12", "2025-01"}, 0, NULL},
	    /* A decided plan is not replaced, whatever its state past the draft. */
	    {{"2025-02", "approved", false, "2025-01", "2025-01"}, -1, "already approved"},
	    {{"2025-02", "paid", false, "2025-01", "2025-01"}, -1, "not replaced"},
	    /* A later month already allocated. */
	    {{"2025-02", "draft", true, "2025-01", "2025-01"}, -1, "later month"},
	    /* A gap: the last plan is two months back. */
	    {{"2025-03", "", false, "2025-01", "2025-01"}, -1, "allocate 2025-02 first"},
	    {{"2026-01", "", false, "2025-11", "2025-01"}, -1, "allocate 2025-12 first"},
	    /* The first plan after the money started. */
	    {{"2025-03", "", false, "", "2025-01"}, -1, "allocate from 2025-01"},
	    /* Not a month. */
	    {{"2025-13", "", false, "", ""}, -1, "not a month"},
	    {{"25-01", "", false, "", ""}, -1, "not a month"},
	};
	char why[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = revenue_month_may_allocate(&cases[i].f, why, sizeof why);
		CHECK_INT(rc, cases[i].rc);
		if (cases[i].why)
			CHECK(strstr(why, cases[i].why) != NULL);
		else
			CHECK_STR(why, "");
	}
	char out[8];
	CHECK_INT(revenue_prev_month("2025-01", out), 0);
	CHECK_STR(out, "2024-12");
	CHECK_INT(revenue_prev_month("2025-10", out), 0);
	CHECK_STR(out, "2025-09");
	CHECK_INT(revenue_prev_month("2025-00", out), -1);
	CHECK_STR(out, "");
}

/* A month that spends a public-works balance saved over earlier months pays far more to
 * public works than to posts; that money was allocated at the policy's shares when it came
 * in, so the month's plan is within the rule. */
static void test_posts_rule(void)
{
	struct revenue_policy pol;
	revenue_policy_default(&pol);
	struct revenue_payee payees[] = {
	    {"p1", "q1", 60000, 20, true, true, 20, REVENUE_GRADE_NONE},
	    {"p2", "q2", 60000, 20, true, true, 20, REVENUE_GRADE_NONE},
	};
	struct revenue_month_input in = {.month = "2025-04",
					 .distributable_fen = 150000,
					 .policy = &pol,
					 .payees = payees,
					 .npayees = 2};
	in.carry_in.bucket_fen[REVENUE_PUBLIC_WORKS] = 900000;
	in.spend_fen[REVENUE_PUBLIC_WORKS] = 900000; /* within the balance */
	struct revenue_month_result res;
	struct errlist e = {0};
	char why[512];
	CHECK_INT(revenue_allocate_month(&in, &res, &e), 0);
	/* Paid: 1200 yuan of wages and 9000 + 150 yuan of public works: far below 80%. */
	CHECK(res.posts_share_bp < 8000);
	CHECK_INT(revenue_plan_check(&in, &res, why, sizeof why), 0);
	CHECK_STR(why, "");
	/* The month's new cash given to posts below the minimum is refused, with figures. */
	res.alloc_fen[REVENUE_POSTS] -= 100;
	res.alloc_fen[REVENUE_REWARDS] += 100;
	CHECK_INT(revenue_plan_check(&in, &res, why, sizeof why), -1);
	CHECK(strstr(why, "below the minimum 80.00%") != NULL);
	res.alloc_fen[REVENUE_POSTS] += 100;
	res.alloc_fen[REVENUE_REWARDS] -= 100;
	/* A policy below the minimum is refused before the plan. */
	struct revenue_policy low = pol;
	low.share_bp[REVENUE_POSTS] = 7000;
	low.share_bp[REVENUE_PUBLIC_WORKS] = 2000;
	in.policy = &low;
	CHECK_INT(revenue_plan_check(&in, &res, why, sizeof why), -1);
	CHECK(why[0] != '\0');
	in.policy = &pol;
	/* Exactly the floored minimum passes: 80% of 11 fen is 8.8, floored to 8. */
	struct revenue_month_result tiny = {0};
	tiny.alloc_fen[REVENUE_POSTS] = 8;
	tiny.alloc_fen[REVENUE_PUBLIC_WORKS] = 3;
	CHECK_INT(revenue_plan_check(&in, &tiny, why, sizeof why), 0);
	tiny.alloc_fen[REVENUE_POSTS] = 7;
	tiny.alloc_fen[REVENUE_PUBLIC_WORKS] = 4;
	CHECK_INT(revenue_plan_check(&in, &tiny, why, sizeof why), -1);
	revenue_month_result_free(&res);
	errlist_clear(&e);
}

int main(void)
{
	test_may_allocate();
	test_posts_rule();
	return check_summary();
}
