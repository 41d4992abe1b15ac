#!/bin/bash
# The demo county served by pvrelief-sim: conf/demo.conf loads, every one of its 24 station
# gateways listens on loopback, a SunSpec inverter and a vendor-map inverter answer a raw
# Modbus TCP request, and SIGTERM ends the simulator with status 0.
set -u
src=${PVRELIEF_SOURCE_DIR:?}
bin=${PVRELIEF_BINARY_DIR:?}/pvrelief-sim
work=$(mktemp -d /tmp/pvrelief-sim-it.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	sed 's/^/  sim: /' "$work/sim.log" >&2
	exit 1
}

# The demo county as shipped, moved to other ports so that a demo running on this machine
# and this test do not meet.
# Below the kernel's ephemeral range (32768 and up), where other tests' free ports come from.
offset=$((100 + RANDOM % 17000))
python3 - "$src/conf/demo.conf" "$work/demo.conf" "$offset" "$src/conf/maps" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text = re.sub(r'port = (\d+);', lambda m: 'port = %d;' % (int(m.group(1)) + int(sys.argv[3])), text)
text = text.replace('maps_dir = "maps";', 'maps_dir = "%s";' % sys.argv[4])
open(sys.argv[2], 'w').write(text)
PY
"$bin" -c "$work/demo.conf" --clock-start "2026-06-21 12:00:00+08:00" --clock-rate 1 \
	--ready-file "$work/ready" >"$work/sim.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -s "$work/ready" ] && break
	kill -0 "$pid" 2>/dev/null || fail "pvrelief-sim exited before it was ready"
	sleep 0.1
done
[ -s "$work/ready" ] || fail "no ready file after 10 s"
read -r rpid gateways devices <"$work/ready"
[ "$rpid" = "$pid" ] || fail "ready file names pid $rpid, not $pid"
[ "$gateways" = 24 ] || fail "ready file says $gateways gateways, want 24"
[ "$devices" = 89 ] || fail "ready file says $devices devices, want 89"
grep -q "ready: 24 gateways, 89 devices" "$work/sim.log" || fail "no ready log line"

ports=$(grep -o 'port = [0-9]*; unit' "$work/demo.conf" | tr -dc '0-9\n' | sort -u)
[ "$(echo "$ports" | wc -l)" = 24 ] || fail "demo.conf does not name 24 ports"
for p in $ports; do
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || fail "port $p does not accept"
done

# Sends one Modbus TCP request (hex bytes) to a port and prints the reply as hex bytes.
modbus() {
	local port=$1 req=$2 len=$3
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf "$req" >&3
	timeout 3 head -c "$len" <&3 | od -An -tx1 | tr -s ' \n' ' '
	exec 3<&-
}
# Station jz01: SunSpec unit 1, read holding 40000..40001: "SunS".
reply=$(modbus $((15021 + offset)) '\x00\x07\x00\x00\x00\x06\x01\x03\x9c\x40\x00\x02' 13)
[ "$reply" = " 00 07 00 00 00 07 01 03 04 53 75 6e 53 " ] || fail "SunSpec marker reply was '$reply'"
# Station jz04: Sungrow unit 2, input register 5001 (document address 5002) is not served
# wrongly as holding: a holding read is an exception, an input read answers.
reply=$(modbus $((15024 + offset)) '\x00\x08\x00\x00\x00\x06\x02\x04\x13\x88\x00\x01' 11)
case "$reply" in " 00 08 00 00 00 05 02 04 02 "*) ;; *) fail "Sungrow input read gave '$reply'" ;; esac
reply=$(modbus $((15024 + offset)) '\x00\x09\x00\x00\x00\x06\x02\x03\x13\x88\x00\x01' 9)
[ "$reply" = " 00 09 00 00 00 03 02 83 02 " ] || fail "Sungrow holding read gave '$reply'"
# A unit no station has: gateway exception 0x0B.
reply=$(modbus $((15021 + offset)) '\x00\x0a\x00\x00\x00\x06\x63\x03\x9c\x40\x00\x02' 9)
[ "$reply" = " 00 0a 00 00 00 03 63 83 0b " ] || fail "unknown unit gave '$reply'"

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
[ "$status" = 0 ] || fail "pvrelief-sim exited with $status after SIGTERM"
[ ! -e "$work/ready" ] || fail "ready file left behind"
echo "ok: demo county served on 24 ports"
