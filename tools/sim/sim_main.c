/* pvrelief-sim: a county of inverters and irradiance sensors served over Modbus TCP on
 * loopback, read from the same configuration file as the daemon, so the demo, the integration
 * tests and the benchmarks can run the daemon against real Modbus peers. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "control.h"
#include "pvrelief/clock.h"
#include "pvrelief/clockopt.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/log.h"
#include "pvrelief/timefmt.h"
#include "pvrelief/xalloc.h"
#include "server.h"
#include "sim.h"
#include "state.h"

#define SIM_TICK_MS 200

struct options {
	const char *config_path;
	const char *clock_start;
	double clock_rate, clock_anchor;
	const char *control_path;
	const char *bind_addr;
	const char *ready_file;
	const char *log_level;
	int check_only;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pvrelief-sim -c CONF [options]\n"
		"  -c, --config FILE       station configuration (the daemon's file)\n"
		"  -n, --check             check the configuration and exit\n"
		"      --clock-start TIME  run on a simulated clock starting at TIME\n"
		"                          (\"2026-06-21 05:00:00+08:00\")\n"
		"      --clock-rate R      simulated seconds per real second (0.01..3600)\n"
		"      --clock-anchor T    wall time (unix seconds) at which the simulated clock\n"
		"                          reads its start; give the daemon the same value\n"
		"      --control FILE      fault-injection file, re-read when it changes: the\n"
		"                          whole fault state, one fault a line (below); the\n"
		"                          problems of a bad line go to the log and to\n"
		"                          FILE.errors, removed once the file reads clean\n"
		"      --bind ADDR         address to listen on (default 127.0.0.1)\n"
		"      --ready-file FILE   written once every port listens\n"
		"  -v, --log-level LEVEL   error, warning, info or debug\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n"
		"\n"
		"Control file lines (DEVICE \"*\" is every device of the station; # comments):\n"
		"  STATION/DEVICE offline          no answer to requests\n"
		"  STATION/DEVICE fault [BITS]     state FAULT with Evt1 BITS (default 0x80)\n"
		"  STATION/DEVICE reset            lifetime counter back to 0, once\n"
		"  STATION/DEVICE garbage          absurd values (3 x rating, counter +1e9 Wh)\n"
		"  STATION/DEVICE sentinel         \"not implemented\" instead of measurements\n"
		"  STATION/DEVICE delay MS         replies delayed by MS ms (0..60000)\n"
		"  STATION/DEVICE health X         DC power times X (0..1.2): soiling, shading\n"
		"  STATION/DEVICE wsf N            power scale factors N steps coarser (0..3)\n"
		"  STATION/DEVICE ok               back to the configuration's state\n"
		"  gateway PORT down|hang|ok       gateway closed, silent, or back to normal\n");
}

static double parse_number(const char *what, const char *text)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || *end) {
		fprintf(stderr, "pvrelief-sim: %s \"%s\" is not a number\n", what, text);
		exit(2);
	}
	return v;
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	enum {
		OPT_CLOCK_START = 256,
		OPT_CLOCK_RATE,
		OPT_CLOCK_ANCHOR,
		OPT_CONTROL,
		OPT_BIND,
		OPT_READY
	};
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", no_argument, NULL, 'n'},
	    {"clock-start", required_argument, NULL, OPT_CLOCK_START},
	    {"clock-rate", required_argument, NULL, OPT_CLOCK_RATE},
	    {"clock-anchor", required_argument, NULL, OPT_CLOCK_ANCHOR},
	    {"control", required_argument, NULL, OPT_CONTROL},
	    {"bind", required_argument, NULL, OPT_BIND},
	    {"ready-file", required_argument, NULL, OPT_READY},
	    {"log-level", required_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "c:nv:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opt->config_path = optarg;
			break;
		case 'n':
			opt->check_only = 1;
			break;
		case OPT_CLOCK_START:
			opt->clock_start = optarg;
			break;
		case OPT_CLOCK_RATE:
			opt->clock_rate = parse_number("--clock-rate", optarg);
			if (opt->clock_rate < 0.01 || opt->clock_rate > 3600) {
				fprintf(stderr, "pvrelief-sim: --clock-rate must be 0.01..3600\n");
				exit(2);
			}
			break;
		case OPT_CLOCK_ANCHOR:
			opt->clock_anchor = parse_number("--clock-anchor", optarg);
			break;
		case OPT_CONTROL:
			opt->control_path = optarg;
			break;
		case OPT_BIND:
			opt->bind_addr = optarg;
			break;
		case OPT_READY:
			opt->ready_file = optarg;
			break;
		case 'v':
			if (log_level_parse(optarg) < 0) {
				fprintf(stderr, "pvrelief-sim: unknown log level \"%s\"\n", optarg);
				exit(2);
			}
			opt->log_level = optarg;
			break;
		case 'V':
			printf("pvrelief-sim %s\n", PVRELIEF_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pvrelief-sim: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (!opt->config_path) {
		fprintf(stderr, "pvrelief-sim: -c CONF is required\n");
		usage(stderr);
		exit(2);
	}
}

/* A county of gateways needs a descriptor per listening socket and per client. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warn("cannot raise the open-file limit to %llu: %s",
			 (unsigned long long)rl.rlim_max, strerror(errno));
}

static void write_ready_file(const char *path, const struct sim *sim)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f ||
	    fprintf(f, "%ld %zu %zu\n", (long)getpid(), sim->n_gateways, sim->n_devices) < 0 ||
	    fclose(f) != 0 || rename(tmp, path) != 0)
		fatal("%s: cannot write the ready file: %s", path, strerror(errno));
	free(tmp);
}

/* Advances the physics until shutdown. */
static void *tick_run(void *arg)
{
	struct sim *sim = arg;
	while (!atomic_load(&sim->stop)) {
		state_advance(sim, clock_now(sim->clock));
		struct pollfd p = {.fd = sim->stop_pipe[0], .events = POLLIN};
		poll(&p, 1, SIM_TICK_MS);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct options opt = {.bind_addr = "127.0.0.1"};
	parse_options(argc, argv, &opt);
	log_init("pvrelief-sim", 0, LOG_LEVEL_INFO);

	struct errlist errs = {0};
	struct config *cfg = config_load(opt.config_path, &errs);
	if (!cfg) {
		char *msg = errlist_join(&errs);
		fprintf(stderr, "%s\n", msg);
		fatal("%s: the configuration has errors; nothing started", opt.config_path);
	}
	errlist_clear(&errs);
	const char *level = opt.log_level ? opt.log_level : cfg->log.level;
	if (level && log_level_parse(level) >= 0)
		log_init("pvrelief-sim", 0, (enum log_level)log_level_parse(level));
	if (opt.check_only) {
		printf("%s: %zu stations, %zu devices\n", opt.config_path, cfg->n_stations,
		       config_device_count(cfg));
		config_free(cfg);
		return 0;
	}
	char err[200];
	struct clock *clock =
	    clockopt_build(cfg, opt.clock_start, opt.clock_rate, opt.clock_anchor, err, sizeof err);
	if (!clock)
		fatal("%s", err);

	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	/* Every thread inherits this mask, so the signals reach only sigtimedwait below. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	struct sim *sim = sim_new(cfg, clock, opt.bind_addr);
	if (pipe(sim->stop_pipe) != 0)
		fatal("cannot create the shutdown pipe: %s", strerror(errno));
	if (sim->n_gateways == 0)
		fatal("%s: no Modbus TCP or RTU-over-TCP device to simulate", opt.config_path);
	struct control *control = control_new(sim, opt.control_path);
	state_init(sim, clock_now(clock));
	for (size_t i = 0; i < sim->n_devices; i++)
		state_choose_scales(&sim->devices[i]);

	server_listen_all(sim);
	server_start(sim);
	pthread_t tick;
	if (pthread_create(&tick, NULL, tick_run, sim) != 0)
		fatal("cannot start the physics thread");
	if (opt.ready_file)
		write_ready_file(opt.ready_file, sim);
	char now[32];
	timefmt_local(clock_now(clock), cfg->utc_offset_s, now, sizeof now);
	log_info("ready: %zu gateways, %zu devices (clock %s, rate %g)", sim->n_gateways,
		 sim->n_devices, now, clock_rate(clock));

	for (;;) {
		struct timespec second = {.tv_sec = 1};
		int sig = sigtimedwait(&sigs, NULL, &second);
		if (sig == SIGINT || sig == SIGTERM) {
			log_info("signal %d: shutting down", sig);
			break;
		}
		control_poll(control);
	}

	atomic_store(&sim->stop, 1);
	if (write(sim->stop_pipe[1], "x", 1) != 1)
		log_warn("cannot wake the threads: %s", strerror(errno));
	pthread_join(tick, NULL);
	server_join(sim);
	close(sim->stop_pipe[0]);
	close(sim->stop_pipe[1]);
	control_free(control);
	sim_free(sim);
	clock_free(clock);
	config_free(cfg);
	if (opt.ready_file)
		unlink(opt.ready_file);
	return 0;
}
