#include "pvrelief/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *log_progname = "pvrelief";
static int log_syslog;
static enum log_level log_max = LOG_LEVEL_INFO;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void log_init(const char *progname, int use_syslog, enum log_level level)
{
	pthread_mutex_lock(&log_lock);
	if (log_syslog)
		closelog();
	log_progname = progname;
	log_syslog = use_syslog;
	log_max = level;
	if (use_syslog)
		openlog(progname, LOG_PID, LOG_DAEMON);
	pthread_mutex_unlock(&log_lock);
}

int log_level_parse(const char *name)
{
	for (int i = 0; i < (int)(sizeof level_names / sizeof level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char buf[2048];

	if (level > log_max)
		return;
	vsnprintf(buf, sizeof buf, fmt, ap);
	pthread_mutex_lock(&log_lock);
	if (log_syslog) {
		syslog(prio[level], "%s", buf);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s %s[%s]: %s\n", stamp, log_progname, level_names[level], buf);
	}
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
