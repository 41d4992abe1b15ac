/* Loopback helpers for the C integration tests that start real peers (mosquitto, the
 * simulator): a free port, whether something listens on one, and a short sleep. */
#ifndef PVRELIEF_TEST_LOOPBACK_H
#define PVRELIEF_TEST_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Sleeps ms milliseconds. */
static inline void loopback_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Returns a loopback port that was free a moment ago (the kernel's choice), or -1. The kernel
 * may give a port it just handed out again once it is closed, so one already returned by this
 * program is never returned twice. */
static inline int loopback_free_port(void)
{
	static int given[64];
	static size_t n_given;
	for (int attempt = 0; attempt < 100; attempt++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof a;
		int port = -1;
		if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
		    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
			port = ntohs(a.sin_port);
		if (fd >= 0)
			close(fd);
		if (port < 0)
			return -1;
		size_t i = 0;
		while (i < n_given && given[i] != port)
			i++;
		if (i < n_given)
			continue;
		if (n_given < sizeof given / sizeof given[0])
			given[n_given++] = port;
		return port;
	}
	return -1;
}

/* Returns 1 when something accepts connections on loopback port p. */
static inline int loopback_listening(int p)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)p),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

#endif
