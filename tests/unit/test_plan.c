/* Tests for the plan approval workflow: every pair of states, and the public notice dates. */
#include <string.h>

#include "check.h"
#include "pvrelief/plan.h"

/* 2026-03-01 10:00 UTC+8; the 7-day notice then runs through 2026-03-07 and payment is
 * allowed from 2026-03-08 00:00 UTC+8 = 1772899200. */
#define PUB INT64_C(1772330400)
#define PAYABLE INT64_C(1772899200)

static void test_every_pair(void)
{
	/* Only the next state is allowed; the same state, earlier states and later-than-next
	 * states each have their own code. Payment is tried well after the notice. */
	for (int cur = 0; cur < PLAN_NSTATES; cur++) {
		for (int req = 0; req < PLAN_NSTATES; req++) {
			char why[256] = "x";
			int rc = plan_transition((enum plan_state)cur, (enum plan_state)req,
						 PAYABLE + 86400, PUB, 7, why, sizeof why);
			int want = req == cur + 1 ? 0
				   : req == cur	  ? PLAN_ESAME
				   : req < cur	  ? PLAN_EBACK
						  : PLAN_ESKIP;
			CHECK_INT(rc, want);
			if (rc == 0)
				CHECK_STR(why, "");
			else
				CHECK(strlen(why) > 20);
		}
	}
}

static void test_messages(void)
{
	static const struct {
		enum plan_state cur, req;
		int64_t now, pub;
		int days, rc;
		const char *why;
	} cases[] = {
	    {PLAN_DRAFT, PLAN_REVIEWED, 0, 0, 7, PLAN_ESKIP,
	     "the plan is draft (草稿) and cannot become reviewed (乡镇审核) before approval by "
	     "the "
	     "village meeting (村民会议通过)"},
	    {PLAN_FILED, PLAN_PAID, PAYABLE, PUB, 7, PLAN_ESKIP,
	     "the plan is filed (县级备案) and cannot become paid (已发放) before the public "
	     "notice "
	     "(公示)"},
	    {PLAN_PAID, PLAN_DRAFT, 0, 0, 7, PLAN_EBACK,
	     "the plan is paid (已发放) and cannot go back to draft (草稿); correct it with a new "
	     "plan"},
	    {PLAN_APPROVED, PLAN_APPROVED, 0, 0, 7, PLAN_ESAME,
	     "the plan is already approved (村民会议通过)"},
	    {(enum plan_state)9, PLAN_DRAFT, 0, 0, 7, PLAN_EINVAL,
	     "plan state 9 or 0 does not exist"},
	    /* The notice: one second before the end is refused, the end itself is allowed. */
	    {PLAN_PUBLICISED, PLAN_PAID, PAYABLE - 1, PUB, 7, PLAN_ENOTICE,
	     "the public notice runs until 2026-03-08; payment is refused before then"},
	    {PLAN_PUBLICISED, PLAN_PAID, PAYABLE, PUB, 7, 0, ""},
	    {PLAN_PUBLICISED, PLAN_PAID, PUB, PUB, 7, PLAN_ENOTICE,
	     "the public notice runs until 2026-03-08"},
	    /* A clock earlier than the publication is refused too. */
	    {PLAN_PUBLICISED, PLAN_PAID, PUB - 86400 * 30, PUB, 7, PLAN_ENOTICE,
	     "runs until 2026-03-08"},
	    /* Published 2026-02-28 23:30 UTC+8: February 2026 has 28 days, so the days are
	     * 28, 1, 2, 3, 4, 5, 6 and payment opens on 2026-03-07. */
	    {PLAN_PUBLICISED, PLAN_PAID, INT64_C(1772292600) + 86400 * 6, INT64_C(1772292600), 7,
	     PLAN_ENOTICE, "runs until 2026-03-07;"},
	    /* 2024 is a leap year: 2024-02-25 08:00 UTC+8 counts 25..29, 1, 2 -> 2024-03-03. */
	    {PLAN_PUBLICISED, PLAN_PAID, INT64_C(1708819200), INT64_C(1708819200), 7, PLAN_ENOTICE,
	     "runs until 2024-03-03;"},
	    /* Across a year end: 2024-12-28 00:00 UTC+8 -> 2025-01-04. */
	    {PLAN_PUBLICISED, PLAN_PAID, INT64_C(1735315200), INT64_C(1735315200), 7, PLAN_ENOTICE,
	     "runs until 2025-01-04;"},
	    /* 2026-03-01 20:00 UTC is already 2026-03-02 04:00 in China: the notice days are
	     * local days, so it runs until 2026-03-09. */
	    {PLAN_PUBLICISED, PLAN_PAID, INT64_C(1772395200), INT64_C(1772395200), 7, PLAN_ENOTICE,
	     "runs until 2026-03-09;"},
	    /* A 1-day notice published on 03-01 opens payment on 03-02 00:00 UTC+8. */
	    {PLAN_PUBLICISED, PLAN_PAID, PAYABLE - 6 * 86400, PUB, 1, 0, ""},
	    {PLAN_PUBLICISED, PLAN_PAID, PAYABLE - 6 * 86400 - 1, PUB, 1, PLAN_ENOTICE,
	     "runs until 2026-03-02;"},
	    {PLAN_PUBLICISED, PLAN_PAID, PAYABLE, PUB, 0, PLAN_EINVAL,
	     "a public notice of 0 days is outside 1-90 days"},
	    {PLAN_PUBLICISED, PLAN_PAID, PAYABLE, PUB, 91, PLAN_EINVAL, "outside 1-90 days"},
	    {PLAN_PUBLICISED, PLAN_PAID, PAYABLE, 0, 7, PLAN_EINVAL,
	     "the plan has no valid publication time"},
	    /* The notice period does not matter for the other steps. */
	    {PLAN_FILED, PLAN_PUBLICISED, 0, 0, 0, 0, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char why[256];
		int rc = plan_transition(cases[i].cur, cases[i].req, cases[i].now, cases[i].pub,
					 cases[i].days, why, sizeof why);
		CHECK_INT(rc, cases[i].rc);
		if (cases[i].why[0])
			CHECK_CONTAINS(why, cases[i].why);
		else
			CHECK_STR(why, "");
	}
}

static void test_names(void)
{
	static const struct {
		enum plan_state s;
		const char *en, *zh;
	} cases[] = {
	    {PLAN_DRAFT, "draft", "草稿"},	     {PLAN_APPROVED, "approved", "村民会议通过"},
	    {PLAN_REVIEWED, "reviewed", "乡镇审核"}, {PLAN_FILED, "filed", "县级备案"},
	    {PLAN_PUBLICISED, "publicised", "公示"}, {PLAN_PAID, "paid", "已发放"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK_STR(plan_state_name(cases[i].s), cases[i].en);
		CHECK_STR(plan_state_name_zh(cases[i].s), cases[i].zh);
		CHECK_INT(plan_state_parse(cases[i].en), cases[i].s);
		CHECK_INT(plan_state_parse(cases[i].zh), cases[i].s);
	}
	CHECK_INT(plan_state_parse("Paid"), -1);
	CHECK_INT(plan_state_parse(""), -1);
	CHECK_STR(plan_state_name(PLAN_NSTATES), "unknown");
	CHECK_STR(plan_state_name_zh((enum plan_state) - 1), "未知");
	CHECK_INT(plan_notice_end(PUB, 7), PAYABLE);
	CHECK_INT(plan_notice_end(PAYABLE, 7), PAYABLE + 7 * 86400);
}

int main(void)
{
	test_every_pair();
	test_messages();
	test_names();
	return check_summary();
}
