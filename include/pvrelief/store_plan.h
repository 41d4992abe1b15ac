/* Distribution plans in the store: a village's plan for a month with its allocation, the
 * approval steps it went through, its payments and the bucket balances it leaves. Works inside
 * the caller's transaction when there is one. */
#ifndef PVRELIEF_STORE_PLAN_H
#define PVRELIEF_STORE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/revenue.h"

struct store;
struct report;

/* A distribution plan's header. */
struct store_rev_plan {
	char village[64], month[8];
	char state[16]; /* plan_state_name */
	int notice_days;
	int64_t publicised_at; /* 0 until publicised */
	int64_t created_at;
	int64_t received_fen, costs_fen, distributable_fen, deficit_in_fen, deficit_out_fen;
	int32_t posts_share_bp, policy_posts_bp, min_posts_bp;
	char note[512];
};
/* Loads the plan of a village's month; 0, 1 when there is none, or negative. */
int store_rev_plan_get(struct store *st, const char *village, const char *month,
		       struct store_rev_plan *out);
/* Finds the latest plan of the village before month (month "" for the latest of all); 0 with
 * it in *out, 1 when there is none, or negative. */
int store_rev_plan_before(struct store *st, const char *village, const char *month,
			  struct store_rev_plan *out);
/* Returns 1 when the village has a plan for a month after month, 0 when not, negative on
 * error. */
int store_rev_plan_later(struct store *st, const char *village, const char *month);
/* Finds the earliest month in which money of the village moved: cash received for one of
 * its stations (ids[0..n)), or a cost, spending or labour record of the village; writes it to
 * out[8] ("" when none). 0 or negative. */
int store_rev_first_month(struct store *st, const char *village, const char *const *ids, size_t n,
			  char out[8]);
/* Loads the balances a plan carries out of its month; 0, 1 when there is no plan, or
 * negative. */
int store_rev_plan_carry(struct store *st, const char *village, const char *month,
			 struct revenue_carry *out);
/* Replaces the draft plan of a village's month (or makes the first) with an allocation and
 * records the draft step; plan holds the header, in/res the allocation. 0 or -1 with why. */
int store_rev_plan_save(struct store *st, const struct store_rev_plan *plan,
			const struct revenue_month_input *in,
			const struct revenue_month_result *res, const char *by, int64_t at_unix,
			char *why, size_t whylen);
/* Moves a plan to state (an English plan_state_name) and records the step with who and
 * when; publicised also sets publicised_at. 0 or negative. */
int store_rev_plan_step(struct store *st, const char *village, const char *month, const char *state,
			const char *by, int64_t at_unix, const char *note);
/* One recorded step of a plan. */
struct store_rev_step {
	char state[16];
	int64_t at_unix;
	char by[128];
	char note[256];
};
/* Loads up to max steps of a plan in order into steps; returns how many, or negative. */
int store_rev_plan_steps(struct store *st, const char *village, const char *month,
			 struct store_rev_step *steps, int max);

/* A plan's payment row. Strings owned by the list. */
struct store_rev_payment {
	char *kind, *person, *post, *grade, *reason;
	int days_worked, required_days;
	int64_t standard_fen, due_fen, paid_fen;
};
/* Loads a plan's payments (wages then labour, by person) into a new array; 0 or negative. */
int store_rev_plan_payments(struct store *st, const char *village, const char *month,
			    struct store_rev_payment **out, size_t *n);
/* Frees a payment list; NULL is allowed. */
void store_rev_payments_free(struct store_rev_payment *p, size_t n);
/* A plan's bucket row. */
struct store_rev_bucket {
	int32_t share_bp;
	int64_t carry_in_fen, alloc_fen, spent_fen, unmet_fen, carry_out_fen;
};
/* Loads a plan's buckets in enum revenue_bucket order; 0, 1 when missing, or negative. */
int store_rev_plan_buckets(struct store *st, const char *village, const char *month,
			   struct store_rev_bucket out[REVENUE_NBUCKETS]);
/* Returns 1 when a plan of the village's month is past the draft (the month's money is
 * decided), with its state name in state[16]; 0 when not; negative on error. */
int store_rev_month_locked(struct store *st, const char *village, const char *month,
			   char state[16]);

/* Arrears: wages and labour owed. Owns its strings. */
struct store_rev_arrears {
	struct revenue_arrear *a;
	size_t n;
	char **strs;
	size_t nstrs;
};
/* Loads what the village still owes after the plan of prev_month (arrears it left unpaid and
 * its own wages and labour due but not paid), oldest first, as the arrears of the month
 * after; 0 or negative. Free with store_rev_arrears_free. */
int store_rev_arrears_load(struct store *st, const char *village, const char *prev_month,
			   struct store_rev_arrears *out);
/* Loads the arrears the plan of a village's month pays, with what it pays of each in a new
 * array *paid_fen (caller frees); 0 or negative. Free out with store_rev_arrears_free. */
int store_rev_plan_arrears(struct store *st, const char *village, const char *month,
			   struct store_rev_arrears *out, int64_t **paid_fen);
/* Frees arrears and empties them. */
void store_rev_arrears_free(struct store_rev_arrears *a);

/* Sets *paid_fen to what a person was paid for a post (or public work) of a village's month:
 * the month's own payment and the arrears of it paid by the plans of the months after it, up
 * to upto; 0 or -1. */
int store_rev_paid_for(struct store *st, const char *village, const char *month, const char *upto,
		       const char *person, const char *post, int64_t *paid_fen);

/* Sets *due_fen to what a village's plan of month made due to a person for a post (or
 * public work); 0 or -1. */
int store_rev_due_for(struct store *st, const char *village, const char *month, const char *person,
		      const char *post, int64_t *due_fen);

/* Fills the report's payees of village index v from its plan: names, masked ID numbers,
 * categories and post kinds joined to the payments; 0 or negative. */
int store_rev_report_payees(struct store *st, struct report *r, size_t v);

#endif
