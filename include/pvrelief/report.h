/* The monthly distribution report: plain data assembled from the store, and renderers to JSON,
 * CSV and HTML text that do no I/O (XLSX is in report_xlsx.c, the one user of libxlsxwriter).
 * The report owns every string in it; report_str copies one in.
 *
 * The public-notice variant (public = 1) leaves out what is private: no ID numbers at all and
 * no household category; names, posts, days and amounts stay, as the rules require. */
#ifndef PVRELIEF_REPORT_H
#define PVRELIEF_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/revenue.h"

/* Kinds of costs charged to a village's revenue. */
enum report_cost {
	REPORT_COST_OM,
	REPORT_COST_INSURANCE,
	REPORT_COST_LAND_RENT,
	REPORT_COST_OTHER,
	REPORT_NCOSTS
};

struct report_payee {
	const char *kind; /* "wage" or "labour" */
	const char *person_id, *name, *id_masked, *category;
	const char *post_id, *post_kind; /* for labour: the public work and "以工代赈" */
	int days_worked, required_days;
	const char *grade; /* "", "A".."D" */
	int64_t standard_fen, due_fen, paid_fen;
	const char *reason; /* "ok", "no_agreement", "no_record", "no_work"; "arrears" */
	/* "" for the month's own wage or labour; for arrears paid, the YYYY-MM the work was
	 * done in, with due_fen what was owed coming in and paid_fen what is paid of it. */
	const char *owed_month;
};

struct report_station {
	const char *id, *name, *village_id; /* the operating village */
	double capacity_kwp;
	double measured_kwh, metered_kwh;
	int has_measured, has_metered;
	int reconcile_flag;   /* |metered - measured| / metered above the tolerance */
	double diff_fraction; /* (metered - measured) / metered, when both are known */
	int64_t received_fen, receivable_fen;
	double eta;
	int has_eta;
	/* The settlements whose cash arrived in the month (grid settlements come a month or a
	 * quarter late): their generation periods ("2025-01", comma-separated; "" when none),
	 * their metered kWh, and the daemon's measured kWh over those periods when it has them. */
	const char *cash_periods;
	double cash_metered_kwh, cash_measured_kwh;
	int has_cash_measured;
};

struct report_village {
	const char *id, *name, *town;
	int has_plan;
	const char *state; /* plan_state_name, "" without a plan */
	int64_t received_fen, receivable_fen;
	int64_t cost_fen[REPORT_NCOSTS];
	int64_t costs_fen, distributable_fen, deficit_in_fen, deficit_out_fen;
	int32_t share_bp[REVENUE_NBUCKETS];
	int64_t carry_in_fen[REVENUE_NBUCKETS], alloc_fen[REVENUE_NBUCKETS];
	int64_t spent_fen[REVENUE_NBUCKETS], unmet_fen[REVENUE_NBUCKETS];
	int64_t carry_out_fen[REVENUE_NBUCKETS];
	int32_t policy_posts_bp, min_posts_bp;
	int32_t posts_share_bp; /* posts and labour paid / all paid; -1 when nothing was paid */
	double measured_kwh, metered_kwh;
	/* The village's parts of its stations' cash_metered_kwh and cash_measured_kwh; the
	 * measured figure only when every station with cash has it. */
	double cash_metered_kwh, cash_measured_kwh;
	int has_cash_measured;
	size_t *stations; /* indexes into report.stations of the stations it owns a share of */
	size_t nstations;
	struct report_payee *payees;
	size_t npayees, cappayees;
	const char *note;
	int64_t publicised_at; /* when the plan's notice went up (unix s), 0 before */
	int notice_days;       /* the public-notice period, days */
};

/* A figure of an earlier month's posted notice that later data changed (a late settlement, a
 * correction, a wage paid late from arrears): shown, dated, in a later notice; the posted
 * notice itself never changes. Subjects: a station, a village, a payee ("person/post", named
 * by name and post) or a correction of a row (the row in subject_name). */
struct report_amendment {
	const char *month;   /* the posted month the figure belongs to */
	const char *subject; /* "station" or "village" */
	const char *subject_id, *subject_name;
	const char *field; /* the report JSON field: metered_kwh, measured_kwh, received_fen, ... */
	int is_money;	   /* the values are fen (else kWh) */
	int has_posted, has_now; /* a kWh figure may be unknown ("—") */
	int64_t posted_fen, now_fen;
	double posted_kwh, now_kwh;
	/* A correction's or a payee's sentence in Chinese (what, why, who, when), or "". */
	const char *note;
};

struct report {
	const char *county_id, *county_name, *month;
	int public_notice;
	int64_t generated_unix;
	int utc_offset_s;
	double eta_station_target, eta_county_target, reconcile_tolerance;
	const char *contact; /* where to take a question or complaint about a notice, or "" */
	struct report_village *villages;
	size_t nvillages;
	struct report_station *stations;
	size_t nstations;
	/* The ledger's head when the report was made (seq 0 and LEDGER_GENESIS_HASH's zeros
	 * for an empty ledger): printed on every report and notice, to keep and check with
	 * `pvrelief ledger verify --head SEQ:HASH`. */
	int64_t ledger_seq;
	char ledger_hash[65];
	struct report_amendment *amendments;
	size_t namendments, capamendments;
	char **strs;
	size_t nstrs, capstrs;
};

/* The county's totals, summed from the villages and stations. */
struct report_totals {
	int64_t received_fen, receivable_fen, costs_fen, distributable_fen;
	int64_t cost_fen[REPORT_NCOSTS];
	int64_t alloc_fen[REVENUE_NBUCKETS], spent_fen[REVENUE_NBUCKETS];
	int64_t carry_in_fen[REVENUE_NBUCKETS], carry_out_fen[REVENUE_NBUCKETS];
	int64_t wages_paid_fen, labour_paid_fen;
	double measured_kwh, metered_kwh;
	size_t payees_paid, villages_with_plan, stations_flagged;
	int32_t posts_share_bp; /* -1 when nothing was paid */
};

/* Creates an empty report for county and month with nvillages villages and nstations stations
 * (zeroed); strings are copied. Never returns NULL; free with report_free. */
struct report *report_new(const char *county_id, const char *county_name, const char *month,
			  size_t nvillages, size_t nstations);
/* Frees a report and everything it owns; NULL is allowed. */
void report_free(struct report *r);
/* Returns a copy of s (NULL gives "") owned by the report. */
const char *report_str(struct report *r, const char *s);
/* Appends an empty payee to village v and returns it (valid until the next append there). */
struct report_payee *report_add_payee(struct report *r, size_t v);
/* Appends an empty amendment and returns it (valid until the next append). */
struct report_amendment *report_add_amendment(struct report *r);
/* Appends to r, for the posted month of posted[0], an amendment of each payee's due_fen and
 * paid_fen (subject "payee", id "person/post") that now_of(person, post, arg, &now) says
 * differs from what was posted (or last amended by posted[1..n)); now_of returns 0, or -1
 * for a payee it knows nothing of. Returns the number appended, or -1 when posted[0] is not
 * a notice's JSON. */
struct report_payee_now {
	int64_t due_fen, paid_fen; /* what the month makes due and has paid, as of now */
	const char *note;	   /* why it changed (a corrected record), or "" */
};
int report_amend_payees(struct report *r, const char *const *posted, size_t n,
			int (*now_of)(const char *person, const char *post, void *arg,
				      struct report_payee_now *out),
			void *arg);
/* Compares an earlier month's posted figures with what the store says now and appends an
 * amendment to r for each station or village figure that changed (metered and measured kWh,
 * received and receivable fen, costs). posted[0] is the notice JSON posted for that month;
 * posted[1..n) are later notices' JSON, oldest first, whose amendments to the month replace
 * the posted figure so that a change is told once. now is the month's report as it stands.
 * Returns the number appended, or -1 when posted[0] is not a notice's JSON. */
int report_amend(struct report *r, const char *const *posted, size_t n, const struct report *now);
/* Sums the county's totals. */
void report_totals(const struct report *r, struct report_totals *t);

/* Renders the report as JSON (docs/report-json.md) into a new NUL-terminated string the caller
 * frees. */
char *report_json(const struct report *r);
/* Renders the report as CSV for Excel (BOM, CRLF, formula guard) into a new buffer the caller
 * frees, with its length in *len. */
char *report_csv(const struct report *r, size_t *len);
/* Renders the report as one A4 HTML document with inline SVG charts into a new string the
 * caller frees. */
char *report_html(const struct report *r);
/* Writes the report as an XLSX workbook at path; 0, or -1 with a sentence in why. */
int report_xlsx(const struct report *r, const char *path, char *why, size_t whylen);
/* One cell of a plain table: text, or (text NULL) a number shown with num_format ("0.0",
 * "0.0%", ...; NULL for general); a NAN number leaves the cell empty. */
struct report_xlsx_cell {
	const char *text;
	double num;
	const char *num_format;
};
/* Writes a workbook at path with one sheet: a bold, frozen header row of ncols heads, then
 * nrows rows of ncols cells (row-major). For other tables than the report's, such as the
 * console's health table. Returns 0, or -1 with a sentence in why. */
int report_xlsx_table(const char *path, const char *sheet, const char *const *heads, size_t ncols,
		      const struct report_xlsx_cell *cells, size_t nrows, char *why, size_t whylen);

/* Returns the Chinese name of a bucket (岗位及劳务, 小型公益事业, 奖励补助, 运维储备). */
const char *report_bucket_zh(enum revenue_bucket b);
/* Returns the Chinese sentence for a payment reason code ("ok" ... "no_work"). */
const char *report_reason_zh(const char *reason);
/* Writes month "YYYY-MM" in Chinese ("2025年1月") into buf (at least 32 bytes); returns buf. */
char *report_month_zh(const char *month, char *buf);
/* Writes the day of unix time t at offset_s east of UTC in Chinese ("2025年3月5日") into buf
 * (at least 32 bytes); returns buf. */
char *report_day_zh(int64_t t, int offset_s, char *buf);
/* Returns the Chinese name of an amendment's field (结算电量, 到账收入 ...). */
const char *report_field_zh(const char *field);
/* Formats an amendment's posted (which = 0) or present (1) value with its unit ("1234.56 元",
 * "812.3 千瓦时", "—") into buf (at least 48 bytes); returns buf. */
char *report_amendment_value(const struct report_amendment *a, int which, char *buf);
/* Formats fen as yuan with thousands separators ("1,234.05"), as notices write amounts, into
 * buf (at least 48 bytes); returns buf. */
char *report_yuan_zh(int64_t fen, char *buf);
/* Writes, in Chinese, who was paid what of what was due and why: "按出勤发放", "资金不足，按
 * 75.89% 发放，欠发 217.91 元结转", "补发2025年1月欠发 ...", or the refusal; into buf; returns
 * buf. */
char *report_payee_note(const struct report_payee *p, char *buf, size_t len);
/* Formats fen as yuan with two decimals ("-1234.05") into buf (at least 32 bytes); returns
 * buf. */
char *report_yuan(int64_t fen, char *buf);

#endif
