/* The pvrelief command-line tool: shared environment of the subcommands. Each subcommand
 * is a function cli_NAME in src/cli_NAME.c, listed in the table of src/cmd/pvrelief.c. */
#ifndef PVRELIEF_CLI_H
#define PVRELIEF_CLI_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct config_station;
struct store;
struct report;
struct errlist;

struct cli_env {
	const char *config_path;
	struct config *cfg;   /* loaded on first use by cli_config */
	struct store *store;  /* opened on first use by cli_store */
	const char *progname; /* "pvrelief" */
	int default_config;   /* config_path is the default, not given with -c */
};

/* Returns the configuration, loading it on first use; prints every problem as file:line on
 * stderr and returns NULL when it does not load. */
const struct config *cli_config(struct cli_env *env);
/* Returns the database of the configuration, opening (and migrating) it on first use; a
 * missing database is not created (a command that reads must not leave an empty one behind):
 * prints where it looked, or why it does not open, and returns NULL. */
struct store *cli_store(struct cli_env *env);
/* Likewise, but creates the database when it is missing: for commands that record something. */
struct store *cli_store_create(struct cli_env *env);
/* Returns the time now for a command without --now: PVRELIEF_NOW when set, else the clock
 * the daemon recorded in the database (a simulated one runs on from it), else the real one. */
int64_t cli_time(struct cli_env *env);
/* Returns the time a command acts at: text ("YYYY-MM-DD HH:MM:SS+08:00"), else the
 * PVRELIEF_NOW environment variable, else the real clock; -1 when the text does not parse. */
int64_t cli_now(const char *text);
/* Returns who acts: by when given, else $USER, else "unknown" (static or borrowed). */
const char *cli_by(const char *by);
struct revenue_policy;
/* Fills the allocation policy from the configuration's revenue section. */
void cli_revenue_policy(const struct config *cfg, struct revenue_policy *p);
/* A village's share in a station: the station's index and the share's index in it. */
struct cli_holding {
	size_t station, share;
};
/* For each village, the stations it owns a share of, built once so that a county of
 * thousands of stations is not scanned once per village. */
struct cli_holdings {
	struct cli_holding **of; /* of[village][0..n[village]) */
	size_t *n;
	size_t nvillages;
};
/* Builds the holdings of every village of cfg into h; free with cli_holdings_free. */
void cli_holdings_build(const struct config *cfg, struct cli_holdings *h);
/* Frees what cli_holdings_build made. */
void cli_holdings_free(struct cli_holdings *h);
/* Returns share k's part of a station's amount, split by the station's parts with the
 * allocation's largest-remainder rule (so the shares of all owners add up to the amount). */
int64_t cli_share(const struct config_station *s, size_t k, int64_t amount_fen);
/* Returns the index of the village with this id, or -1. */
long cli_village_index(const struct config *cfg, const char *id);
/* Gathers a month's report from the store: all villages, or only village index
 * only_village (>= 0) with the stations it owns a share of; NULL on a database error
 * (printed). The caller frees with report_free. */
struct report *cli_report_load(struct store *st, const struct config *cfg, const char *month,
			       long only_village, int public_notice, int64_t now);
/* Parses a whole number within [min, max] for an option; prints "pvrelief: OPTION needs ..."
 * and returns -1 when text is not one. */
int cli_parse_long(const char *option, const char *text, long min, long max, long *out);
/* Parses a number within [min, max] for an option, likewise. */
int cli_parse_double(const char *option, const char *text, double min, double max, double *out);
/* Prints s padded with spaces to width terminal columns (CJK characters count two), for the
 * aligned tables of the CLI; nothing is added when s is as wide or wider. */
void cli_cell(const char *s, size_t width);
/* Checks and records the rows of a CSV file of kind ("people", "settlements", ...; see
 * `pvrelief import --help`) held in data[0..len) (file names it in messages) inside the
 * caller's transaction on env->store, with env->cfg loaded (cli_store). Appends every problem
 * to e as file:line. Returns the number of rows recorded, or -1 when anything was wrong (the
 * caller then rolls back, so that a file is imported whole or not at all). */
int cli_import_rows(struct cli_env *env, const char *kind, const char *file, const char *data,
		    size_t len, const char *by, int64_t now, struct errlist *e);
/* The options most commands share. Each command lists the ones it takes in its getopt table
 * (CLI_OPTION_* below), passes every option it does not handle itself to cli_opt, and calls
 * cli_opt_check once getopt is done. The short letters are fixed: -m month, -s station,
 * -v village, -f format, -b by, -n or -t the time (--now, --at); a command that gives one
 * of these letters another meaning handles it before calling cli_opt. */
struct cli_opts {
	const char *cmd;      /* "pvrelief allocate", the prefix of every message */
	struct cli_env *env;  /* for the daemon's clock when no time is given; NULL: real */
	const char *formats;  /* the --format words this command knows, "table|json"; NULL none */
	unsigned need;	      /* CLI_NEED_* of the options the command cannot do without */
	const char *month;    /* --month YYYY-MM, or NULL */
	const char *station;  /* --station ID, or NULL */
	const char *village;  /* --village ID, or NULL */
	const char *format;   /* --format WORD, or NULL */
	const char *by;	      /* --by NAME, or NULL */
	const char *now_text; /* --now or --at TIME, or NULL */
	int64_t now;	      /* set by cli_opt_check: the time the command acts at (cli_now) */
	int format_index;     /* set by cli_opt_check: index of format in formats, or -1 */
};
enum { CLI_NEED_MONTH = 1, CLI_NEED_FORMAT = 2, CLI_NEED_STATION = 4, CLI_NEED_BY = 8 };
#define CLI_OPTION_MONTH                                                                           \
	{                                                                                          \
		"month", required_argument, NULL, 'm'                                              \
	}
#define CLI_OPTION_STATION                                                                         \
	{                                                                                          \
		"station", required_argument, NULL, 's'                                            \
	}
#define CLI_OPTION_VILLAGE                                                                         \
	{                                                                                          \
		"village", required_argument, NULL, 'v'                                            \
	}
#define CLI_OPTION_FORMAT                                                                          \
	{                                                                                          \
		"format", required_argument, NULL, 'f'                                             \
	}
#define CLI_OPTION_BY                                                                              \
	{                                                                                          \
		"by", required_argument, NULL, 'b'                                                 \
	}
#define CLI_OPTION_NOW                                                                             \
	{                                                                                          \
		"now", required_argument, NULL, 'n'                                                \
	}
#define CLI_OPTION_AT                                                                              \
	{                                                                                          \
		"at", required_argument, NULL, 't'                                                 \
	}
/* Records getopt's answer c (with its argument arg) in o when it is a shared option;
 * returns 1 when it was, 0 when the command must treat c itself (an unknown option). */
int cli_opt(struct cli_opts *o, int c, const char *arg);
/* Checks the shared options once all are read: the required ones are there, the month is
 * YYYY-MM, the format is one of o->formats, the time reads (o->now, o->format_index; without
 * one, cli_time of o->env).
 * Prints what is wrong as "CMD: sentence" and returns 2 (the usage-error status), else 0. */
int cli_opt_check(struct cli_opts *o);
/* Returns the configured station with this id, loading the configuration; prints
 * "CMD: no station ..." (or why the configuration does not load) and returns NULL. */
const struct config_station *cli_station(struct cli_env *env, const char *cmd, const char *id);
/* Returns the index of the configured village with this id; prints "CMD: unknown village ..."
 * (or why the configuration does not load) and returns -1. */
long cli_village(struct cli_env *env, const char *cmd, const char *id);
/* Releases what the environment loaded. */
void cli_env_free(struct cli_env *env);

/* A subcommand: argv[0] is the subcommand's name; returns the exit status (0 ok, 1 failure,
 * 2 usage error). */
typedef int (*cli_fn)(struct cli_env *env, int argc, char **argv);

/* The subcommands (each in src/cli_NAME.c). */
/* pvrelief scan HOST:PORT: discovers SunSpec devices or a matching vendor map. */
int cli_scan(struct cli_env *env, int argc, char **argv);
/* pvrelief webhook-test: sends a test alert to the configured chat groups and endpoints. */
int cli_webhook_test(struct cli_env *env, int argc, char **argv);
/* pvrelief weather STATION: shows the weather service's irradiance for a station. */
int cli_weather(struct cli_env *env, int argc, char **argv);
/* pvrelief import KIND FILE: imports a CSV file all or nothing. */
int cli_import(struct cli_env *env, int argc, char **argv);
/* pvrelief set KIND COLUMN=VALUE...: adds or changes one row, with history. */
int cli_set(struct cli_env *env, int argc, char **argv);
/* pvrelief history [TABLE [KEY]]: who changed what, when. */
int cli_history(struct cli_env *env, int argc, char **argv);
/* pvrelief correct: reverses a wrong money row with ledger entries (cli_correct.c). */
int cli_correct(struct cli_env *env, int argc, char **argv);
/* pvrelief allocate --month M [--village V]: allocates a month into draft plans. */
int cli_allocate(struct cli_env *env, int argc, char **argv);
/* pvrelief plan STEP --month M [--village V]: moves plans through the approval workflow. */
int cli_plan(struct cli_env *env, int argc, char **argv);
/* pvrelief ledger verify|list|export: checks and exports the money ledger. */
int cli_ledger(struct cli_env *env, int argc, char **argv);
/* pvrelief report --month M --format F --out FILE: renders the distribution report. */
int cli_report(struct cli_env *env, int argc, char **argv);
/* pvrelief health [--month M | --day D]: the county table of efficiency and KPIs. */
int cli_health(struct cli_env *env, int argc, char **argv);
/* pvrelief alerts [--active] ... | alerts ack ID --by NAME: lists and acknowledges alerts. */
int cli_alerts(struct cli_env *env, int argc, char **argv);
/* pvrelief maintenance log|list: the operation and maintenance ledger. */
int cli_maintenance(struct cli_env *env, int argc, char **argv);

#endif
