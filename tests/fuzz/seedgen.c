/* Writes the register-image seeds of the fuzz corpora: SunSpec inverter and sensor images made
 * with the simulator's encoders (corpus/sunspec/) and an image of each shipped vendor map
 * (corpus/regmap/), in the fuzz targets' input formats (see fuzz_sunspec.c and fuzz_regmap.c).
 * Built with the fuzz targets; run once by hand after the encoders or the maps change:
 *   build-fuzz/tests/fuzz/seedgen tests/fuzz/corpus */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/errlist.h"
#include "pvrelief/reading.h"
#include "pvrelief/regmap.h"
#include "pvrelief/sunspec.h"

/* Writes a selector byte and big-endian registers to dir/name. */
static void put(const char *dir, const char *name, uint8_t sel, const uint16_t *regs, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputc(sel, f);
	for (size_t i = 0; i < n; i++) {
		fputc(regs[i] >> 8, f);
		fputc(regs[i] & 0xFF, f);
	}
	fclose(f);
}

static struct reading inverter(void)
{
	struct reading r = {0};
	reading_set(&r, RF_POWER_W, 18250);
	reading_set(&r, RF_ENERGY_TOTAL_WH, 12345678);
	reading_set(&r, RF_ENERGY_TODAY_WH, 61200);
	reading_set(&r, RF_AC_CURRENT_A, 26.4);
	reading_set(&r, RF_AC_VOLTAGE_V, 230.4);
	reading_set(&r, RF_FREQUENCY_HZ, 50.02);
	reading_set(&r, RF_DC_CURRENT_A, 30.2);
	reading_set(&r, RF_DC_VOLTAGE_V, 620.5);
	reading_set(&r, RF_DC_POWER_W, 18700);
	reading_set(&r, RF_CABINET_TEMP_C, 41.5);
	reading_set(&r, RF_RATED_POWER_W, 30000);
	reading_set(&r, RF_STATE, INV_STATE_MPPT);
	r.state = INV_STATE_MPPT;
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seedgen CORPUS-DIR\n");
		return 2;
	}
	char dir[4096];
	static uint16_t img[4096];
	static const uint16_t bases[] = {40000, 0, 50000};
	struct sunspec_identity id = {"Fuzz Solar", "FS-30K", "opt", "1.2.3", "SN0001", 1};
	struct reading r = inverter();
	struct sunspec_mppt mppt = {.n = 2};
	for (size_t i = 0; i < mppt.n; i++) {
		mppt.mod[i].id = (uint16_t)(i + 1);
		mppt.mod[i].present =
		    1u << SUNSPEC_MPPT_DC_POWER_W | 1u << SUNSPEC_MPPT_DC_VOLTAGE_V;
		mppt.mod[i].value[SUNSPEC_MPPT_DC_POWER_W] = 9000;
		mppt.mod[i].value[SUNSPEC_MPPT_DC_VOLTAGE_V] = 610;
	}

	snprintf(dir, sizeof dir, "%s/sunspec", argv[1]);
	for (uint8_t b = 0; b < 3; b++) {
		static const char *const names[][3] = {
		    {"inverter-40000", "inverter-float-0", "inverter-endzero-50000"},
		    {"sensor-40000", "sensor-0", "sensor-endzero-50000"}};
		int flags = b == 1 ? SUNSPEC_ENC_FLOAT : b == 2 ? SUNSPEC_ENC_END_ZERO : 0;
		int n = sunspec_encode_inverter(bases[b], &id, &r, b == 0 ? &mppt : NULL, NULL,
						flags, img, 4096);
		if (n <= 0)
			return 1;
		put(dir, names[0][b], b, img, (size_t)n);
		struct reading s = {0};
		reading_set(&s, RF_GHI_W_M2, 812);
		reading_set(&s, RF_POA_W_M2, 905);
		reading_set(&s, RF_MODULE_TEMP_C, 48.5);
		reading_set(&s, RF_AIR_TEMP_C, 27.0);
		reading_set(&s, RF_WIND_M_S, 2.5);
		n = sunspec_encode_sensor(bases[b], &id, &s, b == 2 ? SUNSPEC_ENC_END_ZERO : 0, img,
					  4096);
		if (n <= 0)
			return 1;
		put(dir, names[1][b], b, img, (size_t)n);
	}

	/* The map images in fuzz_regmap's order of maps. */
	static const char *const maps[] = {"huawei-sun2000", "sungrow-sg", "goodwe-dt", "growatt",
					   "solis-3p"};
	snprintf(dir, sizeof dir, "%s/regmap", argv[1]);
	for (uint8_t m = 0; m < 5; m++) {
		char path[4096];
		struct errlist errs = {0};
		snprintf(path, sizeof path, "%s/conf/maps/%s.conf", PVRELIEF_SOURCE_DIR, maps[m]);
		struct regmap *map = regmap_load(path, &errs);
		struct regmap_block blocks[64];
		int nb = map ? regmap_blocks(map, blocks, 64) : -1;
		if (nb <= 0)
			return 1;
		/* Each block's registers come from an image of the whole address range. */
		size_t off = 0;
		static uint16_t data[64 * 125];
		uint16_t lo = blocks[0].addr, hi = blocks[nb - 1].addr + blocks[nb - 1].count;
		uint16_t *whole = calloc((size_t)(hi - lo), sizeof *whole);
		struct reading in = inverter();
		in.vendor_state = 0;
		if (regmap_encode(map, &in, whole, (size_t)(hi - lo), lo) != 0) {
			/* A map without every field: encode what fits. */
			reading_set_sentinel(&in, RF_RATED_POWER_W);
			if (regmap_encode(map, &in, whole, (size_t)(hi - lo), lo) != 0)
				return 1;
		}
		for (int b = 0; b < nb; b++) {
			memcpy(data + off, whole + (blocks[b].addr - lo), blocks[b].count * 2);
			off += blocks[b].count;
		}
		put(dir, maps[m], m, data, off);
		free(whole);
		regmap_free(map);
		errlist_clear(&errs);
	}
	return 0;
}
