#include "pvrelief/cli.h"

#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/errlist.h"
#include "pvrelief/health.h"
#include "pvrelief/revenue.h"
#include "pvrelief/store.h"
#include "pvrelief/xalloc.h"

const struct config *cli_config(struct cli_env *env)
{
	if (env->cfg)
		return env->cfg;
	struct errlist errs = {0};
	int missing = access(env->config_path, F_OK) != 0 && errno == ENOENT;
	env->cfg = config_load(env->config_path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_clear(&errs);
	if (!env->cfg && missing && env->default_config)
		fprintf(stderr,
			"%s: %s is the default configuration; use -c FILE to name another (the "
			"demo's is conf/demo.conf)\n",
			env->progname, env->config_path);
	return env->cfg;
}

/* Opens the database on first use; create says whether a missing file may be created. */
static struct store *open_store(struct cli_env *env, int create)
{
	if (env->store)
		return env->store;
	const struct config *cfg = cli_config(env);
	if (!cfg)
		return NULL;
	if (!create && access(cfg->database.path, F_OK) != 0) {
		fprintf(stderr,
			"%s: no database at %s (database.path in %s): the daemon creates it when "
			"it first runs\n",
			env->progname, cfg->database.path, env->config_path);
		return NULL;
	}
	char err[512];
	env->store = store_open(cfg->database.path, 0, err, sizeof err);
	if (!env->store)
		fprintf(stderr, "%s: %s\n", env->progname, err);
	return env->store;
}

struct store *cli_store(struct cli_env *env)
{
	return open_store(env, 0);
}

struct store *cli_store_create(struct cli_env *env)
{
	return open_store(env, 1);
}

int64_t cli_time(struct cli_env *env)
{
	const char *text = getenv("PVRELIEF_NOW");
	if (text)
		return cli_now(text);
	/* The clock the daemon recorded: its reading, the wall time of that reading and its
	 * rate, so that a simulated clock is followed as it runs on; rate 0 when a simulated
	 * clock stopped with the daemon. */
	const struct config *cfg = env->store ? env->cfg : NULL;
	if (!cfg && (cfg = cli_config(env)) && access(cfg->database.path, F_OK) == 0)
		cli_store(env);
	char buf[96];
	double clk, wall, rate;
	if (env->store && store_meta_get(env->store, "clock", buf, sizeof buf) == 0 &&
	    sscanf(buf, "%lf %lf %lf", &clk, &wall, &rate) == 3 && rate >= 0)
		return (int64_t)floor(clk + ((double)time(NULL) - wall) * rate);
	return (int64_t)time(NULL);
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

int64_t cli_now(const char *text)
{
	double t;
	if (!text)
		text = getenv("PVRELIEF_NOW");
	if (!text)
		return (int64_t)time(NULL);
	if (config_parse_time(text, &t) != 0)
		return -1;
	return (int64_t)t;
}

const char *cli_by(const char *by)
{
	if (by && *by)
		return by;
	const char *u = getenv("USER");
	return u && *u ? u : "unknown";
}

void cli_holdings_build(const struct config *cfg, struct cli_holdings *h)
{
	h->nvillages = cfg->n_villages;
	h->of = xcalloc(cfg->n_villages ? cfg->n_villages : 1, sizeof *h->of);
	h->n = xcalloc(cfg->n_villages ? cfg->n_villages : 1, sizeof *h->n);
	for (size_t s = 0; s < cfg->n_stations; s++)
		for (size_t k = 0; k < cfg->stations[s].n_shares; k++) {
			size_t v = cfg->stations[s].shares[k].village;
			h->of[v] = xrealloc(h->of[v], (h->n[v] + 1) * sizeof *h->of[v]);
			h->of[v][h->n[v]++] = (struct cli_holding){s, k};
		}
}

void cli_holdings_free(struct cli_holdings *h)
{
	for (size_t v = 0; v < h->nvillages; v++)
		free(h->of[v]);
	free(h->of);
	free(h->n);
	memset(h, 0, sizeof *h);
}

int64_t cli_share(const struct config_station *s, size_t k, int64_t amount_fen)
{
	uint32_t parts[64];
	int64_t out[64];
	size_t n = s->n_shares < 64 ? s->n_shares : 64;
	if (n == 1)
		return amount_fen;
	for (size_t i = 0; i < n; i++)
		parts[i] = s->shares[i].parts;
	return k < n && revenue_split(amount_fen, parts, n, out) == 0 ? out[k] : 0;
}

long cli_village_index(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->n_villages; i++)
		if (strcmp(cfg->villages[i].id, id) == 0)
			return (long)i;
	return -1;
}

int cli_opt(struct cli_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'm':
		o->month = arg;
		return 1;
	case 's':
		o->station = arg;
		return 1;
	case 'v':
		o->village = arg;
		return 1;
	case 'f':
		o->format = arg;
		return 1;
	case 'b':
		o->by = arg;
		return 1;
	case 'n':
	case 't':
		o->now_text = arg;
		return 1;
	default:
		return 0;
	}
}

/* Returns the index of word in the list "a|b|c", or -1. */
static int word_index(const char *list, const char *word)
{
	size_t len = strlen(word);
	int i = 0;
	for (const char *p = list; *p; i++) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && strncmp(p, word, n) == 0)
			return i;
		if (!bar)
			break;
		p = bar + 1;
	}
	return -1;
}

int cli_opt_check(struct cli_opts *o)
{
	int y, m;
	if ((o->need & CLI_NEED_MONTH) && !o->month) {
		fprintf(stderr, "%s: say which month with --month YYYY-MM\n", o->cmd);
		return 2;
	}
	if (o->month && (strlen(o->month) != 7 || csv_parse_month(o->month, &y, &m) != 0)) {
		fprintf(stderr, "%s: --month \"%s\" is not a month YYYY-MM\n", o->cmd, o->month);
		return 2;
	}
	o->format_index = -1;
	if ((o->need & CLI_NEED_FORMAT) && !o->format) {
		fprintf(stderr, "%s: say which format with --format %s\n", o->cmd, o->formats);
		return 2;
	}
	if (o->format &&
	    (!o->formats || (o->format_index = word_index(o->formats, o->format)) < 0)) {
		fprintf(stderr, "%s: --format is %s, not \"%s\"\n", o->cmd,
			o->formats ? o->formats : "not an option here", o->format);
		return 2;
	}
	if ((o->need & CLI_NEED_STATION) && !o->station) {
		fprintf(stderr, "%s: say which station with --station ID\n", o->cmd);
		return 2;
	}
	if ((o->need & CLI_NEED_BY) && !(o->by && *o->by)) {
		fprintf(stderr, "%s: say who did the work with --by NAME\n", o->cmd);
		return 2;
	}
	o->now = o->now_text || !o->env ? cli_now(o->now_text) : cli_time(o->env);
	if (o->now < 0) {
		fprintf(stderr,
			"%s: cannot read the time \"%s\": write it as "
			"\"YYYY-MM-DD HH:MM:SS+08:00\"\n",
			o->cmd, o->now_text ? o->now_text : getenv("PVRELIEF_NOW"));
		return 2;
	}
	return 0;
}

const struct config_station *cli_station(struct cli_env *env, const char *cmd, const char *id)
{
	const struct config *cfg = cli_config(env);
	if (!cfg)
		return NULL;
	const struct config_station *s = config_station_find(cfg, id);
	if (!s)
		fprintf(stderr, "%s: no station \"%s\" in %s\n", cmd, id, env->config_path);
	return s;
}

long cli_village(struct cli_env *env, const char *cmd, const char *id)
{
	const struct config *cfg = cli_config(env);
	if (!cfg)
		return -1;
	long v = cli_village_index(cfg, id);
	if (v < 0)
		fprintf(stderr, "%s: unknown village \"%s\"\n", cmd, id);
	return v;
}
