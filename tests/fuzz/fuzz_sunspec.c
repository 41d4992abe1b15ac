/* Fuzzes the SunSpec decoders as pvreliefd and `pvrelief scan` drive them. The input is a
 * device's register space: its first byte chooses where it starts (40000, 0 or 50000, the three
 * places discovery looks for "SunS") and the rest are big-endian registers from there; a read
 * outside them fails as a Modbus exception would. sunspec_discover walks the model chain,
 * every model found is read with sunspec_read_model into the daemon's 512-register buffer and
 * decoded, and the registers are also given straight to each decoder as one model block. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/reading.h"
#include "pvrelief/sunspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct space {
	uint32_t base;
	const uint16_t *regs;
	size_t n;
};

static int space_read(void *ctx, uint16_t addr, uint16_t count, uint16_t *dest)
{
	const struct space *sp = ctx;
	/* The decoders promise never to ask for more than Modbus allows in one request. */
	if (count < 1 || count > SUNSPEC_MAX_READ)
		abort();
	if (addr < sp->base || (size_t)addr - sp->base + count > sp->n)
		return -1;
	memcpy(dest, sp->regs + (addr - sp->base), count * sizeof *dest);
	return 0;
}

static void decode_model(const uint16_t *block, size_t n, struct reading *r)
{
	struct sunspec_common c;
	struct sunspec_mppt mppt;
	uint16_t der_type;
	switch (block[0]) {
	case 1:
		sunspec_decode_common(block, n, &c);
		break;
	case 120:
		sunspec_decode_nameplate(block, n, r, &der_type);
		break;
	case 160:
		sunspec_decode_mppt(block, n, &mppt);
		break;
	default:
		sunspec_decode_block(block, n, r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t bases[] = {40000, 0, 50000};
	if (size < 1)
		return 0;
	size_t n = (size - 1) / 2;
	uint16_t *regs = malloc((n ? n : 1) * sizeof *regs);
	for (size_t i = 0; i < n; i++)
		regs[i] = (uint16_t)(data[1 + 2 * i] << 8 | data[2 + 2 * i]);
	struct space sp = {bases[data[0] % 3], regs, n};

	struct sunspec_map map;
	struct reading r;
	memset(&r, 0, sizeof r);
	if (sunspec_discover(space_read, &sp, &map) == 0) {
		if (map.n > SUNSPEC_MAX_MODELS)
			abort();
		uint16_t block[512];
		for (size_t i = 0; i < map.n; i++) {
			int got = sunspec_read_model(space_read, &sp, &map.models[i], block, 512);
			if (got > 0)
				decode_model(block, (size_t)got, &r);
		}
	}

	/* The same registers as one block, as a decoder would get them. */
	if (n >= 1) {
		memset(&r, 0, sizeof r);
		decode_model(regs, n, &r);
		sunspec_decode_block(regs, n, &r);
	}
	free(regs);
	return 0;
}
