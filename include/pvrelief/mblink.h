/* One Modbus endpoint (a TCP gateway or a serial line) as the poller sees it. Wraps
 * libmodbus: nothing else in pvrelief sees its types or error codes. Not thread-safe: one
 * endpoint is used by one worker at a time. */
#ifndef PVRELIEF_MBLINK_H
#define PVRELIEF_MBLINK_H

#include <stddef.h>
#include <stdint.h>

struct mblink;

enum mblink_error {
	MBLINK_OK = 0,
	MBLINK_ECONNECT = -1,	/* cannot connect or open the line */
	MBLINK_ETIMEOUT = -2,	/* no (complete) reply in time */
	MBLINK_EEXCEPTION = -3, /* the device answered with a Modbus exception */
	MBLINK_EGARBAGE = -4,	/* a reply that is not a valid answer to the request */
	MBLINK_ECLOSED = -5,	/* the connection dropped */
	MBLINK_EFD = -6,	/* a socket number libmodbus cannot wait on (>= FD_SETSIZE) */
	MBLINK_EINVAL = -7,	/* bad arguments */
};

/* Returns a link to a Modbus TCP endpoint (not yet connected); free with mblink_free. */
struct mblink *mblink_new_tcp(const char *host, int port);
/* Returns a link to a Modbus RTU serial line (not yet opened); NULL when the settings are
 * refused by libmodbus. */
struct mblink *mblink_new_rtu(const char *device, int baud, char parity, int data_bits,
			      int stop_bits);
/* Returns a link to a serial bus reached through a data logger that forwards raw Modbus RTU
 * frames over TCP (not yet connected): RTU framing and CRC on a TCP connection to host:port.
 * Requests are written with write(), so the process must ignore SIGPIPE. */
struct mblink *mblink_new_rtu_over_tcp(const char *host, int port);
/* Closes and frees a link; accepts NULL. */
void mblink_free(struct mblink *l);
/* Sets how long a reply may take (and the gap between its bytes), and how long a TCP connect
 * of an RTU-over-TCP link may take, in milliseconds. */
void mblink_set_timeout(struct mblink *l, int timeout_ms);
/* Connects if not connected; returns MBLINK_OK or a negative enum mblink_error. */
int mblink_connect(struct mblink *l);
/* Returns non-zero while connected. */
int mblink_connected(const struct mblink *l);
/* Closes the connection (the next request reconnects). */
void mblink_close(struct mblink *l);
/* Reads count (1..125) registers at addr from unit with function 3 (holding) or 4 (input)
 * into dest; returns MBLINK_OK or a negative enum mblink_error. Any error other than an
 * exception reply closes the connection, so the next poll starts clean. */
int mblink_read(struct mblink *l, int unit, int function, uint16_t addr, uint16_t count,
		uint16_t *dest);
/* Returns a sentence describing the last error. */
const char *mblink_strerror(const struct mblink *l);
/* Returns a name for an error code ("timeout", "exception", ...). */
const char *mblink_error_name(int code);
/* Returns the IP bytes this link put on the wire (both ways, with TCP/IP headers, ACKs,
 * connection set-up and teardown, as linkbytes.h estimates them) since the last call, and
 * starts counting again from zero. */
uint64_t mblink_take_wire_bytes(struct mblink *l);
/* Returns the link's socket or descriptor number (a connected link holds exactly one), or -1
 * when closed. */
int mblink_fd(const struct mblink *l);
/* Until mblink_return_fd, works a TCP link's connection (and any it opens meanwhile) through
 * descriptor fd, which the caller keeps open and numbered lower: libmodbus waits with
 * select(), whose cost grows with the number waited on, and a poller keeping a thousand
 * connections has most of them in the hundreds. fd then refers to the socket too, until the
 * next link lent it replaces it; the caller must not use or close fd meanwhile. */
void mblink_lend_fd(struct mblink *l, int fd);
/* Ends mblink_lend_fd: the link works on its own descriptor again. */
void mblink_return_fd(struct mblink *l);

#endif
