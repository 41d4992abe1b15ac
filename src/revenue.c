#include "pvrelief/revenue.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"

static const char *const bucket_names[REVENUE_NBUCKETS] = {"posts", "public_works", "rewards",
							   "om_reserve"};
/* Names used in sentences. */
static const char *const bucket_words[REVENUE_NBUCKETS] = {"posts and labour", "public works",
							   "rewards", "the O&M reserve"};
static const char grade_letters[] = "-ABCD";

const char *revenue_bucket_name(enum revenue_bucket b)
{
	return (unsigned)b < REVENUE_NBUCKETS ? bucket_names[b] : "unknown";
}

const char *revenue_reason_text(enum revenue_reason r)
{
	switch (r) {
	case REVENUE_PAY_OK:
		return "paid for the work recorded";
	case REVENUE_PAY_NO_AGREEMENT:
		return "refused: no labour agreement covers the month";
	case REVENUE_PAY_NO_RECORD:
		return "refused: no attendance or assessment record for the month (pay after work)";
	case REVENUE_PAY_NO_WORK:
		return "nothing due: no work recorded for the month";
	}
	return "unknown reason";
}

/* Returns floor(a * b / c) and sets *rem (when not NULL) to the remainder, for c > 0 and a
 * quotient that fits in 64 bits (every caller has a * b / c <= a or <= 10000). The product is
 * formed in 128 bits from 32-bit halves and divided bit by bit: portable C11, also on 32-bit
 * gateways that lack a 128-bit integer type. */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c, uint64_t *rem)
{
	assert(c > 0);
	uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32, b_lo = b & 0xffffffffu, b_hi = b >> 32;
	uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
	uint64_t mid = (p0 >> 32) + (p1 & 0xffffffffu) + (p2 & 0xffffffffu);
	uint64_t lo = (p0 & 0xffffffffu) | (mid << 32);
	uint64_t hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
	if (hi == 0) {
		if (rem)
			*rem = lo % c;
		return lo / c;
	}
	assert(hi < c);
	uint64_t r = hi, q = 0;
	for (int i = 63; i >= 0; i--) {
		uint64_t top = r >> 63;
		r = (r << 1) | ((lo >> i) & 1u);
		q <<= 1;
		/* When the shift carried out of 64 bits, r really exceeds c; unsigned wrap-around
		 * then gives the right difference. */
		if (top || r >= c) {
			r -= c;
			q |= 1;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

struct rank {
	uint64_t rem;
	size_t idx;
};

static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;
	if (a->rem != b->rem)
		return a->rem > b->rem ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

int revenue_split(int64_t total_fen, const uint32_t *parts, size_t n, int64_t *out)
{
	if (n == 0 || total_fen == INT64_MIN)
		return -1;
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += parts[i];
	if (sum == 0 || sum > UINT32_MAX)
		return -1;
	uint64_t mag = total_fen < 0 ? 0 - (uint64_t)total_fen : (uint64_t)total_fen;
	struct rank *rk = xmalloc(n * sizeof *rk);
	uint64_t given = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t q = muldiv(mag, parts[i], sum, &rk[i].rem);
		rk[i].idx = i;
		out[i] = (int64_t)q;
		given += q;
	}
	/* The fractional parts add up to the fen left over, so fewer than n fen remain and only
	 * outputs with a non-zero remainder (hence a non-zero part) receive one. */
	uint64_t left = mag - given;
	assert(left < n);
	qsort(rk, n, sizeof *rk, rank_cmp);
	for (uint64_t k = 0; k < left; k++)
		out[rk[k].idx]++;
	free(rk);
	if (total_fen < 0)
		for (size_t i = 0; i < n; i++)
			out[i] = -out[i];
	return 0;
}

void revenue_policy_default(struct revenue_policy *p)
{
	memset(p, 0, sizeof *p);
	p->share_bp[REVENUE_POSTS] = 8000;
	p->share_bp[REVENUE_PUBLIC_WORKS] = 1000;
	p->share_bp[REVENUE_REWARDS] = 500;
	p->share_bp[REVENUE_OM_RESERVE] = 500;
	p->min_posts_bp = REVENUE_MIN_POSTS_BP_DEFAULT;
	p->pay_mode = REVENUE_PRO_RATA;
	p->grade_bp[REVENUE_GRADE_A] = 10000;
	p->grade_bp[REVENUE_GRADE_B] = 9000;
	p->grade_bp[REVENUE_GRADE_C] = 7000;
	p->grade_bp[REVENUE_GRADE_D] = 0;
}

/* Formats basis points as a percentage with two decimals ("75.00%") into buf[32]. */
static const char *pct(int64_t bp, char *buf)
{
	uint64_t mag = bp < 0 ? 0 - (uint64_t)bp : (uint64_t)bp;
	snprintf(buf, 32, "%s%" PRIu64 ".%02" PRIu64 "%%", bp < 0 ? "-" : "", mag / 100, mag % 100);
	return buf;
}

/* Formats fen as yuan with two decimals ("-12.05") into buf[32]. */
static const char *yuan(int64_t fen, char *buf)
{
	uint64_t mag = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(buf, 32, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", mag / 100, mag % 100);
	return buf;
}

/* Formats fen as yuan with thousands separators and two decimals ("1,234,567.05") into
 * buf[48], as Chinese notices write amounts. */
static const char *yuan_zh(int64_t fen, char *buf)
{
	char digits[32];
	uint64_t mag = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
	int n = snprintf(digits, sizeof digits, "%" PRIu64, mag / 100), o = 0;
	if (fen < 0)
		buf[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	snprintf(buf + o, (size_t)(48 - o), ".%02" PRIu64, mag % 100);
	return buf;
}

int revenue_policy_check(const struct revenue_policy *p, char *why, size_t whylen)
{
	char a[32], b[32];
	int64_t sum = 0;
	for (int i = 0; i < REVENUE_NBUCKETS; i++) {
		if (p->share_bp[i] < 0 || p->share_bp[i] > 10000) {
			snprintf(why, whylen, "the share of %s is %s; a share must be 0-100%%",
				 bucket_words[i], pct(p->share_bp[i], a));
			return -1;
		}
		sum += p->share_bp[i];
	}
	if (sum != 10000) {
		snprintf(why, whylen, "the shares add up to %s, not 100.00%%", pct(sum, a));
		return -1;
	}
	if (p->min_posts_bp < 0 || p->min_posts_bp > 10000) {
		snprintf(why, whylen,
			 "the minimum share of posts and labour is %s; it must be 0-100%%",
			 pct(p->min_posts_bp, a));
		return -1;
	}
	if (p->share_bp[REVENUE_POSTS] < p->min_posts_bp) {
		snprintf(why, whylen, "posts and labour get %s, below the minimum %s",
			 pct(p->share_bp[REVENUE_POSTS], a), pct(p->min_posts_bp, b));
		return -1;
	}
	if (p->pay_mode != REVENUE_PRO_RATA && p->pay_mode != REVENUE_GRADE) {
		snprintf(why, whylen, "the pay mode %d is neither pro rata nor by grade",
			 (int)p->pay_mode);
		return -1;
	}
	for (int g = REVENUE_GRADE_A; g <= REVENUE_GRADE_D; g++) {
		if (p->grade_bp[g] < 0 || p->grade_bp[g] > 10000) {
			snprintf(why, whylen, "grade %c pays %s of the wage; it must be 0-100%%",
				 grade_letters[g], pct(p->grade_bp[g], a));
			return -1;
		}
		/* A worse grade paying more than a better one is a typing error in the
		 * configuration, not a policy. */
		if (g > REVENUE_GRADE_A && p->grade_bp[g] > p->grade_bp[g - 1]) {
			snprintf(why, whylen,
				 "grade %c pays %s of the wage, more than grade %c's %s",
				 grade_letters[g], pct(p->grade_bp[g], a), grade_letters[g - 1],
				 pct(p->grade_bp[g - 1], b));
			return -1;
		}
	}
	if (whylen)
		why[0] = '\0';
	return 0;
}

int revenue_distributable(const struct revenue_station_cash *stations, size_t nstations,
			  const int64_t *costs_fen, size_t ncosts, int64_t *out_fen,
			  struct errlist *e)
{
	size_t e0 = e->n;
	char y[32];
	int64_t total = 0;
	if (nstations > REVENUE_MAX_ENTRIES || ncosts > REVENUE_MAX_ENTRIES) {
		errlist_add(e, NULL, 0, "more than %d stations or costs in one month",
			    REVENUE_MAX_ENTRIES);
		return -1;
	}
	for (size_t i = 0; i < nstations; i++) {
		const struct revenue_station_cash *s = &stations[i];
		if (s->received_fen < 0 || s->received_fen > REVENUE_MAX_FEN) {
			errlist_add(e, NULL, 0,
				    "station %zu: cash received %s yuan is negative or too large",
				    i + 1, yuan(s->received_fen, y));
			continue;
		}
		if (s->village >= s->nparts) {
			errlist_add(
			    e, NULL, 0,
			    "station %zu: the village is share %zu of %zu; it owns no share", i + 1,
			    s->village + 1, s->nparts);
			continue;
		}
		int64_t *shares = xmalloc(s->nparts * sizeof *shares);
		if (revenue_split(s->received_fen, s->parts, s->nparts, shares) < 0)
			errlist_add(e, NULL, 0,
				    "station %zu: the villages' parts add up to 0 or more than "
				    "4294967295",
				    i + 1);
		else
			total += shares[s->village];
		free(shares);
	}
	for (size_t i = 0; i < ncosts; i++) {
		if (costs_fen[i] < 0 || costs_fen[i] > REVENUE_MAX_FEN)
			errlist_add(e, NULL, 0, "cost %zu: %s yuan is negative or too large", i + 1,
				    yuan(costs_fen[i], y));
		else
			total -= costs_fen[i];
	}
	if (e->n > e0)
		return -1;
	*out_fen = total;
	return 0;
}

static int empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* Reports every problem with the input; returns the number found. */
static size_t validate(const struct revenue_month_input *in, const char *month, struct errlist *e)
{
	size_t e0 = e->n;
	char why[256], y[32];
	if (!in->policy)
		errlist_add(e, NULL, 0, "%s: no allocation policy was given", month);
	else if (revenue_policy_check(in->policy, why, sizeof why) < 0)
		errlist_add(e, NULL, 0, "%s: %s", month, why);
	if (in->distributable_fen > REVENUE_MAX_TOTAL_FEN ||
	    in->distributable_fen < -REVENUE_MAX_TOTAL_FEN)
		errlist_add(e, NULL, 0, "%s: the distributable amount %s yuan is out of range",
			    month, yuan(in->distributable_fen, y));
	for (int b = 0; b < REVENUE_NBUCKETS; b++) {
		int64_t c = in->carry_in.bucket_fen[b];
		if (c < 0 || c > REVENUE_MAX_TOTAL_FEN)
			errlist_add(
			    e, NULL, 0,
			    "%s: %s carry in %s yuan; a bucket's balance cannot be negative "
			    "or that large",
			    month, bucket_words[b], yuan(c, y));
		if (b != REVENUE_POSTS &&
		    (in->spend_fen[b] < 0 || in->spend_fen[b] > REVENUE_MAX_FEN))
			errlist_add(e, NULL, 0,
				    "%s: spending of %s yuan on %s is negative or too large", month,
				    yuan(in->spend_fen[b], y), bucket_words[b]);
	}
	if (in->carry_in.deficit_fen > 0 || in->carry_in.deficit_fen < -REVENUE_MAX_TOTAL_FEN)
		errlist_add(e, NULL, 0,
			    "%s: the deficit carried in is %s yuan; a deficit is zero or negative",
			    month, yuan(in->carry_in.deficit_fen, y));
	if (in->npayees > REVENUE_MAX_ENTRIES || in->nlabour > REVENUE_MAX_ENTRIES) {
		errlist_add(e, NULL, 0, "%s: more than %d payees or labour records", month,
			    REVENUE_MAX_ENTRIES);
		return e->n - e0;
	}
	for (size_t i = 0; i < in->npayees; i++) {
		const struct revenue_payee *p = &in->payees[i];
		const char *who = empty(p->person_id) ? "?" : p->person_id;
		if (empty(p->person_id))
			errlist_add(e, NULL, 0, "%s: payee %zu has no person id", month, i + 1);
		if (empty(p->post_id))
			errlist_add(
			    e, NULL, 0,
			    "%s: payee %zu (person %s) holds no post; paying a household "
			    "without a post and its work is an equal split of cash, which the "
			    "rules forbid",
			    month, i + 1, who);
		if (p->required_days < 1 || p->required_days > 31)
			errlist_add(
			    e, NULL, 0,
			    "%s: payee %zu (person %s) has %d required days; a post requires "
			    "1-31 days of work a month, and a wage without work is not allowed",
			    month, i + 1, who, p->required_days);
		if (p->wage_fen < 0 || p->wage_fen > REVENUE_MAX_FEN)
			errlist_add(
			    e, NULL, 0,
			    "%s: payee %zu (person %s) has a wage of %s yuan, negative or too "
			    "large",
			    month, i + 1, who, yuan(p->wage_fen, y));
		if (p->days_worked < 0 || p->days_worked > 31)
			errlist_add(e, NULL, 0,
				    "%s: payee %zu (person %s) worked %d days; 0-31 are possible",
				    month, i + 1, who, p->days_worked);
		if ((unsigned)p->grade > REVENUE_GRADE_D)
			errlist_add(e, NULL, 0, "%s: payee %zu (person %s) has an unknown grade %d",
				    month, i + 1, who, (int)p->grade);
		if (empty(p->person_id) || empty(p->post_id))
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct revenue_payee *q = &in->payees[j];
			if (!empty(q->person_id) && !empty(q->post_id) &&
			    strcmp(p->person_id, q->person_id) == 0 &&
			    strcmp(p->post_id, q->post_id) == 0) {
				errlist_add(e, NULL, 0,
					    "%s: payees %zu and %zu are both person %s on post %s; "
					    "one post is paid once",
					    month, j + 1, i + 1, p->person_id, p->post_id);
				break;
			}
		}
	}
	for (size_t i = 0; i < in->nlabour; i++) {
		const struct revenue_labour *l = &in->labour[i];
		const char *who = empty(l->person_id) ? "?" : l->person_id;
		if (empty(l->person_id))
			errlist_add(e, NULL, 0, "%s: labour record %zu has no person id", month,
				    i + 1);
		if (empty(l->work_id) || l->days_worked <= 0)
			errlist_add(
			    e, NULL, 0,
			    "%s: labour record %zu (person %s) pays %s yuan without a public "
			    "work and days worked; cash without labour is not allowed",
			    month, i + 1, who, yuan(l->amount_fen, y));
		else if (l->days_worked > 31)
			errlist_add(
			    e, NULL, 0,
			    "%s: labour record %zu (person %s) has %d days worked; 1-31 are "
			    "possible",
			    month, i + 1, who, l->days_worked);
		if (l->amount_fen < 0 || l->amount_fen > REVENUE_MAX_FEN)
			errlist_add(
			    e, NULL, 0,
			    "%s: labour record %zu (person %s) pays %s yuan, negative or too "
			    "large",
			    month, i + 1, who, yuan(l->amount_fen, y));
	}
	for (size_t i = 0; i < in->narrears; i++) {
		const struct revenue_arrear *a = &in->arrears[i];
		if (empty(a->person_id) || empty(a->post_id) || a->owed_fen <= 0 ||
		    a->owed_fen > REVENUE_MAX_FEN)
			errlist_add(e, NULL, 0,
				    "%s: arrear %zu (person %s, %s) owes %s yuan; an arrear is a "
				    "positive amount owed to a person for a post or a public work",
				    month, i + 1, empty(a->person_id) ? "?" : a->person_id,
				    empty(a->post_id) ? "?" : a->post_id, yuan(a->owed_fen, y));
	}
	if (in->narrears > REVENUE_MAX_ENTRIES)
		errlist_add(e, NULL, 0, "%s: %zu arrears; at most %d are accepted", month,
			    in->narrears, REVENUE_MAX_ENTRIES);
	return e->n - e0;
}

/* Works out what a payee earns before any shortfall scaling. */
static struct revenue_payee_result payee_due(const struct revenue_payee *p,
					     const struct revenue_policy *pol)
{
	struct revenue_payee_result r = {0, 0, REVENUE_PAY_OK};
	if (!p->has_agreement) {
		r.reason = REVENUE_PAY_NO_AGREEMENT;
		return r;
	}
	if (pol->pay_mode == REVENUE_PRO_RATA) {
		if (!p->has_attendance) {
			r.reason = REVENUE_PAY_NO_RECORD;
			return r;
		}
		int days = p->days_worked < p->required_days ? p->days_worked : p->required_days;
		r.due_fen = (int64_t)muldiv((uint64_t)p->wage_fen, (uint64_t)days,
					    (uint64_t)p->required_days, NULL);
		if (days == 0)
			r.reason = REVENUE_PAY_NO_WORK;
	} else {
		if (p->grade == REVENUE_GRADE_NONE) {
			r.reason = REVENUE_PAY_NO_RECORD;
			return r;
		}
		int32_t bp = pol->grade_bp[p->grade];
		r.due_fen = (int64_t)muldiv((uint64_t)p->wage_fen, (uint64_t)bp, 10000, NULL);
		if (bp == 0)
			r.reason = REVENUE_PAY_NO_WORK;
	}
	return r;
}

struct revenue_payee_result revenue_payee_due(const struct revenue_payee *p,
					      const struct revenue_policy *pol)
{
	return payee_due(p, pol);
}

/* Pays r->due_fen in full, or scaled by avail / total_due when the bucket falls short. */
static void pay(struct revenue_payee_result *r, int shortfall, int64_t avail, int64_t total_due)
{
	if (!shortfall)
		r->paid_fen = r->due_fen;
	else
		r->paid_fen = (int64_t)muldiv((uint64_t)r->due_fen, (uint64_t)avail,
					      (uint64_t)total_due, NULL);
}

int revenue_allocate_month(const struct revenue_month_input *in, struct revenue_month_result *out,
			   struct errlist *e)
{
	memset(out, 0, sizeof *out);
	const char *month = empty(in->month) ? "the month" : in->month;
	if (validate(in, month, e) > 0)
		return -1;
	const struct revenue_policy *pol = in->policy;

	/* A deficit carried in is covered before any new cash is shared out; while cash stays
	 * negative nothing new is allocated, and the balances carried in are still usable. */
	int64_t base = in->distributable_fen + in->carry_in.deficit_fen;
	if (base > 0) {
		uint32_t parts[REVENUE_NBUCKETS];
		for (int b = 0; b < REVENUE_NBUCKETS; b++)
			parts[b] = (uint32_t)pol->share_bp[b];
		int rc = revenue_split(base, parts, REVENUE_NBUCKETS, out->alloc_fen);
		assert(rc == 0);
		(void)rc;
	} else {
		out->carry_out.deficit_fen = base;
	}
	for (int b = 0; b < REVENUE_NBUCKETS; b++)
		out->available_fen[b] = out->alloc_fen[b] + in->carry_in.bucket_fen[b];

	out->payees = xcalloc(in->npayees, sizeof *out->payees);
	out->labour = xcalloc(in->nlabour, sizeof *out->labour);
	for (size_t i = 0; i < in->npayees; i++) {
		out->payees[i] = payee_due(&in->payees[i], pol);
		out->wages_due_fen += out->payees[i].due_fen;
	}
	for (size_t i = 0; i < in->nlabour; i++) {
		struct revenue_payee_result *r = &out->labour[i];
		r->reason = in->labour[i].has_agreement ? REVENUE_PAY_OK : REVENUE_PAY_NO_AGREEMENT;
		r->due_fen = in->labour[i].has_agreement ? in->labour[i].amount_fen : 0;
		out->labour_due_fen += r->due_fen;
	}

	/* Arrears first: work already done and owed comes before this month's. */
	int64_t avail = out->available_fen[REVENUE_POSTS];
	out->arrears_paid_fen =
	    xcalloc(in->narrears ? in->narrears : 1, sizeof *out->arrears_paid_fen);
	for (size_t i = 0; i < in->narrears; i++)
		out->arrears_due_fen += in->arrears[i].owed_fen;
	for (size_t i = 0; i < in->narrears; i++) {
		int64_t owed = in->arrears[i].owed_fen;
		out->arrears_paid_fen[i] =
		    out->arrears_due_fen <= avail
			? owed
			: (int64_t)muldiv((uint64_t)owed, (uint64_t)avail,
					  (uint64_t)out->arrears_due_fen, NULL);
		out->arrears_total_paid_fen += out->arrears_paid_fen[i];
		out->owed_out_fen += owed - out->arrears_paid_fen[i];
	}
	avail -= out->arrears_total_paid_fen;
	int64_t total_due = out->wages_due_fen + out->labour_due_fen;
	out->shortfall = total_due > avail;
	out->scale_bp = out->shortfall
			    ? (int32_t)muldiv((uint64_t)avail, 10000, (uint64_t)total_due, NULL)
			    : 10000;
	for (size_t i = 0; i < in->npayees; i++) {
		pay(&out->payees[i], out->shortfall, avail, total_due);
		out->wages_paid_fen += out->payees[i].paid_fen;
	}
	for (size_t i = 0; i < in->nlabour; i++) {
		pay(&out->labour[i], out->shortfall, avail, total_due);
		out->labour_paid_fen += out->labour[i].paid_fen;
	}
	out->spent_fen[REVENUE_POSTS] =
	    out->arrears_total_paid_fen + out->wages_paid_fen + out->labour_paid_fen;
	out->unmet_fen[REVENUE_POSTS] =
	    out->arrears_due_fen + total_due - out->spent_fen[REVENUE_POSTS];
	out->owed_out_fen += total_due - out->wages_paid_fen - out->labour_paid_fen;
	for (int b = 0; b < REVENUE_NBUCKETS; b++) {
		if (b != REVENUE_POSTS) {
			int64_t want = in->spend_fen[b];
			out->spent_fen[b] =
			    want < out->available_fen[b] ? want : out->available_fen[b];
			out->unmet_fen[b] = want - out->spent_fen[b];
		}
		out->carry_out.bucket_fen[b] = out->available_fen[b] - out->spent_fen[b];
	}

	if (out->shortfall || out->arrears_total_paid_fen < out->arrears_due_fen) {
		char a[48], b[48], c[48], p[32], q[48], mz[40];
		int n = 0, y = 0, mo = 0;
		/* The note goes on a Chinese notice: the month in Chinese form too. */
		if (month && sscanf(month, "%4d-%2d", &y, &mo) == 2)
			snprintf(mz, sizeof mz, "%d年%d月", y % 10000, mo % 100);
		else
			snprintf(mz, sizeof mz, "%.32s", month ? month : "");
		month = mz;
		if (out->arrears_due_fen)
			n = snprintf(out->note, sizeof out->note,
				     "%.32s：先补发以前月份欠发 %s 元中的 %s 元；", month,
				     yuan_zh(out->arrears_due_fen, q),
				     yuan_zh(out->arrears_total_paid_fen, a));
		if (n < 0 || (size_t)n >= sizeof out->note)
			n = 0;
		if (!out->shortfall)
			snprintf(out->note + n, sizeof out->note - (size_t)n,
				 "本月工资及劳务足额发放，欠发 %s 元结转，资金到位后优先补发。",
				 yuan_zh(out->owed_out_fen, c));
		else
			snprintf(out->note + n, sizeof out->note - (size_t)n,
				 "%.32s%s应发工资及劳务 %s 元，岗位资金 %s 元，资金不足，按 %s "
				 "发放，欠发 %s "
				 "元结转，资金到位后优先补发。",
				 n ? "" : month, n ? "本月" : "：", yuan_zh(total_due, a),
				 yuan_zh(avail, b), pct(out->scale_bp, p),
				 yuan_zh(out->owed_out_fen, c));
	}

	int64_t spent = 0, carried = 0, carried_in = 0;
	for (int b = 0; b < REVENUE_NBUCKETS; b++) {
		spent += out->spent_fen[b];
		carried += out->carry_out.bucket_fen[b];
		carried_in += in->carry_in.bucket_fen[b];
		assert(out->spent_fen[b] >= 0 && out->carry_out.bucket_fen[b] >= 0);
	}
	out->posts_share_bp = spent > 0 ? (int32_t)muldiv((uint64_t)out->spent_fen[REVENUE_POSTS],
							  10000, (uint64_t)spent, NULL)
					: -1;
	/* The month must balance to the fen; anything else is a bug in this file. */
	assert(spent + carried + out->carry_out.deficit_fen ==
	       in->distributable_fen + carried_in + in->carry_in.deficit_fen);
	(void)carried;
	(void)carried_in;
	return 0;
}

void revenue_month_result_free(struct revenue_month_result *r)
{
	free(r->arrears_paid_fen);
	free(r->payees);
	free(r->labour);
	memset(r, 0, sizeof *r);
}

static int month_ok(const char *m)
{
	return m && strlen(m) == 7 && m[4] == '-' && m[0] >= '0' && m[0] <= '9' && m[1] >= '0' &&
	       m[1] <= '9' && m[2] >= '0' && m[2] <= '9' && m[3] >= '0' && m[3] <= '9' &&
	       ((m[5] == '0' && m[6] >= '1' && m[6] <= '9') ||
		(m[5] == '1' && m[6] >= '0' && m[6] <= '2'));
}

int revenue_prev_month(const char *month, char out[8])
{
	out[0] = '\0';
	if (!month_ok(month))
		return -1;
	int y = (month[0] - '0') * 1000 + (month[1] - '0') * 100 + (month[2] - '0') * 10 +
		(month[3] - '0');
	int m = (month[5] - '0') * 10 + (month[6] - '0') - 1;
	if (m == 0) {
		m = 12;
		y--;
	}
	if (y < 0)
		return -1;
	snprintf(out, 8, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
	return 0;
}

int revenue_month_may_allocate(const struct revenue_month_facts *f, char *why, size_t whylen)
{
	char prev[8];
	if (whylen)
		why[0] = '\0';
	if (revenue_prev_month(f->month, prev) != 0) {
		snprintf(why, whylen, "\"%s\" is not a month (YYYY-MM)", f->month ? f->month : "");
		return -1;
	}
	if (f->plan_state && f->plan_state[0] && strcmp(f->plan_state, "draft") != 0) {
		snprintf(why, whylen, "the plan is already %s; a decided plan is not replaced",
			 f->plan_state);
		return -1;
	}
	if (f->later_plan) {
		snprintf(why, whylen,
			 "a later month is already allocated; re-allocating this one would change "
			 "the balances it carried forward");
		return -1;
	}
	if (f->last_plan_month && f->last_plan_month[0] && strcmp(f->last_plan_month, prev) != 0) {
		snprintf(why, whylen,
			 "the last plan is for %s; allocate %s first so that no month's cash or "
			 "balance is skipped",
			 f->last_plan_month, prev);
		return -1;
	}
	/* The first plan of a village must start where its money starts, or the cash of the
	 * months before would never be distributed. */
	if ((!f->last_plan_month || !f->last_plan_month[0]) && f->first_money_month &&
	    f->first_money_month[0] && strcmp(f->first_money_month, f->month) < 0) {
		snprintf(why, whylen,
			 "money of the village moved in %s and no month is allocated yet; allocate "
			 "from %s so that none of it is skipped",
			 f->first_money_month, f->first_money_month);
		return -1;
	}
	return 0;
}

int revenue_plan_check(const struct revenue_month_input *in, const struct revenue_month_result *res,
		       char *why, size_t whylen)
{
	char y1[32], y2[32], y3[32];
	if (whylen)
		why[0] = '\0';
	if (revenue_policy_check(in->policy, why, whylen) != 0)
		return -1;
	int64_t fresh = 0;
	for (int b = 0; b < REVENUE_NBUCKETS; b++)
		fresh += res->alloc_fen[b];
	/* Floored, like every share here: the bucket may hold the fen the rounding gives it,
	 * never less than the minimum of the month's new cash. */
	int64_t min_fen = fresh / 10000 * in->policy->min_posts_bp +
			  fresh % 10000 * in->policy->min_posts_bp / 10000;
	if (res->alloc_fen[REVENUE_POSTS] < min_fen) {
		snprintf(why, whylen,
			 "%s: posts and labour get %s yuan of the month's %s yuan of new cash, "
			 "below the minimum %d.%02d%% (%s yuan)",
			 in->month ? in->month : "", yuan(res->alloc_fen[REVENUE_POSTS], y1),
			 yuan(fresh, y2), in->policy->min_posts_bp / 100,
			 in->policy->min_posts_bp % 100, yuan(min_fen, y3));
		return -1;
	}
	return 0;
}
