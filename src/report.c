/* The report's data: construction, owned strings, totals and the names every format shares. */
#include "pvrelief/report.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/xalloc.h"

struct report *report_new(const char *county_id, const char *county_name, const char *month,
			  size_t nvillages, size_t nstations)
{
	struct report *r = xcalloc(1, sizeof *r);
	r->county_id = report_str(r, county_id);
	r->county_name = report_str(r, county_name);
	r->month = report_str(r, month);
	r->villages = xcalloc(nvillages ? nvillages : 1, sizeof *r->villages);
	r->nvillages = nvillages;
	r->stations = xcalloc(nstations ? nstations : 1, sizeof *r->stations);
	r->nstations = nstations;
	r->eta_station_target = 0.6;
	r->eta_county_target = 0.8;
	r->reconcile_tolerance = 0.05;
	r->contact = "";
	memset(r->ledger_hash, '0', 64);
	r->ledger_hash[64] = '\0';
	for (size_t i = 0; i < nstations; i++)
		r->stations[i].cash_periods = "";
	for (size_t v = 0; v < nvillages; v++) {
		r->villages[v].posts_share_bp = -1;
		r->villages[v].state = "";
		r->villages[v].note = "";
	}
	return r;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nstrs; i++)
		free(r->strs[i]);
	for (size_t v = 0; v < r->nvillages; v++) {
		free(r->villages[v].payees);
		free(r->villages[v].stations);
	}
	free(r->strs);
	free(r->amendments);
	free(r->villages);
	free(r->stations);
	free(r);
}

const char *report_str(struct report *r, const char *s)
{
	if (r->nstrs == r->capstrs) {
		r->capstrs = r->capstrs ? r->capstrs * 2 : 64;
		r->strs = xrealloc(r->strs, r->capstrs * sizeof *r->strs);
	}
	return r->strs[r->nstrs++] = xstrdup(s ? s : "");
}

struct report_payee *report_add_payee(struct report *r, size_t v)
{
	struct report_village *rv = &r->villages[v];
	if (rv->npayees == rv->cappayees) {
		rv->cappayees = rv->cappayees ? rv->cappayees * 2 : 16;
		rv->payees = xrealloc(rv->payees, rv->cappayees * sizeof *rv->payees);
	}
	struct report_payee *p = &rv->payees[rv->npayees++];
	memset(p, 0, sizeof *p);
	p->kind = p->person_id = p->name = p->id_masked = p->category = "";
	p->post_id = p->post_kind = p->grade = p->reason = p->owed_month = "";
	return p;
}

struct report_amendment *report_add_amendment(struct report *r)
{
	if (r->namendments == r->capamendments) {
		r->capamendments = r->capamendments ? r->capamendments * 2 : 16;
		r->amendments = xrealloc(r->amendments, r->capamendments * sizeof *r->amendments);
	}
	struct report_amendment *a = &r->amendments[r->namendments++];
	memset(a, 0, sizeof *a);
	a->note = "";
	return a;
}

/* One figure: known or not, in fen or kWh. */
struct figure {
	int has;
	int64_t fen;
	double kwh;
};

static void figure_of(json_t *v, int is_money, struct figure *f)
{
	f->has = v && !json_is_null(v) && json_is_number(v);
	f->fen = f->has && is_money ? (int64_t)json_integer_value(v) : 0;
	f->kwh = f->has && !is_money ? json_number_value(v) : 0;
}

static int figure_differs(const struct figure *a, const struct figure *b, int is_money)
{
	if (a->has != b->has)
		return 1;
	if (!a->has)
		return 0;
	/* kWh are shown to one decimal: a difference below a thousandth is rounding noise. */
	return is_money ? a->fen != b->fen : fabs(a->kwh - b->kwh) >= 0.001;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

static json_t *find_by_id(json_t *array, const char *id)
{
	size_t i;
	json_t *o;
	json_array_foreach(array, i, o)
	{
		if (strcmp(jstr(o, "id"), id) == 0)
			return o;
	}
	return NULL;
}

/* Compares one figure of the posted month with its value now, after the amendments the
 * later notices already made; appends an amendment when it changed. */
static int amend_one(struct report *r, json_t *const *docs, size_t n, const char *month,
		     const char *subject, const char *id, const char *name, const char *field,
		     json_t *posted_value, const struct figure *now)
{
	int is_money = strstr(field, "_fen") != NULL;
	struct figure was;
	figure_of(posted_value, is_money, &was);
	for (size_t k = 1; k < n; k++) {
		size_t i;
		json_t *a;
		json_array_foreach(json_object_get(docs[k], "amendments"), i, a)
		{
			if (strcmp(jstr(a, "month"), month) == 0 &&
			    strcmp(jstr(a, "subject_id"), id) == 0 &&
			    strcmp(jstr(a, "field"), field) == 0)
				figure_of(json_object_get(a, "now"), is_money, &was);
		}
	}
	if (!figure_differs(&was, now, is_money))
		return 0;
	struct report_amendment *am = report_add_amendment(r);
	am->month = report_str(r, month);
	am->subject = subject;
	am->subject_id = report_str(r, id);
	am->subject_name = report_str(r, name);
	am->field = field;
	am->is_money = is_money;
	am->has_posted = was.has;
	am->has_now = now->has;
	am->posted_fen = was.fen;
	am->now_fen = now->fen;
	am->posted_kwh = was.kwh;
	am->now_kwh = now->kwh;
	return 1;
}

int report_amend(struct report *r, const char *const *posted, size_t n, const struct report *now)
{
	json_t **docs = xcalloc(n ? n : 1, sizeof *docs);
	int added = -1;
	for (size_t k = 0; k < n; k++)
		docs[k] = json_loads(posted[k], 0, NULL);
	const char *month =
	    n && docs[0] ? json_string_value(json_object_get(docs[0], "month")) : NULL;
	json_t *stations = n && docs[0] ? json_object_get(docs[0], "stations") : NULL;
	json_t *villages = n && docs[0] ? json_object_get(docs[0], "villages") : NULL;
	if (!month || !json_is_array(stations) || !json_is_array(villages))
		goto done;
	added = 0;
	for (size_t i = 0; i < now->nstations; i++) {
		const struct report_station *s = &now->stations[i];
		json_t *o = find_by_id(stations, s->id);
		if (!o)
			continue;
		const struct figure f[4] = {{s->has_metered, 0, s->metered_kwh},
					    {s->has_measured, 0, s->measured_kwh},
					    {1, s->received_fen, 0},
					    {1, s->receivable_fen, 0}};
		static const char *const fields[4] = {"metered_kwh", "measured_kwh", "received_fen",
						      "receivable_fen"};
		for (int k = 0; k < 4; k++)
			added += amend_one(r, docs, n, month, "station", s->id, s->name, fields[k],
					   json_object_get(o, fields[k]), &f[k]);
	}
	for (size_t i = 0; i < now->nvillages; i++) {
		const struct report_village *v = &now->villages[i];
		json_t *o = find_by_id(villages, v->id);
		if (!o)
			continue;
		const struct figure f[3] = {
		    {1, v->received_fen, 0}, {1, v->receivable_fen, 0}, {1, v->costs_fen, 0}};
		static const char *const fields[3] = {"received_fen", "receivable_fen",
						      "costs_fen"};
		json_t *costs = json_object_get(json_object_get(o, "costs_fen"), "total");
		for (int k = 0; k < 3; k++)
			added += amend_one(r, docs, n, month, "village", v->id, v->name, fields[k],
					   k == 2 ? costs : json_object_get(o, fields[k]), &f[k]);
	}
done:
	for (size_t k = 0; k < n; k++)
		json_decref(docs[k]);
	free(docs);
	return added;
}

int report_amend_payees(struct report *r, const char *const *posted, size_t n,
			int (*now_of)(const char *person, const char *post, void *arg,
				      struct report_payee_now *out),
			void *arg)
{
	json_t **docs = xcalloc(n ? n : 1, sizeof *docs);
	int added = -1;
	for (size_t k = 0; k < n; k++)
		docs[k] = json_loads(posted[k], 0, NULL);
	const char *month =
	    n && docs[0] ? json_string_value(json_object_get(docs[0], "month")) : NULL;
	json_t *villages = n && docs[0] ? json_object_get(docs[0], "villages") : NULL;
	if (!month || !json_is_array(villages))
		goto done;
	added = 0;
	size_t i, k;
	json_t *v, *p;
	json_array_foreach(villages, i, v)
	{
		json_array_foreach(json_object_get(v, "payees"), k, p)
		{
			/* The month's own wages and labour; arrears it paid belong to theirs. */
			if (json_is_string(json_object_get(p, "owed_month")))
				continue;
			const char *person = jstr(p, "person_id"), *post = jstr(p, "post_id");
			struct report_payee_now now = {0, 0, ""};
			if (now_of(person, post, arg, &now) != 0)
				continue;
			char id[256], name[256];
			snprintf(id, sizeof id, "%s/%s", person, post);
			snprintf(name, sizeof name, "%s（%s）", jstr(p, "name"),
				 jstr(p, "post_kind"));
			static const char *const fields[2] = {"due_fen", "paid_fen"};
			for (int f = 0; f < 2; f++) {
				struct figure fig = {1, f ? now.paid_fen : now.due_fen, 0};
				int a = amend_one(r, docs, n, month, "payee", id, name, fields[f],
						  json_object_get(p, fields[f]), &fig);
				if (a && now.note && now.note[0])
					r->amendments[r->namendments - 1].note =
					    report_str(r, now.note);
				added += a;
			}
		}
	}
done:
	for (size_t j = 0; j < n; j++)
		json_decref(docs[j]);
	free(docs);
	return added;
}

void report_totals(const struct report *r, struct report_totals *t)
{
	memset(t, 0, sizeof *t);
	int64_t spent = 0;
	for (size_t v = 0; v < r->nvillages; v++) {
		const struct report_village *rv = &r->villages[v];
		t->received_fen += rv->received_fen;
		t->receivable_fen += rv->receivable_fen;
		t->costs_fen += rv->costs_fen;
		t->distributable_fen += rv->distributable_fen;
		for (int c = 0; c < REPORT_NCOSTS; c++)
			t->cost_fen[c] += rv->cost_fen[c];
		for (int b = 0; b < REVENUE_NBUCKETS; b++) {
			t->alloc_fen[b] += rv->alloc_fen[b];
			t->spent_fen[b] += rv->spent_fen[b];
			t->carry_in_fen[b] += rv->carry_in_fen[b];
			t->carry_out_fen[b] += rv->carry_out_fen[b];
			spent += rv->spent_fen[b];
		}
		for (size_t i = 0; i < rv->npayees; i++) {
			const struct report_payee *p = &rv->payees[i];
			if (strcmp(p->kind, "labour") == 0)
				t->labour_paid_fen += p->paid_fen;
			else
				t->wages_paid_fen += p->paid_fen;
			if (p->paid_fen > 0)
				t->payees_paid++;
		}
		t->villages_with_plan += rv->has_plan ? 1u : 0u;
	}
	for (size_t s = 0; s < r->nstations; s++) {
		t->measured_kwh += r->stations[s].measured_kwh;
		t->metered_kwh += r->stations[s].metered_kwh;
		t->stations_flagged += r->stations[s].reconcile_flag ? 1u : 0u;
	}
	/* Floored like the allocation's own share, so the county never overstates it. */
	t->posts_share_bp =
	    spent > 0 ? (int32_t)((t->spent_fen[REVENUE_POSTS] * 10000) / spent) : -1;
}

const char *report_bucket_zh(enum revenue_bucket b)
{
	static const char *const names[REVENUE_NBUCKETS] = {"岗位及劳务", "小型公益事业",
							    "奖励补助", "运维储备"};
	return (unsigned)b < REVENUE_NBUCKETS ? names[b] : "";
}

const char *report_reason_zh(const char *reason)
{
	if (strcmp(reason, "ok") == 0)
		return "按出勤发放";
	if (strcmp(reason, "no_agreement") == 0)
		return "无劳动协议，不予发放";
	if (strcmp(reason, "no_record") == 0)
		return "无考勤或考核记录，不予发放";
	if (strcmp(reason, "no_work") == 0)
		return "本月未出勤";
	return reason;
}

char *report_yuan(int64_t fen, char *buf)
{
	uint64_t m = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(buf, 32, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", m / 100, m % 100);
	return buf;
}

char *report_month_zh(const char *month, char *buf)
{
	int y = 0, m = 0;
	if (sscanf(month, "%4d-%2d", &y, &m) == 2)
		snprintf(buf, 32, "%d年%d月", y % 10000, m % 100);
	else
		snprintf(buf, 32, "%.31s", month);
	return buf;
}

char *report_day_zh(int64_t t, int offset_s, char *buf)
{
	time_t tt = (time_t)(t + offset_s);
	struct tm tm;
	gmtime_r(&tt, &tm);
	/* Years stay within four digits for any time a report is made; the bounds keep the
	 * compiler's truncation check content. */
	snprintf(buf, 32, "%d年%d月%d日", (tm.tm_year + 1900) % 100000, (tm.tm_mon + 1) % 100,
		 tm.tm_mday % 100);
	return buf;
}

const char *report_field_zh(const char *field)
{
	static const char *const names[][2] = {
	    {"metered_kwh", "电网结算电量"},
	    {"measured_kwh", "实测发电量"},
	    {"received_fen", "到账收入"},
	    {"receivable_fen", "应收未到账补贴"},
	    {"costs_fen", "费用合计"},
	    {"paid_fen", "实发金额"},
	    {"due_fen", "应发金额"},
	    {"correction_settlement", "电费结算冲销"},
	    {"correction_subsidy", "补贴到账冲销"},
	    {"correction_cost", "费用冲销"},
	    {"correction_spending", "支出冲销，退回原用途"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i][0], field) == 0)
			return names[i][1];
	return field;
}

char *report_amendment_value(const struct report_amendment *a, int which, char *buf)
{
	char y[48];
	if (!(which ? a->has_now : a->has_posted))
		snprintf(buf, 48, "—");
	else if (a->is_money)
		snprintf(buf, 48, "%s 元", report_yuan_zh(which ? a->now_fen : a->posted_fen, y));
	else
		snprintf(buf, 48, "%.1f 千瓦时", which ? a->now_kwh : a->posted_kwh);
	return buf;
}

char *report_yuan_zh(int64_t fen, char *buf)
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

char *report_payee_note(const struct report_payee *p, char *buf, size_t len)
{
	char m[32], left[48], due[48];
	int64_t owed = p->due_fen - p->paid_fen;
	unsigned bp = p->due_fen > 0 ? (unsigned)((p->paid_fen * 10000) / p->due_fen) : 0;
	if (p->owed_month[0]) {
		if (owed > 0)
			snprintf(buf, len,
				 "补发%s欠发 %s 元：资金不足，按 %u.%02u%% 补发，仍欠 %s 元结转",
				 report_month_zh(p->owed_month, m), report_yuan_zh(p->due_fen, due),
				 bp / 100, bp % 100, report_yuan_zh(owed, left));
		else
			snprintf(buf, len, "补发%s欠发工资，已全额补发",
				 report_month_zh(p->owed_month, m));
	} else if (strcmp(p->reason, "ok") == 0 && owed > 0) {
		snprintf(buf, len, "资金不足，按 %u.%02u%% 发放，欠发 %s 元结转", bp / 100,
			 bp % 100, report_yuan_zh(owed, left));
	} else if (strcmp(p->reason, "ok") == 0) {
		snprintf(buf, len, "%s", p->grade[0] ? "按考核等级发放" : "按出勤发放");
	} else {
		snprintf(buf, len, "%s", report_reason_zh(p->reason));
	}
	return buf;
}
