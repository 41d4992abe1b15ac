/* pvrelief import KIND FILE and pvrelief set KIND COLUMN=VALUE...: the village accountant's
 * spreadsheets (people, posts, agreements, attendance, public-works labour, grid settlements,
 * subsidy receipts, costs, spending) come in as CSV, all or nothing: the first bad row rolls
 * the whole file back so that a half-imported month is never allocated. `set` feeds one row
 * through the same checks, so the command line cannot record what a file could not. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/ledger.h"
#include "pvrelief/report.h"
#include "pvrelief/revenue.h"
#include "pvrelief/store.h"
#include "pvrelief/store_records.h"
#include "pvrelief/store_plan.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/xalloc.h"

enum col_type {
	T_TEXT,	    /* non-empty text */
	T_OPTTEXT,  /* text, may be empty */
	T_VILLAGE,  /* a village id of the configuration */
	T_STATION,  /* a station id of the configuration */
	T_FEN,	    /* yuan, at most two decimals, not negative */
	T_DAYS,	    /* 0-31 */
	T_DAYS1,    /* 1-31 */
	T_DATE,	    /* YYYY-MM-DD */
	T_MONTH,    /* YYYY-MM */
	T_KWH,	    /* energy, not negative */
	T_IDNUM,    /* an ID number, stored masked */
	T_CATEGORY, /* household category */
	T_LABOUR,   /* labour capacity */
	T_GRADE,    /* "", A-D */
	T_COSTKIND, /* om, insurance, land_rent, other */
	T_BUCKET    /* public_works, rewards, om_reserve */
};

struct col_spec {
	const char *en, *zh;
	enum col_type type;
};

struct import_spec {
	const char *name;
	enum store_rev_kind kind;
	struct col_spec cols[STORE_REV_MAXCOLS];
};

/* Columns in the store's order for each kind; the CSV header may use the English or the
 * Chinese name, in any order. docs/csv-formats.md documents them. */
static const struct import_spec specs[] = {
    {"people",
     STORE_REV_PERSON,
     {{"person_id", "人员编号", T_TEXT},
      {"village", "村", T_VILLAGE},
      {"name", "姓名", T_TEXT},
      {"id_number", "身份证号", T_IDNUM},
      {"category", "户类别", T_CATEGORY},
      {"labour", "劳动能力", T_LABOUR}}},
    {"posts",
     STORE_REV_POST,
     {{"post_id", "岗位编号", T_TEXT},
      {"village", "村", T_VILLAGE},
      {"kind", "岗位类型", T_TEXT},
      {"wage", "月工资标准", T_FEN},
      {"required_days", "应出勤天数", T_DAYS1}}},
    {"agreements",
     STORE_REV_AGREEMENT,
     {{"person_id", "人员编号", T_TEXT},
      {"post_id", "岗位编号", T_TEXT},
      {"from", "起始日期", T_DATE},
      {"to", "终止日期", T_DATE}}},
    {"attendance",
     STORE_REV_ATTENDANCE,
     {{"person_id", "人员编号", T_TEXT},
      {"post_id", "岗位编号", T_TEXT},
      {"month", "月份", T_MONTH},
      {"days_worked", "出勤天数", T_DAYS},
      {"grade", "考核等级", T_GRADE}}},
    {"work",
     STORE_REV_WORK,
     {{"village", "村", T_VILLAGE},
      {"month", "月份", T_MONTH},
      {"person_id", "人员编号", T_TEXT},
      {"work", "工程项目", T_TEXT},
      {"days_worked", "务工天数", T_DAYS1},
      {"amount", "劳务报酬", T_FEN},
      {"agreement", "务工协议", T_OPTTEXT}}},
    {"settlements",
     STORE_REV_SETTLEMENT,
     {{"station", "电站", T_STATION},
      {"period", "结算期", T_MONTH},
      {"metered_kwh", "结算电量", T_KWH},
      {"coal_amount", "燃煤基准电费", T_FEN},
      {"subsidy_amount", "补贴金额", T_FEN},
      {"received", "到账日期", T_DATE}}},
    {"subsidies",
     STORE_REV_SUBSIDY,
     {{"station", "电站", T_STATION},
      {"period", "结算期", T_MONTH},
      {"amount", "到账金额", T_FEN},
      {"received", "到账日期", T_DATE}}},
    {"costs",
     STORE_REV_COST,
     {{"village", "村", T_VILLAGE},
      {"month", "月份", T_MONTH},
      {"kind", "费用类型", T_COSTKIND},
      {"amount", "金额", T_FEN},
      {"receipt", "票据号", T_TEXT},
      {"note", "备注", T_OPTTEXT}}},
    {"spending",
     STORE_REV_SPENDING,
     {{"village", "村", T_VILLAGE},
      {"month", "月份", T_MONTH},
      {"bucket", "用途", T_BUCKET},
      {"amount", "金额", T_FEN},
      {"receipt", "票据号", T_TEXT},
      {"note", "备注", T_OPTTEXT}}},
};
#define NSPECS (sizeof specs / sizeof specs[0])

/* Finds a kind by its name, or by the singular of it ("settlement", "subsidy", "person"):
 * one file of settlements is easily called a settlement file. */
static const struct import_spec *spec_find(const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < NSPECS; i++) {
		const char *k = specs[i].name;
		size_t kl = strlen(k);
		if (strcmp(k, name) == 0 ||
		    (strcmp(k, "people") == 0 && strcmp(name, "person") == 0))
			return &specs[i];
		if (kl > 3 && strcmp(k + kl - 3, "ies") == 0 && len == kl - 2 &&
		    strncmp(k, name, kl - 3) == 0 && name[len - 1] == 'y')
			return &specs[i];
		if (kl > 1 && k[kl - 1] == 's' && len == kl - 1 && strncmp(k, name, len) == 0)
			return &specs[i];
	}
	return NULL;
}

/* Maps one of a list of accepted spellings to its stored code; returns NULL when unknown. */
static const char *lookup(const char *v, const char *const (*table)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, table[i][0]) == 0)
			return table[i][1];
	return NULL;
}

static const char *const categories[][2] = {{"脱贫户", "脱贫户"},
					    {"脱贫不稳定户", "脱贫不稳定户"},
					    {"边缘易致贫户", "边缘易致贫户"},
					    {"突发严重困难户", "突发严重困难户"},
					    {"lifted", "脱贫户"},
					    {"unstable", "脱贫不稳定户"},
					    {"marginal", "边缘易致贫户"},
					    {"sudden_hardship", "突发严重困难户"}};
static const char *const labours[][2] = {
    {"full", "full"},	    {"weak", "weak"},	    {"none", "none"},	   {"有劳动能力", "full"},
    {"弱劳动能力", "weak"}, {"半劳动能力", "weak"}, {"无劳动能力", "none"}};
static const char *const costkinds[][2] = {{"om", "om"},
					   {"insurance", "insurance"},
					   {"land_rent", "land_rent"},
					   {"other", "other"},
					   {"运维", "om"},
					   {"运维费", "om"},
					   {"保险", "insurance"},
					   {"保险费", "insurance"},
					   {"土地租金", "land_rent"},
					   {"租金", "land_rent"},
					   {"其他", "other"}};
static const char *const buckets[][2] = {
    {"public_works", "public_works"}, {"rewards", "rewards"},  {"om_reserve", "om_reserve"},
    {"小型公益事业", "public_works"}, {"奖励补助", "rewards"}, {"运维储备", "om_reserve"}};
#define N_OF(t) (sizeof t / sizeof t[0])

/* Masks an ID number to its first four and last four characters, so that the full number is
 * never stored: a 18-character resident ID becomes 3415**********1234. An already masked
 * number of the same shape is kept. Returns 0, or -1 when it is not an ID number. */
static int mask_id(const char *v, char *out, size_t len)
{
	size_t n = strlen(v);
	if (n != 18 && n != 15)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int digit =
		    isdigit((unsigned char)v[i]) || (i == n - 1 && (v[i] == 'X' || v[i] == 'x'));
		int masked = v[i] == '*' && i >= 4 && i < n - 4;
		if (!digit && !masked)
			return -1;
	}
	snprintf(out, len, "%.4s%.*s%s", v, (int)(n - 8), "**********", v + n - 4);
	if (out[n - 1] == 'x')
		out[n - 1] = 'X';
	return 0;
}

static int village_known(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->n_villages; i++)
		if (strcmp(cfg->villages[i].id, id) == 0)
			return 1;
	return 0;
}

/* Parses field col of the record as type into out (normalised text); 0 or -1 reported. */
static int parse_field(struct csv_reader *r, int col, const char *name, enum col_type type,
		       const struct config *cfg, char *out, size_t len, struct errlist *e)
{
	const char *v = NULL;
	int64_t n;
	int y, m, d;
	const char *code;
	char raw[256];
	snprintf(raw, sizeof raw, "%s", csv_field(r, (size_t)col));
	/* Trim as the typed helpers do, for the text kinds. */
	char *s = raw;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
		s[--l] = '\0';
	switch (type) {
	case T_OPTTEXT:
	case T_GRADE:
		break;
	case T_FEN:
	case T_DAYS:
	case T_DAYS1:
	case T_DATE:
	case T_MONTH:
		break;
	default:
		if (csv_get_str(r, col, &v, e) != 0)
			return -1;
	}
	switch (type) {
	case T_TEXT:
	case T_OPTTEXT:
		snprintf(out, len, "%s", s);
		return 0;
	case T_VILLAGE:
		if (!village_known(cfg, s))
			goto bad;
		snprintf(out, len, "%s", s);
		return 0;
	case T_STATION:
		if (!config_station_find(cfg, s))
			goto bad;
		snprintf(out, len, "%s", s);
		return 0;
	case T_FEN:
		if (csv_get_fen(r, col, &n, e) != 0)
			return -1;
		if (n < 0) {
			errlist_add(e, csv_file(r), csv_line(r),
				    "column \"%s\": \"%s\" is negative; amounts are not negative "
				    "(a correction is a new entry)",
				    name, s);
			return -1;
		}
		snprintf(out, len, "%" PRId64, n);
		return 0;
	case T_DAYS:
	case T_DAYS1:
		if (csv_get_int(r, col, &n, e) != 0)
			return -1;
		if (n < (type == T_DAYS1 ? 1 : 0) || n > 31) {
			errlist_add(e, csv_file(r), csv_line(r),
				    "column \"%s\": %" PRId64 " days is not possible (%d-31)", name,
				    n, type == T_DAYS1 ? 1 : 0);
			return -1;
		}
		snprintf(out, len, "%" PRId64, n);
		return 0;
	case T_DATE:
		if (csv_get_date(r, col, &y, &m, &d, e) != 0)
			return -1;
		snprintf(out, len, "%04d-%02d-%02d", y, m, d);
		return 0;
	case T_MONTH:
		if (csv_get_month(r, col, &y, &m, e) != 0)
			return -1;
		snprintf(out, len, "%04d-%02d", y, m);
		return 0;
	case T_KWH: {
		char *end;
		double kwh = strtod(s, &end);
		if (*end || end == s || !isfinite(kwh) || kwh < 0 || kwh > 1e12)
			goto bad;
		snprintf(out, len, "%.3f", kwh);
		return 0;
	}
	case T_IDNUM:
		if (mask_id(s, out, len) != 0) {
			errlist_add(e, csv_file(r), csv_line(r),
				    "column \"%s\": the value is not an 18- or 15-character ID "
				    "number",
				    name);
			return -1;
		}
		return 0;
	case T_CATEGORY:
		code = lookup(s, categories, N_OF(categories));
		goto coded;
	case T_LABOUR:
		code = lookup(s, labours, N_OF(labours));
		goto coded;
	case T_COSTKIND:
		code = lookup(s, costkinds, N_OF(costkinds));
		goto coded;
	case T_BUCKET:
		code = lookup(s, buckets, N_OF(buckets));
		goto coded;
	case T_GRADE:
		if (s[0] && (s[1] || toupper((unsigned char)s[0]) < 'A' ||
			     toupper((unsigned char)s[0]) > 'D'))
			goto bad;
		snprintf(out, len, "%s",
			 s[0] ? (char[]){(char)toupper((unsigned char)s[0]), 0} : "");
		return 0;
	}
	return 0;
coded:
	if (!code)
		goto bad;
	snprintf(out, len, "%s", code);
	return 0;
bad:
	errlist_add(e, csv_file(r), csv_line(r), "column \"%s\": \"%s\" is not a valid %s", name, s,
		    type == T_VILLAGE	? "village of the configuration"
		    : type == T_STATION ? "station of the configuration"
		    : type == T_KWH	? "energy in kWh"
		    : type == T_CATEGORY
			? "household category (脱贫户, 脱贫不稳定户, 边缘易致贫户, "
			  "突发严重困难户)"
		    : type == T_LABOUR	 ? "labour capacity (full, weak, none)"
		    : type == T_COSTKIND ? "cost kind (om, insurance, land_rent, other)"
		    : type == T_BUCKET	 ? "bucket (public_works, rewards, om_reserve)"
		    : type == T_GRADE	 ? "grade (A, B, C, D or empty)"
					 : "value");
	return -1;
}

struct import_ctx {
	struct store *st;
	const struct config *cfg;
	const char *by;
	int64_t now;
	struct errlist *e;
	const char *file;
	int line;
};

/* Refuses rows that change the money of a village's month whose plan is already decided. */
static int check_lock(struct import_ctx *c, const char *village, const char *month)
{
	char state[16];
	int rc = store_rev_month_locked(c->st, village, month, state);
	if (rc == 0)
		return 0;
	if (rc < 0)
		errlist_add(c->e, c->file, c->line, "database error: %s", store_errmsg(c->st));
	else
		errlist_add(c->e, c->file, c->line,
			    "village %s %s %s; its money is decided, so record this in a later "
			    "month",
			    village, month,
			    strcmp(state, "paid") == 0 ? "is already paid"
						       : "already has a decided plan");
	return -1;
}

static int ledger_add(struct import_ctx *c, const char *kind, const char *village,
		      const char *station, const char *month, int64_t amount, const char *memo)
{
	struct ledger_entry le = {.time_unix = c->now,
				  .kind = kind,
				  .village_id = village,
				  .station_id = station,
				  .person_id = "",
				  .month = month,
				  .amount_fen = amount,
				  .memo = memo};
	char why[256];
	if (store_ledger_append(c->st, &le, why, sizeof why) != 0) {
		errlist_add(c->e, c->file, c->line, "%s", why);
		return -1;
	}
	return 0;
}

/* Records a station's money in the ledger once per owning village, split by its fixed parts
 * with the same rule as the allocation, so that each village's ledger holds its own share. */
static int ledger_station(struct import_ctx *c, const char *kind, const char *station_id,
			  const char *month, int64_t amount, const char *memo)
{
	const struct config_station *sta = config_station_find(c->cfg, station_id);
	uint32_t parts[64];
	int64_t share[64];
	size_t n = sta->n_shares < 64 ? sta->n_shares : 64;
	for (size_t i = 0; i < n; i++)
		parts[i] = sta->shares[i].parts;
	if (revenue_split(amount, parts, n, share) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (ledger_add(c, kind, c->cfg->villages[sta->shares[i].village].id, station_id,
			       month, share[i], memo) != 0)
			return -1;
	return 0;
}

static int station_locks(struct import_ctx *c, const char *station_id, const char *month)
{
	const struct config_station *sta = config_station_find(c->cfg, station_id);
	for (size_t i = 0; i < sta->n_shares; i++)
		if (check_lock(c, c->cfg->villages[sta->shares[i].village].id, month) != 0)
			return -1;
	return 0;
}

/* The checks that need the database or span columns, and the ledger entries of money rows. */
static int row_extra(struct import_ctx *c, enum store_rev_kind kind, char v[][256],
		     const int *present)
{
	char buf[256], month[8];
	switch (kind) {
	case STORE_REV_AGREEMENT:
		if (present[2] && present[3] && strcmp(v[2], v[3]) > 0) {
			errlist_add(c->e, c->file, c->line,
				    "the agreement ends (%s) before it starts (%s)", v[3], v[2]);
			return -1;
		}
		return 0;
	case STORE_REV_ATTENDANCE:
		if (store_rev_post_village(c->st, v[1], buf, sizeof buf) == 0)
			return check_lock(c, buf, v[2]);
		return 0;
	case STORE_REV_WORK:
		return check_lock(c, v[0], v[1]);
	case STORE_REV_COST:
	case STORE_REV_SPENDING:
		return check_lock(c, v[0], v[1]);
	case STORE_REV_SETTLEMENT:
		snprintf(month, sizeof month, "%.7s", v[5]);
		if (strcmp(v[5], v[1]) < 0) {
			errlist_add(c->e, c->file, c->line,
				    "received on %s, before its period %s began", v[5], v[1]);
			return -1;
		}
		return station_locks(c, v[0], month);
	case STORE_REV_SUBSIDY: {
		int64_t open = 0, amount = strtoll(v[2], NULL, 10);
		snprintf(month, sizeof month, "%.7s", v[3]);
		int rc = store_rev_subsidy_open(c->st, v[0], v[1], &open);
		if (rc == 0 && amount > open) {
			char a[32], b[32];
			errlist_add(c->e, c->file, c->line,
				    "subsidy of %s yuan for %s %s is more than the %s yuan still "
				    "receivable",
				    report_yuan(amount, a), v[0], v[1], report_yuan(open, b));
			return -1;
		}
		return station_locks(c, v[0], month);
	}
	default:
		return 0;
	}
}

/* Ledger entries once the row is recorded. */
static int row_ledger(struct import_ctx *c, enum store_rev_kind kind, char v[][256])
{
	char memo[512], month[8];
	switch (kind) {
	case STORE_REV_SETTLEMENT:
		snprintf(month, sizeof month, "%.7s", v[5]);
		snprintf(memo, sizeof memo,
			 "grid settlement %s, %s kWh metered: coal-benchmark part received %s",
			 v[1], v[2], v[5]);
		if (ledger_station(c, "settlement", v[0], month, strtoll(v[3], NULL, 10), memo) !=
		    0)
			return -1;
		snprintf(memo, sizeof memo, "subsidy receivable for period %s, not yet paid", v[1]);
		return ledger_station(c, "receivable", v[0], v[1], strtoll(v[4], NULL, 10), memo);
	case STORE_REV_SUBSIDY:
		snprintf(month, sizeof month, "%.7s", v[3]);
		snprintf(memo, sizeof memo, "subsidy for period %s received %s", v[1], v[3]);
		return ledger_station(c, "settlement", v[0], month, strtoll(v[2], NULL, 10), memo);
	case STORE_REV_COST:
		snprintf(memo, sizeof memo, "%s cost, receipt %s%s%s", v[2], v[4],
			 v[5][0] ? ": " : "", v[5]);
		return ledger_add(c, "cost", v[0], "", v[1], -strtoll(v[3], NULL, 10), memo);
	default:
		return 0;
	}
}

static int import_rows(struct import_ctx *c, const struct import_spec *sp, struct csv_reader *r)
{
	size_t ncols = store_rev_ncols(sp->kind);
	int colidx[STORE_REV_MAXCOLS];
	int updatable = store_rev_updatable(sp->kind);
	size_t e0 = c->e->n;
	if (csv_read_header(r, c->e) != 0)
		return -1;
	for (size_t i = 0; i < ncols; i++) {
		colidx[i] = csv_column(r, sp->cols[i].en, 0, NULL);
		if (colidx[i] < 0)
			colidx[i] = csv_column(r, sp->cols[i].zh, 0, NULL);
		/* Updatable rows may leave out columns to keep what is recorded; money rows
		 * need them all, except free notes and grades. */
		if (colidx[i] < 0 && !updatable && sp->cols[i].type != T_OPTTEXT) {
			errlist_add(c->e, c->file, 1, "missing column \"%s\" (%s)", sp->cols[i].en,
				    sp->cols[i].zh);
		}
	}
	if (c->e->n > e0)
		return -1;
	int rc, rows = 0;
	while ((rc = csv_next(r, c->e)) != 0) {
		if (rc < 0)
			continue;
		char v[STORE_REV_MAXCOLS][256];
		const char *vals[STORE_REV_MAXCOLS];
		int present[STORE_REV_MAXCOLS];
		size_t before = c->e->n;
		c->line = csv_line(r);
		for (size_t i = 0; i < ncols; i++) {
			present[i] = colidx[i] >= 0;
			v[i][0] = '\0';
			vals[i] = NULL;
			if (present[i] &&
			    parse_field(r, colidx[i], sp->cols[i].en, sp->cols[i].type, c->cfg,
					v[i], sizeof v[i], c->e) == 0)
				vals[i] = v[i];
			else if (!present[i] && !updatable)
				vals[i] = v[i]; /* an optional text column left out: empty */
		}
		if (c->e->n > before || row_extra(c, sp->kind, v, present) != 0)
			goto next;
		char why[512];
		if (store_rev_put(c->st, sp->kind, vals, c->by, c->now, why, sizeof why) != 0) {
			errlist_add(c->e, c->file, c->line, "%s", why);
			goto next;
		}
		if (row_ledger(c, sp->kind, v) != 0)
			goto next;
		rows++;
	next:
		/* Every problem is reported, but a long file of the same mistake is cut short. */
		if (c->e->n - e0 >= 20)
			break;
	}
	return c->e->n > e0 ? -1 : rows;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0, got;
	char *buf = xmalloc(cap);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	int err = ferror(f), saved = errno;
	fclose(f);
	if (err) {
		free(buf);
		errno = saved; /* the reason the caller prints */
		return NULL;
	}
	*len = n;
	return buf;
}

int cli_import_rows(struct cli_env *env, const char *kind, const char *file, const char *data,
		    size_t len, const char *by, int64_t now, struct errlist *e)
{
	const struct import_spec *sp = spec_find(kind);
	if (!sp) {
		errlist_add(e, file, 0, "\"%s\" is not a kind of file pvrelief imports", kind);
		return -1;
	}
	struct import_ctx c = {env->store, env->cfg, by, now, e, file, 0};
	struct csv_reader *r = csv_reader_new(file, data, len);
	int rows = import_rows(&c, sp, r);
	csv_reader_free(r);
	return rows;
}

/* Runs one import over data in a transaction; prints every problem; returns an exit status. */
static int run_import(struct cli_env *env, const struct import_spec *sp, const char *file,
		      const char *data, size_t len, const char *by, int64_t now)
{
	struct store *st = cli_store_create(env);
	if (!st)
		return 1;
	struct errlist e = {0};
	if (store_begin(st) != 0) {
		fprintf(stderr, "pvrelief: cannot start a transaction: %s\n", store_errmsg(st));
		return 1;
	}
	int rows = cli_import_rows(env, sp->name, file, data, len, by, now, &e);
	if (rows >= 0 && store_commit(st) != 0) {
		errlist_add(&e, file, 0, "cannot commit: %s", store_errmsg(st));
		rows = -1;
	}
	if (rows < 0)
		store_rollback(st);
	for (size_t i = 0; i < e.n; i++)
		fprintf(stderr, "%s\n", e.msgs[i]);
	if (rows < 0)
		fprintf(stderr, "%s: nothing was imported\n", file);
	else
		printf("%s: %d %s row%s recorded\n", file, rows, sp->name, rows == 1 ? "" : "s");
	errlist_clear(&e);
	return rows < 0 ? 1 : 0;
}

static void kinds_usage(FILE *out)
{
	fprintf(out, "kinds and columns (English or Chinese header names):\n");
	for (size_t i = 0; i < NSPECS; i++) {
		fprintf(out, "  %-12s", specs[i].name);
		for (size_t j = 0; j < store_rev_ncols(specs[i].kind); j++)
			fprintf(out, "%s%s", j ? "," : "", specs[i].cols[j].en);
		fprintf(out, "\n");
	}
}

int cli_import(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_OPTION_BY, CLI_OPTION_NOW, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief import"};
	int c;
	while ((c = getopt_long(argc, argv, "b:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf(
			    "usage: pvrelief import KIND FILE.csv [--by NAME] [--now TIME]\n"
			    "Imports a CSV file (UTF-8, BOM allowed) in one transaction: any bad\n"
			    "row is reported as file:line and nothing is recorded.\n");
			kinds_usage(stdout);
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	const struct import_spec *sp = optind + 2 == argc ? spec_find(argv[optind]) : NULL;
	if (!sp) {
		fprintf(stderr, "usage: pvrelief import KIND FILE.csv [--by NAME]\n");
		kinds_usage(stderr);
		return 2;
	}
	if (cli_opt_check(&o) != 0)
		return 2;
	if (!cli_config(env))
		return 1;
	size_t len = 0;
	char *data = read_file(argv[optind + 1], &len);
	if (!data) {
		fprintf(stderr, "pvrelief import: cannot read %s: %s\n", argv[optind + 1],
			strerror(errno));
		return 1;
	}
	int rc = run_import(env, sp, argv[optind + 1], data, len, cli_by(o.by), o.now);
	free(data);
	return rc;
}

/* Quotes a CSV field for the one-row file that `set` builds. */
static void put_quoted(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t need = *len + 2 * strlen(s) + 4;
	if (need > *cap) {
		*cap = need * 2;
		*buf = xrealloc(*buf, *cap);
	}
	(*buf)[(*len)++] = '"';
	for (; *s; s++) {
		if (*s == '"')
			(*buf)[(*len)++] = '"';
		(*buf)[(*len)++] = *s;
	}
	(*buf)[(*len)++] = '"';
}

int cli_set(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_OPTION_BY, CLI_OPTION_NOW, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief set"};
	int c;
	while ((c = getopt_long(argc, argv, "b:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf(
			    "usage: pvrelief set KIND [--by NAME] COLUMN=VALUE...\n"
			    "Adds or changes one row with the checks of an import; people, posts,\n"
			    "agreements and attendance may name only the key and what changes.\n"
			    "Every change is kept in the history (pvrelief history).\n");
			kinds_usage(stdout);
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	const struct import_spec *sp = optind + 1 < argc ? spec_find(argv[optind]) : NULL;
	if (!sp) {
		fprintf(stderr, "usage: pvrelief set KIND [--by NAME] COLUMN=VALUE...\n");
		kinds_usage(stderr);
		return 2;
	}
	if (cli_opt_check(&o) != 0)
		return 2;
	if (!cli_config(env))
		return 1;
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = optind + 1; i < argc; i++) {
			const char *eq = strchr(argv[i], '=');
			if (!eq) {
				fprintf(stderr, "pvrelief set: \"%s\" is not COLUMN=VALUE\n",
					argv[i]);
				free(buf);
				return 2;
			}
			if (i > optind + 1)
				buf[len++] = ',';
			char *part =
			    pass == 0 ? xstrndup(argv[i], (size_t)(eq - argv[i])) : xstrdup(eq + 1);
			put_quoted(&buf, &len, &cap, part);
			free(part);
		}
		buf[len++] = '\n';
	}
	int rc = run_import(env, sp, "command line", buf, len, cli_by(o.by), o.now);
	free(buf);
	return rc;
}

int cli_history(struct cli_env *env, int argc, char **argv)
{
	const char *table = argc > 1 ? argv[1] : NULL, *key = argc > 2 ? argv[2] : NULL;
	if (argc > 3 || (argc > 1 && strcmp(argv[1], "--help") == 0)) {
		printf("usage: pvrelief history [TABLE [KEY]]\n"
		       "Lists who changed what and when (tables: person, post, agreement, "
		       "attendance, ...).\n");
		return argc > 3 ? 2 : 0;
	}
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	struct store_rev_change *ch;
	size_t n;
	if (store_rev_history(st, table, key, &ch, &n) != 0) {
		fprintf(stderr, "pvrelief history: %s\n", store_errmsg(st));
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		char when[32];
		time_t t = (time_t)(ch[i].at_unix + env->cfg->utc_offset_s);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		printf("%s  %-10s %-6s %s %s", when, ch[i].by, ch[i].action, ch[i].table,
		       ch[i].key);
		if (ch[i].old_values[0])
			printf("  %s ->", ch[i].old_values);
		printf("  %s\n", ch[i].new_values);
	}
	store_rev_changes_free(ch, n);
	return 0;
}
