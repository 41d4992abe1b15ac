/* Gathers a month's distribution report from the store: stations, villages, plans, payees,
 * the ledger head. The library function behind `pvrelief report`, the notices, the annual
 * report, the benchmark and the console. */
#ifndef PVRELIEF_REPORT_LOAD_H
#define PVRELIEF_REPORT_LOAD_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct config;
struct report;

/* Gathers month's report: the villages vi with want[vi] (all when want is NULL), in the
 * configuration's order, and the stations they own a share of; public_notice leaves out what
 * is private; now is the report's time. Returns a report the caller frees with report_free,
 * or NULL on a database error (printed). */
struct report *report_load(struct store *st, const struct config *cfg, const char *month,
			   const bool *want, int public_notice, int64_t now);

#endif
