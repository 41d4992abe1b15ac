# SIGKILL in the middle of revenue work on the daemon's own database (issue #7): while 100
# simulated inverters at 30x write hundreds of readings a second, the real pvrelief imports
# thousands of people, posts, agreements, costs and attendance rows, allocates two months and
# takes them through approval to payment (thousands of ledger entries), and every one of these
# commands is SIGKILLed after a random delay, the daemon with it in every third round.
#
# The same commands first run without kills on a second database: its state after each step
# is what the killed database must reach. After every kill the database passes
# PRAGMA integrity_check, the ledger verifies, and the step is all or nothing: an import (one
# transaction) left either nothing or all of its rows, history and ledger entries; allocations
# and plan steps (one transaction per village) left each village either as it was or as the
# uninterrupted run left it. Re-running the killed command then succeeds, or refuses only
# because it was already done, and the step ends exactly as in the uninterrupted run. At the
# end every revenue table, the ledger with its hashes included, equals the uninterrupted
# run's, and the daemon's counted energy still equals its counters' increase.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sim.sh"

PV="$BIN/pvrelief"
DB="$WORK/heavy.db"
REF="$WORK/ref.db"
NV=10   # villages, one station each with 10 inverters on one simulated gateway
NP=1500 # people, posts, agreements, attendance per village: imports of 15000 rows
NC=600  # costs per village in 2025-01: 6000 rows, each a ledger entry

# One interpreter start for all the gateways' ports rather than free_port's one each, which
# costs seconds on a loaded machine.
read -r -a ports <<<"$(python3 "$SRC/tests/integration/lib/free_port.py" "$WORK" "$NV")"
stations="" villages=""
for g in $(seq 1 $NV); do
	p=${ports[g - 1]}
	devs=""
	for u in $(seq 1 10); do
		devs+="{ id = \"i$u\"; host = \"127.0.0.1\"; port = $p; unit = $u; rated_power_w = 45000.0; },"
	done
	stations+="{ id = \"s$g\"; village = \"v$g\"; lat = 31.6; lon = 115.9; capacity_kwp = 500.0; devices = ( ${devs%,} ); },
"
	villages+="{ id = \"v$g\"; },"
done
# One configuration for both databases; only the database path differs.
conf() { # DATABASE
	cat <<CONF
county = { id = "it"; };
maps_dir = "$SRC/conf/maps";
database = { path = "$1"; };
polling = { fast_interval = 10; energy_interval = 10; timeout_ms = 1500; workers = 8; };
revenue = { policy = { posts = 80.0; public_works = 10.0; rewards = 5.0; om_reserve = 5.0;
  min_posts = 80.0; }; notice_days = 7; pay_mode = "pro_rata"; };
towns = ( { id = "t"; villages = ( ${villages%,} ); } );
stations = (
${stations%,
}
);
CONF
}
conf "$DB" >"$WORK/h.conf"
conf "$REF" >"$WORK/ref.conf"
conf "$WORK/ref2.db" >"$WORK/ref2.conf"

# The accountant's files: every row is new, so an import adds exactly its row count.
python3 - "$WORK" "$NV" "$NP" "$NC" <<'PY'
import sys
w, nv, np_, nc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def write(name, header, rows):
    with open("%s/%s.csv" % (w, name), "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\r\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\r\n")
V = range(1, nv + 1)
K = range(1, np_ + 1)
cats = ["脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
write("people", ["person_id", "village", "name", "id_number", "category", "labour"],
      [("v%d-p%d" % (v, k), "v%d" % v, "村民%d-%d" % (v, k), "3415%02d1960%07d%d" % (v, k, k % 10),
        cats[k % 4], "full") for v in V for k in K])
write("posts", ["post_id", "village", "kind", "wage", "required_days"],
      [("v%d-q%d" % (v, k), "v%d" % v, "保洁", "%d.%02d" % (450 + k % 7 * 10, k % 3 * 25), 22)
       for v in V for k in K])
write("agreements", ["person_id", "post_id", "from", "to"],
      [("v%d-p%d" % (v, k), "v%d-q%d" % (v, k), "2025-01-01", "2025-12-31") for v in V for k in K])
# Two months of cash per station: the coal part of periods 2024-12 and 2025-01.
write("settlements", ["station", "period", "metered_kwh", "coal_amount", "subsidy_amount", "received"],
      [("s%d" % v, p, "%d.5" % (700000 + v), "%d.%02d" % (280000 + 1000 * v, v), "1000.00", r)
       for v in V for p, r in (("2024-12", "2025-01-20"), ("2025-01", "2025-02-20"))])
write("costs", ["village", "month", "kind", "amount", "receipt", "note"],
      [("v%d" % v, "2025-01", ["om", "insurance", "other"][k % 3], "%d.%02d" % (10 + k % 90, k % 100),
        "R-%d-%d" % (v, k), "") for v in V for k in range(1, nc + 1)])
for m in (1, 2):
    write("attendance-%d" % m, ["person_id", "post_id", "month", "days_worked", "grade"],
          [("v%d-p%d" % (v, k), "v%d-q%d" % (v, k), "2025-%02d" % m, 12 + (7 * k + 3 * v + m) % 11, "")
           for v in V for k in K])
PY

# The steps: KIND|TABLE|MONTH|NOW|ARGS. An import is one transaction (TABLE is what it fills);
# allocate and plan steps are one transaction per village for MONTH.
STEPS=(
	"import|person||2025-03-01 09:00:00+08:00|import people $WORK/people.csv --by 会计"
	"import|post||2025-03-01 09:01:00+08:00|import posts $WORK/posts.csv --by 会计"
	"import|agreement||2025-03-01 09:02:00+08:00|import agreements $WORK/agreements.csv --by 会计"
	"import|settlement||2025-03-01 09:03:00+08:00|import settlements $WORK/settlements.csv --by 会计"
	"import|cost||2025-03-01 09:04:00+08:00|import costs $WORK/costs.csv --by 会计"
	"import|attendance||2025-03-01 09:05:00+08:00|import attendance $WORK/attendance-1.csv --by 会计"
	"village|plan|2025-01|2025-03-02 09:00:00+08:00|allocate --month 2025-01 --by 会计 --quiet"
	"village|plan|2025-01|2025-03-02 10:00:00+08:00|plan approve --month 2025-01 --by 村民会议"
	"village|plan|2025-01|2025-03-03 09:00:00+08:00|plan review --month 2025-01 --by 乡镇"
	"village|plan|2025-01|2025-03-04 09:00:00+08:00|plan file --month 2025-01 --by 县局"
	"village|plan|2025-01|2025-03-05 09:00:00+08:00|plan publicise --month 2025-01 --by 村委"
	"village|plan|2025-01|2025-03-12 10:00:00+08:00|plan pay --month 2025-01 --by 会计"
	"import|attendance||2025-03-12 11:00:00+08:00|import attendance $WORK/attendance-2.csv --by 会计"
	"village|plan|2025-02|2025-03-13 09:00:00+08:00|allocate --month 2025-02 --by 会计 --quiet"
	"village|plan|2025-02|2025-03-13 10:00:00+08:00|plan approve --month 2025-02 --by 村民会议"
	"village|plan|2025-02|2025-03-14 09:00:00+08:00|plan review --month 2025-02 --by 乡镇"
	"village|plan|2025-02|2025-03-15 09:00:00+08:00|plan file --month 2025-02 --by 县局"
	"village|plan|2025-02|2025-03-16 09:00:00+08:00|plan publicise --month 2025-02 --by 村委"
	"village|plan|2025-02|2025-03-23 10:00:00+08:00|plan pay --month 2025-02 --by 会计"
)

# sig DB TABLE MONTH UNIX: what a step changes, one line for the whole database (rows of
# TABLE, history rows and ledger entries stamped with the step's time) and one per village
# (its ledger entries of the step, and the state, payments and buckets of its MONTH plan).
sig() {
	sqlite3 -cmd ".timeout 20000" "$1" "
SELECT 'all', (SELECT count(*) FROM $2), (SELECT count(*) FROM history WHERE at = $4),
  (SELECT count(*) FROM ledger WHERE time_unix = $4),
  (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE time_unix = $4);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $NV)
SELECT 'v' || i,
  (SELECT count(*) FROM ledger WHERE time_unix = $4 AND village = 'v' || i),
  (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger WHERE time_unix = $4 AND village = 'v' || i),
  (SELECT COALESCE(MAX(state), '-') FROM plan WHERE village = 'v' || i AND month = '$3'),
  (SELECT count(*) || '/' || COALESCE(SUM(paid_fen), 0) FROM plan_payment
     WHERE village = 'v' || i AND month = '$3'),
  (SELECT count(*) || '/' || COALESCE(SUM(paid_fen), 0) FROM plan_arrear
     WHERE village = 'v' || i AND month = '$3'),
  (SELECT COALESCE(group_concat(alloc_fen || ':' || carry_out_fen), '') FROM plan_bucket
     WHERE village = 'v' || i AND month = '$3')
FROM n;"
}
# dump DB: the whole revenue state, the ledger's hashes included, in a stable order.
# plan_step rows are compared without their note: a re-run allocation says "re-allocated".
dump() {
	sqlite3 -cmd ".timeout 20000" "$1" "
SELECT 'person', * FROM person; SELECT 'post', * FROM post; SELECT 'agreement', * FROM agreement;
SELECT 'attendance', * FROM attendance; SELECT 'settlement', * FROM settlement;
SELECT 'cost', * FROM cost; SELECT 'plan', * FROM plan; SELECT 'bucket', * FROM plan_bucket;
SELECT 'payment', * FROM plan_payment; SELECT 'arrear', * FROM plan_arrear;
SELECT 'notice', village, month, format, issued_at, sha256, ledger_seq FROM notice;
SELECT 'ledger', * FROM ledger;
SELECT 'history', at, by, tbl, key, action, old, new FROM history;
SELECT DISTINCT 'step', village, month, state, at, by FROM plan_step;" | LC_ALL=C sort
}
unix_of() { date -d "$1" +%s; }
# now_ms: sets NOW_MS to the wall clock in milliseconds, without a fork that would blur it.
now_ms() { NOW_MS=$((${EPOCHREALTIME/./} / 1000)); }

# The uninterrupted run, twice: each step's state before and after on the first database,
# and how long it took (the quicker of the two, as other work on the machine comes and goes).
declare -a DUR_MS
# The schema, made by a writing command (a reading one never creates a database): an import
# of a file with the header alone, which records nothing.
printf 'person_id,village,name,id_number,category,labour\n' >"$WORK/none.csv"
for c in ref ref2; do "$PV" -c "$WORK/$c.conf" import people "$WORK/none.csv" --by 会计 >/dev/null 2>&1; done
# What any command spends before its work (start, configuration, opening the database): the
# quickest of three runs of a command that does next to nothing.
STARTUP_MS=1000000
for _ in 1 2 3; do
	now_ms
	t0=$NOW_MS
	"$PV" -c "$WORK/ref.conf" ledger verify >/dev/null
	now_ms
	[ $((NOW_MS - t0)) -ge "$STARTUP_MS" ] || STARTUP_MS=$((NOW_MS - t0))
done
for i in "${!STEPS[@]}"; do
	IFS='|' read -r kind table month now args <<<"${STEPS[$i]}"
	t=$(unix_of "$now")
	sig "$REF" "$table" "$month" "$t" >"$WORK/ref-$i.before"
	DUR_MS[i]=1000000
	for c in ref2 ref; do
		now_ms
		t0=$NOW_MS
		# shellcheck disable=SC2086 # ARGS are words without spaces
		if ! "$PV" -c "$WORK/$c.conf" $args --now "$now" >"$WORK/$c-$i.out" 2>&1; then
			fail "uninterrupted run: step $i ($args) failed: $(head -3 "$WORK/$c-$i.out")"
			finish
		fi
		now_ms
		[ $((NOW_MS - t0)) -ge "${DUR_MS[i]}" ] || DUR_MS[i]=$((NOW_MS - t0))
	done
	sig "$REF" "$table" "$month" "$t" >"$WORK/ref-$i.after"
done
dump "$REF" >"$WORK/ref.dump"
dump "$WORK/ref2.db" >"$WORK/ref2.dump"
check "two uninterrupted runs end alike, so any difference below is the kills'" \
	cmp -s "$WORK/ref.dump" "$WORK/ref2.dump"
check "the uninterrupted run's steps all change something" bash -c "
	for i in \$(seq 0 $((${#STEPS[@]} - 1))); do
		! cmp -s '$WORK/ref-'\$i.before '$WORK/ref-'\$i.after || exit 1
	done"
# Wages owed from a short month are paid first the next month, so a month may pay only those.
check "the uninterrupted run paid wages in both months" test \
	"$(sqlite3 "$REF" "SELECT count(DISTINCT month) FROM (SELECT month, paid_fen FROM plan_payment UNION ALL SELECT month, paid_fen FROM plan_arrear) WHERE paid_fen > 0")" = 2
check "the uninterrupted run's ledger verifies" "$PV" -c "$WORK/ref.conf" ledger verify
echo "uninterrupted run: step durations ${DUR_MS[*]} ms, start-up $STARTUP_MS ms [${SECONDS}s]"

rows() { sqlite3 -cmd ".timeout 20000" "$DB" "SELECT count(*) FROM reading" 2>/dev/null || echo 0; }
# Starts the daemon and waits until it writes again.
daemon_up() {
	local before
	start_daemon "$WORK/h.conf"
	before=$(rows)
	wait_for 40 "$1: readings from the (re)started daemon" bash -c \
		"[ \$(sqlite3 -cmd '.timeout 20000' '$DB' 'SELECT count(*) FROM reading' 2>/dev/null || echo 0) -gt $((before + 300)) ]"
}
# sig_allowed KIND BEFORE AFTER GOT: an import shows all or nothing; a village step shows
# each village either as it was or as the uninterrupted run left it.
sig_allowed() {
	if [ "$1" = import ]; then
		cmp -s "$2" "$4" || cmp -s "$3" "$4"
		return
	fi
	local -a b a g
	local k
	mapfile -t b <"$2"
	mapfile -t a <"$3"
	mapfile -t g <"$4"
	[ "${#g[@]}" = "${#b[@]}" ] || return 1
	for ((k = 1; k < ${#g[@]}; k++)); do
		[ "${g[k]}" = "${b[k]}" ] || [ "${g[k]}" = "${a[k]}" ] || return 1
	done
	return 0
}
# done_villages AFTER GOT: how many villages already look as the uninterrupted run left them.
done_villages() {
	local -a a g
	local k n=0
	mapfile -t a <"$1"
	mapfile -t g <"$2"
	for ((k = 1; k < ${#a[@]}; k++)); do
		if [ "${g[k]-}" = "${a[k]}" ]; then n=$((n + 1)); fi
	done
	echo "$n"
}

CLI_PID=""
trap '[ -z "$CLI_PID" ] || kill -KILL "$CLI_PID" 2>/dev/null || true; cleanup' EXIT
use_clock "2026-06-21 10:00:00+08:00" 30
start_sim "$WORK/h.conf"
daemon_up "start"
SEED=${KILL_LEDGER_SEED:-$$}
RANDOM=$SEED
echo "kill seed $SEED (KILL_LEDGER_SEED=$SEED repeats the kill delays)"
landed=0 opened=0 partial=0 finished=0
for i in "${!STEPS[@]}"; do
	IFS='|' read -r kind table month now args <<<"${STEPS[$i]}"
	t=$(unix_of "$now")
	what="step $i ($args)"
	what=${what//$WORK\//}
	sig "$DB" "$table" "$month" "$t" >"$WORK/db-$i.before"
	if ! cmp -s "$WORK/db-$i.before" "$WORK/ref-$i.before"; then
		fail "$what: the database does not start the step as the uninterrupted run did"
		diff "$WORK/ref-$i.before" "$WORK/db-$i.before" >&2 || true
		break
	fi
	# A delay within the first four fifths of the step's uninterrupted work after its
	# start-up: most kills land while the command works, some (the load varies) before it
	# opens the database or after it is done.
	lo_ms=$((STARTUP_MS < DUR_MS[i] / 2 ? STARTUP_MS : DUR_MS[i] / 2))
	delay_ms=$((lo_ms + RANDOM % ((DUR_MS[i] - lo_ms) * 4 / 5 + 1)))
	kill_daemon=$((i % 3 == 1))
	# shellcheck disable=SC2086
	"$PV" -c "$WORK/h.conf" $args --now "$now" >"$WORK/db-$i.out" 2>&1 &
	CLI_PID=$!
	printf -v pause '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000))
	sleep "$pause"
	# Whether the command had opened the database, told with builtins only, without a fork
	# that would delay the kill.
	had_db=0
	for fd in 3 4 5 6 7 8; do
		if [ "/proc/$CLI_PID/fd/$fd" -ef "$DB" ]; then had_db=1; fi
	done
	if [ "$kill_daemon" = 1 ]; then kill -KILL "$DAEMON_PID"; fi
	kill -KILL "$CLI_PID" 2>/dev/null || true
	rc=0
	wait "$CLI_PID" 2>/dev/null || rc=$?
	CLI_PID=""
	if [ "$kill_daemon" = 1 ]; then wait "$DAEMON_PID" 2>/dev/null || true; fi
	sig "$DB" "$table" "$month" "$t" >"$WORK/db-$i.killed"
	ndone=$(done_villages "$WORK/ref-$i.after" "$WORK/db-$i.killed")
	if [ "$kind" = import ]; then
		done_text="part"
		if cmp -s "$WORK/db-$i.killed" "$WORK/db-$i.before"; then done_text="nothing"; fi
		if cmp -s "$WORK/db-$i.killed" "$WORK/ref-$i.after"; then done_text="all"; fi
		done_text+=" of the import committed"
	else
		done_text="$ndone of $NV villages done"
	fi
	if [ "$rc" = 137 ]; then
		landed=$((landed + 1))
		opened=$((opened + had_db))
		if [ "$kind" = village ] && [ "$ndone" -gt 0 ] && [ "$ndone" -lt "$NV" ]; then
			partial=$((partial + 1))
		fi
		how="killed after ${delay_ms} ms"
		if [ "$had_db" = 1 ]; then how+=" with the database open"; fi
		how+=", $done_text"
	else
		finished=$((finished + 1))
		how="finished (status $rc) before the kill at ${delay_ms} ms"
	fi
	if [ "$kill_daemon" = 1 ]; then how+=", daemon killed too"; fi
	echo "$what: $how [${SECONDS}s]"

	check "$what: integrity_check is ok after the kill" \
		bash -c "sqlite3 -cmd '.timeout 20000' '$DB' 'PRAGMA integrity_check' | grep -qx ok"
	check "$what: the ledger verifies after the kill" \
		bash -c "'$PV' -c '$WORK/h.conf' ledger verify >/dev/null"
	if ! sig_allowed "$kind" "$WORK/db-$i.before" "$WORK/ref-$i.after" "$WORK/db-$i.killed"; then
		fail "$what: the kill left the step half done"
		diff "$WORK/ref-$i.after" "$WORK/db-$i.killed" >&2 || true
	else
		pass "$what: the kill left the step all or nothing"
	fi
	if [ "$kill_daemon" = 1 ]; then daemon_up "$what"; fi

	# Re-running the command finishes the step; what it may refuse is only what was done.
	rrc=0
	# shellcheck disable=SC2086
	"$PV" -c "$WORK/h.conf" $args --now "$now" >/dev/null 2>"$WORK/db-$i.rerun" || rrc=$?
	if [ "$rrc" = 0 ]; then
		pass "$what: re-running it succeeds"
	elif [ ! -s "$WORK/db-$i.rerun" ] || grep -vEq 'duplicate .*already recorded|nothing was imported|refused: the plan is already' \
		"$WORK/db-$i.rerun"; then
		fail "$what: re-running it failed (status $rrc): $(head -3 "$WORK/db-$i.rerun")"
	else
		pass "$what: re-running it reports only that it was already done"
	fi
	sig "$DB" "$table" "$month" "$t" >"$WORK/db-$i.after"
	if cmp -s "$WORK/db-$i.after" "$WORK/ref-$i.after"; then
		pass "$what: after the re-run the step is as in the uninterrupted run"
	else
		fail "$what: after the re-run the step differs from the uninterrupted run"
		diff "$WORK/ref-$i.after" "$WORK/db-$i.after" >&2 || true
	fi
done
echo "kills: $landed of ${#STEPS[@]} landed while the command ran ($opened with the database" \
	"open, $partial leaving a multi-village step partly done); $finished commands finished first"

# The whole revenue state, the ledger's hashes included, equals the uninterrupted run's.
dump "$DB" >"$WORK/db.dump"
check "every revenue table and the whole ledger equal the uninterrupted run's ($(wc -l <"$WORK/ref.dump") rows)" \
	cmp -s "$WORK/db.dump" "$WORK/ref.dump"
totals="SELECT month, count(*), SUM(paid_fen) FROM plan_payment GROUP BY month;
SELECT count(*), SUM(amount_fen), (SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1) FROM ledger"
echo "paid per month and ledger (uninterrupted): $(sqlite3 "$REF" "$totals" | tr '\n' ' ')"
check "paid fen per month and the ledger's last hash match: $(sqlite3 "$DB" "$totals" | tr '\n' ' ')" \
	test "$(sqlite3 "$DB" "$totals")" = "$(sqlite3 "$REF" "$totals")"
check "the ledger verifies at the end" "$PV" -c "$WORK/h.conf" ledger verify

kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
check "the daemon exits 0 on SIGTERM (status $rc)" test "$rc" -eq 0
check "no sanitizer report" bash -c "! grep -Eq 'AddressSanitizer|runtime error:' '$WORK/daemon.log'"
check "the database is intact at the end" \
	bash -c "sqlite3 '$DB' 'PRAGMA integrity_check' | grep -qx ok"
# The daemon resumed where it was: across its kills no energy was lost or counted twice.
for d in s1/i1 s10/i10; do
	id="(SELECT id FROM device WHERE station = '${d%/*}' AND device = '${d#*/}')"
	first=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts LIMIT 1")
	last=$(q "SELECT energy_total_wh FROM reading WHERE device_id = $id AND rejected = 0 AND energy_total_wh IS NOT NULL ORDER BY ts DESC LIMIT 1")
	counted=$(q "SELECT sum(energy_delta_wh) FROM reading WHERE device_id = $id")
	check "$d: energy counted across the kills ($counted Wh) equals the counter's increase ($last - $first Wh)" \
		awk -v c="$counted" -v f="$first" -v l="$last" 'BEGIN { d = l - f; exit !(d > 0 && c > d - 0.5 && c < d + 0.5) }'
done
finish
