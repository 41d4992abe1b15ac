# A dead string: the simulator serves SunSpec model 160 with two DC inputs per inverter; one
# input of inverter i1 goes dead (a blown string fuse: no current, half the array lost) and
# comes back. The daemon must raise one string_fault alert for i1 naming input 2 after the
# raise delay, none for the healthy inverter or before the fault, and clear it once the input
# carries current again.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DB="$WORK/s.db"
port=$(free_port)
cat >"$WORK/s.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 30; energy_interval = 60; strings_interval = 60; timeout_ms = 500; };
efficiency = { interval = 60; };
alerts = { language = "en"; raise_delay = 300; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "s1"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0; tilt = 25.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $port; unit = 1; rated_power_w = 45000.0; },
                { id = "i2"; host = "127.0.0.1"; port = $port; unit = 2; rated_power_w = 45000.0; },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $port; unit = 3; } ); }
);
CONF
use_clock "2026-06-21 10:00:00+08:00" 60
start_sim "$WORK/s.conf"
start_daemon "$WORK/s.conf"
count() { q "SELECT count(*) FROM alert WHERE kind = 'string_fault' $1"; }

# Healthy for twenty simulated minutes, well past the raise delay: nothing.
wait_for 30 "readings of both inverters" bash -c \
	"[ \$(sqlite3 '$DB' 'SELECT count(DISTINCT device_id) FROM reading') -ge 3 ]"
sleep 20
check "no string fault while both inputs produce" test "$(count "")" -eq 0

faults "s1/i1 string 2 dead"
wait_for 60 "a string_fault alert for i1" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'string_fault' AND device = 'i1'\") -ge 1 ]"
check "the alert names input 2" \
	bash -c "sqlite3 '$DB' \"SELECT detail FROM alert WHERE kind = 'string_fault'\" | grep -q 'DC input 2 carries 0%'"
raised=$(q "SELECT raised_at FROM alert WHERE kind = 'string_fault' AND device = 'i1'")
check "the healthy inverter i2 has no string fault" test "$(count "AND device = 'i2'")" -eq 0

faults ""
wait_for 60 "the string_fault alert to clear" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'string_fault' AND cleared_at IS NOT NULL\") -eq 1 ]"
sleep 5
check "raised once and cleared once (raised at $raised)" \
	test "$(count "")/$(count "AND cleared_at IS NOT NULL")" = "1/1"
# While the input was dead, i1 made about half of what i2 made.
half=$(q "SELECT (SELECT avg(power_w) FROM reading r JOIN device d ON d.id = r.device_id
	WHERE d.device = 'i1' AND ts BETWEEN $raised - 240 AND $raised) /
	(SELECT avg(power_w) FROM reading r JOIN device d ON d.id = r.device_id
	WHERE d.device = 'i2' AND ts BETWEEN $raised - 240 AND $raised)")
check "i1 made about half of i2's power with one input dead ($half)" \
	awk -v h="$half" 'BEGIN { exit !(h > 0.4 && h < 0.6) }'
finish
