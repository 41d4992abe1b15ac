/* The province's answers from the hub's database (tables of store_hub.h): a health table
 * across counties, their alerts, their ledger heads and month KPIs. */
#ifndef PVRELIEF_HUB_REPORT_H
#define PVRELIEF_HUB_REPORT_H

#include <stdio.h>

struct store;

/* Writes the province health table for day (YYYY-MM-DD): each county as a row, with its KPIs
 * of the day's month and its ledger head when it sent them, then its stations; format "table"
 * or "json". Returns 0 or negative. */
int hub_health(struct store *st, const char *day, const char *format, FILE *out);
/* Writes the alert events of every county (newest first, up to limit; 0 for all), or the
 * active alerts only; format "table" or "json". Returns 0 or negative. */
int hub_alerts(struct store *st, int active_only, int limit, const char *format, FILE *out);

/* Writes each county's money ledger head (seq and hash); format "table" or "json". Returns 0
 * or negative. */
int hub_ledger(struct store *st, const char *format, FILE *out);
/* Writes each county's KPIs of month (YYYY-MM); format "table" or "json". Returns 0 or
 * negative. */
int hub_kpi(struct store *st, const char *month, const char *format, FILE *out);

#endif
