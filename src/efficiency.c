/* Efficiency figures for a window and their village and county aggregates.
 *
 * Choices where the references leave room:
 * - eta, PR and PR_stc are ratios of sums over the intervals that have both the energy and the
 *   irradiance they need ("paired"). A station whose logger missed an hour of energy would
 *   otherwise look an hour's worth less efficient; a missing sensor hour would flatter it.
 * - Aggregates are ratios of sums (sum E_act / sum E_th), not means of ratios: a 300 kWp station
 *   weighs three times a 100 kWp one, as the county's own energy balance does.
 * - A sensor's small negative readings at night are taken as zero rather than as negative
 *   light, as IEC 61724-1 does for night-time irradiance.
 * - Generation capability (发电能力) is the same energy-weighted ratio as a percentage. A county
 *   that reports against a more conservative theoretical figure gets it by passing station
 *   figures computed with its own K. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/efficiency.h"
#include "pvrelief/slot.h"

/* Ratios this close to a target count as meeting it: 0.6 computed as 216/360 must not fail. */
#define TARGET_TOLERANCE 1e-9

void efficiency_params_default(struct efficiency_params *p, double capacity_kwp)
{
	memset(p, 0, sizeof *p);
	p->capacity_kwp = capacity_kwp;
	p->k_coeff = EFFICIENCY_K_DEFAULT;
	p->basis = EFFICIENCY_BASIS_POA;
	p->gamma_per_c = EFFICIENCY_GAMMA_DEFAULT_PER_C;
	p->sandia_a = SOLAR_SANDIA_OPEN_RACK_A;
	p->sandia_b = SOLAR_SANDIA_OPEN_RACK_B;
	p->source = IRRADIANCE_SENSOR;
	p->grade = IRRADIANCE_GRADE_SENSOR;
	p->daylight_s = NAN;
	p->judge_day_window_s = EFFICIENCY_JUDGE_DAY_WINDOW_S;
	p->judge_min_irradiance_w_m2 = EFFICIENCY_JUDGE_MIN_IRRADIANCE_W_M2;
	p->judge_min_irradiation_kwh_m2 = EFFICIENCY_JUDGE_MIN_IRRADIATION_KWH_M2_DAY;
	p->judge_min_coverage = EFFICIENCY_JUDGE_MIN_COVERAGE;
}

void efficiency_params_from_config(const struct config *cfg, const struct config_station *st,
				   struct efficiency_params *p)
{
	efficiency_params_default(p, st->capacity_kwp);
	p->k_coeff = st->k_coeff > 0 ? st->k_coeff : cfg->efficiency.k_default;
	p->basis = cfg->efficiency.basis == CONFIG_BASIS_HORIZONTAL ? EFFICIENCY_BASIS_HORIZONTAL
								    : EFFICIENCY_BASIS_POA;
	p->judge_min_irradiance_w_m2 = cfg->alerts.min_irradiance_w_m2;
	p->judge_min_irradiation_kwh_m2 = cfg->alerts.min_irradiation_kwh_m2;
}

double efficiency_theoretical_kwh(double irradiation_kwh_m2, double capacity_kwp, double k_coeff)
{
	if (!(irradiation_kwh_m2 >= 0) || !(capacity_kwp >= 0) || !(k_coeff >= 0))
		return NAN;
	/* H in kWh/m2 divided by the STC irradiance of 1 kW/m2 gives hours at full power. */
	return irradiation_kwh_m2 / 1.0 * capacity_kwp * k_coeff;
}

/* Returns a sample value if it is flagged and finite, else NAN. */
static double value(const struct efficiency_sample *s, unsigned flag, double v)
{
	return (s->have & flag) && isfinite(v) ? v : NAN;
}

/* Irradiance with night-time sensor offsets taken as dark. */
static double irradiance(const struct efficiency_sample *s, unsigned flag, double v)
{
	double g = value(s, flag, v);
	return g < 0 ? 0 : g;
}

static void window_nan(struct efficiency_window *w)
{
	w->energy_kwh = w->h_horizontal_kwh_m2 = w->h_poa_kwh_m2 = NAN;
	w->e_act_kwh = w->e_th_kwh = w->eta = NAN;
	w->yr_h = w->yf_h = w->equivalent_hours = w->pr = w->pr_stc = NAN;
	w->coverage = w->eta_coverage = w->mean_irradiance_w_m2 = w->irradiation_kwh_m2_day = NAN;
	w->peer_yf_h = w->peer_ratio = NAN;
	w->peer_n = 0;
	w->curtailed_kwh = w->curtailed_eth_kwh = w->curtailment_loss_kwh = NAN;
}

double efficiency_module_temp_c(const struct efficiency_params *p,
				const struct efficiency_sample *s)
{
	double t_mod = value(s, EFFICIENCY_HAVE_MODULE_TEMP, s->module_temp_c);
	double t_air = value(s, EFFICIENCY_HAVE_AIR_TEMP, s->air_temp_c);
	double poa = irradiance(s, EFFICIENCY_HAVE_POA, s->poa_w_m2);
	if (isnan(t_mod) && !isnan(t_air) && !isnan(poa)) {
		double wind = value(s, EFFICIENCY_HAVE_WIND, s->wind_m_s);
		t_mod = solar_module_temp_c(poa, t_air, isnan(wind) ? 0 : wind, p->sandia_a,
					    p->sandia_b);
	}
	return t_mod;
}

/* Running sums over a window; energies in Wh, irradiation in Wh/m2, times in s. */
struct sums {
	double energy_wh, ghi_wh_m2, poa_wh_m2;
	int any_energy, any_ghi, any_poa;
	double pair_energy_wh, pair_h_wh_m2, pair_s, pair_day_s, est_s, est_day_s;
	int any_pair;
	double poa_pair_energy_wh, poa_pair_h_wh_m2;
	double temp_energy_wh, temp_ref_wh; /* PR_stc numerator and denominator */
	double day_g_wh_m2, day_s;
	double curt_energy_wh, curt_h_wh_m2; /* curtailed energy and its share's irradiation */
	double curt_poa_energy_wh, curt_poa_wh_m2; /* the same where there is POA */
};

static void add_sample(const struct efficiency_params *p, const struct efficiency_sample *s,
		       double t0, double t1, struct sums *a)
{
	double dur = s->t_end_s - s->t_start_s;
	if (!(dur > 0))
		return;
	double overlap = fmin(s->t_end_s, t1) - fmax(s->t_start_s, t0);
	if (!(overlap > 0))
		return;
	double share = overlap / dur, dt_h = overlap / 3600.0;
	double e = value(s, EFFICIENCY_HAVE_ENERGY, s->energy_wh);
	if (e < 0)
		e = NAN; /* the energy accounting never yields a decrease */
	e *= share;
	/* A sample holding energy of an earlier gap counts in the totals but is not paired: how
	 * much of its energy is its own is unknown. */
	int unpaired = s->gap_energy_wh > 0;
	double ghi = irradiance(s, EFFICIENCY_HAVE_GHI, s->ghi_w_m2);
	double poa = irradiance(s, EFFICIENCY_HAVE_POA, s->poa_w_m2);
	double g = p->basis == EFFICIENCY_BASIS_POA ? poa : ghi;
	/* Only the part of the station whose energy the sample holds is held against the
	 * irradiance; of that, the estimated part is not counted as measured. */
	double curt = fmin(fmax(s->curtailed_share, 0), 1);
	double absent = fmin(fmax(s->absent_share, 0), 1);
	double part = fmax(1.0 - absent - curt, 0);
	double measured = fmax(1.0 - absent - fmax(s->estimated_share, 0), 0);
	double e_curt =
	    curt > 0 && isfinite(s->curtailed_energy_wh) ? s->curtailed_energy_wh * share : 0;
	double t_mod = efficiency_module_temp_c(p, s);

	if (!isnan(e)) {
		a->energy_wh += e;
		a->any_energy = 1;
	}
	if (!isnan(ghi)) {
		a->ghi_wh_m2 += ghi * dt_h;
		a->any_ghi = 1;
	}
	if (!isnan(poa)) {
		a->poa_wh_m2 += poa * dt_h;
		a->any_poa = 1;
	}
	if (!isnan(g) && g > 0) {
		a->day_g_wh_m2 += g * dt_h;
		a->day_s += overlap;
	}
	if (isnan(e) || unpaired)
		return;
	/* A curtailed inverter's energy says what the grid let it make, not how well it
	 * works: it is kept apart, with E_th for its share, to price the curtailment. */
	if (curt > 0 && !isnan(g)) {
		a->curt_energy_wh += e_curt;
		a->curt_h_wh_m2 += g * dt_h * curt;
	}
	if (curt > 0 && !isnan(poa)) {
		a->curt_poa_energy_wh += e_curt;
		a->curt_poa_wh_m2 += poa * dt_h * curt;
	}
	e -= e_curt;
	if (!(part > 0))
		return;
	if (!isnan(g)) {
		a->any_pair = 1;
		a->pair_energy_wh += e;
		a->pair_h_wh_m2 += g * dt_h * part;
		a->pair_s += overlap * measured;
		a->est_s += overlap * (part + curt);
		if (g > 0) {
			a->pair_day_s += overlap * measured;
			a->est_day_s += overlap * (part + curt);
		}
	}
	if (!isnan(poa)) {
		a->poa_pair_energy_wh += e;
		a->poa_pair_h_wh_m2 += poa * dt_h * part;
		if (!isnan(t_mod)) {
			a->temp_energy_wh += e;
			a->temp_ref_wh += p->capacity_kwp * 1000.0 * (poa / 1000.0) * dt_h * part *
					  (1.0 + p->gamma_per_c * (t_mod - 25.0));
		}
	}
}

/* Returns num / den, or NAN when den is not positive. */
static double ratio(double num, double den)
{
	return den > 0 && isfinite(num) ? num / den : NAN;
}

int efficiency_window(const struct efficiency_params *p, double t_start_s, double t_end_s,
		      const struct efficiency_sample *samples, size_t n,
		      struct efficiency_window *out)
{
	memset(out, 0, sizeof *out);
	window_nan(out);
	out->basis = p->basis;
	out->source = p->source;
	out->grade = p->grade;
	out->window_s = t_end_s - t_start_s;
	if (!(out->window_s > 0) || !(p->capacity_kwp > 0))
		return -EINVAL;

	struct sums a;
	memset(&a, 0, sizeof a);
	for (size_t i = 0; i < n; i++)
		add_sample(p, &samples[i], t_start_s, t_end_s, &a);

	double cap = p->capacity_kwp;
	if (a.any_energy)
		out->energy_kwh = a.energy_wh / 1000.0;
	if (a.any_ghi)
		out->h_horizontal_kwh_m2 = a.ghi_wh_m2 / 1000.0;
	if (a.any_poa)
		out->h_poa_kwh_m2 = a.poa_wh_m2 / 1000.0;
	if (a.any_pair) {
		out->e_act_kwh = a.pair_energy_wh / 1000.0;
		out->e_th_kwh =
		    efficiency_theoretical_kwh(a.pair_h_wh_m2 / 1000.0, cap, p->k_coeff);
		out->eta = ratio(out->e_act_kwh, out->e_th_kwh);
	}
	out->yr_h = out->h_poa_kwh_m2 / 1.0;
	out->yf_h = out->energy_kwh / cap;
	out->equivalent_hours = out->yf_h;
	out->pr = ratio(a.poa_pair_energy_wh / cap, a.poa_pair_h_wh_m2);
	out->curtailed_kwh = a.curt_energy_wh / 1000.0;
	out->curtailed_eth_kwh =
	    efficiency_theoretical_kwh(a.curt_h_wh_m2 / 1000.0, cap, p->k_coeff);
	/* The loss is priced with PR on the plane of array where there is one: the array's output
	 * follows POA, while eta on horizontal irradiance varies over the day with the ratio of
	 * the two, and a curtailment is usually an order for the middle of the day. */
	if (!(a.curt_h_wh_m2 > 0) && !(a.curt_poa_wh_m2 > 0))
		out->curtailment_loss_kwh = 0;
	else if (isfinite(out->pr) && a.curt_poa_wh_m2 > 0)
		out->curtailment_loss_kwh = fmax(
		    out->pr * cap * a.curt_poa_wh_m2 / 1000.0 - a.curt_poa_energy_wh / 1000.0, 0);
	else if (isfinite(out->eta))
		out->curtailment_loss_kwh =
		    fmax(out->eta * out->curtailed_eth_kwh - out->curtailed_kwh, 0);
	else
		out->curtailment_loss_kwh = NAN;
	out->pr_stc = ratio(a.temp_energy_wh, a.temp_ref_wh);

	if (p->daylight_s > 0) {
		out->coverage = a.pair_day_s / p->daylight_s;
		out->eta_coverage = a.est_day_s / p->daylight_s;
	} else {
		out->coverage = a.pair_s / out->window_s;
		out->eta_coverage = a.est_s / out->window_s;
	}
	out->coverage = fmin(out->coverage, 1);
	out->eta_coverage = fmin(out->eta_coverage, 1);

	double h_basis =
	    p->basis == EFFICIENCY_BASIS_POA ? out->h_poa_kwh_m2 : out->h_horizontal_kwh_m2;
	out->irradiation_kwh_m2_day = h_basis / (out->window_s / 86400.0);
	out->mean_irradiance_w_m2 = ratio(a.day_g_wh_m2, a.day_s / 3600.0);
	if (out->window_s >= p->judge_day_window_s)
		out->irradiance_enough =
		    out->irradiation_kwh_m2_day > p->judge_min_irradiation_kwh_m2;
	else
		out->irradiance_enough = out->mean_irradiance_w_m2 > p->judge_min_irradiance_w_m2;
	out->judgeable = isfinite(out->eta) && out->irradiance_enough &&
			 out->eta_coverage >= p->judge_min_coverage && p->grade >= 1 &&
			 p->grade <= 2;
	return 0;
}

/* Returns weight[i], or where it is unknown the linear interpolation between the nearest
 * known weights on either side (the nearer one alone at an edge); NAN when none is known. */
static double weight_at(const double *weight, size_t n, size_t i)
{
	if (isfinite(weight[i]))
		return fmax(weight[i], 0);
	long l = (long)i - 1, r = (long)i + 1;
	while (l >= 0 && !isfinite(weight[l]))
		l--;
	while (r < (long)n && !isfinite(weight[r]))
		r++;
	int hl = l >= 0, hr = r < (long)n;
	if (hl && hr) {
		double f = (double)((long)i - l) / (double)(r - l);
		return fmax(weight[l] + f * (weight[r] - weight[l]), 0);
	}
	if (hl)
		return fmax(weight[l], 0);
	if (hr)
		return fmax(weight[r], 0);
	return NAN;
}

void efficiency_spread_gaps(struct efficiency_inv_slot *s, size_t n, long missing_before,
			    const double *weight)
{
	/* The index of the inverter's last read slot; before s[0] when known. */
	long last = missing_before >= 0 ? -1 - missing_before : LONG_MIN;
	for (size_t i = 0; i < n; i++) {
		if (s[i].state != EFFICIENCY_SLOT_SEEN)
			continue;
		long li = (long)i;
		if (last != LONG_MIN && last == li - 1) {
			last = li;
			continue;
		}
		if (last == LONG_MIN || last < -1) {
			/* The gap began before the slots: how much of the energy is theirs is
			 * unknown. */
			s[i].state = EFFICIENCY_SLOT_UNSHARED;
			last = li;
			continue;
		}
		/* Slots last+1 .. i share the energy read in slot i. */
		size_t from = (size_t)(last + 1);
		double sum = 0;
		int known = 1;
		for (size_t j = from; j <= i; j++) {
			double w = weight_at(weight, n, j);
			if (isnan(w))
				known = 0;
			else
				sum += w;
		}
		double e = s[i].energy_wh, k = (double)(i - from + 1);
		for (size_t j = from; j <= i; j++) {
			double w = known && sum > 0 ? weight_at(weight, n, j) / sum : 1.0 / k;
			s[j].energy_wh = e * w;
			if (j < i)
				s[j].state = EFFICIENCY_SLOT_FILLED;
		}
		last = li;
	}
}

void efficiency_apply_peers(const struct efficiency_params *p,
			    const struct irradiance_peer_result *peer, int use_as_source,
			    struct efficiency_window *w)
{
	w->peer_yf_h = w->peer_ratio = NAN;
	w->peer_n = peer ? peer->n_used : 0;
	if (!peer || !(peer->expected_yf_h > 0))
		return;
	w->peer_yf_h = peer->expected_yf_h;
	w->peer_ratio = ratio(w->yf_h, w->peer_yf_h);
	if (!use_as_source || !(p->k_coeff > 0) || !(p->capacity_kwp > 0))
		return;
	double h = w->peer_yf_h / p->k_coeff; /* kWh/m2 in the basis the median implies */
	w->source = IRRADIANCE_PEER;
	w->grade = IRRADIANCE_GRADE_PEER;
	w->h_horizontal_kwh_m2 = w->h_poa_kwh_m2 = w->yr_h = NAN;
	w->pr = w->pr_stc = w->mean_irradiance_w_m2 = NAN;
	w->e_act_kwh = w->energy_kwh;
	w->e_th_kwh = efficiency_theoretical_kwh(h, p->capacity_kwp, p->k_coeff);
	w->eta = ratio(w->e_act_kwh, w->e_th_kwh);
	w->irradiation_kwh_m2_day = w->window_s > 0 ? h / (w->window_s / 86400.0) : NAN;
	if (w->window_s >= p->judge_day_window_s)
		w->irradiance_enough = w->irradiation_kwh_m2_day > p->judge_min_irradiation_kwh_m2;
	else
		w->irradiance_enough = 0; /* no irradiance to say the hour was bright */
	w->judgeable = 0;
}

void efficiency_station_figure_from(const struct efficiency_params *p,
				    const struct efficiency_window *w,
				    struct efficiency_station_figure *fig)
{
	fig->capacity_kwp = p->capacity_kwp;
	fig->energy_kwh = w->energy_kwh;
	fig->e_act_kwh = w->e_act_kwh;
	fig->e_th_kwh = w->e_th_kwh;
	fig->grade = w->grade;
}

void efficiency_aggregate(const struct efficiency_station_figure *st, size_t n,
			  double station_target, double group_target,
			  struct efficiency_aggregate *out)
{
	memset(out, 0, sizeof *out);
	out->n_stations = n;
	double e_all = 0, cap_all = 0, e12 = 0, th12 = 0;
	for (size_t i = 0; i < n; i++) {
		const struct efficiency_station_figure *s = &st[i];
		if (isfinite(s->energy_kwh) && s->energy_kwh >= 0 && s->capacity_kwp > 0) {
			e_all += s->energy_kwh;
			cap_all += s->capacity_kwp;
		}
		if (!isfinite(s->e_act_kwh) || !(s->e_th_kwh > 0) || !isfinite(s->e_th_kwh))
			continue;
		out->n_with_value++;
		out->e_act_kwh += s->e_act_kwh;
		out->e_th_kwh += s->e_th_kwh;
		if (s->e_act_kwh / s->e_th_kwh >= station_target - TARGET_TOLERANCE)
			out->n_meeting_target++;
		/* An unset grade is treated as the worst. */
		int grade = s->grade >= 1 && s->grade <= 4 ? s->grade : 4;
		if (grade > out->worst_grade)
			out->worst_grade = grade;
		if (grade <= 2) {
			e12 += s->e_act_kwh;
			th12 += s->e_th_kwh;
		}
	}
	out->eta = ratio(out->e_act_kwh, out->e_th_kwh);
	out->capability_pct = 100.0 * out->eta;
	out->eta_grade12 = ratio(e12, th12);
	out->equivalent_hours = ratio(e_all, cap_all);
	out->share_meeting_target =
	    out->n_with_value ? (double)out->n_meeting_target / (double)out->n_with_value : NAN;
	out->meets_group_target = out->eta >= group_target - TARGET_TOLERANCE;
	if (out->n_with_value == 0) {
		out->e_act_kwh = out->e_th_kwh = NAN;
	}
}

double efficiency_month_start_s(double now_s, int utc_offset_s)
{
	int y, m;
	double start, end;
	irradiance_local_month(now_s, utc_offset_s, &y, &m);
	irradiance_month_bounds(y, m, utc_offset_s, &start, &end);
	return start;
}

void efficiency_county_risk(const struct efficiency_aggregate *mtd, double county_target,
			    struct efficiency_risk *out)
{
	out->eta = mtd->eta;
	out->known = isfinite(mtd->eta);
	out->at_risk = out->known && mtd->eta < county_target - TARGET_TOLERANCE;
	/* Grade 3-4 figures alone raise no alert: the grade 1-2 stations must say so too. */
	out->alertable = out->at_risk && isfinite(mtd->eta_grade12) &&
			 mtd->eta_grade12 < county_target - TARGET_TOLERANCE;
}

int efficiency_limit_curtails(double limit_w, double rated_w, double export_limit_w)
{
	if (!isfinite(limit_w) || limit_w < 0)
		return 0;
	double ceiling = rated_w > 0 ? rated_w : INFINITY;
	if (export_limit_w > 0)
		ceiling = fmin(ceiling, export_limit_w);
	/* A watt below is rounding in a percentage of the rating, not a limit. */
	return limit_w < ceiling - 1.0;
}

int efficiency_reported_limit_curtails(double limit_pct, double rated_w, double cap_w)
{
	if (!isfinite(limit_pct) || limit_pct < 0 ||
	    limit_pct >= 100.0 - EFFICIENCY_LIMIT_MARGIN_PCT)
		return 0;
	if (rated_w > 0 && cap_w > 0 && limit_pct / 100.0 * rated_w >= cap_w - 1.0)
		return 0;
	return 1;
}

int efficiency_sensor_whole(int readings, double interval_s)
{
	/* A count cannot tell a slot whose readings bunched together; a slow or jittery poll
	 * must not cost the sensor its slots. */
	return readings > 0 && interval_s > 0 && (double)readings * 2.0 * interval_s >= SLOT_S;
}

double efficiency_source_coverage(const unsigned char *day, const unsigned char *energy,
				  const unsigned char *have, size_t n)
{
	int paired = 0, paired_have = 0, days = 0, days_have = 0;
	for (size_t i = 0; i < n; i++) {
		if (!day[i])
			continue;
		days++;
		days_have += have[i] != 0;
		if (energy[i]) {
			paired++;
			paired_have += have[i] != 0;
		}
	}
	return paired ? (double)paired_have / paired : days ? (double)days_have / days : 0;
}

int efficiency_daylight_slots(const unsigned char *day, size_t n)
{
	int days = 0;
	for (size_t i = 0; i < n; i++)
		days += day[i] != 0;
	return days;
}
