/* The alert engine: rules over live device state and efficiency figures, the lifecycle of
 * alert.c, and delivery that loses nothing (alert row and outbox row in one transaction). */
#include "pvrelief/alert_engine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/alert.h"
#include "pvrelief/clock.h"
#include "pvrelief/eff_engine.h"
#include "pvrelief/config.h"
#include "pvrelief/efficiency.h"
#include "pvrelief/energy.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/linkbytes.h"
#include "pvrelief/log.h"
#include "pvrelief/mppt.h"
#include "pvrelief/mqtt.h"
#include "pvrelief/periodic.h"
#include "pvrelief/poller.h"
#include "pvrelief/publish.h"
#include "pvrelief/regmap.h"
#include "pvrelief/solar.h"
#include "pvrelief/store.h"
#include "pvrelief/store_alert.h"
#include "pvrelief/store_maintenance.h"
#include "pvrelief/store_eff.h"
#include "pvrelief/store_links.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_outbox.h"
#include "pvrelief/webhook.h"
#include "pvrelief/xalloc.h"

enum { BUCKETS = 6, BUCKET_S = 600, MAX_ACTIVE = 4096, EFF_LOOKBACK_DAYS = 14 };

struct devstate {
	int seen;
	double last_valid; /* clock time of the last accepted reading */
	int answered;
	double last_answer; /* clock time of the last answer, accepted or rejected */
	int state_known;
	enum inv_state state;
	uint32_t events, fault_code;
	int power_known;
	double power_w;
	unsigned n_inputs; /* DC inputs with a current in the last reading (model 160) */
	double input_dca[READING_MAX_INPUTS];
	/* Readings and rejected readings in the last hour, in 10-minute buckets. */
	double bucket_at[BUCKETS];
	unsigned readings[BUCKETS], rejected[BUCKETS];
};

struct alert_engine {
	const struct config *cfg;
	struct clock *clk;
	struct poller *poller;
	struct eff_engine *analysis;
	struct mqtt *mqtt;
	struct webhook *webhook;
	struct store *store;
	struct alert_tracker *tracker;
	size_t *first_dev; /* per station: index of its first device */
	struct devstate *devs;
	size_t n_devs;
	int *availability; /* last published per device: -1 none, 0 offline, 1 online */
	double started, installed_at;
	int zh;

	pthread_mutex_t lock; /* guards devs */
	struct periodic *thread;
	int discovered; /* Home Assistant discovery sent */
};

/* One rule's verdict and the words and figures that go with it. */
struct verdict {
	struct alert_obs obs;
	struct publish_figure fig[6];
	size_t n_fig;
	char detail[256];
};

static void add_fig(struct verdict *v, const char *name, double value, const char *unit)
{
	if (v->n_fig < sizeof v->fig / sizeof v->fig[0])
		v->fig[v->n_fig++] = (struct publish_figure){name, value, unit};
}

struct alert_engine *alert_engine_new(const struct config *cfg, struct clock *clk,
				      struct poller *poller, struct eff_engine *analysis,
				      struct mqtt *mqtt, struct webhook *webhook)
{
	char err[512], buf[32];
	struct alert_engine *a = xcalloc(1, sizeof *a);
	a->cfg = cfg;
	a->clk = clk;
	a->poller = poller;
	a->analysis = analysis;
	a->mqtt = mqtt;
	a->webhook = webhook;
	a->zh = strcmp(cfg->alerts.language, "zh") == 0;
	pthread_mutex_init(&a->lock, NULL);
	a->n_devs = config_device_count(cfg);
	a->devs = xcalloc(a->n_devs ? a->n_devs : 1, sizeof *a->devs);
	a->availability = xcalloc(a->n_devs ? a->n_devs : 1, sizeof *a->availability);
	for (size_t i = 0; i < a->n_devs; i++)
		a->availability[i] = -1;
	a->first_dev = xcalloc(cfg->n_stations ? cfg->n_stations : 1, sizeof *a->first_dev);
	for (size_t s = 0, k = 0; s < cfg->n_stations; k += cfg->stations[s].n_devices, s++)
		a->first_dev[s] = k;
	a->started = clock_now(clk);
	if (!(a->store = store_open(cfg->database.path, 0, err, sizeof err))) {
		log_err("alerts: %s", err);
		goto fail;
	}
	store_set_max_size(a->store, cfg->database.max_size_mb);
	/* Inspections are due from the day the county started using pvrelief, not from 1970. */
	if (store_meta_get(a->store, "installed_at", buf, sizeof buf) == 0) {
		a->installed_at = strtod(buf, NULL);
	} else {
		a->installed_at = a->started;
		snprintf(buf, sizeof buf, "%.0f", a->installed_at);
		store_meta_set(a->store, "installed_at", buf);
	}
	uint64_t max_id = 0;
	if (store_alert_max_id(a->store, &max_id) != 0)
		goto fail_db;
	struct alert_settings set = {.raise_delay_s = cfg->alerts.raise_delay_s,
				     .clear_delay_s = cfg->alerts.raise_delay_s / 2.0,
				     .hysteresis = cfg->alerts.clear_hysteresis,
				     .burst_cap = cfg->alerts.burst_cap};
	a->tracker = alert_tracker_new(&set, max_id);
	/* Alerts active when the daemon stopped stay active: never raised again, cleared
	 * when their condition clears. */
	struct store_alert *active = xcalloc(MAX_ACTIVE, sizeof *active);
	struct store_alert_filter f = {.active_only = 1};
	int n = store_alert_list(a->store, &f, active, MAX_ACTIVE);
	for (int i = 0; i < n; i++) {
		int kind = alert_kind_parse(active[i].kind);
		const struct config_station *st =
		    active[i].station[0] ? config_station_find(cfg, active[i].station) : NULL;
		int station = st ? (int)(st - cfg->stations) : -1;
		int device = -1;
		for (size_t d = 0; st && d < st->n_devices; d++)
			if (strcmp(st->devices[d].id, active[i].device) == 0)
				device = (int)d;
		if (kind < 0 || (active[i].station[0] && !st))
			continue; /* a station or kind no longer configured */
		struct alert_key key = {(enum alert_kind)kind, station, device};
		alert_tracker_restore(a->tracker, &key, active[i].id, active[i].raised_at);
	}
	free(active);
	if (n < 0)
		goto fail_db;
	if (n > 0)
		log_info("alerts: %d active alerts restored", n);
	return a;
fail_db:
	log_err("alerts: database %s: %s", cfg->database.path, store_errmsg(a->store));
fail:
	alert_engine_free(a);
	return NULL;
}

void alert_engine_free(struct alert_engine *a)
{
	if (!a)
		return;
	alert_tracker_free(a->tracker);
	store_close(a->store);
	free(a->devs);
	free(a->availability);
	free(a->first_dev);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

void alert_engine_on_result(void *ctx, const struct poller_result *res)
{
	struct alert_engine *a = ctx;
	struct devstate *d = &a->devs[a->first_dev[res->station] + res->device];
	pthread_mutex_lock(&a->lock);
	int b = (int)((long long)floor(res->ts / BUCKET_S) % BUCKETS);
	double at = floor(res->ts / BUCKET_S) * BUCKET_S;
	if (d->bucket_at[b] != at) {
		d->bucket_at[b] = at;
		d->readings[b] = d->rejected[b] = 0;
	}
	if (res->ok) {
		const struct reading *r = res->reading;
		d->answered = 1;
		d->last_answer = res->ts;
		int rejected = (res->quality & ENERGY_Q_REJECTED) != 0;
		d->readings[b]++;
		d->rejected[b] += rejected;
		if (!rejected) {
			d->seen = 1;
			d->last_valid = res->ts;
			d->state_known = reading_has(r, RF_STATE);
			d->state = r->state;
			d->events = reading_has(r, RF_EVENTS) ? r->events : 0;
			d->fault_code = reading_has(r, RF_FAULT_CODE) ? r->fault_code : 0;
			d->power_known = reading_has(r, RF_POWER_W);
			d->power_w = d->power_known ? r->value[RF_POWER_W] : 0;
			if (r->n_inputs > 0) { /* read with the energy counters only */
				d->n_inputs = r->n_inputs;
				memcpy(d->input_dca, r->input_dca, sizeof d->input_dca);
			}
		}
	}
	pthread_mutex_unlock(&a->lock);
}

/* ---- words ---- */

static const char *sname(const struct alert_engine *a, int station)
{
	return station >= 0 ? a->cfg->stations[station].name : a->cfg->county_name;
}

static void title_of(const struct alert_engine *a, const struct alert_key *k, int cleared,
		     char *buf, size_t len)
{
	const char *dev =
	    k->device >= 0 ? a->cfg->stations[k->station].devices[k->device].id : NULL;
	if (a->zh)
		snprintf(buf, len, "%s%s%s %s%s", sname(a, k->station), dev ? " " : "",
			 dev ? dev : "", alert_kind_name_zh(k->kind), cleared ? "（已恢复）" : "");
	else
		snprintf(buf, len, "%s%s%s: %s%s", sname(a, k->station), dev ? " " : "",
			 dev ? dev : "", alert_kind_name(k->kind), cleared ? " (cleared)" : "");
}

/* A duration for people: "1 minute", "25 minutes", "3 h 5 min", "2 d 4 h" (Chinese likewise). */
static void duration_words(double seconds, int zh, char *buf, size_t len)
{
	long min = seconds > 0 ? (long)floor(seconds / 60.0 + 0.5) : 0;
	if (min < 1)
		snprintf(buf, len, "%s", zh ? "不到1分钟" : "under a minute");
	else if (min < 60)
		snprintf(buf, len, zh ? "%ld分钟" : "%ld minute%s", min, min == 1 ? "" : "s");
	else if (min < 48 * 60)
		snprintf(buf, len, zh ? "%ld小时%ld分钟" : "%ld h %ld min", min / 60, min % 60);
	else
		snprintf(buf, len, zh ? "%ld天%ld小时" : "%ld d %ld h", min / 1440,
			 min % 1440 / 60);
}

/* What is true when an alert clears, and how long it lasted: a cleared event must not repeat
 * the words of the condition that no longer holds. */
static void cleared_words(const struct alert_engine *a, const struct alert_event *ev,
			  const struct verdict *v, char *buf, size_t len)
{
	int zh = a->zh, have = v && isfinite(v->obs.value) && v->obs.thresholded;
	double x = have ? v->obs.value : NAN;
	char now[160], lasted[48];
	switch (ev->key.kind) {
	case ALERT_OFFLINE:
		snprintf(now, sizeof now, "%s", zh ? "已恢复应答" : "answering again");
		break;
	case ALERT_FAULT:
		snprintf(now, sizeof now, "%s", zh ? "已退出故障状态" : "out of the fault state");
		break;
	case ALERT_ZERO_OUTPUT:
		snprintf(now, sizeof now, "%s", zh ? "已恢复发电" : "producing again");
		break;
	case ALERT_DATA_ANOMALY:
		if (have)
			snprintf(now, sizeof now,
				 zh ? "近一小时被拒读数占比降至%.0f%%"
				    : "rejected readings down to %.0f%% in the last hour",
				 100.0 * x);
		else
			snprintf(now, sizeof now, "%s",
				 zh ? "读数已恢复正常" : "readings accepted again");
		break;
	case ALERT_LOW_EFFICIENCY:
	case ALERT_COUNTY_AT_RISK:
		if (have)
			snprintf(now, sizeof now,
				 zh ? "发电参数回升至%.2f" : "generation parameter back to %.2f",
				 x);
		else
			snprintf(now, sizeof now, "%s",
				 zh ? "发电参数已达标" : "generation parameter back on target");
		break;
	case ALERT_PR_DROP:
		if (have)
			snprintf(now, sizeof now,
				 zh ? "性能比回升至本站基准的%.0f%%"
				    : "PR back to %.0f%% of its own baseline",
				 100.0 * x);
		else
			snprintf(now, sizeof now, "%s", zh ? "性能比已恢复" : "PR recovered");
		break;
	case ALERT_CLEANING_DUE:
		if (have)
			snprintf(
			    now, sizeof now,
			    zh ? "已登记清洗，等效利用小时恢复到其他电站中位数的%.0f%%"
			       : "cleaning logged, yield back to %.0f%% of the other stations' "
				 "median",
			    100.0 * x);
		else
			snprintf(now, sizeof now, "%s",
				 zh ? "已登记清洗，发电已恢复"
				    : "cleaning logged, yield recovered");
		break;
	case ALERT_INSPECTION_OVERDUE:
		snprintf(now, sizeof now, "%s", zh ? "已登记巡检" : "inspection logged");
		break;
	case ALERT_LINK_BUDGET:
		if (have)
			snprintf(
			    now, sizeof now,
			    zh ? "本月流量预计%.1f MB，回到套餐以内"
			       : "the month's projection is back to %.1f MB, within the budget",
			    x);
		else
			snprintf(now, sizeof now, "%s",
				 zh ? "流量回到套餐以内" : "traffic back within the budget");
		break;
	default:
		snprintf(now, sizeof now, "%s",
			 zh ? "条件已不再成立" : "the condition no longer holds");
		break;
	}
	duration_words(ev->at - ev->raised_at, zh, lasted, sizeof lasted);
	snprintf(buf, len, zh ? "%s，持续%s" : "%s; lasted %s", now, lasted);
}

static enum webhook_severity webhook_sev(enum alert_severity s)
{
	return s == ALERT_SEV_CRITICAL ? WEBHOOK_CRITICAL
	       : s == ALERT_SEV_INFO   ? WEBHOOK_INFO
				       : WEBHOOK_WARNING;
}

/* ---- delivery ---- */

/* Stores the event and its MQTT outbox row in one transaction, so a crash can lose neither
 * without the other; then hands it to the chat groups. */
static void deliver(struct alert_engine *a, const struct alert_event *ev, const struct verdict *v)
{
	const struct config *cfg = a->cfg;
	const struct alert_key *k = &ev->key;
	char title[256], topic[512];
	title_of(a, k, ev->type == ALERT_EV_CLEARED, title, sizeof title);
	const char *dev = k->device >= 0 ? cfg->stations[k->station].devices[k->device].id : "";
	const char *detail = v ? v->detail : ev->detail;
	char cleared[256];
	if (ev->type == ALERT_EV_CLEARED && ev->key.kind != ALERT_SUMMARY) {
		cleared_words(a, ev, v, cleared, sizeof cleared);
		detail = cleared;
	}
	struct publish_alert pa = {.id = ev->id,
				   .cleared = ev->type == ALERT_EV_CLEARED,
				   .kind = alert_kind_name(k->kind),
				   .kind_zh = alert_kind_name_zh(k->kind),
				   .severity = alert_severity_name(alert_kind_severity(k->kind)),
				   .station = k->station,
				   .device = dev,
				   .title = title,
				   .detail = detail,
				   .figures = v ? v->fig : NULL,
				   .n_figures = v ? v->n_fig : 0,
				   .raised_at = ev->raised_at,
				   .at = ev->at};
	char *figures = publish_figures_json(pa.figures, pa.n_figures);
	char *payload = publish_alert_event(cfg, &pa);
	int ok = store_begin(a->store) == 0;
	if (ok && ev->type == ALERT_EV_RAISED) {
		struct store_alert row = {
		    .id = ev->id, .raised_at = ev->raised_at, .suppressed = ev->suppressed};
		snprintf(row.kind, sizeof row.kind, "%s", pa.kind);
		snprintf(row.severity, sizeof row.severity, "%s", pa.severity);
		snprintf(row.station, sizeof row.station, "%s",
			 k->station >= 0 ? cfg->stations[k->station].id : "");
		snprintf(row.device, sizeof row.device, "%s", dev);
		snprintf(row.title, sizeof row.title, "%s", title);
		snprintf(row.detail, sizeof row.detail, "%s", detail);
		snprintf(row.figures, sizeof row.figures, "%s", figures);
		ok = store_alert_raise(a->store, &row) == 0;
	} else if (ok) {
		ok = store_alert_clear(a->store, ev->id, ev->at, figures) >= 0;
	}
	if (ok && a->mqtt && !ev->suppressed) {
		char suffix[160];
		if (k->station >= 0)
			snprintf(suffix, sizeof suffix, "%s/alert", cfg->stations[k->station].id);
		else
			snprintf(suffix, sizeof suffix, "alert");
		int64_t id;
		ok = mqtt_topic(a->mqtt, suffix, topic, sizeof topic) == 0 &&
		     store_outbox_add(a->store, topic, payload, 1, ev->at, &id) == 0;
	}
	if (ok)
		ok = store_commit(a->store) == 0;
	else
		store_rollback(a->store);
	if (!ok)
		log_err("alerts: cannot store alert %llu (%s %s): %s", (unsigned long long)ev->id,
			pa.kind, title, store_errmsg(a->store));
	else
		log_info("alert %llu %s: %s%s%s", (unsigned long long)ev->id,
			 pa.cleared ? "cleared" : "raised", title, *detail ? ": " : "", detail);
	if (a->mqtt)
		mqtt_notify(a->mqtt);
	if (a->webhook && !ev->suppressed) {
		struct webhook_event we = {.id = (int64_t)ev->id,
					   .severity = webhook_sev(alert_kind_severity(k->kind)),
					   .cleared = pa.cleared,
					   .time_unix = (int64_t)floor(ev->at)};
		snprintf(we.kind, sizeof we.kind, "%s", pa.kind);
		if (k->station >= 0) {
			const struct config_station *st = &cfg->stations[k->station];
			snprintf(we.station_id, sizeof we.station_id, "%s", st->id);
			snprintf(we.station_name, sizeof we.station_name, "%s", st->name);
			snprintf(we.village_name, sizeof we.village_name, "%s",
				 cfg->villages[st->village].name);
		} else {
			snprintf(we.station_name, sizeof we.station_name, "%s", cfg->county_name);
		}
		snprintf(we.device_id, sizeof we.device_id, "%s", dev);
		snprintf(we.title, sizeof we.title, "%s", title);
		snprintf(we.detail, sizeof we.detail, "%s", detail);
		for (size_t i = 0; v && i < v->n_fig && i < WEBHOOK_MAX_FIGURES; i++) {
			struct webhook_figure *f = &we.figures[we.n_figures++];
			snprintf(f->name, sizeof f->name, "%s", v->fig[i].name);
			snprintf(f->unit, sizeof f->unit, "%s",
				 v->fig[i].unit ? v->fig[i].unit : "");
			f->value = v->fig[i].value;
		}
		webhook_send(a->webhook, &we);
	}
	free(figures);
	free(payload);
}

static void observe(struct alert_engine *a, const struct verdict *v, double now)
{
	struct alert_event ev;
	if (alert_observe(a->tracker, &v->obs, now, &ev, 1) == 1)
		deliver(a, &ev, v);
}

/* ---- rules ---- */

static int sun_up(const struct config_station *st, double t)
{
	/* A few degrees above the horizon: at dawn and dusk an inverter may rightly sleep. */
	return solar_elevation_approx_deg(t, st->lat_deg, st->lon_deg) > 5.0;
}

static struct verdict verdict_for(enum alert_kind kind, int station, int device)
{
	struct verdict v;
	memset(&v, 0, sizeof v);
	v.obs.key = (struct alert_key){kind, station, device};
	v.obs.verdict = ALERT_UNKNOWN;
	return v;
}

static void fault_words(const struct alert_engine *a, const struct config_device *cd,
			const struct devstate *d, char *buf, size_t len)
{
	buf[0] = '\0';
	if (d->fault_code && cd->map) {
		const char *name =
		    regmap_fault_name(cd->map, d->fault_code, a->zh ? REGMAP_ZH : REGMAP_EN);
		snprintf(buf, len, "%s %u%s%s", a->zh ? "故障码" : "fault code", d->fault_code,
			 name ? ": " : "", name ? name : "");
		return;
	}
	for (int bit = 0; bit < 32; bit++)
		if (d->events & (1u << bit)) {
			const char *name =
			    cd->map ? regmap_alarm_name(cd->map, bit, a->zh ? REGMAP_ZH : REGMAP_EN)
				    : sunspec_event_name(bit);
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
				 name ? name : "?");
		}
	if (!buf[0])
		snprintf(buf, len, "%s", a->zh ? "逆变器处于故障状态" : "inverter in FAULT state");
}

/* Whether a device is offline: OFF_NO when it answered within the limit, OFF_YES when it has
 * not for longer, OFF_UNKNOWN when it has not answered since the daemon started and the
 * limit has not passed since: not yet had its chance, which is not the same as fresh. An
 * active offline alert restored at a restart or a reload therefore stays, with its id.
 * Offline means no answer: a device that answers with readings that are all rejected is
 * not offline but a data anomaly (one condition, one alert). */
enum { OFF_NO, OFF_YES, OFF_UNKNOWN };

static int offline_state(const struct alert_engine *a, const struct devstate *d, double limit,
			 double now)
{
	if (!d->answered)
		return now - a->started > limit ? OFF_YES : OFF_UNKNOWN;
	return now - d->last_answer > limit ? OFF_YES : OFF_NO;
}

/* Offline, fault and data anomaly, per inverter; a station whose inverters are all offline
 * gets one station alert instead of one per inverter. */
static void device_rules(struct alert_engine *a, size_t s, const struct devstate *devs,
			 int sun_is_up, double now)
{
	const struct config *cfg = a->cfg;
	const struct config_station *st = &cfg->stations[s];
	double limit = cfg->alerts.offline_minutes * 60.0;
	size_t inverters = 0, offline = 0, unknown = 0;
	int *off = xcalloc(st->n_devices, sizeof *off);
	for (size_t i = 0; i < st->n_devices; i++) {
		off[i] = offline_state(a, &devs[i], limit, now);
		if (st->devices[i].role == CONFIG_INVERTER) {
			inverters++;
			offline += off[i] == OFF_YES;
			unknown += off[i] == OFF_UNKNOWN;
		}
	}
	int all = inverters > 0 && offline == inverters;
	struct verdict sv = verdict_for(ALERT_OFFLINE, (int)s, -1);
	sv.obs.verdict = !sun_is_up || (!all && offline + unknown == inverters) ? ALERT_UNKNOWN
			 : all							? ALERT_HOLDS
										: ALERT_CLEAR;
	add_fig(&sv, "devices_offline", (double)offline, "");
	char span[48];
	duration_words(limit, a->zh, span, sizeof span);
	if (a->zh)
		snprintf(sv.detail, sizeof sv.detail, "全部%zu台逆变器白天超过%s无应答", inverters,
			 span);
	else if (inverters == 1)
		snprintf(sv.detail, sizeof sv.detail,
			 "its inverter has not answered for over %s in daylight", span);
	else
		snprintf(sv.detail, sizeof sv.detail,
			 "none of its %zu inverters has answered for over %s in daylight",
			 inverters, span);
	observe(a, &sv, now);

	for (size_t i = 0; i < st->n_devices; i++) {
		const struct devstate *d = &devs[i];
		const struct config_device *cd = &st->devices[i];
		double last = d->answered ? d->last_answer : a->started;
		struct verdict v = verdict_for(ALERT_OFFLINE, (int)s, (int)i);
		v.obs.verdict = !sun_is_up || (all && off[i] == OFF_YES) || off[i] == OFF_UNKNOWN
				    ? ALERT_UNKNOWN
				: off[i] == OFF_YES ? ALERT_HOLDS
						    : ALERT_CLEAR;
		add_fig(&v, "minutes_without_data", (now - last) / 60.0, "min");
		duration_words(now - last, a->zh, span, sizeof span);
		snprintf(v.detail, sizeof v.detail,
			 a->zh ? "白天%s无应答（%s:%d 单元%d）"
			       : "no answer for %s in daylight (%s:%d unit %d)",
			 span, cd->transport == CONFIG_RTU ? cd->serial_device : cd->host, cd->port,
			 cd->unit_id);
		observe(a, &v, now);
		if (cd->role != CONFIG_INVERTER)
			continue;

		struct verdict fv = verdict_for(ALERT_FAULT, (int)s, (int)i);
		int faulty = (d->state_known && d->state == INV_STATE_FAULT) || d->fault_code != 0;
		fv.obs.verdict = off[i] != OFF_NO || !d->seen ? ALERT_UNKNOWN
				 : faulty		      ? ALERT_HOLDS
							      : ALERT_CLEAR;
		fault_words(a, cd, d, fv.detail, sizeof fv.detail);
		add_fig(&fv, "events", (double)d->events, "");
		add_fig(&fv, "fault_code", (double)d->fault_code, "");
		observe(a, &fv, now);

		/* A dead string: one DC input near zero while its siblings produce. Between the
		 * dead and alive lines, and at dawn, dusk or under snow, nothing changes. */
		size_t weak;
		double ratio;
		enum mppt_verdict mv = mppt_judge(d->input_dca, d->n_inputs, &weak, &ratio);
		struct verdict gv = verdict_for(ALERT_STRING_FAULT, (int)s, (int)i);
		gv.obs.verdict = off[i] || !d->seen || !sun_is_up || mv == MPPT_UNKNOWN
				     ? ALERT_UNKNOWN
				 : mv == MPPT_DEAD ? ALERT_HOLDS
						   : ALERT_CLEAR;
		add_fig(&gv, "input", (double)weak + 1, "");
		add_fig(&gv, "ratio_to_siblings", isfinite(ratio) ? ratio : -1, "");
		snprintf(gv.detail, sizeof gv.detail,
			 a->zh
			     ? "直流输入%zu电流为其他输入的%.0f%%（组串熔断或断线？）"
			     : "DC input %zu carries %.0f%% of its siblings' current (blown string "
			       "fuse or broken cable?)",
			 weak + 1, isfinite(ratio) ? 100.0 * ratio : 0.0);
		observe(a, &gv, now);

		unsigned n = 0, bad = 0;
		for (int b = 0; b < BUCKETS; b++)
			if (now - d->bucket_at[b] < BUCKETS * BUCKET_S) {
				n += d->readings[b];
				bad += d->rejected[b];
			}
		struct verdict av = verdict_for(ALERT_DATA_ANOMALY, (int)s, (int)i);
		av.obs.thresholded = 1;
		av.obs.value = n ? (double)bad / n : 0;
		av.obs.threshold = cfg->alerts.anomaly_rate;
		av.obs.verdict = n >= 10 ? ALERT_HOLDS : ALERT_UNKNOWN;
		add_fig(&av, "rejected_share", av.obs.value, "");
		add_fig(&av, "readings", n, "");
		snprintf(av.detail, sizeof av.detail,
			 a->zh ? "近一小时%u条读数中%u条被拒（%.0f%%）"
			       : "%u of %u readings in the last hour were rejected (%.0f%%)",
			 a->zh ? n : bad, a->zh ? bad : n, 100.0 * av.obs.value);
		observe(a, &av, now);
	}
	free(off);
}

/* The station's judged days, newest first: up to want of them within the look-back. */
static size_t judged_days(struct alert_engine *a, const struct config_station *st, double now,
			  struct store_eff_day *out, size_t want)
{
	size_t n = 0;
	for (int back = 0; back < EFF_LOOKBACK_DAYS && n < want; back++) {
		char day[11];
		store_local_day(now - back * 86400.0, a->cfg->utc_offset_s, day);
		if (store_eff_day_get(a->store, st->id, day, &out[n]) == 0 && out[n].judgeable &&
		    isfinite(out[n].eta))
			n++;
	}
	return n;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static double median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The median of a sorted array (n) without one element equal to x: a station is compared
 * with the others, not with itself. NAN when fewer than three others remain. */
static double median_without(const double *sorted, size_t n, double x)
{
	if (n < 4)
		return NAN;
	size_t skip = 0;
	while (skip < n && sorted[skip] < x)
		skip++;
	if (skip == n || sorted[skip] != x)
		skip = n; /* x is not in the array: nothing to leave out */
	size_t m = skip == n ? n : n - 1;
	if (m < 3)
		return NAN;
#define AT(i) sorted[(i) < skip ? (i) : (i) + 1]
	double med = m % 2 ? AT(m / 2) : (AT(m / 2 - 1) + AT(m / 2)) / 2;
#undef AT
	return med;
}

/* The stored day's irradiance source and basis in the alert's language: no English words in
 * Chinese text. */
static const char *source_words(const char *stored, int grade, int zh)
{
	for (int src = IRRADIANCE_NONE; src <= IRRADIANCE_PEER; src++)
		if (strcmp(stored, irradiance_source_name((enum irradiance_source)src)) == 0 ||
		    (src == IRRADIANCE_CLEARSKY_SCALED && strcmp(stored, "clearsky") == 0))
			return irradiance_source_label((enum irradiance_source)src, grade, zh);
	return stored;
}

static const char *basis_words(const char *stored, int zh)
{
	if (strcmp(stored, "poa") == 0)
		return zh ? "组件斜面辐照" : "plane-of-array";
	if (strcmp(stored, "horizontal") == 0)
		return zh ? "水平面辐照" : "horizontal";
	return stored;
}

/* The last hour's final yield of a station for comparing with its peers, or NAN when it
 * cannot be compared: a window that covers too little of the hour, or one that began before
 * every device could have had its first counter reading since the engine started. Right
 * after a start (or a reload), devices are first read at different times (a vendor map reads
 * its counter every energy_interval, SunSpec with every poll), so the first hours' windows
 * hold different shares of the hour's energy: the demo's second cleaning_due was a clean
 * station at 81% of the median 19 minutes after the start, its counter first read five
 * minutes after the others'. */
static double hour_yield(const struct alert_engine *a, const struct eff_engine_station *e,
			 double now)
{
	double settled = a->started + 3600.0 + a->cfg->polling.energy_interval_s +
			 a->cfg->polling.fast_interval_s;
	if (now < settled || !e->valid || !isfinite(e->hour.yf_h) || !isfinite(e->hour.coverage) ||
	    e->hour.coverage < EFFICIENCY_JUDGE_MIN_COVERAGE)
		return NAN;
	return e->hour.yf_h;
}

/* Low efficiency over the configured number of judged days, a sudden PR drop against the
 * station's own baseline, and the slow decline against its peers that says "clean me". */
static void efficiency_rules(struct alert_engine *a, size_t s, const struct eff_engine_station *eff,
			     size_t n_eff, const double *yf_sorted, size_t n_yf, int impaired,
			     double now)
{
	const struct config *cfg = a->cfg;
	const struct config_station *st = &cfg->stations[s];
	size_t want = (size_t)cfg->alerts.low_eff_days;
	struct store_eff_day days[EFF_LOOKBACK_DAYS];
	size_t n = judged_days(a, st, now, days, EFF_LOOKBACK_DAYS);

	struct verdict v = verdict_for(ALERT_LOW_EFFICIENCY, (int)s, -1);
	v.obs.thresholded = 1;
	v.obs.alert_below = 1;
	v.obs.threshold = cfg->efficiency.station_target;
	if (n >= want) {
		double act = 0, th = 0;
		for (size_t i = 0; i < want; i++) {
			act += days[i].e_act_wh;
			th += days[i].eth_wh;
		}
		v.obs.value = th > 0 ? act / th : NAN;
		v.obs.verdict = isfinite(v.obs.value) ? ALERT_HOLDS : ALERT_UNKNOWN;
		add_fig(&v, "eta", v.obs.value, "");
		add_fig(&v, "target", v.obs.threshold, "");
		add_fig(&v, "days", (double)want, "");
		add_fig(&v, "grade", days[0].grade, "");
		snprintf(v.detail, sizeof v.detail,
			 a->zh ? "发电参数η=%.2f（目标%.2f），连续%zu个有效日偏低；辐照来源：%s，"
				 "基准：%s"
			       : "generation parameter %.2f (target %.2f) over %zu judged days; "
				 "irradiance from %s, %s basis",
			 v.obs.value, v.obs.threshold, want,
			 source_words(days[0].source, days[0].grade, a->zh),
			 basis_words(days[0].basis, a->zh));
	}
	observe(a, &v, now);

	/* PR drop: the last hour's PR against the median of the station's judged days. */
	struct verdict pv = verdict_for(ALERT_PR_DROP, (int)s, -1);
	pv.obs.thresholded = 1;
	pv.obs.alert_below = 1;
	pv.obs.threshold = 1.0 - cfg->alerts.pr_drop_fraction;
	double base[EFF_LOOKBACK_DAYS];
	size_t nb = 0;
	for (size_t i = 1; i < n; i++) /* today's own figure is not its baseline */
		if (isfinite(days[i].pr))
			base[nb++] = days[i].pr;
	double baseline = nb >= 3 ? median(base, nb) : NAN;
	/* A station with an inverter in fault or offline has that alert already: its lower
	 * PR and yield are explained, and neither a PR drop nor soiling is judged. */
	if (!impaired && s < n_eff && eff[s].valid && eff[s].hour.judgeable &&
	    isfinite(eff[s].hour.pr) && isfinite(baseline) && baseline > 0) {
		pv.obs.value = eff[s].hour.pr / baseline;
		pv.obs.verdict = ALERT_HOLDS;
		add_fig(&pv, "pr", eff[s].hour.pr, "");
		add_fig(&pv, "baseline_pr", baseline, "");
		snprintf(pv.detail, sizeof pv.detail,
			 a->zh ? "近一小时性能比%.2f，低于本站基准%.2f"
			       : "last hour PR %.2f against its own baseline %.2f",
			 eff[s].hour.pr, baseline);
	}
	observe(a, &pv, now);

	/* Cleaning due: the last hour's yield against the median of the stations'. An hour,
	 * not the day: after a cleaning the ratio must be able to recover the same day. It
	 * clears only once a cleaning is logged and the yield has come back. */
	struct verdict cv = verdict_for(ALERT_CLEANING_DUE, (int)s, -1);
	cv.obs.thresholded = 1;
	cv.obs.alert_below = 1;
	cv.obs.threshold = 1.0 - cfg->alerts.soiling_drop;
	double own_yf = s < n_eff ? hour_yield(a, &eff[s], now) : NAN;
	double peer_yf = isfinite(own_yf) ? median_without(yf_sorted, n_yf, own_yf) : NAN;
	if (!impaired && isfinite(own_yf) && isfinite(peer_yf) && peer_yf > 0.1) {
		cv.obs.value = own_yf / peer_yf;
		cv.obs.verdict = ALERT_HOLDS;
		double cleaned = 0;
		store_maintenance_last(a->store, st->id, "cleaning", &cleaned);
		if (cv.obs.value >= cv.obs.threshold && now - cleaned > 7 * 86400.0)
			cv.obs.verdict = ALERT_UNKNOWN;
		add_fig(&cv, "yield_ratio", cv.obs.value, "");
		add_fig(&cv, "yield_h", own_yf, "h");
		add_fig(&cv, "peer_yield_h", peer_yf, "h");
		snprintf(cv.detail, sizeof cv.detail,
			 a->zh ? "近一小时等效利用小时%.2f h，仅为其他电站中位数%.2f "
				 "h的%.0f%%，疑似组件积灰"
			       : "last hour's yield %.2f h is %.0f%% of the other stations' median "
				 "%.2f h: "
				 "the panels may need cleaning",
			 own_yf, a->zh ? peer_yf : 100.0 * cv.obs.value,
			 a->zh ? 100.0 * cv.obs.value : peer_yf);
	}
	observe(a, &cv, now);
}

static void station_rules(struct alert_engine *a, size_t s, const struct poller_station_live *live,
			  const struct devstate *devs, double peer_specific_w, double now)
{
	const struct config *cfg = a->cfg;
	const struct config_station *st = &cfg->stations[s];
	/* Zero output in daylight while the neighbours produce. An inverter in FAULT already
	 * explains it and has its own alert: one cause, one alert. */
	int faulty = 0;
	for (size_t i = 0; i < st->n_devices; i++)
		faulty |= (devs[i].state_known && devs[i].state == INV_STATE_FAULT) ||
			  devs[i].fault_code != 0;
	struct verdict zv = verdict_for(ALERT_ZERO_OUTPUT, (int)s, -1);
	if (!faulty && live->online == live->devices && live->devices > 0 && sun_up(st, now) &&
	    isfinite(peer_specific_w)) {
		if (live->power_w > 0)
			zv.obs.verdict = ALERT_CLEAR;
		else if (peer_specific_w > 50.0)
			zv.obs.verdict = ALERT_HOLDS;
	}
	add_fig(&zv, "power_w", live->power_w, "W");
	add_fig(&zv, "peer_w_per_kwp", peer_specific_w, "W/kWp");
	snprintf(zv.detail, sizeof zv.detail,
		 a->zh ? "白天零发电，邻近电站每千瓦出力%.0f W"
		       : "no output in daylight while other stations make %.0f W per kWp",
		 peer_specific_w);
	observe(a, &zv, now);

	/* Inspection overdue: counted from the last logged inspection, or from when the county
	 * started using pvrelief. */
	double last = 0;
	store_maintenance_last(a->store, st->id, "inspection", &last);
	if (last < a->installed_at)
		last = a->installed_at;
	struct verdict iv = verdict_for(ALERT_INSPECTION_OVERDUE, (int)s, -1);
	iv.obs.verdict =
	    now - last > cfg->alerts.inspection_days * 86400.0 ? ALERT_HOLDS : ALERT_CLEAR;
	add_fig(&iv, "days_since_inspection", (now - last) / 86400.0, "d");
	double days_since = (now - last) / 86400.0;
	if (a->zh)
		snprintf(iv.detail, sizeof iv.detail, "已%.0f天未登记巡检（要求每%d天）",
			 days_since, cfg->alerts.inspection_days);
	else
		snprintf(iv.detail, sizeof iv.detail,
			 "no inspection logged for %.0f day%s (due every %d day%s)", days_since,
			 floor(days_since + 0.5) == 1 ? "" : "s", cfg->alerts.inspection_days,
			 cfg->alerts.inspection_days == 1 ? "" : "s");
	observe(a, &iv, now);
}

/* Link budget: each gateway of a station with a monthly budget (its SIM plan), its month's
 * projection from the bytes its polls spent so far. Judged from the month's second day; it
 * alerts before the plan runs out, not after. */
static void link_rules(struct alert_engine *a, size_t s, double now)
{
	const struct config *cfg = a->cfg;
	const struct config_station *st = &cfg->stations[s];
	if (st->link_budget_mb <= 0)
		return;
	int y, m;
	double t0, t1;
	irradiance_local_month(now, cfg->utc_offset_s, &y, &m);
	irradiance_month_bounds(y, m, cfg->utc_offset_s, &t0, &t1);
	char first[11], today[11];
	store_local_day(t0, cfg->utc_offset_s, first);
	store_local_day(now, cfg->utc_offset_s, today);
	char names[16][96];
	size_t n_names = 0;
	for (size_t i = 0; i < st->n_devices; i++) {
		char gw[96];
		config_gateway_name(&st->devices[i], gw, sizeof gw);
		size_t k = 0;
		while (k < n_names && strcmp(names[k], gw) != 0)
			k++;
		if (k < n_names || n_names == sizeof names / sizeof names[0])
			continue;
		memcpy(names[n_names++], gw, sizeof gw);
	}
	for (size_t g = 0; g < n_names; g++) {
		/* A station behind one gateway has its alert; several gateways each have theirs,
		 * on the first device each serves. */
		int device = -1;
		for (size_t i = 0; n_names > 1 && i < st->n_devices && device < 0; i++) {
			char gw[96];
			config_gateway_name(&st->devices[i], gw, sizeof gw);
			if (strcmp(gw, names[g]) == 0)
				device = (int)i;
		}
		struct verdict v = verdict_for(ALERT_LINK_BUDGET, (int)s, device);
		v.obs.thresholded = 1;
		v.obs.threshold = st->link_budget_mb;
		int64_t used = store_link_gateway_bytes(a->store, names[g], first, today);
		double proj_mb;
		if (used >= 0 &&
		    linkbytes_budget_judgeable((double)used, now - t0, t1 - t0, &proj_mb)) {
			v.obs.verdict = ALERT_HOLDS;
			v.obs.value = proj_mb;
			add_fig(&v, "projection_mb", proj_mb, "MB");
			add_fig(&v, "month_mb", (double)used / 1e6, "MB");
			add_fig(&v, "budget_mb", st->link_budget_mb, "MB");
			snprintf(v.detail, sizeof v.detail,
				 a->zh
				     ? "网关%s本月已用%.1f MB，预计全月%.1f MB，超过%.1f MB套餐"
				     : "gateway %s used %.1f MB this month; the month's projection "
				       "%.1f MB passes its %.1f MB budget",
				 names[g], (double)used / 1e6, proj_mb, st->link_budget_mb);
		}
		observe(a, &v, now);
	}
}

/* ---- publishing ---- */

static void publish_states(struct alert_engine *a, const struct poller_station_live *live,
			   const struct eff_engine_station *eff, size_t n_eff,
			   const struct eff_engine_county *county, double now)
{
	const struct config *cfg = a->cfg;
	static const struct store_alert_filter f = {.active_only = 1};
	struct store_alert *act = xcalloc(MAX_ACTIVE, sizeof *act);
	int n_act = store_alert_list(a->store, &f, act, MAX_ACTIVE);
	struct publish_active *pa = xcalloc(MAX_ACTIVE, sizeof *pa);
	for (size_t s = 0; s < cfg->n_stations; s++) {
		const struct config_station *st = &cfg->stations[s];
		size_t k = 0;
		for (int i = 0; i < n_act; i++)
			if (strcmp(act[i].station, st->id) == 0)
				pa[k++] = (struct publish_active){act[i].id, act[i].kind,
								  act[i].severity, act[i].device};
		char *json =
		    publish_station_state(cfg, s, &live[s], s < n_eff ? &eff[s] : NULL, pa, k, now);
		char suffix[160];
		snprintf(suffix, sizeof suffix, "%s/state", st->id);
		mqtt_publish_state(a->mqtt, suffix, json, 1);
		free(json);
	}
	/* The money ledger's head goes out with the county state and on its own retained
	 * topic, so that a copy of it is kept outside this database. */
	char hash[LEDGER_HASH_HEX_LEN + 1];
	struct publish_ledger_head head = {0, hash};
	int have_head = store_ledger_head(a->store, &head.seq, hash) == 0;
	char *json =
	    publish_county_state(cfg, live, cfg->n_stations, county, have_head ? &head : NULL, now);
	mqtt_publish_state(a->mqtt, "state", json, 1);
	free(json);
	if (have_head) {
		json = publish_ledger_head(cfg, &head, now);
		mqtt_publish_state(a->mqtt, "ledger/head", json, 1);
		free(json);
	}
	free(act);
	free(pa);
}

/* Availability changes only: a retained "online" or "offline" per device. */
static void publish_availability(struct alert_engine *a)
{
	size_t n = a->n_devs;
	struct poller_device_live *dl = xcalloc(n ? n : 1, sizeof *dl);
	n = poller_device_snapshot(a->poller, dl, n);
	for (size_t i = 0; i < n; i++) {
		if (!dl[i].polled || a->availability[i] == dl[i].online)
			continue;
		const struct config_station *st = &a->cfg->stations[dl[i].station];
		char suffix[200];
		snprintf(suffix, sizeof suffix, "%s/%s/availability", st->id,
			 st->devices[dl[i].device].id);
		mqtt_publish_state(a->mqtt, suffix, dl[i].online ? "online" : "offline", 1);
		a->availability[i] = dl[i].online;
	}
	free(dl);
}

int alert_engine_county_judged(const struct config *cfg, const struct eff_engine_county *county)
{
	/* Judged once the month holds something to judge: a theoretical generation of at least
	 * half an hour at the county's full capacity, not the first minutes of a new month. */
	double capacity_kwp = 0;
	for (size_t s = 0; s < cfg->n_stations; s++)
		capacity_kwp += cfg->stations[s].capacity_kwp;
	return county->risk.known && isfinite(county->mtd.eta) &&
	       county->mtd.e_th_kwh >= 0.5 * capacity_kwp &&
	       (county->risk.alertable || !county->risk.at_risk);
}

void alert_engine_evaluate(struct alert_engine *a, double now)
{
	const struct config *cfg = a->cfg;
	size_t ns = cfg->n_stations;
	struct devstate *devs = xcalloc(a->n_devs ? a->n_devs : 1, sizeof *devs);
	pthread_mutex_lock(&a->lock);
	memcpy(devs, a->devs, a->n_devs * sizeof *devs);
	pthread_mutex_unlock(&a->lock);
	struct poller_station_live *live = xcalloc(ns ? ns : 1, sizeof *live);
	struct eff_engine_station *eff = xcalloc(ns ? ns : 1, sizeof *eff);
	struct eff_engine_county county;
	memset(&county, 0, sizeof county);
	poller_snapshot(a->poller, live, ns);
	size_t n_eff = a->analysis ? eff_engine_snapshot(a->analysis, eff, ns, &county) : 0;

	/* What the other stations do, for zero output and soiling: specific power now and the
	 * last hour's yield, medians over the stations online. */
	double *spec = xcalloc(ns ? ns : 1, sizeof *spec), *yf = xcalloc(ns ? ns : 1, sizeof *yf);
	size_t n_spec = 0, n_yf = 0;
	for (size_t s = 0; s < ns; s++) {
		if (live[s].online > 0 && live[s].online == live[s].devices)
			spec[n_spec++] = live[s].power_w / cfg->stations[s].capacity_kwp;
		if (s < n_eff && isfinite(hour_yield(a, &eff[s], now)))
			yf[n_yf++] = hour_yield(a, &eff[s], now);
	}
	double peer_spec = n_spec >= 3 ? median(spec, n_spec) : NAN;
	qsort(yf, n_yf, sizeof *yf, cmp_double);

	for (size_t s = 0; s < ns; s++) {
		const struct config_station *st = &cfg->stations[s];
		const struct devstate *sd = &devs[a->first_dev[s]];
		int impaired = live[s].online < live[s].devices;
		for (size_t i = 0; i < st->n_devices; i++)
			impaired |= (sd[i].state_known && sd[i].state == INV_STATE_FAULT) ||
				    sd[i].fault_code != 0;
		device_rules(a, s, sd, sun_up(st, now), now);
		station_rules(a, s, &live[s], sd, peer_spec, now);
		efficiency_rules(a, s, eff, n_eff, yf, n_yf, impaired, now);
		link_rules(a, s, now);
	}
	/* The county: month-to-date generation parameter below its target, judged only when the
	 * well-measured stations agree. */
	struct verdict v = verdict_for(ALERT_COUNTY_AT_RISK, -1, -1);
	v.obs.thresholded = 1;
	v.obs.alert_below = 1;
	v.obs.threshold = cfg->efficiency.county_target;
	if (n_eff && alert_engine_county_judged(cfg, &county)) {
		v.obs.value = county.mtd.eta;
		v.obs.verdict = ALERT_HOLDS;
		add_fig(&v, "eta_month", county.mtd.eta, "");
		add_fig(&v, "target", v.obs.threshold, "");
		snprintf(v.detail, sizeof v.detail,
			 a->zh ? "本月截至目前全县发电参数%.2f，低于目标%.2f"
			       : "the county's generation parameter this month is %.2f, below %.2f",
			 county.mtd.eta, v.obs.threshold);
	}
	observe(a, &v, now);

	struct alert_event sum;
	if (alert_take_summary(a->tracker, now, &sum))
		deliver(a, &sum, NULL);
	if (a->mqtt) {
		publish_states(a, live, eff, n_eff, &county, now);
		publish_availability(a);
	}
	free(spec);
	free(yf);
	free(devs);
	free(live);
	free(eff);
}

static void eval_round(void *ctx, double now)
{
	struct alert_engine *a = ctx;
	if (!a->discovered && a->mqtt && a->cfg->mqtt.ha_discovery)
		for (size_t s = 0; s < a->cfg->n_stations; s++) {
			char suffix[160];
			snprintf(suffix, sizeof suffix, "%s/state", a->cfg->stations[s].id);
			mqtt_ha_discovery(a->mqtt, a->cfg->stations[s].id, a->cfg->stations[s].name,
					  suffix);
		}
	a->discovered = 1;
	alert_engine_evaluate(a, now);
}

int alert_engine_start(struct alert_engine *a)
{
	a->thread =
	    periodic_start(a->clk, a->cfg->polling.fast_interval_s, eval_round, a, "alerts");
	return a->thread ? 0 : -1;
}

void alert_engine_stop(struct alert_engine *a)
{
	if (!a)
		return;
	periodic_stop(a->thread);
	a->thread = NULL;
}
