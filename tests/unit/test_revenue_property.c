/* Property test: random settlements (a joint station among them), costs that sometimes exceed
 * the cash, attendance, labour and spending go through the real import and allocate commands
 * into a real SQLite file, and every village always balances to the fen over six months:
 * what came in (received minus costs) equals what was paid plus what is carried, with the
 * deficit; each month's carry-in is the last month's carry-out; no bucket goes negative; nobody
 * is paid more than is due; and the joint station's cash is split without losing a fen. */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/report.h"
#include "pvrelief/store.h"
#include "pvrelief/store_records.h"
#include "pvrelief/store_plan.h"

#define NVILLAGES 4
#define NMONTHS 6

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(uint64_t n)
{
	/* xorshift64: deterministic, so a failure can be replayed. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? rng_state % n : 0;
}

static char dir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static int run(struct cli_env *env, cli_fn fn, int argc, const char **argv)
{
	/* The commands take argv as main does: writable copies. */
	char *copy[16];
	for (int i = 0; i < argc; i++)
		copy[i] = strdup(argv[i]);
	copy[argc] = NULL;
	optind = 0;
	int rc = fn(env, argc, copy);
	for (int i = 0; i < argc; i++)
		free(copy[i]);
	return rc;
}

static int import(struct cli_env *env, const char *kind, const char *file)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	const char *argv[] = {"import", kind, path, "--now", "2026-01-01 00:00:00+08:00", NULL};
	return run(env, cli_import, 5, argv);
}

/* Appends printf output to a growing buffer. */
static void cat(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cat(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char tmp[512];
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	*buf = realloc(*buf, *len + (size_t)n + 1);
	memcpy(*buf + *len, tmp, (size_t)n + 1);
	*len += (size_t)n;
}

static void yuan(char *out, int64_t fen)
{
	snprintf(out, 32, "%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
}

static void trial(int t)
{
	char conf[512], db[512], y1[32], y2[32];
	snprintf(db, sizeof db, "%s/t%d.db", dir, t);
	snprintf(conf, sizeof conf, "%s/t%d.conf", dir, t);
	unsigned parts[3] = {1 + (unsigned)rnd(97), 1 + (unsigned)rnd(97), 1 + (unsigned)rnd(97)};
	FILE *f = fopen(conf, "w");
	fprintf(
	    f,
	    "county = { id = \"p\"; name = \"P\"; utc_offset = 8; };\n"
	    "maps_dir = \"%s/conf/maps\";\ndatabase = { path = \"%s\"; };\n"
	    "revenue = { pay_mode = \"%s\"; };\n"
	    "towns = ( { id = \"t\"; name = \"T\"; villages = ( { id = \"v0\"; name = \"a\"; }, "
	    "{ id = \"v1\"; name = \"b\"; }, { id = \"v2\"; name = \"c\"; }, "
	    "{ id = \"v3\"; name = \"d\"; } ); } );\nstations = (\n",
	    getenv("PVRELIEF_SOURCE_DIR") ? getenv("PVRELIEF_SOURCE_DIR") : ".", db,
	    t % 3 == 2 ? "grade" : "pro_rata");
	for (int s = 0; s < 5; s++) {
		fprintf(f,
			"{ id = \"s%d\"; name = \"S\"; village = \"v%d\"; lat = 31.0; lon = 116.0; "
			"capacity_kwp = 100.0;",
			s, s % NVILLAGES);
		if (s == 4)
			fprintf(
			    f,
			    " owners = ( { village = \"v0\"; parts = %u; }, { village = \"v2\"; "
			    "parts = %u; }, { village = \"v3\"; parts = %u; } );",
			    parts[0], parts[1], parts[2]);
		fprintf(
		    f,
		    " devices = ( { id = \"i\"; role = \"inverter\"; transport = \"tcp\"; host = "
		    "\"127.0.0.1\"; port = %d; unit = 1; protocol = \"sunspec\"; } ); }%s\n",
		    21000 + s, s < 4 ? "," : "");
	}
	fprintf(f, ");\n");
	fclose(f);

	char *b = NULL;
	size_t n = 0;
	cat(&b, &n, "person_id,village,name,id_number,category,labour\n");
	for (int p = 0; p < 24; p++)
		cat(&b, &n, "p%d,v%d,N%d,34152219800101%04d,脱贫户,full\n", p, p % NVILLAGES, p, p);
	write_file("people.csv", b);
	n = 0;
	cat(&b, &n, "post_id,village,kind,wage,required_days\n");
	for (int p = 0; p < 20; p++) {
		yuan(y1, 100 + (int64_t)rnd(200000));
		cat(&b, &n, "q%d,v%d,保洁,%s,%d\n", p, p % NVILLAGES, y1, 1 + (int)rnd(31));
	}
	write_file("posts.csv", b);
	n = 0;
	cat(&b, &n, "person_id,post_id,from,to\n");
	for (int p = 0; p < 20; p++)
		if (rnd(5))
			cat(&b, &n, "p%d,q%d,2025-0%d-1%d,2025-0%d-2%d\n", p, p, 1 + (int)rnd(3),
			    (int)rnd(9), 4 + (int)rnd(3), (int)rnd(9));
	write_file("agreements.csv", b);
	n = 0;
	cat(&b, &n, "person_id,post_id,month,days_worked,grade\n");
	for (int p = 0; p < 24; p++)
		for (int m = 1; m <= NMONTHS; m++)
			if (rnd(4))
				cat(&b, &n, "p%d,q%d,2025-%02d,%d,%c\n", p, p % 20, m, (int)rnd(32),
				    rnd(5) ? (char)('A' + rnd(4)) : ' ');
	write_file("attendance.csv", b);
	n = 0;
	cat(&b, &n, "station,period,metered_kwh,coal_amount,subsidy_amount,received\n");
	for (int s = 0; s < 5; s++)
		for (int m = 1; m <= NMONTHS; m++)
			if (rnd(6)) {
				yuan(y1, (int64_t)rnd(rnd(3) ? 5000000 : 100));
				yuan(y2, (int64_t)rnd(5000000));
				cat(&b, &n, "s%d,2025-%02d,%d,%s,%s,2025-%02d-%02d\n", s, m,
				    (int)rnd(100000), y1, y2, m, 1 + (int)rnd(28));
			}
	write_file("settlements.csv", b);
	n = 0;
	cat(&b, &n, "village,month,kind,amount,receipt,note\n");
	for (int i = 0; i < 12; i++) {
		yuan(y1, (int64_t)rnd(rnd(4) ? 300000 : 9000000));
		cat(&b, &n, "v%d,2025-%02d,%s,%s,R%d,\n", (int)rnd(NVILLAGES),
		    1 + (int)rnd(NMONTHS), rnd(2) ? "om" : "land_rent", y1, i);
	}
	write_file("costs.csv", b);
	n = 0;
	cat(&b, &n, "village,month,bucket,amount,receipt,note\n");
	for (int i = 0; i < 3; i++) {
		yuan(y1, (int64_t)rnd(30000));
		cat(&b, &n, "v%d,2025-%02d,%s,%s,S%d,\n", (int)rnd(NVILLAGES),
		    1 + (int)rnd(NMONTHS), rnd(2) ? "rewards" : "om_reserve", y1, i);
	}
	write_file("spending.csv", b);
	n = 0;
	cat(&b, &n, "village,month,person_id,work,days_worked,amount,agreement\n");
	for (int i = 0; i < 6; i++) {
		int p = (int)rnd(24);
		yuan(y1, (int64_t)rnd(2000000));
		cat(&b, &n, "v%d,2025-%02d,p%d,W%d,%d,%s,%s\n", p % NVILLAGES,
		    1 + (int)rnd(NMONTHS), p, i, 1 + (int)rnd(31), y1, rnd(3) ? "A1" : "");
	}
	write_file("work.csv", b);
	free(b);

	struct cli_env env = {.config_path = conf, .progname = "pvrelief"};
	static const char *const kinds[] = {"people",	   "posts", "agreements", "attendance",
					    "settlements", "costs", "spending",	  "work"};
	static const char *const files[] = {"people.csv",     "posts.csv",	 "agreements.csv",
					    "attendance.csv", "settlements.csv", "costs.csv",
					    "spending.csv",   "work.csv"};
	for (int k = 0; k < 8; k++)
		CHECK_INT(import(&env, kinds[k], files[k]), 0);
	for (int m = 1; m <= NMONTHS; m++) {
		char month[8];
		snprintf(month, sizeof month, "2025-%02d", m);
		const char *argv[] = {"allocate", "--month", month, "--quiet", NULL};
		/* A plan is refused only when its new cash gives posts less than the minimum,
		 * which a valid policy never does; a refused plan would stop the village's chain,
		 * which is then checked up to there. */
		run(&env, cli_allocate, 4, argv);
	}

	struct store *st = cli_store(&env);
	const struct config *cfg = env.cfg;
	int64_t county_received = 0, station_cash = 0;
	for (int v = 0; v < NVILLAGES; v++) {
		const char *vid = cfg->villages[v].id;
		int64_t in = 0, paid = 0, prev_owed = 0;
		struct revenue_carry prev = {0};
		int months = 0;
		for (int m = 1; m <= NMONTHS; m++) {
			char month[8];
			struct store_rev_plan plan;
			struct store_rev_bucket bk[REVENUE_NBUCKETS];
			snprintf(month, sizeof month, "2025-%02d", m);
			if (store_rev_plan_get(st, vid, month, &plan) != 0)
				break; /* refused plans stop the village's chain */
			months++;
			CHECK_INT(store_rev_plan_buckets(st, vid, month, bk), 0);
			in += plan.distributable_fen;
			county_received += plan.received_fen;
			int64_t alloc = 0, spent = 0;
			for (int k = 0; k < REVENUE_NBUCKETS; k++) {
				CHECK_INT(bk[k].carry_in_fen, prev.bucket_fen[k]);
				CHECK(bk[k].carry_out_fen >= 0 && bk[k].spent_fen >= 0);
				CHECK_INT(bk[k].carry_in_fen + bk[k].alloc_fen,
					  bk[k].spent_fen + bk[k].carry_out_fen);
				alloc += bk[k].alloc_fen;
				spent += bk[k].spent_fen;
				prev.bucket_fen[k] = bk[k].carry_out_fen;
			}
			CHECK_INT(plan.deficit_in_fen, prev.deficit_fen);
			int64_t base = plan.distributable_fen + plan.deficit_in_fen;
			CHECK_INT(alloc, base > 0 ? base : 0);
			CHECK_INT(plan.deficit_out_fen, base > 0 ? 0 : base);
			prev.deficit_fen = plan.deficit_out_fen;
			paid += spent;
			struct store_rev_payment *p;
			size_t np;
			int64_t sum = 0;
			CHECK_INT(store_rev_plan_payments(st, vid, month, &p, &np), 0);
			int64_t owed_out = 0;
			for (size_t i = 0; i < np; i++) {
				CHECK(p[i].paid_fen >= 0 && p[i].paid_fen <= p[i].due_fen);
				if (strcmp(p[i].reason, "no_agreement") == 0 ||
				    strcmp(p[i].reason, "no_record") == 0)
					CHECK_INT(p[i].paid_fen, 0);
				sum += p[i].paid_fen;
				owed_out += p[i].due_fen - p[i].paid_fen;
			}
			/* What a month owes comes back, all of it, as the next month's arrears,
			 * paid first and never more than is owed. */
			struct store_rev_arrears ow;
			int64_t *op = NULL, owed_in = 0;
			CHECK_INT(store_rev_plan_arrears(st, vid, month, &ow, &op), 0);
			for (size_t i = 0; i < ow.n; i++) {
				CHECK(op[i] >= 0 && op[i] <= ow.a[i].owed_fen);
				sum += op[i];
				owed_in += ow.a[i].owed_fen;
				owed_out += ow.a[i].owed_fen - op[i];
			}
			CHECK_INT(owed_in, prev_owed);
			prev_owed = owed_out;
			free(op);
			store_rev_arrears_free(&ow);
			CHECK_INT(sum, bk[REVENUE_POSTS].spent_fen);
			store_rev_payments_free(p, np);
		}
		int64_t carried = 0;
		for (int k = 0; k < REVENUE_NBUCKETS; k++)
			carried += prev.bucket_fen[k];
		/* Nothing lost, nothing made up: in = paid + carried + deficit. */
		CHECK_INT(in, paid + carried + prev.deficit_fen);
		(void)months;
	}
	/* The county's received cash is every station's cash, the joint one split to the fen,
	 * when every village allocated every month. */
	int full = 1;
	for (int v = 0; v < NVILLAGES && full; v++) {
		struct store_rev_plan plan;
		full = store_rev_plan_get(st, cfg->villages[v].id, "2025-06", &plan) == 0;
	}
	if (full) {
		for (int m = 1; m <= NMONTHS; m++)
			for (int s = 0; s < 5; s++) {
				char month[8];
				struct store_rev_station_month sm;
				snprintf(month, sizeof month, "2025-%02d", m);
				store_rev_station_month(st, cfg->stations[s].id, month, &sm);
				station_cash += sm.cash_fen;
			}
		CHECK_INT(county_received, station_cash);
	}
	cli_env_free(&env);
	unlink(db);
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/pvrelief-prop.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	/* Keep the commands quiet: their output is not what is tested. */
	fflush(stdout);
	int saved = dup(1);
	if (!freopen("/dev/null", "w", stdout))
		return 1;
	for (int t = 0; t < 24; t++)
		trial(t);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return check_summary();
}
