/* Fills a province hub's database the way the hub fills it: for each county configuration
 * given, the messages its uplink would send (built by publish_uplink.c from the loaded
 * configuration) are handed to hub_ingest, which stores them through store_hub.c. The
 * figures are made up but deterministic (a hash of county, station, day and seed), so a test
 * can compare the console with the database it reads.
 *   hub_fill --db HUB.db --day YYYY-MM-DD [--seed N] [--now UNIX] [--bare COUNTY]
 *            COUNTY.conf...
 * For each county: its registry; every station-day from the first of the month to DAY and
 * the month's sum; a live summary at noon of DAY (the first station in fault, the last one
 * offline, the others producing); a fault raised at its first station (active) and an offline
 * alert raised and cleared at its second; its money ledger's head and its month's KPIs (the
 * stations' month sums aggregated by efficiency_aggregate, with made-up rates), except for
 * the county named by --bare, which sends neither, as a county whose uplink predates them. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/efficiency.h"
#include "pvrelief/health.h"
#include "pvrelief/hub.h"
#include "pvrelief/ledger.h"
#include "pvrelief/log.h"
#include "pvrelief/publish_uplink.h"
#include "pvrelief/store_eff.h"

static unsigned long seed;
static const char *bare;   /* the county that sends no ledger head nor KPIs */
static unsigned long sent; /* messages handed to the hub */

/* A number in [0, 1) from the strings and the seed (FNV-1a). */
static double u(const char *a, const char *b, const char *c)
{
	uint64_t h = 1469598103934665603ULL ^ seed;
	const char *parts[] = {a, b, c};
	for (int i = 0; i < 3; i++) {
		for (const char *p = parts[i] ? parts[i] : ""; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	/* A final mix, so that keys differing in their last byte land far apart. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (double)(h >> 11) / 9007199254740992.0;
}

struct county {
	struct config *cfg;
	struct hub *hub;
	int64_t rev;
	double now;
};

static int send(struct county *k, const char *type, char *payload)
{
	char topic[256];
	snprintf(topic, sizeof topic, "pvrelief/%s/%s", k->cfg->county_id, type);
	int rc = hub_ingest(k->hub, topic, payload, strlen(payload), k->now);
	free(payload);
	sent += rc == 0;
	if (rc != 0)
		fprintf(stderr, "hub_fill: the hub could not store a %s message of %s\n", type,
			k->cfg->county_id);
	return rc;
}

/* The county's status, registry, station days, months, live summaries and alerts; fills fig
 * with each station's month sums. */
static int fill_stations(struct county *k, int year, int month, int mday, double noon,
			 const char *mon, struct efficiency_station_figure *fig)
{
	const struct config *cfg = k->cfg;
	if (send(k, "status", strdup("{\"state\":\"online\"}")) != 0 ||
	    send(k, "registry", publish_uplink_registry(cfg, ++k->rev, noon)) != 0)
		return -1;
	for (size_t i = 0; i < cfg->n_stations; i++) {
		const struct config_station *s = &cfg->stations[i];
		double m_energy = 0, m_eth = 0, m_act = 0;
		double base = 0.55 + 0.4 * u(cfg->county_id, s->id, "base");
		for (int d = 1; d <= mday; d++) {
			struct store_eff_day e;
			memset(&e, 0, sizeof e);
			e.station = s->id;
			char dbuf[32];
			snprintf(dbuf, sizeof dbuf, "%04d-%02d-%02d", year, month, d);
			snprintf(e.day, sizeof e.day, "%.10s", dbuf);
			double h_kwh_m2 = 3.0 + 3.0 * u(cfg->county_id, s->id, e.day);
			e.eth_wh = s->capacity_kwp * h_kwh_m2 * 0.8 * 1000.0;
			e.eta = base + 0.1 * (u(e.day, s->id, cfg->county_id) - 0.5);
			e.e_act_wh = e.eta * e.eth_wh;
			e.energy_wh = e.e_act_wh;
			e.pr = e.eta * 0.8 / 0.82;
			e.coverage = 1.0;
			e.curtailed_wh = 0;
			e.curtail_loss_wh = NAN;
			snprintf(e.basis, sizeof e.basis, "poa");
			snprintf(e.source, sizeof e.source, "sensor");
			e.grade = 1;
			e.judgeable = 1;
			m_energy += e.energy_wh;
			m_eth += e.eth_wh;
			m_act += e.e_act_wh;
			if (send(k, "day", publish_uplink_day(cfg, &e, ++k->rev, noon)) != 0)
				return -1;
		}
		fig[i] = (struct efficiency_station_figure){s->capacity_kwp, m_energy / 1000.0,
							    m_act / 1000.0, m_eth / 1000.0, 1};
		struct publish_uplink_month m = {s->id, mon, m_energy, m_eth, m_act / m_eth, 1};
		if (send(k, "month", publish_uplink_month(cfg, &m, ++k->rev, noon)) != 0)
			return -1;
		int last = i + 1 == cfg->n_stations && cfg->n_stations > 2;
		struct publish_uplink_live l = {
		    .station = s->id,
		    .state = i == 0 ? "fault"
			     : last ? "offline"
				    : "producing",
		    .power_w =
			last ? NAN : s->capacity_kwp * 1000.0 * (0.3 + 0.5 * u(s->id, "p", "")),
		    .energy_today_wh = s->capacity_kwp * 1000.0 * 2.5,
		    .devices = (long)s->n_devices,
		    .online = last ? 0 : (long)s->n_devices,
		};
		if (send(k, "live", publish_uplink_live(cfg, &l, ++k->rev, noon)) != 0)
			return -1;
		if (i < 2) {
			char title[256];
			snprintf(title, sizeof title, "%s %s", i == 0 ? "逆变器故障" : "通信中断",
				 s->name);
			struct publish_uplink_alert a = {
			    .event_id = (int64_t)i * 10 + 1,
			    .alert_id = (int64_t)i + 1,
			    .type = "raised",
			    .at = noon - 7200,
			    .raised_at = noon - 7200,
			    .kind = i == 0 ? "fault" : "offline",
			    .severity = i == 0 ? "critical" : "warning",
			    .station = s->id,
			    .device = "inv",
			    .title = title,
			};
			if (send(k, "alert", publish_uplink_alert(cfg, &a, ++k->rev, noon)) != 0)
				return -1;
			if (i == 1) {
				a.event_id++;
				a.type = "cleared";
				a.at = noon - 3600;
				if (send(k, "alert",
					 publish_uplink_alert(cfg, &a, ++k->rev, noon)) != 0)
					return -1;
			}
		}
	}
	return 0;
}

/* The county's ledger head and its KPIs of the month from the stations' month sums (fig, n),
 * as its uplink sends them. */
static int heads(struct county *k, const char *mon, const struct efficiency_station_figure *fig,
		 size_t n, double noon)
{
	const struct config *cfg = k->cfg;
	char text[128], hash[LEDGER_HASH_HEX_LEN + 1];
	int64_t seq = 100 + (int64_t)(900 * u(cfg->county_id, "ledger", ""));
	int len = snprintf(text, sizeof text, "%s:%lld:%lu", cfg->county_id, (long long)seq, seed);
	if (ledger_sha256_hex(text, (size_t)len, hash) != 0 ||
	    send(k, "ledger", publish_uplink_ledger(cfg, seq, hash, ++k->rev, noon)) != 0)
		return -1;
	struct health_station *hs = calloc(n + 1, sizeof *hs);
	double energy_kwh = 0;
	for (size_t i = 0; i < n; i++) {
		hs[i].capacity_kwp = fig[i].capacity_kwp;
		hs[i].pr_num = fig[i].e_act_kwh * 0.8 / 0.82;
		hs[i].pr_den = fig[i].e_th_kwh;
		energy_kwh += fig[i].energy_kwh;
	}
	struct health_report r = {
	    .county_id = cfg->county_id,
	    .county_name = cfg->county_name,
	    .until_unix = noon,
	    .county_target = cfg->efficiency.county_target,
	    .station_target = cfg->efficiency.station_target,
	    .stations = hs,
	    .n_stations = n,
	};
	snprintf(r.period, sizeof r.period, "%.7s", mon);
	efficiency_aggregate(fig, n, cfg->efficiency.station_target, cfg->efficiency.county_target,
			     &r.county.eff);
	r.county.energy_kwh = energy_kwh;
	r.county.online.rate = 0.9 + 0.1 * u(cfg->county_id, "online", "");
	r.county.fault.rate = 0.05 * u(cfg->county_id, "fault", "");
	r.county.anomaly.rate = 0.02 * u(cfg->county_id, "anomaly", "");
	int rc = send(k, "kpi", publish_uplink_kpi(cfg, &r, ++k->rev, noon));
	free(hs);
	return rc;
}

static int fill(struct county *k, int year, int month, int mday, double noon)
{
	const struct config *cfg = k->cfg;
	struct efficiency_station_figure *fig = calloc(cfg->n_stations + 1, sizeof *fig);
	char mon[16];
	snprintf(mon, sizeof mon, "%04d-%02d", year % 10000, month % 100);
	int rc = fill_stations(k, year, month, mday, noon, mon, fig);
	if (rc == 0 && !(bare && strcmp(bare, cfg->county_id) == 0))
		rc = heads(k, mon, fig, cfg->n_stations, noon);
	free(fig);
	return rc;
}

int main(int argc, char **argv)
{
	const char *db = NULL, *day = NULL;
	double now = (double)time(NULL);
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "--db") == 0)
			db = argv[i + 1];
		else if (strcmp(argv[i], "--day") == 0)
			day = argv[i + 1];
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--bare") == 0)
			bare = argv[i + 1];
		else if (strcmp(argv[i], "--now") == 0)
			now = strtod(argv[i + 1], NULL);
		else
			break;
	}
	int year, month, mday;
	if (!db || !day || i == argc || sscanf(day, "%4d-%2d-%2d", &year, &month, &mday) != 3) {
		fputs("usage: hub_fill --db HUB.db --day YYYY-MM-DD [--seed N] [--now UNIX] "
		      "[--bare COUNTY] COUNTY.conf...\n",
		      stderr);
		return 2;
	}
	log_init("hub_fill", 0, LOG_LEVEL_WARNING);
	/* The inbox is the hub's own journal: kept beside the database while filling, and empty
	 * (so removed) once every message is stored. */
	char inbox[4096];
	snprintf(inbox, sizeof inbox, "%s.inbox", db);
	struct hub *hub = hub_new(db, "pvrelief", inbox);
	if (!hub)
		return 1;
	int rc = 0;
	for (; i < argc && rc == 0; i++) {
		struct errlist errs = {0};
		struct config *cfg = config_load(argv[i], &errs);
		for (size_t e = 0; e < errs.n; e++)
			fprintf(stderr, "%s\n", errs.msgs[e]);
		errlist_clear(&errs);
		if (!cfg) {
			rc = 1;
			break;
		}
		struct tm tm = {
		    .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = mday, .tm_hour = 12};
		double noon = (double)timegm(&tm) - cfg->utc_offset_s;
		struct county k = {cfg, hub, 0, now};
		rc = fill(&k, year, month, mday, noon) != 0;
		config_free(cfg);
	}
	/* The writer stores behind hub_ingest: wait until it has judged every message, so that
	 * the refused count is the whole run's. */
	struct hub_stats s;
	for (int waited_ms = 0;; waited_ms += 10) {
		hub_get_stats(hub, &s);
		if (s.stored + s.stale + s.refused >= sent || waited_ms >= 120000)
			break;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	hub_free(hub);
	if (s.stored + s.stale + s.refused < sent) {
		fprintf(stderr, "hub_fill: the hub judged %llu of %lu messages in 120 s\n",
			(unsigned long long)(s.stored + s.stale + s.refused), sent);
		rc = 1;
	}
	unlink(inbox);
	if (rc == 0 && s.refused > 0) {
		fprintf(stderr, "hub_fill: the hub refused %llu messages\n",
			(unsigned long long)s.refused);
		rc = 1;
	}
	return rc;
}
