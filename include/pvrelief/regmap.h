/* Vendor register maps as data: which registers a brand's inverter holds, how to read them and
 * how to turn them into a struct reading. One map drives both the daemon (blocks to read,
 * decoding) and the simulator (encoding), so adding a brand means adding a map file.
 * The loader lives in config_regmap.c; everything here is pure. */
#ifndef PVRELIEF_REGMAP_H
#define PVRELIEF_REGMAP_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/reading.h"

struct errlist;

#define REGMAP_MAX_INVALID 8

enum regmap_error {
	REGMAP_ERR_SPACE = -1, /* too many blocks for the caller's array, or image too small */
	REGMAP_ERR_BLOCK = -2, /* a point is not inside the blocks given */
	REGMAP_ERR_RANGE = -3, /* encoder: a value does not fit its register at that scale */
};

enum regmap_type { REGMAP_U16, REGMAP_I16, REGMAP_U32, REGMAP_I32 };
enum regmap_order { REGMAP_HIGH_FIRST, REGMAP_LOW_FIRST };

struct regmap_point {
	enum reading_field field; /* RF_STATE: status code; RF_EVENTS: alarm bits; RF_FAULT_CODE */
	uint32_t addr;		  /* address as the vendor document writes it */
	enum regmap_type type;
	enum regmap_order order; /* word order of 32-bit types */
	double scale;		 /* field value = raw x scale (e.g. 100 for 0.1 kWh -> Wh) */
	int shift;		 /* alarm points: bit of the 64-bit alarm word where bit 0 goes */
	size_t n_invalid;
	uint32_t invalid[REGMAP_MAX_INVALID]; /* raw values meaning "no value" */
	int line;			      /* line in the map file, 0 if built in code */
};

/* A vendor code with its meaning: a status code (with the state it maps to), an alarm bit
 * (code = bit number 0-63) or a fault code. */
struct regmap_label {
	uint32_t code;
	enum inv_state state; /* status labels only */
	char *name;	      /* English */
	char *name_zh;	      /* Chinese from the vendor document, or NULL */
	int line;
};

struct regmap {
	char *name, *vendor, *document, *document_version;
	int function;	     /* Modbus function: 3 holding or 4 input registers */
	int address_offset;  /* PDU address = document address - address_offset */
	int max_block;	     /* most registers one read may ask for */
	int max_gap;	     /* most unused registers a read may span between two points */
	int connect_wait_ms; /* wait after connecting before the first read */
	size_t n_points, n_statuses, n_alarms, n_faults;
	struct regmap_point *points;
	struct regmap_label *statuses, *alarms, *faults;
};

/* One read: count registers from PDU address addr. */
struct regmap_block {
	uint16_t addr;
	uint16_t count;
};

enum regmap_lang { REGMAP_EN, REGMAP_ZH };

/* Parses and validates a map file, reporting every problem to errs as "file:line: sentence".
 * Returns a new map the caller frees with regmap_free, or NULL on any error. */
struct regmap *regmap_load(const char *path, struct errlist *errs);
/* Frees a map and everything it owns; accepts NULL. */
void regmap_free(struct regmap *map);

/* Returns the PDU address of a point. */
uint16_t regmap_pdu_addr(const struct regmap *map, const struct regmap_point *p);
/* Fills blocks (room for cap) with the fewest reads that cover every point, each at most
 * max_block registers and spanning at most max_gap unused registers, in address order.
 * Returns the number of blocks or REGMAP_ERR_SPACE. */
int regmap_blocks(const struct regmap *map, struct regmap_block *blocks, size_t cap);
/* Decodes the registers of n blocks, laid end to end in data in the order of blocks, into *out
 * (added to, not cleared): word order, scale, invalid markers (-> not present, sentinel bit),
 * status mapping, alarm bits and fault code. Returns 0 or REGMAP_ERR_BLOCK. */
int regmap_decode(const struct regmap *map, const struct regmap_block *blocks, size_t n,
		  const uint16_t *data, struct reading *out);
/* Writes the registers a device with this map would hold for *r into image, where image[0] is
 * PDU address image_base and image_len registers are available. A field absent from *r is
 * written as the point's first invalid marker (0 if it has none). Returns 0,
 * REGMAP_ERR_SPACE or REGMAP_ERR_RANGE. */
int regmap_encode(const struct regmap *map, const struct reading *r, uint16_t *image,
		  size_t image_len, uint16_t image_base);
/* Returns the name of a status code, alarm bit or fault code in lang (English when the map
 * has no Chinese name), or NULL when the map does not know it. The string belongs to map. */
const char *regmap_status_name(const struct regmap *map, uint32_t code, enum regmap_lang lang);
const char *regmap_alarm_name(const struct regmap *map, int bit, enum regmap_lang lang);
const char *regmap_fault_name(const struct regmap *map, uint32_t code, enum regmap_lang lang);

#endif
