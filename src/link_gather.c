/* The link traffic view's gathering (link_gather.h): the configuration's gateways and
 * devices, with the store's link_day counters of the month. */
#include "pvrelief/link_gather.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/store.h"
#include "pvrelief/store_links.h"
#include "pvrelief/xalloc.h"

int link_gather(struct store *st, const struct config *cfg, const struct config_station *only,
		int y, int m, int d, double now, struct linkview *out, char *why, size_t whylen)
{
	struct linkview v;
	memset(&v, 0, sizeof v);
	double t0, t1;
	irradiance_month_bounds(y, m, cfg->utc_offset_s, &t0, &t1);
	snprintf(v.month, sizeof v.month, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
	char first[11];
	snprintf(first, sizeof first, "%s-01", v.month);
	double until = d > 0 ? t0 + d * 86400.0 : fmax(t0, fmin(t1, now));
	store_local_day(until - (d > 0 || until >= t1 ? 1 : 0), cfg->utc_offset_s, v.day);
	v.elapsed_s = until - t0;
	v.month_s = t1 - t0;

	/* Gateways in the order of the configuration, each with its configured devices. */
	size_t n_devs = config_device_count(cfg);
	char(*names)[96] = xcalloc(n_devs ? n_devs : 1, sizeof *names);
	v.gws = xcalloc(n_devs ? n_devs : 1, sizeof *v.gws);
	struct linkview_device *devs = xcalloc(n_devs ? n_devs : 1, sizeof *devs);
	size_t used = 0;
	for (size_t s = 0; s < cfg->n_stations; s++) {
		const struct config_station *cs = &cfg->stations[s];
		for (size_t i = 0; i < cs->n_devices; i++) {
			char name[96];
			config_gateway_name(&cs->devices[i], name, sizeof name);
			size_t g = 0;
			while (g < v.n_gws && strcmp(names[g], name) != 0)
				g++;
			if (g == v.n_gws) {
				memcpy(names[g], name, sizeof name);
				v.gws[g] = (struct linkview_gateway){
				    .name = names[g],
				    .station = cs->id,
				    .budget_mb = cs->link_budget_mb,
				    .adaptive = cs->link_adaptive,
				    .fast_s = cfg->polling.fast_interval_s,
				    .devs = &devs[used]};
				v.n_gws++;
			}
			/* A gateway's devices are contiguous when it serves one station, as
			 * gateways do; one serving several stations shows those after the
			 * first station's under it as well, in configuration order. */
			struct linkview_gateway *gw = &v.gws[g];
			if (gw->devs + gw->n_devs != &devs[used]) {
				memmove(gw->devs + gw->n_devs + 1, gw->devs + gw->n_devs,
					(size_t)(&devs[used] - (gw->devs + gw->n_devs)) *
					    sizeof *devs);
				for (size_t k = g + 1; k < v.n_gws; k++)
					v.gws[k].devs++;
			}
			gw->devs[gw->n_devs++] = (struct linkview_device){
			    .station = cs->id, .device = cs->devices[i].id};
			used++;
		}
	}
	size_t cap = 2 * n_devs + 16;
	struct store_link_row *rows = xcalloc(cap, sizeof *rows);
	int n = store_link_rows(st, first, v.day, rows, cap);
	if (n < 0) {
		snprintf(why, whylen, "cannot read the link counters: %s", store_errmsg(st));
		free(rows);
		free(devs);
		free(v.gws);
		free(names);
		return -1;
	}
	for (int k = 0; k < n; k++) {
		const struct store_link_row *r = &rows[k];
		for (size_t g = 0; g < v.n_gws; g++) {
			struct linkview_gateway *gw = &v.gws[g];
			if (strcmp(gw->name, r->gateway) != 0)
				continue;
			if (r->device_id == 0) {
				gw->conn_today += r->today_bytes;
				gw->conn_month += r->month_bytes;
			}
			for (size_t i = 0; i < gw->n_devs && r->device_id; i++) {
				struct linkview_device *dv = &gw->devs[i];
				if (strcmp(dv->station, r->station) != 0 ||
				    strcmp(dv->device, r->device) != 0)
					continue;
				dv->today_bytes += r->today_bytes;
				dv->month_bytes += r->month_bytes;
				dv->today_polls += r->today_polls;
				dv->month_polls += r->month_polls;
				if (r->interval_s > gw->interval_s)
					gw->interval_s = r->interval_s;
			}
		}
	}
	/* --station: only that station's gateways. */
	size_t kept = 0;
	for (size_t g = 0; g < v.n_gws; g++) {
		int mine = !only;
		for (size_t i = 0; i < v.gws[g].n_devs && !mine; i++)
			mine = strcmp(v.gws[g].devs[i].station, only->id) == 0;
		if (mine)
			v.gws[kept++] = v.gws[g];
	}
	v.n_gws = kept;
	linkview_finish(&v);
	free(rows);
	v.owned_names = names;
	v.owned_devs = devs;
	*out = v;
	return 0;
}

void link_gather_free(struct linkview *v)
{
	free(v->gws);
	free(v->owned_names);
	free(v->owned_devs);
	memset(v, 0, sizeof *v);
}
