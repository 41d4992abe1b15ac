#include "pvrelief/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pvrelief/xalloc.h"

struct clock {
	int simulated;
	double start_unix, rate, anchor_unix;
};

struct clock *clock_new_real(void)
{
	struct clock *c = xcalloc(1, sizeof *c);
	c->rate = 1.0;
	return c;
}

struct clock *clock_new_simulated(double start_unix, double rate, double anchor_unix)
{
	struct clock *c = xcalloc(1, sizeof *c);
	c->simulated = 1;
	c->start_unix = start_unix;
	c->rate = rate;
	c->anchor_unix = anchor_unix;
	return c;
}

void clock_free(struct clock *c)
{
	free(c);
}

double clock_wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double clock_monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double clock_now(const struct clock *c)
{
	double wall = clock_wall_now();
	if (!c->simulated)
		return wall;
	return c->start_unix + (wall - c->anchor_unix) * c->rate;
}

double clock_rate(const struct clock *c)
{
	return c->rate;
}

double clock_to_real_s(const struct clock *c, double clock_s)
{
	return clock_s / c->rate;
}
