/* The schema, as versioned migrations. Never edit a released migration: add a new one. */
#include "store_internal.h"

const char *const store_migrations[] = {
    /* 1: meta table for small settings and markers. */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 2: devices, raw readings with quality flags, energy counter state, rollups and
     * per-device diagnostics. */
    "CREATE TABLE device (id INTEGER PRIMARY KEY, station TEXT NOT NULL, device TEXT NOT NULL,"
    "  UNIQUE (station, device));"
    "CREATE TABLE reading (device_id INTEGER NOT NULL REFERENCES device(id), ts REAL NOT NULL,"
    "  quality INTEGER NOT NULL, rejected INTEGER NOT NULL, power_w REAL,"
    "  energy_total_wh REAL, energy_today_wh REAL, energy_delta_wh REAL NOT NULL,"
    "  state INTEGER, vendor_state INTEGER, events INTEGER, events2 INTEGER,"
    "  fault_code INTEGER, dc_power_w REAL, cabinet_temp_c REAL, ghi_w_m2 REAL,"
    "  poa_w_m2 REAL, module_temp_c REAL, air_temp_c REAL, wind_m_s REAL,"
    "  PRIMARY KEY (device_id, ts)) WITHOUT ROWID;"
    "CREATE INDEX reading_ts ON reading (ts);"
    "CREATE TABLE energy_state (device_id INTEGER PRIMARY KEY REFERENCES device(id),"
    "  have INTEGER NOT NULL, total_wh REAL, total_ts REAL, ts REAL, power_w REAL,"
    "  power_since REAL, cand_count INTEGER, cand_first_wh REAL, cand_wh REAL, cand_ts REAL);"
    "CREATE TABLE rollup_5min (device_id INTEGER NOT NULL REFERENCES device(id),"
    "  slot INTEGER NOT NULL, energy_wh REAL NOT NULL DEFAULT 0,"
    "  power_sum_w REAL NOT NULL DEFAULT 0, power_n INTEGER NOT NULL DEFAULT 0,"
    "  power_max_w REAL, ghi_wh_m2 REAL NOT NULL DEFAULT 0, poa_wh_m2 REAL NOT NULL DEFAULT 0,"
    "  n_valid INTEGER NOT NULL DEFAULT 0, n_rejected INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (device_id, slot)) WITHOUT ROWID;"
    "CREATE TABLE rollup_day (device_id INTEGER NOT NULL REFERENCES device(id),"
    "  day TEXT NOT NULL, energy_wh REAL NOT NULL DEFAULT 0, power_max_w REAL,"
    "  ghi_wh_m2 REAL NOT NULL DEFAULT 0, poa_wh_m2 REAL NOT NULL DEFAULT 0,"
    "  n_valid INTEGER NOT NULL DEFAULT 0, n_rejected INTEGER NOT NULL DEFAULT 0,"
    "  first_ts REAL, last_ts REAL, PRIMARY KEY (device_id, day)) WITHOUT ROWID;"
    "CREATE TABLE station_5min (station TEXT NOT NULL, slot INTEGER NOT NULL,"
    "  energy_wh REAL NOT NULL DEFAULT 0, n_valid INTEGER NOT NULL DEFAULT 0,"
    "  n_rejected INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (station, slot)) WITHOUT ROWID;"
    "CREATE TABLE station_day (station TEXT NOT NULL, day TEXT NOT NULL,"
    "  energy_wh REAL NOT NULL DEFAULT 0, n_valid INTEGER NOT NULL DEFAULT 0,"
    "  n_rejected INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (station, day)) WITHOUT ROWID;"
    "CREATE TABLE device_diag (device_id INTEGER PRIMARY KEY REFERENCES device(id),"
    "  requests INTEGER NOT NULL, errors INTEGER NOT NULL, timeouts INTEGER NOT NULL,"
    "  last_success REAL, rtt_ms REAL, last_error TEXT, updated REAL);",
    /* 3: generation efficiency per station and day and month, with the basis, irradiance
     * source and confidence grade of every figure; station_day learns when it last changed
     * so that late data makes its day be computed again. */
    "ALTER TABLE station_day ADD COLUMN updated REAL;"
    "CREATE TABLE station_eff_day (station TEXT NOT NULL, day TEXT NOT NULL,"
    "  energy_wh REAL, e_act_wh REAL, eth_wh REAL, h_ghi_kwh_m2 REAL, h_poa_kwh_m2 REAL,"
    "  eta REAL, pr REAL, pr_stc REAL, yf_h REAL, coverage REAL, basis TEXT NOT NULL,"
    "  source TEXT NOT NULL, grade INTEGER NOT NULL, judgeable INTEGER NOT NULL,"
    "  online_rate REAL, anomaly_rate REAL, computed REAL NOT NULL,"
    "  PRIMARY KEY (station, day)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS station_month (station TEXT NOT NULL, month TEXT NOT NULL,"
    "  energy_wh REAL, eth_wh REAL, eta REAL, basis TEXT, source TEXT, grade INTEGER,"
    "  PRIMARY KEY (station, month));",
    /* 4: the MQTT outbox. Alert events wait here until the broker acknowledges them, so
     * that neither a broker outage nor a daemon restart loses one; AUTOINCREMENT keeps ids
     * rising even after the newest row is deleted, which is the delivery order. */
    "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,"
    "  payload TEXT NOT NULL, qos INTEGER NOT NULL DEFAULT 1, created_ts REAL NOT NULL);",
    /* 5: station rollups become views over the device rollups: one fewer upsert pair per
     * reading on the poller's hot path, and they can never disagree with their devices. The
     * day's change time moves to the device rollup. */
    "ALTER TABLE rollup_day ADD COLUMN updated REAL;"
    "UPDATE rollup_day SET updated = (SELECT s.updated FROM station_day s, device d"
    "  WHERE d.id = rollup_day.device_id AND s.station = d.station AND s.day = rollup_day.day);"
    "DROP TABLE station_5min;"
    "DROP TABLE station_day;"
    "CREATE VIEW station_5min AS SELECT d.station AS station, r.slot AS slot,"
    "  sum(r.energy_wh) AS energy_wh, sum(r.n_valid) AS n_valid,"
    "  sum(r.n_rejected) AS n_rejected FROM rollup_5min r JOIN device d ON d.id = r.device_id"
    "  GROUP BY d.station, r.slot;"
    "CREATE VIEW station_day AS SELECT d.station AS station, r.day AS day,"
    "  sum(r.energy_wh) AS energy_wh, sum(r.n_valid) AS n_valid,"
    "  sum(r.n_rejected) AS n_rejected, max(r.updated) AS updated"
    "  FROM rollup_day r JOIN device d ON d.id = r.device_id GROUP BY d.station, r.day;",
};

const int store_n_migrations = (int)(sizeof store_migrations / sizeof store_migrations[0]);
