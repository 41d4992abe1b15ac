/* The approval workflow of a village's monthly distribution plan: pure rules, no I/O.
 *
 * draft -> approved (village meeting, 四议两公开) -> reviewed (township) -> filed (county)
 *       -> publicised (public notice, 公示) -> paid.
 * Each step is taken in order, never skipped and never undone; a mistake is corrected by a new
 * plan. Payment waits for the end of the public notice.
 *
 * The notice is counted in calendar days in China Standard Time (UTC+8, no daylight saving):
 * the day of publication is day 1, so a notice of 7 days published on 2026-03-01 runs through
 * 2026-03-07 and payment is allowed from 2026-03-08 00:00 UTC+8 (the refusal says "the public
 * notice runs until 2026-03-08"). */
#ifndef PVRELIEF_PLAN_H
#define PVRELIEF_PLAN_H

#include <stddef.h>
#include <stdint.h>

enum plan_state {
	PLAN_DRAFT,	 /* 草稿 */
	PLAN_APPROVED,	 /* 村民会议通过: the village meeting approved it */
	PLAN_REVIEWED,	 /* 乡镇审核: the township reviewed it */
	PLAN_FILED,	 /* 县级备案: the county filed it */
	PLAN_PUBLICISED, /* 公示: the public notice is up */
	PLAN_PAID,	 /* 已发放: paid to individual accounts */
	PLAN_NSTATES
};

/* Error codes of plan_transition. */
enum plan_error {
	PLAN_EINVAL = -1,  /* a state or notice period out of range */
	PLAN_ESAME = -2,   /* the plan is already in the requested state */
	PLAN_EBACK = -3,   /* going back to an earlier state */
	PLAN_ESKIP = -4,   /* skipping a step */
	PLAN_ENOTICE = -5, /* payment before the public notice has ended */
};

/* The notice period most counties use, in days. */
#define PLAN_NOTICE_DAYS_DEFAULT 7
/* The longest notice period accepted, in days. */
#define PLAN_NOTICE_DAYS_MAX 90
/* China Standard Time, in which notice days are counted, as seconds east of UTC. */
#define PLAN_TZ_OFFSET_S (8 * 3600)

/* Returns the English name of a state ("draft", "approved", "reviewed", "filed",
 * "publicised", "paid"), or "unknown"; static storage. */
const char *plan_state_name(enum plan_state s);
/* Returns the Chinese name of a state (草稿, 村民会议通过, 乡镇审核, 县级备案, 公示, 已发放), or
 * "未知"; static storage. */
const char *plan_state_name_zh(enum plan_state s);
/* Parses an English or Chinese state name; returns the state or -1. */
int plan_state_parse(const char *name);
/* Returns the first instant (unix seconds) at which payment is allowed for a notice of
 * notice_days published at publicised_at_unix. */
int64_t plan_notice_end(int64_t publicised_at_unix, int notice_days);
/* Checks whether a plan in state current may move to requested at now_unix; publicised_at_unix
 * and notice_days (1-PLAN_NOTICE_DAYS_MAX) matter only for payment. Returns 0, or a negative
 * plan_error with a sentence in why (English, with the Chinese state names). */
int plan_transition(enum plan_state current, enum plan_state requested, int64_t now_unix,
		    int64_t publicised_at_unix, int notice_days, char *why, size_t whylen);

#endif
