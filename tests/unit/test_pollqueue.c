/* The result queue: order, peek/drop, and merging when full keeps every watt-hour. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/pollqueue.h"

static struct pollqueue_row row(int64_t dev, double ts, double delta)
{
	struct pollqueue_row r;
	memset(&r, 0, sizeof r);
	r.device_id = dev;
	r.ts = ts;
	r.delta_wh = delta;
	r.ghi_wh_m2 = delta / 100;
	return r;
}

int main(void)
{
	struct pollqueue *q = pollqueue_new();
	size_t n;
	for (int i = 0; i < 5; i++) {
		struct pollqueue_row r = row(i % 2, i, 10.0 * i);
		pollqueue_push(q, &r);
	}
	struct pollqueue_row *rows = pollqueue_peek(q, 3, 0, &n);
	CHECK_INT(n, 3);
	CHECK_NEAR(rows[0].ts, 0, 0);
	CHECK_NEAR(rows[2].ts, 2, 0);
	pollqueue_drop(q, 2);
	CHECK_INT(pollqueue_length(q), 3);
	rows = pollqueue_peek(q, 10, 0, &n);
	CHECK_INT(n, 3);
	CHECK_NEAR(rows[0].ts, 2, 0);
	pollqueue_drop(q, n);
	CHECK_INT(pollqueue_length(q), 0);

	/* A new peek starts again from the oldest row; only the drop removes rows. */
	for (int i = 0; i < 10; i++) {
		struct pollqueue_row r = row(i % 3, 100 + i, 1.0);
		pollqueue_push(q, &r);
	}
	rows = pollqueue_peek(q, 3, 0, &n);
	CHECK_INT(n, 3);
	rows = pollqueue_peek(q, 2, 0, &n);
	CHECK_INT(n, 2);
	CHECK_NEAR(rows[0].ts, 100, 0);
	pollqueue_drop(q, 10);
	CHECK_INT(pollqueue_length(q), 0);

	/* The ring grows while its rows wrap round past its end: order is kept. */
	for (int i = 0; i < 1000; i++) {
		struct pollqueue_row r = row(i % 5, i, 1.0);
		pollqueue_push(q, &r);
	}
	pollqueue_peek(q, 500, 0, &n);
	pollqueue_drop(q, n);
	for (int i = 1000; i < 3000; i++) {
		struct pollqueue_row r = row(i % 5, i, 1.0);
		pollqueue_push(q, &r);
	}
	rows = pollqueue_peek(q, 5000, 0, &n);
	CHECK_INT(n, 2500);
	int in_order = 1;
	for (size_t i = 0; i < n; i++)
		in_order &= rows[i].ts == 500.0 + (double)i;
	CHECK(in_order);
	pollqueue_drop(q, n);

	/* Fill past the cap with 100 devices while the consumer holds a batch: the length stays
	 * bounded and the energy of every device adds up to what was pushed. */
	double pushed[100] = {0}, kept[100] = {0}, ghi_pushed = 0, ghi_kept = 0;
	size_t total = POLLQUEUE_CAP + 5000;
	for (size_t i = 0; i < total; i++) {
		struct pollqueue_row r = row((int64_t)(i % 100), (double)i, (double)(i % 7) + 0.5);
		pushed[i % 100] += r.delta_wh;
		ghi_pushed += r.ghi_wh_m2;
		pollqueue_push(q, &r);
	}
	CHECK_INT(pollqueue_length(q), POLLQUEUE_CAP);
	CHECK_INT(pollqueue_merged(q), 5000);
	/* the newest row of device 7 carries the newest reading time */
	rows = pollqueue_peek(q, POLLQUEUE_CAP, 0, &n);
	double newest7 = 0;
	for (size_t i = 0; i < n; i++)
		if (rows[i].device_id == 7 && rows[i].ts > newest7)
			newest7 = rows[i].ts;
	CHECK_NEAR(newest7, (double)(total - 93), 0);
	/* while the consumer holds every row, nothing it holds is changed: rows go past the cap */
	struct pollqueue_row extra = row(7, (double)total, 1.0);
	pushed[7] += 1.0;
	ghi_pushed += extra.ghi_wh_m2;
	pollqueue_push(q, &extra);
	CHECK_INT(pollqueue_length(q), POLLQUEUE_CAP + 1);
	double last_ts[100];
	int ordered = 1;
	for (int d = 0; d < 100; d++)
		last_ts[d] = -1;
	while (pollqueue_length(q) > 0) {
		rows = pollqueue_peek(q, 4096, 0, &n);
		for (size_t i = 0; i < n; i++) {
			kept[rows[i].device_id] += rows[i].delta_wh;
			ghi_kept += rows[i].ghi_wh_m2;
			/* each device's rows stay in order */
			ordered &= rows[i].ts > last_ts[rows[i].device_id];
			last_ts[rows[i].device_id] = rows[i].ts;
		}
		pollqueue_drop(q, n);
	}
	CHECK(ordered);
	for (int d = 0; d < 100; d++)
		CHECK_NEAR(kept[d], pushed[d], 1e-6);
	CHECK_NEAR(ghi_kept, ghi_pushed, 1e-6);

	/* Past the cap the ring grows by a quarter. With more rows wrapped round to its front
	 * than a quarter (the consumer dropped 60,000 and the poller pushed as many again), the
	 * rows before the wrap move up to the new end instead: every row stays in order. */
	for (size_t i = 0; i < POLLQUEUE_CAP; i++) {
		struct pollqueue_row r = row((int64_t)i, (double)i, 1.0);
		pollqueue_push(q, &r);
	}
	pollqueue_peek(q, 60000, 0, &n);
	pollqueue_drop(q, n);
	for (size_t i = POLLQUEUE_CAP; i < POLLQUEUE_CAP + 60000; i++) {
		struct pollqueue_row r = row((int64_t)i, (double)i, 1.0);
		pollqueue_push(q, &r);
	}
	pollqueue_peek(q, POLLQUEUE_CAP, 0, &n); /* held, and each row a new device: none folds */
	for (size_t i = POLLQUEUE_CAP + 60000; i < POLLQUEUE_CAP + 90000; i++) {
		struct pollqueue_row r = row((int64_t)i, (double)i, 1.0);
		pollqueue_push(q, &r);
	}
	CHECK_INT(pollqueue_length(q), POLLQUEUE_CAP + 30000);
	rows = pollqueue_peek(q, 2 * POLLQUEUE_CAP, 0, &n);
	CHECK_INT(n, POLLQUEUE_CAP + 30000);
	in_order = 1;
	for (size_t i = 0; i < n; i++)
		in_order &= rows[i].ts == 60000.0 + (double)i;
	CHECK(in_order);
	pollqueue_drop(q, n);
	pollqueue_free(q);
	return check_summary();
}
