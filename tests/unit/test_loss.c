/* Loss attribution: each kind of slot lands in its class, priced at the day's clean
 * efficiency, the classes add up to expected - actual, and the edge cases (no clean slot, no
 * expected energy, a better-than-reference station) have the values the header promises. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "pvrelief/loss.h"

/* A window described by its cells and the attribution worked out by hand. */
struct loss_case {
	const char *name;
	struct loss_cell cells[6];
	size_t n;
	double expected_kwh, actual_kwh, ref_eta;
	int ref_from_k;
	double loss_kwh[LOSS_N_CLASSES];
	double hours[LOSS_N_CLASSES];
};

static const struct loss_case cases[] = {
    /* Soiled only: clean efficiency 0.6, so 40% of the expected energy is low performance. */
    {"soiled",
     {{LOSS_CELL_RUN, 10000, 6000, 1, 0}, {LOSS_CELL_RUN, 20000, 12000, 1, 0}},
     2,
     30,
     18,
     0.6,
     0,
     {0, 0, 0, 0, 12},
     {0, 0, 0, 0, 0}},
    /* A clean station (eta 1) with a fault slot: the fault costs its whole expected energy at
     * eta 1, nothing goes to low performance. */
    {"fault",
     {{LOSS_CELL_RUN, 10000, 10000, 1, 0}, {LOSS_CELL_FAULT, 8000, 0, 0.5, 0}},
     2,
     18,
     10,
     1.0,
     0,
     {0, 0, 8, 0, 0},
     {0, 0, 0.5, 0, 0}},
    /* Clean eta 0.9. Unread (never recovered): 0.9 x 5 = 4.5 lost to communication. Caught
     * up with what the day's efficiency says: communication hours, no loss. Curtailed to
     * 1 kWh of 4 expected: 0.9 x 4 - 1 = 2.6. Low performance: 0.1 x 23 = 2.3. */
    {"mixed",
     {{LOSS_CELL_RUN, 10000, 9000, 1, 0},
      {LOSS_CELL_UNREAD, 5000, 0, 0.5, 0},
      {LOSS_CELL_CAUGHT_UP, 4000, 3600, 0.5, 0},
      {LOSS_CELL_CURTAILED, 4000, 1000, 1, 0}},
     4,
     23,
     13.6,
     0.9,
     0,
     {4.5, 0, 0, 2.6, 2.3},
     {1.0, 0, 0, 1, 0}},
    /* The counter after a gap shows the inverter made only 1 of 3.6 kWh: down, not
     * communication; a reachable inverter in STANDBY is down too. */
    {"down",
     {{LOSS_CELL_RUN, 10000, 9000, 1, 0},
      {LOSS_CELL_CAUGHT_UP, 4000, 1000, 0.5, 0},
      {LOSS_CELL_DOWN, 2000, 0, 0.25, 0}},
     3,
     16,
     10,
     0.9,
     0,
     {0, 2.6 + 1.8, 0, 0, 1.6},
     {0.5, 0.25, 0, 0, 0}},
    /* Better than the reference (capability 126%): low performance is a gain. */
    {"better",
     {{LOSS_CELL_RUN, 10000, 12600, 1, 0}},
     1,
     10,
     12.6,
     1.26,
     0,
     {0, 0, 0, 0, -2.6},
     {0, 0, 0, 0, 0}},
    /* Horizontal basis, priced on POA: the clean slot makes 9 kWh of 10 on GHI (eta 0.9) and
     * of 12 on POA (0.75); the fault slot at noon, 8 on GHI and 12 on POA, costs 0.75 x 12 =
     * 9, more than 0.9 x 8 would say. Low performance is the rest: 18 - 9 - 9 = 0. */
    {"priced on poa",
     {{LOSS_CELL_RUN, 10000, 9000, 1, 12000}, {LOSS_CELL_FAULT, 8000, 0, 1, 12000}},
     2,
     18,
     9,
     0.9,
     0,
     {0, 0, 9, 0, 0},
     {0, 0, 1, 0, 0}},
    /* No clean slot: priced at the reference itself, nothing left for low performance. */
    {"no clean slot",
     {{LOSS_CELL_FAULT, 6000, 0, 1, 0}, {LOSS_CELL_CURTAILED, 4000, 3000, 1, 0}},
     2,
     10,
     3,
     1.0,
     1,
     {0, 0, 6, 1, 0},
     {0, 0, 1, 1, 0}},
};

static void test_cases(void)
{
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const struct loss_case *lc = &cases[c];
		struct loss_acc acc;
		struct loss_figures f;
		memset(&acc, 0, sizeof acc);
		for (size_t i = 0; i < lc->n; i++)
			loss_add(&acc, &lc->cells[i]);
		loss_finish(&acc, &f);
		CHECK_REPORT_(fabs(f.expected_kwh - lc->expected_kwh) < 1e-9, "case %s: %s",
			      lc->name, "fabs(f.expected_kwh - lc->expected_kwh) < 1e-9");
		CHECK_REPORT_(fabs(f.actual_kwh - lc->actual_kwh) < 1e-9, "case %s: %s", lc->name,
			      "fabs(f.actual_kwh - lc->actual_kwh) < 1e-9");
		CHECK_REPORT_(fabs(f.ref_eta - lc->ref_eta) < 1e-9, "case %s: %s", lc->name,
			      "fabs(f.ref_eta - lc->ref_eta) < 1e-9");
		CHECK_REPORT_(f.ref_from_k == lc->ref_from_k, "case %s: %s", lc->name,
			      "f.ref_from_k == lc->ref_from_k");
		CHECK_REPORT_(fabs(f.capability - lc->actual_kwh / lc->expected_kwh) < 1e-12,
			      "case %s: %s", lc->name,
			      "fabs(f.capability - lc->actual_kwh / lc->expected_kwh) < 1e-12");
		double sum = 0;
		for (int k = 0; k < LOSS_N_CLASSES; k++) {
			CHECK_REPORT_(fabs(f.loss_kwh[k] - lc->loss_kwh[k]) < 1e-9, "case %s: %s",
				      lc->name, "fabs(f.loss_kwh[k] - lc->loss_kwh[k]) < 1e-9");
			CHECK_REPORT_(fabs(f.hours[k] - lc->hours[k]) < 1e-12, "case %s: %s",
				      lc->name, "fabs(f.hours[k] - lc->hours[k]) < 1e-12");
			sum += f.loss_kwh[k];
		}
		/* The classes account for the whole difference. */
		CHECK_REPORT_(fabs(sum - (f.expected_kwh - f.actual_kwh)) < 1e-9, "case %s: %s",
			      lc->name, "fabs(sum - (f.expected_kwh - f.actual_kwh)) < 1e-9");
	}
}

static void test_empty_and_sum(void)
{
	struct loss_acc acc;
	struct loss_figures f, m;
	memset(&acc, 0, sizeof acc);
	loss_finish(&acc, &f);
	CHECK(f.expected_kwh == 0 && f.actual_kwh == 0);
	CHECK(isnan(f.capability));
	for (int k = 0; k < LOSS_N_CLASSES; k++)
		CHECK(f.loss_kwh[k] == 0);

	/* A month of two days: losses and hours add, capability is of the sums, the reference
	 * efficiency is weighted by expected energy. */
	memset(&m, 0, sizeof m);
	struct loss_cell d1[] = {{LOSS_CELL_RUN, 10000, 6000, 1, 0},
				 {LOSS_CELL_FAULT, 10000, 0, 1, 0}};
	struct loss_cell d2[] = {{LOSS_CELL_RUN, 30000, 30000, 3, 0}};
	memset(&acc, 0, sizeof acc);
	for (size_t i = 0; i < 2; i++)
		loss_add(&acc, &d1[i]);
	loss_finish(&acc, &f);
	loss_sum(&m, &f);
	memset(&acc, 0, sizeof acc);
	loss_add(&acc, &d2[0]);
	loss_finish(&acc, &f);
	loss_sum(&m, &f);
	CHECK_NEAR(m.expected_kwh, 50, 1e-9);
	CHECK_NEAR(m.actual_kwh, 36, 1e-9);
	CHECK_NEAR(m.capability, 36.0 / 50.0, 1e-12);
	CHECK_NEAR(m.loss_kwh[LOSS_FAULT], 6, 1e-9);
	CHECK_NEAR(m.loss_kwh[LOSS_LOWPERF], 8, 1e-9);
	CHECK_NEAR(m.hours[LOSS_FAULT], 1, 1e-12);
	CHECK_NEAR(m.ref_eta, (0.6 * 20 + 1.0 * 30) / 50, 1e-12);
	CHECK(strcmp(loss_class_name(LOSS_COMM), "comm") == 0);
	CHECK(strcmp(loss_class_name(LOSS_LOWPERF), "lowperf") == 0);
}

int main(void)
{
	test_cases();
	test_empty_and_sum();
	return check_summary();
}
