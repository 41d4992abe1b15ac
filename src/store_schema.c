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
    /* 6: revenue: people, posts, labour agreements, attendance, public-works labour, grid
     * settlements and subsidy receipts, costs and bucket spending, distribution plans with
     * their steps, buckets and payments, the hash-chained money ledger, the history of changes,
     * and the O&M log and monthly efficiency that other parts fill. Amounts are integer fen. */
    "CREATE TABLE person (id TEXT PRIMARY KEY, village TEXT NOT NULL, name TEXT NOT NULL,"
    "  id_masked TEXT NOT NULL, category TEXT NOT NULL CHECK (category IN"
    "  ('脱贫户', '脱贫不稳定户', '边缘易致贫户', '突发严重困难户')),"
    "  labour TEXT NOT NULL CHECK (labour IN ('full', 'weak', 'none')));"
    "CREATE TABLE post (id TEXT PRIMARY KEY, village TEXT NOT NULL, kind TEXT NOT NULL,"
    "  wage_fen INTEGER NOT NULL CHECK (wage_fen >= 0),"
    "  required_days INTEGER NOT NULL CHECK (required_days BETWEEN 1 AND 31));"
    "CREATE TABLE agreement (person TEXT NOT NULL REFERENCES person(id),"
    "  post TEXT NOT NULL REFERENCES post(id), start_day TEXT NOT NULL, end_day TEXT NOT NULL,"
    "  CHECK (start_day <= end_day), PRIMARY KEY (person, post, start_day));"
    "CREATE TABLE attendance (person TEXT NOT NULL REFERENCES person(id),"
    "  post TEXT NOT NULL REFERENCES post(id), month TEXT NOT NULL,"
    "  days_worked INTEGER NOT NULL CHECK (days_worked BETWEEN 0 AND 31),"
    "  grade TEXT NOT NULL CHECK (grade IN ('', 'A', 'B', 'C', 'D')),"
    "  PRIMARY KEY (person, post, month));"
    "CREATE TABLE work_record (village TEXT NOT NULL, month TEXT NOT NULL,"
    "  person TEXT NOT NULL REFERENCES person(id), work TEXT NOT NULL,"
    "  days_worked INTEGER NOT NULL CHECK (days_worked BETWEEN 1 AND 31),"
    "  amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0), agreement TEXT NOT NULL,"
    "  PRIMARY KEY (village, month, person, work));"
    "CREATE TABLE settlement (station TEXT NOT NULL, period TEXT NOT NULL,"
    "  metered_kwh REAL NOT NULL CHECK (metered_kwh >= 0),"
    "  coal_fen INTEGER NOT NULL CHECK (coal_fen >= 0),"
    "  subsidy_fen INTEGER NOT NULL CHECK (subsidy_fen >= 0), received_day TEXT NOT NULL,"
    "  PRIMARY KEY (station, period));"
    "CREATE INDEX settlement_received ON settlement (received_day);"
    "CREATE TABLE subsidy_receipt (station TEXT NOT NULL, period TEXT NOT NULL,"
    "  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0), received_day TEXT NOT NULL,"
    "  PRIMARY KEY (station, period, received_day),"
    "  FOREIGN KEY (station, period) REFERENCES settlement (station, period));"
    "CREATE INDEX subsidy_received ON subsidy_receipt (received_day);"
    "CREATE TABLE cost (village TEXT NOT NULL, month TEXT NOT NULL, kind TEXT NOT NULL"
    "  CHECK (kind IN ('om', 'insurance', 'land_rent', 'other')),"
    "  amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0), receipt TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '', PRIMARY KEY (village, month, kind, receipt));"
    "CREATE TABLE spending (village TEXT NOT NULL, month TEXT NOT NULL, bucket TEXT NOT NULL"
    "  CHECK (bucket IN ('public_works', 'rewards', 'om_reserve')),"
    "  amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0), receipt TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '', PRIMARY KEY (village, month, bucket, receipt));"
    "CREATE TABLE plan (village TEXT NOT NULL, month TEXT NOT NULL, state TEXT NOT NULL,"
    "  notice_days INTEGER NOT NULL, publicised_at INTEGER, created_at INTEGER NOT NULL,"
    "  received_fen INTEGER NOT NULL, costs_fen INTEGER NOT NULL,"
    "  distributable_fen INTEGER NOT NULL, deficit_in_fen INTEGER NOT NULL,"
    "  deficit_out_fen INTEGER NOT NULL, posts_share_bp INTEGER NOT NULL,"
    "  policy_posts_bp INTEGER NOT NULL, min_posts_bp INTEGER NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '', PRIMARY KEY (village, month));"
    "CREATE TABLE plan_step (village TEXT NOT NULL, month TEXT NOT NULL, state TEXT NOT NULL,"
    "  at INTEGER NOT NULL, by TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX plan_step_plan ON plan_step (village, month);"
    "CREATE TABLE plan_bucket (village TEXT NOT NULL, month TEXT NOT NULL,"
    "  bucket TEXT NOT NULL, share_bp INTEGER NOT NULL, carry_in_fen INTEGER NOT NULL,"
    "  alloc_fen INTEGER NOT NULL, spent_fen INTEGER NOT NULL, unmet_fen INTEGER NOT NULL,"
    "  carry_out_fen INTEGER NOT NULL, PRIMARY KEY (village, month, bucket));"
    "CREATE TABLE plan_payment (village TEXT NOT NULL, month TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('wage', 'labour')), person TEXT NOT NULL,"
    "  post TEXT NOT NULL, days_worked INTEGER NOT NULL, required_days INTEGER NOT NULL,"
    "  grade TEXT NOT NULL, standard_fen INTEGER NOT NULL, due_fen INTEGER NOT NULL,"
    "  paid_fen INTEGER NOT NULL, reason TEXT NOT NULL,"
    "  PRIMARY KEY (village, month, kind, person, post));"
    "CREATE TABLE ledger (seq INTEGER PRIMARY KEY, time_unix INTEGER NOT NULL,"
    "  kind TEXT NOT NULL, village TEXT NOT NULL, station TEXT NOT NULL, person TEXT NOT NULL,"
    "  month TEXT NOT NULL, amount_fen INTEGER NOT NULL, memo TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE TABLE history (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, by TEXT NOT NULL,"
    "  tbl TEXT NOT NULL, key TEXT NOT NULL, action TEXT NOT NULL, old TEXT, new TEXT);"
    "CREATE TABLE IF NOT EXISTS maintenance_log (id INTEGER PRIMARY KEY, station TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('inspection', 'cleaning', 'repair')), at REAL NOT NULL,"
    "  by TEXT, note TEXT);"
    "CREATE TABLE IF NOT EXISTS station_month (station TEXT NOT NULL, month TEXT NOT NULL,"
    "  energy_wh REAL, eth_wh REAL, eta REAL, basis TEXT, source TEXT, grade INTEGER,"
    "  PRIMARY KEY (station, month));"
    "CREATE INDEX post_village ON post (village);"
    "CREATE INDEX agreement_post ON agreement (post);"
    "CREATE INDEX attendance_post ON attendance (post, month);",
    /* 7: alerts and their history. */
    "CREATE TABLE alert (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, severity TEXT NOT NULL,"
    "  station TEXT NOT NULL, device TEXT NOT NULL, raised_at REAL NOT NULL, cleared_at REAL,"
    "  title TEXT NOT NULL, detail TEXT NOT NULL, figures TEXT NOT NULL, ack_by TEXT,"
    "  ack_at REAL, suppressed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX alert_open ON alert (cleared_at, station);"
    "CREATE TABLE alert_event (id INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL"
    "  REFERENCES alert(id), type TEXT NOT NULL CHECK (type IN ('raised', 'cleared',"
    "  'acknowledged')), at REAL NOT NULL, by TEXT, figures TEXT);"
    "CREATE INDEX maintenance_station ON maintenance_log (station, kind, at);",
    /* 8: sensor temperatures per 5-minute slot, for the temperature-corrected PR. */
    "ALTER TABLE rollup_5min ADD COLUMN tmod_sum_c REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE rollup_5min ADD COLUMN tmod_n INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE rollup_5min ADD COLUMN tair_sum_c REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE rollup_5min ADD COLUMN tair_n INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE rollup_5min ADD COLUMN wind_sum_m_s REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE rollup_5min ADD COLUMN wind_n INTEGER NOT NULL DEFAULT 0;",
    /* 9: each station's day against its peers nearby: their median final yield, the
     * station's ratio to it and how many healthy peers it rests on. */
    "ALTER TABLE station_eff_day ADD COLUMN peer_yf_h REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN peer_ratio REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN peer_n INTEGER;",
    /* 10: each inverter's day on its station's irradiance, with its DC capacity as P_stc. */
    "CREATE TABLE inverter_eff_day (station TEXT NOT NULL, device TEXT NOT NULL,"
    "  day TEXT NOT NULL, dc_kwp REAL NOT NULL, energy_wh REAL, e_act_wh REAL, eth_wh REAL,"
    "  eta REAL, pr REAL, pr_stc REAL, yf_h REAL, coverage REAL, peer_ratio REAL,"
    "  source TEXT NOT NULL, grade INTEGER NOT NULL, computed REAL NOT NULL,"
    "  PRIMARY KEY (station, day, device)) WITHOUT ROWID;",
    /* 11: curtailment, a loss of its own: the energy made while an inverter was held below
     * what it could make, and what the curtailment cost at the day's own efficiency. */
    "ALTER TABLE station_eff_day ADD COLUMN curtailed_wh REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN curtail_loss_wh REAL;"
    /* The curtailed readings (state 5, THROTTLED) by device and time: the efficiency pass
     * looks them up for every inverter, and they are few. */
    "CREATE INDEX reading_throttled ON reading (device_id, ts) WHERE state = 5;",
    /* 12: the public notices as posted: every format's exact bytes, kept so that a notice
     * printed again is the one that was posted, with the ledger entry that holds its hash.
     * Rows are only ever inserted. And the arrears each plan pays. */
    "CREATE TABLE notice (village TEXT NOT NULL, month TEXT NOT NULL, format TEXT NOT NULL"
    "  CHECK (format IN ('html', 'csv', 'json', 'xlsx')), issued_at INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL, ledger_seq INTEGER NOT NULL, body BLOB NOT NULL,"
    "  PRIMARY KEY (village, month, format));"
    /* Wages and labour owed from earlier months and paid first by a month's plan: how much
     * was owed coming in and how much the plan pays of it. What is still owed after a month
     * is what this table and plan_payment leave unpaid. */
    "CREATE TABLE plan_arrear (village TEXT NOT NULL, month TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('wage', 'labour')), person TEXT NOT NULL,"
    "  post TEXT NOT NULL, owed_month TEXT NOT NULL,"
    "  owed_fen INTEGER NOT NULL CHECK (owed_fen > 0),"
    "  paid_fen INTEGER NOT NULL CHECK (paid_fen >= 0 AND paid_fen <= owed_fen),"
    "  PRIMARY KEY (village, month, kind, person, post, owed_month));",
    /* 13: the province. A county's uplink keeps its own outbox (what waits for the province
     * broker, with a key so that an unsent older revision of the same figure can be dropped)
     * and a list of what changed, filled by triggers in the same transaction as the change,
     * so that neither an outage nor a SIGKILL between the change and its message loses one;
     * the triggers only fire while meta 'uplink.enabled' is '1'. The hub's tables hold what
     * the counties sent, each row with the revision that wrote it. */
    "CREATE TABLE uplink_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,"
    "  payload TEXT NOT NULL, qos INTEGER NOT NULL DEFAULT 1, created_ts REAL NOT NULL,"
    "  key TEXT);"
    "CREATE INDEX uplink_outbox_key ON uplink_outbox (key);"
    "CREATE TABLE uplink_dirty (kind TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,"
    "  PRIMARY KEY (kind, a, b)) WITHOUT ROWID;"
    "CREATE TRIGGER uplink_day_ins AFTER INSERT ON station_eff_day WHEN EXISTS (SELECT 1"
    "  FROM meta WHERE key = 'uplink.enabled' AND value = '1') BEGIN INSERT OR IGNORE INTO"
    "  uplink_dirty VALUES ('day', new.station, new.day); END;"
    "CREATE TRIGGER uplink_day_upd AFTER UPDATE ON station_eff_day WHEN EXISTS (SELECT 1"
    "  FROM meta WHERE key = 'uplink.enabled' AND value = '1') BEGIN INSERT OR IGNORE INTO"
    "  uplink_dirty VALUES ('day', new.station, new.day); END;"
    "CREATE TRIGGER uplink_month_ins AFTER INSERT ON station_month WHEN EXISTS (SELECT 1"
    "  FROM meta WHERE key = 'uplink.enabled' AND value = '1') BEGIN INSERT OR IGNORE INTO"
    "  uplink_dirty VALUES ('month', new.station, new.month); END;"
    "CREATE TRIGGER uplink_month_upd AFTER UPDATE ON station_month WHEN EXISTS (SELECT 1"
    "  FROM meta WHERE key = 'uplink.enabled' AND value = '1') BEGIN INSERT OR IGNORE INTO"
    "  uplink_dirty VALUES ('month', new.station, new.month); END;"
    "CREATE TRIGGER uplink_alert_ins AFTER INSERT ON alert_event WHEN EXISTS (SELECT 1"
    "  FROM meta WHERE key = 'uplink.enabled' AND value = '1') BEGIN INSERT OR IGNORE INTO"
    "  uplink_dirty VALUES ('alert', printf('%020d', new.id), ''); END;"
    "CREATE TABLE hub_county (county TEXT PRIMARY KEY, name TEXT, status TEXT,"
    "  status_at REAL, registry_rev INTEGER NOT NULL DEFAULT 0, last_seen REAL);"
    "CREATE TABLE hub_station (county TEXT NOT NULL, station TEXT NOT NULL, name TEXT,"
    "  village TEXT, town TEXT, capacity_kwp REAL, lat REAL, lon REAL,"
    "  rev INTEGER NOT NULL, PRIMARY KEY (county, station)) WITHOUT ROWID;"
    "CREATE TABLE hub_station_day (county TEXT NOT NULL, station TEXT NOT NULL,"
    "  day TEXT NOT NULL, energy_wh REAL, e_act_wh REAL, eth_wh REAL, eta REAL, pr REAL,"
    "  coverage REAL, basis TEXT, source TEXT, grade INTEGER, judgeable INTEGER,"
    "  curtailed_wh REAL, curtail_loss_wh REAL,"
    "  rev INTEGER NOT NULL, PRIMARY KEY (county, station, day)) WITHOUT ROWID;"
    "CREATE TABLE hub_station_month (county TEXT NOT NULL, station TEXT NOT NULL,"
    "  month TEXT NOT NULL, energy_wh REAL, eth_wh REAL, eta REAL, grade INTEGER,"
    "  rev INTEGER NOT NULL, PRIMARY KEY (county, station, month)) WITHOUT ROWID;"
    "CREATE TABLE hub_alert_event (county TEXT NOT NULL, event_id INTEGER NOT NULL,"
    "  alert_id INTEGER NOT NULL, type TEXT NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL,"
    "  severity TEXT NOT NULL, station TEXT NOT NULL, device TEXT NOT NULL, title TEXT,"
    "  raised_at REAL, PRIMARY KEY (county, event_id)) WITHOUT ROWID;"
    "CREATE TABLE hub_live (county TEXT NOT NULL, station TEXT NOT NULL, at REAL NOT NULL,"
    "  power_w REAL, energy_today_wh REAL, devices INTEGER, online INTEGER, state TEXT,"
    "  PRIMARY KEY (county, station)) WITHOUT ROWID;",
    /* 14: where each day's expected energy went (loss.h): the expected and actual energy of
     * the priced slots, the efficiency the outages were priced at, and each class's loss and
     * hours; and the readings in a state that does not produce (OFF, SHUTTING_DOWN, FAULT,
     * STANDBY), which the loss attribution looks up for every inverter. */
    "ALTER TABLE station_eff_day ADD COLUMN loss_exp_wh REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_act_wh REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_ref_eta REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_ref_from_k INTEGER;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_comm_wh REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_down_wh REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_fault_wh REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_curtail_wh REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_lowperf_wh REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_comm_h REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_down_h REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_fault_h REAL;"
    "ALTER TABLE station_eff_day ADD COLUMN loss_curtail_h REAL;"
    "CREATE INDEX reading_notrun ON reading (device_id, ts) WHERE state IN (1, 6, 7, 8);",
    /* The town's public notice of a month as posted: issued, every format, when the last of
     * the town's villages is publicised, and kept byte for byte like the villages' own. */
    "CREATE TABLE town_notice (town TEXT NOT NULL, month TEXT NOT NULL, format TEXT NOT NULL"
    "  CHECK (format IN ('html', 'csv', 'json', 'xlsx')), issued_at INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL, ledger_seq INTEGER NOT NULL, body BLOB NOT NULL,"
    "  PRIMARY KEY (town, month, format));"
    /* Corrections are looked up by village and month for every plan and report (what they
     * give back or owe to the month): without this, each look-up reads the whole ledger. */
    "CREATE INDEX ledger_correction ON ledger (village, month) WHERE kind = 'correction';",
    /* Link traffic: the IP bytes each gateway's polls put on the wire (linkbytes.h), per
     * local day, per device (device_id 0: the connection itself, its set-up and teardown),
     * with the polls that spent them and the fast interval in force at the day's last poll
     * (longer than configured while a monthly budget stretches it). A month is the sum of
     * its days. */
    "CREATE TABLE link_day (gateway TEXT NOT NULL, device_id INTEGER NOT NULL,"
    "  day TEXT NOT NULL, wire_bytes INTEGER NOT NULL DEFAULT 0,"
    "  polls INTEGER NOT NULL DEFAULT 0, interval_s REAL,"
    "  PRIMARY KEY (gateway, device_id, day)) WITHOUT ROWID;",
    /* The power limit an inverter reported (SunSpec model 123 or 704, a vendor map's limit
     * register), in W, on the readings where it held the inverter below its rating; NULL
     * otherwise. The efficiency engine looks the curtailed ones up for every inverter. */
    "ALTER TABLE reading ADD COLUMN limit_w REAL;"
    "CREATE INDEX reading_limited ON reading (device_id, ts) WHERE limit_w IS NOT NULL;",
    /* The province gets the ledger head and the county's month KPIs too. A new ledger entry
     * lists the head, a refreshed station-month lists its month's county KPIs, through
     * triggers as the other uplink changes; a county whose uplink was already on lists what
     * it has now. The hub keeps the newest head and each month's KPIs per county. */
    "CREATE TRIGGER uplink_ledger_ins AFTER INSERT ON ledger WHEN EXISTS (SELECT 1"
    "  FROM meta WHERE key = 'uplink.enabled' AND value = '1') BEGIN INSERT OR IGNORE INTO"
    "  uplink_dirty VALUES ('ledger', '', ''); END;"
    "CREATE TRIGGER uplink_kpi_ins AFTER INSERT ON station_month WHEN EXISTS (SELECT 1"
    "  FROM meta WHERE key = 'uplink.enabled' AND value = '1') BEGIN INSERT OR IGNORE INTO"
    "  uplink_dirty VALUES ('kpi', new.month, ''); END;"
    "CREATE TRIGGER uplink_kpi_upd AFTER UPDATE ON station_month WHEN EXISTS (SELECT 1"
    "  FROM meta WHERE key = 'uplink.enabled' AND value = '1') BEGIN INSERT OR IGNORE INTO"
    "  uplink_dirty VALUES ('kpi', new.month, ''); END;"
    "INSERT OR IGNORE INTO uplink_dirty SELECT 'ledger', '', '' WHERE EXISTS (SELECT 1 FROM"
    "  ledger) AND EXISTS (SELECT 1 FROM meta WHERE key = 'uplink.enabled' AND value = '1');"
    "INSERT OR IGNORE INTO uplink_dirty SELECT DISTINCT 'kpi', month, '' FROM station_month"
    "  WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'uplink.enabled' AND value = '1');"
    "CREATE TABLE hub_ledger_head (county TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
    "  hash TEXT NOT NULL, at REAL, rev INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE hub_county_kpi (county TEXT NOT NULL, month TEXT NOT NULL, until REAL,"
    "  stations INTEGER, stations_with_eta INTEGER, stations_meeting_target INTEGER,"
    "  energy_wh REAL, e_act_wh REAL, eth_wh REAL, eta REAL, eta_grade12 REAL, pr REAL,"
    "  capability_pct REAL, equivalent_hours REAL, online_rate REAL, fault_rate REAL,"
    "  anomaly_rate REAL, county_target REAL, meets_target INTEGER, worst_grade INTEGER,"
    "  rev INTEGER NOT NULL, PRIMARY KEY (county, month)) WITHOUT ROWID;",
};

const int store_n_migrations = (int)(sizeof store_migrations / sizeof store_migrations[0]);
