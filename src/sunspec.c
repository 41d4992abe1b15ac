#include "pvrelief/sunspec.h"

#include <math.h>
#include <string.h>

enum pt {
	PT_U16 = SUNSPEC_UINT16,
	PT_I16 = SUNSPEC_INT16,
	PT_ENUM16 = SUNSPEC_ENUM16,
	PT_BITS16 = SUNSPEC_BITFIELD16,
	PT_SF = SUNSPEC_SUNSSF,
	PT_PAD = SUNSPEC_PAD,
	PT_ACC32 = SUNSPEC_ACC32,
	PT_U32 = SUNSPEC_UINT32,
	PT_BITS32 = SUNSPEC_BITFIELD32,
	PT_F32 = SUNSPEC_FLOAT32,
};

struct pt_def {
	uint8_t off;
	uint8_t type;
};

#define SUNS_HI 0x5375 /* "Su" */
#define SUNS_LO 0x6e53 /* "nS" */

/* Where devices put the marker, in the order the specification says to try them. */
static const uint16_t marker_bases[] = {40000, 0, 50000};

/* Shortest L a known model can have; a device announcing less is not to be believed. */
static const struct {
	uint16_t id, min_len;
} min_lengths[] = {
    {1, 65},   {101, 50}, {102, 50}, {103, 50}, {111, 60},
    {112, 60}, {113, 60}, {120, 26}, {160, 8},	{307, 11},
};

static uint32_t u32_at(const uint16_t *b, size_t off)
{
	return (uint32_t)b[off] << 16 | b[off + 1];
}

static float f32_at(const uint16_t *b, size_t off)
{
	uint32_t u = u32_at(b, off);
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static uint64_t u64_at(const uint16_t *b, size_t off)
{
	return (uint64_t)u32_at(b, off) << 32 | u32_at(b, off + 2);
}

int sunspec_implemented(enum sunspec_type type, const uint16_t *r, size_t nregs)
{
	switch (type) {
	case SUNSPEC_UINT16:
	case SUNSPEC_ENUM16:
	case SUNSPEC_BITFIELD16:
		return r[0] != 0xFFFF;
	case SUNSPEC_INT16:
	case SUNSPEC_SUNSSF:
	case SUNSPEC_PAD:
		return r[0] != 0x8000;
	case SUNSPEC_ACC16:
		return r[0] != 0;
	case SUNSPEC_INT32:
		return u32_at(r, 0) != 0x80000000u;
	case SUNSPEC_UINT32:
	case SUNSPEC_BITFIELD32:
		return u32_at(r, 0) != 0xFFFFFFFFu;
	case SUNSPEC_ACC32:
		return u32_at(r, 0) != 0;
	case SUNSPEC_ACC64:
		return u64_at(r, 0) != 0;
	case SUNSPEC_FLOAT32:
		return !isnan(f32_at(r, 0));
	case SUNSPEC_STRING:
		for (size_t i = 0; i < nregs; i++)
			if (r[i] != 0)
				return 1;
		return 0;
	}
	return 0;
}

/* Reads a point's raw number; returns 0 when it holds its type's "not implemented" value. */
static int point_raw(const uint16_t *b, size_t off, enum pt type, double *v)
{
	switch (type) {
	case PT_U16:
	case PT_ENUM16:
	case PT_BITS16:
		*v = b[off];
		break;
	case PT_I16:
	case PT_SF:
	case PT_PAD:
		*v = (int16_t)b[off];
		break;
	case PT_ACC32:
	case PT_U32:
	case PT_BITS32:
		*v = u32_at(b, off);
		break;
	case PT_F32:
		*v = f32_at(b, off);
		break;
	}
	return sunspec_implemented((enum sunspec_type)type, b + off, 2);
}

static double scale(double raw, int sf)
{
	double p = 1;
	for (int i = 0; i < (sf < 0 ? -sf : sf); i++)
		p *= 10;
	/* Dividing by an exact power of ten keeps 2304 x 10^-1 at 230.4 rather than 230.40000001.
	 */
	return sf < 0 ? raw / p : raw * p;
}

/* Stores a point into field f of *r. sf_off < 0 means the point has no scale factor;
 * fixed_sf is then applied (SunSpec fixes some, e.g. TmpBOM in tenths of a degree). */
static void put(struct reading *r, enum reading_field f, const uint16_t *b, size_t off,
		enum pt type, int sf_off, int fixed_sf)
{
	double v;
	if (!point_raw(b, off, type, &v)) {
		reading_set_sentinel(r, f);
		return;
	}
	int sf = fixed_sf;
	if (sf_off >= 0) {
		uint16_t raw_sf = b[sf_off];
		if (raw_sf == 0x8000) {
			/* An unimplemented scale factor makes its points unimplemented too. */
			reading_set_sentinel(r, f);
			return;
		}
		sf = (int16_t)raw_sf;
		if (sf < -10 || sf > 10) {
			/* Not a "not implemented" report but a broken device: no value, no
			 * sentinel. */
			r->present &= ~(1u << f);
			return;
		}
	}
	reading_set(r, f, scale(v, sf));
}

static int check_block(const uint16_t *block, size_t n, uint16_t id_lo, uint16_t id_hi,
		       uint16_t min_len)
{
	if (!block || n < 2 || block[0] < id_lo || block[0] > id_hi)
		return SUNSPEC_ERR_BLOCK;
	if (block[1] < min_len || n < (size_t)block[1] + 2)
		return SUNSPEC_ERR_BLOCK;
	return 0;
}

static enum inv_state state_of(double st)
{
	if (st >= INV_STATE_OFF && st <= INV_STATE_STANDBY)
		return (enum inv_state)st;
	return INV_STATE_UNKNOWN;
}

/* ---- discovery ---- */

static int is_marker(const uint16_t r[2])
{
	return r[0] == SUNS_HI && r[1] == SUNS_LO;
}

int sunspec_discover(sunspec_read_fn read, void *ctx, struct sunspec_map *out)
{
	uint16_t r[2];
	int found = 0, any_read = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof marker_bases / sizeof marker_bases[0] && !found; i++) {
		/* A device answers an unmapped address with an exception: try the next base. */
		if (read(ctx, marker_bases[i], 2, r) < 0)
			continue;
		any_read = 1;
		if (is_marker(r)) {
			out->base = marker_bases[i];
			found = 1;
		}
	}
	if (!found)
		return any_read ? SUNSPEC_ERR_NOT_FOUND : SUNSPEC_ERR_READ;

	uint32_t addr = (uint32_t)out->base + 2;
	for (;;) {
		if (addr + 2 > 0x10000)
			return SUNSPEC_ERR_CHAIN;
		if (read(ctx, (uint16_t)addr, 2, r) < 0)
			return SUNSPEC_ERR_READ;
		if (r[0] == 0xFFFF || r[0] == 0x0000)
			return 0;
		if (out->n == SUNSPEC_MAX_MODELS)
			return SUNSPEC_ERR_CHAIN;
		if (addr + 2 + r[1] > 0x10000)
			return SUNSPEC_ERR_CHAIN;
		for (size_t i = 0; i < sizeof min_lengths / sizeof min_lengths[0]; i++)
			if (min_lengths[i].id == r[0] && r[1] < min_lengths[i].min_len)
				return SUNSPEC_ERR_CHAIN;
		out->models[out->n].id = r[0];
		out->models[out->n].addr = (uint16_t)addr;
		out->models[out->n].len = r[1];
		out->n++;
		addr += 2 + r[1];
	}
}

const struct sunspec_model *sunspec_find(const struct sunspec_map *map, uint16_t id)
{
	for (size_t i = 0; i < map->n; i++)
		if (map->models[i].id == id)
			return &map->models[i];
	return NULL;
}

int sunspec_read_model(sunspec_read_fn read, void *ctx, const struct sunspec_model *m,
		       uint16_t *dest, size_t cap)
{
	size_t total = (size_t)m->len + 2;
	if (total > cap)
		return SUNSPEC_ERR_SPACE;
	for (size_t done = 0; done < total;) {
		size_t count = total - done;
		if (count > SUNSPEC_MAX_READ)
			count = SUNSPEC_MAX_READ;
		if (read(ctx, (uint16_t)(m->addr + done), (uint16_t)count, dest + done) < 0)
			return SUNSPEC_ERR_READ;
		done += count;
	}
	return (int)total;
}

void sunspec_span(const struct sunspec_model *m, uint16_t *first, uint16_t *end)
{
	size_t total = (size_t)m->len + 2, lo = 0, hi = total;
	if (m->id >= 101 && m->id <= 103) {
		lo = 14; /* W .. Evt1 (sunspec_decode_inverter), scale factors included */
		hi = 42;
	} else if (m->id >= 111 && m->id <= 113) {
		lo = 22; /* W .. Evt1 */
		hi = 52;
	} else if (m->id == 160 && m->len >= 8) {
		/* DCA_SF .. N, then up to each module's DCA (module offset 9). */
		size_t n = ((size_t)m->len - 8) / 20;
		lo = 2;
		hi = n ? 10 + 20 * (n - 1) + 10 : 10;
	} else if (m->id == 123) {
		lo = 5; /* WMaxLimPct .. WMaxLimPct_SF (sunspec_decode_controls) */
		hi = 24;
	} else if (m->id == 704) {
		lo = 14; /* WMaxLimPctEna .. WMaxLimPct_SF */
		hi = 59;
	}
	if (hi > total)
		hi = total;
	if (lo > hi)
		lo = hi;
	*first = (uint16_t)lo;
	*end = (uint16_t)hi;
}

int sunspec_read_span(sunspec_read_fn read, void *ctx, const struct sunspec_model *m,
		      uint16_t *dest, size_t cap)
{
	size_t total = (size_t)m->len + 2;
	if (total > cap)
		return SUNSPEC_ERR_SPACE;
	uint16_t lo, hi;
	sunspec_span(m, &lo, &hi);
	for (size_t i = 0; i < total; i++)
		dest[i] = 0xFFFF;
	dest[0] = m->id;
	dest[1] = m->len;
	for (size_t done = lo; done < hi;) {
		size_t count = hi - done;
		if (count > SUNSPEC_MAX_READ)
			count = SUNSPEC_MAX_READ;
		if (read(ctx, (uint16_t)(m->addr + done), (uint16_t)count, dest + done) < 0)
			return SUNSPEC_ERR_READ;
		done += count;
	}
	return (int)total;
}

/* ---- decoders ---- */

/* Copies a string point, dropping the NULs and spaces devices pad with on either side. */
static void get_string(const uint16_t *b, size_t off, size_t regs, char *dst)
{
	size_t len = 0;
	for (size_t i = 0; i < regs; i++) {
		dst[len++] = (char)(b[off + i] >> 8);
		dst[len++] = (char)(b[off + i] & 0xFF);
	}
	dst[len] = '\0';
	len = strlen(dst);
	while (len > 0 && dst[len - 1] == ' ')
		dst[--len] = '\0';
	size_t lead = strspn(dst, " ");
	memmove(dst, dst + lead, len - lead + 1);
}

int sunspec_decode_common(const uint16_t *block, size_t n, struct sunspec_common *out)
{
	int rc = check_block(block, n, 1, 1, 65);
	if (rc < 0)
		return rc;
	get_string(block, 2, 16, out->manufacturer);
	get_string(block, 18, 16, out->model);
	get_string(block, 34, 8, out->options);
	get_string(block, 42, 8, out->version);
	get_string(block, 50, 16, out->serial);
	out->device_address = block[66];
	return 0;
}

static void put_state(struct reading *r, const uint16_t *b, size_t st_off, size_t evt_off)
{
	double v;
	if (point_raw(b, st_off, PT_ENUM16, &v)) {
		r->state = state_of(v);
		reading_set(r, RF_STATE, r->state);
	} else {
		r->state = INV_STATE_UNKNOWN;
		reading_set_sentinel(r, RF_STATE);
	}
	if (point_raw(b, st_off + 1, PT_ENUM16, &v))
		r->vendor_state = (uint32_t)v;
	if (point_raw(b, evt_off, PT_BITS32, &v)) {
		r->events = (uint32_t)v;
		reading_set(r, RF_EVENTS, v);
	} else {
		r->events = 0;
		reading_set_sentinel(r, RF_EVENTS);
	}
	r->events2 = point_raw(b, evt_off + 2, PT_BITS32, &v) ? (uint32_t)v : 0;
}

int sunspec_decode_inverter(const uint16_t *b, size_t n, struct reading *r)
{
	if (b && n >= 1 && b[0] >= 111 && b[0] <= 113) {
		int rc = check_block(b, n, 111, 113, 60);
		if (rc < 0)
			return rc;
		put(r, RF_AC_CURRENT_A, b, 2, PT_F32, -1, 0);
		put(r, RF_AC_VOLTAGE_V, b, 16, PT_F32, -1, 0);
		put(r, RF_POWER_W, b, 22, PT_F32, -1, 0);
		put(r, RF_FREQUENCY_HZ, b, 24, PT_F32, -1, 0);
		put(r, RF_ENERGY_TOTAL_WH, b, 32, PT_F32, -1, 0);
		put(r, RF_DC_CURRENT_A, b, 34, PT_F32, -1, 0);
		put(r, RF_DC_VOLTAGE_V, b, 36, PT_F32, -1, 0);
		put(r, RF_DC_POWER_W, b, 38, PT_F32, -1, 0);
		put(r, RF_CABINET_TEMP_C, b, 40, PT_F32, -1, 0);
		put_state(r, b, 48, 50);
		return 0;
	}
	int rc = check_block(b, n, 101, 103, 50);
	if (rc < 0)
		return rc;
	put(r, RF_AC_CURRENT_A, b, 2, PT_U16, 6, 0);
	put(r, RF_AC_VOLTAGE_V, b, 10, PT_U16, 13, 0);
	put(r, RF_POWER_W, b, 14, PT_I16, 15, 0);
	put(r, RF_FREQUENCY_HZ, b, 16, PT_U16, 17, 0);
	put(r, RF_ENERGY_TOTAL_WH, b, 24, PT_ACC32, 26, 0);
	put(r, RF_DC_CURRENT_A, b, 27, PT_U16, 28, 0);
	put(r, RF_DC_VOLTAGE_V, b, 29, PT_U16, 30, 0);
	put(r, RF_DC_POWER_W, b, 31, PT_I16, 32, 0);
	put(r, RF_CABINET_TEMP_C, b, 33, PT_I16, 37, 0);
	put_state(r, b, 38, 40);
	return 0;
}

int sunspec_decode_nameplate(const uint16_t *b, size_t n, struct reading *r, uint16_t *der_type)
{
	int rc = check_block(b, n, 120, 120, 26);
	if (rc < 0)
		return rc;
	if (der_type)
		*der_type = b[2];
	put(r, RF_RATED_POWER_W, b, 3, PT_U16, 4, 0);
	return 0;
}

/* Like put() for a model 160 module; sf_raw is the model-wide scale factor register. */
static void put_mod(struct sunspec_mppt_module *m, enum sunspec_mppt_field f, const uint16_t *b,
		    size_t off, enum pt type, int has_sf, uint16_t sf_raw)
{
	double v;
	uint32_t bit = 1u << f;
	if (!point_raw(b, off, type, &v) || (has_sf && sf_raw == 0x8000)) {
		m->sentinel |= bit;
		return;
	}
	int sf = has_sf ? (int16_t)sf_raw : 0;
	if (sf < -10 || sf > 10)
		return;
	m->present |= bit;
	m->value[f] = scale(v, sf);
}

int sunspec_decode_mppt(const uint16_t *b, size_t n, struct sunspec_mppt *out)
{
	memset(out, 0, sizeof *out);
	int rc = check_block(b, n, 160, 160, 8);
	if (rc < 0)
		return rc;
	uint16_t count = b[8] == 0xFFFF ? 0 : b[8];
	if ((size_t)b[1] < 8 + 20 * (size_t)count)
		return SUNSPEC_ERR_BLOCK;
	double v;
	if (point_raw(b, 6, PT_BITS32, &v)) {
		out->events_present = 1;
		out->events = (uint32_t)v;
	}
	for (size_t i = 0; i < count && i < SUNSPEC_MAX_MPPT; i++) {
		const uint16_t *g = b + 10 + 20 * i;
		struct sunspec_mppt_module *m = &out->mod[i];
		m->id = g[0];
		get_string(g, 1, 8, m->id_str);
		put_mod(m, SUNSPEC_MPPT_DC_CURRENT_A, g, 9, PT_U16, 1, b[2]);
		put_mod(m, SUNSPEC_MPPT_DC_VOLTAGE_V, g, 10, PT_U16, 1, b[3]);
		put_mod(m, SUNSPEC_MPPT_DC_POWER_W, g, 11, PT_U16, 1, b[4]);
		put_mod(m, SUNSPEC_MPPT_ENERGY_WH, g, 12, PT_ACC32, 1, b[5]);
		put_mod(m, SUNSPEC_MPPT_TIMESTAMP_S, g, 14, PT_U32, 0, 0);
		put_mod(m, SUNSPEC_MPPT_TEMP_C, g, 16, PT_I16, 0, 0);
		put_mod(m, SUNSPEC_MPPT_STATE, g, 17, PT_ENUM16, 0, 0);
		put_mod(m, SUNSPEC_MPPT_EVENTS, g, 18, PT_BITS32, 0, 0);
		m->state = (m->present & (1u << SUNSPEC_MPPT_STATE))
			       ? state_of(m->value[SUNSPEC_MPPT_STATE])
			       : INV_STATE_UNKNOWN;
		m->events = (m->present & (1u << SUNSPEC_MPPT_EVENTS))
				? (uint32_t)m->value[SUNSPEC_MPPT_EVENTS]
				: 0;
		out->n++;
	}
	return 0;
}

int sunspec_decode_irradiance(const uint16_t *b, size_t n, struct reading *r)
{
	int rc = check_block(b, n, 302, 302, 0);
	if (rc < 0)
		return rc;
	if (b[1] < 5)
		return 0; /* no sensor group: nothing to report */
	put(r, RF_GHI_W_M2, b, 2, PT_U16, -1, 0);
	put(r, RF_POA_W_M2, b, 3, PT_U16, -1, 0);
	put(r, RF_DHI_W_M2, b, 4, PT_U16, -1, 0);
	put(r, RF_DNI_W_M2, b, 5, PT_U16, -1, 0);
	return 0;
}

int sunspec_decode_module_temp(const uint16_t *b, size_t n, struct reading *r)
{
	int rc = check_block(b, n, 303, 303, 0);
	if (rc < 0)
		return rc;
	double sum = 0;
	int used = 0, unimplemented = 0;
	/* Several sensors on one array: their mean stands for the array better than any one. */
	for (size_t i = 0; i < b[1]; i++) {
		if (b[2 + i] == 0x8000) {
			unimplemented++;
			continue;
		}
		sum += (int16_t)b[2 + i];
		used++;
	}
	if (used)
		reading_set(r, RF_MODULE_TEMP_C, scale(sum / used, -1));
	else if (unimplemented)
		reading_set_sentinel(r, RF_MODULE_TEMP_C);
	return 0;
}

int sunspec_decode_met(const uint16_t *b, size_t n, struct reading *r)
{
	int rc = check_block(b, n, 307, 307, 11);
	if (rc < 0)
		return rc;
	put(r, RF_AIR_TEMP_C, b, 2, PT_I16, -1, -1);
	put(r, RF_WIND_M_S, b, 5, PT_I16, -1, 0);
	return 0;
}

/* Model 123 (Immediate Controls, L = 24): WMaxLimPct at 5, WMaxLim_Ena at 9 (1 ENABLED),
 * WMaxLimPct_SF at 23. Model 704 (DER AC Controls, L = 69 as published in the SunSpec models
 * repository's json/model_704.json): WMaxLimPctEna at 14, WMaxLimPct at 15, WMaxLim_SF at 58.
 * Drafts of 704 had other lengths and put the scale factor elsewhere: a 704 of another length
 * is refused rather than read at the wrong offset. */
int sunspec_decode_controls(const uint16_t *b, size_t n, struct reading *r)
{
	size_t ena, pct, sf;
	if (b && n >= 2 && b[0] == 123) {
		if (check_block(b, n, 123, 123, 24) < 0)
			return SUNSPEC_ERR_BLOCK;
		ena = 9, pct = 5, sf = 23;
	} else if (b && n >= 2 && b[0] == 704) {
		if (check_block(b, n, 704, 704, 69) < 0 || b[1] != 69)
			return SUNSPEC_ERR_BLOCK;
		ena = 14, pct = 15, sf = 58;
	} else {
		return SUNSPEC_ERR_BLOCK;
	}
	/* A limit that is not enabled (or an enable the device does not implement) is no limit:
	 * the percentage then holds whatever was last written. */
	if (b[ena] != 1)
		return 0;
	struct reading tmp = {0};
	put(&tmp, RF_POWER_LIMIT_PCT, b, pct, PT_U16, (int)sf, 0);
	if (reading_has(&tmp, RF_POWER_LIMIT_PCT))
		reading_set(r, RF_POWER_LIMIT_PCT, tmp.value[RF_POWER_LIMIT_PCT]);
	return 0;
}

int sunspec_decode_block(const uint16_t *b, size_t n, struct reading *r)
{
	if (!b || n < 2)
		return SUNSPEC_ERR_BLOCK;
	switch (b[0]) {
	case 101:
	case 102:
	case 103:
	case 111:
	case 112:
	case 113:
		return sunspec_decode_inverter(b, n, r);
	case 120:
		return sunspec_decode_nameplate(b, n, r, NULL);
	case 123:
	case 704:
		return sunspec_decode_controls(b, n, r);
	case 302:
		return sunspec_decode_irradiance(b, n, r);
	case 303:
		return sunspec_decode_module_temp(b, n, r);
	case 307:
		return sunspec_decode_met(b, n, r);
	default:
		return SUNSPEC_ERR_UNSUPPORTED;
	}
}

/* ---- encoders ---- */

struct enc {
	uint16_t *d;
	size_t cap, n;
	int err;
};

static void emit(struct enc *e, uint16_t v)
{
	if (e->n < e->cap)
		e->d[e->n] = v;
	else if (!e->err)
		e->err = SUNSPEC_ERR_SPACE;
	e->n++;
}

static void set16(struct enc *e, size_t at, uint16_t v)
{
	if (at < e->cap)
		e->d[at] = v;
}

static void set32(struct enc *e, size_t at, uint32_t v)
{
	set16(e, at, (uint16_t)(v >> 16));
	set16(e, at + 1, (uint16_t)v);
}

static void setf32(struct enc *e, size_t at, float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	set32(e, at, u);
}

static void set_sentinel(struct enc *e, size_t at, enum pt type)
{
	switch (type) {
	case PT_U16:
	case PT_ENUM16:
	case PT_BITS16:
		set16(e, at, 0xFFFF);
		break;
	case PT_I16:
	case PT_SF:
	case PT_PAD:
		set16(e, at, 0x8000);
		break;
	case PT_ACC32:
		set32(e, at, 0);
		break;
	case PT_U32:
	case PT_BITS32:
		set32(e, at, 0xFFFFFFFFu);
		break;
	case PT_F32:
		setf32(e, at, NAN);
		break;
	}
}

/* Starts a model: writes ID and L, then len registers of sentinels per the point table;
 * returns the index of the ID register. */
static size_t begin_model(struct enc *e, uint16_t id, uint16_t len, const struct pt_def *pts,
			  size_t npts)
{
	size_t at = e->n;
	emit(e, id);
	emit(e, len);
	for (size_t i = 0; i < len; i++)
		emit(e, 0x8000);
	for (size_t i = 0; i < npts; i++)
		set_sentinel(e, at + pts[i].off, (enum pt)pts[i].type);
	return at;
}

static void set_string(struct enc *e, size_t at, size_t regs, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	for (size_t i = 0; i < regs; i++) {
		unsigned char hi = 2 * i < len ? (unsigned char)s[2 * i] : 0;
		unsigned char lo = 2 * i + 1 < len ? (unsigned char)s[2 * i + 1] : 0;
		set16(e, at + i, (uint16_t)(hi << 8 | lo));
	}
}

/* Writes field f of *r at its scale into a point, or leaves the sentinel when absent. */
static void set_scaled(struct enc *e, size_t at, enum pt type, const struct reading *r,
		       enum reading_field f, int sf)
{
	if (!reading_has(r, f))
		return;
	double raw = round(scale(r->value[f], -sf));
	double lo = 0, hi = 0;
	switch (type) {
	case PT_U16:
		hi = 0xFFFE;
		break;
	case PT_I16:
		lo = -32767;
		hi = 32767;
		break;
	case PT_ACC32:
		hi = 4294967295.0;
		break;
	default:
		hi = 0;
	}
	if (raw < lo || raw > hi) {
		if (!e->err)
			e->err = SUNSPEC_ERR_RANGE;
		return;
	}
	if (type == PT_ACC32)
		set32(e, at, (uint32_t)raw);
	else
		set16(e, at, (uint16_t)(int32_t)raw);
}

static void set_float(struct enc *e, size_t at, const struct reading *r, enum reading_field f)
{
	if (reading_has(r, f))
		setf32(e, at, (float)r->value[f]);
}

static void encode_marker(struct enc *e)
{
	emit(e, SUNS_HI);
	emit(e, SUNS_LO);
}

static void encode_end(struct enc *e, int flags)
{
	emit(e, flags & SUNSPEC_ENC_END_ZERO ? 0x0000 : 0xFFFF);
	emit(e, 0);
}

static void encode_common(struct enc *e, const struct sunspec_identity *id)
{
	size_t at = begin_model(e, 1, 66, NULL, 0);
	set_string(e, at + 2, 16, id ? id->manufacturer : NULL);
	set_string(e, at + 18, 16, id ? id->model : NULL);
	set_string(e, at + 34, 8, id ? id->options : NULL);
	set_string(e, at + 42, 8, id ? id->version : NULL);
	set_string(e, at + 50, 16, id ? id->serial : NULL);
	set16(e, at + 66, id ? id->device_address : 0xFFFF);
}

static const struct pt_def m103_pts[] = {
    {2, PT_U16},     {3, PT_U16},     {4, PT_U16},     {5, PT_U16},	{6, PT_SF},
    {7, PT_U16},     {8, PT_U16},     {9, PT_U16},     {10, PT_U16},	{11, PT_U16},
    {12, PT_U16},    {13, PT_SF},     {14, PT_I16},    {15, PT_SF},	{16, PT_U16},
    {17, PT_SF},     {18, PT_I16},    {19, PT_SF},     {20, PT_I16},	{21, PT_SF},
    {22, PT_I16},    {23, PT_SF},     {24, PT_ACC32},  {26, PT_SF},	{27, PT_U16},
    {28, PT_SF},     {29, PT_U16},    {30, PT_SF},     {31, PT_I16},	{32, PT_SF},
    {33, PT_I16},    {34, PT_I16},    {35, PT_I16},    {36, PT_I16},	{37, PT_SF},
    {38, PT_ENUM16}, {39, PT_ENUM16}, {40, PT_BITS32}, {42, PT_BITS32}, {44, PT_BITS32},
    {46, PT_BITS32}, {48, PT_BITS32}, {50, PT_BITS32},
};

static const struct pt_def m113_pts[] = {
    {2, PT_F32},     {4, PT_F32},     {6, PT_F32},     {8, PT_F32},	{10, PT_F32},
    {12, PT_F32},    {14, PT_F32},    {16, PT_F32},    {18, PT_F32},	{20, PT_F32},
    {22, PT_F32},    {24, PT_F32},    {26, PT_F32},    {28, PT_F32},	{30, PT_F32},
    {32, PT_F32},    {34, PT_F32},    {36, PT_F32},    {38, PT_F32},	{40, PT_F32},
    {42, PT_F32},    {44, PT_F32},    {46, PT_F32},    {48, PT_ENUM16}, {49, PT_ENUM16},
    {50, PT_BITS32}, {52, PT_BITS32}, {54, PT_BITS32}, {56, PT_BITS32}, {58, PT_BITS32},
    {60, PT_BITS32},
};

static const struct pt_def m120_pts[] = {
    {2, PT_ENUM16}, {3, PT_U16},  {4, PT_SF},	{5, PT_U16},  {6, PT_SF},   {7, PT_I16},
    {8, PT_I16},    {9, PT_I16},  {10, PT_I16}, {11, PT_SF},  {12, PT_U16}, {13, PT_SF},
    {14, PT_I16},   {15, PT_I16}, {16, PT_I16}, {17, PT_I16}, {18, PT_SF},  {19, PT_U16},
    {20, PT_SF},    {21, PT_U16}, {22, PT_SF},	{23, PT_U16}, {24, PT_SF},  {25, PT_U16},
    {26, PT_SF},    {27, PT_PAD},
};

static void encode_state(struct enc *e, size_t st_at, size_t evt_at, const struct reading *r)
{
	if (reading_has(r, RF_STATE)) {
		set16(e, st_at, (uint16_t)r->state);
		set16(e, st_at + 1, (uint16_t)r->vendor_state);
	}
	if (reading_has(r, RF_EVENTS)) {
		set32(e, evt_at, r->events);
		set32(e, evt_at + 2, r->events2);
	}
}

static void encode_inverter_model(struct enc *e, const struct reading *r,
				  const struct sunspec_scales *sf, int flags)
{
	if (flags & SUNSPEC_ENC_FLOAT) {
		size_t at = begin_model(e, 113, 60, m113_pts, sizeof m113_pts / sizeof m113_pts[0]);
		set_float(e, at + 2, r, RF_AC_CURRENT_A);
		set_float(e, at + 16, r, RF_AC_VOLTAGE_V);
		set_float(e, at + 22, r, RF_POWER_W);
		set_float(e, at + 24, r, RF_FREQUENCY_HZ);
		set_float(e, at + 32, r, RF_ENERGY_TOTAL_WH);
		set_float(e, at + 34, r, RF_DC_CURRENT_A);
		set_float(e, at + 36, r, RF_DC_VOLTAGE_V);
		set_float(e, at + 38, r, RF_DC_POWER_W);
		set_float(e, at + 40, r, RF_CABINET_TEMP_C);
		encode_state(e, at + 48, at + 50, r);
		return;
	}
	size_t at = begin_model(e, 103, 50, m103_pts, sizeof m103_pts / sizeof m103_pts[0]);
	set16(e, at + 6, (uint16_t)sf->a);
	set16(e, at + 13, (uint16_t)sf->v);
	set16(e, at + 15, (uint16_t)sf->w);
	set16(e, at + 17, (uint16_t)sf->hz);
	set16(e, at + 26, (uint16_t)sf->wh);
	set16(e, at + 28, (uint16_t)sf->dca);
	set16(e, at + 30, (uint16_t)sf->dcv);
	set16(e, at + 32, (uint16_t)sf->dcw);
	set16(e, at + 37, (uint16_t)sf->tmp);
	set_scaled(e, at + 2, PT_U16, r, RF_AC_CURRENT_A, sf->a);
	set_scaled(e, at + 10, PT_U16, r, RF_AC_VOLTAGE_V, sf->v);
	set_scaled(e, at + 14, PT_I16, r, RF_POWER_W, sf->w);
	set_scaled(e, at + 16, PT_U16, r, RF_FREQUENCY_HZ, sf->hz);
	set_scaled(e, at + 24, PT_ACC32, r, RF_ENERGY_TOTAL_WH, sf->wh);
	set_scaled(e, at + 27, PT_U16, r, RF_DC_CURRENT_A, sf->dca);
	set_scaled(e, at + 29, PT_U16, r, RF_DC_VOLTAGE_V, sf->dcv);
	set_scaled(e, at + 31, PT_I16, r, RF_DC_POWER_W, sf->dcw);
	set_scaled(e, at + 33, PT_I16, r, RF_CABINET_TEMP_C, sf->tmp);
	encode_state(e, at + 38, at + 40, r);
}

static void encode_nameplate(struct enc *e, const struct reading *r,
			     const struct sunspec_scales *sf)
{
	size_t at = begin_model(e, 120, 26, m120_pts, sizeof m120_pts / sizeof m120_pts[0]);
	set16(e, at + 2, 4); /* DERTyp PV */
	set16(e, at + 4, (uint16_t)sf->wrtg);
	set_scaled(e, at + 3, PT_U16, r, RF_RATED_POWER_W, sf->wrtg);
}

/* Model 123 as a device under a limit (or none) shows it: WMaxLimPct in tenths of a percent,
 * WMaxLim_Ena 1 while a limit is in force, else 0 with WMaxLimPct at 100%. */
static const struct pt_def m123_pts[] = {
    {2, PT_U16},     {3, PT_U16},     {4, PT_ENUM16},  {5, PT_U16},  {6, PT_U16},  {7, PT_U16},
    {8, PT_U16},     {9, PT_ENUM16},  {10, PT_I16},    {11, PT_U16}, {12, PT_U16}, {13, PT_U16},
    {14, PT_ENUM16}, {15, PT_I16},    {16, PT_I16},    {17, PT_I16}, {18, PT_U16}, {19, PT_U16},
    {20, PT_U16},    {21, PT_ENUM16}, {22, PT_ENUM16}, {23, PT_SF},  {24, PT_SF},  {25, PT_SF},
};

/* Model 704 (DER AC controls) as published, L = 69; its int32 points are set apart. */
static const struct pt_def m704_pts[] = {
    {2, PT_ENUM16},  {3, PT_ENUM16},  {4, PT_U32},     {6, PT_U32},	{8, PT_ENUM16},
    {9, PT_ENUM16},  {10, PT_U32},    {12, PT_U32},    {14, PT_ENUM16}, {15, PT_U16},
    {16, PT_U16},    {17, PT_ENUM16}, {18, PT_U32},    {20, PT_U32},	{22, PT_ENUM16},
    {23, PT_ENUM16}, {32, PT_ENUM16}, {33, PT_U32},    {35, PT_U32},	{37, PT_ENUM16},
    {38, PT_ENUM16}, {39, PT_ENUM16}, {48, PT_ENUM16}, {49, PT_U32},	{51, PT_U32},
    {53, PT_U32},    {55, PT_ENUM16}, {56, PT_U16},    {57, PT_SF},	{58, PT_SF},
    {59, PT_SF},     {60, PT_SF},     {61, PT_SF},     {62, PT_SF},	{63, PT_U16},
    {64, PT_ENUM16}, {65, PT_U16},    {66, PT_ENUM16}, {67, PT_U16},	{68, PT_ENUM16},
    {69, PT_U16},    {70, PT_ENUM16},
};

static void encode_der_controls(struct enc *e, const struct reading *r)
{
	size_t at = begin_model(e, 704, 69, m704_pts, sizeof m704_pts / sizeof m704_pts[0]);
	static const uint8_t i32_points[] = {24, 26, 28, 30, 40, 42, 44, 46};
	for (size_t i = 0; i < sizeof i32_points; i++)
		set32(e, at + i32_points[i], 0x80000000u);
	set16(e, at + 58, (uint16_t)-1);
	int limited = reading_has(r, RF_POWER_LIMIT_PCT);
	set16(e, at + 14, limited ? 1 : 0);
	struct reading pct = {0};
	reading_set(&pct, RF_POWER_LIMIT_PCT, limited ? r->value[RF_POWER_LIMIT_PCT] : 100.0);
	set_scaled(e, at + 15, PT_U16, &pct, RF_POWER_LIMIT_PCT, -1);
}

static void encode_controls(struct enc *e, const struct reading *r)
{
	size_t at = begin_model(e, 123, 24, m123_pts, sizeof m123_pts / sizeof m123_pts[0]);
	set16(e, at + 4, 1); /* Conn: connected */
	set16(e, at + 23, (uint16_t)-1);
	int limited = reading_has(r, RF_POWER_LIMIT_PCT);
	set16(e, at + 9, limited ? 1 : 0);
	struct reading pct = {0};
	reading_set(&pct, RF_POWER_LIMIT_PCT, limited ? r->value[RF_POWER_LIMIT_PCT] : 100.0);
	set_scaled(e, at + 5, PT_U16, &pct, RF_POWER_LIMIT_PCT, -1);
}

/* Writes one model 160 module value; scale as set_scaled, for the module's own fields. */
static void set_mod(struct enc *e, size_t at, enum pt type, const struct sunspec_mppt_module *m,
		    enum sunspec_mppt_field f, int sf)
{
	struct reading tmp = {0};
	if (!(m->present & (1u << f)))
		return;
	reading_set(&tmp, RF_POWER_W, m->value[f]);
	set_scaled(e, at, type, &tmp, RF_POWER_W, sf);
}

static void encode_mppt(struct enc *e, const struct sunspec_mppt *mppt,
			const struct sunspec_scales *sf)
{
	size_t count = mppt ? mppt->n : 0;
	if (count > SUNSPEC_MAX_MPPT)
		count = SUNSPEC_MAX_MPPT;
	size_t at = begin_model(e, 160, (uint16_t)(8 + 20 * count), NULL, 0);
	set16(e, at + 2, (uint16_t)sf->mppt_dca);
	set16(e, at + 3, (uint16_t)sf->mppt_dcv);
	set16(e, at + 4, (uint16_t)sf->mppt_dcw);
	set16(e, at + 5, (uint16_t)sf->mppt_dcwh);
	set32(e, at + 6, mppt && mppt->events_present ? mppt->events : 0xFFFFFFFFu);
	set16(e, at + 8, (uint16_t)count);
	set16(e, at + 9, 0xFFFF);
	for (size_t i = 0; i < count; i++) {
		const struct sunspec_mppt_module *m = &mppt->mod[i];
		size_t g = at + 10 + 20 * i;
		set16(e, g, m->id ? m->id : (uint16_t)(i + 1));
		set_string(e, g + 1, 8, m->id_str);
		set16(e, g + 9, 0xFFFF);
		set16(e, g + 10, 0xFFFF);
		set16(e, g + 11, 0xFFFF);
		set32(e, g + 12, 0);
		set32(e, g + 14, 0xFFFFFFFFu);
		set16(e, g + 16, 0x8000);
		set16(e, g + 17, 0xFFFF);
		set32(e, g + 18, 0xFFFFFFFFu);
		set_mod(e, g + 9, PT_U16, m, SUNSPEC_MPPT_DC_CURRENT_A, sf->mppt_dca);
		set_mod(e, g + 10, PT_U16, m, SUNSPEC_MPPT_DC_VOLTAGE_V, sf->mppt_dcv);
		set_mod(e, g + 11, PT_U16, m, SUNSPEC_MPPT_DC_POWER_W, sf->mppt_dcw);
		set_mod(e, g + 12, PT_ACC32, m, SUNSPEC_MPPT_ENERGY_WH, sf->mppt_dcwh);
		set_mod(e, g + 16, PT_I16, m, SUNSPEC_MPPT_TEMP_C, 0);
		if (m->present & (1u << SUNSPEC_MPPT_TIMESTAMP_S))
			set32(e, g + 14, (uint32_t)m->value[SUNSPEC_MPPT_TIMESTAMP_S]);
		if (m->present & (1u << SUNSPEC_MPPT_STATE))
			set16(e, g + 17, (uint16_t)m->state);
		if (m->present & (1u << SUNSPEC_MPPT_EVENTS))
			set32(e, g + 18, m->events);
	}
}

void sunspec_scales_default(struct sunspec_scales *sf)
{
	*sf = (struct sunspec_scales){
	    .a = -2,
	    .v = -1,
	    .w = 0,
	    .hz = -2,
	    .wh = 0,
	    .dca = -2,
	    .dcv = -1,
	    .dcw = 0,
	    .tmp = -1,
	    .wrtg = 0,
	    .mppt_dca = -2,
	    .mppt_dcv = -1,
	    .mppt_dcw = 0,
	    .mppt_dcwh = 0,
	};
}

static int finish(const struct enc *e)
{
	if (e->err)
		return e->err;
	if (e->n > e->cap)
		return SUNSPEC_ERR_SPACE;
	return (int)e->n;
}

int sunspec_encode_inverter(uint16_t base, const struct sunspec_identity *id,
			    const struct reading *r, const struct sunspec_mppt *mppt,
			    const struct sunspec_scales *sf, int flags, uint16_t *dest, size_t cap)
{
	struct enc e = {.d = dest, .cap = cap};
	struct sunspec_scales def;
	if (!sf) {
		sunspec_scales_default(&def);
		sf = &def;
	}
	/* The image must not run past register 65535. */
	if ((size_t)base + cap > 0x10000)
		e.cap = 0x10000 - (size_t)base;
	encode_marker(&e);
	encode_common(&e, id);
	encode_inverter_model(&e, r, sf, flags);
	encode_nameplate(&e, r, sf);
	if (flags & SUNSPEC_ENC_DER_CONTROLS)
		encode_der_controls(&e, r);
	else
		encode_controls(&e, r);
	encode_mppt(&e, mppt, sf);
	encode_end(&e, flags);
	return finish(&e);
}

int sunspec_encode_sensor(uint16_t base, const struct sunspec_identity *id, const struct reading *r,
			  int flags, uint16_t *dest, size_t cap)
{
	struct enc e = {.d = dest, .cap = cap};
	if ((size_t)base + cap > 0x10000)
		e.cap = 0x10000 - (size_t)base;
	encode_marker(&e);
	encode_common(&e, id);

	static const struct pt_def irr_pts[] = {
	    {2, PT_U16}, {3, PT_U16}, {4, PT_U16}, {5, PT_U16}, {6, PT_U16}};
	size_t at = begin_model(&e, 302, 5, irr_pts, 5);
	set_scaled(&e, at + 2, PT_U16, r, RF_GHI_W_M2, 0);
	set_scaled(&e, at + 3, PT_U16, r, RF_POA_W_M2, 0);
	set_scaled(&e, at + 4, PT_U16, r, RF_DHI_W_M2, 0);
	set_scaled(&e, at + 5, PT_U16, r, RF_DNI_W_M2, 0);

	at = begin_model(&e, 303, 1, NULL, 0);
	set_scaled(&e, at + 2, PT_I16, r, RF_MODULE_TEMP_C, -1);

	at = begin_model(&e, 307, 11, NULL, 0); /* every 307 point is int16: 0x8000 */
	set_scaled(&e, at + 2, PT_I16, r, RF_AIR_TEMP_C, -1);
	set_scaled(&e, at + 5, PT_I16, r, RF_WIND_M_S, 0);

	encode_end(&e, flags);
	return finish(&e);
}
