/* The wire cost of Modbus exchanges, against the IP lengths tcpdump shows for the same
 * exchanges between the poller and the simulator on loopback (Linux, timestamps on): a
 * request of 12 bytes is a 64-byte packet, the reply with 52 registers 165, its bare ACK 52;
 * the handshake 60 + 60 + 52. */
#include <math.h>

#include "check.h"
#include "pvrelief/alert.h"
#include "pvrelief/linkbytes.h"

int main(void)
{
	static const struct {
		const char *what;
		enum linkbytes_framing f;
		unsigned count;
		int exception;
		int answered;
		uint64_t want;
	} cases[] = {
	    {"TCP, inverter model (52 registers)", LINKBYTES_TCP, 52, 0, 1, 64 + 165 + 52},
	    {"TCP, model 160 (50 registers)", LINKBYTES_TCP, 50, 0, 1, 64 + 161 + 52},
	    {"TCP, an exception reply", LINKBYTES_TCP, 52, 1, 1, 64 + 61 + 52},
	    {"TCP, no reply: the request and the peer's ACK", LINKBYTES_TCP, 52, 0, 0, 64 + 52},
	    {"RTU over TCP, 52 registers", LINKBYTES_RTU_OVER_TCP, 52, 0, 1, 60 + 161 + 52},
	    {"serial line: the frames alone", LINKBYTES_SERIAL, 10, 0, 1, 8 + 25},
	    {"serial line, no reply", LINKBYTES_SERIAL, 10, 0, 0, 8},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t rsp =
		    cases[i].answered
			? linkbytes_response_adu(cases[i].f, cases[i].count, cases[i].exception)
			: 0;
		uint64_t got =
		    linkbytes_exchange(cases[i].f, linkbytes_request_adu(cases[i].f), rsp);
		CHECK_REPORT_(got == cases[i].want, "%s: %llu bytes, want %llu", cases[i].what,
			      (unsigned long long)got, (unsigned long long)cases[i].want);
	}
	/* Four units behind one gateway read 20 ms apart after a minute's silence, as tcpdump
	 * showed them: the first reply is acknowledged at once, the second and third by the
	 * next request, the fourth by the delayed-ACK timer: two bare ACKs for four replies. */
	struct linkbytes_acks acks = {0};
	uint64_t burst = 0;
	for (int i = 0; i < 4; i++)
		burst += linkbytes_exchange_at(LINKBYTES_TCP, &acks, 60.0 + 0.02 * i,
					       60.0 + 0.02 * i + 0.0001, 113);
	CHECK_INT(burst, 4 * (64 + 165) + 2 * 52);
	/* A night poll: the inverter model and model 160 back to back after the silence; the
	 * first reply is quick-acknowledged, the second by the timer: an ACK each. */
	struct linkbytes_acks night = {0};
	uint64_t two = linkbytes_exchange_at(LINKBYTES_TCP, &night, 900.0, 900.0001, 113) +
		       linkbytes_exchange_at(LINKBYTES_TCP, &night, 900.0002, 900.0003, 109);
	CHECK_INT(two, (64 + 165 + 52) + (64 + 161 + 52));
	/* A request that got no reply leaves nothing to carry. */
	struct linkbytes_acks lost = {0};
	linkbytes_exchange_at(LINKBYTES_TCP, &lost, 0, 0, 0);
	CHECK_INT(linkbytes_exchange_at(LINKBYTES_TCP, &lost, 0.01, 0.011, 113), 64 + 165 + 52);
	/* A serial line has no ACKs. */
	struct linkbytes_acks serial = {0};
	CHECK_INT(linkbytes_exchange_at(LINKBYTES_SERIAL, &serial, 0, 0.1, 25), 8 + 25);
	CHECK(linkbytes_connect(LINKBYTES_TCP, 1, 0) == 60 + 60 + 52);
	CHECK(linkbytes_connect(LINKBYTES_TCP, 0, 1) == 60 + 40);
	CHECK(linkbytes_connect(LINKBYTES_TCP, 0, 0) == 60);
	CHECK(linkbytes_connect(LINKBYTES_SERIAL, 1, 0) == 0);
	CHECK(linkbytes_close(LINKBYTES_RTU_OVER_TCP) == 3 * 52);
	CHECK(linkbytes_close(LINKBYTES_SERIAL) == 0);

	/* A 30-day month: 10 MB in its first 10 days projects to 30 MB. */
	double month = 30 * 86400.0;
	CHECK(fabs(linkbytes_projection(10e6, 10 * 86400.0, month) - 30e6) < 1e-3);
	CHECK(linkbytes_projection(5e6, 0, month) == 5e6);
	CHECK(linkbytes_projection(5e6, month, month) == 5e6);

	/* Stretching: 20 MB left for 20 days at a rate that would spend 40 MB: twice the
	 * interval; within budget: unchanged; budget spent or a huge rate: the cap. */
	double left = 20 * 86400.0;
	CHECK(fabs(linkbytes_stretch(30e6, 10e6, 40e6 / left, left, 15) - 2.0) < 1e-9);
	CHECK(linkbytes_stretch(30e6, 10e6, 10e6 / left, left, 15) == 1.0);
	CHECK(linkbytes_stretch(30e6, 31e6, 1.0, left, 15) == 15.0);
	CHECK(linkbytes_stretch(30e6, 10e6, 1e9, left, 15) == 15.0);
	/* The link_budget decision: nothing said on the month's first day (a morning of
	 * daylight polls would project a month of daylight); then the projection against the
	 * budget, raised above it and cleared only below it by the hysteresis. */
	double proj;
	CHECK(!linkbytes_budget_judgeable(2e6, 6 * 3600.0, month, &proj));
	CHECK(linkbytes_budget_judgeable(2e6, 86400.0, month, &proj));
	CHECK(fabs(proj - 60.0) < 1e-9);
	struct alert_settings set = {
	    .raise_delay_s = 0, .clear_delay_s = 0, .hysteresis = 0.05, .burst_cap = 10};
	struct alert_tracker *t = alert_tracker_new(&set, 0);
	static const struct {
		double used_mb, day;
		int event; /* -1 none, else the event type */
	} steps[] = {
	    {1.5, 0.5, -1},		  /* first day: unknown, though 90 MB projected */
	    {1.2, 2, -1},		  /* 18 MB of 30 */
	    {22, 20, ALERT_EV_RAISED},	  /* 33 MB */
	    {19.5, 20, -1},		  /* 29.25 MB: under, but within the hysteresis */
	    {18.5, 20, ALERT_EV_CLEARED}, /* 27.75 MB */
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct alert_obs obs = {.key = {ALERT_LINK_BUDGET, 0, -1},
					.verdict = ALERT_UNKNOWN,
					.thresholded = 1,
					.threshold = 30};
		double now = steps[i].day * 86400.0;
		if (linkbytes_budget_judgeable(steps[i].used_mb * 1e6, now, month, &obs.value))
			obs.verdict = ALERT_HOLDS;
		struct alert_event ev;
		int got = alert_observe(t, &obs, now, &ev, 1) == 1 ? (int)ev.type : -1;
		CHECK_REPORT_(got == steps[i].event,
			      "step %zu (%.1f MB on day %.1f): event %d, want %d", i,
			      steps[i].used_mb, steps[i].day, got, steps[i].event);
	}
	alert_tracker_free(t);
	return check_summary();
}
