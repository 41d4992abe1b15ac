/* Modbus RTU request framing for the simulator's RTU-over-TCP gateways. A serial device finds
 * the end of a frame by the silence after it; over TCP there is no silence to see, so the
 * length comes from the function code (Modbus over Serial Line, section 2.5.1, and the
 * application protocol's request layouts) and the frame is accepted only with a good CRC.
 * Pure functions, no I/O. */
#ifndef PVRELIEF_SIM_RTUFRAME_H
#define PVRELIEF_SIM_RTUFRAME_H

#include <stddef.h>
#include <stdint.h>

#define RTUFRAME_MAX 256 /* the largest RTU frame: address, PDU of up to 253 bytes, CRC */

enum rtuframe_error {
	RTUFRAME_EBADCRC = -1,	/* a whole frame whose CRC does not match */
	RTUFRAME_EUNKNOWN = -2, /* a function code whose request length is not known */
	RTUFRAME_ETOOLONG = -3, /* a declared length beyond RTUFRAME_MAX */
};

/* Returns the Modbus CRC-16 of len bytes at buf (sent low byte first). */
uint16_t rtuframe_crc16(const uint8_t *buf, size_t len);
/* Looks at the have bytes at buf, the start of a request: returns the length of the whole
 * request (CRC included) when it is complete and its CRC is good, 0 when more bytes are
 * needed, or a negative enum rtuframe_error (the stream has lost its framing). */
int rtuframe_request_length(const uint8_t *buf, size_t have);

#endif
