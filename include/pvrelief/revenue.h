/* Monthly allocation of a village's PV revenue: pure integer arithmetic in fen, no I/O.
 *
 * Rounding rules, all exact to the fen:
 * - revenue_split (a joint station's cash between villages, a month's cash into buckets) uses
 *   the largest-remainder method: every output first gets floor(total * part / sum(parts));
 *   the fen left over (fewer than the number of parts) go one each to the outputs with the
 *   largest remainders, ties to the lower index. Outputs sum exactly to the total; a part of 0
 *   gets 0. A negative total is split as its magnitude and negated, so the rule is symmetric.
 * - A PRO_RATA wage is floor(wage * min(days worked, required days) / required days).
 * - A GRADE wage is floor(wage * grade share / 10000).
 * - Wages and labour owed from earlier months (arrears) are paid first from the posts bucket;
 *   when they exceed it, each is paid floor(owed * bucket / total owed).
 * - When the month's wages and labour due exceed what the bucket holds after the arrears,
 *   each payment is floor(due * left / total due); the fen this leaves stay in the posts
 *   bucket and carry forward. Nobody is paid more than is due, and what is due but not paid
 *   is owed: it comes back as an arrear the next month.
 * - The posts share is floored in basis points, so it never overstates the share.
 *
 * What the rules forbid (国开办发〔2017〕61号 and later) is refused rather than paid: wages
 * without a labour agreement or without an attendance or assessment record (pay after work),
 * and entries that hand out cash without labour (an equal split among households). */
#ifndef PVRELIEF_REVENUE_H
#define PVRELIEF_REVENUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvrelief/errlist.h"

/* Largest single amount (wage, labour, receipt, cost, spending) the allocation accepts, in fen
 * (ten billion yuan): with at most REVENUE_MAX_ENTRIES entries no sum can overflow int64_t. */
#define REVENUE_MAX_FEN INT64_C(1000000000000)
/* Largest magnitude of a distributable amount, a carry or a deficit, in fen. */
#define REVENUE_MAX_TOTAL_FEN (REVENUE_MAX_FEN * REVENUE_MAX_ENTRIES)
/* Most payees, labour records or stations one call accepts. */
#define REVENUE_MAX_ENTRIES 100000
/* The minimum share of posts and labour (国开办司发〔2020〕3号), in basis points. */
#define REVENUE_MIN_POSTS_BP_DEFAULT 8000

enum revenue_bucket {
	REVENUE_POSTS,	      /* public-welfare post wages and public-works labour */
	REVENUE_PUBLIC_WORKS, /* small public works (小型公益事业) */
	REVENUE_REWARDS,      /* small rewards and subsidies (奖励补助) */
	REVENUE_OM_RESERVE,   /* operation and maintenance reserve (local practice) */
	REVENUE_NBUCKETS
};

enum revenue_pay_mode {
	REVENUE_PRO_RATA, /* wage scaled by days worked over required days */
	REVENUE_GRADE	  /* wage scaled by the assessment grade's configured share */
};

/* Assessment grades A-D; REVENUE_GRADE_NONE when there is no assessment for the month. */
enum revenue_grade {
	REVENUE_GRADE_NONE,
	REVENUE_GRADE_A,
	REVENUE_GRADE_B,
	REVENUE_GRADE_C,
	REVENUE_GRADE_D
};

struct revenue_policy {
	int32_t share_bp[REVENUE_NBUCKETS]; /* shares of distributable cash, sum 10000 */
	int32_t min_posts_bp;		    /* lowest allowed share_bp[REVENUE_POSTS] */
	enum revenue_pay_mode pay_mode;
	int32_t grade_bp[5]; /* GRADE mode: share of the wage per grade, indexed by revenue_grade;
				grade_bp[REVENUE_GRADE_NONE] is unused */
};

/* Why a payee's wage is what it is. */
enum revenue_reason {
	REVENUE_PAY_OK,		  /* wage due from the record (perhaps scaled in a shortfall) */
	REVENUE_PAY_NO_AGREEMENT, /* refused: no labour agreement covers the month */
	REVENUE_PAY_NO_RECORD,	  /* refused: no attendance (PRO_RATA) or assessment (GRADE) */
	REVENUE_PAY_NO_WORK	  /* nothing due: no days worked, or a grade worth 0% */
};

/* One holder of a public-welfare post for the month. Strings are borrowed. */
struct revenue_payee {
	const char *person_id;
	const char *post_id;
	int64_t wage_fen;    /* monthly wage standard */
	int required_days;   /* days the post requires in the month, 1-31 */
	bool has_agreement;  /* a labour agreement for the post covers the month */
	bool has_attendance; /* an attendance record for the month exists */
	int days_worked;     /* 0-31; only meaningful with an attendance record */
	enum revenue_grade grade;
};

/* Pay for labour on a village public work (以工代赈), from the posts bucket. Strings are
 * borrowed. */
struct revenue_labour {
	const char *person_id;
	const char *work_id; /* the public work the labour was for */
	int days_worked;     /* must be positive: no labour, no pay */
	int64_t amount_fen;
	bool has_agreement; /* a labour agreement covers the work */
};

/* Wages or labour earned in an earlier month and not paid for lack of funds: owed, and paid
 * first when money comes. Strings are borrowed. */
struct revenue_arrear {
	const char *person_id;
	const char *post_id;	/* the post, or for labour the public work */
	bool labour;		/* labour on a public work, not a post's wage */
	const char *owed_month; /* YYYY-MM the work was done in */
	int64_t owed_fen;	/* > 0 */
};

/* What carries from one month to the next. */
struct revenue_carry {
	int64_t bucket_fen[REVENUE_NBUCKETS]; /* unspent balance of each bucket, >= 0 */
	int64_t deficit_fen; /* <= 0: costs beyond receipts, taken from later months' cash */
};

/* A village's month. Pointers are borrowed. */
struct revenue_month_input {
	const char *month;	   /* YYYY-MM, for messages */
	int64_t distributable_fen; /* cash received for the village minus costs; may be negative */
	struct revenue_carry carry_in;
	const struct revenue_policy *policy;
	const struct revenue_payee *payees;
	size_t npayees;
	const struct revenue_labour *labour;
	size_t nlabour;
	/* Spending the plan asks of the other buckets this month (public works, rewards, O&M);
	 * the posts entry is ignored because wages and labour decide it. */
	int64_t spend_fen[REVENUE_NBUCKETS];
	/* Wages and labour owed from earlier months, paid from the posts bucket before the
	 * month's own (scaled like them when the bucket cannot pay them all). */
	const struct revenue_arrear *arrears;
	size_t narrears;
};

/* The outcome of one payee or one labour record. */
struct revenue_payee_result {
	int64_t due_fen;  /* what the record earns before any shortfall scaling */
	int64_t paid_fen; /* what is paid */
	enum revenue_reason reason;
};

struct revenue_month_result {
	int64_t alloc_fen[REVENUE_NBUCKETS];	 /* this month's new cash per bucket */
	int64_t available_fen[REVENUE_NBUCKETS]; /* alloc plus carry-in */
	int64_t spent_fen[REVENUE_NBUCKETS];	 /* paid out of each bucket */
	int64_t unmet_fen[REVENUE_NBUCKETS];	 /* asked for but not available */
	struct revenue_carry carry_out;
	struct revenue_payee_result *payees; /* npayees entries, owned */
	struct revenue_payee_result *labour; /* nlabour entries, owned */
	int64_t wages_due_fen, wages_paid_fen;
	int64_t labour_due_fen, labour_paid_fen;
	bool shortfall;		   /* wages and labour due exceeded the posts bucket */
	int32_t scale_bp;	   /* the month's wages and labour paid at this share of what is
				      due, floored: 10000 without a shortfall */
	int64_t *arrears_paid_fen; /* narrears entries, owned: paid of each arrear */
	int64_t arrears_due_fen, arrears_total_paid_fen; /* owed coming in, and paid of it */
	int64_t owed_out_fen;	/* owed going out: arrears left and this month's wages and labour
				   due but not paid */
	char note[512];		/* the shortfall sentence in Chinese, for the notice, or "" */
	int32_t posts_share_bp; /* posts and labour paid / everything paid, floored; -1 if
				   nothing was paid */
};

/* Splits total_fen by the weights parts[0..n) into out[0..n) (largest remainder, ties to the
 * lower index; see above). Returns 0, or -1 when n is 0, the weights sum to 0 or to more than
 * UINT32_MAX. */
int revenue_split(int64_t total_fen, const uint32_t *parts, size_t n, int64_t *out);

/* Fills p with the default policy: posts 80%, public works 10%, rewards 5%, O&M 5%, minimum
 * posts share 80%, PRO_RATA, grades A 100%, B 90%, C 70%, D 0% (a proposal; configurable). */
void revenue_policy_default(struct revenue_policy *p);
/* Checks shares (each 0-10000, summing to 10000), the minimum posts share and the grade
 * shares. Returns 0, or -1 with a sentence in why giving the figures. */
int revenue_policy_check(const struct revenue_policy *p, char *why, size_t whylen);

/* A joint or single station's cash for the month, seen from one owning village. */
struct revenue_station_cash {
	int64_t received_fen;  /* settlement cash received, not receivables */
	const uint32_t *parts; /* the station's fixed proportions, one per owning village */
	size_t nparts;
	size_t village; /* index of this village in parts */
};
/* Computes the village's distributable cash: its revenue_split share of each station's cash
 * minus the costs charged to it. Returns 0 with *out_fen set (may be negative), or -1 with
 * messages in e when an amount is negative or too large or a station's parts are invalid. */
int revenue_distributable(const struct revenue_station_cash *stations, size_t nstations,
			  const int64_t *costs_fen, size_t ncosts, int64_t *out_fen,
			  struct errlist *e);

/* Allocates a month: splits the distributable cash (after any deficit carried in) by the
 * policy, pays wages and labour from the posts bucket and the requested spending from the
 * others, and works out what carries forward. Balances to the fen:
 * sum(spent) + sum(carry_out) == distributable + sum(carry_in), deficits included.
 * Returns 0 with *out filled (free with revenue_month_result_free), or -1 with every problem
 * reported to e and *out empty: an invalid policy or amount, a duplicate payee, or an entry
 * that would hand out cash without labour. */
int revenue_allocate_month(const struct revenue_month_input *in, struct revenue_month_result *out,
			   struct errlist *e);
/* Frees what a result owns and empties it; safe on an empty result. */
void revenue_month_result_free(struct revenue_month_result *r);

/* What the store knows about a village's months, for deciding whether a month may be
 * allocated. Strings are borrowed; "" when there is none. */
struct revenue_month_facts {
	const char *month;	       /* YYYY-MM to allocate */
	const char *plan_state;	       /* the month's plan state (plan_state_name), "" */
	bool later_plan;	       /* a later month of the village has a plan */
	const char *last_plan_month;   /* the latest month before this one with a plan, "" */
	const char *first_money_month; /* the earliest month any money of the village moved, "" */
};
/* Decides whether a village's month may be allocated (a draft made or replaced). Refused,
 * with a sentence in why: a decided plan (past draft) is never replaced; a month before one
 * already allocated (its carries would change); a month after a gap (allocate the month
 * before first, so no cash or balance is skipped); a first plan later than the first month
 * money moved. Returns 0, or -1. */
int revenue_month_may_allocate(const struct revenue_month_facts *f, char *why, size_t whylen);
/* Writes the month before "YYYY-MM" into out[8]; returns 0, or -1 (out "") when month is not
 * YYYY-MM. */
int revenue_prev_month(const char *month, char out[8]);

/* Where the minimum share of posts and labour (min_posts_bp, 80% by default) is checked:
 * - the policy: share_bp[REVENUE_POSTS] >= min_posts_bp (revenue_policy_check);
 * - each month's plan: of the month's new cash (distributable after any deficit), the posts
 *   bucket gets at least floor(new cash x min_posts_bp / 10000) (this function). What a
 *   month pays out of balances carried from earlier months (a public-works purchase saved
 *   for) does not count against it: that money was allocated, at the policy's shares, in
 *   the months it came in;
 * - the year: posts and labour paid over all money paid in the year, shown with a flag in
 *   the annual report (report --year), not a refusal, since a year's spending of balances
 *   saved in the year before is legitimate.
 * Returns 0, or -1 with a sentence in why giving the figures. */
int revenue_plan_check(const struct revenue_month_input *in, const struct revenue_month_result *res,
		       char *why, size_t whylen);

/* Returns what payee p earns under pol before any shortfall scaling (due_fen, with the
 * reason when nothing is due): the rule revenue_allocate_month applies to each payee, for
 * working out what a corrected attendance record makes due. paid_fen is 0. */
struct revenue_payee_result revenue_payee_due(const struct revenue_payee *p,
					      const struct revenue_policy *pol);

/* Returns the English name of a bucket ("posts", "public_works", "rewards", "om_reserve"). */
const char *revenue_bucket_name(enum revenue_bucket b);
/* Returns a sentence saying why a payee got what they got, for notices and reports. */
const char *revenue_reason_text(enum revenue_reason r);

#endif
