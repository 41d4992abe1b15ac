# The polling engine against the simulator over loopback: SunSpec integer and float models,
# an irradiance sensor, one vendor map per brand, sentinels, a scale factor change, a counter
# reset, garbage values, a gateway that is down, one that hangs and one that is slow, while
# the rest keep their schedule.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

pa=$(free_port) pb=$(free_port) pc=$(free_port) pd=$(free_port) pe=$(free_port)
DB="$WORK/poll.db"
cat >"$WORK/poll.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 800; retries = 0;
            unit_gap_ms = 5; workers = 4; max_backoff = 60; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "ss"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "int"; host = "127.0.0.1"; port = $pa; unit = 1; rated_power_w = 45000.0; },
                { id = "flt"; host = "127.0.0.1"; port = $pa; unit = 2; rated_power_w = 45000.0; sim = { float_model = true; }; },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $pa; unit = 3; } ); },
  { id = "vm"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 250.0;
    devices = ( { id = "huawei"; host = "127.0.0.1"; port = $pb; unit = 1; protocol = "huawei-sun2000"; rated_power_w = 45000.0; },
                { id = "sungrow"; host = "127.0.0.1"; port = $pb; unit = 2; protocol = "sungrow-sg"; rated_power_w = 45000.0; },
                { id = "goodwe"; host = "127.0.0.1"; port = $pb; unit = 3; protocol = "goodwe-dt"; rated_power_w = 45000.0; },
                { id = "growatt"; host = "127.0.0.1"; port = $pb; unit = 4; protocol = "growatt"; rated_power_w = 45000.0; },
                { id = "solis"; host = "127.0.0.1"; port = $pb; unit = 5; protocol = "solis-3p"; rated_power_w = 45000.0; } ); },
  { id = "down"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $pc; unit = 1; } ); },
  { id = "hang"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $pd; unit = 1; } ); },
  { id = "slow"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $pe; unit = 1; sim = { delay_ms = 300; }; } ); }
);
CONF

# Mid-morning in June at 5x: the 10 s poll interval is 2 s of real time.
use_clock "2026-06-21 10:00:00+08:00" 5
start_sim "$WORK/poll.conf"
faults "gateway $pc down
gateway $pd hang"
sleep 1.5
start_daemon "$WORK/poll.conf" -v debug
wait_for 30 "readings from every answering device" bash -c \
	"[ \$(sqlite3 '$DB' 'SELECT count(DISTINCT device_id) FROM reading WHERE power_w > 0' 2>/dev/null || echo 0) -ge 8 ]"
sleep 12
dev() { echo "(SELECT id FROM device WHERE station = '$1' AND device = '$2')"; }
for d in ss/int ss/flt vm/huawei vm/sungrow vm/goodwe vm/growatt vm/solis slow/inv; do
	st=${d%/*} dv=${d#*/}
	n=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev "$st" "$dv") AND quality = 0
	       AND power_w > 1000 AND power_w < 45000 AND energy_total_wh > 0")
	check "$d: good readings with power and lifetime energy ($n)" test "$n" -ge 3
done
n=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev ss met) AND ghi_w_m2 > 200 AND poa_w_m2 > 200")
check "sensor: irradiance readings ($n)" test "$n" -ge 3
h=$(q "SELECT ghi_wh_m2 FROM rollup_day WHERE device_id = $(dev ss met)")
check "sensor: irradiation integrated into the daily rollup ($h Wh/m2)" awk -v h="$h" 'BEGIN { exit !(h > 10) }'
e=$(q "SELECT sum(energy_delta_wh) FROM reading WHERE device_id = $(dev ss int)")
check "counted energy grows ($e Wh)" awk -v e="$e" 'BEGIN { exit !(e > 100) }'
for d in down/inv hang/inv; do
	n=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev "${d%/*}" "${d#*/}")")
	check "$d: no readings recorded" test "$n" -eq 0
done
grep -q "station down device inv (127.0.0.1:$pc unit 1): connect failed" "$WORK/daemon.log" &&
	pass "the down gateway is named in the log" || fail "the down gateway is named in the log"
grep -q "station hang device inv (127.0.0.1:$pd unit 1): timeout" "$WORK/daemon.log" &&
	pass "the hung gateway is named in the log" || fail "the hung gateway is named in the log"

# The rest keep their schedule: over 15 s of real time (75 s of clock, 7.5 intervals) the
# healthy SunSpec device is read at least 5 times although two gateways never answer.
before=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev ss int)")
sleep 15
after=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev ss int)")
check "a healthy device keeps its schedule beside dead gateways ($((after - before)) polls)" \
	test $((after - before)) -ge 5

# Sentinels: "not implemented" is never a number.
faults "gateway $pc down
gateway $pd hang
ss/int sentinel"
wait_for 30 "a sentinel reading" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM reading WHERE device_id = $(dev ss int) AND (quality & 1) AND rejected = 1 AND power_w IS NULL\") -ge 1 ]" &&
	pass "sentinels are recorded as rejected readings without a value"

# A scale factor change while running: the same power, read with the new factor.
faults "ss/int wsf 2"
sleep 6
p1=$(q "SELECT power_w FROM reading WHERE device_id = $(dev ss int) AND quality = 0 ORDER BY ts DESC LIMIT 1")
p2=$(q "SELECT power_w FROM reading WHERE device_id = $(dev ss flt) AND quality = 0 ORDER BY ts DESC LIMIT 1")
check "after a scale factor change power is still right ($p1 W vs $p2 W on its twin)" \
	awk -v a="$p1" -v b="$p2" 'BEGIN { exit !(a > 0 && b > 0 && a / b > 0.95 && a / b < 1.05) }'

# A counter reset: flagged, adopted after confirmation, nothing counted twice or lost.
total_before=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $(dev ss flt) AND quality = 0 ORDER BY ts DESC LIMIT 1")
faults "ss/flt reset"
wait_for 40 "the counter reset to be flagged and adopted" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM reading WHERE device_id = $(dev ss flt) AND (quality & 136)\") -ge 1 ] &&
	 [ \$(sqlite3 '$DB' \"SELECT count(*) FROM reading WHERE device_id = $(dev ss flt) AND quality = 0 AND energy_total_wh < $total_before\") -ge 2 ]" &&
	pass "a counter reset is flagged, then the new level adopted"
maxd=$(q "SELECT max(energy_delta_wh) FROM reading WHERE device_id = $(dev ss flt)")
check "no reading counts more than the inverter can make ($maxd Wh)" awk -v d="$maxd" 'BEGIN { exit !(d < 45000 * 1.2 * 60 / 3600 * 3) }'

# Garbage values: rejected, never counted.
faults "vm/huawei garbage"
wait_for 30 "garbage to be rejected" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM reading WHERE device_id = $(dev vm huawei) AND (quality & 2) AND rejected = 1\") -ge 1 ]" &&
	pass "garbage values are flagged out of range and rejected"
maxd=$(q "SELECT max(energy_delta_wh) FROM reading WHERE device_id = $(dev vm huawei)")
check "the garbage counter jump is not counted ($maxd Wh)" awk -v d="$maxd" 'BEGIN { exit !(d < 10000) }'

# Diagnostics and rollups.
diag=$(q "SELECT requests, errors FROM device_diag WHERE device_id = $(dev hang inv)")
check "diagnostics count the hung gateway's failures ($diag)" awk -F'|' -v d="$diag" 'BEGIN { split(d, a, "|"); exit !(a[1] > 0 && a[2] > 0) }'
n=$(q "SELECT count(*) FROM station_5min WHERE station = 'ss' AND energy_wh > 0")
check "station 5-minute rollups ($n slots)" test "$n" -ge 1
a=$(q "SELECT round(sum(energy_wh)) FROM rollup_day WHERE device_id IN (SELECT id FROM device WHERE station = 'ss')")
b=$(q "SELECT round(energy_wh) FROM station_day WHERE station = 'ss'")
check "station daily energy equals the sum of its devices ($a = $b)" test "$a" = "$b"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
check "the database is intact" bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
finish
