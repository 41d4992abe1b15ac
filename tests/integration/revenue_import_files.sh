#!/usr/bin/env bash
# Files as counties have them: Excel and WPS on Chinese Windows save CSV in GB18030 (GBK)
# unless told otherwise. An import reads UTF-8 with or without a byte-order mark and GB18030,
# says which it found, and when a file is neither says that the encoding is the problem; it
# accepts the common header variants and singular or plural kind names.
source "$(dirname "$0")/lib/common.sh"
PV="$BIN/pvrelief"
python3 "$SRC/tests/integration/lib/county_fixture.py" "$WORK" "$SRC" >/dev/null
C=(-c "$WORK/county.conf")
DB="$WORK/county.db"
pv() { "$PV" "${C[@]}" "$@"; }
pv import people "$WORK/people.csv" --by 会计 --now "2025-01-05 09:00:00+08:00" >/dev/null || fail "import people"

# The same three settlements, written three ways; 结算月份 for 结算期.
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
head = "电站,结算月份,结算电量,燃煤基准电费,补贴金额,到账日期\r\n"
def rows(s, p):
    return "".join("%s,%s,1000.0,390.00,460.00,%s-20\r\n" % (s, p, n) for n in ["2025-02"])
open(w + "/gbk.csv", "wb").write((head + rows("s01", "2025-01")).encode("gb18030"))
open(w + "/bom.csv", "wb").write(("\ufeff" + head + rows("s02", "2025-01")).encode("utf-8"))
open(w + "/plain.csv", "wb").write((head + rows("s03", "2025-01")).encode("utf-8"))
# Neither: Latin-1 bytes that are invalid in both UTF-8 and GB18030 (0xFF).
open(w + "/latin1.csv", "wb").write(head.encode("utf-8") + b"s04,2025-01,1000.0,390.00,460.00,2025-02-20\xff\r\n")
PY
check "a GB18030 file is read, and the import says so" bash -c \
	"'$PV' -c '$WORK/county.conf' import settlements '$WORK/gbk.csv' --by 会计 | grep -q 'GB18030'"
check "a UTF-8 file with a byte-order mark is read, and the import says so" bash -c \
	"'$PV' -c '$WORK/county.conf' import settlement '$WORK/bom.csv' --by 会计 | grep -q 'UTF-8'"
check "a UTF-8 file without one is read" bash -c \
	"'$PV' -c '$WORK/county.conf' import 结算 '$WORK/plain.csv' --by 会计 | grep -q 'UTF-8'"
check "the three settlements are recorded with their Chinese header variant" test \
	"$(sqlite3 "$DB" "select group_concat(station || ':' || period || ':' || coal_fen, ' ') from (select * from settlement order by station)")" = \
	"s01:2025-01:39000 s02:2025-01:39000 s03:2025-01:39000"
check "a file in neither encoding is refused, saying the encoding is the problem" bash -c \
	"! '$PV' -c '$WORK/county.conf' import settlements '$WORK/latin1.csv' --by 会计 2>'$WORK/enc.err' &&
	 grep -q 'latin1.csv:2: .*neither UTF-8 nor GB18030' '$WORK/enc.err'"
check "nothing of it was recorded" test "$(sqlite3 "$DB" "select count(*) from settlement where station = 's04'")" = 0
check "singular and plural kind names both work" bash -c \
	"'$PV' -c '$WORK/county.conf' import post '$WORK/posts.csv' --by 会计 >/dev/null"
finish
