#include "pvrelief/notify.h"

#include <stdint.h>
#include <systemd/sd-daemon.h>

void notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void notify_reloading(int reloading)
{
	sd_notify(0, reloading ? "RELOADING=1" : "READY=1");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

double notify_watchdog_period_s(void)
{
	uint64_t usec = 0;
	return sd_watchdog_enabled(0, &usec) > 0 ? (double)usec / 1e6 : 0.0;
}

void notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}
