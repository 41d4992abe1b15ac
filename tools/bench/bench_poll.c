/* Polling benchmark. Runs the real poller on a configuration until every device has been
 * polled a number of times, or (--raw) a minimal libmodbus loop reading the same registers
 * from the same gateways with the same number of threads, and prints figures: devices polled
 * per second, cycle spans, CPU seconds and peak RSS. tools/bench/poll drives it. */
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <modbus.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/clock.h"
#include "pvrelief/clockopt.h"
#include "pvrelief/config.h"
#include "pvrelief/errlist.h"
#include "pvrelief/log.h"
#include "pvrelief/poller.h"
#include "pvrelief/store.h"
#include "pvrelief/xalloc.h"

enum { MAX_CYCLES = 16 };

struct tally {
	pthread_mutex_t lock;
	size_t n_devs;
	size_t *index_of_station; /* first device index of each station */
	int *polls;
	double (*at)[MAX_CYCLES]; /* real monotonic time of each device's k-th poll */
	size_t complete[MAX_CYCLES];
	unsigned long ok, failed;
};

static void on_result(void *ctx, const struct poller_result *res)
{
	struct tally *t = ctx;
	size_t i = t->index_of_station[res->station] + res->device;
	double now = clock_monotonic_now();
	pthread_mutex_lock(&t->lock);
	/* Only answered polls count: a dead simulator must not look fast. */
	if (res->ok) {
		int k = t->polls[i]++;
		if (k < MAX_CYCLES) {
			t->at[i][k] = now;
			t->complete[k]++;
		}
		t->ok++;
	} else {
		t->failed++;
	}
	pthread_mutex_unlock(&t->lock);
}

/* Another writer on the same database, as the daemon's main thread is (efficiency results,
 * alerts, the MQTT outbox) and the command-line tool is (imports): a small transaction every
 * 100 ms at normal priority, timed from asking for the write lock to the commit. While the
 * poller runs flat out the CPU is saturated, so this shows how long the low-priority writer
 * can keep the lock from others. */
struct probe {
	const char *path;
	atomic_int stop;
	double longest_s;
	unsigned long n, failed;
};

static void *probe_main(void *arg)
{
	struct probe *pr = arg;
	char err[256];
	struct store *st = store_open(pr->path, 0, err, sizeof err);
	if (!st) {
		fprintf(stderr, "probe: %s\n", err);
		return NULL;
	}
	while (!atomic_load(&pr->stop)) {
		double t0 = clock_monotonic_now();
		int ok = store_begin(st) == 0 && store_meta_set(st, "bench_probe", "1") == 0 &&
			 store_commit(st) == 0;
		if (ok)
			pr->n++;
		else
			pr->failed++;
		pr->longest_s = fmax(pr->longest_s, clock_monotonic_now() - t0);
		usleep(100000);
	}
	store_close(st);
	return NULL;
}

static void print_usage_figures(double wall_s)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
		     ru.ru_stime.tv_usec / 1e6;
	printf("wall seconds:        %.2f\n", wall_s);
	printf("CPU seconds:         %.2f (%.0f%% of one core)\n", cpu, 100.0 * cpu / wall_s);
	printf("peak RSS:            %.1f MB\n", ru.ru_maxrss / 1024.0);
}

static int run_poller(const struct config *cfg, struct clock *clk, int cycles, double limit_s)
{
	struct tally t = {.n_devs = config_device_count(cfg)};
	pthread_mutex_init(&t.lock, NULL);
	t.index_of_station = xcalloc(cfg->n_stations, sizeof *t.index_of_station);
	for (size_t s = 0, k = 0; s < cfg->n_stations; k += cfg->stations[s].n_devices, s++)
		t.index_of_station[s] = k;
	t.polls = xcalloc(t.n_devs, sizeof *t.polls);
	t.at = xcalloc(t.n_devs, sizeof *t.at);
	struct poller *p = poller_new(cfg, clk);
	if (!p)
		return 1;
	poller_set_listener(p, on_result, &t);
	double t0 = clock_monotonic_now();
	if (poller_start(p) != 0)
		return 1;
	struct probe pr = {.path = cfg->database.path};
	pthread_t probe_thread;
	pthread_create(&probe_thread, NULL, probe_main, &pr);
	for (;;) {
		usleep(100000);
		pthread_mutex_lock(&t.lock);
		size_t done = t.complete[cycles - 1];
		pthread_mutex_unlock(&t.lock);
		if (done >= t.n_devs || clock_monotonic_now() - t0 > limit_s)
			break;
	}
	double wall = clock_monotonic_now() - t0;
	struct poller_stats st;
	poller_get_stats(p, &st);
	atomic_store(&pr.stop, 1);
	pthread_join(probe_thread, NULL);
	poller_stop(p);

	printf("mode:                poller (%d workers)\n", cfg->polling.workers);
	printf("devices:             %zu on %zu stations\n", t.n_devs, cfg->n_stations);
	printf("polls:               %lu ok, %lu failed, %llu requests\n", t.ok, t.failed,
	       (unsigned long long)st.requests);
	for (int k = 0; k < cycles; k++) {
		double lo = INFINITY, hi = -INFINITY;
		for (size_t i = 0; i < t.n_devs; i++)
			if (t.polls[i] > k) {
				lo = fmin(lo, t.at[i][k]);
				hi = fmax(hi, t.at[i][k]);
			}
		printf("cycle %d:             %zu of %zu devices polled, span %.2f s%s\n", k + 1,
		       t.complete[k], t.n_devs, isfinite(hi) ? hi - lo : 0.0,
		       k == 0 ? " (includes SunSpec discovery)" : "");
	}
	/* The 60 s question: the longest and the mean gap between two polls of one device. */
	double gap_max = 0, gap_sum = 0, steady_max = 0, steady_sum = 0;
	unsigned long gaps = 0, steady = 0;
	for (size_t i = 0; i < t.n_devs; i++)
		for (int k = 1; k < cycles && k < t.polls[i]; k++) {
			double g = t.at[i][k] - t.at[i][k - 1];
			gap_max = fmax(gap_max, g);
			gap_sum += g;
			gaps++;
			/* From the second gap on: the first carries the backlog of discovery. */
			if (k >= 2) {
				steady_max = fmax(steady_max, g);
				steady_sum += g;
				steady++;
			}
		}
	printf("gap between polls:   longest %.2f s, mean %.2f s (real time; interval %d s of "
	       "clock at %gx)\n",
	       gap_max, gaps ? gap_sum / gaps : 0.0, cfg->polling.fast_interval_s, clock_rate(clk));
	if (steady)
		printf("steady gap:          longest %.2f s, mean %.2f s (after the first cycle)\n",
		       steady_max, steady_sum / steady);
	/* Steady throughput: polls after the first cycle over the time they took. */
	double first_end = -INFINITY, last = -INFINITY;
	unsigned long later = 0;
	for (size_t i = 0; i < t.n_devs; i++) {
		if (t.polls[i] > 0)
			first_end = fmax(first_end, t.at[i][0]);
		for (int k = 1; k < cycles && k < t.polls[i]; k++) {
			later++;
			last = fmax(last, t.at[i][k]);
		}
	}
	double rate = later && last > first_end ? later / (last - first_end) : 0;
	printf("throughput:          %.0f devices/s after the first cycle\n", rate);
	printf("open connections:    %d, highest socket number %d\n", st.open_connections,
	       st.max_fd);
	printf("rows written:        %llu (pending %llu, write failures %llu)\n",
	       (unsigned long long)st.rows_written, (unsigned long long)st.rows_pending,
	       (unsigned long long)st.write_failures);
	printf("other writer:        longest wait for the database %.3f s in %lu transactions "
	       "(%lu failed)\n",
	       pr.longest_s, pr.n, pr.failed);
	print_usage_figures(wall);
	printf("RESULT poller_rate=%.1f gap_max=%.2f\n", rate, gap_max);
	poller_free(p);
	free(t.polls);
	free(t.at);
	free(t.index_of_station);
	return 0;
}

/* ---- the raw loop ---- */

struct raw_gw {
	const char *host;
	int port;
	int units[256];
	int n_units;
};

struct raw_job {
	struct raw_gw *gws;
	size_t n_gws, next;
	int rounds;
	pthread_mutex_t lock;
	unsigned long reads, errors;
};

static void *raw_worker(void *arg)
{
	struct raw_job *job = arg;
	uint16_t regs[125];
	for (;;) {
		pthread_mutex_lock(&job->lock);
		size_t g = job->next++;
		pthread_mutex_unlock(&job->lock);
		if (g >= job->n_gws)
			break;
		char service[16];
		snprintf(service, sizeof service, "%d", job->gws[g].port);
		modbus_t *ctx = modbus_new_tcp_pi(job->gws[g].host, service);
		unsigned long reads = 0, errors = 0;
		if (ctx && modbus_connect(ctx) == 0) {
			modbus_set_response_timeout(ctx, 2, 0);
			for (int r = 0; r < job->rounds; r++)
				for (int u = 0; u < job->gws[g].n_units; u++) {
					modbus_set_slave(ctx, job->gws[g].units[u]);
					/* The SunSpec inverter model the poller reads each poll. */
					if (modbus_read_registers(ctx, 40070, 52, regs) == 52)
						reads++;
					else
						errors++;
				}
			modbus_close(ctx);
		} else {
			errors++;
		}
		modbus_free(ctx);
		pthread_mutex_lock(&job->lock);
		job->reads += reads;
		job->errors += errors;
		pthread_mutex_unlock(&job->lock);
	}
	return NULL;
}

static int run_raw(const struct config *cfg, int threads, int rounds, int hold)
{
	struct raw_job job = {.rounds = rounds};
	pthread_mutex_init(&job.lock, NULL);
	job.gws = xcalloc(config_device_count(cfg), sizeof *job.gws);
	for (size_t s = 0; s < cfg->n_stations; s++)
		for (size_t d = 0; d < cfg->stations[s].n_devices; d++) {
			const struct config_device *dev = &cfg->stations[s].devices[d];
			struct raw_gw *gw = NULL;
			for (size_t g = 0; g < job.n_gws && !gw; g++)
				if (job.gws[g].port == dev->port &&
				    !strcmp(job.gws[g].host, dev->host))
					gw = &job.gws[g];
			if (!gw) {
				gw = &job.gws[job.n_gws++];
				gw->host = dev->host;
				gw->port = dev->port;
			}
			if (gw->n_units < 256 && dev->role == CONFIG_INVERTER)
				gw->units[gw->n_units++] = dev->unit_id;
		}
	/* --hold N: descriptors held open first, as a poller holding N connections has them,
	 * so that the loop's sockets are numbered as high (select() costs more the higher). */
	for (int i = 0; i < hold; i++)
		if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0)
			break;
	pthread_t *th = xcalloc((size_t)threads, sizeof *th);
	double t0 = clock_monotonic_now();
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, raw_worker, &job);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	double wall = clock_monotonic_now() - t0;
	double rate = job.reads / wall;
	printf("mode:                raw libmodbus loop (%d threads, %d rounds)\n", threads,
	       rounds);
	printf("reads:               %lu ok, %lu failed\n", job.reads, job.errors);
	printf("throughput:          %.0f devices/s\n", rate);
	print_usage_figures(wall);
	printf("RESULT raw_rate=%.1f\n", rate);
	free(th);
	free(job.gws);
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_START = 256, OPT_RATE, OPT_ANCHOR };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"cycles", required_argument, NULL, 'k'},
	    {"raw", no_argument, NULL, 'r'},
	    {"threads", required_argument, NULL, 't'},
	    {"limit", required_argument, NULL, 'l'},
	    {"clock-start", required_argument, NULL, OPT_START},
	    {"clock-rate", required_argument, NULL, OPT_RATE},
	    {"hold", required_argument, NULL, 'H'},
	    {NULL, 0, NULL, 0}};
	const char *conf = NULL, *start = NULL;
	int cycles = 3, raw = 0, threads = 0, hold = 0, c;
	double limit = 900, rate = 0;
	while ((c = getopt_long(argc, argv, "c:k:rt:l:H:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'k':
			cycles = (int)strtol(optarg, NULL, 10);
			break;
		case 'r':
			raw = 1;
			break;
		case 't':
			threads = (int)strtol(optarg, NULL, 10);
			break;
		case 'l':
			limit = strtod(optarg, NULL);
			break;
		case 'H':
			hold = (int)strtol(optarg, NULL, 10);
			break;
		case OPT_START:
			start = optarg;
			break;
		case OPT_RATE:
			rate = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: pvrelief-bench-poll -c CONF [--cycles K] [--raw] "
					"[--threads N] [--hold N] [--limit S] [--clock-start T "
					"--clock-rate R]\n");
			return 2;
		}
	}
	if (!conf || cycles < 1 || cycles > MAX_CYCLES) {
		fprintf(stderr, "pvrelief-bench-poll: -c CONF and 1..%d cycles are needed\n",
			MAX_CYCLES);
		return 2;
	}
	log_init("bench", 0, LOG_LEVEL_ERROR);
	signal(SIGPIPE, SIG_IGN);
	struct errlist errs = {0};
	struct config *cfg = config_load(conf, &errs);
	if (!cfg) {
		char *all = errlist_join(&errs);
		fprintf(stderr, "%s\n", all);
		return 1;
	}
	int rc;
	if (raw) {
		rc = run_raw(cfg, threads > 0 ? threads : cfg->polling.workers, cycles, hold);
	} else {
		char err[256];
		struct clock *clk = clockopt_build(cfg, start, rate, 0, err, sizeof err);
		if (!clk) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		rc = run_poller(cfg, clk, cycles, limit);
		clock_free(clk);
	}
	config_free(cfg);
	return rc;
}
