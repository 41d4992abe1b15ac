# The daemon's lifecycle: -n, the database writer's priority, refusing a second instance on
# the same database, SIGHUP with a broken configuration (keeps running on the old one), SIGHUP
# with a good one, SIGTERM.
. "$(dirname "$0")/lib/common.sh"

port=$(free_port) # nothing listens: devices are simply offline
write_conf() {
	cat >"$WORK/pvrelief.conf" <<CONF
county = { id = "test"; };
database = { path = "$WORK/test.db"; };
maps_dir = "$SRC/conf/maps";
polling = { fast_interval = 5; energy_interval = 5; timeout_ms = 200; };
towns = ( { id = "t1"; villages = ( { id = "v1"; } ); } );
stations = (
  { id = "s1"; village = "v1"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "inv1"; host = "127.0.0.1"; port = $port; unit = 1; } ); }$1
);
CONF
}
write_conf ""

out=$("$BIN/pvreliefd" -n -c "$WORK/pvrelief.conf")
check "-n accepts a good configuration" grep -q "configuration OK (1 towns, 1 villages, 1 stations, 1 devices)" <<<"$out"

spawn "$BIN/pvreliefd" -c "$WORK/pvrelief.conf" -v debug
daemon=$LAST_PID
wait_for 10 "the database" test -e "$WORK/test.db"
sleep 1
check "the daemon runs" kill -0 "$daemon"
# Polling comes first: the database writer thread yields the CPU to it.
nice=$(ps -L -o comm=,ni= -p "$daemon" | awk '$1 == "pvr-writer" { print $2 }')
check "the database writer thread runs at nice 19 ($nice)" test "$nice" = 19

set +e
second=$("$BIN/pvreliefd" -c "$WORK/pvrelief.conf" 2>&1)
rc=$?
set -e
check "a second daemon on the same database is refused" test "$rc" -ne 0
check "... saying why" grep -q "is in use by another pvreliefd (pid $daemon" <<<"$second"

# A broken configuration on SIGHUP: refused, the daemon keeps running.
cp "$WORK/pvrelief.conf" "$WORK/good.conf"
echo "stations = oops" >>"$WORK/pvrelief.conf"
kill -HUP "$daemon"
sleep 1
check "after SIGHUP with a broken file the daemon still runs" kill -0 "$daemon"

# A good configuration with a second station: swapped in.
write_conf ",
  { id = \"s2\"; village = \"v1\"; lat = 31.6; lon = 115.9; capacity_kwp = 80.0;
    devices = ( { id = \"inv1\"; host = \"127.0.0.1\"; port = $port; unit = 2; } ); }"
kill -HUP "$daemon"
wait_for 10 "station s2 in the database" bash -c \
	"sqlite3 '$WORK/test.db' \"SELECT 1 FROM device WHERE station = 's2'\" | grep -q 1"
check "after SIGHUP with a good file the daemon still runs" kill -0 "$daemon"

kill -TERM "$daemon"
set +e
wait "$daemon"
rc=$?
set -e
check "SIGTERM stops the daemon with status 0" test "$rc" -eq 0
check "the database is intact" bash -c "sqlite3 '$WORK/test.db' 'PRAGMA integrity_check' | grep -qx ok"
finish
