/* The province summed by county and ranked (province.c): η as a ratio of sums, not a mean of
 * ratios; stations without a figure counted but left out of η; a county gone offline has no
 * station online; rankings worst first with no figure last and ties by id. */
#include <stdio.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "pvrelief/province.h"

static struct province_station st(const char *county, const char *id, double cap, double e_act,
				  double eth, double m_eta, double m_eth, long online,
				  double power_w)
{
	struct province_station s;
	memset(&s, 0, sizeof s);
	snprintf(s.county, sizeof s.county, "%s", county);
	snprintf(s.station, sizeof s.station, "%s", id);
	s.capacity_kwp = cap;
	s.e_act_wh = e_act;
	s.eth_wh = eth;
	s.energy_wh = isfinite(e_act) ? e_act + 100 : NAN;
	s.eta = isfinite(e_act) && isfinite(eth) ? e_act / eth : NAN;
	s.month_eta = m_eta;
	s.month_eth_wh = m_eth;
	s.month_energy_wh = isfinite(m_eta) ? m_eta * m_eth : NAN;
	s.live_at = online >= 0 ? 1000 : 0;
	s.online = online;
	s.devices = 2;
	s.power_w = power_w;
	return s;
}

static struct province_county county(const char *id, const char *status, long alerts)
{
	struct province_county c;
	memset(&c, 0, sizeof c);
	snprintf(c.county, sizeof c.county, "%s", id);
	snprintf(c.name, sizeof c.name, "%s", id);
	snprintf(c.status, sizeof c.status, "%s", status);
	c.alerts_active = alerts;
	c.alerts_critical = alerts / 2;
	return c;
}

int main(void)
{
	/* Stations ordered by county, as the reader gives them; county "b" has no station and
	 * county "x" a station whose county the hub has no row for. */
	struct province_station s[] = {
	    st("a", "a1", 100, 300000, 400000, 0.7, 1e7, 2, 50000),
	    st("a", "a2", 50, 100000, 100000, 0.9, 1e6, 1, 20000),
	    st("a", "a3", 60, NAN, NAN, NAN, NAN, -1, NAN),
	    st("c", "c1", 80, 200000, 250000, 0.6, 2e6, 0, 0),
	    st("d", "d1", 70, 150000, 200000, 0.85, 3e6, 2, 30000),
	    st("x", "x1", 10, 1, 1, 1, 1, 1, 1),
	};
	struct province_county k[] = {county("a", "online", 3), county("b", "", 0),
				      county("c", "online", 1), county("d", "offline", 0)};
	province_sum(k, 4, s, 6);
	/* County a: η of the day is (300000 + 100000) / (400000 + 100000), not the mean of 0.75
	 * and 1.0; a3 has no figure and counts as a station but not in η. */
	CHECK_INT(k[0].n, 3);
	CHECK_INT(k[0].first, 0);
	CHECK_NEAR(k[0].eta_day, 0.8, 1e-12);
	CHECK_INT(k[0].with_eta_day, 2);
	CHECK_NEAR(k[0].eta_month, (0.7 * 1e7 + 0.9 * 1e6) / 1.1e7, 1e-12);
	CHECK_INT(k[0].with_eta_month, 2);
	CHECK_NEAR(k[0].capacity_kwp, 210, 1e-9);
	CHECK_NEAR(k[0].energy_wh, 400200, 1e-9);
	CHECK_INT(k[0].online, 2);
	CHECK_NEAR(k[0].power_w, 70000, 1e-9);
	/* County b: nothing, and no figure rather than zero. */
	CHECK_INT(k[1].n, 0);
	CHECK(isnan(k[1].eta_day) && isnan(k[1].eta_month));
	/* County c: a station whose live summary has no device online is not online. */
	CHECK_INT(k[2].first, 3);
	CHECK_INT(k[2].online, 0);
	CHECK_NEAR(k[2].eta_day, 0.8, 1e-12);
	/* County d went offline (the broker's last will): its stations are not online, their
	 * power not counted, though their figures stay. */
	CHECK_INT(k[3].online, 0);
	CHECK_NEAR(k[3].power_w, 0, 1e-9);
	CHECK_NEAR(k[3].eta_day, 0.75, 1e-12);
	CHECK(!province_station_online(&s[4], "offline"));
	CHECK(province_station_online(&s[4], "online"));
	CHECK(province_station_online(&s[4], ""));
	CHECK(!province_station_online(&s[2], "online")); /* no live summary came */

	/* a and b sent their month's KPIs, a meeting the target by them and b not; c and d sent
	 * none, so they are counted in neither. */
	k[0].kpi.known = k[1].kpi.known = 1;
	k[0].kpi.meets_target = 1;
	k[1].kpi.meets_target = 0;
	k[2].kpi.meets_target = 1; /* not known: a figure of no month */
	struct province_county t;
	province_total(k, 4, &t);
	CHECK_INT(t.counties_with_kpi, 2);
	CHECK_INT(t.counties_meeting_target, 1);
	CHECK_INT(t.n, 5);
	CHECK_NEAR(t.eta_day, (400000.0 + 200000 + 150000) / (500000.0 + 250000 + 200000), 1e-12);
	CHECK_INT(t.alerts_active, 4);
	CHECK_INT(t.alerts_critical, 1);
	CHECK_INT(t.online, 2);

	/* Ranked worst first by the day: d (0.75), then a and c tie at 0.8 (by id), b last. */
	province_rank_counties(k, 4, PROVINCE_ETA_DAY);
	CHECK_STR(k[0].county, "d");
	CHECK_STR(k[1].county, "a");
	CHECK_STR(k[2].county, "c");
	CHECK_STR(k[3].county, "b");
	/* By the month: c (0.6), a (0.718), d (0.85), b. */
	province_rank_counties(k, 4, PROVINCE_ETA_MONTH);
	CHECK_STR(k[0].county, "c");
	CHECK_STR(k[1].county, "a");
	CHECK_STR(k[2].county, "d");
	CHECK_STR(k[3].county, "b");

	const struct province_station *r[] = {&s[0], &s[1], &s[2], &s[3], &s[4]};
	province_rank_stations(r, 5, PROVINCE_ETA_DAY);
	CHECK_STR(r[0]->station, "a1"); /* 0.75 */
	CHECK_STR(r[1]->station, "d1"); /* 0.75, then by id */
	CHECK_STR(r[2]->station, "c1"); /* 0.8 */
	CHECK_STR(r[3]->station, "a2"); /* 1.0 */
	CHECK_STR(r[4]->station, "a3"); /* none */
	province_rank_stations(r, 5, PROVINCE_ETA_MONTH);
	CHECK_STR(r[0]->station, "c1");
	CHECK_STR(r[4]->station, "a3");
	return check_summary();
}
