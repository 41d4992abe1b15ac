/* The polling engine. One scheduler thread hands due endpoints to a bounded pool of
 * workers; a worker owns an endpoint for the whole visit, so requests to one gateway or
 * serial line never overlap. Results go to a writer thread that commits them in batches on
 * the poller's own database connection. */
#include "pvrelief/poller.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pvrelief/clock.h"
#include "pvrelief/complain.h"
#include "pvrelief/config.h"
#include "pvrelief/efficiency.h"
#include "pvrelief/energy.h"
#include "pvrelief/irradiance.h"
#include "pvrelief/linkbytes.h"
#include "pvrelief/log.h"
#include "pvrelief/mblink.h"
#include "pvrelief/pollqueue.h"
#include "pvrelief/regmap.h"
#include "pvrelief/solar.h"
#include "pvrelief/store.h"
#include "pvrelief/store_links.h"
#include "pvrelief/sunspec.h"
#include "pvrelief/xalloc.h"

enum { TIER_FAST, TIER_ENERGY, TIER_IDENTITY, TIER_COUNT };

/* Workers lend their visits a descriptor below this (see visit), so that at most this many
 * descriptors come on top of the connections. */
#define WORKER_LOW_FD 96

/* Link bytes not yet stored, by local day: two days, so that polls on both sides of midnight
 * wait for the same write. Guarded by poller.live_lock. */
struct linkacc {
	char day[11];
	uint64_t bytes, polls;
};

/* A vendor map split by how often its points are read. */
struct tiermap {
	struct regmap sub; /* shares the parent's tables; owns only points */
	struct regmap_block blocks[32];
	int n_blocks;
};

struct endpoint;

struct pdev {
	size_t station, index;
	struct endpoint *ep; /* the endpoint it is reached through */
	const struct config_station *st;
	const struct config_device *cfg;
	int64_t db_id;
	struct tiermap *tiers; /* TIER_COUNT of them, for a vendor map only (768 bytes) */
	struct sunspec_map ss;
	int ss_found;
	double rated_w;
	struct energy_state energy;
	double next_due[TIER_COUNT];
	double next_strings; /* SunSpec model 160: due with the first fast poll from then */
	double next_limit;   /* SunSpec model 123/704, the power limit: likewise */
	int failures;
	double retry_at;
	struct complaint complaint; /* failing since, for the log */
	double last_sensor_ts;
	double back_seen; /* poller.back_s when the due times were last moved with the clock */
	int prefetch_refused;
	/* The power limit in force as last read (RF_POWER_LIMIT_PCT, NAN: none), carried by the
	 * readings until it is read again: it is read on its own slower tier, not every poll,
	 * since a grid operator's limit holds for hours. */
	double limit_pct;
	/* Live state, guarded by poller.live_lock. */
	struct poller_device_live live;
	char day[11];
	struct linkacc link[2];
};

struct endpoint {
	char *name; /* "127.0.0.1:15021" or "/dev/ttyUSB0" */
	struct mblink *link;
	struct pdev **devs;
	size_t n_devs;
	int connect_wait_ms;
	int busy;		/* guarded by sched_lock */
	double due;		/* clock time of the next visit; guarded by sched_lock */
	double back_seen;	/* poller.back_s that due accounts for; guarded by sched_lock */
	struct linkacc conn[2]; /* the connection's own bytes (set-up, teardown) */
	double interval_s;	/* the fast interval in force; guarded by live_lock */
	/* A monthly budget (the station's link_budget_mb, in bytes; 0 none) and what the month
	 * has spent: month_base counts each byte times the stretch in force when it was spent,
	 * so month_base / elapsed is the rate at the configured interval. Guarded by
	 * live_lock. */
	double budget, month_used, month_base;
	int adaptive;
	char month[8];
};

/* Whether the sun is down at a station: a full sun position per device poll would cost more
 * than the poll, so it is kept for a minute of clock. Guarded by the endpoint's worker. */
struct night_cache {
	double at;
	int night;
};

struct poller {
	const struct config *cfg;
	struct night_cache *night; /* per station */
	struct clock *clk;
	struct store *store;
	poller_listener listener;
	void *listener_ctx;
	struct pdev *devs;
	size_t n_devs;
	struct endpoint *eps;
	size_t n_eps;

	pthread_mutex_t sched_lock;
	pthread_cond_t sched_cond;
	size_t *ready; /* ring of endpoint indexes handed to workers */
	size_t ready_head, ready_len;
	int stopping;
	pthread_t scheduler, writer;
	pthread_t *workers;
	int n_workers, started;
	double back_s; /* how far the clock has stepped back in all; guarded by sched_lock */
	_Atomic double heartbeat;

	pthread_mutex_t live_lock;
	struct pollqueue *queue; /* results waiting for the writer */

	atomic_int open_connections;
	atomic_int max_fd;
	atomic_ullong device_polls, device_ok, device_failed, requests;
	atomic_ullong rows_written, write_failures;
};

static double now_clock(const struct poller *p)
{
	return clock_now(p->clk);
}

static void sleep_real_ms(int ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- link bytes ---- */

static void linkacc_add(struct linkacc acc[2], const char *day, uint64_t bytes, uint64_t polls)
{
	if (!bytes && !polls)
		return;
	struct linkacc *a = NULL;
	for (int i = 0; i < 2 && !a; i++)
		if (strcmp(acc[i].day, day) == 0)
			a = &acc[i];
	for (int i = 0; i < 2 && !a; i++)
		if (!acc[i].bytes && !acc[i].polls)
			a = &acc[i];
	if (!a) {
		/* A third day while two wait unwritten (the database failing for a day): the
		 * older day's bytes join the newer one rather than being lost. */
		int older = strcmp(acc[0].day, acc[1].day) < 0 ? 0 : 1;
		acc[1 - older].bytes += acc[older].bytes;
		acc[1 - older].polls += acc[older].polls;
		a = &acc[older];
		a->bytes = a->polls = 0;
	}
	memcpy(a->day, day, sizeof a->day);
	a->bytes += bytes;
	a->polls += polls;
}

/* Moves the bytes the endpoint's link counted since the last call to a device (NULL: to the
 * connection itself) on the local day of clock time t. */
static void take_link_bytes(struct poller *p, struct endpoint *ep, struct pdev *d, double t,
			    uint64_t polls)
{
	uint64_t bytes = mblink_take_wire_bytes(ep->link);
	if (!bytes && !polls)
		return;
	char day[11];
	store_local_day(t, p->cfg->utc_offset_s, day);
	pthread_mutex_lock(&p->live_lock);
	linkacc_add(d ? d->link : ep->conn, day, bytes, polls);
	if (ep->budget > 0) {
		if (strncmp(ep->month, day, 7) != 0) {
			memcpy(ep->month, day, 7);
			ep->month[7] = '\0';
			ep->month_used = ep->month_base = 0;
		}
		ep->month_used += (double)bytes;
		ep->month_base += (double)bytes * ep->interval_s / p->cfg->polling.fast_interval_s;
	}
	pthread_mutex_unlock(&p->live_lock);
}

/* Adaptive mode: stretches the endpoint's fast interval just enough for the rest of the
 * month to fit in what is left of its budget, at most to the night heartbeat. Energy stays
 * exact (it comes from the lifetime counters); only the live figures get coarser. On the
 * month's first day the rate is not known well enough, unless the budget is spent. */
static void adapt_interval(struct poller *p, struct endpoint *ep, double t)
{
	const struct config *cfg = p->cfg;
	if (!ep->adaptive)
		return;
	int y, m;
	double t0, t1;
	irradiance_local_month(t, cfg->utc_offset_s, &y, &m);
	irradiance_month_bounds(y, m, cfg->utc_offset_s, &t0, &t1);
	double fast = cfg->polling.fast_interval_s;
	double max_factor = fmax(1.0, cfg->polling.night_interval_s / fast);
	pthread_mutex_lock(&p->live_lock);
	double factor = 1;
	if (t - t0 >= LINKBYTES_JUDGE_AFTER_S || ep->month_used >= ep->budget)
		factor = linkbytes_stretch(ep->budget, ep->month_used,
					   ep->month_base / fmax(t - t0, 1.0), t1 - t, max_factor);
	double was = ep->interval_s;
	ep->interval_s = fast * factor;
	pthread_mutex_unlock(&p->live_lock);
	if (fabs(ep->interval_s - was) >= 0.1 * fast)
		log_info("gateway %s: fast interval %.0f s (configured %.0f s) to keep within its "
			 "monthly budget of %.1f MB",
			 ep->name, ep->interval_s, fast, ep->budget / 1e6);
}

/* ---- construction ---- */

static int field_tier(enum reading_field f)
{
	switch (f) {
	case RF_POWER_W:
	case RF_STATE:
	case RF_FAULT_CODE:
	case RF_AC_CURRENT_A:
	case RF_AC_VOLTAGE_V:
	case RF_FREQUENCY_HZ:
	case RF_DC_CURRENT_A:
	case RF_DC_VOLTAGE_V:
	case RF_DC_POWER_W:
	case RF_GHI_W_M2:
	case RF_POA_W_M2:
	case RF_DHI_W_M2:
	case RF_DNI_W_M2:
	case RF_MODULE_TEMP_C:
	case RF_AIR_TEMP_C:
	case RF_WIND_M_S:
		return TIER_FAST;
	case RF_RATED_POWER_W:
		return TIER_IDENTITY;
	default:
		return TIER_ENERGY; /* energy counters, alarm words, cabinet temperature */
	}
}

static int build_tiers(struct pdev *d)
{
	const struct regmap *map = d->cfg->map;
	d->tiers = xcalloc(TIER_COUNT, sizeof *d->tiers);
	for (int t = 0; t < TIER_COUNT; t++) {
		struct tiermap *tm = &d->tiers[t];
		tm->sub = *map;
		tm->sub.points = xcalloc(map->n_points, sizeof *map->points);
		tm->sub.n_points = 0;
		for (size_t i = 0; i < map->n_points; i++)
			if (field_tier(map->points[i].field) == t)
				tm->sub.points[tm->sub.n_points++] = map->points[i];
		tm->n_blocks = tm->sub.n_points
				   ? regmap_blocks(&tm->sub, tm->blocks,
						   sizeof tm->blocks / sizeof tm->blocks[0])
				   : 0;
		if (tm->n_blocks < 0) {
			log_err("station %s device %s: map %s needs too many reads", d->st->id,
				d->cfg->id, map->name);
			return -1;
		}
	}
	return 0;
}

static char *endpoint_name(const struct config_device *c)
{
	char name[300];
	config_gateway_name(c, name, sizeof name);
	return xstrdup(name);
}

static struct endpoint *find_or_add_endpoint(struct poller *p, const struct config_device *c)
{
	char *name = endpoint_name(c);
	for (size_t i = 0; i < p->n_eps; i++)
		if (strcmp(p->eps[i].name, name) == 0) {
			free(name);
			return &p->eps[i];
		}
	struct endpoint *ep = &p->eps[p->n_eps++];
	ep->name = name;
	switch (c->transport) {
	case CONFIG_RTU:
		ep->link = mblink_new_rtu(c->serial_device, c->baud, c->parity, c->data_bits,
					  c->stop_bits);
		break;
	case CONFIG_RTU_OVER_TCP:
		/* A data logger on a 4G link forwarding the RS-485 bus: RTU frames over TCP.
		 * The configuration refuses one host:port with two transports, so the first
		 * device's transport is every device's. */
		ep->link = mblink_new_rtu_over_tcp(c->host, c->port);
		break;
	default:
		ep->link = mblink_new_tcp(c->host, c->port);
		break;
	}
	if (ep->link)
		mblink_set_timeout(ep->link, p->cfg->polling.timeout_ms);
	ep->interval_s = p->cfg->polling.fast_interval_s;
	return ep;
}

static int load_device_state(struct poller *p, struct pdev *d)
{
	char day[11];
	if (store_device_id(p->store, d->st->id, d->cfg->id, &d->db_id) != 0)
		return -1;
	if (store_energy_state_get(p->store, d->db_id, &d->energy) < 0)
		return -1;
	store_local_day(now_clock(p), p->cfg->utc_offset_s, day);
	memcpy(d->day, day, sizeof day);
	d->live.energy_today_wh = store_day_energy_wh(p->store, d->db_id, day);
	return 0;
}

/* A gateway with a budget: what its month has spent so far, from the store. */
static int load_link_month(struct poller *p, struct endpoint *ep, const struct config_station *st)
{
	int y, m;
	double t0, t1, t = now_clock(p);
	irradiance_local_month(t, p->cfg->utc_offset_s, &y, &m);
	irradiance_month_bounds(y, m, p->cfg->utc_offset_s, &t0, &t1);
	char first[11], today[11];
	store_local_day(t0, p->cfg->utc_offset_s, first);
	store_local_day(t, p->cfg->utc_offset_s, today);
	int64_t used = store_link_gateway_bytes(p->store, ep->name, first, today);
	if (used < 0)
		return -1;
	ep->budget = st->link_budget_mb * 1e6;
	ep->adaptive = st->link_adaptive;
	memcpy(ep->month, today, 7);
	ep->month[7] = '\0';
	ep->month_used = ep->month_base = (double)used;
	return 0;
}

struct poller *poller_new(const struct config *cfg, struct clock *clk)
{
	char err[512];
	struct poller *p = xcalloc(1, sizeof *p);
	p->cfg = cfg;
	p->clk = clk;
	pthread_mutex_init(&p->sched_lock, NULL);
	pthread_cond_init(&p->sched_cond, NULL);
	pthread_mutex_init(&p->live_lock, NULL);
	p->store = store_open(cfg->database.path, STORE_ONE_THREAD, err, sizeof err);
	if (!p->store) {
		log_err("poller: %s", err);
		goto fail;
	}
	store_set_max_size(p->store, cfg->database.max_size_mb);
	p->n_devs = config_device_count(cfg);
	p->devs = xcalloc(p->n_devs, sizeof *p->devs);
	p->night = xcalloc(cfg->n_stations ? cfg->n_stations : 1, sizeof *p->night);
	p->eps = xcalloc(p->n_devs, sizeof *p->eps);
	p->ready = xcalloc(p->n_devs, sizeof *p->ready);
	p->queue = pollqueue_new();
	size_t k = 0;
	if (store_begin(p->store) != 0)
		goto fail;
	for (size_t s = 0; s < cfg->n_stations; s++) {
		const struct config_station *st = &cfg->stations[s];
		for (size_t i = 0; i < st->n_devices; i++) {
			struct pdev *d = &p->devs[k++];
			d->station = s;
			d->index = i;
			d->st = st;
			d->cfg = &st->devices[i];
			d->live.station = s;
			d->live.device = i;
			d->rated_w = d->cfg->rated_power_w;
			d->limit_pct = NAN;
			if (d->cfg->map && build_tiers(d) != 0)
				goto fail_tx;
			if (load_device_state(p, d) != 0) {
				log_err(
				    "database %s: cannot load state of station %s device %s: %s",
				    cfg->database.path, st->id, d->cfg->id, store_errmsg(p->store));
				goto fail_tx;
			}
			struct endpoint *ep = find_or_add_endpoint(p, d->cfg);
			if (!ep->link) {
				log_err("station %s device %s: cannot set up endpoint %s", st->id,
					d->cfg->id, ep->name);
				goto fail_tx;
			}
			ep->devs = xrealloc(ep->devs, (ep->n_devs + 1) * sizeof *ep->devs);
			ep->devs[ep->n_devs++] = d;
			d->ep = ep;
			if (ep->n_devs == 1 && st->link_budget_mb > 0 &&
			    load_link_month(p, ep, st) != 0) {
				log_err(
				    "database %s: cannot load the link counters of gateway %s: %s",
				    cfg->database.path, ep->name, store_errmsg(p->store));
				goto fail_tx;
			}
			if (d->cfg->map && d->cfg->map->connect_wait_ms > ep->connect_wait_ms)
				ep->connect_wait_ms = d->cfg->map->connect_wait_ms;
		}
	}
	if (store_commit(p->store) != 0)
		goto fail;
	return p;
fail_tx:
	store_rollback(p->store);
fail:
	poller_free(p);
	return NULL;
}

void poller_set_listener(struct poller *p, poller_listener fn, void *ctx)
{
	p->listener = fn;
	p->listener_ctx = ctx;
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_eps; i++) {
		if (p->eps[i].link && mblink_connected(p->eps[i].link))
			atomic_fetch_sub(&p->open_connections, 1);
		mblink_free(p->eps[i].link);
		free(p->eps[i].devs);
		free(p->eps[i].name);
	}
	for (size_t i = 0; i < p->n_devs; i++) {
		for (int t = 0; t < TIER_COUNT && p->devs[i].tiers; t++)
			free(p->devs[i].tiers[t].sub.points);
		free(p->devs[i].tiers);
	}
	free(p->eps);
	free(p->devs);
	free(p->night);
	free(p->ready);
	free(p->workers);
	pollqueue_free(p->queue);
	store_close(p->store);
	pthread_mutex_destroy(&p->sched_lock);
	pthread_cond_destroy(&p->sched_cond);
	pthread_mutex_destroy(&p->live_lock);
	free(p);
}

/* ---- reading one device ---- */

struct readctx {
	struct poller *p;
	struct endpoint *ep;
	struct pdev *d;
	int function;
	int last_error;
	int dead; /* the device stopped answering during this visit: fail the rest fast */
	/* SunSpec discovery asks for two registers at a time; over a 4G link each request
	 * costs a round trip, so reads are widened to a whole Modbus frame and served from
	 * this cache. A device that refuses the wide read gets exact reads from then on. */
	uint16_t cache[125];
	uint16_t cache_addr, cache_n;
	int widen; /* discovery: widen reads to a whole frame; values: read exactly */
};

static int raw_read(struct readctx *rc, uint16_t addr, uint16_t count, uint16_t *dest)
{
	struct pdev *d = rc->d;
	int retries = rc->p->cfg->polling.retries;
	int r = MBLINK_ETIMEOUT;
	/* A device that timed out will not answer the next address either: trying SunSpec's
	 * other base addresses would only wait out more timeouts. */
	if (rc->dead)
		return rc->last_error;
	for (int attempt = 0; attempt <= retries; attempt++) {
		int was_connected = mblink_connected(rc->ep->link);
		double t0 = clock_monotonic_now();
		atomic_fetch_add(&rc->p->requests, 1);
		r = mblink_read(rc->ep->link, d->cfg->unit_id, rc->function, addr, count, dest);
		double rtt = (clock_monotonic_now() - t0) * 1000.0;
		int is_connected = mblink_connected(rc->ep->link);
		if (!was_connected && is_connected) {
			atomic_fetch_add(&rc->p->open_connections, 1);
			int fd = mblink_fd(rc->ep->link);
			if (fd > atomic_load(&rc->p->max_fd))
				atomic_store(&rc->p->max_fd, fd);
		} else if (was_connected && !is_connected) {
			atomic_fetch_sub(&rc->p->open_connections, 1);
		}
		pthread_mutex_lock(&rc->p->live_lock);
		d->live.requests++;
		if (r == MBLINK_OK) {
			d->live.rtt_ms = rtt;
		} else {
			d->live.errors++;
			if (r == MBLINK_ETIMEOUT)
				d->live.timeouts++;
			snprintf(d->live.last_error, sizeof d->live.last_error, "%s",
				 mblink_strerror(rc->ep->link));
		}
		pthread_mutex_unlock(&rc->p->live_lock);
		/* An exception is the device's considered answer; asking again changes nothing.
		 * A refused connection will not be accepted a moment later either. */
		if (r == MBLINK_OK || r == MBLINK_EEXCEPTION || r == MBLINK_ECONNECT ||
		    r == MBLINK_EFD)
			break;
	}
	rc->last_error = r;
	if (r == MBLINK_ETIMEOUT || r == MBLINK_ECLOSED || r == MBLINK_ECONNECT || r == MBLINK_EFD)
		rc->dead = 1;
	return r;
}

static int cached_read(void *ctx, uint16_t addr, uint16_t count, uint16_t *dest)
{
	struct readctx *rc = ctx;
	if (rc->cache_n && addr >= rc->cache_addr &&
	    (uint32_t)addr + count <= (uint32_t)rc->cache_addr + rc->cache_n) {
		memcpy(dest, rc->cache + (addr - rc->cache_addr), count * sizeof *dest);
		return 0;
	}
	if (rc->widen && !rc->d->prefetch_refused && count < 125 &&
	    (uint32_t)addr + 125 <= 65536u) {
		int r = raw_read(rc, addr, 125, rc->cache);
		if (r == MBLINK_OK) {
			rc->cache_addr = addr;
			rc->cache_n = 125;
			memcpy(dest, rc->cache, count * sizeof *dest);
			return 0;
		}
		if (r != MBLINK_EEXCEPTION)
			return -1;
		rc->d->prefetch_refused = 1;
	}
	return raw_read(rc, addr, count, dest) == MBLINK_OK ? 0 : -1;
}

/* The models worth reading every poll: the inverter model (value and scale factors in one
 * request, since scale factors may change) or the sensor models. */
static int polled_model(uint16_t id)
{
	return (id >= 101 && id <= 103) || (id >= 111 && id <= 113) || id == 302 || id == 303 ||
	       id == 307;
}

/* Sensor models (302 irradiance, 303 module temperature, 307 met station) lie next to one
 * another and are read whole: one request for all of them, served to their decoders from the
 * read cache, rather than a request each, each with its headers and ACK on a 4G link. Returns
 * MBLINK_OK (also when there is nothing to join) or the read's error. */
static int prefetch_sensor_models(struct readctx *rc)
{
	const struct sunspec_map *ss = &rc->d->ss;
	for (size_t i = 0; i < ss->n; i++) {
		const struct sunspec_model *m = &ss->models[i];
		if (m->id < 300 || !polled_model(m->id))
			continue;
		uint32_t start = m->addr, end = (uint32_t)m->addr + m->len + 2;
		size_t joined = 1;
		for (size_t j = i + 1; j < ss->n; j++) {
			const struct sunspec_model *n = &ss->models[j];
			uint32_t n_end = (uint32_t)n->addr + n->len + 2;
			if (!polled_model(n->id) || n->id < 300 || n->addr != end ||
			    n_end - start > 125)
				break;
			end = n_end;
			joined++;
		}
		if (joined < 2)
			return MBLINK_OK;
		int r = raw_read(rc, (uint16_t)start, (uint16_t)(end - start), rc->cache);
		if (r != MBLINK_OK)
			return r;
		rc->cache_addr = (uint16_t)start;
		rc->cache_n = (uint16_t)(end - start);
		return MBLINK_OK;
	}
	return MBLINK_OK;
}

static int read_sunspec(struct readctx *rc, int identity_due, int inputs_due, int limit_due,
			struct reading *out, int *inputs_read, int *limit_read)
{
	struct pdev *d = rc->d;
	uint16_t block[512];
	if (!d->ss_found || identity_due) {
		rc->widen = 1;
		int r = sunspec_discover(cached_read, rc, &d->ss);
		if (r != 0)
			return r == SUNSPEC_ERR_READ ? rc->last_error : MBLINK_EGARBAGE;
		d->ss_found = 1;
		const struct sunspec_model *np = sunspec_find(&d->ss, 120);
		if (np && d->cfg->rated_power_w <= 0) {
			struct reading name = {0};
			int n = sunspec_read_model(cached_read, rc, np, block, 512);
			if (n > 0 && sunspec_decode_nameplate(block, (size_t)n, &name, NULL) == 0 &&
			    reading_has(&name, RF_RATED_POWER_W))
				d->rated_w = name.value[RF_RATED_POWER_W];
		}
	}
	int decoded = 0;
	rc->cache_n = 0; /* values must be fresh, not from discovery's cache */
	rc->widen = 0;
	int r = prefetch_sensor_models(rc);
	if (r != MBLINK_OK) {
		d->ss_found = 0;
		return r;
	}
	for (size_t i = 0; i < d->ss.n; i++) {
		const struct sunspec_model *m = &d->ss.models[i];
		if (!polled_model(m->id))
			continue;
		/* Only the registers decoded: on a link priced by the byte the rest of the model
		 * would be a fifth of what a poll costs. */
		int n = sunspec_read_span(cached_read, rc, m, block, 512);
		if (n < 0) {
			if (n == SUNSPEC_ERR_READ)
				d->ss_found = 0; /* rediscover: the device may have been replaced */
			return n == SUNSPEC_ERR_READ ? rc->last_error : MBLINK_EGARBAGE;
		}
		if (sunspec_decode_block(block, (size_t)n, out) != 0)
			return MBLINK_EGARBAGE;
		out->sentinel &=
		    ~(uint32_t)SUNSPEC_SPAN_UNREAD; /* not read, not "not implemented" */
		decoded++;
	}
	/* Each DC input's current (model 160), for the dead-string rule, on its own slower tier
	 * (strings_interval) and only by day: a string fault is judged over many minutes of
	 * good light, so it costs no request on every fast poll, and none at night, when no
	 * input carries a current. A device whose model 160 cannot be read or decoded still
	 * gives its other values. */
	const struct sunspec_model *mp = decoded && inputs_due ? sunspec_find(&d->ss, 160) : NULL;
	if (mp) {
		struct sunspec_mppt mppt;
		*inputs_read = 1;
		int n = sunspec_read_span(cached_read, rc, mp, block, 512);
		if (n > 0 && sunspec_decode_mppt(block, (size_t)n, &mppt) == 0) {
			out->n_inputs = 0;
			for (size_t i = 0; i < mppt.n && out->n_inputs < READING_MAX_INPUTS; i++)
				if (mppt.mod[i].present & (1u << SUNSPEC_MPPT_DC_CURRENT_A))
					out->input_dca[out->n_inputs++] =
					    mppt.mod[i].value[SUNSPEC_MPPT_DC_CURRENT_A];
		}
	}
	/* The power limit (model 704, else 123), by day on its own tier (limit_interval): one
	 * request of 19 (123) or 45 (704) registers, since a grid operator's limit holds for
	 * hours. A device without them, or whose block cannot be read or decoded, has no limit
	 * known. */
	if (decoded && limit_due) {
		*limit_read = 1;
		const struct sunspec_model *mc = sunspec_find(&d->ss, 704);
		if (!mc)
			mc = sunspec_find(&d->ss, 123);
		struct reading lim = {0};
		int n = mc ? sunspec_read_span(cached_read, rc, mc, block, 512) : -1;
		if (n > 0 && sunspec_decode_controls(block, (size_t)n, &lim) == 0 &&
		    reading_has(&lim, RF_POWER_LIMIT_PCT))
			reading_set(out, RF_POWER_LIMIT_PCT, lim.value[RF_POWER_LIMIT_PCT]);
	}
	return decoded ? MBLINK_OK : MBLINK_EGARBAGE;
}

static int read_map(struct readctx *rc, const int due[TIER_COUNT], struct reading *out)
{
	struct pdev *d = rc->d;
	uint16_t data[32 * 125];
	rc->function = d->cfg->map->function;
	for (int t = 0; t < TIER_COUNT; t++) {
		const struct tiermap *tm = &d->tiers[t];
		if (!due[t] || tm->n_blocks == 0)
			continue;
		size_t off = 0;
		for (int b = 0; b < tm->n_blocks; b++) {
			int r = raw_read(rc, tm->blocks[b].addr, tm->blocks[b].count, data + off);
			if (r != MBLINK_OK)
				return r;
			off += tm->blocks[b].count;
		}
		if (regmap_decode(&tm->sub, tm->blocks, (size_t)tm->n_blocks, data, out) != 0)
			return MBLINK_EGARBAGE;
		if (t == TIER_IDENTITY && reading_has(out, RF_RATED_POWER_W) &&
		    d->cfg->rated_power_w <= 0)
			d->rated_w = out->value[RF_RATED_POWER_W];
	}
	return MBLINK_OK;
}

/* ---- judging and recording ---- */

static int sun_below(const struct poller *p, const struct config_station *st, double t)
{
	/* Telling day from night against a margin of degrees needs no 0.0003-degree sun
	 * position: the approximate one is many times cheaper on the polling path. */
	return solar_elevation_approx_deg(t, st->lat_deg, st->lon_deg) <
	       p->cfg->polling.night_elevation_deg;
}

static int station_is_night(struct poller *p, size_t station, double t)
{
	struct night_cache *c = &p->night[station];
	if (c->at <= 0 || fabs(t - c->at) > 60.0) {
		c->night = sun_below(p, &p->cfg->stations[station], t);
		c->at = t;
	}
	return c->night;
}

static void schedule_next(struct poller *p, struct pdev *d, double t, int night, const int due[])
{
	const struct config *cfg = p->cfg;
	pthread_mutex_lock(&p->live_lock);
	double day_fast = d->ep->interval_s;
	pthread_mutex_unlock(&p->live_lock);
	double fast = night ? cfg->polling.night_interval_s : day_fast;
	if (due[TIER_FAST])
		d->next_due[TIER_FAST] = t + fast;
	if (due[TIER_ENERGY])
		d->next_due[TIER_ENERGY] = t + (night ? fmax(fast, cfg->polling.energy_interval_s)
						      : cfg->polling.energy_interval_s);
	if (due[TIER_IDENTITY])
		d->next_due[TIER_IDENTITY] = t + cfg->polling.identity_interval_s;
}

static double device_due(const struct pdev *d)
{
	double due = d->next_due[TIER_FAST];
	for (int t = 1; t < TIER_COUNT; t++)
		if (d->next_due[t] < due)
			due = d->next_due[t];
	return fmax(due, d->retry_at);
}

static void record_failure(struct poller *p, struct endpoint *ep, struct pdev *d, double t,
			   int night, int err)
{
	const struct config *cfg = p->cfg;
	d->failures++;
	/* Back off exponentially up to max_backoff; at night the heartbeat is slow anyway. */
	double backoff = cfg->polling.fast_interval_s * pow(2.0, fmin(d->failures - 1, 16));
	if (backoff > cfg->polling.max_backoff_s)
		backoff = cfg->polling.max_backoff_s;
	if (night && backoff < cfg->polling.night_interval_s)
		backoff = cfg->polling.night_interval_s;
	d->retry_at = t + backoff;
	atomic_fetch_add(&p->device_failed, 1);
	if (!night)
		complain(&d->complaint, t, "station %s device %s (%s unit %d): %s: %s", d->st->id,
			 d->cfg->id, ep->name, d->cfg->unit_id, mblink_error_name(err),
			 mblink_strerror(ep->link));
	pthread_mutex_lock(&p->live_lock);
	d->live.online = 0;
	d->live.polled = 1;
	d->live.last_ts = t;
	pthread_mutex_unlock(&p->live_lock);
	if (p->listener) {
		struct poller_result res = {.station = d->station,
					    .device = d->index,
					    .ts = t,
					    .error = err,
					    .night = night};
		p->listener(p->listener_ctx, &res);
	}
}

/* The inverter's part of its station's permanent export cap (export_limit_w; 0: none), in
 * proportion to its rating among the station's inverters (DC capacity where one has none): a
 * limit at or above it is the cap, which is configuration, not curtailment. */
static double cap_share_w(const struct pdev *d)
{
	const struct config_station *st = d->st;
	if (!(st->export_limit_w > 0))
		return 0;
	double mine = 0, all = 0;
	int rated = 1;
	for (size_t i = 0; i < st->n_devices; i++)
		if (st->devices[i].role == CONFIG_INVERTER)
			rated &= st->devices[i].rated_power_w > 0;
	for (size_t i = 0; i < st->n_devices; i++) {
		const struct config_device *c = &st->devices[i];
		if (c->role != CONFIG_INVERTER)
			continue;
		double w = rated ? c->rated_power_w : c->dc_kwp;
		all += w;
		if (c == d->cfg)
			mine = w;
	}
	return all > 0 ? st->export_limit_w * mine / all : 0;
}

static void record_success(struct poller *p, struct endpoint *ep, struct pdev *d, double t,
			   int night, double due_at, int due_energy, struct reading *r)
{
	struct energy_limits lim = {
	    .rated_w = d->rated_w > 0 ? d->rated_w : d->st->capacity_kwp * 1000.0,
	    .capacity_wp = d->st->capacity_kwp * 1000.0,
	    .resolution_wh = 1000.0,
	};
	double delta = 0;
	/* The limit is read with the energy counters; between those reads the last one holds. */
	if (due_energy)
		d->limit_pct =
		    reading_has(r, RF_POWER_LIMIT_PCT) ? r->value[RF_POWER_LIMIT_PCT] : NAN;
	else if (isfinite(d->limit_pct))
		reading_set(r, RF_POWER_LIMIT_PCT, d->limit_pct);
	unsigned q = energy_update(&d->energy, &lim, t, r, !night, &delta);
	/* Late: read more than an interval after it was due (never the first read, which was
	 * not due at any particular time). */
	if (due_at > 0 && t - due_at > p->cfg->polling.fast_interval_s)
		q |= ENERGY_Q_LATE;
	int rejected = (q & ENERGY_Q_REJECTED) != 0;

	/* Irradiation H = sum G dt: from this sensor reading back to the previous one, capped
	 * so that a gap (an outage) adds nothing it did not see. */
	double ghi_wh = 0, poa_wh = 0;
	if (d->cfg->role == CONFIG_SENSOR && !rejected) {
		double dt = d->last_sensor_ts > 0 ? t - d->last_sensor_ts : 0;
		double cap = 2.0 * p->cfg->polling.fast_interval_s;
		dt = fmin(fmax(dt, 0), cap);
		if (reading_has(r, RF_GHI_W_M2))
			ghi_wh = r->value[RF_GHI_W_M2] * dt / 3600.0;
		if (reading_has(r, RF_POA_W_M2))
			poa_wh = r->value[RF_POA_W_M2] * dt / 3600.0;
		d->last_sensor_ts = t;
	}
	complain_release(&d->complaint, t, "station %s device %s (%s unit %d): answering again",
			 d->st->id, d->cfg->id, ep->name, d->cfg->unit_id);
	d->failures = 0;
	d->retry_at = 0;
	atomic_fetch_add(&p->device_ok, 1);

	char day[11];
	store_local_day(t, p->cfg->utc_offset_s, day);
	pthread_mutex_lock(&p->live_lock);
	if (strcmp(day, d->day) != 0) {
		memcpy(d->day, day, sizeof day);
		d->live.energy_today_wh = 0;
	}
	d->live.energy_today_wh += delta;
	d->live.online = 1;
	d->live.polled = 1;
	d->live.last_ts = t;
	d->live.last_ok_ts = t;
	d->live.quality = q;
	d->live.readings++;
	if (rejected)
		d->live.rejected++;
	else
		d->live.last = *r;
	pthread_mutex_unlock(&p->live_lock);

	struct pollqueue_row row = {.device_id = d->db_id,
				    .station = d->st->id,
				    .ts = t,
				    .quality = q,
				    .rejected = rejected,
				    .delta_wh = delta,
				    .ghi_wh_m2 = ghi_wh,
				    .poa_wh_m2 = poa_wh,
				    .energy = d->energy};
	store_values_of(&row.values, r);
	if (!rejected && reading_has(r, RF_POWER_LIMIT_PCT) &&
	    efficiency_reported_limit_curtails(r->value[RF_POWER_LIMIT_PCT], d->rated_w,
					       cap_share_w(d))) {
		row.values.limited = 1;
		row.values.limit_w =
		    d->rated_w > 0 ? r->value[RF_POWER_LIMIT_PCT] / 100.0 * d->rated_w : NAN;
	}
	pollqueue_push(p->queue, &row);
	if (p->listener) {
		struct poller_result res = {.station = d->station,
					    .device = d->index,
					    .ts = t,
					    .ok = 1,
					    .reading = r,
					    .quality = q,
					    .delta_wh = delta,
					    .ghi_wh_m2 = ghi_wh,
					    .poa_wh_m2 = poa_wh,
					    .night = night};
		p->listener(p->listener_ctx, &res);
	}
}

static void poll_device(struct poller *p, struct endpoint *ep, struct pdev *d, double t, int night)
{
	int due[TIER_COUNT];
	for (int k = 0; k < TIER_COUNT; k++)
		due[k] = d->next_due[k] <= t;
	due[TIER_FAST] = 1; /* every visit reads power and state */
	double due_at = device_due(d);
	struct readctx rc = {.p = p, .ep = ep, .d = d, .function = 3};
	struct reading r;
	memset(&r, 0, sizeof r);
	atomic_fetch_add(&p->device_polls, 1);
	int strings_due = !night && d->next_strings <= t, strings_read = 0;
	/* While a limit holds it is read at every energy interval, so that its end is seen
	 * within a slot; otherwise every limit_interval. A vendor map reads its limit point
	 * with the energy counters. */
	int limiting = d->limit_pct < 100.0 - EFFICIENCY_LIMIT_MARGIN_PCT; /* false for NAN */
	int limit_due = !night && (d->next_limit <= t || (limiting && due[TIER_ENERGY]));
	int limit_read = d->cfg->map ? due[TIER_ENERGY] : 0;
	int err = d->cfg->map ? read_map(&rc, due, &r)
			      : read_sunspec(&rc, due[TIER_IDENTITY], strings_due, limit_due, &r,
					     &strings_read, &limit_read);
	double done = now_clock(p);
	if (err != MBLINK_OK) {
		record_failure(p, ep, d, done, night, err);
		/* Try identity again on the next success. */
		if (due[TIER_IDENTITY])
			d->next_due[TIER_IDENTITY] = 0;
		schedule_next(p, d, done, night, (int[]){1, 0, 0});
		return;
	}
	schedule_next(p, d, t, night, due);
	if (strings_read)
		d->next_strings = t + p->cfg->polling.strings_interval_s;
	if (limit_read && !d->cfg->map)
		d->next_limit = t + p->cfg->polling.limit_interval_s;
	record_success(p, ep, d, done, night, due_at, limit_read, &r);
}

/* Due times set before the clock stepped back (an NTP correction) move back with it:
 * otherwise polling would stop for as long as the step. Called by the worker that owns the
 * device, with back_s read under sched_lock. */
static void follow_clock_back(struct pdev *d, double back_s)
{
	double by = back_s - d->back_seen;
	if (by <= 0)
		return;
	for (int k = 0; k < TIER_COUNT; k++)
		d->next_due[k] -= by;
	d->next_strings -= by;
	d->next_limit -= by;
	d->retry_at = d->retry_at > 0 ? d->retry_at - by : 0;
	d->back_seen = back_s;
}

/* One visit of an endpoint: every device that is due, one after another, with the quiet gap
 * the bus needs between unit ids. A connection failure fails the whole endpoint at once
 * rather than waiting out one timeout per device. */
static void visit_devices(struct poller *p, struct endpoint *ep, double back_s)
{
	double t = now_clock(p);
	int polled = 0;
	for (size_t i = 0; i < ep->n_devs; i++)
		follow_clock_back(ep->devs[i], back_s);
	if (!mblink_connected(ep->link)) {
		int r = mblink_connect(ep->link);
		take_link_bytes(p, ep, NULL, t, 0);
		if (r != MBLINK_OK) {
			for (size_t i = 0; i < ep->n_devs; i++) {
				struct pdev *d = ep->devs[i];
				if (device_due(d) > t)
					continue;
				int night = station_is_night(p, d->station, t);
				record_failure(p, ep, d, t, night, r);
				schedule_next(p, d, t, night, (int[]){1, 0, 0});
			}
			return;
		}
		atomic_fetch_add(&p->open_connections, 1);
		int fd = mblink_fd(ep->link);
		if (fd > atomic_load(&p->max_fd))
			atomic_store(&p->max_fd, fd);
		sleep_real_ms(ep->connect_wait_ms);
	}
	for (size_t i = 0; i < ep->n_devs; i++) {
		struct pdev *d = ep->devs[i];
		t = now_clock(p);
		if (device_due(d) > t)
			continue;
		if (polled++)
			sleep_real_ms(p->cfg->polling.unit_gap_ms);
		poll_device(p, ep, d, t, station_is_night(p, d->station, t));
		take_link_bytes(p, ep, d, t, 1);
		pthread_mutex_lock(&p->sched_lock);
		int stop = p->stopping;
		pthread_mutex_unlock(&p->sched_lock);
		if (stop)
			break;
	}
	/* Keep the connection for the next visit unless too many are open: every open socket
	 * must stay numbered below libmodbus's select() limit. */
	if (mblink_connected(ep->link) &&
	    atomic_load(&p->open_connections) > p->cfg->polling.max_connections) {
		mblink_close(ep->link);
		atomic_fetch_sub(&p->open_connections, 1);
	}
	take_link_bytes(p, ep, NULL, t, 0);
	adapt_interval(p, ep, t);
}

/* A worker's visit works the endpoint's connection through the worker's own low descriptor
 * (low, or -1 for none): flat out on two cores, libmodbus's select() on connections numbered
 * in the hundreds cost a minimal loop 6-7% of its throughput (tools/bench/poll). */
static void visit(struct poller *p, struct endpoint *ep, double back_s, int low)
{
	if (low >= 0)
		mblink_lend_fd(ep->link, low);
	visit_devices(p, ep, back_s);
	if (low >= 0)
		mblink_return_fd(ep->link);
}

/* Returns a descriptor numbered below WORKER_LOW_FD for a worker to lend its visits, or -1:
 * workers start before connections open, so they normally get the lowest numbers. */
static int reserve_low_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= WORKER_LOW_FD) {
		close(fd);
		return -1;
	}
	return fd;
}

static double endpoint_due(const struct endpoint *ep)
{
	double due = INFINITY;
	for (size_t i = 0; i < ep->n_devs; i++)
		due = fmin(due, device_due(ep->devs[i]));
	return due;
}

static void *worker_main(void *arg)
{
	struct poller *p = arg;
	int low = reserve_low_fd();
	pthread_mutex_lock(&p->sched_lock);
	for (;;) {
		while (!p->stopping && p->ready_len == 0)
			pthread_cond_wait(&p->sched_cond, &p->sched_lock);
		if (p->stopping)
			break;
		size_t idx = p->ready[p->ready_head];
		p->ready_head = (p->ready_head + 1) % p->n_devs;
		p->ready_len--;
		double back_s = p->back_s;
		pthread_mutex_unlock(&p->sched_lock);
		struct endpoint *ep = &p->eps[idx];
		visit(p, ep, back_s, low);
		double due = endpoint_due(ep);
		pthread_mutex_lock(&p->sched_lock);
		ep->due = due - (p->back_s - back_s);
		ep->back_seen = p->back_s;
		if (due <= now_clock(p) && !p->stopping) {
			/* Due again already (a short interval on a fast clock): back in line at
			 * once rather than at the scheduler's next scan. */
			p->ready[(p->ready_head + p->ready_len) % p->n_devs] = idx;
			p->ready_len++;
		} else {
			ep->busy = 0;
		}
	}
	pthread_mutex_unlock(&p->sched_lock);
	if (low >= 0)
		close(low);
	return NULL;
}

/* Hands every due, idle endpoint to the workers. The scan is linear: at 1,000 endpoints and
 * ten scans a second it costs microseconds, and it needs no heap to keep consistent. */
static void *scheduler_main(void *arg)
{
	struct poller *p = arg;
	double last_t = now_clock(p), last_mono = clock_monotonic_now();
	for (;;) {
		double t = now_clock(p), mono = clock_monotonic_now();
		p->heartbeat = mono;
		/* The wall clock moved by more than the time that passed: an NTP step. */
		double jump = (t - last_t) - (mono - last_mono) * clock_rate(p->clk);
		int jumped = fabs(jump) > 2.0 * clock_rate(p->clk);
		if (jumped)
			log_warn("the clock jumped %s by %.0f s; polling goes on from the new time",
				 jump < 0 ? "back" : "forward", fabs(jump));
		last_t = t;
		last_mono = mono;
		pthread_mutex_lock(&p->sched_lock);
		if (p->stopping) {
			pthread_mutex_unlock(&p->sched_lock);
			break;
		}
		if (jumped && jump < 0)
			p->back_s += -jump;
		int handed = 0;
		for (size_t i = 0; i < p->n_eps; i++) {
			struct endpoint *ep = &p->eps[i];
			/* A busy endpoint's worker moves its due time when it is done. */
			if (!ep->busy && ep->back_seen < p->back_s) {
				ep->due -= p->back_s - ep->back_seen;
				ep->back_seen = p->back_s;
			}
			if (ep->busy || ep->due > t)
				continue;
			ep->busy = 1;
			p->ready[(p->ready_head + p->ready_len) % p->n_devs] = i;
			p->ready_len++;
			handed++;
		}
		if (handed)
			pthread_cond_broadcast(&p->sched_cond);
		pthread_mutex_unlock(&p->sched_lock);
		sleep_real_ms(50);
	}
	return NULL;
}

/* ---- the writer ---- */

static void put_diag(struct poller *p, const struct pdev *d)
{
	struct store_diag diag;
	char last_error[128];
	pthread_mutex_lock(&p->live_lock);
	diag.requests = d->live.requests;
	diag.errors = d->live.errors;
	diag.timeouts = d->live.timeouts;
	diag.last_success = d->live.last_ok_ts;
	diag.rtt_ms = d->live.rtt_ms;
	memcpy(last_error, d->live.last_error, sizeof last_error);
	pthread_mutex_unlock(&p->live_lock);
	diag.last_error = last_error;
	store_diag_put(p->store, d->db_id, &diag);
}

/* Link bytes taken from the poller for one transaction, put back if it fails. */
struct linktake {
	struct endpoint *ep;
	struct pdev *d; /* NULL: the connection's own bytes */
	struct linkacc acc;
};

/* Takes every link counter waiting (into *out, n entries, the caller frees it). */
static size_t take_links(struct poller *p, struct linktake **out)
{
	size_t cap = 2 * (p->n_devs + p->n_eps), n = 0;
	struct linktake *t = xcalloc(cap ? cap : 1, sizeof *t);
	pthread_mutex_lock(&p->live_lock);
	for (size_t e = 0; e < p->n_eps; e++) {
		struct endpoint *ep = &p->eps[e];
		for (size_t i = 0; i <= ep->n_devs; i++) {
			struct pdev *d = i < ep->n_devs ? ep->devs[i] : NULL;
			struct linkacc *acc = d ? d->link : ep->conn;
			for (int k = 0; k < 2; k++) {
				if (!acc[k].bytes && !acc[k].polls)
					continue;
				t[n++] = (struct linktake){.ep = ep, .d = d, .acc = acc[k]};
				memset(&acc[k], 0, sizeof acc[k]);
			}
		}
	}
	pthread_mutex_unlock(&p->live_lock);
	*out = t;
	return n;
}

/* Gives back counters taken for a transaction that did not commit. */
static void put_back_links(struct poller *p, const struct linktake *t, size_t n)
{
	pthread_mutex_lock(&p->live_lock);
	for (size_t i = 0; i < n; i++)
		linkacc_add(t[i].d ? t[i].d->link : t[i].ep->conn, t[i].acc.day, t[i].acc.bytes,
			    t[i].acc.polls);
	pthread_mutex_unlock(&p->live_lock);
}

/* Adds the taken counters to the store inside the caller's transaction; 0 or negative. */
static int write_links(struct poller *p, const struct linktake *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pthread_mutex_lock(&p->live_lock);
		double interval = t[i].d ? t[i].ep->interval_s : 0;
		pthread_mutex_unlock(&p->live_lock);
		if (store_link_add(p->store, t[i].ep->name, t[i].d ? t[i].d->db_id : 0,
				   t[i].acc.day, t[i].acc.bytes, t[i].acc.polls, interval) != 0)
			return -1;
	}
	return 0;
}

/* A batch takes what is queued, up to a limit of rows and of time, in one transaction, and
 * writes each device's rollup rows and energy state once. Both limits bound how long the
 * writer holds the database's write lock, which the daemon's other writes and the
 * command-line tool wait for: 256 rows are a few milliseconds of SQLite, so even a writer that
 * gets 2% of a core (nice 19 on a saturated machine) holds the lock a fraction of a second;
 * the time limit, checked as rows are added, ends a batch early when it gets less. Larger
 * batches gained little: at a 60 s interval a batch rarely holds one device twice, and flat
 * out each of 10,000 devices appears once in a batch of any size below that. */
enum { WRITER_BATCH_MAX = 256, WRITER_PAUSE_MS = 5 };
#define WRITER_BATCH_S 0.1

/* Commits the n rows just peeked (or those of them added before the time limit) in one
 * transaction: the raw rows, rollups and energy states of a batch commit together or not at
 * all, which is what keeps energy counted once across a kill. Sets *taken to the rows it
 * holds. On failure (a full disk, a locked database) the rows stay queued and are retried,
 * so nothing polled is lost while the problem lasts. */
static int write_batch(struct poller *p, struct store_batch *b, const struct pollqueue_row *rows,
		       size_t n, size_t *taken, char *why, size_t whylen)
{
	struct linktake *link = NULL;
	size_t links = 0;
	*taken = 0;
	if (store_begin(p->store) != 0) {
		snprintf(why, whylen, "%s", store_errmsg(p->store));
		return -1;
	}
	double until = clock_monotonic_now() + WRITER_BATCH_S;
	size_t i;
	for (i = 0; i < n; i++) {
		if (i % 16 == 15 && clock_monotonic_now() >= until)
			break;
		const struct pollqueue_row *w = &rows[i];
		struct store_reading sr = {.device_id = w->device_id,
					   .station = w->station,
					   .ts = w->ts,
					   .utc_offset_s = p->cfg->utc_offset_s,
					   .v = &w->values,
					   .quality = w->quality,
					   .rejected = w->rejected,
					   .delta_wh = w->delta_wh,
					   .ghi_wh_m2 = w->ghi_wh_m2,
					   .poa_wh_m2 = w->poa_wh_m2,
					   .energy = &w->energy};
		if (store_batch_add(b, &sr) != 0)
			goto fail;
	}
	if (store_batch_flush(b) != 0)
		goto fail;
	/* The link counters ride along: a transaction per poll would cost more than the poll. */
	links = take_links(p, &link);
	if (write_links(p, link, links) != 0)
		goto fail;
	if (store_commit(p->store) != 0) {
		snprintf(why, whylen, "commit failed");
		put_back_links(p, link, links);
		free(link);
		return -1;
	}
	free(link);
	*taken = i;
	return 0;
fail:
	/* The reason, before the rollback replaces it with "not an error". */
	snprintf(why, whylen, "%s", store_errmsg(p->store));
	store_rollback(p->store);
	store_batch_clear(b);
	put_back_links(p, link, links);
	free(link);
	return -1;
}

/* Stores every device's diagnostics, WRITER_BATCH_MAX devices per transaction for the same
 * reason as the batches. Diagnostics are a snapshot: a failed part is simply written again
 * next time. */
static void write_diag(struct poller *p)
{
	for (size_t from = 0; from < p->n_devs; from += WRITER_BATCH_MAX) {
		size_t to =
		    from + WRITER_BATCH_MAX < p->n_devs ? from + WRITER_BATCH_MAX : p->n_devs;
		if (store_begin(p->store) != 0)
			return;
		for (size_t i = from; i < to; i++)
			put_diag(p, &p->devs[i]);
		/* Link counters of polls that stored no reading (every device failing). */
		struct linktake *link = NULL;
		size_t links = from == 0 ? take_links(p, &link) : 0;
		if (write_links(p, link, links) != 0) {
			store_rollback(p->store);
			put_back_links(p, link, links);
			free(link);
			return;
		}
		if (store_commit(p->store) != 0) {
			put_back_links(p, link, links);
			free(link);
			return;
		}
		free(link);
	}
}

/* Sleeps ms of real time unless the poller is told to stop meanwhile, so that a writer
 * backing off from a full disk does not hold up a reload or a shutdown. */
static void writer_backoff(struct poller *p, int ms)
{
	for (int slept = 0; slept < ms; slept += 100) {
		pthread_mutex_lock(&p->sched_lock);
		int stopping = p->stopping;
		pthread_mutex_unlock(&p->sched_lock);
		if (stopping)
			return;
		sleep_real_ms(100);
	}
}

/* Polling keeps time with the devices; writing may lag behind it. When both cannot have a
 * core, the writer yields (the queue is bounded and folds rows without losing energy) and
 * catches up when the load drops: it runs at the lowest nice value (Linux sets one per
 * thread). Not SCHED_IDLE, which polled a few points faster flat out: a thread holding the
 * database's write lock must not be starved, or the daemon's other writes and the
 * command-line tool's wait behind it (tools/bench/poll shows the longest wait). */
static void lower_writer_priority(void)
{
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19) != 0)
		log_debug("poller: cannot lower the writer thread's priority");
}

static void *writer_main(void *arg)
{
	struct poller *p = arg;
	lower_writer_priority();
	/* Named, so that top -H and perf show what the writer costs. */
	prctl(PR_SET_NAME, "pvr-writer", 0, 0, 0);
	double next_diag = clock_monotonic_now() + 30, next_prune = 0, backoff = 1;
	int failing = 0;
	struct store_batch *batch = store_batch_new(p->store);
	for (;;) {
		int stopping;
		pthread_mutex_lock(&p->sched_lock);
		stopping = p->stopping;
		pthread_mutex_unlock(&p->sched_lock);
		size_t n;
		struct pollqueue_row *rows =
		    pollqueue_peek(p->queue, WRITER_BATCH_MAX, stopping ? 0 : 1000, &n);
		double mono = clock_monotonic_now();
		if (mono >= next_diag) {
			write_diag(p);
			next_diag = mono + 30;
		}
		if (n > 0) {
			char why[160];
			size_t taken;
			if (write_batch(p, batch, rows, n, &taken, why, sizeof why) == 0) {
				pollqueue_drop(p->queue, taken);
				atomic_fetch_add(&p->rows_written, taken);
				if (failing)
					log_info(
					    "database %s: writing again; %zu readings caught up",
					    p->cfg->database.path, taken);
				failing = 0;
				backoff = 1;
				/* Catching up, batch follows batch: a pause leaves the write lock
				 * free for the daemon's other writes and the command-line tool,
				 * whose connections try for it every few milliseconds. */
				if (pollqueue_length(p->queue) > 0 && !stopping)
					sleep_real_ms(WRITER_PAUSE_MS);
			} else {
				atomic_fetch_add(&p->write_failures, 1);
				if (!failing++)
					log_err(
					    "database %s: cannot store readings (%s); keeping %zu "
					    "in memory and retrying",
					    p->cfg->database.path, why, pollqueue_length(p->queue));
				if (stopping)
					break;
				writer_backoff(p, (int)(backoff * 1000));
				backoff = fmin(backoff * 2, 30);
				continue;
			}
		}
		if (stopping && pollqueue_length(p->queue) == 0)
			break;
		double t = now_clock(p);
		if (t >= next_prune) {
			long gone = store_readings_prune(
			    p->store, t - p->cfg->database.retention_days * 86400.0);
			if (gone > 0)
				log_info("database %s: removed %ld raw readings older than %d days",
					 p->cfg->database.path, gone,
					 p->cfg->database.retention_days);
			next_prune = t + 3600;
		}
	}
	if (pollqueue_length(p->queue) > 0)
		log_warn("database %s: %zu readings not stored when polling stopped",
			 p->cfg->database.path, pollqueue_length(p->queue));
	/* The link bytes of the last polls (those that stored no reading too), so that a
	 * reload or a stop loses none. */
	write_diag(p);
	store_batch_free(batch);
	return NULL;
}

/* ---- handing unwritten readings across a reload ---- */

struct pollqueue *poller_take_pending(struct poller *p)
{
	if (!p || pollqueue_length(p->queue) == 0)
		return NULL;
	struct pollqueue *q = p->queue;
	p->queue = pollqueue_new();
	return q;
}

void poller_adopt_pending(struct poller *p, struct pollqueue *q)
{
	size_t n, kept = 0, dropped = 0;
	if (!q)
		return;
	struct pollqueue_row *rows = pollqueue_peek(q, pollqueue_length(q), 0, &n);
	for (size_t i = 0; i < n; i++) {
		struct pollqueue_row row = rows[i];
		struct pdev *d = NULL;
		for (size_t k = 0; k < p->n_devs && !d; k++)
			if (p->devs[k].db_id == row.device_id)
				d = &p->devs[k];
		if (!d) {
			dropped++;
			continue;
		}
		/* The row's station name belonged to the previous configuration. */
		row.station = d->st->id;
		d->energy = row.energy;
		char day[11];
		store_local_day(row.ts, p->cfg->utc_offset_s, day);
		if (strcmp(day, d->day) == 0)
			d->live.energy_today_wh += row.delta_wh;
		pollqueue_push(p->queue, &row);
		kept++;
	}
	pollqueue_free(q);
	if (kept)
		log_info("database %s: %zu readings not yet stored are kept for the writer",
			 p->cfg->database.path, kept);
	if (dropped)
		log_warn("database %s: %zu readings not yet stored belong to devices no longer "
			 "configured and are dropped",
			 p->cfg->database.path, dropped);
}

/* ---- control ---- */

int poller_start(struct poller *p)
{
	double t = now_clock(p);
	/* Spread the first visits over a few seconds so a thousand gateways are not all
	 * dialled in the same instant. */
	for (size_t i = 0; i < p->n_eps; i++)
		p->eps[i].due =
		    t + (p->n_eps > 1 ? (double)i / (double)p->n_eps : 0) *
			    fmin(5.0 * clock_rate(p->clk), p->cfg->polling.fast_interval_s);
	p->n_workers = p->cfg->polling.workers;
	if ((size_t)p->n_workers > p->n_eps)
		p->n_workers = (int)p->n_eps;
	p->workers = xcalloc((size_t)p->n_workers, sizeof *p->workers);
	p->heartbeat = clock_monotonic_now();
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&p->writer, &attr, writer_main, p) != 0)
		goto fail;
	p->started = 1;
	for (int i = 0; i < p->n_workers; i++)
		if (pthread_create(&p->workers[i], &attr, worker_main, p) != 0) {
			p->n_workers = i;
			pthread_attr_destroy(&attr);
			poller_stop(p);
			return -1;
		}
	if (pthread_create(&p->scheduler, &attr, scheduler_main, p) != 0) {
		pthread_attr_destroy(&attr);
		poller_stop(p);
		return -1;
	}
	p->started = 2;
	pthread_attr_destroy(&attr);
	log_info("polling %zu devices on %zu endpoints with %d workers", p->n_devs, p->n_eps,
		 p->n_workers);
	return 0;
fail:
	pthread_attr_destroy(&attr);
	log_err("cannot start polling threads");
	return -1;
}

void poller_stop(struct poller *p)
{
	if (!p || !p->started)
		return;
	pthread_mutex_lock(&p->sched_lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->sched_cond);
	pthread_mutex_unlock(&p->sched_lock);
	if (p->started == 2)
		pthread_join(p->scheduler, NULL);
	for (int i = 0; i < p->n_workers; i++)
		pthread_join(p->workers[i], NULL);
	pollqueue_wake(p->queue);
	pthread_join(p->writer, NULL);
	p->started = 0;
}

/* ---- views ---- */

static enum poller_state station_state(size_t devices, size_t online, size_t unpolled,
				       size_t faults, int night, double power_w)
{
	if (faults)
		return POLLER_ST_FAULT;
	if (night && power_w <= 0)
		return POLLER_ST_NIGHT;
	if (online == 0)
		return unpolled ? POLLER_ST_CONNECTING : POLLER_ST_OFFLINE;
	if (online < devices)
		return POLLER_ST_PARTIAL;
	return power_w > 0 ? POLLER_ST_PRODUCING : POLLER_ST_IDLE;
}

size_t poller_snapshot(struct poller *p, struct poller_station_live *out, size_t cap)
{
	size_t n = p->cfg->n_stations < cap ? p->cfg->n_stations : cap;
	size_t *faults = xcalloc(n ? n : 1, sizeof *faults);
	size_t *unpolled = xcalloc(n ? n : 1, sizeof *unpolled);
	memset(out, 0, n * sizeof *out);
	for (size_t s = 0; s < n; s++)
		out[s].station = s;
	pthread_mutex_lock(&p->live_lock);
	for (size_t i = 0; i < p->n_devs; i++) {
		const struct pdev *d = &p->devs[i];
		if (d->station >= n)
			continue;
		struct poller_station_live *s = &out[d->station];
		const struct reading *r = &d->live.last;
		if (d->cfg->role == CONFIG_INVERTER) {
			s->devices++;
			s->energy_today_wh += d->live.energy_today_wh;
			unpolled[d->station] += !d->live.polled;
		}
		if (d->live.last_ts > s->updated)
			s->updated = d->live.last_ts;
		if (!d->live.online)
			continue;
		if (d->cfg->role == CONFIG_INVERTER) {
			s->online++;
			if (reading_has(r, RF_POWER_W))
				s->power_w += r->value[RF_POWER_W];
			if (reading_has(r, RF_STATE) && r->state == INV_STATE_FAULT)
				faults[d->station]++;
		} else if (reading_has(r, RF_POA_W_M2)) {
			s->has_irradiance = 1;
			s->irradiance_w_m2 = r->value[RF_POA_W_M2];
		} else if (reading_has(r, RF_GHI_W_M2)) {
			s->has_irradiance = 1;
			s->irradiance_w_m2 = r->value[RF_GHI_W_M2];
		}
	}
	pthread_mutex_unlock(&p->live_lock);
	double t = now_clock(p);
	for (size_t s = 0; s < n; s++)
		out[s].state = station_state(out[s].devices, out[s].online, unpolled[s], faults[s],
					     sun_below(p, &p->cfg->stations[s], t), out[s].power_w);
	free(faults);
	free(unpolled);
	return n;
}

size_t poller_device_snapshot(struct poller *p, struct poller_device_live *out, size_t cap)
{
	size_t n = p->n_devs < cap ? p->n_devs : cap;
	pthread_mutex_lock(&p->live_lock);
	for (size_t i = 0; i < n; i++)
		out[i] = p->devs[i].live;
	pthread_mutex_unlock(&p->live_lock);
	return n;
}

void poller_get_stats(struct poller *p, struct poller_stats *out)
{
	out->device_polls = atomic_load(&p->device_polls);
	out->device_ok = atomic_load(&p->device_ok);
	out->device_failed = atomic_load(&p->device_failed);
	out->requests = atomic_load(&p->requests);
	out->rows_written = atomic_load(&p->rows_written);
	out->rows_pending = pollqueue_length(p->queue);
	out->write_failures = atomic_load(&p->write_failures);
	out->open_connections = atomic_load(&p->open_connections);
	out->max_fd = atomic_load(&p->max_fd);
}

double poller_heartbeat(struct poller *p)
{
	return p->heartbeat;
}

const char *poller_state_name(enum poller_state s)
{
	static const char *const names[] = {"unknown", "producing", "idle",  "night",
					    "partial", "offline",   "fault", "connecting"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}
