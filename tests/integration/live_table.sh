# pvreliefd --live, the demo's first screen: a station whose devices have not had their chance
# yet (the first poll still waiting on a slow gateway) is "connecting", not "offline"; the
# county target is not "at risk" before the month holds anything to judge; a station that
# stays silent becomes "offline since" the start, and the alert column names its alert.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DB="$WORK/l.db"
pa=$(free_port)
pb=$(free_port)
cat >"$WORK/l.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 30; energy_interval = 30; timeout_ms = 4000; retries = 0; };
alerts = { language = "en"; raise_delay = 30; offline_minutes = 2; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "fine"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 50.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $pa; unit = 1; rated_power_w = 45000.0; } ); },
  { id = "slow"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 50.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $pb; unit = 1; rated_power_w = 45000.0; } ); }
);
CONF
use_clock "2026-06-21 10:00:00+08:00" 10
start_sim "$WORK/l.conf"
faults "gateway $pb hang"
sleep 1 # the simulator reads the control file within half a second
start_daemon "$WORK/l.conf" --live --live-interval 0.5 --live-note "$WORK/faults.errors" >"$WORK/live.txt"

# The first table in which the healthy station produces: the slow one is still on its first
# poll (a 4 s timeout).
wait_for 20 "a table with the healthy station producing" grep -q "^fine .*producing" "$WORK/live.txt"
first=$(awk '/^fine .*producing/ { found = 1 } found && /^slow / { print; exit }' "$WORK/live.txt")
check "a device that has not had its chance is connecting: \"$first\"" bash -c "[[ '$first' == *connecting* ]]"
check "the first screen does not say offline: \"$(grep -m1 '^slow ' "$WORK/live.txt")\"" \
	bash -c "grep -m1 '^slow ' '$WORK/live.txt' | grep -q connecting"
check "no false county target at risk on the first screens" bash -c "! head -40 '$WORK/live.txt' | grep -q 'at risk'"
wait_for 60 "the slow station offline with its alert" bash -c "grep -q '^slow .*offline since 10:0.*offline' '$WORK/live.txt'"
tail -4 "$WORK/live.txt"

# A typo in the fault file is reported under the live table, where the user is looking, and
# goes away once the line is fixed.
faults "gateway $pb hang
fine/i1 helth 0.5"
wait_for 20 "the bad line under the table" grep -q "^! $WORK/faults:2: \"helth\" with 1 argument(s) is not offline" "$WORK/live.txt" &&
	pass "a bad fault-file line is shown under the live table"
faults "gateway $pb hang
fine/i1 health 0.5"
wait_for 20 "the problems file to go" bash -c "[ ! -e '$WORK/faults.errors' ]" &&
	pass "fixed, the report goes away"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
finish
