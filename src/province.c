/* The province summed by county and ranked, for the console's province pages. */
#include "pvrelief/province.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int province_station_online(const struct province_station *s, const char *county_status)
{
	return s->live_at > 0 && s->online > 0 &&
	       !(county_status && strcmp(county_status, "offline") == 0);
}

static void clear_sums(struct province_county *c)
{
	c->first = c->n = 0;
	c->capacity_kwp = c->energy_wh = c->power_w = 0;
	c->e_act_wh = c->eth_wh = c->month_act_wh = c->month_eth_wh = c->month_energy_wh = 0;
	c->with_eta_day = c->with_eta_month = c->online = 0;
}

static void add(struct province_county *c, const struct province_station *s)
{
	if (isfinite(s->capacity_kwp))
		c->capacity_kwp += s->capacity_kwp;
	if (isfinite(s->energy_wh))
		c->energy_wh += s->energy_wh;
	if (province_station_online(s, c->status) && isfinite(s->power_w))
		c->power_w += s->power_w;
	c->online += province_station_online(s, c->status);
	/* A station's η counts with the theoretical energy behind it, so the county's figure is
	 * the ratio of sums a county computes for itself, not a mean of ratios. */
	if (isfinite(s->eta) && isfinite(s->e_act_wh) && isfinite(s->eth_wh) && s->eth_wh > 0) {
		c->e_act_wh += s->e_act_wh;
		c->eth_wh += s->eth_wh;
		c->with_eta_day++;
	}
	if (isfinite(s->month_energy_wh))
		c->month_energy_wh += s->month_energy_wh;
	if (isfinite(s->month_eta) && isfinite(s->month_eth_wh) && s->month_eth_wh > 0) {
		c->month_act_wh += s->month_eta * s->month_eth_wh;
		c->month_eth_wh += s->month_eth_wh;
		c->with_eta_month++;
	}
}

void province_sum(struct province_county *counties, size_t nc,
		  const struct province_station *stations, size_t n)
{
	for (size_t k = 0; k < nc; k++)
		clear_sums(&counties[k]);
	/* Both lists are ordered by county: one merge walk. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct province_station *s = &stations[i];
		while (k < nc && strcmp(counties[k].county, s->county) < 0)
			k++;
		if (k == nc)
			break;
		if (strcmp(counties[k].county, s->county) != 0)
			continue;
		struct province_county *c = &counties[k];
		if (c->n == 0)
			c->first = i;
		c->n++;
		add(c, s);
	}
	for (k = 0; k < nc; k++) {
		struct province_county *c = &counties[k];
		c->eta_day = c->eth_wh > 0 ? c->e_act_wh / c->eth_wh : NAN;
		c->eta_month = c->month_eth_wh > 0 ? c->month_act_wh / c->month_eth_wh : NAN;
	}
}

void province_total(const struct province_county *counties, size_t n, struct province_county *out)
{
	memset(out, 0, sizeof *out);
	for (size_t k = 0; k < n; k++) {
		const struct province_county *c = &counties[k];
		out->n += c->n;
		out->capacity_kwp += c->capacity_kwp;
		out->energy_wh += c->energy_wh;
		out->power_w += c->power_w;
		out->e_act_wh += c->e_act_wh;
		out->eth_wh += c->eth_wh;
		out->month_act_wh += c->month_act_wh;
		out->month_eth_wh += c->month_eth_wh;
		out->month_energy_wh += c->month_energy_wh;
		out->with_eta_day += c->with_eta_day;
		out->with_eta_month += c->with_eta_month;
		out->online += c->online;
		out->alerts_active += c->alerts_active;
		out->alerts_critical += c->alerts_critical;
		out->counties_with_kpi += c->kpi.known;
		out->counties_meeting_target += c->kpi.known && c->kpi.meets_target == 1;
	}
	out->eta_day = out->eth_wh > 0 ? out->e_act_wh / out->eth_wh : NAN;
	out->eta_month = out->month_eth_wh > 0 ? out->month_act_wh / out->month_eth_wh : NAN;
	out->last_seen = NAN;
	out->head_seq = -1;
	out->head_at = NAN;
}

/* Worst first: a smaller figure first, no figure after every figure, then by id. */
static int order(double x, double y, const char *ix, const char *iy)
{
	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x < y ? -1 : 1;
	return strcmp(ix, iy);
}

static int county_day(const void *a, const void *b)
{
	const struct province_county *x = a, *y = b;
	return order(x->eta_day, y->eta_day, x->county, y->county);
}

static int county_month(const void *a, const void *b)
{
	const struct province_county *x = a, *y = b;
	return order(x->eta_month, y->eta_month, x->county, y->county);
}

void province_rank_counties(struct province_county *counties, size_t n, enum province_rank by)
{
	if (n > 1)
		qsort(counties, n, sizeof *counties,
		      by == PROVINCE_ETA_MONTH ? county_month : county_day);
}

static int station_day(const void *a, const void *b)
{
	const struct province_station *x = *(const struct province_station *const *)a;
	const struct province_station *y = *(const struct province_station *const *)b;
	int r = order(x->eta, y->eta, x->station, y->station);
	return r ? r : strcmp(x->county, y->county);
}

static int station_month(const void *a, const void *b)
{
	const struct province_station *x = *(const struct province_station *const *)a;
	const struct province_station *y = *(const struct province_station *const *)b;
	int r = order(x->month_eta, y->month_eta, x->station, y->station);
	return r ? r : strcmp(x->county, y->county);
}

void province_rank_stations(const struct province_station **stations, size_t n,
			    enum province_rank by)
{
	if (n > 1)
		qsort(stations, n, sizeof *stations,
		      by == PROVINCE_ETA_MONTH ? station_month : station_day);
}
