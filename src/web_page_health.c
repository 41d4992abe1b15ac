/* Health: the table of `pvrelief health` for a month or a day, gathered by the same code
 * (health_gather.c) and rendered as a page, with the CLI's CSV and JSON and an XLSX workbook
 * for download. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/health.h"
#include "pvrelief/health_gather.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/link_gather.h"
#include "pvrelief/report.h"
#include "pvrelief/store.h"
#include "pvrelief/store_console.h"
#include "pvrelief/web_html.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

enum { NCOLS = 14 };

static void cell_num(struct report_xlsx_cell *c, double v, const char *fmt)
{
	c->text = NULL;
	c->num = v;
	c->num_format = fmt;
}

/* The workbook is written to a private temporary file (libxlsxwriter writes files) and sent
 * from memory. */
static void xlsx(struct web_ctx *c, const struct health_report *r)
{
	static const char *const heads_zh[NCOLS] = {
	    "电站编号",	 "电站",   "村",       "装机kWp",    "发电量kWh", "发电参数η", "PR",
	    "等效小时h", "在线率", "故障分钟", "数据异常率", "辐照来源",  "等级",      "判定"};
	static const char *const heads_en[NCOLS] = {
	    "station",	   "name",	    "village",	    "capacity_kwp",
	    "energy_kwh",  "eta",	    "pr",	    "equivalent_hours",
	    "online_rate", "fault_minutes", "anomaly_rate", "source",
	    "grade",	   "mark"};
	size_t rows = r->n_stations + 1;
	struct report_xlsx_cell *cells = xcalloc(rows * NCOLS, sizeof *cells);
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct health_station *s = &r->stations[i];
		struct report_xlsx_cell *x = &cells[i * NCOLS];
		x[0].text = s->id;
		x[1].text = s->name;
		x[2].text = r->villages[s->village].name;
		cell_num(&x[3], s->capacity_kwp, "0.0");
		cell_num(&x[4], s->energy_kwh, "#,##0.0");
		cell_num(&x[5], s->eta, "0.0%");
		cell_num(&x[6], s->pr, "0.0%");
		cell_num(&x[7], s->equivalent_hours, "0.00");
		cell_num(&x[8], s->online_rate, "0.0%");
		cell_num(&x[9], s->fault_min, "0");
		cell_num(&x[10], s->anomaly_rate, "0.00%");
		x[11].text = s->source ? s->source : "";
		cell_num(&x[12], s->grade ? s->grade : NAN, "0");
		x[13].text = health_mark_name(s->mark);
	}
	struct report_xlsx_cell *t = &cells[r->n_stations * NCOLS];
	t[0].text = r->county_id;
	t[1].text = c->lang == WEB_LANG_EN ? "county" : "全县";
	t[2].text = "";
	cell_num(&t[3], NAN, NULL);
	cell_num(&t[4], r->county.energy_kwh, "#,##0.0");
	cell_num(&t[5], r->county.eff.eta, "0.0%");
	cell_num(&t[6], NAN, NULL);
	cell_num(&t[7], r->county.eff.equivalent_hours, "0.00");
	cell_num(&t[8], r->county.online.rate, "0.0%");
	cell_num(&t[9], NAN, NULL);
	cell_num(&t[10], r->county.anomaly.rate, "0.00%");
	t[11].text = "";
	cell_num(&t[12], NAN, NULL);
	t[13].text = "";
	const char *tmpdir = getenv("TMPDIR");
	char *path = xasprintf("%s/pvrelief-web-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);
	char why[512] = "";
	int ok = 0;
	if (fd >= 0) {
		close(fd);
		if (report_xlsx_table(path, r->period, c->lang == WEB_LANG_EN ? heads_en : heads_zh,
				      NCOLS, cells, rows, why, sizeof why) == 0) {
			FILE *f = fopen(path, "rb");
			char chunk[8192];
			size_t n;
			while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
				strbuf_add(&c->rep->body, chunk, n);
			ok = f != NULL;
			if (f)
				fclose(f);
		}
		unlink(path);
	} else {
		snprintf(why, sizeof why, "cannot make a temporary file in %s: %s",
			 tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
	}
	free(path);
	free(cells);
	if (!ok) {
		web_error(c, 500, why);
		return;
	}
	c->rep->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	char *cd = xasprintf("attachment; filename=\"health-%s.xlsx\"", r->period);
	web_reply_header(c->rep, "Content-Disposition", cd);
	free(cd);
}

static void row(struct web_ctx *c, const char *name, const char *village, double kwp,
		double energy_kwh, double eta, double pr, double hours, double online,
		double fault_min, double anomaly, const char *source, int grade, const char *mark)
{
	struct strbuf *b = &c->rep->body;
	double target = c->app->cfg->efficiency.station_target;
	web_html_printf(b, "<tr><td>%s</td><td class=\"hide-s\">%s</td><td class=\"n hide-s\">",
			name, village);
	web_num(b, kwp, 0);
	strbuf_puts(b, "</td><td class=\"n\">");
	web_num(b, energy_kwh, 1);
	web_html_printf(b, "</td><td class=\"n%s\">",
			strcmp(mark, "below") == 0		 ? " bad"
			: !isnan(eta) && eta < target && *source ? " warn"
								 : "");
	web_pct(b, eta);
	strbuf_puts(b, "</td><td class=\"n hide-s\">");
	web_pct(b, pr);
	strbuf_puts(b, "</td><td class=\"n\">");
	web_num(b, hours, 2);
	strbuf_puts(b, "</td><td class=\"n\">");
	web_pct(b, online);
	strbuf_puts(b, "</td><td class=\"n hide-s\">");
	web_num(b, fault_min, 0);
	strbuf_puts(b, "</td><td class=\"n hide-s\">");
	web_pct(b, anomaly);
	web_html_printf(b, "</td><td class=\"hide-s\">%s", source);
	if (grade)
		web_html_printf(b, " (%d)", grade);
	/* The CLI's identifiers, in the page's words; the CSV and JSON keep the identifiers. */
	const char *word = strcmp(mark, "ok") == 0	   ? T(c, "达标", "on target")
			   : strcmp(mark, "below") == 0	   ? T(c, "未达标", "below target")
			   : strcmp(mark, "estimate") == 0 ? T(c, "估算", "estimate")
							   : mark;
	web_html_printf(b, "</td><td class=\"mark-%s\">%s</td></tr>", mark, word);
}

/* The link traffic of the page's month (as `pvrelief health --links`): each gateway's
 * megabytes today and this month, the month's projection against its budget, and the fast
 * interval, marked when a budget stretched it. */
static void links_section(struct web_ctx *c, struct store *st, int y, int m, int d)
{
	struct strbuf *b = &c->rep->body;
	struct linkview v;
	char why[300];
	store_console_read_begin(st);
	int rc = link_gather(st, c->app->cfg, NULL, y, m, d, clock_now(c->app->clk), &v, why,
			     sizeof why);
	store_console_read_end(st);
	web_html_printf(b, "<h2>%s</h2>", T(c, "通信流量", "Link traffic"));
	if (rc != 0) {
		web_html_printf(b, "<p class=\"note\">%s</p>", why);
		return;
	}
	web_html_printf(
	    b,
	    "<div class=\"scroll\"><table id=\"links\"><thead><tr><th>%s</th><th "
	    "class=\"hide-s\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th><th "
	    "class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead>"
	    "<tbody>",
	    T(c, "网关", "Gateway"), T(c, "电站", "Station"), T(c, "今日 MB", "Today MB"),
	    T(c, "本月 MB", "Month MB"), T(c, "预计全月 MB", "Projected MB"),
	    T(c, "套餐 MB", "Budget MB"), T(c, "读取间隔", "Interval"));
	int stretched = 0;
	for (size_t g = 0; g < v.n_gws; g++) {
		const struct linkview_gateway *gw = &v.gws[g];
		stretched |= gw->stretched;
		web_html_printf(b, "<tr><td>%s</td><td class=\"hide-s\">%s</td><td class=\"n\">",
				gw->name, gw->station);
		web_num(b, (double)gw->today_bytes / 1e6, 3);
		strbuf_puts(b, "</td><td class=\"n\">");
		web_num(b, (double)gw->month_bytes / 1e6, 3);
		web_html_printf(b, "</td><td class=\"n%s\">", gw->over_budget ? " bad" : "");
		web_num(b, gw->projection_bytes / 1e6, 3);
		strbuf_puts(b, "</td><td class=\"n\">");
		web_num(b, gw->budget_mb > 0 ? gw->budget_mb : NAN, 1);
		web_html_printf(
		    b, "</td><td class=\"n%s\">%.0f s%s</td></tr>", gw->stretched ? " warn" : "",
		    gw->interval_s > 0 ? gw->interval_s : gw->fast_s, gw->stretched ? " *" : "");
	}
	strbuf_puts(b, "</tbody></table></div>");
	web_html_printf(
	    b, "<p class=\"note\">%s%s</p>",
	    T(c, "IP 流量（含 TCP/IP 报头与确认包），由 pvreliefd 估算；MB 为 10^6 字节。",
	      "IP traffic (TCP/IP headers and ACKs included) as pvreliefd estimates it; MB are "
	      "10^6 bytes."),
	    !stretched
		? ""
		: T(c, " * 为不超出月流量套餐而降低了读取频率；发电量仍按累计电量计，不受影响。",
		    " * Read less often than configured to stay within the monthly budget; "
		    "energy stays exact (lifetime counters)."));
	link_gather_free(&v);
}

void web_page_health(struct web_ctx *c)
{
	const struct config *cfg = c->app->cfg;
	const char *day = web_request_query(c->req, "day");
	const char *format = web_request_query(c->req, "format");
	static const char *const formats[] = {"html", "csv", "json", "xlsx", NULL};
	int fmt = format && *format ? web_param_enum(format, formats) : 0;
	int y, m, d = 0;
	char month[8];
	if (fmt < 0) {
		web_error(c, 400,
			  T(c, "格式只能是 csv、json 或 xlsx。",
			    "The format must be csv, json or xlsx."));
		return;
	}
	if (day && *day) {
		if (web_param_day(day, &y, &m, &d) != 0) {
			web_error(c, 400,
				  T(c, "日期应为 YYYY-MM-DD。", "The day must be YYYY-MM-DD."));
			return;
		}
	} else {
		if (web_month_param(c, "month", month) != 0)
			return;
		web_param_month(month, &y, &m);
	}
	struct store *st = web_store(c->app);
	if (!st) {
		web_error(c, 503, c->app->db_error);
		return;
	}
	struct health_report r;
	memset(&r, 0, sizeof r);
	double t0, t1;
	char why[512];
	health_gather_period(&r, cfg->utc_offset_s, y, m, d, &t0, &t1);
	store_console_read_begin(st);
	int rc = health_gather(st, cfg, NULL, &r, t0, t1, clock_now(c->app->clk), why, sizeof why);
	store_console_read_end(st);
	if (rc != 0) {
		health_gather_free(&r);
		web_error(c, 503, why);
		web_store_reset(c->app);
		return;
	}
	health_summarize(&r);
	if (fmt == 1 || fmt == 2) {
		char *text = health_render(&r, fmt == 1 ? HEALTH_CSV : HEALTH_JSON);
		c->rep->content_type =
		    fmt == 1 ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
		if (fmt == 1) {
			char *cd = xasprintf("attachment; filename=\"health-%s.csv\"", r.period);
			web_reply_header(c->rep, "Content-Disposition", cd);
			free(cd);
		}
		strbuf_puts(&c->rep->body, text);
		free(text);
		health_gather_free(&r);
		return;
	}
	if (fmt == 3) {
		xlsx(c, &r);
		health_gather_free(&r);
		return;
	}
	web_page_begin(c, T(c, "电站健康", "Station health"), "health");
	struct strbuf *b = &c->rep->body;
	web_html_printf(b, "<h1>%s · %s</h1>", T(c, "电站健康", "Station health"), r.period);
	web_html_printf(
	    b,
	    "<form class=\"filters\" method=\"get\" action=\"/health\"><label>%s<input "
	    "type=\"month\" name=\"month\" value=\"%s\"></label><button>%s</button></form>"
	    "<form class=\"filters\" method=\"get\" action=\"/health\"><label>%s<input "
	    "type=\"date\" name=\"day\" value=\"%s\"></label><button>%s</button></form>",
	    T(c, "月份", "Month"), r.is_day ? "" : r.period, T(c, "查看", "Show"),
	    T(c, "某一天", "A day"), r.is_day ? r.period : "", T(c, "查看", "Show"));
	struct strbuf q = {0};
	strbuf_puts(&q, r.is_day ? "day=" : "month=");
	strbuf_puts(&q, r.period);
	char *qs = strbuf_take(&q);
	web_html_printf(b,
			"<p>%s <a id=\"dl-csv\" href=\"/health?%s&amp;format=csv\">CSV</a> · "
			"<a id=\"dl-xlsx\" href=\"/health?%s&amp;format=xlsx\">XLSX</a> · "
			"<a href=\"/health?%s&amp;format=json\">JSON</a></p>",
			T(c, "下载：", "Download:"), qs, qs, qs);
	free(qs);
	web_html_printf(
	    b,
	    "<div class=\"scroll\"><table id=\"health\"><thead><tr><th>%s</th>"
	    "<th class=\"hide-s\">%s</th><th class=\"n hide-s\">kWp</th><th class=\"n\">"
	    "kWh</th><th class=\"n\">η</th><th class=\"n hide-s\">PR</th><th class=\"n\">"
	    "%s</th><th class=\"n\">%s</th><th class=\"n hide-s\">%s</th><th class=\"n "
	    "hide-s\">%s</th><th class=\"hide-s\">%s</th><th>%s</th></tr></thead><tbody>",
	    T(c, "电站", "Station"), T(c, "村", "Village"), T(c, "等效小时", "Equiv. h"),
	    T(c, "在线率", "Online"), T(c, "故障分钟", "Fault min"), T(c, "数据异常", "Anomalies"),
	    T(c, "辐照来源（等级）", "Source (grade)"), T(c, "判定", "Mark"));
	for (size_t i = 0; i < r.n_stations; i++) {
		const struct health_station *s = &r.stations[i];
		row(c, s->name, r.villages[s->village].name, s->capacity_kwp, s->energy_kwh, s->eta,
		    s->pr, s->equivalent_hours, s->online_rate, s->fault_min, s->anomaly_rate,
		    s->source ? s->source : "", s->grade, health_mark_name(s->mark));
	}
	row(c, T(c, "全县", "County"), "", NAN, r.county.energy_kwh, r.county.eff.eta, NAN,
	    r.county.eff.equivalent_hours, r.county.online.rate, NAN, r.county.anomaly.rate, "", 0,
	    r.county.eff.meets_group_target ? "ok" : "");
	strbuf_puts(b, "</tbody></table></div>");
	web_html_printf(
	    b, "<p class=\"note\">%s</p>",
	    T(c,
	      "η 为实际发电量 ÷ 理论发电量；等级 3-4 为估算，不判为未达标。与 pvrelief "
	      "health 命令的数字相同。",
	      "η is actual ÷ theoretical energy; grade 3-4 figures are estimates and never "
	      "judged below target. The figures are those of pvrelief health."));
	links_section(c, st, y, m, d);
	health_gather_free(&r);
	web_page_end(c);
}
