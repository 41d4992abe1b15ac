#include "pvrelief/energy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The most energy a device can plausibly add over dt seconds: 20% above its rating, plus
 * the counter's resolution (a counter in whole kWh steps by 1000 Wh at once). */
static double max_increase_wh(const struct energy_limits *lim, double dt_s)
{
	return lim->rated_w * 1.2 * dt_s / 3600.0 + lim->resolution_wh + 1.0;
}

static int has(const struct reading *r, enum reading_field f)
{
	return (r->present >> f) & 1u;
}

/* A counter value that is neither the trusted level nor a plausible continuation of it is
 * held as a candidate: if the next readings continue from it, the device really was reset
 * or replaced and the new level is adopted, counting what it produced since the first
 * candidate; if they return to the old level, it was a glitch and nothing was lost. */
static unsigned candidate(struct energy_state *s, const struct energy_limits *lim, double ts,
			  double total, double *delta_wh)
{
	if (s->cand_count > 0 && total >= s->cand_wh &&
	    total - s->cand_wh <= max_increase_wh(lim, ts - s->cand_ts)) {
		s->cand_count++;
		s->cand_wh = total;
		s->cand_ts = ts;
	} else {
		s->cand_count = 1;
		s->cand_first_wh = s->cand_wh = total;
		s->cand_ts = ts;
	}
	if (s->cand_count >= ENERGY_CONFIRMATIONS) {
		*delta_wh = s->cand_wh - s->cand_first_wh;
		s->total_wh = s->cand_wh;
		s->total_ts = ts;
		s->cand_count = 0;
	}
	return ENERGY_Q_COUNTER_RESET;
}

unsigned energy_update(struct energy_state *s, const struct energy_limits *lim, double ts,
		       const struct reading *r, int daylight, double *delta_wh)
{
	unsigned q = 0;
	*delta_wh = 0;
	if (s->ts > 0 && !(ts > s->ts)) {
		/* The clock went back (an NTP correction). Until it passes the last reading's
		 * time again nothing is counted; the counter keeps rising meanwhile, so the
		 * time it had to rise is measured from the earliest time seen after the jump,
		 * lest the catch-up be judged too steep and rebased away as a reset. */
		if (ts < s->total_ts)
			s->total_ts = ts;
		if (s->cand_count > 0 && ts < s->cand_ts)
			s->cand_ts = ts;
		return ENERGY_Q_BAD_TIME;
	}

	if (r->sentinel & ((1u << RF_POWER_W) | (1u << RF_ENERGY_TOTAL_WH)))
		q |= ENERGY_Q_SENTINEL;
	if (has(r, RF_POWER_W)) {
		double p = r->value[RF_POWER_W];
		if (lim->rated_w > 0 && (p > lim->rated_w * 1.2 || p < -0.05 * lim->rated_w))
			q |= ENERGY_Q_OUT_OF_RANGE;
		/* An inverter held at a limit (curtailment) reports the limit, the same power
		 * for hours: that is not a frozen value. */
		int limited = has(r, RF_STATE) && r->state == INV_STATE_THROTTLED;
		if (daylight && p > 0 && p == s->power_w && !limited) {
			if (ts - s->power_since > ENERGY_FROZEN_S)
				q |= ENERGY_Q_FROZEN;
		} else {
			s->power_w = p;
			s->power_since = ts;
		}
	}
	if (has(r, RF_ENERGY_TODAY_WH) && lim->capacity_wp > 0 &&
	    r->value[RF_ENERGY_TODAY_WH] > lim->capacity_wp * 14.0)
		q |= ENERGY_Q_OUT_OF_RANGE;

	if (has(r, RF_ENERGY_TOTAL_WH)) {
		double total = r->value[RF_ENERGY_TOTAL_WH];
		if (!s->have) {
			if (total <= 0) {
				q |= ENERGY_Q_STARTUP_ZERO;
			} else {
				s->have = 1;
				s->total_wh = total;
				s->total_ts = ts;
			}
		} else {
			double d = total - s->total_wh;
			if (d >= 0 && d <= max_increase_wh(lim, ts - s->total_ts)) {
				*delta_wh = d;
				s->total_wh = total;
				s->total_ts = ts;
				s->cand_count = 0;
			} else {
				q |= candidate(s, lim, ts, total, delta_wh);
			}
		}
	}
	s->ts = ts;
	return q;
}

const char *energy_quality_names(unsigned q, char *buf, unsigned len)
{
	static const char *const names[] = {"sentinel", "out-of-range", "frozen",  "counter-reset",
					    "late",	"startup-zero", "bad-time"};
	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (q & (1u << i)) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i]);
		}
	return buf;
}
