/* Fuzzes the configuration loader through config_load, the function pvreliefd and pvrelief
 * call on the operator's file, and the vendor map loader regmap_load on the same bytes. Both
 * read a file, so each input is written to one file in a private directory whose "maps" is a
 * link to the shipped conf/maps: a configuration that names a shipped map loads it too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/regmap.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/pvrelief-fuzz-config-XXXXXX", path[4096], link_path[4096];

/* Removes the private directory when libFuzzer exits at the end of its time. */
static void cleanup(void)
{
	unlink(path);
	unlink(link_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(link_path, sizeof link_path, "%s/maps", dir);
	if (symlink(PVRELIEF_SOURCE_DIR "/conf/maps", link_path) != 0) {
		perror("symlink");
		exit(1);
	}
	snprintf(path, sizeof path, "%s/fuzz.conf", dir);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	struct errlist errs = {0};
	struct config *cfg = config_load(path, &errs);
	/* The loader's contract: NULL exactly when it reported a problem. */
	if ((cfg == NULL) != (errs.n > 0))
		abort();
	config_free(cfg);
	errlist_clear(&errs);

	struct regmap *map = regmap_load(path, &errs);
	if ((map == NULL) != (errs.n > 0))
		abort();
	regmap_free(map);
	errlist_clear(&errs);
	return 0;
}
