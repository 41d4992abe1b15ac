/* The county model behind the overview, the live updates, the API and /metrics: every
 * configured station with its state, power, energy and efficiency, built from a few set-wise
 * queries in one short read transaction and kept WEB_CACHE_S seconds, so that fifty open
 * pages polling every few seconds cost the database one build, not fifty. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/reading.h"
#include "pvrelief/solar.h"
#include "pvrelief/store.h"
#include "pvrelief/store_console.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

enum { MAX_ACTIVE_ALERTS = 20000 };

long web_station_index(const struct web_app *app, const char *id)
{
	size_t lo = 0, hi = app->cfg->n_stations;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(app->cfg->stations[app->by_id[mid]].id, id);
		if (cmp == 0)
			return (long)app->by_id[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void web_county_free(struct web_county *c)
{
	if (!c)
		return;
	free(c->stations);
	free(c);
}

/* How long a device may go unheard before it counts as offline: three polling intervals by
 * day (a single missed poll behind a 4G link is normal), since night polls are heartbeats. */
static double offline_after_s(const struct config *cfg)
{
	return 3.0 * cfg->polling.fast_interval_s + cfg->polling.timeout_ms / 1000.0;
}

static const char *station_state(const struct web_station *s, int night, int fault)
{
	if (night)
		return "night";
	if (s->last_seen <= 0)
		return s->devices ? "offline" : "unknown";
	if (fault)
		return "fault";
	if (s->devices_online == 0)
		return "offline";
	if (s->devices_online < s->devices)
		return "partial";
	return s->power_w > 0 ? "producing" : "idle";
}

static struct web_county *build(struct web_app *app, struct store *st, long only)
{
	const struct config *cfg = app->cfg;
	struct web_county *c = xcalloc(1, sizeof *c);
	c->now = clock_now(app->clk);
	c->built_wall = clock_wall_now();
	store_local_day(c->now, cfg->utc_offset_s, c->today);
	memcpy(c->month, c->today, 7);
	c->month[7] = '\0';
	c->n_stations = cfg->n_stations;
	c->stations = xcalloc(cfg->n_stations + 1, sizeof *c->stations);
	for (size_t i = 0; i < cfg->n_stations; i++) {
		struct web_station *s = &c->stations[i];
		s->cfg = &cfg->stations[i];
		s->index = i;
		s->devices = (int)s->cfg->n_devices;
		for (size_t d = 0; d < s->cfg->n_devices; d++)
			s->inverters += s->cfg->devices[d].role == CONFIG_INVERTER;
		s->power_w = NAN;
		s->eta_day = s->eta_month = s->yf_day_h = NAN;
		s->eth_day_wh = s->e_act_day_wh = s->energy_month_wh = s->eth_month_wh = NAN;
	}
	struct store_console_device *dev = NULL;
	struct store_console_eff *eff = NULL;
	struct store_alert *alerts = xcalloc(MAX_ACTIVE_ALERTS, sizeof *alerts);
	size_t nd = 0, ne = 0;
	struct store_console_status status;
	struct store_console_alert_filter af = {
	    only >= 0 ? cfg->stations[only].id : NULL, NULL, 1, 0, 0, MAX_ACTIVE_ALERTS};
	if (store_console_read_begin(st) != 0)
		goto fail;
	int na;
	if (store_console_devices(st, only >= 0 ? cfg->stations[only].id : NULL, c->today, &dev,
				  &nd) != 0 ||
	    store_console_eff(st, c->today, c->month, &eff, &ne) != 0 ||
	    store_console_status(st, &status) != 0 ||
	    (na = store_console_alerts(st, &af, alerts, MAX_ACTIVE_ALERTS)) < 0 ||
	    store_alert_max_id(st, &c->newest_alert_id) != 0) {
		store_console_read_end(st);
		goto fail;
	}
	store_console_read_end(st);

	double window = offline_after_s(cfg);
	unsigned char *fault = xcalloc(cfg->n_stations + 1, 1);
	long si = -1;
	const char *last_station = NULL;
	for (size_t i = 0; i < nd; i++) {
		const struct store_console_device *d = &dev[i];
		if (!last_station || strcmp(last_station, d->station) != 0) {
			si = web_station_index(app, d->station);
			last_station = d->station;
		}
		if (si < 0)
			continue; /* a station removed from the configuration */
		const struct config_station *cs = &cfg->stations[si];
		int configured = 0, inverter = 0;
		for (size_t k = 0; k < cs->n_devices; k++)
			if (strcmp(cs->devices[k].id, d->device) == 0) {
				configured = 1;
				inverter = cs->devices[k].role == CONFIG_INVERTER;
			}
		if (!configured)
			continue;
		struct web_station *s = &c->stations[si];
		double seen = fmax(d->last_ts, d->last_success);
		s->last_seen = fmax(s->last_seen, seen);
		int online = seen > 0 && c->now - seen <= window;
		s->devices_online += online;
		s->requests += d->requests;
		s->errors += d->errors;
		s->timeouts += d->timeouts;
		if (inverter) {
			if (online && !isnan(d->power_w))
				s->power_w = (isnan(s->power_w) ? 0 : s->power_w) + d->power_w;
			s->energy_today_wh += d->energy_today_wh;
			if (online && d->state == INV_STATE_FAULT)
				fault[si] = 1;
		}
	}
	/* Efficiency rows are ordered by station, as the configuration need not be. */
	last_station = NULL;
	for (size_t i = 0; i < ne; i++) {
		long k = web_station_index(app, eff[i].station);
		if (k < 0)
			continue;
		struct web_station *s = &c->stations[k];
		s->eta_day = eff[i].eta_day;
		s->e_act_day_wh = eff[i].e_act_day_wh;
		s->eth_day_wh = eff[i].eth_day_wh;
		s->yf_day_h = eff[i].yf_day_h;
		s->grade_day = eff[i].grade_day;
		s->eta_month = eff[i].eta_month;
		s->energy_month_wh = eff[i].energy_month_wh;
		s->eth_month_wh = eff[i].eth_month_wh;
		s->grade_month = eff[i].grade_month;
	}
	for (int i = 0; i < na; i++) {
		if (strcmp(alerts[i].severity, "critical") == 0)
			c->alerts_critical++;
		else if (strcmp(alerts[i].severity, "warning") == 0)
			c->alerts_warning++;
		else
			c->alerts_info++;
		long k = alerts[i].station[0] ? web_station_index(app, alerts[i].station) : -1;
		if (k >= 0)
			c->stations[k].alerts_active++;
	}
	double e_act = 0, eth = 0, m_act = 0, m_th = 0;
	for (size_t i = 0; i < c->n_stations; i++) {
		struct web_station *s = &c->stations[i];
		const struct config_station *cs = s->cfg;
		int night = solar_elevation_approx_deg(c->now, cs->lat_deg, cs->lon_deg) <
			    cfg->polling.night_elevation_deg;
		c->daylight |= !night;
		s->state = station_state(s, night, fault[i]);
		if (strcmp(s->state, "offline") == 0) {
			s->offline_since = s->last_seen;
			c->offline++;
		}
		c->night += night;
		c->online += s->devices_online > 0;
		c->producing += strcmp(s->state, "producing") == 0;
		c->faults += fault[i];
		if (!isnan(s->power_w))
			c->power_w += s->power_w;
		c->energy_today_wh += s->energy_today_wh;
		if (!isnan(s->eta_day) && !isnan(s->eth_day_wh) && s->eth_day_wh > 0) {
			e_act += s->eta_day * s->eth_day_wh;
			eth += s->eth_day_wh;
		}
		if (!isnan(s->eta_month) && !isnan(s->eth_month_wh) && s->eth_month_wh > 0) {
			m_act += s->eta_month * s->eth_month_wh;
			m_th += s->eth_month_wh;
			c->with_eta_month++;
			c->meeting_target += s->eta_month >= cfg->efficiency.station_target;
		}
	}
	free(fault);
	c->eta_day = eth > 0 ? e_act / eth : NAN;
	c->eta_month = m_th > 0 ? m_act / m_th : NAN;
	c->newest_reading_ts = status.newest_reading_ts;
	c->newest_diag_wall = status.newest_diag_wall;
	c->outbox_depth = status.outbox_depth;
	c->data_age_s = status.newest_reading_ts > 0 ? c->now - status.newest_reading_ts : NAN;
	/* Silent: nothing polled for longer than the daemon's own rhythm allows. By day that is
	 * a few fast intervals; at night the heartbeat sets the pace. The poller writes its
	 * diagnostics in wall time, which a simulated clock does not bend, so both are asked. */
	double limit = app->silent_after_s > 0 ? app->silent_after_s
		       : c->daylight	       ? 3.0 * cfg->polling.fast_interval_s + 30
					       : 2.0 * cfg->polling.night_interval_s + 30;
	double wall_limit = limit / fmax(1.0, clock_rate(app->clk));
	int reading_old = isnan(c->data_age_s) || c->data_age_s > limit;
	int diag_old =
	    c->newest_diag_wall <= 0 || c->built_wall - c->newest_diag_wall > fmax(wall_limit, 5);
	c->daemon_silent = reading_old && diag_old;
	free(dev);
	free(eff);
	free(alerts);
	return c;
fail:
	snprintf(app->db_error, sizeof app->db_error, "database %s: %s", app->db_path,
		 store_errmsg(st));
	free(dev);
	free(eff);
	free(alerts);
	web_county_free(c);
	return NULL;
}

const struct web_county *web_county_get(struct web_app *app)
{
	double wall = clock_wall_now();
	if (app->county && wall - app->county->built_wall < WEB_CACHE_S &&
	    wall >= app->county->built_wall)
		return app->county;
	struct store *st = web_store(app);
	if (!st)
		return NULL;
	struct web_county *c = build(app, st, -1);
	if (!c) {
		web_store_reset(app);
		return NULL;
	}
	web_county_free(app->county);
	app->county = c;
	return c;
}

struct web_county *web_county_one(struct web_app *app, long index)
{
	struct store *st = web_store(app);
	if (!st)
		return NULL;
	struct web_county *c = build(app, st, index);
	if (!c)
		web_store_reset(app);
	return c;
}
