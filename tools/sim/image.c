#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/config.h"
#include "pvrelief/log.h"
#include "pvrelief/xalloc.h"
#include "sim.h"
#include "state.h"

#include "pvrelief/regmap.h"

#define IMAGE_SUNSPEC_CAP 1024

enum image_kind { IMAGE_SUNSPEC_INVERTER, IMAGE_SUNSPEC_SENSOR, IMAGE_REGMAP };

struct image {
	enum image_kind kind;
	int input;     /* registers are input registers (function 4), else holding */
	uint16_t base; /* PDU address of regs[0] */
	size_t len;
	uint16_t *regs; /* points into mapping */
	modbus_mapping_t *mapping;
	int failed; /* an encoding failure was logged */
};

static int sunspec_encode(const struct sim_device *d, unsigned dead, enum image_kind kind,
			  const struct reading *r, uint16_t *dest, size_t cap)
{
	struct sunspec_identity id = {
	    .manufacturer = "pvrelief",
	    .model = kind == IMAGE_SUNSPEC_SENSOR ? "pvrelief-sim met" : "pvrelief-sim inverter",
	    .version = PVRELIEF_VERSION,
	    .device_address = (uint16_t)d->dev->unit_id};
	char serial[33];
	/* Model 1's serial holds 32 characters; keep the end, which tells devices apart. */
	size_t n = strlen(d->name);
	snprintf(serial, sizeof serial, "%s", n > 32 ? d->name + n - 32 : d->name);
	id.serial = serial;
	if (kind == IMAGE_SUNSPEC_SENSOR)
		return sunspec_encode_sensor(SUNSPEC_BASE_DEFAULT, &id, r, 0, dest, cap);

	struct sunspec_mppt mppt;
	memset(&mppt, 0, sizeof mppt);
	mppt.n = SIM_DC_INPUTS;
	size_t live = 0;
	for (size_t i = 0; i < mppt.n; i++)
		live += !((dead >> i) & 1u);
	for (size_t i = 0; i < mppt.n; i++) {
		struct sunspec_mppt_module *m = &mppt.mod[i];
		m->id = (uint16_t)(i + 1);
		snprintf(m->id_str, sizeof m->id_str, "PV%d", (int)(i + 1));
		if (reading_has(r, RF_DC_POWER_W)) {
			/* The inputs left share the array's output; a dead one carries nothing. */
			double share = (dead >> i) & 1u || !live ? 0 : 1.0 / (double)live;
			m->value[SUNSPEC_MPPT_DC_CURRENT_A] = r->value[RF_DC_CURRENT_A] * share;
			m->value[SUNSPEC_MPPT_DC_VOLTAGE_V] = r->value[RF_DC_VOLTAGE_V];
			m->value[SUNSPEC_MPPT_DC_POWER_W] = r->value[RF_DC_POWER_W] * share;
			m->present = 1u << SUNSPEC_MPPT_DC_CURRENT_A |
				     1u << SUNSPEC_MPPT_DC_VOLTAGE_V |
				     1u << SUNSPEC_MPPT_DC_POWER_W;
		}
	}
	struct sunspec_scales sf = d->scales;
	sf.w = (int8_t)(sf.w + d->fault.w_sf_extra);
	sf.dcw = (int8_t)(sf.dcw + d->fault.w_sf_extra);
	int flags = (d->dev->sim.float_model ? SUNSPEC_ENC_FLOAT : 0) |
		    (d->dev->sim.der_controls ? SUNSPEC_ENC_DER_CONTROLS : 0);
	return sunspec_encode_inverter(SUNSPEC_BASE_DEFAULT, &id, r, &mppt, &sf, flags, dest, cap);
}

static size_t point_regs(const struct regmap_point *p)
{
	return p->type == REGMAP_U32 || p->type == REGMAP_I32 ? 2 : 1;
}

/* Picks the vendor status for a state: the map's own code for it, else one for a state a
 * monitoring system treats alike (a sleeping inverter that reports standby or off). */
static void regmap_state(const struct regmap *map, struct reading *r)
{
	static const enum inv_state fallback[] = {INV_STATE_STANDBY, INV_STATE_OFF};
	enum inv_state want = r->state;
	for (size_t k = 0; k <= sizeof fallback / sizeof fallback[0]; k++) {
		for (size_t i = 0; i < map->n_statuses; i++) {
			if (map->statuses[i].state == want) {
				r->state = want;
				r->vendor_state = map->statuses[i].code;
				return;
			}
		}
		if (k < sizeof fallback / sizeof fallback[0])
			want = fallback[k];
	}
}

static int regmap_image(const struct sim_device *d, struct reading *r, struct image *im)
{
	const struct regmap *map = d->dev->map;
	if (reading_has(r, RF_STATE))
		regmap_state(map, r);
	/* An inverter that is not derated reports 100% in its limit register. */
	if (!reading_has(r, RF_POWER_LIMIT_PCT))
		reading_set(r, RF_POWER_LIMIT_PCT, 100.0);
	if (r->state == INV_STATE_FAULT) {
		r->fault_code = map->n_faults ? map->faults[0].code : 1;
		reading_set(r, RF_FAULT_CODE, r->fault_code);
	}
	return regmap_encode(map, r, im->regs, im->len, im->base);
}

struct image *image_new(struct sim_device *d)
{
	struct image *im = xcalloc(1, sizeof *im);
	const struct config_device *dev = d->dev;
	if (strcmp(dev->protocol, "sunspec") == 0) {
		im->kind =
		    dev->role == CONFIG_SENSOR ? IMAGE_SUNSPEC_SENSOR : IMAGE_SUNSPEC_INVERTER;
		im->base = SUNSPEC_BASE_DEFAULT;
		uint16_t *tmp = xcalloc(IMAGE_SUNSPEC_CAP, sizeof *tmp);
		struct reading r;
		pthread_mutex_lock(&d->lock);
		state_reading(d, &r);
		pthread_mutex_unlock(&d->lock);
		int n = sunspec_encode(d, 0, im->kind, &r, tmp, IMAGE_SUNSPEC_CAP);
		free(tmp);
		if (n < 0) {
			log_err("%s (port %d unit %d): cannot build its SunSpec image (error %d)",
				d->name, dev->port, dev->unit_id, n);
			goto fail;
		}
		im->len = (size_t)n;
	} else {
		const struct regmap *map = dev->map;
		if (!map) {
			log_err(
			    "%s (port %d unit %d): register map \"%s\" was not loaded; the unit "
			    "will not answer",
			    d->name, dev->port, dev->unit_id, dev->protocol);
			goto fail;
		}
		uint32_t lo = 0xFFFF, hi = 0;
		for (size_t i = 0; i < map->n_points; i++) {
			uint32_t a = regmap_pdu_addr(map, &map->points[i]);
			uint32_t end = a + (uint32_t)point_regs(&map->points[i]);
			lo = a < lo ? a : lo;
			hi = end > hi ? end : hi;
		}
		if (hi <= lo) {
			log_err("%s: register map \"%s\" has no points", d->name, dev->protocol);
			goto fail;
		}
		im->kind = IMAGE_REGMAP;
		im->input = map->function == 4;
		im->base = (uint16_t)lo;
		im->len = hi - lo;
	}
	if (im->input)
		im->mapping =
		    modbus_mapping_new_start_address(0, 0, 0, 0, 0, 0, im->base, (unsigned)im->len);
	else
		im->mapping =
		    modbus_mapping_new_start_address(0, 0, 0, 0, im->base, (unsigned)im->len, 0, 0);
	if (!im->mapping)
		fatal("out of memory for the register mapping of %s", d->name);
	im->regs = im->input ? im->mapping->tab_input_registers : im->mapping->tab_registers;
	return im;
fail:
	free(im);
	return NULL;
}

void image_free(struct image *im)
{
	if (!im)
		return;
	modbus_mapping_free(im->mapping);
	free(im);
}

modbus_mapping_t *image_refresh(struct image *im, struct sim_device *d)
{
	struct reading r;
	pthread_mutex_lock(&d->lock);
	state_reading(d, &r);
	unsigned dead = d->fault.dead_inputs;
	pthread_mutex_unlock(&d->lock);
	int rc;
	if (im->kind == IMAGE_REGMAP) {
		rc = regmap_image(d, &r, im);
	} else {
		rc = sunspec_encode(d, dead, im->kind, &r, im->regs, im->len);
		if (rc >= 0 && (size_t)rc != im->len)
			rc = SUNSPEC_ERR_SPACE;
	}
	if (rc < 0) {
		if (!im->failed)
			log_warn("%s (port %d unit %d): cannot encode its registers (error %d); "
				 "not answering",
				 d->name, d->dev->port, d->dev->unit_id, rc);
		im->failed = 1;
		return NULL;
	}
	if (im->failed)
		log_info("%s (port %d unit %d): registers encode again", d->name, d->dev->port,
			 d->dev->unit_id);
	im->failed = 0;
	return im->mapping;
}
