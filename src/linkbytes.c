/* The wire cost of Modbus exchanges (see linkbytes.h for the model). */
#include "pvrelief/linkbytes.h"

uint32_t linkbytes_request_adu(enum linkbytes_framing f)
{
	/* PDU: function, address, count (5); TCP adds the MBAP header (7), RTU the unit
	 * address (1) and the CRC (2). */
	return f == LINKBYTES_TCP ? 12 : 8;
}

uint32_t linkbytes_response_adu(enum linkbytes_framing f, unsigned count, int exception)
{
	/* PDU: function, byte count and the registers, or function and exception code. */
	uint32_t pdu = exception ? 2 : 2 + 2 * count;
	return f == LINKBYTES_TCP ? 7 + pdu : 3 + pdu;
}

uint64_t linkbytes_exchange(enum linkbytes_framing f, uint32_t req_adu, uint32_t rsp_adu)
{
	if (f == LINKBYTES_SERIAL)
		return (uint64_t)req_adu + rsp_adu;
	/* With no reply, the peer's stack still acknowledges the request. */
	return (uint64_t)req_adu + LINKBYTES_SEGMENT + LINKBYTES_SEGMENT +
	       (rsp_adu ? rsp_adu + LINKBYTES_SEGMENT : 0);
}

uint64_t linkbytes_exchange_at(enum linkbytes_framing f, struct linkbytes_acks *a, double sent_at,
			       double reply_at, uint32_t rsp_adu)
{
	uint64_t bytes = linkbytes_exchange(f, linkbytes_request_adu(f), rsp_adu);
	if (f == LINKBYTES_SERIAL)
		return bytes;
	int burst = a->replied && sent_at - a->reply_at < LINKBYTES_DELACK_S;
	/* The previous reply's ACK, counted with it, was carried by this request instead. */
	if (burst && !a->quick)
		bytes -= LINKBYTES_SEGMENT;
	a->replied = rsp_adu > 0;
	a->quick = !burst;
	a->reply_at = reply_at;
	return bytes;
}

uint64_t linkbytes_connect(enum linkbytes_framing f, int accepted, int refused)
{
	if (f == LINKBYTES_SERIAL)
		return 0;
	if (accepted)
		return 2 * LINKBYTES_SYN + LINKBYTES_SEGMENT;
	return LINKBYTES_SYN + (refused ? LINKBYTES_RST : 0);
}

uint64_t linkbytes_close(enum linkbytes_framing f)
{
	return f == LINKBYTES_SERIAL ? 0 : 3 * LINKBYTES_SEGMENT;
}

double linkbytes_projection(double used, double elapsed_s, double month_s)
{
	if (elapsed_s <= 0 || elapsed_s >= month_s)
		return used;
	return used * month_s / elapsed_s;
}

int linkbytes_budget_judgeable(double used, double elapsed_s, double month_s, double *projection_mb)
{
	*projection_mb = linkbytes_projection(used, elapsed_s, month_s) / 1e6;
	return elapsed_s >= LINKBYTES_JUDGE_AFTER_S;
}

double linkbytes_stretch(double budget, double used, double base_rate, double left_s,
			 double max_factor)
{
	if (max_factor < 1)
		max_factor = 1;
	double allowed = budget - used;
	if (allowed <= 0)
		return max_factor;
	double factor = base_rate * left_s / allowed;
	if (factor < 1)
		return 1;
	return factor > max_factor ? max_factor : factor;
}
