/* Fuzzes the vendor map decoder regmap_decode as `pvrelief scan` drives it: the shipped maps
 * of conf/maps are loaded once, the input's first byte chooses one, and the rest are the
 * big-endian registers of the map's reads (regmap_blocks) laid end to end, padded with zero
 * registers when the input is shorter. Each status, alarm and fault the decoder reports is
 * looked up by name as the alert messages do. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/errlist.h"
#include "pvrelief/reading.h"
#include "pvrelief/regmap.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BLOCKS 64

static const char *const map_names[] = {"huawei-sun2000", "sungrow-sg", "goodwe-dt", "growatt",
					"solis-3p"};
#define N_MAPS (sizeof map_names / sizeof map_names[0])

static struct {
	struct regmap *map;
	struct regmap_block blocks[MAX_BLOCKS];
	size_t n_blocks, n_regs;
} maps[N_MAPS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < N_MAPS; i++) {
		char path[4096];
		struct errlist errs = {0};
		snprintf(path, sizeof path, "%s/conf/maps/%s.conf", PVRELIEF_SOURCE_DIR,
			 map_names[i]);
		maps[i].map = regmap_load(path, &errs);
		int nb = maps[i].map ? regmap_blocks(maps[i].map, maps[i].blocks, MAX_BLOCKS) : -1;
		if (nb <= 0) {
			fprintf(stderr, "fuzz_regmap: cannot use %s\n", path);
			exit(1);
		}
		errlist_clear(&errs);
		maps[i].n_blocks = (size_t)nb;
		for (int b = 0; b < nb; b++)
			maps[i].n_regs += maps[i].blocks[b].count;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t m = data[0] % N_MAPS;
	const struct regmap *map = maps[m].map;
	uint16_t *regs = calloc(maps[m].n_regs, sizeof *regs);
	for (size_t i = 0; i < maps[m].n_regs && 2 + 2 * i < size; i++)
		regs[i] = (uint16_t)(data[1 + 2 * i] << 8 | data[2 + 2 * i]);

	struct reading r;
	memset(&r, 0, sizeof r);
	/* Every point lies inside the blocks made from the same map. */
	if (regmap_decode(map, maps[m].blocks, maps[m].n_blocks, regs, &r) != 0)
		abort();
	if (reading_has(&r, RF_STATE))
		regmap_status_name(map, r.vendor_state, REGMAP_ZH);
	if (reading_has(&r, RF_FAULT_CODE))
		regmap_fault_name(map, r.fault_code, REGMAP_ZH);
	for (int bit = 0; bit < 64; bit++)
		regmap_alarm_name(map, bit, REGMAP_EN);
	free(regs);
	return 0;
}
