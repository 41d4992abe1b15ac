/* pvrelief report --month YYYY-MM [--village V] --format html|csv|xlsx|json --out FILE
 * [--public]: gathers a month from the store into the report's plain data and renders it. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/notice.h"
#include "pvrelief/report.h"
#include "pvrelief/report_year.h"
#include "pvrelief/revenue.h"
#include "pvrelief/store.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_notice.h"
#include "pvrelief/store_records.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/xalloc.h"

static int owns(const struct config_station *s, size_t vi, uint32_t *parts, uint32_t *total)
{
	int found = 0;
	*total = 0;
	for (size_t k = 0; k < s->n_shares; k++) {
		*total += s->shares[k].parts;
		if (s->shares[k].village == vi) {
			*parts = s->shares[k].parts;
			found = 1;
		}
	}
	return found;
}

struct report *cli_report_load(struct store *st, const struct config *cfg, const char *month,
			       long only_village, int public_notice, int64_t now)
{
	size_t nv = only_village >= 0 ? 1 : cfg->n_villages;
	size_t *vmap = xmalloc((cfg->n_villages ? cfg->n_villages : 1) * sizeof *vmap);
	size_t *smap = xmalloc((cfg->n_stations ? cfg->n_stations : 1) * sizeof *smap);
	size_t ns = 0;
	struct cli_holdings h = {0};
	/* Stations in the report: all, or those the chosen village owns a share of. */
	for (size_t s = 0; s < cfg->n_stations; s++) {
		uint32_t p, t;
		smap[s] = (size_t)-1;
		if (only_village < 0 || owns(&cfg->stations[s], (size_t)only_village, &p, &t))
			smap[s] = ns++;
	}
	struct report *r = report_new(cfg->county_id, cfg->county_name, month, nv, ns);
	r->public_notice = public_notice;
	r->generated_unix = now;
	r->utc_offset_s = cfg->utc_offset_s;
	r->eta_station_target = cfg->efficiency.station_target;
	r->eta_county_target = cfg->efficiency.county_target;
	r->reconcile_tolerance = cfg->revenue.reconcile_tolerance;
	r->contact = report_str(r, cfg->revenue.notice_contact);
	if (store_ledger_head(st, &r->ledger_seq, r->ledger_hash) != 0)
		goto fail;
	for (size_t s = 0; s < cfg->n_stations; s++) {
		if (smap[s] == (size_t)-1)
			continue;
		const struct config_station *cs = &cfg->stations[s];
		struct report_station *rs = &r->stations[smap[s]];
		struct store_rev_station_month sm;
		if (store_rev_station_month(st, cs->id, month, &sm) != 0)
			goto fail;
		rs->id = report_str(r, cs->id);
		rs->name = report_str(r, cs->name);
		rs->village_id = report_str(r, cfg->villages[cs->village].id);
		rs->capacity_kwp = cs->capacity_kwp;
		rs->has_measured = sm.has_measured;
		rs->measured_kwh = sm.measured_wh / 1000.0;
		rs->has_metered = sm.has_metered;
		rs->metered_kwh = sm.metered_kwh;
		rs->received_fen = sm.cash_fen;
		rs->receivable_fen = sm.receivable_fen;
		rs->has_eta = sm.has_eta;
		rs->eta = sm.eta;
		if (sm.has_measured && sm.has_metered && sm.metered_kwh > 0) {
			rs->diff_fraction = (sm.metered_kwh - rs->measured_kwh) / sm.metered_kwh;
			rs->reconcile_flag =
			    fabs(rs->diff_fraction) > cfg->revenue.reconcile_tolerance;
		}
	}
	size_t v = 0;
	cli_holdings_build(cfg, &h);
	for (size_t vi = 0; vi < cfg->n_villages; vi++) {
		if (only_village >= 0 && (size_t)only_village != vi)
			continue;
		const struct config_village *cv = &cfg->villages[vi];
		struct report_village *rv = &r->villages[v];
		struct store_rev_plan plan;
		struct store_rev_bucket b[REVENUE_NBUCKETS];
		vmap[vi] = v;
		rv->id = report_str(r, cv->id);
		rv->name = report_str(r, cv->name);
		rv->town = report_str(r, cfg->towns[cv->town].name);
		rv->min_posts_bp = (int32_t)cfg->revenue.min_posts_bp;
		rv->policy_posts_bp = (int32_t)cfg->revenue.posts_bp;
		rv->notice_days = (int)cfg->revenue.notice_days;
		rv->stations = xmalloc((h.n[vi] ? h.n[vi] : 1) * sizeof *rv->stations);
		for (size_t i = 0; i < h.n[vi]; i++) {
			size_t s = h.of[vi][i].station, k = h.of[vi][i].share;
			const struct config_station *cs = &cfg->stations[s];
			if (smap[s] == (size_t)-1)
				continue;
			const struct report_station *rs = &r->stations[smap[s]];
			uint32_t total = 0;
			for (size_t j = 0; j < cs->n_shares; j++)
				total += cs->shares[j].parts;
			rv->stations[rv->nstations++] = smap[s];
			/* Generation is shown in proportion to the village's parts of a joint
			 * station; money is split to the fen with the allocation's rule. */
			double f = total ? (double)cs->shares[k].parts / (double)total : 0;
			rv->measured_kwh += rs->measured_kwh * f;
			rv->metered_kwh += rs->metered_kwh * f;
			rv->received_fen += cli_share(cs, k, rs->received_fen);
			rv->receivable_fen += cli_share(cs, k, rs->receivable_fen);
		}
		if (store_rev_costs(st, cv->id, month, rv->cost_fen) != 0)
			goto fail;
		for (int c = 0; c < REPORT_NCOSTS; c++)
			rv->costs_fen += rv->cost_fen[c];
		int rc = store_rev_plan_get(st, cv->id, month, &plan);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			rv->has_plan = 1;
			rv->state = report_str(r, plan.state);
			rv->received_fen = plan.received_fen;
			rv->costs_fen = plan.costs_fen;
			rv->distributable_fen = plan.distributable_fen;
			rv->deficit_in_fen = plan.deficit_in_fen;
			rv->deficit_out_fen = plan.deficit_out_fen;
			rv->posts_share_bp = plan.posts_share_bp;
			rv->policy_posts_bp = plan.policy_posts_bp;
			rv->min_posts_bp = plan.min_posts_bp;
			rv->note = report_str(r, plan.note);
			rv->publicised_at = plan.publicised_at;
			rv->notice_days = plan.notice_days;
			if (store_rev_plan_buckets(st, cv->id, month, b) < 0)
				goto fail;
			for (int k = 0; k < REVENUE_NBUCKETS; k++) {
				rv->share_bp[k] = b[k].share_bp;
				rv->carry_in_fen[k] = b[k].carry_in_fen;
				rv->alloc_fen[k] = b[k].alloc_fen;
				rv->spent_fen[k] = b[k].spent_fen;
				rv->unmet_fen[k] = b[k].unmet_fen;
				rv->carry_out_fen[k] = b[k].carry_out_fen;
			}
			if (store_rev_report_payees(st, r, v) != 0)
				goto fail;
		} else {
			rv->distributable_fen = rv->received_fen - rv->costs_fen;
			rv->share_bp[REVENUE_POSTS] = (int32_t)cfg->revenue.posts_bp;
			rv->share_bp[REVENUE_PUBLIC_WORKS] = (int32_t)cfg->revenue.public_works_bp;
			rv->share_bp[REVENUE_REWARDS] = (int32_t)cfg->revenue.rewards_bp;
			rv->share_bp[REVENUE_OM_RESERVE] = (int32_t)cfg->revenue.om_reserve_bp;
		}
		v++;
	}
	cli_holdings_free(&h);
	free(vmap);
	free(smap);
	return r;
fail:
	if (h.n)
		cli_holdings_free(&h);
	fprintf(stderr, "pvrelief report: database error: %s\n", store_errmsg(st));
	free(vmap);
	free(smap);
	report_free(r);
	return NULL;
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

/* pvrelief report --year YYYY: the twelve months summed, per village and for the county. */
static int report_year_cmd(struct cli_env *env, const char *year, const char *village,
			   const char *format, const char *out, const char *now_text)
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
	int64_t now = cli_now(now_text);
	if (now < 0) {
		fprintf(stderr, "pvrelief report: --now is not a time\n");
		return 2;
	}
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	long only = -1;
	if (village && (only = cli_village_index(env->cfg, village)) < 0) {
		fprintf(stderr, "pvrelief report: unknown village \"%s\"\n", village);
		return 2;
	}
	int said = 0, disagree = store_ledger_crosscheck(st, say_disagreement, &said);
	if (disagree != 0) {
		if (disagree < 0)
			fprintf(stderr, "pvrelief report: cannot cross-check with the ledger: %s\n",
				store_errmsg(st));
		return 1;
	}
	const struct config *cfg = env->cfg;
	struct report_year *yr_r = report_year_new(cfg->county_id, cfg->county_name, (int)yr,
						   only >= 0 ? 1 : cfg->n_villages);
	int rc = 0;
	for (int m = 1; m <= 12 && rc == 0; m++) {
		char month[8];
		snprintf(month, sizeof month, "%04ld-%02d", yr % 10000, m % 100);
		struct report *r = cli_report_load(st, cfg, month, only, 0, now);
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
	return rc == 0 ? 0 : 1;
}

int cli_report(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {{"month", required_argument, NULL, 'm'},
						 {"village", required_argument, NULL, 'v'},
						 {"format", required_argument, NULL, 'f'},
						 {"out", required_argument, NULL, 'o'},
						 {"public", no_argument, NULL, 'p'},
						 {"now", required_argument, NULL, 'n'},
						 {"year", required_argument, NULL, 'y'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	const char *month = NULL, *village = NULL, *format = NULL, *out = NULL, *now_text = NULL;
	const char *year = NULL;
	int c, pub = 0, y, m;
	while ((c = getopt_long(argc, argv, "m:v:f:o:pn:y:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			month = optarg;
			break;
		case 'v':
			village = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			pub = 1;
			break;
		case 'n':
			now_text = optarg;
			break;
		case 'y':
			year = optarg;
			break;
		case 'h':
			printf(
			    "usage: pvrelief report --month YYYY-MM [--village V] "
			    "--format html|csv|xlsx|json --out FILE [--public]\n"
			    "--public leaves out ID numbers and household categories (公示).\n"
			    "--out - writes html, csv and json to standard output.\n"
			    "       pvrelief report --year YYYY [--village V] --format "
			    "html|csv|json --out FILE\n"
			    "the year as the county reports it, per village and for the county.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (year && !month && format && out && optind == argc)
		return report_year_cmd(env, year, village, format, out, now_text);
	if (!month || csv_parse_month(month, &y, &m) != 0 || strlen(month) != 7 || !format ||
	    !out || optind != argc) {
		fprintf(stderr, "usage: pvrelief report --month YYYY-MM [--village V] --format "
				"html|csv|xlsx|json --out FILE [--public]\n");
		return 2;
	}
	if (strcmp(format, "html") && strcmp(format, "csv") && strcmp(format, "xlsx") &&
	    strcmp(format, "json")) {
		fprintf(stderr, "pvrelief report: unknown format \"%s\"\n", format);
		return 2;
	}
	int64_t now = cli_now(now_text);
	if (now < 0) {
		fprintf(stderr, "pvrelief report: --now is not a time\n");
		return 2;
	}
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	long only = -1;
	if (village && (only = cli_village_index(env->cfg, village)) < 0) {
		fprintf(stderr, "pvrelief report: unknown village \"%s\"\n", village);
		return 2;
	}
	/* Figures are rendered only when every money table agrees with the ledger: a row
	 * changed behind its back would otherwise be printed as if it were true. */
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
	struct report *r = pub && only >= 0 ? notice_load(st, env->cfg, (size_t)only, month, now)
					    : cli_report_load(st, env->cfg, month, only, pub, now);
	if (!r)
		return 1;
	int rc = 0;
	if (strcmp(format, "xlsx") == 0) {
		char why[512];
		if (strcmp(out, "-") == 0 || report_xlsx(r, out, why, sizeof why) != 0) {
			fprintf(stderr, "pvrelief report: %s\n",
				strcmp(out, "-") == 0 ? "xlsx needs a file for --out" : why);
			rc = -1;
		}
	} else {
		size_t len = 0;
		char *text = strcmp(format, "csv") == 0	   ? report_csv(r, &len)
			     : strcmp(format, "json") == 0 ? report_json(r)
							   : report_html(r);
		if (strcmp(format, "csv") != 0)
			len = strlen(text);
		rc = write_out(out, text, len);
		free(text);
	}
	report_free(r);
	return rc == 0 ? 0 : 1;
}
