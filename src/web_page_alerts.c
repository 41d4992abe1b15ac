/* Alerts: the active ones first with their detail and figures, then the history, filtered by
 * station, kind, state and days; acknowledging one (name from the login, a note) and a CSV
 * export of what the filter shows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/alert.h"
#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/store.h"
#include "pvrelief/store_console.h"
#include "pvrelief/web_html.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

enum { PAGE_MAX_ALERTS = 500, NOTE_MAX = 500 };

static const char *const state_names[] = {"all", "active", "cleared", NULL};

int web_month_param(struct web_ctx *c, const char *name, char out[8])
{
	const char *m = web_request_query(c->req, name);
	int y, mo;
	if (m && *m) {
		if (web_param_month(m, &y, &mo) != 0) {
			web_error(c, 400, T(c, "月份应为 YYYY-MM。", "The month must be YYYY-MM."));
			return -1;
		}
	} else {
		irradiance_local_month(clock_now(c->app->clk), c->app->cfg->utc_offset_s, &y, &mo);
	}
	snprintf(out, 8, "%04d-%02d", y, mo);
	return 0;
}

/* The start of a local day as unix seconds. */
static double day_start(const struct web_ctx *c, int y, int m, int d)
{
	double t0, t1;
	irradiance_month_bounds(y, m, c->app->cfg->utc_offset_s, &t0, &t1);
	return t0 + (d - 1) * 86400.0;
}

int web_alert_filter(struct web_ctx *c, struct store_console_alert_filter *f)
{
	memset(f, 0, sizeof *f);
	const char *station = web_request_query(c->req, "station");
	const char *kind = web_request_query(c->req, "kind");
	const char *state = web_request_query(c->req, "state");
	const char *from = web_request_query(c->req, "from");
	const char *to = web_request_query(c->req, "to");
	const char *limit = web_request_query(c->req, "limit");
	int y, m, d;
	long n;
	if (station && *station) {
		if (!web_param_id(station) || web_station_index(c->app, station) < 0)
			goto bad;
		f->station = station;
	}
	if (kind && *kind) {
		if (alert_kind_parse(kind) < 0)
			goto bad;
		f->kind = kind;
	}
	if (state && *state && (f->state = web_param_enum(state, state_names)) < 0)
		goto bad;
	if (from && *from) {
		if (web_param_day(from, &y, &m, &d) != 0)
			goto bad;
		f->since = day_start(c, y, m, d);
	}
	if (to && *to) {
		if (web_param_day(to, &y, &m, &d) != 0)
			goto bad;
		f->until = day_start(c, y, m, d) + 86400.0;
	}
	f->limit = PAGE_MAX_ALERTS;
	if (limit && *limit) {
		if (web_param_long(limit, 1, 5000, &n) != 0)
			goto bad;
		f->limit = (size_t)n;
	}
	return 0;
bad:
	web_error(c, 400,
		  T(c,
		    "筛选条件无效：电站、类型、状态（all/active/"
		    "cleared）、日期（YYYY-MM-DD）或条数有误。",
		    "Bad filter: station, kind, state (all/active/cleared), day (YYYY-MM-DD) or "
		    "limit."));
	return -1;
}

static void csv_export(struct web_ctx *c, const struct store_alert *a, int n)
{
	struct csv_writer *w = csv_writer_new(1);
	static const char *const head[] = {"id",	"kind",		"severity",	 "station",
					   "device",	"raised_local", "cleared_local", "ack_by",
					   "ack_local", "title",	"detail",	 "figures"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		csv_put_str(w, head[i]);
	csv_end_row(w);
	for (int i = 0; i < n; i++) {
		char r[32], cl[32], ak[32];
		web_time(c, a[i].raised_at, r);
		web_time(c, a[i].cleared_at, cl);
		web_time(c, a[i].ack_at, ak);
		csv_put_int(w, (int64_t)a[i].id);
		csv_put_str(w, a[i].kind);
		csv_put_str(w, a[i].severity);
		csv_put_str(w, a[i].station);
		csv_put_str(w, a[i].device);
		csv_put_str(w, r);
		csv_put_str(w, cl);
		csv_put_str(w, a[i].ack_by);
		csv_put_str(w, ak);
		csv_put_str(w, a[i].title);
		csv_put_str(w, a[i].detail);
		csv_put_str(w, a[i].figures);
		csv_end_row(w);
	}
	size_t len;
	const char *data = csv_writer_data(w, &len);
	c->rep->content_type = "text/csv; charset=utf-8";
	web_reply_header(c->rep, "Content-Disposition", "attachment; filename=\"alerts.csv\"");
	strbuf_add(&c->rep->body, data, len);
	csv_writer_free(w);
}

static void ack_post(struct web_ctx *c)
{
	size_t len;
	const char *body = web_request_body(c->req, &len);
	struct web_form f;
	if (web_form_parse(body, len, &f) != 0) {
		web_error(c, 400, T(c, "表单格式错误。", "The form is malformed."));
		return;
	}
	if (web_require_write(c, &f) != 0) {
		web_form_free(&f);
		return;
	}
	long id;
	const char *note = web_form_get(&f, "note");
	if (web_param_long(web_form_get(&f, "id"), 1, 0x7fffffffffffffffL, &id) != 0 ||
	    (note && !web_param_text(note, NOTE_MAX))) {
		web_form_free(&f);
		web_error(c, 400,
			  T(c, "告警编号或备注无效（备注最多 500 字节）。",
			    "Bad alert id or note (at most 500 bytes)."));
		return;
	}
	struct store *st = web_store(c->app);
	int rc = st ? store_console_ack(st, (uint64_t)id, c->user, note ? note : "",
					clock_now(c->app->clk))
		    : -1;
	web_form_free(&f);
	if (rc == 1) {
		web_error(c, 404, T(c, "没有这条告警。", "There is no such alert."));
		return;
	}
	if (rc != 0) {
		web_error(c, 503,
			  T(c, "数据库暂时无法写入（可能正忙），确认没有记录，请稍后重试。",
			    "The database could not be written (busy?): nothing was recorded, try "
			    "again."));
		web_store_reset(c->app);
		return;
	}
	/* Drop the cached model so the acknowledgement shows at once. */
	web_county_free(c->app->county);
	c->app->county = NULL;
	c->rep->status = 303;
	char *to = xasprintf("/alerts#alert-%ld", id);
	web_reply_header(c->rep, "Location", to);
	free(to);
	strbuf_puts(&c->rep->body, "acknowledged\n");
}

static void option(struct strbuf *b, const char *v, const char *label, const char *cur)
{
	web_html_printf(b, "<option value=\"%s\"%s>%s</option>", v,
			cur && strcmp(cur, v) == 0 ? " selected" : "", label);
}

void web_page_alerts(struct web_ctx *c)
{
	if (strcmp(c->path, "/alerts/ack") == 0) {
		if (!c->is_post) {
			web_error(c, 405, T(c, "请用表单提交。", "Use the form."));
			return;
		}
		ack_post(c);
		return;
	}
	struct store_console_alert_filter f;
	if (web_alert_filter(c, &f) != 0)
		return;
	const char *format = web_request_query(c->req, "format");
	if (format && *format && strcmp(format, "csv") != 0) {
		web_error(c, 400, T(c, "格式只能是 csv。", "The format can only be csv."));
		return;
	}
	struct store *st = web_store(c->app);
	if (!st) {
		web_error(c, 503, c->app->db_error);
		return;
	}
	struct store_alert *a = xcalloc(PAGE_MAX_ALERTS, sizeof *a);
	store_console_read_begin(st);
	int n =
	    store_console_alerts(st, &f, a, f.limit < PAGE_MAX_ALERTS ? f.limit : PAGE_MAX_ALERTS);
	char(*notes)[NOTE_MAX + 1] = xcalloc(n > 0 ? (size_t)n : 1, sizeof *notes);
	for (int i = 0; i < n; i++)
		if (a[i].ack_by[0])
			store_console_ack_note(st, a[i].id, notes[i], sizeof notes[i]);
	store_console_read_end(st);
	if (n < 0) {
		free(a);
		free(notes);
		web_error(c, 503, store_errmsg(st));
		web_store_reset(c->app);
		return;
	}
	if (format && *format) {
		csv_export(c, a, n);
		free(a);
		free(notes);
		return;
	}
	const struct config *cfg = c->app->cfg;
	web_page_begin(c, T(c, "告警", "Alerts"), "alerts");
	struct strbuf *b = &c->rep->body;
	web_html_printf(b, "<h1>%s</h1><form class=\"filters\" method=\"get\" action=\"/alerts\">",
			T(c, "告警", "Alerts"));
	const char *qs = web_request_query(c->req, "station");
	const char *qk = web_request_query(c->req, "kind");
	const char *qst = web_request_query(c->req, "state");
	web_html_printf(b, "<label>%s<select name=\"station\">", T(c, "电站", "Station"));
	option(b, "", T(c, "全部", "all"), qs);
	for (size_t i = 0; i < cfg->n_stations; i++)
		option(b, cfg->stations[i].id, cfg->stations[i].name, qs);
	web_html_printf(b, "</select></label><label>%s<select name=\"kind\">",
			T(c, "类型", "Kind"));
	option(b, "", T(c, "全部", "all"), qk);
	for (int k = 0; k < ALERT_KIND_COUNT; k++)
		option(b, alert_kind_name((enum alert_kind)k),
		       web_i18n_alert_kind(c->lang, alert_kind_name((enum alert_kind)k)), qk);
	web_html_printf(b, "</select></label><label>%s<select name=\"state\">",
			T(c, "状态", "State"));
	option(b, "all", T(c, "全部", "all"), qst);
	option(b, "active", T(c, "未消除", "active"), qst);
	option(b, "cleared", T(c, "已消除", "cleared"), qst);
	const char *from = web_request_query(c->req, "from"), *to = web_request_query(c->req, "to");
	web_html_printf(
	    b,
	    "</select></label><label>%s<input type=\"date\" name=\"from\" value=\"%s\">"
	    "</label><label>%s<input type=\"date\" name=\"to\" value=\"%s\"></label>"
	    "<button>%s</button> <button name=\"format\" value=\"csv\">%s</button></form>",
	    T(c, "从", "From"), from ? from : "", T(c, "到", "To"), to ? to : "",
	    T(c, "筛选", "Filter"), T(c, "导出 CSV", "Export CSV"));
	if (!c->user[0])
		web_html_printf(b, "<p class=\"note\">%s <a href=\"/login\">%s</a></p>",
				T(c, "确认告警需要登录。", "Acknowledging needs a login."),
				T(c, "登录", "Log in"));
	web_html_printf(
	    b,
	    "<div class=\"scroll\"><table id=\"alerts\"><thead><tr><th>#</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th class=\"hide-s\">%s</th><th>%s</th>"
	    "</tr></thead><tbody>",
	    T(c, "级别/类型", "Severity/kind"), T(c, "电站", "Station"), T(c, "内容", "What"),
	    T(c, "发生/消除", "Raised/cleared"), T(c, "数据", "Figures"),
	    T(c, "确认", "Acknowledged"));
	for (int i = 0; i < n; i++) {
		char raised[32], cleared[32], acked[32];
		web_time(c, a[i].raised_at, raised);
		web_time(c, a[i].cleared_at, cleared);
		web_time(c, a[i].ack_at, acked);
		web_html_printf(
		    b,
		    "<tr id=\"alert-%llu\" data-alert=\"%llu\" class=\"%s\"><td>%llu</td>"
		    "<td><span class=\"sev-%s\">%s</span><br>%s</td><td>",
		    (unsigned long long)a[i].id, (unsigned long long)a[i].id,
		    a[i].cleared_at > 0 ? "cleared" : "active", (unsigned long long)a[i].id,
		    a[i].severity, web_i18n_severity(c->lang, a[i].severity),
		    web_i18n_alert_kind(c->lang, a[i].kind));
		if (a[i].station[0]) {
			struct strbuf h = {0};
			web_url_encode(&h, a[i].station);
			char *hid = strbuf_take(&h);
			web_html_printf(b, "<a href=\"/station/%s\">%s</a> %s", hid, a[i].station,
					a[i].device);
			free(hid);
		} else {
			strbuf_puts(b, T(c, "全县", "county"));
		}
		web_html_printf(
		    b,
		    "</td><td><b class=\"title\">%s</b><div class=\"detail\">%s</div></td>"
		    "<td>%s<br>%s</td><td class=\"hide-s\"><code>%s</code></td><td>",
		    a[i].title, a[i].detail, raised,
		    a[i].cleared_at > 0 ? cleared : T(c, "未消除", "active"), a[i].figures);
		if (a[i].ack_by[0]) {
			web_html_printf(b, "<span class=\"acked\">%s %s</span>", a[i].ack_by,
					acked);
			if (notes[i][0])
				web_html_printf(b, "<div class=\"detail ack-note\">%s</div>",
						notes[i]);
		} else if (c->user[0]) {
			web_html_printf(
			    b,
			    "<form method=\"post\" action=\"/alerts/ack\" class=\"ack\">"
			    "<input type=\"hidden\" name=\"id\" value=\"%llu\">"
			    "<input name=\"note\" maxlength=\"500\" placeholder=\"%s\">",
			    (unsigned long long)a[i].id, T(c, "备注", "note"));
			web_csrf_field(c);
			web_html_printf(b, "<button>%s</button></form>",
					T(c, "确认", "Acknowledge"));
		} else {
			strbuf_puts(b, "–");
		}
		strbuf_puts(b, "</td></tr>");
	}
	if (n == 0)
		web_html_printf(b, "<tr><td colspan=\"7\">%s</td></tr>",
				T(c, "没有符合条件的告警。", "No alert matches."));
	strbuf_puts(b, "</tbody></table></div>");
	free(a);
	free(notes);
	web_page_end(c);
}
