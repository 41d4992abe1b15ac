/* Energy accounting: sequences of lifetime counter readings and the energy counted. */
#include <string.h>

#include "check.h"
#include "pvrelief/energy.h"

struct step {
	double ts;
	double total_wh; /* -1: counter absent; -2: "not implemented" (an acc32 reading 0) */
	double power_w;	 /* < 0: power absent */
	unsigned want_q;
	double want_delta;
};

struct seq {
	const char *what;
	struct step steps[10];
};

static void run(const struct seq *c, struct energy_state *s)
{
	/* 50 kW inverter, 60 kWp station, counter resolution 1 kWh */
	struct energy_limits lim = {.rated_w = 50000, .capacity_wp = 60000, .resolution_wh = 1000};
	for (int i = 0; i < 10 && c->steps[i].ts > 0; i++) {
		const struct step *st = &c->steps[i];
		struct reading r;
		memset(&r, 0, sizeof r);
		if (st->total_wh >= 0)
			reading_set(&r, RF_ENERGY_TOTAL_WH, st->total_wh);
		else if (st->total_wh == -2)
			reading_set_sentinel(&r, RF_ENERGY_TOTAL_WH);
		if (st->power_w >= 0)
			reading_set(&r, RF_POWER_W, st->power_w);
		double delta = -1;
		unsigned q = energy_update(s, &lim, st->ts, &r, 1, &delta);
		if (q != st->want_q || delta != st->want_delta)
			fprintf(stderr, "sequence \"%s\" step %d:\n", c->what, i);
		CHECK_INT(q, st->want_q);
		CHECK_NEAR(delta, st->want_delta, 1e-9);
	}
}

static void test_sequences(void)
{
	static const struct seq cases[] = {
	    {"steady production",
	     {{1000, 5e6, 30000, 0, 0},
	      {1060, 5e6 + 500, 30000.5, 0, 500},
	      {1120, 5e6 + 1000, 30001, 0, 500}}},
	    {"a zero counter at start-up is not a value",
	     {{1000, 0, 0, ENERGY_Q_STARTUP_ZERO, 0},
	      {1060, 5e6, 100, 0, 0},
	      {1120, 5e6 + 300, 100, 0, 300}}},
	    {"counter reset to zero: adopted after three readings, counted from zero, not "
	     "rejected",
	     {{1000, 5e6, 1000, 0, 0},
	      {1060, 5e6 + 400, 1001, 0, 400},
	      {1120, 100, 1002, ENERGY_Q_COUNTER_RESTART, 0},
	      {1180, 500, 1003, ENERGY_Q_COUNTER_RESTART, 0},
	      {1240, 900, 1004, ENERGY_Q_COUNTER_RESTART, 900},
	      {1300, 1300, 1005, 0, 400}}},
	    {"a counter replaced by one at another level: adopted, counted from its first value",
	     {{1000, 5e6, 1000, 0, 0},
	      {1060, 7e6, 1001, ENERGY_Q_COUNTER_RESET, 0},
	      {1120, 7e6 + 500, 1002, ENERGY_Q_COUNTER_RESET, 0},
	      {1180, 7e6 + 1000, 1003, ENERGY_Q_COUNTER_RESET, 1000},
	      {1240, 7e6 + 1500, 1004, 0, 500}}},
	    {"an acc32 counter wrapping past 2^32 Wh counts modulo 2^32 (60 s polling)",
	     {{1000, 4294967296.0 - 700, 30000, 0, 0},
	      {1060, 4294967296.0 - 200, 30000, 0, 500},
	      {1120, 300, 30000, 0, 500},
	      {1180, 800, 30000, 0, 500}}},
	    {"an acc32 counter reading 0 at the wrap is the wrap, not \"not implemented\"",
	     {{1000, 4294967296.0 - 1000, 30000, 0, 0},
	      {1060, 4294967296.0 - 500, 30000, 0, 500},
	      {1120, -2, 30000, 0, 500},
	      {1180, 500, 30000, 0, 500}}},
	    {"a trusted counter reading 0 (\"not implemented\") far from the wrap is a restart "
	     "candidate, not a rejected reading; the old level coming back loses nothing",
	     {{1000, 5e6, 30000, 0, 0},
	      {1060, -2, 30000, ENERGY_Q_COUNTER_RESTART, 0},
	      {1120, 5e6 + 1000, 30000, 0, 1000}}},
	    {"a counter reset read at exactly 0, then growing: counted from zero, nothing rejected",
	     {{1000, 5e6, 1000, 0, 0},
	      {1060, -2, 1000, ENERGY_Q_COUNTER_RESTART, 0},
	      {1120, 300, 1001, ENERGY_Q_COUNTER_RESTART, 0},
	      {1180, 700, 1002, ENERGY_Q_COUNTER_RESTART, 700},
	      {1240, 1100, 1003, 0, 400}}},
	    {"a one-off glitch to a low value loses nothing (and looks like a restart until "
	     "the old level comes back)",
	     {{1000, 5e6, 1000, 0, 0},
	      {1060, 123, 1001, ENERGY_Q_COUNTER_RESTART, 0},
	      {1120, 5e6 + 800, 1002, 0, 800}}},
	    {"an impossible jump is refused, then the old level continues",
	     {{1000, 5e6, 1000, 0, 0},
	      {1060, 9e9, 1001, ENERGY_Q_COUNTER_RESET, 0},
	      {1120, 5e6 + 600, 1002, 0, 600}}},
	    {"a long outage counts what the counter saw, once",
	     {{1000, 5e6, 1000, 0, 0}, {1000 + 3 * 86400, 5e6 + 600000, 1001, 0, 600000}}},
	    {"the clock going back yields nothing and changes nothing",
	     {{1000, 5e6, 1000, 0, 0},
	      {900, 5e6 + 100, 1001, ENERGY_Q_BAD_TIME, 0},
	      {1000, 5e6 + 100, 1001, ENERGY_Q_BAD_TIME, 0},
	      {1060, 5e6 + 200, 1002, 0, 200}}},
	    {"after the clock went back 10 minutes, what was produced meanwhile is counted",
	     {{1000, 5e6, 40000, 0, 0},
	      {400, 5e6 + 667, 40001, ENERGY_Q_BAD_TIME, 0},
	      {1010, 5e6 + 6778, 40002, 0, 6778}}},
	    {"power beyond 1.2 x rating is out of range",
	     {{1000, 5e6, 70000, ENERGY_Q_OUT_OF_RANGE, 0}}},
	    {"the same non-zero power for over two hours of daylight is frozen",
	     {{1000, -1, 12345, 0, 0},
	      {1000 + 7000, -1, 12345, 0, 0},
	      {1000 + 7300, -1, 12345, ENERGY_Q_FROZEN, 0},
	      {1000 + 7360, -1, 12346, 0, 0}}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct energy_state s;
		memset(&s, 0, sizeof s);
		run(&cases[i], &s);
	}
}

static void test_limited_not_frozen(void)
{
	/* A curtailed inverter reports its limit, the same power, for hours: not frozen. */
	struct energy_limits lim = {.rated_w = 50000, .capacity_wp = 60000, .resolution_wh = 1000};
	struct energy_state s;
	struct reading r;
	double delta;
	memset(&s, 0, sizeof s);
	memset(&r, 0, sizeof r);
	reading_set(&r, RF_POWER_W, 15000);
	reading_set(&r, RF_STATE, INV_STATE_THROTTLED);
	r.state = INV_STATE_THROTTLED;
	for (double t = 1000; t <= 1000 + 3 * 3600; t += 600)
		CHECK_INT(energy_update(&s, &lim, t, &r, 1, &delta), 0);
	/* The same power without the limit's state is frozen after two hours. */
	reading_set(&r, RF_STATE, INV_STATE_MPPT);
	r.state = INV_STATE_MPPT;
	unsigned q = 0;
	for (double t = 20000; t <= 20000 + 3 * 3600; t += 600)
		q |= energy_update(&s, &lim, t, &r, 1, &delta);
	CHECK(q & ENERGY_Q_FROZEN);
}

static void test_sentinel(void)
{
	struct energy_limits lim = {.rated_w = 50000, .capacity_wp = 60000, .resolution_wh = 1000};
	struct energy_state s;
	struct reading r;
	double delta;
	memset(&s, 0, sizeof s);
	memset(&r, 0, sizeof r);
	reading_set_sentinel(&r, RF_POWER_W);
	reading_set(&r, RF_ENERGY_TOTAL_WH, 1e6);
	CHECK_INT(energy_update(&s, &lim, 100, &r, 1, &delta), ENERGY_Q_SENTINEL);
	CHECK(ENERGY_Q_SENTINEL & ENERGY_Q_REJECTED);
	CHECK(!(ENERGY_Q_LATE & ENERGY_Q_REJECTED));
	/* daily energy above P_stc x 14 h */
	memset(&r, 0, sizeof r);
	reading_set(&r, RF_ENERGY_TODAY_WH, 60000.0 * 14 + 1);
	CHECK_INT(energy_update(&s, &lim, 200, &r, 1, &delta), ENERGY_Q_OUT_OF_RANGE);
	char names[128];
	CHECK_STR(energy_quality_names(ENERGY_Q_SENTINEL | ENERGY_Q_FROZEN, names, sizeof names),
		  "sentinel,frozen");
}

int main(void)
{
	test_sequences();
	test_sentinel();
	test_limited_not_frozen();
	return check_summary();
}
