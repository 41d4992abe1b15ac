#!/usr/bin/env bash
# A posted notice never changes, and the ledger anchors it. A county's January goes through
# the workflow with only the settlements that had arrived by then; the public notice is printed
# in every format. January's own settlements arrive later (grid settlements come a month
# late): printing January's notice again gives the same bytes, each stored format's SHA-256 is
# in the ledger, and February's notice shows what changed in January as a dated amendment.
source "$(dirname "$0")/lib/common.sh"
PV="$BIN/pvrelief"
python3 "$SRC/tests/integration/lib/county_fixture.py" "$WORK" "$SRC" >/dev/null
C=(-c "$WORK/county.conf")
DB="$WORK/county.db"
pv() { "$PV" "${C[@]}" "$@"; }

# The settlements split by the day they were received, as they would arrive in a real year.
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
lines = open(w + "/settlements.csv", encoding="utf-8-sig").read().splitlines()
head, rows = lines[0], lines[1:]
def part(name, lo, hi):
    with open("%s/%s" % (w, name), "w", encoding="utf-8") as f:
        f.write(head + "\r\n")
        for r in rows:
            if lo < r.split(",")[5] <= hi:
                f.write(r + "\r\n")
part("settle-jan.csv", "", "2025-01-31")
part("settle-feb.csv", "2025-01-31", "2025-02-28")
PY

for kind in people posts agreements attendance work costs spending; do
	pv import "$kind" "$WORK/$kind.csv" --by 会计 --now "2025-01-05 09:00:00+08:00" >/dev/null ||
		fail "import $kind"
done
pv import settlements "$WORK/settle-jan.csv" --by 会计 --now "2025-02-01 08:00:00+08:00" >/dev/null ||
	fail "import January's settlements"

workflow() { # MONTH NEXT-MONTH
	pv allocate --month "$1" --by 会计 --quiet --now "$2-01 09:00:00+08:00" || fail "allocate $1"
	pv plan approve --month "$1" --by 村民会议 --now "$2-02 09:00:00+08:00" >/dev/null || fail "approve $1"
	pv plan review --month "$1" --by 乡镇 --now "$2-03 09:00:00+08:00" >/dev/null || fail "review $1"
	pv plan file --month "$1" --by 县局 --now "$2-04 09:00:00+08:00" >/dev/null || fail "file $1"
	pv plan publicise --month "$1" --by 村委 --now "$2-05 09:00:00+08:00" >/dev/null || fail "publicise $1"
}
notice() { # MONTH NOW SUFFIX
	for f in html csv json xlsx; do
		pv report --public --village v03 --month "$1" --format $f \
			--out "$WORK/notice-$1-$3.$f" --now "$2" || fail "notice $1 $f"
	done
}
workflow 2025-01 2025-02
notice 2025-01 "2025-02-05 10:00:00+08:00" posted

# Each format's hash is in the ledger, in an entry of kind notice.
for f in html csv json xlsx; do
	h=$(sha256sum "$WORK/notice-2025-01-posted.$f" | cut -d' ' -f1)
	check "the $f notice's SHA-256 is in the ledger" \
		bash -c "'$PV' -c '$WORK/county.conf' ledger list --village v03 --month 2025-01 | grep ' notice ' | grep -q '$h'"
done

# January's own settlements arrive on the 20th of February.
pv plan pay --month 2025-01 --by 会计 --now "2025-02-12 09:00:00+08:00" >/dev/null || fail "pay 2025-01"
pv import settlements "$WORK/settle-feb.csv" --by 会计 --now "2025-02-21 08:00:00+08:00" >/dev/null ||
	fail "import February's settlements"
notice 2025-01 "2025-02-25 10:00:00+08:00" later
for f in html csv json xlsx; do
	check "January's $f notice printed later is the posted one, byte for byte" \
		cmp -s "$WORK/notice-2025-01-posted.$f" "$WORK/notice-2025-01-later.$f"
done
pv report --village v03 --month 2025-01 --format json --out "$WORK/internal-jan.json" \
	--now "2025-02-25 10:00:00+08:00" || fail "internal report"
check "the internal report does show January's late settlement" python3 - "$WORK" <<'PY'
import json, sys
r = json.load(open(sys.argv[1] + "/internal-jan.json"))
s = [s for s in r["stations"] if s["id"] == "s03"][0]
assert s["metered_kwh"] is not None, s
PY

# The daemon measured s03 through January: 100 kWh a day.
sqlite3 "$DB" "INSERT INTO device (station, device) VALUES ('s03', 'inv1');
	WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 31)
	INSERT INTO rollup_day (device_id, day, energy_wh, n_valid)
	SELECT (SELECT id FROM device WHERE station = 's03'), printf('2025-01-%02d', n), 100000, 288 FROM d"
workflow 2025-02 2025-03
notice 2025-02 "2025-03-05 10:00:00+08:00" posted
check "each station says which generation period its cash belongs to, with the measured energy beside the settled" python3 - "$WORK" "$DB" <<'PY'
import json, re, sqlite3, sys
w, db = sys.argv[1], sys.argv[2]
n = json.load(open(w + "/notice-2025-02-posted.json"))
s03 = [s for s in n["stations"] if s["id"] == "s03"][0]
settled = sqlite3.connect(db).execute(
    "select metered_kwh from settlement where station = 's03' and period = '2025-01'").fetchone()[0]
assert s03["cash_periods"] == "2025-01", s03
assert abs(s03["cash_metered_kwh"] - settled) < 0.01, (s03, settled)
assert abs(s03["cash_measured_kwh"] - 3100.0) < 0.01, s03
s27 = [s for s in n["stations"] if s["id"] == "s27"][0]
assert s27["cash_periods"] == "2025-01" and s27["cash_measured_kwh"] is None, s27
html = open(w + "/notice-2025-02-posted.html", encoding="utf-8").read()
row = re.search(r"<tr><td>s03电站</td>.*?</tr>", html).group(0)
assert "2025年1月" in row and "3100.0" in row and ("%.1f" % settled) in row, row
PY
check "February's notice amends what changed in January's, dated" python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
posted = json.load(open(w + "/notice-2025-01-posted.json"))
feb = json.load(open(w + "/notice-2025-02-posted.json"))
am = feb["amendments"]
s03 = [a for a in am if a["month"] == "2025-01" and a["subject_id"] == "s03"]
assert s03, am
fields = {a["field"] for a in s03}
assert "metered_kwh" in fields and "receivable_fen" in fields, fields
old = [s for s in posted["stations"] if s["id"] == "s03"][0]
m = [a for a in s03 if a["field"] == "receivable_fen"][0]
assert m["posted"] == old["receivable_fen"], (m, old)
assert m["now"] != m["posted"], m
assert feb["amendments_as_of"].startswith("2025-03-05"), feb["amendments_as_of"]
PY
check "the HTML notice says 更正 with January's date" \
	bash -c "grep -q '更正' '$WORK/notice-2025-02-posted.html' && grep -q '2025年1月' '$WORK/notice-2025-02-posted.html'"

# The notice a township posts: one village, entirely in Chinese, amounts in 元 with thousands
# separators, the public-notice period, where to complain, signature and seal lines.
check "February's notice is one village's, in Chinese, ready to post" python3 - "$WORK" <<'PY'
import re, sys
w = sys.argv[1]
html = open(w + "/notice-2025-02-posted.html", encoding="utf-8").read()
body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
text = re.sub(r"<[^>]+>", " ", body)
words = [x for x in re.findall(r"[A-Za-z]{3,}", text) if not re.fullmatch(r"[0-9a-f]+", x)]
assert not words, "English in the notice: %s" % sorted(set(words))[:20]
assert "公示期：2025年3月5日至2025年3月11日" in text, re.findall(r"公示期[^。]*", text)
assert "乡镇农经站 电话 0564-0000000" in text
assert "村民委员会（盖章）" in text and "村务监督委员会（盖章）" in text
assert "全县汇总" not in text and "v01村" not in text  # not the county's report
assert re.search(r"\d{1,3}(,\d{3})+\.\d\d 元", text), "no amount with thousands separators"
assert "kWh" not in text and "千瓦时" in text
assert "2025年2月" in text and "2025-02" not in text
PY
check "the CSV notice's headings are Chinese too" python3 - "$WORK" <<'PY'
import re, sys
text = open(sys.argv[1] + "/notice-2025-02-posted.csv", encoding="utf-8-sig").read()
words = [x for x in re.findall(r"[A-Za-z]{3,}", text) if not re.fullmatch(r"[0-9a-f]+", x)]
assert not words, "English in the CSV notice: %s" % sorted(set(words))[:20]
PY

# The chain head printed on the notice is an entry of the ledger.
check "the notice carries the ledger head, and verify --head accepts it" python3 - "$WORK" "$PV" <<'PY'
import json, subprocess, sys
w, pv = sys.argv[1], sys.argv[2]
n = json.load(open(w + "/notice-2025-02-posted.json"))
h = n["ledger_head"]
assert h["seq"] > 0 and len(h["hash"]) == 64, h
html = open(w + "/notice-2025-02-posted.html", encoding="utf-8").read()
assert h["hash"] in html and "账本" in html
subprocess.check_call([pv, "-c", w + "/county.conf", "ledger", "verify", "--head",
                       "%d:%s" % (h["seq"], h["hash"])], stdout=subprocess.DEVNULL)
PY
check "verify --head refuses a head the ledger does not have" bash -c \
	"! '$PV' -c '$WORK/county.conf' ledger verify --head 3:$(printf '%064d' 1) 2>/dev/null"
# The ledger is the truth: a row changed in a table that carries money, behind the ledger's
# back, is named by ledger verify, and reports refuse to render from it.
check "ledger verify agrees with every money table before tampering" pv ledger verify
tamper() { # WHAT EXPECTED-IN-MESSAGE SQL-TO-BREAK SQL-TO-RESTORE
	sqlite3 "$DB" "$3"
	if pv ledger verify >"$WORK/v.out" 2>"$WORK/v.err"; then
		fail "$1: ledger verify said intact"
	elif ! grep -q "$2" "$WORK/v.err"; then
		fail "$1: ledger verify did not name it: $(head -3 "$WORK/v.err")"
	else
		pass "$1: ledger verify names it"
	fi
	if pv report --month 2025-01 --format json --out "$WORK/t.json" --now "2025-03-06 10:00:00+08:00" 2>"$WORK/r.err"; then
		fail "$1: the report rendered anyway"
	elif ! grep -q "$2" "$WORK/r.err"; then
		fail "$1: the report's refusal did not name it: $(head -3 "$WORK/r.err")"
	else
		pass "$1: the report refuses, naming it"
	fi
	sqlite3 "$DB" "$4"
}
p=$(sqlite3 "$DB" "select person from plan_payment where village='v03' and month='2025-01' and paid_fen > 0 order by person limit 1")
tamper "a payment raised" "plan_payment v03 2025-01 $p" \
	"update plan_payment set paid_fen = paid_fen + 100 where village='v03' and month='2025-01' and person='$p'" \
	"update plan_payment set paid_fen = paid_fen - 100 where village='v03' and month='2025-01' and person='$p'"
tamper "a bucket balance changed" "plan_bucket v03 2025-01 public_works" \
	"update plan_bucket set carry_out_fen = carry_out_fen + 5000 where village='v03' and month='2025-01' and bucket='public_works'" \
	"update plan_bucket set carry_out_fen = carry_out_fen - 5000 where village='v03' and month='2025-01' and bucket='public_works'"
tamper "an allocation changed" "plan_bucket v03 2025-01 rewards" \
	"update plan_bucket set alloc_fen = alloc_fen + 1 where village='v03' and month='2025-01' and bucket='rewards'" \
	"update plan_bucket set alloc_fen = alloc_fen - 1 where village='v03' and month='2025-01' and bucket='rewards'"
tamper "a settlement changed" "settlement s03 2024-12" \
	"update settlement set coal_fen = coal_fen + 700 where station='s03' and period='2024-12'" \
	"update settlement set coal_fen = coal_fen - 700 where station='s03' and period='2024-12'"
tamper "a cost changed" "cost v03 2025-01" \
	"update cost set amount_fen = amount_fen + 1 where rowid = (select min(rowid) from cost where village='v03' and month='2025-01')" \
	"update cost set amount_fen = amount_fen - 1 where rowid = (select min(rowid) from cost where village='v03' and month='2025-01')"
sqlite3 "$DB" "insert into spending values ('v03', '2025-01', 'rewards', 1234, 'R-late', '')" 2>/dev/null &&
	tamper "a spending row slipped into a decided month" "spending v03 2025-01 rewards" \
		"select 1" "delete from spending where receipt = 'R-late'"
tamper "a cost row changed with its ledger entry edited to match" "was altered" \
	"update cost set amount_fen = amount_fen + 1 where rowid = (select min(rowid) from cost where village='v03' and month='2025-01');
	 update ledger set amount_fen = amount_fen - 1 where seq = (select min(seq) from ledger where kind = 'cost' and village = 'v03' and month = '2025-01')" \
	"update cost set amount_fen = amount_fen - 1 where rowid = (select min(rowid) from cost where village='v03' and month='2025-01');
	 update ledger set amount_fen = amount_fen + 1 where seq = (select min(seq) from ledger where kind = 'cost' and village = 'v03' and month = '2025-01')"
tamper "a posted notice changed" "notice v03 2025-01 html" \
	"update notice set body = cast(replace(cast(body as text), '公示', '公告') as blob) where village='v03' and month='2025-01' and format='html'" \
	"update notice set body = cast(replace(cast(body as text), '公告', '公示') as blob) where village='v03' and month='2025-01' and format='html'"
check "ledger verify agrees again once every row is restored" pv ledger verify
# Corrections are entries, never edits: a mistyped settlement of a month not yet decided is
# reversed with a reason and a name, then imported right.
printf 'station,period,metered_kwh,coal_amount,subsidy_amount,received\r\ns05,2025-02,1500.0,57000.00,700.00,2025-03-20\r\n' >"$WORK/typo.csv"
printf 'station,period,metered_kwh,coal_amount,subsidy_amount,received\r\ns05,2025-02,1500.0,570.00,700.00,2025-03-20\r\n' >"$WORK/right.csv"
pv import settlements "$WORK/typo.csv" --by 会计 --now "2025-03-21 08:00:00+08:00" >/dev/null ||
	fail "import the mistyped settlement"
check "a correction needs a reason" bash -c \
	"! '$PV' -c '$WORK/county.conf' correct settlement station=s05 period=2025-02 --by 会计 2>/dev/null"
check "a row of a decided month is not reversed behind its plan" bash -c \
	"! '$PV' -c '$WORK/county.conf' correct settlement station=s03 period=2024-12 --reason 录错 --by 会计 2>'$WORK/c.err' && grep -q 'decided' '$WORK/c.err'"
check "the mistyped settlement is reversed" pv correct settlements station=s05 period=2025-02 \
	--reason "金额录错，多写两个零" --by 会计 --now "2025-03-22 09:00:00+08:00"
check "the reversal entries carry the reason and the name, and cancel the originals" python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select amount_fen, memo from ledger where kind = 'correction'").fetchall()
assert len(rows) == 2, rows  # the coal part and the receivable, s05 has one owner
assert all("金额录错" in m and "会计" in m for _, m in rows), rows
assert sorted(a for a, _ in rows) == [-5700000, -70000], rows
assert db.execute("select count(*) from settlement where station='s05' and period='2025-02'").fetchone()[0] == 0
PY
check "the ledger agrees after the reversal" pv ledger verify
check "the history keeps the reversed row with who and why" bash -c \
	"'$PV' -c '$WORK/county.conf' history settlement | grep -q 'reverse'"
check "the right settlement is imported after the reversal" \
	pv import settlements "$WORK/right.csv" --by 会计 --now "2025-03-22 10:00:00+08:00"
check "the ledger agrees with the corrected table" pv ledger verify
# A wrong settlement whose cash a decided month already distributed is reversed in a later
# month: February is publicised, so s05's January settlement (received 20 February) is taken
# back from March's cash, and February's posted figures are amended, not changed.
old_coal=$(sqlite3 "$DB" "select coal_fen from settlement where station='s05' and period='2025-01'")
check "a row of a decided month is refused without a later month to record it in" bash -c \
	"! '$PV' -c '$WORK/county.conf' correct settlement station=s05 period=2025-01 --reason 录错 --by 会计 2>'$WORK/c2.err' && grep -q -- '--month' '$WORK/c2.err'"
check "the later month must not be decided either" bash -c \
	"! '$PV' -c '$WORK/county.conf' correct settlement station=s05 period=2025-01 --month 2025-02 --reason 录错 --by 会计 2>/dev/null"
check "it is reversed in March" pv correct settlement station=s05 period=2025-01 --month 2025-03 \
	--reason "电量抄错" --by 会计 --now "2025-03-22 11:00:00+08:00"
printf 'station,period,metered_kwh,coal_amount,subsidy_amount,received\r\ns05,2025-01,1400.0,532.00,658.00,2025-03-22\r\n' >"$WORK/right-jan.csv"
check "the right January settlement is imported, received in March" \
	pv import settlements "$WORK/right-jan.csv" --by 会计 --now "2025-03-22 12:00:00+08:00"
check "the ledger agrees after a reversal into a later month" pv ledger verify
pv allocate --month 2025-03 --village v05 --by 会计 --quiet --now "2025-04-01 09:00:00+08:00" || fail "allocate March v05"
check "March's cash is its settlements less the reversed January one" test \
	"$(sqlite3 "$DB" "select received_fen from plan where village='v05' and month='2025-03'")" = \
	"$(sqlite3 "$DB" "select sum(coal_fen) - $old_coal from settlement where station='s05' and received_day like '2025-03-%'")"
pv report --village v05 --month 2025-03 --format json --out "$WORK/mar.json" --now "2025-03-23 10:00:00+08:00" ||
	fail "report 2025-03"
check "March's cash in the report is the corrected figure, less what was taken back" python3 - "$WORK" "$DB" "$old_coal" <<'PY'
import json, sqlite3, sys
r = json.load(open(sys.argv[1] + "/mar.json"))
s = [s for s in r["stations"] if s["id"] == "s05"][0]
db = sqlite3.connect(sys.argv[2])
table = db.execute("select sum(coal_fen) from settlement where station = 's05' and received_day like '2025-03-%'").fetchone()[0]
assert 57000 in [x[0] for x in db.execute("select coal_fen from settlement where station = 's05'")]
assert s["received_fen"] == table - int(sys.argv[3]), (s["received_fen"], table, sys.argv[3])
PY
pv report --public --village v05 --month 2025-03 --format json --out "$WORK/mar-notice.json" \
	--now "2025-03-23 10:00:00+08:00" || fail "March's notice"
check "March's notice tells the reversed January settlement: station, period, as booked, why, who" python3 - "$WORK" "$old_coal" <<'PY'
import json, sys
n = json.load(open(sys.argv[1] + "/mar-notice.json"))
c = [a for a in n["amendments"] if a["field"] == "correction_settlement"]
assert len(c) == 1, n["amendments"]
c = c[0]
assert c["month"] == "2025-02" and c["posted"] == int(sys.argv[2]) and c["now"] == 0, c
assert "s05电站" in c["subject_name"] and "2025年1月" in c["subject_name"], c
assert "电量抄错" in c["note_zh"] and "会计" in c["note_zh"] and "2025年3月22日" in c["note_zh"], c
PY
finish
