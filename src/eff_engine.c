/* The efficiency engine: turns stored slots into efficiency figures, station by station. */
#include "pvrelief/eff_engine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/kpi.h"
#include "pvrelief/log.h"
#include "pvrelief/loss.h"
#include "pvrelief/periodic.h"
#include "pvrelief/slot.h"
#include "pvrelief/solar.h"
#include "pvrelief/store.h"
#include "pvrelief/store_health.h"
#include "pvrelief/weather.h"
#include "pvrelief/xalloc.h"

enum { MAX_SLOTS = 290, STALE_DAYS = 40, SCALES = 2 };

/* A peer's window must be covered by its own data at least this share as well as the best
 * covered station's (a county-wide gap, such as the daemon stopped, shortens every station's
 * window alike), and no more than this share of its readings rejected. */
#define ANALYSIS_PEER_MIN_COVERAGE 0.8
#define ANALYSIS_PEER_MAX_ANOMALY 0.05

struct astation {
	const struct config_station *cfg;
	struct irradiance_site site;
	int64_t *sensor_ids, *inverter_ids;
	size_t n_sensors, n_inverters;
	const struct config_device **inverters;	      /* n_inverters, in inverter_ids' order */
	struct irradiance_month_scale scales[SCALES]; /* cached months (year 0 = empty) */
};

struct eff_engine {
	const struct config *cfg;
	struct clock *clk;
	struct weather *weather;
	struct store *store;
	struct astation *st;
	eff_engine_listener listener;
	void *listener_ctx;

	pthread_mutex_t lock; /* guards snap, county */
	struct eff_engine_station *snap;
	struct eff_engine_county county;
	struct periodic *thread;
};

static void local_day_bounds(const char *day, int utc_offset_s, double *t0, double *t1)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	sscanf(day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t0 = (double)timegm(&tm) - utc_offset_s;
	*t1 = *t0 + 86400.0;
}

struct eff_engine *eff_engine_new(const struct config *cfg, struct clock *clk, struct weather *w)
{
	char err[512];
	struct eff_engine *a = xcalloc(1, sizeof *a);
	a->cfg = cfg;
	a->clk = clk;
	a->weather = w;
	pthread_mutex_init(&a->lock, NULL);
	a->snap = xcalloc(cfg->n_stations ? cfg->n_stations : 1, sizeof *a->snap);
	a->st = xcalloc(cfg->n_stations ? cfg->n_stations : 1, sizeof *a->st);
	if (!(a->store = store_open(cfg->database.path, 0, err, sizeof err))) {
		log_err("efficiency: %s", err);
		eff_engine_free(a);
		return NULL;
	}
	store_set_max_size(a->store, cfg->database.max_size_mb);
	for (size_t s = 0; s < cfg->n_stations; s++) {
		struct astation *as = &a->st[s];
		as->cfg = &cfg->stations[s];
		irradiance_site_from_config(cfg, as->cfg, &as->site);
		as->sensor_ids = xcalloc(as->cfg->n_devices, sizeof(int64_t));
		as->inverter_ids = xcalloc(as->cfg->n_devices, sizeof(int64_t));
		as->inverters = xcalloc(as->cfg->n_devices, sizeof *as->inverters);
		for (size_t d = 0; d < as->cfg->n_devices; d++) {
			int64_t id;
			if (store_device_id(a->store, as->cfg->id, as->cfg->devices[d].id, &id) !=
			    0) {
				log_err("efficiency: database %s: %s", cfg->database.path,
					store_errmsg(a->store));
				eff_engine_free(a);
				return NULL;
			}
			if (as->cfg->devices[d].role == CONFIG_SENSOR)
				as->sensor_ids[as->n_sensors++] = id;
			else {
				as->inverters[as->n_inverters] = &as->cfg->devices[d];
				as->inverter_ids[as->n_inverters++] = id;
			}
		}
		a->snap[s].station = s;
		a->snap[s].online_rate = a->snap[s].anomaly_rate = NAN;
	}
	return a;
}

void eff_engine_set_listener(struct eff_engine *a, eff_engine_listener fn, void *ctx)
{
	a->listener = fn;
	a->listener_ctx = ctx;
}

void eff_engine_free(struct eff_engine *a)
{
	if (!a)
		return;
	for (size_t s = 0; s < a->cfg->n_stations; s++) {
		free(a->st[s].sensor_ids);
		free(a->st[s].inverter_ids);
		free(a->st[s].inverters);
	}
	free(a->st);
	free(a->snap);
	store_close(a->store);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* The month scales of the scaled clear sky: a month's clear-sky total takes thousands of sun
 * positions, so each station keeps the months it is using. */
static const struct irradiance_month_scale *month_scale(struct astation *as, double t)
{
	int y, m;
	irradiance_local_month(t, as->site.utc_offset_s, &y, &m);
	for (int i = 0; i < SCALES; i++)
		if (as->scales[i].year == y && as->scales[i].month == m)
			return &as->scales[i];
	struct irradiance_month_scale *slot = &as->scales[0];
	for (int i = 1; i < SCALES; i++)
		if (as->scales[i].year < slot->year ||
		    (as->scales[i].year == slot->year && as->scales[i].month < slot->month))
			slot = &as->scales[i];
	if (irradiance_month_scale(&as->site, y, m, IRRADIANCE_STEP_DEFAULT_S, slot) != 0)
		memset(slot, 0, sizeof *slot);
	return slot;
}

static int sun_up(const struct astation *as, double t)
{
	/* Daylight slots only: the approximate elevation (half a degree) is enough. */
	return solar_elevation_approx_deg(t, as->site.lat_deg, as->site.lon_deg) > 0;
}

/* One station's window before and after its peers are weighed. */
struct sfig {
	struct efficiency_window w;
	struct irradiance_choice choice;
	struct irradiance_availability av; /* what the choice was made from */
	int ok;				   /* computed */
	int has_loss;			   /* loss was computed */
	struct loss_figures loss;	   /* where the expected energy went */
	struct efficiency_window *inv;	   /* when not NULL: each inverter's window, on the
					    * station's irradiance (n_inverters entries) */
};

/* The parameters of inverter k of a station: its DC capacity as P_stc. */
static void inverter_params(struct eff_engine *a, const struct astation *as, size_t k,
			    struct efficiency_params *p)
{
	efficiency_params_from_config(a->cfg, as->cfg, p);
	p->capacity_kwp = as->inverters[k]->dc_kwp;
}

/* Sets sample sm's energy from one inverter's slot (its own window when share is 1, its part
 * of the station's otherwise): a slot not read leaves the inverter's share absent. */
static void add_inverter_slot(struct efficiency_sample *sm, const struct efficiency_inv_slot *x,
			      double share)
{
	if (x->state == EFFICIENCY_SLOT_MISSING) {
		sm->absent_share += share;
		return;
	}
	if (!(sm->have & EFFICIENCY_HAVE_ENERGY))
		sm->energy_wh = sm->gap_energy_wh = 0;
	sm->have |= EFFICIENCY_HAVE_ENERGY;
	sm->energy_wh += x->energy_wh;
	if (x->state == EFFICIENCY_SLOT_UNSHARED)
		sm->gap_energy_wh += x->energy_wh;
	if (x->state == EFFICIENCY_SLOT_FILLED)
		sm->estimated_share += share;
	if (x->curtailed) {
		sm->curtailed_share += share;
		sm->curtailed_energy_wh += x->energy_wh;
	}
}

/* Fills inv (one per inverter) with each inverter's window: the station's samples (n) with
 * the inverter's own slots (x, n_inverters rows of n), and its DC capacity as P_stc. */
static void inverter_windows(struct eff_engine *a, struct astation *as, double t0, double t1,
			     const struct efficiency_params *station,
			     const struct efficiency_sample *samples, int n,
			     struct efficiency_inv_slot *const *x, struct efficiency_window *inv)
{
	struct efficiency_sample *mine = xcalloc(MAX_SLOTS, sizeof *mine);
	for (size_t k = 0; k < as->n_inverters; k++) {
		struct efficiency_params p = *station;
		inverter_params(a, as, k, &p);
		p.source = station->source;
		p.grade = station->grade;
		p.daylight_s = station->daylight_s;
		for (int i = 0; i < n; i++) {
			mine[i] = samples[i];
			mine[i].have &= ~(unsigned)EFFICIENCY_HAVE_ENERGY;
			mine[i].energy_wh = mine[i].gap_energy_wh = 0;
			mine[i].absent_share = mine[i].estimated_share = 0;
			mine[i].curtailed_share = mine[i].curtailed_energy_wh = 0;
			add_inverter_slot(&mine[i], &x[k][i], 1.0);
		}
		efficiency_window(&p, t0, t1, mine, (size_t)n, &inv[k]);
	}
	free(mine);
}

/* Returns non-zero when a grid operator's order (the station's own or the county's) held
 * station as below its rating and its export cap for any of [s0, s1). The rating is the sum
 * of its inverters' configured ratings, or its DC capacity when one has none. */
static int dispatch_curtailed(const struct config *cfg, const struct astation *as, double s0,
			      double s1)
{
	const struct config_station *st = as->cfg;
	double rated_w = 0;
	for (size_t k = 0; k < as->n_inverters && rated_w >= 0; k++)
		rated_w = as->inverters[k]->rated_power_w > 0
			      ? rated_w + as->inverters[k]->rated_power_w
			      : -1;
	if (!(rated_w > 0))
		rated_w = st->capacity_kwp * 1000.0;
	const struct config_curtailment *lists[2] = {st->curtailment, cfg->curtailment};
	size_t counts[2] = {st->n_curtailment, cfg->n_curtailment};
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < counts[l]; i++) {
			const struct config_curtailment *c = &lists[l][i];
			if (c->from_s < s1 && c->to_s > s0 &&
			    efficiency_limit_curtails(rated_w * c->limit_pct / 100.0, rated_w,
						      st->export_limit_w))
				return 1;
		}
	return 0;
}

/* Reads each inverter's slots of [t0, t1) into x (n_inverters rows of MAX_SLOTS) and adds
 * how many readings each slot has into slots[].energy_n (n of them); returns 0 or -1. */
static int read_inverters(struct eff_engine *a, struct astation *as, double t0, double t1,
			  struct store_slot *slots, int n, struct efficiency_inv_slot **x,
			  long *missing_before)
{
	struct store_slot *one = xcalloc(MAX_SLOTS, sizeof *one);
	unsigned char *throttled = xcalloc(MAX_SLOTS, 1);
	unsigned char *notrun = xcalloc(MAX_SLOTS, 1);
	/* A slot under a grid operator's order is curtailed for every inverter, whether it
	 * reports the limit or not (its energy still counts where its gap is shared out). */
	unsigned char *ordered = xcalloc(MAX_SLOTS, 1);
	double first = floor(t0 / SLOT_S) * SLOT_S;
	for (int i = 0; i < n; i++)
		ordered[i] = (unsigned char)dispatch_curtailed(
		    a->cfg, as, first + i * (double)SLOT_S, first + (i + 1) * (double)SLOT_S);
	int rc = 0;
	for (size_t k = 0; k < as->n_inverters && rc == 0; k++) {
		int m = store_inverter_slots(a->store, as->inverter_ids[k], t0, t1, one, MAX_SLOTS,
					     &missing_before[k]);
		if (m != n ||
		    store_device_throttled_slots(a->store, as->inverter_ids[k], t0, throttled,
						 (size_t)n) != 0 ||
		    store_device_notrun_slots(a->store, as->inverter_ids[k], t0, notrun,
					      (size_t)n) != 0) {
			rc = -1;
			break;
		}
		for (int i = 0; i < n; i++) {
			x[k][i].energy_wh = one[i].energy_wh;
			x[k][i].state =
			    one[i].energy_n > 0 ? EFFICIENCY_SLOT_SEEN : EFFICIENCY_SLOT_MISSING;
			/* A slot with a curtailed reading is a curtailed one: the limit held for
			 * part of it at least. */
			x[k][i].curtailed = (one[i].energy_n > 0 && throttled[i]) || ordered[i];
			x[k][i].notrun = one[i].energy_n > 0 ? notrun[i] : 0;
			slots[i].energy_n += one[i].energy_n;
			slots[i].energy_wh += one[i].energy_wh;
		}
	}
	free(throttled);
	free(notrun);
	free(ordered);
	free(one);
	return rc;
}

/* Shares each inverter's catch-up energy over the gap before it in proportion to the
 * window's irradiance (plane of array where there is one), then sets each sample's energy
 * from the inverters that cover it: one not read leaves its DC share out of E_th too. */
static void station_energy(const struct astation *as, struct efficiency_sample *samples, int n,
			   struct efficiency_inv_slot **x, const long *missing_before)
{
	double *weight = xcalloc((size_t)n + 1, sizeof *weight);
	for (int i = 0; i < n; i++) {
		const struct efficiency_sample *sm = &samples[i];
		weight[i] =
		    (sm->have & EFFICIENCY_HAVE_POA) && isfinite(sm->poa_w_m2)	 ? sm->poa_w_m2
		    : (sm->have & EFFICIENCY_HAVE_GHI) && isfinite(sm->ghi_w_m2) ? sm->ghi_w_m2
										 : NAN;
	}
	double dc_all = 0;
	for (size_t k = 0; k < as->n_inverters; k++) {
		dc_all += as->inverters[k]->dc_kwp;
		efficiency_spread_gaps(x[k], (size_t)n, missing_before[k], weight);
	}
	for (int i = 0; i < n; i++) {
		struct efficiency_sample *sm = &samples[i];
		sm->have &= ~(unsigned)EFFICIENCY_HAVE_ENERGY;
		sm->energy_wh = sm->gap_energy_wh = sm->absent_share = sm->estimated_share = 0;
		sm->curtailed_share = sm->curtailed_energy_wh = 0;
		for (size_t k = 0; k < as->n_inverters; k++)
			add_inverter_slot(sm, &x[k][i],
					  dc_all > 0 ? as->inverters[k]->dc_kwp / dc_all
						     : 1.0 / (double)as->n_inverters);
	}
	free(weight);
}

/* Attributes the window's expected energy to its losses (loss.h) into *out: each inverter's
 * daylight slots that have the basis irradiance, at the station's K, by what the inverter did
 * in them (x, after its gaps were shared out), the outages priced on POA where there is one,
 * corrected for the module temperature where it is known or can be modelled. A
 * fault outranks a limit, a limit outranks a state that does not produce. */
static void window_losses(const struct astation *as, const struct efficiency_params *p,
			  const struct efficiency_sample *samples, const int *is_day, int n,
			  struct efficiency_inv_slot *const *x, struct loss_figures *out)
{
	struct loss_acc acc;
	memset(&acc, 0, sizeof acc);
	double dc_all = 0;
	for (size_t k = 0; k < as->n_inverters; k++)
		dc_all += as->inverters[k]->dc_kwp;
	for (int i = 0; i < n; i++) {
		const struct efficiency_sample *sm = &samples[i];
		int poa = p->basis == EFFICIENCY_BASIS_POA;
		double g = poa ? sm->poa_w_m2 : sm->ghi_w_m2;
		if (!is_day[i] || !(sm->have & (poa ? EFFICIENCY_HAVE_POA : EFFICIENCY_HAVE_GHI)) ||
		    !isfinite(g))
			continue;
		double hours = (sm->t_end_s - sm->t_start_s) / 3600.0;
		/* The modules make less when hot: the middle of the day, when orders and faults
		 * tend to fall, is priced at the clean slots' efficiency corrected for its
		 * temperature, not at the day's mean (which priced a noon curtailment about 10%
		 * high). */
		double t_mod = efficiency_module_temp_c(p, sm);
		double temp_factor = isfinite(t_mod) ? 1.0 + p->gamma_per_c * (t_mod - 25.0) : 1.0;
		for (size_t k = 0; k < as->n_inverters; k++) {
			const struct efficiency_inv_slot *c = &x[k][i];
			double kwp = as->inverters[k]->dc_kwp;
			struct loss_cell cell = {
			    .eth_wh = g * hours * kwp * p->k_coeff,
			    .energy_wh = c->state == EFFICIENCY_SLOT_MISSING ? 0 : c->energy_wh,
			    .hours =
				hours * (dc_all > 0 ? kwp / dc_all : 1.0 / (double)as->n_inverters),
			    .price_wh = (sm->have & EFFICIENCY_HAVE_POA) && isfinite(sm->poa_w_m2)
					    ? sm->poa_w_m2 * hours * kwp * p->k_coeff * temp_factor
					    : NAN,
			};
			cell.kind = c->notrun == 1 ? LOSS_CELL_FAULT
				    : c->curtailed && c->state != EFFICIENCY_SLOT_MISSING
					? LOSS_CELL_CURTAILED
				    : c->notrun == 2			  ? LOSS_CELL_DOWN
				    : c->state == EFFICIENCY_SLOT_SEEN	  ? LOSS_CELL_RUN
				    : c->state == EFFICIENCY_SLOT_MISSING ? LOSS_CELL_UNREAD
									  : LOSS_CELL_CAUGHT_UP;
			loss_add(&acc, &cell);
		}
	}
	loss_finish(&acc, out);
}

/* Whether the sensor's readings can have covered a slot whole (efficiency_sensor_whole): a
 * slot whose irradiance holds only part of its time, while the inverters' counters hold all
 * of its energy, counts as missing, so that it is left out on both sides. */
static int sensor_whole(const struct eff_engine *a, const struct store_slot *slot)
{
	return efficiency_sensor_whole(slot->sensor_n, a->cfg->polling.fast_interval_s);
}

/* Computes one station's window [t0, t1) from the store's slots; fills f->w, f->choice and
 * f->av. The peers are not known yet: the choice is made as if there were none, and
 * apply_peers makes it again once they are. */
static int window(struct eff_engine *a, struct astation *as, double t0, double t1, struct sfig *f)
{
	struct efficiency_window *w = &f->w;
	struct irradiance_choice *choice = &f->choice;
	f->has_loss = 0;
	struct store_slot slots[MAX_SLOTS];
	struct efficiency_sample samples[MAX_SLOTS];
	int n = store_station_slots(a->store, NULL, 0, as->sensor_ids, as->n_sensors, t0, t1, slots,
				    MAX_SLOTS);
	if (n < 0)
		return -1;
	size_t ni = as->n_inverters;
	struct efficiency_inv_slot **x = xcalloc(ni + 1, sizeof *x);
	long *missing_before = xcalloc(ni + 1, sizeof *missing_before);
	for (size_t k = 0; k < ni; k++)
		x[k] = xcalloc(MAX_SLOTS, sizeof *x[k]);
	if (read_inverters(a, as, t0, t1, slots, n, x, missing_before) != 0) {
		f->ok = 0;
		goto out;
	}
	/* Coverage is judged over the daylight slots that have energy, since eta pairs energy
	 * with irradiance: a daemon started mid-morning still uses its sensor for the hours it
	 * saw (efficiency_source_coverage). */
	int is_day[MAX_SLOTS];
	unsigned char day[MAX_SLOTS], energy[MAX_SLOTS], sensor[MAX_SLOTS], have_wp[MAX_SLOTS];
	struct weather_point wp[MAX_SLOTS];
	/* The window's data begins at its first slot with any reading: a daemon started at
	 * ten o'clock judges the day from ten, not from a dawn it never saw. */
	int first_data = n;
	for (int i = 0; i < n && first_data == n; i++)
		if (slots[i].energy_n > 0 || slots[i].sensor_n > 0)
			first_data = i;
	for (int i = 0; i < n; i++) {
		double s0 = fmax((double)slots[i].slot, t0), s1 = fmin(slots[i].slot + SLOT_S, t1);
		is_day[i] = i >= first_data && sun_up(as, (s0 + s1) / 2);
		day[i] = (unsigned char)is_day[i];
		energy[i] = slots[i].energy_n > 0;
		sensor[i] = (unsigned char)sensor_whole(a, &slots[i]);
		have_wp[i] = 0;
	}
	int daylight_slots = efficiency_daylight_slots(day, (size_t)n);
	double sensor_cov =
	    as->n_sensors ? efficiency_source_coverage(day, energy, sensor, (size_t)n) : 0;
	/* The weather service is asked only when the sensor does not cover the window: a
	 * station with a working sensor causes no requests. */
	if (a->weather && sensor_cov < IRRADIANCE_MIN_COVERAGE_DEFAULT) {
		for (int i = 0; i < n; i++) {
			double s0 = fmax((double)slots[i].slot, t0);
			double s1 = fmin(slots[i].slot + SLOT_S, t1);
			have_wp[i] = weather_get(a->weather, (size_t)(as - a->st), (s0 + s1) / 2,
						 &wp[i]) == 0;
		}
	}
	struct irradiance_availability av = {
	    .sensor_coverage = sensor_cov,
	    .weather_coverage = efficiency_source_coverage(day, energy, have_wp, (size_t)n),
	    .min_coverage = IRRADIANCE_MIN_COVERAGE_DEFAULT,
	    .min_peers = IRRADIANCE_MIN_PEERS_DEFAULT,
	};
	const struct irradiance_month_scale *ms = month_scale(as, (t0 + t1) / 2);
	av.table_month_set = isfinite(ms->scale);
	irradiance_choose(&av, choice);
	f->av = av;

	for (int i = 0; i < n; i++) {
		struct efficiency_sample *sm = &samples[i];
		memset(sm, 0, sizeof *sm);
		sm->t_start_s = fmax((double)slots[i].slot, t0);
		sm->t_end_s = fmin(slots[i].slot + SLOT_S, t1);
		double hours = (sm->t_end_s - sm->t_start_s) / 3600.0;
		if (hours <= 0)
			continue;
		switch (choice->source) {
		case IRRADIANCE_SENSOR:
			if (sensor_whole(a, &slots[i])) {
				/* Irradiation is stored per whole slot; a partial slot at the
				 * window's edge is rare and short, so its mean is taken over 5 min.
				 */
				sm->ghi_w_m2 = slots[i].ghi_wh_m2 * 12.0;
				sm->poa_w_m2 = slots[i].poa_wh_m2 * 12.0;
				sm->have |= EFFICIENCY_HAVE_GHI | EFFICIENCY_HAVE_POA;
				if (isfinite(slots[i].module_temp_c)) {
					sm->module_temp_c = slots[i].module_temp_c;
					sm->have |= EFFICIENCY_HAVE_MODULE_TEMP;
				}
				if (isfinite(slots[i].air_temp_c)) {
					sm->air_temp_c = slots[i].air_temp_c;
					sm->have |= EFFICIENCY_HAVE_AIR_TEMP;
				}
				if (isfinite(slots[i].wind_m_s)) {
					sm->wind_m_s = slots[i].wind_m_s;
					sm->have |= EFFICIENCY_HAVE_WIND;
				}
			}
			break;
		case IRRADIANCE_WEATHER:
			if (have_wp[i]) {
				sm->ghi_w_m2 = wp[i].ghi_w_m2;
				sm->poa_w_m2 = wp[i].poa_w_m2;
				sm->air_temp_c = wp[i].temp_air_c;
				sm->wind_m_s = wp[i].wind_m_s;
				sm->have |=
				    EFFICIENCY_HAVE_GHI | EFFICIENCY_HAVE_POA |
				    (isfinite(wp[i].temp_air_c) ? EFFICIENCY_HAVE_AIR_TEMP : 0) |
				    (isfinite(wp[i].wind_m_s) ? EFFICIENCY_HAVE_WIND : 0);
			}
			break;
		default: {
			struct irradiance_estimate est;
			if (irradiance_clearsky_scaled(&as->site, ms, isfinite(ms->scale) ? 1 : 0,
						       sm->t_start_s, sm->t_end_s, SLOT_S,
						       &est) == 0) {
				sm->ghi_w_m2 = est.ghi_w_m2;
				sm->poa_w_m2 = est.poa_w_m2;
				sm->have |= EFFICIENCY_HAVE_GHI | EFFICIENCY_HAVE_POA;
			}
			break;
		}
		}
	}
	struct efficiency_params p;
	efficiency_params_from_config(a->cfg, as->cfg, &p);
	p.source = choice->source == IRRADIANCE_NONE ? IRRADIANCE_CLEARSKY_SCALED : choice->source;
	p.grade = choice->grade;
	p.daylight_s = daylight_slots * SLOT_S;
	station_energy(as, samples, n, x, missing_before);
	f->ok = efficiency_window(&p, t0, t1, samples, (size_t)n, w) == 0;
	f->has_loss = f->ok;
	if (f->ok)
		window_losses(as, &p, samples, is_day, n, x, &f->loss);
	if (f->ok && f->inv)
		inverter_windows(a, as, t0, t1, &p, samples, n, x, f->inv);
out:
	for (size_t k = 0; k < ni; k++)
		free(x[k]);
	free(x);
	free(missing_before);
	return f->ok ? 0 : -1;
}

/* Candidates for peers over one window: each station's yield, coverage and anomaly rate
 * (NAN when unknown), then marked healthy or not by mark_healthy. */
struct candidates {
	struct irradiance_peer *peers; /* one per configured station */
	double *coverage, *anomaly;
};

static void candidates_init(struct eff_engine *a, struct candidates *c)
{
	size_t n = a->cfg->n_stations ? a->cfg->n_stations : 1;
	c->peers = xcalloc(n, sizeof *c->peers);
	c->coverage = xcalloc(n, sizeof *c->coverage);
	c->anomaly = xcalloc(n, sizeof *c->anomaly);
	for (size_t k = 0; k < a->cfg->n_stations; k++) {
		c->peers[k].lat_deg = a->st[k].site.lat_deg;
		c->peers[k].lon_deg = a->st[k].site.lon_deg;
		c->peers[k].yf_h = c->coverage[k] = c->anomaly[k] = NAN;
	}
}

static void candidates_free(struct candidates *c)
{
	free(c->peers);
	free(c->coverage);
	free(c->anomaly);
}

static void candidate_set(struct candidates *c, size_t k, double yf_h, double coverage,
			  double anomaly)
{
	c->peers[k].yf_h = yf_h;
	c->coverage[k] = coverage;
	c->anomaly[k] = anomaly;
}

/* A station is fit to be another's peer when it produced, its window is covered nearly as well
 * as the best covered one's, and its readings are not largely rejected. */
static void mark_healthy(size_t n, struct candidates *c)
{
	double best = 0;
	for (size_t k = 0; k < n; k++)
		if (isfinite(c->coverage[k]) && c->coverage[k] > best)
			best = c->coverage[k];
	for (size_t k = 0; k < n; k++)
		c->peers[k].healthy = isfinite(c->peers[k].yf_h) && c->peers[k].yf_h > 0 &&
				      best > 0 &&
				      c->coverage[k] >= ANALYSIS_PEER_MIN_COVERAGE * best &&
				      !(c->anomaly[k] > ANALYSIS_PEER_MAX_ANOMALY);
}

/* Weighs station s's window against its peers (peers, one per station, s's own entry is
 * skipped): records their median and the ratio to it, and when the station has nothing better
 * than an unscaled clear sky, chooses again knowing the healthy peers, which may make them the
 * window's source. */
static void apply_peers(struct eff_engine *a, size_t s, const struct irradiance_peer *peers,
			struct sfig *f)
{
	struct astation *as = &a->st[s];
	size_t n = a->cfg->n_stations, m = 0;
	struct irradiance_peer *others = xcalloc(n ? n : 1, sizeof *others);
	for (size_t k = 0; k < n; k++)
		if (k != s)
			others[m++] = peers[k];
	struct irradiance_peer_result r;
	int have = irradiance_peer_compare(as->site.lat_deg, as->site.lon_deg, f->w.yf_h, others, m,
					   IRRADIANCE_PEER_RADIUS_DEFAULT_KM,
					   IRRADIANCE_MIN_PEERS_DEFAULT, &r) == 0;
	free(others);
	int use = 0;
	if (f->choice.source == IRRADIANCE_CLEARSKY_SCALED && !f->choice.scaled) {
		f->av.healthy_peers = r.n_used;
		irradiance_choose(&f->av, &f->choice);
		use = f->choice.source == IRRADIANCE_PEER;
	}
	struct efficiency_params p;
	efficiency_params_from_config(a->cfg, as->cfg, &p);
	efficiency_apply_peers(&p, have ? &r : NULL, use, &f->w);
	/* An inverter is weighed against the same median: its yield over the peers'. */
	for (size_t k = 0; f->inv && k < as->n_inverters; k++) {
		inverter_params(a, as, k, &p);
		efficiency_apply_peers(&p, have ? &r : NULL, use, &f->inv[k]);
	}
}

/* A day's KPIs of a station: the slot-based online rate of its inverters over the daylight
 * quarter-hours of [t0, t1) (a quarter with a reading at night does not make up for a
 * daylight one without), and its share of rejected readings. */
static void day_kpis(struct eff_engine *a, struct astation *as, const char *day, double t0,
		     double t1, double *online, double *anomaly)
{
	long expected = 0, valid = 0, readings = 0, rejected = 0;
	int bad_online = 0, bad_anomaly = 0;
	size_t nq = t1 > t0 ? (size_t)((t1 - t0) / SLOT_QUARTER_S) : 0;
	unsigned char *lit = xcalloc(nq ? nq : 1, 1);
	for (size_t q = 0; q < nq; q++)
		lit[q] = (unsigned char)sun_up(as, t0 + SLOT_QUARTER_S * (double)q +
						       SLOT_QUARTER_S / 2.0);
	for (size_t i = 0; i < as->n_inverters; i++) {
		long v, r;
		double since;
		if (store_device_first_ts(a->store, as->inverter_ids[i], &since) != 0)
			bad_online = 1;
		expected += (long)kpi_expected_quarters(lit, nq, t0, since);
		long got = store_device_valid_quarters(a->store, as->inverter_ids[i], t0, nq, lit);
		if (got < 0)
			bad_online = 1;
		valid += got > 0 ? got : 0;
		if (store_device_day_counts(a->store, as->inverter_ids[i], day, &v, &r) == 0) {
			readings += v + r;
			rejected += r;
		} else {
			bad_anomaly = 1;
		}
	}
	free(lit);
	/* A figure the database could not give whole is no figure. */
	long all = expected;
	*online = all > 0 && !bad_online ? (double)valid / (double)all : NAN;
	*anomaly = readings > 0 && !bad_anomaly ? (double)rejected / (double)readings : NAN;
}

/* Fills the stored form of station s's day from its window and KPIs. */
static void day_row(struct eff_engine *a, size_t s, const char *day, const struct sfig *f,
		    double online, double anomaly, struct store_eff_day *d)
{
	const struct efficiency_window *w = &f->w;
	memset(d, 0, sizeof *d);
	d->station = a->st[s].cfg->id;
	snprintf(d->day, sizeof d->day, "%s", day);
	d->energy_wh = w->energy_kwh * 1000.0;
	d->e_act_wh = w->e_act_kwh * 1000.0;
	d->eth_wh = w->e_th_kwh * 1000.0;
	d->h_ghi_kwh_m2 = w->h_horizontal_kwh_m2;
	d->h_poa_kwh_m2 = w->h_poa_kwh_m2;
	d->eta = w->eta;
	d->pr = w->pr;
	d->pr_stc = w->pr_stc;
	d->yf_h = w->yf_h;
	d->coverage = w->coverage;
	snprintf(d->basis, sizeof d->basis, "%s",
		 w->basis == EFFICIENCY_BASIS_POA ? "poa" : "horizontal");
	snprintf(d->source, sizeof d->source, "%s",
		 irradiance_source_label(w->source, w->grade, 0));
	d->grade = w->grade;
	d->judgeable = w->judgeable;
	d->online_rate = online;
	d->anomaly_rate = anomaly;
	d->peer_yf_h = w->peer_yf_h;
	d->peer_ratio = w->peer_ratio;
	d->peer_n = (int)w->peer_n;
	d->curtailed_wh = w->curtailed_kwh * 1000.0;
	d->curtail_loss_wh = w->curtailment_loss_kwh * 1000.0;
	d->has_loss = f->has_loss;
	d->loss = f->loss;
}

/* Stores the day of each inverter of station s from its window (inv); 0 or negative. */
static int put_inverter_days(struct eff_engine *a, size_t s, const char *day,
			     const struct efficiency_window *inv)
{
	const struct astation *as = &a->st[s];
	for (size_t k = 0; k < as->n_inverters; k++) {
		const struct efficiency_window *w = &inv[k];
		struct store_inv_day d = {.station = as->cfg->id,
					  .device = as->inverters[k]->id,
					  .dc_kwp = as->inverters[k]->dc_kwp,
					  .energy_wh = w->energy_kwh * 1000.0,
					  .e_act_wh = w->e_act_kwh * 1000.0,
					  .eth_wh = w->e_th_kwh * 1000.0,
					  .eta = w->eta,
					  .pr = w->pr,
					  .pr_stc = w->pr_stc,
					  .yf_h = w->yf_h,
					  .coverage = w->coverage,
					  .peer_ratio = w->peer_ratio,
					  .grade = w->grade};
		snprintf(d.day, sizeof d.day, "%s", day);
		snprintf(d.source, sizeof d.source, "%s",
			 irradiance_source_label(w->source, w->grade, 0));
		if (store_inv_day_put(a->store, &d) != 0)
			return -1;
	}
	return 0;
}

/* Computes and stores a local day (whole, or until now when it is today) for the stations
 * whose flag in want is set (NULL: all). Each is weighed against its peers: those computed
 * here as just computed, the others as stored for the day. figs, online and anomaly (n
 * entries each, may be NULL) receive the figures. Returns the stations not computed or
 * stored. */
static int compute_day(struct eff_engine *a, const char *day, double now, const unsigned char *want,
		       struct sfig *figs, double *online, double *anomaly)
{
	size_t n = a->cfg->n_stations, wanted = 0;
	double t0, t1;
	local_day_bounds(day, a->cfg->utc_offset_s, &t0, &t1);
	if (now < t1)
		t1 = now;
	struct sfig *f = figs ? figs : xcalloc(n ? n : 1, sizeof *f);
	double *on = online ? online : xcalloc(n ? n : 1, sizeof *on);
	double *an = anomaly ? anomaly : xcalloc(n ? n : 1, sizeof *an);
	struct candidates c;
	candidates_init(a, &c);
	struct store_eff_peer *stored = xcalloc(n ? n : 1, sizeof *stored);
	for (size_t k = 0; k < n; k++) {
		on[k] = an[k] = NAN;
		f[k].ok = 0;
		f[k].inv =
		    (!want || want[k]) ? xcalloc(a->st[k].n_inverters + 1, sizeof *f[k].inv) : NULL;
	}
	int ns = store_eff_day_peers(a->store, day, stored, n);
	if (ns < 0) {
		/* Without the stored peers each station would be weighed against part of its
		 * neighbours: nothing is computed this time. */
		log_warn("efficiency: day %s: cannot read the stations' stored figures: %s", day,
			 store_errmsg(a->store));
		for (size_t k = 0; k < n; k++)
			if (!want || want[k])
				wanted++;
		free(stored);
		candidates_free(&c);
		for (size_t k = 0; k < n; k++) {
			free(f[k].inv);
			f[k].inv = NULL;
		}
		if (!anomaly)
			free(an);
		if (!online)
			free(on);
		if (!figs)
			free(f);
		return (int)wanted;
	}
	for (int i = 0; i < ns; i++) {
		const struct config_station *cs = config_station_find(a->cfg, stored[i].station);
		if (!cs)
			continue; /* a station no longer configured */
		candidate_set(&c, (size_t)(cs - a->cfg->stations), stored[i].yf_h,
			      stored[i].coverage, stored[i].anomaly_rate);
	}
	for (size_t k = 0; k < n; k++) {
		if (want && !want[k])
			continue;
		wanted++;
		if (t1 <= t0 || window(a, &a->st[k], t0, t1, &f[k]) != 0) {
			candidate_set(&c, k, NAN, NAN, NAN);
			continue;
		}
		day_kpis(a, &a->st[k], day, t0, t1, &on[k], &an[k]);
		candidate_set(&c, k, f[k].w.yf_h, f[k].w.coverage, an[k]);
	}
	mark_healthy(n, &c);
	for (size_t k = 0; k < n; k++)
		if ((!want || want[k]) && f[k].ok)
			apply_peers(a, k, c.peers, &f[k]);
	size_t stored_ok = 0;
	if (store_begin(a->store) == 0) {
		int bad = 0;
		for (size_t k = 0; k < n && !bad; k++) {
			if ((want && !want[k]) || !f[k].ok)
				continue;
			struct store_eff_day d;
			day_row(a, k, day, &f[k], on[k], an[k], &d);
			if (store_eff_day_put(a->store, &d) != 0 ||
			    put_inverter_days(a, k, day, f[k].inv) != 0)
				bad = 1;
			else
				stored_ok++;
		}
		if (bad) {
			store_rollback(a->store);
			stored_ok = 0;
		} else if (store_commit(a->store) != 0) {
			stored_ok = 0;
		}
	}
	for (size_t k = 0; k < n; k++) {
		free(f[k].inv);
		f[k].inv = NULL;
	}
	free(stored);
	candidates_free(&c);
	if (!anomaly)
		free(an);
	if (!online)
		free(on);
	if (!figs)
		free(f);
	return (int)(wanted - stored_ok);
}

int eff_engine_days(struct eff_engine *a, const char *day, double now, const unsigned char *want)
{
	return compute_day(a, day, now, want, NULL, NULL, NULL);
}

int eff_engine_day(struct eff_engine *a, size_t station, const char *day, double now,
		   struct store_eff_day *out)
{
	size_t n = a->cfg->n_stations;
	if (station >= n)
		return -1;
	unsigned char *want = xcalloc(n, 1);
	struct sfig *f = xcalloc(n, sizeof *f);
	double *on = xcalloc(n, sizeof *on), *an = xcalloc(n, sizeof *an);
	want[station] = 1;
	int rc = compute_day(a, day, now, want, f, on, an) == 0 ? 0 : -1;
	if (rc == 0 && out) {
		day_row(a, station, day, &f[station], on[station], an[station], out);
		out->station = a->st[station].cfg->id;
	}
	free(an);
	free(on);
	free(f);
	free(want);
	return rc;
}

static void county_figures(struct eff_engine *a, double now, struct eff_engine_county *c)
{
	size_t n = a->cfg->n_stations;
	struct efficiency_station_figure *day = xcalloc(n ? n : 1, sizeof *day);
	struct efficiency_station_figure *mtd = xcalloc(n ? n : 1, sizeof *mtd);
	char month[8], today[11];
	store_local_day(now, a->cfg->utc_offset_s, today);
	snprintf(month, sizeof month, "%.7s", today);
	for (size_t s = 0; s < n; s++) {
		struct efficiency_params p;
		efficiency_params_from_config(a->cfg, a->st[s].cfg, &p);
		p.grade = a->snap[s].day.grade;
		efficiency_station_figure_from(&p, &a->snap[s].day, &day[s]);
		double energy, eth, eta;
		int grade;
		mtd[s].capacity_kwp = a->st[s].cfg->capacity_kwp;
		mtd[s].energy_kwh = mtd[s].e_act_kwh = mtd[s].e_th_kwh = NAN;
		if (store_eff_month_get(a->store, a->st[s].cfg->id, month, &energy, &eth, &eta,
					&grade) == 0) {
			mtd[s].energy_kwh = energy / 1000.0;
			mtd[s].e_th_kwh = eth / 1000.0;
			mtd[s].e_act_kwh = eta * eth / 1000.0;
			mtd[s].grade = grade;
		}
	}
	efficiency_aggregate(day, n, a->cfg->efficiency.station_target,
			     a->cfg->efficiency.county_target, &c->day);
	efficiency_aggregate(mtd, n, a->cfg->efficiency.station_target,
			     a->cfg->efficiency.county_target, &c->mtd);
	efficiency_county_risk(&c->mtd, a->cfg->efficiency.county_target, &c->risk);
	free(day);
	free(mtd);
}

/* Computes again the earlier days whose data changed since they were computed: a day
 * stale for one station is computed for every station that has it, so that the peers of each
 * are weighed on the same data. Returns the failures. */
static int stale_days(struct eff_engine *a, const char *today, double now)
{
	const struct config *cfg = a->cfg;
	size_t n = cfg->n_stations;
	char first[11];
	store_local_day(now - STALE_DAYS * 86400.0, cfg->utc_offset_s, first);
	char days[STALE_DAYS + 1][11];
	size_t nd = 0;
	int failures_read = 0;
	for (size_t s = 0; s < n; s++) {
		char stale[STALE_DAYS + 1][11];
		int ns =
		    store_eff_stale_days(a->store, a->st[s].cfg->id, first, stale, STALE_DAYS + 1);
		if (ns < 0) {
			log_warn("efficiency: station %s: cannot read which days changed: %s",
				 a->st[s].cfg->id, store_errmsg(a->store));
			failures_read++;
		}
		for (int i = 0; i < ns; i++) {
			size_t j = 0;
			while (j < nd && strcmp(days[j], stale[i]) != 0)
				j++;
			if (j == nd && nd < STALE_DAYS + 1 && strcmp(stale[i], today) != 0)
				memcpy(days[nd++], stale[i], sizeof days[0]);
		}
	}
	int failures = failures_read;
	unsigned char *want = xcalloc(n ? n : 1, 1);
	for (size_t j = 0; j < nd; j++) {
		for (size_t s = 0; s < n; s++) {
			char one[1][11];
			want[s] = store_station_days(a->store, a->st[s].cfg->id, days[j], days[j],
						     one, 1) == 1;
		}
		failures += compute_day(a, days[j], now, want, NULL, NULL, NULL);
	}
	free(want);
	return failures;
}

int eff_engine_pass(struct eff_engine *a, double now)
{
	const struct config *cfg = a->cfg;
	size_t n = cfg->n_stations;
	char today[11];
	store_local_day(now, cfg->utc_offset_s, today);
	double d0, d1;
	local_day_bounds(today, cfg->utc_offset_s, &d0, &d1);
	struct sfig *day = xcalloc(n ? n : 1, sizeof *day);
	struct sfig *hour = xcalloc(n ? n : 1, sizeof *hour);
	double *online = xcalloc(n ? n : 1, sizeof *online);
	double *anomaly = xcalloc(n ? n : 1, sizeof *anomaly);
	struct candidates c;
	candidates_init(a, &c);

	/* Today, stored, every station weighed against the others. */
	int failures = compute_day(a, today, now, NULL, day, online, anomaly);
	/* The last hour, likewise. */
	for (size_t s = 0; s < n; s++)
		if (window(a, &a->st[s], fmax(now - 3600.0, d0), now, &hour[s]) == 0)
			candidate_set(&c, s, hour[s].w.yf_h, hour[s].w.coverage, anomaly[s]);
	mark_healthy(n, &c);
	for (size_t s = 0; s < n; s++)
		if (hour[s].ok)
			apply_peers(a, s, c.peers, &hour[s]);
	pthread_mutex_lock(&a->lock);
	for (size_t s = 0; s < n; s++) {
		if (!day[s].ok || !hour[s].ok)
			continue;
		struct eff_engine_station *fresh = &a->snap[s];
		fresh->station = s;
		fresh->valid = 1;
		fresh->computed_at = now;
		fresh->hour = hour[s].w;
		fresh->day = day[s].w;
		fresh->online_rate = online[s];
		fresh->anomaly_rate = anomaly[s];
		snprintf(fresh->reason, sizeof fresh->reason, "%s", day[s].choice.reason);
	}
	pthread_mutex_unlock(&a->lock);
	candidates_free(&c);
	free(anomaly);
	free(online);
	free(hour);
	free(day);

	/* Every earlier day whose data changed since it was computed: late readings and
	 * backfills correct the figures they belong to. */
	failures += stale_days(a, today, now);

	struct eff_engine_county county;
	county_figures(a, now, &county);
	pthread_mutex_lock(&a->lock);
	a->county = county;
	pthread_mutex_unlock(&a->lock);
	if (failures)
		log_warn("efficiency: %d station figures could not be computed or stored: %s",
			 failures, store_errmsg(a->store));
	if (a->listener)
		a->listener(a->listener_ctx, a->snap, cfg->n_stations, &county, now);
	return failures ? -1 : 0;
}

size_t eff_engine_snapshot(struct eff_engine *a, struct eff_engine_station *out, size_t cap,
			   struct eff_engine_county *county)
{
	size_t n = a->cfg->n_stations < cap ? a->cfg->n_stations : cap;
	pthread_mutex_lock(&a->lock);
	memcpy(out, a->snap, n * sizeof *out);
	if (county)
		*county = a->county;
	pthread_mutex_unlock(&a->lock);
	return n;
}

static void pass_round(void *ctx, double now)
{
	eff_engine_pass(ctx, now);
}

int eff_engine_start(struct eff_engine *a)
{
	a->thread =
	    periodic_start(a->clk, a->cfg->efficiency.interval_s, pass_round, a, "efficiency");
	return a->thread ? 0 : -1;
}

void eff_engine_stop(struct eff_engine *a)
{
	if (!a)
		return;
	periodic_stop(a->thread);
	a->thread = NULL;
}
