# Energy across a killed daemon: SIGKILL, the simulator's counters keep running, restart.
# The energy counted must equal the lifetime counter's increase exactly: nothing lost during
# the outage, nothing counted twice.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

port=$(free_port)
DB="$WORK/restart.db"
cat >"$WORK/r.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 800; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = ( { id = "s"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
  devices = ( { id = "a"; host = "127.0.0.1"; port = $port; unit = 1; rated_power_w = 45000.0; },
              { id = "b"; host = "127.0.0.1"; port = $port; unit = 2; protocol = "sungrow-sg"; rated_power_w = 45000.0; } ); } );
CONF
use_clock "2026-06-21 10:00:00+08:00" 10
start_sim "$WORK/r.conf"
start_daemon "$WORK/r.conf"
wait_for 30 "readings" bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM reading WHERE quality = 0' 2>/dev/null || echo 0) -ge 8 ]"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
sleep 5 # 50 s of clock: the inverters keep producing
start_daemon "$WORK/r.conf"
wait_for 30 "readings after the restart" bash -c \
	"[ \$(sqlite3 '$DB' 'SELECT count(*) FROM reading WHERE quality = 0' 2>/dev/null || echo 0) -ge 16 ]"
sleep 3
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true

for d in a b; do
	id="(SELECT id FROM device WHERE device = '$d')"
	first=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts LIMIT 1")
	last=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts DESC LIMIT 1")
	counted=$(q "SELECT sum(energy_delta_wh) FROM reading WHERE device_id = $id")
	rolled=$(q "SELECT energy_wh FROM rollup_day WHERE device_id = $id")
	check "$d: energy counted ($counted Wh) equals the counter's increase ($last - $first Wh)" \
		awk -v c="$counted" -v f="$first" -v l="$last" 'BEGIN { d = l - f; exit !(d > 0 && c > d - 0.5 && c < d + 0.5) }'
	check "$d: the daily rollup agrees ($rolled Wh)" \
		awk -v c="$counted" -v r="$rolled" 'BEGIN { exit !(r > c - 0.5 && r < c + 0.5) }'
	gap=$(q "SELECT max(energy_delta_wh) FROM reading WHERE device_id = $id")
	check "$d: the outage's energy is counted once, at the first reading after it ($gap Wh)" \
		awk -v g="$gap" 'BEGIN { exit !(g > 0) }'
done
check "the database is intact after SIGKILL" bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
finish
