/* /metrics: the county model and a few database figures in the Prometheus text format. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/province.h"
#include "pvrelief/store.h"
#include "pvrelief/store_console.h"
#include "pvrelief/web_metrics.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

struct gather {
	const struct web_app *app;
	struct web_metrics_station *st;
	struct web_metrics_alerts *al;
	size_t n_al, cap_al;
	char **kinds; /* copies, the callback's strings are the statement's */
};

static void energy_cb(void *arg, const char *station, double energy_wh)
{
	struct gather *g = arg;
	long i = web_station_index(g->app, station);
	if (i >= 0)
		g->st[i].energy_wh = energy_wh;
}

static void alert_cb(void *arg, const char *kind, const char *severity, long n)
{
	struct gather *g = arg;
	if (g->n_al == g->cap_al) {
		g->cap_al = g->cap_al ? g->cap_al * 2 : 16;
		g->al = xrealloc(g->al, g->cap_al * sizeof *g->al);
		g->kinds = xrealloc(g->kinds, 2 * g->cap_al * sizeof *g->kinds);
	}
	g->kinds[2 * g->n_al] = xstrdup(kind);
	g->kinds[2 * g->n_al + 1] = xstrdup(severity);
	g->al[g->n_al].kind = g->kinds[2 * g->n_al];
	g->al[g->n_al].severity = g->kinds[2 * g->n_al + 1];
	g->al[g->n_al++].active = n;
}

/* The province's counties from the hub's database: a hub that cannot be read leaves the
 * county's metrics whole and says so in a comment. */
static void province_metrics(struct web_ctx *c)
{
	struct web_province p;
	const char *why = NULL;
	if (web_province_load(c, NULL, NULL, &p, &why) != 0) {
		strbuf_printf(&c->rep->body, "# province hub database unavailable: %s\n", why);
		return;
	}
	struct web_metrics_county *m = xcalloc(p.nc + 1, sizeof *m);
	for (size_t k = 0; k < p.nc; k++) {
		const struct province_county *x = &p.counties[k];
		const struct province_kpi *kp = &x->kpi;
		m[k] = (struct web_metrics_county){
		    .id = x->county,
		    .stations = (long)x->n,
		    .stations_online = x->online,
		    .power_w = x->power_w,
		    .eta_day = x->eta_day,
		    .eta_month = x->eta_month,
		    .alerts_active = x->alerts_active,
		    .ledger_seq = x->head_seq >= 0 ? (double)x->head_seq : NAN,
		    .meets_target = kp->known && kp->meets_target >= 0 ? kp->meets_target : NAN,
		    .online_rate = kp->known ? kp->online_rate : NAN,
		};
	}
	web_metrics_render_counties(m, p.nc, &c->rep->body);
	free(m);
	web_province_free(&p);
}

void web_metrics_page(struct web_ctx *c)
{
	const struct web_county *k = web_county_get(c->app);
	struct store *st = k ? web_store(c->app) : NULL;
	if (!k || !st) {
		c->rep->status = 503;
		c->rep->content_type = "text/plain; charset=utf-8";
		strbuf_printf(&c->rep->body, "# database unavailable: %s\n", c->app->db_error);
		return;
	}
	struct gather g = {c->app, NULL, NULL, 0, 0, NULL};
	g.st = xcalloc(k->n_stations + 1, sizeof *g.st);
	for (size_t i = 0; i < k->n_stations; i++) {
		const struct web_station *s = &k->stations[i];
		struct web_metrics_station *m = &g.st[i];
		m->id = s->cfg->id;
		m->power_w = s->power_w;
		m->eta_today = s->eta_day;
		m->eta_month = s->eta_month;
		m->online = s->devices_online > 0;
		m->devices = s->devices;
		m->devices_online = s->devices_online;
		m->requests_ok = s->requests - s->errors;
		m->requests_error = s->errors - s->timeouts;
		m->requests_timeout = s->timeouts;
	}
	int rc = store_console_read_begin(st);
	if (rc == 0)
		rc = store_console_station_energy_total(st, energy_cb, &g);
	if (rc == 0)
		rc = store_console_active_counts(st, alert_cb, &g);
	store_console_read_end(st);
	if (rc != 0) {
		c->rep->status = 503;
		c->rep->content_type = "text/plain; charset=utf-8";
		strbuf_printf(&c->rep->body, "# database error: %s\n", store_errmsg(st));
		web_store_reset(c->app);
	} else {
		struct web_metrics m = {
		    c->app->version, g.st,	    k->n_stations,   g.al, g.n_al,
		    k->outbox_depth, k->data_age_s, k->daemon_silent};
		c->rep->content_type = "text/plain; version=0.0.4; charset=utf-8";
		web_metrics_render(&m, &c->rep->body);
		if (c->app->hub_path)
			province_metrics(c);
	}
	for (size_t i = 0; i < 2 * g.n_al; i++)
		free(g.kinds[i]);
	free(g.kinds);
	free(g.al);
	free(g.st);
}
