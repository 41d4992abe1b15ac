/* County KPIs over a period: online rate, fault rate and data anomaly rate, from per-device and
 * per-station counts the store gathers. DOMAIN.md marks these definitions as proposals, so the
 * thresholds are parameters. Pure: no I/O, no globals. A rate with nothing to count (no devices,
 * no daylight, no readings) is NAN, never 0% or 100%. */
#ifndef PVRELIEF_KPI_H
#define PVRELIEF_KPI_H

#include <stddef.h>
#include <stdint.h>

/* A fault must last longer than this to count, in minutes. */
#define KPI_FAULT_MINUTES_DEFAULT 30.0

/* One device (inverter) over the period. */
struct kpi_device {
	uint32_t slots_expected; /* daylight 15-minute slots in the period */
	uint32_t slots_valid;	 /* of those, slots with at least one valid reading */
	double daylight_min;	 /* daylight minutes in the period */
	double online_min;	 /* daylight minutes the device was online */
	uint64_t readings;	 /* readings taken */
	uint64_t rejected;	 /* readings rejected (ENERGY_Q_REJECTED) */
};

/* One station over the period. */
struct kpi_station {
	double longest_fault_min; /* longest continuous FAULT of any of its inverters; 0 if none */
};

/* A rate with the counts behind it, so that a report can print "26 / 27". */
struct kpi_rate {
	double numerator, denominator;
	double rate; /* numerator / denominator, 0-1; NAN when the denominator is 0 */
};

/* Returns the slot-based online rate over devices (n, only read): devices with a valid reading in
 * every daylight slot / devices with any daylight slot. Devices with no daylight slot in the
 * period (night) are left out of both counts. */
struct kpi_rate kpi_online_rate_slots(const struct kpi_device *dev, size_t n);
/* Returns the time-based online rate: online daylight minutes / daylight minutes, summed over
 * the devices (n, only read). */
struct kpi_rate kpi_online_rate_time(const struct kpi_device *dev, size_t n);
/* Returns the fault rate: stations (n, only read) with a fault longer than fault_min minutes /
 * all stations. */
struct kpi_rate kpi_fault_rate(const struct kpi_station *st, size_t n, double fault_min);
/* Returns the data anomaly rate: rejected readings / all readings, summed over the devices. */
struct kpi_rate kpi_anomaly_rate(const struct kpi_device *dev, size_t n);
/* Returns how many of the n_quarters 15-minute slots from t0 a device was expected to be
 * online in: those whose flag in lit is set (daylight) that end after since_s, the device's
 * first reading ever (NAN: never read, none expected). Quarters before a device was first
 * monitored are not offline ones: a station added mid-month, or a demo started this morning,
 * is not 0% online for the month. */
double kpi_expected_quarters(const unsigned char *lit, size_t n_quarters, double t0,
			     double since_s);

#endif
