/* The report's data: construction, owned strings, totals and the names every format shares. */
#include "pvrelief/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"

struct report *report_new(const char *county_id, const char *county_name, const char *month,
			  size_t nvillages, size_t nstations)
{
	struct report *r = xcalloc(1, sizeof *r);
	r->county_id = report_str(r, county_id);
	r->county_name = report_str(r, county_name);
	r->month = report_str(r, month);
	r->villages = xcalloc(nvillages ? nvillages : 1, sizeof *r->villages);
	r->nvillages = nvillages;
	r->stations = xcalloc(nstations ? nstations : 1, sizeof *r->stations);
	r->nstations = nstations;
	r->eta_station_target = 0.6;
	r->eta_county_target = 0.8;
	r->reconcile_tolerance = 0.05;
	for (size_t v = 0; v < nvillages; v++) {
		r->villages[v].posts_share_bp = -1;
		r->villages[v].state = "";
		r->villages[v].note = "";
	}
	return r;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nstrs; i++)
		free(r->strs[i]);
	for (size_t v = 0; v < r->nvillages; v++) {
		free(r->villages[v].payees);
		free(r->villages[v].stations);
	}
	free(r->strs);
	free(r->villages);
	free(r->stations);
	free(r);
}

const char *report_str(struct report *r, const char *s)
{
	if (r->nstrs == r->capstrs) {
		r->capstrs = r->capstrs ? r->capstrs * 2 : 64;
		r->strs = xrealloc(r->strs, r->capstrs * sizeof *r->strs);
	}
	return r->strs[r->nstrs++] = xstrdup(s ? s : "");
}

struct report_payee *report_add_payee(struct report *r, size_t v)
{
	struct report_village *rv = &r->villages[v];
	if (rv->npayees == rv->cappayees) {
		rv->cappayees = rv->cappayees ? rv->cappayees * 2 : 16;
		rv->payees = xrealloc(rv->payees, rv->cappayees * sizeof *rv->payees);
	}
	struct report_payee *p = &rv->payees[rv->npayees++];
	memset(p, 0, sizeof *p);
	p->kind = p->person_id = p->name = p->id_masked = p->category = "";
	p->post_id = p->post_kind = p->grade = p->reason = "";
	return p;
}

void report_totals(const struct report *r, struct report_totals *t)
{
	memset(t, 0, sizeof *t);
	int64_t spent = 0;
	for (size_t v = 0; v < r->nvillages; v++) {
		const struct report_village *rv = &r->villages[v];
		t->received_fen += rv->received_fen;
		t->receivable_fen += rv->receivable_fen;
		t->costs_fen += rv->costs_fen;
		t->distributable_fen += rv->distributable_fen;
		for (int c = 0; c < REPORT_NCOSTS; c++)
			t->cost_fen[c] += rv->cost_fen[c];
		for (int b = 0; b < REVENUE_NBUCKETS; b++) {
			t->alloc_fen[b] += rv->alloc_fen[b];
			t->spent_fen[b] += rv->spent_fen[b];
			t->carry_in_fen[b] += rv->carry_in_fen[b];
			t->carry_out_fen[b] += rv->carry_out_fen[b];
			spent += rv->spent_fen[b];
		}
		for (size_t i = 0; i < rv->npayees; i++) {
			const struct report_payee *p = &rv->payees[i];
			if (strcmp(p->kind, "labour") == 0)
				t->labour_paid_fen += p->paid_fen;
			else
				t->wages_paid_fen += p->paid_fen;
			if (p->paid_fen > 0)
				t->payees_paid++;
		}
		t->villages_with_plan += rv->has_plan ? 1u : 0u;
	}
	for (size_t s = 0; s < r->nstations; s++) {
		t->measured_kwh += r->stations[s].measured_kwh;
		t->metered_kwh += r->stations[s].metered_kwh;
		t->stations_flagged += r->stations[s].reconcile_flag ? 1u : 0u;
	}
	/* Floored like the allocation's own share, so the county never overstates it. */
	t->posts_share_bp =
	    spent > 0 ? (int32_t)((t->spent_fen[REVENUE_POSTS] * 10000) / spent) : -1;
}

const char *report_bucket_zh(enum revenue_bucket b)
{
	static const char *const names[REVENUE_NBUCKETS] = {"岗位及劳务", "小型公益事业",
							    "奖励补助", "运维储备"};
	return (unsigned)b < REVENUE_NBUCKETS ? names[b] : "";
}

const char *report_reason_zh(const char *reason)
{
	if (strcmp(reason, "ok") == 0)
		return "按出勤发放";
	if (strcmp(reason, "no_agreement") == 0)
		return "无劳动协议，不予发放";
	if (strcmp(reason, "no_record") == 0)
		return "无考勤或考核记录，不予发放";
	if (strcmp(reason, "no_work") == 0)
		return "本月未出勤";
	return reason;
}

char *report_yuan(int64_t fen, char *buf)
{
	uint64_t m = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(buf, 32, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", m / 100, m % 100);
	return buf;
}
