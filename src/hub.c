/* The province hub: ingest of uplink messages and the province's answers.
 *
 * Ingest goes through an inbox, a journal file the hub appends each message to before it tells
 * paho the message is handled (paho then acknowledges it to the broker), and from which one
 * writer thread stores messages into the database in batches, one transaction each, with the
 * journal offset they reach in the same transaction. Committing each message before its
 * acknowledgement, as paho's receiving thread would need (it reads the next message only
 * after the handler returned), costs a transaction per message and holds the hub to a fifth
 * of what the broker delivers; the journal makes the acknowledgement wait for one write
 * instead. A SIGKILL at any point leaves each message in the database, or in the journal past
 * the committed offset (stored again at the next start: the store is idempotent), or not yet
 * acknowledged (the broker sends it again). A record cut short by the kill was never
 * acknowledged, and is dropped at the start. The journal is written without fsync, as paho's
 * own persistence is: it survives a killed process, not a power cut of the machine. */
#include "pvrelief/hub.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/log.h"
#include "pvrelief/publish_uplink.h"
#include "pvrelief/store.h"
#include "pvrelief/store_hub.h"
#include "pvrelief/xalloc.h"

enum {
	HUB_BATCH = 4096,			/* messages per transaction at most */
	HUB_QUEUE_MAX_BYTES = 64 * 1024 * 1024, /* the handler waits above this */
	HUB_ROTATE_BYTES = 16 * 1024 * 1024,	/* an idle journal this long is emptied */
	HUB_RETRY_MS = 500,			/* after the database failed a batch */
};

#define HUB_INBOX_MAGIC 0x49485650u /* "PVHI" */
#define HUB_OFFSET_KEY "hub.inbox.done"

/* One journal record: its header, then the topic and the payload. */
struct rec_head {
	uint32_t magic, topic_len, payload_len, pad;
	double now;
};

struct msg {
	struct msg *next;
	char *topic, *payload; /* NUL-terminated */
	size_t len;
	double now;
	int64_t end; /* the journal's length once this record is in it */
};

struct hub {
	struct store *st;
	char *prefix;
	char *db_path, *inbox_path;
	int fd;
	int64_t appended; /* the journal's length */

	pthread_mutex_t mu;
	pthread_cond_t cv, room;
	struct msg *head, *tail;
	size_t queued_bytes;
	int stopping, started;
	pthread_t writer;
	struct hub_stats stats;
	/* The county whose last_seen the open batch wrote last, and when (whole seconds): a
	 * county sends many messages a second, and one row update a second says as much. */
	char seen_county[64];
	long long seen_s;
};

/* Stores one message in the open transaction: 1 written, 0 stale, -1 database error, -2
 * refused (logged). */
static int store_one(struct hub *h, const char *topic, const char *payload, size_t len, double now);

/* Stores msgs in one transaction with the journal offset they reach; 0 or -1 (rolled back). */
static int store_batch(struct hub *h, struct msg *const *msgs, size_t n, int64_t end,
		       struct hub_stats *add)
{
	struct hub_stats s = {0};
	h->seen_county[0] = '\0';
	if (store_begin(h->st) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc = store_one(h, msgs[i]->topic, msgs[i]->payload, msgs[i]->len, msgs[i]->now);
		if (rc == -1) {
			store_rollback(h->st);
			return -1;
		}
		if (rc == 1)
			s.stored++;
		else if (rc == 0)
			s.stale++;
		else
			s.refused++;
	}
	char off[32];
	snprintf(off, sizeof off, "%lld", (long long)end);
	if (store_meta_set(h->st, HUB_OFFSET_KEY, off) != 0 || store_commit(h->st) != 0) {
		store_rollback(h->st);
		return -1;
	}
	add->stored += s.stored;
	add->stale += s.stale;
	add->refused += s.refused;
	return 0;
}

static void free_msg(struct msg *m)
{
	free(m->topic);
	free(m->payload);
	free(m);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Empties the journal once everything in it is committed: the offset goes to 0 first, so a
 * kill between the two stores the journal again, which changes nothing. Called with mu held
 * and the queue empty. */
static void rotate(struct hub *h)
{
	if (store_begin(h->st) != 0 || store_meta_set(h->st, HUB_OFFSET_KEY, "0") != 0 ||
	    store_commit(h->st) != 0) {
		store_rollback(h->st);
		return;
	}
	if (ftruncate(h->fd, 0) != 0) {
		log_err("hub: cannot empty the inbox %s: %s", h->inbox_path, strerror(errno));
		return;
	}
	h->appended = 0;
}

static void *writer_main(void *arg)
{
	struct hub *h = arg;
	struct msg **batch = xcalloc(HUB_BATCH, sizeof *batch);
	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->head && !h->stopping)
			pthread_cond_wait(&h->cv, &h->mu);
		if (!h->head)
			break;
		/* The batch stays in the queue until it is committed: the handler only appends. */
		size_t n = 0;
		for (struct msg *m = h->head; m && n < HUB_BATCH; m = m->next)
			batch[n++] = m;
		int64_t end = batch[n - 1]->end;
		pthread_mutex_unlock(&h->mu);
		struct hub_stats add = {0};
		int rc = store_batch(h, batch, n, end, &add);
		if (rc != 0) {
			log_err("hub: cannot store %zu messages in %s: %s; retrying", n, h->db_path,
				store_errmsg(h->st));
			sleep_ms(HUB_RETRY_MS);
			pthread_mutex_lock(&h->mu);
			/* Stopping: what is not stored stays in the inbox for the next start. */
			if (h->stopping)
				break;
			continue;
		}
		pthread_mutex_lock(&h->mu);
		h->stats.stored += add.stored;
		h->stats.stale += add.stale;
		h->stats.refused += add.refused;
		for (size_t i = 0; i < n; i++) {
			struct msg *m = h->head;
			h->head = m->next;
			h->queued_bytes -= m->len + strlen(m->topic);
			free_msg(m);
		}
		if (!h->head) {
			h->tail = NULL;
			if (h->appended >= HUB_ROTATE_BYTES)
				rotate(h);
		}
		pthread_cond_broadcast(&h->room);
	}
	if (!h->head && h->appended > 0)
		rotate(h);
	pthread_mutex_unlock(&h->mu);
	free(batch);
	return NULL;
}

/* Reads one record at off of the journal fd; returns its length, 0 at the end or at a
 * record cut short, negative on a read error. */
static ssize_t read_rec(int fd, int64_t off, struct msg *m)
{
	struct rec_head rh;
	ssize_t r = pread(fd, &rh, sizeof rh, off);
	if (r < 0)
		return -1;
	/* A header cut short, or one no handler wrote (MQTT caps a topic at 64 KiB and a
	 * payload at 256 MiB): the end of what was taken. */
	if ((size_t)r < sizeof rh || rh.magic != HUB_INBOX_MAGIC || rh.topic_len > 65535 ||
	    rh.payload_len > 256u * 1024 * 1024)
		return 0;
	size_t body = (size_t)rh.topic_len + rh.payload_len;
	char *buf = xmalloc(body + 2);
	r = pread(fd, buf, body, off + (int64_t)sizeof rh);
	if (r < 0 || (size_t)r < body) {
		free(buf);
		return r < 0 ? -1 : 0;
	}
	m->topic = xstrndup(buf, rh.topic_len);
	m->payload = xmalloc((size_t)rh.payload_len + 1);
	memcpy(m->payload, buf + rh.topic_len, rh.payload_len);
	m->payload[rh.payload_len] = '\0';
	m->len = rh.payload_len;
	m->now = rh.now;
	free(buf);
	return (ssize_t)(sizeof rh + body);
}

/* Stores what the journal holds past the committed offset (a previous run was killed), then
 * empties it. Returns 0 or -1. */
static int replay(struct hub *h)
{
	char buf[32];
	int64_t off = 0;
	if (store_meta_get(h->st, HUB_OFFSET_KEY, buf, sizeof buf) == 0)
		off = strtoll(buf, NULL, 10);
	struct stat sb;
	if (fstat(h->fd, &sb) != 0)
		return -1;
	if (off > (int64_t)sb.st_size)
		off = 0; /* the journal was emptied after the offset went to 0 */
	struct msg **batch = xcalloc(HUB_BATCH, sizeof *batch);
	size_t n = 0, total = 0;
	int rc = 0;
	for (;;) {
		struct msg *m = xcalloc(1, sizeof *m);
		ssize_t len = read_rec(h->fd, off, m);
		if (len > 0) {
			off += len;
			m->end = off;
			batch[n++] = m;
		} else {
			free(m);
			if (len < 0)
				rc = -1;
		}
		if (n > 0 && (n == HUB_BATCH || len <= 0)) {
			struct hub_stats add = {0};
			for (int tries = 0; store_batch(h, batch, n, off, &add) != 0; tries++) {
				if (tries == 20) {
					rc = -1;
					break;
				}
				sleep_ms(HUB_RETRY_MS);
			}
			h->stats.stored += add.stored;
			h->stats.stale += add.stale;
			h->stats.refused += add.refused;
			total += n;
			for (size_t i = 0; i < n; i++)
				free_msg(batch[i]);
			n = 0;
		}
		if (len <= 0 || rc != 0)
			break;
	}
	free(batch);
	if (rc != 0) {
		log_err("hub: cannot store what the inbox %s holds in %s: %s", h->inbox_path,
			h->db_path, store_errmsg(h->st));
		return -1;
	}
	if (total > 0)
		log_info("hub: stored %zu messages the inbox %s held from the last run", total,
			 h->inbox_path);
	/* What follows the last whole record was cut short by a kill and never acknowledged. */
	rotate(h);
	return h->appended == 0 ? 0 : -1;
}

struct hub *hub_new(const char *db_path, const char *prefix, const char *inbox_path)
{
	char err[512];
	struct store *st = store_open(db_path, STORE_LOCK, err, sizeof err);
	if (!st) {
		log_err("hub: %s", err);
		return NULL;
	}
	struct hub *h = xcalloc(1, sizeof *h);
	h->st = st;
	h->prefix = xstrdup(prefix);
	h->db_path = xstrdup(db_path);
	h->inbox_path = xstrdup(inbox_path);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	pthread_cond_init(&h->room, NULL);
	if (store_hub_tune(st) != 0)
		log_warn("hub: cannot tune %s for batches: %s", db_path, store_errmsg(st));
	h->fd = open(inbox_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (h->fd < 0) {
		log_err("hub: cannot open the inbox %s: %s", inbox_path, strerror(errno));
		hub_free(h);
		return NULL;
	}
	struct stat sb;
	h->appended = fstat(h->fd, &sb) == 0 ? (int64_t)sb.st_size : 0;
	if (replay(h) != 0) {
		hub_free(h);
		return NULL;
	}
	int rc = pthread_create(&h->writer, NULL, writer_main, h);
	if (rc != 0) {
		log_err("hub: cannot start its writer: %s", strerror(rc));
		hub_free(h);
		return NULL;
	}
	h->started = 1;
	return h;
}

void hub_free(struct hub *h)
{
	if (!h)
		return;
	if (h->started) {
		pthread_mutex_lock(&h->mu);
		h->stopping = 1;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->writer, NULL);
	}
	while (h->head) {
		struct msg *m = h->head;
		h->head = m->next;
		free_msg(m);
	}
	if (h->fd >= 0)
		close(h->fd);
	store_close(h->st);
	pthread_cond_destroy(&h->room);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h->prefix);
	free(h->db_path);
	free(h->inbox_path);
	free(h);
}

void hub_get_stats(struct hub *h, struct hub_stats *out)
{
	pthread_mutex_lock(&h->mu);
	*out = h->stats;
	pthread_mutex_unlock(&h->mu);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static double dbl(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int64_t integer(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static long count(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

/* Stores one parsed message of a county; 1 written, 0 stale, -1 database error, -2 bad. */
static int put(struct hub *h, const char *county, const char *type, const json_t *j)
{
	int64_t rev = integer(j, "rev");
	if (rev <= 0)
		return -2;
	if (strcmp(type, "day") == 0) {
		struct store_hub_day d = {
		    .county = county,
		    .station = str(j, "station"),
		    .day = str(j, "day"),
		    .energy_wh = dbl(j, "energy_wh"),
		    .e_act_wh = dbl(j, "e_act_wh"),
		    .eth_wh = dbl(j, "eth_wh"),
		    .eta = dbl(j, "eta"),
		    .pr = dbl(j, "pr"),
		    .coverage = dbl(j, "coverage"),
		    .curtailed_wh = dbl(j, "curtailed_wh"),
		    .curtail_loss_wh = dbl(j, "curtail_loss_wh"),
		    .basis = str(j, "basis"),
		    .source = str(j, "source"),
		    .grade = (int)integer(j, "grade"),
		    .judgeable = json_is_true(json_object_get(j, "judgeable")),
		};
		if (!*d.station || strlen(d.day) != 10)
			return -2;
		return store_hub_day_put(h->st, &d, rev);
	}
	if (strcmp(type, "month") == 0) {
		struct store_hub_month m = {
		    .county = county,
		    .station = str(j, "station"),
		    .month = str(j, "month"),
		    .energy_wh = dbl(j, "energy_wh"),
		    .eth_wh = dbl(j, "eth_wh"),
		    .eta = dbl(j, "eta"),
		    .grade = (int)integer(j, "grade"),
		};
		if (!*m.station || strlen(m.month) != 7)
			return -2;
		return store_hub_month_put(h->st, &m, rev);
	}
	if (strcmp(type, "alert") == 0) {
		struct store_hub_alert a = {
		    .county = county,
		    .event_id = integer(j, "event_id"),
		    .alert_id = integer(j, "alert_id"),
		    .type = str(j, "event"),
		    .kind = str(j, "kind"),
		    .severity = str(j, "severity"),
		    .station = str(j, "station"),
		    .device = str(j, "device"),
		    .title = str(j, "title"),
		    .at = dbl(j, "at"),
		    .raised_at = dbl(j, "raised_at"),
		};
		if (a.event_id <= 0 || !*a.type || !*a.kind || !isfinite(a.at))
			return -2;
		return store_hub_alert_put(h->st, &a, rev);
	}
	if (strcmp(type, "live") == 0) {
		struct store_hub_live l = {
		    .county = county,
		    .station = str(j, "station"),
		    .state = str(j, "state"),
		    .at = dbl(j, "sent_at"),
		    .power_w = dbl(j, "power_w"),
		    .energy_today_wh = dbl(j, "energy_today_wh"),
		    .devices = (long)integer(j, "devices"),
		    .online = (long)integer(j, "online"),
		};
		if (!*l.station || !isfinite(l.at))
			return -2;
		return store_hub_live_put(h->st, &l, rev);
	}
	if (strcmp(type, "ledger") == 0) {
		struct store_hub_ledger l = {
		    .county = county,
		    .hash = str(j, "hash"),
		    .seq = integer(j, "seq"),
		    .at = dbl(j, "sent_at"),
		    .rev = rev,
		};
		if (l.seq <= 0 || !*l.hash)
			return -2;
		return store_hub_ledger_put(h->st, &l);
	}
	if (strcmp(type, "kpi") == 0) {
		const json_t *meets = json_object_get(j, "meets_county_target");
		struct store_hub_kpi k = {
		    .county = county,
		    .month = str(j, "month"),
		    .until = dbl(j, "until"),
		    .stations = count(j, "stations"),
		    .stations_with_eta = count(j, "stations_with_eta"),
		    .stations_meeting_target = count(j, "stations_meeting_target"),
		    .energy_wh = dbl(j, "energy_wh"),
		    .e_act_wh = dbl(j, "e_act_wh"),
		    .eth_wh = dbl(j, "eth_wh"),
		    .eta = dbl(j, "eta"),
		    .eta_grade12 = dbl(j, "eta_grade12"),
		    .pr = dbl(j, "pr"),
		    .capability_pct = dbl(j, "capability_pct"),
		    .equivalent_hours = dbl(j, "equivalent_hours"),
		    .online_rate = dbl(j, "online_rate"),
		    .fault_rate = dbl(j, "fault_rate"),
		    .anomaly_rate = dbl(j, "anomaly_rate"),
		    .county_target = dbl(j, "county_target"),
		    .meets_target = json_is_boolean(meets) ? json_is_true(meets) : -1,
		    .worst_grade = (int)integer(j, "worst_grade"),
		};
		if (strlen(k.month) != 7)
			return -2;
		return store_hub_kpi_put(h->st, &k, rev);
	}
	if (strcmp(type, "registry") == 0) {
		const json_t *arr = json_object_get(j, "stations");
		if (!json_is_array(arr))
			return -2;
		size_t n = json_array_size(arr);
		struct store_hub_station *s = xcalloc(n ? n : 1, sizeof *s);
		for (size_t i = 0; i < n; i++) {
			const json_t *o = json_array_get(arr, i);
			s[i] = (struct store_hub_station){
			    .county = county,
			    .station = str(o, "id"),
			    .name = str(o, "name"),
			    .village = str(o, "village"),
			    .town = str(o, "town"),
			    .capacity_kwp = dbl(o, "capacity_kwp"),
			    .lat = dbl(o, "lat"),
			    .lon = dbl(o, "lon"),
			};
		}
		int rc = store_hub_registry(h->st, county, str(j, "county_name"), rev, s, n);
		free(s);
		return rc;
	}
	return -2;
}

static int store_one(struct hub *h, const char *topic, const char *payload, size_t len, double now)
{
	/* <prefix>/<county>/<type>: the broker's ACL lets a county write only under its own
	 * county segment, so that segment, not the payload, says whose message it is. */
	size_t pl = strlen(h->prefix);
	const char *county = topic + pl + 1;
	const char *slash =
	    strncmp(topic, h->prefix, pl) == 0 && topic[pl] == '/' ? strchr(county, '/') : NULL;
	if (!slash || slash == county) {
		log_warn("hub: message on %s is outside %s/<county>/...; ignored", topic,
			 h->prefix);
		return -2;
	}
	char *cty = xstrndup(county, (size_t)(slash - county));
	const char *type = slash + 1;
	json_error_t jerr;
	json_t *j = json_loadb(payload, len, 0, &jerr);
	int rc = -2;
	const char *why = "not a JSON object";
	if (json_is_object(j)) {
		if (strcmp(type, "status") == 0) {
			rc = -3;
		} else if (integer(j, "v") != PUBLISH_UPLINK_VERSION) {
			why = "an unknown version";
		} else if (strcmp(str(j, "county"), cty) != 0) {
			why = "another county in its payload";
		} else {
			rc = -3;
		}
	}
	if (rc == -3) {
		rc = 0;
		if (strcmp(cty, h->seen_county) != 0 || (long long)floor(now) != h->seen_s) {
			rc = store_hub_county_seen(h->st, cty, now) < 0 ? -1 : 0;
			snprintf(h->seen_county, sizeof h->seen_county, "%s", cty);
			h->seen_s = (long long)floor(now);
		}
		if (rc == 0)
			rc = strcmp(type, "status") == 0
				 ? store_hub_county_status(h->st, cty, str(j, "state"), now)
				 : put(h, cty, type, j);
		why = "missing or malformed fields";
	}
	if (rc == -2)
		log_warn("hub: message on %s has %s; ignored", topic, why);
	json_decref(j);
	free(cty);
	return rc;
}

int hub_ingest(struct hub *h, const char *topic, const char *payload, size_t len, double now)
{
	size_t tl = strlen(topic);
	struct rec_head rh = {HUB_INBOX_MAGIC, (uint32_t)tl, (uint32_t)len, 0, now};
	size_t total = sizeof rh + tl + len;
	char *rec = xmalloc(total);
	memcpy(rec, &rh, sizeof rh);
	memcpy(rec + sizeof rh, topic, tl);
	memcpy(rec + sizeof rh + tl, payload, len);
	pthread_mutex_lock(&h->mu);
	/* The writer is far behind: paho waits, the broker keeps the rest. */
	while (h->queued_bytes > HUB_QUEUE_MAX_BYTES && !h->stopping)
		pthread_cond_wait(&h->room, &h->mu);
	/* One write: a kill leaves the record whole or cut short, never interleaved. */
	size_t done = 0;
	while (done < total) {
		ssize_t w = write(h->fd, rec + done, total - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_err(
			    "hub: cannot write to the inbox %s: %s; the message will be offered "
			    "again",
			    h->inbox_path, w < 0 ? strerror(errno) : "nothing written");
			/* Cut back what part of the record went in, so the journal stays whole. */
			if (done > 0 && ftruncate(h->fd, h->appended) != 0)
				log_err("hub: cannot cut the inbox %s back: %s", h->inbox_path,
					strerror(errno));
			pthread_mutex_unlock(&h->mu);
			free(rec);
			return -1;
		}
		done += (size_t)w;
	}
	free(rec);
	h->appended += (int64_t)total;
	struct msg *m = xcalloc(1, sizeof *m);
	m->topic = xstrndup(topic, tl);
	m->payload = xmalloc(len + 1);
	memcpy(m->payload, payload, len);
	m->payload[len] = '\0';
	m->len = len;
	m->now = now;
	m->end = h->appended;
	if (h->tail)
		h->tail->next = m;
	else
		h->head = m;
	h->tail = m;
	h->queued_bytes += len + tl;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return 0;
}
