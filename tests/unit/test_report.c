/* Tests for the report renderers on a hand-built report: amounts in every format, the public
 * variant without ID numbers or categories, HTML escaping, the CSV formula guard, and the
 * dash for a station without a recorded efficiency. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/report.h"
#include "pvrelief/report_year.h"

static struct report *make(int public_notice)
{
	struct report *r = report_new("c", "测试县", "2025-06", 1, 2);
	r->public_notice = public_notice;
	r->generated_unix = 1750000000;
	r->utc_offset_s = 8 * 3600;
	r->stations[0] = (struct report_station){.id = "s1",
						 .name = "一号站",
						 .village_id = "v1",
						 .capacity_kwp = 100,
						 .has_metered = 1,
						 .metered_kwh = 12000,
						 .has_measured = 1,
						 .measured_kwh = 9000,
						 .reconcile_flag = 1,
						 .diff_fraction = 0.25,
						 .received_fen = 461280,
						 .has_eta = 1,
						 .eta = 0.712};
	r->stations[1] = (struct report_station){.id = "s2", .name = "二号站", .village_id = "v1"};
	struct report_village *v = &r->villages[0];
	v->id = "v1";
	v->name = "<红旗村>";
	v->town = "梅山镇";
	v->has_plan = 1;
	v->state = "paid";
	v->received_fen = 461280;
	v->cost_fen[REPORT_COST_LAND_RENT] = 80000;
	v->costs_fen = 80000;
	v->distributable_fen = 381280;
	int32_t share[] = {8000, 1000, 500, 500};
	int64_t alloc[] = {305024, 38128, 19064, 19064};
	for (int b = 0; b < REVENUE_NBUCKETS; b++) {
		v->share_bp[b] = share[b];
		v->alloc_fen[b] = alloc[b];
		v->carry_out_fen[b] = alloc[b];
	}
	v->spent_fen[0] = 95045;
	v->carry_out_fen[0] = alloc[0] - 95045;
	v->policy_posts_bp = 8000;
	v->min_posts_bp = 8000;
	v->posts_share_bp = 10000;
	v->stations = malloc(2 * sizeof *v->stations);
	v->stations[0] = 0;
	v->stations[1] = 1;
	v->nstations = 2;
	struct report_payee *p = report_add_payee(r, 0);
	p->kind = "wage";
	p->person_id = "p1";
	p->name = "=HYPERLINK(\"x\")";
	p->id_masked = "3415**********1234";
	p->category = "边缘易致贫户";
	p->post_id = "q1";
	p->post_kind = "保洁";
	p->days_worked = 20;
	p->required_days = 22;
	p->standard_fen = 45050;
	p->due_fen = 40954;
	p->paid_fen = 40954;
	p->reason = "ok";
	p = report_add_payee(r, 0);
	p->kind = "wage";
	p->person_id = "p2";
	p->name = "李四";
	p->id_masked = "3415**********555X";
	p->category = "脱贫户";
	p->post_id = "q2";
	p->post_kind = "护路";
	p->standard_fen = 50000;
	p->reason = "no_agreement";
	return r;
}

static void test_json(void)
{
	struct report *r = make(0);
	char *text = report_json(r);
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	CHECK(root != NULL);
	json_t *v = json_array_get(json_object_get(root, "villages"), 0);
	CHECK_INT(json_integer_value(json_object_get(v, "distributable_fen")), 381280);
	json_t *b0 = json_array_get(json_object_get(v, "buckets"), 0);
	CHECK_INT(json_integer_value(json_object_get(b0, "carry_out_fen")), 305024 - 95045);
	json_t *p0 = json_array_get(json_object_get(v, "payees"), 0);
	CHECK_STR(json_string_value(json_object_get(p0, "id_masked")), "3415**********1234");
	CHECK_INT(json_integer_value(json_object_get(p0, "paid_fen")), 40954);
	json_t *s1 = json_array_get(json_object_get(root, "stations"), 1);
	CHECK(json_is_null(json_object_get(s1, "eta")));
	json_t *t = json_object_get(root, "totals");
	CHECK_INT(json_integer_value(json_object_get(t, "wages_paid_fen")), 40954);
	CHECK_INT(json_integer_value(json_object_get(t, "stations_flagged")), 1);
	json_decref(root);
	free(text);
	report_free(r);

	r = make(1);
	text = report_json(r);
	CHECK(strstr(text, "id_masked") == NULL);
	CHECK(strstr(text, "category") == NULL);
	CHECK(strstr(text, "****") == NULL);
	free(text);
	report_free(r);
}

static void test_csv(void)
{
	struct report *r = make(0);
	size_t len;
	char *text = report_csv(r, &len);
	CHECK(len > 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0);
	/* A name that Excel would run as a formula is written as text. */
	CHECK_CONTAINS(text, "\"'=HYPERLINK(\"\"x\"\")\"");
	CHECK_CONTAINS(text, "3812.80");
	CHECK_CONTAINS(text, "409.54");
	CHECK_CONTAINS(text, "\r\n");
	free(text);
	report_free(r);
	r = make(1);
	text = report_csv(r, &len);
	CHECK(strstr(text, "****") == NULL);
	CHECK(strstr(text, "边缘易致贫户") == NULL);
	CHECK(strstr(text, "户类别") == NULL);
	free(text);
	report_free(r);
}

static void test_html(void)
{
	/* One village's public notice: the posting layout. */
	struct report *r = make(1);
	r->villages[0].publicised_at = 1750000000; /* 2025-06-15 23:06 UTC+8 */
	r->villages[0].notice_days = 7;
	r->contact = "乡镇农经站 <电话>";
	char *text = report_html(r);
	CHECK_CONTAINS(text, "&lt;红旗村&gt;");
	CHECK(strstr(text, "<红旗村>") == NULL);
	CHECK_CONTAINS(text, "size:A4");
	CHECK_CONTAINS(text, "2025年6月光伏扶贫电站收益分配公示");
	CHECK_CONTAINS(text, "公示期：2025年6月15日至2025年6月21日（7天）");
	CHECK_CONTAINS(text, "乡镇农经站 &lt;电话&gt;");
	CHECK_CONTAINS(text, "村民委员会（盖章）");
	CHECK_CONTAINS(text, "<td class=n>4,612.80</td>");
	CHECK_CONTAINS(text, "<td class=n>409.54</td>");
	CHECK_CONTAINS(text, "无劳动协议，不予发放");
	CHECK_CONTAINS(text, "资金账本截至第 0 条");
	CHECK(strstr(text, "kWh") == NULL);
	CHECK(strstr(text, "未付费用") == NULL); /* no costs beyond cash this month */
	CHECK(strstr(text, "****") == NULL);
	CHECK(strstr(text, "边缘易致贫户") == NULL);
	free(text);
	report_free(r);
	/* Costs beyond the cash: the unpaid rest is a liability carried forward and paid first
	 * from later months' cash, shown as such. */
	r = make(1);
	r->villages[0].deficit_in_fen = -1200000;
	r->villages[0].deficit_out_fen = -350050;
	text = report_html(r);
	CHECK_CONTAINS(text, "上月结转未付费用（负债，元）</th><td class=n>12,000.00</td>");
	CHECK_CONTAINS(text, "结转下月未付费用（负债，元）</th><td class=n>3,500.50</td>");
	free(text);
	report_free(r);
	/* The internal report keeps the charts, the checks and what is private. */
	r = make(0);
	text = report_html(r);
	CHECK_CONTAINS(text, "<svg");
	CHECK_CONTAINS(text, "0.712");
	CHECK_CONTAINS(text, "<td class=n>—</td>");
	CHECK_CONTAINS(text, "+25.0% 需核对");
	CHECK_CONTAINS(text, "✓ 符合");
	CHECK_CONTAINS(text, "3415**********1234");
	CHECK_CONTAINS(text, "边缘易致贫户");
	free(text);
	report_free(r);
}

/* Amendments: a figure that changed after its month was posted is told once, with what was
 * posted and what it is now; a later notice that already told it is not repeated. */
static void test_amend(void)
{
	struct report *jan = make(1);
	jan->month = report_str(jan, "2025-01");
	jan->stations[1].has_metered = 0;
	jan->stations[1].receivable_fen = 1000;
	char *posted = report_json(jan);
	/* Since posting: station 2's settlement arrived and its receivable grew. */
	jan->stations[1].has_metered = 1;
	jan->stations[1].metered_kwh = 812.34;
	jan->stations[1].receivable_fen = 3500;
	jan->villages[0].receivable_fen = 3500;
	struct report *feb = make(1);
	feb->month = report_str(feb, "2025-02");
	const char *docs[2] = {posted, NULL};
	CHECK_INT(report_amend(feb, docs, 1, jan), 3);
	CHECK_INT((int)feb->namendments, 3);
	const struct report_amendment *a = &feb->amendments[0];
	char buf[48];
	CHECK_STR(a->month, "2025-01");
	CHECK_STR(a->subject_id, "s2");
	CHECK_STR(a->field, "metered_kwh");
	CHECK_INT(a->has_posted, 0);
	CHECK_STR(report_amendment_value(a, 0, buf), "—");
	CHECK_STR(report_amendment_value(a, 1, buf), "812.3 千瓦时");
	a = &feb->amendments[1];
	CHECK_STR(a->field, "receivable_fen");
	CHECK_INT((int)a->posted_fen, 1000);
	CHECK_INT((int)a->now_fen, 3500);
	CHECK_STR(report_amendment_value(a, 1, buf), "35.00 元");
	CHECK_STR(feb->amendments[2].subject, "village");
	char *feb_json = report_json(feb);
	char *html = report_html(feb);
	CHECK(strstr(html, "更正说明") && strstr(html, "2025年1月") &&
	      strstr(html, "812.3 千瓦时"));
	/* March: February's notice told both changes; nothing new to tell. */
	struct report *mar = make(1);
	docs[1] = feb_json;
	CHECK_INT(report_amend(mar, docs, 2, jan), 0);
	/* Then a correction: the receivable changed once more, and only that is told. */
	jan->stations[1].receivable_fen = 2000;
	CHECK_INT(report_amend(mar, docs, 2, jan), 1);
	CHECK_INT((int)mar->amendments[0].posted_fen, 3500);
	CHECK_INT((int)mar->amendments[0].now_fen, 2000);
	const char *junk[1] = {"not json"};
	CHECK_INT(report_amend(mar, junk, 1, jan), -1);
	free(html);
	free(feb_json);
	free(posted);
	report_free(mar);
	report_free(feb);
	report_free(jan);
	char m[32], d[32];
	CHECK_STR(report_month_zh("2025-01", m), "2025年1月");
	CHECK_STR(report_day_zh(1741132800, 8 * 3600, d), "2025年3月5日");
}

/* Who was paid what of what was due and why: a scaled wage, arrears paid in part and in
 * full; the amounts owed coming in and still owed are not the same figure. */
static void test_payee_note(void)
{
	struct report *r = make(1);
	struct report_payee *p = report_add_payee(r, 0);
	char buf[256];
	p->reason = "ok";
	p->due_fen = 100000;
	p->paid_fen = 75890;
	CHECK_STR(report_payee_note(p, buf, sizeof buf),
		  "资金不足，按 75.89% 发放，欠发 241.10 元结转");
	p->owed_month = "2025-01";
	p->due_fen = 21791;
	p->paid_fen = 10000;
	CHECK_STR(report_payee_note(p, buf, sizeof buf),
		  "补发2025年1月欠发 217.91 元：资金不足，按 45.89% 补发，仍欠 117.91 元结转");
	p->paid_fen = 21791;
	CHECK_STR(report_payee_note(p, buf, sizeof buf), "补发2025年1月欠发工资，已全额补发");
	report_free(r);
}

/* A payee of a posted month paid the rest later (arrears) is amended once, by name and post,
 * with the pay as posted and as it is now. */
static int paid_later(const char *person, const char *post, void *arg, struct report_payee_now *out)
{
	(void)post;
	if (strcmp(person, "p1") != 0)
		return -1;
	*out = *(struct report_payee_now *)arg;
	return 0;
}

static void test_amend_payees(void)
{
	struct report *jan = make(1);
	jan->month = report_str(jan, "2025-01");
	char *posted = report_json(jan);
	struct report *feb = make(1);
	const char *docs[2] = {posted, NULL};
	const struct report_payee *p1 = &jan->villages[0].payees[0];
	struct report_payee_now now = {p1->due_fen, p1->paid_fen, ""};
	CHECK_INT(report_amend_payees(feb, docs, 1, paid_later, &now), 0);
	/* Arrears paid later: the pay changes, what was due does not. */
	now.paid_fen = p1->paid_fen + 1234;
	CHECK_INT(report_amend_payees(feb, docs, 1, paid_later, &now), 1);
	const struct report_amendment *a = &feb->amendments[0];
	CHECK_STR(a->subject, "payee");
	CHECK_STR(a->subject_id, "p1/q1");
	CHECK(strstr(a->subject_name, p1->name) && strstr(a->subject_name, p1->post_kind));
	CHECK_STR(a->field, "paid_fen");
	CHECK_INT((int)a->posted_fen, (int)p1->paid_fen);
	CHECK_INT((int)a->now_fen, (int)(p1->paid_fen + 1234));
	char *csv;
	size_t len;
	csv = report_csv(feb, &len);
	CHECK(strstr(csv, "实发金额") && strstr(csv, "HYPERLINK") && strstr(csv, "（保洁）"));
	free(csv);
	/* March: February told it; then attendance corrected makes more due, with its why. */
	char *feb_json = report_json(feb);
	docs[1] = feb_json;
	struct report *mar = make(1);
	CHECK_INT(report_amend_payees(mar, docs, 2, paid_later, &now), 0);
	now.due_fen = p1->due_fen + 500;
	now.note = "出勤由18天更正为20天";
	CHECK_INT(report_amend_payees(mar, docs, 2, paid_later, &now), 1);
	CHECK_STR(mar->amendments[0].field, "due_fen");
	CHECK_STR(mar->amendments[0].note, "出勤由18天更正为20天");
	CHECK_STR(report_field_zh("due_fen"), "应发金额");
	free(feb_json);
	free(posted);
	report_free(mar);
	report_free(feb);
	report_free(jan);
}

/* The year sums its months; people are counted once; the share is floored; the end-of-year
 * figures are the last month's. */
static void test_year(void)
{
	struct report_year *y = report_year_new("c", "测试县", 2025, 1);
	struct report *m1 = make(0), *m2 = make(0);
	m2->villages[0].receivable_fen = 777;
	m2->villages[0].payees[1].paid_fen = 100; /* 李四, paid in the second month only */
	m2->villages[0].spent_fen[0] += 100;
	CHECK_INT(report_year_add_month(y, m1), 0);
	CHECK_INT(report_year_add_month(y, m2), 0);
	const struct report_year_village *v = &y->villages[0];
	CHECK_STR(v->name, "<红旗村>");
	CHECK_INT(v->months_planned, 2);
	CHECK_INT(v->received_fen, 2 * 461280);
	CHECK_INT(v->posts_paid_fen, 2 * 95045 + 100);
	CHECK_INT(v->paid_fen, 2 * 95045 + 100);
	CHECK_INT(v->receivable_fen, 777);
	CHECK_INT((int)v->npeople, 2);
	CHECK_INT(report_year_posts_share(v->posts_paid_fen, v->paid_fen), 10000);
	CHECK_INT(report_year_posts_share(7999, 10000), 7999);
	CHECK_INT(report_year_posts_share(0, 0), -1);
	char *html = report_year_html(y);
	CHECK(strstr(html, "&lt;红旗村&gt;") && strstr(html, "全县合计") &&
	      strstr(html, "2025年度"));
	size_t len;
	char *csv = report_year_csv(y, &len);
	CHECK(strstr(csv, ",全县合计,") != NULL);
	struct report *other = report_new("c", "测试县", "2025-03", 2, 0);
	CHECK_INT(report_year_add_month(y, other), -1);
	free(csv);
	free(html);
	report_free(other);
	report_free(m1);
	report_free(m2);
	report_year_free(y);
}

/* The η chart of a county of 35 stations: one bar per station, sorted best first, each named
 * by its Chinese name, the stations without η last. */
static void test_eta_chart(void)
{
	struct report *r = report_new("c", "测试县", "2025-06", 1, 35);
	char name[35][32];
	for (int i = 0; i < 35; i++) {
		snprintf(name[i], sizeof name[i], "第%d号电站", i + 1);
		r->stations[i].id = report_str(r, "id");
		r->stations[i].name = report_str(r, name[i]);
		r->stations[i].village_id = "v1";
		r->stations[i].has_eta = i != 7;
		/* η rises with the index except that station 20 is the best. */
		r->stations[i].eta = i == 19 ? 0.99 : 0.30 + 0.01 * i;
	}
	r->villages[0].id = "v1";
	r->villages[0].name = "村";
	r->villages[0].town = "镇";
	char *html = report_html(r);
	const char *svg = strstr(html, "aria-label=\"电站效率\"");
	CHECK(svg != NULL);
	const char *end = svg ? strstr(svg, "</svg>") : NULL;
	CHECK(end != NULL);
	if (svg && end) {
		const char *best = strstr(svg, ">第20号电站<");
		const char *second = strstr(svg, ">第35号电站<");
		const char *worst = strstr(svg, ">第1号电站<");
		const char *none = strstr(svg, ">第8号电站<");
		CHECK(best && second && worst && none);
		CHECK(best < second && second < worst && worst < none && none < end);
		int bars = 0;
		for (const char *q = svg; (q = strstr(q, "<rect")) && q < end; q++)
			bars++;
		CHECK_INT(bars, 34);
	}
	free(html);
	report_free(r);
}

int main(void)
{
	char y[32];
	CHECK_STR(report_yuan(-5, y), "-0.05");
	CHECK_STR(report_yuan(123456, y), "1234.56");
	test_json();
	test_csv();
	test_html();
	test_amend();
	test_payee_note();
	test_amend_payees();
	test_year();
	test_eta_chart();
	return check_summary();
}
