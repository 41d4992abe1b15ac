/* Gathers a month's report from the store into the report's plain data. */
#include "pvrelief/report_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/report.h"
#include "pvrelief/revenue.h"
#include "pvrelief/store.h"
#include "pvrelief/store_correct.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/store_records.h"
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

struct report *report_load(struct store *st, const struct config *cfg, const char *month,
			   const bool *want, int public_notice, int64_t now)
{
	size_t nv = 0;
	for (size_t vi = 0; vi < cfg->n_villages; vi++)
		nv += !want || want[vi];
	size_t *vmap = xmalloc((cfg->n_villages ? cfg->n_villages : 1) * sizeof *vmap);
	size_t *smap = xmalloc((cfg->n_stations ? cfg->n_stations : 1) * sizeof *smap);
	size_t ns = 0;
	struct cli_holdings h = {0};
	/* Stations in the report: all, or those the chosen village owns a share of. */
	for (size_t s = 0; s < cfg->n_stations; s++) {
		uint32_t p, t;
		smap[s] = (size_t)-1;
		for (size_t vi = 0; vi < cfg->n_villages && smap[s] == (size_t)-1; vi++)
			if ((!want || want[vi]) && owns(&cfg->stations[s], vi, &p, &t))
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
		rs->cash_periods = report_str(r, sm.cash_periods);
		rs->cash_metered_kwh = sm.cash_metered_kwh;
		rs->has_cash_measured = sm.has_cash_measured;
		rs->cash_measured_kwh = sm.cash_measured_wh / 1000.0;
		if (sm.has_measured && sm.has_metered && sm.metered_kwh > 0) {
			rs->diff_fraction = (sm.metered_kwh - rs->measured_kwh) / sm.metered_kwh;
			rs->reconcile_flag =
			    fabs(rs->diff_fraction) > cfg->revenue.reconcile_tolerance;
		}
	}
	size_t v = 0;
	cli_holdings_build(cfg, &h);
	for (size_t vi = 0; vi < cfg->n_villages; vi++) {
		if (want && !want[vi])
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
		int cash_unmeasured = 0;
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
			rv->cash_metered_kwh += rs->cash_metered_kwh * f;
			rv->cash_measured_kwh += rs->cash_measured_kwh * f;
			if (rs->cash_periods[0] && !rs->has_cash_measured)
				cash_unmeasured = 1;
			rv->received_fen += cli_share(cs, k, rs->received_fen);
			rv->receivable_fen += cli_share(cs, k, rs->receivable_fen);
		}
		rv->has_cash_measured = !cash_unmeasured && rv->cash_metered_kwh > 0;
		int64_t adjust[4];
		if (store_rev_costs(st, cv->id, month, rv->cost_fen) != 0 ||
		    store_correct_cost_adjust(st, cv->id, month, adjust) != 0)
			goto fail;
		/* The costs as the month's plan counts them, corrections included. */
		for (int c = 0; c < REPORT_NCOSTS; c++)
			rv->cost_fen[c] += adjust[c];
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
