# Garbage Modbus peers: one station behind each kind of misbehaving peer (lying lengths, short
# PDUs, wrong function codes, exceptions, random bytes, wrong transaction or unit ids, half a
# frame then silence, silence, an immediate close) beside one healthy simulated station. The
# daemon must survive them all, keep the healthy station on its schedule, record nothing
# from the bad peers as a good reading, count their errors and name each in the log.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

modes=(length short function exception random tid unit half silent close)
healthy=$(free_port) upstream=$(free_port)
DB="$WORK/bad.db"
# The simulator serves the healthy station and, on a port of its own, the device whose
# answers the bad peers garble (so every answer is right but for its one lie).
cat >"$WORK/sim.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$WORK/unused.db"; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "ok"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $healthy; unit = 1; rated_power_w = 45000.0; } ); },
  { id = "up"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $upstream; unit = 1; rated_power_w = 45000.0; },
                { id = "other"; host = "127.0.0.1"; port = $upstream; unit = 2; rated_power_w = 45000.0; } ); }
);
CONF
stations=""
declare -A port
for m in "${modes[@]}"; do
	port[$m]=$(free_port)
	stations+="  { id = \"b-$m\"; village = \"v\"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = \"inv\"; host = \"127.0.0.1\"; port = ${port[$m]}; unit = 1; rated_power_w = 45000.0; } ); },
"
done
cat >"$WORK/bad.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 800; retries = 0;
            workers = 4; max_backoff = 20; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
$stations  { id = "ok"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $healthy; unit = 1; rated_power_w = 45000.0; } ); }
);
CONF

# Mid-morning at 5x: the 10 s interval is 2 s of real time.
use_clock "2026-06-21 10:00:00+08:00" 5
start_sim "$WORK/sim.conf"
for m in "${modes[@]}"; do
	spawn python3 "$SRC/tests/integration/lib/badpeer.py" "${port[$m]}" "$m" "$upstream"
done
for m in "${modes[@]}"; do
	wait_for 10 "bad peer $m" bash -c "exec 3<>/dev/tcp/127.0.0.1/${port[$m]}"
done
start_daemon "$WORK/bad.conf" -v debug
dev() { echo "(SELECT id FROM device WHERE station = '$1' AND device = 'inv')"; }
wait_for 30 "readings from the healthy station" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM reading WHERE device_id = $(dev ok) AND quality = 0\" 2>/dev/null || echo 0) -ge 2 ]"

# The healthy station keeps its schedule while every bad peer misbehaves: 20 s of real time
# are 10 of its intervals; at least 7 readings must arrive.
before=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev ok)")
sleep 20
after=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev ok)")
check "the healthy station keeps its schedule beside ten bad peers ($((after - before)) polls in 10 intervals)" \
	test $((after - before)) -ge 7
n=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev ok) AND quality = 0 AND power_w > 1000 AND energy_total_wh > 0")
check "the healthy station's readings are good ($n)" test "$n" -ge 7

# Diagnostics are written every 30 s of real time.
wait_for 45 "diagnostics of the bad peers" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM device_diag d JOIN device v ON v.id = d.device_id WHERE v.station LIKE 'b-%' AND d.errors > 0\" 2>/dev/null || echo 0) -ge ${#modes[@]} ]"
for m in "${modes[@]}"; do
	good=$(q "SELECT count(*) FROM reading WHERE device_id = $(dev "b-$m") AND quality = 0")
	check "$m: no good reading recorded from the bad peer ($good)" test "$good" -eq 0
	diag=$(q "SELECT requests || ' ' || errors FROM device_diag WHERE device_id = $(dev "b-$m")")
	check "$m: diagnostics count its errors (requests errors: $diag)" \
		awk -v d="$diag" 'BEGIN { split(d, a, " "); exit !(a[1] > 0 && a[2] > 0) }'
	check "$m: the bad peer is named in the log" \
		grep -q "station b-$m device inv (127.0.0.1:${port[$m]} unit 1): " "$WORK/daemon.log"
done

check "the daemon is still running" kill -0 "$DAEMON_PID"
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
check "the daemon exits 0 on SIGTERM (status $rc)" test "$rc" -eq 0
check "no sanitizer report" bash -c "! grep -Eq 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer' '$WORK/daemon.log'"
check "the database is intact" bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
finish
