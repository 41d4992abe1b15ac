/* SunSpec register decoding and encoding. No Modbus I/O here: discovery asks a caller-supplied
 * read function for holding registers, decoders take the registers of one model block (starting
 * at the model's ID register) and encoders build a register image for the simulator. */
#ifndef PVRELIEF_SUNSPEC_H
#define PVRELIEF_SUNSPEC_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/reading.h"

#define SUNSPEC_BASE_DEFAULT 40000
#define SUNSPEC_MAX_MODELS 64 /* a longer chain is taken for a device that wraps its addresses */
#define SUNSPEC_MAX_READ 125  /* Modbus limit of registers per read */
#define SUNSPEC_MAX_MPPT 16

enum sunspec_error {
	SUNSPEC_ERR_READ = -1,	      /* the read function failed (its own code is not kept) */
	SUNSPEC_ERR_NOT_FOUND = -2,   /* no "SunS" marker at 40000, 0 or 50000 */
	SUNSPEC_ERR_CHAIN = -3,	      /* loop, bogus length or a chain off the address space */
	SUNSPEC_ERR_BLOCK = -4,	      /* block too short or of another model than expected */
	SUNSPEC_ERR_UNSUPPORTED = -5, /* a model this module does not decode */
	SUNSPEC_ERR_SPACE = -6,	      /* encoder: the destination array is too small */
	SUNSPEC_ERR_RANGE = -7,	      /* encoder: a value does not fit its point at that scale */
};

/* SunSpec point types, for sunspec_implemented. */
enum sunspec_type {
	SUNSPEC_INT16,
	SUNSPEC_UINT16,
	SUNSPEC_SUNSSF,
	SUNSPEC_ENUM16,
	SUNSPEC_BITFIELD16,
	SUNSPEC_ACC16,
	SUNSPEC_PAD,
	SUNSPEC_INT32,
	SUNSPEC_UINT32,
	SUNSPEC_BITFIELD32,
	SUNSPEC_ACC32,
	SUNSPEC_ACC64,
	SUNSPEC_FLOAT32,
	SUNSPEC_STRING,
};

/* Reads count (1..125) holding registers from addr into dest; returns 0 or a negative number. */
typedef int (*sunspec_read_fn)(void *ctx, uint16_t addr, uint16_t count, uint16_t *dest);

struct sunspec_model {
	uint16_t id;   /* model ID */
	uint16_t addr; /* address of the model's ID register */
	uint16_t len;  /* L: registers after the ID and L registers */
};

struct sunspec_map {
	uint16_t base; /* address of the "SunS" marker */
	size_t n;
	struct sunspec_model models[SUNSPEC_MAX_MODELS];
};

/* Identity from common model 1; a string the device left all NUL is "" (not present). */
struct sunspec_common {
	char manufacturer[33];
	char model[33];
	char options[17];
	char version[17];
	char serial[33];
	uint16_t device_address; /* DA, 0xFFFF when not implemented */
};

enum sunspec_mppt_field {
	SUNSPEC_MPPT_DC_CURRENT_A,
	SUNSPEC_MPPT_DC_VOLTAGE_V,
	SUNSPEC_MPPT_DC_POWER_W,
	SUNSPEC_MPPT_ENERGY_WH,
	SUNSPEC_MPPT_TIMESTAMP_S,
	SUNSPEC_MPPT_TEMP_C,
	SUNSPEC_MPPT_STATE,
	SUNSPEC_MPPT_EVENTS,
	SUNSPEC_MPPT_COUNT
};

/* One input (MPPT) of model 160. Presence and sentinel bits as in struct reading. */
struct sunspec_mppt_module {
	uint16_t id;
	char id_str[17];
	uint32_t present, sentinel; /* bits (1u << SUNSPEC_MPPT_x) */
	double value[SUNSPEC_MPPT_COUNT];
	enum inv_state state;
	uint32_t events; /* DCEvt bits */
};

struct sunspec_mppt {
	size_t n; /* modules decoded (at most SUNSPEC_MAX_MPPT) */
	int events_present;
	uint32_t events; /* global Evt bits */
	struct sunspec_mppt_module mod[SUNSPEC_MAX_MPPT];
};

/* Scale factors an encoder writes, so a simulator (or a test) can change them between reads. */
struct sunspec_scales {
	int8_t a, v, w, hz, wh, dca, dcv, dcw, tmp;	/* inverter models 101-103 */
	int8_t wrtg;					/* nameplate 120 */
	int8_t mppt_dca, mppt_dcv, mppt_dcw, mppt_dcwh; /* model 160 */
};

struct sunspec_identity {
	const char *manufacturer, *model, *options, *version, *serial; /* NULL writes all NUL */
	uint16_t device_address;
};

enum sunspec_encode_flags {
	SUNSPEC_ENC_FLOAT = 1,	  /* serve float model 113 instead of 103 */
	SUNSPEC_ENC_END_ZERO = 2, /* end the chain with ID 0x0000 as some devices do, not 0xFFFF */
	SUNSPEC_ENC_DER_CONTROLS = 4, /* serve the power limit in model 704 instead of 123 */
};

/* Returns 0 when the registers of a point of that type hold its "not implemented" value
 * (int16, sunssf, pad 0x8000; uint16, enum16, bitfield16 0xFFFF; int32 0x80000000; uint32,
 * bitfield32 0xFFFFFFFF; acc16/32/64 0; float32 NaN; string all NUL), else 1. r holds the
 * point's registers; nregs is used for strings only. */
int sunspec_implemented(enum sunspec_type type, const uint16_t *r, size_t nregs);
/* Looks for "SunS" at 40000, then 0, then 50000, and walks the model chain until ID 0xFFFF or
 * 0x0000, filling *out. Reads at most 2 registers at a time, so the read function never sees a
 * request over the Modbus limit. Fails on a loop, a length that runs off the address space or
 * is too short for a known model, or more than SUNSPEC_MAX_MODELS models. Returns 0,
 * SUNSPEC_ERR_READ when every marker read failed or a chain read failed,
 * SUNSPEC_ERR_NOT_FOUND or SUNSPEC_ERR_CHAIN. */
int sunspec_discover(sunspec_read_fn read, void *ctx, struct sunspec_map *out);
/* Returns the first model with that ID in the map, or NULL; the pointer is into map. */
const struct sunspec_model *sunspec_find(const struct sunspec_map *map, uint16_t id);
/* The reading fields of an inverter model that its span (sunspec_span) may leave out (those
 * before power; frequency, DC current and voltage come with it when they lie inside): AC
 * current and voltage, frequency, DC current and voltage, which the daemon neither stores
 * nor judges by. A reading decoded from a span never has them "not implemented". */
#define SUNSPEC_SPAN_UNREAD                                                                        \
	(1u << RF_AC_CURRENT_A | 1u << RF_AC_VOLTAGE_V | 1u << RF_FREQUENCY_HZ |                   \
	 1u << RF_DC_CURRENT_A | 1u << RF_DC_VOLTAGE_V)
/* Sets [*first, *end) to the offsets (from the model's ID register) of the smallest
 * contiguous block holding what the daemon uses and its scale factors: for the inverter
 * models (101-103, 111-113) power, the energy counter, DC power, cabinet temperature, state
 * and events (not SUNSPEC_SPAN_UNREAD); for model 160 the scale factors, the module count and
 * each module's DC current; the whole model for the others. */
void sunspec_span(const struct sunspec_model *m, uint16_t *first, uint16_t *end);
/* Like sunspec_read_model, but reads only the sunspec_span of the model (the ID and L come
 * from discovery, the registers outside the span are set to 0xFFFF, "not implemented"), so
 * that a poll costs the points it decodes and no more on a link priced by the byte. */
int sunspec_read_span(sunspec_read_fn read, void *ctx, const struct sunspec_model *m,
		      uint16_t *dest, size_t cap);
/* Reads a whole model block (ID, L and L registers) into dest, which holds cap registers,
 * splitting it into reads of at most 125 registers. Returns the number of registers read,
 * SUNSPEC_ERR_SPACE or SUNSPEC_ERR_READ. */
int sunspec_read_model(sunspec_read_fn read, void *ctx, const struct sunspec_model *m,
		       uint16_t *dest, size_t cap);

/* The decoders take one model block: block[0] is the model ID, block[1] is L, n is the number of
 * registers available (at least L + 2). They add to *out without clearing it, so that several
 * models of one device fill one reading; the caller zeroes it before a poll. Scale factors
 * are read from the same block every time. Each returns 0, SUNSPEC_ERR_BLOCK when the block is
 * short or of another model. */

/* Decodes common model 1. */
int sunspec_decode_common(const uint16_t *block, size_t n, struct sunspec_common *out);
/* Decodes inverter models 101, 102, 103 (integer with scale factors) and 111, 112, 113 (float):
 * power, lifetime energy, AC current and phase-A voltage, frequency, DC current, voltage and
 * power, cabinet temperature, state, vendor state and events. */
int sunspec_decode_inverter(const uint16_t *block, size_t n, struct reading *out);
/* Decodes nameplate model 120: WRtg into RF_RATED_POWER_W; *der_type (may be NULL) gets DERTyp
 * (4 = PV), 0xFFFF when not implemented. */
int sunspec_decode_nameplate(const uint16_t *block, size_t n, struct reading *out,
			     uint16_t *der_type);
/* Decodes the active power limit of controls model 123 (WMaxLimPct, WMaxLim_Ena,
 * WMaxLimPct_SF) or DER AC controls model 704 (WMaxLimPctEna, WMaxLimPct, WMaxLim_SF; the
 * published length 69 only) into RF_POWER_LIMIT_PCT, set only while the limit is enabled. */
int sunspec_decode_controls(const uint16_t *block, size_t n, struct reading *out);
/* Decodes multiple MPPT model 160 into *out (cleared first); modules beyond SUNSPEC_MAX_MPPT
 * are ignored. */
int sunspec_decode_mppt(const uint16_t *block, size_t n, struct sunspec_mppt *out);
/* Decodes irradiance model 302 (first sensor group): GHI, POAI, DFI (as DHI) and DNI. */
int sunspec_decode_irradiance(const uint16_t *block, size_t n, struct reading *out);
/* Decodes back-of-module temperature model 303: the mean of the implemented sensors. */
int sunspec_decode_module_temp(const uint16_t *block, size_t n, struct reading *out);
/* Decodes base met model 307: ambient temperature and wind speed. Model 307 has no GHI point;
 * irradiance comes from 302. */
int sunspec_decode_met(const uint16_t *block, size_t n, struct reading *out);
/* Decodes any block that maps into a reading (101-103, 111-113, 120, 123, 302, 303, 307, 704)
 * by its ID.
 * Returns 0, SUNSPEC_ERR_BLOCK or SUNSPEC_ERR_UNSUPPORTED (e.g. models 1 and 160). */
int sunspec_decode_block(const uint16_t *block, size_t n, struct reading *out);

/* Fills *sf with the scale factors a typical 3-60 kW inverter uses (W and WH 0, A -2, V -1, Hz
 * -2, temperature -1, ...). */
void sunspec_scales_default(struct sunspec_scales *sf);
/* Builds an inverter's register image: "SunS", model 1, model 103 (or 113 with
 * SUNSPEC_ENC_FLOAT), model 120, model 123 (or 704 with SUNSPEC_ENC_DER_CONTROLS: the limit
 * of RF_POWER_LIMIT_PCT, enabled when present), model 160 with mppt->n modules (mppt may be NULL
 * for none) and the end marker. dest[0] is the register at base; cap is its size. Fields absent
 * from *r are written as their type's sentinel. Returns the number of registers written,
 * SUNSPEC_ERR_SPACE or SUNSPEC_ERR_RANGE. */
int sunspec_encode_inverter(uint16_t base, const struct sunspec_identity *id,
			    const struct reading *r, const struct sunspec_mppt *mppt,
			    const struct sunspec_scales *sf, int flags, uint16_t *dest, size_t cap);
/* Builds a sensor's register image: "SunS", model 1, 302 (one group), 303 (one sensor), 307 and
 * the end marker; as sunspec_encode_inverter otherwise (only SUNSPEC_ENC_END_ZERO applies). */
int sunspec_encode_sensor(uint16_t base, const struct sunspec_identity *id, const struct reading *r,
			  int flags, uint16_t *dest, size_t cap);

#endif
