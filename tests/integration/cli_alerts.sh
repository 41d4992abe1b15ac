# pvrelief alerts and pvrelief maintenance on a real database: alerts listed newest first with
# their filters, an acknowledgement recorded with who and when (and an unknown id refused),
# the O&M ledger written and read back, unknown stations and kinds refused.
. "$(dirname "$0")/lib/common.sh"

DB="$WORK/cli.db"
cat >"$WORK/cli.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
towns = ( { id = "t"; villages = ( { id = "v"; name = "东村"; } ); } );
stations = (
  { id = "s1"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "inv1"; host = "127.0.0.1"; port = 1502; unit = 1; } ); },
  { id = "s2"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv1"; host = "127.0.0.1"; port = 1503; unit = 1; } ); }
);
CONF
pv() { "$BIN/pvrelief" -c "$WORK/cli.conf" "$@"; }
q() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
# runs CMD..., keeping its status in rc and its output in $WORK/out and $WORK/err.
run() {
	set +e
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	set -e
}

run pv alerts
check "no database: says where it looked, creates none ($rc)" bash -c "[ $rc -eq 1 ] && grep -q 'no database at $DB' '$WORK/err' && [ ! -e '$DB' ]"
: >"$DB" # an empty file, as if the daemon had just created it
run pv alerts
check "an empty database lists no alerts" grep -q "no alerts" "$WORK/out"
q "INSERT INTO alert (id, kind, severity, station, device, raised_at, cleared_at, title, detail, figures)
   VALUES (1, 'offline', 'critical', 's1', 'inv1', 1782000000, 1782003600, '电站 s1 逆变器 inv1 离线', 'd', '{}'),
          (2, 'fault', 'critical', 's2', 'inv1', 1782010000, NULL, '电站 s2 逆变器 inv1 故障', 'd', '{\"code\": 7}'),
          (3, 'low_efficiency', 'warning', 's1', '', 1782020000, NULL, '电站 s1 发电效率偏低', 'd', '{\"eta\": 0.52}')"

run pv alerts --format json
check "alerts are listed newest first" test "$(python3 -c "import json,sys; print([a['id'] for a in json.load(open(sys.argv[1]))])" "$WORK/out")" = "[3, 2, 1]"
check "json carries the figures as an object" python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))
assert a[0]['figures'] == {'eta': 0.52} and a[0]['cleared_at'] is None and a[2]['cleared_local'] == '2026-06-21 09:00:00', a" "$WORK/out"
run pv alerts --active
check "--active leaves out the cleared alert" bash -c "grep -q '^3 ' '$WORK/out' && grep -q '^2 ' '$WORK/out' && ! grep -q '^1 ' '$WORK/out'"
run pv alerts --station s1 --limit 1
check "--station and --limit" bash -c "grep -q '^3 ' '$WORK/out' && [ \$(grep -c '^[0-9]' '$WORK/out') -eq 1 ]"
check "the table has Chinese headers and titles" bash -c "grep -q '类型' '$WORK/out' && grep -q '发电效率偏低' '$WORK/out'"

run env PVRELIEF_NOW="2026-06-21 12:00:00+08:00" "$BIN/pvrelief" -c "$WORK/cli.conf" alerts ack 2 --by 张三
check "ack succeeds ($rc)" test "$rc" -eq 0
check "ack records who and when" test "$(q "SELECT ack_by, ack_at FROM alert WHERE id = 2")" = "张三|1782014400.0"
check "ack is in the alert's history" test "$(q "SELECT by FROM alert_event WHERE alert_id = 2 AND type = 'acknowledged'")" = "张三"
run pv alerts --active
check "the list shows the acknowledgement" grep -q "张三 2026-06-21 12:00:00" "$WORK/out"
run pv alerts ack 99 --by 张三
check "an unknown id is refused with exit 1" test "$rc" -eq 1
check "and a clear message" grep -q "there is no alert 99" "$WORK/err"
run pv alerts ack abc --by x
check "a malformed id is a usage error" test "$rc" -eq 2

run pv maintenance log s1 --kind inspection --by 李四 --at "2026-06-20 09:30:00+08:00" --note "逆变器风扇正常"
check "an inspection is logged ($rc)" test "$rc" -eq 0
run pv maintenance log s1 --kind cleaning --by 王五 --at "2026-06-21 07:00:00+08:00"
run pv maintenance log s2 --kind repair --by 李四 --at "2026-06-19 15:00:00+08:00" --note "=cmd"
check "the ledger holds three entries" test "$(q "SELECT count(*) FROM maintenance_log")" = 3
run pv maintenance list
check "the list is newest first" bash -c "head -2 '$WORK/out' | tail -1 | grep -q 'cleaning 清洗' && tail -1 '$WORK/out' | grep -q 'repair'"
run pv maintenance list --station s1 --kind inspection
check "filters by station and kind" bash -c "[ \$(wc -l <'$WORK/out') -eq 2 ] && grep -q '2026-06-20 09:30:00  s1 .*李四 .*逆变器风扇正常' '$WORK/out'"
run pv ledger export --station s1
check "the asset ledger lists the station's O&M records oldest first" bash -c "grep '运维台账' '$WORK/out' | head -1 | grep -q '2026-06-20.*inspection.*李四.*逆变器风扇正常' && grep '运维台账' '$WORK/out' | tail -1 | grep -q '2026-06-21.*cleaning.*王五' && ! grep -q 'repair' '$WORK/out'"
run pv maintenance log nosuch --kind inspection --by x
check "an unknown station is refused ($rc)" bash -c "[ $rc -eq 1 ] && grep -q 'no station \"nosuch\"' '$WORK/err'"
run pv maintenance log s1 --kind painting --by x
check "an unknown kind is refused ($rc)" bash -c "[ $rc -eq 2 ] && grep -q 'kind \"painting\" is not inspection, cleaning or repair' '$WORK/err'"
run pv maintenance list --kind painting
check "an unknown kind is refused in list too" test "$rc" -eq 2
run pv maintenance log s1 --kind cleaning
check "the worker must be named" bash -c "[ $rc -eq 2 ] && grep -q -- '--by NAME' '$WORK/err'"
finish
