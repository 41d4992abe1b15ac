/* The simulator's RTU request framing: lengths by function code and the CRC check, against
 * frames from the Modbus documents and frames libmodbus's own RTU backend writes. */
#include <modbus.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "rtuframe.h"

/* Has libmodbus's RTU backend frame the PDU raw (unit first, no CRC) onto a socket pair and
 * returns the bytes it wrote (CRC appended by libmodbus); returns their number. */
static int libmodbus_frame(const uint8_t *raw, int len, uint8_t *out, size_t cap)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return -1;
	modbus_t *ctx = modbus_new_rtu("/dev/null", 9600, 'N', 8, 1);
	modbus_set_socket(ctx, sv[0]);
	int rc = modbus_send_raw_request(ctx, raw, len);
	ssize_t n = rc > 0 ? read(sv[1], out, cap) : -1;
	modbus_set_socket(ctx, -1);
	modbus_free(ctx);
	close(sv[0]);
	close(sv[1]);
	return (int)n;
}

struct frame_case {
	const char *what;
	uint8_t bytes[300];
	size_t len;
	int want;
};

static void test_known_frames(void)
{
	static const struct frame_case cases[] = {
	    /* The read example of the Modbus serial guides: unit 17 reads 3 holding registers
	     * at 107; CRC 0x8776 sent low byte first. */
	    {"good read holding", {0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87}, 8, 8},
	    {"good read holding, unit 1", {0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD}, 8, 8},
	    {"bad CRC", {0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x88}, 8, RTUFRAME_EBADCRC},
	    {"bad CRC: a data byte changed",
	     {0x11, 0x03, 0x00, 0x6C, 0x00, 0x03, 0x76, 0x87},
	     8,
	     RTUFRAME_EBADCRC},
	    {"short frame", {0x11, 0x03, 0x00, 0x6B, 0x00}, 5, 0},
	    {"short frame: CRC half there", {0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76}, 7, 0},
	    {"unit only", {0x11}, 1, 0},
	    {"nothing", {0}, 0, 0},
	    {"unknown function 0x2B", {0x01, 0x2B, 0x0E, 0x01, 0x00}, 5, RTUFRAME_EUNKNOWN},
	    {"unknown function 0x41", {0x01, 0x41}, 2, RTUFRAME_EUNKNOWN},
	    {"write multiple: byte count not yet there",
	     {0x01, 0x10, 0x00, 0x01, 0x00, 0x02},
	     6,
	     0},
	    {"write multiple: values not yet there",
	     {0x01, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00},
	     8,
	     0},
	    {"write multiple: longer than any RTU frame",
	     {0x01, 0x10, 0x00, 0x00, 0x00, 0x7F, 0xFE},
	     7,
	     RTUFRAME_ETOOLONG},
	    {"a second frame behind the first",
	     {0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87, 0x11, 0x03},
	     10,
	     8},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = rtuframe_request_length(cases[i].bytes, cases[i].len);
		CHECK_REPORT_(got == cases[i].want, "%s: got %d, want %d", cases[i].what, got,
			      cases[i].want);
	}
	CHECK_INT(rtuframe_crc16((const uint8_t *)"\x11\x03\x00\x6B\x00\x03", 6), 0x8776);
}

/* Requests as libmodbus frames them: every one is recognised whole, with its exact length,
 * and every truncation of it asks for more bytes. */
static void test_libmodbus_frames(void)
{
	static const struct {
		const char *what;
		uint8_t raw[32];
		int len;
	} cases[] = {
	    {"read holding registers", {0x01, 0x03, 0x9C, 0x40, 0x00, 0x7D}, 6},
	    {"read input registers", {0xF7, 0x04, 0x7D, 0x00, 0x00, 0x10}, 6},
	    {"write single register", {0x05, 0x06, 0x00, 0x10, 0x12, 0x34}, 6},
	    {"write multiple registers",
	     {0x01, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02},
	     11},
	    {"read/write registers",
	     {0x02, 0x17, 0x00, 0x00, 0x00, 0x01, 0x00, 0x10, 0x00, 0x01, 0x02, 0xAB, 0xCD},
	     13},
	    {"report server id", {0x03, 0x11}, 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t frame[300];
		int n = libmodbus_frame(cases[i].raw, cases[i].len, frame, sizeof frame);
		CHECK_REPORT_(n == cases[i].len + 2, "%s: libmodbus wrote %d bytes", cases[i].what,
			      n);
		if (n != cases[i].len + 2)
			continue;
		int got = rtuframe_request_length(frame, (size_t)n);
		CHECK_REPORT_(got == n, "%s: got %d, want %d", cases[i].what, got, n);
		for (int cut = 0; cut < n; cut++) {
			got = rtuframe_request_length(frame, (size_t)cut);
			CHECK_REPORT_(got == 0, "%s cut to %d bytes: got %d, want 0", cases[i].what,
				      cut, got);
		}
		frame[n - 1] ^= 0x01;
		got = rtuframe_request_length(frame, (size_t)n);
		CHECK_REPORT_(got == RTUFRAME_EBADCRC, "%s with a bad CRC: got %d", cases[i].what,
			      got);
	}
}

int main(void)
{
	test_known_frames();
	test_libmodbus_frames();
	return check_summary();
}
