/* The store's readers on a real SQLite file whose table goes bad in the middle of a row loop:
 * every reader must report the error, never return the rows before it as a whole result (the
 * efficiency days, and the ledger as a revenue reader). The
 * table's last leaf pages are overwritten on disk between two openings, so the first pages
 * read well and the step that reaches the bad ones fails with SQLITE_CORRUPT. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/store.h"
#include "pvrelief/store_eff.h"
#include "pvrelief/store_health.h"
#include "pvrelief/store_ledger.h"

enum { DAYS = 3000, PAGE = 4096, BAD_PAGES = 3 };

static void day_name(int i, char *buf)
{
	/* Distinct, ordered day keys; they need not be calendar days. */
	char tmp[48];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", 2000 + i / 372 % 100, 1 + i / 31 % 12,
		 1 + i % 31);
	memcpy(buf, tmp, 10);
	buf[10] = '\0';
}

/* Writes DAYS station days (enough rows for many leaf pages) and closes the store, so that the
 * write-ahead log is checkpointed into the file. */
static void populate(const char *path)
{
	char err[256];
	struct store *st = store_open(path, 0, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		exit(1);
	CHECK_INT(store_begin(st), 0);
	for (int i = 0; i < DAYS; i++) {
		struct store_eff_day d;
		memset(&d, 0, sizeof d);
		d.station = "s1";
		day_name(i, d.day);
		d.energy_wh = d.e_act_wh = d.eth_wh = 1000.0 + i;
		d.eta = d.pr = d.pr_stc = d.coverage = d.online_rate = d.anomaly_rate = 0.5;
		d.h_ghi_kwh_m2 = d.h_poa_kwh_m2 = d.yf_h = d.peer_yf_h = d.peer_ratio = NAN;
		snprintf(d.basis, sizeof d.basis, "horizontal");
		snprintf(d.source, sizeof d.source, "sensor");
		d.grade = 1;
		if (store_eff_day_put(st, &d) != 0) {
			CHECK(!"store_eff_day_put");
			break;
		}
	}
	CHECK_INT(store_commit(st), 0);
	store_close(st);
}

/* Appends ENTRIES ledger entries (a revenue table, its rows long enough for many leaf pages)
 * and closes the store. */
enum { ENTRIES = 3000 };
static void populate_ledger(const char *path)
{
	char err[256], why[256], memo[160];
	struct store *st = store_open(path, 0, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		exit(1);
	CHECK_INT(store_begin(st), 0);
	for (int i = 0; i < ENTRIES; i++) {
		snprintf(memo, sizeof memo,
			 "grid settlement 2026-%02d, entry %d of a ledger long enough to fill the "
			 "file with pages",
			 1 + i % 12, i);
		struct ledger_entry e = {.time_unix = 1767225600 + i,
					 .kind = "settlement",
					 .village_id = "v1",
					 .station_id = "s1",
					 .person_id = "",
					 .month = "2026-01",
					 .amount_fen = 100 + i,
					 .memo = memo};
		if (store_ledger_append(st, &e, why, sizeof why) != 0) {
			CHECK(!"store_ledger_append");
			break;
		}
	}
	CHECK_INT(store_commit(st), 0);
	store_close(st);
}

static void remove_db(const char *path)
{
	char side[300];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	snprintf(side, sizeof side, "%s.lock", path);
	unlink(side);
}

/* Overwrites the file's last pages (the newest leaves of the day table) with garbage. */
static void corrupt_tail(const char *path)
{
	struct stat sb;
	CHECK_INT(stat(path, &sb), 0);
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	unsigned char junk[PAGE];
	memset(junk, 0x5a, sizeof junk);
	off_t pages = sb.st_size / PAGE;
	for (off_t p = pages - BAD_PAGES; p < pages; p++)
		CHECK_INT(pwrite(fd, junk, sizeof junk, p * PAGE), PAGE);
	close(fd);
}

int main(void)
{
	char dir[] = "/tmp/pvrelief-rows.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[256];
	snprintf(path, sizeof path, "%s/rows.db", dir);
	populate(path);

	/* Before the damage every reader sees every day. */
	char err[256];
	struct store *st = store_open(path, 0, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return 1;
	struct store_eff_day *days = calloc(DAYS, sizeof *days);
	char first[11], last[11];
	day_name(0, first);
	day_name(DAYS - 1, last);
	CHECK_INT(store_eff_days(st, "s1", first, last, days, DAYS), DAYS);
	store_close(st);

	corrupt_tail(path);
	st = store_open(path, 0, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return 1;
	/* The loop reads the first rows, then fails: the reader says so. */
	CHECK_INT(store_eff_days(st, "s1", first, last, days, DAYS), -1);
	/* A reader that stops before the damage still succeeds. */
	CHECK_INT(store_eff_days(st, "s1", first, first, days, DAYS), 1);
	store_close(st);
	free(days);
	remove_db(path);

	/* A revenue reader alike: the ledger read whole for a check or a report. */
	snprintf(path, sizeof path, "%s/ledger.db", dir);
	populate_ledger(path);
	st = store_open(path, 0, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return 1;
	struct store_ledger l;
	CHECK_INT(store_ledger_load(st, &l), 0);
	CHECK_INT(l.n, ENTRIES);
	store_ledger_free(&l);
	store_close(st);
	corrupt_tail(path);
	st = store_open(path, 0, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return 1;
	CHECK_INT(store_ledger_load(st, &l), -1);
	CHECK_INT(l.n, 0); /* nothing half-read is handed back */
	int64_t seq;
	char hash[LEDGER_HASH_HEX_LEN + 1];
	CHECK_INT(store_ledger_head(st, &seq, hash), -1);
	store_close(st);
	remove_db(path);
	rmdir(dir);
	return check_summary();
}
