/* The console's JSON API under /api/, which the pages' live updates use and integrators may
 * read. Field names are those of the CLI's JSON (pvrelief alerts --format json, pvrelief
 * health --format json); docs/console-api.md describes every endpoint. */
#include <stdio.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/health.h"
#include "pvrelief/health_gather.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/store.h"
#include "pvrelief/store_console.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/store_maintenance.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

enum { API_MAX_ALERTS = 5000, LIVE_ALERTS = 12 };

static char *pct_text(double v)
{
	return isnan(v) ? xstrdup("–") : xasprintf("%.1f%%", v * 100.0);
}

/* One alert with the keys of `pvrelief alerts --format json`, plus the console's texts. */
static json_t *web_api_alert(const struct web_ctx *c, const struct store_alert *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer((json_int_t)a->id));
	json_object_set_new(o, "kind", web_jstr(a->kind));
	json_object_set_new(o, "severity", web_jstr(a->severity));
	json_object_set_new(o, "station", web_jstr(a->station));
	json_object_set_new(o, "device", web_jstr(a->device));
	json_object_set_new(o, "raised_at", json_real(a->raised_at));
	json_object_set_new(o, "raised_local", web_jlocal(c, a->raised_at));
	json_object_set_new(o, "cleared_at",
			    a->cleared_at > 0 ? json_real(a->cleared_at) : json_null());
	json_object_set_new(o, "cleared_local", web_jlocal(c, a->cleared_at));
	json_object_set_new(o, "ack_by", a->ack_by[0] ? web_jstr(a->ack_by) : json_null());
	json_object_set_new(o, "ack_at", a->ack_at > 0 ? json_real(a->ack_at) : json_null());
	json_object_set_new(o, "ack_local", web_jlocal(c, a->ack_at));
	json_object_set_new(o, "title", web_jstr(a->title));
	json_object_set_new(o, "detail", web_jstr(a->detail));
	json_t *fig = json_loads(a->figures, 0, NULL);
	json_object_set_new(o, "figures", fig ? fig : json_object());
	json_object_set_new(o, "suppressed", json_boolean(a->suppressed));
	json_object_set_new(o, "kind_text", web_jstr(web_i18n_alert_kind(c->lang, a->kind)));
	json_object_set_new(o, "severity_text", web_jstr(web_i18n_severity(c->lang, a->severity)));
	return o;
}

static json_t *station_json(const struct web_ctx *c, const struct web_station *s, int brief)
{
	const struct config *cfg = c->app->cfg;
	json_t *o = json_object();
	json_object_set_new(o, "id", web_jstr(s->cfg->id));
	json_object_set_new(o, "state", web_jstr(s->state));
	json_object_set_new(o, "state_text", web_jstr(web_i18n_state(c->lang, s->state)));
	json_object_set_new(o, "power_kw", web_jnum(s->power_w / 1000.0));
	json_object_set_new(o, "energy_today_kwh", json_real(s->energy_today_wh / 1000.0));
	json_object_set_new(o, "eta_day", web_jnum(s->eta_day));
	json_object_set_new(o, "alerts_active", json_integer(s->alerts_active));
	if (brief)
		return o;
	json_object_set_new(o, "name", web_jstr(s->cfg->name));
	json_object_set_new(o, "village", web_jstr(cfg->villages[s->cfg->village].id));
	json_object_set_new(o, "town",
			    web_jstr(cfg->towns[cfg->villages[s->cfg->village].town].id));
	json_object_set_new(o, "lat", json_real(s->cfg->lat_deg));
	json_object_set_new(o, "lon", json_real(s->cfg->lon_deg));
	json_object_set_new(o, "capacity_kwp", json_real(s->cfg->capacity_kwp));
	json_object_set_new(o, "devices", json_integer(s->devices));
	json_object_set_new(o, "devices_online", json_integer(s->devices_online));
	json_object_set_new(o, "power_w_per_kwp", web_jnum(s->power_w / s->cfg->capacity_kwp));
	json_object_set_new(o, "equivalent_hours_today",
			    json_real(s->energy_today_wh / 1000.0 / s->cfg->capacity_kwp));
	json_object_set_new(o, "eta_month", web_jnum(s->eta_month));
	json_object_set_new(o, "grade_day",
			    s->grade_day ? json_integer(s->grade_day) : json_null());
	json_object_set_new(o, "grade_month",
			    s->grade_month ? json_integer(s->grade_month) : json_null());
	json_object_set_new(o, "last_seen_local", web_jlocal(c, s->last_seen));
	json_object_set_new(o, "offline_since_local", web_jlocal(c, s->offline_since));
	return o;
}

static json_t *county_json(const struct web_ctx *c, const struct web_county *k)
{
	json_t *o = json_object();
	char buf[64];
	json_object_set_new(o, "stations", json_integer((json_int_t)k->n_stations));
	json_object_set_new(o, "online", json_integer(k->online));
	snprintf(buf, sizeof buf, "%d / %zu", k->online, k->n_stations);
	json_object_set_new(o, "online_text", web_jstr(buf));
	json_object_set_new(o, "producing", json_integer(k->producing));
	json_object_set_new(o, "faults", json_integer(k->faults));
	json_object_set_new(o, "offline", json_integer(k->offline));
	json_object_set_new(o, "power_kw", json_real(k->power_w / 1000.0));
	json_object_set_new(o, "energy_today_kwh", json_real(k->energy_today_wh / 1000.0));
	json_object_set_new(o, "eta_day", web_jnum(k->eta_day));
	json_object_set_new(o, "eta_month", web_jnum(k->eta_month));
	char *t = pct_text(k->eta_day);
	json_object_set_new(o, "eta_day_text", web_jstr(t));
	free(t);
	t = pct_text(k->eta_month);
	json_object_set_new(o, "eta_month_text", web_jstr(t));
	free(t);
	json_object_set_new(o, "county_target", json_real(c->app->cfg->efficiency.county_target));
	json_object_set_new(o, "station_target", json_real(c->app->cfg->efficiency.station_target));
	json_object_set_new(o, "meeting_target", json_integer(k->meeting_target));
	json_object_set_new(o, "with_eta_month", json_integer(k->with_eta_month));
	snprintf(buf, sizeof buf, "%d / %d", k->meeting_target, k->with_eta_month);
	json_object_set_new(o, "meeting_text", web_jstr(buf));
	json_t *al = json_object();
	json_object_set_new(al, "critical", json_integer(k->alerts_critical));
	json_object_set_new(al, "warning", json_integer(k->alerts_warning));
	json_object_set_new(al, "info", json_integer(k->alerts_info));
	json_object_set_new(o, "alerts", al);
	snprintf(buf, sizeof buf, "%ld / %ld / %ld", k->alerts_critical, k->alerts_warning,
		 k->alerts_info);
	json_object_set_new(o, "alerts_text", web_jstr(buf));
	return o;
}

static void head(const struct web_ctx *c, const struct web_county *k, json_t *o)
{
	json_object_set_new(o, "now", json_real(k->now));
	json_object_set_new(o, "now_local", web_jlocal(c, k->now));
	json_object_set_new(o, "data_age_s", web_jnum(k->data_age_s));
	json_object_set_new(o, "data_local", web_jlocal(c, k->newest_reading_ts));
	json_object_set_new(o, "daemon_silent", json_boolean(k->daemon_silent));
	json_object_set_new(o, "newest_alert_id", json_integer((json_int_t)k->newest_alert_id));
}

/* /api/live[?station=ID]: what the pages refresh every few seconds. */
static void live(struct web_ctx *c, const struct web_county *k)
{
	const char *station = web_request_query(c->req, "station");
	long only = -1;
	if (station &&
	    (!web_param_id(station) || (only = web_station_index(c->app, station)) < 0)) {
		web_json_error(c, 404, "no such station");
		return;
	}
	json_t *o = json_object();
	head(c, k, o);
	json_object_set_new(o, "county", county_json(c, k));
	json_t *arr = json_array();
	for (size_t i = 0; i < k->n_stations; i++)
		if (only < 0 || (size_t)only == i)
			json_array_append_new(arr, station_json(c, &k->stations[i], 1));
	json_object_set_new(o, "stations", arr);
	struct store_console_alert_filter f = {
	    only >= 0 ? station : NULL, NULL, 1, 0, 0, LIVE_ALERTS};
	struct store_alert *a = xcalloc(LIVE_ALERTS, sizeof *a);
	struct store *st = web_store(c->app);
	int n = st ? store_console_alerts(st, &f, a, LIVE_ALERTS) : -1;
	if (st)
		store_console_read_end(st);
	json_t *al = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(al, web_api_alert(c, &a[i]));
	free(a);
	json_object_set_new(o, "alerts", al);
	web_send_json(c, o, WEB_JSON_DIGITS);
}

static void overview(struct web_ctx *c, const struct web_county *k)
{
	json_t *o = json_object();
	head(c, k, o);
	json_object_set_new(o, "county", county_json(c, k));
	json_t *arr = json_array();
	for (size_t i = 0; i < k->n_stations; i++)
		json_array_append_new(arr, station_json(c, &k->stations[i], 0));
	json_object_set_new(o, "stations", arr);
	web_send_json(c, o, WEB_JSON_DIGITS);
}

static void add_day(void *arg, const char *device, double energy_wh)
{
	json_t *o = arg;
	json_object_set_new(o, device, json_real(energy_wh / 1000.0));
}

static void station(struct web_ctx *c, const struct web_county *k, const char *id)
{
	long si = web_param_id(id) ? web_station_index(c->app, id) : -1;
	if (si < 0) {
		web_json_error(c, 404, "no such station");
		return;
	}
	const struct web_station *s = &k->stations[si];
	json_t *o = json_object();
	head(c, k, o);
	json_t *js = station_json(c, s, 0);
	struct store *st = web_store(c->app);
	json_t *inv = json_object();
	if (st && store_console_read_begin(st) == 0) {
		store_console_device_energy(st, s->cfg->id, k->today, k->today, add_day, inv);
		store_console_read_end(st);
	}
	json_object_set_new(js, "energy_today_kwh_by_device", inv);
	json_object_set_new(o, "station", js);
	web_send_json(c, o, WEB_JSON_DIGITS);
}

static void alerts(struct web_ctx *c)
{
	struct store_console_alert_filter f;
	if (web_alert_filter(c, &f) != 0)
		return;
	struct store *st = web_store(c->app);
	if (!st) {
		web_json_error(c, 503, c->app->db_error);
		return;
	}
	struct store_alert *a = xcalloc(API_MAX_ALERTS, sizeof *a);
	int n = store_console_alerts(st, &f, a, API_MAX_ALERTS);
	store_console_read_end(st);
	if (n < 0) {
		free(a);
		web_json_error(c, 503, store_errmsg(st));
		web_store_reset(c->app);
		return;
	}
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, web_api_alert(c, &a[i]));
	free(a);
	web_send_json(c, arr, WEB_JSON_DIGITS);
}

static void maintenance(struct web_ctx *c)
{
	const char *station = web_request_query(c->req, "station");
	const char *kind = web_request_query(c->req, "kind");
	static const char *const kinds[] = {"inspection", "cleaning", "repair", NULL};
	if ((station && *station && web_station_index(c->app, station) < 0) ||
	    (kind && *kind && web_param_enum(kind, kinds) < 0)) {
		web_json_error(c, 400, "unknown station or kind");
		return;
	}
	struct store *st = web_store(c->app);
	if (!st) {
		web_json_error(c, 503, c->app->db_error);
		return;
	}
	enum { CAP = 5000 };
	struct store_maintenance *m = NULL;
	size_t n = 0;
	int rc = store_maintenance_list(st, station && *station ? station : NULL,
					kind && *kind ? kind : NULL, STORE_MAINT_NEWEST_FIRST, CAP,
					&m, &n);
	store_console_read_end(st);
	if (rc != 0) {
		web_json_error(c, 503, store_errmsg(st));
		web_store_reset(c->app);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(m[i].id));
		json_object_set_new(o, "station", web_jstr(m[i].station));
		json_object_set_new(o, "kind", web_jstr(m[i].kind));
		json_object_set_new(o, "at", json_real(m[i].at));
		json_object_set_new(o, "at_local", web_jlocal(c, m[i].at));
		json_object_set_new(o, "by", web_jstr(m[i].by));
		json_object_set_new(o, "note", web_jstr(m[i].note));
		json_array_append_new(arr, o);
	}
	store_maintenance_free(m, n);
	web_send_json(c, arr, WEB_JSON_DIGITS);
}

/* /api/health?month=|day=: exactly `pvrelief health --format json`. */
static void health(struct web_ctx *c)
{
	const char *day = web_request_query(c->req, "day");
	int y, m, d = 0;
	char month[8];
	if (day && *day) {
		if (web_param_day(day, &y, &m, &d) != 0) {
			web_json_error(c, 400, "day must be YYYY-MM-DD");
			return;
		}
	} else {
		if (web_month_param(c, "month", month) != 0)
			return;
		web_param_month(month, &y, &m);
	}
	struct store *st = web_store(c->app);
	if (!st) {
		web_json_error(c, 503, c->app->db_error);
		return;
	}
	struct health_report r;
	memset(&r, 0, sizeof r);
	double t0, t1;
	char why[512];
	health_gather_period(&r, c->app->cfg->utc_offset_s, y, m, d, &t0, &t1);
	store_console_read_begin(st);
	int rc = health_gather(st, c->app->cfg, NULL, &r, t0, t1, clock_now(c->app->clk), why,
			       sizeof why);
	store_console_read_end(st);
	if (rc != 0) {
		health_gather_free(&r);
		web_json_error(c, 503, why);
		return;
	}
	health_summarize(&r);
	char *text = health_render(&r, HEALTH_JSON);
	health_gather_free(&r);
	c->rep->content_type = "application/json; charset=utf-8";
	strbuf_puts(&c->rep->body, text);
	free(text);
}

static void revenue(struct web_ctx *c)
{
	char month[8];
	if (web_month_param(c, "month", month) != 0)
		return;
	struct store *st = web_store(c->app);
	if (!st) {
		web_json_error(c, 503, c->app->db_error);
		return;
	}
	const struct config *cfg = c->app->cfg;
	json_t *arr = json_array();
	store_console_read_begin(st);
	for (size_t v = 0; v < cfg->n_villages; v++) {
		struct store_rev_plan p;
		struct store_rev_step steps[16];
		json_t *o = json_object();
		json_object_set_new(o, "village", web_jstr(cfg->villages[v].id));
		json_object_set_new(o, "name", web_jstr(cfg->villages[v].name));
		json_object_set_new(o, "month", web_jstr(month));
		int rc = store_rev_plan_get(st, cfg->villages[v].id, month, &p);
		json_object_set_new(o, "state", rc == 0 ? web_jstr(p.state) : json_null());
		if (rc == 0) {
			json_object_set_new(o, "received_fen", json_integer(p.received_fen));
			json_object_set_new(o, "distributable_fen",
					    json_integer(p.distributable_fen));
			json_t *sa = json_array();
			int ns = store_rev_plan_steps(st, cfg->villages[v].id, month, steps, 16);
			for (int i = 0; i < ns; i++) {
				json_t *so = json_object();
				json_object_set_new(so, "state", web_jstr(steps[i].state));
				json_object_set_new(so, "at", json_integer(steps[i].at_unix));
				json_object_set_new(so, "at_local",
						    web_jlocal(c, (double)steps[i].at_unix));
				json_object_set_new(so, "by", web_jstr(steps[i].by));
				json_object_set_new(so, "note", web_jstr(steps[i].note));
				json_array_append_new(sa, so);
			}
			json_object_set_new(o, "steps", sa);
		}
		json_array_append_new(arr, o);
	}
	store_console_read_end(st);
	web_send_json(c, arr, WEB_JSON_DIGITS);
}

void web_api(struct web_ctx *c, const char *rest)
{
	if (strcmp(rest, "alerts") == 0) {
		alerts(c);
		return;
	}
	if (strcmp(rest, "maintenance") == 0) {
		maintenance(c);
		return;
	}
	if (strcmp(rest, "health") == 0) {
		health(c);
		return;
	}
	if (strcmp(rest, "revenue") == 0) {
		revenue(c);
		return;
	}
	int known = strcmp(rest, "live") == 0 || strcmp(rest, "overview") == 0 ||
		    strncmp(rest, "stations/", 9) == 0;
	if (!known) {
		web_json_error(c, 404, "no such API endpoint");
		return;
	}
	const struct web_county *k = web_county_get(c->app);
	if (!k) {
		web_json_error(c, 503, c->app->db_error);
		return;
	}
	if (strcmp(rest, "live") == 0)
		live(c, k);
	else if (strcmp(rest, "overview") == 0)
		overview(c, k);
	else
		station(c, k, rest + 9);
}
