/* The simulated gateways: one Modbus TCP server per configured port, each with its units; a
 * port of rtu-over-tcp devices speaks RTU framing over TCP instead, like a 4G data logger
 * forwarding an RS-485 bus (no MBAP header, a CRC, silence for absent units).
 *
 * libmodbus 3.1.6 (Debian 12) waits with select() inside modbus_receive() and
 * modbus_tcp_accept(), which aborts for a descriptor of 1024 or more; a county of gateways
 * crosses that. So this module never lets libmodbus wait: it accepts and reads with poll(),
 * frames requests by the MBAP header's length (or, for RTU, by the function code's request
 * length and the CRC: rtuframe.h), and hands each whole request to modbus_reply() (which only
 * sends) after modbus_set_socket().
 *
 * Like a real gateway, each serves one client at a time: while a connection is open the
 * listening socket is not accepted from, so a second client's connection completes in the
 * kernel backlog and waits there (its requests unanswered) until the first client leaves. */
#ifndef PVRELIEF_SIM_SERVER_H
#define PVRELIEF_SIM_SERVER_H

struct sim;

/* Opens the listening socket of every gateway on sim->bind_addr; exits with a sentence when a
 * port cannot be bound (startup error). */
void server_listen_all(struct sim *sim);
/* Starts one thread per gateway (small stacks); exits with a sentence if it cannot. */
void server_start(struct sim *sim);
/* Waits for every gateway thread to end (the caller has set sim->stop and written the stop
 * pipe) and closes the sockets they own. */
void server_join(struct sim *sim);

#endif
