/* Efficiency figures: a station's (or an inverter's) generation parameter eta = E_act / E_th
 * (GB 50797), yields and performance ratio (IEC 61724-1) over a window of interval samples, and
 * the energy-weighted village and county aggregates reported against the provincial (>= 0.6 per
 * station) and county (>= 0.8 overall) targets. Pure: no I/O, no globals, the time is a
 * parameter. A figure that cannot be computed (missing data, night, division by zero) is NAN,
 * never a made-up number. */
#ifndef PVRELIEF_EFFICIENCY_H
#define PVRELIEF_EFFICIENCY_H

#include <stddef.h>

#include "pvrelief/irradiance.h"

struct config;
struct config_station;

/* GB 50797 comprehensive efficiency coefficient K when a station has none. */
#define EFFICIENCY_K_DEFAULT 0.80
/* Power temperature coefficient gamma per C of crystalline silicon modules (-0.0035..-0.0045). */
#define EFFICIENCY_GAMMA_DEFAULT_PER_C (-0.004)
/* Windows at least this long are judged by daily irradiation, shorter ones by mean irradiance. */
#define EFFICIENCY_JUDGE_DAY_WINDOW_S 86400.0
#define EFFICIENCY_JUDGE_MIN_IRRADIANCE_W_M2 200.0
#define EFFICIENCY_JUDGE_MIN_IRRADIATION_KWH_M2_DAY 1.5
/* Share of the window (or of its daylight) with valid energy and irradiance needed to judge. */
#define EFFICIENCY_JUDGE_MIN_COVERAGE 0.8

/* Which irradiation E_th is computed from; recorded with every eta. */
enum efficiency_basis { EFFICIENCY_BASIS_HORIZONTAL, EFFICIENCY_BASIS_POA };

/* What a sample carries (a bit set); a flagged value that is NaN counts as absent. */
enum efficiency_have {
	EFFICIENCY_HAVE_ENERGY = 1 << 0,
	EFFICIENCY_HAVE_GHI = 1 << 1,
	EFFICIENCY_HAVE_POA = 1 << 2,
	EFFICIENCY_HAVE_MODULE_TEMP = 1 << 3,
	EFFICIENCY_HAVE_AIR_TEMP = 1 << 4,
	EFFICIENCY_HAVE_WIND = 1 << 5,
};

/* One interval of measurements. Samples must not overlap one another. */
struct efficiency_sample {
	double t_start_s, t_end_s; /* unix s */
	double energy_wh;	   /* energy produced in the interval (lifetime counter increase) */
	double gap_energy_wh;	   /* of it, energy produced before the interval, over a gap in the
				    * readings (an outage); > 0 makes the sample count in the energy and
				    * yields but not in eta, PR or coverage, since its own share is
				    * unknown */
	double ghi_w_m2;	   /* mean global horizontal irradiance over the interval */
	double poa_w_m2;	   /* mean plane-of-array irradiance */
	double module_temp_c;	   /* mean back-of-module temperature */
	double air_temp_c;	   /* for the Sandia model when no module temperature */
	double wind_m_s;	   /* at 10 m, for Sandia; taken as 0 when absent */
	unsigned have;		   /* EFFICIENCY_HAVE_* */
	double absent_share;	   /* share of P_stc whose energy is not in energy_wh (an
				    * inverter not read in the interval): E_th, PR and coverage
				    * count only the rest; 0 for the whole station */
	double estimated_share;	   /* share of P_stc whose energy in energy_wh was estimated
				    * by efficiency_spread_gaps: it counts in eta and PR but not
				    * in coverage, which says what was measured */
	double curtailed_share;	   /* share of P_stc whose inverters were held below what they
				    * could make (curtailment, state THROTTLED) */
	double curtailed_energy_wh; /* of energy_wh, what those inverters made: it counts in
				     * the energy and yield, not in eta or PR */
};

/* One inverter's 5-minute slot for efficiency_spread_gaps. */
enum efficiency_slot_state {
	EFFICIENCY_SLOT_MISSING,  /* not read in the slot */
	EFFICIENCY_SLOT_SEEN,	  /* read in the slot */
	EFFICIENCY_SLOT_FILLED,	  /* not read, energy estimated from the catch-up after it */
	EFFICIENCY_SLOT_UNSHARED, /* read after a gap that began before the slots: its energy
				   * holds an unknown share of earlier slots' */
};
struct efficiency_inv_slot {
	double energy_wh; /* the counter's increase credited to the slot */
	enum efficiency_slot_state state;
	int curtailed; /* read in a curtailed state (THROTTLED) in the slot */
	int notrun;    /* read in state FAULT in the slot (1), else in a state that does not
			* produce, OFF, SHUTTING_DOWN or STANDBY (2); 0 otherwise. Only the loss
			* attribution looks at it. */
};

/* How a window is computed. efficiency_params_default fills every field. */
struct efficiency_params {
	double capacity_kwp; /* installed DC capacity P_stc */
	double k_coeff;	     /* GB 50797 K */
	enum efficiency_basis basis;
	double gamma_per_c;	       /* for PR_stc */
	double sandia_a, sandia_b;     /* module temperature from air temperature and wind */
	enum irradiance_source source; /* where the samples' irradiance came from */
	int grade;		       /* its confidence grade, 1-4 */
	double daylight_s; /* daylight in the window for coverage; <= 0 or NAN: whole window */
	double judge_day_window_s;	  /* EFFICIENCY_JUDGE_DAY_WINDOW_S */
	double judge_min_irradiance_w_m2; /* short windows: mean daylight irradiance above this */
	double judge_min_irradiation_kwh_m2; /* day windows: irradiation per day above this */
	double judge_min_coverage;	     /* EFFICIENCY_JUDGE_MIN_COVERAGE */
};

/* A window's figures. Sums marked "all" count every sample with that value; the ratios use only
 * the "paired" samples that have both the energy and the irradiance they need, so that a gap in
 * one series does not bias them. */
struct efficiency_window {
	double window_s;
	double energy_kwh;	     /* all valid energy */
	double h_horizontal_kwh_m2;  /* all valid GHI; NAN when none */
	double h_poa_kwh_m2;	     /* all valid POA; NAN when none */
	enum efficiency_basis basis; /* the irradiation eta is computed from */
	double e_act_kwh;	     /* paired with the basis irradiance */
	double e_th_kwh;	     /* H (paired, basis) x P_stc x K / 1 kW/m2 */
	double eta;		 /* e_act_kwh / e_th_kwh; NAN when E_th is 0 (night) or absent */
	double yr_h;		 /* reference yield H_poa / 1 kW/m2 (all POA) */
	double yf_h;		 /* final yield E / P_stc (all energy) = equivalent hours */
	double equivalent_hours; /* the same figure under its report name */
	double pr;		 /* Y_f / Y_r over samples paired with POA */
	double pr_stc;	      /* temperature-corrected PR over samples with POA and a temperature */
	double coverage;      /* measured paired time / window (or daylight) time, 0-1: estimated
			       * energy and absent inverters count as not covered */
	double eta_coverage;  /* paired time including estimated energy, for judging */
	double curtailed_kwh; /* energy made while curtailed (left out of eta and PR) */
	double curtailed_eth_kwh;      /* E_th of the curtailed inverters' share over that time */
	double curtailment_loss_kwh;   /* eta x curtailed_eth_kwh - curtailed_kwh, at least 0:
					* what the curtailment cost at the window's own
					* efficiency; 0 without curtailment, NAN without eta */
	double mean_irradiance_w_m2;   /* mean basis irradiance over daylight samples (G > 0) */
	double irradiation_kwh_m2_day; /* basis H per day of window */
	enum irradiance_source source;
	int grade;
	int irradiance_enough; /* bright enough to judge */
	int judgeable;	       /* eta has a value, bright enough, coverage enough, grade <= 2 */
	double peer_yf_h;      /* median Y_f of the healthy peers nearby; NAN when too few */
	double peer_ratio;     /* yf_h / peer_yf_h; NAN when either is missing */
	size_t peer_n;	       /* healthy peers behind the median */
};

/* A station's figures for aggregation (typically from its efficiency_window). */
struct efficiency_station_figure {
	double capacity_kwp;
	double energy_kwh; /* all energy in the period, for equivalent hours; NAN when none */
	double e_act_kwh;  /* energy paired with irradiance, the numerator of eta; NAN when none */
	double e_th_kwh;   /* theoretical generation over the same intervals; NAN when none */
	int grade;	   /* of e_th_kwh */
};

/* A village's or the county's figures. */
struct efficiency_aggregate {
	size_t n_stations;	     /* all stations given */
	size_t n_with_value;	     /* stations with both E_act and E_th > 0 */
	size_t n_meeting_target;     /* of those, eta >= station target */
	double e_act_kwh, e_th_kwh;  /* sums over the stations with a value */
	double eta;		     /* sum E_act / sum E_th: energy-weighted; NAN when none */
	double capability_pct;	     /* generation capability, 100 x eta */
	double eta_grade12;	     /* the same over grade 1-2 stations only */
	double equivalent_hours;     /* sum E / sum P_stc over stations with energy */
	double share_meeting_target; /* n_meeting_target / n_with_value; NAN when none */
	int meets_group_target;	     /* eta >= the group's target (0 when eta is NAN) */
	int worst_grade;	     /* the worst grade among the stations with a value */
};

/* County target at risk for the month to date. */
struct efficiency_risk {
	int known;     /* the month-to-date eta has a value */
	int at_risk;   /* month-to-date eta < county target */
	int alertable; /* at risk on grade 1-2 figures too: an alert may be raised */
	double eta;    /* the month-to-date eta */
};

/* Fills *p with the defaults (K 0.8, POA basis, gamma -0.004, open-rack Sandia, sensor grade 1,
 * the judging thresholds above) for a station of capacity_kwp. */
void efficiency_params_default(struct efficiency_params *p, double capacity_kwp);
/* Fills *p from a configured station and the county's settings (basis, K, judging thresholds);
 * source and grade stay at the defaults for the caller to set. */
void efficiency_params_from_config(const struct config *cfg, const struct config_station *st,
				   struct efficiency_params *p);

/* Returns the GB 50797 theoretical generation in kWh, H x P_stc x K / 1 kW/m2, or NAN when an
 * input is missing or negative. */
double efficiency_theoretical_kwh(double irradiation_kwh_m2, double capacity_kwp, double k_coeff);

/* Computes a window's figures from samples (n, only read) clipped to [t_start_s, t_end_s): a
 * sample partly outside counts in proportion. Fills *out; returns 0, or -EINVAL (out all NAN)
 * for an empty window or a capacity <= 0. */
int efficiency_window(const struct efficiency_params *p, double t_start_s, double t_end_s,
		      const struct efficiency_sample *samples, size_t n,
		      struct efficiency_window *out);

/* Returns non-zero when an active power limit of limit_w (NAN: none known) curtails an
 * inverter or station rated rated_w (<= 0: unknown) under a permanent export cap
 * export_limit_w (<= 0: none): only a limit below both is curtailment; a limit at or above
 * the cap is the cap itself, which is configuration. */
int efficiency_limit_curtails(double limit_w, double rated_w, double export_limit_w);

/* Returns a sample's module temperature in C: the measured one, else the Sandia model's from
 * its air temperature, wind (0 when absent) and plane-of-array irradiance with p's
 * coefficients; NAN when neither can be had. */
double efficiency_module_temp_c(const struct efficiency_params *p,
				const struct efficiency_sample *s);

/* Returns non-zero when an irradiance sensor's readings can have covered a 5-minute slot
 * whole: each reading adds G dt back to the one before with dt capped at two polling intervals
 * (interval_s), so that an outage adds nothing the sensor did not see; fewer readings than
 * would span the slot at that cap hold the irradiation of only part of its time. */
int efficiency_sensor_whole(int readings, double interval_s);
/* Returns a source of irradiance's coverage of a window of n slots: of the daylight slots
 * (day[i] non-zero) that have energy (energy[i]), the share the source has (have[i]), since
 * eta pairs energy with irradiance; with no energy in any daylight slot, of every daylight
 * slot; 0 without one. */
double efficiency_source_coverage(const unsigned char *day, const unsigned char *energy,
				  const unsigned char *have, size_t n);
/* Returns the number of daylight slots (day[i] non-zero) of n. */
int efficiency_daylight_slots(const unsigned char *day, size_t n);

/* Below this share of its rating (in %) an inverter's reported power limit is a limit: the
 * registers hold the percentage in tenths, and a limit at 99% is rounding or a ramp's end. */
#define EFFICIENCY_LIMIT_MARGIN_PCT 2.0

/* Returns non-zero when a power limit an inverter reports, limit_pct % of its rating rated_w
 * (<= 0: unknown, judged on the percentage alone), curtails it: below the rating by more than
 * EFFICIENCY_LIMIT_MARGIN_PCT and below cap_w (<= 0: none), the inverter's part of the
 * station's permanent export cap, which is configuration. */
int efficiency_reported_limit_curtails(double limit_pct, double rated_w, double cap_w);

/* Spreads an inverter's catch-up energy over the gap it follows. s holds n consecutive slots
 * (SEEN or MISSING on entry); missing_before is how many slots the inverter missed just before
 * s[0] (0: the slot before was read; negative: unknown). weight (n, only read) is the
 * irradiance each slot had (any unit; NAN where unknown, interpolated from its neighbours).
 * The energy of a SEEN slot after MISSING ones was produced over all of them: it is shared out
 * in proportion to weight and the MISSING slots become FILLED. A gap that began before s[0]
 * (or an unknown start) cannot be shared out: its slot becomes UNSHARED, keeping its energy. */
void efficiency_spread_gaps(struct efficiency_inv_slot *s, size_t n, long missing_before,
			    const double *weight);

/* Relates a window to its peers (peer: the result of irradiance_peer_compare, NULL when there
 * was none) by recording their median, the ratio and the count in *w. When use_as_source, the
 * peers are the window's irradiance source (IRRADIANCE_PEER, grade 4): the median peer is taken
 * to generate as theory says (eta = 1), so that H = median Y_f / K in the window's basis,
 * E_th = median Y_f x P_stc, eta = Y_f / median Y_f over all the window's energy; PR, PR_stc
 * and measured irradiation have no value, and nothing is judgeable. Without a median, a window
 * that was to use the peers keeps its figures and only the record is made. */
void efficiency_apply_peers(const struct efficiency_params *p,
			    const struct irradiance_peer_result *peer, int use_as_source,
			    struct efficiency_window *w);

/* Fills *fig with a window's figures for aggregation. */
void efficiency_station_figure_from(const struct efficiency_params *p,
				    const struct efficiency_window *w,
				    struct efficiency_station_figure *fig);

/* Aggregates stations (n, only read) into energy-weighted figures against station_target and
 * group_target (the county's; a village uses the same or its own). Fills *out. */
void efficiency_aggregate(const struct efficiency_station_figure *st, size_t n,
			  double station_target, double group_target,
			  struct efficiency_aggregate *out);

/* Returns the unix time at which the local month containing now_s began: the start of the
 * month-to-date window. */
double efficiency_month_start_s(double now_s, int utc_offset_s);

/* Judges "county target at risk" from the month-to-date aggregate mtd. Fills *out. */
void efficiency_county_risk(const struct efficiency_aggregate *mtd, double county_target,
			    struct efficiency_risk *out);

#endif
