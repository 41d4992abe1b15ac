# The province over MQTT: three counties, each its own pvreliefd, simulator and database, send
# their figures up to one province broker with an ACL and a user per county; one hub stores
# them. County c2's uplink is cut for most of the day while its stations produce, raise and
# clear an alert and its day is computed again and again; the hub is SIGKILLed in the middle of
# that and started again, and so is c2's daemon. When the link returns, the hub's province table must equal the
# union of the three county tables (eta to 4 decimals, energy to the Wh), with every alert
# event once; a county publishing under another county's prefix is refused by the broker and
# never shows at the hub.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DAY=2026-06-21
START="$DAY 05:00:00+08:00"
RATE=600
T0=$(date -d "$START" +%s)
at() { date -d "$DAY $1:00+08:00" +%s; }

# The province broker: a password per county and for the hub, and an ACL that lets a county
# write only under pvrelief/<its user>/ and the hub read everything. The session of a client
# that is away is kept without a limit on its queue.
MQTT_PORT=$(free_port)
chmod o+x "$WORK"
for u in c1 c2 c3 hub; do
	mosquitto_passwd -b "$WORK/passwd" "$u" "pw-$u" 2>/dev/null ||
		mosquitto_passwd -c -b "$WORK/passwd" "$u" "pw-$u"
	printf 'pw-%s\n' "$u" >"$WORK/$u.password"
	chmod 600 "$WORK/$u.password"
done
chmod 644 "$WORK/passwd"
cat >"$WORK/acl" <<ACL
user hub
topic read pvrelief/#

pattern write pvrelief/%u/#
ACL
chmod 644 "$WORK/acl"
cat >"$WORK/mosquitto.conf" <<MQ
listener $MQTT_PORT 127.0.0.1
allow_anonymous false
password_file $WORK/passwd
acl_file $WORK/acl
persistence false
max_queued_messages 0
log_dest file $WORK/broker.log
log_type all
MQ
touch "$WORK/broker.log"
chmod 666 "$WORK/broker.log"
spawn mosquitto -c "$WORK/mosquitto.conf"
wait_for 10 "mosquitto on $MQTT_PORT" bash -c "exec 3<>/dev/tcp/127.0.0.1/$MQTT_PORT"

# County c2 reaches the broker through a forwarder that the test cuts.
PROXY_PORT=$(free_port)
proxy() {
	rm -f "$WORK/proxy.ready"
	spawn python3 "$SRC/tests/integration/lib/tcpproxy.py" --listen "$PROXY_PORT" \
		--to "$MQTT_PORT" --ready-file "$WORK/proxy.ready"
	PROXY_PID=$LAST_PID
	wait_for 10 "the forwarder" test -e "$WORK/proxy.ready"
}
proxy

county() { # county ID UPLINK_PORT MODBUS_PORT
	local id=$1 up=$2 port=$3
	cat >"$WORK/$id.conf" <<CONF
county = { id = "$id"; name = "县 $id"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$WORK/$id.db"; };
polling = { fast_interval = 60; energy_interval = 60; timeout_ms = 800; retries = 1; };
efficiency = { interval = 300; };
alerts = { language = "en"; raise_delay = 60; };
uplink = { host = "127.0.0.1"; port = $up; username = "$id"; password_file = "$WORK/$id.password";
           keepalive = 5; live_interval = 300; deadband_w = 2000.0; heartbeat = 3600; };
towns = ( { id = "t-$id"; villages = ( { id = "v-$id"; name = "村"; } ); } );
stations = (
  { id = "$id-a"; village = "v-$id"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $port; unit = 1; rated_power_w = 100000.0; },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $port; unit = 2; } ); },
  { id = "$id-b"; village = "v-$id"; lat = 31.7; lon = 116.0; capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $port; unit = 3; rated_power_w = 60000.0;
                  sim = { health = 0.7; }; } ); }
);
CONF
	: >"$WORK/$id.faults"
	spawn "$BIN/pvrelief-sim" -c "$WORK/$id.conf" "${CLOCK[@]}" --control "$WORK/$id.faults" \
		--ready-file "$WORK/$id.sim.ready"
	wait_for 20 "simulator $id" test -e "$WORK/$id.sim.ready"
	spawn "$BIN/pvreliefd" -c "$WORK/$id.conf" "${CLOCK[@]}" 2>>"$WORK/$id.log"
	eval "PID_$id=$LAST_PID"
}
hub() {
	rm -f "$WORK/hub.ready"
	spawn "$BIN/pvrelief-hub" run --db "$WORK/hub.db" --host 127.0.0.1 --port "$MQTT_PORT" \
		--username hub --password-file "$WORK/hub.password" --client-id province-hub \
		--keepalive 5 --ready-file "$WORK/hub.ready" 2>>"$WORK/hub.log"
	HUB_PID=$LAST_PID
	wait_for 10 "the hub" test -e "$WORK/hub.ready"
}
hubq() { sqlite3 -cmd ".timeout 5000" "$WORK/hub.db" "$1"; }
hub_is() { test "$(hubq "$1")" = "$2"; }
hub_ge() { test "$(hubq "$1")" -ge "$2"; }
cq() { sqlite3 -cmd ".timeout 5000" "$WORK/$1.db" "$2"; }
ANCHOR=$(date +%s)
CLOCK=(--clock-start "$START" --clock-rate "$RATE" --clock-anchor "$ANCHOR")
wait_until() { # wait_until UNIX: sleeps until the shared clock reads UNIX
	sleep "$(python3 -c "import time; print(max(0, ($1 - $T0) / $RATE - (time.time() - $ANCHOR)))")"
}

hub
p1=$(free_port) p2=$(free_port) p3=$(free_port)
county c1 "$MQTT_PORT" "$p1"
county c2 "$PROXY_PORT" "$p2"
county c3 "$MQTT_PORT" "$p3"

wait_for 30 "the registries of the three counties at the hub" \
	hub_is "SELECT count(*) FROM hub_station" 6 &&
	pass "the hub has each county's registry (6 stations)"
check "the registry carries capacity, village and town" test \
	"$(hubq "SELECT capacity_kwp || '/' || village || '/' || town FROM hub_station WHERE county = 'c2' AND station = 'c2-b'")" \
	= "60.0/v-c2/t-c2"
wait_for 30 "c2's first station-day at the hub" \
	hub_ge "SELECT count(*) FROM hub_station_day WHERE county = 'c2'" 1

# A county's money: a grid settlement imported into c1 (and later into c2 while its link is
# cut) adds entries to its ledger, whose head goes up the uplink.
settle() { # settle COUNTY
	printf 'station,period,metered_kwh,coal_amount,subsidy_amount,received\n%s-a,2026-05,12000.5,4800.20,5400.00,2026-06-10\n%s-b,2026-05,7000.0,2800.00,3150.00,2026-06-10\n' \
		"$1" "$1" >"$WORK/$1.settlements.csv"
	"$BIN/pvrelief" -c "$WORK/$1.conf" import settlements "$WORK/$1.settlements.csv" \
		--by 会计 >/dev/null
}
wait_until "$(at 08:30)"
check "c1 records a settlement in its ledger" settle c1
wait_for 30 "c1's ledger head at the hub" \
	hub_is "SELECT seq || ':' || hash FROM hub_ledger_head WHERE county = 'c1'" \
	"$(cq c1 "SELECT seq || ':' || hash FROM ledger ORDER BY seq DESC LIMIT 1")" &&
	pass "c1's new ledger head reaches the hub"

# 09:00: c2's uplink goes down for six hours of clock.
wait_until "$(at 09:00)"
kill "$PROXY_PID"
wait "$PROXY_PID" 2>/dev/null || true
# 10:00: c2-a's inverter faults; 11:30 the fault goes. What c2 had in flight when the link
# was cut has landed at the hub by now: from here on nothing of c2 may arrive.
wait_until "$(at 10:00)"
CUT_REV=$(hubq "SELECT coalesce(max(rev), 0) FROM hub_station_day WHERE county = 'c2'")
printf 'c2-a/inv fault 0x80\n' >"$WORK/c2.faults.tmp" && mv "$WORK/c2.faults.tmp" "$WORK/c2.faults"
# 11:00: the hub is killed, and started again at 12:00.
wait_until "$(at 11:00)"
kill -KILL "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
# While the hub is away, c1 raises and clears an alert of its own: the broker keeps it for
# the hub's session.
wait_until "$(at 11:05)"
printf 'c1-b/inv fault 0x80\n' >"$WORK/c1.faults.tmp" && mv "$WORK/c1.faults.tmp" "$WORK/c1.faults"
wait_until "$(at 11:30)"
: >"$WORK/c2.faults"
: >"$WORK/c1.faults"
wait_until "$(at 12:00)"
hub
c2_faults() { test "$(cq c2 "SELECT count(*) FROM alert_event e JOIN alert a ON a.id = e.alert_id WHERE a.kind = 'fault' AND e.type IN ('raised', 'cleared')")" -ge 2; }
wait_for 30 "the fault raised and cleared in c2's database" c2_faults
check "while cut, c2's figures wait in its uplink outbox" \
	test "$(cq c2 "SELECT count(*) FROM uplink_outbox")" -ge 1
check "while cut, the hub has none of c2's newer figures (c2-a rev $CUT_REV)" test \
	"$(hubq "SELECT coalesce(max(rev), 0) FROM hub_station_day WHERE county = 'c2'")" = "$CUT_REV"
check "while cut, the hub has not seen c2's fault" \
	test "$(hubq "SELECT count(*) FROM hub_alert_event WHERE county = 'c2'")" = 0
W=$(cq c2 "SELECT count(*) FROM uplink_outbox WHERE key LIKE 'day/c2-a/%'")
check "a day computed again and again while cut waits once in the outbox ($W)" test "$W" -le 1

# A county that publishes under another's prefix: the broker refuses it.
mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -u c3 -P pw-c3 -i c3-rogue -q 1 -t pvrelief/c1/day \
	-m "{\"v\":1,\"type\":\"day\",\"county\":\"c1\",\"rev\":999999999,\"sent_at\":0,\"station\":\"c1-a\",\"day\":\"$DAY\",\"energy_wh\":1,\"e_act_wh\":1,\"eth_wh\":1,\"eta\":0.123,\"basis\":\"horizontal\",\"source\":\"sensor\",\"grade\":1,\"judgeable\":true}"
mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -u c3 -P pw-c3 -i c3-rogue -q 1 -t pvrelief/c9/registry \
	-m '{"v":1,"type":"registry","county":"c9","rev":1,"sent_at":0,"county_name":"x","stations":[{"id":"fake"}]}'
wait_for 10 "the broker's refusal of c3 as c1" \
	grep -q "Denied PUBLISH from c3-rogue .*'pvrelief/c1/day'" "$WORK/broker.log" &&
	pass "the broker refuses c3 publishing as c1"
wait_for 10 "the broker's refusal of c3 as c9" \
	grep -q "Denied PUBLISH from c3-rogue .*'pvrelief/c9/registry'" "$WORK/broker.log" &&
	pass "the broker refuses c3 publishing as a county that does not exist"

check "c2 records a settlement in its ledger while cut" settle c2
check "while cut, the hub has no ledger head of c2" \
	test "$(hubq "SELECT count(*) FROM hub_ledger_head WHERE county = 'c2'")" = 0

# 13:00: c2 itself is SIGKILLed while cut, and started again at 13:30: what waited in its
# outbox and change list survives in its database.
wait_until "$(at 13:00)"
WAITING=$(cq c2 "SELECT count(*) FROM uplink_outbox")
kill -KILL "$PID_c2"
wait "$PID_c2" 2>/dev/null || true
wait_until "$(at 13:30)"
check "c2's outbox survived the SIGKILL ($WAITING messages waiting)" \
	test "$(cq c2 "SELECT count(*) FROM uplink_outbox")" -ge "$WAITING"
spawn "$BIN/pvreliefd" -c "$WORK/c2.conf" "${CLOCK[@]}" 2>>"$WORK/c2.log"
PID_c2=$LAST_PID

# 15:00: the link returns.
wait_until "$(at 15:00)"
proxy
wait_until "$(at 19:30)"
# The day is over; stop the counties, each delivering what waits, and compare.
for id in c1 c2 c3; do
	eval "pid=\$PID_$id"
	kill -TERM "$pid"
	wait "$pid" || true
done
for id in c1 c2 c3; do
	check "$id: nothing left in the uplink outbox or change list" test \
		"$(cq $id "SELECT (SELECT count(*) FROM uplink_outbox) + (SELECT count(*) FROM uplink_dirty)")" = 0
done

for id in c1 c2 c3; do
	"$BIN/pvrelief" -c "$WORK/$id.conf" health --day "$DAY" --format json >"$WORK/$id.json"
done
cat >"$WORK/compare.py" <<'PY'
import json, subprocess, sys
w, binary, day = sys.argv[1:4]
hub = json.loads(subprocess.run([binary + "/pvrelief-hub", "health", "--db", w + "/hub.db", "--day",
                                 day, "--format", "json"], check=True, capture_output=True).stdout)
got = {(c["id"], s["id"]): s for c in hub["counties"] for s in c["stations"]}
want = {}
for cid in ("c1", "c2", "c3"):
    for s in json.load(open("%s/%s.json" % (w, cid)))["stations"]:
        want[(cid, s["id"])] = s
assert set(got) == set(want), (sorted(got), sorted(want))
for k, s in want.items():
    g = got[k]
    assert s["eta"] is not None and g["eta"] is not None, (k, s["eta"], g["eta"])
    assert "%.4f" % s["eta"] == "%.4f" % g["eta"], (k, s["eta"], g["eta"])
    assert round(s["energy_kwh"] * 1000) == round(g["energy_wh"]), (k, s["energy_kwh"], g["energy_wh"])
    assert g["energy_wh"] > 100000, (k, g["energy_wh"])
for c in hub["counties"]:
    assert c["name"] == "县 " + c["id"] and c["status"] == "offline", c
    assert round(c["energy_wh"]) == round(sum(s["energy_wh"] for s in c["stations"])), c["id"]
print("stations compared:", len(want))
PY
# The hub may still be storing the last messages the counties sent as they stopped.
wait_for 30 "the hub's province table to equal the union of the county tables" \
	python3 "$WORK/compare.py" "$WORK" "$BIN" "$DAY" &&
	pass "the hub's province table equals the union of the county tables (eta to 4 decimals, energy to the Wh)"
python3 "$WORK/compare.py" "$WORK" "$BIN" "$DAY" || true
"$BIN/pvrelief-hub" health --db "$WORK/hub.db" --day "$DAY"

for id in c1 c2 c3; do
	want=$(cq $id "SELECT group_concat(id) FROM (SELECT id FROM alert_event ORDER BY id)")
	got=$(hubq "SELECT group_concat(event_id) FROM (SELECT event_id FROM hub_alert_event WHERE county = '$id' ORDER BY event_id)")
	check "$id: every alert event at the hub, each once ($want)" test "$got" = "$want"
done
check "c1's fault, raised and cleared while the hub was killed, is at the hub" test \
	"$(hubq "SELECT group_concat(type) FROM (SELECT type FROM hub_alert_event WHERE county = 'c1' AND kind = 'fault' ORDER BY event_id)")" \
	= "raised,cleared"
check "the restarted hub resumed its session at the broker" grep -q "connected (session resumed)" "$WORK/hub.log"
check "c2's fault is raised and cleared at the hub" test \
	"$(hubq "SELECT group_concat(type) FROM (SELECT type FROM hub_alert_event WHERE county = 'c2' AND kind = 'fault' ORDER BY event_id)")" \
	= "raised,cleared"
"$BIN/pvrelief-hub" alerts --db "$WORK/hub.db" >"$WORK/alerts.txt"
check "pvrelief-hub alerts lists c2's fault" grep -qE "^c2 +cleared .*fault +c2-a" "$WORK/alerts.txt"
for id in c1 c2 c3; do
	check "$id: the hub's station-days are the county's (one row each)" test \
		"$(hubq "SELECT group_concat(station || day) FROM (SELECT station, day FROM hub_station_day WHERE county = '$id' ORDER BY 1, 2)")" \
		= "$(cq $id "SELECT group_concat(station || day) FROM (SELECT station, day FROM station_eff_day ORDER BY 1, 2)")"
	check "$id: the hub's curtailment figures are the county's" test \
		"$(hubq "SELECT group_concat(coalesce(round(curtailed_wh), 'null') || '/' || coalesce(round(curtail_loss_wh), 'null')) FROM (SELECT * FROM hub_station_day WHERE county = '$id' ORDER BY station, day)")" \
		= "$(cq $id "SELECT group_concat(coalesce(round(curtailed_wh), 'null') || '/' || coalesce(round(curtail_loss_wh), 'null')) FROM (SELECT * FROM station_eff_day ORDER BY station, day)")"
	check "$id: the hub's months are the county's" test \
		"$(hubq "SELECT group_concat(station || month || ':' || round(energy_wh)) FROM (SELECT * FROM hub_station_month WHERE county = '$id' ORDER BY station, month)")" \
		= "$(cq $id "SELECT group_concat(station || month || ':' || round(energy_wh)) FROM (SELECT * FROM station_month ORDER BY station, month)")"
done
for id in c1 c2; do
	check "$id: the hub's ledger head is the county's" test \
		"$(hubq "SELECT seq || ':' || hash FROM hub_ledger_head WHERE county = '$id'")" \
		= "$(cq $id "SELECT seq || ':' || hash FROM ledger ORDER BY seq DESC LIMIT 1")"
done
check "c3, whose ledger is empty, sent no head" \
	test "$(hubq "SELECT count(*) FROM hub_ledger_head WHERE county = 'c3'")" = 0
"$BIN/pvrelief-hub" ledger --db "$WORK/hub.db" >"$WORK/ledger.txt"
check "pvrelief-hub ledger lists c2's head" grep -qE "^c2 +$(cq c2 "SELECT seq FROM ledger ORDER BY seq DESC LIMIT 1") [0-9a-f]{64}$" "$WORK/ledger.txt"

# The county month KPIs at the hub are the county's own, computed at the same clock.
cat >"$WORK/kpi.py" <<'PY'
import json, os, subprocess, sys, time
w, binary, county = sys.argv[1:4]
hub = json.loads(subprocess.run([binary + "/pvrelief-hub", "kpi", "--db", w + "/hub.db", "--month",
                                 "2026-06", "--format", "json"], check=True, capture_output=True).stdout)
k = [x for x in hub if x["county"] == county]
assert len(k) == 1, hub
k = k[0]
env = dict(os.environ, PVRELIEF_NOW=time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(k["until"])))
c = json.loads(subprocess.run([binary + "/pvrelief", "-c", "%s/%s.conf" % (w, county), "health",
                               "--month", "2026-06", "--format", "json"], env=env, check=True,
                              capture_output=True).stdout)["county_figures"]
assert c["eta"] is not None and "%.4f" % c["eta"] == "%.4f" % k["eta"], (c["eta"], k["eta"])
assert "%.2f" % c["capability_pct"] == "%.2f" % k["capability_pct"], (c["capability_pct"], k)
assert "%.4f" % c["online_rate"]["rate"] == "%.4f" % k["online_rate"], (c["online_rate"], k)
assert c["meets_county_target"] == k["meets_county_target"], (c, k)
assert c["stations_meeting_target"] == k["stations_meeting_target"], (c, k)
assert round(c["energy_kwh"] * 1000) == round(k["energy_wh"]), (c["energy_kwh"], k)
assert k["pr"] is not None and 0.3 < k["pr"] < 1.2, k
print(county, "eta", k["eta"], "PR", k["pr"], "online", k["online_rate"])
PY
for id in c1 c2 c3; do
	check "$id: the hub's month KPIs are the county's (eta, capability, online rate, target)" \
		python3 "$WORK/kpi.py" "$WORK" "$BIN" "$id"
done
"$BIN/pvrelief-hub" health --db "$WORK/hub.db" --day "$DAY" >"$WORK/health.txt"
check "pvrelief-hub health shows each county's month KPIs and c1's ledger head" bash -c \
	"test \$(grep -c '^month .* 2026-06 *eta ' '$WORK/health.txt') = 3 && grep -q '^ledger *c1 *seq ' '$WORK/health.txt'"
check "the hub has a live summary of every station" test "$(hubq "SELECT count(*) FROM hub_live")" = 6
# Live summaries: c1 ran from 05:00 to 19:30 of clock, 174 rounds of live_interval (300 s) for
# each of its two stations; the deadband (2 kW) holds back the rounds where a station's power
# barely moved, the heartbeat (3600 s) still sends each at least 14 times.
LIVE=$(grep -c "Received PUBLISH from c1 .*'pvrelief/c1/live'" "$WORK/broker.log" || true)
echo "c1 sent $LIVE live summaries for 2 stations over 174 rounds"
check "the deadband holds back live summaries ($LIVE of at most 348)" test "$LIVE" -lt 250
check "the heartbeat still sends each station hourly ($LIVE of at least 28)" test "$LIVE" -ge 28
check "the hub never shows what c3 published as c1 or c9" test \
	"$(hubq "SELECT count(*) FROM hub_station_day WHERE rev = 999999999") $(hubq "SELECT count(*) FROM hub_county WHERE county = 'c9'")" = "0 0"
check "the counties' last will or goodbye reached the hub" test \
	"$(hubq "SELECT group_concat(status) FROM (SELECT status FROM hub_county ORDER BY county)")" = "offline,offline,offline"
kill -TERM "$HUB_PID"
wait "$HUB_PID" || true
check "the hub's database is intact" bash -c "sqlite3 '$WORK/hub.db' 'PRAGMA integrity_check' | grep -qx ok"

# The console's province pages over this hub's database show each county's own figures, its
# ledger head as its own `pvrelief ledger verify` gives it, and its month KPIs.
WEB_PORT=$(free_port)
spawn "$BIN/pvrelief-web" -c "$WORK/c1.conf" --hub-db "$WORK/hub.db" --port "$WEB_PORT" \
	--ready-file "$WORK/web.ready" 2>>"$WORK/web.log"
wait_for 20 "pvrelief-web over the hub's database" test -e "$WORK/web.ready"
for id in c1 c2 c3; do
	curl -s "http://127.0.0.1:$WEB_PORT/api/province/county/$id?day=$DAY" >"$WORK/web-$id.json"
	check "$id: the console's province page has the county's η (4 decimals) and energy (Wh)" python3 -c "
import json, sqlite3, sys
j = json.load(open(sys.argv[1]))
con = sqlite3.connect(sys.argv[2])
want = {s: (round(e, 4) if e is not None else None, round(w)) for s, e, w in con.execute(
    'SELECT station, eta, energy_wh FROM station_eff_day WHERE day = ?', (sys.argv[3],))}
got = {s['id']: (round(s['eta_day'], 4) if s['eta_day'] is not None else None,
                 round(s['energy_day_kwh'] * 1000)) for s in j['stations']}
assert got == want, (got, want)
act, th = con.execute('SELECT sum(e_act_wh), sum(eth_wh) FROM station_eff_day WHERE day = ? AND eta IS NOT NULL', (sys.argv[3],)).fetchone()
assert round(j['county']['eta_day'], 4) == round(act / th, 4), (j['county'], act / th)
assert j['county']['status'] == 'offline' and j['county']['stations_online'] == 0
" "$WORK/web-$id.json" "$WORK/$id.db" "$DAY"
	# The ledger head the console shows is the one the county's own `pvrelief ledger verify`
	# reports (c3's ledger is empty: it sent none, and the console says so).
	head=$("$BIN/pvrelief" -c "$WORK/$id.conf" ledger verify |
		sed -n 's/.* entries, head \([0-9]*:[0-9a-f]*\).*/\1/p')
	curl -s "http://127.0.0.1:$WEB_PORT/province?day=$DAY" >"$WORK/web-province-$id.html"
	check "$id: the console's ledger head is the county's own ($head) on the page and in the API" python3 -c "
import html, json, re, sqlite3, sys
head, page, j = sys.argv[1], open(sys.argv[2]).read(), json.load(open(sys.argv[3]))
row = re.search(r'<tr data-county=\"%s\">(.*?)</tr>' % sys.argv[4], page, re.S).group(1)
seq, h = head.split(':')
if seq == '0':
    assert j['county']['ledger_head'] is None, j['county']['ledger_head']
    assert '<span data-f=\"head\">未收到</span>' in row, row
else:
    assert (j['county']['ledger_head']['seq'], j['county']['ledger_head']['hash']) == (int(seq), h), (j['county']['ledger_head'], head)
    m = re.search(r'data-f=\"head\" title=\"([0-9a-f]{64})\">(\d+) · ([0-9a-f]{12})</span>', row)
    assert m and m.groups() == (h, seq, h[:12]), (m and m.groups(), head)
con = sqlite3.connect(sys.argv[5])
eta, meets = con.execute('SELECT eta, meets_target FROM hub_county_kpi WHERE county = ? AND month = ?', (sys.argv[4], sys.argv[6][:7])).fetchone()
k = j['county']['month_kpi']
assert k is not None and abs(k['eta'] - eta) < 1e-12 and k['meets_county_target'] == bool(meets), (k, eta, meets)
" "$head" "$WORK/web-province-$id.html" "$WORK/web-$id.json" "$id" "$WORK/hub.db" "$DAY"
done
finish
