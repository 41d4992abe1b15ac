/* pvrelief ledger verify|list|export: recomputes the hash chain of the money ledger and names
 * the first entry that was altered, deleted or reordered; lists entries; exports a station's
 * five asset ledgers (registration, ownership, O&M, revenue distribution, disposal) as CSV. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/csv.h"
#include "pvrelief/ledger.h"
#include "pvrelief/report.h"
#include "pvrelief/store.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_maintenance.h"
#include "pvrelief/xalloc.h"

static int verify(struct store *st)
{
	struct store_ledger l;
	char why[512];
	if (store_ledger_load(st, &l) != 0) {
		fprintf(stderr, "pvrelief ledger: cannot read the ledger: %s\n", store_errmsg(st));
		return 1;
	}
	long bad = ledger_verify(l.entries, l.n, why, sizeof why);
	if (bad >= 0)
		fprintf(stderr, "ledger broken: %s\n", why);
	else
		printf("ledger intact: %zu entries, last hash %s\n", l.n,
		       l.n ? l.entries[l.n - 1].hash : LEDGER_GENESIS_HASH);
	store_ledger_free(&l);
	return bad >= 0 ? 1 : 0;
}

static int list(struct store *st, const char *village, const char *month)
{
	struct store_ledger l;
	char y[32];
	if (store_ledger_load(st, &l) != 0)
		return 1;
	for (size_t i = 0; i < l.n; i++) {
		const struct ledger_entry *e = &l.entries[i];
		if ((village && strcmp(village, e->village_id) != 0) ||
		    (month && strcmp(month, e->month) != 0))
			continue;
		printf("%6" PRId64 " %-13s %-24s %-8s %-16s %-12s %14s  %s\n", e->seq, e->kind,
		       e->village_id, e->month, e->station_id, e->person_id,
		       report_yuan(e->amount_fen, y), e->memo);
	}
	store_ledger_free(&l);
	return 0;
}

static void row(struct csv_writer *w, const char *ledger, const char *date, const char *item,
		const char *value, const char *note)
{
	csv_put_str(w, ledger);
	csv_put_str(w, date);
	csv_put_str(w, item);
	csv_put_str(w, value);
	csv_put_str(w, note);
	csv_end_row(w);
}

static void fmt_day(double t, int offset, char *buf, size_t len)
{
	time_t tt = (time_t)t + offset;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

static int export_station(struct store *st, const struct config *cfg, const char *id,
			  const char *out)
{
	const struct config_station *s = config_station_find(cfg, id);
	char v[256], d[32], y[32];
	if (!s) {
		fprintf(stderr, "pvrelief ledger export: unknown station \"%s\"\n", id);
		return 2;
	}
	struct csv_writer *w = csv_writer_new(1);
	row(w, "ledger", "date", "item", "value", "note");
	const struct config_village *vil = &cfg->villages[s->village];
	row(w, "登记台账 registration", "", "station", s->id, s->name);
	row(w, "登记台账 registration", "", "operating village", vil->id, vil->name);
	row(w, "登记台账 registration", "", "town", cfg->towns[vil->town].id,
	    cfg->towns[vil->town].name);
	snprintf(v, sizeof v, "%.2f", s->capacity_kwp);
	row(w, "登记台账 registration", "", "capacity_kwp", v, "");
	snprintf(v, sizeof v, "%.4f,%.4f", s->lat_deg, s->lon_deg);
	row(w, "登记台账 registration", "", "location", v, "lat,lon");
	snprintf(v, sizeof v, "%.5f", (double)s->tariff_mfen_per_kwh / 100000.0);
	row(w, "登记台账 registration", "", "tariff_yuan_per_kwh", v, "");
	snprintf(v, sizeof v, "%.5f", (double)s->coal_tariff_mfen_per_kwh / 100000.0);
	row(w, "登记台账 registration", "", "coal_tariff_yuan_per_kwh", v,
	    "paid with each settlement; the rest is a subsidy receivable");
	snprintf(v, sizeof v, "%zu", s->n_devices);
	row(w, "登记台账 registration", "", "devices", v, "");
	uint32_t total = 0;
	for (size_t i = 0; i < s->n_shares; i++)
		total += s->shares[i].parts;
	for (size_t i = 0; i < s->n_shares; i++) {
		const struct config_village *ov = &cfg->villages[s->shares[i].village];
		snprintf(v, sizeof v, "%u/%u", s->shares[i].parts, total);
		row(w, "权属台账 ownership", "", ov->id, v, ov->name);
	}
	struct store_maintenance *m;
	size_t nm;
	if (store_maintenance_list(st, id, NULL, STORE_MAINT_OLDEST_FIRST, 0, &m, &nm) == 0) {
		for (size_t i = 0; i < nm; i++) {
			fmt_day(m[i].at, cfg->utc_offset_s, d, sizeof d);
			row(w, "运维台账 operation and maintenance", d, m[i].kind, m[i].by,
			    m[i].note);
		}
		store_maintenance_free(m, nm);
	}
	struct store_ledger l;
	if (store_ledger_load(st, &l) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			const struct ledger_entry *e = &l.entries[i];
			int mine = strcmp(e->station_id, id) == 0;
			/* Village entries (allocation, wages) cover all of a village's stations;
			 * they belong to this station's ledger when the village owns a share. */
			for (size_t k = 0; !mine && !e->station_id[0] && k < s->n_shares; k++)
				mine = strcmp(cfg->villages[s->shares[k].village].id,
					      e->village_id) == 0;
			if (!mine)
				continue;
			fmt_day((double)e->time_unix, cfg->utc_offset_s, d, sizeof d);
			snprintf(v, sizeof v, "%s %s", e->kind, e->month);
			char note[600];
			snprintf(note, sizeof note, "seq %" PRId64 " %s %s%s%s", e->seq,
				 e->village_id, e->person_id, e->person_id[0] ? " " : "", e->memo);
			row(w, "收益分配台账 revenue distribution", d, v,
			    report_yuan(e->amount_fen, y), note);
		}
		store_ledger_free(&l);
	}
	row(w, "处置台账 disposal", "", "none recorded", "", "the station is in service");
	size_t len;
	const char *data = csv_writer_data(w, &len);
	FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
	int rc = 0;
	if (!f || fwrite(data, 1, len, f) != len) {
		fprintf(stderr, "pvrelief ledger export: cannot write %s\n", out);
		rc = 1;
	}
	if (f && f != stdout && fclose(f) != 0)
		rc = 1;
	csv_writer_free(w);
	return rc;
}

int cli_ledger(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {CLI_OPTION_VILLAGE,
						 CLI_OPTION_MONTH,
						 CLI_OPTION_STATION,
						 {"out", required_argument, NULL, 'o'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct cli_opts o = {.env = env, .cmd = "pvrelief ledger"};
	const char *out = "-";
	int c;
	while ((c = getopt_long(argc, argv, "v:m:s:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("usage: pvrelief ledger verify\n"
			       "       pvrelief ledger list [--village V] [--month YYYY-MM]\n"
			       "       pvrelief ledger export --station S [--out FILE.csv]\n"
			       "verify recomputes the SHA-256 chain and names the first entry that "
			       "was\n"
			       "altered, deleted or reordered (exit 1).\n");
			return 0;
		default:
			if (!cli_opt(&o, c, optarg))
				return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: pvrelief ledger verify|list|export\n");
		return 2;
	}
	if (cli_opt_check(&o) != 0)
		return 2;
	const char *village = o.village, *month = o.month, *station = o.station;
	struct store *st = cli_store(env);
	if (!st)
		return 1;
	if (strcmp(argv[optind], "verify") == 0)
		return verify(st);
	if (strcmp(argv[optind], "list") == 0)
		return list(st, village, month);
	if (strcmp(argv[optind], "export") == 0 && station)
		return export_station(st, env->cfg, station, out);
	fprintf(stderr, "usage: pvrelief ledger verify|list|export --station S\n");
	return 2;
}
