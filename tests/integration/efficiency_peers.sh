# Peer normalisation as the last irradiance source: seven stations with no sensor, no weather
# service and no typical-year table, polled over a simulated June morning (08:00-12:30 local at
# 300x). Six stand within a few km of one another (four clean, one soiled to half its output,
# one with two inverters of which one is soiled); the seventh is 150 km away with no peer in
# reach. The six take the median final yield of their healthy neighbours as their source (grade
# 4): the clean ones read about 1, the soiled one about half; the lone station falls back to the
# unscaled clear sky. The peer figures are stored, shown by `pvrelief health`, and computed again
# from the stored peers by --recompute; each inverter gets its own figures on its share of the
# station's capacity.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

DAY=2026-06-21
START="$DAY 08:00:00+08:00"
RATE=300
T0=$(date -d "$START" +%s)
END=$(date -d "$DAY 12:30:00+08:00" +%s)

station() { # station ID PORT HEALTH LAT LON
	echo "  { id = \"$1\"; village = \"v\"; lat = $4; lon = $5; altitude = 80.0;
    capacity_kwp = 100.0; tilt = 25.0; azimuth = 180.0;
    devices = ( { id = \"inv\"; host = \"127.0.0.1\"; port = $2; unit = 1; rated_power_w = 100000.0;
                  sim = { health = $3; }; } ); }"
}
DB="$WORK/peers.db"
{
	cat <<CONF
county = { id = "it"; name = "测试县"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 60; energy_interval = 60; timeout_ms = 800; retries = 1;
            unit_gap_ms = 5; workers = 6; max_backoff = 60; };
efficiency = { basis = "poa"; interval = 300; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
CONF
	station a "$(free_port)" 1.0 31.60 115.90
	echo ","
	station b "$(free_port)" 1.0 31.62 115.92
	echo ","
	station c "$(free_port)" 1.0 31.58 115.93
	echo ","
	station d "$(free_port)" 1.0 31.63 115.88
	echo ","
	station soiled "$(free_port)" 0.5 31.61 115.91
	echo ","
	pp=$(free_port)
	echo "  { id = \"pair\"; village = \"v\"; lat = 31.59; lon = 115.91; altitude = 80.0;
    capacity_kwp = 100.0; tilt = 25.0; azimuth = 180.0;
    devices = ( { id = \"inv1\"; host = \"127.0.0.1\"; port = $pp; unit = 1; rated_power_w = 50000.0; },
                { id = \"inv2\"; host = \"127.0.0.1\"; port = $pp; unit = 2; rated_power_w = 50000.0;
                  sim = { health = 0.5; }; } ); }"
	echo ","
	station far "$(free_port)" 1.0 33.00 115.90
	echo ");"
} >"$WORK/peers.conf"

use_clock "$START" "$RATE"
start_sim "$WORK/peers.conf"
start_daemon "$WORK/peers.conf"
ANCHOR=${CLOCK[5]}
sleep "$(python3 -c "import time; print(max(0, ($END - $T0) / $RATE - (time.time() - $ANCHOR)))")"
# One more efficiency pass (300 s of clock is one real second), then stop.
sleep 2
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true

row() { q "SELECT $2 FROM station_eff_day WHERE station = '$1' AND day = '$DAY'"; }
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'; }
# Each of the five: eta is its final yield over the median of the other four's, worked out
# here from the stored yields; E_th is that median x 100 kWp.
consistent() {
	python3 - "$DB" "$DAY" <<'PY'
import sqlite3, statistics, sys
db = sqlite3.connect(sys.argv[1])
yf = dict(db.execute("SELECT station, yf_h FROM station_eff_day WHERE day = ?", (sys.argv[2],)))
near = ["a", "b", "c", "d", "soiled", "pair"]
for s in near:
    med = statistics.median(yf[o] for o in near if o != s)
    eta, eth, pyf, n = db.execute("SELECT eta, eth_wh, peer_yf_h, peer_n FROM station_eff_day "
                                  "WHERE station = ? AND day = ?", (s, sys.argv[2])).fetchone()
    assert n == 5, (s, n)
    assert abs(pyf - med) < 1e-9, (s, pyf, med)
    assert abs(eta - yf[s] / med) < 1e-9, (s, eta, yf[s] / med)
    assert abs(eth - med * 100000) < 1e-3, (s, eth, med * 100000)
PY
}
check "each nearby station's eta is its yield over the median of its five peers'" consistent
for s in a b c d soiled pair; do
	check "station $s: source peer, grade 4 ($(row $s "source || '/' || grade"))" \
		test "$(row $s "source || '/' || grade")" = "peer/4"
done
# The simulator gives each station its own weather factor (0.85-1) for the day, so clean
# stations spread around 1; the soiled one is half of what its weather would give.
for s in a b c d; do
	check "clean station $s: eta $(row $s eta) near 1 against its peers" \
		between "$(row $s eta)" 0.85 1.18
done
model() { "$BIN/tests/sim_expect" "$WORK/peers.conf" "$1" "$((T0 + 300))" "$END" eta | cut -d' ' -f1; }
want=$(for s in a b c d pair; do model $s; done | sort -g | awk -v s="$(model soiled)" \
	'{ v[NR] = $1 } END { print s / v[3] }')
eta_s=$(row soiled eta)
check "soiled station: eta $eta_s within 3% of the model's ratio to its peers' median $want" \
	awk -v a="$eta_s" -v b="$want" 'BEGIN { exit !(b > 0 && (a / b - 1) ^ 2 <= 0.03 ^ 2) }'
check "soiled station: about half its peers" between "$eta_s" 0.4 0.6
check "soiled station: eta equals its peer ratio" \
	awk -v e="$eta_s" -v r="$(row soiled peer_ratio)" 'BEGIN { exit !(e - r < 1e-9 && r - e < 1e-9) }'
check "soiled station: no PR without measured irradiance" test -z "$(row soiled pr)"
check "the lone station has no peers and falls back to the unscaled clear sky" \
	test "$(row far "source || '/' || grade || '/' || peer_n || '/' || coalesce(peer_ratio, 'none')")" = "clearsky/4/0/none"
check "no peer figure is judgeable" test "$(q "SELECT count(*) FROM station_eff_day WHERE judgeable = 1")" = 0

# Each inverter of the pair: half the station's capacity, its own energy, the station's peer
# median: eta = its yield over the median, the soiled one about half the clean one.
inv() { q "SELECT $2 FROM inverter_eff_day WHERE station = 'pair' AND device = '$1' AND day = '$DAY'"; }
check "pair: each inverter has half the station's 100 kWp" test "$(inv inv1 dc_kwp)/$(inv inv2 dc_kwp)" = "50.0/50.0"
check "pair: the inverters' energy adds up to the station's" awk -v a="$(inv inv1 energy_wh)" \
	-v b="$(inv inv2 energy_wh)" -v s="$(row pair energy_wh)" 'BEGIN { exit !(s > 0 && (a + b - s) ^ 2 < 1e-6) }'
check "pair: inverter eta is its yield over the peers' median (source peer, grade 4)" \
	awk -v e="$(inv inv1 eta)" -v y="$(inv inv1 yf_h)" -v m="$(row pair peer_yf_h)" \
	-v g="$(inv inv1 "source || grade")" 'BEGIN { exit !(g == "peer4" && m > 0 && (e - y / m) ^ 2 < 1e-12) }'
check "pair: the soiled inverter's eta $(inv inv2 eta) is about half the clean one's $(inv inv1 eta)" \
	awk -v a="$(inv inv2 eta)" -v b="$(inv inv1 eta)" 'BEGIN { exit !(b > 0 && a / b > 0.45 && a / b < 0.55) }'
check "one inverter row per inverter and day" test "$(q "SELECT count(*) FROM inverter_eff_day WHERE day = '$DAY'")" = 8

health() { "$BIN/pvrelief" -c "$WORK/peers.conf" health --day "$DAY" --format json "$@"; }
field() { # field FILE STATION KEY
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); \
s=[x for x in d['stations'] if x['id']==sys.argv[2]][0]; v=s[sys.argv[3]]; \
print('null' if v is None else v)" "$@"
}
health >"$WORK/h.json"
check "health: the soiled station's source is peer" test "$(field "$WORK/h.json" soiled source)" = peer
check "health: the soiled station's peer ratio $(field "$WORK/h.json" soiled peer_ratio) is its stored one" \
	awk -v a="$(field "$WORK/h.json" soiled peer_ratio)" -v b="$eta_s" 'BEGIN { exit !((a - b) ^ 2 < 1e-12) }'
check "health: the lone station has no peer ratio" test "$(field "$WORK/h.json" far peer_ratio)" = null
"$BIN/pvrelief" -c "$WORK/peers.conf" health --day "$DAY" >"$WORK/h.txt"
cat "$WORK/h.txt"
check "table: a column against the peers" grep -q "vs peers" "$WORK/h.txt"
check "table: the soiled station is an estimate, not below target" grep -qE "^soiled .*estimate 估算" "$WORK/h.txt"
check "the county table does not list inverters" bash -c "! grep -q '^pair  *inv1' '$WORK/h.txt'"
"$BIN/pvrelief" -c "$WORK/peers.conf" health --day "$DAY" --station pair >"$WORK/hp.txt"
cat "$WORK/hp.txt"
check "--station lists the station's inverters" \
	bash -c "grep -qE '^pair +inv1 +50.0 ' '$WORK/hp.txt' && grep -qE '^pair +inv2 +50.0 ' '$WORK/hp.txt'"
check "json: the pair's inverters with eta" python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
p = [s for s in d['stations'] if s['id'] == 'pair'][0]
i = {x['id']: x for x in p['inverters']}
assert set(i) == {'inv1', 'inv2'} and i['inv1']['dc_kwp'] == 50, i
assert 0.45 < i['inv2']['eta'] / i['inv1']['eta'] < 0.55, i
assert i['inv1']['grade'] == 4 and i['inv1']['days'] == 1, i" "$WORK/h.json"

# --recompute: the soiled station's day deleted comes back from its rollups, every station
# weighed against its peers as now computed again (the whole day: the last readings after
# the daemon's last pass count too).
q "DELETE FROM station_eff_day WHERE station = 'soiled'"
health --recompute --clock-start "2026-06-22 01:00:00+08:00" --clock-rate 1 >"$WORK/h2.json"
check "--recompute: the soiled station's day is back, source peer" test "$(row soiled source)" = peer
check "--recompute: every nearby station consistent with its peers again" consistent
check "--recompute: the soiled station's ratio $(row soiled eta) about as before ($eta_s)" \
	awk -v a="$(row soiled eta)" -v b="$eta_s" 'BEGIN { exit !((a / b - 1) ^ 2 < 0.02 ^ 2) }'
check "the database is intact" bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
finish
