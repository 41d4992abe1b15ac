# The efficiency engine over one simulated June day, against the simulator's own model: the
# simulator and two daemons share a clock running from 04:30 to 19:45 local at 600x. Daemon 1
# polls a healthy station with an irradiance sensor, a soiled one (health 0.5) with a sensor
# and a healthy one without, and is killed for an hour at 11:00; daemon 2 (its own database, since the weather service is a county
# setting) polls a fourth station without a sensor that gets its irradiance from a local
# Open-Meteo style server, which starts failing in the afternoon.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

DAY=2026-06-21
START="$DAY 04:30:00+08:00"
RATE=600
T0=$(date -d "$START" +%s)
T1=$(date -d "$DAY 19:30:00+08:00" +%s)
END_WAIT=$(date -d "$DAY 19:45:00+08:00" +%s)
DAY0=$(date -d "$DAY 00:00:00+08:00" +%s)
pa=$(free_port) pb=$(free_port) pc=$(free_port) pd=$(free_port) http=$(free_port)

station() { # station ID PORT HEALTH SENSOR(0/1) VILLAGE K
	local met=""
	[ "$4" = 1 ] && met=", { id = \"met\"; role = \"sensor\"; host = \"127.0.0.1\"; port = $2; unit = 2; }"
	echo "  { id = \"$1\"; village = \"$5\"; lat = 31.6; lon = 115.9; altitude = 50.0;
    capacity_kwp = 100.0; tilt = 25.0; azimuth = 180.0; k = $6;
    devices = ( { id = \"inv\"; host = \"127.0.0.1\"; port = $2; unit = 1; rated_power_w = 100000.0;
                  sim = { health = $3; }; }$met ); }"
}
conf() { # conf FILE DB WEATHER_URL STATIONS...
	local file=$1 db=$2 url=$3
	shift 3
	{
		cat <<CONF
county = { id = "it"; name = "测试县"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$db"; };
polling = { fast_interval = 60; energy_interval = 60; timeout_ms = 800; retries = 1;
            unit_gap_ms = 5; workers = 4; max_backoff = 60; };
efficiency = { interval = 300; weather_url = "$url"; weather_timeout_ms = 1000;
               weather_refresh = 60;
               monthly_irradiation = [ 70.0, 75.0, 100.0, 120.0, 140.0, 400.0, 150.0, 145.0,
                                       110.0, 100.0, 80.0, 70.0 ]; };
towns = ( { id = "t"; villages = ( { id = "v0"; name = "东村"; }, { id = "v1"; name = "西村"; } ); } );
stations = (
CONF
		local first=1 s
		for s in "$@"; do
			[ $first = 1 ] || echo ","
			first=0
			echo "$s"
		done
		echo ");"
	} >"$file"
}
# The station without a sensor has K = 1 and June's typical-year irradiation is set high, so
# that its estimated eta falls below 0.6: an estimate must still not be called "below".
GOOD=$(station good "$pa" 1.0 1 v0 0.8)
SOILED=$(station soiled "$pb" 0.5 1 v0 0.8)
NOSENS=$(station nosens "$pc" 1.0 0 v1 1.0)
WX=$(station wx "$pd" 1.0 0 v1 0.8)
DB1="$WORK/eff1.db" DB2="$WORK/eff2.db"
conf "$WORK/sim.conf" "$WORK/sim.db" "" "$GOOD" "$SOILED" "$NOSENS" "$WX"
conf "$WORK/d1.conf" "$DB1" "" "$GOOD" "$SOILED" "$NOSENS"
conf "$WORK/d2.conf" "$DB2" "http://127.0.0.1:$http/v1/forecast" "$WX"

# The weather service answers with the model's own irradiance for the station's day.
mkdir -p "$WORK/www"
"$BIN/tests/sim_expect" "$WORK/sim.conf" wx "$((DAY0 - 3600))" "$((DAY0 + 90000))" weather \
	>"$WORK/www/wx.json"
echo '{"/v1/forecast": {"mode": "ok", "file": "wx.json"}}' >"$WORK/rules.json"
spawn python3 "$SRC/tests/integration/lib/httpd.py" --port "$http" --dir "$WORK/www" \
	--log "$WORK/requests.jsonl" --rules "$WORK/rules.json"
wait_for 10 "the HTTP server on $http" bash -c "exec 3<>/dev/tcp/127.0.0.1/$http"

use_clock "$START" "$RATE"
start_sim "$WORK/sim.conf"
start_daemon "$WORK/d1.conf"
D1=$DAEMON_PID
spawn "$BIN/pvreliefd" -c "$WORK/d2.conf" "${CLOCK[@]}" 2>>"$WORK/daemon2.log"
D2=$LAST_PID
ANCHOR=${CLOCK[5]}
sim_now() { python3 -c "import time; print(int($T0 + (time.time() - $ANCHOR) * $RATE))"; }
wait_until() { # wait_until UNIX: sleeps until the shared clock reads UNIX
	local left
	left=$(python3 -c "import time; print(max(0, ($1 - $T0) / $RATE - (time.time() - $ANCHOR)))")
	sleep "$left"
}

# Daemon 1 is killed at 11:00 and started again at 12:00: the inverters' first readings after
# the outage bring in the hour's energy, which must count in the day's energy but must not be
# paired with one slot's irradiance (that would put the day's eta far above the model's).
wait_until "$(date -d "$DAY 11:00:00+08:00" +%s)"
kill -KILL "$D1"
wait "$D1" 2>/dev/null || true
wait_until "$(date -d "$DAY 12:00:00+08:00" +%s)"
start_daemon "$WORK/d1.conf"
D1=$DAEMON_PID

# At 14:00 the weather service starts failing; the daemon must keep its cached series (it is
# young: three refresh periods plus an hour) and keep polling.
wait_until "$(date -d "$DAY 14:00:00+08:00" +%s)"
echo '{"/v1/forecast": {"mode": "status", "status": 503, "body": "service unavailable"}}' \
	>"$WORK/rules.json"
FAIL_AT=$(sim_now)
wait_until "$END_WAIT"
wait_for 60 "the weather service's failure in daemon 2's log" \
	grep -q "weather service http://127.0.0.1:$http: station wx: .*HTTP status 503" "$WORK/daemon2.log"
check "daemon 2 keeps running while the weather service fails" kill -0 "$D2"
DB=$DB2
n=$(q "SELECT count(*) FROM reading WHERE ts > $FAIL_AT + 1800")
check "daemon 2 kept polling after the weather service failed ($n readings)" test "$n" -ge 10
# Let one more efficiency pass run on the whole day, then stop both daemons.
sleep 2
kill -TERM "$D1" "$D2"
wait "$D1" || true
wait "$D2" || true

expect() { "$BIN/tests/sim_expect" "$WORK/sim.conf" "$1" "$T0" "$T1" eta; }
health() { "$BIN/pvrelief" -c "$1" health --day "$DAY" --format json "${@:2}"; }
health "$WORK/d1.conf" >"$WORK/h1.json"
health "$WORK/d2.conf" >"$WORK/h2.json"
field() { # field FILE STATION KEY
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); \
s=[x for x in d['stations'] if x['id']==sys.argv[2]][0]; v=s[sys.argv[3]]; \
print('null' if v is None else v)" "$@"
}
within() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { exit !(a > 0 && b > 0 && (a / b - 1) ^ 2 <= tol ^ 2) }'; }

read -r e_good h_good _ eta_model_good _ <<<"$(expect good)"
read -r e_wx _ _ eta_model_wx _ <<<"$(expect wx)"
eta_good=$(field "$WORK/h1.json" good eta)
eta_soiled=$(field "$WORK/h1.json" soiled eta)
eta_nosens=$(field "$WORK/h1.json" nosens eta)
eta_wx=$(field "$WORK/h2.json" wx eta)
echo "model: good E=$e_good Wh H=$h_good kWh/m2 eta=$eta_model_good; wx eta=$eta_model_wx"
echo "daemon: good $eta_good soiled $eta_soiled nosens $eta_nosens wx $eta_wx"

check "healthy station: eta $eta_good within 5% of the model's $eta_model_good" \
	within "$eta_good" "$eta_model_good" 0.05
en=$(field "$WORK/h1.json" good energy_kwh)
check "healthy station: energy $en kWh within 3% of the model's" \
	within "$en" "$(awk -v e="$e_good" 'BEGIN { print e / 1000 }')" 0.03
check "healthy station: basis horizontal, source sensor, grade 1, mark ok" test \
	"$(field "$WORK/h1.json" good basis)/$(field "$WORK/h1.json" good source)/$(field "$WORK/h1.json" good grade)/$(field "$WORK/h1.json" good mark)" \
	= "horizontal/sensor/1/ok"
check "soiled station: eta $eta_soiled is about half the healthy one's" \
	awk -v a="$eta_soiled" -v b="$eta_good" 'BEGIN { exit !(a / b > 0.45 && a / b < 0.55) }'
check "soiled station: source sensor, grade 1, marked below target" test \
	"$(field "$WORK/h1.json" soiled source)/$(field "$WORK/h1.json" soiled grade)/$(field "$WORK/h1.json" soiled mark)" \
	= "sensor/1/below"
check "station without a sensor: source clearsky-scaled, grade 3" test \
	"$(field "$WORK/h1.json" nosens source)/$(field "$WORK/h1.json" nosens grade)" = "clearsky-scaled/3"
check "station without a sensor: eta $eta_nosens is low (K = 1, a high June table)" \
	awk -v a="$eta_nosens" 'BEGIN { exit !(a > 0 && a < 0.6) }'
check "station without a sensor: marked estimate, not below target" test \
	"$(field "$WORK/h1.json" nosens mark)/$(field "$WORK/h1.json" nosens below_target)" = "estimate/False"
DB=$DB1
check "the engine does not call the estimate judgeable" test \
	"$(q "SELECT judgeable FROM station_eff_day WHERE station = 'nosens' AND day = '$DAY'")" = 0
check "weather station: source weather, grade 2 (the cached series outlived the failure)" test \
	"$(field "$WORK/h2.json" wx source)/$(field "$WORK/h2.json" wx grade)" = "weather/2"
check "weather station: eta $eta_wx within 5% of the model's $eta_model_wx" \
	within "$eta_wx" "$eta_model_wx" 0.05

# The county: energy-weighted eta and the share of stations meeting 0.6.
python3 - "$WORK/h1.json" <<'PY' && pass "county aggregates: ratio of sums, grade 1-2 figure, share meeting 0.6, KPIs" || fail "county aggregates"
import json, sys
d = json.load(open(sys.argv[1]))
st = {s["id"]: s for s in d["stations"]}
c = d["county_figures"]
num = sum(s["e_act_kwh"] for s in st.values())
den = sum(s["theoretical_kwh"] for s in st.values())
assert abs(c["eta"] - num / den) < 1e-6, (c["eta"], num / den)
assert c["stations_with_eta"] == 3 and c["stations_meeting_target"] == 1 + (st["nosens"]["eta"] >= 0.6) + (st["soiled"]["eta"] >= 0.6), c
assert c["worst_grade"] == 3, c
g12 = (st["good"]["e_act_kwh"] + st["soiled"]["e_act_kwh"]) / (st["good"]["theoretical_kwh"] + st["soiled"]["theoretical_kwh"])
assert abs(c["eta_grade12"] - g12) < 1e-6, (c["eta_grade12"], g12)
assert c["meets_county_target"] == (c["eta"] >= 0.8), c
# The hour daemon 1 was down is four of about 58 daylight quarter-hours.
assert 0.88 <= c["online_rate"]["rate"] <= 0.96, c["online_rate"]
assert c["fault_rate"]["rate"] == 0 and c["anomaly_rate"]["rate"] < 0.01, c
assert d["period"] == {**d["period"], "kind": "day", "value": "2026-06-21"}, d["period"]
PY

# The table and CSV say the same.
"$BIN/pvrelief" -c "$WORK/d1.conf" health --day "$DAY" >"$WORK/h1.txt"
cat "$WORK/h1.txt"
check "table: the soiled station is marked below target" grep -qE "^soiled .*BELOW 低于目标" "$WORK/h1.txt"
check "table: the station without a sensor is an estimate" grep -qE "^nosens .*estimate 估算" "$WORK/h1.txt"
check "table: Chinese headers" grep -q "发电参数" "$WORK/h1.txt"
"$BIN/pvrelief" -c "$WORK/d1.conf" health --day "$DAY" --format csv >"$WORK/h1.csv"
check "csv: starts with a byte-order mark and the header" \
	bash -c "head -c 20 '$WORK/h1.csv' | grep -q \$'^\xef\xbb\xbflevel'"
check "csv: one row per station, village and the county" test "$(grep -c $'\r$' "$WORK/h1.csv")" -eq 7

# --recompute: figures deleted from the database come back from the stored rollups.
q "DELETE FROM station_eff_day WHERE station = 'good'"
health "$WORK/d1.conf" >"$WORK/h1b.json"
check "without the stored day the healthy station has no eta" test "$(field "$WORK/h1b.json" good eta)" = null
health "$WORK/d1.conf" --recompute --clock-start "2026-06-22 01:00:00+08:00" --clock-rate 1 \
	>"$WORK/h1c.json"
check "--recompute computes the day again from the rollups ($(field "$WORK/h1c.json" good eta))" \
	within "$(field "$WORK/h1c.json" good eta)" "$eta_good" 0.001
check "the databases are intact" bash -c "sqlite3 '$DB1' 'PRAGMA integrity_check' | grep -qx ok &&
	sqlite3 '$DB2' 'PRAGMA integrity_check' | grep -qx ok"
finish
