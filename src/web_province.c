/* What the province pages and their API read from the hub's database: one read transaction
 * per request, every county summed by province_sum, and for a county or a station what its
 * page shows. Nothing is cached: a province page is asked for far less often than the
 * county overview that fifty open pages poll. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/province.h"
#include "pvrelief/store.h"
#include "pvrelief/store_hub_read.h"
#include "pvrelief/web_params.h"
#include "pvrelief/xalloc.h"
#include "web_internal.h"

enum { DAYS_SHOWN = 30, MONTHS_SHOWN = 24, ALERTS_SHOWN = 500 };

void web_province_free(struct web_province *p)
{
	free(p->counties);
	free(p->stations);
	free(p->alerts);
	free(p->days);
	free(p->months);
	memset(p, 0, sizeof *p);
	p->county = p->station = -1;
}

int web_province_sort(struct web_ctx *c, int *by)
{
	static const char *const sorts[] = {"eta_day", "eta_month", NULL};
	const char *s = web_request_query(c->req, "sort");
	*by = PROVINCE_ETA_DAY;
	if (!s || !*s)
		return 0;
	int i = web_param_enum(s, sorts);
	if (i < 0)
		return -1;
	*by = i == 1 ? PROVINCE_ETA_MONTH : PROVINCE_ETA_DAY;
	return 0;
}

/* The first day of the 30 days that end on day. */
static void first_day(const char *day, char out[11])
{
	struct tm tm = {.tm_hour = 12};
	web_param_day(day, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	store_local_day((double)timegm(&tm) - (DAYS_SHOWN - 1) * 86400.0, 0, out);
}

int web_province_load(struct web_ctx *c, const char *county, const char *station,
		      struct web_province *p, const char **why)
{
	memset(p, 0, sizeof *p);
	p->county = p->station = -1;
	p->now = clock_now(c->app->clk);
	const char *day = web_request_query(c->req, "day");
	int y, m, d;
	if (day && *day) {
		if (web_param_day(day, &y, &m, &d) != 0) {
			*why = T(c, "日期参数无效（应为 YYYY-MM-DD）。",
				 "Bad day (YYYY-MM-DD expected).");
			return 400;
		}
		snprintf(p->day, sizeof p->day, "%s", day);
	} else {
		store_local_day(p->now, c->app->cfg->utc_offset_s, p->day);
	}
	memcpy(p->month, p->day, 7);
	p->month[7] = '\0';
	struct store *st = web_hub_store(c->app);
	if (!st) {
		*why = c->app->hub_error;
		return 503;
	}
	double newest_live;
	int rc = store_hub_read_begin(st);
	if (rc == 0)
		rc = store_hub_read_counties(st, p->month, &p->counties, &p->nc);
	if (rc == 0)
		rc = store_hub_read_stations(st, county, p->day, p->month, &p->stations, &p->ns);
	if (rc == 0)
		rc = store_hub_read_newest(st, &p->newest_message, &newest_live);
	if (rc == 0 && county) {
		for (size_t k = 0; k < p->nc; k++)
			if (strcmp(p->counties[k].county, county) == 0)
				p->county = (long)k;
		for (size_t i = 0; station && i < p->ns; i++)
			if (strcmp(p->stations[i].station, station) == 0)
				p->station = (long)i;
	}
	int found = county && p->county >= 0 && (!station || p->station >= 0);
	if (rc == 0 && found && !station) {
		p->alerts = xcalloc(ALERTS_SHOWN, sizeof *p->alerts);
		p->na = store_hub_read_alerts(st, county, NULL, 1, p->alerts, ALERTS_SHOWN);
		rc = p->na < 0 ? -1 : 0;
	}
	if (rc == 0 && found && station) {
		char from[11];
		first_day(p->day, from);
		p->days = xcalloc(DAYS_SHOWN, sizeof *p->days);
		p->months = xcalloc(MONTHS_SHOWN, sizeof *p->months);
		p->alerts = xcalloc(ALERTS_SHOWN, sizeof *p->alerts);
		p->nd = store_hub_read_days(st, county, station, from, p->day, p->days, DAYS_SHOWN);
		p->nm = p->nd < 0
			    ? -1
			    : store_hub_read_months(st, county, station, p->months, MONTHS_SHOWN);
		p->na = p->nm < 0 ? -1
				  : store_hub_read_alerts(st, county, station, 0, p->alerts,
							  ALERTS_SHOWN);
		rc = p->nd < 0 || p->nm < 0 || p->na < 0 ? -1 : 0;
	}
	store_hub_read_end(st);
	if (rc != 0) {
		snprintf(c->app->hub_error, sizeof c->app->hub_error, "hub database %s: %s",
			 c->app->hub_path, store_errmsg(st));
		web_hub_store_reset(c->app);
		web_province_free(p);
		*why = c->app->hub_error;
		return 503;
	}
	province_sum(p->counties, p->nc, p->stations, p->ns);
	c->province = 1;
	c->hub_newest = p->newest_message;
	if (county && !found) {
		*why = p->county < 0
			   ? T(c, "省级汇聚中没有这个县。", "The hub knows no such county.")
			   : T(c, "这个县没有这个电站。", "The county has no such station.");
		web_province_free(p);
		return 404;
	}
	return 0;
}
