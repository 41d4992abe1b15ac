/* Loader of vendor register map files (libconfig). Part of the config module: besides the main
 * configuration loader, the only code that sees libconfig. */
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/errlist.h"
#include "pvrelief/regmap.h"
#include "pvrelief/xalloc.h"

struct ld {
	const char *path;
	struct errlist *errs;
	int failed;
};

#define ERR(ld, s, ...) report((ld), (s), __VA_ARGS__)

static void report(struct ld *ld, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(struct ld *ld, const config_setting_t *s, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	const char *file =
	    s && config_setting_source_file(s) ? config_setting_source_file(s) : ld->path;
	errlist_add(ld->errs, file, s ? config_setting_source_line(s) : 0, "%s", text);
	ld->failed = 1;
}

/* Reports every setting of group g whose name is not in allowed (NULL-terminated). */
static void check_keys(struct ld *ld, const config_setting_t *g, const char *const *allowed)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, name) == 0;
		if (!ok)
			ERR(ld, s, "unknown setting \"%s\"", name);
	}
}

static int is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

/* libconfig 1.5 stores 0xFFFFFFFF (and 4294967295) as a 32-bit int of value -1; where a
 * register value or code is meant, take the 32 bits as unsigned. */
static long long as_unsigned(const config_setting_t *s)
{
	long long v = config_setting_get_int64(s);
	if (config_setting_type(s) == CONFIG_TYPE_INT && v < 0)
		v += 4294967296LL;
	return v;
}

/* Looks up an integer; returns 1 with *v set, 0 when missing (reported if required) or of the
 * wrong type (reported). unsigned32 reads a register value or code (see as_unsigned). */
static int get_int(struct ld *ld, const config_setting_t *g, const char *key, int required,
		   int unsigned32, long long *v)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	if (!s) {
		if (required)
			ERR(ld, g, "missing setting \"%s\"", key);
		return 0;
	}
	if (!is_int(s)) {
		ERR(ld, s, "\"%s\" must be an integer", key);
		return 0;
	}
	*v = unsigned32 ? as_unsigned(s) : config_setting_get_int64(s);
	return 1;
}

static int get_range(struct ld *ld, const config_setting_t *g, const char *key, int required,
		     long long lo, long long hi, long long *v)
{
	if (!get_int(ld, g, key, required, 0, v))
		return 0;
	if (*v < lo || *v > hi) {
		ERR(ld, config_setting_get_member(g, key),
		    "%s must be between %lld and %lld, not %lld", key, lo, hi, *v);
		return 0;
	}
	return 1;
}

static int get_num(struct ld *ld, const config_setting_t *g, const char *key, double *v)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	if (!s)
		return 0;
	if (is_int(s)) {
		*v = (double)config_setting_get_int64(s);
		return 1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_FLOAT) {
		ERR(ld, s, "\"%s\" must be a number", key);
		return 0;
	}
	*v = config_setting_get_float(s);
	return 1;
}

/* Returns the string (owned by libconfig) or NULL when missing (reported if required) or not
 * a non-empty string (reported). */
static const char *get_str(struct ld *ld, const config_setting_t *g, const char *key, int required)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	if (!s) {
		if (required)
			ERR(ld, g, "missing setting \"%s\"", key);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		ERR(ld, s, "\"%s\" must be a string", key);
		return NULL;
	}
	const char *v = config_setting_get_string(s);
	if (!*v) {
		ERR(ld, s, "\"%s\" must not be empty", key);
		return NULL;
	}
	return v;
}

/* Returns the list of groups named key, or NULL when missing (reported if required) or not a
 * list of groups (reported). */
static const config_setting_t *get_list(struct ld *ld, const config_setting_t *g, const char *key,
					int required)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	if (!s) {
		if (required)
			ERR(ld, g, "missing setting \"%s\"", key);
		return NULL;
	}
	int ok = config_setting_type(s) == CONFIG_TYPE_LIST;
	for (int i = 0; ok && i < config_setting_length(s); i++)
		ok = config_setting_type(config_setting_get_elem(s, (unsigned)i)) ==
		     CONFIG_TYPE_GROUP;
	if (!ok) {
		ERR(ld, s, "\"%s\" must be a list of groups: ( { ... }, { ... } )", key);
		return NULL;
	}
	return s;
}

static const char *const type_names[] = {"u16", "i16", "u32", "i32"};

static uint32_t type_max(enum regmap_type t)
{
	return t == REGMAP_U16 || t == REGMAP_I16 ? 0xFFFFu : 0xFFFFFFFFu;
}

static void load_point(struct ld *ld, struct regmap *map, const config_setting_t *g,
		       struct regmap_point *p)
{
	static const char *const keys[] = {"field", "address", "type",	  "order",
					   "scale", "shift",   "invalid", NULL};
	check_keys(ld, g, keys);
	p->line = config_setting_source_line(g);
	p->scale = 1;
	p->order = REGMAP_HIGH_FIRST;

	const char *field = get_str(ld, g, "field", 1);
	int f = field ? reading_field_parse(field) : -1;
	if (field && f < 0)
		ERR(ld, config_setting_get_member(g, "field"), "unknown field \"%s\"", field);
	p->field = f < 0 ? RF_POWER_W : (enum reading_field)f;

	const char *type = get_str(ld, g, "type", 1);
	int t = -1;
	for (int i = 0; type && i < 4; i++)
		if (strcmp(type, type_names[i]) == 0)
			t = i;
	if (type && t < 0)
		ERR(ld, config_setting_get_member(g, "type"),
		    "unknown register type \"%s\" (expected u16, i16, u32 or i32)", type);
	p->type = t < 0 ? REGMAP_U16 : (enum regmap_type)t;

	const char *order = get_str(ld, g, "order", 0);
	if (order && strcmp(order, "low_first") == 0)
		p->order = REGMAP_LOW_FIRST;
	else if (order && strcmp(order, "high_first") != 0)
		ERR(ld, config_setting_get_member(g, "order"),
		    "unknown word order \"%s\" (expected high_first or low_first)", order);

	long long addr;
	if (get_int(ld, g, "address", 1, 0, &addr)) {
		long long pdu = addr - map->address_offset;
		long long size = p->type == REGMAP_U32 || p->type == REGMAP_I32 ? 2 : 1;
		if (pdu < 0 || pdu + size > 0x10000)
			ERR(ld, config_setting_get_member(g, "address"),
			    "address %lld is outside the Modbus address space with address_offset "
			    "%d",
			    addr, map->address_offset);
		else
			p->addr = (uint32_t)addr;
	}

	if (get_num(ld, g, "scale", &p->scale)) {
		const config_setting_t *s = config_setting_get_member(g, "scale");
		if (p->scale == 0 || p->scale != p->scale)
			ERR(ld, s, "scale must not be zero");
		else if ((p->field == RF_STATE || p->field == RF_EVENTS ||
			  p->field == RF_FAULT_CODE) &&
			 p->scale != 1)
			ERR(ld, s, "a %s point is a code, so its scale must be 1", field);
	}

	long long shift;
	if (get_int(ld, g, "shift", 0, 0, &shift)) {
		const config_setting_t *s = config_setting_get_member(g, "shift");
		if (p->field != RF_EVENTS)
			ERR(ld, s, "shift is only for alarm points");
		else if (shift < 0 || shift + (p->type <= REGMAP_I16 ? 16 : 32) > 64)
			ERR(ld, s, "shift %lld puts alarm bits outside 0-63", shift);
		else
			p->shift = (int)shift;
	}

	const config_setting_t *inv = config_setting_get_member(g, "invalid");
	if (inv) {
		int kind = config_setting_type(inv);
		if (kind != CONFIG_TYPE_ARRAY && kind != CONFIG_TYPE_LIST) {
			ERR(ld, inv, "\"invalid\" must be a list of integers: [0xFFFF, 0x7FFF]");
		} else if (config_setting_length(inv) > REGMAP_MAX_INVALID) {
			ERR(ld, inv, "too many invalid markers (at most %d)", REGMAP_MAX_INVALID);
		} else {
			for (int i = 0; i < config_setting_length(inv); i++) {
				const config_setting_t *e =
				    config_setting_get_elem(inv, (unsigned)i);
				if (!is_int(e)) {
					ERR(ld, inv, "\"invalid\" must be a list of integers");
					break;
				}
				long long v = as_unsigned(e);
				if (v < 0 || v > type_max(p->type)) {
					ERR(ld, inv,
					    "invalid marker %lld does not fit a %s register", v,
					    type_names[p->type]);
					continue;
				}
				p->invalid[p->n_invalid++] = (uint32_t)v;
			}
		}
	}
}

/* Reports points that share registers, fields given twice and overlapping alarm bits. */
static void check_points(struct ld *ld, const struct regmap *map, const config_setting_t *list)
{
	for (size_t i = 0; i < map->n_points; i++) {
		const struct regmap_point *p = &map->points[i];
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		long ps = (long)p->addr, pe = ps + (p->type >= REGMAP_U32 ? 2 : 1);
		for (size_t j = 0; j < i; j++) {
			const struct regmap_point *q = &map->points[j];
			long qs = (long)q->addr, qe = qs + (q->type >= REGMAP_U32 ? 2 : 1);
			if (ps < qe && qs < pe) {
				ERR(ld, g, "point at address %u overlaps the point on line %d",
				    p->addr, q->line);
			} else if (p->field == q->field && p->field != RF_EVENTS) {
				ERR(ld, g, "field \"%s\" already has a point on line %d",
				    reading_field_name(p->field), q->line);
			} else if (p->field == RF_EVENTS && q->field == RF_EVENTS) {
				int pw = p->type >= REGMAP_U32 ? 32 : 16;
				int qw = q->type >= REGMAP_U32 ? 32 : 16;
				if (p->shift < q->shift + qw && q->shift < p->shift + pw)
					ERR(ld, g,
					    "alarm bits of this point overlap those of the point "
					    "on "
					    "line %d",
					    q->line);
			}
		}
	}
}

enum label_kind { LABEL_STATUS, LABEL_ALARM, LABEL_FAULT };

static void load_labels(struct ld *ld, const config_setting_t *list, enum label_kind kind,
			struct regmap_label **out, size_t *n_out)
{
	static const char *const status_keys[] = {"code", "state", "name", "name_zh", NULL};
	static const char *const alarm_keys[] = {"bit", "name", "name_zh", NULL};
	static const char *const fault_keys[] = {"code", "name", "name_zh", NULL};
	static const char *const what[] = {"status code", "alarm bit", "fault code"};
	size_t n = (size_t)config_setting_length(list);
	struct regmap_label *l = xcalloc(n ? n : 1, sizeof *l);

	for (size_t i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		check_keys(ld, g,
			   kind == LABEL_STATUS	 ? status_keys
			   : kind == LABEL_ALARM ? alarm_keys
						 : fault_keys);
		l[i].line = config_setting_source_line(g);
		long long code = 0;
		if (kind == LABEL_ALARM)
			get_range(ld, g, "bit", 1, 0, 63, &code);
		else
			get_int(ld, g, "code", 1, 1, &code);
		l[i].code = (uint32_t)code;
		const char *name = get_str(ld, g, "name", 1);
		l[i].name = xstrdup(name ? name : "");
		const char *zh = get_str(ld, g, "name_zh", 0);
		l[i].name_zh = zh ? xstrdup(zh) : NULL;
		if (kind == LABEL_STATUS) {
			const char *st = get_str(ld, g, "state", 1);
			int s = st ? inv_state_parse(st) : -1;
			if (st && s < 0)
				ERR(ld, config_setting_get_member(g, "state"),
				    "unknown state \"%s\" (expected off, sleeping, starting, mppt, "
				    "throttled, shutting_down, fault, standby or unknown)",
				    st);
			l[i].state = s < 0 ? INV_STATE_UNKNOWN : (enum inv_state)s;
		}
		for (size_t j = 0; j < i; j++)
			if (l[j].code == l[i].code)
				ERR(ld, g, "duplicate %s %lld (first on line %d)", what[kind], code,
				    l[j].line);
	}
	*out = l;
	*n_out = n;
}

struct regmap *regmap_load(const char *path, struct errlist *errs)
{
	static const char *const keys[] = {"name",
					   "vendor",
					   "document",
					   "document_version",
					   "function",
					   "address_offset",
					   "max_block",
					   "max_gap",
					   "connect_wait_ms",
					   "points",
					   "status",
					   "alarms",
					   "faults",
					   NULL};
	struct ld ld = {.path = path, .errs = errs};
	config_t cfg;
	config_init(&cfg);
	struct regmap *map = xcalloc(1, sizeof *map);

	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			errlist_add(errs, path, 0, "cannot read the map file: %s", strerror(errno));
		else
			errlist_add(errs, config_error_file(&cfg) ? config_error_file(&cfg) : path,
				    config_error_line(&cfg), "%s", config_error_text(&cfg));
		ld.failed = 1;
		goto fail;
	}
	const config_setting_t *root = config_root_setting(&cfg);
	check_keys(&ld, root, keys);

	const char *s;
	if ((s = get_str(&ld, root, "name", 1)))
		map->name = xstrdup(s);
	if ((s = get_str(&ld, root, "vendor", 1)))
		map->vendor = xstrdup(s);
	if ((s = get_str(&ld, root, "document", 1)))
		map->document = xstrdup(s);
	if ((s = get_str(&ld, root, "document_version", 1)))
		map->document_version = xstrdup(s);

	long long v;
	if (get_int(&ld, root, "function", 1, 0, &v)) {
		if (v != 3 && v != 4)
			ERR(&ld, config_setting_get_member(root, "function"),
			    "function must be 3 (holding registers) or 4 (input registers), not "
			    "%lld",
			    v);
		map->function = (int)v;
	}
	if (get_range(&ld, root, "address_offset", 0, 0, 65535, &v))
		map->address_offset = (int)v;
	map->max_block = 125;
	if (get_range(&ld, root, "max_block", 1, 1, 125, &v))
		map->max_block = (int)v;
	map->max_gap = map->max_block;
	if (get_range(&ld, root, "max_gap", 0, 0, 125, &v))
		map->max_gap = (int)v;
	if (get_range(&ld, root, "connect_wait_ms", 0, 0, 60000, &v))
		map->connect_wait_ms = (int)v;

	const config_setting_t *points = get_list(&ld, root, "points", 1);
	if (points) {
		map->n_points = (size_t)config_setting_length(points);
		if (map->n_points == 0)
			ERR(&ld, points, "points must list at least one point");
		map->points = xcalloc(map->n_points ? map->n_points : 1, sizeof *map->points);
		int failed_before = ld.failed;
		ld.failed = 0;
		for (size_t i = 0; i < map->n_points; i++)
			load_point(&ld, map, config_setting_get_elem(points, (unsigned)i),
				   &map->points[i]);
		/* Points that failed to load hold stand-in values that would only add noise. */
		if (!ld.failed)
			check_points(&ld, map, points);
		ld.failed |= failed_before;
	}
	const config_setting_t *list;
	if ((list = get_list(&ld, root, "status", 0)))
		load_labels(&ld, list, LABEL_STATUS, &map->statuses, &map->n_statuses);
	if ((list = get_list(&ld, root, "alarms", 0)))
		load_labels(&ld, list, LABEL_ALARM, &map->alarms, &map->n_alarms);
	if ((list = get_list(&ld, root, "faults", 0)))
		load_labels(&ld, list, LABEL_FAULT, &map->faults, &map->n_faults);
	for (size_t i = 0; i < map->n_points; i++)
		if (map->points[i].field == RF_STATE && map->n_statuses == 0) {
			ERR(&ld, config_setting_get_elem(points, (unsigned)i),
			    "a state point needs a status table to map its codes");
			break;
		}

fail:
	config_destroy(&cfg);
	if (ld.failed) {
		regmap_free(map);
		return NULL;
	}
	return map;
}
