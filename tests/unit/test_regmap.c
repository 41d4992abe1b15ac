/* Vendor register maps: decoding per brand, block coalescing, encode/decode round trips of the
 * shipped map files, and the loader's messages for bad files. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/errlist.h"
#include "pvrelief/regmap.h"

static uint16_t image[65536];

static struct regmap *load_shipped(const char *file)
{
	const char *src = getenv("PVRELIEF_SOURCE_DIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/conf/maps/%s", src ? src : ".", file);
	struct errlist errs = {0};
	struct regmap *map = regmap_load(path, &errs);
	char *msg = errlist_join(&errs);
	if (!map)
		fprintf(stderr, "%s\n", msg);
	CHECK(map != NULL);
	CHECK_STR(msg, "");
	free(msg);
	errlist_clear(&errs);
	return map;
}

/* Reads the map's blocks out of the image as a poller would, then decodes them. */
static int decode_image(const struct regmap *map, struct reading *out)
{
	struct regmap_block blocks[64];
	int n = regmap_blocks(map, blocks, 64);
	CHECK(n > 0);
	static uint16_t data[64 * 125];
	size_t at = 0;
	for (int i = 0; i < n; i++) {
		CHECK(blocks[i].count <= map->max_block);
		memcpy(data + at, image + blocks[i].addr, blocks[i].count * sizeof *data);
		at += blocks[i].count;
	}
	return regmap_decode(map, blocks, (size_t)n, data, out);
}

static struct reading sample(void)
{
	struct reading r = {0};
	reading_set(&r, RF_POWER_W, 12345);
	reading_set(&r, RF_ENERGY_TOTAL_WH, 1234000); /* whole kWh: Sungrow, Solis */
	reading_set(&r, RF_ENERGY_TODAY_WH, 45600);
	reading_set(&r, RF_AC_CURRENT_A, 12.3);
	reading_set(&r, RF_AC_VOLTAGE_V, 230.4);
	reading_set(&r, RF_FREQUENCY_HZ, 50.0);
	reading_set(&r, RF_DC_POWER_W, 13000);
	reading_set(&r, RF_CABINET_TEMP_C, -5.5);
	reading_set(&r, RF_RATED_POWER_W, 20000);
	r.state = INV_STATE_MPPT;
	reading_set(&r, RF_STATE, r.state);
	r.events = 0x81;
	reading_set(&r, RF_EVENTS, r.events);
	r.fault_code = 39;
	reading_set(&r, RF_FAULT_CODE, 39);
	reading_set(&r, RF_POWER_LIMIT_PCT, 55.5);
	return r;
}

static const char *const shipped[] = {"huawei-sun2000.conf", "sungrow-sg.conf", "goodwe-dt.conf",
				      "growatt.conf", "solis-3p.conf"};

/* Each row patches registers (by document address) of a valid image and says what the field
 * must decode to; isnan(want) means "not present, sentinel bit set". */
static void test_decode_per_brand(void)
{
	static const struct {
		const char *file;
		uint32_t addr;
		size_t n;
		uint16_t v[2];
		enum reading_field field;
		double want;
	} rows[] = {
	    /* Huawei: high word first, signed power, gains 1000/100/10. */
	    {"huawei-sun2000.conf", 32080, 2, {0xFFFF, 0xFC18}, RF_POWER_W, -1000},
	    {"huawei-sun2000.conf", 32080, 2, {0x0001, 0x0000}, RF_POWER_W, 65536},
	    {"huawei-sun2000.conf", 32080, 2, {0x7FFF, 0xFFFF}, RF_POWER_W, NAN},
	    {"huawei-sun2000.conf", 32106, 2, {0x0001, 0x0002}, RF_ENERGY_TOTAL_WH, 655380},
	    {"huawei-sun2000.conf", 32106, 2, {0xFFFF, 0xFFFF}, RF_ENERGY_TOTAL_WH, NAN},
	    {"huawei-sun2000.conf", 32114, 2, {0x0000, 0x0064}, RF_ENERGY_TODAY_WH, 1000},
	    {"huawei-sun2000.conf", 32087, 1, {0xFF9C}, RF_CABINET_TEMP_C, -10.0},
	    {"huawei-sun2000.conf", 32087, 1, {0x7FFF}, RF_CABINET_TEMP_C, NAN},
	    {"huawei-sun2000.conf", 32069, 1, {0xFFFF}, RF_AC_VOLTAGE_V, NAN},
	    {"huawei-sun2000.conf", 32089, 1, {0xA000}, RF_STATE, INV_STATE_SLEEPING},
	    {"huawei-sun2000.conf", 32089, 1, {0x0300}, RF_STATE, INV_STATE_FAULT},
	    {"huawei-sun2000.conf", 32089, 1, {0x0999}, RF_STATE, INV_STATE_UNKNOWN},
	    {"huawei-sun2000.conf", 32090, 1, {0xFFFF}, RF_FAULT_CODE, NAN},
	    {"huawei-sun2000.conf", 30073, 2, {0x0000, 0x9C40}, RF_RATED_POWER_W, 40000},
	    /* Sungrow: low word first, 0.1 kWh and kWh. */
	    {"sungrow-sg.conf", 5004, 2, {0x5678, 0x1234}, RF_ENERGY_TOTAL_WH, 305419896000.0},
	    {"sungrow-sg.conf", 5004, 2, {0xFFFF, 0xFFFF}, RF_ENERGY_TOTAL_WH, NAN},
	    {"sungrow-sg.conf", 5031, 2, {0x86A0, 0x0001}, RF_POWER_W, 100000},
	    {"sungrow-sg.conf", 5031, 2, {0xFFFF, 0x7FFF}, RF_POWER_W, NAN},
	    {"sungrow-sg.conf", 5031, 2, {0x7FFF, 0xFFFF}, RF_POWER_W, 4294934527.0},
	    {"sungrow-sg.conf", 5003, 1, {123}, RF_ENERGY_TODAY_WH, 12300},
	    {"sungrow-sg.conf", 5003, 1, {0xFFFF}, RF_ENERGY_TODAY_WH, NAN},
	    {"sungrow-sg.conf", 5008, 1, {0x7FFF}, RF_CABINET_TEMP_C, NAN},
	    {"sungrow-sg.conf", 5008, 1, {0xFFFF}, RF_CABINET_TEMP_C, NAN},
	    {"sungrow-sg.conf", 5008, 1, {0xFFFE}, RF_CABINET_TEMP_C, -0.2},
	    {"sungrow-sg.conf", 5038, 1, {0x5500}, RF_STATE, INV_STATE_FAULT},
	    {"sungrow-sg.conf", 5038, 1, {0x8000}, RF_STATE, INV_STATE_OFF},
	    {"sungrow-sg.conf", 5045, 1, {12}, RF_FAULT_CODE, 12},
	    /* GoodWe: 32-bit error bits, 0.1 kWh totals. */
	    {"goodwe-dt.conf", 30130, 2, {0x0001, 0x0002}, RF_EVENTS, 0x00010002},
	    {"goodwe-dt.conf", 30130, 2, {0xFFFF, 0xFFFF}, RF_EVENTS, NAN},
	    {"goodwe-dt.conf", 30145, 2, {0x0000, 0x03E8}, RF_ENERGY_TOTAL_WH, 100000},
	    {"goodwe-dt.conf", 30129, 1, {2}, RF_STATE, INV_STATE_FAULT},
	    {"goodwe-dt.conf", 30129, 1, {0xFFFF}, RF_STATE, NAN},
	    /* Growatt: 0.1 W power. */
	    {"growatt.conf", 35, 2, {0x0001, 0x0000}, RF_POWER_W, 6553.6},
	    {"growatt.conf", 55, 2, {0xFFFF, 0xFFFF}, RF_ENERGY_TOTAL_WH, NAN},
	    {"growatt.conf", 0, 1, {3}, RF_STATE, INV_STATE_FAULT},
	    {"growatt.conf", 93, 1, {0x7FFF}, RF_CABINET_TEMP_C, NAN},
	    /* Solis: document address - 1. */
	    {"solis-3p.conf", 3005, 2, {0x0000, 0x1F40}, RF_POWER_W, 8000},
	    {"solis-3p.conf", 3015, 1, {0xFFFF}, RF_ENERGY_TODAY_WH, NAN},
	    {"solis-3p.conf", 3044, 1, {3}, RF_STATE, INV_STATE_MPPT},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct regmap *map = load_shipped(rows[i].file);
		if (!map)
			continue;
		struct reading in = sample();
		memset(image, 0, sizeof image);
		CHECK_INT(regmap_encode(map, &in, image, 65536, 0), 0);
		uint32_t pdu = rows[i].addr - (uint32_t)map->address_offset;
		memcpy(image + pdu, rows[i].v, rows[i].n * sizeof(uint16_t));
		struct reading out = {0};
		CHECK_INT(decode_image(map, &out), 0);
		enum reading_field f = rows[i].field;
		if (isnan(rows[i].want)) {
			if (reading_has(&out, f))
				fprintf(stderr, "row %zu: %s %u present\n", i, rows[i].file,
					rows[i].addr);
			CHECK(!reading_has(&out, f));
			CHECK((out.sentinel >> f) & 1);
		} else {
			CHECK(reading_has(&out, f));
			CHECK_NEAR(out.value[f], rows[i].want, 1e-6);
			CHECK(!((out.sentinel >> f) & 1));
		}
		if (f == RF_STATE && !isnan(rows[i].want)) {
			CHECK_INT(out.state, (int)rows[i].want);
			CHECK_INT(out.vendor_state, rows[i].v[0]);
		}
		if (f == RF_EVENTS && !isnan(rows[i].want))
			CHECK_INT(out.events, (uint32_t)rows[i].want);
		regmap_free(map);
	}
}

static void test_huawei_alarm_words(void)
{
	struct regmap *map = load_shipped("huawei-sun2000.conf");
	if (!map)
		return;
	struct reading in = sample();
	memset(image, 0, sizeof image);
	CHECK_INT(regmap_encode(map, &in, image, 65536, 0), 0);
	image[32008] = 0x0080; /* Alarm 1 bit 7: grid loss */
	image[32009] = 0x0004; /* Alarm 2 bit 2: low insulation resistance */
	image[32010] = 0x0040; /* Alarm 3 bit 6: PV string loss */
	struct reading out = {0};
	CHECK_INT(decode_image(map, &out), 0);
	CHECK_INT(out.events, 0x00040080u);
	CHECK_INT(out.events2, 0x40u);
	CHECK_STR(regmap_alarm_name(map, 7, REGMAP_EN), "Grid loss (2032)");
	CHECK_STR(regmap_alarm_name(map, 18, REGMAP_EN), "Low insulation resistance (2062)");
	CHECK_STR(regmap_alarm_name(map, 38, REGMAP_ZH), "PV string loss (2015)");
	CHECK(regmap_alarm_name(map, 63, REGMAP_EN) == NULL);
	CHECK_STR(regmap_status_name(map, 0xA000, REGMAP_EN), "Standby: no irradiation");
	CHECK(regmap_status_name(map, 0x1234, REGMAP_EN) == NULL);
	CHECK_INT(map->connect_wait_ms, 1000);
	CHECK_INT(map->max_block, 64);

	/* Huawei allows 64 registers a read and the map keeps reads off the reserved registers
	 * between the alarm words and the power block: three reads, and a fourth of one register
	 * for the active power derating (the power limit). */
	struct regmap_block b[8];
	CHECK_INT(regmap_blocks(map, b, 8), 4);
	CHECK_INT(b[3].addr, 40125);
	CHECK_INT(b[3].count, 1);
	CHECK_INT(b[0].addr, 30073);
	CHECK_INT(b[0].count, 2);
	CHECK_INT(b[1].addr, 32008);
	CHECK_INT(b[1].count, 3);
	CHECK_INT(b[2].addr, 32064);
	CHECK_INT(b[2].count, 52);
	CHECK_INT(regmap_blocks(map, b, 2), REGMAP_ERR_SPACE);
	regmap_free(map);
}

static void test_blocks(void)
{
	static const struct {
		const char *what;
		int max_block, max_gap, offset;
		size_t n;
		struct {
			uint32_t addr;
			enum regmap_type type;
		} pts[6];
		int want_n;
		struct regmap_block want[6];
	} rows[] = {
	    {"one read",
	     125,
	     125,
	     0,
	     3,
	     {{10, REGMAP_U16}, {11, REGMAP_U32}, {20, REGMAP_U16}},
	     1,
	     {{10, 11}}},
	    {"unsorted points",
	     125,
	     125,
	     0,
	     3,
	     {{20, REGMAP_U16}, {10, REGMAP_U16}, {15, REGMAP_I32}},
	     1,
	     {{10, 11}}},
	    {"split at max_block",
	     10,
	     125,
	     0,
	     3,
	     {{0, REGMAP_U16}, {8, REGMAP_U32}, {9 + 1, REGMAP_U16}},
	     2,
	     {{0, 10}, {10, 1}}},
	    {"32-bit point not cut",
	     10,
	     125,
	     0,
	     2,
	     {{0, REGMAP_U16}, {9, REGMAP_U32}},
	     2,
	     {{0, 1}, {9, 2}}},
	    {"gap limit",
	     125,
	     3,
	     0,
	     4,
	     {{0, REGMAP_U16}, {4, REGMAP_U16}, {9, REGMAP_U16}, {10, REGMAP_U16}},
	     2,
	     {{0, 5}, {9, 2}}},
	    {"no gap allowed",
	     125,
	     0,
	     0,
	     3,
	     {{0, REGMAP_U32}, {2, REGMAP_U16}, {4, REGMAP_U16}},
	     2,
	     {{0, 3}, {4, 1}}},
	    {"document offset",
	     125,
	     125,
	     1,
	     2,
	     {{5004, REGMAP_U32}, {5003, REGMAP_U16}},
	     1,
	     {{5002, 3}}},
	    {"far apart",
	     125,
	     125,
	     0,
	     2,
	     {{0, REGMAP_U16}, {200, REGMAP_U16}},
	     2,
	     {{0, 1}, {200, 1}}},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct regmap_point pts[6] = {0};
		for (size_t k = 0; k < rows[i].n; k++) {
			pts[k].field = (enum reading_field)k;
			pts[k].addr = rows[i].pts[k].addr;
			pts[k].type = rows[i].pts[k].type;
			pts[k].scale = 1;
		}
		struct regmap map = {.max_block = rows[i].max_block,
				     .max_gap = rows[i].max_gap,
				     .address_offset = rows[i].offset,
				     .n_points = rows[i].n,
				     .points = pts};
		struct regmap_block got[6];
		int n = regmap_blocks(&map, got, 6);
		if (n != rows[i].want_n)
			fprintf(stderr, "case %s\n", rows[i].what);
		CHECK_INT(n, rows[i].want_n);
		for (int k = 0; k < n && k < rows[i].want_n; k++) {
			CHECK_INT(got[k].addr, rows[i].want[k].addr);
			CHECK_INT(got[k].count, rows[i].want[k].count);
		}
	}
}

static void test_round_trip_shipped(void)
{
	for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
		struct regmap *map = load_shipped(shipped[i]);
		if (!map)
			continue;
		struct reading in = sample();
		memset(image, 0xAA, sizeof image);
		CHECK_INT(regmap_encode(map, &in, image, 65536, 0), 0);
		struct reading out = {0};
		CHECK_INT(decode_image(map, &out), 0);
		CHECK(out.present != 0);
		for (size_t k = 0; k < map->n_points; k++) {
			enum reading_field f = map->points[k].field;
			CHECK(reading_has(&out, f));
			CHECK_NEAR(out.value[f], in.value[f], 1e-6 * fabs(in.value[f]) + 1e-9);
		}
		CHECK_INT(out.sentinel, 0);
		if (reading_has(&out, RF_STATE))
			CHECK_INT(out.state, INV_STATE_MPPT);

		/* Every field the map has but the reading lacks comes back as a sentinel. */
		struct reading none = {0};
		CHECK_INT(regmap_encode(map, &none, image, 65536, 0), 0);
		memset(&out, 0, sizeof out);
		CHECK_INT(decode_image(map, &out), 0);
		for (size_t k = 0; k < map->n_points; k++) {
			const struct regmap_point *p = &map->points[k];
			if (p->n_invalid) {
				CHECK(!reading_has(&out, p->field));
				CHECK((out.sentinel >> p->field) & 1);
			}
		}

		/* A power the register cannot hold is refused rather than wrapped. */
		reading_set(&in, RF_POWER_W, 1e13);
		CHECK_INT(regmap_encode(map, &in, image, 65536, 0), REGMAP_ERR_RANGE);
		/* So is an image that does not reach the map's registers. */
		CHECK_INT(regmap_encode(map, &none, image, 10, 0), REGMAP_ERR_SPACE);
		regmap_free(map);
	}
}

static char tmpdir[] = "/tmp/pvrelief-regmap-XXXXXX";

static char *write_file(const char *name, const char *text)
{
	char *path = malloc(strlen(tmpdir) + strlen(name) + 2);
	sprintf(path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void test_loader_errors(void)
{
	static const struct {
		const char *name, *text, *want; /* want: messages, "%s" for the path */
	} rows[] = {
	    {"syntax.conf", "name = \"x\";\nfunction = ;\n", "%s:2: syntax error"},
	    {"missing.conf", "name = \"x\";\n",
	     "%s: missing setting \"vendor\"\n"
	     "%s: missing setting \"document\"\n"
	     "%s: missing setting \"document_version\"\n"
	     "%s: missing setting \"function\"\n"
	     "%s: missing setting \"max_block\"\n"
	     "%s: missing setting \"points\""},
	    {"bad.conf",
	     "name = \"t\";\n"
	     "vendor = \"v\";\n"
	     "document = 7;\n"
	     "document_version = \"1\";\n"
	     "function = 5;\n"
	     "max_block = 200;\n"
	     "colour = \"red\";\n"
	     "points = (\n"
	     "  { field = \"powr_w\"; address = 1; type = \"u16\"; },\n"
	     "  { field = \"power_w\"; address = 2; type = \"u64\"; },\n"
	     "  { field = \"energy_total_wh\"; address = 3; type = \"u32\"; order = \"middle\"; "
	     "},\n"
	     "  { field = \"dc_power_w\"; address = 10; type = \"u16\"; scale = 0; invalid = "
	     "[0x1FFFF]; },\n"
	     "  { field = \"state\"; address = 20; type = \"u16\"; shift = 3; },\n"
	     "  { field = \"fault_code\"; address = 21; type = \"u16\"; scale = 10; size = 1; }\n"
	     ");\n"
	     "status = ( { code = 1; state = \"running\"; name = \"Run\"; },\n"
	     "           { code = 1; state = \"mppt\"; name = \"Again\"; } );\n"
	     "alarms = ( { bit = 64; name = \"x\"; } );\n",
	     "%s:7: unknown setting \"colour\"\n"
	     "%s:3: \"document\" must be a string\n"
	     "%s:5: function must be 3 (holding registers) or 4 (input registers), not 5\n"
	     "%s:6: max_block must be between 1 and 125, not 200\n"
	     "%s:9: unknown field \"powr_w\"\n"
	     "%s:10: unknown register type \"u64\" (expected u16, i16, u32 or i32)\n"
	     "%s:11: unknown word order \"middle\" (expected high_first or low_first)\n"
	     "%s:12: scale must not be zero\n"
	     "%s:12: invalid marker 131071 does not fit a u16 register\n"
	     "%s:13: shift is only for alarm points\n"
	     "%s:14: unknown setting \"size\"\n"
	     "%s:14: a fault_code point is a code, so its scale must be 1\n"
	     "%s:16: unknown state \"running\" (expected off, sleeping, starting, mppt, throttled, "
	     "shutting_down, fault, standby or unknown)\n"
	     "%s:17: duplicate status code 1 (first on line 16)\n"
	     "%s:18: bit must be between 0 and 63, not 64"},
	    {"dup.conf",
	     "name=\"t\"; vendor=\"v\"; document=\"d\"; document_version=\"1\"; function=3; "
	     "max_block=10;\n"
	     "points = (\n"
	     "  { field = \"power_w\"; address = 100; type = \"u32\"; },\n"
	     "  { field = \"energy_total_wh\"; address = 101; type = \"u16\"; },\n"
	     "  { field = \"power_w\"; address = 200; type = \"u16\"; },\n"
	     "  { field = \"alarm\"; address = 300; type = \"u16\"; shift = 0; },\n"
	     "  { field = \"alarm\"; address = 301; type = \"u16\"; shift = 8; },\n"
	     "  { field = \"state\"; address = 302; type = \"u16\"; },\n"
	     "  { field = \"ac_voltage_v\"; address = 70000; type = \"u16\"; }\n"
	     ");\n",
	     "%s:9: address 70000 is outside the Modbus address space with address_offset 0\n"
	     "%s:8: a state point needs a status table to map its codes"},
	    {"dup2.conf",
	     "name=\"t\"; vendor=\"v\"; document=\"d\"; document_version=\"1\"; function=3; "
	     "max_block=10;\n"
	     "points = (\n"
	     "  { field = \"power_w\"; address = 100; type = \"u32\"; },\n"
	     "  { field = \"energy_total_wh\"; address = 101; type = \"u16\"; },\n"
	     "  { field = \"power_w\"; address = 200; type = \"u16\"; },\n"
	     "  { field = \"alarm\"; address = 300; type = \"u16\"; shift = 0; },\n"
	     "  { field = \"alarm\"; address = 301; type = \"u16\"; shift = 8; },\n"
	     "  { field = \"state\"; address = 302; type = \"u16\"; }\n"
	     ");\n"
	     "faults = ( { code = 7; name = \"a\"; }, { code = 7; name = \"b\"; } );\n",
	     "%s:4: point at address 101 overlaps the point on line 3\n"
	     "%s:5: field \"power_w\" already has a point on line 3\n"
	     "%s:7: alarm bits of this point overlap those of the point on line 6\n"
	     "%s:10: duplicate fault code 7 (first on line 10)\n"
	     "%s:8: a state point needs a status table to map its codes"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *path = write_file(rows[i].name, rows[i].text);
		/* Expand every %s of the expectation to the path. */
		char want[4096] = "", *w = want;
		for (const char *p = rows[i].want; *p;) {
			if (p[0] == '%' && p[1] == 's') {
				w += sprintf(w, "%s", path);
				p += 2;
			} else {
				*w++ = *p++;
			}
		}
		*w = '\0';
		struct errlist errs = {0};
		struct regmap *map = regmap_load(path, &errs);
		CHECK(map == NULL);
		char *got = errlist_join(&errs);
		CHECK_STR(got, want);
		free(got);
		errlist_clear(&errs);
		regmap_free(map);
		unlink(path);
		free(path);
	}

	/* A file that is not there. */
	struct errlist errs = {0};
	CHECK(regmap_load("/nonexistent/pvrelief/map.conf", &errs) == NULL);
	char *got = errlist_join(&errs);
	CHECK_STR(
	    got,
	    "/nonexistent/pvrelief/map.conf: cannot read the map file: No such file or directory");
	free(got);
	errlist_clear(&errs);
	regmap_free(NULL);
}

static void test_loader_good_file(void)
{
	char *path =
	    write_file("good.conf",
		       "name = \"mini\"; vendor = \"V\"; document = \"D\";\n"
		       "document_version = \"1.0\"; function = 4; address_offset = 1;\n"
		       "max_block = 50; max_gap = 4; connect_wait_ms = 250;\n"
		       "points = ( { field = \"state\"; address = 11; type = \"u16\"; },\n"
		       "  { field = \"alarm\"; address = 12; type = \"u32\"; order = "
		       "\"low_first\"; shift = 32; invalid = [0xFFFFFFFF]; } );\n"
		       "status = ( { code = 3; state = \"mppt\"; name = \"Generating\"; "
		       "name_zh = \"发电\"; } );\n"
		       "alarms = ( { bit = 33; name = \"Grid lost\"; name_zh = \"电网掉电\"; } );\n"
		       "faults = ( { code = 0x1010; name = \"Grid overvoltage\"; } );\n");
	struct errlist errs = {0};
	struct regmap *map = regmap_load(path, &errs);
	CHECK(map != NULL);
	CHECK_INT(errs.n, 0);
	if (map) {
		CHECK_STR(map->name, "mini");
		CHECK_INT(map->function, 4);
		CHECK_INT(map->address_offset, 1);
		CHECK_INT(map->max_gap, 4);
		CHECK_INT(map->connect_wait_ms, 250);
		CHECK_INT(map->points[1].invalid[0], 0xFFFFFFFFu);
		CHECK_INT(map->points[1].order, REGMAP_LOW_FIRST);
		CHECK_STR(regmap_status_name(map, 3, REGMAP_ZH), "发电");
		CHECK_STR(regmap_status_name(map, 3, REGMAP_EN), "Generating");
		CHECK_STR(regmap_alarm_name(map, 33, REGMAP_ZH), "电网掉电");
		CHECK_STR(regmap_fault_name(map, 0x1010, REGMAP_ZH), "Grid overvoltage");
		/* Alarm bits land at the shift: register bit 1 is alarm bit 33, in events2. */
		uint16_t data[3] = {3, 0x0002, 0x0000};
		struct regmap_block b = {10, 3};
		struct reading r = {0};
		CHECK_INT(regmap_decode(map, &b, 1, data, &r), 0);
		CHECK_INT(r.events, 0);
		CHECK_INT(r.events2, 2);
		CHECK_INT(r.state, INV_STATE_MPPT);
		struct regmap_block short_b = {10, 2};
		CHECK_INT(regmap_decode(map, &short_b, 1, data, &r), REGMAP_ERR_BLOCK);
	}
	regmap_free(map);
	errlist_clear(&errs);
	unlink(path);
	free(path);
}

int main(void)
{
	CHECK(mkdtemp(tmpdir) != NULL);
	test_decode_per_brand();
	test_huawei_alarm_words();
	test_blocks();
	test_round_trip_shipped();
	test_loader_errors();
	test_loader_good_file();
	rmdir(tmpdir);
	return check_summary();
}
