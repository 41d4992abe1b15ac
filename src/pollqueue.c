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
	size_t peeked; /* rows at the head the consumer holds copies of */
	struct pollqueue_row *out;
	size_t out_cap;
	uint64_t merged;
};

struct pollqueue *pollqueue_new(void)
{
	struct pollqueue *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
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
	free(q);
}

static struct pollqueue_row *at(struct pollqueue *q, size_t i)
{
	return &q->ring[(q->head + i) % q->cap];
}

static void grow(struct pollqueue *q)
{
	size_t ncap = q->cap * 2;
	struct pollqueue_row *n = xcalloc(ncap, sizeof *n);
	for (size_t i = 0; i < q->len; i++)
		n[i] = *at(q, i);
	free(q->ring);
	q->ring = n;
	q->cap = ncap;
	q->head = 0;
}

/* Merges the oldest row not held by the consumer into the next row of the same device.
 * Returns 0 when a row was merged away. */
static int merge_oldest(struct pollqueue *q)
{
	for (size_t i = q->peeked; i < q->len; i++) {
		struct pollqueue_row *old = at(q, i);
		for (size_t j = i + 1; j < q->len; j++) {
			struct pollqueue_row *next = at(q, j);
			if (next->device_id != old->device_id)
				continue;
			next->delta_wh += old->delta_wh;
			next->ghi_wh_m2 += old->ghi_wh_m2;
			next->poa_wh_m2 += old->poa_wh_m2;
			/* Close the gap by moving the later rows down; the consumer's rows at the
			 * head keep their places, so pollqueue_drop still removes exactly them. */
			for (size_t k = i; k + 1 < q->len; k++)
				*at(q, k) = *at(q, k + 1);
			q->len--;
			q->merged++;
			return 0;
		}
	}
	return -1;
}

void pollqueue_push(struct pollqueue *q, const struct pollqueue_row *row)
{
	pthread_mutex_lock(&q->lock);
	if (q->len >= POLLQUEUE_CAP)
		merge_oldest(q);
	if (q->len == q->cap)
		grow(q);
	*at(q, q->len) = *row;
	q->len++;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

struct pollqueue_row *pollqueue_peek(struct pollqueue *q, size_t max, int wait_ms, size_t *n)
{
	pthread_mutex_lock(&q->lock);
	if (q->len == 0 && wait_ms > 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&q->cond, &q->lock, &until);
	}
	size_t take = q->len < max ? q->len : max;
	if (take > q->out_cap) {
		q->out_cap = take;
		q->out = xrealloc(q->out, take * sizeof *q->out);
	}
	for (size_t i = 0; i < take; i++)
		q->out[i] = *at(q, i);
	q->peeked = take;
	*n = take;
	pthread_mutex_unlock(&q->lock);
	return q->out;
}

void pollqueue_drop(struct pollqueue *q, size_t n)
{
	pthread_mutex_lock(&q->lock);
	if (n > q->len)
		n = q->len;
	q->head = (q->head + n) % q->cap;
	q->len -= n;
	q->peeked = 0;
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
