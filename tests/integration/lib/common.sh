# Shared helpers for integration tests: a scratch directory, child processes that are
# always cleaned up, free loopback ports, waiting with a deadline, and assertions.
set -euo pipefail

SRC=${PVRELIEF_SOURCE_DIR:?run through ctest}
BIN=${PVRELIEF_BINARY_DIR:?run through ctest}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pvrelief-it.XXXXXX")
CHILDREN=()
FAILED=0
PASSED=0

cleanup() {
	local pid
	for pid in "${CHILDREN[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${CHILDREN[@]}"; do wait "$pid" 2>/dev/null || true; done
	# Release the ports this test claimed.
	local port
	if [ -f "$WORK/.ports" ]; then
		while read -r port; do
			rmdir "${TMPDIR:-/tmp}/pvrelief-test-ports/$port" 2>/dev/null || true
		done <"$WORK/.ports"
	fi
	# PVRELIEF_KEEP_WORK=1 keeps a passing test's scratch folder too (its files, pictures, logs).
	if [ "$FAILED" -eq 0 ] && [ -z "${PVRELIEF_KEEP_WORK:-}" ]; then
		rm -rf "$WORK"
	else
		echo "kept $WORK for inspection" >&2
	fi
}
trap cleanup EXIT

# Starts a command in the background, remembering it for cleanup; sets LAST_PID.
spawn() {
	"$@" &
	LAST_PID=$!
	CHILDREN+=("$LAST_PID")
}

# Prints a loopback port for a server of this test, below the kernel's ephemeral range and
# claimed against every other test on the machine (lib/free_port.py says why).
free_port() {
	python3 "$(dirname "${BASH_SOURCE[0]}")/free_port.py" "$WORK"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds or time runs out.
wait_for() {
	local deadline=$((SECONDS + $1)) what=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		if [ $SECONDS -ge $deadline ]; then
			fail "timed out waiting for: $what"
			return 1
		fi
		sleep 0.2
	done
}

pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
# Ends the test with the summary line CTest and CI read; a test in which no check ran fails,
# since it asserted nothing.
finish() {
	echo "$PASSED passed, $FAILED failed"
	if [ $((PASSED + FAILED)) -eq 0 ]; then
		echo "FAIL: no check ran" >&2
		FAILED=1
	fi
	[ "$FAILED" -eq 0 ]
}

# Starts a mosquitto broker on a free port; sets MQTT_PORT.
start_broker() {
	MQTT_PORT=$(free_port)
	cat >"$WORK/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
CONF
	spawn mosquitto -c "$WORK/mosquitto.conf"
	BROKER_PID=$LAST_PID
	wait_for 10 "mosquitto on $MQTT_PORT" bash -c "exec 3<>/dev/tcp/127.0.0.1/$MQTT_PORT"
}
