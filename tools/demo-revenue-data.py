#!/usr/bin/env python3
"""Writes the demo county's year of revenue data (conf/demo-data/*.csv) from conf/demo.conf:
grid settlements for periods 2024-12 to 2025-11 (the coal part received on the 18th of the
next month), two subsidy payments for early periods, people, posts, labour agreements, a
year of attendance, insurance, land rent and O&M costs, public-works labour and small
public-works spending. Deterministic, so the shipped files can be regenerated and compared.

usage: tools/demo-revenue-data.py [CONF [OUTDIR]]"""
import os
import random
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
conf = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "conf/demo.conf")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "conf/demo-data")
os.makedirs(out, exist_ok=True)
text = open(conf, encoding="utf-8").read()
stations = re.findall(r'id = "(jz[^"]+)"; name = "[^"]*"; village = "([^"]+)";.*?capacity_kwp = ([0-9.]+)', text, re.S)
villages = re.findall(r'\{ id = "([a-z]+-[a-z]+)"; name = "([^"]+)"; \}', text)
rng = random.Random(2025)
MONTHS = ["2025-%02d" % m for m in range(1, 13)]
PERIODS = ["2024-12"] + MONTHS[:11]
season = [62, 70, 95, 110, 125, 120, 135, 140, 115, 100, 80, 65]  # kWh/kWp for Dec..Nov


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def write(name, header, rows):
    with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + ",".join(header) + "\r\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\r\n")


settle, subs = [], []
for sid, vil, kwp in stations:
    for k, p in enumerate(PERIODS):
        kwh = round(float(kwp) * season[k] * rng.uniform(0.9, 1.05), 1)
        coal, sub = int(round(kwh * 38.44)), int(round(kwh * 46.56))
        settle.append((sid, p, "%.1f" % kwh, yuan(coal), yuan(sub), MONTHS[k] + "-18"))
        if p in ("2024-12", "2025-01"):
            subs.append((sid, p, yuan(sub), "2025-11-06"))
write("settlements.csv", ["station", "period", "metered_kwh", "coal_amount", "subsidy_amount", "received"], settle)
write("subsidies.csv", ["station", "period", "amount", "received"], subs)

surnames = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
given = ["桂英", "秀兰", "德胜", "明华", "玉珍", "长友", "春花", "大山", "永福", "金凤", "家宝", "志强"]
kinds = ["光伏看管员", "保洁", "护路", "环卫", "护林", "巡河"]
cats = ["脱贫户", "脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
people, posts, agreements, attendance = [], [], [], []
n = 0
for vi, (vid, vname) in enumerate(villages):
    for k in range(4):
        n += 1
        person, post = "%s-%02d" % (vid, k + 1), "%s-g%d" % (vid, k + 1)
        idn = "341524%04d%02d%02d%03d%d" % (1950 + n % 40, 1 + n % 12, 1 + n % 28, n, n % 10)
        people.append((person, vid, surnames[n % len(surnames)] + given[n % len(given)], idn,
                       cats[n % len(cats)], "full" if n % 3 else "weak"))
        req = 22 if k else 26
        posts.append((post, vid, kinds[(vi + k) % len(kinds)], "600" if k == 0 else "450", req))
        agreements.append((person, post, "2025-01-01", "2025-12-31"))
        for m in MONTHS:
            if rng.random() < 0.04:
                continue  # no attendance sheet this month: no wage
            attendance.append((person, post, m, max(0, min(req, int(rng.gauss(req - 1, 3)))), ""))
write("people.csv", ["person_id", "village", "name", "id_number", "category", "labour"], people)
write("posts.csv", ["post_id", "village", "kind", "wage", "required_days"], posts)
write("agreements.csv", ["person_id", "post_id", "from", "to"], agreements)
write("attendance.csv", ["person_id", "post_id", "month", "days_worked", "grade"], attendance)

costs, work, spending = [], [], []
for vi, (vid, vname) in enumerate(villages):
    costs.append((vid, "2025-01", "insurance", "360.00", "BX-%02d" % vi, "电站财产险"))
    costs.append((vid, "2025-06", "land_rent", "800.00", "ZJ-%02d" % vi, "屋顶及用地租金"))
    if vi % 3 == 0:
        costs.append((vid, "2025-08", "om", yuan(20000 + vi * 731), "YW-%02d" % vi, "组件清洗及逆变器检修"))
    if vi % 4 == 1:
        work.append((vid, "2025-10", "%s-02" % vid, "村道修补", 4, "480.00", "YG-2025-%02d" % vi))
    for m in ("2025-04", "2025-09", "2025-12"):
        spending.append((vid, m, "public_works", "120.00", "GY-%02d-%s" % (vi, m[5:]), "路灯维护"))
write("costs.csv", ["village", "month", "kind", "amount", "receipt", "note"], costs)
write("work.csv", ["village", "month", "person_id", "work", "days_worked", "amount", "agreement"], work)
write("spending.csv", ["village", "month", "bucket", "amount", "receipt", "note"], spending)
print("demo data: %d stations, %d villages, %d posts, %d attendance rows -> %s"
      % (len(stations), len(villages), len(posts), len(attendance), out))
