/* A batch of readings stores what storing them one at a time stores. Every case writes the
 * same generated readings to two databases: once a reading per batch (what the writer did
 * before batches gathered rollups) and once in batches of the case's size. Both files are then
 * read back table by table. Counts, maxima, first and last times, raw rows and energy states
 * must be equal; sums must be equal too, except where a rollup row already held an earlier
 * batch's sum, where adding in another order may change the last bits of a double. The test
 * reads the files with SQLite itself, as a report would: the store has no call returning
 * whole rollup rows. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/energy.h"
#include "pvrelief/log.h"
#include "pvrelief/reading.h"
#include "pvrelief/store.h"

struct batch_case {
	const char *name;
	int devices;
	int readings;
	double step_s;	 /* between two readings of the whole set, in turn over the devices */
	double start_ts; /* unix s of the first reading */
	int batch;	 /* readings per batch in the batched database */
	int reject_1_in; /* every so many readings is rejected (0: none) */
	int no_power_1_in;
	int env; /* readings carry module and air temperature and wind */
	int no_energy_1_in;
	int duplicate_1_in; /* a reading repeats the previous one's device and time */
	int prefill;	    /* readings stored one at a time in both files before the case's own */
};

/* 2026-06-21 10:00 +08:00 is 02:00 UTC. */
#define T0 1782007200.0
/* 2026-06-21 23:58:20 +08:00: the local day turns 100 s later. */
#define T_MIDNIGHT (T0 + 14 * 3600.0 - 100)

static const struct batch_case cases[] = {
    {"each device many times in one slot", 5, 60, 1.0, T0, 60, 0, 0, 0, 0, 0, 0},
    {"across 5-minute slots", 7, 400, 5.0, T0 + 250, 400, 0, 0, 1, 0, 0, 0},
    {"across local midnight", 4, 300, 2.0, T_MIDNIGHT, 300, 0, 0, 0, 0, 0, 0},
    {"rejected readings and missing power", 6, 500, 1.5, T0, 500, 3, 4, 1, 0, 0, 0},
    {"readings without an energy state", 3, 90, 3.0, T0, 90, 0, 0, 0, 2, 0, 0},
    {"a reading stored twice", 4, 120, 2.0, T0, 120, 0, 0, 0, 0, 5, 0},
    {"several batches", 9, 700, 0.7, T0, 64, 7, 5, 1, 0, 0, 0},
    {"rollups begun by earlier batches", 5, 200, 2.0, T0, 200, 6, 0, 1, 0, 0, 100},
};

static unsigned long long lcg;

static double rnd(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg >> 11) / 9007199254740992.0;
}

struct gen {
	int dev;
	struct reading r;
	struct store_values v;
	struct energy_state e;
	struct store_reading row;
};

static void make(const struct batch_case *c, int i, const int64_t *ids, struct gen *g,
		 const struct gen *prev)
{
	memset(g, 0, sizeof *g);
	int dev = i % c->devices;
	double ts = c->start_ts + (double)(i / c->devices) * c->step_s * c->devices +
		    (double)dev * c->step_s;
	if (c->duplicate_1_in && i % c->duplicate_1_in == 1 && prev) {
		dev = prev->dev;
		ts = prev->row.ts;
	}
	if (!(c->no_power_1_in && i % c->no_power_1_in == 2))
		reading_set(&g->r, RF_POWER_W, 20000.0 + 20000.0 * rnd());
	reading_set(&g->r, RF_ENERGY_TOTAL_WH, 1e6 + i);
	if (c->env) {
		reading_set(&g->r, RF_MODULE_TEMP_C, 30 + 20 * rnd());
		reading_set(&g->r, RF_AIR_TEMP_C, 20 + 10 * rnd());
		reading_set(&g->r, RF_WIND_M_S, 5 * rnd());
	}
	g->dev = dev;
	store_values_of(&g->v, &g->r);
	g->e = (struct energy_state){.have = 1,
				     .total_wh = 1e6 + i,
				     .total_ts = ts,
				     .ts = ts,
				     .power_w = g->r.value[RF_POWER_W],
				     .cand_count = i % 3};
	int rejected = c->reject_1_in && i % c->reject_1_in == 1;
	g->row = (struct store_reading){
	    .device_id = ids[dev],
	    .station = "s1",
	    .ts = ts,
	    .utc_offset_s = 8 * 3600,
	    .v = &g->v,
	    .quality = rejected ? 4u : 0u,
	    .rejected = rejected,
	    .delta_wh = rejected ? 0 : 10 * rnd(),
	    .ghi_wh_m2 = rnd(),
	    .poa_wh_m2 = 1.1 * rnd(),
	    .energy = c->no_energy_1_in && i % c->no_energy_1_in ? NULL : &g->e};
}

/* Stores the case's readings (those from..to) in batches of per_batch; 0 or -1. */
static int put(struct store *st, const struct batch_case *c, const int64_t *ids, int from, int to,
	       int per_batch, unsigned long long seed)
{
	struct gen *g = calloc((size_t)c->readings + (size_t)c->prefill, sizeof *g);
	struct store_batch *b = store_batch_new(st);
	int rc = 0;
	lcg = seed;
	for (int i = 0; i < to; i++)
		make(c, i, ids, &g[i], i ? &g[i - 1] : NULL);
	for (int i = from; i < to && rc == 0; i += per_batch) {
		rc = store_begin(st);
		for (int k = i; k < i + per_batch && k < to && rc == 0; k++)
			rc = store_batch_add(b, &g[k].row);
		if (rc == 0)
			rc = store_batch_flush(b);
		rc = rc == 0 ? store_commit(st) : (store_rollback(st), -1);
	}
	store_batch_free(b);
	free(g);
	return rc;
}

/* Compares a table in the two files row by row and column by column; sums (the columns
 * named) may differ by a relative 1e-12 when loose. */
static void compare(const char *name, sqlite3 *a, sqlite3 *b, const char *sql, const char *sums,
		    int loose)
{
	sqlite3_stmt *sa = NULL, *sb = NULL;
	CHECK(sqlite3_prepare_v2(a, sql, -1, &sa, NULL) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(b, sql, -1, &sb, NULL) == SQLITE_OK);
	if (!sa || !sb)
		goto done;
	int rows = 0, differ = 0;
	for (;;) {
		int ra = sqlite3_step(sa), rb = sqlite3_step(sb);
		CHECK_REPORT_(ra == rb, "%s: %s: one file has more rows (after %d)", name, sql,
			      rows);
		if (ra != SQLITE_ROW || rb != SQLITE_ROW)
			break;
		rows++;
		for (int k = 0; k < sqlite3_column_count(sa); k++) {
			const char *col = sqlite3_column_name(sa, k);
			int ta = sqlite3_column_type(sa, k), tb = sqlite3_column_type(sb, k);
			int same = ta == tb;
			if (same && ta == SQLITE_FLOAT) {
				double x = sqlite3_column_double(sa, k),
				       y = sqlite3_column_double(sb, k);
				char key[40];
				snprintf(key, sizeof key, " %s ", col);
				int sum = strstr(sums, key) != NULL;
				same = loose && sum ? fabs(x - y) <= 1e-12 * fmax(fabs(x), fabs(y))
						    : x == y;
			} else if (same && ta != SQLITE_NULL) {
				same = strcmp((const char *)sqlite3_column_text(sa, k),
					      (const char *)sqlite3_column_text(sb, k)) == 0;
			}
			if (!same && differ++ < 5)
				CHECK_REPORT_(0, "%s: %s row %d column %s: %s vs %s", name, sql,
					      rows, col, sqlite3_column_text(sa, k),
					      sqlite3_column_text(sb, k));
		}
	}
	CHECK_REPORT_(rows > 0, "%s: %s: no rows", name, sql);
	CHECK_REPORT_(differ == 0, "%s: %s: %d values differ", name, sql, differ);
done:
	sqlite3_finalize(sa);
	sqlite3_finalize(sb);
}

static void run_case(const struct batch_case *c, const char *dir, int n)
{
	char path[2][300], err[256];
	struct store *st[2];
	int64_t ids[2][16];
	for (int k = 0; k < 2; k++) {
		snprintf(path[k], sizeof path[k], "%s/case%d-%c.db", dir, n, k ? 'b' : 'a');
		st[k] = store_open(path[k], 0, err, sizeof err);
		CHECK(st[k] != NULL);
		if (!st[k])
			return;
		for (int d = 0; d < c->devices; d++) {
			char dev[16];
			snprintf(dev, sizeof dev, "inv%d", d);
			CHECK_INT(store_device_id(st[k], "s1", dev, &ids[k][d]), 0);
		}
	}
	CHECK_INT(ids[0][c->devices - 1], ids[1][c->devices - 1]);
	unsigned long long seed = 1000u + (unsigned)n;
	int total = c->prefill + c->readings;
	/* The earlier readings go in one at a time in both files; seeds are shared, so both get
	 * the same readings. */
	CHECK_INT(put(st[0], c, ids[0], 0, total, 1, seed), 0);
	if (c->prefill)
		CHECK_INT(put(st[1], c, ids[1], 0, c->prefill, 1, seed), 0);
	CHECK_INT(put(st[1], c, ids[1], c->prefill, total, c->batch, seed), 0);
	store_close(st[0]);
	store_close(st[1]);

	sqlite3 *a = NULL, *b = NULL;
	sqlite3_open_v2(path[0], &a, SQLITE_OPEN_READONLY, NULL);
	sqlite3_open_v2(path[1], &b, SQLITE_OPEN_READONLY, NULL);
	int loose = c->prefill > 0 || c->batch < c->readings;
	compare(c->name, a, b, "SELECT * FROM reading ORDER BY device_id, ts", "", 0);
	compare(c->name, a, b, "SELECT * FROM rollup_5min ORDER BY device_id, slot",
		" energy_wh power_sum_w ghi_wh_m2 poa_wh_m2 tmod_sum_c tair_sum_c wind_sum_m_s ",
		loose);
	compare(c->name, a, b,
		"SELECT device_id, day, energy_wh, power_max_w, ghi_wh_m2, poa_wh_m2, n_valid,"
		" n_rejected, first_ts, last_ts, updated IS NOT NULL FROM rollup_day"
		" ORDER BY device_id, day",
		" energy_wh ghi_wh_m2 poa_wh_m2 ", loose);
	compare(c->name, a, b, "SELECT * FROM energy_state ORDER BY device_id", "", 0);
	sqlite3_close(a);
	sqlite3_close(b);
}

/* Every field the store keeps lands in its own column, and every other field and absent
 * value in none: a reading with distinct values everywhere, read back by column name. */
static void fields_to_columns(const char *dir)
{
	static const struct {
		enum reading_field f;
		const char *column; /* NULL: not kept */
		double value;
	} fields[] = {
	    {RF_POWER_W, "power_w", 1.5},
	    {RF_ENERGY_TOTAL_WH, "energy_total_wh", 12345678.25},
	    {RF_ENERGY_TODAY_WH, "energy_today_wh", 3.5},
	    {RF_AC_CURRENT_A, NULL, 4.5},
	    {RF_AC_VOLTAGE_V, NULL, 5.5},
	    {RF_FREQUENCY_HZ, NULL, 6.5},
	    {RF_DC_CURRENT_A, NULL, 7.5},
	    {RF_DC_VOLTAGE_V, NULL, 8.5},
	    {RF_DC_POWER_W, "dc_power_w", 9.5},
	    {RF_CABINET_TEMP_C, "cabinet_temp_c", 10.5},
	    {RF_RATED_POWER_W, NULL, 11.5},
	    {RF_GHI_W_M2, "ghi_w_m2", 15.5},
	    {RF_POA_W_M2, "poa_w_m2", 16.5},
	    {RF_MODULE_TEMP_C, "module_temp_c", 19.5},
	    {RF_AIR_TEMP_C, "air_temp_c", 20.5},
	    {RF_WIND_M_S, "wind_m_s", 21.5},
	};
	char path[300], err[256];
	snprintf(path, sizeof path, "%s/columns.db", dir);
	struct store *st = store_open(path, STORE_LOCK, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	int64_t full, bare;
	CHECK_INT(store_device_id(st, "s1", "full", &full), 0);
	CHECK_INT(store_device_id(st, "s1", "bare", &bare), 0);
	struct reading r;
	memset(&r, 0, sizeof r);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		reading_set(&r, fields[i].f, fields[i].value);
	reading_set(&r, RF_STATE, INV_STATE_MPPT);
	r.state = INV_STATE_MPPT;
	r.vendor_state = 0x200;
	r.events = 0x80000001u;
	r.events2 = 7;
	r.fault_code = 4242;
	struct store_values v, none;
	store_values_of(&v, &r);
	memset(&r, 0, sizeof r);
	reading_set_sentinel(&r, RF_POWER_W);
	store_values_of(&none, &r);
	struct store_batch *b = store_batch_new(st);
	struct store_reading rows[] = {
	    {.device_id = full, .station = "s1", .ts = T0, .v = &v, .delta_wh = 2.25},
	    {.device_id = bare, .station = "s1", .ts = T0, .v = &none, .rejected = 1}};
	CHECK_INT(store_begin(st), 0);
	for (size_t i = 0; i < 2; i++)
		CHECK_INT(store_batch_add(b, &rows[i]), 0);
	CHECK_INT(store_batch_flush(b), 0);
	CHECK_INT(store_commit(st), 0);
	store_batch_free(b);
	store_close(st);

	sqlite3 *db = NULL;
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *s = NULL;
		CHECK_INT(sqlite3_prepare_v2(db, "SELECT * FROM reading WHERE device_id = ?1", -1,
					     &s, NULL),
			  SQLITE_OK);
		sqlite3_bind_int64(s, 1, k == 0 ? full : bare);
		CHECK_INT(sqlite3_step(s), SQLITE_ROW);
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			const char *name = sqlite3_column_name(s, c);
			int kept = 0;
			for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
				if (fields[i].column && strcmp(name, fields[i].column) == 0) {
					kept = 1;
					if (k == 0)
						CHECK_NEAR(sqlite3_column_double(s, c),
							   fields[i].value, 0);
					else
						CHECK_INT(sqlite3_column_type(s, c), SQLITE_NULL);
				}
			if (kept)
				continue;
			if (strcmp(name, "state") == 0)
				CHECK_INT(sqlite3_column_type(s, c),
					  k == 0 ? SQLITE_INTEGER : SQLITE_NULL);
			if (k == 0 && strcmp(name, "state") == 0)
				CHECK_INT(sqlite3_column_int(s, c), INV_STATE_MPPT);
			if (k == 0 && strcmp(name, "vendor_state") == 0)
				CHECK_INT(sqlite3_column_int64(s, c), 0x200);
			if (k == 0 && strcmp(name, "events") == 0)
				CHECK(sqlite3_column_int64(s, c) == 0x80000001LL);
			if (k == 0 && strcmp(name, "events2") == 0)
				CHECK_INT(sqlite3_column_int64(s, c), 7);
			if (k == 0 && strcmp(name, "fault_code") == 0)
				CHECK_INT(sqlite3_column_int64(s, c), 4242);
			if (strcmp(name, "energy_delta_wh") == 0)
				CHECK_NEAR(sqlite3_column_double(s, c), k == 0 ? 2.25 : 0, 0);
			if (strcmp(name, "rejected") == 0)
				CHECK_INT(sqlite3_column_int(s, c), k);
		}
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
}

int main(void)
{
	char dir[] = "/tmp/pvrelief-test-batch-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	/* Sixteen new databases would each log their eight migrations. */
	log_init("test_store_batch", 0, LOG_LEVEL_WARNING);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i], dir, (int)i);
	fields_to_columns(dir);

	/* The midnight case put readings on two local days, and the slot case on several
	 * slots, so the groups were really split. */
	char path[300];
	snprintf(path, sizeof path, "%s/case2-b.db", dir);
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(db, "SELECT count(DISTINCT day) FROM rollup_day", -1, &s, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		CHECK_INT(sqlite3_column_int(s, 0), 2);
	sqlite3_finalize(s);
	sqlite3_close(db);
	snprintf(path, sizeof path, "%s/case1-b.db", dir);
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT count(DISTINCT slot) FROM rollup_5min", -1, &s, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		CHECK(sqlite3_column_int(s, 0) >= 6);
	sqlite3_finalize(s);
	sqlite3_close(db);

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return check_summary();
}
