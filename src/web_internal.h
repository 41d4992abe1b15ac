/* Shared by the console's src/web_*.c files only: the application state, the per-request
 * context, the county model the pages and the API are rendered from, and page helpers. */
#ifndef PVRELIEF_WEB_INTERNAL_H
#define PVRELIEF_WEB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pvrelief/strbuf.h"
#include "pvrelief/web_http.h"
#include "pvrelief/web_i18n.h"

struct config;
struct config_station;
struct clock;
struct store;
struct web_auth;
struct web_form;

/* One station as the overview shows it. */
struct web_station {
	const struct config_station *cfg;
	size_t index;	   /* in the configuration */
	const char *state; /* "producing", "idle", "night", "partial", "offline", "fault",
			    * "unknown" */
	int devices, devices_online, inverters;
	double power_w;			     /* NAN: no reading */
	double energy_today_wh;		     /* 0 when none */
	double eta_day, eta_month, yf_day_h; /* NAN when none */
	int grade_day, grade_month;
	double eth_day_wh, e_act_day_wh, energy_month_wh, eth_month_wh; /* NAN when none */
	double last_seen;     /* newest reading or good poll of any device; 0 never */
	double offline_since; /* when offline: the last time any device was heard; 0 unknown */
	int64_t requests, errors, timeouts;
	int alerts_active;
};

/* The county as the database says now. */
struct web_county {
	double built_wall; /* wall time it was built, for the cache */
	double now;	   /* clock time */
	char today[11], month[8];
	struct web_station *stations; /* in configuration order */
	size_t n_stations;
	int online, producing, faults, offline, night;
	double power_w, energy_today_wh;
	double eta_day, eta_month; /* energy-weighted county figures; NAN none */
	int meeting_target, with_eta_month;
	long alerts_critical, alerts_warning, alerts_info;
	double newest_reading_ts, newest_diag_wall;
	double data_age_s; /* NAN: no reading ever */
	int daemon_silent, daylight;
	long outbox_depth;
	uint64_t newest_alert_id;
};

struct web_app {
	const struct config *cfg;
	struct clock *clk;
	struct web_auth *auth;
	char *db_path;
	struct store *st; /* NULL until the database can be opened */
	char db_error[512];
	struct web_county *county; /* cached for WEB_CACHE_S */
	double silent_after_s;
	const char *version;
	size_t *by_id; /* station indexes sorted by id, for web_station_index */
	/* The province hub's database (web.hub_database or --hub-db), opened read-only on
	 * first use; NULL path: no province pages. */
	char *hub_path;
	struct store *hub;
	char hub_error[512];
};

enum { WEB_CACHE_S = 2 };

/* What a request carries once checked. */
struct web_ctx {
	struct web_app *app;
	const struct web_request *req;
	struct web_reply *rep;
	enum web_lang lang;
	const char *user; /* "" when not logged in */
	char sid[64];
	const char *csrf;
	const char *path;
	int is_post;
	double now;
	/* The model the status bar reads, when the page built its own (a station page); NULL:
	 * the cached county. */
	const struct web_county *status_from;
	/* Set by the province pages: the status bar speaks of the hub's database, and when
	 * its newest message came (wall time; 0 none). */
	int province;
	double hub_newest;
};

#define T(c, zh, en) ((c)->lang == WEB_LANG_EN ? (en) : (zh))

/* ---- web_app.c ---- */
/* Returns the database, opening it on first use; NULL with app->db_error set. */
struct store *web_store(struct web_app *app);
/* Drops the database connection after an error, so the next request opens it again. */
void web_store_reset(struct web_app *app);
/* Starts a page: doctype, head, the navigation (active names the current one) and the
 * status bar (data age, daemon silent). */
void web_page_begin(struct web_ctx *c, const char *title, const char *active);
/* Ends a page: footer and the script. */
void web_page_end(struct web_ctx *c);
/* Answers with an error page: status 400, 403, 404, 429, 503 ..., and a sentence. */
void web_error(struct web_ctx *c, int status, const char *message);
/* Writes the hidden CSRF field of a form. */
void web_csrf_field(struct web_ctx *c);
/* Checks a POST's form (parsed into f) for its CSRF token and a login; answers 403 and
 * returns -1 when either is missing. */
int web_require_write(struct web_ctx *c, const struct web_form *f);
/* Formats a clock time as local "YYYY-MM-DD HH:MM:SS" (or "" for 0) into buf (32 bytes). */
void web_time(const struct web_ctx *c, double t, char *buf);

/* JSON answers (web_json.c). Significant digits of a real: WEB_JSON_DIGITS for the county's
 * API; the province's API gives 17, so that a figure compares exactly with the hub's. */
enum { WEB_JSON_DIGITS = 10, WEB_JSON_EXACT_DIGITS = 17 };
json_t *web_jstr(const char *s); /* never NULL; text that is not UTF-8 is replaced */
json_t *web_jnum(double v);	 /* null when not finite */
json_t *web_jlocal(const struct web_ctx *c, double t); /* local time text; null when t <= 0 */
/* Sends j (taking it) as the answer's JSON body. */
void web_send_json(struct web_ctx *c, json_t *j, int digits);
void web_json_error(struct web_ctx *c, int status, const char *message);
/* Appends a number with the given decimals, or "–" when NAN. */
void web_num(struct strbuf *b, double v, int decimals);
/* Appends a ratio as a percentage with one decimal, or "–" when NAN. */
void web_pct(struct strbuf *b, double v);

/* Returns the hub's database, opened read-only on first use; NULL with app->hub_error set
 * (also when no hub database is configured). */
struct store *web_hub_store(struct web_app *app);
/* Drops the hub's database connection after an error. */
void web_hub_store_reset(struct web_app *app);

/* ---- web_model.c ---- */
/* Returns the county model, built from the database at most WEB_CACHE_S old; NULL with the
 * database's error in app->db_error. Owned by the app. */
const struct web_county *web_county_get(struct web_app *app);
/* Returns a model in which only the station at index (in the configuration) is filled in
 * (the others keep their identity only), built now without the cache: what a station page
 * needs, at a fraction of the whole county's cost. NULL with app->db_error on a database
 * error; the caller frees it with web_county_free. */
struct web_county *web_county_one(struct web_app *app, long index);
/* Frees a county model; accepts NULL. */
void web_county_free(struct web_county *c);
/* Returns the index of a station in the configuration, or -1 (a binary search). */
long web_station_index(const struct web_app *app, const char *id);

/* ---- web_map.c ---- */
/* A station on the map. */
struct web_map_point {
	double lat, lon, capacity_kwp; /* NAN lat or lon: left off the map */
	const char *state;	       /* picks the colour (web_map_colour) */
	const char *href;	       /* where a click goes (a URL already encoded) */
	const char *data_attr, *data;  /* an attribute naming it for scripts and tests */
	const char *title;	       /* its tooltip */
};
/* Returns the colour of a station state on the map and in legends. */
const char *web_map_colour(const char *state);
/* Appends the SVG map of n points with element id and the accessible label, every text
 * escaped. */
void web_map(struct web_ctx *c, const struct web_map_point *p, size_t n, const char *id,
	     const char *label);

/* ---- web_chart.c ---- */
/* A day of the η chart. */
struct web_eta_bar {
	const char *day; /* YYYY-MM-DD */
	double eta, pr;	 /* NAN none */
	int grade;	 /* 1 best .. 4; 0 none */
};
/* Appends the SVG chart of n days (oldest first, the last one at the right of room for
 * days) with the station target, every text escaped. */
void web_eta_chart(struct web_ctx *c, const struct web_eta_bar *d, int n, int days);

/* ---- the pages (web_page_*.c) and the API (web_api.c) ---- */
struct store_console_alert_filter;
/* Fills f from the request's station, kind, state, from and to (days) and limit; answers 400
 * and returns -1 when one is bad. */
int web_alert_filter(struct web_ctx *c, struct store_console_alert_filter *f);
/* Reads the month (YYYY-MM, default the current one) of the request into out[8]; answers 400
 * and returns -1 when it is bad. */
int web_month_param(struct web_ctx *c, const char *name, char out[8]);
void web_page_overview(struct web_ctx *c);
void web_page_station(struct web_ctx *c, const char *id);
void web_page_alerts(struct web_ctx *c);
void web_page_maintenance(struct web_ctx *c);
void web_page_health(struct web_ctx *c);
void web_page_revenue(struct web_ctx *c);
void web_page_revenue_report(struct web_ctx *c);
/* /api/...: rest is the path after "/api/". */
void web_api(struct web_ctx *c, const char *rest);
void web_metrics_page(struct web_ctx *c);
/* The province pages (web_page_province.c): rest is the path after "/province". */
void web_page_province(struct web_ctx *c, const char *rest);
/* /api/province...: rest is the path after "/api/province". */
void web_api_province(struct web_ctx *c, const char *rest);

/* ---- web_province.c: what the province pages and their API read ---- */
struct province_county;
struct province_station;
struct store_hub_read_alert;
struct store_hub_read_day;
struct store_hub_read_month;
struct web_province {
	char day[11], month[8];		  /* the day shown and its month */
	double now;			  /* the console's clock */
	double newest_message;		  /* wall time of the hub's newest message; 0 none */
	struct province_county *counties; /* every county, ordered by id, summed */
	size_t nc;
	struct province_station *stations; /* ordered by county and station */
	size_t ns;
	long county, station; /* indexes of the county and station asked for; -1 none */
	struct store_hub_read_alert *alerts; /* a county's active alerts, a station's events */
	int na;
	struct store_hub_read_day *days; /* a station's 30 days up to day */
	int nd;
	struct store_hub_read_month *months; /* a station's months, newest first */
	int nm;
};
/* Reads, in one read transaction of the hub's database, the province for the request's day
 * (?day=YYYY-MM-DD, default today on the console's clock): every county summed and the
 * stations of county (NULL: of every county); with county, its active alerts; with station
 * too, that station's days, months and alert events. Returns 0, or an HTTP status (400 a bad
 * day, 404 no such county or station, 503 the database) with a sentence in *why. */
int web_province_load(struct web_ctx *c, const char *county, const char *station,
		      struct web_province *p, const char **why);
/* Frees what web_province_load read. */
void web_province_free(struct web_province *p);
/* Reads the request's sort (eta_day, the default, or eta_month) into *by; answers nothing and
 * returns -1 when it is bad. */
int web_province_sort(struct web_ctx *c, int *by);

#endif
