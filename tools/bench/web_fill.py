#!/usr/bin/env python3
"""Fills a pvrelief database (schema already made by `pvrelief alerts`) with what a county of
STATIONS stations x UNITS inverters holds after a month: daily rollups for 30 days, today's
5-minute rollups up to noon, the newest raw readings, energy states, diagnostics, daily and
monthly efficiency figures and alerts. Used by tools/bench/web.
usage: web_fill.py DB STATIONS UNITS DAY(YYYY-MM-DD) NOON_UNIX"""
import math
import random
import sqlite3
import sys
import time

db, n_st, units, day, noon = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
random.seed(7)
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode = WAL")
con.execute("PRAGMA synchronous = OFF")
t0 = time.time()
cur = con.cursor()
devs = []
for s in range(n_st):
    for u in range(1, units + 1):
        cur.execute("INSERT INTO device (station, device) VALUES (?, ?)", (f"s{s}", f"i{u}"))
        devs.append((cur.lastrowid, s, u))
import datetime
last = datetime.date.fromisoformat(day)
days = [(last - datetime.timedelta(days=29 - i)).isoformat() for i in range(30)]
midnight = noon - 12 * 3600


def shape(t):
    h = (t - midnight) / 3600.0
    return max(0.0, math.sin(math.pi * (h - 6) / 12)) if 6 <= h <= 18 else 0.0


health = {s: (0.55 if s % 97 == 0 else random.uniform(0.85, 1.05)) for s in range(n_st)}
rows_day, rows_5, rows_r, rows_e, rows_g = [], [], [], [], []
for dev, s, u in devs:
    k = health[s] * (0.3 if (s % 211 == 0 and u == 2) else 1.0)
    for dd in days[:-1]:
        e = 45000 * 4.2 * k * random.uniform(0.6, 1.1)
        rows_day.append((dev, dd, e, 45000 * k, 0, 0, 700, 0, 0, 0, 0))
    e_today = 0.0
    slot = int(midnight + 6 * 3600)
    while slot < noon:
        p = 45000 * k * shape(slot + 150)
        e = p * 300 / 3600
        e_today += e
        rows_5.append((dev, slot, e, p * 5, 5, p * 1.05, 0, 0, 5, 0))
        slot += 300
    rows_day.append((dev, days[-1], e_today, 45000 * k, 0, 0, 72, 0, midnight + 6 * 3600, noon, noon))
    p_now = 45000 * k * shape(noon)
    for j in range(12):
        rows_r.append((dev, noon - 60 * (11 - j), 0, 0, p_now, 1.0e7 + e_today, e_today, 70.0, 4))
    rows_e.append((dev, 1, 1.0e7 + e_today, noon, noon, p_now, noon - 60, 0, 0, 0, 0))
    rows_g.append((dev, 5000, 12, 3, noon - 30, random.uniform(40, 400), "", time.time()))
cur.executemany("INSERT INTO rollup_day (device_id, day, energy_wh, power_max_w, ghi_wh_m2, poa_wh_m2,"
                " n_valid, n_rejected, first_ts, last_ts, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows_day)
cur.executemany("INSERT INTO rollup_5min (device_id, slot, energy_wh, power_sum_w, power_n, power_max_w,"
                " ghi_wh_m2, poa_wh_m2, n_valid, n_rejected) VALUES (?,?,?,?,?,?,?,?,?,?)", rows_5)
cur.executemany("INSERT INTO reading (device_id, ts, quality, rejected, power_w, energy_total_wh,"
                " energy_today_wh, energy_delta_wh, state) VALUES (?,?,?,?,?,?,?,?,?)", rows_r)
cur.executemany("INSERT INTO energy_state (device_id, have, total_wh, total_ts, ts, power_w, power_since,"
                " cand_count, cand_first_wh, cand_wh, cand_ts) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows_e)
cur.executemany("INSERT INTO device_diag (device_id, requests, errors, timeouts, last_success, rtt_ms,"
                " last_error, updated) VALUES (?,?,?,?,?,?,?,?)", rows_g)
eff, month = [], []
for s in range(n_st):
    for dd in days:
        eta = health[s] * random.uniform(0.85, 1.0)
        eff.append((f"s{s}", dd, 200000.0, 200000.0 * eta, 200000.0, 5.0, 5.2, eta, eta * 0.95, None,
                    4.0, 1.0, "horizontal", "clearsky-scaled", 3, 0, 1.0, 0.0, time.time()))
    month.append((f"s{s}", day[:7], 200000.0 * last.day, 200000.0 * last.day, health[s], "horizontal",
                  "clearsky-scaled", 3))
cur.executemany("INSERT INTO station_eff_day (station, day, energy_wh, e_act_wh, eth_wh, h_ghi_kwh_m2,"
                " h_poa_kwh_m2, eta, pr, pr_stc, yf_h, coverage, basis, source, grade, judgeable,"
                " online_rate, anomaly_rate, computed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", eff)
cur.executemany("INSERT INTO station_month (station, month, energy_wh, eth_wh, eta, basis, source, grade)"
                " VALUES (?,?,?,?,?,?,?,?)", month)
aid = 1
for i in range(3000):
    s = random.randrange(n_st)
    raised = noon - random.uniform(0, 29 * 86400)
    active = i < 300
    cur.execute("INSERT INTO alert (id, kind, severity, station, device, raised_at, cleared_at, title, detail,"
                " figures) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (aid, random.choice(["offline", "fault", "low_efficiency"]), random.choice(["critical", "warning"]),
                 f"s{s}", "i1", raised, None if active else raised + 3600, f"电站 s{s} 告警 {aid}", "detail", "{}"))
    aid += 1
con.commit()
print(f"filled {len(devs)} devices, {len(rows_day)} daily and {len(rows_5)} 5-minute rollups, "
      f"{len(eff)} station days, 3000 alerts in {time.time() - t0:.1f} s", file=sys.stderr)
