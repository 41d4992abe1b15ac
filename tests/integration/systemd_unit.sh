# The systemd unit passes systemd-analyze verify and its exposure level is at most 2.0.
. "$(dirname "$0")/lib/common.sh"

sed "s#/usr/bin/pvreliefd#$BIN/pvreliefd#g" "$SRC/systemd/pvreliefd.service" >"$WORK/pvreliefd.service"
check "systemd-analyze verify passes" systemd-analyze verify "$WORK/pvreliefd.service"
level=$(systemd-analyze security --offline=yes "$WORK/pvreliefd.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for pvreliefd.service: \([0-9.]*\).*/\1/p')
echo "exposure level: $level"
check "exposure level $level is at most 2.0" awk -v l="$level" 'BEGIN { exit !(l != "" && l <= 2.0) }'
check "the unit is Type=notify with a watchdog" grep -q '^WatchdogSec=' "$SRC/systemd/pvreliefd.service"
finish
