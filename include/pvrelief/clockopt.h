/* Builds the clock the daemon and the simulator share from the configuration and the
 * command-line overrides, so both programs interpret them the same way. */
#ifndef PVRELIEF_CLOCKOPT_H
#define PVRELIEF_CLOCKOPT_H

struct clock;
struct config;

/* Returns the clock described by cfg->clock, with start (a time text) and rate overriding
 * it when given (start implies a simulated clock); anchor_unix is the wall time at which a
 * simulated clock reads its start (0 means now). On a bad start text returns NULL and
 * writes a sentence into err. */
struct clock *clockopt_build(const struct config *cfg, const char *start, double rate,
			     double anchor_unix, char *err, unsigned errlen);

#endif
