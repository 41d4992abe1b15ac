# SIGKILL during heavy writes, five times at random moments: 200 simulated inverters on 20
# gateways at 30x write hundreds of readings a second. After each kill the database passes
# PRAGMA integrity_check, the daemon starts again on it and readings continue, and at the
# end every sampled device's counted energy equals its lifetime counter's increase.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DB="$WORK/heavy.db"
stations=""
for g in $(seq 1 20); do
	p=$(free_port)
	devs=""
	for u in $(seq 1 10); do
		devs+="{ id = \"i$u\"; host = \"127.0.0.1\"; port = $p; unit = $u; rated_power_w = 45000.0; },"
	done
	stations+="{ id = \"s$g\"; village = \"v\"; lat = 31.6; lon = 115.9; capacity_kwp = 500.0; devices = ( ${devs%,} ); },
"
done
cat >"$WORK/h.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 1500; workers = 8; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
${stations%,
}
);
CONF
rows() { sqlite3 -cmd ".timeout 10000" "$DB" "SELECT count(*) FROM reading" 2>/dev/null || echo 0; }
use_clock "2026-06-21 10:00:00+08:00" 30
start_sim "$WORK/h.conf"
RANDOM=$$
for round in 1 2 3 4 5; do
	start_daemon "$WORK/h.conf"
	before=$(rows)
	wait_for 30 "round $round: readings from the restarted daemon" bash -c \
		"[ \$(sqlite3 -cmd '.timeout 10000' '$DB' 'SELECT count(*) FROM reading' 2>/dev/null || echo 0) -gt $((before + 400)) ]" &&
		pass "round $round: readings continue after the restart"
	sleep "$((RANDOM % 3)).$((RANDOM % 10))"
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	check "round $round: the database is intact after SIGKILL" \
		bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
done
start_daemon "$WORK/h.conf"
before=$(rows)
wait_for 30 "readings after the last restart" bash -c \
	"[ \$(sqlite3 -cmd '.timeout 10000' '$DB' 'SELECT count(*) FROM reading' 2>/dev/null || echo 0) -gt $((before + 400)) ]"
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
check "the daemon exits 0 on SIGTERM (status $rc)" test "$rc" -eq 0
check "no sanitizer report" bash -c "! grep -Eq 'AddressSanitizer|runtime error:' '$WORK/daemon.log'"
for d in s1/i1 s7/i5 s20/i10; do
	id="(SELECT id FROM device WHERE station = '${d%/*}' AND device = '${d#*/}')"
	first=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts LIMIT 1")
	last=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts DESC LIMIT 1")
	counted=$(q "SELECT sum(energy_delta_wh) FROM reading WHERE device_id = $id")
	rolled=$(q "SELECT energy_wh FROM rollup_day WHERE device_id = $id")
	check "$d: energy counted across five kills ($counted Wh) equals the counter's increase ($last - $first Wh)" \
		awk -v c="$counted" -v f="$first" -v l="$last" 'BEGIN { d = l - f; exit !(d > 0 && c > d - 0.5 && c < d + 0.5) }'
	check "$d: the daily rollup agrees ($rolled Wh)" \
		awk -v c="$counted" -v r="$rolled" 'BEGIN { exit !(r > c - 0.5 && r < c + 0.5) }'
done
finish
