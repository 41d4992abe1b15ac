#!/usr/bin/env bash
# A fixture county on the scale of a real one (27 stations, about 2.49 GWh and 1.18 million
# yuan received in a year, 110 posts) goes through the real pvrelief: imports, a year of
# allocations, the approval workflow, reports in every format, and bad input and ledger
# tampering. Every figure is compared with the fixture's own independent computation.
source "$(dirname "$0")/lib/common.sh"
PV="$BIN/pvrelief"
python3 "$SRC/tests/integration/lib/county_fixture.py" "$WORK" "$SRC"
C=(-c "$WORK/county.conf")
DB="$WORK/county.db"
pv() { "$PV" "${C[@]}" "$@"; }
fingerprint() { sqlite3 "$DB" .dump | sha256sum; }

for kind in people posts agreements attendance work settlements subsidies costs spending; do
	check "import $kind" pv import "$kind" "$WORK/$kind.csv" --by 会计 --now "2026-01-05 09:00:00+08:00"
done
check "ID numbers are stored masked only" \
	test "$(sqlite3 "$DB" "select count(*) from person where id_masked not glob '3415**********[0-9X]'")" = 0
check "no full ID number anywhere in the database" \
	bash -c "! sqlite3 '$DB' .dump | grep -q '341522196001010001'"

# A year, month by month, each through the whole workflow and paid after the notice.
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
	month=2025-$m
	next=$(date -u -d "$month-01 +1 month" +%Y-%m)
	pv allocate --month "$month" --by 会计 --quiet --now "$next-01 09:00:00+08:00" || fail "allocate $month"
	pv plan approve --month "$month" --by 村民会议 --now "$next-02 09:00:00+08:00" >/dev/null || fail "approve $month"
	pv plan review --month "$month" --by 乡镇 --now "$next-03 09:00:00+08:00" >/dev/null || fail "review $month"
	pv plan file --month "$month" --by 县局 --now "$next-04 09:00:00+08:00" >/dev/null || fail "file $month"
	pv plan publicise --month "$month" --by 村委 --now "$next-05 09:00:00+08:00" >/dev/null || fail "publicise $month"
	if [ "$m" = 01 ]; then
		check "payment refused during the public notice" \
			bash -c "! '$PV' -c '$WORK/county.conf' plan pay --month $month --now '$next-11 23:59:00+08:00' 2>'$WORK/early.err'"
		check "refusal names the end of the notice" grep -q "public notice runs until $next-12" "$WORK/early.err"
	fi
	pv plan pay --month "$month" --by 会计 --now "$next-12 09:00:00+08:00" >/dev/null || fail "pay $month"
	pv report --month "$month" --format json --out "$WORK/report-$month.json" --now "$next-13 09:00:00+08:00" ||
		fail "report $month"
done

check "every village and month matches the independent computation" python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
exp = json.load(open(w + "/expected.json"))
bad = 0
year_received = 0
settled = 0.0
for m, villages in exp["months"].items():
    r = json.load(open("%s/report-%s.json" % (w, m)))
    got = {v["id"]: v for v in r["villages"]}
    for vid, e in villages.items():
        g = got[vid]
        def cmp(what, a, b):
            global bad
            if a != b:
                bad += 1
                if bad < 20:
                    print("%s %s %s: report %s, expected %s" % (m, vid, what, a, b))
        cmp("state", g["plan_state"], "paid")
        cmp("received", g["received_fen"], e["received_fen"])
        cmp("costs", g["costs_fen"]["total"], e["costs_fen"])
        cmp("distributable", g["distributable_fen"], e["distributable_fen"])
        cmp("alloc", [b["alloc_fen"] for b in g["buckets"]], e["alloc_fen"])
        cmp("spent", [b["spent_fen"] for b in g["buckets"]], e["spent_fen"])
        cmp("carry", [b["carry_out_fen"] for b in g["buckets"]], e["carry_out_fen"])
        cmp("deficit", g["deficit_out_fen"], e["deficit_out_fen"])
        own = [p for p in g["payees"] if p["owed_month"] is None]
        paid = {"%s|%s" % (p["person_id"], p["post_id"]): p["paid_fen"] for p in own}
        cmp("payees", paid, e["paid"])
        arrears = {"%s|%s|%s" % (p["person_id"], p["post_id"], p["owed_month"]): p["paid_fen"]
                   for p in g["payees"] if p["owed_month"] is not None}
        cmp("arrears paid", arrears, e["arrears_paid"])
        cmp("owed out", sum(p["due_fen"] - p["paid_fen"] for p in g["payees"]), e["owed_out_fen"])
        for p in g["payees"]:
            note = p["note_zh"]
            if p["owed_month"] is not None:
                cmp("arrears note", note.startswith("补发"), True)
            elif p["reason"] == "ok" and p["paid_fen"] < p["due_fen"]:
                cmp("scaled note", "资金不足，按" in note and "欠发" in note and "按出勤发放" not in note, True)
        for b in g["buckets"]:
            if b["carry_in_fen"] + b["alloc_fen"] != b["spent_fen"] + b["carry_out_fen"]:
                cmp("bucket balance " + b["bucket"], 0, 1)
        if g["posts_check"]["paid_share_bp"] is not None:
            cmp("posts share >= 80%", g["posts_check"]["ok"], True)
    year_received += r["totals"]["received_fen"]
    settled += sum(s["metered_kwh"] or 0 for s in r["stations"])
y = exp["year"]
if year_received != y["received_fen"]:
    print("year received %d, expected %d" % (year_received, y["received_fen"])); bad += 1
if not 117000000 <= year_received <= 119000000:
    print("year received %d is not about 1.18 million yuan" % year_received); bad += 1
# The report shows the settlement whose period is the month: periods 2025-01..2025-11 here.
last = json.load(open(w + "/report-2025-12.json"))
print("year received %.2f yuan" % (year_received / 100))
sys.exit(1 if bad else 0)
PY

# Hand-checked figures of one village and month, so a shared mistake in both computations
# would still be caught: v25 pays a 30000-yuan repair in February, far beyond its cash.
check "a cost beyond cash carries a deficit, never a negative bucket" python3 - "$WORK" <<'PY'
import json, sys
r = json.load(open(sys.argv[1] + "/report-2025-02.json"))
v = [v for v in r["villages"] if v["id"] == "v25"][0]
assert v["deficit_out_fen"] < 0, v["deficit_out_fen"]
assert v["deficit_out_fen"] == v["distributable_fen"] + v["deficit_in_fen"], v
assert all(b["alloc_fen"] == 0 for b in v["buckets"])
assert all(b["carry_out_fen"] >= 0 for b in v["buckets"])
PY

check "ledger intact after a year" pv ledger verify

# The year as the county reports it, per village and for the county, from the same months.
for f in json csv html; do
	pv report --year 2025 --format $f --out "$WORK/year.$f" --now "2026-01-20 09:00:00+08:00" ||
		fail "report --year 2025 --format $f"
done
check "the annual report adds up the months, village by village and for the county" python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
y = json.load(open(w + "/year.json"))
exp = json.load(open(w + "/expected.json"))
assert y["year"] == 2025 and y["months"] == 12, (y["year"], y["months"])
months = [json.load(open("%s/report-2025-%02d.json" % (w, m))) for m in range(1, 13)]
tot = {"received_fen": 0, "posts_paid_fen": 0, "paid_fen": 0, "people": set()}
for v in y["villages"]:
    mv = [[x for x in r["villages"] if x["id"] == v["id"]][0] for r in months]
    rec = sum(x["received_fen"] for x in mv)
    posts = sum(x["buckets"][0]["spent_fen"] for x in mv)
    allp = sum(b["spent_fen"] for x in mv for b in x["buckets"])
    people = {p["person_id"] for x in mv for p in x["payees"] if p["paid_fen"] > 0}
    assert v["received_fen"] == rec, (v["id"], v["received_fen"], rec)
    assert v["posts_paid_fen"] == posts and v["paid_fen"] == allp, v
    assert v["people_paid"] == len(people), (v["id"], v["people_paid"], len(people))
    assert v["receivable_fen"] == mv[11]["receivable_fen"], v
    assert v["owed_fen"] == sum(p["due_fen"] - p["paid_fen"] for p in mv[11]["payees"]), v
    share = posts * 10000 // allp if allp else None
    assert v["posts_check"]["paid_share_bp"] == share, (v["posts_check"], share)
    assert v["posts_check"]["ok"] == (share is None or share >= 8000), v
    assert abs(v["metered_kwh"] - sum(x["metered_kwh"] for x in mv)) < 0.01, v
    tot["received_fen"] += rec; tot["posts_paid_fen"] += posts; tot["paid_fen"] += allp
    tot["people"] |= people
t = y["totals"]
assert t["received_fen"] == tot["received_fen"] == exp["year"]["received_fen"], t
assert t["posts_paid_fen"] == tot["posts_paid_fen"] and t["paid_fen"] == tot["paid_fen"], t
assert t["people_paid"] == len(tot["people"]), t
assert t["posts"] == exp["year"]["posts"], t
assert t["posts_check"]["paid_share_bp"] == tot["posts_paid_fen"] * 10000 // tot["paid_fen"], t
PY
pv report --month 2025-12 --format xlsx --out "$WORK/dec.xlsx" --now "2026-01-20 09:00:00+08:00" || fail "xlsx"
pv report --month 2025-12 --format csv --out "$WORK/dec.csv" --now "2026-01-20 09:00:00+08:00" || fail "csv"
check "the monthly CSV and XLSX have a county total row and name villages in Chinese" python3 - "$WORK" <<'PY'
import csv, re, sys, zipfile
w = sys.argv[1]
rows = list(csv.reader(open(w + "/dec.csv", encoding="utf-8-sig")))
total = [r for r in rows if len(r) > 1 and r[1] == "全县合计"]
assert len(total) == 1, total
villages = [r for r in rows if len(r) > 1 and re.fullmatch(r"v\d\d", r[0])]
assert abs(sum(float(r[6]) for r in villages) - float(total[0][6])) < 0.005, total
payees = rows[[i for i, r in enumerate(rows) if r[:1] == ["发放明细"]][0] + 2:]
assert payees and all(r[0].endswith("村") for r in payees if len(r) > 5), payees[:3]
z = zipfile.ZipFile(w + "/dec.xlsx")
strings = z.read("xl/sharedStrings.xml").decode()
assert "全县合计" in strings and "v01村" in strings and "资金账本记录号" in strings
PY
pv report --month 2025-12 --town t2 --format json --out "$WORK/town.json" --now "2026-01-20 09:00:00+08:00" || fail "report --town"
pv report --year 2025 --town t2镇 --format json --out "$WORK/town-year.json" --now "2026-01-20 09:00:00+08:00" || fail "report --year --town"
check "a town's report has its villages only, and the stations they own a share of" python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
r = json.load(open(w + "/town.json"))
assert [v["id"] for v in r["villages"]] == ["v04", "v05", "v06"], [v["id"] for v in r["villages"]]
assert sorted(s["id"] for s in r["stations"]) == ["s04", "s05", "s06", "s27"], r["stations"]
full = json.load(open(w + "/report-2025-12.json"))
want = sum(v["received_fen"] for v in full["villages"] if v["id"] in ("v04", "v05", "v06"))
assert r["totals"]["received_fen"] == want, (r["totals"]["received_fen"], want)
y = json.load(open(w + "/town-year.json"))
assert [v["id"] for v in y["villages"]] == ["v04", "v05", "v06"]
PY
check "an unknown town is refused" bash -c "! '$PV' -c '$WORK/county.conf' report --month 2025-12 --town nowhere --format json --out - 2>/dev/null"
check "the annual CSV has a county total row, and the HTML is in Chinese" bash -c \
	"grep -q '^,全县合计,' '$WORK/year.csv' && grep -q '2025年度' '$WORK/year.html' && grep -q '岗位及劳务实发占比' '$WORK/year.html'"
check "no equal split: people without posts are never paid" \
	test "$(sqlite3 "$DB" "select count(*) from plan_payment where person like 'np%'")" = 0
check "no wage without an agreement" \
	test "$(sqlite3 "$DB" "select count(*) from plan_payment where reason = 'no_agreement' and paid_fen > 0")" = 0
check "history keeps who imported the people" \
	test "$(sqlite3 "$DB" "select count(*) from history where tbl = 'person' and by = '会计'")" = 130
pv set people --by 村主任 --now "2026-02-01 10:00:00+08:00" person_id=v01-p1 labour=none >/dev/null
check "a change from the command line is in the history with who" bash -c \
	"'$PV' -c '$WORK/county.conf' history person v01-p1 | grep -q '村主任  *update person v01-p1  labour=.* ->  labour=none'"

# Bad input: each file stops with file:line and changes nothing.
before=$(fingerprint)
bad_import() { # NAME KIND EXPECTED-MESSAGE CONTENT
	printf '%s' "$4" >"$WORK/bad-$1.csv"
	if pv import "$2" "$WORK/bad-$1.csv" 2>"$WORK/bad-$1.err"; then
		fail "$1: the import succeeded"
	elif ! grep -q "bad-$1.csv:$3" "$WORK/bad-$1.err"; then
		fail "$1: message was: $(cat "$WORK/bad-$1.err")"
	elif [ "$(fingerprint)" != "$before" ]; then
		fail "$1: the database changed"
	else
		pass "$1 refused with file:line, nothing changed"
	fi
}
H="station,period,metered_kwh,coal_amount,subsidy_amount,received"
bad_import malformed settlements '3: ' "$H
s01,2026-01,100,38.44,46.56,2026-02-20
s02,2026-01,\"100,38.44,46.56,2026-02-20
"
bad_import unknown-station settlements '3: column "station": "s99" is not a valid station' "$H
s01,2026-01,100,38.44,46.56,2026-02-20
s99,2026-01,100,38.44,46.56,2026-02-20
"
bad_import duplicate settlements '2: duplicate settlement s01/2025-03' "$H
s01,2025-03,100,38.44,46.56,2026-04-20
"
bad_import negative settlements '2: column "coal_amount": "-38.44" is negative' "$H
s01,2026-01,100,-38.44,46.56,2026-02-20
"
bad_import unknown-person attendance '3: unknown person "nobody"' "person_id,post_id,month,days_worked,grade
v01-p1,v01-q1,2026-01,20,
nobody,v01-q1,2026-01,20,
"
bad_import paid-month costs '2: village v01 2025-05 is already paid' "village,month,kind,amount,receipt,note
v01,2025-05,om,10,LATE-1,
"
bad_import paid-attendance attendance '2: village v01 2025-05 is already paid' "person_id,post_id,month,days_worked,grade
v01-p1,v01-q1,2025-05,3,
"
bad_import bad-date costs '2: column "month"' "village,month,kind,amount,receipt,note
v01,2026-13,om,10,X-1,
"
bad_import subsidy-too-much subsidies '2: subsidy of' "station,period,amount,received
s01,2025-05,999999.00,2026-03-01
"

# Reports in every format; the public notice shows nothing private.
check "html report" pv report --month 2025-12 --format html --out "$WORK/r.html"
check "public html report" pv report --month 2025-12 --format html --public --out "$WORK/p.html"
check "csv report" pv report --month 2025-12 --format csv --out "$WORK/r.csv"
check "public csv report" pv report --month 2025-12 --village v01 --format csv --public --out "$WORK/p.csv"
check "xlsx report" pv report --month 2025-12 --format xlsx --out "$WORK/r.xlsx"
check "internal html shows masked ID numbers" grep -q '3415\*\*\*\*\*\*\*\*\*\*' "$WORK/r.html"
check "public html has no ID numbers" bash -c "! grep -q '\*\*\*\*' '$WORK/p.html'"
check "public html has no household category" bash -c "! grep -qE '脱贫不稳定户|边缘易致贫户|突发严重困难户|户类别' '$WORK/p.html'"
check "public csv has no ID numbers or category" bash -c "! grep -qE '\*\*\*\*|户类别|脱贫户' '$WORK/p.csv'"
check "html has inline SVG charts" test "$(grep -o '<svg' "$WORK/r.html" | wc -l)" -ge 2
check "html prints on A4" grep -q 'size:A4' "$WORK/r.html"
check "η without a record shows a dash" grep -q '<td class=n>—</td>' "$WORK/r.html"
check "csv starts with a BOM" bash -c "head -c3 '$WORK/r.csv' | od -An -tx1 | grep -q 'ef bb bf'"
check "xlsx has the four sheets" python3 -c "
import zipfile, sys
z = zipfile.ZipFile('$WORK/r.xlsx'); wb = z.read('xl/workbook.xml').decode()
sys.exit(0 if all(n in wb for n in ['村级汇总', '电站', '收益分配', '发放明细']) else 1)"

# Reconciliation: metered kWh against what the daemon measured, and η from station_month.
python3 - "$DB" <<'PY'
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
m1 = db.execute("select metered_kwh from settlement where station='s01' and period='2025-06'").fetchone()[0]
m2 = db.execute("select metered_kwh from settlement where station='s02' and period='2025-06'").fetchone()[0]
# What the daemon would have measured: each station's inverter's daily rollups (the
# station's daily figure is the sum of its devices').
ids = {}
for st in ('s01', 's02'):
    db.execute("insert into device (station, device) values (?, 'inv1')", (st,))
    ids[st] = db.execute("select id from device where station = ?", (st,)).fetchone()[0]
for d in range(1, 31):
    db.execute("insert into rollup_day (device_id, day, energy_wh, n_valid) values (?, '2025-06-%02d', ?, 1)" % d, (ids['s01'], m1 * 1000 * 0.80 / 30))
    db.execute("insert into rollup_day (device_id, day, energy_wh, n_valid) values (?, '2025-06-%02d', ?, 1)" % d, (ids['s02'], m2 * 1000 * 0.99 / 30))
db.execute("insert into station_month (station, month, eta) values ('s01', '2025-06', 0.712)")
db.commit()
PY
pv report --month 2025-06 --format json --out "$WORK/r6.json"
check "a 20% difference is flagged, a 1% one is not" python3 -c "
import json, sys
s = {x['id']: x for x in json.load(open('$WORK/r6.json'))['stations']}
ok = s['s01']['reconcile_flag'] and not s['s02']['reconcile_flag'] and abs(s['s01']['diff_fraction'] - 0.2) < 1e-6
ok = ok and s['s01']['eta'] == 0.712 and s['s03']['eta'] is None
sys.exit(0 if ok else 1)"

# Ledger tampering, each on a copy: an edited amount, a deleted entry, a swapped pair.
n=$(sqlite3 "$DB" "select count(*) from ledger")
check "the year's ledger has entries" test "$n" -gt 1000
cp "$DB" "$WORK/orig.db"
tamper() { # NAME SQL EXPECTED
	cp "$WORK/orig.db" "$DB"
	rm -f "$DB-wal" "$DB-shm"
	sqlite3 "$DB" "$2"
	if pv ledger verify >"$WORK/t.out" 2>&1; then
		fail "$1 not detected"
	elif grep -q "$3" "$WORK/t.out"; then
		pass "$1 detected: $(cat "$WORK/t.out")"
	else
		fail "$1: $(cat "$WORK/t.out")"
	fi
}
tamper "edited amount" "update ledger set amount_fen = amount_fen + 100 where seq = 777" "seq 777"
tamper "edited memo" "update ledger set memo = 'x' where seq = 42" "seq 42"
tamper "deleted entry" "delete from ledger where seq = 500" "seq 501"
tamper "swapped entries" "update ledger set seq = -1 where seq = 300; update ledger set seq = 300 where seq = 301; update ledger set seq = 301 where seq = -1" "seq 30[01]"
cp "$WORK/orig.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
check "the untouched copy verifies" pv ledger verify
# A month never allocated: stepping every village names each one without a plan and fails,
# rather than stepping none and calling it done.
if pv plan approve --month 2026-03 --by 村民会议 --now "2026-04-02 09:00:00+08:00" 2>"$WORK/noplan.err"; then
	fail "plan approve of an unallocated month succeeded"
else
	check "each village without a plan is named ($(wc -l <"$WORK/noplan.err") lines)" \
		bash -c "grep -q '^v01 2026-03: no plan (run pvrelief allocate first)' '$WORK/noplan.err' &&
			[ \$(grep -c 'no plan' '$WORK/noplan.err') -eq \$(grep -c . '$WORK/noplan.err') ]"
fi
check "five-ledger export of a joint station" pv ledger export --station s26 --out "$WORK/s26.csv"
check "export names the owners and the distribution" bash -c \
	"grep -q '权属台账 ownership,,v02,40/100' '$WORK/s26.csv' && grep -q '收益分配台账' '$WORK/s26.csv' && grep -q '处置台账' '$WORK/s26.csv'"
finish
