# The broker goes away for an hour of clock while alerts are raised and cleared, and the
# daemon is killed with SIGKILL and restarted in the meantime: when the broker returns, every
# alert event reaches a persistent subscriber, in order, once, with its original time.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

# A broker that keeps the subscriber's QoS 1 session across its restart, as a real one would:
# messages published while the subscriber is away are queued for it. (mosquitto drops to its
# own user when started as root, so its directory must be writable by anyone.)
MQTT_PORT=$(free_port)
chmod o+x "$WORK" # the broker runs as its own user
mkdir -p "$WORK/mq"
chmod 777 "$WORK/mq"
cat >"$WORK/mosquitto.conf" <<MQ
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $WORK/mq/
MQ
broker() {
	spawn mosquitto -c "$WORK/mosquitto.conf"
	BROKER_PID=$LAST_PID
	wait_for 10 "mosquitto on $MQTT_PORT" bash -c "exec 3<>/dev/tcp/127.0.0.1/$MQTT_PORT"
}
broker
pa=$(free_port) pb=$(free_port)
DB="$WORK/o.db"
cat >"$WORK/o.conf" <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$DB"; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 500; retries = 0; };
mqtt = { host = "127.0.0.1"; port = $MQTT_PORT; prefix = "pv"; client_id = "it-outage"; keepalive = 5; };
alerts = { language = "en"; offline_minutes = 3; raise_delay = 30; };
towns = ( { id = "t"; villages = ( { id = "v"; } ); } );
stations = (
  { id = "a"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $pa; unit = 1; rated_power_w = 45000.0; },
                { id = "i2"; host = "127.0.0.1"; port = $pa; unit = 2; rated_power_w = 45000.0; } ); },
  { id = "b"; village = "v"; lat = 31.6; lon = 115.9; capacity_kwp = 100.0;
    devices = ( { id = "i1"; host = "127.0.0.1"; port = $pb; unit = 1; rated_power_w = 45000.0; } ); }
);
CONF

# A persistent QoS 1 session: what is published while it is away is kept for it.
sub() {
	spawn bash -c "exec mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT -i it-outage-sub -c -q 1 -v -t 'pv/it/+/alert' >>'$WORK/alerts.txt'"
	SUB=$LAST_PID
}
sub
sleep 0.5
# 10:00 in June at 60x: an hour of clock is a minute of real time.
use_clock "2026-06-21 10:00:00+08:00" 60
start_sim "$WORK/o.conf"
start_daemon "$WORK/o.conf"
wait_for 30 "readings" bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM reading' 2>/dev/null || echo 0) -ge 6 ]"

# The broker goes away; faults raise alerts while it is gone.
kill "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null || true
down_at=$(date +%s)
faults "a/i1 fault 0x80
b/i1 offline"
wait_for 60 "two alerts raised while the broker is away" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert_event WHERE type = 'raised'\") -ge 2 ]"
check "the events wait in the outbox" test "$(q 'SELECT count(*) FROM outbox')" -ge 2

# The daemon is killed and restarted while the broker is still away; a fault clears.
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
start_daemon "$WORK/o.conf"
faults "b/i1 offline"
wait_for 60 "the fault to clear while the broker is away" bash -c \
	"[ \$(sqlite3 '$DB' \"SELECT count(*) FROM alert_event WHERE type = 'cleared'\") -ge 1 ]"
sleep $((60 - ($(date +%s) - down_at) > 0 ? 60 - ($(date +%s) - down_at) : 0)) # an hour of clock
before=$(q "SELECT count(*) FROM outbox")

# The broker returns; the subscriber's session was saved with it, so whatever the daemon
# publishes from now on is kept for the subscriber until it is back too.
kill "$SUB" 2>/dev/null
wait "$SUB" 2>/dev/null || true
broker
check "the broker kept the subscriber's session" test -s "$WORK/mq/mosquitto.db"
sub
wait_for 60 "the outbox to empty" bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM outbox') -eq 0 ]" &&
	pass "the outbox empties once the broker is back ($before events were waiting)"
sleep 2

stored=$(q "SELECT count(*) FROM alert_event WHERE type IN ('raised', 'cleared')")
got=$(grep -c '/alert ' "$WORK/alerts.txt" || true)
check "every stored event arrived ($stored stored, $got received)" test "$got" -eq "$stored"
dups=$(sed 's/^[^ ]* //' "$WORK/alerts.txt" | python3 -c '
import json, sys
seen = {}
for line in sys.stdin:
    e = json.loads(line)
    k = (e["id"], e["event"])
    seen[k] = seen.get(k, 0) + 1
print(sum(n - 1 for n in seen.values()))')
check "none arrived twice ($dups duplicates)" test "$dups" -eq 0
check "each alert's raise arrives before its clear, ids in order" python3 -c '
import json, sys
events = [json.loads(l.split(" ", 1)[1]) for l in open(sys.argv[1])]
order = [(e["id"], e["event"]) for e in events]
raised = [i for i, ev in order if ev == "raised"]
ok = raised == sorted(raised)
for i, ev in order:
    if ev == "cleared" and (i, "raised") in order:
        ok = ok and order.index((i, "raised")) < order.index((i, "cleared"))
sys.exit(0 if ok else 1)' "$WORK/alerts.txt"
check "events keep their original time (from while the broker was away)" python3 -c '
import json, sys
events = [json.loads(l.split(" ", 1)[1]) for l in open(sys.argv[1])]
sys.exit(0 if events and all(e["time"] > 0 for e in events) and min(e["time"] for e in events) < max(e["time"] for e in events) else 1)' "$WORK/alerts.txt"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
check "the database is intact" bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
finish
