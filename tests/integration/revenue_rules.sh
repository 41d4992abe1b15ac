#!/usr/bin/env bash
# Rules that match how counties work, on the fixture county: a village that spends, within its
# balance, a public-works fund saved over months can still allocate; the month's plan is held
# to the posts minimum on its new cash, and the paid share is shown, not refused.
source "$(dirname "$0")/lib/common.sh"
PV="$BIN/pvrelief"
python3 "$SRC/tests/integration/lib/county_fixture.py" "$WORK" "$SRC" >/dev/null
C=(-c "$WORK/county.conf")
DB="$WORK/county.db"
pv() { "$PV" "${C[@]}" "$@"; }

for kind in people posts agreements attendance work settlements subsidies costs spending; do
	pv import "$kind" "$WORK/$kind.csv" --by 会计 --now "2026-01-05 09:00:00+08:00" >/dev/null ||
		fail "import $kind"
done
for m in 01 02 03 04 05; do
	month=2025-$m
	next=$(date -u -d "$month-01 +1 month" +%Y-%m)
	pv allocate --month "$month" --by 会计 --quiet --now "$next-01 09:00:00+08:00" || fail "allocate $month"
	for step in approve review file publicise; do
		pv plan $step --month "$month" --by 村委 --now "$next-05 09:00:00+08:00" >/dev/null || fail "$step $month"
	done
	pv plan pay --month "$month" --by 会计 --now "$next-12 09:00:00+08:00" >/dev/null || fail "pay $month"
done

# v07 buys for its public works everything the fund holds after May (with the repair it had
# already planned for June): a purchase within the balance, far larger than June's wages.
bal=$(sqlite3 "$DB" "select carry_out_fen from plan_bucket where village='v07' and month='2025-05' and bucket='public_works'")
had=$(sqlite3 "$DB" "select coalesce(sum(amount_fen), 0) from spending where village='v07' and month='2025-06' and bucket='public_works'")
buy=$((bal - had))
check "v07 saved a public-works fund" test "$buy" -gt 10000
printf 'village,month,bucket,amount,receipt,note\r\nv07,2025-06,public_works,%d.%02d,PW-v07-06,村道修缮\r\n' \
	$((buy / 100)) $((buy % 100)) >"$WORK/purchase.csv"
check "the purchase is imported" pv import spending "$WORK/purchase.csv" --by 会计 --now "2025-06-20 09:00:00+08:00"
check "June is allocated despite the purchase" \
	pv allocate --month 2025-06 --village v07 --by 会计 --quiet --now "2025-07-01 09:00:00+08:00"
check "the purchase is spent in full and the fund is empty" test \
	"$(sqlite3 "$DB" "select spent_fen || '/' || carry_out_fen || '/' || unmet_fen from plan_bucket where village='v07' and month='2025-06' and bucket='public_works'")" = \
	"$bal/$(sqlite3 "$DB" "select alloc_fen from plan_bucket where village='v07' and month='2025-06' and bucket='public_works'")/0"
check "June's paid share is below 80%, and shown as such" test \
	"$(sqlite3 "$DB" "select posts_share_bp < 8000 from plan where village='v07' and month='2025-06'")" = 1
check "the month's new cash still gives posts at least 80%" test \
	"$(sqlite3 "$DB" "select sum(case when bucket='posts' then alloc_fen end) * 10000 >= 8000 * sum(alloc_fen) from plan_bucket where village='v07' and month='2025-06'")" = 1
check "July can be allocated after it" bash -c \
	"'$PV' -c '$WORK/county.conf' plan approve --month 2025-06 --village v07 --by 村委 --now '2025-07-02 09:00:00+08:00' >/dev/null &&
	 '$PV' -c '$WORK/county.conf' allocate --month 2025-07 --village v07 --by 会计 --quiet --now '2025-08-01 09:00:00+08:00'"
finish
