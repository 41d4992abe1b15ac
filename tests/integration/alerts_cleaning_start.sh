# Cleaning due compares a station's last-hour yield with its peers': right after the daemon
# starts, a station whose counter is first read later than the others' (a vendor map reads
# energy every energy_interval, SunSpec with every poll) holds less energy in a window that
# covers less of the hour. It must not be taken for soiled (the demo's jz10 at 81%).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DB="$WORK/c.db"
station() { # station ID PORT [PROTOCOL]
	local proto=""
	[ -z "${3:-}" ] || proto="protocol = \"$3\";"
	cat <<ST
  { id = "$1"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0; tilt = 25.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $2; unit = 1; rated_power_w = 45000.0; $proto },
                { id = "i2"; host = "127.0.0.1"; port = $2; unit = 2; rated_power_w = 45000.0; $proto },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $2; unit = 3; } ); }
ST
}
{
	cat <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 60; energy_interval = 300; timeout_ms = 500; };
efficiency = { basis = "poa"; interval = 60; };
alerts = { language = "en"; raise_delay = 60; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
CONF
	station s1 "$(free_port)"
	echo ","
	station s2 "$(free_port)"
	echo ","
	station s3 "$(free_port)"
	echo ","
	station s4 "$(free_port)"
	echo ","
	station hw "$(free_port)" huawei-sun2000
	echo ");"
} >"$WORK/c.conf"

use_clock "2026-06-21 09:00:00+08:00" 60
start_sim "$WORK/c.conf"
start_daemon "$WORK/c.conf"
# Until 10:30 of clock: the first hour, and half an hour of windows that cover a whole hour.
wait_for 150 "an hour and a half of clock" bash -c \
	"[ \$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT coalesce(max(ts), 0) >= CAST(strftime('%s', '2026-06-21 02:30:00') AS INTEGER) FROM reading\" 2>/dev/null || echo 0) -eq 1 ]"
check "a station first read later is not taken for soiled ($(q "SELECT group_concat(station || ': ' || detail, '; ') FROM alert WHERE kind = 'cleaning_due'"))" \
	test "$(q "SELECT count(*) FROM alert WHERE kind = 'cleaning_due'")" -eq 0
check "its energy is counted all the same" test "$(q "SELECT count(*) FROM reading r JOIN device d ON d.id = r.device_id WHERE d.station = 'hw' AND r.energy_delta_wh > 0")" -ge 10
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
finish
