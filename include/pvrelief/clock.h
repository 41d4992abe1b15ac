/* The time pvrelief runs on: real time, or a simulated time that starts at a configured
 * instant and runs at a configured rate. The daemon and the simulator read the same
 * settings and the same anchor, so they agree on what time it is. */
#ifndef PVRELIEF_CLOCK_H
#define PVRELIEF_CLOCK_H

struct clock;

/* Returns a real-time clock; free with clock_free. */
struct clock *clock_new_real(void);
/* Returns a simulated clock reading start_unix at the real (wall) instant anchor_unix and
 * advancing rate simulated seconds per real second; free with clock_free. */
struct clock *clock_new_simulated(double start_unix, double rate, double anchor_unix);
/* Frees a clock; accepts NULL. */
void clock_free(struct clock *c);
/* Returns the clock's time now in unix seconds. */
double clock_now(const struct clock *c);
/* Returns the clock's rate: simulated seconds per real second (1 for real time). */
double clock_rate(const struct clock *c);
/* Converts a span of clock seconds to real seconds. */
double clock_to_real_s(const struct clock *c, double clock_s);
/* Returns the real wall time in unix seconds (for anchors and log stamps). */
double clock_wall_now(void);
/* Returns seconds of the monotonic clock (for timeouts that must not jump). */
double clock_monotonic_now(void);

#endif
