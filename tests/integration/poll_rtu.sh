# Modbus RTU end to end: a bus of two SunSpec inverters and a vendor-map inverter behind a data
# logger that forwards RTU frames over TCP, and a station on a serial line (a pty that socat
# bridges to the simulator's RTU-over-TCP port). Readings from all of them; an offline unit
# times out while its neighbour on the bus keeps answering; the logger goes down and comes
# back, and readings resume. `pvrelief scan` reads both framings.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

command -v socat >/dev/null || { echo "socat is needed (tools/deps)" >&2; exit 1; }

pr=$(free_port) ps=$(free_port) pt=$(free_port)
DB="$WORK/rtu.db"
TTY="$WORK/ttyV0"
# conf SERIAL_DEVICE_LINE: the configuration, with the serial station's device line given:
# the daemon sees a serial line, the simulator serves the same device over RTU-over-TCP.
conf() {
	cat <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 800; retries = 0;
            unit_gap_ms = 5; workers = 4; max_backoff = 20; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "bus"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 150.0;
    devices = ( { id = "ss1"; transport = "rtu-over-tcp"; host = "127.0.0.1"; port = $pr; unit = 1; rated_power_w = 45000.0; },
                { id = "ss2"; transport = "rtu-over-tcp"; host = "127.0.0.1"; port = $pr; unit = 2; rated_power_w = 45000.0; sim = { float_model = true; }; },
                { id = "huawei"; transport = "rtu-over-tcp"; host = "127.0.0.1"; port = $pr; unit = 3; protocol = "huawei-sun2000"; rated_power_w = 45000.0; } ); },
  { id = "ser"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv"; $1 unit = 7; rated_power_w = 45000.0; } ); },
  { id = "tcp"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $pt; unit = 1; rated_power_w = 45000.0; } ); }
);
CONF
}
conf "transport = \"rtu\"; serial = \"$TTY\"; baud = 9600;" >"$WORK/daemon.conf"
conf "transport = \"rtu-over-tcp\"; host = \"127.0.0.1\"; port = $ps;" >"$WORK/sim.conf"

# A port cannot mix the two framings. The configuration refuses one host:port with two
# transports; the simulator, which serves a port whatever the host, refuses the rest.
sed -e "s/{ id = \"ss1\"; transport = \"rtu-over-tcp\";/{ id = \"ss1\";/" "$WORK/sim.conf" >"$WORK/mixed.conf"
"$BIN/pvrelief-sim" -c "$WORK/mixed.conf" -n >/dev/null 2>"$WORK/mixed.err" || true
check "the configuration refuses a host:port with two transports" \
	grep -q "device \"ss2\" uses 127.0.0.1:$pr over rtu-over-tcp but station \"bus\" device \"ss1\" uses it over tcp" "$WORK/mixed.err"
sed -e "s/host = \"127.0.0.1\"; port = $pt;/host = \"127.0.0.2\"; port = $pr;/" "$WORK/sim.conf" >"$WORK/mixed2.conf"
if timeout 10 "$BIN/pvrelief-sim" -c "$WORK/mixed2.conf" 2>"$WORK/mixed2.err"; then
	fail "the simulator refuses a port with two transports"
else
	check "the simulator refuses a port with two transports" \
		grep -q "all devices on one port must share a transport" "$WORK/mixed2.err"
fi

use_clock "2026-06-21 10:00:00+08:00" 5
start_sim "$WORK/sim.conf" -v debug 2>"$WORK/sim.log"

# The field technician's scan, before the daemon takes the single-client gateways.
"$BIN/pvrelief" scan "127.0.0.1:$pt" --unit 1 --maps "$SRC/conf/maps" >"$WORK/scan_tcp.txt" 2>&1 || true
check "scan over Modbus TCP finds the SunSpec inverter" grep -q "SunSpec at 40000" "$WORK/scan_tcp.txt"
"$BIN/pvrelief" scan "127.0.0.1:$pr" --rtu-over-tcp --unit 3 --maps "$SRC/conf/maps" \
	>"$WORK/scan_rtu.txt" 2>&1 || true
check "scan over RTU over TCP recognises the vendor map" grep -qi "huawei" "$WORK/scan_rtu.txt"
"$BIN/pvrelief" scan "127.0.0.1:$pr" --rtu-over-tcp --unit 1 --maps "$SRC/conf/maps" \
	>"$WORK/scan_rtu1.txt" 2>&1 || true
check "scan over RTU over TCP finds a SunSpec inverter" grep -q "SunSpec at 40000" "$WORK/scan_rtu1.txt"

spawn socat pty,link="$TTY",raw,echo=0 tcp:127.0.0.1:"$ps"
SOCAT_PID=$LAST_PID
wait_for 10 "socat's pty" test -e "$TTY"
start_daemon "$WORK/daemon.conf" -v debug

dev() { echo "(SELECT id FROM device WHERE station = '$1' AND device = '$2')"; }
good() {
	q "SELECT count(*) FROM reading WHERE device_id = $(dev "${1%/*}" "${1#*/}") AND quality = 0
	   AND power_w > 1000 AND power_w < 45000 AND energy_total_wh > 0"
}
wait_for 40 "readings from every device" bash -c \
	"[ \$(sqlite3 '$DB' 'SELECT count(DISTINCT device_id) FROM reading WHERE power_w > 0' 2>/dev/null || echo 0) -ge 5 ]"
sleep 6
for d in bus/ss1 bus/ss2 bus/huawei ser/inv tcp/inv; do
	n=$(good "$d")
	check "$d: good readings with power and lifetime energy ($n)" test "$n" -ge 2
done
check "socat still bridges the serial line" kill -0 "$SOCAT_PID"

# One unit of the bus goes silent: it times out, its neighbours keep answering.
faults "bus/ss2 offline"
sleep 1
b1=$(good bus/ss1) b3=$(good bus/huawei) b2=$(good bus/ss2)
wait_for 30 "the offline unit to time out" grep -q \
	"station bus device ss2 (127.0.0.1:$pr unit 2): timeout" "$WORK/daemon.log" &&
	pass "the offline unit times out and is named in the log"
sleep 10
a1=$(good bus/ss1) a3=$(good bus/huawei) a2=$(good bus/ss2)
check "its neighbour on the bus keeps answering ($((a1 - b1)) new readings)" test $((a1 - b1)) -ge 2
check "the vendor-map unit on the bus keeps answering ($((a3 - b3)))" test $((a3 - b3)) -ge 2
check "the offline unit records nothing new ($((a2 - b2)))" test $((a2 - b2)) -le 1

# The data logger goes down (its 4G link drops) and comes back.
faults "gateway $pr down"
wait_for 30 "the down logger to be noticed" grep -q \
	"station bus device ss1 (127.0.0.1:$pr unit 1): connect failed" "$WORK/daemon.log" &&
	pass "the down logger is noticed as a failed connection"
grep -q "station bus device [a-z0-9]* (127.0.0.1:$pr unit [0-9]): connection lost" "$WORK/daemon.log" &&
	pass "the dropped connection surfaces as an error on the next read" ||
	fail "the dropped connection surfaces as an error on the next read"
down_at=$(good bus/ss1)
sleep 5
check "no readings while the logger is down" test "$(good bus/ss1)" -le $((down_at + 1))
faults ""
back=$(good bus/ss1)
wait_for 40 "readings to resume after the logger is back" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM reading WHERE device_id = $(dev bus ss1) AND quality = 0 AND power_w > 1000\") -ge $((back + 2)) ]" &&
	pass "readings resume after the logger comes back"
n=$(good bus/ss2)
check "the unit that was offline answers again" test "$n" -gt "$a2"
n=$(good ser/inv)
check "the serial line kept its readings throughout ($n)" test "$n" -ge 6

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
check "the database is intact" bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
finish
