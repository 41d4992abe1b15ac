/* pvrelief import KIND FILE and pvrelief set KIND COLUMN=VALUE...: the village accountant's
 * spreadsheets come in as CSV, all or nothing: the first bad row rolls the whole file back so
 * that a half-imported month is never allocated. `set` feeds one row through the same checks,
 * so the command line cannot record what a file could not. The rows themselves are checked
 * and recorded by the import library (import.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/import.h"
#include "pvrelief/store.h"
#include "pvrelief/store_records.h"
#include "pvrelief/xalloc.h"

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
	return import_rows(env->store, env->cfg, kind, file, data, len, by, now, e);
}

/* Runs one import over data in a transaction; prints every problem; returns an exit status. */
static int run_import(struct cli_env *env, const char *kind, const char *file, const char *data,
		      size_t len, const char *by, int64_t now)
{
	struct store *st = cli_store_create(env);
	if (!st)
		return 1;
	struct errlist e = {0};
	if (store_begin(st) != 0) {
		fprintf(stderr, "pvrelief: cannot start a transaction: %s\n", store_errmsg(st));
		return 1;
	}
	int rows = cli_import_rows(env, kind, file, data, len, by, now, &e);
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
		printf("%s: %d %s row%s recorded\n", file, rows, kind, rows == 1 ? "" : "s");
	errlist_clear(&e);
	return rows < 0 ? 1 : 0;
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
			    "Imports a CSV file (UTF-8 with or without BOM, or GB18030/GBK as "
			    "Excel\n"
			    "and WPS save it) in one transaction: any bad row is reported as\n"
			    "file:line and nothing is recorded. KIND may be singular or plural,\n"
			    "English or Chinese (settlement, settlements, 结算 ...).\n");
			import_kinds_usage(stdout);
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	const char *kind = optind + 2 == argc ? import_kind(argv[optind]) : NULL;
	if (!kind) {
		fprintf(stderr, "usage: pvrelief import KIND FILE.csv [--by NAME]\n");
		import_kinds_usage(stderr);
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
	size_t ulen = 0;
	char *text = NULL;
	enum csv_encoding enc;
	int bad_line = 0;
	if (csv_decode(data, len, &text, &ulen, &enc, &bad_line) != 0) {
		fprintf(
		    stderr,
		    "%s:%d: the file is neither UTF-8 nor GB18030 (GBK); the encoding is the "
		    "problem, not the figures: save it again from Excel or WPS as \"CSV UTF-8\" "
		    "or as plain CSV\n%s: nothing was imported\n",
		    argv[optind + 1], bad_line, argv[optind + 1]);
		free(data);
		return 1;
	}
	free(data);
	printf("%s: read as %s\n", argv[optind + 1], csv_encoding_name(enc));
	int rc = run_import(env, kind, argv[optind + 1], text, ulen, cli_by(o.by), o.now);
	free(text);
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
			import_kinds_usage(stdout);
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	const char *kind = optind + 1 < argc ? import_kind(argv[optind]) : NULL;
	if (!kind) {
		fprintf(stderr, "usage: pvrelief set KIND [--by NAME] COLUMN=VALUE...\n");
		import_kinds_usage(stderr);
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
	int rc = run_import(env, kind, "command line", buf, len, cli_by(o.by), o.now);
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
