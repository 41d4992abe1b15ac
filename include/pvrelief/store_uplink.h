/* The county side of the uplink in the store: what changed since it was last sent (filled by
 * triggers in the same transaction as the change, see migration 13), the revision counter, and
 * the readers the uplink engine builds its messages from. */
#ifndef PVRELIEF_STORE_UPLINK_H
#define PVRELIEF_STORE_UPLINK_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/publish_uplink.h"

struct store;
struct publish_uplink_month;

/* One changed thing: kind "day" (a = station, b = day), "month" (a = station, b = month),
 * "alert" (a = the alert event id, zero-padded), "ledger" (the ledger head; a and b empty) or
 * "kpi" (the county's KPIs of month a). */
struct store_uplink_dirty {
	char kind[8];
	char a[64], b[16];
};

/* Turns the change triggers on or off (meta 'uplink.enabled'); 0 or negative. */
int store_uplink_enable(struct store *st, int on);
/* Marks every stored station-day and station-month, every month's county KPIs and the ledger
 * head as changed, so that an uplink set up on a county with history sends it; returns the
 * number marked or negative. */
long store_uplink_mark_all(struct store *st);
/* Fills rows (max) with changed things, oldest alerts first; returns the count or negative. */
int store_uplink_dirty_list(struct store *st, struct store_uplink_dirty *rows, int max);
/* Forgets a changed thing (inside the caller's transaction); 0 or negative. */
int store_uplink_dirty_done(struct store *st, const struct store_uplink_dirty *d);
/* Takes the next revision (inside the caller's transaction); 0 or negative. */
int store_uplink_next_rev(struct store *st, int64_t *rev);
/* Reads a station's month into *out (whose station and month point to the arguments); 0, 1
 * when absent, or negative. */
int store_uplink_month_get(struct store *st, const char *station, const char *month,
			   struct publish_uplink_month *out);
/* An alert event read back: a's strings point into the row's own buffers. */
struct store_uplink_alert {
	struct publish_uplink_alert a;
	char type[16], kind[48], severity[16], station[64], device[64], title[256];
};
/* Reads an alert event with its alert into *row; returns 0, 1 when absent, or negative. */
int store_uplink_alert_get(struct store *st, int64_t event_id, struct store_uplink_alert *row);

#endif
