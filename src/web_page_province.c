/* The province pages, from the hub's database: /province ranks the counties by η of the day
 * or of the month to date beside a map of every station; /province/county/C ranks a county's
 * stations with their day figures and lists its active alerts; /province/station/C/S shows
 * what the hub knows of one station (registry, live summary, 30 days, months, alert events). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/province.h"
#include "pvrelief/store_hub_read.h"
#include "pvrelief/web_html.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

/* Appends the link to a county's page. */
static void county_href(struct strbuf *b, const char *county)
{
	strbuf_puts(b, "/province/county/");
	web_url_encode(b, county);
}

static void station_href(struct strbuf *b, const char *county, const char *station)
{
	strbuf_puts(b, "/province/station/");
	web_url_encode(b, county);
	strbuf_puts(b, "/");
	web_url_encode(b, station);
}

/* The day's query string the links carry, so that a drill-down stays on the day shown. */
static char *day_query(const struct web_province *p, const char *sort)
{
	return xasprintf("?day=%s%s%s", p->day, sort ? "&sort=" : "", sort ? sort : "");
}

static void tile(struct web_ctx *c, const char *label, const char *key, const char *value,
		 const char *small)
{
	web_html_printf(&c->rep->body,
			"<div class=\"tile\"><small>%s</small><b data-f=\"%s\">%s</b>"
			"<small>%s</small></div>",
			label, key, value, small);
}

static void tiles(struct web_ctx *c, const struct province_county *t, size_t counties)
{
	const struct config *cfg = c->app->cfg;
	char v[64], sm[128];
	struct strbuf x = {0};
	if (counties) {
		snprintf(v, sizeof v, "%zu", counties);
		tile(c, T(c, "县", "Counties"), "counties", v, "");
		snprintf(v, sizeof v, "%d / %zu", t->counties_meeting_target, counties);
		snprintf(sm, sizeof sm, "%s %d %s",
			 T(c, "按各县上报的本月 KPI；已上报", "by the counties' own month KPIs;"),
			 t->counties_with_kpi, T(c, "县", "sent them"));
		tile(c, T(c, "达标县", "Counties meeting target"), "counties_meeting", v, sm);
	}
	snprintf(v, sizeof v, "%d / %zu", t->online, t->n);
	tile(c, T(c, "在线电站", "Stations online"), "online", v, "");
	snprintf(v, sizeof v, "%.1f", t->capacity_kwp / 1000.0);
	tile(c, T(c, "装机 MWp", "Capacity MWp"), "capacity_mwp", v, "");
	snprintf(v, sizeof v, "%.1f", t->power_w / 1000.0);
	tile(c, T(c, "当前功率 kW", "Power now kW"), "power_kw", v,
	     T(c, "各县最新上报", "as the counties last sent"));
	snprintf(v, sizeof v, "%.1f", t->energy_wh / 1000.0);
	tile(c, T(c, "当日发电 kWh", "Energy of the day kWh"), "energy_kwh", v, "");
	snprintf(sm, sizeof sm, "%s %.0f%%", T(c, "目标", "target"),
		 cfg->efficiency.county_target * 100);
	web_pct(&x, t->eta_day);
	char *e = strbuf_take(&x);
	tile(c, T(c, "当日发电参数 η", "η of the day"), "eta_day", e, sm);
	free(e);
	web_pct(&x, t->eta_month);
	e = strbuf_take(&x);
	tile(c, T(c, "本月累计 η", "η month to date"), "eta_month", e, sm);
	free(e);
	snprintf(v, sizeof v, "%ld", t->alerts_active);
	snprintf(sm, sizeof sm, "%s %ld", T(c, "严重", "critical"), t->alerts_critical);
	tile(c, T(c, "未消除告警", "Active alerts"), "alerts", v, sm);
}

static void legend(struct web_ctx *c)
{
	static const char *const states[] = {"producing", "idle",  "night", "partial",
					     "offline",	  "fault", NULL};
	strbuf_puts(&c->rep->body, "<p class=\"note\">");
	for (size_t i = 0; states[i]; i++)
		web_html_printf(&c->rep->body, "<span class=\"st st-%s\">%s</span> ", states[i],
				web_i18n_state(c->lang, states[i]));
	web_html_printf(&c->rep->body, "<span class=\"st st-unknown\">%s</span></p>",
			T(c, "未上报", "not reported"));
}

/* The stations [first, first + n) on the map, each a link to its page at the hub. */
static void map(struct web_ctx *c, const struct web_province *p, size_t first, size_t n,
		const char *label)
{
	struct web_map_point *pt = xcalloc(n + 1, sizeof *pt);
	char **text = xcalloc(3 * n + 1, sizeof *text);
	for (size_t i = 0; i < n; i++) {
		const struct province_station *s = &p->stations[first + i];
		struct strbuf h = {0};
		station_href(&h, s->county, s->station);
		text[3 * i] = strbuf_take(&h);
		text[3 * i + 1] = xasprintf("%s · %s · %s · %s", s->name, s->station, s->county,
					    s->state[0] ? web_i18n_state(c->lang, s->state)
							: T(c, "未上报", "not reported"));
		text[3 * i + 2] = xasprintf("%s/%s", s->county, s->station);
		pt[i] = (struct web_map_point){
		    .lat = s->lat,
		    .lon = s->lon,
		    .capacity_kwp = s->capacity_kwp,
		    .state = s->state,
		    .href = text[3 * i],
		    .data_attr = "data-station",
		    .data = text[3 * i + 2],
		    .title = text[3 * i + 1],
		};
	}
	web_map(c, pt, n, "map", label);
	legend(c);
	for (size_t i = 0; i < 3 * n; i++)
		free(text[i]);
	free(text);
	free(pt);
}

/* The day and sort chooser. */
static void chooser(struct web_ctx *c, const struct web_province *p, const char *action, int by)
{
	struct strbuf *b = &c->rep->body;
	web_html_printf(b,
			"<form class=\"filters\" method=\"get\" action=\"%s\"><label>%s<input "
			"type=\"date\" name=\"day\" value=\"%s\"></label>",
			action, T(c, "日期", "Day"), p->day);
	web_html_printf(b,
			"<label>%s<select name=\"sort\"><option value=\"eta_day\"%s>%s</option>"
			"<option value=\"eta_month\"%s>%s</option></select></label>"
			"<button>%s</button></form>",
			T(c, "排序依据", "Rank by"), by == PROVINCE_ETA_DAY ? " selected" : "",
			T(c, "当日 η", "η of the day"), by == PROVINCE_ETA_MONTH ? " selected" : "",
			T(c, "本月累计 η", "η month to date"), T(c, "查看", "Show"));
}

static void eta_cell(struct web_ctx *c, const char *field, double eta, double target,
		     const char *extra)
{
	web_html_printf(&c->rep->body, "<td class=\"n%s%s\" data-f=\"%s\">", extra,
			isfinite(eta) && eta < target ? " bad" : "", field);
	web_pct(&c->rep->body, eta);
	strbuf_puts(&c->rep->body, "</td>");
}

static void num_cell(struct web_ctx *c, const char *field, double v, int decimals,
		     const char *extra)
{
	web_html_printf(&c->rep->body, "<td class=\"n%s\" data-f=\"%s\">", extra, field);
	web_num(&c->rep->body, v, decimals);
	strbuf_puts(&c->rep->body, "</td>");
}

static void state_cell(struct web_ctx *c, const char *state, const char *extra)
{
	if (state[0])
		web_html_printf(
		    &c->rep->body,
		    "<td class=\"%s\" data-f=\"state\"><span class=\"st st-%s\">%s</span>"
		    "</td>",
		    extra, state, web_i18n_state(c->lang, state));
	else
		web_html_printf(&c->rep->body,
				"<td class=\"%s\" data-f=\"state\"><span class=\"st st-unknown\">%s"
				"</span></td>",
				extra, T(c, "未上报", "not reported"));
}

/* What the page says of a figure the county has never sent: the hub keeps the last it sent,
 * so "none received" is all that is known. */
static const char *none_received(const struct web_ctx *c)
{
	return T(c, "未收到", "none received");
}

/* The county's ledger head: its sequence and the first 12 hex digits of its hash (the whole
 * hash in the tooltip, to compare with `pvrelief ledger verify --head`) and when the county
 * sent it, or that none came. */
static void head_html(struct web_ctx *c, const struct province_county *x, int block)
{
	struct strbuf *b = &c->rep->body;
	if (x->head_seq < 0) {
		web_html_printf(b, "<span data-f=\"head\">%s</span>", none_received(c));
		return;
	}
	char at[32], short_hash[13];
	web_time(c, isfinite(x->head_at) ? x->head_at : 0, at);
	memcpy(short_hash, x->head_hash, sizeof short_hash - 1);
	short_hash[sizeof short_hash - 1] = '\0';
	web_html_printf(b, "<span class=\"mono\" data-f=\"head\" title=\"%s\">%lld · %s</span>",
			x->head_hash, x->head_seq, short_hash);
	strbuf_puts(b, block ? "<br>" : " ");
	web_html_printf(b, "<small data-f=\"head_at\">%s</small>", at[0] ? at : "–");
}

/* The county's month KPIs as it sent them: generation capability, online rate, whether it
 * meets the county target, and its stations meeting the station target. */
static void kpi_text(struct web_ctx *c, const struct province_kpi *k, char cap[32], char online[32],
		     const char **meets, char meeting[48])
{
	struct strbuf v = {0};
	web_num(&v, k->known ? k->capability_pct : NAN, 1);
	if (k->known && isfinite(k->capability_pct))
		strbuf_puts(&v, "%");
	char *t = strbuf_take(&v);
	snprintf(cap, 32, "%s", t);
	free(t);
	web_pct(&v, k->known ? k->online_rate : NAN);
	t = strbuf_take(&v);
	snprintf(online, 32, "%s", t);
	free(t);
	*meets = !k->known		? none_received(c)
		 : k->meets_target == 1 ? T(c, "达标", "meets")
		 : k->meets_target == 0 ? T(c, "未达标", "below")
					: "–";
	if (k->known && k->stations_meeting_target >= 0 && k->stations_with_eta >= 0)
		snprintf(meeting, 48, "%ld / %ld", k->stations_meeting_target,
			 k->stations_with_eta);
	else
		snprintf(meeting, 48, "–");
}

static void kpi_cells(struct web_ctx *c, const struct province_county *x)
{
	char cap[32], online[32], meeting[48];
	const char *meets;
	kpi_text(c, &x->kpi, cap, online, &meets, meeting);
	web_html_printf(&c->rep->body,
			"<td class=\"n hide-s\" data-f=\"kpi_capability\">%s</td><td class=\"n "
			"hide-s\" data-f=\"kpi_online\">%s</td><td class=\"%s\" "
			"data-f=\"kpi_meets\">%s</td><td class=\"n hide-s\" "
			"data-f=\"kpi_meeting\">%s</td>",
			cap, online, x->kpi.known && x->kpi.meets_target == 0 ? "bad" : "", meets,
			meeting);
}

static void province_page(struct web_ctx *c, int by)
{
	struct web_province p;
	const char *why = NULL;
	int status = web_province_load(c, NULL, NULL, &p, &why);
	if (status) {
		web_error(c, status, why);
		return;
	}
	const struct config *cfg = c->app->cfg;
	struct province_county total;
	province_total(p.counties, p.nc, &total);
	web_page_begin(c, T(c, "全省总览", "Province overview"), "province");
	struct strbuf *b = &c->rep->body;
	web_html_printf(b, "<h1>%s · %s</h1>", T(c, "全省总览", "Province overview"), p.day);
	chooser(c, &p, "/province", by);
	strbuf_puts(b, "<section class=\"tiles\">");
	tiles(c, &total, p.nc);
	strbuf_puts(b, "</section><section class=\"card\">");
	web_html_printf(b, "<h2>%s</h2>", T(c, "全省电站分布", "Every station of the province"));
	map(c, &p, 0, p.ns, T(c, "全省电站分布图", "Map of the province's stations"));
	strbuf_puts(b, "</section>");

	/* The counties ranked; the map above keeps the id order of the stations. */
	province_rank_counties(p.counties, p.nc, (enum province_rank)by);
	char *q = day_query(&p, NULL);
	web_html_printf(b, "<h2>%s</h2>",
			by == PROVINCE_ETA_MONTH
			    ? T(c, "各县排名：本月累计 η（差的在前）",
				"Counties ranked by η month to date, worst first")
			    : T(c, "各县排名：当日 η（差的在前）",
				"Counties ranked by η of the day, worst first"));
	web_html_printf(
	    b,
	    "<div class=\"scroll\"><table id=\"counties\"><thead><tr><th class=\"n\">#</th>"
	    "<th>%s</th><th class=\"hide-s\">%s</th><th class=\"n hide-s\">%s</th><th "
	    "class=\"n\">%s</th><th class=\"n hide-s\">kWp</th><th class=\"n hide-s\">%s</th><th "
	    "class=\"n\">"
	    "%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n hide-s\">%s"
	    "</th><th class=\"n hide-s\">%s</th><th>%s</th><th class=\"n hide-s\">%s</th>"
	    "<th class=\"n hide-s\">%s</th><th class=\"hide-s\">%s</th><th class=\"hide-s\">%s"
	    "</th></tr></thead><tbody>",
	    T(c, "县", "County"), T(c, "状态", "Status"), T(c, "电站", "Stations"),
	    T(c, "在线", "Online"), T(c, "功率 kW", "Power kW"), T(c, "当日 kWh", "Day kWh"),
	    T(c, "当日 η", "η day"), T(c, "本月 η", "η month"), T(c, "上报发电能力", "Capability"),
	    T(c, "上报在线率", "Online rate"), T(c, "县达标", "Target"),
	    T(c, "达标电站", "Meeting"), T(c, "告警", "Alerts"), T(c, "账本头", "Ledger head"),
	    T(c, "最新消息", "Last message"));
	for (size_t k = 0; k < p.nc; k++) {
		const struct province_county *x = &p.counties[k];
		struct strbuf h = {0};
		county_href(&h, x->county);
		strbuf_puts(&h, q);
		char *href = strbuf_take(&h);
		char seen[32];
		web_time(c, isfinite(x->last_seen) ? x->last_seen : 0, seen);
		const char *st = strcmp(x->status, "online") == 0    ? T(c, "在线", "online")
				 : strcmp(x->status, "offline") == 0 ? T(c, "离线", "offline")
								     : "–";
		web_html_printf(
		    b,
		    "<tr data-county=\"%s\"><td class=\"n\">%zu</td><td class=\"name\" "
		    "data-f=\"name\"><a href=\"%s\">%s</a></td><td class=\"hide-s%s\" "
		    "data-f=\"status\">%s</td><td class=\"n hide-s\" data-f=\"stations\">%zu"
		    "</td><td class=\"n\" data-f=\"online\">%d</td>",
		    x->county, k + 1, href, x->name,
		    strcmp(x->status, "offline") == 0 ? " bad" : "", st, x->n, x->online);
		free(href);
		num_cell(c, "capacity_kwp", x->capacity_kwp, 1, " hide-s");
		num_cell(c, "power_kw", x->power_w / 1000.0, 1, " hide-s");
		num_cell(c, "energy_kwh", x->energy_wh / 1000.0, 1, "");
		eta_cell(c, "eta_day", x->eta_day, cfg->efficiency.county_target, "");
		eta_cell(c, "eta_month", x->eta_month, cfg->efficiency.county_target, "");
		kpi_cells(c, x);
		web_html_printf(b,
				"<td class=\"n hide-s\" data-f=\"alerts\">%ld</td><td "
				"class=\"hide-s\">",
				x->alerts_active);
		head_html(c, x, 1);
		web_html_printf(b, "</td><td class=\"hide-s\" data-f=\"last_seen\">%s</td></tr>",
				seen);
	}
	if (p.nc == 0)
		web_html_printf(b, "<tr><td colspan=\"17\">%s</td></tr>",
				T(c, "省级汇聚尚未收到任何县的数据。",
				  "The hub has not heard from any county yet."));
	strbuf_puts(b, "</tbody></table></div>");
	web_html_printf(
	    b, "<p class=\"note\">%s</p>",
	    T(c,
	      "η 为各电站实际发电量之和与理论发电量之和的比值（有 η 的电站）；功率"
	      "与在线为各县最新实时上报；发电能力、在线率、县达标（η ≥ 县目标）与达标电站"
	      "为各县自己计算并上报的本月 KPI；账本头为各县最新上报的资金账本序号与哈希"
	      "（悬停可见完整哈希），可用 pvrelief ledger verify --head 核对。",
	      "η is the ratio of the stations' actual to theoretical energy, summed over "
	      "the stations that have one; power and online are the counties' newest live "
	      "summaries; capability, online rate, county target (η ≥ the county target) and "
	      "stations meeting are the month's KPIs as each county computed and sent them; the "
	      "ledger head is the sequence and hash of the county's money ledger as it last sent "
	      "it (hover for the whole hash), to check with pvrelief ledger verify --head."));
	free(q);
	web_province_free(&p);
	web_page_end(c);
}

static void alerts_list(struct web_ctx *c, const struct web_province *p, int show_station)
{
	struct strbuf *b = &c->rep->body;
	strbuf_puts(b, "<ul id=\"hub-alerts\" class=\"plain\">");
	for (int i = 0; i < p->na; i++) {
		const struct store_hub_read_alert *a = &p->alerts[i];
		char t[32], at[32];
		web_time(c, a->raised_at, t);
		web_time(c, a->at, at);
		web_html_printf(b, "<li data-alert=\"%lld\"><span class=\"sev-%s\">%s</span> %s ",
				(long long)a->alert_id, a->severity,
				web_i18n_severity(c->lang, a->severity), show_station ? t : at);
		if (!show_station)
			web_html_printf(b, "<b>%s</b> ", web_i18n_alert_event(c->lang, a->type));
		if (show_station && a->station[0]) {
			struct strbuf h = {0};
			station_href(&h, a->county, a->station);
			char *href = strbuf_take(&h);
			web_html_printf(b, "<a href=\"%s\">%s</a> ", href, a->station);
			free(href);
		}
		web_html_printf(b, "%s <span class=\"title\">%s</span></li>",
				web_i18n_alert_kind(c->lang, a->kind), a->title);
	}
	if (p->na == 0)
		web_html_printf(b, "<li>%s</li>",
				show_station ? T(c, "没有未消除的告警", "No active alerts")
					     : T(c, "没有告警记录", "No alert events"));
	strbuf_puts(b, "</ul>");
}

/* The county's ledger head and its own month KPIs, as it sent them to the hub. */
static void county_reports(struct web_ctx *c, const struct province_county *x, const char *month)
{
	struct strbuf *b = &c->rep->body;
	const struct province_kpi *k = &x->kpi;
	web_html_printf(b,
			"<section class=\"card\" id=\"county-reports\"><h2>%s</h2><table>"
			"<tr><th>%s</th><td>",
			T(c, "本县上报", "As the county sent them"),
			T(c, "资金账本头", "Money ledger head"));
	head_html(c, x, 0);
	char cap[32], online[32], meeting[48], until[32];
	const char *meets;
	kpi_text(c, k, cap, online, &meets, meeting);
	web_time(c, k->known && isfinite(k->until) ? k->until : 0, until);
	web_html_printf(b, "</td></tr><tr><th>%s (%s)</th><td data-f=\"kpi_until\">%s</td></tr>",
			T(c, "本月 KPI 截至", "Month KPIs up to"), month,
			k->known ? (until[0] ? until : "–") : none_received(c));
	web_html_printf(b, "<tr><th>%s</th><td data-f=\"kpi_eta\">",
			T(c, "县 η（上报）", "County η (sent)"));
	web_pct(b, k->known ? k->eta : NAN);
	web_html_printf(b, "</td></tr><tr><th>%s</th><td data-f=\"kpi_capability\">%s</td></tr>",
			T(c, "发电能力", "Generation capability"), cap);
	web_html_printf(b, "<tr><th>%s</th><td data-f=\"kpi_online\">%s</td></tr>",
			T(c, "在线率", "Online rate"), online);
	web_html_printf(b, "<tr><th>%s</th><td><span class=\"%s\" data-f=\"kpi_meets\">%s</span>",
			T(c, "县达标", "County target"),
			k->known && k->meets_target == 0 ? "bad" : "", meets);
	if (k->known && isfinite(k->county_target))
		web_html_printf(b, " <small>(%s %.0f%%)</small>", T(c, "目标", "target"),
				k->county_target * 100);
	web_html_printf(b,
			"</td></tr><tr><th>%s</th><td data-f=\"kpi_meeting\">%s</td></tr>"
			"</table></section>",
			T(c, "达标电站 / 有 η 电站", "Stations meeting / with η"), meeting);
}

static void county_page(struct web_ctx *c, const char *county, int by)
{
	struct web_province p;
	const char *why = NULL;
	int status = web_province_load(c, county, NULL, &p, &why);
	if (status) {
		web_error(c, status, why);
		return;
	}
	const struct config *cfg = c->app->cfg;
	const struct province_county *x = &p.counties[p.county];
	web_page_begin(c, x->name, "province");
	struct strbuf *b = &c->rep->body;
	char *q = day_query(&p, by == PROVINCE_ETA_MONTH ? "eta_month" : NULL);
	web_html_printf(b, "<p class=\"note\"><a href=\"/province%s\">%s</a> › %s</p>", q,
			T(c, "全省", "Province"), x->name);
	web_html_printf(b, "<h1><span id=\"county-name\">%s</span> · %s</h1>", x->name, p.day);
	struct strbuf a = {0};
	county_href(&a, x->county);
	char *action = strbuf_take(&a);
	chooser(c, &p, action, by);
	free(action);
	strbuf_puts(b, "<section class=\"tiles\">");
	tiles(c, x, 0);
	strbuf_puts(b, "</section>");
	county_reports(c, x, p.month);
	strbuf_puts(b, "<div class=\"grid2\"><section class=\"card\">");
	web_html_printf(b, "<h2>%s</h2>", T(c, "电站分布", "Stations on the map"));
	map(c, &p, x->first, x->n, T(c, "本县电站分布图", "Map of the county's stations"));
	web_html_printf(b, "</section><section class=\"card\"><h2>%s</h2>",
			T(c, "未消除的告警", "Active alerts"));
	alerts_list(c, &p, 1);
	strbuf_puts(b, "</section></div>");

	const struct province_station **rows = xcalloc(x->n + 1, sizeof *rows);
	for (size_t i = 0; i < x->n; i++)
		rows[i] = &p.stations[x->first + i];
	province_rank_stations(rows, x->n, (enum province_rank)by);
	web_html_printf(b, "<h2>%s</h2>",
			by == PROVINCE_ETA_MONTH
			    ? T(c, "电站排名：本月累计 η（差的在前）",
				"Stations ranked by η month to date, worst first")
			    : T(c, "电站排名：当日 η（差的在前）",
				"Stations ranked by η of the day, worst first"));
	web_html_printf(
	    b,
	    "<div class=\"scroll\"><table id=\"stations\"><thead><tr><th class=\"n\">#</th>"
	    "<th>%s</th><th class=\"hide-s\">%s</th><th class=\"n hide-s\">kWp</th><th>%s</th>"
	    "<th class=\"n hide-s\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
	    "<th class=\"n hide-s\">PR</th><th class=\"n hide-s\">%s</th><th class=\"n\">%s</th>"
	    "<th class=\"n hide-s\">%s</th></tr></thead><tbody>",
	    T(c, "电站", "Station"), T(c, "村", "Village"), T(c, "状态", "State"),
	    T(c, "功率 kW", "Power kW"), T(c, "当日 kWh", "Day kWh"), T(c, "当日 η", "η day"),
	    T(c, "置信等级", "Grade"), T(c, "本月 η", "η month"), T(c, "告警", "Alerts"));
	for (size_t i = 0; i < x->n; i++) {
		const struct province_station *s = rows[i];
		struct strbuf h = {0};
		station_href(&h, s->county, s->station);
		strbuf_puts(&h, q);
		char *href = strbuf_take(&h);
		web_html_printf(
		    b,
		    "<tr data-station=\"%s\"><td class=\"n\">%zu</td><td class=\"name\" "
		    "data-f=\"name\"><a href=\"%s\">%s</a></td><td class=\"hide-s\" "
		    "data-f=\"village\">%s</td>",
		    s->station, i + 1, href, s->name, s->village);
		free(href);
		num_cell(c, "capacity_kwp", s->capacity_kwp, 1, " hide-s");
		state_cell(c, s->state, "");
		num_cell(c, "power_kw",
			 province_station_online(s, x->status) ? s->power_w / 1000.0 : NAN, 1,
			 " hide-s");
		num_cell(c, "energy_kwh", s->energy_wh / 1000.0, 1, "");
		eta_cell(c, "eta_day", s->eta, cfg->efficiency.station_target, "");
		num_cell(c, "pr", s->pr, 3, " hide-s");
		if (s->grade)
			web_html_printf(b, "<td class=\"n hide-s\" data-f=\"grade\">%d</td>",
					s->grade);
		else
			strbuf_puts(b, "<td class=\"n hide-s\" data-f=\"grade\">–</td>");
		eta_cell(c, "eta_month", s->month_eta, cfg->efficiency.station_target, "");
		web_html_printf(b, "<td class=\"n hide-s\" data-f=\"alerts\">%d</td></tr>",
				s->alerts_active);
	}
	if (x->n == 0)
		web_html_printf(b, "<tr><td colspan=\"12\">%s</td></tr>",
				T(c, "这个县没有上报电站。", "The county sent no station."));
	strbuf_puts(b, "</tbody></table></div>");
	free(rows);
	free(q);
	web_province_free(&p);
	web_page_end(c);
}

static void fact(struct web_ctx *c, const char *label, const char *field, const char *value)
{
	web_html_printf(&c->rep->body, "<tr><th>%s</th><td data-f=\"%s\">%s</td></tr>", label,
			field, value);
}

static void station_page(struct web_ctx *c, const char *county, const char *station)
{
	struct web_province p;
	const char *why = NULL;
	int status = web_province_load(c, county, station, &p, &why);
	if (status) {
		web_error(c, status, why);
		return;
	}
	const struct config *cfg = c->app->cfg;
	const struct province_county *x = &p.counties[p.county];
	const struct province_station *s = &p.stations[p.station];
	web_page_begin(c, s->name, "province");
	struct strbuf *b = &c->rep->body;
	char *q = day_query(&p, NULL);
	struct strbuf h = {0};
	county_href(&h, x->county);
	strbuf_puts(&h, q);
	char *chref = strbuf_take(&h);
	web_html_printf(b,
			"<p class=\"note\"><a href=\"/province%s\">%s</a> › <a href=\"%s\">%s</a> "
			"› %s</p>",
			q, T(c, "全省", "Province"), chref, x->name, s->name);
	free(chref);
	web_html_printf(b, "<h1><span id=\"station-name\">%s</span> · %s</h1>", s->name, x->name);
	web_html_printf(b, "<div class=\"grid2\"><section class=\"card\"><h2>%s</h2><table>",
			T(c, "登记信息", "Registry"));
	fact(c, T(c, "编号", "Id"), "id", s->station);
	fact(c, T(c, "村", "Village"), "village", s->village);
	fact(c, T(c, "乡镇", "Town"), "town", s->town);
	struct strbuf v = {0};
	web_num(&v, s->capacity_kwp, 1);
	char *tx = strbuf_take(&v);
	fact(c, T(c, "装机 kWp", "Capacity kWp"), "capacity_kwp", tx);
	free(tx);
	web_num(&v, s->lat, 4);
	strbuf_puts(&v, "°N, ");
	web_num(&v, s->lon, 4);
	strbuf_puts(&v, "°E");
	tx = strbuf_take(&v);
	fact(c, T(c, "位置", "Location"), "location", tx);
	free(tx);
	web_html_printf(b, "</table></section><section class=\"card\"><h2>%s</h2><table>",
			T(c, "最新实时上报", "Newest live summary"));
	char t[32];
	web_time(c, s->live_at, t);
	fact(c, T(c, "上报时间", "Sent at"), "live_at", t[0] ? t : "–");
	fact(c, T(c, "状态", "State"), "state",
	     s->state[0] ? web_i18n_state(c->lang, s->state) : T(c, "未上报", "not reported"));
	web_num(&v, s->power_w / 1000.0, 1);
	tx = strbuf_take(&v);
	fact(c, T(c, "功率 kW", "Power kW"), "power_kw", tx);
	free(tx);
	web_num(&v, s->energy_today_wh / 1000.0, 1);
	tx = strbuf_take(&v);
	fact(c, T(c, "今日发电 kWh", "Energy today kWh"), "energy_today_kwh", tx);
	free(tx);
	snprintf(t, sizeof t, "%ld / %ld", s->online, s->devices);
	fact(c, T(c, "设备在线", "Devices online"), "devices", t);
	strbuf_puts(b, "</table></section></div>");

	web_html_printf(b, "<h2>%s</h2><section class=\"card\">",
			T(c, "近 30 天", "The last 30 days"));
	struct web_eta_bar *bars = xcalloc((size_t)p.nd + 1, sizeof *bars);
	for (int i = 0; i < p.nd; i++)
		bars[i] = (struct web_eta_bar){p.days[i].day, p.days[i].eta, p.days[i].pr,
					       p.days[i].grade};
	web_eta_chart(c, bars, p.nd, 30);
	free(bars);
	strbuf_puts(b, "</section>");
	web_html_printf(
	    b,
	    "<div class=\"scroll\"><table id=\"days\"><thead><tr><th>%s</th><th class=\"n\">kWh"
	    "</th><th class=\"n hide-s\">%s</th><th class=\"n\">η</th><th class=\"n hide-s\">PR"
	    "</th><th class=\"n hide-s\">%s</th><th class=\"n hide-s\">%s</th><th class=\"hide-s\">"
	    "%s</th></tr></thead><tbody>",
	    T(c, "日期", "Day"), T(c, "理论 kWh", "Theoretical kWh"), T(c, "覆盖率", "Coverage"),
	    T(c, "置信等级", "Grade"), T(c, "辐照来源", "Irradiance source"));
	for (int i = p.nd - 1; i >= 0; i--) {
		const struct store_hub_read_day *d = &p.days[i];
		web_html_printf(b, "<tr data-day=\"%s\"><td>%s</td>", d->day, d->day);
		num_cell(c, "energy_kwh", d->energy_wh / 1000.0, 1, "");
		num_cell(c, "eth_kwh", d->eth_wh / 1000.0, 1, " hide-s");
		eta_cell(c, "eta", d->eta, cfg->efficiency.station_target, "");
		num_cell(c, "pr", d->pr, 3, " hide-s");
		web_html_printf(b, "<td class=\"n hide-s\" data-f=\"coverage\">");
		web_pct(b, d->coverage);
		if (d->grade)
			web_html_printf(b, "</td><td class=\"n hide-s\">%d</td>", d->grade);
		else
			strbuf_puts(b, "</td><td class=\"n hide-s\">–</td>");
		web_html_printf(b, "<td class=\"hide-s\">%s</td></tr>", d->source);
	}
	if (p.nd == 0)
		web_html_printf(b, "<tr><td colspan=\"8\">%s</td></tr>",
				T(c, "没有上报的日数据。", "No day figures were sent."));
	strbuf_puts(b, "</tbody></table></div>");

	web_html_printf(b,
			"<div class=\"grid2\"><section class=\"card\"><h2>%s</h2><table "
			"id=\"months\"><thead><tr><th>%s</th><th class=\"n\">kWh</th><th "
			"class=\"n\">η</th></tr></thead><tbody>",
			T(c, "月度", "Months"), T(c, "月份", "Month"));
	for (int i = 0; i < p.nm; i++) {
		const struct store_hub_read_month *m = &p.months[i];
		web_html_printf(b, "<tr data-month=\"%s\"><td>%s</td>", m->month, m->month);
		num_cell(c, "energy_kwh", m->energy_wh / 1000.0, 1, "");
		eta_cell(c, "eta", m->eta, cfg->efficiency.station_target, "");
		strbuf_puts(b, "</tr>");
	}
	if (p.nm == 0)
		web_html_printf(b, "<tr><td colspan=\"3\">%s</td></tr>",
				T(c, "没有上报的月数据。", "No month figures were sent."));
	web_html_printf(b, "</tbody></table></section><section class=\"card\"><h2>%s</h2>",
			T(c, "告警事件（最新在前）", "Alert events, newest first"));
	alerts_list(c, &p, 0);
	strbuf_puts(b, "</section></div>");
	free(q);
	web_province_free(&p);
	web_page_end(c);
}

void web_page_province(struct web_ctx *c, const char *rest)
{
	int by;
	if (web_province_sort(c, &by) != 0) {
		web_error(c, 400, T(c, "排序参数无效。", "Unknown sort order."));
		return;
	}
	if (!*rest || strcmp(rest, "/") == 0) {
		province_page(c, by);
		return;
	}
	if (strncmp(rest, "/county/", 8) == 0 && rest[8] && !strchr(rest + 8, '/')) {
		county_page(c, rest + 8, by);
		return;
	}
	const char *slash = strncmp(rest, "/station/", 9) == 0 ? strchr(rest + 9, '/') : NULL;
	if (slash && slash > rest + 9 && slash[1]) {
		char *county = xstrndup(rest + 9, (size_t)(slash - rest - 9));
		station_page(c, county, slash + 1);
		free(county);
		return;
	}
	web_error(c, 404, T(c, "没有这个页面。", "There is no such page."));
}
