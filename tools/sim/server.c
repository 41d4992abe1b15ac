#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "image.h"
#include "pvrelief/clock.h"
#include "pvrelief/log.h"
#include "rtuframe.h"
#include "sim.h"

#define SERVER_BACKLOG 8
#define SERVER_POLL_MS 500 /* how soon a gateway notices "down" or "ok" from the control file */
#define SERVER_RETRY_MS 1000
#define SERVER_WINDOW_POLL_MS 10 /* how soon a scheduled "down" period's end is noticed */
#define MBAP_HEADER 6		 /* transaction, protocol and length; the unit id follows */
#if defined(__SANITIZE_ADDRESS__)
#define SERVER_STACK_BYTES (512 * 1024)
#else
#define SERVER_STACK_BYTES (128 * 1024)
#endif

/* Returns a non-blocking listening socket on addr:port, or -1 with errno set. */
static int open_listener(const char *addr, int port)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, SERVER_BACKLOG) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

void server_listen_all(struct sim *sim)
{
	for (size_t i = 0; i < sim->n_gateways; i++) {
		struct sim_gateway *gw = &sim->gateways[i];
		gw->listen_fd = open_listener(sim->bind_addr, gw->port);
		if (gw->listen_fd < 0)
			fatal("gateway %s:%d: cannot listen on %s:%d: %s", gw->host, gw->port,
			      sim->bind_addr, gw->port, strerror(errno));
	}
}

/* Waits up to ms milliseconds or until shutdown; returns non-zero when shutting down. */
static int wait_stop(struct sim *sim, int ms)
{
	struct pollfd p = {.fd = sim->stop_pipe[0], .events = POLLIN};
	if (poll(&p, 1, ms) > 0)
		return 1;
	return atomic_load(&sim->stop);
}

struct conn {
	int fd;
	size_t have;
	uint8_t buf[2 * MODBUS_TCP_MAX_ADU_LENGTH];
};

static void conn_close(struct sim_gateway *gw, struct conn *c, const char *why)
{
	if (c->fd < 0)
		return;
	log_debug("gateway %s:%d: connection closed: %s", gw->host, gw->port, why);
	close(c->fd);
	c->fd = -1;
	c->have = 0;
}

/* Answers one framed request (or deliberately does not). */
static void handle(struct sim_gateway *gw, modbus_t *ctx, struct image **images, struct conn *c,
		   const uint8_t *req, int len)
{
	struct sim *sim = gw->sim;
	if (atomic_load(&gw->hang))
		return;
	int unit = gw->rtu ? req[0] : req[MBAP_HEADER];
	struct sim_device *d = gw->units[unit];
	modbus_set_socket(ctx, c->fd);
	if (!d && gw->rtu) {
		/* On a serial bus nobody answers for an absent unit (nor for broadcast 0): the
		 * data logger only forwards bytes, so the poller waits out its timeout. */
		log_debug("gateway %s:%d: RTU request for absent unit %d", gw->host, gw->port,
			  unit);
		return;
	}
	if (!d) {
		/* A TCP gateway answers for a unit that is not on its bus with exception 0x0B,
		 * so a poller learns at once rather than after a timeout. */
		log_debug("gateway %s:%d: request for unknown unit %d", gw->host, gw->port, unit);
		if (modbus_reply_exception(ctx, req, MODBUS_EXCEPTION_GATEWAY_TARGET) < 0)
			conn_close(gw, c, strerror(errno));
		return;
	}
	double now = clock_now(sim->clock);
	pthread_mutex_lock(&d->lock);
	int offline = d->fault.offline || sim_windows_has(&d->fault.offline_at, now);
	int delay_ms = d->fault.delay_ms;
	pthread_mutex_unlock(&d->lock);
	if (offline || !images[unit])
		return;
	if (delay_ms > 0 && wait_stop(sim, delay_ms))
		return;
	modbus_mapping_t *m = image_refresh(images[unit], d);
	if (!m)
		return;
	if (modbus_reply(ctx, req, len, m) < 0)
		conn_close(gw, c, strerror(errno));
}

/* Takes every whole RTU request out of the connection's buffer and answers it. */
static void drain_rtu(struct sim_gateway *gw, modbus_t *ctx, struct image **images, struct conn *c)
{
	while (c->fd >= 0 && c->have > 0) {
		int n = rtuframe_request_length(c->buf, c->have);
		if (n == 0)
			return;
		if (n < 0) {
			/* A serial device drops a garbled frame and resynchronises on the silence
			 * after it; over TCP the nearest thing to that silence is the end of what
			 * has arrived, so all of it goes. */
			log_debug("gateway %s:%d: %s; %zu bytes discarded", gw->host, gw->port,
				  n == RTUFRAME_EBADCRC	   ? "RTU request with a bad CRC"
				  : n == RTUFRAME_EUNKNOWN ? "RTU request with an unknown function"
							   : "RTU request too long",
				  c->have);
			c->have = 0;
			return;
		}
		handle(gw, ctx, images, c, c->buf, n);
		if (c->fd < 0)
			return;
		memmove(c->buf, c->buf + n, c->have - (size_t)n);
		c->have -= (size_t)n;
	}
}

/* Takes every whole request out of the connection's buffer and answers it. */
static void drain(struct sim_gateway *gw, modbus_t *ctx, struct image **images, struct conn *c)
{
	if (gw->rtu) {
		drain_rtu(gw, ctx, images, c);
		return;
	}
	while (c->fd >= 0 && c->have >= MBAP_HEADER + 1) {
		unsigned proto = (unsigned)c->buf[2] << 8 | c->buf[3];
		unsigned len = (unsigned)c->buf[4] << 8 | c->buf[5];
		if (proto != 0 || len < 2 || MBAP_HEADER + len > MODBUS_TCP_MAX_ADU_LENGTH) {
			conn_close(gw, c, "not a Modbus TCP request");
			return;
		}
		size_t total = MBAP_HEADER + len;
		if (c->have < total)
			return;
		handle(gw, ctx, images, c, c->buf, (int)total);
		if (c->fd < 0)
			return;
		memmove(c->buf, c->buf + total, c->have - total);
		c->have -= total;
	}
}

/* Returns whether one of the gateway's scheduled "down" periods holds now. */
static int scheduled_down(struct sim_gateway *gw)
{
	double now = clock_now(gw->sim->clock);
	pthread_mutex_lock(&gw->win_lock);
	int down = sim_windows_has(&gw->down_at, now);
	pthread_mutex_unlock(&gw->win_lock);
	return down;
}

static void *gateway_run(void *arg)
{
	struct sim_gateway *gw = arg;
	struct sim *sim = gw->sim;
	/* The context only formats and sends replies; it never connects or waits. An RTU
	 * context's send is a write() on the socket given with modbus_set_socket and appends the
	 * CRC (libmodbus modbus-rtu.c), so it answers RTU over TCP; its device name is never
	 * opened. */
	modbus_t *ctx = gw->rtu ? modbus_new_rtu("/dev/null", 9600, 'N', 8, 1)
				: modbus_new_tcp("127.0.0.1", gw->port);
	if (!ctx)
		fatal("gateway %s:%d: cannot create a Modbus context", gw->host, gw->port);
	struct image *images[256] = {0};
	for (int u = 0; u < 256; u++)
		if (gw->units[u])
			images[u] = image_new(gw->units[u]);
	struct conn c = {.fd = -1};

	while (!atomic_load(&sim->stop)) {
		int sched = scheduled_down(gw);
		if (sched || atomic_load(&gw->down)) {
			if (gw->listen_fd >= 0) {
				conn_close(gw, &c, "gateway down");
				close(gw->listen_fd);
				gw->listen_fd = -1;
				log_info("gateway %s:%d: down (control file%s)", gw->host, gw->port,
					 sched ? ", scheduled" : "");
			}
			wait_stop(sim, sched ? SERVER_WINDOW_POLL_MS : SERVER_POLL_MS);
			continue;
		}
		if (gw->listen_fd < 0) {
			gw->listen_fd = open_listener(sim->bind_addr, gw->port);
			if (gw->listen_fd < 0) {
				log_warn("gateway %s:%d: cannot listen again: %s", gw->host,
					 gw->port, strerror(errno));
				wait_stop(sim, SERVER_RETRY_MS);
				continue;
			}
			log_info("gateway %s:%d: up again", gw->host, gw->port);
		}
		struct pollfd p[2] = {{.fd = c.fd >= 0 ? c.fd : gw->listen_fd, .events = POLLIN},
				      {.fd = sim->stop_pipe[0], .events = POLLIN}};
		int rc = poll(p, 2, SERVER_POLL_MS);
		/* A scheduled period may have begun while poll() waited: nothing is answered in
		 * it. */
		if (rc <= 0 || p[1].revents || scheduled_down(gw))
			continue;
		if (c.fd < 0) {
			/* Unlike the listening socket, the accepted one is blocking: Linux does
			 * not pass O_NONBLOCK on, and poll() says when to read. */
			int fd = accept(gw->listen_fd, NULL, NULL);
			if (fd < 0)
				continue;
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			c.fd = fd;
			c.have = 0;
			log_debug("gateway %s:%d: client connected", gw->host, gw->port);
			continue;
		}
		ssize_t n = recv(c.fd, c.buf + c.have, sizeof c.buf - c.have, 0);
		if (n == 0) {
			conn_close(gw, &c, "client left");
			continue;
		}
		if (n < 0) {
			if (errno != EINTR && errno != EAGAIN)
				conn_close(gw, &c, strerror(errno));
			continue;
		}
		c.have += (size_t)n;
		drain(gw, ctx, images, &c);
	}

	conn_close(gw, &c, "shutting down");
	for (int u = 0; u < 256; u++)
		image_free(images[u]);
	modbus_free(ctx);
	return NULL;
}

void server_start(struct sim *sim)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SERVER_STACK_BYTES);
	for (size_t i = 0; i < sim->n_gateways; i++) {
		struct sim_gateway *gw = &sim->gateways[i];
		gw->sim = sim;
		int rc = pthread_create(&gw->thread, &attr, gateway_run, gw);
		if (rc != 0)
			fatal("gateway %s:%d: cannot start its thread: %s", gw->host, gw->port,
			      strerror(rc));
		gw->thread_started = 1;
	}
	pthread_attr_destroy(&attr);
}

void server_join(struct sim *sim)
{
	for (size_t i = 0; i < sim->n_gateways; i++) {
		struct sim_gateway *gw = &sim->gateways[i];
		if (gw->thread_started)
			pthread_join(gw->thread, NULL);
		gw->thread_started = 0;
		if (gw->listen_fd >= 0)
			close(gw->listen_fd);
		gw->listen_fd = -1;
	}
}
