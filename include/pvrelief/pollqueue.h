/* The queue of judged readings between the poller's workers and its writer. Bounded: when
 * the database cannot keep up (a full disk), a new row is folded into its device's newest
 * queued row, so energy and irradiation totals and each device's order are kept and only
 * raw detail is lost. */
#ifndef PVRELIEF_POLLQUEUE_H
#define PVRELIEF_POLLQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/energy.h"
#include "pvrelief/store.h"

struct pollqueue_row {
	int64_t device_id;
	const char *station; /* borrowed from the configuration */
	double ts;
	struct store_values values; /* what the store keeps of the reading */
	unsigned quality;
	int rejected;
	double delta_wh, ghi_wh_m2, poa_wh_m2;
	struct energy_state energy;
};

/* The most rows held before new ones are folded into older ones (plus at most one a device). */
#define POLLQUEUE_CAP 100000

struct pollqueue;

/* Returns an empty queue; free with pollqueue_free. */
struct pollqueue *pollqueue_new(void);
/* Frees a queue; accepts NULL. */
void pollqueue_free(struct pollqueue *q);
/* Appends a copy of row; never blocks. */
void pollqueue_push(struct pollqueue *q, const struct pollqueue_row *row);
/* Waits up to wait_ms for rows, then returns up to max of the oldest (a copy the queue
 * owns, valid until the next peek) with their count in *n; they stay queued until
 * pollqueue_drop. Only one consumer may peek. */
struct pollqueue_row *pollqueue_peek(struct pollqueue *q, size_t max, int wait_ms, size_t *n);
/* Removes the n oldest rows (after they were stored). */
void pollqueue_drop(struct pollqueue *q, size_t n);
/* Returns the number of rows queued. */
size_t pollqueue_length(struct pollqueue *q);
/* Returns how many rows were folded into others because the queue was full. */
uint64_t pollqueue_merged(struct pollqueue *q);
/* Wakes a consumer waiting in pollqueue_peek. */
void pollqueue_wake(struct pollqueue *q);

#endif
