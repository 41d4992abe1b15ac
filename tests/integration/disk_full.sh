# A database that cannot be written (a full disk, simulated with database.max_size_mb): the
# daemon keeps polling, says so in the log, keeps the readings in memory, and once space is
# given back (a higher limit and SIGHUP, which rebuilds the poller) stores every one of
# them: no gap in the readings, energy counted equal to the lifetime counter's increase.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

port=$(free_port)
DB="$WORK/full.db"
conf() {
	cat >"$WORK/f.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; max_size_mb = $1; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 800; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = ( { id = "s"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
  devices = ( { id = "a"; host = "127.0.0.1"; port = $port; unit = 1; rated_power_w = 45000.0; },
              { id = "b"; host = "127.0.0.1"; port = $port; unit = 2; protocol = "sungrow-sg"; rated_power_w = 45000.0; },
              { id = "c"; host = "127.0.0.1"; port = $port; unit = 3; rated_power_w = 45000.0; },
              { id = "d"; host = "127.0.0.1"; port = $port; unit = 4; rated_power_w = 45000.0; },
              { id = "e"; host = "127.0.0.1"; port = $port; unit = 5; rated_power_w = 45000.0; },
              { id = "f"; host = "127.0.0.1"; port = $port; unit = 6; rated_power_w = 45000.0; } ); } );
CONF
}
conf 0
rows() { q "SELECT count(*) FROM reading" 2>/dev/null || echo 0; }
# The station's "today kWh" in the newest live table.
live_today() { awk '$1 == "s" { v = $4 } END { print v + 0 }' "$WORK/live.out"; }

# Mid-morning at 10x: the 10 s interval is 1 s of real time.
use_clock "2026-06-21 10:00:00+08:00" 10
start_sim "$WORK/f.conf"
start_daemon "$WORK/f.conf" --live --live-interval 1 >"$WORK/live.out"
wait_for 30 "readings" bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM reading WHERE quality = 0' 2>/dev/null || echo 0) -ge 6 ]"

# Fill the file to a few pages under a limit, then impose the limit on the running daemon.
page=$(q "PRAGMA page_size")
pages=$(q "PRAGMA page_count")
limit=$((pages * page / 1048576 + 2))
{
	echo "PRAGMA max_page_count = $((limit * 1048576 / page));"
	echo "CREATE TABLE pad(b);"
	for _ in $(seq $((limit * 1048576 / 2000 + 16))); do echo "INSERT INTO pad VALUES (zeroblob(2000));"; done
} | sqlite3 -cmd ".timeout 5000" "$DB" 2>/dev/null || true
conf "$limit"
kill -HUP "$DAEMON_PID"
wait_for 60 "the daemon to report the full database" \
	grep -q "database $DB: cannot store readings (database or disk is full); keeping" "$WORK/daemon.log" &&
	pass "a full database is reported in the log"
check "no sanitizer report" bash -c "! grep -Eq 'AddressSanitizer|runtime error:' '$WORK/daemon.log'"

# While it is full, polling goes on: the live table counts energy the database does not get.
sleep 2
r1=$(rows) t1=$(live_today)
sleep 8
r2=$(rows) t2=$(live_today)
check "nothing more is stored while the database is full ($r1 -> $r2 rows)" test "$r1" -eq "$r2"
check "polling goes on while the database is full (live today $t1 -> $t2 kWh)" \
	awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b > a + 1) }'
check "the daemon is still running" kill -0 "$DAEMON_PID"

# Space returns: raise the limit and reload. The rebuilt poller must store what was kept.
conf $((limit + 64))
kill -HUP "$DAEMON_PID"
wait_for 30 "readings to be stored again" bash -c "[ \$(sqlite3 -cmd '.timeout 5000' '$DB' 'SELECT count(*) FROM reading') -gt $((r2 + 60)) ]" &&
	pass "readings are stored again once space returns"
sleep 3
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
check "the daemon exits 0 on SIGTERM (status $rc)" test "$rc" -eq 0

for d in a c; do
	id="(SELECT id FROM device WHERE device = '$d')"
	gap=$(q "SELECT max(ts - prev) FROM (SELECT ts, lag(ts) OVER (ORDER BY ts) AS prev FROM reading WHERE device_id = $id)")
	check "$d: no reading was lost while the disk was full (largest gap $gap s of clock)" \
		awk -v g="$gap" 'BEGIN { exit !(g > 0 && g < 30) }'
	first=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts LIMIT 1")
	last=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts DESC LIMIT 1")
	counted=$(q "SELECT sum(energy_delta_wh) FROM reading WHERE device_id = $id")
	rolled=$(q "SELECT energy_wh FROM rollup_day WHERE device_id = $id")
	check "$d: energy counted ($counted Wh) equals the counter's increase ($last - $first Wh)" \
		awk -v c="$counted" -v f="$first" -v l="$last" 'BEGIN { d = l - f; exit !(d > 0 && c > d - 0.5 && c < d + 0.5) }'
	check "$d: the daily rollup agrees ($rolled Wh)" \
		awk -v c="$counted" -v r="$rolled" 'BEGIN { exit !(r > c - 0.5 && r < c + 0.5) }'
done
check "the database is intact" bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
finish
