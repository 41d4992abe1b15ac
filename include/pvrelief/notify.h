/* systemd service notification (readiness, watchdog, stopping, status). Does nothing when
 * the daemon is not run by systemd. */
#ifndef PVRELIEF_NOTIFY_H
#define PVRELIEF_NOTIFY_H

/* Tells the service manager start-up is complete. */
void notify_ready(void);
/* Tells the service manager a configuration reload began or ended. */
void notify_reloading(int reloading);
/* Tells the service manager the daemon is stopping. */
void notify_stopping(void);
/* Pets the watchdog. */
void notify_watchdog(void);
/* Returns the watchdog period in seconds, or 0 when the watchdog is off. */
double notify_watchdog_period_s(void);
/* Sets the one-line status systemctl shows. */
void notify_status(const char *status);

#endif
