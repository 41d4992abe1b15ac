/* The replaceable clock: real time, and simulated time from a start at a rate, anchored so
 * that two processes given the same anchor agree. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "pvrelief/clock.h"
#include "pvrelief/clockopt.h"
#include "pvrelief/config.h"
#include "pvrelief/timefmt.h"

int main(void)
{
	struct clock *real = clock_new_real();
	CHECK_NEAR(clock_now(real), (double)time(NULL), 2.0);
	CHECK_NEAR(clock_rate(real), 1.0, 0);
	CHECK_NEAR(clock_to_real_s(real, 60), 60, 0);

	/* Anchored 100 real seconds ago at rate 60: 6000 simulated seconds have passed. */
	double wall = clock_wall_now();
	struct clock *sim = clock_new_simulated(1781989200.0, 60.0, wall - 100.0);
	CHECK_NEAR(clock_now(sim), 1781989200.0 + 6000.0, 60.0 * 0.5);
	CHECK_NEAR(clock_to_real_s(sim, 60), 1.0, 1e-12);
	/* A second clock with the same settings and anchor reads the same time. */
	struct clock *twin = clock_new_simulated(1781989200.0, 60.0, wall - 100.0);
	CHECK_NEAR(clock_now(twin), clock_now(sim), 60.0 * 0.05);
	/* Simulated time moves at its rate. */
	double a = clock_now(sim);
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL);
	double b = clock_now(sim);
	CHECK(b - a >= 60.0 * 0.19);
	CHECK(b - a <= 60.0 * 0.5);

	char buf[32];
	timefmt_local(1781989200.0, 8 * 3600, buf, sizeof buf);
	CHECK_STR(buf, "2026-06-21 05:00:00");

	/* The command-line overrides: a start text forces a simulated clock. */
	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.clock.mode = CONFIG_CLOCK_REAL;
	cfg.clock.rate = 1.0;
	char err[200];
	struct clock *c =
	    clockopt_build(&cfg, "2026-06-21 05:00:00+08:00", 10.0, wall, err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_NEAR(clock_rate(c), 10.0, 0);
		CHECK_NEAR(clock_now(c), 1781989200.0, 10.0 * 1.0);
	}
	clock_free(c);
	c = clockopt_build(&cfg, "tomorrow", 0, 0, err, sizeof err);
	CHECK(c == NULL);
	CHECK_CONTAINS(err, "clock start \"tomorrow\" is not a time");
	c = clockopt_build(&cfg, NULL, 0, 0, err, sizeof err);
	CHECK(c != NULL && clock_rate(c) == 1.0);
	clock_free(c);

	clock_free(real);
	clock_free(sim);
	clock_free(twin);
	return check_summary();
}
