/* SunSpec decoding, discovery and encoding, driven by tables of register images. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "pvrelief/sunspec.h"

/* A device over a register array, for discovery: reads outside it fail as a real device's
 * exception would. */
struct image {
	uint16_t base;
	const uint16_t *regs;
	size_t n;
	int fail_all;
	uint32_t
	    wrap_after; /* if set, addresses past base + wrap_after repeat the last 2 registers */
	int max_count;	/* the largest read seen */
	int reads;
};

static int image_read(void *ctx, uint16_t addr, uint16_t count, uint16_t *dest)
{
	struct image *im = ctx;
	im->reads++;
	if (count > im->max_count)
		im->max_count = count;
	if (im->fail_all || count == 0 || count > SUNSPEC_MAX_READ)
		return -1;
	for (uint16_t i = 0; i < count; i++) {
		uint32_t a = (uint32_t)addr + i;
		if (a < im->base)
			return -1;
		uint32_t off = a - im->base;
		if (im->wrap_after && off >= im->wrap_after)
			off = im->wrap_after - 2 + (off - im->wrap_after) % 2;
		if (off >= im->n)
			return -1;
		dest[i] = im->regs[off];
	}
	return 0;
}

static struct reading sample_inverter(void)
{
	struct reading r = {0};
	reading_set(&r, RF_POWER_W, 18250);
	reading_set(&r, RF_ENERGY_TOTAL_WH, 123456789);
	reading_set(&r, RF_AC_CURRENT_A, 27.53);
	reading_set(&r, RF_AC_VOLTAGE_V, 230.4);
	reading_set(&r, RF_FREQUENCY_HZ, 50.02);
	reading_set(&r, RF_DC_CURRENT_A, 30.11);
	reading_set(&r, RF_DC_VOLTAGE_V, 620.5);
	reading_set(&r, RF_DC_POWER_W, 18700);
	reading_set(&r, RF_CABINET_TEMP_C, 41.5);
	reading_set(&r, RF_RATED_POWER_W, 20000);
	r.state = INV_STATE_MPPT;
	r.vendor_state = 0x0200;
	reading_set(&r, RF_STATE, r.state);
	r.events = 1u << 7 | 1u << 0;
	r.events2 = 5;
	reading_set(&r, RF_EVENTS, r.events);
	return r;
}

static const struct sunspec_identity ident = {
    .manufacturer = "PVRelief",
    .model = "SIM-20K",
    .options = "opt",
    .version = "1.2.3",
    .serial = "SN0001",
    .device_address = 1,
};

/* Builds a model 103 (or 113) block alone: the inverter image's model after SunS and model 1. */
static size_t inverter_block(const struct reading *r, const struct sunspec_scales *sf, int flags,
			     uint16_t *blk)
{
	static uint16_t img[1024];
	int n = sunspec_encode_inverter(40000, &ident, r, NULL, sf, flags, img, 1024);
	CHECK(n > 0);
	size_t at = 2 + 68; /* marker, model 1 */
	size_t len = (size_t)img[at + 1] + 2;
	memcpy(blk, img + at, len * sizeof *blk);
	return len;
}

static void test_implemented_table(void)
{
	static const struct {
		enum sunspec_type type;
		uint16_t regs[4];
		size_t n;
		int want;
	} cases[] = {
	    {SUNSPEC_INT16, {0x8000}, 1, 0},
	    {SUNSPEC_INT16, {0x7FFF}, 1, 1},
	    {SUNSPEC_SUNSSF, {0x8000}, 1, 0},
	    {SUNSPEC_SUNSSF, {0xFFFE}, 1, 1},
	    {SUNSPEC_UINT16, {0xFFFF}, 1, 0},
	    {SUNSPEC_UINT16, {0}, 1, 1},
	    {SUNSPEC_ENUM16, {0xFFFF}, 1, 0},
	    {SUNSPEC_BITFIELD16, {0xFFFF}, 1, 0},
	    {SUNSPEC_BITFIELD16, {0x7FFF}, 1, 1},
	    {SUNSPEC_ACC16, {0}, 1, 0},
	    {SUNSPEC_ACC16, {1}, 1, 1},
	    {SUNSPEC_INT32, {0x8000, 0x0000}, 2, 0},
	    {SUNSPEC_INT32, {0x8000, 0x0001}, 2, 1},
	    {SUNSPEC_UINT32, {0xFFFF, 0xFFFF}, 2, 0},
	    {SUNSPEC_UINT32, {0xFFFF, 0xFFFE}, 2, 1},
	    {SUNSPEC_BITFIELD32, {0xFFFF, 0xFFFF}, 2, 0},
	    {SUNSPEC_ACC32, {0, 0}, 2, 0},
	    {SUNSPEC_ACC32, {0, 1}, 2, 1},
	    {SUNSPEC_ACC64, {0, 0, 0, 0}, 4, 0},
	    {SUNSPEC_ACC64, {1, 0, 0, 0}, 4, 1},
	    {SUNSPEC_FLOAT32, {0x7FC0, 0x0000}, 2, 0},
	    {SUNSPEC_FLOAT32, {0xFFC0, 0x0001}, 2, 0},
	    {SUNSPEC_FLOAT32, {0x4120, 0x0000}, 2, 1},
	    {SUNSPEC_STRING, {0, 0, 0, 0}, 4, 0},
	    {SUNSPEC_STRING, {0, 0, 0, 0x4100}, 4, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_INT(sunspec_implemented(cases[i].type, cases[i].regs, cases[i].n),
			  cases[i].want);
}

/* Each row patches one register of a valid model 103 block and names the field it must
 * remove, setting its sentinel bit. */
static void test_inverter_sentinels(void)
{
	static const struct {
		const char *what;
		size_t off;
		uint16_t v[2];
		size_t n;
		enum reading_field field;
		int want_sentinel;
	} cases[] = {
	    {"uint16 A", 2, {0xFFFF}, 1, RF_AC_CURRENT_A, 1},
	    {"sunssf A_SF", 6, {0x8000}, 1, RF_AC_CURRENT_A, 1},
	    {"uint16 PhVphA", 10, {0xFFFF}, 1, RF_AC_VOLTAGE_V, 1},
	    {"int16 W", 14, {0x8000}, 1, RF_POWER_W, 1},
	    {"sunssf W_SF", 15, {0x8000}, 1, RF_POWER_W, 1},
	    {"W_SF out of range", 15, {11}, 1, RF_POWER_W, 0},
	    {"W_SF out of range below", 15, {(uint16_t)-11}, 1, RF_POWER_W, 0},
	    {"acc32 WH", 24, {0, 0}, 2, RF_ENERGY_TOTAL_WH, 1},
	    {"sunssf WH_SF", 26, {0x8000}, 1, RF_ENERGY_TOTAL_WH, 1},
	    {"int16 DCW", 31, {0x8000}, 1, RF_DC_POWER_W, 1},
	    {"int16 TmpCab", 33, {0x8000}, 1, RF_CABINET_TEMP_C, 1},
	    {"sunssf Tmp_SF", 37, {0x8000}, 1, RF_CABINET_TEMP_C, 1},
	    {"enum16 St", 38, {0xFFFF}, 1, RF_STATE, 1},
	    {"bitfield32 Evt1", 40, {0xFFFF, 0xFFFF}, 2, RF_EVENTS, 1},
	};
	struct sunspec_scales sf;
	sunspec_scales_default(&sf);
	struct reading in = sample_inverter();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint16_t blk[64];
		size_t n = inverter_block(&in, &sf, 0, blk);
		memcpy(blk + cases[i].off, cases[i].v, cases[i].n * sizeof(uint16_t));
		struct reading r = {0};
		CHECK_INT(sunspec_decode_inverter(blk, n, &r), 0);
		if (reading_has(&r, cases[i].field))
			fprintf(stderr, "case %s\n", cases[i].what);
		CHECK(!reading_has(&r, cases[i].field));
		CHECK_INT((r.sentinel >> cases[i].field) & 1, cases[i].want_sentinel);
		/* The other points are untouched. */
		CHECK(reading_has(&r, cases[i].field == RF_POWER_W ? RF_FREQUENCY_HZ : RF_POWER_W));
	}
}

static void test_scale_factor_changes(void)
{
	struct sunspec_scales sf;
	sunspec_scales_default(&sf);
	struct reading in = sample_inverter();
	uint16_t blk[64];
	size_t n = inverter_block(&in, &sf, 0, blk);
	struct reading r = {0};
	CHECK_INT(sunspec_decode_inverter(blk, n, &r), 0);
	CHECK_NEAR(r.value[RF_POWER_W], 18250, 1e-9);

	/* The device changes W_SF while running: the same W register now means something else,
	 * and the decoder must take the new factor from the same block. */
	blk[15] = (uint16_t)-1;
	memset(&r, 0, sizeof r);
	CHECK_INT(sunspec_decode_inverter(blk, n, &r), 0);
	CHECK_NEAR(r.value[RF_POWER_W], 1825.0, 1e-9);
	blk[15] = 1;
	CHECK_INT(sunspec_decode_inverter(blk, n, &r), 0);
	CHECK_NEAR(r.value[RF_POWER_W], 182500, 1e-9);

	/* The encoder honours the caller's factors: W_SF -1 for a smaller power. */
	static const struct {
		int8_t w, wh;
		double power, energy;
		uint16_t raw_w;
	} rows[] = {
	    {0, 0, 3000, 5000000, 3000},
	    {-1, 1, 2999.9, 5000000, 29999},
	    {-2, 3, 12.34, 5000000, 1234},
	    {2, 0, 1500000, 5000000, 15000},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sf.w = rows[i].w;
		sf.wh = rows[i].wh;
		reading_set(&in, RF_POWER_W, rows[i].power);
		reading_set(&in, RF_ENERGY_TOTAL_WH, rows[i].energy);
		n = inverter_block(&in, &sf, 0, blk);
		CHECK_INT(blk[14], rows[i].raw_w);
		CHECK_INT((int16_t)blk[15], rows[i].w);
		memset(&r, 0, sizeof r);
		CHECK_INT(sunspec_decode_inverter(blk, n, &r), 0);
		CHECK_NEAR(r.value[RF_POWER_W], rows[i].power, 1e-6);
		CHECK_NEAR(r.value[RF_ENERGY_TOTAL_WH], rows[i].energy, 1e-6);
	}

	/* A value that does not fit at the chosen factor is refused, not wrapped. */
	uint16_t img[1024];
	sf.w = 0;
	reading_set(&in, RF_POWER_W, 60000);
	CHECK_INT(sunspec_encode_inverter(40000, &ident, &in, NULL, &sf, 0, img, 1024),
		  SUNSPEC_ERR_RANGE);
}

static void test_float_model(void)
{
	struct reading in = sample_inverter();
	uint16_t blk[64];
	size_t n = inverter_block(&in, NULL, SUNSPEC_ENC_FLOAT, blk);
	CHECK_INT(blk[0], 113);
	CHECK_INT(blk[1], 60);
	struct reading r = {0};
	CHECK_INT(sunspec_decode_inverter(blk, n, &r), 0);
	CHECK_NEAR(r.value[RF_POWER_W], 18250, 1e-3);
	CHECK_NEAR(r.value[RF_AC_VOLTAGE_V], 230.4, 1e-4);
	CHECK_NEAR(r.value[RF_FREQUENCY_HZ], 50.02, 1e-4);
	CHECK_NEAR(r.value[RF_ENERGY_TOTAL_WH], 123456789, 8); /* float32 has 24 bits */
	CHECK_INT(r.state, INV_STATE_MPPT);
	CHECK_INT(r.events, in.events);

	/* NaN is "not implemented", in any of its bit patterns. */
	static const struct {
		size_t off;
		uint16_t hi, lo;
		enum reading_field field;
	} nan_rows[] = {
	    {22, 0x7FC0, 0x0000, RF_POWER_W},
	    {16, 0xFFC0, 0x0000, RF_AC_VOLTAGE_V},
	    {32, 0x7F80, 0x0001, RF_ENERGY_TOTAL_WH},
	    {40, 0x7FFF, 0xFFFF, RF_CABINET_TEMP_C},
	};
	for (size_t i = 0; i < sizeof nan_rows / sizeof nan_rows[0]; i++) {
		n = inverter_block(&in, NULL, SUNSPEC_ENC_FLOAT, blk);
		blk[nan_rows[i].off] = nan_rows[i].hi;
		blk[nan_rows[i].off + 1] = nan_rows[i].lo;
		memset(&r, 0, sizeof r);
		CHECK_INT(sunspec_decode_inverter(blk, n, &r), 0);
		CHECK(!reading_has(&r, nan_rows[i].field));
		CHECK((r.sentinel >> nan_rows[i].field) & 1);
	}

	/* An absent field is served as NaN. */
	struct reading partial = in;
	partial.present &= ~(1u << RF_DC_POWER_W);
	n = inverter_block(&partial, NULL, SUNSPEC_ENC_FLOAT, blk);
	memset(&r, 0, sizeof r);
	CHECK_INT(sunspec_decode_inverter(blk, n, &r), 0);
	CHECK(!reading_has(&r, RF_DC_POWER_W));
	CHECK((r.sentinel >> RF_DC_POWER_W) & 1);

	/* Short or foreign blocks are refused. */
	CHECK_INT(sunspec_decode_inverter(blk, 30, &r), SUNSPEC_ERR_BLOCK);
	blk[0] = 120;
	CHECK_INT(sunspec_decode_inverter(blk, n, &r), SUNSPEC_ERR_BLOCK);
}

static void test_common_strings(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
	    {"Huawei", "Huawei"},
	    {"  SMA Solar  ", "SMA Solar"},
	    {"", ""},
	    {"ExactlySixteen!!ExactlySixteen!!", "ExactlySixteen!!ExactlySixteen!!"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct sunspec_identity id = ident;
		id.manufacturer = rows[i].in;
		uint16_t img[1024];
		CHECK(sunspec_encode_sensor(0, &id, &(struct reading){0}, 0, img, 1024) > 0);
		struct sunspec_common c;
		CHECK_INT(sunspec_decode_common(img + 2, 68, &c), 0);
		CHECK_STR(c.manufacturer, rows[i].want);
		CHECK_STR(c.model, "SIM-20K");
		CHECK_STR(c.version, "1.2.3");
		CHECK_STR(c.serial, "SN0001");
		CHECK_INT(c.device_address, 1);
	}
	/* Strings padded with spaces and NULs in the middle of the register. */
	uint16_t blk[68] = {1, 66};
	blk[2] = 'A' << 8 | 'B';
	blk[3] = ' ' << 8 | ' ';
	blk[18] = ' ' << 8 | 'X';
	blk[19] = 'Y' << 8;
	struct sunspec_common c;
	CHECK_INT(sunspec_decode_common(blk, 68, &c), 0);
	CHECK_STR(c.manufacturer, "AB");
	CHECK_STR(c.model, "XY");
	CHECK_STR(c.serial, "");
	CHECK_INT(sunspec_decode_common(blk, 40, &c), SUNSPEC_ERR_BLOCK);
}

/* Builds an inverter image at base; returns its length. */
static size_t build_inverter(uint16_t base, int flags, uint16_t *img, size_t cap)
{
	struct reading in = sample_inverter();
	int n = sunspec_encode_inverter(base, &ident, &in, NULL, NULL, flags, img, cap);
	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

static void test_discovery(void)
{
	static uint16_t img[2048];
	static const struct {
		const char *what;
		uint16_t base;
		int flags;
		int want;
		size_t want_models;
		uint16_t want_base;
	} rows[] = {
	    {"at 40000", 40000, 0, 0, 5, 40000},
	    {"at 0", 0, 0, 0, 5, 0},
	    {"at 50000", 50000, 0, 0, 5, 50000},
	    {"ends with 0x0000", 40000, SUNSPEC_ENC_END_ZERO, 0, 5, 40000},
	    {"float at 0", 0, SUNSPEC_ENC_FLOAT, 0, 5, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t n = build_inverter(rows[i].base, rows[i].flags, img, 2048);
		struct image im = {.base = rows[i].base, .regs = img, .n = n};
		struct sunspec_map map;
		CHECK_INT(sunspec_discover(image_read, &im, &map), rows[i].want);
		CHECK_INT(map.base, rows[i].want_base);
		CHECK_INT(map.n, rows[i].want_models);
		CHECK_INT(map.models[0].id, 1);
		CHECK_INT(map.models[0].addr, rows[i].base + 2);
		CHECK_INT(map.models[0].len, 66);
		CHECK_INT(map.models[1].id, rows[i].flags & SUNSPEC_ENC_FLOAT ? 113 : 103);
		CHECK_INT(map.models[1].addr, rows[i].base + 70);
		CHECK_INT(map.models[2].id, 120);
		CHECK_INT(map.models[3].id, 123);
		CHECK_INT(map.models[3].len, 24);
		CHECK_INT(map.models[4].id, 160);
		CHECK(im.max_count <= 2);
	}

	/* Chains that must fail cleanly. Each row edits a good image at 40000. */
	enum { NONE, BAD_MARKER, MODEL1_SHORT, RUN_OFF, LOOP, FAIL_ALL, TRUNCATE };
	static const struct {
		const char *what;
		int edit;
		int want;
	} bad[] = {
	    {"no marker", BAD_MARKER, SUNSPEC_ERR_NOT_FOUND},
	    {"model 1 too short", MODEL1_SHORT, SUNSPEC_ERR_CHAIN},
	    {"length runs off the address space", RUN_OFF, SUNSPEC_ERR_CHAIN},
	    {"device repeats one model forever", LOOP, SUNSPEC_ERR_CHAIN},
	    {"every read fails", FAIL_ALL, SUNSPEC_ERR_READ},
	    {"chain read fails", TRUNCATE, SUNSPEC_ERR_READ},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = build_inverter(40000, 0, img, 2048);
		struct image im = {.base = 40000, .regs = img, .n = n};
		switch (bad[i].edit) {
		case BAD_MARKER:
			img[1] = 0x6e54;
			break;
		case MODEL1_SHORT:
			img[3] = 3;
			break;
		case RUN_OFF:
			img[71] = 0xFFF0; /* model 103 claims 65520 registers */
			break;
		case LOOP:
			im.wrap_after =
			    72; /* past model 1, every read returns model 103's header */
			break;
		case FAIL_ALL:
			im.fail_all = 1;
			break;
		case TRUNCATE:
			im.n = 100; /* the device stops answering inside the chain */
			break;
		}
		struct sunspec_map map;
		int rc = sunspec_discover(image_read, &im, &map);
		if (rc != bad[i].want)
			fprintf(stderr, "case %s\n", bad[i].what);
		CHECK_INT(rc, bad[i].want);
		CHECK(im.reads < 200);
	}
}

static void test_inverter_round_trip(void)
{
	static uint16_t img[2048];
	static const int flag_rows[] = {0, SUNSPEC_ENC_FLOAT};
	struct reading in = sample_inverter();
	struct sunspec_mppt mppt = {0};
	mppt.n = SUNSPEC_MAX_MPPT; /* 8 + 320 registers: the model read must be split */
	mppt.events_present = 1;
	mppt.events = 1u << 3;
	for (size_t i = 0; i < mppt.n; i++) {
		struct sunspec_mppt_module *m = &mppt.mod[i];
		m->id = (uint16_t)(i + 1);
		snprintf(m->id_str, sizeof m->id_str, "PV%u", (unsigned)(i + 1) % 100u);
		m->present = 1u << SUNSPEC_MPPT_DC_CURRENT_A | 1u << SUNSPEC_MPPT_DC_VOLTAGE_V |
			     1u << SUNSPEC_MPPT_DC_POWER_W | 1u << SUNSPEC_MPPT_ENERGY_WH |
			     1u << SUNSPEC_MPPT_STATE;
		m->value[SUNSPEC_MPPT_DC_CURRENT_A] = 9.5 + (double)i / 100;
		m->value[SUNSPEC_MPPT_DC_VOLTAGE_V] = 600.5;
		m->value[SUNSPEC_MPPT_DC_POWER_W] = 5700 + (double)i;
		m->value[SUNSPEC_MPPT_ENERGY_WH] = 1000000 + (double)i;
		m->state = INV_STATE_MPPT;
		m->value[SUNSPEC_MPPT_STATE] = INV_STATE_MPPT;
	}
	mppt.mod[2].present &= ~(1u << SUNSPEC_MPPT_DC_POWER_W);

	for (size_t f = 0; f < sizeof flag_rows / sizeof flag_rows[0]; f++) {
		int n = sunspec_encode_inverter(40000, &ident, &in, &mppt, NULL, flag_rows[f], img,
						2048);
		CHECK(n > 0);
		CHECK_INT(sunspec_encode_inverter(40000, &ident, &in, &mppt, NULL, flag_rows[f],
						  img, (size_t)n - 1),
			  SUNSPEC_ERR_SPACE);
		n = sunspec_encode_inverter(40000, &ident, &in, &mppt, NULL, flag_rows[f], img,
					    2048);
		struct image im = {.base = 40000, .regs = img, .n = (size_t)n};
		struct sunspec_map map;
		CHECK_INT(sunspec_discover(image_read, &im, &map), 0);

		struct reading out = {0};
		struct sunspec_common common;
		struct sunspec_mppt got;
		for (size_t i = 0; i < map.n; i++) {
			uint16_t blk[512];
			int len = sunspec_read_model(image_read, &im, &map.models[i], blk, 512);
			CHECK_INT(len, map.models[i].len + 2);
			if (map.models[i].id == 1)
				CHECK_INT(sunspec_decode_common(blk, (size_t)len, &common), 0);
			else if (map.models[i].id == 160)
				CHECK_INT(sunspec_decode_mppt(blk, (size_t)len, &got), 0);
			else
				CHECK_INT(sunspec_decode_block(blk, (size_t)len, &out), 0);
		}
		CHECK(im.max_count <= SUNSPEC_MAX_READ);
		CHECK_INT(im.max_count, SUNSPEC_MAX_READ);
		CHECK_STR(common.manufacturer, "PVRelief");
		CHECK_STR(common.serial, "SN0001");
		static const enum reading_field fields[] = {
		    RF_POWER_W,	       RF_ENERGY_TOTAL_WH, RF_AC_CURRENT_A, RF_AC_VOLTAGE_V,
		    RF_FREQUENCY_HZ,   RF_DC_CURRENT_A,	   RF_DC_VOLTAGE_V, RF_DC_POWER_W,
		    RF_CABINET_TEMP_C, RF_RATED_POWER_W,   RF_STATE,	    RF_EVENTS,
		};
		for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
			CHECK(reading_has(&out, fields[k]));
			double tol = fields[k] == RF_ENERGY_TOTAL_WH && flag_rows[f] ? 8 : 1e-3;
			CHECK_NEAR(out.value[fields[k]], in.value[fields[k]], tol);
		}
		CHECK_INT(out.state, INV_STATE_MPPT);
		CHECK_INT(out.vendor_state, 0x0200);
		CHECK_INT(out.events, in.events);
		CHECK_INT(out.events2, 5);
		CHECK_INT(out.sentinel, 0);
		CHECK_INT(got.n, SUNSPEC_MAX_MPPT);
		CHECK_INT(got.events, 1u << 3);
		CHECK_STR(got.mod[15].id_str, "PV16");
		CHECK_NEAR(got.mod[15].value[SUNSPEC_MPPT_DC_CURRENT_A], 9.65, 1e-9);
		CHECK_NEAR(got.mod[15].value[SUNSPEC_MPPT_DC_VOLTAGE_V], 600.5, 1e-9);
		CHECK_NEAR(got.mod[15].value[SUNSPEC_MPPT_ENERGY_WH], 1000015, 1e-9);
		CHECK_INT(got.mod[15].state, INV_STATE_MPPT);
		CHECK(!(got.mod[2].present & (1u << SUNSPEC_MPPT_DC_POWER_W)));
		CHECK(got.mod[2].sentinel & (1u << SUNSPEC_MPPT_DC_POWER_W));
		CHECK(!(got.mod[2].present & (1u << SUNSPEC_MPPT_TEMP_C)));
		CHECK(got.mod[2].sentinel & (1u << SUNSPEC_MPPT_TEMP_C));
	}
}

/* Polls read only the span of the inverter model and model 160 that the decoders use: the
 * values (integer and float models, every module's DC current) come out as from the whole
 * model, from fewer registers. */
static void test_span(void)
{
	static uint16_t img[2048];
	static const int flag_rows[] = {0, SUNSPEC_ENC_FLOAT};
	struct reading in = sample_inverter();
	struct sunspec_mppt mppt = {0};
	mppt.n = 3;
	for (size_t i = 0; i < mppt.n; i++) {
		mppt.mod[i].id = (uint16_t)(i + 1);
		mppt.mod[i].present = 1u << SUNSPEC_MPPT_DC_CURRENT_A;
		mppt.mod[i].value[SUNSPEC_MPPT_DC_CURRENT_A] = 8.25 + (double)i;
	}
	for (size_t f = 0; f < sizeof flag_rows / sizeof flag_rows[0]; f++) {
		int n = sunspec_encode_inverter(40000, &ident, &in, &mppt, NULL, flag_rows[f], img,
						2048);
		CHECK(n > 0);
		struct image im = {.base = 40000, .regs = img, .n = (size_t)n};
		struct sunspec_map map;
		CHECK_INT(sunspec_discover(image_read, &im, &map), 0);
		for (size_t i = 0; i < map.n; i++) {
			const struct sunspec_model *m = &map.models[i];
			if (m->id != 160 && !(m->id >= 101 && m->id <= 113))
				continue;
			uint16_t whole[512], part[512], lo, hi;
			int len = sunspec_read_model(image_read, &im, m, whole, 512);
			sunspec_span(m, &lo, &hi);
			CHECK_REPORT_(hi - lo < m->len, "model %u: span %u..%u of %u registers",
				      m->id, lo, hi, m->len + 2);
			im.max_count = 0;
			CHECK_INT(sunspec_read_span(image_read, &im, m, part, 512), len);
			CHECK_INT(im.max_count, hi - lo);
			if (m->id == 160) {
				struct sunspec_mppt a, b;
				CHECK_INT(sunspec_decode_mppt(whole, (size_t)len, &a), 0);
				CHECK_INT(sunspec_decode_mppt(part, (size_t)len, &b), 0);
				CHECK_INT(b.n, 3);
				for (size_t k = 0; k < 3; k++)
					CHECK_NEAR(b.mod[k].value[SUNSPEC_MPPT_DC_CURRENT_A],
						   a.mod[k].value[SUNSPEC_MPPT_DC_CURRENT_A], 1e-9);
				continue;
			}
			struct reading a = {0}, b = {0};
			CHECK_INT(sunspec_decode_block(whole, (size_t)len, &a), 0);
			CHECK_INT(sunspec_decode_block(part, (size_t)len, &b), 0);
			CHECK(a.present != 0);
			CHECK_INT(b.present & ~(uint32_t)SUNSPEC_SPAN_UNREAD,
				  a.present & ~(uint32_t)SUNSPEC_SPAN_UNREAD);
			CHECK_INT(b.present & ~a.present, 0);
			CHECK_INT(b.state, a.state);
			CHECK_INT(b.events, a.events);
			for (int k = 0; k < RF_COUNT; k++)
				if (reading_has(&b, (enum reading_field)k))
					CHECK_NEAR(b.value[k], a.value[k], 1e-9);
			/* What the daemon stores and judges by comes through. */
			static const enum reading_field used[] = {RF_POWER_W,	 RF_ENERGY_TOTAL_WH,
								  RF_DC_POWER_W, RF_CABINET_TEMP_C,
								  RF_STATE,	 RF_EVENTS};
			for (size_t k = 0; k < sizeof used / sizeof used[0]; k++)
				CHECK(reading_has(&b, used[k]));
		}
	}
}

static void test_sensor_round_trip(void)
{
	static const struct {
		double ghi, poa, dhi, dni, tmod, tair, wind;
		uint32_t absent; /* fields left out of the input */
	} rows[] = {
	    {812, 905, 120, 700, 48.3, 27.1, 3, 0},
	    {0, 0, 0, 0, -5.5, -12.4, 0, 0},
	    {640, 700, 90, 500, 30.0, 20.0, 2, 1u << RF_POA_W_M2 | 1u << RF_WIND_M_S},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct reading in = {0};
		reading_set(&in, RF_GHI_W_M2, rows[i].ghi);
		reading_set(&in, RF_POA_W_M2, rows[i].poa);
		reading_set(&in, RF_DHI_W_M2, rows[i].dhi);
		reading_set(&in, RF_DNI_W_M2, rows[i].dni);
		reading_set(&in, RF_MODULE_TEMP_C, rows[i].tmod);
		reading_set(&in, RF_AIR_TEMP_C, rows[i].tair);
		reading_set(&in, RF_WIND_M_S, rows[i].wind);
		in.present &= ~rows[i].absent;
		uint16_t img[256];
		int n = sunspec_encode_sensor(0, &ident, &in, 0, img, 256);
		CHECK_INT(n, 2 + 68 + 7 + 3 + 13 + 2);
		struct image im = {.base = 0, .regs = img, .n = (size_t)n};
		struct sunspec_map map;
		CHECK_INT(sunspec_discover(image_read, &im, &map), 0);
		CHECK_INT(map.n, 4);
		struct reading out = {0};
		for (size_t k = 1; k < map.n; k++) {
			uint16_t blk[128];
			int len = sunspec_read_model(image_read, &im, &map.models[k], blk, 128);
			CHECK_INT(sunspec_decode_block(blk, (size_t)len, &out), 0);
		}
		for (int f = RF_GHI_W_M2; f <= RF_WIND_M_S; f++) {
			if (rows[i].absent & (1u << f)) {
				CHECK(!reading_has(&out, f));
				CHECK((out.sentinel >> f) & 1);
			} else {
				CHECK(reading_has(&out, f));
				CHECK_NEAR(out.value[f], in.value[f], 1e-9);
			}
		}
	}
	/* Model 303 with several sensors gives their mean, skipping unimplemented ones. */
	uint16_t bom[] = {303, 3, 450, 0x8000, 470};
	struct reading r = {0};
	CHECK_INT(sunspec_decode_module_temp(bom, 5, &r), 0);
	CHECK_NEAR(r.value[RF_MODULE_TEMP_C], 46.0, 1e-9);
	uint16_t bom_none[] = {303, 1, 0x8000};
	memset(&r, 0, sizeof r);
	CHECK_INT(sunspec_decode_module_temp(bom_none, 3, &r), 0);
	CHECK(!reading_has(&r, RF_MODULE_TEMP_C));
	CHECK((r.sentinel >> RF_MODULE_TEMP_C) & 1);
	CHECK_INT(sunspec_decode_block(bom, 5, &r), 0);
	uint16_t other[] = {64, 0};
	CHECK_INT(sunspec_decode_block(other, 2, &r), SUNSPEC_ERR_UNSUPPORTED);
}

/* The active power limit of controls models 123 and 704: a percentage with its scale factor,
 * only while enabled; a 704 of another length than the published one is refused. */
static void test_controls(void)
{
	static const struct {
		const char *what;
		uint16_t id, len;
		uint16_t ena, pct, sf; /* registers as the device holds them */
		int want_rc;
		double want; /* NAN: no limit */
	} rows[] = {
	    {"123 enabled at 50.0%", 123, 24, 1, 500, (uint16_t)-1, 0, 50.0},
	    {"123 enabled at 30%, SF 0", 123, 24, 1, 30, 0, 0, 30.0},
	    {"123 disabled", 123, 24, 0, 500, (uint16_t)-1, 0, NAN},
	    {"123 enable not implemented", 123, 24, 0xFFFF, 500, (uint16_t)-1, 0, NAN},
	    {"123 percentage not implemented", 123, 24, 1, 0xFFFF, (uint16_t)-1, 0, NAN},
	    {"123 scale factor not implemented", 123, 24, 1, 500, 0x8000, 0, NAN},
	    {"123 too short", 123, 20, 1, 500, (uint16_t)-1, SUNSPEC_ERR_BLOCK, NAN},
	    {"704 enabled at 75.5%", 704, 69, 1, 755, (uint16_t)-1, 0, 75.5},
	    {"704 disabled", 704, 69, 0, 755, (uint16_t)-1, 0, NAN},
	    {"704 of a draft's length", 704, 57, 1, 755, (uint16_t)-1, SUNSPEC_ERR_BLOCK, NAN},
	    {"another model", 160, 24, 1, 500, (uint16_t)-1, SUNSPEC_ERR_BLOCK, NAN},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		uint16_t b[80];
		for (size_t k = 0; k < 80; k++)
			b[k] = 0x8000;
		b[0] = rows[i].id;
		b[1] = rows[i].len;
		int is704 = rows[i].id == 704;
		b[is704 ? 14 : 9] = rows[i].ena;
		b[is704 ? 15 : 5] = rows[i].pct;
		b[is704 ? 58 : 23] = rows[i].sf;
		struct reading r = {0};
		int rc = sunspec_decode_controls(b, (size_t)rows[i].len + 2, &r);
		if (rc != rows[i].want_rc)
			printf("%s\n", rows[i].what);
		CHECK_INT(rc, rows[i].want_rc);
		/* Read as the poller reads it, only its span (the rest unread, 0xFFFF): the same.
		 */
		if (rows[i].id != 160) {
			struct sunspec_model m = {.id = rows[i].id, .len = rows[i].len};
			uint16_t lo, hi, part[80];
			sunspec_span(&m, &lo, &hi);
			CHECK_REPORT_(hi - lo < m.len, "model %u: span %u..%u", m.id, lo, hi);
			for (size_t k = 0; k < 80; k++)
				part[k] = k < 2 || (k >= lo && k < hi) ? b[k] : 0xFFFF;
			struct reading rp = {0};
			CHECK_INT(sunspec_decode_controls(part, (size_t)rows[i].len + 2, &rp), rc);
			CHECK_INT(reading_has(&rp, RF_POWER_LIMIT_PCT),
				  reading_has(&r, RF_POWER_LIMIT_PCT));
			if (reading_has(&r, RF_POWER_LIMIT_PCT))
				CHECK_NEAR(rp.value[RF_POWER_LIMIT_PCT],
					   r.value[RF_POWER_LIMIT_PCT], 1e-9);
		}
		CHECK_INT(reading_has(&r, RF_POWER_LIMIT_PCT), !isnan(rows[i].want));
		if (!isnan(rows[i].want))
			CHECK_NEAR(r.value[RF_POWER_LIMIT_PCT], rows[i].want, 1e-9);
		/* Through the block dispatcher alike. */
		struct reading r2 = {0};
		if (rows[i].id != 160)
			CHECK_INT(sunspec_decode_block(b, (size_t)rows[i].len + 2, &r2), rc);
		CHECK_INT(r2.present, r.present);
	}

	/* The encoder's model 123 (or 704) says what the reading says: a limit, or none
	 * (disabled), and the chain holds one of the two. */
	static uint16_t img[2048];
	for (int k = 0; k < 4; k++) {
		int limited = k & 1, der = k >> 1;
		struct reading in = sample_inverter();
		if (limited)
			reading_set(&in, RF_POWER_LIMIT_PCT, 42.5);
		int n = sunspec_encode_inverter(40000, &ident, &in, NULL, NULL,
						der ? SUNSPEC_ENC_DER_CONTROLS : 0, img, 2048);
		CHECK(n > 0);
		struct image im = {.base = 40000, .regs = img, .n = n > 0 ? (size_t)n : 0};
		struct sunspec_map map;
		CHECK_INT(sunspec_discover(image_read, &im, &map), 0);
		const struct sunspec_model *m = sunspec_find(&map, der ? 704 : 123);
		CHECK(m != NULL);
		CHECK(sunspec_find(&map, der ? 123 : 704) == NULL);
		if (!m)
			continue;
		CHECK_INT(m->len, der ? 69 : 24);
		const uint16_t *blk = img + (m->addr - 40000);
		struct reading out = {0};
		CHECK_INT(sunspec_decode_controls(blk, (size_t)m->len + 2, &out), 0);
		CHECK_INT(reading_has(&out, RF_POWER_LIMIT_PCT), limited);
		if (limited)
			CHECK_NEAR(out.value[RF_POWER_LIMIT_PCT], 42.5, 1e-9);
		else
			CHECK_INT(blk[der ? 15 : 5], 1000); /* 100.0% */
		if (der) /* an int32 point left "not implemented" */
			CHECK(blk[24] == 0x8000 && blk[25] == 0);
	}
}

static void test_event_names(void)
{
	CHECK_STR(sunspec_event_name(0), "GROUND_FAULT");
	CHECK_STR(sunspec_event_name(7), "OVER_TEMP");
	CHECK_STR(sunspec_event_name(15), "HW_TEST_FAILURE");
	CHECK(sunspec_event_name(16) == NULL);
	CHECK(sunspec_event_name(-1) == NULL);
}

int main(void)
{
	test_implemented_table();
	test_inverter_sentinels();
	test_scale_factor_changes();
	test_float_model();
	test_common_strings();
	test_discovery();
	test_inverter_round_trip();
	test_span();
	test_sensor_round_trip();
	test_controls();
	test_event_names();
	return check_summary();
}
