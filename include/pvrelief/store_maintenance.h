/* The operation and maintenance ledger (运维台账) in the store: inspections, cleanings and
 * repairs of a station, who did them and when. One struct reads it for every user. */
#ifndef PVRELIEF_STORE_MAINTENANCE_H
#define PVRELIEF_STORE_MAINTENANCE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Records a maintenance ledger entry (kind "inspection", "cleaning" or "repair"; note may be
 * NULL); 0 or negative. */
int store_maintenance_add(struct store *st, const char *station, const char *kind, double at,
			  const char *by, const char *note);
/* One entry of the maintenance ledger; strings owned by the list. */
struct store_maintenance {
	int64_t id;
	char *station, *kind, *by, *note;
	double at; /* unix s */
};
/* The order in which store_maintenance_list returns entries. */
enum store_maintenance_order { STORE_MAINT_NEWEST_FIRST, STORE_MAINT_OLDEST_FIRST };
/* Loads the entries of a station and a kind (either NULL for all) in order into a new array
 * *out of *n entries, at most limit (0: all); free it with store_maintenance_free. Returns 0
 * or negative (then *out is NULL and *n 0). */
int store_maintenance_list(struct store *st, const char *station, const char *kind,
			   enum store_maintenance_order order, size_t limit,
			   struct store_maintenance **out, size_t *n);
/* Frees a list from store_maintenance_list; accepts NULL. */
void store_maintenance_free(struct store_maintenance *m, size_t n);
/* Returns the time of the station's last maintenance of a kind in *at (0 when none); 0 or
 * negative. */
int store_maintenance_last(struct store *st, const char *station, const char *kind, double *at);

#endif
