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

/* An acc32 counter in Wh (SunSpec WH with a scale factor of 0) wraps here. */
#define WRAP_WH 4294967296.0

/* A counter value that is neither the trusted level nor a plausible continuation of it is
 * held as a candidate: if the next readings continue from it, the device really was reset
 * or replaced and the new level is adopted; if they return to the old level, it was a
 * glitch and nothing was lost. A candidate low enough to have been reached from zero since
 * the last trusted reading is a counter restarting from zero: its base is 0, so that what
 * the inverter produced before the first candidate is counted too (a reset loses nothing),
 * and its readings are not rejected. A jump to any other level is counted from its first
 * value, the only base known. */
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
		s->cand_wh = total;
		s->cand_first_wh = total <= max_increase_wh(lim, ts - s->total_ts) ? 0 : total;
		s->cand_ts = ts;
	}
	unsigned q = s->cand_first_wh == 0 ? ENERGY_Q_COUNTER_RESTART : ENERGY_Q_COUNTER_RESET;
	if (s->cand_count >= ENERGY_CONFIRMATIONS) {
		*delta_wh = s->cand_wh - s->cand_first_wh;
		s->total_wh = s->cand_wh;
		s->total_ts = ts;
		s->cand_count = 0;
	}
	return q;
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

	/* SunSpec reads an acc32 of 0 as "not implemented", but a device whose counter has
	 * been trusted does implement it: a 0 from it is a counter that wrapped past 2^32 Wh
	 * or restarted from zero (an inverter reset or replaced, read before it produced
	 * anything), or a glitch. Each is then handled as that value: the wrap counts modulo
	 * 2^32, a restart is adopted from zero once the next readings continue from it, and a
	 * glitch loses nothing when the old level comes back. Taking it for a sentinel made a
	 * reset that happened to be read at 0 a rejected reading and a data anomaly. */
	struct reading wrapped;
	if ((r->sentinel & (1u << RF_ENERGY_TOTAL_WH)) && s->have) {
		wrapped = *r;
		reading_set(&wrapped, RF_ENERGY_TOTAL_WH, 0);
		r = &wrapped;
	}
	if (r->sentinel & ((1u << RF_POWER_W) | (1u << RF_ENERGY_TOTAL_WH)))
		q |= ENERGY_Q_SENTINEL;
	if (has(r, RF_POWER_W)) {
		double p = r->value[RF_POWER_W];
		if (lim->rated_w > 0 && (p > lim->rated_w * 1.2 || p < -0.05 * lim->rated_w))
			q |= ENERGY_Q_OUT_OF_RANGE;
		/* An inverter held at a limit (curtailment) reports the limit, the same power
		 * for hours: that is not a frozen value. Some say so by their state, others only
		 * by the limit they report. */
		int limited = (has(r, RF_STATE) && r->state == INV_STATE_THROTTLED) ||
			      (has(r, RF_POWER_LIMIT_PCT) && r->value[RF_POWER_LIMIT_PCT] < 100.0);
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
			double d = total - s->total_wh,
			       most = max_increase_wh(lim, ts - s->total_ts);
			/* A counter just below 2^32 Wh that reads low again has wrapped. */
			if (d < 0 && s->total_wh + most >= WRAP_WH && d + WRAP_WH <= most)
				d += WRAP_WH;
			if (d >= 0 && d <= most) {
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
	static const char *const names[] = {"sentinel",	     "out-of-range",   "frozen",
					    "counter-reset", "late",	       "startup-zero",
					    "bad-time",	     "counter-restart"};
	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (q & (1u << i)) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i]);
		}
	return buf;
}
