#include "pvrelief/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/health.h"
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

int cli_parse_long(const char *option, const char *text, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max) {
		fprintf(stderr, "pvrelief: %s needs a whole number from %ld to %ld, not \"%s\"\n",
			option, min, max, text);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_double(const char *option, const char *text, double min, double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || *end || !(v >= min && v <= max)) {
		fprintf(stderr, "pvrelief: %s needs a number from %g to %g, not \"%s\"\n", option,
			min, max, text);
		return -1;
	}
	*out = v;
	return 0;
}

void cli_cell(const char *s, size_t width)
{
	size_t w = health_display_width(s);
	printf("%s%*s", s, (int)(w < width ? width - w : 0), "");
}
