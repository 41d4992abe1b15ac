#include "pvrelief/pollqueue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/xalloc.h"

struct pollqueue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pollqueue_row *ring;
	size_t cap, head, len;
	uint64_t head_seq; /* sequence number of the row at the head */
	size_t peeked;	   /* rows at the head the consumer holds copies of */
	struct pollqueue_row *out;
	size_t out_cap;
	uint64_t merged;
	/* Per device id: 1 + sequence number of its newest queued row (0: none). */
	uint64_t *latest;
	size_t n_latest;
};

struct pollqueue *pollqueue_new(void)
{
	struct pollqueue *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	/* Waits are measured on the monotonic clock: a wall clock stepped back would
	 * otherwise hold the writer for as long as the step. */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &ca);
	pthread_condattr_destroy(&ca);
	q->cap = 1024;
	q->ring = xcalloc(q->cap, sizeof *q->ring);
	return q;
}

void pollqueue_free(struct pollqueue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q->ring);
	free(q->out);
	free(q->latest);
	free(q);
}

static struct pollqueue_row *at(struct pollqueue *q, size_t i)
{
	return &q->ring[(q->head + i) % q->cap];
}

/* Called when full. The ring doubles up to the cap, then (for the rows past the cap that
 * could not be folded, at most one a device) grows by a quarter. A large ring is resized in
 * place by the allocator (mremap) rather than copied into a new one, so that growing while
 * the writer lags does not briefly hold the queue twice over; only the rows that wrapped round
 * to the front move, to just after the old end, which keeps them in order. */
static void grow(struct pollqueue *q)
{
	size_t old = q->cap, cap = old < POLLQUEUE_CAP ? 2 * old : old + old / 4;
	if (old < POLLQUEUE_CAP && cap > POLLQUEUE_CAP)
		cap = POLLQUEUE_CAP;
	q->ring = xrealloc(q->ring, cap * sizeof *q->ring);
	q->cap = cap;
	size_t wrapped = q->head, room = cap - old;
	if (wrapped <= room) {
		memcpy(q->ring + old, q->ring, wrapped * sizeof *q->ring);
	} else {
		/* More wrapped rows than new room: move the tail part (head..old) up to the
		 * new end instead, which keeps order as well. */
		size_t tail = old - q->head;
		memmove(q->ring + cap - tail, q->ring + q->head, tail * sizeof *q->ring);
		q->head = cap - tail;
	}
}

static uint64_t *latest_slot(struct pollqueue *q, int64_t device_id)
{
	if (device_id < 0)
		return NULL;
	if ((size_t)device_id >= q->n_latest) {
		size_t n = (size_t)device_id + 64;
		q->latest = xrealloc(q->latest, n * sizeof *q->latest);
		memset(q->latest + q->n_latest, 0, (n - q->n_latest) * sizeof *q->latest);
		q->n_latest = n;
	}
	return &q->latest[device_id];
}

/* When full, the new row is folded into the same device's newest queued row (if the
 * consumer does not hold it): that row takes the new reading, time and energy state and
 * adds the increments, so the device's totals and order are kept and only the raw detail of
 * the older reading is lost. Returns 0 when folded. */
static int fold(struct pollqueue *q, const struct pollqueue_row *row, uint64_t *slot)
{
	if (!slot || *slot == 0)
		return -1;
	uint64_t seq = *slot - 1;
	if (seq < q->head_seq + q->peeked)
		return -1;
	struct pollqueue_row *l = at(q, (size_t)(seq - q->head_seq));
	double delta = l->delta_wh, ghi = l->ghi_wh_m2, poa = l->poa_wh_m2;
	unsigned quality = l->quality;
	*l = *row;
	l->delta_wh += delta;
	l->ghi_wh_m2 += ghi;
	l->poa_wh_m2 += poa;
	l->quality |= quality;
	q->merged++;
	return 0;
}

void pollqueue_push(struct pollqueue *q, const struct pollqueue_row *row)
{
	pthread_mutex_lock(&q->lock);
	uint64_t *slot = latest_slot(q, row->device_id);
	if (q->len < POLLQUEUE_CAP || fold(q, row, slot) != 0) {
		if (q->len == q->cap)
			grow(q);
		*at(q, q->len) = *row;
		if (slot)
			*slot = q->head_seq + q->len + 1;
		q->len++;
	}
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

/* Copies up to max rows from the first one not yet peeked; called with the lock held. */
static struct pollqueue_row *copy_out(struct pollqueue *q, size_t max, size_t *n)
{
	size_t left = q->len - q->peeked;
	size_t take = left < max ? left : max;
	if (take > q->out_cap) {
		q->out_cap = take;
		q->out = xrealloc(q->out, take * sizeof *q->out);
	}
	for (size_t i = 0; i < take; i++)
		q->out[i] = *at(q, q->peeked + i);
	q->peeked += take;
	*n = take;
	return q->out;
}

struct pollqueue_row *pollqueue_peek(struct pollqueue *q, size_t max, int wait_ms, size_t *n)
{
	pthread_mutex_lock(&q->lock);
	if (q->len == 0 && wait_ms > 0) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&q->cond, &q->lock, &until);
	}
	q->peeked = 0;
	struct pollqueue_row *out = copy_out(q, max, n);
	pthread_mutex_unlock(&q->lock);
	return out;
}

void pollqueue_drop(struct pollqueue *q, size_t n)
{
	pthread_mutex_lock(&q->lock);
	if (n > q->len)
		n = q->len;
	q->head = (q->head + n) % q->cap;
	q->head_seq += n;
	q->len -= n;
	q->peeked = 0;
	/* Emptied, the ring starts again at its front: the memory it touches stays as small as
	 * the longest the queue has been, not the whole of a ring once grown. */
	if (q->len == 0)
		q->head = 0;
	pthread_mutex_unlock(&q->lock);
}

size_t pollqueue_length(struct pollqueue *q)
{
	pthread_mutex_lock(&q->lock);
	size_t n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}

uint64_t pollqueue_merged(struct pollqueue *q)
{
	pthread_mutex_lock(&q->lock);
	uint64_t m = q->merged;
	pthread_mutex_unlock(&q->lock);
	return m;
}

void pollqueue_wake(struct pollqueue *q)
{
	pthread_mutex_lock(&q->lock);
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}
