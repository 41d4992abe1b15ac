/* Gathers the link traffic view (linkview.h) behind `pvrelief health --links` and the
 * console's health page: every gateway of the configuration with its devices, and their
 * bytes from the store's link_day counters. */
#ifndef PVRELIEF_LINK_GATHER_H
#define PVRELIEF_LINK_GATHER_H

#include <stddef.h>

#include "pvrelief/linkview.h"

struct config;
struct config_station;
struct store;

/* Fills *out for the month (y, m) with "today" the day d (0: the day of now, or the month's
 * last once it is over), for every gateway, or those serving station only; the projection
 * runs to the end of that day (d given) or to now. Returns 0, or negative with why; free
 * with link_gather_free. */
int link_gather(struct store *st, const struct config *cfg, const struct config_station *only,
		int y, int m, int d, double now, struct linkview *out, char *why, size_t whylen);
/* Frees what link_gather allocated in v. */
void link_gather_free(struct linkview *v);

#endif
