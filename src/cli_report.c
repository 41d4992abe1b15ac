/* pvrelief report --month YYYY-MM [--village V] --format html|csv|xlsx|json --out FILE
 * [--public]: gathers a month from the store into the report's plain data and renders it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/ledger.h"
#include "pvrelief/notice.h"
#include "pvrelief/report.h"
#include "pvrelief/report_load.h"
#include "pvrelief/report_year.h"
#include "pvrelief/revenue.h"
#include "pvrelief/store.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_notice.h"
#include "pvrelief/store_records.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/xalloc.h"

struct report *cli_report_load(struct store *st, const struct config *cfg, const char *month,
			       long only_village, int public_notice, int64_t now)
{
	bool *want = NULL;
	if (only_village >= 0) {
		want = xcalloc(cfg->n_villages ? cfg->n_villages : 1, sizeof *want);
		want[only_village] = true;
	}
	struct report *r = report_load(st, cfg, month, want, public_notice, now);
	free(want);
	return r;
}

/* Checks the chain before anything is rendered from the store: a broken ledger cannot vouch
 * for the tables. Returns 0, or 1 with the reason printed. */
static int chain_intact(struct store *st)
{
	struct store_ledger l;
	char why[512];
	if (store_ledger_load(st, &l) != 0) {
		fprintf(stderr, "pvrelief report: cannot read the ledger: %s\n", store_errmsg(st));
		return 1;
	}
	long bad = ledger_verify(l.entries, l.n, why, sizeof why);
	store_ledger_free(&l);
	if (bad >= 0) {
		fprintf(stderr, "pvrelief report: refused: the ledger is broken: %s\n", why);
		return 1;
	}
	return 0;
}

/* Prints the first row that disagrees with the ledger, and counts them. */
static void say_disagreement(void *arg, const char *sentence)
{
	int *said = arg;
	if (!*said)
		fprintf(stderr,
			"pvrelief report: refused: a money table disagrees with the ledger: %s\n",
			sentence);
	++*said;
}

static int write_out(const char *path, const char *data, size_t len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	int rc = 0;
	if (!f || fwrite(data, 1, len, f) != len)
		rc = -1;
	if (f && f != stdout && fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "pvrelief report: cannot write %s\n", path);
	return rc;
}

/* Fills want[] with the villages of the town whose id or name is town; returns how many, or
 * -1 when there is no such town. */
static long town_villages(const struct config *cfg, const char *town, bool *want)
{
	long ti = -1, n = 0;
	for (size_t t = 0; t < cfg->n_towns && ti < 0; t++)
		if (strcmp(cfg->towns[t].id, town) == 0 || strcmp(cfg->towns[t].name, town) == 0)
			ti = (long)t;
	if (ti < 0)
		return -1;
	for (size_t v = 0; v < cfg->n_villages; v++)
		n += want[v] = cfg->villages[v].town == (size_t)ti;
	return n;
}

/* pvrelief report --year YYYY: the twelve months summed, per village and for the county. */
static int report_year_cmd(struct cli_env *env, const char *year, const char *village,
			   const char *town, const char *format, const char *out, int64_t now)
{
	char *end;
	long yr = strtol(year, &end, 10);
	if (*end || strlen(year) != 4 || yr < 1970 || yr > 9999) {
		fprintf(stderr, "pvrelief report: --year needs YYYY\n");
		return 2;
	}
	if (strcmp(format, "html") && strcmp(format, "csv") && strcmp(format, "json")) {
		fprintf(stderr, "pvrelief report: the year is rendered as html, csv or json\n");
		return 2;
	}
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	const struct config *cfg = env->cfg;
	bool *want = xcalloc(cfg->n_villages ? cfg->n_villages : 1, sizeof *want);
	long only = -1, nwant = (long)cfg->n_villages;
	if (village && (only = cli_village_index(cfg, village)) < 0) {
		fprintf(stderr, "pvrelief report: unknown village \"%s\"\n", village);
		free(want);
		return 2;
	}
	if (only >= 0) {
		want[only] = true;
		nwant = 1;
	} else if (town && (nwant = town_villages(cfg, town, want)) < 0) {
		fprintf(stderr, "pvrelief report: unknown town \"%s\"\n", town);
		free(want);
		return 2;
	}
	int said = 0,
	    disagree = chain_intact(st) ? 1 : store_ledger_crosscheck(st, say_disagreement, &said);
	if (disagree != 0) {
		if (disagree < 0)
			fprintf(stderr, "pvrelief report: cannot cross-check with the ledger: %s\n",
				store_errmsg(st));
		free(want);
		return 1;
	}
	struct report_year *yr_r =
	    report_year_new(cfg->county_id, cfg->county_name, (int)yr, (size_t)nwant);
	int rc = 0;
	for (int m = 1; m <= 12 && rc == 0; m++) {
		char month[8];
		snprintf(month, sizeof month, "%04ld-%02d", yr % 10000, m % 100);
		struct report *r =
		    report_load(st, cfg, month, only >= 0 || town ? want : NULL, 0, now);
		if (!r || report_year_add_month(yr_r, r) != 0)
			rc = -1;
		report_free(r);
	}
	for (size_t v = 0; v < yr_r->nvillages && rc == 0; v++)
		if (store_rev_post_count(st, yr_r->villages[v].id, &yr_r->villages[v].posts) != 0) {
			fprintf(stderr, "pvrelief report: database error: %s\n", store_errmsg(st));
			rc = -1;
		}
	if (rc == 0) {
		size_t len = 0;
		char *text = strcmp(format, "csv") == 0	   ? report_year_csv(yr_r, &len)
			     : strcmp(format, "json") == 0 ? report_year_json(yr_r)
							   : report_year_html(yr_r);
		if (strcmp(format, "csv") != 0)
			len = strlen(text);
		rc = write_out(out, text, len);
		free(text);
	}
	report_year_free(yr_r);
	free(want);
	return rc == 0 ? 0 : 1;
}

int cli_report(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {CLI_OPTION_MONTH,
						 CLI_OPTION_VILLAGE,
						 CLI_OPTION_FORMAT,
						 {"out", required_argument, NULL, 'o'},
						 {"public", no_argument, NULL, 'p'},
						 CLI_OPTION_NOW,
						 {"year", required_argument, NULL, 'y'},
						 {"town", required_argument, NULL, 't'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	enum { FMT_HTML, FMT_CSV, FMT_XLSX, FMT_JSON };
	/* The month is needed unless the year is asked for; checked below. */
	struct cli_opts o = {.env = env,
			     .cmd = "pvrelief report",
			     .formats = "html|csv|xlsx|json",
			     .need = CLI_NEED_FORMAT};
	const char *out = NULL, *year = NULL, *town = NULL;
	int c, pub = 0;
	while ((c = getopt_long(argc, argv, "m:v:f:o:pn:y:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'p':
			pub = 1;
			break;
		case 'y':
			year = optarg;
			break;
		case 't': /* --town here, not the shared --at */
			town = optarg;
			break;
		case 'h':
			printf(
			    "usage: pvrelief report --month YYYY-MM [--village V | --town T] "
			    "--format html|csv|xlsx|json --out FILE [--public]\n"
			    "--public leaves out ID numbers and household categories (公示);\n"
			    "with --village it is the village's notice, served as posted once the\n"
			    "plan is publicised.\n"
			    "--out - writes html, csv and json to standard output.\n"
			    "       pvrelief report --year YYYY [--village V | --town T] --format "
			    "html|csv|json --out FILE\n"
			    "the year as the county reports it, per village and for the county.\n"
			    "--town T (id or name) limits either to the villages of one town.\n");
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: pvrelief report --month YYYY-MM [--village V | --town T] "
				"--format html|csv|xlsx|json --out FILE [--public]\n");
		return 2;
	}
	if (!year)
		o.need |= CLI_NEED_MONTH;
	if (cli_opt_check(&o) != 0)
		return 2;
	if (!out) {
		fprintf(stderr, "pvrelief report: say where to write it with --out FILE (- for "
				"standard output)\n");
		return 2;
	}
	if (year)
		return report_year_cmd(env, year, o.village, town, o.format, out, o.now);
	const char *month = o.month, *village = o.village, *format = o.format;
	int64_t now = o.now;
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	long only = -1;
	if (village && (only = cli_village(env, o.cmd, village)) < 0)
		return 2;
	bool *want = NULL;
	if (town && only < 0) {
		want = xcalloc(env->cfg->n_villages ? env->cfg->n_villages : 1, sizeof *want);
		if (town_villages(env->cfg, town, want) < 0) {
			fprintf(stderr, "pvrelief report: unknown town \"%s\"\n", town);
			free(want);
			return 2;
		}
	}
	/* Figures are rendered only from an intact ledger with every money table agreeing
	 * with it: a row changed behind its back would otherwise be printed as if it were
	 * true. */
	if (chain_intact(st) != 0) {
		free(want);
		return 1;
	}
	int said = 0, disagree = store_ledger_crosscheck(st, say_disagreement, &said);
	if (disagree != 0) {
		if (disagree < 0)
			fprintf(stderr, "pvrelief report: cannot cross-check with the ledger: %s\n",
				store_errmsg(st));
		else
			fprintf(stderr,
				"pvrelief report: %d rows disagree in all; pvrelief ledger verify "
				"lists them\n",
				disagree);
		free(want);
		return 1;
	}
	/* A village's public notice that was posted is served as posted, byte for byte; one
	 * not yet posted is rendered with the amendments to the village's earlier notices. */
	if (pub && only >= 0) {
		struct store_notice sn;
		int got = store_notice_get(st, village, month, format, &sn);
		if (got < 0) {
			fprintf(stderr, "pvrelief report: database error: %s\n", store_errmsg(st));
			return 1;
		}
		if (got == 0) {
			int wrc = write_out(out, (const char *)sn.body, sn.len);
			free(sn.body);
			return wrc == 0 ? 0 : 1;
		}
	}
	/* So is a town's, once all its villages posted theirs and it was issued with the last. */
	for (size_t t = 0; pub && only < 0 && town && t < env->cfg->n_towns; t++) {
		struct store_notice sn;
		if (strcmp(env->cfg->towns[t].id, town) != 0 &&
		    strcmp(env->cfg->towns[t].name, town) != 0)
			continue;
		int got = store_town_notice_get(st, env->cfg->towns[t].id, month, format, &sn);
		if (got < 0) {
			fprintf(stderr, "pvrelief report: database error: %s\n", store_errmsg(st));
			free(want);
			return 1;
		}
		if (got == 0) {
			int wrc = write_out(out, (const char *)sn.body, sn.len);
			free(sn.body);
			free(want);
			return wrc == 0 ? 0 : 1;
		}
		break;
	}
	struct report *r = pub && only >= 0 ? notice_load(st, env->cfg, (size_t)only, month, now)
			   : want	    ? report_load(st, env->cfg, month, want, pub, now)
					    : cli_report_load(st, env->cfg, month, only, pub, now);
	free(want);
	if (!r)
		return 1;
	int rc = 0;
	if (o.format_index == FMT_XLSX) {
		char why[512];
		if (strcmp(out, "-") == 0 || report_xlsx(r, out, why, sizeof why) != 0) {
			fprintf(stderr, "pvrelief report: %s\n",
				strcmp(out, "-") == 0 ? "xlsx needs a file for --out" : why);
			rc = -1;
		}
	} else {
		size_t len = 0;
		char *text = o.format_index == FMT_CSV	  ? report_csv(r, &len)
			     : o.format_index == FMT_JSON ? report_json(r)
							  : report_html(r);
		if (o.format_index != FMT_CSV)
			len = strlen(text);
		rc = write_out(out, text, len);
		free(text);
	}
	report_free(r);
	return rc == 0 ? 0 : 1;
}
