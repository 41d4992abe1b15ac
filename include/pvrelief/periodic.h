/* A thread that runs a task every so many seconds of the (possibly simulated) clock until
 * stopped: the efficiency engine's passes and the alert engine's rounds. */
#ifndef PVRELIEF_PERIODIC_H
#define PVRELIEF_PERIODIC_H

struct clock;
struct periodic;

/* Called with the clock's time at each round. */
typedef void (*periodic_fn)(void *ctx, double now);

/* Starts a thread running fn(ctx, now) at once and then every interval_s seconds of clk
 * (borrowed); NULL (logged) when the thread cannot start. Stop with periodic_stop. */
struct periodic *periodic_start(struct clock *clk, double interval_s, periodic_fn fn, void *ctx,
				const char *name);
/* Stops the thread after the round in hand, and frees it; accepts NULL. */
void periodic_stop(struct periodic *p);

#endif
