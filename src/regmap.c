#include "pvrelief/regmap.h"

#include <math.h>
#include <stdlib.h>

#include "pvrelief/xalloc.h"

static size_t point_size(const struct regmap_point *p)
{
	return p->type == REGMAP_U32 || p->type == REGMAP_I32 ? 2 : 1;
}

uint16_t regmap_pdu_addr(const struct regmap *map, const struct regmap_point *p)
{
	return (uint16_t)((long)p->addr - map->address_offset);
}

struct span {
	uint32_t start, end; /* PDU addresses, end exclusive */
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

int regmap_blocks(const struct regmap *map, struct regmap_block *blocks, size_t cap)
{
	if (map->n_points == 0)
		return 0;
	struct span *s = xcalloc(map->n_points, sizeof *s);
	for (size_t i = 0; i < map->n_points; i++) {
		s[i].start = regmap_pdu_addr(map, &map->points[i]);
		s[i].end = s[i].start + (uint32_t)point_size(&map->points[i]);
	}
	qsort(s, map->n_points, sizeof *s, span_cmp);

	/* Taking points in address order and extending the current read while it stays within
	 * the limits gives the fewest reads: no other cut can cover more points from a start. */
	int n = 0, rc = 0;
	uint32_t start = s[0].start, end = s[0].end;
	for (size_t i = 1; i <= map->n_points; i++) {
		if (i < map->n_points) {
			uint32_t new_end = s[i].end > end ? s[i].end : end;
			int gap_ok =
			    s[i].start <= end || s[i].start - end <= (uint32_t)map->max_gap;
			if (gap_ok && new_end - start <= (uint32_t)map->max_block) {
				end = new_end;
				continue;
			}
		}
		if ((size_t)n == cap) {
			rc = REGMAP_ERR_SPACE;
			break;
		}
		blocks[n].addr = (uint16_t)start;
		blocks[n].count = (uint16_t)(end - start);
		n++;
		if (i < map->n_points) {
			start = s[i].start;
			end = s[i].end;
		}
	}
	free(s);
	return rc < 0 ? rc : n;
}

static uint32_t raw_of(const struct regmap_point *p, const uint16_t *r)
{
	if (point_size(p) == 1)
		return r[0];
	if (p->order == REGMAP_LOW_FIRST)
		return (uint32_t)r[1] << 16 | r[0];
	return (uint32_t)r[0] << 16 | r[1];
}

static double signed_value(enum regmap_type t, uint32_t raw)
{
	switch (t) {
	case REGMAP_I16:
		return (int16_t)(uint16_t)raw;
	case REGMAP_I32:
		return (int32_t)raw;
	default:
		return raw;
	}
}

static int is_invalid(const struct regmap_point *p, uint32_t raw)
{
	for (size_t i = 0; i < p->n_invalid; i++)
		if (p->invalid[i] == raw)
			return 1;
	return 0;
}

static const struct regmap_label *find_label(const struct regmap_label *tab, size_t n,
					     uint32_t code)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].code == code)
			return &tab[i];
	return NULL;
}

/* Finds the registers of a PDU range in the blocks laid end to end in data. */
static const uint16_t *locate(const struct regmap_block *blocks, size_t n, const uint16_t *data,
			      uint32_t addr, size_t size)
{
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		if (addr >= blocks[i].addr &&
		    addr + size <= (uint32_t)blocks[i].addr + blocks[i].count)
			return data + at + (addr - blocks[i].addr);
		at += blocks[i].count;
	}
	return NULL;
}

int regmap_decode(const struct regmap *map, const struct regmap_block *blocks, size_t n,
		  const uint16_t *data, struct reading *out)
{
	uint64_t alarm_bits = 0;
	int alarm_points = 0, alarm_invalid = 0;

	for (size_t i = 0; i < map->n_points; i++) {
		const struct regmap_point *p = &map->points[i];
		const uint16_t *r = locate(blocks, n, data, regmap_pdu_addr(map, p), point_size(p));
		if (!r)
			return REGMAP_ERR_BLOCK;
		uint32_t raw = raw_of(p, r);
		if (p->field == RF_EVENTS) {
			alarm_points++;
			if (is_invalid(p, raw))
				alarm_invalid = 1;
			else
				alarm_bits |= (uint64_t)raw << p->shift;
			continue;
		}
		if (is_invalid(p, raw)) {
			if (p->field == RF_STATE)
				out->state = INV_STATE_UNKNOWN;
			reading_set_sentinel(out, p->field);
			continue;
		}
		switch (p->field) {
		case RF_STATE: {
			const struct regmap_label *l =
			    find_label(map->statuses, map->n_statuses, raw);
			out->vendor_state = raw;
			out->state = l ? l->state : INV_STATE_UNKNOWN;
			reading_set(out, RF_STATE, out->state);
			break;
		}
		case RF_FAULT_CODE:
			out->fault_code = raw;
			reading_set(out, RF_FAULT_CODE, raw);
			break;
		default:
			reading_set(out, p->field, signed_value(p->type, raw) * p->scale);
		}
	}
	if (alarm_points) {
		/* Half an alarm word is not an alarm word: one invalid register voids them all. */
		if (alarm_invalid) {
			out->events = out->events2 = 0;
			reading_set_sentinel(out, RF_EVENTS);
		} else {
			out->events = (uint32_t)alarm_bits;
			out->events2 = (uint32_t)(alarm_bits >> 32);
			reading_set(out, RF_EVENTS, out->events);
		}
	}
	return 0;
}

/* Chooses the status code to serve for a reading's state: its own vendor code when the map
 * agrees on the state, else the first code of the map that means that state. */
static uint32_t status_code_for(const struct regmap *map, const struct reading *r)
{
	const struct regmap_label *l = find_label(map->statuses, map->n_statuses, r->vendor_state);
	if (l && l->state == r->state)
		return r->vendor_state;
	for (size_t i = 0; i < map->n_statuses; i++)
		if (map->statuses[i].state == r->state)
			return map->statuses[i].code;
	return r->vendor_state;
}

static int raw_for(const struct regmap *map, const struct regmap_point *p, const struct reading *r,
		   uint32_t *raw)
{
	if (!reading_has(r, p->field)) {
		*raw = p->n_invalid ? p->invalid[0] : 0;
		return 0;
	}
	switch (p->field) {
	case RF_STATE:
		*raw = status_code_for(map, r);
		break;
	case RF_EVENTS: {
		uint64_t bits = (uint64_t)r->events2 << 32 | r->events;
		*raw = (uint32_t)(bits >> p->shift);
		break;
	}
	case RF_FAULT_CODE:
		*raw = r->fault_code;
		break;
	default: {
		double v = round(r->value[p->field] / p->scale);
		double lo = 0, hi = 0;
		switch (p->type) {
		case REGMAP_U16:
			hi = 0xFFFF;
			break;
		case REGMAP_I16:
			lo = -32768;
			hi = 32767;
			break;
		case REGMAP_U32:
			hi = 4294967295.0;
			break;
		case REGMAP_I32:
			lo = -2147483648.0;
			hi = 2147483647.0;
			break;
		}
		if (!(v >= lo && v <= hi))
			return REGMAP_ERR_RANGE;
		*raw = v < 0 ? (uint32_t)(int32_t)v : (uint32_t)v;
		if (point_size(p) == 1)
			*raw &= 0xFFFF;
		/* A value that reads back as "no value" would not survive the trip. */
		if (is_invalid(p, *raw))
			return REGMAP_ERR_RANGE;
	}
	}
	if (point_size(p) == 1)
		*raw &= 0xFFFF;
	return 0;
}

int regmap_encode(const struct regmap *map, const struct reading *r, uint16_t *image,
		  size_t image_len, uint16_t image_base)
{
	for (size_t i = 0; i < map->n_points; i++) {
		const struct regmap_point *p = &map->points[i];
		uint32_t pdu = regmap_pdu_addr(map, p);
		size_t size = point_size(p);
		if (pdu < image_base || pdu - image_base + size > image_len)
			return REGMAP_ERR_SPACE;
		uint32_t raw;
		int rc = raw_for(map, p, r, &raw);
		if (rc < 0)
			return rc;
		uint16_t *d = image + (pdu - image_base);
		if (size == 1) {
			d[0] = (uint16_t)raw;
		} else if (p->order == REGMAP_LOW_FIRST) {
			d[0] = (uint16_t)raw;
			d[1] = (uint16_t)(raw >> 16);
		} else {
			d[0] = (uint16_t)(raw >> 16);
			d[1] = (uint16_t)raw;
		}
	}
	return 0;
}

static const char *label_name(const struct regmap_label *l, enum regmap_lang lang)
{
	if (!l)
		return NULL;
	return lang == REGMAP_ZH && l->name_zh ? l->name_zh : l->name;
}

const char *regmap_status_name(const struct regmap *map, uint32_t code, enum regmap_lang lang)
{
	return label_name(find_label(map->statuses, map->n_statuses, code), lang);
}

const char *regmap_alarm_name(const struct regmap *map, int bit, enum regmap_lang lang)
{
	if (bit < 0 || bit > 63)
		return NULL;
	return label_name(find_label(map->alarms, map->n_alarms, (uint32_t)bit), lang);
}

const char *regmap_fault_name(const struct regmap *map, uint32_t code, enum regmap_lang lang)
{
	return label_name(find_label(map->faults, map->n_faults, code), lang);
}

static void free_labels(struct regmap_label *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].name);
		free(l[i].name_zh);
	}
	free(l);
}

void regmap_free(struct regmap *map)
{
	if (!map)
		return;
	free(map->name);
	free(map->vendor);
	free(map->document);
	free(map->document_version);
	free(map->points);
	free_labels(map->statuses, map->n_statuses);
	free_labels(map->alarms, map->n_alarms);
	free_labels(map->faults, map->n_faults);
	free(map);
}
