# Curtailment seen only in the power-limit registers, and an inverter down while it answers,
# on a simulated day: the simulator and the daemon share a clock running from 04:30 to 19:30
# local at 600x. Every station is a 100 kWp roof with two 50 kW inverters behind one gateway
# and an irradiance sensor behind another (so that an outage of the inverters' gateway leaves
# the irradiance known):
#   ref    polled without a fault;
#   lim    its first inverter (SunSpec) limited to 50% of its rating from 11:00 to 13:00,
#          "quiet": it reports the limit in model 123 and nothing in its state (no THROTTLED);
#   der    the same with inverters that hold their limit in SunSpec model 704 (DER AC
#          controls) instead of 123;
#   hwl    the same with Huawei SUN2000 inverters: the limit shows only in the active power
#          derating register of the vendor map;
#   down   its second inverter OFF from 10:00 to 11:00 while it answers every poll;
#   gwh    its inverters' gateway silent from 10:00 to 11:00, then back.
# The limited stations' slots under the limit are curtailed: left out of eta and PR, whose day
# stays within 1.5% of the same day without the limit (the simulator's model of the day,
# scaled by how "ref" reads against its model), and the loss attribution (the JSON and the
# --losses CSV) holds what the limit clipped as curtailment. The inverter that was off is an
# inverter down, not a communication outage; the silent gateway is communication time.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DAY=2026-06-21
START="$DAY 04:30:00+08:00"
RATE=600
T0=$(date -d "$START" +%s)
T1=$(date -d "$DAY 19:30:00+08:00" +%s)
at() { date -d "$DAY $1:00+08:00" +%s; }

station() { # station ID INVERTER_PORT SENSOR_PORT [PROTOCOL] [INVERTER KEYS]
	local proto="${5:-}"
	[ -n "${4:-}" ] && proto="protocol = \"$4\"; $proto"
	echo "  { id = \"$1\"; village = \"v0\"; lat = 31.6; lon = 115.9; altitude = 50.0;
    capacity_kwp = 100.0; tilt = 25.0; azimuth = 180.0;
    devices = ( { id = \"inv1\"; host = \"127.0.0.1\"; port = $2; unit = 1; $proto rated_power_w = 50000.0; },
                { id = \"inv2\"; host = \"127.0.0.1\"; port = $2; unit = 3; $proto rated_power_w = 50000.0; },
                { id = \"met\"; role = \"sensor\"; host = \"127.0.0.1\"; port = $3; unit = 2; } ); }"
}
STATIONS=""
for s in ref lim der hwl down gwh; do
	pi=$(free_port) ps=$(free_port)
	eval "port_$s=$pi"
	proto="" extra=""
	[ $s = hwl ] && proto=huawei-sun2000
	[ $s = der ] && extra="sim = { der_controls = true; };"
	[ -z "$STATIONS" ] || STATIONS="$STATIONS,"
	STATIONS="$STATIONS
$(station $s "$pi" "$ps" "$proto" "$extra")"
done
DB="$WORK/d.db"
cat >"$WORK/d.conf" <<CONF
county = { id = "it"; name = "测试县"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 60; energy_interval = 60; limit_interval = 300; timeout_ms = 100; retries = 1;
            unit_gap_ms = 5; workers = 4; max_backoff = 60; };
efficiency = { interval = 300; };
towns = ( { id = "t"; villages = ( { id = "v0"; name = "东村"; } ); } );
stations = ($STATIONS
);
CONF

use_clock "$START" "$RATE"
# Every fault is a period of the simulated clock, in the control file before the simulator
# starts, so that its edges fall where they are meant to at 600x.
printf '%s\n' "from $(at 11:00) to $(at 13:00) lim/inv1 limit 50 quiet
from $(at 11:00) to $(at 13:00) der/inv1 limit 50 quiet
from $(at 11:00) to $(at 13:00) hwl/inv1 limit 50 quiet
from $(at 10:00) to $(at 11:00) down/inv2 off
from $(at 10:00) to $(at 11:00) gateway $port_gwh down" >"$WORK/faults"
spawn "$BIN/pvrelief-sim" -c "$WORK/d.conf" "${CLOCK[@]}" --control "$WORK/faults" \
	--ready-file "$WORK/sim.ready" 2>>"$WORK/sim.log"
wait_for 20 "the simulator" test -e "$WORK/sim.ready"
check "the simulator took the five periods" grep -q "control file read (5 lines)" "$WORK/sim.log"
start_daemon "$WORK/d.conf"
ANCHOR=${CLOCK[5]}
left=$(python3 -c "import time; print(max(0, ($T1 - $T0) / $RATE - (time.time() - $ANCHOR)))")
sleep "$left"
# Let one more efficiency pass run on the whole day, then stop the daemon.
sleep 2
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true

"$BIN/pvrelief" -c "$WORK/d.conf" health --day $DAY --losses >"$WORK/table" 2>>"$WORK/cli.log"
cat "$WORK/table"
"$BIN/pvrelief" -c "$WORK/d.conf" health --day $DAY --format json >"$WORK/json"
"$BIN/pvrelief" -c "$WORK/d.conf" health --day $DAY --losses --format csv >"$WORK/losses.csv"
# loss STATION KEY: one figure of a station's loss attribution in the JSON.
loss() {
	python3 -c "import json; d=json.load(open('$WORK/json'))
print([x for x in d['stations'] if x['id']=='$1'][0]['losses']['$2'])"
}
# csv_loss STATION COLUMN: the same from the --losses CSV, by its English header.
csv_loss() {
	python3 -c "import csv; rows=list(csv.reader(open('$WORK/losses.csv', encoding='utf-8-sig')))
col=[h.split(' ')[0] for h in rows[0]].index('$2')
print([r for r in rows[1:] if r[0]=='station' and r[1]=='$1'][0][col])"
}
row() { # row STATION: eta pr energy_wh
	q "SELECT eta, pr, energy_wh FROM station_eff_day WHERE station = '$1' AND day = '$DAY'" | tr '|' ' '
}
model() { # model STATION: eta_horizontal pr energy_wh of the simulator's model
	"$BIN/tests/sim_expect" "$WORK/d.conf" "$1" "$T0" "$T1" eta |
		awk '{ printf "%s %s %s\n", $4, $5 * 0.8, $1 }'
}
within() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { exit !(a > 0 && b > 0 && (a / b - 1) ^ 2 <= tol ^ 2) }'; }
small() { awk -v a="$1" -v e="$2" 'BEGIN { exit !(a < 0.02 * e && a > -0.02 * e) }'; }
between() { awk -v a="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(a >= lo && a <= hi) }'; }

read -r eta_ref pr_ref e_ref <<<"$(row ref)"
read -r meta_ref mpr_ref me_ref <<<"$(model ref)"
echo "ref: eta $eta_ref PR $pr_ref energy $e_ref Wh; model eta $meta_ref PR $mpr_ref energy $me_ref Wh"
# A sanity check of the set-up only: on a loaded machine (the sanitizer build, other tests
# beside it) the reference station loses some of its sensor's slots and reads up to about 1%
# off its model; the other stations are read against it, so that moves nothing below.
check "ref: its eta $eta_ref is its model's $meta_ref within 1.5%" within "$eta_ref" "$meta_ref" 0.015
check "ref: nothing curtailed ($(loss ref curtail_hours) h)" \
	awk -v h="$(loss ref curtail_hours)" 'BEGIN { exit !(h == 0) }'

for s in lim der hwl; do
	dev="(SELECT id FROM device WHERE station = '$s' AND device = 'inv1')"
	n_lim=$(q "SELECT count(*) FROM reading WHERE device_id = $dev AND limit_w IS NOT NULL")
	range=$(q "SELECT min(limit_w), max(limit_w), min(ts), max(ts) FROM reading
		WHERE device_id = $dev AND limit_w IS NOT NULL" | tr '|' ' ')
	read -r lo hi first last <<<"$range"
	echo "$s: $n_lim readings limited to $lo .. $hi W, from $(date -d @"${first%.*}" +%T) to $(date -d @"${last%.*}" +%T)"
	check "$s: the limit was read from its registers (about 120 readings: $n_lim)" \
		between "$n_lim" 100 130
	check "$s: limited to half its rating ($lo .. $hi W)" \
		awk -v a="$lo" -v b="$hi" 'BEGIN { exit !(a > 24900 && b < 25100) }'
	check "$s: only inside the two hours" \
		awk -v a="$first" -v b="$last" -v f="$(at 10:58)" -v t="$(at 13:02)" \
		'BEGIN { exit !(a >= f && b <= t) }'
	check "$s: the state never said THROTTLED (the limit was quiet)" \
		test "$(q "SELECT count(*) FROM reading r JOIN device d ON d.id = r.device_id
			WHERE d.station = '$s' AND r.state = 5")" = 0
	check "$s: the other inverter reported no limit" \
		test "$(q "SELECT count(*) FROM reading r JOIN device d ON d.id = r.device_id
			WHERE d.station = '$s' AND d.device = 'inv2' AND r.limit_w IS NOT NULL")" = 0
	read -r eta pr e <<<"$(row $s)"
	read -r meta mpr me <<<"$(model $s)"
	want_eta=$(awk -v m="$meta" -v a="$eta_ref" -v b="$meta_ref" 'BEGIN { print m * a / b }')
	want_pr=$(awk -v m="$mpr" -v a="$pr_ref" -v b="$mpr_ref" 'BEGIN { print m * a / b }')
	lost=$(awk -v m="$me" -v a="$e_ref" -v b="$me_ref" -v e="$e" 'BEGIN { print (m * a / b - e) / 1000 }')
	hours=$(loss $s curtail_hours) curt=$(loss $s curtail_kwh) csv_curt=$(csv_loss $s curtail_kwh)
	dev_eta=$(awk -v a="$eta" -v b="$want_eta" 'BEGIN { printf "%+.2f%%", (a / b - 1) * 100 }')
	dev_pr=$(awk -v a="$pr" -v b="$want_pr" 'BEGIN { printf "%+.2f%%", (a / b - 1) * 100 }')
	echo "$s: eta $eta ($dev_eta) PR $pr ($dev_pr); clipped $lost kWh by the model;" \
		"curtailed $hours h, curtailment $curt kWh (CSV $csv_curt), comm $(loss $s comm_kwh)" \
		"down $(loss $s down_kwh) fault $(loss $s fault_kwh)"
	# One inverter of two for two hours: one station-equivalent hour (and a slot at an edge).
	check "$s: one station-equivalent hour curtailed ($hours h)" between "$hours" 0.95 1.1
	check "$s: eta $eta within 1.5% of the day without the limit ($dev_eta)" \
		within "$eta" "$want_eta" 0.015
	check "$s: PR $pr within 1.5% of the day without the limit ($dev_pr)" \
		within "$pr" "$want_pr" 0.015
	check "$s: the limit clipped substantial energy ($lost kWh)" \
		awk -v l="$lost" 'BEGIN { exit !(l > 15) }'
	# Seen over five runs: -4.2 .. +3.9% (the limit's edges fall on the simulator's physics
	# ticks and the slots at the edges are partly curtailed).
	check "$s: the curtailment loss $curt kWh is what the limit clipped ($lost kWh) within 8%" \
		within "$curt" "$lost" 0.08
	check "$s: the --losses CSV carries the same curtailment ($csv_curt kWh)" \
		awk -v a="$csv_curt" -v b="$curt" 'BEGIN { exit !(a - b < 0.001 && b - a < 0.001) }'
	x=$(loss $s expected_kwh)
	for k in comm_kwh down_kwh fault_kwh; do
		check "$s: $k holds little ($(loss $s $k) kWh)" small "$(loss $s $k)" "$x"
	done
done

# An inverter OFF for an hour while it answers: an inverter down, not communication.
read -r _ _ e_down <<<"$(row down)"
read -r _ _ me_down <<<"$(model down)"
lost=$(awk -v m="$me_down" -v a="$e_ref" -v b="$me_ref" -v e="$e_down" 'BEGIN { print (m * a / b - e) / 1000 }')
x=$(loss down expected_kwh) d=$(loss down down_kwh) dh=$(loss down down_hours)
echo "down: lost $lost kWh by the model; down $d kWh in $dh h, comm $(loss down comm_kwh) kWh" \
	"in $(loss down comm_hours) h; CSV down $(csv_loss down down_kwh) kWh"
check "down: the hour off lost substantial energy ($lost kWh)" awk -v l="$lost" 'BEGIN { exit !(l > 15) }'
check "down: it is an inverter down ($d kWh) holding what was lost ($lost kWh) within 10%" \
	within "$d" "$lost" 0.10
check "down: half a station-equivalent hour down ($dh h)" between "$dh" 0.45 0.6
check "down: no communication outage ($(loss down comm_hours) h)" \
	awk -v h="$(loss down comm_hours)" 'BEGIN { exit !(h < 0.05) }'
check "down: the --losses CSV names it inverter down too" \
	within "$(csv_loss down down_kwh)" "$d" 0.001
# A gateway silent for an hour: communication time; the counters bring the energy back.
x=$(loss gwh expected_kwh) ch=$(loss gwh comm_hours)
echo "gwh: communication $ch h, comm $(loss gwh comm_kwh) down $(loss gwh down_kwh) kWh of $x expected"
check "gwh: the gateway's hour is communication time ($ch h)" between "$ch" 0.8 1.1
check "gwh: not an inverter down ($(loss gwh down_hours) h)" \
	awk -v h="$(loss gwh down_hours)" 'BEGIN { exit !(h < 0.05) }'
check "gwh: nothing lost to communication ($(loss gwh comm_kwh) kWh)" small "$(loss gwh comm_kwh)" "$x"
check "the table shows the losses" grep -q "Losses 损失" "$WORK/table"
finish
