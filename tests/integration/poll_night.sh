# At night polling slows to a heartbeat, silence is normal (no complaints in the log), and
# the live state says night.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

pa=$(free_port) pb=$(free_port)
DB="$WORK/night.db"
cat >"$WORK/n.conf" <<CONF
county = { id = "it"; };
database = { path = "$DB"; };
polling = { fast_interval = 10; energy_interval = 10; night_interval = 120; timeout_ms = 500; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "up"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "a"; host = "127.0.0.1"; port = $pa; unit = 1; } ); },
  { id = "silent"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "a"; host = "127.0.0.1"; port = $pb; unit = 1; sim = { offline = true; }; } ); } );
CONF
# 23:00 local time at 10x: 20 s of real time is 200 s of night.
use_clock "2026-06-21 23:00:00+08:00" 10
start_sim "$WORK/n.conf"
start_daemon "$WORK/n.conf" --live --live-interval 2 >"$WORK/live.txt"
sleep 20
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
n=$(q "SELECT count(*) FROM reading WHERE device_id = (SELECT id FROM device WHERE station = 'up')")
check "a device at night is read at the heartbeat, not every interval ($n reads in 200 s)" \
	test "$n" -ge 1 -a "$n" -le 4
p=$(q "SELECT max(power_w) FROM reading")
check "no power at night ($p W)" awk -v p="$p" 'BEGIN { exit !(p == 0) }'
check "the silent station is not complained about at night" \
	bash -c "! grep -q 'station silent' '$WORK/daemon.log'"
check "the live table shows night" grep -q "up .* night" "$WORK/live.txt"
finish
