# The hub SIGKILLed again and again in the middle of a burst loses nothing. A county's
# uplink payloads (thousands of station-days and alert events, as publish_uplink.c makes
# them) are published at QoS 1 to a real mosquitto while the hub stores them; every time the
# hub has stored another slice it is killed with SIGKILL and started again on its persistent
# session. At the end every message is in the hub's database exactly once, with its own
# figures, and the hub's inbox and paho's local queue of received messages are empty.
. "$(dirname "$0")/lib/common.sh"

KILLS=12
"$BIN/pvrelief-bench-province" --out "$WORK" --counties 1 --stations 40 --days 100 \
	--alerts 10 --prefix k
N_DAY=$(wc -l <"$WORK/k000.day")
N_ALERT=$(wc -l <"$WORK/k000.alert")
check "the feed holds thousands of messages ($N_DAY days, $N_ALERT alert events)" \
	test "$((N_DAY + N_ALERT))" -ge 4000

MQTT_PORT=$(free_port)
cat >"$WORK/mosquitto.conf" <<MQ
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
MQ
spawn mosquitto -c "$WORK/mosquitto.conf"
wait_for 10 "mosquitto on $MQTT_PORT" bash -c "exec 3<>/dev/tcp/127.0.0.1/$MQTT_PORT"

hub() {
	rm -f "$WORK/hub.ready"
	spawn "$BIN/pvrelief-hub" run --db "$WORK/hub.db" --host 127.0.0.1 --port "$MQTT_PORT" \
		--client-id kill-hub --ready-file "$WORK/hub.ready" \
		2>>"$WORK/hub.log"
	HUB_PID=$LAST_PID
	wait_for 10 "the hub" test -e "$WORK/hub.ready"
}
hubq() { sqlite3 -cmd ".timeout 5000" "$WORK/hub.db" "$1"; }
stored() { hubq "SELECT (SELECT count(*) FROM hub_station_day) + (SELECT count(*) FROM hub_alert_event)"; }
stored_ge() { test "$(stored)" -ge "$1"; }

# The session exists before the burst: the registry goes through first. The hub subscribes
# once connected, a moment after it says it runs: the registry is published again until
# stored.
hub
registry_in() {
	test "$(hubq "SELECT count(*) FROM hub_station" 2>/dev/null)" = 40 || {
		mosquitto_pub -p "$MQTT_PORT" -q 1 -t pvrelief/k000/registry -f "$WORK/k000.registry"
		false
	}
}
wait_for 30 "the registry at the hub" registry_in

# The burst: alert events and station-days from two publishers at once.
# (A background command's standard input is /dev/null unless its own command line says.)
feed() { # feed TYPE
	spawn sh -c "exec mosquitto_pub -p $MQTT_PORT -q 1 -i feed-$1 -t pvrelief/k000/$1 -l \
		<'$WORK/k000.$1'"
}
feed alert
feed day
TOTAL=$((N_DAY + N_ALERT))
step=$((TOTAL / (KILLS + 1)))
kills=0
for ((k = 1; k <= KILLS; k++)); do
	# Killed as soon as another slice is stored: in the middle of the burst, with messages
	# received and not yet handled.
	wait_for 60 "slice $k stored" stored_ge $((k * step)) || break
	kill -KILL "$HUB_PID"
	wait "$HUB_PID" 2>/dev/null || true
	kills=$((kills + 1))
	hub
done
check "the hub was SIGKILLed $KILLS times during the burst" test "$kills" -eq "$KILLS"
wait_for 120 "every message at the hub" stored_ge "$TOTAL"
check "every station-day is stored once ($N_DAY)" \
	test "$(hubq "SELECT count(*) FROM hub_station_day")" -eq "$N_DAY"
check "every alert event is stored once ($N_ALERT)" \
	test "$(hubq "SELECT count(*) FROM hub_alert_event")" -eq "$N_ALERT"

# Each stored row carries its own message's figures: the feed, loaded with SQLite's JSON
# functions, against the hub's rows.
sqlite3 "$WORK/feed.db" "CREATE TABLE p (j TEXT);"
sed 's/"/""/g; s/^/"/; s/$/"/' "$WORK/k000.day" >"$WORK/day.csv"
sqlite3 "$WORK/feed.db" ".import --csv $WORK/day.csv p"
mismatch=$(sqlite3 "$WORK/feed.db" "ATTACH '$WORK/hub.db' AS h;
	SELECT count(*) FROM p LEFT JOIN h.hub_station_day d ON d.county = 'k000'
	  AND d.station = json_extract(p.j, '$.station') AND d.day = json_extract(p.j, '$.day')
	WHERE d.energy_wh IS NOT json_extract(p.j, '$.energy_wh')
	   OR d.rev IS NOT json_extract(p.j, '$.rev')")
check "every station-day has its message's energy and revision" test "$mismatch" -eq 0
check "the hub's local queue of received messages is empty" \
	test -z "$(find "$WORK" -path '*hub.db.mqtt*' -type f -name '*.msg' 2>/dev/null)"

# Messages the hub could not store (another writer holds the database longer than the hub
# waits for it) are acknowledged to the broker once in the hub's inbox; the hub is killed
# then. Once the database is free and the hub back, those messages are stored.
python3 - "$WORK/hub.db" "$WORK/lock.held" "$WORK/lock.release" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
db.execute("ROLLBACK")
PY
LOCK_PID=$!
CHILDREN+=("$LOCK_PID")
wait_for 10 "another writer holding the hub's database" test -e "$WORK/lock.held"
head -n 20 "$WORK/k000.month" >"$WORK/month.part"
mosquitto_pub -p "$MQTT_PORT" -q 1 -i feed-month -t pvrelief/k000/month -l <"$WORK/month.part"
wait_for 60 "the hub failing to store while the database is held" \
	grep -qE "cannot store [0-9]+ messages" "$WORK/hub.log"
kill -KILL "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
touch "$WORK/lock.release"
wait "$LOCK_PID" 2>/dev/null || true
hub
wait_for 60 "the 20 station-months at the hub" \
	test "$(hubq "SELECT count(*) FROM hub_station_month")" -eq 20
check "the messages taken while the database was held, then killed, are stored" \
	test "$(hubq "SELECT count(*) FROM hub_station_month")" -eq 20
check "the restart stored them from the inbox" \
	grep -q "stored 20 messages the inbox .* held from the last run" "$WORK/hub.log"
kill "$HUB_PID"
wait "$HUB_PID" 2>/dev/null || true
check "the hub stopped cleanly after the last start" grep -q "stopped;" "$WORK/hub.log"
check "a clean stop leaves the inbox empty" test ! -s "$WORK/hub.db.mqtt/inbox"
finish
