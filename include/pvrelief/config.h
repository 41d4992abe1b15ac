/* Configuration: the county -> towns -> villages -> stations -> devices tree and every
 * setting of the daemon and the CLI, loaded from one libconfig file and validated as a whole
 * before anything starts. The structures are plain data, owned by struct config. */
#ifndef PVRELIEF_CONFIG_H
#define PVRELIEF_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/errlist.h"

struct regmap;

enum config_transport { CONFIG_TCP, CONFIG_RTU, CONFIG_RTU_OVER_TCP };
enum config_role { CONFIG_INVERTER, CONFIG_SENSOR };
enum config_clock_mode { CONFIG_CLOCK_REAL, CONFIG_CLOCK_SIMULATED };
enum config_basis { CONFIG_BASIS_HORIZONTAL, CONFIG_BASIS_POA };
enum config_transposition { CONFIG_TRANSPOSITION_ISOTROPIC, CONFIG_TRANSPOSITION_HAY_DAVIES };
enum config_pay_mode { CONFIG_PAY_PRO_RATA, CONFIG_PAY_GRADE };
enum config_webhook_kind {
	CONFIG_WEBHOOK_WECOM,
	CONFIG_WEBHOOK_DINGTALK,
	CONFIG_WEBHOOK_FEISHU,
	CONFIG_WEBHOOK_JSON
};

struct config_town {
	char *id, *name;
};

struct config_village {
	char *id, *name;
	size_t town; /* index into config.towns */
};

/* Settings the simulator uses for a device; the daemon ignores them. */
struct config_sim {
	double health;	  /* 1.0 healthy, 0.5 badly soiled; range 0..1.2 */
	int offline;	  /* starts not answering */
	int delay_ms;	  /* reply delay, models a 4G link */
	int float_model;  /* SunSpec float model 113 instead of 103 */
	int der_controls; /* the power limit in SunSpec model 704 instead of 123 */
};

struct config_device {
	char *id;
	enum config_role role;
	enum config_transport transport;
	char *host; /* TCP and RTU over TCP */
	int port;
	char *serial_device; /* RTU */
	int baud, data_bits, stop_bits;
	char parity; /* 'N', 'E' or 'O' */
	int unit_id;
	char *protocol;	      /* "sunspec" or a map name under maps_dir */
	struct regmap *map;   /* resolved map, NULL for SunSpec; owned by the config */
	double rated_power_w; /* 0: read from the device's nameplate */
	double dc_kwp;	      /* inverters: the DC capacity behind it, its share of P_stc */
	struct config_sim sim;
	int line; /* where it was defined, for messages */
};

struct config_share {
	size_t village; /* index into config.villages */
	uint32_t parts; /* this village's parts of the station's revenue */
};

/* A grid operator's curtailment order (dispatch): the station's active power held at
 * limit_pct of its rating over [from_s, to_s). */
struct config_curtailment {
	double from_s, to_s; /* unix s */
	double limit_pct;    /* 0-100 % of the station's AC rating */
};

struct config_station {
	char *id, *name;
	size_t village; /* the village that operates it (index) */
	double lat_deg, lon_deg, altitude_m;
	double capacity_kwp; /* installed DC capacity P_stc */
	double tilt_deg;
	double azimuth_deg; /* clockwise from north, 180 = due south */
	double k_coeff;	    /* comprehensive efficiency coefficient K of GB 50797 */
	double albedo;
	int64_t tariff_mfen_per_kwh;	       /* whole tariff, thousandths of a fen per kWh */
	int64_t coal_tariff_mfen_per_kwh;      /* part the grid pays with each settlement */
	double monthly_irradiation_kwh_m2[12]; /* typical-year horizontal irradiation; 0 = unset */
	double export_limit_w; /* permanent export cap agreed with the grid; 0 none: a limit at or
				* above it is not curtailment */
	double link_budget_mb; /* monthly budget of each of its gateways' links (a SIM plan) in
				* MB of 10^6 bytes; 0 none */
	int link_adaptive;     /* stretch the fast interval to keep within link_budget_mb */
	struct config_curtailment *curtailment; /* this station's dispatch orders */
	size_t n_curtailment;
	struct config_share *shares;
	size_t n_shares;
	struct config_device *devices;
	size_t n_devices;
	int line;
};

struct config_webhook {
	char *name;
	enum config_webhook_kind kind;
	char *url;
	char *secret_file; /* DingTalk signing secret, read at start */
	char *secret;
	int timeout_ms;
};

struct config {
	char *path; /* the file loaded */
	char *maps_dir;
	char *county_id, *county_name;
	int utc_offset_s; /* the county's local time offset, for days and months */
	struct config_town *towns;
	size_t n_towns;
	struct config_village *villages;
	size_t n_villages;
	struct config_station *stations;
	size_t n_stations;
	struct config_curtailment *curtailment; /* dispatch orders for every station */
	size_t n_curtailment;
	struct regmap **maps; /* distinct maps in use, owned */
	char **map_names;
	size_t n_maps;

	struct {
		enum config_clock_mode mode;
		double start_unix; /* simulated time at the anchor */
		double rate;	   /* simulated seconds per real second */
	} clock;
	struct {
		char *level;
		int syslog;
	} log;
	struct {
		char *path;
		int retention_days;
		int max_size_mb; /* 0: unlimited */
	} database;
	struct {
		int fast_interval_s;	 /* power and state */
		int energy_interval_s;	 /* energy counters and events */
		int identity_interval_s; /* nameplate and identity */
		int strings_interval_s;	 /* each DC input's current (SunSpec model 160), by day */
		int limit_interval_s;	 /* the power limit (SunSpec model 123/704), by day */
		int timeout_ms;
		int retries;
		int unit_gap_ms; /* quiet time between unit ids on one endpoint */
		int workers;
		int max_backoff_s;
		int night_interval_s;
		double night_elevation_deg; /* sun below this is night */
		int max_connections;
	} polling;
	struct {
		int enabled;
		char *host;
		int port;
		char *client_id;
		char *prefix;
		int keepalive_s;
		int tls;
		char *ca_file, *cert_file, *key_file;
		char *username;
		char *password_file;
		char *password; /* read from password_file at load */
		int ha_discovery;
		char *ha_prefix;
	} mqtt;
	/* The uplink to the province broker (docs/uplink.md): its own connection and outbox. */
	struct {
		int enabled;
		char *host;
		int port;
		char *client_id; /* default: the county id, which the broker's ACL names */
		char *prefix;	 /* topics are <prefix>/<county>/... */
		int keepalive_s;
		int tls;
		char *ca_file, *cert_file, *key_file;
		char *username;
		char *password_file;
		char *password;	     /* read from password_file at load */
		int live_interval_s; /* seconds of clock between live summaries */
		double deadband_w;   /* a station's power change below this is not sent */
		int heartbeat_s;     /* a station is sent at least this often anyway */
	} uplink;
	struct {
		enum config_basis basis;
		enum config_transposition transposition;
		double k_default;
		double station_target;
		double county_target;
		double linke_turbidity;
		char *weather_url; /* empty: no weather service */
		int weather_timeout_ms;
		int weather_refresh_s;
		int interval_s; /* seconds between passes of the efficiency engine */
		double monthly_irradiation_kwh_m2[12]; /* county default; 0 = unset */
	} efficiency;
	struct {
		int low_eff_days;
		double min_irradiance_w_m2;
		double min_irradiation_kwh_m2;
		double pr_drop_fraction;
		int offline_minutes;
		int fault_minutes;
		double anomaly_rate;
		int raise_delay_s;
		double clear_hysteresis;
		int burst_cap;
		int inspection_days;
		double soiling_drop;
		char *language;
		struct config_webhook *webhooks;
		size_t n_webhooks;
	} alerts;
	struct {
		uint32_t posts_bp, public_works_bp, rewards_bp, om_reserve_bp;
		uint32_t min_posts_bp;
		int notice_days;
		enum config_pay_mode pay_mode;
		uint32_t grade_bp[4]; /* A, B, C, D */
		double reconcile_tolerance;
		char *notice_contact; /* complaint channel on notices, "" when not set */
	} revenue;
	/* The operations console pvrelief-web; the daemon ignores it. */
	struct {
		char *address; /* numeric IPv4 or IPv6 address to listen on */
		int port;
		char *tls_cert_file, *tls_key_file; /* PEM; both empty: plain HTTP */
		int read_requires_login;
		char *users_file; /* "name:crypt-hash" lines; empty: nobody can log in */
		int session_minutes;
		int max_clients;    /* connections served at once */
		int login_attempts; /* failed logins allowed per address per 15 minutes */
		int silent_after_s; /* no device polled for this long: "daemon silent" */
		char *hub_database; /* the province hub's database, read-only; "": none */
	} web;
};

/* Loads and validates a configuration file; on any problem returns NULL and appends every
 * problem to errs as "file:line: sentence". The caller frees the result with config_free. */
struct config *config_load(const char *path, struct errlist *errs);
/* Frees a configuration and everything it owns; accepts NULL. */
void config_free(struct config *cfg);
/* Returns the station with this id, or NULL. */
const struct config_station *config_station_find(const struct config *cfg, const char *id);
/* Returns the number of devices in all stations. */
size_t config_device_count(const struct config *cfg);
/* Writes the name of the gateway (the endpoint the poller dials: "host:port", or the serial
 * device) through which device c is reached into buf of len bytes. */
void config_gateway_name(const struct config_device *c, char *buf, size_t len);
/* Parses "YYYY-MM-DD HH:MM:SS" with an optional "+HH:MM" or "Z" offset (UTC when absent)
 * into unix seconds; returns 0 or -1. */
int config_parse_time(const char *text, double *unix_s);

#endif
