/* What Modbus polling costs on a link priced by the byte (a gateway's 4G SIM): the IP bytes
 * each exchange puts on the wire, estimated from the Modbus frame sizes, since libmodbus
 * reports none. A TCP segment carries IPv4 (20) and TCP (20) headers and, as Linux sends
 * them, the timestamps option (12, padded): 52 bytes. A read is a request segment and a
 * response segment (which carries the acknowledgement of the request) and a bare
 * acknowledgement of the response, since polls are too far apart for the next request to
 * carry it, unless the next request follows within Linux's delayed-ACK time (40 ms: the next
 * unit behind the same gateway, SunSpec discovery), which then carries the ACK. A connection costs
 * a SYN and a SYN-ACK (60 bytes each with their options) and an ACK; a close a FIN each way and the
 * last ACK. A serial line has no IP: only the frames count. Pure: no I/O, no state. */
#ifndef PVRELIEF_LINKBYTES_H
#define PVRELIEF_LINKBYTES_H

#include <stdint.h>

enum linkbytes_framing {
	LINKBYTES_TCP,		/* Modbus TCP: MBAP header (7) + PDU */
	LINKBYTES_RTU_OVER_TCP, /* RTU frames (address, PDU, CRC) over a TCP connection */
	LINKBYTES_SERIAL,	/* RTU frames on a serial line: no IP overhead */
};

/* IP and TCP headers with the timestamps option, in bytes, on every data or ACK segment. */
#define LINKBYTES_SEGMENT 52
/* A SYN or SYN-ACK: headers and options MSS, SACK-permitted, timestamps, window scale. */
#define LINKBYTES_SYN 60
/* A reset: headers without options. */
#define LINKBYTES_RST 40

/* Returns the frame size in bytes of a read request (function 3 or 4) in framing f. */
uint32_t linkbytes_request_adu(enum linkbytes_framing f);
/* Returns the frame size in bytes of the reply to a read of count registers, or of an
 * exception reply when exception is non-zero. */
uint32_t linkbytes_response_adu(enum linkbytes_framing f, unsigned count, int exception);
/* Returns the IP bytes of one exchange: a request of req_adu bytes and its reply of rsp_adu
 * bytes (0: none came, and the peer's bare acknowledgement of the request is counted
 * instead), with the acknowledgement of the reply. */
uint64_t linkbytes_exchange(enum linkbytes_framing f, uint32_t req_adu, uint32_t rsp_adu);
/* Linux's shortest delayed-ACK time in seconds. */
#define LINKBYTES_DELACK_S 0.04
/* A connection's acknowledgement state between exchanges, as Linux keeps it: a reply to a
 * request sent after an idle gap is acknowledged at once (quick-ACK); a reply within a burst
 * (the next unit 20 ms later, SunSpec discovery) waits for the next request to carry the
 * acknowledgement, or for the delayed-ACK timer if none comes in time. Zero it at connect. */
struct linkbytes_acks {
	int replied;	 /* a reply came on this connection */
	int quick;	 /* it was acknowledged at once */
	double reply_at; /* when it came, in seconds on any monotonic clock */
};
/* Returns the IP bytes of one exchange sent at sent_at whose reply of rsp_adu bytes (0: none)
 * came at reply_at, counting each reply's ACK with it, less the ACK of the previous reply
 * when this request carries it; updates *a. */
uint64_t linkbytes_exchange_at(enum linkbytes_framing f, struct linkbytes_acks *a, double sent_at,
			       double reply_at, uint32_t rsp_adu);
/* Returns the IP bytes of a connection set-up: accepted (the three-way handshake) or not
 * (refused: a SYN and a reset; unanswered: the SYN alone). */
uint64_t linkbytes_connect(enum linkbytes_framing f, int accepted, int refused);
/* Returns the IP bytes of closing a connection (a FIN each way and the last ACK). */
uint64_t linkbytes_close(enum linkbytes_framing f);

/* Returns the projected bytes of a whole month of month_s seconds from used bytes in its
 * first elapsed_s seconds (used when elapsed_s is not positive). */
double linkbytes_projection(double used, double elapsed_s, double month_s);
/* Seconds of a month before its projection is judged: on its first day, a few hours of
 * daylight polling would project a month of daylight. */
#define LINKBYTES_JUDGE_AFTER_S 86400.0
/* Returns 1 when a gateway's month can be judged against its budget at elapsed_s seconds
 * into it, with the projection in MB (10^6 bytes) in *projection_mb; 0 when it is too early
 * (nothing is said then). */
int linkbytes_budget_judgeable(double used, double elapsed_s, double month_s,
			       double *projection_mb);
/* Returns how many times the fast interval must be stretched (>= 1, <= max_factor) for a
 * gateway to end the month within budget bytes: used bytes spent so far, base_rate the bytes
 * a second it spends at the unstretched interval, left_s seconds left in the month. */
double linkbytes_stretch(double budget, double used, double base_rate, double left_s,
			 double max_factor);

#endif
