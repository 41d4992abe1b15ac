/* Posted public notices: stored once, read back byte for byte. */
#include "pvrelief/store_notice.h"

#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"
#include "store_internal.h"

int store_notice_put(struct store *st, const struct store_notice *n)
{
	static const char sql[] = "INSERT INTO notice (village, month, format, issued_at, sha256, "
				  "ledger_seq, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *s = store_stmt(st, sql);
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

int store_notice_get(struct store *st, const char *village, const char *month, const char *format,
		     struct store_notice *out)
{
	static const char sql[] =
	    "SELECT village, month, format, issued_at, sha256, ledger_seq, "
	    "body FROM notice WHERE village = ?1 AND month = ?2 AND format = ?3";
	sqlite3_stmt *s = store_stmt(st, sql);
	memset(out, 0, sizeof *out);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, village, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, format, -1, SQLITE_TRANSIENT);
	int rc = store_row(st, s);
	if (rc == 0)
		return 1;
	if (rc < 0)
		return -1;
	row_to_notice(s, out);
	store_rows_stop(s);
	return 0;
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
	static const char sql[] = "SELECT village, month, format, issued_at, sha256, ledger_seq, "
				  "body FROM notice ORDER BY village, month, format";
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc;
	if (!s)
		return -1;
	while ((rc = store_row(st, s)) > 0) {
		struct store_notice n;
		row_to_notice(s, &n);
		int r = fn(&n, arg);
		free(n.body);
		if (r != 0) {
			store_rows_stop(s);
			return r;
		}
	}
	return rc < 0 ? -1 : 0;
}

int store_town_notice_put(struct store *st, const struct store_notice *n)
{
	static const char sql[] = "INSERT INTO town_notice (town, month, format, issued_at, "
				  "sha256, ledger_seq, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *s = store_stmt(st, sql);
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

int store_town_notice_get(struct store *st, const char *town, const char *month, const char *format,
			  struct store_notice *out)
{
	static const char sql[] =
	    "SELECT town, month, format, issued_at, sha256, ledger_seq, "
	    "body FROM town_notice WHERE town = ?1 AND month = ?2 AND format = ?3";
	sqlite3_stmt *s = store_stmt(st, sql);
	memset(out, 0, sizeof *out);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, town, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, format, -1, SQLITE_TRANSIENT);
	int rc = store_row(st, s);
	if (rc <= 0)
		return rc == 0 ? 1 : -1;
	row_to_notice(s, out);
	store_rows_stop(s);
	return 0;
}

int store_town_notice_each(struct store *st, int (*fn)(const struct store_notice *n, void *arg),
			   void *arg)
{
	static const char sql[] = "SELECT town, month, format, issued_at, sha256, ledger_seq, "
				  "body FROM town_notice ORDER BY town, month, format";
	sqlite3_stmt *s = store_stmt(st, sql);
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
