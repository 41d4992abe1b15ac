/* Fuzzes `pvrelief import KIND FILE` through cli_import_rows, the function the command runs
 * inside its transaction: the input's first byte chooses the kind of file and the rest is the
 * CSV. The demo county's configuration is loaded once and a temporary database is seeded once
 * with the demo data (people, posts, agreements, settlements...), so that rows can refer to
 * what exists; every input's transaction is rolled back, so that each run starts from the same
 * database and a crash reproduces from its input alone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvrelief/cli.h"
#include "pvrelief/errlist.h"
#include "pvrelief/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {"people",	   "posts",	"agreements", "attendance", "work",
				    "settlements", "subsidies", "costs",      "spending"};
#define N_KINDS (sizeof kinds / sizeof kinds[0])
/* 2026-01-15 12:00:00 +08:00: after the demo data's months. */
#define FUZZ_NOW INT64_C(1768449600)

static struct cli_env env = {.config_path = PVRELIEF_SOURCE_DIR "/conf/demo.conf",
			     .progname = "fuzz_import"};

static char dir[] = "/tmp/pvrelief-fuzz-import-XXXXXX", db[4096];

/* Removes the database and its directory when libFuzzer exits at the end of its time. */
static void cleanup(void)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	cli_env_free(&env);
	for (size_t i = 0; i < 3; i++) {
		char f[4200];
		snprintf(f, sizeof f, "%s%s", db, suffixes[i]);
		unlink(f);
	}
	rmdir(dir);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char err[512];
	if (!mkdtemp(dir) || !cli_config(&env)) {
		fprintf(stderr, "fuzz_import: cannot set up\n");
		exit(1);
	}
	snprintf(db, sizeof db, "%s/fuzz.db", dir);
	env.store = store_open(db, 0, err, sizeof err);
	if (!env.store) {
		fprintf(stderr, "fuzz_import: %s\n", err);
		exit(1);
	}
	atexit(cleanup);
	for (size_t k = 0; k < N_KINDS; k++) {
		char path[4096];
		size_t len;
		snprintf(path, sizeof path, "%s/conf/demo-data/%s.csv", PVRELIEF_SOURCE_DIR,
			 kinds[k]);
		char *data = slurp(path, &len);
		struct errlist e = {0};
		if (!data || store_begin(env.store) != 0 ||
		    cli_import_rows(&env, kinds[k], path, data, len, "fuzz", FUZZ_NOW, &e) < 0 ||
		    store_commit(env.store) != 0) {
			fprintf(stderr, "fuzz_import: cannot seed the database with %s\n", path);
			for (size_t i = 0; i < e.n; i++)
				fprintf(stderr, "%s\n", e.msgs[i]);
			exit(1);
		}
		errlist_clear(&e);
		free(data);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct errlist e = {0};
	if (store_begin(env.store) != 0)
		abort();
	int rows = cli_import_rows(&env, kinds[data[0] % N_KINDS], "fuzz.csv",
				   (const char *)data + 1, size - 1, "fuzz", FUZZ_NOW, &e);
	/* All or nothing: a file is refused exactly when a problem was reported. */
	if ((rows < 0) != (e.n > 0))
		abort();
	store_rollback(env.store);
	errlist_clear(&e);
	return 0;
}
