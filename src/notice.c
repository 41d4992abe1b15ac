/* The village's public notice: rendered with amendments, issued once, stored for good. */
#include "pvrelief/notice.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/ledger.h"
#include "pvrelief/plan.h"
#include "pvrelief/report.h"
#include "pvrelief/report_load.h"
#include "pvrelief/store.h"
#include "pvrelief/store_correct.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_notice.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/xalloc.h"

const char *const notice_formats[4] = {"html", "csv", "json", "xlsx"};

/* A county keeps a few decades of months at most; more posted months than this before one
 * notice would be a corrupt store. */
#define NOTICE_MAX_MONTHS 1200

/* What a payee of a posted month has been paid for it by the notice's month: the month's
 * own payment and the arrears of it paid since. */
struct paid_ctx {
	struct store *st;
	const char *village, *owed_month, *upto;
	int err;
	char note[1024];
};

static int paid_now(const char *person, const char *post, void *arg, struct report_payee_now *out)
{
	struct paid_ctx *c = arg;
	int64_t more = 0;
	if (store_rev_paid_for(c->st, c->village, c->owed_month, c->upto, person, post,
			       &out->paid_fen) != 0 ||
	    store_rev_due_for(c->st, c->village, c->owed_month, person, post, &out->due_fen) != 0 ||
	    store_correct_owed_for(c->st, c->village, c->owed_month, c->upto, person, post, &more,
				   c->note, sizeof c->note) != 0) {
		c->err = 1;
		return -1;
	}
	out->due_fen += more;
	out->note = c->note;
	return 0;
}

/* Appends the amendments to village vi's posted month months[p] to r: the month's posted
 * JSON and every later posted JSON (they may already have amended it) against the month
 * as the store has it now. */
static int amend_month(struct store *st, const struct config *cfg, size_t vi, char (*months)[8],
		       int p, int n, int64_t now, struct report *r)
{
	const char *village = cfg->villages[vi].id;
	const char **docs = xcalloc((size_t)(n - p), sizeof *docs);
	struct store_notice *sn = xcalloc((size_t)(n - p), sizeof *sn);
	size_t nd = 0;
	int rc = -1;
	for (int q = p; q < n; q++) {
		int g = store_notice_get(st, village, months[q], "json", &sn[nd]);
		if (g < 0)
			goto done;
		if (g == 0) {
			docs[nd] = (const char *)sn[nd].body;
			nd++;
		}
	}
	rc = 0;
	if (nd && strcmp(sn[0].month, months[p]) == 0) {
		struct report *was = cli_report_load(st, cfg, months[p], (long)vi, 1, now);
		if (!was) {
			rc = -1;
			goto done;
		}
		report_amend(r, docs, nd, was);
		report_free(was);
		struct paid_ctx pc = {st, village, months[p], r->month, 0, ""};
		report_amend_payees(r, docs, nd, paid_now, &pc);
		if (pc.err)
			rc = -1;
	}
done:
	for (size_t i = 0; i < nd; i++)
		free(sn[i].body);
	free(sn);
	free(docs);
	return rc;
}

static const char *cost_kind_zh(const char *kind)
{
	static const char *const names[][2] = {{"om", "运维费"},
					       {"insurance", "保险费"},
					       {"land_rent", "土地租金"},
					       {"other", "其他费用"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i][0], kind) == 0)
			return names[i][1];
	return kind;
}

/* Appends to r an amendment for each correction recorded in the notice's month for a row of
 * an earlier, decided month: what was reversed, as booked, why, by whom and when. */
static int add_corrections(struct store *st, const struct config *cfg, size_t vi, struct report *r)
{
	struct store_correction *c;
	size_t n;
	if (store_correct_into(st, cfg->villages[vi].id, r->month, &c, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char subject[256], note[512], day[32], m[32], pm[32], key[512];
		const char *station = c[i].station;
		for (size_t s = 0; s < cfg->n_stations; s++)
			if (strcmp(cfg->stations[s].id, c[i].station) == 0)
				station = cfg->stations[s].name;
		if (strcmp(c[i].kind, "cost") == 0)
			snprintf(subject, sizeof subject, "%s（票据 %s）", cost_kind_zh(c[i].what),
				 c[i].receipt);
		else if (strcmp(c[i].kind, "spending") == 0)
			snprintf(subject, sizeof subject, "%s支出（票据 %s）",
				 report_bucket_zh(
				     strcmp(c[i].what, "public_works") == 0 ? REVENUE_PUBLIC_WORKS
				     : strcmp(c[i].what, "rewards") == 0    ? REVENUE_REWARDS
									    : REVENUE_OM_RESERVE),
				 c[i].receipt);
		else
			snprintf(subject, sizeof subject, "%s%s（发电期%s）", station,
				 strcmp(c[i].kind, "subsidy") == 0 ? "补贴到账" : "电网结算",
				 report_month_zh(c[i].what, pm));
		snprintf(note, sizeof note, "原因：%s；经办：%s；%s冲销，记入%s账", c[i].reason,
			 c[i].by, report_day_zh(c[i].at_unix, PLAN_TZ_OFFSET_S, day),
			 report_month_zh(r->month, m));
		snprintf(key, sizeof key, "%s/%s/%s/%s", c[i].kind, c[i].station, c[i].what,
			 c[i].receipt);
		char field[32];
		snprintf(field, sizeof field, "correction_%s", c[i].kind);
		struct report_amendment *a = report_add_amendment(r);
		a->month = report_str(r, c[i].month);
		a->subject = "correction";
		a->subject_id = report_str(r, key);
		a->subject_name = report_str(r, subject);
		a->field = report_str(r, field);
		a->is_money = 1;
		a->has_posted = a->has_now = 1;
		a->posted_fen = c[i].amount_fen;
		a->now_fen = 0;
		a->note = report_str(r, note);
	}
	free(c);
	return 0;
}

struct report *notice_load(struct store *st, const struct config *cfg, size_t vi, const char *month,
			   int64_t now)
{
	struct report *r = cli_report_load(st, cfg, month, (long)vi, 1, now);
	if (!r)
		return NULL;
	char(*months)[8] = xmalloc(NOTICE_MAX_MONTHS * sizeof *months);
	int n = store_notice_months(st, cfg->villages[vi].id, month, months, NOTICE_MAX_MONTHS);
	for (int p = 0; p < n; p++)
		if (amend_month(st, cfg, vi, months, p, n, now, r) != 0)
			n = -1;
	if (n >= 0 && add_corrections(st, cfg, vi, r) != 0)
		n = -1;
	free(months);
	if (n < 0) {
		fprintf(stderr, "%s %s: cannot read the posted notices: %s\n", cfg->villages[vi].id,
			month, store_errmsg(st));
		report_free(r);
		return NULL;
	}
	return r;
}

static int render_xlsx(const struct report *r, char **out, size_t *len, char *why, size_t whylen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/pvrelief-notice-XXXXXX", dir && dir[0] ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(why, whylen, "cannot make a temporary file in %s: %s",
			 dir && dir[0] ? dir : "/tmp", strerror(errno));
		return -1;
	}
	close(fd);
	int rc = report_xlsx(r, path, why, whylen);
	FILE *f = rc == 0 ? fopen(path, "rb") : NULL;
	if (rc == 0 && !f) {
		snprintf(why, whylen, "cannot read back %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (f) {
		size_t cap = 65536, n = 0, got;
		char *buf = xmalloc(cap);
		while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
			n += got;
			if (n == cap)
				buf = xrealloc(buf, cap *= 2);
		}
		if (ferror(f)) {
			snprintf(why, whylen, "cannot read back %s", path);
			free(buf);
			rc = -1;
		} else {
			*out = buf;
			*len = n;
		}
		fclose(f);
	}
	unlink(path);
	return rc;
}

int notice_render(const struct report *r, const char *format, char **out, size_t *len, char *why,
		  size_t whylen)
{
	*out = NULL;
	*len = 0;
	if (strcmp(format, "xlsx") == 0)
		return render_xlsx(r, out, len, why, whylen);
	if (strcmp(format, "csv") == 0) {
		*out = report_csv(r, len);
		return 0;
	}
	if (strcmp(format, "json") == 0)
		*out = report_json(r);
	else if (strcmp(format, "html") == 0)
		*out = report_html(r);
	else {
		snprintf(why, whylen, "unknown format \"%s\"", format);
		return -1;
	}
	*len = strlen(*out);
	return 0;
}

/* Renders r in every format, puts each one's SHA-256 in the ledger (an entry of kind notice
 * of village, its memo prefix then "FORMAT sha256 HASH") and stores the bytes with put under
 * key. 0, or -1 with a sentence in why. */
static int issue_formats(struct store *st, const struct report *r, const char *village,
			 const char *key, const char *month, const char *prefix, int64_t now,
			 int (*put)(struct store *st, const struct store_notice *n), char *why,
			 size_t whylen)
{
	for (size_t f = 0; f < sizeof notice_formats / sizeof notice_formats[0]; f++) {
		struct store_notice n = {.issued_at_unix = now};
		char *body = NULL, memo[200];
		size_t len = 0;
		if (notice_render(r, notice_formats[f], &body, &len, why, whylen) != 0)
			return -1;
		snprintf(n.village, sizeof n.village, "%s", key);
		snprintf(n.month, sizeof n.month, "%s", month);
		snprintf(n.format, sizeof n.format, "%s", notice_formats[f]);
		if (ledger_sha256_hex(body, len, n.sha256) != 0) {
			snprintf(why, whylen, "cannot hash the %s notice", notice_formats[f]);
			free(body);
			return -1;
		}
		snprintf(memo, sizeof memo, "%s%s sha256 %s", prefix, notice_formats[f], n.sha256);
		struct ledger_entry e = {.time_unix = now,
					 .kind = "notice",
					 .village_id = village,
					 .station_id = "",
					 .person_id = "",
					 .month = month,
					 .amount_fen = 0,
					 .memo = memo};
		if (store_ledger_append(st, &e, why, whylen) != 0) {
			free(body);
			return -1;
		}
		n.ledger_seq = e.seq;
		n.body = (unsigned char *)body;
		n.len = len;
		int rc = put(st, &n);
		free(body);
		if (rc != 0) {
			snprintf(why, whylen, "cannot store the %s notice: %s", notice_formats[f],
				 store_errmsg(st));
			return -1;
		}
	}
	return 0;
}

/* Issues the town's notice of month once every village of the town has posted its own:
 * the town's villages rendered as `report --public --town` renders them, stored for good
 * like a village's notice, so that the township prints the same document ever after. */
static int town_issue(struct store *st, const struct config *cfg, size_t vi, const char *month,
		      int64_t now, char *why, size_t whylen)
{
	size_t town = cfg->villages[vi].town;
	const char *tid = cfg->towns[town].id;
	struct store_notice sn;
	int got = store_town_notice_get(st, tid, month, "json", &sn);
	free(sn.body);
	if (got <= 0) {
		if (got < 0)
			snprintf(why, whylen, "cannot read the town's notices: %s",
				 store_errmsg(st));
		return got < 0 ? -1 : 0;
	}
	bool *want = xcalloc(cfg->n_villages ? cfg->n_villages : 1, sizeof *want);
	int rc = 0;
	for (size_t v = 0; v < cfg->n_villages && rc == 0; v++) {
		if (cfg->villages[v].town != town)
			continue;
		want[v] = true;
		got = store_notice_get(st, cfg->villages[v].id, month, "json", &sn);
		free(sn.body);
		if (got < 0)
			snprintf(why, whylen, "cannot read the notices: %s", store_errmsg(st));
		rc = got < 0 ? -1 : got > 0 ? 1 : 0; /* a village not yet posted: not yet */
	}
	if (rc == 0) {
		struct report *r = report_load(st, cfg, month, want, 1, now);
		char prefix[128];
		snprintf(prefix, sizeof prefix, "乡镇公示 %s ", tid);
		if (!r) {
			snprintf(why, whylen, "cannot gather the town's notice: %s",
				 store_errmsg(st));
			rc = -1;
		} else {
			rc = issue_formats(st, r, cfg->villages[vi].id, tid, month, prefix, now,
					   store_town_notice_put, why, whylen);
		}
		report_free(r);
	}
	free(want);
	return rc < 0 ? -1 : 0;
}

int notice_issue(struct store *st, const struct config *cfg, size_t vi, const char *month,
		 int64_t now, char *why, size_t whylen)
{
	const char *village = cfg->villages[vi].id;
	struct report *r = notice_load(st, cfg, vi, month, now);
	int rc = -1;
	if (!r) {
		snprintf(why, whylen, "cannot gather the notice: %s", store_errmsg(st));
		return -1;
	}
	if (issue_formats(st, r, village, village, month, "公示 ", now, store_notice_put, why,
			  whylen) != 0)
		goto done;
	rc = town_issue(st, cfg, vi, month, now, why, whylen);
done:
	report_free(r);
	return rc;
}
