/* Readings, energy counter state, rollups and diagnostics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/energy.h"
#include "pvrelief/reading.h"
#include "pvrelief/slot.h"
#include "pvrelief/xalloc.h"
#include "store_internal.h"

void store_local_day(double ts, int utc_offset_s, char *buf)
{
	time_t t = (time_t)floor(ts) + utc_offset_s;
	struct tm tm;
	gmtime_r(&t, &tm);
	if (strftime(buf, 11, "%Y-%m-%d", &tm) == 0)
		buf[0] = '\0';
}

int store_device_id(struct store *st, const char *station, const char *device, int64_t *id)
{
	static const char ins[] = "INSERT INTO device (station, device) VALUES (?1, ?2) "
				  "ON CONFLICT (station, device) DO NOTHING";
	static const char sel[] = "SELECT id FROM device WHERE station = ?1 AND device = ?2";
	sqlite3_stmt *s = store_stmt(st, ins);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, device, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	if (!(s = store_stmt(st, sel)))
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, device, -1, SQLITE_STATIC);
	if (store_row(st, s) <= 0)
		return -1;
	*id = sqlite3_column_int64(s, 0);
	store_rows_stop(s);
	return 0;
}

int store_device_lookup(struct store *st, const char *station, const char *device, int64_t *id)
{
	static const char sel[] = "SELECT id FROM device WHERE station = ?1 AND device = ?2";
	sqlite3_stmt *s = store_stmt(st, sel);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, device, -1, SQLITE_STATIC);
	int rc, found = 0;
	while ((rc = store_row(st, s)) > 0) {
		*id = sqlite3_column_int64(s, 0);
		found = 1;
	}
	return rc < 0 ? -1 : found ? 0 : 1;
}

int store_energy_state_get(struct store *st, int64_t device_id, struct energy_state *out)
{
	static const char sql[] =
	    "SELECT have, total_wh, total_ts, ts, power_w, power_since, cand_count, "
	    "cand_first_wh, cand_wh, cand_ts FROM energy_state WHERE device_id = ?1";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, device_id);
	int rc = store_row(st, s);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	memset(out, 0, sizeof *out);
	out->have = sqlite3_column_int(s, 0);
	out->total_wh = sqlite3_column_double(s, 1);
	out->total_ts = sqlite3_column_double(s, 2);
	out->ts = sqlite3_column_double(s, 3);
	out->power_w = sqlite3_column_double(s, 4);
	out->power_since = sqlite3_column_double(s, 5);
	out->cand_count = sqlite3_column_int(s, 6);
	out->cand_first_wh = sqlite3_column_double(s, 7);
	out->cand_wh = sqlite3_column_double(s, 8);
	out->cand_ts = sqlite3_column_double(s, 9);
	store_rows_stop(s);
	return 0;
}

/* The reading field each stored field is taken from. */
static const enum reading_field stored_field[SF_COUNT] = {
    [SF_POWER_W] = RF_POWER_W,
    [SF_ENERGY_TOTAL_WH] = RF_ENERGY_TOTAL_WH,
    [SF_ENERGY_TODAY_WH] = RF_ENERGY_TODAY_WH,
    [SF_DC_POWER_W] = RF_DC_POWER_W,
    [SF_CABINET_TEMP_C] = RF_CABINET_TEMP_C,
    [SF_GHI_W_M2] = RF_GHI_W_M2,
    [SF_POA_W_M2] = RF_POA_W_M2,
    [SF_MODULE_TEMP_C] = RF_MODULE_TEMP_C,
    [SF_AIR_TEMP_C] = RF_AIR_TEMP_C,
    [SF_WIND_M_S] = RF_WIND_M_S,
};

void store_values_of(struct store_values *v, const struct reading *r)
{
	memset(v, 0, sizeof *v);
	for (int k = 0; k < SF_COUNT; k++)
		if (reading_has(r, stored_field[k])) {
			v->value[k] = r->value[stored_field[k]];
			v->present |= (uint16_t)(1u << k);
		}
	v->has_state = reading_has(r, RF_STATE) != 0;
	v->state = (uint8_t)r->state;
	v->vendor_state = r->vendor_state;
	v->events = r->events;
	v->events2 = r->events2;
	v->fault_code = r->fault_code;
}

static int has_value(const struct store_values *v, enum store_field f)
{
	return (v->present >> f) & 1u;
}

static int put_raw(struct store *st, const struct store_reading *row)
{
	/* The measured fields come last, in the order of enum store_field. */
	static const char sql[] =
	    "INSERT OR REPLACE INTO reading (device_id, ts, quality, rejected, energy_delta_wh, "
	    "state, vendor_state, events, events2, fault_code, power_w, energy_total_wh, "
	    "energy_today_wh, dc_power_w, cabinet_temp_c, ghi_w_m2, poa_w_m2, module_temp_c, "
	    "air_temp_c, wind_m_s, limit_w) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";
	enum { FIRST_FIELD_COL = 11, LIMIT_COL = FIRST_FIELD_COL + SF_COUNT };
	const struct store_values *v = row->v;
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, row->device_id);
	sqlite3_bind_double(s, 2, row->ts);
	sqlite3_bind_int(s, 3, (int)row->quality);
	sqlite3_bind_int(s, 4, row->rejected);
	sqlite3_bind_double(s, 5, row->delta_wh);
	if (v->has_state)
		sqlite3_bind_int(s, 6, v->state);
	sqlite3_bind_int64(s, 7, v->vendor_state);
	sqlite3_bind_int64(s, 8, v->events);
	sqlite3_bind_int64(s, 9, v->events2);
	sqlite3_bind_int64(s, 10, v->fault_code);
	for (int k = 0; k < SF_COUNT; k++)
		if (has_value(v, (enum store_field)k))
			sqlite3_bind_double(s, FIRST_FIELD_COL + k, v->value[k]);
	if (v->limited)
		sqlite3_bind_double(s, LIMIT_COL, v->limit_w);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static int put_energy_state(struct store *st, int64_t id, const struct energy_state *e)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO energy_state (device_id, have, total_wh, total_ts, ts, "
	    "power_w, power_since, cand_count, cand_first_wh, cand_wh, cand_ts) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, e->have);
	sqlite3_bind_double(s, 3, e->total_wh);
	sqlite3_bind_double(s, 4, e->total_ts);
	sqlite3_bind_double(s, 5, e->ts);
	sqlite3_bind_double(s, 6, e->power_w);
	sqlite3_bind_double(s, 7, e->power_since);
	sqlite3_bind_int(s, 8, e->cand_count);
	sqlite3_bind_double(s, 9, e->cand_first_wh);
	sqlite3_bind_double(s, 10, e->cand_wh);
	sqlite3_bind_double(s, 11, e->cand_ts);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

/* ---- batches ----
 * Flat out, every device is polled several times between two commits. Its readings add to the
 * same 5-minute slot and the same day, and only its last energy state matters, so a batch
 * sums them in memory and writes each rollup row and each energy state once. The sums are
 * taken in the readings' order; only where a rollup row already holds an earlier batch's sum
 * can the result differ from adding reading by reading, in the last bits of a double. */

/* Every gathered item starts with its key. */
struct aggkey {
	int64_t device_id, k; /* k: the 5-minute slot (unix s), the local day number, or 0 */
};

struct agg5 {
	struct aggkey key;
	double energy_wh, power_sum_w, power_max_w, ghi_wh_m2, poa_wh_m2;
	double env_sum[3]; /* module temperature degC, air temperature degC, wind m/s */
	int power_n, n_valid, n_rejected, env_n[3];
};

struct aggday {
	struct aggkey key;
	double energy_wh, power_max_w, ghi_wh_m2, poa_wh_m2, first_ts, last_ts;
	double day_ts; /* a reading of the day, and its offset, to name the day by */
	int utc_offset_s;
	int power_n, n_valid, n_rejected;
};

struct aggenergy {
	struct aggkey key;
	struct energy_state e;
};

/* Items of one kind in the order first seen, found by key through an open-addressed index. */
struct aggmap {
	unsigned char *items;
	size_t size, n, cap;
	uint32_t *index; /* 1 + item number, 0 for an empty slot */
	size_t index_cap;
};

struct store_batch {
	struct store *st;
	struct aggmap five, day, energy;
};

static size_t agg_hash(int64_t device_id, int64_t k, size_t mask)
{
	uint64_t h =
	    (uint64_t)device_id * 0x9E3779B97F4A7C15ULL ^ (uint64_t)k * 0xC2B2AE3D27D4EB4FULL;
	return (size_t)(h ^ (h >> 29)) & mask;
}

static struct aggkey *agg_item(const struct aggmap *m, size_t i)
{
	return (struct aggkey *)(void *)(m->items + i * m->size);
}

static void agg_reindex(struct aggmap *m, size_t index_cap)
{
	free(m->index);
	m->index = xcalloc(index_cap, sizeof *m->index);
	m->index_cap = index_cap;
	for (size_t i = 0; i < m->n; i++) {
		const struct aggkey *key = agg_item(m, i);
		size_t h = agg_hash(key->device_id, key->k, index_cap - 1);
		while (m->index[h])
			h = (h + 1) & (index_cap - 1);
		m->index[h] = (uint32_t)(i + 1);
	}
}

/* Returns the item with the key, adding a zeroed one when there is none. */
static void *agg_get(struct aggmap *m, int64_t device_id, int64_t k)
{
	if (m->index_cap) {
		size_t h = agg_hash(device_id, k, m->index_cap - 1);
		for (; m->index[h]; h = (h + 1) & (m->index_cap - 1)) {
			struct aggkey *key = agg_item(m, m->index[h] - 1);
			if (key->device_id == device_id && key->k == k)
				return key;
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->items = xrealloc(m->items, m->cap * m->size);
	}
	struct aggkey *key = agg_item(m, m->n++);
	memset(key, 0, m->size);
	key->device_id = device_id;
	key->k = k;
	/* At most half full, so that probes stay short. */
	if (2 * m->n > m->index_cap)
		agg_reindex(m, m->index_cap ? 2 * m->index_cap : 1024);
	else {
		size_t h = agg_hash(device_id, k, m->index_cap - 1);
		while (m->index[h])
			h = (h + 1) & (m->index_cap - 1);
		m->index[h] = (uint32_t)m->n;
	}
	return key;
}

static void agg_clear(struct aggmap *m)
{
	m->n = 0;
	if (m->index)
		memset(m->index, 0, m->index_cap * sizeof *m->index);
}

static void agg_free(struct aggmap *m)
{
	free(m->items);
	free(m->index);
}

static int agg_cmp(const void *a, const void *b)
{
	const struct aggkey *x = a, *y = b;
	if (x->device_id != y->device_id)
		return x->device_id < y->device_id ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* Sorts the items by key, so that the rows are written in the tables' own order. The index
 * no longer matches: only for a map about to be cleared. */
static void agg_sort(struct aggmap *m)
{
	if (m->n > 1) /* an empty map has no items array, which qsort must not be given */
		qsort(m->items, m->n, m->size, agg_cmp);
}

struct store_batch *store_batch_new(struct store *st)
{
	struct store_batch *b = xcalloc(1, sizeof *b);
	b->st = st;
	b->five.size = sizeof(struct agg5);
	b->day.size = sizeof(struct aggday);
	b->energy.size = sizeof(struct aggenergy);
	return b;
}

void store_batch_free(struct store_batch *b)
{
	if (!b)
		return;
	agg_free(&b->five);
	agg_free(&b->day);
	agg_free(&b->energy);
	free(b);
}

void store_batch_clear(struct store_batch *b)
{
	agg_clear(&b->five);
	agg_clear(&b->day);
	agg_clear(&b->energy);
}

static int64_t local_day_number(double ts, int utc_offset_s)
{
	/* The day store_local_day names: whole seconds, then the offset, then floor division. */
	int64_t t = (int64_t)floor(ts) + utc_offset_s;
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

int store_batch_add(struct store_batch *b, const struct store_reading *row)
{
	if (put_raw(b->st, row) != 0)
		return -1;
	const struct store_values *v = row->v;
	int has_power = !row->rejected && has_value(v, SF_POWER_W);
	double power_w = has_power ? v->value[SF_POWER_W] : 0;

	struct agg5 *f =
	    agg_get(&b->five, row->device_id, (int64_t)floor(row->ts / SLOT_S) * SLOT_S);
	f->energy_wh += row->delta_wh;
	if (has_power) {
		f->power_sum_w += power_w;
		f->power_max_w = f->power_n ? fmax(f->power_max_w, power_w) : power_w;
		f->power_n++;
	}
	f->ghi_wh_m2 += row->ghi_wh_m2;
	f->poa_wh_m2 += row->poa_wh_m2;
	f->n_valid += !row->rejected;
	f->n_rejected += row->rejected;
	static const enum store_field env[] = {SF_MODULE_TEMP_C, SF_AIR_TEMP_C, SF_WIND_M_S};
	for (int k = 0; k < 3; k++)
		if (!row->rejected && has_value(v, env[k])) {
			f->env_sum[k] += v->value[env[k]];
			f->env_n[k]++;
		}

	struct aggday *d =
	    agg_get(&b->day, row->device_id, local_day_number(row->ts, row->utc_offset_s));
	if (d->n_valid + d->n_rejected == 0) {
		d->day_ts = d->first_ts = d->last_ts = row->ts;
		d->utc_offset_s = row->utc_offset_s;
	}
	d->energy_wh += row->delta_wh;
	if (has_power) {
		d->power_max_w = d->power_n ? fmax(d->power_max_w, power_w) : power_w;
		d->power_n++;
	}
	d->ghi_wh_m2 += row->ghi_wh_m2;
	d->poa_wh_m2 += row->poa_wh_m2;
	d->n_valid += !row->rejected;
	d->n_rejected += row->rejected;
	d->first_ts = fmin(d->first_ts, row->ts);
	d->last_ts = fmax(d->last_ts, row->ts);

	if (row->energy) {
		struct aggenergy *e = agg_get(&b->energy, row->device_id, 0);
		e->e = *row->energy;
	}
	return 0;
}

static int put_rollup_5min(struct store *st, const struct agg5 *f)
{
	static const char sql[] =
	    "INSERT INTO rollup_5min (device_id, slot, energy_wh, power_sum_w, power_n, "
	    "power_max_w, ghi_wh_m2, poa_wh_m2, n_valid, n_rejected, tmod_sum_c, tmod_n, "
	    "tair_sum_c, tair_n, wind_sum_m_s, wind_n) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
	    "ON CONFLICT (device_id, slot) DO UPDATE SET energy_wh = energy_wh + "
	    "excluded.energy_wh,"
	    " power_sum_w = power_sum_w + excluded.power_sum_w, power_n = power_n + "
	    "excluded.power_n,"
	    " power_max_w = max(coalesce(power_max_w, excluded.power_max_w), "
	    "coalesce(excluded.power_max_w, power_max_w)),"
	    " ghi_wh_m2 = ghi_wh_m2 + excluded.ghi_wh_m2, poa_wh_m2 = poa_wh_m2 + "
	    "excluded.poa_wh_m2,"
	    " n_valid = n_valid + excluded.n_valid, n_rejected = n_rejected + excluded.n_rejected,"
	    " tmod_sum_c = tmod_sum_c + excluded.tmod_sum_c, tmod_n = tmod_n + excluded.tmod_n,"
	    " tair_sum_c = tair_sum_c + excluded.tair_sum_c, tair_n = tair_n + excluded.tair_n,"
	    " wind_sum_m_s = wind_sum_m_s + excluded.wind_sum_m_s, wind_n = wind_n + "
	    "excluded.wind_n";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, f->key.device_id);
	sqlite3_bind_int64(s, 2, f->key.k);
	sqlite3_bind_double(s, 3, f->energy_wh);
	sqlite3_bind_double(s, 4, f->power_sum_w);
	sqlite3_bind_int(s, 5, f->power_n);
	if (f->power_n)
		sqlite3_bind_double(s, 6, f->power_max_w);
	sqlite3_bind_double(s, 7, f->ghi_wh_m2);
	sqlite3_bind_double(s, 8, f->poa_wh_m2);
	sqlite3_bind_int(s, 9, f->n_valid);
	sqlite3_bind_int(s, 10, f->n_rejected);
	for (int k = 0; k < 3; k++) {
		sqlite3_bind_double(s, 11 + 2 * k, f->env_sum[k]);
		sqlite3_bind_int(s, 12 + 2 * k, f->env_n[k]);
	}
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static int put_rollup_day(struct store *st, const struct aggday *d)
{
	/* updated is wall time: the efficiency engine compares it with when it last computed
	 * the day, whatever clock the readings are stamped with. Station rollups are views. */
	static const char sql[] =
	    "INSERT INTO rollup_day (device_id, day, energy_wh, power_max_w, ghi_wh_m2, poa_wh_m2,"
	    " n_valid, n_rejected, first_ts, last_ts, updated) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (julianday('now') - 2440587.5) * "
	    "86400.0) "
	    "ON CONFLICT (device_id, day) DO UPDATE SET energy_wh = energy_wh + excluded.energy_wh,"
	    " power_max_w = max(coalesce(power_max_w, excluded.power_max_w), "
	    "coalesce(excluded.power_max_w, power_max_w)),"
	    " ghi_wh_m2 = ghi_wh_m2 + excluded.ghi_wh_m2, poa_wh_m2 = poa_wh_m2 + "
	    "excluded.poa_wh_m2,"
	    " n_valid = n_valid + excluded.n_valid, n_rejected = n_rejected + excluded.n_rejected,"
	    " first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, "
	    "excluded.last_ts),"
	    " updated = excluded.updated";
	char day[11];
	store_local_day(d->day_ts, d->utc_offset_s, day);
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, d->key.device_id);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 3, d->energy_wh);
	if (d->power_n)
		sqlite3_bind_double(s, 4, d->power_max_w);
	sqlite3_bind_double(s, 5, d->ghi_wh_m2);
	sqlite3_bind_double(s, 6, d->poa_wh_m2);
	sqlite3_bind_int(s, 7, d->n_valid);
	sqlite3_bind_int(s, 8, d->n_rejected);
	sqlite3_bind_double(s, 9, d->first_ts);
	sqlite3_bind_double(s, 10, d->last_ts);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

int store_batch_flush(struct store_batch *b)
{
	int rc = 0;
	agg_sort(&b->five);
	agg_sort(&b->day);
	agg_sort(&b->energy);
	for (size_t i = 0; i < b->five.n && rc == 0; i++)
		rc = put_rollup_5min(b->st, (const struct agg5 *)agg_item(&b->five, i));
	for (size_t i = 0; i < b->day.n && rc == 0; i++)
		rc = put_rollup_day(b->st, (const struct aggday *)agg_item(&b->day, i));
	for (size_t i = 0; i < b->energy.n && rc == 0; i++) {
		const struct aggenergy *e = (const struct aggenergy *)agg_item(&b->energy, i);
		rc = put_energy_state(b->st, e->key.device_id, &e->e);
	}
	store_batch_clear(b);
	return rc;
}

int store_diag_put(struct store *st, int64_t device_id, const struct store_diag *d)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO device_diag (device_id, requests, errors, timeouts, "
	    "last_success, rtt_ms, last_error, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "unixepoch('now'))";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, device_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)d->requests);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)d->errors);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)d->timeouts);
	if (d->last_success > 0)
		sqlite3_bind_double(s, 5, d->last_success);
	sqlite3_bind_double(s, 6, d->rtt_ms);
	if (d->last_error && *d->last_error)
		sqlite3_bind_text(s, 7, d->last_error, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

long store_readings_prune(struct store *st, double before_ts)
{
	/* A chunk at a time, each its own transaction: an hour of 10,000 inverters is 600,000
	 * rows, and one DELETE of them all would hold the write lock for seconds. */
	static const char sql[] =
	    "DELETE FROM reading WHERE (device_id, ts) IN (SELECT device_id, ts FROM reading "
	    "WHERE ts < ?1 LIMIT ?2)";
	long gone = 0;
	for (;;) {
		sqlite3_stmt *s = store_stmt(st, sql);
		if (!s)
			return -1;
		sqlite3_bind_double(s, 1, before_ts);
		sqlite3_bind_int(s, 2, STORE_PRUNE_CHUNK);
		if (sqlite3_step(s) != SQLITE_DONE)
			return -1;
		int n = sqlite3_changes(st->db);
		gone += n;
		if (n < STORE_PRUNE_CHUNK)
			return gone;
	}
}

double store_day_energy_wh(struct store *st, int64_t device_id, const char *day)
{
	static const char sql[] =
	    "SELECT energy_wh FROM rollup_day WHERE device_id = ?1 AND day = ?2";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, device_id);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
	double wh = store_row(st, s) > 0 ? sqlite3_column_double(s, 0) : 0;
	store_rows_stop(s);
	return wh;
}
