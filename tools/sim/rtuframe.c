#include "rtuframe.h"

uint16_t rtuframe_crc16(const uint8_t *buf, size_t len)
{
	/* The reflected polynomial 0xA001 (x^16 + x^15 + x^2 + 1), initial value 0xFFFF, bit by
	 * bit: requests are a few bytes, so a table would buy nothing here. */
	uint16_t crc = 0xFFFF;
	for (size_t i = 0; i < len; i++) {
		crc ^= buf[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
	}
	return crc;
}

/* Returns the request's length without the CRC as far as the bytes at hand tell: > 0 when
 * known, 0 when more bytes are needed to know, or RTUFRAME_EUNKNOWN. */
static int body_length(const uint8_t *buf, size_t have)
{
	if (have < 2)
		return 0;
	switch (buf[1]) {
	case 0x01: /* read coils */
	case 0x02: /* read discrete inputs */
	case 0x03: /* read holding registers */
	case 0x04: /* read input registers */
	case 0x05: /* write single coil */
	case 0x06: /* write single register */
	case 0x08: /* diagnostics with one data word, the only form libmodbus knows */
		return 6;
	case 0x07: /* read exception status */
	case 0x0B: /* get comm event counter */
	case 0x0C: /* get comm event log */
	case 0x11: /* report server id */
		return 2;
	case 0x16: /* mask write register */
		return 8;
	case 0x0F: /* write multiple coils: address, quantity, byte count, values */
	case 0x10: /* write multiple registers */
		return have < 7 ? 0 : 7 + buf[6];
	case 0x17: /* read/write multiple registers: byte count after four words */
		return have < 11 ? 0 : 11 + buf[10];
	default:
		return RTUFRAME_EUNKNOWN;
	}
}

int rtuframe_request_length(const uint8_t *buf, size_t have)
{
	int body = body_length(buf, have);
	if (body <= 0)
		return body;
	size_t total = (size_t)body + 2;
	if (total > RTUFRAME_MAX)
		return RTUFRAME_ETOOLONG;
	if (have < total)
		return 0;
	uint16_t crc = rtuframe_crc16(buf, (size_t)body);
	if (buf[body] != (crc & 0xFF) || buf[body + 1] != (crc >> 8))
		return RTUFRAME_EBADCRC;
	return (int)total;
}
