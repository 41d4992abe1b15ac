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
#include "pvrelief/report.h"
#include "pvrelief/revenue.h"
#include "pvrelief/store.h"
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

int cli_report(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {CLI_OPTION_MONTH,
						 CLI_OPTION_VILLAGE,
						 CLI_OPTION_FORMAT,
						 {"out", required_argument, NULL, 'o'},
						 {"public", no_argument, NULL, 'p'},
						 CLI_OPTION_NOW,
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	enum { FMT_HTML, FMT_CSV, FMT_XLSX, FMT_JSON };
	struct cli_opts o = {.env = env,
			     .cmd = "pvrelief report",
			     .formats = "html|csv|xlsx|json",
			     .need = CLI_NEED_MONTH | CLI_NEED_FORMAT};
	const char *out = NULL;
	int c, pub = 0;
	while ((c = getopt_long(argc, argv, "m:v:f:o:pn:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'p':
			pub = 1;
			break;
		case 'h':
			printf("usage: pvrelief report --month YYYY-MM [--village V] "
			       "--format html|csv|xlsx|json --out FILE [--public]\n"
			       "--public leaves out ID numbers and household categories (公示).\n"
			       "--out - writes html, csv and json to standard output.\n");
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: pvrelief report --month YYYY-MM [--village V] --format "
				"html|csv|xlsx|json --out FILE [--public]\n");
		return 2;
	}
	if (cli_opt_check(&o) != 0)
		return 2;
	if (!out) {
		fprintf(stderr, "pvrelief report: say where to write it with --out FILE (- for "
				"standard output)\n");
		return 2;
	}
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	long only = -1;
	if (o.village && (only = cli_village(env, o.cmd, o.village)) < 0)
		return 2;
	struct report *r = cli_report_load(st, env->cfg, o.month, only, pub, o.now);
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
