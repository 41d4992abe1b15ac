/* pvrelief correct KIND KEY=VALUE... --reason TEXT --by NAME: reverses a wrong money row
 * (settlement, subsidy receipt, cost, spending) with ledger entries of kind correction that
 * carry the reason and the name; the row leaves its table for the history, and the right row
 * can then be imported. Nothing is edited. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/csv.h"
#include "pvrelief/store.h"
#include "pvrelief/store_correct.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvrelief correct KIND KEY=VALUE... --reason TEXT [--month YYYY-MM]\n"
		"       [--by NAME] [--now TIME]\n"
		"  settlement  station=S period=YYYY-MM\n"
		"  subsidy     station=S period=YYYY-MM received_day=YYYY-MM-DD\n"
		"  cost        village=V month=YYYY-MM kind=K receipt=R\n"
		"  spending    village=V month=YYYY-MM bucket=B receipt=R\n"
		"The row's ledger entries are reversed by entries of kind correction with the\n"
		"reason and the name; the row goes to the history (pvrelief history TABLE) and\n"
		"the right one can be imported. Cash of a month whose plan is decided was\n"
		"distributed as decided: --month names the later, open month it is taken back\n"
		"from (the decided month's notice gets an amendment). Costs and spending of a\n"
		"decided month are not reversed.\n");
}

int cli_correct(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"reason", required_argument, NULL, 'r'}, {"month", required_argument, NULL, 'm'},
	    {"by", required_argument, NULL, 'b'},     {"now", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0}};
	const char *reason = NULL, *by = NULL, *now_text = NULL, *into = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "r:m:b:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reason = optarg;
			break;
		case 'm':
			into = optarg;
			break;
		case 'b':
			by = optarg;
			break;
		case 'n':
			now_text = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	const struct store_correct_table *t =
	    optind < argc ? store_correct_find(argv[optind]) : NULL;
	if (!t) {
		usage(stderr);
		return 2;
	}
	const char *key[5] = {NULL};
	for (int i = optind + 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t k = 0;
		while (eq && t->keys[k] &&
		       (strlen(t->keys[k]) != (size_t)(eq - argv[i]) ||
			strncmp(t->keys[k], argv[i], (size_t)(eq - argv[i])) != 0))
			k++;
		if (!eq || !t->keys[k]) {
			fprintf(stderr, "pvrelief correct: \"%s\" is not one of %s's key columns\n",
				argv[i], t->table);
			return 2;
		}
		key[k] = eq + 1;
	}
	for (size_t k = 0; t->keys[k]; k++)
		if (!key[k]) {
			fprintf(stderr, "pvrelief correct: %s needs %s=...\n", t->table,
				t->keys[k]);
			return 2;
		}
	if (!reason || !reason[0]) {
		fprintf(stderr, "pvrelief correct: a correction needs a reason (--reason)\n");
		return 2;
	}
	int yy, mm;
	if (into && (strlen(into) != 7 || csv_parse_month(into, &yy, &mm) != 0)) {
		fprintf(stderr, "pvrelief correct: --month needs YYYY-MM\n");
		return 2;
	}
	int64_t now = cli_now(now_text);
	if (now < 0) {
		fprintf(stderr, "pvrelief correct: --now is not a time\n");
		return 2;
	}
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	char why[1024];
	if (store_begin(st) != 0) {
		fprintf(stderr, "pvrelief correct: database error: %s\n", store_errmsg(st));
		return 1;
	}
	int n = store_correct_reverse(st, t, key, into, reason, cli_by(by), now, why, sizeof why);
	if (n < 0 || store_commit(st) != 0) {
		fprintf(stderr, "pvrelief correct: refused: %s\n", n < 0 ? why : store_errmsg(st));
		store_rollback(st);
		return 1;
	}
	printf("%s reversed by %s: %d ledger entries, reason: %s\n", t->table, cli_by(by), n,
	       reason);
	return 0;
}
