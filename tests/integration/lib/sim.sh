# Helpers for tests that run the simulator and the daemon on a shared simulated clock.

# start_sim CONF [ARGS...]: starts pvrelief-sim with the shared clock and a control file
# $WORK/faults; waits until it listens.
start_sim() {
	local conf=$1
	shift
	: >"$WORK/faults"
	rm -f "$WORK/sim.ready"
	spawn "$BIN/pvrelief-sim" -c "$conf" "${CLOCK[@]}" --control "$WORK/faults" \
		--ready-file "$WORK/sim.ready" "$@"
	SIM_PID=$LAST_PID
	wait_for 20 "the simulator" test -e "$WORK/sim.ready"
}

# start_daemon CONF [ARGS...]: starts pvreliefd with the shared clock; logs to $WORK/daemon.log.
start_daemon() {
	local conf=$1
	shift
	spawn "$BIN/pvreliefd" -c "$conf" "${CLOCK[@]}" "$@" 2>>"$WORK/daemon.log"
	DAEMON_PID=$LAST_PID
}

# faults TEXT: replaces the simulator's fault state (the control file is the whole state).
faults() {
	printf '%s\n' "$1" >"$WORK/faults.tmp"
	mv "$WORK/faults.tmp" "$WORK/faults"
}

# q SQL: one query against the daemon's database.
q() {
	sqlite3 -cmd ".timeout 5000" "$DB" "$1"
}

# use_clock START RATE: a simulated clock shared by the simulator and the daemon.
use_clock() {
	CLOCK=(--clock-start "$1" --clock-rate "$2" --clock-anchor "$(date +%s)")
}
