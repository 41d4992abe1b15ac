/* One station: today's power against the theoretical curve of its irradiance source, the last
 * 30 days of η and PR against the target, its inverters side by side in kWh/kWp (a weak one
 * stands out), device diagnostics, its alerts and its maintenance log. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/reading.h"
#include "pvrelief/solar.h"
#include "pvrelief/store.h"
#include "pvrelief/store_alert.h"
#include "pvrelief/store_console.h"
#include "pvrelief/store_health.h"
#include "pvrelief/store_maintenance.h"
#include "pvrelief/web_html.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

enum { SLOTS = 288, DAYS = 30, MAX_INV = 64, LIST = 30 };

struct inv {
	const char *id;
	double dc_kwp, today_wh, month_wh;
};

struct inv_set {
	struct inv v[MAX_INV];
	size_t n;
	int month;
};

static void add_energy(void *arg, const char *device, double energy_wh)
{
	struct inv_set *s = arg;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, device) == 0) {
			if (s->month)
				s->v[i].month_wh = energy_wh;
			else
				s->v[i].today_wh = energy_wh;
		}
}

/* Theoretical power at t: P_stc × K × G/1000, G from the station's sensor when it has one in
 * the slot, else the clear sky at its place (Ineichen, transposed to its plane when η is
 * judged on the plane of the array). */
static double theory_w(const struct config *cfg, const struct config_station *cs, double t,
		       const struct store_console_slot *slot, int *from_sensor)
{
	int poa = cfg->efficiency.basis == CONFIG_BASIS_POA;
	double g = NAN;
	if (slot)
		g = poa && !isnan(slot->poa_w_m2) ? slot->poa_w_m2 : slot->ghi_w_m2;
	if (!isnan(g)) {
		/* A slot the sensor covered only in part (the daemon started or stopped in it)
		 * holds only part of its irradiation: its mean is over the time covered. */
		double covered = fmin(1.0, slot->sensor_n * cfg->polling.fast_interval_s / 300.0);
		if (covered > 0)
			g /= covered;
		*from_sensor = 1;
	} else {
		struct solar_position sp;
		struct solar_irradiance irr;
		if (solar_position(t, cs->lat_deg, cs->lon_deg, cs->altitude_m,
				   solar_pressure_hpa(cs->altitude_m), 15.0,
				   SOLAR_DELTA_T_DEFAULT_S, &sp) != 0)
			return NAN;
		solar_clearsky_ineichen(&sp, cs->altitude_m, cfg->efficiency.linke_turbidity, &irr);
		g = poa ? solar_poa_w_m2(cfg->efficiency.transposition ==
						 CONFIG_TRANSPOSITION_ISOTROPIC
					     ? SOLAR_ISOTROPIC
					     : SOLAR_HAY_DAVIES,
					 &irr, &sp, cs->tilt_deg, cs->azimuth_deg, cs->albedo)
			: irr.ghi_w_m2;
	}
	return cs->capacity_kwp * cs->k_coeff * g;
}

static void curve(struct web_ctx *c, const struct config_station *cs, double day0,
		  const struct store_console_slot *sl, int ns)
{
	const struct config *cfg = c->app->cfg;
	struct strbuf *b = &c->rep->body;
	double W = 720, H = 240, L = 44, B = 20;
	double th[SLOTS], act[SLOTS], pmax = cs->capacity_kwp * 1000 * 0.2;
	int sensor = 0;
	for (int i = 0; i < SLOTS; i++) {
		act[i] = NAN;
		th[i] = NAN;
	}
	for (int k = 0; k < ns; k++) {
		int i = (int)((sl[k].slot - day0) / 300);
		if (i >= 0 && i < SLOTS)
			act[i] = sl[k].power_w;
	}
	/* One source for the whole day: the sensor's when it reported today (its gaps stay
	 * gaps), else the clear sky, so that the curve never jumps between the two. */
	int has_sensor = 0;
	for (int k = 0; k < ns; k++)
		has_sensor |= !isnan(sl[k].poa_w_m2) || !isnan(sl[k].ghi_w_m2);
	int j = 0;
	for (int i = 0; i < SLOTS; i++) {
		double t = day0 + i * 300.0;
		while (j < ns && sl[j].slot < t)
			j++;
		const struct store_console_slot *s =
		    j < ns && sl[j].slot == (int64_t)t ? &sl[j] : NULL;
		if (has_sensor && !s) {
			th[i] = NAN;
			continue;
		}
		th[i] = theory_w(cfg, cs, t + 150, has_sensor ? s : NULL, &sensor);
		if (!isnan(th[i]))
			pmax = fmax(pmax, th[i]);
		if (!isnan(act[i]))
			pmax = fmax(pmax, act[i]);
	}
	pmax *= 1.1;
	/* A margin above and to the right, so that the top and last labels are not cut. */
	web_html_printf(
	    b,
	    "<svg id=\"curve\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">"
	    "<g transform=\"translate(0 16)\">",
	    W + 24, H + B + 16, T(c, "今日功率曲线", "Power today"));
	for (int h = 0; h <= 24; h += 3) {
		double x = L + (W - L) * h / 24.0;
		strbuf_printf(b,
			      "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#eee\"/>"
			      "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%02d:00</text>",
			      x, x, H, x, H + 14, h);
	}
	for (int k = 0; k <= 4; k++) {
		double y = H - H * k / 4.0;
		strbuf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>",
			      L - 4, y + 4, pmax / 1000.0 * k / 4.0);
	}
	/* Two polylines; a gap in the data breaks the line rather than drawing across it. */
	for (int pass = 0; pass < 2; pass++) {
		const double *v = pass ? act : th;
		int open = 0;
		for (int i = 0; i < SLOTS; i++) {
			double x = L + (W - L) * (i + 0.5) / SLOTS;
			if (isnan(v[i]) || (pass == 0 && v[i] <= 0 && (i == 0 || th[i - 1] <= 0))) {
				if (open)
					strbuf_puts(b, "\"/>");
				open = 0;
				continue;
			}
			if (!open)
				strbuf_printf(
				    b, "<polyline fill=\"none\" %s points=\"",
				    pass ? "stroke=\"#1565c0\" stroke-width=\"2\" class=\"actual\""
					 : "stroke=\"#ef6c00\" stroke-dasharray=\"5 3\" "
					   "class=\"theory\"");
			open = 1;
			strbuf_printf(b, "%.1f,%.1f ", x, H - H * v[i] / pmax);
		}
		if (open)
			strbuf_puts(b, "\"/>");
	}
	strbuf_puts(b, "</g></svg>");
	web_html_printf(
	    b,
	    "<p class=\"note\"><span style=\"color:#1565c0\">━</span> %s (kW) "
	    "<span style=\"color:#ef6c00\">┅</span> %s: %s</p>",
	    T(c, "实际功率", "actual power"), T(c, "理论功率", "theoretical power"),
	    sensor ? T(c, "现场辐照传感器 × 装机 × K", "site irradiance sensor × P_stc × K")
		   : T(c, "晴空模型 × 装机 × K（无传感器，阴天时实际会低于它）",
		       "clear-sky model × P_stc × K (no sensor: cloudy days fall below it)"));
}

/* The 30 days' η and PR (web_chart.c draws them). */
static void eta_chart(struct web_ctx *c, const struct store_eff_day *d, int n)
{
	struct web_eta_bar *bars = xcalloc((size_t)n + 1, sizeof *bars);
	for (int i = 0; i < n; i++)
		bars[i] = (struct web_eta_bar){d[i].day, d[i].eta, d[i].pr, d[i].grade};
	web_eta_chart(c, bars, n, DAYS);
	free(bars);
}

static void inverters(struct web_ctx *c, struct inv_set *s)
{
	struct strbuf *b = &c->rep->body;
	double y[MAX_INV], sorted[MAX_INV], vmax = 0;
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		y[i] = s->v[i].dc_kwp > 0 ? s->v[i].month_wh / 1000.0 / s->v[i].dc_kwp : NAN;
		if (!isnan(y[i])) {
			sorted[n++] = y[i];
			vmax = fmax(vmax, y[i]);
		}
	}
	/* Weak: below 80% of the station's median inverter over the same days. */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && sorted[k - 1] > sorted[k]; k--) {
			double t = sorted[k];
			sorted[k] = sorted[k - 1];
			sorted[k - 1] = t;
		}
	double median = n ? (n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2) : NAN;
	web_html_printf(b,
			"<table id=\"inverters\"><thead><tr><th>%s</th><th class=\"n\">kWp</th>"
			"<th class=\"n\">%s</th><th class=\"n\">%s</th><th>%s</th></tr></thead>"
			"<tbody>",
			T(c, "逆变器", "Inverter"), T(c, "今日 kWh/kWp", "Today kWh/kWp"),
			T(c, "30 天 kWh/kWp", "30 days kWh/kWp"), T(c, "对比", "Compared"));
	for (size_t i = 0; i < s->n; i++) {
		int weak = !isnan(y[i]) && !isnan(median) && n >= 2 && y[i] < 0.8 * median;
		web_html_printf(b, "<tr class=\"%s\"><td>%s%s</td><td class=\"n\">",
				weak ? "weak" : "", s->v[i].id,
				weak ? T(c, " ⚠ 偏低", " ⚠ weak") : "");
		web_num(b, s->v[i].dc_kwp, 1);
		strbuf_puts(b, "</td><td class=\"n\">");
		web_num(b, s->v[i].dc_kwp > 0 ? s->v[i].today_wh / 1000.0 / s->v[i].dc_kwp : NAN,
			2);
		strbuf_puts(b, "</td><td class=\"n\">");
		web_num(b, y[i], 1);
		strbuf_puts(b, "</td><td>");
		if (!isnan(y[i]) && vmax > 0)
			strbuf_printf(b,
				      "<svg viewBox=\"0 0 200 14\" preserveAspectRatio=\"none\" "
				      "style=\"width:100%%;max-width:200px\" height=\"14\">"
				      "<rect width=\"%.1f\" height=\"14\" fill=\"%s\"/></svg>",
				      200 * y[i] / vmax, weak ? "#c62828" : "#43a047");
		strbuf_puts(b, "</td></tr>");
	}
	strbuf_puts(b, "</tbody></table>");
}

void web_page_station(struct web_ctx *c, const char *id)
{
	const struct config *cfg = c->app->cfg;
	long si = web_param_id(id) ? web_station_index(c->app, id) : -1;
	if (si < 0) {
		web_error(c, 404, T(c, "没有这个电站。", "There is no such station."));
		return;
	}
	const struct config_station *cs = &cfg->stations[si];
	struct web_county *k = web_county_one(c->app, si);
	struct store *st = k ? web_store(c->app) : NULL;
	if (!k || !st) {
		web_county_free(k);
		web_error(c, 503, c->app->db_error);
		return;
	}
	const struct web_station *ws = &k->stations[si];
	/* Local midnight of today, and the 30 days up to today. */
	double day0 = floor((k->now + cfg->utc_offset_s) / 86400.0) * 86400.0 - cfg->utc_offset_s;
	char first[11];
	store_local_day(k->now - (DAYS - 1) * 86400.0, cfg->utc_offset_s, first);
	struct store_console_slot *sl = xcalloc(SLOTS, sizeof *sl);
	struct store_eff_day *days = xcalloc(DAYS + 1, sizeof *days);
	struct store_alert *al = xcalloc(LIST, sizeof *al);
	struct store_maintenance *mt = NULL;
	size_t n_mt = 0;
	struct store_console_device *dev = NULL;
	size_t ndev = 0;
	struct inv_set inv = {0};
	for (size_t d = 0; d < cs->n_devices && inv.n < MAX_INV; d++)
		if (cs->devices[d].role == CONFIG_INVERTER) {
			inv.v[inv.n].id = cs->devices[d].id;
			inv.v[inv.n++].dc_kwp = cs->devices[d].dc_kwp;
		}
	struct store_console_alert_filter af = {cs->id, NULL, 0, 0, 0, LIST};
	int ns = -1, nd = -1, na = -1, nm = -1;
	if (store_console_read_begin(st) == 0) {
		ns = store_console_slots(st, cs->id, day0, day0 + 86400, sl, SLOTS);
		nd = store_eff_days(st, cs->id, first, k->today, days, DAYS + 1);
		store_console_device_energy(st, cs->id, k->today, k->today, add_energy, &inv);
		inv.month = 1;
		store_console_device_energy(st, cs->id, first, k->today, add_energy, &inv);
		store_console_devices(st, cs->id, k->today, &dev, &ndev);
		na = store_console_alerts(st, &af, al, LIST);
		nm = store_maintenance_list(st, cs->id, NULL, STORE_MAINT_NEWEST_FIRST, LIST, &mt,
					    &n_mt) == 0
			 ? (int)n_mt
			 : -1;
		store_console_read_end(st);
	}
	if (ns < 0 || nd < 0 || na < 0 || nm < 0) {
		web_error(c, 503, store_errmsg(st));
		web_store_reset(c->app);
		goto out;
	}
	c->status_from = k;
	web_page_begin(c, cs->name, "station");
	struct strbuf *b = &c->rep->body;
	web_html_printf(
	    b,
	    "<h1>%s <small>%s · %s · %.0f kWp</small> <span class=\"st st-%s\" "
	    "data-cls=\"station_by_id|%s|state\" data-k=\"station_by_id|%s|state_text\">%s"
	    "</span></h1>",
	    cs->name, cs->id, cfg->villages[cs->village].name, cs->capacity_kwp, ws->state, cs->id,
	    cs->id, web_i18n_state(c->lang, ws->state));
	strbuf_puts(b, "<section class=\"tiles\">");
	web_html_printf(b,
			"<div class=\"tile\"><small>%s</small><b data-k=\"station_by_id|%s|"
			"power_kw\" data-dec=\"1\">",
			T(c, "当前功率 kW", "Power now kW"), cs->id);
	web_num(b, ws->power_w / 1000.0, 1);
	web_html_printf(b,
			"</b></div><div class=\"tile\"><small>%s</small><b data-k=\"station_by_id|"
			"%s|energy_today_kwh\" data-dec=\"1\">",
			T(c, "今日发电 kWh", "Energy today kWh"), cs->id);
	web_num(b, ws->energy_today_wh / 1000.0, 1);
	web_html_printf(b, "</b></div><div class=\"tile\"><small>%s</small><b>",
			T(c, "今日 η", "η today"));
	web_pct(b, ws->eta_day);
	web_html_printf(b, "</b></div><div class=\"tile\"><small>%s</small><b>",
			T(c, "本月 η", "η this month"));
	web_pct(b, ws->eta_month);
	web_html_printf(b,
			"</b></div><div class=\"tile\"><small>%s</small><b>%d / %d</b></div>"
			"<div class=\"tile\"><small>%s</small><b data-k=\"station_by_id|%s|"
			"alerts_active\">%d</b></div></section>",
			T(c, "设备在线", "Devices online"), ws->devices_online, ws->devices,
			T(c, "未消除告警", "Active alerts"), cs->id, ws->alerts_active);
	web_html_printf(b, "<section class=\"card\"><h2>%s</h2>",
			T(c, "今日功率曲线", "Power today"));
	/* The slot in progress holds only part of its irradiation: leave it to the next load. */
	int complete = ns;
	while (complete > 0 && sl[complete - 1].slot + 300 > k->now)
		complete--;
	curve(c, cs, day0, sl, complete);
	web_html_printf(b, "</section><div class=\"grid2\"><section class=\"card\"><h2>%s</h2>",
			T(c, "近 30 天发电参数 η 与 PR", "η and PR, last 30 days"));
	eta_chart(c, days, nd);
	web_html_printf(b, "</section><section class=\"card\"><h2>%s</h2>",
			T(c, "逆变器对比（kWh/kWp）", "Inverters side by side (kWh/kWp)"));
	inverters(c, &inv);
	web_html_printf(b,
			"</section></div><section class=\"card\"><h2>%s</h2><div class=\"scroll\">"
			"<table id=\"diag\"><thead><tr><th>%s</th><th>%s</th><th class=\"n\">"
			"%s</th><th class=\"n\">%s</th><th class=\"n hide-s\">%s</th><th "
			"class=\"n hide-s\">%s</th><th>%s</th><th class=\"hide-s\">%s</th></tr>"
			"</thead><tbody>",
			T(c, "设备诊断", "Device diagnostics"), T(c, "设备", "Device"),
			T(c, "状态", "State"), T(c, "请求", "Requests"), T(c, "错误", "Errors"),
			T(c, "超时", "Timeouts"), T(c, "往返 ms", "Round trip ms"),
			T(c, "最近成功", "Last success"), T(c, "最近错误", "Last error"));
	for (size_t i = 0; i < ndev; i++) {
		char t[32];
		web_time(c, dev[i].last_success, t);
		web_html_printf(
		    b,
		    "<tr><td>%s</td><td>%s</td><td class=\"n\">%lld</td><td class=\"n\">"
		    "%lld</td><td class=\"n hide-s\">%lld</td><td class=\"n hide-s\">%.0f</td>"
		    "<td>%s</td><td class=\"hide-s\">%s</td></tr>",
		    dev[i].device,
		    dev[i].state >= 0 ? inv_state_name((enum inv_state)dev[i].state) : "–",
		    (long long)dev[i].requests, (long long)dev[i].errors,
		    (long long)dev[i].timeouts, dev[i].rtt_ms, t, dev[i].last_error);
	}
	strbuf_puts(
	    b, "</tbody></table></div></section><div class=\"grid2\"><section class=\"card\">");
	web_html_printf(b, "<h2>%s</h2><ul id=\"station-alerts\">", T(c, "告警", "Alerts"));
	for (int i = 0; i < na; i++) {
		char t[32];
		web_time(c, al[i].raised_at, t);
		web_html_printf(b,
				"<li data-alert=\"%llu\"><span class=\"sev-%s\">%s</span> %s %s "
				"<b>%s</b>%s</li>",
				(unsigned long long)al[i].id, al[i].severity,
				web_i18n_severity(c->lang, al[i].severity), t, al[i].device,
				al[i].title,
				al[i].cleared_at > 0 ? T(c, "（已消除）", " (cleared)") : "");
	}
	if (na == 0)
		web_html_printf(b, "<li>%s</li>", T(c, "没有告警。", "No alerts."));
	struct strbuf h = {0};
	web_url_encode(&h, cs->id);
	char *hid = strbuf_take(&h);
	web_html_printf(b,
			"</ul><p><a href=\"/alerts?station=%s\">%s</a></p></section>"
			"<section class=\"card\"><h2>%s</h2><ul id=\"station-maintenance\">",
			hid, T(c, "全部告警 →", "All alerts →"),
			T(c, "运维记录", "Maintenance log"));
	for (int i = 0; i < nm; i++) {
		char t[32];
		web_time(c, mt[i].at, t);
		web_html_printf(b, "<li>%s %s · %s · %s</li>", t,
				web_i18n_maintenance(c->lang, mt[i].kind), mt[i].by, mt[i].note);
	}
	if (nm == 0)
		web_html_printf(b, "<li>%s</li>", T(c, "还没有记录。", "Nothing logged yet."));
	web_html_printf(b, "</ul><p><a href=\"/maintenance?station=%s\">%s</a></p></section></div>",
			hid, T(c, "登记或查看台账 →", "Log work or see the ledger →"));
	free(hid);
	web_page_end(c);
out:
	web_county_free(k);
	free(sl);
	free(days);
	free(al);
	store_maintenance_free(mt, n_mt);
	free(dev);
}
