/* The province's answers from the hub's database: the health table across counties (each
 * county's row with its month KPIs and ledger head, then its stations), the alerts of every
 * county, the ledger heads and the county KPIs, as text tables or JSON. */
#include "pvrelief/hub_report.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/store_hub.h"
#include "pvrelief/xalloc.h"

struct health_acc {
	struct store *st;
	char month[8];
	FILE *out;
	int json;
	json_t *root, *counties, *cur_county, *cur_stations;
	char county[64], county_name[128], county_status[16];
	/* The county being summed, for its row. */
	double energy_wh, e_act_wh, eth_wh;
	int n, n_eta;
	struct row {
		char station[64], village[64];
		double capacity_kwp, energy_wh, eta;
		int grade;
		char source[24];
	} * rows;
	size_t n_rows, cap_rows;
};

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void fmt_num(char *buf, size_t len, double v, int decimals)
{
	if (isfinite(v))
		snprintf(buf, len, "%.*f", decimals, v);
	else
		snprintf(buf, len, "-");
}

static json_t *kpi_json(const struct store_hub_kpi *k)
{
	json_t *o = json_object();
	json_object_set_new(o, "month", json_string(k->month));
	json_object_set_new(o, "until", jnum(k->until));
	json_object_set_new(o, "stations",
			    k->stations >= 0 ? json_integer(k->stations) : json_null());
	json_object_set_new(o, "stations_with_eta",
			    k->stations_with_eta >= 0 ? json_integer(k->stations_with_eta)
						      : json_null());
	json_object_set_new(o, "stations_meeting_target",
			    k->stations_meeting_target >= 0
				? json_integer(k->stations_meeting_target)
				: json_null());
	json_object_set_new(o, "energy_wh", jnum(k->energy_wh));
	json_object_set_new(o, "eta", jnum(k->eta));
	json_object_set_new(o, "eta_grade12", jnum(k->eta_grade12));
	json_object_set_new(o, "pr", jnum(k->pr));
	json_object_set_new(o, "capability_pct", jnum(k->capability_pct));
	json_object_set_new(o, "equivalent_hours", jnum(k->equivalent_hours));
	json_object_set_new(o, "online_rate", jnum(k->online_rate));
	json_object_set_new(o, "fault_rate", jnum(k->fault_rate));
	json_object_set_new(o, "anomaly_rate", jnum(k->anomaly_rate));
	json_object_set_new(o, "county_target", jnum(k->county_target));
	json_object_set_new(o, "meets_county_target",
			    k->meets_target >= 0 ? json_boolean(k->meets_target) : json_null());
	json_object_set_new(o, "worst_grade",
			    k->worst_grade ? json_integer(k->worst_grade) : json_null());
	return o;
}

static json_t *ledger_json(const struct store_hub_ledger *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "seq", json_integer(l->seq));
	json_object_set_new(o, "hash", json_string(l->hash));
	json_object_set_new(o, "sent_at", jnum(l->at));
	return o;
}

/* "0.8123", "98.5%" or "-" for no value. */
static const char *pct(char *buf, size_t len, double v)
{
	if (isfinite(v))
		snprintf(buf, len, "%.1f%%", 100.0 * v);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* The county's month KPIs as one line of the table. */
static void kpi_line(FILE *out, const struct store_hub_kpi *k)
{
	char eta[32], pr[32], tg[32], cap[32], on[32], fa[32], an[32];
	fmt_num(eta, sizeof eta, k->eta, 4);
	fmt_num(pr, sizeof pr, k->pr, 4);
	fmt_num(tg, sizeof tg, k->county_target, 2);
	if (isfinite(k->capability_pct))
		snprintf(cap, sizeof cap, "%.1f%%", k->capability_pct);
	else
		snprintf(cap, sizeof cap, "-");
	fprintf(out,
		"%-8s %-16s %-7s eta %s (target %s %s), PR %s, capability %s, online %s, fault "
		"%s, anomaly %s\n",
		"month", k->county, k->month, eta, tg,
		k->meets_target < 0 ? "not judged"
		: k->meets_target   ? "met"
				    : "missed",
		pr, cap, pct(on, sizeof on, k->online_rate), pct(fa, sizeof fa, k->fault_rate),
		pct(an, sizeof an, k->anomaly_rate));
}

static void ledger_line(FILE *out, const struct store_hub_ledger *l)
{
	fprintf(out, "%-8s %-16s seq %lld hash %s\n", "ledger", l->county, (long long)l->seq,
		l->hash);
}

/* Writes the county gathered so far and its stations. */
static void flush_county(struct health_acc *a)
{
	if (!a->county[0])
		return;
	double eta = a->eth_wh > 0 ? a->e_act_wh / a->eth_wh : NAN;
	if (a->json) {
		json_t *c = json_object();
		json_object_set_new(c, "id", json_string(a->county));
		json_object_set_new(c, "name", json_string(a->county_name));
		json_object_set_new(c, "status", json_string(a->county_status));
		json_object_set_new(c, "stations_n", json_integer(a->n));
		json_object_set_new(c, "stations_with_eta", json_integer(a->n_eta));
		json_object_set_new(c, "energy_wh", json_real(a->energy_wh));
		json_object_set_new(c, "eta", jnum(eta));
		struct store_hub_kpi k;
		struct store_hub_ledger l;
		json_object_set_new(c, "month_kpi",
				    store_hub_kpi_get(a->st, a->county, a->month, &k) == 0
					? kpi_json(&k)
					: json_null());
		json_object_set_new(c, "ledger_head",
				    store_hub_ledger_get(a->st, a->county, &l) == 0
					? ledger_json(&l)
					: json_null());
		json_t *arr = json_array();
		for (size_t i = 0; i < a->n_rows; i++) {
			const struct row *r = &a->rows[i];
			json_t *s = json_object();
			json_object_set_new(s, "id", json_string(r->station));
			json_object_set_new(s, "village", json_string(r->village));
			json_object_set_new(s, "capacity_kwp", jnum(r->capacity_kwp));
			json_object_set_new(s, "energy_wh", jnum(r->energy_wh));
			json_object_set_new(s, "eta", jnum(r->eta));
			json_object_set_new(s, "grade",
					    r->grade ? json_integer(r->grade) : json_null());
			json_object_set_new(s, "source", json_string(r->source));
			json_array_append_new(arr, s);
		}
		json_object_set_new(c, "stations", arr);
		json_array_append_new(a->counties, c);
	} else {
		char e[32], et[32];
		fmt_num(e, sizeof e, a->energy_wh / 1000.0, 3);
		fmt_num(et, sizeof et, eta, 4);
		fprintf(a->out, "%-8s %-16s %-16s %-12s %9s %14s %7s %5s %s\n", "county", a->county,
			a->county_name, a->county_status, "", e, et, "", "");
		struct store_hub_kpi k;
		struct store_hub_ledger l;
		if (store_hub_kpi_get(a->st, a->county, a->month, &k) == 0)
			kpi_line(a->out, &k);
		if (store_hub_ledger_get(a->st, a->county, &l) == 0)
			ledger_line(a->out, &l);
		for (size_t i = 0; i < a->n_rows; i++) {
			const struct row *r = &a->rows[i];
			char cap[32], g[8];
			fmt_num(cap, sizeof cap, r->capacity_kwp, 1);
			fmt_num(e, sizeof e, r->energy_wh / 1000.0, 3);
			fmt_num(et, sizeof et, r->eta, 4);
			if (r->grade)
				snprintf(g, sizeof g, "%d", r->grade);
			else
				snprintf(g, sizeof g, "-");
			fprintf(a->out, "%-8s %-16s %-16s %-12s %9s %14s %7s %5s %s\n", "station",
				a->county, r->station, r->village, cap, e, et, g, r->source);
		}
	}
	a->county[0] = '\0';
	a->energy_wh = a->e_act_wh = a->eth_wh = 0;
	a->n = a->n_eta = 0;
	a->n_rows = 0;
}

static int health_row(void *ctx, const struct store_hub_day *d, const struct store_hub_station *s)
{
	struct health_acc *a = ctx;
	if (strcmp(a->county, d->county) != 0) {
		flush_county(a);
		snprintf(a->county, sizeof a->county, "%s", d->county);
		snprintf(a->county_name, sizeof a->county_name, "%s",
			 s->county_name ? s->county_name : "");
		snprintf(a->county_status, sizeof a->county_status, "%s",
			 s->county_status ? s->county_status : "");
	}
	if (a->n_rows == a->cap_rows) {
		a->cap_rows = a->cap_rows ? a->cap_rows * 2 : 64;
		a->rows = xrealloc(a->rows, a->cap_rows * sizeof *a->rows);
	}
	struct row *r = &a->rows[a->n_rows++];
	snprintf(r->station, sizeof r->station, "%s", d->station);
	snprintf(r->village, sizeof r->village, "%s", s->village ? s->village : "");
	snprintf(r->source, sizeof r->source, "%s", d->source ? d->source : "");
	r->capacity_kwp = s->capacity_kwp;
	r->energy_wh = d->energy_wh;
	r->eta = d->eta;
	r->grade = d->grade;
	a->n++;
	if (isfinite(d->energy_wh))
		a->energy_wh += d->energy_wh;
	/* The county's eta is the ratio of sums over the stations that have one, as a county
	 * computes its own. */
	if (isfinite(d->eta) && isfinite(d->e_act_wh) && isfinite(d->eth_wh)) {
		a->e_act_wh += d->e_act_wh;
		a->eth_wh += d->eth_wh;
		a->n_eta++;
	}
	return 0;
}

int hub_health(struct store *st, const char *day, const char *format, FILE *out)
{
	struct health_acc a = {.st = st, .out = out, .json = strcmp(format, "json") == 0};
	snprintf(a.month, sizeof a.month, "%.7s", day);
	if (a.json) {
		a.root = json_object();
		a.counties = json_array();
		json_object_set_new(a.root, "day", json_string(day));
	} else {
		fprintf(out, "province health for %s: each county, then its stations\n", day);
		fprintf(out, "%-8s %-16s %-16s %-12s %9s %14s %7s %5s %s\n", "level", "county",
			"station", "village", "kWp", "energy_kwh", "eta", "grade", "source");
	}
	int rc = store_hub_day_each(st, day, health_row, &a);
	if (rc == 0)
		flush_county(&a);
	free(a.rows);
	if (a.json) {
		json_object_set_new(a.root, "counties", a.counties);
		if (rc == 0) {
			json_dumpf(a.root, out,
				   JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
			fputc('\n', out);
		}
		json_decref(a.root);
	}
	return rc < 0 ? -1 : 0;
}

struct alerts_acc {
	FILE *out;
	json_t *arr;
};

static int alert_row(void *ctx, const struct store_hub_alert *x)
{
	struct alerts_acc *a = ctx;
	if (a->arr) {
		json_t *o = json_object();
		json_object_set_new(o, "county", json_string(x->county));
		json_object_set_new(o, "event_id", json_integer(x->event_id));
		json_object_set_new(o, "alert_id", json_integer(x->alert_id));
		json_object_set_new(o, "event", json_string(x->type));
		json_object_set_new(o, "at", json_real(x->at));
		json_object_set_new(o, "raised_at", json_real(x->raised_at));
		json_object_set_new(o, "kind", json_string(x->kind));
		json_object_set_new(o, "severity", json_string(x->severity));
		json_object_set_new(o, "station", json_string(x->station));
		json_object_set_new(o, "device", json_string(x->device));
		json_object_set_new(o, "title", json_string(x->title ? x->title : ""));
		json_array_append_new(a->arr, o);
	} else {
		fprintf(a->out, "%-12s %-10s %8lld %-12s %-16s %-10s %-8s %s\n", x->county, x->type,
			(long long)x->alert_id, x->kind, x->station, x->device, x->severity,
			x->title ? x->title : "");
	}
	return 0;
}

int hub_alerts(struct store *st, int active_only, int limit, const char *format, FILE *out)
{
	struct alerts_acc a = {.out = out};
	if (strcmp(format, "json") == 0)
		a.arr = json_array();
	else
		fprintf(out, "%-12s %-10s %8s %-12s %-16s %-10s %-8s %s\n", "county", "event",
			"alert", "kind", "station", "device", "severity", "title");
	int rc = store_hub_alert_each(st, active_only, limit, alert_row, &a);
	if (a.arr) {
		if (rc == 0) {
			json_dumpf(a.arr, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			fputc('\n', out);
		}
		json_decref(a.arr);
	}
	return rc < 0 ? -1 : 0;
}

struct ledger_acc {
	FILE *out;
	json_t *arr;
};

static int ledger_each_row(void *ctx, const struct store_hub_ledger *l)
{
	struct ledger_acc *a = ctx;
	if (a->arr) {
		json_t *o = ledger_json(l);
		json_object_set_new(o, "county", json_string(l->county));
		json_array_append_new(a->arr, o);
	} else {
		fprintf(a->out, "%-12s %10lld %s\n", l->county, (long long)l->seq, l->hash);
	}
	return 0;
}

int hub_ledger(struct store *st, const char *format, FILE *out)
{
	struct ledger_acc a = {.out = out};
	if (strcmp(format, "json") == 0)
		a.arr = json_array();
	else
		fprintf(out, "%-12s %10s %s\n", "county", "seq", "hash");
	int rc = store_hub_ledger_each(st, ledger_each_row, &a);
	if (a.arr) {
		if (rc == 0) {
			json_dumpf(a.arr, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			fputc('\n', out);
		}
		json_decref(a.arr);
	}
	return rc < 0 ? -1 : 0;
}

static int kpi_each_row(void *ctx, const struct store_hub_kpi *k)
{
	struct ledger_acc *a = ctx;
	if (a->arr) {
		json_t *o = kpi_json(k);
		json_object_set_new(o, "county", json_string(k->county));
		json_array_append_new(a->arr, o);
	} else {
		kpi_line(a->out, k);
	}
	return 0;
}

int hub_kpi(struct store *st, const char *month, const char *format, FILE *out)
{
	struct ledger_acc a = {.out = out};
	if (strcmp(format, "json") == 0)
		a.arr = json_array();
	else
		fprintf(out, "county KPIs of %s, as each county computes them\n", month);
	int rc = store_hub_kpi_each(st, month, kpi_each_row, &a);
	if (a.arr) {
		if (rc == 0) {
			json_dumpf(a.arr, out,
				   JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
			fputc('\n', out);
		}
		json_decref(a.arr);
	}
	return rc < 0 ? -1 : 0;
}
