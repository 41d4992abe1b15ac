/* The store's efficiency tables: the 5-minute slots the efficiency engine reads, and the
 * daily and monthly figures it writes. */
#ifndef PVRELIEF_STORE_EFF_H
#define PVRELIEF_STORE_EFF_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/loss.h"

struct store;

/* Rollup slots of one inverter further apart than this mean it was not read in between: its
 * counter's increase over the gap lands in the first slot after it. Longer than the night
 * heartbeat's default 15 minutes and than any fast polling interval. */
#define STORE_SLOT_GAP_S 1200

/* How far back store_inverter_slots looks for an inverter's last slot before a window: a gap
 * longer than this is one whose start is unknown. */
#define STORE_SLOT_LOOKBACK_S (12 * 3600)

/* One 5-minute slot of a station. */
struct store_slot {
	int64_t slot;	  /* unix s of its start */
	double energy_wh; /* energy counted by the inverters */
	double gap_wh;	  /* of it, energy counted by an inverter's first reading after a gap
			   * (an outage, a restart): produced earlier, not in this slot */
	int energy_n;	  /* valid inverter readings in it */
	double ghi_wh_m2; /* sensor irradiation in it */
	double poa_wh_m2;
	int sensor_n;				    /* valid sensor readings in it */
	double module_temp_c, air_temp_c, wind_m_s; /* sensor means; NAN when none */
};

/* A station's figures for one local day, as stored. */
struct store_eff_day {
	const char *station;
	char day[11];
	double energy_wh, e_act_wh, eth_wh, h_ghi_kwh_m2, h_poa_kwh_m2;
	double eta, pr, pr_stc, yf_h, coverage; /* NAN when there is no value */
	char basis[16], source[24];
	int grade, judgeable;
	double online_rate, anomaly_rate;
	double peer_yf_h, peer_ratio; /* peers' median Y_f and the ratio to it; NAN when none */
	int peer_n;		      /* healthy peers behind the median */
	double curtailed_wh;	      /* energy made while curtailed (not in eta) */
	double curtail_loss_wh;	      /* what the curtailment cost; NAN when unknown */
	int has_loss;		      /* loss holds the day's attribution (days computed
				       * before it existed have none) */
	struct loss_figures loss;     /* where the day's expected energy went */
};

/* An inverter's figures for one local day, as stored. */
struct store_inv_day {
	const char *station, *device;
	char day[11];
	double dc_kwp;
	double energy_wh, e_act_wh, eth_wh, eta, pr, pr_stc, yf_h, coverage, peer_ratio;
	char source[24];
	int grade;
};

/* What a stored day says of a station as another's peer. */
struct store_eff_peer {
	char station[64];
	double yf_h, coverage, anomaly_rate; /* NAN when none */
};

/* Fills out (cap) with the 5-minute slots in [t0, t1): energy from the rollups of the devices
 * in inverter_ids (n_inverters), irradiation from those in sensor_ids (n_sensors); returns
 * the count or negative. An inverter's slot that follows more than STORE_SLOT_GAP_S without a
 * slot of its own also counts its energy in gap_wh. */
int store_station_slots(struct store *st, const int64_t *inverter_ids, size_t n_inverters,
			const int64_t *sensor_ids, size_t n_sensors, double t0, double t1,
			struct store_slot *out, size_t cap);
/* Fills out (cap) with one inverter's 5-minute slots in [t0, t1): energy_wh and energy_n only
 * (a slot with energy_n 0 was not read); *missing_before receives how many slots it missed
 * right before the first (0: that one was read; -1: none read within STORE_SLOT_LOOKBACK_S).
 * Returns the count or negative. */
int store_inverter_slots(struct store *st, int64_t device_id, double t0, double t1,
			 struct store_slot *out, size_t cap, long *missing_before);
/* Stores a station's day (replacing it) and refreshes its month in station_month; 0 or
 * negative. */
int store_eff_day_put(struct store *st, const struct store_eff_day *d);
/* Stores an inverter's day (replacing it); 0 or negative. */
int store_inv_day_put(struct store *st, const struct store_inv_day *d);
/* Fills out (cap) with a station's inverter days in [first_day, last_day] ordered by device
 * then day; device and station point into the caller's strings only when they match ids[]
 * (n_ids device ids, the config's): rows of other devices are skipped. Returns the count or
 * negative. */
int store_inv_days(struct store *st, const char *station, const char *const *ids, size_t n_ids,
		   const char *first_day, const char *last_day, struct store_inv_day *out,
		   size_t cap);
/* Reads a station's day; 0 found, 1 none, negative on error. The station pointer is the
 * caller's. */
int store_eff_day_get(struct store *st, const char *station, const char *day,
		      struct store_eff_day *out);
/* Fills out (cap) with every station's stored figures for a day that matter to its peers;
 * returns the count or negative. */
int store_eff_day_peers(struct store *st, const char *day, struct store_eff_peer *out, size_t cap);
/* Fills days (cap entries of 11 bytes) with the station's days since first_day (inclusive)
 * whose rollups changed after their figures were computed, or were never computed; returns
 * the count or negative. */
int store_eff_stale_days(struct store *st, const char *station, const char *first_day,
			 char (*days)[11], size_t cap);
/* Returns a device's valid and rejected reading counts on a day into *valid and *rejected;
 * 0 or negative. */
int store_device_day_counts(struct store *st, int64_t device_id, const char *day, long *valid,
			    long *rejected);
/* Returns how many of the n_quarters 15-minute slots from t0 (a quarter-hour boundary) hold a
 * valid reading of the device, counting only those whose flag in lit is set (the daylight
 * ones; NULL: all);
 * negative on error. */
long store_device_valid_quarters(struct store *st, int64_t device_id, double t0, size_t n_quarters,
				 const unsigned char *lit);

/* Returns into *ts the time of a device's first valid reading ever (NAN when none): when its
 * monitoring began. 0 or negative. */
int store_device_first_ts(struct store *st, int64_t device_id, double *ts);

/* Sets flags[i] (n of them) when the device reported state THROTTLED, or a power limit that
 * held it below its rating (the reading's limit_w), in a valid reading in the i-th 5-minute
 * slot from floor(t0 / 300) x 300, from the raw readings (kept
 * retention_days: a day recomputed after that has no curtailment marks); 0 or negative. */
int store_device_throttled_slots(struct store *st, int64_t device_id, double t0,
				 unsigned char *flags, size_t n);

/* Sets flags[i] (n of them) to 1 when the device reported state FAULT in a valid reading in
 * the i-th 5-minute slot from floor(t0 / 300) x 300, else to 2 when it reported a state that
 * does not produce (OFF, SHUTTING_DOWN, STANDBY), else 0; from the raw readings like
 * store_device_throttled_slots. 0 or negative. */
int store_device_notrun_slots(struct store *st, int64_t device_id, double t0, unsigned char *flags,
			      size_t n);

/* Reads a station's month (YYYY-MM): energy, theoretical generation of the days with an eta,
 * eta and worst grade (NAN / 0 when none); 0 found, 1 none, negative on error. */
int store_eff_month_get(struct store *st, const char *station, const char *month, double *energy_wh,
			double *eth_wh, double *eta, int *grade);

#endif
