/* Maintenance: log an inspection, cleaning or repair (who did it, when, a note) and read the
 * ledger of them per station (运维台账). The alert rules read the same ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/store.h"
#include "pvrelief/store_alert.h"
#include "pvrelief/store_console.h"
#include "pvrelief/store_maintenance.h"
#include "pvrelief/web_html.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

enum { MAX_ROWS = 1000 };

static const char *const kinds[] = {"inspection", "cleaning", "repair", NULL};

static void log_post(struct web_ctx *c)
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
	const char *station = web_form_get(&f, "station"), *kind = web_form_get(&f, "kind");
	const char *worker = web_form_get(&f, "by"), *when = web_form_get(&f, "at");
	const char *note = web_form_get(&f, "note");
	double at = clock_now(c->app->clk);
	const char *bad = NULL;
	if (!station || web_station_index(c->app, station) < 0)
		bad = T(c, "没有这个电站。", "There is no such station.");
	else if (web_param_enum(kind, kinds) < 0)
		bad = T(c, "类型应为巡检、清洗或维修。",
			"The kind must be inspection, cleaning or repair.");
	else if (worker && *worker && !web_param_text(worker, 63))
		bad =
		    T(c, "执行人名字无效（最多 63 字节）。", "Bad worker name (at most 63 bytes).");
	else if (note && !web_param_text(note, 255))
		bad = T(c, "备注无效（最多 255 字节）。", "Bad note (at most 255 bytes).");
	else if (when && *when && web_param_local_time(when, c->app->cfg->utc_offset_s, &at) != 0)
		bad = T(c, "时间应为 YYYY-MM-DDTHH:MM。", "The time must be YYYY-MM-DDTHH:MM.");
	else if (at > clock_now(c->app->clk) + 3600)
		bad = T(c, "不能登记未来的工作。", "Work cannot be logged in the future.");
	if (bad) {
		web_form_free(&f);
		web_error(c, 400, bad);
		return;
	}
	/* The worker is who did the job; the history records the user who entered it. */
	struct store *st = web_store(c->app);
	int rc = st ? store_console_maintenance(st, station, kind, at,
						worker && *worker ? worker : c->user,
						note ? note : "", c->user, clock_now(c->app->clk))
		    : -1;
	char *to = NULL;
	if (rc == 0) {
		struct strbuf u = {0};
		strbuf_puts(&u, "/maintenance?station=");
		web_url_encode(&u, station);
		to = strbuf_take(&u);
	}
	web_form_free(&f);
	if (rc != 0) {
		web_error(c, 503,
			  T(c, "数据库暂时无法写入（可能正忙），没有记录，请稍后重试。",
			    "The database could not be written (busy?): nothing was recorded, try "
			    "again."));
		web_store_reset(c->app);
		return;
	}
	c->rep->status = 303;
	web_reply_header(c->rep, "Location", to);
	strbuf_puts(&c->rep->body, "logged\n");
	free(to);
}

void web_page_maintenance(struct web_ctx *c)
{
	if (c->is_post) {
		log_post(c);
		return;
	}
	const struct config *cfg = c->app->cfg;
	const char *station = web_request_query(c->req, "station");
	const char *kind = web_request_query(c->req, "kind");
	if ((station && *station && web_station_index(c->app, station) < 0) ||
	    (kind && *kind && web_param_enum(kind, kinds) < 0)) {
		web_error(c, 400, T(c, "电站或类型无效。", "Unknown station or kind."));
		return;
	}
	struct store *st = web_store(c->app);
	if (!st) {
		web_error(c, 503, c->app->db_error);
		return;
	}
	struct store_maintenance *m = NULL;
	size_t n = 0;
	int rc = store_maintenance_list(st, station && *station ? station : NULL,
					kind && *kind ? kind : NULL, STORE_MAINT_NEWEST_FIRST,
					MAX_ROWS, &m, &n);
	store_console_read_end(st);
	if (rc != 0) {
		web_error(c, 503, store_errmsg(st));
		web_store_reset(c->app);
		return;
	}
	web_page_begin(c, T(c, "运维台账", "Maintenance"), "maintenance");
	struct strbuf *b = &c->rep->body;
	web_html_printf(b, "<h1>%s</h1>", T(c, "运维台账", "Maintenance ledger"));
	if (c->user[0]) {
		web_html_printf(b,
				"<form method=\"post\" action=\"/maintenance\" class=\"card form\" "
				"id=\"log-form\"><h2>%s</h2><label>%s<select name=\"station\">",
				T(c, "登记一次工作", "Log work"), T(c, "电站", "Station"));
		for (size_t i = 0; i < cfg->n_stations; i++)
			web_html_printf(
			    b, "<option value=\"%s\"%s>%s (%s)</option>", cfg->stations[i].id,
			    station && strcmp(station, cfg->stations[i].id) == 0 ? " selected" : "",
			    cfg->stations[i].name, cfg->stations[i].id);
		web_html_printf(b, "</select></label><label>%s<select name=\"kind\">",
				T(c, "类型", "Kind"));
		for (size_t i = 0; kinds[i]; i++)
			web_html_printf(b, "<option value=\"%s\">%s</option>", kinds[i],
					web_i18n_maintenance(c->lang, kinds[i]));
		web_html_printf(
		    b,
		    "</select></label><label>%s<input name=\"by\" maxlength=\"63\" "
		    "value=\"%s\"></label><label>%s<input type=\"datetime-local\" "
		    "name=\"at\"></label><label>%s<textarea name=\"note\" maxlength=\"255\" "
		    "rows=\"2\"></textarea></label>",
		    T(c, "执行人", "Done by"), c->user,
		    T(c, "时间（空：现在）", "When (empty: now)"), T(c, "备注", "Note"));
		web_csrf_field(c);
		web_html_printf(b, "<button>%s</button></form>", T(c, "登记", "Log"));
	} else {
		web_html_printf(b, "<p class=\"note\">%s <a href=\"/login\">%s</a></p>",
				T(c, "登记工作需要登录。", "Logging work needs a login."),
				T(c, "登录", "Log in"));
	}
	web_html_printf(b,
			"<form class=\"filters\" method=\"get\" action=\"/maintenance\"><label>%s"
			"<select name=\"station\"><option value=\"\">%s</option>",
			T(c, "电站", "Station"), T(c, "全部", "all"));
	for (size_t i = 0; i < cfg->n_stations; i++)
		web_html_printf(b, "<option value=\"%s\"%s>%s</option>", cfg->stations[i].id,
				station && strcmp(station, cfg->stations[i].id) == 0 ? " selected"
										     : "",
				cfg->stations[i].name);
	web_html_printf(b,
			"</select></label><label>%s<select name=\"kind\"><option value=\"\">%s"
			"</option>",
			T(c, "类型", "Kind"), T(c, "全部", "all"));
	for (size_t i = 0; kinds[i]; i++)
		web_html_printf(b, "<option value=\"%s\"%s>%s</option>", kinds[i],
				kind && strcmp(kind, kinds[i]) == 0 ? " selected" : "",
				web_i18n_maintenance(c->lang, kinds[i]));
	web_html_printf(b,
			"</select></label><button>%s</button></form><div class=\"scroll\"><table "
			"id=\"ledger\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
			"<th>%s</th></tr></thead><tbody>",
			T(c, "筛选", "Filter"), T(c, "时间", "When"), T(c, "电站", "Station"),
			T(c, "类型", "Kind"), T(c, "执行人", "Done by"), T(c, "备注", "Note"));
	for (size_t i = 0; i < n; i++) {
		char t[32];
		web_time(c, m[i].at, t);
		web_html_printf(
		    b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", t,
		    m[i].station, web_i18n_maintenance(c->lang, m[i].kind), m[i].by, m[i].note);
	}
	if (n == 0)
		web_html_printf(b, "<tr><td colspan=\"5\">%s</td></tr>",
				T(c, "还没有记录。", "Nothing logged yet."));
	strbuf_puts(b, "</tbody></table></div>");
	store_maintenance_free(m, n);
	web_page_end(c);
}
