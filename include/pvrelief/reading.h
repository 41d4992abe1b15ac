/* What one poll of one device yields: the quantities the poller, the efficiency engine and the
 * simulator exchange. Every quantity carries a presence bit because a "not implemented"
 * sentinel from a device means "no value", never a number. */
#ifndef PVRELIEF_READING_H
#define PVRELIEF_READING_H

#include <stdint.h>

/* Operating states, numbered as SunSpec St (model 101-103 and 111-113) so that SunSpec values
 * map one to one; vendor status codes are mapped onto these by the register maps. */
enum inv_state {
	INV_STATE_UNKNOWN = 0,
	INV_STATE_OFF = 1,
	INV_STATE_SLEEPING,
	INV_STATE_STARTING,
	INV_STATE_MPPT,
	INV_STATE_THROTTLED,
	INV_STATE_SHUTTING_DOWN,
	INV_STATE_FAULT,
	INV_STATE_STANDBY,
	INV_STATE_COUNT
};

enum reading_field {
	RF_POWER_W,
	RF_ENERGY_TOTAL_WH,
	RF_ENERGY_TODAY_WH,
	RF_AC_CURRENT_A,
	RF_AC_VOLTAGE_V,
	RF_FREQUENCY_HZ,
	RF_DC_CURRENT_A,
	RF_DC_VOLTAGE_V,
	RF_DC_POWER_W,
	RF_CABINET_TEMP_C,
	RF_RATED_POWER_W,
	RF_STATE,
	RF_EVENTS,
	RF_FAULT_CODE,
	RF_GHI_W_M2,
	RF_POA_W_M2,
	RF_DHI_W_M2,
	RF_DNI_W_M2,
	RF_MODULE_TEMP_C,
	RF_AIR_TEMP_C,
	RF_WIND_M_S,
	RF_POWER_LIMIT_PCT, /* active power limit in force, % of the rating (none: not present) */
	RF_COUNT
};

/* DC inputs (MPPTs or strings) a reading carries the current of. */
#define READING_MAX_INPUTS 8

struct reading {
	uint32_t present;	/* bit (1u << RF_x) set when field x holds a value */
	uint32_t sentinel;	/* bit set when the device reported "not implemented" for field x */
	double value[RF_COUNT]; /* units as the field names say: W, Wh, A, V, Hz, degC, W/m2, m/s,
				 * % */
	enum inv_state state;	/* also in value[RF_STATE] when RF_STATE is present */
	uint32_t vendor_state;	/* raw vendor status code */
	uint32_t events;	/* SunSpec Evt1 bits, or vendor alarm bits 0-31 */
	uint32_t events2;	/* SunSpec Evt2 bits, or vendor alarm bits 32-63 */
	uint32_t fault_code;	/* vendor fault code, 0 none */
	unsigned n_inputs;	/* DC inputs with a current in input_dca (SunSpec model 160) */
	double input_dca[READING_MAX_INPUTS]; /* each input's DC current, A */
};

/* Returns non-zero when field f holds a value. */
static inline int reading_has(const struct reading *r, enum reading_field f)
{
	return (r->present >> f) & 1u;
}

/* Stores a value for field f and marks it present (and not a sentinel). */
static inline void reading_set(struct reading *r, enum reading_field f, double v)
{
	r->value[f] = v;
	r->present |= 1u << f;
	r->sentinel &= ~(1u << f);
}

/* Marks field f as "not implemented" by the device: not present, sentinel bit set. */
static inline void reading_set_sentinel(struct reading *r, enum reading_field f)
{
	r->value[f] = 0;
	r->present &= ~(1u << f);
	r->sentinel |= 1u << f;
}

/* Returns the configuration and report name of a field ("power_w", "energy_total_wh",
 * "state", "events", ...), or NULL for a number out of range. */
const char *reading_field_name(enum reading_field f);
/* Parses a field name as reading_field_name gives it ("alarm" is accepted for "events");
 * returns the field or -1. */
int reading_field_parse(const char *name);
/* Returns the lower-case name of a state ("mppt", "fault", ...), "unknown" out of range. */
const char *inv_state_name(enum inv_state s);
/* Parses a state name as inv_state_name gives it; returns the state or -1. */
int inv_state_parse(const char *name);
/* Returns the SunSpec name of Evt1 bit 0-15 ("GROUND_FAULT" ... "HW_TEST_FAILURE"), or NULL for
 * other bits. Declared here rather than in sunspec.h because alert rules name events without
 * decoding registers. */
const char *sunspec_event_name(int bit);

#endif
