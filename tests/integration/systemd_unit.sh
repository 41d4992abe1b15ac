# Every systemd unit the project installs passes systemd-analyze verify with its programs in
# place and has a security exposure level of at most 2.0; pvreliefd's unit is Type=notify
# with a watchdog, as the daemon's sd_notify calls expect, and checks its configuration
# before it starts.
. "$(dirname "$0")/lib/common.sh"

units=("$SRC"/systemd/*.service)
check "the project has units (${#units[@]})" test -e "${units[0]}"
for unit in "${units[@]}"; do
	name=$(basename "$unit")
	# The unit as installed, with the programs where this build put them.
	sed "s#/usr/bin/pvrelief#$BIN/pvrelief#g" "$unit" >"$WORK/$name"
	check "$name: systemd-analyze verify passes" systemd-analyze verify "$WORK/$name"
	level=$(systemd-analyze security --offline=yes "$WORK/$name" 2>/dev/null |
		sed -n "s/.*Overall exposure level for $name: \([0-9.]*\).*/\1/p")
	echo "$name: exposure level $level"
	check "$name: exposure level $level is at most 2.0" \
		awk -v l="$level" 'BEGIN { exit !(l != "" && l <= 2.0) }'
done

d="$SRC/systemd/pvreliefd.service"
check "pvreliefd.service is Type=notify" grep -qx 'Type=notify' "$d"
check "pvreliefd.service has a watchdog" grep -qE '^WatchdogSec=[1-9]' "$d"
check "pvreliefd.service checks the configuration before starting" \
	grep -qE '^ExecStartPre=/usr/bin/pvreliefd -n ' "$d"
finish
