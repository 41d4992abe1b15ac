/* The county overview: tiles, the map of stations by their configured coordinates, the active
 * alerts, and the ranking worst first, filterable by town, village and state. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/store_alert.h"
#include "pvrelief/store_console.h"
#include "pvrelief/web_html.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

static const char *const states[] = {"producing", "idle",  "night",   "partial",
				     "offline",	  "fault", "unknown", NULL};
static const char *const sorts[] = {"eta_day", "eta_month", "hours", "wkwp", NULL};

/* The figure a station is ranked by; NAN ranks after every number. */
static double rank_value(const struct web_station *s, int sort)
{
	switch (sort) {
	case 1:
		return s->eta_month;
	case 2:
		return s->energy_today_wh / 1000.0 / s->cfg->capacity_kwp;
	case 3:
		return isnan(s->power_w) ? NAN : s->power_w / s->cfg->capacity_kwp;
	default:
		return s->eta_day;
	}
}

static int g_sort; /* qsort has no argument; the handler thread is the only caller */

static int by_rank(const void *a, const void *b)
{
	const struct web_station *x = *(const struct web_station *const *)a;
	const struct web_station *y = *(const struct web_station *const *)b;
	double vx = rank_value(x, g_sort), vy = rank_value(y, g_sort);
	if (isnan(vx) != isnan(vy))
		return isnan(vx) ? 1 : -1;
	if (!isnan(vx) && vx != vy)
		return vx < vy ? -1 : 1;
	return strcmp(x->cfg->id, y->cfg->id);
}

static void tile(struct web_ctx *c, const char *label, const char *key, const char *value,
		 const char *small)
{
	web_html_printf(&c->rep->body,
			"<div class=\"tile\"><small>%s</small><b data-k=\"%s\">%s</b>"
			"<small>%s</small></div>",
			label, key, value, small);
}

static void tiles(struct web_ctx *c, const struct web_county *k)
{
	const struct config *cfg = c->app->cfg;
	char v[64], sm[128];
	struct strbuf t = {0};
	snprintf(v, sizeof v, "%d / %zu", k->online, k->n_stations);
	snprintf(sm, sizeof sm, "%s %d · %s %d", T(c, "故障", "faults"), k->faults,
		 T(c, "离线", "offline"), k->offline);
	tile(c, T(c, "在线电站", "Stations online"), "county|online_text", v, sm);
	snprintf(v, sizeof v, "%.1f", k->power_w / 1000.0);
	tile(c, T(c, "当前功率 kW", "Power now kW"), "county|power_kw", v, "");
	snprintf(v, sizeof v, "%.0f", k->energy_today_wh / 1000.0);
	tile(c, T(c, "今日发电 kWh", "Energy today kWh"), "county|energy_today_kwh", v, "");
	web_pct(&t, k->eta_day);
	char *eta = strbuf_take(&t);
	snprintf(sm, sizeof sm, "%s %.0f%%", T(c, "全县目标", "county target"),
		 cfg->efficiency.county_target * 100);
	tile(c, T(c, "今日发电参数 η", "η today"), "county|eta_day_text", eta, sm);
	free(eta);
	web_pct(&t, k->eta_month);
	eta = strbuf_take(&t);
	tile(c, T(c, "本月发电参数 η", "η this month"), "county|eta_month_text", eta, sm);
	free(eta);
	snprintf(v, sizeof v, "%d / %d", k->meeting_target, k->with_eta_month);
	snprintf(sm, sizeof sm, "%s ≥ %.0f%%", T(c, "本月 η", "η this month"),
		 cfg->efficiency.station_target * 100);
	tile(c, T(c, "达标电站", "Stations on target"), "county|meeting_text", v, sm);
	snprintf(v, sizeof v, "%ld / %ld / %ld", k->alerts_critical, k->alerts_warning,
		 k->alerts_info);
	tile(c, T(c, "未消除告警", "Active alerts"), "county|alerts_text", v,
	     T(c, "严重 / 警告 / 提示", "critical / warning / info"));
}

/* The stations on the map, coloured by state (web_map.c draws it). */
static void map(struct web_ctx *c, const struct web_county *k)
{
	struct web_map_point *p = xcalloc(k->n_stations + 1, sizeof *p);
	char **text = xcalloc(2 * k->n_stations + 1, sizeof *text);
	for (size_t i = 0; i < k->n_stations; i++) {
		const struct web_station *s = &k->stations[i];
		struct strbuf href = {0};
		strbuf_puts(&href, "/station/");
		web_url_encode(&href, s->cfg->id);
		text[2 * i] = strbuf_take(&href);
		text[2 * i + 1] = xasprintf("%s · %s · %s", s->cfg->name, s->cfg->id,
					    web_i18n_state(c->lang, s->state));
		p[i] = (struct web_map_point){
		    .lat = s->cfg->lat_deg,
		    .lon = s->cfg->lon_deg,
		    .capacity_kwp = s->cfg->capacity_kwp,
		    .state = s->state,
		    .href = text[2 * i],
		    .data_attr = "data-station",
		    .data = s->cfg->id,
		    .title = text[2 * i + 1],
		};
	}
	web_map(c, p, k->n_stations, "map", T(c, "电站分布图", "Map of the stations"));
	for (size_t i = 0; i < 2 * k->n_stations; i++)
		free(text[i]);
	free(text);
	free(p);
}

/* The newest active alerts as the script later refreshes them (the same markup). */
static void live_alerts(struct web_ctx *c)
{
	enum { N = 12 };
	struct store_alert a[N];
	struct store_console_alert_filter f = {NULL, NULL, 1, 0, 0, N};
	struct store *st = web_store(c->app);
	int n = st ? store_console_alerts(st, &f, a, N) : -1;
	if (st)
		store_console_read_end(st);
	for (int i = 0; i < n; i++) {
		char t[32];
		web_time(c, a[i].raised_at, t);
		web_html_printf(&c->rep->body,
				"<li data-alert=\"%llu\"><span class=\"sev-%s\">%s </span><span>%s "
				"</span>",
				(unsigned long long)a[i].id, a[i].severity,
				web_i18n_severity(c->lang, a[i].severity), t);
		if (a[i].station[0]) {
			struct strbuf h = {0};
			web_url_encode(&h, a[i].station);
			char *hid = strbuf_take(&h);
			web_html_printf(&c->rep->body, "<a href=\"/station/%s\">%s</a> ", hid,
					a[i].station);
			free(hid);
		}
		web_html_printf(&c->rep->body, "<span class=\"title\">%s</span></li>", a[i].title);
	}
	if (n == 0)
		web_html_printf(&c->rep->body, "<li>%s</li>",
				T(c, "没有未消除的告警", "No active alerts"));
}

static void select_opt(struct strbuf *b, const char *value, const char *label, const char *cur)
{
	web_html_printf(b, "<option value=\"%s\"%s>%s</option>", value,
			cur && strcmp(cur, value) == 0 ? " selected" : "", label);
}

void web_page_overview(struct web_ctx *c)
{
	const struct config *cfg = c->app->cfg;
	const char *town = web_request_query(c->req, "town");
	const char *village = web_request_query(c->req, "village");
	const char *state = web_request_query(c->req, "state");
	const char *sort_q = web_request_query(c->req, "sort");
	long ti = -1, vi = -1;
	if (town && *town) {
		for (size_t i = 0; i < cfg->n_towns; i++)
			if (strcmp(cfg->towns[i].id, town) == 0)
				ti = (long)i;
		if (ti < 0) {
			web_error(c, 400, T(c, "没有这个乡镇。", "There is no such town."));
			return;
		}
	}
	if (village && *village) {
		for (size_t i = 0; i < cfg->n_villages; i++)
			if (strcmp(cfg->villages[i].id, village) == 0)
				vi = (long)i;
		if (vi < 0) {
			web_error(c, 400, T(c, "没有这个村。", "There is no such village."));
			return;
		}
	}
	if (state && *state && web_param_enum(state, states) < 0) {
		web_error(c, 400, T(c, "状态参数无效。", "Unknown state."));
		return;
	}
	int sort = 0;
	if (sort_q && *sort_q && (sort = web_param_enum(sort_q, sorts)) < 0) {
		web_error(c, 400, T(c, "排序参数无效。", "Unknown sort order."));
		return;
	}
	const struct web_county *k = web_county_get(c->app);
	if (!k) {
		web_error(c, 503, c->app->db_error);
		return;
	}
	web_page_begin(c, T(c, "全县总览", "County overview"), "overview");
	struct strbuf *b = &c->rep->body;
	web_html_printf(b, "<h1>%s · %s</h1>", cfg->county_name,
			T(c, "全县总览", "County overview"));
	strbuf_puts(b, "<section class=\"tiles\">");
	tiles(c, k);
	strbuf_puts(b, "</section><div class=\"grid2\"><section class=\"card\">");
	web_html_printf(b, "<h2>%s</h2>", T(c, "电站分布", "Stations on the map"));
	map(c, k);
	strbuf_puts(b, "<p class=\"note\">");
	for (size_t i = 0; states[i]; i++)
		web_html_printf(b, "<span class=\"st st-%s\">%s</span> ", states[i],
				web_i18n_state(c->lang, states[i]));
	strbuf_puts(b, "</p></section><section class=\"card\">");
	web_html_printf(b, "<h2>%s</h2><ul id=\"live-alerts\">",
			T(c, "未消除的告警（实时）", "Active alerts (live)"));
	live_alerts(c);
	strbuf_puts(b, "</ul>");
	web_html_printf(b, "<p><a href=\"/alerts\">%s</a></p></section></div>",
			T(c, "全部告警 →", "All alerts →"));

	/* Filters and ranking. */
	web_html_printf(b, "<h2>%s</h2><form class=\"filters\" method=\"get\" action=\"/\">",
			T(c, "电站排名（差的在前）", "Ranking, worst first"));
	web_html_printf(b, "<label>%s<select name=\"town\">", T(c, "乡镇", "Town"));
	select_opt(b, "", T(c, "全部", "all"), town);
	for (size_t i = 0; i < cfg->n_towns; i++)
		select_opt(b, cfg->towns[i].id, cfg->towns[i].name, town);
	web_html_printf(b, "</select></label><label>%s<select name=\"village\">",
			T(c, "村", "Village"));
	select_opt(b, "", T(c, "全部", "all"), village);
	for (size_t i = 0; i < cfg->n_villages; i++)
		select_opt(b, cfg->villages[i].id, cfg->villages[i].name, village);
	web_html_printf(b, "</select></label><label>%s<select name=\"state\">",
			T(c, "状态", "State"));
	select_opt(b, "", T(c, "全部", "all"), state);
	for (size_t i = 0; states[i]; i++)
		select_opt(b, states[i], web_i18n_state(c->lang, states[i]), state);
	web_html_printf(b, "</select></label><label>%s<select name=\"sort\">",
			T(c, "排序依据", "Rank by"));
	select_opt(b, "eta_day", T(c, "今日 η", "η today"), sorts[sort]);
	select_opt(b, "eta_month", T(c, "本月 η", "η this month"), sorts[sort]);
	select_opt(b, "hours", T(c, "今日等效小时", "Equivalent hours today"), sorts[sort]);
	select_opt(b, "wkwp", T(c, "当前 W/kWp", "W/kWp now"), sorts[sort]);
	web_html_printf(b, "</select></label><button>%s</button></form>", T(c, "筛选", "Filter"));

	const struct web_station **rows = xcalloc(k->n_stations + 1, sizeof *rows);
	size_t n = 0;
	for (size_t i = 0; i < k->n_stations; i++) {
		const struct web_station *s = &k->stations[i];
		size_t v = s->cfg->village;
		if (vi >= 0 && (long)v != vi)
			continue;
		if (ti >= 0 && (long)cfg->villages[v].town != ti)
			continue;
		if (state && *state && strcmp(state, s->state) != 0)
			continue;
		rows[n++] = s;
	}
	g_sort = sort;
	qsort(rows, n, sizeof *rows, by_rank);
	web_html_printf(
	    b,
	    "<div class=\"scroll\"><table id=\"ranking\"><thead><tr><th class=\"n\">#"
	    "</th><th>%s</th><th class=\"hide-s\">%s</th><th>%s</th><th class=\"n\">%s"
	    "</th><th class=\"n hide-s\">W/kWp</th><th class=\"n hide-s\">%s</th>"
	    "<th class=\"n hide-s\">%s</th><th class=\"n\">%s</th><th class=\"n hide-s\">%s</th>"
	    "<th class=\"n hide-s\">%s</th><th class=\"hide-s\">%s</th></tr></thead>"
	    "<tbody>",
	    T(c, "电站", "Station"), T(c, "村", "Village"), T(c, "状态", "State"),
	    T(c, "功率 kW", "Power kW"), T(c, "今日 kWh", "Today kWh"),
	    T(c, "等效小时", "Equiv. h"), T(c, "今日 η", "η today"), T(c, "本月 η", "η month"),
	    T(c, "告警", "Alerts"), T(c, "离线起始", "Offline since"));
	for (size_t i = 0; i < n; i++) {
		const struct web_station *s = rows[i];
		const char *id = s->cfg->id;
		struct strbuf href = {0};
		web_url_encode(&href, id);
		char *h_id = strbuf_take(&href);
		web_html_printf(
		    b,
		    "<tr data-station=\"%s\"><td class=\"n\">%zu</td><td class=\"name\"><a "
		    "href=\"/station/%s\">%s</a></td><td class=\"hide-s\">%s</td>"
		    "<td><span class=\"st st-%s\" data-cls=\"station_by_id|%s|state\" "
		    "data-k=\"station_by_id|%s|state_text\">%s</span></td>",
		    id, i + 1, h_id, s->cfg->name, cfg->villages[s->cfg->village].name, s->state,
		    id, id, web_i18n_state(c->lang, s->state));
		free(h_id);
		web_html_printf(b,
				"<td class=\"n\" data-k=\"station_by_id|%s|power_kw\" "
				"data-dec=\"1\">",
				id);
		web_num(b, s->power_w / 1000.0, 1);
		strbuf_puts(b, "</td><td class=\"n hide-s\">");
		web_num(b, s->power_w / s->cfg->capacity_kwp, 0);
		web_html_printf(b,
				"</td><td class=\"n hide-s\" data-k=\"station_by_id|%s|"
				"energy_today_kwh\" data-dec=\"1\">",
				id);
		web_num(b, s->energy_today_wh / 1000.0, 1);
		strbuf_puts(b, "</td><td class=\"n hide-s\">");
		web_num(b, s->energy_today_wh / 1000.0 / s->cfg->capacity_kwp, 2);
		const char *cls = isnan(s->eta_day)				? ""
				  : s->eta_day < cfg->efficiency.station_target ? " bad"
										: "";
		web_html_printf(b, "</td><td class=\"n%s\">", cls);
		web_pct(b, s->eta_day);
		cls = isnan(s->eta_month)			      ? ""
		      : s->eta_month < cfg->efficiency.station_target ? " bad"
								      : "";
		web_html_printf(b, "</td><td class=\"n hide-s%s\">", cls);
		web_pct(b, s->eta_month);
		web_html_printf(b, "</td><td class=\"n hide-s\">%d</td><td class=\"hide-s\">",
				s->alerts_active);
		if (s->offline_since > 0) {
			char t[32];
			web_time(c, s->offline_since, t);
			web_html_printf(b, "%s", t);
		} else if (strcmp(s->state, "offline") == 0) {
			strbuf_puts(b, T(c, "从未上线", "never seen"));
		}
		strbuf_puts(b, "</td></tr>");
	}
	if (n == 0)
		web_html_printf(b, "<tr><td colspan=\"11\">%s</td></tr>",
				T(c, "没有符合条件的电站。", "No station matches."));
	strbuf_puts(b, "</tbody></table></div>");
	free(rows);
	web_page_end(c);
}
