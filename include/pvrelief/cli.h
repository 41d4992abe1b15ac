/* The pvrelief command-line tool: shared environment of the subcommands. Each subcommand
 * is a function cli_NAME in src/cli_NAME.c, listed in the table of src/cmd/pvrelief.c. */
#ifndef PVRELIEF_CLI_H
#define PVRELIEF_CLI_H

struct config;
struct store;

struct cli_env {
	const char *config_path;
	struct config *cfg;   /* loaded on first use by cli_config */
	struct store *store;  /* opened on first use by cli_store */
	const char *progname; /* "pvrelief" */
};

/* Returns the configuration, loading it on first use; prints every problem as file:line on
 * stderr and returns NULL when it does not load. */
const struct config *cli_config(struct cli_env *env);
/* Returns the database of the configuration, opening (and migrating) it on first use;
 * prints why and returns NULL on failure. */
struct store *cli_store(struct cli_env *env);
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

#endif
