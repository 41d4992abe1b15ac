/* The store's link traffic counters: the IP bytes each gateway's polls put on the wire, per
 * local day and device, written by the poller's writer and read by `pvrelief health --links`
 * and the alert engine's link budget rule. */
#ifndef PVRELIEF_STORE_LINKS_H
#define PVRELIEF_STORE_LINKS_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Adds bytes and polls to a gateway's counter for a device (0: the connection itself) on a
 * local day (YYYY-MM-DD), and records interval_s (the fast interval then in force) when it is
 * positive. Call inside a transaction; 0 or negative. */
int store_link_add(struct store *st, const char *gateway, int64_t device_id, const char *day,
		   uint64_t bytes, uint64_t polls, double interval_s);
/* Returns the bytes a gateway (all its devices and its connection) spent on the days from
 * first_day to last_day (inclusive, YYYY-MM-DD), or negative. */
int64_t store_link_gateway_bytes(struct store *st, const char *gateway, const char *first_day,
				 const char *last_day);

/* One device's (or the connection's) traffic over a period. */
struct store_link_row {
	char gateway[96];
	int64_t device_id;   /* 0: the connection itself */
	char station[64];    /* empty for the connection */
	char device[64];     /* empty for the connection */
	int64_t today_bytes; /* on the period's last day */
	int64_t month_bytes; /* over the whole period */
	int64_t today_polls, month_polls;
	double interval_s; /* the fast interval in force at the newest poll, 0 if unknown */
};
/* Fills out (cap) with every gateway's rows for the days first_day..last_day (the month to
 * date; "today" is last_day), ordered by gateway and device; returns the count or negative. */
int store_link_rows(struct store *st, const char *first_day, const char *last_day,
		    struct store_link_row *out, size_t cap);

#endif
