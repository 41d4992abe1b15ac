# Alerts across a SIGHUP reload and a restart, and one alert per condition: an active
# offline alert keeps its id and is neither cleared nor raised again (a device not heard
# since the start is unknown, not fresh); a device answering garbage gets data_anomaly and
# no offline alert; a counter reset soon after the start is not a data anomaly.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DB="$WORK/a.db"
p1=$(free_port)
p2=$(free_port)
p3=$(free_port)
cat >"$WORK/a.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 30; energy_interval = 30; timeout_ms = 500; };
alerts = { language = "en"; raise_delay = 60; offline_minutes = 5; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "a"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $p1; unit = 1; rated_power_w = 45000.0; },
                { id = "i2"; host = "127.0.0.1"; port = $p1; unit = 2; rated_power_w = 45000.0; } ); },
  { id = "b"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 50.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $p2; unit = 1; rated_power_w = 45000.0; } ); },
  { id = "c"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 50.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $p3; unit = 1; rated_power_w = 45000.0; } ); }
);
CONF

use_clock "2026-06-21 10:00:00+08:00" 60
start_sim "$WORK/a.conf"
faults "a/i2 offline
b/i1 garbage"
start_daemon "$WORK/a.conf"

dev() { echo "(SELECT id FROM device WHERE station = '$1' AND device = '$2')"; }
# The clock time of the latest reading of a/i1: how far the daemon has got.
latest() { q "SELECT coalesce(max(ts), 0) FROM reading WHERE device_id = $(dev a i1)"; }
# until_clock T: waits until the daemon has read a/i1 at clock time T or later.
until_clock() {
	wait_for 60 "the clock to reach $1" bash -c \
		"[ \$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT coalesce(max(ts), 0) >= $1 FROM reading WHERE device_id = $(dev a i1)\" 2>/dev/null || echo 0) -eq 1 ]"
}

wait_for 30 "c/i1's first readings" bash -c \
	"[ \$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(*) FROM reading WHERE device_id = $(dev c i1) AND quality = 0\" 2>/dev/null || echo 0) -ge 2 ]"
start=$(latest)
faults "a/i2 offline
b/i1 garbage
c/i1 reset"

wait_for 60 "a/i2's offline alert" bash -c \
	"[ \$(sqlite3 -cmd '.timeout 5000' '$DB' \"SELECT count(*) FROM alert WHERE kind = 'offline' AND station = 'a' AND device = 'i2'\") -eq 1 ]"
id=$(q "SELECT id FROM alert WHERE kind = 'offline' AND station = 'a' AND device = 'i2'")
until_clock "$(awk -v t="$start" 'BEGIN { printf "%.0f", t + 1200 }')"
check "garbage answers raise data_anomaly" test "$(q "SELECT count(*) FROM alert WHERE kind = 'data_anomaly' AND station = 'b'")" -eq 1
check "and no offline alert: the device answers ($(q "SELECT group_concat(kind) FROM alert WHERE station = 'b'"))" \
	test "$(q "SELECT count(*) FROM alert WHERE kind = 'offline' AND station = 'b'")" -eq 0
check "the counter reset was seen and adopted" test "$(q "SELECT count(*) FROM reading WHERE device_id = $(dev c i1) AND (quality & 128)")" -ge 1
check "a counter reset is not a data anomaly ($(q "SELECT group_concat(kind) FROM alert WHERE station = 'c'"))" \
	test "$(q "SELECT count(*) FROM alert WHERE station = 'c'")" -eq 0

# offline_alert_kept WHAT: a/i2's alert is still the one active offline alert, never cleared.
offline_alert_kept() {
	check "$1: the offline alert keeps its id" test "$(q "SELECT group_concat(id) FROM alert WHERE kind = 'offline' AND station = 'a' AND device = 'i2'")" = "$id"
	check "$1: it is still active" test "$(q "SELECT count(*) FROM alert WHERE id = $id AND cleared_at IS NULL")" -eq 1
	check "$1: no cleared event was sent" test "$(q "SELECT count(*) FROM alert_event WHERE alert_id = $id AND type = 'cleared'")" -eq 0
}

kill -HUP "$DAEMON_PID"
t=$(latest)
# Past the offline limit and the clearing delay after the reload.
until_clock "$(awk -v t="$t" 'BEGIN { printf "%.0f", t + 600 }')"
offline_alert_kept "after SIGHUP"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
start_daemon "$WORK/a.conf"
t=$(latest)
until_clock "$(awk -v t="$t" 'BEGIN { printf "%.0f", t + 600 }')"
offline_alert_kept "after a restart"
check "the daemon records its clock for the CLI (reading, wall time, rate 60)" \
	bash -c "[[ '$(q "SELECT value FROM meta WHERE key = 'clock'")' == *' 60' ]]"
grep -q "active alerts restored" "$WORK/daemon.log" && pass "the restart restored the active alerts" ||
	fail "the restart restored the active alerts"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
check "a simulated clock stopped with the daemon is recorded at rate 0" \
	bash -c "[[ '$(q "SELECT value FROM meta WHERE key = 'clock'")' == *' 0' ]]"
finish
