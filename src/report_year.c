/* The year's figures: summed from the monthly reports, rendered as JSON, CSV and HTML. */
#include "pvrelief/report_year.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/csv.h"
#include "pvrelief/report.h"
#include "pvrelief/revenue.h"
#include "pvrelief/strbuf.h"
#include "pvrelief/xalloc.h"

static const char *year_str(struct report_year *y, const char *s)
{
	if (y->nstrs == y->capstrs) {
		y->capstrs = y->capstrs ? y->capstrs * 2 : 64;
		y->strs = xrealloc(y->strs, y->capstrs * sizeof *y->strs);
	}
	return y->strs[y->nstrs++] = xstrdup(s ? s : "");
}

struct report_year *report_year_new(const char *county_id, const char *county_name, int year,
				    size_t nvillages)
{
	struct report_year *y = xcalloc(1, sizeof *y);
	y->county_id = year_str(y, county_id);
	y->county_name = year_str(y, county_name);
	y->year = year;
	y->villages = xcalloc(nvillages ? nvillages : 1, sizeof *y->villages);
	y->nvillages = nvillages;
	memset(y->ledger_hash, '0', 64);
	for (size_t v = 0; v < nvillages; v++)
		y->villages[v].id = y->villages[v].name = y->villages[v].town = "";
	return y;
}

void report_year_free(struct report_year *y)
{
	if (!y)
		return;
	for (size_t v = 0; v < y->nvillages; v++) {
		for (size_t i = 0; i < y->villages[v].npeople; i++)
			free(y->villages[v].people[i]);
		free(y->villages[v].people);
	}
	for (size_t i = 0; i < y->nstrs; i++)
		free(y->strs[i]);
	free(y->strs);
	free(y->villages);
	free(y);
}

/* Adds a person to a set of people kept as a plain list: a village has at most a few hundred
 * people paid in a year. */
static void add_person(char ***set, size_t *n, size_t *cap, const char *person)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*set)[i], person) == 0)
			return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*set = xrealloc(*set, *cap * sizeof **set);
	}
	(*set)[(*n)++] = xstrdup(person);
}

int report_year_add_month(struct report_year *y, const struct report *m)
{
	if (m->nvillages != y->nvillages)
		return -1;
	for (size_t i = 0; i < m->nvillages; i++)
		if (y->months && strcmp(y->villages[i].id, m->villages[i].id) != 0)
			return -1;
	y->months++;
	y->generated_unix = m->generated_unix;
	y->utc_offset_s = m->utc_offset_s;
	y->ledger_seq = m->ledger_seq;
	memcpy(y->ledger_hash, m->ledger_hash, sizeof y->ledger_hash);
	for (size_t i = 0; i < m->nvillages; i++) {
		const struct report_village *mv = &m->villages[i];
		struct report_year_village *v = &y->villages[i];
		if (y->months == 1) {
			v->id = year_str(y, mv->id);
			v->name = year_str(y, mv->name);
			v->town = year_str(y, mv->town);
		}
		v->min_posts_bp = mv->min_posts_bp;
		v->measured_kwh += mv->measured_kwh;
		v->metered_kwh += mv->metered_kwh;
		/* Balances and what is owed or receivable are the year's end: the last month's. */
		v->receivable_fen = mv->receivable_fen;
		v->carry_fen = 0;
		v->owed_fen = 0;
		for (int b = 0; b < REVENUE_NBUCKETS; b++)
			v->carry_fen += mv->carry_out_fen[b];
		if (!mv->has_plan)
			continue;
		v->months_planned++;
		v->received_fen += mv->received_fen;
		v->costs_fen += mv->costs_fen;
		v->distributable_fen += mv->distributable_fen;
		v->posts_paid_fen += mv->spent_fen[REVENUE_POSTS];
		for (int b = 0; b < REVENUE_NBUCKETS; b++)
			v->paid_fen += mv->spent_fen[b];
		for (size_t k = 0; k < mv->npayees; k++) {
			const struct report_payee *p = &mv->payees[k];
			v->owed_fen += p->due_fen - p->paid_fen;
			if (p->owed_month[0])
				v->arrears_paid_fen += p->paid_fen;
			else if (strcmp(p->kind, "labour") == 0)
				v->labour_paid_fen += p->paid_fen;
			else
				v->wages_paid_fen += p->paid_fen;
			if (p->paid_fen > 0)
				add_person(&v->people, &v->npeople, &v->cappeople, p->person_id);
		}
	}
	return 0;
}

int32_t report_year_posts_share(int64_t posts_paid_fen, int64_t paid_fen)
{
	if (paid_fen <= 0)
		return -1;
	return (int32_t)(posts_paid_fen / paid_fen * 10000 +
			 posts_paid_fen % paid_fen * 10000 / paid_fen);
}

/* The county's row: every village summed, people counted once. */
static void county_total(const struct report_year *y, struct report_year_village *t)
{
	memset(t, 0, sizeof *t);
	t->id = "";
	t->name = "全县合计";
	t->town = "";
	for (size_t i = 0; i < y->nvillages; i++) {
		const struct report_year_village *v = &y->villages[i];
		t->months_planned =
		    v->months_planned > t->months_planned ? v->months_planned : t->months_planned;
		t->measured_kwh += v->measured_kwh;
		t->metered_kwh += v->metered_kwh;
		t->received_fen += v->received_fen;
		t->receivable_fen += v->receivable_fen;
		t->costs_fen += v->costs_fen;
		t->distributable_fen += v->distributable_fen;
		t->posts_paid_fen += v->posts_paid_fen;
		t->wages_paid_fen += v->wages_paid_fen;
		t->labour_paid_fen += v->labour_paid_fen;
		t->arrears_paid_fen += v->arrears_paid_fen;
		t->paid_fen += v->paid_fen;
		t->owed_fen += v->owed_fen;
		t->carry_fen += v->carry_fen;
		t->posts += v->posts;
		t->min_posts_bp =
		    v->min_posts_bp > t->min_posts_bp ? v->min_posts_bp : t->min_posts_bp;
		for (size_t k = 0; k < v->npeople; k++)
			add_person(&t->people, &t->npeople, &t->cappeople, v->people[k]);
	}
}

static void total_free(struct report_year_village *t)
{
	for (size_t i = 0; i < t->npeople; i++)
		free(t->people[i]);
	free(t->people);
}

static int share_ok(const struct report_year_village *v)
{
	int32_t s = report_year_posts_share(v->posts_paid_fen, v->paid_fen);
	return s < 0 || s >= v->min_posts_bp;
}

static json_t *village_json(const struct report_year_village *v)
{
	int32_t s = report_year_posts_share(v->posts_paid_fen, v->paid_fen);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(v->id));
	json_object_set_new(o, "name", json_string(v->name));
	json_object_set_new(o, "town", json_string(v->town));
	json_object_set_new(o, "months_planned", json_integer(v->months_planned));
	json_object_set_new(o, "measured_kwh", json_real(v->measured_kwh));
	json_object_set_new(o, "metered_kwh", json_real(v->metered_kwh));
	json_object_set_new(o, "received_fen", json_integer(v->received_fen));
	json_object_set_new(o, "receivable_fen", json_integer(v->receivable_fen));
	json_object_set_new(o, "costs_fen", json_integer(v->costs_fen));
	json_object_set_new(o, "distributable_fen", json_integer(v->distributable_fen));
	json_object_set_new(o, "posts_paid_fen", json_integer(v->posts_paid_fen));
	json_object_set_new(o, "wages_paid_fen", json_integer(v->wages_paid_fen));
	json_object_set_new(o, "labour_paid_fen", json_integer(v->labour_paid_fen));
	json_object_set_new(o, "arrears_paid_fen", json_integer(v->arrears_paid_fen));
	json_object_set_new(o, "paid_fen", json_integer(v->paid_fen));
	json_object_set_new(o, "owed_fen", json_integer(v->owed_fen));
	json_object_set_new(o, "carry_fen", json_integer(v->carry_fen));
	json_object_set_new(o, "people_paid", json_integer((json_int_t)v->npeople));
	json_object_set_new(o, "posts", json_integer((json_int_t)v->posts));
	json_object_set_new(o, "posts_check",
			    json_pack("{s:i, s:o, s:b}", "min_posts_bp", (int)v->min_posts_bp,
				      "paid_share_bp", s < 0 ? json_null() : json_integer(s), "ok",
				      share_ok(v)));
	return o;
}

char *report_year_json(const struct report_year *y)
{
	struct report_year_village t;
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("pvrelief-year-1"));
	json_object_set_new(root, "county",
			    json_pack("{s:s, s:s}", "id", y->county_id, "name", y->county_name));
	json_object_set_new(root, "year", json_integer(y->year));
	json_object_set_new(root, "months", json_integer(y->months));
	json_object_set_new(
	    root, "ledger_head",
	    json_pack("{s:I, s:s}", "seq", (json_int_t)y->ledger_seq, "hash", y->ledger_hash));
	county_total(y, &t);
	json_object_set_new(root, "totals", village_json(&t));
	total_free(&t);
	json_t *vs = json_array();
	for (size_t i = 0; i < y->nvillages; i++)
		json_array_append_new(vs, village_json(&y->villages[i]));
	json_object_set_new(root, "villages", vs);
	char *text =
	    json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	char *out = xstrdup(text);
	free(text);
	return out;
}

static void csv_village(struct csv_writer *w, const struct report_year_village *v)
{
	char buf[48];
	int32_t s = report_year_posts_share(v->posts_paid_fen, v->paid_fen);
	csv_put_str(w, v->id);
	csv_put_str(w, v->name);
	csv_put_str(w, v->town);
	snprintf(buf, sizeof buf, "%.1f", v->measured_kwh);
	csv_put_str(w, buf);
	snprintf(buf, sizeof buf, "%.1f", v->metered_kwh);
	csv_put_str(w, buf);
	csv_put_fen(w, v->received_fen);
	csv_put_fen(w, v->receivable_fen);
	csv_put_fen(w, v->costs_fen);
	csv_put_fen(w, v->distributable_fen);
	csv_put_fen(w, v->posts_paid_fen);
	csv_put_fen(w, v->paid_fen);
	if (s < 0)
		csv_put_str(w, "");
	else {
		snprintf(buf, sizeof buf, "%d.%02d%%", s / 100, s % 100);
		csv_put_str(w, buf);
	}
	csv_put_str(w, share_ok(v) ? "是" : "否");
	csv_put_int(w, (int64_t)v->npeople);
	csv_put_int(w, (int64_t)v->posts);
	csv_put_fen(w, v->owed_fen);
	csv_put_fen(w, v->carry_fen);
	csv_end_row(w);
}

static const char *const year_heads[] = {
    "村编号",	      "村",	  "乡镇",   "实测电量kWh",    "结算电量kWh", "到账收入",
    "应收未到账补贴", "费用",	  "可分配", "岗位及劳务实发", "实发合计",    "岗位及劳务实发占比",
    "不低于80%",      "领取人数", "岗位数", "欠发工资",	      "结转余额",    NULL};

char *report_year_csv(const struct report_year *y, size_t *len)
{
	struct csv_writer *w = csv_writer_new(1);
	struct report_year_village t;
	char buf[64];
	snprintf(buf, sizeof buf, "%d年度", y->year);
	csv_put_str(w, "光伏扶贫电站收益分配年报");
	csv_put_str(w, y->county_name);
	csv_put_str(w, buf);
	csv_end_row(w);
	for (size_t i = 0; year_heads[i]; i++)
		csv_put_str(w, year_heads[i]);
	csv_end_row(w);
	for (size_t i = 0; i < y->nvillages; i++)
		csv_village(w, &y->villages[i]);
	county_total(y, &t);
	csv_village(w, &t);
	total_free(&t);
	snprintf(buf, sizeof buf, "%" PRId64, y->ledger_seq);
	csv_put_str(w, "资金账本记录号");
	csv_put_str(w, buf);
	csv_put_str(w, "账本哈希");
	csv_put_str(w, y->ledger_hash);
	csv_end_row(w);
	size_t n;
	const char *data = csv_writer_data(w, &n);
	char *out = xmalloc(n + 1);
	memcpy(out, data, n + 1);
	if (len)
		*len = n;
	csv_writer_free(w);
	return out;
}

static void html_esc(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			strbuf_printf(b, "&amp;");
			break;
		case '<':
			strbuf_printf(b, "&lt;");
			break;
		case '>':
			strbuf_printf(b, "&gt;");
			break;
		case '"':
			strbuf_printf(b, "&quot;");
			break;
		default:
			strbuf_add(b, s, 1);
		}
	}
}

static void html_row(struct strbuf *b, const struct report_year_village *v, int total)
{
	char y[12][48];
	int32_t s = report_year_posts_share(v->posts_paid_fen, v->paid_fen);
	strbuf_printf(b, "<tr%s><td>", total ? " class=total" : "");
	html_esc(b, v->name);
	strbuf_printf(b, "</td><td>");
	html_esc(b, v->town);
	strbuf_printf(b,
		      "</td><td class=n>%.1f</td><td class=n>%s</td><td class=n>%s</td>"
		      "<td class=n>%s</td><td class=n>%s</td><td class=n>%s</td>",
		      v->metered_kwh, report_yuan_zh(v->received_fen, y[0]),
		      report_yuan_zh(v->receivable_fen, y[1]), report_yuan_zh(v->costs_fen, y[2]),
		      report_yuan_zh(v->posts_paid_fen, y[3]), report_yuan_zh(v->paid_fen, y[4]));
	if (s < 0)
		strbuf_printf(b, "<td class=n>—</td>");
	else
		strbuf_printf(b, "<td class=n%s>%d.%02d%% %s</td>", share_ok(v) ? "" : " flag",
			      s / 100, s % 100, share_ok(v) ? "✓" : "✗");
	strbuf_printf(b,
		      "<td class=n>%zu</td><td class=n>%zu</td><td class=n>%s</td>"
		      "<td class=n>%s</td></tr>",
		      v->npeople, v->posts, report_yuan_zh(v->owed_fen, y[5]),
		      report_yuan_zh(v->carry_fen, y[6]));
}

char *report_year_html(const struct report_year *y)
{
	struct strbuf b = {0};
	struct report_year_village t;
	char day[32];
	strbuf_printf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
			  "<title>");
	html_esc(&b, y->county_name);
	strbuf_printf(
	    &b,
	    " %d年度光伏扶贫电站收益分配年报</title><style>@page{size:A4 landscape;margin:12mm}"
	    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\","
	    "\"SimSun\",sans-serif;font-size:9.5pt;color:#111}h1{font-size:15pt;text-align:center}"
	    "table{border-collapse:collapse;width:100%%}th,td{border:0.3mm solid #777;"
	    "padding:1mm 1.2mm}th{background:#eef2ee}td.n{text-align:right;white-space:nowrap;"
	    "font-variant-numeric:tabular-nums}.total td{font-weight:bold}.flag{color:#b00020}"
	    "small{color:#555}</style></head><body><h1>",
	    y->year);
	html_esc(&b, y->county_name);
	strbuf_printf(
	    &b,
	    " %d年度光伏扶贫电站收益分配年报</h1><p>统计%d个月；制表日期%s。金额单位：元；"
	    "电量单位：千瓦时（电网结算）。只分配已到账收入。</p>",
	    y->year, y->months, report_day_zh(y->generated_unix, y->utc_offset_s, day));
	strbuf_printf(&b, "<table><thead><tr><th>村</th><th>乡镇</th><th>结算电量</th>"
			  "<th>到账收入</th><th>应收未到账补贴</th><th>费用</th>"
			  "<th>岗位及劳务实发</th><th>实发合计</th><th>岗位及劳务实发占比</th>"
			  "<th>领取人数</th><th>岗位数</th><th>欠发工资</th><th>结转余额</th>"
			  "</tr></thead><tbody>");
	for (size_t i = 0; i < y->nvillages; i++)
		html_row(&b, &y->villages[i], 0);
	county_total(y, &t);
	html_row(&b, &t, 1);
	total_free(&t);
	strbuf_printf(
	    &b,
	    "</tbody></table><p><small>岗位及劳务实发占比 = 全年岗位工资、以工代赈劳务及补发欠发"
	    "之和 ÷ 全年各项用途实发之和，不低于 80%% 为符合。资金账本截至第 %" PRId64
	    " 条，末条哈希 %s。</small></p></body></html>\n",
	    y->ledger_seq, y->ledger_hash);
	return strbuf_take(&b);
}
