#include "pvrelief/periodic.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "pvrelief/clock.h"
#include "pvrelief/log.h"
#include "pvrelief/xalloc.h"

struct periodic {
	struct clock *clk;
	double interval_s;
	periodic_fn fn;
	void *ctx;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* signalled to stop; waits use CLOCK_MONOTONIC */
	int stopping;
	pthread_t thread;
};

static void *run(void *arg)
{
	struct periodic *p = arg;
	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		pthread_mutex_unlock(&p->lock);
		p->fn(p->ctx, clock_now(p->clk));
		/* The wait is in real time on the monotonic clock, so a wall-clock jump neither
		 * skips rounds nor stalls them. */
		double wait_s = clock_to_real_s(p->clk, p->interval_s);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		double end = until.tv_sec + until.tv_nsec / 1e9 + wait_s;
		until.tv_sec = (time_t)end;
		until.tv_nsec = (long)((end - floor(end)) * 1e9);
		pthread_mutex_lock(&p->lock);
		while (!p->stopping && pthread_cond_timedwait(&p->cond, &p->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct periodic *periodic_start(struct clock *clk, double interval_s, periodic_fn fn, void *ctx,
				const char *name)
{
	struct periodic *p = xcalloc(1, sizeof *p);
	p->clk = clk;
	p->interval_s = interval_s;
	p->fn = fn;
	p->ctx = ctx;
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&p->lock, NULL);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		log_err("%s: cannot start its thread", name);
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void periodic_stop(struct periodic *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
