#include "pvrelief/clockopt.h"

#include <stdio.h>

#include "pvrelief/clock.h"
#include "pvrelief/config.h"

struct clock *clockopt_build(const struct config *cfg, const char *start, double rate,
			     double anchor_unix, char *err, unsigned errlen)
{
	double start_unix = cfg->clock.start_unix;
	int simulated = cfg->clock.mode == CONFIG_CLOCK_SIMULATED;
	if (start && *start) {
		if (config_parse_time(start, &start_unix) != 0) {
			snprintf(
			    err, errlen,
			    "clock start \"%s\" is not a time like \"2026-06-21 05:00:00+08:00\"",
			    start);
			return NULL;
		}
		simulated = 1;
	}
	if (!simulated)
		return clock_new_real();
	if (rate <= 0)
		rate = cfg->clock.rate;
	if (anchor_unix <= 0)
		anchor_unix = clock_wall_now();
	return clock_new_simulated(start_unix, rate, anchor_unix);
}
