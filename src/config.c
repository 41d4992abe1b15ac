/* Configuration loader. The whole file is checked before anything is used: every problem is
 * collected as "file:line: sentence" so an operator fixes a broken file in one pass. */
#include "pvrelief/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pvrelief/regmap.h"
#include "pvrelief/suggest.h"
#include "pvrelief/xalloc.h"

struct loader {
	const char *path;
	struct errlist *errs;
	size_t n_errors_at_start;
};

static const char *file_of(const struct loader *ld, const config_setting_t *s)
{
	const char *f = s ? config_setting_source_file(s) : NULL;
	return f ? f : ld->path;
}

static void err_at(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void err_at(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	char text[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	errlist_add(ld->errs, file_of(ld, s), s ? (int)config_setting_source_line(s) : 0, "%s",
		    text);
}

static int failed(const struct loader *ld)
{
	return ld->errs->n > ld->n_errors_at_start;
}

/* Stores line number line of file path in buf, without its leading and trailing blanks and
 * cut to fit; returns 0, or -1 when it cannot be read or is blank. libconfig names only the
 * line of a syntax error, so the line itself is the nearest thing to the token it shows. */
static int line_text(const char *path, int line, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char l[1024];
	int n = 0, found = 0;
	if (!f)
		return -1;
	while (fgets(l, sizeof l, f))
		if (++n == line) {
			found = 1;
			break;
		}
	fclose(f);
	if (!found)
		return -1;
	char *b = l, *e = l + strlen(l);
	while (*b == ' ' || *b == '\t')
		b++;
	while (e > b && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == b)
		return -1;
	size_t keep = (size_t)(e - b);
	if (keep >= len) {
		/* Cut on a character boundary, with an ellipsis. */
		keep = len - 4;
		while (keep > 0 && ((unsigned char)b[keep] & 0xC0) == 0x80)
			keep--;
		snprintf(buf, len, "%.*s...", (int)keep, b);
	} else {
		snprintf(buf, len, "%.*s", (int)keep, b);
	}
	return 0;
}

/* Reports every child of a group whose name is not in the allowed list (NULL-terminated),
 * with the nearest allowed key; returns how many there were. A group with an unknown key
 * skips the checks between its values, which would otherwise judge the default the misspelt
 * key fell back to and report a second, misleading error. */
static int check_keys(struct loader *ld, const config_setting_t *grp, const char *what,
		      const char *const allowed[])
{
	int unknown = 0;
	if (!grp)
		return 0;
	size_t n_allowed = 0;
	while (allowed[n_allowed])
		n_allowed++;
	int n = config_setting_length(grp);
	for (int i = 0; i < n; i++) {
		config_setting_t *c = config_setting_get_elem(grp, (unsigned)i);
		const char *name = config_setting_name(c);
		int known = 0;
		if (!name)
			continue;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, name) == 0)
				known = 1;
		if (known)
			continue;
		unknown++;
		const char *near = suggest_nearest(name, allowed, n_allowed);
		if (near)
			err_at(ld, c, "unknown key \"%s\" in %s (did you mean \"%s\"?)", name, what,
			       near);
		else
			err_at(ld, c, "unknown key \"%s\" in %s", name, what);
	}
	return unknown;
}

/* Returns the named group inside parent, or NULL (reporting a non-group value). */
static config_setting_t *group(struct loader *ld, const config_setting_t *parent, const char *key)
{
	config_setting_t *s = parent ? config_setting_get_member(parent, key) : NULL;
	if (s && !config_setting_is_group(s)) {
		err_at(ld, s, "\"%s\" must be a group { ... }", key);
		return NULL;
	}
	return s;
}

static const config_setting_t *where(const config_setting_t *s, const config_setting_t *grp)
{
	return s ? s : grp;
}

/* Reads a string; def NULL makes the key required. The result is newly allocated. */
static char *get_str(struct loader *ld, const config_setting_t *grp, const char *what,
		     const char *key, const char *def)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, key) : NULL;
	if (!s) {
		if (!def)
			err_at(ld, grp, "%s has no \"%s\"", what, key);
		return xstrdup(def ? def : "");
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		err_at(ld, s, "%s: \"%s\" must be a string in double quotes", what, key);
		return xstrdup(def ? def : "");
	}
	return xstrdup(config_setting_get_string(s));
}

/* Reads a number (integer or float) within [min, max]; required when !has_def. */
static double get_num(struct loader *ld, const config_setting_t *grp, const char *what,
		      const char *key, int has_def, double def, double min, double max,
		      const char *unit)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, key) : NULL;
	double v;
	if (!s) {
		if (!has_def)
			err_at(ld, grp, "%s has no \"%s\"", what, key);
		return def;
	}
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		err_at(ld, s, "%s: \"%s\" must be a number", what, key);
		return def;
	}
	if (!(v >= min && v <= max)) {
		err_at(ld, s, "%s: %s = %g is out of range %g..%g%s%s", what, key, v, min, max,
		       *unit ? " " : "", unit);
		return def;
	}
	return v;
}

/* Reads an integer within [min, max]; a float is refused so that "60.5 s" is caught. */
static int get_int(struct loader *ld, const config_setting_t *grp, const char *what,
		   const char *key, int has_def, int def, int min, int max, const char *unit)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, key) : NULL;
	if (s && config_setting_type(s) == CONFIG_TYPE_FLOAT) {
		err_at(ld, s, "%s: \"%s\" must be a whole number", what, key);
		return def;
	}
	return (int)get_num(ld, grp, what, key, has_def, def, min, max, unit);
}

static int get_bool(struct loader *ld, const config_setting_t *grp, const char *what,
		    const char *key, int def)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, key) : NULL;
	if (!s)
		return def;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		err_at(ld, s, "%s: \"%s\" must be true or false", what, key);
		return def;
	}
	return config_setting_get_bool(s);
}

/* Reads one of a list of names; returns its index, or def when absent or wrong. */
static int get_enum(struct loader *ld, const config_setting_t *grp, const char *what,
		    const char *key, int def, const char *const names[])
{
	config_setting_t *s = grp ? config_setting_get_member(grp, key) : NULL;
	if (!s)
		return def;
	const char *v =
	    config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
	for (int i = 0; v && names[i]; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	char list[256] = "";
	for (int i = 0; names[i]; i++) {
		strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
		strncat(list, names[i], sizeof list - strlen(list) - 1);
	}
	err_at(ld, s, "%s: \"%s\" must be one of %s", what, key, list);
	return def;
}

/* Converts a percentage with at most two decimals to basis points. */
static uint32_t get_percent_bp(struct loader *ld, const config_setting_t *grp, const char *what,
			       const char *key, double def)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, key) : NULL;
	double pct = get_num(ld, grp, what, key, 1, def, 0, 100, "%");
	double bp = pct * 100.0;
	if (fabs(bp - round(bp)) > 1e-6) {
		err_at(ld, where(s, grp), "%s: %s = %g has more than two decimals", what, key, pct);
		return 0;
	}
	return (uint32_t)llround(bp);
}

/* Converts a tariff in yuan/kWh to thousandths of a fen per kWh (at most 5 decimals). */
static int64_t get_tariff(struct loader *ld, const config_setting_t *grp, const char *what,
			  const char *key, double def)
{
	config_setting_t *s = grp ? config_setting_get_member(grp, key) : NULL;
	double yuan = get_num(ld, grp, what, key, 1, def, 0, 5, "yuan/kWh");
	double mfen = yuan * 100000.0;
	if (fabs(mfen - round(mfen)) > 1e-4) {
		err_at(ld, where(s, grp), "%s: %s = %g has more than five decimals", what, key,
		       yuan);
		return 0;
	}
	return llround(mfen);
}

/* Reads a secret from a file that nobody but the owner may read. */
static char *read_secret(struct loader *ld, const config_setting_t *s, const char *what,
			 const char *path)
{
	struct stat st;
	FILE *f;
	char buf[512];
	if (stat(path, &st) != 0) {
		err_at(ld, s, "%s: cannot read %s: %s", what, path, strerror(errno));
		return NULL;
	}
	/* Others, not the group: under systemd the file is root:pvrelief, mode 0640. */
	if (st.st_mode & S_IRWXO) {
		err_at(ld, s,
		       "%s: %s holds a secret but is accessible to others (mode %03o); "
		       "run chmod o-rwx on it",
		       what, path, (unsigned)(st.st_mode & 0777));
		return NULL;
	}
	if (!(f = fopen(path, "r"))) {
		err_at(ld, s, "%s: cannot read %s: %s", what, path, strerror(errno));
		return NULL;
	}
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		err_at(ld, s, "%s: %s is empty", what, path);
		return NULL;
	}
	return xstrdup(buf);
}

static int valid_id(const char *id)
{
	if (!id[0] || strlen(id) > 64)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* Checks an id for MQTT topics and file names; ids are ASCII letters, digits, - _ . */
static void check_id(struct loader *ld, const config_setting_t *grp, const char *what,
		     const char *id)
{
	if (*id && !valid_id(id))
		err_at(ld, grp,
		       "%s: id \"%s\" may hold only ASCII letters, digits, '-', '_' and '.' "
		       "(at most 64)",
		       what, id);
}

int config_parse_time(const char *text, double *unix_s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *rest = strptime(text, "%Y-%m-%d %H:%M:%S", &tm);
	if (!rest)
		rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return -1;
	long offset_s = 0;
	if (*rest == 'Z') {
		rest++;
	} else if (*rest == '+' || *rest == '-') {
		int hh, mm, used = 0;
		if (sscanf(rest + 1, "%2d:%2d%n", &hh, &mm, &used) != 2 || hh > 14 || mm > 59)
			return -1;
		offset_s = (hh * 3600L + mm * 60L) * (*rest == '-' ? -1 : 1);
		rest += 1 + used;
	}
	if (*rest)
		return -1;
	time_t t = timegm(&tm);
	*unix_s = (double)t - (double)offset_s;
	return 0;
}

static void load_clock(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const keys[] = {"mode", "start", "rate", NULL};
	static const char *const modes[] = {"real", "simulated", NULL};
	config_setting_t *g = group(ld, root, "clock");
	check_keys(ld, g, "clock", keys);
	cfg->clock.mode = get_enum(ld, g, "clock", "mode", CONFIG_CLOCK_REAL, modes);
	cfg->clock.rate = get_num(ld, g, "clock", "rate", 1, 1.0, 0.01, 3600, "");
	char *start = get_str(ld, g, "clock", "start", "");
	if (*start && config_parse_time(start, &cfg->clock.start_unix) != 0)
		err_at(ld, config_setting_get_member(g, "start"),
		       "clock: start \"%s\" is not a time like \"2026-06-21 05:00:00+08:00\"",
		       start);
	if (cfg->clock.mode == CONFIG_CLOCK_SIMULATED && !*start)
		err_at(ld, g, "clock: a simulated clock needs \"start\"");
	free(start);
}

static void load_general(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const log_keys[] = {"level", "syslog", NULL};
	static const char *const levels[] = {"error", "warning", "info", "debug", NULL};
	static const char *const db_keys[] = {"path", "retention_days", "max_size_mb", NULL};
	static const char *const poll_keys[] = {"fast_interval",     "energy_interval",
						"identity_interval", "timeout_ms",
						"retries",	     "unit_gap_ms",
						"workers",	     "max_backoff",
						"night_interval",    "night_elevation",
						"max_connections",   "strings_interval",
						"limit_interval",    NULL};
	config_setting_t *g = group(ld, root, "log");
	check_keys(ld, g, "log", log_keys);
	cfg->log.level = xstrdup(levels[get_enum(ld, g, "log", "level", 2, levels)]);
	cfg->log.syslog = get_bool(ld, g, "log", "syslog", 0);

	g = group(ld, root, "database");
	check_keys(ld, g, "database", db_keys);
	cfg->database.path = get_str(ld, g, "database", "path", "/var/lib/pvrelief/pvrelief.db");
	cfg->database.retention_days =
	    get_int(ld, g, "database", "retention_days", 1, 35, 1, 3650, "days");
	cfg->database.max_size_mb =
	    get_int(ld, g, "database", "max_size_mb", 1, 0, 0, 1048576, "MB");

	g = group(ld, root, "polling");
	int misspelt = check_keys(ld, g, "polling", poll_keys);
	cfg->polling.fast_interval_s =
	    get_int(ld, g, "polling", "fast_interval", 1, 60, 5, 3600, "s");
	cfg->polling.energy_interval_s =
	    get_int(ld, g, "polling", "energy_interval", 1, 300, 5, 86400, "s");
	cfg->polling.identity_interval_s =
	    get_int(ld, g, "polling", "identity_interval", 1, 86400, 60, 604800, "s");
	cfg->polling.strings_interval_s =
	    get_int(ld, g, "polling", "strings_interval", 1, 900, 5, 86400, "s");
	cfg->polling.limit_interval_s =
	    get_int(ld, g, "polling", "limit_interval", 1, 900, 5, 86400, "s");
	cfg->polling.timeout_ms = get_int(ld, g, "polling", "timeout_ms", 1, 1500, 50, 30000, "ms");
	cfg->polling.retries = get_int(ld, g, "polling", "retries", 1, 1, 0, 10, "");
	cfg->polling.unit_gap_ms = get_int(ld, g, "polling", "unit_gap_ms", 1, 20, 0, 5000, "ms");
	cfg->polling.workers = get_int(ld, g, "polling", "workers", 1, 64, 1, 1024, "");
	cfg->polling.max_backoff_s = get_int(ld, g, "polling", "max_backoff", 1, 300, 1, 3600, "s");
	cfg->polling.night_interval_s =
	    get_int(ld, g, "polling", "night_interval", 1, 900, 5, 7200, "s");
	cfg->polling.night_elevation_deg =
	    get_num(ld, g, "polling", "night_elevation", 1, -3.0, -18, 10, "degrees");
	cfg->polling.max_connections =
	    get_int(ld, g, "polling", "max_connections", 1, 700, 1, 800, "");
	if (!misspelt && cfg->polling.energy_interval_s < cfg->polling.fast_interval_s)
		err_at(ld, g,
		       "polling: energy_interval (%d s) is shorter than fast_interval (%d s)",
		       cfg->polling.energy_interval_s, cfg->polling.fast_interval_s);
}

static void load_mqtt(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const keys[] = {"enabled",	   "host",	"port",	    "client_id",
					   "prefix",	   "keepalive", "tls",	    "ca_file",
					   "cert_file",	   "key_file",	"username", "password_file",
					   "ha_discovery", "ha_prefix", NULL};
	config_setting_t *g = group(ld, root, "mqtt");
	check_keys(ld, g, "mqtt", keys);
	cfg->mqtt.enabled = get_bool(ld, g, "mqtt", "enabled", g != NULL);
	cfg->mqtt.host = get_str(ld, g, "mqtt", "host", "localhost");
	cfg->mqtt.tls = get_bool(ld, g, "mqtt", "tls", 0);
	cfg->mqtt.port =
	    get_int(ld, g, "mqtt", "port", 1, cfg->mqtt.tls ? 8883 : 1883, 1, 65535, "");
	cfg->mqtt.client_id = get_str(ld, g, "mqtt", "client_id", "pvreliefd");
	cfg->mqtt.prefix = get_str(ld, g, "mqtt", "prefix", "pvrelief");
	cfg->mqtt.keepalive_s = get_int(ld, g, "mqtt", "keepalive", 1, 30, 5, 3600, "s");
	cfg->mqtt.ca_file = get_str(ld, g, "mqtt", "ca_file", "");
	cfg->mqtt.cert_file = get_str(ld, g, "mqtt", "cert_file", "");
	cfg->mqtt.key_file = get_str(ld, g, "mqtt", "key_file", "");
	cfg->mqtt.username = get_str(ld, g, "mqtt", "username", "");
	cfg->mqtt.password_file = get_str(ld, g, "mqtt", "password_file", "");
	cfg->mqtt.ha_discovery = get_bool(ld, g, "mqtt", "ha_discovery", 0);
	cfg->mqtt.ha_prefix = get_str(ld, g, "mqtt", "ha_prefix", "homeassistant");
	if (!*cfg->mqtt.prefix || strpbrk(cfg->mqtt.prefix, "#+") ||
	    cfg->mqtt.prefix[strlen(cfg->mqtt.prefix) - 1] == '/')
		err_at(ld, where(config_setting_get_member(g, "prefix"), g),
		       "mqtt: prefix \"%s\" must be non-empty, without '#', '+' or a trailing '/'",
		       cfg->mqtt.prefix);
	if (*cfg->mqtt.password_file && cfg->mqtt.enabled)
		cfg->mqtt.password = read_secret(ld, config_setting_get_member(g, "password_file"),
						 "mqtt", cfg->mqtt.password_file);
	if (*cfg->mqtt.cert_file && !*cfg->mqtt.key_file)
		err_at(ld, g, "mqtt: cert_file is set but key_file is not");
}

/* The uplink to the province broker: a second MQTT connection with its own outbox (see
 * docs/uplink.md). Its credentials are checked like the main connection's. */
static void load_uplink(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const keys[] = {
	    "enabled",	     "host",	   "port",	"client_id", "prefix",	 "keepalive",
	    "tls",	     "ca_file",	   "cert_file", "key_file",  "username", "password_file",
	    "live_interval", "deadband_w", "heartbeat", NULL};
	config_setting_t *g = group(ld, root, "uplink");
	check_keys(ld, g, "uplink", keys);
	cfg->uplink.enabled = get_bool(ld, g, "uplink", "enabled", g != NULL);
	cfg->uplink.host = get_str(ld, g, "uplink", "host", "localhost");
	cfg->uplink.tls = get_bool(ld, g, "uplink", "tls", 0);
	cfg->uplink.port =
	    get_int(ld, g, "uplink", "port", 1, cfg->uplink.tls ? 8883 : 1883, 1, 65535, "");
	/* The province broker's ACL names a county by its user; the county id is a natural
	 * client id there, and differs from the main connection's default. */
	cfg->uplink.client_id = get_str(ld, g, "uplink", "client_id", cfg->county_id);
	cfg->uplink.prefix = get_str(ld, g, "uplink", "prefix", "pvrelief");
	cfg->uplink.keepalive_s = get_int(ld, g, "uplink", "keepalive", 1, 60, 5, 3600, "s");
	cfg->uplink.ca_file = get_str(ld, g, "uplink", "ca_file", "");
	cfg->uplink.cert_file = get_str(ld, g, "uplink", "cert_file", "");
	cfg->uplink.key_file = get_str(ld, g, "uplink", "key_file", "");
	cfg->uplink.username = get_str(ld, g, "uplink", "username", "");
	cfg->uplink.password_file = get_str(ld, g, "uplink", "password_file", "");
	cfg->uplink.live_interval_s =
	    get_int(ld, g, "uplink", "live_interval", 1, 300, 10, 86400, "s");
	cfg->uplink.deadband_w = get_num(ld, g, "uplink", "deadband_w", 1, 1000, 0, 1e9, "W");
	cfg->uplink.heartbeat_s = get_int(ld, g, "uplink", "heartbeat", 1, 3600, 10, 86400, "s");
	if (!*cfg->uplink.prefix || strpbrk(cfg->uplink.prefix, "#+") ||
	    cfg->uplink.prefix[strlen(cfg->uplink.prefix) - 1] == '/')
		err_at(
		    ld, where(config_setting_get_member(g, "prefix"), g),
		    "uplink: prefix \"%s\" must be non-empty, without '#', '+' or a trailing '/'",
		    cfg->uplink.prefix);
	if (cfg->uplink.heartbeat_s < cfg->uplink.live_interval_s)
		err_at(ld, where(config_setting_get_member(g, "heartbeat"), g),
		       "uplink: heartbeat (%d s) is shorter than live_interval (%d s)",
		       cfg->uplink.heartbeat_s, cfg->uplink.live_interval_s);
	if (*cfg->uplink.password_file && cfg->uplink.enabled)
		cfg->uplink.password =
		    read_secret(ld, config_setting_get_member(g, "password_file"), "uplink",
				cfg->uplink.password_file);
	if (*cfg->uplink.cert_file && !*cfg->uplink.key_file)
		err_at(ld, g, "uplink: cert_file is set but key_file is not");
}

/* Reads an optional array of 12 monthly irradiation figures (kWh/m2, January first). */
static void get_monthly(struct loader *ld, const config_setting_t *grp, const char *what,
			double out[12])
{
	config_setting_t *mi = grp ? config_setting_get_member(grp, "monthly_irradiation") : NULL;
	if (!mi)
		return;
	if (!config_setting_is_array(mi) || config_setting_length(mi) != 12) {
		err_at(ld, mi,
		       "%s: monthly_irradiation must be an array of 12 numbers "
		       "(kWh/m2, January first)",
		       what);
		return;
	}
	for (unsigned m = 0; m < 12; m++) {
		const config_setting_t *e = config_setting_get_elem(mi, m);
		double v = config_setting_type(e) == CONFIG_TYPE_INT ? config_setting_get_int(e)
								     : config_setting_get_float(e);
		if (!(v > 0 && v <= 400))
			err_at(ld, mi,
			       "%s: monthly_irradiation[%u] = %g is out of range 0..400 kWh/m2",
			       what, m, v);
		out[m] = v;
	}
}

static void load_efficiency(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const keys[] = {
	    "basis",	       "transposition",	  "k_default",		 "station_target",
	    "county_target",   "linke_turbidity", "weather_url",	 "weather_timeout_ms",
	    "weather_refresh", "interval",	  "monthly_irradiation", NULL};
	static const char *const bases[] = {"horizontal", "poa", NULL};
	static const char *const models[] = {"isotropic", "hay-davies", NULL};
	config_setting_t *g = group(ld, root, "efficiency");
	const char *w = "efficiency";
	check_keys(ld, g, w, keys);
	cfg->efficiency.basis = get_enum(ld, g, w, "basis", CONFIG_BASIS_HORIZONTAL, bases);
	cfg->efficiency.transposition =
	    get_enum(ld, g, w, "transposition", CONFIG_TRANSPOSITION_HAY_DAVIES, models);
	cfg->efficiency.k_default = get_num(ld, g, w, "k_default", 1, 0.80, 0.3, 1.0, "");
	cfg->efficiency.station_target = get_num(ld, g, w, "station_target", 1, 0.6, 0.0, 2.0, "");
	cfg->efficiency.county_target = get_num(ld, g, w, "county_target", 1, 0.8, 0.0, 2.0, "");
	cfg->efficiency.linke_turbidity = get_num(ld, g, w, "linke_turbidity", 1, 3.5, 1, 10, "");
	cfg->efficiency.weather_url = get_str(ld, g, w, "weather_url", "");
	cfg->efficiency.weather_timeout_ms =
	    get_int(ld, g, w, "weather_timeout_ms", 1, 10000, 100, 60000, "ms");
	cfg->efficiency.weather_refresh_s =
	    get_int(ld, g, w, "weather_refresh", 1, 900, 60, 86400, "s");
	cfg->efficiency.interval_s = get_int(ld, g, w, "interval", 1, 300, 10, 3600, "s");
	get_monthly(ld, g, w, cfg->efficiency.monthly_irradiation_kwh_m2);
}

/* Chat-group robots are addressed by URLs that carry their key (WeCom "key=", DingTalk and
 * others "access_token="): whoever reads such a URL can post as the county. */
static int url_holds_key(const char *url)
{
	return strstr(url, "key=") || strstr(url, "access_token=") || strstr(url, "token=") ||
	       strstr(url, "/hook/");
}

/* A configuration file holding a secret must not be readable by others. */
static void check_private(struct loader *ld, const config_setting_t *s, const char *what)
{
	struct stat st;
	const char *file = file_of(ld, s);
	if (stat(file, &st) == 0 && (st.st_mode & S_IRWXO))
		err_at(ld, s,
		       "webhook \"%s\": its URL holds the robot's key, so %s must not be "
		       "accessible to others (mode %03o); run chmod o-rwx on it",
		       what, file, (unsigned)(st.st_mode & 0777));
}

static void load_webhooks(struct loader *ld, struct config *cfg, const config_setting_t *alerts)
{
	static const char *const keys[] = {"name",	  "kind",	"url",
					   "secret_file", "timeout_ms", NULL};
	static const char *const kinds[] = {"wecom", "dingtalk", "feishu", "json", NULL};
	config_setting_t *list = alerts ? config_setting_get_member(alerts, "webhooks") : NULL;
	if (!list)
		return;
	if (!config_setting_is_list(list)) {
		err_at(ld, list, "alerts: \"webhooks\" must be a list ( { ... }, ... )");
		return;
	}
	int n = config_setting_length(list);
	cfg->alerts.webhooks = xcalloc((size_t)n, sizeof *cfg->alerts.webhooks);
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct config_webhook *h = &cfg->alerts.webhooks[cfg->alerts.n_webhooks++];
		check_keys(ld, g, "webhook", keys);
		h->name = get_str(ld, g, "webhook", "name", NULL);
		h->kind = get_enum(ld, g, "webhook", "kind", CONFIG_WEBHOOK_JSON, kinds);
		h->url = get_str(ld, g, "webhook", "url", NULL);
		h->secret_file = get_str(ld, g, "webhook", "secret_file", "");
		h->timeout_ms = get_int(ld, g, "webhook", "timeout_ms", 1, 5000, 100, 60000, "ms");
		if (*h->url && strncmp(h->url, "http://", 7) && strncmp(h->url, "https://", 8))
			err_at(ld, g, "webhook \"%s\": url must start with http:// or https://",
			       h->name);
		if (*h->secret_file)
			h->secret = read_secret(ld, config_setting_get_member(g, "secret_file"),
						"webhook", h->secret_file);
		if (url_holds_key(h->url))
			check_private(ld, config_setting_get_member(g, "url"), h->name);
	}
}

static void load_alerts(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const keys[] = {"low_efficiency_days",
					   "min_irradiance_w_m2",
					   "min_irradiation_kwh_m2",
					   "pr_drop_fraction",
					   "offline_minutes",
					   "fault_minutes",
					   "anomaly_rate",
					   "raise_delay",
					   "clear_hysteresis",
					   "burst_cap",
					   "inspection_days",
					   "soiling_drop",
					   "language",
					   "webhooks",
					   NULL};
	static const char *const langs[] = {"zh", "en", NULL};
	config_setting_t *g = group(ld, root, "alerts");
	const char *w = "alerts";
	check_keys(ld, g, w, keys);
	cfg->alerts.low_eff_days = get_int(ld, g, w, "low_efficiency_days", 1, 3, 1, 30, "days");
	cfg->alerts.min_irradiance_w_m2 =
	    get_num(ld, g, w, "min_irradiance_w_m2", 1, 200, 0, 1500, "W/m2");
	cfg->alerts.min_irradiation_kwh_m2 =
	    get_num(ld, g, w, "min_irradiation_kwh_m2", 1, 1.5, 0, 10, "kWh/m2");
	cfg->alerts.pr_drop_fraction = get_num(ld, g, w, "pr_drop_fraction", 1, 0.3, 0, 1, "");
	cfg->alerts.offline_minutes = get_int(ld, g, w, "offline_minutes", 1, 30, 1, 1440, "min");
	cfg->alerts.fault_minutes = get_int(ld, g, w, "fault_minutes", 1, 30, 1, 1440, "min");
	cfg->alerts.anomaly_rate = get_num(ld, g, w, "anomaly_rate", 1, 0.05, 0, 1, "");
	cfg->alerts.raise_delay_s = get_int(ld, g, w, "raise_delay", 1, 300, 0, 86400, "s");
	cfg->alerts.clear_hysteresis = get_num(ld, g, w, "clear_hysteresis", 1, 0.05, 0, 0.5, "");
	cfg->alerts.burst_cap = get_int(ld, g, w, "burst_cap", 1, 10, 1, 10000, "");
	cfg->alerts.inspection_days = get_int(ld, g, w, "inspection_days", 1, 30, 1, 365, "days");
	cfg->alerts.soiling_drop = get_num(ld, g, w, "soiling_drop", 1, 0.15, 0, 1, "");
	cfg->alerts.language = xstrdup(langs[get_enum(ld, g, w, "language", 0, langs)]);
	load_webhooks(ld, cfg, g);
}

static void load_revenue(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const keys[] = {"policy", "notice_days",	    "pay_mode",
					   "grades", "reconcile_tolerance", "notice_contact",
					   NULL};
	static const char *const pkeys[] = {"posts",	  "public_works", "rewards",
					    "om_reserve", "min_posts",	  NULL};
	static const char *const gkeys[] = {"A", "B", "C", "D", NULL};
	static const char *const modes[] = {"pro_rata", "grade", NULL};
	static const double grade_def[] = {100, 90, 70, 0};
	config_setting_t *g = group(ld, root, "revenue");
	check_keys(ld, g, "revenue", keys);
	config_setting_t *p = group(ld, g, "policy");
	int misspelt = check_keys(ld, p, "revenue.policy", pkeys);
	const char *w = "revenue.policy";
	cfg->revenue.posts_bp = get_percent_bp(ld, p, w, "posts", 80);
	cfg->revenue.public_works_bp = get_percent_bp(ld, p, w, "public_works", 10);
	cfg->revenue.rewards_bp = get_percent_bp(ld, p, w, "rewards", 5);
	cfg->revenue.om_reserve_bp = get_percent_bp(ld, p, w, "om_reserve", 5);
	cfg->revenue.min_posts_bp = get_percent_bp(ld, p, w, "min_posts", 80);
	uint32_t sum = cfg->revenue.posts_bp + cfg->revenue.public_works_bp +
		       cfg->revenue.rewards_bp + cfg->revenue.om_reserve_bp;
	if (!misspelt && sum != 10000)
		err_at(ld, where(p, g), "revenue.policy: the shares add up to %u.%02u%%, not 100%%",
		       sum / 100, sum % 100);
	if (!misspelt && cfg->revenue.posts_bp < cfg->revenue.min_posts_bp)
		err_at(
		    ld, where(p, g),
		    "revenue.policy: posts and labour get %u.%02u%%, below the minimum %u.%02u%%",
		    cfg->revenue.posts_bp / 100, cfg->revenue.posts_bp % 100,
		    cfg->revenue.min_posts_bp / 100, cfg->revenue.min_posts_bp % 100);
	cfg->revenue.notice_days = get_int(ld, g, "revenue", "notice_days", 1, 7, 1, 60, "days");
	cfg->revenue.pay_mode = get_enum(ld, g, "revenue", "pay_mode", CONFIG_PAY_PRO_RATA, modes);
	cfg->revenue.reconcile_tolerance =
	    get_num(ld, g, "revenue", "reconcile_tolerance", 1, 0.05, 0, 1, "");
	/* Where villagers take a question or complaint about a notice (a phone number, an
	 * office); printed on every public notice. */
	cfg->revenue.notice_contact = get_str(ld, g, "revenue", "notice_contact", "");
	config_setting_t *gr = group(ld, g, "grades");
	check_keys(ld, gr, "revenue.grades", gkeys);
	for (int i = 0; i < 4; i++)
		cfg->revenue.grade_bp[i] =
		    get_percent_bp(ld, gr, "revenue.grades", gkeys[i], grade_def[i]);
}

static void load_towns(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const tkeys[] = {"id", "name", "villages", NULL};
	static const char *const vkeys[] = {"id", "name", NULL};
	config_setting_t *towns = config_setting_get_member(root, "towns");
	if (!towns || !config_setting_is_list(towns)) {
		err_at(ld, towns ? towns : root, "\"towns\" must be a list of towns ( { ... } )");
		return;
	}
	int nt = config_setting_length(towns);
	cfg->towns = xcalloc((size_t)nt, sizeof *cfg->towns);
	for (int i = 0; i < nt; i++) {
		config_setting_t *t = config_setting_get_elem(towns, (unsigned)i);
		struct config_town *town = &cfg->towns[cfg->n_towns++];
		check_keys(ld, t, "town", tkeys);
		town->id = get_str(ld, t, "town", "id", NULL);
		town->name = get_str(ld, t, "town", "name", town->id);
		check_id(ld, t, "town", town->id);
		for (size_t j = 0; j + 1 < cfg->n_towns; j++)
			if (strcmp(cfg->towns[j].id, town->id) == 0)
				err_at(ld, t, "town id \"%s\" is used twice", town->id);
		config_setting_t *vl = config_setting_get_member(t, "villages");
		if (!vl || !config_setting_is_list(vl)) {
			err_at(ld, vl ? vl : t, "town \"%s\": \"villages\" must be a list",
			       town->id);
			continue;
		}
		int nv = config_setting_length(vl);
		cfg->villages =
		    xrealloc(cfg->villages, (cfg->n_villages + (size_t)nv) * sizeof *cfg->villages);
		for (int k = 0; k < nv; k++) {
			config_setting_t *v = config_setting_get_elem(vl, (unsigned)k);
			struct config_village *vil = &cfg->villages[cfg->n_villages++];
			check_keys(ld, v, "village", vkeys);
			vil->id = get_str(ld, v, "village", "id", NULL);
			vil->name = get_str(ld, v, "village", "name", vil->id);
			vil->town = cfg->n_towns - 1;
			check_id(ld, v, "village", vil->id);
			for (size_t j = 0; j + 1 < cfg->n_villages; j++)
				if (strcmp(cfg->villages[j].id, vil->id) == 0)
					err_at(ld, v, "village id \"%s\" is used twice", vil->id);
		}
	}
}

static int find_village(const struct config *cfg, const char *id, size_t *out)
{
	for (size_t i = 0; i < cfg->n_villages; i++)
		if (strcmp(cfg->villages[i].id, id) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static int map_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads a vendor map once, however many devices use it. */
static struct regmap *resolve_map(struct loader *ld, struct config *cfg,
				  const config_setting_t *where_s, const char *name)
{
	for (size_t i = 0; i < cfg->n_maps; i++)
		if (strcmp(cfg->map_names[i], name) == 0)
			return cfg->maps[i];
	char *path = xasprintf("%s/%s.conf", cfg->maps_dir, name);
	struct regmap *map = NULL;
	if (!map_file_exists(path)) {
		err_at(ld, where_s, "protocol \"%s\" is neither \"sunspec\" nor a map file (%s)",
		       name, path);
	} else if ((map = regmap_load(path, ld->errs)) != NULL) {
		cfg->maps = xrealloc(cfg->maps, (cfg->n_maps + 1) * sizeof *cfg->maps);
		cfg->map_names = xrealloc(cfg->map_names, (cfg->n_maps + 1) * sizeof(char *));
		cfg->maps[cfg->n_maps] = map;
		cfg->map_names[cfg->n_maps++] = xstrdup(name);
	}
	free(path);
	return map;
}

/* Gives each inverter without a dc_kwp its share of the station's capacity not given to the
 * others: in proportion to the AC ratings when all of those have one, else equally. */
static void share_capacity(struct loader *ld, struct config_station *st,
			   const config_setting_t *devs, const char *what)
{
	double given = 0, rated = 0;
	size_t unset = 0, unrated = 0;
	for (size_t i = 0; i < st->n_devices; i++) {
		const struct config_device *d = &st->devices[i];
		if (d->role != CONFIG_INVERTER)
			continue;
		if (d->dc_kwp > 0) {
			given += d->dc_kwp;
			continue;
		}
		unset++;
		rated += d->rated_power_w;
		unrated += !(d->rated_power_w > 0);
	}
	if (given > st->capacity_kwp * 1.001 || (unset && given >= st->capacity_kwp)) {
		err_at(ld, devs,
		       "%s: the inverters' dc_kwp add up to %.1f kWp, which leaves nothing of the "
		       "station's capacity_kwp %.1f for %zu inverter(s) without one",
		       what, given, st->capacity_kwp, unset);
		return;
	}
	if (!unset)
		return;
	double rest = st->capacity_kwp - given;
	for (size_t i = 0; i < st->n_devices; i++) {
		struct config_device *d = &st->devices[i];
		if (d->role != CONFIG_INVERTER || d->dc_kwp > 0)
			continue;
		d->dc_kwp = unrated ? rest / (double)unset : rest * d->rated_power_w / rated;
	}
}

static void load_device(struct loader *ld, struct config *cfg, struct config_station *st,
			const config_setting_t *d, struct config_device *dev)
{
	static const char *const keys[] = {
	    "id",     "role",	   "transport", "host", "port",	    "serial",	     "baud",
	    "parity", "data_bits", "stop_bits", "unit", "protocol", "rated_power_w", "dc_kwp",
	    "sim",    NULL};
	static const char *const skeys[] = {"health",	   "offline",	   "delay_ms",
					    "float_model", "der_controls", NULL};
	static const char *const roles[] = {"inverter", "sensor", NULL};
	static const char *const transports[] = {"tcp", "rtu", "rtu-over-tcp", NULL};
	static const char *const parities[] = {"N", "E", "O", NULL};
	char what[160];

	check_keys(ld, d, "device", keys);
	dev->line = (int)config_setting_source_line(d);
	dev->id = get_str(ld, d, "device", "id", NULL);
	snprintf(what, sizeof what, "station \"%s\" device \"%s\"", st->id, dev->id);
	check_id(ld, d, what, dev->id);
	dev->role = get_enum(ld, d, what, "role", CONFIG_INVERTER, roles);
	dev->transport = get_enum(ld, d, what, "transport", CONFIG_TCP, transports);
	if (dev->transport == CONFIG_RTU) {
		dev->serial_device = get_str(ld, d, what, "serial", NULL);
		dev->host = xstrdup("");
		dev->baud = get_int(ld, d, what, "baud", 1, 9600, 1200, 230400, "baud");
		dev->parity = parities[get_enum(ld, d, what, "parity", 0, parities)][0];
		dev->data_bits = get_int(ld, d, what, "data_bits", 1, 8, 7, 8, "");
		dev->stop_bits = get_int(ld, d, what, "stop_bits", 1, 1, 1, 2, "");
	} else {
		dev->host = get_str(ld, d, what, "host", NULL);
		dev->port = get_int(ld, d, what, "port", 1, 502, 1, 65535, "");
		dev->serial_device = xstrdup("");
		dev->parity = 'N';
	}
	dev->unit_id = get_int(ld, d, what, "unit", 1, 1, dev->transport == CONFIG_TCP ? 0 : 1,
			       dev->transport == CONFIG_TCP ? 255 : 247, "");
	dev->protocol = get_str(ld, d, what, "protocol", "sunspec");
	dev->rated_power_w = get_num(ld, d, what, "rated_power_w", 1, 0, 0, 2e6, "W");
	dev->dc_kwp = get_num(ld, d, what, "dc_kwp", 1, 0, 0, 1000, "kWp");
	if (dev->dc_kwp > 0 && dev->role == CONFIG_SENSOR)
		err_at(ld, d, "%s: \"dc_kwp\" is for inverters, not sensors", what);
	config_setting_t *sim = group(ld, d, "sim");
	check_keys(ld, sim, "sim", skeys);
	dev->sim.health = get_num(ld, sim, what, "health", 1, 1.0, 0.0, 1.2, "");
	dev->sim.offline = get_bool(ld, sim, what, "offline", 0);
	dev->sim.delay_ms = get_int(ld, sim, what, "delay_ms", 1, 0, 0, 60000, "ms");
	dev->sim.float_model = get_bool(ld, sim, what, "float_model", 0);
	dev->sim.der_controls = get_bool(ld, sim, what, "der_controls", 0);
	if (strcmp(dev->protocol, "sunspec") != 0) {
		if (!valid_id(dev->protocol))
			err_at(ld, d, "%s: protocol \"%s\" is not a valid map name", what,
			       dev->protocol);
		else
			dev->map = resolve_map(ld, cfg, config_setting_get_member(d, "protocol"),
					       dev->protocol);
	}
}

/* Reads a list of grid operators' curtailment orders (key "curtailment" of grp) into *out. */
static void load_curtailment(struct loader *ld, const config_setting_t *grp, const char *what,
			     struct config_curtailment **out, size_t *n_out)
{
	static const char *const keys[] = {"from", "to", "limit_pct", NULL};
	config_setting_t *list = grp ? config_setting_get_member(grp, "curtailment") : NULL;
	char cwhat[128];
	snprintf(cwhat, sizeof cwhat, "%s%scurtailment", what, *what ? " " : "");
	if (!list)
		return;
	if (!config_setting_is_list(list)) {
		err_at(ld, list, "%s must be a list ( { from = ...; to = ...; limit_pct = ...; } )",
		       cwhat);
		return;
	}
	int n = config_setting_length(list);
	*out = xcalloc((size_t)n + 1, sizeof **out);
	for (int i = 0; i < n; i++) {
		config_setting_t *o = config_setting_get_elem(list, (unsigned)i);
		struct config_curtailment *c = &(*out)[(*n_out)++];
		check_keys(ld, o, "curtailment", keys);
		const char *const tkeys[2] = {"from", "to"};
		double *t[2] = {&c->from_s, &c->to_s};
		for (int k = 0; k < 2; k++) {
			char *text = get_str(ld, o, cwhat, tkeys[k], NULL);
			if (*text && config_parse_time(text, t[k]) != 0)
				err_at(ld, config_setting_get_member(o, tkeys[k]),
				       "%s: %s = \"%s\" is not a time like \"2026-06-21 "
				       "10:30:00+08:00\"",
				       cwhat, tkeys[k], text);
			free(text);
		}
		c->limit_pct = get_num(ld, o, cwhat, "limit_pct", 0, 0, 0, 100, "%");
		if (c->to_s <= c->from_s && c->from_s > 0 && c->to_s > 0)
			err_at(ld, o, "%s: \"to\" is not after \"from\"", cwhat);
	}
}

static void load_station(struct loader *ld, struct config *cfg, const config_setting_t *s,
			 struct config_station *st)
{
	static const char *const keys[] = {"id",
					   "name",
					   "village",
					   "lat",
					   "lon",
					   "altitude",
					   "capacity_kwp",
					   "tilt",
					   "azimuth",
					   "k",
					   "albedo",
					   "tariff",
					   "coal_tariff",
					   "owners",
					   "monthly_irradiation",
					   "export_limit_w",
					   "curtailment",
					   "link_budget_mb",
					   "link_adaptive",
					   "devices",
					   NULL};
	static const char *const okeys[] = {"village", "parts", NULL};
	char what[96];

	check_keys(ld, s, "station", keys);
	st->line = (int)config_setting_source_line(s);
	st->id = get_str(ld, s, "station", "id", NULL);
	snprintf(what, sizeof what, "station \"%s\"", st->id);
	check_id(ld, s, what, st->id);
	st->name = get_str(ld, s, what, "name", st->id);
	char *village = get_str(ld, s, what, "village", NULL);
	if (*village && find_village(cfg, village, &st->village) != 0)
		err_at(ld, config_setting_get_member(s, "village"),
		       "%s: village \"%s\" is not defined under towns", what, village);
	st->lat_deg = get_num(ld, s, what, "lat", 0, 0, -90, 90, "degrees");
	st->lon_deg = get_num(ld, s, what, "lon", 0, 0, -180, 180, "degrees");
	st->altitude_m = get_num(ld, s, what, "altitude", 1, 0, -500, 6000, "m");
	st->capacity_kwp = get_num(ld, s, what, "capacity_kwp", 0, 0, 1, 1000, "kWp");
	st->tilt_deg = get_num(ld, s, what, "tilt", 1, 25, 0, 90, "degrees");
	st->azimuth_deg = get_num(ld, s, what, "azimuth", 1, 180, 0, 360, "degrees");
	st->k_coeff = get_num(ld, s, what, "k", 1, cfg->efficiency.k_default, 0.3, 1.0, "");
	st->albedo = get_num(ld, s, what, "albedo", 1, 0.2, 0, 1, "");
	st->tariff_mfen_per_kwh = get_tariff(ld, s, what, "tariff", 0.85);
	st->coal_tariff_mfen_per_kwh = get_tariff(ld, s, what, "coal_tariff", 0.3844);
	if (st->coal_tariff_mfen_per_kwh > st->tariff_mfen_per_kwh)
		err_at(ld, s, "%s: coal_tariff is larger than the whole tariff", what);

	memcpy(st->monthly_irradiation_kwh_m2, cfg->efficiency.monthly_irradiation_kwh_m2,
	       sizeof st->monthly_irradiation_kwh_m2);
	get_monthly(ld, s, what, st->monthly_irradiation_kwh_m2);
	st->export_limit_w = get_num(ld, s, what, "export_limit_w", 1, 0, 0, 1e7, "W");
	st->link_budget_mb = get_num(ld, s, what, "link_budget_mb", 1, 0, 0, 1e6, "MB");
	st->link_adaptive = get_bool(ld, s, what, "link_adaptive", 0);
	if (st->link_adaptive && st->link_budget_mb <= 0)
		err_at(ld, config_setting_get_member(s, "link_adaptive"),
		       "%s: link_adaptive needs a link_budget_mb to keep within", what);
	load_curtailment(ld, s, what, &st->curtailment, &st->n_curtailment);

	config_setting_t *owners = config_setting_get_member(s, "owners");
	if (owners) {
		if (!config_setting_is_list(owners) || config_setting_length(owners) < 1) {
			err_at(ld, owners,
			       "%s: owners must be a list ( { village = ...; parts = ...; } )",
			       what);
		} else {
			int n = config_setting_length(owners);
			st->shares = xcalloc((size_t)n, sizeof *st->shares);
			for (int i = 0; i < n; i++) {
				config_setting_t *o = config_setting_get_elem(owners, (unsigned)i);
				struct config_share *sh = &st->shares[st->n_shares++];
				check_keys(ld, o, "owner", okeys);
				char *v = get_str(ld, o, what, "village", NULL);
				if (*v && find_village(cfg, v, &sh->village) != 0)
					err_at(ld, o, "%s: owner village \"%s\" is not defined",
					       what, v);
				for (size_t j = 0; j + 1 < st->n_shares; j++)
					if (*v && st->shares[j].village == sh->village)
						err_at(ld, o,
						       "%s: owner village \"%s\" is listed twice",
						       what, v);
				sh->parts =
				    (uint32_t)get_int(ld, o, what, "parts", 0, 0, 1, 1000000, "");
				free(v);
			}
		}
	} else if (!failed(ld) || *village) {
		st->shares = xcalloc(1, sizeof *st->shares);
		st->shares[0].village = st->village;
		st->shares[0].parts = 1;
		st->n_shares = 1;
	}
	free(village);

	config_setting_t *devs = config_setting_get_member(s, "devices");
	if (!devs || !config_setting_is_list(devs) || config_setting_length(devs) < 1) {
		err_at(ld, devs ? devs : s, "%s: \"devices\" must be a non-empty list", what);
		return;
	}
	int n = config_setting_length(devs);
	st->devices = xcalloc((size_t)n, sizeof *st->devices);
	for (int i = 0; i < n; i++) {
		config_setting_t *d = config_setting_get_elem(devs, (unsigned)i);
		struct config_device *dev = &st->devices[st->n_devices++];
		load_device(ld, cfg, st, d, dev);
		for (size_t j = 0; j + 1 < st->n_devices; j++)
			if (strcmp(st->devices[j].id, dev->id) == 0)
				err_at(ld, d, "%s: device id \"%s\" is used twice", what, dev->id);
	}
	share_capacity(ld, st, devs, what);
}

static const char *transport_name(enum config_transport t)
{
	return t == CONFIG_RTU ? "rtu" : t == CONFIG_RTU_OVER_TCP ? "rtu-over-tcp" : "tcp";
}

/* Two devices may share an endpoint only with different unit ids, and a host:port only with
 * the same transport. */
static void check_endpoints(struct loader *ld, struct config *cfg, const config_setting_t *stations)
{
	for (size_t a = 0; a < cfg->n_stations; a++)
		for (size_t i = 0; i < cfg->stations[a].n_devices; i++) {
			const struct config_device *x = &cfg->stations[a].devices[i];
			for (size_t b = a; b < cfg->n_stations; b++)
				for (size_t j = (b == a ? i + 1 : 0);
				     j < cfg->stations[b].n_devices; j++) {
					const struct config_device *y =
					    &cfg->stations[b].devices[j];
					if (x->transport != y->transport &&
					    x->transport != CONFIG_RTU &&
					    y->transport != CONFIG_RTU && x->port == y->port &&
					    strcmp(x->host, y->host) == 0) {
						/* One gateway port speaks one framing; the poller
						 * opens one link per host:port. */
						errlist_add(
						    ld->errs, file_of(ld, stations), y->line,
						    "station \"%s\" device \"%s\" uses %s:%d over "
						    "%s but station \"%s\" device \"%s\" uses it "
						    "over %s; one port speaks one transport",
						    cfg->stations[b].id, y->id, y->host, y->port,
						    transport_name(y->transport),
						    cfg->stations[a].id, x->id,
						    transport_name(x->transport));
						continue;
					}
					if (x->transport != y->transport ||
					    x->unit_id != y->unit_id)
						continue;
					if (x->transport == CONFIG_RTU
						? strcmp(x->serial_device, y->serial_device) != 0
						: (strcmp(x->host, y->host) != 0 ||
						   x->port != y->port))
						continue;
					errlist_add(
					    ld->errs, file_of(ld, stations), y->line,
					    "station \"%s\" device \"%s\" has the same endpoint "
					    "and unit %d as station \"%s\" device \"%s\"",
					    cfg->stations[b].id, y->id, y->unit_id,
					    cfg->stations[a].id, x->id);
				}
		}
}

/* The console's settings. The address must be numeric (the console binds it before it could
 * resolve names under its sandbox); files are checked when pvrelief-web starts, since the
 * daemon and the CLI never read them. */
static void load_web(struct loader *ld, struct config *cfg, const config_setting_t *root)
{
	static const char *const keys[] = {"address",
					   "port",
					   "tls_cert_file",
					   "tls_key_file",
					   "read_requires_login",
					   "users_file",
					   "session_minutes",
					   "max_clients",
					   "login_attempts",
					   "silent_after",
					   "hub_database",
					   NULL};
	config_setting_t *g = group(ld, root, "web");
	const char *w = "web";
	check_keys(ld, g, w, keys);
	cfg->web.address = get_str(ld, g, w, "address", "127.0.0.1");
	cfg->web.port = get_int(ld, g, w, "port", 1, 8470, 1, 65535, "");
	cfg->web.tls_cert_file = get_str(ld, g, w, "tls_cert_file", "");
	cfg->web.tls_key_file = get_str(ld, g, w, "tls_key_file", "");
	cfg->web.read_requires_login = get_bool(ld, g, w, "read_requires_login", 0);
	cfg->web.users_file = get_str(ld, g, w, "users_file", "");
	cfg->web.session_minutes = get_int(ld, g, w, "session_minutes", 1, 480, 5, 10080, "min");
	cfg->web.max_clients = get_int(ld, g, w, "max_clients", 1, 200, 4, 1000, "");
	cfg->web.login_attempts = get_int(ld, g, w, "login_attempts", 1, 5, 1, 100, "");
	cfg->web.silent_after_s = get_int(ld, g, w, "silent_after", 1, 0, 0, 86400, "s");
	cfg->web.hub_database = get_str(ld, g, w, "hub_database", "");
	struct in6_addr a6;
	struct in_addr a4;
	if (inet_pton(AF_INET, cfg->web.address, &a4) != 1 &&
	    inet_pton(AF_INET6, cfg->web.address, &a6) != 1)
		err_at(ld, where(config_setting_get_member(g, "address"), g),
		       "web: address \"%s\" is not a numeric IPv4 or IPv6 address",
		       cfg->web.address);
	if (!*cfg->web.tls_cert_file != !*cfg->web.tls_key_file)
		err_at(ld, g, "web: tls_cert_file and tls_key_file go together");
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

struct config *config_load(const char *path, struct errlist *errs)
{
	static const char *const keys[] = {"county",   "maps_dir", "clock",	  "log",
					   "database", "polling",  "mqtt",	  "efficiency",
					   "alerts",   "revenue",  "towns",	  "stations",
					   "web",      "uplink",   "curtailment", NULL};
	static const char *const ckeys[] = {"id", "name", "utc_offset", NULL};
	struct loader ld = {path, errs, errs->n};
	struct config *cfg = xcalloc(1, sizeof *cfg);
	config_t lc;
	FILE *f;

	cfg->path = xstrdup(path);
	config_init(&lc);
	char *dir = dir_of(path), *real = realpath(dir, NULL);
	if (real) {
		/* Absolute, so that messages name the file wherever the program runs. */
		free(dir);
		dir = real;
	}
	config_set_include_dir(&lc, dir);
	if (!(f = fopen(path, "r"))) {
		errlist_add(errs, path, 0, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (config_read(&lc, f) != CONFIG_TRUE) {
		const char *file = config_error_file(&lc) ? config_error_file(&lc) : path;
		char text[80];
		if (strcmp(config_error_text(&lc), "syntax error") == 0 &&
		    line_text(file, config_error_line(&lc), text, sizeof text) == 0)
			errlist_add(
			    errs, file, config_error_line(&lc),
			    "syntax error near \"%s\" (a missing ';' or a bracket not closed "
			    "on this line or the one before?)",
			    text);
		else
			errlist_add(errs, file, config_error_line(&lc), "syntax error: %s",
				    config_error_text(&lc));
		fclose(f);
		goto fail;
	}
	fclose(f);

	const config_setting_t *root = config_root_setting(&lc);
	check_keys(&ld, root, "the top level", keys);
	config_setting_t *county = group(&ld, root, "county");
	if (!county)
		errlist_add(errs, path, 0, "no \"county\" group { id = ...; name = ...; }");
	check_keys(&ld, county, "county", ckeys);
	cfg->county_id = get_str(&ld, county, "county", "id", NULL);
	check_id(&ld, county, "county", cfg->county_id);
	cfg->county_name = get_str(&ld, county, "county", "name", cfg->county_id);
	cfg->utc_offset_s = (int)lround(
	    get_num(&ld, county, "county", "utc_offset", 1, 8, -12, 14, "hours") * 3600.0);
	char *maps = get_str(&ld, root, "the top level", "maps_dir", "maps");
	cfg->maps_dir = maps[0] == '/' ? xstrdup(maps) : xasprintf("%s/%s", dir, maps);
	free(maps);

	load_clock(&ld, cfg, root);
	load_general(&ld, cfg, root);
	/* Relative paths are resolved one way, from the configuration file's folder, like
	 * maps_dir: a program started from another folder must find the same database, not
	 * create an empty one where it stands. */
	if (cfg->database.path[0] != '/') {
		char *rel = cfg->database.path;
		cfg->database.path = xasprintf("%s/%s", dir, rel);
		free(rel);
	}
	load_mqtt(&ld, cfg, root);
	load_uplink(&ld, cfg, root);
	load_efficiency(&ld, cfg, root);
	load_alerts(&ld, cfg, root);
	load_revenue(&ld, cfg, root);
	load_web(&ld, cfg, root);
	load_towns(&ld, cfg, root);
	load_curtailment(&ld, root, "", &cfg->curtailment, &cfg->n_curtailment);

	config_setting_t *stations = config_setting_get_member(root, "stations");
	if (!stations || !config_setting_is_list(stations) || config_setting_length(stations) < 1) {
		err_at(&ld, stations, "\"stations\" must be a non-empty list ( { ... }, ... )");
	} else {
		int n = config_setting_length(stations);
		cfg->stations = xcalloc((size_t)n, sizeof *cfg->stations);
		for (int i = 0; i < n; i++) {
			config_setting_t *s = config_setting_get_elem(stations, (unsigned)i);
			struct config_station *st = &cfg->stations[cfg->n_stations++];
			load_station(&ld, cfg, s, st);
			for (size_t j = 0; j + 1 < cfg->n_stations; j++)
				if (strcmp(cfg->stations[j].id, st->id) == 0)
					err_at(&ld, s, "station id \"%s\" is used twice", st->id);
		}
		check_endpoints(&ld, cfg, stations);
	}
	if (failed(&ld))
		goto fail;
	config_destroy(&lc);
	free(dir);
	return cfg;
fail:
	config_destroy(&lc);
	free(dir);
	config_free(cfg);
	return NULL;
}

static void free_station(struct config_station *st)
{
	for (size_t i = 0; i < st->n_devices; i++) {
		struct config_device *d = &st->devices[i];
		free(d->id);
		free(d->host);
		free(d->serial_device);
		free(d->protocol);
	}
	free(st->devices);
	free(st->curtailment);
	free(st->shares);
	free(st->id);
	free(st->name);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_stations; i++)
		free_station(&cfg->stations[i]);
	free(cfg->curtailment);
	free(cfg->stations);
	for (size_t i = 0; i < cfg->n_towns; i++) {
		free(cfg->towns[i].id);
		free(cfg->towns[i].name);
	}
	free(cfg->towns);
	free(cfg->revenue.notice_contact);
	for (size_t i = 0; i < cfg->n_villages; i++) {
		free(cfg->villages[i].id);
		free(cfg->villages[i].name);
	}
	free(cfg->villages);
	for (size_t i = 0; i < cfg->n_maps; i++) {
		regmap_free(cfg->maps[i]);
		free(cfg->map_names[i]);
	}
	free(cfg->maps);
	free(cfg->map_names);
	for (size_t i = 0; i < cfg->alerts.n_webhooks; i++) {
		struct config_webhook *h = &cfg->alerts.webhooks[i];
		free(h->name);
		free(h->url);
		free(h->secret_file);
		free(h->secret);
	}
	free(cfg->alerts.webhooks);
	free(cfg->web.address);
	free(cfg->web.tls_cert_file);
	free(cfg->web.tls_key_file);
	free(cfg->web.users_file);
	free(cfg->web.hub_database);
	free(cfg->alerts.language);
	free(cfg->efficiency.weather_url);
	free(cfg->mqtt.host);
	free(cfg->mqtt.client_id);
	free(cfg->mqtt.prefix);
	free(cfg->mqtt.ca_file);
	free(cfg->mqtt.cert_file);
	free(cfg->mqtt.key_file);
	free(cfg->mqtt.username);
	free(cfg->mqtt.password_file);
	free(cfg->mqtt.password);
	free(cfg->mqtt.ha_prefix);
	free(cfg->uplink.host);
	free(cfg->uplink.client_id);
	free(cfg->uplink.prefix);
	free(cfg->uplink.ca_file);
	free(cfg->uplink.cert_file);
	free(cfg->uplink.key_file);
	free(cfg->uplink.username);
	free(cfg->uplink.password_file);
	free(cfg->uplink.password);
	free(cfg->database.path);
	free(cfg->log.level);
	free(cfg->county_id);
	free(cfg->county_name);
	free(cfg->maps_dir);
	free(cfg->path);
	free(cfg);
}

const struct config_station *config_station_find(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->n_stations; i++)
		if (strcmp(cfg->stations[i].id, id) == 0)
			return &cfg->stations[i];
	return NULL;
}

void config_gateway_name(const struct config_device *c, char *buf, size_t len)
{
	if (c->transport == CONFIG_RTU)
		snprintf(buf, len, "%s", c->serial_device);
	else
		snprintf(buf, len, "%s:%d", c->host, c->port);
}

size_t config_device_count(const struct config *cfg)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_stations; i++)
		n += cfg->stations[i].n_devices;
	return n;
}
