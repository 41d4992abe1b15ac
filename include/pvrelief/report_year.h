/* The year's figures as a county reports them, per village and for the county: generation,
 * revenue received and still receivable, costs, what was paid to posts and labour of all that
 * was paid (the year's check of the posts minimum), people paid, posts, wages still owed and
 * balances carried at the year's end. Built by adding the year's monthly reports in order;
 * rendered to JSON, CSV and HTML text. Pure: no I/O. */
#ifndef PVRELIEF_REPORT_YEAR_H
#define PVRELIEF_REPORT_YEAR_H

#include <stddef.h>
#include <stdint.h>

struct report;

struct report_year_village {
	const char *id, *name, *town;
	int months_planned;
	double measured_kwh, metered_kwh;
	int64_t received_fen, costs_fen, distributable_fen;
	int64_t receivable_fen; /* subsidy still receivable at the last month added */
	int64_t posts_paid_fen; /* wages, labour and arrears paid: the posts bucket's spending */
	int64_t wages_paid_fen, labour_paid_fen, arrears_paid_fen;
	int64_t paid_fen;  /* everything paid from every bucket */
	int64_t owed_fen;  /* wages and labour still owed after the last month */
	int64_t carry_fen; /* bucket balances carried out of the last month */
	size_t posts;	   /* public-welfare posts of the village (set by the loader) */
	int32_t min_posts_bp;
	char **people; /* distinct persons paid more than 0 in the year, owned */
	size_t npeople, cappeople;
};

struct report_year {
	const char *county_id, *county_name;
	int year, months;
	int64_t generated_unix;
	int utc_offset_s;
	int64_t ledger_seq;
	char ledger_hash[65];
	struct report_year_village *villages;
	size_t nvillages;
	char **strs;
	size_t nstrs, capstrs;
};

/* Creates an empty year for the county with nvillages villages; never returns NULL. */
struct report_year *report_year_new(const char *county_id, const char *county_name, int year,
				    size_t nvillages);
/* Frees a year and all it owns; NULL is allowed. */
void report_year_free(struct report_year *y);
/* Adds one month's report, whose villages are the year's, in the same order (their ids and
 * names are taken from the first month). Months are added in order. Returns 0, or -1 when
 * the month has other villages. */
int report_year_add_month(struct report_year *y, const struct report *m);
/* Returns a village's share of posts and labour in all it paid, floored in basis points, or
 * -1 when nothing was paid. */
int32_t report_year_posts_share(int64_t posts_paid_fen, int64_t paid_fen);
/* Renders the year as JSON (schema pvrelief-year-1, docs/report-json.md), a new string the
 * caller frees. */
char *report_year_json(const struct report_year *y);
/* Renders the year as CSV for Excel (BOM, CRLF) with a county total row, a new buffer the
 * caller frees with its length in *len. */
char *report_year_csv(const struct report_year *y, size_t *len);
/* Renders the year as one A4 HTML document in Chinese, a new string the caller frees. */
char *report_year_html(const struct report_year *y);

#endif
