# The console's systemd unit passes systemd-analyze verify and its exposure level is at most
# 2.0; it runs as the daemon's unprivileged user and checks the configuration first.
. "$(dirname "$0")/lib/common.sh"

sed "s#/usr/bin/pvrelief-web#$BIN/pvrelief-web#g" "$SRC/systemd/pvrelief-web.service" >"$WORK/pvrelief-web.service"
check "systemd-analyze verify passes" systemd-analyze verify "$WORK/pvrelief-web.service"
level=$(systemd-analyze security --offline=yes "$WORK/pvrelief-web.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for pvrelief-web.service: \([0-9.]*\).*/\1/p')
echo "exposure level: $level"
check "exposure level $level is at most 2.0" awk -v l="$level" 'BEGIN { exit !(l != "" && l <= 2.0) }'
check "the unit runs as the pvrelief user" grep -q '^User=pvrelief$' "$SRC/systemd/pvrelief-web.service"
check "the unit checks the configuration before starting" grep -q '^ExecStartPre=.*pvrelief-web -n' "$SRC/systemd/pvrelief-web.service"
finish
