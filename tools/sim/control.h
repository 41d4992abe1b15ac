/* Fault injection while running: a control file holding the whole desired fault state, one
 * fault a line, re-read whenever its modification time changes.
 *
 *   STATION/DEVICE offline          no answer to requests; the connection stays open
 *   STATION/DEVICE fault [BITS]     state FAULT with Evt1 BITS (default 0x80 OVER_TEMP); a
 *                                   vendor-map device reports the map's first fault code
 *   STATION/DEVICE reset            lifetime counter back to 0, once when the line appears
 *   STATION/DEVICE garbage          absurd values: 3 x rated power, lifetime counter +1e9 Wh
 *   STATION/DEVICE sentinel         "not implemented" markers instead of measurements
 *   STATION/DEVICE delay MS         replies delayed by MS ms (0..60000)
 *   STATION/DEVICE health X         DC power multiplied by X (0..1.2)
 *   STATION/DEVICE wsf N            SunSpec power scale factors N steps coarser (0..3): the
 *                                   same power served with another W_SF while running
 *   STATION/DEVICE limit PCT [quiet] active power limited to PCT % (1..100) of the rating,
 *                                   served in model 123 and a vendor map's limit register:
 *                                   state THROTTLED while the limit binds, unless quiet
 *   STATION/DEVICE off              state OFF, no power, while the link stays up
 *   STATION/DEVICE standby          state STANDBY, the same
 *   STATION/DEVICE string N dead    DC input N (1..SIM_DC_INPUTS) carries nothing in model 160
 *                                   and its share of the array is lost (a blown string fuse)
 *   STATION/DEVICE ok               back to the configuration's state (clears earlier lines)
 *   gateway PORT down               listening socket closed, connection dropped
 *   gateway PORT hang               accepts and reads, never answers
 *   gateway PORT ok                 back to normal
 *   from T0 to T1 STATION/DEVICE offline
 *   from T0 to T1 gateway PORT down the same, only in the period [T0, T1) of the simulated
 *                                   clock (unix s), checked at each request, so that a
 *                                   fast clock gets minutes-long outages exactly
 *   from T0 to T1 STATION/DEVICE limit PCT [quiet]
 *   from T0 to T1 STATION/DEVICE off|standby
 *                                   the same, checked at each physics tick (every 200 ms
 *                                   of wall time); one limit and one state a device: the
 *                                   last such line's holds in all its periods
 *
 * A DEVICE of "*" names every device of the station. Blank lines and lines starting with # are
 * ignored; a bad line is logged as "file:line: sentence" and skipped. A fault whose line is
 * removed is cleared; the configuration's sim group (offline, delay_ms, health) is the state
 * without any line. */
#ifndef PVRELIEF_SIM_CONTROL_H
#define PVRELIEF_SIM_CONTROL_H

struct sim;
struct control;

/* Returns a reader of the control file at path (NULL: none) and applies the configuration's
 * initial state to every device. Free with control_free. */
struct control *control_new(struct sim *sim, const char *path);
/* Re-reads the file when its modification time or size changed (or it appeared or vanished)
 * and applies it; cheap otherwise. */
void control_poll(struct control *c);
/* Frees the reader; accepts NULL. */
void control_free(struct control *c);

#endif
