/* Loopback helpers for the C integration tests that start real peers (mosquitto, the
 * simulator): a free port, whether something listens on one, and a short sleep. */
#ifndef PVRELIEF_TEST_LOOPBACK_H
#define PVRELIEF_TEST_LOOPBACK_H

#include <arpa/inet.h>
#include <stdlib.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Sleeps ms milliseconds. */
static inline void loopback_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Ports claimed by this program in the registry every test on the machine shares (see
 * tests/integration/lib/free_port.py: below the ephemeral range, so that no outgoing
 * connection takes one before its server binds it, and claimed so that no other test does);
 * released at exit. */
static int loopback_claimed[64];
static size_t loopback_n_claimed;

static inline void loopback_registry(char *buf, size_t len, int port)
{
	const char *tmp = getenv("TMPDIR");
	if (port > 0)
		snprintf(buf, len, "%s/pvrelief-test-ports/%d", tmp && *tmp ? tmp : "/tmp", port);
	else
		snprintf(buf, len, "%s/pvrelief-test-ports", tmp && *tmp ? tmp : "/tmp");
}

static inline void loopback_release(void)
{
	char path[512];
	for (size_t i = 0; i < loopback_n_claimed; i++) {
		loopback_registry(path, sizeof path, loopback_claimed[i]);
		rmdir(path);
	}
	loopback_n_claimed = 0;
}

static inline int loopback_bindable(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, ok = 0;
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
		close(fd);
	}
	return ok;
}

/* Returns a loopback port for a server of this test, claimed as above, or -1. */
static inline int loopback_free_port(void)
{
	int low = 32768;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	if (f) {
		if (fscanf(f, "%d", &low) != 1)
			low = 32768;
		fclose(f);
	}
	int from = low > 11000 ? 10000 : 1024, span = low - from;
	if (span <= 0 || loopback_n_claimed == sizeof loopback_claimed / sizeof loopback_claimed[0])
		return -1;
	static unsigned seed;
	if (!seed) {
		seed = (unsigned)getpid() ^ (unsigned)time(NULL);
		atexit(loopback_release);
	}
	char path[512];
	loopback_registry(path, sizeof path, 0);
	mkdir(path, 0777);
	for (int attempt = 0; attempt < 2000; attempt++) {
		int port = from + (int)(rand_r(&seed) % (unsigned)span);
		loopback_registry(path, sizeof path, port);
		if (mkdir(path, 0777) != 0)
			continue; /* claimed by another test (or stale: a killed one's) */
		if (!loopback_bindable(port)) {
			rmdir(path);
			continue;
		}
		loopback_claimed[loopback_n_claimed++] = port;
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
