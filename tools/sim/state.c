#include "state.h"

#include <math.h>
#include <string.h>

#include "pvrelief/config.h"
#include "sim.h"

#define STATE_START_STEP_S 300.0
#define STATE_AC_VOLTAGE_V 230.0
#define STATE_DC_VOLTAGE_V 600.0
#define STATE_FREQUENCY_HZ 50.0

int sim_windows_has(const struct sim_windows *w, double t)
{
	for (int i = 0; i < w->n; i++)
		if (t >= w->from[i] && t < w->to[i])
			return 1;
	return 0;
}

void sim_fault_now(const struct sim_fault *f, double t, struct sim_now *now)
{
	now->limit = f->limit;
	now->limit_quiet = f->limit_quiet;
	now->down = f->down;
	if (f->limit_at_share > 0 && sim_windows_has(&f->limit_at, t)) {
		now->limit = f->limit_at_share;
		now->limit_quiet = f->limit_at_quiet;
	}
	if (f->down_at_state && sim_windows_has(&f->down_at, t))
		now->down = f->down_at_state;
}

/* Returns the AC power device d makes in env, 0 in fault or down, at its limit (d->now); the
 * caller holds d->lock. */
static double device_ac_w(const struct sim_device *d, const struct physics_env *env, double *dc_w)
{
	double dc = physics_dc_w(env, d->share_w, d->fault.health);
	if (d->fault.fault || d->now.down)
		dc = 0;
	int dead = 0;
	for (int i = 0; i < SIM_DC_INPUTS; i++)
		dead += (d->fault.dead_inputs >> i) & 1u;
	dc *= (double)(SIM_DC_INPUTS - dead) / SIM_DC_INPUTS;
	double ac = physics_ac_w(dc, d->rated_w), cap = d->now.limit * d->rated_w;
	if (d->now.limit > 0 && ac > cap) {
		/* The inverter moves off the maximum power point: DC follows AC down. */
		dc *= ac > 0 ? cap / ac : 0;
		ac = cap;
	}
	*dc_w = dc;
	return ac;
}

void state_init(struct sim *sim, double t_unix)
{
	const struct config *cfg = sim->cfg;
	size_t i = 0;
	while (i < sim->n_devices) {
		/* Devices of one station are adjacent: integrate the station's day once. */
		size_t j = i;
		while (j < sim->n_devices && sim->devices[j].st == sim->devices[i].st)
			j++;
		const struct config_station *st = sim->devices[i].st;
		int64_t day = physics_local_day(t_unix, cfg->utc_offset_s);
		double midnight = (double)day * 86400.0 - cfg->utc_offset_s;
		for (size_t k = i; k < j; k++) {
			struct sim_device *d = &sim->devices[k];
			d->lifetime_wh = physics_start_lifetime_wh(st, d->dev);
			d->today_wh = 0;
			d->day = day;
			d->ac_w = 0;
		}
		struct physics_env env;
		int n = (int)ceil((t_unix - midnight) / STATE_START_STEP_S);
		double dt = n > 0 ? (t_unix - midnight) / n : 0;
		for (int s = 0; s <= n; s++) {
			double t = midnight + dt * s;
			physics_env(st, cfg->efficiency.linke_turbidity, cfg->utc_offset_s, t,
				    &env);
			for (size_t k = i; k < j; k++) {
				struct sim_device *d = &sim->devices[k];
				if (d->dev->role != CONFIG_INVERTER)
					continue;
				sim_fault_now(&d->fault, t, &d->now);
				double dc, ac = device_ac_w(d, &env, &dc);
				if (s > 0)
					d->today_wh += (d->ac_w + ac) / 2.0 * dt / 3600.0;
				d->ac_w = ac;
				d->dc_w = dc;
			}
		}
		for (size_t k = i; k < j; k++) {
			struct sim_device *d = &sim->devices[k];
			d->lifetime_wh += d->today_wh;
			d->env = env;
		}
		i = j;
	}
	sim->tick_t = t_unix;
}

void state_advance(struct sim *sim, double t_unix)
{
	const struct config *cfg = sim->cfg;
	double t0 = sim->tick_t;
	if (!(t_unix > t0))
		return;
	int n = (int)ceil((t_unix - t0) / PHYSICS_MAX_STEP_S);
	double dt = (t_unix - t0) / n;
	size_t i = 0;
	while (i < sim->n_devices) {
		size_t j = i;
		while (j < sim->n_devices && sim->devices[j].st == sim->devices[i].st)
			j++;
		const struct config_station *st = sim->devices[i].st;
		for (int s = 1; s <= n; s++) {
			double t = t0 + dt * s;
			struct physics_env env;
			physics_env(st, cfg->efficiency.linke_turbidity, cfg->utc_offset_s, t,
				    &env);
			int64_t day = physics_local_day(t, cfg->utc_offset_s);
			for (size_t k = i; k < j; k++) {
				struct sim_device *d = &sim->devices[k];
				pthread_mutex_lock(&d->lock);
				d->env = env;
				sim_fault_now(&d->fault, t, &d->now);
				if (d->dev->role == CONFIG_INVERTER) {
					double dc, ac = device_ac_w(d, &env, &dc);
					/* Power across midnight is zero, so the whole step may go
					 * to the new day. */
					if (day != d->day) {
						d->today_wh = 0;
						d->day = day;
					}
					double wh = (d->ac_w + ac) / 2.0 * dt / 3600.0;
					d->today_wh += wh;
					d->lifetime_wh += wh;
					d->ac_w = ac;
					d->dc_w = dc;
				}
				pthread_mutex_unlock(&d->lock);
			}
		}
		i = j;
	}
	sim->tick_t = t_unix;
}

static void inverter_reading(const struct sim_device *d, struct reading *r)
{
	const struct sim_fault *f = &d->fault;
	double ac = d->ac_w, dc = d->dc_w, lifetime = d->lifetime_wh, today = d->today_wh;
	if (f->garbage) {
		ac = d->rated_w * STATE_GARBAGE_POWER_FACTOR;
		dc = ac;
		lifetime += STATE_GARBAGE_JUMP_WH;
		today = d->share_w * 30.0;
	}
	const struct sim_now *now = &d->now;
	enum inv_state state = INV_STATE_MPPT;
	if (f->fault)
		state = INV_STATE_FAULT;
	else if (now->down)
		state = now->down;
	else if (ac <= 0)
		state = INV_STATE_SLEEPING;
	else if (now->limit > 0 && !now->limit_quiet && ac >= now->limit * d->rated_w * 0.999)
		state = INV_STATE_THROTTLED;
	/* The limit in force, whether it binds or not (model 123, a vendor limit register). */
	if (now->limit > 0)
		reading_set(r, RF_POWER_LIMIT_PCT, 100.0 * now->limit);
	/* The array's voltage follows cell temperature while there is light, in fault too. */
	double dc_v = 0;
	if (d->env.poa_w_m2 > 1.0)
		dc_v = STATE_DC_VOLTAGE_V * (1.0 - 0.0035 * (d->env.cell_temp_c - 25.0));
	reading_set(r, RF_POWER_W, ac);
	reading_set(r, RF_ENERGY_TOTAL_WH, lifetime);
	reading_set(r, RF_ENERGY_TODAY_WH, today);
	int on_grid = state == INV_STATE_MPPT || state == INV_STATE_THROTTLED;
	reading_set(r, RF_AC_VOLTAGE_V, on_grid ? STATE_AC_VOLTAGE_V : 0);
	reading_set(r, RF_AC_CURRENT_A, ac / (3.0 * STATE_AC_VOLTAGE_V));
	reading_set(r, RF_FREQUENCY_HZ, on_grid ? STATE_FREQUENCY_HZ : 0);
	reading_set(r, RF_DC_VOLTAGE_V, dc_v);
	reading_set(r, RF_DC_CURRENT_A, dc_v > 0 ? dc / dc_v : 0);
	reading_set(r, RF_DC_POWER_W, dc);
	reading_set(r, RF_CABINET_TEMP_C,
		    d->env.air_temp_c + (ac > 0 ? 5.0 + 15.0 * ac / d->rated_w : 0));
	reading_set(r, RF_RATED_POWER_W, d->rated_w);
	reading_set(r, RF_STATE, state);
	r->state = state;
	r->vendor_state = (uint32_t)state;
	reading_set(r, RF_EVENTS, f->fault ? f->fault_events : 0);
	r->events = f->fault ? f->fault_events : 0;
	reading_set(r, RF_FAULT_CODE, 0);
	if (f->sentinel) {
		static const enum reading_field gone[] = {
		    RF_POWER_W,	     RF_ENERGY_TOTAL_WH, RF_ENERGY_TODAY_WH, RF_AC_VOLTAGE_V,
		    RF_AC_CURRENT_A, RF_FREQUENCY_HZ,	 RF_DC_VOLTAGE_V,    RF_DC_CURRENT_A,
		    RF_DC_POWER_W,   RF_CABINET_TEMP_C};
		for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
			reading_set_sentinel(r, gone[i]);
	}
}

static void sensor_reading(const struct sim_device *d, struct reading *r)
{
	const struct physics_env *e = &d->env;
	reading_set(r, RF_GHI_W_M2, e->ghi_w_m2);
	reading_set(r, RF_POA_W_M2, e->poa_w_m2);
	reading_set(r, RF_DHI_W_M2, e->dhi_w_m2);
	reading_set(r, RF_DNI_W_M2, e->dni_w_m2);
	reading_set(r, RF_MODULE_TEMP_C, e->module_temp_c);
	reading_set(r, RF_AIR_TEMP_C, e->air_temp_c);
	reading_set(r, RF_WIND_M_S, e->wind_m_s);
	if (d->fault.garbage) {
		reading_set(r, RF_GHI_W_M2, 5000.0);
		reading_set(r, RF_POA_W_M2, 6000.0);
		reading_set(r, RF_MODULE_TEMP_C, 150.0);
	}
	if (d->fault.sentinel) {
		static const enum reading_field gone[] = {RF_GHI_W_M2, RF_POA_W_M2, RF_DHI_W_M2,
							  RF_DNI_W_M2, RF_MODULE_TEMP_C};
		for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
			reading_set_sentinel(r, gone[i]);
	}
}

void state_reading(const struct sim_device *d, struct reading *r)
{
	memset(r, 0, sizeof *r);
	if (d->dev->role == CONFIG_INVERTER)
		inverter_reading(d, r);
	else
		sensor_reading(d, r);
}

/* Returns the smallest power-of-ten exponent e >= lo such that max <= limit x 10^e. */
static int8_t scale_for(double max, double limit, int lo)
{
	int e = lo;
	while (max > limit * pow(10.0, e) && e < 9)
		e++;
	return (int8_t)e;
}

void state_choose_scales(struct sim_device *d)
{
	struct sunspec_scales *sf = &d->scales;
	sunspec_scales_default(sf);
	double max_w = d->rated_w * (STATE_GARBAGE_POWER_FACTOR + 1.0);
	if (d->share_w * 1.3 > max_w)
		max_w = d->share_w * 1.3;
	sf->w = scale_for(max_w, 32767, sf->w);
	sf->dcw = scale_for(max_w, 32767, sf->dcw);
	sf->wrtg = scale_for(d->rated_w, 65534, sf->wrtg);
	sf->a = scale_for(max_w / (3.0 * STATE_AC_VOLTAGE_V), 65534, sf->a);
	/* The DC voltage can sag to a third of nominal in the evening. */
	sf->dca = scale_for(max_w / (STATE_DC_VOLTAGE_V / 3.0), 65534, sf->dca);
	/* Model 160 splits DC between the MPPT inputs; size each for the whole, to be safe. */
	sf->mppt_dcw = scale_for(max_w, 65534, sf->mppt_dcw);
	sf->mppt_dca = sf->dca;
	double max_wh = d->lifetime_wh * 1.5 + STATE_GARBAGE_JUMP_WH;
	sf->wh = scale_for(max_wh, 4294967294.0, sf->wh);
}
