# The operations console pvrelief-web in a real browser (headless Chromium through
# python3-selenium) against a database the daemon fills from the simulator on a shared
# simulated clock: every page shows the figures the database holds, an alert appears live
# without a reload, acknowledging one records it with the user in the history, a station and
# a note named <script>alert(1)</script> show as text, writes without a login are refused,
# malformed requests get 4xx and the server stays up, a missing or locked database and a
# stopped daemon give clear pages. Screenshots at phone and desktop width are kept in
# build/test-artifacts/web_console/.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

PY=/usr/bin/python3 # Debian's, which has python3-selenium
ART="$BIN/test-artifacts/web_console"
rm -rf "$ART"
mkdir -p "$ART"
DB="$WORK/w.db"
p1=$(free_port)
p2=$(free_port)
p3=$(free_port)
WEB_PORT=$(free_port)
cat >"$WORK/w.conf" <<CONF
county = { id = "it"; name = "测试县"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 30; energy_interval = 30; timeout_ms = 500; night_interval = 300; };
efficiency = { basis = "poa"; interval = 60; };
alerts = { language = "zh"; raise_delay = 60; fault_minutes = 1; offline_minutes = 5; };
web = { users_file = "users"; silent_after = 240; login_attempts = 3; };
towns = ( { id = "t1"; name = "城关镇"; villages = ( { id = "v1"; name = "东村"; }, { id = "v2"; name = "西村"; } ); } );
stations = (
  { id = "s1"; name = "东村电站"; village = "v1"; lat = 31.60; lon = 115.90; capacity_kwp = 100.0; tilt = 25.0;
    devices = ( { id = "inv1"; host = "127.0.0.1"; port = $p1; unit = 1; rated_power_w = 45000.0; dc_kwp = 50.0; },
                { id = "inv2"; host = "127.0.0.1"; port = $p1; unit = 2; rated_power_w = 45000.0; dc_kwp = 50.0; },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $p1; unit = 3; } ); },
  { id = "s2"; name = "西村电站"; village = "v2"; lat = 31.65; lon = 115.95; capacity_kwp = 60.0; tilt = 25.0;
    devices = ( { id = "inv1"; host = "127.0.0.1"; port = $p2; unit = 1; rated_power_w = 30000.0; dc_kwp = 30.0; },
                { id = "inv2"; host = "127.0.0.1"; port = $p2; unit = 2; rated_power_w = 30000.0; dc_kwp = 30.0; sim = { health = 0.6; }; } ); },
  { id = "s3"; name = "<script>alert(1)</script>"; village = "v2"; lat = 31.55; lon = 115.85; capacity_kwp = 60.0;
    devices = ( { id = "inv1"; host = "127.0.0.1"; port = $p3; unit = 1; rated_power_w = 50000.0; } ); }
);
CONF

# A user, made as the README says; the file must keep others out.
printf 'correct horse battery\n' | "$BIN/pvrelief-web" -c "$WORK/w.conf" --add-user 管理员 2>"$WORK/adduser.err"
check "--add-user writes a yescrypt hash" grep -q '^管理员:\$y\$' "$WORK/users"
check "the users file is not readable by others" test "$(stat -c %a "$WORK/users")" = 640
chmod o+r "$WORK/users"
set +e
"$BIN/pvrelief-web" -c "$WORK/w.conf" -n >"$WORK/check.out" 2>&1
rc=$?
set -e
check "a users file readable by others is refused ($rc)" bash -c "[ $rc -ne 0 ] && grep -q 'accessible to others' '$WORK/check.out'"
chmod o-rwx "$WORK/users"

use_clock "2026-06-21 10:00:00+08:00" 60
start_sim "$WORK/w.conf"
start_daemon "$WORK/w.conf"
spawn "$BIN/pvrelief-web" -c "$WORK/w.conf" "${CLOCK[@]}" --port "$WEB_PORT" \
	--ready-file "$WORK/web.ready" 2>>"$WORK/web.log"
WEB_PID=$LAST_PID
wait_for 20 "pvrelief-web" test -e "$WORK/web.ready"
URL="http://127.0.0.1:$WEB_PORT"
wait_for 60 "readings and a day's figures" bash -c \
	"[ \$(sqlite3 '$DB' 'SELECT count(*) FROM station_eff_day') -ge 2 ]"

# Writes without a login, through plain HTTP: refused, nothing recorded.
q "INSERT INTO alert (id, kind, severity, station, device, raised_at, title, detail, figures)
   VALUES (900, 'data_anomaly', 'warning', 's1', 'inv1', 1782007200, 'a test alert', 'd', '{}')"
check "a write without login is refused" "$PY" "$SRC/tests/integration/lib/web_client.py" nologin "$URL"
check "and nothing was recorded" test "$(q "SELECT coalesce(ack_by, '') FROM alert WHERE id = 900")" = ""
check "malformed requests get 4xx and the server stays up" \
	"$PY" "$SRC/tests/integration/lib/web_client.py" malformed "$URL"

# The browser: live alert, acknowledgement, maintenance, escaping, figures, screenshots.
export URL DB ART WORK BIN SRC
set +e
"$PY" "$SRC/tests/integration/lib/web_browser.py" live 2>&1 | tee "$WORK/browser.out"
rc=${PIPESTATUS[0]}
set -e
check "browser: live alert, acknowledgement, escaping, maintenance ($rc)" test "$rc" -eq 0
check "the acknowledgement is in the history pvrelief history shows" bash -c \
	"'$BIN/pvrelief' -c '$WORK/w.conf' history alert | grep -q '管理员.*acknowledge.*note=<script>alert(1)</script> 已到场'"
check "the maintenance entry is in the ledger and the history" bash -c \
	"[ \"\$(sqlite3 '$DB' \"SELECT kind || '|' || by FROM maintenance_log WHERE station = 's2'\")\" = 'cleaning|张师傅' ] && '$BIN/pvrelief' -c '$WORK/w.conf' history maintenance_log | grep -q '管理员'"

# The poller writes device diagnostics every 30 s; wait for them, and read /metrics while the
# daemon runs.
wait_for 60 "device diagnostics" bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM device_diag') -ge 6 ]"
curl -s "$URL/metrics" >"$WORK/metrics-live.txt"
# Stop the daemon: the figures hold still, so pages and database can be compared exactly,
# and the pages must say the daemon is silent.
kill "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
set +e
"$PY" "$SRC/tests/integration/lib/web_browser.py" figures 2>&1 | tee -a "$WORK/browser.out"
rc=${PIPESTATUS[0]}
set -e
check "browser: pages show the database's figures, daemon silent, screenshots ($rc)" test "$rc" -eq 0
for f in overview-desktop overview-phone station-desktop station-phone alerts-desktop alerts-phone; do
	check "screenshot $f.png kept" test -s "$ART/$f.png"
done

"$BIN/pvrelief" -c "$WORK/w.conf" health --format json --clock-start "2026-06-21 10:00:00+08:00" >"$WORK/cli-health.json"
curl -s "$URL/api/health" >"$WORK/web-health.json"
check "/api/health has the CLI's figures" "$PY" -c "
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
sa = {s['id']: s for s in a['stations']}; sb = {s['id']: s for s in b['stations']}
assert set(sa) == set(sb) == {'s1', 's2', 's3'}, (sa.keys(), sb.keys())
for k in sa:
    for f in ('eta', 'energy_kwh', 'pr', 'equivalent_hours', 'mark'):
        assert sa[k][f] == sb[k][f], (k, f, sa[k][f], sb[k][f])
assert set(a) == set(b)
" "$WORK/cli-health.json" "$WORK/web-health.json"
curl -s -D "$WORK/xlsx.h" -o "$WORK/h.xlsx" "$URL/health?format=xlsx"
check "the health table downloads as XLSX" bash -c "grep -qi 'spreadsheetml' '$WORK/xlsx.h' && [ \"\$(head -c 2 '$WORK/h.xlsx')\" = PK ]"
curl -s "$URL/health?format=csv" >"$WORK/h.csv"
check "and as CSV with every station" bash -c "grep -q '^station,s1,' '$WORK/h.csv' && grep -q '^station,s3,' '$WORK/h.csv'"
curl -s "$URL/metrics" >"$WORK/metrics.txt"
check "/metrics is Prometheus text with station power and build info" "$PY" -c "
import re, sys
live = open(sys.argv[2]).read()
assert re.search(r'pvrelief_station_power_watts\{station=\"s1\"\} [1-9]', live), live
assert 'pvrelief_daemon_silent 0' in live
text = open(sys.argv[1]).read()
line = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\})? -?[0-9.e+-]+\$')
for l in text.splitlines():
    assert l.startswith('# HELP ') or l.startswith('# TYPE ') or line.match(l), l
assert '# TYPE pvrelief_station_power_watts gauge' in text
assert 'pvrelief_build_info{version=' in text and 'pvrelief_station_energy_joules_total{station=\"s1\"}' in text
assert re.search(r'pvrelief_modbus_requests_total\{station=\"s1\",result=\"ok\"\} [1-9]', text)
assert 'pvrelief_daemon_silent 1' in text
" "$WORK/metrics.txt" "$WORK/metrics-live.txt"

# A locked database: a write waits for the lock, then says so; nothing half-written.
check "a locked database refuses a write clearly" "$PY" "$SRC/tests/integration/lib/web_client.py" locked "$URL"
# Last, since it locks this address out of logging in for 15 minutes.
check "the login is rate limited" "$PY" "$SRC/tests/integration/lib/web_client.py" ratelimit "$URL"
# A missing database: a clear page, not a crash or an empty new file.
MISSING_PORT=$(free_port)
spawn "$BIN/pvrelief-web" -c "$WORK/w.conf" --database "$WORK/none.db" --port "$MISSING_PORT" \
	--ready-file "$WORK/web2.ready" 2>>"$WORK/web2.log"
wait_for 20 "the second console" test -e "$WORK/web2.ready"
code=$(curl -s -o "$WORK/missing.html" -w '%{http_code}' "http://127.0.0.1:$MISSING_PORT/")
check "a missing database gives 503 and says so ($code)" bash -c "[ $code = 503 ] && grep -q 'does not exist' '$WORK/missing.html' && [ ! -e '$WORK/none.db' ]"
check "the console is still serving" kill -0 "$WEB_PID"

# TLS through libmicrohttpd's GnuTLS: HTTPS answers and the session cookie is Secure.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$WORK/key.pem" \
	-out "$WORK/cert.pem" 2>/dev/null
sed 's|^web = {|web = { tls_cert_file = "cert.pem"; tls_key_file = "key.pem"; read_requires_login = true;|' \
	"$WORK/w.conf" >"$WORK/tls.conf"
TLS_PORT=$(free_port)
spawn "$BIN/pvrelief-web" -c "$WORK/tls.conf" --port "$TLS_PORT" --ready-file "$WORK/web3.ready" 2>>"$WORK/web3.log"
wait_for 20 "the TLS console" test -e "$WORK/web3.ready"
code=$(curl -s --cacert "$WORK/cert.pem" -D "$WORK/tls.h" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$TLS_PORT/login")
check "HTTPS answers ($code) with a Secure, HttpOnly, SameSite=Strict session cookie" bash -c \
	"[ $code = 200 ] && grep -i '^set-cookie: pvw_sid=' '$WORK/tls.h' | grep -q 'Secure.*HttpOnly\|HttpOnly.*Secure' && grep -qi 'SameSite=Strict' '$WORK/tls.h'"
code=$(curl -s --cacert "$WORK/cert.pem" -o /dev/null -w '%{http_code} %{redirect_url}' "https://127.0.0.1:$TLS_PORT/")
check "with read_requires_login a page sends to the login ($code)" test "$code" = "303 https://127.0.0.1:$TLS_PORT/login"
code=$(curl -s --cacert "$WORK/cert.pem" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$TLS_PORT/api/live")
check "and the API answers 401 ($code)" test "$code" = 401
check "plain HTTP on the TLS port gets no page" bash -c "! curl -s -m 5 http://127.0.0.1:$TLS_PORT/ | grep -q html"
finish
