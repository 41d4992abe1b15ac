# The console's province pages in a real browser (headless Chromium through python3-selenium)
# over a hub database filled through the hub's own ingest (hub_fill: the messages each county's
# uplink would send, built by publish_uplink.c from three county configurations and stored by
# hub_ingest): the counties are ranked by η of the day and of the month as the database says,
# with their figures; the map has every station; a county's page ranks its stations and lists
# its active alerts; a station's page shows its days, months and alert events; a county and
# stations named with markup show as text; each county's ledger head and month KPIs as the
# hub received them, "none received" for c3 that sent none; Chinese by default, English by the switch; bad
# days and unknown counties get 400 and 404; the JSON API says what the pages say.
# Screenshots at phone and desktop width are kept in build/test-artifacts/web_province/.
. "$(dirname "$0")/lib/common.sh"

PY=/usr/bin/python3 # Debian's, which has python3-selenium
ART="$BIN/test-artifacts/web_province"
rm -rf "$ART"
mkdir -p "$ART"
DAY=2026-06-21

add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
county() { # county ID NAME LAT LON: three stations, the first named with markup
	local id=$1 name=$2 lat=$3 lon=$4
	cat >"$WORK/$id.conf" <<CONF
county = { id = "$id"; name = "$name"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$WORK/$id.db"; };
towns = ( { id = "t-$id"; name = "城关镇"; villages = ( { id = "v-$id"; name = "东村"; } ); } );
stations = (
  { id = "$id-a"; name = "<img src=x onerror=alert(2)>"; village = "v-$id"; lat = $lat; lon = $lon; capacity_kwp = 100.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = 1502; unit = 1; rated_power_w = 100000.0; } ); },
  { id = "$id-b"; name = "$name 二号站"; village = "v-$id"; lat = $(add "$lat" 0.1); lon = $(add "$lon" 0.15); capacity_kwp = 60.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = 1502; unit = 2; rated_power_w = 60000.0; } ); },
  { id = "$id-c"; name = "$name 三号站"; village = "v-$id"; lat = $(add "$lat" -0.1); lon = $(add "$lon" 0.2); capacity_kwp = 80.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = 1502; unit = 3; rated_power_w = 80000.0; } ); }
);
CONF
}
county c1 "<script>alert(1)</script>" 31.6 115.9
county c2 "砀山县" 34.4 116.3
county c3 "金寨县" 31.7 115.8

"$BIN/tests/hub_fill" --db "$WORK/hub.db" --day "$DAY" --seed 6 --bare c3 "$WORK/c1.conf" "$WORK/c2.conf" "$WORK/c3.conf"
HUB="$WORK/hub.db"
hubq() { sqlite3 "$HUB" "$1"; }
check "the hub's database has every county's stations and days" test \
	"$(hubq "SELECT count(*) || '/' || count(DISTINCT county) FROM hub_station") $(hubq "SELECT count(*) FROM hub_station_day")" = "9/3 189"
check "the hub has the ledger heads and month KPIs of c1 and c2, none of c3" test \
	"$(hubq "SELECT group_concat(county) FROM hub_ledger_head") $(hubq "SELECT group_concat(county || ':' || month) FROM hub_county_kpi")" = "c1,c2 c1:2026-06,c2:2026-06"

# The console of a county office, with the province pages from the hub's database (a path
# relative to the configuration, as the README says); its own county database is not needed
# for them.
WEB_PORT=$(free_port)
cat >"$WORK/w.conf" <<CONF
county = { id = "it"; name = "测试县"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$WORK/w.db"; };
web = { hub_database = "hub.db"; };
towns = ( { id = "t1"; name = "城关镇"; villages = ( { id = "v1"; name = "东村"; } ); } );
stations = ( { id = "s1"; village = "v1"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "inv1"; host = "127.0.0.1"; port = 1502; unit = 1; rated_power_w = 45000.0; } ); } );
CONF
"$BIN/pvrelief" -c "$WORK/w.conf" maintenance log s1 --kind inspection --by 张三 >/dev/null # the county's own database, for /metrics
spawn "$BIN/pvrelief-web" -c "$WORK/w.conf" --clock-start "$DAY 12:00:00+08:00" --clock-rate 1 \
	--port "$WEB_PORT" --ready-file "$WORK/web.ready" 2>>"$WORK/web.log"
WEB_PID=$LAST_PID
wait_for 20 "pvrelief-web" test -e "$WORK/web.ready"
URL="http://127.0.0.1:$WEB_PORT"
before=$(sha256sum "$HUB" | cut -d' ' -f1)

code() { curl -s -o /dev/null -w '%{http_code}' "$URL$1"; }
check "a bad day gives 400" test "$(code "/province?day=2026-02-30")" = 400
check "an unknown county gives 404" test "$(code "/province/county/nowhere")" = 404
check "an unknown station gives 404" test "$(code "/province/station/c1/nowhere")" = 404
check "a bad sort gives 400 from the API" test "$(code "/api/province?sort=x")" = 400
check "an unknown county gives 404 from the API" test "$(code "/api/province/county/nowhere")" = 404

curl -s "$URL/metrics" >"$WORK/metrics.txt"
check "/metrics has each county's η of the day and month, stations, alerts, ledger head and target met from the hub" "$PY" -c "
import re, sqlite3, sys
text = open(sys.argv[1]).read()
con = sqlite3.connect('file:' + sys.argv[2] + '?mode=ro', uri=True)
for c, eta in con.execute(\"SELECT county, sum(e_act_wh) / sum(eth_wh) FROM hub_station_day WHERE day = ? AND eta IS NOT NULL GROUP BY county\", (sys.argv[3],)):
    m = re.search(r'^pvrelief_county_generation_ratio\{county=\"%s\",period=\"day\"\} (\S+)\$' % c, text, re.M)
    assert m and abs(float(m.group(1)) - eta) < 1e-12, (c, eta, m and m.group(1))
    assert 'pvrelief_county_stations{county=\"%s\"} 3\n' % c in text, c
    assert 'pvrelief_county_alerts_active{county=\"%s\"} 1\n' % c in text, c
    assert re.search(r'^pvrelief_county_generation_ratio\{county=\"%s\",period=\"month\"\} 0\.\d+\$' % c, text, re.M), c
for c, seq in con.execute('SELECT county, seq FROM hub_ledger_head'):
    assert 'pvrelief_county_ledger_head_seq{county=\"%s\"} %d\n' % (c, seq) in text, (c, seq)
for c, meets in con.execute('SELECT county, meets_target FROM hub_county_kpi WHERE month = ?', (sys.argv[3][:7],)):
    assert 'pvrelief_county_meets_target{county=\"%s\"} %d\n' % (c, meets) in text, (c, meets)
assert 'pvrelief_county_ledger_head_seq{county=\"c3\"}' not in text and 'pvrelief_county_meets_target{county=\"c3\"}' not in text
assert '# TYPE pvrelief_county_power_watts gauge' in text
assert 'pvrelief_build_info{version=' in text
" "$WORK/metrics.txt" "$HUB" "$DAY"

export URL HUB ART WORK DAY
set +e
"$PY" "$SRC/tests/integration/lib/web_province.py" 2>&1 | tee "$WORK/browser.out"
rc=${PIPESTATUS[0]}
set -e
check "browser: ranking, figures, map, drill-down, escaping, languages, screenshots ($rc)" test "$rc" -eq 0
for f in province-desktop province-phone county-desktop county-phone station-desktop station-phone province-en county-none-phone; do
	check "screenshot $f.png kept" test -s "$ART/$f.png"
done
check "the console never wrote the hub's database" test "$(sha256sum "$HUB" | cut -d' ' -f1)" = "$before"
check "the console is still serving" kill -0 "$WEB_PID"

# Without a hub database the province pages say so and the county pages are unchanged.
NOHUB_PORT=$(free_port)
spawn "$BIN/pvrelief-web" -c "$WORK/w.conf" --hub-db "$WORK/none.db" --port "$NOHUB_PORT" \
	--ready-file "$WORK/web2.ready" 2>>"$WORK/web2.log"
wait_for 20 "the second console" test -e "$WORK/web2.ready"
c=$(curl -s -o "$WORK/nohub.html" -w '%{http_code}' "http://127.0.0.1:$NOHUB_PORT/province")
check "a missing hub database gives 503 and says so ($c), creating nothing" bash -c \
	"[ $c = 503 ] && grep -q 'does not exist' '$WORK/nohub.html' && [ ! -e '$WORK/none.db' ]"
finish
