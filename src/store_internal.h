/* Shared by the store_*.c files only: the connection and statement helpers. */
#ifndef PVRELIEF_STORE_INTERNAL_H
#define PVRELIEF_STORE_INTERNAL_H

#include <sqlite3.h>

#include "pvrelief/store.h"

enum { STORE_MAX_STMTS = 192 };

struct store {
	sqlite3 *db;
	char *path;
	int lock_fd;
	int version;
	int in_tx;
	/* Prepared once and reused: statements are looked up by the address of their SQL text. */
	const char *stmt_sql[STORE_MAX_STMTS];
	sqlite3_stmt *stmt[STORE_MAX_STMTS];
	int n_stmts;
};

/* Returns a reset prepared statement for sql (a string literal, cached by address); NULL
 * on error (logged). */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/* The one way a reader walks its rows: steps q and returns 1 with a row, 0 after the last one
 * (q reset), or -1 on an SQLite error (logged with the statement's text, q reset), so that an
 * error in the middle of a row loop is the reader's error, never a short result. A loop that
 * stops early (its buffer full) calls store_rows_stop. */
int store_row(struct store *st, sqlite3_stmt *q);
/* Ends a row loop before its last row: resets q, releasing its read snapshot. */
void store_rows_stop(sqlite3_stmt *q);
/* Resets every cached statement, ending the read snapshot an unfinished SELECT holds. */
void store_stmt_release(struct store *st);
/* Runs SQL without results; returns 0 or -1 (logged). */
int store_exec(struct store *st, const char *sql);

/* Binds text v to parameter i of s, or NULL when v is NULL. */
void store_bind_text_or_null(sqlite3_stmt *s, int i, const char *v);
/* Returns 1 when the query with text parameters a and b (b may be NULL: not bound) has a row,
 * 0 when not, -1 on error. */
int store_exists2(struct store *st, const char *sql, const char *a, const char *b);
/* Returns a new copy of column i's text ("" for NULL); the caller frees it. */
char *store_col_dup(sqlite3_stmt *s, int i);
/* Copies column i's text ("" for NULL) into buf, truncated to len. */
void store_col_copy(sqlite3_stmt *s, int i, char *buf, size_t len);
/* Returns column i as a number, NAN for NULL (a figure that has no value). */
double store_col_num(sqlite3_stmt *s, int i);

struct store_alert;
/* The columns of an alert as every alert reader selects them, in the order store_alert_row
 * reads them. */
#define STORE_ALERT_COLS                                                                           \
	"id, kind, severity, station, device, raised_at, coalesce(cleared_at, 0), title, detail, " \
	"figures, coalesce(ack_by, ''), coalesce(ack_at, 0), suppressed"
/* Fills *a from the current row of a statement that selects STORE_ALERT_COLS first. */
void store_alert_row(sqlite3_stmt *q, struct store_alert *a);

/* The schema migrations, in order; migration i brings the schema to version i + 1. */
extern const char *const store_migrations[];
extern const int store_n_migrations;

struct store_eff_day;
/* The loss attribution's columns of station_eff_day, in the order store_eff_day_loss_cols
 * reads them. */
#define STORE_EFF_DAY_LOSS_COLS                                                                    \
	"loss_exp_wh, loss_act_wh, loss_ref_eta, loss_ref_from_k, loss_comm_wh, loss_down_wh, "    \
	"loss_fault_wh, loss_curtail_wh, loss_lowperf_wh, loss_comm_h, loss_down_h, "              \
	"loss_fault_h, loss_curtail_h"
/* Sets d's loss attribution (has_loss and loss) from the columns STORE_EFF_DAY_LOSS_COLS of
 * row q from col on. */
void store_eff_day_loss_cols(sqlite3_stmt *q, int col, struct store_eff_day *d);

#endif
