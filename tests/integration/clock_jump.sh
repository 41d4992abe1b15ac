# The wall clock steps (an NTP correction) under the daemon: back 10 minutes, then forward
# an hour. The daemon reads CLOCK_REALTIME through clock_now as in production; libfaketime
# shifts it for the daemon alone (the simulator keeps the true time). Polling must go on
# across both steps, readings taken "before" the last one are flagged bad-time and count
# nothing, and the energy counted equals the lifetime counter's increase.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
if [ -z "$FAKETIME_LIB" ]; then
	fail "libfaketime is not installed (tools/deps installs the faketime package)"
	finish
	exit 1
fi
port=$(free_port)
DB="$WORK/jump.db"
cat >"$WORK/j.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 5; energy_interval = 5; timeout_ms = 800; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = ( { id = "s"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
  devices = ( { id = "a"; host = "127.0.0.1"; port = $port; unit = 1; rated_power_w = 45000.0; },
              { id = "b"; host = "127.0.0.1"; port = $port; unit = 2; rated_power_w = 45000.0; } ); } );
CONF
# Noon in June on a clock running at the real rate: one poll every 5 s.
use_clock "2026-06-21 12:00:00+08:00" 1
start_sim "$WORK/j.conf"
echo "+0" >"$WORK/faketime.rc"
spawn env LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$WORK/faketime.rc" \
	FAKETIME_CACHE_DURATION=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	"$BIN/pvreliefd" -c "$WORK/j.conf" "${CLOCK[@]}" 2>>"$WORK/daemon.log"
DAEMON_PID=$LAST_PID
wait_for 30 "readings" bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM reading WHERE quality = 0' 2>/dev/null || echo 0) -ge 6 ]"
before=$(q "SELECT max(ts) FROM reading")

# Back 10 minutes.
echo "-600" >"$WORK/faketime.rc"
wait_for 30 "the daemon to notice the step back" grep -q "the clock jumped back by" "$WORK/daemon.log" &&
	pass "the step back is logged"
sleep 16
n=$(q "SELECT count(*) FROM reading WHERE ts < $before - 300")
check "polling goes on after the clock went back 10 minutes ($n readings)" test "$n" -ge 4
bad=$(q "SELECT count(*) FROM reading WHERE ts < $before - 300 AND (quality & 64) AND rejected = 1 AND energy_delta_wh = 0")
check "readings before the last one are flagged bad-time and count nothing ($bad of $n)" test "$bad" -eq "$n"

# Forward an hour (from 10 minutes behind to 50 minutes ahead).
echo "+3000" >"$WORK/faketime.rc"
wait_for 30 "the daemon to notice the step forward" grep -q "the clock jumped forward by" "$WORK/daemon.log" &&
	pass "the step forward is logged"
sleep 16
n=$(q "SELECT count(*) FROM reading WHERE ts > $before + 2900 AND quality & 64 = 0")
check "polling goes on after the clock went forward an hour ($n readings)" test "$n" -ge 4
check "the daemon is still running" kill -0 "$DAEMON_PID"
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
check "the daemon exits 0 on SIGTERM (status $rc)" test "$rc" -eq 0
check "no sanitizer report" bash -c "! grep -Eq 'AddressSanitizer|runtime error:' '$WORK/daemon.log'"

for d in a b; do
	id="(SELECT id FROM device WHERE device = '$d')"
	neg=$(q "SELECT count(*) FROM reading WHERE device_id = $id AND energy_delta_wh < 0")
	check "$d: no negative energy ($neg readings)" test "$neg" -eq 0
	first=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts LIMIT 1")
	last=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts DESC LIMIT 1")
	counted=$(q "SELECT sum(energy_delta_wh) FROM reading WHERE device_id = $id")
	check "$d: energy counted ($counted Wh) equals the counter's increase ($last - $first Wh)" \
		awk -v c="$counted" -v f="$first" -v l="$last" 'BEGIN { d = l - f; exit !(d > 0 && c > d - 0.5 && c < d + 0.5) }'
done
finish
