#!/usr/bin/env python3
"""Deterministic fixture county for the revenue tests: 27 stations (two of them joint), 25
villages, 110 public-welfare posts, a year of grid settlements, subsidy receipts, costs,
attendance and public-works labour. Writes the configuration and the CSV files into DIR and
computes every expected figure independently of pvrelief (its own largest-remainder split,
pro-rata wages, shortfall scaling and carries) into DIR/expected.json.

usage: county_fixture.py DIR SOURCE_DIR
"""
import json
import os
import random
import sys

out, src = sys.argv[1], sys.argv[2]
rng = random.Random(20250101)
MONTHS = ["2025-%02d" % m for m in range(1, 13)]
PERIODS = ["2024-12"] + MONTHS[:11]  # the energy settled in each month of 2025
POLICY = [8000, 1000, 500, 500]  # posts, public works, rewards, O&M reserve in basis points


def split(total, parts):
    """Largest remainder, ties to the lower index; negative totals mirror."""
    if total < 0:
        return [-x for x in split(-total, parts)]
    s = sum(parts)
    base = [total * p // s for p in parts]
    rem = [total * p % s for p in parts]
    left = total - sum(base)
    for i in sorted(range(len(parts)), key=lambda i: (-rem[i], i))[:left]:
        base[i] += 1
    return base


def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


villages = ["v%02d" % i for i in range(1, 26)]
towns = ["t%d" % (i // 3 + 1) for i in range(25)]
stations = []
for i in range(25):
    stations.append({"id": "s%02d" % (i + 1), "village": villages[i], "owners": [(villages[i], 1)],
                     "kwp": 60 + (i * 37) % 240})
stations.append({"id": "s26", "village": "v01", "owners": [("v01", 60), ("v02", 40)], "kwp": 300})
stations.append({"id": "s27", "village": "v03", "owners": [("v03", 50), ("v04", 30), ("v05", 20)],
                 "kwp": 250})

# Monthly energy: capacity x a seasonal yield, scaled so that the year is about 2.49 GWh.
season = [62, 70, 95, 110, 125, 120, 135, 140, 115, 100, 80, 65]  # Dec..Nov periods, kWh/kWp
raw = sum(s["kwp"] * y for s in stations for y in season)
scale = 2490000.0 / raw
kwh = {}  # (station, period) -> kWh with one decimal
for s in stations:
    for k, p in enumerate(PERIODS):
        kwh[(s["id"], p)] = round(s["kwp"] * season[k] * scale * rng.uniform(0.93, 1.07), 1)

lines = []
lines.append('county = { id = "fixture"; name = "测试县"; utc_offset = 8; };')
lines.append('maps_dir = "%s/conf/maps";' % src)
lines.append('database = { path = "%s/county.db"; };' % out)
lines.append('revenue = { policy = { posts = 80.0; public_works = 10.0; rewards = 5.0; '
             'om_reserve = 5.0; min_posts = 80.0; }; notice_days = 7; notice_contact = "乡镇农经站 电话 0564-0000000"; pay_mode = "pro_rata"; '
             'reconcile_tolerance = 0.05; };')
tl = []
for t in sorted(set(towns)):
    vs = ", ".join('{ id = "%s"; name = "%s村"; }' % (v, v) for v, tt in zip(villages, towns) if tt == t)
    tl.append('{ id = "%s"; name = "%s镇"; villages = ( %s ); }' % (t, t, vs))
lines.append("towns = ( %s );" % ",\n".join(tl))
sl = []
for n, s in enumerate(stations):
    owners = ""
    if len(s["owners"]) > 1:
        owners = "owners = ( %s );" % ", ".join('{ village = "%s"; parts = %d; }' % o for o in s["owners"])
    sl.append('{ id = "%s"; name = "%s电站"; village = "%s"; lat = 31.6; lon = 115.9; '
              'capacity_kwp = %d.0; tariff = 0.85; coal_tariff = 0.3844; %s devices = ( { id = "inv1"; '
              'role = "inverter"; transport = "tcp"; host = "127.0.0.1"; port = %d; unit = 1; '
              'protocol = "sunspec"; } ); }' % (s["id"], s["id"], s["village"], s["kwp"], owners, 20000 + n))
lines.append("stations = ( %s );" % ",\n".join(sl))
open(os.path.join(out, "county.conf"), "w").write("\n".join(lines) + "\n")


def write(name, header, rows, bom=True):
    with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
        if bom:
            f.write("\ufeff")
        f.write(",".join(header) + "\r\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\r\n")


# Settlements: the coal part arrives on the 20th of the month after the period; the subsidy
# is a receivable. Subsidies for the first periods arrive in September.
settle, cash = [], {}  # cash[(station, month)] in fen
for s in stations:
    for k, p in enumerate(PERIODS):
        e = kwh[(s["id"], p)]
        coal = int(round(e * 38.44))
        sub = int(round(e * 46.56))
        settle.append((s["id"], p, "%.1f" % e, yuan(coal), yuan(sub), MONTHS[k] + "-20"))
        cash[(s["id"], MONTHS[k])] = cash.get((s["id"], MONTHS[k]), 0) + coal
        if p in ("2024-12", "2025-01", "2025-02"):
            # Paid in two instalments, in September and October.
            first = sub // 2
            settle_sub = [(s["id"], p, yuan(first), "2025-09-12"), (s["id"], p, yuan(sub - first), "2025-10-15")]
            cash[(s["id"], "2025-09")] = cash.get((s["id"], "2025-09"), 0) + first
            cash[(s["id"], "2025-10")] = cash.get((s["id"], "2025-10"), 0) + sub - first
            s.setdefault("subs", []).extend(settle_sub)
write("settlements.csv", ["station", "period", "metered_kwh", "coal_amount", "subsidy_amount", "received"], settle)
write("subsidies.csv", ["电站", "结算期", "到账金额", "到账日期"], [r for s in stations for r in s.get("subs", [])])

# People and posts: 110 posts, 4 or 5 per village; 130 people.
people, posts, agreements = [], [], []
kinds = ["光伏看管员", "保洁", "护路", "环卫", "护林", "巡河"]
cats = ["脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
pid = 0
holders = []  # (person, post, village, wage_fen, required, start, end)
for vi, v in enumerate(villages):
    for k in range(5 if vi < 10 else 4):
        post = "%s-q%d" % (v, k + 1)
        wage = rng.choice([40000, 50000, 60000, 45050])
        req = rng.choice([20, 22, 26])
        posts.append((post, v, kinds[(vi + k) % 6], yuan(wage), req))
        pid += 1
        person = "%s-p%d" % (v, k + 1)
        idn = "3415%02d19%02d0101%03d%s" % (vi, 50 + k, pid, "X" if pid % 7 == 0 else str(pid % 10))
        people.append((person, v, "村民%d" % pid, idn, cats[pid % 4], ["full", "weak"][pid % 2]))
        start, end = "2025-01-01", "2025-12-31"
        if pid % 9 == 0:
            start = "2025-04-10"  # hired in April: nothing is due before
        if pid % 11 == 0:
            end = "2025-08-31"  # left in August
        if pid % 13 != 0:  # every 13th person works without an agreement: never paid
            agreements.append((person, post, start, end))
        holders.append((person, post, v, wage, req, start if pid % 13 else None, end))
# People without posts (households that cannot work) are recorded but never paid.
for k in range(20):
    pid += 1
    people.append(("np%02d" % k, villages[k], "村民%d" % pid, "3415221960010100%02d" % k, "脱贫户", "none"))
assert len(posts) >= 100 and len(stations) == 27
write("people.csv", ["person_id", "village", "name", "id_number", "category", "labour"], people)
write("posts.csv", ["岗位编号", "村", "岗位类型", "月工资标准", "应出勤天数"], posts)
write("agreements.csv", ["person_id", "post_id", "from", "to"], agreements)

att = []
attend = {}
for (person, post, v, wage, req, start, end) in holders:
    for m in MONTHS:
        if rng.random() < 0.06:
            continue  # no attendance record this month: nothing is paid
        days = min(req, max(0, int(rng.gauss(req - 2, 4))))
        att.append((person, post, m, days, ""))
        attend[(person, post, m)] = days
write("attendance.csv", ["person_id", "post_id", "month", "days_worked", "grade"], att)

# Public-works labour: a few jobs, one of them without an agreement.
work = []
for i, m in enumerate(["2025-03", "2025-06", "2025-11"]):
    for vi in range(0, 25, 6):
        v = villages[vi]
        work.append((v, m, "%s-p1" % v, "村道修补%d" % i, 5 + vi % 3, yuan(60000 + 100 * vi), "YG-%d" % vi if vi != 12 else ""))
write("work.csv", ["village", "month", "person_id", "work", "days_worked", "amount", "agreement"], work)

costs = []
for vi, v in enumerate(villages):
    costs.append((v, "2025-01", "insurance", yuan(30000 + 111 * vi), "INS-%s" % v, "电站保险"))
    costs.append((v, "2025-06", "land_rent", yuan(120000), "RENT-%s" % v, "土地租金"))
    if vi % 4 == 0:
        costs.append((v, "2025-07", "om", yuan(45678), "OM-%s" % v, "逆变器维修"))
# One village pays a large repair in January: costs beyond cash make a deficit.
costs.append(("v25", "2025-02", "om", yuan(3000000), "OM-big", "大修"))


def month_overlaps(start, end, m):
    return start is not None and start <= m + "-31" and end >= m + "-01"


# The independent allocation, month by month.
carry = {v: ([0, 0, 0, 0], 0) for v in villages}
owed = {v: [] for v in villages}  # (person, post, owed month, fen): wages owed, paid first
expected = {"months": {}, "year": {}}
spending = []
year_received = 0
for m in MONTHS:
    em = {}
    for v in villages:
        received = 0
        for s in stations:
            parts = [p for (_, p) in s["owners"]]
            for k, (ov, _) in enumerate(s["owners"]):
                if ov == v:
                    received += split(cash.get((s["id"], m), 0), parts)[k]
        cst = sum(int(round(float(c[3]) * 100)) for c in costs if c[0] == v and c[1] == m)
        dist = received - cst
        cin, din = carry[v]
        base = dist + din
        alloc = split(base, POLICY) if base > 0 else [0, 0, 0, 0]
        dout = base if base <= 0 else 0
        avail = [alloc[b] + cin[b] for b in range(4)]
        dues = []
        for (person, post, hv, wage, req, start, end) in holders:
            if hv != v:
                continue
            has_agr = month_overlaps(start, end, m)
            has_att = (person, post, m) in attend
            if not has_agr and not has_att:
                continue
            due = wage * min(attend[(person, post, m)], req) // req if has_agr and has_att else 0
            dues.append((person, post, due))
        for w in work:
            if w[0] == v and w[1] == m:
                dues.append((w[2], w[3], int(round(float(w[5]) * 100)) if w[6] else 0))
        # Arrears first, scaled when the bucket cannot pay them all; then the month's own.
        total_owed = sum(a for (_, _, _, a) in owed[v])
        arr_paid = [(p, q, om, a, a if total_owed <= avail[0] else a * avail[0] // total_owed)
                    for (p, q, om, a) in owed[v]]
        left = avail[0] - sum(x[4] for x in arr_paid)
        total_due = sum(d for (_, _, d) in dues)
        short = total_due > left
        paid = {(p, q): (d if not short else d * left // total_due) for (p, q, d) in dues}
        owed[v] = sorted([(p, q, om, a - x) for (p, q, om, a, x) in arr_paid if a > x] +
                         [(p, q, m, d - paid[(p, q)]) for (p, q, d) in dues if d > paid[(p, q)]],
                         key=lambda o: (o[2], o[0], o[1]))
        spent = [sum(paid.values()) + sum(x[4] for x in arr_paid), 0, 0, 0]
        want = sum(paid.values()) // 5  # public works spending kept within a quarter of wages
        if m in ("2025-06", "2025-12") and want > 0:
            spending.append((v, m, "public_works", yuan(want), "PW-%s-%s" % (v, m), "路灯维修"))
            spent[1] = min(want, avail[1])
        cout = [avail[b] - spent[b] for b in range(4)]
        assert sum(spent) + sum(cout) + dout == dist + sum(cin) + din
        carry[v] = (cout, dout)
        year_received += received
        em[v] = {"received_fen": received, "costs_fen": cst, "distributable_fen": dist,
                 "alloc_fen": alloc, "spent_fen": spent, "carry_out_fen": cout,
                 "deficit_out_fen": dout, "paid": {"%s|%s" % k: x for k, x in paid.items()},
                 "arrears_paid": {"%s|%s|%s" % (p, q, om): x for (p, q, om, a, x) in arr_paid},
                 "owed_out_fen": sum(a for (_, _, _, a) in owed[v])}
    expected["months"][m] = em
write("costs.csv", ["village", "month", "kind", "amount", "receipt", "note"], costs)
write("spending.csv", ["village", "month", "bucket", "amount", "receipt", "note"], spending)
expected["year"] = {
    "received_fen": year_received,
    "settled_kwh": round(sum(kwh.values()), 1),
    "posts": len(posts), "stations": len(stations),
    "final_carry_fen": sum(sum(c) for (c, d) in carry.values()),
    "final_deficit_fen": sum(d for (c, d) in carry.values()),
}
json.dump(expected, open(os.path.join(out, "expected.json"), "w"), indent=1)
print("fixture: %d stations, %d posts, %.1f kWh settled, %s yuan received in 2025"
      % (len(stations), len(posts), expected["year"]["settled_kwh"], yuan(year_received)))
