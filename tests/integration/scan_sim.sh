# pvrelief scan against the simulator: SunSpec models and values, a vendor map recognised.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

pa=$(free_port) pb=$(free_port)
cat >"$WORK/s.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$WORK/s.db"; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "ss"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "int"; host = "127.0.0.1"; port = $pa; unit = 1; rated_power_w = 45000.0; },
                { id = "der"; host = "127.0.0.1"; port = $pa; unit = 3; rated_power_w = 45000.0;
                  sim = { der_controls = true; }; },
                { id = "met"; role = "sensor"; host = "127.0.0.1"; port = $pa; unit = 2; } ); },
  { id = "hw"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 50.0;
    devices = ( { id = "inv"; host = "127.0.0.1"; port = $pb; unit = 1; protocol = "huawei-sun2000"; rated_power_w = 45000.0; } ); } );
CONF
use_clock "2026-06-21 11:00:00+08:00" 1
start_sim "$WORK/s.conf"
out=$("$BIN/pvrelief" -c "$WORK/s.conf" scan "127.0.0.1:$pa" --unit 1)
echo "$out"
check "SunSpec models are listed" grep -q "SunSpec at 40000: 1 103 120 123 160" <<<"$out"
check "the live power is shown" grep -Eq "power_w +[1-9][0-9]{3,}" <<<"$out"
out=$("$BIN/pvrelief" -c "$WORK/s.conf" scan "127.0.0.1:$pa" --unit 2)
check "the sensor's models are listed" grep -q "SunSpec at 40000: 1 302 303 307" <<<"$out"
check "irradiance is shown" grep -Eq "ghi_w_m2 +[1-9][0-9]+" <<<"$out"
out=$("$BIN/pvrelief" -c "$WORK/s.conf" scan "127.0.0.1:$pb" --unit 1)
echo "$out"
check "the Huawei map is recognised" grep -q "matches map huawei-sun2000" <<<"$out"
check "an inverter not derated shows its limit register at 100%" \
	grep -Eq "power_limit_pct +100.000" <<<"$out"
# A power limit in force shows in model 123 (and the vendor map's register) once the
# simulator's next physics tick has it.
faults "ss/int limit 40 quiet
ss/der limit 40 quiet
hw/inv limit 40 quiet"
limited() { "$BIN/pvrelief" -c "$WORK/s.conf" scan "127.0.0.1:$1" --unit "${2:-1}" | grep -Eq "power_limit_pct +40.000"; }
wait_for 10 "the SunSpec inverter's limit in model 123" limited "$pa" &&
	pass "the SunSpec inverter's limit is read from model 123"
out=$("$BIN/pvrelief" -c "$WORK/s.conf" scan "127.0.0.1:$pa" --unit 3)
check "an inverter with DER controls lists model 704" grep -q "SunSpec at 40000: 1 103 120 704 160" <<<"$out"
wait_for 10 "the DER inverter's limit in model 704" limited "$pa" 3 &&
	pass "the SunSpec inverter's limit is read from model 704"
wait_for 10 "the Huawei inverter's limit in 40125" limited "$pb" &&
	pass "the Huawei inverter's limit is read from its derating register"
faults ""
set +e
"$BIN/pvrelief" -c "$WORK/s.conf" scan "127.0.0.1:$pb" --unit 7 >"$WORK/none.txt"
rc=$?
set -e
check "an empty unit is reported and the exit status says so" test "$rc" -eq 1
check "... with a count of zero" grep -q "0 devices found" "$WORK/none.txt"

# A gateway busy with another client (the daemon): the simulator's gateways serve one
# connection at a time, like many 4G gateways. Each unit says at once that nothing answered,
# with the true reason and a hint, instead of a long silence and "Operation now in progress".
spawn python3 -c "
import socket, time
s = socket.create_connection(('127.0.0.1', $pb))
open('$WORK/busy.ready', 'w').close()
time.sleep(120)"
wait_for 20 "the other client's connection" test -e "$WORK/busy.ready"
set +e
start=$SECONDS
"$BIN/pvrelief" -c "$WORK/s.conf" scan "127.0.0.1:$pb" --timeout 300 >"$WORK/busy.txt" 2>"$WORK/busy.err"
rc=$?
took=$((SECONDS - start))
set -e
cat "$WORK/busy.txt" "$WORK/busy.err"
check "a busy gateway: exit 1 ($rc)" test "$rc" -eq 1
check "... every unit reported" test "$(grep -c '^unit [0-9]*: no answer' "$WORK/busy.txt")" -eq 10
check "... with the true reason" bash -c "! grep -q 'Operation now in progress' '$WORK/busy.txt' '$WORK/busy.err' && grep -q 'no answer within 300 ms' '$WORK/busy.txt'"
check "... and a hint that the gateway may serve one client" grep -q "one client at a time" "$WORK/busy.err"
check "... in about one timeout per unit, not one per map (${took} s)" test "$took" -le 10
finish
