# Loss attribution on a simulated day: each loss lands in its own class. The simulator and the
# daemon share a clock running from 04:30 to 19:30 local at 600x. Every station is a 100 kWp
# roof with two inverters behind one gateway and an irradiance sensor behind another (so that
# an outage of the inverters' gateway leaves the irradiance known):
#   ref    polled without a fault;
#   gw     its inverters' gateway down from 12:00 to the end of the day: a communication
#          outage whose energy is never recovered;
#   flt    its second inverter in FAULT (no production) from about 10:00 to 14:00;
#   curt   its first inverter limited to 30% of its rating from about 10:30 to 13:30;
#   soil   both inverters at 60% of their DC power all day (`health 0.6`): low performance;
#   disp   under a grid operator's dispatch order in the configuration, 30% from 10:30 to
#          13:30 (the simulator does not enforce it): three curtailed hours;
#   cap    a permanent export cap of 30 kW and an order of 40% (40 kW) over the same hours:
#          a limit above the cap is not curtailment;
#   gwr    its inverters' gateway down from 10:00 to 11:00, then back: the counters bring the
#          hour's energy in, so it is an hour of communication outage that cost nothing.
# What each station lost is the simulator's model of its uninterrupted day (scaled by how the
# fault-free station "ref" reads against its model) less what it made; the class it belongs to
# must hold that loss within 8% (low performance: beyond the share a clean station of the
# same model would have), and every other outage class less than 2% of the expected energy.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DAY=2026-06-21
START="$DAY 04:30:00+08:00"
RATE=600
T0=$(date -d "$START" +%s)
T1=$(date -d "$DAY 19:30:00+08:00" +%s)
at() { date -d "$DAY $1:00+08:00" +%s; }

order() { # order PCT: a dispatch order from 10:30 to 13:30
	echo "curtailment = ( { from = \"$DAY 10:30:00+08:00\"; to = \"$DAY 13:30:00+08:00\"; limit_pct = $1; } );"
}
station() { # station ID INVERTER_PORT SENSOR_PORT [EXTRA KEYS]
	echo "  { id = \"$1\"; village = \"v0\"; lat = 31.6; lon = 115.9; altitude = 50.0;
    capacity_kwp = 100.0; tilt = 25.0; azimuth = 180.0; ${4:-}
    devices = ( { id = \"inv1\"; host = \"127.0.0.1\"; port = $2; unit = 1; rated_power_w = 50000.0; },
                { id = \"inv2\"; host = \"127.0.0.1\"; port = $2; unit = 3; rated_power_w = 50000.0; },
                { id = \"met\"; role = \"sensor\"; host = \"127.0.0.1\"; port = $3; unit = 2; } ); }"
}
STATIONS=""
for s in ref gw flt curt soil disp cap gwr; do
	pi=$(free_port) ps=$(free_port)
	eval "port_$s=$pi"
	extra=""
	[ $s = disp ] && extra=$(order 30)
	[ $s = cap ] && extra="export_limit_w = 30000.0; $(order 40)"
	[ -z "$STATIONS" ] || STATIONS="$STATIONS,"
	STATIONS="$STATIONS
$(station $s "$pi" "$ps" "$extra")"
done
DB="$WORK/d.db"
cat >"$WORK/d.conf" <<CONF
county = { id = "it"; name = "测试县"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 60; energy_interval = 60; timeout_ms = 100; retries = 1;
            unit_gap_ms = 5; workers = 4; max_backoff = 60; };
efficiency = { interval = 300; };
towns = ( { id = "t"; villages = ( { id = "v0"; name = "东村"; } ); } );
stations = ($STATIONS
);
CONF

use_clock "$START" "$RATE"
# The outage is a period of the simulated clock; the soiling holds all day.
PERIODS="from $(at 12:00) to $(at 23:59) gateway $port_gw down
from $(at 10:00) to $(at 11:00) gateway $port_gwr down
soil/* health 0.6"
printf '%s\n' "$PERIODS" >"$WORK/faults"
spawn "$BIN/pvrelief-sim" -c "$WORK/d.conf" "${CLOCK[@]}" --control "$WORK/faults" \
	--ready-file "$WORK/sim.ready" 2>>"$WORK/sim.log"
wait_for 20 "the simulator" test -e "$WORK/sim.ready"
start_daemon "$WORK/d.conf"
ANCHOR=${CLOCK[5]}
wait_until() { # wait_until UNIX: sleeps until the shared clock reads UNIX
	local left
	left=$(python3 -c "import time; print(max(0, ($1 - $T0) / $RATE - (time.time() - $ANCHOR)))")
	sleep "$left"
}
# The fault and the limit are orders of hours: the control file's once-a-second reading will do,
# though at 600x a second is ten simulated minutes, so their edges move from run to run by
# up to a slot or two; with slots partly curtailed at the edges, that is why the classes are
# held to 8% (seen before the outages were priced with a temperature correction: +1.2 .. +3.2%
# communication, +2.2 .. +3.5% fault, +2.2 .. +5.5% curtailment, -0.04 .. +0.04% low
# performance, all a little high since the hotter middle of the day has a lower PR than the
# clean slots' mean; with it: -0.3% communication, +0.3% fault, -0.8% curtailment).
wait_until "$(at 10:00)"
faults "$PERIODS
flt/inv2 fault"
wait_until "$(at 10:30)"
faults "$PERIODS
flt/inv2 fault
curt/inv1 limit 30"
wait_until "$(at 13:30)"
faults "$PERIODS
flt/inv2 fault"
wait_until "$(at 14:00)"
faults "$PERIODS"
wait_until "$T1"
# Let one more efficiency pass run on the whole day, then stop the daemon.
sleep 2
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true

"$BIN/pvrelief" -c "$WORK/d.conf" health --day $DAY --losses >"$WORK/table" 2>>"$WORK/cli.log"
cat "$WORK/table"
"$BIN/pvrelief" -c "$WORK/d.conf" health --day $DAY --format json >"$WORK/json"
# Each station's losses from the JSON: expected actual ref_eta comm down fault curtail lowperf
losses() {
	python3 -c "import json,sys; d=json.load(open('$WORK/json'))
s=[x for x in d['stations'] if x['id']=='$1'][0]['losses']
print(*[s[k] for k in ('expected_kwh','actual_kwh','ref_eta','comm_kwh','down_kwh','fault_kwh','curtail_kwh','lowperf_kwh')])"
}
model() { # model STATION: the simulator's model of the uninterrupted day: eta energy_kwh
	"$BIN/tests/sim_expect" "$WORK/d.conf" "$1" "$T0" "$T1" eta | awk '{ printf "%s %s\n", $4, $1 / 1000 }'
}
within() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { exit !(a > 0 && b > 0 && (a / b - 1) ^ 2 <= tol ^ 2) }'; }
small() { awk -v a="$1" -v e="$2" 'BEGIN { exit !(a < 0.02 * e && a > -0.02 * e) }'; }

read -r x_ref a_ref r_ref c_ref d_ref f_ref k_ref l_ref <<<"$(losses ref)"
read -r meta_ref me_ref <<<"$(model ref)"
e_ref=$(sqlite3 "$DB" "SELECT energy_wh / 1000 FROM station_eff_day WHERE station = 'ref' AND day = '$DAY'")
echo "ref: expected $x_ref actual $a_ref kWh, priced at $r_ref; model eta $meta_ref energy $me_ref kWh (made $e_ref)"
check "ref: expected energy and a clean efficiency ($x_ref kWh, $r_ref)" \
	awk -v x="$x_ref" -v r="$r_ref" 'BEGIN { exit !(x > 300 && r > 0.8 && r < 1.2) }'
for k in "$c_ref" "$d_ref" "$f_ref" "$k_ref"; do
	check "ref: no outage loss ($k kWh)" small "$k" "$x_ref"
done
for s in gw flt curt soil; do
	read -r x a r c d f k l <<<"$(losses $s)"
	read -r meta me <<<"$(model $s)"
	e=$(sqlite3 "$DB" "SELECT energy_wh / 1000 FROM station_eff_day WHERE station = '$s' AND day = '$DAY'")
	# The uninterrupted day's energy and efficiency, read as ref reads its own.
	lost=$(awk -v m="$me" -v a="$e_ref" -v b="$me_ref" -v e="$e" 'BEGIN { print m * a / b - e }')
	want_eta=$(awk -v m="$meta" -v a="$r_ref" -v b="$meta_ref" 'BEGIN { print m * a / b }')
	echo "$s: lost $lost kWh by the model; expected $x actual $a priced at $r (clean $want_eta):" \
		"comm $c down $d fault $f curtail $k lowperf $l"
	case $s in
	gw) own=$c others="$d $f $k" ;;
	flt) own=$f others="$c $d $k" ;;
	curt) own=$k others="$c $d $f" ;;
	soil)
		# Beyond what a clean station of the same model leaves to low performance.
		own=$(awk -v l="$l" -v x="$x" -v w="$want_eta" 'BEGIN { print l - x * (1 - w) }')
		others="$c $d $f $k"
		;;
	esac
	check "$s: the energy lost is substantial ($lost kWh)" awk -v l="$lost" 'BEGIN { exit !(l > 20) }'
	check "$s: its class holds $own kWh of the $lost kWh lost, within 8%" within "$own" "$lost" 0.08
	for o in $others; do
		check "$s: another outage class holds little ($o kWh)" small "$o" "$x"
	done
	[ $s = soil ] ||
		check "$s: the clean slots' efficiency $r is its uninterrupted day's $want_eta within 2%" \
			within "$r" "$want_eta" 0.02
	eval "lost_$s=$lost x_$s=$x a_$s=$a"
done
# The configured orders: three curtailed hours for disp (both inverters: station-equivalent
# hours), none for cap, whose order lies above its export cap.
hours() {
	python3 -c "import json; d=json.load(open('$WORK/json'))
print([x for x in d['stations'] if x['id']=='$1'][0]['losses']['curtail_hours'])"
}
h_disp=$(hours disp) h_cap=$(hours cap) h_curt=$(hours curt)
echo "curtailed hours: disp $h_disp, cap $h_cap, curt $h_curt"
check "disp: the dispatch order's three hours are curtailed ($h_disp h)" \
	awk -v h="$h_disp" 'BEGIN { exit !(h > 2.9 && h < 3.1) }'
check "cap: an order above the export cap is not curtailment ($h_cap h)" \
	awk -v h="$h_cap" 'BEGIN { exit !(h == 0) }'
read -r x a r c d f k l <<<"$(losses disp)"
# The order was not enforced, so what it cost is only the pricing's error (about 4% of the
# energy of those hours before the pricing was corrected for temperature, 0.6% after).
check "disp: the order cost little the inverters could make ($k kWh; not enforced)" \
	awk -v k="$k" -v x="$x" 'BEGIN { exit !(k < 0.04 * x && k > -0.04 * x) }'
# A recovered outage: about an hour of communication time (whole 5-minute slots without a
# reading), nothing lost to communication, and the shared-out catch-up close to what the
# station's efficiency says (not inverter down).
read -r x a r c d f k l <<<"$(losses gwr)"
h_gwr=$(python3 -c "import json; d=json.load(open('$WORK/json'))
print([x for x in d['stations'] if x['id']=='gwr'][0]['losses']['comm_hours'])")
echo "gwr: communication $h_gwr h, comm $c down $d kWh of $x expected"
check "gwr: the gateway's hour is communication time ($h_gwr h)" \
	awk -v h="$h_gwr" 'BEGIN { exit !(h > 0.8 && h < 1.1) }'
check "gwr: nothing lost to communication ($c kWh)" small "$c" "$x"
check "gwr: the recovered energy is not taken for an inverter down ($d kWh)" small "$d" "$x"
check "the table shows the losses" grep -q "Losses 损失" "$WORK/table"
# Generation capability with the same accounting: the county's actual over expected energy.
cap=$(python3 -c "import json; print(json.load(open('$WORK/json'))['county_figures']['capability_pct'])")
read -r x_disp a_disp _ <<<"$(losses disp)"
read -r x_cap a_cap _ <<<"$(losses cap)"
read -r x_gwr a_gwr _ <<<"$(losses gwr)"
want_cap=$(awk -v a="$a_ref $a_gw $a_flt $a_curt $a_soil $a_disp $a_cap $a_gwr" \
	-v x="$x_ref $x_gw $x_flt $x_curt $x_soil $x_disp $x_cap $x_gwr" \
	'BEGIN { n = split(a, A, " "); split(x, X, " "); for (i = 1; i <= n; i++) { sa += A[i]; sx += X[i] } print 100 * sa / sx }')
check "the county's generation capability $cap% is actual over expected ($want_cap%)" \
	within "$cap" "$want_cap" 0.001
finish
