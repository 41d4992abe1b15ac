# Alerts end to end: the simulator's injected faults raise each rule's alert once over a real
# mosquitto broker and to a chat-group webhook on a local HTTP server, and clear it when the
# fault is removed; stations publish retained states; every event is also in the database.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

start_broker
hport=$(free_port)
echo '{}' >"$WORK/rules.json"
spawn python3 "$SRC/tests/integration/lib/httpd.py" --port "$hport" --dir "$WORK" \
	--log "$WORK/requests.jsonl" --rules "$WORK/rules.json"
wait_for 10 "the HTTP server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$hport"

pa=$(free_port) pb=$(free_port) pc=$(free_port) pd=$(free_port)
DB="$WORK/a.db"
cat >"$WORK/a.conf" <<CONF
county = { id = "it"; name = "Test county"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 500; retries = 0; };
mqtt = { host = "127.0.0.1"; port = $MQTT_PORT; prefix = "pv"; client_id = "it-alerts"; };
efficiency = { basis = "poa"; interval = 30; };
alerts = { language = "en"; low_efficiency_days = 1; offline_minutes = 3; raise_delay = 40;
           anomaly_rate = 0.2; min_irradiation_kwh_m2 = 0.4;
           webhooks = ( { name = "ops"; kind = "json"; url = "http://127.0.0.1:$hport/hook"; } ); };
towns = ( { id = "t"; villages = ( { id = "v"; name = "Village"; } ); } );
stations = (
  { id = "good"; name = "Good station"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0; tilt = 25.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $pa; unit = 1; rated_power_w = 45000.0; },
                { id = "i2"; host = "127.0.0.1"; port = $pa; unit = 2; rated_power_w = 45000.0; },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $pa; unit = 3; } ); },
  { id = "dirty"; name = "Soiled station"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0; tilt = 25.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $pb; unit = 1; rated_power_w = 45000.0; sim = { health = 0.5; }; },
                { id = "i2"; host = "127.0.0.1"; port = $pb; unit = 2; rated_power_w = 45000.0; sim = { health = 0.5; }; },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $pb; unit = 3; } ); },
  { id = "flt"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 50.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $pc; unit = 1; rated_power_w = 45000.0; } ); },
  { id = "hw"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 50.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $pd; unit = 1; protocol = "huawei-sun2000"; rated_power_w = 45000.0; } ); }
);
CONF

spawn bash -c "exec mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT -t 'pv/#' -v -q 1 >'$WORK/mqtt.txt'"
sleep 0.5

# Mid-morning in June at 10x: the 40 s raise delay is 4 s, 3 minutes offline are 18 s.
use_clock "2026-06-21 10:00:00+08:00" 10
start_sim "$WORK/a.conf"
start_daemon "$WORK/a.conf"

events() { # events KIND STATION EVENT: how many such alert events the subscriber saw
	grep "^pv/it/$2/alert " "$WORK/mqtt.txt" | grep -c "\"event\":\"$3\",\"kind\":\"$1\"" || true
}
wait_for 30 "retained station states" grep -q '^pv/it/good/state .*"power_w":[1-9]' "$WORK/mqtt.txt" &&
	pass "stations publish their state with live power"
# The hour window needs a few minutes of clock with energy at every station first.
wait_for 120 "a station state weighed against its three peers" \
	grep -q '^pv/it/good/state .*"peer_ratio":[0-9.]*,"peers":3,' "$WORK/mqtt.txt" &&
	pass "the station state carries its ratio to its three peers' median yield"
wait_for 20 "the daemon status" grep -q '^pv/it/status .*"state":"online"' "$WORK/mqtt.txt" &&
	pass "the daemon status is online"

faults "flt/inv fault 0x80
hw/inv offline"
wait_for 60 "the fault alert" bash -c "grep '^pv/it/flt/alert ' '$WORK/mqtt.txt' | grep -q '\"event\":\"raised\",\"kind\":\"fault\"'" &&
	pass "an inverter in FAULT raises a fault alert"
check "... naming the event bit" grep -q '^pv/it/flt/alert .*OVER_TEMP' "$WORK/mqtt.txt"
wait_for 60 "the offline alert" bash -c "grep '^pv/it/hw/alert ' '$WORK/mqtt.txt' | grep -q '\"event\":\"raised\",\"kind\":\"offline\"'" &&
	pass "a silent inverter in daylight raises an offline alert"
wait_for 30 "the fault in the station state" bash -c "grep '^pv/it/flt/state ' '$WORK/mqtt.txt' | tail -1 | grep -q '\"active_alerts\":\[.*\"kind\":\"fault\"'" &&
	pass "the station state lists its active fault"
check "a faulted inverter's zero output is not a second alert" test "$(events zero_output flt raised)" -eq 0

faults ""
wait_for 60 "the fault to clear" bash -c "grep '^pv/it/flt/alert ' '$WORK/mqtt.txt' | grep -q '\"event\":\"cleared\",\"kind\":\"fault\"'" &&
	pass "the fault alert clears when the fault is removed"
wait_for 90 "the offline alert to clear" bash -c "grep '^pv/it/hw/alert ' '$WORK/mqtt.txt' | grep -q '\"event\":\"cleared\",\"kind\":\"offline\"'" &&
	pass "the offline alert clears when the inverter answers again"
cleared_detail() { # cleared_detail KIND STATION: the detail of its cleared event
	grep "^pv/it/$2/alert .*\"event\":\"cleared\",\"kind\":\"$1\"" "$WORK/mqtt.txt" | head -1 |
		sed 's/^[^ ]* //' | python3 -c 'import json, sys; print(json.load(sys.stdin)["detail"])'
}
d=$(cleared_detail fault flt)
check "a cleared fault says what is true now and how long it lasted: \"$d\"" \
	bash -c "[[ '$d' == 'out of the fault state; lasted '[0-9]*' minute'* ]]"
d=$(cleared_detail offline hw)
check "a cleared offline alert likewise: \"$d\"" bash -c "[[ '$d' == 'answering again; lasted '[0-9]*' minute'* ]]"

# Zero output while the neighbours produce.
faults "good/i1 health 0
good/i2 health 0"
wait_for 60 "zero output" bash -c "grep '^pv/it/good/alert ' '$WORK/mqtt.txt' | grep -q '\"event\":\"raised\",\"kind\":\"zero_output\"'" &&
	pass "zero output in daylight beside producing stations raises an alert"
faults ""
wait_for 60 "zero output to clear" bash -c "grep '^pv/it/good/alert ' '$WORK/mqtt.txt' | grep -q '\"event\":\"cleared\",\"kind\":\"zero_output\"'" &&
	pass "... and clears when it produces again"

# Data anomaly: sentinels instead of values.
faults "flt/inv sentinel"
wait_for 60 "the anomaly alert" bash -c "grep '^pv/it/flt/alert ' '$WORK/mqtt.txt' | grep -q '\"event\":\"raised\",\"kind\":\"data_anomaly\"'" &&
	pass "rejected readings above the rate raise a data anomaly alert"
faults ""
# The day's figure is judged once it covers enough of the daylight it has seen and holds
# enough irradiation (0.4 kWh/m2 here, not the default 1.5, so that a morning started at 10:00
# is judged within about half an hour of clock): only then can low efficiency be raised.
wait_for 240 "the low-efficiency alert" bash -c "grep '^pv/it/dirty/alert ' '$WORK/mqtt.txt' | grep -q '\"event\":\"raised\",\"kind\":\"low_efficiency\"'" &&
	pass "the soiled station raises a low-efficiency alert from its sensor"
check "the clean station raises none" test "$(events low_efficiency good raised)" -eq 0
sleep 3

for k in "fault flt" "offline hw" "zero_output good" "low_efficiency dirty"; do
	set -- $k
	check "$1 at $2 raised exactly once" test "$(events "$1" "$2" raised)" -eq 1
done
check "fault at flt cleared exactly once" test "$(events fault flt cleared)" -eq 1
n_db=$(q "SELECT count(*) FROM alert_event WHERE type IN ('raised', 'cleared')")
n_mqtt=$(grep -c '/alert ' "$WORK/mqtt.txt")
check "every stored event was published ($n_db stored, $n_mqtt published)" test "$n_db" -eq "$n_mqtt"
check "the outbox is empty" test "$(q 'SELECT count(*) FROM outbox')" -eq 0
n_hook=$(grep -c '"path": "/hook"' "$WORK/requests.jsonl" || true)
check "the webhook received every event ($n_hook)" test "$n_hook" -eq "$n_mqtt"
check "webhook events carry the station and kind" grep -q '\\"kind\\": *\\"fault\\"\|"kind": "fault"\|kind\\":\\"fault' "$WORK/requests.jsonl"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
sleep 0.5
check "the status goes offline when the daemon stops" bash -c "grep '^pv/it/status ' '$WORK/mqtt.txt' | tail -1 | grep -q '\"state\":\"offline\"'"
finish
