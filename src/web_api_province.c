/* The province pages' figures as JSON under /api/province (docs/console-api.md): the
 * counties ranked, a county's stations ranked with its active alerts, what the hub knows of a
 * station. Field names follow the hub's health JSON (pvrelief-hub health --format json) and
 * the rest of the console's API. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/province.h"
#include "pvrelief/store_hub_read.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

static json_t *count_or_null(long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* The county's own KPIs of the month as it sent them; null when it sent none. */
static json_t *kpi_json(const struct web_ctx *c, const struct province_kpi *k)
{
	if (!k->known)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "until", web_jnum(k->until));
	json_object_set_new(o, "until_local", web_jlocal(c, k->until));
	json_object_set_new(o, "stations", count_or_null(k->stations));
	json_object_set_new(o, "stations_with_eta", count_or_null(k->stations_with_eta));
	json_object_set_new(o, "stations_meeting_target",
			    count_or_null(k->stations_meeting_target));
	json_object_set_new(o, "eta", web_jnum(k->eta));
	json_object_set_new(o, "pr", web_jnum(k->pr));
	json_object_set_new(o, "capability_pct", web_jnum(k->capability_pct));
	json_object_set_new(o, "online_rate", web_jnum(k->online_rate));
	json_object_set_new(o, "fault_rate", web_jnum(k->fault_rate));
	json_object_set_new(o, "anomaly_rate", web_jnum(k->anomaly_rate));
	json_object_set_new(o, "county_target", web_jnum(k->county_target));
	json_object_set_new(o, "meets_county_target",
			    k->meets_target < 0 ? json_null() : json_boolean(k->meets_target));
	return o;
}

static json_t *county_json(const struct web_ctx *c, const struct province_county *x)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", web_jstr(x->county));
	json_object_set_new(o, "name", web_jstr(x->name));
	json_object_set_new(o, "status", web_jstr(x->status));
	json_object_set_new(o, "last_seen_local", web_jlocal(c, x->last_seen));
	json_object_set_new(o, "stations", json_integer((json_int_t)x->n));
	json_object_set_new(o, "stations_online", json_integer(x->online));
	json_object_set_new(o, "capacity_kwp", json_real(x->capacity_kwp));
	json_object_set_new(o, "power_kw", json_real(x->power_w / 1000.0));
	json_object_set_new(o, "energy_day_kwh", json_real(x->energy_wh / 1000.0));
	json_object_set_new(o, "energy_month_kwh", json_real(x->month_energy_wh / 1000.0));
	json_object_set_new(o, "eta_day", web_jnum(x->eta_day));
	json_object_set_new(o, "eta_month", web_jnum(x->eta_month));
	json_object_set_new(o, "stations_with_eta_day", json_integer(x->with_eta_day));
	json_object_set_new(o, "stations_with_eta_month", json_integer(x->with_eta_month));
	json_object_set_new(o, "alerts_active", json_integer(x->alerts_active));
	json_object_set_new(o, "alerts_critical", json_integer(x->alerts_critical));
	json_t *h = json_null();
	if (x->head_seq >= 0) {
		h = json_object();
		json_object_set_new(h, "seq", json_integer(x->head_seq));
		json_object_set_new(h, "hash", web_jstr(x->head_hash));
		json_object_set_new(h, "at", web_jnum(x->head_at));
		json_object_set_new(h, "at_local", web_jlocal(c, x->head_at));
	}
	json_object_set_new(o, "ledger_head", h);
	json_object_set_new(o, "month_kpi", kpi_json(c, &x->kpi));
	return o;
}

static json_t *station_json(const struct web_ctx *c, const struct province_station *s,
			    const char *county_status, int brief)
{
	json_t *o = json_object();
	json_object_set_new(o, "county", web_jstr(s->county));
	json_object_set_new(o, "id", web_jstr(s->station));
	json_object_set_new(o, "name", web_jstr(s->name));
	json_object_set_new(o, "lat", web_jnum(s->lat));
	json_object_set_new(o, "lon", web_jnum(s->lon));
	json_object_set_new(o, "capacity_kwp", web_jnum(s->capacity_kwp));
	json_object_set_new(o, "state", s->state[0] ? web_jstr(s->state) : json_null());
	json_object_set_new(o, "eta_day", web_jnum(s->eta));
	json_object_set_new(o, "grade_day", s->grade ? json_integer(s->grade) : json_null());
	if (brief)
		return o;
	json_object_set_new(o, "village", web_jstr(s->village));
	json_object_set_new(o, "town", web_jstr(s->town));
	json_object_set_new(o, "state_text",
			    s->state[0] ? web_jstr(web_i18n_state(c->lang, s->state))
					: json_null());
	json_object_set_new(o, "online", json_boolean(province_station_online(s, county_status)));
	json_object_set_new(o, "live_local", web_jlocal(c, s->live_at));
	json_object_set_new(o, "power_kw", web_jnum(s->power_w / 1000.0));
	json_object_set_new(o, "energy_today_kwh", web_jnum(s->energy_today_wh / 1000.0));
	json_object_set_new(o, "devices", json_integer(s->devices));
	json_object_set_new(o, "devices_online", json_integer(s->online));
	json_object_set_new(o, "energy_day_kwh", web_jnum(s->energy_wh / 1000.0));
	json_object_set_new(o, "e_act_wh", web_jnum(s->e_act_wh));
	json_object_set_new(o, "eth_wh", web_jnum(s->eth_wh));
	json_object_set_new(o, "pr_day", web_jnum(s->pr));
	json_object_set_new(o, "coverage_day", web_jnum(s->coverage));
	json_object_set_new(o, "source_day", web_jstr(s->source));
	json_object_set_new(o, "energy_month_kwh", web_jnum(s->month_energy_wh / 1000.0));
	json_object_set_new(o, "eta_month", web_jnum(s->month_eta));
	json_object_set_new(o, "grade_month",
			    s->month_grade ? json_integer(s->month_grade) : json_null());
	json_object_set_new(o, "alerts_active", json_integer(s->alerts_active));
	return o;
}

static json_t *alert_json(const struct web_ctx *c, const struct store_hub_read_alert *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "county", web_jstr(a->county));
	json_object_set_new(o, "event_id", json_integer(a->event_id));
	json_object_set_new(o, "alert_id", json_integer(a->alert_id));
	json_object_set_new(o, "event", web_jstr(a->type));
	json_object_set_new(o, "at", json_real(a->at));
	json_object_set_new(o, "at_local", web_jlocal(c, a->at));
	json_object_set_new(o, "raised_at", json_real(a->raised_at));
	json_object_set_new(o, "raised_local", web_jlocal(c, a->raised_at));
	json_object_set_new(o, "kind", web_jstr(a->kind));
	json_object_set_new(o, "kind_text", web_jstr(web_i18n_alert_kind(c->lang, a->kind)));
	json_object_set_new(o, "severity", web_jstr(a->severity));
	json_object_set_new(o, "station", web_jstr(a->station));
	json_object_set_new(o, "device", web_jstr(a->device));
	json_object_set_new(o, "title", web_jstr(a->title));
	return o;
}

static json_t *head(const struct web_ctx *c, const struct web_province *p)
{
	json_t *j = json_object();
	json_object_set_new(j, "day", web_jstr(p->day));
	json_object_set_new(j, "month", web_jstr(p->month));
	json_object_set_new(j, "now", json_real(p->now));
	json_object_set_new(j, "now_local", web_jlocal(c, p->now));
	json_object_set_new(j, "newest_message_local", web_jlocal(c, p->newest_message));
	return j;
}

static void province(struct web_ctx *c, int by)
{
	struct web_province p;
	const char *why = NULL;
	int status = web_province_load(c, NULL, NULL, &p, &why);
	if (status) {
		web_json_error(c, status, why);
		return;
	}
	struct province_county total;
	province_total(p.counties, p.nc, &total);
	json_t *j = head(c, &p);
	json_object_set_new(j, "sort",
			    web_jstr(by == PROVINCE_ETA_MONTH ? "eta_month" : "eta_day"));
	json_t *t = county_json(c, &total);
	json_object_del(t, "id");
	json_object_del(t, "name");
	json_object_del(t, "status");
	json_object_del(t, "last_seen_local");
	json_object_del(t, "ledger_head");
	json_object_del(t, "month_kpi");
	json_object_set_new(t, "counties", json_integer((json_int_t)p.nc));
	json_object_set_new(t, "counties_with_kpi", json_integer(total.counties_with_kpi));
	json_object_set_new(t, "counties_meeting_target",
			    json_integer(total.counties_meeting_target));
	json_object_set_new(j, "province", t);
	json_t *arr = json_array();
	for (size_t i = 0; i < p.ns; i++)
		json_array_append_new(arr, station_json(c, &p.stations[i], NULL, 1));
	province_rank_counties(p.counties, p.nc, (enum province_rank)by);
	json_t *cs = json_array();
	for (size_t k = 0; k < p.nc; k++)
		json_array_append_new(cs, county_json(c, &p.counties[k]));
	json_object_set_new(j, "counties", cs);
	json_object_set_new(j, "stations", arr);
	web_province_free(&p);
	web_send_json(c, j, WEB_JSON_EXACT_DIGITS);
}

static void county(struct web_ctx *c, const char *id, int by)
{
	struct web_province p;
	const char *why = NULL;
	int status = web_province_load(c, id, NULL, &p, &why);
	if (status) {
		web_json_error(c, status, why);
		return;
	}
	const struct province_county *x = &p.counties[p.county];
	json_t *j = head(c, &p);
	json_object_set_new(j, "sort",
			    web_jstr(by == PROVINCE_ETA_MONTH ? "eta_month" : "eta_day"));
	json_object_set_new(j, "county", county_json(c, x));
	const struct province_station **rows = xcalloc(x->n + 1, sizeof *rows);
	for (size_t i = 0; i < x->n; i++)
		rows[i] = &p.stations[x->first + i];
	province_rank_stations(rows, x->n, (enum province_rank)by);
	json_t *arr = json_array();
	for (size_t i = 0; i < x->n; i++)
		json_array_append_new(arr, station_json(c, rows[i], x->status, 0));
	free(rows);
	json_object_set_new(j, "stations", arr);
	arr = json_array();
	for (int i = 0; i < p.na; i++)
		json_array_append_new(arr, alert_json(c, &p.alerts[i]));
	json_object_set_new(j, "alerts", arr);
	web_province_free(&p);
	web_send_json(c, j, WEB_JSON_EXACT_DIGITS);
}

static void station(struct web_ctx *c, const char *county_id, const char *id)
{
	struct web_province p;
	const char *why = NULL;
	int status = web_province_load(c, county_id, id, &p, &why);
	if (status) {
		web_json_error(c, status, why);
		return;
	}
	const struct province_county *x = &p.counties[p.county];
	json_t *j = head(c, &p);
	json_t *co = json_object();
	json_object_set_new(co, "id", web_jstr(x->county));
	json_object_set_new(co, "name", web_jstr(x->name));
	json_object_set_new(co, "status", web_jstr(x->status));
	json_object_set_new(j, "county", co);
	json_object_set_new(j, "station", station_json(c, &p.stations[p.station], x->status, 0));
	json_t *arr = json_array();
	for (int i = 0; i < p.nd; i++) {
		const struct store_hub_read_day *d = &p.days[i];
		json_t *o = json_object();
		json_object_set_new(o, "day", web_jstr(d->day));
		json_object_set_new(o, "energy_kwh", web_jnum(d->energy_wh / 1000.0));
		json_object_set_new(o, "e_act_wh", web_jnum(d->e_act_wh));
		json_object_set_new(o, "eth_wh", web_jnum(d->eth_wh));
		json_object_set_new(o, "eta", web_jnum(d->eta));
		json_object_set_new(o, "pr", web_jnum(d->pr));
		json_object_set_new(o, "coverage", web_jnum(d->coverage));
		json_object_set_new(o, "curtailed_wh", web_jnum(d->curtailed_wh));
		json_object_set_new(o, "grade", d->grade ? json_integer(d->grade) : json_null());
		json_object_set_new(o, "judgeable", json_boolean(d->judgeable));
		json_object_set_new(o, "basis", web_jstr(d->basis));
		json_object_set_new(o, "source", web_jstr(d->source));
		json_array_append_new(arr, o);
	}
	json_object_set_new(j, "days", arr);
	arr = json_array();
	for (int i = 0; i < p.nm; i++) {
		const struct store_hub_read_month *m = &p.months[i];
		json_t *o = json_object();
		json_object_set_new(o, "month", web_jstr(m->month));
		json_object_set_new(o, "energy_kwh", web_jnum(m->energy_wh / 1000.0));
		json_object_set_new(o, "eth_wh", web_jnum(m->eth_wh));
		json_object_set_new(o, "eta", web_jnum(m->eta));
		json_object_set_new(o, "grade", m->grade ? json_integer(m->grade) : json_null());
		json_array_append_new(arr, o);
	}
	json_object_set_new(j, "months", arr);
	arr = json_array();
	for (int i = 0; i < p.na; i++)
		json_array_append_new(arr, alert_json(c, &p.alerts[i]));
	json_object_set_new(j, "alerts", arr);
	web_province_free(&p);
	web_send_json(c, j, WEB_JSON_EXACT_DIGITS);
}

void web_api_province(struct web_ctx *c, const char *rest)
{
	int by;
	if (web_province_sort(c, &by) != 0) {
		web_json_error(c, 400, "unknown sort (eta_day or eta_month)");
		return;
	}
	if (!*rest) {
		province(c, by);
		return;
	}
	if (strncmp(rest, "/county/", 8) == 0 && rest[8] && !strchr(rest + 8, '/')) {
		county(c, rest + 8, by);
		return;
	}
	const char *slash = strncmp(rest, "/station/", 9) == 0 ? strchr(rest + 9, '/') : NULL;
	if (slash && slash > rest + 9 && slash[1]) {
		char *cid = xstrndup(rest + 9, (size_t)(slash - rest - 9));
		station(c, cid, slash + 1);
		free(cid);
		return;
	}
	web_json_error(c, 404, "no such API endpoint");
}
