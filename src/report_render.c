/* Renders the monthly distribution report as JSON, CSV and HTML text; no I/O. */
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/csv.h"
#include "pvrelief/plan.h"
#include "pvrelief/report.h"
#include "pvrelief/strbuf.h"
#include "pvrelief/xalloc.h"

static const char *const cost_names[REPORT_NCOSTS] = {"om", "insurance", "land_rent", "other"};
static const char *const cost_zh[REPORT_NCOSTS] = {"运维费", "保险费", "土地租金", "其他费用"};

static const char *state_zh(const char *state)
{
	int s = plan_state_parse(state);
	return s < 0 ? "未分配" : plan_state_name_zh((enum plan_state)s);
}

static void iso_time(int64_t t, int offset_s, char *buf, size_t len)
{
	time_t tt = (time_t)(t + offset_s);
	struct tm tm;
	gmtime_r(&tt, &tm);
	int oh = offset_s / 3600, om = (offset_s % 3600) / 60;
	char base[24];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%.19s%c%02d:%02d", base, offset_s < 0 ? '-' : '+',
		 (oh < 0 ? -oh : oh) % 100, (om < 0 ? -om : om) % 100);
}

/* Whether the village meets the minimum share of posts and labour: the policy's share, and
 * the share of what was actually paid when anything was. */
static int posts_ok(const struct report_village *v)
{
	return v->policy_posts_bp >= v->min_posts_bp &&
	       (v->posts_share_bp < 0 || v->posts_share_bp >= v->min_posts_bp);
}

/* ---- JSON ---- */

static json_t *opt_real(int has, double v)
{
	return has ? json_real(v) : json_null();
}

char *report_json(const struct report *r)
{
	struct report_totals t;
	char when[40];
	report_totals(r, &t);
	iso_time(r->generated_unix, r->utc_offset_s, when, sizeof when);
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string("pvrelief-report-1"));
	json_object_set_new(root, "county",
			    json_pack("{s:s, s:s}", "id", r->county_id, "name", r->county_name));
	json_object_set_new(root, "month", json_string(r->month));
	json_object_set_new(root, "public_notice", json_boolean(r->public_notice));
	json_object_set_new(root, "generated_at", json_string(when));
	json_object_set_new(
	    root, "ledger_head",
	    json_pack("{s:I, s:s}", "seq", (json_int_t)r->ledger_seq, "hash", r->ledger_hash));
	json_object_set_new(root, "targets",
			    json_pack("{s:f, s:f, s:f}", "eta_station", r->eta_station_target,
				      "eta_county", r->eta_county_target, "reconcile_tolerance",
				      r->reconcile_tolerance));
	json_t *tot = json_object();
	json_object_set_new(tot, "measured_kwh", json_real(t.measured_kwh));
	json_object_set_new(tot, "metered_kwh", json_real(t.metered_kwh));
	json_object_set_new(tot, "received_fen", json_integer(t.received_fen));
	json_object_set_new(tot, "receivable_fen", json_integer(t.receivable_fen));
	json_object_set_new(tot, "costs_fen", json_integer(t.costs_fen));
	json_object_set_new(tot, "distributable_fen", json_integer(t.distributable_fen));
	json_t *tb = json_object();
	for (int b = 0; b < REVENUE_NBUCKETS; b++)
		json_object_set_new(tb, revenue_bucket_name((enum revenue_bucket)b),
				    json_pack("{s:I, s:I, s:I, s:I}", "carry_in_fen",
					      (json_int_t)t.carry_in_fen[b], "alloc_fen",
					      (json_int_t)t.alloc_fen[b], "spent_fen",
					      (json_int_t)t.spent_fen[b], "carry_out_fen",
					      (json_int_t)t.carry_out_fen[b]));
	json_object_set_new(tot, "buckets", tb);
	json_object_set_new(tot, "wages_paid_fen", json_integer(t.wages_paid_fen));
	json_object_set_new(tot, "labour_paid_fen", json_integer(t.labour_paid_fen));
	json_object_set_new(tot, "payees_paid", json_integer((json_int_t)t.payees_paid));
	json_object_set_new(tot, "posts_share_bp",
			    t.posts_share_bp < 0 ? json_null() : json_integer(t.posts_share_bp));
	json_object_set_new(tot, "stations_flagged", json_integer((json_int_t)t.stations_flagged));
	json_object_set_new(root, "totals", tot);

	json_t *stations = json_array();
	for (size_t i = 0; i < r->nstations; i++) {
		const struct report_station *s = &r->stations[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(s->id));
		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "village", json_string(s->village_id));
		json_object_set_new(o, "capacity_kwp", json_real(s->capacity_kwp));
		json_object_set_new(o, "measured_kwh", opt_real(s->has_measured, s->measured_kwh));
		json_object_set_new(o, "metered_kwh", opt_real(s->has_metered, s->metered_kwh));
		json_object_set_new(
		    o, "diff_fraction",
		    opt_real(s->has_measured && s->has_metered && s->metered_kwh > 0,
			     s->diff_fraction));
		json_object_set_new(o, "reconcile_flag", json_boolean(s->reconcile_flag));
		json_object_set_new(o, "received_fen", json_integer(s->received_fen));
		json_object_set_new(o, "receivable_fen", json_integer(s->receivable_fen));
		json_object_set_new(o, "eta", opt_real(s->has_eta, s->eta));
		json_object_set_new(o, "cash_periods",
				    json_string(s->cash_periods ? s->cash_periods : ""));
		json_object_set_new(o, "cash_metered_kwh", json_real(s->cash_metered_kwh));
		json_object_set_new(o, "cash_measured_kwh",
				    opt_real(s->has_cash_measured, s->cash_measured_kwh));
		json_array_append_new(stations, o);
	}
	json_object_set_new(root, "stations", stations);

	json_t *villages = json_array();
	for (size_t i = 0; i < r->nvillages; i++) {
		const struct report_village *v = &r->villages[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(v->id));
		json_object_set_new(o, "name", json_string(v->name));
		json_object_set_new(o, "town", json_string(v->town));
		json_object_set_new(o, "plan_state",
				    v->has_plan ? json_string(v->state) : json_null());
		json_object_set_new(o, "measured_kwh", json_real(v->measured_kwh));
		json_object_set_new(o, "metered_kwh", json_real(v->metered_kwh));
		json_object_set_new(o, "received_fen", json_integer(v->received_fen));
		json_object_set_new(o, "receivable_fen", json_integer(v->receivable_fen));
		json_t *costs = json_object();
		for (int c = 0; c < REPORT_NCOSTS; c++)
			json_object_set_new(costs, cost_names[c], json_integer(v->cost_fen[c]));
		json_object_set_new(costs, "total", json_integer(v->costs_fen));
		json_object_set_new(o, "costs_fen", costs);
		json_object_set_new(o, "distributable_fen", json_integer(v->distributable_fen));
		json_object_set_new(o, "deficit_in_fen", json_integer(v->deficit_in_fen));
		json_object_set_new(o, "deficit_out_fen", json_integer(v->deficit_out_fen));
		json_t *buckets = json_array();
		for (int b = 0; b < REVENUE_NBUCKETS; b++)
			json_array_append_new(
			    buckets, json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I}", "bucket",
					       revenue_bucket_name((enum revenue_bucket)b),
					       "name_zh", report_bucket_zh((enum revenue_bucket)b),
					       "share_bp", (int)v->share_bp[b], "carry_in_fen",
					       (json_int_t)v->carry_in_fen[b], "alloc_fen",
					       (json_int_t)v->alloc_fen[b], "spent_fen",
					       (json_int_t)v->spent_fen[b], "unmet_fen",
					       (json_int_t)v->unmet_fen[b], "carry_out_fen",
					       (json_int_t)v->carry_out_fen[b]));
		json_object_set_new(o, "buckets", buckets);
		json_object_set_new(
		    o, "posts_check",
		    json_pack("{s:i, s:i, s:o, s:b}", "policy_posts_bp", (int)v->policy_posts_bp,
			      "min_posts_bp", (int)v->min_posts_bp, "paid_share_bp",
			      v->posts_share_bp < 0 ? json_null() : json_integer(v->posts_share_bp),
			      "ok", posts_ok(v)));
		json_t *sts = json_array();
		for (size_t k = 0; k < v->nstations; k++)
			json_array_append_new(sts, json_string(r->stations[v->stations[k]].id));
		json_object_set_new(o, "stations", sts);
		json_t *payees = json_array();
		for (size_t k = 0; k < v->npayees; k++) {
			const struct report_payee *p = &v->payees[k];
			char note[256];
			json_t *po = json_object();
			json_object_set_new(po, "kind", json_string(p->kind));
			json_object_set_new(po, "person_id", json_string(p->person_id));
			json_object_set_new(po, "name", json_string(p->name));
			if (!r->public_notice) {
				json_object_set_new(po, "id_masked", json_string(p->id_masked));
				json_object_set_new(po, "category", json_string(p->category));
			}
			json_object_set_new(po, "post_id", json_string(p->post_id));
			json_object_set_new(po, "post_kind", json_string(p->post_kind));
			json_object_set_new(po, "days_worked", json_integer(p->days_worked));
			json_object_set_new(po, "required_days", json_integer(p->required_days));
			json_object_set_new(po, "grade", json_string(p->grade));
			json_object_set_new(po, "standard_fen", json_integer(p->standard_fen));
			json_object_set_new(po, "due_fen", json_integer(p->due_fen));
			json_object_set_new(po, "paid_fen", json_integer(p->paid_fen));
			json_object_set_new(po, "reason", json_string(p->reason));
			json_object_set_new(po, "owed_month",
					    p->owed_month[0] ? json_string(p->owed_month)
							     : json_null());
			json_object_set_new(po, "note_zh",
					    json_string(report_payee_note(p, note, sizeof note)));
			json_array_append_new(payees, po);
		}
		json_object_set_new(o, "payees", payees);
		json_object_set_new(o, "note", json_string(v->note));
		json_array_append_new(villages, o);
	}
	json_object_set_new(root, "villages", villages);
	json_object_set_new(root, "amendments_as_of", json_string(when));
	json_t *amends = json_array();
	for (size_t i = 0; i < r->namendments; i++) {
		const struct report_amendment *a = &r->amendments[i];
		json_t *o = json_object();
		json_object_set_new(o, "month", json_string(a->month));
		json_object_set_new(o, "subject", json_string(a->subject));
		json_object_set_new(o, "subject_id", json_string(a->subject_id));
		json_object_set_new(o, "subject_name", json_string(a->subject_name));
		json_object_set_new(o, "field", json_string(a->field));
		json_object_set_new(o, "field_zh", json_string(report_field_zh(a->field)));
		json_object_set_new(o, "posted",
				    !a->has_posted ? json_null()
				    : a->is_money  ? json_integer(a->posted_fen)
						   : json_real(a->posted_kwh));
		json_object_set_new(o, "now",
				    !a->has_now	  ? json_null()
				    : a->is_money ? json_integer(a->now_fen)
						  : json_real(a->now_kwh));
		json_object_set_new(o, "note_zh", json_string(a->note ? a->note : ""));
		json_array_append_new(amends, o);
	}
	json_object_set_new(root, "amendments", amends);
	char *text =
	    json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	/* jansson allocates with malloc; hand the caller a copy from our own wrapper so that
	 * every string this module returns is freed the same way. */
	char *out = xstrdup(text);
	free(text);
	return out;
}

/* ---- CSV ---- */

static void put_kwh(struct csv_writer *w, int has, double kwh)
{
	char buf[48];
	if (!has) {
		csv_put_str(w, "");
		return;
	}
	snprintf(buf, sizeof buf, "%.1f", kwh);
	csv_put_str(w, buf);
}

static void put_bp(struct csv_writer *w, int32_t bp)
{
	char buf[32];
	if (bp < 0) {
		csv_put_str(w, "");
		return;
	}
	snprintf(buf, sizeof buf, "%d.%02d%%", bp / 100, bp % 100);
	csv_put_str(w, buf);
}

static void put_row(struct csv_writer *w, const char *const *cells)
{
	for (; *cells; cells++)
		csv_put_str(w, *cells);
	csv_end_row(w);
}

/* Returns the Chinese name of the village with this id when it is in the report, else the id
 * (a station's operating village outside a one-village report). */
static const char *village_name(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->nvillages; i++)
		if (strcmp(r->villages[i].id, id) == 0)
			return r->villages[i].name;
	return id;
}

/* The county's total row under the villages, in the same columns. */
static void csv_county_total(struct csv_writer *w, const struct report *r)
{
	struct report_totals t;
	int64_t carried = 0;
	report_totals(r, &t);
	csv_put_str(w, "");
	csv_put_str(w, "全县合计");
	csv_put_str(w, "");
	csv_put_str(w, "");
	put_kwh(w, 1, t.measured_kwh);
	put_kwh(w, 1, t.metered_kwh);
	csv_put_fen(w, t.received_fen);
	csv_put_fen(w, t.receivable_fen);
	for (int c = 0; c < REPORT_NCOSTS; c++)
		csv_put_fen(w, t.cost_fen[c]);
	csv_put_fen(w, t.distributable_fen);
	for (int b = 0; b < REVENUE_NBUCKETS; b++) {
		csv_put_fen(w, t.alloc_fen[b]);
		carried += t.carry_out_fen[b];
	}
	int32_t min_bp = 0;
	for (size_t i = 0; i < r->nvillages; i++)
		if (r->villages[i].min_posts_bp > min_bp)
			min_bp = r->villages[i].min_posts_bp;
	put_bp(w, t.posts_share_bp);
	csv_put_str(w, t.posts_share_bp < 0 || t.posts_share_bp >= min_bp ? "是" : "否");
	csv_put_fen(w, carried);
	csv_end_row(w);
}

/* The amendments to earlier posted notices, one row each; nothing when there are none. */
static void csv_amendments(struct csv_writer *w, const struct report *r)
{
	char m[32], was[48], now[48], day[32];
	if (!r->namendments)
		return;
	csv_end_row(w);
	report_day_zh(r->generated_unix, r->utc_offset_s, day);
	put_row(w, (const char *const[]){"更正说明", "截至", day, "原公示不变，以下为公示后的变动",
					 NULL});
	put_row(w,
		(const char *const[]){"公示月份", "对象", "项目", "原公示", "现为", "说明", NULL});
	for (size_t i = 0; i < r->namendments; i++) {
		const struct report_amendment *a = &r->amendments[i];
		put_row(w, (const char *const[]){
			       report_month_zh(a->month, m), a->subject_name,
			       report_field_zh(a->field), report_amendment_value(a, 0, was),
			       report_amendment_value(a, 1, now), a->note ? a->note : "", NULL});
	}
}

char *report_csv(const struct report *r, size_t *len)
{
	struct csv_writer *w = csv_writer_new(1);
	char buf[64];
	char mz[32];
	put_row(w, (const char *const[]){r->public_notice ? "光伏扶贫电站收益分配公示"
							  : "光伏扶贫电站收益分配月报",
					 r->county_name, report_month_zh(r->month, mz),
					 r->public_notice ? "公示版" : "内部版", NULL});
	csv_end_row(w);
	put_row(w, (const char *const[]){"村级汇总（金额单位：元）", NULL});
	put_row(w, (const char *const[]){"村编号",
					 "村",
					 "乡镇",
					 "方案状态",
					 "实测电量（千瓦时）",
					 "结算电量（千瓦时）",
					 "到账收入",
					 "应收补贴",
					 "运维费",
					 "保险费",
					 "土地租金",
					 "其他费用",
					 "可分配",
					 "岗位及劳务",
					 "小型公益事业",
					 "奖励补助",
					 "运维储备",
					 "岗位实发占比",
					 "不低于80%",
					 "结转余额",
					 NULL});
	for (size_t i = 0; i < r->nvillages; i++) {
		const struct report_village *v = &r->villages[i];
		int64_t carried = 0;
		csv_put_str(w, v->id);
		csv_put_str(w, v->name);
		csv_put_str(w, v->town);
		csv_put_str(w, state_zh(v->state));
		put_kwh(w, 1, v->measured_kwh);
		put_kwh(w, 1, v->metered_kwh);
		csv_put_fen(w, v->received_fen);
		csv_put_fen(w, v->receivable_fen);
		for (int c = 0; c < REPORT_NCOSTS; c++)
			csv_put_fen(w, v->cost_fen[c]);
		csv_put_fen(w, v->distributable_fen);
		for (int b = 0; b < REVENUE_NBUCKETS; b++) {
			csv_put_fen(w, v->alloc_fen[b]);
			carried += v->carry_out_fen[b];
		}
		put_bp(w, v->posts_share_bp);
		csv_put_str(w, posts_ok(v) ? "是" : "否");
		csv_put_fen(w, carried);
		csv_end_row(w);
	}
	if (r->nvillages > 1)
		csv_county_total(w, r);
	csv_end_row(w);
	put_row(w, (const char *const[]){"电站", NULL});
	put_row(w, (const char *const[]){"电站编号", "电站", "运营村", "装机容量（千瓦）",
					 "本月实测电量（千瓦时）", "本月发电的结算电量（千瓦时）",
					 "差异", "需核对", "到账收入", "到账电费的发电期",
					 "该期结算电量（千瓦时）", "该期实测电量（千瓦时）",
					 "应收补贴", "η", "η目标", NULL});
	for (size_t i = 0; i < r->nstations; i++) {
		const struct report_station *s = &r->stations[i];
		csv_put_str(w, s->id);
		csv_put_str(w, s->name);
		csv_put_str(w, village_name(r, s->village_id));
		snprintf(buf, sizeof buf, "%.1f", s->capacity_kwp);
		csv_put_str(w, buf);
		put_kwh(w, s->has_measured, s->measured_kwh);
		put_kwh(w, s->has_metered, s->metered_kwh);
		if (s->has_measured && s->has_metered && s->metered_kwh > 0) {
			snprintf(buf, sizeof buf, "%.1f%%", s->diff_fraction * 100.0);
			csv_put_str(w, buf);
		} else {
			csv_put_str(w, "—");
		}
		csv_put_str(w, s->reconcile_flag ? "是" : "否");
		csv_put_fen(w, s->received_fen);
		csv_put_str(w, s->cash_periods ? s->cash_periods : "");
		put_kwh(w, s->cash_periods && s->cash_periods[0], s->cash_metered_kwh);
		put_kwh(w, s->has_cash_measured, s->cash_measured_kwh);
		csv_put_fen(w, s->receivable_fen);
		if (s->has_eta)
			snprintf(buf, sizeof buf, "%.3f", s->eta);
		else
			snprintf(buf, sizeof buf, "—");
		csv_put_str(w, buf);
		snprintf(buf, sizeof buf, "%.1f / %.1f", r->eta_station_target,
			 r->eta_county_target);
		csv_put_str(w, buf);
		csv_end_row(w);
	}
	csv_end_row(w);
	put_row(w, (const char *const[]){"收益分配", NULL});
	put_row(w, (const char *const[]){"村", "用途", "比例", "上月结转", "本月分配", "本月支出",
					 "未满足", "结转下月", NULL});
	for (size_t i = 0; i < r->nvillages; i++) {
		const struct report_village *v = &r->villages[i];
		for (int b = 0; b < REVENUE_NBUCKETS; b++) {
			csv_put_str(w, v->name);
			csv_put_str(w, report_bucket_zh((enum revenue_bucket)b));
			put_bp(w, v->share_bp[b]);
			csv_put_fen(w, v->carry_in_fen[b]);
			csv_put_fen(w, v->alloc_fen[b]);
			csv_put_fen(w, v->spent_fen[b]);
			csv_put_fen(w, v->unmet_fen[b]);
			csv_put_fen(w, v->carry_out_fen[b]);
			csv_end_row(w);
		}
	}
	csv_end_row(w);
	put_row(w, (const char *const[]){"发放明细", NULL});
	if (r->public_notice)
		put_row(w, (const char *const[]){"村", "姓名", "岗位", "岗位类型", "出勤天数",
						 "应出勤天数", "考核等级", "工资标准", "应发",
						 "实发", "说明", NULL});
	else
		put_row(w, (const char *const[]){"村", "姓名", "身份证号", "户类别", "岗位",
						 "岗位类型", "出勤天数", "应出勤天数", "考核等级",
						 "工资标准", "应发", "实发", "说明", NULL});
	for (size_t i = 0; i < r->nvillages; i++) {
		const struct report_village *v = &r->villages[i];
		for (size_t k = 0; k < v->npayees; k++) {
			const struct report_payee *p = &v->payees[k];
			char note[256];
			csv_put_str(w, v->name);
			csv_put_str(w, p->name);
			if (!r->public_notice) {
				csv_put_str(w, p->id_masked);
				csv_put_str(w, p->category);
			}
			csv_put_str(w, p->post_id);
			csv_put_str(w, p->post_kind);
			csv_put_int(w, p->days_worked);
			csv_put_int(w, p->required_days);
			csv_put_str(w, p->grade);
			csv_put_fen(w, p->standard_fen);
			csv_put_fen(w, p->due_fen);
			csv_put_fen(w, p->paid_fen);
			csv_put_str(w, report_payee_note(p, note, sizeof note));
			csv_end_row(w);
		}
	}
	csv_amendments(w, r);
	csv_end_row(w);
	snprintf(buf, sizeof buf, "%" PRId64, r->ledger_seq);
	put_row(w, (const char *const[]){"资金账本记录号", buf, "账本哈希", r->ledger_hash, NULL});
	size_t n;
	const char *data = csv_writer_data(w, &n);
	char *out = xmalloc(n + 1);
	memcpy(out, data, n + 1);
	if (len)
		*len = n;
	csv_writer_free(w);
	return out;
}

/* ---- HTML ---- */

/* Appends text with the five HTML special characters escaped. */
static void sb_esc(struct strbuf *b, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *rep = *s == '&'    ? "&amp;"
				  : *s == '<'  ? "&lt;"
				  : *s == '>'  ? "&gt;"
				  : *s == '"'  ? "&quot;"
				  : *s == '\'' ? "&#39;"
					       : NULL;
		if (!rep)
			continue;
		strbuf_add(b, run, (size_t)(s - run));
		strbuf_add(b, rep, strlen(rep));
		run = s + 1;
	}
	strbuf_add(b, run, (size_t)(s - run));
}

static void sb_yuan(struct strbuf *b, int64_t fen)
{
	char y[32];
	report_yuan(fen, y);
	strbuf_add(b, y, strlen(y));
}

static void td_yuan(struct strbuf *b, int64_t fen)
{
	strbuf_add(b, "<td class=n>", 12);
	sb_yuan(b, fen);
	strbuf_add(b, "</td>", 5);
}

static void td_text(struct strbuf *b, const char *s)
{
	strbuf_add(b, "<td>", 4);
	sb_esc(b, s);
	strbuf_add(b, "</td>", 5);
}

static const char *const bucket_colour[REVENUE_NBUCKETS] = {"#2f6f4f", "#4a7fb5", "#d9a441",
							    "#8a6fb0"};

/* A horizontal bar per use of revenue, labelled with the amount and its share. */
static void svg_buckets(struct strbuf *b, const int64_t *alloc)
{
	int64_t total = 0, max = 1;
	for (int i = 0; i < REVENUE_NBUCKETS; i++) {
		total += alloc[i];
		if (alloc[i] > max)
			max = alloc[i];
	}
	strbuf_printf(b, "<svg class=chart viewBox=\"0 0 640 150\" width=\"640\" height=\"150\" "
			 "role=\"img\" aria-label=\"收益用途\">");
	for (int i = 0; i < REVENUE_NBUCKETS; i++) {
		double wdt = alloc[i] > 0 ? 380.0 * (double)alloc[i] / (double)max : 0;
		int y = 10 + i * 34;
		char yv[32];
		strbuf_printf(
		    b,
		    "<text x=\"110\" y=\"%d\" text-anchor=\"end\" font-size=\"13\">%s</text>"
		    "<rect x=\"120\" y=\"%d\" width=\"%.1f\" height=\"22\" fill=\"%s\"/>"
		    "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s 元 (%.1f%%)</text>",
		    y + 16, report_bucket_zh((enum revenue_bucket)i), y, wdt, bucket_colour[i],
		    126 + wdt, y + 16, report_yuan(alloc[i], yv),
		    total > 0 ? 100.0 * (double)alloc[i] / (double)total : 0.0);
	}
	strbuf_add(b, "</svg>", 6);
}

/* A bar per station for its η with the station and county targets as dashed lines; stations
 * without a recorded η get a "—" instead of a bar. */
/* A station in the η chart: its index and η (-1 when unknown, so that it sorts last). */
struct eta_bar {
	size_t i;
	double eta;
};

static int eta_bar_cmp(const void *pa, const void *pb)
{
	const struct eta_bar *a = pa, *b = pb;
	if (a->eta != b->eta)
		return a->eta < b->eta ? 1 : -1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The stations' η as horizontal bars, best first, each with its Chinese name, so that a county
 * of dozens of stations reads as a ranking rather than a band of overlapping labels; the
 * station and county targets are dashed lines. */
static void svg_eta(struct strbuf *b, const struct report *r, const size_t *idx, size_t n)
{
	const double left = 190, right = 640, row = 14, top = 22, xmax = 1.2;
	struct eta_bar *bars = xmalloc((n ? n : 1) * sizeof *bars);
	for (size_t k = 0; k < n; k++) {
		const struct report_station *s = &r->stations[idx[k]];
		bars[k] = (struct eta_bar){idx[k], s->has_eta ? s->eta : -1.0};
	}
	qsort(bars, n, sizeof *bars, eta_bar_cmp);
	double height = top + row * (double)n + 8;
	strbuf_printf(b,
		      "<svg class=chart viewBox=\"0 0 680 %.0f\" width=\"680\" height=\"%.0f\" "
		      "role=\"img\" aria-label=\"电站效率\">",
		      height, height);
	for (int k = 0; k < 2; k++) {
		double target = k ? r->eta_county_target : r->eta_station_target;
		double x = left + (right - left) * target / xmax;
		strbuf_printf(
		    b,
		    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
		    "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"12\" font-size=\"10\" "
		    "text-anchor=\"middle\">%s %.1f</text>",
		    x, x, top - 4, height - 4, k ? "#2f6f4f" : "#c0392b", x,
		    k ? "全县目标" : "单站目标", target);
	}
	for (size_t k = 0; k < n; k++) {
		const struct report_station *s = &r->stations[bars[k].i];
		double y = top + row * (double)k;
		strbuf_printf(b,
			      "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" "
			      "text-anchor=\"end\">",
			      left - 6, y + row * 0.75);
		sb_esc(b, s->name[0] ? s->name : s->id);
		strbuf_add(b, "</text>", 7);
		if (s->has_eta) {
			double e = s->eta < 0 ? 0 : s->eta > xmax ? xmax : s->eta;
			double w = (right - left) * e / xmax;
			strbuf_printf(
			    b,
			    "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%.2f"
			    "</text>",
			    left, y + 2, w, row - 4,
			    s->eta >= r->eta_county_target    ? "#2f6f4f"
			    : s->eta >= r->eta_station_target ? "#d9a441"
							      : "#c0392b",
			    left + w + 3, y + row * 0.75, s->eta);
		} else {
			strbuf_printf(b,
				      "<text x=\"%.0f\" y=\"%.1f\" font-size=\"9\">—（无数据）"
				      "</text>",
				      left + 3, y + row * 0.75);
		}
	}
	strbuf_add(b, "</svg>", 6);
	free(bars);
}

static void html_kwh(struct strbuf *b, int has, double kwh)
{
	if (has)
		strbuf_printf(b, "<td class=n>%.1f</td>", kwh);
	else
		strbuf_add(b, "<td class=n>—</td>", strlen("<td class=n>—</td>"));
}

/* Writes comma-separated periods "2024-10,2024-11" in Chinese ("2024年10月、2024年11月"), or
 * "—" when there are none, into buf; returns buf. */
static const char *periods_zh(const char *list, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	while (list && *list && o + 40 < len) {
		char m[32], one[8];
		size_t n = strcspn(list, ",");
		snprintf(one, sizeof one, "%.*s", (int)(n < 7 ? n : 7), list);
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "、" : "",
				      report_month_zh(one, m));
		list += n + (list[n] == ',');
	}
	if (!buf[0])
		snprintf(buf, len, "—");
	return buf;
}

static void html_stations(struct strbuf *b, const struct report *r, const size_t *idx, size_t n)
{
	strbuf_printf(b,
		      "<table><thead><tr><th>电站</th><th>装机 kWp</th><th>本月实测电量 kWh</th>"
		      "<th>本月发电的结算电量 kWh</th><th>差异</th><th>本月到账收入 元</th>"
		      "<th>到账电费的发电期：结算 / 实测 kWh</th><th>应收补贴 元</th>"
		      "<th>η (目标 %.1f / %.1f)</th></tr></thead><tbody>",
		      r->eta_station_target, r->eta_county_target);
	for (size_t i = 0; i < n; i++) {
		const struct report_station *s = &r->stations[idx[i]];
		strbuf_add(b, "<tr>", 4);
		strbuf_add(b, "<td>", 4);
		sb_esc(b, s->name);
		strbuf_add(b, "<br><small>", 11);
		sb_esc(b, s->id);
		strbuf_add(b, "</small></td>", 13);
		strbuf_printf(b, "<td class=n>%.1f</td>", s->capacity_kwp);
		html_kwh(b, s->has_measured, s->measured_kwh);
		html_kwh(b, s->has_metered, s->metered_kwh);
		if (s->has_measured && s->has_metered && s->metered_kwh > 0)
			strbuf_printf(b, "<td class=\"n%s\">%+.1f%%%s</td>",
				      s->reconcile_flag ? " flag" : "", s->diff_fraction * 100.0,
				      s->reconcile_flag ? " 需核对" : "");
		else
			strbuf_add(b, "<td class=n>—</td>", strlen("<td class=n>—</td>"));
		td_yuan(b, s->received_fen);
		if (s->cash_periods && s->cash_periods[0]) {
			char periods[256];
			strbuf_printf(b, "<td class=n>%s：%.1f / ",
				      periods_zh(s->cash_periods, periods, sizeof periods),
				      s->cash_metered_kwh);
			if (s->has_cash_measured)
				strbuf_printf(b, "%.1f</td>", s->cash_measured_kwh);
			else
				strbuf_printf(b, "—</td>");
		} else {
			strbuf_printf(b, "<td class=n>—</td>");
		}
		td_yuan(b, s->receivable_fen);
		if (s->has_eta)
			strbuf_printf(b, "<td class=\"n%s\">%.3f</td>",
				      s->eta < r->eta_station_target ? " flag" : "", s->eta);
		else
			strbuf_add(b, "<td class=n>—</td>", strlen("<td class=n>—</td>"));
		strbuf_add(b, "</tr>", 5);
	}
	strbuf_add(b, "</tbody></table>", 16);
}

static void html_village(struct strbuf *b, const struct report *r, const struct report_village *v)
{
	int64_t carried = 0, paid = 0;
	for (int i = 0; i < REVENUE_NBUCKETS; i++)
		carried += v->carry_out_fen[i];
	strbuf_add(b, "<section class=village><h2>", strlen("<section class=village><h2>"));
	sb_esc(b, v->town);
	strbuf_add(b, " ", 1);
	sb_esc(b, v->name);
	strbuf_printf(b, " %s 光伏扶贫收益分配%s</h2>", r->month, r->public_notice ? "公示" : "");
	strbuf_printf(b, "<p class=state>方案状态：%s</p>", state_zh(v->state));
	strbuf_add(b, "<table class=sum><tbody>", strlen("<table class=sum><tbody>"));
	strbuf_printf(b, "<tr><th>发电量（实测 / 结算）</th><td class=n>%.1f / %.1f kWh</td></tr>",
		      v->measured_kwh, v->metered_kwh);
	strbuf_add(b, "<tr><th>本月到账收入</th>", strlen("<tr><th>本月到账收入</th>"));
	td_yuan(b, v->received_fen);
	strbuf_add(b, "</tr><tr><th>应收未到账补贴（不分配）</th>",
		   strlen("</tr><tr><th>应收未到账补贴（不分配）</th>"));
	td_yuan(b, v->receivable_fen);
	strbuf_add(b, "</tr>", 5);
	for (int c = 0; c < REPORT_NCOSTS; c++) {
		strbuf_printf(b, "<tr><th>减：%s</th>", cost_zh[c]);
		td_yuan(b, v->cost_fen[c]);
		strbuf_add(b, "</tr>", 5);
	}
	strbuf_add(b, "<tr><th>可分配收益</th>", strlen("<tr><th>可分配收益</th>"));
	td_yuan(b, v->distributable_fen);
	strbuf_add(b, "</tr>", 5);
	if (v->deficit_in_fen || v->deficit_out_fen) {
		strbuf_add(b, "<tr><th>上月亏空 / 结转亏空</th><td class=n>",
			   strlen("<tr><th>上月亏空 / 结转亏空</th><td class=n>"));
		sb_yuan(b, v->deficit_in_fen);
		strbuf_add(b, " / ", 3);
		sb_yuan(b, v->deficit_out_fen);
		strbuf_add(b, "</td></tr>", 10);
	}
	strbuf_add(b, "</tbody></table>", 16);
	svg_buckets(b, v->alloc_fen);
	strbuf_add(
	    b,
	    "<table><thead><tr><th>用途</th><th>比例</th><th>上月结转</th><th>本月分配</th>"
	    "<th>本月支出</th><th>结转下月</th></tr></thead><tbody>",
	    strlen("<table><thead><tr><th>用途</th><th>比例</th><th>上月结转</th><th>本月分配"
		   "</th><th>本月支出</th><th>结转下月</th></tr></thead><tbody>"));
	for (int i = 0; i < REVENUE_NBUCKETS; i++) {
		strbuf_printf(b, "<tr><td>%s</td><td class=n>%d.%02d%%</td>",
			      report_bucket_zh((enum revenue_bucket)i), v->share_bp[i] / 100,
			      v->share_bp[i] % 100);
		td_yuan(b, v->carry_in_fen[i]);
		td_yuan(b, v->alloc_fen[i]);
		td_yuan(b, v->spent_fen[i]);
		td_yuan(b, v->carry_out_fen[i]);
		strbuf_add(b, "</tr>", 5);
	}
	strbuf_add(b, "<tr class=total><td>合计结转</td><td></td><td></td><td></td><td></td>",
		   strlen("<tr class=total><td>合计结转</td><td></td><td></td><td></td><td></td>"));
	td_yuan(b, carried);
	strbuf_add(b, "</tr></tbody></table>", strlen("</tr></tbody></table>"));
	int ok = posts_ok(v);
	strbuf_printf(b, "<p class=\"check%s\">岗位及劳务占比：方案 %d.%02d%%", ok ? "" : " flag",
		      v->policy_posts_bp / 100, v->policy_posts_bp % 100);
	if (v->posts_share_bp >= 0)
		strbuf_printf(b, "，实发 %d.%02d%%", v->posts_share_bp / 100,
			      v->posts_share_bp % 100);
	strbuf_printf(b, "（不低于 %d.%02d%%）%s</p>", v->min_posts_bp / 100, v->min_posts_bp % 100,
		      ok ? " ✓ 符合" : " ✗ 不符合");
	if (v->note[0]) {
		strbuf_add(b, "<p class=note>", 14);
		sb_esc(b, v->note);
		strbuf_add(b, "</p>", 4);
	}
	strbuf_add(b, "<h3>发放明细</h3><table><thead><tr><th>姓名</th>",
		   strlen("<h3>发放明细</h3><table><thead><tr><th>姓名</th>"));
	if (!r->public_notice)
		strbuf_add(b, "<th>身份证号</th><th>户类别</th>",
			   strlen("<th>身份证号</th><th>户类别</th>"));
	strbuf_add(
	    b,
	    "<th>岗位</th><th>出勤天数</th><th>工资标准</th><th>实发金额 元</th><th>说明</th>"
	    "</tr></thead><tbody>",
	    strlen("<th>岗位</th><th>出勤天数</th><th>工资标准</th><th>实发金额 元</th>"
		   "<th>说明</th></tr></thead><tbody>"));
	for (size_t k = 0; k < v->npayees; k++) {
		const struct report_payee *p = &v->payees[k];
		char note[256];
		strbuf_add(b, "<tr>", 4);
		td_text(b, p->name);
		if (!r->public_notice) {
			td_text(b, p->id_masked);
			td_text(b, p->category);
		}
		strbuf_add(b, "<td>", 4);
		sb_esc(b, p->post_kind);
		strbuf_add(b, "<br><small>", 11);
		sb_esc(b, p->post_id);
		strbuf_add(b, "</small></td>", 13);
		if (p->required_days)
			strbuf_printf(b, "<td class=n>%d / %d</td>", p->days_worked,
				      p->required_days);
		else
			strbuf_printf(b, "<td class=n>%d</td>", p->days_worked);
		td_yuan(b, p->standard_fen);
		td_yuan(b, p->paid_fen);
		td_text(b, report_payee_note(p, note, sizeof note));
		strbuf_add(b, "</tr>", 5);
		paid += p->paid_fen;
	}
	strbuf_printf(b, "<tr class=total><td colspan=%d>合计</td>", r->public_notice ? 4 : 6);
	td_yuan(b, paid);
	strbuf_add(b, "<td></td></tr></tbody></table>", strlen("<td></td></tr></tbody></table>"));
	strbuf_add(b, "<h3>电站</h3>", strlen("<h3>电站</h3>"));
	html_stations(b, r, v->stations, v->nstations);
	if (r->public_notice) {
		strbuf_add(b, "<p class=notice>", 16);
		strbuf_printf(b, "公示期内如有异议，请向村务监督委员会或乡镇反映。</p>");
	}
	strbuf_add(b, "</section>", 10);
}

/* The amendments to earlier posted notices: the posted notice stays as posted, and what
 * changed since is told here, dated. */
static void html_amendments(struct strbuf *b, const struct report *r, const char *skip)
{
	char m[32], was[48], now[48], day[32];
	size_t shown = 0;
	for (size_t i = 0; i < r->namendments; i++)
		shown += !(skip && skip[i]);
	if (!shown)
		return;
	strbuf_printf(
	    b,
	    "<h3>更正说明</h3><p>以下为已公示月份在公示后的变动（截至%s），原公示内容不变，"
	    "以本表为准。</p><table "
	    "class=amend><thead><tr><th>公示月份</th><th>对象</th><th>项目</th>"
	    "<th>原公示</th><th>现为</th><th>说明</th></tr></thead><tbody>",
	    report_day_zh(r->generated_unix, r->utc_offset_s, day));
	for (size_t i = 0; i < r->namendments; i++) {
		const struct report_amendment *a = &r->amendments[i];
		if (skip && skip[i])
			continue;
		strbuf_add(b, "<tr>", 4);
		td_text(b, report_month_zh(a->month, m));
		td_text(b, a->subject_name);
		td_text(b, report_field_zh(a->field));
		strbuf_printf(b, "<td class=n>%s</td><td class=n>%s</td>",
			      report_amendment_value(a, 0, was), report_amendment_value(a, 1, now));
		td_text(b, a->note ? a->note : "");
		strbuf_add(b, "</tr>", 5);
	}
	strbuf_add(b, "</tbody></table>", 16);
}

static void td_yuan_zh(struct strbuf *b, int64_t fen)
{
	char y[48];
	strbuf_printf(b, "<td class=n>%s</td>", report_yuan_zh(fen, y));
}

static void td_kwh_zh(struct strbuf *b, int has, double kwh)
{
	if (has)
		strbuf_printf(b, "<td class=n>%.1f</td>", kwh);
	else
		strbuf_printf(b, "<td class=n>—</td>");
}

static const char notice_style[] =
    "<style>@page{size:A4;margin:10mm 12mm}"
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\","
    "\"SimSun\",sans-serif;font-size:9pt;line-height:1.3;color:#111;max-width:182mm;"
    "margin:auto}h1{font-size:15pt;text-align:center;margin:0 0 3mm}"
    "h2{font-size:11pt;margin:3mm 0 1mm}p{margin:1mm 0}"
    "table{border-collapse:collapse;width:100%;margin:1mm 0}tr{page-break-inside:avoid}"
    "th,td{border:0.3mm solid #555;padding:0.4mm 1.2mm}th{background:#f0f0f0;"
    "font-weight:normal;text-align:left}td.n{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}.total td{font-weight:bold}.flag{color:#b00020}"
    ".sign{display:flex;justify-content:space-between;margin-top:4mm}"
    ".sign p{width:48%}small{color:#555}table{font-size:8pt;line-height:1.2}"
    "td:first-child{white-space:nowrap}"
    "table.pay{font-size:7.5pt}table.pay td{white-space:nowrap;padding:0.3mm 0.8mm}"
    "table.amend td{white-space:nowrap}table.amend td:last-child{white-space:normal}"
    "</style>";

/* One village's public notice, as a township posts it: in Chinese, amounts in 元 with
 * thousands separators, the notice period, where to complain, the signature and seal lines
 * and the ledger head; on one or two A4 pages. */
static void html_notice(struct strbuf *b, const struct report *r)
{
	const struct report_village *v = &r->villages[0];
	char m[32], d1[32], d2[32];
	int64_t carried = 0, carried_in = 0, alloc = 0, spent = 0, due = 0, paid = 0;
	report_month_zh(r->month, m);
	strbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
			 "<title>");
	sb_esc(b, v->town);
	sb_esc(b, v->name);
	strbuf_printf(b, "%s光伏扶贫电站收益分配公示</title>%s</head><body><h1>", m, notice_style);
	sb_esc(b, v->town);
	sb_esc(b, v->name);
	strbuf_printf(b,
		      "%s光伏扶贫电站收益分配公示</h1><p>根据光伏扶贫电站收益分配管理有关规定，"
		      "本村%s光伏电站收益分配方案经村民会议讨论通过、乡镇审核、县级备案，现予公示。"
		      "只分配已到账收入，应收补贴到账后再分配。</p>",
		      m, m);
	if (v->publicised_at > 0) {
		int days = v->notice_days > 0 ? v->notice_days : PLAN_NOTICE_DAYS_DEFAULT;
		report_day_zh(v->publicised_at, PLAN_TZ_OFFSET_S, d1);
		report_day_zh(plan_notice_end(v->publicised_at, days) - 1, PLAN_TZ_OFFSET_S, d2);
		strbuf_printf(b, "<p><b>公示期：%s至%s（%d天）。</b></p>", d1, d2, days);
	} else {
		strbuf_printf(b, "<p><b>公示期：自张贴之日起%d天。</b></p>",
			      v->notice_days > 0 ? v->notice_days : PLAN_NOTICE_DAYS_DEFAULT);
	}
	/* Two figures a row: the income table stays short enough for the page. */
	struct strbuf cells[12];
	size_t ncells = 0;
	memset(cells, 0, sizeof cells);
	strbuf_printf(&cells[ncells], "<th>本月到账电费对应的结算电量（千瓦时）</th>");
	td_kwh_zh(&cells[ncells++], 1, v->cash_metered_kwh);
	strbuf_printf(&cells[ncells], "<th>同期本站监测发电量（千瓦时）</th>");
	td_kwh_zh(&cells[ncells++], v->has_cash_measured, v->cash_measured_kwh);
	strbuf_printf(&cells[ncells], "<th>本月到账收入（元）</th>");
	td_yuan_zh(&cells[ncells++], v->received_fen);
	strbuf_printf(&cells[ncells], "<th>应收未到账补贴（到账后再分配，元）</th>");
	td_yuan_zh(&cells[ncells++], v->receivable_fen);
	for (int c = 0; c < REPORT_NCOSTS; c++) {
		strbuf_printf(&cells[ncells], "<th>减：%s（元）</th>", cost_zh[c]);
		td_yuan_zh(&cells[ncells++], v->cost_fen[c]);
	}
	if (v->deficit_in_fen || v->deficit_out_fen) {
		/* Costs beyond the cash are owed and paid first from later months' cash. */
		strbuf_printf(&cells[ncells], "<th>上月结转未付费用（负债，元）</th>");
		td_yuan_zh(&cells[ncells++], -v->deficit_in_fen);
		strbuf_printf(&cells[ncells], "<th>结转下月未付费用（负债，元）</th>");
		td_yuan_zh(&cells[ncells++], -v->deficit_out_fen);
	}
	strbuf_printf(b, "<h2>一、收入情况（发电期见电站表）</h2><table><tbody>");
	for (size_t i = 0; i < ncells; i += 2) {
		strbuf_printf(b, "<tr>");
		for (size_t j = i; j < i + 2 && j < ncells; j++) {
			strbuf_add(b, cells[j].s ? cells[j].s : "", cells[j].len);
			free(strbuf_take(&cells[j]));
		}
		strbuf_printf(b, "%s</tr>", i + 1 < ncells ? "" : "<th></th><td></td>");
	}
	strbuf_printf(b, "<tr class=total><th colspan=3>可分配收益（元）</th>");
	td_yuan_zh(b, v->distributable_fen);
	strbuf_printf(b, "</tr>");
	strbuf_printf(b,
		      "</tbody></table><h2>二、收益用途（元）</h2><table><thead><tr><th>用途</th>"
		      "<th>比例</th><th>上月结转</th><th>本月分配</th><th>本月支出</th>"
		      "<th>结转下月</th></tr></thead><tbody>");
	for (int i = 0; i < REVENUE_NBUCKETS; i++) {
		strbuf_printf(b, "<tr><td>%s</td><td class=n>%d.%02d%%</td>",
			      report_bucket_zh((enum revenue_bucket)i), v->share_bp[i] / 100,
			      v->share_bp[i] % 100);
		td_yuan_zh(b, v->carry_in_fen[i]);
		td_yuan_zh(b, v->alloc_fen[i]);
		td_yuan_zh(b, v->spent_fen[i]);
		td_yuan_zh(b, v->carry_out_fen[i]);
		strbuf_printf(b, "</tr>");
		carried_in += v->carry_in_fen[i];
		alloc += v->alloc_fen[i];
		spent += v->spent_fen[i];
		carried += v->carry_out_fen[i];
	}
	strbuf_printf(b, "<tr class=total><td>合计</td><td></td>");
	td_yuan_zh(b, carried_in);
	td_yuan_zh(b, alloc);
	td_yuan_zh(b, spent);
	td_yuan_zh(b, carried);
	strbuf_printf(b, "</tr></tbody></table>");
	strbuf_printf(b, "<p>岗位工资及以工代赈劳务占本月新增收益的比例：%d.%02d%%",
		      v->policy_posts_bp / 100, v->policy_posts_bp % 100);
	if (v->posts_share_bp >= 0)
		strbuf_printf(b, "；占本月实际支出的比例：%d.%02d%%", v->posts_share_bp / 100,
			      v->posts_share_bp % 100);
	strbuf_printf(b, "（规定不低于%d.%02d%%）。</p>", v->min_posts_bp / 100,
		      v->min_posts_bp % 100);
	/* One row per post held: the month's own wage or labour, and beside it the arrears of
	 * earlier months paid with it, each with that month's pay as posted and as it is now (the
	 * amendment, which the amendments table then need not repeat). A village of sixty posts
	 * so stays within two pages. */
	char *shown = xcalloc(r->namendments ? r->namendments : 1, 1);
	char *merged = xcalloc(v->npayees ? v->npayees : 1, 1);
	size_t npayee_amended = 0;
	strbuf_printf(b, "<h2>三、发放明细（元）</h2><table class=pay><thead><tr><th>姓名</th>"
			 "<th>岗位</th><th>出勤天数</th><th>应发</th><th>实发</th><th>说明</th>"
			 "<th>补发欠发（该月实发：原公示→现为）</th></tr></thead><tbody>");
	for (size_t k = 0; k < v->npayees; k++) {
		const struct report_payee *p = &v->payees[k];
		char note[256], id[256];
		if (merged[k])
			continue;
		strbuf_printf(b, "<tr>");
		td_text(b, p->name);
		td_text(b, p->post_kind);
		if (p->owed_month[0]) {
			strbuf_printf(b,
				      "<td class=n>—</td><td class=n>—</td><td class=n>—</td><td>"
				      "</td>");
		} else {
			if (p->required_days)
				strbuf_printf(b, "<td class=n>%d/%d</td>", p->days_worked,
					      p->required_days);
			else
				strbuf_printf(b, "<td class=n>%d</td>", p->days_worked);
			td_yuan_zh(b, p->due_fen);
			td_yuan_zh(b, p->paid_fen);
			td_text(b, report_payee_note(p, note, sizeof note));
			due += p->due_fen;
			paid += p->paid_fen;
		}
		strbuf_printf(b, "<td>");
		snprintf(id, sizeof id, "%s/%s", p->person_id, p->post_id);
		size_t narrears = 0;
		for (size_t j = k; j < v->npayees; j++) {
			const struct report_payee *q = &v->payees[j];
			char om[32], y1[48], y2[48], y3[48];
			if (!q->owed_month[0] || strcmp(q->person_id, p->person_id) != 0 ||
			    strcmp(q->post_id, p->post_id) != 0 || strcmp(q->kind, p->kind) != 0)
				continue;
			merged[j] = 1;
			due += q->due_fen;
			paid += q->paid_fen;
			strbuf_printf(b, "%s%s %s", narrears++ ? "；" : "",
				      report_month_zh(q->owed_month, om),
				      report_yuan_zh(q->paid_fen, y1));
			if (q->paid_fen < q->due_fen)
				strbuf_printf(b, "，仍欠 %s",
					      report_yuan_zh(q->due_fen - q->paid_fen, y1));
			for (size_t i = 0; i < r->namendments; i++) {
				const struct report_amendment *a = &r->amendments[i];
				/* The pay beside the arrears that changed it; what was due changes
				 * only by a corrected record, told with its reason below. */
				if (shown[i] || strcmp(a->subject, "payee") != 0 ||
				    strcmp(a->field, "paid_fen") != 0 ||
				    strcmp(a->subject_id, id) != 0 ||
				    strcmp(a->month, q->owed_month) != 0)
					continue;
				shown[i] = 1;
				npayee_amended++;
				strbuf_printf(b, "（%s→%s）", report_yuan_zh(a->posted_fen, y2),
					      report_yuan_zh(a->now_fen, y3));
			}
		}
		strbuf_printf(b, "</td></tr>");
	}
	strbuf_printf(b, "<tr class=total><td colspan=3>合计（含补发）</td>");
	td_yuan_zh(b, due);
	td_yuan_zh(b, paid);
	strbuf_printf(b, "<td colspan=2></td></tr></tbody></table>");
	free(merged);
	if (v->note[0]) {
		strbuf_printf(b, "<p>");
		sb_esc(b, v->note);
		strbuf_printf(b, "</p>");
	}
	strbuf_printf(b, "<h2>四、电站</h2><table><thead><tr><th>电站</th><th>装机容量（千瓦）</th>"
			 "<th>本月到账电费的发电期</th><th>该期电网结算电量（千瓦时）</th>"
			 "<th>该期本站监测发电量（千瓦时）</th>"
			 "<th>本月到账收入（元）</th><th>应收补贴（元）</th></tr></thead><tbody>");
	for (size_t k = 0; k < v->nstations; k++) {
		const struct report_station *st = &r->stations[v->stations[k]];
		char periods[256];
		strbuf_printf(b, "<tr>");
		td_text(b, st->name);
		strbuf_printf(b, "<td class=n>%.1f</td>", st->capacity_kwp);
		td_text(b, periods_zh(st->cash_periods, periods, sizeof periods));
		td_kwh_zh(b, st->cash_periods && st->cash_periods[0], st->cash_metered_kwh);
		td_kwh_zh(b, st->has_cash_measured, st->cash_measured_kwh);
		td_yuan_zh(b, st->received_fen);
		td_yuan_zh(b, st->receivable_fen);
		strbuf_printf(b, "</tr>");
	}
	strbuf_printf(b, "</tbody></table><p><small>联建电站的电量、收入按本村所占份额计入本村。"
			 "</small></p>");
	html_amendments(b, r, shown);
	if (npayee_amended)
		strbuf_printf(
		    b,
		    "<p><small>另有 %zu 人以前月份的实发金额因补发欠发而变动，原公示与现为金额"
		    "见发放明细末列。</small></p>",
		    npayee_amended);
	free(shown);
	strbuf_printf(b,
		      "<h2>五、监督</h2><p>公示期内，村民对公示内容如有异议，可向本村村务监督委员会"
		      "或");
	sb_esc(b, v->town);
	strbuf_printf(b, "人民政府反映");
	if (r->contact && r->contact[0]) {
		strbuf_printf(b, "（联系方式：");
		sb_esc(b, r->contact);
		strbuf_printf(b, "）");
	}
	strbuf_printf(b, "。公示期满无异议后，发放至个人账户。</p><div class=sign><p>");
	sb_esc(b, v->name);
	strbuf_printf(b, "村民委员会（盖章）<br><br>负责人（签字）：</p><p>");
	sb_esc(b, v->name);
	strbuf_printf(b,
		      "村务监督委员会（盖章）<br><br>负责人（签字）：</p></div><p>公示日期：%s</p>",
		      report_day_zh(v->publicised_at > 0 ? v->publicised_at : r->generated_unix,
				    PLAN_TZ_OFFSET_S, d1));
	strbuf_printf(b,
		      "<p><small>资金账本截至第 %" PRId64 " 条，末条哈希 %s。请保存此号与哈希，"
		      "日后可核对账本未被删改。</small></p></body></html>\n",
		      r->ledger_seq, r->ledger_hash);
}

static const char html_style[] =
    "<style>@page{size:A4;margin:14mm 12mm}"
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\","
    "\"SimSun\",sans-serif;font-size:10.5pt;color:#111;max-width:186mm;margin:auto}"
    "h1{font-size:16pt;text-align:center;margin:0 0 4mm}h2{font-size:13pt;margin:0 0 2mm}"
    "h3{font-size:11pt;margin:4mm 0 1mm}"
    "table{border-collapse:collapse;width:100%;margin:2mm 0;page-break-inside:auto}"
    "tr{page-break-inside:avoid}th,td{border:0.3mm solid #777;padding:1mm 1.5mm;"
    "vertical-align:top}th{background:#eef2ee;text-align:left}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}table.sum{width:60%}"
    ".flag{color:#b00020;font-weight:bold}.total td{font-weight:bold}small{color:#555}"
    "section.village{page-break-before:always}svg.chart{display:block;margin:2mm 0;"
    "max-width:100%;height:auto}.notice{margin-top:4mm}"
    "@media print{body{max-width:none}}</style>";

char *report_html(const struct report *r)
{
	struct strbuf b = {0};
	if (r->public_notice && r->nvillages == 1) {
		html_notice(&b, r);
		return strbuf_take(&b);
	}
	struct report_totals t;
	char when[40];
	report_totals(r, &t);
	iso_time(r->generated_unix, r->utc_offset_s, when, sizeof when);
	strbuf_add(
	    &b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>",
	    strlen("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>"));
	sb_esc(&b, r->county_name);
	strbuf_printf(&b, " %s 光伏扶贫电站收益分配%s</title>", r->month,
		      r->public_notice ? "公示" : "月报");
	strbuf_add(&b, html_style, strlen(html_style));
	strbuf_add(&b, "</head><body><h1>", strlen("</head><body><h1>"));
	sb_esc(&b, r->county_name);
	strbuf_printf(&b, " %s 村级光伏扶贫电站收益分配%s</h1>", r->month,
		      r->public_notice ? "公示" : "月报");
	strbuf_printf(&b, "<p>生成时间 %s。只分配已到账收入，应收补贴到账后再分配。</p>", when);
	strbuf_add(&b, "<h2>全县汇总</h2><table class=sum><tbody>",
		   strlen("<h2>全县汇总</h2><table class=sum><tbody>"));
	strbuf_printf(&b, "<tr><th>发电量（实测 / 结算）</th><td class=n>%.1f / %.1f kWh</td></tr>",
		      t.measured_kwh, t.metered_kwh);
	strbuf_add(&b, "<tr><th>到账收入</th>", strlen("<tr><th>到账收入</th>"));
	td_yuan(&b, t.received_fen);
	strbuf_add(&b, "</tr><tr><th>应收未到账补贴</th>",
		   strlen("</tr><tr><th>应收未到账补贴</th>"));
	td_yuan(&b, t.receivable_fen);
	strbuf_add(&b, "</tr><tr><th>费用合计</th>", strlen("</tr><tr><th>费用合计</th>"));
	td_yuan(&b, t.costs_fen);
	strbuf_add(&b, "</tr><tr><th>可分配收益</th>", strlen("</tr><tr><th>可分配收益</th>"));
	td_yuan(&b, t.distributable_fen);
	strbuf_add(&b, "</tr><tr><th>岗位工资 / 以工代赈劳务</th><td class=n>",
		   strlen("</tr><tr><th>岗位工资 / 以工代赈劳务</th><td class=n>"));
	sb_yuan(&b, t.wages_paid_fen);
	strbuf_add(&b, " / ", 3);
	sb_yuan(&b, t.labour_paid_fen);
	strbuf_printf(&b, "</td></tr><tr><th>领取人数</th><td class=n>%zu</td></tr>",
		      t.payees_paid);
	if (t.posts_share_bp >= 0)
		strbuf_printf(&b, "<tr><th>岗位及劳务实发占比</th><td class=n>%d.%02d%%</td></tr>",
			      t.posts_share_bp / 100, t.posts_share_bp % 100);
	strbuf_printf(&b, "<tr><th>结算电量需核对的电站</th><td class=n>%zu</td></tr>",
		      t.stations_flagged);
	strbuf_add(&b, "</tbody></table><h3>收益用途（本月分配）</h3>",
		   strlen("</tbody></table><h3>收益用途（本月分配）</h3>"));
	svg_buckets(&b, t.alloc_fen);
	strbuf_add(&b, "<h3>电站效率 η</h3>", strlen("<h3>电站效率 η</h3>"));
	size_t *all = xmalloc((r->nstations ? r->nstations : 1) * sizeof *all);
	for (size_t i = 0; i < r->nstations; i++)
		all[i] = i;
	/* A county of thousands of stations gets the table only: even one row each would run
	 * to many pages; up to 120 rows fit on an A4 page or two. */
	if (r->nstations <= 120)
		svg_eta(&b, r, all, r->nstations);
	html_stations(&b, r, all, r->nstations);
	free(all);
	if (r->nvillages > 1) {
		strbuf_add(
		    &b,
		    "<h3>各村</h3><table><thead><tr><th>村</th><th>状态</th><th>到账收入</th>"
		    "<th>可分配</th><th>岗位及劳务实发</th><th>结转</th><th>≥80%</th>"
		    "</tr></thead><tbody>",
		    strlen("<h3>各村</h3><table><thead><tr><th>村</th><th>状态</th><th>到账收入"
			   "</th><th>可分配</th><th>岗位及劳务实发</th><th>结转</th><th>≥80%"
			   "</th></tr></thead><tbody>"));
		for (size_t i = 0; i < r->nvillages; i++) {
			const struct report_village *v = &r->villages[i];
			int64_t carried = 0;
			for (int k = 0; k < REVENUE_NBUCKETS; k++)
				carried += v->carry_out_fen[k];
			strbuf_add(&b, "<tr>", 4);
			td_text(&b, v->name);
			td_text(&b, state_zh(v->state));
			td_yuan(&b, v->received_fen);
			td_yuan(&b, v->distributable_fen);
			td_yuan(&b, v->spent_fen[REVENUE_POSTS]);
			td_yuan(&b, carried);
			strbuf_printf(&b, "<td>%s</td></tr>", posts_ok(v) ? "✓" : "✗");
		}
		strbuf_add(&b, "</tbody></table>", 16);
	}
	for (size_t i = 0; i < r->nvillages; i++)
		html_village(&b, r, &r->villages[i]);
	html_amendments(&b, r, NULL);
	strbuf_printf(&b,
		      "<p class=ledger><small>资金账本截至第 %" PRId64 " 条，末条哈希 %s。"
		      "请保存此号与哈希，日后可核对账本未被删改。</small></p>",
		      r->ledger_seq, r->ledger_hash);
	strbuf_add(&b, "</body></html>\n", 15);
	return strbuf_take(&b);
}
