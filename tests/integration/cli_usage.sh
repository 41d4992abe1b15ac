# The CLI as a new user meets it: relative paths in the configuration resolved from the file's
# folder whatever the working directory, a reading command that never creates a database,
# the time the daemon records followed, and usage errors that say what is wrong.
. "$(dirname "$0")/lib/common.sh"

mkdir -p "$WORK/conf" "$WORK/elsewhere"
cat >"$WORK/conf/u.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "u.db"; };
towns = ( { id = "t"; villages = ( { id = "v"; name = "东村"; } ); } );
stations = (
  { id = "s1"; name = "东村一号电站"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "inv1"; host = "127.0.0.1"; port = 1502; unit = 1; } ); }
);
CONF
pv() { "$BIN/pvrelief" -c "$WORK/conf/u.conf" "$@"; }
# runs CMD..., keeping its status in rc and its output in $WORK/out and $WORK/err.
run() {
	set +e
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	set -e
}
cd "$WORK/elsewhere"

# A reading command with no database: where it looked, exit 1, nothing created.
for cmd in "health" "alerts" "maintenance list" "ledger verify"; do
	run pv $cmd
	check "$cmd without a database fails ($rc)" test "$rc" -eq 1
	check "$cmd says where it looked" grep -q "no database at $WORK/conf/u.db" "$WORK/err"
done
check "no database was created" bash -c "[ ! -e '$WORK/conf/u.db' ] && [ ! -e '$WORK/elsewhere/u.db' ]"

# A writing command creates it beside the configuration, not in the working directory.
run pv maintenance log s1 --kind inspection --by 李四 --at "2026-06-20 09:30:00+08:00"
check "a logged inspection creates the database ($rc)" test "$rc" -eq 0
check "beside the configuration file" test -e "$WORK/conf/u.db"
check "not in the working directory" test ! -e "$WORK/elsewhere/u.db"

# The time the daemon records: the CLI follows it without --now (a simulated clock 1,000 s
# behind the wall clock at rate 1 here).
wall=$(date +%s)
sqlite3 "$WORK/conf/u.db" "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', '1782000000 $wall 1')"
run pv alerts
sqlite3 "$WORK/conf/u.db" "INSERT INTO alert (id, kind, severity, station, device, raised_at, title, detail, figures)
   VALUES (1, 'fault', 'critical', 's1', 'inv1', 1781999000, '东村一号电站 inv1 设备故障', 'OVER_TEMP', '{}')"
run pv alerts ack 1 --by 张三
check "ack follows the daemon's clock ($(cat "$WORK/out"))" grep -q "at 2026-06-21 08:0[0-9]" "$WORK/out"
run env PVRELIEF_NOW="2026-06-22 12:00:00+08:00" "$BIN/pvrelief" -c "$WORK/conf/u.conf" alerts ack 1 --by 王五
check "PVRELIEF_NOW still wins" grep -q "at 2026-06-22 12:00:00" "$WORK/out"

# The alerts table has a detail column.
run pv alerts
check "the alerts table shows the detail" grep -q "OVER_TEMP" "$WORK/out"

# Usage errors that say what is wrong.
run pv allocate --month 2026-13
check "a bad --month is named ($rc)" bash -c "[ $rc -eq 2 ] && grep -q -- '--month \"2026-13\" is not a month YYYY-MM' '$WORK/err'"
run pv report --month 2026-06 --format html
check "a missing --out is named ($rc)" bash -c "[ $rc -eq 2 ] && grep -q -- 'say where to write it with --out FILE' '$WORK/err'"
printf 'station,month,kwh,amount_yuan,coal_yuan,subsidy_yuan\n' >"$WORK/s.csv"
run pv import settlement "$WORK/s.csv"
check "a singular kind name is accepted ($rc: $(head -1 "$WORK/err"))" bash -c "! grep -q 'usage:' '$WORK/err'"
run pv import settlements "$WORK/nosuch.csv"
check "a file that cannot be read says why ($rc)" bash -c "[ $rc -eq 1 ] && grep -q 'cannot read $WORK/nosuch.csv: No such file or directory' '$WORK/err'"
run pv heatlh
check "an unknown command suggests the nearest ($rc)" bash -c "[ $rc -eq 2 ] && grep -q 'did you mean \"health\"' '$WORK/err'"
run "$BIN/pvrelief" alerts
check "a missing default configuration hints at -c ($rc)" bash -c "[ $rc -eq 1 ] && grep -q -- 'use -c FILE' '$WORK/err'"
printf 'county = { id = "c1" }\nstations = (;\n' >"$WORK/bad.conf"
run "$BIN/pvrelief" -c "$WORK/bad.conf" alerts
check "a config typo gives the line and its text" grep -q "bad.conf:2: syntax error near \"stations = (;\"" "$WORK/err"
finish
