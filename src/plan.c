#include "pvrelief/plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const names_en[PLAN_NSTATES] = {"draft", "approved",	  "reviewed",
						   "filed", "publicised", "paid"};
static const char *const names_zh[PLAN_NSTATES] = {"草稿",     "村民会议通过", "乡镇审核",
						   "县级备案", "公示",	       "已发放"};
/* What each step is, for the sentences that refuse a skip. */
static const char *const step_words[PLAN_NSTATES] = {"drafting",
						     "approval by the village meeting",
						     "review by the township",
						     "filing with the county",
						     "the public notice",
						     "payment"};

#define DAY_S INT64_C(86400)

const char *plan_state_name(enum plan_state s)
{
	return (unsigned)s < PLAN_NSTATES ? names_en[s] : "unknown";
}

const char *plan_state_name_zh(enum plan_state s)
{
	return (unsigned)s < PLAN_NSTATES ? names_zh[s] : "未知";
}

int plan_state_parse(const char *name)
{
	for (int i = 0; i < PLAN_NSTATES; i++)
		if (strcmp(name, names_en[i]) == 0 || strcmp(name, names_zh[i]) == 0)
			return i;
	return -1;
}

/* Floor division, so that instants before 1970 fall on the right day. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Converts days since 1970-01-01 to a proleptic Gregorian date, by counting 400-year eras that
 * start on 1 March so that the leap day falls at the end of each year. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468; /* days from 0000-03-01 to 1970-01-01 */
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;					     /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		     /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;				     /* 0..11, March = 0 */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int64_t plan_notice_end(int64_t publicised_at_unix, int notice_days)
{
	int64_t local_day = floor_div(publicised_at_unix + PLAN_TZ_OFFSET_S, DAY_S);
	return (local_day + notice_days) * DAY_S - PLAN_TZ_OFFSET_S;
}

int plan_transition(enum plan_state current, enum plan_state requested, int64_t now_unix,
		    int64_t publicised_at_unix, int notice_days, char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	if ((unsigned)current >= PLAN_NSTATES || (unsigned)requested >= PLAN_NSTATES) {
		snprintf(why, whylen, "plan state %d or %d does not exist", (int)current,
			 (int)requested);
		return PLAN_EINVAL;
	}
	if (requested == current) {
		snprintf(why, whylen, "the plan is already %s (%s)", names_en[current],
			 names_zh[current]);
		return PLAN_ESAME;
	}
	if (requested < current) {
		snprintf(why, whylen,
			 "the plan is %s (%s) and cannot go back to %s (%s); correct it with a new "
			 "plan",
			 names_en[current], names_zh[current], names_en[requested],
			 names_zh[requested]);
		return PLAN_EBACK;
	}
	if (requested > current + 1) {
		snprintf(why, whylen,
			 "the plan is %s (%s) and cannot become %s (%s) before %s (%s)",
			 names_en[current], names_zh[current], names_en[requested],
			 names_zh[requested], step_words[current + 1], names_zh[current + 1]);
		return PLAN_ESKIP;
	}
	if (requested != PLAN_PAID)
		return 0;
	if (notice_days < 1 || notice_days > PLAN_NOTICE_DAYS_MAX) {
		snprintf(why, whylen, "a public notice of %d days is outside 1-%d days",
			 notice_days, PLAN_NOTICE_DAYS_MAX);
		return PLAN_EINVAL;
	}
	/* Far outside any real clock; refusing keeps the date arithmetic from overflowing. */
	if (publicised_at_unix <= 0 || publicised_at_unix > INT64_C(32503680000)) {
		snprintf(why, whylen,
			 "the plan has no valid publication time; payment is refused until the "
			 "public notice has run");
		return PLAN_EINVAL;
	}
	int64_t end = plan_notice_end(publicised_at_unix, notice_days);
	if (now_unix < end) {
		int64_t y;
		int m, d;
		/* Named as the local day on whose first moment payment becomes allowed, so that
		 * "until" and "before then" both read right. */
		civil_from_days(floor_div(end + PLAN_TZ_OFFSET_S, DAY_S), &y, &m, &d);
		snprintf(why, whylen,
			 "the public notice runs until %04" PRId64
			 "-%02d-%02d; payment is refused before then",
			 y, m, d);
		return PLAN_ENOTICE;
	}
	return 0;
}
