#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pvrelief/config.h"
#include "pvrelief/log.h"
#include "pvrelief/strbuf.h"
#include "pvrelief/xalloc.h"
#include "sim.h"

#define CONTROL_DEFAULT_EVENTS 0x80u /* OVER_TEMP */
#define CONTROL_MAX_DELAY_MS 60000

struct control {
	struct sim *sim;
	char *path;
	int seen; /* the file existed at the last look */
	struct timespec mtime;
	off_t size;
	struct sim_fault *want; /* per device, scratch for one pass */
	int *gw_down, *gw_hang;
	struct sim_windows *gw_down_at;
	struct strbuf problems; /* this pass's bad lines, for PATH.errors */
};

/* A bad line: logged, and kept for the problems file beside the control file, which
 * tools/demo shows under the live table, where the user is looking. */
static void problem(struct control *c, int lineno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct control *c, int lineno, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_warn("%s:%d: %s; line ignored", c->path, lineno, msg);
	strbuf_printf(&c->problems, "%s:%d: %s; line ignored\n", c->path, lineno, msg);
}

/* Writes this pass's problems to PATH.errors, or removes that file when there were none. */
static void write_problems(struct control *c)
{
	char *errors = xasprintf("%s.errors", c->path), *tmp = xasprintf("%s.errors.tmp", c->path);
	char *text = strbuf_take(&c->problems);
	if (!text || !*text) {
		if (unlink(errors) != 0 && errno != ENOENT)
			log_warn("%s: cannot remove: %s", errors, strerror(errno));
	} else {
		FILE *f = fopen(tmp, "w");
		if (!f || fputs(text, f) == EOF || fclose(f) != 0 || rename(tmp, errors) != 0)
			log_warn("%s: cannot write: %s", errors, strerror(errno));
	}
	free(text);
	free(tmp);
	free(errors);
}

static void fault_default(const struct sim_device *d, struct sim_fault *f)
{
	memset(f, 0, sizeof *f);
	f->offline = d->dev->sim.offline;
	f->delay_ms = d->dev->sim.delay_ms;
	f->health = d->dev->sim.health;
}

/* Applies one device action to f; returns 0 or -1 with a sentence in err. */
static int device_action(const struct sim_device *d, struct sim_fault *f, char **tok, int ntok,
			 char *err, size_t errlen)
{
	const char *act = tok[0];
	char *end;
	if (strcmp(act, "offline") == 0 && ntok == 1) {
		f->offline = 1;
	} else if (strcmp(act, "fault") == 0 && ntok <= 2) {
		f->fault = 1;
		f->fault_events = CONTROL_DEFAULT_EVENTS;
		if (ntok == 2) {
			errno = 0;
			unsigned long v = strtoul(tok[1], &end, 0);
			if (errno || *end || v > 0xFFFFFFFFul) {
				snprintf(err, errlen, "event bits \"%s\" are not a 32-bit number",
					 tok[1]);
				return -1;
			}
			f->fault_events = (uint32_t)v;
		}
	} else if (strcmp(act, "reset") == 0 && ntok == 1) {
		f->reset = 1;
	} else if (strcmp(act, "garbage") == 0 && ntok == 1) {
		f->garbage = 1;
	} else if (strcmp(act, "sentinel") == 0 && ntok == 1) {
		f->sentinel = 1;
	} else if (strcmp(act, "delay") == 0 && ntok == 2) {
		long v = strtol(tok[1], &end, 10);
		if (*end || v < 0 || v > CONTROL_MAX_DELAY_MS) {
			snprintf(err, errlen, "delay \"%s\" is not 0..%d ms", tok[1],
				 CONTROL_MAX_DELAY_MS);
			return -1;
		}
		f->delay_ms = (int)v;
	} else if (strcmp(act, "health") == 0 && ntok == 2) {
		double v = strtod(tok[1], &end);
		if (*end || !(v >= 0 && v <= 1.2)) {
			snprintf(err, errlen, "health \"%s\" is not 0..1.2", tok[1]);
			return -1;
		}
		f->health = v;
	} else if (strcmp(act, "wsf") == 0 && ntok == 2) {
		long v = strtol(tok[1], &end, 10);
		if (*end || v < 0 || v > 3) {
			snprintf(err, errlen, "wsf \"%s\" is not 0..3", tok[1]);
			return -1;
		}
		f->w_sf_extra = (int)v;
	} else if (strcmp(act, "limit") == 0 &&
		   (ntok == 2 || (ntok == 3 && strcmp(tok[2], "quiet") == 0))) {
		long v = strtol(tok[1], &end, 10);
		if (*end || v < 1 || v > 100) {
			snprintf(err, errlen, "limit \"%s\" is not 1..100 %% of the rating",
				 tok[1]);
			return -1;
		}
		f->limit = (double)v / 100.0;
		f->limit_quiet = ntok == 3;
	} else if (strcmp(act, "off") == 0 && ntok == 1) {
		f->down = INV_STATE_OFF;
	} else if (strcmp(act, "standby") == 0 && ntok == 1) {
		f->down = INV_STATE_STANDBY;
	} else if (strcmp(act, "string") == 0 && ntok == 3 && strcmp(tok[2], "dead") == 0) {
		long v = strtol(tok[1], &end, 10);
		if (*end || v < 1 || v > SIM_DC_INPUTS) {
			snprintf(err, errlen, "string \"%s\" is not an input 1..%d", tok[1],
				 SIM_DC_INPUTS);
			return -1;
		}
		f->dead_inputs |= 1u << (v - 1);
	} else if (strcmp(act, "ok") == 0 && ntok == 1) {
		fault_default(d, f);
	} else {
		snprintf(err, errlen,
			 "\"%s\" with %d argument(s) is not offline, fault [BITS], off, standby, "
			 "reset, garbage, sentinel, delay MS, health X, wsf N, limit PCT [quiet], "
			 "string N dead or ok",
			 act, ntok - 1);
		return -1;
	}
	return 0;
}

/* Adds [from, to) to w; returns 0 or -1 when w is full. */
static int window_add(struct sim_windows *w, double from, double to)
{
	if (w->n == SIM_MAX_WINDOWS)
		return -1;
	w->from[w->n] = from;
	w->to[w->n] = to;
	w->n++;
	return 0;
}

/* Reads "from T0 to T1" at the start of a line (T0 < T1, unix s of the simulated clock) into
 * *from and *to; returns the words it took (4), 0 when the line has no such prefix, or -1
 * with a sentence in err. */
static int window_prefix(char **tok, int ntok, double *from, double *to, char *err, size_t len)
{
	if (ntok < 1 || strcmp(tok[0], "from") != 0)
		return 0;
	char *e1 = NULL, *e2 = NULL;
	if (ntok < 6 || strcmp(tok[2], "to") != 0) {
		snprintf(err, len, "a period is \"from UNIX to UNIX\" followed by a fault");
		return -1;
	}
	*from = strtod(tok[1], &e1);
	*to = strtod(tok[3], &e2);
	if (*e1 || *e2 || !(*from < *to)) {
		snprintf(err, len, "\"from %s to %s\" is not a period of unix seconds", tok[1],
			 tok[3]);
		return -1;
	}
	return 4;
}

/* Applies a device action that holds only in [from, to) to f: offline, limit PCT [quiet],
 * off or standby. Returns 0 or -1 with a sentence in err. */
static int timed_action(const struct sim_device *d, struct sim_fault *f, char **tok, int ntok,
			double from, double to, char *err, size_t errlen)
{
	struct sim_fault one;
	fault_default(d, &one);
	const char *act = tok[0];
	int ok = strcmp(act, "offline") == 0 || strcmp(act, "limit") == 0 ||
		 strcmp(act, "off") == 0 || strcmp(act, "standby") == 0;
	if (!ok) {
		snprintf(err, errlen,
			 "only offline, limit PCT [quiet], off and standby take a period for a "
			 "device");
		return -1;
	}
	if (device_action(d, &one, tok, ntok, err, errlen) != 0)
		return -1;
	struct sim_windows *w = one.offline	? &f->offline_at
				: one.limit > 0 ? &f->limit_at
						: &f->down_at;
	/* One limit and one state a device in periods: the last line's holds in all of them. */
	if (window_add(w, from, to) != 0) {
		snprintf(err, errlen, "%s has %d periods already", d->name, SIM_MAX_WINDOWS);
		return -1;
	}
	if (one.limit > 0) {
		f->limit_at_share = one.limit;
		f->limit_at_quiet = one.limit_quiet;
	} else if (one.down) {
		f->down_at_state = one.down;
	}
	return 0;
}

static void parse_line(struct control *c, char *line, int lineno)
{
	struct sim *sim = c->sim;
	char *tok[8];
	int ntok = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == 8) {
			problem(c, lineno, "too many words");
			return;
		}
		tok[ntok++] = t;
	}
	if (ntok == 0 || tok[0][0] == '#')
		return;
	double from = 0, to = 0;
	char perr[200];
	int skip = window_prefix(tok, ntok, &from, &to, perr, sizeof perr);
	if (skip < 0) {
		problem(c, lineno, "%s", perr);
		return;
	}
	memmove(tok, tok + skip, (size_t)(ntok - skip) * sizeof tok[0]);
	ntok -= skip;
	int timed = skip > 0;
	if (ntok < 2) {
		problem(c, lineno, "\"%s\" has no action", tok[0]);
		return;
	}
	if (strcmp(tok[0], "gateway") == 0) {
		char *end;
		long port = strtol(tok[1], &end, 10);
		struct sim_gateway *gw = *end ? NULL : sim_gateway_find(sim, (int)port);
		if (!gw) {
			problem(c, lineno, "no simulated gateway listens on port \"%s\"", tok[1]);
			return;
		}
		size_t g = (size_t)(gw - sim->gateways);
		if (timed) {
			if (ntok != 3 || strcmp(tok[2], "down") != 0)
				problem(c, lineno, "only \"down\" takes a period for a gateway");
			else if (window_add(&c->gw_down_at[g], from, to) != 0)
				problem(c, lineno, "gateway %d has %d periods already", gw->port,
					SIM_MAX_WINDOWS);
		} else if (ntok == 3 && strcmp(tok[2], "down") == 0) {
			c->gw_down[g] = 1;
		} else if (ntok == 3 && strcmp(tok[2], "hang") == 0) {
			c->gw_hang[g] = 1;
		} else if (ntok == 3 && strcmp(tok[2], "ok") == 0) {
			c->gw_down[g] = c->gw_hang[g] = 0;
		} else {
			problem(c, lineno, "a gateway action is down, hang or ok");
		}
		return;
	}
	char *slash = strchr(tok[0], '/');
	if (!slash) {
		problem(c, lineno, "\"%s\" is neither STATION/DEVICE, STATION/* nor \"gateway\"",
			tok[0]);
		return;
	}
	*slash = '\0';
	const char *station = tok[0], *device = slash + 1;
	int matched = 0;
	for (size_t i = 0; i < sim->n_devices; i++) {
		struct sim_device *d = &sim->devices[i];
		if (strcmp(d->st->id, station) != 0)
			continue;
		if (strcmp(device, "*") != 0 && strcmp(d->dev->id, device) != 0)
			continue;
		char err[200];
		if (timed) {
			if (timed_action(d, &c->want[i], tok + 1, ntok - 1, from, to, err,
					 sizeof err) != 0) {
				problem(c, lineno, "%s", err);
				return;
			}
			matched++;
			continue;
		}
		if (device_action(d, &c->want[i], tok + 1, ntok - 1, err, sizeof err) != 0) {
			problem(c, lineno, "%s", err);
			return;
		}
		matched++;
	}
	if (!matched)
		problem(c, lineno, "no simulated device \"%s/%s\"", station, device);
}

static void describe(const struct sim_fault *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "%s%s%s%s%s%s delay %d ms, health %.2f, limit %.0f%%%s, dead inputs 0x%x, "
		 "periods: %d offline, %d limited, %d down",
		 f->offline ? " offline" : "", f->fault ? " fault" : "",
		 f->down ? (f->down == INV_STATE_OFF ? " off" : " standby") : "",
		 f->reset ? " reset" : "", f->garbage ? " garbage" : "",
		 f->sentinel ? " sentinel" : "", f->delay_ms, f->health,
		 f->limit > 0 ? 100.0 * f->limit : 100.0, f->limit_quiet ? " (quiet)" : "",
		 f->dead_inputs, f->offline_at.n, f->limit_at.n, f->down_at.n);
}

/* Makes the devices and gateways what c->want and c->gw_* say. */
static void apply(struct control *c)
{
	struct sim *sim = c->sim;
	for (size_t i = 0; i < sim->n_devices; i++) {
		struct sim_device *d = &sim->devices[i];
		struct sim_fault *w = &c->want[i];
		pthread_mutex_lock(&d->lock);
		int changed = memcmp(&d->fault, w, sizeof *w) != 0;
		if (w->reset && !d->fault.reset && d->dev->role == CONFIG_INVERTER) {
			d->lifetime_wh = 0;
			log_info("%s: lifetime counter reset to 0", d->name);
		}
		d->fault = *w;
		pthread_mutex_unlock(&d->lock);
		if (changed) {
			char what[240];
			describe(w, what, sizeof what);
			log_info("%s (port %d unit %d): now%s", d->name, d->dev->port,
				 d->dev->unit_id, what);
		}
	}
	for (size_t g = 0; g < sim->n_gateways; g++) {
		struct sim_gateway *gw = &sim->gateways[g];
		if (atomic_exchange(&gw->hang, c->gw_hang[g]) != c->gw_hang[g])
			log_info("gateway %s:%d: %s", gw->host, gw->port,
				 c->gw_hang[g] ? "hangs (accepts, never answers)"
					       : "answers again");
		atomic_store(&gw->down, c->gw_down[g]);
		pthread_mutex_lock(&gw->win_lock);
		gw->down_at = c->gw_down_at[g];
		pthread_mutex_unlock(&gw->win_lock);
	}
}

static void reset_wanted(struct control *c)
{
	for (size_t i = 0; i < c->sim->n_devices; i++)
		fault_default(&c->sim->devices[i], &c->want[i]);
	memset(c->gw_down, 0, c->sim->n_gateways * sizeof *c->gw_down);
	memset(c->gw_hang, 0, c->sim->n_gateways * sizeof *c->gw_hang);
	memset(c->gw_down_at, 0, c->sim->n_gateways * sizeof *c->gw_down_at);
}

struct control *control_new(struct sim *sim, const char *path)
{
	struct control *c = xcalloc(1, sizeof *c);
	c->sim = sim;
	c->path = path ? xstrdup(path) : NULL;
	c->want = xcalloc(sim->n_devices ? sim->n_devices : 1, sizeof *c->want);
	c->gw_down = xcalloc(sim->n_gateways ? sim->n_gateways : 1, sizeof *c->gw_down);
	c->gw_hang = xcalloc(sim->n_gateways ? sim->n_gateways : 1, sizeof *c->gw_hang);
	c->gw_down_at = xcalloc(sim->n_gateways ? sim->n_gateways : 1, sizeof *c->gw_down_at);
	reset_wanted(c);
	for (size_t i = 0; i < sim->n_devices; i++)
		sim->devices[i].fault = c->want[i];
	control_poll(c);
	return c;
}

void control_poll(struct control *c)
{
	if (!c->path)
		return;
	struct stat sb;
	int exists = stat(c->path, &sb) == 0;
	if (exists == c->seen &&
	    (!exists || (sb.st_mtim.tv_sec == c->mtime.tv_sec &&
			 sb.st_mtim.tv_nsec == c->mtime.tv_nsec && sb.st_size == c->size)))
		return;
	c->seen = exists;
	reset_wanted(c);
	if (exists) {
		c->mtime = sb.st_mtim;
		c->size = sb.st_size;
		FILE *f = fopen(c->path, "r");
		if (!f) {
			log_warn("%s: cannot read the control file: %s; faults left as they were",
				 c->path, strerror(errno));
			return;
		}
		char line[512];
		int lineno = 0;
		while (fgets(line, sizeof line, f)) {
			lineno++;
			parse_line(c, line, lineno);
		}
		fclose(f);
		log_info("%s: control file read (%d lines)", c->path, lineno);
		write_problems(c);
	} else {
		write_problems(c);
		log_info("%s: no control file; every fault cleared", c->path);
	}
	apply(c);
}

void control_free(struct control *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->want);
	free(c->gw_down);
	free(c->gw_hang);
	free(c->gw_down_at);
	free(strbuf_take(&c->problems));
	free(c);
}
