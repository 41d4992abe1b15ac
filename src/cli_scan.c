/* pvrelief scan HOST:PORT: what a field technician runs on site to see what answers behind a
 * gateway (Modbus TCP, or with --rtu-over-tcp a data logger forwarding RTU frames): SunSpec
 * devices with their models and live values, or the vendor map whose registers decode to
 * plausible values. */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/mblink.h"
#include "pvrelief/reading.h"
#include "pvrelief/regmap.h"
#include "pvrelief/sunspec.h"
#include "pvrelief/xalloc.h"

/* What to say when a gateway does not answer: many 4G gateways and data loggers serve one
 * Modbus TCP client at a time, and a running pvreliefd is that client. */
#define ONE_CLIENT_HINT                                                                            \
	"pvrelief scan: hint: many gateways serve one client at a time; if pvreliefd (or "         \
	"another program) is polling this gateway, stop it and scan again\n"

struct scan_ctx {
	struct mblink *link;
	int unit;
	int requests;
	int timeout_ms;
	/* The unit gave no answer at all (a timeout, or no connection): its other addresses
	 * and maps are not tried, so that a silent unit costs one timeout, not one per map. */
	int silent;
	char why[300];
};

/* One read for the unit, unless it has been silent. */
static int unit_read(struct scan_ctx *sc, int function, uint16_t addr, uint16_t count,
		     uint16_t *dest)
{
	if (sc->silent)
		return -1;
	sc->requests++;
	int rc = mblink_read(sc->link, sc->unit, function, addr, count, dest);
	if (rc == MBLINK_ETIMEOUT)
		snprintf(sc->why, sizeof sc->why, "within %d ms", sc->timeout_ms);
	else if (rc == MBLINK_ECONNECT || rc == MBLINK_ECLOSED || rc == MBLINK_EFD)
		snprintf(sc->why, sizeof sc->why, "(%s)", mblink_strerror(sc->link));
	sc->silent = rc == MBLINK_ETIMEOUT || rc == MBLINK_ECONNECT || rc == MBLINK_ECLOSED ||
		     rc == MBLINK_EFD;
	return rc == MBLINK_OK ? 0 : -1;
}

static int scan_read(void *ctx, uint16_t addr, uint16_t count, uint16_t *dest)
{
	return unit_read(ctx, 3, addr, count, dest);
}

static void print_reading(const struct reading *r)
{
	for (int f = 0; f < RF_COUNT; f++) {
		if (f == RF_STATE) {
			if (reading_has(r, RF_STATE))
				printf("    %-18s %s\n", "state", inv_state_name(r->state));
			continue;
		}
		if (f == RF_EVENTS) {
			if (reading_has(r, RF_EVENTS))
				printf("    %-18s 0x%08x%08x\n", "events", r->events2, r->events);
			continue;
		}
		if (reading_has(r, (enum reading_field)f))
			printf("    %-18s %.3f\n", reading_field_name((enum reading_field)f),
			       r->value[f]);
		else if (r->sentinel & (1u << f))
			printf("    %-18s (not implemented)\n",
			       reading_field_name((enum reading_field)f));
	}
}

static int scan_sunspec(struct scan_ctx *sc)
{
	struct sunspec_map map;
	uint16_t block[512];
	if (sunspec_discover(scan_read, sc, &map) != 0)
		return -1;
	printf("\n  SunSpec at %u:", map.base);
	for (size_t i = 0; i < map.n; i++)
		printf(" %u", map.models[i].id);
	printf("\n");
	struct reading r;
	memset(&r, 0, sizeof r);
	for (size_t i = 0; i < map.n; i++) {
		const struct sunspec_model *m = &map.models[i];
		int n = sunspec_read_model(scan_read, sc, m, block, 512);
		if (n < 0) {
			printf("  model %u at %u: read failed: %s\n", m->id, m->addr,
			       mblink_strerror(sc->link));
			continue;
		}
		if (m->id == 1) {
			struct sunspec_common c;
			if (sunspec_decode_common(block, (size_t)n, &c) == 0)
				printf("  %s %s, serial %s, version %s\n", c.manufacturer, c.model,
				       c.serial, c.version);
		} else {
			sunspec_decode_block(block, (size_t)n, &r);
		}
	}
	print_reading(&r);
	return 0;
}

/* A map matches when its registers read and decode to something a PV inverter could say. */
static int try_map(struct scan_ctx *sc, const struct regmap *map, struct reading *r)
{
	struct regmap_block blocks[64];
	uint16_t data[64 * 125];
	int nb = regmap_blocks(map, blocks, 64);
	if (nb <= 0)
		return -1;
	size_t off = 0;
	for (int b = 0; b < nb; b++) {
		if (unit_read(sc, map->function, blocks[b].addr, blocks[b].count, data + off) != 0)
			return -1;
		off += blocks[b].count;
	}
	memset(r, 0, sizeof *r);
	if (regmap_decode(map, blocks, (size_t)nb, data, r) != 0)
		return -1;
	if (!reading_has(r, RF_ENERGY_TOTAL_WH) || !reading_has(r, RF_POWER_W))
		return -1;
	if (r->value[RF_POWER_W] < 0 || r->value[RF_POWER_W] > 2e6 ||
	    r->value[RF_ENERGY_TOTAL_WH] <= 0)
		return -1;
	return 0;
}

static int scan_maps(struct scan_ctx *sc, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	if (!d) {
		fprintf(stderr, "pvrelief scan: cannot read maps directory %s\n", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL && !found && !sc->silent) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		struct errlist errs = {0};
		struct regmap *map = regmap_load(path, &errs);
		struct reading r;
		if (map && try_map(sc, map, &r) == 0) {
			printf("\n  matches map %.*s (%s, %s %s)\n", (int)(len - 5), e->d_name,
			       map->vendor, map->document, map->document_version);
			print_reading(&r);
			found = 1;
		}
		regmap_free(map);
		errlist_clear(&errs);
		free(path);
	}
	closedir(d);
	return found ? 0 : -1;
}

int cli_scan(struct cli_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"unit", required_argument, NULL, 'u'},    {"maps", required_argument, NULL, 'm'},
	    {"timeout", required_argument, NULL, 't'}, {"rtu-over-tcp", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0}};
	int first = 1, last = 10, timeout_ms = 1000, rtu = 0, c;
	long num;
	const char *maps = NULL;
	while ((c = getopt_long(argc, argv, "u:m:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (cli_parse_long("--unit", optarg, 0, 255, &num) != 0)
				return 2;
			first = last = (int)num;
			break;
		case 'm':
			maps = optarg;
			break;
		case 't':
			if (cli_parse_long("--timeout", optarg, 1, 60000, &num) != 0)
				return 2;
			timeout_ms = (int)num;
			break;
		case 'r':
			rtu = 1;
			break;
		case 'h':
			printf(
			    "usage: pvrelief scan HOST:PORT [--unit N] [--maps DIR]\n"
			    "                          [--timeout MS] [--rtu-over-tcp]\n"
			    "Reads units 1-10 (or --unit N) at a Modbus TCP gateway, or with\n"
			    "--rtu-over-tcp at a data logger that forwards Modbus RTU over TCP:\n"
			    "SunSpec first, then every vendor map in DIR (default: the\n"
			    "configuration's maps_dir).\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: pvrelief scan HOST:PORT [--unit N] [--maps DIR] "
				"[--rtu-over-tcp]\n");
		return 2;
	}
	char host[256];
	int port = 502;
	const char *colon = strrchr(argv[optind], ':');
	snprintf(host, sizeof host, "%.*s",
		 (int)(colon ? (size_t)(colon - argv[optind]) : strlen(argv[optind])),
		 argv[optind]);
	if (colon && cli_parse_long("the port", colon + 1, 1, 65535, &num) == 0)
		port = (int)num;
	else if (colon)
		port = 0;
	if (!*host || port < 1 || port > 65535) {
		fprintf(stderr, "pvrelief scan: \"%s\" is not HOST:PORT\n", argv[optind]);
		return 2;
	}
	if (!maps) {
		const struct config *cfg = cli_config(env);
		maps = cfg ? cfg->maps_dir : PVRELIEF_SYSCONFDIR "/pvrelief/maps";
	}
	if (rtu && (first < 1 || last > 247)) {
		fprintf(stderr, "pvrelief scan: units on a serial bus are 1..247\n");
		return 2;
	}
	/* An RTU-over-TCP link writes with write(): a logger that hangs up must give an error,
	 * not kill the program. */
	signal(SIGPIPE, SIG_IGN);
	/* Each unit's result as it comes: a scan of a slow link takes a while. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct scan_ctx sc = {.link = rtu ? mblink_new_rtu_over_tcp(host, port)
					  : mblink_new_tcp(host, port),
			      .timeout_ms = timeout_ms};
	if (sc.link)
		mblink_set_timeout(sc.link, timeout_ms);
	if (!sc.link || mblink_connect(sc.link) != MBLINK_OK) {
		fprintf(stderr, "pvrelief scan: %s:%d: %s\n", host, port,
			sc.link ? mblink_strerror(sc.link) : "bad address");
		if (sc.link)
			fprintf(stderr, ONE_CLIENT_HINT);
		mblink_free(sc.link);
		return 1;
	}
	int found = 0, answered = 0, hinted = 0;
	for (int unit = first; unit <= last; unit++) {
		sc.unit = unit;
		sc.silent = 0;
		printf("unit %d:", unit);
		fflush(stdout);
		if (scan_sunspec(&sc) == 0 || scan_maps(&sc, maps) == 0) {
			found++;
			answered = 1;
			continue;
		}
		if (sc.silent) {
			printf(" no answer %s\n", sc.why);
			if (!answered && !hinted) {
				fprintf(stderr, ONE_CLIENT_HINT);
				hinted = 1;
			}
			continue;
		}
		answered = 1;
		printf("\n  nothing recognised (%s)\n", mblink_strerror(sc.link));
	}
	mblink_free(sc.link);
	printf("%d device%s found at %s:%d\n", found, found == 1 ? "" : "s", host, port);
	return found ? 0 : 1;
}
