/* The simulated devices' physical state over time: lifetime and daily energy integrated from
 * the physics model at each tick, and the reading a device would report now, faults included. */
#ifndef PVRELIEF_SIM_STATE_H
#define PVRELIEF_SIM_STATE_H

#include "pvrelief/reading.h"

struct sim;
struct sim_device;

/* Garbage values: the lifetime counter jumps by this much and power reads this many times the
 * rating, both far outside what a real device could report. */
#define STATE_GARBAGE_JUMP_WH 1.0e9
#define STATE_GARBAGE_POWER_FACTOR 3.0

/* Sets every device's counters at clock time t_unix: the start lifetime of
 * physics_start_lifetime_wh plus the energy made since local midnight (5-minute trapezoids at
 * the configured health), and the environment and power at t_unix. */
void state_init(struct sim *sim, double t_unix);
/* Advances every device from the last tick to t_unix (ignored when not later), integrating AC
 * power in steps of at most PHYSICS_MAX_STEP_S and resetting daily energy at local midnight. */
void state_advance(struct sim *sim, double t_unix);
/* Fills *r with what device d reports now, faults applied (garbage, sentinels, FAULT state).
 * The caller holds d->lock. */
void state_reading(const struct sim_device *d, struct reading *r);
/* Chooses SunSpec scale factors wide enough for every value device d can report, garbage
 * included, so encoding never fails on range. */
void state_choose_scales(struct sim_device *d);

#endif
