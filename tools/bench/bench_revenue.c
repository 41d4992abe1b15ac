/* Benchmark: allocates and renders one month for a county of 10,000 stations and 100,000
 * people through the real store and commands, and prints the time of each stage and the peak
 * memory (getrusage ru_maxrss). Not a test: the figures depend on the machine.
 *   bench_revenue [STATIONS [PEOPLE [DIR]]]   (defaults 10000 100000 and a temporary dir) */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/report.h"
#include "pvrelief/store.h"
#include "pvrelief/store_records.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put(struct store *st, enum store_rev_kind kind, const char *const *v)
{
	char why[256];
	if (store_rev_put(st, kind, v, "bench", 0, why, sizeof why) != 0) {
		fprintf(stderr, "bench: %s\n", why);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int nstations = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 10000;
	int npeople = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 100000;
	int nvillages = nstations / 2;
	char dir[256], conf[300], db[300], out[300];
	if (argc > 3)
		snprintf(dir, sizeof dir, "%s", argv[3]);
	else {
		snprintf(dir, sizeof dir, "/tmp/pvrelief-bench.XXXXXX");
		if (!mkdtemp(dir))
			return 1;
	}
	snprintf(conf, sizeof conf, "%s/bench.conf", dir);
	snprintf(db, sizeof db, "%s/bench.db", dir);
	unlink(db);
	double t0 = now_s();
	FILE *f = fopen(conf, "w");
	if (!f)
		return 1;
	fprintf(f,
		"county = { id = \"bench\"; name = \"基准县\"; utc_offset = 8; };\n"
		"maps_dir = \"/tmp\";\ndatabase = { path = \"%s\"; };\ntowns = (\n",
		db);
	for (int t = 0; t < nvillages / 50; t++) {
		fprintf(f, "{ id = \"t%d\"; name = \"镇%d\"; villages = (", t, t);
		for (int v = t * 50; v < (t + 1) * 50; v++)
			fprintf(f, "%s{ id = \"v%d\"; name = \"村%d\"; }", v > t * 50 ? ", " : "",
				v, v);
		fprintf(f, "); }%s\n", t + 1 < nvillages / 50 ? "," : "");
	}
	fprintf(f, ");\nstations = (\n");
	for (int s = 0; s < nstations; s++)
		fprintf(
		    f,
		    "{ id = \"s%d\"; name = \"站%d\"; village = \"v%d\"; lat = 31.0; lon = 116.0; "
		    "capacity_kwp = 100.0; devices = ( { id = \"i\"; role = \"inverter\"; "
		    "transport = \"tcp\"; host = \"127.0.0.1\"; port = %d; unit = %d; "
		    "protocol = \"sunspec\"; } ); }%s\n",
		    s, s, s % nvillages, 20000 + s / 240, 1 + s % 240,
		    s + 1 < nstations ? "," : "");
	fprintf(f, ");\n");
	fclose(f);

	struct cli_env env = {.config_path = conf, .progname = "bench"};
	struct store *st = cli_store_create(&env);
	if (!st)
		return 1;
	const struct config *cfg = env.cfg;
	double t1 = now_s();
	store_begin(st);
	char a[64], b[64], c[64], d[64];
	for (int s = 0; s < nstations; s++) {
		snprintf(a, sizeof a, "s%d", s);
		snprintf(b, sizeof b, "%d", 900000 + (s * 7919) % 600000);
		snprintf(c, sizeof c, "%d", 1100000 + (s * 104729) % 700000);
		const char *v[] = {a, "2025-05", "12000.000", b, c, "2025-06-20"};
		put(st, STORE_REV_SETTLEMENT, v);
	}
	for (int p = 0; p < npeople; p++) {
		char vil[32];
		snprintf(vil, sizeof vil, "v%d", p % nvillages);
		snprintf(a, sizeof a, "p%d", p);
		snprintf(b, sizeof b, "q%d", p);
		const char *person[] = {a, vil, "村民", "3415**********1234", "脱贫户", "full"};
		put(st, STORE_REV_PERSON, person);
		snprintf(c, sizeof c, "%d", 30000 + (p * 31) % 40000);
		const char *post[] = {b, vil, "保洁", c, "22"};
		put(st, STORE_REV_POST, post);
		if (p % 17) {
			const char *agr[] = {a, b, "2025-01-01", "2025-12-31"};
			put(st, STORE_REV_AGREEMENT, agr);
		}
		if (p % 23) {
			snprintf(d, sizeof d, "%d", p % 23);
			const char *att[] = {a, b, "2025-06", d, ""};
			put(st, STORE_REV_ATTENDANCE, att);
		}
	}
	store_commit(st);
	double t2 = now_s();

	optind = 0;
	/* getopt takes char **: the arguments are writable copies. */
	char a0[] = "allocate", a1[] = "--month", a2[] = "2025-06", a3[] = "--quiet";
	char *al[] = {a0, a1, a2, a3, NULL};
	int rc = cli_allocate(&env, 4, al);
	double t3 = now_s();
	struct report *r = cli_report_load(st, cfg, "2025-06", -1, 0, 0);
	double t4 = now_s();
	size_t csv_len = 0, total = 0;
	char *html = report_html(r);
	double t5 = now_s();
	char *json = report_json(r);
	double t6 = now_s();
	char *csv = report_csv(r, &csv_len);
	double t7 = now_s();
	char why[256];
	snprintf(out, sizeof out, "%s/bench.xlsx", dir);
	int xrc = report_xlsx(r, out, why, sizeof why);
	double t8 = now_s();
	total = strlen(html) + strlen(json) + csv_len;
	size_t payees = 0;
	for (size_t v = 0; v < r->nvillages; v++)
		payees += r->villages[v].npayees;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("county: %d stations, %d villages, %d people, %zu payees in the report\n", nstations,
	       nvillages, npeople, payees);
	printf("setup (config %.2f s, import %.2f s) not counted\n", t1 - t0, t2 - t1);
	printf("allocate all villages   %7.3f s%s\n", t3 - t2, rc ? " (some refused)" : "");
	printf("report load from store  %7.3f s\n", t4 - t3);
	printf("render html             %7.3f s (%zu bytes)\n", t5 - t4, strlen(html));
	printf("render json             %7.3f s (%zu bytes)\n", t6 - t5, strlen(json));
	printf("render csv              %7.3f s (%zu bytes)\n", t7 - t6, csv_len);
	printf("render xlsx             %7.3f s%s\n", t8 - t7, xrc ? " (failed)" : "");
	printf("allocate + load + html  %7.3f s (target < 5 s on 2 cores)\n", t5 - t2);
	printf("allocate + all formats  %7.3f s, %zu bytes of text\n", t8 - t2, total);
	printf("peak memory (ru_maxrss) %7.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	free(html);
	free(json);
	free(csv);
	report_free(r);
	cli_env_free(&env);
	return 0;
}
