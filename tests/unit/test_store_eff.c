/* The efficiency engine's slots on a real SQLite file: energy and irradiation per 5-minute slot,
 * and the energy an inverter's first reading after a gap brings in (an outage's catch-up),
 * which must not be paired with that slot's irradiance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/energy.h"
#include "pvrelief/reading.h"
#include "pvrelief/store.h"
#include "pvrelief/store_eff.h"

static struct store_batch *batch;

static void put(int64_t dev, double ts, double delta_wh, double poa_wh_m2)
{
	struct reading r;
	memset(&r, 0, sizeof r);
	reading_set(&r, RF_POWER_W, 1000.0);
	struct store_values v;
	store_values_of(&v, &r);
	struct store_reading row = {.device_id = dev,
				    .station = "s1",
				    .ts = ts,
				    .utc_offset_s = 8 * 3600,
				    .v = &v,
				    .delta_wh = delta_wh,
				    .poa_wh_m2 = poa_wh_m2,
				    .ghi_wh_m2 = poa_wh_m2};
	CHECK_INT(store_batch_add(batch, &row), 0);
}

/* Writes the batch's rollups and commits. */
static void commit(struct store *st)
{
	CHECK_INT(store_batch_flush(batch), 0);
	CHECK_INT(store_commit(st), 0);
}

int main(void)
{
	char dir[] = "/tmp/pvrelief-test-store-eff-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[256], err[256];
	snprintf(path, sizeof path, "%s/t.db", dir);
	struct store *st = store_open(path, STORE_LOCK, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return check_summary();
	int64_t inv1, inv2, met;
	CHECK_INT(store_device_id(st, "s1", "inv1", &inv1), 0);
	CHECK_INT(store_device_id(st, "s1", "inv2", &inv2), 0);
	CHECK_INT(store_device_id(st, "s1", "met", &met), 0);
	batch = store_batch_new(st);

	/* 2026-06-21 10:00 +08:00. inv1 and the sensor are read every minute from 09:40 to 10:10
	 * and from 11:30 to 11:40 (an outage in between); inv1's first reading at 11:30 carries
	 * the outage's 50 kWh. inv2 is read every minute throughout 09:40-11:40. */
	double t0 = 1782007200.0;
	CHECK_INT(store_begin(st), 0);
	for (int m = -20; m < 100; m++) {
		double ts = t0 + m * 60.0;
		int up = m < 10 || m >= 90;
		if (up) {
			put(inv1, ts, m == 90 ? 50000.0 + 1000.0 : 1000.0, 0);
			put(met, ts, 0, 12.5);
		}
		put(inv2, ts, 1000.0, 0);
	}
	commit(st);

	/* The window 10:00-11:40: 20 slots. */
	struct store_slot slots[32];
	int64_t invs[] = {inv1, inv2}, sens[] = {met};
	int n = store_station_slots(st, invs, 2, sens, 1, t0, t0 + 100 * 60.0, slots, 32);
	CHECK_INT(n, 20);
	/* 10:00: both inverters, five readings each; inv1 was read just before the window, so no
	 * gap. */
	CHECK_NEAR(slots[0].energy_wh, 10000, 1e-9);
	CHECK_NEAR(slots[0].gap_wh, 0, 0);
	CHECK_INT(slots[0].energy_n, 10);
	CHECK_NEAR(slots[0].poa_wh_m2, 62.5, 1e-9);
	/* 10:10 (slot 2): inv2 alone, no sensor. */
	CHECK_NEAR(slots[2].energy_wh, 5000, 1e-9);
	CHECK_INT(slots[2].sensor_n, 0);
	/* 11:30 (slot 18): inv1's first slot after 80 minutes without one: its 55 kWh are gap
	 * energy; inv2's 5 kWh are not. */
	CHECK_NEAR(slots[18].energy_wh, 55000 + 5000, 1e-9);
	CHECK_NEAR(slots[18].gap_wh, 55000, 1e-9);
	/* 11:35: inv1 is back to normal. */
	CHECK_NEAR(slots[19].gap_wh, 0, 0);
	CHECK_NEAR(slots[19].energy_wh, 10000, 1e-9);

	/* A window starting at the outage's end: the lookback before the window finds inv1's
	 * last slot at 10:05, 85 minutes earlier, so 11:30 is still after a gap. */
	n = store_station_slots(st, invs, 2, sens, 1, t0 + 90 * 60.0, t0 + 100 * 60.0, slots, 32);
	CHECK_INT(n, 2);
	CHECK_NEAR(slots[0].gap_wh, 55000, 1e-9);
	/* A gap within STORE_SLOT_GAP_S is a slow poll, not an outage. */
	CHECK_INT(store_begin(st), 0);
	put(inv2, t0 + 115 * 60.0, 3000.0, 0); /* 15 minutes after its last reading */
	commit(st);
	n = store_station_slots(st, invs + 1, 1, NULL, 0, t0 + 115 * 60.0, t0 + 120 * 60.0, slots,
				32);
	CHECK_INT(n, 1);
	CHECK_NEAR(slots[0].energy_wh, 3000, 1e-9);
	CHECK_NEAR(slots[0].gap_wh, 0, 0);

	/* Online quarters from 09:45 (q0) to 12:45. inv2 has readings in every quarter to 12:00,
	 * but a mask marking only q0-q3 as daylight counts those four: readings outside
	 * daylight do not make up for daylight ones. inv1 has rollup slots at 09:45-10:05 and
	 * 11:30-11:35 only: quarters q0, q1 and q7 hold readings, none of q2-q6. */
	unsigned char mask[12] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
	CHECK_INT(store_device_valid_quarters(st, inv2, t0 - 900.0, 12, mask), 4);
	CHECK_INT(store_device_valid_quarters(st, inv2, t0 - 900.0, 12, NULL), 9);
	unsigned char outage[12] = {0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
	CHECK_INT(store_device_valid_quarters(st, inv1, t0 - 900.0, 12, outage), 0);
	CHECK_INT(store_device_valid_quarters(st, inv1, t0 - 900.0, 12, NULL), 3);

	/* One inverter's slots for the efficiency engine: 10:00-11:40 from inv1, with how many
	 * slots it missed right before the window (none: it was read at 09:55). */
	struct store_slot one[32];
	long missing = -2;
	n = store_inverter_slots(st, inv1, t0, t0 + 100 * 60.0, one, 32, &missing);
	CHECK_INT(n, 20);
	CHECK_INT(missing, 0);
	CHECK_INT(one[0].energy_n, 5);
	CHECK_INT(one[2].energy_n, 0); /* the outage */
	CHECK_NEAR(one[18].energy_wh, 55000, 1e-9);
	/* From 11:30: its last slot before was 10:05, so it missed 16 slots (10:10-11:25). */
	n = store_inverter_slots(st, inv1, t0 + 90 * 60.0, t0 + 100 * 60.0, one, 32, &missing);
	CHECK_INT(n, 2);
	CHECK_INT(missing, 16);
	/* A device never read before the window: unknown. */
	n = store_inverter_slots(st, inv2, t0 - 3600.0, t0, one, 32, &missing);
	CHECK_INT(missing, -1);
	/* Its first reading ever: 09:40. */
	double first = 0;
	CHECK_INT(store_device_first_ts(st, inv2, &first), 0);
	CHECK_NEAR(first, t0 - 20 * 60.0, 1e-6);
	int64_t never;
	CHECK_INT(store_device_id(st, "s1", "never", &never), 0);
	CHECK_INT(store_device_first_ts(st, never, &first), 0);
	CHECK(isnan(first));

	/* Curtailed slots: inv2 reports THROTTLED twice in 12:10-12:15 (slot 2 from 12:00),
	 * once in a rejected reading at 12:20, and MPPT otherwise. */
	CHECK_INT(store_begin(st), 0);
	for (int m = 0; m < 25; m++) {
		struct reading r;
		memset(&r, 0, sizeof r);
		reading_set(&r, RF_POWER_W, 1000.0);
		int thr = m == 11 || m == 13 || m == 21;
		reading_set(&r, RF_STATE, thr ? INV_STATE_THROTTLED : INV_STATE_MPPT);
		r.state = thr ? INV_STATE_THROTTLED : INV_STATE_MPPT;
		struct store_values v;
		store_values_of(&v, &r);
		struct store_reading row = {.device_id = inv2,
					    .station = "s1",
					    .ts = t0 + 7200.0 + m * 60.0,
					    .utc_offset_s = 8 * 3600,
					    .v = &v,
					    .rejected = m == 21};
		CHECK_INT(store_batch_add(batch, &row), 0);
	}
	commit(st);
	unsigned char thr[6];
	CHECK_INT(store_device_throttled_slots(st, inv2, t0 + 7200.0, thr, 6), 0);
	static const unsigned char want_thr[6] = {0, 0, 1, 0, 0, 0};
	CHECK(memcmp(thr, want_thr, sizeof thr) == 0);

	/* Slots not producing, for the loss attribution: inv1 from 13:00 reports MPPT, then
	 * STANDBY in slot 1, STANDBY and FAULT in slot 2 (a fault anywhere makes a fault slot),
	 * OFF in slot 3 only in a rejected reading, SLEEPING in slot 4 (dawn and dusk: not a
	 * state that counts), MPPT in slot 5. */
	static const enum inv_state states[6] = {INV_STATE_MPPT,     INV_STATE_STANDBY,
						 INV_STATE_FAULT,    INV_STATE_OFF,
						 INV_STATE_SLEEPING, INV_STATE_MPPT};
	CHECK_INT(store_begin(st), 0);
	for (int m = 0; m < 30; m++) {
		struct reading r;
		memset(&r, 0, sizeof r);
		reading_set(&r, RF_POWER_W, 0.0);
		enum inv_state sv = m == 11 ? INV_STATE_STANDBY : states[m / 5];
		reading_set(&r, RF_STATE, sv);
		r.state = sv;
		struct store_values v;
		store_values_of(&v, &r);
		struct store_reading row = {.device_id = inv1,
					    .station = "s1",
					    .ts = t0 + 10800.0 + m * 60.0,
					    .utc_offset_s = 8 * 3600,
					    .v = &v,
					    .rejected = m / 5 == 3};
		CHECK_INT(store_batch_add(batch, &row), 0);
	}
	commit(st);
	unsigned char nr[6];
	CHECK_INT(store_device_notrun_slots(st, inv1, t0 + 10800.0, nr, 6), 0);
	static const unsigned char want_nr[6] = {0, 2, 1, 0, 0, 0};
	CHECK(memcmp(nr, want_nr, sizeof nr) == 0);

	store_batch_free(batch);
	store_close(st);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
	return check_summary();
}
