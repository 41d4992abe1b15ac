/* The alert lifecycle: delay and recheck, hysteresis, no duplicates, burst cap, restore. */
#include <string.h>

#include "check.h"
#include "pvrelief/alert.h"

struct step {
	double t;
	int verdict; /* for thresholded steps: -1 unknown, else judged */
	double value;
	int want; /* 0 nothing, 1 raised, 2 cleared */
};

static void run(const char *what, struct alert_tracker *t, struct alert_key key, int thresholded,
		const struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct alert_obs o = {.key = key,
				      .verdict = steps[i].verdict,
				      .thresholded = thresholded,
				      .alert_below = 1,
				      .value = steps[i].value,
				      .threshold = 0.6};
		struct alert_event ev;
		int got = alert_observe(t, &o, steps[i].t, &ev, 1);
		int kind = got ? (ev.type == ALERT_EV_RAISED ? 1 : 2) : 0;
		if (kind != steps[i].want)
			fprintf(stderr, "%s: step %zu at t=%g\n", what, i, steps[i].t);
		CHECK_INT(kind, steps[i].want);
	}
}

int main(void)
{
	struct alert_settings s = {
	    .raise_delay_s = 300, .clear_delay_s = 120, .hysteresis = 0.05, .burst_cap = 3};
	struct alert_tracker *t = alert_tracker_new(&s, 41);

	/* Offline: must hold 300 s and still hold at the recheck; one raise, then clear after
	 * 120 s of being clear. */
	struct alert_key off = {ALERT_OFFLINE, 2, 1};
	static const struct step offline[] = {
	    {0, ALERT_HOLDS, 0, 0},    {100, ALERT_HOLDS, 0, 0},  {200, ALERT_CLEAR, 0, 0},
	    {250, ALERT_HOLDS, 0, 0},  {500, ALERT_HOLDS, 0, 0},  {560, ALERT_HOLDS, 0, 1},
	    {600, ALERT_HOLDS, 0, 0},  {900, ALERT_HOLDS, 0, 0},  {950, ALERT_UNKNOWN, 0, 0},
	    {1000, ALERT_CLEAR, 0, 0}, {1050, ALERT_HOLDS, 0, 0}, {1100, ALERT_CLEAR, 0, 0},
	    {1200, ALERT_CLEAR, 0, 0}, {1230, ALERT_CLEAR, 0, 2}, {1300, ALERT_CLEAR, 0, 0},
	};
	run("offline", t, off, 0, offline, sizeof offline / sizeof offline[0]);
	CHECK_INT(alert_active_count(t), 0);

	/* Low efficiency with hysteresis: 0.61 does not clear (needs >= 0.63). */
	struct alert_key low = {ALERT_LOW_EFFICIENCY, 5, -1};
	static const struct step eff[] = {
	    {0, 1, 0.50, 0},   {300, 1, 0.55, 1},  {400, -1, 0.90, 0},
	    {500, 1, 0.61, 0}, {700, 1, 0.62, 0},  {800, 1, 0.64, 0},
	    {900, 1, 0.59, 0}, {1000, 1, 0.65, 0}, {1120, 1, 0.66, 2},
	};
	run("low efficiency", t, low, 1, eff, sizeof eff / sizeof eff[0]);

	/* Ids are stable and increase from the stored maximum. */
	struct alert_event ev;
	struct alert_obs o = {.key = {ALERT_FAULT, 1, 0}, .verdict = ALERT_HOLDS};
	alert_observe(t, &o, 2000, &ev, 1);
	CHECK_INT(alert_observe(t, &o, 2300, &ev, 1), 1);
	CHECK(ev.id >= 44);
	uint64_t fault_id = ev.id;
	o.verdict = ALERT_CLEAR;
	alert_observe(t, &o, 2400, &ev, 1);
	CHECK_INT(alert_observe(t, &o, 2600, &ev, 1), 1);
	CHECK_INT(ev.id, fault_id);
	CHECK_INT(ev.type, ALERT_EV_CLEARED);
	CHECK_NEAR(ev.raised_at, 2300, 0);

	/* Burst: 10 stations go offline together; 3 are published, the rest summarised. */
	int published = 0, suppressed = 0;
	for (int st = 10; st < 20; st++) {
		struct alert_obs b = {.key = {ALERT_OFFLINE, st, -1}, .verdict = ALERT_HOLDS};
		alert_observe(t, &b, 5000, &ev, 1);
	}
	for (int st = 10; st < 20; st++) {
		struct alert_obs b = {.key = {ALERT_OFFLINE, st, -1}, .verdict = ALERT_HOLDS};
		if (alert_observe(t, &b, 5300, &ev, 1) == 1)
			ev.suppressed ? suppressed++ : published++;
	}
	CHECK_INT(published, 3);
	CHECK_INT(suppressed, 7);
	CHECK_INT(alert_active_count(t), 10);
	struct alert_event sum;
	CHECK_INT(alert_take_summary(t, 5300, &sum), 1);
	CHECK_INT(sum.key.kind, ALERT_SUMMARY);
	CHECK_NEAR(sum.value, 7, 0);
	CHECK_INT(alert_take_summary(t, 5301, &sum), 0);
	/* A minute later the cap has room again. */
	struct alert_obs late = {.key = {ALERT_OFFLINE, 30, -1}, .verdict = ALERT_HOLDS};
	alert_observe(t, &late, 5400, &ev, 1);
	CHECK_INT(alert_observe(t, &late, 5700, &ev, 1), 1);
	CHECK_INT(ev.suppressed, 0);

	/* Restored alerts are not raised again, and clear normally. */
	struct alert_tracker *t2 = alert_tracker_new(&s, 100);
	struct alert_key r = {ALERT_OFFLINE, 7, 2};
	alert_tracker_restore(t2, &r, 99, 10);
	struct alert_obs ro = {.key = r, .verdict = ALERT_HOLDS};
	CHECK_INT(alert_observe(t2, &ro, 1000, &ev, 1), 0);
	CHECK_INT(alert_observe(t2, &ro, 2000, &ev, 1), 0);
	ro.verdict = ALERT_CLEAR;
	alert_observe(t2, &ro, 2100, &ev, 1);
	CHECK_INT(alert_observe(t2, &ro, 2300, &ev, 1), 1);
	CHECK_INT(ev.id, 99);

	CHECK_STR(alert_kind_name(ALERT_LOW_EFFICIENCY), "low_efficiency");
	CHECK_INT(alert_kind_parse("offline"), ALERT_OFFLINE);
	CHECK_INT(alert_kind_parse("nonsense"), -1);
	/* Every kind has both names, and its English name parses back to it: a kind added to the
	 * enum without its row in the table fails here. */
	for (int k = 0; k < ALERT_KIND_COUNT; k++) {
		const char *name = alert_kind_name((enum alert_kind)k);
		const char *zh = alert_kind_name_zh((enum alert_kind)k);
		CHECK(name != NULL && zh != NULL && *zh != '\0');
		if (name)
			CHECK_INT(alert_kind_parse(name), k);
	}
	alert_tracker_free(t);
	alert_tracker_free(t2);
	return check_summary();
}
