#include "pvrelief/mblink.h"

#include <errno.h>
#include <fcntl.h>
#include <modbus.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pvrelief/linkbytes.h"
#include "pvrelief/xalloc.h"

/* RTU over TCP has no libmodbus backend: a 4G data logger forwards the serial bytes of the
 * RS-485 bus unchanged over a TCP connection. libmodbus's RTU backend does all its I/O with
 * plain read() and write() on ctx->s and waits with select() on it (modbus-rtu.c: send, recv,
 * select), so an RTU context given a connected TCP socket with modbus_set_socket speaks RTU
 * framing, CRC and byte timeouts over TCP as it would over a tty. The link therefore connects
 * the socket itself (non-blocking, waiting with poll()) and never calls modbus_connect or
 * modbus_close on that context, whose tty calls (tcsetattr, tcflush) make no sense on a
 * socket. One descriptor per link, no thread, no pseudo-terminal. */
enum mblink_kind { MBLINK_LIBMODBUS, MBLINK_RTU_OVER_TCP };

struct mblink {
	modbus_t *ctx;
	enum mblink_kind kind;
	int connected;
	int timeout_ms;
	char *host, *service; /* RTU over TCP only */
	int sock;	      /* RTU over TCP only: the connected socket, or -1 */
	int tcp;	      /* Modbus TCP: replies are checked here (see tcp_read) */
	int lent;	      /* a low descriptor lent for a visit (mblink_lend_fd), or -1 */
	int own;	      /* the connection's own descriptor while worked through lent, or -1 */
	int refused;	      /* RTU over TCP: the last connect was refused */
	struct linkbytes_acks acks; /* for the byte count: zeroed at each connect */
	uint64_t wire_bytes; /* IP bytes estimated since mblink_take_wire_bytes (linkbytes.h) */
	char err[160];
};

static struct mblink *wrap(modbus_t *ctx)
{
	struct mblink *l = xcalloc(1, sizeof *l);
	l->ctx = ctx;
	l->timeout_ms = 1000;
	l->sock = -1;
	l->lent = -1;
	l->own = -1;
	/* Recovery is the poller's job (close and retry on its schedule), not libmodbus's. */
	modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
	return l;
}

struct mblink *mblink_new_tcp(const char *host, int port)
{
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	modbus_t *ctx = modbus_new_tcp_pi(host, service);
	struct mblink *l = ctx ? wrap(ctx) : NULL;
	if (l)
		l->tcp = 1;
	return l;
}

struct mblink *mblink_new_rtu(const char *device, int baud, char parity, int data_bits,
			      int stop_bits)
{
	modbus_t *ctx = modbus_new_rtu(device, baud, parity, data_bits, stop_bits);
	return ctx ? wrap(ctx) : NULL;
}

struct mblink *mblink_new_rtu_over_tcp(const char *host, int port)
{
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	/* The device name is never opened; it only names the context in libmodbus's debug
	 * output. 9600 8N1 are placeholders: nothing here has a baud rate. */
	char *name = xasprintf("%s:%s", host, service);
	modbus_t *ctx = modbus_new_rtu(name, 9600, 'N', 8, 1);
	free(name);
	if (!ctx)
		return NULL;
	struct mblink *l = wrap(ctx);
	l->kind = MBLINK_RTU_OVER_TCP;
	l->host = xstrdup(host);
	l->service = xstrdup(service);
	return l;
}

void mblink_free(struct mblink *l)
{
	if (!l)
		return;
	mblink_close(l);
	modbus_free(l->ctx);
	free(l->host);
	free(l->service);
	free(l);
}

void mblink_set_timeout(struct mblink *l, int timeout_ms)
{
	l->timeout_ms = timeout_ms;
	modbus_set_response_timeout(l->ctx, (uint32_t)(timeout_ms / 1000),
				    (uint32_t)(timeout_ms % 1000) * 1000);
	modbus_set_byte_timeout(l->ctx, (uint32_t)(timeout_ms / 1000),
				(uint32_t)(timeout_ms % 1000) * 1000);
}

/* How this link's frames travel, for the byte count. */
static enum linkbytes_framing framing(const struct mblink *l)
{
	if (l->kind == MBLINK_RTU_OVER_TCP)
		return LINKBYTES_RTU_OVER_TCP;
	return l->tcp ? LINKBYTES_TCP : LINKBYTES_SERIAL;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counts one exchange: the request (sent at monotonic time sent_at), its reply of rsp_adu
 * bytes (0: none) and the reply's ACK, less the ACK of the previous reply when this request
 * carried it. */
static void count_exchange(struct mblink *l, double sent_at, uint32_t rsp_adu)
{
	l->wire_bytes += linkbytes_exchange_at(framing(l), &l->acks, sent_at, mono_now(), rsp_adu);
}

/* Waits up to timeout_ms for a non-blocking connect on fd to finish; returns 0 or an errno. */
static int finish_connect(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int rc;
	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return errno;
	if (rc == 0)
		return ETIMEDOUT;
	int so_error = 0;
	socklen_t len = sizeof so_error;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0)
		return errno;
	return so_error;
}

/* Connects the socket of an RTU-over-TCP link; returns MBLINK_OK or MBLINK_ECONNECT. */
static int connect_rtu_over_tcp(struct mblink *l)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG};
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(l->host, l->service, &hints, &res);
	if (gai != 0) {
		snprintf(l->err, sizeof l->err, "cannot resolve %s: %s", l->host,
			 gai_strerror(gai));
		return MBLINK_ECONNECT;
	}
	int e = ECONNREFUSED;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		/* Stays non-blocking: libmodbus reads only after select() says there is data,
		 * and a write that cannot go out at once is an error rather than a hang. */
		e = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
		if (e == EINPROGRESS)
			e = finish_connect(fd, l->timeout_ms);
		if (e == 0) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			l->sock = fd;
			break;
		}
		close(fd);
	}
	freeaddrinfo(res);
	l->refused = e == ECONNREFUSED;
	if (l->sock < 0) {
		snprintf(l->err, sizeof l->err, "cannot connect: %s", strerror(e));
		return MBLINK_ECONNECT;
	}
	modbus_set_socket(l->ctx, l->sock);
	return MBLINK_OK;
}

/* The descriptor libmodbus works on. */
static int work_fd(const struct mblink *l)
{
	return l->kind == MBLINK_RTU_OVER_TCP ? l->sock : modbus_get_socket(l->ctx);
}

static void set_work_fd(struct mblink *l, int fd)
{
	if (l->kind == MBLINK_RTU_OVER_TCP)
		l->sock = fd;
	modbus_set_socket(l->ctx, fd);
}

/* Works the connection through the lent descriptor: dup2 makes it a second number for the
 * same socket, and libmodbus is given that one. A serial line keeps its own. */
static void swap_in(struct mblink *l)
{
	if (l->lent < 0 || !l->connected || l->own >= 0 ||
	    (!l->tcp && l->kind != MBLINK_RTU_OVER_TCP))
		return;
	int fd = work_fd(l);
	if (fd <= l->lent || dup2(fd, l->lent) < 0)
		return;
	/* dup2 does not carry close-on-exec over; the connection's own number has it. */
	fcntl(l->lent, F_SETFD, FD_CLOEXEC);
	l->own = fd;
	set_work_fd(l, l->lent);
}

/* Back to the connection's own descriptor. The lent number still refers to the socket until
 * the next dup2 onto it replaces it; closing goes through the own number (with a shutdown,
 * which ends the connection whatever other numbers refer to it). */
static void swap_out(struct mblink *l)
{
	if (l->own < 0)
		return;
	set_work_fd(l, l->own);
	l->own = -1;
}

void mblink_lend_fd(struct mblink *l, int fd)
{
	l->lent = fd;
	swap_in(l);
}

void mblink_return_fd(struct mblink *l)
{
	swap_out(l);
	l->lent = -1;
}

int mblink_connect(struct mblink *l)
{
	if (l->connected)
		return MBLINK_OK;
	/* libmodbus 3.1.6 waits with select(), even inside modbus_connect: a descriptor at or
	 * above FD_SETSIZE would overflow its fd_set and abort the process. The poller bounds
	 * its open connections so this cannot happen; this probe of the lowest free number
	 * (with a margin for other threads) refuses to connect rather than crash if it does.
	 * Every kind of link holds exactly one descriptor while connected, so the probe
	 * predicts the number the connection will get. */
	int probe = fcntl(0, F_DUPFD_CLOEXEC, 0);
	if (probe >= 0)
		close(probe);
	if (probe >= FD_SETSIZE - 32) {
		snprintf(l->err, sizeof l->err,
			 "refusing to connect: descriptor %d is too close to libmodbus's limit %d",
			 probe, FD_SETSIZE);
		return MBLINK_EFD;
	}
	if (l->kind == MBLINK_RTU_OVER_TCP) {
		int rc = connect_rtu_over_tcp(l);
		l->wire_bytes += linkbytes_connect(framing(l), rc == MBLINK_OK, l->refused);
		if (rc != MBLINK_OK)
			return rc;
		if (l->sock >= FD_SETSIZE) {
			snprintf(l->err, sizeof l->err,
				 "socket number %d is too high for libmodbus", l->sock);
			close(l->sock);
			l->sock = -1;
			modbus_set_socket(l->ctx, -1);
			return MBLINK_EFD;
		}
		l->connected = 1;
		swap_in(l);
		return MBLINK_OK;
	}
	if (modbus_connect(l->ctx) != 0) {
		l->wire_bytes += linkbytes_connect(framing(l), 0, errno == ECONNREFUSED);
		/* libmodbus leaves EINPROGRESS when its connect times out: say what happened. */
		if (errno == EINPROGRESS || errno == ETIMEDOUT)
			snprintf(l->err, sizeof l->err,
				 "cannot connect: the connection was not accepted within %d ms",
				 l->timeout_ms);
		else
			snprintf(l->err, sizeof l->err, "cannot connect: %s",
				 modbus_strerror(errno));
		return MBLINK_ECONNECT;
	}
	if (modbus_get_socket(l->ctx) >= FD_SETSIZE) {
		snprintf(l->err, sizeof l->err, "socket number %d is too high for libmodbus",
			 modbus_get_socket(l->ctx));
		modbus_close(l->ctx);
		return MBLINK_EFD;
	}
	l->wire_bytes += linkbytes_connect(framing(l), 1, 0);
	l->connected = 1;
	swap_in(l);
	return MBLINK_OK;
}

int mblink_connected(const struct mblink *l)
{
	return l->connected;
}

void mblink_close(struct mblink *l)
{
	if (!l->connected)
		return;
	l->wire_bytes += linkbytes_close(framing(l));
	memset(&l->acks, 0, sizeof l->acks);
	swap_out(l);
	if (l->kind == MBLINK_RTU_OVER_TCP) {
		modbus_set_socket(l->ctx, -1);
		shutdown(l->sock, SHUT_RDWR);
		close(l->sock);
		l->sock = -1;
	} else {
		modbus_close(l->ctx);
	}
	l->connected = 0;
}

static int classify(int e)
{
	switch (e) {
	case ETIMEDOUT:
		return MBLINK_ETIMEOUT;
	case EMBXILFUN:
	case EMBXILADD:
	case EMBXILVAL:
	case EMBXSFAIL:
	case EMBXACK:
	case EMBXSBUSY:
	case EMBXNACK:
	case EMBXMEMPAR:
	case EMBXGPATH:
	case EMBXGTAR:
		return MBLINK_EEXCEPTION;
	case EMBBADCRC:
	case EMBBADDATA:
	case EMBBADEXC:
	case EMBMDATA:
	case EMBBADSLAVE:
		return MBLINK_EGARBAGE;
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
	case ECONNREFUSED:
	case ENOTCONN:
	case EBADF:
		return MBLINK_ECLOSED;
	default:
		return MBLINK_EGARBAGE;
	}
}

/* Reads over Modbus TCP. libmodbus 3.1.6 checks a TCP reply's transaction id, function and
 * byte count but not its unit id, so a gateway answering for another unit behind it would
 * have that unit's registers taken for the requested one's. The request is therefore sent
 * raw and the whole reply checked here. modbus_send_raw_request sends transaction id 0
 * (modbus.c: "The t_id is left to zero"); one request is outstanding at a time and the link
 * is closed after any bad reply, so id 0 still tells a reply to this request from any other.
 * Returns 0, or an errno-style code for classify() with a detail in *why (NULL when
 * modbus_strerror says it). */
static int tcp_read(struct mblink *l, int unit, int function, uint16_t addr, uint16_t count,
		    uint16_t *dest, const char **why, int *got)
{
	uint8_t req[6] = {(uint8_t)unit,	  (uint8_t)function,	 (uint8_t)(addr >> 8),
			  (uint8_t)(addr & 0xff), (uint8_t)(count >> 8), (uint8_t)(count & 0xff)};
	uint8_t rsp[MODBUS_TCP_MAX_ADU_LENGTH];
	*why = NULL;
	if (modbus_send_raw_request(l->ctx, req, (int)sizeof req) < 0)
		return errno;
	int n = modbus_receive_confirmation(l->ctx, rsp);
	if (n < 0)
		return errno;
	*got = n;
	if (n < 9) {
		*why = "short reply";
		return EMBBADDATA;
	}
	if (rsp[0] != 0 || rsp[1] != 0 || rsp[2] != 0 || rsp[3] != 0) {
		*why = "reply to another transaction";
		return EMBBADDATA;
	}
	if ((rsp[4] << 8 | rsp[5]) != n - 6) {
		*why = "MBAP length does not match the reply";
		return EMBBADDATA;
	}
	if (rsp[6] != unit) {
		*why = "reply from another unit";
		return EMBBADSLAVE;
	}
	if (rsp[7] == (function | 0x80))
		return MODBUS_ENOBASE + rsp[8];
	if (rsp[7] != function) {
		*why = "reply with another function code";
		return EMBBADDATA;
	}
	if (rsp[8] != 2 * count || n != 9 + 2 * count) {
		*why = "short reply";
		return EMBMDATA;
	}
	for (int i = 0; i < count; i++)
		dest[i] = (uint16_t)(rsp[9 + 2 * i] << 8 | rsp[10 + 2 * i]);
	return 0;
}

int mblink_read(struct mblink *l, int unit, int function, uint16_t addr, uint16_t count,
		uint16_t *dest)
{
	int rc;
	if (count < 1 || count > 125 || (function != 3 && function != 4)) {
		snprintf(l->err, sizeof l->err, "bad request: function %d, %u registers", function,
			 count);
		return MBLINK_EINVAL;
	}
	if ((rc = mblink_connect(l)) != MBLINK_OK)
		return rc;
	modbus_set_slave(l->ctx, unit);
	int e;
	const char *why = NULL;
	enum linkbytes_framing f = framing(l);
	double sent_at = mono_now();
	if (l->tcp) {
		int got = 0;
		e = tcp_read(l, unit, function, addr, count, dest, &why, &got);
		count_exchange(l, sent_at, (uint32_t)got);
		if (e == 0)
			return MBLINK_OK;
	} else {
		int n = function == 3 ? modbus_read_registers(l->ctx, addr, count, dest)
				      : modbus_read_input_registers(l->ctx, addr, count, dest);
		e = n == count ? 0 : n < 0 ? errno : EMBMDATA;
		/* libmodbus does not say how many bytes a bad reply had: a whole one is
		 * counted, an exception's size for an exception, nothing for silence. */
		int exc = classify(e) == MBLINK_EEXCEPTION;
		count_exchange(l, sent_at,
			       e == ETIMEDOUT ? 0 : linkbytes_response_adu(f, count, exc));
		if (e == 0)
			return MBLINK_OK;
		if (n >= 0)
			why = "short reply";
	}
	rc = classify(e);
	snprintf(l->err, sizeof l->err, "function %d at %u (%u registers): %s", function, addr,
		 count, why ? why : modbus_strerror(e));
	if (rc != MBLINK_EEXCEPTION) {
		/* After a timeout or a garbled reply the stream may hold a late answer that
		 * would be taken for the next request's: start again on a new connection. */
		mblink_close(l);
	}
	return rc;
}

const char *mblink_strerror(const struct mblink *l)
{
	return l->err;
}

const char *mblink_error_name(int code)
{
	switch (code) {
	case MBLINK_OK:
		return "ok";
	case MBLINK_ECONNECT:
		return "connect failed";
	case MBLINK_ETIMEOUT:
		return "timeout";
	case MBLINK_EEXCEPTION:
		return "exception";
	case MBLINK_EGARBAGE:
		return "bad reply";
	case MBLINK_ECLOSED:
		return "connection lost";
	case MBLINK_EFD:
		return "descriptor too high";
	default:
		return "bad request";
	}
}

uint64_t mblink_take_wire_bytes(struct mblink *l)
{
	uint64_t n = l->wire_bytes;
	l->wire_bytes = 0;
	return n;
}

int mblink_fd(const struct mblink *l)
{
	if (!l->connected)
		return -1;
	return l->own >= 0 ? l->own : work_fd(l);
}
