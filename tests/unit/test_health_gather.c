/* Gathering the health table is a read: the console does it inside a read transaction while
 * the daemon writes, so it must neither write nor need the write lock. A second connection
 * commits after the reader's snapshot began; gathering must still succeed and leave the
 * device table as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/health_gather.h"
#include "pvrelief/log.h"
#include "pvrelief/store.h"
#include "pvrelief/store_console.h"

static char dir[] = "/tmp/pvrelief-gather.XXXXXX";

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	log_init("test_health_gather", 0, LOG_LEVEL_ERROR);
	char conf[256], db[256];
	snprintf(conf, sizeof conf, "%s/g.conf", dir);
	snprintf(db, sizeof db, "%s/g.db", dir);
	FILE *f = fopen(conf, "w");
	fprintf(f,
		"county = { id = \"t\"; };\n"
		"database = { path = \"%s\"; };\n"
		"towns = ( { id = \"t\"; villages = ( { id = \"v\"; } ); } );\n"
		"stations = ( { id = \"s1\"; village = \"v\"; lat = 31.6; lon = 115.9;\n"
		"  capacity_kwp = 100.0; devices = ( { id = \"inv1\"; host = \"127.0.0.1\";\n"
		"  port = 1502; unit = 1; }, { id = \"inv2\"; host = \"127.0.0.1\"; port = 1502;\n"
		"  unit = 2; } ); } );\n",
		db);
	fclose(f);
	struct errlist errs = {0};
	struct config *cfg = config_load(conf, &errs);
	CHECK(cfg != NULL);
	errlist_clear(&errs);
	if (!cfg)
		return check_summary();

	char err[256];
	struct store *writer = store_open(db, 0, err, sizeof err);
	struct store *reader = store_open(db, 0, err, sizeof err);
	CHECK(writer != NULL && reader != NULL);
	/* The reader's snapshot begins, then the daemon commits something. */
	CHECK_INT(store_console_read_begin(reader), 0);
	char buf[16];
	store_meta_get(reader, "none", buf, sizeof buf);
	CHECK_INT(store_begin(writer), 0);
	CHECK_INT(store_meta_set(writer, "daemon.clock", "1782000000"), 0);
	CHECK_INT(store_commit(writer), 0);

	struct health_report r;
	memset(&r, 0, sizeof r);
	double t0, t1;
	char why[512] = "";
	health_gather_period(&r, cfg->utc_offset_s, 2026, 6, 21, &t0, &t1);
	int rc = health_gather(reader, cfg, NULL, &r, t0, t1, t1, why, sizeof why);
	CHECK_REPORT_(rc == 0, "health_gather failed inside a read transaction: %s", why);
	CHECK_INT(r.n_stations, 1);
	store_console_read_end(reader);
	health_gather_free(&r);

	/* Reading created no device rows: devices appear when the daemon first stores them. */
	CHECK_INT(store_begin(writer), 0);
	store_commit(writer);
	store_close(reader);
	store_close(writer);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "sqlite3 %s 'SELECT count(*) FROM device' > %s/n.txt", db, dir);
	CHECK_INT(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/n.txt", dir);
	f = fopen(cmd, "r");
	int n = -1;
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	CHECK_INT(n, 0);

	config_free(cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		perror("rm");
	return check_summary();
}
