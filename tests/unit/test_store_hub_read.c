/* The console's readers of the hub's tables (store_hub_read.c) on a real SQLite file written
 * by the hub's own writers (store_hub.c), opened read-only as the console opens it: stations
 * of the registry and stations that only sent a figure, the day's, the month's and the live
 * figures, active alerts (an alert cleared is not active, whatever order its events came in),
 * a station's days and months. Then the day table goes bad on disk in the middle of a row
 * loop: the readers report the error, never the rows before it as a whole result. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/province.h"
#include "pvrelief/store.h"
#include "pvrelief/store_hub.h"
#include "pvrelief/store_hub_read.h"

enum { DAYS = 3000, PAGE = 4096, BAD_PAGES = 3 };

static void day_name(int i, char *buf)
{
	char tmp[48];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", 2000 + i / 372 % 100, 1 + i / 31 % 12,
		 1 + i % 31);
	memcpy(buf, tmp, 10);
	buf[10] = '\0';
}

static void day_put(struct store *st, const char *county, const char *station, const char *day,
		    double eta, int64_t rev)
{
	struct store_hub_day d = {.county = county,
				  .station = station,
				  .day = day,
				  .energy_wh = 1000 * eta,
				  .e_act_wh = 1000 * eta,
				  .eth_wh = 1000,
				  .eta = eta,
				  .pr = NAN,
				  .coverage = 1,
				  .curtailed_wh = NAN,
				  .curtail_loss_wh = NAN,
				  .basis = "poa",
				  .source = "sensor",
				  .grade = 1,
				  .judgeable = 1};
	CHECK(store_hub_day_put(st, &d, rev) >= 0);
}

static void alert_put(struct store *st, const char *county, int64_t event, int64_t alert,
		      const char *type, const char *station, const char *severity, double at)
{
	struct store_hub_alert a = {county,  event, alert,     type, "fault", severity,
				    station, "inv", "a title", at,   at};
	CHECK(store_hub_alert_put(st, &a, event) >= 0);
}

static void populate(const char *path)
{
	char err[256];
	struct store *st = store_open(path, 0, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		exit(1);
	CHECK_INT(store_begin(st), 0);
	struct store_hub_station reg[] = {
	    {.station = "a1",
	     .name = "甲",
	     .village = "v",
	     .town = "t",
	     .capacity_kwp = 100,
	     .lat = 31.5,
	     .lon = 116.5},
	    {.station = "a2",
	     .name = "<b>乙</b>",
	     .village = "v",
	     .town = "t",
	     .capacity_kwp = 50,
	     .lat = NAN,
	     .lon = NAN},
	};
	CHECK_INT(store_hub_registry(st, "a", "县甲", 1, reg, 2), 1);
	CHECK_INT(store_hub_county_status(st, "a", "online", 10), 1);
	CHECK(store_hub_county_seen(st, "a", 20) >= 0);
	CHECK(store_hub_county_seen(st, "b", 30) >= 0);
	CHECK(store_hub_county_seen(st, "z", 5) >= 0);
	day_put(st, "a", "a1", "2026-06-21", 0.8, 2);
	/* b sent a figure before its registry. */
	day_put(st, "b", "b1", "2026-06-21", 0.6, 1);
	struct store_hub_month m = {"a", "a1", "2026-06", 5e5, 6e5, 5.0 / 6, 1};
	CHECK_INT(store_hub_month_put(st, &m, 3), 1);
	struct store_hub_live l = {"a", "a1", "producing", 1000, 42000, 2e5, 2, 2};
	CHECK_INT(store_hub_live_put(st, &l, 4), 1);
	/* County a sent its ledger head and the KPIs of June and May; b sent none. */
	struct store_hub_ledger h = {"a", "95bc0123456789abcdef", 36280, 900, 5};
	CHECK_INT(store_hub_ledger_put(st, &h), 1);
	struct store_hub_kpi kp = {.county = "a",
				   .month = "2026-06",
				   .until = 950,
				   .stations = 2,
				   .stations_with_eta = 2,
				   .stations_meeting_target = 1,
				   .energy_wh = 1e6,
				   .e_act_wh = 9e5,
				   .eth_wh = 1e6,
				   .eta = 0.9,
				   .eta_grade12 = 0.9,
				   .pr = 0.85,
				   .capability_pct = 90,
				   .equivalent_hours = 3,
				   .online_rate = 0.975,
				   .fault_rate = 0.01,
				   .anomaly_rate = 0,
				   .county_target = 0.8,
				   .meets_target = 1,
				   .worst_grade = 1};
	CHECK_INT(store_hub_kpi_put(st, &kp, 6), 1);
	kp.month = "2026-05";
	kp.meets_target = 0;
	kp.online_rate = 0.5;
	CHECK_INT(store_hub_kpi_put(st, &kp, 7), 1);
	/* a1: a fault raised and active; a2: one raised, then cleared, the clearing arriving
	 * first; b: a county-wide alert. */
	alert_put(st, "a", 1, 1, "raised", "a1", "critical", 100);
	alert_put(st, "a", 3, 2, "cleared", "a2", "warning", 300);
	alert_put(st, "a", 2, 2, "raised", "a2", "warning", 200);
	alert_put(st, "a", 4, 1, "acknowledged", "a1", "critical", 400);
	alert_put(st, "b", 1, 1, "raised", "", "warning", 150);
	/* Enough days of one station for many leaf pages, written last so that they are the
	 * file's tail. */
	for (int i = 0; i < DAYS; i++) {
		char d[11];
		day_name(i, d);
		day_put(st, "z", "z1", d, 0.5, 10 + i);
	}
	CHECK_INT(store_commit(st), 0);
	store_close(st);
}

static void corrupt_tail(const char *path)
{
	struct stat sb;
	CHECK_INT(stat(path, &sb), 0);
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	unsigned char junk[PAGE];
	memset(junk, 0x5a, sizeof junk);
	off_t pages = sb.st_size / PAGE;
	for (off_t p = pages - BAD_PAGES; p < pages; p++)
		CHECK_INT(pwrite(fd, junk, sizeof junk, p * PAGE), PAGE);
	close(fd);
}

int main(void)
{
	char dir[] = "/tmp/pvrelief-hubread.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[256];
	snprintf(path, sizeof path, "%s/hub.db", dir);
	populate(path);

	char err[256];
	struct store *st = store_open(path, STORE_READONLY, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return 1;
	CHECK_INT(store_hub_read_begin(st), 0);
	struct province_county *k = NULL;
	size_t nk = 0;
	CHECK_INT(store_hub_read_counties(st, "2026-06", &k, &nk), 0);
	CHECK_INT(nk, 3);
	if (nk == 3) {
		CHECK_STR(k[0].county, "a");
		CHECK_STR(k[0].name, "县甲");
		CHECK_STR(k[0].status, "online");
		CHECK_NEAR(k[0].last_seen, 20, 0);
		/* Only a1's fault is active: a2's alert was cleared though its clearing came
		 * first. */
		CHECK_INT(k[0].alerts_active, 1);
		CHECK_INT(k[0].alerts_critical, 1);
		CHECK_STR(k[1].county, "b");
		CHECK_STR(k[1].name, "b");
		CHECK_INT(k[1].alerts_active, 1);
		CHECK_INT(k[1].alerts_critical, 0);
		/* a's head and June's KPIs, not May's; b sent neither. */
		CHECK_INT(k[0].head_seq, 36280);
		CHECK_STR(k[0].head_hash, "95bc0123456789abcdef");
		CHECK_NEAR(k[0].head_at, 900, 0);
		CHECK_INT(k[0].kpi.known, 1);
		CHECK_NEAR(k[0].kpi.online_rate, 0.975, 1e-12);
		CHECK_NEAR(k[0].kpi.capability_pct, 90, 1e-12);
		CHECK_INT(k[0].kpi.meets_target, 1);
		CHECK_INT(k[0].kpi.stations_meeting_target, 1);
		CHECK_INT(k[1].head_seq, -1);
		CHECK_INT(k[1].kpi.known, 0);
	}
	struct province_station *s = NULL;
	size_t ns = 0;
	CHECK_INT(store_hub_read_stations(st, NULL, "2026-06-21", "2026-06", &s, &ns), 0);
	/* a1, a2 from the registry, b1 from its figure; z1 has no figure that day. */
	CHECK_INT(ns, 3);
	if (ns == 3) {
		CHECK_STR(s[0].station, "a1");
		CHECK_NEAR(s[0].eta, 0.8, 1e-12);
		CHECK_NEAR(s[0].month_eta, 5.0 / 6, 1e-12);
		CHECK_NEAR(s[0].power_w, 42000, 0);
		CHECK_STR(s[0].state, "producing");
		CHECK_INT(s[0].online, 2);
		CHECK_INT(s[0].alerts_active, 1);
		CHECK_NEAR(s[0].capacity_kwp, 100, 0);
		CHECK_STR(s[1].name, "<b>乙</b>");
		CHECK(isnan(s[1].eta) && isnan(s[1].lat) && s[1].live_at == 0);
		CHECK_INT(s[1].alerts_active, 0);
		CHECK_STR(s[2].county, "b");
		CHECK_STR(s[2].name, "b1"); /* no registry yet: its id */
		CHECK(isnan(s[2].capacity_kwp));
	}
	province_sum(k, nk, s, ns);
	CHECK_NEAR(k[0].eta_day, 0.8, 1e-12);
	free(s);
	CHECK_INT(store_hub_read_stations(st, "b", "2026-06-21", "2026-06", &s, &ns), 0);
	CHECK_INT(ns, 1);
	free(s);
	free(k);
	struct store_hub_read_alert al[8];
	CHECK_INT(store_hub_read_alerts(st, "a", NULL, 1, al, 8), 1);
	/* The active alert shows its newest event. */
	CHECK_STR(al[0].type, "acknowledged");
	CHECK_STR(al[0].station, "a1");
	CHECK_INT(store_hub_read_alerts(st, NULL, NULL, 1, al, 8), 2);
	CHECK_INT(store_hub_read_alerts(st, "a", "a2", 0, al, 8), 2);
	CHECK_STR(al[0].type, "cleared"); /* newest first */
	struct store_hub_read_month mo[4];
	CHECK_INT(store_hub_read_months(st, "a", "a1", mo, 4), 1);
	CHECK_STR(mo[0].month, "2026-06");
	double newest, live;
	CHECK_INT(store_hub_read_newest(st, &newest, &live), 0);
	CHECK_NEAR(newest, 30, 0);
	CHECK_NEAR(live, 1000, 0);
	struct store_hub_read_day *days = calloc(DAYS, sizeof *days);
	char first[11], last[11];
	day_name(0, first);
	day_name(DAYS - 1, last);
	CHECK_INT(store_hub_read_days(st, "z", "z1", first, last, days, DAYS), DAYS);
	store_hub_read_end(st);
	store_close(st);

	corrupt_tail(path);
	st = store_open(path, STORE_READONLY, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return 1;
	/* The loop reads the first days, then fails: the reader says so. */
	CHECK_INT(store_hub_read_days(st, "z", "z1", first, last, days, DAYS), -1);
	CHECK_INT(store_hub_read_days(st, "z", "z1", first, first, days, DAYS), 1);
	CHECK_INT(store_hub_read_stations(st, NULL, last, "2026-06", &s, &ns), -1);
	CHECK(s == NULL && ns == 0);
	store_close(st);
	free(days);
	char side[300];
	const char *suffix[] = {"", "-wal", "-shm", ".lock"};
	for (int i = 0; i < 4; i++) {
		snprintf(side, sizeof side, "%s%s", path, suffix[i]);
		unlink(side);
	}
	rmdir(dir);
	return check_summary();
}
