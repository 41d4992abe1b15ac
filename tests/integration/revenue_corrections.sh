#!/usr/bin/env bash
# Every money row of a decided month can be corrected, by entries, never edits, and what was
# posted stays posted. Village v02's January is decided and posted with two wrong rows: a
# maintenance cost mistyped as 1,500.00 yuan (it left January short, so wages were scaled and
# the rest owed) and a purchase booked to the rewards bucket instead of public works. In
# February both are reversed with a reason and a name, the right rows are imported, and a late
# settlement arrives. January's notices, the village's and the town's, print again byte for
# byte as posted in every format; February's plan gets the cost back as a credit and the
# rewards bucket its money back, pays January's arrears, and its notice tells each correction
# and each payee whose January pay changed, by name and post, before and after.
source "$(dirname "$0")/lib/common.sh"
PV="$BIN/pvrelief"
python3 "$SRC/tests/integration/lib/county_fixture.py" "$WORK" "$SRC" >/dev/null
C=(-c "$WORK/county.conf")
DB="$WORK/county.db"
pv() { "$PV" "${C[@]}" "$@"; }

python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
lines = open(w + "/settlements.csv", encoding="utf-8-sig").read().splitlines()
head, rows = lines[0], lines[1:]
with open(w + "/settle-jan.csv", "w", encoding="utf-8") as f:
    f.write(head + "\r\n" + "".join(r + "\r\n" for r in rows if r.split(",")[5] <= "2025-01-31"))
with open(w + "/settle-feb.csv", "w", encoding="utf-8") as f:
    f.write(head + "\r\n" + "".join(r + "\r\n" for r in rows
                                    if "2025-01-31" < r.split(",")[5] <= "2025-02-28"))
PY
printf 'village,month,kind,amount,receipt,note\r\nv02,2025-01,om,1500.00,OM-7,逆变器检修\r\n' >"$WORK/cost-typo.csv"
printf 'village,month,bucket,amount,receipt,note\r\nv02,2025-01,rewards,10.00,PW-7,路灯灯泡\r\n' >"$WORK/spend-typo.csv"
for kind in people posts agreements attendance work costs spending; do
	pv import "$kind" "$WORK/$kind.csv" --by 会计 --now "2025-01-05 09:00:00+08:00" >/dev/null ||
		fail "import $kind"
done
pv import costs "$WORK/cost-typo.csv" --by 会计 --now "2025-01-06 09:00:00+08:00" >/dev/null || fail "import the mistyped cost"
pv import spending "$WORK/spend-typo.csv" --by 会计 --now "2025-01-06 09:00:00+08:00" >/dev/null || fail "import the misbooked spending"
printf 'village,month,person_id,work,days_worked,amount,agreement\r\nv02,2025-01,v02-p1,村道修补7,3,150.00,YG-7\r\n' >"$WORK/work-jan.csv"
pv import work "$WORK/work-jan.csv" --by 会计 --now "2025-01-06 09:00:00+08:00" >/dev/null || fail "import January's labour"
pv import settlements "$WORK/settle-jan.csv" --by 会计 --now "2025-02-01 08:00:00+08:00" >/dev/null ||
	fail "import January's settlements"

workflow() { # MONTH NEXT-MONTH
	pv allocate --month "$1" --by 会计 --quiet --now "$2-01 09:00:00+08:00" || fail "allocate $1"
	pv plan approve --month "$1" --by 村民会议 --now "$2-02 09:00:00+08:00" >/dev/null || fail "approve $1"
	pv plan review --month "$1" --by 乡镇 --now "$2-03 09:00:00+08:00" >/dev/null || fail "review $1"
	pv plan file --month "$1" --by 县局 --now "$2-04 09:00:00+08:00" >/dev/null || fail "file $1"
	pv plan publicise --month "$1" --by 村委 --now "$2-05 09:00:00+08:00" >/dev/null || fail "publicise $1"
}
print_all() { # MONTH NOW SUFFIX: the village's notice and the town's, every format
	for f in html csv json xlsx; do
		pv report --public --village v02 --month "$1" --format $f \
			--out "$WORK/v02-$1-$3.$f" --now "$2" || fail "v02 notice $1 $f"
		pv report --public --town t1 --month "$1" --format $f \
			--out "$WORK/t1-$1-$3.$f" --now "$2" || fail "t1 notice $1 $f"
	done
}
workflow 2025-01 2025-02
print_all 2025-01 "2025-02-05 10:00:00+08:00" posted
check "January left v02 short: wages were scaled and the rest is owed" test \
	"$(sqlite3 "$DB" "select count(*) from plan_payment where village='v02' and month='2025-01' and paid_fen < due_fen")" -gt 0
pv plan pay --month 2025-01 --by 会计 --now "2025-02-12 09:00:00+08:00" >/dev/null || fail "pay 2025-01"
jan_pw=$(sqlite3 "$DB" "select carry_out_fen from plan_bucket where village='v02' and month='2025-01' and bucket='rewards'")

# The corrections, recorded in February.
check "a cost of a decided month is refused without a later month to record it in" bash -c \
	"! '$PV' -c '$WORK/county.conf' correct cost village=v02 month=2025-01 kind=om receipt=OM-7 --reason 录错 --by 会计 2>'$WORK/c.err' && grep -q -- '--month' '$WORK/c.err'"
check "the mistyped cost of decided January is reversed in February" pv correct cost village=v02 \
	month=2025-01 kind=om receipt=OM-7 --month 2025-02 --reason "金额录错，应为15.00元" --by 会计 \
	--now "2025-02-14 09:00:00+08:00"
check "the misbooked purchase of decided January is reversed in February" pv correct spending \
	village=v02 month=2025-01 bucket=rewards receipt=PW-7 --month 2025-02 --reason "用途记错，应为小型公益事业" \
	--by 会计 --now "2025-02-14 09:10:00+08:00"
check "the same spending row is not reversed twice" bash -c \
	"! '$PV' -c '$WORK/county.conf' correct spending village=v02 month=2025-01 bucket=rewards receipt=PW-7 --month 2025-02 --reason 再来 --by 会计 2>/dev/null"
# An attendance record of decided January was short: the wage it makes due more is owed,
# and February pays it first.
read -r ap aq adays areq adue apaid <<<"$(sqlite3 -separator ' ' "$DB" "select person, post, days_worked, required_days, due_fen, paid_fen from plan_payment where village='v02' and month='2025-01' and kind='wage' and days_worked < required_days order by person limit 1")"
[ -n "$ap" ] || fail "no v02 payee worked fewer days than required in January"
check "a corrected attendance needs the later month its wage is paid in" bash -c \
	"! '$PV' -c '$WORK/county.conf' correct attendance person=$ap post=$aq month=2025-01 days=$areq --reason 考勤漏记 --by 会计 2>/dev/null"
check "a corrected attendance that makes nothing more due is refused" bash -c \
	"! '$PV' -c '$WORK/county.conf' correct attendance person=$ap post=$aq month=2025-01 days=0 --month 2025-02 --reason 考勤 --by 会计 2>/dev/null"
check "January's attendance of $ap is corrected, the wage owed paid in February" pv correct attendance \
	person="$ap" post="$aq" month=2025-01 days="$areq" --month 2025-02 --reason "考勤漏记两天" --by 会计 \
	--now "2025-02-14 09:20:00+08:00"
read -r wdue wpaid <<<"$(sqlite3 -separator ' ' "$DB" "select due_fen, paid_fen from plan_payment where village='v02' and month='2025-01' and kind='labour' and person='v02-p1' and post='村道修补7'")"
check "a labour record of decided January whose amount was too low is corrected" pv correct work \
	village=v02 month=2025-01 person=v02-p1 work=村道修补7 amount=180.00 --month 2025-02 \
	--reason "少记一天" --by 会计 --now "2025-02-14 09:30:00+08:00"
printf 'village,month,kind,amount,receipt,note\r\nv02,2025-02,om,15.00,OM-7b,逆变器检修（更正）\r\n' >"$WORK/cost-right.csv"
printf 'village,month,bucket,amount,receipt,note\r\nv02,2025-02,public_works,10.00,PW-7b,路灯灯泡（更正）\r\n' >"$WORK/spend-right.csv"
pv import costs "$WORK/cost-right.csv" --by 会计 --now "2025-02-14 10:00:00+08:00" >/dev/null || fail "import the right cost"
pv import spending "$WORK/spend-right.csv" --by 会计 --now "2025-02-14 10:00:00+08:00" >/dev/null || fail "import the right spending"
pv import settlements "$WORK/settle-feb.csv" --by 会计 --now "2025-02-21 08:00:00+08:00" >/dev/null ||
	fail "import February's settlements"
check "the ledger agrees with every money table after the corrections" pv ledger verify

# January as posted, every format, the village's notice and the town's.
print_all 2025-01 "2025-02-25 10:00:00+08:00" later
for f in html csv json xlsx; do
	check "v02's January $f notice printed after the corrections is the posted one" \
		cmp -s "$WORK/v02-2025-01-posted.$f" "$WORK/v02-2025-01-later.$f"
	check "town t1's January $f notice printed after the corrections is the posted one" \
		cmp -s "$WORK/t1-2025-01-posted.$f" "$WORK/t1-2025-01-later.$f"
	h=$(sqlite3 "$DB" "select sha256 from notice where village='v02' and month='2025-01' and format='$f'")
	check "v02's January $f notice hashes to what the ledger holds" \
		test "$(sha256sum "$WORK/v02-2025-01-later.$f" | cut -d' ' -f1)" = "$h"
done
check "the town's notice was issued with its last village's, each format's hash in the ledger" python3 - "$WORK" "$DB" <<'PY'
import hashlib, sqlite3, sys
w, db = sys.argv[1], sqlite3.connect(sys.argv[2])
for f in ("html", "csv", "json", "xlsx"):
    h = hashlib.sha256(open("%s/t1-2025-01-posted.%s" % (w, f), "rb").read()).hexdigest()
    memo = db.execute("select l.memo from town_notice n join ledger l on l.seq = n.ledger_seq "
                      "where n.town = 't1' and n.month = '2025-01' and n.format = ?", (f,)).fetchone()
    assert memo and memo[0] == "乡镇公示 t1 %s sha256 %s" % (f, h), (f, memo, h)
PY
sqlite3 "$DB" "update town_notice set body = cast(replace(cast(body as text), '公示', '公告') as blob) where town='t1' and month='2025-01' and format='html'"
check "ledger verify names a town notice changed behind its back" bash -c \
	"! '$PV' -c '$WORK/county.conf' ledger verify >/dev/null 2>'$WORK/t.err' && grep -q 'town_notice t1 2025-01 html' '$WORK/t.err'"
sqlite3 "$DB" "update town_notice set body = cast(replace(cast(body as text), '公告', '公示') as blob) where town='t1' and month='2025-01' and format='html'"

workflow 2025-02 2025-03
check "February's rewards bucket brings in January's balance and the purchase given back" test \
	"$(sqlite3 "$DB" "select carry_in_fen from plan_bucket where village='v02' and month='2025-02' and bucket='rewards'")" = \
	"$((jan_pw + 1000))"
check "February's costs are the right cost less the mistyped one reversed" test \
	"$(sqlite3 "$DB" "select costs_fen from plan where village='v02' and month='2025-02'")" = "$((1500 - 150000))"
check "February pays January's arrears" test \
	"$(sqlite3 "$DB" "select count(*) from plan_arrear where village='v02' and month='2025-02' and owed_month='2025-01' and paid_fen > 0")" -gt 0
check "February owes $ap January's rest and the corrected attendance's wage, and pays it first" test \
	"$(sqlite3 "$DB" "select owed_fen from plan_arrear where village='v02' and month='2025-02' and person='$ap' and post='$aq' and owed_month='2025-01'")" = \
	"$(sqlite3 "$DB" "select $adue - $apaid + standard_fen - $adue from plan_payment where village='v02' and month='2025-01' and person='$ap' and post='$aq'")"
check "February owes v02-p1 January's labour rest and the corrected amount, and pays it first" test \
	"$(sqlite3 "$DB" "select owed_fen from plan_arrear where village='v02' and month='2025-02' and kind='labour' and person='v02-p1' and post='村道修补7' and owed_month='2025-01'")" = \
	"$((wdue - wpaid + 18000 - wdue))"
check "the ledger agrees after February is decided" pv ledger verify
print_all 2025-02 "2025-03-05 10:00:00+08:00" posted
check "February's notice tells each correction: what, as booked, why, who and when" python3 - "$WORK" <<'PY'
import json, sys
n = json.load(open(sys.argv[1] + "/v02-2025-02-posted.json"))
am = n["amendments"]
cost = [a for a in am if a["field"] == "correction_cost"]
spend = [a for a in am if a["field"] == "correction_spending"]
assert len(cost) == 1 and len(spend) == 1, am
c, s = cost[0], spend[0]
assert c["month"] == "2025-01" and c["posted"] == 150000 and c["now"] == 0, c
assert "OM-7" in c["subject_name"] and "运维费" in c["subject_name"], c
assert "金额录错" in c["note_zh"] and "会计" in c["note_zh"] and "2025年2月14日" in c["note_zh"], c
assert s["month"] == "2025-01" and s["posted"] == 1000 and "奖励补助" in s["subject_name"], s
assert "用途记错" in s["note_zh"], s
PY
check "February's notice names each payee whose January pay changed, before and after" python3 - "$WORK" "$DB" <<'PY'
import json, sqlite3, sys
w, db = sys.argv[1], sqlite3.connect(sys.argv[2])
jan = json.load(open(w + "/v02-2025-01-posted.json"))
feb = json.load(open(w + "/v02-2025-02-posted.json"))
paid = {(p["person_id"], p["post_id"]): p for p in jan["villages"][0]["payees"]}
am = {a["subject_id"]: a for a in feb["amendments"] if a["subject"] == "payee" and a["field"] == "paid_fen"}
arrears = db.execute("select person, post, paid_fen from plan_arrear where village='v02' and "
                     "month='2025-02' and owed_month='2025-01' and paid_fen > 0").fetchall()
assert arrears
for person, post, fen in arrears:
    a = am.get(person + "/" + post)
    p = paid[(person, post)]
    assert a and a["month"] == "2025-01" and a["field"] == "paid_fen", (person, am.keys())
    assert a["posted"] == p["paid_fen"] and a["now"] == p["paid_fen"] + fen, (a, p, fen)
    assert p["name"] in a["subject_name"] and p["post_kind"] in a["subject_name"], a
assert len(am) == len(arrears), am
PY
check "February's notice names $ap with January's wage due before and after the corrected attendance, and why" python3 - "$WORK" "$ap" "$aq" "$adue" <<'PY'
import json, sys
w, ap, aq, adue = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
feb = json.load(open(w + "/v02-2025-02-posted.json"))
a = [a for a in feb["amendments"] if a["subject_id"] == ap + "/" + aq and a["field"] == "due_fen"]
assert len(a) == 1, feb["amendments"]
a = a[0]
assert a["month"] == "2025-01" and a["posted"] == adue and a["now"] > adue, a
assert "出勤由" in a["note_zh"] and "考勤漏记两天" in a["note_zh"] and "会计" in a["note_zh"], a
PY
check "the CSV and XLSX sheets of February show the payees amended" python3 - "$WORK" <<'PY'
import json, sys, zipfile
w = sys.argv[1]
feb = json.load(open(w + "/v02-2025-02-posted.json"))
names = [a["subject_name"] for a in feb["amendments"] if a["subject"] == "payee"]
csv = open(w + "/v02-2025-02-posted.csv", encoding="utf-8-sig").read()
z = zipfile.ZipFile(w + "/v02-2025-02-posted.xlsx")
xs = z.read("xl/sharedStrings.xml").decode("utf-8")
for n in names:
    assert n in csv, n
    assert n in xs.replace("&amp;", "&"), n
assert "实发金额" in csv and "实发金额" in xs and "费用冲销" in csv and "费用冲销" in xs
PY
check "the HTML notice tells the corrections too" bash -c \
	"grep -q '费用冲销' '$WORK/v02-2025-02-posted.html' && grep -q '金额录错' '$WORK/v02-2025-02-posted.html'"
check "the HTML notice tells the corrected attendance with its reason" bash -c \
	"grep -q '应发金额' '$WORK/v02-2025-02-posted.html' && grep -q '考勤漏记两天' '$WORK/v02-2025-02-posted.html'"
check "March's notice does not tell January's corrections again" python3 - "$WORK" "$PV" <<'PY'
import json, subprocess, sys
w, pv = sys.argv[1], sys.argv[2]
out = subprocess.check_output([pv, "-c", w + "/county.conf", "report", "--public", "--village", "v02",
                               "--month", "2025-03", "--format", "json", "--out", "-",
                               "--now", "2025-04-01 10:00:00+08:00"])
am = json.loads(out)["amendments"]
assert not [a for a in am if a["field"].startswith("correction_") or a["subject"] == "payee"
            and a["month"] == "2025-01"], am
PY
# The operations console serves a posted notice as posted too.
WEB_PORT=$(free_port)
spawn "$BIN/pvrelief-web" -c "$WORK/county.conf" --port "$WEB_PORT" --ready-file "$WORK/web.ready" \
	2>>"$WORK/web.log"
wait_for 30 "the console to listen" test -e "$WORK/web.ready"
for f in html csv json xlsx; do
	curl -s "http://127.0.0.1:$WEB_PORT/revenue/report?village=v02&month=2025-01&format=$f&notice=1" \
		-o "$WORK/web-jan.$f"
	check "the console serves v02's posted January $f notice byte for byte" \
		cmp -s "$WORK/web-jan.$f" "$WORK/v02-2025-01-posted.$f"
done
# A balance brought in that is not what the month before carried out and the corrections gave
# back is named, and neither the CLI nor the console renders a report from it.
sqlite3 "$DB" "update plan_bucket set carry_in_fen = carry_in_fen - 1000 where village='v02' and month='2025-02' and bucket='rewards'"
check "ledger verify names a balance brought in that the corrections do not explain" bash -c \
	"! '$PV' -c '$WORK/county.conf' ledger verify >/dev/null 2>'$WORK/v.err' && grep -q 'plan_bucket v02 2025-02 rewards: carry_in_fen' '$WORK/v.err'"
check "the console refuses a report while a money table disagrees with the ledger" test \
	"$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/revenue/report?village=v02&month=2025-02&format=json")" = 409
sqlite3 "$DB" "update plan_bucket set carry_in_fen = carry_in_fen + 1000 where village='v02' and month='2025-02' and bucket='rewards'"
# A decided plan's own figures are tied to the ledger too: its cash, its costs, the deficit.
plan_tamper() { # WHAT SET-EXPRESSION UNDO-EXPRESSION EXPECTED
	sqlite3 "$DB" "update plan set $2 where village='v02' and month='2025-02'"
	check "ledger verify names $1" bash -c \
		"! '$PV' -c '$WORK/county.conf' ledger verify >/dev/null 2>'$WORK/p.err' && grep -q '$4' '$WORK/p.err'"
	sqlite3 "$DB" "update plan set $3 where village='v02' and month='2025-02'"
}
plan_tamper "a decided plan's cash received raised" "received_fen = received_fen + 5000" \
	"received_fen = received_fen - 5000" "plan v02 2025-02: distributable_fen"
plan_tamper "a decided plan's costs lowered" "costs_fen = costs_fen - 100" "costs_fen = costs_fen + 100" \
	"plan v02 2025-02: costs_fen"
plan_tamper "a decided plan's cash and what it could distribute raised together" \
	"received_fen = received_fen + 5000, distributable_fen = distributable_fen + 5000" \
	"received_fen = received_fen - 5000, distributable_fen = distributable_fen - 5000" \
	"plan v02 2025-02: the buckets are allocated"
plan_tamper "a deficit brought in that the month before did not carry out" \
	"deficit_in_fen = deficit_in_fen - 700" "deficit_in_fen = deficit_in_fen + 700" \
	"plan v02 2025-02: deficit_in_fen"
# February is publicised, not paid: its payments are not in the ledger one by one yet, but
# they must still add up to what its posts bucket spends, and its buckets must balance.
fp=$(sqlite3 "$DB" "select person from plan_payment where village='v02' and month='2025-02' and paid_fen > 0 order by person limit 1")
sqlite3 "$DB" "update plan_payment set paid_fen = paid_fen + 100 where village='v02' and month='2025-02' and person='$fp'"
check "ledger verify names a payment of a publicised, unpaid plan raised" bash -c \
	"! '$PV' -c '$WORK/county.conf' ledger verify >/dev/null 2>'$WORK/p.err' && grep -q 'plan_payment v02 2025-02: the payments total' '$WORK/p.err'"
sqlite3 "$DB" "update plan_payment set paid_fen = paid_fen - 100 where village='v02' and month='2025-02' and person='$fp'"
sqlite3 "$DB" "update plan_bucket set spent_fen = spent_fen + 100 where village='v02' and month='2025-02' and bucket='public_works'"
check "ledger verify names a bucket of a publicised plan that does not balance" bash -c \
	"! '$PV' -c '$WORK/county.conf' ledger verify >/dev/null 2>'$WORK/p.err' && grep -q 'plan_bucket v02 2025-02 public_works: carry_in_fen' '$WORK/p.err'"
sqlite3 "$DB" "update plan_bucket set spent_fen = spent_fen - 100 where village='v02' and month='2025-02' and bucket='public_works'"
check "ledger verify agrees again once the plan is restored" pv ledger verify
finish
