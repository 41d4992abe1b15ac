# The alert rules that need history, peers or the maintenance ledger: inspection overdue
# (cleared by a logged inspection), cleaning due (cleared by a logged cleaning once output
# is back), a PR drop against the station's own judged days, and the county target at risk.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DB="$WORK/r.db"
ports=()
for i in 1 2 3 4 5; do ports+=("$(free_port)"); done
station() { # station ID PORT HEALTH
	cat <<ST
  { id = "$1"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0; tilt = 25.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $2; unit = 1; rated_power_w = 45000.0; sim = { health = $3; }; },
                { id = "i2"; host = "127.0.0.1"; port = $2; unit = 2; rated_power_w = 45000.0; sim = { health = $3; }; },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $2; unit = 3; } ); }
ST
}
{
	cat <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 30; energy_interval = 30; timeout_ms = 500; };
efficiency = { basis = "poa"; interval = 60; county_target = 1.05; };
alerts = { language = "en"; raise_delay = 60; inspection_days = 1; burst_cap = 50; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
CONF
	station h1 "${ports[0]}" 1.0
	echo ","
	station h2 "${ports[1]}" 1.0
	echo ","
	station h3 "${ports[2]}" 1.0
	echo ","
	station d1 "${ports[3]}" 0.5
	echo ","
	station h4 "${ports[4]}" 1.0
	echo ");"
} >"$WORK/r.conf"
pv() { "$BIN/pvrelief" -c "$WORK/r.conf" "$@"; }

# The county has used pvrelief for three days; h1 has three judged days with PR 0.80.
: >"$DB" # the daemon has not run yet: an empty file the CLI may fill with the schema
pv alerts >/dev/null
q "INSERT INTO meta (key, value) VALUES ('installed_at', strftime('%s', '2026-06-18 02:00:00'))"
for d in 18 19 20; do
	q "INSERT INTO station_eff_day (station, day, energy_wh, e_act_wh, eth_wh, eta, pr, yf_h,
	   coverage, basis, source, grade, judgeable, computed) VALUES ('h1', '2026-06-$d', 600000,
	   600000, 560000, 1.07, 0.80, 6.0, 1.0, 'poa', 'sensor', 1, 1, 0)"
done

use_clock "2026-06-21 10:00:00+08:00" 60
start_sim "$WORK/r.conf"
start_daemon "$WORK/r.conf"
raised() { q "SELECT count(*) FROM alert WHERE kind = '$1' AND station = '$2'"; }
active() { q "SELECT count(*) FROM alert WHERE kind = '$1' AND station = '$2' AND cleared_at IS NULL"; }

wait_for 30 "inspection overdue" bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'inspection_overdue'\") -eq 5 ]" &&
	pass "every station is overdue for its daily inspection"
pv maintenance log h2 --kind inspection --by tester --note "all strings checked" >/dev/null
wait_for 30 "h2's inspection alert to clear" bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'inspection_overdue' AND station = 'h2' AND cleared_at IS NOT NULL\") -eq 1 ]" &&
	pass "a logged inspection clears it"
check "the others stay overdue" test "$(q "SELECT count(*) FROM alert WHERE kind = 'inspection_overdue' AND cleared_at IS NULL")" -eq 4

# h1 loses 60% of its output: its last hour's PR falls below 70% of its own baseline.
faults "h1/i1 health 0.4
h1/i2 health 0.4"
wait_for 150 "the PR drop" bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'pr_drop' AND station = 'h1'\") -ge 1 ]" &&
	pass "a sudden PR drop against the station's own judged days raises pr_drop"
check "no PR drop for a station without history" test "$(raised pr_drop h2)" -eq 0

wait_for 60 "cleaning due at d1" bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'cleaning_due' AND station = 'd1'\") -eq 1 ]" &&
	pass "a soiled station yielding half of the others raises cleaning due"
check "healthy stations do not" test "$(raised cleaning_due h2)" -eq 0
wait_for 60 "the county at risk" bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'county_target_at_risk'\") -eq 1 ]" &&
	pass "the county's month below its target raises county_target_at_risk"

# d1 is cleaned: the output comes back, and the alert clears only with the cleaning logged.
faults "h1/i1 health 0.4
h1/i2 health 0.4
d1/i1 health 1.0
d1/i2 health 1.0"
sleep 40 # most of an hour of clock: output recovered, no cleaning logged yet
check "recovered output alone does not clear cleaning due" test "$(active cleaning_due d1)" -eq 1
pv maintenance log d1 --kind cleaning --by tester >/dev/null
wait_for 90 "d1's cleaning alert to clear" bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'cleaning_due' AND station = 'd1' AND cleared_at IS NOT NULL\") -eq 1 ]" &&
	pass "a logged cleaning with output back clears cleaning due"
check "h1, still losing output, stays due" test "$(active cleaning_due h1)" -eq 1
check "each alert was raised once" test "$(q "SELECT count(*) FROM (SELECT kind, station, device FROM alert WHERE cleared_at IS NULL GROUP BY kind, station, device HAVING count(*) > 1)")" -eq 0
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
finish
