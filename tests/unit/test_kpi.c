/* County KPIs: online rate (slot and time variants), fault rate and data anomaly rate, with the
 * counts worked out by hand and the edge cases where there is nothing to count. */
#include <math.h>

#include "check.h"
#include "pvrelief/kpi.h"

static void check_rate(struct kpi_rate r, double num, double den, double want)
{
	CHECK_NEAR(r.numerator, num, 0);
	CHECK_NEAR(r.denominator, den, 0);
	if (isnan(want))
		CHECK(isnan(r.rate));
	else
		CHECK_NEAR(r.rate, want, 1e-12);
}

static void test_online(void)
{
	/* A day of 40 daylight slots (10 h). A: every slot. B: one slot missed. C: no daylight
	 * slot in its period (left out). D: every slot, with extra readings counted twice by the
	 * store (valid > expected still counts once). Slots: A and D of A, B, D = 2 / 3.
	 * Time: A 600 of 600 min, B 585 of 600, D 600 of 600 (its 610 is clipped to the
	 * daylight): (600 + 585 + 600) / 1800 = 0.991667. */
	struct kpi_device d[4] = {
	    {.slots_expected = 40, .slots_valid = 40, .daylight_min = 600, .online_min = 600},
	    {.slots_expected = 40, .slots_valid = 39, .daylight_min = 600, .online_min = 585},
	    {.slots_expected = 0, .slots_valid = 0, .daylight_min = 0, .online_min = 0},
	    {.slots_expected = 40, .slots_valid = 41, .daylight_min = 600, .online_min = 610},
	};
	check_rate(kpi_online_rate_slots(d, 4), 2, 3, 2.0 / 3.0);
	check_rate(kpi_online_rate_time(d, 4), 1785, 1800, 1785.0 / 1800.0);
	/* All four online in every slot: 100%. */
	d[1].slots_valid = 40;
	check_rate(kpi_online_rate_slots(d, 4), 3, 3, 1.0);
	/* No devices, or only night: no value, not 0% and not 100%. */
	check_rate(kpi_online_rate_slots(NULL, 0), 0, 0, NAN);
	check_rate(kpi_online_rate_time(NULL, 0), 0, 0, NAN);
	check_rate(kpi_online_rate_slots(d + 2, 1), 0, 0, NAN);
	check_rate(kpi_online_rate_time(d + 2, 1), 0, 0, NAN);
}

static void test_fault(void)
{
	/* Threshold 30 min: 0 and exactly 30 do not count, 31 and 120 do: 2 / 4 = 0.5. */
	struct kpi_station s[4] = {{0}, {31}, {30}, {120}};
	check_rate(kpi_fault_rate(s, 4, KPI_FAULT_MINUTES_DEFAULT), 2, 4, 0.5);
	/* With a 60 min threshold only the 120: 1 / 4. */
	check_rate(kpi_fault_rate(s, 4, 60), 1, 4, 0.25);
	/* None faulty: 0%, a real value. */
	check_rate(kpi_fault_rate(s, 3, 240), 0, 3, 0.0);
	check_rate(kpi_fault_rate(NULL, 0, 30), 0, 0, NAN);
}

static void test_anomaly(void)
{
	/* 5 of 1000 and 15 of 3000 rejected: 20 / 4000 = 0.005, pooled (the mean of the two
	 * devices' rates would be the same here, 0.005; a third device with 1 of 10 makes them
	 * differ: 21 / 4010 = 0.005237 against a mean of 0.036667). */
	struct kpi_device d[3] = {
	    {.readings = 1000, .rejected = 5},
	    {.readings = 3000, .rejected = 15},
	    {.readings = 10, .rejected = 1},
	};
	check_rate(kpi_anomaly_rate(d, 2), 20, 4000, 0.005);
	check_rate(kpi_anomaly_rate(d, 3), 21, 4010, 21.0 / 4010.0);
	/* A device that counted more rejected than readings is capped at its readings. */
	struct kpi_device bad = {.readings = 10, .rejected = 12};
	check_rate(kpi_anomaly_rate(&bad, 1), 10, 10, 1.0);
	struct kpi_device none = {.readings = 0, .rejected = 0};
	check_rate(kpi_anomaly_rate(&none, 1), 0, 0, NAN);
	check_rate(kpi_anomaly_rate(NULL, 0), 0, 0, NAN);
}

static void test_expected_quarters(void)
{
	/* A month to date of 4 days, 40 daylight quarters a day, one device first read at noon
	 * of day 4 (quarter 48 of 96): the demo started this morning is not 0% online for the
	 * month, nor 33% for the day, for the quarters before it was monitored. */
	enum { Q = 4 * 96 };
	static unsigned char lit[Q];
	double all = 0;
	for (int k = 0; k < Q; k++)
		all += lit[k] = (unsigned char)(k % 96 >= 28 && k % 96 < 68);
	double t0 = 1782000000.0 - fmod(1782000000.0, 900.0);
	static const struct {
		double since;
		double want;
	} cases[] = {
	    {-1e12, 160},	       /* monitored before the period */
	    {1782000000.0 - 1e6, 160}, /* likewise */
	    {0, 160},		       /* epoch */
	    {NAN, 0},		       /* never read */
	    {1782000000.0 + 1e9, 0},   /* after the period */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_NEAR(kpi_expected_quarters(lit, Q, t0, cases[i].since), cases[i].want, 0);
	CHECK_NEAR(all, 160, 0);
	/* First read at noon of day 4 (within quarter 3 * 96 + 48): 20 quarters of that day. */
	double noon4 = t0 + (3 * 96 + 48) * 900.0 + 100;
	CHECK_NEAR(kpi_expected_quarters(lit, Q, t0, noon4), 20, 0);
	/* A reading in the last second of a quarter counts that quarter. */
	CHECK_NEAR(kpi_expected_quarters(lit, Q, t0, t0 + (3 * 96 + 49) * 900.0 - 1), 20, 0);
}

int main(void)
{
	test_expected_quarters();
	test_online();
	test_fault();
	test_anomaly();
	return check_summary();
}
