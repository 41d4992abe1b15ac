/* County KPIs. Rates are ratios of counts pooled over the county (not means of per-device
 * rates), so a device with many readings weighs more in the anomaly rate, as it should. */
#include <math.h>

#include "pvrelief/kpi.h"

#include "pvrelief/slot.h"

static struct kpi_rate rate(double num, double den)
{
	struct kpi_rate r = {.numerator = num, .denominator = den, .rate = NAN};
	if (den > 0)
		r.rate = num / den;
	return r;
}

struct kpi_rate kpi_online_rate_slots(const struct kpi_device *dev, size_t n)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		if (dev[i].slots_expected == 0)
			continue;
		den++;
		if (dev[i].slots_valid >= dev[i].slots_expected)
			num++;
	}
	return rate(num, den);
}

struct kpi_rate kpi_online_rate_time(const struct kpi_device *dev, size_t n)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(dev[i].daylight_min > 0))
			continue;
		den += dev[i].daylight_min;
		/* A device cannot be online longer than it was light, whatever the counts say. */
		num += fmin(fmax(dev[i].online_min, 0), dev[i].daylight_min);
	}
	return rate(num, den);
}

struct kpi_rate kpi_fault_rate(const struct kpi_station *st, size_t n, double fault_min)
{
	double num = 0;
	for (size_t i = 0; i < n; i++)
		if (st[i].longest_fault_min > fault_min)
			num++;
	return rate(num, (double)n);
}

struct kpi_rate kpi_anomaly_rate(const struct kpi_device *dev, size_t n)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		den += (double)dev[i].readings;
		num +=
		    (double)(dev[i].rejected < dev[i].readings ? dev[i].rejected : dev[i].readings);
	}
	return rate(num, den);
}

double kpi_expected_quarters(const unsigned char *lit, size_t n_quarters, double t0, double since_s)
{
	double n = 0;
	if (isnan(since_s))
		return 0;
	for (size_t k = 0; k < n_quarters; k++)
		if (lit[k] && t0 + SLOT_QUARTER_S * (double)(k + 1) > since_s)
			n++;
	return n;
}
