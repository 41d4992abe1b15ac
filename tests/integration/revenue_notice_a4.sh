#!/usr/bin/env bash
# One village's notice fits one or two A4 pages as a township prints it. A large village (three
# stations, sixty payees, a short month with arrears, amendments to its January notice from a
# late settlement and a correction) is taken through January and February; February's posted
# HTML notice is printed to PDF by headless Chromium, its pages counted with pdfinfo, and its
# first page rendered to PNG (kept in the scratch folder as notice-p1.png) and its text read
# back from the PDF: Chinese, amounts in 元 with thousands separators, Chinese dates, the
# public-notice period, the contact, signature and seal lines and the ledger head.
source "$(dirname "$0")/lib/common.sh"
PV="$BIN/pvrelief"
for tool in chromium pdfinfo pdftoppm pdftotext; do
	command -v "$tool" >/dev/null || fail "$tool is missing (tools/deps installs it)"
done
DB="$WORK/county.db"
python3 - "$WORK" "$SRC" <<'PY'
import os, sys
w, src = sys.argv[1], sys.argv[2]
def write(name, header, rows):
    with open(os.path.join(w, name), "w", encoding="utf-8", newline="") as f:
        f.write("\ufeff" + ",".join(header) + "\r\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\r\n")
stations = [("s1", "东山一号", 300), ("s2", "东山二号", 250), ("s3", "西岭联建", 200)]
conf = ['county = { id = "big"; name = "大别山县"; utc_offset = 8; };',
        'maps_dir = "%s/conf/maps";' % src,
        'database = { path = "%s/county.db"; };' % w,
        'revenue = { policy = { posts = 80.0; public_works = 10.0; rewards = 5.0; om_reserve = 5.0;'
        ' min_posts = 80.0; }; notice_days = 7; notice_contact = "青山镇农经站 电话 0564-1234567";'
        ' pay_mode = "pro_rata"; reconcile_tolerance = 0.05; };',
        'towns = ( { id = "qs"; name = "青山镇"; villages = ( { id = "dh"; name = "大河村"; } ); } );']
sl = []
for n, (sid, name, kwp) in enumerate(stations):
    sl.append('{ id = "%s"; name = "%s光伏帮扶电站"; village = "dh"; lat = 31.6; lon = 115.9; '
              'capacity_kwp = %d.0; tariff = 0.85; coal_tariff = 0.3844; devices = ( { id = "inv1"; '
              'role = "inverter"; transport = "tcp"; host = "127.0.0.1"; port = %d; unit = 1; '
              'protocol = "sunspec"; } ); }' % (sid, name, kwp, 21000 + n))
conf.append("stations = ( %s );" % ",\n".join(sl))
open(os.path.join(w, "county.conf"), "w").write("\n".join(conf) + "\n")
surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
kinds = ["光伏看管员", "保洁员", "护林员", "河道巡查员", "道路养护员", "公共卫生管理员"]
people, posts, agr, att = [], [], [], []
for i in range(60):
    pid, qid = "p%02d" % i, "q%02d" % i
    people.append((pid, "dh", surnames[i % 20] + "村民" + "一二三四五六七八九十"[i % 10] + str(i), "3415001950010100%02d" % i, "脱贫户", "full"))
    posts.append((qid, "dh", kinds[i % 6], "500.00", 20))
    agr.append((pid, qid, "2025-01-01", "2025-12-31"))
    for m in ("2025-01", "2025-02"):
        att.append((pid, qid, m, 20 - (i % 4), ""))
write("people.csv", ["person_id", "village", "name", "id_number", "category", "labour"], people)
write("posts.csv", ["post_id", "village", "kind", "wage", "required_days"], posts)
write("agreements.csv", ["person_id", "post_id", "from", "to"], agr)
write("attendance.csv", ["person_id", "post_id", "month", "days_worked", "grade"], att)
# January's cash is short of sixty wages: they are scaled and the rest is owed; February's
# larger cash pays the arrears first.
write("settle-jan.csv", ["station", "period", "metered_kwh", "coal_amount", "subsidy_amount", "received"],
      [("s1", "2024-12", "18000.0", "6919.20", "8380.80", "2025-01-20"),
       ("s2", "2024-12", "15000.0", "5766.00", "6984.00", "2025-01-20"),
       ("s3", "2024-12", "12000.0", "4612.80", "5587.20", "2025-01-20")])
write("settle-feb.csv", ["station", "period", "metered_kwh", "coal_amount", "subsidy_amount", "received"],
      [("s1", "2025-01", "26000.0", "19994.00", "12105.60", "2025-02-20"),
       ("s2", "2025-01", "22000.0", "16918.00", "10243.20", "2025-02-20"),
       ("s3", "2025-01", "17000.0", "13073.00", "7915.20", "2025-02-20")])
write("costs.csv", ["village", "month", "kind", "amount", "receipt", "note"],
      [("dh", "2025-01", "insurance", "1200.00", "INS-1", "电站保险"),
       ("dh", "2025-01", "om", "800.00", "OM-1", "逆变器检修")])
PY
pv() { "$PV" -c "$WORK/county.conf" "$@"; }
for kind in people posts agreements attendance costs; do
	pv import "$kind" "$WORK/$kind.csv" --by 会计 --now "2025-01-05 09:00:00+08:00" >/dev/null || fail "import $kind"
done
pv import settlements "$WORK/settle-jan.csv" --by 会计 --now "2025-02-01 08:00:00+08:00" >/dev/null || fail "import January's settlements"
workflow() { # MONTH NEXT-MONTH
	pv allocate --month "$1" --by 会计 --quiet --now "$2-01 09:00:00+08:00" || fail "allocate $1"
	local day=2
	for step in approve review file publicise; do
		pv plan $step --month "$1" --by 村委 --now "$2-0$day 09:00:00+08:00" >/dev/null || fail "$step $1"
		day=$((day + 1))
	done
	pv plan pay --month "$1" --by 会计 --now "$2-20 09:00:00+08:00" >/dev/null || fail "pay $1"
}
workflow 2025-01 2025-02
pv import settlements "$WORK/settle-feb.csv" --by 会计 --now "2025-02-21 08:00:00+08:00" >/dev/null || fail "import February's settlements"
pv correct cost village=dh month=2025-01 kind=om receipt=OM-1 --month 2025-02 --reason 重复报销 \
	--by 会计 --now "2025-02-22 09:00:00+08:00" >/dev/null || fail "correct January's cost"
workflow 2025-02 2025-03
pv report --public --village dh --month 2025-02 --format html --out "$WORK/notice.html" \
	--now "2025-03-10 09:00:00+08:00" || fail "print February's notice"
check "the notice has sixty payees, three stations and amendments" python3 - "$WORK" "$PV" <<'PY'
import json, subprocess, sys
w, pv = sys.argv[1], sys.argv[2]
n = json.loads(subprocess.check_output([pv, "-c", w + "/county.conf", "report", "--public", "--village", "dh",
                                        "--month", "2025-02", "--format", "json", "--out", "-"]))
v = n["villages"][0]
assert len([p for p in v["payees"] if not p["owed_month"]]) == 60, len(v["payees"])
assert len(v["stations"]) == 3 and len(n["amendments"]) >= 6, n["amendments"]
PY

# Chromium prints as a browser would: A4 from the page's own print CSS, no header or footer.
HOME="$WORK" timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
	--no-pdf-header-footer --user-data-dir="$WORK/chromium" --print-to-pdf="$WORK/notice.pdf" \
	"file://$WORK/notice.html" >"$WORK/chromium.log" 2>&1 || fail "chromium could not print the notice: $(tail -3 "$WORK/chromium.log")"
pages=$(pdfinfo "$WORK/notice.pdf" | sed -n 's/^Pages: *//p')
size=$(pdfinfo "$WORK/notice.pdf" | sed -n 's/^Page size: *//p')
echo "notice: $pages page(s) of $size"
check "the PDF pages are A4 (595 x 842 pt)" python3 -c "
import re, sys
w, h = map(float, re.match(r'([0-9.]+) x ([0-9.]+)', '$size').groups())
sys.exit(0 if abs(w - 595.3) < 1 and abs(h - 841.9) < 1 else 1)"
check "one village's notice takes one or two A4 pages (took $pages)" test "$pages" -ge 1 -a "$pages" -le 2
pdftoppm -r 60 -f 1 -l 1 -png "$WORK/notice.pdf" "$WORK/notice-p" || fail "pdftoppm"
check "page 1 is rendered to PNG" bash -c "ls '$WORK'/notice-p*1.png >/dev/null"
pdftotext -layout "$WORK/notice.pdf" "$WORK/notice.txt" || fail "pdftotext"
check "the printed notice is in Chinese, ready to post" python3 - "$WORK" <<'PY'
import re, sys
w = sys.argv[1]
t = open(w + "/notice.txt", encoding="utf-8").read()
words = [x for x in re.findall(r"[A-Za-z]{3,}", t) if not re.fullmatch(r"[0-9a-f]+", x)]
assert not words, "English on the printed page: %s" % sorted(set(words))[:20]
flat = re.sub(r"\s+", "", t)
assert "青山镇大河村2025年2月光伏扶贫电站收益分配公示" in flat, flat[:200]
assert "公示期：2025年3月" in flat, re.findall(r"公示期.{0,30}", flat)
assert re.search(r"\d{1,3}(,\d{3})+\.\d\d", t), "no amount with thousands separators"
assert "元" in flat and "千瓦时" in flat
assert "青山镇农经站电话0564-1234567" in flat
assert "村民委员会（盖章）" in flat and "村务监督委员会（盖章）" in flat and "负责人（签字）" in flat
assert "更正说明" in flat and "重复报销" in flat
assert re.search(r"账本截至第\d+条", flat) and re.search(r"[0-9a-f]{64}", flat), "no ledger head"
assert "2025-0" not in flat, "a date not in Chinese form"
PY
finish
