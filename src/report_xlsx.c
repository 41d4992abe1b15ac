/* The report as an XLSX workbook: the one file that sees libxlsxwriter. Money cells are
 * numbers in yuan with a two-decimal format so that accountants can sum them in Excel; the
 * exact fen stay in the JSON. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "pvrelief/plan.h"
#include "pvrelief/report.h"

struct xl {
	lxw_workbook *wb;
	lxw_format *money, *head, *pct, *kwh;
};

static void put_heads(struct xl *x, lxw_worksheet *ws, const char *const *heads)
{
	for (lxw_col_t c = 0; heads[c]; c++) {
		worksheet_write_string(ws, 0, c, heads[c], x->head);
		worksheet_set_column(ws, c, c, 14, NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
}

static void money(struct xl *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, int64_t fen)
{
	worksheet_write_number(ws, r, c, (double)fen / 100.0, x->money);
}

static const char *state_zh(const char *state)
{
	int s = plan_state_parse(state);
	return s < 0 ? "未分配" : plan_state_name_zh((enum plan_state)s);
}

/* The Chinese name of a village in the report, or the id of one outside it. */
static const char *xl_village_name(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->nvillages; i++)
		if (strcmp(r->villages[i].id, id) == 0)
			return r->villages[i].name;
	return id;
}

int report_xlsx(const struct report *r, const char *path, char *why, size_t whylen)
{
	struct xl x = {0};
	x.wb = workbook_new(path);
	if (!x.wb) {
		snprintf(why, whylen, "cannot create workbook %s", path);
		return -1;
	}
	/* The workbook is stamped with the report's time, not the clock's, so that the same
	 * report gives the same bytes (a posted notice's hash is in the ledger). */
	lxw_doc_properties props = {.created = (time_t)r->generated_unix};
	if (r->generated_unix > 0)
		workbook_set_properties(x.wb, &props);
	x.money = workbook_add_format(x.wb);
	format_set_num_format(x.money, "#,##0.00");
	x.pct = workbook_add_format(x.wb);
	format_set_num_format(x.pct, "0.00%");
	x.kwh = workbook_add_format(x.wb);
	format_set_num_format(x.kwh, "#,##0.0");
	x.head = workbook_add_format(x.wb);
	format_set_bold(x.head);
	format_set_bg_color(x.head, 0xEEF2EE);

	lxw_worksheet *ws = workbook_add_worksheet(x.wb, "村级汇总");
	static const char *const vh[] = {"村编号",	"村",		"乡镇",		"方案状态",
					 "实测电量kWh", "结算电量kWh",	"到账收入",	"应收补贴",
					 "运维费",	"保险费",	"土地租金",	"其他费用",
					 "可分配",	"岗位及劳务",	"小型公益事业", "奖励补助",
					 "运维储备",	"岗位实发占比", "结转余额",	NULL};
	put_heads(&x, ws, vh);
	for (size_t i = 0; i < r->nvillages; i++) {
		const struct report_village *v = &r->villages[i];
		lxw_row_t row = (lxw_row_t)(i + 1);
		int64_t carried = 0;
		worksheet_write_string(ws, row, 0, v->id, NULL);
		worksheet_write_string(ws, row, 1, v->name, NULL);
		worksheet_write_string(ws, row, 2, v->town, NULL);
		worksheet_write_string(ws, row, 3, state_zh(v->state), NULL);
		worksheet_write_number(ws, row, 4, v->measured_kwh, x.kwh);
		worksheet_write_number(ws, row, 5, v->metered_kwh, x.kwh);
		money(&x, ws, row, 6, v->received_fen);
		money(&x, ws, row, 7, v->receivable_fen);
		for (int c = 0; c < REPORT_NCOSTS; c++)
			money(&x, ws, row, (lxw_col_t)(8 + c), v->cost_fen[c]);
		money(&x, ws, row, 12, v->distributable_fen);
		for (int b = 0; b < REVENUE_NBUCKETS; b++) {
			money(&x, ws, row, (lxw_col_t)(13 + b), v->alloc_fen[b]);
			carried += v->carry_out_fen[b];
		}
		if (v->posts_share_bp >= 0)
			worksheet_write_number(ws, row, 17, v->posts_share_bp / 10000.0, x.pct);
		money(&x, ws, row, 18, carried);
	}
	if (r->nvillages > 1) {
		/* The county's total row under the villages. */
		struct report_totals t;
		int64_t carried = 0;
		lxw_row_t row = (lxw_row_t)(r->nvillages + 1);
		report_totals(r, &t);
		worksheet_write_string(ws, row, 1, "全县合计", x.head);
		worksheet_write_number(ws, row, 4, t.measured_kwh, x.kwh);
		worksheet_write_number(ws, row, 5, t.metered_kwh, x.kwh);
		money(&x, ws, row, 6, t.received_fen);
		money(&x, ws, row, 7, t.receivable_fen);
		for (int c = 0; c < REPORT_NCOSTS; c++)
			money(&x, ws, row, (lxw_col_t)(8 + c), t.cost_fen[c]);
		money(&x, ws, row, 12, t.distributable_fen);
		for (int b = 0; b < REVENUE_NBUCKETS; b++) {
			money(&x, ws, row, (lxw_col_t)(13 + b), t.alloc_fen[b]);
			carried += t.carry_out_fen[b];
		}
		if (t.posts_share_bp >= 0)
			worksheet_write_number(ws, row, 17, t.posts_share_bp / 10000.0, x.pct);
		money(&x, ws, row, 18, carried);
	}

	ws = workbook_add_worksheet(x.wb, "电站");
	static const char *const sh[] = {"电站编号",
					 "电站",
					 "运营村",
					 "装机容量（千瓦）",
					 "实测电量（千瓦时）",
					 "结算电量（千瓦时）",
					 "差异",
					 "需核对",
					 "到账收入",
					 "应收补贴",
					 "η",
					 NULL};
	put_heads(&x, ws, sh);
	for (size_t i = 0; i < r->nstations; i++) {
		const struct report_station *s = &r->stations[i];
		lxw_row_t row = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, row, 0, s->id, NULL);
		worksheet_write_string(ws, row, 1, s->name, NULL);
		worksheet_write_string(ws, row, 2, xl_village_name(r, s->village_id), NULL);
		worksheet_write_number(ws, row, 3, s->capacity_kwp, x.kwh);
		if (s->has_measured)
			worksheet_write_number(ws, row, 4, s->measured_kwh, x.kwh);
		if (s->has_metered)
			worksheet_write_number(ws, row, 5, s->metered_kwh, x.kwh);
		if (s->has_measured && s->has_metered && s->metered_kwh > 0)
			worksheet_write_number(ws, row, 6, s->diff_fraction, x.pct);
		worksheet_write_string(ws, row, 7, s->reconcile_flag ? "是" : "否", NULL);
		money(&x, ws, row, 8, s->received_fen);
		money(&x, ws, row, 9, s->receivable_fen);
		if (s->has_eta)
			worksheet_write_number(ws, row, 10, s->eta, NULL);
		else
			worksheet_write_string(ws, row, 10, "—", NULL);
	}

	ws = workbook_add_worksheet(x.wb, "收益分配");
	static const char *const bh[] = {"村",	     "用途",   "比例",	   "上月结转", "本月分配",
					 "本月支出", "未满足", "结转下月", NULL};
	put_heads(&x, ws, bh);
	lxw_row_t row = 1;
	for (size_t i = 0; i < r->nvillages; i++) {
		const struct report_village *v = &r->villages[i];
		for (int b = 0; b < REVENUE_NBUCKETS; b++, row++) {
			worksheet_write_string(ws, row, 0, v->name, NULL);
			worksheet_write_string(ws, row, 1, report_bucket_zh((enum revenue_bucket)b),
					       NULL);
			worksheet_write_number(ws, row, 2, v->share_bp[b] / 10000.0, x.pct);
			money(&x, ws, row, 3, v->carry_in_fen[b]);
			money(&x, ws, row, 4, v->alloc_fen[b]);
			money(&x, ws, row, 5, v->spent_fen[b]);
			money(&x, ws, row, 6, v->unmet_fen[b]);
			money(&x, ws, row, 7, v->carry_out_fen[b]);
		}
	}

	ws = workbook_add_worksheet(x.wb, "发放明细");
	static const char *const ph_public[] = {"村",	    "姓名",	  "岗位",     "岗位类型",
						"出勤天数", "应出勤天数", "工资标准", "应发",
						"实发",	    "说明",	  NULL};
	static const char *const ph_full[] = {
	    "村",	  "姓名",     "身份证号", "户类别", "岗位", "岗位类型", "出勤天数",
	    "应出勤天数", "工资标准", "应发",	  "实发",   "说明", NULL};
	put_heads(&x, ws, r->public_notice ? ph_public : ph_full);
	row = 1;
	for (size_t i = 0; i < r->nvillages; i++) {
		const struct report_village *v = &r->villages[i];
		for (size_t k = 0; k < v->npayees; k++, row++) {
			const struct report_payee *p = &v->payees[k];
			char note[256];
			lxw_col_t c = 0;
			worksheet_write_string(ws, row, c++, v->name, NULL);
			worksheet_write_string(ws, row, c++, p->name, NULL);
			if (!r->public_notice) {
				worksheet_write_string(ws, row, c++, p->id_masked, NULL);
				worksheet_write_string(ws, row, c++, p->category, NULL);
			}
			worksheet_write_string(ws, row, c++, p->post_id, NULL);
			worksheet_write_string(ws, row, c++, p->post_kind, NULL);
			worksheet_write_number(ws, row, c++, p->days_worked, NULL);
			worksheet_write_number(ws, row, c++, p->required_days, NULL);
			money(&x, ws, row, c++, p->standard_fen);
			money(&x, ws, row, c++, p->due_fen);
			money(&x, ws, row, c++, p->paid_fen);
			worksheet_write_string(ws, row, c++,
					       report_payee_note(p, note, sizeof note), NULL);
		}
	}
	/* The ledger head, to keep, and what changed in earlier posted months since. */
	ws = workbook_add_worksheet(x.wb, "账本与更正");
	{
		char seq[32], m[32], was[48], now[48], day[32];
		snprintf(seq, sizeof seq, "%" PRId64, r->ledger_seq);
		worksheet_write_string(ws, 0, 0, "资金账本记录号", x.head);
		worksheet_write_string(ws, 0, 1, seq, NULL);
		worksheet_write_string(ws, 1, 0, "账本哈希", x.head);
		worksheet_write_string(ws, 1, 1, r->ledger_hash, NULL);
		if (r->namendments) {
			static const char *const ah[] = {"公示月份", "对象", "项目", "原公示",
							 "现为",     "说明", NULL};
			worksheet_write_string(ws, 3, 0, "更正说明 截至", x.head);
			worksheet_write_string(
			    ws, 3, 1, report_day_zh(r->generated_unix, r->utc_offset_s, day), NULL);
			for (lxw_col_t c = 0; ah[c]; c++)
				worksheet_write_string(ws, 4, c, ah[c], x.head);
			for (size_t i = 0; i < r->namendments; i++) {
				const struct report_amendment *a = &r->amendments[i];
				lxw_row_t ar = (lxw_row_t)(5 + i);
				worksheet_write_string(ws, ar, 0, report_month_zh(a->month, m),
						       NULL);
				worksheet_write_string(ws, ar, 1, a->subject_name, NULL);
				worksheet_write_string(ws, ar, 2, report_field_zh(a->field), NULL);
				worksheet_write_string(ws, ar, 3, report_amendment_value(a, 0, was),
						       NULL);
				worksheet_write_string(ws, ar, 4, report_amendment_value(a, 1, now),
						       NULL);
				worksheet_write_string(ws, ar, 5, a->note ? a->note : "", NULL);
			}
		}
	}
	lxw_error err = workbook_close(x.wb);
	if (err != LXW_NO_ERROR) {
		snprintf(why, whylen, "cannot write workbook %s: %s", path, lxw_strerror(err));
		return -1;
	}
	return 0;
}

int report_xlsx_table(const char *path, const char *sheet, const char *const *heads, size_t ncols,
		      const struct report_xlsx_cell *cells, size_t nrows, char *why, size_t whylen)
{
	lxw_workbook *wb = workbook_new(path);
	if (!wb) {
		snprintf(why, whylen, "cannot create workbook %s", path);
		return -1;
	}
	lxw_format *head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bg_color(head, 0xEEF2EE);
	/* A format per distinct number format, made on first use. */
	enum { MAX_FORMATS = 16 };
	const char *names[MAX_FORMATS];
	lxw_format *fmts[MAX_FORMATS];
	size_t nf = 0;
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
	for (size_t c = 0; c < ncols; c++) {
		worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], head);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, 12, NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			const struct report_xlsx_cell *x = &cells[r * ncols + c];
			lxw_row_t row = (lxw_row_t)(r + 1);
			if (x->text) {
				worksheet_write_string(ws, row, (lxw_col_t)c, x->text, NULL);
				continue;
			}
			if (isnan(x->num) || isinf(x->num))
				continue;
			lxw_format *f = NULL;
			if (x->num_format) {
				for (size_t i = 0; i < nf && !f; i++)
					if (strcmp(names[i], x->num_format) == 0)
						f = fmts[i];
				if (!f && nf < MAX_FORMATS) {
					f = workbook_add_format(wb);
					format_set_num_format(f, x->num_format);
					names[nf] = x->num_format;
					fmts[nf++] = f;
				}
			}
			worksheet_write_number(ws, row, (lxw_col_t)c, x->num, f);
		}
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR) {
		snprintf(why, whylen, "cannot write workbook %s: %s", path, lxw_strerror(e));
		return -1;
	}
	return 0;
}
