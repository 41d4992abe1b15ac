/* The readings store on a real SQLite file: migrations, rollups that add up, energy state
 * that survives reopening, retention that prunes raw rows but keeps rollups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/energy.h"
#include "pvrelief/reading.h"
#include "pvrelief/store.h"

int main(void)
{
	char dir[] = "/tmp/pvrelief-test-store-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[256], err[256];
	snprintf(path, sizeof path, "%s/t.db", dir);
	struct store *st = store_open(path, STORE_LOCK, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return check_summary();
	CHECK(store_schema_version(st) >= 2);
	/* The lock refuses a second daemon. */
	char err2[512];
	struct store *again = store_open(path, STORE_LOCK, err2, sizeof err2);
	CHECK(again == NULL);
	CHECK_CONTAINS(err2, "is in use by another pvreliefd");

	int64_t a, b, a2;
	CHECK_INT(store_device_id(st, "s1", "inv1", &a), 0);
	CHECK_INT(store_device_id(st, "s1", "inv2", &b), 0);
	CHECK_INT(store_device_id(st, "s1", "inv1", &a2), 0);
	CHECK_INT(a, a2);
	CHECK(a != b);

	/* 2026-06-21 10:00 +08:00 = 02:00 UTC; readings every minute for 3 days at 10:00. */
	double t0 = 1782007200.0;
	struct energy_state es = {.have = 1, .total_wh = 1000};
	struct store_batch *batch = store_batch_new(st);
	CHECK_INT(store_begin(st), 0);
	for (int day = 0; day < 3; day++)
		for (int i = 0; i < 10; i++) {
			struct reading r;
			memset(&r, 0, sizeof r);
			reading_set(&r, RF_POWER_W, 1000.0 * (i + 1));
			struct store_values v;
			store_values_of(&v, &r);
			es.total_wh += 100;
			struct store_reading row = {.device_id = i % 2 ? b : a,
						    .station = "s1",
						    .ts = t0 + day * 86400.0 + i * 60.0,
						    .utc_offset_s = 8 * 3600,
						    .v = &v,
						    .quality = 0,
						    .rejected = i == 9,
						    .delta_wh = 100,
						    .energy = &es};
			CHECK_INT(store_batch_add(batch, &row), 0);
		}
	CHECK_INT(store_batch_flush(batch), 0);
	CHECK_INT(store_commit(st), 0);
	store_batch_free(batch);
	CHECK_NEAR(store_day_energy_wh(st, a, "2026-06-21"), 500, 1e-9);
	CHECK_NEAR(store_day_energy_wh(st, b, "2026-06-22"), 500, 1e-9);
	CHECK_NEAR(store_day_energy_wh(st, a, "2026-06-24"), 0, 0);
	char buf[16];
	store_local_day(1782057599.0, 8 * 3600, buf); /* 23:59:59 local */
	CHECK_STR(buf, "2026-06-21");
	store_local_day(1782057600.0, 8 * 3600, buf);
	CHECK_STR(buf, "2026-06-22");

	struct energy_state back;
	CHECK_INT(store_energy_state_get(st, b, &back), 0);
	CHECK_NEAR(back.total_wh, 4000, 1e-9);
	CHECK_INT(store_energy_state_get(st, 9999, &back), 1);

	/* Retention: raw rows of the first two days go, rollups stay. */
	long gone = store_readings_prune(st, t0 + 2 * 86400.0 - 1);
	CHECK_INT(gone, 20);
	CHECK_NEAR(store_day_energy_wh(st, a, "2026-06-21"), 500, 1e-9);
	/* More than two chunks of old rows: every one goes, the newer rows stay. */
	{
		struct store_batch *old = store_batch_new(st);
		struct reading r;
		memset(&r, 0, sizeof r);
		struct store_values v;
		store_values_of(&v, &r);
		CHECK_INT(store_begin(st), 0);
		for (int i = 0; i < 2 * STORE_PRUNE_CHUNK + 500; i++) {
			struct store_reading row = {.device_id = i % 2 ? b : a,
						    .station = "s1",
						    .ts = t0 - 30 * 86400.0 + i,
						    .utc_offset_s = 8 * 3600,
						    .v = &v};
			CHECK_INT(store_batch_add(old, &row), 0);
		}
		CHECK_INT(store_batch_flush(old), 0);
		CHECK_INT(store_commit(st), 0);
		store_batch_free(old);
		CHECK_INT(store_readings_prune(st, t0 - 86400.0), 2 * STORE_PRUNE_CHUNK + 500);
		CHECK_INT(store_readings_prune(st, t0 + 2 * 86400.0 - 1), 0);
	}
	char why[64];
	CHECK_INT(store_integrity_check(st, why, sizeof why), 0);
	CHECK_INT(store_meta_set(st, "k", "v1"), 0);
	CHECK_INT(store_meta_set(st, "k", "v2"), 0);
	CHECK_INT(store_meta_get(st, "k", buf, sizeof buf), 0);
	CHECK_STR(buf, "v2");
	CHECK_INT(store_meta_get(st, "nope", buf, sizeof buf), 1);
	store_close(st);

	/* Reopened: state is still there, the lock was released. */
	st = store_open(path, STORE_LOCK, err, sizeof err);
	CHECK(st != NULL);
	if (st) {
		/* a's last row was the one before b's last: 3900 */
		CHECK_INT(store_energy_state_get(st, a, &back), 0);
		CHECK_NEAR(back.total_wh, 3900, 1e-9);
		store_close(st);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return check_summary();
}
