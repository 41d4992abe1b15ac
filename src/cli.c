#include "pvrelief/cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/store.h"

const struct config *cli_config(struct cli_env *env)
{
	if (env->cfg)
		return env->cfg;
	struct errlist errs = {0};
	env->cfg = config_load(env->config_path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_clear(&errs);
	return env->cfg;
}

struct store *cli_store(struct cli_env *env)
{
	if (env->store)
		return env->store;
	const struct config *cfg = cli_config(env);
	if (!cfg)
		return NULL;
	char err[512];
	env->store = store_open(cfg->database.path, 0, err, sizeof err);
	if (!env->store)
		fprintf(stderr, "%s: %s\n", env->progname, err);
	return env->store;
}

void cli_env_free(struct cli_env *env)
{
	store_close(env->store);
	config_free(env->cfg);
	env->store = NULL;
	env->cfg = NULL;
}
