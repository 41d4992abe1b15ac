/* The uplink's payloads. Figures go at full precision (17 significant digits), since the hub
 * must show the county's own eta and energy, not a rounded copy. */
#include "pvrelief/publish_uplink.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pvrelief/config.h"
#include "pvrelief/health.h"
#include "pvrelief/store_eff.h"

static char *take(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(j);
	if (!s) {
		/* jansson fails only when out of memory, which aborts everywhere in pvrelief. */
		fputs("pvrelief: out of memory encoding JSON\n", stderr);
		abort();
	}
	return s;
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* The envelope every message shares. */
static json_t *head(const struct config *cfg, const char *type, int64_t rev, double now)
{
	json_t *j = json_object();
	json_object_set_new(j, "v", json_integer(PUBLISH_UPLINK_VERSION));
	json_object_set_new(j, "type", json_string(type));
	json_object_set_new(j, "county", json_string(cfg->county_id));
	json_object_set_new(j, "rev", json_integer(rev));
	json_object_set_new(j, "sent_at", json_real(floor(now)));
	return j;
}

char *publish_uplink_registry(const struct config *cfg, int64_t rev, double now)
{
	json_t *j = rev ? head(cfg, "registry", rev, now) : json_object();
	json_object_set_new(j, "county_name", json_string(cfg->county_name));
	json_t *arr = json_array();
	for (size_t i = 0; i < cfg->n_stations; i++) {
		const struct config_station *s = &cfg->stations[i];
		const struct config_village *v = &cfg->villages[s->village];
		const struct config_town *t = &cfg->towns[v->town];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(s->id));
		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "village", json_string(v->id));
		json_object_set_new(o, "village_name", json_string(v->name));
		json_object_set_new(o, "town", json_string(t->id));
		json_object_set_new(o, "town_name", json_string(t->name));
		json_object_set_new(o, "capacity_kwp", num(s->capacity_kwp));
		json_object_set_new(o, "lat", num(s->lat_deg));
		json_object_set_new(o, "lon", num(s->lon_deg));
		json_array_append_new(arr, o);
	}
	json_object_set_new(j, "stations", arr);
	return take(j);
}

char *publish_uplink_day(const struct config *cfg, const struct store_eff_day *d, int64_t rev,
			 double now)
{
	json_t *j = head(cfg, "day", rev, now);
	json_object_set_new(j, "station", json_string(d->station));
	json_object_set_new(j, "day", json_string(d->day));
	json_object_set_new(j, "energy_wh", num(d->energy_wh));
	json_object_set_new(j, "e_act_wh", num(d->e_act_wh));
	json_object_set_new(j, "eth_wh", num(d->eth_wh));
	json_object_set_new(j, "eta", num(d->eta));
	json_object_set_new(j, "pr", num(d->pr));
	json_object_set_new(j, "coverage", num(d->coverage));
	json_object_set_new(j, "curtailed_wh", num(d->curtailed_wh));
	json_object_set_new(j, "curtail_loss_wh", num(d->curtail_loss_wh));
	json_object_set_new(j, "basis", json_string(d->basis));
	json_object_set_new(j, "source", json_string(d->source));
	json_object_set_new(j, "grade", json_integer(d->grade));
	json_object_set_new(j, "judgeable", json_boolean(d->judgeable));
	return take(j);
}

char *publish_uplink_month(const struct config *cfg, const struct publish_uplink_month *m,
			   int64_t rev, double now)
{
	json_t *j = head(cfg, "month", rev, now);
	json_object_set_new(j, "station", json_string(m->station));
	json_object_set_new(j, "month", json_string(m->month));
	json_object_set_new(j, "energy_wh", num(m->energy_wh));
	json_object_set_new(j, "eth_wh", num(m->eth_wh));
	json_object_set_new(j, "eta", num(m->eta));
	json_object_set_new(j, "grade", m->grade ? json_integer(m->grade) : json_null());
	return take(j);
}

char *publish_uplink_alert(const struct config *cfg, const struct publish_uplink_alert *a,
			   int64_t rev, double now)
{
	json_t *j = head(cfg, "alert", rev, now);
	json_object_set_new(j, "event_id", json_integer(a->event_id));
	json_object_set_new(j, "alert_id", json_integer(a->alert_id));
	json_object_set_new(j, "event", json_string(a->type));
	json_object_set_new(j, "at", json_real(a->at));
	json_object_set_new(j, "raised_at", json_real(a->raised_at));
	json_object_set_new(j, "kind", json_string(a->kind));
	json_object_set_new(j, "severity", json_string(a->severity));
	json_object_set_new(j, "station", json_string(a->station));
	json_object_set_new(j, "device", json_string(a->device ? a->device : ""));
	json_object_set_new(j, "title", json_string(a->title ? a->title : ""));
	return take(j);
}

char *publish_uplink_live(const struct config *cfg, const struct publish_uplink_live *l,
			  int64_t rev, double now)
{
	json_t *j = head(cfg, "live", rev, now);
	json_object_set_new(j, "station", json_string(l->station));
	json_object_set_new(j, "power_w", num(l->power_w));
	json_object_set_new(j, "energy_today_wh", num(l->energy_today_wh));
	json_object_set_new(j, "devices", json_integer(l->devices));
	json_object_set_new(j, "online", json_integer(l->online));
	json_object_set_new(j, "state", json_string(l->state));
	return take(j);
}

char *publish_uplink_ledger(const struct config *cfg, int64_t seq, const char *hash, int64_t rev,
			    double now)
{
	json_t *j = head(cfg, "ledger", rev, now);
	json_object_set_new(j, "seq", json_integer(seq));
	json_object_set_new(j, "hash", json_string(hash));
	return take(j);
}

char *publish_uplink_kpi(const struct config *cfg, const struct health_report *r, int64_t rev,
			 double now)
{
	const struct health_group *g = &r->county;
	const struct efficiency_aggregate *e = &g->eff;
	/* The county's PR pools its stations as IEC 61724-1 pools a plant's days: each station's
	 * PR weighted by its capacity and its plane-of-array irradiation (the weights of its own
	 * PR over its days), so the county's PR is sum(E) / sum(P_stc x Y_r). */
	double pr_num = 0, pr_den = 0;
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct health_station *s = &r->stations[i];
		if (s->pr_den > 0 && isfinite(s->capacity_kwp)) {
			pr_num += s->pr_num * s->capacity_kwp;
			pr_den += s->pr_den * s->capacity_kwp;
		}
	}
	json_t *j = head(cfg, "kpi", rev, now);
	json_object_set_new(j, "month", json_string(r->period));
	json_object_set_new(j, "until", json_real(floor(r->until_unix)));
	json_object_set_new(j, "stations", json_integer((json_int_t)e->n_stations));
	json_object_set_new(j, "stations_with_eta", json_integer((json_int_t)e->n_with_value));
	json_object_set_new(j, "stations_meeting_target",
			    json_integer((json_int_t)e->n_meeting_target));
	json_object_set_new(j, "energy_wh", num(g->energy_kwh * 1000.0));
	json_object_set_new(j, "e_act_wh", num(e->e_act_kwh * 1000.0));
	json_object_set_new(j, "eth_wh", num(e->e_th_kwh * 1000.0));
	json_object_set_new(j, "eta", num(e->eta));
	json_object_set_new(j, "eta_grade12", num(e->eta_grade12));
	json_object_set_new(j, "pr", num(pr_den > 0 ? pr_num / pr_den : NAN));
	json_object_set_new(j, "capability_pct", num(e->capability_pct));
	json_object_set_new(j, "equivalent_hours", num(e->equivalent_hours));
	json_object_set_new(j, "online_rate", num(g->online.rate));
	json_object_set_new(j, "fault_rate", num(g->fault.rate));
	json_object_set_new(j, "anomaly_rate", num(g->anomaly.rate));
	json_object_set_new(j, "county_target", num(r->county_target));
	json_object_set_new(j, "meets_county_target",
			    isfinite(e->eta) ? json_boolean(e->meets_group_target) : json_null());
	json_object_set_new(j, "worst_grade",
			    e->worst_grade ? json_integer(e->worst_grade) : json_null());
	return take(j);
}
