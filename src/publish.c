#include "pvrelief/publish.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/eff_engine.h"
#include "pvrelief/config.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/poller.h"
#include "pvrelief/xalloc.h"

static char *take(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(j);
	if (!s) {
		/* jansson fails only when out of memory, which aborts everywhere in pvrelief. */
		fputs("pvrelief: out of memory encoding JSON\n", stderr);
		abort();
	}
	return s;
}

/* A figure that has no value is published as null, never as a made-up number. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *round_to(double v, double step)
{
	return isfinite(v) ? json_real(round(v / step) * step) : json_null();
}

void publish_local_time(double t, int utc_offset_s, char *buf, size_t len)
{
	time_t s = (time_t)floor(t) + utc_offset_s;
	struct tm tm;
	gmtime_r(&s, &tm);
	char stamp[32];
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	int off = utc_offset_s / 60;
	snprintf(buf, len, "%s%c%02d:%02d", stamp, off < 0 ? '-' : '+', abs(off) / 60,
		 abs(off) % 60);
}

static json_t *time_json(const struct config *cfg, double t)
{
	char buf[40];
	publish_local_time(t, cfg->utc_offset_s, buf, sizeof buf);
	return json_string(buf);
}

char *publish_station_state(const struct config *cfg, size_t station,
			    const struct poller_station_live *live,
			    const struct eff_engine_station *eff,
			    const struct publish_active *active, size_t n_active, double now)
{
	const struct config_station *st = &cfg->stations[station];
	json_t *j = json_object();
	json_object_set_new(j, "station", json_string(st->id));
	json_object_set_new(j, "name", json_string(st->name));
	json_object_set_new(j, "village", json_string(cfg->villages[st->village].id));
	json_object_set_new(j, "village_name", json_string(cfg->villages[st->village].name));
	json_object_set_new(j, "time", json_integer((json_int_t)floor(now)));
	json_object_set_new(j, "time_local", time_json(cfg, now));
	json_object_set_new(j, "state", json_string(poller_state_name(live->state)));
	json_object_set_new(j, "online", json_boolean(live->online > 0));
	json_object_set_new(j, "devices", json_integer((json_int_t)live->devices));
	json_object_set_new(j, "devices_online", json_integer((json_int_t)live->online));
	json_object_set_new(j, "power_w", round_to(live->power_w, 1));
	json_object_set_new(j, "energy_today_kwh", round_to(live->energy_today_wh / 1000.0, 0.01));
	json_object_set_new(j, "capacity_kwp", json_real(st->capacity_kwp));
	if (live->has_irradiance)
		json_object_set_new(j, "irradiance_w_m2", round_to(live->irradiance_w_m2, 0.1));
	const struct efficiency_window *d = eff && eff->valid ? &eff->day : NULL;
	json_object_set_new(j, "eta", d ? round_to(d->eta, 0.001) : json_null());
	json_object_set_new(j, "eta_target", json_real(cfg->efficiency.station_target));
	if (d) {
		json_object_set_new(
		    j, "eta_basis",
		    json_string(d->basis == EFFICIENCY_BASIS_POA ? "poa" : "horizontal"));
		json_object_set_new(j, "eta_source",
				    json_string(irradiance_source_label(d->source, d->grade, 0)));
		json_object_set_new(j, "eta_grade", json_integer(d->grade));
		json_object_set_new(j, "eta_judgeable", json_boolean(d->judgeable));
		json_object_set_new(j, "pr", round_to(d->pr, 0.001));
		json_object_set_new(j, "peer_ratio", round_to(d->peer_ratio, 0.001));
		json_object_set_new(j, "peers", json_integer((json_int_t)d->peer_n));
		json_object_set_new(j, "equivalent_hours", round_to(d->equivalent_hours, 0.01));
	}
	json_t *alerts = json_array();
	for (size_t i = 0; i < n_active; i++) {
		json_t *a = json_object();
		json_object_set_new(a, "id", json_integer((json_int_t)active[i].id));
		json_object_set_new(a, "kind", json_string(active[i].kind));
		json_object_set_new(a, "severity", json_string(active[i].severity));
		if (active[i].device && *active[i].device)
			json_object_set_new(a, "device", json_string(active[i].device));
		json_array_append_new(alerts, a);
	}
	json_object_set_new(j, "active_alerts", alerts);
	return take(j);
}

char *publish_county_state(const struct config *cfg, const struct poller_station_live *live,
			   size_t n, const struct eff_engine_county *county, double now)
{
	double power = 0, energy = 0;
	size_t online = 0;
	for (size_t i = 0; i < n; i++) {
		power += live[i].power_w;
		energy += live[i].energy_today_wh;
		online += live[i].online > 0;
	}
	json_t *j = json_object();
	json_object_set_new(j, "county", json_string(cfg->county_id));
	json_object_set_new(j, "name", json_string(cfg->county_name));
	json_object_set_new(j, "time", json_integer((json_int_t)floor(now)));
	json_object_set_new(j, "time_local", time_json(cfg, now));
	json_object_set_new(j, "stations", json_integer((json_int_t)n));
	json_object_set_new(j, "stations_online", json_integer((json_int_t)online));
	json_object_set_new(j, "power_w", round_to(power, 1));
	json_object_set_new(j, "energy_today_kwh", round_to(energy / 1000.0, 0.01));
	json_object_set_new(j, "eta_today", round_to(county->day.eta, 0.001));
	json_object_set_new(j, "eta_month", round_to(county->mtd.eta, 0.001));
	json_object_set_new(j, "eta_target", json_real(cfg->efficiency.county_target));
	json_object_set_new(j, "share_meeting_station_target",
			    round_to(county->day.share_meeting_target, 0.001));
	json_object_set_new(j, "equivalent_hours_today",
			    round_to(county->day.equivalent_hours, 0.01));
	json_object_set_new(j, "target_at_risk", json_boolean(county->risk.at_risk));
	return take(j);
}

char *publish_figures_json(const struct publish_figure *f, size_t n)
{
	json_t *j = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(j, f[i].name, num(f[i].value));
	return take(j);
}

char *publish_alert_event(const struct config *cfg, const struct publish_alert *a)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer((json_int_t)a->id));
	json_object_set_new(j, "event", json_string(a->cleared ? "cleared" : "raised"));
	json_object_set_new(j, "kind", json_string(a->kind));
	json_object_set_new(j, "kind_zh", json_string(a->kind_zh));
	json_object_set_new(j, "severity", json_string(a->severity));
	if (a->station >= 0) {
		const struct config_station *st = &cfg->stations[a->station];
		json_object_set_new(j, "station", json_string(st->id));
		json_object_set_new(j, "station_name", json_string(st->name));
		json_object_set_new(j, "village", json_string(cfg->villages[st->village].id));
		json_object_set_new(j, "village_name",
				    json_string(cfg->villages[st->village].name));
	} else {
		json_object_set_new(j, "station", json_null());
	}
	json_object_set_new(j, "device",
			    a->device && *a->device ? json_string(a->device) : json_null());
	json_object_set_new(j, "title", json_string(a->title));
	json_object_set_new(j, "detail", json_string(a->detail));
	json_t *figs = json_object();
	for (size_t i = 0; i < a->n_figures; i++) {
		json_t *f = json_object();
		json_object_set_new(f, "value", num(a->figures[i].value));
		if (a->figures[i].unit && *a->figures[i].unit)
			json_object_set_new(f, "unit", json_string(a->figures[i].unit));
		json_object_set_new(figs, a->figures[i].name, f);
	}
	json_object_set_new(j, "figures", figs);
	json_object_set_new(j, "raised_at", json_integer((json_int_t)floor(a->raised_at)));
	json_object_set_new(j, "time", json_integer((json_int_t)floor(a->at)));
	json_object_set_new(j, "time_local", time_json(cfg, a->at));
	return take(j);
}

char *publish_status(const char *state, double since)
{
	json_t *j = json_object();
	json_object_set_new(j, "state", json_string(state));
	if (strcmp(state, "online") == 0) {
		json_object_set_new(j, "version", json_string(PVRELIEF_VERSION));
		json_object_set_new(j, "since", json_integer((json_int_t)since));
	}
	return take(j);
}

/* Replaces characters Home Assistant does not accept in ids. */
static void sanitize_id(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			*s = '_';
}

struct ha_entity {
	const char *component, *object, *label, *unit, *device_class, *state_class, *value_template;
};

static const struct ha_entity ha_entities[] = {
    {"sensor", "power", "power", "W", "power", "measurement", "{{ value_json.power_w }}"},
    {"sensor", "energy_today", "energy today", "kWh", "energy", "total_increasing",
     "{{ value_json.energy_today_kwh }}"},
    {"sensor", "eta", "efficiency \u03b7", NULL, NULL, "measurement", "{{ value_json.eta }}"},
    {"binary_sensor", "online", "online", NULL, "connectivity", NULL,
     "{{ 'ON' if value_json.online else 'OFF' }}"},
};
_Static_assert(sizeof ha_entities / sizeof ha_entities[0] == PUBLISH_HA_ENTITIES,
	       "PUBLISH_HA_ENTITIES counts the Home Assistant entities");

size_t publish_ha_discovery(const char *ha_prefix, const char *county, const char *station_id,
			    const char *station_name, const char *state_topic,
			    const char *status_topic, struct publish_msg out[PUBLISH_HA_ENTITIES])
{
	char *node = xasprintf("pvrelief_%s_%s", county, station_id);
	sanitize_id(node);
	for (size_t i = 0; i < PUBLISH_HA_ENTITIES; i++) {
		const struct ha_entity *e = &ha_entities[i];
		char *uid = xasprintf("%s_%s", node, e->object);
		char *name = xasprintf("%s %s", station_name, e->label);
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(name));
		json_object_set_new(j, "unique_id", json_string(uid));
		json_object_set_new(j, "state_topic", json_string(state_topic));
		json_object_set_new(j, "value_template", json_string(e->value_template));
		if (e->unit)
			json_object_set_new(j, "unit_of_measurement", json_string(e->unit));
		if (e->device_class)
			json_object_set_new(j, "device_class", json_string(e->device_class));
		if (e->state_class)
			json_object_set_new(j, "state_class", json_string(e->state_class));
		if (strcmp(e->component, "binary_sensor") == 0) {
			json_object_set_new(j, "payload_on", json_string("ON"));
			json_object_set_new(j, "payload_off", json_string("OFF"));
		}
		/* The entities are unavailable while the daemon is offline. */
		json_object_set_new(j, "availability_topic", json_string(status_topic));
		json_object_set_new(j, "availability_template",
				    json_string("{{ value_json.state }}"));
		json_object_set_new(j, "payload_available", json_string("online"));
		json_object_set_new(j, "payload_not_available", json_string("offline"));
		json_t *dev = json_object();
		json_object_set_new(dev, "identifiers", json_pack("[s]", node));
		json_object_set_new(dev, "name", json_string(station_name));
		json_object_set_new(dev, "manufacturer", json_string("pvrelief"));
		json_object_set_new(dev, "model", json_string("village PV station"));
		json_object_set_new(j, "device", dev);
		out[i].payload = take(j);
		out[i].topic =
		    xasprintf("%s/%s/%s/%s/config", ha_prefix, e->component, node, e->object);
		free(name);
		free(uid);
	}
	free(node);
	return PUBLISH_HA_ENTITIES;
}
