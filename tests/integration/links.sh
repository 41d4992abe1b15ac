# Links priced by the byte: the daemon's own count of the IP bytes its polls put on each
# gateway's link agrees within 5% with tcpdump's count of the same packets; a station whose
# gateway's monthly budget the month's projection passes raises link_budget, which clears
# when the projection falls back; with link_adaptive its fast interval is stretched (fewer
# polls, the links table and the console's health page say so) while its energy stays what
# the simulator's model produced, as for a station read every minute. Two hours of a June day
# at 300x (a simulated minute between polls stays longer than Linux's delayed-ACK timer, as on
# a real link).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DB="$WORK/l.db"
pa=$(free_port) pb=$(free_port) pc=$(free_port)
inv() { echo "{ id = \"$1\"; host = \"127.0.0.1\"; port = $2; unit = $3; rated_power_w = 30000.0; }"; }
cat >"$WORK/l.conf" <<CONF
county = { id = "it"; };
database = { path = "$DB"; };
alerts = { language = "en"; raise_delay = 120; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "solo"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 30.0;
    devices = ( $(inv i1 "$pa" 1) ); },
  { id = "twin"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 90.0;
    devices = ( $(inv i1 "$pb" 1), $(inv i2 "$pb" 2), $(inv i3 "$pb" 3) ); },
  { id = "adapt"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 90.0;
    link_budget_mb = 30.0; link_adaptive = true;
    devices = ( $(inv i1 "$pc" 1), $(inv i2 "$pc" 2), $(inv i3 "$pc" 3) ); } );
CONF

# A month that has spent 25 MB in its first 20 days on the adaptive station's gateway: at that
# rate the month comes to about 37 MB, past its 30 MB budget.
# The daemon creates the database: run it once on a May clock (nothing to poll yet) and stop it.
spawn "$BIN/pvreliefd" -c "$WORK/l.conf" --clock-start "2026-05-01 00:00:00+08:00" --clock-rate 1 \
	2>"$WORK/first.log"
wait_for 20 "the daemon to create the database" \
	bash -c "sqlite3 '$DB' 'SELECT count(*) FROM link_day' >/dev/null 2>&1"
kill -TERM "$LAST_PID"
wait "$LAST_PID" || true
for d in $(seq -w 1 20); do
	q "INSERT INTO link_day (gateway, device_id, day, wire_bytes, polls) VALUES
	   ('127.0.0.1:$pc', 0, '2026-06-$d', 1250000, 0)"
done

CAPTURE=0
if command -v tcpdump >/dev/null; then
	spawn tcpdump -i lo -U -s 128 -w "$WORK/cap.pcap" \
		"tcp port $pa or tcp port $pb or tcp port $pc" 2>"$WORK/tcpdump.log"
	TCPDUMP_PID=$LAST_PID
	if wait_for 10 "tcpdump listening" grep -q "listening on" "$WORK/tcpdump.log"; then
		CAPTURE=1
	else
		FAILED=$((FAILED - 1)) # wait_for counted it; said below why nothing is compared
		echo "tcpdump cannot capture here: $(cat "$WORK/tcpdump.log")"
	fi
fi

use_clock "2026-06-21 10:00:00+08:00" 300
start_sim "$WORK/l.conf"
start_daemon "$WORK/l.conf"
wait_for 30 "a link_budget alert for the adaptive station" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'link_budget' AND station = 'adapt'\") -ge 1 ]"
pass "the month's projection past the budget raised link_budget"
check "the alert names the gateway and the projection" bash -c \
	"sqlite3 '$DB' \"SELECT detail FROM alert WHERE kind = 'link_budget'\" |
	 grep -q 'gateway 127.0.0.1:$pc used 25.*projection 3[0-9].[0-9] MB passes its 30.0 MB budget'"
check "no link_budget alert for stations without a budget" test \
	"$(q "SELECT count(*) FROM alert WHERE kind = 'link_budget' AND station <> 'adapt'")" = 0

# Two hours of clock: 24 s.
sleep 24
"$BIN/pvrelief" -c "$WORK/l.conf" health --links --format json "${CLOCK[@]}" >"$WORK/links.json"
"$BIN/pvrelief" -c "$WORK/l.conf" health --links "${CLOCK[@]}" >"$WORK/links.txt"
cat "$WORK/links.txt"

# Most of the month's spending goes away: the projection falls below the budget and the alert
# clears.
q "UPDATE link_day SET wire_bytes = 100000 WHERE device_id = 0 AND gateway = '127.0.0.1:$pc' AND day < '2026-06-21'"
wait_for 30 "the link_budget alert to clear" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert WHERE kind = 'link_budget' AND cleared_at IS NOT NULL\") -eq 1 ]"
pass "the projection back under the budget cleared it"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true

polls() { q "SELECT sum(polls) FROM link_day WHERE gateway = '127.0.0.1:$1'"; }
np_twin=$(polls "$pb") np_adapt=$(polls "$pc")
check "the adaptive gateway was read less often ($np_adapt polls against $np_twin)" \
	awk -v a="$np_adapt" -v t="$np_twin" 'BEGIN { exit !(a > 0 && t > 0 && a < 0.75 * t) }'
iv=$(q "SELECT max(interval_s) FROM link_day WHERE gateway = '127.0.0.1:$pc'")
check "the stretched interval is recorded ($iv s), within the night heartbeat" \
	awk -v i="$iv" 'BEGIN { exit !(i > 90 && i <= 900) }'
# Energy comes from the lifetime counters: read less often, a station still counts what the
# simulator's model produced between its first and last readings, as the station read every
# minute does.
for st in twin adapt; do
	read -r first last <<<"$(q "SELECT CAST(min(r.ts) AS INTEGER), CAST(max(r.ts) AS INTEGER)
		FROM reading r JOIN device d ON d.id = r.device_id WHERE d.station = '$st'" | tr '|' ' ')"
	model=$("$BIN/tests/sim_expect" "$WORK/l.conf" "$st" "$first" "$last" eta | awk '{ print $1 }')
	got=$(q "SELECT sum(r.energy_wh) FROM rollup_day r JOIN device d ON d.id = r.device_id WHERE d.station = '$st'")
	check "$st: energy $got Wh within 2% of the model's $model Wh over its readings" \
		awk -v a="$got" -v m="$model" 'BEGIN { exit !(m > 10000 && (a / m - 1) ^ 2 < 0.02 ^ 2) }'
done

python3 - "$WORK/links.json" "$pa" "$pc" <<'PY' && pass "health --links JSON: megabytes, projection, budget, the stretched interval" || fail "health --links JSON"
import json, sys
d = json.load(open(sys.argv[1]))
g = {x["gateway"]: x for x in d["gateways"]}
solo, adapt = g["127.0.0.1:" + sys.argv[2]], g["127.0.0.1:" + sys.argv[3]]
assert d["month"] == "2026-06" and d["day"] == "2026-06-21", d
assert 0 < solo["today_mb"] == solo["month_mb"] < 0.2, solo
assert solo["budget_mb"] is None and not solo["over_budget"] and not solo["read_less_often"], solo
assert abs(solo["today_mb"] - sum(x["today_mb"] for x in solo["devices"]) - solo["connection_today_mb"]) < 1e-6, solo
assert solo["devices"][0]["polls_today"] >= 100, solo
assert abs(solo["projection_mb"] - solo["month_mb"] / d["month_elapsed_fraction"]) < 1e-3, (solo, d)
assert adapt["budget_mb"] == 30 and adapt["over_budget"] and adapt["adaptive"], adapt
assert 25 < adapt["month_mb"] < 26 and adapt["projection_mb"] > 30, adapt
assert adapt["read_less_often"] and adapt["interval_s"] > 90 and adapt["fast_interval_s"] == 60, adapt
PY
check "the table marks the stretched interval and the budget passed" bash -c \
	"grep -q '127.0.0.1:$pc .* s \*  OVER BUDGET' '$WORK/links.txt' && grep -q 'read less often' '$WORK/links.txt'"

# The console's health page shows the same table.
WEB_PORT=$(free_port)
spawn "$BIN/pvrelief-web" -c "$WORK/l.conf" --port "$WEB_PORT" --ready-file "$WORK/web.ready" \
	2>"$WORK/web.log"
wait_for 20 "pvrelief-web" test -e "$WORK/web.ready"
curl -s "http://127.0.0.1:$WEB_PORT/health?day=2026-06-21" >"$WORK/health.html"
check "the console's health page lists each gateway's traffic, the adaptive one read less often" \
	python3 - "$WORK/health.html" "$pa" "$pc" <<'PY'
import re, sys
html = open(sys.argv[1]).read()
table = re.search(r'<table id="links">(.*?)</table>', html, re.S).group(1)
rows = {r[0]: r for r in re.findall(r'<tr><td>([^<]*)</td><td class="hide-s">([^<]*)</td>(.*?)</tr>', table)}
solo, adapt = rows["127.0.0.1:" + sys.argv[2]], rows["127.0.0.1:" + sys.argv[3]]
assert solo[1] == "solo" and ">60 s<" in solo[2], solo
# Its month now holds 2 MB and a day (the earlier days were cut down above): under budget.
assert re.search(r'<td class="n">2\.0[0-9]{2}</td><td class="n">2\.[0-9]{3}</td><td class="n">30\.0</td>', adapt[2]), adapt
assert re.search(r'class="n warn">1[0-9][0-9] s \*<', adapt[2]), adapt
PY

if [ "$CAPTURE" = 1 ]; then
	kill -INT "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" 2>/dev/null || true
	python3 "$SRC/tools/bench/pcap_bytes.py" "$WORK/cap.pcap" "$pa" "$pb" "$pc" >"$WORK/cap.txt"
	for p in "$pa" "$pb" "$pc"; do
		own=$(q "SELECT sum(wire_bytes) FROM link_day WHERE gateway = '127.0.0.1:$p' AND day = '2026-06-21'")
		cap=$(awk -v p="$p" '$1 == p { print $2 }' "$WORK/cap.txt")
		check "gateway $p: the daemon counts $own bytes, tcpdump $cap: within 5%" \
			awk -v a="$own" -v b="$cap" 'BEGIN { exit !(b > 10000 && (a / b - 1) ^ 2 <= 0.05 ^ 2) }'
	done
else
	echo "skipped: comparing with tcpdump (tcpdump is not installed or may not capture on lo)"
fi
finish
