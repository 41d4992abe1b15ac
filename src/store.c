/* The store's connection, lock, migrations and transactions. */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>

#include "pvrelief/log.h"
#include "pvrelief/xalloc.h"

/* Only one daemon may write a database: a second one would double-count energy and send
 * every alert twice. flock on a side file is used because SQLite's own POSIX locks on the
 * database file would be released by any close() of another descriptor in the process. */
static int take_lock(struct store *st, char *err, size_t errlen)
{
	char *lockpath = xasprintf("%s.lock", st->path);
	int fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create lock file %s: %s", lockpath, strerror(errno));
		free(lockpath);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(err, errlen,
			 "database %s is in use by another pvreliefd (pid %s, lock %s); "
			 "only one daemon may run on a database",
			 st->path, pid[0] ? pid : "unknown", lockpath);
		close(fd);
		free(lockpath);
		return -1;
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("database %s: cannot write pid to lock file %s", st->path, lockpath);
	free(lockpath);
	st->lock_fd = fd;
	return 0;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	for (int i = 0; i < st->n_stmts; i++)
		if (st->stmt_sql[i] == sql) {
			sqlite3_reset(st->stmt[i]);
			sqlite3_clear_bindings(st->stmt[i]);
			return st->stmt[i];
		}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		log_err("database %s: cannot prepare statement: %s", st->path,
			sqlite3_errmsg(st->db));
		return NULL;
	}
	if (st->n_stmts < STORE_MAX_STMTS) {
		st->stmt_sql[st->n_stmts] = sql;
		st->stmt[st->n_stmts++] = s;
	} else {
		/* A programming bug: raise STORE_MAX_STMTS. */
		abort();
	}
	return s;
}

int store_row(struct store *st, sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(q);
		return 0;
	}
	log_err("database %s: reading rows of \"%.60s...\": %s", st->path, sqlite3_sql(q),
		sqlite3_errmsg(st->db));
	sqlite3_reset(q);
	return -1;
}

void store_rows_stop(sqlite3_stmt *q)
{
	sqlite3_reset(q);
}

int store_exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("database %s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int migrate(struct store *st, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	/* A version that cannot be read is not 0: that would run every migration again. */
	int vrc = store_row(st, s);
	st->version = vrc > 0 ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (vrc < 0)
		goto fail;
	if (st->version > store_n_migrations) {
		snprintf(err, errlen,
			 "database %s has schema version %d, newer than this pvrelief knows (%d); "
			 "use a newer pvrelief",
			 st->path, st->version, store_n_migrations);
		return -1;
	}
	while (st->version < store_n_migrations) {
		char pragma[48];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", st->version + 1);
		/* Each migration and its version bump commit together, so a crash leaves the
		 * database at one version or the next, never between. */
		if (store_exec(st, "BEGIN IMMEDIATE") != 0)
			goto fail;
		if (store_exec(st, store_migrations[st->version]) != 0 ||
		    store_exec(st, pragma) != 0 || store_exec(st, "COMMIT") != 0) {
			store_exec(st, "ROLLBACK");
			goto fail;
		}
		st->version++;
		log_info("database %s: migrated to schema version %d", st->path, st->version);
	}
	return 0;
fail:
	snprintf(err, errlen, "database %s: cannot migrate schema: %s", st->path,
		 sqlite3_errmsg(st->db));
	return -1;
}

/* Waiting for another connection's write lock: SQLite's own handler sleeps up to 100 ms
 * between tries, and a writer that commits batch after batch (the poller's, catching up) frees
 * the lock only for moments, which such long sleeps keep missing. Trying every 2 ms finds
 * those moments; the poller's writer leaves one after each batch. */
#define STORE_BUSY_TRY_MS 2
#define STORE_BUSY_TIMEOUT_MS 10000

static int busy_wait(void *arg, int tries)
{
	(void)arg;
	if ((long)tries * STORE_BUSY_TRY_MS >= STORE_BUSY_TIMEOUT_MS)
		return 0;
	struct timespec ts = {0, STORE_BUSY_TRY_MS * 1000000L};
	nanosleep(&ts, NULL);
	return 1;
}

struct store *store_open(const char *path, int flags, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->lock_fd = -1;
	if ((flags & STORE_LOCK) && take_lock(st, err, errlen) != 0)
		goto fail;
	int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
					      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	oflags |= (flags & STORE_ONE_THREAD) ? SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_FULLMUTEX;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_handler(st->db, busy_wait, NULL);
	sqlite3_extended_result_codes(st->db, 1);
	if (!(flags & STORE_READONLY)) {
		/* WAL lets reports read while the daemon writes; NORMAL sync in WAL mode loses
		 * at most the last transactions on power loss, never consistency. */
		if (store_exec(st, "PRAGMA journal_mode = WAL") != 0 ||
		    store_exec(st, "PRAGMA synchronous = NORMAL") != 0 ||
		    store_exec(st, "PRAGMA foreign_keys = ON") != 0) {
			snprintf(err, errlen, "cannot set up database %s: %s", path,
				 sqlite3_errmsg(st->db));
			goto fail;
		}
		if (migrate(st, err, errlen) != 0)
			goto fail;
	}
	return st;
fail:
	store_close(st);
	return NULL;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < st->n_stmts; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db)
		sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st->path);
	free(st);
}

int store_set_max_size(struct store *st, int max_size_mb)
{
	sqlite3_stmt *s;
	long long page_size = 4096, pages = 4294967294LL; /* SQLite's own upper bound */
	if (sqlite3_prepare_v2(st->db, "PRAGMA page_size", -1, &s, NULL) == SQLITE_OK) {
		if (store_row(st, s) > 0 && sqlite3_column_int64(s, 0) > 0)
			page_size = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	if (max_size_mb > 0)
		pages = (long long)max_size_mb * 1048576 / page_size;
	/* max_page_count belongs to the connection, so every connection sets it. SQLite
	 * never sets it below the current size: a database already larger stays usable for
	 * reading and for writes that reuse free pages. */
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages);
	return store_exec(st, sql);
}

int store_schema_version(const struct store *st)
{
	return st->version;
}

/* A cached SELECT left after its first row keeps a read snapshot open on the connection;
 * a write transaction begun on top of a stale snapshot fails at once with SQLITE_BUSY (the
 * busy handler is not consulted for that). Every statement is reset before beginning. */
static void reset_all(struct store *st)
{
	for (int i = 0; i < st->n_stmts; i++)
		sqlite3_reset(st->stmt[i]);
}

void store_stmt_release(struct store *st)
{
	reset_all(st);
}

int store_begin(struct store *st)
{
	reset_all(st);
	if (store_exec(st, "BEGIN IMMEDIATE") != 0)
		return -1;
	st->in_tx = 1;
	return 0;
}

int store_commit(struct store *st)
{
	if (store_exec(st, "COMMIT") != 0) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = 0;
	return 0;
}

void store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db) == 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

const char *store_errmsg(const struct store *st)
{
	return sqlite3_errmsg(st->db);
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
	static const char sql[] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
				  "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

int store_meta_get(struct store *st, const char *key, char *buf, size_t len)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = ?1";
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = store_row(st, s);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
	store_rows_stop(s);
	return 0;
}

int store_integrity_check(struct store *st, char *why, size_t len)
{
	sqlite3_stmt *s;
	int ok = -1;
	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK) {
		snprintf(why, len, "%s", sqlite3_errmsg(st->db));
		return -1;
	}
	int rc = store_row(st, s);
	if (rc > 0) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		snprintf(why, len, "%s", r ? r : "");
		ok = r && strcmp(r, "ok") == 0 ? 0 : -1;
	} else {
		snprintf(why, len, "%s", rc < 0 ? sqlite3_errmsg(st->db) : "no answer");
	}
	sqlite3_finalize(s);
	return ok;
}

void store_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int store_exists2(struct store *st, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
	int rc = store_row(st, s);
	if (rc > 0)
		store_rows_stop(s);
	return rc;
}

char *store_col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return xstrdup(t ? (const char *)t : "");
}

void store_col_copy(sqlite3_stmt *s, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(buf, len, "%s", t ? (const char *)t : "");
}

double store_col_num(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}
