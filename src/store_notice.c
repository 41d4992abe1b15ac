/* Posted public notices: stored once, read back byte for byte. */
#include "pvrelief/store_notice.h"

#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"
#include "store_internal.h"

/* A village's notices are in notice, keyed by village; a town's in town_notice, keyed by
 * town; both hold the same columns, and struct store_notice carries the key in .village. */
enum notice_table { NOTICE_VILLAGE, NOTICE_TOWN };

static const char *const put_sql[] = {
    "INSERT INTO notice (village, month, format, issued_at, sha256, ledger_seq, body) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT INTO town_notice (town, month, format, issued_at, sha256, ledger_seq, body) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
};
static const char *const get_sql[] = {
    "SELECT village, month, format, issued_at, sha256, ledger_seq, body FROM notice "
    "WHERE village = ?1 AND month = ?2 AND format = ?3",
    "SELECT town, month, format, issued_at, sha256, ledger_seq, body FROM town_notice "
    "WHERE town = ?1 AND month = ?2 AND format = ?3",
};
static const char *const each_sql[] = {
    "SELECT village, month, format, issued_at, sha256, ledger_seq, body FROM notice "
    "ORDER BY village, month, format",
    "SELECT town, month, format, issued_at, sha256, ledger_seq, body FROM town_notice "
    "ORDER BY town, month, format",
};

static int put(struct store *st, enum notice_table t, const struct store_notice *n)
{
	sqlite3_stmt *s = store_stmt(st, put_sql[t]);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, n->village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, n->month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, n->format, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, n->issued_at_unix);
	sqlite3_bind_text(s, 5, n->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, n->ledger_seq);
	sqlite3_bind_blob64(s, 7, n->body, (sqlite3_uint64)n->len, SQLITE_TRANSIENT);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static void row_to_notice(sqlite3_stmt *s, struct store_notice *out)
{
	memset(out, 0, sizeof *out);
	store_col_copy(s, 0, out->village, sizeof out->village);
	store_col_copy(s, 1, out->month, sizeof out->month);
	store_col_copy(s, 2, out->format, sizeof out->format);
	out->issued_at_unix = sqlite3_column_int64(s, 3);
	store_col_copy(s, 4, out->sha256, sizeof out->sha256);
	out->ledger_seq = sqlite3_column_int64(s, 5);
	const void *body = sqlite3_column_blob(s, 6);
	out->len = (size_t)sqlite3_column_bytes(s, 6);
	/* One byte more, always a NUL, so that a text notice can be used as a string. */
	out->body = xmalloc(out->len + 1);
	if (out->len)
		memcpy(out->body, body, out->len);
	out->body[out->len] = '\0';
}

/* 0 with *out filled (free its body), 1 when there is none, -1 on error. */
static int get(struct store *st, enum notice_table t, const char *key, const char *month,
	       const char *format, struct store_notice *out)
{
	sqlite3_stmt *s = store_stmt(st, get_sql[t]);
	memset(out, 0, sizeof *out);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, format, -1, SQLITE_TRANSIENT);
	int rc = store_row(st, s);
	if (rc <= 0)
		return rc == 0 ? 1 : -1;
	row_to_notice(s, out);
	store_rows_stop(s);
	return 0;
}

static int each(struct store *st, enum notice_table t,
		int (*fn)(const struct store_notice *n, void *arg), void *arg)
{
	sqlite3_stmt *s = store_stmt(st, each_sql[t]);
	int rc;
	if (!s)
		return -1;
	while ((rc = store_row(st, s)) == 1) {
		struct store_notice n;
		row_to_notice(s, &n);
		int r = fn(&n, arg);
		free(n.body);
		if (r != 0) {
			store_rows_stop(s);
			return r;
		}
	}
	return rc;
}

int store_notice_put(struct store *st, const struct store_notice *n)
{
	return put(st, NOTICE_VILLAGE, n);
}

int store_notice_get(struct store *st, const char *village, const char *month, const char *format,
		     struct store_notice *out)
{
	return get(st, NOTICE_VILLAGE, village, month, format, out);
}

int store_notice_months(struct store *st, const char *village, const char *month, char (*months)[8],
			int max)
{
	static const char sql[] = "SELECT DISTINCT month FROM notice WHERE village = ?1 AND "
				  "month < ?2 ORDER BY month";
	sqlite3_stmt *s = store_stmt(st, sql);
	int n = 0, rc;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	rc = 0;
	while (n < max && (rc = store_row(st, s)) > 0)
		store_col_copy(s, 0, months[n++], 8);
	if (rc > 0)
		store_rows_stop(s);
	return rc < 0 ? -1 : n;
}

int store_notice_each(struct store *st, int (*fn)(const struct store_notice *n, void *arg),
		      void *arg)
{
	return each(st, NOTICE_VILLAGE, fn, arg);
}

int store_town_notice_put(struct store *st, const struct store_notice *n)
{
	return put(st, NOTICE_TOWN, n);
}

int store_town_notice_get(struct store *st, const char *town, const char *month, const char *format,
			  struct store_notice *out)
{
	return get(st, NOTICE_TOWN, town, month, format, out);
}

int store_town_notice_each(struct store *st, int (*fn)(const struct store_notice *n, void *arg),
			   void *arg)
{
	return each(st, NOTICE_TOWN, fn, arg);
}
