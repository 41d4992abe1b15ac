/* The link traffic table behind `pvrelief health --links`: each gateway's bytes today and this
 * month with the month's projection against its budget, and each device's share. Pure: the
 * caller fills it from the configuration and the store (link_day). */
#ifndef PVRELIEF_LINKVIEW_H
#define PVRELIEF_LINKVIEW_H

#include <stddef.h>
#include <stdint.h>

struct linkview_device {
	const char *station, *device; /* borrowed */
	int64_t today_bytes, month_bytes;
	int64_t today_polls, month_polls;
};

struct linkview_gateway {
	const char *name;    /* borrowed: "host:port" or a serial device */
	const char *station; /* borrowed: the station of its first device */
	double budget_mb;    /* 0: none */
	int adaptive;
	double fast_s;			/* the configured fast interval */
	double interval_s;		/* the fast interval at the newest poll; 0: not known */
	int64_t conn_today, conn_month; /* the connection's own bytes */
	struct linkview_device *devs;	/* owned by the caller */
	size_t n_devs;
	/* Filled by linkview_finish. */
	int64_t today_bytes, month_bytes;
	double projection_bytes;
	int over_budget, stretched;
};

struct linkview {
	char month[8], day[11]; /* the month and the day shown as "today" */
	double elapsed_s;	/* of the month, up to now or its end */
	double month_s;		/* the month's length */
	struct linkview_gateway *gws;
	size_t n_gws;
	/* What the gatherer allocated for the names and devices (link_gather_free). */
	void *owned_names, *owned_devs;
};

/* Sums each gateway's bytes and computes its projection and whether it passes its budget. */
void linkview_finish(struct linkview *v);
/* Returns the view as a table (json 0) or as the JSON of docs/health-json.md ("links");
 * the caller frees it. */
char *linkview_render(const struct linkview *v, int json);

#endif
