#include "pvrelief/complain.h"

#include <stdarg.h>
#include <stdio.h>

#include "pvrelief/log.h"

/* Writes a span of seconds as people say it: "45 s", "12 min", "3.5 h", "2.1 days". */
static void span(double s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.1f days", s / 86400);
}

__attribute__((format(printf, 5, 0))) static void say(enum log_level level,
						      const struct complaint *c, double now,
						      const char *tail, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (!tail) {
		log_msg(level, "%s", msg);
		return;
	}
	char d[32];
	span(now - c->since, d, sizeof d);
	log_msg(level, "%s (%s %u failure%s over %s)", msg, tail, c->failures,
		c->failures == 1 ? "" : "s", d);
}

int complain(struct complaint *c, double now, const char *fmt, ...)
{
	if (c->failures == 0)
		c->since = now;
	c->failures++;
	/* Powers of two only: the gaps between log lines double. */
	if ((c->failures & (c->failures - 1)) != 0)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	say(LOG_LEVEL_WARNING, c, now, c->failures > 1 ? "still failing:" : NULL, fmt, ap);
	va_end(ap);
	return 1;
}

int complain_release(struct complaint *c, double now, const char *fmt, ...)
{
	if (c->failures == 0)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	say(LOG_LEVEL_INFO, c, now, "after", fmt, ap);
	va_end(ap);
	c->failures = 0;
	c->since = 0;
	return 1;
}

int complain_failing(const struct complaint *c)
{
	return c->failures > 0;
}
