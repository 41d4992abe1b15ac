/* The daemon's lifecycle: start-up in order, the main loop (signals, reload, watchdog), and
 * an orderly stop. */
#ifndef PVRELIEF_DAEMON_H
#define PVRELIEF_DAEMON_H

struct daemon_options {
	const char *config_path;
	int check_only; /* -n: validate the configuration and exit */
	int live;	/* print a per-station line to stdout while running */
	double live_interval_s;
	const char *live_note;	 /* a file whose lines, when it exists, follow the live table */
	const char *clock_start; /* overrides clock.start (implies a simulated clock) */
	double clock_rate;	 /* overrides clock.rate when > 0 */
	double clock_anchor;	 /* wall time at which the simulated clock reads start; 0 = now */
	const char *log_level;	 /* overrides log.level when set */
};

/* Runs the daemon until SIGTERM or SIGINT; returns the process exit status. */
int daemon_run(const struct daemon_options *opt);

#endif
