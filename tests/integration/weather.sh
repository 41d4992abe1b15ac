# The weather client against a real HTTP server on loopback: a recorded Open-Meteo answer gives
# interpolated irradiance; a failing, slow, malformed or absent service gives "no data" within
# a bounded wait, and each failure is logged naming the service.
. "$(dirname "$0")/lib/common.sh"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

port=$(free_port)
cat >"$WORK/rules.json" <<'JSON'
{"/v1/forecast": {"mode": "ok", "file": "good.json"},
 "/v1/down": {"mode": "status", "status": 503, "body": "service unavailable"},
 "/v1/refused": {"mode": "status", "status": 400,
                 "body": "{\"error\":true,\"reason\":\"Parameter 'tilt' must be between 0 and 90\"}"},
 "/v1/slow": {"mode": "slow", "seconds": 60, "file": "good.json"},
 "/v1/junk": {"mode": "malformed"},
 "/v1/huge": {"mode": "ok", "file": "huge.json"}}
JSON
spawn python3 "$SRC/tests/integration/lib/httpd.py" --port "$port" --dir "$SRC/tests/data/weather" \
	--log "$WORK/requests.jsonl" --rules "$WORK/rules.json"
wait_for 10 "the HTTP server on $port" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"

write_conf() { # write_conf URL
	cat >"$WORK/pvrelief.conf" <<CONF
county = { id = "test"; };
database = { path = "$WORK/test.db"; };
maps_dir = "$SRC/conf/maps";
efficiency = { weather_url = "$1"; weather_timeout_ms = 1000; weather_refresh = 900; };
towns = ( { id = "t1"; villages = ( { id = "v1"; } ); } );
stations = (
  { id = "s1"; village = "v1"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0; tilt = 25.0;
    azimuth = 160.0; devices = ( { id = "inv1"; host = "127.0.0.1"; port = 1; unit = 1; } ); }
);
CONF
}

# run_weather NAME URL: runs `pvrelief weather s1` at the fixture's first sample time; sets rc.
run_weather() {
	write_conf "$2"
	set +e
	"$BIN/pvrelief" -c "$WORK/pvrelief.conf" weather --at 1782010800 s1 >"$WORK/$1.out" 2>"$WORK/$1.err"
	rc=$?
	set -e
}

# 1. A recorded answer.
run_weather good "http://127.0.0.1:$port/v1/forecast"
check "a recorded answer gives data" test "$rc" -eq 0
check "GHI is interpolated between the first two 15-minute means" grep -qE "GHI +823.8 W/m²" "$WORK/good.out"
check "POA is the tilted irradiance, interpolated" grep -qE "POA \(tilted\) +855.5 W/m²" "$WORK/good.out"
check "air temperature and wind come too" bash -c "grep -qE 'air temperature +30.2 °C' '$WORK/good.out' && grep -qE 'wind speed +2.2 m/s' '$WORK/good.out'"
check "the request names the station and Open-Meteo's azimuth (160 from north = -20)" python3 - "$WORK/requests.jsonl" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
p = r["params"]
assert r["path"] == "/v1/forecast", r
assert p["latitude"] == "31.6000" and p["longitude"] == "115.9000", p
assert p["tilt"] == "25.0" and p["azimuth"] == "-20.0", p
assert p["timeformat"] == "unixtime" and p["wind_speed_unit"] == "ms", p
assert "global_tilted_irradiance" in p["minutely_15"].split(","), p
PY

# 2. Failures: each gives "no data" and a log line naming the service and the reason.
expect_no_data() { # expect_no_data NAME URL REASON
	run_weather "$1" "$2"
	check "$1: no data" test "$rc" -eq 1
	check "$1: says so" grep -q "^station s1 at .*: no data: " "$WORK/$1.out"
	check "$1: logged with the service and the reason" \
		grep -q "weather service http://127.0.0.1:[0-9]*: station s1: .*$3" "$WORK/$1.err"
}
expect_no_data down "http://127.0.0.1:$port/v1/down" "HTTP status 503"
expect_no_data refused "http://127.0.0.1:$port/v1/refused" \
	"HTTP status 400, the service refused the request: Parameter 'tilt' must be between 0 and 90"
expect_no_data junk "http://127.0.0.1:$port/v1/junk" "malformed JSON"
expect_no_data huge "http://127.0.0.1:$port/v1/huge" "global_tilted_irradiance\[5\] = 1e+300 is not a plausible value"
closed=$(free_port)
expect_no_data closed "http://127.0.0.1:$closed/v1/forecast" "connection refused"

# 3. A slow service: the answer would take 60 s; the client gives up at its 1 s timeout.
write_conf "http://127.0.0.1:$port/v1/slow"
spawn "$BIN/pvrelief" -c "$WORK/pvrelief.conf" weather --at 1782010800 s1 >"$WORK/slow.out" 2>"$WORK/slow.err"
cli=$LAST_PID
wait_for 20 "pvrelief weather to give up on the slow service" bash -c "! kill -0 $cli"
set +e
wait "$cli"
rc=$?
set -e
check "slow: no data" test "$rc" -eq 1
check "slow: logged as a timeout" grep -q "weather service http://127.0.0.1:$port: station s1: http://127.0.0.1:$port: no complete answer within 1000 ms" "$WORK/slow.err"
finish
