# Shared by the benchmarks: writes a county of GATEWAYS x UNITS SunSpec inverters on loopback.
# gen_county FILE DB GATEWAYS UNITS BASE_PORT DELAY_MS FAST_INTERVAL UNIT_GAP_MS WORKERS [EXTRA]
# EXTRA is appended at the top level (an mqtt or alerts group, say).
gen_county() {
	local file=$1 db=$2 gateways=$3 units=$4 base=$5 delay=$6 fast=$7 gap=$8 workers=$9
	local extra=${10:-}
	{
		echo "county = { id = \"bench\"; };"
		echo "maps_dir = \"$root/conf/maps\";"
		echo "database = { path = \"$db\"; };"
		echo "polling = { fast_interval = $fast; energy_interval = $((5 * fast)); timeout_ms = 3000; retries = 1;"
		echo "            unit_gap_ms = $gap; workers = $workers; max_connections = ${MAX_CONNECTIONS:-700}; };"
		echo "$extra"
		echo "towns = ( { id = \"t\"; villages = ( { id = \"v\"; } ); } );"
		echo "stations = ("
		local g u sep
		for ((g = 0; g < gateways; g++)); do
			echo "  { id = \"s$g\"; village = \"v\"; lat = $((30 + g % 5)).5; lon = 116.0; capacity_kwp = $((units * 50)).0; devices = ("
			for ((u = 1; u <= units; u++)); do
				sep=","; [ $u -eq $units ] && sep=""
				echo "    { id = \"i$u\"; host = \"127.0.0.1\"; port = $((base + g)); unit = $u; rated_power_w = 45000.0; sim = { delay_ms = $delay; }; }$sep"
			done
			sep=","; [ $g -eq $((gateways - 1)) ] && sep=""
			echo "  ) }$sep"
		done
		echo ");"
	} >"$file"
}

# free_base COUNT: prints a port below the kernel's ephemeral range (32768 and up, where client
# sockets take theirs) such that COUNT ports from it are not listening now.
free_base() {
	python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(10000, 32000 - n)
    ok = True
    for port in range(base, base + n):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            ok = False
            break
        finally:
            s.close()
    if ok:
        print(base)
        sys.exit(0)
sys.exit("no free range of %d ports" % n)
PY
}
