/* /metrics: names, units and types as the Prometheus naming guide asks, labels escaped, and
 * samples without a value left out rather than written as 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/web_metrics.h"

int main(void)
{
	struct web_metrics_station st[2] = {
	    {"s1", 12500, 1000, 0.82, 0.75, 1, 2, 2, 90, 7, 3},
	    {"a\"b", NAN, 0, NAN, NAN, 0, 1, 0, 0, 4, 4},
	};
	struct web_metrics_alerts al[1] = {{"fault", "critical", 2}};
	struct web_metrics m = {"0.1.0", st, 2, al, 1, 5, 12.5, 0};
	struct strbuf b = {0};
	web_metrics_render(&m, &b);
	char *t = strbuf_take(&b);
	CHECK_CONTAINS(
	    t, "# TYPE pvrelief_build_info gauge\npvrelief_build_info{version=\"0.1.0\"} 1\n");
	CHECK_CONTAINS(t, "# TYPE pvrelief_station_power_watts gauge\n");
	CHECK_CONTAINS(t, "pvrelief_station_power_watts{station=\"s1\"} 12500\n");
	/* 1000 Wh is 3.6 MJ, and energy is a counter. */
	CHECK_CONTAINS(t, "# TYPE pvrelief_station_energy_joules_total counter\n");
	CHECK_CONTAINS(t, "pvrelief_station_energy_joules_total{station=\"s1\"} 3600000\n");
	CHECK_CONTAINS(t, "pvrelief_station_generation_ratio{station=\"s1\",period=\"day\"} "
			  "0.81999999999999995\n");
	CHECK_CONTAINS(t, "pvrelief_station_online{station=\"s1\"} 1\n");
	CHECK_CONTAINS(t, "pvrelief_station_devices_online_ratio{station=\"s1\"} 1\n");
	CHECK_CONTAINS(t, "pvrelief_modbus_requests_total{station=\"s1\",result=\"ok\"} 90\n");
	CHECK_CONTAINS(t, "pvrelief_modbus_requests_total{station=\"s1\",result=\"timeout\"} 3\n");
	CHECK_CONTAINS(t, "pvrelief_alerts_active{kind=\"fault\",severity=\"critical\"} 2\n");
	CHECK_CONTAINS(t, "pvrelief_outbox_messages 5\n");
	CHECK_CONTAINS(t, "pvrelief_data_age_seconds 12.5\n");
	CHECK_CONTAINS(t, "pvrelief_daemon_silent 0\n");
	/* The second station: escaped label, no power or eta sample at all. */
	CHECK_CONTAINS(t, "pvrelief_station_online{station=\"a\\\"b\"} 0\n");
	CHECK(strstr(t, "pvrelief_station_power_watts{station=\"a\\\"b\"}") == NULL);
	CHECK(strstr(t, "generation_ratio{station=\"a\\\"b\"") == NULL);
	CHECK(strstr(t, "NaN") == NULL && strstr(t, "nan") == NULL);
	/* Every family is declared once, before its samples. */
	CHECK(strstr(t, "# TYPE pvrelief_station_online gauge") <
	      strstr(t, "pvrelief_station_online{"));
	free(t);
	/* The province's counties: labelled by county, escaped, no sample without a value. */
	struct web_metrics_county cs[2] = {{"c1", 3, 2, 42000, 0.8, 0.75, 1, 36280, 1, 0.5},
					   {"x\"y", 1, 0, 0, NAN, NAN, 0, NAN, NAN, NAN}};
	struct strbuf cb = {0};
	web_metrics_render_counties(cs, 2, &cb);
	char *ct = strbuf_take(&cb);
	CHECK_CONTAINS(ct, "# TYPE pvrelief_county_stations gauge\npvrelief_county_stations{county="
			   "\"c1\"} 3\n");
	CHECK_CONTAINS(ct, "pvrelief_county_stations_online{county=\"c1\"} 2\n");
	CHECK_CONTAINS(ct, "pvrelief_county_power_watts{county=\"c1\"} 42000\n");
	CHECK_CONTAINS(ct,
		       "pvrelief_county_generation_ratio{county=\"c1\",period=\"month\"} 0.75\n");
	CHECK_CONTAINS(ct, "pvrelief_county_alerts_active{county=\"x\\\"y\"} 0\n");
	CHECK(strstr(ct, "pvrelief_county_generation_ratio{county=\"x") == NULL);
	/* What the county sent: its ledger head and month KPIs; none from the other. */
	CHECK_CONTAINS(ct, "pvrelief_county_ledger_head_seq{county=\"c1\"} 36280\n");
	CHECK_CONTAINS(ct, "pvrelief_county_meets_target{county=\"c1\"} 1\n");
	CHECK_CONTAINS(ct, "pvrelief_county_online_rate{county=\"c1\"} 0.5\n");
	CHECK(strstr(ct, "pvrelief_county_ledger_head_seq{county=\"x") == NULL);
	CHECK(strstr(ct, "pvrelief_county_meets_target{county=\"x") == NULL);
	free(ct);
	return check_summary();
}
