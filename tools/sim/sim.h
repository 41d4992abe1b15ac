/* The simulator's shared model: the stations and devices it simulates, the gateways that serve
 * them, and who may touch what. The physics thread writes a device's physical state, the
 * control reader writes its faults and each gateway thread reads both to answer requests; all
 * of that goes through the device's lock. A gateway's own flags are atomics. */
#ifndef PVRELIEF_SIM_SIM_H
#define PVRELIEF_SIM_SIM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "physics.h"
#include "pvrelief/sunspec.h"

struct config;
struct config_station;
struct config_device;
struct clock;

enum { SIM_MAX_WINDOWS = 8 };
/* DC inputs (MPPTs) of a simulated SunSpec inverter, served in model 160; the array is split
 * evenly between them. */
enum { SIM_DC_INPUTS = 2 };

/* Periods of simulated time [from, to) in which a fault holds, checked when a request is
 * answered: the control file is looked at once a second of wall time, which at a fast clock
 * is minutes. */
struct sim_windows {
	int n;
	double from[SIM_MAX_WINDOWS], to[SIM_MAX_WINDOWS];
};

/* Returns whether t (unix s of the simulated clock) falls in one of w's periods (state.c). */
int sim_windows_has(const struct sim_windows *w, double t);

/* Faults of one device, as the configuration's sim group and the control file set them. */
struct sim_fault {
	int offline;	       /* reads get no answer; the connection stays open */
	int fault;	       /* state FAULT, no power */
	uint32_t fault_events; /* SunSpec Evt1 bits (vendor alarm bits) while in fault */
	int garbage;	       /* absurd values: huge power, a jump of the lifetime counter */
	int sentinel;	       /* "not implemented" markers instead of measurements */
	int delay_ms;	       /* delay before each reply */
	double health;	       /* multiplies DC power */
	int w_sf_extra;	       /* added to the SunSpec power scale factors (0..3) */
	int reset; /* a reset line is present (the counter drops once when it appears) */
	struct sim_windows offline_at; /* offline in these periods only */
	double limit;		       /* active power limit as a share of the rating, 0 for
					* none: a grid operator's curtailment order; served in
					* model 123 and a vendor map's limit register */
	int limit_quiet;	       /* the limit does not show in the state (no THROTTLED) */
	enum inv_state down;	       /* OFF or STANDBY while the link is up (0: producing) */
	/* The same in periods only (limit_at_share 0 and down_at_state 0: none). */
	struct sim_windows limit_at, down_at;
	double limit_at_share;
	int limit_at_quiet;
	enum inv_state down_at_state;
	unsigned dead_inputs; /* bit i: DC input i + 1 carries nothing (a blown string
			       * fuse): its share of the array is lost */
};

/* What a device's faults make of it at one moment: its periods applied. */
struct sim_now {
	double limit;	     /* share of the rating, 0 for none */
	int limit_quiet;     /* the limit does not show in the state */
	enum inv_state down; /* OFF or STANDBY, 0 for neither */
};

/* Returns into *now what fault f holds at t (unix s of the simulated clock) (state.c). */
void sim_fault_now(const struct sim_fault *f, double t, struct sim_now *now);

struct sim_device {
	const struct config_station *st;
	const struct config_device *dev;
	size_t station_index;
	char *name; /* "STATION/DEVICE" */
	/* Constant after start. */
	double share_w, rated_w;
	struct sunspec_scales scales;

	pthread_mutex_t lock;
	/* Guarded by lock. */
	struct sim_fault fault;
	struct sim_now now;	/* the fault's limit and state at the last physics tick */
	struct physics_env env; /* the station's environment at the last tick */
	double dc_w, ac_w;
	double lifetime_wh, today_wh;
	int64_t day; /* local day of today_wh */
};

struct sim_gateway {
	struct sim *sim;
	int port;
	const char *host;	       /* the configured host, for messages */
	int rtu;		       /* RTU framing over TCP (a 4G data logger), else MBAP */
	struct sim_device *units[256]; /* by unit id; NULL: no such unit */
	/* The device that opened the port and its station, for messages. */
	const struct config_device *first;
	const struct config_station *first_station;
	size_t n_units;
	int listen_fd;		    /* owned by the gateway's thread once it runs */
	atomic_int down;	    /* refuse connections and drop the current one */
	atomic_int hang;	    /* accept and read, never answer */
	pthread_mutex_t win_lock;   /* guards down_at */
	struct sim_windows down_at; /* down in these periods only */
	pthread_t thread;
	int thread_started;
};

struct sim {
	struct config *cfg;
	struct clock *clock;
	const char *bind_addr;
	struct sim_device *devices;
	size_t n_devices;
	struct sim_gateway *gateways;
	size_t n_gateways;
	double tick_t; /* clock time of the last physics tick; physics thread only */
	atomic_int stop;
	int stop_pipe[2]; /* written once at shutdown; every poll() watches the read end */
};

/* Returns the model of every Modbus TCP and RTU-over-TCP device of cfg (serial ones are
 * skipped with a warning), with one gateway per distinct port; exits with a sentence when one
 * port mixes the two. cfg and clock stay owned by the caller. Free with sim_free. */
struct sim *sim_new(struct config *cfg, struct clock *clock, const char *bind_addr);
/* Frees the model; the gateway threads must have ended. Accepts NULL. */
void sim_free(struct sim *sim);
/* Returns the device called "STATION/DEVICE", or NULL. */
struct sim_device *sim_device_find(struct sim *sim, const char *station, const char *device);
/* Returns the gateway listening on port, or NULL. */
struct sim_gateway *sim_gateway_find(struct sim *sim, int port);

#endif
