/* The county health table: sums, marks, aggregates and renderers.
 *
 * Choices:
 * - A month's eta is the ratio of sums over its days that have an eta, as station_month keeps
 *   it; its energy and equivalent hours count every day.
 * - A month's PR and PR_stc weigh each day's ratio by its plane-of-array irradiation, which is
 *   the ratio of sums when a day's energy and irradiance are paired throughout.
 * - A station's grade for the period is the worst grade of its days with an eta, so one day on
 *   the clear-sky estimate makes the month an estimate too: "below target" is said only when
 *   every day behind the figure was measured (grade 1-2).
 * - Villages group stations by the village that operates them; a joint station's revenue
 *   shares do not split its efficiency.
 * - The online rate is time-based (daylight quarter-hours with a valid reading over all
 *   daylight quarter-hours of the inverters), and the anomaly rate counts inverter readings,
 *   as the efficiency engine's daily figures do. */
#include "pvrelief/health.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/clock.h"
#include "pvrelief/csv.h"
#include "pvrelief/strbuf.h"
#include "pvrelief/timefmt.h"
#include "pvrelief/xalloc.h"

#define TARGET_TOLERANCE 1e-9

void health_station_reset(struct health_station *s)
{
	s->days = s->judgeable_days = 0;
	s->energy_wh = s->e_act_wh = s->eth_wh = 0;
	s->h_ghi_kwh_m2 = s->h_poa_kwh_m2 = 0;
	s->pr_num = s->pr_den = s->pr_stc_num = s->pr_stc_den = 0;
	s->peer_yf_h = s->own_yf_h = 0;
	s->peer_days = 0;
	s->curtailed_wh = s->curtail_loss_wh = 0;
	s->curtail_loss_unknown = 0;
	s->curtailment_loss_kwh = NAN;
	memset(&s->loss, 0, sizeof s->loss);
	s->loss.capability = s->loss.ref_eta = NAN;
	s->loss_days = 0;
	s->peer_ratio = NAN;
	s->basis[0] = 0;
	memset(s->sources, 0, sizeof s->sources);
	memset(s->source_days, 0, sizeof s->source_days);
	s->grade = 0;
	s->energy_kwh = s->e_act_kwh = s->e_th_kwh = s->eta = s->pr = s->pr_stc = NAN;
	s->equivalent_hours = s->online_rate = s->anomaly_rate = NAN;
	s->source = "";
	s->mark = HEALTH_MARK_NONE;
}

static void add_source(struct health_station *s, const char *src)
{
	for (int i = 0; i < HEALTH_MAX_SOURCES; i++) {
		if (!s->sources[i][0])
			snprintf(s->sources[i], sizeof s->sources[i], "%s", src);
		if (strcmp(s->sources[i], src) == 0) {
			s->source_days[i]++;
			return;
		}
	}
}

void health_station_add_day(struct health_station *s, const struct store_eff_day *d)
{
	s->days++;
	if (isfinite(d->energy_wh))
		s->energy_wh += d->energy_wh;
	if (isfinite(d->h_ghi_kwh_m2))
		s->h_ghi_kwh_m2 += d->h_ghi_kwh_m2;
	if (isfinite(d->h_poa_kwh_m2))
		s->h_poa_kwh_m2 += d->h_poa_kwh_m2;
	if (!s->basis[0])
		snprintf(s->basis, sizeof s->basis, "%s", d->basis);
	else if (strcmp(s->basis, d->basis) != 0)
		snprintf(s->basis, sizeof s->basis, "mixed");
	if (isfinite(d->peer_yf_h) && d->peer_yf_h > 0 && isfinite(d->yf_h)) {
		s->peer_yf_h += d->peer_yf_h;
		s->own_yf_h += d->yf_h;
		s->peer_days++;
	}
	if (d->has_loss) {
		loss_sum(&s->loss, &d->loss);
		s->loss_days++;
	}
	if (isfinite(d->curtailed_wh))
		s->curtailed_wh += d->curtailed_wh;
	if (isfinite(d->curtail_loss_wh))
		s->curtail_loss_wh += d->curtail_loss_wh;
	else if (d->curtailed_wh > 0)
		s->curtail_loss_unknown = 1;
	if (!isfinite(d->eta) || !isfinite(d->e_act_wh) || !isfinite(d->eth_wh))
		return;
	s->e_act_wh += d->e_act_wh;
	s->eth_wh += d->eth_wh;
	s->judgeable_days += d->judgeable != 0;
	int grade = d->grade >= 1 && d->grade <= 4 ? d->grade : 4;
	if (grade > s->grade)
		s->grade = grade;
	add_source(s, d->source);
	if (isfinite(d->h_poa_kwh_m2) && d->h_poa_kwh_m2 > 0) {
		if (isfinite(d->pr)) {
			s->pr_num += d->pr * d->h_poa_kwh_m2;
			s->pr_den += d->h_poa_kwh_m2;
		}
		if (isfinite(d->pr_stc)) {
			s->pr_stc_num += d->pr_stc * d->h_poa_kwh_m2;
			s->pr_stc_den += d->h_poa_kwh_m2;
		}
	}
}

static double ratio(double num, double den)
{
	return den > 0 && isfinite(num) ? num / den : NAN;
}

void health_inverter_add_day(struct health_inverter *inv, const struct store_inv_day *d)
{
	inv->days++;
	if (d->dc_kwp > 0)
		inv->dc_kwp = d->dc_kwp;
	if (isfinite(d->energy_wh))
		inv->energy_wh += d->energy_wh;
	if (isfinite(d->peer_ratio) && d->peer_ratio > 0 && isfinite(d->yf_h)) {
		inv->yf_h += d->yf_h;
		inv->peer_yf_h += d->yf_h / d->peer_ratio;
	}
	if (!isfinite(d->eta) || !isfinite(d->e_act_wh) || !isfinite(d->eth_wh))
		return;
	inv->e_act_wh += d->e_act_wh;
	inv->eth_wh += d->eth_wh;
	int grade = d->grade >= 1 && d->grade <= 4 ? d->grade : 4;
	if (grade > inv->grade)
		inv->grade = grade;
}

static void inverter_finish(struct health_inverter *inv)
{
	inv->energy_kwh = inv->days ? inv->energy_wh / 1000.0 : NAN;
	inv->eta = inv->grade ? ratio(inv->e_act_wh, inv->eth_wh) : NAN;
	inv->equivalent_hours = ratio(inv->energy_kwh, inv->dc_kwp);
	inv->peer_ratio = ratio(inv->yf_h, inv->peer_yf_h);
}

void health_station_finish(struct health_station *s, double station_target)
{
	s->energy_kwh = s->days ? s->energy_wh / 1000.0 : NAN;
	s->e_act_kwh = s->grade ? s->e_act_wh / 1000.0 : NAN;
	s->e_th_kwh = s->grade ? s->eth_wh / 1000.0 : NAN;
	s->eta = s->grade ? ratio(s->e_act_wh, s->eth_wh) : NAN;
	s->pr = ratio(s->pr_num, s->pr_den);
	s->pr_stc = ratio(s->pr_stc_num, s->pr_stc_den);
	s->equivalent_hours = ratio(s->energy_kwh, s->capacity_kwp);
	s->online_rate = ratio(s->quarters_valid, s->quarters_expected);
	s->anomaly_rate = ratio((double)s->rejected, (double)s->readings);
	s->curtailment_loss_kwh = s->curtail_loss_unknown ? NAN : s->curtail_loss_wh / 1000.0;
	s->peer_ratio = s->peer_days ? ratio(s->own_yf_h, s->peer_yf_h) : NAN;
	for (size_t i = 0; i < s->n_inverters; i++)
		inverter_finish(&s->inverters[i]);
	s->source = "";
	int best = 0;
	for (int i = 0; i < HEALTH_MAX_SOURCES && s->sources[i][0]; i++)
		if (s->source_days[i] > best) {
			best = s->source_days[i];
			s->source = s->sources[i];
		}
	if (!isfinite(s->eta))
		s->mark = HEALTH_MARK_NONE;
	else if (s->grade > 2)
		s->mark = HEALTH_MARK_ESTIMATE;
	else if (s->judgeable_days == 0)
		s->mark = HEALTH_MARK_UNJUDGED; /* 1.9 at dawn is not meeting the target */
	else if (s->eta < station_target - TARGET_TOLERANCE)
		s->mark = HEALTH_MARK_BELOW;
	else
		s->mark = HEALTH_MARK_OK;
}

const char *health_mark_name(enum health_mark m)
{
	switch (m) {
	case HEALTH_MARK_OK:
		return "ok";
	case HEALTH_MARK_BELOW:
		return "below";
	case HEALTH_MARK_ESTIMATE:
		return "estimate";
	case HEALTH_MARK_UNJUDGED:
		return "not_judgeable";
	default:
		return "";
	}
}

static void group(struct health_report *r, struct health_group *g, long village)
{
	size_t n = 0;
	struct efficiency_station_figure *fig = xcalloc(r->n_stations + 1, sizeof *fig);
	struct kpi_device *dev = xcalloc(r->n_stations + 1, sizeof *dev);
	struct kpi_station *kst = xcalloc(r->n_stations + 1, sizeof *kst);
	g->energy_kwh = NAN;
	memset(&g->loss, 0, sizeof g->loss);
	g->loss.capability = g->loss.ref_eta = NAN;
	g->loss_days = 0;
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct health_station *s = &r->stations[i];
		if (village >= 0 && s->village != (size_t)village)
			continue;
		fig[n].capacity_kwp = s->capacity_kwp;
		fig[n].energy_kwh = s->energy_kwh;
		fig[n].e_act_kwh = s->e_act_kwh;
		fig[n].e_th_kwh = s->e_th_kwh;
		fig[n].grade = s->grade;
		if (isfinite(s->energy_kwh))
			g->energy_kwh =
			    (isfinite(g->energy_kwh) ? g->energy_kwh : 0) + s->energy_kwh;
		/* Each station as one pooled device: the rates are ratios of pooled counts. */
		dev[n].daylight_min = s->quarters_expected * 15.0;
		dev[n].online_min = s->quarters_valid * 15.0;
		dev[n].readings = s->readings > 0 ? (uint64_t)s->readings : 0;
		dev[n].rejected = s->rejected > 0 ? (uint64_t)s->rejected : 0;
		kst[n].longest_fault_min = s->longest_fault_min;
		if (s->loss_days)
			loss_sum(&g->loss, &s->loss);
		if (s->loss_days > g->loss_days)
			g->loss_days = s->loss_days;
		n++;
	}
	efficiency_aggregate(fig, n, r->station_target, r->county_target, &g->eff);
	/* Generation capability (发电能力) is the loss attribution's actual over expected energy,
	 * so that it and the losses account for the same slots: outages and curtailment lower
	 * it, where eta leaves them out. Without an attribution it stays 100 x eta. */
	if (g->loss.expected_kwh > 0)
		g->eff.capability_pct = 100.0 * g->loss.capability;
	g->online = kpi_online_rate_time(dev, n);
	g->fault = kpi_fault_rate(kst, n, r->fault_threshold_min);
	g->anomaly = kpi_anomaly_rate(dev, n);
	free(fig);
	free(dev);
	free(kst);
}

void health_summarize(struct health_report *r)
{
	for (size_t v = 0; v < r->n_villages; v++)
		group(r, &r->villages[v], (long)v);
	group(r, &r->county, -1);
}

/* ---- Text ------------------------------------------------------------------------------ */

size_t health_display_width(const char *s)
{
	size_t w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned cp;
		int len;
		if (*p < 0x80) {
			cp = *p, len = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F, len = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F, len = 3;
		} else {
			cp = *p & 0x07, len = 4;
		}
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80) {
				len = i;
				break;
			}
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		p += len;
		/* East Asian wide and fullwidth ranges: Hangul Jamo, CJK, Hangul syllables,
		 * compatibility ideographs, vertical and fullwidth forms, the supplementary
		 * ideographic planes. */
		int wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
			   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
			   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
			   (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
		w += wide ? 2 : 1;
	}
	return w;
}

/* A table of text cells, printed with every column as wide as its widest cell. */
struct table {
	size_t ncols, nrows;
	char ***cells;
	int *right; /* right-aligned columns (numbers) */
};

static void table_init(struct table *t, size_t ncols, const int *right)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	t->right = xcalloc(ncols, sizeof *t->right);
	memcpy(t->right, right, ncols * sizeof *right);
}

static void table_row(struct table *t, const char *const *cells)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * sizeof *t->cells);
	char **row = xcalloc(t->ncols, sizeof *row);
	for (size_t c = 0; c < t->ncols; c++)
		row[c] = xstrdup(cells[c] ? cells[c] : "");
	t->cells[t->nrows++] = row;
}

static void table_print(struct table *t, struct strbuf *b)
{
	size_t *w = xcalloc(t->ncols, sizeof *w);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = health_display_width(t->cells[r][c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r][c];
			size_t pad = w[c] - health_display_width(cell);
			if (c)
				strbuf_printf(b, "  ");
			if (t->right[c])
				strbuf_printf(b, "%*s%s", (int)pad, "", cell);
			else if (c + 1 < t->ncols)
				strbuf_printf(b, "%s%*s", cell, (int)pad, "");
			else
				strbuf_printf(b, "%s", cell);
		}
		strbuf_printf(b, "\n");
	}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++)
			free(t->cells[r][c]);
		free(t->cells[r]);
	}
	free(t->cells);
	free(t->right);
	free(w);
}

/* Formats v with prec decimals (times scale), or "-" when it has no value. */
static char *num(char *buf, size_t len, double v, double scale, int prec, const char *suffix)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f%s", prec, v * scale, suffix);
	return buf;
}

static const char *mark_text(enum health_mark m)
{
	switch (m) {
	case HEALTH_MARK_OK:
		return "ok 达标";
	case HEALTH_MARK_BELOW:
		return "BELOW 低于目标";
	case HEALTH_MARK_ESTIMATE:
		return "estimate 估算";
	case HEALTH_MARK_UNJUDGED:
		return "not judgeable 不可判定";
	default:
		return "-";
	}
}

/* The inverters of the stations shown, each on its station's irradiance. */
static void render_inverters(const struct health_report *r, struct strbuf *b)
{
	static const int right[] = {0, 0, 1, 1, 1, 1, 1, 0};
	struct table t;
	table_init(&t, 8, right);
	const char *h1[] = {"station",	"inverter", "DC kWp",	  "eta",
			    "vs peers", "hours",    "energy kWh", "grade"};
	const char *h2[] = {"电站",	"逆变器",   "直流容量", "发电参数",
			    "与邻站比", "等效小时", "发电量",	"等级"};
	table_row(&t, h1);
	table_row(&t, h2);
	size_t rows = 0;
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct health_station *s = &r->stations[i];
		for (size_t k = 0; k < s->n_inverters; k++) {
			const struct health_inverter *inv = &s->inverters[k];
			char c[8][48];
			snprintf(c[0], 48, "%s", s->id);
			snprintf(c[1], 48, "%s", inv->id);
			num(c[2], 48, inv->dc_kwp, 1, 1, "");
			num(c[3], 48, inv->eta, 1, 3, "");
			num(c[4], 48, inv->peer_ratio, 1, 2, "");
			num(c[5], 48, inv->equivalent_hours, 1, 2, "");
			num(c[6], 48, inv->energy_kwh, 1, 1, "");
			if (inv->grade)
				snprintf(c[7], 48, "%d", inv->grade);
			else
				snprintf(c[7], 48, "-");
			const char *row[8];
			for (int j = 0; j < 8; j++)
				row[j] = c[j];
			table_row(&t, row);
			rows++;
		}
	}
	struct strbuf none = {0};
	if (rows)
		strbuf_printf(b, "\n");
	table_print(&t, rows ? b : &none);
	free(strbuf_take(&none));
}

static void render_wide(const struct health_report *r, struct strbuf *b);
static void render_losses(const struct health_report *r, struct strbuf *b);
static void render_county_line(const struct health_report *r, struct strbuf *b);

/* The number of trailing bytes all station names share, cut back to a whole UTF-8 character:
 * "光伏帮扶电站" in a county whose every station is called so. 0 with fewer than two names or
 * when a name would be left empty. */
static size_t common_suffix(const struct health_report *r)
{
	size_t n = 0;
	const char *first = NULL;
	for (size_t i = 0; i < r->n_stations; i++) {
		const char *name = r->stations[i].name;
		if (!name || !*name)
			return 0;
		if (!first) {
			first = name;
			n = strlen(name);
			continue;
		}
		size_t a = strlen(first), b = strlen(name), k = 0;
		while (k < n && k < a && k < b && first[a - 1 - k] == name[b - 1 - k])
			k++;
		n = k;
	}
	if (!first || r->n_stations < 2)
		return 0;
	/* Back to a character boundary: the suffix must start on a lead byte. */
	size_t a = strlen(first);
	while (n > 0 && ((unsigned char)first[a - n] & 0xC0) == 0x80)
		n--;
	for (size_t i = 0; i < r->n_stations; i++)
		if (strlen(r->stations[i].name) <= n)
			return 0;
	return n;
}

/* The first six cells of a village's or the county's row, as both tables show them: name
 * (the village's name when by_name, else its id), stations, eta, eta on grade 1-2, stations
 * meeting the target, energy. */
static void group_cells(const struct health_group *g, int county, int by_name, char c[][64])
{
	if (county)
		snprintf(c[0], 64, "county 全县");
	else
		snprintf(c[0], 64, "%s", by_name && g->name && *g->name ? g->name : g->id);
	snprintf(c[1], 64, "%zu", g->eff.n_stations);
	num(c[2], 64, g->eff.eta, 1, 3, "");
	num(c[3], 64, g->eff.eta_grade12, 1, 3, "");
	if (g->eff.n_with_value)
		snprintf(c[4], 64, "%zu/%zu (%.0f%%)", g->eff.n_meeting_target, g->eff.n_with_value,
			 100.0 * g->eff.share_meeting_target);
	else
		snprintf(c[4], 64, "-");
	num(c[5], 64, g->energy_kwh, 1, 1, "");
}

/* A group's fault rate as "faulty/all (rate%)". */
static void fault_cell(const struct health_group *g, char c[64])
{
	if (isfinite(g->fault.rate))
		snprintf(c, 64, "%.0f/%.0f (%.1f%%)", g->fault.numerator, g->fault.denominator,
			 100 * g->fault.rate);
	else
		snprintf(c, 64, "-");
}

/* The default table: what fits 120 columns, stations by name. */
static void render_compact(const struct health_report *r, struct strbuf *b)
{
	size_t cut = common_suffix(r);
	if (cut)
		strbuf_printf(b,
			      "Stations by name, without the \"%s\" they all end with; "
			      "--wide for every column\n",
			      r->stations[0].name + strlen(r->stations[0].name) - cut);
	else
		strbuf_printf(b, "--wide for every column\n");
	enum { NC = 10 };
	static const int right[NC] = {0, 1, 1, 1, 1, 1, 1, 1, 0, 0};
	struct table t;
	table_init(&t, NC, right);
	const char *h1[NC] = {"station", "eta",	      "vs peers", "PR",		  "kWh",
			      "online",	 "fault min", "anomaly",  "source/grade", "mark"};
	const char *h2[NC] = {"电站",	"发电参数", "与邻站比", "性能比",	 "发电量",
			      "在线率", "故障分钟", "异常率",	"辐照来源/等级", "标记"};
	table_row(&t, h1);
	table_row(&t, h2);
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct health_station *s = &r->stations[i];
		char c[NC][64];
		if (s->name && *s->name)
			snprintf(c[0], 64, "%.*s", (int)(strlen(s->name) - cut), s->name);
		else
			snprintf(c[0], 64, "%s", s->id);
		num(c[1], 64, s->eta, 1, 3, "");
		num(c[2], 64, s->peer_ratio, 1, 2, "");
		num(c[3], 64, s->pr, 1, 3, "");
		num(c[4], 64, s->energy_kwh, 1, 1, "");
		num(c[5], 64, s->online_rate, 100, 1, "%");
		num(c[6], 64, s->fault_min, 1, 0, "");
		num(c[7], 64, s->anomaly_rate, 100, 2, "%");
		if (s->source[0] && s->grade)
			snprintf(c[8], 64, "%s/%d", s->source, s->grade);
		else
			snprintf(c[8], 64, "%s", s->source[0] ? s->source : "-");
		snprintf(c[9], 64, "%s", mark_text(s->mark));
		const char *row[NC];
		for (int k = 0; k < NC; k++)
			row[k] = c[k];
		table_row(&t, row);
	}
	table_print(&t, b);
	if (r->show_inverters)
		render_inverters(r, b);

	/* Villages only where they add something: a village of one station repeats its row. */
	int villages = 0;
	for (size_t v = 0; v < r->n_villages; v++)
		villages |= r->villages[v].eff.n_stations > 1;
	strbuf_printf(b, "\n");
	enum { NG = 9 };
	static const int gright[NG] = {0, 1, 1, 1, 1, 1, 1, 1, 1};
	table_init(&t, NG, gright);
	const char *g1[NG] = {"village",       "stations",	 "eta",
			      "eta grade 1-2", "meeting target", "kWh",
			      "online",	       "fault rate",	 "anomaly"};
	const char *g2[NG] = {"村",	"电站数", "发电参数", "实测发电参数", "达标电站",
			      "发电量", "在线率", "故障率",   "异常率"};
	table_row(&t, g1);
	table_row(&t, g2);
	for (size_t v = villages ? 0 : r->n_villages; v <= r->n_villages; v++) {
		const struct health_group *g = v < r->n_villages ? &r->villages[v] : &r->county;
		char c[NG][64];
		group_cells(g, v == r->n_villages, 1, c);
		num(c[6], 64, g->online.rate, 100, 1, "%");
		fault_cell(g, c[7]);
		num(c[8], 64, g->anomaly.rate, 100, 2, "%");
		const char *row[NG];
		for (int k = 0; k < NG; k++)
			row[k] = c[k];
		table_row(&t, row);
	}
	table_print(&t, b);
}

static void render_table(const struct health_report *r, struct strbuf *b)
{
	char until[32];
	timefmt_local(r->until_unix, r->utc_offset_s, until, sizeof until);
	strbuf_printf(b, "County %s%s%s%s — %s %s (%s .. %s, figures to %s local time)\n",
		      r->county_id, r->county_name && *r->county_name ? " (" : "",
		      r->county_name ? r->county_name : "",
		      r->county_name && *r->county_name ? ")" : "", r->is_day ? "day" : "month",
		      r->period, r->first_day, r->last_day, until);
	strbuf_printf(
	    b, "Targets 目标: station η ≥ %.2f, county η ≥ %.2f; η basis 基准: %s irradiation\n\n",
	    r->station_target, r->county_target, r->basis);
	if (!r->wide)
		render_compact(r, b);
	else
		render_wide(r, b);
	if (r->show_losses)
		render_losses(r, b);
	render_county_line(r, b);
}

/* One row of the loss table: label, days with an attribution, and the figures of l. */
static void loss_row(struct table *t, const char *label, int days, const struct loss_figures *l)
{
	char c[11][64];
	snprintf(c[0], 64, "%s", label);
	snprintf(c[1], 64, "%d", days);
	int any = l->expected_kwh > 0;
	num(c[2], 64, any ? l->expected_kwh : NAN, 1, 1, "");
	num(c[3], 64, any ? l->actual_kwh : NAN, 1, 1, "");
	num(c[4], 64, l->capability, 100, 1, "%");
	for (int k = 0; k < LOSS_N_CLASSES; k++)
		num(c[5 + k], 64, any ? l->loss_kwh[k] : NAN, 1, 1, "");
	num(c[10], 64, any ? l->ref_eta : NAN, 1, 3, l->ref_from_k ? "*" : "");
	const char *row[11];
	for (int k = 0; k < 11; k++)
		row[k] = c[k];
	table_row(t, row);
}

/* Where each station's expected energy went (--losses): loss.h's classes. */
static void render_losses(const struct health_report *r, struct strbuf *b)
{
	static const int right[] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	struct table t;
	table_init(&t, 11, right);
	const char *h1[] = {"station", "days",	"expected", "actual",  "capability", "comm",
			    "down",    "fault", "curtail",  "lowperf", "clean η"};
	const char *h2[] = {"电站",	  "天数", "应发电量", "实发电量", "发电能力", "通信中断",
			    "逆变器停机", "故障", "限电",     "性能偏低", "正常效率"};
	table_row(&t, h1);
	table_row(&t, h2);
	for (size_t i = 0; i < r->n_stations; i++)
		loss_row(&t, r->stations[i].id, r->stations[i].loss_days, &r->stations[i].loss);
	loss_row(&t, "county 全县", r->county.loss_days, &r->county.loss);
	strbuf_printf(b, "\nLosses 损失, kWh (expected = theoretical generation, reference PR = K; "
			 "outages priced at the station's clean η,\nlow performance is the rest; "
			 "* = no clean slot, priced at K):\n");
	table_print(&t, b);
}

/* Every column (--wide). */
static void render_wide(const struct health_report *r, struct strbuf *b)
{
	static const int sright[] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0};
	enum { NCOL = 18 };
	struct table t;
	table_init(&t, NCOL, sright);
	const char *h1[] = {
	    "station",	    "village",	  "eta",	"vs peers",	    "PR",     "PR_stc",
	    "hours",	    "energy kWh", "theory kWh", "curtail loss kWh", "online", "fault min",
	    "fault alerts", "anomaly",	  "basis",	"source",	    "grade",  "mark"};
	const char *h2[] = {"电站",	  "村",	      "发电参数", "与邻站比",	"性能比",
			    "温度修正PR", "等效小时", "发电量",	  "理论发电量", "限电损失",
			    "在线率",	  "故障分钟", "故障告警", "数据异常率", "基准",
			    "辐照来源",	  "等级",     "标记"};
	table_row(&t, h1);
	table_row(&t, h2);
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct health_station *s = &r->stations[i];
		char c[NCOL][48];
		snprintf(c[0], sizeof c[0], "%s", s->id);
		snprintf(c[1], sizeof c[1], "%s",
			 s->village < r->n_villages ? r->villages[s->village].id : "");
		num(c[2], 48, s->eta, 1, 3, "");
		num(c[3], 48, s->peer_ratio, 1, 2, "");
		num(c[4], 48, s->pr, 1, 3, "");
		num(c[5], 48, s->pr_stc, 1, 3, "");
		num(c[6], 48, s->equivalent_hours, 1, 2, "");
		num(c[7], 48, s->energy_kwh, 1, 1, "");
		num(c[8], 48, s->e_th_kwh, 1, 1, "");
		num(c[9], 48, s->curtailment_loss_kwh, 1, 1, "");
		num(c[10], 48, s->online_rate, 100, 1, "%");
		num(c[11], 48, s->fault_min, 1, 0, "");
		if (s->fault_alerts >= 0)
			snprintf(c[12], 48, "%ld", s->fault_alerts);
		else
			snprintf(c[12], 48, "-");
		num(c[13], 48, s->anomaly_rate, 100, 2, "%");
		snprintf(c[14], 48, "%s", s->basis[0] ? s->basis : "-");
		snprintf(c[15], 48, "%s", s->source[0] ? s->source : "-");
		if (s->grade)
			snprintf(c[16], 48, "%d", s->grade);
		else
			snprintf(c[16], 48, "-");
		snprintf(c[17], 48, "%s", mark_text(s->mark));
		const char *row[NCOL];
		for (int k = 0; k < NCOL; k++)
			row[k] = c[k];
		table_row(&t, row);
	}
	table_print(&t, b);
	if (r->show_inverters)
		render_inverters(r, b);

	strbuf_printf(b, "\n");
	static const int gright[] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	table_init(&t, 13, gright);
	const char *g1[] = {"village",	      "stations",   "eta",	  "eta grade 1-2",
			    "meeting target", "energy kWh", "theory kWh", "hours",
			    "capability",     "online",	    "fault rate", "anomaly",
			    "worst grade"};
	const char *g2[] = {"村",     "电站数",	    "发电参数", "实测发电参数", "达标电站",
			    "发电量", "理论发电量", "等效小时", "发电能力",	"在线率",
			    "故障率", "数据异常率", "最差等级"};
	table_row(&t, g1);
	table_row(&t, g2);
	for (size_t v = 0; v <= r->n_villages; v++) {
		const struct health_group *g = v < r->n_villages ? &r->villages[v] : &r->county;
		char c[13][64];
		group_cells(g, v == r->n_villages, 0, c);
		num(c[6], 64, g->eff.e_th_kwh, 1, 1, "");
		num(c[7], 64, g->eff.equivalent_hours, 1, 2, "");
		num(c[8], 64, g->eff.capability_pct, 1, 1, "%");
		num(c[9], 64, g->online.rate, 100, 1, "%");
		fault_cell(g, c[10]);
		num(c[11], 64, g->anomaly.rate, 100, 2, "%");
		if (g->eff.worst_grade)
			snprintf(c[12], 64, "%d", g->eff.worst_grade);
		else
			snprintf(c[12], 64, "-");
		const char *row[13];
		for (int k = 0; k < 13; k++)
			row[k] = c[k];
		table_row(&t, row);
	}
	table_print(&t, b);
}

/* The county's verdict and what the marks mean, under either table. */
static void render_county_line(const struct health_report *r, struct strbuf *b)
{
	const struct efficiency_aggregate *c = &r->county.eff;
	char eta[16];
	num(eta, sizeof eta, c->eta, 1, 3, "");
	strbuf_printf(b, "\nCounty η %s against %.2f: %s", eta, r->county_target,
		      !isfinite(c->eta)	      ? "no figure 无数据"
		      : c->meets_group_target ? "meets the target 达标"
					      : "BELOW the target 未达标");
	if (isfinite(c->eta) && c->worst_grade > 2)
		strbuf_printf(b, " (includes estimates 含估算; grade 1-2 stations: %s)",
			      num(eta, sizeof eta, c->eta_grade12, 1, 3, ""));
	strbuf_printf(b, "\n");
	strbuf_printf(b,
		      "Marks: BELOW = η under %.2f on measured irradiance (grade 1-2); "
		      "not judgeable = too little light to judge 不可判定\n"
		      "       estimate = η from grade 3-4 irradiance, not judged 估算不判定\n",
		      r->station_target);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jrate(const struct kpi_rate *k)
{
	return json_pack("{s:o, s:f, s:f}", "rate", jnum(k->rate), "numerator", k->numerator,
			 "denominator", k->denominator);
}

/* A loss attribution in JSON (docs/health-json.md): null when no day has one. */
static json_t *jloss(const struct loss_figures *l, int days)
{
	if (!days && !(l->expected_kwh > 0))
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "days", json_integer(days));
	json_object_set_new(o, "expected_kwh", json_real(l->expected_kwh));
	json_object_set_new(o, "actual_kwh", json_real(l->actual_kwh));
	json_object_set_new(o, "capability", jnum(l->capability));
	json_object_set_new(o, "ref_eta", jnum(l->ref_eta));
	json_object_set_new(o, "ref_from_k", json_boolean(l->ref_from_k));
	for (int k = 0; k < LOSS_N_CLASSES; k++) {
		char key[32];
		snprintf(key, sizeof key, "%s_kwh", loss_class_name((enum loss_class)k));
		json_object_set_new(o, key, json_real(l->loss_kwh[k]));
	}
	for (int k = 0; k < LOSS_LOWPERF; k++) {
		char key[32];
		snprintf(key, sizeof key, "%s_hours", loss_class_name((enum loss_class)k));
		json_object_set_new(o, key, json_real(l->hours[k]));
	}
	return o;
}

static json_t *jgroup(const struct health_group *g, int county)
{
	const struct efficiency_aggregate *e = &g->eff;
	json_t *o = json_object();
	if (!county) {
		json_object_set_new(o, "id", json_string(g->id));
		json_object_set_new(o, "name", json_string(g->name ? g->name : g->id));
	}
	json_object_set_new(o, "stations", json_integer((json_int_t)e->n_stations));
	json_object_set_new(o, "stations_with_eta", json_integer((json_int_t)e->n_with_value));
	json_object_set_new(o, "stations_meeting_target",
			    json_integer((json_int_t)e->n_meeting_target));
	json_object_set_new(o, "share_meeting_target", jnum(e->share_meeting_target));
	json_object_set_new(o, "eta", jnum(e->eta));
	json_object_set_new(o, "eta_grade12", jnum(e->eta_grade12));
	json_object_set_new(o, "capability_pct", jnum(e->capability_pct));
	json_object_set_new(o, "e_act_kwh", jnum(e->e_act_kwh));
	json_object_set_new(o, "theoretical_kwh", jnum(e->e_th_kwh));
	json_object_set_new(o, "energy_kwh", jnum(g->energy_kwh));
	json_object_set_new(o, "equivalent_hours", jnum(e->equivalent_hours));
	json_object_set_new(o, "worst_grade",
			    e->worst_grade ? json_integer(e->worst_grade) : json_null());
	if (county)
		json_object_set_new(o, "meets_county_target",
				    isfinite(e->eta) ? json_boolean(e->meets_group_target)
						     : json_null());
	json_object_set_new(o, "online_rate", jrate(&g->online));
	json_object_set_new(o, "fault_rate", jrate(&g->fault));
	json_object_set_new(o, "anomaly_rate", jrate(&g->anomaly));
	json_object_set_new(o, "losses", jloss(&g->loss, g->loss_days));
	return o;
}

static json_t *jstation(const struct health_report *r, const struct health_station *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "name", json_string(s->name ? s->name : s->id));
	json_object_set_new(
	    o, "village",
	    json_string(s->village < r->n_villages ? r->villages[s->village].id : ""));
	json_object_set_new(o, "capacity_kwp", json_real(s->capacity_kwp));
	json_object_set_new(o, "days", json_integer(s->days));
	json_object_set_new(o, "judgeable_days", json_integer(s->judgeable_days));
	json_object_set_new(o, "eta", jnum(s->eta));
	json_object_set_new(o, "pr", jnum(s->pr));
	json_object_set_new(o, "pr_stc", jnum(s->pr_stc));
	json_object_set_new(o, "peer_ratio", jnum(s->peer_ratio));
	json_object_set_new(o, "peer_days", json_integer(s->peer_days));
	json_object_set_new(o, "equivalent_hours", jnum(s->equivalent_hours));
	json_object_set_new(o, "energy_kwh", jnum(s->energy_kwh));
	json_object_set_new(o, "e_act_kwh", jnum(s->e_act_kwh));
	json_object_set_new(o, "theoretical_kwh", jnum(s->e_th_kwh));
	json_object_set_new(o, "curtailed_kwh", jnum(s->curtailed_wh / 1000.0));
	json_object_set_new(o, "curtailment_loss_kwh", jnum(s->curtailment_loss_kwh));
	json_object_set_new(o, "h_ghi_kwh_m2", s->days ? jnum(s->h_ghi_kwh_m2) : json_null());
	json_object_set_new(o, "h_poa_kwh_m2", s->days ? jnum(s->h_poa_kwh_m2) : json_null());
	json_object_set_new(o, "online_rate", jnum(s->online_rate));
	json_object_set_new(o, "fault_minutes", jnum(s->fault_min));
	json_object_set_new(o, "longest_fault_minutes", jnum(s->longest_fault_min));
	json_object_set_new(o, "fault_alerts",
			    s->fault_alerts >= 0 ? json_integer(s->fault_alerts) : json_null());
	json_object_set_new(o, "anomaly_rate", jnum(s->anomaly_rate));
	json_object_set_new(o, "readings", json_integer(s->readings));
	json_object_set_new(o, "rejected", json_integer(s->rejected));
	json_object_set_new(o, "basis", s->basis[0] ? json_string(s->basis) : json_null());
	json_object_set_new(o, "source", s->source[0] ? json_string(s->source) : json_null());
	json_object_set_new(o, "grade", s->grade ? json_integer(s->grade) : json_null());
	json_object_set_new(o, "mark",
			    s->mark == HEALTH_MARK_NONE ? json_null()
							: json_string(health_mark_name(s->mark)));
	json_object_set_new(o, "below_target", json_boolean(s->mark == HEALTH_MARK_BELOW));
	json_object_set_new(o, "losses", jloss(&s->loss, s->loss_days));
	json_t *invs = json_array();
	for (size_t k = 0; k < s->n_inverters; k++) {
		const struct health_inverter *inv = &s->inverters[k];
		json_t *i = json_object();
		json_object_set_new(i, "id", json_string(inv->id));
		json_object_set_new(i, "dc_kwp", jnum(inv->dc_kwp));
		json_object_set_new(i, "days", json_integer(inv->days));
		json_object_set_new(i, "eta", jnum(inv->eta));
		json_object_set_new(i, "peer_ratio", jnum(inv->peer_ratio));
		json_object_set_new(i, "equivalent_hours", jnum(inv->equivalent_hours));
		json_object_set_new(i, "energy_kwh", jnum(inv->energy_kwh));
		json_object_set_new(i, "grade",
				    inv->grade ? json_integer(inv->grade) : json_null());
		json_array_append_new(invs, i);
	}
	json_object_set_new(o, "inverters", invs);
	return o;
}

static char *render_json(const struct health_report *r)
{
	json_t *root = json_object();
	char until[32];
	timefmt_local(r->until_unix, r->utc_offset_s, until, sizeof until);
	json_object_set_new(root, "county",
			    json_pack("{s:s, s:s}", "id", r->county_id, "name",
				      r->county_name ? r->county_name : r->county_id));
	json_object_set_new(root, "period",
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:i}", "kind",
				      r->is_day ? "day" : "month", "value", r->period, "first_day",
				      r->first_day, "last_day", r->last_day, "until_local", until,
				      "until_unix", r->until_unix, "utc_offset_s",
				      r->utc_offset_s));
	json_object_set_new(root, "targets",
			    json_pack("{s:f, s:f, s:f}", "station", r->station_target, "county",
				      r->county_target, "fault_minutes", r->fault_threshold_min));
	json_object_set_new(root, "basis", json_string(r->basis));
	json_t *st = json_array();
	for (size_t i = 0; i < r->n_stations; i++)
		json_array_append_new(st, jstation(r, &r->stations[i]));
	json_object_set_new(root, "stations", st);
	json_t *vs = json_array();
	for (size_t v = 0; v < r->n_villages; v++)
		json_array_append_new(vs, jgroup(&r->villages[v], 0));
	json_object_set_new(root, "villages", vs);
	json_object_set_new(root, "county_figures", jgroup(&r->county, 1));
	char *text =
	    json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	/* jansson allocates with malloc; hand back a copy from our own wrapper. */
	char *out = xstrdup(text);
	free(text);
	return out;
}

/* ---- CSV ------------------------------------------------------------------------------- */

static void cnum(struct csv_writer *w, double v, int prec)
{
	char buf[48];
	if (!isfinite(v))
		csv_put_str(w, "");
	else {
		snprintf(buf, sizeof buf, "%.*f", prec, v);
		csv_put_str(w, buf);
	}
}

static char *render_csv(const struct health_report *r)
{
	struct csv_writer *w = csv_writer_new(1);
	static const char *const head[] = {"level (层级)",
					   "id (编号)",
					   "village (村)",
					   "capacity_kwp (装机容量)",
					   "eta (发电参数)",
					   "pr (性能比)",
					   "pr_stc (温度修正PR)",
					   "equivalent_hours (等效小时)",
					   "energy_kwh (发电量)",
					   "theoretical_kwh (理论发电量)",
					   "online_rate (在线率)",
					   "fault_minutes (故障分钟)",
					   "fault_alerts (故障告警)",
					   "anomaly_rate (数据异常率)",
					   "basis (基准)",
					   "source (辐照来源)",
					   "grade (等级)",
					   "mark (标记)",
					   "stations_meeting_target (达标电站)",
					   "stations_with_eta (有发电参数电站)",
					   "meets_county_target (全县达标)",
					   "peer_ratio (与邻站之比)",
					   "curtailment_loss_kwh (限电损失)"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		csv_put_str(w, head[i]);
	csv_end_row(w);
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct health_station *s = &r->stations[i];
		csv_put_str(w, "station");
		csv_put_str(w, s->id);
		csv_put_str(w, s->village < r->n_villages ? r->villages[s->village].id : "");
		cnum(w, s->capacity_kwp, 1);
		cnum(w, s->eta, 4);
		cnum(w, s->pr, 4);
		cnum(w, s->pr_stc, 4);
		cnum(w, s->equivalent_hours, 3);
		cnum(w, s->energy_kwh, 3);
		cnum(w, s->e_th_kwh, 3);
		cnum(w, s->online_rate, 4);
		cnum(w, s->fault_min, 1);
		if (s->fault_alerts >= 0)
			csv_put_int(w, s->fault_alerts);
		else
			csv_put_str(w, "");
		cnum(w, s->anomaly_rate, 5);
		csv_put_str(w, s->basis);
		csv_put_str(w, s->source);
		if (s->grade)
			csv_put_int(w, s->grade);
		else
			csv_put_str(w, "");
		csv_put_str(w, health_mark_name(s->mark));
		csv_put_str(w, "");
		csv_put_str(w, "");
		csv_put_str(w, "");
		cnum(w, s->peer_ratio, 4);
		cnum(w, s->curtailment_loss_kwh, 3);
		csv_end_row(w);
	}
	for (size_t v = 0; v <= r->n_villages; v++) {
		const struct health_group *g = v < r->n_villages ? &r->villages[v] : &r->county;
		csv_put_str(w, v < r->n_villages ? "village" : "county");
		csv_put_str(w, v < r->n_villages ? g->id : r->county_id);
		csv_put_str(w, "");
		csv_put_str(w, "");
		cnum(w, g->eff.eta, 4);
		csv_put_str(w, "");
		csv_put_str(w, "");
		cnum(w, g->eff.equivalent_hours, 3);
		cnum(w, g->energy_kwh, 3);
		cnum(w, g->eff.e_th_kwh, 3);
		cnum(w, g->online.rate, 4);
		csv_put_str(w, "");
		csv_put_str(w, "");
		cnum(w, g->anomaly.rate, 5);
		csv_put_str(w, r->basis);
		csv_put_str(w, "");
		if (g->eff.worst_grade)
			csv_put_int(w, g->eff.worst_grade);
		else
			csv_put_str(w, "");
		csv_put_str(w, "");
		csv_put_int(w, (int64_t)g->eff.n_meeting_target);
		csv_put_int(w, (int64_t)g->eff.n_with_value);
		csv_put_str(w, v < r->n_villages || !isfinite(g->eff.eta)
				   ? ""
				   : (g->eff.meets_group_target ? "yes" : "no"));
		csv_put_str(w, "");
		csv_put_str(w, "");
		csv_end_row(w);
	}
	char *out = xstrdup(csv_writer_data(w, NULL));
	csv_writer_free(w);
	return out;
}

/* One row of the loss CSV: the level, id and village, then the figures of l (empty cells
 * where a row has no attribution). */
static void loss_csv_row(struct csv_writer *w, const char *level, const char *id,
			 const char *village, int days, const struct loss_figures *l)
{
	csv_put_str(w, level);
	csv_put_str(w, id);
	csv_put_str(w, village);
	csv_put_int(w, days);
	int any = l->expected_kwh > 0;
	cnum(w, any ? l->expected_kwh : NAN, 3);
	cnum(w, any ? l->actual_kwh : NAN, 3);
	cnum(w, any ? l->capability : NAN, 4);
	for (int k = 0; k < LOSS_N_CLASSES; k++)
		cnum(w, any ? l->loss_kwh[k] : NAN, 3);
	for (int k = 0; k < LOSS_LOWPERF; k++)
		cnum(w, any ? l->hours[k] : NAN, 3);
	cnum(w, any ? l->ref_eta : NAN, 4);
	csv_put_str(w, !any ? "" : l->ref_from_k ? "yes" : "no");
	csv_end_row(w);
}

/* Where each station's expected energy went (--losses --format csv): the loss table's figures
 * and the hours of each outage class, per station, village and the county. */
static char *render_losses_csv(const struct health_report *r)
{
	struct csv_writer *w = csv_writer_new(1);
	static const char *const head[] = {"level (层级)",
					   "id (编号)",
					   "village (村)",
					   "days (天数)",
					   "expected_kwh (应发电量)",
					   "actual_kwh (实发电量)",
					   "capability (发电能力)",
					   "comm_kwh (通信中断)",
					   "down_kwh (逆变器停机)",
					   "fault_kwh (故障)",
					   "curtail_kwh (限电)",
					   "lowperf_kwh (性能偏低)",
					   "comm_hours (通信中断小时)",
					   "down_hours (停机小时)",
					   "fault_hours (故障小时)",
					   "curtail_hours (限电小时)",
					   "ref_eta (正常效率)",
					   "ref_from_k (按K计价)"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		csv_put_str(w, head[i]);
	csv_end_row(w);
	for (size_t i = 0; i < r->n_stations; i++) {
		const struct health_station *s = &r->stations[i];
		loss_csv_row(w, "station", s->id,
			     s->village < r->n_villages ? r->villages[s->village].id : "",
			     s->loss_days, &s->loss);
	}
	for (size_t v = 0; v < r->n_villages; v++)
		loss_csv_row(w, "village", r->villages[v].id, "", r->villages[v].loss_days,
			     &r->villages[v].loss);
	loss_csv_row(w, "county", r->county_id, "", r->county.loss_days, &r->county.loss);
	char *out = xstrdup(csv_writer_data(w, NULL));
	csv_writer_free(w);
	return out;
}

char *health_render(const struct health_report *r, enum health_format f)
{
	if (f == HEALTH_JSON)
		return render_json(r);
	if (f == HEALTH_CSV)
		return r->show_losses ? render_losses_csv(r) : render_csv(r);
	struct strbuf b = {0};
	render_table(r, &b);
	return strbuf_take(&b);
}
