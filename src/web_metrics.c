/* Prometheus exposition of the county's figures. Each family is written whole (HELP, TYPE,
 * then its samples), as the format requires. */
#include "pvrelief/web_metrics.h"

#include <stdio.h>
#include <math.h>

#include "pvrelief/web_html.h"

static void family(struct strbuf *b, const char *name, const char *type, const char *help)
{
	strbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(struct strbuf *b, const char *name, const char *station, const char *label2,
		   const char *value2, double v)
{
	if (isnan(v))
		return;
	strbuf_printf(b, "%s", name);
	if (station || label2) {
		strbuf_puts(b, "{");
		if (station) {
			strbuf_puts(b, "station=\"");
			web_prom_label(b, station);
			strbuf_puts(b, "\"");
		}
		if (label2) {
			strbuf_printf(b, "%s%s=\"", station ? "," : "", label2);
			web_prom_label(b, value2);
			strbuf_puts(b, "\"");
		}
		strbuf_puts(b, "}");
	}
	/* %.17g keeps every double exact; whole numbers print without a fraction. */
	strbuf_printf(b, " %.17g\n", v);
}

void web_metrics_render(const struct web_metrics *m, struct strbuf *b)
{
	family(b, "pvrelief_build_info", "gauge", "Version of pvrelief-web, always 1.");
	sample(b, "pvrelief_build_info", NULL, "version", m->version, 1);

	family(b, "pvrelief_station_power_watts", "gauge",
	       "AC power of the station: its inverters' newest readings added up.");
	for (size_t i = 0; i < m->n_stations; i++)
		sample(b, "pvrelief_station_power_watts", m->stations[i].id, NULL, NULL,
		       m->stations[i].power_w);
	family(b, "pvrelief_station_energy_joules_total", "counter",
	       "Energy the station generated since records began (lifetime counter increases).");
	for (size_t i = 0; i < m->n_stations; i++)
		sample(b, "pvrelief_station_energy_joules_total", m->stations[i].id, NULL, NULL,
		       m->stations[i].energy_wh * 3600.0);
	family(b, "pvrelief_station_generation_ratio", "gauge",
	       "Generation parameter eta = actual / theoretical energy, today and this month.");
	for (size_t i = 0; i < m->n_stations; i++) {
		sample(b, "pvrelief_station_generation_ratio", m->stations[i].id, "period", "day",
		       m->stations[i].eta_today);
		sample(b, "pvrelief_station_generation_ratio", m->stations[i].id, "period", "month",
		       m->stations[i].eta_month);
	}
	family(b, "pvrelief_station_online", "gauge",
	       "1 when at least one device of the station answers, else 0.");
	for (size_t i = 0; i < m->n_stations; i++)
		sample(b, "pvrelief_station_online", m->stations[i].id, NULL, NULL,
		       m->stations[i].online);
	family(b, "pvrelief_station_devices_online_ratio", "gauge",
	       "Share of the station's devices that answer, 0-1.");
	for (size_t i = 0; i < m->n_stations; i++)
		if (m->stations[i].devices > 0)
			sample(b, "pvrelief_station_devices_online_ratio", m->stations[i].id, NULL,
			       NULL,
			       (double)m->stations[i].devices_online / m->stations[i].devices);
	family(b, "pvrelief_modbus_requests_total", "counter",
	       "Modbus requests to the station's devices by result, since the daemon started.");
	for (size_t i = 0; i < m->n_stations; i++) {
		const struct web_metrics_station *s = &m->stations[i];
		sample(b, "pvrelief_modbus_requests_total", s->id, "result", "ok",
		       (double)s->requests_ok);
		sample(b, "pvrelief_modbus_requests_total", s->id, "result", "error",
		       (double)s->requests_error);
		sample(b, "pvrelief_modbus_requests_total", s->id, "result", "timeout",
		       (double)s->requests_timeout);
	}
	family(b, "pvrelief_alerts_active", "gauge", "Alerts raised and not cleared, by kind.");
	for (size_t i = 0; i < m->n_alerts; i++) {
		strbuf_puts(b, "pvrelief_alerts_active{kind=\"");
		web_prom_label(b, m->alerts[i].kind);
		strbuf_puts(b, "\",severity=\"");
		web_prom_label(b, m->alerts[i].severity);
		strbuf_printf(b, "\"} %ld\n", m->alerts[i].active);
	}
	family(b, "pvrelief_outbox_messages", "gauge",
	       "MQTT messages waiting in the outbox for the broker.");
	sample(b, "pvrelief_outbox_messages", NULL, NULL, NULL, (double)m->outbox_depth);
	family(b, "pvrelief_data_age_seconds", "gauge", "Seconds since the newest reading.");
	sample(b, "pvrelief_data_age_seconds", NULL, NULL, NULL, m->data_age_s);
	family(b, "pvrelief_daemon_silent", "gauge",
	       "1 when the daemon has polled nothing for longer than expected.");
	sample(b, "pvrelief_daemon_silent", NULL, NULL, NULL, m->daemon_silent);
}

static void county_sample(struct strbuf *b, const char *name, const char *county,
			  const char *period, double v)
{
	if (isnan(v))
		return;
	strbuf_printf(b, "%s{county=\"", name);
	web_prom_label(b, county);
	if (period)
		strbuf_printf(b, "\",period=\"%s", period);
	strbuf_printf(b, "\"} %.17g\n", v);
}

void web_metrics_render_counties(const struct web_metrics_county *c, size_t n, struct strbuf *b)
{
	family(b, "pvrelief_county_stations", "gauge",
	       "Stations of the county known to the province hub.");
	for (size_t i = 0; i < n; i++)
		county_sample(b, "pvrelief_county_stations", c[i].id, NULL, (double)c[i].stations);
	family(b, "pvrelief_county_stations_online", "gauge",
	       "Stations of the county whose newest live summary has a device online.");
	for (size_t i = 0; i < n; i++)
		county_sample(b, "pvrelief_county_stations_online", c[i].id, NULL,
			      (double)c[i].stations_online);
	family(b, "pvrelief_county_power_watts", "gauge",
	       "AC power of the county's stations online, as they last reported to the hub.");
	for (size_t i = 0; i < n; i++)
		county_sample(b, "pvrelief_county_power_watts", c[i].id, NULL, c[i].power_w);
	family(b, "pvrelief_county_generation_ratio", "gauge",
	       "The county's eta = actual / theoretical energy summed over its stations, today "
	       "and this month.");
	for (size_t i = 0; i < n; i++) {
		county_sample(b, "pvrelief_county_generation_ratio", c[i].id, "day", c[i].eta_day);
		county_sample(b, "pvrelief_county_generation_ratio", c[i].id, "month",
			      c[i].eta_month);
	}
	family(b, "pvrelief_county_alerts_active", "gauge",
	       "Alerts of the county raised and not cleared, as the hub holds them.");
	for (size_t i = 0; i < n; i++)
		county_sample(b, "pvrelief_county_alerts_active", c[i].id, NULL,
			      (double)c[i].alerts_active);
	family(b, "pvrelief_county_ledger_head_seq", "gauge",
	       "Sequence of the county's money ledger head as it last sent it to the hub.");
	for (size_t i = 0; i < n; i++)
		county_sample(b, "pvrelief_county_ledger_head_seq", c[i].id, NULL, c[i].ledger_seq);
	family(b, "pvrelief_county_meets_target", "gauge",
	       "1 when the county's own KPIs of this month meet its county target, 0 when not.");
	for (size_t i = 0; i < n; i++)
		county_sample(b, "pvrelief_county_meets_target", c[i].id, NULL, c[i].meets_target);
	family(b, "pvrelief_county_online_rate", "gauge",
	       "The county's online rate of this month, 0-1, as it computed and sent it.");
	for (size_t i = 0; i < n; i++)
		county_sample(b, "pvrelief_county_online_rate", c[i].id, NULL, c[i].online_rate);
}
