#include "pvrelief/mblink.h"

#include <errno.h>
#include <fcntl.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "pvrelief/xalloc.h"

struct mblink {
	modbus_t *ctx;
	int connected;
	int timeout_ms;
	char err[160];
};

static struct mblink *wrap(modbus_t *ctx)
{
	struct mblink *l = xcalloc(1, sizeof *l);
	l->ctx = ctx;
	l->timeout_ms = 1000;
	/* Recovery is the poller's job (close and retry on its schedule), not libmodbus's. */
	modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
	return l;
}

struct mblink *mblink_new_tcp(const char *host, int port)
{
	char service[16];
	snprintf(service, sizeof service, "%d", port);
	modbus_t *ctx = modbus_new_tcp_pi(host, service);
	return ctx ? wrap(ctx) : NULL;
}

struct mblink *mblink_new_rtu(const char *device, int baud, char parity, int data_bits,
			      int stop_bits)
{
	modbus_t *ctx = modbus_new_rtu(device, baud, parity, data_bits, stop_bits);
	return ctx ? wrap(ctx) : NULL;
}

void mblink_free(struct mblink *l)
{
	if (!l)
		return;
	mblink_close(l);
	modbus_free(l->ctx);
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

int mblink_connect(struct mblink *l)
{
	if (l->connected)
		return MBLINK_OK;
	/* libmodbus 3.1.6 waits with select(), even inside modbus_connect: a descriptor at or
	 * above FD_SETSIZE would overflow its fd_set and abort the process. The poller bounds
	 * its open connections so this cannot happen; this probe of the lowest free number
	 * (with a margin for other threads) refuses to connect rather than crash if it does. */
	int probe = fcntl(0, F_DUPFD_CLOEXEC, 0);
	if (probe >= 0)
		close(probe);
	if (probe >= FD_SETSIZE - 32) {
		snprintf(l->err, sizeof l->err,
			 "refusing to connect: descriptor %d is too close to libmodbus's limit %d",
			 probe, FD_SETSIZE);
		return MBLINK_EFD;
	}
	if (modbus_connect(l->ctx) != 0) {
		snprintf(l->err, sizeof l->err, "cannot connect: %s", modbus_strerror(errno));
		return MBLINK_ECONNECT;
	}
	if (modbus_get_socket(l->ctx) >= FD_SETSIZE) {
		snprintf(l->err, sizeof l->err, "socket number %d is too high for libmodbus",
			 modbus_get_socket(l->ctx));
		modbus_close(l->ctx);
		return MBLINK_EFD;
	}
	l->connected = 1;
	return MBLINK_OK;
}

int mblink_connected(const struct mblink *l)
{
	return l->connected;
}

void mblink_close(struct mblink *l)
{
	if (l->connected) {
		modbus_close(l->ctx);
		l->connected = 0;
	}
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
	case EPIPE:
	case ECONNREFUSED:
	case ENOTCONN:
	case EBADF:
		return MBLINK_ECLOSED;
	default:
		return MBLINK_EGARBAGE;
	}
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
	int n = function == 3 ? modbus_read_registers(l->ctx, addr, count, dest)
			      : modbus_read_input_registers(l->ctx, addr, count, dest);
	if (n == count)
		return MBLINK_OK;
	int e = n < 0 ? errno : EMBMDATA;
	rc = classify(e);
	snprintf(l->err, sizeof l->err, "function %d at %u (%u registers): %s", function, addr,
		 count, n < 0 ? modbus_strerror(e) : "short reply");
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

int mblink_fd(const struct mblink *l)
{
	return l->connected ? modbus_get_socket(l->ctx) : -1;
}
